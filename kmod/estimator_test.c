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
	w->cur[SLG_CTR_DONE] = 4;
	w->cur[SLG_CTR_ICMP] = 5;
	w->cur[SLG_CTR_PORTS] = 7;
	w->prev[SLG_CTR_PKTS] = 40;

	/* 500 ms window, 250 ms in: previous window weighs half. */
	slg_window_rates(w, 1250, 500, &r);
	KUNIT_EXPECT_EQ(test, r.pkt_rate, (30 + 20) * 2);
	KUNIT_EXPECT_EQ(test, r.byte_rate, 6000);
	KUNIT_EXPECT_EQ(test, r.conn_rate, 20);
	KUNIT_EXPECT_EQ(test, r.icmp_rate, 10);
	KUNIT_EXPECT_EQ(test, r.half_open, 6);
	KUNIT_EXPECT_EQ(test, r.ports, 7);

	/* More completions than SYNs (SYNs in an older window): not negative. */
	w->cur[SLG_CTR_DONE] = 12;
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

static void handshake_completes(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt syn = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_SYN, 1000);
	struct slg_pkt ack = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_ACK, 1001);
	struct slg_pkt bad = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_ACK, 5000);
	struct slg_pkt other = pkt(IPPROTO_TCP, 40001, 443, TCPHDR_ACK, 1001);
	struct slg_rates r;

	slg_window_add(w, &syn);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 1);

	/* Wrong sequence number or another connection: still half-open. */
	slg_window_add(w, &bad);
	slg_window_add(w, &other);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 1);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 0);

	slg_window_add(w, &ack);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 1);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
	KUNIT_EXPECT_EQ(test, r.conn_rate, 1);

	/* A retransmitted ACK completes nothing more. */
	slg_window_add(w, &ack);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 1);

	/* Data with ACK|PSH completes a handshake too. */
	syn.sport = 40002;
	ack.sport = 40002;
	ack.tcp_flags = TCPHDR_ACK | TCPHDR_PSH;
	slg_window_add(w, &syn);
	slg_window_add(w, &ack);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 2);

	/* An ACK carrying FIN or RST does not. */
	syn.sport = 40003;
	ack.sport = 40003;
	ack.tcp_flags = TCPHDR_ACK | TCPHDR_RST;
	slg_window_add(w, &syn);
	slg_window_add(w, &ack);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 2);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, 1);
}

static void handshake_survives_roll(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt syn = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_SYN, 77);
	struct slg_pkt ack = pkt(IPPROTO_TCP, 40000, 443, TCPHDR_ACK, 78);
	struct slg_rates r;

	slg_window_add(w, &syn);
	slg_window_roll(w, WIN + 10, WIN);
	slg_window_add(w, &ack);
	slg_window_rates(w, WIN + 10, WIN, &r);
	/* SYN weighted 990/1000 of 1 is 0; the completion still counts. */
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 1);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
}

/* An initial sequence number of 0xffffffff makes the final ACK carry 0. */
static void handshake_seq_wraps(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	struct slg_pkt syn = pkt(IPPROTO_TCP, 40001, 80, TCPHDR_SYN, 0xffffffff);
	struct slg_pkt ack = pkt(IPPROTO_TCP, 40001, 80, TCPHDR_ACK, 0);
	struct slg_rates r;

	slg_window_add(w, &syn);
	slg_window_add(w, &ack);
	slg_window_rates(w, 10, WIN, &r);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 1);
	KUNIT_EXPECT_EQ(test, r.half_open, 0);
	/* the slot is free again: a repeated ACK completes nothing */
	slg_window_add(w, &ack);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], 1);
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
		0,
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

static void pending_syns_overflow(struct kunit *test)
{
	struct slg_window *w = new_window(test, 0);
	const int n = SLG_PENDING_SYNS + 3;
	struct slg_rates r;
	int i;

	for (i = 0; i < n; i++) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 30000 + i, 80, TCPHDR_SYN,
				       1000 * i);

		slg_window_add(w, &p);
	}
	for (i = 0; i < n; i++) {
		struct slg_pkt p = pkt(IPPROTO_TCP, 30000 + i, 80, TCPHDR_ACK,
				       1000 * i + 1);

		slg_window_add(w, &p);
	}
	/* Only the newest SLG_PENDING_SYNS handshakes were remembered. */
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_SYN], n);
	KUNIT_EXPECT_EQ(test, w->cur[SLG_CTR_DONE], SLG_PENDING_SYNS);
	slg_window_rates(w, 0, WIN, &r);
	KUNIT_EXPECT_EQ(test, r.half_open, n - SLG_PENDING_SYNS);
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
	KUNIT_CASE(handshake_survives_roll),
	KUNIT_CASE(handshake_seq_wraps),
	KUNIT_CASE(syn_ack_and_rst_are_not_syn),
	KUNIT_CASE(pending_syns_overflow),
	KUNIT_CASE(udp_icmp_counters),
	KUNIT_CASE(gso_segments),
	KUNIT_CASE(ports_public_seed_collisions),
	KUNIT_CASE(ports_seeds_differ),
	KUNIT_CASE(ports_seed_per_window),
	KUNIT_CASE(ports_poller_counted_once),
	KUNIT_CASE(ports_scan_still_counted),
	KUNIT_CASE(ports_previous_weighted),
	KUNIT_CASE(replies_name_no_port),
	{}
};

static struct kunit_suite slaguard_estimator_suite = {
	.name = "slaguard_estimator",
	.test_cases = slaguard_estimator_cases,
};

kunit_test_suite(slaguard_estimator_suite);
