// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the SLA model as JSON for `slaguardctl -j sla check` and the
 * control socket. The dump uses the file's own keys and value syntax with
 * every default made explicit, so it is itself a valid SLA file (JSON is
 * YAML) that loads to the same model: what is shown is what is enforced.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "sla.h"

/* Adds VAL under KEY; a NULL VAL (allocation failed) fails the whole dump. */
static bool put(struct json_object *obj, const char *key,
		struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

static bool push(struct json_object *arr, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_array_add(arr, val)) {
		json_object_put(val);
		return false;
	}
	return true;
}

static struct json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *prefix_json(const struct sla_prefix *p)
{
	char buf[64];

	if (sla_format_prefix(p, buf, sizeof(buf)))
		return NULL;
	return str(buf);
}

static struct json_object *duration_json(uint64_t ms)
{
	char buf[32];

	if (sla_format_duration(ms, buf, sizeof(buf)))
		return NULL;
	return str(buf);
}

/* A single port as a number, a range as "N-M", as one writes them. */
static struct json_object *port_json(const struct sla_port_range *r)
{
	char buf[16];

	if (r->min == r->max)
		return json_object_new_int(r->min);
	snprintf(buf, sizeof(buf), "%u-%u", r->min, r->max);
	return str(buf);
}

/* Whole numbers as integers so 200 is not shown as 200.0. */
static struct json_object *number_json(double v)
{
	if (v == floor(v) && v < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static struct json_object *prefixes_json(const struct sla_prefix *p, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		if (!push(arr, prefix_json(&p[i]))) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static struct json_object *ports_json(const struct sla_port_range *r, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		if (!push(arr, port_json(&r[i]))) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static struct json_object *strings_json(char *const *v, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		if (!push(arr, str(v[i]))) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static struct json_object *component_json(const struct sla_component *c)
{
	struct json_object *o = json_object_new_object();

	if (o && put(o, "addresses", prefixes_json(c->addresses, c->n_addresses)) &&
	    put(o, "ports", ports_json(c->ports, c->n_ports)) &&
	    put(o, "processes", strings_json(c->processes, c->n_processes)) &&
	    put(o, "cgroups", strings_json(c->cgroups, c->n_cgroups)))
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *peer_json(const struct sla_peer *p)
{
	switch (p->kind) {
	case SLA_PEER_PREFIX:
		return prefix_json(&p->prefix);
	case SLA_PEER_COMPONENT:
		return str(p->component->name);
	default:
		return str("any");
	}
}

static bool net_body(struct json_object *b, const struct sla_rule *r)
{
	struct json_object *from = json_object_new_array();

	for (size_t i = 0; from && i < r->n_from; i++)
		if (!push(from, peer_json(&r->from[i]))) {
			json_object_put(from);
			return false;
		}
	if (!put(b, "from", from) || !put(b, "to", str(r->to->name)) ||
	    !put(b, "proto", str(sla_proto_name(r->proto))))
		return false;
	if (r->payload && !put(b, "payload", str(r->payload)))
		return false;
	return !r->n_ports || put(b, "port", ports_json(r->ports, r->n_ports));
}

static bool data_body(struct json_object *b, const struct sla_rule *r)
{
	const char *who = r->subject_kind == SLA_SUBJECT_USER ? "user" : "role";

	if (!put(b, who, str(r->subject)) ||
	    !put(b, sla_data_action_name(r->action), str(r->resource)))
		return false;
	return !r->component || put(b, "component", str(r->component->name));
}

static struct json_object *step_json(const struct sla_seq_step *st)
{
	struct json_object *o = json_object_new_object();
	bool ok = o != NULL;

	if (ok && st->event != SLA_SEQ_APP)
		ok = put(o, "event", str(sla_seq_event_name(st->event)));
	if (ok && st->event == SLA_SEQ_NET_WATCH_HIT) {
		ok = put(o, "proto", str(sla_proto_name(st->proto)));
		if (ok && st->to)
			ok = put(o, "to", str(st->to->name));
		if (ok && st->n_ports)
			ok = put(o, "port", ports_json(st->ports, st->n_ports));
	}
	if (ok && st->event == SLA_SEQ_APP) {
		if (st->has_subject)
			ok = put(o, st->subject_kind == SLA_SUBJECT_USER ?
				 "user" : "role", str(st->subject));
		ok = ok && put(o, sla_data_action_name(st->action),
			       str(st->resource));
	}
	if (ok && st->component)
		ok = put(o, "component", str(st->component->name));
	if (ok && st->n_processes)
		ok = put(o, "process", strings_json(st->processes,
						    st->n_processes));
	ok = ok && put(o, "count", json_object_new_int64(st->count));
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *sequence_json(const struct sla_rule *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *steps = json_object_new_array();
	bool ok = o && steps;

	for (size_t i = 0; ok && i < r->n_steps; i++)
		ok = push(steps, step_json(&r->steps[i]));
	ok = ok && put(o, "id", str(r->id));
	if (ok) {
		ok = put(o, "sequence", steps);
		steps = NULL;
	}
	ok = ok && put(o, "same", str(sla_seq_key_name(r->same))) &&
	     put(o, "within", duration_json(r->within_ms)) &&
	     put(o, "severity", str(sla_severity_name(r->severity)));
	if (ok && r->description)
		ok = put(o, "description", str(r->description));
	json_object_put(steps);
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *rule_json(const struct sla_rule *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *b = json_object_new_object();
	bool ok = o && b;

	if (r->kind == SLA_RULE_SEQUENCE) {
		json_object_put(o);
		json_object_put(b);
		return sequence_json(r);
	}
	ok = ok && (r->kind == SLA_RULE_NET ? net_body(b, r) : data_body(b, r));
	ok = ok && put(o, "id", str(r->id));
	if (ok) {
		ok = put(o, r->deny ? "deny" : "allow", b);
		b = NULL;
	}
	if (ok && r->deny)
		ok = put(o, "severity", str(sla_severity_name(r->severity)));
	if (ok && r->description)
		ok = put(o, "description", str(r->description));
	json_object_put(b);
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static bool slo_scope(struct json_object *o, const struct sla_slo *s)
{
	if (s->per != SLA_PER_NONE && !put(o, "per", str(sla_per_name(s->per))))
		return false;
	if (s->component && !put(o, "component", str(s->component->name)))
		return false;
	if (s->has_max && !put(o, "max", number_json(s->max)))
		return false;
	return !s->has_min || put(o, "min", number_json(s->min));
}

static struct json_object *slo_json(const struct sla_slo *s)
{
	struct json_object *o = json_object_new_object();
	bool ok = o && put(o, "id", str(s->id)) &&
		  put(o, "metric", str(sla_metric_name(s->metric))) &&
		  slo_scope(o, s) &&
		  put(o, s->sustained ? "for" : "window",
		      duration_json(s->window_ms)) &&
		  put(o, "severity", str(sla_severity_name(s->severity)));

	if (ok && s->description)
		ok = put(o, "description", str(s->description));
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *when_json(const struct sla_countermeasure *cm)
{
	struct json_object *o = json_object_new_object();
	bool ok;

	if (cm->when == SLA_WHEN_SLO)
		ok = put(o, "slo", str(cm->slo->id));
	else if (cm->when == SLA_WHEN_RULE)
		ok = put(o, "rule", str(cm->rule->id));
	else
		ok = put(o, "severity", str(sla_severity_name(cm->severity)));
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *rate_json(const struct sla_rate *r)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%llu/%s", (unsigned long long)r->count,
		 sla_rate_unit_name(r->unit));
	return str(buf);
}

static struct json_object *cm_json(const struct sla_countermeasure *cm)
{
	struct json_object *o = json_object_new_object();
	bool lasts = cm->action == SLA_ACT_BLOCK_SOURCE ||
		     cm->action == SLA_ACT_RATE_LIMIT ||
		     cm->action == SLA_ACT_INSPECT ||
		     cm->action == SLA_ACT_LIMIT_DESTINATION;
	bool ok = o && put(o, "when", when_json(cm)) &&
		  put(o, "do", str(sla_action_name(cm->action)));

	if (ok && lasts)
		ok = put(o, "for", duration_json(cm->duration_ms));
	if (ok && (cm->action == SLA_ACT_RATE_LIMIT ||
		   cm->action == SLA_ACT_LIMIT_DESTINATION))
		ok = put(o, "rate", rate_json(&cm->rate));
	if (ok && cm->evidence != SLA_EVIDENCE_DEFAULT)
		ok = put(o, "evidence", str(sla_evidence_name(cm->evidence)));
	if (ok && cm->hook)
		ok = put(o, "hook", str(cm->hook));
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *aggregate_json(const struct sla_defaults *d)
{
	struct json_object *o = json_object_new_object();

	if (o) {
		json_object_object_add(o, "ipv4", json_object_new_int(d->aggregate.plen4));
		json_object_object_add(o, "ipv6", json_object_new_int(d->aggregate.plen6));
		json_object_object_add(o, "min", json_object_new_int64(d->aggregate.min));
	}
	return o;
}

static struct json_object *repeat_json(const struct sla_defaults *d)
{
	struct json_object *o = json_object_new_object();

	if (o) {
		json_object_object_add(o, "multiplier",
				       json_object_new_double(d->repeat.multiplier));
		json_object_object_add(o, "max", duration_json(d->repeat.max_ms));
		json_object_object_add(o, "window", duration_json(d->repeat.window_ms));
		json_object_object_add(o, "remember",
				       json_object_new_int64(d->repeat.remember));
	}
	return o;
}

static struct json_object *defaults_json(const struct sla_defaults *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lost = json_object_new_object();
	bool ok = o && lost &&
		  put(lost, "severity", str(sla_severity_name(d->lost_events.severity))) &&
		  put(lost, "do", str(sla_action_name(d->lost_events.action))) &&
		  (!d->lost_events.hook || put(lost, "hook", str(d->lost_events.hook)));

	if (ok) {
		ok = put(o, "lost_events", lost);
		lost = NULL;
	}
	ok = ok && put(o, "holdoff", duration_json(d->holdoff_ms)) &&
	     put(o, "window", duration_json(d->window_ms)) &&
	     put(o, "max_actions", json_object_new_int64(d->max_actions)) &&
	     put(o, "dry_run", json_object_new_boolean(d->dry_run)) &&
	     put(o, "evidence", str(sla_evidence_name(d->evidence))) &&
	     (!d->ns_forward_rate ||
	      put(o, "ns_forward_rate", json_object_new_int64(d->ns_forward_rate))) &&
	     (!d->has_app_group || put(o, "app_group", str(d->app_group_name))) &&
	     (!d->aggregate.on || put(o, "aggregate", aggregate_json(d))) &&
	     (!d->repeat.on || put(o, "repeat", repeat_json(d)));
	json_object_put(lost);
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static bool put_components(struct json_object *root, const struct sla *sla)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; o && i < sla->n_components; i++)
		if (!put(o, sla->components[i].name,
			 component_json(&sla->components[i]))) {
			json_object_put(o);
			return false;
		}
	return put(root, "components", o);
}

/* Adds a list built by calling TO_JSON on each of N elements of SIZE. */
static bool put_list(struct json_object *root, const char *key,
		     const void *items, size_t n, size_t size,
		     struct json_object *(*to_json)(const void *))
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		if (!push(arr, to_json((const char *)items + i * size))) {
			json_object_put(arr);
			return false;
		}
	return put(root, key, arr);
}

static struct json_object *reporter_json(const struct sla_reporter *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *comps = json_object_new_array();
	bool ok = o && comps &&
		  put(o, r->is_group ? "group" : "user", str(r->name));

	if (ok && r->any_component)
		ok = push(comps, str("any"));
	for (size_t i = 0; ok && i < r->n_components; i++)
		ok = push(comps, str(r->components[i]->name));
	if (ok) {
		ok = put(o, "components", comps);
		comps = NULL;
	}
	ok = ok && put(o, "source", json_object_new_boolean(r->source));
	json_object_put(comps);
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *rule_item(const void *p) { return rule_json(p); }
static struct json_object *reporter_item(const void *p) { return reporter_json(p); }
static struct json_object *slo_item(const void *p) { return slo_json(p); }
static struct json_object *cm_item(const void *p) { return cm_json(p); }

struct json_object *sla_to_json(const struct sla *sla)
{
	struct json_object *o = json_object_new_object();
	bool ok = o && put(o, "sla", str(sla->name)) &&
		  (!sla->description ||
		   put(o, "description", str(sla->description))) &&
		  put_components(o, sla) &&
		  put_list(o, "rules", sla->rules, sla->n_rules,
			   sizeof(*sla->rules), rule_item) &&
		  put_list(o, "slos", sla->slos, sla->n_slos,
			   sizeof(*sla->slos), slo_item) &&
		  put_list(o, "countermeasures", sla->countermeasures,
			   sla->n_countermeasures,
			   sizeof(*sla->countermeasures), cm_item) &&
		  put(o, "allowlist",
		      prefixes_json(sla->allowlist, sla->n_allowlist)) &&
		  put_list(o, "reporters", sla->reporters, sla->n_reporters,
			   sizeof(*sla->reporters), reporter_item) &&
		  put(o, "defaults", defaults_json(&sla->defaults));

	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static const char *const threshold_names[] = {
	[SLAGUARD_THR_WINDOW_MS] = "window_ms",
	[SLAGUARD_THR_HOLDOFF_MS] = "holdoff_ms",
	[SLAGUARD_THR_PORTSCAN_PORTS] = "portscan_ports",
	[SLAGUARD_THR_SYN_HALF_OPEN] = "syn_half_open",
	[SLAGUARD_THR_CONN_RATE] = "conn_rate",
	[SLAGUARD_THR_BANDWIDTH_BPS] = "bandwidth_bps",
	[SLAGUARD_THR_ICMP_RATE] = "icmp_rate",
	[SLAGUARD_THR_WATCH_EVENTS] = "watch_events",
	[SLAGUARD_THR_FORK_RATE] = "fork_rate",
	[SLAGUARD_THR_DST_HALF_OPEN] = "dst_half_open",
	[SLAGUARD_THR_SLOW_PORTS] = "slow_ports",
	[SLAGUARD_THR_SLOW_WINDOW_MS] = "slow_window_ms",
	[SLAGUARD_THR_NS_FORWARD_RATE] = "ns_forward_rate",
};

static struct json_object *watch_prefix(int family, const uint8_t *addr,
					uint8_t plen)
{
	struct sla_prefix p = { .family = family, .plen = plen };

	memcpy(p.addr, addr, sizeof(p.addr));
	return prefix_json(&p);
}

static bool watch_match(struct json_object *o, const struct sla_watch *w)
{
	char ports[16];

	if (w->has_src && !put(o, "src", watch_prefix(w->family, w->src_addr,
						      w->src_plen)))
		return false;
	if (w->has_dst && !put(o, "dst", watch_prefix(w->family, w->dst_addr,
						      w->dst_plen)))
		return false;
	snprintf(ports, sizeof(ports), "%u-%u", w->port_min, w->port_max);
	return !w->has_ports || put(o, "ports", str(ports));
}

static struct json_object *watch_json(const struct sla_watch *w)
{
	struct json_object *o = json_object_new_object();
	const char *family = w->family == AF_INET ? "ipv4" :
			     w->family == AF_INET6 ? "ipv6" : "any";
	bool ok = o && put(o, "id", json_object_new_int64(w->id)) &&
		  put(o, "rule", str(w->rule->id)) &&
		  put(o, "family", str(family)) && watch_match(o, w) &&
		  put(o, "proto", json_object_new_int(w->proto)) &&
		  put(o, "direction", str(w->direction == SLAGUARD_DIR_IN ?
					  "in" : "other")) &&
		  put(o, "action", str(w->action == SLAGUARD_WATCH_REPORT_NEW ?
				       "report-new" : "sample"));

	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *thresholds_json(const struct sla_module_config *cfg)
{
	struct json_object *o = json_object_new_object();

	for (int a = 0; o && a <= SLAGUARD_THR_MAX; a++) {
		if (!(cfg->thresholds_set & (1u << a)) || !threshold_names[a])
			continue;
		if (!put(o, threshold_names[a],
			 json_object_new_int64((int64_t)cfg->thresholds[a]))) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static struct json_object *watch_item(const void *p) { return watch_json(p); }

static struct json_object *task_watch_item(const void *p)
{
	const struct sla_task_watch *w = p;
	struct json_object *o = json_object_new_object();
	bool ok = o && put(o, "id", json_object_new_int64(w->id)) &&
		  put(o, "component", str(w->component->name)) &&
		  (w->comm ? put(o, "comm", str(w->comm)) :
			     put(o, "cgroup", str(w->cgroup)));

	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

struct json_object *sla_module_config_to_json(const struct sla_module_config *cfg)
{
	struct json_object *o = json_object_new_object();

	if (o && put(o, "thresholds", thresholds_json(cfg)) &&
	    put_list(o, "watches", cfg->watches, cfg->n_watches,
		     sizeof(cfg->watches[0]), watch_item) &&
	    put_list(o, "task_watches", cfg->task_watches, cfg->n_task_watches,
		     sizeof(cfg->task_watches[0]), task_watch_item))
		return o;
	json_object_put(o);
	return NULL;
}
