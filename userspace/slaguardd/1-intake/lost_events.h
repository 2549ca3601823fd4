/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - counting lost module events once. A lost event shows twice:
 * as a gap in this listener's sequence numbers and in the module's counter
 * of undeliverable events. What is reported is the larger of the two
 * totals, so that no lost event is counted twice and none is missed when
 * only one witness saw it (a gap after the last event received never
 * shows; the module counts only for listeners that asked for errors).
 */
#ifndef SLAGUARDD_LOST_EVENTS_H
#define SLAGUARDD_LOST_EVENTS_H

#include <stdint.h>

struct lost_events {
	uint64_t gaps;		/* events missing from the sequence */
	uint64_t module;	/* growth of the module's events_lost */
	uint64_t reported;	/* already reported */
};

/* Each adds N seen by one witness; returns how many to report now. */
uint64_t lost_by_gap(struct lost_events *l, uint64_t n);
uint64_t lost_by_module(struct lost_events *l, uint64_t n);

#endif /* SLAGUARDD_LOST_EVENTS_H */
