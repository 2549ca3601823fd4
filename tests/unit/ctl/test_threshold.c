// SPDX-License-Identifier: GPL-2.0
/* "threshold set" arguments, the SET_THRESHOLDS request, the show reply. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/slaguard.h>

#include "ctl.h"
#include "genl.h"
#include "helpers.h"
#include "threshold.h"

#define FAMILY_ID	0x2b

static int parse_set(const char *line, struct sg_thresholds *t,
		     struct sg_error *e)
{
	struct args a;

	args_split(&a, line);
	memset(e, 0, sizeof(*e));
	return sg_thr_parse_set(a.argc, a.argv, t, e);
}

static void expect_usage(const char *line, const char *msg_part)
{
	struct sg_thresholds t;
	struct sg_error e;

	assert_int_equal(parse_set(line, &t, &e), -EINVAL);
	assert_true(e.usage);
	if (!strstr(e.msg, msg_part))
		fail_msg("'threshold set %s': message lacks '%s': %s", line,
			 msg_part, e.msg);
}

static void set_parse(void **state)
{
	struct sg_thresholds t;
	struct sg_error e;

	(void)state;
	assert_int_equal(parse_set("window 2000 bandwidth 125M conn-rate 0", &t,
				   &e), 0);
	assert_true(t.present == ((1ULL << SLAGUARD_THR_WINDOW_MS) |
				  (1ULL << SLAGUARD_THR_BANDWIDTH_BPS) |
				  (1ULL << SLAGUARD_THR_CONN_RATE)));
	assert_true(t.val[SLAGUARD_THR_WINDOW_MS] == 2000);
	assert_true(t.val[SLAGUARD_THR_BANDWIDTH_BPS] == 125000000ULL);
	assert_true(t.val[SLAGUARD_THR_CONN_RATE] == 0);

	assert_int_equal(parse_set("holdoff 100 portscan 20 syn-half-open 64 icmp-rate 50 watch-events 10",
				   &t, &e), 0);
	assert_true(t.val[SLAGUARD_THR_HOLDOFF_MS] == 100);
	assert_true(t.val[SLAGUARD_THR_PORTSCAN_PORTS] == 20);
	assert_true(t.val[SLAGUARD_THR_SYN_HALF_OPEN] == 64);
	assert_true(t.val[SLAGUARD_THR_ICMP_RATE] == 50);
	assert_true(t.val[SLAGUARD_THR_WATCH_EVENTS] == 10);
	assert_false(t.present & (1ULL << SLAGUARD_THR_WINDOW_MS));
}

/* The destination and slow-scan detectors' settings. */
static void set_parse_detectors(void **state)
{
	struct sg_thresholds t;
	struct sg_error e;

	(void)state;
	assert_int_equal(parse_set("dst-half-open 500 slow-ports 60 slow-window 300000",
				   &t, &e), 0);
	assert_true(t.present == ((1ULL << SLAGUARD_THR_DST_HALF_OPEN) |
				  (1ULL << SLAGUARD_THR_SLOW_PORTS) |
				  (1ULL << SLAGUARD_THR_SLOW_WINDOW_MS)));
	assert_true(t.val[SLAGUARD_THR_DST_HALF_OPEN] == 500);
	assert_true(t.val[SLAGUARD_THR_SLOW_PORTS] == 60);
	assert_true(t.val[SLAGUARD_THR_SLOW_WINDOW_MS] == 300000);
	expect_usage("slow-window 59999", "between 60000 and 3600000");
	expect_usage("slow-ports 1001", "between 0 and 1000");
	expect_usage("dst-half-open", "'dst-half-open' needs a value");
}

static void set_errors(void **state)
{
	(void)state;
	expect_usage("", "at least one KEY VALUE pair");
	expect_usage("window", "'window' needs a value");
	expect_usage("window 99", "between 100 and 60000");
	expect_usage("window 60001", "between 100 and 60000");
	expect_usage("holdoff 3600001", "between 100 and 3600000");
	expect_usage("conn-rate 4294967296", "between 0 and 4294967295");
	expect_usage("conn-rate -1", "decimal number");
	expect_usage("bandwidth 10Mbit", "k, M, G or T");
	expect_usage("bandwidth 99999999999T", "too large");
	expect_usage("portscan 5 portscan 6", "given twice");
	expect_usage("speed 5", "unknown argument 'speed'");
}

static void set_build(void **state)
{
	char buf[SG_GENL_REQSIZE];
	const struct nlattr *tb[SLAGUARD_THR_MAX + 1];
	const struct genlmsghdr *genl;
	struct sg_thresholds t;
	struct nlmsghdr *nlh;
	struct sg_error e;

	(void)state;
	assert_int_equal(parse_set("window 500 bandwidth 5G icmp-rate 7", &t, &e),
			 0);
	nlh = sg_thr_build_set(buf, FAMILY_ID, &t);
	assert_int_equal(nlh->nlmsg_type, FAMILY_ID);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, SLAGUARD_CMD_SET_THRESHOLDS);
	nest_attrs(nlh, SLAGUARD_A_THRESHOLDS, tb, SLAGUARD_THR_MAX + 1);
	assert_int_equal(nest_count(nlh, SLAGUARD_A_THRESHOLDS), 3);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_THR_WINDOW_MS], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(tb[SLAGUARD_THR_WINDOW_MS]), 500);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_THR_BANDWIDTH_BPS], MNL_TYPE_U64), 0);
	assert_true(mnl_attr_get_u64(tb[SLAGUARD_THR_BANDWIDTH_BPS]) ==
		    5000000000ULL);
	assert_int_equal(mnl_attr_validate(tb[SLAGUARD_THR_ICMP_RATE], MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(tb[SLAGUARD_THR_ICMP_RATE]), 7);
	assert_null(tb[SLAGUARD_THR_HOLDOFF_MS]);
}

static void show_reply(void **state)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_thresholds t;
	struct sg_error e = { 0 };
	struct json_object *o;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_GET_THRESHOLDS, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_THRESHOLDS);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_WINDOW_MS, 1000);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_HOLDOFF_MS, 10000);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_PORTSCAN_PORTS, 20);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_SYN_HALF_OPEN, 100);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_CONN_RATE, 50);
	mnl_attr_put(nlh, SLAGUARD_THR_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, SLAGUARD_THR_BANDWIDTH_BPS, 0);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_ICMP_RATE, 100);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_WATCH_EVENTS, 10);
	mnl_attr_put_u64(nlh, 60, 1);	/* from a newer module */
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(sg_thr_from_nest(sg_genl_nest(nlh, SLAGUARD_A_THRESHOLDS),
					  &t, &e), 0);
	o = sg_thr_to_json(&t);
	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"window_ms\":1000,\"holdoff_ms\":10000,\"portscan_ports\":20,"
			    "\"syn_half_open\":100,\"conn_rate\":50,\"bandwidth_bps\":0,"
			    "\"icmp_rate\":100,\"watch_events\":10}");
	json_object_put(o);

	/* BANDWIDTH as a u32 is malformed. */
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_GET_THRESHOLDS, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_THRESHOLDS);
	mnl_attr_put_u32(nlh, SLAGUARD_THR_BANDWIDTH_BPS, 5);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_thr_from_nest(sg_genl_nest(nlh, SLAGUARD_A_THRESHOLDS),
					  &t, &e), -EBADMSG);
	assert_false(e.usage);
}

/* The kernel's extended ack points at an attribute by its offset. */
static void error_offset(void **state)
{
	char buf[SG_GENL_REQSIZE];
	const struct nlattr *tb[SLAGUARD_THR_MAX + 1];
	struct sg_thresholds t;
	struct nlmsghdr *nlh;
	struct sg_genl g;
	struct sg_error e;
	uint16_t nest = 0, type = 0;

	(void)state;
	assert_int_equal(parse_set("window 500 portscan 999", &t, &e), 0);
	nlh = sg_thr_build_set(buf, FAMILY_ID, &t);
	nest_attrs(nlh, SLAGUARD_A_THRESHOLDS, tb, SLAGUARD_THR_MAX + 1);

	memset(&g, 0, sizeof(g));
	g.err_offset = (const char *)tb[SLAGUARD_THR_PORTSCAN_PORTS] -
		       (const char *)nlh;
	assert_int_equal(sg_genl_err_attr(&g, nlh, &nest, &type), 0);
	assert_int_equal(nest, SLAGUARD_A_THRESHOLDS);
	assert_int_equal(type, SLAGUARD_THR_PORTSCAN_PORTS);
	assert_string_equal(ctl_attr_word(nest, type), "portscan");

	/* the nest itself */
	g.err_offset = (const char *)tb[SLAGUARD_THR_WINDOW_MS] -
		       (const char *)nlh - (int)sizeof(struct nlattr);
	assert_int_equal(sg_genl_err_attr(&g, nlh, &nest, &type), 0);
	assert_int_equal(nest, 0);
	assert_int_equal(type, SLAGUARD_A_THRESHOLDS);
	assert_null(ctl_attr_word(nest, type));

	/* between attributes, past the end, or not given */
	g.err_offset = (const char *)tb[SLAGUARD_THR_WINDOW_MS] -
		       (const char *)nlh + 2;
	assert_int_equal(sg_genl_err_attr(&g, nlh, &nest, &type), -ENOENT);
	g.err_offset = nlh->nlmsg_len;
	assert_int_equal(sg_genl_err_attr(&g, nlh, &nest, &type), -ENOENT);
	g.err_offset = -1;
	assert_int_equal(sg_genl_err_attr(&g, nlh, &nest, &type), -ENOENT);

	assert_string_equal(ctl_attr_word(SLAGUARD_A_WATCH,
					  SLAGUARD_WATCH_SRC_PLEN), "src");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_parse),
		cmocka_unit_test(set_errors),
		cmocka_unit_test(set_parse_detectors),
		cmocka_unit_test(set_build),
		cmocka_unit_test(show_reply),
		cmocka_unit_test(error_offset),
	};

	return cmocka_run_group_tests_name("slaguardctl threshold", tests, NULL,
					   NULL);
}
