// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - readers that turn one YAML node into one typed value. Each
 * knows what it expects, so a wrong value is reported the same way wherever
 * that kind of value appears in the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int read_text(struct sla_ctx *c, yaml_node_t *n,
		     const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);

	if (!v)
		return sla_fail_node(c, n, t->expected);
	*(const char **)out = v;
	return 0;
}

int sla_read_string(struct sla_ctx *c, yaml_node_t *n,
		    const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);
	char *copy;

	if (!v)
		return sla_fail_node(c, n, t->expected);
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	*(char **)out = copy;
	return 0;
}

/* Ids and names show up in nft comments, JSON and on command lines. */
static bool is_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > SLA_NAME_MAX)
		return false;
	if (!((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
		return false;
	return strspn(v, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int read_name(struct sla_ctx *c, yaml_node_t *n,
		     const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);

	if (!v || !is_name(v))
		return sla_fail_node(c, n, t->expected);
	return sla_read_string(c, n, t, out);
}

static int read_duration(struct sla_ctx *c, yaml_node_t *n,
			 const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);

	if (!v || sla_parse_duration(v, out))
		return sla_fail_node(c, n, t->expected);
	return 0;
}

static int read_number(struct sla_ctx *c, yaml_node_t *n,
		       const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);

	if (!v || sla_parse_number(v, out))
		return sla_fail_node(c, n, t->expected);
	return 0;
}

/* Only true/false: YAML 1.1's yes/no/on/off surprise too many people. */
static int read_bool(struct sla_ctx *c, yaml_node_t *n,
		     const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);

	if (v && !strcmp(v, "true"))
		*(bool *)out = true;
	else if (v && !strcmp(v, "false"))
		*(bool *)out = false;
	else
		return sla_fail_node(c, n, t->expected);
	return 0;
}

static int read_prefix(struct sla_ctx *c, yaml_node_t *n,
		       const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);
	struct sla_prefix *p = out;
	char net[64], expected[128];
	int ret;

	if (!v)
		return sla_fail_node(c, n, t->expected);
	ret = sla_parse_prefix(v, p);
	if (ret == -ERANGE)
		return sla_fail_node(c, n, strchr(v, ':') ?
				     "a prefix length of at most 128" :
				     "a prefix length of at most 32");
	if (ret == -EDOM) {
		sla_format_prefix(p, net, sizeof(net));
		snprintf(expected, sizeof(expected),
			 "a prefix without host bits set (%s)", net);
		return sla_fail_node(c, n, expected);
	}
	if (ret)
		return sla_fail_node(c, n, t->expected);
	return 0;
}

static int read_port(struct sla_ctx *c, yaml_node_t *n,
		     const struct sla_type *t, void *out)
{
	const char *v = sla_scalar(n);
	int ret;

	if (!v)
		return sla_fail_node(c, n, t->expected);
	ret = sla_parse_port_range(v, out);
	if (ret == -EDOM)
		return sla_fail_node(c, n, "a port range N-M with N <= M");
	if (ret)
		return sla_fail_node(c, n, t->expected);
	return 0;
}

int sla_read_node(struct sla_ctx *c, yaml_node_t *n,
		  const struct sla_type *t, void *out)
{
	(void)c;
	(void)t;
	*(yaml_node_t **)out = n;
	return 0;
}

void sla_expected(const struct sla_type *t, char *buf, size_t len)
{
	size_t used;

	if (!t->names) {
		snprintf(buf, len, "%s", t->expected);
		return;
	}
	used = (size_t)snprintf(buf, len, "one of ");
	for (size_t i = 0; i < t->names->n && used < len; i++) {
		int w;

		if (!t->names->names[i])
			continue;
		w = snprintf(buf + used, len - used, "%s%s",
			     used > 7 ? ", " : "", t->names->names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int sla_read_choice(struct sla_ctx *c, yaml_node_t *n, const struct sla_type *t,
		    void *out)
{
	const char *v = sla_scalar(n);
	char expected[512];

	for (size_t i = 0; v && i < t->names->n; i++) {
		if (t->names->names[i] && !strcmp(v, t->names->names[i])) {
			*(int *)out = (int)i;
			return 0;
		}
	}
	sla_expected(t, expected, sizeof(expected));
	return sla_fail_node(c, n, expected);
}

const struct sla_type sla_t_text = { "a string", read_text, NULL };
const struct sla_type sla_t_string = { "a string", sla_read_string, NULL };
const struct sla_type sla_t_name = {
	"a name of letters, digits, '_', '.' and '-' starting with a letter",
	read_name, NULL
};
const struct sla_type sla_t_duration = {
	"a duration like 500ms, 5s, 10m, 1h or 2d", read_duration, NULL
};
const struct sla_type sla_t_number = {
	"a non-negative number, optionally with a k, M or G suffix",
	read_number, NULL
};
const struct sla_type sla_t_bool = { "true or false", read_bool, NULL };
const struct sla_type sla_t_prefix = {
	"an IPv4 or IPv6 address or prefix", read_prefix, NULL
};
const struct sla_type sla_t_port = {
	"a port from 1 to 65535 or a range \"N-M\"", read_port, NULL
};
const struct sla_type sla_t_node = { "a value", sla_read_node, NULL };
const struct sla_type sla_t_severity = { NULL, sla_read_choice, &sla_severities };
const struct sla_type sla_t_action = { NULL, sla_read_choice, &sla_actions };
const struct sla_type sla_t_evidence = { NULL, sla_read_choice, &sla_evidences };
const struct sla_type sla_t_proto = { NULL, sla_read_choice, &sla_protos };
const struct sla_type sla_t_metric = { NULL, sla_read_choice, &sla_metrics };
const struct sla_type sla_t_per = { NULL, sla_read_choice, &sla_pers };
