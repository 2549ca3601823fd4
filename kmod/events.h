/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - events: encoding and multicast.
 */
#ifndef _SLAGUARD_EVENTS_H
#define _SLAGUARD_EVENTS_H

#include <linux/skbuff.h>

#include "estimator.h"

struct slg_event {
	u32 kind;		/* enum slaguard_event_kind */
	u32 netns_inum;
	u8 family;
	u8 dir;
	u8 proto;		/* WATCH_HIT */
	u16 sport;		/* WATCH_HIT */
	u16 dport;		/* WATCH_HIT */
	u32 watch_id;		/* WATCH_HIT */
	union slg_addr src;
	union slg_addr dst;	/* WATCH_HIT */
	u64 time_ns;
	u64 value;
	u64 threshold;
	bool has_rates;		/* detector events carry the source's figures */
	u64 packets;
	u64 bytes;
	struct slg_rates rates;
};

size_t slg_event_size(const struct slg_event *ev);
int slg_event_fill(struct sk_buff *skb, const struct slg_event *ev, u64 seq);
void slg_event_emit(struct net *net, const struct slg_event *ev, bool local);

#endif /* _SLAGUARD_EVENTS_H */
