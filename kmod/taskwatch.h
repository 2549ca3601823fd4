/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - task watches and the bounded set of processes they select.
 */
#ifndef _SLAGUARD_TASKWATCH_H
#define _SLAGUARD_TASKWATCH_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include "ptrset.h"
#include "sched.h"

enum slg_twatch_type {
	SLG_TW_PID,
	SLG_TW_COMM,
	SLG_TW_CGROUP,
};

struct cgroup;

/* One task watch; immutable once published apart from its counters. */
struct slg_twatch {
	u32 id;
	u8 type;		/* enum slg_twatch_type */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct cgroup *cgrp;	/* CGROUP: a reference is held */
	char *path;		/* CGROUP: as given */
	atomic64_t forks;	/* CGROUP: processes created inside */
	atomic64_t cpu_ns;	/* CGROUP: CPU time its processes used */
	atomic_t tasks;		/* processes tracked for this watch */
	/* CGROUP: the sampler's state, under slg_tw_mutex */
	u64 prev_forks;
	u64 prev_cpu_ns;
	u64 prev_ns;
	u32 cpu_run;		/* consecutive periods above CPU_PCT */
	u32 cpu_pct;		/* last period, hundredths; read by dumps */
	u64 fork_rate;		/* last period; read by dumps */
	u64 fork_holdoff_ms;
	u64 cpu_holdoff_ms;
	struct rcu_head rcu;
};

/* What watch matching looks at in a process. */
struct slg_task_id {
	pid_t tgid;
	const char *comm;
	struct cgroup *cgrp;	/* its cgroup v2 cgroup, or NULL */
};

bool slg_twatch_match(const struct slg_twatch *w, const struct slg_task_id *t);
/* Task watches: a struct slg_ptrset of struct slg_twatch. */
struct slg_twatch *slg_twatch_first(const struct slg_ptrset *ws,
				    const struct slg_task_id *t);
struct slg_ptrset *slg_twatchset_del(const struct slg_ptrset *old, u32 id,
				     struct slg_twatch **removed);
struct slg_twatch *slg_twatchset_find(const struct slg_ptrset *ws, u32 id);
void slg_twatch_free(struct slg_twatch *w);
void slg_twatch_free_rcu(struct slg_twatch *w);

/* The published watch set; writers hold slg_tw_mutex. */
extern struct slg_ptrset __rcu *slg_twatches;
extern struct mutex slg_tw_mutex;
extern u32 slg_tw_gen;

/* Detector state per (process, kind). */
enum slg_task_alarm {
	SLG_TA_CPU,
	SLG_TA_RUNQ,
	SLG_TA_MEM,
	SLG_NR_TASK_ALARMS
};

/*
 * A tracked process. The table holds one reference, every user another;
 * the sampler's fields are written by the sampler under slg_tasks_lock.
 */
struct slg_tracked {
	struct hlist_node node;
	struct pid *pid;		/* the thread group's pid, referenced: the key */
	pid_t tgid;			/* its number, for dumps */
	u32 watch_id;
	refcount_t ref;
	bool linked;
	bool from_birth;		/* tracked since fork: all its CPU counts */
	bool has_prev;
	bool has_sample;
	u32 cpu_run;			/* consecutive samples above CPU_PCT */
	struct slg_task_counters prev;
	struct slg_task_sample last;
	u64 holdoff_ms[SLG_NR_TASK_ALARMS];
	struct rcu_head rcu;
};

#define SLG_TASKS_HASH_BITS	10

extern spinlock_t slg_tasks_lock;
extern DECLARE_HASHTABLE(slg_tasks_hash, SLG_TASKS_HASH_BITS);

void slg_task_id_of(struct task_struct *p, struct slg_task_id *id);
int slg_track(struct task_struct *p, u32 watch_id, bool from_birth, gfp_t gfp);
bool slg_untrack(const struct pid *pid, u64 *cpu_base);
void slg_retag(const struct pid *pid, u32 watch_id);
bool slg_is_tracked(const struct pid *pid);
void slg_tracked_drop(struct slg_tracked *e);
void slg_cgroup_charge(struct task_struct *p, u64 cpu_ns);
unsigned int slg_tracked_count(void);
unsigned int slg_tracked_cap(void);
u64 slg_tracked_dropped(void);
unsigned int slg_tracked_snapshot(struct slg_tracked **arr, unsigned int max);

/*
 * Where a dump of the tracked set goes on: in bucket bkt, the entries whose
 * key (their struct pid's address) is above key, 0 for all of them. Keys
 * never change bucket, so resuming by key neither repeats nor skips an
 * entry that other entries' arrival or removal moved within its bucket.
 */
struct slg_tasks_cursor {
	unsigned long bkt;
	unsigned long key;
};

/* A tracked process as dumps report it, copied under slg_tasks_lock. */
struct slg_tracked_info {
	struct slg_tasks_cursor at;	/* where it was: resume after it */
	pid_t tgid;
	u32 watch_id;
	bool has_sample;
	struct slg_task_sample last;
};

unsigned int slg_tracked_collect(const struct hlist_head *tbl,
				 unsigned long nbkt,
				 struct slg_tasks_cursor *cur,
				 struct slg_tracked_info *out, unsigned int max);
unsigned int slg_tracked_batch(struct slg_tasks_cursor *cur,
			       struct slg_tracked_info *out, unsigned int max);
void slg_tracked_put(struct slg_tracked *e);
void slg_tracked_flush(void);

void slg_twatch_seed(const struct slg_twatch *w);
void slg_twatch_forget(u32 id);

int slg_taskwatch_init(unsigned int cap);
void slg_taskwatch_exit(void);

#endif /* _SLAGUARD_TASKWATCH_H */
