// SPDX-License-Identifier: GPL-2.0
/*
 * "report": reads slaguardd's history (SQLite, read-only, so it works while
 * the daemon writes and after it stopped) and prints, per SLO, the share of
 * a period it was compliant, violated and unknown, and its violations with
 * their durations: the evidence SLA penalties are computed from.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "ctl.h"
#include "output.h"
#include "report.h"
#include "sla.h"

const char report_usage[] =
	"Usage: " PROG " [-j] report [--since DURATION] [--slo ID] [--csv] [--db PATH]\n"
	"\n"
	"Per SLO, the share of the last DURATION (default 30d) it was compliant,\n"
	"violated and unknown (no data, or slaguardd not running), and each\n"
	"violation with its start, end, duration and worst value, from the history\n"
	"slaguardd keeps in its state directory (--db, default " REPORT_DEFAULT_DB ").\n"
	"-j prints JSON, with each violation's evidence; --csv one line per SLO\n"
	"and per violation.\n";

enum report_state report_state_of(const char *name)
{
	if (name && !strcmp(name, "compliant"))
		return REPORT_COMPLIANT;
	if (name && !strcmp(name, "violated"))
		return REPORT_VIOLATED;
	return REPORT_UNKNOWN;
}

void report_time_in_states(enum report_state state0,
			   const struct report_change *changes, size_t n,
			   uint64_t from, uint64_t to, uint64_t ms[REPORT_STATES])
{
	enum report_state cur = state0;
	uint64_t t = from;

	memset(ms, 0, sizeof(ms[0]) * REPORT_STATES);
	if (to <= from)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t at = changes[i].at;

		if (at > to)
			break;
		if (at > t) {
			ms[cur] += at - t;
			t = at;
		}
		cur = changes[i].state < REPORT_STATES ? changes[i].state : REPORT_UNKNOWN;
	}
	ms[cur] += to - t;
}

static uint64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void format_time(uint64_t ms, char *buf, size_t size)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&s, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03" PRIu64 "Z", base, ms % 1000);
}

struct report {
	struct ctl *c;
	sqlite3 *db;
	uint64_t from, to;		/* the period */
	uint64_t alive_until;		/* after it nothing was recorded: unknown */
	bool csv;
	struct json_object *slos;	/* -j */
	struct sg_table *table, *vtable;
};

static int sql_fail(struct report *r, const char *what)
{
	return sg_fail(&r->c->err, -EIO, "history: %s: %s", what, sqlite3_errmsg(r->db));
}

/* An open run that stopped beating crashed: unknown from its last beat. */
static int find_alive_until(struct report *r)
{
	sqlite3_stmt *st;
	int ret;

	r->alive_until = r->to;
	if (sqlite3_prepare_v2(r->db, "SELECT MAX(last_ms) FROM runs WHERE stopped = 0",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(r, "runs");
	ret = sqlite3_step(st);
	if (ret == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		uint64_t last = (uint64_t)sqlite3_column_int64(st, 0);

		if (last + REPORT_STALE_MS < r->to)
			r->alive_until = last;
	}
	sqlite3_finalize(st);
	return 0;
}

static void add_share(struct json_object *o, const char *key, uint64_t ms, uint64_t total)
{
	json_object_object_add(o, key, json_object_new_double(total ? (double)ms / (double)total : 0));
}

static void percent(char *buf, size_t size, uint64_t ms, uint64_t total)
{
	snprintf(buf, size, "%.2f%%", total ? 100.0 * (double)ms / (double)total : 0.0);
}

/* Violations of SLO in the period; VIOLATED_MS gets their time within it. */
static int violations(struct report *r, const char *slo, struct json_object *arr,
		      size_t *count)
{
	sqlite3_stmt *st;
	int ret;

	*count = 0;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT start_ms, end_ms, worst, evidence FROM violations"
			       " WHERE slo = ?1 AND start_ms < ?3 AND (end_ms IS NULL OR end_ms > ?2)"
			       " ORDER BY start_ms", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(r, "violations");
	sqlite3_bind_text(st, 1, slo, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)r->from);
	sqlite3_bind_int64(st, 3, (int64_t)r->to);
	while ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t start = (uint64_t)sqlite3_column_int64(st, 0);
		bool open = sqlite3_column_type(st, 1) == SQLITE_NULL;
		uint64_t end = open ? r->alive_until : (uint64_t)sqlite3_column_int64(st, 1);
		bool has_worst = sqlite3_column_type(st, 2) != SQLITE_NULL;
		double worst = sqlite3_column_double(st, 2);
		const char *ev = (const char *)sqlite3_column_text(st, 3);
		char s[40], e[40], d[32], w[32];

		if (end < start)
			end = start;
		format_time(start, s, sizeof(s));
		format_time(end, e, sizeof(e));
		sg_format_duration_ms(end - start, d, sizeof(d));
		if (has_worst)
			snprintf(w, sizeof(w), "%g", worst);
		else
			snprintf(w, sizeof(w), "-");
		(*count)++;
		if (arr) {
			struct json_object *v = json_object_new_object();

			sg_json_add_str(v, "start", s);
			if (open)
				sg_json_add_null(v, "end");
			else
				sg_json_add_str(v, "end", e);
			json_object_object_add(v, "duration_s",
					       json_object_new_double((double)(end - start) / 1000));
			json_object_object_add(v, "worst", has_worst ? json_object_new_double(worst) : NULL);
			json_object_object_add(v, "evidence", ev ? json_tokener_parse(ev) : NULL);
			json_object_array_add(arr, v);
		} else if (r->csv) {
			printf("violation,%s,,,,%s,%s,%.3f,%s\n", slo, s, open ? "" : e,
			       (double)(end - start) / 1000, has_worst ? w : "");
		} else {
			const char *cells[] = { slo, s, open ? "(ongoing)" : e, d, w };

			if (sg_table_add(r->vtable, cells) < 0) {
				sqlite3_finalize(st);
				return sg_fail(&r->c->err, -ENOMEM, "out of memory");
			}
		}
	}
	sqlite3_finalize(st);
	return ret == SQLITE_DONE ? 0 : sql_fail(r, "violations");
}

static int one_slo(struct report *r, const char *slo)
{
	struct report_change *ch = NULL;
	size_t n = 0, cap = 0, nviol;
	enum report_state state0 = REPORT_UNKNOWN;
	uint64_t ms[REPORT_STATES], total = r->to - r->from;
	struct json_object *o = NULL, *arr = NULL;
	sqlite3_stmt *st;
	int ret;

	if (sqlite3_prepare_v2(r->db,
			       "SELECT at_ms, state FROM transitions WHERE slo = ?1 AND at_ms <= ?2"
			       " ORDER BY at_ms DESC, rowid DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(r, "transitions");
	sqlite3_bind_text(st, 1, slo, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)r->from);
	if (sqlite3_step(st) == SQLITE_ROW)
		state0 = report_state_of((const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(r->db,
			       "SELECT at_ms, state FROM transitions WHERE slo = ?1 AND at_ms > ?2"
			       " AND at_ms < ?3 ORDER BY at_ms, rowid", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(r, "transitions");
	sqlite3_bind_text(st, 1, slo, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)r->from);
	sqlite3_bind_int64(st, 3, (int64_t)r->to);
	while ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		if (n + 1 >= cap) {
			struct report_change *v = realloc(ch, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!v) {
				ret = SQLITE_NOMEM;
				break;
			}
			ch = v;
		}
		ch[n].at = (uint64_t)sqlite3_column_int64(st, 0);
		ch[n++].state = report_state_of((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (ret != SQLITE_DONE) {
		free(ch);
		return sql_fail(r, "transitions");
	}
	/* After a crashed run's last beat nothing is known. */
	if (r->alive_until < r->to && ch) {
		size_t k = n;

		while (k > 0 && ch[k - 1].at > r->alive_until)
			k--;
		n = k;
		ch[n++] = (struct report_change){ r->alive_until, REPORT_UNKNOWN };
	}
	report_time_in_states(state0, ch, n, r->from, r->to, ms);
	free(ch);

	if (r->slos) {
		o = json_object_new_object();
		arr = json_object_new_array();
		sg_json_add_str(o, "slo", slo);
		add_share(o, "compliant", ms[REPORT_COMPLIANT], total);
		add_share(o, "violated", ms[REPORT_VIOLATED], total);
		add_share(o, "unknown", ms[REPORT_UNKNOWN], total);
		json_object_object_add(o, "violated_s",
				       json_object_new_double((double)ms[REPORT_VIOLATED] / 1000));
	}
	if (r->csv)
		printf("slo,%s,%.6f,%.6f,%.6f,,,%.3f,\n", slo,
		       total ? (double)ms[REPORT_COMPLIANT] / (double)total : 0,
		       total ? (double)ms[REPORT_VIOLATED] / (double)total : 0,
		       total ? (double)ms[REPORT_UNKNOWN] / (double)total : 0,
		       (double)ms[REPORT_VIOLATED] / 1000);
	ret = violations(r, slo, arr, &nviol);
	if (o) {
		json_object_object_add(o, "violations", arr);
		json_object_array_add(r->slos, o);
	} else if (!r->csv && ret == 0) {
		char b[5][32];
		const char *cells[] = { slo, b[0], b[1], b[2], b[3], b[4] };

		percent(b[0], sizeof(b[0]), ms[REPORT_COMPLIANT], total);
		percent(b[1], sizeof(b[1]), ms[REPORT_VIOLATED], total);
		percent(b[2], sizeof(b[2]), ms[REPORT_UNKNOWN], total);
		snprintf(b[3], sizeof(b[3]), "%zu", nviol);
		sg_format_duration_ms(ms[REPORT_VIOLATED], b[4], sizeof(b[4]));
		if (sg_table_add(r->table, cells) < 0)
			ret = sg_fail(&r->c->err, -ENOMEM, "out of memory");
	}
	return ret;
}

static int run_report(struct report *r, const char *only)
{
	sqlite3_stmt *st;
	char f[40], t[40];
	int ret = 0, found = 0;

	if ((ret = find_alive_until(r)) < 0)
		return ret;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT slo FROM transitions UNION SELECT slo FROM violations ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(r, "transitions");
	format_time(r->from, f, sizeof(f));
	format_time(r->to, t, sizeof(t));
	if (r->csv)
		printf("record,slo,compliant,violated,unknown,start,end,duration_s,worst\n");
	while (ret == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *slo = (const char *)sqlite3_column_text(st, 0);

		if (!slo || (only && strcmp(only, slo)))
			continue;
		found++;
		ret = one_slo(r, slo);
	}
	sqlite3_finalize(st);
	if (ret == 0 && only && !found)
		return sg_fail(&r->c->err, -ENOENT, "no SLO '%s' in the history", only);
	if (ret < 0 || r->csv)
		return ret;
	if (r->slos) {
		struct json_object *o = json_object_new_object();

		sg_json_add_str(o, "from", f);
		sg_json_add_str(o, "to", t);
		json_object_object_add(o, "slos", json_object_get(r->slos));
		ret = sg_json_print(o, stdout);
		json_object_put(o);
		return ret;
	}
	printf("SLA history from %s to %s\n\n", f, t);
	if (!found) {
		printf("nothing recorded yet\n");
		return 0;
	}
	sg_table_print(r->table, stdout);
	printf("\n");
	sg_table_print(r->vtable, stdout);
	return 0;
}

int cmd_report(struct ctl *c, int argc, char **argv)
{
	static const struct sg_column cols[] = {
		{ "SLO", false }, { "COMPLIANT", true }, { "VIOLATED", true },
		{ "UNKNOWN", true }, { "VIOLATIONS", true }, { "VIOLATED FOR", true },
	};
	static const struct sg_column vcols[] = {
		{ "SLO", false }, { "START", false }, { "END", false },
		{ "DURATION", true }, { "WORST", true },
	};
	const char *db = REPORT_DEFAULT_DB, *only = NULL;
	uint64_t since = 30ull * 86400 * 1000;
	struct report r = { .c = c };
	int ret;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "help") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--csv")) {
			r.csv = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--since") || !strcmp(a, "--slo") || !strcmp(a, "--db")) {
			if (!v)
				return sg_usage(&c->err, "report: %s needs a value", a);
			i++;
			if (!strcmp(a, "--slo"))
				only = v;
			else if (!strcmp(a, "--db"))
				db = v;
			else if (sla_parse_duration(v, &since) < 0 || !since)
				return sg_usage(&c->err, "report: --since: expected a duration like 30d, 12h or 90m, got '%s'",
						v);
		} else {
			return sg_usage(&c->err, "report: unknown argument '%s'; expected --since DURATION, --slo ID, --csv or --db PATH",
					a);
		}
	}
	if (c->json && r.csv)
		return sg_usage(&c->err, "report: -j and --csv exclude each other");
	if (sqlite3_open_v2(db, &r.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ret = sg_fail(&c->err, -ENOENT, "history %s: %s (slaguardd keeps it in its --state-dir; see --db)",
			      db, r.db ? sqlite3_errmsg(r.db) : "out of memory");
		sqlite3_close(r.db);
		return ret;
	}
	sqlite3_busy_timeout(r.db, 2000);
	r.to = now_ms();
	r.from = r.to > since ? r.to - since : 0;
	if (c->json)
		r.slos = json_object_new_array();
	else if (!r.csv) {
		r.table = sg_table_new(cols, sizeof(cols) / sizeof(cols[0]));
		r.vtable = sg_table_new(vcols, sizeof(vcols) / sizeof(vcols[0]));
	}
	if ((c->json && !r.slos) || (!c->json && !r.csv && (!r.table || !r.vtable)))
		ret = sg_fail(&c->err, -ENOMEM, "out of memory");
	else
		ret = run_report(&r, only);
	json_object_put(r.slos);
	sg_table_free(r.table);
	sg_table_free(r.vtable);
	sqlite3_close(r.db);
	return ret;
}
