/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the respond stage: the SLA's countermeasure policy maps an
 * alert (its SLO or rule, and its severity) to actions. Firewall actions
 * (block-source, rate-limit, inspect) become countermeasures C1, C2, ...
 * that always expire, can be revoked, and are refused for allowlisted
 * sources, at the cap (defaults.max_actions) unless a less severe one can
 * be replaced, and - by the backend -
 * for the host's own addresses and gateways. run-hook forks and execs the
 * hook with the alert in its environment (never through a shell), at most
 * RESPOND_HOOKS_MAX at once, each stopped after RESPOND_HOOK_TIMEOUT_MS;
 * exit statuses are logged and counted. Dry-run
 * records and logs what would be done and changes nothing. An operator's
 * block (the control socket) takes the same path; an operator's allow
 * joins the allowlist until it ends. Repeat offenders' blocks last longer
 * (defaults.repeat).
 *
 * The firewall and the hook runner sit behind struct respond_ops, so the
 * unit tests replace the nftables backend with a fake.
 */
#ifndef SLAGUARDD_RESPOND_H
#define SLAGUARDD_RESPOND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "alert.h"
#include "cgroup.h"
#include "nft_backend.h"
#include "sla.h"

struct json_object;

struct respond_ops {
	/* nftb_apply() / nftb_revoke() semantics: 0 or -errno. */
	int (*apply)(void *ctx, enum nftb_kind kind, const char *target,
		     unsigned int timeout_s, const char *comment);
	int (*revoke)(void *ctx, enum nftb_kind kind, const char *target);
	const char *(*error)(void *ctx);
	/*
	 * Start PATH with ENVP, not waiting for it; 0 with *PID the child to
	 * reap (0: nothing to reap), or -errno when it could not be executed.
	 */
	int (*run_hook)(void *ctx, const char *path, char *const envp[],
			pid_t *pid);
	/*
	 * nftb_refresh_guard() with SLA's allowlist: LIFTED hears of each
	 * countermeasure lifted because its target is protected now. NULL:
	 * no guard to refresh.
	 */
	int (*refresh_guard)(void *ctx, const struct sla *sla,
			     nftb_lifted_fn lifted, void *arg);
	/*
	 * isolate-network: drop the traffic of cgroup CG's sockets but to
	 * the backend's allowlist, under ID (nftb_isolate()); unisolate lifts ID's
	 * rules; isolate_sync writes the rules of those held now, and no
	 * other (after a restart's adoption). NULL: not available.
	 */
	int (*isolate)(void *ctx, const char *id, const char *cg,
		       const char *comment);
	int (*unisolate)(void *ctx, const char *id);
	int (*isolate_sync)(void *ctx);
};

/* Hooks running at once at most, and how long one may run. */
#define RESPOND_HOOKS_MAX	8
#define RESPOND_HOOK_TIMEOUT_MS	30000

struct respond_hook_counters {
	uint64_t started, failed, refused;	/* refused: at the limit */
	uint64_t exited_ok, exited_error, timed_out;
};

/* An operator's reason, terminating NUL included. */
#define RESPOND_REASON_MAX	128
/* An operator block or allow without "for". */
#define RESPOND_OPERATOR_BLOCK_MS	(3600ull * 1000)
#define RESPOND_OPERATOR_ALLOW_MS	(24ull * 3600 * 1000)
/* Operator allowlist entries at once. */
#define RESPOND_ALLOWS_MAX	1024

/* The real thing: an nftables backend and fork+exec. CTX is a struct nftb. */
extern const struct respond_ops respond_nft_ops;

struct countermeasure {
	uint64_t num;
	char id[24];			/* "C<num>" */
	enum sla_action action;
	enum nftb_kind kind;
	char target[NFTB_ADDR_MAX];
	uint64_t expires;		/* CLOCK_MONOTONIC ms */
	char alert[24];
	char ref[FINDING_REF_MAX];
	enum sla_severity severity;	/* of its alert; 0 if adopted */
	/* A range decision (defaults.aggregate): the prefix it blocks;
	 * plen 0 for a single address. */
	struct sla_prefix prefix;
	bool dry_run;
	bool adopted;			/* found in the table at start */
	char origin[72];		/* fleet: "<node>@<site>" it came from */
	/* Cgroup countermeasures (sla_action_on_cgroup): the cgroup, the
	 * value written to its file and the one it had, put back at the end. */
	char cgroup[CG_PATH_MAX];
	char value[CG_VALUE_MAX];
	char previous[CG_VALUE_MAX];
	uint64_t expires_real;		/* CLOCK_REALTIME ms, for the state file */
	/* Taken by an operator over the control socket, whose uid it was. */
	bool operator;
	uint32_t uid;
	char reason[RESPOND_REASON_MAX];
	/* A block of a repeat offender (defaults.repeat): the Nth of its
	 * target within the window, 0 when not counted. */
	unsigned int repeat;
	uint64_t duration_ms;		/* as applied, the multiplier included */
};

struct respond;

int respond_new(struct respond **out, const struct respond_ops *ops,
		void *ctx);
void respond_free(struct respond *r);
void respond_set_dry_run(struct respond *r, bool dry_run);
/*
 * One-shot countermeasures (kill) done lately, kept for respond_find()
 * (the history records them with their alert); not in force, not listed.
 */
#define RESPOND_DONE_KEEP	16

/* Number the next countermeasure at least N (ids of an earlier run). */
void respond_start_at(struct respond *r, uint64_t n);
uint64_t respond_next_num(const struct respond *r);
/* MAX (at most RESPOND_HOOKS_MAX) hooks at once, each for TIMEOUT_MS. */
void respond_set_hook_limits(struct respond *r, size_t max, uint64_t timeout_ms);
const struct respond_hook_counters *respond_hook_counters(const struct respond *r);
size_t respond_hooks_running(const struct respond *r);

/*
 * Act on A as SLA's policy says; the ids of the countermeasures taken are
 * added to A's actions, and every decision (taken, refused and why) to its
 * evidence under "responses". NOW: CLOCK_MONOTONIC ms.
 */
void respond_on_alert(struct respond *r, const struct sla *sla,
		      struct alert *a, uint64_t now);

/* -ENOENT (ERR says "no countermeasure ID") or the backend's error. */
int respond_revoke(struct respond *r, const char *id, char *err, size_t errlen);
/*
 * Revoke every countermeasure and operator allow on TARGET (an address or
 * prefix, as listed): *N says how many. -EINVAL, -ENOENT ("no countermeasure
 * on TARGET") or the backend's error, with ERR.
 */
int respond_revoke_target(struct respond *r, const char *target, size_t *n,
			  char *err, size_t errlen);

/*
 * After a reload: the backend's guard is rebuilt (allowlist, gateways,
 * resolvers) and what it protects now is lifted and forgotten here, logged.
 */
void respond_refresh_guard(struct respond *r, const struct sla *sla);

/*
 * Who hears of the firewall decisions taken for this node's alerts (with
 * the policy that took them) and of revokes asked for by the operator:
 * the fleet, which shares them. NULL members are not called.
 */
struct respond_listener {
	void (*decided)(void *arg, const struct countermeasure *c,
			const struct sla_countermeasure *pol,
			const struct alert *a);
	void (*revoked)(void *arg, const struct countermeasure *c);
	void *arg;
};
void respond_set_listener(struct respond *r, const struct respond_listener *l);

/*
 * Another node's decision, applied through the path of this node's own
 * (allowlist, cap, the backend's lockout guard, dry-run) for DURATION_MS,
 * its comment naming ORIGIN. A stands for the origin's alert (id, ref,
 * severity, source); the id of the countermeasure taken goes to its
 * actions, a refusal and why to its evidence. The listener is not told.
 */
void respond_apply_remote(struct respond *r, const struct sla *sla,
			  enum sla_action action, uint64_t duration_ms,
			  const char *origin, struct alert *a, uint64_t now);

/*
 * Operator actions (the control socket). TARGET: an address or a CIDR
 * prefix; DURATION_MS 0: the default above; REASON may be NULL; UID the
 * peer's (SO_PEERCRED).
 */
struct respond_request {
	const char *target;
	uint64_t duration_ms;
	const char *reason;
	uint32_t uid;
};

/*
 * Block TARGET as the policy's block-source would: the SLA's allowlist and
 * the operator's, the cap (defaults.max_actions; an operator block ranks
 * critical when a less severe one must make room), the backend's lockout
 * guard (the host's addresses, gateways, resolvers, special ranges) and
 * defaults.repeat all apply. 0 with *OUT the countermeasure (a block of
 * TARGET in force already lasts longer), or -EINVAL (not an address or
 * prefix), -EPERM (protected or allowlisted), -ENOSPC (the cap), the
 * backend's error; ERR says why, and refusals are counted.
 */
int respond_operator_block(struct respond *r, const struct sla *sla,
			   const struct respond_request *q, uint64_t now,
			   const struct countermeasure **out, char *err,
			   size_t errlen);

/*
 * Allow TARGET until it expires or is revoked: no countermeasure acts on
 * an address it covers. The active ones that meet it are lifted (*LIFTED
 * says how many) and the backend's guard learns it. 0, or -EINVAL,
 * -ENOSPC (RESPOND_ALLOWS_MAX), with ERR saying why.
 */
int respond_operator_allow(struct respond *r, const struct sla *sla,
			   const struct respond_request *q, uint64_t now,
			   const struct countermeasure **out, size_t *lifted,
			   char *err, size_t errlen);
/* Operator allowlist entries in force, and the I-th. */
size_t respond_allows(const struct respond *r);
const struct countermeasure *respond_allow_at(const struct respond *r, size_t i);
/*
 * Operator allows are kept in PATH (the state directory's "allows"),
 * rewritten at each change; respond_allows_recover() takes back those
 * still due, with their ids.
 */
void respond_set_allow_state(struct respond *r, const char *path);
void respond_allows_recover(struct respond *r, uint64_t now);
/* An allow ended (expired, revoked) or came back since: the guard needs a refresh. */
bool respond_guard_stale(const struct respond *r);

/* Operator actions taken and refused, by action, counted since start. */
struct respond_operator_counters {
	uint64_t block, block_refused, allow, allow_refused;
};
const struct respond_operator_counters *respond_operator_counters(const struct respond *r);

/*
 * Repeat offenders: targets remembered (at most defaults.repeat.remember,
 * least recently blocked evicted first, counted) in PATH (the state
 * directory's "offenders"), written at most every RESPOND_OFFENDERS_SAVE_MS
 * and at respond_free(), read back by respond_offenders_recover().
 */
#define RESPOND_OFFENDERS_SAVE_MS	5000
void respond_set_offender_state(struct respond *r, const char *path);
/* LIMIT: defaults.repeat.remember, 0 (repeat is off): nothing read. */
void respond_offenders_recover(struct respond *r, uint64_t now, uint32_t limit);
size_t respond_offenders(const struct respond *r);
uint64_t respond_offenders_evicted(const struct respond *r);
/* How many blocks of TARGET are remembered within WINDOW_MS of NOW. */
unsigned int respond_offender_count(const struct respond *r, const char *target,
				    uint64_t window_ms, uint64_t now);

/* A countermeasure found in the table (reconciliation at start). */
int respond_adopt(struct respond *r, enum nftb_kind kind, const char *target,
		  uint64_t remaining_ms, const char *comment, uint64_t now);

/*
 * Cgroup countermeasures (isolate-network too) are recorded in PATH (the state directory's
 * "cgroups"), rewritten at each change, so that a restarted daemon finds
 * them: respond_cgroup_recover() adopts those still due (keeping their
 * ids) and puts the previous value back for those that are not.
 */
void respond_set_cgroup_state(struct respond *r, const char *path);
void respond_cgroup_recover(struct respond *r, uint64_t now);

/*
 * Forget countermeasures the kernel has expired, undo the cgroup ones that
 * ended; reap and time out hooks.
 */
void respond_expire(struct respond *r, uint64_t now);
size_t respond_active(const struct respond *r);
/* The I-th active countermeasure, I < respond_active(). */
const struct countermeasure *respond_at(const struct respond *r, size_t i);

/* Why actions were refused, counted since start. */
enum respond_refusal {
	RESPOND_REFUSED_NO_SOURCE,
	RESPOND_REFUSED_ALLOWLISTED,
	RESPOND_REFUSED_CAP,		/* defaults.max_actions */
	RESPOND_REFUSED_BACKEND,	/* protected address, set full */
	RESPOND_REFUSED_HOOKS_BUSY,	/* RESPOND_HOOKS_MAX running */
	RESPOND_REFUSED_NO_EVIDENCE,	/* no handshake: the source may be forged */
	RESPOND_REFUSED_NO_DESTINATION,	/* limit-destination without one */
	RESPOND_REFUSED_NO_CGROUP,	/* no process or cgroup to act on */
	RESPOND_REFUSED_PROTECTED,	/* PID 1, the daemon, sshd, ... */
	RESPOND_REFUSALS,
};
const char *respond_refusal_name(enum respond_refusal why);
uint64_t respond_refused(const struct respond *r, enum respond_refusal why);
const struct countermeasure *respond_find(const struct respond *r,
					  const char *id);
const struct countermeasure *respond_find_target(const struct respond *r,
						 enum sla_action action,
						 const char *target);
struct json_object *respond_list_json(const struct respond *r, uint64_t now);

#endif /* SLAGUARDD_RESPOND_H */
