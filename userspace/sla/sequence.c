// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - sequence rules of the "rules" section: events of one source,
 * user or process in a given order within a time ("a port scan, then a
 * connection to the database from the same source within 60s"). A step
 * says which events it is made of with the keys the other rules use: an
 * action key as in data rules, to/port/proto as in network rules, or an
 * event name for detector and process events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const seq_event_names[] = {
	[SLA_SEQ_NET_PORTSCAN] = "net.portscan",
	[SLA_SEQ_NET_SLOW_PORTSCAN] = "net.slow_portscan",
	[SLA_SEQ_NET_SYN_FLOOD] = "net.syn_flood",
	[SLA_SEQ_NET_CONN_RATE] = "net.conn_rate",
	[SLA_SEQ_NET_BANDWIDTH] = "net.bandwidth",
	[SLA_SEQ_NET_ICMP_FLOOD] = "net.icmp_flood",
	[SLA_SEQ_NET_WATCH_HIT] = "net.watch_hit",
	[SLA_SEQ_PROC_EXEC] = "proc.exec",
	[SLA_SEQ_PROC_EXIT] = "proc.exit",
	[SLA_SEQ_PROC_SAMPLE] = "proc.sample",
};

static const char *const seq_key_names[] = {
	[SLA_SAME_SOURCE] = "source",
	[SLA_SAME_USER] = "user",
	[SLA_SAME_PROCESS] = "process",
};

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static const struct sla_names seq_events = {
	seq_event_names, COUNT(seq_event_names)
};
static const struct sla_names seq_keys = { seq_key_names, COUNT(seq_key_names) };

const char *sla_seq_event_name(enum sla_seq_event e)
{
	if (e == SLA_SEQ_APP)
		return "app";
	return (size_t)e < COUNT(seq_event_names) && seq_event_names[e] ?
	       seq_event_names[e] : "?";
}

const char *sla_seq_key_name(enum sla_seq_key k)
{
	return (size_t)k < COUNT(seq_key_names) ? seq_key_names[k] : "?";
}

bool sla_seq_event_is_proc(enum sla_seq_event e)
{
	return e == SLA_SEQ_PROC_EXEC || e == SLA_SEQ_PROC_EXIT ||
	       e == SLA_SEQ_PROC_SAMPLE;
}

bool sla_seq_event_is_net(enum sla_seq_event e)
{
	return e <= SLA_SEQ_NET_WATCH_HIT;
}

static const struct sla_type event_type = { NULL, sla_read_choice, &seq_events };
static const struct sla_type same_type = { NULL, sla_read_choice, &seq_keys };

static const struct sla_type to_type = {
	"a component defined under 'components'", sla_read_node, NULL
};

static const struct sla_type resource_type = {
	"a resource pattern (fnmatch glob)", sla_read_string, NULL
};

static const char *const step_keys[] = {
	"event", "count", "to", "port", "proto", "user", "role", "read",
	"write", "delete", "login-failure", "login-success",
	"privilege-change", "component", "process", NULL
};

#define STEP_EXPECTED "a step mapping with event, count, to, port, proto, " \
	"user, role, an action (read, write, delete, login-failure, " \
	"login-success, privilege-change), component, process"

/* The keys each kind of step takes besides event and count. */
static const char *const net_step_keys[] = { "to", "port", "proto", NULL };
static const char *const app_step_keys[] = {
	"user", "role", "read", "write", "delete", "login-failure",
	"login-success", "privilege-change", "component", NULL
};
static const char *const proc_step_keys[] = { "component", "process", NULL };

static bool in_list(const char *const *keys, const char *k)
{
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(keys[i], k))
			return true;
	return false;
}

/* Every key of STEP must fit its kind: a port on a scan means nothing. */
static int check_step_keys(struct sla_ctx *c, yaml_node_t *step,
			   const struct sla_seq_step *st)
{
	const yaml_node_pair_t *p = step->data.mapping.pairs.start;
	const char *const *ok = NULL;
	char expected[160];
	const char *what;

	if (st->event == SLA_SEQ_NET_WATCH_HIT) {
		ok = net_step_keys;
		what = "to, port, proto";
	} else if (st->event == SLA_SEQ_APP) {
		ok = app_step_keys;
		what = "user or role, one action, component";
	} else if (sla_seq_event_is_proc(st->event)) {
		ok = proc_step_keys;
		what = "component, process";
	} else {
		what = "nothing but event and count";
	}
	for (; p < step->data.mapping.pairs.top; p++) {
		const char *k = sla_scalar(yaml_document_get_node(c->doc, p->key));

		if (!k || !strcmp(k, "event") || !strcmp(k, "count") ||
		    (ok && in_list(ok, k)))
			continue;
		sla_path_key(c, k);
		snprintf(expected, sizeof(expected),
			 "no '%s' on a %s step (it takes %s)", k,
			 sla_seq_event_name(st->event), what);
		return sla_fail_node(c, yaml_document_get_node(c->doc, p->value),
				     expected);
	}
	return 0;
}

/* The action key of an application step, if any: exactly one. */
static int find_action(struct sla_ctx *c, yaml_node_t *step,
		       struct sla_seq_step *st, const char **key)
{
	*key = NULL;
	for (int a = 0; a < SLA_DATA_ACTION_COUNT; a++) {
		const char *name = sla_data_action_name((enum sla_data_action)a);
		yaml_node_t *n = sla_find(c, step, name);

		if (!n)
			continue;
		if (*key) {
			sla_path_key(c, name);
			return sla_fail(c, n, "one action of read, write, delete, "
					"login-failure, login-success, "
					"privilege-change", "'%s' and '%s'",
					*key, name);
		}
		*key = name;
		st->action = (enum sla_data_action)a;
	}
	return 0;
}

/* Which events the step is about: its event, an action key, or a 'to'. */
static int read_step_event(struct sla_ctx *c, yaml_node_t *step,
			   struct sla_seq_step *st, const char **action)
{
	int ev = 0;
	int ret = find_action(c, step, st, action);

	if (ret)
		return ret;
	ret = sla_get(c, step, "event", false, &event_type, &ev);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		st->event = (enum sla_seq_event)ev;
		return 0;
	}
	if (*action) {
		st->event = SLA_SEQ_APP;
		return 0;
	}
	if (sla_find(c, step, "to") || sla_find(c, step, "port") ||
	    sla_find(c, step, "proto")) {
		st->event = SLA_SEQ_NET_WATCH_HIT;
		return 0;
	}
	sla_path_key(c, "event");
	return sla_fail(c, step, "an event (net.portscan, net.watch_hit, "
			"proc.exec, ...), an action (read, login-failure, ...) "
			"or a destination ('to')", "nothing");
}

static int read_step_ports(struct sla_ctx *c, yaml_node_t *step,
			   struct sla_seq_step *st)
{
	struct sla_seq s;
	int ret = sla_open_seq(c, step, "port", false, true,
			       "a port, a \"N-M\" range or a list of them", &s);

	if (ret <= 0)
		return ret;
	if (s.n == 0)
		return sla_fail_node(c, s.node, "at least one port");
	if (st->proto == SLA_PROTO_ICMP)
		return sla_fail_node(c, s.node, "no port with proto icmp "
				     "(ICMP has no ports)");
	st->ports = calloc(s.n, sizeof(*st->ports));
	if (!st->ports)
		return -ENOMEM;
	st->n_ports = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = sla_parse_as(c, sla_seq_item(c, &s, i), &sla_t_port,
				   &st->ports[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}

static int read_component(struct sla_ctx *c, yaml_node_t *step,
			  const char *key, const struct sla_component **out)
{
	yaml_node_t *n = NULL;
	size_t saved;
	int ret = sla_get(c, step, key, false, &to_type, &n);

	if (ret <= 0)
		return ret;
	saved = sla_path_key(c, key);
	ret = sla_need_component(c, n, out);
	if (ret)
		return ret;
	sla_path_restore(c, saved);
	return 0;
}

static int read_hit_step(struct sla_ctx *c, yaml_node_t *step,
			 struct sla_seq_step *st)
{
	int proto = SLA_PROTO_ANY;
	int ret = read_component(c, step, "to", &st->to);

	if (!ret)
		ret = sla_get(c, step, "proto", false, &sla_t_proto, &proto);
	st->proto = (enum sla_proto)proto;
	if (ret >= 0)
		ret = read_step_ports(c, step, st);
	return ret;
}

static int read_app_step(struct sla_ctx *c, yaml_node_t *step,
			 struct sla_seq_step *st, const char *action)
{
	yaml_node_t *user = sla_find(c, step, "user");
	yaml_node_t *role = sla_find(c, step, "role");
	int ret;

	if (!action) {
		sla_path_key(c, "read");
		return sla_fail(c, step, "one action of read, write, delete, "
				"login-failure, login-success, privilege-change",
				"nothing");
	}
	if (user && role) {
		sla_path_key(c, "role");
		return sla_fail(c, role, "either user or role", "both");
	}
	if (user || role) {
		st->has_subject = true;
		st->subject_kind = user ? SLA_SUBJECT_USER : SLA_SUBJECT_ROLE;
		ret = sla_get(c, step, user ? "user" : "role", true,
			      &sla_t_string, &st->subject);
		if (ret < 0)
			return ret;
	}
	ret = sla_get(c, step, action, true, &resource_type, &st->resource);
	if (ret > 0 && !st->resource[0]) {
		sla_path_key(c, action);
		return sla_fail_node(c, sla_find(c, step, action),
				     resource_type.expected);
	}
	if (ret < 0)
		return ret;
	return read_component(c, step, "component", &st->component);
}

/* The kernel matches the command name, which it cuts at 15 bytes. */
static bool valid_process(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n <= SLA_PROCESS_NAME_MAX && !strchr(v, '/');
}

static int read_proc_step(struct sla_ctx *c, yaml_node_t *step,
			  struct sla_seq_step *st)
{
	struct sla_seq s;
	int ret = read_component(c, step, "component", &st->component);

	if (ret)
		return ret;
	if (st->component && !st->component->n_processes &&
	    !st->component->n_cgroups) {
		sla_path_key(c, "component");
		return sla_fail_node(c, sla_find(c, step, "component"),
				     "a component with processes or cgroups "
				     "(process events come from its task watches)");
	}
	ret = sla_open_seq(c, step, "process", false, true,
			   "a list of process names", &s);
	if (ret <= 0)
		return ret;
	if (s.n == 0)
		return sla_fail_node(c, s.node, "at least one process name");
	st->processes = calloc(s.n, sizeof(*st->processes));
	if (!st->processes)
		return -ENOMEM;
	st->n_processes = s.n;
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		const char *v = sla_scalar(item);

		if (!v || !valid_process(v))
			return sla_fail_node(c, item, "a process name of at "
					     "most 15 characters without '/'");
		st->processes[i] = strdup(v);
		if (!st->processes[i])
			return -ENOMEM;
	}
	sla_close_seq(c, &s);
	return 0;
}

/* Whether events of the step carry the rule's key. */
static const char *key_misfit(enum sla_seq_key same, enum sla_seq_event e)
{
	switch (same) {
	case SLA_SAME_SOURCE:
		return sla_seq_event_is_proc(e) ? "a network or application "
			"event (same: source keys on the source address; "
			"process events have none)" : NULL;
	case SLA_SAME_USER:
		return e != SLA_SEQ_APP ? "an application event with an action "
			"(same: user keys on the user of application events)" :
			NULL;
	case SLA_SAME_PROCESS:
		return !sla_seq_event_is_proc(e) ? "a process event, proc.exec, "
			"proc.exit or proc.sample (same: process keys on the "
			"process id)" : NULL;
	}
	return NULL;
}

static int read_step(struct sla_ctx *c, yaml_node_t *step,
		     struct sla_rule *rule, struct sla_seq_step *st)
{
	const char *action = NULL, *misfit;
	uint64_t count = 1;
	int ret = sla_check_map(c, step, STEP_EXPECTED, step_keys);

	st->line = sla_line(step);
	if (!ret)
		ret = read_step_event(c, step, st, &action);
	if (!ret)
		ret = check_step_keys(c, step, st);
	if (!ret && (misfit = key_misfit(rule->same, st->event))) {
		yaml_node_t *ev = sla_find(c, step, "event");

		sla_path_key(c, ev ? "event" : action ? action : "to");
		return sla_fail(c, ev ? ev : step, misfit, "%s",
				st->event == SLA_SEQ_APP ? "an application event" :
				sla_seq_event_name(st->event));
	}
	if (!ret)
		ret = sla_get_uint(c, step, "count", 1, SLA_SEQ_COUNT_MAX, &count);
	st->count = (uint32_t)count;
	if (ret < 0)
		return ret;
	if (st->event == SLA_SEQ_NET_WATCH_HIT)
		return read_hit_step(c, step, st);
	if (st->event == SLA_SEQ_APP)
		return read_app_step(c, step, st, action);
	if (sla_seq_event_is_proc(st->event))
		return read_proc_step(c, step, st);
	return 0;
}

/* The longest "within": state is kept that long per key. */
#define WITHIN_MAX_MS	86400000ULL

int sla_read_sequence(struct sla_ctx *c, yaml_node_t *map,
		      struct sla_rule *rule)
{
	struct sla_seq s;
	int same = 0;
	int ret;

	rule->kind = SLA_RULE_SEQUENCE;
	rule->deny = true;		/* it raises alerts as deny rules do */
	ret = sla_get(c, map, "same", true, &same_type, &same);
	rule->same = (enum sla_seq_key)same;
	if (ret >= 0)
		ret = sla_get(c, map, "within", true, &sla_t_duration,
			      &rule->within_ms);
	if (ret > 0 && (!rule->within_ms || rule->within_ms > WITHIN_MAX_MS)) {
		sla_path_key(c, "within");
		return sla_fail_node(c, sla_find(c, map, "within"),
				     "a duration greater than 0 and at most 1d");
	}
	if (ret < 0)
		return ret;
	ret = sla_open_seq(c, map, "sequence", true, false,
			   "a list of steps", &s);
	if (ret < 0)
		return ret;
	if (s.n < 2 || s.n > SLA_SEQ_STEPS_MAX)
		return sla_fail(c, s.node, "a list of 2 to 4 steps (one event "
				"alone is a deny rule's or an SLO's)",
				"%zu step%s", s.n, s.n == 1 ? "" : "s");
	rule->steps = calloc(s.n, sizeof(*rule->steps));
	if (!rule->steps)
		return -ENOMEM;
	rule->n_steps = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = read_step(c, sla_seq_item(c, &s, i), rule,
				&rule->steps[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}

static bool ports_overlap(const struct sla_port_range *a, size_t na,
			  const struct sla_port_range *b, size_t nb)
{
	if (!na || !nb)
		return true;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (a[i].min <= b[j].max && b[j].min <= a[i].max)
				return true;
	return false;
}

/* A deny rule whose watch reports connections the step is about. */
static bool step_watched(const struct sla *sla, const struct sla_seq_step *st)
{
	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *r = &sla->rules[i];

		if (!r->deny || r->kind != SLA_RULE_NET || r->payload)
			continue;
		if (st->to && r->to != st->to)
			continue;
		if (st->proto != SLA_PROTO_ANY && r->proto != SLA_PROTO_ANY &&
		    st->proto != r->proto)
			continue;
		if (ports_overlap(st->ports, st->n_ports, r->ports, r->n_ports))
			return true;
	}
	return false;
}

/*
 * The module reports only connections a deny rule watches: a connection
 * step no watch covers could never happen. Checked once every rule is
 * read, as the deny rule may come after the sequence.
 */
int sla_check_sequences(struct sla_ctx *c, const yaml_node_t *list)
{
	const struct sla *sla = c->sla;

	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *r = &sla->rules[i];

		if (r->kind != SLA_RULE_SEQUENCE)
			continue;
		for (size_t j = 0; j < r->n_steps; j++) {
			const struct sla_seq_step *st = &r->steps[j];
			yaml_node_t *map, *seq, *step, *at;

			if (st->event != SLA_SEQ_NET_WATCH_HIT ||
			    step_watched(sla, st))
				continue;
			map = yaml_document_get_node(c->doc,
				list->data.sequence.items.start[i]);
			seq = sla_find(c, map, "sequence");
			step = yaml_document_get_node(c->doc,
				seq->data.sequence.items.start[j]);
			at = sla_find(c, step, "to");
			sla_path_key(c, "rules");
			sla_path_index(c, i);
			sla_path_key(c, "sequence");
			sla_path_index(c, j);
			sla_path_key(c, at ? "to" : "event");
			return sla_fail(c, at ? at : step,
					"a connection some deny rule watches "
					"(the module reports only those; add a "
					"deny rule for this destination and port)",
					"none covering it");
		}
	}
	return 0;
}
