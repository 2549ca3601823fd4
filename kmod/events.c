// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - events: encoding and multicast.
 *
 * Events are built and sent from the packet path, so they allocate
 * atomically and are skipped entirely when nobody listens. Every event has
 * the next sequence number of the namespace it is sent in; what could not
 * be built or delivered is counted, so a listener can account for loss.
 */
#include <linux/ratelimit.h>

#include "events.h"
#include "netlink.h"
#include "sched.h"

static size_t addr_size(u8 family)
{
	return nla_total_size(family == AF_INET ? 4 : 16);
}

static size_t str_size(const char *s)
{
	return s ? nla_total_size(strlen(s) + 1) : 0;
}

static size_t task_nest_size(const struct slg_task_ev *t)
{
	size_t sz = nla_total_size(0)			/* SLAGUARD_EV_TASK */
		  + nla_total_size(4) * 5		/* PID PPID UID WATCH EXIT */
		  + str_size(t->comm) + str_size(t->filename)
		  + str_size(t->cgroup);

	if (t->sample)
		sz += nla_total_size(4) * 4 + nla_total_size_64bit(8) * 6;
	return sz;
}

/* Payload size of ev's message, as genlmsg_new() takes it. */
size_t slg_event_size(const struct slg_event *ev)
{
	size_t sz;

	if (ev->task)
		return nla_total_size(0) + nla_total_size_64bit(8) * 4 +
		       nla_total_size(4) * 2 + task_nest_size(ev->task);
	sz = nla_total_size(0)				/* SLAGUARD_A_EVENT */
		  + nla_total_size_64bit(8) * 3		/* SEQ TIME VALUE */
		  + nla_total_size(4) * 2		/* KIND NETNS */
		  + nla_total_size(1) * 2		/* FAMILY DIRECTION */
		  + addr_size(ev->family)
		  + nla_total_size_64bit(8);		/* THRESHOLD */

	if (ev->kind == SLAGUARD_EVENT_WATCH_HIT)
		sz += addr_size(ev->family) + nla_total_size(1) +
		      nla_total_size(2) * 2 + nla_total_size(4);
	if (ev->cgroup_id)
		sz += nla_total_size_64bit(8);
	if (ev->has_rates)
		sz += nla_total_size_64bit(8) * 8;
	if (ev->has_dst)
		sz += addr_size(ev->family) + nla_total_size(1) +
		      nla_total_size(2);
	if (ev->has_evidence)
		sz += nla_total_size_64bit(8) + nla_total_size(4);
	return sz;
}

static int put_addr(struct sk_buff *skb, int type, u8 family,
		    const union slg_addr *a)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, a);
}

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, SLAGUARD_EV_PAD);
}

static int put_task_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, SLAGUARD_TASK_PAD);
}

static int fill_sample(struct sk_buff *skb, const struct slg_task_sample *s)
{
	if (nla_put_u32(skb, SLAGUARD_TASK_PERIOD_MS, s->period_ms) ||
	    nla_put_u32(skb, SLAGUARD_TASK_CPU_PCT, s->cpu_pct) ||
	    nla_put_u32(skb, SLAGUARD_TASK_RUN_DELAY_MS, s->run_delay_ms) ||
	    nla_put_u32(skb, SLAGUARD_TASK_THREADS, s->threads) ||
	    put_task_u64(skb, SLAGUARD_TASK_CPU_NS, s->cpu_ns) ||
	    put_task_u64(skb, SLAGUARD_TASK_RUN_DELAY_NS, s->run_delay_ns) ||
	    put_task_u64(skb, SLAGUARD_TASK_NVCSW, s->nvcsw) ||
	    put_task_u64(skb, SLAGUARD_TASK_NIVCSW, s->nivcsw) ||
	    put_task_u64(skb, SLAGUARD_TASK_CSW_RATE, s->csw_rate) ||
	    put_task_u64(skb, SLAGUARD_TASK_RSS, s->rss))
		return -EMSGSIZE;
	return 0;
}

/* The body of a SLAGUARD_A_TASK or SLAGUARD_EV_TASK nest. */
int slg_task_fill(struct sk_buff *skb, const struct slg_task_ev *t)
{
	if (t->pid &&
	    (nla_put_u32(skb, SLAGUARD_TASK_PID, t->pid) ||
	     nla_put_u32(skb, SLAGUARD_TASK_PPID, t->ppid) ||
	     nla_put_u32(skb, SLAGUARD_TASK_UID, t->uid)))
		return -EMSGSIZE;
	if ((t->watch_id &&
	     nla_put_u32(skb, SLAGUARD_TASK_WATCH_ID, t->watch_id)) ||
	    (t->comm && nla_put_string(skb, SLAGUARD_TASK_COMM, t->comm)) ||
	    (t->filename &&
	     nla_put_string(skb, SLAGUARD_TASK_FILENAME, t->filename)) ||
	    (t->cgroup && nla_put_string(skb, SLAGUARD_TASK_CGROUP, t->cgroup)) ||
	    (t->has_exit &&
	     nla_put_u32(skb, SLAGUARD_TASK_EXIT_CODE, t->exit_code)))
		return -EMSGSIZE;
	if (t->sample)
		return fill_sample(skb, t->sample);
	return 0;
}

static int fill_task_event(struct sk_buff *skb, const struct slg_event *ev,
			   u64 seq)
{
	struct nlattr *nest;

	if (put_u64(skb, SLAGUARD_EV_SEQ, seq) ||
	    nla_put_u32(skb, SLAGUARD_EV_KIND, ev->kind) ||
	    put_u64(skb, SLAGUARD_EV_TIME_NS, ev->time_ns) ||
	    nla_put_u32(skb, SLAGUARD_EV_NETNS, ev->netns_inum) ||
	    put_u64(skb, SLAGUARD_EV_VALUE, ev->value) ||
	    put_u64(skb, SLAGUARD_EV_THRESHOLD, ev->threshold))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SLAGUARD_EV_TASK);
	if (!nest)
		return -EMSGSIZE;
	if (slg_task_fill(skb, ev->task)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_nest(struct sk_buff *skb, const struct slg_event *ev, u64 seq)
{
	if (ev->task)
		return fill_task_event(skb, ev, seq);
	if (put_u64(skb, SLAGUARD_EV_SEQ, seq) ||
	    nla_put_u32(skb, SLAGUARD_EV_KIND, ev->kind) ||
	    put_u64(skb, SLAGUARD_EV_TIME_NS, ev->time_ns) ||
	    nla_put_u32(skb, SLAGUARD_EV_NETNS, ev->netns_inum) ||
	    nla_put_u8(skb, SLAGUARD_EV_FAMILY, ev->family) ||
	    nla_put_u8(skb, SLAGUARD_EV_DIRECTION, ev->dir) ||
	    (ev->kind != SLAGUARD_EVENT_DST_HALF_OPEN &&
	     put_addr(skb, SLAGUARD_EV_SRC_ADDR, ev->family, &ev->src)) ||
	    put_u64(skb, SLAGUARD_EV_VALUE, ev->value) ||
	    put_u64(skb, SLAGUARD_EV_THRESHOLD, ev->threshold))
		return -EMSGSIZE;

	if (ev->kind == SLAGUARD_EVENT_WATCH_HIT &&
	    (put_addr(skb, SLAGUARD_EV_DST_ADDR, ev->family, &ev->dst) ||
	     nla_put_u8(skb, SLAGUARD_EV_PROTO, ev->proto) ||
	     nla_put_u16(skb, SLAGUARD_EV_SRC_PORT, ev->sport) ||
	     nla_put_u16(skb, SLAGUARD_EV_DST_PORT, ev->dport) ||
	     nla_put_u32(skb, SLAGUARD_EV_WATCH_ID, ev->watch_id)))
		return -EMSGSIZE;
	if (ev->cgroup_id && put_u64(skb, SLAGUARD_EV_CGROUP_ID, ev->cgroup_id))
		return -EMSGSIZE;

	if (ev->has_rates &&
	    (put_u64(skb, SLAGUARD_EV_PACKETS, ev->packets) ||
	     put_u64(skb, SLAGUARD_EV_BYTES, ev->bytes) ||
	     put_u64(skb, SLAGUARD_EV_PKT_RATE, ev->rates.pkt_rate) ||
	     put_u64(skb, SLAGUARD_EV_BYTE_RATE, ev->rates.byte_rate) ||
	     put_u64(skb, SLAGUARD_EV_CONN_RATE, ev->rates.conn_rate) ||
	     put_u64(skb, SLAGUARD_EV_HALF_OPEN, ev->rates.half_open) ||
	     put_u64(skb, SLAGUARD_EV_PORTS, ev->rates.ports) ||
	     put_u64(skb, SLAGUARD_EV_ICMP_RATE, ev->rates.icmp_rate)))
		return -EMSGSIZE;

	/* A port and protocol only when known: layer 3 traffic has none. */
	if (ev->has_dst &&
	    (put_addr(skb, SLAGUARD_EV_DST_ADDR, ev->family, &ev->dst) ||
	     (ev->proto && nla_put_u8(skb, SLAGUARD_EV_PROTO, ev->proto)) ||
	     (ev->dport && nla_put_u16(skb, SLAGUARD_EV_DST_PORT, ev->dport))))
		return -EMSGSIZE;
	if (ev->has_evidence &&
	    (put_u64(skb, SLAGUARD_EV_HANDSHAKES, ev->handshakes) ||
	     nla_put_u32(skb, SLAGUARD_EV_PROBES, ev->rates.probes)))
		return -EMSGSIZE;
	return 0;
}

/* Append a complete SLAGUARD_CMD_EVENT message for ev to skb. */
int slg_event_fill(struct sk_buff *skb, const struct slg_event *ev, u64 seq)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &slg_genl_family, 0, SLAGUARD_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SLAGUARD_A_EVENT);
	if (!nest)
		goto cancel;
	if (fill_nest(skb, ev, seq))
		goto cancel_nest;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel_nest:
	nla_nest_cancel(skb, nest);
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * n events of sn's namespace could not be built: their numbers are taken
 * all the same, so the listeners see a gap, which the UAPI says is a loss.
 */
static void lose(struct slg_net *sn, unsigned int n)
{
	atomic64_add(n, &sn->seq);
	slg_stat_add(sn, events_lost, n);
}

static void send_in(struct net *net, const struct slg_event *ev)
{
	struct slg_net *sn = slg_pernet(net);
	struct sk_buff *skb;
	int err;

	if (!genl_has_listeners(&slg_genl_family, net, SLG_MCGRP_EVENTS))
		return;

	skb = genlmsg_new(slg_event_size(ev), GFP_ATOMIC);
	if (!skb) {
		lose(sn, 1);
		return;
	}
	/*
	 * Netlink broadcast queues to every listener before it returns, so
	 * numbering and sending under one lock keeps the numbers in order
	 * at each listener even when two CPUs send at once.
	 */
	spin_lock_bh(&sn->send_lock);
	/* The number is taken even if delivery fails: the gap shows the loss. */
	err = slg_event_fill(skb, ev, atomic64_inc_return(&sn->seq));
	if (err) {
		spin_unlock_bh(&sn->send_lock);
		nlmsg_free(skb);
		slg_stat_inc(sn, events_lost);
		pr_err_ratelimited("event does not fit its message\n");
		return;
	}
	err = genlmsg_multicast_netns(&slg_genl_family, net, skb, 0,
				      SLG_MCGRP_EVENTS, GFP_ATOMIC);
	spin_unlock_bh(&sn->send_lock);
	/*
	 * The listener check above is per protocol, not per namespace:
	 * -ESRCH means nobody in this namespace listens, which is no loss.
	 */
	if (!err)
		slg_stat_inc(sn, events_sent);
	else if (err != -ESRCH)
		slg_stat_inc(sn, events_lost);
}

/*
 * May sn's namespace forward one more event to the initial namespace's
 * listeners this second? The initial namespace sets the budget, one per
 * source namespace, so no namespace can flood the host's listeners, nor
 * starve the others' share. What is over it is counted here and never
 * numbered, so the host's sequence stays gapless.
 */
bool slg_forward_take(struct slg_net *sn, s64 sec)
{
	u32 rate;

	rcu_read_lock();
	rate = slg_thresholds_get(slg_pernet(&init_net))->ns_forward_rate;
	rcu_read_unlock();
	if (rate && slg_budget_take(&sn->forward, sec, rate)) {
		slg_stat_inc(sn, forwarded);
		return true;
	}
	slg_stat_inc(sn, forward_suppressed);
	return false;
}

/*
 * Send ev to the listeners of the namespace it happened in (SLG_TO_LOCAL)
 * and, within the forwarding budget, to those of the initial namespace
 * (SLG_TO_HOST), which oversee every namespace.
 */
void slg_event_send(struct net *net, const struct slg_event *ev,
		    unsigned int to)
{
	if (to & SLG_TO_LOCAL)
		send_in(net, ev);
	if ((to & SLG_TO_HOST) && !net_eq(net, &init_net) &&
	    slg_forward_take(slg_pernet(net), ktime_get_seconds()))
		send_in(&init_net, ev);
}

void slg_event_emit(struct net *net, const struct slg_event *ev, bool local)
{
	slg_event_send(net, ev, (local ? SLG_TO_LOCAL : 0) | SLG_TO_HOST);
}

/* Room a message for ev takes in a multi-message skb. */
static unsigned int msg_room(const struct slg_event *ev)
{
	return nlmsg_total_size(genlmsg_total_size(slg_event_size(ev)));
}

/*
 * Append ev to the batch's skb, sending the skb first when ev does not
 * fit: a period's samples of many processes leave in a few datagrams
 * rather than one each. Process context only (GFP_KERNEL).
 */
void slg_evbatch_add(struct slg_evbatch *b, const struct slg_event *ev)
{
	struct nlattr *nest, *seq;
	struct nlmsghdr *nlh;
	unsigned int off;

	if (!genl_has_listeners(&slg_genl_family, b->net, SLG_MCGRP_EVENTS))
		return;
	if (b->skb && (skb_tailroom(b->skb) < msg_room(ev) ||
		       b->n == SLG_EVBATCH_MAX))
		slg_evbatch_flush(b);
	if (!b->skb) {
		b->skb = nlmsg_new(max_t(size_t, NLMSG_GOODSIZE, msg_room(ev)),
				   GFP_KERNEL);
		if (!b->skb) {
			lose(slg_pernet(b->net), 1);
			return;
		}
	}
	off = b->skb->len;
	if (slg_event_fill(b->skb, ev, 0)) {
		lose(slg_pernet(b->net), 1);
		pr_err_ratelimited("event does not fit its message\n");
		return;
	}
	nlh = (struct nlmsghdr *)(b->skb->data + off);
	nest = nlmsg_find_attr(nlh, GENL_HDRLEN, SLAGUARD_A_EVENT);
	seq = nest ? nla_find_nested(nest, SLAGUARD_EV_SEQ) : NULL;
	if (WARN_ON_ONCE(!seq)) {
		nlmsg_trim(b->skb, nlh);
		lose(slg_pernet(b->net), 1);
		return;
	}
	b->seq[b->n++] = nla_data(seq);
}

void slg_evbatch_flush(struct slg_evbatch *b)
{
	struct slg_net *sn = slg_pernet(b->net);
	unsigned int i;
	u64 first;
	int err;

	if (!b->skb)
		return;
	if (!b->n) {
		nlmsg_free(b->skb);
		b->skb = NULL;
		return;
	}
	/* Numbered and sent under send_lock, as in send_in(). */
	spin_lock_bh(&sn->send_lock);
	first = atomic64_add_return(b->n, &sn->seq) - b->n + 1;
	for (i = 0; i < b->n; i++) {
		u64 seq = first + i;

		memcpy(b->seq[i], &seq, sizeof(seq));	/* maybe unaligned */
	}
	err = genlmsg_multicast_netns(&slg_genl_family, b->net, b->skb, 0,
				      SLG_MCGRP_EVENTS, GFP_ATOMIC);
	spin_unlock_bh(&sn->send_lock);
	if (err && err != -ESRCH)
		slg_stat_add(sn, events_lost, b->n);
	else
		slg_stat_add(sn, events_sent, b->n);
	b->skb = NULL;
	b->n = 0;
}
