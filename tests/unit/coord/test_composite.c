// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The composite SLA reader: what it builds, and that every mistake is
 * named with FILE:LINE:COL and the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sla.h"

#define FLEET \
	"composite: shop\n" \
	"fleet: { servers: [nats://127.0.0.1:4222], node: coord, site: lab, user: u, password: p }\n"

#define NODES \
	"nodes:\n" \
	"  - { name: hv1 }\n" \
	"  - { name: web1, host: hv1 }\n" \
	"  - { name: db1, site: other, host: hv1 }\n"

static struct sla_composite *load_ok(const char *yaml)
{
	struct sla_composite *c = NULL;
	char err[1024] = "";
	int ret = sla_composite_load_string(yaml, strlen(yaml), "shop.yaml", false, &c,
					    err, sizeof(err));

	if (ret)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(ret, 0);
	assert_non_null(c);
	return c;
}

/* Fails, and the message starts with "shop.yaml:LINE:" and holds WHAT. */
static void load_fails(const char *yaml, unsigned int line, const char *what)
{
	struct sla_composite *c = NULL;
	char err[1024] = "", prefix[64];
	int ret = sla_composite_load_string(yaml, strlen(yaml), "shop.yaml", false, &c,
					    err, sizeof(err));

	snprintf(prefix, sizeof(prefix), "shop.yaml:%u:", line);
	if (ret == 0 || strncmp(err, prefix, strlen(prefix)) || !strstr(err, what))
		print_error("expected %s...%s, got %d: %s\n", prefix, what, ret, err);
	assert_int_equal(ret, -22);
	assert_null(c);
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_non_null(strstr(err, what));
}

static void test_full(void **state)
{
	struct sla_composite *c = load_ok(FLEET
		"silence: 10s\n"
		"attack-window: 2m\n"
		NODES
		"slos:\n"
		"  - { id: shop-up, all-compliant: [web@web1, db@db1] }\n"
		"  - { id: budget, max-violated-for: 5m within 30d, of: [web@web1] }\n"
		"  - { id: budget2, max-violated-for: 1m, within: 1h, of: db@db1, severity: critical }\n"
		"  - { id: calm, max-nodes-under-attack: 2 }\n"
		"  - { id: calm-guests, max-nodes-under-attack: 0, of: [web1, db1] }\n");

	(void)state;
	assert_string_equal(c->name, "shop");
	assert_string_equal(c->fleet->node, "coord");
	assert_int_equal(c->silence_ms, 10000);
	assert_int_equal(c->attack_window_ms, 120000);
	assert_int_equal(c->n_nodes, 3);
	assert_int_equal(c->nodes[0].host, -1);
	assert_int_equal(c->nodes[1].host, 0);
	assert_string_equal(c->nodes[1].site, "lab");	/* the fleet's */
	assert_string_equal(c->nodes[2].site, "other");
	assert_int_equal(c->n_slos, 5);
	assert_int_equal(c->slos[0].kind, SLA_CSLO_ALL_COMPLIANT);
	assert_int_equal(c->slos[0].n_refs, 2);
	assert_string_equal(c->slos[0].refs[1].component, "db");
	assert_int_equal(c->slos[0].refs[1].node, 2);
	assert_int_equal(c->slos[1].kind, SLA_CSLO_MAX_VIOLATED_FOR);
	assert_int_equal(c->slos[1].max_violated_ms, 300000);
	assert_int_equal(c->slos[1].within_ms, 30ULL * 86400000);
	assert_int_equal(c->slos[2].max_violated_ms, 60000);
	assert_int_equal(c->slos[2].within_ms, 3600000);
	assert_int_equal(c->slos[2].n_refs, 1);
	assert_int_equal(c->slos[2].severity, SLA_SEV_CRITICAL);
	assert_int_equal(c->slos[3].kind, SLA_CSLO_MAX_UNDER_ATTACK);
	assert_int_equal(c->slos[3].max_nodes, 2);
	assert_int_equal(c->slos[3].n_attack_nodes, 3);	/* all of them */
	assert_int_equal(c->slos[4].n_attack_nodes, 2);
	assert_int_equal(c->slos[4].attack_nodes[1], 2);
	assert_int_equal(sla_composite_node(c, "other", "db1"), 2);
	assert_int_equal(sla_composite_node(c, "lab", "db1"), -1);
	sla_composite_free(c);
}

static void test_defaults(void **state)
{
	struct sla_composite *c = load_ok("composite: x\nnodes: [{ name: a }]\nslos: []\n");

	(void)state;
	assert_null(c->fleet);
	assert_int_equal(c->silence_ms, SLA_COMPOSITE_SILENCE_MS);
	assert_int_equal(c->attack_window_ms, SLA_COMPOSITE_ATTACK_MS);
	sla_composite_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	load_fails("", 1, "field 'composite'");
	load_fails("composite: x\nnodes: [{ name: a }]\nslos: []\nbogus: 1\n", 4, "bogus");
	load_fails("composite: x\nslos: []\n", 1, "field 'nodes'");
	load_fails("composite: x\nnodes: [{ name: A }]\nslos: []\n", 2, "field 'nodes[0].name'");
	load_fails("composite: x\nnodes:\n  - { name: a }\n  - { name: a }\nslos: []\n", 4,
		   "a node name used once");
	load_fails("composite: x\nnodes:\n  - { name: a, host: b }\nslos: []\n", 3,
		   "field 'nodes[0].host'");
	load_fails("composite: x\nnodes:\n  - { name: a, host: a }\nslos: []\n", 3,
		   "the node itself");
	load_fails(FLEET NODES "slos:\n  - { id: s, all-compliant: [web] }\n", 8,
		   "field 'slos[0].all-compliant[0]': expected COMPONENT@NODE");
	load_fails(FLEET NODES "slos:\n  - { id: s, all-compliant: [web@nope] }\n", 8,
		   "(no node nope)");
	load_fails(FLEET NODES "slos:\n  - { id: s }\n", 8, "none of them");
	load_fails(FLEET NODES "slos:\n  - { id: s, all-compliant: [web@web1],\n"
		   "      max-nodes-under-attack: 1 }\n", 9, "both all-compliant and max-nodes-under-attack");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-violated-for: 5 min, of: [web@web1] }\n", 8,
		   "field 'slos[0].max-violated-for'");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-violated-for: 1d within 1h, of: [web@web1] }\n",
		   8, "a budget shorter than its window");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-violated-for: 1m within 1h,\n"
		   "      within: 2h, of: [web@web1] }\n", 9, "the window given once");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-violated-for: 1m }\n", 8, "field 'slos[0].of'");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-nodes-under-attack: -1 }\n", 8,
		   "field 'slos[0].max-nodes-under-attack'");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-nodes-under-attack: 1, of: [x] }\n", 8,
		   "field 'slos[0].of[0]'");
	load_fails(FLEET NODES "slos:\n  - { id: s, max-nodes-under-attack: 1 }\n"
		   "  - { id: s, max-nodes-under-attack: 2 }\n", 9, "s a second time (first at line 8)");
	load_fails(FLEET NODES "slos:\n  - { id: s, all-compliant: [web@web1], within: 1h }\n", 8,
		   "within only with max-violated-for");
	load_fails("composite: x\nfleet: { servers: [http://x], node: c, site: l, user: u, password: p }\n"
		   "nodes: [{ name: a }]\nslos: []\n", 2, "field 'fleet.servers[0]'");
}

/* With check_slas, components are looked up in the nodes' SLA files. */
static void test_check_slas(void **state)
{
	char dir[] = "/tmp/coord-test-XXXXXX", path[128], err[1024];
	struct sla_composite *c = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/web.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("sla: web\ncomponents:\n  web: { addresses: [10.0.0.1] }\nslos:\n"
	      "  - { id: web-errors, metric: app.access_violations, component: web, max: 0,"
	      " window: 1m, severity: low }\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/broken.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("sla: broken\ncomponents: 7\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/shop.yaml", dir);
#define WRITE(text) do { f = fopen(path, "w"); assert_non_null(f); fputs(text, f); fclose(f); } while (0)
	WRITE("composite: s\nnodes: [{ name: a, sla: web.yaml }]\n"
	      "slos: [{ id: x, all-compliant: [web@a, web-errors@a] }]\n");
	assert_int_equal(sla_composite_load_file(path, true, &c, err, sizeof(err)), 0);
	sla_composite_free(c);
	WRITE("composite: s\nnodes: [{ name: a, sla: web.yaml }]\n"
	      "slos: [{ id: x, all-compliant: [web@a, db@a] }]\n");
	assert_int_equal(sla_composite_load_file(path, true, &c, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "shop.yaml:3:"));
	assert_non_null(strstr(err, "web.yaml has no component or SLO db"));
	/* Without the check, the same file loads. */
	assert_int_equal(sla_composite_load_file(path, false, &c, err, sizeof(err)), 0);
	sla_composite_free(c);
	WRITE("composite: s\nnodes:\n  - { name: a, sla: broken.yaml }\nslos: []\n");
	assert_int_equal(sla_composite_load_file(path, true, &c, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "shop.yaml:3:"));
	assert_non_null(strstr(err, "broken.yaml:2:"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/web.yaml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broken.yaml", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check_slas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
