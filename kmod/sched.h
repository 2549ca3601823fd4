/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - the system monitoring agent: periodic sampler of the system
 * and of watched processes, and its detectors.
 */
#ifndef _SLAGUARD_SCHED_H
#define _SLAGUARD_SCHED_H

#include <linux/types.h>
#include <net/genetlink.h>

#include "slaguard.h"

/* Figures of one watched process over one sampling period. */
struct slg_task_sample {
	pid_t pid;
	pid_t ppid;
	u32 uid;
	u32 watch_id;
	u32 threads;
	u32 period_ms;
	u32 cpu_pct;		/* hundredths of % of one CPU */
	u32 run_delay_ms;	/* run-queue wait, ms per second */
	u64 cpu_ns;		/* totals */
	u64 run_delay_ns;
	u64 nvcsw;
	u64 nivcsw;
	u64 csw_rate;		/* per second */
	u64 rss;		/* bytes */
	char comm[SLAGUARD_COMM_LEN];
};

/* Counters of one process as read; deltas of two of them make a sample. */
struct slg_task_counters {
	u64 time_ns;		/* ktime_get_ns() when read */
	u64 cpu_ns;
	u64 run_delay_ns;
	u64 nvcsw;
	u64 nivcsw;
};

/* The CPU time a tracked process used before its first reading. */
#define SLG_CPU_UNKNOWN	U64_MAX

/* Pure arithmetic, kept apart so KUnit can test it. */
bool slg_counter_delta(u64 prev, u64 cur, u64 *delta);
u64 slg_scale_per(u64 delta, u64 scale, u64 elapsed_ns);
bool slg_task_delta(const struct slg_task_counters *prev,
		    const struct slg_task_counters *cur,
		    struct slg_task_sample *s);
bool slg_cpu_high_step(u32 *run, u32 pct, u32 thr_pct, u32 need);
bool slg_holdoff_ok(u64 *last_ms, u64 now_ms, u32 holdoff_ms);
u64 slg_cpu_base(bool has_prev, u64 prev_cpu_ns, bool from_birth);
u64 slg_cpu_since(u64 base, u64 cpu_ns);
u32 slg_runnable_x100(u32 busy_pct, u32 wait_ms);

struct task_struct;
void slg_task_counters_read(struct task_struct *p, struct slg_task_counters *c);

/* Module parameter and SET_SCHED. */
u32 slg_sched_period_ms(void);
void slg_sched_set_period(u32 ms);

bool slg_sched_running(void);
int slg_sched_init(void);
void slg_sched_exit(void);

struct sk_buff;
size_t slg_sched_system_size(unsigned int ncpus);
int slg_sched_fill_system(struct sk_buff *skb);
int slg_sched_fill_cpu(struct sk_buff *skb, int cpu);

/* Generic netlink handlers (sched_netlink.c), listed in netlink.c. */
extern const struct nla_policy slg_twatch_policy[SLAGUARD_TWATCH_MAX + 1];
extern const struct nla_policy slg_sched_policy[SLAGUARD_SCHED_MAX + 1];
int slg_add_task_watch(struct sk_buff *skb, struct genl_info *info);
int slg_del_task_watch(struct sk_buff *skb, struct genl_info *info);
int slg_dump_task_watches(struct sk_buff *skb, struct netlink_callback *cb);
int slg_dump_tasks(struct sk_buff *skb, struct netlink_callback *cb);
int slg_get_system(struct sk_buff *skb, struct genl_info *info);
int slg_set_sched(struct sk_buff *skb, struct genl_info *info);

#endif /* _SLAGUARD_SCHED_H */
