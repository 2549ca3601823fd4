// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the "rules" section: permission rules. A network rule says who
 * may (allow) or must not (deny) reach a component's ports; a data rule says
 * which user or role must not read which resources. Which kind a rule is
 * follows from its keys, so each kind can reject the other's keys as typos.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

static const char *const rule_keys[] = {
	"id", "deny", "allow", "sequence", "same", "within", "severity",
	"description", NULL
};

static const char *const net_keys[] = {
	"from", "to", "port", "proto", "payload", NULL
};

static const char *const data_keys[] = {
	"user", "role", "read", "write", "delete", "login-failure",
	"privilege-change", "login-success", "component", NULL
};

#define DATA_ACTIONS "read, write, delete, login-failure, privilege-change, " \
	"login-success"

static const struct sla_type to_type = {
	"a component defined under 'components'", sla_read_node, NULL
};

static const struct sla_type resource_type = {
	"a resource pattern (fnmatch glob)", sla_read_string, NULL
};

/* Stored lower-case: matching is ASCII case-insensitive (sla_match.c). */
static int read_payload(struct sla_ctx *c, yaml_node_t *n,
			const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);
	char *copy;

	if (!v || !v[0] || strlen(v) > SLA_PAYLOAD_MAX)
		return sla_fail_node(c, n, t->expected);
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	for (char *p = copy; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*(char **)out = copy;
	return 0;
}

static const struct sla_type payload_type = {
	"a text of 1 to 256 bytes the payload must not contain", read_payload,
	NULL
};

/* A payload pattern narrows a deny rule to TCP/UDP packets carrying it. */
static int read_rule_payload(struct sla_ctx *c, yaml_node_t *body,
			     struct sla_rule *rule)
{
	yaml_node_t *n = sla_find(c, body, "payload");
	int ret;

	if (!n)
		return 0;
	if (!rule->deny) {
		sla_path_key(c, "payload");
		return sla_fail_node(c, n, "no payload on an allow rule (a "
				     "payload pattern says what must not be sent)");
	}
	if (rule->proto == SLA_PROTO_ICMP) {
		sla_path_key(c, "payload");
		return sla_fail_node(c, n, "no payload with proto icmp "
				     "(only TCP and UDP payloads are inspected)");
	}
	ret = sla_get(c, body, "payload", false, &payload_type, &rule->payload);
	return ret < 0 ? ret : 0;
}

static bool has_family(const struct sla_component *comp, int family)
{
	for (size_t i = 0; i < comp->n_addresses; i++)
		if (comp->addresses[i].family == family)
			return true;
	return false;
}

/* A source of one family can never reach addresses of only the other. */
static bool families_meet(const struct sla_component *to,
			  const struct sla_peer *peer)
{
	const struct sla_component *from = peer->component;

	if (!to->n_addresses || peer->kind == SLA_PEER_ANY)
		return true;
	if (peer->kind == SLA_PEER_PREFIX)
		return has_family(to, peer->prefix.family);
	return (has_family(from, AF_INET) && has_family(to, AF_INET)) ||
	       (has_family(from, AF_INET6) && has_family(to, AF_INET6));
}

static int read_peer(struct sla_ctx *c, yaml_node_t *n, struct sla_peer *peer)
{
	const char *v = sla_scalar(n);
	char names[256], expected[320];

	if (v && !strcmp(v, "any")) {
		peer->kind = SLA_PEER_ANY;
		return 0;
	}
	if (v && sla_parse_prefix(v, &peer->prefix) != -EINVAL) {
		/* It looks like an address: report what is wrong with it. */
		peer->kind = SLA_PEER_PREFIX;
		return sla_parse_as(c, n, &sla_t_prefix, &peer->prefix);
	}
	peer->kind = SLA_PEER_COMPONENT;
	peer->component = v ? sla_find_component(c->sla, v) : NULL;
	/* Packets carry addresses, not process names. */
	if (peer->component && !peer->component->n_addresses)
		return sla_fail_node(c, n, "a component with addresses (a "
				     "source is matched by its address)");
	if (peer->component)
		return 0;
	sla_component_names(c->sla, names, sizeof(names));
	snprintf(expected, sizeof(expected),
		 "'any', an address or prefix, or a component (%s)", names);
	return sla_fail_node(c, n, expected);
}

static int read_from(struct sla_ctx *c, yaml_node_t *body,
		     struct sla_rule *rule)
{
	struct sla_seq s;
	int ret = sla_open_seq(c, body, "from", false, true,
			       "a list of sources", &s);

	if (ret < 0)
		return ret;
	rule->n_from = ret ? s.n : 1;
	rule->from = calloc(rule->n_from ? rule->n_from : 1,
			    sizeof(*rule->from));
	if (!rule->from)
		return -ENOMEM;
	if (ret == 0)
		return 0;		/* absent: from any */
	if (s.n == 0)
		return sla_fail_node(c, s.node, "at least one source");
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);

		ret = read_peer(c, item, &rule->from[i]);
		if (ret)
			return ret;
		if (rule->from[i].kind == SLA_PEER_ANY && s.n > 1)
			return sla_fail_node(c, item, "'any' alone, as it "
					     "covers every other source");
		if (!families_meet(rule->to, &rule->from[i]))
			return sla_fail_node(c, item, "a source of an address "
					     "family the 'to' component has");
	}
	sla_close_seq(c, &s);
	return 0;
}

static int read_rule_ports(struct sla_ctx *c, yaml_node_t *body,
			   struct sla_rule *rule)
{
	struct sla_seq s;
	int ret = sla_open_seq(c, body, "port", false, true,
			       "a port, a \"N-M\" range or a list of them", &s);

	if (ret <= 0)
		return ret;
	if (s.n == 0)
		return sla_fail_node(c, s.node, "at least one port");
	if (rule->proto == SLA_PROTO_ICMP)
		return sla_fail_node(c, s.node, "no port with proto icmp "
				     "(ICMP has no ports)");
	rule->ports = calloc(s.n, sizeof(*rule->ports));
	if (!rule->ports)
		return -ENOMEM;
	rule->n_ports = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = sla_parse_as(c, sla_seq_item(c, &s, i), &sla_t_port,
				   &rule->ports[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}

static int read_net_body(struct sla_ctx *c, yaml_node_t *body,
			 struct sla_rule *rule)
{
	yaml_node_t *to;
	int proto = SLA_PROTO_ANY;
	int ret = sla_check_map(c, body, "a mapping with from, to, port, "
				"proto, payload", net_keys);

	rule->kind = SLA_RULE_NET;
	if (!ret)
		ret = sla_get(c, body, "to", true, &to_type, &to);
	if (ret > 0) {
		size_t saved = sla_path_key(c, "to");

		ret = sla_need_component(c, to, &rule->to);
		if (ret)
			return ret;
		sla_path_restore(c, saved);
		ret = sla_get(c, body, "proto", false, &sla_t_proto, &proto);
	}
	rule->proto = (enum sla_proto)proto;
	if (ret >= 0)
		ret = read_rule_ports(c, body, rule);
	if (!ret)
		ret = read_from(c, body, rule);
	if (!ret)
		ret = read_rule_payload(c, body, rule);
	return ret;
}

static int read_subject(struct sla_ctx *c, yaml_node_t *body,
			struct sla_rule *rule)
{
	yaml_node_t *user = sla_find(c, body, "user");
	yaml_node_t *role = sla_find(c, body, "role");

	if (user && role) {
		sla_path_key(c, "role");
		return sla_fail(c, role, "either user or role", "both");
	}
	if (!user && !role) {
		sla_path_key(c, "user");
		return sla_fail(c, body, "a user or a role the rule is about",
				"nothing");
	}
	rule->subject_kind = user ? SLA_SUBJECT_USER : SLA_SUBJECT_ROLE;
	return sla_get(c, body, user ? "user" : "role", true, &sla_t_string,
		       &rule->subject);
}

/*
 * The action key (read, write, ...) whose value is the resource pattern:
 * exactly one. A missing one is reported as a missing "read", the action
 * most rules are about.
 */
static int read_data_action(struct sla_ctx *c, yaml_node_t *body,
			    struct sla_rule *rule)
{
	const char *key = NULL;
	int ret;

	for (int a = 0; a < SLA_DATA_ACTION_COUNT; a++) {
		const char *name = sla_data_action_name((enum sla_data_action)a);
		yaml_node_t *n = sla_find(c, body, name);

		if (!n)
			continue;
		if (key) {
			sla_path_key(c, name);
			return sla_fail(c, n, "one action of " DATA_ACTIONS,
					"'%s' and '%s'", key, name);
		}
		key = name;
		rule->action = (enum sla_data_action)a;
	}
	if (!key) {
		rule->action = SLA_DATA_READ;
		key = "read";
	}
	ret = sla_get(c, body, key, true, &resource_type, &rule->resource);
	if (ret > 0 && !rule->resource[0]) {
		sla_path_key(c, key);
		return sla_fail_node(c, sla_find(c, body, key),
				     resource_type.expected);
	}
	return ret < 0 ? ret : 0;
}

static int read_data_body(struct sla_ctx *c, yaml_node_t *body,
			  struct sla_rule *rule)
{
	yaml_node_t *comp = NULL;
	int ret = sla_check_map(c, body, "a mapping with user or role, "
				DATA_ACTIONS ", component", data_keys);

	rule->kind = SLA_RULE_DATA;
	if (!ret)
		ret = read_subject(c, body, rule);
	if (ret >= 0)
		ret = read_data_action(c, body, rule);
	if (ret >= 0)
		ret = sla_get(c, body, "component", false, &sla_t_node, &comp);
	if (ret > 0) {
		size_t saved = sla_path_key(c, "component");

		ret = sla_need_component(c, comp, &rule->component);
		if (ret)
			return ret;
		sla_path_restore(c, saved);
	}
	return ret < 0 ? ret : 0;
}

/* Data-access keys make a data rule; anything else is a network rule. */
static bool is_data_body(struct sla_ctx *c, yaml_node_t *body)
{
	if (body->type != YAML_MAPPING_NODE)
		return false;
	if (sla_find(c, body, "user") || sla_find(c, body, "role"))
		return true;
	for (int a = 0; a < SLA_DATA_ACTION_COUNT; a++)
		if (sla_find(c, body, sla_data_action_name((enum sla_data_action)a)))
			return true;
	return false;
}

static int read_effect(struct sla_ctx *c, yaml_node_t *map,
		       struct sla_rule *rule)
{
	yaml_node_t *deny = sla_find(c, map, "deny");
	yaml_node_t *allow = sla_find(c, map, "allow");
	yaml_node_t *seq = sla_find(c, map, "sequence");
	yaml_node_t *body = deny ? deny : allow;
	size_t saved;
	int ret;

	if (seq && body) {
		sla_path_key(c, "sequence");
		return sla_fail(c, seq, "a sequence or a deny or an allow "
				"mapping", "a sequence and '%s'",
				deny ? "deny" : "allow");
	}
	if (seq)
		return sla_read_sequence(c, map, rule);
	for (size_t i = 0; i < 2; i++) {
		static const char *const seq_only[] = { "same", "within" };
		yaml_node_t *n = sla_find(c, map, seq_only[i]);

		if (n) {
			sla_path_key(c, seq_only[i]);
			return sla_fail_node(c, n, "no 'same' or 'within' "
					     "without a sequence");
		}
	}
	if (deny && allow) {
		sla_path_key(c, "allow");
		return sla_fail(c, allow, "either deny or allow", "both");
	}
	if (!body) {
		sla_path_key(c, "deny");
		return sla_fail(c, map, "a deny or an allow mapping, or a "
				"sequence", "nothing");
	}
	rule->deny = deny != NULL;
	saved = sla_path_key(c, deny ? "deny" : "allow");
	if (is_data_body(c, body))
		ret = read_data_body(c, body, rule);
	else
		ret = read_net_body(c, body, rule);
	if (!ret)
		sla_path_restore(c, saved);
	return ret;
}

/* Deny rules raise alerts, so they need a severity; allow rules do not. */
static int read_rule_severity(struct sla_ctx *c, yaml_node_t *map,
			      struct sla_rule *rule)
{
	yaml_node_t *n = sla_find(c, map, "severity");
	int sev = 0, ret;

	if (!rule->deny && n) {
		sla_path_key(c, "severity");
		return sla_fail_node(c, n, "no severity on an allow rule "
				     "(allow rules raise no alerts)");
	}
	if (!rule->deny)
		return 0;
	ret = sla_get(c, map, "severity", true, &sla_t_severity, &sev);
	rule->severity = (enum sla_severity)sev;
	return ret < 0 ? ret : 0;
}

int sla_read_id(struct sla_ctx *c, yaml_node_t *map, char **id)
{
	char *v = NULL;
	size_t saved;
	int ret = sla_get(c, map, "id", true, &sla_t_name, &v);

	if (ret < 0)
		return ret;
	saved = sla_path_key(c, "id");
	ret = sla_need_unique_id(c, sla_find(c, map, "id"), v);
	if (ret) {
		free(v);
		return ret;
	}
	sla_path_restore(c, saved);
	*id = v;
	return 0;
}

static int read_rule(struct sla_ctx *c, yaml_node_t *map,
		     struct sla_rule *rule)
{
	int ret = sla_check_map(c, map, "a rule mapping with id, deny or "
				"allow or sequence (with same, within), "
				"severity, description", rule_keys);

	rule->line = sla_line(map);
	if (!ret)
		ret = sla_read_id(c, map, &rule->id);
	if (!ret)
		ret = read_effect(c, map, rule);
	if (!ret)
		ret = read_rule_severity(c, map, rule);
	if (!ret)
		ret = sla_get(c, map, "description", false, &sla_t_string,
			      &rule->description);
	return ret < 0 ? ret : 0;
}

int sla_parse_rules(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *list = sla_find(c, root, "rules");
	struct sla *sla = c->sla;
	struct sla_seq s;
	int ret;

	if (!list || sla_is_null(list))
		return 0;
	ret = sla_open_seq(c, root, "rules", false, false, "a list of rules",
			   &s);
	if (ret <= 0)
		return ret;
	sla->rules = calloc(s.n ? s.n : 1, sizeof(*sla->rules));
	if (!sla->rules)
		return -ENOMEM;
	sla->n_rules = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = read_rule(c, sla_seq_item(c, &s, i), &sla->rules[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return sla_check_sequences(c, s.node);
}
