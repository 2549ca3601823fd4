/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libslaguard-app - report application events (accesses, login failures,
 * privilege changes) to slaguardd's application socket, one JSON line each
 * (schema: docs/app-events.md).
 *
 * Never in the application's way: the socket is non-blocking and written
 * with MSG_NOSIGNAL, so a daemon that is away, slow or gone costs nothing
 * but buffered lines. Lines wait in a bounded queue (count, bytes and age)
 * while the daemon cannot take them; when it is full the oldest line is
 * dropped and counted. A lost connection is retried with exponential
 * backoff, only ever from a call of the application (there is no thread).
 * The only call that may wait is slaguard_app_flush() with a timeout.
 *
 * Thread-safe: one handle may be used by several threads (a mutex guards
 * it). Not fork-safe: a child must open its own handle.
 */
#ifndef SLAGUARD_APP_H
#define SLAGUARD_APP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The event schema written ("v" of every line). */
#define SLAGUARD_APP_SCHEMA_VERSION	1
#define SLAGUARD_APP_DEFAULT_SOCKET	"/run/slaguard/app.sock"
/* Environment variable that overrides the default socket path. */
#define SLAGUARD_APP_SOCKET_ENV		"SLAGUARD_APP_SOCKET"

/* Longest field values (bytes, without the NUL), as the daemon takes them. */
#define SLAGUARD_APP_NAME_MAX		63	/* component, user, role, action */
#define SLAGUARD_APP_RESOURCE_MAX	255
#define SLAGUARD_APP_SOURCE_MAX		45	/* an IPv4 or IPv6 address */

/* The actions of the schema. */
#define SLAGUARD_APP_READ		"read"
#define SLAGUARD_APP_WRITE		"write"
#define SLAGUARD_APP_DELETE		"delete"
#define SLAGUARD_APP_LOGIN_FAILURE	"login-failure"
#define SLAGUARD_APP_PRIVILEGE_CHANGE	"privilege-change"

struct slaguard_app;

/* Every field may be left 0 or NULL for its default. */
struct slaguard_app_opts {
	/* NULL: $SLAGUARD_APP_SOCKET if set and non-empty, else the default. */
	const char *path;
	size_t max_lines;		/* queued at most; default 256 */
	size_t max_bytes;		/* queued at most; default 64 KiB */
	unsigned int max_age_ms;	/* a queued line older is dropped; default 30 s */
	unsigned int backoff_min_ms;	/* first retry after a failure; default 100 ms */
	unsigned int backoff_max_ms;	/* retries at most this far apart; default 5 s */
};

/* One event; component, user, action and resource are required. */
struct slaguard_app_event {
	const char *component;		/* a component of the SLA */
	const char *user;		/* who did it */
	const char *action;		/* one of SLAGUARD_APP_READ ... */
	const char *resource;		/* what it was done to */
	const char *role;		/* optional: the user's role */
	const char *source;		/* optional: the client's IPv4/IPv6 address */
};

struct slaguard_app_stats {
	uint64_t queued;	/* events accepted into the queue */
	uint64_t sent;		/* lines written whole to the socket */
	uint64_t dropped;	/* oldest lines dropped: the queue was full */
	uint64_t expired;	/* lines dropped: older than max_age_ms */
	uint64_t invalid;	/* events refused by the library (-EINVAL) */
	uint64_t refused;	/* error replies of the daemon ({"ok":false}) */
	uint64_t connects;	/* connections made */
	uint64_t connect_failures;	/* connections tried in vain */
	uint64_t disconnects;	/* connections lost */
	size_t pending;		/* lines in the queue now */
	int connected;		/* 1 while a connection is up */
	/* Counters to come take these: the size and the offsets stay (ABI). */
	uint64_t spare[8];
	/* The daemon's last error reply, or a local reason; "" if none. */
	char last_error[256];
};

/*
 * A handle; it connects at once if it can and otherwise later, on its own.
 * NULL with errno set (ENOMEM, EINVAL for a path too long for a socket).
 */
struct slaguard_app *slaguard_app_open(const struct slaguard_app_opts *opts);
/* Sends what it can without waiting, then frees everything. NULL is fine. */
void slaguard_app_close(struct slaguard_app *app);

/*
 * Queue an event and send what the socket takes now. 0 when queued (not
 * necessarily delivered), -EINVAL when the event is malformed: a required
 * field missing or empty, a value too long, not UTF-8 or with control
 * characters, an unknown action (last_error says which).
 */
int slaguard_app_report(struct slaguard_app *app, const struct slaguard_app_event *ev);
/* Shorthands; SOURCE may be NULL. */
int slaguard_app_access(struct slaguard_app *app, const char *component,
			const char *user, const char *action,
			const char *resource, const char *source);
/* A failed login of USER into RESOURCE (e.g. "ssh", "admin-ui"). */
int slaguard_app_login_failure(struct slaguard_app *app, const char *component,
			       const char *user, const char *resource,
			       const char *source);
/* USER gained the right or role RESOURCE (e.g. "role/admin"). */
int slaguard_app_privilege_change(struct slaguard_app *app, const char *component,
				  const char *user, const char *resource,
				  const char *source);

/*
 * Send what is queued and read the daemon's replies. TIMEOUT_MS 0 never
 * waits; otherwise waits at most that long for the queue to empty (e.g.
 * before exiting). Returns the number of lines still queued.
 */
size_t slaguard_app_flush(struct slaguard_app *app, unsigned int timeout_ms);

/* A snapshot of the counters. */
void slaguard_app_get_stats(struct slaguard_app *app, struct slaguard_app_stats *st);
/* The socket path in use. */
const char *slaguard_app_path(const struct slaguard_app *app);

#ifdef __cplusplus
}
#endif

#endif /* SLAGUARD_APP_H */
