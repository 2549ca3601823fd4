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

static uint64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static uint64_t to_ms(double s)
{
	return s > 0 ? (uint64_t)(s * 1000 + 0.5) : 0;
}

static void percent(char *buf, size_t size, double share)
{
	snprintf(buf, size, "%.2f%%", 100.0 * share);
}

/* The report (compliance.h) as --csv lines or as the two tables. */
static int print_report(struct json_object *rep, bool csv, struct sg_table *table,
			struct sg_table *vtable)
{
	struct json_object *slos, *viols;
	size_t n;

	json_object_object_get_ex(rep, "slos", &slos);
	n = json_object_array_length(slos);
	if (csv)
		printf("record,slo,compliant,violated,unknown,start,end,duration_s,worst\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(slos, i);
		const char *slo = str(o, "slo");
		size_t nv;

		json_object_object_get_ex(o, "violations", &viols);
		nv = json_object_array_length(viols);
		if (csv)
			printf("slo,%s,%.6f,%.6f,%.6f,,,%.3f,\n", slo, num(o, "compliant"),
			       num(o, "violated"), num(o, "unknown"), num(o, "violated_s"));
		for (size_t k = 0; k < nv; k++) {
			struct json_object *v = json_object_array_get_idx(viols, k), *w;
			const char *end = str(v, "end");
			bool has_worst = json_object_object_get_ex(v, "worst", &w) && w;
			char d[32], ws[32];

			snprintf(ws, sizeof(ws), has_worst ? "%g" : "-",
				 has_worst ? json_object_get_double(w) : 0.0);
			if (csv) {
				printf("violation,%s,,,,%s,%s,%.3f,%s\n", slo, str(v, "start"),
				       end ? end : "", num(v, "duration_s"), has_worst ? ws : "");
				continue;
			}
			sg_format_duration_ms(to_ms(num(v, "duration_s")), d, sizeof(d));
			{
				const char *cells[] = { slo, str(v, "start"), end ? end : "(ongoing)", d, ws };

				if (sg_table_add(vtable, cells) < 0)
					return -ENOMEM;
			}
		}
		if (!csv) {
			char b[5][32];
			const char *cells[] = { slo, b[0], b[1], b[2], b[3], b[4] };

			percent(b[0], sizeof(b[0]), num(o, "compliant"));
			percent(b[1], sizeof(b[1]), num(o, "violated"));
			percent(b[2], sizeof(b[2]), num(o, "unknown"));
			snprintf(b[3], sizeof(b[3]), "%zu", nv);
			sg_format_duration_ms(to_ms(num(o, "violated_s")), b[4], sizeof(b[4]));
			if (sg_table_add(table, cells) < 0)
				return -ENOMEM;
		}
	}
	if (csv)
		return 0;
	printf("SLA history from %s to %s\n\n", str(rep, "from"), str(rep, "to"));
	if (!n) {
		printf("nothing recorded yet\n");
		return 0;
	}
	sg_table_print(table, stdout);
	printf("\n");
	sg_table_print(vtable, stdout);
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
	uint64_t since = 30ull * 86400 * 1000, to, from;
	struct json_object *rep = NULL;
	struct sg_table *table = NULL, *vtable = NULL;
	bool csv = false;
	sqlite3 *sdb = NULL;
	char err[512];
	int ret;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "help") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--csv")) {
			csv = true;
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
	if (c->json && csv)
		return sg_usage(&c->err, "report: -j and --csv exclude each other");
	if (sqlite3_open_v2(db, &sdb, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		ret = sg_fail(&c->err, -ENOENT, "history %s: %s (slaguardd keeps it in its --state-dir; see --db)",
			      db, sdb ? sqlite3_errmsg(sdb) : "out of memory");
		sqlite3_close(sdb);
		return ret;
	}
	sqlite3_busy_timeout(sdb, 2000);
	to = now_ms();
	from = to > since ? to - since : 0;
	ret = report_build(sdb, from, to, only, &rep, err, sizeof(err));
	sqlite3_close(sdb);
	if (ret < 0)
		return sg_fail(&c->err, ret, "%s", err);
	if (c->json) {
		ret = sg_json_print(rep, stdout);
	} else {
		if (!csv) {
			table = sg_table_new(cols, sizeof(cols) / sizeof(cols[0]));
			vtable = sg_table_new(vcols, sizeof(vcols) / sizeof(vcols[0]));
		}
		if (!csv && (!table || !vtable))
			ret = -ENOMEM;
		else
			ret = print_report(rep, csv, table, vtable);
		if (ret == -ENOMEM)
			ret = sg_fail(&c->err, -ENOMEM, "out of memory");
	}
	json_object_put(rep);
	sg_table_free(table);
	sg_table_free(vtable);
	return ret;
}
