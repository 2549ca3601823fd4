// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SLA history over a whole engine (fake backend): transitions,
 * violations with their worst value and evidence, alerts and the
 * countermeasures they took, a clean stop, a run that crashed, retention.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine.h"
#include "helpers.h"
#include "history.h"
#include "util.h"

#define DAY_MS	(86400ull * 1000)

struct fixture {
	struct engine e;
	struct fake_backend fb;
	char dir[64], db[96];
	struct history *h;		/* told of alerts */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct engine_opts o = test_engine_opts(&f->fb);

	snprintf(f->dir, sizeof(f->dir), "/tmp/sgd-hist-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/" HISTORY_FILE, f->dir);
	assert_int_equal(engine_init(&f->e, load_test_sla(), "test.yaml", &o), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	engine_fini(&f->e);
	for (const char *const *s = (const char *const[]){ "", "-wal", "-shm", NULL }; *s; s++) {
		snprintf(path, sizeof(path), "%s%s", f->db, *s);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The first column of the first row of SQL, as text ("" if none). */
static void query(struct fixture *f, const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void expect(struct fixture *f, const char *sql, const char *want)
{
	char got[4096];

	query(f, sql, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s: got '%s', expected '%s'", sql, got, want);
}

static void portscan(struct fixture *f, const char *src, uint64_t ports)
{
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, src, NULL, 0, 0, ports, sgd_mono_ms());
	/* a source that completed handshakes: its address is its own */
	r.net.has_handshakes = true;
	r.net.handshakes = 3;
	r.net.features.present = 1u << REC_F_PORTS;
	r.net.features.v[REC_F_PORTS] = ports;
	engine_on_record(&r, &f->e);
}

static void on_alert(const struct alert *a, void *arg)
{
	struct fixture *f = arg;

	history_alert(f->h, &f->e, a);
}

static struct history *open_h(struct fixture *f, uint64_t retention_ms, uint64_t now)
{
	struct history *h;
	char err[256];

	if (history_open(&h, f->db, retention_ms, now, err, sizeof(err)) < 0)
		fail_msg("history_open: %s", err);
	return h;
}

static void recorded(void **state)
{
	struct fixture *f = *state;
	uint64_t now = sgd_real_ms();
	struct history *h = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now);

	f->e.on_alert = on_alert;
	f->e.on_alert_arg = f;
	f->h = h;
	history_tick(h, &f->e, now);
	/* Every SLO has a state from the first tick on, unknown ones too. */
	expect(f, "SELECT COUNT(DISTINCT slo) FROM transitions", "4");
	expect(f, "SELECT state FROM transitions WHERE slo = 'scan'", "unknown");

	portscan(f, "192.0.2.7", 40);
	history_tick(h, &f->e, now + 1000);
	expect(f, "SELECT state || ' ' || value FROM transitions WHERE slo = 'scan' ORDER BY rowid DESC", "violated 40.0");
	expect(f, "SELECT COUNT(*) || ' ' || worst || ' ' || (end_ms IS NULL) FROM violations WHERE slo = 'scan'", "1 40.0 1");
	expect(f, "SELECT json_extract(evidence, '$.evidence.sources[0].source') FROM violations", "192.0.2.7");
	/* A worse value of the same violation: the worst and its evidence. */
	portscan(f, "192.0.2.8", 55);
	history_tick(h, &f->e, now + 2000);
	expect(f, "SELECT COUNT(*) || ' ' || worst FROM violations WHERE slo = 'scan'", "1 55.0");
	expect(f, "SELECT COUNT(*) FROM transitions WHERE slo = 'scan'", "2");
	/* Alerts, and the countermeasures they took (block + rate-limit each). */
	expect(f, "SELECT COUNT(*) FROM alerts WHERE ref = 'scan' AND kind = 'slo' AND severity = 'high'", "2");
	expect(f, "SELECT group_concat(action || ' ' || target, ',') FROM countermeasures WHERE alert = 'A1'",
	       "block-source 192.0.2.7,rate-limit 192.0.2.7");
	expect(f, "SELECT json_extract(alert, '$.actions[0]') FROM alerts WHERE id = 'A1'", "C1");

	/* A clean stop: unknown from then on, the violation ended. */
	history_close(h, now + 3000);
	f->e.on_alert = NULL;
	expect(f, "SELECT state FROM transitions WHERE slo = 'scan' ORDER BY rowid DESC", "unknown");
	char want[64];
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(now + 3000));
	expect(f, "SELECT end_ms FROM violations WHERE slo = 'scan'", want);
	expect(f, "SELECT stopped FROM runs", "1");
	expect(f, "PRAGMA journal_mode", "wal");

	/* It survives: a new run adds to the same file. */
	h = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now + 4000);
	history_tick(h, &f->e, now + 4000);
	expect(f, "SELECT COUNT(*) FROM runs", "2");
	/* The engine still holds the scan: violated again in this run. */
	expect(f, "SELECT COUNT(*) || ' ' || COUNT(end_ms) FROM violations", "2 1");
	history_close(h, now + 5000);
}

/* Operator actions: who (uid, reason), what, until when; ref "operator". */
static void operator_recorded(void **state)
{
	struct fixture *f = *state;
	uint64_t now = sgd_real_ms();
	struct history *h = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now);
	struct respond_request q = { .target = "192.0.2.7", .duration_ms = 600000,
				     .reason = "ticket 42", .uid = 1000 };
	const struct countermeasure *c;
	char err[256], want[64];

	assert_int_equal(respond_operator_block(f->e.resp, f->e.sla, &q, sgd_mono_ms(), &c,
						err, sizeof(err)), 0);
	history_operator(h, c, "block-source", now);
	expect(f, "SELECT id || ' ' || action || ' ' || target || ' ' || ref || ' ' || alert "
	       "FROM countermeasures", "C1 block-source 192.0.2.7 operator uid 1000: ticket 42");
	snprintf(want, sizeof(want), "1");
	expect(f, "SELECT expires_ms - at_ms BETWEEN 599000 AND 600000 FROM countermeasures", want);
	history_close(h, now + 1000);
}

/* A run that never stopped ends at its last heartbeat, not at the next start. */
static void crashed(void **state)
{
	struct fixture *f = *state;
	uint64_t now = sgd_real_ms();
	struct history *h1 = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now), *h2;
	char want[64];

	portscan(f, "192.0.2.7", 40);
	history_tick(h1, &f->e, now);
	history_tick(h1, &f->e, now + HISTORY_HEARTBEAT_MS);	/* beats */
	/* h1 "crashes": a second daemon opens the file a minute later. */
	h2 = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now + 60000);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(now + HISTORY_HEARTBEAT_MS));
	expect(f, "SELECT end_ms FROM violations WHERE slo = 'scan'", want);
	char w2[96];
	snprintf(w2, sizeof(w2), "unknown %s", want);
	expect(f, "SELECT state || ' ' || at_ms FROM transitions WHERE slo = 'scan' ORDER BY rowid DESC LIMIT 1", w2);
	history_close(h2, now + 61000);
	history_close(h1, now + 62000);
}

static void retention(void **state)
{
	struct fixture *f = *state;
	uint64_t now = sgd_real_ms();
	struct history *h = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now - 10 * DAY_MS);

	/* Ten days ago: a violation that ended, an alert. */
	portscan(f, "192.0.2.7", 40);
	f->e.on_alert = on_alert;
	f->e.on_alert_arg = f;
	f->h = h;
	history_tick(h, &f->e, now - 10 * DAY_MS);
	history_close(h, now - 10 * DAY_MS + 1000);
	h = open_h(f, HISTORY_DEFAULT_RETENTION_MS, now);
	expect(f, "SELECT COUNT(*) FROM violations", "1");
	history_close(h, now + 1000);
	/* Kept for a week: gone, but each SLO's last state before the cut stays. */
	h = open_h(f, 7 * DAY_MS, now + 2000);
	expect(f, "SELECT COUNT(*) FROM violations", "0");
	expect(f, "SELECT COUNT(*) FROM countermeasures", "0");
	expect(f, "SELECT COUNT(*) FROM transitions WHERE slo = 'scan' AND at_ms < strftime('%s','now') * 1000 - 86400000", "1");
	history_close(h, now + 3000);
	f->e.on_alert = NULL;
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(operator_recorded),
		T(recorded),
		T(crashed),
		T(retention),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
