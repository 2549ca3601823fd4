// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cgroup countermeasures (throttle-cpu, freeze, limit-memory,
 * isolate-network through a fake backend) and kill (real signals to a
 * child, named in the fake /proc) against a fake cgroup tree and /proc in
 * a temporary directory (SLAGUARD_CGROUP_ROOT, SLAGUARD_PROC_ROOT).
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "alert.h"
#include "helpers.h"
#include "respond.h"
#include "util.h"

#define BUSY_PID	4242
#define SSHD_PID	77

struct fixture {
	char dir[64], root[96], proc[96], state[128];
	struct sla *sla;
	struct alerts *am;
	struct respond *r;
	struct fake_backend fb;
	uint64_t now;
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *cg, const char *file)
{
	static char buf[128];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s%s/%s", dir, cg, file);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/* cgroup CG with its controller files, holding PIDS ("4242\n"). */
static void make_cg(struct fixture *f, const char *cg, const char *pids)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", f->root, cg);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s%s/cpu.max", f->root, cg);
	put(path, "max 100000\n");
	snprintf(path, sizeof(path), "%s%s/cgroup.freeze", f->root, cg);
	put(path, "0\n");
	snprintf(path, sizeof(path), "%s%s/memory.high", f->root, cg);
	put(path, "max\n");
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", f->root, cg);
	put(path, pids);
}

static void make_proc(struct fixture *f, int pid, const char *comm,
		      const char *cg)
{
	char path[512], text[300];

	snprintf(path, sizeof(path), "%s/%d", f->proc, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%d/comm", f->proc, pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(path, text);
	snprintf(path, sizeof(path), "%s/%d/cgroup", f->proc, pid);
	snprintf(text, sizeof(text), "0::%s\n", cg);
	put(path, text);
}

static const char sla_head[] =
	"sla: cg\n"
	"components:\n"
	"  app: { processes: [sgbusy] }\n"
	"  grp: { cgroups: [/grp] }\n"
	"  own: { cgroups: [/daemon] }\n"
	"  db: { cgroups: [/db] }\n"
	"  web: { addresses: [10.0.0.1], cgroups: [/db] }\n"
	"rules:\n"
	"  - { id: no-web, deny: { to: web, port: 5432, proto: tcp }, severity: high }\n"
	"slos:\n"
	"  - { id: cpu, metric: sched.cpu_percent, component: app, per: process, max: 50, window: 5s, severity: high }\n"
	"  - { id: grp-cpu, metric: sched.cpu_percent, component: grp, max: 50, window: 5s, severity: high }\n"
	"  - { id: own-cpu, metric: sched.cpu_percent, component: own, max: 50, window: 5s, severity: high }\n"
	"  - { id: db-cpu, metric: sched.cpu_percent, component: db, max: 50, window: 5s, severity: high }\n";

/* The SLA with countermeasures CMS and defaults DEFAULTS (NULL: none). */
static void use_sla(struct fixture *f, const char *cms, const char *defaults)
{
	char text[4096];

	snprintf(text, sizeof(text), "%scountermeasures:\n%s%s%s\n", sla_head,
		 cms, defaults ? "defaults: " : "", defaults ? defaults : "");
	sla_free(f->sla);
	f->sla = load_sla_text(text);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct alert_opts o = { .holdoff_ms = 1, .rate = 1000, .burst = 1000 };
	char path[160];

	snprintf(f->dir, sizeof(f->dir), "/tmp/sgd-cgroup-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->root, sizeof(f->root), "%s/cg", f->dir);
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/cgroups", f->dir);
	assert_int_equal(mkdir(f->root, 0700), 0);
	assert_int_equal(mkdir(f->proc, 0700), 0);
	snprintf(path, sizeof(path), "%s/cgroup.procs", f->root);
	put(path, "1\n");
	setenv("SLAGUARD_CGROUP_ROOT", f->root, 1);
	setenv("SLAGUARD_PROC_ROOT", f->proc, 1);
	make_cg(f, "/app", "4242\n");
	make_cg(f, "/grp", "5000\n");
	make_cg(f, "/ssh", "77\n");
	make_cg(f, "/daemon", "");
	make_cg(f, "/db", "6000\n");
	make_proc(f, BUSY_PID, "sgbusy", "/app");
	make_proc(f, 5000, "worker", "/grp");
	make_proc(f, 6000, "postgres", "/db");
	make_proc(f, SSHD_PID, "sshd", "/ssh");
	make_proc(f, (int)getpid(), "slaguardd", "/daemon");
	assert_int_equal(alerts_new(&f->am, &o), 0);
	assert_int_equal(respond_new(&f->r, &fake_ops, &f->fb), 0);
	respond_set_cgroup_state(f->r, f->state);
	f->now = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	respond_free(f->r);
	alerts_free(f->am);
	sla_free(f->sla);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	unsetenv("SLAGUARD_CGROUP_ROOT");
	unsetenv("SLAGUARD_PROC_ROOT");
	free(f);
	return 0;
}

/* An alert of SLO REF about component COMP, naming PROCESS if not NULL. */
static struct alert *alert_of(struct fixture *f, const char *ref,
			      const char *comp, const char *process)
{
	struct finding fd = { .kind = FINDING_SLO, .severity = SLA_SEV_HIGH,
			      .component = comp };
	struct alert *a;

	snprintf(fd.ref, sizeof(fd.ref), "%s", ref);
	fd.slo = sla_find_slo(f->sla, ref);
	fd.evidence = json_object_new_object();
	if (process)
		json_object_object_add(fd.evidence, "process",
				       json_object_new_string(process));
	f->now += 10;
	a = alerts_raise(f->am, &fd, f->now);
	assert_non_null(a);
	a->slo = fd.slo;
	return a;
}

/*
 * An alert of deny rule no-web from a watch hit, naming the sending
 * socket's cgroup CG and its id when not NULL / 0.
 */
static struct alert *rule_alert_of(struct fixture *f, const char *cg,
				   uint64_t cgroup_id)
{
	struct finding fd = { .kind = FINDING_RULE, .severity = SLA_SEV_HIGH,
			      .component = "web" };
	struct alert *a;

	snprintf(fd.ref, sizeof(fd.ref), "no-web");
	fd.rule = sla_find_rule(f->sla, "no-web");
	assert_non_null(fd.rule);
	fd.evidence = json_object_new_object();
	json_object_object_add(fd.evidence, "watch", json_object_new_int(1000001));
	if (cgroup_id)
		json_object_object_add(fd.evidence, "cgroup_id",
				       json_object_new_int64((int64_t)cgroup_id));
	if (cg)
		json_object_object_add(fd.evidence, "cgroup",
				       json_object_new_string(cg));
	f->now += 10;
	a = alerts_raise(f->am, &fd, f->now);
	assert_non_null(a);
	a->rule = fd.rule;
	return a;
}

/* The I-th response's KEY ("action", "result", "detail"). */
static const char *response(const struct alert *a, size_t i, const char *key)
{
	struct json_object *arr, *o, *v;

	if (!json_object_object_get_ex(a->evidence, "responses", &arr) ||
	    i >= json_object_array_length(arr))
		return NULL;
	o = json_object_array_get_idx(arr, i);
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

#define THROTTLE "  - { when: { slo: cpu }, do: throttle-cpu, cpu: 20%, for: 1m }\n"

/* Written, listed with its alert, and the value read before comes back. */
static void throttle_then_restore(void **state)
{
	struct fixture *f = *state;
	struct alert *a;
	const struct countermeasure *c;
	char path[160];

	use_sla(f, THROTTLE, NULL);
	/* a previous value that is not the default: it must come back */
	snprintf(path, sizeof(path), "%s/app/cpu.max", f->root);
	put(path, "50000 100000\n");
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "20000 100000");
	assert_int_equal(respond_active(f->r), 1);
	c = respond_at(f->r, 0);
	assert_int_equal(c->action, SLA_ACT_THROTTLE_CPU);
	assert_string_equal(c->cgroup, "/app");
	assert_string_equal(c->previous, "50000 100000");
	assert_string_equal(c->alert, a->id);
	assert_string_equal(response(a, 0, "result"), c->id);
	assert_int_equal(json_object_array_length(a->actions), 1);
	/* not yet */
	respond_expire(f->r, f->now + 59000);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "20000 100000");
	respond_expire(f->r, f->now + 60000);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "50000 100000");
	/* nothing is left in the state file */
	assert_string_equal(get(f->dir, "", "cgroups"), "");
}

/* A second alert extends the action; the previous value stays the first. */
static void again_extends_keeps_previous(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	use_sla(f, THROTTLE, NULL);
	respond_on_alert(f->r, f->sla, alert_of(f, "cpu", "app", "sgbusy[4242]"), f->now);
	f->now += 30000;
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	assert_string_equal(respond_at(f->r, 0)->previous, "max 100000");
	respond_expire(f->r, f->now + 59000);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "20000 100000");
	respond_expire(f->r, f->now + 60000);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "max 100000");
}

static void freeze_and_memory(void **state)
{
	struct fixture *f = *state;
	char err[64];

	use_sla(f, "  - { when: { slo: grp-cpu }, do: freeze, for: 10s }\n"
		   "  - { when: { slo: grp-cpu }, do: limit-memory, memory: 256M, for: 10s }\n",
		NULL);
	respond_on_alert(f->r, f->sla, alert_of(f, "grp-cpu", "grp", NULL), f->now);
	assert_int_equal(respond_active(f->r), 2);
	assert_string_equal(get(f->root, "/grp", "cgroup.freeze"), "1");
	assert_string_equal(get(f->root, "/grp", "memory.high"), "256000000");
	/* revoked by the operator: back at once */
	assert_int_equal(respond_revoke(f->r, respond_at(f->r, 0)->id, err, sizeof(err)), 0);
	assert_int_equal(respond_revoke(f->r, respond_at(f->r, 0)->id, err, sizeof(err)), 0);
	assert_string_equal(get(f->root, "/grp", "cgroup.freeze"), "0");
	assert_string_equal(get(f->root, "/grp", "memory.high"), "max");
}

static void dry_run_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	use_sla(f, THROTTLE, NULL);
	respond_set_dry_run(f->r, true);
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "max 100000");
	assert_int_equal(respond_active(f->r), 1);
	assert_true(respond_at(f->r, 0)->dry_run);
	assert_non_null(strstr(response(a, 0, "detail"), "dry-run"));
	respond_expire(f->r, f->now + 60000);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "max 100000");
}

/* Refused, with why on the alert, and the file untouched. */
static void assert_refused(struct fixture *f, struct alert *a, const char *cg,
			   const char *file, const char *was, const char *why)
{
	size_t before = respond_active(f->r);

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), before);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), why));
	assert_string_equal(get(f->root, cg, file), was);
}

static void protected_refused(void **state)
{
	struct fixture *f = *state;
	char path[160];

	use_sla(f, THROTTLE
		"  - { when: { slo: own-cpu }, do: freeze, for: 10s }\n"
		"  - { when: { slo: db-cpu }, do: freeze, for: 10s }\n",
		"{ protected: [/db] }");
	/* sshd by name, even under a watched name's SLO */
	assert_refused(f, alert_of(f, "cpu", "app", "sshd[77]"), "/ssh",
		       "cpu.max", "max 100000", "sshd");
	/* PID 1 */
	make_proc(f, 1, "sgbusy", "/app");
	assert_refused(f, alert_of(f, "cpu", "app", "sgbusy[1]"), "/app",
		       "cpu.max", "max 100000", "PID 1");
	/* the daemon's own cgroup */
	assert_refused(f, alert_of(f, "own-cpu", "own", NULL), "/daemon",
		       "cgroup.freeze", "0", "slaguardd");
	/* the SLA's own protected list */
	assert_refused(f, alert_of(f, "db-cpu", "db", NULL), "/db",
		       "cgroup.freeze", "0", "defaults.protected");
	/* a cgroup that holds sshd, though the alert names another process */
	snprintf(path, sizeof(path), "%s/app/cgroup.procs", f->root);
	put(path, "4242\n77\n");
	assert_refused(f, alert_of(f, "cpu", "app", "sgbusy[4242]"), "/app",
		       "cpu.max", "max 100000", "sshd[77]");
	assert_int_equal(respond_refused(f->r, RESPOND_REFUSED_PROTECTED), 5);
}

/* A reused pid: the process the alert named is gone. */
static void gone_process_refused(void **state)
{
	struct fixture *f = *state;

	use_sla(f, THROTTLE, NULL);
	assert_refused(f, alert_of(f, "cpu", "app", "sgbusy[5000]"), "/grp",
		       "cpu.max", "max 100000", "gone");
	assert_refused(f, alert_of(f, "cpu", "app", "sgbusy[999]"), "/app",
		       "cpu.max", "max 100000", "gone");
}

static void cap_refused(void **state)
{
	struct fixture *f = *state;

	use_sla(f, THROTTLE "  - { when: { slo: grp-cpu }, do: freeze, for: 10s }\n",
		"{ max_actions: 1 }");
	respond_on_alert(f->r, f->sla, alert_of(f, "cpu", "app", "sgbusy[4242]"), f->now);
	assert_refused(f, alert_of(f, "grp-cpu", "grp", NULL), "/grp",
		       "cgroup.freeze", "0", "max_actions");
	assert_int_equal(respond_active(f->r), 1);
}

/* A restart: due ones adopted with their id, ended ones undone. */
static void restart_adopts_or_undoes(void **state)
{
	struct fixture *f = *state;
	struct respond *r2;
	uint64_t real = sgd_real_ms();
	char line[512];
	const struct countermeasure *c;

	snprintf(line, sizeof(line),
		 "7\tthrottle-cpu\t%llu\t/app\t20000 100000\t30000 100000\tA3\tcpu\n"
		 "8\tfreeze\t%llu\t/grp\t1\t0\tA4\tgrp-cpu\n",
		 (unsigned long long)(real + 40000), (unsigned long long)(real - 1000));
	put(f->state, line);
	snprintf(line, sizeof(line), "%s/app/cpu.max", f->root);
	put(line, "20000 100000\n");
	snprintf(line, sizeof(line), "%s/grp/cgroup.freeze", f->root);
	put(line, "1\n");

	assert_int_equal(respond_new(&r2, &fake_ops, &f->fb), 0);
	respond_set_cgroup_state(r2, f->state);
	respond_cgroup_recover(r2, 5000);
	/* the ended freeze: thawed at start */
	assert_string_equal(get(f->root, "/grp", "cgroup.freeze"), "0");
	/* the throttle: adopted, C7, ending in about 40 s */
	assert_int_equal(respond_active(r2), 1);
	c = respond_at(r2, 0);
	assert_string_equal(c->id, "C7");
	assert_true(c->adopted);
	assert_string_equal(c->alert, "A3");
	assert_true(c->expires > 5000 + 35000 && c->expires <= 5000 + 40000);
	assert_true(respond_next_num(r2) >= 8);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "20000 100000");
	/* the state file keeps only the adopted one */
	assert_non_null(strstr(get(f->dir, "", "cgroups"), "/app"));
	assert_null(strstr(get(f->dir, "", "cgroups"), "/grp"));
	respond_expire(r2, 5000 + 40000);
	assert_string_equal(get(f->root, "/app", "cpu.max"), "30000 100000");
	respond_free(r2);
}

/* What the first run records is what a second run adopts. */
static void state_round_trip(void **state)
{
	struct fixture *f = *state;
	struct respond *r2;

	use_sla(f, THROTTLE, NULL);
	respond_on_alert(f->r, f->sla, alert_of(f, "cpu", "app", "sgbusy[4242]"), f->now);
	assert_int_equal(respond_new(&r2, &fake_ops, &f->fb), 0);
	respond_set_cgroup_state(r2, f->state);
	respond_cgroup_recover(r2, 100);
	assert_int_equal(respond_active(r2), 1);
	assert_string_equal(respond_at(r2, 0)->id, respond_at(f->r, 0)->id);
	assert_string_equal(respond_at(r2, 0)->previous, "max 100000");
	respond_free(r2);
}

#define ISOLATE "  - { when: { slo: cpu }, do: isolate-network, for: 1m }\n"

/* The rules go in with the countermeasure's id, and go when it ends. */
static void isolate_then_lifted(void **state)
{
	struct fixture *f = *state;
	const struct countermeasure *c;
	struct json_object *list, *o, *v;
	struct alert *a;
	int i;

	use_sla(f, ISOLATE, NULL);
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	c = respond_at(f->r, 0);
	assert_int_equal(c->action, SLA_ACT_ISOLATE_NETWORK);
	assert_string_equal(c->cgroup, "/app");
	assert_string_equal(response(a, 0, "result"), c->id);
	i = fake_isolated(&f->fb, c->id);
	assert_true(i >= 0);
	assert_string_equal(f->fb.iso_cg[i], "/app");
	assert_non_null(strstr(f->fb.iso_comment[i], a->id));
	assert_non_null(strstr(f->fb.iso_comment[i], "cm=C1"));
	/* listed with its alert; no cgroup file */
	list = respond_list_json(f->r, f->now);
	o = json_object_array_get_idx(list, 0);
	assert_true(json_object_object_get_ex(o, "action", &v));
	assert_string_equal(json_object_get_string(v), "isolate-network");
	assert_true(json_object_object_get_ex(o, "alert", &v));
	assert_string_equal(json_object_get_string(v), a->id);
	json_object_put(list);
	/* in the state file, for a restart */
	assert_non_null(strstr(get(f->dir, "", "cgroups"), "isolate-network"));
	respond_expire(f->r, f->now + 59000);
	assert_int_equal(f->fb.n_iso, 1);
	respond_expire(f->r, f->now + 60000);
	assert_int_equal(respond_active(f->r), 0);
	assert_int_equal(f->fb.n_iso, 0);
	assert_string_equal(get(f->dir, "", "cgroups"), "");
}

/* Protected, dry-run, or the backend saying no: no rule is left. */
static void isolate_refused_or_dry(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	use_sla(f, ISOLATE, NULL);
	a = alert_of(f, "cpu", "app", "sshd[77]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "sshd"));
	assert_int_equal(f->fb.isolates, 0);

	f->fb.apply_ret = -EINVAL;
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(response(a, 0, "result"), "failed");
	assert_int_equal(respond_active(f->r), 0);
	f->fb.apply_ret = 0;

	respond_set_dry_run(f->r, true);
	a = alert_of(f, "cpu", "app", "sgbusy[4242]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	assert_int_equal(f->fb.n_iso, 0);
	respond_expire(f->r, f->now + 60000);
	assert_int_equal(f->fb.unisolates, 0);
}

/* A restart: the due isolation is held again, the ended one is not. */
static void isolate_restart(void **state)
{
	struct fixture *f = *state;
	struct respond *r2;
	uint64_t real = sgd_real_ms();
	char line[512];

	snprintf(line, sizeof(line),
		 "4\tisolate-network\t%llu\t/app\tdrop but the allowlist\t-\tA1\tcpu\n"
		 "5\tisolate-network\t%llu\t/grp\tdrop but the allowlist\t-\tA2\tgrp-cpu\n",
		 (unsigned long long)(real + 30000), (unsigned long long)(real - 1000));
	put(f->state, line);
	assert_int_equal(respond_new(&r2, &fake_ops, &f->fb), 0);
	respond_set_cgroup_state(r2, f->state);
	respond_cgroup_recover(r2, 5000);
	assert_int_equal(respond_active(r2), 1);
	assert_string_equal(respond_at(r2, 0)->id, "C4");
	assert_true(respond_at(r2, 0)->adopted);
	assert_int_equal(f->fb.n_iso, 1);
	assert_string_equal(f->fb.iso_cg[0], "/app");
	assert_string_equal(f->fb.iso_id[0], "C4");
	/* the backend dropped what it held but C4 (the ended C5's rules) */
	assert_true(f->fb.syncs >= 1);
	assert_null(strstr(get(f->dir, "", "cgroups"), "/grp"));
	respond_expire(r2, 5000 + 30000);
	assert_int_equal(f->fb.n_iso, 0);
	respond_free(r2);
}

/* A child that waits to be signalled, named COMM in cgroup CG of the fake /proc. */
static pid_t child_as(struct fixture *f, const char *comm, const char *cg)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		for (;;)
			pause();
	}
	make_proc(f, (int)pid, comm, cg);
	return pid;
}

/* The signal that ended PID, 0 if it still runs (it is then killed). */
static int ended_by(pid_t pid)
{
	int status;

	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}

static void kill_ordinary(void **state)
{
	struct fixture *f = *state;
	const struct countermeasure *c;
	struct alert *a;
	char name[64];
	pid_t pid;

	use_sla(f, "  - { when: { slo: cpu }, do: kill }\n", NULL);
	pid = child_as(f, "sgbusy", "/app");
	snprintf(name, sizeof(name), "sgbusy[%d]", (int)pid);
	a = alert_of(f, "cpu", "app", name);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(ended_by(pid), SIGKILL);
	/* one-shot: nothing in force, but done under an id of its own */
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "C1");
	assert_non_null(strstr(response(a, 0, "detail"), "SIGKILL"));
	c = respond_find(f->r, "C1");
	assert_non_null(c);
	assert_int_equal(c->action, SLA_ACT_KILL);
	assert_string_equal(c->alert, a->id);
	assert_string_equal(c->target, name);
	assert_int_equal(json_object_array_length(a->actions), 1);
}

static void kill_named_signal_and_dry_run(void **state)
{
	struct fixture *f = *state;
	struct alert *a;
	char name[64];
	pid_t pid;

	use_sla(f, "  - { when: { slo: cpu }, do: kill, signal: TERM }\n", NULL);
	pid = child_as(f, "sgbusy", "/app");
	snprintf(name, sizeof(name), "sgbusy[%d]", (int)pid);
	respond_set_dry_run(f->r, true);
	a = alert_of(f, "cpu", "app", name);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_non_null(strstr(response(a, 0, "detail"), "dry-run"));
	respond_set_dry_run(f->r, false);
	a = alert_of(f, "cpu", "app", name);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(ended_by(pid), SIGTERM);
}

/* Refused with why; the process lives on. */
static void assert_not_killed(struct fixture *f, const char *comm,
			      const char *cg, const char *why)
{
	struct alert *a;
	char name[64];
	pid_t pid = child_as(f, comm, cg);

	snprintf(name, sizeof(name), "%s[%d]", comm, (int)pid);
	a = alert_of(f, "cpu", "app", name);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), why));
	assert_int_equal(json_object_array_length(a->actions), 0);
	assert_int_equal(ended_by(pid), 0);
}

static void kill_protected_refused(void **state)
{
	struct fixture *f = *state;
	struct alert *a;
	char name[64];

	use_sla(f, "  - { when: { slo: cpu }, do: kill }\n",
		"{ protected: [postgres, /db] }");
	assert_not_killed(f, "sshd", "/app", "sshd");
	assert_not_killed(f, "systemd-journald", "/app", "journald");
	assert_not_killed(f, "postgres", "/app", "defaults.protected");
	assert_not_killed(f, "sgbusy", "/db", "defaults.protected");
	/* in the daemon's own cgroup */
	assert_not_killed(f, "sgbusy", "/daemon", "slaguardd");
	/* PID 1 and the daemon itself */
	make_proc(f, 1, "sgbusy", "/app");
	a = alert_of(f, "cpu", "app", "sgbusy[1]");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_non_null(strstr(response(a, 0, "detail"), "PID 1"));
	snprintf(name, sizeof(name), "slaguardd[%d]", (int)getpid());
	a = alert_of(f, "cpu", "app", name);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "slaguardd itself"));
	/* a cgroup, not a process: nothing to kill */
	use_sla(f, "  - { when: { slo: grp-cpu }, do: kill }\n", NULL);
	a = alert_of(f, "grp-cpu", "grp", NULL);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_non_null(strstr(response(a, 0, "detail"), "no process to kill"));
	assert_int_equal(respond_refused(f->r, RESPOND_REFUSED_PROTECTED), 7);
}

#define RULE_CMS \
	"  - { when: { rule: no-web }, do: isolate-network, for: 1m }\n"

/*
 * A deny rule's alert acts on the cgroup of the local process that sent
 * the packet, not on the cgroups of the component it went to.
 */
static void rule_isolates_the_senders_cgroup(void **state)
{
	struct fixture *f = *state;
	const struct countermeasure *c;
	struct alert *a;

	use_sla(f, RULE_CMS, NULL);
	a = rule_alert_of(f, "/grp", 4242);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	c = respond_at(f->r, 0);
	assert_int_equal(c->action, SLA_ACT_ISOLATE_NETWORK);
	assert_string_equal(c->cgroup, "/grp");
	assert_string_equal(response(a, 0, "result"), c->id);
	assert_string_equal(f->fb.iso_cg[fake_isolated(&f->fb, c->id)], "/grp");
	respond_expire(f->r, f->now + 60000);
	assert_int_equal(respond_active(f->r), 0);
	assert_int_equal(f->fb.n_iso, 0);
}

/* Arriving or forwarded traffic, a cgroup gone, one holding sshd: refused. */
static void rule_without_cgroup_refused(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	use_sla(f, RULE_CMS, NULL);
	a = rule_alert_of(f, NULL, 0);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "no cgroup: no local process"));
	a = rule_alert_of(f, NULL, 99);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 0);
	assert_non_null(strstr(response(a, 0, "detail"), "no cgroup: the sending socket's cgroup is not found"));
	a = rule_alert_of(f, "relative", 99);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_non_null(strstr(response(a, 0, "detail"), "no cgroup:"));
	a = rule_alert_of(f, "/ssh", 77);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "protected: cgroup /ssh holds sshd[77]"));
	assert_int_equal(f->fb.n_iso, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(throttle_then_restore),
		T(again_extends_keeps_previous),
		T(freeze_and_memory),
		T(dry_run_changes_nothing),
		T(protected_refused),
		T(gone_process_refused),
		T(cap_refused),
		T(restart_adopts_or_undoes),
		T(state_round_trip),
		T(isolate_then_lifted),
		T(isolate_refused_or_dry),
		T(isolate_restart),
		T(kill_ordinary),
		T(kill_named_signal_and_dry_run),
		T(kill_protected_refused),
		T(rule_isolates_the_senders_cgroup),
		T(rule_without_cgroup_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
