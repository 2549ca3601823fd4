// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - per-packet cost of the hooks, in a benchmark build only.
 *
 * Per CPU, for each timed point: calls and nanoseconds (local_clock()).
 * Read as /sys/module/slaguard/parameters/bench_hooks, one line per point
 * "NAME CALLS NS"; writing anything sets every counter back to zero.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>

#include "bench.h"

struct slg_bench_pcpu {
	u64 calls[SLG_BENCH_NR];
	u64 ns[SLG_BENCH_NR];
};

static DEFINE_PER_CPU(struct slg_bench_pcpu, slg_bench);

static const char *const slg_bench_names[SLG_BENCH_NR] = {
	[SLG_BENCH_PRE_ROUTING] = "pre_routing",
	[SLG_BENCH_FORWARD] = "forward",
	[SLG_BENCH_LOCAL_OUT] = "local_out",
	[SLG_BENCH_CT] = "ct",
	[SLG_BENCH_CLOCK] = "clock",
};

/* Hooks run in softirq or preemptible (LOCAL_OUT): this_cpu ops are safe. */
void slg_bench_add(enum slg_bench_point p, u64 ns)
{
	this_cpu_inc(slg_bench.calls[p]);
	this_cpu_add(slg_bench.ns[p], ns);
}

static int bench_get(char *buf, const struct kernel_param *kp)
{
	int len = 0, p, cpu;

	for (p = 0; p < SLG_BENCH_NR; p++) {
		u64 calls = 0, ns = 0;

		for_each_possible_cpu(cpu) {
			const struct slg_bench_pcpu *b = per_cpu_ptr(&slg_bench, cpu);

			calls += READ_ONCE(b->calls[p]);
			ns += READ_ONCE(b->ns[p]);
		}
		len += sysfs_emit_at(buf, len, "%s %llu %llu\n",
				     slg_bench_names[p], calls, ns);
	}
	return len;
}

/* Reset between measurements, while no traffic flows. */
static int bench_set(const char *val, const struct kernel_param *kp)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&slg_bench, cpu), 0,
		       sizeof(struct slg_bench_pcpu));
	return 0;
}

static const struct kernel_param_ops bench_ops = {
	.get = bench_get,
	.set = bench_set,
};

module_param_cb(bench_hooks, &bench_ops, NULL, 0600);
MODULE_PARM_DESC(bench_hooks, "Benchmark build: calls and ns per hook point (write to reset)");
