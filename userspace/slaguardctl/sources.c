// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl.h"
#include "output.h"

const char sources_usage[] =
	"Usage: " PROG " [-j] sources\n"
	"\n"
	"Traffic sources the module tracks, with totals since first seen and the\n"
	"current rates. Root (CAP_NET_ADMIN in the initial user namespace) in the\n"
	"initial network namespace sees every namespace's sources; everyone else\n"
	"sees those of their own network namespace.\n";

static const enum mnl_attr_data_type src_types[SLAGUARD_SRC_MAX + 1] = {
	[SLAGUARD_SRC_NETNS] = MNL_TYPE_U32,
	[SLAGUARD_SRC_FAMILY] = MNL_TYPE_U8,
	[SLAGUARD_SRC_ADDR] = MNL_TYPE_BINARY,
	[SLAGUARD_SRC_PACKETS] = MNL_TYPE_U64,
	[SLAGUARD_SRC_BYTES] = MNL_TYPE_U64,
	[SLAGUARD_SRC_SYN] = MNL_TYPE_U64,
	[SLAGUARD_SRC_ICMP] = MNL_TYPE_U64,
	[SLAGUARD_SRC_UDP] = MNL_TYPE_U64,
	[SLAGUARD_SRC_PKT_RATE] = MNL_TYPE_U64,
	[SLAGUARD_SRC_BYTE_RATE] = MNL_TYPE_U64,
	[SLAGUARD_SRC_CONN_RATE] = MNL_TYPE_U64,
	[SLAGUARD_SRC_HALF_OPEN] = MNL_TYPE_U64,
	[SLAGUARD_SRC_PORTS] = MNL_TYPE_U64,
	[SLAGUARD_SRC_AGE_MS] = MNL_TYPE_U64,
	[SLAGUARD_SRC_IDLE_MS] = MNL_TYPE_U64,
};

/* JSON keys of the counters, in the order they are printed. */
static const struct {
	uint16_t attr;
	const char *key;
} src_keys[] = {
	{ SLAGUARD_SRC_PACKETS, "packets" },
	{ SLAGUARD_SRC_BYTES, "bytes" },
	{ SLAGUARD_SRC_SYN, "syn" },
	{ SLAGUARD_SRC_ICMP, "icmp" },
	{ SLAGUARD_SRC_UDP, "udp" },
	{ SLAGUARD_SRC_PKT_RATE, "pkt_rate" },
	{ SLAGUARD_SRC_BYTE_RATE, "byte_rate" },
	{ SLAGUARD_SRC_CONN_RATE, "conn_rate" },
	{ SLAGUARD_SRC_HALF_OPEN, "half_open" },
	{ SLAGUARD_SRC_PORTS, "ports" },
	{ SLAGUARD_SRC_AGE_MS, "age_ms" },
	{ SLAGUARD_SRC_IDLE_MS, "idle_ms" },
};

static const struct sg_column cols[] = {
	{ "NETNS", true }, { "ADDRESS", false }, { "PKTS", true },
	{ "BYTES", true }, { "PKT/S", true }, { "BYTE/S", true },
	{ "SYN/S", true }, { "HALFOPEN", true }, { "PORTS", true },
	{ "IDLE", true },
};

static void fmt_u64(const struct sg_attrs *a, uint16_t attr, char *buf,
		    size_t size)
{
	if (sg_attrs_has(a, attr))
		snprintf(buf, size, "%" PRIu64, a->val[attr]);
	else
		snprintf(buf, size, "-");
}

static int add_row(struct ctl_list *l, const struct sg_attrs *a,
		   const char *addr)
{
	char netns[16], pkts[24], bytes[24], pps[24], bps[24], syn[24];
	char half[24], ports[24], idle[24];
	const char *cells[] = { netns, addr, pkts, bytes, pps, bps, syn,
				half, ports, idle };

	fmt_u64(a, SLAGUARD_SRC_NETNS, netns, sizeof(netns));
	fmt_u64(a, SLAGUARD_SRC_PACKETS, pkts, sizeof(pkts));
	fmt_u64(a, SLAGUARD_SRC_BYTES, bytes, sizeof(bytes));
	fmt_u64(a, SLAGUARD_SRC_PKT_RATE, pps, sizeof(pps));
	fmt_u64(a, SLAGUARD_SRC_BYTE_RATE, bps, sizeof(bps));
	fmt_u64(a, SLAGUARD_SRC_CONN_RATE, syn, sizeof(syn));
	fmt_u64(a, SLAGUARD_SRC_HALF_OPEN, half, sizeof(half));
	fmt_u64(a, SLAGUARD_SRC_PORTS, ports, sizeof(ports));
	if (sg_attrs_has(a, SLAGUARD_SRC_IDLE_MS))
		sg_format_duration_ms(a->val[SLAGUARD_SRC_IDLE_MS], idle,
				      sizeof(idle));
	else
		snprintf(idle, sizeof(idle), "-");
	return ctl_list_add_row(l, cells);
}

static int add_json(struct ctl_list *l, const struct sg_attrs *a,
		    const char *addr, uint8_t family)
{
	struct json_object *o = json_object_new_object();
	const char *name = sg_family_name(family);
	size_t i;

	if (!o)
		return ctl_list_add_json(l, NULL);	/* out of memory */
	if (sg_attrs_has(a, SLAGUARD_SRC_NETNS))
		sg_json_add_u64(o, "netns", a->val[SLAGUARD_SRC_NETNS]);
	if (name)
		sg_json_add_str(o, "family", name);
	sg_json_add_str(o, "address", addr);
	for (i = 0; i < sizeof(src_keys) / sizeof(src_keys[0]); i++)
		if (sg_attrs_has(a, src_keys[i].attr))
			sg_json_add_u64(o, src_keys[i].key,
					a->val[src_keys[i].attr]);
	return ctl_list_add_json(l, o);
}

static int sources_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl_list *l = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_SOURCE);
	char addr[SG_ADDRSTRLEN];
	struct sg_attrs a;
	uint8_t family;
	size_t len;

	if (!nest)
		return MNL_CB_OK;
	if (sg_attrs_parse(nest, &a, src_types, SLAGUARD_SRC_MAX + 1) < 0 ||
	    !sg_attrs_has(&a, SLAGUARD_SRC_ADDR))
		goto bad;
	len = mnl_attr_get_payload_len(a.raw[SLAGUARD_SRC_ADDR]);
	family = (uint8_t)a.val[SLAGUARD_SRC_FAMILY];
	if ((len != 4 && len != 16) ||
	    (sg_attrs_has(&a, SLAGUARD_SRC_FAMILY) && sg_addr_len(family) != len))
		goto bad;
	family = len == 4 ? AF_INET : AF_INET6;
	sg_format_addr(mnl_attr_get_payload(a.raw[SLAGUARD_SRC_ADDR]), len,
		       addr, sizeof(addr));

	return ctl_cb_ret(l->array ? add_json(l, &a, addr, family) :
				    add_row(l, &a, addr));
bad:
	return ctl_cb_ret(ctl_bad_reply(l->c, "sources", "SLAGUARD_A_SOURCE"));
}

int cmd_sources(struct ctl *c, int argc, char **argv)
{
	struct ctl_list l = CTL_LIST(c, cols);

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(sources_usage, stdout);
		return 0;
	}
	if (argc > 0 && !(argc == 1 && (strcmp(argv[0], "list") == 0 ||
					 strcmp(argv[0], "show") == 0)))
		return sg_usage(&c->err, "'sources' takes no arguments, not '%s'",
				argv[0]);
	return ctl_list_dump(&l, SLAGUARD_CMD_GET_SOURCES, sources_cb, "sources");
}
