// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguardd - fleet decisions as JSON, and the ledger that makes applying
 * them idempotent. Everything here is pure: no NATS, no clock read.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fleet.h"
#include "util.h"

#define DECISION_VERSION	1

int fleet_decision_encode(const struct fleet_decision *d, char *buf, size_t len)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	size_t n;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "v", json_object_new_int(DECISION_VERSION));
	json_object_object_add(o, "op", json_object_new_string(d->op == FLEET_REVOKE ?
							       "revoke" : "apply"));
	json_object_object_add(o, "id", json_object_new_string(d->id));
	json_object_object_add(o, "site", json_object_new_string(d->site));
	json_object_object_add(o, "node", json_object_new_string(d->node));
	json_object_object_add(o, "scope", json_object_new_string(d->fleet ? "fleet" : "local"));
	json_object_object_add(o, "action", json_object_new_string(sla_action_name(d->action)));
	json_object_object_add(o, "target", json_object_new_string(d->target));
	json_object_object_add(o, "issued_ms", json_object_new_int64((int64_t)d->issued_ms));
	json_object_object_add(o, "expires_ms", json_object_new_int64((int64_t)d->expires_ms));
	json_object_object_add(o, "alert", json_object_new_string(d->alert));
	json_object_object_add(o, "ref", json_object_new_string(d->ref));
	json_object_object_add(o, "severity",
			       json_object_new_string(sla_severity_name(d->severity)));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = strlen(text);
	if (n >= len) {
		json_object_put(o);
		return -ENOSPC;
	}
	memcpy(buf, text, n + 1);
	json_object_put(o);
	return (int)n;
}

/* What may go into an nftables comment field (nftb_comment_valid()). */
static bool comment_id(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr("._:@/-+", *v))
			return false;
	return true;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what);
	return -EINVAL;
}

/* FIELD of O as a string of at most LEN - 1 bytes into OUT. */
static int get_str(struct json_object *o, const char *field, char *out,
		   size_t len, char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, field, &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(err, errlen, "field '%s': expected a string", field);
	s = json_object_get_string(v);
	if (strlen(s) >= len)
		return fail(err, errlen, "field '%s': too long", field);
	snprintf(out, len, "%s", s);
	return 0;
}

static int get_ms(struct json_object *o, const char *field, uint64_t *out,
		  char *err, size_t errlen)
{
	struct json_object *v;
	int64_t ms;

	if (!json_object_object_get_ex(o, field, &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (ms = json_object_get_int64(v)) <= 0)
		return fail(err, errlen, "field '%s': expected milliseconds since the epoch", field);
	*out = (uint64_t)ms;
	return 0;
}

static int lookup(const char *name, const char *(*namer)(int), int from, int to)
{
	for (int i = from; i <= to; i++)
		if (!strcmp(namer(i), name))
			return i;
	return -1;
}

static const char *action_namer(int i)
{
	return sla_action_name((enum sla_action)i);
}

static const char *severity_namer(int i)
{
	return sla_severity_name((enum sla_severity)i);
}

static int check_fields(struct json_object *o, struct fleet_decision *d,
			char *err, size_t errlen)
{
	char op[16], scope[16], action[32], sev[16];
	uint8_t addr[16];
	int v;

	if (get_str(o, "op", op, sizeof(op), err, errlen) ||
	    get_str(o, "id", d->id, sizeof(d->id), err, errlen) ||
	    get_str(o, "site", d->site, sizeof(d->site), err, errlen) ||
	    get_str(o, "node", d->node, sizeof(d->node), err, errlen) ||
	    get_str(o, "scope", scope, sizeof(scope), err, errlen) ||
	    get_str(o, "action", action, sizeof(action), err, errlen) ||
	    get_str(o, "target", d->target, sizeof(d->target), err, errlen) ||
	    get_str(o, "alert", d->alert, sizeof(d->alert), err, errlen) ||
	    get_str(o, "ref", d->ref, sizeof(d->ref), err, errlen) ||
	    get_str(o, "severity", sev, sizeof(sev), err, errlen) ||
	    get_ms(o, "issued_ms", &d->issued_ms, err, errlen) ||
	    get_ms(o, "expires_ms", &d->expires_ms, err, errlen))
		return -EINVAL;
	if (!strcmp(op, "apply"))
		d->op = FLEET_APPLY;
	else if (!strcmp(op, "revoke"))
		d->op = FLEET_REVOKE;
	else
		return fail(err, errlen, "field 'op': expected apply or revoke, got %s", op);
	if (strcmp(scope, "fleet") && strcmp(scope, "local"))
		return fail(err, errlen, "field 'scope': expected fleet or local, got %s", scope);
	d->fleet = !strcmp(scope, "fleet");
	if (!sla_fleet_name_valid(d->site))
		return fail(err, errlen, "field 'site': \"%s\" is not a fleet name", d->site);
	if (!sla_fleet_name_valid(d->node))
		return fail(err, errlen, "field 'node': \"%s\" is not a fleet name", d->node);
	if (!comment_id(d->id) || !comment_id(d->alert) || !comment_id(d->ref))
		return fail(err, errlen, "%s", "fields 'id', 'alert', 'ref': expected letters, digits and ._:@/-+");
	v = lookup(action, action_namer, SLA_ACT_BLOCK_SOURCE, SLA_ACT_INSPECT);
	if (v < 0)
		return fail(err, errlen, "field 'action': expected block-source, rate-limit or inspect, got %s",
			    action);
	d->action = (enum sla_action)v;
	v = lookup(sev, severity_namer, SLA_SEV_LOW, SLA_SEV_CRITICAL);
	if (v < 0)
		return fail(err, errlen, "field 'severity': expected low, medium, high or critical, got %s",
			    sev);
	d->severity = (enum sla_severity)v;
	/* Ranges come from aggregation: "addr/plen". */
	{
		char host[NFTB_ADDR_MAX], *slash;

		if (strlen(d->target) >= SGD_ADDR_MAX)
			return fail(err, errlen, "%s", "field 'target': too long");
		snprintf(host, sizeof(host), "%s", d->target);
		if ((slash = strchr(host, '/')))
			*slash = '\0';
		if (sgd_parse_addr(host, addr) <= 0)
			return fail(err, errlen, "field 'target': \"%s\" is not an address or prefix",
				    d->target);
	}
	if (d->expires_ms < d->issued_ms)
		return fail(err, errlen, "%s", "field 'expires_ms': before 'issued_ms'");
	return 0;
}

int fleet_decision_decode(const char *buf, size_t len, struct fleet_decision *d,
			  char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *v;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len || !json_object_is_type(o, json_type_object)) {
		json_tokener_free(tok);
		json_object_put(o);
		return fail(err, errlen, "%s", "not one JSON object");
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(o, "v", &v) ||
	    json_object_get_int(v) != DECISION_VERSION)
		ret = fail(err, errlen, "%s", "field 'v': expected 1");
	else
		ret = check_fields(o, d, err, errlen);
	json_object_put(o);
	return ret;
}

int fleet_subject_check(const char *subject, const struct fleet_decision *d,
			char *err, size_t errlen)
{
	char want[2 * SLA_FLEET_NAME_MAX + 32];

	snprintf(want, sizeof(want), "slaguard.%s.%s.decision", d->site, d->node);
	if (subject && !strcmp(subject, want))
		return 0;
	snprintf(err, errlen, "a decision of %s@%s published under %s, not %s",
		 d->node, d->site, subject ? subject : "(none)", want);
	return -EINVAL;
}

const char *fleet_verdict_name(enum fleet_verdict v)
{
	static const char *const names[] = {
		[FLEET_DO_APPLY] = "apply",
		[FLEET_DO_REVOKE] = "revoke",
		[FLEET_SKIP_OWN] = "own decision",
		[FLEET_SKIP_LOCAL] = "scope local",
		[FLEET_SKIP_EXPIRED] = "expired",
		[FLEET_SKIP_DUPLICATE] = "already handled",
		[FLEET_SKIP_REVOKED] = "already revoked",
		[FLEET_SKIP_UNKNOWN] = "revoke of a decision not applied here",
	};

	return (size_t)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* ---- the ledger ---- */

void fleet_ledger_init(struct fleet_ledger *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void fleet_ledger_fini(struct fleet_ledger *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

const struct fleet_ledger_entry *fleet_ledger_find(const struct fleet_ledger *l,
						   const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].id, id))
			return &l->e[i];
	return NULL;
}

const struct fleet_ledger_entry *fleet_ledger_by_cm(const struct fleet_ledger *l,
						    const char *cm)
{
	for (size_t i = 0; cm[0] && i < l->n; i++)
		if (!l->e[i].revoked && !strcmp(l->e[i].cm, cm))
			return &l->e[i];
	return NULL;
}

enum fleet_verdict fleet_ledger_judge(const struct fleet_ledger *l,
				      const struct fleet_decision *d,
				      const char *site, const char *node,
				      uint64_t now_real)
{
	const struct fleet_ledger_entry *e = fleet_ledger_find(l, d->id);

	if (!strcmp(d->site, site) && !strcmp(d->node, node))
		return FLEET_SKIP_OWN;
	if (d->op == FLEET_REVOKE) {
		if (!e)
			return FLEET_SKIP_UNKNOWN;
		return e->revoked ? FLEET_SKIP_DUPLICATE : FLEET_DO_REVOKE;
	}
	if (!d->fleet)
		return FLEET_SKIP_LOCAL;
	if (e)
		return e->revoked ? FLEET_SKIP_REVOKED : FLEET_SKIP_DUPLICATE;
	if (d->expires_ms <= now_real)
		return FLEET_SKIP_EXPIRED;
	return FLEET_DO_APPLY;
}

static void remove_at(struct fleet_ledger *l, size_t i)
{
	l->e[i] = l->e[--l->n];
}

/* At MAX, the entry that expires first makes room. */
static void make_room(struct fleet_ledger *l)
{
	size_t victim = 0;

	for (size_t i = 1; i < l->n; i++)
		if (l->e[i].expires_ms < l->e[victim].expires_ms)
			victim = i;
	remove_at(l, victim);
	l->evicted++;
}

int fleet_ledger_note(struct fleet_ledger *l, const struct fleet_decision *d,
		      const char *cm)
{
	struct fleet_ledger_entry *e = (struct fleet_ledger_entry *)fleet_ledger_find(l, d->id);

	if (!e) {
		if (l->max && l->n >= l->max)
			make_room(l);
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 64;
			struct fleet_ledger_entry *v = realloc(l->e, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->e = v;
			l->cap = cap;
		}
		e = &l->e[l->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", d->id);
	}
	if (d->expires_ms > e->expires_ms)
		e->expires_ms = d->expires_ms;
	if (d->op == FLEET_REVOKE) {
		e->revoked = true;
	} else if (cm) {
		snprintf(e->cm, sizeof(e->cm), "%s", cm);
	}
	if (d->target[0]) {
		e->action = d->action;
		snprintf(e->target, sizeof(e->target), "%s", d->target);
	}
	l->changes++;
	return 0;
}

const struct fleet_ledger_entry *fleet_ledger_by_target(const struct fleet_ledger *l,
							enum sla_action action,
							const char *target)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->e[i].revoked && l->e[i].action == action &&
		    !strcmp(l->e[i].target, target))
			return &l->e[i];
	return NULL;
}

void fleet_ledger_rebind(struct fleet_ledger *l, const char *id, const char *cm)
{
	struct fleet_ledger_entry *e = (struct fleet_ledger_entry *)fleet_ledger_find(l, id);

	if (e && strcmp(e->cm, cm)) {
		snprintf(e->cm, sizeof(e->cm), "%s", cm);
		l->changes++;
	}
}

int fleet_ledger_save(const struct fleet_ledger *l, const char *path)
{
	struct sgd_rewrite w;
	int ret = sgd_rewrite_open(&w, path);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < l->n; i++) {
		const struct fleet_ledger_entry *e = &l->e[i];

		fprintf(w.f, "%s %llu %d %s %d %s\n", e->id, (unsigned long long)e->expires_ms,
			e->revoked, e->cm[0] ? e->cm : "-", (int)e->action,
			e->target[0] ? e->target : "-");
	}
	return sgd_rewrite_commit(&w);
}

int fleet_ledger_load(struct fleet_ledger *l, const char *path, uint64_t now_real)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct fleet_decision d = { .op = FLEET_APPLY };
		char cm[24], target[NFTB_ADDR_MAX];
		unsigned long long exp;
		int revoked, action;

		if (sscanf(line, "%95s %llu %d %23s %d %95s", d.id, &exp, &revoked, cm,
			   &action, target) != 6 || !comment_id(d.id) || exp <= now_real ||
		    action < SLA_ACT_BLOCK_SOURCE || action > SLA_ACT_INSPECT)
			continue;
		d.expires_ms = exp;
		d.action = (enum sla_action)action;
		if (strcmp(target, "-"))
			snprintf(d.target, sizeof(d.target), "%s", target);
		fleet_ledger_note(l, &d, strcmp(cm, "-") ? cm : "");
		if (revoked) {
			d.op = FLEET_REVOKE;
			fleet_ledger_note(l, &d, NULL);
		}
	}
	fclose(f);
	return 0;
}

void fleet_ledger_expire(struct fleet_ledger *l, uint64_t now_real)
{
	for (size_t i = 0; i < l->n;) {
		if (l->e[i].expires_ms <= now_real) {
			remove_at(l, i);
			l->changes++;
		} else {
			i++;
		}
	}
}
