// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the "fleet" section: the NATS servers this node shares its
 * decisions over, its credentials, and its name and site. Names become
 * NATS subject tokens (slaguard.<site>.<node>.decision) and nftables
 * comment fields, so they are kept to [a-z0-9_-].
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const fleet_keys[] = {
	"servers", "node", "site", "credentials", "user", "password",
	"stream", "tls", NULL
};

static const char *const tls_keys[] = {
	"ca", "cert", "key", NULL
};

static const struct sla_type tls_type = {
	"a mapping with ca and optionally cert and key", sla_read_node, NULL
};

static const struct sla_type fleet_type = {
	"a mapping with servers, node, site and credentials or user and password",
	sla_read_node, NULL
};

bool sla_fleet_name_valid(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > SLA_FLEET_NAME_MAX)
		return false;
	for (const char *p = v; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_' && *p != '-')
			return false;
	return true;
}

static bool server_valid(const char *v)
{
	return (!strncmp(v, "nats://", 7) && v[7]) ||
	       (!strncmp(v, "tls://", 6) && v[6]);
}

static bool stream_valid(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > SLA_FLEET_NAME_MAX)
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

static int read_name(struct sla_ctx *c, yaml_node_t *map, const char *key,
		     bool (*valid)(const char *), const char *expected,
		     char **out)
{
	yaml_node_t *n = sla_find(c, map, key);
	int ret = sla_get(c, map, key, n || !strcmp(key, "node") ||
			  !strcmp(key, "site"), &sla_t_string, out);

	if (ret <= 0)
		return ret;
	if (!valid(*out)) {
		sla_path_key(c, key);
		return sla_fail_node(c, n, expected);
	}
	return 0;
}

static int read_servers(struct sla_ctx *c, yaml_node_t *map,
			struct sla_fleet *f)
{
	struct sla_seq s;
	int ret = sla_open_seq(c, map, "servers", true, true,
			       "a list of NATS server URLs", &s);

	if (ret < 0)
		return ret;
	f->servers = calloc(s.n ? s.n : 1, sizeof(*f->servers));
	if (!f->servers)
		return -ENOMEM;
	f->n_servers = s.n;
	for (size_t i = 0; i < s.n; i++) {
		yaml_node_t *item = sla_seq_item(c, &s, i);
		const char *v = sla_scalar(item);

		if (!v || !server_valid(v))
			return sla_fail_node(c, item, "a NATS server URL like "
					     "nats://10.0.0.1:4222 or tls://nats.example:4222");
		if (!(f->servers[i] = strdup(v)))
			return -ENOMEM;
	}
	sla_close_seq(c, &s);
	return 0;
}

/* One way to log in: a credentials file, or a user and a password. */
static int read_login(struct sla_ctx *c, yaml_node_t *map, struct sla_fleet *f)
{
	yaml_node_t *creds = sla_find(c, map, "credentials");
	yaml_node_t *user = sla_find(c, map, "user");
	yaml_node_t *pass = sla_find(c, map, "password");
	int ret;

	if (creds && (user || pass)) {
		sla_path_key(c, user ? "user" : "password");
		return sla_fail(c, user ? user : pass, "either credentials or "
				"user and password, not both", "both");
	}
	if (!!user != !!pass) {
		sla_path_key(c, user ? "password" : "user");
		return sla_fail(c, map, "user and password together",
				"only %s", user ? "user" : "password");
	}
	ret = sla_get(c, map, "credentials", false, &sla_t_string,
		      &f->credentials);
	if (ret > 0 && f->credentials[0] != '/') {
		sla_path_key(c, "credentials");
		return sla_fail_node(c, creds, "an absolute path to a NATS "
				     "credentials file (.creds)");
	}
	if (ret >= 0)
		ret = sla_get(c, map, "user", false, &sla_t_string, &f->user);
	if (ret >= 0)
		ret = sla_get(c, map, "password", false, &sla_t_string,
			      &f->password);
	return ret < 0 ? ret : 0;
}

static int read_path(struct sla_ctx *c, yaml_node_t *map, const char *key,
		     bool required, char **out)
{
	int ret = sla_get(c, map, key, required, &sla_t_string, out);

	if (ret > 0 && (*out)[0] != '/') {
		sla_path_key(c, key);
		return sla_fail_node(c, sla_find(c, map, key), "an absolute path to a PEM file");
	}
	return ret < 0 ? ret : 0;
}

/* tls: { ca, cert, key }: the servers are verified against CA. */
static int read_tls(struct sla_ctx *c, yaml_node_t *map, struct sla_fleet *f)
{
	yaml_node_t *tls;
	size_t saved;
	int ret = sla_get(c, map, "tls", false, &tls_type, &tls);

	if (ret <= 0)
		return ret;
	saved = sla_path_key(c, "tls");
	ret = sla_check_map(c, tls, tls_type.expected, tls_keys);
	if (!ret)
		ret = read_path(c, tls, "ca", true, &f->tls_ca);
	if (!ret)
		ret = read_path(c, tls, "cert", false, &f->tls_cert);
	if (!ret)
		ret = read_path(c, tls, "key", false, &f->tls_key);
	if (!ret && !!f->tls_cert != !!f->tls_key) {
		sla_path_key(c, f->tls_cert ? "key" : "cert");
		return sla_fail(c, tls, "cert and key together", "only %s",
				f->tls_cert ? "cert" : "key");
	}
	if (!ret)
		sla_path_restore(c, saved);
	return ret;
}

int sla_parse_fleet(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *map;
	struct sla_fleet *f;
	size_t saved;
	int ret = sla_get(c, root, "fleet", false, &fleet_type, &map);

	if (ret <= 0)
		return ret;
	saved = sla_path_key(c, "fleet");
	ret = sla_check_map(c, map, fleet_type.expected, fleet_keys);
	if (ret)
		return ret;
	f = c->sla->fleet = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	ret = read_servers(c, map, f);
	if (!ret)
		ret = read_name(c, map, "node", sla_fleet_name_valid,
				"a node name of 1-32 characters a-z, 0-9, _ and -",
				&f->node);
	if (!ret)
		ret = read_name(c, map, "site", sla_fleet_name_valid,
				"a site name of 1-32 characters a-z, 0-9, _ and -",
				&f->site);
	if (!ret)
		ret = read_name(c, map, "stream", stream_valid,
				"a JetStream stream name of 1-32 characters "
				"A-Z, a-z, 0-9, _ and -", &f->stream);
	if (!ret && !f->stream && !(f->stream = strdup(SLA_FLEET_STREAM)))
		ret = -ENOMEM;
	if (!ret)
		ret = read_login(c, map, f);
	if (!ret)
		ret = read_tls(c, map, f);
	if (!ret)
		sla_path_restore(c, saved);
	return ret;
}

void sla_fleet_free(struct sla_fleet *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->servers && i < f->n_servers; i++)
		free(f->servers[i]);
	free(f->servers);
	free(f->node);
	free(f->site);
	free(f->stream);
	free(f->credentials);
	free(f->user);
	free(f->password);
	free(f->tls_ca);
	free(f->tls_cert);
	free(f->tls_key);
	free(f);
}
