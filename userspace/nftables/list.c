// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_list.c - the countermeasure sets' elements as the kernel holds them,
 * read through libnftables' JSON listing (the format nft -j prints, so what
 * the backend reads is what an operator sees) and parsed with json-c.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <nftables/libnftables.h>

struct entries {
	struct nftb_entry *v;
	size_t len, cap;
};

static struct nftb_entry *entry_new(struct entries *es)
{
	if (es->len == es->cap) {
		size_t cap = es->cap ? es->cap * 2 : 64;
		struct nftb_entry *v = realloc(es->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		es->v = v;
		es->cap = cap;
	}
	memset(&es->v[es->len], 0, sizeof(es->v[0]));
	return &es->v[es->len++];
}

static const char *str_of(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static uint64_t u64_of(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

/*
 * "10.0.0.1", {"prefix": {"addr": A, "len": N}}, {"range": [A, B]} or a
 * destination {"concat": [A, PORT]} ("A . PORT").
 */
static int format_val(json_object *val, char *buf, size_t size)
{
	json_object *p, *r;

	if (json_object_object_get_ex(val, "concat", &r) &&
	    json_object_is_type(r, json_type_array) &&
	    json_object_array_length(r) == 2 &&
	    json_object_is_type(json_object_array_get_idx(r, 0), json_type_string) &&
	    json_object_is_type(json_object_array_get_idx(r, 1), json_type_int)) {
		snprintf(buf, size, "%s . %d",
			 json_object_get_string(json_object_array_get_idx(r, 0)),
			 json_object_get_int(json_object_array_get_idx(r, 1)));
		return 0;
	}
	if (json_object_is_type(val, json_type_string)) {
		snprintf(buf, size, "%s", json_object_get_string(val));
		return 0;
	}
	if (json_object_object_get_ex(val, "prefix", &p)) {
		const char *addr = str_of(p, "addr");

		if (!addr)
			return -EINVAL;
		snprintf(buf, size, "%s/%" PRIu64, addr, u64_of(p, "len"));
		return 0;
	}
	if (json_object_object_get_ex(val, "range", &r) &&
	    json_object_array_length(r) == 2) {
		snprintf(buf, size, "%s-%s",
			 json_object_get_string(json_object_array_get_idx(r, 0)),
			 json_object_get_string(json_object_array_get_idx(r, 1)));
		return 0;
	}
	return -EINVAL;
}

/* JSON prints timeouts in whole seconds. */
static void fill_options(struct nftb_entry *e, json_object *elem)
{
	const char *comment = str_of(elem, "comment");
	json_object *counter;

	e->timeout_ms = u64_of(elem, "timeout") * 1000;
	e->expires_ms = u64_of(elem, "expires") * 1000;
	if (comment)
		snprintf(e->comment, sizeof(e->comment), "%s", comment);
	if (json_object_object_get_ex(elem, "counter", &counter)) {
		e->packets = u64_of(counter, "packets");
		e->bytes = u64_of(counter, "bytes");
	}
	e->ours = nftb_comment_valid(e->comment);
}

static int add_elem(struct entries *es, enum nftb_set set, json_object *item)
{
	struct nftb_entry *e = entry_new(es);
	json_object *elem, *val = item;

	if (!e)
		return -ENOMEM;
	e->kind = nftb_set_kind(set);
	snprintf(e->set, sizeof(e->set), "%s", nftb_set_name(set));
	if (json_object_object_get_ex(item, "elem", &elem)) {
		if (!json_object_object_get_ex(elem, "val", &val))
			return -EINVAL;
		fill_options(e, elem);
	}
	return format_val(val, e->addr, sizeof(e->addr));
}

static int add_set(struct entries *es, json_object *set)
{
	const char *name = str_of(set, "name"), *table = str_of(set, "table");
	json_object *elems;
	int id, ret = 0;

	if (!name || !table || strcmp(table, NFTB_TABLE_NAME))
		return 0;
	id = nftb_set_by_name(name);
	if (id < 0 || !json_object_object_get_ex(set, "elem", &elems))
		return 0;
	for (size_t i = 0; i < json_object_array_length(elems) && !ret; i++)
		ret = add_elem(es, (enum nftb_set)id, json_object_array_get_idx(elems, i));
	return ret;
}

static int parse_listing(const char *text, struct entries *es)
{
	json_object *root = json_tokener_parse(text), *items, *set;
	int ret = 0;

	if (!root || !json_object_object_get_ex(root, "nftables", &items)) {
		json_object_put(root);
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(items) && !ret; i++)
		if (json_object_object_get_ex(json_object_array_get_idx(items, i), "set", &set))
			ret = add_set(es, set);
	json_object_put(root);
	return ret;
}

int nftb_list_kernel(struct nftb *nb, struct nftb_entry **entries, size_t *count)
{
	struct entries es = { 0 };
	int ret;

	*entries = NULL;
	*count = 0;
	ret = nftb_nft_run(nb, "list table inet " NFTB_TABLE_NAME, true);
	if (ret) {
		if (strstr(nb->err, "No such file or directory"))
			return nftb_fail(nb, -ENOENT, "table inet %s does not exist",
					 NFTB_TABLE_NAME);
		return ret;
	}
	ret = parse_listing(nft_ctx_get_output_buffer(nb->nft), &es);
	if (ret) {
		free(es.v);
		return nftb_fail(nb, ret, ret == -ENOMEM ? "out of memory reading the listing" :
				 "cannot parse libnftables' JSON listing");
	}
	*entries = es.v;
	*count = es.len;
	return 0;
}

int nftb_entry_key(const struct nftb_entry *e, struct nftb_key *key)
{
	char err[160];

	return nftb_key_parse(e->addr, key, err, sizeof(err));
}
