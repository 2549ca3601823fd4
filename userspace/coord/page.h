/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguard-coord - the fleet's read-only page (--dashboard ADDR:PORT):
 * every node (heard or silent and since when, under attack, the SLA
 * revision it runs, its hypervisor), the composite SLOs with their state
 * and evidence, and the nodes' last alerts; web/ built into the binary,
 * its data from GET /api/state. Served by libmicrohttpd's own thread from
 * a snapshot the coordinator's loop renders (coord_page_update), so the
 * thread never reads the state itself. Access as slaguardd's dashboard
 * (web.h): a token for anything but loopback.
 */
#ifndef SLAGUARD_COORD_PAGE_H
#define SLAGUARD_COORD_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "coord.h"

#define COORD_PAGE_EXAMPLE_LISTEN	"127.0.0.1:9478"

enum coord_page_route {
	CPAGE_NONE = 0,
	CPAGE_PAGE,
	CPAGE_SCRIPT,
	CPAGE_WEB_SCRIPT,	/* /web.js and /web.css: web.h */
	CPAGE_STYLE,
	CPAGE_API_STATE,
};

/* The route of URL (its path, without the query). */
enum coord_page_route coord_page_route(const char *url);
/* The body of GET /api/state at NOW (malloc'd JSON); NULL: no memory. */
char *coord_page_state(const struct coord *co, uint64_t now);

struct coord_page;

/*
 * Serve on listening socket FD (taken, closed by coord_page_close);
 * TOKEN (kept; NULL: none) required of every request, REMOTE: FD is not
 * on loopback. 0 or -EIO.
 */
int coord_page_open(struct coord_page **out, int fd, const char *token, bool remote);
/* The state the page shows from now on. */
void coord_page_update(struct coord_page *p, const struct coord *co, uint64_t now);
void coord_page_close(struct coord_page *p);

#endif /* SLAGUARD_COORD_PAGE_H */
