/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the SLA history: SLO state transitions, violations (start,
 * end, worst value, evidence), alerts and countermeasures, kept in an
 * SQLite file (WAL) that outlives the daemon, pruned past a retention
 * time. `slaguardctl report` reads it. A run that ended without a clean
 * stop is closed at its last heartbeat: the time it was down counts as
 * unknown, not as the state it was last in.
 */
#ifndef SLAGUARDD_HISTORY_H
#define SLAGUARDD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HISTORY_FILE		"history.db"	/* in the state directory */
#define HISTORY_DEFAULT_RETENTION_MS	(400ull * 86400 * 1000)
#define HISTORY_HEARTBEAT_MS	10000

struct alert;
struct engine;
struct history;

/* 0, or -errno with ERR saying why. NOW: wall-clock ms. */
int history_open(struct history **out, const char *path, uint64_t retention_ms,
		 uint64_t now, char *err, size_t errlen);
/* Every tick: transitions and violations of E's SLOs; heartbeat; pruning. */
void history_tick(struct history *h, const struct engine *e, uint64_t now);
/* An alert as emitted, with the countermeasures it took. */
void history_alert(struct history *h, const struct engine *e, const struct alert *a);
/*
 * An operator's action (block-source, allow) from the control socket: its
 * ref is "operator", its alert the uid and reason ("uid 0: reason").
 */
struct countermeasure;
void history_operator(struct history *h, const struct countermeasure *c,
		      const char *action, uint64_t now);
/* A clean stop: every SLO becomes unknown, open violations end. NULL is fine. */
void history_close(struct history *h, uint64_t now);

#endif /* SLAGUARDD_HISTORY_H */
