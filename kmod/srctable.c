// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - bounded table of traffic sources.
 *
 * Readers (the packet hooks, dumps) walk buckets under RCU. Writers take
 * one bucket's lock. The number of entries never exceeds the capacity: a
 * slot is reserved atomically before an insert, and when none is left the
 * least recently seen source of a nearby bucket gives its slot up.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "srctable.h"

/* How many buckets an insert into a full table searches for a victim. */
#define SLG_EVICT_SCAN	8

struct slg_table slg_sources;

int slg_table_init(struct slg_table *t, unsigned int capacity)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	if (!capacity)
		return -EINVAL;
	t->capacity = capacity;
	t->nbuckets = roundup_pow_of_two(max(capacity / 2, 16U));
	t->buckets = kvcalloc(t->nbuckets, sizeof(*t->buckets), GFP_KERNEL);
	if (!t->buckets)
		return -ENOMEM;
	for (i = 0; i < t->nbuckets; i++) {
		INIT_HLIST_HEAD(&t->buckets[i].head);
		spin_lock_init(&t->buckets[i].lock);
	}
	t->seed = get_random_u32();
	atomic_set(&t->count, 0);
	return 0;
}

void slg_key_init(struct slg_key *k, const struct net *net, u8 family,
		  const union slg_addr *addr)
{
	memset(k, 0, sizeof(*k));
	k->net_cookie = net ? net->net_cookie : 0;
	k->family = family;
	if (family == AF_INET)
		k->addr.v4 = addr->v4;
	else
		k->addr.v6 = addr->v6;
}

static u32 key_hash(const struct slg_table *t, const struct slg_key *k)
{
	return jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), t->seed) &
	       (t->nbuckets - 1);
}

static bool key_eq(const struct slg_key *a, const struct slg_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static struct slg_source *find(struct slg_bucket *b, const struct slg_key *k)
{
	struct slg_source *src;

	hlist_for_each_entry_rcu(src, &b->head, node,
				 lockdep_is_held(&b->lock))
		if (key_eq(&src->key, k))
			return src;
	return NULL;
}

struct slg_source *slg_table_lookup(struct slg_table *t, const struct slg_key *k)
{
	return find(&t->buckets[key_hash(t, k)], k);
}

static void unlink(struct slg_source *src)
{
	hlist_del_rcu(&src->node);
	kfree_rcu(src, rcu);
}

/* Remove the least recently seen source of a locked bucket, if any. */
static bool evict_from(struct slg_bucket *b)
{
	struct slg_source *src, *victim = NULL;

	hlist_for_each_entry(src, &b->head, node)
		if (!victim || READ_ONCE(src->last_ms) < READ_ONCE(victim->last_ms))
			victim = src;
	if (!victim)
		return false;
	unlink(victim);
	return true;
}

/* Free one slot for bucket index i (whose lock is held). */
static bool evict_near(struct slg_table *t, unsigned int i)
{
	unsigned int n;

	if (evict_from(&t->buckets[i]))
		return true;
	for (n = 1; n < SLG_EVICT_SCAN; n++) {
		struct slg_bucket *b = &t->buckets[(i + n) & (t->nbuckets - 1)];
		bool done;

		/* Never wait for a second lock: no ordering, no deadlock. */
		if (!spin_trylock(&b->lock))
			continue;
		done = evict_from(b);
		spin_unlock(&b->lock);
		if (done)
			return true;
	}
	return false;
}

static struct slg_source *new_source(const struct slg_key *k, u32 netns_inum,
				     u64 now_ms)
{
	struct slg_source *src = kzalloc(sizeof(*src), GFP_ATOMIC | __GFP_NOWARN);

	if (!src)
		return NULL;
	src->key = *k;
	src->netns_inum = netns_inum;
	spin_lock_init(&src->lock);
	src->first_ms = now_ms;
	src->last_ms = now_ms;
	slg_window_init(&src->win, now_ms);
	return src;
}

/*
 * Find the source for k, or insert it. Call under rcu_read_lock; the result
 * stays valid until rcu_read_unlock. NULL when it could not be tracked.
 */
struct slg_source *slg_table_get(struct slg_table *t, const struct slg_key *k,
				 u32 netns_inum, u64 now_ms)
{
	unsigned int i = key_hash(t, k);
	struct slg_bucket *b = &t->buckets[i];
	struct slg_source *src;
	bool evicted = false;

	src = find(b, k);
	if (src)
		return src;

	spin_lock_bh(&b->lock);
	src = find(b, k);
	if (src)
		goto out;
	if (!atomic_add_unless(&t->count, 1, t->capacity)) {
		evicted = evict_near(t, i);
		if (!evicted)
			goto fail;
	}
	src = new_source(k, netns_inum, now_ms);
	if (!src) {
		/* Give back the reserved slot, or the victim's. */
		atomic_dec(&t->count);
		goto fail;
	}
	if (evicted)
		atomic64_inc(&t->evictions);
	hlist_add_head_rcu(&src->node, &b->head);
out:
	spin_unlock_bh(&b->lock);
	return src;
fail:
	atomic64_inc(&t->insert_failed);
	spin_unlock_bh(&b->lock);
	return NULL;
}

typedef bool (*slg_match_t)(const struct slg_source *src, u64 a, u64 b);

static unsigned int remove_matching(struct slg_table *t, slg_match_t match,
				    u64 a, u64 b)
{
	unsigned int i, removed = 0;

	for (i = 0; i < t->nbuckets; i++) {
		struct slg_bucket *bk = &t->buckets[i];
		struct slg_source *src;
		struct hlist_node *tmp;

		if (hlist_empty(&bk->head))
			continue;
		spin_lock_bh(&bk->lock);
		hlist_for_each_entry_safe(src, tmp, &bk->head, node) {
			if (!match(src, a, b))
				continue;
			unlink(src);
			atomic_dec(&t->count);
			removed++;
		}
		spin_unlock_bh(&bk->lock);
		cond_resched();
	}
	return removed;
}

static bool is_idle(const struct slg_source *src, u64 now_ms, u64 idle_ms)
{
	u64 last = READ_ONCE(src->last_ms);

	return now_ms > last && now_ms - last >= idle_ms;
}

/* Drop sources not seen for idle_ms; returns how many. Process context. */
unsigned int slg_table_expire(struct slg_table *t, u64 now_ms, u64 idle_ms)
{
	unsigned int n = remove_matching(t, is_idle, now_ms, idle_ms);

	atomic64_add(n, &t->expired);
	return n;
}

static bool in_net(const struct slg_source *src, u64 cookie, u64 unused)
{
	return src->key.net_cookie == cookie;
}

unsigned int slg_table_flush_net(struct slg_table *t, u64 net_cookie)
{
	return remove_matching(t, in_net, net_cookie, 0);
}

static bool any(const struct slg_source *src, u64 a, u64 b)
{
	return true;
}

void slg_table_destroy(struct slg_table *t)
{
	if (!t->buckets)
		return;
	remove_matching(t, any, 0, 0);
	/* kfree_rcu callbacks must not outlive the module text or table. */
	rcu_barrier();
	kvfree(t->buckets);
	t->buckets = NULL;
}

int slg_table_walk(struct slg_table *t, unsigned long *bucket,
		   unsigned long *skip, slg_table_visit_t fn, void *arg)
{
	int ret = 0;

	rcu_read_lock();
	for (; *bucket < t->nbuckets; (*bucket)++, *skip = 0) {
		struct slg_source *src;
		unsigned long idx = 0;

		hlist_for_each_entry_rcu(src, &t->buckets[*bucket].head, node) {
			if (idx++ < *skip)
				continue;
			ret = fn(src, arg);
			if (ret)
				goto out;
			(*skip)++;
		}
	}
out:
	rcu_read_unlock();
	return ret;
}
