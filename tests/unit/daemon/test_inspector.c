// SPDX-License-Identifier: GPL-2.0-or-later
/* The inspector: watch hits and application events against the rules. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <json-c/json.h>

#include "analyze.h"
#include "helpers.h"
#include "intake.h"
#include "util.h"

struct fixture {
	struct sla *sla;
	struct sla_module_config *cfg;
	struct preprocess *pp;
	struct inspector in;
	struct sample s;
	int n;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sla = load_test_sla();
	f->cfg = calloc(1, sizeof(*f->cfg));
	assert_int_equal(sla_to_module_config(f->sla, f->cfg), 0);
	assert_int_equal(pp_new(&f->pp, f->sla, 60000), 0);
	inspector_init(&f->in, f->sla, f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pp_free(f->pp);
	free(f->cfg);
	sla_free(f->sla);
	free(f);
	return 0;
}

static void keep(struct sample *s, void *arg)
{
	struct fixture *f = arg;

	f->s = *s;
	f->n++;
}

/* The module watch id of the SLA watch installed for RULE. */
static uint32_t watch_for(const struct fixture *f, const char *rule)
{
	for (size_t i = 0; i < f->cfg->n_watches; i++)
		if (!strcmp(f->cfg->watches[i].rule->id, rule))
			return INTAKE_WATCH_BASE + f->cfg->watches[i].id;
	fail_msg("no watch for %s", rule);
	return 0;
}

static int judge_hit(struct fixture *f, struct rec *r, const char *src,
		     const char *dst, uint16_t dport, uint32_t watch,
		     struct finding *out)
{
	make_net(r, SLAGUARD_EVENT_WATCH_HIT, src, dst, IPPROTO_TCP, dport, 0, 1000);
	r->net.watch_id = watch;
	assert_int_equal(pp_record(f->pp, r, keep, f), 1);
	return inspector_judge(&f->in, &f->s, out);
}

static void watch_hit_maps_to_its_rule(void **state)
{
	struct fixture *f = *state;
	uint32_t id = watch_for(f, "no-telnet");
	struct finding out;
	struct rec r;

	assert_ptr_equal(inspector_watch_rule(&f->in, id), sla_find_rule(f->sla, "no-telnet"));
	assert_null(inspector_watch_rule(&f->in, 7));	/* a hand-made watch */
	assert_int_equal(judge_hit(f, &r, "192.0.2.7", "10.0.0.10", 23, id, &out), 1);
	assert_int_equal(out.kind, FINDING_RULE);
	assert_string_equal(out.ref, "no-telnet");
	assert_int_equal(out.severity, SLA_SEV_HIGH);
	assert_string_equal(out.source, "192.0.2.7");
	assert_string_equal(out.component, "web");
	assert_non_null(strstr(out.summary, "port 23"));
	finding_release(&out);
}

/* An allow rule installs no watch but still permits what it allows. */
static void allow_overrides_deny(void **state)
{
	struct fixture *f = *state;
	uint32_t id = watch_for(f, "db-deny");
	struct finding out;
	struct rec r;

	assert_int_equal(judge_hit(f, &r, "10.0.0.10", "10.0.1.20", 5432, id, &out), 0);
	assert_int_equal(judge_hit(f, &r, "192.0.2.9", "10.0.1.20", 5432, id, &out), 1);
	assert_string_equal(out.ref, "db-deny");
	assert_int_equal(out.severity, SLA_SEV_CRITICAL);
	finding_release(&out);
}

/* A hit of a watch the daemon did not install is judged by the rules alone. */
static void foreign_watch(void **state)
{
	struct fixture *f = *state;
	struct finding out;
	struct rec r;

	assert_int_equal(judge_hit(f, &r, "192.0.2.7", "10.0.0.10", 23, 5, &out), 1);
	assert_string_equal(out.ref, "no-telnet");
	finding_release(&out);
	assert_int_equal(judge_hit(f, &r, "192.0.2.7", "10.0.0.10", 80, 5, &out), 0);
}

static void data_rules(void **state)
{
	struct fixture *f = *state;
	struct finding out;
	struct rec r;

	make_app(&r, "db", "shop", "read", "cards/42", 1000);
	pp_record(f->pp, &r, keep, f);
	assert_int_equal(inspector_judge(&f->in, &f->s, &out), 1);
	assert_string_equal(out.ref, "no-cards");
	assert_int_equal(out.severity, SLA_SEV_CRITICAL);
	assert_string_equal(out.component, "db");
	finding_release(&out);

	make_app(&r, "db", "alice", "read", "cards/42", 3000);
	pp_record(f->pp, &r, keep, f);
	assert_int_equal(inspector_judge(&f->in, &f->s, &out), 0);

	/* The rules are about reads; a write is not judged. */
	make_app(&r, "db", "shop", "write", "cards/42", 5000);
	pp_record(f->pp, &r, keep, f);
	assert_int_equal(inspector_judge(&f->in, &f->s, &out), 0);

	/* Another component: the rule is scoped to db. */
	make_app(&r, "web", "shop", "read", "cards/42", 7000);
	pp_record(f->pp, &r, keep, f);
	assert_int_equal(inspector_judge(&f->in, &f->s, &out), 0);
}

static void detector_events_are_not_rules(void **state)
{
	struct fixture *f = *state;
	struct finding out;
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 99, 1000);
	pp_record(f->pp, &r, keep, f);
	assert_int_equal(inspector_judge(&f->in, &f->s, &out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(watch_hit_maps_to_its_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(allow_overrides_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(data_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(detector_events_are_not_rules, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
