// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"
#include "output.h"
#include "tasks.h"
#include "watch.h"

const char watch_usage[] =
	"Usage: " PROG " [-j] watch add [id N] [family inet|inet6] [src PREFIX] [dst PREFIX]\n"
	"                          [proto tcp|udp|icmp|icmpv6|NUM] [port P|P-Q]\n"
	"                          [dir in|out|forward|any] [action new|sample N]\n"
	"       " PROG " watch del [id] ID\n"
	"       " PROG " [-j] watch list\n"
	"       " PROG " [-j] watch add task [id N] pid N|comm NAME|cgroup PATH\n"
	"       " PROG " watch del task ID\n"
	"       " PROG " [-j] watch list task\n"
	"\n"
	"A watch reports packets that match every field given (absent fields match\n"
	"anything) as WATCH_HIT events. PREFIX is ADDRESS[/LEN] with zero host bits;\n"
	"the address family follows from the prefixes. port P-Q is a destination port\n"
	"range for tcp and udp. action new (default) reports each new connection,\n"
	"action sample N one matching packet in N. dir defaults to any.\n"
	"'watch add' prints the id of the new watch.\n"
	"\n"
	"A task watch selects processes for the system monitor (see 'tasks'):\n"
	"a process id, a command name (exact, at most 15 characters; it also covers\n"
	"processes started later), or a cgroup v2 directory and those below it\n"
	"(PATH below /sys/fs/cgroup). Task watches have their own ids.\n";

enum add_key { K_ID, K_FAMILY, K_SRC, K_DST, K_PROTO, K_PORT, K_DIR, K_ACTION };

static const struct {
	const char *name;
	const char *syntax;
} add_keys[] = {
	[K_ID] = { "id", "id N (1-4294967295)" },
	[K_FAMILY] = { "family", "family inet|inet6" },
	[K_SRC] = { "src", "src ADDRESS[/LEN]" },
	[K_DST] = { "dst", "dst ADDRESS[/LEN]" },
	[K_PROTO] = { "proto", "proto tcp|udp|icmp|icmpv6|NUM" },
	[K_PORT] = { "port", "port P|P-Q" },
	[K_DIR] = { "dir", "dir in|out|forward|any" },
	[K_ACTION] = { "action", "action new|sample N" },
};

#define NKEYS	(sizeof(add_keys) / sizeof(add_keys[0]))

static int find_key(const char *s)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(s, add_keys[i].name) == 0)
			return (int)i;
	return -1;
}

static const char *family_kind(uint8_t family)
{
	return family == AF_INET ? "an IPv4" : "an IPv6";
}

/* Everything that is wrong only in combination. */
static int check_add(struct sg_watch *w, bool has_family, uint8_t family,
		     char **src, char **dst, struct sg_error *e)
{
	if (w->has_src && w->has_dst && w->src.family != w->dst.family)
		return sg_usage(e, "src %s is %s prefix but dst %s is %s prefix; a watch matches one address family",
				*src, family_kind(w->src.family), *dst,
				family_kind(w->dst.family));
	if (has_family && w->has_src && w->src.family != family)
		return sg_usage(e, "'family %s' does not fit src %s, %s prefix",
				sg_family_name(family), *src,
				family_kind(w->src.family));
	if (has_family && w->has_dst && w->dst.family != family)
		return sg_usage(e, "'family %s' does not fit dst %s, %s prefix",
				sg_family_name(family), *dst,
				family_kind(w->dst.family));
	if (has_family)
		w->family = family;
	else if (w->has_src)
		w->family = w->src.family;
	else if (w->has_dst)
		w->family = w->dst.family;

	if (w->has_proto && w->proto == IPPROTO_ICMP && w->family == AF_INET6)
		return sg_usage(e, "proto icmp is for IPv4; use proto icmpv6 with IPv6");
	if (w->has_proto && w->proto == IPPROTO_ICMPV6 && w->family == AF_INET)
		return sg_usage(e, "proto icmpv6 is for IPv6; use proto icmp with IPv4");
	if (w->has_ports && w->has_proto && w->proto != 0 &&
	    w->proto != IPPROTO_TCP && w->proto != IPPROTO_UDP)
		return sg_usage(e, "'port' applies to tcp and udp only; use proto tcp or udp, or drop port");
	if (w->has_proto && w->proto == 0)
		w->has_proto = false;
	return 0;
}

int sg_watch_parse_add(int argc, char **argv, struct sg_watch *w,
		       struct sg_error *e)
{
	bool seen[NKEYS] = { false };
	bool has_family = false;
	uint8_t family = AF_UNSPEC;
	char *src = NULL, *dst = NULL;
	int i, ret = 0;

	memset(w, 0, sizeof(*w));
	w->dir = SLAGUARD_DIR_ANY;
	w->action = SLAGUARD_WATCH_REPORT_NEW;

	for (i = 0; i < argc; i += 2) {
		int k = find_key(argv[i]);
		char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (k < 0)
			return sg_usage(e, "unknown argument '%s' for 'watch add'; expected: id, family, src, dst, proto, port, dir or action",
					argv[i]);
		if (seen[k])
			return sg_usage(e, "'%s' is given twice", argv[i]);
		seen[k] = true;
		if (!val)
			return sg_usage(e, "'%s' needs a value: %s", argv[i],
					add_keys[k].syntax);
		switch (k) {
		case K_ID:
			ret = sg_parse_u32("id", val, 1, UINT32_MAX, &w->id, e);
			break;
		case K_FAMILY:
			ret = sg_parse_family(val, &family, e);
			has_family = true;
			break;
		case K_SRC:
			ret = sg_parse_prefix("src", val, &w->src, e);
			w->has_src = true;
			src = val;
			break;
		case K_DST:
			ret = sg_parse_prefix("dst", val, &w->dst, e);
			w->has_dst = true;
			dst = val;
			break;
		case K_PROTO:
			ret = sg_parse_proto(val, &w->proto, e);
			w->has_proto = true;
			break;
		case K_PORT:
			ret = sg_parse_ports(val, &w->port_min, &w->port_max, e);
			if (ret == 0 && w->port_max == 0)
				return sg_usage(e, "'port 0' matches no packet; leave 'port' out to match any port");
			w->has_ports = true;
			break;
		case K_DIR:
			ret = sg_parse_dir(val, &w->dir, e);
			break;
		case K_ACTION:
			if (strcmp(val, "new") == 0) {
				w->action = SLAGUARD_WATCH_REPORT_NEW;
			} else if (strcmp(val, "sample") == 0) {
				if (i + 2 >= argc)
					return sg_usage(e, "'action sample' needs N: action sample N (report 1 packet in N, N >= 1)");
				w->action = SLAGUARD_WATCH_SAMPLE;
				ret = sg_parse_u32("sample", argv[i + 2], 1,
						   UINT32_MAX, &w->sample_n, e);
				i++;
			} else {
				return sg_usage(e, "'action' needs new or sample N, not '%s'",
						val);
			}
			break;
		}
		if (ret < 0)
			return ret;
	}
	return check_add(w, has_family, family, &src, &dst, e);
}

int sg_watch_parse_del(int argc, char **argv, uint32_t *id,
		       struct sg_error *e)
{
	if (argc == 2 && strcmp(argv[0], "id") == 0)
		return sg_parse_u32("id", argv[1], 1, UINT32_MAX, id, e);
	if (argc == 1 && strcmp(argv[0], "id") != 0)
		return sg_parse_u32("id", argv[0], 1, UINT32_MAX, id, e);
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "id") == 0))
		return sg_usage(e, "'watch del' needs the id of a watch: watch del [id] ID (see 'watch list')");
	return sg_usage(e, "unexpected argument '%s' for 'watch del'; usage: watch del [id] ID",
			argv[argc - 1]);
}

static const enum mnl_attr_data_type watch_types[SLAGUARD_WATCH_MAX + 1] = {
	[SLAGUARD_WATCH_ID] = MNL_TYPE_U32,
	[SLAGUARD_WATCH_FAMILY] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_SRC_ADDR] = MNL_TYPE_BINARY,
	[SLAGUARD_WATCH_SRC_PLEN] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_DST_ADDR] = MNL_TYPE_BINARY,
	[SLAGUARD_WATCH_DST_PLEN] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_PROTO] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_PORT_MIN] = MNL_TYPE_U16,
	[SLAGUARD_WATCH_PORT_MAX] = MNL_TYPE_U16,
	[SLAGUARD_WATCH_DIRECTION] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_ACTION] = MNL_TYPE_U8,
	[SLAGUARD_WATCH_SAMPLE_N] = MNL_TYPE_U32,
	[SLAGUARD_WATCH_HITS] = MNL_TYPE_U64,
};

static const char *const watch_attr_names[SLAGUARD_WATCH_MAX + 1] = {
	[SLAGUARD_WATCH_ID] = "SLAGUARD_WATCH_ID",
	[SLAGUARD_WATCH_FAMILY] = "SLAGUARD_WATCH_FAMILY",
	[SLAGUARD_WATCH_SRC_ADDR] = "SLAGUARD_WATCH_SRC_ADDR",
	[SLAGUARD_WATCH_SRC_PLEN] = "SLAGUARD_WATCH_SRC_PLEN",
	[SLAGUARD_WATCH_DST_ADDR] = "SLAGUARD_WATCH_DST_ADDR",
	[SLAGUARD_WATCH_DST_PLEN] = "SLAGUARD_WATCH_DST_PLEN",
	[SLAGUARD_WATCH_PROTO] = "SLAGUARD_WATCH_PROTO",
	[SLAGUARD_WATCH_PORT_MIN] = "SLAGUARD_WATCH_PORT_MIN",
	[SLAGUARD_WATCH_PORT_MAX] = "SLAGUARD_WATCH_PORT_MAX",
	[SLAGUARD_WATCH_DIRECTION] = "SLAGUARD_WATCH_DIRECTION",
	[SLAGUARD_WATCH_ACTION] = "SLAGUARD_WATCH_ACTION",
	[SLAGUARD_WATCH_SAMPLE_N] = "SLAGUARD_WATCH_SAMPLE_N",
	[SLAGUARD_WATCH_HITS] = "SLAGUARD_WATCH_HITS",
};

static int get_prefix(const struct sg_attrs *a, uint16_t addr_type,
		      uint16_t plen_type, uint8_t family, struct sg_prefix *p)
{
	const struct nlattr *attr = a->raw[addr_type];
	size_t len = mnl_attr_get_payload_len(attr);
	unsigned int bits;

	if (len != 4 && len != 16)
		return -EBADMSG;
	if (family && sg_addr_len(family) != len)
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(p->addr.b, mnl_attr_get_payload(attr), len);
	bits = (unsigned int)len * 8;
	p->plen = (uint8_t)bits;
	if (sg_attrs_has(a, plen_type)) {
		if (a->val[plen_type] > bits)
			return -EBADMSG;
		p->plen = (uint8_t)a->val[plen_type];
	}
	return 0;
}

int sg_watch_from_nest(const struct nlattr *nest, struct sg_watch *w,
		       struct sg_error *e)
{
	struct sg_attrs a;
	uint16_t bad = 0;

	memset(w, 0, sizeof(*w));
	if (sg_attrs_parse(nest, &a, watch_types, SLAGUARD_WATCH_MAX + 1) < 0) {
		bad = a.bad;
		goto bad;
	}
	w->id = (uint32_t)a.val[SLAGUARD_WATCH_ID];
	w->family = (uint8_t)a.val[SLAGUARD_WATCH_FAMILY];
	if (w->family && !sg_addr_len(w->family)) {
		bad = SLAGUARD_WATCH_FAMILY;
		goto bad;
	}
	if (sg_attrs_has(&a, SLAGUARD_WATCH_SRC_ADDR)) {
		bad = SLAGUARD_WATCH_SRC_ADDR;
		if (get_prefix(&a, SLAGUARD_WATCH_SRC_ADDR,
			       SLAGUARD_WATCH_SRC_PLEN, w->family, &w->src) < 0)
			goto bad;
		w->has_src = true;
		w->family = w->src.family;
	}
	if (sg_attrs_has(&a, SLAGUARD_WATCH_DST_ADDR)) {
		bad = SLAGUARD_WATCH_DST_ADDR;
		if (get_prefix(&a, SLAGUARD_WATCH_DST_ADDR,
			       SLAGUARD_WATCH_DST_PLEN, w->family, &w->dst) < 0)
			goto bad;
		w->has_dst = true;
		w->family = w->dst.family;
	}
	w->proto = (uint8_t)a.val[SLAGUARD_WATCH_PROTO];
	w->has_proto = w->proto != 0;
	if (sg_attrs_has(&a, SLAGUARD_WATCH_PORT_MIN)) {
		w->has_ports = true;
		w->port_min = (uint16_t)a.val[SLAGUARD_WATCH_PORT_MIN];
		w->port_max = w->port_min;
		if (sg_attrs_has(&a, SLAGUARD_WATCH_PORT_MAX))
			w->port_max = (uint16_t)a.val[SLAGUARD_WATCH_PORT_MAX];
		/* The kernel sends 0-0 for "any port". */
		if (w->port_max == 0 ||
		    (w->port_min == 0 && w->port_max == 65535))
			w->has_ports = false;
	}
	w->dir = (uint8_t)a.val[SLAGUARD_WATCH_DIRECTION];
	w->action = (uint8_t)a.val[SLAGUARD_WATCH_ACTION];
	w->sample_n = (uint32_t)a.val[SLAGUARD_WATCH_SAMPLE_N];
	w->has_hits = sg_attrs_has(&a, SLAGUARD_WATCH_HITS);
	w->hits = a.val[SLAGUARD_WATCH_HITS];
	return 0;
bad:
	return sg_fail(e, -EBADMSG, "malformed %s in a watch from the kernel",
		       bad <= SLAGUARD_WATCH_MAX && watch_attr_names[bad] ?
		       watch_attr_names[bad] : "SLAGUARD_A_WATCH");
}

static void fmt_proto(uint8_t proto, char *buf, size_t size)
{
	sg_format_name(proto ? sg_proto_name(proto) : "any", "", proto, buf,
		       size);
}

static void fmt_ports(const struct sg_watch *w, char *buf, size_t size)
{
	if (!w->has_ports)
		snprintf(buf, size, "any");
	else if (w->port_min == w->port_max)
		snprintf(buf, size, "%u", w->port_min);
	else
		snprintf(buf, size, "%u-%u", w->port_min, w->port_max);
}

static void fmt_action(const struct sg_watch *w, char *buf, size_t size)
{
	if (w->action == SLAGUARD_WATCH_SAMPLE)
		snprintf(buf, size, "sample 1/%" PRIu32, w->sample_n);
	else
		sg_format_name(sg_action_name(w->action), "ACTION_", w->action,
			       buf, size);
}

static void fmt_dir(uint8_t dir, char *buf, size_t size)
{
	sg_format_name(sg_dir_name(dir), "DIR_", dir, buf, size);
}

struct json_object *sg_watch_to_json(const struct sg_watch *w)
{
	struct json_object *o = json_object_new_object();
	char buf[SG_ADDRSTRLEN];
	const char *name;

	if (!o)
		return NULL;
	sg_json_add_u64(o, "id", w->id);
	name = sg_family_name(w->family);
	if (name)
		sg_json_add_str(o, "family", name);
	else
		sg_json_add_null(o, "family");
	if (w->has_src) {
		sg_format_prefix(&w->src, buf, sizeof(buf));
		sg_json_add_str(o, "src", buf);
	} else {
		sg_json_add_null(o, "src");
	}
	if (w->has_dst) {
		sg_format_prefix(&w->dst, buf, sizeof(buf));
		sg_json_add_str(o, "dst", buf);
	} else {
		sg_json_add_null(o, "dst");
	}
	if (w->has_proto)
		sg_json_add_name(o, "proto", sg_proto_name(w->proto), w->proto);
	else
		sg_json_add_null(o, "proto");
	if (w->has_ports) {
		sg_json_add_u64(o, "port_min", w->port_min);
		sg_json_add_u64(o, "port_max", w->port_max);
	} else {
		sg_json_add_null(o, "port_min");
		sg_json_add_null(o, "port_max");
	}
	fmt_dir(w->dir, buf, sizeof(buf));
	sg_json_add_str(o, "direction", buf);
	sg_json_add_name(o, "action", sg_action_name(w->action), w->action);
	if (w->action == SLAGUARD_WATCH_SAMPLE)
		sg_json_add_u64(o, "sample_n", w->sample_n);
	else
		sg_json_add_null(o, "sample_n");
	if (w->has_hits)
		sg_json_add_u64(o, "hits", w->hits);
	else
		sg_json_add_null(o, "hits");
	return o;
}

struct add_reply {
	struct ctl *c;
	uint32_t id;
};

static int add_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct add_reply *r = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_WATCH);
	struct sg_watch w;

	if (!nest)
		return ctl_cb_ret(ctl_bad_reply(r->c, "watch add",
						"reply without SLAGUARD_A_WATCH"));
	if (sg_watch_from_nest(nest, &w, &r->c->err) < 0)
		return ctl_cb_ret(-EBADMSG);
	r->id = w.id;
	return MNL_CB_OK;
}

static int watch_add(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	struct add_reply r = { .c = c };
	struct sg_watch w;
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0 && strcmp(argv[0], "task") == 0)
		return ctl_twatch_add(c, argc - 1, argv + 1);
	ret = sg_watch_parse_add(argc, argv, &w, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	nlh = sg_watch_build_add(req, c->nl.family_id, &w);
	ret = ctl_talk(c, nlh, add_reply_cb, &r, "watch add");
	if (ret == -EEXIST && w.id)
		return sg_fail(&c->err, ret,
			       "watch add: watch %" PRIu32 " already exists; pick another id or leave id out",
			       w.id);
	if (ret == -ENOSPC || ret == -E2BIG)
		return sg_fail(&c->err, ret,
			       "watch add: no room for another watch (at most %d per network namespace); delete one first",
			       SLAGUARD_MAX_WATCHES);
	if (ret < 0)
		return ret;
	if (!r.id)
		return ctl_bad_reply(c, "watch add", "reply without SLAGUARD_WATCH_ID");
	return ctl_print_id(c, r.id);
}

static int watch_del(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	uint32_t id;
	int ret;

	if (argc > 0 && strcmp(argv[0], "task") == 0)
		return ctl_twatch_del(c, argc - 1, argv + 1);
	ret = sg_watch_parse_del(argc, argv, &id, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	ret = ctl_talk(c, sg_watch_build_del(req, c->nl.family_id, id), NULL,
		       NULL, "watch del");
	if (ret == -ENOENT)
		return sg_fail(&c->err, ret,
			       "watch del: there is no watch %" PRIu32 " (see 'watch list')",
			       id);
	return ret;
}

static const struct sg_column list_cols[] = {
	{ "ID", true }, { "FAMILY", false }, { "SRC", false },
	{ "DST", false }, { "PROTO", false }, { "PORT", false },
	{ "DIR", false }, { "ACTION", false }, { "HITS", true },
};

static int list_row(struct ctl_list *l, const struct sg_watch *w)
{
	char id[16], src[SG_ADDRSTRLEN], dst[SG_ADDRSTRLEN], proto[8];
	char ports[16], dir[16], action[32], hits[24];
	const char *family = sg_family_name(w->family);
	const char *cells[] = { id, family ? family : "any", src, dst, proto,
				ports, dir, action, hits };

	snprintf(id, sizeof(id), "%" PRIu32, w->id);
	if (w->has_src)
		sg_format_prefix(&w->src, src, sizeof(src));
	else
		snprintf(src, sizeof(src), "any");
	if (w->has_dst)
		sg_format_prefix(&w->dst, dst, sizeof(dst));
	else
		snprintf(dst, sizeof(dst), "any");
	fmt_proto(w->proto, proto, sizeof(proto));
	fmt_ports(w, ports, sizeof(ports));
	fmt_dir(w->dir, dir, sizeof(dir));
	fmt_action(w, action, sizeof(action));
	if (w->has_hits)
		snprintf(hits, sizeof(hits), "%" PRIu64, w->hits);
	else
		snprintf(hits, sizeof(hits), "-");
	return ctl_list_add_row(l, cells);
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl_list *l = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_WATCH);
	struct sg_watch w;
	int ret;

	if (!nest)
		return MNL_CB_OK;
	ret = sg_watch_from_nest(nest, &w, &l->c->err);
	if (ret == 0)
		ret = l->array ? ctl_list_add_json(l, sg_watch_to_json(&w)) :
				 list_row(l, &w);
	return ctl_cb_ret(ret);
}

static int watch_list(struct ctl *c, int argc, char **argv)
{
	struct ctl_list l = CTL_LIST(c, list_cols);
	int ret;

	if (argc == 1 && strcmp(argv[0], "task") == 0)
		return ctl_twatch_list(c, false);
	if (argc > 0)
		return sg_usage(&c->err, "'watch list' takes no arguments or 'task', not '%s'",
				argv[0]);
	ret = ctl_list_dump(&l, SLAGUARD_CMD_GET_WATCH, list_cb, "watch list");
	/* People see the task watches too; -j keeps one array of one kind. */
	if (ret == 0 && !c->json)
		ret = ctl_twatch_list(c, true);
	return ret;
}

static const struct ctl_cmd watch_cmds[] = {
	{ "add", watch_add, "add a watch rule" },
	{ "del", watch_del, "delete a watch rule" },
	{ "list", watch_list, "list watch rules" },
};

int cmd_watch(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, "watch", watch_cmds,
			    sizeof(watch_cmds) / sizeof(watch_cmds[0]), "list",
			    watch_usage, argc, argv);
}
