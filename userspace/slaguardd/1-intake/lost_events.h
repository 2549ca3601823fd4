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

#include <stddef.h>
#include <stdint.h>

#include "genl_event.h"

struct lost_events {
	uint64_t gaps;		/* events missing from the sequence */
	uint64_t module;	/* growth of the module's events_lost */
	uint64_t reported;	/* already reported */
};

/* Each adds N seen by one witness; returns how many to report now. */
uint64_t lost_by_gap(struct lost_events *l, uint64_t n);
uint64_t lost_by_module(struct lost_events *l, uint64_t n);

/*
 * Sequence numbers are per network namespace. The table keeps
 * NS_SEQS_MAX of them; when full, the least recently heard namespace is
 * forgotten (its next event starts a new baseline), never PINNED (the
 * daemon's own namespace), so other namespaces cannot push the host's
 * sequence out.
 */
#define NS_SEQS_MAX	256

struct ns_seqs {
	struct {
		uint32_t netns;
		uint64_t used;
		struct sg_seq seq;
	} e[NS_SEQS_MAX];
	size_t n;
	uint64_t clock;
	uint32_t pinned;
	uint64_t evicted;
};

void ns_seqs_init(struct ns_seqs *t, uint32_t pinned);
/* NETNS's sequence, added if missing (evicting the least recently used). */
struct sg_seq *ns_seqs_get(struct ns_seqs *t, uint32_t netns);
struct sg_seq *ns_seqs_find(struct ns_seqs *t, uint32_t netns);
size_t ns_seqs_count(const struct ns_seqs *t);

#endif /* SLAGUARDD_LOST_EVENTS_H */
