// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - bounded table of traffic sources.
 *
 * Readers (the packet hooks, dumps) walk buckets under RCU. Writers take
 * one bucket's lock. The number of entries never exceeds the capacity: a
 * slot is reserved atomically before an insert, and when none is left the
 * least recently seen source of a nearby bucket gives its slot up.
 *
 * Each namespace holds at most its quota. A namespace evicts its own
 * sources first, then other guests'; only the initial namespace evicts
 * the initial namespace's (after guests'), so spoofed sources in a
 * container cannot wipe the host's windows and hold-offs. Entries come from a slab cache, and
 * those waiting for an RCU grace period count against a bound too.
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
static struct kmem_cache *slg_source_cache;

int slg_srctable_init(void)
{
	slg_source_cache = KMEM_CACHE(slg_source, 0);
	return slg_source_cache ? 0 : -ENOMEM;
}

/* After every table is destroyed (their RCU callbacks have run). */
void slg_srctable_exit(void)
{
	kmem_cache_destroy(slg_source_cache);
	slg_source_cache = NULL;
}

void slg_quota_init(struct slg_quota *q, unsigned int limit, bool host)
{
	memset(q, 0, sizeof(*q));
	q->limit = limit;
	q->host = host;
}

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
	atomic_set(&t->objects, 0);
	/* A quarter more for evicted entries still waiting for readers. */
	t->max_objects = capacity + max(capacity / 4, 16U);
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

static void free_source(struct rcu_head *head)
{
	struct slg_source *src = container_of(head, struct slg_source, rcu);
	struct slg_table *t = src->table;

	kmem_cache_free(slg_source_cache, src);
	atomic_dec(&t->objects);
}

/* Take src out of its locked bucket and give back its slots. */
static void unlink(struct slg_table *t, struct slg_source *src)
{
	hlist_del_rcu(&src->node);
	atomic_dec(&t->count);
	if (src->quota)
		atomic_dec(&src->quota->count);
	call_rcu(&src->rcu, free_source);
}

/* Which sources an insert for quota q may evict, in the order it tries. */
enum slg_evict_pass {
	SLG_EVICT_OWN,		/* q's own */
	SLG_EVICT_GUESTS,	/* other namespaces' but the initial one's */
	SLG_EVICT_ANY,		/* anything: the initial namespace only */
};

static bool host_quota(const struct slg_quota *q)
{
	return !q || q->host;
}

static bool may_evict(const struct slg_source *src, const struct slg_quota *q,
		      enum slg_evict_pass pass)
{
	switch (pass) {
	case SLG_EVICT_OWN:
		return src->quota == q;
	case SLG_EVICT_GUESTS:
		return src->quota != q && !host_quota(src->quota);
	case SLG_EVICT_ANY:
		return host_quota(q);
	}
	return false;
}

/* Remove the least recently seen source of a locked bucket that may go. */
static bool evict_from(struct slg_table *t, struct slg_bucket *b,
		       const struct slg_quota *q, enum slg_evict_pass pass)
{
	struct slg_source *src, *victim = NULL;

	hlist_for_each_entry(src, &b->head, node) {
		if (!may_evict(src, q, pass))
			continue;
		if (!victim ||
		    READ_ONCE(src->last_ms) < READ_ONCE(victim->last_ms))
			victim = src;
	}
	if (!victim)
		return false;
	atomic64_inc(&t->evictions);
	if (victim->quota)
		atomic64_inc(&victim->quota->evictions);
	unlink(t, victim);
	return true;
}

/* Free one slot for bucket index i (whose lock is held). */
static bool evict_near(struct slg_table *t, unsigned int i,
		       const struct slg_quota *q, enum slg_evict_pass pass)
{
	unsigned int n;

	if (evict_from(t, &t->buckets[i], q, pass))
		return true;
	for (n = 1; n < SLG_EVICT_SCAN; n++) {
		struct slg_bucket *b = &t->buckets[(i + n) & (t->nbuckets - 1)];
		bool done;

		/* Never wait for a second lock: no ordering, no deadlock. */
		if (!spin_trylock(&b->lock))
			continue;
		done = evict_from(t, b, q, pass);
		spin_unlock(&b->lock);
		if (done)
			return true;
	}
	return false;
}

/*
 * A full table: another namespace evicts its own sources first, then
 * other guests', never the initial namespace's; the initial namespace
 * takes guests' room first, then its own oldest.
 */
static bool evict_for(struct slg_table *t, unsigned int i,
		      const struct slg_quota *q)
{
	if (host_quota(q))
		return evict_near(t, i, q, SLG_EVICT_GUESTS) ||
		       evict_near(t, i, q, SLG_EVICT_ANY);
	return evict_near(t, i, q, SLG_EVICT_OWN) ||
	       evict_near(t, i, q, SLG_EVICT_GUESTS);
}

static struct slg_source *new_source(struct slg_table *t,
				     const struct slg_key *k,
				     struct slg_quota *q, u32 netns_inum,
				     u64 now_ms)
{
	struct slg_source *src;

	src = kmem_cache_zalloc(slg_source_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!src)
		return NULL;
	src->key = *k;
	src->netns_inum = netns_inum;
	src->quota = q;
	src->table = t;
	spin_lock_init(&src->lock);
	src->first_ms = now_ms;
	src->last_ms = now_ms;
	slg_window_init(&src->win, now_ms);
	return src;
}

/*
 * Find the source for k, or insert it for the namespace whose quota is q
 * (NULL: no quota, counted as the host's). Call under rcu_read_lock; the
 * result stays valid until rcu_read_unlock. NULL when it could not be
 * tracked.
 */
struct slg_source *slg_table_get(struct slg_table *t, const struct slg_key *k,
				 struct slg_quota *q, u32 netns_inum,
				 u64 now_ms)
{
	unsigned int i = key_hash(t, k);
	struct slg_bucket *b = &t->buckets[i];
	struct slg_source *src;

	src = find(b, k);
	if (src)
		return src;

	spin_lock_bh(&b->lock);
	src = find(b, k);
	if (src)
		goto out;
	/*
	 * The memory first: with too many evicted entries still waiting
	 * for readers, evicting more would only empty the table.
	 */
	if (!atomic_add_unless(&t->objects, 1, t->max_objects))
		goto fail;
	/* At its quota, a namespace can only replace a source of its own. */
	if (q && !atomic_add_unless(&q->count, 1, q->limit)) {
		if (!evict_near(t, i, q, SLG_EVICT_OWN) ||
		    !atomic_add_unless(&q->count, 1, q->limit))
			goto fail_object;
	}
	if (!atomic_add_unless(&t->count, 1, t->capacity)) {
		if (!evict_for(t, i, q) ||
		    !atomic_add_unless(&t->count, 1, t->capacity))
			goto fail_quota;
	}
	src = new_source(t, k, q, netns_inum, now_ms);
	if (!src) {
		atomic_dec(&t->count);
		goto fail_quota;
	}
	hlist_add_head_rcu(&src->node, &b->head);
out:
	spin_unlock_bh(&b->lock);
	return src;
fail_quota:
	if (q)
		atomic_dec(&q->count);
fail_object:
	atomic_dec(&t->objects);
fail:
	atomic64_inc(&t->insert_failed);
	if (q)
		atomic64_inc(&q->insert_failed);
	spin_unlock_bh(&b->lock);
	return NULL;
}

typedef bool (*slg_match_t)(const struct slg_source *src, u64 a, u64 b);

static unsigned int remove_matching(struct slg_table *t, slg_match_t match,
				    u64 a, u64 b, bool expiring)
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
			if (expiring && src->quota)
				atomic64_inc(&src->quota->expired);
			unlink(t, src);
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
	unsigned int n = remove_matching(t, is_idle, now_ms, idle_ms, true);

	atomic64_add(n, &t->expired);
	return n;
}

static bool in_net(const struct slg_source *src, u64 cookie, u64 unused)
{
	return src->key.net_cookie == cookie;
}

unsigned int slg_table_flush_net(struct slg_table *t, u64 net_cookie)
{
	return remove_matching(t, in_net, net_cookie, 0, false);
}

static bool any(const struct slg_source *src, u64 a, u64 b)
{
	return true;
}

void slg_table_destroy(struct slg_table *t)
{
	if (!t->buckets)
		return;
	remove_matching(t, any, 0, 0, false);
	/* RCU callbacks must not outlive the module text, table or cache. */
	rcu_barrier();
	WARN_ON_ONCE(atomic_read(&t->objects));
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
