// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's watch rules.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/tcp.h>

#include "watch.h"

static struct slg_watch *new_watch(struct kunit *test)
{
	struct slg_watch *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->sample_n = 1;
	return w;
}

static union slg_addr addr(struct kunit *test, const char *s)
{
	union slg_addr a = {};

	if (strchr(s, ':'))
		KUNIT_ASSERT_EQ(test, in6_pton(s, -1, a.v6.s6_addr, -1, NULL), 1);
	else
		KUNIT_ASSERT_EQ(test, in4_pton(s, -1, (u8 *)&a.v4, -1, NULL), 1);
	return a;
}

static void set_src(struct kunit *test, struct slg_watch *w, const char *s,
		    u8 plen)
{
	w->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	w->has_src = true;
	w->src = addr(test, s);
	w->src_plen = plen;
	slg_watch_mask(w);
}

static void set_dst(struct kunit *test, struct slg_watch *w, const char *s,
		    u8 plen)
{
	w->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	w->has_dst = true;
	w->dst = addr(test, s);
	w->dst_plen = plen;
	slg_watch_mask(w);
}

static struct slg_pkt pkt(struct kunit *test, const char *src, const char *dst,
			  u8 proto, u16 dport)
{
	struct slg_pkt p = {
		.family = strchr(src, ':') ? AF_INET6 : AF_INET,
		.saddr = addr(test, src),
		.daddr = addr(test, dst),
		.proto = proto,
		.sport = proto == IPPROTO_TCP || proto == IPPROTO_UDP ? 50000 : 0,
		.dport = dport,
		.len = 60,
		.segs = 1,
		.dir = SLAGUARD_DIR_IN,
	};

	return p;
}

static int check(struct slg_watch *w)
{
	const char *why = NULL;
	int err = slg_watch_check(w, &why);

	/* A rejection always says why, for the extack. */
	if (err && (!why || !*why))
		return -EFAULT;
	return err;
}

static void check_accepts(struct kunit *test)
{
	struct slg_watch *w = new_watch(test);

	KUNIT_EXPECT_EQ(test, check(w), 0);		/* matches everything */

	w = new_watch(test);
	set_src(test, w, "10.1.2.0", 24);
	set_dst(test, w, "10.9.0.0", 16);
	w->proto = IPPROTO_TCP;
	w->port_min = 1000;
	w->port_max = 2000;
	w->dir = SLAGUARD_DIR_OUT;
	KUNIT_EXPECT_EQ(test, check(w), 0);

	w = new_watch(test);
	set_src(test, w, "2001:db8::", 128);
	w->action = SLAGUARD_WATCH_SAMPLE;
	w->sample_n = 100;
	KUNIT_EXPECT_EQ(test, check(w), 0);

	/* A v6 prefix may be longer than 32; ports with any protocol. */
	w = new_watch(test);
	set_dst(test, w, "2001:db8::", 33);
	w->port_min = 53;
	w->port_max = 53;
	KUNIT_EXPECT_EQ(test, check(w), 0);

	w = new_watch(test);
	w->proto = IPPROTO_UDP;
	w->port_max = 1023;
	w->dir = SLAGUARD_DIR_MAX;
	KUNIT_EXPECT_EQ(test, check(w), 0);

	/* A family alone, no prefix. */
	w = new_watch(test);
	w->family = AF_INET6;
	w->proto = IPPROTO_ICMPV6;
	KUNIT_EXPECT_EQ(test, check(w), 0);
}

static void check_rejects(struct kunit *test)
{
	struct slg_watch *w;

	/* A prefix without a family. */
	w = new_watch(test);
	w->has_src = true;
	w->src_plen = 8;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);
	w = new_watch(test);
	w->has_dst = true;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);

	/* Prefix length too long for the family. */
	w = new_watch(test);
	set_src(test, w, "10.0.0.0", 32);
	w->src_plen = 33;
	KUNIT_EXPECT_EQ(test, check(w), -ERANGE);
	w = new_watch(test);
	set_src(test, w, "10.0.0.0", 32);
	set_dst(test, w, "10.0.0.0", 32);
	w->dst_plen = 40;
	KUNIT_EXPECT_EQ(test, check(w), -ERANGE);
	w = new_watch(test);
	set_dst(test, w, "2001:db8::", 128);
	w->dst_plen = 129;
	KUNIT_EXPECT_EQ(test, check(w), -ERANGE);

	/* Unknown family. */
	w = new_watch(test);
	w->family = AF_UNIX;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);

	/* Ports with a protocol that has none. */
	w = new_watch(test);
	w->proto = IPPROTO_ICMP;
	w->port_min = 80;
	w->port_max = 80;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);
	w->proto = IPPROTO_ICMPV6;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);

	/* Port range reversed. */
	w = new_watch(test);
	w->proto = IPPROTO_TCP;
	w->port_min = 2000;
	w->port_max = 1000;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);
	w->port_max = 0;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);

	/* Sampling 1 in 0. */
	w = new_watch(test);
	w->action = SLAGUARD_WATCH_SAMPLE;
	w->sample_n = 0;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);

	/* Out of range direction or action. */
	w = new_watch(test);
	w->dir = SLAGUARD_DIR_MAX + 1;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);
	w = new_watch(test);
	w->action = SLAGUARD_WATCH_ACTION_MAX + 1;
	KUNIT_EXPECT_EQ(test, check(w), -EINVAL);
}

static void mask_clears_host_bits(struct kunit *test)
{
	static const struct {
		const char *addr;
		u8 plen;
		const char *masked;
	} cases[] = {
		{ "10.1.2.3", 24, "10.1.2.0" },
		{ "10.1.2.3", 31, "10.1.2.2" },
		{ "10.1.2.3", 32, "10.1.2.3" },
		{ "10.1.2.3", 9, "10.0.0.0" },
		{ "255.255.255.255", 0, "0.0.0.0" },
		{ "2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::" },
		{ "2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6" },
		{ "2001:db8:1:2:3:4:5:6", 0, "::" },
		{ "2001:db8:f123:4::1", 36, "2001:db8:f000::" },
		{ "2001:db8:1:2:3:4:5:ffff", 127, "2001:db8:1:2:3:4:5:fffe" },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct slg_watch *w = new_watch(test);
		union slg_addr want = addr(test, cases[i].masked);

		/* Same address as source and destination, masked alike. */
		set_src(test, w, cases[i].addr, cases[i].plen);
		set_dst(test, w, cases[i].addr, cases[i].plen);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&w->src, &want, sizeof(want)),
				    0, "%s/%u", cases[i].addr, cases[i].plen);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&w->dst, &want, sizeof(want)),
				    0, "%s/%u", cases[i].addr, cases[i].plen);
		/* Masking twice changes nothing more. */
		slg_watch_mask(w);
		KUNIT_EXPECT_EQ(test, memcmp(&w->src, &want, sizeof(want)), 0);
	}

	/* Without has_src the address is left alone. */
	{
		struct slg_watch *w = new_watch(test);

		w->family = AF_INET;
		w->src = addr(test, "10.1.2.3");
		w->src_plen = 8;
		slg_watch_mask(w);
		KUNIT_EXPECT_EQ(test, w->src.v4, addr(test, "10.1.2.3").v4);
	}
}

static void match_v4_prefixes(struct kunit *test)
{
	struct slg_pkt in = pkt(test, "10.1.2.200", "192.0.2.1", IPPROTO_TCP, 22);
	struct slg_pkt out = pkt(test, "10.1.3.1", "192.0.2.1", IPPROTO_TCP, 22);
	struct slg_pkt v6 = pkt(test, "a01:2c8::", "2001:db8::1", IPPROTO_TCP, 22);
	struct slg_watch *w;

	w = new_watch(test);
	set_src(test, w, "10.1.2.77", 24);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &in));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &out));
	/* Same leading bytes (0a01:02c8::), other family. */
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &v6));

	w = new_watch(test);
	set_src(test, w, "10.1.2.200", 32);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &in));
	in.saddr = addr(test, "10.1.2.201");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &in));

	w = new_watch(test);
	set_src(test, w, "0.0.0.0", 0);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &in));
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &out));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &v6));

	/* Destination prefix, and both together. */
	w = new_watch(test);
	set_dst(test, w, "192.0.2.0", 25);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &out));
	out.daddr = addr(test, "192.0.2.128");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &out));
	set_src(test, w, "10.1.0.0", 16);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &in));
	in.saddr = addr(test, "10.2.0.1");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &in));
}

static void match_v6_prefixes(struct kunit *test)
{
	struct slg_pkt p = pkt(test, "2001:db8:aa:bb:1:2:3:4", "2001:db8::1",
			       IPPROTO_UDP, 53);
	struct slg_pkt v4 = pkt(test, "32.1.13.184", "10.0.0.1", IPPROTO_UDP, 53);
	struct slg_watch *w;

	w = new_watch(test);
	set_src(test, w, "2001:db8:aa:bb::", 64);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &p));
	/* 32.1.13.184 is 2001:0db8 as bytes: the family still differs. */
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &v4));
	p.saddr = addr(test, "2001:db8:aa:bc:1:2:3:4");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &p));

	w = new_watch(test);
	set_src(test, w, "2001:db8:aa:bc:1:2:3:4", 128);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &p));
	p.saddr = addr(test, "2001:db8:aa:bc:1:2:3:5");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &p));

	w = new_watch(test);
	set_src(test, w, "::", 0);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &p));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &v4));

	/* Prefixes not on a byte boundary. */
	w = new_watch(test);
	set_dst(test, w, "2001:db8::", 33);
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &p));
	p.daddr = addr(test, "2001:db8:8000::1");
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &p));
	w->dst_plen = 32;
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &p));
}

static void match_proto_and_direction(struct kunit *test)
{
	struct slg_pkt tcp = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 80);
	struct slg_pkt udp = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 80);
	struct slg_pkt icmp6 = pkt(test, "fe80::1", "fe80::2", IPPROTO_ICMPV6, 0);
	struct slg_watch *w = new_watch(test);
	static const u8 dirs[] = {
		SLAGUARD_DIR_IN, SLAGUARD_DIR_FORWARD, SLAGUARD_DIR_OUT,
	};
	int i, j;

	/* An empty rule matches anything. */
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &tcp));
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &udp));
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &icmp6));

	w->proto = IPPROTO_TCP;
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &tcp));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &udp));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &icmp6));

	w->proto = 0;
	w->family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &tcp));
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &icmp6));

	w->family = 0;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		w->dir = SLAGUARD_DIR_ANY;
		tcp.dir = dirs[i];
		KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &tcp));
		for (j = 0; j < ARRAY_SIZE(dirs); j++) {
			w->dir = dirs[j];
			KUNIT_EXPECT_EQ_MSG(test, slg_watch_match(w, &tcp), i == j,
					    "rule dir %u, packet dir %u",
					    dirs[j], dirs[i]);
		}
	}
}

static void match_port_ranges(struct kunit *test)
{
	struct slg_pkt tcp = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 0);
	struct slg_pkt udp = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0);
	struct slg_pkt icmp = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0);
	struct slg_pkt frag = pkt(test, "10.0.0.1", "10.0.0.2", 0, 0);
	struct slg_watch *w = new_watch(test);
	static const struct {
		u16 port;
		bool in;
	} cases[] = {
		{ 0, false }, { 999, false }, { 1000, true }, { 1500, true },
		{ 2000, true }, { 2001, false }, { 65535, false },
	};
	int i;

	w->port_min = 1000;
	w->port_max = 2000;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tcp.dport = cases[i].port;
		udp.dport = cases[i].port;
		KUNIT_EXPECT_EQ_MSG(test, slg_watch_match(w, &tcp), cases[i].in,
				    "tcp port %u", cases[i].port);
		KUNIT_EXPECT_EQ_MSG(test, slg_watch_match(w, &udp), cases[i].in,
				    "udp port %u", cases[i].port);
	}
	/* A port rule never matches what has no ports. */
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &icmp));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &frag));
	/* The source port does not count. */
	tcp.dport = 80;
	tcp.sport = 1500;
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &tcp));

	/* A single port; the whole range from 0. */
	w->port_min = 22;
	w->port_max = 22;
	tcp.dport = 22;
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &tcp));
	tcp.dport = 23;
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &tcp));
	w->port_min = 0;
	w->port_max = 65535;
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &tcp));
	KUNIT_EXPECT_FALSE(test, slg_watch_match(w, &icmp));

	/* No port range: ICMP matches too. */
	w->port_max = 0;
	KUNIT_EXPECT_TRUE(test, slg_watch_match(w, &icmp));
}

static void report_new_wants_syn(struct kunit *test)
{
	struct slg_pkt p = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 22);
	struct slg_watch *w = new_watch(test);
	static const struct {
		u8 flags;
		bool wanted;
	} cases[] = {
		{ TCPHDR_SYN, true },
		{ TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, true },
		{ TCPHDR_SYN | TCPHDR_ACK, false },
		{ TCPHDR_ACK, false },
		{ TCPHDR_ACK | TCPHDR_PSH, false },
		{ TCPHDR_FIN | TCPHDR_ACK, false },
		{ TCPHDR_RST, false },
		{ 0, false },
	};
	int i;

	w->action = SLAGUARD_WATCH_REPORT_NEW;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p.tcp_flags = cases[i].flags;
		KUNIT_EXPECT_EQ_MSG(test, slg_watch_wants(w, &p), cases[i].wanted,
				    "flags %#x", cases[i].flags);
	}

	/* Every UDP and ICMP packet is reported. */
	p.proto = IPPROTO_UDP;
	p.tcp_flags = 0;
	KUNIT_EXPECT_TRUE(test, slg_watch_wants(w, &p));
	p.proto = IPPROTO_ICMP;
	KUNIT_EXPECT_TRUE(test, slg_watch_wants(w, &p));
	/* REPORT_NEW does not sample. */
	KUNIT_EXPECT_EQ(test, atomic_read(&w->sample_ctr), 0);
}

static void sample_one_in_n(struct kunit *test)
{
	static const u32 ns[] = { 1, 2, 7, 10, 100, 150 };
	struct slg_pkt p = pkt(test, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 22);
	int i, k;

	p.tcp_flags = TCPHDR_ACK;
	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		struct slg_watch *w = new_watch(test);
		unsigned int wanted = 0;

		w->action = SLAGUARD_WATCH_SAMPLE;
		w->sample_n = ns[i];
		for (k = 1; k <= 100; k++) {
			bool want = slg_watch_wants(w, &p);

			/* Exactly every N-th packet, whatever its flags. */
			KUNIT_EXPECT_EQ_MSG(test, want, k % ns[i] == 0,
					    "N %u packet %d", ns[i], k);
			wanted += want;
		}
		KUNIT_EXPECT_EQ_MSG(test, wanted, 100 / ns[i], "N %u", ns[i]);
	}
}

static void budget_per_second(struct kunit *test)
{
	struct slg_watch *w = new_watch(test);
	int i;

	/* Three events in second 5, however many packets. */
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 5000 + i, 3));
	KUNIT_EXPECT_FALSE(test, slg_watch_budget(w, 5100, 3));
	KUNIT_EXPECT_FALSE(test, slg_watch_budget(w, 5999, 3));
	/* A new second, a new budget. */
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 6000, 3));
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 6001, 3));
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 6002, 3));
	KUNIT_EXPECT_FALSE(test, slg_watch_budget(w, 6003, 3));
	/* Skipping seconds works as well; the first second too. */
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 60000, 3));
	w = new_watch(test);
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 0, 1));
	KUNIT_EXPECT_FALSE(test, slg_watch_budget(w, 999, 1));
	KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 1000, 1));

	/* Budgets are per rule. */
	{
		struct slg_watch *other = new_watch(test);

		KUNIT_EXPECT_TRUE(test, slg_watch_budget(other, 1000, 1));
	}

	/* 0: no limit. */
	w = new_watch(test);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_TRUE(test, slg_watch_budget(w, 7000, 0));
}

static void watchset_copy_on_write(struct kunit *test)
{
	struct slg_watch *a = new_watch(test), *b = new_watch(test);
	struct slg_watch *c = new_watch(test), *removed;
	struct slg_ptrset *s1, *s2, *s3, *s4, *s5;

	a->id = 1;
	b->id = 2;
	c->id = 7;

	KUNIT_EXPECT_NULL(test, slg_watchset_find(NULL, 1));

	s1 = slg_ptrset_add(NULL, a);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	KUNIT_EXPECT_EQ(test, s1->n, 1);
	KUNIT_EXPECT_PTR_EQ(test, s1->p[0], a);

	s2 = slg_ptrset_add(s1, b);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_PTR_NE(test, s1, s2);
	KUNIT_EXPECT_EQ(test, s2->n, 2);
	KUNIT_EXPECT_PTR_EQ(test, slg_watchset_find(s2, 1), a);
	KUNIT_EXPECT_PTR_EQ(test, slg_watchset_find(s2, 2), b);
	/* The old set is what readers may still hold: untouched. */
	KUNIT_EXPECT_EQ(test, s1->n, 1);
	KUNIT_EXPECT_NULL(test, slg_watchset_find(s1, 2));

	s3 = slg_ptrset_add(s2, c);
	KUNIT_ASSERT_NOT_NULL(test, s3);
	KUNIT_EXPECT_EQ(test, s3->n, 3);

	/* Delete from the middle: order of the rest kept. */
	s4 = slg_watchset_del(s3, 2, &removed);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s4);
	KUNIT_EXPECT_PTR_EQ(test, removed, b);
	KUNIT_EXPECT_EQ(test, s4->n, 2);
	KUNIT_EXPECT_PTR_EQ(test, s4->p[0], a);
	KUNIT_EXPECT_PTR_EQ(test, s4->p[1], c);
	KUNIT_EXPECT_NULL(test, slg_watchset_find(s4, 2));
	KUNIT_EXPECT_EQ(test, s3->n, 3);
	KUNIT_EXPECT_PTR_EQ(test, s3->p[1], b);

	/* Unknown ids. */
	removed = a;
	KUNIT_EXPECT_EQ(test, PTR_ERR(slg_watchset_del(s4, 2, &removed)),
			-ENOENT);
	KUNIT_EXPECT_NULL(test, removed);
	KUNIT_EXPECT_EQ(test, PTR_ERR(slg_watchset_del(s4, 99, &removed)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(slg_watchset_del(NULL, 1, &removed)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, s4->n, 2);

	/* Down to an empty set, which finds nothing. */
	s5 = slg_watchset_del(s4, 1, &removed);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s5);
	KUNIT_EXPECT_PTR_EQ(test, removed, a);
	kfree(s5);
	s5 = slg_watchset_del(s4, 7, &removed);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s5);
	KUNIT_EXPECT_EQ(test, s5->n, 1);
	{
		struct slg_ptrset *empty = slg_watchset_del(s5, 1, &removed);

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, empty);
		KUNIT_EXPECT_EQ(test, empty->n, 0);
		KUNIT_EXPECT_NULL(test, slg_watchset_find(empty, 1));
		kfree(empty);
	}

	/* The rules belong to the test; only the arrays are freed. */
	kfree(s5);
	kfree(s4);
	kfree(s3);
	kfree(s2);
	kfree(s1);
}

static void watchset_free_all(struct kunit *test)
{
	struct slg_watch *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct slg_ptrset *ws;

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->id = 3;
	ws = slg_ptrset_add(NULL, w);
	if (!ws)
		kfree(w);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	KUNIT_EXPECT_PTR_EQ(test, slg_watchset_find(ws, 3), w);
	/* Frees the set and its rule; NULL is fine. */
	slg_watchset_free_all(ws);
	slg_watchset_free_all(NULL);
}

static struct kunit_case slaguard_watch_cases[] = {
	KUNIT_CASE(check_accepts),
	KUNIT_CASE(check_rejects),
	KUNIT_CASE(mask_clears_host_bits),
	KUNIT_CASE(match_v4_prefixes),
	KUNIT_CASE(match_v6_prefixes),
	KUNIT_CASE(match_proto_and_direction),
	KUNIT_CASE(match_port_ranges),
	KUNIT_CASE(report_new_wants_syn),
	KUNIT_CASE(sample_one_in_n),
	KUNIT_CASE(budget_per_second),
	KUNIT_CASE(watchset_copy_on_write),
	KUNIT_CASE(watchset_free_all),
	{}
};

static struct kunit_suite slaguard_watch_suite = {
	.name = "slaguard_watch",
	.test_cases = slaguard_watch_cases,
};

kunit_test_suite(slaguard_watch_suite);
