// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the "countermeasures" section: which alerts (by severity, SLO
 * or rule) trigger which action, for how long. Actions that change the
 * firewall must expire, so their duration can never be zero.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const cm_keys[] = {
	"when", "do", "for", "rate", "hook", "evidence", "scope", "cpu",
	"memory", "signal", NULL
};

static const char *const when_keys[] = {
	"severity", "slo", "rule", NULL
};

static const struct sla_type when_type = {
	"a mapping with one of severity, slo, rule", sla_read_node, NULL
};

static bool acts_on_firewall(enum sla_action a)
{
	return a == SLA_ACT_BLOCK_SOURCE || a == SLA_ACT_RATE_LIMIT ||
	       a == SLA_ACT_INSPECT || a == SLA_ACT_LIMIT_DESTINATION;
}

/* Actions that shut a source out: what a forged source could turn on an
 * innocent address. */
static bool shuts_out_source(enum sla_action a)
{
	return a == SLA_ACT_BLOCK_SOURCE || a == SLA_ACT_RATE_LIMIT;
}

enum sla_evidence sla_countermeasure_evidence(const struct sla *sla,
					      const struct sla_countermeasure *cm)
{
	if (cm && cm->evidence != SLA_EVIDENCE_DEFAULT)
		return cm->evidence;
	return sla->defaults.evidence != SLA_EVIDENCE_DEFAULT ?
	       sla->defaults.evidence : SLA_EVIDENCE_HANDSHAKE;
}

/* Comma-separated ids of the SLOs, or of the deny rules, for messages. */
static void id_list(const struct sla *sla, bool slos, char *buf, size_t len)
{
	size_t used = 0, n = slos ? sla->n_slos : sla->n_rules;

	snprintf(buf, len, "there are none");
	for (size_t i = 0; i < n && used < len; i++) {
		const char *id = slos ? sla->slos[i].id : sla->rules[i].id;
		int w;

		if (!slos && !sla->rules[i].deny)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     id);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int read_when_slo(struct sla_ctx *c, yaml_node_t *n,
			 struct sla_countermeasure *cm)
{
	const char *id = sla_scalar(n);
	char ids[256], expected[320];

	cm->when = SLA_WHEN_SLO;
	cm->slo = id ? sla_find_slo(c->sla, id) : NULL;
	if (cm->slo)
		return 0;
	id_list(c->sla, true, ids, sizeof(ids));
	snprintf(expected, sizeof(expected),
		 "an SLO id defined under 'slos' (%s)", ids);
	return sla_fail_node(c, n, expected);
}

/* Allow rules never raise an alert, so nothing could ever trigger. */
static int read_when_rule(struct sla_ctx *c, yaml_node_t *n,
			  struct sla_countermeasure *cm)
{
	const char *id = sla_scalar(n);
	char ids[256], expected[320];

	cm->when = SLA_WHEN_RULE;
	cm->rule = id ? sla_find_rule(c->sla, id) : NULL;
	if (cm->rule && cm->rule->deny)
		return 0;
	id_list(c->sla, false, ids, sizeof(ids));
	snprintf(expected, sizeof(expected),
		 "the id of a deny rule under 'rules' (%s)", ids);
	return sla_fail_node(c, n, expected);
}

static int read_when_body(struct sla_ctx *c, yaml_node_t *when,
			  struct sla_countermeasure *cm)
{
	const yaml_node_pair_t *pairs = when->data.mapping.pairs.start;
	size_t n = (size_t)(when->data.mapping.pairs.top - pairs);
	yaml_node_t *key, *value;
	const char *name;
	int sev = 0, ret;

	if (n == 0)
		return sla_fail(c, when, "exactly one of severity, slo, rule",
				"none");
	if (n > 1)
		return sla_fail(c, yaml_document_get_node(c->doc, pairs[1].key),
				"exactly one of severity, slo, rule",
				"%zu conditions", n);
	key = yaml_document_get_node(c->doc, pairs[0].key);
	value = yaml_document_get_node(c->doc, pairs[0].value);
	name = sla_scalar(key);
	sla_path_key(c, name);
	if (!strcmp(name, "slo"))
		return read_when_slo(c, value, cm);
	if (!strcmp(name, "rule"))
		return read_when_rule(c, value, cm);
	cm->when = SLA_WHEN_SEVERITY;
	ret = sla_parse_as(c, value, &sla_t_severity, &sev);
	cm->severity = (enum sla_severity)sev;
	return ret;
}

static int read_when(struct sla_ctx *c, yaml_node_t *map,
		     struct sla_countermeasure *cm)
{
	yaml_node_t *when;
	size_t saved;
	int ret = sla_get(c, map, "when", true, &when_type, &when);

	if (ret < 0)
		return ret;
	saved = sla_path_key(c, "when");
	ret = sla_check_map(c, when, when_type.expected, when_keys);
	if (!ret)
		ret = read_when_body(c, when, cm);
	if (!ret)
		sla_path_restore(c, saved);
	return ret;
}

static int read_duration(struct sla_ctx *c, yaml_node_t *map,
			 struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "for");
	char expected[160];
	int ret;

	cm->duration_ms = SLA_DEFAULT_ACTION_MS;
	if (n && !acts_on_firewall(cm->action) &&
	    !sla_action_on_cgroup(cm->action)) {
		sla_path_key(c, "for");
		snprintf(expected, sizeof(expected), "no 'for' with do: %s "
			 "(only block-source, rate-limit, inspect, "
			 "limit-destination, throttle-cpu, freeze, "
			 "limit-memory and isolate-network last)",
			 sla_action_name(cm->action));
		return sla_fail_node(c, n, expected);
	}
	ret = sla_get(c, map, "for", false, &sla_t_duration, &cm->duration_ms);
	if (ret < 0)
		return ret;
	if (ret > 0 && cm->duration_ms == 0) {
		sla_path_key(c, "for");
		return sla_fail_node(c, n, "a duration greater than 0 (every "
				     "firewall or cgroup change must expire)");
	}
	if (ret > 0 && cm->duration_ms > SLA_MAX_ACTION_MS) {
		sla_path_key(c, "for");
		return sla_fail_node(c, n, "a duration of at most 30d (the "
				     "longest timeout of an nftables element here)");
	}
	return 0;
}

static int read_rate(struct sla_ctx *c, yaml_node_t *map,
		     struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "rate");
	const char *v = sla_scalar(n);
	bool wanted = cm->action == SLA_ACT_RATE_LIMIT ||
		      cm->action == SLA_ACT_LIMIT_DESTINATION;
	char expected[96];
	size_t saved;

	if (!n && !wanted)
		return 0;
	saved = sla_path_key(c, "rate");
	if (!wanted)
		return sla_fail(c, n, "a rate only with do: rate-limit or "
				"limit-destination", "a rate");
	snprintf(expected, sizeof(expected), "a rate like \"100/second\" "
		 "(do: %s needs one)", sla_action_name(cm->action));
	if (!n)
		return sla_fail(c, map, expected, "nothing");
	if (!v || sla_parse_rate(v, &cm->rate))
		return sla_fail_node(c, n, "a rate like \"100/second\", "
				     "\"6000/minute\" or \"10000/hour\"");
	sla_path_restore(c, saved);
	return 0;
}

/* cpu: "20%" of one CPU, for throttle-cpu only; 1% to 10000% (100 CPUs). */
static int read_cpu(struct sla_ctx *c, yaml_node_t *map,
		    struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "cpu");
	const char *v = sla_scalar(n);
	bool wanted = cm->action == SLA_ACT_THROTTLE_CPU;
	unsigned long pct;
	char *end;
	size_t saved;

	if (!n && !wanted)
		return 0;
	saved = sla_path_key(c, "cpu");
	if (!wanted)
		return sla_fail(c, n, "cpu only with do: throttle-cpu",
				"cpu with do: %s", sla_action_name(cm->action));
	if (!n)
		return sla_fail(c, map, "a cpu share like \"20%\" (do: "
				"throttle-cpu needs one)", "nothing");
	errno = 0;
	pct = v && *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
	if (!pct || errno || strcmp(end, "%") || pct > 10000)
		return sla_fail_node(c, n, "a share of one CPU from \"1%\" "
				     "to \"10000%\", like \"20%\"");
	cm->cpu_percent = (unsigned int)pct;
	sla_path_restore(c, saved);
	return 0;
}

/* memory: bytes ("256M", "1G"), for limit-memory only; at least 1M. */
static int read_memory(struct sla_ctx *c, yaml_node_t *map,
		       struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "memory");
	const char *v = sla_scalar(n);
	bool wanted = cm->action == SLA_ACT_LIMIT_MEMORY;
	double bytes;
	size_t saved;

	if (!n && !wanted)
		return 0;
	saved = sla_path_key(c, "memory");
	if (!wanted)
		return sla_fail(c, n, "memory only with do: limit-memory",
				"memory with do: %s", sla_action_name(cm->action));
	if (!n)
		return sla_fail(c, map, "a memory size like \"256M\" (do: "
				"limit-memory needs one)", "nothing");
	if (!v || sla_parse_number(v, &bytes) || bytes < 1e6 || bytes > 1e15)
		return sla_fail_node(c, n, "a memory size from \"1M\" to "
				     "\"1000000G\", like \"256M\"");
	cm->memory_bytes = (uint64_t)bytes;
	sla_path_restore(c, saved);
	return 0;
}

/* signal: for kill only, by name; SIGKILL when not given. */
static int read_signal(struct sla_ctx *c, yaml_node_t *map,
		       struct sla_countermeasure *cm)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "KILL", SIGKILL }, { "TERM", SIGTERM }, { "INT", SIGINT },
		{ "HUP", SIGHUP }, { "QUIT", SIGQUIT }, { "STOP", SIGSTOP },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	};
	yaml_node_t *n = sla_find(c, map, "signal");
	const char *v = sla_scalar(n);
	size_t saved;

	cm->signal = SIGKILL;
	if (!n)
		return 0;
	saved = sla_path_key(c, "signal");
	if (cm->action != SLA_ACT_KILL)
		return sla_fail(c, n, "signal only with do: kill",
				"signal with do: %s", sla_action_name(cm->action));
	if (v && !strncmp(v, "SIG", 3))
		v += 3;
	for (size_t i = 0; v && i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (!strcmp(v, sigs[i].name)) {
			cm->signal = sigs[i].sig;
			sla_path_restore(c, saved);
			return 0;
		}
	}
	return sla_fail_node(c, n, "a signal name: KILL, TERM, INT, HUP, "
			     "QUIT, STOP, USR1 or USR2 (SIG prefix allowed)");
}

/* evidence: handshake | any, for actions that shut a source out. */
static int read_evidence(struct sla_ctx *c, yaml_node_t *map,
			 struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "evidence");
	int ev = 0, ret;

	cm->evidence = SLA_EVIDENCE_DEFAULT;
	if (!n)
		return 0;
	if (!shuts_out_source(cm->action)) {
		sla_path_key(c, "evidence");
		return sla_fail(c, n, "evidence only with do: block-source or "
				"rate-limit (the actions that shut a source out)",
				"evidence with do: %s", sla_action_name(cm->action));
	}
	ret = sla_get(c, map, "evidence", false, &sla_t_evidence, &ev);
	if (ret < 0)
		return ret;
	cm->evidence = (enum sla_evidence)ev;
	return 0;
}

/* scope: fleet shares a firewall decision with every node of the fleet. */
static int read_scope(struct sla_ctx *c, yaml_node_t *map,
		      struct sla_countermeasure *cm)
{
	yaml_node_t *n = sla_find(c, map, "scope");
	const char *v = sla_scalar(n);
	size_t saved;

	if (!n)
		return 0;
	saved = sla_path_key(c, "scope");
	if (!v || (strcmp(v, "local") && strcmp(v, "fleet")))
		return sla_fail_node(c, n, "one of local, fleet");
	cm->fleet = !strcmp(v, "fleet");
	if (cm->fleet && !acts_on_firewall(cm->action))
		return sla_fail_node(c, n, "scope: fleet only with block-source, "
				     "rate-limit or inspect (decisions the fleet applies)");
	if (cm->fleet && !c->sla->fleet)
		return sla_fail_node(c, n, "scope: fleet only with a 'fleet' "
				     "section naming the NATS servers");
	sla_path_restore(c, saved);
	return 0;
}

static int read_cm(struct sla_ctx *c, yaml_node_t *map,
		   struct sla_countermeasure *cm)
{
	int act = 0;
	int ret = sla_check_map(c, map, "a countermeasure mapping with when, "
				"do, for, rate, hook, evidence, scope, cpu, "
				"memory, signal", cm_keys);

	cm->line = sla_line(map);
	if (!ret)
		ret = read_when(c, map, cm);
	if (!ret)
		ret = sla_get(c, map, "do", true, &sla_t_action, &act);
	cm->action = (enum sla_action)act;
	if (ret >= 0)
		ret = read_duration(c, map, cm);
	if (!ret)
		ret = read_rate(c, map, cm);
	if (!ret)
		ret = read_cpu(c, map, cm);
	if (!ret)
		ret = read_memory(c, map, cm);
	if (!ret)
		ret = read_signal(c, map, cm);
	if (!ret)
		ret = read_evidence(c, map, cm);
	if (!ret)
		ret = sla_read_hook(c, map, cm->action == SLA_ACT_RUN_HOOK,
				    &cm->hook);
	if (!ret)
		ret = read_scope(c, map, cm);
	return ret;
}

int sla_parse_countermeasures(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *list = sla_find(c, root, "countermeasures");
	struct sla *sla = c->sla;
	struct sla_seq s;
	int ret;

	if (!list || sla_is_null(list))
		return 0;
	ret = sla_open_seq(c, root, "countermeasures", false, false,
			   "a list of countermeasures", &s);
	if (ret <= 0)
		return ret;
	sla->countermeasures = calloc(s.n ? s.n : 1,
				      sizeof(*sla->countermeasures));
	if (!sla->countermeasures)
		return -ENOMEM;
	sla->n_countermeasures = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = read_cm(c, sla_seq_item(c, &s, i),
			      &sla->countermeasures[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}
