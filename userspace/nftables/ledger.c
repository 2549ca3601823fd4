// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_ledger.c - the countermeasures the backend has put in the kernel and
 * when each ends. The kernel is the authority on what is enforced; the
 * ledger exists so that the backend can count active actions against the
 * cap, avoid duplicates, and put everything still due back after someone
 * flushes the table. Hash-chained for 100k+ entries; interval entries are
 * also on a list because overlap checks must scan them.
 *
 * Changes staged in a batch are journalled so that a transaction the kernel
 * refuses leaves the ledger exactly as it was.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* FNV spreads bytes poorly into the low bits; finish with a 64-bit mix. */
static uint64_t mixed_hash(enum nftb_set set, const struct nftb_key *key)
{
	uint64_t h = nftb_key_hash(key) ^ ((uint64_t)set * 0x9e3779b97f4a7c15ull);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static size_t bucket_of(const struct nftb_ledger *l, enum nftb_set set,
			const struct nftb_key *key)
{
	return (size_t)(mixed_hash(set, key) & (l->nbuckets - 1));
}

int nftb_ledger_init(struct nftb_ledger *l)
{
	memset(l, 0, sizeof(*l));
	l->nbuckets = 1024;
	l->buckets = calloc(l->nbuckets, sizeof(*l->buckets));
	l->next_expiry_ms = UINT64_MAX;
	return l->buckets ? 0 : -ENOMEM;
}

void nftb_ledger_free(struct nftb_ledger *l)
{
	for (size_t i = 0; l->buckets && i < l->nbuckets; i++) {
		struct nftb_ledger_entry *e = l->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(l->buckets);
	free(l->undo);
	free(l->undo_index);
	memset(l, 0, sizeof(*l));
}

/* Doubles the bucket array; on ENOMEM the ledger just gets slower. */
static void grow(struct nftb_ledger *l)
{
	size_t old_n = l->nbuckets;
	struct nftb_ledger_entry **old = l->buckets, **fresh;

	fresh = calloc(old_n * 2, sizeof(*fresh));
	if (!fresh)
		return;
	l->buckets = fresh;
	l->nbuckets = old_n * 2;
	for (size_t i = 0; i < old_n; i++) {
		struct nftb_ledger_entry *e = old[i], *next;

		for (; e; e = next) {
			size_t b = bucket_of(l, e->set, &e->key);

			next = e->next;
			e->next = fresh[b];
			fresh[b] = e;
		}
	}
	free(old);
}

struct nftb_ledger_entry *nftb_ledger_find(struct nftb_ledger *l, enum nftb_set set,
					   const struct nftb_key *key)
{
	struct nftb_ledger_entry *e = l->buckets[bucket_of(l, set, key)];

	for (; e; e = e->next)
		if (e->set == set && nftb_key_equal(&e->key, key))
			return e;
	return NULL;
}

struct nftb_ledger_entry *nftb_ledger_overlap(struct nftb_ledger *l, enum nftb_set set,
					      const struct nftb_key *key, uint64_t now_ms)
{
	for (struct nftb_ledger_entry *e = l->intervals; e; e = e->inext)
		if (e->set == set && e->expires_at_ms > now_ms &&
		    nftb_key_overlap(&e->key, key) && !nftb_key_equal(&e->key, key))
			return e;
	return NULL;
}

int nftb_ledger_put(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key,
		    uint64_t timeout_ms, uint64_t expires_at_ms, const char *comment)
{
	return nftb_ledger_put_at(l, nftb_ledger_find(l, set, key), set, key, timeout_ms,
				  expires_at_ms, comment);
}

int nftb_ledger_put_at(struct nftb_ledger *l, struct nftb_ledger_entry *cur,
		       enum nftb_set set, const struct nftb_key *key, uint64_t timeout_ms,
		       uint64_t expires_at_ms, const char *comment)
{
	struct nftb_ledger_entry *e = cur;
	size_t b;

	if (!e) {
		if (l->count >= l->nbuckets)
			grow(l);
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->set = set;
		e->key = *key;
		b = bucket_of(l, set, key);
		e->next = l->buckets[b];
		l->buckets[b] = e;
		if (nftb_set_interval(set)) {
			e->inext = l->intervals;
			if (e->inext)
				e->inext->iprev = &e->inext;
			e->iprev = &l->intervals;
			l->intervals = e;
		}
		l->count++;
	}
	e->timeout_ms = timeout_ms;
	e->expires_at_ms = expires_at_ms;
	strncpy(e->comment, comment, sizeof(e->comment) - 1);
	e->comment[sizeof(e->comment) - 1] = '\0';
	if (expires_at_ms < l->next_expiry_ms)
		l->next_expiry_ms = expires_at_ms;
	return 0;
}

static void unlink_entry(struct nftb_ledger *l, struct nftb_ledger_entry **link)
{
	struct nftb_ledger_entry *e = *link;

	*link = e->next;
	if (e->iprev) {
		*e->iprev = e->inext;
		if (e->inext)
			e->inext->iprev = e->iprev;
	}
	l->count--;
	free(e);
}

void nftb_ledger_del(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key)
{
	struct nftb_ledger_entry **link = &l->buckets[bucket_of(l, set, key)];

	for (; *link; link = &(*link)->next) {
		if ((*link)->set == set && nftb_key_equal(&(*link)->key, key)) {
			unlink_entry(l, link);
			return;
		}
	}
}

/*
 * Forgets what the kernel has expired by now. Cheap when nothing is due:
 * the earliest expiry is remembered, so a full sweep happens only when at
 * least one entry has ended.
 */
size_t nftb_ledger_prune(struct nftb_ledger *l, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	size_t removed = 0;

	if (now_ms < l->next_expiry_ms)
		return 0;
	for (size_t i = 0; i < l->nbuckets; i++) {
		struct nftb_ledger_entry **link = &l->buckets[i];

		while (*link) {
			if ((*link)->expires_at_ms <= now_ms) {
				unlink_entry(l, link);
				removed++;
				continue;
			}
			if ((*link)->expires_at_ms < next)
				next = (*link)->expires_at_ms;
			link = &(*link)->next;
		}
	}
	l->next_expiry_ms = next;
	return removed;
}

static size_t slot_of(const struct nftb_ledger *l, enum nftb_set set,
		      const struct nftb_key *key)
{
	return (size_t)(mixed_hash(set, key) & (l->undo_index_cap - 1));
}

static bool journalled(const struct nftb_ledger *l, enum nftb_set set,
		       const struct nftb_key *key)
{
	if (!l->undo_index_cap)
		return false;
	for (size_t i = slot_of(l, set, key); l->undo_index[i];
	     i = (i + 1) & (l->undo_index_cap - 1)) {
		const struct nftb_undo *u = &l->undo[l->undo_index[i] - 1];

		if (u->set == set && nftb_key_equal(&u->key, key))
			return true;
	}
	return false;
}

static void index_insert(struct nftb_ledger *l, size_t pos)
{
	const struct nftb_undo *u = &l->undo[pos];
	size_t i = slot_of(l, u->set, &u->key);

	while (l->undo_index[i])
		i = (i + 1) & (l->undo_index_cap - 1);
	l->undo_index[i] = pos + 1;
}

/* Keeps the index at most half full, rebuilding it when it grows. */
static int index_reserve(struct nftb_ledger *l)
{
	size_t cap = l->undo_index_cap ? l->undo_index_cap : 256;
	size_t *fresh;

	if ((l->undo_len + 1) * 2 <= l->undo_index_cap)
		return 0;
	while ((l->undo_len + 1) * 2 > cap)
		cap *= 2;
	fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	free(l->undo_index);
	l->undo_index = fresh;
	l->undo_index_cap = cap;
	for (size_t i = 0; i < l->undo_len; i++)
		index_insert(l, i);
	return 0;
}

/*
 * Records how (set, key) was before the open batch first changed it; later
 * changes to the same key in the batch keep that first record, so commit
 * sees the net effect and rollback restores the state before the batch.
 */
int nftb_ledger_journal(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key,
			const struct nftb_ledger_entry *cur)
{
	struct nftb_undo *u;

	if (journalled(l, set, key))
		return 0;
	if (index_reserve(l))
		return -ENOMEM;
	if (l->undo_len == l->undo_cap) {
		size_t cap = l->undo_cap ? l->undo_cap * 2 : 64;

		u = realloc(l->undo, cap * sizeof(*u));
		if (!u)
			return -ENOMEM;
		l->undo = u;
		l->undo_cap = cap;
	}
	u = &l->undo[l->undo_len];
	u->existed = cur != NULL;
	u->set = set;
	u->key = *key;
	if (cur)
		u->before = *cur;
	index_insert(l, l->undo_len++);
	return 0;
}

void nftb_ledger_rollback(struct nftb_ledger *l)
{
	while (l->undo_len) {
		struct nftb_undo *u = &l->undo[--l->undo_len];

		if (u->existed)
			nftb_ledger_put(l, u->set, &u->key, u->before.timeout_ms,
					u->before.expires_at_ms, u->before.comment);
		else
			nftb_ledger_del(l, u->set, &u->key);
	}
	nftb_ledger_forget_journal(l);
}

void nftb_ledger_forget_journal(struct nftb_ledger *l)
{
	l->undo_len = 0;
	/* After a big batch, free rather than clear for every later single op. */
	if (l->undo_index_cap > 4096) {
		free(l->undo_index);
		l->undo_index = NULL;
		l->undo_index_cap = 0;
		free(l->undo);
		l->undo = NULL;
		l->undo_cap = 0;
	} else if (l->undo_index) {
		memset(l->undo_index, 0, l->undo_index_cap * sizeof(*l->undo_index));
	}
}

int nftb_ledger_each(struct nftb_ledger *l, nftb_ledger_fn fn, void *arg)
{
	for (size_t i = 0; i < l->nbuckets; i++) {
		for (struct nftb_ledger_entry *e = l->buckets[i]; e; e = e->next) {
			int ret = fn(e, arg);

			if (ret)
				return ret;
		}
	}
	return 0;
}
