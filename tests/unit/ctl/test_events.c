// SPDX-License-Identifier: GPL-2.0
/* Events: decoding fake SLAGUARD_CMD_EVENT messages, JSON and text, loss. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/slaguard.h>

#include "cgid.h"
#include "events.h"
#include "genl.h"
#include "helpers.h"

#define FAMILY_ID	0x2c
#define T_NS		1795428000123456789ULL	/* 2026-11-23T10:00:00.123Z */
#define NETNS		4026531840U

static char buf[SG_GENL_REQSIZE];

static struct nlmsghdr *event_start(struct nlattr **nest, uint64_t seq,
				    uint32_t kind)
{
	struct nlmsghdr *nlh;

	nlh = sg_genl_msg(buf, FAMILY_ID, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_EVENT, 0);
	*nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	/* As the module lays out 64-bit values: a pad attribute first. */
	mnl_attr_put(nlh, SLAGUARD_EV_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, seq);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, kind);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_TIME_NS, T_NS);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_NETNS, NETNS);
	return nlh;
}

static struct nlmsghdr *portscan(uint64_t seq)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = event_start(&nest, seq, SLAGUARD_EVENT_PORTSCAN);
	uint8_t src[4] = { 10, 77, 0, 2 };

	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, sizeof(src), src);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_IN);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, 24);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_THRESHOLD, 20);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_PACKETS, 100);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_BYTES, 6000);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_PORTS, 24);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static char *to_json(const struct nlmsghdr *nlh)
{
	static char out[1024];
	struct sg_error e = { 0 };
	struct sg_event ev;
	struct json_object *o;

	assert_int_equal(sg_event_parse(nlh, &ev, &e), 0);
	o = sg_event_to_json(&ev);
	assert_non_null(o);
	snprintf(out, sizeof(out), "%s",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

static void json_portscan(void **state)
{
	(void)state;
	assert_string_equal(to_json(portscan(12)),
			    "{\"seq\":12,\"kind\":\"PORTSCAN\",\"family\":\"inet\","
			    "\"source\":\"10.77.0.2\",\"time\":\"2026-11-23T10:00:00.123Z\","
			    "\"time_ns\":1795428000123456789,\"netns\":4026531840,"
			    "\"direction\":\"in\",\"value\":24,\"threshold\":20,"
			    "\"packets\":100,\"bytes\":6000,\"ports\":24}");
}

static void json_watch_hit_v6(void **state)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = event_start(&nest, 1, SLAGUARD_EVENT_WATCH_HIT);
	uint8_t src[16], dst[16];

	(void)state;
	inet_pton(AF_INET6, "2001:db8::7", src);
	inet_pton(AF_INET6, "fd00::1", dst);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET6);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 16, src);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 16, dst);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, SLAGUARD_EV_SRC_PORT, 40000);
	mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, 23);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_FORWARD);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_WATCH_ID, 5);
	mnl_attr_nest_end(nlh, nest);

	assert_string_equal(to_json(nlh),
			    "{\"seq\":1,\"kind\":\"WATCH_HIT\",\"family\":\"inet6\","
			    "\"source\":\"2001:db8::7\",\"time\":\"2026-11-23T10:00:00.123Z\","
			    "\"time_ns\":1795428000123456789,\"netns\":4026531840,"
			    "\"direction\":\"forward\",\"watch\":5,\"destination\":\"fd00::1\","
			    "\"proto\":\"tcp\",\"sport\":40000,\"dport\":23}");
}

/* Newer modules may add kinds, directions and attributes. */
static void json_unknown_values(void **state)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	uint8_t src[4] = { 192, 0, 2, 1 };

	(void)state;
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, 3);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, 42);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 4, src);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, 9);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, 132);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_ICMP_RATE, 500);
	mnl_attr_put_u32(nlh, 40, 7);
	mnl_attr_put_strz(nlh, 63, "future");
	mnl_attr_put_u32(nlh, 1000, 7);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, 77, 1);	/* unknown top-level attribute */

	assert_string_equal(to_json(nlh),
			    "{\"seq\":3,\"kind\":\"KIND_42\",\"family\":\"inet\","
			    "\"source\":\"192.0.2.1\",\"time\":null,\"time_ns\":null,"
			    "\"netns\":null,\"direction\":\"DIR_9\",\"icmp_rate\":500,"
			    "\"proto\":132}");
}

static void malformed(void **state)
{
	struct sg_error e = { 0 };
	struct sg_event ev;
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	uint8_t addr[16] = { 0 };

	(void)state;
	/* SEQ as a u32 */
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_SEQ, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "bad length"));

	/* a 5-byte address */
	nlh = event_start(&nest, 1, SLAGUARD_EVENT_BANDWIDTH);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 5, addr);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);

	/* an IPv6-sized address in an AF_INET event */
	nlh = event_start(&nest, 1, SLAGUARD_EVENT_BANDWIDTH);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 16, addr);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "does not fit its family"));

	/* same for the destination */
	nlh = event_start(&nest, 1, SLAGUARD_EVENT_WATCH_HIT);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET6);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 4, addr);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);

	/* no SLAGUARD_A_EVENT */
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_EVENT, 0);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);

	/* not an event at all */
	nlh = sg_genl_msg(buf, FAMILY_ID, 1, SLAGUARD_CMD_GET_STATS, 0);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -ENOMSG);
	nlh = sg_genl_msg(buf, NLMSG_ERROR, 1, SLAGUARD_CMD_EVENT, 0);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -ENOMSG);
}

static void text_line(void **state)
{
	struct sg_error e = { 0 };
	struct sg_event ev;
	char line[512];

	(void)state;
	assert_int_equal(sg_event_parse(portscan(12), &ev, &e), 0);
	sg_event_format(&ev, line, sizeof(line));
	assert_string_equal(line,
			    "2026-11-23T10:00:00.123Z seq=12 PORTSCAN src=10.77.0.2 dir=in "
			    "netns=4026531840 value=24 threshold=20 packets=100 bytes=6000 ports=24");

	/* A short buffer truncates, never overflows. */
	sg_event_format(&ev, line, 20);
	assert_int_equal(strlen(line), 19);
}

/* ---- SLAGUARD_EV_CGROUP_ID and the cgroup it names ---- */

static char cgdir[64];

static uint64_t mkcg(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", cgdir, rel);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static int cg_setup(void **state)
{
	(void)state;
	snprintf(cgdir, sizeof(cgdir), "/tmp/sgctl-cg-XXXXXX");
	assert_non_null(mkdtemp(cgdir));
	setenv("SLAGUARD_CGROUP_ROOT", cgdir, 1);
	cgid_forget();
	return 0;
}

static int cg_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cgdir);
	assert_int_equal(system(cmd), 0);
	unsetenv("SLAGUARD_CGROUP_ROOT");
	cgid_forget();
	return 0;
}

static struct nlmsghdr *hit_from_cgroup(uint64_t id)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = event_start(&nest, 9, SLAGUARD_EVENT_WATCH_HIT);
	uint8_t src[4] = { 127, 0, 0, 1 };

	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 4, src);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 4, src);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, SLAGUARD_EV_SRC_PORT, 40000);
	mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, 7123);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_OUT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_WATCH_ID, 1000001);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_CGROUP_ID, id);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* Decoded, shown as the cgroup's path, or by its id when it is not found. */
static void watch_hit_cgroup(void **state)
{
	struct sg_error e = { 0 };
	struct sg_event ev;
	char line[512];
	uint64_t id;

	(void)state;
	mkcg("/a");
	id = mkcg("/a/b");
	assert_int_equal(sg_event_parse(hit_from_cgroup(id), &ev, &e), 0);
	assert_true(sg_event_has(&ev, SLAGUARD_EV_CGROUP_ID));
	assert_true(ev.val[SLAGUARD_EV_CGROUP_ID] == id);
	sg_event_format(&ev, line, sizeof(line));
	assert_non_null(strstr(line, " dir=out "));
	assert_non_null(strstr(line, " cgroup=/a/b"));
	assert_non_null(strstr(to_json(hit_from_cgroup(id)), "\"cgroup\":\"/a/b\""));

	id = 0x7fffffffffff0001ULL;
	assert_int_equal(sg_event_parse(hit_from_cgroup(id), &ev, &e), 0);
	sg_event_format(&ev, line, sizeof(line));
	assert_non_null(strstr(line, " cgroup_id=9223372036854710273"));
	assert_null(strstr(line, " cgroup="));
	assert_non_null(strstr(to_json(hit_from_cgroup(id)),
			       "\"cgroup_id\":9223372036854710273,\"cgroup\":null"));

	/* no CGROUP_ID, no cgroup */
	assert_null(strstr(to_json(portscan(1)), "cgroup"));
}

/* A CGROUP_ID that is not a u64 is a malformed event. */
static void cgroup_id_bad_length(void **state)
{
	struct sg_error e = { 0 };
	struct sg_event ev;
	struct nlattr *nest;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = event_start(&nest, 1, SLAGUARD_EVENT_WATCH_HIT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_CGROUP_ID, 7);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sg_event_parse(nlh, &ev, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "bad length"));
}

/* The id is the directory's inode: the root, any level, none, too deep. */
static void cgid_walk(void **state)
{
	char path[CGID_PATH_MAX], rel[512] = "", from[512], to[512];
	struct stat st;
	uint64_t deep = 0, c;
	int i;

	(void)state;
	assert_int_equal(stat(cgdir, &st), 0);
	assert_int_equal(cgid_path((uint64_t)st.st_ino, path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	mkcg("/x");
	mkcg("/y");
	c = mkcg("/y/z");
	assert_int_equal(cgid_path(c, path, sizeof(path)), 0);
	assert_string_equal(path, "/y/z");
	assert_int_equal(cgid_path(0x7ffffffffffffff0ULL, path, sizeof(path)), -ENOENT);
	assert_string_equal(path, "");
	/* a path that does not fit the caller's buffer */
	assert_int_equal(cgid_path(c, path, 3), -ENAMETOOLONG);

	/* kept: renamed meanwhile, the answer stays until forgotten */
	snprintf(from, sizeof(from), "%s/y", cgdir);
	snprintf(to, sizeof(to), "%s/w", cgdir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(cgid_path(c, path, sizeof(path)), 0);
	assert_string_equal(path, "/y/z");
	cgid_forget();
	assert_int_equal(cgid_path(c, path, sizeof(path)), 0);
	assert_string_equal(path, "/w/z");

	/* deeper than the walk goes: it says it gave up */
	for (i = 0; i <= CGID_DEPTH_MAX; i++) {
		size_t n = strlen(rel);

		snprintf(rel + n, sizeof(rel) - n, "/d");
		deep = mkcg(rel);
	}
	assert_int_equal(cgid_path(deep, path, sizeof(path)), -E2BIG);
}

static void seq_tracking(void **state)
{
	struct sg_seq s = { 0 };
	uint64_t missing = 99, after = 99;

	(void)state;
	/* The first event is the baseline, whatever its number. */
	assert_int_equal(sg_seq_track(&s, 5, &missing, &after), SG_SEQ_FIRST);
	assert_true(missing == 0);
	assert_int_equal(sg_seq_track(&s, 6, &missing, &after), SG_SEQ_NEXT);
	assert_int_equal(sg_seq_track(&s, 7, &missing, &after), SG_SEQ_NEXT);
	assert_true(missing == 0);
	/* 8, 9, 10 lost */
	assert_int_equal(sg_seq_track(&s, 11, &missing, &after), SG_SEQ_GAP);
	assert_true(missing == 3);
	assert_true(after == 7);
	assert_int_equal(sg_seq_track(&s, 12, &missing, &after), SG_SEQ_NEXT);
	assert_true(missing == 0);
	/* module reloaded: numbering starts again */
	assert_int_equal(sg_seq_track(&s, 1, &missing, &after), SG_SEQ_BACK);
	assert_true(after == 12);
	assert_int_equal(sg_seq_track(&s, 2, &missing, &after), SG_SEQ_NEXT);
	/* a duplicate is not a gap */
	assert_int_equal(sg_seq_track(&s, 2, &missing, &after), SG_SEQ_BACK);
	assert_true(missing == 0);
	assert_int_equal(sg_seq_track(&s, 4, &missing, &after), SG_SEQ_GAP);
	assert_true(missing == 1);
	assert_true(after == 2);
}

static void lost_json(void **state)
{
	uint64_t missing = 3, after = 7;
	struct json_object *o;

	(void)state;
	o = sg_lost_to_json(&missing, &after, "gap");
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"kind\":\"LOST\",\"missing\":3,\"after_seq\":7,\"reason\":\"gap\"}");
	json_object_put(o);
	o = sg_lost_to_json(NULL, &after, "overrun");
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"kind\":\"LOST\",\"missing\":null,\"after_seq\":7,\"reason\":\"overrun\"}");
	json_object_put(o);
	o = sg_lost_to_json(NULL, NULL, "overrun");
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"kind\":\"LOST\",\"missing\":null,\"after_seq\":null,\"reason\":\"overrun\"}");
	json_object_put(o);
}

static int parse_args(const char *line, struct sg_events_opts *o,
		      struct sg_error *e)
{
	struct args a;

	args_split(&a, line);
	memset(e, 0, sizeof(*e));
	return sg_events_parse_args(a.argc, a.argv, o, e);
}

static void args(void **state)
{
	struct sg_events_opts o;
	struct sg_error e;

	(void)state;
	assert_int_equal(parse_args("", &o, &e), 0);
	assert_true(o.count == 0 && o.timeout_ms == 0);
	assert_int_equal(parse_args("--follow --count 3 --timeout 2.5", &o, &e), 0);
	assert_true(o.count == 3);
	assert_true(o.timeout_ms == 2500);
	assert_int_equal(parse_args("--count=4 --timeout=10", &o, &e), 0);
	assert_true(o.count == 4);
	assert_true(o.timeout_ms == 10000);

	assert_int_equal(parse_args("--count 0", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "from 1 to 2^64-1"));
	assert_int_equal(parse_args("--count", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "needs a value"));
	assert_int_equal(parse_args("--timeout", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "needs a value"));
	assert_int_equal(parse_args("--timeout soon", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "seconds"));
	assert_int_equal(parse_args("--count 1 --count 2", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "given twice"));
	assert_int_equal(parse_args("--counts 1", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown argument '--counts'"));
	assert_int_equal(parse_args("5", &o, &e), -EINVAL);
	assert_true(e.usage);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_portscan),
		cmocka_unit_test(json_watch_hit_v6),
		cmocka_unit_test(json_unknown_values),
		cmocka_unit_test(malformed),
		cmocka_unit_test(text_line),
		cmocka_unit_test(seq_tracking),
		cmocka_unit_test(lost_json),
		cmocka_unit_test(args),
		cmocka_unit_test_setup_teardown(watch_hit_cgroup, cg_setup, cg_teardown),
		cmocka_unit_test(cgroup_id_bad_length),
		cmocka_unit_test_setup_teardown(cgid_walk, cg_setup, cg_teardown),
	};

	return cmocka_run_group_tests_name("slaguardctl events", tests, NULL,
					   NULL);
}
