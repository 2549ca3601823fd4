// SPDX-License-Identifier: GPL-2.0-or-later
/* The control protocol over a whole engine (fake backend, no sockets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <json-c/json.h>

#include "control.h"
#include "helpers.h"
#include "intake.h"
#include "util.h"

struct fixture {
	struct engine e;
	struct fake_backend fb;
	char dir[64], good[128], bad[128];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct engine_opts o = test_engine_opts(&f->fb);

	snprintf(f->dir, sizeof(f->dir), "/tmp/sgd-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->good, sizeof(f->good), "%s/good.yaml", f->dir);
	snprintf(f->bad, sizeof(f->bad), "%s/bad.yaml", f->dir);
	write_file(f->good, test_sla_yaml);
	write_file(f->bad, "sla: other\nslos:\n  - { id: x, metric: net.syn_rate, max: 1 }\n");
	assert_int_equal(engine_init(&f->e, load_test_sla(), f->good, &o), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	engine_fini(&f->e);
	unlink(f->good);
	unlink(f->bad);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Send LINE; returns the response; *follow as the daemon saw it. */
static struct json_object *ask(struct fixture *f, const char *line, bool *follow)
{
	bool fl;
	struct json_object *o = control_handle(&f->e, line, follow ? follow : &fl, 0);

	assert_non_null(o);
	return o;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool ok(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
}

static void errors(void **state)
{
	struct fixture *f = *state;
	struct json_object *o;

	o = ask(f, "{\"cmd\":\"x\"}", NULL);
	assert_false(ok(o));
	assert_string_equal(str(o, "error"), "unknown command 'x'");
	json_object_put(o);
	o = ask(f, "not json", NULL);
	assert_false(ok(o));
	json_object_put(o);
	o = ask(f, "{\"nocmd\":1}", NULL);
	assert_false(ok(o));
	json_object_put(o);
	o = ask(f, "{\"cmd\":\"revoke\",\"id\":\"C3\"}", NULL);
	assert_false(ok(o));
	assert_string_equal(str(o, "error"), "no countermeasure C3");
	json_object_put(o);
	o = ask(f, "{\"cmd\":\"alerts\",\"limit\":\"ten\"}", NULL);
	assert_false(ok(o));
	json_object_put(o);
}

static void status(void **state)
{
	struct fixture *f = *state;
	struct json_object *o = ask(f, "{\"cmd\":\"status\"}", NULL), *v, *slo;
	static const char *const keys[] = { "sla", "file", "dry_run", "started",
					    "slos", "events", "alerts",
					    "countermeasures" };

	assert_true(ok(o));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_object_get_ex(o, keys[i], &v))
			fail_msg("status lacks '%s'", keys[i]);
	assert_string_equal(str(o, "sla"), "test");
	assert_string_equal(str(o, "file"), f->good);
	json_object_object_get_ex(o, "slos", &v);
	assert_int_equal(json_object_array_length(v), 4);
	slo = json_object_array_get_idx(v, 0);
	assert_string_equal(str(slo, "id"), "scan");
	assert_string_equal(str(slo, "metric"), "net.portscan_ports");
	assert_string_equal(str(slo, "state"), "unknown");	/* no module */
	assert_true(json_object_object_get_ex(slo, "value", &v));
	assert_true(json_object_object_get_ex(slo, "bound", &v));
	assert_true(json_object_object_get_ex(slo, "window_ms", &v));
	assert_true(json_object_object_get_ex(slo, "evidence", &v));
	json_object_object_get_ex(o, "events", &v);
	assert_true(json_object_object_get_ex(v, "received", &slo));
	assert_true(json_object_object_get_ex(v, "lost", &slo));
	json_object_put(o);
}

/* A portscan through the whole pipeline: alert, countermeasures, lists. */
static void pipeline(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *arr, *a, *v;
	bool follow = false;
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 40, sgd_mono_ms());
	r.net.features.present = 1u << REC_F_PORTS;
	r.net.features.v[REC_F_PORTS] = 40;
	/* a connect() scan: its source completed handshakes */
	r.net.has_handshakes = true;
	r.net.handshakes = 12;
	engine_on_record(&r, &f->e);
	assert_int_equal(f->fb.applies, 2);	/* block + rate-limit */

	o = ask(f, "{\"cmd\":\"alerts\",\"follow\":true,\"limit\":10}", &follow);
	assert_true(ok(o));
	assert_true(follow);
	json_object_object_get_ex(o, "alerts", &arr);
	assert_int_equal(json_object_array_length(arr), 1);
	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(str(a, "id"), "A1");
	assert_string_equal(str(a, "kind"), "slo");
	assert_string_equal(str(a, "ref"), "scan");
	assert_string_equal(str(a, "source"), "192.0.2.7");
	assert_string_equal(str(a, "component"), "web");
	json_object_object_get_ex(a, "evidence", &v);
	assert_string_equal(str(v, "attack_shape"), "portscan");
	json_object_object_get_ex(a, "actions", &v);
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(o);

	o = ask(f, "{\"cmd\":\"countermeasures\"}", NULL);
	json_object_object_get_ex(o, "countermeasures", &arr);
	assert_int_equal(json_object_array_length(arr), 2);
	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(str(a, "id"), "C1");
	assert_string_equal(str(a, "action"), "block-source");
	assert_string_equal(str(a, "target"), "192.0.2.7");
	assert_string_equal(str(a, "alert"), "A1");
	assert_string_equal(str(a, "ref"), "scan");
	assert_true(json_object_object_get_ex(a, "expires", &v));
	assert_true(json_object_object_get_ex(a, "remaining_s", &v));
	assert_true(json_object_object_get_ex(a, "dry_run", &v));
	json_object_put(o);

	o = ask(f, "{\"cmd\":\"revoke\",\"id\":\"C1\"}", NULL);
	assert_true(ok(o));
	assert_int_equal(f->fb.revokes, 1);
	json_object_put(o);
}

static void app_violation(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *arr;
	struct rec r;

	make_app(&r, "db", "shop", "read", "cards/9", sgd_mono_ms());
	engine_on_record(&r, &f->e);
	o = ask(f, "{\"cmd\":\"alerts\"}", NULL);
	json_object_object_get_ex(o, "alerts", &arr);
	/* the rule, and the db-access SLO it breaks */
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(str(json_object_array_get_idx(arr, 0), "ref"), "no-cards");
	assert_string_equal(str(json_object_array_get_idx(arr, 0), "kind"), "rule");
	assert_string_equal(str(json_object_array_get_idx(arr, 1), "ref"), "db-access");
	json_object_put(o);
}

static void stats(struct fixture *f, uint64_t packets)
{
	struct rec r = { .kind = REC_STATS, .mono_ms = sgd_mono_ms(),
			 .real_ms = sgd_real_ms() };

	r.stats.interval_ms = 1000;
	r.stats.packets = packets;
	r.stats.bytes = 10000;
	engine_on_record(&r, &f->e);
}

static size_t alert_count(struct fixture *f)
{
	struct json_object *o = ask(f, "{\"cmd\":\"alerts\"}", NULL), *arr;
	size_t n;

	json_object_object_get_ex(o, "alerts", &arr);
	n = json_object_array_length(arr);
	json_object_put(o);
	return n;
}

/* A sustained jump of the host's packet rate is an anomaly; a blip is not. */
static void host_anomaly(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *arr, *a;

	for (int i = 0; i < 40; i++)
		stats(f, 100 + (uint64_t)(i % 3));
	stats(f, 50000);
	stats(f, 50000);
	stats(f, 100);
	assert_int_equal(alert_count(f), 0);
	stats(f, 50000);
	stats(f, 50000);
	stats(f, 50000);
	assert_int_equal(alert_count(f), 1);
	o = ask(f, "{\"cmd\":\"alerts\"}", NULL);
	json_object_object_get_ex(o, "alerts", &arr);
	a = json_object_array_get_idx(arr, 0);
	assert_string_equal(str(a, "kind"), "anomaly");
	assert_string_equal(str(a, "ref"), "host.pkt_rate");
	assert_string_equal(str(a, "severity"), "low");
	json_object_put(o);
	/* Not learned: the baseline still sits near 100 packets/s. */
	assert_true(profiler_baseline(f->e.prof, SAMPLE_HOST_PKT_RATE, "host")->mean < 110);
}

static void reload(void **state)
{
	struct fixture *f = *state;
	struct json_object *o;
	char line[256];

	snprintf(line, sizeof(line), "{\"cmd\":\"reload\",\"file\":\"%s\"}", f->bad);
	o = ask(f, line, NULL);
	assert_false(ok(o));
	/* FILE:LINE:COL: ... and the running SLA untouched */
	assert_non_null(strstr(str(o, "error"), "bad.yaml:3:"));
	json_object_put(o);
	assert_string_equal(f->e.sla->name, "test");
	assert_string_equal(f->e.sla_path, f->good);

	write_file(f->bad, "sla: other\nslos:\n  - { id: x, metric: events.lost, max: 1, severity: low }\n");
	o = ask(f, line, NULL);
	assert_true(ok(o));
	json_object_put(o);
	assert_string_equal(f->e.sla->name, "other");
	assert_int_equal(f->e.sla->n_slos, 1);

	/* No file: the current one again. */
	o = ask(f, "{\"cmd\":\"reload\"}", NULL);
	assert_true(ok(o));
	json_object_put(o);
	assert_string_equal(f->e.sla->name, "other");
}

/* Sequence rules in the whole engine: records judged once each, the
 * finding alerted and acted on, the counters in the status. */
static const char seq_yaml[] =
	"sla: seq\n"
	"components:\n"
	"  web: { addresses: [10.0.0.10], ports: [80], processes: [nginx] }\n"
	"  db: { addresses: [10.0.1.20], ports: [5432] }\n"
	"rules:\n"
	"  - { id: db-deny, deny: { to: db, port: 5432 }, severity: low }\n"
	"  - id: scan-then-db\n"
	"    sequence: [ { event: net.portscan }, { to: db, port: 5432 } ]\n"
	"    same: source\n"
	"    within: 60s\n"
	"    severity: critical\n"
	"  - id: guessed\n"
	"    sequence: [ { login-failure: \"*\", count: 3 }, { login-success: \"*\" } ]\n"
	"    same: user\n"
	"    within: 1m\n"
	"    severity: high\n"
	"  - id: web-shell\n"
	"    sequence: [ { event: proc.sample, component: web }, { event: proc.exec, process: sh } ]\n"
	"    same: process\n"
	"    within: 1h\n"
	"    severity: critical\n"
	"countermeasures:\n"
	"  - { when: { rule: scan-then-db }, do: block-source, for: 10m }\n";

static size_t alerts_of(struct fixture *f, const char *ref)
{
	struct json_object *o = ask(f, "{\"cmd\":\"alerts\",\"limit\":100}", NULL), *arr;
	size_t n = 0;

	json_object_object_get_ex(o, "alerts", &arr);
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		n += !strcmp(str(json_object_array_get_idx(arr, i), "ref"), ref);
	json_object_put(o);
	return n;
}

static void login(struct fixture *f, const char *action, const char *resource)
{
	struct rec r;

	make_app(&r, "web", "eve", action, resource, sgd_mono_ms());
	engine_on_record(&r, &f->e);
}

static void sequences(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *seqs, *v;
	char err[512];
	struct rec r;

	write_file(f->good, seq_yaml);
	assert_int_equal(engine_reload(&f->e, NULL, err, sizeof(err)), 0);

	/* A scan, the same record again (a duplicate), then the database. */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 40, sgd_mono_ms());
	engine_on_record(&r, &f->e);
	engine_on_record(&r, &f->e);
	assert_int_equal(alerts_of(f, "scan-then-db"), 0);
	make_net(&r, SLAGUARD_EVENT_WATCH_HIT, "192.0.2.7", "10.0.1.20", IPPROTO_TCP, 5432, 0,
		 sgd_mono_ms());
	r.net.watch_id = INTAKE_WATCH_BASE + 1;
	engine_on_record(&r, &f->e);
	assert_int_equal(alerts_of(f, "db-deny"), 1);
	assert_int_equal(alerts_of(f, "scan-then-db"), 1);
	assert_int_equal(f->fb.applies, 1);
	assert_string_equal(f->fb.last_target, "192.0.2.7");

	/* Identical application events within a second are one event... */
	for (int i = 0; i < 3; i++)
		login(f, "login-failure", "admin-ui");
	login(f, "login-success", "admin-ui");
	assert_int_equal(alerts_of(f, "guessed"), 0);
	/* ...distinct ones count. */
	for (int i = 0; i < 3; i++) {
		char res[32];

		snprintf(res, sizeof(res), "admin-ui/%d", i);
		login(f, "login-failure", res);
	}
	login(f, "login-success", "admin-ui/ok");
	assert_int_equal(alerts_of(f, "guessed"), 1);

	/* Process events reach the rules though preprocess sums them. */
	memset(&r, 0, sizeof(r));
	r.kind = REC_TASK;
	r.mono_ms = sgd_mono_ms();
	r.real_ms = sgd_real_ms();
	r.task.event = SLAGUARD_EVENT_SCHED_SAMPLE;
	r.task.seq = 77;
	r.task.watch_id = INTAKE_TASK_WATCH_BASE + 1;
	r.task.has_pid = true;
	r.task.pid = 500;
	r.task.has_cpu = true;
	snprintf(r.task.comm, sizeof(r.task.comm), "nginx");
	engine_on_record(&r, &f->e);
	r.task.event = SLAGUARD_EVENT_PROC_EXEC;
	r.task.seq = 78;
	r.task.watch_id = 0;
	r.task.pid = 501;
	r.task.has_ppid = true;
	r.task.ppid = 500;
	snprintf(r.task.comm, sizeof(r.task.comm), "sh");
	engine_on_record(&r, &f->e);
	engine_on_record(&r, &f->e);	/* repeated: once */
	assert_int_equal(alerts_of(f, "web-shell"), 1);

	o = ask(f, "{\"cmd\":\"status\"}", NULL);
	assert_true(json_object_object_get_ex(o, "sequences", &seqs));
	assert_int_equal(json_object_array_length(seqs), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(seqs, i),
						      "fired", &v));
		assert_int_equal(json_object_get_int(v), 1);
	}
	json_object_put(o);
}

static struct json_object *ask_as(struct fixture *f, const char *line, uint32_t uid)
{
	bool fl;
	struct json_object *o = control_handle(&f->e, line, &fl, uid);

	assert_non_null(o);
	return o;
}

static void recorded(const struct countermeasure *c, const char *action, void *arg)
{
	char *last = arg;

	snprintf(last, 160, "%s %s %s uid=%u", action, c->id, c->target, c->uid);
}

/*
 * "block" and "allow": the operator's actions, with the peer's uid, listed
 * and told to the history; refusals and bad fields say why.
 */
static void operator_actions(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *list, *v;
	char last[160] = "";

	f->e.on_operator = recorded;
	f->e.on_alert_arg = last;
	o = ask_as(f, "{\"cmd\":\"block\",\"target\":\"192.0.2.7\",\"for\":\"30m\","
		   "\"reason\":\"ticket 42\"}", 1000);
	assert_true(ok(o));
	assert_string_equal(str(o, "id"), "C1");
	assert_string_equal(str(o, "remaining_s"), "1800");
	assert_string_equal(str(o, "uid"), "1000");
	json_object_put(o);
	assert_string_equal(last, "block-source C1 192.0.2.7 uid=1000");
	assert_int_equal(f->fb.last_timeout, 1800);

	o = ask(f, "{\"cmd\":\"countermeasures\"}", NULL);
	json_object_object_get_ex(o, "countermeasures", &list);
	v = json_object_array_get_idx(list, 0);
	assert_string_equal(str(v, "origin"), "operator");
	assert_string_equal(str(v, "uid"), "1000");
	assert_string_equal(str(v, "reason"), "ticket 42");
	json_object_put(o);

	o = ask(f, "{\"cmd\":\"block\",\"target\":\"10.0.9.1\"}", NULL);
	assert_false(ok(o));
	assert_string_equal(str(o, "error"), "block 10.0.9.1 refused: 10.0.9.1 is allowlisted "
			    "(10.0.9.0/24, the SLA's allowlist): revoke the allow or change the "
			    "SLA's allowlist first");
	json_object_put(o);
	o = ask(f, "{\"cmd\":\"block\",\"target\":\"192.0.2.8\",\"for\":\"soon\"}", NULL);
	assert_false(ok(o));
	assert_string_equal(str(o, "error"), "field 'for': expected a duration like 30m, 12h or 7d, got 'soon'");
	json_object_put(o);
	o = ask(f, "{\"cmd\":\"block\"}", NULL);
	assert_false(ok(o));
	assert_non_null(strstr(str(o, "error"), "field 'target'"));
	json_object_put(o);

	o = ask(f, "{\"cmd\":\"allow\",\"target\":\"192.0.2.0/28\",\"for\":\"2h\"}", NULL);
	assert_true(ok(o));
	assert_string_equal(str(o, "lifted"), "1");
	assert_string_equal(str(o, "action"), "allow");
	json_object_put(o);
	assert_string_equal(last, "allow C2 192.0.2.0/28 uid=0");
	assert_int_equal(respond_active(f->e.resp), 0);
	o = ask(f, "{\"cmd\":\"revoke\",\"id\":\"C2\"}", NULL);
	assert_true(ok(o));
	json_object_put(o);
	assert_int_equal(respond_allows(f->e.resp), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(errors),
		T(status),
		T(pipeline),
		T(app_violation),
		T(host_anomaly),
		T(reload),
		T(sequences),
		T(operator_actions),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
