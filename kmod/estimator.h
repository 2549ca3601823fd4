/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - per-source rate estimators over a sliding window.
 */
#ifndef _SLAGUARD_ESTIMATOR_H
#define _SLAGUARD_ESTIMATOR_H

#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/types.h>

#include "slaguard.h"

enum slg_counter {
	SLG_CTR_PKTS,
	SLG_CTR_SYN,		/* TCP SYN without ACK */
	SLG_CTR_DONE,		/* handshakes seen completing */
	SLG_CTR_ICMP,
	SLG_CTR_UDP,
	SLG_CTR_PORTS,		/* distinct destination ports (bits of ports) */
	SLG_CTR_BYTES,
	SLG_NR_COUNTERS
};

/* Bits of the distinct-port sketch; also bounds what it can count. */
#define SLG_PORT_BITS		512
/* Handshakes tracked per source to tell completed from half-open. */
#define SLG_PENDING_SYNS		8

struct slg_pending_syn {
	u16 sport;
	u16 dport;		/* 0: free slot */
	u32 ack_seq;		/* sequence number the final ACK carries */
};

/*
 * Counts of the current and previous window. The estimate for "the last
 * window" weights the previous window by how much of it still overlaps,
 * which smooths the step a tumbling window would make at each boundary.
 * Distinct ports are a set, not a sum: their estimate is the union of both
 * windows' sketches, ports seen only in the previous one weighted.
 */
struct slg_window {
	u64 start_ms;
	u64 cur[SLG_NR_COUNTERS];
	u64 prev[SLG_NR_COUNTERS];
	DECLARE_BITMAP(ports, SLG_PORT_BITS);
	DECLARE_BITMAP(prev_ports, SLG_PORT_BITS);
	struct slg_pending_syn pending[SLG_PENDING_SYNS];
	u32 seed;		/* of the port sketch: random, per source */
	u8 pending_next;
};

/*
 * The sketch's bit for a port. The seed is secret and differs per source,
 * so nobody can pick ports that collide and stay under the threshold.
 */
static inline u32 slg_port_bit(u32 seed, u16 port)
{
	return jhash_1word(port, seed) % SLG_PORT_BITS;
}

/* Snapshot of one source's estimates, in per-window or per-second units. */
struct slg_rates {
	u64 pkt_rate;		/* per second */
	u64 byte_rate;		/* per second */
	u64 conn_rate;		/* SYN per second */
	u64 icmp_rate;		/* per second */
	u64 half_open;		/* per window */
	u64 ports;		/* per window */
};

void slg_window_init(struct slg_window *w, u64 now_ms);
void slg_window_roll(struct slg_window *w, u64 now_ms, u32 window_ms);
void slg_window_count(struct slg_window *w, const struct slg_pkt *pkt,
		      bool probe);
u64 slg_window_ports(const struct slg_window *w, u64 now_ms, u32 window_ms);

/* Count a packet that may probe a port (arriving, not a reply). */
static inline void slg_window_add(struct slg_window *w,
				  const struct slg_pkt *pkt)
{
	slg_window_count(w, pkt, true);
}

u64 slg_window_estimate(const struct slg_window *w, enum slg_counter c,
			u64 now_ms, u32 window_ms);
u64 slg_per_second(u64 per_window, u32 window_ms);
void slg_window_rates(const struct slg_window *w, u64 now_ms, u32 window_ms,
		      struct slg_rates *r);

#endif /* _SLAGUARD_ESTIMATOR_H */
