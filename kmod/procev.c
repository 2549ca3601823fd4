// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - scheduler tracepoint probes: process lifecycle, counts and
 * PROC_EXEC / PROC_EXIT events.
 *
 * The scheduler's tracepoints are not exported to modules by name, so they
 * are looked up with for_each_kernel_tracepoint() and attached with
 * tracepoint_probe_register(), as out-of-tree tracers do; the tracepoint
 * headers still give each probe's prototype, which check_probe_types()
 * holds the probes to. The probes run in the traced task's context with
 * preemption disabled (probe_free in an RCU callback): they only count per
 * CPU, update the tracked set (taskwatch.c) and send events with atomic
 * allocations, and they never sleep.
 *
 * Process and thread counts and the number of runnable tasks are not
 * exported to modules either; they are counted here from a walk at load
 * plus what the probes see since. The run queues themselves are private
 * to the scheduler (and the helpers that name a run queue's CPU are not
 * exported on distribution kernels), so that count is for the whole
 * system; per CPU, the switch probe sums how long the tasks it switches to
 * waited, which gives the mean number of runnable tasks over a period.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/cgroup.h>
#include <trace/events/sched.h>
#include <trace/events/task.h>

#include "events.h"
#include "netlink.h"
#include "procev.h"
#include "taskwatch.h"

struct slg_sched_pcpu __percpu *slg_sched_pcpu;

/* What the walk at load counted; the probes count changes from there. */
static struct slg_sched_totals seed;

static struct slg_budget budget;	/* process events per second */
static atomic64_t suppressed;

/* Is anything watched at all? The probes' fast path. */
static bool watching(void)
{
	return rcu_access_pointer(slg_twatches) || slg_tracked_count();
}

static void proc_event(u32 kind, struct task_struct *p, u32 watch_id,
		       const char *filename, bool has_exit, u32 exit_code)
{
	char comm[TASK_COMM_LEN];
	struct slg_task_ev t = {
		.pid = p->tgid,
		.watch_id = watch_id,
		.comm = comm,
		.filename = filename,
		.has_exit = has_exit,
		.exit_code = exit_code,
	};
	struct slg_event ev = {
		.kind = kind,
		.netns_inum = init_net.ns.inum,
		.task = &t,
	};
	u32 limit;

	if (!genl_has_listeners(&slg_genl_family, &init_net, SLG_MCGRP_EVENTS))
		return;
	rcu_read_lock();
	limit = slg_thresholds_get(slg_pernet(&init_net))->proc_events;
	t.ppid = rcu_dereference(p->real_parent)->tgid;
	t.uid = from_kuid_munged(&init_user_ns, task_uid(p));
	rcu_read_unlock();
	if (!slg_budget_take(&budget, ktime_get_seconds(), limit)) {
		atomic64_inc(&suppressed);
		slg_stat_inc(slg_pernet(&init_net), events_suppressed);
		return;
	}
	/* comm can change under us (prctl); a torn name is still a name. */
	memcpy(comm, p->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	ev.time_ns = ktime_get_real_ns();
	slg_event_emit(&init_net, &ev, true);
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	const struct slg_ptrset *ws;
	struct slg_twatch *first = NULL;
	struct slg_task_id id;
	unsigned int i;

	this_cpu_inc(slg_sched_pcpu->threads);
	if (child->pid != child->tgid)
		return;		/* a thread: counted with its process */
	this_cpu_inc(slg_sched_pcpu->processes);
	this_cpu_inc(slg_sched_pcpu->forks);
	if (!rcu_access_pointer(slg_twatches))
		return;

	rcu_read_lock();
	ws = rcu_dereference(slg_twatches);
	slg_task_id_of(child, &id);
	for (i = 0; ws && i < ws->n; i++) {
		struct slg_twatch *w = ws->p[i];

		if (!slg_twatch_match(w, &id))
			continue;
		if (w->type == SLG_TW_CGROUP)
			atomic64_inc(&w->forks);
		if (!first)
			first = w;
	}
	if (first)
		slg_track(child, first->id, true, GFP_NOWAIT);
	rcu_read_unlock();
}

/*
 * p's process changed name or cgroup: it may start or stop being watched,
 * or be selected first by another watch. Returns that watch or NULL, and
 * in *was whether it was tracked before. Call under rcu_read_lock.
 */
static struct slg_twatch *retrack(struct task_struct *p, bool *was)
{
	struct slg_twatch *w;
	struct slg_task_id id;

	slg_task_id_of(p, &id);
	w = slg_twatch_first(rcu_dereference(slg_twatches), &id);
	*was = slg_is_tracked(task_tgid(p));
	if (w && *was)
		slg_retag(task_tgid(p), w->id);
	else if (w)
		slg_track(p, w->id, false, GFP_NOWAIT);
	else if (*was)
		slg_untrack(task_tgid(p), NULL);
	return w;
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct slg_twatch *w;
	bool was;

	if (!watching())
		return;
	rcu_read_lock();
	w = retrack(p, &was);
	if (w || was)
		proc_event(SLAGUARD_EVENT_PROC_EXEC, p, w ? w->id : 0,
			   bprm->filename, false, 0);
	rcu_read_unlock();
}

/*
 * Moved to another cgroup (cgroup.procs, or clone into a cgroup is seen by
 * probe_fork): only the thread group leader's cgroup counts for a process.
 */
static void probe_attach(void *data, struct cgroup *dst_cgrp,
			 const char *path, struct task_struct *task,
			 bool threadgroup)
{
	bool was;

	if (!watching())
		return;
	rcu_read_lock();
	retrack(task->group_leader, &was);
	rcu_read_unlock();
}

/* The CPU time an ended tracked process used since it was last read. */
static void charge_exit(struct task_struct *p, u64 base)
{
	struct slg_task_counters c;

	if (base == SLG_CPU_UNKNOWN)
		return;
	slg_task_counters_read(p, &c);
	slg_cgroup_charge(p, slg_cpu_since(base, c.cpu_ns));
}

/* The status of a process: its group exit's, else its last thread's. */
static u32 exit_status(const struct task_struct *p)
{
	const struct signal_struct *sig = p->signal;

	if (READ_ONCE(sig->flags) & SIGNAL_GROUP_EXIT)
		return READ_ONCE(sig->group_exit_code);
	return p->exit_code;
}

/*
 * Runs for every thread; the process ends with its last thread. The
 * thread that brings signal->live to 0 does so well before this
 * tracepoint, so several threads exiting together can all find it at 0
 * here: the one that untracks the process is the one that reports it, and
 * the others find it untracked. The process and thread counts drop when a
 * task is freed (probe_free), which happens once per task.
 */
static void probe_exit(void *data, struct task_struct *p)
{
	u64 base = SLG_CPU_UNKNOWN;
	struct slg_twatch *w;
	struct slg_task_id id;

	if (atomic_read(&p->signal->live) || !watching())
		return;
	if (!slg_untrack(task_tgid(p), &base))
		return;
	rcu_read_lock();
	charge_exit(p, base);
	slg_task_id_of(p, &id);
	w = slg_twatch_first(rcu_dereference(slg_twatches), &id);
	proc_event(SLAGUARD_EVENT_PROC_EXIT, p, w ? w->id : 0, NULL, true,
		   exit_status(p));
	rcu_read_unlock();
}

/*
 * Once per task, when it is freed (an RCU callback after it was reaped);
 * the leader goes last, or is the one an exec replaced (no longer leader).
 * Counted here rather than at exit, where threads can race each other.
 */
static void probe_free(void *data, struct task_struct *p)
{
	this_cpu_dec(slg_sched_pcpu->threads);
	if (thread_group_leader(p))
		this_cpu_dec(slg_sched_pcpu->processes);
}

/*
 * A thread is renamed (prctl(PR_SET_NAME), /proc/PID/comm, and exec just
 * before probe_exec): comm is the new name, p->comm still the old one.
 * The leader's name is the process's. Taking a watched name starts the
 * tracking; leaving one does not end it: a rename is no new program, and
 * must not be a way out of a watch (an exec is, see retrack()).
 */
static void probe_rename(void *data, struct task_struct *p, const char *comm)
{
	char name[TASK_COMM_LEN];
	struct slg_twatch *w;
	struct slg_task_id id;

	if (!rcu_access_pointer(slg_twatches) || !thread_group_leader(p))
		return;
	strscpy(name, comm, sizeof(name));	/* as the kernel cuts it */
	rcu_read_lock();
	slg_task_id_of(p, &id);
	id.comm = name;
	w = slg_twatch_first(rcu_dereference(slg_twatches), &id);
	if (w)
		slg_track(p, w->id, false, GFP_NOWAIT);
	rcu_read_unlock();
}

/*
 * The tracepoint comes before the scheduler's own accounting of next's
 * arrival, so next still carries the time it was queued (rq clock, which
 * is this CPU's sched_clock): its wait ends now, on this CPU.
 */
static void probe_switch(void *data, bool preempt, struct task_struct *prev,
			 struct task_struct *next, unsigned int prev_state)
{
#ifdef CONFIG_SCHED_INFO
	u64 queued = READ_ONCE(next->sched_info.last_queued), now;

	if (queued) {
		now = local_clock();
		if (now > queued)
			this_cpu_add(slg_sched_pcpu->wait_ns, now - queued);
	}
#endif
	this_cpu_inc(slg_sched_pcpu->ctxt);
	if (preempt || prev_state == TASK_RUNNING)
		this_cpu_inc(slg_sched_pcpu->preempted);
}

/* rq may be another CPU's: only the sum over CPUs means something. */
static void probe_nr_running(void *data, struct rq *rq, int change)
{
	this_cpu_add(slg_sched_pcpu->runnable, change);
}

/*
 * Each probe against its tracepoint's prototype, as the tracepoint headers
 * declare it: a kernel that changes one fails the build
 * (-Werror=incompatible-pointer-types) instead of calling the probe with
 * other arguments. Never called.
 */
static void __maybe_unused check_probe_types(void)
{
	check_trace_callback_type_sched_process_fork(probe_fork);
	check_trace_callback_type_sched_process_exec(probe_exec);
	check_trace_callback_type_sched_process_exit(probe_exit);
	check_trace_callback_type_sched_process_free(probe_free);
	check_trace_callback_type_sched_switch(probe_switch);
	check_trace_callback_type_sched_update_nr_running_tp(probe_nr_running);
	check_trace_callback_type_cgroup_attach_task(probe_attach);
	check_trace_callback_type_task_rename(probe_rename);
}

static struct slg_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} tps[] = {
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exec", probe_exec },
	{ "sched_process_exit", probe_exit },
	{ "sched_process_free", probe_free },
	{ "sched_switch", probe_switch },
	{ "sched_update_nr_running_tp", probe_nr_running },
	{ "cgroup_attach_task", probe_attach },
	{ "task_rename", probe_rename },
};

static void find_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (!tps[i].tp && strcmp(tp->name, tps[i].name) == 0)
			tps[i].tp = tp;
}

void slg_procev_totals(struct slg_sched_totals *t)
{
	int cpu;

	*t = seed;
	for_each_possible_cpu(cpu) {
		const struct slg_sched_pcpu *c = per_cpu_ptr(slg_sched_pcpu, cpu);

		t->runnable += READ_ONCE(c->runnable);
		t->threads += READ_ONCE(c->threads);
		t->processes += READ_ONCE(c->processes);
		t->forks += READ_ONCE(c->forks);
		t->ctxt += READ_ONCE(c->ctxt);
	}
	t->runnable = max_t(s64, t->runnable, 0);
	t->threads = max_t(s64, t->threads, 0);
	t->processes = max_t(s64, t->processes, 0);
}

u64 slg_procev_suppressed(void)
{
	return atomic64_read(&suppressed);
}

/* The one walk over every thread, at load, after the probes are on. */
static void count_tasks(void)
{
	struct task_struct *g, *t;

	memset(&seed, 0, sizeof(seed));
	rcu_read_lock();
	for_each_process_thread(g, t) {
		seed.threads++;
		if (t == g)
			seed.processes++;
		if (READ_ONCE(t->on_rq))
			seed.runnable++;
	}
	rcu_read_unlock();
}

static void unregister_all(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		if (!tps[i].registered)
			continue;
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
		tps[i].registered = false;
	}
	/* No probe still runs, or sends an event, when this returns. */
	tracepoint_synchronize_unregister();
}

int slg_procev_init(void)
{
	unsigned int i;
	int err;

	slg_sched_pcpu = alloc_percpu(struct slg_sched_pcpu);
	if (!slg_sched_pcpu)
		return -ENOMEM;
	for_each_kernel_tracepoint(find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		if (!tps[i].tp) {
			pr_err("tracepoint %s not found\n", tps[i].name);
			err = -ENOENT;
			goto err;
		}
		err = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
		if (err) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       tps[i].name, err);
			goto err;
		}
		tps[i].registered = true;
	}
	count_tasks();
	return 0;

err:
	unregister_all();
	free_percpu(slg_sched_pcpu);
	return err;
}

/* After the sampler stopped: it reads the counters freed here. */
void slg_procev_exit(void)
{
	unregister_all();
	free_percpu(slg_sched_pcpu);
	slg_sched_pcpu = NULL;
}
