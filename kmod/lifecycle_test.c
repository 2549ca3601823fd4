// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's lifecycle: what happens to events that cannot
 * be built, to processes that end, and to the system monitor when it stops.
 * The module is built in, so its sampler and tracepoint probes are running
 * while these tests do.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "netlink.h"
#include "procev.h"
#include "taskwatch.h"

/* ---- listeners ---- */

/* A socket in the initial namespace that joined the events group. */
static struct socket *join_events(struct kunit *test)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int grp = slg_genl_family.mcgrp_offset + SLG_MCGRP_EVENTS;
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW, NETLINK_GENERIC,
			       &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!err)
		err = sock->ops->setsockopt(sock, SOL_NETLINK,
					    NETLINK_ADD_MEMBERSHIP,
					    KERNEL_SOCKPTR(&grp), sizeof(grp));
	if (err)
		sock_release(sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_TRUE(test, genl_has_listeners(&slg_genl_family, &init_net,
						   SLG_MCGRP_EVENTS));
	return sock;
}

/* The sequence number of the next event waiting on sock, or 0. */
static u64 next_seq(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = {};
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct nlattr *ev, *seq;
	struct nlmsghdr *nlh = buf;
	int n;

	n = kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT);
	if (n < (int)NLMSG_HDRLEN || !nlmsg_ok(nlh, n))
		return 0;
	ev = nlmsg_find_attr(nlh, GENL_HDRLEN, SLAGUARD_A_EVENT);
	seq = ev ? nla_find_nested(ev, SLAGUARD_EV_SEQ) : NULL;
	return seq ? nla_get_u64(seq) : 0;
}

/* How many events of kind for process pid wait on sock (all are read). */
static int count_events(struct socket *sock, void *buf, size_t len, u32 kind,
			pid_t pid)
{
	struct msghdr msg = {};
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct nlattr *ev, *a, *t;
	struct nlmsghdr *nlh;
	int n, rem, found = 0;

	while ((n = kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT)) > 0) {
		nlmsg_for_each_msg(nlh, (struct nlmsghdr *)buf, n, rem) {
			ev = nlmsg_find_attr(nlh, GENL_HDRLEN, SLAGUARD_A_EVENT);
			a = ev ? nla_find_nested(ev, SLAGUARD_EV_KIND) : NULL;
			t = ev ? nla_find_nested(ev, SLAGUARD_EV_TASK) : NULL;
			t = t ? nla_find_nested(t, SLAGUARD_TASK_PID) : NULL;
			if (a && t && nla_get_u32(a) == kind &&
			    nla_get_u32(t) == pid)
				found++;
		}
	}
	return found;
}

static u64 events_lost(void)
{
	struct slg_pcpu_stats sum;

	slg_stats_sum(&sum);
	return sum.events_lost;
}

/*
 * An event whose message cannot be allocated (a file name longer than any
 * allocation: GFP_ATOMIC fails quietly) still takes its sequence number,
 * so listeners see the gap the UAPI promises for every loss; single events
 * and batched ones alike.
 */
static void lost_event_leaves_gap(struct kunit *test)
{
	const size_t huge = 8 << 20;
	struct slg_net *sn = slg_pernet(&init_net);
	struct slg_task_ev t = { .pid = 1, .comm = "slg-test" };
	struct slg_event ev = {
		.kind = SLAGUARD_EVENT_PROC_EXEC,
		.netns_inum = init_net.ns.inum,
		.task = &t,
	};
	struct slg_evbatch b = { .net = &init_net };
	struct socket *sock;
	u64 seq, lost;
	char *name;
	void *buf;

	name = vmalloc(huge);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'a', huge - 1);
	name[huge - 1] = '\0';
	buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	sock = join_events(test);

	seq = atomic64_read(&sn->seq);
	lost = events_lost();
	t.filename = name;
	slg_event_emit(&init_net, &ev, true);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&sn->seq), seq + 1,
			    "a single event lost without a number");
	slg_evbatch_add(&b, &ev);
	slg_evbatch_flush(&b);
	KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&sn->seq), seq + 2,
			    "a batched event lost without a number");
	KUNIT_EXPECT_EQ(test, events_lost(), lost + 2);

	/* The next event arrives numbered after the gap. */
	t.filename = "/bin/true";
	slg_event_emit(&init_net, &ev, true);
	KUNIT_EXPECT_EQ(test, next_seq(sock, buf, 8192), seq + 3);

	sock_release(sock);
	vfree(name);
}

/* ---- processes that end ---- */

#define TEST_WATCH	0x5a5a0001

static int exit_at_once(void *arg)
{
	return 0;
}

struct waiter {
	struct completion go;
};

static int wait_then_exit(void *arg)
{
	struct waiter *w = arg;

	wait_for_completion(&w->go);
	kthread_exit(0);
}

/* A kernel thread of its own thread group with pid number nr. */
static struct task_struct *start_with_pid(pid_t nr, struct waiter *w)
{
	pid_t tid = nr;
	struct kernel_clone_args args = {
		.flags = CLONE_FS | CLONE_FILES | CLONE_VM | CLONE_UNTRACED,
		.exit_signal = SIGCHLD,	/* reaped at once: kthreads ignore it */
		.fn = wait_then_exit,
		.fn_arg = w,
		.kthread = 1,
		.set_tid = &tid,
		.set_tid_size = 1,
	};
	pid_t pid = -EEXIST;
	int i;

	/* The number is free once the old task's pid was released. */
	for (i = 0; i < 100 && pid == -EEXIST; i++) {
		pid = kernel_clone(&args);
		if (pid == -EEXIST)
			msleep(20);
	}
	if (pid <= 0)
		return NULL;
	return find_get_task_by_vpid(pid);
}

static bool sampled(pid_t tgid)
{
	static struct slg_tracked *arr[64];
	unsigned int i, n;
	bool ret = false;

	n = slg_tracked_snapshot(arr, ARRAY_SIZE(arr));
	for (i = 0; i < n; i++) {
		if (arr[i]->tgid == tgid && arr[i]->has_prev)
			ret = true;
		slg_tracked_put(arr[i]);
	}
	return ret;
}

static void set_period(u32 ms)
{
	mutex_lock(&slg_tw_mutex);
	slg_sched_set_period(ms);
	mutex_unlock(&slg_tw_mutex);
}

static bool wait_count(unsigned int want)
{
	int i;

	for (i = 0; i < 100 && slg_tracked_count() != want; i++)
		msleep(20);
	return slg_tracked_count() == want;
}

/*
 * A process tracked as it ends (a watch seeded while it exits, after its
 * exit probe ran) must not stay tracked, and the next process given its
 * pid number is a process of its own: trackable, and sampled.
 */
static void ended_process_not_kept(struct kunit *test)
{
	unsigned int base = slg_tracked_count();
	u32 period = slg_sched_period_ms();
	struct task_struct *gone, *next;
	struct waiter w;
	pid_t nr;
	int i;

	gone = kthread_create(exit_at_once, NULL, "slg-gone");
	KUNIT_ASSERT_FALSE(test, IS_ERR(gone));
	get_task_struct(gone);
	nr = task_pid_nr(gone);
	wake_up_process(gone);
	for (i = 0; i < 100 && pid_alive(gone); i++)
		msleep(20);
	KUNIT_ASSERT_FALSE_MSG(test, pid_alive(gone), "pid %d not released",
			       nr);
	slg_track(gone, TEST_WATCH, false, GFP_KERNEL);
	put_task_struct(gone);

	init_completion(&w.go);
	next = start_with_pid(nr, &w);
	KUNIT_ASSERT_NOT_NULL_MSG(test, next, "cannot start a task as pid %d",
				  nr);
	KUNIT_EXPECT_EQ_MSG(test, slg_track(next, TEST_WATCH, false,
					    GFP_KERNEL), 0,
			    "a new process with pid %d looks tracked", nr);

	set_period(SLAGUARD_PERIOD_MS_MIN);
	msleep(4 * SLAGUARD_PERIOD_MS_MIN);
	KUNIT_EXPECT_EQ_MSG(test, slg_tracked_count(), base + 1,
			    "only the live process is tracked");
	KUNIT_EXPECT_TRUE_MSG(test, sampled(nr),
			      "the new process with pid %d is not sampled", nr);

	complete(&w.go);
	put_task_struct(next);
	KUNIT_EXPECT_TRUE_MSG(test, wait_count(base),
			      "%u processes tracked after both ended, not %u",
			      slg_tracked_count(), base);
	set_period(period);
}

#define GROUP_THREADS	4

struct group {
	struct completion go;
	atomic_t running;
	pid_t tids[GROUP_THREADS];
};

static int group_member(void *arg)
{
	struct group *g = arg;

	atomic_inc(&g->running);
	wait_for_completion(&g->go);
	kthread_exit(0);
}

static int group_leader(void *arg)
{
	struct group *g = arg;
	int i;

	for (i = 0; i < GROUP_THREADS; i++)
		g->tids[i] = kernel_thread(group_member, g, CLONE_THREAD |
					   CLONE_SIGHAND | CLONE_FS |
					   CLONE_FILES);
	return group_member(g);
}

/*
 * A process whose threads all end at once ends once: one PROC_EXIT, one
 * process less, and it is no longer tracked. Every thread is held after
 * it decremented signal->live and before its exit tracepoint (on its
 * futex_exit_mutex, which do_exit() takes in between), so that all of
 * them reach the tracepoint with live at 0, as threads exiting together on
 * several CPUs can.
 */
static void group_exits_once(struct kunit *test)
{
	struct kernel_clone_args args = {
		.flags = CLONE_FS | CLONE_FILES | CLONE_VM | CLONE_UNTRACED,
		.exit_signal = SIGCHLD,
		.fn = group_leader,
		.kthread = 1,
	};
	struct task_struct *tasks[GROUP_THREADS + 1] = {};
	unsigned int base = slg_tracked_count();
	struct slg_ptrset *ws, *saved;
	struct slg_sched_totals before, after;
	struct slg_twatch *w;
	struct socket *sock;
	struct group g;
	s64 processes;
	void *buf;
	pid_t pid;
	int i;

	buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&g.go);
	atomic_set(&g.running, 0);
	args.fn_arg = &g;
	sock = join_events(test);
	rcu_barrier();		/* tasks freed before: counted already */
	slg_procev_totals(&before);
	pid = kernel_clone(&args);
	KUNIT_ASSERT_GT(test, pid, 0);
	for (i = 0; i < 100 && atomic_read(&g.running) < GROUP_THREADS + 1; i++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, atomic_read(&g.running), GROUP_THREADS + 1);
	tasks[0] = find_get_task_by_vpid(pid);
	for (i = 0; i < GROUP_THREADS; i++)
		tasks[i + 1] = find_get_task_by_vpid(g.tids[i]);
	for (i = 0; i <= GROUP_THREADS; i++)
		KUNIT_ASSERT_NOT_NULL(test, tasks[i]);
	KUNIT_EXPECT_EQ(test, get_nr_threads(tasks[0]), GROUP_THREADS + 1);

	/* Watched by pid, as a watch published for the test's length. */
	w->id = TEST_WATCH;
	w->type = SLG_TW_PID;
	w->pid = pid;
	mutex_lock(&slg_tw_mutex);
	saved = rcu_dereference_protected(slg_twatches,
					  lockdep_is_held(&slg_tw_mutex));
	ws = slg_ptrset_add(saved, w);
	if (ws)
		rcu_assign_pointer(slg_twatches, ws);
	mutex_unlock(&slg_tw_mutex);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	KUNIT_EXPECT_EQ(test, slg_track(tasks[0], TEST_WATCH, false,
					GFP_KERNEL), 0);

	for (i = 0; i <= GROUP_THREADS; i++)
		mutex_lock_nested(&tasks[i]->futex_exit_mutex, i);
	complete_all(&g.go);
	for (i = 0; i < 100 && atomic_read(&tasks[0]->signal->live); i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&tasks[0]->signal->live), 0);
	for (i = GROUP_THREADS; i >= 0; i--)
		mutex_unlock(&tasks[i]->futex_exit_mutex);
	for (i = 0; i <= GROUP_THREADS; i++)
		put_task_struct(tasks[i]);

	KUNIT_EXPECT_TRUE(test, wait_count(base));
	msleep(100);
	rcu_barrier();		/* the group's tasks freed */
	slg_procev_totals(&after);
	KUNIT_EXPECT_EQ(test, count_events(sock, buf, 8192,
					   SLAGUARD_EVENT_PROC_EXIT, pid), 1);
	/* Give or take one other process of the test kernel. */
	processes = after.processes - before.processes;
	KUNIT_EXPECT_GE(test, processes, -1LL);
	KUNIT_EXPECT_LE(test, processes, 1LL);

	mutex_lock(&slg_tw_mutex);
	rcu_assign_pointer(slg_twatches, saved);
	mutex_unlock(&slg_tw_mutex);
	synchronize_rcu();
	kfree(ws);
	sock_release(sock);
}

/* ---- the system monitor stopping ---- */

/*
 * The system monitor stops and starts again, over and over, while its
 * sampler runs every period with a process to sample: its teardown must
 * leave no sampler pass running on what it frees (run.sh --debug runs
 * this under KASAN), and it runs again afterwards.
 */
static void monitor_restarts(struct kunit *test)
{
	u32 period = slg_sched_period_ms();
	struct task_struct *t;
	struct waiter w;
	int i;

	init_completion(&w.go);
	t = kthread_run(wait_then_exit, &w, "slg-sampled");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	get_task_struct(t);
	set_period(SLAGUARD_PERIOD_MS_MIN);
	for (i = 0; i < 20; i++) {
		KUNIT_EXPECT_EQ(test, slg_track(t, TEST_WATCH, true, GFP_KERNEL),
				0);
		msleep((i % 4) * SLAGUARD_PERIOD_MS_MIN / 2);
		slg_sched_exit();
		KUNIT_EXPECT_FALSE(test, slg_sched_running());
		KUNIT_ASSERT_EQ(test, slg_sched_init(), 0);
	}
	KUNIT_EXPECT_TRUE(test, slg_sched_running());
	KUNIT_EXPECT_EQ(test, slg_tracked_count(), 0U);
	complete(&w.go);
	put_task_struct(t);
	set_period(period);
}

static struct kunit_case slaguard_lifecycle_cases[] = {
	KUNIT_CASE(lost_event_leaves_gap),
	KUNIT_CASE(ended_process_not_kept),
	KUNIT_CASE(group_exits_once),
	KUNIT_CASE(monitor_restarts),
	{}
};

static struct kunit_suite slaguard_lifecycle_suite = {
	.name = "slaguard_lifecycle",
	.test_cases = slaguard_lifecycle_cases,
};

kunit_test_suite(slaguard_lifecycle_suite);
