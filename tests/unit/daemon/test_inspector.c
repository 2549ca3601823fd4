// SPDX-License-Identifier: GPL-2.0-or-later
/* The inspector: watch hits and application events against the rules,
 * and sequence rules over events of one key. */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>

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

/* Sequence rules: state per rule and key, fed records as the engine does. */
static const char seq_sla[] =
	"sla: seq\n"
	"components:\n"
	"  web: { addresses: [10.0.0.10], ports: [80], processes: [nginx] }\n"
	"  db: { addresses: [10.0.1.20], ports: [5432] }\n"
	"rules:\n"
	"  - { id: db-deny, deny: { to: db, port: 5432 }, severity: critical }\n"
	"  - id: scan-then-db\n"
	"    sequence: [ { event: net.portscan }, { to: db, port: 5432 } ]\n"
	"    same: source\n"
	"    within: 60s\n"
	"    severity: critical\n"
	"  - id: brute-then-login\n"
	"    sequence:\n"
	"      - { login-failure: \"*\", count: 5 }\n"
	"      - { login-success: \"*\" }\n"
	"    same: user\n"
	"    within: 1m\n"
	"    severity: high\n"
	"  - id: web-shell\n"
	"    sequence:\n"
	"      - { event: proc.sample, component: web }\n"
	"      - { event: proc.exec, process: [sh, bash, dash] }\n"
	"    same: process\n"
	"    within: 1h\n"
	"    severity: critical\n"
	"  - id: scan-then-login\n"
	"    sequence: [ { event: net.portscan }, { login-success: \"admin*\" } ]\n"
	"    same: source\n"
	"    within: 60s\n"
	"    severity: high\n"
	"countermeasures:\n"
	"  - { when: { rule: scan-then-db }, do: block-source, for: 10m }\n";

struct seqfix {
	struct sla *sla;
	struct sla_module_config *cfg;
	struct seq_set *ss;
	int n;
	struct finding last;
};

static int seq_setup_keys(void **state, size_t max_keys)
{
	struct seqfix *f = calloc(1, sizeof(*f));

	f->sla = load_sla_text(seq_sla);
	f->cfg = calloc(1, sizeof(*f->cfg));
	assert_int_equal(sla_to_module_config(f->sla, f->cfg), 0);
	assert_int_equal(seq_set_new(&f->ss, f->sla, f->cfg, max_keys), 0);
	assert_int_equal(seq_rule_count(f->ss), 4);
	*state = f;
	return 0;
}

static int seq_setup(void **state)
{
	return seq_setup_keys(state, SEQ_KEYS_DEFAULT);
}

static int seq_setup_small(void **state)
{
	return seq_setup_keys(state, 8);
}

static int seq_teardown(void **state)
{
	struct seqfix *f = *state;

	if (f->n)
		finding_release(&f->last);
	seq_set_free(f->ss);
	free(f->cfg);
	sla_free(f->sla);
	free(f);
	return 0;
}

static void seq_keep(struct finding *fd, void *arg)
{
	struct seqfix *f = arg;

	if (f->n)
		finding_release(&f->last);
	f->last = *fd;
	f->n++;
}

static const struct seq_status *seq_of(const struct seqfix *f, const char *id)
{
	for (size_t i = 0; i < seq_rule_count(f->ss); i++)
		if (!strcmp(seq_status(f->ss, i)->rule->id, id))
			return seq_status(f->ss, i);
	fail_msg("no sequence rule %s", id);
	return NULL;
}

static int feed(struct seqfix *f, const struct rec *r)
{
	return seq_on_record(f->ss, r, r->mono_ms, seq_keep, f);
}

static int scan(struct seqfix *f, const char *src, uint64_t mono)
{
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, src, NULL, 0, 0, 30, mono);
	return feed(f, &r);
}

static int hit(struct seqfix *f, const char *src, uint16_t dport, uint64_t mono)
{
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_WATCH_HIT, src, "10.0.1.20", IPPROTO_TCP,
		 dport, 0, mono);
	return feed(f, &r);
}

static void seq_fires_on_the_sequence(void **state)
{
	struct seqfix *f = *state;
	struct json_object *steps;

	assert_int_equal(scan(f, "192.0.2.7", 1000), 0);
	assert_int_equal(hit(f, "192.0.2.7", 5432, 30000), 1);
	assert_int_equal(f->n, 1);
	assert_int_equal(f->last.kind, FINDING_RULE);
	assert_ptr_equal(f->last.rule, sla_find_rule(f->sla, "scan-then-db"));
	assert_string_equal(f->last.ref, "scan-then-db");
	assert_int_equal(f->last.severity, SLA_SEV_CRITICAL);
	assert_true(f->last.has_source);
	assert_string_equal(f->last.source, "192.0.2.7");
	assert_string_equal(f->last.component, "db");
	assert_non_null(strstr(f->last.summary, "net.portscan"));
	assert_non_null(strstr(f->last.summary, "port 5432/tcp"));
	assert_true(json_object_object_get_ex(f->last.evidence, "sequence", &steps));
	assert_int_equal(json_object_array_length(steps), 2);
	/* The countermeasure bound to the rule applies to its finding. */
	assert_true(sla_countermeasure_applies(&f->sla->countermeasures[0],
					       f->last.severity, NULL, f->last.rule));
	assert_int_equal(seq_of(f, "scan-then-db")->fired, 1);
	assert_int_equal(seq_of(f, "scan-then-db")->keys, 0);
	/* Done: the same connection again needs a new scan first. */
	assert_int_equal(hit(f, "192.0.2.7", 5432, 31000), 0);
}

static void seq_not_on_either_event_alone(void **state)
{
	struct seqfix *f = *state;

	assert_int_equal(hit(f, "192.0.2.7", 5432, 1000), 0);
	assert_int_equal(hit(f, "192.0.2.7", 5432, 2000), 0);
	assert_int_equal(scan(f, "192.0.2.8", 3000), 0);
	assert_int_equal(scan(f, "192.0.2.8", 4000), 0);
	/* The wrong order is no sequence either... */
	assert_int_equal(scan(f, "192.0.2.7", 5000), 0);
	/* ...and a connection to another port is not the second step. */
	assert_int_equal(hit(f, "192.0.2.8", 80, 6000), 0);
	assert_int_equal(f->n, 0);
}

static void seq_not_for_different_keys(void **state)
{
	struct seqfix *f = *state;

	assert_int_equal(scan(f, "192.0.2.7", 1000), 0);
	assert_int_equal(hit(f, "192.0.2.8", 5432, 2000), 0);
	assert_int_equal(f->n, 0);
	assert_int_equal(seq_of(f, "scan-then-db")->keys, 1);
}

static void seq_not_after_within(void **state)
{
	struct seqfix *f = *state;

	assert_int_equal(scan(f, "192.0.2.7", 1000), 0);
	assert_int_equal(hit(f, "192.0.2.7", 5432, 61001), 0);
	assert_int_equal(f->n, 0);
	assert_int_equal(seq_of(f, "scan-then-db")->expired, 1);
	/* A second scan restarts the time: then within 60s fires. */
	assert_int_equal(scan(f, "192.0.2.9", 100000), 0);
	assert_int_equal(scan(f, "192.0.2.9", 150000), 0);
	assert_int_equal(hit(f, "192.0.2.9", 5432, 200000), 1);
	/* The tick drops keys whose time has passed. */
	assert_int_equal(scan(f, "192.0.2.10", 300000), 0);
	seq_expire(f->ss, 330000);
	assert_int_equal(seq_of(f, "scan-then-db")->keys, 1);
	seq_expire(f->ss, 360001);
	assert_int_equal(seq_of(f, "scan-then-db")->keys, 0);
	assert_int_equal(seq_of(f, "scan-then-db")->expired, 2);
}

static int login(struct seqfix *f, const char *user, const char *action,
		 uint64_t mono)
{
	struct rec r;

	make_app(&r, "web", user, action, "admin-ui", mono);
	return feed(f, &r);
}

static void seq_count_step(void **state)
{
	struct seqfix *f = *state;

	for (int i = 0; i < 4; i++)
		assert_int_equal(login(f, "alice", "login-failure", 1000 + i * 1000), 0);
	/* Four failures are not five. */
	assert_int_equal(login(f, "alice", "login-success", 6000), 0);
	/* Five for bob, but the success is carol's. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, "bob", "login-failure", 7000 + i * 1000), 0);
	assert_int_equal(login(f, "carol", "login-success", 13000), 0);
	assert_int_equal(f->n, 0);
	/* bob's own success within the minute completes it. */
	assert_int_equal(login(f, "bob", "login-success", 14000), 1);
	assert_string_equal(f->last.ref, "brute-then-login");
	assert_false(f->last.has_source);	/* the key is a user */
	assert_non_null(strstr(f->last.summary, "user bob"));
	assert_non_null(strstr(f->last.summary, "5 x app"));
	/* Five failures spread over more than a minute are not counted. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, "dave", "login-failure", 20000 + i * 20000), 0);
	assert_int_equal(login(f, "dave", "login-success", 101000), 0);
	assert_int_equal(f->n, 1);
}

/* Events of two agents: the module's scan, then an application's login
 * from the address it names. */
static void seq_across_agents(void **state)
{
	struct seqfix *f = *state;
	struct rec r;

	assert_int_equal(scan(f, "192.0.2.7", 1000), 0);
	/* A login the application reports without an address: no key. */
	make_app(&r, "web", "alice", "login-success", "admin-ui", 2000);
	assert_int_equal(feed(f, &r), 0);
	/* From another address: another key. */
	r.app.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.8", r.app.src);
	assert_int_equal(feed(f, &r), 0);
	/* From the scanner's address. */
	inet_pton(AF_INET, "192.0.2.7", r.app.src);
	assert_int_equal(feed(f, &r), 1);
	assert_string_equal(f->last.ref, "scan-then-login");
	assert_true(f->last.has_source);
	assert_string_equal(f->last.source, "192.0.2.7");
	assert_int_equal(f->last.family, AF_INET);
	assert_null(f->last.component);
}

static void make_task(struct rec *r, uint32_t event, uint32_t watch,
		      uint32_t pid, uint32_t ppid, const char *comm,
		      uint64_t mono)
{
	static uint64_t seq;

	memset(r, 0, sizeof(*r));
	r->kind = REC_TASK;
	r->mono_ms = mono;
	r->real_ms = 1795428000000ULL + mono;
	r->task.event = event;
	r->task.seq = ++seq;
	r->task.watch_id = watch;
	r->task.has_pid = true;
	r->task.pid = pid;
	r->task.has_ppid = ppid != 0;
	r->task.ppid = ppid;
	snprintf(r->task.comm, sizeof(r->task.comm), "%s", comm);
}

static void seq_process_key(void **state)
{
	struct seqfix *f = *state;
	uint32_t web = INTAKE_TASK_WATCH_BASE + 1;
	struct rec r;

	assert_ptr_equal(sla_task_watch_component(f->cfg, 1),
			 sla_find_component(f->sla, "web"));
	make_task(&r, SLAGUARD_EVENT_SCHED_SAMPLE, web, 100, 1, "nginx", 1000);
	assert_int_equal(feed(f, &r), 0);
	/* A shell of a process the web server never was: nothing. */
	make_task(&r, SLAGUARD_EVENT_PROC_EXEC, 0, 300, 299, "sh", 2000);
	assert_int_equal(feed(f, &r), 0);
	/* The web server's child runs ls: not a shell. */
	make_task(&r, SLAGUARD_EVENT_PROC_EXEC, 0, 200, 100, "ls", 3000);
	assert_int_equal(feed(f, &r), 0);
	assert_int_equal(f->n, 0);
	/* Its child execs a shell: the web server's sequence completes. */
	make_task(&r, SLAGUARD_EVENT_PROC_EXEC, 0, 201, 100, "sh", 4000);
	assert_int_equal(feed(f, &r), 1);
	assert_string_equal(f->last.ref, "web-shell");
	assert_false(f->last.has_source);
	assert_non_null(strstr(f->last.summary, "process 100"));
	assert_non_null(strstr(f->last.summary, "sh[201]"));
	/* A process that ended takes its sequence along: its id may be
	 * reused by a process that never was the web server. */
	make_task(&r, SLAGUARD_EVENT_SCHED_SAMPLE, web, 400, 1, "nginx", 5000);
	assert_int_equal(feed(f, &r), 0);
	assert_int_equal(seq_of(f, "web-shell")->keys, 1);
	make_task(&r, SLAGUARD_EVENT_PROC_EXIT, web, 400, 1, "nginx", 6000);
	assert_int_equal(feed(f, &r), 0);
	assert_int_equal(seq_of(f, "web-shell")->keys, 0);
	make_task(&r, SLAGUARD_EVENT_PROC_EXEC, 0, 400, 1, "sh", 7000);
	assert_int_equal(feed(f, &r), 0);
	assert_int_equal(f->n, 1);
}

/* Process events reach the rules straight from intake: a repeat of the
 * previous record is one event, not two. */
static void seq_unfiltered_repeat_once(void **state)
{
	struct seqfix *f = *state;
	uint32_t web = INTAKE_TASK_WATCH_BASE + 1;
	struct rec r;

	make_task(&r, SLAGUARD_EVENT_SCHED_SAMPLE, web, 100, 1, "nginx", 1000);
	assert_int_equal(seq_on_unfiltered(f->ss, &r, 1000, seq_keep, f), 0);
	make_task(&r, SLAGUARD_EVENT_PROC_EXEC, 0, 101, 100, "sh", 2000);
	assert_int_equal(seq_on_unfiltered(f->ss, &r, 2000, seq_keep, f), 1);
	/* The same record again (same seq): no second finding. */
	make_task(&r, SLAGUARD_EVENT_SCHED_SAMPLE, web, 100, 1, "nginx", 3000);
	assert_int_equal(seq_on_unfiltered(f->ss, &r, 3000, seq_keep, f), 0);
	r.task.event = SLAGUARD_EVENT_PROC_EXEC;
	r.task.pid = 102;
	r.task.ppid = 100;
	snprintf(r.task.comm, sizeof(r.task.comm), "sh");
	assert_int_equal(seq_on_unfiltered(f->ss, &r, 4000, seq_keep, f), 1);
	assert_int_equal(seq_on_unfiltered(f->ss, &r, 4000, seq_keep, f), 0);
	assert_int_equal(f->n, 2);
}

/* At the limit a new key evicts the least recently active one, counted. */
static void seq_eviction_bounded_and_counted(void **state)
{
	struct seqfix *f = *state;
	char src[32];

	for (int i = 0; i < 20; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i + 1);
		assert_int_equal(scan(f, src, 1000 + (uint64_t)i), 0);
	}
	assert_int_equal(seq_of(f, "scan-then-db")->keys, 8);
	assert_int_equal(seq_of(f, "scan-then-db")->max_keys, 8);
	assert_int_equal(seq_of(f, "scan-then-db")->evicted, 12);
	assert_int_equal(seq_of(f, "scan-then-db")->started, 20);
	/* The first scanners were pushed out; the last ones still count. */
	assert_int_equal(hit(f, "198.51.100.1", 5432, 5000), 0);
	assert_int_equal(hit(f, "198.51.100.20", 5432, 5000), 1);
}

static void seq_status_json_lists_rules(void **state)
{
	struct seqfix *f = *state;
	struct json_object *arr, *o, *v;

	assert_int_equal(scan(f, "192.0.2.7", 1000), 0);
	arr = seq_status_json(f->ss);
	assert_int_equal(json_object_array_length(arr), 4);
	o = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(o, "rule", &v));
	assert_string_equal(json_object_get_string(v), "scan-then-db");
	assert_true(json_object_object_get_ex(o, "keys", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(o, "evicted", &v));
	assert_true(json_object_object_get_ex(o, "max_keys", &v));
	assert_int_equal(json_object_get_int(v), SEQ_KEYS_DEFAULT);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(watch_hit_maps_to_its_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(allow_overrides_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(data_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(detector_events_are_not_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(seq_fires_on_the_sequence, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_not_on_either_event_alone, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_not_for_different_keys, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_not_after_within, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_count_step, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_across_agents, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_process_key, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_unfiltered_repeat_once, seq_setup, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_eviction_bounded_and_counted, seq_setup_small, seq_teardown),
		cmocka_unit_test_setup_teardown(seq_status_json_lists_rules, seq_setup, seq_teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
