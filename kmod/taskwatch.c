// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - task watches and the bounded set of processes they select.
 *
 * Why a tracked set and not a walk of every task each period: a walk costs
 * time in proportion to every process on the machine, under RCU, every
 * period, for the few processes anyone watches. Instead the set of watched
 * processes is kept up to date by the fork, exec and exit tracepoints
 * (procev.c), which see every process start, change name and end, and is
 * seeded by one walk when a watch is added. A sampling pass then costs
 * time in proportion to the watched processes only, and the set is capped
 * (module parameter max_tasks); processes over the cap are counted.
 *
 * The set is a hash by the thread group's struct pid under one spinlock,
 * taken from the tracepoints (process context, preemption off) and by the
 * sampler and netlink; every holder does a bounded amount of work under
 * it. Keyed by struct pid, not by number: a new process given the number
 * of an ended one is another process. Entries are reference counted so the
 * sampler can work on them without the lock (reading a process's memory
 * size may sleep).
 *
 * A process stops being tracked when it ends: its exit probe removes it,
 * and slg_track() refuses a process whose threads have all exited, under
 * the lock the exit probe takes after they have, so no entry outlives its
 * process by a race with the probe. The sampler drops any whose process
 * it finds reaped all the same.
 */
#include <linux/cgroup.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "taskwatch.h"

struct slg_ptrset __rcu *slg_twatches;
/* serialises task watch changes and the tracked set's rebuilds */
DEFINE_MUTEX(slg_tw_mutex);
u32 slg_tw_gen;

DEFINE_SPINLOCK(slg_tasks_lock);
DEFINE_HASHTABLE(slg_tasks_hash, SLG_TASKS_HASH_BITS);
static unsigned int tracked_count;
static unsigned int tracked_cap;
static atomic64_t tracked_dropped;
static struct kmem_cache *tracked_cache;

/* ---- watches ---- */

bool slg_twatch_match(const struct slg_twatch *w, const struct slg_task_id *t)
{
	switch (w->type) {
	case SLG_TW_PID:
		return t->tgid == w->pid;
	case SLG_TW_COMM:
		return t->comm && strncmp(t->comm, w->comm, TASK_COMM_LEN) == 0;
	case SLG_TW_CGROUP:
		return t->cgrp && w->cgrp && cgroup_is_descendant(t->cgrp, w->cgrp);
	}
	return false;
}

struct slg_twatch *slg_twatch_first(const struct slg_ptrset *ws,
				    const struct slg_task_id *t)
{
	unsigned int i;

	for (i = 0; ws && i < ws->n; i++)
		if (slg_twatch_match(ws->p[i], t))
			return ws->p[i];
	return NULL;
}

struct slg_twatch *slg_twatchset_find(const struct slg_ptrset *ws, u32 id)
{
	unsigned int i;

	for (i = 0; ws && i < ws->n; i++) {
		struct slg_twatch *w = ws->p[i];

		if (w->id == id)
			return w;
	}
	return NULL;
}

struct slg_ptrset *slg_twatchset_del(const struct slg_ptrset *old, u32 id,
				     struct slg_twatch **removed)
{
	*removed = slg_twatchset_find(old, id);
	if (!*removed)
		return ERR_PTR(-ENOENT);
	return slg_ptrset_del(old, *removed);
}

void slg_twatch_free(struct slg_twatch *w)
{
	if (!w)
		return;
	if (w->cgrp)
		cgroup_put(w->cgrp);
	kfree(w->path);
	kfree(w);
}

static void twatch_free_rcu(struct rcu_head *head)
{
	slg_twatch_free(container_of(head, struct slg_twatch, rcu));
}

void slg_twatch_free_rcu(struct slg_twatch *w)
{
	call_rcu(&w->rcu, twatch_free_rcu);
}

/* ---- tracked processes ---- */

/* Call under rcu_read_lock; p's cgroup is only valid inside it. */
void slg_task_id_of(struct task_struct *p, struct slg_task_id *id)
{
	id->tgid = p->tgid;
	id->comm = p->comm;
	id->cgrp = task_dfl_cgroup(p);
}

static struct slg_tracked *find_locked(const struct pid *pid)
{
	struct slg_tracked *e;

	hash_for_each_possible(slg_tasks_hash, e, node, (unsigned long)pid)
		if (e->pid == pid)
			return e;
	return NULL;
}

static void tracked_free_rcu(struct rcu_head *head)
{
	struct slg_tracked *e = container_of(head, struct slg_tracked, rcu);

	put_pid(e->pid);
	kmem_cache_free(tracked_cache, e);
}

void slg_tracked_put(struct slg_tracked *e)
{
	if (refcount_dec_and_test(&e->ref))
		call_rcu(&e->rcu, tracked_free_rcu);
}

static void watch_tasks_add(u32 watch_id, int n)
{
	struct slg_twatch *w;

	rcu_read_lock();
	w = slg_twatchset_find(rcu_dereference(slg_twatches), watch_id);
	if (w)
		atomic_add(n, &w->tasks);
	rcu_read_unlock();
}

/*
 * Track p's process for watch watch_id. Returns 0, -ESRCH when it has
 * ended, -EEXIST when it is tracked already, -ENOSPC at the cap (counted)
 * or -ENOMEM. p is pinned by the caller.
 */
int slg_track(struct task_struct *p, u32 watch_id, bool from_birth, gfp_t gfp)
{
	struct pid *pid = get_pid(task_tgid(p));
	struct slg_tracked *e;
	int err;

	if (!pid)
		return -ESRCH;		/* released */
	e = kmem_cache_zalloc(tracked_cache, gfp);
	if (!e) {
		put_pid(pid);
		atomic64_inc(&tracked_dropped);
		return -ENOMEM;
	}
	e->pid = pid;
	e->tgid = pid_nr(pid);
	e->watch_id = watch_id;
	e->from_birth = from_birth;
	refcount_set(&e->ref, 1);

	spin_lock(&slg_tasks_lock);
	/* Its exit probe takes this lock after the last thread left. */
	if (!atomic_read(&p->signal->live))
		err = -ESRCH;
	else if (find_locked(pid))
		err = -EEXIST;
	else if (tracked_count >= READ_ONCE(tracked_cap))
		err = -ENOSPC;
	else
		err = 0;
	if (err) {
		spin_unlock(&slg_tasks_lock);
		put_pid(pid);
		kmem_cache_free(tracked_cache, e);
		if (err == -ENOSPC)
			atomic64_inc(&tracked_dropped);
		return err;
	}
	e->linked = true;
	hash_add(slg_tasks_hash, &e->node, (unsigned long)pid);
	tracked_count++;
	spin_unlock(&slg_tasks_lock);
	watch_tasks_add(watch_id, 1);
	return 0;
}

static void unlink_locked(struct slg_tracked *e)
{
	hash_del(&e->node);
	e->linked = false;
	tracked_count--;
}

/*
 * Stop tracking the process of thread group pid; returns whether it was
 * tracked (true for one caller only), and in *cpu_base (if not NULL) its
 * slg_cpu_base() at that moment.
 */
bool slg_untrack(const struct pid *pid, u64 *cpu_base)
{
	struct slg_tracked *e;
	u32 watch_id = 0;

	if (!pid)
		return false;
	spin_lock(&slg_tasks_lock);
	e = find_locked(pid);
	if (e) {
		unlink_locked(e);
		watch_id = e->watch_id;
		if (cpu_base)
			*cpu_base = slg_cpu_base(e->has_prev, e->prev.cpu_ns,
						 e->from_birth);
	}
	spin_unlock(&slg_tasks_lock);
	if (!e)
		return false;
	watch_tasks_add(watch_id, -1);
	slg_tracked_put(e);
	return true;
}

/* A tracked process is now selected first by another watch. */
void slg_retag(const struct pid *pid, u32 watch_id)
{
	struct slg_tracked *e;
	u32 old = 0;

	spin_lock(&slg_tasks_lock);
	e = find_locked(pid);
	if (e && e->watch_id != watch_id) {
		old = e->watch_id;
		e->watch_id = watch_id;
	}
	spin_unlock(&slg_tasks_lock);
	if (!old)
		return;
	watch_tasks_add(old, -1);
	watch_tasks_add(watch_id, 1);
}

/*
 * Charge CPU time p's process used to every cgroup watch it is inside,
 * whichever watch tracks it: a cgroup's figure is all of its tracked
 * processes. Call under rcu_read_lock, with p pinned.
 */
void slg_cgroup_charge(struct task_struct *p, u64 cpu_ns)
{
	const struct slg_ptrset *ws = rcu_dereference(slg_twatches);
	struct slg_task_id id = { .cgrp = task_dfl_cgroup(p) };
	unsigned int i;

	for (i = 0; cpu_ns && ws && i < ws->n; i++) {
		struct slg_twatch *w = ws->p[i];

		if (w->type == SLG_TW_CGROUP && slg_twatch_match(w, &id))
			atomic64_add(cpu_ns, &w->cpu_ns);
	}
}

bool slg_is_tracked(const struct pid *pid)
{
	bool ret;

	if (!pid)
		return false;
	spin_lock(&slg_tasks_lock);
	ret = find_locked(pid);
	spin_unlock(&slg_tasks_lock);
	return ret;
}

/* The sampler found e's process gone: stop tracking it, if still tracked. */
void slg_tracked_drop(struct slg_tracked *e)
{
	u32 watch_id = 0;
	bool was;

	spin_lock(&slg_tasks_lock);
	was = e->linked;
	if (was) {
		unlink_locked(e);
		watch_id = e->watch_id;
	}
	spin_unlock(&slg_tasks_lock);
	if (!was)
		return;
	watch_tasks_add(watch_id, -1);
	slg_tracked_put(e);
}

unsigned int slg_tracked_count(void)
{
	return READ_ONCE(tracked_count);
}

unsigned int slg_tracked_cap(void)
{
	return READ_ONCE(tracked_cap);
}

u64 slg_tracked_dropped(void)
{
	return atomic64_read(&tracked_dropped);
}

/* Up to max tracked processes, each with a reference for the caller. */
unsigned int slg_tracked_snapshot(struct slg_tracked **arr, unsigned int max)
{
	struct slg_tracked *e;
	unsigned int n = 0;
	int bkt;

	spin_lock(&slg_tasks_lock);
	hash_for_each(slg_tasks_hash, bkt, e, node) {
		if (n >= max)
			break;
		refcount_inc(&e->ref);
		arr[n++] = e;
	}
	spin_unlock(&slg_tasks_lock);
	return n;
}

static unsigned long tracked_key(const struct slg_tracked *e)
{
	return (unsigned long)e->pid;
}

/*
 * Copy up to max entries of tbl (nbkt buckets) from *cur on, in bucket
 * order and by key within a bucket, and move *cur past the last one. The
 * caller holds the lock of tbl. Returns how many were copied; fewer than
 * max only at the end of the table. Buckets are short (the table has a
 * bucket per four entries at the default cap): the smallest key above
 * the cursor is looked up by a walk of the bucket each time.
 */
unsigned int slg_tracked_collect(const struct hlist_head *tbl,
				 unsigned long nbkt,
				 struct slg_tasks_cursor *cur,
				 struct slg_tracked_info *out, unsigned int max)
{
	struct slg_tracked *e, *next;
	unsigned int n = 0;

	for (; cur->bkt < nbkt; cur->bkt++, cur->key = 0) {
		for (;;) {
			next = NULL;
			hlist_for_each_entry(e, &tbl[cur->bkt], node)
				if (tracked_key(e) > cur->key &&
				    (!next || tracked_key(e) < tracked_key(next)))
					next = e;
			if (!next)
				break;
			if (n == max)
				return n;
			cur->key = tracked_key(next);
			out[n].at = *cur;
			out[n].tgid = next->tgid;
			out[n].watch_id = next->watch_id;
			out[n].has_sample = next->has_sample;
			if (next->has_sample)
				out[n].last = next->last;
			n++;
		}
	}
	return n;
}

/* slg_tracked_collect() of the tracked set, for a dump. */
unsigned int slg_tracked_batch(struct slg_tasks_cursor *cur,
			       struct slg_tracked_info *out, unsigned int max)
{
	unsigned int n;

	spin_lock(&slg_tasks_lock);
	n = slg_tracked_collect(slg_tasks_hash, HASH_SIZE(slg_tasks_hash), cur,
				out, max);
	spin_unlock(&slg_tasks_lock);
	return n;
}

void slg_tracked_flush(void)
{
	struct hlist_node *tmp;
	struct slg_tracked *e;
	int bkt;

	spin_lock(&slg_tasks_lock);
	hash_for_each_safe(slg_tasks_hash, bkt, tmp, e, node) {
		unlink_locked(e);
		slg_tracked_put(e);
	}
	spin_unlock(&slg_tasks_lock);
}

/*
 * One walk over the processes (not threads) under RCU, when a watch is
 * added: the tracepoints keep the set current from then on. A leader that
 * exited before its threads still stands for its process; slg_track()
 * refuses the processes that ended.
 */
void slg_twatch_seed(const struct slg_twatch *w)
{
	struct slg_task_id id;
	struct task_struct *p;

	rcu_read_lock();
	for_each_process(p) {
		slg_task_id_of(p, &id);
		if (slg_twatch_match(w, &id))
			slg_track(p, w->id, false, GFP_ATOMIC);
	}
	rcu_read_unlock();
}

/*
 * Watch id is gone (slg_twatches no longer has it): processes it selected
 * move to another watch that matches them, or are no longer tracked.
 */
void slg_twatch_forget(u32 id)
{
	const struct slg_ptrset *ws;
	struct slg_twatch *other;
	struct slg_task_id tid;
	struct task_struct *p;
	struct hlist_node *tmp;
	struct slg_tracked *e;
	int bkt;

	rcu_read_lock();
	ws = rcu_dereference(slg_twatches);
	spin_lock(&slg_tasks_lock);
	hash_for_each_safe(slg_tasks_hash, bkt, tmp, e, node) {
		if (e->watch_id != id)
			continue;
		p = pid_task(e->pid, PIDTYPE_TGID);
		other = NULL;
		if (p) {
			slg_task_id_of(p, &tid);
			other = slg_twatch_first(ws, &tid);
		}
		if (other) {
			e->watch_id = other->id;
			atomic_inc(&other->tasks);
			continue;
		}
		unlink_locked(e);
		slg_tracked_put(e);
	}
	spin_unlock(&slg_tasks_lock);
	rcu_read_unlock();
}

int slg_taskwatch_init(unsigned int cap)
{
	tracked_cap = cap;
	tracked_cache = KMEM_CACHE(slg_tracked, 0);
	return tracked_cache ? 0 : -ENOMEM;
}

/* After the probes and the sampler stopped. */
void slg_taskwatch_exit(void)
{
	struct slg_ptrset *ws;
	unsigned int i;

	mutex_lock(&slg_tw_mutex);
	ws = rcu_replace_pointer(slg_twatches, NULL,
				 lockdep_is_held(&slg_tw_mutex));
	mutex_unlock(&slg_tw_mutex);
	slg_tracked_flush();
	synchronize_rcu();
	if (ws) {
		for (i = 0; i < ws->n; i++)
			slg_twatch_free(ws->p[i]);
		kfree(ws);
	}
	rcu_barrier();		/* the entries' and watches' callbacks */
	kmem_cache_destroy(tracked_cache);
}
