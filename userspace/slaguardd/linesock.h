/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - a unix stream socket that speaks lines: the control socket
 * and the application-event socket both read one message per line and the
 * control socket writes one per line. Writes never block the daemon: what a
 * slow reader does not take is buffered up to a limit, then it is dropped.
 *
 * Local peers are not trusted to be polite: clients are limited in number,
 * in total and per uid (SO_PEERCRED), so one uid's idle connections cannot
 * lock another out; idle clients and lines that never end are closed; each
 * uid's bytes and lines per second are limited by not reading (the peer
 * blocks, nothing is lost); error replies per connection are capped.
 */
#ifndef SLAGUARDD_LINESOCK_H
#define SLAGUARDD_LINESOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"

struct linesock;
struct linesock_client;
struct json_object;

/* LINE is NUL-terminated, without its newline. */
typedef void (*linesock_line_fn)(struct linesock_client *c, char *line,
				 void *arg);
/* A client went away (to forget per-client state); may be NULL. */
typedef void (*linesock_gone_fn)(struct linesock_client *c, void *arg);

/* Defaults of the limits below when left 0. */
#define LINESOCK_MAX_CLIENTS	256
#define LINESOCK_MAX_PER_UID	16
#define LINESOCK_OUT_MAX	(64u << 10)

struct linesock_opts {
	const char *path;
	mode_t mode;		/* of the socket file */
	bool set_gid;		/* chown the socket file to GID */
	gid_t gid;
	bool root_only;		/* refuse peers whose SO_PEERCRED uid is not 0 */
	size_t max_line;	/* longer lines close the connection */
	size_t max_clients;	/* in all; 0: LINESOCK_MAX_CLIENTS */
	size_t max_per_uid;	/* 0: LINESOCK_MAX_PER_UID */
	size_t out_max;		/* unsent output per client; 0: LINESOCK_OUT_MAX */
	unsigned int idle_ms;	/* close a client silent this long; 0: never */
	unsigned int line_ms;	/* a line begun must end within this; 0: no limit */
	unsigned int lines_per_s;	/* per uid, burst of one second; 0: no limit */
	size_t bytes_per_s;		/* per uid, burst of one second; 0: no limit */
	unsigned int max_error_replies;	/* per connection (linesock_send_error); 0: no limit */
	linesock_line_fn on_line;
	linesock_gone_fn on_gone;
	void *arg;
};

struct linesock_stats {
	uint64_t accepted;
	uint64_t refused;		/* connections refused: limits, root only */
	uint64_t evicted;		/* idle clients closed to make room for another uid */
	uint64_t idle_closed;
	uint64_t line_timeouts;		/* a line not ended within line_ms */
	uint64_t too_long;		/* a line over max_line */
	uint64_t throttled;		/* times a uid's rate limit paused reading */
	uint64_t overflows;		/* clients dropped for not reading */
	uint64_t errors_unanswered;	/* error replies over the per-connection cap */
};

/*
 * -EADDRINUSE if a live listener holds PATH (a running daemon), -EEXIST
 * if PATH is something else than a socket; a stale socket file (nobody
 * listening) is replaced.
 */
int linesock_open(struct linesock **out, struct loop *l,
		  const struct linesock_opts *opts);
/* Whether PATH may be opened: 0, -EADDRINUSE or -EEXIST as above. */
int linesock_check_free(const char *path);
/* Closes every client and removes the socket file. */
void linesock_close(struct linesock *s);
/* Change the group of the socket file (reload). */
int linesock_set_group(struct linesock *s, gid_t gid);

/* Queue DATA (a whole line, newline included); -EPIPE once the client is gone. */
int linesock_send(struct linesock_client *c, const char *data, size_t len);
/*
 * Send {"ok":false,"error":MSG}, unless the connection had its share of
 * error replies (max_error_replies): then nothing is sent and it is
 * counted. The last one allowed says that further errors go unanswered.
 */
int linesock_send_error(struct linesock_client *c, const char *msg);
/* Hang up after what is queued was sent. */
void linesock_hangup(struct linesock_client *c);
/* Exempt a client from the idle timeout (it only listens, e.g. follows alerts). */
void linesock_set_listener(struct linesock_client *c);
uid_t linesock_uid(const struct linesock_client *c);
pid_t linesock_pid(const struct linesock_client *c);
/* The peer's primary group first, then its supplementary groups. */
size_t linesock_gids(const struct linesock_client *c, const uint32_t **gids);
/* A pointer the owner keeps per client (e.g. "follows alerts"). */
void linesock_set_data(struct linesock_client *c, void *data);
void *linesock_data(const struct linesock_client *c);

typedef void (*linesock_each_fn)(struct linesock_client *c, void *arg);
void linesock_foreach(struct linesock *s, linesock_each_fn fn, void *arg);
size_t linesock_clients(const struct linesock *s);
const struct linesock_stats *linesock_stats(const struct linesock *s);
/* The limits in effect, the counters and the clients as JSON. */
struct json_object *linesock_status_json(const struct linesock *s);

#endif /* SLAGUARDD_LINESOCK_H */
