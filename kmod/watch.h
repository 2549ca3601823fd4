/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - watch rules: report packets that match a pattern.
 */
#ifndef _SLAGUARD_WATCH_H
#define _SLAGUARD_WATCH_H

#include <linux/atomic.h>

#include "ptrset.h"
#include "slaguard.h"

/* One rule. Immutable once published, apart from its counters. */
struct slg_watch {
	u32 id;
	u8 family;		/* 0: any */
	u8 proto;		/* 0: any */
	u8 dir;			/* enum slaguard_direction */
	u8 action;		/* enum slaguard_watch_action */
	u8 src_plen;		/* 0 with no source prefix */
	u8 dst_plen;
	bool has_src;
	bool has_dst;
	u16 port_min;		/* 0 - 0: any port */
	u16 port_max;
	u32 sample_n;
	union slg_addr src;	/* masked to src_plen */
	union slg_addr dst;
	atomic64_t hits;
	atomic_t sample_ctr;
	struct slg_budget budget;	/* WATCH_HIT events per second */
	struct rcu_head rcu;
};

int slg_watch_check(const struct slg_watch *w, const char **why);
void slg_watch_mask(struct slg_watch *w);
bool slg_watch_match(const struct slg_watch *w, const struct slg_pkt *pkt);
bool slg_watch_wants(struct slg_watch *w, const struct slg_pkt *pkt);
bool slg_watch_budget(struct slg_watch *w, u64 now_ms, u32 per_second);

/* A namespace's rules: a struct slg_ptrset of struct slg_watch. */
struct slg_ptrset *slg_watchset_del(const struct slg_ptrset *old, u32 id,
				    struct slg_watch **removed);
struct slg_watch *slg_watchset_find(const struct slg_ptrset *ws, u32 id);
void slg_watchset_free_all(struct slg_ptrset *ws);

#endif /* _SLAGUARD_WATCH_H */
