/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - a unix stream socket that speaks lines: the control socket
 * and the application-event socket both read one message per line and the
 * control socket writes one per line. Writes never block the daemon: what a
 * slow reader does not take is buffered up to a limit, then it is dropped.
 */
#ifndef SLAGUARDD_LINESOCK_H
#define SLAGUARDD_LINESOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "loop.h"

struct linesock;
struct linesock_client;

/* LINE is NUL-terminated, without its newline. */
typedef void (*linesock_line_fn)(struct linesock_client *c, char *line,
				 void *arg);
/* A client went away (to forget per-client state); may be NULL. */
typedef void (*linesock_gone_fn)(struct linesock_client *c, void *arg);

struct linesock_opts {
	const char *path;
	mode_t mode;		/* of the socket file */
	bool root_only;		/* refuse peers whose SO_PEERCRED uid is not 0 */
	size_t max_line;	/* longer lines close the connection */
	linesock_line_fn on_line;
	linesock_gone_fn on_gone;
	void *arg;
};

int linesock_open(struct linesock **out, struct loop *l,
		  const struct linesock_opts *opts);
/* Closes every client and removes the socket file. */
void linesock_close(struct linesock *s);

/* Queue DATA (a whole line, newline included); -EPIPE once the client is gone. */
int linesock_send(struct linesock_client *c, const char *data, size_t len);
/* Hang up after what is queued was sent. */
void linesock_hangup(struct linesock_client *c);
uid_t linesock_uid(const struct linesock_client *c);
pid_t linesock_pid(const struct linesock_client *c);
/* A pointer the owner keeps per client (e.g. "follows alerts"). */
void linesock_set_data(struct linesock_client *c, void *data);
void *linesock_data(const struct linesock_client *c);

typedef void (*linesock_each_fn)(struct linesock_client *c, void *arg);
void linesock_foreach(struct linesock *s, linesock_each_fn fn, void *arg);
size_t linesock_clients(const struct linesock *s);

#endif /* SLAGUARDD_LINESOCK_H */
