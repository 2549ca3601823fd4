// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "engine.h"
#include "history.h"
#include "util.h"

/* The last recorded state of one SLO, so only changes are written. */
struct slo_mark {
	char *id;
	int state;			/* enum slo_state; -1: none recorded yet */
	int64_t violation;		/* row of the open violation, 0 none */
	bool has_worst;
	double worst;
	bool seen;			/* still in the SLA at this tick */
};

struct history {
	sqlite3 *db;
	int64_t run;
	uint64_t retention_ms, last_beat, last_prune;
	struct slo_mark *marks;
	size_t n;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL,"
	" last_ms INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS transitions(at_ms INTEGER NOT NULL, slo TEXT NOT NULL,"
	" state TEXT NOT NULL, value REAL, reason TEXT);"
	"CREATE INDEX IF NOT EXISTS transitions_slo ON transitions(slo, at_ms);"
	"CREATE TABLE IF NOT EXISTS violations(id INTEGER PRIMARY KEY, slo TEXT NOT NULL,"
	" start_ms INTEGER NOT NULL, end_ms INTEGER, worst REAL, evidence TEXT);"
	"CREATE INDEX IF NOT EXISTS violations_slo ON violations(slo, start_ms);"
	"CREATE TABLE IF NOT EXISTS alerts(id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" severity TEXT, kind TEXT, ref TEXT, source TEXT, summary TEXT, alert TEXT);"
	"CREATE TABLE IF NOT EXISTS countermeasures(id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" action TEXT, target TEXT, alert TEXT, ref TEXT, expires_ms INTEGER, dry_run INTEGER);";

static void complain(struct history *h, const char *what)
{
	sgd_log(LOG_WARNING, "history: %s: %s", what, sqlite3_errmsg(h->db));
}

/* Run SQL with BIND's "%" arguments: i (int64), d (double), s (text, NULL ok), n (null). */
static int64_t exec(struct history *h, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		complain(h, sql);
		return -1;
	}
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 'i': sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)); break;
		case 'd': sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
		case 's': sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
					    SQLITE_TRANSIENT); break;
		default: sqlite3_bind_null(st, i + 1); break;
		}
	}
	va_end(ap);
	ret = sqlite3_step(st);
	sqlite3_finalize(st);
	if (ret != SQLITE_DONE && ret != SQLITE_ROW) {
		complain(h, sql);
		return -1;
	}
	return sqlite3_last_insert_rowid(h->db);
}

static void prune(struct history *h, uint64_t now)
{
	int64_t cut = (int64_t)(now > h->retention_ms ? now - h->retention_ms : 0);

	h->last_prune = now;
	exec(h, "DELETE FROM transitions WHERE at_ms < ?1 AND rowid NOT IN"
	     " (SELECT MAX(rowid) FROM transitions WHERE at_ms < ?1 GROUP BY slo)", "i", cut);
	exec(h, "DELETE FROM violations WHERE end_ms IS NOT NULL AND end_ms < ?", "i", cut);
	exec(h, "DELETE FROM alerts WHERE at_ms < ?", "i", cut);
	exec(h, "DELETE FROM countermeasures WHERE at_ms < ?", "i", cut);
	exec(h, "DELETE FROM runs WHERE last_ms < ? AND stopped = 1", "i", cut);
}

/*
 * Runs that never stopped cleanly end at their last heartbeat: from there
 * on their SLOs were unknown, and their open violations ended.
 */
static void close_crashed(struct history *h)
{
	/* Never before what was recorded after the last beat. */
	exec(h, "INSERT INTO transitions(at_ms, slo, state, reason)"
	     " SELECT MAX(at_ms, (SELECT MAX(last_ms) FROM runs WHERE stopped = 0)), slo, 'unknown',"
	     " 'slaguardd stopped without a clean exit'"
	     " FROM transitions t WHERE rowid IN (SELECT MAX(rowid) FROM transitions GROUP BY slo)"
	     " AND state != 'unknown' AND EXISTS (SELECT 1 FROM runs WHERE stopped = 0)", "");
	exec(h, "UPDATE violations SET end_ms = MAX(start_ms, (SELECT MAX(last_ms) FROM runs WHERE stopped = 0))"
	     " WHERE end_ms IS NULL AND EXISTS (SELECT 1 FROM runs WHERE stopped = 0)", "");
	exec(h, "UPDATE violations SET end_ms = start_ms WHERE end_ms IS NULL", "");
	exec(h, "UPDATE runs SET stopped = 1 WHERE stopped = 0", "");
}

int history_open(struct history **out, const char *path, uint64_t retention_ms,
		 uint64_t now, char *err, size_t errlen)
{
	struct history *h = calloc(1, sizeof(*h));
	char *msg = NULL;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->retention_ms = retention_ms;
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(h->db, 1000) != SQLITE_OK ||
	    sqlite3_exec(h->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : h->db ? sqlite3_errmsg(h->db) : "out of memory");
		sqlite3_free(msg);
		sqlite3_close(h->db);
		free(h);
		return -EIO;
	}
	close_crashed(h);
	h->run = exec(h, "INSERT INTO runs(start_ms, last_ms) VALUES(?, ?)", "ii",
		      (int64_t)now, (int64_t)now);
	h->last_beat = now;
	prune(h, now);
	*out = h;
	return 0;
}

static struct slo_mark *mark_of(struct history *h, const char *id)
{
	struct slo_mark *m;

	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->marks[i].id, id))
			return &h->marks[i];
	m = realloc(h->marks, (h->n + 1) * sizeof(*m));
	if (!m)
		return NULL;
	h->marks = m;
	m = &h->marks[h->n];
	/* No state yet: the first tick records the SLO's, even unknown, so
	 * the report lists every SLO of the SLA. */
	*m = (struct slo_mark){ .id = strdup(id), .state = -1 };
	if (!m->id)
		return NULL;
	h->n++;
	return m;
}

static void end_violation(struct history *h, struct slo_mark *m, uint64_t at)
{
	if (!m->violation)
		return;
	exec(h, "UPDATE violations SET end_ms = ? WHERE id = ?", "ii", (int64_t)at, m->violation);
	m->violation = 0;
}

static bool worse(const struct sla_slo *s, double v, double than)
{
	return s->has_max ? v > than : v < than;
}

static void track(struct history *h, const struct slo_status *st, uint64_t now)
{
	struct slo_mark *m = mark_of(h, st->slo->id);
	uint64_t at = st->state_since_real_ms ? st->state_since_real_ms : now;
	const char *evidence;
	struct json_object *o;
	bool better;

	if (!m)
		return;
	m->seen = true;
	if ((int)st->state != m->state) {
		if (st->has_value)
			exec(h, "INSERT INTO transitions(at_ms, slo, state, value, reason) VALUES(?, ?, ?, ?, ?)",
			     "issds", (int64_t)at, st->slo->id, slo_state_name(st->state), st->value, st->reason);
		else
			exec(h, "INSERT INTO transitions(at_ms, slo, state, value, reason) VALUES(?, ?, ?, ?, ?)",
			     "issns", (int64_t)at, st->slo->id, slo_state_name(st->state), st->reason);
		if (m->state == SLO_VIOLATED)
			end_violation(h, m, at);
		m->state = st->state;
		m->has_worst = false;
	}
	if (st->state != SLO_VIOLATED)
		return;
	/* The evidence kept is the one of the worst value seen. */
	better = st->has_value && (!m->has_worst || worse(st->slo, st->value, m->worst));
	if (m->violation && !better)
		return;
	o = slo_status_json(st);
	evidence = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
	if (!m->violation && st->has_value)
		m->violation = exec(h, "INSERT INTO violations(slo, start_ms, worst, evidence) VALUES(?, ?, ?, ?)",
				    "sids", st->slo->id, (int64_t)at, st->value, evidence);
	else if (!m->violation)
		m->violation = exec(h, "INSERT INTO violations(slo, start_ms, worst, evidence) VALUES(?, ?, ?, ?)",
				    "sins", st->slo->id, (int64_t)at, evidence);
	else
		exec(h, "UPDATE violations SET worst = ?, evidence = ? WHERE id = ?", "dsi",
		     st->value, evidence, m->violation);
	if (m->violation < 0)
		m->violation = 0;
	if (st->has_value) {
		m->has_worst = true;
		m->worst = st->value;
	}
	json_object_put(o);
}

void history_tick(struct history *h, const struct engine *e, uint64_t now)
{
	if (!h)
		return;
	exec(h, "BEGIN", "");
	for (size_t i = 0; i < h->n; i++)
		h->marks[i].seen = false;
	for (size_t i = 0; i < slo_count(e->slos); i++)
		track(h, slo_status(e->slos, i), now);
	/* SLOs a reload removed: unknown from now on. */
	for (size_t i = 0; i < h->n; i++) {
		struct slo_mark *m = &h->marks[i];

		if (m->seen || m->state == SLO_UNKNOWN)
			continue;
		exec(h, "INSERT INTO transitions(at_ms, slo, state, reason) VALUES(?, ?, 'unknown', ?)",
		     "iss", (int64_t)now, m->id, "no longer in the SLA");
		end_violation(h, m, now);
		m->state = SLO_UNKNOWN;
	}
	if (now - h->last_beat >= HISTORY_HEARTBEAT_MS) {
		exec(h, "UPDATE runs SET last_ms = ? WHERE id = ?", "ii", (int64_t)now, h->run);
		h->last_beat = now;
	}
	if (now - h->last_prune >= 3600 * 1000)
		prune(h, now);
	exec(h, "COMMIT", "");
}

void history_alert(struct history *h, const struct engine *e, const struct alert *a)
{
	struct json_object *o;

	if (!h)
		return;
	o = alert_to_json(a);
	exec(h, "BEGIN", "");
	exec(h, "INSERT INTO alerts(id, at_ms, severity, kind, ref, source, summary, alert)"
	     " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", "sissssss",
	     a->id, (int64_t)a->real_ms, sla_severity_name(a->severity), finding_kind_name(a->kind),
	     a->ref, a->has_source ? a->source : NULL, a->summary,
	     o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL);
	for (size_t i = 0; i < json_object_array_length(a->actions); i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(a->actions, i));
		const struct countermeasure *c = id ? respond_find(e->resp, id) : NULL;
		uint64_t mono = sgd_mono_ms();

		if (!c)
			continue;
		exec(h, "INSERT INTO countermeasures(id, at_ms, action, target, alert, ref, expires_ms, dry_run)"
		     " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", "sissssii",
		     c->id, (int64_t)a->real_ms, sla_action_name(c->action), c->target, a->id,
		     c->ref, (int64_t)(a->real_ms + (c->expires > mono ? c->expires - mono : 0)),
		     (int64_t)c->dry_run);
	}
	exec(h, "COMMIT", "");
	json_object_put(o);
}

void history_operator(struct history *h, const struct countermeasure *c,
		      const char *action, uint64_t now)
{
	char who[RESPOND_REASON_MAX + 32];
	uint64_t mono = sgd_mono_ms();

	if (!h)
		return;
	snprintf(who, sizeof(who), "uid %u%s%s", c->uid, c->reason[0] ? ": " : "", c->reason);
	exec(h, "INSERT INTO countermeasures(id, at_ms, action, target, alert, ref, expires_ms, dry_run)"
	     " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", "sissssii",
	     c->id, (int64_t)now, action, c->target, who, "operator",
	     (int64_t)(now + (c->expires > mono ? c->expires - mono : 0)), (int64_t)c->dry_run);
}

void history_close(struct history *h, uint64_t now)
{
	if (!h)
		return;
	exec(h, "BEGIN", "");
	for (size_t i = 0; i < h->n; i++) {
		struct slo_mark *m = &h->marks[i];

		if (m->state != SLO_UNKNOWN)
			exec(h, "INSERT INTO transitions(at_ms, slo, state, reason) VALUES(?, ?, 'unknown', ?)",
			     "iss", (int64_t)now, m->id, "slaguardd stopped");
		end_violation(h, m, now);
		free(m->id);
	}
	exec(h, "UPDATE runs SET last_ms = ?, stopped = 1 WHERE id = ?", "ii", (int64_t)now, h->run);
	exec(h, "COMMIT", "");
	sqlite3_close(h->db);
	free(h->marks);
	free(h);
}
