/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - per-source rate estimators over a sliding window.
 */
#ifndef _SLAGUARD_ESTIMATOR_H
#define _SLAGUARD_ESTIMATOR_H

#include <linux/bitmap.h>
#include <linux/jhash.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/tcp.h>

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
/* Bits of the long window's sketch (slow scans). */
#define SLG_SLOW_BITS		256
/* What it can count (see slow_estimate[]): bounds THR_SLOW_PORTS. */
#define SLG_SLOW_MAX		1000

/*
 * SYNs too young to be half-open: their handshakes may still be in flight.
 * Counted in two slots of a quarter window (50 to 500 ms), the current and
 * the last, the slot number kept in 16 bits (it wraps after hours: a stale
 * count then lowers the half-open figure once).
 */
struct slg_young {
	u16 n[2];
	u16 slot;
};

void slg_young_add(struct slg_young *y, u64 now_ms, u32 window_ms);
u32 slg_young_count(const struct slg_young *y, u64 now_ms, u32 window_ms);

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
	DECLARE_BITMAP(slow, SLG_SLOW_BITS);
	DECLARE_BITMAP(slow_prev, SLG_SLOW_BITS);
	u32 seed;		/* of the port sketches: random, per source */
	/* The long window: number now_ms / slow_ms, its previous one weighted */
	u32 slow_epoch;
	struct slg_young young;
	u8 probes;		/* enum slaguard_probe bits, current window */
	u8 prev_probes;		/* and the previous one */
};

/*
 * The sketch's bit for a port. The seed is secret and differs per source,
 * so nobody can pick ports that collide and stay under the threshold.
 */
static inline u32 slg_port_bit(u32 seed, u16 port)
{
	return jhash_1word(port, seed) % SLG_PORT_BITS;
}

/* The long window's bit for a port: another function of the same seed. */
static inline u32 slg_slow_bit(u32 seed, u16 port)
{
	return jhash_1word(port, ~seed) % SLG_SLOW_BITS;
}

/* Snapshot of one source's estimates, in per-window or per-second units. */
struct slg_rates {
	u64 pkt_rate;		/* per second */
	u64 byte_rate;		/* per second */
	u64 conn_rate;		/* SYN per second */
	u64 icmp_rate;		/* per second */
	u64 half_open;		/* per window */
	u64 ports;		/* per window */
	u64 slow_ports;		/* per long window */
	u32 probes;		/* enum slaguard_probe bits seen in the window */
};

void slg_window_init(struct slg_window *w, u64 now_ms);
void slg_window_roll(struct slg_window *w, u64 now_ms, u32 window_ms);
void slg_window_count(struct slg_window *w, const struct slg_pkt *pkt,
		      bool probe);
u64 slg_window_ports(const struct slg_window *w, u64 now_ms, u32 window_ms);
void slg_slow_roll(struct slg_window *w, u64 now_ms, u32 slow_ms);
u64 slg_slow_ports(const struct slg_window *w, u64 now_ms, u32 slow_ms);
u32 slg_probe_kind(const struct slg_pkt *pkt);
void slg_window_ack_probe(struct slg_window *w, const struct slg_pkt *pkt);

/* A handshake of this source completed (see struct slg_hs_table). */
static inline void slg_window_done(struct slg_window *w)
{
	w->cur[SLG_CTR_DONE]++;
}

/*
 * Handshakes in flight: the SYN-ACKs this side sent (on the way out, so the
 * initial sequence number is the one this host chose), waiting for the
 * peer's ACK of it (ack_seq == ISN + 1). A blind forger does not know the
 * ISN, so it cannot fake a completion. Set-associative and shared by all
 * sources, so one source (a NAT gateway, a proxy) may have thousands in
 * flight; bounded, the oldest guess at a full set is overwritten. Entries
 * pack a 32-bit tag of the connection and the ACK expected; 0 is free.
 */
#define SLG_HS_WAYS	4

struct slg_hs_table {
	u64 *slots;		/* nsets * SLG_HS_WAYS */
	u32 nsets;		/* power of two */
	u32 seed;
};

/* One connection as the server side sees it. */
struct slg_hs_key {
	u64 net_cookie;
	union slg_addr peer;	/* the client: the source */
	union slg_addr local;
	u16 peer_port;
	u16 local_port;
	u32 family;
};

void slg_hs_init(struct slg_hs_table *t, u64 *slots, u32 nsets);
void slg_hs_key_in(struct slg_hs_key *k, u64 net_cookie,
		   const struct slg_pkt *pkt);
void slg_hs_key_out(struct slg_hs_key *k, u64 net_cookie,
		    const struct slg_pkt *pkt);
void slg_hs_expect(struct slg_hs_table *t, const struct slg_hs_key *k,
		   u32 isn);
bool slg_hs_complete(struct slg_hs_table *t, const struct slg_hs_key *k,
		     u32 ack_seq);

/* A SYN-ACK: what the server side sends to accept a handshake. */
static inline bool slg_is_syn_ack(const struct slg_pkt *pkt)
{
	return pkt->proto == IPPROTO_TCP &&
	       (pkt->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
	       (TCPHDR_SYN | TCPHDR_ACK);
}

/* A segment that may complete a handshake: ACK, no SYN, FIN or RST. */
static inline bool slg_is_ack(const struct slg_pkt *pkt)
{
	return pkt->proto == IPPROTO_TCP &&
	       (pkt->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST |
				  TCPHDR_FIN)) == TCPHDR_ACK;
}

/* A SYN opening a connection (no ACK, no RST). */
static inline bool slg_is_syn(const struct slg_pkt *pkt)
{
	return pkt->proto == IPPROTO_TCP &&
	       (pkt->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
	       TCPHDR_SYN;
}

/*
 * Half-open TCP connections to one local (address, port), from any number
 * of sources, per window: what a SYN flood with forged sources leaves.
 * A small table per namespace, the least recently hit destination
 * replaced when it is full.
 */
#define SLG_DSTS	64

struct slg_dst {
	union slg_addr addr;
	u16 port;
	u8 family;		/* 0: free */
	struct slg_young young;
	u64 start_ms;		/* of the current window */
	u64 last_ms;		/* last SYN: the least recent is replaced */
	u64 holdoff_ms;		/* last event, 0: none */
	u32 syn[2];		/* current and previous window */
	u32 done[2];
};

struct slg_dst_table {
	spinlock_t lock;	/* the entries */
	struct slg_dst d[SLG_DSTS];
};

struct slg_dst_alarm {
	union slg_addr addr;
	u16 port;
	u8 family;
	u64 value;
};

void slg_dst_init(struct slg_dst_table *t);
bool slg_dst_syn(struct slg_dst_table *t, const struct slg_pkt *pkt,
		 u64 now_ms, u32 window_ms, u32 threshold, u32 holdoff_ms,
		 struct slg_dst_alarm *a);
void slg_dst_done(struct slg_dst_table *t, const struct slg_pkt *pkt,
		  u64 now_ms, u32 window_ms);

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
