// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "offenders.h"
#include "respond.h"

/* A hook still running: reaped, or stopped past the timeout, on ticks. */
struct hook_run {
	pid_t pid;
	uint64_t started;		/* CLOCK_MONOTONIC ms */
	bool terminated;		/* SIGTERM sent; SIGKILL after a grace */
	char alert[24];
	char path[128];
};

/* How long a stopped hook gets between SIGTERM and SIGKILL. */
#define HOOK_KILL_GRACE_MS	2000

struct respond {
	const struct respond_ops *ops;
	void *ctx;
	bool dry_run;
	uint64_t next_num;
	struct countermeasure *cm;
	size_t n, cap;
	struct hook_run hooks[RESPOND_HOOKS_MAX];
	size_t nhooks, max_hooks;
	uint64_t hook_timeout_ms;
	struct respond_hook_counters hc;
	uint64_t refused[RESPOND_REFUSALS];
	struct respond_listener listener;
	const char *origin;		/* applying another node's decision */
	char *cg_state;			/* the cgroup countermeasures' file */
	/* one-shot countermeasures done lately (kill), oldest overwritten */
	struct countermeasure done[RESPOND_DONE_KEEP];
	size_t ndone;
	/* The operator's allowlist entries (action none), and their counts. */
	struct countermeasure *allow;
	size_t nallow;
	bool guard_stale;
	char *allow_state;		/* their file */
	struct respond_operator_counters oc;
	/* Repeat offenders, their state file and when it was last written. */
	struct offenders off;
	char *off_state;
	bool off_dirty;
	uint64_t off_saved;
	uint64_t last_now;		/* the latest NOW given, for the last write */
};

static void reap_hooks(struct respond *r, uint64_t now);
static void cgroup_undo(struct respond *r, const struct countermeasure *c,
			const char *why);
static void cgroup_save(struct respond *r);
static void offenders_save(struct respond *r, uint64_t now);
static void allows_save(struct respond *r);
static bool operator_target(const char *target, struct sla_prefix *p, char *text,
			    size_t len, char *err, size_t errlen);

int respond_new(struct respond **out, const struct respond_ops *ops, void *ctx)
{
	struct respond *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r)
		return -ENOMEM;
	r->ops = ops;
	r->ctx = ctx;
	r->next_num = 1;
	r->max_hooks = RESPOND_HOOKS_MAX;
	r->hook_timeout_ms = RESPOND_HOOK_TIMEOUT_MS;
	return 0;
}

void respond_start_at(struct respond *r, uint64_t n)
{
	if (n > r->next_num)
		r->next_num = n;
}

uint64_t respond_next_num(const struct respond *r)
{
	return r->next_num;
}

void respond_set_hook_limits(struct respond *r, size_t max, uint64_t timeout_ms)
{
	r->max_hooks = max < RESPOND_HOOKS_MAX ? max : RESPOND_HOOKS_MAX;
	r->hook_timeout_ms = timeout_ms;
}

const struct respond_hook_counters *respond_hook_counters(const struct respond *r)
{
	return &r->hc;
}

size_t respond_hooks_running(const struct respond *r)
{
	return r->nhooks;
}

void respond_free(struct respond *r)
{
	if (!r)
		return;
	if (r->off_dirty)
		offenders_save(r, r->last_now);
	free(r->cm);
	free(r->cg_state);
	free(r->allow);
	free(r->allow_state);
	offenders_free(&r->off);
	free(r->off_state);
	free(r);
}

void respond_set_listener(struct respond *r, const struct respond_listener *l)
{
	r->listener = *l;
}

void respond_set_dry_run(struct respond *r, bool dry_run)
{
	r->dry_run = dry_run;
}

size_t respond_active(const struct respond *r)
{
	return r->n;
}

const struct countermeasure *respond_at(const struct respond *r, size_t i)
{
	return i < r->n ? &r->cm[i] : NULL;
}

const char *respond_refusal_name(enum respond_refusal why)
{
	static const char *const names[RESPOND_REFUSALS] = {
		"no_source", "allowlisted", "cap", "backend", "hooks_busy",
		"no_evidence", "no_destination", "no_cgroup", "protected",
	};

	return (unsigned int)why < RESPOND_REFUSALS ? names[why] : "unknown";
}

uint64_t respond_refused(const struct respond *r, enum respond_refusal why)
{
	return (unsigned int)why < RESPOND_REFUSALS ? r->refused[why] : 0;
}

/* ---- bookkeeping ---- */

static struct countermeasure *find_target(struct respond *r,
					  enum nftb_kind kind,
					  const char *target)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->cm[i].kind == kind && !strcmp(r->cm[i].target, target))
			return &r->cm[i];
	return NULL;
}

const struct countermeasure *respond_find(const struct respond *r,
					  const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->cm[i].id, id))
			return &r->cm[i];
	for (size_t i = 0; i < r->ndone && i < RESPOND_DONE_KEEP; i++)
		if (!strcmp(r->done[i].id, id))
			return &r->done[i];
	return NULL;
}

static enum nftb_kind kind_of(enum sla_action action);

const struct countermeasure *respond_find_target(const struct respond *r,
						 enum sla_action action,
						 const char *target)
{
	return find_target((struct respond *)r, kind_of(action), target);
}

static struct countermeasure *add(struct respond *r)
{
	struct countermeasure *c;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct countermeasure *v = realloc(r->cm, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->cm = v;
		r->cap = cap;
	}
	c = &r->cm[r->n++];
	memset(c, 0, sizeof(*c));
	c->num = r->next_num++;
	snprintf(c->id, sizeof(c->id), "C%llu", (unsigned long long)c->num);
	return c;
}

static void remove_at(struct respond *r, size_t i)
{
	r->cm[i] = r->cm[--r->n];
}

void respond_expire(struct respond *r, uint64_t now)
{
	bool cg = false;

	if (now > r->last_now)
		r->last_now = now;
	reap_hooks(r, now);
	for (size_t i = 0; i < r->n;) {
		if (r->cm[i].expires <= now) {
			sgd_log(LOG_INFO, "countermeasure %s (%s %s) expired",
				r->cm[i].id, sla_action_name(r->cm[i].action),
				r->cm[i].target);
			if (sla_action_on_cgroup(r->cm[i].action)) {
				cgroup_undo(r, &r->cm[i], "expired");
				cg = true;
			}
			remove_at(r, i);
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < r->nallow;) {
		if (r->allow[i].expires <= now) {
			sgd_log(LOG_INFO, "allow %s (%s) expired", r->allow[i].id,
				r->allow[i].target);
			r->allow[i] = r->allow[--r->nallow];
			r->guard_stale = true;
			allows_save(r);
		} else {
			i++;
		}
	}
	if (cg)
		cgroup_save(r);
	if (r->off_dirty && now - r->off_saved >= RESPOND_OFFENDERS_SAVE_MS)
		offenders_save(r, now);
}

/* ---- policy ---- */

static void note(struct alert *a, enum sla_action action, const char *result,
		 const char *detail)
{
	struct json_object *arr, *o = json_object_new_object();

	if (!o)
		return;
	if (!json_object_object_get_ex(a->evidence, "responses", &arr)) {
		arr = json_object_new_array();
		json_object_object_add(a->evidence, "responses", arr);
	}
	json_object_object_add(o, "action", json_object_new_string(sla_action_name(action)));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (detail)
		json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(arr, o);
}

static bool allowlisted(const struct respond *r, const struct sla *sla,
			const struct alert *a)
{
	for (size_t i = 0; i < sla->n_allowlist; i++)
		if (sla_prefix_contains(&sla->allowlist[i], a->family, a->src))
			return true;
	for (size_t i = 0; i < r->nallow; i++)
		if (sla_prefix_contains(&r->allow[i].prefix, a->family, a->src))
			return true;
	return false;
}

static enum nftb_kind kind_of(enum sla_action action)
{
	return action == SLA_ACT_RATE_LIMIT ? NFTB_RATELIMIT :
	       action == SLA_ACT_INSPECT ? NFTB_INSPECT :
	       action == SLA_ACT_LIMIT_DESTINATION ? NFTB_LIMIT_DST : NFTB_BLOCK;
}

static unsigned int timeout_s(uint64_t ms)
{
	uint64_t s = ms / 1000 + (ms % 1000 != 0);	/* rounded up, no overflow */

	return s > NFTB_TIMEOUT_MAX_S ? NFTB_TIMEOUT_MAX_S : s ? (unsigned int)s : 1;
}

/*
 * Evidence before blocking: a network detector counts packets, and the
 * source address of a packet is whatever its sender wrote. Only a source
 * that completed a TCP handshake has shown it receives what is sent to it;
 * blocking any other may block the innocent owner of a forged address (a
 * decoy). Watches (a rule's packets) and application events keep acting
 * on their source: the rule or the application names it.
 */
static const char *evidence_refusal(const struct sla *sla,
				    const struct sla_countermeasure *pol,
				    const struct alert *a)
{
	if (pol->action != SLA_ACT_BLOCK_SOURCE &&
	    pol->action != SLA_ACT_RATE_LIMIT)
		return NULL;
	if (!a->net.detector ||
	    sla_countermeasure_evidence(sla, pol) == SLA_EVIDENCE_ANY)
		return NULL;
	if (!a->net.has_handshakes)
		return "no handshake evidence: the event does not say whether the source completed a TCP handshake, so its address may be forged (evidence: handshake; evidence: any acts without it)";
	if (!a->net.handshakes)
		return "the source completed no TCP handshake: its address may be forged (evidence: handshake; evidence: any acts without it)";
	return NULL;
}

/*
 * Refusals are decided here, before the backend, so that a refusal is
 * the policy's (recorded on the alert) and dry-run refuses the same way.
 * TARGET gets what the action is on: the source, or "address . port" of
 * the destination for limit-destination.
 */
static const char *refusal(const struct respond *r, const struct sla *sla,
			   const struct sla_countermeasure *pol,
			   const struct alert *a, char *target, size_t len,
			   enum respond_refusal *code)
{
	target[0] = '\0';
	if (pol->action == SLA_ACT_LIMIT_DESTINATION) {
		/* SYNs to our own service: no lockout, so no guard either. */
		*code = RESPOND_REFUSED_NO_DESTINATION;
		if (!a->net.has_dst || a->net.proto != IPPROTO_TCP || !a->net.dport)
			return "no destination (address and TCP port) to act on";
		snprintf(target, len, "%s . %u", a->net.destination, a->net.dport);
		return NULL;
	}
	*code = RESPOND_REFUSED_NO_SOURCE;
	if (!a->has_source)
		return "no source to act on";
	snprintf(target, len, "%s", a->source);
	*code = RESPOND_REFUSED_ALLOWLISTED;
	if (allowlisted(r, sla, a))
		return "source is allowlisted";
	*code = RESPOND_REFUSED_NO_EVIDENCE;
	return evidence_refusal(sla, pol, a);
}

/* Adopted countermeasures take the severity of the SLO or rule they name. */
static enum sla_severity cm_severity(const struct sla *sla,
				     const struct countermeasure *c)
{
	const struct sla_slo *slo;
	const struct sla_rule *rule;

	if (c->severity)
		return c->severity;
	if ((slo = sla_find_slo(sla, c->ref)))
		return slo->severity;
	if ((rule = sla_find_rule(sla, c->ref)) && rule->severity)
		return rule->severity;
	return SLA_SEV_LOW;
}

/*
 * At the cap (defaults.max_actions), the countermeasure an action of
 * severity SEV replaces: the least severe below SEV, the oldest of those,
 * so decoys cannot fill the cap and keep a more severe attacker from being
 * blocked. R->n if there is none.
 */
static size_t victim_for(const struct respond *r, const struct sla *sla,
			 enum sla_severity sev)
{
	size_t victim = r->n;
	enum sla_severity vsev = sev;

	for (size_t i = 0; i < r->n; i++) {
		enum sla_severity s = cm_severity(sla, &r->cm[i]);

		/* a cgroup's previous value is not the backend's to put back */
		if (sla_action_on_cgroup(r->cm[i].action))
			continue;
		if (s < vsev || (victim < r->n && s == vsev &&
				 r->cm[i].num < r->cm[victim].num)) {
			victim = i;
			vsev = s;
		}
	}
	return victim;
}

/* Put C back into the table as it was (its replacement was refused). */
static void restore(struct respond *r, const struct countermeasure *c,
		    uint64_t now)
{
	char comment[NFTB_COMMENT_MAX];

	if (nftb_comment(comment, sizeof(comment), c->ref, c->alert) < 0)
		snprintf(comment, sizeof(comment), "slaguard rule=unknown alert=%s", c->alert);
	if (r->ops->apply(r->ctx, c->kind, c->target,
			  timeout_s(c->expires > now ? c->expires - now : 0),
			  comment) < 0)
		sgd_log(LOG_WARNING, "countermeasure %s (%s %s) could not be put back",
			c->id, sla_action_name(c->action), c->target);
}

/* The active range decision that covers the alert's source, or NULL. */
static struct countermeasure *covering(struct respond *r, const struct alert *a)
{
	for (size_t i = 0; i < r->n; i++) {
		struct countermeasure *c = &r->cm[i];

		if (c->prefix.plen && sla_prefix_contains(&c->prefix, a->family, a->src))
			return c;
	}
	return NULL;
}

static bool prefixes_meet(const struct sla_prefix *p, const struct sla_prefix *q)
{
	return q->plen <= p->plen ? sla_prefix_contains(q, p->family, p->addr) :
				    sla_prefix_contains(p, q->family, q->addr);
}

/*
 * The allowlisted address or prefix (the SLA's, or an operator's allow)
 * that meets prefix P, or NULL.
 */
static const struct sla_prefix *allowlist_entry(const struct respond *r,
						const struct sla *sla,
						const struct sla_prefix *p)
{
	for (size_t i = 0; i < sla->n_allowlist; i++)
		if (prefixes_meet(p, &sla->allowlist[i]))
			return &sla->allowlist[i];
	for (size_t i = 0; i < r->nallow; i++)
		if (prefixes_meet(p, &r->allow[i].prefix))
			return &r->allow[i].prefix;
	return NULL;
}

static bool allowlist_meets(const struct respond *r, const struct sla *sla,
			    const struct sla_prefix *p)
{
	return allowlist_entry(r, sla, p) != NULL;
}

/* C blocks a single address inside prefix P. */
static bool single_in(const struct countermeasure *c, const struct sla_prefix *p)
{
	uint8_t addr[16];

	return c->kind == NFTB_BLOCK && !c->prefix.plen &&
	       sgd_parse_addr(c->target, addr) == p->family &&
	       sla_prefix_contains(p, p->family, addr);
}

/*
 * Range decisions (defaults.aggregate, off unless the SLA asks): once
 * enough addresses of one prefix are blocked, one element blocks the
 * prefix - in the table's interval set - and the single ones go. Never
 * over an allowlisted address; the backend refuses a prefix that meets a
 * protected one, and then the single blocks simply stay.
 */
static void aggregate(struct respond *r, const struct sla *sla, struct alert *a,
		      uint64_t now)
{
	struct sla_prefix agg = { .family = a->family };
	size_t n = 0;
	uint64_t expires = now;
	enum sla_severity sev = a->severity;
	char text[NFTB_ADDR_MAX], comment[NFTB_COMMENT_MAX], detail[192];
	struct countermeasure *c;
	int ret = 0;

	if (!sla->defaults.aggregate.on || !a->has_source)
		return;
	agg.plen = a->family == AF_INET ? sla->defaults.aggregate.plen4 :
		   sla->defaults.aggregate.plen6;
	memcpy(agg.addr, a->src, sizeof(agg.addr));
	sla_prefix_clear_host_bits(&agg);
	for (size_t i = 0; i < r->n; i++) {
		c = &r->cm[i];
		if (single_in(c, &agg)) {
			n++;
			if (c->expires > expires)
				expires = c->expires;
		}
	}
	if (n < sla->defaults.aggregate.min || allowlist_meets(r, sla, &agg))
		return;
	sgd_format_addr(agg.family, agg.addr, text, sizeof(text));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "/%u", agg.plen);
	if (nftb_comment(comment, sizeof(comment), a->ref, a->id) < 0)
		snprintf(comment, sizeof(comment), "slaguard rule=unknown alert=%s", a->id);
	if (!r->dry_run)
		ret = r->ops->apply(r->ctx, NFTB_BLOCK, text,
				    timeout_s(expires - now), comment);
	if (ret < 0) {
		snprintf(detail, sizeof(detail), "not aggregated into %s: %s", text,
			 r->ops->error ? r->ops->error(r->ctx) : strerror(-ret));
		r->refused[RESPOND_REFUSED_BACKEND]++;
		note(a, SLA_ACT_BLOCK_SOURCE, "refused", detail);
		return;
	}
	/* The single blocks the prefix now covers go. */
	for (size_t i = 0; i < r->n;) {
		c = &r->cm[i];
		if (single_in(c, &agg)) {
			if (cm_severity(sla, c) > sev)
				sev = cm_severity(sla, c);
			if (!c->dry_run)
				r->ops->revoke(r->ctx, c->kind, c->target);
			remove_at(r, i);
			continue;
		}
		i++;
	}
	if (!(c = add(r)))
		return;
	c->action = SLA_ACT_BLOCK_SOURCE;
	c->kind = NFTB_BLOCK;
	snprintf(c->target, sizeof(c->target), "%s", text);
	c->expires = expires;
	snprintf(c->alert, sizeof(c->alert), "%s", a->id);
	snprintf(c->ref, sizeof(c->ref), "%s", a->ref);
	c->dry_run = r->dry_run;
	c->severity = sev;
	c->prefix = agg;
	snprintf(detail, sizeof(detail), "%zu blocked addresses of %s aggregated into one element",
		 n, text);
	sgd_log(LOG_NOTICE, "%s%s: block-source %s (%s)", r->dry_run ? "dry-run: " : "",
		c->id, text, detail);
	note(a, SLA_ACT_BLOCK_SOURCE, c->id, detail);
	alert_add_action(a, c->id);
}

/* Another node's decision: its comment says where it came from. */
static void origin_comment(char comment[NFTB_COMMENT_MAX], const struct alert *a,
			   const char *origin)
{
	size_t n = strlen(comment);
	int w = snprintf(comment + n, NFTB_COMMENT_MAX - n, " origin=%s", origin);

	if (w < 0 || (size_t)w >= NFTB_COMMENT_MAX - n)
		snprintf(comment, NFTB_COMMENT_MAX, "slaguard rule=fleet alert=%.23s origin=%.65s",
			 a->id, origin);
}

/* ---- repeat offenders ---- */

/* 1st, 2nd, 3rd, 4th, ... */
static const char *ordinal(unsigned int n)
{
	return n % 100 / 10 == 1 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" :
	       n % 10 == 3 ? "rd" : "th";
}

/*
 * The timeout of a new block of TARGET for BASE_MS: longer for the Nth
 * block within defaults.repeat.window (base x multiplier^(N-1), at most
 * defaults.repeat.max, never below BASE_MS). *NTH gets N (0: repeat is
 * off) and DETAIL what was done, for the alert's evidence.
 */
static unsigned int repeat_secs(const struct respond *r, const struct sla *sla,
				const char *target, uint64_t base_ms, uint64_t now,
				unsigned int *nth, char *detail, size_t len)
{
	double ms = (double)base_ms, max = (double)sla->defaults.repeat.max_ms;
	char b[32], w[32], d[32];
	unsigned int n;

	*nth = 0;
	if (!sla->defaults.repeat.on)
		return timeout_s(base_ms);
	n = offenders_peek(&r->off, target, (int64_t)now, sla->defaults.repeat.window_ms);
	for (unsigned int i = 1; i < n && ms < max; i++)
		ms *= sla->defaults.repeat.multiplier;
	if (ms > max)
		ms = max;
	if (ms < (double)base_ms)
		ms = (double)base_ms;
	*nth = n;
	if (n > 1) {
		sla_format_duration(base_ms, b, sizeof(b));
		sla_format_duration(sla->defaults.repeat.window_ms, w, sizeof(w));
		sla_format_duration((uint64_t)ms / 1000 * 1000, d, sizeof(d));
		snprintf(detail, len, "%u%s block of %s within %s: %s instead of %s (defaults.repeat)",
			 n, ordinal(n), target, w, d, b);
	}
	return timeout_s((uint64_t)ms);
}

/* A block of TARGET was taken: count it. */
static unsigned int offender_hit(struct respond *r, const struct sla *sla,
				 const char *target, uint64_t now)
{
	uint32_t n = offenders_hit(&r->off, target, (int64_t)now,
				   sla->defaults.repeat.window_ms,
				   sla->defaults.repeat.remember);

	r->off_dirty = true;
	if (now > r->last_now)
		r->last_now = now;
	return n;
}

size_t respond_offenders(const struct respond *r)
{
	return r->off.n;
}

uint64_t respond_offenders_evicted(const struct respond *r)
{
	return r->off.evicted;
}

unsigned int respond_offender_count(const struct respond *r, const char *target,
				    uint64_t window_ms, uint64_t now)
{
	return offenders_peek(&r->off, target, (int64_t)now, window_ms) - 1;
}

void respond_set_offender_state(struct respond *r, const char *path)
{
	free(r->off_state);
	r->off_state = path ? strdup(path) : NULL;
}

/* "target<TAB>count<TAB>last block, CLOCK_REALTIME ms", oldest first. */
static void offenders_save(struct respond *r, uint64_t now)
{
	struct sgd_rewrite w;
	int ret;

	r->off_saved = now;
	if (!r->off_state)
		return;
	r->off_dirty = false;
	ret = sgd_rewrite_open(&w, r->off_state);
	if (!ret) {
		offenders_write(&r->off, w.f, (int64_t)now, sgd_real_ms());
		ret = sgd_rewrite_commit(&w);
	}
	if (ret < 0)
		sgd_log(LOG_WARNING, "%s: %s: repeat offenders would be forgotten by a restart",
			r->off_state, strerror(-ret));
}

void respond_offenders_recover(struct respond *r, uint64_t now, uint32_t limit)
{
	int64_t real = (int64_t)sgd_real_ms();
	char *line = NULL;
	size_t cap = 0, bad = 0, n = 0;
	FILE *f;

	if (!limit || !r->off_state || !(f = fopen(r->off_state, "re")))
		return;
	while (getline(&line, &cap, f) > 0) {
		char target[NFTB_ADDR_MAX], host[NFTB_ADDR_MAX], extra;
		unsigned int count;
		long long last;
		uint8_t addr[16];

		if (sscanf(line, "%95[^\t]\t%u\t%lld %c", target, &count, &last, &extra) != 3) {
			bad++;
			continue;
		}
		snprintf(host, sizeof(host), "%s", target);
		host[strcspn(host, "/")] = '\0';
		if (!count || sgd_parse_addr(host, addr) <= 0) {
			bad++;
			continue;
		}
		if (offenders_put(&r->off, target, count, (int64_t)now - (real - last),
				  limit) == 0)
			n++;
	}
	free(line);
	fclose(f);
	if (bad)
		sgd_log(LOG_WARNING, "%s: %zu lines are not repeat offenders, skipped",
			r->off_state, bad);
	if (n)
		sgd_log(LOG_INFO, "%s: %zu repeat offenders remembered", r->off_state, n);
}

static void firewall(struct respond *r, const struct sla *sla,
		     const struct sla_countermeasure *pol, struct alert *a,
		     uint64_t now)
{
	enum nftb_kind kind = kind_of(pol->action);
	char target[NFTB_ADDR_MAX];
	enum respond_refusal code;
	const char *why = refusal(r, sla, pol, a, target, sizeof(target), &code);
	struct countermeasure *c = why ? NULL : find_target(r, kind, target);
	unsigned int secs = timeout_s(pol->duration_ms);
	char comment[NFTB_COMMENT_MAX], replaced[256] = "";
	size_t victim = r->n;
	unsigned int nth = 0;
	char repeat[320] = "";
	int ret;

	/* Only an SLA that aggregates has prefixes to look through. */
	if (!why && !c && kind == NFTB_BLOCK && sla->defaults.aggregate.on &&
	    (c = covering(r, a))) {
		note(a, pol->action, c->id, "covered by a blocked prefix");
		alert_add_action(a, c->id);
		return;
	}
	if (!why && !c && r->n >= sla->defaults.max_actions) {
		victim = victim_for(r, sla, a->severity);
		if (victim == r->n) {
			why = "cap of active countermeasures reached (defaults.max_actions), none less severe to replace";
			code = RESPOND_REFUSED_CAP;
		}
	}

	if (why) {
		r->refused[code]++;
		sgd_log(LOG_NOTICE, "%s: not doing %s on %s: %s", a->id,
			sla_action_name(pol->action),
			target[0] ? target : "-", why);
		note(a, pol->action, "refused", why);
		return;
	}
	if (nftb_comment(comment, sizeof(comment), a->ref, a->id) < 0)
		snprintf(comment, sizeof(comment), "slaguard rule=unknown alert=%s", a->id);
	if (r->origin)
		origin_comment(comment, a, r->origin);
	/* Another node's decision came with its own count already. */
	else if (!c && kind == NFTB_BLOCK)
		secs = repeat_secs(r, sla, target, pol->duration_ms, now, &nth,
				   repeat, sizeof(repeat));
	if (!r->dry_run) {
		const struct countermeasure *v = victim < r->n ? &r->cm[victim] : NULL;

		bool revoked = false;

		/* Replace: revoke the victim, then put it back if the new one is refused. */
		ret = v && !v->dry_run ? r->ops->revoke(r->ctx, v->kind, v->target) : 0;
		if (ret == -ENOENT)
			ret = 0;
		if (!ret) {
			revoked = v && !v->dry_run;
			ret = r->ops->apply(r->ctx, kind, target, secs, comment);
		}
		if (ret < 0) {
			const char *err = r->ops->error ? r->ops->error(r->ctx) : strerror(-ret);

			if (revoked)
				restore(r, v, now);

			sgd_log(LOG_WARNING, "%s: %s %s failed: %s", a->id,
				sla_action_name(pol->action), target, err);
			if (ret == -EPERM || ret == -ENOSPC)
				r->refused[RESPOND_REFUSED_BACKEND]++;
			note(a, pol->action, ret == -EPERM ? "refused" :
			     ret == -ENOSPC ? "refused" : "failed", err);
			return;
		}
	}
	if (victim < r->n) {
		const struct countermeasure *v = &r->cm[victim];

		snprintf(replaced, sizeof(replaced),
			 "replaced %s (%s, %s %s) at the cap (defaults.max_actions)",
			 v->id, sla_severity_name(cm_severity(sla, v)),
			 sla_action_name(v->action), v->target);
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) revoked to make room",
			v->id, sla_action_name(v->action), v->target);
		remove_at(r, victim);
	}
	if (!c && !(c = add(r)))
		return;
	c->action = pol->action;
	c->kind = kind;
	snprintf(c->target, sizeof(c->target), "%s", target);
	if (now + (uint64_t)secs * 1000 > c->expires)
		c->expires = now + (uint64_t)secs * 1000;
	snprintf(c->alert, sizeof(c->alert), "%s", a->id);
	snprintf(c->ref, sizeof(c->ref), "%s", a->ref);
	c->dry_run = r->dry_run;
	c->severity = a->severity;
	snprintf(c->origin, sizeof(c->origin), "%s", r->origin ? r->origin : "");
	if (nth) {
		c->repeat = offender_hit(r, sla, target, now);
		c->duration_ms = (uint64_t)secs * 1000;
	}
	sgd_log(LOG_NOTICE, "%s%s: %s %s for %us (%s)", r->dry_run ? "dry-run: " : "",
		c->id, sla_action_name(pol->action), target, secs, comment);
	if (pol->action == SLA_ACT_LIMIT_DESTINATION)
		note(a, pol->action, c->id,
		     "new TCP connections to the destination are limited to the table's own rate (200/second, burst 400); the SLA's rate is not applied per destination yet");
	else if (pol->action == SLA_ACT_RATE_LIMIT)
		note(a, pol->action, c->id,
		     "the table limits to its own fixed rate; the SLA's rate is not applied per source yet");
	else
		note(a, pol->action, c->id, r->dry_run ? "dry-run" :
		     replaced[0] ? replaced : repeat[0] ? repeat : NULL);
	alert_add_action(a, c->id);
	if (!r->origin && r->listener.decided)
		r->listener.decided(r->listener.arg, c, pol, a);
	if (kind == NFTB_BLOCK)
		aggregate(r, sla, a, now);
}

void respond_apply_remote(struct respond *r, const struct sla *sla,
			  enum sla_action action, uint64_t duration_ms,
			  const char *origin, struct alert *a, uint64_t now)
{
	struct sla_countermeasure pol = { .action = action,
					  .duration_ms = duration_ms };

	r->origin = origin;
	firewall(r, sla, &pol, a, now);
	r->origin = NULL;
}

static void hook(struct respond *r, const char *path, struct alert *a,
		 uint64_t now)
{
	char env[9][FINDING_SUMMARY_MAX + 32];
	char *envp[10];
	pid_t pid = 0;
	int ret;

	snprintf(env[0], sizeof(env[0]), "SLAGUARD_ALERT_ID=%s", a->id);
	snprintf(env[1], sizeof(env[1]), "SLAGUARD_SEVERITY=%s", sla_severity_name(a->severity));
	snprintf(env[2], sizeof(env[2]), "SLAGUARD_KIND=%s", finding_kind_name(a->kind));
	snprintf(env[3], sizeof(env[3]), "SLAGUARD_REF=%s", a->ref);
	snprintf(env[4], sizeof(env[4]), "SLAGUARD_SOURCE=%s", a->has_source ? a->source : "");
	snprintf(env[5], sizeof(env[5]), "SLAGUARD_COMPONENT=%s", a->component);
	snprintf(env[6], sizeof(env[6]), "SLAGUARD_SUMMARY=%s", a->summary);
	snprintf(env[7], sizeof(env[7]), "SLAGUARD_DRY_RUN=%d", r->dry_run);
	snprintf(env[8], sizeof(env[8]), "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	for (int i = 0; i < 9; i++)
		envp[i] = env[i];
	envp[9] = NULL;
	if (r->dry_run) {
		sgd_log(LOG_NOTICE, "dry-run: %s: would run hook %s", a->id, path);
		note(a, SLA_ACT_RUN_HOOK, "dry-run", path);
		return;
	}
	if (r->nhooks >= r->max_hooks) {
		char why[64];

		r->hc.refused++;
		r->refused[RESPOND_REFUSED_HOOKS_BUSY]++;
		snprintf(why, sizeof(why), "%zu hooks still running, the most at once",
			 r->nhooks);
		sgd_log(LOG_WARNING, "%s: hook %s not started: %s", a->id, path, why);
		note(a, SLA_ACT_RUN_HOOK, "refused", why);
		return;
	}
	ret = r->ops->run_hook ? r->ops->run_hook(r->ctx, path, envp, &pid) : -ENOSYS;
	note(a, SLA_ACT_RUN_HOOK, ret < 0 ? "failed" : "started", path);
	if (ret < 0) {
		r->hc.failed++;
		sgd_log(LOG_WARNING, "%s: hook %s: %s", a->id, path, strerror(-ret));
		return;
	}
	r->hc.started++;
	if (pid > 0) {
		struct hook_run *h = &r->hooks[r->nhooks++];

		*h = (struct hook_run){ .pid = pid, .started = now };
		snprintf(h->alert, sizeof(h->alert), "%s", a->id);
		snprintf(h->path, sizeof(h->path), "%s", path);
	}
}

/*
 * Reap the hooks that ended, recording how; stop those running past the
 * timeout (SIGTERM, then SIGKILL after a grace).
 */
static void reap_hooks(struct respond *r, uint64_t now)
{
	for (size_t i = 0; i < r->nhooks;) {
		struct hook_run *h = &r->hooks[i];
		int status;
		pid_t ret = waitpid(h->pid, &status, WNOHANG);

		if (ret == 0) {
			uint64_t ran = now - h->started;

			if (!h->terminated && ran >= r->hook_timeout_ms) {
				sgd_log(LOG_WARNING, "%s: hook %s still running after %llu ms: stopping it",
					h->alert, h->path, (unsigned long long)ran);
				kill(h->pid, SIGTERM);
				h->terminated = true;
				r->hc.timed_out++;
			} else if (h->terminated &&
				   ran >= r->hook_timeout_ms + HOOK_KILL_GRACE_MS) {
				kill(h->pid, SIGKILL);
			}
			i++;
			continue;
		}
		if (ret > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			r->hc.exited_ok++;
			sgd_log(LOG_INFO, "%s: hook %s exited 0", h->alert, h->path);
		} else if (ret > 0 && WIFEXITED(status)) {
			r->hc.exited_error++;
			sgd_log(LOG_WARNING, "%s: hook %s exited with status %d",
				h->alert, h->path, WEXITSTATUS(status));
		} else if (ret > 0) {
			r->hc.exited_error++;
			sgd_log(LOG_WARNING, "%s: hook %s killed by signal %d",
				h->alert, h->path, WTERMSIG(status));
		}
		/* ret < 0: not our child any more (reaped elsewhere); forget it. */
		r->hooks[i] = r->hooks[--r->nhooks];
	}
}

/* ---- cgroup countermeasures ---- */

/*
 * The cgroup an alert is about, into CG: that of the process its evidence
 * names ("comm[pid]", the worst process of a per-process SLO), the cgroup
 * it names (a deny rule's watch hit on what a local process sent), else the
 * first cgroup of its component (not for other watch hits: their component
 * is the destination). NULL, or why there is none.
 */
static const char *cgroup_target(const struct sla *sla, const struct alert *a,
				 pid_t *pid, char *comm, size_t clen,
				 char *cg, size_t len)
{
	const struct sla_component *comp;
	struct json_object *p;
	char now[64];

	*pid = 0;
	comm[0] = '\0';
	if (json_object_object_get_ex(a->evidence, "process", &p)) {
		const char *s = json_object_get_string(p);
		const char *lb = s ? strrchr(s, '[') : NULL;
		int id = 0;

		if (!lb || sscanf(lb, "[%d]", &id) != 1 || id <= 0)
			return "the process the alert names has no pid";
		*pid = (pid_t)id;
		snprintf(comm, clen, "%.*s", (int)(lb - s), s);
		/* the pid may have been reused by another program since */
		if (!cg_comm(*pid, now, sizeof(now)) || strcmp(now, comm) ||
		    cg_of_pid(*pid, cg, len) < 0)
			return "the process the alert names is gone";
		return NULL;
	}
	/* a deny rule's watch hit on a packet a local process sent */
	if (json_object_object_get_ex(a->evidence, "cgroup", &p)) {
		const char *s = json_object_get_string(p);

		if (!s || s[0] != '/' || strlen(s) >= len)
			return "no cgroup: the alert's cgroup is not a cgroup path";
		snprintf(cg, len, "%s", s);
		return NULL;
	}
	/*
	 * Any other watch hit: the rule's component is where the packet went,
	 * not who sent it.
	 */
	if (json_object_object_get_ex(a->evidence, "cgroup_id", &p))
		return "no cgroup: the sending socket's cgroup is not found under the cgroup2 mount (gone since, or outside what the daemon sees)";
	if (json_object_object_get_ex(a->evidence, "watch", &p))
		return "no cgroup: no local process sent the packet (arriving or forwarded traffic, or sent by the kernel)";
	comp = a->component[0] ? sla_find_component(sla, a->component) : NULL;
	if (comp && comp->n_cgroups) {
		snprintf(cg, len, "%s", comp->cgroups[0]);
		return NULL;
	}
	return "no process or cgroup to act on (a per-process sched.* SLO names its worst process, a component with cgroups its first cgroup, a deny rule the cgroup of the local process that sent the packet)";
}

static struct countermeasure *find_cgroup(struct respond *r,
					  enum sla_action action,
					  const char *cg)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->cm[i].action == action && !strcmp(r->cm[i].cgroup, cg))
			return &r->cm[i];
	return NULL;
}

static void cgroup_value(const struct sla_countermeasure *pol, char *buf,
			 size_t len)
{
	if (pol->action == SLA_ACT_ISOLATE_NETWORK)
		snprintf(buf, len, "drop but the allowlist");
	else if (pol->action == SLA_ACT_THROTTLE_CPU)	/* µs per 100 ms period */
		snprintf(buf, len, "%u 100000", pol->cpu_percent * 1000);
	else if (pol->action == SLA_ACT_LIMIT_MEMORY)
		snprintf(buf, len, "%llu", (unsigned long long)pol->memory_bytes);
	else
		snprintf(buf, len, "1");
}

/* "slaguard rule=R alert=A cm=C<n>": the rules say what they are for. */
static void isolate_comment(char *buf, size_t len, const char *ref,
			    const char *alert, const char *id)
{
	size_t n;

	if (nftb_comment(buf, len, ref, alert) < 0)
		snprintf(buf, len, "slaguard rule=unknown alert=%s", alert);
	n = strlen(buf);
	snprintf(buf + n, len - n, " cm=%s", id);
}

/*
 * The countermeasure about to be added is C<next_num>: its rules carry
 * that id. PREV gets "-": there is no previous value, the rules go.
 */
static int isolate(struct respond *r, const char *cg, const struct alert *a,
		   char *prev, size_t len)
{
	char id[24], comment[NFTB_COMMENT_MAX];

	if (!r->ops->isolate)
		return -ENOSYS;
	snprintf(id, sizeof(id), "C%llu", (unsigned long long)r->next_num);
	isolate_comment(comment, sizeof(comment), a->ref, a->id, id);
	snprintf(prev, len, "-");
	return r->ops->isolate(r->ctx, id, cg, comment);
}

static void cgroup_act(struct respond *r, const struct sla *sla,
		       const struct sla_countermeasure *pol, struct alert *a,
		       uint64_t now)
{
	enum respond_refusal code = RESPOND_REFUSED_NO_CGROUP;
	const char *file = cg_file_of(pol->action);
	char cg[CG_PATH_MAX] = "", comm[64], why[CG_PATH_MAX + 96];
	char value[CG_VALUE_MAX], prev[CG_VALUE_MAX] = "";
	char detail[CG_PATH_MAX + 2 * CG_VALUE_MAX + 64];
	struct countermeasure *c = NULL;
	pid_t pid;
	const char *w = cgroup_target(sla, a, &pid, comm, sizeof(comm), cg,
				      sizeof(cg));
	int ret = 0;

	if (!w && strpbrk(cg, "\t\n"))
		w = "the cgroup's path has a tab or a newline";
	if (!w && cg_protected(sla, pid, comm, cg, why, sizeof(why))) {
		w = why;
		code = RESPOND_REFUSED_PROTECTED;
	}
	if (!w && (c = find_cgroup(r, pol->action, cg))) {
		/* in force already: it lasts longer; its previous value stays */
		if (now + pol->duration_ms > c->expires) {
			c->expires = now + pol->duration_ms;
			c->expires_real = sgd_real_ms() + pol->duration_ms;
		}
		note(a, pol->action, c->id, "already in force on the cgroup, extended");
		alert_add_action(a, c->id);
		if (!c->dry_run)
			cgroup_save(r);
		return;
	}
	if (!w && r->n >= sla->defaults.max_actions) {
		w = "cap of active countermeasures reached (defaults.max_actions)";
		code = RESPOND_REFUSED_CAP;
	}
	if (w) {
		r->refused[code]++;
		sgd_log(LOG_NOTICE, "%s: not doing %s on %s: %s", a->id,
			sla_action_name(pol->action), cg[0] ? cg : "-", w);
		note(a, pol->action, "refused", w);
		return;
	}
	cgroup_value(pol, value, sizeof(value));
	if (pol->action == SLA_ACT_ISOLATE_NETWORK) {
		ret = r->dry_run ? 0 : isolate(r, cg, a, prev, sizeof(prev));
		if (ret < 0) {
			r->refused[RESPOND_REFUSED_BACKEND] += ret == -ENOSPC || ret == -EINVAL;
			snprintf(detail, sizeof(detail), "cgroup %s: %s", cg,
				 r->ops->error && r->ops->isolate ? r->ops->error(r->ctx) :
				 strerror(-ret));
			sgd_log(LOG_WARNING, "%s: isolate-network failed: %s", a->id, detail);
			note(a, pol->action, "failed", detail);
			return;
		}
		file = "nft";
	} else if (!r->dry_run) {
		/* the value before, read first: it is what comes back at the end */
		ret = cg_read(cg, file, prev, sizeof(prev));
		if (!ret)
			ret = cg_write(cg, file, value);
	}
	if (ret < 0) {
		snprintf(detail, sizeof(detail), "cgroup %s, %s: %s%s", cg, file,
			 strerror(-ret), ret == -ENOENT ?
			 " (no such cgroup, or its controller is not enabled)" : "");
		sgd_log(LOG_WARNING, "%s: %s failed: %s", a->id,
			sla_action_name(pol->action), detail);
		note(a, pol->action, "failed", detail);
		return;
	}
	if (!(c = add(r)))
		return;
	c->action = pol->action;
	snprintf(c->target, sizeof(c->target), "%.*s", (int)sizeof(c->target) - 1, cg);
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", cg);
	snprintf(c->value, sizeof(c->value), "%s", value);
	snprintf(c->previous, sizeof(c->previous), "%s", prev);
	c->expires = now + pol->duration_ms;
	c->expires_real = sgd_real_ms() + pol->duration_ms;
	snprintf(c->alert, sizeof(c->alert), "%s", a->id);
	snprintf(c->ref, sizeof(c->ref), "%s", a->ref);
	c->dry_run = r->dry_run;
	c->severity = a->severity;
	if (!r->dry_run)
		cgroup_save(r);
	snprintf(detail, sizeof(detail), "%s%s %s = %s (was %s)",
		 r->dry_run ? "dry-run: would set " : "", cg, file, value,
		 r->dry_run ? "not read" : prev);
	sgd_log(LOG_NOTICE, "%s%s: %s %s for %llus: %s", r->dry_run ? "dry-run: " : "",
		c->id, sla_action_name(pol->action), cg,
		(unsigned long long)(pol->duration_ms / 1000), detail);
	note(a, pol->action, c->id, detail);
	alert_add_action(a, c->id);
}

/* The previous value back (nothing was written in dry-run). */
static void cgroup_undo(struct respond *r, const struct countermeasure *c,
			const char *why)
{
	const char *file = cg_file_of(c->action);
	int ret;

	if (c->dry_run)
		return;
	if (c->action == SLA_ACT_ISOLATE_NETWORK) {
		ret = r->ops->unisolate ? r->ops->unisolate(r->ctx, c->id) : -ENOSYS;
		if (ret < 0 && ret != -ENOENT)
			sgd_log(LOG_WARNING, "countermeasure %s (%s %s) %s: its rules not removed: %s",
				c->id, sla_action_name(c->action), c->cgroup, why,
				r->ops->error ? r->ops->error(r->ctx) : strerror(-ret));
		else
			sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) %s: its traffic flows again",
				c->id, sla_action_name(c->action), c->cgroup, why);
		return;
	}
	ret = cg_write(c->cgroup, file, c->previous);
	if (ret == -ENOENT)
		sgd_log(LOG_INFO, "countermeasure %s (%s %s) %s: the cgroup is gone",
			c->id, sla_action_name(c->action), c->cgroup, why);
	else if (ret < 0)
		sgd_log(LOG_WARNING, "countermeasure %s (%s %s) %s: %s not put back to %s: %s",
			c->id, sla_action_name(c->action), c->cgroup, why, file,
			c->previous, strerror(-ret));
	else
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) %s: %s back to %s",
			c->id, sla_action_name(c->action), c->cgroup, why, file,
			c->previous);
}

void respond_set_cgroup_state(struct respond *r, const char *path)
{
	free(r->cg_state);
	r->cg_state = path ? strdup(path) : NULL;
}

/* One line per cgroup countermeasure in force, tab-separated. */
static void cgroup_save(struct respond *r)
{
	struct sgd_rewrite w;
	int ret;

	if (!r->cg_state)
		return;
	ret = sgd_rewrite_open(&w, r->cg_state);
	if (!ret) {
		for (size_t i = 0; i < r->n; i++) {
			const struct countermeasure *c = &r->cm[i];

			if (!sla_action_on_cgroup(c->action) || c->dry_run)
				continue;
			fprintf(w.f, "%llu\t%s\t%llu\t%s\t%s\t%s\t%s\t%s\n",
				(unsigned long long)c->num, sla_action_name(c->action),
				(unsigned long long)c->expires_real, c->cgroup,
				c->value, c->previous, c->alert, c->ref);
		}
		ret = sgd_rewrite_commit(&w);
	}
	if (ret < 0)
		sgd_log(LOG_WARNING, "%s: %s: cgroup countermeasures would be left behind by a restart",
			r->cg_state, strerror(-ret));
}

static enum sla_action cgroup_action(const char *name)
{
	static const enum sla_action acts[] = {
		SLA_ACT_THROTTLE_CPU, SLA_ACT_FREEZE, SLA_ACT_LIMIT_MEMORY,
		SLA_ACT_ISOLATE_NETWORK,
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(name, sla_action_name(acts[i])))
			return acts[i];
	return SLA_ACT_NONE;
}

/* A line of the state file into C; false when it is not one. */
static bool cgroup_parse(char *line, struct countermeasure *c)
{
	char *f[8], *p = line;
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < 8 && p)
		f[n++] = strsep(&p, "\t");
	if (n != 8 || p)
		return false;
	memset(c, 0, sizeof(*c));
	c->num = strtoull(f[0], NULL, 10);
	c->action = cgroup_action(f[1]);
	c->expires_real = strtoull(f[2], NULL, 10);
	if (!c->num || c->action == SLA_ACT_NONE || f[3][0] != '/' ||
	    strlen(f[3]) >= sizeof(c->cgroup) ||
	    strlen(f[4]) >= sizeof(c->value) ||
	    strlen(f[5]) >= sizeof(c->previous) || !f[5][0])
		return false;
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", f[3]);
	snprintf(c->target, sizeof(c->target), "%.*s", (int)sizeof(c->target) - 1, f[3]);
	snprintf(c->value, sizeof(c->value), "%s", f[4]);
	snprintf(c->previous, sizeof(c->previous), "%s", f[5]);
	snprintf(c->alert, sizeof(c->alert), "%s", f[6]);
	snprintf(c->ref, sizeof(c->ref), "%s", f[7]);
	snprintf(c->id, sizeof(c->id), "C%llu", (unsigned long long)c->num);
	return true;
}

static bool readopt(struct respond *r, const struct countermeasure *c);

/* Isolation rules that no adopted countermeasure holds - an earlier run's,
 * ended while it was stopped - are removed. */
static void isolate_sync(struct respond *r)
{
	if (r->ops->isolate_sync && r->ops->isolate_sync(r->ctx) < 0)
		sgd_log(LOG_WARNING, "isolation rules of an earlier run not checked: %s",
			r->ops->error ? r->ops->error(r->ctx) : "failed");
}

void respond_cgroup_recover(struct respond *r, uint64_t now)
{
	uint64_t real = sgd_real_ms();
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!r->cg_state || !(f = fopen(r->cg_state, "re"))) {
		isolate_sync(r);
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct countermeasure rec, *c;

		if (!cgroup_parse(line, &rec)) {
			sgd_log(LOG_WARNING, "%s: a line is not a cgroup countermeasure, skipped",
				r->cg_state);
			continue;
		}
		if (rec.expires_real <= real) {
			cgroup_undo(r, &rec, "ended while slaguardd was stopped");
			continue;
		}
		if (!(c = add(r))) {
			cgroup_undo(r, &rec, "not adopted (out of memory)");
			continue;
		}
		r->next_num--;		/* it keeps the number it had */
		*c = rec;
		c->expires = now + (rec.expires_real - real);
		c->adopted = true;
		respond_start_at(r, rec.num + 1);
		if (c->action == SLA_ACT_ISOLATE_NETWORK && !readopt(r, c)) {
			remove_at(r, r->n - 1);
			continue;
		}
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) adopted: %s = %s until it ends in %llus",
			c->id, sla_action_name(c->action), c->cgroup,
			cg_file_of(c->action) ? cg_file_of(c->action) : "nft", c->value,
			(unsigned long long)((c->expires - now + 999) / 1000));
	}
	free(line);
	fclose(f);
	cgroup_save(r);
	isolate_sync(r);
}

/* Adopt the rules of isolation C: the backend holds them again. */
static bool readopt(struct respond *r, const struct countermeasure *c)
{
	char comment[NFTB_COMMENT_MAX];
	int ret = -ENOSYS;

	isolate_comment(comment, sizeof(comment), c->ref, c->alert, c->id);
	if (r->ops->isolate)
		ret = r->ops->isolate(r->ctx, c->id, c->cgroup, comment);
	if (ret < 0)
		sgd_log(LOG_WARNING, "countermeasure %s (%s %s) not adopted: %s", c->id,
			sla_action_name(c->action), c->cgroup,
			r->ops->error && r->ops->isolate ? r->ops->error(r->ctx) : strerror(-ret));
	return ret >= 0;
}

/* ---- kill ---- */

static void remember_done(struct respond *r, const struct countermeasure *c)
{
	r->done[r->ndone++ % RESPOND_DONE_KEEP] = *c;
}

/*
 * kill: the signal to the process the alert names, once, through a pidfd
 * - opened first, then the process checked (its name, its cgroup, the
 * protected list), then signalled: a pid reused in between cannot be hit.
 * Refused like the cgroup actions (protected, at the cap), recorded as a
 * countermeasure that is done (no duration).
 */
static void kill_act(struct respond *r, const struct sla *sla,
		     const struct sla_countermeasure *pol, struct alert *a)
{
	enum respond_refusal code = RESPOND_REFUSED_NO_CGROUP;
	char cg[CG_PATH_MAX] = "", comm[64], now_comm[64], why[CG_PATH_MAX + 96];
	char detail[CG_PATH_MAX + 2 * NFTB_ADDR_MAX + 2 * CG_VALUE_MAX], target[NFTB_ADDR_MAX];
	int sig = pol && pol->signal ? pol->signal : SIGKILL;
	struct countermeasure *c, done;
	int pidfd = -1;
	pid_t pid;
	const char *w = cgroup_target(sla, a, &pid, comm, sizeof(comm), cg,
				      sizeof(cg));

	if (!w && !pid)
		w = "no process to kill: the alert names a cgroup, not a process (a per-process sched.* SLO names its worst process)";
	if (!w && !r->dry_run) {
		pidfd = pidfd_open(pid, 0);
		/* the pidfd holds the process: check that it is still the one */
		if (pidfd < 0 || !cg_comm(pid, now_comm, sizeof(now_comm)) ||
		    strcmp(now_comm, comm) || cg_of_pid(pid, cg, sizeof(cg)) < 0)
			w = "the process the alert names is gone";
	}
	if (!w && cg_protected(sla, pid, comm, cg, why, sizeof(why))) {
		w = why;
		code = RESPOND_REFUSED_PROTECTED;
	}
	if (!w && r->n >= sla->defaults.max_actions) {
		w = "cap of active countermeasures reached (defaults.max_actions)";
		code = RESPOND_REFUSED_CAP;
	}
	snprintf(target, sizeof(target), "%.40s[%d]", comm, (int)pid);
	if (!w && !r->dry_run && pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		snprintf(detail, sizeof(detail), "%s %s: %s", sigabbrev_np(sig) ?
			 sigabbrev_np(sig) : "signal", target, strerror(errno));
		if (pidfd >= 0)
			close(pidfd);
		sgd_log(LOG_WARNING, "%s: kill failed: %s", a->id, detail);
		note(a, SLA_ACT_KILL, "failed", detail);
		return;
	}
	if (pidfd >= 0)
		close(pidfd);
	if (w) {
		r->refused[code]++;
		sgd_log(LOG_NOTICE, "%s: not doing kill on %s: %s", a->id,
			pid ? target : "-", w);
		note(a, SLA_ACT_KILL, "refused", w);
		return;
	}
	/* numbered like the others, then kept among those done */
	if (!(c = add(r)))
		return;
	done = *c;
	remove_at(r, r->n - 1);
	c = &done;
	c->action = SLA_ACT_KILL;
	snprintf(c->target, sizeof(c->target), "%s", target);
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", cg);
	snprintf(c->value, sizeof(c->value), "SIG%s", sigabbrev_np(sig) ?
		 sigabbrev_np(sig) : "?");
	snprintf(c->alert, sizeof(c->alert), "%s", a->id);
	snprintf(c->ref, sizeof(c->ref), "%s", a->ref);
	c->dry_run = r->dry_run;
	c->severity = a->severity;
	remember_done(r, c);
	snprintf(detail, sizeof(detail), "%s%.*s %s %s (cgroup %.*s)",
		 r->dry_run ? "dry-run: would send " : "", CG_VALUE_MAX - 1, c->value,
		 r->dry_run ? "to" : "sent to", target, CG_PATH_MAX - 1, cg);
	sgd_log(LOG_NOTICE, "%s%s: kill %s: %s", r->dry_run ? "dry-run: " : "",
		c->id, target, detail);
	note(a, SLA_ACT_KILL, c->id, detail);
	alert_add_action(a, c->id);
}

static void act(struct respond *r, const struct sla *sla, enum sla_action action,
		const struct sla_countermeasure *pol, const char *hook_path,
		struct alert *a, uint64_t now)
{
	switch (action) {
	case SLA_ACT_BLOCK_SOURCE:
	case SLA_ACT_RATE_LIMIT:
	case SLA_ACT_INSPECT:
	case SLA_ACT_LIMIT_DESTINATION:
		firewall(r, sla, pol, a, now);
		break;
	case SLA_ACT_RUN_HOOK:
		hook(r, hook_path, a, now);
		break;
	case SLA_ACT_THROTTLE_CPU:
	case SLA_ACT_FREEZE:
	case SLA_ACT_LIMIT_MEMORY:
	case SLA_ACT_ISOLATE_NETWORK:
		cgroup_act(r, sla, pol, a, now);
		break;
	case SLA_ACT_KILL:
		kill_act(r, sla, pol, a);
		break;
	case SLA_ACT_NOTIFY:
		/* alerts_emit() hands it to the webhooks. */
		a->notify = true;
		note(a, action, "notified", NULL);
		break;
	case SLA_ACT_NONE:
		break;
	}
}

void respond_on_alert(struct respond *r, const struct sla *sla,
		      struct alert *a, uint64_t now)
{
	/* Lost events have no source: their own configurable action. */
	if (a->kind == FINDING_LOST_EVENTS) {
		act(r, sla, sla->defaults.lost_events.action, NULL,
		    sla->defaults.lost_events.hook, a, now);
		return;
	}
	for (size_t i = 0; i < sla->n_countermeasures; i++) {
		const struct sla_countermeasure *pol = &sla->countermeasures[i];

		if (sla_countermeasure_applies(pol, a->severity, a->slo, a->rule))
			act(r, sla, pol->action, pol, pol->hook, a, now);
	}
}

/* ---- revoke, adopt, list ---- */

int respond_revoke(struct respond *r, const char *id, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n; i++) {
		struct countermeasure *c = &r->cm[i];
		int ret = 0;

		if (strcmp(c->id, id))
			continue;
		if (sla_action_on_cgroup(c->action)) {
			cgroup_undo(r, c, "revoked");
			remove_at(r, i);
			cgroup_save(r);
			return 0;
		}
		if (!c->dry_run)
			ret = r->ops->revoke(r->ctx, c->kind, c->target);
		if (ret < 0 && ret != -ENOENT) {
			snprintf(err, errlen, "%s", r->ops->error ?
				 r->ops->error(r->ctx) : strerror(-ret));
			return ret;
		}
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) revoked", c->id,
			sla_action_name(c->action), c->target);
		if (r->listener.revoked)
			r->listener.revoked(r->listener.arg, c);
		remove_at(r, i);
		return 0;
	}
	for (size_t i = 0; i < r->nallow; i++) {
		if (strcmp(r->allow[i].id, id))
			continue;
		sgd_log(LOG_NOTICE, "allow %s (%s) revoked", id, r->allow[i].target);
		r->allow[i] = r->allow[--r->nallow];
		r->guard_stale = true;
		allows_save(r);
		return 0;
	}
	snprintf(err, errlen, "no countermeasure %s", id);
	return -ENOENT;
}

int respond_revoke_target(struct respond *r, const char *target, size_t *n,
			  char *err, size_t errlen)
{
	struct sla_prefix p;
	char text[NFTB_ADDR_MAX], id[24];
	int ret = 0;

	*n = 0;
	if (!operator_target(target, &p, text, sizeof(text), err, errlen))
		return -EINVAL;
	for (;;) {
		const struct countermeasure *c = NULL;

		for (size_t i = 0; !c && i < r->n + r->nallow; i++) {
			const struct countermeasure *x = i < r->n ? &r->cm[i] : &r->allow[i - r->n];

			if (!strcmp(x->target, text))
				c = x;
		}
		if (!c)
			break;
		snprintf(id, sizeof(id), "%s", c->id);
		if ((ret = respond_revoke(r, id, err, errlen)) < 0)
			return ret;
		(*n)++;
	}
	if (!*n) {
		snprintf(err, errlen, "no countermeasure on %s", text);
		return -ENOENT;
	}
	return 0;
}

static enum sla_action action_of(enum nftb_kind kind)
{
	return kind == NFTB_RATELIMIT ? SLA_ACT_RATE_LIMIT :
	       kind == NFTB_INSPECT ? SLA_ACT_INSPECT :
	       kind == NFTB_LIMIT_DST ? SLA_ACT_LIMIT_DESTINATION :
	       SLA_ACT_BLOCK_SOURCE;
}

/*
 * "slaguard rule=operator alert=C<n> uid=<uid>": an operator's block keeps
 * its id and says who set it.
 */
static void adopt_operator(struct respond *r, struct countermeasure *c,
			   const char *comment)
{
	unsigned long long num;
	const char *uid;

	if (strcmp(c->ref, "operator") || sscanf(c->alert, "C%llu", &num) != 1 || !num ||
	    respond_find(r, c->alert))
		return;
	c->operator = true;
	c->severity = SLA_SEV_CRITICAL;
	c->num = num;
	snprintf(c->id, sizeof(c->id), "C%llu", num);
	c->alert[0] = '\0';
	if ((uid = strstr(comment, " uid=")))
		c->uid = (uint32_t)strtoul(uid + 5, NULL, 10);
	respond_start_at(r, num + 1);
}

int respond_adopt(struct respond *r, enum nftb_kind kind, const char *target,
		  uint64_t remaining_ms, const char *comment, uint64_t now)
{
	struct countermeasure *c = find_target(r, kind, target);
	char ref[FINDING_REF_MAX] = "", alert[24] = "";

	if (!c && !(c = add(r)))
		return -ENOMEM;
	/* "slaguard rule=<ref> alert=<id>": what the element was set for. */
	if (comment)
		sscanf(comment, "slaguard rule=%63s alert=%23s", ref, alert);
	c->action = action_of(kind);
	c->kind = kind;
	snprintf(c->target, sizeof(c->target), "%s", target);
	c->expires = now + remaining_ms;
	snprintf(c->alert, sizeof(c->alert), "%s", alert);
	snprintf(c->ref, sizeof(c->ref), "%s", ref);
	c->adopted = true;
	adopt_operator(r, c, comment);
	return 0;
}

struct json_object *respond_list_json(const struct respond *r, uint64_t now)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < r->n + r->nallow; i++) {
		const struct countermeasure *c = i < r->n ? &r->cm[i] : &r->allow[i - r->n];
		struct json_object *o = json_object_new_object();
		char when[SG_TIME_MAX];
		uint64_t left = c->expires > now ? c->expires - now : 0;

		sg_format_time(sgd_real_ms() + left, when, sizeof(when));
		json_object_object_add(o, "id", json_object_new_string(c->id));
		json_object_object_add(o, "action", json_object_new_string(
				       i < r->n ? sla_action_name(c->action) : "allow"));
		json_object_object_add(o, "target", json_object_new_string(c->target));
		json_object_object_add(o, "expires", json_object_new_string(when));
		json_object_object_add(o, "remaining_s",
				       json_object_new_int64((int64_t)((left + 999) / 1000)));
		json_object_object_add(o, "alert", c->alert[0] ?
				       json_object_new_string(c->alert) : NULL);
		json_object_object_add(o, "ref", c->ref[0] ?
				       json_object_new_string(c->ref) : NULL);
		json_object_object_add(o, "dry_run", json_object_new_boolean(c->dry_run));
		if (c->adopted)
			json_object_object_add(o, "adopted", json_object_new_boolean(1));
		if (c->operator) {
			json_object_object_add(o, "origin", json_object_new_string("operator"));
			json_object_object_add(o, "uid", json_object_new_int64(c->uid));
			if (c->reason[0])
				json_object_object_add(o, "reason", json_object_new_string(c->reason));
		} else if (c->origin[0]) {
			json_object_object_add(o, "origin", json_object_new_string(c->origin));
		}
		if (c->repeat)
			json_object_object_add(o, "repeat", json_object_new_int64(c->repeat));
		if (sla_action_on_cgroup(c->action)) {
			json_object_object_add(o, "cgroup", json_object_new_string(c->cgroup));
			json_object_object_add(o, "file", cg_file_of(c->action) ?
					       json_object_new_string(cg_file_of(c->action)) :
					       NULL);
			json_object_object_add(o, "value", json_object_new_string(c->value));
			json_object_object_add(o, "previous", c->dry_run ? NULL :
					       json_object_new_string(c->previous));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static void forget_lifted(void *arg, enum nftb_kind kind, const char *target,
			  const char *why)
{
	struct respond *r = arg;
	struct countermeasure *c = find_target(r, kind, target);

	if (!c)
		return;
	sgd_log(LOG_WARNING, "countermeasure %s (%s %s) lifted: %s", c->id,
		sla_action_name(c->action), c->target, why);
	remove_at(r, (size_t)(c - r->cm));
}

void respond_refresh_guard(struct respond *r, const struct sla *sla)
{
	/* The backend's guard holds the SLA's allowlist and the operator's. */
	struct sla merged = *sla;
	struct sla_prefix *allow = NULL;
	int ret = 0;

	r->guard_stale = false;
	if (!r->ops->refresh_guard)
		return;
	if (r->nallow) {
		allow = calloc(sla->n_allowlist + r->nallow, sizeof(*allow));
		if (!allow) {
			r->guard_stale = true;
			return;
		}
		if (sla->n_allowlist)
			memcpy(allow, sla->allowlist, sla->n_allowlist * sizeof(*allow));
		for (size_t i = 0; i < r->nallow; i++)
			allow[sla->n_allowlist + i] = r->allow[i].prefix;
		merged.allowlist = allow;
		merged.n_allowlist = sla->n_allowlist + r->nallow;
	}
	ret = r->ops->refresh_guard(r->ctx, &merged, forget_lifted, r);
	free(allow);
	if (ret < 0)
		sgd_log(LOG_WARNING, "nft: guard not refreshed, the previous protection stays: %s",
			r->ops->error ? r->ops->error(r->ctx) : strerror(-ret));
}

bool respond_guard_stale(const struct respond *r)
{
	return r->guard_stale;
}

/* ---- operator actions ---- */

size_t respond_allows(const struct respond *r)
{
	return r->nallow;
}

const struct countermeasure *respond_allow_at(const struct respond *r, size_t i)
{
	return i < r->nallow ? &r->allow[i] : NULL;
}

const struct respond_operator_counters *respond_operator_counters(const struct respond *r)
{
	return &r->oc;
}

/*
 * TARGET as a prefix P and its canonical text ("192.0.2.7", "2001:db8::/32");
 * false with ERR saying why.
 */
static bool operator_target(const char *target, struct sla_prefix *p, char *text,
			    size_t len, char *err, size_t errlen)
{
	char net[64];
	int ret = target ? sla_parse_prefix(target, p) : -EINVAL;
	unsigned int full;

	if (ret == -EDOM) {
		sla_format_prefix(p, net, sizeof(net));
		snprintf(err, errlen, "'%s' has host bits set: did you mean %s?", target, net);
		return false;
	}
	if (ret < 0) {
		snprintf(err, errlen, "'%.80s': expected an IPv4 or IPv6 address or a CIDR prefix "
			 "like 192.0.2.0/24 or 2001:db8::/32", target ? target : "");
		return false;
	}
	full = p->family == AF_INET ? 32 : 128;
	if (p->plen == 0) {
		snprintf(err, errlen, "'%s' is every address: give a longer prefix", target);
		return false;
	}
	sgd_format_addr(p->family, p->addr, text, len);
	if (p->plen < full)
		snprintf(text + strlen(text), len - strlen(text), "/%u", p->plen);
	return true;
}

static bool valid_reason(const char *reason, char *err, size_t errlen)
{
	if (reason && strlen(reason) >= RESPOND_REASON_MAX) {
		snprintf(err, errlen, "reason: at most %d bytes", RESPOND_REASON_MAX - 1);
		return false;
	}
	for (const char *p = reason; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "reason: no control characters (tabs, newlines)");
			return false;
		}
	return true;
}

static uint64_t operator_duration(const struct respond_request *q, uint64_t dflt,
				  char *err, size_t errlen)
{
	uint64_t ms = q->duration_ms ? q->duration_ms : dflt;

	if (ms < 1000 || ms > (uint64_t)NFTB_TIMEOUT_MAX_S * 1000) {
		snprintf(err, errlen, "for: a duration from 1s to 30d");
		return 0;
	}
	return ms;
}

static void operator_refused(struct respond *r, enum respond_refusal code,
			     const char *what, const char *target, const char *err)
{
	r->refused[code]++;
	sgd_log(LOG_NOTICE, "operator: not doing %s on %s: %s", what, target, err);
}

int respond_operator_block(struct respond *r, const struct sla *sla,
			   const struct respond_request *q, uint64_t now,
			   const struct countermeasure **out, char *err,
			   size_t errlen)
{
	struct sla_prefix p;
	char target[NFTB_ADDR_MAX], comment[NFTB_COMMENT_MAX], net[64], repeat[320] = "";
	const struct sla_prefix *allowed;
	struct countermeasure *c;
	size_t victim = r->n;
	uint64_t base;
	unsigned int secs, nth = 0;
	int ret = 0;

	*out = NULL;
	if (!operator_target(q->target, &p, target, sizeof(target), err, errlen) ||
	    !valid_reason(q->reason, err, errlen) ||
	    !(base = operator_duration(q, RESPOND_OPERATOR_BLOCK_MS, err, errlen))) {
		r->oc.block_refused++;
		return -EINVAL;
	}
	/*
	 * The backend's guard as the host is now: an address or gateway added
	 * since the last discovery is protected too (operator actions are
	 * rare; the policy's wait for the next reload).
	 */
	respond_refresh_guard(r, sla);
	if ((allowed = allowlist_entry(r, sla, &p))) {
		sla_format_prefix(allowed, net, sizeof(net));
		snprintf(err, errlen, "%s is allowlisted (%s%s): revoke the allow or change the SLA's allowlist first",
			 target, net, allowed >= sla->allowlist &&
			 allowed < sla->allowlist + sla->n_allowlist ? ", the SLA's allowlist" :
			 ", an operator's allow");
		operator_refused(r, RESPOND_REFUSED_ALLOWLISTED, "block-source", target, err);
		r->oc.block_refused++;
		return -EPERM;
	}
	c = find_target(r, NFTB_BLOCK, target);
	if (c && sla_action_on_cgroup(c->action))
		c = NULL;
	if (!c && r->n >= sla->defaults.max_actions) {
		victim = victim_for(r, sla, SLA_SEV_CRITICAL);
		if (victim == r->n) {
			snprintf(err, errlen, "cap of active countermeasures reached (defaults.max_actions = %u), none less severe to replace",
				 sla->defaults.max_actions);
			operator_refused(r, RESPOND_REFUSED_CAP, "block-source", target, err);
			r->oc.block_refused++;
			return -ENOSPC;
		}
	}
	secs = c ? timeout_s(base) :
	       repeat_secs(r, sla, target, base, now, &nth, repeat, sizeof(repeat));
	/* its id (the one it will get), so that a restarted daemon keeps it */
	snprintf(comment, sizeof(comment), "slaguard rule=operator alert=C%llu uid=%u",
		 (unsigned long long)(c ? c->num : r->next_num), q->uid);
	if (!r->dry_run) {
		const struct countermeasure *v = victim < r->n ? &r->cm[victim] : NULL;
		bool revoked = false;

		ret = v && !v->dry_run ? r->ops->revoke(r->ctx, v->kind, v->target) : 0;
		if (ret == -ENOENT)
			ret = 0;
		if (!ret) {
			revoked = v && !v->dry_run;
			ret = r->ops->apply(r->ctx, NFTB_BLOCK, target, secs, comment);
		}
		if (ret < 0) {
			snprintf(err, errlen, "%s", r->ops->error ? r->ops->error(r->ctx) :
				 strerror(-ret));
			if (revoked)
				restore(r, v, now);
			if (ret == -EPERM || ret == -ENOSPC)
				operator_refused(r, RESPOND_REFUSED_BACKEND, "block-source", target, err);
			else
				sgd_log(LOG_WARNING, "operator: block-source %s failed: %s", target, err);
			r->oc.block_refused++;
			return ret;
		}
	}
	if (victim < r->n) {
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) revoked to make room",
			r->cm[victim].id, sla_action_name(r->cm[victim].action),
			r->cm[victim].target);
		remove_at(r, victim);
	}
	if (!c) {
		if (!(c = add(r))) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		c->action = SLA_ACT_BLOCK_SOURCE;
		c->kind = NFTB_BLOCK;
		snprintf(c->target, sizeof(c->target), "%s", target);
		if (p.plen < (p.family == AF_INET ? 32 : 128))
			c->prefix = p;
		c->severity = SLA_SEV_CRITICAL;
		c->dry_run = r->dry_run;
	}
	if (now + (uint64_t)secs * 1000 > c->expires)
		c->expires = now + (uint64_t)secs * 1000;
	c->operator = true;
	c->uid = q->uid;
	c->alert[0] = '\0';
	snprintf(c->ref, sizeof(c->ref), "operator");
	snprintf(c->reason, sizeof(c->reason), "%s", q->reason ? q->reason : "");
	c->duration_ms = (uint64_t)secs * 1000;
	if (nth)
		c->repeat = offender_hit(r, sla, target, now);
	r->oc.block++;
	sgd_log(LOG_NOTICE, "%s%s: block-source %s for %us by the operator (uid %u)%s%s%s%s",
		r->dry_run ? "dry-run: " : "", c->id, target, secs, q->uid,
		c->reason[0] ? ": " : "", c->reason, repeat[0] ? "; " : "", repeat);
	*out = c;
	return 0;
}

/* Lift the active countermeasures on sources that meet P (an allow). */
static size_t lift_allowed(struct respond *r, const struct sla_prefix *p,
			   const char *allow_id)
{
	size_t lifted = 0;

	for (size_t i = 0; i < r->n;) {
		struct countermeasure *c = &r->cm[i];
		struct sla_prefix t;
		char host[NFTB_ADDR_MAX];

		snprintf(host, sizeof(host), "%s", c->target);
		if (c->kind == NFTB_LIMIT_DST || sla_action_on_cgroup(c->action) ||
		    sla_parse_prefix(host, &t) < 0 || t.family != p->family ||
		    !prefixes_meet(p, &t)) {
			i++;
			continue;
		}
		if (!c->dry_run)
			r->ops->revoke(r->ctx, c->kind, c->target);
		/* like the guard's lifts, local: the fleet is not told */
		sgd_log(LOG_NOTICE, "countermeasure %s (%s %s) lifted: allowed by %s",
			c->id, sla_action_name(c->action), c->target, allow_id);
		remove_at(r, i);
		lifted++;
	}
	return lifted;
}

int respond_operator_allow(struct respond *r, const struct sla *sla,
			   const struct respond_request *q, uint64_t now,
			   const struct countermeasure **out, size_t *lifted,
			   char *err, size_t errlen)
{
	struct sla_prefix p;
	char target[NFTB_ADDR_MAX];
	struct countermeasure *c = NULL;
	uint64_t ms;

	*out = NULL;
	*lifted = 0;
	if (!operator_target(q->target, &p, target, sizeof(target), err, errlen) ||
	    !valid_reason(q->reason, err, errlen) ||
	    !(ms = operator_duration(q, RESPOND_OPERATOR_ALLOW_MS, err, errlen))) {
		r->oc.allow_refused++;
		return -EINVAL;
	}
	for (size_t i = 0; i < r->nallow; i++)
		if (!strcmp(r->allow[i].target, target))
			c = &r->allow[i];
	if (!c) {
		struct countermeasure *v;

		if (r->nallow >= RESPOND_ALLOWS_MAX) {
			snprintf(err, errlen, "%d operator allows in force already, the most: revoke one first",
				 RESPOND_ALLOWS_MAX);
			r->oc.allow_refused++;
			return -ENOSPC;
		}
		v = realloc(r->allow, (r->nallow + 1) * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->allow = v;
		c = &r->allow[r->nallow++];
		memset(c, 0, sizeof(*c));
		c->num = r->next_num++;
		snprintf(c->id, sizeof(c->id), "C%llu", (unsigned long long)c->num);
		c->action = SLA_ACT_NONE;
		c->kind = NFTB_KIND_COUNT;
		snprintf(c->target, sizeof(c->target), "%s", target);
		c->prefix = p;
	}
	if (now + ms > c->expires) {
		c->expires = now + ms;
		c->expires_real = sgd_real_ms() + ms;
	}
	c->operator = true;
	c->uid = q->uid;
	snprintf(c->ref, sizeof(c->ref), "operator");
	snprintf(c->reason, sizeof(c->reason), "%s", q->reason ? q->reason : "");
	c->duration_ms = ms;
	r->oc.allow++;
	*lifted = lift_allowed(r, &p, c->id);
	sgd_log(LOG_NOTICE, "%s: allow %s for %llus by the operator (uid %u)%s%s; %zu countermeasures lifted",
		c->id, target, (unsigned long long)(ms / 1000), q->uid,
		c->reason[0] ? ": " : "", c->reason, *lifted);
	*out = c;
	allows_save(r);
	respond_refresh_guard(r, sla);
	return 0;
}

void respond_set_allow_state(struct respond *r, const char *path)
{
	free(r->allow_state);
	r->allow_state = path ? strdup(path) : NULL;
}

/* "num<TAB>target<TAB>end, CLOCK_REALTIME ms<TAB>uid<TAB>reason" per allow. */
static void allows_save(struct respond *r)
{
	struct sgd_rewrite w;
	int ret;

	if (!r->allow_state)
		return;
	ret = sgd_rewrite_open(&w, r->allow_state);
	if (!ret) {
		for (size_t i = 0; i < r->nallow; i++)
			fprintf(w.f, "%llu\t%s\t%llu\t%u\t%s\n", (unsigned long long)r->allow[i].num,
				r->allow[i].target, (unsigned long long)r->allow[i].expires_real,
				r->allow[i].uid, r->allow[i].reason);
		ret = sgd_rewrite_commit(&w);
	}
	if (ret < 0)
		sgd_log(LOG_WARNING, "%s: %s: operator allows would be forgotten by a restart",
			r->allow_state, strerror(-ret));
}

void respond_allows_recover(struct respond *r, uint64_t now)
{
	uint64_t real = sgd_real_ms();
	char *line = NULL;
	size_t cap = 0, bad = 0;
	FILE *f;

	if (!r->allow_state || !(f = fopen(r->allow_state, "re")))
		return;
	while (getline(&line, &cap, f) > 0 && r->nallow < RESPOND_ALLOWS_MAX) {
		char *fld[5], *p = line, text[NFTB_ADDR_MAX], err[160];
		struct countermeasure *c, *v;
		struct sla_prefix pfx;
		unsigned long long num, end;
		size_t n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 5 && p)
			fld[n++] = strsep(&p, "\t");
		if (n != 5 || p || !(num = strtoull(fld[0], NULL, 10)) ||
		    !operator_target(fld[1], &pfx, text, sizeof(text), err, sizeof(err)) ||
		    strlen(fld[4]) >= RESPOND_REASON_MAX) {
			bad++;
			continue;
		}
		end = strtoull(fld[2], NULL, 10);
		if (end <= real)
			continue;
		v = realloc(r->allow, (r->nallow + 1) * sizeof(*v));
		if (!v)
			break;
		r->allow = v;
		c = &r->allow[r->nallow++];
		memset(c, 0, sizeof(*c));
		c->num = num;
		snprintf(c->id, sizeof(c->id), "C%llu", num);
		c->action = SLA_ACT_NONE;
		c->kind = NFTB_KIND_COUNT;
		snprintf(c->target, sizeof(c->target), "%s", text);
		c->prefix = pfx;
		c->expires = now + (end - real);
		c->expires_real = end;
		c->operator = true;
		c->adopted = true;
		c->uid = (uint32_t)strtoul(fld[3], NULL, 10);
		snprintf(c->ref, sizeof(c->ref), "operator");
		snprintf(c->reason, sizeof(c->reason), "%s", fld[4]);
		respond_start_at(r, num + 1);
		/* the backend's guard learns them at the next tick */
		r->guard_stale = true;
		sgd_log(LOG_NOTICE, "allow %s (%s) kept from before the restart, %llus left",
			c->id, c->target, (end - real + 999) / 1000);
	}
	free(line);
	fclose(f);
	if (bad)
		sgd_log(LOG_WARNING, "%s: %zu lines are not operator allows, skipped",
			r->allow_state, bad);
	allows_save(r);
}

/* ---- the real backend ---- */

static int nft_refresh_guard(void *ctx, const struct sla *sla,
			     nftb_lifted_fn lifted, void *arg)
{
	const char **allow = calloc(sla->n_allowlist + 1, sizeof(*allow));
	char (*text)[64] = calloc(sla->n_allowlist + 1, sizeof(*text));
	int ret = -ENOMEM;

	for (size_t i = 0; allow && text && i < sla->n_allowlist; i++) {
		sla_format_prefix(&sla->allowlist[i], text[i], sizeof(text[i]));
		allow[i] = text[i];
	}
	if (allow && text)
		ret = nftb_refresh_guard(ctx, allow, sla->n_allowlist, lifted, arg);
	free(allow);
	free(text);
	return ret;
}

static int nft_apply(void *ctx, enum nftb_kind kind, const char *target,
		     unsigned int timeout_s, const char *comment)
{
	return nftb_apply(ctx, kind, target, timeout_s, comment);
}

static int nft_revoke(void *ctx, enum nftb_kind kind, const char *target)
{
	return nftb_revoke(ctx, kind, target);
}

static int nft_isolate(void *ctx, const char *id, const char *cg, const char *comment)
{
	return nftb_isolate(ctx, id, cg, comment);
}

static int nft_unisolate(void *ctx, const char *id)
{
	return nftb_unisolate(ctx, id);
}

static int nft_isolate_sync(void *ctx)
{
	return nftb_isolate_sync(ctx);
}

static const char *nft_error(void *ctx)
{
	return nftb_last_error(ctx);
}

/*
 * posix_spawn: a failed exec is an error here, not a "started" hook. The
 * hook starts as a fresh program would - no signal blocked or ignored (the
 * daemon blocks SIGHUP/SIGINT/SIGTERM and ignores SIGPIPE), none of the
 * daemon's file descriptors but 0-2 - and is reaped by reap_hooks().
 */
static int spawn_hook(void *ctx, const char *path, char *const envp[],
		      pid_t *pid)
{
	char *const argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	(void)ctx;
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawnattr_init(&attr))
		return -ENOMEM;
	if (posix_spawn_file_actions_init(&fa)) {
		posix_spawnattr_destroy(&attr);
		return -ENOMEM;
	}
	ret = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				       POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	if (!ret)
		ret = posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&attr, &all);
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!ret)
		ret = posix_spawn(pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -ret;
}

const struct respond_ops respond_nft_ops = {
	.apply = nft_apply,
	.revoke = nft_revoke,
	.error = nft_error,
	.run_hook = spawn_hook,
	.refresh_guard = nft_refresh_guard,
	.isolate = nft_isolate,
	.unisolate = nft_unisolate,
	.isolate_sync = nft_isolate_sync,
};
