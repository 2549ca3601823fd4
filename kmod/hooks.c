// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - netfilter taps.
 *
 * The hooks only observe: they always return NF_ACCEPT, so enforcement
 * stays with nftables where every countermeasure can be listed. They run
 * in softirq or with preemption possible (LOCAL_OUT), never sleep, and do
 * a bounded amount of work per packet.
 */
#include <linux/cgroup.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "detect.h"
#include "events.h"
#include "srctable.h"
#include "watch.h"

static u64 now_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

static int parse_l4(const struct sk_buff *skb, unsigned int thoff,
		    struct slg_pkt *pkt)
{
	switch (pkt->proto) {
	case IPPROTO_TCP: {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th || th->doff < 5)
			return -EINVAL;
		pkt->sport = ntohs(th->source);
		pkt->dport = ntohs(th->dest);
		pkt->tcp_flags = tcp_flag_byte(th);
		pkt->tcp_seq = ntohl(th->seq);
		pkt->tcp_ack = ntohl(th->ack_seq);
		return 0;
	}
	case IPPROTO_SCTP: {
		/* the common header, then the first chunk's type */
		struct {
			__be16 source;
			__be16 dest;
			__be32 vtag;
			__le32 checksum;
			u8 chunk;
		} __packed _sh;
		const typeof(_sh) *sh;

		sh = skb_header_pointer(skb, thoff, sizeof(_sh), &_sh);
		if (!sh)
			return -EINVAL;
		pkt->sport = ntohs(sh->source);
		pkt->dport = ntohs(sh->dest);
		pkt->sctp_chunk = sh->chunk;
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh)
			return -EINVAL;
		pkt->sport = ntohs(uh->source);
		pkt->dport = ntohs(uh->dest);
		return 0;
	}
	}
	return 0;
}

/*
 * A transport header that cannot be read leaves the packet a layer 3 one,
 * like a later fragment: its source and length still count (-EPROTO).
 */
static int parse_transport(const struct sk_buff *skb, unsigned int thoff,
			   struct slg_pkt *pkt)
{
	if (!parse_l4(skb, thoff, pkt))
		return 0;
	pkt->proto = 0;
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->tcp_flags = 0;
	pkt->tcp_seq = 0;
	pkt->tcp_ack = 0;
	pkt->sctp_chunk = 0;
	return -EPROTO;
}

static int parse_ipv4(const struct sk_buff *skb, struct slg_pkt *pkt)
{
	unsigned int off = skb_network_offset(skb);
	const struct iphdr *iph;
	struct iphdr _iph;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->ihl < 5 || iph->version != 4)
		return -EINVAL;
	pkt->family = AF_INET;
	pkt->saddr.v4 = iph->saddr;
	pkt->daddr.v4 = iph->daddr;
	/* Later fragments carry no transport header to read. */
	if (iph->frag_off & htons(IP_OFFSET))
		return 0;
	pkt->proto = iph->protocol;
	return parse_transport(skb, off + iph->ihl * 4, pkt);
}

static int parse_ipv6(const struct sk_buff *skb, struct slg_pkt *pkt)
{
#if IS_ENABLED(CONFIG_IPV6)
	unsigned int off = skb_network_offset(skb);
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	unsigned int thoff = 0;
	unsigned short frag = 0;
	int proto;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	pkt->family = AF_INET6;
	pkt->saddr.v6 = ip6h->saddr;
	pkt->daddr.v6 = ip6h->daddr;
	proto = ipv6_find_hdr(skb, &thoff, -1, &frag, NULL);
	if (proto < 0 || frag)
		return 0;	/* no usable transport header */
	pkt->proto = proto;
	return parse_transport(skb, thoff, pkt);
#else
	return -EAFNOSUPPORT;
#endif
}

/*
 * Fill pkt from skb: -EINVAL when the network header is truncated or bogus,
 * -EPROTO when only the transport header is (pkt then holds layer 3).
 */
static int parse_skb(const struct sk_buff *skb, u8 family, struct slg_pkt *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->len = skb->len;
	pkt->segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	if (!pkt->segs)
		pkt->segs = 1;
	if (family == NFPROTO_IPV4)
		return parse_ipv4(skb, pkt);
	return parse_ipv6(skb, pkt);
}

/* Fill pkt from skb; -EINVAL when the headers are truncated or bogus. */
int slg_parse_skb(const struct sk_buff *skb, u8 family, struct slg_pkt *pkt)
{
	return parse_skb(skb, family, pkt) ? -EINVAL : 0;
}

/*
 * The cgroup v2 id of the local socket that sent skb, 0 if none. Only a
 * full socket has a cgroup (request and time-wait sockets have none); the
 * socket holds its cgroup for as long as the skb holds the socket, so
 * reading it takes no lock.
 */
static u64 skb_cgroup_id(const struct sk_buff *skb)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct sock *sk = skb->sk;

	if (sk && sk_fullsock(sk))
		return cgroup_id(sock_cgroup_ptr(&sk->sk_cgrp_data));
#endif
	return 0;
}

static void report_watch(struct net *net, const struct slg_watch *w,
			 const struct slg_pkt *pkt, const struct sk_buff *skb,
			 bool local)
{
	struct slg_event ev = {
		.kind = SLAGUARD_EVENT_WATCH_HIT,
		.netns_inum = net->ns.inum,
		.family = pkt->family,
		.dir = pkt->dir,
		.proto = pkt->proto,
		.sport = pkt->sport,
		.dport = pkt->dport,
		.watch_id = w->id,
		.src = pkt->saddr,
		.dst = pkt->daddr,
		.time_ns = ktime_get_real_ns(),
		.value = 1,
	};

	/* Only what leaves names its sender: elsewhere skb->sk is not it. */
	if (pkt->dir == SLAGUARD_DIR_OUT)
		ev.cgroup_id = skb_cgroup_id(skb);
	slg_event_emit(net, &ev, local);
}

static void run_watches(struct net *net, struct slg_ptrset *ws,
			const struct slg_pkt *pkt, const struct sk_buff *skb,
			const struct slg_thresholds *thr, bool local)
{
	/* The watches' owner counts their hits: the host's are its own. */
	struct slg_net *sn = slg_pernet(local ? net : &init_net);
	u64 ms = 0;
	unsigned int i;

	for (i = 0; i < ws->n; i++) {
		struct slg_watch *w = ws->p[i];

		if (!slg_watch_match(w, pkt))
			continue;
		atomic64_inc(&w->hits);
		slg_stat_inc(sn, watch_hits);
		if (!slg_watch_wants(w, pkt))
			continue;
		if (!ms)
			ms = now_ms();
		if (!slg_watch_budget(w, ms, thr->watch_events)) {
			slg_stat_inc(sn, events_suppressed);
			continue;
		}
		report_watch(net, w, pkt, skb, local);
	}
}

static void watch_packet(struct net *net, struct slg_net *sn,
			 const struct slg_pkt *pkt, const struct sk_buff *skb,
			 const struct slg_thresholds *thr)
{
	struct slg_ptrset *ws = rcu_dereference(sn->watches);

	if (ws)
		run_watches(net, ws, pkt, skb, thr, true);
	/*
	 * The initial namespace's rules oversee every namespace, with the
	 * initial namespace's limits, whatever this one set.
	 */
	if (!net_eq(net, &init_net)) {
		struct slg_net *host = slg_pernet(&init_net);

		ws = rcu_dereference(host->watches);
		if (ws)
			run_watches(net, ws, pkt, skb,
				    slg_thresholds_get(host), false);
	}
}

/*
 * A source detector fired on pkt: the packet that crossed the threshold
 * names the destination, so no source needs to remember one.
 */
static void report_alarm(struct net *net, const struct slg_pkt *pkt,
			 const struct slg_alarm *a, u64 packets, u64 bytes,
			 u64 handshakes, const struct slg_rates *r,
			 unsigned int to)
{
	struct slg_event ev = {
		.kind = a->kind,
		.netns_inum = net->ns.inum,
		.family = pkt->family,
		.dir = pkt->dir,
		.src = pkt->saddr,
		.has_dst = true,
		.dst = pkt->daddr,
		.proto = pkt->proto,
		.dport = pkt->dport,
		.time_ns = ktime_get_real_ns(),
		.value = a->value,
		.threshold = a->threshold,
		.has_rates = true,
		.packets = packets,
		.bytes = bytes,
		.rates = *r,
		.has_evidence = true,
		.handshakes = handshakes,
	};

	slg_event_send(net, &ev, to);
}

static void report_dst(struct net *net, const struct slg_pkt *pkt,
		       const struct slg_dst_alarm *a, u32 threshold)
{
	struct slg_event ev = {
		.kind = SLAGUARD_EVENT_DST_HALF_OPEN,
		.netns_inum = net->ns.inum,
		.family = a->family,
		.dir = pkt->dir,
		.has_dst = true,
		.dst = a->addr,
		.proto = IPPROTO_TCP,
		.dport = a->port,
		.time_ns = ktime_get_real_ns(),
		.value = a->value,
		.threshold = threshold,
	};

	slg_event_emit(net, &ev, true);
}

/*
 * Handshakes in flight, for every namespace (the key holds the namespace's
 * cookie): 16384 entries, 128 KiB, whatever the number of sources.
 */
#define SLG_HS_SETS	4096

static u64 slg_hs_slots[SLG_HS_SETS * SLG_HS_WAYS];
static struct slg_hs_table slg_handshakes;

void slg_hooks_init(void)
{
	slg_hs_init(&slg_handshakes, slg_hs_slots, SLG_HS_SETS);
}

/* This side accepts a handshake: remember the ISN it chose. */
static void note_syn_ack(struct net *net, const struct slg_pkt *pkt)
{
	struct slg_hs_key k;

	slg_hs_key_out(&k, net->net_cookie, pkt);
	slg_hs_expect(&slg_handshakes, &k, pkt->tcp_seq);
}

/* pkt (an arriving ACK) completes a handshake this side accepted. */
static bool completes(struct net *net, const struct slg_pkt *pkt)
{
	struct slg_hs_key k;

	slg_hs_key_in(&k, net->net_cookie, pkt);
	return slg_hs_complete(&slg_handshakes, &k, pkt->tcp_ack);
}

/* Where ephemeral ports start on common systems (Linux, Windows, BSD). */
#define SLG_EPHEMERAL_MIN	32768

/*
 * A UDP datagram from a service port (below 1024: DNS, NTP, QUIC...) to an
 * ephemeral port answers a query sent from this side, e.g. a resolver's
 * answers to this host: not a probe, or every lookup would name a new
 * port. Stateless, so it costs nothing per packet and holds no memory;
 * what it gives up is a scan from a service port (nmap -g 53) of the
 * ephemeral range only, where services seldom listen.
 */
static bool udp_reply(const struct net *net, const struct slg_pkt *pkt)
{
	int low, high;

	if (pkt->proto != IPPROTO_UDP || pkt->sport >= 1024)
		return false;
	inet_get_local_port_range(net, &low, &high);
	return pkt->dport >= min(low, SLG_EPHEMERAL_MIN);
}

/* What a source's rates raise, for whom. */
struct slg_verdict {
	struct slg_alarm local[SLG_NR_DETECTORS];
	struct slg_alarm host[SLG_NR_DETECTORS];
	int n, m;
	unsigned int to;	/* where the local alarms go */
};

/*
 * Under src->lock. A namespace with thresholds of its own is judged by them
 * for its own listeners, and by the initial namespace's for the host's: it
 * cannot turn off or raise what the host sees.
 */
static void judge_source(struct slg_source *src, const struct slg_rates *r,
			 const struct slg_thresholds *thr, u64 ms,
			 struct slg_verdict *v)
{
	const struct slg_thresholds *host = slg_thresholds_get(slg_pernet(&init_net));

	v->to = SLG_TO_LOCAL | SLG_TO_HOST;
	v->m = 0;
	v->n = slg_detect(r, thr, &src->holdoff, ms, v->local);
	if (thr != host) {
		v->to = SLG_TO_LOCAL;
		v->m = slg_detect(r, host, &src->host_holdoff, ms, v->host);
	}
}

static void report_verdict(struct net *net, const struct slg_pkt *pkt,
			   const struct slg_verdict *v, u64 packets, u64 bytes,
			   u64 handshakes, const struct slg_rates *r)
{
	int i;

	for (i = 0; i < v->n; i++)
		report_alarm(net, pkt, &v->local[i], packets, bytes, handshakes,
			     r, v->to);
	for (i = 0; i < v->m; i++)
		report_alarm(net, pkt, &v->host[i], packets, bytes, handshakes,
			     r, SLG_TO_HOST);
}

static void account(struct net *net, const struct slg_pkt *pkt,
		    const struct slg_thresholds *thr)
{
	struct slg_verdict v;
	struct slg_source *src;
	struct slg_rates rates;
	struct slg_key key;
	struct slg_net *sn = slg_pernet(net);
	u64 ms = now_ms();
	u64 packets, bytes, handshakes;
	bool done = false;

	slg_key_init(&key, net, pkt->family, &pkt->saddr);
	src = slg_table_get(&slg_sources, &key, &sn->sources, net->ns.inum, ms);
	if (!src) {
		/* Untracked, the destination still hears of the completion. */
		if (slg_is_ack(pkt) && completes(net, pkt))
			slg_dst_done(sn->dsts, pkt, ms, thr->window_ms);
		return;
	}

	spin_lock_bh(&src->lock);
	src->last_ms = ms;
	src->packets += pkt->segs;
	src->bytes += pkt->len;
	if (pkt->proto == IPPROTO_TCP &&
	    (pkt->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN)
		src->syn++;
	else if (pkt->proto == IPPROTO_UDP)
		src->udp += pkt->segs;
	else if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6)
		src->icmp += pkt->segs;
	slg_window_roll(&src->win, ms, thr->window_ms);
	slg_slow_roll(&src->win, ms, thr->slow_window_ms);
	/* Hash only while a SYN of this source may still be in flight. */
	if (slg_is_ack(pkt) && src->syn > src->handshakes &&
	    completes(net, pkt)) {
		done = true;
		src->handshakes++;
		slg_window_done(&src->win);
	}
	if (slg_is_syn(pkt))
		slg_young_add(&src->win.young, ms, thr->window_ms);
	slg_window_count(&src->win, pkt, !udp_reply(net, pkt));
	slg_window_rates(&src->win, ms, thr->window_ms, &rates);
	rates.slow_ports = slg_slow_ports(&src->win, ms, thr->slow_window_ms);
	judge_source(src, &rates, thr, ms, &v);
	packets = src->packets;
	bytes = src->bytes;
	handshakes = src->handshakes;
	spin_unlock_bh(&src->lock);

	if (done)
		slg_dst_done(sn->dsts, pkt, ms, thr->window_ms);
	report_verdict(net, pkt, &v, packets, bytes, handshakes, &rates);
}

/* A SYN to a local destination: count it there, whoever sent it. */
static void account_dst(struct net *net, const struct slg_pkt *pkt,
			const struct slg_thresholds *thr)
{
	struct slg_dst_alarm a;

	if (slg_dst_syn(slg_pernet(net)->dsts, pkt, now_ms(), thr->window_ms,
			thr->dst_half_open, thr->holdoff_ms, &a))
		report_dst(net, pkt, &a, thr->dst_half_open);
}

static const u8 hook_dir[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = SLAGUARD_DIR_IN,
	[NF_INET_FORWARD] = SLAGUARD_DIR_FORWARD,
	[NF_INET_LOCAL_OUT] = SLAGUARD_DIR_OUT,
};

static unsigned int slg_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct slg_net *sn = slg_pernet(state->net);
	const struct slg_thresholds *thr;
	struct slg_pkt pkt;
	int err;

	err = parse_skb(skb, state->pf, &pkt);
	if (err)
		slg_stat_inc(sn, malformed);
	/* No address to count it for; a bad transport header counts at L3. */
	if (err && err != -EPROTO)
		return NF_ACCEPT;
	pkt.dir = hook_dir[state->hook];
	slg_stat_inc(sn, pkts[pkt.dir]);
	slg_stat_add(sn, bytes, pkt.len);

	/* Hooks run under rcu_read_lock: thresholds and rules stay put. */
	thr = slg_thresholds_get(sn);
	watch_packet(state->net, sn, &pkt, skb, thr);
	/*
	 * Sources are who sends to this side: arriving packets only, each
	 * counted once. Forwarded ones were counted at PRE_ROUTING already;
	 * LOCAL_OUT is this host's own traffic, and on loopback PRE_ROUTING
	 * sees the same packet again.
	 */
	if (pkt.dir == SLAGUARD_DIR_IN) {
		if (slg_is_syn(&pkt))
			account_dst(state->net, &pkt, thr);
		account(state->net, &pkt, thr);
	} else if (slg_is_syn_ack(&pkt)) {
		/* LOCAL_OUT: this host's; FORWARD: a server's behind it */
		note_syn_ack(state->net, &pkt);
	}
	return NF_ACCEPT;
}

/*
 * An ACK probe (nmap -sA) is an ACK of no connection, which only state can
 * tell from a connection's ACK: conntrack's. With the lenient default
 * (nf_conntrack_tcp_loose=1) an ACK of no known connection starts a new
 * one, IP_CT_NEW; with tcp_loose=0 it is invalid and gets no entry. In a
 * namespace where conntrack does not run, no packet has an entry and ACK
 * scans are not counted.
 */
static bool is_ack_probe(const struct slg_pkt *pkt, bool tracked,
			 enum ip_conntrack_info ctinfo)
{
	return tracked && ctinfo == IP_CT_NEW && pkt->proto == IPPROTO_TCP &&
	       (pkt->tcp_flags & ~(TCPHDR_PSH | TCPHDR_ECE | TCPHDR_CWR)) ==
	       TCPHDR_ACK;
}

/* Count an ACK probe for its source, which account() has seen already. */
static void account_ack_probe(struct net *net, const struct slg_pkt *pkt,
			      const struct slg_thresholds *thr)
{
	u64 ms = now_ms(), packets, bytes, handshakes;
	struct slg_source *src;
	struct slg_verdict v;
	struct slg_rates rates;
	struct slg_key key;

	slg_key_init(&key, net, pkt->family, &pkt->saddr);
	src = slg_table_lookup(&slg_sources, &key);
	if (!src)
		return;
	spin_lock_bh(&src->lock);
	slg_window_roll(&src->win, ms, thr->window_ms);
	slg_slow_roll(&src->win, ms, thr->slow_window_ms);
	slg_window_ack_probe(&src->win, pkt);
	slg_window_rates(&src->win, ms, thr->window_ms, &rates);
	rates.slow_ports = slg_slow_ports(&src->win, ms, thr->slow_window_ms);
	judge_source(src, &rates, thr, ms, &v);
	packets = src->packets;
	bytes = src->bytes;
	handshakes = src->handshakes;
	spin_unlock_bh(&src->lock);

	report_verdict(net, pkt, &v, packets, bytes, handshakes, &rates);
}

/* After conntrack, for its view of arriving TCP ACKs; observes only. */
static unsigned int slg_ct_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo = IP_CT_UNTRACKED;
	struct slg_pkt pkt;
	bool tracked = false;

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	tracked = nf_ct_get(skb, &ctinfo);
#endif
	/* Cheap first: nearly every packet belongs to a known connection. */
	if (!tracked || ctinfo != IP_CT_NEW)
		return NF_ACCEPT;
	if (parse_skb(skb, state->pf, &pkt))
		return NF_ACCEPT;
	pkt.dir = SLAGUARD_DIR_IN;
	if (is_ack_probe(&pkt, tracked, ctinfo))
		account_ack_probe(state->net, &pkt,
				  slg_thresholds_get(slg_pernet(state->net)));
	return NF_ACCEPT;
}

#ifdef SLG_BENCH
#include <linux/sched/clock.h>

#include "bench.h"

static const u8 bench_point[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = SLG_BENCH_PRE_ROUTING,
	[NF_INET_FORWARD] = SLG_BENCH_FORWARD,
	[NF_INET_LOCAL_OUT] = SLG_BENCH_LOCAL_OUT,
};

/*
 * The benchmark build times each hook's body, and an empty section the
 * same way first: what the clock itself adds to every figure.
 */
static unsigned int slg_hook_timed(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	unsigned int verdict;
	u64 t0, t1;

	t0 = local_clock();
	t1 = local_clock();
	slg_bench_add(SLG_BENCH_CLOCK, t1 - t0);
	t0 = local_clock();
	verdict = slg_hook(priv, skb, state);
	slg_bench_add(bench_point[state->hook], local_clock() - t0);
	return verdict;
}

static unsigned int slg_ct_hook_timed(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	unsigned int verdict;
	u64 t0 = local_clock();

	verdict = slg_ct_hook(priv, skb, state);
	slg_bench_add(SLG_BENCH_CT, local_clock() - t0);
	return verdict;
}

#define SLG_HOOK	slg_hook_timed
#define SLG_CT_HOOK	slg_ct_hook_timed
#else
#define SLG_HOOK	slg_hook
#define SLG_CT_HOOK	slg_ct_hook
#endif

static const struct nf_hook_ops slg_ct_ops[] = {
	{
		.hook = SLG_CT_HOOK,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK + 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook = SLG_CT_HOOK,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK + 1,
	},
#endif
};

/*
 * Just after defragmentation, so a scan in fragments (nmap -f) is seen
 * reassembled; before conntrack could drop anything and before nftables'
 * raw chains, so blocked sources stay visible.
 */
#define SLG_OPS(pf_, hook_, prio_) {		\
	.hook = SLG_HOOK,			\
	.pf = (pf_),				\
	.hooknum = (hook_),			\
	.priority = (prio_),			\
}

#define SLG_OPS4(hook_)	SLG_OPS(NFPROTO_IPV4, hook_, NF_IP_PRI_CONNTRACK_DEFRAG + 1)
#define SLG_OPS6(hook_)	SLG_OPS(NFPROTO_IPV6, hook_, NF_IP6_PRI_CONNTRACK_DEFRAG + 1)

static const struct nf_hook_ops slg_ops[] = {
	SLG_OPS4(NF_INET_PRE_ROUTING),
	SLG_OPS4(NF_INET_FORWARD),
	SLG_OPS4(NF_INET_LOCAL_OUT),
#if IS_ENABLED(CONFIG_IPV6)
	SLG_OPS6(NF_INET_PRE_ROUTING),
	SLG_OPS6(NF_INET_FORWARD),
	SLG_OPS6(NF_INET_LOCAL_OUT),
#endif
};

/*
 * Defragmentation runs in a namespace only while someone needs it (usually
 * conntrack): ask for it, per namespace, for as long as the hooks are in.
 */
static int defrag_enable(struct net *net)
{
	int err;

	if (IS_REACHABLE(CONFIG_NF_DEFRAG_IPV4)) {
		err = nf_defrag_ipv4_enable(net);
		if (err)
			return err;
	}
	if (IS_ENABLED(CONFIG_IPV6) && IS_REACHABLE(CONFIG_NF_DEFRAG_IPV6)) {
		err = nf_defrag_ipv6_enable(net);
		if (err) {
			if (IS_REACHABLE(CONFIG_NF_DEFRAG_IPV4))
				nf_defrag_ipv4_disable(net);
			return err;
		}
	}
	return 0;
}

static void defrag_disable(struct net *net)
{
	if (IS_ENABLED(CONFIG_IPV6) && IS_REACHABLE(CONFIG_NF_DEFRAG_IPV6))
		nf_defrag_ipv6_disable(net);
	if (IS_REACHABLE(CONFIG_NF_DEFRAG_IPV4))
		nf_defrag_ipv4_disable(net);
}

int slg_hooks_register(struct net *net)
{
	int err = defrag_enable(net);

	if (err)
		return err;
	err = nf_register_net_hooks(net, slg_ops, ARRAY_SIZE(slg_ops));
	if (err)
		goto err_defrag;
	err = nf_register_net_hooks(net, slg_ct_ops, ARRAY_SIZE(slg_ct_ops));
	if (err)
		goto err_ops;
	return 0;

err_ops:
	nf_unregister_net_hooks(net, slg_ops, ARRAY_SIZE(slg_ops));
err_defrag:
	defrag_disable(net);
	return err;
}

void slg_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, slg_ct_ops, ARRAY_SIZE(slg_ct_ops));
	nf_unregister_net_hooks(net, slg_ops, ARRAY_SIZE(slg_ops));
	defrag_disable(net);
}

#if IS_ENABLED(CONFIG_SLAGUARD_KUNIT_TEST)
#include "hooks_test.c"
#endif
