// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run-hook for real: hooks start with a clean signal mask and default
 * dispositions (the daemon blocks SIGHUP/SIGINT/SIGTERM and ignores
 * SIGPIPE), a hook that cannot be executed is a failure, not "started",
 * exit statuses are recorded, and hooks are bounded in number and time.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <json-c/json.h>

#include "alert.h"
#include "helpers.h"
#include "respond.h"
#include "util.h"

struct fixture {
	char dir[64];
	char mask_hook[128], slow_hook[128], missing_hook[128], out[128];
	struct sla *sla;
	struct alerts *am;
	struct respond *r;
	struct fake_backend fb;
	struct respond_ops ops;
	uint64_t now;
};

static void write_script(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct alert_opts o = { .holdoff_ms = 1, .rate = 1000, .burst = 1000 };
	char yaml[2048], body[512];
	sigset_t set;

	snprintf(f->dir, sizeof(f->dir), "/tmp/sgd-hooks-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->mask_hook, sizeof(f->mask_hook), "%s/mask.sh", f->dir);
	snprintf(f->slow_hook, sizeof(f->slow_hook), "%s/slow.sh", f->dir);
	snprintf(f->missing_hook, sizeof(f->missing_hook), "%s/missing.sh", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	snprintf(body, sizeof(body),
		 "grep -E '^Sig(Blk|Ign):' /proc/self/status > %s.tmp\n"
		 "mv %s.tmp %s\nexit 3\n", f->out, f->out, f->out);
	write_script(f->mask_hook, body);
	write_script(f->slow_hook, "exec sleep 30\n");
	snprintf(yaml, sizeof(yaml),
		 "sla: hooks\n"
		 "components:\n  web: { addresses: [10.0.0.10], ports: [80] }\n"
		 "rules:\n"
		 "  - { id: mask, deny: { to: web, port: 23 }, severity: high }\n"
		 "  - { id: slow, deny: { to: web, port: 24 }, severity: high }\n"
		 "  - { id: missing, deny: { to: web, port: 25 }, severity: high }\n"
		 "countermeasures:\n"
		 "  - { when: { rule: mask }, do: run-hook, hook: %s }\n"
		 "  - { when: { rule: slow }, do: run-hook, hook: %s }\n"
		 "  - { when: { rule: missing }, do: run-hook, hook: %s }\n",
		 f->mask_hook, f->slow_hook, f->missing_hook);
	f->sla = load_sla_text(yaml);
	assert_int_equal(alerts_new(&f->am, &o), 0);
	f->ops = fake_ops;
	f->ops.run_hook = respond_nft_ops.run_hook;
	assert_int_equal(respond_new(&f->r, &f->ops, &f->fb), 0);
	f->now = 1000;
	/* What the daemon does to itself before it starts hooks. */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	respond_free(f->r);
	alerts_free(f->am);
	sla_free(f->sla);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct alert *alert_for(struct fixture *f, const char *rule)
{
	struct finding fd = { .kind = FINDING_RULE, .severity = SLA_SEV_HIGH };
	struct alert *a;

	snprintf(fd.ref, sizeof(fd.ref), "%s", rule);
	fd.rule = sla_find_rule(f->sla, rule);
	f->now += 10;
	a = alerts_raise(f->am, &fd, f->now);
	assert_non_null(a);
	return a;
}

static const char *result_of(const struct alert *a)
{
	struct json_object *arr, *v;

	if (!json_object_object_get_ex(a->evidence, "responses", &arr) ||
	    !json_object_object_get_ex(json_object_array_get_idx(arr, 0),
				       "result", &v))
		return "";
	return json_object_get_string(v);
}

/* Reap until COND holds or about 5 s have passed (real time: hooks run). */
#define WAIT_FOR(f, cond)						\
	do {								\
		for (int i_ = 0; i_ < 500 && !(cond); i_++) {		\
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL); \
			(f)->now += 10;					\
			respond_expire((f)->r, (f)->now);		\
		}							\
	} while (0)

static void clean_signals_and_exit_status(void **state)
{
	struct fixture *f = *state;
	const struct respond_hook_counters *hc = respond_hook_counters(f->r);
	struct alert *a = alert_for(f, "mask");
	char line[256];
	FILE *out;
	int lines = 0;

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(result_of(a), "started");
	WAIT_FOR(f, hc->exited_error == 1);
	assert_int_equal(hc->started, 1);
	assert_int_equal(hc->exited_error, 1);
	assert_int_equal(hc->exited_ok, 0);
	out = fopen(f->out, "r");
	assert_non_null(out);
	while (fgets(line, sizeof(line), out)) {
		unsigned long long mask;
		char *colon = strchr(line, ':');

		lines++;
		assert_non_null(colon);
		mask = strtoull(colon + 1, NULL, 16);
		/*
		 * No standard signal (1-31) blocked or ignored. glibc's
		 * posix_spawn leaves its own internal signals (32, 33)
		 * ignored; the new program's libc takes them over.
		 */
		if (mask & 0x7fffffffULL)
			fail_msg("hook started with %s", line);
	}
	fclose(out);
	assert_int_equal(lines, 2);
}

static void missing_hook_is_a_failure(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, "missing");

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(result_of(a), "failed");
	assert_int_equal(respond_hook_counters(f->r)->failed, 1);
	assert_int_equal(respond_hook_counters(f->r)->started, 0);
}

static void bounded_in_number_and_time(void **state)
{
	struct fixture *f = *state;
	const struct respond_hook_counters *hc = respond_hook_counters(f->r);
	struct alert *a;

	respond_set_hook_limits(f->r, 2, 200);
	for (int i = 0; i < 2; i++) {
		a = alert_for(f, "slow");
		respond_on_alert(f->r, f->sla, a, f->now);
		assert_string_equal(result_of(a), "started");
	}
	a = alert_for(f, "slow");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(result_of(a), "refused");
	assert_int_equal(hc->refused, 1);
	assert_int_equal(respond_hooks_running(f->r), 2);
	/* Past the timeout both are stopped and reaped. */
	WAIT_FOR(f, respond_hooks_running(f->r) == 0);
	assert_int_equal(respond_hooks_running(f->r), 0);
	assert_int_equal(hc->timed_out, 2);
	/* Room again. */
	a = alert_for(f, "mask");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_string_equal(result_of(a), "started");
	WAIT_FOR(f, respond_hooks_running(f->r) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(clean_signals_and_exit_status, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_hook_is_a_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(bounded_in_number_and_time, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
