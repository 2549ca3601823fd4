/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - internal declarations shared by the module's files.
 */
#ifndef _SLAGUARD_H
#define _SLAGUARD_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <uapi/linux/slaguard.h>

#include "compat.h"

/* An IPv4 address lives in the first 4 bytes, the rest zero. */
union slg_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* What the hook extracted from one packet; no pointer into the skb. */
struct slg_pkt {
	union slg_addr saddr;
	union slg_addr daddr;
	u32 len;		/* bytes, all GSO segments together */
	u32 segs;		/* packets, >= 1 */
	u32 tcp_seq;
	u32 tcp_ack;		/* ack_seq, host order */
	u16 sport;		/* host order; 0 when not TCP/UDP */
	u16 dport;
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;		/* IPPROTO_*, 0 for a non-first fragment */
	u8 tcp_flags;		/* TCPHDR_* */
	u8 sctp_chunk;		/* SCTP: type of the first chunk */
	u8 dir;			/* enum slaguard_direction */
};

/* Detector settings of one network namespace; replaced whole under RCU. */
struct slg_thresholds {
	u32 window_ms;
	u32 holdoff_ms;
	u32 portscan_ports;
	u32 syn_half_open;
	u32 conn_rate;
	u32 icmp_rate;
	u32 watch_events;
	u64 bandwidth_bps;
	u32 dst_half_open;
	u32 slow_ports;
	u32 slow_window_ms;
	/* system monitoring agent (sched.c); the initial namespace's apply */
	u32 cpu_pct;
	u32 cpu_samples;
	u32 runq_delay_ms;
	u32 fork_rate;
	u32 proc_events;
	u64 mem_rss;
	/* events/s each other namespace may forward; the initial's applies */
	u32 ns_forward_rate;
	struct rcu_head rcu;
};

extern const struct slg_thresholds slg_default_thresholds;

/*
 * A budget of events per second, so a flood cannot turn into a flood of
 * events. Racy by design: an event or two more in a second is harmless,
 * a lock per packet is not.
 */
struct slg_budget {
	atomic64_t sec;		/* the second it counts */
	atomic_t used;		/* events taken in that second */
};

/* Take one event from b in second sec; per_second 0 means no limit. */
static inline bool slg_budget_take(struct slg_budget *b, s64 sec,
				   u32 per_second)
{
	if (!per_second)
		return true;
	if (atomic64_read(&b->sec) != sec) {
		atomic64_set(&b->sec, sec);
		atomic_set(&b->used, 0);
	}
	return atomic_inc_return(&b->used) <= per_second;
}

/*
 * Counters, one copy per CPU, summed when read: one set per network
 * namespace, and the module-wide totals of every namespace.
 */
struct slg_pcpu_stats {
	u64 pkts[__SLAGUARD_DIR_MAX];
	u64 bytes;
	u64 malformed;
	u64 events_sent;
	u64 events_lost;
	u64 events_suppressed;
	u64 evictions;
	u64 insert_failed;
	u64 expired;
	u64 watch_hits;
	u64 forwarded;		/* sent on to the initial namespace */
	u64 forward_suppressed;	/* over the forwarding budget */
};

extern struct slg_pcpu_stats __percpu *slg_stats;

/*
 * Count in the namespace of sn (a struct slg_net *) and in the module-wide
 * totals; field names a member of struct slg_pcpu_stats, not an expression.
 */
#define slg_stat_add(sn, field, n) do {				\
	u64 __slg_n = (n);					\
								\
	this_cpu_add(slg_stats->field, __slg_n);		\
	this_cpu_add((sn)->stats->field, __slg_n);		\
} while (0)
#define slg_stat_inc(sn, field)	slg_stat_add(sn, field, 1)

void slg_stats_sum(struct slg_pcpu_stats *sum);
void slg_pcpu_stats_sum(const struct slg_pcpu_stats __percpu *stats,
			struct slg_pcpu_stats *sum);

/*
 * What one network namespace holds of the source table (srctable.c): a
 * share, so that spoofed sources in one namespace cannot take the room of
 * the others'.
 */
struct slg_quota {
	atomic_t count;		/* its sources now */
	unsigned int limit;	/* most it may hold */
	bool host;		/* the initial namespace's: only it evicts them */
	atomic64_t evictions;	/* its sources evicted to make room */
	atomic64_t insert_failed;	/* its sources not tracked */
	atomic64_t expired;	/* its idle sources removed */
};

struct slg_ptrset;
struct slg_dst_table;

/* Per network namespace state. */
struct slg_net {
	struct net *net;
	/* half-open connections per local destination (DST_HALF_OPEN) */
	struct slg_dst_table *dsts;
	/* NULL: follow the initial namespace's thresholds */
	struct slg_thresholds __rcu *thr;
	struct slg_ptrset __rcu *watches;
	struct mutex cfg_lock;		/* serialises writers of thr, watches */
	u32 watch_next_id;
	u32 watch_gen;			/* bumped on every watch change */
	/*
	 * Numbering and delivery happen together under send_lock, so every
	 * listener receives the namespace's events in sequence order.
	 */
	spinlock_t send_lock;
	atomic64_t seq;			/* last event sequence number sent */
	struct slg_pcpu_stats __percpu *stats;	/* this namespace's counters */
	struct slg_quota sources;	/* its share of the source table */
	struct slg_budget forward;	/* events forwarded to the initial ns */
};

struct slg_net *slg_pernet(const struct net *net);
const struct slg_thresholds *slg_thresholds_get(const struct slg_net *sn);

/* Hooks (hooks.c) */
int slg_hooks_register(struct net *net);
void slg_hooks_unregister(struct net *net);
int slg_parse_skb(const struct sk_buff *skb, u8 family, struct slg_pkt *pkt);
void slg_hooks_init(void);

/* Generic netlink family (netlink.c) */
int slg_genl_init(void);
void slg_genl_exit(void);

#endif /* _SLAGUARD_H */
