/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SLA compliance report from slaguardd's history (SQLite): per SLO, the
 * share of a period it was compliant, violated and unknown, and its
 * violations. One computation for `slaguardctl report` and the daemon's
 * dashboard (/api/report).
 */
#ifndef SLAGUARD_COMPLIANCE_H
#define SLAGUARD_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <sqlite3.h>

/* slaguardd's heartbeat is 10 s: a run silent for longer is down. */
#define REPORT_STALE_MS		30000

enum report_state { REPORT_UNKNOWN, REPORT_COMPLIANT, REPORT_VIOLATED, REPORT_STATES };

struct report_change {
	uint64_t at;			/* wall-clock ms */
	enum report_state state;
};

/*
 * Milliseconds of [FROM, TO) spent in each state, given STATE0 in force at
 * FROM and CHANGES (ordered by time; those outside the period only move
 * the state before it). MS[state] adds up to TO - FROM.
 */
void report_time_in_states(enum report_state state0,
			   const struct report_change *changes, size_t n,
			   uint64_t from, uint64_t to, uint64_t ms[REPORT_STATES]);
enum report_state report_state_of(const char *name);

/*
 * The report of history DB over [FROM, TO) (wall-clock ms), for SLO ONLY
 * (NULL: all) into *OUT:
 *   {"from","to","slos":[{"slo","compliant","violated","unknown" (shares
 *    0..1),"violated_s","violations":[{"start","end" (null: ongoing),
 *    "duration_s","worst","evidence"}]}]}
 * 0; -ENOENT if ONLY is not in the history; -EIO or -ENOMEM, ERR saying why.
 */
int report_build(sqlite3 *db, uint64_t from, uint64_t to, const char *only,
		 struct json_object **out, char *err, size_t errlen);

#endif /* SLAGUARD_COMPLIANCE_H */
