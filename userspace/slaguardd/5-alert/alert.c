// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alert.h"
#include "outputs.h"

#define NBUCKETS	1024
/* De-duplication keys kept at most; beyond it alerts are not de-duplicated
 * (rate limiting still holds), rather than growing without bound. */
#define MAX_KEYS	65536
/*
 * Rate-limit buckets kept at most: one per (kind, SLO or rule, severity),
 * so the SLA bounds them; past this, findings share one overflow bucket.
 */
#define MAX_RATE_KEYS	4096

/* Token bucket: RATE per second, up to BURST at once. */
struct token_bucket {
	double tokens;
	uint64_t at;
};

/* A keyed entry: a de-duplication key or a rate-limit bucket. */
struct keyed {
	struct keyed *next;
	uint64_t last;		/* de-duplication: last alerted */
	struct token_bucket tb;	/* rate limit */
	char key[];
};

struct key_table {
	struct keyed *buckets[NBUCKETS];
	size_t n, max;
};

struct alerts {
	struct alert_opts o;
	uint64_t next_num;
	struct alert **ring;
	size_t ring_head, ring_len;
	struct key_table dedup;		/* (kind, ref, source) -> last alerted */
	struct key_table rates;		/* (kind, ref, severity) -> bucket */
	struct token_bucket overflow;	/* when RATES is full */
	alert_listener_fn listener;
	void *listener_arg;
	struct alert_counters cnt;
};

const char *finding_kind_name(enum finding_kind kind)
{
	switch (kind) {
	case FINDING_SLO:
		return "slo";
	case FINDING_RULE:
		return "rule";
	case FINDING_ANOMALY:
		return "anomaly";
	default:
		return "lost_events";
	}
}

void finding_release(struct finding *f)
{
	json_object_put(f->evidence);
	f->evidence = NULL;
}

int alerts_new(struct alerts **out, const struct alert_opts *opts)
{
	struct alerts *am = calloc(1, sizeof(*am));

	*out = NULL;
	if (!am)
		return -ENOMEM;
	am->o = *opts;
	if (am->o.rate <= 0)
		am->o.rate = 20;
	if (am->o.burst < 1)
		am->o.burst = 100;
	if (!am->o.keep)
		am->o.keep = 1000;
	am->ring = calloc(am->o.keep, sizeof(*am->ring));
	if (!am->ring) {
		free(am);
		return -ENOMEM;
	}
	am->dedup.max = MAX_KEYS;
	am->rates.max = MAX_RATE_KEYS;
	am->overflow.tokens = am->o.burst;
	am->next_num = 1;
	*out = am;
	return 0;
}

static void keys_clear(struct key_table *kt)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct keyed *k = kt->buckets[i], *next;

		for (; k; k = next) {
			next = k->next;
			free(k);
		}
		kt->buckets[i] = NULL;
	}
	kt->n = 0;
}

static void alert_free(struct alert *a)
{
	if (!a)
		return;
	json_object_put(a->evidence);
	json_object_put(a->actions);
	free(a);
}

void alerts_free(struct alerts *am)
{
	if (!am)
		return;
	for (size_t i = 0; i < am->ring_len; i++)
		alert_free(am->ring[(am->ring_head + i) % am->o.keep]);
	keys_clear(&am->dedup);
	keys_clear(&am->rates);
	free(am->ring);
	free(am);
}

void alerts_set_holdoff(struct alerts *am, uint64_t holdoff_ms)
{
	am->o.holdoff_ms = holdoff_ms;
}

void alerts_set_listener(struct alerts *am, alert_listener_fn fn, void *arg)
{
	am->listener = fn;
	am->listener_arg = arg;
}

static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return (size_t)(h % NBUCKETS);
}

static struct keyed **key_slot(struct key_table *kt, const char *key)
{
	struct keyed **pk = &kt->buckets[hash(key)];

	while (*pk && strcmp((*pk)->key, key))
		pk = &(*pk)->next;
	return pk;
}

/* KEY's entry, added if missing; NULL when the table is full (or no memory). */
static struct keyed *key_get(struct key_table *kt, const char *key, bool *added)
{
	struct keyed **pk = key_slot(kt, key), *k;

	*added = false;
	if (*pk)
		return *pk;
	if (kt->n >= kt->max || !(k = calloc(1, sizeof(*k) + strlen(key) + 1)))
		return NULL;
	strcpy(k->key, key);
	k->next = kt->buckets[hash(key)];
	kt->buckets[hash(key)] = k;
	kt->n++;
	*added = true;
	return k;
}

/* True if KEY was alerted within the hold-off. */
static bool duplicate(struct alerts *am, const char *key, uint64_t now)
{
	struct keyed *k = *key_slot(&am->dedup, key);

	return k && now - k->last < am->o.holdoff_ms;
}

/* Remember that KEY was alerted NOW (forgotten if the table is full). */
static void remember(struct alerts *am, const char *key, uint64_t now)
{
	bool added;
	struct keyed *k = key_get(&am->dedup, key, &added);

	if (k)
		k->last = now;
}

static bool take_token(struct token_bucket *tb, const struct alert_opts *o,
		       uint64_t now)
{
	if (tb->at && now > tb->at) {
		tb->tokens += (double)(now - tb->at) * o->rate / 1000.0;
		if (tb->tokens > o->burst)
			tb->tokens = o->burst;
	}
	tb->at = now;
	if (tb->tokens < 1)
		return false;
	tb->tokens -= 1;
	return true;
}

/*
 * One token bucket per (kind, SLO or rule, severity): a flood of one SLO's
 * findings - spoofed sources cost an attacker nothing - cannot silence the
 * alerts of another SLO or of a more severe finding.
 */
static bool rate_ok(struct alerts *am, const struct finding *f, uint64_t now)
{
	char key[FINDING_REF_MAX + 32];
	struct keyed *k;
	bool added;

	snprintf(key, sizeof(key), "%s|%s|%d", finding_kind_name(f->kind),
		 f->ref, (int)f->severity);
	k = key_get(&am->rates, key, &added);
	if (!k)
		return take_token(&am->overflow, &am->o, now);
	if (added)
		k->tb.tokens = am->o.burst;
	return take_token(&k->tb, &am->o, now);
}

static void ring_push(struct alerts *am, struct alert *a)
{
	if (am->ring_len == am->o.keep) {
		alert_free(am->ring[am->ring_head]);
		am->ring[am->ring_head] = a;
		am->ring_head = (am->ring_head + 1) % am->o.keep;
		return;
	}
	am->ring[(am->ring_head + am->ring_len++) % am->o.keep] = a;
}

/*
 * An element adopted from a previous run names that run's alert
 * ("... alert=A7"): number new alerts after it, so one id never means two
 * alerts.
 */
void alerts_reserve(struct alerts *am, const char *nft_comment)
{
	const char *p = nft_comment ? strstr(nft_comment, "alert=A") : NULL;
	unsigned long long n;

	if (p && sscanf(p, "alert=A%llu", &n) == 1 && n >= am->next_num)
		am->next_num = n + 1;
}

void alerts_start_at(struct alerts *am, uint64_t n)
{
	if (n > am->next_num)
		am->next_num = n;
}

uint64_t alerts_next_num(const struct alerts *am)
{
	return am->next_num;
}

static struct alert *alert_from(struct alerts *am, struct finding *f)
{
	struct alert *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->num = am->next_num++;
	snprintf(a->id, sizeof(a->id), "A%llu", (unsigned long long)a->num);
	a->real_ms = f->real_ms ? f->real_ms : sgd_real_ms();
	a->severity = f->severity;
	a->kind = f->kind;
	memcpy(a->ref, f->ref, sizeof(a->ref));
	a->has_source = f->has_source;
	a->family = f->family;
	memcpy(a->src, f->src, sizeof(a->src));
	memcpy(a->source, f->source, sizeof(a->source));
	snprintf(a->component, sizeof(a->component), "%s",
		 f->component ? f->component : "");
	a->net = f->net;
	memcpy(a->summary, f->summary, sizeof(a->summary));
	a->evidence = f->evidence ? f->evidence : json_object_new_object();
	f->evidence = NULL;
	a->actions = json_object_new_array();
	a->slo = f->slo;
	a->rule = f->rule;
	return a;
}

struct alert *alerts_raise(struct alerts *am, struct finding *f, uint64_t now)
{
	char key[FINDING_REF_MAX + 2 * SGD_ADDR_MAX + 32];
	struct alert *a;

	/* A finding about a destination and no source (a flood from forged
	 * sources) is told apart by its destination. */
	if (!f->has_source && f->net.has_dst && f->net.dport)
		snprintf(key, sizeof(key), "%s|%s||%s.%u", finding_kind_name(f->kind),
			 f->ref, f->net.destination, f->net.dport);
	else
		snprintf(key, sizeof(key), "%s|%s|%s", finding_kind_name(f->kind),
			 f->ref, f->has_source ? f->source : "");
	if (duplicate(am, key, now)) {
		am->cnt.deduplicated++;
		finding_release(f);
		return NULL;
	}
	/* Only what is alerted is remembered: a finding dropped by the rate
	 * limit is judged again when it comes back. */
	if (!rate_ok(am, f, now)) {
		am->cnt.rate_limited++;
		finding_release(f);
		return NULL;
	}
	a = alert_from(am, f);
	finding_release(f);
	if (!a)
		return NULL;
	remember(am, key, now);
	am->cnt.raised++;
	if ((unsigned int)a->severity < ALERT_SEVERITIES && (unsigned int)a->kind < ALERT_KINDS)
		am->cnt.by[a->severity][a->kind]++;
	ring_push(am, a);
	return a;
}

void alert_add_action(struct alert *a, const char *cm_id)
{
	json_object_array_add(a->actions, json_object_new_string(cm_id));
}

static void add_str_or_null(struct json_object *o, const char *key,
			    const char *v)
{
	json_object_object_add(o, key, v && *v ? json_object_new_string(v) : NULL);
}

struct json_object *alert_to_json(const struct alert *a)
{
	struct json_object *o = json_object_new_object();
	char when[SG_TIME_MAX];

	if (!o)
		return NULL;
	sg_format_time(a->real_ms, when, sizeof(when));
	json_object_object_add(o, "id", json_object_new_string(a->id));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "severity",
			       json_object_new_string(sla_severity_name(a->severity)));
	json_object_object_add(o, "kind",
			       json_object_new_string(finding_kind_name(a->kind)));
	json_object_object_add(o, "ref", json_object_new_string(a->ref));
	add_str_or_null(o, "source", a->has_source ? a->source : NULL);
	add_str_or_null(o, "component", a->component);
	json_object_object_add(o, "summary", json_object_new_string(a->summary));
	json_object_object_add(o, "evidence", json_object_get(a->evidence));
	json_object_object_add(o, "actions", json_object_get(a->actions));
	return o;
}

int alert_priority(enum sla_severity s)
{
	switch (s) {
	case SLA_SEV_CRITICAL:
		return LOG_CRIT;
	case SLA_SEV_HIGH:
		return LOG_ERR;
	case SLA_SEV_MEDIUM:
		return LOG_WARNING;
	default:
		return LOG_NOTICE;
	}
}

void alerts_emit(struct alerts *am, struct alert *a)
{
	struct json_object *o = alert_to_json(a);

	const char *json = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;

	if (json && am->o.out) {
		fprintf(am->o.out, "%s\n", json);
		fflush(am->o.out);
	}
	outputs_alert(am->o.outputs, a, json);
	json_object_put(o);
	if (am->o.syslog)
		syslog(alert_priority(a->severity), "alert %s [%s] %s",
		       a->id, sla_severity_name(a->severity), a->summary);
	if (am->listener)
		am->listener(a, am->listener_arg);
	a->slo = NULL;
	a->rule = NULL;
}

struct json_object *alerts_recent_json(const struct alerts *am, size_t limit)
{
	struct json_object *arr = json_object_new_array();
	size_t n = am->ring_len < limit ? am->ring_len : limit;

	for (size_t i = am->ring_len - n; arr && i < am->ring_len; i++)
		json_object_array_add(arr, alert_to_json(
			am->ring[(am->ring_head + i) % am->o.keep]));
	return arr;
}

void alerts_expire(struct alerts *am, uint64_t now)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct keyed **pk = &am->dedup.buckets[i];

		while (*pk) {
			struct keyed *k = *pk;

			if (now - k->last < am->o.holdoff_ms) {
				pk = &k->next;
				continue;
			}
			*pk = k->next;
			free(k);
			am->dedup.n--;
		}
	}
}

struct outputs *alerts_outputs(const struct alerts *am)
{
	return am->o.outputs;
}

const struct alert_counters *alerts_counters(const struct alerts *am)
{
	return &am->cnt;
}
