/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_backend.h - slaguardd's nftables countermeasure backend.
 *
 * Every countermeasure is an element, with a timeout and a comment, in one of
 * the sets of `table inet slaguard` (nft/slaguard.nft). The kernel expires
 * them, so nothing stays blocked when the daemon dies. The backend:
 *
 *  - changes the table in atomic netlink transactions over one long-lived
 *    socket (libnftnl + libmnl), many elements per transaction in a batch;
 *  - loads the table definition and lists it through one long-lived
 *    libnftables context (JSON output);
 *  - refuses to act on allowlisted addresses, on the host's own addresses and
 *    on its gateways (-EPERM), and beyond a cap of active actions (-ENOSPC);
 *  - keeps a ledger of the countermeasures it has set, so it can put them
 *    back when someone flushes the ruleset or deletes the table, which it
 *    learns from nftables' own netlink notifications;
 *  - never touches any other table.
 *
 * Functions return 0 or a negative errno; nftb_last_error() then says what
 * went wrong, with the kernel's or libnftables' own message where there is
 * one. One struct nftb is used by one thread at a time.
 */
#ifndef SLAGUARD_NFT_BACKEND_H
#define SLAGUARD_NFT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFTB_TABLE_NAME "slaguard"
#define NFTB_DEFAULT_TABLE_FILE "/usr/share/slaguard/slaguard.nft"
#define NFTB_DEFAULT_INSPECT_FILE "/usr/share/slaguard/slaguard-inspect.nft"

/* nft's limit on an element comment, terminating NUL included. */
#define NFTB_COMMENT_MAX 128
/* Longest address text, "ffff:...:ffff/128" or "a - b" for a listed range. */
#define NFTB_ADDR_MAX 96
/* Longest timeout accepted: beyond this a "temporary" block is not one. */
#define NFTB_TIMEOUT_MAX_S (30u * 24 * 3600)

enum nftb_kind {
	NFTB_BLOCK,	/* drop everything from the source */
	NFTB_RATELIMIT,	/* drop what the source sends over the table's rate */
	NFTB_INSPECT,	/* send the source's traffic to inspection (NFQUEUE) */
	NFTB_KIND_COUNT
};

enum nftb_log_level { NFTB_LOG_ERR, NFTB_LOG_WARN, NFTB_LOG_INFO, NFTB_LOG_DEBUG };

typedef void (*nftb_log_fn)(void *arg, enum nftb_log_level level, const char *msg);

struct nftb_opts {
	/* Log what would be done; change nothing in the kernel or the ledger. */
	bool dry_run;
	/* Most countermeasures active at once; 0 means no cap. */
	size_t max_actions;
	/* Addresses or CIDR prefixes never acted on (management, coordinators). */
	const char *const *allowlist;
	size_t allowlist_len;
	/* Do not protect the host's own addresses and gateways (tests only). */
	bool allow_self;
	/* Table definition; NULL means NFTB_DEFAULT_TABLE_FILE. */
	const char *table_file;
	/*
	 * NFQUEUE rules loaded with the table when the kernel supports them;
	 * NULL means NFTB_DEFAULT_INSPECT_FILE if it exists, "" means none.
	 */
	const char *inspect_file;
	/* Do not open the notification socket (nftb_watch_fd() returns -1). */
	bool no_watch;
	/* Where messages go; NULL means stderr (errors, warnings, info). */
	nftb_log_fn log;
	void *log_arg;
	/* Also one debug message per staged change (costly at 100k). */
	bool log_debug;
};

/* One element of one of the table's countermeasure sets, as listed. */
struct nftb_entry {
	enum nftb_kind kind;
	char set[32];
	char addr[NFTB_ADDR_MAX];	/* "192.0.2.1", "2001:db8::/32" */
	uint64_t timeout_ms;		/* 0: the element has none */
	uint64_t expires_ms;		/* time left */
	char comment[NFTB_COMMENT_MAX];
	uint64_t packets, bytes;	/* matched so far (block sets count) */
	bool ours;			/* comment in slaguard format */
};

struct nftb_reconcile_stats {
	size_t adopted;		/* slaguard elements taken into the ledger */
	size_t cleared;		/* elements without a slaguard comment removed */
	size_t already_known;	/* elements the ledger already held */
	bool table_loaded;	/* the table was absent or outdated and was (re)loaded */
};

struct nftb;

int nftb_open(struct nftb **out, const struct nftb_opts *opts);
void nftb_close(struct nftb *nb);
const char *nftb_last_error(const struct nftb *nb);

/* Load the table if it is absent or not this definition; then keep it. */
int nftb_ensure_table(struct nftb *nb);
/* On start: adopt slaguard elements already in the table, clear the rest. */
int nftb_reconcile(struct nftb *nb, struct nftb_reconcile_stats *stats);

/*
 * Put a source (address or CIDR prefix; prefixes only for NFTB_BLOCK) under a
 * countermeasure for timeout_s seconds. The comment must be in slaguard
 * format (see nftb_comment()). Acting again on a source already covered
 * extends the timeout if the new one ends later and takes the new comment.
 */
int nftb_apply(struct nftb *nb, enum nftb_kind kind, const char *source,
	       unsigned int timeout_s, const char *comment);
int nftb_block(struct nftb *nb, const char *source, unsigned int timeout_s,
	       const char *comment);
int nftb_ratelimit(struct nftb *nb, const char *source, unsigned int timeout_s,
		   const char *comment);
int nftb_inspect(struct nftb *nb, const char *source, unsigned int timeout_s,
		 const char *comment);
/* Lift a countermeasure early; -ENOENT if the ledger does not hold it. */
int nftb_revoke(struct nftb *nb, enum nftb_kind kind, const char *source);
int nftb_unblock(struct nftb *nb, const char *source);

/*
 * Between begin and commit, nftb_apply()/nftb_revoke() only stage changes;
 * commit sends them all as ONE transaction: all or nothing. Refusals
 * (-EPERM, -ENOSPC, -EINVAL) are reported by the call that stages and leave
 * the rest of the batch intact.
 */
int nftb_batch_begin(struct nftb *nb);
int nftb_batch_commit(struct nftb *nb);
void nftb_batch_abort(struct nftb *nb);

/* The countermeasure sets' elements, read from the kernel (JSON listing). */
int nftb_list(struct nftb *nb, struct nftb_entry **entries, size_t *count);
void nftb_list_free(struct nftb_entry *entries);

/* Countermeasures the ledger holds that have not expired yet. */
size_t nftb_active_count(struct nftb *nb);
/* Whether traffic sent to inspection reaches NFQUEUE (else it is counted). */
bool nftb_inspect_enabled(const struct nftb *nb);

/*
 * Notification socket: poll it for input and call nftb_watch_handle(), which
 * restores the table when someone else deleted or changed it. Returns 1 when
 * it restored the table, 0 when nothing had to be done, or -errno.
 */
int nftb_watch_fd(const struct nftb *nb);
int nftb_watch_handle(struct nftb *nb);

/* "slaguard rule=<rule> alert=<alert>"; -EINVAL for bad ids, -ENOSPC if long. */
int nftb_comment(char *buf, size_t size, const char *rule, const char *alert);
bool nftb_comment_valid(const char *comment);

const char *nftb_kind_name(enum nftb_kind kind);

#ifdef NFTB_INTERNAL
/*
 * Shared by the nft_*.c files of the backend only. Kept in this header
 * because the backend owns no other; define NFTB_INTERNAL to see it.
 */
#include <netinet/in.h>
#include <sys/types.h>

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
	NFTB_SET_COUNT
};

/* A source: one address, or the range first..last (a prefix when plen set). */
struct nftb_key {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t plen;		/* prefix length; NFTB_PLEN_RANGE if not a prefix */
	uint8_t first[16];
	uint8_t last[16];
};
#define NFTB_PLEN_RANGE 255

/* nft_addr.c */
int nftb_key_parse(const char *text, struct nftb_key *key, char *err, size_t errlen);
void nftb_key_from_range(struct nftb_key *key, int family, const void *first,
			 const void *last);
int nftb_key_format(const struct nftb_key *key, char *buf, size_t size);
size_t nftb_key_len(const struct nftb_key *key);
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

/* nft_guard.c: allowlist, own addresses and gateways. */
struct nftb_guard_entry {
	struct nftb_key key;
	char why[24];		/* "allowlist", "own address", "gateway" */
};
struct nftb_guard {
	struct nftb_guard_entry *entries;
	size_t count, allow_count;
	bool protect_self;
	uint64_t refreshed_ms;
};
int nftb_guard_init(struct nftb_guard *g, const char *const *allow, size_t n,
		    bool protect_self, char *err, size_t errlen);
int nftb_guard_refresh(struct nftb_guard *g, char *err, size_t errlen);
const struct nftb_guard_entry *nftb_guard_hit(struct nftb_guard *g,
					      const struct nftb_key *key);
void nftb_guard_free(struct nftb_guard *g);

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
#endif /* NFTB_INTERNAL */

#endif /* SLAGUARD_NFT_BACKEND_H */
