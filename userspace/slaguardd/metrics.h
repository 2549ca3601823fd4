/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the Prometheus endpoint: GET /metrics answers with the
 * engine's state in the text exposition format (expo.h). Served by
 * libmicrohttpd driven from the daemon's own epoll loop (its epoll fd is
 * one more handler; the 1 s tick runs its timeouts), so a page is rendered
 * from the live engine between two events, with no thread and no lock,
 * and a slow or hostile client only ever costs a non-blocking write.
 * Connections, request size and idle time are bounded (WEB_*, web.h).
 */
#ifndef SLAGUARDD_METRICS_H
#define SLAGUARDD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "expo.h"
#include "loop.h"

#define METRICS_DEFAULT_LISTEN	"127.0.0.1:9477"
#define METRICS_PAGE_MAX	(16u << 20)	/* a bigger page is an error */

struct engine;
struct intake_app;

/*
 * Parse LISTEN: "PORT", "ADDR:PORT" or "[IPV6]:PORT" (port 0: any free
 * one). An address that is not loopback is refused unless ALLOW_REMOTE:
 * the page is not authenticated. 0, or -EINVAL with ERR saying why.
 */
int metrics_parse_listen(const char *listen, bool allow_remote,
			 struct sockaddr_storage *ss, socklen_t *sslen,
			 char *err, size_t errlen);
/* The socket: web_listen(), its address: web_bound() (web.h). */

/* The exposition of E (APP: its socket's counters, may be NULL) into X. */
void metrics_render(struct expo *x, const struct engine *e,
		    const struct intake_app *app);

struct metrics;

/* Serve on listening socket FD (taken) from loop L. */
int metrics_new(struct metrics **out, struct loop *l, int fd,
		const struct engine *e, const struct intake_app *app);
/*
 * The dashboard (dashboard.h) on the same server: TOKEN (kept, NULL for
 * none) required of every request; without it, nothing when REMOTE.
 * HISTORY (kept; NULL: none): the history file its report reads.
 */
void metrics_set_dashboard(struct metrics *m, const char *token, bool remote,
			   const char *history);
/* Every second: close connections idle past WEB_TIMEOUT_S. */
void metrics_tick(struct metrics *m);
void metrics_free(struct metrics *m);

#endif /* SLAGUARDD_METRICS_H */
