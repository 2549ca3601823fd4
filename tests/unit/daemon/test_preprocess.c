// SPDX-License-Identifier: GPL-2.0-or-later
/* preprocess: typed samples, windows, duplicates, gaps as missing data. */
#include <math.h>
#include <string.h>
#include <netinet/in.h>

#include "helpers.h"
#include "preprocess.h"
#include "util.h"

struct got {
	int n;
	struct sample last;
	struct preprocess *pp;
};

static void collect(struct sample *s, void *arg)
{
	struct got *g = arg;

	g->n++;
	g->last = *s;
	if (g->pp)
		pp_store(g->pp, s);
}

struct find {
	const char *source;
	const struct pp_window *w;
};

static void find_source(const struct pp_window *w, void *arg)
{
	struct find *f = arg;

	if (!strcmp(pp_window_source(w), f->source))
		f->w = w;
}

static const struct pp_window *window_of(struct preprocess *pp, int metric,
					 const char *source)
{
	struct find f = { .source = source };

	pp_foreach_window(pp, metric, 0, find_source, &f);
	return f.w;
}

static void typed_samples(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct rec r;

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 60000), 0);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 24, 1000);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	assert_int_equal(g.last.metric, SLA_METRIC_NET_PORTSCAN_PORTS);
	assert_string_equal(sample_metric_name(g.last.metric), "net.portscan_ports");
	assert_true(g.last.value == 24);
	assert_false(g.last.missing);
	assert_string_equal(g.last.source, "192.0.2.7");
	/* A detector event names no destination: component unresolved. */
	assert_null(g.last.component);

	/* A watch hit resolves its component by destination; value 1 (a hit). */
	make_net(&r, SLAGUARD_EVENT_WATCH_HIT, "192.0.2.7", "10.0.1.20",
		 IPPROTO_TCP, 5432, 0, 1100);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	assert_int_equal(g.last.metric, SLA_METRIC_NET_WATCH_HITS);
	assert_non_null(g.last.component);
	assert_string_equal(g.last.component->name, "db");
	assert_true(g.last.value == 1);
	pp_free(pp);
	sla_free(sla);
}

static void windows(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct pp_stats st;
	const struct pp_window *w;
	struct rec r;

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 30000), 0);
	g.pp = pp;
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 30, 1000);
	pp_record(pp, &r, collect, &g);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 50, 5000);
	pp_record(pp, &r, collect, &g);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.8", NULL, 0, 0, 99, 5000);
	pp_record(pp, &r, collect, &g);
	assert_int_equal(pp_window_count(pp), 2);

	w = window_of(pp, SLA_METRIC_NET_PORTSCAN_PORTS, "192.0.2.7");
	assert_non_null(w);
	assert_true(pp_window_stats(w, 0, &st));
	assert_int_equal(st.n, 2);
	assert_true(st.max == 50 && st.sum == 80 && st.last == 50);
	/* Only what is inside the window counts. */
	assert_true(pp_window_stats(w, 2000, &st));
	assert_int_equal(st.n, 1);
	assert_true(st.max == 50);
	assert_false(pp_window_stats(w, 6000, &st));

	/* Expiry drops old points, then empty windows. */
	pp_expire(pp, 33000);
	assert_int_equal(pp_window_count(pp), 2);
	pp_expire(pp, 36000);
	assert_int_equal(pp_window_count(pp), 0);
	pp_free(pp);
	sla_free(sla);
}

static void duplicates(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct rec r, app;

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 60000), 0);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.7", NULL, 0, 0, 24, 1000);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	/* The same event (netns, seq, kind, time) delivered again. */
	assert_int_equal(pp_record(pp, &r, collect, &g), 0);
	assert_int_equal(g.n, 1);

	make_app(&app, "db", "alice", "read", "customers/1", 2000);
	assert_int_equal(pp_record(pp, &app, collect, &g), 1);
	app.mono_ms = 2500;	/* an application retrying the same line */
	assert_int_equal(pp_record(pp, &app, collect, &g), 0);
	app.mono_ms = 4000;	/* later: a new access */
	assert_int_equal(pp_record(pp, &app, collect, &g), 1);
	assert_int_equal(pp_last_app_ms(pp), 4000);
	pp_free(pp);
	sla_free(sla);
}

/* Lost events are recorded as missing data with their count, never as 0. */
static void gaps_are_missing_data(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	uint64_t count;
	bool unknown;
	struct rec r;

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 60000), 0);
	assert_int_equal(pp_gaps_since(pp, 0, &count, &unknown), 0);

	make_lost(&r, true, 7, 1000);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	assert_int_equal(g.last.metric, SLA_METRIC_EVENTS_LOST);
	assert_true(g.last.missing);
	assert_true(g.last.count_known);
	assert_true(g.last.value == 7);

	/* An overrun does not say how many: at least one, flagged unknown. */
	make_lost(&r, false, 0, 2000);
	pp_record(pp, &r, collect, &g);
	assert_true(g.last.missing);
	assert_false(g.last.count_known);
	assert_true(g.last.value >= 1);

	assert_int_equal(pp_gaps_since(pp, 0, &count, &unknown), 2);
	assert_int_equal(count, 8);
	assert_true(unknown);
	assert_int_equal(pp_gaps_since(pp, 1500, &count, &unknown), 1);
	assert_int_equal(pp_gaps_since(pp, 2500, &count, &unknown), 0);
	pp_free(pp);
	sla_free(sla);
}

static void host_rates(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct rec r = { .kind = REC_STATS, .mono_ms = 1000 };

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 60000), 0);
	r.stats.interval_ms = 2000;
	r.stats.packets = 500;
	r.stats.bytes = 100000;
	assert_int_equal(pp_record(pp, &r, collect, &g), 2);
	assert_int_equal(g.last.metric, SAMPLE_HOST_BYTE_RATE);
	assert_true(fabs(g.last.value - 50000) < 1e-9);
	assert_string_equal(sample_metric_name(SAMPLE_HOST_PKT_RATE), "host.pkt_rate");
	/* No interval, no rate: nothing is invented. */
	r.stats.interval_ms = 0;
	assert_int_equal(pp_record(pp, &r, collect, &g), 0);
	pp_free(pp);
	sla_free(sla);
}

/* The window table's former hash: unkeyed FNV-1a, which anyone can compute. */
static size_t public_bucket(int metric, const char *source)
{
	const void *c = NULL;
	uint64_t h = 14695981039346656037ULL;
	const uint8_t *parts[3] = { (const uint8_t *)&metric, (const uint8_t *)&c,
				    (const uint8_t *)source };
	size_t lens[3] = { sizeof(metric), sizeof(c), strlen(source) };

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < lens[k]; i++)
			h = (h ^ parts[k][i]) * 1099511628211ULL;
	return h % 1024;
}

/*
 * Sources chosen to share a bucket of a public hash must not make one long
 * chain: every event of theirs would walk it.
 */
static void chosen_sources_do_not_make_long_chains(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct rec r;
	char src[32];
	int n = 0;

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 60000), 0);
	g.pp = pp;
	for (uint32_t i = 0; n < 3000 && i < (1u << 24); i++) {
		snprintf(src, sizeof(src), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		if (public_bucket(SLA_METRIC_NET_PORTSCAN_PORTS, src))
			continue;
		make_net(&r, SLAGUARD_EVENT_PORTSCAN, src, NULL, 0, 0, 24, 1000 + n);
		assert_int_equal(pp_record(pp, &r, collect, &g), 1);
		n++;
	}
	assert_int_equal(n, 3000);
	assert_non_null(window_of(pp, SLA_METRIC_NET_PORTSCAN_PORTS, src));
	assert_in_range(pp_longest_chain(pp), 1, 8);
	pp_free(pp);
	sla_free(sla);
}

struct visit {
	int n;
	uint64_t since;
	char first[32];
};

static void count_visit(const struct pp_window *w, void *arg)
{
	struct visit *v = arg;

	if (!v->n++)
		snprintf(v->first, sizeof(v->first), "%s", pp_window_source(w));
}

static int visits(struct preprocess *pp, uint64_t since, struct visit *v)
{
	memset(v, 0, sizeof(*v));
	pp_foreach_window(pp, SLA_METRIC_NET_PORTSCAN_PORTS, since, count_visit, v);
	return v->n;
}

/*
 * Judging a window of time walks the windows active in it, not every
 * window kept: 5000 quiet sources cost a tick nothing once their samples
 * are older than the SLO's window, and a sample that comes in late (older
 * than the newest) still finds its place.
 */
static void judging_walks_only_active_windows(void **state)
{
	struct sla *sla = load_test_sla();
	struct preprocess *pp;
	struct got g = { 0 };
	struct visit v;
	struct rec r;
	char src[32];

	(void)state;
	assert_int_equal(pp_new(&pp, sla, 600000), 0);
	g.pp = pp;
	for (int i = 0; i < 5000; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250);
		make_net(&r, SLAGUARD_EVENT_PORTSCAN, src, NULL, 0, 0, 24, 1000 + i);
		assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	}
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.1", NULL, 0, 0, 24, 100000);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "192.0.2.2", NULL, 0, 0, 24, 99990);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);

	assert_int_equal(visits(pp, 99995, &v), 1);
	assert_string_equal(v.first, "192.0.2.1");
	assert_int_equal(visits(pp, 99985, &v), 2);
	assert_int_equal(visits(pp, 5000, &v), 2 + 1000);
	assert_int_equal(visits(pp, 0, &v), 5002);
	/* an old source active again moves up */
	make_net(&r, SLAGUARD_EVENT_PORTSCAN, "10.1.0.0", NULL, 0, 0, 24, 100001);
	assert_int_equal(pp_record(pp, &r, collect, &g), 1);
	assert_int_equal(visits(pp, 99995, &v), 2);
	assert_string_equal(v.first, "10.1.0.0");
	pp_free(pp);
	sla_free(sla);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typed_samples),
		cmocka_unit_test(windows),
		cmocka_unit_test(duplicates),
		cmocka_unit_test(gaps_are_missing_data),
		cmocka_unit_test(host_rates),
		cmocka_unit_test(chosen_sources_do_not_make_long_chains),
		cmocka_unit_test(judging_walks_only_active_windows),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
