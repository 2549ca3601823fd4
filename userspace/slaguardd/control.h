/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the control socket (root only): one JSON object per line in,
 * one JSON object per line out; "alerts" with "follow":true keeps the
 * connection and streams one line per new alert. Commands: status, alerts,
 * countermeasures, revoke, block, allow, reload. The protocol is in
 * README.md here.
 */
#ifndef SLAGUARDD_CONTROL_H
#define SLAGUARDD_CONTROL_H

#include "engine.h"
#include "loop.h"

#define CONTROL_DEFAULT_PATH	"/run/slaguard/control.sock"

struct control;

int control_new(struct control **out, struct loop *l, const char *path,
		struct engine *e);
void control_free(struct control *c);
/* The application socket whose counters "status" shows (NULL: none). */
struct intake_app;
void control_set_app(struct control *c, struct intake_app *app);

/*
 * One request line to one response object (the caller puts it); FOLLOW is
 * set when the client asked to follow alerts; UID is the peer's (operator
 * actions record it). Exposed for the unit tests.
 */
struct json_object *control_handle(struct engine *e, const char *line,
				   bool *follow, uint32_t uid);

#endif /* SLAGUARDD_CONTROL_H */
