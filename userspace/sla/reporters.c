// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the "reporters" section: which local users and groups may
 * report application events for which components, and whether they may
 * name a source (an address the countermeasures then act on). The daemon
 * judges each event by the peer credentials of the socket it came on
 * (SO_PEERCRED), so a forged event from an unlisted uid blocks nobody.
 * User and group names are resolved when the SLA is loaded: the daemon
 * never waits for NSS while events arrive, and a name unknown to the host
 * is an error at the line that names it.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const reporter_keys[] = {
	"user", "group", "components", "source", NULL
};

#define USER_EXPECTED	"a user name known to this host or a numeric uid"
#define GROUP_EXPECTED	"a group name known to this host or a numeric gid"

/* A decimal id below (uid_t)-1, which means "no id" to the kernel. */
static bool parse_id(const char *v, uint32_t *id)
{
	unsigned long long n = 0;

	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 10)
		return false;
	for (const char *p = v; *p; p++)
		n = n * 10 + (unsigned long long)(*p - '0');
	if (n >= 0xffffffffULL)
		return false;
	*id = (uint32_t)n;
	return true;
}

static int lookup_user(const char *name, uint32_t *id)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (parse_id(name, id))
		return 0;
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
		return -ENOENT;
	*id = (uint32_t)res->pw_uid;
	return 0;
}

static int lookup_group(const char *name, uint32_t *id)
{
	struct group gr, *res = NULL;
	char buf[16384];

	if (parse_id(name, id))
		return 0;
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) || !res)
		return -ENOENT;
	*id = (uint32_t)res->gr_gid;
	return 0;
}

/* KEY of MAP, a user (IS_GROUP false) or group name or number, into *ID, *NAME. */
static int read_principal(struct sla_ctx *c, const yaml_node_t *map,
			  const char *key, bool is_group, uint32_t *id,
			  char **name)
{
	yaml_node_t *n = sla_find(c, map, key);
	const char *expected = is_group ? GROUP_EXPECTED : USER_EXPECTED;
	size_t saved = sla_path_key(c, key);
	const char *v = n ? sla_scalar(n) : NULL;

	if (!v || !*v || (is_group ? lookup_group(v, id) : lookup_user(v, id)))
		return sla_fail_node(c, n, expected);
	*name = strdup(v);
	if (!*name)
		return -ENOMEM;
	sla_path_restore(c, saved);
	return 0;
}

static int read_reporter_components(struct sla_ctx *c, yaml_node_t *map,
				    struct sla_reporter *r)
{
	char names[256], expected[320];
	struct sla_seq s;
	int ret = sla_open_seq(c, map, "components", true, true,
			       "a list of components the entry may report "
			       "for", &s);

	if (ret < 0)
		return ret;
	if (!s.n)
		return sla_fail(c, s.node, "at least one component", "none");
	r->components = calloc(s.n, sizeof(*r->components));
	if (!r->components)
		return -ENOMEM;
	sla_component_names(c->sla, names, sizeof(names));
	snprintf(expected, sizeof(expected), "'any' or a component defined "
		 "under 'components' (%s)", names);
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		const char *v = sla_scalar(item);
		const struct sla_component *comp;

		if (v && !strcmp(v, "any")) {
			if (s.n > 1)
				return sla_fail(c, item, "'any' alone, as it "
						"covers every other component",
						"'any' with others");
			r->any_component = true;
			continue;
		}
		comp = v ? sla_find_component(c->sla, v) : NULL;
		if (!comp)
			return sla_fail_node(c, item, expected);
		r->components[r->n_components++] = comp;
	}
	sla_close_seq(c, &s);
	return 0;
}

static int read_reporter(struct sla_ctx *c, yaml_node_t *map,
			 struct sla_reporter *r)
{
	yaml_node_t *user, *group;
	int ret;

	if (map->type != YAML_MAPPING_NODE)
		return sla_fail_node(c, map, "a reporter mapping with user or "
				     "group, components, source");
	ret = sla_check_map(c, map, "a reporter mapping with user or group, "
			    "components, source", reporter_keys);
	if (ret)
		return ret;
	r->line = sla_line(map);
	user = sla_find(c, map, "user");
	group = sla_find(c, map, "group");
	if (user && group) {
		sla_path_key(c, "group");
		return sla_fail(c, group, "either user or group", "both");
	}
	if (!user && !group) {
		sla_path_key(c, "user");
		return sla_fail(c, map, "a user or a group the entry is about",
				"nothing");
	}
	r->is_group = group != NULL;
	ret = read_principal(c, map, r->is_group ? "group" : "user",
			     r->is_group, &r->id, &r->name);
	if (!ret)
		ret = read_reporter_components(c, map, r);
	if (!ret)
		ret = sla_get(c, map, "source", false, &sla_t_bool, &r->source);
	return ret < 0 ? ret : 0;
}

int sla_parse_reporters(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *list = sla_find(c, root, "reporters");
	struct sla *sla = c->sla;
	struct sla_seq s;
	int ret;

	if (!list || sla_is_null(list))
		return 0;
	ret = sla_open_seq(c, root, "reporters", false, false,
			   "a list of reporters", &s);
	if (ret <= 0)
		return ret;
	sla->reporters = calloc(s.n ? s.n : 1, sizeof(*sla->reporters));
	if (!sla->reporters)
		return -ENOMEM;
	sla->n_reporters = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = read_reporter(c, sla_seq_item(c, &s, i),
				    &sla->reporters[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}

int sla_parse_app_group(struct sla_ctx *c, const yaml_node_t *defaults)
{
	struct sla_defaults *d = &c->sla->defaults;
	int ret;

	if (!sla_find(c, defaults, "app_group"))
		return 0;
	ret = read_principal(c, defaults, "app_group", true, &d->app_group,
			     &d->app_group_name);
	if (!ret)
		d->has_app_group = true;
	return ret;
}

static bool entry_covers(const struct sla_reporter *r, const char *component)
{
	if (r->any_component)
		return true;
	for (size_t i = 0; component && i < r->n_components; i++)
		if (!strcmp(r->components[i]->name, component))
			return true;
	return false;
}

static bool entry_names(const struct sla_reporter *r, uint32_t uid,
			const uint32_t *gids, size_t n_gids)
{
	if (!r->is_group)
		return r->id == uid;
	for (size_t i = 0; i < n_gids; i++)
		if (gids[i] == r->id)
			return true;
	return false;
}

static bool root_is_listed(const struct sla *sla)
{
	for (size_t i = 0; i < sla->n_reporters; i++)
		if (!sla->reporters[i].is_group && sla->reporters[i].id == 0)
			return true;
	return false;
}

int sla_reporter_check(const struct sla *sla, uint32_t uid,
		       const uint32_t *gids, size_t n_gids,
		       const char *component, bool names_source,
		       char *reason, size_t len)
{
	bool covered = false, source = false;

	if (uid == 0 && !root_is_listed(sla))
		return 0;
	if (!sla->n_reporters) {
		snprintf(reason, len, "uid %u may not report: the SLA names no "
			 "reporters, so only root may", (unsigned int)uid);
		return -EPERM;
	}
	for (size_t i = 0; i < sla->n_reporters; i++) {
		const struct sla_reporter *r = &sla->reporters[i];

		if (!entry_names(r, uid, gids, n_gids) ||
		    !entry_covers(r, component))
			continue;
		covered = true;
		source = source || r->source;
	}
	if (!covered) {
		snprintf(reason, len, "uid %u may not report for component %s",
			 (unsigned int)uid, component ? component : "(none)");
		return -EPERM;
	}
	if (names_source && !source) {
		snprintf(reason, len, "uid %u may not name a source for "
			 "component %s", (unsigned int)uid, component);
		return -EPERM;
	}
	return 0;
}
