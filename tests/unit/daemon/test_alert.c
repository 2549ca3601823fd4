// SPDX-License-Identifier: GPL-2.0-or-later
/* Alerts: ids, de-duplication within the hold-off, rate limit, recent list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "alert.h"
#include "helpers.h"
#include "util.h"

static void finding(struct finding *f, const char *ref, const char *source)
{
	memset(f, 0, sizeof(*f));
	f->kind = FINDING_SLO;
	f->severity = SLA_SEV_HIGH;
	snprintf(f->ref, sizeof(f->ref), "%s", ref);
	if (source) {
		f->has_source = true;
		f->family = AF_INET;
		snprintf(f->source, sizeof(f->source), "%s", source);
	}
	f->real_ms = 1795428000000ULL;
	snprintf(f->summary, sizeof(f->summary), "test %s", ref);
	f->evidence = json_object_new_object();
}

static struct alerts *new_alerts(uint64_t holdoff, double rate, double burst,
				 FILE *out)
{
	struct alert_opts o = { .holdoff_ms = holdoff, .rate = rate,
				.burst = burst, .keep = 5, .out = out };
	struct alerts *am;

	assert_int_equal(alerts_new(&am, &o), 0);
	return am;
}

static struct alert *raise_one(struct alerts *am, const char *ref,
			       const char *source, uint64_t now)
{
	struct finding f;

	finding(&f, ref, source);
	return alerts_raise(am, &f, now);
}

static void ids_count_up(void **state)
{
	struct alerts *am = new_alerts(10000, 100, 100, NULL);
	struct alert *a;

	(void)state;
	a = raise_one(am, "scan", "192.0.2.1", 1000);
	assert_non_null(a);
	assert_string_equal(a->id, "A1");
	a = raise_one(am, "scan", "192.0.2.2", 1000);
	assert_string_equal(a->id, "A2");
	a = raise_one(am, "flood", "192.0.2.1", 1000);
	assert_string_equal(a->id, "A3");
	assert_int_equal(alerts_counters(am)->raised, 3);
	alerts_free(am);
}

/* Ids continue after those named by elements adopted from a previous run. */
static void ids_continue_after_adopted(void **state)
{
	struct alerts *am = new_alerts(10000, 100, 100, NULL);
	struct alert *a;

	(void)state;
	alerts_reserve(am, "slaguard rule=scan alert=A41");
	alerts_reserve(am, "slaguard rule=scan alert=A7");
	alerts_reserve(am, "not ours");
	alerts_reserve(am, NULL);
	a = raise_one(am, "scan", "192.0.2.1", 1000);
	assert_non_null(a);
	assert_string_equal(a->id, "A42");
	alerts_free(am);
}

static void dedup_within_holdoff(void **state)
{
	struct alerts *am = new_alerts(10000, 100, 100, NULL);

	(void)state;
	assert_non_null(raise_one(am, "scan", "192.0.2.1", 1000));
	assert_null(raise_one(am, "scan", "192.0.2.1", 5000));
	assert_null(raise_one(am, "scan", "192.0.2.1", 10999));
	assert_int_equal(alerts_counters(am)->deduplicated, 2);
	/* Another source, or no source, is another alert. */
	assert_non_null(raise_one(am, "scan", "192.0.2.2", 5000));
	assert_non_null(raise_one(am, "scan", NULL, 5000));
	/* After the hold-off the same one alerts again, with a new id. */
	assert_string_equal(raise_one(am, "scan", "192.0.2.1", 11000)->id, "A4");
	/* Expiry forgets keys older than the hold-off only. */
	alerts_expire(am, 15500);
	assert_null(raise_one(am, "scan", "192.0.2.1", 15600));
	alerts_set_holdoff(am, 1000);
	alerts_expire(am, 15600);
	assert_non_null(raise_one(am, "scan", "192.0.2.1", 17000));
	alerts_free(am);
}

static void rate_limit(void **state)
{
	struct alerts *am = new_alerts(10000, 2, 3, NULL);
	char src[32];
	int raised = 0;

	(void)state;
	for (int i = 0; i < 10; i++) {
		snprintf(src, sizeof(src), "192.0.2.%d", i);
		raised += raise_one(am, "scan", src, 1000) != NULL;
	}
	assert_int_equal(raised, 3);		/* the burst */
	assert_int_equal(alerts_counters(am)->rate_limited, 7);
	/* One second later: two more tokens. */
	raised = 0;
	for (int i = 10; i < 20; i++) {
		snprintf(src, sizeof(src), "192.0.2.%d", i);
		raised += raise_one(am, "scan", src, 2000) != NULL;
	}
	assert_int_equal(raised, 2);
	alerts_free(am);
}

/*
 * A finding dropped by the rate limit is not remembered for de-duplication:
 * when the real attacker's finding comes again after a flood of decoys, it
 * is alerted (and so acted on), not dropped for the whole hold-off.
 */
static void rate_limited_is_not_deduplicated(void **state)
{
	struct alerts *am = new_alerts(10000, 2, 3, NULL);
	char src[32];

	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i);
		assert_non_null(raise_one(am, "scan", src, 1000));
	}
	assert_null(raise_one(am, "scan", "192.0.2.66", 1000));
	assert_int_equal(alerts_counters(am)->rate_limited, 1);
	/* Half a second later one token is back: the same finding is alerted. */
	assert_non_null(raise_one(am, "scan", "192.0.2.66", 1500));
	assert_int_equal(alerts_counters(am)->deduplicated, 0);
	/* And now it is remembered. */
	assert_null(raise_one(am, "scan", "192.0.2.66", 3000));
	assert_int_equal(alerts_counters(am)->deduplicated, 1);
	alerts_free(am);
}

/*
 * The rate limit is per (kind, SLO or rule, severity): a flood of one SLO's
 * findings does not silence another SLO, nor a more severe finding.
 */
static void rate_limit_per_slo_and_severity(void **state)
{
	struct alerts *am = new_alerts(10000, 2, 3, NULL);
	struct finding f;
	char src[32];

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i);
		raise_one(am, "scan", src, 1000);
	}
	assert_int_equal(alerts_counters(am)->raised, 3);
	assert_non_null(raise_one(am, "syn-flood", "192.0.2.66", 1000));
	finding(&f, "scan", "192.0.2.67");
	f.severity = SLA_SEV_CRITICAL;
	assert_non_null(alerts_raise(am, &f, 1000));
	finding(&f, "scan", "192.0.2.68");
	f.kind = FINDING_RULE;
	assert_non_null(alerts_raise(am, &f, 1000));
	alerts_free(am);
}

static int listened;

static void listener(const struct alert *a, void *arg)
{
	(void)arg;
	(void)a;
	listened++;
}

static void output_and_recent(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct alerts *am = new_alerts(10000, 100, 100, out);
	struct json_object *o, *v, *arr;
	struct alert *a;

	(void)state;
	alerts_set_listener(am, listener, NULL);
	a = raise_one(am, "scan", "192.0.2.1", 1000);
	alert_add_action(a, "C3");
	alerts_emit(am, a);
	fflush(out);
	assert_int_equal(listened, 1);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "id", &v));
	assert_string_equal(json_object_get_string(v), "A1");
	assert_true(json_object_object_get_ex(o, "kind", &v));
	assert_string_equal(json_object_get_string(v), "slo");
	assert_true(json_object_object_get_ex(o, "severity", &v));
	assert_string_equal(json_object_get_string(v), "high");
	assert_true(json_object_object_get_ex(o, "component", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "actions", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "C3");
	assert_true(json_object_object_get_ex(o, "time", &v));
	assert_non_null(strchr(json_object_get_string(v), 'T'));
	json_object_put(o);

	/* Only the last 'keep' (5) are kept; 'limit' takes the newest. */
	for (int i = 2; i <= 8; i++) {
		char src[32];

		snprintf(src, sizeof(src), "192.0.2.%d", i);
		raise_one(am, "scan", src, 1000);
	}
	arr = alerts_recent_json(am, 100);
	assert_int_equal(json_object_array_length(arr), 5);
	json_object_put(arr);
	arr = alerts_recent_json(am, 2);
	assert_int_equal(json_object_array_length(arr), 2);
	json_object_object_get_ex(json_object_array_get_idx(arr, 1), "id", &v);
	assert_string_equal(json_object_get_string(v), "A8");
	json_object_put(arr);
	alerts_free(am);
	fclose(out);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_count_up),
		cmocka_unit_test(ids_continue_after_adopted),
		cmocka_unit_test(dedup_within_holdoff),
		cmocka_unit_test(rate_limit),
		cmocka_unit_test(rate_limited_is_not_deduplicated),
		cmocka_unit_test(rate_limit_per_slo_and_severity),
		cmocka_unit_test(output_and_recent),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
