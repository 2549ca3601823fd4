// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Composite SLO evaluation: compliant, violated and unknown from what the
 * nodes said and when, with evidence naming node and SLO, the budget of
 * max-violated-for, nodes under attack, a silent guest explained by its
 * hypervisor; the fleet page's JSON (GET /api/state) and its server.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "coord.h"
#include "page.h"
#include "web.h"

static const char shop[] =
	"composite: shop\n"
	"silence: 10s\n"
	"attack-window: 1m\n"
	"nodes:\n"
	"  - { name: hv }\n"
	"  - { name: web1, host: hv }\n"
	"  - { name: db1, host: hv }\n"
	"slos:\n"
	"  - { id: up, all-compliant: [web@web1, db@db1] }\n"
	"  - { id: budget, max-violated-for: 5s within 1h, of: [web@web1, db@db1] }\n"
	"  - { id: calm, max-nodes-under-attack: 1 }\n";

enum { UP, BUDGET, CALM };
enum { HV, WEB, DB };

struct fix {
	struct sla_composite *comp;
	struct coord co;
	size_t changes[3];
	enum coord_state was[3];
};

#define T0 1000000000ULL

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char err[512];

	assert_non_null(f);
	assert_int_equal(sla_composite_load_string(shop, strlen(shop), "shop", false,
						   &f->comp, err, sizeof(err)), 0);
	assert_int_equal(coord_init(&f->co, f->comp), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	coord_fini(&f->co);
	sla_composite_free(f->comp);
	free(f);
	return 0;
}

static void changed(void *arg, const struct coord *co, size_t slo, enum coord_state was)
{
	struct fix *f = arg;

	(void)co;
	f->changes[slo]++;
	f->was[slo] = was;
}

static void eval(struct fix *f, uint64_t now)
{
	coord_evaluate(&f->co, now, changed, f);
}

static const char *ev(struct fix *f, size_t slo)
{
	return f->co.slos[slo].evidence;
}

static void all_well(struct fix *f, uint64_t t)
{
	coord_heard(&f->co, HV, t);
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_COMPLIANT, "", t);
	coord_node_slo(&f->co, DB, "db-access", "db", COORD_COMPLIANT, "", t);
}

static void test_unknown_until_heard(void **state)
{
	struct fix *f = *state;

	eval(f, T0);
	assert_int_equal(f->co.slos[UP].state, COORD_UNKNOWN);
	assert_non_null(strstr(ev(f, UP), "web@web1 unknown: node web1 never heard from"));
	assert_int_equal(f->changes[UP], 1);	/* the first evaluation counts */
	/* Heard, but no SLO of the component yet. */
	coord_heard(&f->co, WEB, T0);
	coord_heard(&f->co, DB, T0);
	eval(f, T0 + 1);
	assert_int_equal(f->co.slos[UP].state, COORD_UNKNOWN);
	assert_non_null(strstr(ev(f, UP), "node web1 has reported no SLO of web"));
	assert_int_equal(f->changes[UP], 1);	/* no change */
}

static void test_all_compliant(void **state)
{
	struct fix *f = *state;

	all_well(f, T0);
	eval(f, T0);
	assert_int_equal(f->co.slos[UP].state, COORD_COMPLIANT);
	assert_string_equal(ev(f, UP), "web@web1, db@db1 compliant");
	/* db violated: up violated, evidence names node and SLO. */
	coord_node_slo(&f->co, DB, "db-access", "db", COORD_VIOLATED, "3 out of bounds", T0 + 1000);
	eval(f, T0 + 1000);
	assert_int_equal(f->co.slos[UP].state, COORD_VIOLATED);
	assert_int_equal(f->was[UP], COORD_COMPLIANT);
	assert_string_equal(ev(f, UP), "db@db1: node db1's SLO db-access violated - 3 out of bounds");
	/* A violated one outweighs an unknown one. */
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_UNKNOWN, "no events", T0 + 1500);
	eval(f, T0 + 2000);
	assert_int_equal(f->co.slos[UP].state, COORD_VIOLATED);
	assert_null(strstr(ev(f, UP), "web1"));
	coord_node_slo(&f->co, DB, "db-access", "db", COORD_COMPLIANT, "", T0 + 3000);
	eval(f, T0 + 3000);
	assert_int_equal(f->co.slos[UP].state, COORD_UNKNOWN);
	assert_non_null(strstr(ev(f, UP), "web@web1: node web1's SLO web-errors unknown - no events"));
	/* An older message than what the node said since changes nothing. */
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_COMPLIANT, "", T0 + 1000);
	eval(f, T0 + 3500);
	assert_int_equal(f->co.slos[UP].state, COORD_UNKNOWN);
	/* An SLO id works as well as a component name. */
	coord_node_slo(&f->co, WEB, "web", NULL, COORD_COMPLIANT, "", T0 + 3600);
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_COMPLIANT, "", T0 + 3600);
	eval(f, T0 + 3600);
	assert_int_equal(f->co.slos[UP].state, COORD_COMPLIANT);
}

static void test_silent(void **state)
{
	struct fix *f = *state;

	all_well(f, T0);
	eval(f, T0 + 10000);		/* exactly the deadline: still heard */
	assert_int_equal(f->co.slos[UP].state, COORD_COMPLIANT);
	coord_heard(&f->co, DB, T0 + 5000);
	coord_heard(&f->co, HV, T0 + 5000);
	eval(f, T0 + 12000);
	assert_int_equal(f->co.slos[UP].state, COORD_UNKNOWN);
	assert_true(coord_silent(&f->co, WEB, T0 + 12000));
	assert_false(coord_silent(&f->co, DB, T0 + 12000));
	assert_string_equal(ev(f, UP), "web@web1 unknown: node web1 silent for 12s "
			    "(its host hv is heard and not under attack)");
	/* The hypervisor under attack explains it. */
	coord_attack(&f->co, HV, "decision block-source 192.0.2.1 for alert A1 no-cards",
		     T0 + 12500);
	eval(f, T0 + 13000);
	assert_string_equal(ev(f, UP), "web@web1 unknown: node web1 silent for 13s while its "
			    "host hv is under attack (decision block-source 192.0.2.1 for alert A1 no-cards)");
	/* Past the attack window, and the hypervisor silent as well. */
	eval(f, T0 + 12500 + 60001);
	assert_non_null(strstr(ev(f, UP), "and its host hv is silent too"));
	/* Heard again: compliant. */
	all_well(f, T0 + 80000);
	eval(f, T0 + 80000);
	assert_int_equal(f->co.slos[UP].state, COORD_COMPLIANT);
}

static void test_budget(void **state)
{
	struct fix *f = *state;
	uint64_t t = T0;

	all_well(f, t);
	eval(f, t);
	assert_int_equal(f->co.slos[BUDGET].state, COORD_COMPLIANT);
	/* Violated 3 s, compliant, violated 3 s more: 6 s > 5 s. */
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_VIOLATED, "", t + 1000);
	for (t = T0 + 1000; t <= T0 + 4000; t += 500) {
		coord_heard(&f->co, HV, t);
		coord_heard(&f->co, DB, t);
		coord_heard(&f->co, WEB, t);
		eval(f, t);
	}
	assert_int_equal(f->co.slos[BUDGET].state, COORD_COMPLIANT);
	assert_int_equal(f->co.slos[BUDGET].violated_ms, 3000);
	assert_non_null(strstr(ev(f, BUDGET), "violated for 3s within 1h (at most 5s); now web@web1"));
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_COMPLIANT, "", t);
	eval(f, t);
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_VIOLATED, "", t + 10000);
	coord_heard(&f->co, DB, t + 10000);
	eval(f, t + 10000);
	eval(f, t + 11000);
	/* 3500 ms before (until it said compliant) + 1000 ms now. */
	assert_int_equal(f->co.slos[BUDGET].violated_ms, 4500);
	assert_int_equal(f->co.slos[BUDGET].state, COORD_COMPLIANT);
	coord_heard(&f->co, DB, t + 12600);
	coord_heard(&f->co, WEB, t + 12600);
	eval(f, t + 12600);
	/* 3500 ms + 2600 ms. */
	assert_int_equal(f->co.slos[BUDGET].state, COORD_VIOLATED);
	assert_non_null(strstr(ev(f, BUDGET), "violated for 6s within 1h (at most 5s); web@web1"));
	/* An hour later the old violations have left the window. */
	coord_node_slo(&f->co, WEB, "web-errors", "web", COORD_COMPLIANT, "", t + 13000);
	eval(f, t + 13000);
	all_well(f, t + 3600000 + 14000);
	eval(f, t + 3600000 + 14000);
	assert_int_equal(f->co.slos[BUDGET].violated_ms, 0);
	assert_int_equal(f->co.slos[BUDGET].state, COORD_COMPLIANT);
}

static void test_attack(void **state)
{
	struct fix *f = *state;

	all_well(f, T0);
	eval(f, T0);
	assert_int_equal(f->co.slos[CALM].state, COORD_COMPLIANT);
	assert_string_equal(ev(f, CALM), "0 nodes under attack (at most 1)");
	coord_attack(&f->co, WEB, "alert A1 scan (high)", T0 + 100);
	eval(f, T0 + 200);
	assert_int_equal(f->co.slos[CALM].state, COORD_COMPLIANT);
	assert_string_equal(ev(f, CALM), "1 node under attack (at most 1): web1: alert A1 scan (high)");
	coord_attack(&f->co, DB, "decision block-source 192.0.2.7 for alert A2 x", T0 + 300);
	eval(f, T0 + 300);
	assert_int_equal(f->co.slos[CALM].state, COORD_VIOLATED);
	assert_string_equal(ev(f, CALM), "2 nodes under attack (at most 1): web1: alert A1 scan (high); "
			    "db1: decision block-source 192.0.2.7 for alert A2 x");
	/* One attack over, the hypervisor silent: might be 2, unknown. */
	coord_heard(&f->co, DB, T0 + 62000);
	coord_heard(&f->co, WEB, T0 + 62000);
	eval(f, T0 + 60250);
	assert_int_equal(f->co.slos[CALM].state, COORD_UNKNOWN);
	assert_non_null(strstr(ev(f, CALM), "silent, so not known: hv"));
}

static void test_json(void **state)
{
	struct fix *f = *state;
	struct json_object *o, *v, *n;

	all_well(f, T0);
	coord_status(&f->co, WEB, 7, "web-v2", "slaguard-sla/web1@8:3:5: field ...", T0);
	coord_alert(&f->co, DB, "A1", "no-cards", "critical", "read cards", T0);
	eval(f, T0);
	o = coord_state_json(&f->co, T0);
	assert_true(json_object_object_get_ex(o, "nodes", &v));
	n = json_object_array_get_idx(v, WEB);
	assert_true(json_object_object_get_ex(n, "host", &v));
	assert_string_equal(json_object_get_string(v), "hv");
	assert_true(json_object_object_get_ex(n, "sla", &v));
	assert_true(json_object_object_get_ex(v, "revision", &v));
	assert_int_equal(json_object_get_int64(v), 7);
	assert_true(json_object_object_get_ex(o, "alerts", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_true(json_object_object_get_ex(o, "slos", &v));
	assert_int_equal(json_object_array_length(v), 3);
	json_object_put(o);
	/* The alerts kept are bounded, oldest dropped. */
	for (int i = 0; i < COORD_ALERTS_KEPT + 5; i++)
		coord_alert(&f->co, DB, "A", "r", "low", "", T0 + (uint64_t)i);
	o = coord_state_json(&f->co, T0);
	assert_true(json_object_object_get_ex(o, "alerts", &v));
	assert_int_equal(json_object_array_length(v), COORD_ALERTS_KEPT);
	json_object_put(o);
}

/* A restarted coordinator takes back what the nodes said from its state. */
static void test_restore(void **state)
{
	struct fix *f = *state;
	struct coord again;
	struct json_object *o, *bad = json_object_new_object();

	all_well(f, T0);
	coord_node_slo(&f->co, DB, "db-access", "db", COORD_VIOLATED, "3 out of bounds", T0 + 1000);
	coord_attack(&f->co, HV, "alert A1 scan (high)", T0 + 1000);
	eval(f, T0 + 2000);
	assert_int_equal(f->co.slos[UP].state, COORD_VIOLATED);
	o = coord_state_json(&f->co, T0 + 2000);
	assert_int_equal(coord_init(&again, f->comp), 0);
	assert_int_equal(coord_restore(&again, bad), -EINVAL);
	assert_int_equal(coord_restore(&again, o), 3);
	coord_evaluate(&again, T0 + 2000, NULL, NULL);
	assert_int_equal(again.slos[UP].state, COORD_VIOLATED);
	assert_string_equal(again.slos[UP].evidence, f->co.slos[UP].evidence);
	assert_int_equal(again.slos[CALM].state, COORD_COMPLIANT);
	assert_string_equal(again.slos[CALM].evidence, f->co.slos[CALM].evidence);
	/* Times are restored too: silent when they say so. */
	coord_evaluate(&again, T0 + 30000, NULL, NULL);
	assert_int_equal(again.slos[UP].state, COORD_UNKNOWN);
	coord_fini(&again);
	json_object_put(o);
	json_object_put(bad);
}

/* The fleet page's /api/state: a violated composite SLO and a silent node. */
static void page_fix(struct fix *f)
{
	all_well(f, T0);
	coord_status(&f->co, HV, 3, "hv-sla", "", T0);
	coord_heard(&f->co, HV, T0 + 5000);
	coord_node_slo(&f->co, DB, "db-access", "db", COORD_VIOLATED, "3 out of bounds", T0 + 5000);
	coord_alert(&f->co, DB, "A9", "db-access", "high", "<b>read</b> cards", T0 + 5000);
	eval(f, T0 + 12000);
}

static struct json_object *idx(struct json_object *o, const char *key, size_t i)
{
	struct json_object *a;

	assert_true(json_object_object_get_ex(o, key, &a));
	assert_true(i < json_object_array_length(a));
	return json_object_array_get_idx(a, i);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static void test_page_state(void **state)
{
	struct fix *f = *state;
	struct json_object *o, *n;
	char *s;

	page_fix(f);
	s = coord_page_state(&f->co, T0 + 12000);
	assert_non_null(s);
	o = json_tokener_parse(s);
	assert_non_null(o);
	assert_string_equal(str(o, "composite"), "shop");
	assert_string_equal(str(idx(o, "slos", UP), "id"), "up");
	assert_string_equal(str(idx(o, "slos", UP), "state"), "violated");
	assert_non_null(strstr(str(idx(o, "slos", UP), "evidence"), "node db1's SLO db-access violated"));
	assert_string_equal(str(idx(o, "slos", CALM), "state"), "compliant");
	n = idx(o, "nodes", WEB);
	assert_string_equal(str(n, "name"), "web1");
	assert_string_equal(str(n, "host"), "hv");
	assert_string_equal(str(n, "silent"), "true");
	assert_string_equal(str(n, "heard_ms"), "1000000000");
	n = idx(o, "nodes", HV);
	assert_string_equal(str(n, "silent"), "false");
	assert_string_equal(str(n, "under_attack"), "false");
	assert_string_equal(str(n, "heard_ms"), "1000005000");
	assert_true(json_object_object_get_ex(n, "sla", &n));
	assert_string_equal(str(n, "revision"), "3");
	assert_string_equal(str(idx(o, "alerts", 0), "node"), "db1");
	assert_string_equal(str(idx(o, "alerts", 0), "summary"), "<b>read</b> cards");
	json_object_put(o);
	free(s);
}

static void test_page_route(void **state)
{
	static const struct {
		const char *url;
		enum coord_page_route want;
	} cases[] = {
		{ "/dashboard", CPAGE_PAGE }, { "/dashboard?token=x", CPAGE_PAGE },
		{ "/fleet.js", CPAGE_SCRIPT }, { "/web.js", CPAGE_WEB_SCRIPT },
		{ "/web.css", CPAGE_STYLE }, { "/api/state", CPAGE_API_STATE },
		{ "/api/state/x", CPAGE_NONE }, { "/api/status", CPAGE_NONE },
		{ "/", CPAGE_NONE }, { NULL, CPAGE_NONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(coord_page_route(cases[i].url), cases[i].want);
}

/* REQUEST to the server on FD's address; the answer into BUF. */
static void http(int lfd, const char *request, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t got = 0;
	ssize_t n;
	int fd;

	assert_int_equal(getsockname(lfd, (struct sockaddr *)&ss, &sl), 0);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

static void test_page_served(void **state)
{
	struct fix *f = *state;
	struct sockaddr_storage ss;
	struct coord_page *p;
	static char buf[1 << 16];
	char err[256];
	socklen_t sl;
	int fd;

	page_fix(f);
	assert_int_equal(web_parse_listen("127.0.0.1:0", "", &ss, &sl, err, sizeof(err)), 0);
	fd = web_listen(&ss, sl);
	assert_true(fd >= 0);
	assert_int_equal(coord_page_open(&p, fd, NULL, false), 0);
	http(fd, "GET /api/state HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 503 "));		/* nothing rendered yet */
	coord_page_update(p, &f->co, T0 + 12000);
	http(fd, "GET /api/state HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	assert_non_null(strstr(buf, "\"state\":\"violated\""));
	assert_non_null(strstr(buf, "Content-Security-Policy: default-src 'none'"));
	/* Another Host: a DNS rebinding page gets nothing. */
	http(fd, "GET /api/state HTTP/1.0\r\nHost: attacker.example\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 403 "));
	assert_null(strstr(buf, "violated"));
	http(fd, "POST /api/state HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 405 "));
	http(fd, "GET /dashboard HTTP/1.0\r\nHost: localhost\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "<script src=\"/fleet.js\" defer></script>"));
	coord_page_close(p);
	/* With a token: nothing without it, the state with it. */
	fd = web_listen(&ss, sl);
	assert_true(fd >= 0);
	assert_int_equal(coord_page_open(&p, fd, "0123456789abcdef0123", true), 0);
	coord_page_update(p, &f->co, T0 + 12000);
	http(fd, "GET /api/state HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, " 401 "));
	http(fd, "GET /api/state HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer 0123456789abcdef0123\r\n\r\n",
	     buf, sizeof(buf));
	assert_non_null(strstr(buf, " 200 "));
	http(fd, "GET /dashboard?token=0123456789abcdef0123 HTTP/1.0\r\nHost: x\r\n\r\n",
	     buf, sizeof(buf));
	assert_non_null(strstr(buf, " 303 "));
	assert_non_null(strstr(buf, "slaguard_token=0123456789abcdef0123; Path=/; HttpOnly; SameSite=Strict"));
	coord_page_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_until_heard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_compliant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_served, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
