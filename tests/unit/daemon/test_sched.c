// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The system monitor's events to sched.* SLOs: task watches derived from
 * the components, samples summed per component and sampling pass, the
 * worst process, events without a process, unknown watches, and why a
 * sched SLO is unknown.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "genl.h"
#include "genl_config.h"
#include "helpers.h"
#include "intake.h"
#include "slo.h"
#include "util.h"

static const char sched_sla[] =
	"sla: sched\n"
	"components:\n"
	"  web: { processes: [nginx, php-fpm], cgroups: [/system.slice/web.service] }\n"
	"  idle: { processes: [sgidle] }\n"
	"  db: { addresses: [10.0.1.20] }\n"
	"slos:\n"
	"  - { id: web-cpu, metric: sched.cpu_percent, component: web, max: 50, window: 10s, severity: medium }\n"
	"  - { id: web-proc-cpu, metric: sched.cpu_percent, per: process, component: web, max: 40, window: 10s, severity: low }\n"
	"  - { id: web-rss, metric: sched.rss_bytes, component: web, max: 300M, window: 10s, severity: high }\n"
	"  - { id: web-runq, metric: sched.runq_delay_ms, component: web, max: 100, window: 10s, severity: low }\n"
	"  - { id: web-forks, metric: sched.fork_rate, component: web, max: 5, window: 10s, severity: high }\n"
	"  - { id: idle-cpu, metric: sched.cpu_percent, component: idle, max: 50, window: 10s, severity: medium }\n"
	"  - { id: host-cpu, metric: sched.cpu_percent, max: 150, window: 10s, severity: low }\n";

/* Module task watch ids the daemon gives: SLA id + base, in file order. */
#define NGINX	(INTAKE_TASK_WATCH_BASE + 1)
#define PHP	(INTAKE_TASK_WATCH_BASE + 2)
#define WEBCG	(INTAKE_TASK_WATCH_BASE + 3)
#define SGIDLE	(INTAKE_TASK_WATCH_BASE + 4)

struct fixture {
	struct sla *sla;
	struct sla_module_config *cfg;
	struct slo_judge j;
	const char *gap;		/* what the fake intake says */
};

static const char *fake_gap(void *arg, const struct sla_component *c,
			    uint64_t since, char *buf, size_t len)
{
	struct fixture *f = arg;

	(void)c;
	(void)since;
	(void)buf;
	(void)len;
	return f->gap;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sla = load_sla_text(sched_sla);
	f->cfg = calloc(1, sizeof(*f->cfg));
	assert_int_equal(sla_to_module_config(f->sla, f->cfg), 0);
	assert_int_equal(pp_new(&f->j.pp, f->sla, 120000), 0);
	pp_set_module_config(f->j.pp, f->cfg);
	assert_int_equal(slo_set_new(&f->j.set, f->sla), 0);
	f->j.ctx = (struct slo_ctx){
		.pp = f->j.pp, .now = 100000, .now_real = 1795428100000ULL,
		.kernel_since = 1000, .holdoff_ms = 5000,
		.default_window_ms = 10000, .sched_gap = fake_gap,
		.sched_arg = f,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	finding_release(&f->j.last);
	slo_set_free(f->j.set);
	pp_free(f->j.pp);
	free(f->cfg);
	sla_free(f->sla);
	free(f);
	return 0;
}

/* A SCHED_SAMPLE of PID (COMM) under WATCH: CPU in hundredths of %. */
static void make_sample(struct rec *r, uint32_t watch, uint32_t pid,
			const char *comm, uint32_t cpu_hundredths,
			uint64_t rss, uint32_t runq, uint64_t mono)
{
	static uint64_t seq;

	memset(r, 0, sizeof(*r));
	r->kind = REC_TASK;
	r->mono_ms = mono;
	r->real_ms = 1795428000000ULL + mono;
	r->task.event = SLAGUARD_EVENT_SCHED_SAMPLE;
	r->task.seq = ++seq;
	r->task.watch_id = watch;
	r->task.has_pid = true;
	r->task.pid = pid;
	snprintf(r->task.comm, sizeof(r->task.comm), "%s", comm);
	r->task.period_ms = 1000;
	r->task.has_cpu = r->task.has_runq = r->task.has_rss = true;
	r->task.cpu_percent = cpu_hundredths / 100.0;
	r->task.rss_bytes = (double)rss;
	r->task.runq_delay_ms = runq;
	r->task.has_value = true;
	r->task.value = cpu_hundredths;
}

static int record(struct fixture *f, struct rec *r)
{
	f->j.ctx.now = r->mono_ms;
	return pp_record(f->j.pp, r, judge_sample, &f->j);
}

static void tick(struct fixture *f, uint64_t now)
{
	f->j.ctx.now = now;
	pp_flush(f->j.pp, now, judge_sample, &f->j);
	slo_evaluate(f->j.set, &f->j.ctx, judge_finding, &f->j);
}

static double window_max(struct fixture *f, int metric, const char *comp,
			 const char *process)
{
	const struct pp_window *w;
	struct pp_stats st;

	w = pp_window_find(f->j.pp, metric,
			   comp ? sla_find_component(f->sla, comp) : NULL,
			   process);
	if (!w || !pp_window_stats(w, 0, &st))
		return -1;
	return st.max;
}

static void watches_from_components(void **state)
{
	struct fixture *f = *state;
	const struct sla_module_config *c = f->cfg;
	struct json_object *o, *tw;

	assert_int_equal(c->n_task_watches, 4);
	assert_int_equal(c->task_watches[0].id, 1);
	assert_string_equal(c->task_watches[0].comm, "nginx");
	assert_null(c->task_watches[0].cgroup);
	assert_string_equal(c->task_watches[1].comm, "php-fpm");
	assert_null(c->task_watches[2].comm);
	assert_string_equal(c->task_watches[2].cgroup, "/system.slice/web.service");
	assert_string_equal(c->task_watches[3].comm, "sgidle");
	assert_string_equal(c->task_watches[2].component->name, "web");
	assert_string_equal(c->task_watches[3].component->name, "idle");
	/* db has no processes: no watch; ids map back, others do not */
	assert_ptr_equal(sla_task_watch_component(c, 3),
			 sla_find_component(f->sla, "web"));
	assert_null(sla_task_watch_component(c, 0));
	assert_null(sla_task_watch_component(c, 5));
	assert_int_equal(intake_task_watch_sla_id(SGIDLE), 4);
	assert_int_equal(intake_task_watch_sla_id(17), 0);
	/* the fork_rate SLO's max is the module's cgroup fork threshold */
	assert_true(c->thresholds_set & (1u << SLAGUARD_THR_FORK_RATE));
	assert_int_equal(c->thresholds[SLAGUARD_THR_FORK_RATE], 6);
	assert_false(c->thresholds_set & (1u << SLAGUARD_THR_CPU_PCT));

	o = sla_module_config_to_json(c);
	assert_true(json_object_object_get_ex(o, "task_watches", &tw));
	assert_int_equal(json_object_array_length(tw), 4);
	json_object_put(o);
}

/* The request slaguardd and slaguardctl send, read back as the kernel would. */
static void task_watch_request(void **state)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_twatch *w = calloc(1, sizeof(*w)), *back = calloc(1, sizeof(*back));
	struct nlmsghdr *nlh;

	(void)state;
	w->id = WEBCG;
	snprintf(w->cgroup, sizeof(w->cgroup), "/system.slice/web.service");
	nlh = sg_twatch_build_add(buf, 42, w);
	assert_int_equal(sg_genl_cmd(nlh), SLAGUARD_CMD_ADD_TASK_WATCH);
	assert_int_equal(sg_twatch_decode(sg_genl_nest(nlh, SLAGUARD_A_TASK_WATCH), back), 0);
	assert_int_equal(back->id, WEBCG);
	assert_string_equal(back->cgroup, "/system.slice/web.service");
	assert_string_equal(back->comm, "");
	assert_int_equal(back->pid, 0);
	nlh = sg_twatch_build_del(buf, 42, NGINX);
	assert_int_equal(sg_genl_cmd(nlh), SLAGUARD_CMD_DEL_TASK_WATCH);
	assert_int_equal(sg_twatch_decode(sg_genl_nest(nlh, SLAGUARD_A_TASK_WATCH), back), 0);
	assert_int_equal(back->id, NGINX);
	free(w);
	free(back);
}

/* One pass: nginx 30 %, php-fpm 35 %: each within 40, together over 50. */
static void component_sum_violates(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	tick(f, 100000);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_COMPLIANT);
	assert_string_equal(slo_by_id(f->j.set, "web-cpu")->reason,
			    "no watched process ran in the window");

	make_sample(&r, NGINX, 101, "nginx", 3000, 100000000, 5, 100100);
	assert_int_equal(record(f, &r), 3);	/* cpu, runq, rss of nginx[101] */
	make_sample(&r, PHP, 202, "php-fpm", 3500, 150000000, 7, 100101);
	assert_int_equal(record(f, &r), 3);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "nginx[101]") == 30);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "php-fpm[202]") == 35);
	/* the pass is summed once it is complete */
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "") < 0);
	assert_int_equal(f->j.findings, 0);

	tick(f, 100400);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "") == 65);
	assert_true(window_max(f, SLA_METRIC_SCHED_RSS_BYTES, "web", "") == 250000000);
	assert_true(window_max(f, SLA_METRIC_SCHED_RUNQ_DELAY_MS, "web", "") == 12);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, NULL, "") == 65);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->j.set, "web-cpu")->value == 65);
	assert_int_equal(slo_by_id(f->j.set, "web-proc-cpu")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "web-proc-cpu")->value == 35);
	assert_int_equal(slo_by_id(f->j.set, "web-rss")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "web-rss")->value == 250000000);
	assert_int_equal(slo_by_id(f->j.set, "host-cpu")->state, SLO_COMPLIANT);
	/* a violation raises a finding naming the SLO and the component */
	assert_int_equal(f->j.findings, 1);
	assert_int_equal(f->j.last.kind, FINDING_SLO);
	assert_string_equal(f->j.last.ref, "web-cpu");
	assert_string_equal(f->j.last.component, "web");
	assert_false(f->j.last.has_source);
	assert_non_null(strstr(f->j.last.summary, "sched.cpu_percent of component web is 65"));

	/* the next pass is summed on its own: 10 + 10, no carry-over */
	make_sample(&r, NGINX, 101, "nginx", 1000, 100000000, 5, 101100);
	record(f, &r);
	make_sample(&r, PHP, 202, "php-fpm", 1000, 150000000, 7, 101101);
	record(f, &r);
	tick(f, 101400);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "") == 65);
	/* once the busy pass left the window, compliant again */
	make_sample(&r, NGINX, 101, "nginx", 1000, 100000000, 5, 111100);
	record(f, &r);
	make_sample(&r, PHP, 202, "php-fpm", 1000, 150000000, 7, 111101);
	record(f, &r);
	tick(f, 111400);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "web-cpu")->value == 20);
}

static void worst_process_violates(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *e, *procs, *v;
	struct rec r;

	make_sample(&r, NGINX, 101, "nginx", 9950, 1000, 0, 100100);
	record(f, &r);
	assert_int_equal(slo_by_id(f->j.set, "web-proc-cpu")->state, SLO_VIOLATED);
	assert_true(slo_by_id(f->j.set, "web-proc-cpu")->value == 99.5);
	/* judged at once; the component's sum waits for the pass to end */
	assert_string_equal(f->j.last.ref, "web-proc-cpu");
	assert_non_null(strstr(f->j.last.summary, "sched.cpu_percent of nginx[101] is 99.5"));
	assert_false(f->j.last.has_source);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_COMPLIANT);
	tick(f, 100400);
	assert_int_equal(slo_by_id(f->j.set, "web-proc-cpu")->state, SLO_VIOLATED);
	o = slo_status_json(slo_by_id(f->j.set, "web-proc-cpu"));
	assert_true(json_object_object_get_ex(o, "evidence", &e));
	assert_true(json_object_object_get_ex(e, "processes", &procs));
	v = json_object_object_get(json_object_array_get_idx(procs, 0), "process");
	assert_string_equal(json_object_get_string(v), "nginx[101]");
	json_object_put(o);
}

/* FORK_RATE and a cgroup's CPU_HIGH name a watch and no process. */
static void events_without_pid(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.kind = REC_TASK;
	r.mono_ms = 100100;
	r.real_ms = 1795428100100ULL;
	r.task.event = SLAGUARD_EVENT_FORK_RATE;
	r.task.seq = 9001;
	r.task.watch_id = WEBCG;
	snprintf(r.task.cgroup, sizeof(r.task.cgroup), "/system.slice/web.service");
	r.task.has_value = true;
	r.task.value = 12;
	r.task.threshold = 6;
	assert_int_equal(record(f, &r), 1);
	assert_true(window_max(f, SLA_METRIC_SCHED_FORK_RATE, "web", "") == 12);
	assert_int_equal(slo_by_id(f->j.set, "web-forks")->state, SLO_VIOLATED);
	assert_string_equal(f->j.last.ref, "web-forks");

	r.task.event = SLAGUARD_EVENT_CPU_HIGH;
	r.task.seq = 9002;
	r.task.value = 70;
	r.task.threshold = 50;
	assert_int_equal(record(f, &r), 1);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "") == 70);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_VIOLATED);
	/* no process window was made up for it */
	assert_int_equal(slo_by_id(f->j.set, "web-proc-cpu")->samples, 0);

	/* a sample without a process means nothing */
	r.task.event = SLAGUARD_EVENT_SCHED_SAMPLE;
	r.task.seq = 9003;
	r.task.has_cpu = true;
	r.task.cpu_percent = 99;
	assert_int_equal(record(f, &r), 0);
	tick(f, 100400);
	assert_true(window_max(f, SLA_METRIC_SCHED_CPU_PERCENT, "web", "") == 70);
}

static void execs_counted_per_second(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	for (int i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.kind = REC_TASK;
		r.mono_ms = 100100 + (uint64_t)i * 100;
		r.real_ms = 1795428100100ULL + (uint64_t)i * 100;
		r.task.event = SLAGUARD_EVENT_PROC_EXEC;
		r.task.seq = 8000 + (uint64_t)i;
		r.task.watch_id = PHP;
		r.task.has_pid = true;
		r.task.pid = 300 + (uint32_t)i;
		record(f, &r);
	}
	tick(f, 101200);
	assert_true(window_max(f, SLA_METRIC_SCHED_FORK_RATE, "web", "") == 4);
	assert_int_equal(slo_by_id(f->j.set, "web-forks")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "web-forks")->value == 4);
}

static void unknown_watch_ignored(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	make_sample(&r, 7, 101, "by-hand", 9900, 1000, 0, 100100);
	assert_int_equal(record(f, &r), 0);
	make_sample(&r, INTAKE_TASK_WATCH_BASE + 99, 102, "gone", 9900, 1000, 0, 100101);
	assert_int_equal(record(f, &r), 0);
	make_sample(&r, 0, 103, "left", 9900, 1000, 0, 100102);
	assert_int_equal(record(f, &r), 0);
	tick(f, 100400);
	assert_int_equal(pp_window_count(f->j.pp), 0);
	assert_int_equal(f->j.findings, 0);
	assert_int_equal(slo_by_id(f->j.set, "host-cpu")->state, SLO_COMPLIANT);
}

static void idle_compliant_with_samples(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	make_sample(&r, SGIDLE, 401, "sgidle", 12, 2000000, 0, 100100);
	record(f, &r);
	tick(f, 100400);
	assert_int_equal(slo_by_id(f->j.set, "idle-cpu")->state, SLO_COMPLIANT);
	assert_true(slo_by_id(f->j.set, "idle-cpu")->has_value);
	assert_true(slo_by_id(f->j.set, "idle-cpu")->value == 0.12);
	assert_string_equal(slo_by_id(f->j.set, "idle-cpu")->reason, "within bounds");
}

/* Without a system monitor, quiet sched SLOs are unknown and say why. */
static void unknown_without_monitor(void **state)
{
	struct fixture *f = *state;
	struct rec r;

	f->gap = "the module has no system monitor here (adding a task watch: Operation not supported)";
	tick(f, 100400);
	assert_int_equal(slo_by_id(f->j.set, "idle-cpu")->state, SLO_UNKNOWN);
	assert_false(slo_by_id(f->j.set, "idle-cpu")->has_value);
	assert_non_null(strstr(slo_by_id(f->j.set, "idle-cpu")->reason, "no system monitor"));
	/* a violation is still one */
	make_sample(&r, NGINX, 101, "nginx", 9000, 1000, 0, 100500);
	record(f, &r);
	tick(f, 100800);
	assert_int_equal(slo_by_id(f->j.set, "web-cpu")->state, SLO_VIOLATED);

	f->j.ctx.sched_gap = NULL;
	tick(f, 100900);
	assert_int_equal(slo_by_id(f->j.set, "idle-cpu")->state, SLO_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(watches_from_components, setup, teardown),
		cmocka_unit_test(task_watch_request),
		cmocka_unit_test_setup_teardown(component_sum_violates, setup, teardown),
		cmocka_unit_test_setup_teardown(worst_process_violates, setup, teardown),
		cmocka_unit_test_setup_teardown(events_without_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(execs_counted_per_second, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_watch_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_compliant_with_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_without_monitor, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
