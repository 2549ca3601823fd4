/* SPDX-License-Identifier: GPL-2.0 */
/* "report": the SLA history slaguardd keeps, per SLO over a period. */
#ifndef SLAGUARDCTL_REPORT_H
#define SLAGUARDCTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_DEFAULT_DB	"/var/lib/slaguard/history.db"
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

#endif /* SLAGUARDCTL_REPORT_H */
