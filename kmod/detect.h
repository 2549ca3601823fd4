/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - threshold detectors over a source's estimates.
 */
#ifndef _SLAGUARD_DETECT_H
#define _SLAGUARD_DETECT_H

#include "estimator.h"

/* Detectors driven by the source table (not WATCH_HIT). */
#define SLG_NR_DETECTORS	6

struct slg_alarm {
	u32 kind;		/* enum slaguard_event_kind */
	u64 value;
	u64 threshold;
};

/*
 * Event kinds the detectors raise are 1 .. SLAGUARD_EVENT_ICMP_FLOOD, each
 * its own slot, and SLAGUARD_EVENT_SLOW_PORTSCAN in slot 0, which
 * SLAGUARD_EVENT_UNSPEC never needs.
 */
#define SLG_HOLDOFF_SLOW	SLAGUARD_EVENT_UNSPEC
#define SLG_HOLDOFF_KINDS	(SLAGUARD_EVENT_ICMP_FLOOD + 1)

/*
 * When each (source, kind) last reported; 0 = never. Only the detectors'
 * kinds: one per source, so every byte counts.
 */
struct slg_holdoff {
	u64 last_ms[SLG_HOLDOFF_KINDS];
};

int slg_detect(const struct slg_rates *r, const struct slg_thresholds *thr,
	       struct slg_holdoff *h, u64 now_ms,
	      struct slg_alarm alarms[SLG_NR_DETECTORS]);

#endif /* _SLAGUARD_DETECT_H */
