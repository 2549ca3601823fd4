// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's bounded source table.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/log2.h>
#include <linux/rculist.h>
#include <linux/socket.h>

#include "srctable.h"

static struct slg_table *new_table(struct kunit *test, unsigned int capacity)
{
	struct slg_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, slg_table_init(t, capacity), 0);
	return t;
}

static struct slg_quota *new_quota(struct kunit *test, unsigned int limit,
				   bool host)
{
	struct slg_quota *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, q);
	slg_quota_init(q, limit, host);
	return q;
}

/* 10.x.y.z for v4, 2001:db8::<n> for v6, in namespace cookie. */
static struct slg_key key(u8 family, u32 n, u64 cookie)
{
	union slg_addr a = {};
	struct slg_key k;

	if (family == AF_INET) {
		a.v4 = htonl(0x0a000000 | n);
	} else {
		a.v6.s6_addr32[0] = htonl(0x20010db8);
		a.v6.s6_addr32[3] = htonl(n);
	}
	slg_key_init(&k, NULL, family, &a);
	k.net_cookie = cookie;
	return k;
}

static struct slg_source *get(struct slg_table *t, const struct slg_key *k,
			      u64 now_ms)
{
	struct slg_source *src;

	rcu_read_lock();
	src = slg_table_get(t, k, NULL, 4026531840U, now_ms);
	rcu_read_unlock();
	/* Only compared or tested for NULL by the callers, never followed. */
	return src;
}

/* Insert or find k for the namespace whose quota is q. */
static struct slg_source *get_in(struct slg_table *t, const struct slg_key *k,
				 struct slg_quota *q, u64 now_ms)
{
	struct slg_source *src;

	rcu_read_lock();
	src = slg_table_get(t, k, q, 4026531841U, now_ms);
	rcu_read_unlock();
	return src;
}

static bool present(struct slg_table *t, const struct slg_key *k)
{
	bool found;

	rcu_read_lock();
	found = slg_table_lookup(t, k);
	rcu_read_unlock();
	return found;
}

static void key_init_is_canonical(struct kunit *test)
{
	union slg_addr a = { .v4 = htonl(0xc0000201) };
	struct slg_key k1, k2;

	/* Whatever was on the stack before, equal inputs give equal bytes. */
	memset(&k1, 0xaa, sizeof(k1));
	memset(&k2, 0x55, sizeof(k2));
	slg_key_init(&k1, NULL, AF_INET, &a);
	/* Garbage past the v4 address must not leak into the key. */
	memset(&a.v6.s6_addr[4], 0xff, 12);
	slg_key_init(&k2, NULL, AF_INET, &a);
	KUNIT_EXPECT_EQ(test, memcmp(&k1, &k2, sizeof(k1)), 0);
	KUNIT_EXPECT_EQ(test, k1.net_cookie, 0);
	KUNIT_EXPECT_EQ(test, k1.family, AF_INET);
	KUNIT_EXPECT_EQ(test, k1.addr.v4, htonl(0xc0000201));

	slg_key_init(&k1, &init_net, AF_INET, &a);
	KUNIT_EXPECT_EQ(test, k1.net_cookie, init_net.net_cookie);
}

static void insert_and_lookup(struct kunit *test)
{
	struct slg_table *t = new_table(test, 64);
	struct slg_key a = key(AF_INET, 1, 0), b = key(AF_INET, 2, 0);
	struct slg_source *sa, *sb;

	KUNIT_EXPECT_FALSE(test, present(t, &a));
	rcu_read_lock();
	sa = slg_table_get(t, &a, NULL, 77, 1234);
	KUNIT_ASSERT_NOT_NULL(test, sa);
	KUNIT_EXPECT_EQ(test, memcmp(&sa->key, &a, sizeof(a)), 0);
	KUNIT_EXPECT_EQ(test, sa->netns_inum, 77);
	KUNIT_EXPECT_EQ(test, sa->first_ms, 1234);
	KUNIT_EXPECT_EQ(test, sa->last_ms, 1234);
	KUNIT_EXPECT_EQ(test, sa->packets, 0);
	KUNIT_EXPECT_EQ(test, sa->win.start_ms, 1234);
	KUNIT_EXPECT_PTR_EQ(test, slg_table_get(t, &a, NULL, 77, 5000), sa);
	KUNIT_EXPECT_EQ(test, sa->first_ms, 1234);
	KUNIT_EXPECT_PTR_EQ(test, slg_table_lookup(t, &a), sa);
	sb = slg_table_get(t, &b, NULL, 77, 1234);
	KUNIT_EXPECT_NOT_NULL(test, sb);
	KUNIT_EXPECT_PTR_NE(test, sa, sb);
	KUNIT_EXPECT_PTR_EQ(test, slg_table_lookup(t, &b), sb);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->evictions), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->insert_failed), 0);
	slg_table_destroy(t);
}

static void keys_differ_by_netns_and_family(struct kunit *test)
{
	struct slg_table *t = new_table(test, 64);
	struct slg_key k0 = key(AF_INET, 5, 0);
	struct slg_key k1 = key(AF_INET, 5, 1001);
	struct slg_key k2 = key(AF_INET, 5, 1002);
	union slg_addr a6 = { .v6.s6_addr32[0] = htonl(0x0a000005) };
	struct slg_source *s0, *s1, *s2, *s6;
	struct slg_key k6;

	/* Same 16 address bytes (10.0.0.5 = a00:5::), other family. */
	slg_key_init(&k6, NULL, AF_INET6, &a6);
	KUNIT_ASSERT_EQ(test, memcmp(&k6.addr, &k0.addr, sizeof(k0.addr)), 0);
	KUNIT_ASSERT_EQ(test, k6.family, AF_INET6);

	rcu_read_lock();
	s0 = slg_table_get(t, &k0, NULL, 1, 100);
	s1 = slg_table_get(t, &k1, NULL, 2, 100);
	s2 = slg_table_get(t, &k2, NULL, 3, 100);
	s6 = slg_table_get(t, &k6, NULL, 1, 100);
	KUNIT_ASSERT_NOT_NULL(test, s0);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_ASSERT_NOT_NULL(test, s6);
	KUNIT_EXPECT_PTR_NE(test, s0, s1);
	KUNIT_EXPECT_PTR_NE(test, s1, s2);
	KUNIT_EXPECT_PTR_NE(test, s0, s6);
	KUNIT_EXPECT_PTR_EQ(test, slg_table_lookup(t, &k1), s1);
	KUNIT_EXPECT_PTR_EQ(test, slg_table_lookup(t, &k6), s6);
	KUNIT_EXPECT_EQ(test, s1->netns_inum, 2);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 4);
	slg_table_destroy(t);
}

static void capacity_is_a_bound(struct kunit *test)
{
	const unsigned int cap = 64;
	struct slg_table *t = new_table(test, cap);
	unsigned int i, failed = 0, found = 0;

	for (i = 0; i < 4 * cap; i++) {
		struct slg_key k = key(i & 1 ? AF_INET6 : AF_INET, i, 0);

		if (!get(t, &k, 1000 + i))
			failed++;
		KUNIT_ASSERT_LE(test, slg_table_count(t), cap);
	}
	KUNIT_EXPECT_EQ(test, slg_table_count(t), cap);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->insert_failed), failed);
	/* Every insert past the capacity either evicted or failed. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->evictions) + failed, 3 * cap);
	KUNIT_EXPECT_GT(test, atomic64_read(&t->evictions), 0);

	for (i = 0; i < 4 * cap; i++) {
		struct slg_key k = key(i & 1 ? AF_INET6 : AF_INET, i, 0);

		found += present(t, &k);
	}
	KUNIT_EXPECT_EQ(test, found, cap);
	slg_table_destroy(t);
}

/* Index of the bucket holding k, or -1. */
static int bucket_of(struct slg_table *t, const struct slg_key *k)
{
	unsigned int i;
	int where = -1;

	rcu_read_lock();
	for (i = 0; i < t->nbuckets && where < 0; i++) {
		struct slg_source *src;

		hlist_for_each_entry_rcu(src, &t->buckets[i].head, node)
			if (!memcmp(&src->key, k, sizeof(*k)))
				where = i;
	}
	rcu_read_unlock();
	return where;
}

/* Key of the least recently seen source of bucket i; false if empty. */
static bool oldest_in(struct slg_table *t, unsigned int i, struct slg_key *k)
{
	struct slg_source *src, *old = NULL;

	rcu_read_lock();
	hlist_for_each_entry_rcu(src, &t->buckets[i].head, node)
		if (!old || src->last_ms < old->last_ms)
			old = src;
	if (old)
		*k = old->key;
	rcu_read_unlock();
	return old;
}

static void touch(struct slg_table *t, const struct slg_key *k, u64 now_ms)
{
	struct slg_source *src;

	rcu_read_lock();
	src = slg_table_lookup(t, k);
	if (src)
		WRITE_ONCE(src->last_ms, now_ms);
	rcu_read_unlock();
}

static void evicts_least_recently_seen(struct kunit *test)
{
	const unsigned int cap = 32, rounds = 24;
	struct slg_table *t = new_table(test, cap);
	struct slg_table *probe = new_table(test, cap);
	unsigned int i, round, mask = t->nbuckets - 1;
	unsigned int evicted = 0, failed = 0;

	/* A twin table hashing like t tells which bucket a key goes to. */
	KUNIT_ASSERT_EQ(test, probe->nbuckets, t->nbuckets);
	probe->seed = t->seed;

	/* Fill up; last seen times in an order unrelated to insertion... */
	for (i = 0; i < cap; i++) {
		struct slg_key k = key(AF_INET, i, 0);

		KUNIT_ASSERT_NOT_NULL(test, get(t, &k, 1000 + (i * 7) % cap));
	}
	KUNIT_ASSERT_EQ(test, slg_table_count(t), cap);
	/* ...and some seen again since. */
	for (i = 0; i < cap; i += 3) {
		struct slg_key k = key(AF_INET, i, 0);

		touch(t, &k, 2000 + i);
	}

	for (round = 0; round < rounds; round++) {
		struct slg_key victim, x = key(AF_INET6, 100 + round, 0);
		bool found = false;
		int bx, n;

		/* Let the evicted wait no longer: only the table decides. */
		rcu_barrier();
		KUNIT_ASSERT_NOT_NULL(test, get(probe, &x, 1));
		bx = bucket_of(probe, &x);
		KUNIT_ASSERT_GE(test, bx, 0);

		/* The stalest of x's bucket, or of the next non-empty one. */
		for (n = 0; n < 8 && !found; n++)
			found = oldest_in(t, (bx + n) & mask, &victim);

		if (!get(t, &x, 5000 + round)) {
			failed++;
			KUNIT_EXPECT_FALSE(test, found);
			continue;
		}
		evicted++;
		KUNIT_ASSERT_TRUE(test, found);
		KUNIT_EXPECT_EQ(test, bucket_of(t, &x), bx);
		KUNIT_EXPECT_FALSE_MSG(test, present(t, &victim),
				       "round %u: stalest source survived", round);
		KUNIT_EXPECT_EQ(test, slg_table_count(t), cap);
		KUNIT_EXPECT_EQ(test, atomic64_read(&t->evictions), evicted);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->insert_failed), failed);
	KUNIT_EXPECT_GT(test, evicted, rounds / 2);
	slg_table_destroy(probe);
	slg_table_destroy(t);
}

static void expire_removes_idle(struct kunit *test)
{
	struct slg_table *t = new_table(test, 64);
	struct slg_key a = key(AF_INET, 1, 0), b = key(AF_INET, 2, 0);
	struct slg_key c = key(AF_INET6, 3, 0), d = key(AF_INET6, 4, 0);

	KUNIT_ASSERT_NOT_NULL(test, get(t, &a, 100));
	KUNIT_ASSERT_NOT_NULL(test, get(t, &b, 500));
	KUNIT_ASSERT_NOT_NULL(test, get(t, &c, 900));
	KUNIT_ASSERT_NOT_NULL(test, get(t, &d, 100));
	/* d was seen again: last seen, not first seen, decides. */
	touch(t, &d, 950);

	KUNIT_EXPECT_EQ(test, slg_table_expire(t, 1000, 500), 2);
	KUNIT_EXPECT_FALSE(test, present(t, &a));
	KUNIT_EXPECT_FALSE(test, present(t, &b));	/* idle exactly 500 */
	KUNIT_EXPECT_TRUE(test, present(t, &c));
	KUNIT_EXPECT_TRUE(test, present(t, &d));
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->expired), 2);

	/* Nothing more is idle yet. */
	KUNIT_EXPECT_EQ(test, slg_table_expire(t, 1000, 500), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->expired), 2);
	/* A source seen "after now" (clock skew) is not idle. */
	touch(t, &c, 5000);
	KUNIT_EXPECT_EQ(test, slg_table_expire(t, 2000, 500), 1);
	KUNIT_EXPECT_TRUE(test, present(t, &c));
	KUNIT_EXPECT_FALSE(test, present(t, &d));
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->expired), 3);
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 1);

	/* Freed slots are usable again. */
	KUNIT_EXPECT_NOT_NULL(test, get(t, &a, 2000));
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 2);
	slg_table_destroy(t);
}

static void flush_net_only_that_net(struct kunit *test)
{
	struct slg_table *t = new_table(test, 64);
	unsigned int i;

	for (i = 0; i < 10; i++) {
		struct slg_key k = key(i & 1 ? AF_INET6 : AF_INET, i % 4,
				       1 + i % 3);

		KUNIT_ASSERT_NOT_NULL(test, get(t, &k, 100));
	}
	/* Cookies 1, 2, 3 hold 4, 3 and 3 sources. */
	KUNIT_ASSERT_EQ(test, slg_table_count(t), 10);
	KUNIT_EXPECT_EQ(test, slg_table_flush_net(t, 2), 3);
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 7);
	for (i = 0; i < 10; i++) {
		struct slg_key k = key(i & 1 ? AF_INET6 : AF_INET, i % 4,
				       1 + i % 3);

		KUNIT_EXPECT_EQ_MSG(test, present(t, &k), 1 + i % 3 != 2,
				    "source %u", i);
	}
	KUNIT_EXPECT_EQ(test, slg_table_flush_net(t, 2), 0);
	KUNIT_EXPECT_EQ(test, slg_table_flush_net(t, 99), 0);
	/* Flushing is no expiry. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->expired), 0);
	KUNIT_EXPECT_EQ(test, slg_table_flush_net(t, 1), 4);
	KUNIT_EXPECT_EQ(test, slg_table_count(t), 3);
	slg_table_destroy(t);
}

#define WALK_N	50

struct walk_ctx {
	const struct slg_source *seen[WALK_N + 1];
	unsigned int n;
	unsigned int budget;	/* entries to accept before refusing */
	unsigned int calls;
};

static int visit(struct slg_source *src, void *arg)
{
	struct walk_ctx *w = arg;

	w->calls++;
	if (!w->budget)
		return 1;
	w->budget--;
	if (w->n <= WALK_N)
		w->seen[w->n++] = src;
	return 0;
}

static void walk_resumes(struct kunit *test, struct slg_table *t,
			 unsigned int step)
{
	struct walk_ctx *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	unsigned long bucket = 0, skip = 0;
	unsigned int i, j, walks = 0;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, w);
	do {
		unsigned int before = w->n;

		w->budget = step;
		ret = slg_table_walk(t, &bucket, &skip, visit, w);
		walks++;
		KUNIT_ASSERT_LE(test, walks, WALK_N + 2);
		if (ret) {
			/* Stopped: exactly step accepted, cursor inside. */
			KUNIT_EXPECT_EQ(test, ret, 1);
			KUNIT_EXPECT_EQ(test, w->n - before, step);
			KUNIT_EXPECT_LT(test, bucket, t->nbuckets);
		}
	} while (ret);
	KUNIT_EXPECT_EQ(test, bucket, t->nbuckets);
	KUNIT_EXPECT_EQ_MSG(test, w->n, WALK_N, "step %u", step);
	KUNIT_EXPECT_EQ(test, walks, DIV_ROUND_UP(WALK_N, step));

	/* Every source exactly once. */
	for (i = 0; i < w->n; i++)
		for (j = i + 1; j < w->n; j++)
			KUNIT_EXPECT_PTR_NE_MSG(test, w->seen[i], w->seen[j],
						"step %u: seen twice", step);
	rcu_read_lock();
	for (i = 0; i < WALK_N; i++) {
		struct slg_key k = key(AF_INET, i, 7);
		const struct slg_source *src = slg_table_lookup(t, &k);
		bool seen = false;

		for (j = 0; j < w->n; j++)
			seen |= w->seen[j] == src;
		KUNIT_EXPECT_TRUE_MSG(test, seen, "step %u: source %u missed",
				      step, i);
	}
	rcu_read_unlock();

	/* A finished cursor visits nothing. */
	w->calls = 0;
	w->budget = WALK_N;
	KUNIT_EXPECT_EQ(test, slg_table_walk(t, &bucket, &skip, visit, w), 0);
	KUNIT_EXPECT_EQ(test, w->calls, 0);
}

static void walk_visits_each_once(struct kunit *test)
{
	struct slg_table *t = new_table(test, 64);
	unsigned int i;

	for (i = 0; i < WALK_N; i++) {
		struct slg_key k = key(AF_INET, i, 7);

		KUNIT_ASSERT_NOT_NULL(test, get(t, &k, 100 + i));
	}
	KUNIT_ASSERT_EQ(test, slg_table_count(t), WALK_N);
	walk_resumes(test, t, WALK_N + 10);
	walk_resumes(test, t, 7);
	walk_resumes(test, t, 3);
	walk_resumes(test, t, 1);
	slg_table_destroy(t);
}

static void walk_empty_table(struct kunit *test)
{
	struct slg_table *t = new_table(test, 16);
	struct walk_ctx *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	unsigned long bucket = 0, skip = 0;

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_EQ(test, slg_table_walk(t, &bucket, &skip, visit, w), 0);
	KUNIT_EXPECT_EQ(test, w->calls, 0);
	KUNIT_EXPECT_EQ(test, bucket, t->nbuckets);
	slg_table_destroy(t);
}

/*
 * A namespace flooding the table with spoofed sources may evict only its
 * own sources (or other guests'), never the host's: the host's sources,
 * windows and hold-offs survive any number of guest inserts.
 */
static void guest_flood_keeps_host_sources(struct kunit *test)
{
	const unsigned int cap = 256, host = 40;
	struct slg_table *t = new_table(test, cap);
	struct slg_quota *host_q = new_quota(test, cap, true);
	struct slg_quota *guest_q = new_quota(test, cap / 4, false);
	unsigned int i, kept = 0;

	for (i = 0; i < host; i++) {
		struct slg_key k = key(AF_INET, i, 1);

		KUNIT_ASSERT_NOT_NULL(test, get_in(t, &k, host_q, 1000));
	}
	/* The guest's sources are all newer than the host's. */
	for (i = 0; i < 20 * cap; i++) {
		struct slg_key k = key(AF_INET6, i, 2);

		get_in(t, &k, guest_q, 2000 + i);
		KUNIT_ASSERT_LE(test, slg_table_count(t), cap);
	}
	for (i = 0; i < host; i++) {
		struct slg_key k = key(AF_INET, i, 1);

		kept += present(t, &k);
	}
	KUNIT_EXPECT_EQ(test, kept, host);
	KUNIT_EXPECT_EQ(test, atomic_read(&host_q->count), host);
	KUNIT_EXPECT_EQ(test, atomic64_read(&host_q->evictions), 0);
	/* The guest keeps its share and churns within it. */
	KUNIT_EXPECT_EQ(test, atomic_read(&guest_q->count), cap / 4);
	KUNIT_EXPECT_GT(test, atomic64_read(&guest_q->evictions), 0);
	slg_table_destroy(t);
	KUNIT_EXPECT_EQ(test, atomic_read(&host_q->count), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&guest_q->count), 0);
}

/*
 * Guests together can fill the table; then a guest evicts its own sources
 * first, another guest's next, and never the host's: a table full of the
 * host's leaves a guest's inserts failing, counted.
 */
static void guest_evicts_own_first(struct kunit *test)
{
	const unsigned int cap = 64;
	struct slg_table *t = new_table(test, cap);
	struct slg_quota *host_q = new_quota(test, cap, true);
	struct slg_quota *a_q = new_quota(test, cap, false);
	struct slg_quota *b_q = new_quota(test, cap, false);
	unsigned int i, a_left = 0;
	u64 host_evicted;

	/* a fills the table, b's inserts then take a's room, never b's own. */
	for (i = 0; i < cap; i++) {
		struct slg_key k = key(AF_INET, i, 2);

		KUNIT_ASSERT_NOT_NULL(test, get_in(t, &k, a_q, 100));
	}
	for (i = 0; i < cap / 2; i++) {
		struct slg_key k = key(AF_INET, i, 3);

		get_in(t, &k, b_q, 200 + i);
		rcu_barrier();	/* no bound on entries waiting for readers */
	}
	KUNIT_EXPECT_EQ(test, slg_table_count(t), cap);
	KUNIT_EXPECT_GT(test, atomic_read(&b_q->count), 0);
	a_left = atomic_read(&a_q->count);
	KUNIT_EXPECT_LT(test, a_left, cap);
	KUNIT_EXPECT_EQ(test, a_left + atomic_read(&b_q->count), cap);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a_q->evictions),
			cap - a_left);

	/* The host takes everything back... */
	for (i = 0; i < 4 * cap; i++) {
		struct slg_key k = key(AF_INET6, i, 1);

		get_in(t, &k, host_q, 1000 + i);
		rcu_barrier();
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&a_q->count) + atomic_read(&b_q->count),
			0);
	KUNIT_EXPECT_EQ(test, atomic_read(&host_q->count), cap);
	/* ...and no guest can take it from the host. */
	host_evicted = atomic64_read(&host_q->evictions);
	for (i = 0; i < cap; i++) {
		struct slg_key k = key(AF_INET, 1000 + i, 2);

		KUNIT_EXPECT_NULL(test, get_in(t, &k, a_q, 5000 + i));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&host_q->count), cap);
	KUNIT_EXPECT_EQ(test, atomic64_read(&a_q->insert_failed), cap);
	KUNIT_EXPECT_EQ(test, atomic64_read(&host_q->evictions), host_evicted);
	slg_table_destroy(t);
}

/* A namespace at its quota replaces its own sources, within its share. */
static void quota_is_a_bound(struct kunit *test)
{
	const unsigned int cap = 128, share = 16;
	struct slg_table *t = new_table(test, cap);
	struct slg_quota *q = new_quota(test, share, false);
	unsigned int i, found = 0;

	for (i = 0; i < 8 * share; i++) {
		struct slg_key k = key(AF_INET, i, 2);

		get_in(t, &k, q, 100 + i);
		KUNIT_ASSERT_LE(test, atomic_read(&q->count), share);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&q->count), share);
	KUNIT_EXPECT_EQ(test, slg_table_count(t), share);
	KUNIT_EXPECT_EQ(test, atomic64_read(&q->evictions) +
			atomic64_read(&q->insert_failed), 7 * share);
	KUNIT_EXPECT_GT(test, atomic64_read(&q->evictions), 0);
	for (i = 0; i < 8 * share; i++) {
		struct slg_key k = key(AF_INET, i, 2);

		found += present(t, &k);
	}
	KUNIT_EXPECT_EQ(test, found, share);
	slg_table_destroy(t);
}

/*
 * Evicted entries wait for an RCU grace period before they are freed: a
 * flood of new sources, faster than grace periods pass, must not pile them
 * up. Here no grace period can pass (the loop holds rcu_read_lock), and
 * the entries in the table plus those waiting stay within the bound.
 */
static void rcu_pending_is_bounded(struct kunit *test)
{
	const unsigned int cap = 64;
	struct slg_table *t = new_table(test, cap);
	unsigned int i, failed = 0;

	rcu_read_lock();
	for (i = 0; i < 20 * cap; i++) {
		struct slg_key k = key(AF_INET, i, 0);

		if (!slg_table_get(t, &k, NULL, 1, 100 + i))
			failed++;
		KUNIT_ASSERT_LE(test, atomic_read(&t->objects), t->max_objects);
	}
	rcu_read_unlock();
	KUNIT_EXPECT_GE(test, t->max_objects, cap);
	KUNIT_EXPECT_LE(test, t->max_objects, 2 * cap);
	KUNIT_EXPECT_GT(test, failed, 0);
	/* Failing for memory evicts nothing: the table stays full. */
	KUNIT_EXPECT_EQ(test, slg_table_count(t), cap);
	/* Once readers are gone the waiting entries are freed. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->objects), slg_table_count(t));
	for (i = 0; i < 20 * cap; i++) {
		struct slg_key k = key(AF_INET6, i, 0);

		KUNIT_EXPECT_NOT_NULL(test, get(t, &k, 10000 + i));
		if ((i & 7) == 7)
			rcu_barrier();
	}
	slg_table_destroy(t);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->objects), 0);
}

static void init_rejects_zero_capacity(struct kunit *test)
{
	struct slg_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, slg_table_init(t, 0), -EINVAL);
	/* Destroying a table that never came up is harmless. */
	slg_table_destroy(t);

	KUNIT_ASSERT_EQ(test, slg_table_init(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->capacity, 1);
	KUNIT_EXPECT_TRUE(test, is_power_of_2(t->nbuckets));
	slg_table_destroy(t);
	KUNIT_EXPECT_NULL(test, t->buckets);
}

static struct kunit_case slaguard_srctable_cases[] = {
	KUNIT_CASE(key_init_is_canonical),
	KUNIT_CASE(insert_and_lookup),
	KUNIT_CASE(keys_differ_by_netns_and_family),
	KUNIT_CASE(capacity_is_a_bound),
	KUNIT_CASE(evicts_least_recently_seen),
	KUNIT_CASE(expire_removes_idle),
	KUNIT_CASE(flush_net_only_that_net),
	KUNIT_CASE(walk_visits_each_once),
	KUNIT_CASE(walk_empty_table),
	KUNIT_CASE(init_rejects_zero_capacity),
	KUNIT_CASE(guest_flood_keeps_host_sources),
	KUNIT_CASE(guest_evicts_own_first),
	KUNIT_CASE(quota_is_a_bound),
	KUNIT_CASE(rcu_pending_is_bounded),
	{}
};

static struct kunit_suite slaguard_srctable_suite = {
	.name = "slaguard_srctable",
	.test_cases = slaguard_srctable_cases,
};

kunit_test_suite(slaguard_srctable_suite);
