/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - intake of the kernel module's events and counters over
 * generic netlink. The module may be loaded after the daemon starts, or
 * reloaded under it: the family is resolved again on every tick until it
 * is there, and the SLA's thresholds and watches are (re)applied each time
 * it appears. Sequence gaps, receive-buffer overruns and the module's own
 * loss counter become REC_LOST records.
 */
#ifndef SLAGUARDD_INTAKE_GENL_H
#define SLAGUARDD_INTAKE_GENL_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "record.h"

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

/* Every second: find the module if missing, pull its counters if not. */
void intake_genl_tick(struct intake_genl *g);

bool intake_genl_connected(const struct intake_genl *g);
/* CLOCK_MONOTONIC ms since which events are flowing without a break; 0 if not. */
uint64_t intake_genl_covered_since(const struct intake_genl *g);
const struct intake_genl_counters *intake_genl_counters(const struct intake_genl *g);

/*
 * Why the processes of component C (NULL: all) are not sampled over the
 * window since SINCE (CLOCK_MONOTONIC ms), or NULL if they are (or the
 * module is not connected: that is said elsewhere). BUF holds the text.
 */
const char *intake_genl_sched_gap(const struct intake_genl *g,
				  const struct sla_component *c, uint64_t since,
				  char *buf, size_t len);

#endif /* SLAGUARDD_INTAKE_GENL_H */
