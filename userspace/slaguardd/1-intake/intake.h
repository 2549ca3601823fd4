/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the intake stage's interface: the module's events and
 * counters over generic netlink, and the applications' events on a unix
 * socket, both turned into records (record.h) for preprocess.
 */
#ifndef SLAGUARDD_INTAKE_H
#define SLAGUARDD_INTAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"
#include "record.h"

/*
 * Intake of the kernel module's events and counters over
 * generic netlink. The module may be loaded after the daemon starts, or
 * reloaded under it: the family is resolved again on every tick until it
 * is there, and the SLA's thresholds and watches are (re)applied each time
 * it appears. Sequence gaps, receive-buffer overruns and the module's own
 * loss counter become REC_LOST records.
 */

struct sla_component;
struct sla_module_config;

/*
 * Watches the daemon installs have ids BASE + 1 .. BASE + n (n the SLA's
 * watch ids), far from the ids the module picks for hand-made watches
 * (counting up from 1), so the daemon replaces its own watches only.
 */
#define INTAKE_WATCH_BASE	1000000u

/* The SLA watch id (1..n) of a module watch id, 0 if not the daemon's. */
uint32_t intake_watch_sla_id(uint32_t module_id);

/* Task watches likewise: SLA task watch id + BASE (a separate id space). */
#define INTAKE_TASK_WATCH_BASE	1000000u
uint32_t intake_task_watch_sla_id(uint32_t module_id);

struct intake_genl_opts {
	const char *family;	/* SLAGUARD_GENL_NAME unless testing */
	const char *group;	/* SLAGUARD_MCGRP_EVENTS unless testing */
	/* Listen only: no stats pulls, no configuration (tests against a
	 * stand-in family that does not speak slaguard's commands). */
	bool listen_only;
	rec_sink_fn sink;
	void *arg;
};

struct intake_genl_counters {
	uint64_t received;	/* events decoded */
	uint64_t lost;		/* events known lost (gaps + module counter) */
	uint64_t overruns;	/* receive-buffer overruns (count unknown) */
	uint64_t malformed;
};

struct intake_genl;

int intake_genl_new(struct intake_genl **out, struct loop *l,
		    const struct intake_genl_opts *opts);
void intake_genl_free(struct intake_genl *g);

/*
 * What the module is to be configured with; applied now if the module is
 * there, else when it appears. CFG is copied.
 */
int intake_genl_configure(struct intake_genl *g,
			  const struct sla_module_config *cfg);
/* Why the module refused the configuration last applied, or NULL. */
const char *intake_genl_config_error(const struct intake_genl *g);

/* Every second: find the module if missing, pull its counters if not. */
void intake_genl_tick(struct intake_genl *g);

struct nlmsghdr;
/*
 * Decode one event message of the module into R, as the intake does before
 * handing it on: 0, -ENOMSG (not an event) or -EINVAL (malformed).
 */
int intake_genl_decode(const struct nlmsghdr *nlh, struct rec *r);

bool intake_genl_connected(const struct intake_genl *g);
/* CLOCK_MONOTONIC ms since which events are flowing without a break; 0 if not. */
uint64_t intake_genl_covered_since(const struct intake_genl *g);
const struct intake_genl_counters *intake_genl_counters(const struct intake_genl *g);
/*
 * The module's counters of the last GET_STATS pull, indexed by enum
 * slaguard_stats_attr (SLAGUARD_STATS_MAX + 1 of them), or NULL if none.
 */
const uint64_t *intake_genl_module_stats(const struct intake_genl *g);

/*
 * Why the processes of component C (NULL: all) are not sampled over the
 * window since SINCE (CLOCK_MONOTONIC ms), or NULL if they are (or the
 * module is not connected: that is said elsewhere). BUF holds the text.
 */
const char *intake_genl_sched_gap(const struct intake_genl *g,
				  const struct sla_component *c, uint64_t since,
				  char *buf, size_t len);

/*
 * Intake of application events: a unix socket where
 * applications write one JSON object per line, e.g.
 *   {"component":"db","user":"alice","action":"read","resource":"customers/42"}
 * with optional "role" and "source" (the client address the application
 * served, so a data-rule violation can be acted on) and "v", the version
 * of the schema (docs/app-events.md; 1, any other is refused). A bad line,
 * or one the peer may not report (the SLA's reporters, judged by SO_PEERCRED), is
 * answered with {"ok":false,"error":"..."} (a few per connection, then
 * nothing); good lines get no answer. Strings with control characters are
 * refused, so they never reach a log or a terminal.
 */

#define INTAKE_APP_DEFAULT_PATH	"/run/slaguard/app.sock"
#define INTAKE_APP_SCHEMA	1	/* the event schema's "v" */
#define INTAKE_APP_MAX_LINE	16384
#define INTAKE_APP_IDLE_MS	300000	/* a connection silent for 5 min is closed */
#define INTAKE_APP_LINE_MS	10000	/* a line begun must end within 10 s */
#define INTAKE_APP_LINES_PER_S	20000	/* per uid */
#define INTAKE_APP_BYTES_PER_S	(8u << 20)	/* per uid */
#define INTAKE_APP_ERROR_REPLIES 8	/* per connection */
#define INTAKE_APP_OUT_MAX	(16u << 10)

struct intake_app;
struct sla;
struct json_object;

struct intake_app_opts {
	const char *path;
	mode_t mode;			/* 0660: root and the socket's group */
	/*
	 * The socket's group: GID if set_gid (--app-group), else the SLA's
	 * defaults.app_group, else the daemon's.
	 */
	bool set_gid;
	gid_t gid;
	/* The running SLA, read at every line (the engine swaps it on reload). */
	struct sla *const *sla;
	rec_sink_fn sink;
	void *arg;
	/* Limits of the socket; 0: the INTAKE_APP_* defaults. */
	unsigned int idle_ms, line_ms, lines_per_s;
	size_t bytes_per_s;
};

int intake_app_new(struct intake_app **out, struct loop *l,
		   const struct intake_app_opts *opts);
void intake_app_free(struct intake_app *a);
/* Every second: follow a reloaded SLA's app_group. */
void intake_app_tick(struct intake_app *a);
/* Counters, limits and the socket's group, for the control "status". */
struct json_object *intake_app_status_json(const struct intake_app *a);

struct intake_app_counters {
	uint64_t events;		/* handed on */
	uint64_t malformed;		/* lines refused as bad */
	uint64_t refused;		/* events refused: the peer may not report them */
};
const struct intake_app_counters *intake_app_counters(const struct intake_app *a);

/* Parse one line into R; returns 0 or -EINVAL with ERR saying why. */
int intake_app_parse(const char *line, struct rec *r, char *err,
		     size_t errlen);

#endif /* SLAGUARDD_INTAKE_H */
