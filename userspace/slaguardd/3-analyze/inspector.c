// SPDX-License-Identifier: GPL-2.0-or-later
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"
#include "intake.h"

void inspector_init(struct inspector *in, const struct sla *sla,
		    const struct sla_module_config *cfg)
{
	in->sla = sla;
	in->cfg = cfg;
}

const struct sla_rule *inspector_watch_rule(const struct inspector *in,
					    uint32_t module_id)
{
	uint32_t id = intake_watch_sla_id(module_id);

	if (!id || !in->cfg || id > in->cfg->n_watches)
		return NULL;
	return in->cfg->watches[id - 1].rule;
}

static void start(struct finding *f, const struct sample *s,
		  const struct sla_rule *rule, const char *component)
{
	memset(f, 0, sizeof(*f));
	f->kind = FINDING_RULE;
	f->rule = rule;
	f->severity = rule->severity;
	snprintf(f->ref, sizeof(f->ref), "%s", rule->id);
	f->has_source = s->has_source;
	f->family = s->family;
	memcpy(f->src, s->src, sizeof(f->src));
	memcpy(f->source, s->source, sizeof(f->source));
	f->component = component;
	f->real_ms = s->real_ms;
	f->evidence = json_object_new_object();
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	if (o && v && *v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	if (o)
		json_object_object_add(o, key, json_object_new_int64(v));
}

const char *analyze_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return NULL;
	}
}

/*
 * The module reports what the deny rule's watch matched; the allow rules
 * (which install no watch) can still permit it, so the whole rule set
 * decides. The watch's own rule is preferred when it still applies.
 */
static const struct sla_rule *judge_net(const struct inspector *in,
					const struct rec_net *n)
{
	const struct sla_rule *watch = inspector_watch_rule(in, n->watch_id);
	const struct sla_rule *deny;

	if (!n->has_src || !n->has_dst)
		return watch;
	deny = sla_net_violation(in->sla, n->family, n->src, n->dst, n->proto,
				 n->dport);
	if (deny && watch && sla_net_rule_matches(watch, n->family, n->src,
						   n->dst, n->proto, n->dport))
		return watch;
	return deny;
}

static int net_finding(const struct inspector *in, const struct sample *s,
		       struct finding *f)
{
	const struct rec_net *n = &s->rec->net;
	const struct sla_rule *rule = judge_net(in, n);
	char dst[SGD_ADDR_MAX] = "";
	const char *proto = analyze_proto_name(n->proto);

	if (!rule)
		return 0;
	start(f, s, rule, rule->to ? rule->to->name : NULL);
	if (n->has_dst)
		sgd_format_addr(n->family, n->dst, dst, sizeof(dst));
	add_str(f->evidence, "destination", dst);
	add_str(f->evidence, "proto", proto);
	if (n->proto == IPPROTO_TCP || n->proto == IPPROTO_UDP)
		add_int(f->evidence, "dport", n->dport);
	add_int(f->evidence, "watch", n->watch_id);
	add_int(f->evidence, "seq", (int64_t)n->seq);
	/* A local process sent it: its cgroup is what countermeasures act on. */
	if (n->cgroup_id)
		add_int(f->evidence, "cgroup_id", (int64_t)n->cgroup_id);
	add_str(f->evidence, "cgroup", n->cgroup);
	if (n->dport)
		snprintf(f->summary, sizeof(f->summary),
			 "%s reached %s port %u/%s: denied by rule %s",
			 s->has_source ? s->source : "a source",
			 dst[0] ? dst : "a component", n->dport,
			 proto ? proto : "?", rule->id);
	else
		snprintf(f->summary, sizeof(f->summary),
			 "%s reached %s (%s): denied by rule %s",
			 s->has_source ? s->source : "a source",
			 dst[0] ? dst : "a component", proto ? proto : "any",
			 rule->id);
	if (n->cgroup[0]) {
		size_t used = strlen(f->summary);

		snprintf(f->summary + used, sizeof(f->summary) - used,
			 " (sent from cgroup %s)", n->cgroup);
	}
	return 1;
}

/* Data rules name the action they are about (read, write, ...). */
static int app_finding(const struct inspector *in, const struct sample *s,
		       struct finding *f)
{
	const struct rec_app *a = &s->rec->app;
	const char *roles[1] = { a->role };
	const struct sla_rule *rule;
	enum sla_data_action action;

	if (sla_data_action_from_name(a->action, &action) < 0)
		return 0;
	rule = sla_data_violation(in->sla, action, a->user, roles,
				  a->role[0] ? 1 : 0, a->component, a->resource);
	if (!rule)
		return 0;
	start(f, s, rule, s->component ? s->component->name : NULL);
	add_str(f->evidence, "user", a->user);
	add_str(f->evidence, "role", a->role);
	add_str(f->evidence, "action", a->action);
	add_str(f->evidence, "resource", a->resource);
	add_str(f->evidence, "reported_component", a->component);
	add_int(f->evidence, "reporter_uid", a->uid);
	snprintf(f->summary, sizeof(f->summary), "user %.40s %.16s %.80s of %.40s: denied by rule %.40s",
		 a->user, a->action, a->resource, a->component, rule->id);
	return 1;
}

int inspector_judge_packet(const struct inspector *in, const uint8_t *pkt,
			   size_t len, uint64_t real_ms, struct finding *f)
{
	struct inspect_packet p;
	const struct sla_rule *rule = inspect_judge(in->sla, pkt, len, &p);
	char dst[SGD_ADDR_MAX];
	const char *proto = analyze_proto_name(p.proto);

	if (!rule)
		return 0;
	memset(f, 0, sizeof(*f));
	f->kind = FINDING_RULE;
	f->rule = rule;
	f->severity = rule->severity;
	snprintf(f->ref, sizeof(f->ref), "%s", rule->id);
	f->has_source = true;
	f->family = p.family;
	memcpy(f->src, p.src, sizeof(f->src));
	sgd_format_addr(p.family, p.src, f->source, sizeof(f->source));
	sgd_format_addr(p.family, p.dst, dst, sizeof(dst));
	f->component = rule->to ? rule->to->name : NULL;
	f->real_ms = real_ms;
	f->evidence = json_object_new_object();
	add_str(f->evidence, "destination", dst);
	add_str(f->evidence, "proto", proto);
	add_int(f->evidence, "sport", p.sport);
	add_int(f->evidence, "dport", p.dport);
	add_str(f->evidence, "payload_pattern", rule->payload);
	add_int(f->evidence, "payload_bytes_inspected", (int64_t)p.payload_len);
	snprintf(f->summary, sizeof(f->summary),
		 "%s sent \"%.60s\" to %s port %u/%s: denied by rule %s",
		 f->source, rule->payload, dst, p.dport, proto, rule->id);
	return 1;
}

int inspector_judge(const struct inspector *in, const struct sample *s,
		    struct finding *f)
{
	if (!s->rec)
		return 0;
	if (s->metric == SLA_METRIC_NET_WATCH_HITS && s->rec->kind == REC_NET)
		return net_finding(in, s, f);
	if (s->metric == SLA_METRIC_APP_ACCESS_VIOLATIONS &&
	    s->rec->kind == REC_APP)
		return app_finding(in, s, f);
	return 0;
}
