/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the task watches of the SLA's components in the module's
 * system monitor: replaced as a set on every (re)configuration, removed
 * when the daemon stops, and what their state means for the sched.* SLOs.
 * A module without a system monitor here (not running, or a network
 * namespace other than the initial one) is warned about once per
 * configuration; the daemon runs on without it. Used by intake_genl.c.
 */
#ifndef SLAGUARDD_INTAKE_TWATCH_H
#define SLAGUARDD_INTAKE_TWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "genl.h"
#include "sla.h"

struct twatch_state {
	bool applied;		/* the configuration's watches were sent */
	int monitor_err;	/* -errno: the module has no system monitor here */
	uint64_t since_ms;	/* CLOCK_MONOTONIC when they were */
	uint64_t since_real_ms;	/* events before this are of older watches */
	int err[SLAGUARD_MAX_TASK_WATCHES];	/* per SLA task watch, -errno */
	char why[200];		/* monitor_err explained */
};

/* Delete the daemon's task watches in the module, add CFG's. */
void twatch_replace(struct sg_genl *req, const struct sla_module_config *cfg,
		    struct twatch_state *st);
/* Delete the daemon's task watches (on exit). */
void twatch_remove(struct sg_genl *req, struct twatch_state *st);

/*
 * Why the processes of component C (NULL: every component) are not
 * measured over the window since SINCE (monotonic ms), or NULL if they are.
 * BUF (LEN bytes) holds the text.
 */
const char *twatch_gap(const struct twatch_state *st,
		       const struct sla_module_config *cfg,
		       const struct sla_component *c, uint64_t since,
		       char *buf, size_t len);

#endif /* SLAGUARDD_INTAKE_TWATCH_H */
