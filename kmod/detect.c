// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - threshold detectors over a source's estimates.
 *
 * A detector fires when its estimate reaches the threshold and that
 * (source, kind) has not reported within the hold-off: one event when an
 * attack starts, then a reminder per hold-off while it lasts - never one
 * event per packet.
 */
#include <linux/bug.h>

#include "detect.h"

static bool holdoff_passed(struct slg_holdoff *h, u32 kind, u64 now_ms,
			   u32 holdoff_ms)
{
	u64 last;

	if (kind == SLAGUARD_EVENT_SLOW_PORTSCAN)
		kind = SLG_HOLDOFF_SLOW;
	else if (WARN_ON_ONCE(kind == SLG_HOLDOFF_SLOW ||
			      kind >= SLG_HOLDOFF_KINDS))
		return false;
	last = h->last_ms[kind];

	if (last && now_ms >= last && now_ms - last < holdoff_ms)
		return false;
	/* 0 means "never"; a clock of 0 ms itself is nudged to 1. */
	h->last_ms[kind] = now_ms ? now_ms : 1;
	return true;
}

/* Did an event at last (0: never) happen within ms before now? */
static bool recent(u64 last, u64 now_ms, u32 ms)
{
	return last && now_ms >= last && now_ms - last < ms;
}

static int check(u32 kind, u64 value, u64 threshold, struct slg_holdoff *h,
		 u64 now_ms, u32 holdoff_ms, struct slg_alarm *a)
{
	if (!threshold || value < threshold)
		return 0;
	if (!holdoff_passed(h, kind, now_ms, holdoff_ms))
		return 0;
	a->kind = kind;
	a->value = value;
	a->threshold = threshold;
	return 1;
}

/* Fill alarms with every detector that fires now; return how many. */
int slg_detect(const struct slg_rates *r, const struct slg_thresholds *thr,
	       struct slg_holdoff *h, u64 now_ms,
	      struct slg_alarm alarms[SLG_NR_DETECTORS])
{
	u32 ho = thr->holdoff_ms;
	int n = 0;

	n += check(SLAGUARD_EVENT_PORTSCAN, r->ports, thr->portscan_ports,
		   h, now_ms, ho, &alarms[n]);
	n += check(SLAGUARD_EVENT_SYN_FLOOD, r->half_open, thr->syn_half_open,
		   h, now_ms, ho, &alarms[n]);
	n += check(SLAGUARD_EVENT_CONN_RATE, r->conn_rate, thr->conn_rate,
		   h, now_ms, ho, &alarms[n]);
	n += check(SLAGUARD_EVENT_BANDWIDTH, r->byte_rate, thr->bandwidth_bps,
		   h, now_ms, ho, &alarms[n]);
	n += check(SLAGUARD_EVENT_ICMP_FLOOD, r->icmp_rate, thr->icmp_rate,
		   h, now_ms, ho, &alarms[n]);
	/*
	 * A scan reported as a fast one within the long window is no news:
	 * only one that never crossed the short window's threshold is slow.
	 */
	if (!recent(h->last_ms[SLAGUARD_EVENT_PORTSCAN], now_ms,
		    thr->slow_window_ms))
		n += check(SLAGUARD_EVENT_SLOW_PORTSCAN, r->slow_ports,
			   thr->slow_ports, h, now_ms, ho, &alarms[n]);
	return n;
}
