// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reporters section (who may report application events for which
 * components, and name a source), defaults.app_group, and data rules about
 * actions other than read.
 */
#include <json-c/json.h>

#include "sla_test.h"

#define REPORTERS \
	SLA_BASE \
	"reporters:\n" \
	"  - { user: 1001, components: [web], source: true }\n" \
	"  - { group: 2002, components: [db] }\n" \
	"  - { user: root, components: any, source: true }\n" \
	"  - { group: '3003', components: [any] }\n" \
	"defaults: { app_group: 4242 }\n"

static void loads(void **state)
{
	struct sla *sla = load_ok(REPORTERS);
	const struct sla_reporter *r = sla->reporters;

	(void)state;
	assert_int_equal(sla->n_reporters, 4);
	assert_false(r[0].is_group);
	assert_int_equal(r[0].id, 1001);
	assert_int_equal(r[0].n_components, 1);
	assert_string_equal(r[0].components[0]->name, "web");
	assert_true(r[0].source);
	assert_true(r[1].is_group);
	assert_int_equal(r[1].id, 2002);
	assert_false(r[1].source);
	assert_int_equal(r[2].id, 0);		/* "root" resolved */
	assert_string_equal(r[2].name, "root");
	assert_true(r[2].any_component);
	assert_true(r[3].any_component);
	assert_int_equal(r[3].id, 3003);
	assert_true(sla->defaults.has_app_group);
	assert_int_equal(sla->defaults.app_group, 4242);
	sla_free(sla);
}

static void round_trip(void **state)
{
	struct sla *sla = load_ok(REPORTERS "rules:\n"
		"  - { id: w, deny: { user: bob, write: 'orders/*' }, severity: high }\n"
		"  - { id: l, deny: { role: x, login-failure: 'ssh' }, severity: low }\n"), *again;
	struct json_object *j = sla_to_json(sla), *j2;
	const char *text, *text2;

	(void)state;
	assert_non_null(j);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(text, "\"reporters\":[{\"user\":\"1001\",\"components\":[\"web\"],\"source\":true}"));
	assert_non_null(strstr(text, "\"app_group\":\"4242\""));
	assert_non_null(strstr(text, "\"write\":\"orders\\/*\""));
	assert_non_null(strstr(text, "\"login-failure\":\"ssh\""));
	again = load_ok(text);
	j2 = sla_to_json(again);
	text2 = json_object_to_json_string_ext(j2, JSON_C_TO_STRING_PLAIN);
	assert_string_equal(text, text2);
	json_object_put(j);
	json_object_put(j2);
	sla_free(sla);
	sla_free(again);
}

static int check(const struct sla *sla, uint32_t uid, uint32_t gid,
		 const char *component, bool source, char *reason)
{
	uint32_t gids[1] = { gid };

	reason[0] = '\0';
	return sla_reporter_check(sla, uid, gids, 1, component, source,
				  reason, 128);
}

static void no_section_only_root(void **state)
{
	struct sla *sla = load_ok(SLA_BASE);
	char why[128];

	(void)state;
	assert_int_equal(check(sla, 0, 0, "db", true, why), 0);
	assert_int_equal(check(sla, 0, 0, "nosuch", true, why), 0);
	assert_int_equal(check(sla, 1001, 0, "web", false, why), -EPERM);
	assert_string_equal(why, "uid 1001 may not report: the SLA names no "
			    "reporters, so only root may");
	sla_free(sla);
}

static void entries_grant(void **state)
{
	struct sla *sla = load_ok(SLA_BASE "reporters:\n"
		"  - { user: 1001, components: [web], source: true }\n"
		"  - { group: 2002, components: [db] }\n");
	char why[128];

	(void)state;
	assert_int_equal(check(sla, 1001, 1001, "web", true, why), 0);
	assert_int_equal(check(sla, 1001, 1001, "db", false, why), -EPERM);
	assert_string_equal(why, "uid 1001 may not report for component db");
	/* a group entry: any of the peer's groups */
	assert_int_equal(check(sla, 3000, 2002, "db", false, why), 0);
	assert_int_equal(check(sla, 3000, 2002, "db", true, why), -EPERM);
	assert_string_equal(why, "uid 3000 may not name a source for component db");
	assert_int_equal(check(sla, 3000, 2002, "web", false, why), -EPERM);
	/* grants add up: 1001 in group 2002 reports for both */
	assert_int_equal(check(sla, 1001, 2002, "db", false, why), 0);
	assert_int_equal(check(sla, 1001, 2002, "db", true, why), -EPERM);
	/* an unknown component is covered by no list */
	assert_int_equal(check(sla, 1001, 1001, "nosuch", false, why), -EPERM);
	/* root is not listed: everything */
	assert_int_equal(check(sla, 0, 0, "db", true, why), 0);
	sla_free(sla);
}

static void root_listed_is_limited(void **state)
{
	struct sla *sla = load_ok(SLA_BASE "reporters:\n"
		"  - { user: root, components: [web] }\n");
	char why[128];

	(void)state;
	assert_int_equal(check(sla, 0, 0, "web", false, why), 0);
	assert_int_equal(check(sla, 0, 0, "web", true, why), -EPERM);
	assert_string_equal(why, "uid 0 may not name a source for component web");
	assert_int_equal(check(sla, 0, 0, "db", false, why), -EPERM);
	sla_free(sla);
}

static void data_actions(void **state)
{
	struct sla *sla = load_ok(SLA_BASE "rules:\n"
		"  - { id: r, deny: { user: bob, read: 'cards/*' }, severity: high }\n"
		"  - { id: w, deny: { user: bob, write: 'orders/*' }, severity: high }\n"
		"  - { id: d, deny: { user: bob, delete: '*' }, severity: high }\n"
		"  - { id: l, deny: { user: root, login-failure: 'ssh' }, severity: high }\n"
		"  - { id: p, deny: { role: app, privilege-change: 'admin' }, severity: high }\n");
	const char *roles[] = { "app" };

	(void)state;
	assert_int_equal(sla_find_rule(sla, "w")->action, SLA_DATA_WRITE);
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_READ, "bob", NULL, 0,
					    "db", "cards/1"),
			 sla_find_rule(sla, "r"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, "bob", NULL, 0, "db",
				       "orders/1"));
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_WRITE, "bob", NULL, 0,
					    "db", "orders/1"),
			 sla_find_rule(sla, "w"));
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_DELETE, "bob", NULL, 0,
					    "db", "orders/1"),
			 sla_find_rule(sla, "d"));
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_LOGIN_FAILURE, "root",
					    NULL, 0, NULL, "ssh"),
			 sla_find_rule(sla, "l"));
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_PRIVILEGE_CHANGE, "x",
					    roles, 1, NULL, "admin"),
			 sla_find_rule(sla, "p"));
	sla_free(sla);
}

static void action_names(void **state)
{
	enum sla_data_action a;

	(void)state;
	assert_int_equal(sla_data_action_from_name("privilege-change", &a), 0);
	assert_int_equal(a, SLA_DATA_PRIVILEGE_CHANGE);
	assert_string_equal(sla_data_action_name(SLA_DATA_LOGIN_FAILURE),
			    "login-failure");
	assert_int_equal(sla_data_action_from_name("login-success", &a), 0);
	assert_int_equal(a, SLA_DATA_LOGIN_SUCCESS);
	assert_int_equal(sla_data_action_from_name("reads", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(no_section_only_root),
		cmocka_unit_test(entries_grant),
		cmocka_unit_test(root_listed_is_limited),
		cmocka_unit_test(data_actions),
		cmocka_unit_test(action_names),
	};

	return cmocka_run_group_tests_name("sla reporters", tests, NULL, NULL);
}
