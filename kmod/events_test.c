// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's event encoding, packet parsing and for the
 * module's own start-up (it is built in, so it ran before these tests).
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <net/tcp.h>

#include "events.h"
#include "netlink.h"
#include "srctable.h"

/* ---- event encoding ---- */

static const struct nla_policy ev_policy[SLAGUARD_EV_MAX + 1] = {
	[SLAGUARD_EV_SEQ] = { .type = NLA_U64 },
	[SLAGUARD_EV_KIND] = { .type = NLA_U32 },
	[SLAGUARD_EV_TIME_NS] = { .type = NLA_U64 },
	[SLAGUARD_EV_NETNS] = { .type = NLA_U32 },
	[SLAGUARD_EV_FAMILY] = { .type = NLA_U8 },
	[SLAGUARD_EV_SRC_ADDR] = { .type = NLA_BINARY },
	[SLAGUARD_EV_DST_ADDR] = { .type = NLA_BINARY },
	[SLAGUARD_EV_PROTO] = { .type = NLA_U8 },
	[SLAGUARD_EV_SRC_PORT] = { .type = NLA_U16 },
	[SLAGUARD_EV_DST_PORT] = { .type = NLA_U16 },
	[SLAGUARD_EV_DIRECTION] = { .type = NLA_U8 },
	[SLAGUARD_EV_VALUE] = { .type = NLA_U64 },
	[SLAGUARD_EV_THRESHOLD] = { .type = NLA_U64 },
	[SLAGUARD_EV_WATCH_ID] = { .type = NLA_U32 },
	[SLAGUARD_EV_PACKETS] = { .type = NLA_U64 },
	[SLAGUARD_EV_BYTES] = { .type = NLA_U64 },
	[SLAGUARD_EV_PKT_RATE] = { .type = NLA_U64 },
	[SLAGUARD_EV_BYTE_RATE] = { .type = NLA_U64 },
	[SLAGUARD_EV_CONN_RATE] = { .type = NLA_U64 },
	[SLAGUARD_EV_HALF_OPEN] = { .type = NLA_U64 },
	[SLAGUARD_EV_PORTS] = { .type = NLA_U64 },
	[SLAGUARD_EV_ICMP_RATE] = { .type = NLA_U64 },
	[SLAGUARD_EV_PAD] = { .type = NLA_BINARY },
	[SLAGUARD_EV_CGROUP_ID] = { .type = NLA_U64 },
};

static const struct nla_policy top_policy[SLAGUARD_A_MAX + 1] = {
	[SLAGUARD_A_EVENT] = NLA_POLICY_NESTED(ev_policy),
};

#define SEQ	0x1122334455667788ULL

static void set_addr(struct kunit *test, union slg_addr *a, u8 family,
		     const char *s)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET)
		KUNIT_ASSERT_EQ(test, in4_pton(s, -1, (u8 *)&a->v4, -1, NULL), 1);
	else
		KUNIT_ASSERT_EQ(test, in6_pton(s, -1, a->v6.s6_addr, -1, NULL), 1);
}

static struct slg_event *new_event(struct kunit *test, u32 kind, u8 family,
				   bool rates)
{
	struct slg_event *ev = kunit_kzalloc(test, sizeof(*ev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ev);
	ev->kind = kind;
	ev->family = family;
	ev->netns_inum = 4026531840U;
	ev->dir = SLAGUARD_DIR_IN;
	ev->time_ns = 1700000000123456789ULL;
	ev->value = 12345678901ULL;
	ev->threshold = 100;
	set_addr(test, &ev->src, family,
		 family == AF_INET ? "198.51.100.7" : "2001:db8:0:1::7");
	if (kind == SLAGUARD_EVENT_WATCH_HIT) {
		set_addr(test, &ev->dst, family,
			 family == AF_INET ? "203.0.113.9" : "2001:db8:ff::9");
		ev->proto = IPPROTO_TCP;
		ev->sport = 51000;
		ev->dport = 65535;
		ev->watch_id = 42;
	}
	if (rates) {
		ev->has_rates = true;
		ev->packets = 1000001;
		ev->bytes = 1ULL << 40;
		ev->rates.pkt_rate = 11;
		ev->rates.byte_rate = 22;
		ev->rates.conn_rate = 33;
		ev->rates.half_open = 44;
		ev->rates.ports = 55;
		ev->rates.icmp_rate = 66;
	}
	return ev;
}

/* What genlmsg_new(slg_event_size(ev)) gives room for. */
static unsigned int room_for(const struct slg_event *ev)
{
	return nlmsg_total_size(genlmsg_total_size(slg_event_size(ev)));
}

/*
 * An skb with exactly room bytes of tailroom. Its data then starts at
 * -room modulo 8, and where a message starts decides how many pad
 * attributes 64-bit values need on arches without efficient unaligned
 * access (UML is one).
 */
static struct sk_buff *skb_with_room(struct kunit *test, unsigned int room)
{
	struct sk_buff *skb = alloc_skb(room + 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, skb_tailroom(skb) - room);
	KUNIT_EXPECT_EQ(test, skb_tailroom(skb), room);
	return skb;
}

/* Bytes ev takes when its message starts at an address align mod 8. */
static unsigned int len_at(struct kunit *test, const struct slg_event *ev,
			   unsigned int align)
{
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	unsigned int len;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, (align - (unsigned long)skb->data) & 7);
	KUNIT_EXPECT_EQ(test, slg_event_fill(skb, ev, SEQ), 0);
	len = skb->len;
	kfree_skb(skb);
	return len;
}

/* Check the message at off in skb against ev, attribute by attribute. */
static void expect_decodes(struct kunit *test, struct sk_buff *skb,
			   unsigned int off, const struct slg_event *ev, u64 seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(skb->data + off);
	unsigned int alen = ev->family == AF_INET ? 4 : 16;
	struct nlattr *top[SLAGUARD_A_MAX + 1];
	struct nlattr *tb[SLAGUARD_EV_MAX + 1];
	struct genlmsghdr *gh;
	bool hit = ev->kind == SLAGUARD_EVENT_WATCH_HIT;
	int i, err;

	KUNIT_ASSERT_GE(test, skb->len - off, NLMSG_HDRLEN + GENL_HDRLEN);
	KUNIT_ASSERT_TRUE(test, nlmsg_ok(nlh, skb->len - off));
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_type, slg_genl_family.id);
	gh = nlmsg_data(nlh);
	KUNIT_EXPECT_EQ(test, gh->cmd, SLAGUARD_CMD_EVENT);
	KUNIT_EXPECT_EQ(test, gh->version, SLAGUARD_GENL_VERSION);

	/* Strict parsing: known attributes only, each of its exact size. */
	err = genlmsg_parse(nlh, &slg_genl_family, top, SLAGUARD_A_MAX,
			    top_policy, NULL);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_NOT_NULL(test, top[SLAGUARD_A_EVENT]);
	for (i = 0; i <= SLAGUARD_A_MAX; i++)
		if (i != SLAGUARD_A_EVENT)
			KUNIT_EXPECT_NULL(test, top[i]);
	err = nla_parse_nested(tb, SLAGUARD_EV_MAX, top[SLAGUARD_A_EVENT],
			       ev_policy, NULL);
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_SEQ]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[SLAGUARD_EV_SEQ]), seq);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_KIND]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[SLAGUARD_EV_KIND]), ev->kind);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_TIME_NS]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[SLAGUARD_EV_TIME_NS]), ev->time_ns);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_NETNS]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[SLAGUARD_EV_NETNS]), ev->netns_inum);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_FAMILY]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[SLAGUARD_EV_FAMILY]), ev->family);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_DIRECTION]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[SLAGUARD_EV_DIRECTION]), ev->dir);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_SRC_ADDR]);
	KUNIT_ASSERT_EQ(test, nla_len(tb[SLAGUARD_EV_SRC_ADDR]), alen);
	KUNIT_EXPECT_EQ(test, memcmp(nla_data(tb[SLAGUARD_EV_SRC_ADDR]),
				     &ev->src, alen), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_VALUE]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[SLAGUARD_EV_VALUE]), ev->value);
	KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_THRESHOLD]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[SLAGUARD_EV_THRESHOLD]),
			ev->threshold);

	if (hit) {
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_DST_ADDR]);
		KUNIT_ASSERT_EQ(test, nla_len(tb[SLAGUARD_EV_DST_ADDR]), alen);
		KUNIT_EXPECT_EQ(test, memcmp(nla_data(tb[SLAGUARD_EV_DST_ADDR]),
					     &ev->dst, alen), 0);
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_PROTO]);
		KUNIT_EXPECT_EQ(test, nla_get_u8(tb[SLAGUARD_EV_PROTO]),
				ev->proto);
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_SRC_PORT]);
		KUNIT_EXPECT_EQ(test, nla_get_u16(tb[SLAGUARD_EV_SRC_PORT]),
				ev->sport);
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_DST_PORT]);
		KUNIT_EXPECT_EQ(test, nla_get_u16(tb[SLAGUARD_EV_DST_PORT]),
				ev->dport);
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_WATCH_ID]);
		KUNIT_EXPECT_EQ(test, nla_get_u32(tb[SLAGUARD_EV_WATCH_ID]),
				ev->watch_id);
	} else {
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_DST_ADDR]);
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_PROTO]);
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_DST_PORT]);
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_WATCH_ID]);
	}

	if (ev->has_rates) {
		static const struct {
			int type;
			size_t off;
		} r[] = {
			{ SLAGUARD_EV_PACKETS, offsetof(struct slg_event, packets) },
			{ SLAGUARD_EV_BYTES, offsetof(struct slg_event, bytes) },
			{ SLAGUARD_EV_PKT_RATE,
			  offsetof(struct slg_event, rates.pkt_rate) },
			{ SLAGUARD_EV_BYTE_RATE,
			  offsetof(struct slg_event, rates.byte_rate) },
			{ SLAGUARD_EV_CONN_RATE,
			  offsetof(struct slg_event, rates.conn_rate) },
			{ SLAGUARD_EV_HALF_OPEN,
			  offsetof(struct slg_event, rates.half_open) },
			{ SLAGUARD_EV_PORTS, offsetof(struct slg_event, rates.ports) },
			{ SLAGUARD_EV_ICMP_RATE,
			  offsetof(struct slg_event, rates.icmp_rate) },
		};

		for (i = 0; i < ARRAY_SIZE(r); i++) {
			u64 want = *(const u64 *)((const u8 *)ev + r[i].off);

			KUNIT_ASSERT_NOT_NULL_MSG(test, tb[r[i].type], "attr %d",
						  r[i].type);
			KUNIT_EXPECT_EQ_MSG(test, nla_get_u64(tb[r[i].type]),
					    want, "attr %d", r[i].type);
		}
	} else {
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_PACKETS]);
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_ICMP_RATE]);
	}

	/* The sending socket's cgroup: only when known, never 0. */
	if (ev->cgroup_id) {
		KUNIT_ASSERT_NOT_NULL(test, tb[SLAGUARD_EV_CGROUP_ID]);
		KUNIT_EXPECT_EQ(test, nla_get_u64(tb[SLAGUARD_EV_CGROUP_ID]),
				ev->cgroup_id);
	} else {
		KUNIT_EXPECT_NULL(test, tb[SLAGUARD_EV_CGROUP_ID]);
	}
}

static const struct {
	u32 kind;
	u8 family;
	bool rates;
	u64 cgroup_id;		/* WATCH_HIT sent by a local socket */
} shapes[] = {
	{ SLAGUARD_EVENT_PORTSCAN, AF_INET, true },
	{ SLAGUARD_EVENT_ICMP_FLOOD, AF_INET6, true },
	{ SLAGUARD_EVENT_BANDWIDTH, AF_INET, false },
	{ SLAGUARD_EVENT_WATCH_HIT, AF_INET, false },
	{ SLAGUARD_EVENT_WATCH_HIT, AF_INET6, false },
	{ SLAGUARD_EVENT_WATCH_HIT, AF_INET6, true },
	{ SLAGUARD_EVENT_WATCH_HIT, AF_INET, false, 0x8000000000001234ULL },
	{ SLAGUARD_EVENT_WATCH_HIT, AF_INET6, true, 1 },
};

static struct slg_event *shape_event(struct kunit *test, int i)
{
	struct slg_event *ev = new_event(test, shapes[i].kind,
					 shapes[i].family, shapes[i].rates);

	ev->cgroup_id = shapes[i].cgroup_id;
	return ev;
}

static void family_registered(struct kunit *test)
{
	/* Module init ran and registered the family the events carry. */
	KUNIT_EXPECT_NE(test, slg_genl_family.id, 0);
	KUNIT_EXPECT_STREQ(test, slg_genl_family.name, SLAGUARD_GENL_NAME);
	KUNIT_EXPECT_EQ(test, slg_genl_family.version, SLAGUARD_GENL_VERSION);
}

static void size_covers_fill(struct kunit *test)
{
	unsigned int align;
	int i;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct slg_event *ev = shape_event(test, i);
		struct sk_buff *skb;
		int err;

		/* As the module allocates it... */
		skb = genlmsg_new(slg_event_size(ev), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		err = slg_event_fill(skb, ev, SEQ);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "shape %d", i);
		KUNIT_EXPECT_LE_MSG(test, skb->len, room_for(ev), "shape %d", i);
		if (!err)
			expect_decodes(test, skb, 0, ev, SEQ);
		nlmsg_free(skb);

		/*
		 * ...with not one byte more than asked for, so that kmalloc
		 * rounding is not what makes it fit...
		 */
		skb = skb_with_room(test, room_for(ev));
		err = slg_event_fill(skb, ev, i + 1);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "shape %d", i);
		KUNIT_EXPECT_GE(test, skb_tailroom(skb), 0);
		if (!err)
			expect_decodes(test, skb, 0, ev, i + 1);
		kfree_skb(skb);

		/* ...and wherever the message starts. */
		for (align = 0; align < 8; align++)
			KUNIT_EXPECT_LE_MSG(test, len_at(test, ev, align),
					    room_for(ev), "shape %d align %u",
					    i, align);
	}
}

static void size_is_not_wasteful(struct kunit *test)
{
	int i;

	/* Not required, but a gross overestimate would hide a wrong sum. */
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct slg_event *ev = shape_event(test, i);
		unsigned int worst = max(len_at(test, ev, 0), len_at(test, ev, 4));

		KUNIT_EXPECT_GE_MSG(test, worst + 16, room_for(ev), "shape %d", i);
	}
}

static void too_small_leaves_nothing(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct slg_event *ev = shape_event(test, i);
		unsigned int need[8], align, room, first;
		struct sk_buff *skb;

		for (align = 0; align < 8; align++)
			need[align] = len_at(test, ev, align);

		/* Cut short at every byte: all of it or nothing. */
		for (room = 0; room < room_for(ev); room++) {
			int err;

			skb = skb_with_room(test, room);
			align = (unsigned long)skb->data & 7;
			err = slg_event_fill(skb, ev, SEQ);
			if (room < need[align]) {
				KUNIT_EXPECT_EQ_MSG(test, err, -EMSGSIZE,
						    "shape %d room %u", i, room);
				KUNIT_EXPECT_EQ_MSG(test, skb->len, 0,
						    "shape %d room %u", i, room);
			} else {
				KUNIT_EXPECT_EQ_MSG(test, err, 0,
						    "shape %d room %u", i, room);
				KUNIT_EXPECT_EQ(test, skb->len, need[align]);
			}
			kfree_skb(skb);
		}

		/* Behind a complete message, which stays intact. */
		skb = skb_with_room(test, need[0] + need[0] / 2);
		KUNIT_ASSERT_EQ(test, slg_event_fill(skb, ev, 1), 0);
		first = skb->len;
		KUNIT_EXPECT_EQ(test, slg_event_fill(skb, ev, 2), -EMSGSIZE);
		KUNIT_EXPECT_EQ(test, skb->len, first);
		expect_decodes(test, skb, 0, ev, 1);
		kfree_skb(skb);
	}
}

static void two_messages_in_one_skb(struct kunit *test)
{
	struct slg_event *a = new_event(test, SLAGUARD_EVENT_SYN_FLOOD, AF_INET,
					true);
	struct slg_event *b = new_event(test, SLAGUARD_EVENT_WATCH_HIT,
					AF_INET6, false);
	struct sk_buff *skb = skb_with_room(test, room_for(a) + room_for(b));
	unsigned int first;

	KUNIT_ASSERT_EQ(test, slg_event_fill(skb, a, 7), 0);
	first = skb->len;
	KUNIT_EXPECT_EQ(test, first % NLMSG_ALIGNTO, 0);
	KUNIT_ASSERT_EQ(test, slg_event_fill(skb, b, 8), 0);
	expect_decodes(test, skb, 0, a, 7);
	expect_decodes(test, skb, first, b, 8);
	kfree_skb(skb);
}

static struct kunit_case slaguard_events_cases[] = {
	KUNIT_CASE(family_registered),
	KUNIT_CASE(size_covers_fill),
	KUNIT_CASE(size_is_not_wasteful),
	KUNIT_CASE(too_small_leaves_nothing),
	KUNIT_CASE(two_messages_in_one_skb),
	{}
};

static struct kunit_suite slaguard_events_suite = {
	.name = "slaguard_events",
	.test_cases = slaguard_events_cases,
};

/* ---- module start-up ---- */

static void pernet_state_ready(struct kunit *test)
{
	struct slg_net *sn = slg_pernet(&init_net);
	const struct slg_thresholds *t;

	KUNIT_ASSERT_NOT_NULL(test, sn);
	KUNIT_EXPECT_PTR_EQ(test, sn->net, &init_net);
	KUNIT_EXPECT_NOT_NULL(test, slg_stats);
	KUNIT_EXPECT_NOT_NULL(test, slg_sources.buckets);
	KUNIT_EXPECT_GT(test, slg_sources.capacity, 0);
	KUNIT_EXPECT_LE(test, slg_table_count(&slg_sources),
			slg_sources.capacity);

	rcu_read_lock();
	t = slg_thresholds_get(sn);
	KUNIT_EXPECT_NOT_NULL(test, t);
	rcu_read_unlock();
}

static void defaults_are_settable(struct kunit *test)
{
	const struct slg_thresholds *t = &slg_default_thresholds;

	/* The defaults must be values SET_THRESHOLDS itself would accept. */
	KUNIT_EXPECT_GE(test, t->window_ms, SLAGUARD_WINDOW_MS_MIN);
	KUNIT_EXPECT_LE(test, t->window_ms, SLAGUARD_WINDOW_MS_MAX);
	KUNIT_EXPECT_GE(test, t->holdoff_ms, SLAGUARD_HOLDOFF_MS_MIN);
	KUNIT_EXPECT_LE(test, t->holdoff_ms, SLAGUARD_HOLDOFF_MS_MAX);
	KUNIT_EXPECT_LE(test, t->portscan_ports, SLG_PORT_BITS);
}

/* Is an nf hook of ours (by its priority) registered at (pf, hook)? */
static bool hooked(struct nf_hook_entries __rcu *const *hooks, int hooknum)
{
	const struct nf_hook_entries *e;
	struct nf_hook_ops **ops;
	bool found = false;
	int i;

	rcu_read_lock();
	e = rcu_dereference(hooks[hooknum]);
	if (e) {
		ops = nf_hook_entries_get_hook_ops(e);
		for (i = 0; i < e->num_hook_entries; i++)
			found |= ops[i]->priority == NF_IP_PRI_CONNTRACK_DEFRAG + 1;
	}
	rcu_read_unlock();
	return found;
}

static void hooks_registered(struct kunit *test)
{
	static const int hooks[] = {
		NF_INET_PRE_ROUTING, NF_INET_FORWARD, NF_INET_LOCAL_OUT,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		KUNIT_EXPECT_TRUE_MSG(test, hooked(init_net.nf.hooks_ipv4,
						   hooks[i]), "ipv4 hook %d",
				      hooks[i]);
#if IS_ENABLED(CONFIG_IPV6)
		KUNIT_EXPECT_TRUE_MSG(test, hooked(init_net.nf.hooks_ipv6,
						   hooks[i]), "ipv6 hook %d",
				      hooks[i]);
#endif
	}
	KUNIT_EXPECT_FALSE(test, hooked(init_net.nf.hooks_ipv4,
					NF_INET_LOCAL_IN));
}

static struct kunit_case slaguard_init_cases[] = {
	KUNIT_CASE(pernet_state_ready),
	KUNIT_CASE(defaults_are_settable),
	KUNIT_CASE(hooks_registered),
	{}
};

static struct kunit_suite slaguard_init_suite = {
	.name = "slaguard_init",
	.test_cases = slaguard_init_cases,
};

/* ---- namespaces: forwarding budget, thresholds (events.c, main.c) ---- */

/* A namespace's state as far as forwarding uses it. */
static struct slg_net *fwd_net(struct kunit *test)
{
	struct slg_net *sn = kunit_kzalloc(test, sizeof(*sn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sn);
	sn->stats = alloc_percpu(struct slg_pcpu_stats);
	KUNIT_ASSERT_NOT_NULL(test, sn->stats);
	return sn;
}

static u32 host_forward_rate(void)
{
	u32 rate;

	rcu_read_lock();
	rate = slg_thresholds_get(slg_pernet(&init_net))->ns_forward_rate;
	rcu_read_unlock();
	return rate;
}

/*
 * A namespace forwards at most the initial namespace's budget per second,
 * the rest counted; each namespace has a budget of its own, renewed every
 * second.
 */
static void forward_budget_per_namespace(struct kunit *test)
{
	struct slg_net *a = fwd_net(test), *b = fwd_net(test);
	u32 rate = host_forward_rate();
	struct slg_pcpu_stats sa, sb;
	unsigned int i, sent = 0;

	KUNIT_ASSERT_GT(test, rate, 0);
	KUNIT_EXPECT_EQ(test, slg_default_thresholds.ns_forward_rate, 200);
	for (i = 0; i < 3 * rate; i++)
		sent += slg_forward_take(a, 1000);
	KUNIT_EXPECT_EQ(test, sent, rate);
	/* b's budget is untouched by a's flood. */
	KUNIT_EXPECT_TRUE(test, slg_forward_take(b, 1000));
	/* The next second a has its budget again. */
	KUNIT_EXPECT_TRUE(test, slg_forward_take(a, 1001));

	slg_pcpu_stats_sum(a->stats, &sa);
	slg_pcpu_stats_sum(b->stats, &sb);
	KUNIT_EXPECT_EQ(test, sa.forwarded, rate + 1);
	KUNIT_EXPECT_EQ(test, sa.forward_suppressed, 2 * rate);
	KUNIT_EXPECT_EQ(test, sb.forwarded, 1);
	KUNIT_EXPECT_EQ(test, sb.forward_suppressed, 0);
	free_percpu(a->stats);
	free_percpu(b->stats);
}

/* Each namespace's share of the table; the host's is all of it. */
static void host_quota_is_the_capacity(struct kunit *test)
{
	struct slg_net *sn = slg_pernet(&init_net);

	KUNIT_EXPECT_TRUE(test, sn->sources.host);
	KUNIT_EXPECT_EQ(test, sn->sources.limit, slg_sources.capacity);
	KUNIT_EXPECT_NOT_NULL(test, sn->stats);
}

static struct kunit_case slaguard_netns_cases[] = {
	KUNIT_CASE(forward_budget_per_namespace),
	KUNIT_CASE(host_quota_is_the_capacity),
	{}
};

static struct kunit_suite slaguard_netns_suite = {
	.name = "slaguard_netns",
	.test_cases = slaguard_netns_cases,
};

/* ---- packet parsing (hooks.c) ---- */

static struct sk_buff *new_skb(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(512, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	return skb;
}

static struct iphdr *put_ipv4(struct sk_buff *skb, u8 proto)
{
	struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = in_aton("192.0.2.1");
	iph->daddr = in_aton("198.51.100.2");
	return iph;
}

static struct ipv6hdr *put_ipv6(struct kunit *test, struct sk_buff *skb,
				u8 nexthdr)
{
	struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	KUNIT_EXPECT_EQ(test, in6_pton("2001:db8::1", -1, ip6h->saddr.s6_addr,
				       -1, NULL), 1);
	KUNIT_EXPECT_EQ(test, in6_pton("2001:db8:ffff::2", -1,
				       ip6h->daddr.s6_addr, -1, NULL), 1);
	return ip6h;
}

static struct tcphdr *put_tcp(struct sk_buff *skb, u16 sport, u16 dport,
			      u32 seq, u8 flags)
{
	struct tcphdr *th = skb_put_zero(skb, sizeof(*th));

	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->doff = 5;
	tcp_flag_byte(th) = flags;
	th->window = htons(65535);
	return th;
}

static void put_udp(struct sk_buff *skb, u16 sport, u16 dport)
{
	struct udphdr *uh = skb_put_zero(skb, sizeof(*uh));

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(sizeof(*uh));
}

/* Fix up the IP length fields once everything is in. */
static void finish_ipv4(struct sk_buff *skb)
{
	ip_hdr(skb)->tot_len = htons(skb->len);
}

static void finish_ipv6(struct sk_buff *skb)
{
	ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
}

static void parse_tcp_v4(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	union slg_addr want = {};
	struct slg_pkt pkt;

	put_ipv4(skb, IPPROTO_TCP);
	put_tcp(skb, 40000, 443, 0xdeadbeef,
		TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR);
	skb_put_zero(skb, 100);
	finish_ipv4(skb);

	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.family, AF_INET);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.sport, 40000);
	KUNIT_EXPECT_EQ(test, pkt.dport, 443);
	KUNIT_EXPECT_EQ(test, pkt.tcp_seq, 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags,
			TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR);
	KUNIT_EXPECT_EQ(test, pkt.len, 140);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1);
	/* v4 addresses fill 4 bytes, the rest stays zero. */
	want.v4 = in_aton("192.0.2.1");
	KUNIT_EXPECT_EQ(test, memcmp(&pkt.saddr, &want, sizeof(want)), 0);
	want.v4 = in_aton("198.51.100.2");
	KUNIT_EXPECT_EQ(test, memcmp(&pkt.daddr, &want, sizeof(want)), 0);
	kfree_skb(skb);
}

static void parse_udp_v6(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct slg_pkt pkt;

	put_ipv6(test, skb, IPPROTO_UDP);
	put_udp(skb, 5353, 53);
	finish_ipv6(skb);

	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, pkt.sport, 5353);
	KUNIT_EXPECT_EQ(test, pkt.dport, 53);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, 0);
	KUNIT_EXPECT_EQ(test, pkt.len, 48);
	KUNIT_EXPECT_EQ(test, memcmp(&pkt.saddr.v6, &ipv6_hdr(skb)->saddr, 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&pkt.daddr.v6, &ipv6_hdr(skb)->daddr, 16), 0);
	kfree_skb(skb);
}

static void parse_tcp_v6_ext_header(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct slg_pkt pkt;
	u8 *hbh;

	/* Hop-by-hop options (8 bytes, PadN) before TCP. */
	put_ipv6(test, skb, NEXTHDR_HOP);
	hbh = skb_put_zero(skb, 8);
	hbh[0] = IPPROTO_TCP;
	hbh[2] = IPV6_TLV_PADN;
	hbh[3] = 4;
	put_tcp(skb, 1234, 22, 7, TCPHDR_ACK);
	finish_ipv6(skb);

	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.sport, 1234);
	KUNIT_EXPECT_EQ(test, pkt.dport, 22);
	KUNIT_EXPECT_EQ(test, pkt.tcp_seq, 7);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, TCPHDR_ACK);
	kfree_skb(skb);
}

static void parse_icmp(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct slg_pkt pkt;

	put_ipv4(skb, IPPROTO_ICMP);
	skb_put_zero(skb, 8);
	finish_ipv4(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_ICMP);
	KUNIT_EXPECT_EQ(test, pkt.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.dport, 0);
	kfree_skb(skb);

	skb = new_skb(test);
	put_ipv6(test, skb, IPPROTO_ICMPV6);
	skb_put_zero(skb, 8);
	finish_ipv6(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_ICMPV6);
	KUNIT_EXPECT_EQ(test, pkt.family, AF_INET6);
	kfree_skb(skb);
}

static void parse_ipv4_options(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct iphdr *iph;
	struct slg_pkt pkt;
	u8 *opt;

	iph = put_ipv4(skb, IPPROTO_UDP);
	iph->ihl = 6;
	opt = skb_put(skb, 4);
	memset(opt, IPOPT_NOOP, 4);
	put_udp(skb, 67, 68);
	finish_ipv4(skb);

	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.sport, 67);
	KUNIT_EXPECT_EQ(test, pkt.dport, 68);
	kfree_skb(skb);
}

static void parse_v4_fragments(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct slg_pkt pkt;
	struct iphdr *iph;

	/* A later fragment: payload bytes, no TCP header to read. */
	iph = put_ipv4(skb, IPPROTO_TCP);
	iph->frag_off = htons(1480 / 8);
	skb_put_zero(skb, 8);
	finish_ipv4(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, 0);
	KUNIT_EXPECT_EQ(test, pkt.sport, 0);
	KUNIT_EXPECT_EQ(test, pkt.dport, 0);
	KUNIT_EXPECT_EQ(test, pkt.family, AF_INET);
	KUNIT_EXPECT_EQ(test, pkt.saddr.v4, in_aton("192.0.2.1"));
	/* The last one too (offset, no MF), even with no payload at all. */
	skb_trim(skb, sizeof(*iph));
	iph->frag_off = htons(2960 / 8);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, 0);
	kfree_skb(skb);

	/* The first fragment carries the TCP header. */
	skb = new_skb(test);
	iph = put_ipv4(skb, IPPROTO_TCP);
	iph->frag_off = htons(IP_MF);
	put_tcp(skb, 1000, 2000, 1, TCPHDR_SYN);
	finish_ipv4(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.dport, 2000);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, TCPHDR_SYN);
	kfree_skb(skb);
}

static void parse_v6_fragments(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct frag_hdr *fh;
	struct slg_pkt pkt;

	put_ipv6(test, skb, NEXTHDR_FRAGMENT);
	fh = skb_put_zero(skb, sizeof(*fh));
	fh->nexthdr = IPPROTO_TCP;
	fh->frag_off = htons(1448);
	fh->identification = htonl(0x1234);
	skb_put_zero(skb, 8);
	finish_ipv6(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, 0);
	KUNIT_EXPECT_EQ(test, pkt.dport, 0);
	KUNIT_EXPECT_EQ(test, pkt.family, AF_INET6);
	kfree_skb(skb);

	skb = new_skb(test);
	put_ipv6(test, skb, NEXTHDR_FRAGMENT);
	fh = skb_put_zero(skb, sizeof(*fh));
	fh->nexthdr = IPPROTO_TCP;
	fh->frag_off = htons(IP6_MF);
	put_tcp(skb, 1000, 2000, 1, TCPHDR_SYN);
	finish_ipv6(skb);
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, pkt.sport, 1000);
	KUNIT_EXPECT_EQ(test, pkt.dport, 2000);
	kfree_skb(skb);
}

static void parse_truncated(struct kunit *test)
{
	struct sk_buff *skb;
	struct slg_pkt pkt;
	struct iphdr *iph;
	struct tcphdr *th;

	/* Nothing at all. */
	skb = new_skb(test);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), -EINVAL);
	kfree_skb(skb);

	/* Half an IPv4 header. */
	skb = new_skb(test);
	put_ipv4(skb, IPPROTO_TCP);
	skb_trim(skb, 12);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	kfree_skb(skb);

	/* IHL below 5, or options longer than the packet. */
	skb = new_skb(test);
	iph = put_ipv4(skb, IPPROTO_UDP);
	put_udp(skb, 1, 2);
	iph->ihl = 4;
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	iph->ihl = 15;
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	/* An IPv6 header at an IPv4 hook. */
	iph->ihl = 5;
	iph->version = 6;
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	kfree_skb(skb);

	/* TCP header cut short. */
	skb = new_skb(test);
	put_ipv4(skb, IPPROTO_TCP);
	put_tcp(skb, 1, 2, 3, TCPHDR_SYN);
	skb_trim(skb, sizeof(struct iphdr) + 12);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	kfree_skb(skb);

	/* TCP data offset below the header size. */
	skb = new_skb(test);
	put_ipv4(skb, IPPROTO_TCP);
	th = put_tcp(skb, 1, 2, 3, TCPHDR_SYN);
	th->doff = 4;
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	kfree_skb(skb);

	/* UDP header cut short. */
	skb = new_skb(test);
	put_ipv4(skb, IPPROTO_UDP);
	put_udp(skb, 1, 2);
	skb_trim(skb, sizeof(struct iphdr) + 4);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), -EINVAL);
	kfree_skb(skb);

	/* Part of an IPv6 header; an IPv4 header at an IPv6 hook. */
	skb = new_skb(test);
	put_ipv6(test, skb, IPPROTO_TCP);
	skb_trim(skb, 30);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), -EINVAL);
	kfree_skb(skb);
	skb = new_skb(test);
	put_ipv4(skb, IPPROTO_TCP);
	put_tcp(skb, 1, 2, 3, TCPHDR_SYN);
	skb_put_zero(skb, 40);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), -EINVAL);
	kfree_skb(skb);

	/* IPv6 with a cut TCP header. */
	skb = new_skb(test);
	put_ipv6(test, skb, IPPROTO_TCP);
	put_tcp(skb, 1, 2, 3, TCPHDR_SYN);
	skb_trim(skb, sizeof(struct ipv6hdr) + 10);
	KUNIT_EXPECT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV6, &pkt), -EINVAL);
	kfree_skb(skb);
}

static void parse_gso_segments(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct slg_pkt pkt;

	put_ipv4(skb, IPPROTO_TCP);
	put_tcp(skb, 40000, 80, 1, TCPHDR_ACK);
	skb_put_zero(skb, 400);
	finish_ipv4(skb);

	skb_shinfo(skb)->gso_size = 100;
	skb_shinfo(skb)->gso_segs = 4;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 4);
	KUNIT_EXPECT_EQ(test, pkt.len, 440);

	/* GSO without a segment count yet: at least one packet. */
	skb_shinfo(skb)->gso_segs = 0;
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1);

	/* Not GSO: a stale segment count means nothing. */
	skb_shinfo(skb)->gso_size = 0;
	skb_shinfo(skb)->gso_segs = 9;
	skb_shinfo(skb)->gso_type = 0;
	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.segs, 1);
	skb_shinfo(skb)->gso_segs = 0;
	kfree_skb(skb);
}

static void parse_nonlinear(struct kunit *test)
{
	struct sk_buff *skb = new_skb(test);
	struct tcphdr *th;
	struct page *page;
	struct slg_pkt pkt;

	/* The TCP header straddles the linear part and a page fragment. */
	put_ipv4(skb, IPPROTO_TCP);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	th = page_address(page);
	memset(th, 0, sizeof(*th));
	th->source = htons(4321);
	th->dest = htons(8080);
	th->seq = htonl(0x01020304);
	th->doff = 5;
	tcp_flag_byte(th) = TCPHDR_SYN;
	skb_put_data(skb, th, 6);
	skb_fill_page_desc(skb, 0, page, 6, sizeof(*th) - 6);
	skb->len += sizeof(*th) - 6;
	skb->data_len += sizeof(*th) - 6;
	skb->truesize += PAGE_SIZE;
	finish_ipv4(skb);
	KUNIT_ASSERT_TRUE(test, skb_is_nonlinear(skb));

	KUNIT_ASSERT_EQ(test, slg_parse_skb(skb, NFPROTO_IPV4, &pkt), 0);
	KUNIT_EXPECT_EQ(test, pkt.sport, 4321);
	KUNIT_EXPECT_EQ(test, pkt.dport, 8080);
	KUNIT_EXPECT_EQ(test, pkt.tcp_seq, 0x01020304);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, TCPHDR_SYN);
	KUNIT_EXPECT_EQ(test, pkt.len, 40);
	kfree_skb(skb);
}

static struct kunit_case slaguard_parse_cases[] = {
	KUNIT_CASE(parse_tcp_v4),
	KUNIT_CASE(parse_udp_v6),
	KUNIT_CASE(parse_tcp_v6_ext_header),
	KUNIT_CASE(parse_icmp),
	KUNIT_CASE(parse_ipv4_options),
	KUNIT_CASE(parse_v4_fragments),
	KUNIT_CASE(parse_v6_fragments),
	KUNIT_CASE(parse_truncated),
	KUNIT_CASE(parse_gso_segments),
	KUNIT_CASE(parse_nonlinear),
	{}
};

static struct kunit_suite slaguard_parse_suite = {
	.name = "slaguard_parse",
	.test_cases = slaguard_parse_cases,
};

kunit_test_suites(&slaguard_events_suite, &slaguard_init_suite,
		  &slaguard_netns_suite,
		  &slaguard_parse_suite);
