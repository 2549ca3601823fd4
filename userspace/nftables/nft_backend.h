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
 *  - refuses to act on allowlisted addresses, on special-purpose addresses
 *    the host needs (unspecified, broadcast, multicast, link-local with the
 *    cloud metadata service, loopback), on the host's own addresses, its
 *    gateways (every table, every next hop) and its resolvers (-EPERM, and
 *    nftb_last_error() says which and why), and beyond a cap of active
 *    actions (-ENOSPC); IPv4-mapped IPv6 addresses count as IPv4;
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
	/*
	 * Limit new TCP connections (SYNs) to a destination, "address . port",
	 * to the table's rate: the answer to a flood from forged sources. The
	 * guard does not apply (limiting SYNs to a service is no lockout).
	 */
	NFTB_LIMIT_DST,
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
	/*
	 * Do not protect the host's own addresses, gateways and resolvers
	 * (tests and benchmarks only); special-purpose ranges stay protected.
	 */
	bool allow_self;
	/*
	 * The resolvers to protect: nameserver lines of this file. NULL means
	 * /etc/resolv.conf, plus systemd-resolved's upstreams
	 * (/run/systemd/resolve/resolv.conf) when it names a loopback stub.
	 */
	const char *resolv_conf;
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
	size_t lifted;		/* slaguard elements of protected addresses removed */
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
 * Rediscover what is protected - the host's addresses, gateways and
 * resolvers as they are now, and the allowlist given (allowlist NULL keeps
 * the current one) - then lift, in one transaction, every countermeasure
 * whose source overlaps a protected address, logging each. lifted, if not
 * NULL, is told of each one after the commit, with the reason
 * ("198.19.0.251 is a gateway of table 100 (protected)"). Returns how many
 * were lifted, or -errno (nothing lifted; the guard keeps its previous state
 * if discovery failed). Not inside a batch (-EBUSY).
 */
typedef void (*nftb_lifted_fn)(void *arg, enum nftb_kind kind, const char *source,
			       const char *why);
int nftb_refresh_guard(struct nftb *nb, const char *const *allowlist, size_t allowlist_len,
		       nftb_lifted_fn lifted, void *arg);

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

/*
 * isolate-network: drop the traffic of cgroup CGROUP's sockets (an absolute
 * cgroup v2 path; its descendants too), but to and from the allowlist, with
 * "socket cgroupv2" rules in the table's isolate_out and isolate_in chains,
 * under ID (replacing ID's rules if it has some) and COMMENT (slaguard
 * format). Rules do not expire: nftb_unisolate() lifts them (-ENOENT for an
 * unknown ID). Each call rewrites both chains from what the backend holds,
 * in one transaction: rules of an earlier run go at the first; after a
 * restart, nftb_isolate() what is still due, then nftb_isolate_sync().
 * A new allowlist (nftb_refresh_guard()) and a restored table get them
 * rewritten. At most 64 cgroups (-ENOSPC).
 */
#define NFTB_CGROUP_MAX 256
int nftb_isolate(struct nftb *nb, const char *id, const char *cgroup, const char *comment);
int nftb_unisolate(struct nftb *nb, const char *id);
int nftb_isolate_sync(struct nftb *nb);
size_t nftb_isolated_count(const struct nftb *nb);

/* "slaguard rule=<rule> alert=<alert>"; -EINVAL for bad ids, -ENOSPC if long. */
int nftb_comment(char *buf, size_t size, const char *rule, const char *alert);
bool nftb_comment_valid(const char *comment);

const char *nftb_kind_name(enum nftb_kind kind);

#endif /* SLAGUARD_NFT_BACKEND_H */
