// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_backend.c - the backend's public face: open/close, the checks every
 * countermeasure passes before it is staged (comment, timeout, source,
 * allowlist and self protection, overlap, cap, dry-run), batches, and
 * messages. The kernel work is in nft_commit.c/nft_mnl.c (elements),
 * nft_table.c (definition), nft_watch.c (restores) and nft_reconcile.c.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nftables/libnftables.h>

uint64_t nftb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void stderr_log(void *arg, enum nftb_log_level level, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	(void)arg;
	if (level <= NFTB_LOG_INFO)
		fprintf(stderr, "slaguardd: nft: %s: %s\n", names[level], msg);
}

void nftb_log(struct nftb *nb, enum nftb_log_level level, const char *fmt, ...)
{
	char msg[1400];
	va_list ap;

	if (level == NFTB_LOG_DEBUG && !nb->log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nb->log(nb->log_arg, level, msg);
}

/* Sets the message for nftb_last_error() and returns errnum (negative). */
int nftb_fail(struct nftb *nb, int errnum, const char *fmt, ...)
{
	char msg[sizeof(nb->err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(nb->err, msg, sizeof(msg));
	return errnum;
}

const char *nftb_last_error(const struct nftb *nb)
{
	return nb->err;
}

bool nftb_inspect_enabled(const struct nftb *nb)
{
	return nb->inspect_on;
}

static int open_parts(struct nftb *nb, const struct nftb_opts *opts)
{
	int ret = nftb_ledger_init(&nb->ledger);

	if (ret)
		return nftb_fail(nb, ret, "out of memory");
	ret = nftb_guard_init(&nb->guard, opts->allowlist, opts->allowlist_len,
			      !opts->allow_self, opts->resolv_conf, nb->err, sizeof(nb->err));
	if (!ret)
		ret = nftb_table_load_files(nb, opts);
	if (ret)
		return ret;
	nb->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nb->nft || nft_ctx_buffer_output(nb->nft) || nft_ctx_buffer_error(nb->nft))
		return nftb_fail(nb, -ENOMEM, "cannot create a libnftables context");
	ret = nftb_nl_open(&nb->nl, nb->err, sizeof(nb->err));
	if (!ret && !opts->no_watch)
		ret = nftb_watch_open(nb);
	return ret;
}

/*
 * Opens sockets and reads the definition; touches nothing in the kernel.
 * On failure the reason goes to the log, as there is no handle to ask.
 */
int nftb_open(struct nftb **out, const struct nftb_opts *opts)
{
	static const struct nftb_opts defaults;
	struct nftb *nb = calloc(1, sizeof(*nb));
	int ret;

	*out = NULL;
	if (!nb)
		return -ENOMEM;
	if (!opts)
		opts = &defaults;
	nb->dry_run = opts->dry_run;
	nb->max_actions = opts->max_actions;
	nb->log = opts->log ? opts->log : stderr_log;
	nb->log_arg = opts->log_arg;
	nb->log_debug = opts->log_debug;
	ret = open_parts(nb, opts);
	if (ret) {
		nftb_log(nb, NFTB_LOG_ERR, "%s", nb->err);
		nftb_close(nb);
		return ret;
	}
	*out = nb;
	return 0;
}

void nftb_close(struct nftb *nb)
{
	if (!nb)
		return;
	/* closing must not restore anything on its way out */
	nb->restore_pending = nb->verify_pending = false;
	nftb_watch_close(nb);
	if (nb->in_batch)
		nftb_batch_abort(nb);
	nftb_nl_close(nb->nl);
	if (nb->nft)
		nft_ctx_free(nb->nft);
	nftb_ledger_free(&nb->ledger);
	nftb_guard_free(&nb->guard);
	free(nb->table_text);
	free(nb->inspect_text);
	free(nb);
}

int nftb_ensure_table(struct nftb *nb)
{
	struct nftb_table_state st;
	int ret;

	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "cannot load the table inside a batch");
	ret = nftb_table_state(nb, &st);
	if (ret)
		return ret;
	if (nftb_table_current(nb, &st)) {
		nb->fingerprint = st.fingerprint;
		nb->have_fingerprint = true;
		return 0;
	}
	return nftb_table_restore(nb, !st.present ? "absent" :
				  strcmp(st.comment, nb->version) ? "outdated definition" :
				  "changed by another process");
}

/* Rule and alert ids: no spaces or quotes, so the comment parses back. */
static bool id_char(int c)
{
	return isalnum(c) || strchr("._:@/-+", c);
}

static const char *skip_id(const char *p)
{
	const char *start = p;

	while (*p && id_char((unsigned char)*p))
		p++;
	return p > start ? p : NULL;
}

static bool valid_id(const char *id)
{
	const char *end = id ? skip_id(id) : NULL;

	return end && !*end;
}

/* "slaguard rule=<id> alert=<id>" then optional " key=<id>" fields. */
bool nftb_comment_valid(const char *comment)
{
	const char *p = comment;

	if (!p || strlen(p) >= NFTB_COMMENT_MAX || strncmp(p, "slaguard rule=", 14))
		return false;
	p = skip_id(p + 14);
	if (!p || strncmp(p, " alert=", 7) || !(p = skip_id(p + 7)))
		return false;
	while (*p == ' ') {
		const char *key = ++p;

		while (islower((unsigned char)*p) || *p == '_')
			p++;
		if (p == key || *p != '=' || !(p = skip_id(p + 1)))
			return false;
	}
	return *p == '\0';
}

int nftb_comment(char *buf, size_t size, const char *rule, const char *alert)
{
	int n;

	if (!valid_id(rule) || !valid_id(alert))
		return -EINVAL;
	n = snprintf(buf, size, "slaguard rule=%s alert=%s", rule, alert);
	return n < 0 || (size_t)n >= size || n >= NFTB_COMMENT_MAX ? -ENOSPC : 0;
}

static int check_request(struct nftb *nb, enum nftb_kind kind, const char *source,
			 unsigned int timeout_s, const char *comment, struct nftb_key *key)
{
	char why[200];

	if ((unsigned int)kind >= NFTB_KIND_COUNT || !source)
		return nftb_fail(nb, -EINVAL, "no such countermeasure kind or no source");
	if (!nftb_comment_valid(comment))
		return nftb_fail(nb, -EINVAL, "comment \"%s\" is not \"slaguard rule=<id> "
				 "alert=<id>\" (see nftb_comment())", comment ? comment : "");
	if (timeout_s == 0 || timeout_s > NFTB_TIMEOUT_MAX_S)
		return nftb_fail(nb, -EINVAL, "timeout %us for %s: every countermeasure must "
				 "expire, within 1..%u s", timeout_s, source, NFTB_TIMEOUT_MAX_S);
	if (nftb_key_parse(source, key, why, sizeof(why)))
		return nftb_fail(nb, -EINVAL, "%s", why);
	if (key->plen == NFTB_PLEN_RANGE)
		return nftb_fail(nb, -EINVAL, "\"%s\": give ranges as CIDR prefixes", source);
	if (kind != NFTB_BLOCK && !nftb_key_single(key))
		return nftb_fail(nb, -EINVAL, "\"%s\": %s takes single addresses; only block "
				 "takes ranges", source, nftb_kind_name(kind));
	if (kind == NFTB_LIMIT_DST && !key->port)
		return nftb_fail(nb, -EINVAL, "\"%s\": %s takes a destination \"address . "
				 "port\"", source, nftb_kind_name(kind));
	if (kind != NFTB_LIMIT_DST && key->port)
		return nftb_fail(nb, -EINVAL, "\"%s\": %s takes a source address, not a "
				 "destination", source, nftb_kind_name(kind));
	return 0;
}

/*
 * Allowlist and self protection: refused here, never sent to the kernel.
 * A destination limit (address . port) meets no guard entry: limiting the
 * SYNs to one of our services under a flood locks nobody out.
 */
static int check_protected(struct nftb *nb, enum nftb_kind kind, const char *source,
			   const struct nftb_key *key)
{
	const struct nftb_guard_entry *hit = nftb_guard_hit(&nb->guard, key);
	char why[400];

	if (!hit)
		return 0;
	nftb_guard_explain(hit, key, why, sizeof(why));
	nftb_log(nb, NFTB_LOG_WARN, "refused to %s %s: %s", nftb_kind_name(kind), source, why);
	return nftb_fail(nb, -EPERM, "refusing to %s %s: %s", nftb_kind_name(kind), source, why);
}

static int check_new(struct nftb *nb, enum nftb_set set, const char *source,
		     const struct nftb_key *key, uint64_t now)
{
	const struct nftb_ledger_entry *o = nftb_set_interval(set) ?
		nftb_ledger_overlap(&nb->ledger, set, key, now) : NULL;
	char other[NFTB_ADDR_MAX];

	if (o) {
		nftb_key_format(&o->key, other, sizeof(other));
		return nftb_fail(nb, -EEXIST, "%s overlaps %s, already in %s (%s); revoke that "
				 "first", source, other, nftb_set_name(set), o->comment);
	}
	if (nb->max_actions && nb->ledger.count >= nb->max_actions)
		return nftb_fail(nb, -ENOSPC, "refusing %s: the cap of %zu active countermeasures "
				 "is reached", source, nb->max_actions);
	return 0;
}

/* Stages into the open batch, or commits on its own when there is none. */
static int stage(struct nftb *nb, struct nftb_ledger_entry *cur, enum nftb_set set,
		 const struct nftb_key *key, uint64_t timeout_ms, uint64_t expires_at,
		 const char *comment, bool remove)
{
	bool implicit = !nb->in_batch;
	int ret = nftb_ledger_journal(&nb->ledger, set, key, cur);

	if (!ret && remove)
		nftb_ledger_del(&nb->ledger, set, key);
	else if (!ret)
		ret = nftb_ledger_put_at(&nb->ledger, cur, set, key, timeout_ms, expires_at,
					 comment);
	if (ret) {
		nftb_ledger_rollback(&nb->ledger);
		return nftb_fail(nb, ret, "out of memory staging a countermeasure");
	}
	if (!implicit)
		return 0;
	nb->in_batch = true;
	return nftb_batch_commit(nb);
}

/*
 * The ledger's expiry is NFTB_LEDGER_SLACK_MS later than the kernel's, so a
 * source is never thought gone while the kernel still holds it: a plain add
 * of an element the kernel holds would be a silent no-op keeping the old
 * timeout. A known source is replaced instead (see nft_commit.c).
 */
int nftb_apply(struct nftb *nb, enum nftb_kind kind, const char *source,
	       unsigned int timeout_s, const char *comment)
{
	uint64_t now = nftb_now_ms(), timeout_ms = (uint64_t)timeout_s * 1000;
	uint64_t expiry = now + timeout_ms + NFTB_LEDGER_SLACK_MS;
	struct nftb_ledger_entry *e;
	struct nftb_key key;
	enum nftb_set set;
	int ret;

	ret = check_request(nb, kind, source, timeout_s, comment, &key);
	if (!ret)
		ret = check_protected(nb, kind, source, &key);
	if (ret)
		return ret;
	nftb_set_for(kind, &key, &set);
	nftb_ledger_prune(&nb->ledger, now);
	e = nftb_ledger_find(&nb->ledger, set, &key);
	if (e && expiry <= e->expires_at_ms && !strcmp(comment, e->comment))
		return 0;
	if (!e && (ret = check_new(nb, set, source, &key, now)))
		return ret;
	if (e && expiry < e->expires_at_ms) {
		/* a later alert: keep the longer countermeasure, take the comment */
		expiry = e->expires_at_ms;
		timeout_ms = e->timeout_ms;
	}
	if (nb->dry_run) {
		nftb_log(nb, NFTB_LOG_INFO, "dry-run: would %s %s for %us in %s (%s)",
			 nftb_kind_name(kind), source, timeout_s, nftb_set_name(set), comment);
		return 0;
	}
	nftb_log(nb, NFTB_LOG_DEBUG, "%s %s for %us in %s (%s)", nftb_kind_name(kind), source,
		 timeout_s, nftb_set_name(set), comment);
	return stage(nb, e, set, &key, timeout_ms, expiry, comment, false);
}

int nftb_block(struct nftb *nb, const char *source, unsigned int timeout_s, const char *comment)
{
	return nftb_apply(nb, NFTB_BLOCK, source, timeout_s, comment);
}

int nftb_ratelimit(struct nftb *nb, const char *source, unsigned int timeout_s,
		   const char *comment)
{
	return nftb_apply(nb, NFTB_RATELIMIT, source, timeout_s, comment);
}

int nftb_inspect(struct nftb *nb, const char *source, unsigned int timeout_s,
		 const char *comment)
{
	return nftb_apply(nb, NFTB_INSPECT, source, timeout_s, comment);
}

int nftb_revoke(struct nftb *nb, enum nftb_kind kind, const char *source)
{
	struct nftb_ledger_entry *e;
	struct nftb_key key;
	enum nftb_set set;
	char why[200];

	if ((unsigned int)kind >= NFTB_KIND_COUNT || !source)
		return nftb_fail(nb, -EINVAL, "no such countermeasure kind or no source");
	if (nftb_key_parse(source, &key, why, sizeof(why)))
		return nftb_fail(nb, -EINVAL, "%s", why);
	if (nftb_set_for(kind, &key, &set))
		return nftb_fail(nb, -ENOENT, "%s is not under %s", source, nftb_kind_name(kind));
	nftb_ledger_prune(&nb->ledger, nftb_now_ms());
	e = nftb_ledger_find(&nb->ledger, set, &key);
	if (!e)
		return nftb_fail(nb, -ENOENT, "%s is not under %s", source, nftb_kind_name(kind));
	if (nb->dry_run) {
		nftb_log(nb, NFTB_LOG_INFO, "dry-run: would lift %s of %s (%s)",
			 nftb_kind_name(kind), source, e->comment);
		return 0;
	}
	nftb_log(nb, NFTB_LOG_DEBUG, "lift %s of %s (%s)", nftb_kind_name(kind), source,
		 e->comment);
	return stage(nb, e, set, &key, 0, 0, "", true);
}

int nftb_unblock(struct nftb *nb, const char *source)
{
	return nftb_revoke(nb, NFTB_BLOCK, source);
}

/* A countermeasure whose source has become protected. */
struct lift_item {
	enum nftb_set set;
	struct nftb_key key;
	char comment[NFTB_COMMENT_MAX];
	char why[400];
};

struct lift_list {
	const struct nftb_guard *guard;
	struct lift_item *v;
	size_t n, cap;
};

static int collect_protected(struct nftb_ledger_entry *e, void *arg)
{
	struct lift_list *l = arg;
	const struct nftb_guard_entry *hit = nftb_guard_find(l->guard, &e->key);
	struct lift_item *it;

	if (!hit)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		it = realloc(l->v, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		l->v = it;
		l->cap = cap;
	}
	it = &l->v[l->n++];
	it->set = e->set;
	it->key = e->key;
	snprintf(it->comment, sizeof(it->comment), "%s", e->comment);
	nftb_guard_explain(hit, &e->key, it->why, sizeof(it->why));
	return 0;
}

/* Removes, in one transaction, every countermeasure the guard now covers. */
static int lift_protected(struct nftb *nb, nftb_lifted_fn fn, void *arg)
{
	struct lift_list l = { .guard = &nb->guard };
	char source[NFTB_ADDR_MAX];
	int ret;

	nftb_ledger_prune(&nb->ledger, nftb_now_ms());
	ret = nftb_ledger_each(&nb->ledger, collect_protected, &l);
	if (ret || !l.n) {
		free(l.v);
		return ret ? nftb_fail(nb, ret, "out of memory checking the countermeasures "
				       "against the guard") : 0;
	}
	nb->in_batch = true;
	nb->err[0] = '\0';
	for (size_t i = 0; i < l.n && !ret; i++)
		ret = stage(nb, nftb_ledger_find(&nb->ledger, l.v[i].set, &l.v[i].key),
			    l.v[i].set, &l.v[i].key, 0, 0, "", true);
	if (ret)
		nftb_batch_abort(nb);
	else
		ret = nftb_batch_commit(nb);
	for (size_t i = 0; i < l.n && !ret; i++) {
		enum nftb_kind kind = nftb_set_kind(l.v[i].set);

		nftb_key_format(&l.v[i].key, source, sizeof(source));
		nftb_log(nb, NFTB_LOG_WARN, "lifted %s of %s (%s): %s", nftb_kind_name(kind),
			 source, l.v[i].comment, l.v[i].why);
		if (fn)
			fn(arg, kind, source, l.v[i].why);
	}
	free(l.v);
	return ret ? ret : (int)l.n;
}

int nftb_refresh_guard(struct nftb *nb, const char *const *allowlist, size_t allowlist_len,
		       nftb_lifted_fn lifted, void *arg)
{
	int ret;

	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "cannot refresh the guard inside a batch");
	if (allowlist) {
		ret = nftb_guard_set_allowlist(&nb->guard, allowlist, allowlist_len, nb->err,
					       sizeof(nb->err));
		if (ret)
			return ret;
	}
	ret = nftb_guard_refresh(&nb->guard, nb->err, sizeof(nb->err));
	if (ret)
		return ret;
	/* isolations let the new allowlist through */
	if (allowlist && nb->n_isolated && nftb_isolate_write(nb))
		nftb_log(nb, NFTB_LOG_WARN, "isolation rules keep the previous allowlist: %s",
			 nb->err);
	return lift_protected(nb, lifted, arg);
}

int nftb_batch_begin(struct nftb *nb)
{
	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "a batch is already open");
	nb->in_batch = true;
	nb->err[0] = '\0';
	return 0;
}

/* What the watcher noticed or missed during the batch is seen to after it. */
static void after_batch(struct nftb *nb)
{
	nb->in_batch = false;
	nftb_settle(nb);
}

int nftb_batch_commit(struct nftb *nb)
{
	size_t changes = nb->ledger.undo_len;
	int ret = 0;

	if (!nb->in_batch)
		return nftb_fail(nb, -EINVAL, "no batch is open");
	if (!nb->dry_run)
		ret = nftb_commit_journal(nb, NULL);
	if (ret)
		nftb_log(nb, NFTB_LOG_ERR, "%s", nb->err);
	else if (changes > 1)
		nftb_log(nb, NFTB_LOG_INFO, "committed %zu countermeasure change(s) in one "
			 "transaction", changes);
	after_batch(nb);
	return ret;
}

void nftb_batch_abort(struct nftb *nb)
{
	if (!nb->in_batch)
		return;
	nftb_ledger_rollback(&nb->ledger);
	after_batch(nb);
}

int nftb_list(struct nftb *nb, struct nftb_entry **entries, size_t *count)
{
	return nftb_list_kernel(nb, entries, count);
}

void nftb_list_free(struct nftb_entry *entries)
{
	free(entries);
}

size_t nftb_active_count(struct nftb *nb)
{
	nftb_ledger_prune(&nb->ledger, nftb_now_ms());
	return nb->ledger.count;
}
