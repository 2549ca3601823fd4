// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's system monitor: the per-period arithmetic of
 * the sampler, the consecutive-sample logic of CPU_HIGH, hold-off, and task
 * watch matching.
 */
#include <kunit/test.h>
#include <linux/cgroup.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "netlink.h"
#include "taskwatch.h"

#define MS	NSEC_PER_MSEC
#define SEC	NSEC_PER_SEC

static void counter_delta(struct kunit *test)
{
	u64 d = 42;

	KUNIT_EXPECT_TRUE(test, slg_counter_delta(100, 350, &d));
	KUNIT_EXPECT_EQ(test, d, 250ULL);
	KUNIT_EXPECT_TRUE(test, slg_counter_delta(7, 7, &d));
	KUNIT_EXPECT_EQ(test, d, 0ULL);
	/* up to the very top of the range */
	KUNIT_EXPECT_TRUE(test, slg_counter_delta(U64_MAX - 5, U64_MAX, &d));
	KUNIT_EXPECT_EQ(test, d, 5ULL);
	/* went back (restarted, or a thread took its share away): no growth */
	KUNIT_EXPECT_FALSE(test, slg_counter_delta(1000, 10, &d));
	KUNIT_EXPECT_EQ(test, d, 0ULL);
	KUNIT_EXPECT_FALSE(test, slg_counter_delta(U64_MAX, 3, &d));
	KUNIT_EXPECT_EQ(test, d, 0ULL);
}

static void scale_per(struct kunit *test)
{
	/* half a CPU second in one second: 50.00% */
	KUNIT_EXPECT_EQ(test, slg_scale_per(500 * MS, 10000, SEC), 5000ULL);
	/* 120 events in 2 s: 60/s */
	KUNIT_EXPECT_EQ(test, slg_scale_per(120, NSEC_PER_SEC, 2 * SEC), 60ULL);
	/* no time: no rate, no division by zero */
	KUNIT_EXPECT_EQ(test, slg_scale_per(1000, 10000, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, slg_scale_per(0, 10000, SEC), 0ULL);
	/* a delta too big to multiply is still scaled, not wrapped */
	KUNIT_EXPECT_EQ(test, slg_scale_per(U64_MAX, 10000, 10000),
			U64_MAX);
	KUNIT_EXPECT_GT(test, slg_scale_per(U64_MAX / 2, NSEC_PER_SEC, SEC),
			U64_MAX / 4);
}

static struct slg_task_counters ctr(u64 t, u64 cpu, u64 delay, u64 nv,
				    u64 niv)
{
	return (struct slg_task_counters){ t, cpu, delay, nv, niv };
}

static void task_delta_one_second(struct kunit *test)
{
	struct slg_task_counters a = ctr(10 * SEC, 3 * SEC, 100 * MS, 50, 7);
	struct slg_task_counters b = ctr(11 * SEC, 3 * SEC + 250 * MS,
					 400 * MS, 60, 17);
	struct slg_task_sample s = {};

	KUNIT_ASSERT_TRUE(test, slg_task_delta(&a, &b, &s));
	KUNIT_EXPECT_EQ(test, s.period_ms, 1000U);
	KUNIT_EXPECT_EQ(test, s.cpu_pct, 2500U);	/* 25.00% */
	KUNIT_EXPECT_EQ(test, s.run_delay_ms, 300U);	/* ms per second */
	KUNIT_EXPECT_EQ(test, s.csw_rate, 20ULL);
	KUNIT_EXPECT_EQ(test, s.cpu_ns, 3 * SEC + 250 * MS);
	KUNIT_EXPECT_EQ(test, s.nvcsw, 60ULL);
	KUNIT_EXPECT_EQ(test, s.nivcsw, 17ULL);
}

/* The same use over a longer period is the same percentage. */
static void task_delta_period_change(struct kunit *test)
{
	struct slg_task_counters a = ctr(SEC, 0, 0, 0, 0);
	struct slg_task_counters b = ctr(SEC + 250 * MS, 125 * MS, 25 * MS, 5, 0);
	struct slg_task_counters c = ctr(SEC + 250 * MS + 4 * SEC,
					 125 * MS + 2 * SEC, 25 * MS + 400 * MS,
					 5 + 40, 0);
	struct slg_task_sample s = {};

	KUNIT_ASSERT_TRUE(test, slg_task_delta(&a, &b, &s));
	KUNIT_EXPECT_EQ(test, s.period_ms, 250U);
	KUNIT_EXPECT_EQ(test, s.cpu_pct, 5000U);
	KUNIT_EXPECT_EQ(test, s.run_delay_ms, 100U);
	KUNIT_EXPECT_EQ(test, s.csw_rate, 20ULL);
	KUNIT_ASSERT_TRUE(test, slg_task_delta(&b, &c, &s));
	KUNIT_EXPECT_EQ(test, s.period_ms, 4000U);
	KUNIT_EXPECT_EQ(test, s.cpu_pct, 5000U);
	KUNIT_EXPECT_EQ(test, s.run_delay_ms, 100U);
	KUNIT_EXPECT_EQ(test, s.csw_rate, 10ULL);
}

/* Several threads busy at once: more than one CPU. */
static void task_delta_threads(struct kunit *test)
{
	struct slg_task_counters a = ctr(0, 0, 0, 0, 0);
	struct slg_task_counters b = ctr(SEC, 3 * SEC, 0, 0, 0);
	struct slg_task_sample s = {};

	KUNIT_ASSERT_TRUE(test, slg_task_delta(&a, &b, &s));
	KUNIT_EXPECT_EQ(test, s.cpu_pct, 30000U);
}

/*
 * A thread exiting between two samples takes its run delay (and maybe a
 * moment of CPU time) with it: the sums go back. That is no growth, not
 * a wrapped counter's enormous one.
 */
static void task_delta_thread_exited(struct kunit *test)
{
	struct slg_task_counters a = ctr(SEC, 5 * SEC, 900 * MS, 1000, 500);
	struct slg_task_counters b = ctr(2 * SEC, 5 * SEC + 100 * MS, 200 * MS,
					 400, 600);
	struct slg_task_sample s = {};

	KUNIT_ASSERT_TRUE(test, slg_task_delta(&a, &b, &s));
	KUNIT_EXPECT_EQ(test, s.cpu_pct, 1000U);
	KUNIT_EXPECT_EQ(test, s.run_delay_ms, 0U);
	/* nvcsw went back: only the involuntary ones count */
	KUNIT_EXPECT_EQ(test, s.csw_rate, 100ULL);
	KUNIT_EXPECT_EQ(test, s.run_delay_ns, 200 * MS);
}

/* Two reads at the same time (or the clock going back) give no sample. */
static void task_delta_no_time(struct kunit *test)
{
	struct slg_task_counters a = ctr(5 * SEC, SEC, 0, 0, 0);
	struct slg_task_counters b = ctr(5 * SEC, 2 * SEC, 0, 0, 0);
	struct slg_task_counters c = ctr(4 * SEC, 2 * SEC, 0, 0, 0);
	struct slg_task_sample s = {};

	KUNIT_EXPECT_FALSE(test, slg_task_delta(&a, &b, &s));
	KUNIT_EXPECT_FALSE(test, slg_task_delta(&a, &c, &s));
}

static void cpu_high_consecutive(struct kunit *test)
{
	u32 run = 0;

	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 40, 90, 3));
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 95, 90, 3));
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 90, 90, 3));
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 100, 90, 3));
	/* still above: still true (hold-off decides about repeats) */
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 99, 90, 3));
	/* one sample below starts the count again */
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 89, 90, 3));
	KUNIT_EXPECT_EQ(test, run, 0U);
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 100, 90, 3));
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 100, 90, 3));
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 100, 90, 3));
}

static void cpu_high_edges(struct kunit *test)
{
	u32 run = 0;

	/* threshold 0: off, however busy */
	KUNIT_EXPECT_FALSE(test, slg_cpu_high_step(&run, 400, 0, 1));
	/* 0 or 1 samples: the first one above fires */
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 50, 50, 0));
	run = 0;
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 50, 50, 1));
	/* the run count saturates */
	run = U32_MAX;
	KUNIT_EXPECT_TRUE(test, slg_cpu_high_step(&run, 50, 50, 3));
	KUNIT_EXPECT_EQ(test, run, U32_MAX);
}

static void holdoff(struct kunit *test)
{
	u64 last = 0;

	KUNIT_EXPECT_TRUE(test, slg_holdoff_ok(&last, 5000, 1000));
	KUNIT_EXPECT_FALSE(test, slg_holdoff_ok(&last, 5999, 1000));
	KUNIT_EXPECT_TRUE(test, slg_holdoff_ok(&last, 6000, 1000));
	/* a clock of 0 is not mistaken for "never" */
	last = 0;
	KUNIT_EXPECT_TRUE(test, slg_holdoff_ok(&last, 0, 1000));
	KUNIT_EXPECT_FALSE(test, slg_holdoff_ok(&last, 500, 1000));
}

static void cpu_base_since(struct kunit *test)
{
	/* read before: only the growth since then is this period's */
	KUNIT_EXPECT_EQ(test, slg_cpu_base(true, 5 * SEC, false), 5 * SEC);
	KUNIT_EXPECT_EQ(test, slg_cpu_base(true, 5 * SEC, true), 5 * SEC);
	KUNIT_EXPECT_EQ(test, slg_cpu_since(5 * SEC, 5 * SEC + 300 * MS),
			300 * MS);
	/* tracked since fork, never read: all of its CPU time is new */
	KUNIT_EXPECT_EQ(test, slg_cpu_base(false, 0, true), 0ULL);
	KUNIT_EXPECT_EQ(test, slg_cpu_since(0, 40 * MS), 40 * MS);
	/* tracked later (seeded, exec, moved in): its past is not counted */
	KUNIT_EXPECT_EQ(test, slg_cpu_base(false, 0, false), SLG_CPU_UNKNOWN);
	KUNIT_EXPECT_EQ(test, slg_cpu_since(SLG_CPU_UNKNOWN, 900 * SEC), 0ULL);
	/* a counter that went back charges nothing */
	KUNIT_EXPECT_EQ(test, slg_cpu_since(2 * SEC, SEC), 0ULL);
}

/*
 * A cgroup's period as the sampler and the exit probe charge it: growth of
 * processes read twice, all of a new one, none of a late one's past, and
 * the rest of one that ended in the period.
 */
static void cgroup_period_sum(struct kunit *test)
{
	u64 sum = 0;

	sum += slg_cpu_since(slg_cpu_base(true, 2 * SEC, false),
			     2 * SEC + 300 * MS);
	sum += slg_cpu_since(slg_cpu_base(false, 0, true), 200 * MS);
	sum += slg_cpu_since(slg_cpu_base(false, 0, false), 50 * SEC);
	sum += slg_cpu_since(slg_cpu_base(true, 400 * MS, true), 500 * MS);
	KUNIT_EXPECT_EQ(test, sum, 600 * MS);
	/* over one second: 60.00% of one CPU; over two: 30.00% */
	KUNIT_EXPECT_EQ(test, slg_scale_per(sum, 10000, SEC), 6000ULL);
	KUNIT_EXPECT_EQ(test, slg_scale_per(sum, 10000, 2 * SEC), 3000ULL);
	/* more than one CPU's worth: a cgroup may exceed 100% */
	KUNIT_EXPECT_EQ(test, slg_scale_per(3 * SEC, 10000, SEC), 30000ULL);
}

static void runnable_per_cpu(struct kunit *test)
{
	/* idle */
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(0, 0), 0U);
	/* one task alone, always running */
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(10000, 0), 100U);
	/* two sharing the CPU: each waits half of the time */
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(10000, 1000), 200U);
	/* half busy, a quarter task waiting on average */
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(5000, 250), 75U);
	/* busy time over 100% (accounting skew) counts as one task */
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(10400, 0), 100U);
	KUNIT_EXPECT_EQ(test, slg_runnable_x100(U32_MAX, U32_MAX),
			100U + U32_MAX / 10);
}

static struct slg_twatch *new_watch(struct kunit *test, u32 id, u8 type)
{
	struct slg_twatch *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->id = id;
	w->type = type;
	return w;
}

static void match_pid_comm(struct kunit *test)
{
	struct slg_twatch *p = new_watch(test, 1, SLG_TW_PID);
	struct slg_twatch *c = new_watch(test, 2, SLG_TW_COMM);
	struct slg_task_id t = { .tgid = 1234, .comm = "nginx" };

	p->pid = 1234;
	strscpy(c->comm, "nginx", sizeof(c->comm));
	KUNIT_EXPECT_TRUE(test, slg_twatch_match(p, &t));
	KUNIT_EXPECT_TRUE(test, slg_twatch_match(c, &t));
	t.tgid = 1235;
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(p, &t));
	/* names match exactly: no prefixes, no case folding */
	t.comm = "nginx-worker";
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(c, &t));
	t.comm = "ngin";
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(c, &t));
	t.comm = "NGINX";
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(c, &t));
	t.comm = NULL;
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(c, &t));
	/* a 15-character name, as the kernel cuts it */
	strscpy(c->comm, "abcdefghijklmno", sizeof(c->comm));
	t.comm = "abcdefghijklmno";
	KUNIT_EXPECT_TRUE(test, slg_twatch_match(c, &t));
}

static void match_cgroup(struct kunit *test)
{
	struct slg_twatch *root = new_watch(test, 3, SLG_TW_CGROUP);
	struct slg_twatch *none = new_watch(test, 4, SLG_TW_CGROUP);
	struct slg_task_id t = { .tgid = 1, .comm = "x" };

	/* every cgroup is below the root of the hierarchy */
	root->cgrp = &cgrp_dfl_root.cgrp;
	rcu_read_lock();
	slg_task_id_of(current, &t);
	KUNIT_EXPECT_TRUE(test, slg_twatch_match(root, &t));
	/* a watch whose cgroup went away matches nothing */
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(none, &t));
	rcu_read_unlock();
	/* nor does a process without a cgroup */
	t.cgrp = NULL;
	KUNIT_EXPECT_FALSE(test, slg_twatch_match(root, &t));
}

/* Charges go to every cgroup watch above the process, and to no other. */
static void cgroup_charge(struct kunit *test)
{
	struct slg_twatch *root = new_watch(test, 20, SLG_TW_CGROUP);
	struct slg_twatch *gone = new_watch(test, 21, SLG_TW_CGROUP);
	struct slg_twatch *comm = new_watch(test, 22, SLG_TW_COMM);
	struct slg_twatch *root2 = new_watch(test, 23, SLG_TW_CGROUP);
	struct slg_ptrset *s1, *s2, *s3, *s4, *saved;

	root->cgrp = &cgrp_dfl_root.cgrp;
	root2->cgrp = &cgrp_dfl_root.cgrp;
	strscpy(comm->comm, current->comm, sizeof(comm->comm));
	s1 = slg_ptrset_add(NULL, comm);
	s2 = s1 ? slg_ptrset_add(s1, root) : NULL;
	s3 = s2 ? slg_ptrset_add(s2, gone) : NULL;
	s4 = s3 ? slg_ptrset_add(s3, root2) : NULL;
	KUNIT_ASSERT_NOT_NULL(test, s4);

	/* The published set, briefly; the sampler holds the mutex to read. */
	mutex_lock(&slg_tw_mutex);
	saved = rcu_replace_pointer(slg_twatches, s4,
				    lockdep_is_held(&slg_tw_mutex));
	rcu_read_lock();
	slg_cgroup_charge(current, 700);
	slg_cgroup_charge(current, 0);
	slg_cgroup_charge(current, 50);
	rcu_read_unlock();
	rcu_replace_pointer(slg_twatches, saved,
			    lockdep_is_held(&slg_tw_mutex));
	mutex_unlock(&slg_tw_mutex);
	synchronize_rcu();

	KUNIT_EXPECT_EQ(test, atomic64_read(&root->cpu_ns), 750LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&root2->cpu_ns), 750LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&gone->cpu_ns), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&comm->cpu_ns), 0LL);
	kfree(s1);
	kfree(s2);
	kfree(s3);
	kfree(s4);
}

static void watchset_first_add_del(struct kunit *test)
{
	struct slg_twatch *a = new_watch(test, 10, SLG_TW_COMM);
	struct slg_twatch *b = new_watch(test, 11, SLG_TW_PID);
	struct slg_task_id t = { .tgid = 77, .comm = "sshd" };
	struct slg_ptrset *s1, *s2, *s3;
	struct slg_twatch *removed;

	strscpy(a->comm, "sshd", sizeof(a->comm));
	b->pid = 77;
	KUNIT_EXPECT_NULL(test, slg_twatch_first(NULL, &t));
	s1 = slg_ptrset_add(NULL, a);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	s2 = slg_ptrset_add(s1, b);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_EQ(test, s2->n, 2U);
	/* the first watch added wins */
	KUNIT_EXPECT_PTR_EQ(test, slg_twatch_first(s2, &t), a);
	KUNIT_EXPECT_PTR_EQ(test, slg_twatchset_find(s2, 11), b);
	s3 = slg_twatchset_del(s2, 10, &removed);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s3));
	KUNIT_EXPECT_PTR_EQ(test, removed, a);
	KUNIT_EXPECT_PTR_EQ(test, slg_twatch_first(s3, &t), b);
	KUNIT_EXPECT_EQ(test, PTR_ERR(slg_twatchset_del(s3, 10, &removed)),
			-ENOENT);
	kfree(s1);
	kfree(s2);
	kfree(s3);
}

/*
 * GET_SYSTEM's reply is sized for the CPUs it lists: the system figures
 * and one nest per CPU fit in slg_sched_system_size() of that many CPUs
 * and it wastes little, for a laptop and for a 1024-CPU server alike;
 * the one NLMSG_GOODSIZE skb it used to have holds about 120.
 */
static void system_reply_size(struct kunit *test)
{
	static const unsigned int ncpus[] = { 1, 2, 64, 128, 1024 };
	unsigned int i, j, fit = 0, online = num_online_cpus();
	struct sk_buff *skb;
	void *hdr;
	int err;

	KUNIT_ASSERT_TRUE(test, slg_sched_running());
	for (i = 0; i < ARRAY_SIZE(ncpus); i++) {
		size_t size = slg_sched_system_size(ncpus[i]);

		if (ncpus[i] < online)
			continue;
		skb = genlmsg_new(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		hdr = genlmsg_put(skb, 0, 0, &slg_genl_family, 0,
				  SLAGUARD_CMD_GET_SYSTEM);
		KUNIT_ASSERT_NOT_NULL(test, hdr);
		mutex_lock(&slg_tw_mutex);
		err = slg_sched_fill_system(skb);
		mutex_unlock(&slg_tw_mutex);
		/* the other CPUs' nests, as CPU 0's */
		for (j = online; !err && j < ncpus[i]; j++)
			err = slg_sched_fill_cpu(skb, 0);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "%u CPUs do not fit",
				    ncpus[i]);
		KUNIT_EXPECT_LE_MSG(test, skb->len - nlmsg_total_size(GENL_HDRLEN),
				    size, "%u CPUs", ncpus[i]);
		/* room for the pads 64-bit values may need, no more */
		KUNIT_EXPECT_LE_MSG(test, size, skb->len + skb->len / 8,
				    "%u CPUs", ncpus[i]);
		nlmsg_free(skb);
	}
	KUNIT_EXPECT_GT(test, slg_sched_system_size(128), (size_t)NLMSG_GOODSIZE);

	/* What one NLMSG_GOODSIZE reply, as before, held. */
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	hdr = genlmsg_put(skb, 0, 0, &slg_genl_family, 0,
			  SLAGUARD_CMD_GET_SYSTEM);
	KUNIT_ASSERT_NOT_NULL(test, hdr);
	mutex_lock(&slg_tw_mutex);
	err = slg_sched_fill_system(skb);
	mutex_unlock(&slg_tw_mutex);
	if (!err)
		fit = online;
	while (!err && fit < 4096) {
		err = slg_sched_fill_cpu(skb, 0);
		if (!err)
			fit++;
	}
	kunit_info(test, "one NLMSG_GOODSIZE reply holds %u CPUs, %zu bytes each\n",
		   fit, slg_sched_system_size(1) - slg_sched_system_size(0));
	KUNIT_EXPECT_LT(test, fit, 128U);
	nlmsg_free(skb);
}

/* A tracked entry keyed by a made-up struct pid address, never followed. */
static struct slg_tracked *fake_tracked(struct kunit *test,
					struct hlist_head *bkt, pid_t tgid)
{
	struct slg_tracked *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	/* keys out of order with the list, which hlist_add_head reverses */
	e->pid = (struct pid *)(0x10000UL + ((tgid * 37UL) % 101) * 64);
	e->tgid = tgid;
	e->watch_id = 1;
	hlist_add_head(&e->node, bkt);
	return e;
}

/* Dump tbl in batches of batch; seen[tgid] counts each report. */
static void dump_all(struct kunit *test, const struct hlist_head *tbl,
		     unsigned long nbkt, struct slg_tasks_cursor *cur,
		     unsigned int batch, unsigned int *seen, unsigned int nseen)
{
	struct slg_tracked_info out[4];
	unsigned int i, n;

	KUNIT_ASSERT_LE(test, batch, (unsigned int)ARRAY_SIZE(out));
	do {
		n = slg_tracked_collect(tbl, nbkt, cur, out, batch);
		KUNIT_ASSERT_LE(test, n, batch);
		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_LT(test, (unsigned int)out[i].tgid, nseen);
			seen[out[i].tgid]++;
		}
	} while (n == batch);
	KUNIT_EXPECT_EQ(test, cur->bkt, nbkt);
}

/*
 * GET_TASKS copies the tracked set a few entries at a time under the lock
 * and fills the reply outside it: across batches (and dump calls) every
 * entry comes once, in key order within a bucket, and the end shows.
 */
static void tasks_dump_batches(struct kunit *test)
{
	struct hlist_head tbl[3] = {};
	struct slg_tasks_cursor cur = {};
	struct slg_tracked_info out[4];
	unsigned int seen[20] = {}, i, n;
	unsigned long prev_bkt = 0, prev_key = 0;

	for (i = 1; i < 20; i++)
		fake_tracked(test, &tbl[i % 2 ? 0 : 2], i);	/* tbl[1] empty */

	/* in order: buckets ascending, keys ascending inside one */
	while ((n = slg_tracked_collect(tbl, 3, &cur, out, 4)) > 0) {
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_TRUE(test, out[i].at.bkt > prev_bkt ||
					  (out[i].at.bkt == prev_bkt &&
					   out[i].at.key > prev_key));
			prev_bkt = out[i].at.bkt;
			prev_key = out[i].at.key;
			KUNIT_EXPECT_EQ(test, out[i].watch_id, 1U);
			KUNIT_EXPECT_FALSE(test, out[i].has_sample);
			seen[out[i].tgid]++;
		}
		if (n < 4)
			break;
	}
	for (i = 1; i < 20; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 1U, "tgid %u", i);
	/* the end stays the end */
	KUNIT_EXPECT_EQ(test, slg_tracked_collect(tbl, 3, &cur, out, 4), 0U);

	/* an empty table ends at once */
	memset(tbl, 0, sizeof(tbl));
	memset(&cur, 0, sizeof(cur));
	KUNIT_EXPECT_EQ(test, slg_tracked_collect(tbl, 3, &cur, out, 4), 0U);
	KUNIT_EXPECT_EQ(test, cur.bkt, 3UL);
}

/*
 * Between two dump calls processes come and go, and the entries of the
 * bucket the dump is in move: new ones go to the front of its list, ended
 * ones leave it. A cursor by position in the list would skip or repeat
 * entries then; by key, every entry there from the first call to the last
 * is reported exactly once, and none twice.
 */
static void tasks_dump_resumes_by_key(struct kunit *test)
{
	struct hlist_head tbl[1] = {};
	struct slg_tasks_cursor cur = {};
	struct slg_tracked_info out[4];
	struct slg_tracked *e[12];
	unsigned int seen[32] = {}, i, n;

	for (i = 1; i < 12; i++)
		e[i] = fake_tracked(test, &tbl[0], i);
	n = slg_tracked_collect(tbl, 1, &cur, out, 3);
	KUNIT_ASSERT_EQ(test, n, 3U);
	for (i = 0; i < n; i++)
		seen[out[i].tgid]++;

	/* two reported ones end (the cursor's own among them) */
	for (i = 1; i < 12; i++)
		if (e[i]->tgid == out[0].tgid || e[i]->tgid == out[2].tgid)
			hlist_del(&e[i]->node);
	/* and three new ones start */
	for (i = 20; i < 23; i++)
		fake_tracked(test, &tbl[0], i);

	dump_all(test, tbl, 1, &cur, 3, seen, ARRAY_SIZE(seen));
	for (i = 1; i < 12; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 1U,
				    "tgid %u, there all along", i);
	for (i = 20; i < 23; i++)
		KUNIT_EXPECT_LE_MSG(test, seen[i], 1U, "new tgid %u", i);
}

static struct kunit_case slaguard_sched_cases[] = {
	KUNIT_CASE(counter_delta),
	KUNIT_CASE(scale_per),
	KUNIT_CASE(task_delta_one_second),
	KUNIT_CASE(task_delta_period_change),
	KUNIT_CASE(task_delta_threads),
	KUNIT_CASE(task_delta_thread_exited),
	KUNIT_CASE(task_delta_no_time),
	KUNIT_CASE(cpu_high_consecutive),
	KUNIT_CASE(cpu_high_edges),
	KUNIT_CASE(holdoff),
	KUNIT_CASE(cpu_base_since),
	KUNIT_CASE(cgroup_period_sum),
	KUNIT_CASE(runnable_per_cpu),
	KUNIT_CASE(match_pid_comm),
	KUNIT_CASE(match_cgroup),
	KUNIT_CASE(watchset_first_add_del),
	KUNIT_CASE(cgroup_charge),
	KUNIT_CASE(system_reply_size),
	KUNIT_CASE(tasks_dump_batches),
	KUNIT_CASE(tasks_dump_resumes_by_key),
	{}
};

static struct kunit_suite slaguard_sched_suite = {
	.name = "slaguard_sched",
	.test_cases = slaguard_sched_cases,
};

kunit_test_suite(slaguard_sched_suite);
