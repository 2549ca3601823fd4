// SPDX-License-Identifier: GPL-2.0-or-later
/* The profiler learns normal, flags attacks and never learns them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"
#include "engine.h"
#include "helpers.h"
#include "preprocess.h"
#include "util.h"

static struct profiler *trained(void)
{
	struct profiler *p;

	assert_int_equal(profiler_new(&p, NULL), 0);
	/* 100 packets/s give or take 10: a steady, normal host. */
	for (int i = 0; i < 200; i++)
		profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host",
				 100 + (i % 5 - 2) * 5, false, NULL);
	return p;
}

static void learns_normal(void **state)
{
	struct profiler *p = trained();
	const struct baseline *b = profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "host");
	struct profile_result r;

	(void)state;
	assert_non_null(b);
	assert_int_equal(b->n, 200);
	assert_true(fabs(b->mean - 100) < 3);
	assert_true(b->var > 0);
	assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 108, false, &r),
			 PROFILE_NORMAL);
	assert_true(r.learned);
	profiler_free(p);
}

static void young_baseline_does_not_judge(void **state)
{
	struct profiler *p;
	struct profile_result r;

	(void)state;
	assert_int_equal(profiler_new(&p, NULL), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 100, false, &r),
				 PROFILE_LEARNING);
	profiler_free(p);
}

/* The baseline after an attack equals the baseline before it. */
static void attack_is_flagged_and_not_learned(void **state)
{
	struct profiler *p = trained();
	const struct baseline *b = profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "host");
	struct baseline before = *b;
	struct profile_result r;

	(void)state;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 50000,
						  false, &r), PROFILE_ANOMALY);
		assert_false(r.learned);
		assert_true(r.z > 4);
	}
	assert_true(b->mean == before.mean);
	assert_true(b->var == before.var);
	assert_int_equal(b->n, before.n);
	assert_int_equal(b->rejected, 50);
	/* Still an anomaly after the long attack: it was never learned. */
	assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 50000, false, &r),
			 PROFILE_ANOMALY);
	profiler_free(p);
}

/* What the caller knows to be an attack is not learned, even when young. */
static void known_attack_not_learned(void **state)
{
	struct profiler *p;
	struct profile_result r;
	const struct baseline *b;

	(void)state;
	assert_int_equal(profiler_new(&p, NULL), 0);
	profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 100, false, &r);
	profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 90000, true, &r);
	assert_false(r.learned);
	b = profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "host");
	assert_true(b->mean == 100);
	assert_int_equal(b->n, 1);
	profiler_free(p);
}

/*
 * A slow ramp (3 % more every second) must not walk the baseline up with
 * it: what the profiler learns above the mean is capped, so the ramp is
 * flagged within a minute.
 */
static void ramp_is_flagged(void **state)
{
	struct profiler *p = trained();
	struct profile_result r;
	double v = 100;
	int at = -1;

	(void)state;
	for (int i = 0; i < 300 && at < 0; i++) {
		v *= 1.03;
		if (profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", v, false, &r) ==
		    PROFILE_ANOMALY)
			at = i;
	}
	assert_true(at >= 0);
	assert_true(at < 60);
	profiler_free(p);
}

/*
 * A lasting, legitimate step (a new service tripling traffic) is anomalous
 * for relearn_after samples, then becomes the new baseline, rather than
 * staying anomalous for good.
 */
static void step_change_is_relearned(void **state)
{
	struct profiler_opts o = { .relearn_after = 60 };
	struct profiler *p;
	struct profile_result r;
	const struct baseline *b;

	(void)state;
	assert_int_equal(profiler_new(&p, &o), 0);
	for (int i = 0; i < 200; i++)
		profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 100 + (i % 5 - 2) * 5,
				 false, NULL);
	for (int i = 0; i < 59; i++)
		assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host",
						  300 + (i % 3), false, &r),
				 PROFILE_ANOMALY);
	profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 300, false, &r);
	assert_true(r.learned);
	for (int i = 0; i < 20; i++)
		assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host",
						  300 + (i % 3), false, &r),
				 PROFILE_NORMAL);
	b = profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "host");
	assert_true(fabs(b->mean - 300) < 10);
	assert_int_equal(b->rebased, 1);
	/* An attack the caller knows of is never relearned, however long. */
	for (int i = 0; i < 200; i++)
		profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 90000, true, &r);
	assert_int_equal(b->rebased, 1);
	assert_int_equal(profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 90000,
					  false, &r), PROFILE_ANOMALY);
	profiler_free(p);
}

/*
 * A cheap finding every few seconds marks every sample known-bad: that
 * must not freeze the baseline. Samples at or below it are still learned;
 * only what would raise it is refused.
 */
static void findings_do_not_freeze_learning(void **state)
{
	struct profiler *p = trained();
	struct profile_result r;
	const struct baseline *b = profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "host");
	uint64_t n = b->n;

	(void)state;
	profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 80, true, &r);
	assert_true(r.learned);
	assert_int_equal(b->n, n + 1);
	assert_true(b->mean < 100);
	profiler_observe(p, SAMPLE_HOST_PKT_RATE, "host", 130, true, &r);
	assert_false(r.learned);
	profiler_free(p);
}

static void feature_event(struct engine *e, uint32_t kind, const char *src,
			  int feature, double v)
{
	struct rec r;

	make_net(&r, kind, src, NULL, 0, 0, (uint64_t)v, sgd_mono_ms());
	r.net.features.present = 1u << feature;
	r.net.features.v[feature] = v;
	engine_on_record(&r, e);
}

static void host_rate(struct engine *e, uint64_t pps)
{
	struct rec r = { .kind = REC_STATS, .mono_ms = sgd_mono_ms(),
			 .real_ms = sgd_real_ms() };

	r.stats.interval_ms = 1000;
	r.stats.packets = pps;
	r.stats.bytes = pps * 100;
	engine_on_record(&r, e);
}

/*
 * An anomaly's severity comes from the most severe attack shape seen
 * recently, not the last one: a cheap ICMP burst (a medium shape) after a
 * port scan (a high one) cannot lower it.
 */
static void shape_severity_cannot_be_lowered(void **state)
{
	struct fake_backend fb = { 0 };
	struct engine_opts o = { .ops = &fake_ops, .ops_ctx = &fb,
				 .shapes_path = SGD_SHAPES_FILE,
				 .alerts = { .rate = 100, .burst = 100 } };
	struct engine e;
	struct json_object *recent, *a, *v;
	const char *sev = NULL;

	(void)state;
	assert_int_equal(engine_init(&e, load_test_sla(), "test.yaml", &o), 0);
	for (int i = 0; i < 40; i++)
		host_rate(&e, 100 + (uint64_t)(i % 5) * 2);
	feature_event(&e, SLAGUARD_EVENT_PORTSCAN, "192.0.2.66", REC_F_PORTS, 40);
	feature_event(&e, SLAGUARD_EVENT_ICMP_FLOOD, "192.0.2.67", REC_F_ICMP_RATE, 500);
	for (int i = 0; i < 3; i++)
		host_rate(&e, 90000);
	recent = alerts_recent_json(e.alerts, 100);
	for (size_t i = 0; i < json_object_array_length(recent); i++) {
		a = json_object_array_get_idx(recent, i);
		if (json_object_object_get_ex(a, "kind", &v) &&
		    !strcmp(json_object_get_string(v), "anomaly") &&
		    json_object_object_get_ex(a, "severity", &v))
			sev = json_object_get_string(v);
	}
	assert_non_null(sev);
	assert_string_equal(sev, "high");
	json_object_put(recent);
	engine_fini(&e);
}

static void labels_are_separate(void **state)
{
	struct profiler *p = trained();

	(void)state;
	assert_null(profiler_baseline(p, SAMPLE_HOST_PKT_RATE, "web"));
	assert_null(profiler_baseline(p, SAMPLE_HOST_BYTE_RATE, "host"));
	profiler_free(p);
}

static void features_of_json(struct json_object *o, struct rec_features *f)
{
	memset(f, 0, sizeof(*f));
	json_object_object_foreach(o, key, val) {
		int i = rec_feature_from_name(key);

		assert_true(i >= 0);
		f->present |= 1u << i;
		f->v[i] = json_object_get_double(val);
	}
}

/* The shipped shapes label every labelled example of the data file. */
static void shipped_shapes_label_examples(void **state)
{
	struct profiler *p;
	struct json_object *root = json_object_from_file(SGD_SHAPES_FILE), *ex;
	char err[256];
	size_t n;

	(void)state;
	assert_non_null(root);
	assert_int_equal(profiler_new(&p, NULL), 0);
	assert_int_equal(profiler_load_shapes(p, SGD_SHAPES_FILE, err, sizeof(err)), 0);
	assert_true(profiler_shape_count(p) >= 3);
	assert_true(json_object_object_get_ex(root, "examples", &ex));
	n = json_object_array_length(ex);
	assert_true(n >= 6);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(ex, i), *label, *feat;
		const struct attack_shape *s;
		struct rec_features f;

		json_object_object_get_ex(e, "label", &label);
		json_object_object_get_ex(e, "features", &feat);
		features_of_json(feat, &f);
		s = profiler_classify(p, &f);
		if (!label) {
			if (s)
				fail_msg("example %zu is benign but labelled %s", i, s->name);
			continue;
		}
		if (!s || strcmp(s->name, json_object_get_string(label)))
			fail_msg("example %zu: expected %s, got %s", i,
				 json_object_get_string(label), s ? s->name : "nothing");
	}
	json_object_put(root);
	profiler_free(p);
}

static void bad_shapes(void **state)
{
	struct profiler *p;
	char err[256];

	(void)state;
	assert_int_equal(profiler_new(&p, NULL), 0);
	assert_int_equal(profiler_load_shapes_string(p, "[]", "x.json", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "x.json"));
	assert_int_equal(profiler_load_shapes_string(p,
		"{\"shapes\":[{\"name\":\"a\",\"features\":{\"bogus\":{\"min\":1}}}]}",
		"x.json", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "shapes[0]"));
	assert_int_equal(profiler_load_shapes_string(p,
		"{\"shapes\":[{\"name\":\"a\",\"features\":{\"ports\":{}}}]}",
		"x.json", err, sizeof(err)), -EINVAL);
	assert_int_equal(profiler_load_shapes(p, "/nonexistent/shapes.json", err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(profiler_shape_count(p), 0);
	profiler_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(learns_normal),
		cmocka_unit_test(young_baseline_does_not_judge),
		cmocka_unit_test(attack_is_flagged_and_not_learned),
		cmocka_unit_test(ramp_is_flagged),
		cmocka_unit_test(step_change_is_relearned),
		cmocka_unit_test(findings_do_not_freeze_learning),
		cmocka_unit_test(shape_severity_cannot_be_lowered),
		cmocka_unit_test(known_attack_not_learned),
		cmocka_unit_test(labels_are_separate),
		cmocka_unit_test(shipped_shapes_label_examples),
		cmocka_unit_test(bad_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
