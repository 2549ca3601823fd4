/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - intake of application events: a unix socket where
 * applications write one JSON object per line, e.g.
 *   {"component":"db","user":"alice","action":"read","resource":"customers/42"}
 * with optional "role" and "source" (the client address the application
 * served, so a data-rule violation can be acted on). A bad line is answered
 * with {"ok":false,"error":"..."}; good lines get no answer.
 */
#ifndef SLAGUARDD_INTAKE_APP_H
#define SLAGUARDD_INTAKE_APP_H

#include <sys/types.h>

#include "loop.h"
#include "record.h"

#define INTAKE_APP_DEFAULT_PATH	"/run/slaguard/app.sock"

struct intake_app;

/* MODE of the socket file (0660: root and the socket's group). */
int intake_app_new(struct intake_app **out, struct loop *l, const char *path,
		   mode_t mode, rec_sink_fn sink, void *arg);
void intake_app_free(struct intake_app *a);

/* Parse one line into R; returns 0 or -EINVAL with ERR saying why. */
int intake_app_parse(const char *line, struct rec *r, char *err,
		     size_t errlen);

#endif /* SLAGUARDD_INTAKE_APP_H */
