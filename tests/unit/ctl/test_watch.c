// SPDX-License-Identifier: GPL-2.0
/* "watch add/del" arguments, the ADD/DEL_WATCH requests, and dump replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "genl.h"
#include "helpers.h"
#include "watch.h"

#define FAMILY_ID	0x2a

static int parse_add(const char *line, struct sg_watch *w, struct sg_error *e)
{
	struct args a;

	args_split(&a, line);
	memset(e, 0, sizeof(*e));
	return sg_watch_parse_add(a.argc, a.argv, w, e);
}

static void expect_usage(const char *line, const char *msg_part)
{
	struct sg_error e;
	struct sg_watch w;

	assert_int_equal(parse_add(line, &w, &e), -EINVAL);
	assert_true(e.usage);
	if (!strstr(e.msg, msg_part))
		fail_msg("'watch add %s': message lacks '%s': %s", line,
			 msg_part, e.msg);
}

static void add_defaults(void **state)
{
	struct sg_error e;
	struct sg_watch w;

	(void)state;
	assert_int_equal(parse_add("", &w, &e), 0);
	assert_int_equal(w.id, 0);
	assert_int_equal(w.family, AF_UNSPEC);
	assert_false(w.has_src);
	assert_false(w.has_dst);
	assert_false(w.has_proto);
	assert_false(w.has_ports);
	assert_int_equal(w.dir, SLAGUARD_DIR_ANY);
	assert_int_equal(w.action, SLAGUARD_WATCH_REPORT_NEW);
}

static void add_full_v4(void **state)
{
	struct sg_error e;
	struct sg_watch w;
	uint8_t want[4];

	(void)state;
	assert_int_equal(parse_add("id 7 src 10.0.0.0/8 dst 192.168.1.5 proto tcp port 22-23 dir in action sample 10",
				   &w, &e), 0);
	assert_int_equal(w.id, 7);
	assert_int_equal(w.family, AF_INET);
	assert_true(w.has_src);
	assert_int_equal(w.src.plen, 8);
	inet_pton(AF_INET, "10.0.0.0", want);
	assert_memory_equal(w.src.addr.b, want, 4);
	assert_true(w.has_dst);
	assert_int_equal(w.dst.plen, 32);
	inet_pton(AF_INET, "192.168.1.5", want);
	assert_memory_equal(w.dst.addr.b, want, 4);
	assert_true(w.has_proto);
	assert_int_equal(w.proto, IPPROTO_TCP);
	assert_true(w.has_ports);
	assert_int_equal(w.port_min, 22);
	assert_int_equal(w.port_max, 23);
	assert_int_equal(w.dir, SLAGUARD_DIR_IN);
	assert_int_equal(w.action, SLAGUARD_WATCH_SAMPLE);
	assert_int_equal(w.sample_n, 10);
}

static void add_family(void **state)
{
	struct sg_error e;
	struct sg_watch w;

	(void)state;
	assert_int_equal(parse_add("dst 2001:db8::/32 proto icmpv6", &w, &e), 0);
	assert_int_equal(w.family, AF_INET6);
	assert_int_equal(parse_add("family inet6 port 443", &w, &e), 0);
	assert_int_equal(w.family, AF_INET6);
	assert_int_equal(parse_add("family inet src 10.1.0.0/16", &w, &e), 0);
	assert_int_equal(w.family, AF_INET);
	/* "any" protocol is the same as none. */
	assert_int_equal(parse_add("proto any port 80", &w, &e), 0);
	assert_false(w.has_proto);

	expect_usage("src 10.0.0.0/8 dst 2001:db8::1", "one address family");
	expect_usage("family inet6 src 10.0.0.0/8", "does not fit src");
	expect_usage("family inet dst ::1", "does not fit dst");
	expect_usage("family ipx", "inet or inet6");
	expect_usage("src 2001:db8::/32 proto icmp", "use proto icmpv6");
	expect_usage("family inet proto icmpv6", "use proto icmp");
}

static void add_errors(void **state)
{
	(void)state;
	expect_usage("frob 1", "unknown argument 'frob'");
	expect_usage("src", "'src' needs a value");
	expect_usage("port", "port P|P-Q");
	expect_usage("src 10.0.0.0/8 src 10.0.0.0/8", "given twice");
	expect_usage("src 10.0.0.1/8", "host bits");
	expect_usage("id 0", "'id' must be between 1 and 4294967295");
	expect_usage("id 4294967296", "'id' must be between");
	expect_usage("id x", "decimal number");
	expect_usage("action sample", "needs N");
	expect_usage("action sample 0", "'sample' must be between 1");
	expect_usage("action sample x", "decimal number");
	expect_usage("action drop", "new or sample N");
	expect_usage("proto icmp port 80", "tcp and udp only");
	expect_usage("port 0", "matches no packet");
	expect_usage("port 70000", "0 to 65535");
	expect_usage("dir sideways", "in, out, forward or any");
}

static void build_add(void **state)
{
	char buf[SG_GENL_REQSIZE];
	const struct nlattr *tb[SLAGUARD_WATCH_MAX + 1];
	const struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct sg_error e;
	struct sg_watch w;
	uint8_t want[16];

	(void)state;
	assert_int_equal(parse_add("id 9 src 2001:db8::/48 proto udp port 53 dir out action sample 3",
				   &w, &e), 0);
	nlh = sg_watch_build_add(buf, FAMILY_ID, &w);

	assert_int_equal(nlh->nlmsg_type, FAMILY_ID);
	assert_true(nlh->nlmsg_flags & NLM_F_REQUEST);
	assert_true(mnl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, SLAGUARD_CMD_ADD_WATCH);
	assert_int_equal(genl->version, SLAGUARD_GENL_VERSION);

	nest_attrs(nlh, SLAGUARD_A_WATCH, tb, SLAGUARD_WATCH_MAX + 1);
	assert_non_null(tb[SLAGUARD_WATCH_ID]);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_WATCH_ID], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(tb[SLAGUARD_WATCH_ID]), 9);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_WATCH_FAMILY], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_FAMILY]), AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(tb[SLAGUARD_WATCH_SRC_ADDR]), 16);
	inet_pton(AF_INET6, "2001:db8::", want);
	assert_memory_equal(mnl_attr_get_payload(tb[SLAGUARD_WATCH_SRC_ADDR]),
			    want, 16);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_WATCH_SRC_PLEN], MNL_TYPE_U8), 0);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_SRC_PLEN]), 48);
	assert_null(tb[SLAGUARD_WATCH_DST_ADDR]);
	assert_null(tb[SLAGUARD_WATCH_DST_PLEN]);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_PROTO]), IPPROTO_UDP);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_WATCH_PORT_MIN], MNL_TYPE_U16), 0);
	assert_int_equal(mnl_attr_get_u16(tb[SLAGUARD_WATCH_PORT_MIN]), 53);
	assert_int_equal(mnl_attr_get_u16(tb[SLAGUARD_WATCH_PORT_MAX]), 53);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_DIRECTION]),
			 SLAGUARD_DIR_OUT);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_ACTION]),
			 SLAGUARD_WATCH_SAMPLE);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_WATCH_SAMPLE_N], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(tb[SLAGUARD_WATCH_SAMPLE_N]), 3);
	assert_null(tb[SLAGUARD_WATCH_HITS]);
	assert_int_equal(nest_count(nlh, SLAGUARD_A_WATCH), 10);
}

static void build_add_minimal(void **state)
{
	char buf[SG_GENL_REQSIZE];
	const struct nlattr *tb[SLAGUARD_WATCH_MAX + 1];
	struct nlmsghdr *nlh;
	struct sg_error e;
	struct sg_watch w;

	(void)state;
	assert_int_equal(parse_add("port 22", &w, &e), 0);
	nlh = sg_watch_build_add(buf, FAMILY_ID, &w);
	nest_attrs(nlh, SLAGUARD_A_WATCH, tb, SLAGUARD_WATCH_MAX + 1);
	/* No id (the kernel picks), no family, no prefixes, no sample. */
	assert_null(tb[SLAGUARD_WATCH_ID]);
	assert_null(tb[SLAGUARD_WATCH_FAMILY]);
	assert_null(tb[SLAGUARD_WATCH_SRC_ADDR]);
	assert_null(tb[SLAGUARD_WATCH_PROTO]);
	assert_null(tb[SLAGUARD_WATCH_SAMPLE_N]);
	assert_int_equal(mnl_attr_get_u16(tb[SLAGUARD_WATCH_PORT_MIN]), 22);
	assert_int_equal(mnl_attr_get_u16(tb[SLAGUARD_WATCH_PORT_MAX]), 22);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_DIRECTION]),
			 SLAGUARD_DIR_ANY);
	assert_int_equal(mnl_attr_get_u8(tb[SLAGUARD_WATCH_ACTION]),
			 SLAGUARD_WATCH_REPORT_NEW);
	assert_int_equal(nest_count(nlh, SLAGUARD_A_WATCH), 4);
}

static void del(void **state)
{
	char buf[SG_GENL_REQSIZE];
	const struct nlattr *tb[SLAGUARD_WATCH_MAX + 1];
	const struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	struct sg_error e = { 0 };
	struct args a;
	uint32_t id = 0;

	(void)state;
	args_split(&a, "5");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), 0);
	assert_int_equal(id, 5);
	args_split(&a, "id 6");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), 0);
	assert_int_equal(id, 6);
	args_split(&a, "");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "needs the id"));
	args_split(&a, "id");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "needs the id"));
	args_split(&a, "0");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), -EINVAL);
	args_split(&a, "5 6");
	assert_int_equal(sg_watch_parse_del(a.argc, a.argv, &id, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unexpected argument '6'"));

	nlh = sg_watch_build_del(buf, FAMILY_ID, 77);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, SLAGUARD_CMD_DEL_WATCH);
	nest_attrs(nlh, SLAGUARD_A_WATCH, tb, SLAGUARD_WATCH_MAX + 1);
	assert_int_equal(mnl_attr_get_u32(tb[SLAGUARD_WATCH_ID]), 77);
	assert_int_equal(nest_count(nlh, SLAGUARD_A_WATCH), 1);
}

/* A dump message as the module sends it (every field, HITS with a pad). */
static struct nlmsghdr *kernel_watch(char *buf, uint8_t family,
				     const void *src, size_t src_len,
				     uint8_t src_plen, uint16_t pmin,
				     uint16_t pmax)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_GET_WATCH, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_WATCH);
	mnl_attr_put_u32(nlh, SLAGUARD_WATCH_ID, 3);
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_FAMILY, family);
	if (src) {
		mnl_attr_put(nlh, SLAGUARD_WATCH_SRC_ADDR, src_len, src);
		mnl_attr_put_u8(nlh, SLAGUARD_WATCH_SRC_PLEN, src_plen);
	}
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_PROTO, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, SLAGUARD_WATCH_PORT_MIN, pmin);
	mnl_attr_put_u16(nlh, SLAGUARD_WATCH_PORT_MAX, pmax);
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_DIRECTION, SLAGUARD_DIR_IN);
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_ACTION, SLAGUARD_WATCH_REPORT_NEW);
	mnl_attr_put_u32(nlh, SLAGUARD_WATCH_SAMPLE_N, 1);
	mnl_attr_put(nlh, SLAGUARD_WATCH_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, SLAGUARD_WATCH_HITS, 12345678901ULL);
	mnl_attr_put_u32(nlh, 99, 0);	/* from a newer module */
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static const char *json_of(const struct sg_watch *w)
{
	static char out[512];
	struct json_object *o = sg_watch_to_json(w);

	assert_non_null(o);
	snprintf(out, sizeof(out), "%s",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

static void from_kernel(void **state)
{
	char buf[SG_GENL_REQSIZE];
	uint8_t addr[4] = { 10, 20, 0, 0 };
	struct nlmsghdr *nlh;
	struct sg_error e = { 0 };
	struct sg_watch w;

	(void)state;
	nlh = kernel_watch(buf, AF_INET, addr, 4, 16, 8000, 8080);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &w, &e), 0);
	assert_int_equal(w.id, 3);
	assert_true(w.has_src);
	assert_int_equal(w.src.plen, 16);
	assert_true(w.has_hits);
	assert_true(w.hits == 12345678901ULL);
	assert_string_equal(json_of(&w),
			    "{\"id\":3,\"family\":\"inet\",\"src\":\"10.20.0.0/16\",\"dst\":null,"
			    "\"proto\":\"tcp\",\"port_min\":8000,\"port_max\":8080,"
			    "\"direction\":\"in\",\"action\":\"new\",\"sample_n\":null,"
			    "\"hits\":12345678901}");

	/* The module sends ports 0-0 for "any port". */
	nlh = kernel_watch(buf, AF_INET, NULL, 0, 0, 0, 0);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &w, &e), 0);
	assert_false(w.has_ports);
	assert_false(w.has_src);
	assert_non_null(strstr(json_of(&w), "\"port_min\":null"));
}

static void from_kernel_malformed(void **state)
{
	char buf[SG_GENL_REQSIZE];
	uint8_t addr[16] = { 0 };
	struct nlmsghdr *nlh;
	struct sg_error e = { 0 };
	struct sg_watch w;

	(void)state;
	/* 16 bytes for AF_INET */
	nlh = kernel_watch(buf, AF_INET, addr, 16, 8, 0, 0);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &w, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "SLAGUARD_WATCH_SRC_ADDR"));
	/* 7 bytes */
	nlh = kernel_watch(buf, AF_INET, addr, 7, 8, 0, 0);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &w, &e), -EBADMSG);
	/* prefix longer than the address */
	nlh = kernel_watch(buf, AF_INET, addr, 4, 33, 0, 0);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &w, &e), -EBADMSG);
	/* a u32 where a u8 belongs */
	{
		struct nlattr *nest;

		nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_GET_WATCH, 0);
		nest = mnl_attr_nest_start(nlh, SLAGUARD_A_WATCH);
		mnl_attr_put_u32(nlh, SLAGUARD_WATCH_ID, 1);
		mnl_attr_put_u32(nlh, SLAGUARD_WATCH_DIRECTION, 1);
		mnl_attr_nest_end(nlh, nest);
		assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
						    &w, &e), -EBADMSG);
		assert_non_null(strstr(e.msg, "SLAGUARD_WATCH_DIRECTION"));
	}
}

/* What the CLI builds, the same parser reads back unchanged. */
static void round_trip(void **state)
{
	char buf[SG_GENL_REQSIZE];
	struct nlmsghdr *nlh;
	struct sg_error e;
	struct sg_watch in, out;

	(void)state;
	assert_int_equal(parse_add("id 4 dst fd00::/8 src fd00:1::/32 proto 132 dir forward action sample 7",
				   &in, &e), 0);
	nlh = sg_watch_build_add(buf, FAMILY_ID, &in);
	assert_int_equal(sg_watch_from_nest(sg_genl_nest(nlh, SLAGUARD_A_WATCH),
					    &out, &e), 0);
	assert_int_equal(out.id, in.id);
	assert_int_equal(out.family, AF_INET6);
	assert_memory_equal(&out.src, &in.src, sizeof(in.src));
	assert_memory_equal(&out.dst, &in.dst, sizeof(in.dst));
	assert_int_equal(out.proto, 132);
	assert_false(out.has_ports);
	assert_int_equal(out.dir, SLAGUARD_DIR_FORWARD);
	assert_int_equal(out.action, SLAGUARD_WATCH_SAMPLE);
	assert_int_equal(out.sample_n, 7);
	assert_false(out.has_hits);
	assert_string_equal(json_of(&out),
			    "{\"id\":4,\"family\":\"inet6\",\"src\":\"fd00:1::/32\",\"dst\":\"fd00::/8\","
			    "\"proto\":132,\"port_min\":null,\"port_max\":null,"
			    "\"direction\":\"forward\",\"action\":\"sample\",\"sample_n\":7,"
			    "\"hits\":null}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_defaults),
		cmocka_unit_test(add_full_v4),
		cmocka_unit_test(add_family),
		cmocka_unit_test(add_errors),
		cmocka_unit_test(build_add),
		cmocka_unit_test(build_add_minimal),
		cmocka_unit_test(del),
		cmocka_unit_test(from_kernel),
		cmocka_unit_test(from_kernel_malformed),
		cmocka_unit_test(round_trip),
	};

	return cmocka_run_group_tests_name("slaguardctl watch", tests, NULL,
					   NULL);
}
