/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - scheduler tracepoint probes: process lifecycle, counts and
 * PROC_EXEC / PROC_EXIT events.
 */
#ifndef _SLAGUARD_PROCEV_H
#define _SLAGUARD_PROCEV_H

#include <linux/percpu.h>
#include <linux/types.h>

/* Kept by the probes, one copy per CPU, summed when read. */
struct slg_sched_pcpu {
	u64 ctxt;		/* context switches on this CPU */
	u64 preempted;		/* of which away from a runnable task */
	u64 wait_ns;		/* run-queue wait of the tasks switched to */
	s64 runnable;		/* nr_running changes made on this CPU */
	s64 threads;		/* threads created - ended on this CPU */
	s64 processes;
	u64 forks;		/* processes created */
};

extern struct slg_sched_pcpu __percpu *slg_sched_pcpu;

struct slg_sched_totals {
	s64 runnable;
	s64 threads;
	s64 processes;
	u64 forks;
	u64 ctxt;
};

void slg_procev_totals(struct slg_sched_totals *t);
u64 slg_procev_suppressed(void);

int slg_procev_init(void);
void slg_procev_exit(void);

#endif /* _SLAGUARD_PROCEV_H */
