// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the top level of an SLA file, its components, allowlist and
 * defaults. Sections are read in dependency order (components before the
 * rules and SLOs naming them, rules and SLOs before the countermeasures
 * naming those), whatever their order in the file, so every reference is
 * resolved to a pointer while its node and line are still at hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const root_keys[] = {
	"sla", "description", "components", "rules", "slos",
	"countermeasures", "allowlist", "defaults", "reporters", "fleet", NULL
};

static const char *const component_keys[] = {
	"addresses", "ports", "processes", "cgroups", NULL
};

static const char *const defaults_keys[] = {
	"holdoff", "window", "max_actions", "dry_run", "lost_events",
	"app_group", "aggregate", "evidence", "ns_forward_rate", "protected",
	"repeat", NULL
};

static const char *const aggregate_keys[] = {
	"ipv4", "ipv6", "min", NULL
};

static const char *const repeat_keys[] = {
	"multiplier", "max", "window", "remember", NULL
};

static const char *const lost_events_keys[] = {
	"severity", "do", "hook", NULL
};

static size_t pair_count(const yaml_node_t *map)
{
	return (size_t)(map->data.mapping.pairs.top -
			map->data.mapping.pairs.start);
}

/* A list of addresses or prefixes, for components and the allowlist. */
static int read_prefixes(struct sla_ctx *c, const yaml_node_t *map,
			 const char *key, struct sla_prefix **out, size_t *n)
{
	void *items = NULL;
	int ret = sla_get_list(c, map, key, "a list of IPv4 or IPv6 addresses "
			       "or prefixes", &sla_t_prefix, sizeof(**out),
			       &items, n);

	*out = items;	/* also on error: sla_free() frees it */
	return ret;
}

static int read_ports(struct sla_ctx *c, const yaml_node_t *map,
		      struct sla_component *comp)
{
	void *items = NULL;
	int ret = sla_get_list(c, map, "ports", "a list of ports or \"N-M\" "
			       "ranges", &sla_t_port, sizeof(*comp->ports),
			       &items, &comp->n_ports);

	comp->ports = items;
	return ret;
}

/* The kernel matches the command name, which it cuts at 15 bytes. */
static bool valid_process(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n <= SLA_PROCESS_NAME_MAX && !strchr(v, '/');
}

/* cgroup v2 paths relative to the mount; ".." would escape the scope. */
static bool valid_cgroup(const char *v)
{
	const char *p = v;

	if (v[0] != '/')
		return false;
	while ((p = strstr(p, "/..")) != NULL) {
		if (p[3] == '/' || p[3] == '\0')
			return false;
		p += 3;
	}
	return true;
}

/* defaults.protected: a process name or a cgroup path. */
static bool valid_protected(const char *v)
{
	return v[0] == '/' ? valid_cgroup(v) : valid_process(v);
}

/* A list of strings each checked by VALID, for processes and cgroups. */
static int read_strings(struct sla_ctx *c, const yaml_node_t *map,
			const char *key, bool (*valid)(const char *),
			const char *expected, char ***out, size_t *n)
{
	char list[128];
	struct sla_seq s;
	int ret;

	snprintf(list, sizeof(list), "a list of %s", key);
	ret = sla_open_seq(c, map, key, false, true, list, &s);
	if (ret <= 0)
		return ret;
	*out = calloc(s.n ? s.n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = s.n;
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		const char *v = sla_scalar(item);

		if (!v || !valid(v))
			return sla_fail_node(c, item, expected);
		(*out)[i] = strdup(v);
		if (!(*out)[i])
			return -ENOMEM;
	}
	sla_close_seq(c, &s);
	return 0;
}

static int read_component_body(struct sla_ctx *c, yaml_node_t *map,
			       struct sla_component *comp)
{
	int ret = sla_check_map(c, map, "a mapping with addresses, ports, "
				"processes or cgroups", component_keys);

	if (!ret)
		ret = read_prefixes(c, map, "addresses", &comp->addresses,
				    &comp->n_addresses);
	if (!ret)
		ret = read_ports(c, map, comp);
	if (!ret)
		ret = read_strings(c, map, "processes", valid_process,
				   "a process name of at most 15 characters "
				   "without '/'",
				   &comp->processes, &comp->n_processes);
	if (!ret)
		ret = read_strings(c, map, "cgroups", valid_cgroup,
				   "an absolute cgroup path without '..'",
				   &comp->cgroups, &comp->n_cgroups);
	if (ret)
		return ret;
	/* Ports alone identify nothing: they are ports of something. */
	if (!comp->n_addresses && !comp->n_processes && !comp->n_cgroups)
		return sla_fail(c, map, "at least one of addresses, processes "
				"or cgroups", "none");
	return 0;
}

static int read_component_name(struct sla_ctx *c, yaml_node_t *key,
			       struct sla_component *comp)
{
	const struct sla_component *first;
	int ret = sla_parse_as(c, key, &sla_t_name, &comp->name);

	if (ret)
		return ret;
	/* "any" in a rule's from list means every source. */
	if (!strcmp(comp->name, "any"))
		return sla_fail(c, key, "a component name other than 'any'",
				"'any'");
	first = sla_find_component(c->sla, comp->name);
	if (first != comp && first)
		return sla_fail(c, key, "each component once",
				"'%s' again (first at line %u)", comp->name,
				first->line);
	return 0;
}

static int read_component(struct sla_ctx *c, const yaml_node_pair_t *pair,
			  struct sla_component *comp)
{
	yaml_node_t *key = yaml_document_get_node(c->doc, pair->key);
	yaml_node_t *value = yaml_document_get_node(c->doc, pair->value);
	const char *name = sla_scalar(key);
	size_t saved = sla_path_key(c, name ? name : "?");
	int ret;

	comp->line = sla_line(key);
	ret = read_component_name(c, key, comp);
	if (!ret)
		ret = read_component_body(c, value, comp);
	if (!ret)
		sla_path_restore(c, saved);
	return ret;
}

int sla_parse_components(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *map = sla_find(c, root, "components");
	struct sla *sla = c->sla;
	size_t saved, n;
	int ret;

	if (!map || sla_is_null(map))
		return 0;
	saved = sla_path_key(c, "components");
	if (map->type != YAML_MAPPING_NODE)
		return sla_fail_node(c, map, "a mapping of component names "
				     "to components");
	n = pair_count(map);
	sla->components = calloc(n ? n : 1, sizeof(*sla->components));
	if (!sla->components)
		return -ENOMEM;
	sla->n_components = n;
	for (size_t i = 0; i < n; i++) {
		ret = read_component(c, &map->data.mapping.pairs.start[i],
				     &sla->components[i]);
		if (ret)
			return ret;
	}
	sla_path_restore(c, saved);
	return 0;
}

int sla_parse_allowlist(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *list = sla_find(c, root, "allowlist");

	if (!list || sla_is_null(list))
		return 0;
	return read_prefixes(c, root, "allowlist", &c->sla->allowlist,
			     &c->sla->n_allowlist);
}

/* Lost events have no source, so only source-less actions apply. */
static int read_lost_events(struct sla_ctx *c, yaml_node_t *map)
{
	struct sla_defaults *d = &c->sla->defaults;
	int sev = d->lost_events.severity, act = d->lost_events.action;
	int ret = sla_check_map(c, map, "a mapping with severity, do, hook",
				lost_events_keys);

	if (!ret)
		ret = sla_get(c, map, "severity", false, &sla_t_severity, &sev);
	if (ret >= 0)
		ret = sla_get(c, map, "do", false, &sla_t_action, &act);
	if (ret < 0)
		return ret;
	d->lost_events.severity = (enum sla_severity)sev;
	d->lost_events.action = (enum sla_action)act;
	if (act != SLA_ACT_NOTIFY && act != SLA_ACT_RUN_HOOK &&
	    act != SLA_ACT_NONE) {
		sla_path_key(c, "do");
		return sla_fail_node(c, sla_find(c, map, "do"),
				     "one of notify, run-hook, none (lost "
				     "events have no source to act on)");
	}
	return 0;
}

/* The hook a run-hook action runs; shared with countermeasures. */
int sla_read_hook(struct sla_ctx *c, const yaml_node_t *map, bool wanted,
		  char **hook)
{
	yaml_node_t *n = sla_find(c, map, "hook");
	size_t saved;

	if (!wanted && n) {
		sla_path_key(c, "hook");
		return sla_fail(c, n, "a hook only with do: run-hook",
				"a hook");
	}
	if (!wanted)
		return 0;
	saved = sla_path_key(c, "hook");
	if (!n)
		return sla_fail(c, map, "an absolute path of the hook to run "
				"(do: run-hook needs one)", "nothing");
	if (!sla_scalar(n) || sla_scalar(n)[0] != '/')
		return sla_fail_node(c, n, "an absolute path of the hook to run");
	sla_path_restore(c, saved);
	return sla_parse_as(c, n, &sla_t_string, hook);
}

static int read_defaults_timing(struct sla_ctx *c, yaml_node_t *map)
{
	struct sla_defaults *d = &c->sla->defaults;
	uint64_t max_actions = d->max_actions;
	int ret = sla_get(c, map, "holdoff", false, &sla_t_duration,
			  &d->holdoff_ms);

	/* The hold-off is sent to the module, so it must take it. */
	if (ret > 0 && (d->holdoff_ms < SLAGUARD_HOLDOFF_MS_MIN ||
			d->holdoff_ms > SLAGUARD_HOLDOFF_MS_MAX)) {
		sla_path_key(c, "holdoff");
		return sla_fail_node(c, sla_find(c, map, "holdoff"),
				     "a duration from 100ms to 1h");
	}
	if (ret >= 0)
		ret = sla_get(c, map, "window", false, &sla_t_duration,
			      &d->window_ms);
	if (ret > 0 && d->window_ms == 0) {
		sla_path_key(c, "window");
		return sla_fail_node(c, sla_find(c, map, "window"),
				     "a duration greater than 0");
	}
	if (ret >= 0)
		ret = sla_get_uint(c, map, "max_actions", 1, 1000000,
				   &max_actions);
	d->max_actions = (uint32_t)max_actions;
	return ret < 0 ? ret : 0;
}

/* defaults.aggregate: { ipv4: 24, ipv6: 64, min: 8 }, each optional. */
static int read_aggregate(struct sla_ctx *c, yaml_node_t *map)
{
	struct sla_defaults *d = &c->sla->defaults;
	uint64_t plen4 = 24, plen6 = 64, min = 8;
	int ret = sla_check_map(c, map, "a mapping with ipv4, ipv6, min",
				aggregate_keys);

	if (!ret)
		ret = sla_get_uint(c, map, "ipv4", 8, 31, &plen4);
	if (ret >= 0)
		ret = sla_get_uint(c, map, "ipv6", 16, 127, &plen6);
	if (ret >= 0)
		ret = sla_get_uint(c, map, "min", 2, 65536, &min);
	if (ret < 0)
		return ret;
	d->aggregate.on = true;
	d->aggregate.plen4 = (uint8_t)plen4;
	d->aggregate.plen6 = (uint8_t)plen6;
	d->aggregate.min = (uint32_t)min;
	return 0;
}

/*
 * defaults.repeat: { multiplier: 2, max: 24h, window: 24h, remember: 10000 },
 * each optional.
 */
static int read_repeat(struct sla_ctx *c, yaml_node_t *map)
{
	struct sla_defaults *d = &c->sla->defaults;
	double mult = 2;
	uint64_t max = 24 * 3600 * 1000ull, window = 24 * 3600 * 1000ull;
	uint64_t remember = 10000;
	int ret = sla_check_map(c, map, "a mapping with multiplier, max, window, "
				"remember", repeat_keys);

	if (!ret)
		ret = sla_get(c, map, "multiplier", false, &sla_t_number, &mult);
	if (ret > 0 && !(mult > 1 && mult <= 100)) {
		sla_path_key(c, "multiplier");
		return sla_fail_node(c, sla_find(c, map, "multiplier"),
				     "a number greater than 1, at most 100");
	}
	if (ret >= 0)
		ret = sla_get(c, map, "max", false, &sla_t_duration, &max);
	/* nftables' elements expire within 30 days at most */
	if (ret > 0 && (max < 1000 || max > 30 * 86400 * 1000ull)) {
		sla_path_key(c, "max");
		return sla_fail_node(c, sla_find(c, map, "max"),
				     "a duration from 1s to 30d");
	}
	if (ret >= 0)
		ret = sla_get(c, map, "window", false, &sla_t_duration, &window);
	if (ret > 0 && (window < 1000 || window > 365 * 86400 * 1000ull)) {
		sla_path_key(c, "window");
		return sla_fail_node(c, sla_find(c, map, "window"),
				     "a duration from 1s to 365d");
	}
	if (ret >= 0)
		ret = sla_get_uint(c, map, "remember", 1, 100000, &remember);
	if (ret < 0)
		return ret;
	d->repeat.on = true;
	d->repeat.multiplier = mult;
	d->repeat.max_ms = max;
	d->repeat.window_ms = window;
	d->repeat.remember = (uint32_t)remember;
	return 0;
}

static void set_defaults(struct sla_defaults *d)
{
	d->holdoff_ms = SLA_DEFAULT_HOLDOFF_MS;
	d->window_ms = SLA_DEFAULT_WINDOW_MS;
	d->max_actions = SLA_DEFAULT_MAX_ACTIONS;
	d->dry_run = false;
	d->evidence = SLA_EVIDENCE_HANDSHAKE;
	d->lost_events.severity = SLA_SEV_HIGH;
	d->lost_events.action = SLA_ACT_NOTIFY;
}

int sla_parse_defaults(struct sla_ctx *c, const yaml_node_t *root)
{
	struct sla_defaults *d = &c->sla->defaults;
	yaml_node_t *map = sla_find(c, root, "defaults"), *lost = NULL;
	size_t saved;
	int ret;

	set_defaults(d);
	if (!map || sla_is_null(map))
		return 0;
	saved = sla_path_key(c, "defaults");
	ret = sla_check_map(c, map, "a mapping with holdoff, window, "
			    "max_actions, dry_run, lost_events, app_group, aggregate, "
			    "evidence, ns_forward_rate, protected, repeat",
			    defaults_keys);
	if (!ret)
		ret = read_defaults_timing(c, map);
	if (!ret)
		ret = sla_get(c, map, "dry_run", false, &sla_t_bool, &d->dry_run);
	if (ret >= 0) {
		int ev = SLA_EVIDENCE_HANDSHAKE;

		ret = sla_get(c, map, "evidence", false, &sla_t_evidence, &ev);
		d->evidence = (enum sla_evidence)ev;
	}
	if (ret >= 0) {
		uint64_t rate = 0;

		/* sent to the module as SLAGUARD_THR_NS_FORWARD_RATE (u32) */
		ret = sla_get_uint(c, map, "ns_forward_rate", 1, UINT32_MAX,
				   &rate);
		d->ns_forward_rate = (uint32_t)rate;
	}
	if (ret >= 0)
		ret = read_strings(c, map, "protected", valid_protected,
				   "a process name (at most 15 bytes, no '/') "
				   "or an absolute cgroup path like "
				   "\"/system.slice/db.service\"",
				   &d->protected, &d->n_protected);
	if (ret >= 0)
		ret = sla_parse_app_group(c, map);
	if (ret >= 0) {
		yaml_node_t *agg = NULL;

		ret = sla_get(c, map, "aggregate", false, &sla_t_node, &agg);
		if (ret > 0) {
			size_t at = sla_path_key(c, "aggregate");

			ret = read_aggregate(c, agg);
			sla_path_restore(c, at);
		}
	}
	if (ret >= 0) {
		yaml_node_t *rep = NULL;

		ret = sla_get(c, map, "repeat", false, &sla_t_node, &rep);
		if (ret > 0) {
			size_t at = sla_path_key(c, "repeat");

			ret = read_repeat(c, rep);
			sla_path_restore(c, at);
		}
	}
	if (ret >= 0)
		ret = sla_get(c, map, "lost_events", false, &sla_t_node, &lost);
	if (ret > 0) {
		sla_path_key(c, "lost_events");
		ret = read_lost_events(c, lost);
		if (!ret)
			ret = sla_read_hook(c, lost, d->lost_events.action ==
					    SLA_ACT_RUN_HOOK,
					    &d->lost_events.hook);
	}
	if (ret < 0)
		return ret;
	sla_path_restore(c, saved);
	return 0;
}

void sla_component_names(const struct sla *sla, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "there are none");
	for (size_t i = 0; i < sla->n_components && used < len; i++) {
		int w;

		if (!sla->components[i].name)
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     sla->components[i].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int sla_need_component(struct sla_ctx *c, yaml_node_t *n,
		       const struct sla_component **out)
{
	char names[256], expected[320];
	const char *v = sla_scalar(n);

	*out = v ? sla_find_component(c->sla, v) : NULL;
	if (*out)
		return 0;
	sla_component_names(c->sla, names, sizeof(names));
	snprintf(expected, sizeof(expected),
		 "a component defined under 'components' (%s)", names);
	return sla_fail_node(c, n, expected);
}

int sla_need_unique_id(struct sla_ctx *c, yaml_node_t *n, const char *id)
{
	const struct sla_rule *r = sla_find_rule(c->sla, id);
	const struct sla_slo *s = sla_find_slo(c->sla, id);
	unsigned int line = r ? r->line : s ? s->line : 0;

	if (!r && !s)
		return 0;
	return sla_fail(c, n, "an id used by no other rule or SLO",
			"'%s' again (first at line %u)", id, line);
}

int sla_parse_root(struct sla_ctx *c)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);
	int ret;

	if (!root) {
		snprintf(c->err, c->errlen, "%s:1:1: field 'sla': expected an "
			 "SLA name, got an empty document", c->name);
		return -EINVAL;
	}
	if (root->type != YAML_MAPPING_NODE) {
		sla_path_key(c, "(document)");
		return sla_fail_node(c, root, "a mapping with the keys sla, "
				     "components, rules, slos, ...");
	}
	ret = sla_check_map(c, root, "a mapping", root_keys);
	if (!ret)
		ret = sla_get(c, root, "sla", true, &sla_t_name, &c->sla->name);
	if (ret >= 0)
		ret = sla_get(c, root, "description", false, &sla_t_string,
			      &c->sla->description);
	if (ret >= 0)
		ret = sla_parse_components(c, root);
	if (!ret)
		ret = sla_parse_allowlist(c, root);
	if (!ret)
		ret = sla_parse_defaults(c, root);
	if (!ret)
		ret = sla_parse_rules(c, root);
	if (!ret)
		ret = sla_parse_slos(c, root);
	if (!ret)
		ret = sla_parse_fleet(c, root);
	if (!ret)
		ret = sla_parse_countermeasures(c, root);
	if (!ret)
		ret = sla_parse_reporters(c, root);
	return ret;
}
