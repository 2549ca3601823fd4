// SPDX-License-Identifier: GPL-2.0-or-later
/* SLO states: unknown without data, compliant, violated, and back. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "helpers.h"
#include "slo.h"
#include "util.h"

struct fixture {
	struct sla *sla;
	struct preprocess *pp;
	struct slo_set *set;
	struct slo_ctx ctx;
	int findings;
	struct finding last;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sla = load_test_sla();
	assert_int_equal(pp_new(&f->pp, f->sla, 120000), 0);
	assert_int_equal(slo_set_new(&f->set, f->sla), 0);
	f->ctx = (struct slo_ctx){
		.pp = f->pp, .now = 100000, .now_real = 1795428100000ULL,
		.kernel_since = 1000, .holdoff_ms = 5000,
		.default_window_ms = 10000,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	slo_set_free(f->set);
	pp_free(f->pp);
	sla_free(f->sla);
	free(f);
	return 0;
}

static void on_finding(struct finding *fd, void *arg)
{
	struct fixture *f = arg;

	f->findings++;
	finding_release(&f->last);
	f->last = *fd;
	fd->evidence = NULL;
}

static void on_sample(struct sample *s, void *arg)
{
	struct fixture *f = arg;

	pp_store(f->pp, s);
	slo_on_sample(f->set, &f->ctx, s, on_finding, f);
}

static void on_violation(struct sample *s, void *arg)
{
	s->value = 1;
	on_sample(s, arg);
}

static void record(struct fixture *f, struct rec *r)
{
	f->ctx.now = r->mono_ms;
	pp_record(f->pp, r, on_sample, f);
}

static void evaluate(struct fixture *f, uint64_t now)
{
	f->ctx.now = now;
	slo_evaluate(f->set, &f->ctx, on_finding, f);
}

static void unknown_without_data(void **state)
{
	struct fixture *f = *state;

	f->ctx.kernel_since = 0;	/* no module */
	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_UNKNOWN);
	assert_false(slo_by_id(f->set, "scan")->has_value);
	assert_int_equal(slo_by_id(f->set, "lost")->state, SLO_UNKNOWN);
	assert_int_equal(slo_by_id(f->set, "db-access")->state, SLO_UNKNOWN);
	assert_int_equal(slo_by_id(f->set, "cpu")->state, SLO_UNKNOWN);
	assert_non_null(strstr(slo_by_id(f->set, "cpu")->reason, "not connected"));

	/* Connected, but for less than the window: still not covered. */
	f->ctx.kernel_since = 95000;
	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_UNKNOWN);
	assert_int_equal(f->findings, 0);
}

static void compliant_then_violated_then_compliant(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_COMPLIANT);
	assert_false(slo_by_id(f->set, "scan")->has_value);
	assert_int_equal(slo_by_id(f->set, "lost")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->set, "lost")->value == 0);

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 24, 101000);
	record(f, &r);
	assert_int_equal(f->findings, 1);
	assert_int_equal(f->last.kind, FINDING_SLO);
	assert_string_equal(f->last.ref, "scan");
	assert_string_equal(f->last.source, "192.0.2.7");
	assert_int_equal(f->last.severity, SLA_SEV_HIGH);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->set, "scan")->value == 24);
	assert_int_equal(slo_by_id(f->set, "scan")->ntop, 1);
	assert_string_equal(slo_by_id(f->set, "scan")->top[0].source, "192.0.2.7");

	/* Another source within bounds: not blamed, the SLO stays violated. */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.8", NULL, 0, 0, 15, 102000);
	record(f, &r);
	assert_int_equal(f->findings, 1);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_VIOLATED);

	/* The window (10s) passes without another crossing. */
	evaluate(f, 110500);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_VIOLATED);
	evaluate(f, 111500);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_COMPLIANT);
	finding_release(&f->last);
}

/* Lost events make a quiet window unknown, and violate events.lost. */
static void lost_events(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	make_lost(&r, true, 3, 100500);
	record(f, &r);
	assert_int_equal(f->findings, 1);
	assert_string_equal(f->last.ref, "lost");
	assert_false(f->last.has_source);
	assert_int_equal(slo_by_id(f->set, "lost")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->set, "lost")->value == 3);
	evaluate(f, 101000);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_UNKNOWN);
	assert_non_null(strstr(slo_by_id(f->set, "scan")->reason, "lost"));
	/* A violation is still a violation when events were lost too. */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 30, 102000);
	record(f, &r);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_VIOLATED);
	/* Once the gap leaves every window, both are compliant again. */
	evaluate(f, 170000);
	assert_int_equal(slo_by_id(f->set, "scan")->state, SLO_COMPLIANT);
	assert_int_equal(slo_by_id(f->set, "lost")->state, SLO_COMPLIANT);
	finding_release(&f->last);
}

static void application_slo(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	evaluate(f, 100000);
	assert_int_equal(slo_by_id(f->set, "db-access")->state, SLO_UNKNOWN);
	make_app(&r, "db", "alice", "read", "customers/1", 100500);
	record(f, &r);
	evaluate(f, 101000);
	assert_int_equal(slo_by_id(f->set, "db-access")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->set, "db-access")->has_value);
	assert_true(slo_by_id(f->set, "db-access")->value == 0);
	assert_int_equal(f->findings, 0);
	/* A violation: the inspector sets the sample's value to 1. */
	make_app(&r, "db", "shop", "read", "cards/1", 102000);
	f->ctx.now = r.mono_ms;
	pp_record(f->pp, &r, on_violation, f);
	assert_int_equal(slo_by_id(f->set, "db-access")->state, SLO_VIOLATED);
	assert_int_equal(f->findings, 1);
	assert_string_equal(f->last.ref, "db-access");
	assert_int_equal(f->last.severity, SLA_SEV_CRITICAL);
	/* Quiet applications: after the window nothing covers it any more. */
	evaluate(f, 170000);
	assert_int_equal(slo_by_id(f->set, "db-access")->state, SLO_UNKNOWN);
	finding_release(&f->last);
}

static void status_json(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *v;

	evaluate(f, 100000);
	o = slo_status_json(slo_by_id(f->set, "scan"));
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
		cmocka_unit_test_setup_teardown(status_json, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
