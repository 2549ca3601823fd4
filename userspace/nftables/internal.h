/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables backend's private interface: keys, sets, the lockout guard,
 * the ledger and the netlink plumbing shared by the files of this folder.
 * Nothing outside userspace/nftables/ includes it.
 */
#ifndef SLAGUARD_NFT_INTERNAL_H
#define SLAGUARD_NFT_INTERNAL_H

#include <netinet/in.h>
#include <sys/types.h>

#include "nft_backend.h"

struct nft_ctx;
struct mnl_socket;

/* The table's countermeasure sets, as named in nft/slaguard.nft. */
enum nftb_set {
	NFTB_SET_BLOCK4,
	NFTB_SET_BLOCK6,
	NFTB_SET_BLOCK4_NET,
	NFTB_SET_BLOCK6_NET,
	NFTB_SET_RATELIMIT4,
	NFTB_SET_RATELIMIT6,
	NFTB_SET_INSPECT4,
	NFTB_SET_INSPECT6,
	NFTB_SET_LIMITDST4,
	NFTB_SET_LIMITDST6,
	NFTB_SET_COUNT
};

/*
 * A source: one address, or the range first..last (a prefix when plen set);
 * or a destination, one address and a port ("192.0.2.10 . 80").
 */
struct nftb_key {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t plen;		/* prefix length; NFTB_PLEN_RANGE if not a prefix */
	uint8_t first[16];
	uint8_t last[16];
	uint16_t port;		/* a destination's; 0 for a source */
};
#define NFTB_PLEN_RANGE 255

/* nft_addr.c */
int nftb_key_parse(const char *text, struct nftb_key *key, char *err, size_t errlen);
void nftb_key_from_range(struct nftb_key *key, int family, const void *first,
			 const void *last);
int nftb_key_format(const struct nftb_key *key, char *buf, size_t size);
size_t nftb_key_len(const struct nftb_key *key);
/* The element key as the kernel takes it: the address, then the port in
 * a 32-bit register of its own (a concatenation); returns its length. */
size_t nftb_key_bytes(const struct nftb_key *key, const uint8_t *addr, uint8_t out[20]);
bool nftb_key_single(const struct nftb_key *key);
bool nftb_key_equal(const struct nftb_key *a, const struct nftb_key *b);
bool nftb_key_overlap(const struct nftb_key *a, const struct nftb_key *b);
/* Address after key->last; false when last is the top of the space. */
bool nftb_key_end(const struct nftb_key *key, uint8_t end[16]);
uint64_t nftb_key_hash(const struct nftb_key *key);

/* nft_sets.c */
const char *nftb_set_name(enum nftb_set set);
int nftb_set_by_name(const char *name);
enum nftb_kind nftb_set_kind(enum nftb_set set);
bool nftb_set_interval(enum nftb_set set);
int nftb_set_for(enum nftb_kind kind, const struct nftb_key *key, enum nftb_set *set);
/* Whether the set's elements are "address . port" (destinations). */
bool nftb_set_ported(enum nftb_set set);

/*
 * guard.c: what is never acted on - the allowlist, the special-purpose
 * ranges, the host's own addresses, its gateways and its resolvers.
 */
struct nftb_guard_entry {
	struct nftb_key key;
	char why[96];		/* completes "<address> is ...": "link-local" */
};
struct nftb_guard {
	struct nftb_guard_entry *entries;	/* allowlist first, then the rest */
	size_t count;
	struct nftb_key *allow;			/* the allowlist as given */
	size_t allow_count;
	bool protect_self;
	char *resolv_conf;			/* NULL: the system's */
	uint64_t refreshed_ms;
};
int nftb_guard_init(struct nftb_guard *g, const char *const *allow, size_t n,
		    bool protect_self, const char *resolv_conf, char *err, size_t errlen);
/* Replaces the allowlist; the guard is rebuilt by the next refresh. */
int nftb_guard_set_allowlist(struct nftb_guard *g, const char *const *allow, size_t n,
			     char *err, size_t errlen);
int nftb_guard_refresh(struct nftb_guard *g, char *err, size_t errlen);
/* The entry KEY overlaps, refreshing first if the last refresh is old. */
const struct nftb_guard_entry *nftb_guard_hit(struct nftb_guard *g,
					      const struct nftb_key *key);
/* The same, as the guard stands (no refresh). */
const struct nftb_guard_entry *nftb_guard_find(const struct nftb_guard *g,
					       const struct nftb_key *key);
/* "X is link-local (protected)", "it covers X, which is a gateway (...)". */
void nftb_guard_explain(const struct nftb_guard_entry *hit, const struct nftb_key *key,
			char *buf, size_t size);
void nftb_guard_free(struct nftb_guard *g);

/* routes.c: every gateway of every route and nexthop object (rtnetlink). */
struct nftb_gateway_where {
	uint32_t table;		/* the route's table; 0 for a nexthop object */
	uint32_t nexthop_id;	/* the nexthop object's id, else 0 */
	bool multipath;		/* one next hop of an ECMP route */
};
typedef int (*nftb_gateway_fn)(void *arg, int family, const void *addr,
			       const struct nftb_gateway_where *where);
/* Calls fn for each; its first error stops the walk and is returned. */
int nftb_gateways(nftb_gateway_fn fn, void *arg, char *err, size_t errlen);

/* nft_ledger.c: what the backend has set and when it ends. */
struct nftb_ledger_entry {
	struct nftb_ledger_entry *next;	/* hash chain */
	struct nftb_ledger_entry *inext, **iprev; /* interval sets' list */
	enum nftb_set set;
	struct nftb_key key;
	uint64_t timeout_ms;		/* as asked for, shown by nft as "timeout" */
	uint64_t expires_at_ms;		/* CLOCK_MONOTONIC, NFTB_LEDGER_SLACK_MS late */
	char comment[NFTB_COMMENT_MAX];
	bool seen;			/* reconcile's mark */
};
struct nftb_undo {
	bool existed;
	struct nftb_ledger_entry before;
	enum nftb_set set;
	struct nftb_key key;
};
struct nftb_ledger {
	struct nftb_ledger_entry **buckets;
	size_t nbuckets, count;
	struct nftb_ledger_entry *intervals;
	uint64_t next_expiry_ms;
	/* journal of the open batch: state before its first change per key */
	struct nftb_undo *undo;
	size_t undo_len, undo_cap;
	size_t *undo_index;		/* open addressing: undo position + 1 */
	size_t undo_index_cap;
};
int nftb_ledger_init(struct nftb_ledger *l);
void nftb_ledger_free(struct nftb_ledger *l);
struct nftb_ledger_entry *nftb_ledger_find(struct nftb_ledger *l, enum nftb_set set,
					   const struct nftb_key *key);
struct nftb_ledger_entry *nftb_ledger_overlap(struct nftb_ledger *l, enum nftb_set set,
					      const struct nftb_key *key, uint64_t now_ms);
int nftb_ledger_put(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key,
		    uint64_t timeout_ms, uint64_t expires_at_ms, const char *comment);
/* put, when the caller already looked (set, key) up: cur is what it found. */
int nftb_ledger_put_at(struct nftb_ledger *l, struct nftb_ledger_entry *cur,
		       enum nftb_set set, const struct nftb_key *key, uint64_t timeout_ms,
		       uint64_t expires_at_ms, const char *comment);
void nftb_ledger_del(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key);
size_t nftb_ledger_prune(struct nftb_ledger *l, uint64_t now_ms);
/* Records (set, key) as it is (cur: its entry or NULL) before the batch's
 * first change to it. */
int nftb_ledger_journal(struct nftb_ledger *l, enum nftb_set set, const struct nftb_key *key,
			const struct nftb_ledger_entry *cur);
void nftb_ledger_rollback(struct nftb_ledger *l);
void nftb_ledger_forget_journal(struct nftb_ledger *l);
typedef int (*nftb_ledger_fn)(struct nftb_ledger_entry *e, void *arg);
int nftb_ledger_each(struct nftb_ledger *l, nftb_ledger_fn fn, void *arg);

/* nft_mnl.c: element transactions and dumps over one netlink socket. */
enum nftb_op_type { NFTB_OP_ADD, NFTB_OP_DEL };
struct nftb_op {
	uint8_t type;		/* enum nftb_op_type */
	uint8_t set;		/* enum nftb_set */
	struct nftb_key key;
	uint64_t timeout_ms;	/* 0: none (transient elements only) */
	uint64_t expires_ms;	/* time left if less than timeout_ms, else 0 */
	const char *comment;	/* NULL: none; points into the ledger */
};
struct nftb_ops {
	struct nftb_op *v;
	size_t len, cap;
};
int nftb_ops_push(struct nftb_ops *ops, const struct nftb_op *op);
void nftb_ops_free(struct nftb_ops *ops);
struct nftb_nl;
int nftb_nl_open(struct nftb_nl **out, char *err, size_t errlen);
void nftb_nl_close(struct nftb_nl *nl);
uint32_t nftb_nl_portid(const struct nftb_nl *nl);
/* Sends the lists' ops, in order, as one transaction. */
int nftb_nl_commit(struct nftb_nl *nl, const struct nftb_ops *const *lists, size_t nlists,
		   char *err, size_t errlen);
struct nlmsghdr;
typedef int (*nftb_nl_cb)(const struct nlmsghdr *nlh, void *data);
int nftb_nl_query(struct nftb_nl *nl, struct nlmsghdr *nlh, nftb_nl_cb cb, void *data);
/* Structure of the table: version comment and a hash of handles. */
struct nftb_table_state {
	bool present;
	char comment[NFTB_COMMENT_MAX];
	unsigned int sets_found;	/* bitmask over enum nftb_set */
	uint64_t fingerprint;
};
/* nft_state.c */
int nftb_nl_table_state(struct nftb_nl *nl, struct nftb_table_state *st,
			char *err, size_t errlen);

/* isolate.c: a cgroup whose traffic is dropped (isolate-network). */
#define NFTB_ISOLATED_MAX 64
struct nftb_isolation {
	char id[24];
	char cgroup[NFTB_CGROUP_MAX];
	char comment[NFTB_COMMENT_MAX];
};
/* Both isolation chains rewritten from the list, in one transaction. */
int nftb_isolate_write(struct nftb *nb);

/* The backend itself. */
struct nftb {
	bool dry_run, log_debug;
	size_t max_actions;
	nftb_log_fn log;
	void *log_arg;

	struct nft_ctx *nft;		/* libnftables: load and list */
	struct nftb_nl *nl;		/* libnftnl/libmnl: element batches */
	struct mnl_socket *watch;	/* NFNLGRP_NFTABLES notifications */

	char *table_text;		/* definition, read once at open */
	char *inspect_text;		/* NFQUEUE rules, NULL if none */
	char version[NFTB_COMMENT_MAX];	/* the definition's table comment */
	bool inspect_on;
	uint64_t fingerprint;		/* of the table as last loaded or seen */
	bool have_fingerprint;

	struct nftb_guard guard;
	struct nftb_ledger ledger;
	bool in_batch;
	bool restore_pending;		/* noticed during a batch */
	bool verify_pending;		/* notifications were paused */

	/* notification state, reset at every NEWGEN (end of a transaction) */
	bool txn_foreign_change;
	struct nftb_ops txn_foreign_dels;
	uint32_t own_portids[8];	/* this process's netfilter sockets */
	size_t own_portids_len;

	struct nftb_isolation isolated[NFTB_ISOLATED_MAX];
	size_t n_isolated;

	char err[1024];
};

/* nft_backend.c */
void nftb_log(struct nftb *nb, enum nftb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nftb_fail(struct nftb *nb, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t nftb_now_ms(void);

/* Margin the ledger adds to every expiry, so it never believes an element
 * gone that the kernel still holds (see nftb_apply). */
#define NFTB_LEDGER_SLACK_MS 1000

/* nft_table.c */
int nftb_table_load_files(struct nftb *nb, const struct nftb_opts *opts);
int nftb_table_restore(struct nftb *nb, const char *why);
int nftb_table_state(struct nftb *nb, struct nftb_table_state *st);
bool nftb_table_current(const struct nftb *nb, const struct nftb_table_state *st);
int nftb_nft_run(struct nftb *nb, const char *cmd, bool json);

/* nft_commit.c: turns the batch journal into kernel operations. */
int nftb_commit_journal(struct nftb *nb, const struct nftb_ops *extra_dels);
int nftb_commit_ops(struct nftb *nb, const struct nftb_ops *const *lists, size_t nlists);
int nftb_ops_from_ledger(struct nftb *nb, struct nftb_ops *ops);

/* nft_list.c */
int nftb_list_kernel(struct nftb *nb, struct nftb_entry **entries, size_t *count);
int nftb_entry_key(const struct nftb_entry *e, struct nftb_key *key);

/* nft_watch.c */
int nftb_watch_open(struct nftb *nb);
void nftb_watch_close(struct nftb *nb);
bool nftb_watch_pause(struct nftb *nb);
void nftb_watch_resume(struct nftb *nb);
/* Runs a check the watcher owes (restore noticed in a batch, or a pause). */
void nftb_settle(struct nftb *nb);

#endif /* SLAGUARD_NFT_INTERNAL_H */
