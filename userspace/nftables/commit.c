// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_commit.c - from "what the ledger should hold" to kernel operations.
 *
 * A batch updates the ledger as it stages and journals the state of each
 * touched (set, source) before its first change. Commit compares journal and
 * ledger per source, so staging the same source several times still yields
 * one net change, and emits it in three phases so that no source appears
 * twice in a phase:
 *
 *   1. ensure: add (without NLM_F_EXCL) every source about to be deleted.
 *      A no-op if the kernel holds it; otherwise a transient element. This
 *      makes phase 2 unable to fail with ENOENT when the kernel expired the
 *      element a moment ago, which would abort the whole transaction.
 *   2. delete: sources revoked, or replaced with a new timeout/comment (the
 *      kernel does not update an existing element's timeout on Linux 6.1).
 *   3. add: sources in place after the batch, with their timeout and the
 *      time left.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

struct phases {
	struct nftb_ops ensure, del, add;
};

static void phases_free(struct phases *p)
{
	nftb_ops_free(&p->ensure);
	nftb_ops_free(&p->del);
	nftb_ops_free(&p->add);
}

static int push(struct nftb_ops *ops, enum nftb_op_type type, enum nftb_set set,
		const struct nftb_key *key)
{
	struct nftb_op op;

	memset(&op, 0, sizeof(op));
	op.type = (uint8_t)type;
	op.set = (uint8_t)set;
	op.key = *key;
	return nftb_ops_push(ops, &op);
}

/* The add that puts a ledger entry in the kernel, as of now_ms. */
static int push_entry(struct nftb_ops *ops, const struct nftb_ledger_entry *e, uint64_t now_ms)
{
	uint64_t end = e->expires_at_ms - NFTB_LEDGER_SLACK_MS;
	uint64_t left = end > now_ms ? end - now_ms : 1;
	int ret = push(ops, NFTB_OP_ADD, e->set, &e->key);

	if (ret)
		return ret;
	ops->v[ops->len - 1].timeout_ms = e->timeout_ms > left ? e->timeout_ms : left;
	ops->v[ops->len - 1].expires_ms = left;
	ops->v[ops->len - 1].comment = e->comment;
	return 0;
}

static bool unchanged(const struct nftb_undo *u, const struct nftb_ledger_entry *now)
{
	return u->existed && now && u->before.expires_at_ms == now->expires_at_ms &&
	       !strcmp(u->before.comment, now->comment);
}

static int plan(struct nftb *nb, struct phases *p, const struct nftb_ops *extra_dels,
		uint64_t now_ms)
{
	struct nftb_ledger *l = &nb->ledger;
	int ret = 0;

	for (size_t i = 0; extra_dels && i < extra_dels->len && !ret; i++) {
		const struct nftb_op *op = &extra_dels->v[i];

		ret = push(&p->ensure, NFTB_OP_ADD, op->set, &op->key);
		if (!ret) {
			p->ensure.v[p->ensure.len - 1].timeout_ms = 1000;
			ret = push(&p->del, NFTB_OP_DEL, op->set, &op->key);
		}
	}

	for (size_t i = 0; i < l->undo_len && !ret; i++) {
		const struct nftb_undo *u = &l->undo[i];
		const struct nftb_ledger_entry *e = nftb_ledger_find(l, u->set, &u->key);

		if (unchanged(u, e))
			continue;
		if (u->existed) {
			ret = push(&p->ensure, NFTB_OP_ADD, u->set, &u->key);
			if (!ret) {
				/* transient: gone with phase 2, or by itself */
				p->ensure.v[p->ensure.len - 1].timeout_ms = 1000;
				ret = push(&p->del, NFTB_OP_DEL, u->set, &u->key);
			}
		}
		if (!ret && e)
			ret = push_entry(&p->add, e, now_ms);
	}
	return ret;
}

/*
 * Big batches are sent with the notification socket unsubscribed: with a
 * listener, the kernel builds one notification per element, which makes a
 * 100k insert about six times slower. What happened meanwhile is caught by
 * checking the table once the batch is settled (nftb_settle()).
 */
#define PAUSE_WATCH_MIN 256

int nftb_commit_ops(struct nftb *nb, const struct nftb_ops *const *lists, size_t nlists)
{
	size_t total = 0;
	bool paused = false;
	int ret;

	for (size_t i = 0; i < nlists; i++)
		total += lists[i]->len;
	if (total >= PAUSE_WATCH_MIN)
		paused = nftb_watch_pause(nb);
	ret = nftb_nl_commit(nb->nl, lists, nlists, nb->err, sizeof(nb->err));
	if (paused)
		nftb_watch_resume(nb);
	return ret;
}

/*
 * Sends the open batch's net changes, plus deletions of elements the ledger
 * never held (reconcile's clean-up), as one transaction: all or nothing.
 */
int nftb_commit_journal(struct nftb *nb, const struct nftb_ops *extra_dels)
{
	struct phases p;
	int ret;

	memset(&p, 0, sizeof(p));
	nb->err[0] = '\0';
	ret = plan(nb, &p, extra_dels, nftb_now_ms());
	if (ret) {
		nftb_fail(nb, ret, "out of memory planning an nftables transaction");
	} else {
		const struct nftb_ops *lists[] = { &p.ensure, &p.del, &p.add };

		ret = nftb_commit_ops(nb, lists, 3);
	}
	if (ret)
		nftb_ledger_rollback(&nb->ledger);
	else
		nftb_ledger_forget_journal(&nb->ledger);
	phases_free(&p);
	return ret;
}

static int add_entry_cb(struct nftb_ledger_entry *e, void *arg)
{
	void **a = arg;
	uint64_t now = *(uint64_t *)a[1];

	/* over by the kernel's clock already, only the ledger's margin left */
	if (e->expires_at_ms <= now + NFTB_LEDGER_SLACK_MS)
		return 0;
	return push_entry(a[0], e, now);
}

/* Adds for everything the ledger holds, to refill a freshly loaded table. */
int nftb_ops_from_ledger(struct nftb *nb, struct nftb_ops *ops)
{
	uint64_t now = nftb_now_ms();
	void *arg[2] = { ops, &now };

	nftb_ledger_prune(&nb->ledger, now);
	return nftb_ledger_each(&nb->ledger, add_entry_cb, arg);
}
