// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard-coord - composite SLO evaluation. A component COMPONENT@NODE is
 * what NODE's SLOs of that component (or the SLO of that id) say: violated
 * if any is, unknown if any is or if the node is silent past the
 * deadline, else compliant. Evidence names the node and the SLO; a silent
 * guest's evidence says how its hypervisor is doing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "coord.h"

const char *coord_state_name(enum coord_state s)
{
	switch (s) {
	case COORD_COMPLIANT:
		return "compliant";
	case COORD_VIOLATED:
		return "violated";
	default:
		return "unknown";
	}
}

enum coord_state coord_state_from_name(const char *name)
{
	if (name && !strcmp(name, "compliant"))
		return COORD_COMPLIANT;
	if (name && !strcmp(name, "violated"))
		return COORD_VIOLATED;
	return COORD_UNKNOWN;
}

int coord_init(struct coord *co, const struct sla_composite *comp)
{
	memset(co, 0, sizeof(*co));
	co->comp = comp;
	co->nodes = calloc(comp->n_nodes ? comp->n_nodes : 1, sizeof(*co->nodes));
	co->slos = calloc(comp->n_slos ? comp->n_slos : 1, sizeof(*co->slos));
	if (!co->nodes || !co->slos) {
		coord_fini(co);
		return -ENOMEM;
	}
	return 0;
}

void coord_fini(struct coord *co)
{
	for (size_t i = 0; co->nodes && i < co->comp->n_nodes; i++)
		free(co->nodes[i].slos);
	for (size_t i = 0; co->slos && i < co->comp->n_slos; i++)
		free(co->slos[i].iv);
	free(co->nodes);
	free(co->slos);
	co->nodes = NULL;
	co->slos = NULL;
}

void coord_heard(struct coord *co, size_t node, uint64_t ms)
{
	if (ms > co->nodes[node].heard_ms)
		co->nodes[node].heard_ms = ms;
}

int coord_node_slo(struct coord *co, size_t node, const char *id,
		   const char *component, enum coord_state state,
		   const char *reason, uint64_t ms)
{
	struct coord_node *n = &co->nodes[node];
	struct coord_node_slo *s = NULL;

	coord_heard(co, node, ms);
	for (size_t i = 0; i < n->n_slos; i++)
		if (!strcmp(n->slos[i].id, id))
			s = &n->slos[i];
	if (!s) {
		struct coord_node_slo *more;

		if (n->n_slos >= 1024)
			return -ENOSPC;
		more = realloc(n->slos, (n->n_slos + 1) * sizeof(*more));
		if (!more)
			return -ENOMEM;
		n->slos = more;
		s = &n->slos[n->n_slos++];
		memset(s, 0, sizeof(*s));
		snprintf(s->id, sizeof(s->id), "%s", id);
	} else if (ms < s->since_ms) {
		return 0;	/* older than what it said since */
	}
	snprintf(s->component, sizeof(s->component), "%s", component ? component : "");
	s->state = state;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	s->since_ms = ms;
	return 0;
}

void coord_attack(struct coord *co, size_t node, const char *what, uint64_t ms)
{
	struct coord_node *n = &co->nodes[node];

	coord_heard(co, node, ms);
	if (ms < n->attack_ms)
		return;
	n->attack_ms = ms;
	snprintf(n->attack, sizeof(n->attack), "%s", what);
}

void coord_alert(struct coord *co, size_t node, const char *id, const char *ref,
		 const char *severity, const char *summary, uint64_t ms)
{
	struct coord_alert *a = &co->alerts[co->next_alert];

	coord_heard(co, node, ms);
	co->nodes[node].alerts++;
	memset(a, 0, sizeof(*a));
	snprintf(a->node, sizeof(a->node), "%s", co->comp->nodes[node].name);
	snprintf(a->id, sizeof(a->id), "%s", id ? id : "");
	snprintf(a->ref, sizeof(a->ref), "%s", ref ? ref : "");
	snprintf(a->severity, sizeof(a->severity), "%s", severity ? severity : "");
	snprintf(a->summary, sizeof(a->summary), "%s", summary ? summary : "");
	a->real_ms = ms;
	co->next_alert = (co->next_alert + 1) % COORD_ALERTS_KEPT;
	if (co->n_alerts < COORD_ALERTS_KEPT)
		co->n_alerts++;
}

void coord_status(struct coord *co, size_t node, uint64_t revision,
		  const char *sla_name, const char *error, uint64_t ms)
{
	struct coord_node *n = &co->nodes[node];

	coord_heard(co, node, ms);
	n->has_status = true;
	n->sla_revision = revision;
	snprintf(n->sla_name, sizeof(n->sla_name), "%s", sla_name ? sla_name : "");
	snprintf(n->sla_error, sizeof(n->sla_error), "%s", error ? error : "");
}

bool coord_silent(const struct coord *co, size_t node, uint64_t now)
{
	uint64_t h = co->nodes[node].heard_ms;

	return !h || (now > h && now - h > co->comp->silence_ms);
}

bool coord_under_attack(const struct coord *co, size_t node, uint64_t now)
{
	uint64_t a = co->nodes[node].attack_ms;

	return a && (now <= a || now - a <= co->comp->attack_window_ms);
}

/* Appends to an evidence buffer; truncation only shortens it. */
static void add(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void add_sep(char *buf, size_t len)
{
	if (buf[0])
		add(buf, len, "; ");
}

static void fmt_age(uint64_t ms, char *buf, size_t len)
{
	if (ms >= 3600000)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(ms / 3600000),
			 (unsigned long long)(ms / 60000 % 60));
	else if (ms >= 60000)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(ms / 60000),
			 (unsigned long long)(ms / 1000 % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
}

/* Why NODE is silent, and how its hypervisor is doing. */
static void silent_why(const struct coord *co, size_t node, uint64_t now,
		       char *buf, size_t len)
{
	const struct sla_cnode *cn = &co->comp->nodes[node];
	const struct coord_node *n = &co->nodes[node];
	char age[32];

	if (!n->heard_ms) {
		add(buf, len, "node %s never heard from", cn->name);
	} else {
		fmt_age(now - n->heard_ms, age, sizeof(age));
		add(buf, len, "node %s silent for %s", cn->name, age);
	}
	if (cn->host < 0)
		return;
	{
		size_t h = (size_t)cn->host;
		const char *hn = co->comp->nodes[h].name;

		if (coord_under_attack(co, h, now))
			add(buf, len, " while its host %s is under attack (%s)", hn,
			    co->nodes[h].attack);
		else if (coord_silent(co, h, now))
			add(buf, len, " and its host %s is silent too", hn);
		else
			add(buf, len, " (its host %s is heard and not under attack)", hn);
	}
}

static enum coord_state ref_state(const struct coord *co, const struct sla_cref *r,
				  uint64_t now, char *buf, size_t len)
{
	const struct coord_node *n = &co->nodes[r->node];
	const char *name = co->comp->nodes[r->node].name;
	enum coord_state st = COORD_COMPLIANT;
	bool any = false;

	if (coord_silent(co, r->node, now)) {
		add(buf, len, "%s@%s unknown: ", r->component, name);
		silent_why(co, r->node, now, buf, len);
		return COORD_UNKNOWN;
	}
	for (size_t i = 0; i < n->n_slos; i++) {
		const struct coord_node_slo *s = &n->slos[i];

		if (strcmp(s->id, r->component) && strcmp(s->component, r->component))
			continue;
		any = true;
		if (s->state == COORD_VIOLATED && st != COORD_VIOLATED) {
			st = COORD_VIOLATED;
			buf[0] = '\0';
		}
		if (s->state == COORD_VIOLATED ||
		    (s->state == COORD_UNKNOWN && st != COORD_VIOLATED)) {
			if (s->state == COORD_UNKNOWN)
				st = COORD_UNKNOWN;
			add_sep(buf, len);
			add(buf, len, "%s@%s: node %s's SLO %s %s%s%s", r->component, name,
			    name, s->id, coord_state_name(s->state),
			    s->reason[0] ? " - " : "", s->reason);
		}
	}
	if (!any) {
		add(buf, len, "%s@%s unknown: node %s has reported no SLO of %s",
		    r->component, name, name, r->component);
		return COORD_UNKNOWN;
	}
	return st;
}

/* Over all refs: violated if any is, else unknown if any is. */
static enum coord_state refs_state(const struct coord *co, const struct sla_cslo *slo,
				   uint64_t now, char *buf, size_t len)
{
	char bad[COORD_EVIDENCE_MAX] = "", unk[COORD_EVIDENCE_MAX] = "";

	for (size_t i = 0; i < slo->n_refs; i++) {
		char one[COORD_EVIDENCE_MAX] = "";
		enum coord_state st = ref_state(co, &slo->refs[i], now, one, sizeof(one));

		if (st == COORD_VIOLATED) {
			add_sep(bad, sizeof(bad));
			add(bad, sizeof(bad), "%s", one);
		} else if (st == COORD_UNKNOWN) {
			add_sep(unk, sizeof(unk));
			add(unk, sizeof(unk), "%s", one);
		}
	}
	if (bad[0]) {
		snprintf(buf, len, "%s", bad);
		return COORD_VIOLATED;
	}
	if (unk[0]) {
		snprintf(buf, len, "%s", unk);
		return COORD_UNKNOWN;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < slo->n_refs; i++)
		add(buf, len, "%s%s@%s", i ? ", " : "", slo->refs[i].component,
		    co->comp->nodes[slo->refs[i].node].name);
	add(buf, len, " compliant");
	return COORD_COMPLIANT;
}

static void budget_track(struct coord_slo *s, const struct sla_cslo *slo,
			 bool bad, uint64_t now)
{
	uint64_t from = now > slo->within_ms ? now - slo->within_ms : 0;
	bool open = s->n_iv && !s->iv[s->n_iv - 1].end;
	size_t keep = 0;

	if (bad && !open) {
		if (s->n_iv == COORD_INTERVALS_MAX) {
			/* Bounded: the two oldest become one (over-counts, never under). */
			s->iv[1].start = s->iv[0].start;
			memmove(s->iv, s->iv + 1, (s->n_iv - 1) * sizeof(*s->iv));
			s->n_iv--;
		}
		if (!(s->n_iv % 16)) {
			struct coord_interval *more =
				realloc(s->iv, (s->n_iv + 16) * sizeof(*more));

			if (!more)
				return;
			s->iv = more;
		}
		s->iv[s->n_iv++] = (struct coord_interval){ now, 0 };
	} else if (!bad && open) {
		s->iv[s->n_iv - 1].end = now ? now : 1;
	}
	s->violated_ms = 0;
	for (size_t i = 0; i < s->n_iv; i++) {
		uint64_t a = s->iv[i].start, b = s->iv[i].end ? s->iv[i].end : now;

		if (b <= from)
			continue;
		s->iv[keep++] = s->iv[i];
		s->violated_ms += b - (a > from ? a : from);
	}
	s->n_iv = keep;
}

static enum coord_state eval_budget(struct coord *co, size_t i, uint64_t now,
				    char *buf, size_t len)
{
	const struct sla_cslo *slo = &co->comp->slos[i];
	struct coord_slo *s = &co->slos[i];
	char ev[COORD_EVIDENCE_MAX], used[32], max[32], win[32];
	enum coord_state st = refs_state(co, slo, now, ev, sizeof(ev));

	budget_track(s, slo, st == COORD_VIOLATED, now);
	fmt_age(s->violated_ms, used, sizeof(used));
	sla_format_duration(slo->max_violated_ms, max, sizeof(max));
	sla_format_duration(slo->within_ms, win, sizeof(win));
	snprintf(buf, len, "violated for %s within %s (at most %s)", used, win, max);
	if (s->violated_ms > slo->max_violated_ms) {
		if (st != COORD_COMPLIANT)
			add(buf, len, "; %s", ev);
		return COORD_VIOLATED;
	}
	if (st == COORD_UNKNOWN) {
		add(buf, len, "; %s", ev);
		return COORD_UNKNOWN;
	}
	if (st == COORD_VIOLATED)
		add(buf, len, "; now %s", ev);
	return COORD_COMPLIANT;
}

static enum coord_state eval_attack(struct coord *co, size_t i, uint64_t now,
				    char *buf, size_t len)
{
	const struct sla_cslo *slo = &co->comp->slos[i];
	char who[COORD_EVIDENCE_MAX] = "", quiet[COORD_EVIDENCE_MAX] = "";
	unsigned int attacked = 0, silent = 0;

	for (size_t k = 0; k < slo->n_attack_nodes; k++) {
		size_t n = slo->attack_nodes[k];

		if (coord_under_attack(co, n, now)) {
			attacked++;
			add_sep(who, sizeof(who));
			add(who, sizeof(who), "%s: %s", co->comp->nodes[n].name,
			    co->nodes[n].attack);
		} else if (coord_silent(co, n, now)) {
			silent++;
			add(quiet, sizeof(quiet), "%s%s", quiet[0] ? ", " : "",
			    co->comp->nodes[n].name);
		}
	}
	snprintf(buf, len, "%u node%s under attack (at most %u)", attacked,
		 attacked == 1 ? "" : "s", slo->max_nodes);
	if (who[0])
		add(buf, len, ": %s", who);
	if (attacked > slo->max_nodes)
		return COORD_VIOLATED;
	if (attacked + silent > slo->max_nodes) {
		add(buf, len, "; silent, so not known: %s", quiet);
		return COORD_UNKNOWN;
	}
	return COORD_COMPLIANT;
}

size_t coord_evaluate(struct coord *co, uint64_t now, coord_changed_fn changed,
		      void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < co->comp->n_slos; i++) {
		const struct sla_cslo *slo = &co->comp->slos[i];
		struct coord_slo *s = &co->slos[i];
		enum coord_state was = s->state, st;
		bool first = !s->evaluated;

		s->evidence[0] = '\0';
		switch (slo->kind) {
		case SLA_CSLO_ALL_COMPLIANT:
			st = refs_state(co, slo, now, s->evidence, sizeof(s->evidence));
			break;
		case SLA_CSLO_MAX_VIOLATED_FOR:
			st = eval_budget(co, i, now, s->evidence, sizeof(s->evidence));
			break;
		default:
			st = eval_attack(co, i, now, s->evidence, sizeof(s->evidence));
			break;
		}
		s->state = st;
		s->evaluated = true;
		if (!first && st == was)
			continue;
		s->since_ms = now;
		n++;
		if (changed)
			changed(arg, co, i, first ? COORD_UNKNOWN : was);
	}
	return n;
}

struct json_object *coord_slo_json(const struct coord *co, size_t i)
{
	const struct sla_cslo *slo = &co->comp->slos[i];
	const struct coord_slo *s = &co->slos[i];
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "composite", json_object_new_string(co->comp->name));
	json_object_object_add(o, "id", json_object_new_string(slo->id));
	json_object_object_add(o, "kind", json_object_new_string(sla_cslo_kind_name(slo->kind)));
	json_object_object_add(o, "state", json_object_new_string(coord_state_name(s->state)));
	json_object_object_add(o, "since_ms", json_object_new_int64((int64_t)s->since_ms));
	json_object_object_add(o, "severity",
			       json_object_new_string(sla_severity_name(slo->severity)));
	json_object_object_add(o, "evidence", json_object_new_string(s->evidence));
	if (slo->kind == SLA_CSLO_MAX_VIOLATED_FOR)
		json_object_object_add(o, "violated_ms",
				       json_object_new_int64((int64_t)s->violated_ms));
	return o;
}

static struct json_object *node_json(const struct coord *co, size_t i, uint64_t now)
{
	const struct sla_cnode *cn = &co->comp->nodes[i];
	const struct coord_node *n = &co->nodes[i];
	struct json_object *o = json_object_new_object();
	struct json_object *slos = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(cn->name));
	json_object_object_add(o, "site", json_object_new_string(cn->site));
	if (cn->host >= 0)
		json_object_object_add(o, "host",
				       json_object_new_string(co->comp->nodes[cn->host].name));
	json_object_object_add(o, "heard_ms", json_object_new_int64((int64_t)n->heard_ms));
	json_object_object_add(o, "silent", json_object_new_boolean(coord_silent(co, i, now)));
	json_object_object_add(o, "under_attack",
			       json_object_new_boolean(coord_under_attack(co, i, now)));
	if (n->attack_ms) {
		json_object_object_add(o, "attack", json_object_new_string(n->attack));
		json_object_object_add(o, "attack_ms", json_object_new_int64((int64_t)n->attack_ms));
	}
	json_object_object_add(o, "alerts", json_object_new_int64((int64_t)n->alerts));
	if (n->has_status) {
		struct json_object *sla = json_object_new_object();

		json_object_object_add(sla, "name", json_object_new_string(n->sla_name));
		json_object_object_add(sla, "revision",
				       json_object_new_int64((int64_t)n->sla_revision));
		if (n->sla_error[0])
			json_object_object_add(sla, "refused", json_object_new_string(n->sla_error));
		json_object_object_add(o, "sla", sla);
	}
	for (size_t k = 0; k < n->n_slos; k++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "id", json_object_new_string(n->slos[k].id));
		if (n->slos[k].component[0])
			json_object_object_add(s, "component",
					       json_object_new_string(n->slos[k].component));
		json_object_object_add(s, "state",
				       json_object_new_string(coord_state_name(n->slos[k].state)));
		json_object_object_add(s, "reason", json_object_new_string(n->slos[k].reason));
		json_object_object_add(s, "since_ms",
				       json_object_new_int64((int64_t)n->slos[k].since_ms));
		json_object_array_add(slos, s);
	}
	json_object_object_add(o, "slos", slos);
	return o;
}

struct json_object *coord_state_json(const struct coord *co, uint64_t now)
{
	struct json_object *o = json_object_new_object();
	struct json_object *nodes = json_object_new_array();
	struct json_object *slos = json_object_new_array();
	struct json_object *alerts = json_object_new_array();

	json_object_object_add(o, "composite", json_object_new_string(co->comp->name));
	json_object_object_add(o, "updated_ms", json_object_new_int64((int64_t)now));
	for (size_t i = 0; i < co->comp->n_nodes; i++)
		json_object_array_add(nodes, node_json(co, i, now));
	for (size_t i = 0; i < co->comp->n_slos; i++)
		json_object_array_add(slos, coord_slo_json(co, i));
	/* Oldest first. */
	for (size_t k = 0; k < co->n_alerts; k++) {
		size_t at = (co->next_alert + COORD_ALERTS_KEPT - co->n_alerts + k) %
			    COORD_ALERTS_KEPT;
		const struct coord_alert *a = &co->alerts[at];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "node", json_object_new_string(a->node));
		json_object_object_add(j, "id", json_object_new_string(a->id));
		json_object_object_add(j, "ref", json_object_new_string(a->ref));
		json_object_object_add(j, "severity", json_object_new_string(a->severity));
		json_object_object_add(j, "summary", json_object_new_string(a->summary));
		json_object_object_add(j, "real_ms", json_object_new_int64((int64_t)a->real_ms));
		json_object_array_add(alerts, j);
	}
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "slos", slos);
	json_object_object_add(o, "alerts", alerts);
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static uint64_t jms(struct json_object *o, const char *key)
{
	struct json_object *v;
	int64_t x = json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;

	return x > 0 ? (uint64_t)x : 0;
}

int coord_restore(struct coord *co, struct json_object *state)
{
	struct json_object *nodes;
	size_t restored = 0;

	if (!json_object_object_get_ex(state, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *n = json_object_array_get_idx(nodes, i), *slos;
		const char *name = jstr(n, "name");
		int k = name ? sla_composite_node(co->comp, jstr(n, "site"), name) : -1;

		if (k < 0)
			continue;	/* not in this composite SLA any more */
		coord_heard(co, (size_t)k, jms(n, "heard_ms"));
		if (jstr(n, "attack") && jms(n, "attack_ms"))
			coord_attack(co, (size_t)k, jstr(n, "attack"), jms(n, "attack_ms"));
		if (!json_object_object_get_ex(n, "slos", &slos) ||
		    !json_object_is_type(slos, json_type_array))
			continue;
		for (size_t j = 0; j < json_object_array_length(slos); j++) {
			struct json_object *o = json_object_array_get_idx(slos, j);

			if (jstr(o, "id"))
				coord_node_slo(co, (size_t)k, jstr(o, "id"), jstr(o, "component"),
					       coord_state_from_name(jstr(o, "state")),
					       jstr(o, "reason"), jms(o, "since_ms"));
		}
		restored++;
	}
	return (int)restored;
}
