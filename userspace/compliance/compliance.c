// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compliance.h"
#include "timefmt.h"

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

struct rb {
	sqlite3 *db;
	uint64_t from, to;		/* the period */
	uint64_t alive_until;		/* after it nothing was recorded: unknown */
	char *err;
	size_t errlen;
};

static int sql_fail(struct rb *r, const char *what)
{
	snprintf(r->err, r->errlen, "history: %s: %s", what, sqlite3_errmsg(r->db));
	return -EIO;
}

static void add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

/* An open run that stopped beating crashed: unknown from its last beat. */
static int find_alive_until(struct rb *r)
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

/* Violations of SLO in the period, into ARR. */
static int violations(struct rb *r, const char *slo, struct json_object *arr)
{
	sqlite3_stmt *st;
	int ret;

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
		struct json_object *v = json_object_new_object();
		char s[40], e[40];

		if (end < start)
			end = start;
		sg_format_time(start, s, sizeof(s));
		sg_format_time(end, e, sizeof(e));
		add_str(v, "start", s);
		json_object_object_add(v, "end", open ? NULL : json_object_new_string(e));
		json_object_object_add(v, "duration_s",
				       json_object_new_double((double)(end - start) / 1000));
		json_object_object_add(v, "worst", has_worst ? json_object_new_double(worst) : NULL);
		json_object_object_add(v, "evidence", ev ? json_tokener_parse(ev) : NULL);
		json_object_array_add(arr, v);
	}
	sqlite3_finalize(st);
	return ret == SQLITE_DONE ? 0 : sql_fail(r, "violations");
}

static int one_slo(struct rb *r, const char *slo, struct json_object *slos)
{
	struct report_change *ch = NULL;
	size_t n = 0, cap = 0;
	enum report_state state0 = REPORT_UNKNOWN;
	uint64_t ms[REPORT_STATES], total = r->to - r->from;
	struct json_object *o, *arr;
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

	o = json_object_new_object();
	arr = json_object_new_array();
	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		snprintf(r->err, r->errlen, "out of memory");
		return -ENOMEM;
	}
	add_str(o, "slo", slo);
	add_share(o, "compliant", ms[REPORT_COMPLIANT], total);
	add_share(o, "violated", ms[REPORT_VIOLATED], total);
	add_share(o, "unknown", ms[REPORT_UNKNOWN], total);
	json_object_object_add(o, "violated_s",
			       json_object_new_double((double)ms[REPORT_VIOLATED] / 1000));
	ret = violations(r, slo, arr);
	json_object_object_add(o, "violations", arr);
	json_object_array_add(slos, o);
	return ret;
}

int report_build(sqlite3 *db, uint64_t from, uint64_t to, const char *only,
		 struct json_object **out, char *err, size_t errlen)
{
	struct rb r = { .db = db, .from = from, .to = to, .err = err, .errlen = errlen };
	struct json_object *o, *slos;
	sqlite3_stmt *st;
	char f[40], t[40];
	int ret, found = 0;

	*out = NULL;
	if ((ret = find_alive_until(&r)) < 0)
		return ret;
	if (sqlite3_prepare_v2(db,
			       "SELECT slo FROM transitions UNION SELECT slo FROM violations ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(&r, "transitions");
	o = json_object_new_object();
	slos = json_object_new_array();
	if (!o || !slos) {
		sqlite3_finalize(st);
		json_object_put(o);
		json_object_put(slos);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sg_format_time(from, f, sizeof(f));
	sg_format_time(to, t, sizeof(t));
	add_str(o, "from", f);
	add_str(o, "to", t);
	json_object_object_add(o, "slos", slos);
	while (ret == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *slo = (const char *)sqlite3_column_text(st, 0);

		if (!slo || (only && strcmp(only, slo)))
			continue;
		found++;
		ret = one_slo(&r, slo, slos);
	}
	sqlite3_finalize(st);
	if (ret == 0 && only && !found) {
		snprintf(err, errlen, "no SLO '%s' in the history", only);
		ret = -ENOENT;
	}
	if (ret < 0) {
		json_object_put(o);
		return ret;
	}
	*out = o;
	return 0;
}
