// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What rules mean: a packet or an access that matches a deny rule and no
 * allow rule is a violation; countermeasures by severity apply from that
 * severity up.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "sla_test.h"

static struct sla *sla;

static int setup(void **state)
{
	(void)state;
	sla = load_ok(SLA_BASE "rules:\n"
		"  - { id: ssh-ok, allow: { from: [10.9.0.0/16], to: web, port: 22, proto: tcp } }\n"
		"  - { id: no-ssh, deny: { to: web, port: [22, 2200-2299], proto: tcp }, severity: high }\n"
		"  - { id: no-icmp, deny: { from: [db], to: web, proto: icmp }, severity: low }\n"
		"  - { id: no-app, deny: { to: app, port: 8080 }, severity: medium }\n"
		"  - { id: cards, deny: { role: support, read: 'cards/*', component: db }, severity: critical }\n"
		"  - { id: bob-ok, allow: { user: bob, read: 'cards/audit*' } }\n"
		"  - { id: bob-no, deny: { user: bob, read: 'cards/*' }, severity: high }\n"
		"slos:\n"
		"  - { id: s, metric: net.conn_rate, max: 1, severity: low }\n"
		"countermeasures:\n"
		"  - { when: { severity: high }, do: notify }\n"
		"  - { when: { slo: s }, do: notify }\n"
		"  - { when: { rule: no-ssh }, do: block-source }\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sla_free(sla);
	return 0;
}

static const struct sla_rule *net4(const char *src, const char *dst,
				   uint8_t proto, uint16_t port)
{
	uint8_t s[4], d[4];

	assert_int_equal(inet_pton(AF_INET, src, s), 1);
	assert_int_equal(inet_pton(AF_INET, dst, d), 1);
	return sla_net_violation(sla, AF_INET, s, d, proto, port);
}

static void net_deny_and_allow(void **state)
{
	const struct sla_rule *no_ssh = sla_find_rule(sla, "no-ssh");

	(void)state;
	assert_ptr_equal(net4("1.2.3.4", "10.0.0.1", IPPROTO_TCP, 22), no_ssh);
	assert_ptr_equal(net4("1.2.3.4", "10.0.0.1", IPPROTO_TCP, 2250), no_ssh);
	/* the allow covers the admin network, wherever it is in the list */
	assert_null(net4("10.9.3.4", "10.0.0.1", IPPROTO_TCP, 22));
	/* but only what it says: another port is still denied */
	assert_ptr_equal(net4("10.9.3.4", "10.0.0.1", IPPROTO_TCP, 2222), no_ssh);
	assert_null(net4("1.2.3.4", "10.0.0.1", IPPROTO_UDP, 22));
	assert_null(net4("1.2.3.4", "10.0.0.1", IPPROTO_TCP, 80));
	assert_null(net4("1.2.3.4", "10.0.0.2", IPPROTO_TCP, 22));
}

static void net_icmp_and_components(void **state)
{
	uint8_t s6[16], d6[16];

	(void)state;
	assert_ptr_equal(net4("10.0.1.1", "10.0.0.1", IPPROTO_ICMP, 0),
			 sla_find_rule(sla, "no-icmp"));
	assert_null(net4("10.0.1.2", "10.0.0.1", IPPROTO_ICMP, 0));
	/* app has no addresses: its port is denied at any address */
	assert_ptr_equal(net4("1.2.3.4", "172.16.0.9", IPPROTO_UDP, 8080),
			 sla_find_rule(sla, "no-app"));
	assert_null(net4("1.2.3.4", "172.16.0.9", IPPROTO_ICMP, 8080));
	inet_pton(AF_INET6, "2001:db8:99::1", s6);
	inet_pton(AF_INET6, "2001:db8::1", d6);
	assert_ptr_equal(sla_net_violation(sla, AF_INET6, s6, d6, IPPROTO_TCP, 22),
			 sla_find_rule(sla, "no-ssh"));
	/* a data rule never matches a packet */
	assert_false(sla_net_rule_matches(sla_find_rule(sla, "cards"), AF_INET6,
					  s6, d6, IPPROTO_TCP, 22));
}

static void data_rules(void **state)
{
	const char *support[] = { "staff", "support" };
	const char *staff[] = { "staff" };

	(void)state;
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_READ, "ann", support, 2, "db",
					    "cards/visa/1234"),
			 sla_find_rule(sla, "cards"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, "ann", support, 2, "web",
				       "cards/visa/1234"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, "ann", staff, 1, "db",
				       "cards/visa/1234"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, "ann", support, 2, "db", "orders/1"));
	assert_ptr_equal(sla_data_violation(sla, SLA_DATA_READ, "bob", NULL, 0, NULL, "cards/x"),
			 sla_find_rule(sla, "bob-no"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, "bob", NULL, 0, NULL,
				       "cards/audit-2024"));
	assert_null(sla_data_violation(sla, SLA_DATA_READ, NULL, NULL, 0, NULL, "cards/x"));
}

static void countermeasures(void **state)
{
	const struct sla_countermeasure *cm = sla->countermeasures;
	const struct sla_rule *no_ssh = sla_find_rule(sla, "no-ssh");

	(void)state;
	assert_false(sla_countermeasure_applies(&cm[0], SLA_SEV_MEDIUM, NULL, NULL));
	assert_true(sla_countermeasure_applies(&cm[0], SLA_SEV_HIGH, NULL, NULL));
	assert_true(sla_countermeasure_applies(&cm[0], SLA_SEV_CRITICAL, NULL, NULL));
	assert_true(sla_countermeasure_applies(&cm[1], SLA_SEV_LOW, &sla->slos[0], NULL));
	assert_false(sla_countermeasure_applies(&cm[1], SLA_SEV_LOW, NULL, no_ssh));
	assert_true(sla_countermeasure_applies(&cm[2], SLA_SEV_LOW, NULL, no_ssh));
	assert_false(sla_countermeasure_applies(&cm[2], SLA_SEV_CRITICAL, NULL,
						sla_find_rule(sla, "cards")));
}

/* Payload rules: valid forms, matching, no watches, and a dump that reloads. */
static void payload_rules(void **state)
{
	struct sla *p = load_ok(SLA_BASE "rules:\n"
		"  - { id: web-ok, allow: { from: [10.9.0.0/16], to: web, port: 80 } }\n"
		"  - { id: no-sqli, deny: { to: db, port: 5432, proto: tcp, payload: 'DROP TABLE' }, severity: critical }\n"
		"  - { id: no-probe, deny: { from: [10.9.0.0/16], to: web, payload: \"GET /admin\" }, severity: high }\n");
	const struct sla_rule *sqli = sla_find_rule(p, "no-sqli");
	const struct sla_rule *probe = sla_find_rule(p, "no-probe");
	struct sla_module_config cfg;
	uint8_t s[4], db[4], web[4];
	const char q[] = "select 1; drop\0 table x; Drop Table users;";
	struct json_object *dump;
	struct sla *again;
	char err[512];

	(void)state;
	inet_pton(AF_INET, "10.9.1.1", s);
	inet_pton(AF_INET, "10.0.1.1", db);
	inet_pton(AF_INET, "10.0.0.1", web);
	assert_string_equal(sqli->payload, "drop table");
	assert_true(sla_has_payload_rules(p));
	assert_false(sla_has_payload_rules(sla));
	/* case-insensitive, past a NUL in the payload */
	assert_ptr_equal(sla_payload_violation(p, AF_INET, s, db, IPPROTO_TCP, 5432,
					       q, sizeof(q) - 1), sqli);
	assert_null(sla_payload_violation(p, AF_INET, s, db, IPPROTO_TCP, 5432,
					  q, 20));
	assert_null(sla_payload_violation(p, AF_INET, s, db, IPPROTO_UDP, 5432,
					  q, sizeof(q) - 1));
	assert_null(sla_payload_violation(p, AF_INET, s, db, IPPROTO_TCP, 5433,
					  q, sizeof(q) - 1));
	assert_null(sla_payload_violation(p, AF_INET, s, db, IPPROTO_TCP, 5432,
					  "", 0));
	/* the allow on port 80 does not lift a payload rule */
	assert_ptr_equal(sla_payload_violation(p, AF_INET, s, web, IPPROTO_TCP, 80,
					       "get /ADMIN HTTP/1.0", 19), probe);
	/* reaching the port is no violation, and installs no watch */
	assert_null(sla_net_violation(p, AF_INET, s, db, IPPROTO_TCP, 5432));
	assert_int_equal(sla_to_module_config(p, &cfg), 0);
	assert_int_equal(cfg.n_watches, 0);

	dump = sla_to_json(p);
	assert_non_null(dump);
	{
		const char *text = json_object_to_json_string(dump);

		assert_int_equal(sla_load_string(text, strlen(text), NULL, &again,
						 err, sizeof(err)), 0);
	}
	assert_string_equal(sla_find_rule(again, "no-sqli")->payload, "drop table");
	sla_free(again);
	json_object_put(dump);
	sla_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(net_deny_and_allow),
		cmocka_unit_test(net_icmp_and_components),
		cmocka_unit_test(data_rules),
		cmocka_unit_test(countermeasures),
		cmocka_unit_test(payload_rules),
	};

	return cmocka_run_group_tests_name("sla match", tests, setup, teardown);
}
