/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - preprocess of the system monitor's events: the module's task
 * watch ids map back to SLA components, one SCHED_SAMPLE per process and
 * sampling pass becomes per-process samples, and the samples of one pass
 * are summed per component (and for the host) into one sample per pass.
 * Used by preprocess.c only.
 */
#ifndef SLAGUARDD_PREPROCESS_TASKS_H
#define SLAGUARDD_PREPROCESS_TASKS_H

#include <stdint.h>

#include "preprocess.h"

struct pp_sched;

int pp_sched_new(struct pp_sched **out, const struct sla *sla);
void pp_sched_free(struct pp_sched *ps);
void pp_sched_set_config(struct pp_sched *ps,
			 const struct sla_module_config *cfg);

/* Samples of a REC_TASK record handed to FN; returns how many. */
int pp_sched_record(struct pp_sched *ps, const struct rec *r, sample_fn fn,
		    void *arg);
/* Hand out the sums of passes and seconds complete by NOW (monotonic ms). */
int pp_sched_flush(struct pp_sched *ps, uint64_t now, sample_fn fn, void *arg);

#endif /* SLAGUARDD_PREPROCESS_TASKS_H */
