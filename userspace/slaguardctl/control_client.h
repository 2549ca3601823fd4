/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client side of slaguardd's control socket: a unix stream socket that
 * takes one JSON object per line as a request and answers one JSON object per
 * line ({"ok":true,...} or {"ok":false,"error":"..."}); a "follow" request
 * keeps streaming one object per line until the client closes.
 *
 * Functions return 0 or a negative errno and describe failures in a struct
 * sg_error, in words that say what to do about them.
 */
#ifndef SLAGUARDCTL_CONTROL_CLIENT_H
#define SLAGUARDCTL_CONTROL_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

#include "parse.h"

#define CC_DEFAULT_PATH		"/run/slaguard/control.sock"
#define CC_PATH_ENV		"SLAGUARD_CONTROL"
/* How long a request waits for its answer. */
#define CC_TIMEOUT_MS		10000
/* Longest response line accepted; a status of many SLOs stays far below. */
#define CC_MAX_LINE		(16u << 20)

struct cc_conn {
	int fd;
	const char *path;
	char *buf;		/* received bytes not yet returned as lines */
	size_t len;
	size_t cap;
};

/* OPTION if given, else $SLAGUARD_CONTROL if set and not empty, else the default. */
const char *cc_path(const char *option);

/*
 * Connect to PATH. When nothing listens there: "cannot reach slaguardd at
 * PATH: <strerror>; is it running?".
 */
int cc_connect(struct cc_conn *cc, const char *path, struct sg_error *e);
void cc_close(struct cc_conn *cc);

/* REQ as one line of compact JSON. */
int cc_send(struct cc_conn *cc, struct json_object *req, struct sg_error *e);

/*
 * The next line, parsed; it must be a JSON object. TIMEOUT_MS < 0 waits for
 * ever. While waiting, the signal mask is MASK (NULL: unchanged), so a
 * caller can block SIGINT/SIGTERM and have them end the wait: -EINTR.
 * -EPIPE when the daemon closed the connection, -ETIMEDOUT, -EBADMSG for a
 * line that is not a JSON object, -EMSGSIZE for an overlong line.
 */
int cc_recv(struct cc_conn *cc, struct json_object **out, int timeout_ms,
	    const sigset_t *mask, struct sg_error *e);

/*
 * Whether RESP says {"ok":true}. {"ok":false,"error":MSG} becomes
 * -EREMOTEIO with "WHAT: MSG"; anything else is -EBADMSG.
 */
int cc_check_ok(struct json_object *resp, const char *what,
		struct sg_error *e);

/*
 * One request, one answer: connect to PATH, send REQ, read the answer
 * within CC_TIMEOUT_MS, close, check "ok". On success *RESP holds the whole
 * answer (the caller puts it). WHAT names the command in messages.
 */
int cc_call(const char *path, struct json_object *req,
	    struct json_object **resp, const char *what, struct sg_error *e);

/* Helpers for reading answers: NULL, or the member if it has TYPE. */
struct json_object *cc_get(struct json_object *obj, const char *key,
			   json_type type);
/* The member as text for a table: strings as they are, numbers without
 * needless decimals, true/false, "-" for null or absent, else compact JSON. */
const char *cc_text(struct json_object *obj, const char *key, char *buf,
		    size_t size);

/*
 * What the commands print for people (tables), from the daemon's answers;
 * 0 or -ENOMEM. Members missing or of the wrong type print as "-".
 */
int cc_print_status(struct json_object *resp, FILE *f);
int cc_print_alerts(struct json_object *alerts, FILE *f);
/* One alert on one line, for "alerts --follow". */
void cc_print_alert_line(struct json_object *alert, FILE *f);
int cc_print_countermeasures(struct json_object *cms, FILE *f);

#endif /* SLAGUARDCTL_CONTROL_CLIENT_H */
