/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - per-packet cost of the hooks, in a benchmark build only
 * (SLAGUARD_BENCH=1, see kmod/Kbuild and bench/hookcost.sh).
 */
#ifndef _SLAGUARD_BENCH_H
#define _SLAGUARD_BENCH_H

#include <linux/types.h>

enum slg_bench_point {
	SLG_BENCH_PRE_ROUTING,	/* slg_hook at each hook point */
	SLG_BENCH_FORWARD,
	SLG_BENCH_LOCAL_OUT,
	SLG_BENCH_CT,		/* slg_ct_hook */
	SLG_BENCH_CLOCK,	/* an empty timed section: the clock's own cost */
	SLG_BENCH_NR,
};

void slg_bench_add(enum slg_bench_point p, u64 ns);

#endif /* _SLAGUARD_BENCH_H */
