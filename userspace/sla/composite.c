// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the composite SLA that slaguard-coord keeps: which node runs
 * which component SLA, and SLOs over components of several nodes. Read
 * with the SLA's own reader, so messages are FILE:LINE:COL: like an SLA's;
 * its "fleet" section is the SLA's, for the coordinator's connection.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const root_keys[] = {
	"composite", "description", "fleet", "silence", "attack-window",
	"nodes", "slos", NULL
};

static const char *const node_keys[] = {
	"name", "site", "sla", "host", NULL
};

static const char *const slo_keys[] = {
	"id", "description", "severity", "all-compliant", "max-violated-for",
	"within", "of", "max-nodes-under-attack", NULL
};

static const struct sla_type node_type = {
	"a mapping with name, sla and optionally site and host", sla_read_node, NULL
};

static const struct sla_type slo_type = {
	"a mapping with id and one of all-compliant, max-violated-for, "
	"max-nodes-under-attack", sla_read_node, NULL
};

const char *sla_cslo_kind_name(enum sla_cslo_kind k)
{
	switch (k) {
	case SLA_CSLO_ALL_COMPLIANT:
		return "all-compliant";
	case SLA_CSLO_MAX_VIOLATED_FOR:
		return "max-violated-for";
	default:
		return "max-nodes-under-attack";
	}
}

int sla_composite_node(const struct sla_composite *c, const char *site,
		       const char *name)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (!strcmp(c->nodes[i].name, name) &&
		    (!site || !strcmp(c->nodes[i].site, site)))
			return (int)i;
	return -1;
}

struct cctx {
	struct sla_ctx *c;
	struct sla_composite *comp;
	bool check_slas;
	struct sla **slas;		/* per node, when checked */
};

static int read_nodes(struct cctx *x, yaml_node_t *root)
{
	struct sla_ctx *c = x->c;
	struct sla_composite *comp = x->comp;
	struct sla_seq s = { 0 };
	int ret = sla_open_seq(c, root, "nodes", true, false,
			       "a list of nodes, each { name, sla }", &s);

	if (ret < 0)
		return ret;
	if (s.n == 0)
		return sla_fail(c, s.node, "at least one node", "an empty list");
	comp->nodes = calloc(s.n, sizeof(*comp->nodes));
	x->slas = calloc(s.n, sizeof(*x->slas));
	if (!comp->nodes || !x->slas)
		return -ENOMEM;
	/* Names first: a host may be named before its own entry. */
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		struct sla_cnode *n = &comp->nodes[i];
		yaml_node_t *map;

		n->host = -1;
		comp->n_nodes = i + 1;
		ret = sla_parse_as(c, item, &node_type, &map);
		if (!ret)
			ret = sla_check_map(c, map, node_type.expected, node_keys);
		if (!ret)
			ret = sla_get(c, map, "name", true, &sla_t_string, &n->name);
		if (ret < 0)
			return ret;
		n->line = sla_line(item);
		if (!sla_fleet_name_valid(n->name)) {
			sla_path_key(c, "name");
			return sla_fail_node(c, sla_find(c, map, "name"),
					     "a node name of 1-32 characters a-z, 0-9, _ and -");
		}
		ret = sla_get(c, map, "site", false, &sla_t_string, &n->site);
		if (ret > 0 && !sla_fleet_name_valid(n->site)) {
			sla_path_key(c, "site");
			return sla_fail_node(c, sla_find(c, map, "site"),
					     "a site name of 1-32 characters a-z, 0-9, _ and -");
		}
		if (ret == 0 && !(n->site = strdup(comp->fleet ? comp->fleet->site : "default")))
			return -ENOMEM;
		if (ret >= 0)
			ret = sla_get(c, map, "sla", false, &sla_t_string, &n->sla);
		if (ret < 0)
			return ret;
		if (sla_composite_node(comp, n->site, n->name) != (int)i) {
			sla_path_key(c, "name");
			return sla_fail(c, sla_find(c, map, "name"), "a node name used once",
					"%s a second time", n->name);
		}
	}
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *map = sla_seq_item(c, &s, i);
		yaml_node_t *h = sla_find(c, map, "host");
		const char *hn;

		if (!h)
			continue;
		sla_path_key(c, "host");
		hn = sla_scalar(h);
		if (!hn || (comp->nodes[i].host = sla_composite_node(comp, NULL, hn)) < 0)
			return sla_fail_node(c, h, "the name of another node (its hypervisor)");
		if (comp->nodes[i].host == (int)i)
			return sla_fail(c, h, "another node", "the node itself");
	}
	sla_close_seq(c, &s);
	return 0;
}

/* The folder of the composite file, for the nodes' relative sla: paths. */
static char *sla_path(const char *composite, const char *file)
{
	char *copy, *out = NULL;

	if (file[0] == '/' || !strchr(composite, '/'))
		return strdup(file);
	copy = strdup(composite);
	if (!copy)
		return NULL;
	if (asprintf(&out, "%s/%s", dirname(copy), file) < 0)
		out = NULL;
	free(copy);
	return out;
}

static int load_sla(struct cctx *x, size_t i, yaml_node_t *at)
{
	struct sla_ctx *c = x->c;
	struct sla_cnode *n = &x->comp->nodes[i];
	char err[512];
	char *path;
	int ret;

	if (x->slas[i] || !n->sla || !x->check_slas)
		return 0;
	path = sla_path(c->name, n->sla);
	if (!path)
		return -ENOMEM;
	ret = sla_load_file(path, &x->slas[i], err, sizeof(err));
	free(path);
	if (ret < 0)
		return sla_fail(c, at, "a component of the SLA the node runs",
				"%s (node %s's SLA does not load: %s)",
				sla_scalar(at) ? sla_scalar(at) : "?", n->name, err);
	return 0;
}

static bool sla_has(const struct sla *sla, const char *name)
{
	for (size_t i = 0; i < sla->n_components; i++)
		if (!strcmp(sla->components[i].name, name))
			return true;
	for (size_t i = 0; i < sla->n_slos; i++)
		if (!strcmp(sla->slos[i].id, name))
			return true;
	return false;
}

/* COMPONENT@NODE items of the list under KEY. */
static int read_refs(struct cctx *x, yaml_node_t *map, const char *key,
		     struct sla_cslo *slo)
{
	struct sla_ctx *c = x->c;
	struct sla_seq s = { 0 };
	int ret = sla_open_seq(c, map, key, true, true,
			       "a list of COMPONENT@NODE", &s);

	if (ret < 0)
		return ret;
	if (s.n == 0)
		return sla_fail(c, s.node, "at least one COMPONENT@NODE", "an empty list");
	slo->refs = calloc(s.n, sizeof(*slo->refs));
	if (!slo->refs)
		return -ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		const char *v = sla_scalar(item);
		const char *at = v ? strchr(v, '@') : NULL;
		struct sla_cref *r = &slo->refs[i];
		int node;

		if (!at || at == v || !at[1])
			return sla_fail_node(c, item, "COMPONENT@NODE, like web@node1");
		node = sla_composite_node(x->comp, NULL, at + 1);
		if (node < 0)
			return sla_fail(c, item, "COMPONENT@NODE with a node of 'nodes'",
					"'%s' (no node %s)", v, at + 1);
		r->node = (size_t)node;
		r->component = strndup(v, (size_t)(at - v));
		if (!r->component)
			return -ENOMEM;
		slo->n_refs = i + 1;
		ret = load_sla(x, (size_t)node, item);
		if (ret < 0)
			return ret;
		if (x->slas[node] && !sla_has(x->slas[node], r->component))
			return sla_fail(c, item, "a component or SLO id of the SLA the node runs",
					"'%s' (%s has no component or SLO %s)", v,
					x->comp->nodes[node].sla, r->component);
	}
	sla_close_seq(c, &s);
	return 0;
}

/* max-violated-for: "5m within 30d", or 5m with a separate within: 30d. */
static int read_budget(struct cctx *x, yaml_node_t *map, struct sla_cslo *slo)
{
	struct sla_ctx *c = x->c;
	yaml_node_t *n = sla_find(c, map, "max-violated-for");
	const char *v = sla_scalar(n);
	const char *w = v ? strstr(v, " within ") : NULL;
	const char *expected = "a duration, optionally followed by 'within' and a "
			       "window, like 5m within 30d";
	char first[64];
	size_t saved;
	int ret;

	saved = sla_path_key(c, "max-violated-for");
	if (!v)
		return sla_fail_node(c, n, expected);
	snprintf(first, sizeof(first), "%.*s", (int)(w ? (size_t)(w - v) : strlen(v)), v);
	if (sla_parse_duration(first, &slo->max_violated_ms) < 0 ||
	    (w && sla_parse_duration(w + 8, &slo->within_ms) < 0))
		return sla_fail_node(c, n, expected);
	sla_path_restore(c, saved);
	if (w && sla_find(c, map, "within")) {
		sla_path_key(c, "within");
		return sla_fail(c, sla_find(c, map, "within"), "the window given once",
				"'within' both here and in max-violated-for");
	}
	if (!w) {
		ret = sla_get(c, map, "within", false, &sla_t_duration, &slo->within_ms);
		if (ret < 0)
			return ret;
		if (ret == 0)
			slo->within_ms = 30ULL * 86400000;
	}
	if (slo->within_ms <= slo->max_violated_ms) {
		sla_path_key(c, "max-violated-for");
		return sla_fail(c, n, "a budget shorter than its window", "'%s'", v);
	}
	return read_refs(x, map, "of", slo);
}

static int read_attack(struct cctx *x, yaml_node_t *map, struct sla_cslo *slo)
{
	struct sla_ctx *c = x->c;
	struct sla_seq s = { 0 };
	uint64_t max;
	int ret = sla_get_uint(c, map, "max-nodes-under-attack", 0, 1000000, &max);

	if (ret < 0)
		return ret;
	slo->max_nodes = (unsigned int)max;
	ret = sla_open_seq(c, map, "of", false, true, "a list of node names", &s);
	if (ret < 0)
		return ret;
	slo->n_attack_nodes = ret ? s.n : x->comp->n_nodes;
	slo->attack_nodes = calloc(slo->n_attack_nodes ? slo->n_attack_nodes : 1,
				   sizeof(*slo->attack_nodes));
	if (!slo->attack_nodes)
		return -ENOMEM;
	for (size_t i = 0; i < slo->n_attack_nodes; i++) {
		yaml_node_t *item;
		int node;

		if (!ret) {
			slo->attack_nodes[i] = i;
			continue;
		}
		item = sla_seq_item(c, &s, i);
		node = sla_scalar(item) ? sla_composite_node(x->comp, NULL, sla_scalar(item)) : -1;
		if (node < 0)
			return sla_fail_node(c, item, "the name of a node of 'nodes'");
		slo->attack_nodes[i] = (size_t)node;
	}
	if (ret)
		sla_close_seq(c, &s);
	return 0;
}

static int read_slo(struct cctx *x, yaml_node_t *item, struct sla_cslo *slo)
{
	static const char *const kinds[] = {
		"all-compliant", "max-violated-for", "max-nodes-under-attack"
	};
	struct sla_ctx *c = x->c;
	yaml_node_t *map;
	const char *kind = NULL;
	int ret = sla_parse_as(c, item, &slo_type, &map);

	if (!ret)
		ret = sla_check_map(c, map, slo_type.expected, slo_keys);
	if (!ret)
		ret = sla_get(c, map, "id", true, &sla_t_name, &slo->id);
	if (ret >= 0)
		ret = sla_get(c, map, "description", false, &sla_t_string, &slo->description);
	if (ret >= 0) {
		slo->severity = SLA_SEV_HIGH;
		ret = sla_get(c, map, "severity", false, &sla_t_severity, &slo->severity);
	}
	if (ret < 0)
		return ret;
	slo->line = sla_line(item);
	for (size_t k = 0; k < 3; k++) {
		if (!sla_find(c, map, kinds[k]))
			continue;
		if (kind) {
			sla_path_key(c, kinds[k]);
			return sla_fail(c, sla_find(c, map, kinds[k]), "one kind of composite SLO",
					"both %s and %s", kind, kinds[k]);
		}
		kind = kinds[k];
		slo->kind = (enum sla_cslo_kind)k;
	}
	if (!kind)
		return sla_fail(c, map, "one of all-compliant, max-violated-for, "
				"max-nodes-under-attack", "none of them");
	if (slo->kind != SLA_CSLO_MAX_VIOLATED_FOR && sla_find(c, map, "within")) {
		sla_path_key(c, "within");
		return sla_fail(c, sla_find(c, map, "within"), "within only with max-violated-for",
				"within with %s", kind);
	}
	if (slo->kind == SLA_CSLO_ALL_COMPLIANT) {
		if (sla_find(c, map, "of")) {
			sla_path_key(c, "of");
			return sla_fail(c, sla_find(c, map, "of"), "the components as the value of all-compliant",
					"a separate 'of'");
		}
		return read_refs(x, map, "all-compliant", slo);
	}
	if (slo->kind == SLA_CSLO_MAX_VIOLATED_FOR)
		return read_budget(x, map, slo);
	return read_attack(x, map, slo);
}

static int read_slos(struct cctx *x, yaml_node_t *root)
{
	struct sla_ctx *c = x->c;
	struct sla_composite *comp = x->comp;
	struct sla_seq s = { 0 };
	int ret = sla_open_seq(c, root, "slos", true, false,
			       "a list of composite SLOs", &s);

	if (ret < 0)
		return ret;
	comp->slos = calloc(s.n ? s.n : 1, sizeof(*comp->slos));
	if (!comp->slos)
		return -ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);

		comp->n_slos = i + 1;
		ret = read_slo(x, item, &comp->slos[i]);
		if (ret < 0)
			return ret;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(comp->slos[j].id, comp->slos[i].id)) {
				sla_path_key(c, "id");
				return sla_fail(c, item, "an SLO id used once",
						"%s a second time (first at line %u)",
						comp->slos[i].id, comp->slos[j].line);
			}
	}
	sla_close_seq(c, &s);
	return 0;
}

static int parse(struct cctx *x, yaml_node_t *root)
{
	struct sla_ctx *c = x->c;
	struct sla_composite *comp = x->comp;
	int ret;

	if (!root) {
		snprintf(c->err, c->errlen, "%s:1:1: field 'composite': expected a "
			 "composite SLA name, got an empty document", c->name);
		return -EINVAL;
	}
	if (root->type != YAML_MAPPING_NODE) {
		sla_path_key(c, "(document)");
		return sla_fail_node(c, root, "a mapping with the keys composite, "
				     "fleet, nodes, slos, ...");
	}
	ret = sla_check_map(c, root, "a mapping", root_keys);
	if (!ret)
		ret = sla_get(c, root, "composite", true, &sla_t_name, &comp->name);
	if (ret >= 0)
		ret = sla_get(c, root, "description", false, &sla_t_string,
			      &comp->description);
	if (ret >= 0)
		ret = sla_parse_fleet(c, root);
	if (ret >= 0) {
		comp->fleet = c->sla->fleet;
		c->sla->fleet = NULL;
		comp->silence_ms = SLA_COMPOSITE_SILENCE_MS;
		ret = sla_get(c, root, "silence", false, &sla_t_duration, &comp->silence_ms);
	}
	if (ret >= 0) {
		comp->attack_window_ms = SLA_COMPOSITE_ATTACK_MS;
		ret = sla_get(c, root, "attack-window", false, &sla_t_duration,
			      &comp->attack_window_ms);
	}
	if (ret >= 0)
		ret = read_nodes(x, root);
	if (ret >= 0)
		ret = read_slos(x, root);
	/* Every node's SLA loads, referenced or not. */
	for (size_t i = 0; ret >= 0 && i < comp->n_nodes; i++) {
		yaml_node_t *list = sla_find(c, root, "nodes");
		yaml_node_t *item = yaml_document_get_node(c->doc,
			list->data.sequence.items.start[i]);
		yaml_node_t *at = sla_find(c, item, "sla");

		if (!at)
			continue;
		sla_path_restore(c, 0);
		sla_path_key(c, "nodes");
		sla_path_index(c, i);
		sla_path_key(c, "sla");
		ret = load_sla(x, i, at);
	}
	return ret < 0 ? ret : 0;
}

static int build(yaml_document_t *doc, const char *name, void *arg,
		 char *err, size_t errlen)
{
	struct cctx *x = arg;
	struct sla_ctx c = { .doc = doc, .name = name, .err = err, .errlen = errlen };
	int ret;

	c.sla = calloc(1, sizeof(*c.sla));
	x->comp = calloc(1, sizeof(*x->comp));
	x->c = &c;
	if (!c.sla || !x->comp || !(x->comp->source = strdup(name)))
		ret = -ENOMEM;
	else
		ret = parse(x, yaml_document_get_root_node(doc));
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	for (size_t i = 0; x->slas && x->comp && i < x->comp->n_nodes; i++)
		sla_free(x->slas[i]);
	free(x->slas);
	x->slas = NULL;
	sla_free(c.sla);
	if (ret < 0) {
		sla_composite_free(x->comp);
		x->comp = NULL;
	}
	return ret;
}

int sla_composite_load_string(const char *text, size_t len, const char *name,
			      bool check_slas, struct sla_composite **out,
			      char *err, size_t errlen)
{
	struct cctx x = { .check_slas = check_slas };
	int ret = sla_yaml_load(text, len, name ? name : "<string>", build, &x,
				err, errlen);

	*out = ret < 0 ? NULL : x.comp;
	return ret;
}

int sla_composite_load_file(const char *path, bool check_slas,
			    struct sla_composite **out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret = sla_read_whole_file(path, &text, &len);

	*out = NULL;
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = sla_composite_load_string(text, len, path, check_slas, out, err, errlen);
	free(text);
	return ret;
}

void sla_composite_free(struct sla_composite *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_nodes; i++) {
		free(c->nodes[i].name);
		free(c->nodes[i].site);
		free(c->nodes[i].sla);
	}
	free(c->nodes);
	for (size_t i = 0; i < c->n_slos; i++) {
		for (size_t j = 0; j < c->slos[i].n_refs; j++)
			free(c->slos[i].refs[j].component);
		free(c->slos[i].refs);
		free(c->slos[i].attack_nodes);
		free(c->slos[i].id);
		free(c->slos[i].description);
	}
	free(c->slos);
	sla_fleet_free(c->fleet);
	free(c->name);
	free(c->description);
	free(c->source);
	free(c);
}
