// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_reconcile.c - on daemon start, make the ledger and the table agree.
 *
 * A previous daemon (killed with -9, or upgraded) leaves countermeasures in
 * the kernel that are still due. They are adopted, not added again, so
 * there are no duplicates. Elements without a slaguard comment, or without
 * a timeout, were not put there by slaguard and are cleared, so there are no
 * orphans. An element in the wrong set (a /32 in a range set) is moved.
 * Ledger entries the kernel no longer holds are forgotten: the kernel is the
 * authority on what is enforced. Elements of addresses the guard protects
 * now (left by an older daemon, or before a route or the allowlist changed)
 * are lifted, each logged.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct plan {
	struct nftb_reconcile_stats *stats;
	struct nftb_ops clear;
	uint64_t now_ms;
};

static void describe(const struct nftb_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s in %s (%s)", e->addr, e->set,
		 e->comment[0] ? e->comment : "no comment");
}

static int remove_entry(struct plan *p, enum nftb_set set, const struct nftb_key *key)
{
	struct nftb_op op;

	memset(&op, 0, sizeof(op));
	op.type = NFTB_OP_DEL;
	op.set = (uint8_t)set;
	op.key = *key;
	return nftb_ops_push(&p->clear, &op);
}

static int clear_entry(struct nftb *nb, struct plan *p, enum nftb_set set,
		       const struct nftb_key *key, const struct nftb_entry *e, const char *why)
{
	char what[NFTB_ADDR_MAX + NFTB_COMMENT_MAX + 48];

	describe(e, what, sizeof(what));
	nftb_log(nb, NFTB_LOG_INFO, "%sclearing %s: %s", nb->dry_run ? "dry-run: would be " : "",
		 what, why);
	p->stats->cleared++;
	return remove_entry(p, set, key);
}

/* A slaguard element of an address that is protected now (an older daemon,
 * another allowlist, a new route): lifted, not adopted. */
static int lift_entry(struct nftb *nb, struct plan *p, enum nftb_set set,
		      const struct nftb_key *key, const struct nftb_entry *e,
		      const struct nftb_guard_entry *hit)
{
	char what[NFTB_ADDR_MAX + NFTB_COMMENT_MAX + 48], why[400];

	describe(e, what, sizeof(what));
	nftb_guard_explain(hit, key, why, sizeof(why));
	nftb_log(nb, NFTB_LOG_WARN, "%slifting %s: %s", nb->dry_run ? "dry-run: would be " : "",
		 what, why);
	p->stats->lifted++;
	return remove_entry(p, set, key);
}

/* Ledger expiry for a listed element: JSON truncates to seconds, round up. */
static uint64_t listed_expiry(const struct nftb_entry *e, uint64_t now_ms)
{
	return now_ms + e->expires_ms + 1000 + NFTB_LEDGER_SLACK_MS;
}

static int adopt(struct nftb *nb, struct plan *p, enum nftb_set set, enum nftb_set right,
		 const struct nftb_key *key, const struct nftb_entry *e)
{
	struct nftb_ledger_entry *known = nftb_ledger_find(&nb->ledger, right, key);
	uint64_t expiry = listed_expiry(e, p->now_ms);
	int ret;

	if (nb->dry_run) {
		p->stats->adopted++;
		return 0;
	}
	if (set != right) {
		/* moved: journalled, so commit adds it to the right set */
		ret = nftb_ledger_journal(&nb->ledger, right, key, known);
		if (!ret)
			ret = nftb_ledger_put_at(&nb->ledger, known, right, key, e->timeout_ms,
						 expiry, e->comment);
		known = nftb_ledger_find(&nb->ledger, right, key);
		if (known)
			known->seen = true;
		if (!ret)
			ret = clear_entry(nb, p, set, key, e, "misplaced; moved to its set");
		return ret;
	}
	if (known)
		p->stats->already_known++;
	else
		p->stats->adopted++;
	ret = nftb_ledger_put(&nb->ledger, set, key, e->timeout_ms, expiry, e->comment);
	known = nftb_ledger_find(&nb->ledger, set, key);
	if (known)
		known->seen = true;
	return ret;
}

static int plan_entry(struct nftb *nb, struct plan *p, const struct nftb_entry *e)
{
	int id = nftb_set_by_name(e->set);
	const struct nftb_guard_entry *hit;
	enum nftb_set right;
	struct nftb_key key;

	if (id < 0 || nftb_entry_key(e, &key)) {
		nftb_log(nb, NFTB_LOG_WARN, "cannot read element %s of set %s; left alone",
			 e->addr, e->set);
		return 0;
	}
	if (!e->ours)
		return clear_entry(nb, p, (enum nftb_set)id, &key, e, "no slaguard comment");
	if (!e->timeout_ms)
		return clear_entry(nb, p, (enum nftb_set)id, &key, e, "no timeout");
	if (nftb_set_for(e->kind, &key, &right))
		return clear_entry(nb, p, (enum nftb_set)id, &key, e, "not a valid source");
	hit = nftb_guard_hit(&nb->guard, &key);
	if (hit)
		return lift_entry(nb, p, (enum nftb_set)id, &key, e, hit);
	return adopt(nb, p, (enum nftb_set)id, right, &key, e);
}

static int unmark(struct nftb_ledger_entry *e, void *arg)
{
	(void)arg;
	e->seen = false;
	return 0;
}

/* Forgets ledger entries the listing did not show. */
static size_t sweep(struct nftb *nb)
{
	struct nftb_ledger *l = &nb->ledger;
	size_t gone = 0;

	for (size_t i = 0; i < l->nbuckets; i++) {
		struct nftb_ledger_entry *e = l->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			if (!e->seen && !nb->dry_run) {
				nftb_ledger_del(l, e->set, &e->key);
				gone++;
			}
		}
	}
	return gone;
}

static int read_and_plan(struct nftb *nb, struct plan *p, bool present)
{
	struct nftb_entry *entries = NULL;
	size_t count = 0;
	int ret = 0;

	nftb_ledger_each(&nb->ledger, unmark, NULL);
	if (present)
		ret = nftb_list_kernel(nb, &entries, &count);
	for (size_t i = 0; i < count && !ret; i++)
		ret = plan_entry(nb, p, &entries[i]);
	nftb_list_free(entries);
	if (!ret && present) {
		size_t gone = sweep(nb);

		if (gone)
			nftb_log(nb, NFTB_LOG_WARN, "%zu countermeasure(s) no longer in the kernel; "
				 "forgotten", gone);
	}
	return ret;
}

int nftb_reconcile(struct nftb *nb, struct nftb_reconcile_stats *stats)
{
	struct nftb_reconcile_stats dummy = { 0 };
	struct nftb_table_state st;
	struct plan p;
	int ret;

	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "reconcile inside a batch");
	memset(&p, 0, sizeof(p));
	p.stats = stats ? stats : &dummy;
	memset(p.stats, 0, sizeof(*p.stats));
	p.now_ms = nftb_now_ms();
	ret = nftb_table_state(nb, &st);
	if (!ret)
		ret = read_and_plan(nb, &p, st.present);
	if (!ret && !nftb_table_current(nb, &st)) {
		/* the old table goes, with whatever was not adopted */
		nftb_ledger_forget_journal(&nb->ledger);
		p.stats->table_loaded = true;
		ret = nftb_table_restore(nb, st.present ? "outdated definition" : "absent");
	} else if (!ret && !nb->dry_run) {
		ret = nftb_commit_journal(nb, &p.clear);
		nb->fingerprint = st.fingerprint;
		nb->have_fingerprint = true;
	}
	if (ret)
		nftb_ledger_forget_journal(&nb->ledger);
	nftb_ops_free(&p.clear);
	nftb_settle(nb);
	if (!ret)
		nftb_log(nb, NFTB_LOG_INFO, "reconciled table inet %s: %zu adopted, %zu already "
			 "known, %zu cleared, %zu lifted (protected)%s", NFTB_TABLE_NAME,
			 p.stats->adopted, p.stats->already_known, p.stats->cleared, p.stats->lifted,
			 p.stats->table_loaded ? ", table (re)loaded" : "");
	return ret;
}
