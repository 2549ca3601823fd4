// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Valid SLA files: the shipped examples, every default, every accepted
 * spelling of a value, and the model they load to. Also loading from files
 * (missing, a directory) and the JSON dump, which must load back to the
 * same model.
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sla_test.h"

static struct sla *load_example(const char *name)
{
	char path[512], err[512] = "";
	struct sla *sla = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", SLA_EXAMPLES_DIR, name);
	ret = sla_load_file(path, &sla, err, sizeof(err));
	if (ret)
		print_error("%s: %d %s\n", name, ret, err);
	assert_int_equal(ret, 0);
	assert_string_equal(err, "");
	assert_string_equal(sla->source, path);
	return sla;
}

static void example_webshop(void **state)
{
	struct sla *sla = load_example("webshop.yaml");
	const struct sla_component *web = sla_find_component(sla, "web");
	const struct sla_component *db = sla_find_component(sla, "db");
	const struct sla_rule *telnet = sla_find_rule(sla, "no-telnet");
	const struct sla_rule *cards = sla_find_rule(sla, "no-card-reads-by-web");
	const struct sla_slo *bw = sla_find_slo(sla, "web-bandwidth");
	const struct sla_slo *cpu = sla_find_slo(sla, "web-cpu");

	(void)state;
	assert_string_equal(sla->name, "webshop");
	assert_non_null(web);
	assert_non_null(db);
	assert_int_equal(web->n_addresses, 2);
	assert_int_equal(web->addresses[1].family, AF_INET6);
	assert_int_equal(web->n_ports, 2);
	assert_int_equal(web->ports[1].min, 443);
	assert_string_equal(web->processes[0], "nginx");
	assert_string_equal(web->cgroups[0], "/system.slice/nginx.service");
	/* deny telnet and ssh from outside, allow ssh from admin */
	assert_non_null(telnet);
	assert_true(telnet->deny);
	assert_ptr_equal(telnet->to, web);
	assert_int_equal(telnet->proto, SLA_PROTO_TCP);
	assert_int_equal(telnet->n_from, 1);
	assert_int_equal(telnet->from[0].kind, SLA_PEER_ANY);
	assert_int_equal(telnet->severity, SLA_SEV_HIGH);
	assert_false(sla_find_rule(sla, "ssh-from-admin")->deny);
	assert_ptr_equal(sla_find_rule(sla, "db-from-web")->from[0].component,
			 web);
	assert_int_equal(cards->kind, SLA_RULE_DATA);
	assert_int_equal(cards->subject_kind, SLA_SUBJECT_USER);
	assert_string_equal(cards->resource, "payments/cards/*");
	assert_ptr_equal(cards->component, db);
	assert_float_equal(bw->max, 50e6, 0);
	assert_int_equal(bw->per, SLA_PER_SOURCE);
	assert_true(cpu->sustained);
	assert_int_equal(cpu->window_ms, 30000);
	assert_int_equal(sla->n_countermeasures, 8);
	assert_int_equal(sla->countermeasures[2].action, SLA_ACT_RATE_LIMIT);
	assert_int_equal(sla->countermeasures[2].rate.count, 50);
	/* a SYN flood is answered at the destination, scans on evidence */
	assert_int_equal(sla->countermeasures[3].action, SLA_ACT_LIMIT_DESTINATION);
	assert_int_equal(sla->countermeasures[3].rate.count, 200);
	assert_int_equal(sla->countermeasures[3].slo->metric, SLA_METRIC_NET_DST_HALF_OPEN);
	assert_int_equal(sla->countermeasures[3].slo->per, SLA_PER_COMPONENT);
	assert_int_equal(sla->defaults.evidence, SLA_EVIDENCE_HANDSHAKE);
	assert_int_equal(sla_countermeasure_evidence(sla, &sla->countermeasures[1]),
			 SLA_EVIDENCE_HANDSHAKE);
	assert_ptr_equal(sla->countermeasures[5].rule, telnet);
	assert_int_equal(sla->countermeasures[5].duration_ms, 600000);
	assert_int_equal(sla->n_allowlist, 3);
	assert_int_equal(sla->allowlist[1].plen, 24);
	sla_free(sla);
}

/* The demo blocks SYN scanners, which complete no handshake: evidence: any. */
static void example_demo(void **state)
{
	struct sla *sla = load_example("demo.yaml");

	(void)state;
	assert_int_equal(sla->n_countermeasures, 1);
	assert_int_equal(sla->countermeasures[0].action, SLA_ACT_BLOCK_SOURCE);
	assert_int_equal(sla->countermeasures[0].evidence, SLA_EVIDENCE_ANY);
	assert_int_equal(sla_countermeasure_evidence(sla, &sla->countermeasures[0]),
			 SLA_EVIDENCE_ANY);
	sla_free(sla);
}

static void example_hypervisor(void **state)
{
	struct sla *sla = load_example("hypervisor.yaml");
	const struct sla_slo *cpu = sla_find_slo(sla, "guest-cpu");

	(void)state;
	assert_true(sla->n_components >= 5);
	assert_string_equal(sla_find_component(sla, "vm-db")->cgroups[0],
			    "/machine.slice/machine-qemu\\x2d3\\x2ddb.scope");
	assert_int_equal(cpu->per, SLA_PER_PROCESS);
	assert_float_equal(sla_find_slo(sla, "guest-rss")->max, 8.5e9, 0);
	assert_float_equal(sla_find_slo(sla, "tenant-bandwidth")->max, 1.25e9, 0);
	assert_int_equal(sla_find_rule(sla, "no-icmp-to-db")->proto,
			 SLA_PROTO_ICMP);
	assert_int_equal(sla->defaults.max_actions, 5000);
	assert_int_equal(sla->defaults.holdoff_ms, 30000);
	assert_int_equal(sla->defaults.lost_events.action, SLA_ACT_RUN_HOOK);
	assert_string_equal(sla->defaults.lost_events.hook,
			    "/etc/slaguard/hooks/page-oncall");
	sla_free(sla);
}

static void minimal_and_defaults(void **state)
{
	struct sla *sla = load_ok("sla: minimal\n");

	(void)state;
	assert_string_equal(sla->name, "minimal");
	assert_null(sla->description);
	assert_int_equal(sla->n_components, 0);
	assert_int_equal(sla->n_rules, 0);
	assert_int_equal(sla->n_slos, 0);
	assert_int_equal(sla->n_countermeasures, 0);
	assert_int_equal(sla->n_allowlist, 0);
	assert_int_equal(sla->defaults.holdoff_ms, SLA_DEFAULT_HOLDOFF_MS);
	assert_int_equal(sla->defaults.window_ms, SLA_DEFAULT_WINDOW_MS);
	assert_int_equal(sla->defaults.max_actions, SLA_DEFAULT_MAX_ACTIONS);
	assert_false(sla->defaults.dry_run);
	assert_int_equal(sla->defaults.lost_events.severity, SLA_SEV_HIGH);
	assert_int_equal(sla->defaults.lost_events.action, SLA_ACT_NOTIFY);
	assert_null(sla->defaults.lost_events.hook);
	sla_free(sla);
}

/* The fleet section and a countermeasure shared with the fleet. */
static void fleet_section(void **state)
{
	struct sla *sla = load_ok("sla: t\n"
		"rules:\n  - { id: r, deny: { user: u, read: x }, severity: high }\n"
		"countermeasures:\n"
		"  - { when: { rule: r }, do: block-source, scope: fleet }\n"
		"  - { when: { rule: r }, do: rate-limit, rate: 10/second }\n"
		"fleet:\n  servers: [nats://10.0.0.1:4222, tls://n2:4222]\n"
		"  node: hv-1\n  site: par_2\n  user: hv1\n  password: s3cret\n"
		"  tls: { ca: /etc/ca.pem, cert: /etc/n.pem, key: /etc/n.key }\n");

	(void)state;
	assert_non_null(sla->fleet);
	assert_int_equal(sla->fleet->n_servers, 2);
	assert_string_equal(sla->fleet->servers[1], "tls://n2:4222");
	assert_string_equal(sla->fleet->node, "hv-1");
	assert_string_equal(sla->fleet->site, "par_2");
	assert_string_equal(sla->fleet->stream, SLA_FLEET_STREAM);
	assert_string_equal(sla->fleet->user, "hv1");
	assert_string_equal(sla->fleet->password, "s3cret");
	assert_null(sla->fleet->credentials);
	assert_string_equal(sla->fleet->tls_ca, "/etc/ca.pem");
	assert_string_equal(sla->fleet->tls_cert, "/etc/n.pem");
	assert_string_equal(sla->fleet->tls_key, "/etc/n.key");
	assert_true(sla->countermeasures[0].fleet);
	assert_false(sla->countermeasures[1].fleet);
	sla_free(sla);
	sla = load_ok("sla: t\n");
	assert_null(sla->fleet);
	sla_free(sla);
}

/* "rules:" with nothing after it is an empty section, not an error. */
static void null_sections(void **state)
{
	struct sla *sla = load_ok("sla: t\ncomponents:\nrules:\nslos: ~\n"
				  "countermeasures: null\nallowlist:\n"
				  "defaults:\n");

	(void)state;
	assert_int_equal(sla->n_components + sla->n_rules + sla->n_slos +
			 sla->n_countermeasures + sla->n_allowlist, 0);
	sla_free(sla);
}

static void empty_lists(void **state)
{
	struct sla *sla = load_ok("sla: t\ncomponents: {}\nrules: []\n"
				  "slos: []\ncountermeasures: []\n"
				  "allowlist: []\n");

	(void)state;
	assert_int_equal(sla->n_rules, 0);
	sla_free(sla);
}

/* Sections may come in any order; references resolve regardless. */
static void sections_in_any_order(void **state)
{
	struct sla *sla = load_ok(
		"countermeasures:\n  - { when: { slo: s }, do: notify }\n"
		"  - { when: { rule: r }, do: block-source, for: 1m }\n"
		"slos:\n  - { id: s, metric: net.icmp_rate, component: c, "
		"max: 5, severity: low }\n"
		"rules:\n  - { id: r, deny: { to: c }, severity: low }\n"
		"components:\n  c: { addresses: [10.0.0.1] }\n"
		"sla: t\n");

	(void)state;
	assert_ptr_equal(sla->countermeasures[0].slo, &sla->slos[0]);
	assert_ptr_equal(sla->countermeasures[1].rule, &sla->rules[0]);
	assert_ptr_equal(sla->slos[0].component, &sla->components[0]);
	sla_free(sla);
}

static void scalar_lists_and_quoting(void **state)
{
	struct sla *sla = load_ok(
		"sla: t\ncomponents:\n"
		"  web: { addresses: 10.0.0.1, ports: '8000-8080', "
		"processes: nginx, cgroups: /web }\n"
		"  db: { addresses: [\"10.0.1.0/24\"], ports: [\"5432\", 6432] }\n"
		"rules:\n"
		"  - { id: a, deny: { from: 10.9.0.0/16, to: web, port: 8000-8001 }, "
		"severity: low }\n"
		"  - { id: b, deny: { from: db, to: web, port: [22, '23'], "
		"proto: udp }, severity: low }\n"
		"allowlist: 10.9.0.1\n");
	const struct sla_component *web = &sla->components[0];

	(void)state;
	assert_int_equal(web->n_addresses, 1);
	assert_int_equal(web->ports[0].min, 8000);
	assert_int_equal(web->ports[0].max, 8080);
	assert_string_equal(web->processes[0], "nginx");
	assert_string_equal(web->cgroups[0], "/web");
	assert_int_equal(sla->components[1].ports[1].min, 6432);
	assert_int_equal(sla->rules[0].from[0].kind, SLA_PEER_PREFIX);
	assert_int_equal(sla->rules[0].from[0].prefix.plen, 16);
	assert_int_equal(sla->rules[0].ports[0].max, 8001);
	assert_int_equal(sla->rules[1].from[0].kind, SLA_PEER_COMPONENT);
	assert_int_equal(sla->rules[1].n_ports, 2);
	assert_int_equal(sla->rules[1].proto, SLA_PROTO_UDP);
	assert_int_equal(sla->n_allowlist, 1);
	sla_free(sla);
}

/* Anchors and aliases are YAML; libyaml resolves them for us. */
static void anchors_and_aliases(void **state)
{
	struct sla *sla = load_ok(
		"sla: t\ncomponents:\n"
		"  a: &vm { addresses: [10.0.0.1], ports: [22] }\n"
		"  b: *vm\n"
		"allowlist: &mgmt [10.9.0.0/24]\n");

	(void)state;
	assert_int_equal(sla->n_components, 2);
	assert_int_equal(sla->components[1].ports[0].min, 22);
	sla_free(sla);
}

static void rule_defaults(void **state)
{
	struct sla *sla = load_ok(SLA_BASE "rules:\n"
		"  - { id: r, deny: { to: web }, severity: low }\n"
		"  - { id: d, deny: { role: ops, read: 'x/*' }, severity: high, "
		"description: ops never read x }\n");
	const struct sla_rule *r = &sla->rules[0], *d = &sla->rules[1];

	(void)state;
	assert_int_equal(r->kind, SLA_RULE_NET);
	assert_int_equal(r->n_from, 1);
	assert_int_equal(r->from[0].kind, SLA_PEER_ANY);
	assert_int_equal(r->n_ports, 0);
	assert_int_equal(r->proto, SLA_PROTO_ANY);
	assert_int_equal(r->line, 7);
	assert_int_equal(d->kind, SLA_RULE_DATA);
	assert_int_equal(d->subject_kind, SLA_SUBJECT_ROLE);
	assert_string_equal(d->subject, "ops");
	assert_null(d->component);
	assert_string_equal(d->description, "ops never read x");
	sla_free(sla);
}

static void slo_defaults(void **state)
{
	struct sla *sla = load_ok(SLA_BASE
		"defaults: { window: 20s }\n"
		"slos:\n"
		"  - { id: n, metric: net.conn_rate, max: 1.5k, severity: low }\n"
		"  - { id: s, metric: sched.cpu_percent, max: 99.5, severity: low }\n"
		"  - { id: a, metric: app.access_violations, max: 0, severity: low }\n"
		"  - { id: l, metric: events.lost, max: 0, severity: low }\n"
		"  - { id: m, metric: net.bandwidth_bps, min: 1k, window: 500ms, "
		"severity: low }\n"
		"  - { id: p, metric: sched.rss_bytes, per: process, component: db, "
		"max: 2G, min: 1M, severity: critical }\n");

	(void)state;
	assert_int_equal(sla->slos[0].per, SLA_PER_SOURCE);
	assert_float_equal(sla->slos[0].max, 1500, 0);
	assert_int_equal(sla->slos[0].window_ms, 20000);
	assert_false(sla->slos[0].window_given);
	assert_false(sla->slos[0].sustained);
	assert_int_equal(sla->slos[1].per, SLA_PER_COMPONENT);
	assert_null(sla->slos[1].component);	/* the whole host */
	assert_float_equal(sla->slos[1].max, 99.5, 0);
	assert_int_equal(sla->slos[2].per, SLA_PER_COMPONENT);
	assert_int_equal(sla->slos[3].per, SLA_PER_NONE);
	assert_false(sla->slos[4].has_max);
	assert_true(sla->slos[4].has_min);
	assert_int_equal(sla->slos[4].window_ms, 500);
	assert_true(sla->slos[4].window_given);
	assert_true(sla->slos[5].has_max && sla->slos[5].has_min);
	assert_int_equal(sla->slos[5].severity, SLA_SEV_CRITICAL);
	sla_free(sla);
}

static void countermeasure_defaults(void **state)
{
	struct sla *sla = load_ok(SLA_BASE
		"countermeasures:\n"
		"  - { when: { severity: medium }, do: block-source }\n"
		"  - { when: { severity: low }, do: rate-limit, rate: 6000/minute, "
		"for: 90s }\n"
		"  - { when: { severity: high }, do: none }\n"
		"  - { when: { severity: high }, do: inspect, for: 1d }\n");
	const struct sla_countermeasure *cm = sla->countermeasures;

	(void)state;
	assert_int_equal(cm[0].when, SLA_WHEN_SEVERITY);
	assert_int_equal(cm[0].severity, SLA_SEV_MEDIUM);
	assert_int_equal(cm[0].duration_ms, SLA_DEFAULT_ACTION_MS);
	assert_int_equal(cm[1].rate.count, 6000);
	assert_int_equal(cm[1].rate.unit, SLA_RATE_MINUTE);
	assert_int_equal(cm[1].duration_ms, 90000);
	assert_int_equal(cm[2].action, SLA_ACT_NONE);
	assert_int_equal(cm[3].duration_ms, 86400000);
	assert_null(cm[0].hook);
	sla_free(sla);
}

static void holdoff_limits(void **state)
{
	struct sla *sla = load_ok("sla: t\ndefaults: { holdoff: 100ms }\n");

	(void)state;
	assert_int_equal(sla->defaults.holdoff_ms, 100);
	sla_free(sla);
	sla = load_ok("sla: t\ndefaults: { holdoff: 1h, dry_run: true, "
		      "max_actions: 1M }\n");
	assert_int_equal(sla->defaults.holdoff_ms, 3600000);
	assert_true(sla->defaults.dry_run);
	assert_int_equal(sla->defaults.max_actions, 1000000);
	sla_free(sla);
}

static void load_string_names(void **state)
{
	const char *bad = "sla: 1\n";
	char err[256];
	struct sla *sla;

	(void)state;
	assert_int_equal(sla_load_string(bad, strlen(bad), "mine.yaml", &sla,
					 err, sizeof(err)), -EINVAL);
	assert_memory_equal(err, "mine.yaml:1:6: ", 15);
	/* No error buffer at all is allowed too. */
	assert_int_equal(sla_load_string(bad, strlen(bad), NULL, &sla, NULL, 0),
			 -EINVAL);
	assert_null(sla);
	/* A short buffer truncates, never overflows. */
	assert_int_equal(sla_load_string(bad, strlen(bad), NULL, &sla, err, 8),
			 -EINVAL);
	assert_string_equal(err, "<string");
	/* Length bounds the text: what follows is never read. */
	assert_int_equal(sla_load_string("sla: t\nbogus: 1\n", 7, NULL, &sla,
					 err, sizeof(err)), 0);
	sla_free(sla);
}

static void file_errors(void **state)
{
	char err[256];
	struct sla *sla = (struct sla *)1;

	(void)state;
	assert_int_equal(sla_load_file("/nonexistent/sla.yaml", &sla, err,
				       sizeof(err)), -ENOENT);
	assert_null(sla);
	assert_string_equal(err, "/nonexistent/sla.yaml: No such file or "
			    "directory");
	assert_int_equal(sla_load_file(SLA_EXAMPLES_DIR, &sla, err,
				       sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "Is a directory"));
	sla_free(NULL);
}

/* Hand-written SLAs are small: a huge file is refused before parsing. */
static void file_too_large(void **state)
{
	char path[] = "/tmp/sla-test-XXXXXX", err[256];
	struct sla *sla;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("sla: t\n", f);
	for (int i = 0; i < 5 * 1024; i++)
		fprintf(f, "# %01020d\n", i);
	fclose(f);
	assert_int_equal(sla_load_file(path, &sla, err, sizeof(err)), -EFBIG);
	assert_null(sla);
	assert_non_null(strstr(err, "File too large"));
	unlink(path);
}

/* The dump is an SLA file itself and loads back to the same dump. */
static void json_round_trip(const char *name)
{
	struct sla *sla = load_example(name), *again;
	struct json_object *j = sla_to_json(sla), *j2;
	const char *text, *text2;

	assert_non_null(j);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	again = load_ok(text);
	j2 = sla_to_json(again);
	text2 = json_object_to_json_string_ext(j2, JSON_C_TO_STRING_PLAIN);
	assert_string_equal(text, text2);
	json_object_put(j);
	json_object_put(j2);
	sla_free(sla);
	sla_free(again);
}

static void json_round_trip_webshop(void **state)
{
	(void)state;
	json_round_trip("webshop.yaml");
}

static void json_round_trip_hypervisor(void **state)
{
	(void)state;
	json_round_trip("hypervisor.yaml");
}

static void json_round_trip_sequences(void **state)
{
	(void)state;
	json_round_trip("sequences.yaml");
}

/* What each step of the sequence example is made of. */
static void sequence_rules(void **state)
{
	struct sla *sla = load_example("sequences.yaml");
	const struct sla_rule *r = sla_find_rule(sla, "scan-then-db");

	(void)state;
	assert_non_null(r);
	assert_int_equal(r->kind, SLA_RULE_SEQUENCE);
	assert_true(r->deny);
	assert_int_equal(r->same, SLA_SAME_SOURCE);
	assert_int_equal(r->within_ms, 60000);
	assert_int_equal(r->n_steps, 2);
	assert_int_equal(r->steps[0].event, SLA_SEQ_NET_PORTSCAN);
	assert_int_equal(r->steps[0].count, 1);
	assert_int_equal(r->steps[1].event, SLA_SEQ_NET_WATCH_HIT);
	assert_string_equal(r->steps[1].to->name, "db");
	assert_int_equal(r->steps[1].n_ports, 1);
	assert_int_equal(r->steps[1].proto, SLA_PROTO_TCP);
	r = sla_find_rule(sla, "guessed-password");
	assert_int_equal(r->same, SLA_SAME_USER);
	assert_int_equal(r->steps[0].event, SLA_SEQ_APP);
	assert_int_equal(r->steps[0].action, SLA_DATA_LOGIN_FAILURE);
	assert_int_equal(r->steps[0].count, 5);
	assert_false(r->steps[0].has_subject);
	assert_int_equal(r->steps[1].action, SLA_DATA_LOGIN_SUCCESS);
	r = sla_find_rule(sla, "web-shell");
	assert_int_equal(r->same, SLA_SAME_PROCESS);
	assert_int_equal(r->steps[0].event, SLA_SEQ_PROC_SAMPLE);
	assert_string_equal(r->steps[0].component->name, "web");
	assert_int_equal(r->steps[1].n_processes, 3);
	assert_string_equal(r->steps[1].processes[0], "sh");
	/* A sequence raises alerts, so countermeasures may name it. */
	assert_ptr_equal(sla->countermeasures[0].rule,
			 sla_find_rule(sla, "scan-then-db"));
	/* It installs no watch: the deny rule's watch reports for it. */
	{
		struct sla_module_config cfg;

		assert_int_equal(sla_to_module_config(sla, &cfg), 0);
		for (size_t i = 0; i < cfg.n_watches; i++)
			assert_int_equal(cfg.watches[i].rule->kind, SLA_RULE_NET);
	}
	sla_free(sla);
}

static void json_content(void **state)
{
	struct sla *sla = load_ok(SLA_BASE
		"rules:\n"
		"  - { id: r, deny: { from: [10.1.0.0/16, db], to: web, "
		"port: [22, 8000-8080] }, severity: low }\n"
		"  - { id: d, deny: { user: u, read: 'a*' }, severity: low }\n"
		"slos:\n"
		"  - { id: s, metric: sched.cpu_percent, max: 99.5, for: 1m, "
		"severity: low }\n"
		"countermeasures:\n"
		"  - { when: { rule: r }, do: rate-limit, rate: 5/second }\n");
	struct json_object *j = sla_to_json(sla);
	const char *text = json_object_to_json_string_ext(j,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	(void)state;
	assert_non_null(strstr(text, "\"from\":[\"10.1.0.0/16\",\"db\"]"));
	assert_non_null(strstr(text, "\"port\":[22,\"8000-8080\"]"));
	assert_non_null(strstr(text, "\"proto\":\"any\""));
	assert_non_null(strstr(text, "{\"user\":\"u\",\"read\":\"a*\"}"));
	assert_non_null(strstr(text, "\"max\":99.5"));
	assert_non_null(strstr(text, "\"for\":\"1m\""));
	assert_non_null(strstr(text, "\"rate\":\"5/second\""));
	assert_non_null(strstr(text, "\"for\":\"10m\""));
	assert_non_null(strstr(text, "\"holdoff\":\"10s\""));
	json_object_put(j);
	sla_free(sla);
}

/* defaults.repeat: off unless given; each key has a default. */
static void repeat_defaults(void **state)
{
	struct sla *sla = load_ok(SLA_BASE);
	struct json_object *j;
	const char *text;

	(void)state;
	assert_false(sla->defaults.repeat.on);
	sla_free(sla);
	sla = load_ok(SLA_BASE "defaults:\n  repeat: { multiplier: 1.5, max: 6h }\n");
	assert_true(sla->defaults.repeat.on);
	assert_true(sla->defaults.repeat.multiplier == 1.5);
	assert_int_equal(sla->defaults.repeat.max_ms, 6 * 3600 * 1000ull);
	assert_int_equal(sla->defaults.repeat.window_ms, 24 * 3600 * 1000ull);
	assert_int_equal(sla->defaults.repeat.remember, 10000);
	j = sla_to_json(sla);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(text, "\"repeat\":{\"multiplier\":1.5,\"max\":\"6h\","
			       "\"window\":\"1d\",\"remember\":10000}"));
	json_object_put(j);
	sla_free(sla);
	sla = load_ok(SLA_BASE "defaults:\n  repeat: {}\n");
	assert_true(sla->defaults.repeat.on);
	assert_true(sla->defaults.repeat.multiplier == 2);
	sla_free(sla);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_webshop),
		cmocka_unit_test(example_demo),
		cmocka_unit_test(example_hypervisor),
		cmocka_unit_test(minimal_and_defaults),
		cmocka_unit_test(null_sections),
		cmocka_unit_test(empty_lists),
		cmocka_unit_test(sections_in_any_order),
		cmocka_unit_test(scalar_lists_and_quoting),
		cmocka_unit_test(anchors_and_aliases),
		cmocka_unit_test(rule_defaults),
		cmocka_unit_test(slo_defaults),
		cmocka_unit_test(countermeasure_defaults),
		cmocka_unit_test(holdoff_limits),
		cmocka_unit_test(load_string_names),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(file_too_large),
		cmocka_unit_test(json_round_trip_webshop),
		cmocka_unit_test(json_round_trip_hypervisor),
		cmocka_unit_test(json_round_trip_sequences),
		cmocka_unit_test(sequence_rules),
		cmocka_unit_test(json_content),
		cmocka_unit_test(fleet_section),
		cmocka_unit_test(repeat_defaults),
	};

	return cmocka_run_group_tests_name("sla load", tests, NULL, NULL);
}
