// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - generic netlink family "slaguard".
 *
 * Changing state needs CAP_NET_ADMIN over the namespace. Reading the
 * figures of one's own namespace is open to everyone, like "ip route";
 * what crosses namespaces or names processes is not:
 *  - the sources of every namespace (GET_SOURCES from the initial one)
 *    need CAP_NET_ADMIN in the initial user namespace, which owns them
 *    all; anyone else sees the sources of their own namespace;
 *  - watches need CAP_NET_ADMIN over the namespace, as nftables rules do:
 *    they tell what the monitor looks for, and the initial namespace's
 *    count the packets of every namespace;
 *  - process data: see sched_netlink.c.
 * The check is made once per request, on the request, and a refusal has
 * an extack message that says what is needed. Every attribute has a strict
 * policy, and what a policy cannot express is checked here with an extack
 * message that says what to fix.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "compat.h"
#include "events.h"
#include "netlink.h"
#include "sched.h"
#include "srctable.h"
#include "watch.h"

static struct netlink_range_validation window_range = {
	.min = SLAGUARD_WINDOW_MS_MIN,
	.max = SLAGUARD_WINDOW_MS_MAX,
};

static struct netlink_range_validation holdoff_range = {
	.min = SLAGUARD_HOLDOFF_MS_MIN,
	.max = SLAGUARD_HOLDOFF_MS_MAX,
};

static struct netlink_range_validation slow_window_range = {
	.min = SLAGUARD_SLOW_WINDOW_MS_MIN,
	.max = SLAGUARD_SLOW_WINDOW_MS_MAX,
};

static const struct nla_policy thr_policy[SLAGUARD_THR_MAX + 1] = {
	[SLAGUARD_THR_WINDOW_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &window_range),
	[SLAGUARD_THR_HOLDOFF_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &holdoff_range),
	[SLAGUARD_THR_PORTSCAN_PORTS] = NLA_POLICY_MAX(NLA_U32, SLG_PORT_BITS),
	[SLAGUARD_THR_SYN_HALF_OPEN] = { .type = NLA_U32 },
	[SLAGUARD_THR_CONN_RATE] = { .type = NLA_U32 },
	[SLAGUARD_THR_BANDWIDTH_BPS] = { .type = NLA_U64 },
	[SLAGUARD_THR_ICMP_RATE] = { .type = NLA_U32 },
	[SLAGUARD_THR_WATCH_EVENTS] = { .type = NLA_U32 },
	[SLAGUARD_THR_PAD] = { .type = NLA_REJECT },
	[SLAGUARD_THR_CPU_PCT] = { .type = NLA_U32 },
	[SLAGUARD_THR_CPU_SAMPLES] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLAGUARD_THR_RUNQ_DELAY_MS] = { .type = NLA_U32 },
	[SLAGUARD_THR_FORK_RATE] = { .type = NLA_U32 },
	[SLAGUARD_THR_MEM_RSS] = { .type = NLA_U64 },
	[SLAGUARD_THR_PROC_EVENTS] = { .type = NLA_U32 },
	[SLAGUARD_THR_DST_HALF_OPEN] = { .type = NLA_U32 },
	[SLAGUARD_THR_SLOW_PORTS] = NLA_POLICY_MAX(NLA_U32, SLG_SLOW_MAX),
	[SLAGUARD_THR_SLOW_WINDOW_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							      &slow_window_range),
	[SLAGUARD_THR_NS_FORWARD_RATE] = { .type = NLA_U32 },
};

static const struct nla_policy watch_policy[SLAGUARD_WATCH_MAX + 1] = {
	[SLAGUARD_WATCH_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLAGUARD_WATCH_FAMILY] = { .type = NLA_U8 },
	[SLAGUARD_WATCH_SRC_ADDR] = NLA_POLICY_MIN_LEN(4),
	[SLAGUARD_WATCH_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SLAGUARD_WATCH_DST_ADDR] = NLA_POLICY_MIN_LEN(4),
	[SLAGUARD_WATCH_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SLAGUARD_WATCH_PROTO] = { .type = NLA_U8 },
	[SLAGUARD_WATCH_PORT_MIN] = { .type = NLA_U16 },
	[SLAGUARD_WATCH_PORT_MAX] = { .type = NLA_U16 },
	[SLAGUARD_WATCH_DIRECTION] = NLA_POLICY_MAX(NLA_U8, SLAGUARD_DIR_MAX),
	[SLAGUARD_WATCH_ACTION] = NLA_POLICY_MAX(NLA_U8,
						 SLAGUARD_WATCH_ACTION_MAX),
	[SLAGUARD_WATCH_SAMPLE_N] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLAGUARD_WATCH_HITS] = { .type = NLA_REJECT },
	[SLAGUARD_WATCH_PAD] = { .type = NLA_REJECT },
};

static const struct nla_policy slg_policy[SLAGUARD_A_MAX + 1] = {
	[SLAGUARD_A_PAD] = { .type = NLA_REJECT },
	[SLAGUARD_A_STATS] = { .type = NLA_REJECT },
	[SLAGUARD_A_THRESHOLDS] = NLA_POLICY_NESTED(thr_policy),
	[SLAGUARD_A_WATCH] = NLA_POLICY_NESTED(watch_policy),
	[SLAGUARD_A_SOURCE] = { .type = NLA_REJECT },
	[SLAGUARD_A_EVENT] = { .type = NLA_REJECT },
	[SLAGUARD_A_TASK_WATCH] = NLA_POLICY_NESTED(slg_twatch_policy),
	[SLAGUARD_A_TASK] = { .type = NLA_REJECT },
	[SLAGUARD_A_SYSTEM] = { .type = NLA_REJECT },
	[SLAGUARD_A_SCHED] = NLA_POLICY_NESTED(slg_sched_policy),
};

static struct net *caller_net(const struct sk_buff *skb)
{
	return sock_net(skb->sk);
}

static void *put_header(struct sk_buff *skb, const struct genl_info *info,
			u8 cmd)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq,
			   &slg_genl_family, 0, cmd);
}

/* ---- stats ---- */

static int put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

/* The source table as one namespace sees it. */
struct stats_table {
	u64 sources, capacity, evictions, insert_failed, expired;
};

/*
 * The initial namespace's counters are module-wide, every other
 * namespace's its own: containers see nothing of the host's traffic.
 */
static void stats_of(struct net *net, struct slg_pcpu_stats *s,
		     struct stats_table *tb)
{
	struct slg_net *sn = slg_pernet(net);

	if (net_eq(net, &init_net)) {
		slg_stats_sum(s);
		tb->sources = slg_table_count(&slg_sources);
		tb->capacity = slg_sources.capacity;
		tb->evictions = atomic64_read(&slg_sources.evictions);
		tb->insert_failed = atomic64_read(&slg_sources.insert_failed);
		tb->expired = atomic64_read(&slg_sources.expired);
		return;
	}
	slg_pcpu_stats_sum(sn->stats, s);
	tb->sources = atomic_read(&sn->sources.count);
	tb->capacity = sn->sources.limit;
	tb->evictions = atomic64_read(&sn->sources.evictions);
	tb->insert_failed = atomic64_read(&sn->sources.insert_failed);
	tb->expired = atomic64_read(&sn->sources.expired);
}

static int fill_stats(struct sk_buff *skb, struct net *net)
{
	struct slg_net *sn = slg_pernet(net);
	struct slg_pcpu_stats s;
	struct stats_table tb;
	struct nlattr *nest;
	const int pad = SLAGUARD_STATS_PAD;

	stats_of(net, &s, &tb);
	nest = nla_nest_start(skb, SLAGUARD_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (put_u64(skb, SLAGUARD_STATS_PKTS_IN, s.pkts[SLAGUARD_DIR_IN], pad) ||
	    put_u64(skb, SLAGUARD_STATS_PKTS_FORWARD,
		    s.pkts[SLAGUARD_DIR_FORWARD], pad) ||
	    put_u64(skb, SLAGUARD_STATS_PKTS_OUT, s.pkts[SLAGUARD_DIR_OUT], pad) ||
	    put_u64(skb, SLAGUARD_STATS_BYTES, s.bytes, pad) ||
	    put_u64(skb, SLAGUARD_STATS_EVENTS_SENT, s.events_sent, pad) ||
	    put_u64(skb, SLAGUARD_STATS_EVENTS_LOST, s.events_lost, pad) ||
	    put_u64(skb, SLAGUARD_STATS_EVENTS_SUPPRESSED,
		    s.events_suppressed, pad) ||
	    put_u64(skb, SLAGUARD_STATS_SOURCES, tb.sources, pad) ||
	    put_u64(skb, SLAGUARD_STATS_CAPACITY, tb.capacity, pad) ||
	    put_u64(skb, SLAGUARD_STATS_EVICTIONS, tb.evictions, pad) ||
	    put_u64(skb, SLAGUARD_STATS_INSERT_FAILED, tb.insert_failed, pad) ||
	    put_u64(skb, SLAGUARD_STATS_EXPIRED, tb.expired, pad) ||
	    put_u64(skb, SLAGUARD_STATS_WATCH_HITS, s.watch_hits, pad) ||
	    put_u64(skb, SLAGUARD_STATS_MALFORMED, s.malformed, pad) ||
	    put_u64(skb, SLAGUARD_STATS_LAST_SEQ, atomic64_read(&sn->seq), pad) ||
	    put_u64(skb, SLAGUARD_STATS_FORWARDED, s.forwarded, pad) ||
	    put_u64(skb, SLAGUARD_STATS_FORWARD_SUPPRESSED,
		    s.forward_suppressed, pad) ||
	    (net_eq(net, &init_net) &&
	     put_u64(skb, SLAGUARD_STATS_SOURCE_OBJECTS,
		     atomic_read(&slg_sources.objects), pad))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Build and send a reply whose body fill() writes. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *skb, struct net *net, void *arg),
		 void *arg)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = put_header(skb, info, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = fill(skb, genl_info_net(info), arg);
	if (err)
		goto err_free;
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);

err_free:
	nlmsg_free(skb);
	return err;
}

static int fill_stats_cb(struct sk_buff *skb, struct net *net, void *arg)
{
	return fill_stats(skb, net);
}

static int slg_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, SLAGUARD_CMD_GET_STATS, fill_stats_cb, NULL);
}

/* ---- thresholds ---- */

static int fill_thresholds(struct sk_buff *skb, struct net *net, void *arg)
{
	const struct slg_thresholds *t;
	struct nlattr *nest;
	int err = -EMSGSIZE;
	u32 fwd;

	nest = nla_nest_start(skb, SLAGUARD_A_THRESHOLDS);
	if (!nest)
		return -EMSGSIZE;
	rcu_read_lock();
	/* The forwarding budget is the initial namespace's everywhere. */
	fwd = slg_thresholds_get(slg_pernet(&init_net))->ns_forward_rate;
	t = slg_thresholds_get(slg_pernet(net));
	if (nla_put_u32(skb, SLAGUARD_THR_WINDOW_MS, t->window_ms) ||
	    nla_put_u32(skb, SLAGUARD_THR_HOLDOFF_MS, t->holdoff_ms) ||
	    nla_put_u32(skb, SLAGUARD_THR_PORTSCAN_PORTS, t->portscan_ports) ||
	    nla_put_u32(skb, SLAGUARD_THR_SYN_HALF_OPEN, t->syn_half_open) ||
	    nla_put_u32(skb, SLAGUARD_THR_CONN_RATE, t->conn_rate) ||
	    put_u64(skb, SLAGUARD_THR_BANDWIDTH_BPS, t->bandwidth_bps,
		    SLAGUARD_THR_PAD) ||
	    nla_put_u32(skb, SLAGUARD_THR_ICMP_RATE, t->icmp_rate) ||
	    nla_put_u32(skb, SLAGUARD_THR_WATCH_EVENTS, t->watch_events) ||
	    nla_put_u32(skb, SLAGUARD_THR_CPU_PCT, t->cpu_pct) ||
	    nla_put_u32(skb, SLAGUARD_THR_CPU_SAMPLES, t->cpu_samples) ||
	    nla_put_u32(skb, SLAGUARD_THR_RUNQ_DELAY_MS, t->runq_delay_ms) ||
	    nla_put_u32(skb, SLAGUARD_THR_FORK_RATE, t->fork_rate) ||
	    put_u64(skb, SLAGUARD_THR_MEM_RSS, t->mem_rss, SLAGUARD_THR_PAD) ||
	    nla_put_u32(skb, SLAGUARD_THR_PROC_EVENTS, t->proc_events) ||
	    nla_put_u32(skb, SLAGUARD_THR_DST_HALF_OPEN, t->dst_half_open) ||
	    nla_put_u32(skb, SLAGUARD_THR_SLOW_PORTS, t->slow_ports) ||
	    nla_put_u32(skb, SLAGUARD_THR_SLOW_WINDOW_MS, t->slow_window_ms) ||
	    nla_put_u32(skb, SLAGUARD_THR_NS_FORWARD_RATE, fwd))
		goto out;
	err = 0;
out:
	rcu_read_unlock();
	if (err)
		nla_nest_cancel(skb, nest);
	else
		nla_nest_end(skb, nest);
	return err;
}

static int slg_get_thresholds(struct sk_buff *skb, struct genl_info *info)
{
	return reply(info, SLAGUARD_CMD_GET_THRESHOLDS, fill_thresholds, NULL);
}

static void get_u32(struct nlattr **tb, int type, u32 *v)
{
	if (tb[type])
		*v = nla_get_u32(tb[type]);
}

static int slg_set_thresholds(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sn = slg_pernet(genl_info_net(info));
	struct nlattr *tb[SLAGUARD_THR_MAX + 1];
	struct slg_thresholds *t, *old;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SLAGUARD_A_THRESHOLDS))
		return -EINVAL;
	err = nla_parse_nested(tb, SLAGUARD_THR_MAX,
			       info->attrs[SLAGUARD_A_THRESHOLDS], thr_policy,
			       info->extack);
	if (err)
		return err;
	if (tb[SLAGUARD_THR_NS_FORWARD_RATE] &&
	    !net_eq(genl_info_net(info), &init_net)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[SLAGUARD_THR_NS_FORWARD_RATE],
				    "ns-forward-rate is set in the initial network namespace only");
		return -EPERM;
	}
	t = kmalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;

	mutex_lock(&sn->cfg_lock);
	/* Start from what applies now, so unnamed values keep theirs. */
	rcu_read_lock();
	*t = *slg_thresholds_get(sn);
	rcu_read_unlock();
	get_u32(tb, SLAGUARD_THR_WINDOW_MS, &t->window_ms);
	get_u32(tb, SLAGUARD_THR_HOLDOFF_MS, &t->holdoff_ms);
	get_u32(tb, SLAGUARD_THR_PORTSCAN_PORTS, &t->portscan_ports);
	get_u32(tb, SLAGUARD_THR_SYN_HALF_OPEN, &t->syn_half_open);
	get_u32(tb, SLAGUARD_THR_CONN_RATE, &t->conn_rate);
	get_u32(tb, SLAGUARD_THR_ICMP_RATE, &t->icmp_rate);
	get_u32(tb, SLAGUARD_THR_WATCH_EVENTS, &t->watch_events);
	get_u32(tb, SLAGUARD_THR_CPU_PCT, &t->cpu_pct);
	get_u32(tb, SLAGUARD_THR_CPU_SAMPLES, &t->cpu_samples);
	get_u32(tb, SLAGUARD_THR_RUNQ_DELAY_MS, &t->runq_delay_ms);
	get_u32(tb, SLAGUARD_THR_FORK_RATE, &t->fork_rate);
	get_u32(tb, SLAGUARD_THR_PROC_EVENTS, &t->proc_events);
	get_u32(tb, SLAGUARD_THR_DST_HALF_OPEN, &t->dst_half_open);
	get_u32(tb, SLAGUARD_THR_SLOW_PORTS, &t->slow_ports);
	get_u32(tb, SLAGUARD_THR_SLOW_WINDOW_MS, &t->slow_window_ms);
	get_u32(tb, SLAGUARD_THR_NS_FORWARD_RATE, &t->ns_forward_rate);
	if (tb[SLAGUARD_THR_MEM_RSS])
		t->mem_rss = nla_get_u64(tb[SLAGUARD_THR_MEM_RSS]);
	if (tb[SLAGUARD_THR_BANDWIDTH_BPS])
		t->bandwidth_bps = nla_get_u64(tb[SLAGUARD_THR_BANDWIDTH_BPS]);
	old = rcu_replace_pointer(sn->thr, t, lockdep_is_held(&sn->cfg_lock));
	mutex_unlock(&sn->cfg_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* ---- watches ---- */

static int parse_addr(struct nlattr *attr, u8 family, union slg_addr *a,
		      struct netlink_ext_ack *extack)
{
	unsigned int want = family == AF_INET ? 4 : 16;

	if (nla_len(attr) != want) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "address length does not match the family (4 or 16 bytes)");
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a, nla_data(attr), want);
	return 0;
}

static int parse_watch(struct nlattr **tb, struct slg_watch *w,
		       struct netlink_ext_ack *extack)
{
	const char *why = NULL;
	int err;

	w->id = tb[SLAGUARD_WATCH_ID] ? nla_get_u32(tb[SLAGUARD_WATCH_ID]) : 0;
	if (tb[SLAGUARD_WATCH_FAMILY])
		w->family = nla_get_u8(tb[SLAGUARD_WATCH_FAMILY]);
	if (w->family && w->family != AF_INET && w->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLAGUARD_WATCH_FAMILY],
				    "family must be AF_INET (2) or AF_INET6 (10)");
		return -EINVAL;
	}
	if ((tb[SLAGUARD_WATCH_SRC_ADDR] || tb[SLAGUARD_WATCH_DST_ADDR]) &&
	    !w->family) {
		NL_SET_ERR_MSG(extack, "an address needs SLAGUARD_WATCH_FAMILY");
		return -EINVAL;
	}
	if (tb[SLAGUARD_WATCH_SRC_ADDR]) {
		err = parse_addr(tb[SLAGUARD_WATCH_SRC_ADDR], w->family, &w->src,
				 extack);
		if (err)
			return err;
		w->has_src = true;
		w->src_plen = w->family == AF_INET ? 32 : 128;
	}
	if (tb[SLAGUARD_WATCH_DST_ADDR]) {
		err = parse_addr(tb[SLAGUARD_WATCH_DST_ADDR], w->family, &w->dst,
				 extack);
		if (err)
			return err;
		w->has_dst = true;
		w->dst_plen = w->family == AF_INET ? 32 : 128;
	}
	if (tb[SLAGUARD_WATCH_SRC_PLEN])
		w->src_plen = nla_get_u8(tb[SLAGUARD_WATCH_SRC_PLEN]);
	if (tb[SLAGUARD_WATCH_DST_PLEN])
		w->dst_plen = nla_get_u8(tb[SLAGUARD_WATCH_DST_PLEN]);
	if (tb[SLAGUARD_WATCH_PROTO])
		w->proto = nla_get_u8(tb[SLAGUARD_WATCH_PROTO]);
	if (tb[SLAGUARD_WATCH_PORT_MIN])
		w->port_min = nla_get_u16(tb[SLAGUARD_WATCH_PORT_MIN]);
	w->port_max = tb[SLAGUARD_WATCH_PORT_MAX] ?
		      nla_get_u16(tb[SLAGUARD_WATCH_PORT_MAX]) : w->port_min;
	if (tb[SLAGUARD_WATCH_DIRECTION])
		w->dir = nla_get_u8(tb[SLAGUARD_WATCH_DIRECTION]);
	if (tb[SLAGUARD_WATCH_ACTION])
		w->action = nla_get_u8(tb[SLAGUARD_WATCH_ACTION]);
	w->sample_n = tb[SLAGUARD_WATCH_SAMPLE_N] ?
		      nla_get_u32(tb[SLAGUARD_WATCH_SAMPLE_N]) : 1;

	err = slg_watch_check(w, &why);
	if (err) {
		/* NL_SET_ERR_MSG wants a literal; why points to one. */
		if (extack)
			extack->_msg = why;
		return err;
	}
	slg_watch_mask(w);
	return 0;
}

static int fill_watch_id(struct sk_buff *skb, struct net *net, void *arg)
{
	const u32 *id = arg;
	struct nlattr *nest = nla_nest_start(skb, SLAGUARD_A_WATCH);

	if (!nest || nla_put_u32(skb, SLAGUARD_WATCH_ID, *id))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Next free id after the last one given; ids are never 0. */
static u32 pick_id(struct slg_net *sn, const struct slg_ptrset *ws)
{
	do {
		if (++sn->watch_next_id == 0)
			sn->watch_next_id = 1;
	} while (slg_watchset_find(ws, sn->watch_next_id));
	return sn->watch_next_id;
}

static void free_set_rcu(struct slg_ptrset *ws)
{
	if (ws)
		kfree_rcu(ws, rcu);
}

static int parse_watch_nest(struct genl_info *info, struct nlattr **tb)
{
	if (GENL_REQ_ATTR_CHECK(info, SLAGUARD_A_WATCH))
		return -EINVAL;
	return nla_parse_nested(tb, SLAGUARD_WATCH_MAX,
				info->attrs[SLAGUARD_A_WATCH], watch_policy,
				info->extack);
}

static int slg_add_watch(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sn = slg_pernet(genl_info_net(info));
	struct nlattr *tb[SLAGUARD_WATCH_MAX + 1];
	struct slg_ptrset *old, *ws;
	struct slg_watch *w;
	u32 id;
	int err;

	err = parse_watch_nest(info, tb);
	if (err)
		return err;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	err = parse_watch(tb, w, info->extack);
	if (err)
		goto err_free;

	mutex_lock(&sn->cfg_lock);
	old = rcu_dereference_protected(sn->watches,
					lockdep_is_held(&sn->cfg_lock));
	if (old && old->n >= SLAGUARD_MAX_WATCHES) {
		NL_SET_ERR_MSG(info->extack,
			       "watch table full: delete a watch first");
		err = -ENOSPC;
		goto err_unlock;
	}
	if (w->id && slg_watchset_find(old, w->id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLAGUARD_WATCH_ID],
				    "a watch with this id exists");
		err = -EEXIST;
		goto err_unlock;
	}
	if (!w->id)
		w->id = pick_id(sn, old);
	ws = slg_ptrset_add(old, w);
	if (!ws) {
		err = -ENOMEM;
		goto err_unlock;
	}
	rcu_assign_pointer(sn->watches, ws);
	sn->watch_gen++;
	id = w->id;
	mutex_unlock(&sn->cfg_lock);
	free_set_rcu(old);

	/* The rule is in place; a failed reply does not undo it. */
	return reply(info, SLAGUARD_CMD_ADD_WATCH, fill_watch_id, &id);

err_unlock:
	mutex_unlock(&sn->cfg_lock);
err_free:
	kfree(w);
	return err;
}

static int slg_del_watch(struct sk_buff *skb, struct genl_info *info)
{
	struct slg_net *sn = slg_pernet(genl_info_net(info));
	struct nlattr *tb[SLAGUARD_WATCH_MAX + 1];
	struct slg_ptrset *old, *ws;
	struct slg_watch *removed;
	int err;

	err = parse_watch_nest(info, tb);
	if (err)
		return err;
	if (!tb[SLAGUARD_WATCH_ID]) {
		NL_SET_ERR_MSG(info->extack, "deleting needs SLAGUARD_WATCH_ID");
		return -EINVAL;
	}

	mutex_lock(&sn->cfg_lock);
	old = rcu_dereference_protected(sn->watches,
					lockdep_is_held(&sn->cfg_lock));
	ws = slg_watchset_del(old, nla_get_u32(tb[SLAGUARD_WATCH_ID]), &removed);
	if (IS_ERR(ws)) {
		mutex_unlock(&sn->cfg_lock);
		if (PTR_ERR(ws) == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SLAGUARD_WATCH_ID],
					    "no watch with this id");
		return PTR_ERR(ws);
	}
	rcu_assign_pointer(sn->watches, ws);
	sn->watch_gen++;
	mutex_unlock(&sn->cfg_lock);
	free_set_rcu(old);
	kfree_rcu(removed, rcu);
	return 0;
}

static int put_watch_addr(struct sk_buff *skb, int type, int plen_type,
			  const struct slg_watch *w, const union slg_addr *a,
			  u8 plen)
{
	return nla_put(skb, type, w->family == AF_INET ? 4 : 16, a) ||
	       nla_put_u8(skb, plen_type, plen);
}

static int fill_watch(struct sk_buff *skb, const struct slg_watch *w)
{
	struct nlattr *nest = nla_nest_start(skb, SLAGUARD_A_WATCH);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SLAGUARD_WATCH_ID, w->id) ||
	    (w->family && nla_put_u8(skb, SLAGUARD_WATCH_FAMILY, w->family)) ||
	    (w->has_src && put_watch_addr(skb, SLAGUARD_WATCH_SRC_ADDR,
					  SLAGUARD_WATCH_SRC_PLEN, w, &w->src,
					  w->src_plen)) ||
	    (w->has_dst && put_watch_addr(skb, SLAGUARD_WATCH_DST_ADDR,
					  SLAGUARD_WATCH_DST_PLEN, w, &w->dst,
					  w->dst_plen)) ||
	    nla_put_u8(skb, SLAGUARD_WATCH_PROTO, w->proto) ||
	    nla_put_u16(skb, SLAGUARD_WATCH_PORT_MIN, w->port_min) ||
	    nla_put_u16(skb, SLAGUARD_WATCH_PORT_MAX, w->port_max) ||
	    nla_put_u8(skb, SLAGUARD_WATCH_DIRECTION, w->dir) ||
	    nla_put_u8(skb, SLAGUARD_WATCH_ACTION, w->action) ||
	    nla_put_u32(skb, SLAGUARD_WATCH_SAMPLE_N, w->sample_n) ||
	    put_u64(skb, SLAGUARD_WATCH_HITS, atomic64_read(&w->hits),
		    SLAGUARD_WATCH_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * cb->args[0]: index of the next watch to send; [1]: the caller was
 * checked, on the request, by the first call (6.1 gives .start no extack).
 */
static int slg_dump_watches(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = caller_net(cb->skb);
	struct slg_net *sn = slg_pernet(net);
	const struct slg_ptrset *ws;
	unsigned long i;

	if (!cb->args[1]) {
		if (!netlink_ns_capable(cb->skb, net->user_ns, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG(cb->extack,
				       "listing watches needs CAP_NET_ADMIN over this network namespace");
			return -EPERM;
		}
		cb->args[1] = 1;
	}
	rcu_read_lock();
	ws = rcu_dereference(sn->watches);
	cb->seq = READ_ONCE(sn->watch_gen);
	for (i = cb->args[0]; ws && i < ws->n; i++) {
		void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, &slg_genl_family,
					NLM_F_MULTI, SLAGUARD_CMD_GET_WATCH);

		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (fill_watch(skb, ws->p[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

/* ---- sources ---- */

struct source_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u64 only_cookie;		/* 0: every namespace */
	const struct slg_thresholds *thr;
	u64 now_ms;
};

static int fill_source(struct sk_buff *skb, struct slg_source *s,
		       const struct source_dump *d)
{
	const struct slg_source *src = s;
	const int pad = SLAGUARD_SRC_PAD;
	u64 packets, bytes, syn, icmp, udp, first, last;
	struct slg_rates r;
	struct nlattr *nest;

	spin_lock_bh(&s->lock);
	packets = s->packets;
	bytes = s->bytes;
	syn = s->syn;
	icmp = s->icmp;
	udp = s->udp;
	first = s->first_ms;
	last = s->last_ms;
	slg_window_rates(&s->win, d->now_ms, d->thr->window_ms, &r);
	spin_unlock_bh(&s->lock);

	nest = nla_nest_start(skb, SLAGUARD_A_SOURCE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SLAGUARD_SRC_NETNS, src->netns_inum) ||
	    nla_put_u8(skb, SLAGUARD_SRC_FAMILY, src->key.family) ||
	    nla_put(skb, SLAGUARD_SRC_ADDR,
		    src->key.family == AF_INET ? 4 : 16, &src->key.addr) ||
	    put_u64(skb, SLAGUARD_SRC_PACKETS, packets, pad) ||
	    put_u64(skb, SLAGUARD_SRC_BYTES, bytes, pad) ||
	    put_u64(skb, SLAGUARD_SRC_SYN, syn, pad) ||
	    put_u64(skb, SLAGUARD_SRC_ICMP, icmp, pad) ||
	    put_u64(skb, SLAGUARD_SRC_UDP, udp, pad) ||
	    put_u64(skb, SLAGUARD_SRC_PKT_RATE, r.pkt_rate, pad) ||
	    put_u64(skb, SLAGUARD_SRC_BYTE_RATE, r.byte_rate, pad) ||
	    put_u64(skb, SLAGUARD_SRC_CONN_RATE, r.conn_rate, pad) ||
	    put_u64(skb, SLAGUARD_SRC_HALF_OPEN, r.half_open, pad) ||
	    put_u64(skb, SLAGUARD_SRC_PORTS, r.ports, pad) ||
	    put_u64(skb, SLAGUARD_SRC_AGE_MS, d->now_ms - min(first, d->now_ms),
		    pad) ||
	    put_u64(skb, SLAGUARD_SRC_IDLE_MS, d->now_ms - min(last, d->now_ms),
		    pad)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int visit_source(struct slg_source *src, void *arg)
{
	struct source_dump *d = arg;
	void *hdr;

	if (d->only_cookie && src->key.net_cookie != d->only_cookie)
		return 0;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &slg_genl_family, NLM_F_MULTI,
			  SLAGUARD_CMD_GET_SOURCES);
	if (!hdr)
		return -EMSGSIZE;
	if (fill_source(d->skb, src, d)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

enum { SOURCES_UNDECIDED, SOURCES_OWN_NS, SOURCES_ALL };

/*
 * cb->args[0]: bucket, cb->args[1]: entries of it already sent, [2]: whose
 * sources, decided on the request by the first call.
 */
static int slg_dump_sources(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = caller_net(cb->skb);
	struct source_dump d = {
		.skb = skb,
		.cb = cb,
		.now_ms = jiffies64_to_msecs(get_jiffies_64()),
	};

	if (cb->args[2] == SOURCES_UNDECIDED)
		cb->args[2] = (net_eq(net, &init_net) &&
			       netlink_capable(cb->skb, CAP_NET_ADMIN)) ?
			      SOURCES_ALL : SOURCES_OWN_NS;
	d.only_cookie = cb->args[2] == SOURCES_ALL ? 0 : net->net_cookie;

	rcu_read_lock();
	d.thr = slg_thresholds_get(slg_pernet(net));
	/* The walk takes its own RCU read side; nesting is fine. */
	slg_table_walk(&slg_sources, &cb->args[0], &cb->args[1], visit_source,
		       &d);
	rcu_read_unlock();
	return skb->len;
}

static const struct genl_ops slg_genl_ops[] = {
	{
		.cmd = SLAGUARD_CMD_GET_STATS,
		.doit = slg_get_stats,
	},
	{
		.cmd = SLAGUARD_CMD_GET_THRESHOLDS,
		.doit = slg_get_thresholds,
	},
	{
		.cmd = SLAGUARD_CMD_SET_THRESHOLDS,
		.doit = slg_set_thresholds,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SLAGUARD_CMD_ADD_WATCH,
		.doit = slg_add_watch,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SLAGUARD_CMD_DEL_WATCH,
		.doit = slg_del_watch,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SLAGUARD_CMD_GET_WATCH,
		.dumpit = slg_dump_watches,
	},
	{
		.cmd = SLAGUARD_CMD_GET_SOURCES,
		.dumpit = slg_dump_sources,
	},
	{
		.cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
		.doit = slg_add_task_watch,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
		.doit = slg_del_task_watch,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SLAGUARD_CMD_GET_TASK_WATCH,
		.dumpit = slg_dump_task_watches,
	},
	{
		.cmd = SLAGUARD_CMD_GET_TASKS,
		.dumpit = slg_dump_tasks,
	},
	{
		.cmd = SLAGUARD_CMD_GET_SYSTEM,
		.doit = slg_get_system,
	},
	{
		.cmd = SLAGUARD_CMD_SET_SCHED,
		.doit = slg_set_sched,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group slg_mcgrps[] = {
	[SLG_MCGRP_EVENTS] = { .name = SLAGUARD_MCGRP_EVENTS,
			       .flags = SLG_MCGRP_FLAGS },
};

struct genl_family slg_genl_family __ro_after_init = {
	.name = SLAGUARD_GENL_NAME,
	.version = SLAGUARD_GENL_VERSION,
	.maxattr = SLAGUARD_A_MAX,
	.policy = slg_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = slg_genl_ops,
	.n_ops = ARRAY_SIZE(slg_genl_ops),
	.mcgrps = slg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(slg_mcgrps),
};

int slg_genl_init(void)
{
	return genl_register_family(&slg_genl_family);
}

void slg_genl_exit(void)
{
	genl_unregister_family(&slg_genl_family);
}
