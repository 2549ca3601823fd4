// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - walking a libyaml document tree. Every reader knows the field
 * path it is at and the node's mark, so any error can say exactly which line
 * and field is wrong and what was expected there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Long enough to recognise a value, short enough for one line. */
#define SLA_GOT_MAX	48

unsigned int sla_line(const yaml_node_t *n)
{
	return (unsigned int)n->start_mark.line + 1;
}

/* Plain empty, "~" and "null" are YAML's null; quoted they are strings. */
bool sla_is_null(const yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE)
		return false;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

const char *sla_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE || sla_is_null(n))
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* Quotes a scalar, shortened and with control characters replaced. */
static void describe_scalar(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v), shown = n > SLA_GOT_MAX ? SLA_GOT_MAX : n;
	char text[SLA_GOT_MAX + 1];

	for (size_t i = 0; i < shown; i++)
		text[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	text[shown] = '\0';
	snprintf(buf, len, "'%s'%s", text, n > shown ? "..." : "");
}

void sla_describe(const yaml_node_t *n, char *buf, size_t len)
{
	if (!n)
		snprintf(buf, len, "nothing");
	else if (n->type == YAML_MAPPING_NODE)
		snprintf(buf, len, "a mapping");
	else if (n->type == YAML_SEQUENCE_NODE)
		snprintf(buf, len, "a sequence");
	else if (sla_is_null(n))
		snprintf(buf, len, "null");
	else
		describe_scalar((const char *)n->data.scalar.value, buf, len);
}

int sla_fail(struct sla_ctx *c, const yaml_node_t *at, const char *expected,
	     const char *got_fmt, ...)
{
	char got[256];
	va_list ap;

	va_start(ap, got_fmt);
	vsnprintf(got, sizeof(got), got_fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u:%u: field '%s': expected %s, got %s",
		 c->name, sla_line(at), (unsigned int)at->start_mark.column + 1,
		 c->path_len ? c->path : "(document)", expected, got);
	return -EINVAL;
}

int sla_fail_node(struct sla_ctx *c, const yaml_node_t *at,
		  const char *expected)
{
	char got[SLA_GOT_MAX + 8];

	sla_describe(at, got, sizeof(got));
	return sla_fail(c, at, expected, "%s", got);
}

/* Truncation only shortens a message, it never overflows the buffer. */
static size_t path_append(struct sla_ctx *c, const char *fmt, const char *s,
			  size_t i)
{
	size_t old = c->path_len;
	int n;

	if (s)
		n = snprintf(c->path + old, sizeof(c->path) - old, fmt, s);
	else
		n = snprintf(c->path + old, sizeof(c->path) - old, fmt, i);
	if (n > 0)
		c->path_len += (size_t)n;
	if (c->path_len >= sizeof(c->path))
		c->path_len = sizeof(c->path) - 1;
	return old;
}

size_t sla_path_key(struct sla_ctx *c, const char *key)
{
	return path_append(c, c->path_len ? ".%s" : "%s", key, 0);
}

size_t sla_path_index(struct sla_ctx *c, size_t index)
{
	return path_append(c, "[%zu]", NULL, index);
}

void sla_path_restore(struct sla_ctx *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

static yaml_node_t *node_at(struct sla_ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

yaml_node_t *sla_find(struct sla_ctx *c, const yaml_node_t *map,
		      const char *key)
{
	const yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = sla_scalar(node_at(c, p->key));

		if (k && !strcmp(k, key))
			return node_at(c, p->value);
	}
	return NULL;
}

static bool key_allowed(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(key, *keys))
			return true;
	return false;
}

static void join_keys(const char *const *keys, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *keys && used < len; keys++) {
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", *keys);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Same key twice: YAML forbids it and libyaml silently keeps both. */
static int check_duplicate(struct sla_ctx *c, const yaml_node_t *map,
			   const yaml_node_pair_t *pair, const char *key)
{
	const yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *k = node_at(c, p->key);
		const char *prev = sla_scalar(k);

		if (prev && !strcmp(prev, key)) {
			yaml_node_t *at = node_at(c, pair->key);
			size_t saved = sla_path_key(c, key);
			int ret = sla_fail(c, at, "each key once",
					   "'%s' again (first at line %u)",
					   key, sla_line(k));

			sla_path_restore(c, saved);
			return ret;
		}
	}
	return 0;
}

/* Unknown keys are errors: a typo must never silently drop a rule. */
static int check_key(struct sla_ctx *c, const yaml_node_t *map,
		     const yaml_node_pair_t *pair, const char *const *keys)
{
	yaml_node_t *k = node_at(c, pair->key);
	const char *key = sla_scalar(k);
	char allowed[512], expected[540];

	if (!key)
		return sla_fail_node(c, k, "a key name");
	if (!key_allowed(key, keys)) {
		join_keys(keys, allowed, sizeof(allowed));
		snprintf(expected, sizeof(expected), "one of %s", allowed);
		sla_path_key(c, key);
		return sla_fail(c, k, expected, "unknown key '%s'", key);
	}
	return check_duplicate(c, map, pair, key);
}

int sla_check_map(struct sla_ctx *c, const yaml_node_t *map,
		  const char *expected, const char *const *keys)
{
	const yaml_node_pair_t *p;
	int ret;

	if (map->type != YAML_MAPPING_NODE)
		return sla_fail_node(c, map, expected);
	for (p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		ret = check_key(c, map, p, keys);
		if (ret)
			return ret;
	}
	return 0;
}

int sla_parse_as(struct sla_ctx *c, yaml_node_t *n, const struct sla_type *t,
		 void *out)
{
	return t->parse(c, n, t, out);
}

int sla_get(struct sla_ctx *c, const yaml_node_t *map, const char *key,
	    bool required, const struct sla_type *t, void *out)
{
	yaml_node_t *n = sla_find(c, map, key);
	size_t saved = sla_path_key(c, key);
	char expected[512];
	int ret;

	if (!n) {
		if (!required) {
			sla_path_restore(c, saved);
			return 0;
		}
		sla_expected(t, expected, sizeof(expected));
		return sla_fail(c, map, expected, "nothing");
	}
	ret = t->parse(c, n, t, out);
	if (ret)
		return ret;
	sla_path_restore(c, saved);
	return 1;
}

int sla_get_uint(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 uint64_t min, uint64_t max, uint64_t *out)
{
	yaml_node_t *n;
	const char *text;
	char expected[96];
	size_t saved;
	double v;
	int ret = sla_get(c, map, key, false, &sla_t_node, &n);

	if (ret <= 0)
		return ret;
	saved = sla_path_key(c, key);
	snprintf(expected, sizeof(expected), "a whole number from %llu to %llu",
		 (unsigned long long)min, (unsigned long long)max);
	text = sla_scalar(n);
	/* Range first: converting an out-of-range double is undefined. */
	if (!text || sla_parse_number(text, &v) || v < (double)min ||
	    v > (double)max || v != (double)(uint64_t)v)
		return sla_fail_node(c, n, expected);
	*out = (uint64_t)v;
	sla_path_restore(c, saved);
	return 1;
}

int sla_open_seq(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 bool required, bool scalar_ok, const char *expected,
		 struct sla_seq *s)
{
	yaml_node_t *n = sla_find(c, map, key);

	s->outer_len = c->path_len;
	if (!n) {
		if (required) {
			sla_path_key(c, key);
			return sla_fail(c, map, expected, "nothing");
		}
		return 0;
	}
	sla_path_key(c, key);
	s->key_len = c->path_len;
	s->node = n;
	if (n->type == YAML_SEQUENCE_NODE) {
		s->n = (size_t)(n->data.sequence.items.top -
				n->data.sequence.items.start);
	} else if (scalar_ok && sla_scalar(n)) {
		s->n = 1;
	} else {
		return sla_fail_node(c, n, expected);
	}
	return 1;
}

yaml_node_t *sla_seq_item(struct sla_ctx *c, struct sla_seq *s, size_t i)
{
	sla_path_restore(c, s->key_len);
	if (s->node->type != YAML_SEQUENCE_NODE)
		return s->node;
	sla_path_index(c, i);
	return node_at(c, s->node->data.sequence.items.start[i]);
}

void sla_close_seq(struct sla_ctx *c, struct sla_seq *s)
{
	sla_path_restore(c, s->outer_len);
}

int sla_get_list(struct sla_ctx *c, const yaml_node_t *map, const char *key,
		 const char *expected, const struct sla_type *t, size_t size,
		 void **out, size_t *n)
{
	struct sla_seq s;
	char *items;
	int ret = sla_open_seq(c, map, key, false, true, expected, &s);

	if (ret <= 0)
		return ret;
	/* Never calloc(0): NULL would read as allocation failure. */
	items = calloc(s.n ? s.n : 1, size);
	if (!items)
		return -ENOMEM;
	*out = items;
	*n = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = sla_parse_as(c, sla_seq_item(c, &s, i), t,
				   items + i * size);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}
