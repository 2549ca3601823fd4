// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - the system monitoring agent: a periodic sampler of the system
 * and of the watched processes, and the detectors over its samples.
 *
 * The sampler is a delayed work. Each pass reads the CPUs' busy time
 * (kcpustat), the load averages and the probes' counters (procev.c), then
 * the processes of the tracked set (taskwatch.c) - never every task of the
 * system: a pass costs time in proportion to the watched processes. Per
 * process it holds RCU only while summing its threads' counters, takes a
 * task reference to read the memory size (mmput() may sleep), and keeps
 * the previous counters to turn them into per-period figures. Rates use
 * the time actually elapsed between two reads, so a late pass or a period
 * change gives no wrong figure.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/kernel_stat.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched/loadavg.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "events.h"
#include "procev.h"
#include "taskwatch.h"

static unsigned int sched_period_ms = 1000;
module_param(sched_period_ms, uint, 0644);
MODULE_PARM_DESC(sched_period_ms, "Sampling period of the system monitor in ms (100-60000, default 1000)");

static unsigned int max_tasks = 4096;
module_param(max_tasks, uint, 0444);
MODULE_PARM_DESC(max_tasks, "Maximum number of watched processes sampled (default 4096)");

/* ---- arithmetic ---- */

/*
 * Growth of a monotonic counter. The counters read here are 64-bit
 * nanoseconds or event counts that do not wrap in practice (584 years of
 * CPU time), so one that went back restarted (e.g. a thread's share left
 * with it): no growth is reported for that period, never a huge one.
 */
bool slg_counter_delta(u64 prev, u64 cur, u64 *delta)
{
	if (cur < prev) {
		*delta = 0;
		return false;
	}
	*delta = cur - prev;
	return true;
}

/* delta * scale / elapsed_ns without overflowing; 0 if no time passed. */
u64 slg_scale_per(u64 delta, u64 scale, u64 elapsed_ns)
{
	if (!elapsed_ns)
		return 0;
	if (!scale || delta <= U64_MAX / scale)
		return div64_u64(delta * scale, elapsed_ns);
	return div64_u64(delta, max_t(u64, div64_u64(elapsed_ns, scale), 1));
}

/*
 * The per-period figures of s from two readings of one process. Returns
 * false when no time passed between them (no figure can be made).
 */
bool slg_task_delta(const struct slg_task_counters *prev,
		    const struct slg_task_counters *cur,
		    struct slg_task_sample *s)
{
	u64 elapsed, cpu, delay, nv, niv;

	if (!slg_counter_delta(prev->time_ns, cur->time_ns, &elapsed) ||
	    !elapsed)
		return false;
	slg_counter_delta(prev->cpu_ns, cur->cpu_ns, &cpu);
	slg_counter_delta(prev->run_delay_ns, cur->run_delay_ns, &delay);
	slg_counter_delta(prev->nvcsw, cur->nvcsw, &nv);
	slg_counter_delta(prev->nivcsw, cur->nivcsw, &niv);

	s->period_ms = min_t(u64, div64_u64(elapsed, NSEC_PER_MSEC), U32_MAX);
	s->cpu_pct = min_t(u64, slg_scale_per(cpu, 10000, elapsed), U32_MAX);
	s->run_delay_ms = min_t(u64, slg_scale_per(delay, MSEC_PER_SEC, elapsed),
				U32_MAX);
	s->csw_rate = slg_scale_per(nv + niv, NSEC_PER_SEC, elapsed);
	s->cpu_ns = cur->cpu_ns;
	s->run_delay_ns = cur->run_delay_ns;
	s->nvcsw = cur->nvcsw;
	s->nivcsw = cur->nivcsw;
	return true;
}

/*
 * One sample for CPU_HIGH: *run counts consecutive samples at or above
 * thr_pct (0: off); true once it reaches need (at least 1).
 */
bool slg_cpu_high_step(u32 *run, u32 pct, u32 thr_pct, u32 need)
{
	if (!thr_pct || pct < thr_pct) {
		*run = 0;
		return false;
	}
	if (*run < U32_MAX)
		(*run)++;
	return *run >= max_t(u32, need, 1);
}

/* The network detectors' hold-off: 0 = never reported. */
bool slg_holdoff_ok(u64 *last_ms, u64 now_ms, u32 holdoff_ms)
{
	u64 last = *last_ms;

	if (last && now_ms >= last && now_ms - last < holdoff_ms)
		return false;
	*last_ms = now_ms ? now_ms : 1;
	return true;
}

/*
 * The CPU time already accounted for a tracked process: what the sampler
 * read last, 0 for one tracked since fork and not read yet (all of it is
 * new), or SLG_CPU_UNKNOWN for one tracked later (its past is not this
 * period's).
 */
u64 slg_cpu_base(bool has_prev, u64 prev_cpu_ns, bool from_birth)
{
	if (has_prev)
		return prev_cpu_ns;
	return from_birth ? 0 : SLG_CPU_UNKNOWN;
}

/* CPU time used since base, for a cgroup's sum. */
u64 slg_cpu_since(u64 base, u64 cpu_ns)
{
	u64 d;

	if (base == SLG_CPU_UNKNOWN)
		return 0;
	slg_counter_delta(base, cpu_ns, &d);
	return d;
}

/*
 * Mean runnable tasks of a CPU x 100 over a period: the one running while
 * it was busy (hundredths of %) plus those waiting (ms waited per second).
 */
u32 slg_runnable_x100(u32 busy_pct, u32 wait_ms)
{
	return min_t(u64, (u64)min_t(u32, busy_pct, 10000) / 100 + wait_ms / 10,
		     U32_MAX);
}

/* ---- system ---- */

struct cpu_state {
	u64 busy_ns;
	u64 ctxt;
	u64 preempted;
	u64 wait_ns;
	u32 busy_pct;
	u32 wait_ms;
	u32 runnable;
	u64 ctxt_rate;
	u64 preempt_rate;
};

static struct {
	bool has_prev;
	u64 time_ns;
	u64 forks;
	u64 ctxt;
	u64 fork_rate;
	u64 ctxt_rate;
	u32 busy_pct;
	u64 passes;
	u64 pass_ns;
	u64 pass_ns_max;
} sys;

static struct cpu_state *cpus;		/* nr_cpu_ids */
static DEFINE_SPINLOCK(sys_lock);	/* sys and cpus, for readers */
static struct slg_tracked **snap;	/* max_tasks, the sampler's own */
static bool running;			/* under slg_tw_mutex */
static bool disabled;			/* no tracepoints: never started */

static struct delayed_work sample_work;

u32 slg_sched_period_ms(void)
{
	return clamp_t(u32, READ_ONCE(sched_period_ms), SLAGUARD_PERIOD_MS_MIN,
		       SLAGUARD_PERIOD_MS_MAX);
}

/* Call with slg_tw_mutex held. */
void slg_sched_set_period(u32 ms)
{
	WRITE_ONCE(sched_period_ms, ms);
	if (running)
		mod_delayed_work(system_unbound_wq, &sample_work,
				 msecs_to_jiffies(ms));
}

static u64 cpu_busy_ns(int cpu)
{
	struct kernel_cpustat kcs;
	const u64 *c = kcs.cpustat;

	kcpustat_cpu_fetch(&kcs, cpu);
	return c[CPUTIME_USER] + c[CPUTIME_NICE] + c[CPUTIME_SYSTEM] +
	       c[CPUTIME_IRQ] + c[CPUTIME_SOFTIRQ] + c[CPUTIME_STEAL];
}

static void sample_system(void)
{
	struct slg_sched_totals tot;
	u64 now = ktime_get_ns(), elapsed = 0, d, busy_sum = 0;
	unsigned int ncpu = 0;
	int cpu;

	slg_procev_totals(&tot);
	spin_lock(&sys_lock);
	if (sys.has_prev)
		elapsed = now - sys.time_ns;
	for_each_possible_cpu(cpu) {
		const struct slg_sched_pcpu *pc = per_cpu_ptr(slg_sched_pcpu, cpu);
		struct cpu_state *c = &cpus[cpu];
		u64 busy = cpu_busy_ns(cpu);
		u64 ctxt = READ_ONCE(pc->ctxt);
		u64 pre = READ_ONCE(pc->preempted);
		u64 wait = READ_ONCE(pc->wait_ns);

		if (elapsed) {
			slg_counter_delta(c->busy_ns, busy, &d);
			c->busy_pct = min_t(u64, slg_scale_per(d, 10000, elapsed),
					    10000);
			slg_counter_delta(c->ctxt, ctxt, &d);
			c->ctxt_rate = slg_scale_per(d, NSEC_PER_SEC, elapsed);
			slg_counter_delta(c->preempted, pre, &d);
			c->preempt_rate = slg_scale_per(d, NSEC_PER_SEC, elapsed);
			slg_counter_delta(c->wait_ns, wait, &d);
			c->wait_ms = min_t(u64, slg_scale_per(d, MSEC_PER_SEC,
							      elapsed), U32_MAX);
			c->runnable = slg_runnable_x100(c->busy_pct, c->wait_ms);
		}
		c->busy_ns = busy;
		c->ctxt = ctxt;
		c->preempted = pre;
		c->wait_ns = wait;
		if (cpu_online(cpu)) {
			busy_sum += c->busy_pct;
			ncpu++;
		}
	}
	if (elapsed) {
		slg_counter_delta(sys.forks, tot.forks, &d);
		sys.fork_rate = slg_scale_per(d, NSEC_PER_SEC, elapsed);
		slg_counter_delta(sys.ctxt, tot.ctxt, &d);
		sys.ctxt_rate = slg_scale_per(d, NSEC_PER_SEC, elapsed);
		sys.busy_pct = ncpu ? div_u64(busy_sum, ncpu) : 0;
	}
	sys.forks = tot.forks;
	sys.ctxt = tot.ctxt;
	sys.time_ns = now;
	sys.has_prev = true;
	spin_unlock(&sys_lock);
}

/* ---- watched processes ---- */

struct thr_copy {
	u32 holdoff_ms;
	u32 cpu_pct;
	u32 cpu_samples;
	u32 runq_delay_ms;
	u32 fork_rate;
	u64 mem_rss;
};

static void thresholds(struct thr_copy *c)
{
	const struct slg_thresholds *t;

	rcu_read_lock();
	t = slg_thresholds_get(slg_pernet(&init_net));
	c->holdoff_ms = t->holdoff_ms;
	c->cpu_pct = t->cpu_pct;
	c->cpu_samples = t->cpu_samples;
	c->runq_delay_ms = t->runq_delay_ms;
	c->fork_rate = t->fork_rate;
	c->mem_rss = t->mem_rss;
	rcu_read_unlock();
}

struct task_alarm {
	u32 kind;
	u64 value;
	u64 threshold;
};

static void emit(struct slg_evbatch *b, u32 kind, const struct slg_task_ev *t,
		 u64 value, u64 threshold)
{
	struct slg_event ev = {
		.kind = kind,
		.netns_inum = init_net.ns.inum,
		.time_ns = ktime_get_real_ns(),
		.value = value,
		.threshold = threshold,
		.task = t,
	};

	slg_evbatch_add(b, &ev);
}

static u64 run_delay_ns(const struct task_struct *t)
{
#ifdef CONFIG_SCHED_INFO
	return READ_ONCE(t->sched_info.run_delay);
#else
	return 0;
#endif
}

/*
 * The counters of p's process: its live threads plus what its ended
 * threads left in the signal struct. Call under rcu_read_lock.
 */
void slg_task_counters_read(struct task_struct *p, struct slg_task_counters *c)
{
	struct signal_struct *sig = p->signal;
	struct task_struct *t;

	memset(c, 0, sizeof(*c));
	for_each_thread(p, t) {
		c->cpu_ns += READ_ONCE(t->se.sum_exec_runtime);
		c->run_delay_ns += run_delay_ns(t);
		c->nvcsw += READ_ONCE(t->nvcsw);
		c->nivcsw += READ_ONCE(t->nivcsw);
	}
	c->cpu_ns += READ_ONCE(sig->sum_sched_runtime);
	c->nvcsw += READ_ONCE(sig->nvcsw);
	c->nivcsw += READ_ONCE(sig->nivcsw);
	c->time_ns = ktime_get_ns();
}

/*
 * Read one process's counters and figures. Returns it with a reference
 * for the caller, or NULL if it is gone.
 */
static struct task_struct *read_task(struct slg_tracked *e,
				     struct slg_task_counters *c,
				     struct slg_task_sample *s)
{
	struct task_struct *p;
	struct mm_struct *mm;

	rcu_read_lock();
	p = pid_task(e->pid, PIDTYPE_TGID);
	if (!p) {
		rcu_read_unlock();
		return NULL;
	}
	slg_task_counters_read(p, c);
	s->pid = p->tgid;
	s->ppid = rcu_dereference(p->real_parent)->tgid;
	s->uid = from_kuid_munged(&init_user_ns, task_uid(p));
	s->threads = get_nr_threads(p);
	memcpy(s->comm, p->comm, sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = '\0';
	get_task_struct(p);
	rcu_read_unlock();

	/* May sleep: outside RCU, with the task held. */
	mm = get_task_mm(p);
	if (mm) {
		s->rss = (u64)get_mm_rss(mm) << PAGE_SHIFT;
		mmput(mm);
	}
	return p;
}

static int detect(struct slg_tracked *e, const struct slg_task_sample *s,
		  const struct thr_copy *thr, u64 now_ms,
		  struct task_alarm a[SLG_NR_TASK_ALARMS])
{
	int n = 0;

	if (slg_cpu_high_step(&e->cpu_run, s->cpu_pct / 100, thr->cpu_pct,
			      thr->cpu_samples) &&
	    slg_holdoff_ok(&e->holdoff_ms[SLG_TA_CPU], now_ms, thr->holdoff_ms))
		a[n++] = (struct task_alarm){ SLAGUARD_EVENT_CPU_HIGH,
					      s->cpu_pct / 100, thr->cpu_pct };
	if (thr->runq_delay_ms && s->run_delay_ms >= thr->runq_delay_ms &&
	    slg_holdoff_ok(&e->holdoff_ms[SLG_TA_RUNQ], now_ms, thr->holdoff_ms))
		a[n++] = (struct task_alarm){ SLAGUARD_EVENT_RUNQ_DELAY,
					      s->run_delay_ms,
					      thr->runq_delay_ms };
	if (thr->mem_rss && s->rss >= thr->mem_rss &&
	    slg_holdoff_ok(&e->holdoff_ms[SLG_TA_MEM], now_ms, thr->holdoff_ms))
		a[n++] = (struct task_alarm){ SLAGUARD_EVENT_MEM_HIGH, s->rss,
					      thr->mem_rss };
	return n;
}

static void sample_task(struct slg_tracked *e, const struct thr_copy *thr,
			u64 now_ms, struct slg_evbatch *b)
{
	struct task_alarm a[SLG_NR_TASK_ALARMS];
	struct slg_task_counters cur;
	struct slg_task_sample s = {};
	struct task_struct *p;
	struct slg_task_ev t;
	u64 charge = 0;
	bool have;
	int i, n = 0;

	p = read_task(e, &cur, &s);
	if (!p) {
		/*
		 * Reaped, so past its exit probe, which untracks it and
		 * charges its cgroups: an entry still linked was missed.
		 * (Not earlier: between signal->live reaching 0 and that
		 * probe, dropping it would lose the charge and PROC_EXIT.)
		 */
		slg_tracked_drop(e);
		return;
	}

	spin_lock(&slg_tasks_lock);
	/* Once untracked, its exit (procev.c) charged its cgroups. */
	if (e->linked)
		charge = slg_cpu_since(slg_cpu_base(e->has_prev, e->prev.cpu_ns,
						    e->from_birth), cur.cpu_ns);
	have = e->has_prev && slg_task_delta(&e->prev, &cur, &s);
	e->prev = cur;
	e->has_prev = true;
	s.watch_id = e->watch_id;
	if (have) {
		e->last = s;
		e->has_sample = true;
		n = detect(e, &s, thr, now_ms, a);
	}
	spin_unlock(&slg_tasks_lock);
	if (charge) {
		rcu_read_lock();
		slg_cgroup_charge(p, charge);
		rcu_read_unlock();
	}
	put_task_struct(p);
	if (!have)
		return;

	t = (struct slg_task_ev){
		.pid = s.pid,
		.ppid = s.ppid,
		.uid = s.uid,
		.watch_id = s.watch_id,
		.comm = s.comm,
		.sample = &s,
	};
	emit(b, SLAGUARD_EVENT_SCHED_SAMPLE, &t, s.cpu_pct, 0);
	for (i = 0; i < n; i++)
		emit(b, a[i].kind, &t, a[i].value, a[i].threshold);
}

/* One cgroup watch's period: fork rate, CPU, FORK_RATE and CPU_HIGH. */
static void sample_cgroup(struct slg_twatch *w, const struct thr_copy *thr,
			  u64 now, u64 now_ms, struct slg_evbatch *b)
{
	u64 forks = atomic64_read(&w->forks), cpu = atomic64_read(&w->cpu_ns);
	struct slg_task_ev t = {
		.watch_id = w->id,
		.cgroup = w->path,
	};
	u64 elapsed, d;
	u32 pct;

	elapsed = w->prev_ns && now > w->prev_ns ? now - w->prev_ns : 0;
	w->prev_ns = now;
	slg_counter_delta(w->prev_forks, forks, &d);
	w->prev_forks = forks;
	if (elapsed)
		WRITE_ONCE(w->fork_rate,
			   slg_scale_per(d, NSEC_PER_SEC, elapsed));
	slg_counter_delta(w->prev_cpu_ns, cpu, &d);
	w->prev_cpu_ns = cpu;
	if (!elapsed)
		return;		/* the watch's first pass: a baseline */
	pct = min_t(u64, slg_scale_per(d, 10000, elapsed), U32_MAX);
	WRITE_ONCE(w->cpu_pct, pct);

	if (thr->fork_rate && w->fork_rate >= thr->fork_rate &&
	    slg_holdoff_ok(&w->fork_holdoff_ms, now_ms, thr->holdoff_ms))
		emit(b, SLAGUARD_EVENT_FORK_RATE, &t, w->fork_rate,
		     thr->fork_rate);
	if (slg_cpu_high_step(&w->cpu_run, pct / 100, thr->cpu_pct,
			      thr->cpu_samples) &&
	    slg_holdoff_ok(&w->cpu_holdoff_ms, now_ms, thr->holdoff_ms))
		emit(b, SLAGUARD_EVENT_CPU_HIGH, &t, pct / 100, thr->cpu_pct);
}

/*
 * The cgroup watches, after the processes of this pass charged their CPU
 * time to them; the watch set is stable under the mutex.
 */
static void sample_cgroups(const struct thr_copy *thr, u64 now_ms,
			   struct slg_evbatch *b)
{
	const struct slg_ptrset *ws;
	u64 now = ktime_get_ns();
	unsigned int i;

	mutex_lock(&slg_tw_mutex);
	ws = rcu_dereference_protected(slg_twatches,
				       lockdep_is_held(&slg_tw_mutex));
	for (i = 0; ws && i < ws->n; i++) {
		struct slg_twatch *w = ws->p[i];

		if (w->type == SLG_TW_CGROUP)
			sample_cgroup(w, thr, now, now_ms, b);
	}
	mutex_unlock(&slg_tw_mutex);
}

static void sample_tasks(void)
{
	struct slg_evbatch b = { .net = &init_net };
	u64 now_ms = jiffies64_to_msecs(get_jiffies_64());
	struct thr_copy thr;
	unsigned int i, n;

	thresholds(&thr);
	n = slg_tracked_snapshot(snap, max_tasks);
	for (i = 0; i < n; i++) {
		sample_task(snap[i], &thr, now_ms, &b);
		slg_tracked_put(snap[i]);
		if ((i & 63) == 63)
			cond_resched();
	}
	sample_cgroups(&thr, now_ms, &b);
	slg_evbatch_flush(&b);
}

static void sample(struct work_struct *work)
{
	u64 t0 = ktime_get_ns(), dt;

	sample_system();
	sample_tasks();
	dt = ktime_get_ns() - t0;
	spin_lock(&sys_lock);
	sys.passes++;
	sys.pass_ns = dt;
	sys.pass_ns_max = max(sys.pass_ns_max, dt);
	spin_unlock(&sys_lock);
	queue_delayed_work(system_unbound_wq, &sample_work,
			   msecs_to_jiffies(slg_sched_period_ms()));
}

/* ---- netlink ---- */

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, SLAGUARD_SYS_PAD);
}

static int fill_cpu(struct sk_buff *skb, int cpu, const struct cpu_state *c)
{
	struct nlattr *nest = nla_nest_start(skb, SLAGUARD_SYS_CPU);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SLAGUARD_CPU_ID, cpu) ||
	    nla_put_u32(skb, SLAGUARD_CPU_BUSY_PCT, c->busy_pct) ||
	    nla_put_u64_64bit(skb, SLAGUARD_CPU_CTXT_RATE, c->ctxt_rate,
			      SLAGUARD_CPU_PAD) ||
	    nla_put_u64_64bit(skb, SLAGUARD_CPU_PREEMPT_RATE, c->preempt_rate,
			      SLAGUARD_CPU_PAD) ||
	    nla_put_u32(skb, SLAGUARD_CPU_RUNQ_WAIT_MS, c->wait_ms) ||
	    nla_put_u32(skb, SLAGUARD_CPU_RUNNABLE, c->runnable)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Room of one SLAGUARD_SYS_CPU nest, as fill_cpu() writes it. */
static size_t cpu_nest_size(void)
{
	return nla_total_size(0) + nla_total_size(4) * 4 +
	       nla_total_size_64bit(8) * 2;
}

/*
 * Room of the SLAGUARD_A_SYSTEM nest with ncpus CPUs, as
 * slg_sched_fill_system() writes it: ten u32 and nine u64 figures, then
 * one nest per online CPU. No fixed size fits every machine: an
 * NLMSG_GOODSIZE skb holds about 120 CPUs.
 */
size_t slg_sched_system_size(unsigned int ncpus)
{
	return nla_total_size(0) + nla_total_size(4) * 10 +
	       nla_total_size_64bit(8) * 9 + (size_t)ncpus * cpu_nest_size();
}

/* CPU cpu's nest once more, outside any other; for KUnit. */
int slg_sched_fill_cpu(struct sk_buff *skb, int cpu)
{
	int err;

	spin_lock(&sys_lock);
	err = fill_cpu(skb, cpu, &cpus[cpu]);
	spin_unlock(&sys_lock);
	return err;
}

static u32 load_x100(unsigned long avg)
{
	unsigned long a = avg + FIXED_1 / 200;

	return LOAD_INT(a) * 100 + LOAD_FRAC(a);
}

/*
 * The SLAGUARD_A_SYSTEM nest; call with slg_tw_mutex held. It needs
 * slg_sched_system_size() of the online CPUs (of the possible CPUs for
 * a size that stays right while CPUs come online).
 */
int slg_sched_fill_system(struct sk_buff *skb)
{
	struct slg_sched_totals tot;
	struct nlattr *nest;
	int cpu, err = -EMSGSIZE;

	if (!running)
		return -ESHUTDOWN;
	slg_procev_totals(&tot);
	nest = nla_nest_start(skb, SLAGUARD_A_SYSTEM);
	if (!nest)
		return -EMSGSIZE;
	spin_lock(&sys_lock);
	if (nla_put_u32(skb, SLAGUARD_SYS_PERIOD_MS, slg_sched_period_ms()) ||
	    nla_put_u32(skb, SLAGUARD_SYS_LOAD1, load_x100(avenrun[0])) ||
	    nla_put_u32(skb, SLAGUARD_SYS_LOAD5, load_x100(avenrun[1])) ||
	    nla_put_u32(skb, SLAGUARD_SYS_LOAD15, load_x100(avenrun[2])) ||
	    nla_put_u32(skb, SLAGUARD_SYS_RUNNABLE, tot.runnable) ||
	    nla_put_u32(skb, SLAGUARD_SYS_PROCESSES, tot.processes) ||
	    nla_put_u32(skb, SLAGUARD_SYS_THREADS, tot.threads) ||
	    put_u64(skb, SLAGUARD_SYS_FORKS, tot.forks) ||
	    put_u64(skb, SLAGUARD_SYS_FORK_RATE, sys.fork_rate) ||
	    put_u64(skb, SLAGUARD_SYS_CTXT, tot.ctxt) ||
	    put_u64(skb, SLAGUARD_SYS_CTXT_RATE, sys.ctxt_rate) ||
	    nla_put_u32(skb, SLAGUARD_SYS_BUSY_PCT, sys.busy_pct) ||
	    nla_put_u32(skb, SLAGUARD_SYS_TASKS, slg_tracked_count()) ||
	    nla_put_u32(skb, SLAGUARD_SYS_TASKS_MAX, slg_tracked_cap()) ||
	    put_u64(skb, SLAGUARD_SYS_TASKS_DROPPED, slg_tracked_dropped()) ||
	    put_u64(skb, SLAGUARD_SYS_PASSES, sys.passes) ||
	    put_u64(skb, SLAGUARD_SYS_PASS_NS, sys.pass_ns) ||
	    put_u64(skb, SLAGUARD_SYS_PASS_NS_MAX, sys.pass_ns_max) ||
	    put_u64(skb, SLAGUARD_SYS_PROC_SUPPRESSED, slg_procev_suppressed()))
		goto out;
	for_each_online_cpu(cpu)
		if (fill_cpu(skb, cpu, &cpus[cpu]))
			goto out;
	err = 0;
out:
	spin_unlock(&sys_lock);
	if (err)
		nla_nest_cancel(skb, nest);
	else
		nla_nest_end(skb, nest);
	return err;
}

bool slg_sched_running(void)
{
	return running;
}

/* ---- setup ---- */

int slg_sched_init(void)
{
	int err;

	cpus = kcalloc(nr_cpu_ids, sizeof(*cpus), GFP_KERNEL);
	snap = kvmalloc_array(max(max_tasks, 1U), sizeof(*snap), GFP_KERNEL);
	if (!cpus || !snap) {
		err = -ENOMEM;
		goto err_free;
	}
	err = slg_taskwatch_init(max_tasks);
	if (err)
		goto err_free;
	err = slg_procev_init();
	if (err) {
		/* The network monitor is useful on its own. */
		pr_warn("system monitor off: no scheduler tracepoints (%d)\n",
			err);
		slg_taskwatch_exit();
		kvfree(snap);
		kfree(cpus);
		disabled = true;
		return 0;
	}
	INIT_DELAYED_WORK(&sample_work, sample);
	mutex_lock(&slg_tw_mutex);
	running = true;
	mutex_unlock(&slg_tw_mutex);
	queue_delayed_work(system_unbound_wq, &sample_work, 0);
	return 0;

err_free:
	kvfree(snap);
	kfree(cpus);
	return err;
}

/*
 * In the reverse order of slg_sched_init(): no new pass once running is
 * false (SET_SCHED re-arms the sampler only while it is true), then the
 * sampler, which reads the probes' per-CPU counters, then the probes and
 * their counters, then the tracked set both of them use.
 */
void slg_sched_exit(void)
{
	if (disabled)
		return;
	mutex_lock(&slg_tw_mutex);
	running = false;
	mutex_unlock(&slg_tw_mutex);
	cancel_delayed_work_sync(&sample_work);
	slg_procev_exit();
	slg_taskwatch_exit();
	kvfree(snap);
	kfree(cpus);
}
