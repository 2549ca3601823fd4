// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's netfilter taps: what a packet seen at each
 * hook adds to its source. hooks.c includes this file, to reach its static
 * functions; each test uses its own source addresses (198.18.0.0/15, for
 * benchmarks) in the initial namespace's table.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/netdevice.h>

/* An IPv4 packet from saddr with l4len bytes of its transport header. */
static struct sk_buff *ht_skb(struct kunit *test, const char *saddr, u8 proto,
			      u16 sport, u16 dport, u8 flags,
			      unsigned int l4len)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);
	struct iphdr *iph;
	u8 l4[sizeof(struct tcphdr)] = {};

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = in_aton(saddr);
	iph->daddr = in_aton("198.19.255.1");
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)l4;

		th->source = htons(sport);
		th->dest = htons(dport);
		th->seq = htonl(1000);
		th->doff = 5;
		tcp_flag_byte(th) = flags;
	} else {
		struct udphdr *uh = (struct udphdr *)l4;

		uh->source = htons(sport);
		uh->dest = htons(dport);
		uh->len = htons(sizeof(*uh));
	}
	skb_put_data(skb, l4, min_t(unsigned int, l4len, sizeof(l4)));
	iph->tot_len = htons(skb->len);
	return skb;
}

static void ht_run(struct sk_buff *skb, unsigned int hook,
		   struct net_device *in, struct net_device *out)
{
	struct nf_hook_state state = {
		.hook = hook,
		.pf = NFPROTO_IPV4,
		.in = in,
		.out = out,
		.net = &init_net,
	};

	rcu_read_lock();
	slg_hook(NULL, skb, &state);
	rcu_read_unlock();
}

/* Send n packets of one kind, the destination port counting up. */
static void ht_send(struct kunit *test, const char *saddr, unsigned int hook,
		    u8 proto, u16 sport, u16 dport, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb = ht_skb(test, saddr, proto, sport,
					     dport + i, TCPHDR_SYN, 20);

		ht_run(skb, hook, hook == NF_INET_PRE_ROUTING ? init_net.loopback_dev : NULL,
		       hook == NF_INET_LOCAL_OUT ? init_net.loopback_dev : NULL);
		kfree_skb(skb);
	}
}

struct ht_counts {
	bool found;
	u64 packets;
	u64 bytes;
	u64 udp;
	u64 ports;	/* distinct ports, both windows' counts */
};

static struct ht_counts ht_source(const char *saddr)
{
	struct ht_counts c = {};
	union slg_addr addr = { .v4 = in_aton(saddr) };
	struct slg_source *src;
	struct slg_key key;

	slg_key_init(&key, &init_net, AF_INET, &addr);
	rcu_read_lock();
	src = slg_table_lookup(&slg_sources, &key);
	if (src) {
		spin_lock_bh(&src->lock);
		c.found = true;
		c.packets = src->packets;
		c.bytes = src->bytes;
		c.udp = src->udp;
		c.ports = src->win.cur[SLG_CTR_PORTS] +
			  src->win.prev[SLG_CTR_PORTS];
		spin_unlock_bh(&src->lock);
	}
	rcu_read_unlock();
	return c;
}

/* Reassembled packets: the hooks come right after defragmentation. */
static void hooks_after_defrag(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(slg_ops); i++) {
		KUNIT_EXPECT_GT_MSG(test, slg_ops[i].priority,
				    NF_IP_PRI_CONNTRACK_DEFRAG, "ops %d", i);
		KUNIT_EXPECT_LT_MSG(test, slg_ops[i].priority, NF_IP_PRI_RAW,
				    "ops %d", i);
	}
}

/* A transport header cut short still counts at layer 3. */
static void l3_counted_without_l4(struct kunit *test)
{
	const char *a = "198.18.0.1";
	struct sk_buff *skb;
	struct ht_counts c;

	skb = ht_skb(test, a, IPPROTO_TCP, 1, 2, TCPHDR_SYN, 8);
	ht_run(skb, NF_INET_PRE_ROUTING, NULL, NULL);
	kfree_skb(skb);
	skb = ht_skb(test, a, IPPROTO_UDP, 1, 2, 0, 4);
	ht_run(skb, NF_INET_PRE_ROUTING, NULL, NULL);
	kfree_skb(skb);

	c = ht_source(a);
	KUNIT_ASSERT_TRUE(test, c.found);
	KUNIT_EXPECT_EQ(test, c.packets, 2);
	KUNIT_EXPECT_EQ(test, c.bytes, 2 * sizeof(struct iphdr) + 8 + 4);
	KUNIT_EXPECT_EQ(test, c.ports, 0);
}

/* What this host sends is not a source, and names no probed port. */
static void local_out_is_not_a_source(struct kunit *test)
{
	ht_send(test, "198.18.0.2", NF_INET_LOCAL_OUT, IPPROTO_TCP, 40000,
		1000, 30);
	ht_send(test, "198.18.0.2", NF_INET_LOCAL_OUT, IPPROTO_UDP, 40000,
		1000, 30);
	KUNIT_EXPECT_FALSE(test, ht_source("198.18.0.2").found);
}

/* Over loopback a packet passes LOCAL_OUT, then PRE_ROUTING: once. */
static void loopback_counted_once(struct kunit *test)
{
	const char *a = "198.18.0.3";
	struct ht_counts c;

	ht_send(test, a, NF_INET_LOCAL_OUT, IPPROTO_TCP, 40000, 22, 1);
	ht_send(test, a, NF_INET_PRE_ROUTING, IPPROTO_TCP, 40000, 22, 1);
	c = ht_source(a);
	KUNIT_ASSERT_TRUE(test, c.found);
	KUNIT_EXPECT_EQ(test, c.packets, 1);
	KUNIT_EXPECT_EQ(test, c.ports, 1);
}

/* A resolver answering this host's queries is no port scanner. */
static void udp_replies_are_not_probes(struct kunit *test)
{
	const char *resolver = "198.18.0.4", *ntp = "198.18.0.5";
	const char *scanner = "198.18.0.6", *from53 = "198.18.0.7";
	struct ht_counts c;

	ht_send(test, resolver, NF_INET_PRE_ROUTING, IPPROTO_UDP, 53, 40000, 30);
	c = ht_source(resolver);
	KUNIT_ASSERT_TRUE(test, c.found);
	KUNIT_EXPECT_EQ(test, c.udp, 30);
	KUNIT_EXPECT_EQ(test, c.ports, 0);

	ht_send(test, ntp, NF_INET_PRE_ROUTING, IPPROTO_UDP, 123, 50000, 30);
	KUNIT_EXPECT_EQ(test, ht_source(ntp).ports, 0);

	/* A UDP scan from an ephemeral port counts every port... */
	ht_send(test, scanner, NF_INET_PRE_ROUTING, IPPROTO_UDP, 40000, 1, 30);
	KUNIT_EXPECT_GE(test, ht_source(scanner).ports, 25);
	/* ...and so does one from port 53 of the ports services use. */
	ht_send(test, from53, NF_INET_PRE_ROUTING, IPPROTO_UDP, 53, 1000, 30);
	KUNIT_EXPECT_GE(test, ht_source(from53).ports, 25);
}

/* A TCP segment from saddr to daddr with the sequence numbers given. */
static struct sk_buff *ht_tcp(struct kunit *test, const char *saddr,
			      const char *daddr, u16 sport, u16 dport,
			      u8 flags, u32 seq, u32 ack)
{
	struct sk_buff *skb = ht_skb(test, saddr, IPPROTO_TCP, sport, dport,
				     flags, sizeof(struct tcphdr));
	struct iphdr *iph = ip_hdr(skb);
	struct tcphdr *th = (struct tcphdr *)(iph + 1);

	iph->daddr = in_aton(daddr);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	return skb;
}

static void ht_tcp_run(struct kunit *test, unsigned int hook,
		       const char *saddr, const char *daddr, u16 sport,
		       u16 dport, u8 flags, u32 seq, u32 ack)
{
	struct sk_buff *skb = ht_tcp(test, saddr, daddr, sport, dport, flags,
				     seq, ack);

	ht_run(skb, hook, NULL, NULL);
	kfree_skb(skb);
}

/* The handshakes a source completed, both windows. */
static u64 ht_done(const char *saddr)
{
	union slg_addr addr = { .v4 = in_aton(saddr) };
	struct slg_source *src;
	struct slg_key key;
	u64 done = 0;

	slg_key_init(&key, &init_net, AF_INET, &addr);
	rcu_read_lock();
	src = slg_table_lookup(&slg_sources, &key);
	if (src) {
		spin_lock_bh(&src->lock);
		done = src->win.cur[SLG_CTR_DONE] + src->win.prev[SLG_CTR_DONE];
		spin_unlock_bh(&src->lock);
	}
	rcu_read_unlock();
	return done;
}

#define HT_LOCAL	"198.19.255.1"

/*
 * A handshake completes when the client's ACK acknowledges the SYN-ACK
 * this host sent (ack_seq == our ISN + 1). An ACK whose own sequence
 * number is the client's ISN + 1 - what a blind forger can always send -
 * completes nothing.
 */
static void forged_ack_is_no_handshake(struct kunit *test)
{
	const char *a = "198.18.0.8";

	ht_tcp_run(test, NF_INET_PRE_ROUTING, a, HT_LOCAL, 41000, 80,
		   TCPHDR_SYN, 1000, 0);
	ht_tcp_run(test, NF_INET_LOCAL_OUT, HT_LOCAL, a, 80, 41000,
		   TCPHDR_SYN | TCPHDR_ACK, 777777, 1001);
	/* seq == client ISN + 1, ack_seq a guess */
	ht_tcp_run(test, NF_INET_PRE_ROUTING, a, HT_LOCAL, 41000, 80,
		   TCPHDR_ACK, 1001, 12345);
	KUNIT_EXPECT_EQ(test, ht_done(a), 0);
	/* the right ACK from another port is another connection */
	ht_tcp_run(test, NF_INET_PRE_ROUTING, a, HT_LOCAL, 41001, 80,
		   TCPHDR_ACK, 1001, 777778);
	KUNIT_EXPECT_EQ(test, ht_done(a), 0);

	ht_tcp_run(test, NF_INET_PRE_ROUTING, a, HT_LOCAL, 41000, 80,
		   TCPHDR_ACK, 1001, 777778);
	KUNIT_EXPECT_EQ(test, ht_done(a), 1);
	/* retransmitted: still one */
	ht_tcp_run(test, NF_INET_PRE_ROUTING, a, HT_LOCAL, 41000, 80,
		   TCPHDR_ACK, 1001, 777778);
	KUNIT_EXPECT_EQ(test, ht_done(a), 1);
}

/*
 * A NAT gateway or proxy with 300 handshakes in flight at once: every
 * one completes, so once the window has passed none is half-open.
 */
static void concurrent_handshakes_not_a_flood(struct kunit *test)
{
	const char *gw = "198.18.0.9";
	union slg_addr addr = { .v4 = in_aton(gw) };
	struct slg_window *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	struct slg_source *src;
	struct slg_rates r;
	struct slg_key key;
	const int n = 300;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < n; i++)
		ht_tcp_run(test, NF_INET_PRE_ROUTING, gw, HT_LOCAL, 20000 + i,
			   443, TCPHDR_SYN, 5000 * i, 0);
	for (i = 0; i < n; i++)
		ht_tcp_run(test, NF_INET_LOCAL_OUT, HT_LOCAL, gw, 443,
			   20000 + i, TCPHDR_SYN | TCPHDR_ACK, 91 * i + 3,
			   5000 * i + 1);
	for (i = 0; i < n; i++)
		ht_tcp_run(test, NF_INET_PRE_ROUTING, gw, HT_LOCAL, 20000 + i,
			   443, TCPHDR_ACK, 5000 * i + 1, 91 * i + 4);
	KUNIT_EXPECT_EQ(test, ht_done(gw), n);

	slg_key_init(&key, &init_net, AF_INET, &addr);
	rcu_read_lock();
	src = slg_table_lookup(&slg_sources, &key);
	KUNIT_ASSERT_NOT_NULL(test, src);
	spin_lock_bh(&src->lock);
	*w = src->win;
	spin_unlock_bh(&src->lock);
	rcu_read_unlock();
	/* a window later, the burst's SYNs are all in the previous window */
	slg_window_roll(w, w->start_ms + 1100, 1000);
	slg_window_rates(w, w->start_ms + 10, 1000, &r);
	KUNIT_EXPECT_LT(test, r.half_open,
			(u64)slg_default_thresholds.syn_half_open);
}

/* FIN, NULL and Xmas scans (nmap -sF, -sN, -sX) name the ports they probe. */
static void stealth_scans_count_ports(struct kunit *test)
{
	static const struct {
		const char *src;
		u8 flags;
		bool probe;
	} kinds[] = {
		{ "198.18.0.10", TCPHDR_FIN, true },
		{ "198.18.0.11", 0, true },
		{ "198.18.0.12", TCPHDR_FIN | TCPHDR_PSH | TCPHDR_URG, true },
		/* what connections send: no probe */
		{ "198.18.0.13", TCPHDR_FIN | TCPHDR_ACK, false },
		{ "198.18.0.14", TCPHDR_RST, false },
		{ "198.18.0.15", TCPHDR_PSH | TCPHDR_ACK, false },
	};
	int k, i;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (i = 0; i < 30; i++)
			ht_tcp_run(test, NF_INET_PRE_ROUTING, kinds[k].src,
				   HT_LOCAL, 50000, 1 + i, kinds[k].flags, 1, 0);
		if (kinds[k].probe)
			KUNIT_EXPECT_GE_MSG(test, ht_source(kinds[k].src).ports,
					    25, "flags %#x", kinds[k].flags);
		else
			KUNIT_EXPECT_EQ_MSG(test, ht_source(kinds[k].src).ports,
					    0, "flags %#x", kinds[k].flags);
	}
}

/*
 * nmap -sA: an ACK that conntrack saw start a connection (tcp_loose) is a
 * probe; an ACK of a known connection, or one conntrack never saw (it does
 * not run in the namespace), is not.
 */
static void ack_probe_needs_conntrack(struct kunit *test)
{
	struct slg_pkt p = { .proto = IPPROTO_TCP, .tcp_flags = TCPHDR_ACK };
	int i;

	KUNIT_EXPECT_TRUE(test, is_ack_probe(&p, true, IP_CT_NEW));
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_ESTABLISHED));
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_RELATED));
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, false, IP_CT_NEW));
	p.tcp_flags = TCPHDR_ACK | TCPHDR_PSH;
	KUNIT_EXPECT_TRUE(test, is_ack_probe(&p, true, IP_CT_NEW));
	/* a SYN, RST or FIN is no ACK probe (SYN and FIN count elsewhere) */
	p.tcp_flags = TCPHDR_SYN;
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_NEW));
	p.tcp_flags = TCPHDR_RST | TCPHDR_ACK;
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_NEW));
	p.tcp_flags = TCPHDR_FIN | TCPHDR_ACK;
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_NEW));
	p.proto = IPPROTO_UDP;
	p.tcp_flags = 0;
	KUNIT_EXPECT_FALSE(test, is_ack_probe(&p, true, IP_CT_NEW));

	/* the hook that asks sits after conntrack */
	for (i = 0; i < ARRAY_SIZE(slg_ct_ops); i++)
		KUNIT_EXPECT_GT(test, slg_ct_ops[i].priority,
				NF_IP_PRI_CONNTRACK);
}

static struct kunit_case slaguard_hooks_cases[] = {
	KUNIT_CASE(hooks_after_defrag),
	KUNIT_CASE(l3_counted_without_l4),
	KUNIT_CASE(local_out_is_not_a_source),
	KUNIT_CASE(loopback_counted_once),
	KUNIT_CASE(udp_replies_are_not_probes),
	KUNIT_CASE(forged_ack_is_no_handshake),
	KUNIT_CASE(concurrent_handshakes_not_a_flood),
	KUNIT_CASE(stealth_scans_count_ports),
	KUNIT_CASE(ack_probe_needs_conntrack),
	{}
};

static struct kunit_suite slaguard_hooks_suite = {
	.name = "slaguard_hooks",
	.test_cases = slaguard_hooks_cases,
};

kunit_test_suite(slaguard_hooks_suite);
