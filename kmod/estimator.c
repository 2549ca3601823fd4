// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - per-source rate estimators over a sliding window.
 *
 * Everything here runs under the owning source's lock and touches only the
 * window it is given, so it is plain arithmetic and easy to test.
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/in.h>
#include <net/tcp.h>

#include "estimator.h"

void slg_window_init(struct slg_window *w, u64 now_ms)
{
	memset(w, 0, sizeof(*w));
	w->start_ms = now_ms;
	w->seed = get_random_u32();
}

/* Advance the window so that now_ms falls into the current one. */
void slg_window_roll(struct slg_window *w, u64 now_ms, u32 window_ms)
{
	u64 elapsed;

	if (now_ms < w->start_ms)	/* clock went back: restart */
		w->start_ms = now_ms;
	elapsed = now_ms - w->start_ms;
	if (elapsed < window_ms)
		return;

	if (elapsed < 2ULL * window_ms) {
		memcpy(w->prev, w->cur, sizeof(w->prev));
		bitmap_copy(w->prev_ports, w->ports, SLG_PORT_BITS);
		w->start_ms += window_ms;
	} else {
		memset(w->prev, 0, sizeof(w->prev));
		bitmap_zero(w->prev_ports, SLG_PORT_BITS);
		w->start_ms = now_ms;
	}
	memset(w->cur, 0, sizeof(w->cur));
	bitmap_zero(w->ports, SLG_PORT_BITS);
}

static void note_port(struct slg_window *w, u16 port)
{
	/* A hashed bitmap: collisions undercount, never overcount. */
	u32 bit = slg_port_bit(w->seed, port);

	if (!__test_and_set_bit(bit, w->ports))
		w->cur[SLG_CTR_PORTS]++;
}

static void note_syn(struct slg_window *w, const struct slg_pkt *pkt)
{
	struct slg_pending_syn *p = &w->pending[w->pending_next];

	/* The oldest pending handshake is forgotten: it stays half-open. */
	p->sport = pkt->sport;
	p->dport = pkt->dport;
	p->ack_seq = pkt->tcp_seq + 1;
	w->pending_next = (w->pending_next + 1) % SLG_PENDING_SYNS;
}

static void note_ack(struct slg_window *w, const struct slg_pkt *pkt)
{
	int i;

	for (i = 0; i < SLG_PENDING_SYNS; i++) {
		struct slg_pending_syn *p = &w->pending[i];

		/* dport 0 marks a free slot: no handshake completes to it */
		if (p->dport && p->sport == pkt->sport &&
		    p->dport == pkt->dport && p->ack_seq == pkt->tcp_seq) {
			p->dport = 0;
			w->cur[SLG_CTR_DONE]++;
			return;
		}
	}
}

/*
 * Count a packet. A probe (an arriving packet that is no reply) also names
 * a distinct destination port; other packets only add to the counters.
 */
void slg_window_count(struct slg_window *w, const struct slg_pkt *pkt,
		      bool probe)
{
	u8 syn_ack = TCPHDR_SYN | TCPHDR_ACK;

	w->cur[SLG_CTR_PKTS] += pkt->segs;
	w->cur[SLG_CTR_BYTES] += pkt->len;

	switch (pkt->proto) {
	case IPPROTO_TCP:
		if ((pkt->tcp_flags & (syn_ack | TCPHDR_RST)) == TCPHDR_SYN) {
			w->cur[SLG_CTR_SYN]++;
			if (probe)
				note_port(w, pkt->dport);
			note_syn(w, pkt);
		} else if ((pkt->tcp_flags & (syn_ack | TCPHDR_RST |
					      TCPHDR_FIN)) == TCPHDR_ACK) {
			note_ack(w, pkt);
		}
		break;
	case IPPROTO_UDP:
		w->cur[SLG_CTR_UDP] += pkt->segs;
		if (probe)
			note_port(w, pkt->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		w->cur[SLG_CTR_ICMP] += pkt->segs;
		break;
	}
}

/*
 * Distinct ports over the last window_ms: those of the current window plus
 * the overlapping part of those seen only in the previous one. A port
 * touched in both windows counts once, so a poller of the same ports reads
 * as many ports as it touches, however long it runs.
 */
u64 slg_window_ports(const struct slg_window *w, u64 now_ms, u32 window_ms)
{
	u64 elapsed = now_ms > w->start_ms ? now_ms - w->start_ms : 0;
	u64 only_prev = 0;
	unsigned int i;

	if (elapsed >= window_ms)
		return w->cur[SLG_CTR_PORTS];
	for (i = 0; i < BITS_TO_LONGS(SLG_PORT_BITS); i++)
		only_prev += hweight_long(w->prev_ports[i] & ~w->ports[i]);
	return w->cur[SLG_CTR_PORTS] +
	       div_u64(only_prev * (window_ms - elapsed), window_ms);
}

/* Count over the last window_ms: current window plus the overlapping part
 * of the previous one.
 */
u64 slg_window_estimate(const struct slg_window *w, enum slg_counter c,
			u64 now_ms, u32 window_ms)
{
	u64 elapsed = now_ms > w->start_ms ? now_ms - w->start_ms : 0;
	u64 overlap;

	if (c == SLG_CTR_PORTS)
		return slg_window_ports(w, now_ms, window_ms);
	if (elapsed >= window_ms)
		return w->cur[c];
	overlap = window_ms - elapsed;
	return w->cur[c] + div_u64(w->prev[c] * overlap, window_ms);
}

u64 slg_per_second(u64 per_window, u32 window_ms)
{
	if (!window_ms)
		return 0;
	return div_u64(per_window * 1000, window_ms);
}

void slg_window_rates(const struct slg_window *w, u64 now_ms, u32 window_ms,
		      struct slg_rates *r)
{
	u64 syn = slg_window_estimate(w, SLG_CTR_SYN, now_ms, window_ms);
	u64 done = slg_window_estimate(w, SLG_CTR_DONE, now_ms, window_ms);

	r->pkt_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_PKTS, now_ms,
							 window_ms), window_ms);
	r->byte_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_BYTES, now_ms,
							  window_ms), window_ms);
	r->conn_rate = slg_per_second(syn, window_ms);
	r->icmp_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_ICMP, now_ms,
							  window_ms), window_ms);
	r->half_open = syn > done ? syn - done : 0;
	r->ports = slg_window_estimate(w, SLG_CTR_PORTS, now_ms, window_ms);
}
