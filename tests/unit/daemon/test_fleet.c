// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fleet decisions: their JSON both ways, what a node refuses to decode,
 * the ledger that makes applying idempotent and skips what expired, and
 * applying another node's decision through the respond stage (its
 * allowlist, its comment naming the origin).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "alert.h"
#include "fleet.h"
#include "helpers.h"
#include "respond.h"

static struct fleet_decision decision(const char *node, const char *id,
				      uint64_t expires)
{
	struct fleet_decision d = {
		.op = FLEET_APPLY, .fleet = true, .action = SLA_ACT_BLOCK_SOURCE,
		.issued_ms = 1000, .expires_ms = expires, .severity = SLA_SEV_HIGH,
	};

	snprintf(d.site, sizeof(d.site), "lab");
	snprintf(d.node, sizeof(d.node), "%s", node);
	snprintf(d.id, sizeof(d.id), "%s", id);
	snprintf(d.target, sizeof(d.target), "192.0.2.9");
	snprintf(d.alert, sizeof(d.alert), "A7");
	snprintf(d.ref, sizeof(d.ref), "no-cards");
	return d;
}

static void round_trip(void **state)
{
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 601000), back;
	char buf[1024], err[160];
	int n;

	(void)state;
	d.action = SLA_ACT_RATE_LIMIT;
	snprintf(d.target, sizeof(d.target), "2001:db8::/32");
	n = fleet_decision_encode(&d, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(fleet_decision_decode(buf, (size_t)n, &back, err, sizeof(err)), 0);
	assert_int_equal(back.op, FLEET_APPLY);
	assert_true(back.fleet);
	assert_string_equal(back.id, d.id);
	assert_string_equal(back.site, "lab");
	assert_string_equal(back.node, "a");
	assert_int_equal(back.action, SLA_ACT_RATE_LIMIT);
	assert_string_equal(back.target, "2001:db8::/32");
	assert_int_equal(back.issued_ms, 1000);
	assert_int_equal(back.expires_ms, 601000);
	assert_string_equal(back.alert, "A7");
	assert_string_equal(back.ref, "no-cards");
	assert_int_equal(back.severity, SLA_SEV_HIGH);
	d.op = FLEET_REVOKE;
	d.fleet = false;
	n = fleet_decision_encode(&d, buf, sizeof(buf));
	assert_int_equal(fleet_decision_decode(buf, (size_t)n, &back, err, sizeof(err)), 0);
	assert_int_equal(back.op, FLEET_REVOKE);
	assert_false(back.fleet);
	assert_int_equal(fleet_decision_encode(&d, buf, 20), -ENOSPC);
}

/* Change FIELD of a good decision to VALUE (JSON text): it must be refused. */
static void refused(const char *field, const char *value, const char *why)
{
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 601000), back;
	char buf[1024], err[160];
	struct json_object *o;
	const char *text;
	int n = fleet_decision_encode(&d, buf, sizeof(buf));

	assert_true(n > 0);
	o = json_tokener_parse(buf);
	assert_non_null(o);
	if (value)
		json_object_object_add(o, field, json_tokener_parse(value));
	else
		json_object_object_del(o, field);
	text = json_object_to_json_string(o);
	if (fleet_decision_decode(text, strlen(text), &back, err, sizeof(err)) != -EINVAL ||
	    !strstr(err, why))
		fail_msg("%s=%s: want an error with \"%s\", got \"%s\"", field,
			 value ? value : "(none)", why, err);
	json_object_put(o);
}

static void bad_decisions(void **state)
{
	struct fleet_decision back;
	char err[160];

	(void)state;
	refused("v", "2", "field 'v'");
	refused("op", "\"delete\"", "field 'op'");
	refused("site", "\"lab.x\"", "field 'site'");
	refused("node", "\"\"", "field 'node'");
	refused("node", "7", "field 'node'");
	refused("scope", "\"world\"", "field 'scope'");
	refused("action", "\"run-hook\"", "field 'action'");
	refused("target", "\"example.com\"", "field 'target'");
	refused("target", "\"192.0.2.1 drop\"", "field 'target'");
	/* Fields that end up in an nftables comment cannot break out of it. */
	refused("alert", "\"A1\\\" drop\"", "fields 'id', 'alert', 'ref'");
	refused("id", "\"x y\"", "fields 'id', 'alert', 'ref'");
	refused("expires_ms", "500", "before 'issued_ms'");
	refused("expires_ms", "-5", "field 'expires_ms'");
	refused("severity", "\"huge\"", "field 'severity'");
	refused("ref", NULL, "field 'ref'");
	assert_int_equal(fleet_decision_decode("{\"v\":1} x", 9, &back, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fleet_decision_decode("[]", 2, &back, err, sizeof(err)), -EINVAL);
	assert_int_equal(fleet_decision_decode("", 0, &back, err, sizeof(err)), -EINVAL);
}

/* A node speaks only under its own subject. */
static void subject_names_the_node(void **state)
{
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 601000);
	char err[160];

	(void)state;
	assert_int_equal(fleet_subject_check("slaguard.lab.a.decision", &d, err, sizeof(err)), 0);
	assert_int_equal(fleet_subject_check("slaguard.lab.b.decision", &d, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "a decision of a@lab published under slaguard.lab.b.decision"));
	assert_int_equal(fleet_subject_check("slaguard.par.a.decision", &d, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fleet_subject_check("slaguard.lab.a.alert", &d, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fleet_subject_check(NULL, &d, err, sizeof(err)), -EINVAL);
}

static void ledger_idempotent(void **state)
{
	struct fleet_ledger l;
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 10000);
	struct fleet_decision rv = d;

	(void)state;
	fleet_ledger_init(&l, 100);
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "b", 5000), FLEET_DO_APPLY);
	assert_int_equal(fleet_ledger_note(&l, &d, "C9"), 0);
	/* Redelivered: never a second countermeasure. */
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "b", 5000), FLEET_SKIP_DUPLICATE);
	assert_string_equal(fleet_ledger_find(&l, d.id)->cm, "C9");
	assert_non_null(fleet_ledger_by_cm(&l, "C9"));
	assert_null(fleet_ledger_by_cm(&l, "C10"));
	/* Own decisions and scope local are not applied. */
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "a", 5000), FLEET_SKIP_OWN);
	d.fleet = false;
	snprintf(d.id, sizeof(d.id), "lab.a.C4.A8");
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "b", 5000), FLEET_SKIP_LOCAL);
	/* A revoke of it, from any node, lifts it once. */
	rv.op = FLEET_REVOKE;
	snprintf(rv.node, sizeof(rv.node), "c");
	assert_int_equal(fleet_ledger_judge(&l, &rv, "lab", "b", 5000), FLEET_DO_REVOKE);
	fleet_ledger_note(&l, &rv, NULL);
	assert_int_equal(fleet_ledger_judge(&l, &rv, "lab", "b", 5000), FLEET_SKIP_DUPLICATE);
	assert_null(fleet_ledger_by_cm(&l, "C9"));
	/* The apply redelivered after its revoke stays lifted. */
	rv.op = FLEET_APPLY;
	assert_int_equal(fleet_ledger_judge(&l, &rv, "lab", "b", 5000), FLEET_SKIP_REVOKED);
	/* A revoke of something never applied here does nothing. */
	snprintf(rv.id, sizeof(rv.id), "lab.a.C99.A1");
	rv.op = FLEET_REVOKE;
	assert_int_equal(fleet_ledger_judge(&l, &rv, "lab", "b", 5000), FLEET_SKIP_UNKNOWN);
	fleet_ledger_fini(&l);
}

static void ledger_expiry(void **state)
{
	struct fleet_ledger l;
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 10000);

	(void)state;
	fleet_ledger_init(&l, 2);
	/* Caught up after it expired: skipped. */
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "b", 10000), FLEET_SKIP_EXPIRED);
	assert_int_equal(fleet_ledger_judge(&l, &d, "lab", "b", 9999), FLEET_DO_APPLY);
	fleet_ledger_note(&l, &d, "C1");
	/* Forgotten once expired: nothing to redeliver would still be due. */
	fleet_ledger_expire(&l, 9999);
	assert_int_equal(l.n, 1);
	fleet_ledger_expire(&l, 10000);
	assert_int_equal(l.n, 0);
	/* At its bound the entry that expires first makes room. */
	fleet_ledger_note(&l, &d, "C1");
	d = decision("a", "lab.a.C4.A8", 50000);
	fleet_ledger_note(&l, &d, "C2");
	d = decision("a", "lab.a.C5.A9", 30000);
	fleet_ledger_note(&l, &d, "C3");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.evicted, 1);
	assert_null(fleet_ledger_find(&l, "lab.a.C3.A7"));
	assert_non_null(fleet_ledger_find(&l, "lab.a.C4.A8"));
	fleet_ledger_fini(&l);
}

/* The ledger across a restart: saved, loaded (what is still due), rebound. */
static void ledger_kept(void **state)
{
	char dir[] = "/tmp/sgd-fleet-XXXXXX", path[64];
	struct fleet_ledger l, back;
	struct fleet_decision d = decision("a", "lab.a.C3.A7", 10000);
	const struct fleet_ledger_entry *e;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fleet-ledger", dir);
	fleet_ledger_init(&l, 100);
	fleet_ledger_note(&l, &d, "C3");
	d = decision("a", "lab.a.C4.A8", 20000);
	snprintf(d.target, sizeof(d.target), "2001:db8::7");
	fleet_ledger_note(&l, &d, "C4");
	d.op = FLEET_REVOKE;
	fleet_ledger_note(&l, &d, NULL);
	d = decision("b", "lab.b.C1.A1", 3000);		/* expired by then */
	fleet_ledger_note(&l, &d, "");
	assert_int_equal(fleet_ledger_save(&l, path), 0);
	fleet_ledger_init(&back, 100);
	assert_int_equal(fleet_ledger_load(&back, path, 5000), 0);
	assert_int_equal(back.n, 2);
	e = fleet_ledger_find(&back, "lab.a.C3.A7");
	assert_non_null(e);
	assert_string_equal(e->cm, "C3");
	assert_string_equal(e->target, "192.0.2.9");
	assert_int_equal(e->action, SLA_ACT_BLOCK_SOURCE);
	assert_int_equal(e->expires_ms, 10000);
	assert_false(e->revoked);
	assert_true(fleet_ledger_find(&back, "lab.a.C4.A8")->revoked);
	assert_null(fleet_ledger_find(&back, "lab.b.C1.A1"));
	/* After a restart the element has a new countermeasure id. */
	assert_ptr_equal(fleet_ledger_by_target(&back, SLA_ACT_BLOCK_SOURCE, "192.0.2.9"), e);
	assert_null(fleet_ledger_by_target(&back, SLA_ACT_RATE_LIMIT, "192.0.2.9"));
	assert_null(fleet_ledger_by_target(&back, SLA_ACT_BLOCK_SOURCE, "2001:db8::7"));
	fleet_ledger_rebind(&back, "lab.a.C3.A7", "C10001");
	assert_ptr_equal(fleet_ledger_by_cm(&back, "C10001"), e);
	assert_null(fleet_ledger_by_cm(&back, "C3"));
	/* A redelivered decision is still a duplicate. */
	d = decision("a", "lab.a.C3.A7", 10000);
	assert_int_equal(fleet_ledger_judge(&back, &d, "lab", "b", 5000), FLEET_SKIP_DUPLICATE);
	/* A missing file is an empty ledger; garbage lines are skipped. */
	unlink(path);
	assert_int_equal(fleet_ledger_load(&back, path, 5000), 0);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("x\nlab.a.C9.A9 99999 0 C9 2 192.0.2.1\nbad\"id 99999 0 - 2 -\n", f);
		fclose(f);
	}
	fleet_ledger_fini(&back);
	fleet_ledger_init(&back, 100);
	assert_int_equal(fleet_ledger_load(&back, path, 5000), 0);
	assert_int_equal(back.n, 1);
	unlink(path);
	rmdir(dir);
	fleet_ledger_fini(&back);
	fleet_ledger_fini(&l);
}

/* ---- respond_apply_remote() with a fake backend ---- */

struct heard {
	int decided, revoked;
	bool fleet;
};

static void on_decided(void *arg, const struct countermeasure *c,
		       const struct sla_countermeasure *pol, const struct alert *a)
{
	struct heard *h = arg;

	(void)c;
	(void)a;
	h->decided++;
	h->fleet = pol && pol->fleet;
}

static void on_revoked(void *arg, const struct countermeasure *c)
{
	(void)c;
	((struct heard *)arg)->revoked++;
}

static void remote_alert(struct alert *a, const char *source)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "A7");
	snprintf(a->ref, sizeof(a->ref), "no-cards");
	a->severity = SLA_SEV_CRITICAL;
	a->has_source = true;
	snprintf(a->source, sizeof(a->source), "%s", source);
	a->family = sgd_parse_addr(source, a->src);
	a->evidence = json_object_new_object();
	a->actions = json_object_new_array();
}

static void apply_remote(void **state)
{
	struct sla *sla = load_test_sla();
	struct fake_backend fb = { 0 };
	struct respond *r;
	struct heard h = { 0 };
	struct respond_listener rl = { on_decided, on_revoked, &h };
	struct alert a;
	const struct countermeasure *c;
	char err[128];

	(void)state;
	assert_int_equal(respond_new(&r, &fake_ops, &fb), 0);
	respond_set_listener(r, &rl);
	remote_alert(&a, "192.0.2.9");
	respond_apply_remote(r, sla, SLA_ACT_BLOCK_SOURCE, 90500, "a@lab", &a, 1000);
	assert_int_equal(fb.applies, 1);
	assert_int_equal(fb.last_timeout, 91);		/* what is left, rounded up */
	assert_string_equal(fb.last_comment, "slaguard rule=no-cards alert=A7 origin=a@lab");
	assert_int_equal(json_object_array_length(a.actions), 1);
	c = respond_find(r, json_object_get_string(json_object_array_get_idx(a.actions, 0)));
	assert_non_null(c);
	assert_string_equal(c->origin, "a@lab");
	assert_int_equal(c->expires, 1000 + 91000);
	/* Another node's decision is not reported back to the fleet. */
	assert_int_equal(h.decided, 0);
	/* ... but an operator's revoke of it is. */
	assert_int_equal(respond_revoke(r, c->id, err, sizeof(err)), 0);
	assert_int_equal(h.revoked, 1);
	json_object_put(a.evidence);
	json_object_put(a.actions);

	/* This node's allowlist (10.0.9.0/24) refuses it, and says so. */
	remote_alert(&a, "10.0.9.5");
	respond_apply_remote(r, sla, SLA_ACT_BLOCK_SOURCE, 60000, "a@lab", &a, 1000);
	assert_int_equal(fb.applies, 1);
	assert_int_equal(json_object_array_length(a.actions), 0);
	assert_non_null(strstr(json_object_to_json_string(a.evidence), "allowlisted"));
	json_object_put(a.evidence);
	json_object_put(a.actions);

	/* The backend's guard (an own address: -EPERM) refuses it too. */
	fb.apply_ret = -EPERM;
	remote_alert(&a, "192.0.2.20");
	respond_apply_remote(r, sla, SLA_ACT_BLOCK_SOURCE, 60000, "a@lab", &a, 1000);
	assert_int_equal(json_object_array_length(a.actions), 0);
	assert_int_equal(respond_active(r), 0);
	json_object_put(a.evidence);
	json_object_put(a.actions);
	respond_free(r);
	sla_free(sla);
}

/* This node's own decisions reach the listener with their policy. */
static void local_decision_heard(void **state)
{
	struct sla *sla = load_sla_text("sla: t\n"
		"rules:\n  - { id: r, deny: { user: u, read: x }, severity: high }\n"
		"countermeasures:\n  - { when: { rule: r }, do: block-source, scope: fleet }\n"
		"fleet: { servers: nats://127.0.0.1:4222, node: a, site: lab }\n");
	struct fake_backend fb = { 0 };
	struct respond *r;
	struct heard h = { 0 };
	struct respond_listener rl = { on_decided, on_revoked, &h };
	struct alert a;

	(void)state;
	assert_int_equal(respond_new(&r, &fake_ops, &fb), 0);
	respond_set_listener(r, &rl);
	remote_alert(&a, "192.0.2.9");
	snprintf(a.ref, sizeof(a.ref), "r");
	a.kind = FINDING_RULE;
	a.rule = sla_find_rule(sla, "r");
	respond_on_alert(r, sla, &a, 1000);
	assert_int_equal(fb.applies, 1);
	assert_string_equal(fb.last_comment, "slaguard rule=r alert=A7");
	assert_int_equal(h.decided, 1);
	assert_true(h.fleet);
	json_object_put(a.evidence);
	json_object_put(a.actions);
	respond_free(r);
	sla_free(sla);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(bad_decisions),
		cmocka_unit_test(subject_names_the_node),
		cmocka_unit_test(ledger_idempotent),
		cmocka_unit_test(ledger_expiry),
		cmocka_unit_test(ledger_kept),
		cmocka_unit_test(apply_remote),
		cmocka_unit_test(local_decision_heard),
	};

	return cmocka_run_group_tests_name("fleet", tests, NULL, NULL);
}
