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
#include <net/ipv6.h>
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
		w->prev_probes = w->probes;
		w->start_ms += window_ms;
	} else {
		memset(w->prev, 0, sizeof(w->prev));
		bitmap_zero(w->prev_ports, SLG_PORT_BITS);
		w->prev_probes = 0;
		w->start_ms = now_ms;
	}
	w->probes = 0;
	memset(w->cur, 0, sizeof(w->cur));
	bitmap_zero(w->ports, SLG_PORT_BITS);
}

static void note_port(struct slg_window *w, u16 port)
{
	/* A hashed bitmap: collisions undercount, never overcount. */
	u32 bit = slg_port_bit(w->seed, port);

	if (!__test_and_set_bit(bit, w->ports))
		w->cur[SLG_CTR_PORTS]++;
	__set_bit(slg_slow_bit(w->seed, port), w->slow);
}

/*
 * The kind of port probe pkt is, or 0. TCP flag combinations no open
 * connection sends alone: SYN (opening), FIN, none, FIN|PSH|URG; an ACK
 * probe needs state to be told from a connection's ACK, so the hooks
 * decide that one. SCTP's INIT opens an association like a SYN.
 */
u32 slg_probe_kind(const struct slg_pkt *pkt)
{
	u8 f;

	switch (pkt->proto) {
	case IPPROTO_TCP:
		/* ECE and CWR ride on SYNs (ECN setup): ignore them. */
		f = pkt->tcp_flags & ~(TCPHDR_ECE | TCPHDR_CWR);
		if ((f & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) == TCPHDR_SYN)
			return SLAGUARD_PROBE_SYN;
		if (f == TCPHDR_FIN)
			return SLAGUARD_PROBE_FIN;
		if (!f)
			return SLAGUARD_PROBE_NULL;
		if (f == (TCPHDR_FIN | TCPHDR_PSH | TCPHDR_URG))
			return SLAGUARD_PROBE_XMAS;
		return 0;
	case IPPROTO_UDP:
		return SLAGUARD_PROBE_UDP;
	case IPPROTO_SCTP:
		return pkt->sctp_chunk == 1 ? SLAGUARD_PROBE_SCTP : 0; /* INIT */
	}
	return 0;
}

/*
 * Count a packet. A probe (an arriving packet that is no reply) of a kind
 * slg_probe_kind() knows also names a distinct destination port; other
 * packets only add to the counters. probe may carry SLAGUARD_PROBE_ACK
 * when the caller knows an ACK belongs to no connection.
 */
void slg_window_count(struct slg_window *w, const struct slg_pkt *pkt,
		      bool probe)
{
	u32 kind;

	w->cur[SLG_CTR_PKTS] += pkt->segs;
	w->cur[SLG_CTR_BYTES] += pkt->len;

	switch (pkt->proto) {
	case IPPROTO_TCP:
		if (slg_is_syn(pkt))
			w->cur[SLG_CTR_SYN]++;
		break;
	case IPPROTO_UDP:
		w->cur[SLG_CTR_UDP] += pkt->segs;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		w->cur[SLG_CTR_ICMP] += pkt->segs;
		break;
	}
	if (!probe)
		return;
	kind = slg_probe_kind(pkt);
	if (kind) {
		w->probes |= kind;
		note_port(w, pkt->dport);
	}
}

/* Count an ACK that opened no connection this side knows (nmap -sA). */
void slg_window_ack_probe(struct slg_window *w, const struct slg_pkt *pkt)
{
	w->probes |= SLAGUARD_PROBE_ACK;
	note_port(w, pkt->dport);
}

/* Advance the long window so that now_ms falls into the current one. */
void slg_slow_roll(struct slg_window *w, u64 now_ms, u32 slow_ms)
{
	u32 epoch;

	if (!slow_ms)
		return;
	epoch = div_u64(now_ms, slow_ms);
	if (epoch == w->slow_epoch)
		return;
	if (epoch == w->slow_epoch + 1)
		bitmap_copy(w->slow_prev, w->slow, SLG_SLOW_BITS);
	else
		bitmap_zero(w->slow_prev, SLG_SLOW_BITS);
	bitmap_zero(w->slow, SLG_SLOW_BITS);
	w->slow_epoch = epoch;
}

/*
 * Linear counting: the number of distinct ports that most likely set k of
 * the long sketch's 256 bits, round(-256 * ln(1 - k / 256)); all set reads
 * as if half a bit were still clear. Collisions would otherwise hide a
 * third of a 200-port scan.
 */
static const u16 slow_estimate[SLG_SLOW_BITS + 1] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	10, 11, 12, 13, 14, 15, 17, 18, 19, 20,
	21, 22, 23, 24, 25, 26, 27, 29, 30, 31,
	32, 33, 34, 35, 36, 38, 39, 40, 41, 42,
	43, 45, 46, 47, 48, 49, 51, 52, 53, 54,
	56, 57, 58, 59, 61, 62, 63, 64, 66, 67,
	68, 70, 71, 72, 74, 75, 76, 78, 79, 80,
	82, 83, 85, 86, 87, 89, 90, 92, 93, 94,
	96, 97, 99, 100, 102, 103, 105, 106, 108, 109,
	111, 112, 114, 116, 117, 119, 120, 122, 124, 125,
	127, 128, 130, 132, 133, 135, 137, 139, 140, 142,
	144, 146, 147, 149, 151, 153, 155, 156, 158, 160,
	162, 164, 166, 168, 170, 172, 173, 175, 177, 179,
	181, 184, 186, 188, 190, 192, 194, 196, 198, 200,
	203, 205, 207, 209, 212, 214, 216, 219, 221, 223,
	226, 228, 231, 233, 236, 238, 241, 243, 246, 248,
	251, 254, 256, 259, 262, 265, 268, 270, 273, 276,
	279, 282, 285, 288, 291, 295, 298, 301, 304, 308,
	311, 314, 318, 321, 325, 328, 332, 336, 339, 343,
	347, 351, 355, 359, 363, 367, 371, 376, 380, 385,
	389, 394, 398, 403, 408, 413, 418, 423, 429, 434,
	439, 445, 451, 457, 463, 469, 475, 482, 488, 495,
	502, 509, 517, 524, 532, 540, 549, 558, 567, 576,
	585, 596, 606, 617, 628, 640, 653, 666, 680, 694,
	710, 726, 744, 763, 783, 806, 830, 857, 887, 921,
	961, 1008, 1065, 1138, 1242, 1420, 1597,
};

/* Distinct ports over the last slow_ms, the union like slg_window_ports(). */
u64 slg_slow_ports(const struct slg_window *w, u64 now_ms, u32 slow_ms)
{
	u64 start = (u64)w->slow_epoch * slow_ms;
	u64 elapsed = now_ms > start ? now_ms - start : 0;
	u64 cur = 0, only_prev = 0;
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(SLG_SLOW_BITS); i++) {
		cur += hweight_long(w->slow[i]);
		only_prev += hweight_long(w->slow_prev[i] & ~w->slow[i]);
	}
	if (slow_ms && elapsed < slow_ms)
		cur += div_u64(only_prev * (slow_ms - elapsed), slow_ms);
	return slow_estimate[min_t(u64, cur, SLG_SLOW_BITS)];
}

void slg_hs_init(struct slg_hs_table *t, u64 *slots, u32 nsets)
{
	t->slots = slots;
	t->nsets = nsets;
	t->seed = get_random_u32();
	memset(slots, 0, sizeof(*slots) * nsets * SLG_HS_WAYS);
}

/* The key of an arriving segment: the source is the client. */
void slg_hs_key_in(struct slg_hs_key *k, u64 net_cookie,
		   const struct slg_pkt *pkt)
{
	memset(k, 0, sizeof(*k));
	k->net_cookie = net_cookie;
	k->family = pkt->family;
	k->peer = pkt->saddr;
	k->local = pkt->daddr;
	k->peer_port = pkt->sport;
	k->local_port = pkt->dport;
}

/* The key of a leaving segment (a SYN-ACK): the destination is the client. */
void slg_hs_key_out(struct slg_hs_key *k, u64 net_cookie,
		    const struct slg_pkt *pkt)
{
	memset(k, 0, sizeof(*k));
	k->net_cookie = net_cookie;
	k->family = pkt->family;
	k->peer = pkt->daddr;
	k->local = pkt->saddr;
	k->peer_port = pkt->dport;
	k->local_port = pkt->sport;
}

static u64 *hs_set(const struct slg_hs_table *t, const struct slg_hs_key *k,
		   u32 *tag)
{
	u32 h = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), t->seed);

	/* An independent tag, never 0 (0 marks a free way). */
	*tag = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), ~t->seed) | 1;
	return &t->slots[(h & (t->nsets - 1)) * SLG_HS_WAYS];
}

/* This side sent a SYN-ACK with initial sequence number isn. */
void slg_hs_expect(struct slg_hs_table *t, const struct slg_hs_key *k,
		   u32 isn)
{
	u32 tag;
	u64 *set = hs_set(t, k, &tag);
	u64 e = (u64)tag << 32 | (u32)(isn + 1);
	int i;

	/* A retransmitted SYN-ACK (same tag) replaces its own entry. */
	for (i = 0; i < SLG_HS_WAYS; i++)
		if ((READ_ONCE(set[i]) >> 32) == tag) {
			WRITE_ONCE(set[i], e);
			return;
		}
	for (i = 0; i < SLG_HS_WAYS; i++)
		if (!READ_ONCE(set[i]) && !cmpxchg64(&set[i], 0, e))
			return;
	/* Full: overwrite a way the ISN picks (not the peer's choice). */
	WRITE_ONCE(set[isn % SLG_HS_WAYS], e);
}

/*
 * The client's ACK arrived: true when it acknowledges a SYN-ACK in flight,
 * once per handshake (a retransmitted ACK finds the entry gone).
 */
bool slg_hs_complete(struct slg_hs_table *t, const struct slg_hs_key *k,
		     u32 ack_seq)
{
	u32 tag;
	u64 *set = hs_set(t, k, &tag);
	u64 e = (u64)tag << 32 | ack_seq;
	int i;

	for (i = 0; i < SLG_HS_WAYS; i++)
		if (READ_ONCE(set[i]) == e && cmpxchg64(&set[i], e, 0) == e)
			return true;
	return false;
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

static u32 young_slot_ms(u32 window_ms)
{
	return clamp(window_ms / 4, 50U, 500U);
}

void slg_young_add(struct slg_young *y, u64 now_ms, u32 window_ms)
{
	u16 slot = (u16)div_u64(now_ms, young_slot_ms(window_ms));

	if (slot != y->slot) {
		y->n[1] = slot == (u16)(y->slot + 1) ? y->n[0] : 0;
		y->n[0] = 0;
		y->slot = slot;
	}
	if (y->n[0] < U16_MAX)
		y->n[0]++;
}

/* SYNs of the current and the last slot: the last 1 to 2 slots' worth. */
u32 slg_young_count(const struct slg_young *y, u64 now_ms, u32 window_ms)
{
	u16 slot = (u16)div_u64(now_ms, young_slot_ms(window_ms));

	if (slot == y->slot)
		return y->n[0] + y->n[1];
	if (slot == (u16)(y->slot + 1))
		return y->n[0];
	return 0;
}

/*
 * Half-open: SYNs of the window, less those too young to have completed
 * (still in flight: a handshake behind 200 ms of delay is not half-open
 * yet), less the completions. A burst of concurrent handshakes reads as
 * none; a flood shows within a fraction of the window. Completions of
 * young or older SYNs only lower the figure.
 */
static u64 half_open(u64 syn, u64 young, u64 done)
{
	return syn > young + done ? syn - young - done : 0;
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

	r->pkt_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_PKTS, now_ms,
							 window_ms), window_ms);
	r->byte_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_BYTES, now_ms,
							  window_ms), window_ms);
	r->conn_rate = slg_per_second(syn, window_ms);
	r->icmp_rate = slg_per_second(slg_window_estimate(w, SLG_CTR_ICMP, now_ms,
							  window_ms), window_ms);
	r->half_open = half_open(syn, slg_young_count(&w->young, now_ms,
						      window_ms),
				 slg_window_estimate(w, SLG_CTR_DONE, now_ms,
						     window_ms));
	r->ports = slg_window_estimate(w, SLG_CTR_PORTS, now_ms, window_ms);
	r->probes = w->probes | w->prev_probes;
}

void slg_dst_init(struct slg_dst_table *t)
{
	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
}

static bool dst_is(const struct slg_dst *d, const struct slg_pkt *pkt)
{
	if (d->family != pkt->family || d->port != pkt->dport)
		return false;
	if (pkt->family == AF_INET)
		return d->addr.v4 == pkt->daddr.v4;
	return ipv6_addr_equal(&d->addr.v6, &pkt->daddr.v6);
}

static struct slg_dst *dst_find(struct slg_dst_table *t,
				const struct slg_pkt *pkt)
{
	int i;

	for (i = 0; i < SLG_DSTS; i++)
		if (t->d[i].family && dst_is(&t->d[i], pkt))
			return &t->d[i];
	return NULL;
}

static void dst_roll(struct slg_dst *d, u64 now_ms, u32 window_ms)
{
	u64 elapsed;

	if (now_ms < d->start_ms)
		d->start_ms = now_ms;
	elapsed = now_ms - d->start_ms;
	if (elapsed < window_ms)
		return;
	if (elapsed < 2ULL * window_ms) {
		d->syn[1] = d->syn[0];
		d->done[1] = d->done[0];
		d->start_ms += window_ms;
	} else {
		d->syn[1] = 0;
		d->done[1] = 0;
		d->start_ms = now_ms;
	}
	d->syn[0] = 0;
	d->done[0] = 0;
}

/* Like slg_window_estimate(): this window plus the overlap of the last. */
static u64 dst_estimate(const u32 c[2], u64 start_ms, u64 now_ms,
			u32 window_ms)
{
	u64 elapsed = now_ms > start_ms ? now_ms - start_ms : 0;

	if (elapsed >= window_ms)
		return c[0];
	return c[0] + div_u64((u64)c[1] * (window_ms - elapsed), window_ms);
}

/*
 * A SYN to pkt's destination. True when its half-open count reaches
 * threshold and the destination has not reported within holdoff_ms; a
 * filled in. Half-open is counted like a source's (see half_open()).
 */
bool slg_dst_syn(struct slg_dst_table *t, const struct slg_pkt *pkt,
		 u64 now_ms, u32 window_ms, u32 threshold, u32 holdoff_ms,
		 struct slg_dst_alarm *a)
{
	struct slg_dst *d;
	bool fire = false;
	u64 v;
	int i;

	spin_lock_bh(&t->lock);
	d = dst_find(t, pkt);
	if (!d) {
		/* A free slot, else the destination hit least recently. */
		d = &t->d[0];
		for (i = 0; i < SLG_DSTS && d->family; i++)
			if (!t->d[i].family || t->d[i].last_ms < d->last_ms)
				d = &t->d[i];
		memset(d, 0, sizeof(*d));
		d->family = pkt->family;
		d->addr = pkt->daddr;
		d->port = pkt->dport;
		d->start_ms = now_ms;
	}
	d->last_ms = now_ms;
	dst_roll(d, now_ms, window_ms);
	if (d->syn[0] < U32_MAX)
		d->syn[0]++;
	slg_young_add(&d->young, now_ms, window_ms);
	v = half_open(dst_estimate(d->syn, d->start_ms, now_ms, window_ms),
		      slg_young_count(&d->young, now_ms, window_ms),
		      dst_estimate(d->done, d->start_ms, now_ms, window_ms));
	if (threshold && v >= threshold &&
	    (!d->holdoff_ms || now_ms < d->holdoff_ms ||
	     now_ms - d->holdoff_ms >= holdoff_ms)) {
		d->holdoff_ms = now_ms ? now_ms : 1;
		a->addr = d->addr;
		a->port = d->port;
		a->family = d->family;
		a->value = v;
		fire = true;
	}
	spin_unlock_bh(&t->lock);
	return fire;
}

/* A handshake to pkt's destination completed (pkt: the client's ACK). */
void slg_dst_done(struct slg_dst_table *t, const struct slg_pkt *pkt,
		  u64 now_ms, u32 window_ms)
{
	struct slg_dst *d;

	spin_lock_bh(&t->lock);
	d = dst_find(t, pkt);
	if (d) {
		dst_roll(d, now_ms, window_ms);
		if (d->done[0] < U32_MAX)
			d->done[0]++;
	}
	spin_unlock_bh(&t->lock);
}
