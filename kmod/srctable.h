/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - bounded table of traffic sources.
 */
#ifndef _SLAGUARD_SRCTABLE_H
#define _SLAGUARD_SRCTABLE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "detect.h"
#include "estimator.h"

struct slg_key {
	u64 net_cookie;		/* never reused, unlike a struct net pointer */
	union slg_addr addr;
	u32 family;
};

struct slg_table;

/* One source; readers hold rcu_read_lock, updates hold ->lock. */
struct slg_source {
	struct hlist_node node;
	struct rcu_head rcu;
	struct slg_key key;
	u32 netns_inum;
	struct slg_quota *quota;	/* its namespace's; NULL: a host source */
	struct slg_table *table;	/* for the RCU callback that frees it */
	spinlock_t lock;	/* counters, window, hold-off */
	u64 first_ms;
	u64 last_ms;
	u64 packets;
	u64 bytes;
	u64 syn;
	u64 icmp;
	u64 udp;
	u64 handshakes;		/* completed with this namespace, ever */
	struct slg_window win;
	struct slg_holdoff holdoff;
	struct slg_holdoff host_holdoff;	/* judged by the host's thresholds */
};

struct slg_bucket {
	struct hlist_head head;
	spinlock_t lock;	/* writers of head; readers use RCU */
};

struct slg_table {
	struct slg_bucket *buckets;
	unsigned int nbuckets;		/* power of two */
	unsigned int capacity;
	u32 seed;
	atomic_t count;
	/*
	 * Entries allocated, live or waiting for an RCU grace period, and
	 * their bound: under a flood of new sources evicted entries wait
	 * for a grace period before they are freed, and without a bound
	 * those would pile up.
	 */
	atomic_t objects;
	unsigned int max_objects;
	atomic64_t evictions;
	atomic64_t insert_failed;
	atomic64_t expired;
};

int slg_table_init(struct slg_table *t, unsigned int capacity);
void slg_table_destroy(struct slg_table *t);
void slg_key_init(struct slg_key *k, const struct net *net, u8 family,
		  const union slg_addr *addr);
struct slg_source *slg_table_lookup(struct slg_table *t, const struct slg_key *k);
struct slg_source *slg_table_get(struct slg_table *t, const struct slg_key *k,
				 struct slg_quota *q, u32 netns_inum, u64 now_ms);
void slg_quota_init(struct slg_quota *q, unsigned int limit, bool host);
int slg_srctable_init(void);
void slg_srctable_exit(void);
unsigned int slg_table_expire(struct slg_table *t, u64 now_ms, u64 idle_ms);
unsigned int slg_table_flush_net(struct slg_table *t, u64 net_cookie);

/*
 * Walk sources from *bucket / *skip (a resumable cursor) under RCU; fn
 * returns nonzero to stop, and the cursor then names the entry it refused.
 */
typedef int (*slg_table_visit_t)(struct slg_source *src, void *arg);
int slg_table_walk(struct slg_table *t, unsigned long *bucket,
		   unsigned long *skip, slg_table_visit_t fn, void *arg);

static inline unsigned int slg_table_count(struct slg_table *t)
{
	return atomic_read(&t->count);
}

extern struct slg_table slg_sources;

#endif /* _SLAGUARD_SRCTABLE_H */
