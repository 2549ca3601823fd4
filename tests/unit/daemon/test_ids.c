// SPDX-License-Identifier: GPL-2.0-or-later
/* Alert and countermeasure ids never repeat across restarts (ids.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "helpers.h"
#include "ids.h"
#include "util.h"

static struct alert *raise_rule(struct engine *e, const char *rule, uint64_t now)
{
	struct finding f = { .kind = FINDING_RULE, .severity = SLA_SEV_HIGH };

	snprintf(f.ref, sizeof(f.ref), "%s", rule);
	snprintf(f.source, sizeof(f.source), "192.0.2.%llu", (unsigned long long)now % 250);
	return alerts_raise(e->alerts, &f, now);
}

static void start(struct engine *e, struct fake_backend *fb, const char *dir)
{
	struct engine_opts o = { .ops = &fake_ops, .ops_ctx = fb, .state_dir = dir,
				 .alerts = { .rate = 100, .burst = 100 } };

	assert_int_equal(engine_init(e, load_test_sla(), "test.yaml", &o), 0);
}

static void ids_go_on_after_a_restart(void **state)
{
	char dir[] = "/tmp/sgd-ids-XXXXXX", path[64];
	struct fake_backend fb = { 0 };
	struct engine e;
	uint64_t last = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	start(&e, &fb, dir);
	for (int i = 0; i < 3; i++) {
		struct alert *a = raise_rule(&e, "no-telnet", 1000 + (uint64_t)i * 10000);

		assert_non_null(a);
		last = a->num;
	}
	engine_tick(&e, 50000);
	engine_fini(&e);	/* a crash: nothing written at exit */

	start(&e, &fb, dir);
	assert_true(alerts_next_num(e.alerts) > last);
	assert_true(respond_next_num(e.resp) >= 1);
	engine_fini(&e);

	/* A broken file is said and ignored: ids start at 1 again. */
	snprintf(path, sizeof(path), "%s/ids", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	start(&e, &fb, dir);
	assert_int_equal(alerts_next_num(e.alerts), 1);
	engine_fini(&e);
	unlink(path);
	rmdir(dir);
}

static void reserve_is_rare_and_ahead(void **state)
{
	char dir[] = "/tmp/sgd-ids-XXXXXX";
	struct id_store s;
	uint64_t a, c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(id_store_open(&s, dir, &a, &c), 0);
	assert_int_equal(a, 1);
	assert_int_equal(id_store_reserve(&s, 1, 1), 0);
	assert_int_equal(s.alert, 1 + ID_RESERVE);
	/* Within half the reserve: nothing to write. */
	assert_int_equal(id_store_reserve(&s, ID_RESERVE / 2, 7), 0);
	assert_int_equal(s.alert, 1 + ID_RESERVE);
	assert_int_equal(id_store_reserve(&s, ID_RESERVE / 2 + 2, 7), 0);
	assert_int_equal(s.alert, ID_RESERVE / 2 + 2 + ID_RESERVE);
	assert_int_equal(id_store_open(&s, dir, &a, &c), 0);
	assert_int_equal(a, ID_RESERVE / 2 + 2 + ID_RESERVE);
	assert_int_equal(c, 1 + ID_RESERVE);
	unlink(s.path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_go_on_after_a_restart),
		cmocka_unit_test(reserve_is_rare_and_ahead),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
