// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Evidence before blocking, and the destination-side answer: module events
 * encoded as the module sends them, decoded by the intake and taken through
 * the whole engine (preprocess, SLO, alert, respond) to a fake backend.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cgid.h"
#include "engine.h"
#include "genl.h"
#include "helpers.h"
#include "intake.h"
#include "util.h"

static const char sla_yaml[] =
	"sla: evidence\n"
	"components:\n"
	"  web: { addresses: [10.0.0.10], ports: [80] }\n"
	"  db: { addresses: [10.0.1.20], ports: [5432] }\n"
	"slos:\n"
	"  - { id: scan, metric: net.portscan_ports, component: web, max: 20, window: 10s, severity: high }\n"
	"  - { id: conns, metric: net.conn_rate, component: web, max: 100, window: 10s, severity: high }\n"
	"  - { id: db-scan, metric: net.portscan_ports, component: db, max: 20, window: 10s, severity: high }\n"
	"  - { id: synflood, metric: net.dst_half_open, component: web, max: 500, window: 10s, severity: critical }\n"
	"  - { id: slowscan, metric: net.slow_portscan_ports, max: 50, window: 10m, severity: medium }\n"
	"countermeasures:\n"
	"  - { when: { slo: scan }, do: block-source, for: 10m }\n"
	"  - { when: { slo: db-scan }, do: rate-limit, rate: 10/second, for: 10m }\n"
	"  - { when: { slo: conns }, do: block-source, for: 10m, evidence: any }\n"
	"  - { when: { slo: synflood }, do: limit-destination, rate: 200/second, for: 5m }\n"
	"  - { when: { slo: synflood }, do: block-source, for: 5m }\n"
	"  - { when: { slo: slowscan }, do: block-source, for: 1h }\n";

struct fixture {
	struct engine e;
	struct fake_backend fb;
};

static int setup_with(void **state, const char *yaml)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct engine_opts o = test_engine_opts(&f->fb);

	assert_int_equal(engine_init(&f->e, load_sla_text(yaml), "evidence.yaml", &o), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, sla_yaml);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	engine_fini(&f->e);
	free(f);
	return 0;
}

/* What a module event may carry; NULL / -1 / 0 leave an attribute out. */
struct ev {
	uint32_t kind;
	const char *src, *dst;
	uint16_t dport;
	uint64_t value;
	int64_t handshakes;		/* -1: not sent (an older module) */
	uint32_t probes;
};

static uint64_t enc_cgroup_id;	/* SLAGUARD_EV_CGROUP_ID to send, 0: none */

static struct nlmsghdr *encode(char *buf, const struct ev *e)
{
	static uint64_t seq;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t a[4];

	nlh = sg_genl_msg(buf, 0x20, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, ++seq);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, e->kind);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	if (e->src && inet_pton(AF_INET, e->src, a) == 1)
		mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 4, a);
	if (e->dst && inet_pton(AF_INET, e->dst, a) == 1)
		mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 4, a);
	if (e->dport) {
		mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, e->dport);
	}
	mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, e->value);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_THRESHOLD, 1);
	if (e->handshakes >= 0)
		mnl_attr_put_u64(nlh, SLAGUARD_EV_HANDSHAKES, (uint64_t)e->handshakes);
	if (e->probes)
		mnl_attr_put_u32(nlh, SLAGUARD_EV_PROBES, e->probes);
	if (enc_cgroup_id)
		mnl_attr_put_u64(nlh, SLAGUARD_EV_CGROUP_ID, enc_cgroup_id);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* Through the intake's decoder into the engine, as the daemon does. */
static void feed(struct fixture *f, const struct ev *e)
{
	char buf[SG_GENL_REQSIZE];
	struct rec r;

	assert_int_equal(intake_genl_decode(encode(buf, e), &r), 0);
	r.mono_ms = sgd_mono_ms();
	engine_on_record(&r, &f->e);
}

/* The newest alert as JSON (a reference the caller puts), or NULL. */
static struct json_object *last_alert(struct fixture *f)
{
	struct json_object *arr = alerts_recent_json(f->e.alerts, 1), *a;

	assert_non_null(arr);
	a = json_object_array_length(arr) ?
	    json_object_get(json_object_array_get_idx(arr, 0)) : NULL;
	json_object_put(arr);
	return a;
}

/* Response I of alert A: KEY's text. */
static const char *response(struct json_object *a, size_t i, const char *key)
{
	struct json_object *ev, *arr, *v;

	if (!json_object_object_get_ex(a, "evidence", &ev) ||
	    !json_object_object_get_ex(ev, "responses", &arr) ||
	    i >= json_object_array_length(arr) ||
	    !json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &v))
		return NULL;
	return json_object_get_string(v);
}

static const char *field(struct json_object *a, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(a, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t evidence_int(struct json_object *a, const char *key)
{
	struct json_object *ev, *v;

	if (!json_object_object_get_ex(a, "evidence", &ev) ||
	    !json_object_object_get_ex(ev, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

static void decodes_destination_handshakes_probes(void **state)
{
	char buf[SG_GENL_REQSIZE];
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.66", "10.0.0.10", 8080,
			40, 7, SLAGUARD_PROBE_SYN | SLAGUARD_PROBE_FIN };
	struct rec r;

	(void)state;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_int_equal(r.kind, REC_NET);
	assert_true(r.net.has_src && r.net.has_dst);
	assert_int_equal(r.net.dst[3], 10);
	assert_int_equal(r.net.proto, IPPROTO_TCP);
	assert_int_equal(r.net.dport, 8080);
	assert_true(r.net.has_handshakes);
	assert_int_equal(r.net.handshakes, 7);
	assert_int_equal(r.net.probes, SLAGUARD_PROBE_SYN | SLAGUARD_PROBE_FIN);

	e.handshakes = -1;
	e.probes = 0;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_false(r.net.has_handshakes);

	e = (struct ev){ SLAGUARD_EVENT_DST_HALF_OPEN, NULL, "10.0.0.10", 80, 900, -1, 0 };
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_false(r.net.has_src);
	assert_true(r.net.has_dst);
	e = (struct ev){ SLAGUARD_EVENT_SLOW_PORTSCAN, "192.0.2.9", "10.0.0.10", 22, 60, 0, 0 };
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_int_equal(r.net.event, SLAGUARD_EVENT_SLOW_PORTSCAN);
}

/*
 * The sending socket's cgroup id becomes its path under the cgroup2 mount
 * (a fake tree here); none when not found, or when the name would need
 * escaping.
 */
static void decodes_sending_cgroup(void **state)
{
	char buf[SG_GENL_REQSIZE], dir[64], path[256], cmd[128];
	struct ev e = { SLAGUARD_EVENT_WATCH_HIT, "127.0.0.1", "127.0.0.1", 7123,
			1, -1, 0 };
	struct stat st;
	struct rec r;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sgd-cgid-XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("SLAGUARD_CGROUP_ROOT", dir, 1);
	cgid_forget();
	snprintf(path, sizeof(path), "%s/app", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/app/web", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);

	enc_cgroup_id = (uint64_t)st.st_ino;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_true(r.net.cgroup_id == (uint64_t)st.st_ino);
	assert_string_equal(r.net.cgroup, "/app/web");

	/* gone, or never under this mount: the id alone */
	enc_cgroup_id = 0x7ffffffffffffff1ULL;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_true(r.net.cgroup_id == 0x7ffffffffffffff1ULL);
	assert_string_equal(r.net.cgroup, "");

	/* a name with a newline is not acted on under another name */
	snprintf(path, sizeof(path), "%s/app/a\nb", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	enc_cgroup_id = (uint64_t)st.st_ino;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_string_equal(r.net.cgroup, "");

	/* no id, no cgroup */
	enc_cgroup_id = 0;
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), 0);
	assert_true(r.net.cgroup_id == 0);
	assert_string_equal(r.net.cgroup, "");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("SLAGUARD_CGROUP_ROOT");
	cgid_forget();
}

static void refuses_malformed_new_events(void **state)
{
	char buf[SG_GENL_REQSIZE];
	struct ev e = { SLAGUARD_EVENT_DST_HALF_OPEN, NULL, NULL, 80, 900, -1, 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, v4[4] = { 192, 0, 2, 1 };
	struct rec r;

	(void)state;
	/* a spoofed-source flood names its destination and no source */
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), -EBADMSG);
	e.dst = "10.0.0.10";
	e.src = "192.0.2.1";
	assert_int_equal(intake_genl_decode(encode(buf, &e), &r), -EBADMSG);

	/* HANDSHAKES is a u64, PROBES a u32 */
	nlh = sg_genl_msg(buf, 0x20, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, SLAGUARD_EVENT_PORTSCAN);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_HANDSHAKES, 3);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(intake_genl_decode(nlh, &r), -EBADMSG);
	nlh = sg_genl_msg(buf, 0x20, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, SLAGUARD_EVENT_PORTSCAN);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_PROBES, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(intake_genl_decode(nlh, &r), -EBADMSG);

	/* without FAMILY, source and destination must still agree */
	nlh = sg_genl_msg(buf, 0x20, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, SLAGUARD_EVENT_PORTSCAN);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 4, v4);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 16, v6);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(intake_genl_decode(nlh, &r), -EBADMSG);
}

/* An nmap SYN scan from a forged source: alerted, not blocked, and why. */
static void spoofed_scan_is_not_blocked(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.66", "10.0.0.10", 443,
			40, 0, SLAGUARD_PROBE_SYN };
	struct json_object *a;

	feed(f, &e);
	assert_int_equal(f->fb.applies, 0);
	a = last_alert(f);
	assert_non_null(a);
	assert_string_equal(field(a, "ref"), "scan");
	assert_string_equal(field(a, "source"), "192.0.2.66");
	assert_int_equal(evidence_int(a, "handshakes"), 0);
	assert_string_equal(response(a, 0, "action"), "block-source");
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "completed no TCP handshake"));
	json_object_put(a);

	/* rate-limit shuts a source out too */
	e.dst = "10.0.1.20";
	e.src = "192.0.2.67";
	feed(f, &e);
	assert_int_equal(f->fb.applies, 0);
	a = last_alert(f);
	assert_string_equal(field(a, "ref"), "db-scan");
	assert_string_equal(response(a, 0, "action"), "rate-limit");
	assert_string_equal(response(a, 0, "result"), "refused");
	json_object_put(a);
}

/* An event without the count (a module before it) is no evidence either. */
static void no_handshake_count_is_no_evidence(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.70", "10.0.0.10", 443,
			40, -1, 0 };
	struct json_object *a;

	feed(f, &e);
	assert_int_equal(f->fb.applies, 0);
	a = last_alert(f);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "no handshake evidence"));
	json_object_put(a);
}

static void scan_with_handshakes_is_blocked(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.71", "10.0.0.10", 443,
			40, 3, SLAGUARD_PROBE_SYN };
	struct json_object *a;

	feed(f, &e);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(f->fb.last_kind, NFTB_BLOCK);
	assert_string_equal(f->fb.last_target, "192.0.2.71");
	a = last_alert(f);
	assert_string_equal(response(a, 0, "result"), "C1");
	json_object_put(a);
}

static void evidence_any_blocks_without_handshakes(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_CONN_RATE, "192.0.2.72", "10.0.0.10", 80,
			500, 0, SLAGUARD_PROBE_SYN };

	feed(f, &e);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(f->fb.last_kind, NFTB_BLOCK);
	assert_string_equal(f->fb.last_target, "192.0.2.72");
}

static void defaults_evidence_any(void **state)
{
	struct fixture *f;
	char yaml[sizeof(sla_yaml) + 64];
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.73", "10.0.0.10", 443,
			40, 0, SLAGUARD_PROBE_SYN };

	snprintf(yaml, sizeof(yaml), "%sdefaults: { evidence: any }\n", sla_yaml);
	setup_with(state, yaml);
	f = *state;
	feed(f, &e);
	assert_int_equal(f->fb.applies, 1);
	assert_string_equal(f->fb.last_target, "192.0.2.73");
	teardown(state);
}

/* A forged-source SYN flood: the destination is limited, no source blocked. */
static void dst_half_open_limits_the_destination(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_DST_HALF_OPEN, NULL, "10.0.0.10", 80, 900, -1,
			SLAGUARD_PROBE_SYN };
	struct json_object *a, *arr;

	feed(f, &e);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(f->fb.last_kind, NFTB_LIMIT_DST);
	assert_string_equal(f->fb.last_target, "10.0.0.10 . 80");
	assert_int_equal(f->fb.last_timeout, 300);
	a = last_alert(f);
	assert_string_equal(field(a, "ref"), "synflood");
	assert_null(field(a, "source"));
	assert_string_equal(response(a, 0, "action"), "limit-destination");
	assert_string_equal(response(a, 0, "result"), "C1");
	assert_string_equal(response(a, 1, "action"), "block-source");
	assert_string_equal(response(a, 1, "result"), "refused");
	assert_string_equal(response(a, 1, "detail"), "no source to act on");
	json_object_put(a);

	/* listed with its alert */
	arr = respond_list_json(f->e.resp, sgd_mono_ms());
	assert_int_equal(json_object_array_length(arr), 1);
	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(field(a, "action"), "limit-destination");
	assert_string_equal(field(a, "target"), "10.0.0.10 . 80");
	assert_string_equal(field(a, "alert"), "A1");
	json_object_put(arr);
}

/* A flood of one component does not violate another's SLO. */
static void module_events_count_for_their_destination(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_PORTSCAN, "192.0.2.80", "10.0.5.5", 443,
			40, 5, 0 };
	struct json_object *a;

	feed(f, &e);			/* no component there */
	assert_null(last_alert(f));
	e.src = "192.0.2.81";
	e.dst = "10.0.1.20";		/* db: db-scan, not web's scan */
	feed(f, &e);
	a = last_alert(f);
	assert_string_equal(field(a, "ref"), "db-scan");
	assert_string_equal(field(a, "component"), "db");
	json_object_put(a);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(f->fb.last_kind, NFTB_RATELIMIT);
}

/* A slow scan is a detector finding: the same evidence rule. */
static void slow_scan_needs_evidence(void **state)
{
	struct fixture *f = *state;
	struct ev e = { SLAGUARD_EVENT_SLOW_PORTSCAN, "192.0.2.90", "10.0.5.5", 22,
			60, 0, SLAGUARD_PROBE_SYN };
	struct json_object *a;

	feed(f, &e);
	a = last_alert(f);
	assert_string_equal(field(a, "ref"), "slowscan");
	assert_string_equal(response(a, 0, "result"), "refused");
	json_object_put(a);
	e.src = "192.0.2.91";
	e.handshakes = 2;
	feed(f, &e);
	assert_int_equal(f->fb.applies, 1);
	assert_string_equal(f->fb.last_target, "192.0.2.91");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_destination_handshakes_probes),
		cmocka_unit_test(refuses_malformed_new_events),
		cmocka_unit_test(decodes_sending_cgroup),
		cmocka_unit_test_setup_teardown(spoofed_scan_is_not_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(no_handshake_count_is_no_evidence, setup, teardown),
		cmocka_unit_test_setup_teardown(scan_with_handshakes_is_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence_any_blocks_without_handshakes, setup, teardown),
		cmocka_unit_test(defaults_evidence_any),
		cmocka_unit_test_setup_teardown(dst_half_open_limits_the_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(module_events_count_for_their_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(slow_scan_needs_evidence, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
