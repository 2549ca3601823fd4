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

static struct kunit_case slaguard_hooks_cases[] = {
	KUNIT_CASE(hooks_after_defrag),
	KUNIT_CASE(l3_counted_without_l4),
	KUNIT_CASE(local_out_is_not_a_source),
	KUNIT_CASE(loopback_counted_once),
	KUNIT_CASE(udp_replies_are_not_probes),
	{}
};

static struct kunit_suite slaguard_hooks_suite = {
	.name = "slaguard_hooks",
	.test_cases = slaguard_hooks_cases,
};

kunit_test_suite(slaguard_hooks_suite);
