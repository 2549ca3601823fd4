// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's sliding-window estimators.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <net/tcp.h>

#include "estimator.h"

#define WIN	1000

static struct slg_window *new_window(struct kunit *test, u64 now_ms)
{
	struct slg_window *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	slg_window_init(w, now_ms);
	return w;
}

static struct slg_pkt pkt(u8 proto, u16 sport, u16 dport, u8 flags, u32 seq)
{
	struct slg_pkt p = {
		.len = 100,
		.segs = 1,
		.proto = proto,
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
		.tcp_seq = seq,
		.family = AF_INET,
	};

	return p;
}

static void add_n(struct slg_window *w, const struct slg_pkt *p, int n)
{
	while (n--)
		slg_window_add(w, p);
}

static void roll_within_window(struct kunit *test)
{
	struct slg_window *w = new_window(test, 1000);
	struct slg_pkt p = pkt(IPPROTO_UDP, 1, 53, 0, 0);

	add_n(w, &p, 3);
	slg_window_roll(w, 1000 + WIN - 1, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 1000);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 3);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PKTS], 0);
}

static void roll_one_window(struct kunit *test)
{
	struct slg_window *w = new_window(test, 1000);
	struct slg_pkt p = pkt(IPPROTO_UDP, 1, 53, 0, 0);

	add_n(w, &p, 3);
	KUNIT_ASSERT_EQ(test, w->cur[SLG_CTR_PORTS], 1);
	/* Exactly one window later the current window becomes the previous. */
	slg_window_roll(w, 1000 + WIN, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 1000 + WIN);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PKTS], 3);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_UDP], 3);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PORTS], 1);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 0);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 0);

	/* The port sketch starts empty: the same port counts again. */
	slg_window_add(w, &p);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 1);

	/* Late in the next window: start advances by one window, not to now. */
	slg_window_roll(w, 1000 + 3 * WIN - 1, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 1000 + 2 * WIN);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PKTS], 1);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 0);
}

static void roll_two_windows_resets(struct kunit *test)
{
	struct slg_window *w = new_window(test, 1000);
	struct slg_pkt p = pkt(IPPROTO_UDP, 1, 53, 0, 0);

	add_n(w, &p, 3);
	slg_window_roll(w, 1000 + 2 * WIN, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 1000 + 2 * WIN);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PKTS], 0);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 0);

	add_n(w, &p, 2);
	slg_window_roll(w, 1000 + 2 * WIN + 5 * WIN + 123, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 1000 + 7 * WIN + 123);
	KUNIT_EXPECT_EQ(test, w->prev[SLG_CTR_PKTS], 0);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 0);
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS,
						  1000 + 7 * WIN + 123, WIN), 0);
}

static void roll_clock_back_keeps_counts(struct kunit *test)
{
	struct slg_window *w = new_window(test, 5000);
	struct slg_pkt p = pkt(IPPROTO_UDP, 1, 53, 0, 0);

	add_n(w, &p, 4);
	slg_window_roll(w, 4000, WIN);
	KUNIT_EXPECT_EQ(test, w->start_ms, 4000);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 4);
}

static void estimate_weights_previous(struct kunit *test)
{
	struct slg_window *w = new_window(test, 1000);

	w->cur[SLG_CTR_PKTS] = 10;
	w->prev[SLG_CTR_PKTS] = 100;

	/* At the start the whole previous window still overlaps. */
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 1000, WIN),
			110);
	/* A quarter in: three quarters of it. */
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 1250, WIN),
			85);
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 1500, WIN),
			60);
	/* 100 * 1/1000 rounds down to nothing. */
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 1999, WIN),
			10);
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 2000, WIN),
			10);
	/* A clock before the window start counts as its start. */
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_PKTS, 500, WIN),
			110);
	/* Other counters are separate. */
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_BYTES, 1000, WIN),
			0);

	/* Another window length: 200 ms, 50 ms in. */
	w->prev[SLG_CTR_SYN] = 40;
	w->cur[SLG_CTR_SYN] = 1;
	KUNIT_EXPECT_EQ(test, slg_window_estimate(w, SLG_CTR_SYN, 1050, 200),
			31);
}

static void per_second_conversion(struct kunit *test)
{
	static const struct {
		u64 per_window;
		u32 window_ms;
		u64 per_second;
	} cases[] = {
		{ 50, 1000, 50 },
		{ 50, 500, 100 },
		{ 50, 2000, 25 },
		{ 7, 100, 70 },
		{ 1, 3000, 0 },
		{ 1000, 60000, 16 },
		{ 1ULL << 40, 60000, 18325193796ULL },
		{ 123, 0, 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, slg_per_second(cases[i].per_window,
							 cases[i].window_ms),
				    cases[i].per_second, "case %d", i);
}

static void rates_from_window(struct kunit *test)
{
	struct slg_window *w = new_window(test, 1000);
	struct slg_rates r;

	w->cur[SLG_CTR_PKTS] = 30;
	w->cur[SLG_CTR_BYTES] = 3000;
	w->cur[SLG_CTR_SYN] = 10;
	w->cur[SLG_CTR_DONE] = 1;
	w->prev[SLG_CTR_SYN] = 10;
	w->prev[SLG_CTR_DONE] = 3;
	w->cur[SLG_CTR_ICMP] = 5;
	w->cur[SLG_CTR_PORTS] = 7;
	w->prev[SLG_CTR_PKTS] = 40;

	/* 500 ms window, 250 ms in: previous window weighs half. */
	slg_window_rates(w, 1250, 500, &r);
	KUNIT_EXPECT_EQ(test, r.pkt_rate, (30 + 20) * 2);
	KUNIT_EXPECT_EQ(test, r.byte_rate, 6000);
	KUNIT_EXPECT_EQ(test, r.conn_rate, 30);
	KUNIT_EXPECT_EQ(test, r.icmp_rate, 10);
	/* SYNs 10 + 5, completions 1 + 1 (3 weighted half, rounded down) */
	KUNIT_EXPECT_EQ(test, r.half_open, 13);
	KUNIT_EXPECT_EQ(test, r.ports, 7);

	/* More completions than SYNs (SYNs in an older window): not negative. */
	w->cur[SLG_CTR_DONE] = 14;
	slg_window_rates(w, 1250, 500, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
}

static void ports_counted_once(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt syn = pkt(IPPROTO_TCP, 40000, 80, TCPHDR_SYN, 1);
	struct slg_pkt udp = pkt(IPPROTO_UDP, 40000, 80, 0, 0);

	add_n(w, &syn, 5);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 5);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 1);
	/* A UDP packet to the same port number is the same port. */
	add_n(w, &udp, 5);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 1);
}

static void ports_distinct(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	const int n = 32;
	u64 counted;
	int i, round;

	w->seed = 0x5a6d;	/* a seed known to collide little here */
	/* Twice the same ports: the second round adds nothing. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < n; i++) {
			struct slg_pkt p = pkt(IPPROTO_TCP, 40000, 1000 + 17 * i,
					       TCPHDR_SYN, i);

			slg_window_add(w, &p);
		}
		if (!round)
			counted = w->cur[SLG_CTR_PORTS];
	}
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], counted);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 2 * n);
	/* A hashed sketch may undercount a little, never overcount. */
	KUNIT_EXPECT_LE(test, counted, n);
	KUNIT_EXPECT_GE(test, counted, n - 4);
}

static void ports_saturate_at_sketch_size(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u32 port;

	for (port = 0; port <= U16_MAX; port++) {
		struct slg_pkt p = pkt(IPPROTO_UDP, 5353, port, 0, 0);

		slg_window_add(w, &p);
	}
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], SLG_PORT_BITS);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_UDP], 65536);
}

/* A handshake table of nsets sets for one test. */
static struct slg_hs_table *new_hs(struct kunit *test, u32 nsets)
{
	struct slg_hs_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u64 *slots = kunit_kcalloc(test, nsets * SLG_HS_WAYS, sizeof(u64),
				   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, slots);
	slg_hs_init(t, slots, nsets);
	return t;
}

/* The client's segment of a connection to 192.0.2.1:dport. */
static struct slg_pkt hs_pkt(u16 sport, u16 dport, u8 flags, u32 seq, u32 ack)
{
	struct slg_pkt p = pkt(IPPROTO_TCP, sport, dport, flags, seq);

	p.saddr.v4 = htonl(0xc6120001);	/* 198.18.0.1 */
	p.daddr.v4 = htonl(0xc0000201);	/* 192.0.2.1 */
	p.tcp_ack = ack;
	return p;
}

/* This host's SYN-ACK to the client of c, with initial sequence isn. */
static void hs_syn_ack(struct slg_hs_table *t, const struct slg_pkt *c,
		       u32 isn)
{
	struct slg_pkt p = *c;
	struct slg_hs_key k;

	p.saddr = c->daddr;
	p.daddr = c->saddr;
	p.sport = c->dport;
	p.dport = c->sport;
	p.tcp_flags = TCPHDR_SYN | TCPHDR_ACK;
	p.tcp_seq = isn;
	p.tcp_ack = c->tcp_seq + 1;
	slg_hs_key_out(&k, 1, &p);
	slg_hs_expect(t, &k, isn);
}

static bool hs_ack(struct slg_hs_table *t, const struct slg_pkt *p)
{
	struct slg_hs_key k;

	slg_hs_key_in(&k, 1, p);
	return slg_hs_complete(t, &k, p->tcp_ack);
}

static void handshake_completes(struct kunit *test)
{
	struct slg_hs_table *t = new_hs(test, 16);
	struct slg_pkt syn = hs_pkt(40000, 443, TCPHDR_SYN, 1000, 0);
	struct slg_pkt ack = hs_pkt(40000, 443, TCPHDR_ACK, 1001, 70001);
	struct slg_pkt other = hs_pkt(40001, 443, TCPHDR_ACK, 1001, 70001);
	struct slg_pkt forged = hs_pkt(40000, 443, TCPHDR_ACK, 1001, 5);

	/* No SYN-ACK sent: nothing to complete. */
	KUNIT_EXPECT_FALSE(test, hs_ack(t, &ack));
	hs_syn_ack(t, &syn, 70000);
	/* The client's seq == ISN + 1 proves nothing; ack_seq must match. */
	KUNIT_EXPECT_FALSE(test, hs_ack(t, &forged));
	KUNIT_EXPECT_FALSE(test, hs_ack(t, &other));
	KUNIT_EXPECT_TRUE(test, hs_ack(t, &ack));
	/* Once: a retransmitted ACK completes nothing more. */
	KUNIT_EXPECT_FALSE(test, hs_ack(t, &ack));

	/* Another namespace's identical connection is another one. */
	hs_syn_ack(t, &syn, 70000);
	{
		struct slg_hs_key k;

		slg_hs_key_in(&k, 2, &ack);
		KUNIT_EXPECT_FALSE(test, slg_hs_complete(t, &k, ack.tcp_ack));
	}
	KUNIT_EXPECT_TRUE(test, hs_ack(t, &ack));
}

/* An ISN of 0xffffffff makes the final ACK acknowledge 0. */
static void handshake_seq_wraps(struct kunit *test)
{
	struct slg_hs_table *t = new_hs(test, 16);
	struct slg_pkt syn = hs_pkt(40001, 80, TCPHDR_SYN, 5, 0);
	struct slg_pkt ack = hs_pkt(40001, 80, TCPHDR_ACK, 6, 0);

	hs_syn_ack(t, &syn, 0xffffffff);
	KUNIT_EXPECT_TRUE(test, hs_ack(t, &ack));
	KUNIT_EXPECT_FALSE(test, hs_ack(t, &ack));
}

/*
 * A gateway's 300 handshakes in flight at once all complete: the table is
 * shared by all sources, not 8 slots per source. A full table forgets the
 * oldest guesses, never more than it holds.
 */
static void handshake_table_sized_for_gateways(struct kunit *test)
{
	struct slg_hs_table *t = new_hs(test, 4096);
	struct slg_hs_table *small = new_hs(test, 4);
	const int n = 300;
	int i, done = 0, small_done = 0;

	for (i = 0; i < n; i++) {
		struct slg_pkt syn = hs_pkt(20000 + i, 443, TCPHDR_SYN, i, 0);

		hs_syn_ack(t, &syn, 1000003 * i);
		hs_syn_ack(small, &syn, 1000003 * i);
	}
	for (i = 0; i < n; i++) {
		struct slg_pkt ack = hs_pkt(20000 + i, 443, TCPHDR_ACK, i + 1,
					    1000003 * i + 1);

		done += hs_ack(t, &ack);
		small_done += hs_ack(small, &ack);
	}
	/* 4096 sets of 4: at most a few collide past their set */
	KUNIT_EXPECT_GE(test, done, n - 3);
	KUNIT_EXPECT_LE(test, small_done, 4 * SLG_HS_WAYS);
}

/* count n SYNs at now_ms, as the hooks do */
static void syns_at(struct slg_window *w, u64 now_ms, int n)
{
	struct slg_pkt syn = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_SYN, 1);

	slg_window_roll(w, now_ms, WIN);
	while (n--) {
		slg_young_add(&w->young, now_ms, WIN);
		slg_window_add(w, &syn);
	}
}

/*
 * Half-open counts the window's SYNs less those too young to have
 * completed (the last 250 to 500 ms of a 1 s window) and the completions:
 * handshakes still in flight are not half-open, a flood shows at once.
 */
static void half_open_spares_young(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_rates r;
	u64 t;
	int i;

	/* 300 at once: all in flight */
	syns_at(w, 0, 300);
	slg_window_rates(w, 100, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
	/* 200 ms later 250 complete: 50 stay half-open once they age */
	for (i = 0; i < 250; i++)
		slg_window_done(w);
	slg_window_rates(w, 200, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
	slg_window_rates(w, 600, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 50);

	/* a flood, 100 SYNs every 10 ms, none completing: seen in 1 s */
	w = new_window(test, 0);
	for (t = 0; t < 1000; t += 10)
		syns_at(w, t, 100);
	slg_window_rates(w, 990, WIN, &r);
	KUNIT_EXPECT_GE(test, r.half_open, 5000);
	/* a gateway, 150/s, each completing 200 ms later: never */
	w = new_window(test, 0);
	for (t = 0; t < 5000; t += 20) {
		syns_at(w, t, 3);
		if (t >= 200)
			for (i = 0; i < 3; i++)
				slg_window_done(w);
		slg_window_rates(w, t, WIN, &r);
		KUNIT_EXPECT_LT(test, r.half_open, 10);
	}
}

static void syn_ack_and_rst_are_not_syn(struct kunit *test)
{
	static const u8 not_syn[] = {
		TCPHDR_SYN | TCPHDR_ACK,
		TCPHDR_SYN | TCPHDR_RST,
		TCPHDR_RST,
		TCPHDR_RST | TCPHDR_ACK,
		TCPHDR_ACK,
		TCPHDR_FIN | TCPHDR_ACK,
	};
	struct slg_window *w = new_window(test, 0);
	struct slg_rates r;
	int i;

	for (i = 0; i < ARRAY_SIZE(not_syn); i++) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 80, 40000 + i, not_syn[i], i);

		slg_window_add(w, &p);
	}
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], ARRAY_SIZE(not_syn));
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 0);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 0);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.conn_rate, 0);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);

	/* An ECN-setup SYN (SYN|ECE|CWR) is a SYN. */
	{
		struct slg_pkt p = pkt(IPPROTO_TCP, 40000, 22, TCPHDR_SYN |
				       TCPHDR_ECE | TCPHDR_CWR, 9);

		slg_window_add(w, &p);
	}
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 1);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 1);
}

static void udp_icmp_counters(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt udp = pkt(IPPROTO_UDP, 1234, 53, 0, 0);
	struct slg_pkt icmp = pkt(IPPROTO_ICMP, 0, 0, 0, 0);
	struct slg_pkt icmp6 = pkt(IPPROTO_ICMPV6, 0, 0, 0, 0);
	struct slg_pkt frag = pkt(0, 0, 0, 0, 0);
	struct slg_rates r;

	add_n(w, &udp, 4);
	add_n(w, &icmp, 3);
	add_n(w, &icmp6, 2);
	add_n(w, &frag, 1);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_UDP], 4);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_ICMP], 5);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 10);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_BYTES], 1000);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 0);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 1);

	slg_window_rates(w, 0, 500, &r);
	KUNIT_EXPECT_EQ(test, r.icmp_rate, 10);
	KUNIT_EXPECT_EQ(test, r.pkt_rate, 20);
	KUNIT_EXPECT_EQ(test, r.byte_rate, 2000);
}

static void gso_segments(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt tcp = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_ACK, 5);
	struct slg_pkt udp = pkt(IPPROTO_UDP, 40000, 443, 0, 0);

	tcp.segs = 10;
	tcp.len = 14480;
	udp.segs = 4;
	udp.len = 4 * 1200;
	slg_window_add(w, &tcp);
	slg_window_add(w, &udp);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 14);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_BYTES], 14480 + 4800);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_UDP], 4);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], 0);
}

/*
 * n ports whose bits collide in a sketch hashed with seed, the bit being
 * that of port 1: what an attacker would send if the seed were known.
 */
static int colliding_ports(u32 seed, u16 *ports, int n)
{
	u32 bit = jhash_1word(1, seed) % SLG_PORT_BITS;
	u32 port;
	int found = 0;

	for (port = 1; port <= U16_MAX && found < n; port++)
		if (jhash_1word(port, seed) % SLG_PORT_BITS == bit)
			ports[found++] = port;
	return found;
}

static u64 count_syn_ports(struct slg_window *w, const u16 *ports, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 40000, ports[i],
				       TCPHDR_SYN, i);

		slg_window_add(w, &p);
	}
	return slg_window_estimate(w, SLG_CTR_PORTS, 0, WIN);
}

/* Ports chosen to collide under the old public seed 0x5a6d still count. */
static void ports_public_seed_collisions(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u16 ports[40];
	int n = colliding_ports(0x5a6d, ports, ARRAY_SIZE(ports));

	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(ports));
	KUNIT_EXPECT_GE(test, count_syn_ports(w, ports, n), 30);
}

/* Two seeds: what collides under one spreads out under the other. */
static void ports_seeds_differ(struct kunit *test)
{
	struct slg_window *a = new_window(test, 0);
	struct slg_window *b = new_window(test, 0);
	u16 ports[40];
	int n;

	a->seed = 0x12345678;
	b->seed = 0x9abcdef0;
	n = colliding_ports(a->seed, ports, ARRAY_SIZE(ports));
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(ports));
	KUNIT_EXPECT_EQ(test, slg_port_bit(a->seed, ports[0]),
			slg_port_bit(a->seed, ports[n - 1]));
	KUNIT_EXPECT_EQ(test, count_syn_ports(a, ports, n), 1);
	KUNIT_EXPECT_GE(test, count_syn_ports(b, ports, n), 30);
}

/* Each new source draws its own seed. */
static void ports_seed_per_window(struct kunit *test)
{
	u32 first = new_window(test, 0)->seed;
	int i;

	/* 2^-32 per draw to repeat: eight draws all equal never happen */
	for (i = 0; i < 8; i++)
		if (new_window(test, 0)->seed != first)
			return;
	KUNIT_FAIL(test, "nine windows share the seed %#x", first);
}

/*
 * Touch ports[0..n) once at each second from 0 to secs, as a poller
 * does; return the highest distinct-port estimate seen, sampling every
 * 50 ms, and the last one in *last.
 */
static u64 poll_ports(struct slg_window *w, u16 first, int n, int secs,
		      u64 *last)
{
	u64 t, max = 0;
	int i;

	for (t = 0; t < secs * 1000ULL; t += 50) {
		struct slg_rates r;

		slg_window_roll(w, t, WIN);
		if (!(t % 1000))
			for (i = 0; i < n; i++) {
				struct slg_pkt p = pkt(IPPROTO_TCP, 40000 + i,
						       first + i, TCPHDR_SYN,
						       i);

				slg_window_add(w, &p);
			}
		slg_window_rates(w, t, WIN, &r);
		max = max(max, r.ports);
		*last = r.ports;
	}
	return max;
}

/* The same 10 ports every second read 10, never the 20 of two windows. */
static void ports_poller_counted_once(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u64 last, max;

	w->seed = 0x5a6d;
	max = poll_ports(w, 8000, 10, 30, &last);
	KUNIT_EXPECT_LE(test, max, 10);
	KUNIT_EXPECT_GE(test, last, 9);
}

/* New ports every second still add up: a scan is not hidden by the union. */
static void ports_scan_still_counted(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u64 t, max = 0;
	u16 port = 1;
	int i;

	w->seed = 0x5a6d;
	for (t = 0; t < 5000; t += 100) {
		struct slg_rates r;

		slg_window_roll(w, t, WIN);
		for (i = 0; i < 2; i++) {
			struct slg_pkt p = pkt(IPPROTO_TCP, 40000, port++,
					       TCPHDR_SYN, i);

			slg_window_add(w, &p);
		}
		slg_window_rates(w, t, WIN, &r);
		max = max(max, r.ports);
	}
	/* 20 ports per second, sampled just after each addition */
	KUNIT_EXPECT_GE(test, max, 18);
	KUNIT_EXPECT_LE(test, max, 40);
}

/* A port seen in the previous window weighs by how much still overlaps. */
static void ports_previous_weighted(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u16 port;

	w->seed = 0x5a6d;
	for (port = 100; port < 140; port++) {
		struct slg_pkt p = pkt(IPPROTO_UDP, 5353, port, 0, 0);

		slg_window_add(w, &p);
	}
	slg_window_roll(w, WIN, WIN);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 0);
	/* all 40 (minus collisions), a quarter in: three quarters of them */
	KUNIT_EXPECT_EQ(test, slg_window_ports(w, WIN, WIN),
			w->prev[SLG_CTR_PORTS]);
	KUNIT_EXPECT_EQ(test, slg_window_ports(w, WIN + WIN / 4, WIN),
			w->prev[SLG_CTR_PORTS] * 3 / 4);
	/* half of them again now: they count fully, the rest weighted */
	for (port = 100; port < 120; port++) {
		struct slg_pkt p = pkt(IPPROTO_UDP, 5353, port, 0, 0);

		slg_window_add(w, &p);
	}
	KUNIT_EXPECT_EQ(test, slg_window_ports(w, WIN + WIN / 2, WIN),
			w->cur[SLG_CTR_PORTS] +
			(w->prev[SLG_CTR_PORTS] - w->cur[SLG_CTR_PORTS]) / 2);
	slg_window_roll(w, 3 * WIN, WIN);
	KUNIT_EXPECT_EQ(test, slg_window_ports(w, 3 * WIN, WIN), 0);
}

/* A packet that is no probe (a reply) counts, but names no port. */
static void replies_name_no_port(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt udp = pkt(IPPROTO_UDP, 53, 40000, 0, 0);
	int i;

	for (i = 0; i < 30; i++) {
		udp.dport = 40000 + i;
		slg_window_count(w, &udp, false);
	}
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_UDP], 30);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PKTS], 30);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_PORTS], 0);
}

/* Which packets are which probe kind (nmap -sS, -sF, -sN, -sX, -sU, -sY). */
static void probe_kinds(struct kunit *test)
{
	static const struct {
		u8 proto;
		u8 flags;
		u8 chunk;
		u32 kind;
	} cases[] = {
		{ IPPROTO_TCP, TCPHDR_SYN, 0, SLAGUARD_PROBE_SYN },
		{ IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0,
		  SLAGUARD_PROBE_SYN },
		{ IPPROTO_TCP, TCPHDR_FIN, 0, SLAGUARD_PROBE_FIN },
		{ IPPROTO_TCP, 0, 0, SLAGUARD_PROBE_NULL },
		{ IPPROTO_TCP, TCPHDR_FIN | TCPHDR_PSH | TCPHDR_URG, 0,
		  SLAGUARD_PROBE_XMAS },
		{ IPPROTO_UDP, 0, 0, SLAGUARD_PROBE_UDP },
		{ IPPROTO_SCTP, 0, 1, SLAGUARD_PROBE_SCTP },	/* INIT */
		/* what connections and associations carry: no probe */
		{ IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ACK, 0, 0 },
		{ IPPROTO_TCP, TCPHDR_ACK, 0, 0 },
		{ IPPROTO_TCP, TCPHDR_FIN | TCPHDR_ACK, 0, 0 },
		{ IPPROTO_TCP, TCPHDR_RST, 0, 0 },
		{ IPPROTO_TCP, TCPHDR_PSH | TCPHDR_ACK, 0, 0 },
		{ IPPROTO_SCTP, 0, 0, 0 },			/* DATA */
		{ IPPROTO_SCTP, 0, 2, 0 },			/* INIT ACK */
		{ IPPROTO_ICMP, 0, 0, 0 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct slg_window *w = new_window(test, 0);
		struct slg_pkt p = pkt(cases[i].proto, 40000, 1000 + i,
				       cases[i].flags, 1);
		struct slg_rates r;

		p.sctp_chunk = cases[i].chunk;
		KUNIT_EXPECT_EQ_MSG(test, slg_probe_kind(&p), cases[i].kind,
				    "case %d", i);
		slg_window_add(w, &p);
		slg_window_rates(w, 0, WIN, &r);
		KUNIT_EXPECT_EQ_MSG(test, r.probes, cases[i].kind, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, r.ports, (u64)!!cases[i].kind,
				    "case %d", i);
	}
}

/* The probe kinds of the window and the previous one; older ones go. */
static void probes_follow_window(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt fin = pkt(IPPROTO_TCP, 40000, 1, TCPHDR_FIN, 1);
	struct slg_pkt udp = pkt(IPPROTO_UDP, 40000, 2, 0, 0);
	struct slg_rates r;

	slg_window_add(w, &fin);
	slg_window_roll(w, WIN + 1, WIN);
	slg_window_add(w, &udp);
	slg_window_rates(w, WIN + 1, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.probes, SLAGUARD_PROBE_FIN | SLAGUARD_PROBE_UDP);
	slg_window_roll(w, 2 * WIN + 1, WIN);
	slg_window_rates(w, 2 * WIN + 1, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.probes, SLAGUARD_PROBE_UDP);
	slg_window_ack_probe(w, &fin);
	slg_window_rates(w, 2 * WIN + 1, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.probes, SLAGUARD_PROBE_UDP | SLAGUARD_PROBE_ACK);
}

#define SLOW	600000

/*
 * nmap -T2: a probe every 0.4 s, about 2 ports a window, never a short
 * window's threshold; the long window sees them all.
 */
static void slow_scan_counted(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	u64 now = 0, max_short = 0;
	struct slg_rates r;
	int i;

	for (i = 0; i < 200; i++, now += 400) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 40000, 1 + i, TCPHDR_SYN, i);

		slg_window_roll(w, now, WIN);
		slg_slow_roll(w, now, SLOW);
		slg_window_add(w, &p);
		slg_window_rates(w, now, WIN, &r);
		max_short = max(max_short, r.ports);
	}
	KUNIT_EXPECT_LE(test, max_short, 4);
	/* 200 ports in a 256-bit sketch: collisions corrected for */
	KUNIT_EXPECT_GE(test, slg_slow_ports(w, now, SLOW), 170);
	KUNIT_EXPECT_LE(test, slg_slow_ports(w, now, SLOW), 230);

	/* Ports touched again count once: a poller stays at its count. */
	for (i = 0; i < 1000; i++, now += 400) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 40000, 1 + i % 10,
				       TCPHDR_SYN, i);
		struct slg_window *v = w;

		if (i == 0) {
			v = new_window(test, now);
			w = v;
		}
		slg_window_roll(v, now, WIN);
		slg_slow_roll(v, now, SLOW);
		slg_window_add(v, &p);
	}
	KUNIT_EXPECT_LE(test, slg_slow_ports(w, now, SLOW), 10);
}

/* The long window forgets: a scan two long windows ago counts nothing. */
static void slow_window_forgets(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	int i;

	for (i = 0; i < 100; i++) {
		struct slg_pkt p = pkt(IPPROTO_UDP, 40000, 1 + i, 0, 0);

		slg_window_add(w, &p);
	}
	KUNIT_EXPECT_GE(test, slg_slow_ports(w, 1000, SLOW), 85);
	KUNIT_EXPECT_LE(test, slg_slow_ports(w, 1000, SLOW), 115);
	/* half of the next long window in: the previous one weighs half */
	slg_slow_roll(w, SLOW + SLOW / 2, SLOW);
	KUNIT_EXPECT_LE(test, slg_slow_ports(w, SLOW + SLOW / 2, SLOW), 50);
	KUNIT_EXPECT_GE(test, slg_slow_ports(w, SLOW + SLOW / 2, SLOW), 40);
	slg_slow_roll(w, 3 * SLOW, SLOW);
	KUNIT_EXPECT_EQ(test, slg_slow_ports(w, 3 * SLOW, SLOW), 0);
}

static struct slg_dst_table *new_dsts(struct kunit *test)
{
	struct slg_dst_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	slg_dst_init(t);
	return t;
}

/* A SYN from a forged source, one of many, to 192.0.2.1:port. */
static struct slg_pkt spoofed_syn(int i, u16 port)
{
	struct slg_pkt p = pkt(IPPROTO_TCP, 1024 + i, port, TCPHDR_SYN, i);

	p.saddr.v4 = htonl(0x0a000000 + i);
	p.daddr.v4 = htonl(0xc0000201);
	return p;
}

/*
 * hping3 --rand-source: no source sends twice, every SYN stays half-open.
 * The destination's count sees them all, a window later (handshakes still
 * in flight are not half-open), and the alarm names it.
 */
static void dst_half_open_spoofed_flood(struct kunit *test)
{
	struct slg_dst_table *t = new_dsts(test);
	struct slg_dst_alarm a = {};
	int fired = 0, i;
	u64 now;

	for (now = 0; now < 3000; now += 10)
		for (i = 0; i < 10; i++) {
			struct slg_pkt p = spoofed_syn(now + i, 8080);

			fired += slg_dst_syn(t, &p, now, WIN, 500, 10000, &a);
		}
	/* 1000 SYNs a window: fires once, then the hold-off */
	KUNIT_EXPECT_EQ(test, fired, 1);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET);
	KUNIT_EXPECT_EQ(test, a.addr.v4, htonl(0xc0000201));
	KUNIT_EXPECT_EQ(test, a.port, 8080);
	KUNIT_EXPECT_GE(test, a.value, 500);
}

/* A busy server: as many SYNs, all completing, raise nothing. */
static void dst_half_open_completed(struct kunit *test)
{
	struct slg_dst_table *t = new_dsts(test);
	struct slg_dst_alarm a;
	int fired = 0, i;
	u64 now;

	for (now = 0; now < 5000; now += 10) {
		for (i = 0; i < 10; i++) {
			struct slg_pkt p = spoofed_syn(now + i, 443);

			fired += slg_dst_syn(t, &p, now, WIN, 500, 10000, &a);
		}
		/* their ACKs, 200 ms later */
		if (now >= 200)
			for (i = 0; i < 10; i++) {
				struct slg_pkt p = spoofed_syn(now + i, 443);

				slg_dst_done(t, &p, now, WIN);
			}
	}
	KUNIT_EXPECT_EQ(test, fired, 0);
}

/* More destinations than the table holds: bounded, the busiest kept. */
static void dst_table_bounded(struct kunit *test)
{
	struct slg_dst_table *t = new_dsts(test);
	struct slg_dst_alarm a;
	int fired = 0, i, round;

	for (round = 0; round < 3; round++) {
		/* a flood on port 80, between SYNs to 1000 other ports */
		for (i = 0; i < 1000; i++) {
			struct slg_pkt p = spoofed_syn(i, 1000 + i);
			struct slg_pkt f = spoofed_syn(i, 80);

			slg_dst_syn(t, &p, round * WIN + i / 2, WIN, 500, 10000,
				    &a);
			fired += slg_dst_syn(t, &f, round * WIN + i / 2, WIN,
					     500, 10000, &a);
		}
	}
	KUNIT_EXPECT_EQ(test, fired, 1);
	KUNIT_EXPECT_EQ(test, a.port, 80);
}

static struct kunit_case slaguard_estimator_cases[] = {
	KUNIT_CASE(roll_within_window),
	KUNIT_CASE(roll_one_window),
	KUNIT_CASE(roll_two_windows_resets),
	KUNIT_CASE(roll_clock_back_keeps_counts),
	KUNIT_CASE(estimate_weights_previous),
	KUNIT_CASE(per_second_conversion),
	KUNIT_CASE(rates_from_window),
	KUNIT_CASE(ports_counted_once),
	KUNIT_CASE(ports_distinct),
	KUNIT_CASE(ports_saturate_at_sketch_size),
	KUNIT_CASE(handshake_completes),
	KUNIT_CASE(handshake_seq_wraps),
	KUNIT_CASE(handshake_table_sized_for_gateways),
	KUNIT_CASE(half_open_spares_young),
	KUNIT_CASE(syn_ack_and_rst_are_not_syn),
	KUNIT_CASE(udp_icmp_counters),
	KUNIT_CASE(gso_segments),
	KUNIT_CASE(ports_public_seed_collisions),
	KUNIT_CASE(ports_seeds_differ),
	KUNIT_CASE(ports_seed_per_window),
	KUNIT_CASE(ports_poller_counted_once),
	KUNIT_CASE(ports_scan_still_counted),
	KUNIT_CASE(ports_previous_weighted),
	KUNIT_CASE(replies_name_no_port),
	KUNIT_CASE(probe_kinds),
	KUNIT_CASE(probes_follow_window),
	KUNIT_CASE(slow_scan_counted),
	KUNIT_CASE(slow_window_forgets),
	KUNIT_CASE(dst_half_open_spoofed_flood),
	KUNIT_CASE(dst_half_open_completed),
	KUNIT_CASE(dst_table_bounded),
	{}
};

static struct kunit_suite slaguard_estimator_suite = {
	.name = "slaguard_estimator",
	.test_cases = slaguard_estimator_cases,
};

kunit_test_suite(slaguard_estimator_suite);
