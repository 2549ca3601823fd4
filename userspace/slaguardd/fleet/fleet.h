/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the fleet: this node's SLO state changes, alerts and
 * countermeasure decisions go to NATS JetStream on
 * slaguard.<site>.<node>.{slo,alert,decision}; decisions of the other
 * nodes whose policy said scope: fleet come back through a durable pull
 * consumer per node and are applied here through the respond stage, so
 * they pass this node's allowlist, cap and lockout guard like its own.
 *
 * NATS I/O runs on threads of its own (nats.c's and four here: one
 * publishes, one fetches, one watches the kv buckets, one makes the
 * connection again when the client gives up on a refused login); the
 * event loop only queues what it publishes and is woken through an
 * eventfd for what arrived, so the bus never stalls local enforcement. Decisions carry their expiry in wall-clock
 * time: a node that catches up applies what is still due, for what is
 * left of it, and skips what expired. A ledger keyed by decision id makes
 * redelivery harmless.
 *
 * The pure part (decision encoding, the ledger) is in decision.c and
 * tested without a server.
 */
#ifndef SLAGUARDD_FLEET_H
#define SLAGUARDD_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "nft_backend.h"
#include "sla.h"

struct alert;
struct engine;
struct loop;
struct json_object;

/* "<site>.<node>.C<num>": unique across the fleet and across restarts. */
#define FLEET_ID_MAX	(2 * SLA_FLEET_NAME_MAX + 32)

enum fleet_op {
	FLEET_APPLY,
	FLEET_REVOKE,
};

struct fleet_decision {
	enum fleet_op op;
	char id[FLEET_ID_MAX];
	char site[SLA_FLEET_NAME_MAX + 1], node[SLA_FLEET_NAME_MAX + 1];
	bool fleet;			/* scope: fleet (else published only) */
	enum sla_action action;		/* block-source, rate-limit, inspect */
	char target[NFTB_ADDR_MAX];
	uint64_t issued_ms, expires_ms;	/* CLOCK_REALTIME ms */
	char alert[24];
	char ref[FINDING_REF_MAX];
	enum sla_severity severity;
};

/* JSON of D into BUF: its length, or -ENOSPC. */
int fleet_decision_encode(const struct fleet_decision *d, char *buf, size_t len);
/* BUF (LEN bytes, not NUL-terminated) into D: 0, or -EINVAL with ERR. */
int fleet_decision_decode(const char *buf, size_t len, struct fleet_decision *d,
			  char *err, size_t errlen);

/*
 * A decision is only believed under its own node's subject
 * (slaguard.<site>.<node>.decision): NATS permissions let a node publish
 * only there, so no node can speak for another. 0 or -EINVAL with ERR.
 */
int fleet_subject_check(const char *subject, const struct fleet_decision *d,
			char *err, size_t errlen);

/* What to do with a decision received. */
enum fleet_verdict {
	FLEET_DO_APPLY,
	FLEET_DO_REVOKE,
	FLEET_SKIP_OWN,			/* this node's own decision */
	FLEET_SKIP_LOCAL,		/* scope local: for information only */
	FLEET_SKIP_EXPIRED,
	FLEET_SKIP_DUPLICATE,		/* its id was handled already */
	FLEET_SKIP_REVOKED,		/* an apply after its revoke */
	FLEET_SKIP_UNKNOWN,		/* a revoke of nothing applied here */
};

const char *fleet_verdict_name(enum fleet_verdict v);

struct fleet_ledger_entry {
	char id[FLEET_ID_MAX];
	uint64_t expires_ms;		/* CLOCK_REALTIME; forgotten after */
	bool revoked;
	char cm[24];			/* local countermeasure, "" none */
	enum sla_action action;
	char target[NFTB_ADDR_MAX];
};

/* Decisions handled, until they expire; at most MAX of them. */
struct fleet_ledger {
	struct fleet_ledger_entry *e;
	size_t n, cap, max;
	uint64_t evicted;		/* forgotten early, at MAX */
	uint64_t changes;		/* to know when to save it */
};

void fleet_ledger_init(struct fleet_ledger *l, size_t max);
void fleet_ledger_fini(struct fleet_ledger *l);
enum fleet_verdict fleet_ledger_judge(const struct fleet_ledger *l,
				      const struct fleet_decision *d,
				      const char *site, const char *node,
				      uint64_t now_real);
/* D was handled: CM is the countermeasure it became here ("" none). */
int fleet_ledger_note(struct fleet_ledger *l, const struct fleet_decision *d,
		      const char *cm);
const struct fleet_ledger_entry *fleet_ledger_find(const struct fleet_ledger *l,
						   const char *id);
const struct fleet_ledger_entry *fleet_ledger_by_cm(const struct fleet_ledger *l,
						    const char *cm);
/* The live entry about ACTION on TARGET, or NULL. */
const struct fleet_ledger_entry *fleet_ledger_by_target(const struct fleet_ledger *l,
							enum sla_action action,
							const char *target);
/* Point the entry of decision ID at local countermeasure CM. */
void fleet_ledger_rebind(struct fleet_ledger *l, const char *id, const char *cm);
void fleet_ledger_expire(struct fleet_ledger *l, uint64_t now_real);
/*
 * The ledger survives restarts in a file (state directory): one line per
 * entry. Save writes PATH.tmp and renames it; load adds the entries still
 * due at NOW_REAL and skips lines it cannot read. 0 or -errno.
 */
int fleet_ledger_save(const struct fleet_ledger *l, const char *path);
int fleet_ledger_load(struct fleet_ledger *l, const char *path, uint64_t now_real);

/* ---- the running fleet ---- */

struct fleet_counters {
	uint64_t published, publish_errors, dropped;	/* dropped: queue full */
	uint64_t received, applied, refused, skipped, malformed;
	uint64_t disconnects;
};

struct fleet;

/*
 * Connects in the background (the servers may be down, or refuse this
 * node's login: it keeps trying). E's respond stage reports its decisions
 * here from now on.
 * STATE_DIR (NULL: none) keeps the ledger across restarts, so a revoke
 * after a restart still finds the decision; call it after adoption.
 */
int fleet_new(struct fleet **out, const struct sla_fleet *cfg,
	      struct engine *e, struct loop *l, const char *state_dir);
void fleet_free(struct fleet *f);
/* An alert raised (after its response). */
void fleet_on_alert(struct fleet *f, const struct alert *a);
/* Every second: SLO state changes, the ledger's expiry, the bus's state. */
void fleet_tick(struct fleet *f, uint64_t now);
struct json_object *fleet_status_json(const struct fleet *f);

#endif /* SLAGUARDD_FLEET_H */
