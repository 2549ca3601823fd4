// SPDX-License-Identifier: GPL-2.0-or-later
/* The countermeasure policy, against a fake nftables backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <json-c/json.h>

#include "alert.h"
#include "helpers.h"
#include "respond.h"
#include "util.h"

struct fixture {
	struct sla *sla;
	struct alerts *am;
	struct respond *r;
	struct fake_backend fb;
	uint64_t now;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct alert_opts o = { .holdoff_ms = 1, .rate = 1000, .burst = 1000 };

	f->sla = load_test_sla();
	assert_int_equal(alerts_new(&f->am, &o), 0);
	assert_int_equal(respond_new(&f->r, &fake_ops, &f->fb), 0);
	f->now = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	respond_free(f->r);
	alerts_free(f->am);
	sla_free(f->sla);
	free(f);
	return 0;
}

/* An alert of KIND about REF (an SLO or rule id) from SOURCE. */
static struct alert *alert_for(struct fixture *f, enum finding_kind kind,
			       const char *ref, enum sla_severity sev,
			       const char *source)
{
	struct finding fd = { .kind = kind, .severity = sev };
	struct alert *a;

	snprintf(fd.ref, sizeof(fd.ref), "%s", ref);
	if (kind == FINDING_SLO)
		fd.slo = sla_find_slo(f->sla, ref);
	if (kind == FINDING_RULE)
		fd.rule = sla_find_rule(f->sla, ref);
	if (source) {
		fd.has_source = true;
		fd.family = AF_INET;
		inet_pton(AF_INET, source, fd.src);
		snprintf(fd.source, sizeof(fd.source), "%s", source);
	}
	f->now += 10;	/* past the 1 ms hold-off */
	a = alerts_raise(f->am, &fd, f->now);
	assert_non_null(a);
	return a;
}

static size_t nactions(const struct alert *a)
{
	return json_object_array_length(a->actions);
}

static const char *response(const struct alert *a, size_t i, const char *key)
{
	struct json_object *arr, *v;

	if (!json_object_object_get_ex(a->evidence, "responses", &arr) ||
	    i >= json_object_array_length(arr) ||
	    !json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* Severity high triggers "severity: high and above"; the SLO's own too. */
static void severity_and_slo_policy(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_SLO, "scan", SLA_SEV_HIGH, "192.0.2.7");

	respond_on_alert(f->r, f->sla, a, f->now);
	/* block (severity high) + rate-limit (slo scan) + notify (severity low+) */
	assert_int_equal(f->fb.applies, 2);
	assert_int_equal(nactions(a), 2);
	assert_int_equal(respond_active(f->r), 2);
	assert_string_equal(f->fb.last_target, "192.0.2.7");
	assert_int_equal(f->fb.last_kind, NFTB_RATELIMIT);
	assert_int_equal(f->fb.last_timeout, 60);
	assert_string_equal(f->fb.last_comment, "slaguard rule=scan alert=A1");
	assert_string_equal(response(a, 0, "action"), "block-source");
	assert_string_equal(response(a, 0, "result"), "C1");
	assert_string_equal(response(a, 2, "action"), "notify");
}

static void low_severity_only_notifies(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_ANOMALY, "host.pkt_rate", SLA_SEV_LOW,
				    "192.0.2.7");

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 0);
	assert_int_equal(nactions(a), 0);
	assert_string_equal(response(a, 0, "action"), "notify");
}

static void allowlist_refused(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_SLO, "scan", SLA_SEV_HIGH, "10.0.9.5");

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 0);
	assert_int_equal(nactions(a), 0);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_non_null(strstr(response(a, 0, "detail"), "allowlist"));
}

/* max_actions is 2: a third target is refused, the known ones extended. */
static void cap(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.1");
	respond_on_alert(f->r, f->sla, a, f->now);
	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.2");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 2);
	assert_int_equal(f->fb.applies, 2);
	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.3");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 2);
	assert_int_equal(respond_active(f->r), 2);
	assert_non_null(strstr(response(a, 0, "detail"), "cap"));
	/* A source already under the countermeasure keeps its id, extended. */
	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.1");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a->actions, 0)), "C1");
	assert_int_equal(respond_active(f->r), 2);
}

/*
 * At the cap, a more severe action evicts the least severe, oldest one
 * (revoked in the table), so decoys cannot keep the real attacker from
 * being blocked; an action no more severe than what is there is refused.
 */
static void cap_evicts_lower_severity(void **state)
{
	struct fixture *f = *state;
	struct alert *a;

	a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "198.51.100.1");
	respond_on_alert(f->r, f->sla, a, f->now);
	f->now += 1000;
	a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "198.51.100.2");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 2);
	assert_int_equal(f->fb.applies, 2);

	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.66");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 3);
	assert_int_equal(f->fb.revokes, 1);
	assert_string_equal(f->fb.last_target, "192.0.2.66");
	assert_int_equal(respond_active(f->r), 2);
	assert_null(respond_find(f->r, "C1"));		/* the oldest high */
	assert_non_null(respond_find(f->r, "C2"));
	assert_non_null(strstr(response(a, 0, "detail"), "C1"));

	/* No more severe than the least severe there: refused, nothing evicted. */
	a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "198.51.100.3");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 3);
	assert_int_equal(f->fb.revokes, 1);
	assert_non_null(strstr(response(a, 0, "detail"), "cap"));

	/* A replacement the backend refuses puts the replaced one back. */
	f->fb.apply_ret = -EPERM;
	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.67");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.revokes, 2);
	assert_int_equal(f->fb.applies, 5);		/* refused, then put back */
	assert_string_equal(f->fb.last_target, "198.51.100.2");
	assert_non_null(respond_find(f->r, "C2"));
	assert_int_equal(respond_active(f->r), 2);
	assert_string_equal(response(a, 0, "result"), "refused");
}

static const char aggregate_yaml[] =
	"sla: agg\n"
	"components:\n  web: { addresses: [10.0.0.10], ports: [80] }\n"
	"rules:\n  - { id: no-telnet, deny: { to: web, port: 23 }, severity: high }\n"
	"countermeasures:\n  - { when: { severity: high }, do: block-source, for: 10m }\n"
	"allowlist: [203.0.113.7]\n"
	"defaults: { aggregate: { ipv4: 24, min: 3 } }\n";

/*
 * Range decisions: the third blocked address of one /24 turns the three
 * single blocks into one element for the prefix; a fourth address of it is
 * covered; a prefix holding an allowlisted address is never blocked whole.
 */
static void aggregate_into_prefix(void **state)
{
	struct fixture *f = *state;
	struct sla *sla = load_sla_text(aggregate_yaml);
	struct alert *a;
	char src[32];

	sla_free(f->sla);
	f->sla = sla;
	for (int i = 1; i <= 3; i++) {
		snprintf(src, sizeof(src), "198.51.100.%d", i);
		a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, src);
		respond_on_alert(f->r, f->sla, a, f->now);
	}
	assert_string_equal(f->fb.last_target, "198.51.100.0/24");
	assert_int_equal(f->fb.applies, 4);
	assert_int_equal(f->fb.revokes, 3);
	assert_int_equal(respond_active(f->r), 1);

	a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "198.51.100.77");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 4);
	assert_int_equal(respond_active(f->r), 1);
	assert_non_null(strstr(response(a, 0, "detail"), "covered"));

	for (int i = 1; i <= 4; i++) {
		snprintf(src, sizeof(src), "203.0.113.%d", i);
		a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, src);
		respond_on_alert(f->r, f->sla, a, f->now);
	}
	assert_int_equal(respond_active(f->r), 5);
	assert_string_equal(f->fb.last_target, "203.0.113.4");
}

static void dry_run_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "192.0.2.7");
	struct json_object *list, *v;

	respond_set_dry_run(f->r, true);
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 0);
	assert_int_equal(f->fb.hooks, 0);
	assert_int_equal(nactions(a), 1);
	list = respond_list_json(f->r, f->now);
	assert_int_equal(json_object_array_length(list), 1);
	json_object_object_get_ex(json_object_array_get_idx(list, 0), "dry_run", &v);
	assert_true(json_object_get_boolean(v));
	json_object_put(list);
}

/* A deny rule's own countermeasure: run-hook with the alert in env. */
static void rule_hook(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, "192.0.2.7");

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.hooks, 1);
	assert_string_equal(f->fb.last_hook, "/bin/true");
	assert_string_equal(f->fb.last_env_alert, a->id);
	assert_int_equal(f->fb.applies, 1);	/* block, severity high */
}

static void backend_refusal_is_recorded(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.7");

	f->fb.apply_ret = -EPERM;	/* e.g. the host's own address */
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_string_equal(response(a, 0, "detail"), "fake backend refused");
}

static void no_source_no_firewall(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_SLO, "scan", SLA_SEV_HIGH, NULL);

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 0);
	assert_non_null(strstr(response(a, 0, "detail"), "no source"));
}

static void lost_events_own_action(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_LOST_EVENTS, "events.lost", SLA_SEV_HIGH, NULL);

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(f->fb.applies, 0);
	assert_string_equal(response(a, 0, "action"), "notify");
	assert_null(response(a, 1, "action"));
}

static void revoke_and_expire(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.7");
	char err[128];

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_non_null(respond_find(f->r, "C1"));
	assert_int_equal(respond_revoke(f->r, "C9", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no countermeasure C9");
	assert_int_equal(respond_revoke(f->r, "C1", err, sizeof(err)), 0);
	assert_int_equal(f->fb.revokes, 1);
	assert_int_equal(respond_active(f->r), 0);

	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.8");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	respond_expire(f->r, f->now + 600000 - 1);	/* "for: 10m" */
	assert_int_equal(respond_active(f->r), 1);
	respond_expire(f->r, f->now + 600000);
	assert_int_equal(respond_active(f->r), 0);
}

static void adopt(void **state)
{
	struct fixture *f = *state;
	struct json_object *list, *v;

	assert_int_equal(respond_adopt(f->r, NFTB_BLOCK, "192.0.2.9", 30000,
				       "slaguard rule=scan alert=A41", f->now), 0);
	list = respond_list_json(f->r, f->now);
	json_object_object_get_ex(json_object_array_get_idx(list, 0), "alert", &v);
	assert_string_equal(json_object_get_string(v), "A41");
	json_object_object_get_ex(json_object_array_get_idx(list, 0), "remaining_s", &v);
	assert_int_equal(json_object_get_int(v), 30);
	json_object_object_get_ex(json_object_array_get_idx(list, 0), "action", &v);
	assert_string_equal(json_object_get_string(v), "block-source");
	json_object_put(list);
}

/* The I-th entry of the countermeasures listing: KEY's text, or NULL. */
static const char *listed(struct fixture *f, size_t i, const char *key, char *buf,
			  size_t len)
{
	struct json_object *list = respond_list_json(f->r, f->now), *v;
	const char *ret = NULL;

	if (json_object_object_get_ex(json_object_array_get_idx(list, i), key, &v) &&
	    json_object_get_string(v)) {
		snprintf(buf, len, "%s", json_object_get_string(v));
		ret = buf;
	}
	json_object_put(list);
	return ret;
}

static int op_block(struct fixture *f, const char *target, uint64_t ms,
		    const char *reason, char *err, size_t len)
{
	struct respond_request q = { .target = target, .duration_ms = ms,
				     .reason = reason, .uid = 0 };
	const struct countermeasure *c;

	return respond_operator_block(f->r, f->sla, &q, f->now, &c, err, len);
}

static int op_allow(struct fixture *f, const char *target, size_t *lifted,
		    char *err, size_t len)
{
	struct respond_request q = { .target = target, .uid = 1000 };
	const struct countermeasure *c;

	return respond_operator_allow(f->r, f->sla, &q, f->now, &c, lifted, err, len);
}

/*
 * An operator's block goes through the policy's checks: the allowlist,
 * the backend's guard, the cap; it is listed as the operator's, with the
 * uid and reason, and its comment lets a restarted daemon adopt it.
 */
static void operator_block(void **state)
{
	struct fixture *f = *state;
	char err[512], b[128];

	assert_int_equal(op_block(f, "192.0.2.7", 20 * 60000, "ticket 42", err, sizeof(err)), 0);
	assert_int_equal(f->fb.applies, 1);
	assert_int_equal(f->fb.last_kind, NFTB_BLOCK);
	assert_string_equal(f->fb.last_target, "192.0.2.7");
	assert_int_equal(f->fb.last_timeout, 1200);
	assert_string_equal(f->fb.last_comment, "slaguard rule=operator alert=C1 uid=0");
	assert_string_equal(listed(f, 0, "origin", b, sizeof(b)), "operator");
	assert_string_equal(listed(f, 0, "uid", b, sizeof(b)), "0");
	assert_string_equal(listed(f, 0, "reason", b, sizeof(b)), "ticket 42");
	assert_string_equal(listed(f, 0, "action", b, sizeof(b)), "block-source");
	assert_string_equal(listed(f, 0, "remaining_s", b, sizeof(b)), "1200");

	/* the SLA's allowlist */
	assert_int_equal(op_block(f, "10.0.9.5", 0, NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "10.0.9.5 is allowlisted (10.0.9.0/24, the SLA's allowlist)"));
	/* a prefix that holds an allowlisted address */
	assert_int_equal(op_block(f, "10.0.0.0/16", 0, NULL, err, sizeof(err)), -EPERM);
	assert_int_equal(respond_refused(f->r, RESPOND_REFUSED_ALLOWLISTED), 2);
	/* the backend's lockout guard (gateways, resolvers, special ranges) */
	f->fb.apply_ret = -EPERM;
	assert_int_equal(op_block(f, "198.51.100.1", 0, NULL, err, sizeof(err)), -EPERM);
	assert_string_equal(err, "fake backend refused");
	assert_int_equal(respond_refused(f->r, RESPOND_REFUSED_BACKEND), 1);
	f->fb.apply_ret = 0;
	/* bad input says what to fix */
	assert_int_equal(op_block(f, "192.0.2.1/24", 0, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'192.0.2.1/24' has host bits set: did you mean 192.0.2.0/24?");
	assert_int_equal(op_block(f, "nohost", 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected an IPv4 or IPv6 address or a CIDR prefix"));
	assert_int_equal(op_block(f, "192.0.2.8", 31ull * 86400000, NULL, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "for: a duration from 1s to 30d");
	assert_int_equal(op_block(f, "192.0.2.8", 0, "a\nb", err, sizeof(err)), -EINVAL);
	/* a prefix goes to the interval set; default one hour */
	assert_int_equal(op_block(f, "198.51.100.0/24", 0, NULL, err, sizeof(err)), 0);
	assert_string_equal(f->fb.last_target, "198.51.100.0/24");
	assert_int_equal(f->fb.last_timeout, 3600);
	assert_int_equal(respond_active(f->r), 2);
	/* the cap (max_actions 2), nothing less severe than an operator's */
	assert_int_equal(op_block(f, "203.0.113.9", 0, NULL, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "defaults.max_actions"));
	assert_int_equal(respond_operator_counters(f->r)->block, 2);
	assert_int_equal(respond_operator_counters(f->r)->block_refused, 8);
}

/* At the cap, an operator's block replaces a less severe automatic one. */
static void operator_block_replaces_at_cap(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_SLO, "scan", SLA_SEV_HIGH, "192.0.2.7");
	char err[512];

	respond_on_alert(f->r, f->sla, a, f->now);	/* block + rate-limit */
	assert_int_equal(respond_active(f->r), 2);
	assert_int_equal(op_block(f, "203.0.113.9", 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(respond_active(f->r), 2);
	assert_int_equal(f->fb.revokes, 1);
	assert_non_null(respond_find_target(f->r, SLA_ACT_BLOCK_SOURCE, "203.0.113.9"));
}

/*
 * An allow lifts what is in force on the addresses it covers, and no
 * countermeasure - automatic or the operator's - acts on them until it
 * is revoked or expires.
 */
static void operator_allow(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.7");
	size_t lifted = 0;
	char err[512], b[128], id[16];

	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 1);
	assert_int_equal(op_allow(f, "192.0.2.0/24", &lifted, err, sizeof(err)), 0);
	assert_int_equal(lifted, 1);
	assert_int_equal(f->fb.revokes, 1);
	assert_int_equal(respond_active(f->r), 0);
	assert_int_equal(respond_allows(f->r), 1);
	assert_string_equal(listed(f, 0, "action", b, sizeof(b)), "allow");
	assert_string_equal(listed(f, 0, "target", b, sizeof(b)), "192.0.2.0/24");
	assert_string_equal(listed(f, 0, "uid", b, sizeof(b)), "1000");
	assert_string_equal(listed(f, 0, "remaining_s", b, sizeof(b)), "86400");
	snprintf(id, sizeof(id), "%s", listed(f, 0, "id", b, sizeof(b)));

	a = alert_for(f, FINDING_RULE, "db-deny", SLA_SEV_CRITICAL, "192.0.2.9");
	respond_on_alert(f->r, f->sla, a, f->now);
	assert_int_equal(respond_active(f->r), 0);
	assert_string_equal(response(a, 0, "result"), "refused");
	assert_int_equal(op_block(f, "192.0.2.9", 0, NULL, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "an operator's allow"));

	assert_false(respond_guard_stale(f->r));
	assert_int_equal(respond_revoke(f->r, id, err, sizeof(err)), 0);
	assert_int_equal(respond_allows(f->r), 0);
	assert_true(respond_guard_stale(f->r));
	assert_int_equal(op_block(f, "192.0.2.9", 0, NULL, err, sizeof(err)), 0);

	/* allows expire */
	assert_int_equal(op_allow(f, "2001:db8::/32", &lifted, err, sizeof(err)), 0);
	respond_expire(f->r, f->now + 86400000ull - 1);
	assert_int_equal(respond_allows(f->r), 1);
	respond_expire(f->r, f->now + 86400000ull);
	assert_int_equal(respond_allows(f->r), 0);
}

static const char repeat_yaml[] =
	"sla: rep\n"
	"components:\n  web: { addresses: [10.0.0.10], ports: [80] }\n"
	"rules:\n  - { id: no-telnet, deny: { to: web, port: 23 }, severity: high }\n"
	"countermeasures:\n  - { when: { severity: high }, do: block-source, for: 10m }\n"
	"defaults: { repeat: { multiplier: 2, max: 35m, window: 1h, remember: 2 } }\n";

static unsigned int block_again(struct fixture *f, const char *src)
{
	struct alert *a = alert_for(f, FINDING_RULE, "no-telnet", SLA_SEV_HIGH, src);
	const struct countermeasure *c;
	char err[64];

	respond_on_alert(f->r, f->sla, a, f->now);
	c = respond_find_target(f->r, SLA_ACT_BLOCK_SOURCE, src);
	assert_non_null(c);
	snprintf(err, sizeof(err), "%s", c->id);
	assert_int_equal(respond_revoke(f->r, err, err, sizeof(err)), 0);
	return f->fb.last_timeout;
}

/*
 * The Nth block of one source within the window lasts 10m x 2^(N-1), at
 * most 35m; after a quiet window it starts again; memory is bounded (the
 * least recently blocked forgotten, counted).
 */
static void repeat_offenders(void **state)
{
	struct fixture *f = *state;
	char err[512];

	sla_free(f->sla);
	f->sla = load_sla_text(repeat_yaml);
	assert_int_equal(block_again(f, "192.0.2.7"), 600);
	assert_int_equal(block_again(f, "192.0.2.7"), 1200);
	assert_int_equal(block_again(f, "192.0.2.7"), 2100);	/* 40m, capped */
	assert_int_equal(respond_offender_count(f->r, "192.0.2.7", 3600000, f->now), 3);
	/* an operator's block counts and grows the same way */
	assert_int_equal(op_block(f, "192.0.2.7", 60000, NULL, err, sizeof(err)), 0);
	assert_int_equal(f->fb.last_timeout, 480);		/* 1m x 2^3 */
	assert_int_equal(respond_find_target(f->r, SLA_ACT_BLOCK_SOURCE, "192.0.2.7")->repeat, 4);
	assert_int_equal(respond_revoke(f->r, respond_find_target(f->r, SLA_ACT_BLOCK_SOURCE,
								   "192.0.2.7")->id, err, sizeof(err)), 0);
	/* a quiet hour: the count starts again */
	f->now += 3600001;
	assert_int_equal(block_again(f, "192.0.2.7"), 600);
	assert_int_equal(block_again(f, "192.0.2.7"), 1200);
	/* remember: 2 */
	assert_int_equal(block_again(f, "198.51.100.1"), 600);
	assert_int_equal(respond_offenders_evicted(f->r), 0);
	assert_int_equal(block_again(f, "198.51.100.2"), 600);
	assert_int_equal(respond_offenders(f->r), 2);
	assert_int_equal(respond_offenders_evicted(f->r), 1);
	assert_int_equal(respond_offender_count(f->r, "192.0.2.7", 3600000, f->now), 0);
	assert_int_equal(block_again(f, "198.51.100.1"), 1200);
}

/* Without defaults.repeat every block lasts its "for". */
static void repeat_off(void **state)
{
	struct fixture *f = *state;

	sla_free(f->sla);
	f->sla = load_sla_text(aggregate_yaml);
	assert_int_equal(block_again(f, "192.0.2.7"), 600);
	assert_int_equal(block_again(f, "192.0.2.7"), 600);
	assert_int_equal(respond_offenders(f->r), 0);
}

/* The counts are written to the state file and read back after a restart. */
static void repeat_survives_restart(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/sgd-offenders-XXXXXX", path[64];
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/offenders", dir);
	sla_free(f->sla);
	f->sla = load_sla_text(repeat_yaml);
	respond_set_offender_state(f->r, path);
	block_again(f, "192.0.2.7");
	block_again(f, "192.0.2.7");
	respond_free(f->r);		/* writes the file */
	assert_int_equal(respond_new(&f->r, &fake_ops, &f->fb), 0);
	respond_set_offender_state(f->r, path);
	f->now += 60000;		/* another clock origin would do too */
	respond_offenders_recover(f->r, f->now, 2);
	assert_int_equal(respond_offender_count(f->r, "192.0.2.7", 3600000, f->now), 2);
	assert_int_equal(block_again(f, "192.0.2.7"), 2100);
	/* a damaged line is skipped, not fatal */
	respond_free(f->r);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("not an address\t3\t0\n", fp);
	fclose(fp);
	assert_int_equal(respond_new(&f->r, &fake_ops, &f->fb), 0);
	respond_set_offender_state(f->r, path);
	respond_offenders_recover(f->r, f->now, 2);
	assert_int_equal(respond_offenders(f->r), 1);
	unlink(path);
	rmdir(dir);
}

/* Operator allows are written at each change and taken back after a restart. */
static void allows_survive_restart(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/sgd-allows-XXXXXX", path[64], err[256], b[64];
	size_t lifted;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/allows", dir);
	respond_set_allow_state(f->r, path);
	assert_int_equal(op_allow(f, "192.0.2.0/24", &lifted, err, sizeof(err)), 0);
	assert_int_equal(op_allow(f, "198.51.100.9", &lifted, err, sizeof(err)), 0);
	assert_int_equal(respond_revoke(f->r, "C2", err, sizeof(err)), 0);
	respond_free(f->r);
	assert_int_equal(respond_new(&f->r, &fake_ops, &f->fb), 0);
	respond_set_allow_state(f->r, path);
	respond_allows_recover(f->r, f->now);
	assert_int_equal(respond_allows(f->r), 1);
	assert_true(respond_guard_stale(f->r));
	assert_string_equal(listed(f, 0, "id", b, sizeof(b)), "C1");
	assert_string_equal(listed(f, 0, "target", b, sizeof(b)), "192.0.2.0/24");
	assert_string_equal(listed(f, 0, "uid", b, sizeof(b)), "1000");
	assert_true(respond_next_num(f->r) >= 2);
	assert_int_equal(op_block(f, "192.0.2.7", 0, NULL, err, sizeof(err)), -EPERM);
	unlink(path);
	rmdir(dir);
}

/* Revoke by target: everything on it as listed, allows too. */
static void revoke_by_target(void **state)
{
	struct fixture *f = *state;
	struct alert *a = alert_for(f, FINDING_SLO, "scan", SLA_SEV_HIGH, "192.0.2.7");
	char err[256];
	size_t n, lifted;

	respond_on_alert(f->r, f->sla, a, f->now);	/* block + rate-limit */
	assert_int_equal(respond_revoke_target(f->r, "192.0.2.7", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(respond_active(f->r), 0);
	assert_int_equal(respond_revoke_target(f->r, "192.0.2.7", &n, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no countermeasure on 192.0.2.7");
	assert_int_equal(respond_revoke_target(f->r, "192.0.2.7/33", &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(op_allow(f, "2001:db8::/32", &lifted, err, sizeof(err)), 0);
	assert_int_equal(respond_revoke_target(f->r, "2001:0db8::/32", &n, err, sizeof(err)), 0);
	assert_int_equal(respond_allows(f->r), 0);
}

/* An operator's block found in the table keeps its id and origin. */
static void adopt_operator(void **state)
{
	struct fixture *f = *state;
	char b[64];

	assert_int_equal(respond_adopt(f->r, NFTB_BLOCK, "192.0.2.9", 30000,
				       "slaguard rule=operator alert=C7 uid=0", f->now), 0);
	assert_string_equal(listed(f, 0, "id", b, sizeof(b)), "C7");
	assert_string_equal(listed(f, 0, "origin", b, sizeof(b)), "operator");
	assert_null(listed(f, 0, "alert", b, sizeof(b)));
	assert_true(respond_next_num(f->r) >= 8);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(severity_and_slo_policy),
		T(low_severity_only_notifies),
		T(allowlist_refused),
		T(cap),
		T(cap_evicts_lower_severity),
		T(aggregate_into_prefix),
		T(dry_run_changes_nothing),
		T(rule_hook),
		T(backend_refusal_is_recorded),
		T(no_source_no_firewall),
		T(lost_events_own_action),
		T(revoke_and_expire),
		T(adopt),
		T(operator_block),
		T(operator_block_replaces_at_cap),
		T(operator_allow),
		T(repeat_offenders),
		T(repeat_off),
		T(repeat_survives_restart),
		T(adopt_operator),
		T(allows_survive_restart),
		T(revoke_by_target),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
