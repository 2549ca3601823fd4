// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every way an SLA file can be rejected, one small broken file each. Each
 * case states the exact line and field path the message must name, and a
 * fragment of what it must say was expected or found, because a message
 * that points at the wrong place is a bug users pay for.
 */
#include "sla_test.h"

struct error_case {
	const char *name;
	const char *yaml;
	unsigned int line;
	const char *path;	/* NULL: YAML-level error, no field */
	const char *fragment;
};

/* Rules and an SLO for countermeasures to refer to; items from line 12. */
#define SLA_REFS SLA_BASE \
	"rules:\n" \
	"  - { id: r1, deny: { to: web, port: 23 }, severity: high }\n" \
	"  - { id: a1, allow: { to: web, port: 22 } }\n" \
	"slos:\n" \
	"  - { id: s1, metric: net.conn_rate, max: 10, severity: low }\n" \
	"countermeasures:\n"

#define RULE(body) SLA_BASE "rules:\n  - " body "\n"
#define SLO(body) SLA_BASE "slos:\n  - " body "\n"
#define CM(body) SLA_REFS "  - " body "\n"
#define DEFAULTS(body) SLA_BASE "defaults:\n" body
#define REPORTER(body) SLA_BASE "reporters:\n  - " body "\n"
#define FLEET(body) SLA_BASE "fleet:\n" body

static const struct error_case cases[] = {
	/* YAML itself */
	{ "yaml_unclosed_flow", "sla: t\ncomponents: { web: [1, 2\n", 3, NULL,
	  "YAML syntax error: did not find expected ',' or ']'" },
	{ "yaml_bad_indent", "sla: t\ncomponents:\n  web: {}\n bad: 1\n", 4,
	  NULL, "YAML syntax error" },
	{ "yaml_mapping_in_scalar", "sla: t\ndescription: a: b\n", 2, NULL,
	  "mapping values are not allowed" },
	{ "yaml_two_documents", "sla: t\n---\nsla: u\n", 2, NULL,
	  "expected one YAML document, got a second one" },
	{ "yaml_bad_second_document", "sla: t\n---\n[\n", 4, NULL,
	  "YAML syntax error" },
	{ "yaml_undefined_alias", "sla: *name\n", 1, NULL,
	  "found undefined alias" },
	{ "empty_document", "", 1, "sla", "got an empty document" },
	{ "comment_only_document", "# nothing\n", 1, "sla",
	  "got an empty document" },
	{ "root_not_mapping", "- sla: t\n", 1, "(document)",
	  "expected a mapping with the keys sla" },
	{ "root_scalar", "webshop\n", 1, "(document)", "got 'webshop'" },

	/* top level */
	{ "unknown_top_key", "sla: t\nslo:\n  - {}\n", 2, "slo",
	  "expected one of sla, description, components, rules, slos, "
	  "countermeasures, allowlist, defaults, reporters, fleet, got unknown key 'slo'" },
	{ "duplicate_top_key", "sla: t\nrules: []\nsla: u\n", 3, "sla",
	  "expected each key once, got 'sla' again (first at line 1)" },
	{ "non_scalar_key", "sla: t\n? [a, b]\n: c\n", 2, "(document)",
	  "expected a key name, got a sequence" },
	{ "missing_sla", "components: {}\n", 1, "sla",
	  "expected a name of letters, digits, '_', '.' and '-' starting "
	  "with a letter, got nothing" },
	{ "sla_null", "sla:\n", 1, "sla", "got null" },
	{ "sla_bad_name", "sla: 1shop\n", 1, "sla", "got '1shop'" },
	{ "sla_name_with_space", "sla: web shop\n", 1, "sla",
	  "got 'web shop'" },
	{ "sla_name_too_long",
	  "sla: a234567890123456789012345678901234567890123456789012345678901234\n",
	  1, "sla", "..." },
	{ "description_mapping", "sla: t\ndescription: { a: b }\n", 2,
	  "description", "expected a string, got a mapping" },

	/* components */
	{ "components_list", "sla: t\ncomponents: [web]\n", 2, "components",
	  "expected a mapping of component names to components, got a "
	  "sequence" },
	{ "component_bad_name", "sla: t\ncomponents:\n  9web: { processes: [a] }\n",
	  3, "components.9web", "got '9web'" },
	{ "component_named_any", "sla: t\ncomponents:\n  any: { processes: [a] }\n",
	  3, "components.any", "a component name other than 'any'" },
	{ "component_duplicate",
	  "sla: t\ncomponents:\n  web: { processes: [a] }\n"
	  "  web: { processes: [b] }\n", 4, "components.web",
	  "expected each component once, got 'web' again (first at line 3)" },
	{ "component_not_mapping", "sla: t\ncomponents:\n  web: 10.0.0.1\n",
	  3, "components.web",
	  "expected a mapping with addresses, ports, processes or cgroups, "
	  "got '10.0.0.1'" },
	{ "component_null", "sla: t\ncomponents:\n  web:\n", 3,
	  "components.web", "got null" },
	{ "component_unknown_key",
	  "sla: t\ncomponents:\n  web:\n    adresses: [10.0.0.1]\n", 4,
	  "components.web.adresses", "got unknown key 'adresses'" },
	{ "component_duplicate_key",
	  "sla: t\ncomponents:\n  web:\n    ports: [80]\n    ports: [81]\n",
	  5, "components.web.ports", "got 'ports' again (first at line 4)" },
	{ "component_identifies_nothing",
	  "sla: t\ncomponents:\n  web:\n    ports: [80]\n", 4,
	  "components.web",
	  "expected at least one of addresses, processes or cgroups, got none" },
	{ "address_invalid",
	  "sla: t\ncomponents:\n  web:\n    addresses: [10.0.0.1, 10.0.0.256]\n",
	  4, "components.web.addresses[1]",
	  "expected an IPv4 or IPv6 address or prefix, got '10.0.0.256'" },
	{ "address_host_bits",
	  "sla: t\ncomponents:\n  web:\n    addresses:\n      - 10.0.0.1/24\n",
	  5, "components.web.addresses[0]",
	  "expected a prefix without host bits set (10.0.0.0/24), got "
	  "'10.0.0.1/24'" },
	{ "address_v6_host_bits",
	  "sla: t\ncomponents:\n  web:\n    addresses:\n      - 2001:db8::1/64\n",
	  5, "components.web.addresses[0]",
	  "without host bits set (2001:db8::/64)" },
	{ "address_prefix_too_long",
	  "sla: t\ncomponents:\n  web: { addresses: [10.0.0.0/33] }\n", 3,
	  "components.web.addresses[0]",
	  "expected a prefix length of at most 32, got '10.0.0.0/33'" },
	{ "address_v6_prefix_too_long",
	  "sla: t\ncomponents:\n  web: { addresses: ['::/129'] }\n", 3,
	  "components.web.addresses[0]", "a prefix length of at most 128" },
	{ "addresses_mapping",
	  "sla: t\ncomponents:\n  web: { addresses: { a: 1 } }\n", 3,
	  "components.web.addresses",
	  "expected a list of IPv4 or IPv6 addresses or prefixes, got a "
	  "mapping" },
	{ "address_item_list",
	  "sla: t\ncomponents:\n  web: { addresses: [[10.0.0.1]] }\n", 3,
	  "components.web.addresses[0]", "got a sequence" },
	{ "port_zero", "sla: t\ncomponents:\n  web: { processes: [a], ports: [0] }\n",
	  3, "components.web.ports[0]",
	  "expected a port from 1 to 65535 or a range \"N-M\", got '0'" },
	{ "port_too_big",
	  "sla: t\ncomponents:\n  web:\n    processes: [a]\n    ports: [80, 65536]\n",
	  5, "components.web.ports[1]", "got '65536'" },
	{ "port_range_reversed",
	  "sla: t\ncomponents:\n  web:\n    processes: [a]\n    ports: [90-80]\n",
	  5, "components.web.ports[0]",
	  "expected a port range N-M with N <= M, got '90-80'" },
	{ "port_name", "sla: t\ncomponents:\n  web: { processes: [a], ports: http }\n",
	  3, "components.web.ports", "got 'http'" },
	{ "process_too_long",
	  "sla: t\ncomponents:\n  web:\n    processes:\n      - qemu-system-x86_64\n",
	  5, "components.web.processes[0]",
	  "expected a process name of at most 15 characters without '/', "
	  "got 'qemu-system-x86_64'" },
	{ "process_path",
	  "sla: t\ncomponents:\n  web: { processes: [/usr/sbin/nginx] }\n", 3,
	  "components.web.processes[0]", "got '/usr/sbin/nginx'" },
	{ "process_empty", "sla: t\ncomponents:\n  web: { processes: [''] }\n",
	  3, "components.web.processes[0]", "got ''" },
	{ "processes_mapping",
	  "sla: t\ncomponents:\n  web: { processes: { a: 1 } }\n", 3,
	  "components.web.processes",
	  "expected a list of processes, got a mapping" },
	{ "process_mapping",
	  "sla: t\ncomponents:\n  web: { processes: [{ name: a }] }\n", 3,
	  "components.web.processes[0]", "got a mapping" },
	{ "cgroup_relative",
	  "sla: t\ncomponents:\n  web: { cgroups: [system.slice/a.service] }\n",
	  3, "components.web.cgroups[0]",
	  "expected an absolute cgroup path without '..', got "
	  "'system.slice/a.service'" },
	{ "cgroup_dotdot",
	  "sla: t\ncomponents:\n  web: { cgroups: [/system.slice/../x] }\n", 3,
	  "components.web.cgroups[0]", "got '/system.slice/../x'" },
	{ "cgroup_trailing_dotdot",
	  "sla: t\ncomponents:\n  web: { cgroups: [/a/..] }\n", 3,
	  "components.web.cgroups[0]", "got '/a/..'" },

	/* allowlist */
	{ "allowlist_invalid", SLA_BASE "allowlist:\n  - 10.0.0.1\n  - gateway\n",
	  8, "allowlist[1]", "got 'gateway'" },
	{ "allowlist_host_bits", SLA_BASE "allowlist: [10.9.0.1/16]\n", 6,
	  "allowlist[0]", "without host bits set (10.9.0.0/16)" },
	{ "allowlist_mapping", SLA_BASE "allowlist: { a: 10.0.0.1 }\n", 6,
	  "allowlist", "got a mapping" },

	/* reporters */
	{ "reporters_mapping", SLA_BASE "reporters: { user: root }\n", 6,
	  "reporters", "expected a list of reporters, got a mapping" },
	{ "reporter_scalar", REPORTER("root"), 7, "reporters[0]",
	  "expected a reporter mapping with user or group, components, "
	  "source, got 'root'" },
	{ "reporter_unknown_key",
	  REPORTER("{ user: root, components: [web], sources: true }"), 7,
	  "reporters[0].sources",
	  "expected one of user, group, components, source, got unknown key "
	  "'sources'" },
	{ "reporter_user_and_group",
	  REPORTER("{ user: root, group: root, components: [web] }"), 7,
	  "reporters[0].group", "expected either user or group, got both" },
	{ "reporter_no_subject", REPORTER("{ components: [web] }"), 7,
	  "reporters[0].user",
	  "expected a user or a group the entry is about, got nothing" },
	{ "reporter_unknown_user",
	  REPORTER("{ user: no-such-user-x, components: [web] }"), 7,
	  "reporters[0].user",
	  "expected a user name known to this host or a numeric uid, got "
	  "'no-such-user-x'" },
	{ "reporter_unknown_group",
	  REPORTER("{ group: no-such-group-x, components: [web] }"), 7,
	  "reporters[0].group",
	  "expected a group name known to this host or a numeric gid, got "
	  "'no-such-group-x'" },
	{ "reporter_uid_negative", REPORTER("{ user: -1, components: [web] }"),
	  7, "reporters[0].user", "numeric uid, got '-1'" },
	{ "reporter_uid_too_big",
	  REPORTER("{ user: 4294967295, components: [web] }"), 7,
	  "reporters[0].user", "numeric uid, got '4294967295'" },
	{ "reporter_user_list", REPORTER("{ user: [a], components: [web] }"), 7,
	  "reporters[0].user", "got a sequence" },
	{ "reporter_no_components", REPORTER("{ user: root }"), 7,
	  "reporters[0].components",
	  "expected a list of components the entry may report for, got "
	  "nothing" },
	{ "reporter_empty_components", REPORTER("{ user: root, components: [] }"),
	  7, "reporters[0].components", "expected at least one component" },
	{ "reporter_unknown_component",
	  REPORTER("{ user: root, components: [web, dbx] }"), 7,
	  "reporters[0].components[1]",
	  "expected 'any' or a component defined under 'components' (web, db, "
	  "app), got 'dbx'" },
	{ "reporter_any_not_alone",
	  REPORTER("{ user: root, components: [web, any] }"), 7,
	  "reporters[0].components[1]",
	  "expected 'any' alone, as it covers every other component" },
	{ "reporter_source_yes",
	  REPORTER("{ user: root, components: [web], source: yes }"), 7,
	  "reporters[0].source", "expected true or false, got 'yes'" },
	{ "reporter_second_bad",
	  SLA_BASE "reporters:\n  - { user: root, components: [web] }\n"
	  "  - { group: 0, components: [nope] }\n", 8,
	  "reporters[1].components[0]", "got 'nope'" },

	/* defaults */
	{ "app_group_unknown", DEFAULTS("  app_group: no-such-group-x\n"), 7,
	  "defaults.app_group",
	  "expected a group name known to this host or a numeric gid, got "
	  "'no-such-group-x'" },
	{ "app_group_list", DEFAULTS("  app_group: [a]\n"), 7,
	  "defaults.app_group", "got a sequence" },
	{ "app_group_empty", DEFAULTS("  app_group: ''\n"), 7,
	  "defaults.app_group", "numeric gid, got ''" },
	{ "defaults_list", SLA_BASE "defaults: [holdoff]\n", 6, "defaults",
	  "expected a mapping with holdoff, window, max_actions, dry_run, "
	  "lost_events, app_group, aggregate, evidence, ns_forward_rate, "
	  "protected, repeat, "
	  "got a sequence" },
	{ "defaults_evidence_bad", DEFAULTS("  evidence: some\n"), 7,
	  "defaults.evidence", "expected one of handshake, any, got 'some'" },
	{ "defaults_ns_forward_rate_zero", DEFAULTS("  ns_forward_rate: 0\n"), 7,
	  "defaults.ns_forward_rate",
	  "expected a whole number from 1 to 4294967295, got '0'" },
	{ "aggregate_list", DEFAULTS("  aggregate: [24]\n"), 7, "defaults.aggregate",
	  "expected a mapping with ipv4, ipv6, min, got a sequence" },
	{ "aggregate_plen", DEFAULTS("  aggregate: { ipv4: 4 }\n"), 7,
	  "defaults.aggregate.ipv4", "got '4'" },
	{ "aggregate_min", DEFAULTS("  aggregate: { min: 1 }\n"), 7,
	  "defaults.aggregate.min", "got '1'" },
	{ "aggregate_unknown", DEFAULTS("  aggregate: { prefix: 24 }\n"), 7,
	  "defaults.aggregate.prefix", "got unknown key 'prefix'" },
	{ "repeat_list", DEFAULTS("  repeat: [2]\n"), 7, "defaults.repeat",
	  "expected a mapping with multiplier, max, window, remember, got a sequence" },
	{ "repeat_multiplier_one", DEFAULTS("  repeat: { multiplier: 1 }\n"), 7,
	  "defaults.repeat.multiplier",
	  "expected a number greater than 1, at most 100, got '1'" },
	{ "repeat_multiplier_text", DEFAULTS("  repeat: { multiplier: twice }\n"), 7,
	  "defaults.repeat.multiplier", "got 'twice'" },
	{ "repeat_max_long", DEFAULTS("  repeat: { max: 31d }\n"), 7,
	  "defaults.repeat.max", "expected a duration from 1s to 30d, got '31d'" },
	{ "repeat_window_zero", DEFAULTS("  repeat:\n    window: 0s\n"), 8,
	  "defaults.repeat.window", "expected a duration from 1s to 365d, got '0s'" },
	{ "repeat_remember_zero", DEFAULTS("  repeat: { remember: 0 }\n"), 7,
	  "defaults.repeat.remember", "got '0'" },
	{ "repeat_remember_big", DEFAULTS("  repeat: { remember: 1M }\n"), 7,
	  "defaults.repeat.remember", "expected a whole number from 1 to 100000, got '1M'" },
	{ "repeat_unknown", DEFAULTS("  repeat: { factor: 2 }\n"), 7,
	  "defaults.repeat.factor", "got unknown key 'factor'" },
	{ "defaults_unknown_key", DEFAULTS("  hold_off: 10s\n"), 7,
	  "defaults.hold_off", "got unknown key 'hold_off'" },
	{ "holdoff_no_unit", DEFAULTS("  holdoff: 10\n"), 7, "defaults.holdoff",
	  "expected a duration like 500ms, 5s, 10m, 1h or 2d, got '10'" },
	{ "holdoff_too_short", DEFAULTS("  holdoff: 50ms\n"), 7,
	  "defaults.holdoff", "expected a duration from 100ms to 1h, got '50ms'" },
	{ "holdoff_too_long", DEFAULTS("  holdoff: 2h\n"), 7, "defaults.holdoff",
	  "got '2h'" },
	{ "window_zero", DEFAULTS("  window: 0s\n"), 7, "defaults.window",
	  "expected a duration greater than 0, got '0s'" },
	{ "window_fraction", DEFAULTS("  window: 1.5s\n"), 7, "defaults.window",
	  "got '1.5s'" },
	{ "max_actions_zero", DEFAULTS("  max_actions: 0\n"), 7,
	  "defaults.max_actions",
	  "expected a whole number from 1 to 1000000, got '0'" },
	{ "max_actions_fraction", DEFAULTS("  max_actions: 1.5\n"), 7,
	  "defaults.max_actions", "got '1.5'" },
	{ "max_actions_too_many", DEFAULTS("  max_actions: 2M\n"), 7,
	  "defaults.max_actions", "got '2M'" },
	{ "max_actions_word", DEFAULTS("  max_actions: lots\n"), 7,
	  "defaults.max_actions", "got 'lots'" },
	{ "dry_run_yes", DEFAULTS("  dry_run: yes\n"), 7, "defaults.dry_run",
	  "expected true or false, got 'yes'" },
	{ "lost_events_scalar", DEFAULTS("  lost_events: notify\n"), 7,
	  "defaults.lost_events",
	  "expected a mapping with severity, do, hook, got 'notify'" },
	{ "lost_events_unknown_key", DEFAULTS("  lost_events: { action: notify }\n"),
	  7, "defaults.lost_events.action", "got unknown key 'action'" },
	{ "lost_events_bad_severity",
	  DEFAULTS("  lost_events:\n    severity: urgent\n"), 8,
	  "defaults.lost_events.severity",
	  "expected one of low, medium, high, critical, got 'urgent'" },
	{ "lost_events_block", DEFAULTS("  lost_events:\n    do: block-source\n"),
	  8, "defaults.lost_events.do",
	  "expected one of notify, run-hook, none (lost events have no source "
	  "to act on), got 'block-source'" },
	{ "lost_events_bad_action", DEFAULTS("  lost_events: { do: page }\n"), 7,
	  "defaults.lost_events.do",
	  "expected one of none, notify, block-source, rate-limit, inspect, "
	  "run-hook, limit-destination, throttle-cpu, freeze, limit-memory, "
	  "isolate-network, kill, got 'page'" },
	{ "lost_events_hook_missing", DEFAULTS("  lost_events: { do: run-hook }\n"),
	  7, "defaults.lost_events.hook",
	  "expected an absolute path of the hook to run (do: run-hook needs "
	  "one), got nothing" },
	{ "lost_events_hook_unwanted",
	  DEFAULTS("  lost_events:\n    do: notify\n    hook: /bin/true\n"), 9,
	  "defaults.lost_events.hook",
	  "expected a hook only with do: run-hook, got a hook" },
	{ "lost_events_hook_relative",
	  DEFAULTS("  lost_events:\n    do: run-hook\n    hook: page.sh\n"), 9,
	  "defaults.lost_events.hook",
	  "expected an absolute path of the hook to run, got 'page.sh'" },

	/* rules */
	{ "rules_mapping", SLA_BASE "rules: { id: x }\n", 6, "rules",
	  "expected a list of rules, got a mapping" },
	{ "rules_scalar", SLA_BASE "rules: none\n", 6, "rules", "got 'none'" },
	{ "rule_scalar", RULE("no-telnet"), 7, "rules[0]",
	  "expected a rule mapping with id, deny or allow or sequence (with "
	  "same, within), severity, description, got 'no-telnet'" },
	{ "rule_unknown_key",
	  RULE("{ id: x, deny: { to: web }, severty: high }"), 7,
	  "rules[0].severty", "got unknown key 'severty'" },
	{ "rule_missing_id", RULE("{ deny: { to: web }, severity: high }"), 7,
	  "rules[0].id", "got nothing" },
	{ "rule_bad_id", RULE("{ id: no telnet, deny: { to: web }, severity: high }"),
	  7, "rules[0].id", "got 'no telnet'" },
	{ "rule_id_null", RULE("{ id: , deny: { to: web }, severity: high }"), 7,
	  "rules[0].id", "got null" },
	{ "rule_duplicate_id",
	  SLA_BASE "rules:\n"
	  "  - { id: x, deny: { to: web }, severity: high }\n"
	  "  - { id: y, deny: { to: db }, severity: high }\n"
	  "  - { id: x, deny: { to: db }, severity: low }\n",
	  9, "rules[2].id",
	  "expected an id used by no other rule or SLO, got 'x' again (first "
	  "at line 7)" },
	{ "rule_duplicate_key",
	  RULE("{ id: x, id: y, deny: { to: web }, severity: high }"), 7,
	  "rules[0].id", "got 'id' again (first at line 7)" },
	{ "rule_deny_and_allow",
	  RULE("{ id: x, deny: { to: web }, allow: { to: db } }"), 7,
	  "rules[0].allow", "expected either deny or allow, got both" },
	{ "rule_no_effect", RULE("{ id: x, severity: high }"), 7,
	  "rules[0].deny", "expected a deny or an allow mapping, or a sequence, got nothing" },
	{ "rule_deny_without_severity", RULE("{ id: x, deny: { to: web } }"), 7,
	  "rules[0].severity",
	  "expected one of low, medium, high, critical, got nothing" },
	{ "rule_allow_with_severity",
	  RULE("{ id: x, allow: { to: web }, severity: high }"), 7,
	  "rules[0].severity",
	  "expected no severity on an allow rule (allow rules raise no "
	  "alerts), got 'high'" },
	{ "rule_bad_severity", RULE("{ id: x, deny: { to: web }, severity: 3 }"),
	  7, "rules[0].severity", "got '3'" },
	{ "rule_description_list",
	  RULE("{ id: x, deny: { to: web }, severity: low, description: [a] }"),
	  7, "rules[0].description", "expected a string, got a sequence" },
	{ "rule_deny_scalar", RULE("{ id: x, deny: web, severity: high }"), 7,
	  "rules[0].deny",
	  "expected a mapping with from, to, port, proto, payload, got 'web'" },
	{ "rule_deny_null", RULE("{ id: x, deny: , severity: high }"), 7,
	  "rules[0].deny", "got null" },
	{ "net_rule_unknown_key",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      to: web\n      ports: [23]\n", 11, "rules[0].deny.ports",
	  "expected one of from, to, port, proto, payload, got unknown key 'ports'" },
	{ "payload_empty",
	  RULE("{ id: x, deny: { to: web, port: 80, payload: \"\" }, severity: high }"),
	  7, "rules[0].deny.payload", "expected a text of 1 to 256 bytes" },
	{ "payload_list",
	  RULE("{ id: x, deny: { to: web, payload: [a, b] }, severity: high }"),
	  7, "rules[0].deny.payload", "got a sequence" },
	{ "payload_too_long",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      to: web\n      payload: "
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy\n",
	  11, "rules[0].deny.payload", "expected a text of 1 to 256 bytes" },
	{ "payload_on_allow",
	  RULE("{ id: x, allow: { to: web, port: 80, payload: evil } }"),
	  7, "rules[0].allow.payload", "no payload on an allow rule" },
	{ "payload_with_icmp",
	  RULE("{ id: x, deny: { to: web, proto: icmp, payload: evil }, severity: high }"),
	  7, "rules[0].deny.payload", "no payload with proto icmp" },
	{ "payload_on_data_rule",
	  RULE("{ id: x, deny: { user: u, read: \"a*\", payload: evil }, severity: high }"),
	  7, "rules[0].deny.payload", "got unknown key 'payload'" },
	{ "net_rule_missing_to", RULE("{ id: x, deny: { port: 23 }, severity: high }"),
	  7, "rules[0].deny.to", "got nothing" },
	{ "net_rule_unknown_to",
	  SLA_BASE "rules:\n  - id: x\n    deny:\n      to: wbe\n"
	  "    severity: high\n", 9, "rules[0].deny.to",
	  "expected a component defined under 'components' (web, db, app), "
	  "got 'wbe'" },
	{ "net_rule_to_list",
	  RULE("{ id: x, deny: { to: [web, db] }, severity: high }"), 7,
	  "rules[0].deny.to", "got a sequence" },
	{ "net_rule_bad_proto",
	  RULE("{ id: x, deny: { to: web, proto: sctp }, severity: high }"), 7,
	  "rules[0].deny.proto",
	  "expected one of any, tcp, udp, icmp, got 'sctp'" },
	{ "net_rule_icmp_port",
	  RULE("{ id: x, deny: { to: web, proto: icmp, port: 7 }, severity: high }"),
	  7, "rules[0].deny.port",
	  "expected no port with proto icmp (ICMP has no ports), got '7'" },
	{ "net_rule_port_range",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      to: web\n      port: [22, 70000]\n", 11,
	  "rules[0].deny.port[1]", "got '70000'" },
	{ "net_rule_port_empty",
	  RULE("{ id: x, deny: { to: web, port: [] }, severity: high }"), 7,
	  "rules[0].deny.port", "expected at least one port, got a sequence" },
	{ "net_rule_port_mapping",
	  RULE("{ id: x, deny: { to: web, port: { a: 1 } }, severity: high }"),
	  7, "rules[0].deny.port",
	  "expected a port, a \"N-M\" range or a list of them, got a mapping" },
	{ "net_rule_from_unknown",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      to: web\n      from: [any-host]\n", 11,
	  "rules[0].deny.from[0]",
	  "expected 'any', an address or prefix, or a component (web, db, "
	  "app), got 'any-host'" },
	{ "net_rule_from_host_bits",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      to: web\n      from:\n        - 10.0.0.0/8\n"
	  "        - 192.168.1.1/24\n", 13, "rules[0].deny.from[1]",
	  "without host bits set (192.168.1.0/24)" },
	{ "net_rule_from_bad_address",
	  RULE("{ id: x, deny: { to: web, from: [10.0.0.0/40] }, severity: high }"),
	  7, "rules[0].deny.from[0]", "a prefix length of at most 32" },
	{ "net_rule_from_any_and_more",
	  RULE("{ id: x, deny: { to: web, from: [10.0.0.0/8, any] }, severity: high }"),
	  7, "rules[0].deny.from[1]",
	  "expected 'any' alone, as it covers every other source, got 'any'" },
	{ "net_rule_from_empty",
	  RULE("{ id: x, deny: { to: web, from: [] }, severity: high }"), 7,
	  "rules[0].deny.from", "expected at least one source, got a sequence" },
	{ "net_rule_from_mapping",
	  RULE("{ id: x, deny: { to: web, from: { a: b } }, severity: high }"), 7,
	  "rules[0].deny.from", "expected a list of sources, got a mapping" },
	{ "net_rule_from_wrong_family",
	  RULE("{ id: x, deny: { to: db, from: ['2001:db8::/32'] }, severity: high }"),
	  7, "rules[0].deny.from[0]",
	  "expected a source of an address family the 'to' component has, "
	  "got '2001:db8::/32'" },
	{ "net_rule_from_component_no_addresses",
	  RULE("{ id: x, allow: { to: db, from: [app] } }"), 7,
	  "rules[0].allow.from[0]",
	  "expected a component with addresses (a source is matched by its "
	  "address), got 'app'" },
	{ "data_rule_user_and_role",
	  RULE("{ id: x, deny: { user: a, role: b, read: 'x/*' }, severity: high }"),
	  7, "rules[0].deny.role", "expected either user or role, got both" },
	{ "data_rule_no_subject",
	  RULE("{ id: x, deny: { read: 'x/*' }, severity: high }"), 7,
	  "rules[0].deny.user",
	  "expected a user or a role the rule is about, got nothing" },
	{ "data_rule_two_actions",
	  RULE("{ id: x, deny: { user: bob, read: a, write: b }, severity: high }"),
	  7, "rules[0].deny.write",
	  "expected one action of read, write, delete, login-failure, "
	  "privilege-change, login-success, got 'read' and 'write'" },
	{ "data_rule_empty_delete",
	  RULE("{ id: x, deny: { user: bob, delete: '' }, severity: high }"), 7,
	  "rules[0].deny.delete",
	  "expected a resource pattern (fnmatch glob), got ''" },
	{ "data_rule_login_failure_list",
	  RULE("{ id: x, deny: { user: bob, login-failure: [a] }, severity: high }"),
	  7, "rules[0].deny.login-failure", "got a sequence" },
	{ "data_rule_unknown_action",
	  RULE("{ id: x, deny: { user: bob, update: 'a' }, severity: high }"),
	  7, "rules[0].deny.update",
	  "expected one of user, role, read, write, delete, login-failure, "
	  "privilege-change, login-success, component, got unknown key 'update'" },
	{ "data_rule_missing_read",
	  RULE("{ id: x, deny: { user: bob }, severity: high }"), 7,
	  "rules[0].deny.read",
	  "expected a resource pattern (fnmatch glob), got nothing" },
	{ "data_rule_empty_read",
	  RULE("{ id: x, deny: { user: bob, read: '' }, severity: high }"), 7,
	  "rules[0].deny.read",
	  "expected a resource pattern (fnmatch glob), got ''" },
	{ "data_rule_read_list",
	  RULE("{ id: x, deny: { user: bob, read: [a, b] }, severity: high }"),
	  7, "rules[0].deny.read", "got a sequence" },
	{ "data_rule_net_key",
	  RULE("{ id: x, deny: { user: bob, read: a, to: db }, severity: high }"),
	  7, "rules[0].deny.to",
	  "expected one of user, role, read, write, delete, login-failure, "
	  "privilege-change, login-success, component, got unknown key 'to'" },
	{ "data_rule_unknown_component",
	  SLA_BASE "rules:\n  - id: x\n    severity: high\n    deny:\n"
	  "      role: support\n      read: 'cards/*'\n      component: dbx\n",
	  12, "rules[0].deny.component", "got 'dbx'" },

	/* sequence rules */
	{ "seq_with_deny",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "deny: { to: web }, same: source, within: 1m, severity: high }"),
	  7, "rules[0].sequence", "expected a sequence or a deny or an allow "
	  "mapping, got a sequence and 'deny'" },
	{ "seq_same_without_sequence",
	  RULE("{ id: x, deny: { to: web }, same: source, severity: high }"), 7,
	  "rules[0].same", "expected no 'same' or 'within' without a sequence" },
	{ "seq_missing_same",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "within: 1m, severity: high }"),
	  7, "rules[0].same", "expected one of source, user, process, got nothing" },
	{ "seq_bad_same",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "same: host, within: 1m, severity: high }"),
	  7, "rules[0].same", "got 'host'" },
	{ "seq_missing_within",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "same: source, severity: high }"),
	  7, "rules[0].within", "got nothing" },
	{ "seq_within_too_long",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "same: source, within: 2d, severity: high }"),
	  7, "rules[0].within", "expected a duration greater than 0 and at most 1d" },
	{ "seq_missing_severity",
	  RULE("{ id: x, sequence: [ { event: net.portscan }, { event: net.syn_flood } ], "
	       "same: source, within: 1m }"),
	  7, "rules[0].severity", "got nothing" },
	{ "seq_one_step",
	  RULE("{ id: x, sequence: [ { event: net.portscan } ], same: source, "
	       "within: 1m, severity: high }"),
	  7, "rules[0].sequence", "expected a list of 2 to 4 steps (one event "
	  "alone is a deny rule's or an SLO's), got 1 step" },
	{ "seq_step_scalar",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n      - { event: net.portscan }\n"
	  "      - net.syn_flood\n",
	  13, "rules[0].sequence[1]", "expected a step mapping with event, count" },
	{ "seq_step_bad_event",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n      - { event: net.portscan }\n"
	  "      - { event: net.scan }\n",
	  13, "rules[0].sequence[1].event", "expected one of net.portscan, "
	  "net.slow_portscan, net.syn_flood, net.conn_rate, net.bandwidth, "
	  "net.icmp_flood, net.watch_hit, proc.exec, proc.exit, proc.sample, "
	  "got 'net.scan'" },
	{ "seq_step_no_event",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n      - { event: net.portscan }\n"
	  "      - { count: 2 }\n",
	  13, "rules[0].sequence[1].event", "expected an event (net.portscan, "
	  "net.watch_hit, proc.exec, ...), an action (read, login-failure, ...) "
	  "or a destination ('to'), got nothing" },
	{ "seq_step_key_of_other_kind",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n      - { event: net.portscan, port: 22 }\n"
	  "      - { event: net.syn_flood }\n",
	  12, "rules[0].sequence[0].port", "expected no 'port' on a net.portscan "
	  "step (it takes nothing but event and count), got '22'" },
	{ "seq_step_count_zero",
	  SLA_BASE "rules:\n  - id: x\n    same: user\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { login-failure: '*', count: 0 }\n"
	  "      - { login-success: '*' }\n",
	  12, "rules[0].sequence[0].count", "expected a whole number from 1 to "
	  "1000, got '0'" },
	{ "seq_step_two_actions",
	  SLA_BASE "rules:\n  - id: x\n    same: user\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { login-failure: '*' }\n"
	  "      - { login-success: '*', read: '*' }\n",
	  13, "rules[0].sequence[1].login-success", "got 'read' and "
	  "'login-success'" },
	{ "seq_user_key_on_net_step",
	  SLA_BASE "rules:\n  - id: x\n    same: user\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { login-failure: '*' }\n"
	  "      - { event: net.portscan }\n",
	  13, "rules[0].sequence[1].event", "expected an application event "
	  "with an action (same: user keys on the user of application events), "
	  "got net.portscan" },
	{ "seq_source_key_on_proc_step",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: net.portscan }\n"
	  "      - { event: proc.exec, process: sh }\n",
	  13, "rules[0].sequence[1].event", "process events have none" },
	{ "seq_process_key_on_app_step",
	  SLA_BASE "rules:\n  - id: x\n    same: process\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: proc.sample }\n"
	  "      - { read: 'cards/*' }\n",
	  13, "rules[0].sequence[1].read", "got an application event" },
	{ "seq_step_unknown_component",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: net.portscan }\n"
	  "      - { to: dbx, port: 5432 }\n",
	  13, "rules[0].sequence[1].to", "got 'dbx'" },
	{ "seq_proc_step_address_component",
	  SLA_BASE "rules:\n  - id: x\n    same: process\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: proc.sample, component: web }\n"
	  "      - { event: proc.exec, process: sh }\n",
	  12, "rules[0].sequence[0].component", "expected a component with "
	  "processes or cgroups" },
	{ "seq_proc_step_bad_process",
	  SLA_BASE "rules:\n  - id: x\n    same: process\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: proc.sample, component: app }\n"
	  "      - { event: proc.exec, process: /bin/sh }\n",
	  13, "rules[0].sequence[1].process", "expected a process name of at "
	  "most 15 characters without '/', got '/bin/sh'" },
	/* The module reports only what deny rules watch. */
	{ "seq_hit_step_unwatched",
	  SLA_BASE "rules:\n  - id: x\n    same: source\n    within: 1m\n"
	  "    severity: high\n    sequence:\n"
	  "      - { event: net.portscan }\n"
	  "      - { to: web, port: 22 }\n"
	  "  - { id: y, deny: { to: web, port: 23 }, severity: high }\n",
	  13, "rules[0].sequence[1].to", "expected a connection some deny rule "
	  "watches (the module reports only those; add a deny rule for this "
	  "destination and port), got none covering it" },

	/* SLOs */
	{ "slos_mapping", SLA_BASE "slos: { id: x }\n", 6, "slos",
	  "expected a list of SLOs, got a mapping" },
	{ "slo_scalar", SLO("web-cpu"), 7, "slos[0]",
	  "expected an SLO mapping with id, metric, component, max or min, "
	  "window or for, severity, got 'web-cpu'" },
	{ "slo_unknown_key",
	  SLA_BASE "slos:\n  - id: x\n    metric: net.conn_rate\n"
	  "    max: 10\n    windw: 5s\n    severity: low\n", 10,
	  "slos[0].windw", "got unknown key 'windw'" },
	{ "slo_missing_id", SLO("{ metric: net.conn_rate, max: 1, severity: low }"),
	  7, "slos[0].id", "got nothing" },
	{ "slo_missing_metric", SLO("{ id: x, max: 1, severity: low }"), 7,
	  "slos[0].metric",
	  "expected one of net.portscan_ports, net.syn_half_open, "
	  "net.conn_rate, net.bandwidth_bps, net.icmp_rate, net.dst_half_open, net.slow_portscan_ports, net.watch_hits, "
	  "sched.cpu_percent, sched.runq_delay_ms, sched.fork_rate, "
	  "sched.rss_bytes, app.access_violations, events.lost, got nothing" },
	{ "slo_unknown_metric",
	  SLO("{ id: x, metric: net.syn_rate, max: 1, severity: low }"), 7,
	  "slos[0].metric", "got 'net.syn_rate'" },
	{ "slo_per_process_for_net",
	  SLO("{ id: x, metric: net.conn_rate, per: process, max: 1, severity: low }"),
	  7, "slos[0].per",
	  "expected source or component for net.conn_rate, got 'process'" },
	{ "slo_per_source_for_sched",
	  SLO("{ id: x, metric: sched.cpu_percent, per: source, max: 1, severity: low }"),
	  7, "slos[0].per",
	  "expected component or process for sched.cpu_percent, got 'source'" },
	{ "slo_per_process_for_fork_rate",
	  SLO("{ id: x, metric: sched.fork_rate, component: web, per: process, max: 5, severity: low }"),
	  7, "slos[0].per",
	  "expected component for sched.fork_rate, got 'process'" },
	{ "slo_per_for_events_lost",
	  SLO("{ id: x, metric: events.lost, per: component, max: 0, severity: low }"),
	  7, "slos[0].per",
	  "expected no per for events.lost (it is one value for the host), "
	  "got 'component'" },
	{ "slo_bad_per",
	  SLO("{ id: x, metric: net.conn_rate, per: host, max: 1, severity: low }"),
	  7, "slos[0].per",
	  "expected one of source, component, process, got 'host'" },
	{ "slo_component_for_events_lost",
	  SLO("{ id: x, metric: events.lost, component: web, max: 0, severity: low }"),
	  7, "slos[0].component",
	  "expected no component for events.lost (events are lost for the "
	  "whole host), got 'web'" },
	{ "slo_sched_component_without_tasks",
	  SLO("{ id: x, metric: sched.cpu_percent, component: web, max: 80, severity: low }"),
	  7, "slos[0].component",
	  "expected a component with processes or cgroups (sched.cpu_percent "
	  "measures processes), got 'web'" },
	{ "slo_per_process_without_component",
	  SLO("{ id: x, metric: sched.rss_bytes, per: process, max: 1G, severity: low }"),
	  7, "slos[0].component",
	  "expected a component with processes or cgroups (per: process "
	  "needs one), got nothing" },
	{ "slo_unknown_component",
	  SLO("{ id: x, metric: net.conn_rate, component: wbe, max: 1, severity: low }"),
	  7, "slos[0].component",
	  "expected a component defined under 'components' (web, db, app), "
	  "got 'wbe'" },
	{ "slo_no_bound", SLO("{ id: x, metric: net.conn_rate, severity: low }"),
	  7, "slos[0].max", "expected a max and/or a min bound, got nothing" },
	{ "slo_min_above_max",
	  SLA_BASE "slos:\n  - id: x\n    metric: net.bandwidth_bps\n"
	  "    max: 1M\n    min: 2M\n    severity: low\n", 10, "slos[0].min",
	  "expected a min no greater than max (1000000), got '2M'" },
	{ "slo_negative_max",
	  SLO("{ id: x, metric: net.conn_rate, max: -5, severity: low }"), 7,
	  "slos[0].max",
	  "expected a non-negative number, optionally with a k, M or G "
	  "suffix, got '-5'" },
	{ "slo_bad_suffix",
	  SLO("{ id: x, metric: net.bandwidth_bps, max: 5T, severity: low }"), 7,
	  "slos[0].max", "got '5T'" },
	{ "slo_max_mapping",
	  SLO("{ id: x, metric: net.conn_rate, max: { v: 1 }, severity: low }"),
	  7, "slos[0].max", "got a mapping" },
	{ "slo_min_word",
	  SLO("{ id: x, metric: net.conn_rate, min: some, severity: low }"), 7,
	  "slos[0].min", "got 'some'" },
	{ "slo_max_over_module_limit",
	  SLO("{ id: x, metric: net.conn_rate, max: 5G, severity: low }"), 7,
	  "slos[0].max",
	  "expected at most 4294967294 for net.conn_rate (the module's "
	  "limit), got '5G'" },
	{ "slo_window_and_for",
	  SLA_BASE "slos:\n  - id: x\n    metric: net.conn_rate\n    max: 1\n"
	  "    window: 5s\n    for: 10s\n    severity: low\n", 11,
	  "slos[0].for", "expected either window or for, got both" },
	{ "slo_window_space",
	  SLO("{ id: x, metric: net.conn_rate, max: 1, window: 5 s, severity: low }"),
	  7, "slos[0].window",
	  "expected a duration like 500ms, 5s, 10m, 1h or 2d, got '5 s'" },
	{ "slo_window_weeks",
	  SLO("{ id: x, metric: net.conn_rate, max: 1, window: 1w, severity: low }"),
	  7, "slos[0].window", "got '1w'" },
	{ "slo_window_zero",
	  SLO("{ id: x, metric: net.conn_rate, max: 1, window: 0ms, severity: low }"),
	  7, "slos[0].window", "expected a duration greater than 0, got '0ms'" },
	{ "slo_slow_window_short",
	  SLO("{ id: x, metric: net.slow_portscan_ports, max: 50, window: 30s, severity: low }"),
	  7, "slos[0].window",
	  "expected a window from 1m to 1h for net.slow_portscan_ports (the "
	  "module's long window), got '30s'" },
	{ "slo_slow_for",
	  SLO("{ id: x, metric: net.slow_portscan_ports, max: 50, for: 10m, severity: low }"),
	  7, "slos[0].for",
	  "expected a window (net.slow_portscan_ports is counted over the "
	  "module's long window), got for" },
	{ "slo_dst_half_open_per_source",
	  SLO("{ id: x, metric: net.dst_half_open, per: source, max: 500, severity: low }"),
	  7, "slos[0].per", "expected component for net.dst_half_open, got 'source'" },
	{ "slo_for_number",
	  SLO("{ id: x, metric: sched.cpu_percent, max: 1, for: 30, severity: low }"),
	  7, "slos[0].for", "got '30'" },
	{ "slo_missing_severity",
	  SLO("{ id: x, metric: net.conn_rate, max: 1 }"), 7, "slos[0].severity",
	  "expected one of low, medium, high, critical, got nothing" },
	{ "slo_bad_severity",
	  SLO("{ id: x, metric: net.conn_rate, max: 1, severity: HIGH }"), 7,
	  "slos[0].severity", "got 'HIGH'" },
	{ "slo_duplicate_id",
	  SLA_BASE "slos:\n"
	  "  - { id: x, metric: net.conn_rate, max: 1, severity: low }\n"
	  "  - { id: x, metric: net.icmp_rate, max: 1, severity: low }\n", 8,
	  "slos[1].id", "got 'x' again (first at line 7)" },
	{ "slo_id_used_by_rule",
	  SLA_BASE "rules:\n  - { id: x, deny: { to: web }, severity: high }\n"
	  "slos:\n  - { id: x, metric: net.conn_rate, max: 1, severity: low }\n",
	  9, "slos[0].id", "got 'x' again (first at line 7)" },

	/* countermeasures */
	{ "cms_mapping", SLA_BASE "countermeasures: { do: notify }\n", 6,
	  "countermeasures", "expected a list of countermeasures, got a mapping" },
	{ "cm_scalar", CM("block"), 12, "countermeasures[0]",
	  "expected a countermeasure mapping with when, do, for, rate, hook, "
	  "evidence, scope, cpu, memory, signal, got 'block'" },
	{ "cm_unknown_key", CM("{ when: { severity: high }, do: notify, after: 5s }"),
	  12, "countermeasures[0].after", "got unknown key 'after'" },
	{ "cm_missing_when", CM("{ do: notify }"), 12, "countermeasures[0].when",
	  "expected a mapping with one of severity, slo, rule, got nothing" },
	{ "cm_when_scalar", CM("{ when: high, do: notify }"), 12,
	  "countermeasures[0].when",
	  "expected a mapping with one of severity, slo, rule, got 'high'" },
	{ "cm_when_empty", CM("{ when: {}, do: notify }"), 12,
	  "countermeasures[0].when",
	  "expected exactly one of severity, slo, rule, got none" },
	{ "cm_when_two",
	  SLA_REFS "  - when:\n      severity: high\n      slo: s1\n"
	  "    do: notify\n", 14, "countermeasures[0].when",
	  "expected exactly one of severity, slo, rule, got 2 conditions" },
	{ "cm_when_unknown_key", CM("{ when: { component: web }, do: notify }"),
	  12, "countermeasures[0].when.component",
	  "expected one of severity, slo, rule, got unknown key 'component'" },
	{ "cm_when_unknown_slo", CM("{ when: { slo: s2 }, do: notify }"), 12,
	  "countermeasures[0].when.slo",
	  "expected an SLO id defined under 'slos' (s1), got 's2'" },
	{ "cm_when_unknown_rule", CM("{ when: { rule: r2 }, do: notify }"), 12,
	  "countermeasures[0].when.rule",
	  "expected the id of a deny rule under 'rules' (r1), got 'r2'" },
	{ "cm_when_allow_rule", CM("{ when: { rule: a1 }, do: notify }"), 12,
	  "countermeasures[0].when.rule", "got 'a1'" },
	{ "cm_when_bad_severity", CM("{ when: { severity: severe }, do: notify }"),
	  12, "countermeasures[0].when.severity", "got 'severe'" },
	{ "cm_missing_do", CM("{ when: { severity: high } }"), 12,
	  "countermeasures[0].do",
	  "expected one of none, notify, block-source, rate-limit, inspect, "
	  "run-hook, limit-destination, throttle-cpu, freeze, limit-memory, "
	  "isolate-network, kill, got nothing" },
	{ "cm_bad_do", CM("{ when: { severity: high }, do: ban }"), 12,
	  "countermeasures[0].do", "got 'ban'" },
	{ "cm_for_with_notify",
	  CM("{ when: { severity: high }, do: notify, for: 10m }"), 12,
	  "countermeasures[0].for",
	  "expected no 'for' with do: notify (only block-source, rate-limit, "
	  "inspect, limit-destination, throttle-cpu, freeze, limit-memory and "
	  "isolate-network last), got '10m'" },
	{ "cm_for_with_kill",
	  CM("{ when: { slo: s1 }, do: kill, for: 10m }"), 12,
	  "countermeasures[0].for",
	  "expected no 'for' with do: kill (only block-source" },
	{ "cm_signal_bad",
	  CM("{ when: { slo: s1 }, do: kill, signal: BOOM }"), 12,
	  "countermeasures[0].signal",
	  "expected a signal name: KILL, TERM, INT, HUP, QUIT, STOP, USR1 or "
	  "USR2 (SIG prefix allowed), got 'BOOM'" },
	{ "cm_signal_not_kill",
	  CM("{ when: { slo: s1 }, do: freeze, signal: TERM }"), 12,
	  "countermeasures[0].signal",
	  "expected signal only with do: kill, got signal with do: freeze" },
	{ "cm_throttle_no_cpu",
	  CM("{ when: { slo: s1 }, do: throttle-cpu, for: 1m }"), 12,
	  "countermeasures[0].cpu",
	  "expected a cpu share like \"20%\" (do: throttle-cpu needs one), "
	  "got nothing" },
	{ "cm_throttle_bad_cpu",
	  CM("{ when: { slo: s1 }, do: throttle-cpu, cpu: 0.2, for: 1m }"), 12,
	  "countermeasures[0].cpu",
	  "expected a share of one CPU from \"1%\" to \"10000%\", like "
	  "\"20%\", got '0.2'" },
	{ "cm_throttle_zero_cpu",
	  CM("{ when: { slo: s1 }, do: throttle-cpu, cpu: 0%, for: 1m }"), 12,
	  "countermeasures[0].cpu", "got '0%'" },
	{ "cm_cpu_unwanted",
	  CM("{ when: { slo: s1 }, do: freeze, cpu: 20%, for: 1m }"), 12,
	  "countermeasures[0].cpu",
	  "expected cpu only with do: throttle-cpu, got cpu with do: freeze" },
	{ "cm_limit_memory_no_memory",
	  CM("{ when: { slo: s1 }, do: limit-memory, for: 1m }"), 12,
	  "countermeasures[0].memory",
	  "expected a memory size like \"256M\" (do: limit-memory needs one), "
	  "got nothing" },
	{ "cm_limit_memory_tiny",
	  CM("{ when: { slo: s1 }, do: limit-memory, memory: 4k, for: 1m }"), 12,
	  "countermeasures[0].memory",
	  "expected a memory size from \"1M\" to \"1000000G\", like "
	  "\"256M\", got '4k'" },
	{ "cm_freeze_for_zero",
	  CM("{ when: { slo: s1 }, do: freeze, for: 0s }"), 12,
	  "countermeasures[0].for",
	  "expected a duration greater than 0 (every firewall or cgroup change "
	  "must expire), got '0s'" },
	{ "protected_bad", DEFAULTS("  protected: [a/b]\n"), 7,
	  "defaults.protected[0]",
	  "expected a process name (at most 15 bytes, no '/') or an absolute "
	  "cgroup path like \"/system.slice/db.service\", got 'a/b'" },
	{ "cm_evidence_bad",
	  CM("{ when: { slo: s1 }, do: block-source, evidence: syn }"), 12,
	  "countermeasures[0].evidence",
	  "expected one of handshake, any, got 'syn'" },
	{ "cm_evidence_unwanted",
	  CM("{ when: { slo: s1 }, do: limit-destination, rate: 100/second, evidence: any }"),
	  12, "countermeasures[0].evidence",
	  "expected evidence only with do: block-source or rate-limit (the "
	  "actions that shut a source out), got evidence with do: "
	  "limit-destination" },
	{ "cm_limit_destination_no_rate",
	  CM("{ when: { slo: s1 }, do: limit-destination, for: 5m }"), 12,
	  "countermeasures[0].rate",
	  "expected a rate like \"100/second\" (do: limit-destination needs "
	  "one), got nothing" },
	{ "cm_for_zero",
	  SLA_REFS "  - when: { severity: high }\n    do: block-source\n"
	  "    for: 0s\n", 14, "countermeasures[0].for",
	  "expected a duration greater than 0 (every firewall or cgroup change "
	  "must expire), got '0s'" },
	{ "cm_for_too_long",
	  SLA_REFS "  - when: { severity: high }\n    do: block-source\n"
	  "    for: 213503982334d\n", 14, "countermeasures[0].for",
	  "expected a duration of at most 30d (the longest timeout of an "
	  "nftables element here), got '213503982334d'" },
	{ "cm_for_bad", CM("{ when: { severity: high }, do: inspect, for: ever }"),
	  12, "countermeasures[0].for", "got 'ever'" },
	{ "cm_rate_missing", CM("{ when: { slo: s1 }, do: rate-limit }"), 12,
	  "countermeasures[0].rate",
	  "expected a rate like \"100/second\" (do: rate-limit needs one), "
	  "got nothing" },
	{ "cm_rate_unwanted",
	  CM("{ when: { slo: s1 }, do: block-source, rate: 10/second }"), 12,
	  "countermeasures[0].rate",
	  "expected a rate only with do: rate-limit or limit-destination, got a rate" },
	{ "cm_rate_bad",
	  SLA_REFS "  - when: { slo: s1 }\n    do: rate-limit\n"
	  "    rate: 10/day\n", 14, "countermeasures[0].rate",
	  "expected a rate like \"100/second\", \"6000/minute\" or "
	  "\"10000/hour\", got '10/day'" },
	{ "cm_rate_zero", CM("{ when: { slo: s1 }, do: rate-limit, rate: 0/second }"),
	  12, "countermeasures[0].rate", "got '0/second'" },
	{ "cm_hook_missing", CM("{ when: { slo: s1 }, do: run-hook }"), 12,
	  "countermeasures[0].hook", "(do: run-hook needs one), got nothing" },
	{ "cm_hook_unwanted",
	  CM("{ when: { slo: s1 }, do: notify, hook: /bin/true }"), 12,
	  "countermeasures[0].hook",
	  "expected a hook only with do: run-hook, got a hook" },
	{ "cm_hook_relative",
	  CM("{ when: { slo: s1 }, do: run-hook, hook: hooks/x }"), 12,
	  "countermeasures[0].hook", "got 'hooks/x'" },
	{ "cm_second_item",
	  SLA_REFS "  - { when: { severity: high }, do: notify }\n"
	  "  - { when: { rule: r1 }, do: block-source, for: 1y }\n", 13,
	  "countermeasures[1].for", "got '1y'" },

	/* fleet */
	{ "fleet_no_servers", FLEET("  node: a\n  site: lab\n"), 7,
	  "fleet.servers", "expected a list of NATS server URLs, got nothing" },
	{ "fleet_bad_server", FLEET("  servers: [http://x:4222]\n  node: a\n  site: lab\n"),
	  7, "fleet.servers[0]", "expected a NATS server URL like nats://10.0.0.1:4222" },
	{ "fleet_bad_node", FLEET("  servers: nats://x:4222\n  node: A.b\n  site: lab\n"),
	  8, "fleet.node", "expected a node name of 1-32 characters a-z, 0-9, _ and -, got 'A.b'" },
	{ "fleet_no_site", FLEET("  servers: nats://x:4222\n  node: a\n"), 7,
	  "fleet.site", "got nothing" },
	{ "fleet_user_without_password",
	  FLEET("  servers: nats://x:4222\n  node: a\n  site: lab\n  user: u\n"), 7,
	  "fleet.password", "expected user and password together, got only user" },
	{ "fleet_creds_and_user",
	  FLEET("  servers: nats://x:4222\n  node: a\n  site: lab\n"
		"  credentials: /etc/a.creds\n  user: u\n  password: p\n"), 11,
	  "fleet.user", "expected either credentials or user and password, not both" },
	{ "fleet_creds_relative",
	  FLEET("  servers: nats://x:4222\n  node: a\n  site: lab\n  credentials: a.creds\n"),
	  10, "fleet.credentials", "expected an absolute path to a NATS credentials file" },
	{ "fleet_unknown_key", FLEET("  servers: nats://x:4222\n  node: a\n  site: lab\n  tls: yes\n"),
	  10, "fleet.tls", "tls" },
	{ "fleet_tls_no_ca",
	  FLEET("  servers: tls://x:4222\n  node: a\n  site: lab\n  tls: { cert: /c.pem, key: /k.pem }\n"),
	  10, "fleet.tls.ca", "got nothing" },
	{ "fleet_tls_relative",
	  FLEET("  servers: tls://x:4222\n  node: a\n  site: lab\n  tls: { ca: ca.pem }\n"),
	  10, "fleet.tls.ca", "expected an absolute path to a PEM file, got 'ca.pem'" },
	{ "fleet_tls_cert_without_key",
	  FLEET("  servers: tls://x:4222\n  node: a\n  site: lab\n  tls: { ca: /ca.pem, cert: /c.pem }\n"),
	  10, "fleet.tls.key", "expected cert and key together, got only cert" },
	{ "cm_scope_unknown", CM("{ when: { rule: r1 }, do: block-source, scope: world }"), 12,
	  "countermeasures[0].scope", "expected one of local, fleet, got 'world'" },
	{ "cm_scope_fleet_without_fleet", CM("{ when: { rule: r1 }, do: block-source, scope: fleet }"),
	  12, "countermeasures[0].scope", "only with a 'fleet' section" },
	{ "cm_scope_fleet_notify",
	  SLA_REFS "  - { when: { rule: r1 }, do: notify, scope: fleet }\n"
	  "fleet: { servers: nats://x:4222, node: a, site: lab }\n", 12,
	  "countermeasures[0].scope", "scope: fleet only with block-source, rate-limit or inspect" },
};

/* Scalars in messages are shortened and cleaned of control characters. */
static void long_scalar_shortened(void **state)
{
	char err[512];

	(void)state;
	load_bad("sla: \"a\\tb 3456789012345678901234567890123456789012345678901234567890\"\n",
		 err, sizeof(err));
	assert_non_null(strstr(err, "got 'a?b 34567890123456789012345678901234567890123456'..."));
}

/* One exact message, so the format itself is pinned down. */
static void exact_message(void **state)
{
	char err[512];

	(void)state;
	load_bad(SLO("{ id: x, metric: net.conn_rate, max: 1, window: 5 s, severity: low }"),
		 err, sizeof(err));
	assert_string_equal(err, "<string>:7:53: field 'slos[0].window': "
			    "expected a duration like 500ms, 5s, 10m, 1h or "
			    "2d, got '5 s'");
}

static void invalid_utf8(void **state)
{
	char err[512];

	(void)state;
	load_bad("sla: t\ndescription: \xff\xfe\n", err, sizeof(err));
	assert_string_equal(err, "<string>: YAML error at byte 20: invalid "
			    "leading UTF-8 octet");
}

/* Too many watches is caught at load time, at the rule that overflows. */
static void too_many_watches(void **state)
{
	char *yaml = malloc(64 * 1024);
	size_t used = 0;

	(void)state;
	assert_non_null(yaml);
	used += (size_t)sprintf(yaml + used, "%s", SLA_BASE "rules:\n"
		"  - { id: ok, deny: { to: web, port: 23 }, severity: low }\n"
		"  - id: big\n    severity: low\n    deny:\n      to: db\n"
		"      port: [");
	for (int p = 1; p <= 32; p++)
		used += (size_t)sprintf(yaml + used, "%s%d", p > 1 ? ", " : "", p);
	used += (size_t)sprintf(yaml + used, "]\n      from: [");
	for (int s = 0; s < 32; s++)
		used += (size_t)sprintf(yaml + used, "%s10.%d.0.0/16",
					s ? ", " : "", s);
	sprintf(yaml + used, "]\n");
	/* 2 + 32 * 32 = 1026 watches: the second rule does not fit. */
	expect_error(yaml, 8, "rules[1]", "expected at most 1024 kernel "
		     "watches for all deny rules (one per source address, "
		     "destination address and port range), got more with this "
		     "rule");
	free(yaml);
}

static void run_case(void **state)
{
	const struct error_case *c = *state;

	expect_error(c->yaml, c->line, c->path, c->fragment);
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	struct CMUnitTest *tests = calloc(n + 4, sizeof(*tests));
	int ret;

	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n] = (struct CMUnitTest)cmocka_unit_test(long_scalar_shortened);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(exact_message);
	tests[n + 2] = (struct CMUnitTest)cmocka_unit_test(invalid_utf8);
	tests[n + 3] = (struct CMUnitTest)cmocka_unit_test(too_many_watches);
	ret = _cmocka_run_group_tests("sla errors", tests, n + 4, NULL, NULL);
	free(tests);
	return ret;
}
