// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel module is configured with: thresholds from network SLOs
 * and watches from network deny rules, so a policy is written once.
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sla_test.h"

#define THR(cfg, attr) ((cfg)->thresholds[attr])
#define HAS(cfg, attr) (((cfg)->thresholds_set >> (attr)) & 1)

static struct sla_module_config cfg;

static struct sla *derive(const char *yaml)
{
	struct sla *sla = load_ok(yaml);

	memset(&cfg, 0xa5, sizeof(cfg));	/* must be fully rewritten */
	assert_int_equal(sla_to_module_config(sla, &cfg), 0);
	return sla;
}

static void addr_equal(const uint8_t *got, int family, const char *want)
{
	uint8_t a[16] = { 0 };

	assert_int_equal(inet_pton(family, want, a), 1);
	assert_memory_equal(got, a, family == AF_INET ? 4 : 16);
}

static void tightest_max_per_metric(void **state)
{
	struct sla *sla = derive(SLA_BASE "slos:\n"
		"  - { id: a, metric: net.syn_half_open, component: web, max: 300, "
		"window: 5s, severity: low }\n"
		"  - { id: b, metric: net.syn_half_open, component: db, max: 200, "
		"window: 5s, severity: low }\n"
		"  - { id: c, metric: net.portscan_ports, max: 20, window: 10s, "
		"severity: high }\n"
		"  - { id: d, metric: net.conn_rate, per: component, max: 99.5, "
		"window: 5s, severity: low }\n"
		"  - { id: e, metric: net.bandwidth_bps, max: 5G, window: 5s, "
		"severity: low }\n"
		"  - { id: f, metric: net.icmp_rate, max: 0, window: 5s, "
		"severity: low }\n");

	(void)state;
	/* "max: 200" complies at 200: the module fires at the first 201. */
	assert_int_equal(THR(&cfg, SLAGUARD_THR_SYN_HALF_OPEN), 201);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_PORTSCAN_PORTS), 21);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_CONN_RATE), 100);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_BANDWIDTH_BPS), 5000000001ULL);
	/* max 0 must not become 0, which would switch the detector off */
	assert_int_equal(THR(&cfg, SLAGUARD_THR_ICMP_RATE), 1);
	assert_true(HAS(&cfg, SLAGUARD_THR_ICMP_RATE));
	assert_false(HAS(&cfg, SLAGUARD_THR_WATCH_EVENTS));
	assert_false(HAS(&cfg, SLAGUARD_THR_UNSPEC));
	assert_int_equal(cfg.n_watches, 0);
	sla_free(sla);
}

/* Metrics without an SLO keep the module's own thresholds. */
static void untouched_without_slos(void **state)
{
	struct sla *sla = derive(SLA_BASE "slos:\n"
		"  - { id: a, metric: net.conn_rate, min: 5, severity: low }\n"
		"  - { id: b, metric: net.watch_hits, max: 3, severity: low }\n"
		"  - { id: c, metric: sched.cpu_percent, max: 3, severity: low }\n"
		"  - { id: d, metric: app.access_violations, max: 0, severity: low }\n"
		"  - { id: e, metric: events.lost, max: 0, severity: low }\n");

	(void)state;
	assert_int_equal(cfg.thresholds_set, (1u << SLAGUARD_THR_WINDOW_MS) |
			 (1u << SLAGUARD_THR_HOLDOFF_MS));
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), SLA_DEFAULT_WINDOW_MS);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_HOLDOFF_MS), SLA_DEFAULT_HOLDOFF_MS);
	sla_free(sla);
}

static void window_and_holdoff(void **state)
{
	struct sla *sla = derive(SLA_BASE
		"defaults: { window: 7s, holdoff: 2s }\n"
		"slos:\n"
		"  - { id: a, metric: net.conn_rate, max: 5, window: 30s, severity: low }\n"
		"  - { id: b, metric: net.icmp_rate, max: 5, window: 3s, severity: low }\n"
		"  - { id: c, metric: sched.cpu_percent, max: 5, window: 1s, severity: low }\n");

	(void)state;
	/* shortest window of a thresholded SLO; scheduler SLOs do not count */
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), 3000);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_HOLDOFF_MS), 2000);
	sla_free(sla);

	/* "for" is how long; the rate is estimated over defaults.window */
	sla = derive(SLA_BASE "defaults: { window: 7s }\nslos:\n"
		"  - { id: a, metric: net.conn_rate, max: 5, for: 1s, severity: low }\n"
		"  - { id: b, metric: net.icmp_rate, max: 5, severity: low }\n");
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), 7000);
	sla_free(sla);
}

static void window_clamped(void **state)
{
	struct sla *sla = derive(SLA_BASE "slos:\n"
		"  - { id: a, metric: net.conn_rate, max: 5, window: 10m, severity: low }\n");

	(void)state;
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), SLAGUARD_WINDOW_MS_MAX);
	sla_free(sla);
	sla = derive(SLA_BASE "slos:\n"
		"  - { id: a, metric: net.conn_rate, max: 5, window: 20ms, severity: low }\n");
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), SLAGUARD_WINDOW_MS_MIN);
	sla_free(sla);
}

static void watch_per_address_and_port(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { to: web, port: [23, 2375-2376], proto: tcp }, "
		"severity: high }\n");
	const struct sla_watch *w = cfg.watches;

	(void)state;
	/*
	 * web has one IPv4 and one IPv6 address, times two port ranges; then
	 * the same on LOCAL_OUT, where the module names a local sender's
	 * cgroup
	 */
	assert_int_equal(cfg.n_watches, 8);
	assert_int_equal(cfg.n_out_skipped, 0);
	for (size_t i = 4; i < 8; i++) {
		struct sla_watch out = w[i], in = w[i - 4];

		assert_int_equal(out.id, i + 1);
		assert_int_equal(out.direction, SLAGUARD_DIR_OUT);
		out.id = in.id;
		out.direction = in.direction;
		assert_memory_equal(&out, &in, sizeof(out));
	}
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(w[i].id, i + 1);
		assert_ptr_equal(w[i].rule, &sla->rules[0]);
		assert_int_equal(w[i].proto, IPPROTO_TCP);
		assert_int_equal(w[i].direction, SLAGUARD_DIR_IN);
		assert_int_equal(w[i].action, SLAGUARD_WATCH_REPORT_NEW);
		assert_true(w[i].has_dst);
		assert_false(w[i].has_src);
		assert_true(w[i].has_ports);
	}
	assert_int_equal(w[0].family, AF_INET);
	addr_equal(w[0].dst_addr, AF_INET, "10.0.0.1");
	assert_int_equal(w[0].dst_plen, 32);
	assert_int_equal(w[0].port_min, 23);
	assert_int_equal(w[0].port_max, 23);
	assert_int_equal(w[1].port_min, 2375);
	assert_int_equal(w[1].port_max, 2376);
	assert_int_equal(w[2].family, AF_INET6);
	addr_equal(w[2].dst_addr, AF_INET6, "2001:db8::1");
	assert_int_equal(w[2].dst_plen, 128);
	sla_free(sla);
}

/* A source only meets destinations of its own family. */
static void watch_sources(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { from: [192.168.0.0/16, db], to: web, port: 22 }, "
		"severity: high }\n");
	const struct sla_watch *w = cfg.watches;

	(void)state;
	assert_int_equal(cfg.n_watches, 2 * 2);
	assert_true(w[0].has_src);
	addr_equal(w[0].src_addr, AF_INET, "192.168.0.0");
	assert_int_equal(w[0].src_plen, 16);
	addr_equal(w[0].dst_addr, AF_INET, "10.0.0.1");
	assert_int_equal(w[0].proto, 0);	/* any */
	addr_equal(w[1].src_addr, AF_INET, "10.0.1.1");
	assert_int_equal(w[1].src_plen, 32);
	addr_equal(w[1].dst_addr, AF_INET, "10.0.0.1");
	sla_free(sla);

	sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { from: ['2001:db8:f::/48'], to: web, proto: udp }, "
		"severity: high }\n");
	assert_int_equal(cfg.n_watches, 2 * 1);
	assert_int_equal(cfg.watches[0].family, AF_INET6);
	assert_int_equal(cfg.watches[0].proto, IPPROTO_UDP);
	assert_false(cfg.watches[0].has_ports);
	addr_equal(cfg.watches[0].dst_addr, AF_INET6, "2001:db8::1");
	sla_free(sla);
}

static void watch_icmp(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { to: web, proto: icmp }, severity: low }\n"
		"  - { id: s, deny: { to: app, proto: icmp }, severity: low }\n");
	const struct sla_watch *w = cfg.watches;

	(void)state;
	assert_int_equal(cfg.n_watches, 2 * 4);
	assert_int_equal(w[0].proto, IPPROTO_ICMP);
	assert_int_equal(w[1].proto, IPPROTO_ICMPV6);
	/* app has no addresses: one watch per family, no prefix at all */
	assert_int_equal(w[2].family, AF_INET);
	assert_int_equal(w[2].proto, IPPROTO_ICMP);
	assert_int_equal(w[3].family, AF_INET6);
	assert_int_equal(w[3].proto, IPPROTO_ICMPV6);
	assert_false(w[2].has_dst || w[2].has_src || w[3].has_dst);
	sla_free(sla);
}

/* A component known only by its processes: any destination address. */
static void watch_without_addresses(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { to: app, port: 8080, proto: tcp }, severity: low }\n");

	(void)state;
	assert_int_equal(cfg.n_watches, 2 * 1);
	assert_int_equal(cfg.watches[0].family, 0);
	assert_false(cfg.watches[0].has_dst);
	assert_int_equal(cfg.watches[0].port_min, 8080);
	sla_free(sla);
}

/* The module reports, the daemon judges: allows and data rules add none. */
static void no_watch_for_allow_or_data(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: a, allow: { from: [db], to: web, port: 22 } }\n"
		"  - { id: d, deny: { user: u, read: 'x' }, severity: low }\n"
		"  - { id: r, deny: { to: db, port: 5432 }, severity: low }\n");

	(void)state;
	assert_int_equal(cfg.n_watches, 2 * 1);
	assert_ptr_equal(cfg.watches[0].rule, &sla->rules[2]);
	assert_int_equal(cfg.watches[0].id, 1);
	sla_free(sla);
}

static void examples_fit(void **state)
{
	char err[256];
	struct sla *sla;

	(void)state;
	assert_int_equal(sla_load_file(SLA_EXAMPLES_DIR "/webshop.yaml", &sla,
				       err, sizeof(err)), 0);
	assert_int_equal(sla_to_module_config(sla, &cfg), 0);
	assert_int_equal(cfg.n_watches, 2 * 8);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_SYN_HALF_OPEN), 201);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), 5000);
	sla_free(sla);
}

/* Exactly SLAGUARD_MAX_WATCHES loads; the limit is not off by one. */
static void exactly_max_watches(void **state)
{
	char *yaml = malloc(64 * 1024);
	size_t used = 0;
	struct sla *sla;

	(void)state;
	assert_non_null(yaml);
	used += (size_t)sprintf(yaml + used, "%s", SLA_BASE "rules:\n"
		"  - id: big\n    severity: low\n    deny:\n      to: db\n"
		"      port: [");
	for (int p = 1; p <= 32; p++)
		used += (size_t)sprintf(yaml + used, "%s%d", p > 1 ? ", " : "", p);
	used += (size_t)sprintf(yaml + used, "]\n      from: [");
	for (int s = 0; s < 32; s++)
		used += (size_t)sprintf(yaml + used, "%s10.%d.0.0/16",
					s ? ", " : "", s);
	sprintf(yaml + used, "]\n");
	sla = derive(yaml);
	assert_int_equal(cfg.n_watches, SLAGUARD_MAX_WATCHES);
	assert_int_equal(cfg.watches[SLAGUARD_MAX_WATCHES - 1].id,
			 SLAGUARD_MAX_WATCHES);
	/* no room for the LOCAL_OUT copies: the arriving side keeps it all */
	assert_int_equal(cfg.watches[SLAGUARD_MAX_WATCHES - 1].direction,
			 SLAGUARD_DIR_IN);
	assert_int_equal(cfg.n_out_skipped, SLAGUARD_MAX_WATCHES);
	/* One more port in a hand-built model: the derivation refuses. */
	sla->rules[0].n_ports = 33;
	sla->rules[0].ports = realloc(sla->rules[0].ports,
				      33 * sizeof(*sla->rules[0].ports));
	sla->rules[0].ports[32] = (struct sla_port_range){ 99, 99 };
	assert_int_equal(sla_to_module_config(sla, &cfg), -E2BIG);
	sla_free(sla);
	free(yaml);
}

/*
 * Per-destination half-open and slow scans have thresholds of their own;
 * the slow scan's window is the module's long window, not the short one;
 * defaults.ns_forward_rate is the other namespaces' event budget.
 */
static void destination_and_slow_thresholds(void **state)
{
	struct sla *sla = derive(SLA_BASE
		"defaults: { ns_forward_rate: 2000 }\n"
		"slos:\n"
		"  - { id: a, metric: net.dst_half_open, component: web, max: 500, "
		"window: 5s, severity: critical }\n"
		"  - { id: b, metric: net.slow_portscan_ports, max: 50, window: 20m, "
		"severity: medium }\n"
		"  - { id: c, metric: net.slow_portscan_ports, max: 80, window: 15m, "
		"severity: medium }\n");
	struct json_object *j;
	const char *text;

	(void)state;
	assert_int_equal(THR(&cfg, SLAGUARD_THR_DST_HALF_OPEN), 501);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_SLOW_PORTS), 51);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_SLOW_WINDOW_MS), 15 * 60000);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_WINDOW_MS), 5000);
	assert_int_equal(THR(&cfg, SLAGUARD_THR_NS_FORWARD_RATE), 2000);
	j = sla_module_config_to_json(&cfg);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(text, "\"dst_half_open\":501,\"slow_ports\":51,"
				     "\"slow_window_ms\":900000,"
				     "\"ns_forward_rate\":2000"));
	json_object_put(j);
	sla_free(sla);

	/* without a window: the default long window; no SLO, no threshold */
	sla = derive(SLA_BASE "slos:\n"
		"  - { id: b, metric: net.slow_portscan_ports, max: 50, severity: low }\n");
	assert_int_equal(THR(&cfg, SLAGUARD_THR_SLOW_WINDOW_MS), SLA_DEFAULT_SLOW_WINDOW_MS);
	assert_false(HAS(&cfg, SLAGUARD_THR_DST_HALF_OPEN));
	assert_false(HAS(&cfg, SLAGUARD_THR_NS_FORWARD_RATE));
	sla_free(sla);
}

static void metric_attrs(void **state)
{
	(void)state;
	assert_int_equal(sla_metric_threshold_attr(SLA_METRIC_NET_PORTSCAN_PORTS),
			 SLAGUARD_THR_PORTSCAN_PORTS);
	assert_int_equal(sla_metric_threshold_attr(SLA_METRIC_NET_BANDWIDTH_BPS),
			 SLAGUARD_THR_BANDWIDTH_BPS);
	assert_int_equal(sla_metric_threshold_attr(SLA_METRIC_NET_WATCH_HITS), 0);
	assert_int_equal(sla_metric_threshold_attr(SLA_METRIC_SCHED_CPU_PERCENT), 0);
	assert_int_equal(sla_metric_threshold_attr(SLA_METRIC_EVENTS_LOST), 0);
}

static void config_json(void **state)
{
	struct sla *sla = derive(SLA_BASE "rules:\n"
		"  - { id: r, deny: { from: [10.9.0.0/16], to: db, port: 5432, "
		"proto: tcp }, severity: low }\n"
		"slos:\n  - { id: s, metric: net.conn_rate, max: 10, window: 1s, "
		"severity: low }\n");
	struct json_object *j = sla_module_config_to_json(&cfg);
	const char *text = json_object_to_json_string_ext(j,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	(void)state;
	assert_non_null(strstr(text, "\"thresholds\":{\"window_ms\":1000,"
				     "\"holdoff_ms\":10000,\"conn_rate\":11}"));
	assert_non_null(strstr(text, "{\"id\":1,\"rule\":\"r\",\"family\":\"ipv4\","
				     "\"src\":\"10.9.0.0/16\",\"dst\":\"10.0.1.1\","
				     "\"ports\":\"5432-5432\",\"proto\":6,"
				     "\"direction\":\"in\",\"action\":\"report-new\"}"));
	json_object_put(j);
	sla_free(sla);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tightest_max_per_metric),
		cmocka_unit_test(untouched_without_slos),
		cmocka_unit_test(window_and_holdoff),
		cmocka_unit_test(window_clamped),
		cmocka_unit_test(watch_per_address_and_port),
		cmocka_unit_test(watch_sources),
		cmocka_unit_test(watch_icmp),
		cmocka_unit_test(watch_without_addresses),
		cmocka_unit_test(no_watch_for_allow_or_data),
		cmocka_unit_test(examples_fit),
		cmocka_unit_test(exactly_max_watches),
		cmocka_unit_test(destination_and_slow_thresholds),
		cmocka_unit_test(metric_attrs),
		cmocka_unit_test(config_json),
	};

	return cmocka_run_group_tests_name("sla module config", tests, NULL,
					   NULL);
}
