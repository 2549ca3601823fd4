// SPDX-License-Identifier: GPL-2.0-or-later
/* SLO states: unknown without data, compliant, violated, and back. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "helpers.h"
#include "slo.h"
#include "util.h"

struct fixture {
	struct sla *sla;
	struct slo_judge j;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sla = load_test_sla();
	assert_int_equal(pp_new(&f->j.pp, f->sla, 120000), 0);
	assert_int_equal(slo_set_new(&f->j.set, f->sla), 0);
	f->j.ctx = (struct slo_ctx){
		.pp = f->j.pp, .now = 100000, .now_real = 1795428100000ULL,
		.kernel_since = 1000, .holdoff_ms = 5000,
		.default_window_ms = 10000,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	slo_set_free(f->j.set);
	pp_free(f->j.pp);
	sla_free(f->sla);
	free(f);
	return 0;
}

static void on_violation(struct sample *s, void *arg)
{
	struct fixture *f = arg;

	s->value = 1;
	judge_sample(s, &f->j);
}

static void record(struct fixture *f, struct rec *r)
{
	f->j.ctx.now = r->mono_ms;
	pp_record(f->j.pp, r, judge_sample, &f->j);
}

/* A forbidden card read by SRC at WHEN, judged as an access violation. */
static void record_violation(struct fixture *f, const char *src, uint64_t when)
{
	struct rec r;

	make_app(&r, "db", "shop", "read", "cards/1", when);
	r.app.family = AF_INET;
	inet_pton(AF_INET, src, r.app.src);
	f->j.ctx.now = r.mono_ms;
	pp_record(f->j.pp, &r, on_violation, f);
}

static void evaluate(struct fixture *f, uint64_t now)
{
	f->j.ctx.now = now;
	slo_evaluate(f->j.set, &f->j.ctx, judge_finding, &f->j);
}

static void unknown_without_data(void **state)
{
	struct fixture *f = *state;

	f->j.ctx.kernel_since = 0;	/* no module */
	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_UNKNOWN);
	assert_false(slo_by_id(f->j.set, "scan")->has_value);
	assert_int_equal(slo_by_id(f->j.set, "lost")->state, SLO_UNKNOWN);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_UNKNOWN);
	assert_int_equal(slo_by_id(f->j.set, "cpu")->state, SLO_UNKNOWN);
	assert_non_null(strstr(slo_by_id(f->j.set, "cpu")->reason, "not connected"));

	/* Connected, but for less than the window: still not covered. */
	f->j.ctx.kernel_since = 95000;
	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_UNKNOWN);
	assert_int_equal(f->j.findings, 0);
}

static void compliant_then_violated_then_compliant(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_COMPLIANT);
	assert_false(slo_by_id(f->j.set, "scan")->has_value);
	assert_int_equal(slo_by_id(f->j.set, "lost")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "lost")->value == 0);

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 24, 101000);
	record(f, &r);
	assert_int_equal(f->j.findings, 1);
	assert_int_equal(f->j.last.kind, FINDING_SLO);
	assert_string_equal(f->j.last.ref, "scan");
	assert_string_equal(f->j.last.source, "192.0.2.7");
	assert_int_equal(f->j.last.severity, SLA_SEV_HIGH);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->j.set, "scan")->value == 24);
	assert_int_equal(slo_by_id(f->j.set, "scan")->ntop, 1);
	assert_string_equal(slo_by_id(f->j.set, "scan")->top[0].source, "192.0.2.7");

	/* Another source within bounds: not blamed, the SLO stays violated. */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.8", NULL, 0, 0, 15, 102000);
	record(f, &r);
	assert_int_equal(f->j.findings, 1);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_VIOLATED);

	/* The window (10s) passes without another crossing. */
	evaluate(f, 110500);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_VIOLATED);
	evaluate(f, 111500);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_COMPLIANT);
	finding_release(&f->j.last);
}

/* Lost events make a quiet window unknown, and violate events.lost. */
static void lost_events(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	make_lost(&r, true, 3, 100500);
	record(f, &r);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.ref, "lost");
	assert_false(f->j.last.has_source);
	assert_int_equal(slo_by_id(f->j.set, "lost")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->j.set, "lost")->value == 3);
	evaluate(f, 101000);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_UNKNOWN);
	assert_non_null(strstr(slo_by_id(f->j.set, "scan")->reason, "lost"));
	/* A violation is still a violation when events were lost too. */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 30, 102000);
	record(f, &r);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_VIOLATED);
	/* Once the gap leaves every window, both are compliant again. */
	evaluate(f, 170000);
	assert_int_equal(slo_by_id(f->j.set, "scan")->state, SLO_COMPLIANT);
	assert_int_equal(slo_by_id(f->j.set, "lost")->state, SLO_COMPLIANT);
	finding_release(&f->j.last);
}

static void application_slo(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_UNKNOWN);
	make_app(&r, "db", "alice", "read", "customers/1", 100500);
	record(f, &r);
	evaluate(f, 101000);
	assert_int_not_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->j.set, "db-access")->has_value);
	assert_true(slo_by_id(f->j.set, "db-access")->value == 0);
	assert_int_equal(f->j.findings, 0);
	/* A violation: the inspector sets the sample's value to 1. */
	make_app(&r, "db", "shop", "read", "cards/1", 102000);
	f->j.ctx.now = r.mono_ms;
	pp_record(f->j.pp, &r, on_violation, f);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.ref, "db-access");
	assert_int_equal(f->j.last.severity, SLA_SEV_CRITICAL);
	/* Quiet applications: after the window nothing covers it any more. */
	evaluate(f, 170000);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_UNKNOWN);
	finding_release(&f->j.last);
}

/*
 * A summed SLO names a source only when that source's own samples break
 * the bound: after one forbidden read, a harmless read from another client
 * of the same component must not name that client (and so get it blocked).
 */
static void summed_slo_blames_only_the_guilty(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	record_violation(f, "192.0.2.66", 102000);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	assert_int_equal(f->j.findings, 1);
	assert_true(f->j.last.has_source);
	assert_string_equal(f->j.last.source, "192.0.2.66");
	finding_release(&f->j.last);

	make_app(&r, "db", "alice", "read", "orders/7", 103000);
	r.app.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.7", r.app.src);
	record(f, &r);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	assert_int_equal(f->j.findings, 2);
	assert_string_equal(f->j.last.ref, "db-access");
	assert_false(f->j.last.has_source);
	assert_null(strstr(f->j.last.summary, "203.0.113.7"));
	finding_release(&f->j.last);
}

/*
 * A sample right after a tick (within the re-judging interval) that breaks
 * the bound on its own is acted on at once, naming its source: the tick
 * that follows would only see the state, with no one to blame.
 */
static void violation_right_after_a_tick_is_acted_on(void **state)
{
	struct fixture *f = *state;

	evaluate(f, 100000);
	assert_int_not_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	record_violation(f, "192.0.2.66", 100050);
	assert_int_equal(slo_by_id(f->j.set, "db-access")->state, SLO_VIOLATED);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.ref, "db-access");
	assert_true(f->j.last.has_source);
	assert_string_equal(f->j.last.source, "192.0.2.66");
	finding_release(&f->j.last);
}

/*
 * Samples that only together break a summed SLO's bound, all inside the
 * re-judging interval: the tick that finds the SLO violated reports it (a
 * finding naming no source), instead of a violation nobody hears about.
 */
static void violation_found_by_a_tick_is_reported(void **state)
{
	struct fixture *f = *state;
	struct slo_set *set;
	struct sla *sla;
	char src[32];

	sla = load_sla_text("sla: t\n"
			    "components: { db: { addresses: [10.0.1.20] } }\n"
			    "slos:\n"
			    "  - { id: reads, metric: app.access_violations, component: db, max: 2, window: 1m, severity: high }\n"
			    "rules:\n"
			    "  - { id: no-cards, deny: { user: shop, read: \"cards/*\", component: db }, severity: high }\n");
	assert_int_equal(slo_set_new(&set, sla), 0);
	slo_set_free(f->j.set);
	f->j.set = set;
	pp_free(f->j.pp);
	assert_int_equal(pp_new(&f->j.pp, sla, 120000), 0);
	f->j.ctx.pp = f->j.pp;
	sla_free(f->sla);
	f->sla = sla;

	evaluate(f, 100000);
	assert_int_not_equal(slo_by_id(f->j.set, "reads")->state, SLO_VIOLATED);
	for (int i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "192.0.2.%d", 10 + i);
		record_violation(f, src, 100010 + i);
	}
	evaluate(f, 101000);
	assert_int_equal(slo_by_id(f->j.set, "reads")->state, SLO_VIOLATED);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.ref, "reads");
	assert_false(f->j.last.has_source);
	finding_release(&f->j.last);

	/* Still violated at the next tick: reported once, not every tick. */
	evaluate(f, 102000);
	assert_int_equal(f->j.findings, 1);
}

/*
 * Application events with 70,000 distinct sources must not blind the
 * network SLOs: the real attacker's scan that follows is still judged, and
 * the windows stay bounded.
 */
static void app_flood_cannot_blind_network_slos(void **state)
{
	struct fixture *f = *state;
	struct rec r;
	char src[32];

	for (int i = 0; i < 70000; i++) {
		make_app(&r, "db", "alice", "read", "orders/7", 101000);
		r.app.family = AF_INET;
		snprintf(src, sizeof(src), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		inet_pton(AF_INET, src, r.app.src);
		record(f, &r);
	}
	assert_true(pp_window_count(f->j.pp) <= 65536);
	assert_int_equal(f->j.findings, 0);

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.66", NULL, 0, 0, 40, 102000);
	record(f, &r);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.ref, "scan");
	assert_string_equal(f->j.last.source, "192.0.2.66");
	finding_release(&f->j.last);
}

/*
 * A detector event that names its destination counts only for the SLOs of
 * the component at that destination: a scan of another address of the
 * host (or of another guest) does not violate web's SLO. An event without
 * a destination still counts for every component.
 */
static void detector_events_count_for_their_destination(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.66", "10.0.5.5", 0, 0, 40, 101000);
	record(f, &r);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.67", "10.0.1.20", 0, 0, 40, 101100);
	record(f, &r);
	assert_int_equal(f->j.findings, 0);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.68", "10.0.0.10", 0, 0, 40, 101200);
	record(f, &r);
	assert_int_equal(f->j.findings, 1);
	assert_string_equal(f->j.last.source, "192.0.2.68");
	finding_release(&f->j.last);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.69", NULL, 0, 0, 40, 101300);
	record(f, &r);
	assert_int_equal(f->j.findings, 2);
	finding_release(&f->j.last);
}

static void status_json(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *v;

	evaluate(f, 100000);
	o = slo_status_json(slo_by_id(f->j.set, "scan"));
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "compliant");
	assert_true(json_object_object_get_ex(o, "value", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "bound", &v));
	assert_true(json_object_get_double(v) == 20);
	assert_true(json_object_object_get_ex(o, "window_ms", &v));
	assert_int_equal(json_object_get_int64(v), 10000);
	assert_true(json_object_object_get_ex(o, "evidence", &v));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unknown_without_data, setup, teardown),
		cmocka_unit_test_setup_teardown(compliant_then_violated_then_compliant, setup, teardown),
		cmocka_unit_test_setup_teardown(lost_events, setup, teardown),
		cmocka_unit_test_setup_teardown(application_slo, setup, teardown),
		cmocka_unit_test_setup_teardown(summed_slo_blames_only_the_guilty, setup, teardown),
		cmocka_unit_test_setup_teardown(violation_right_after_a_tick_is_acted_on, setup, teardown),
		cmocka_unit_test_setup_teardown(violation_found_by_a_tick_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(app_flood_cannot_blind_network_slos, setup, teardown),
		cmocka_unit_test_setup_teardown(detector_events_count_for_their_destination, setup, teardown),
		cmocka_unit_test_setup_teardown(status_json, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
