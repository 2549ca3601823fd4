// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - kernel-level security SLA monitor.
 *
 * Module setup: per-namespace state, the source table and its garbage
 * collector, the generic netlink family and the netfilter taps, brought up
 * in that order and torn down in reverse, so a hook never runs without the
 * state it uses.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "netlink.h"
#include "sched.h"
#include "srctable.h"
#include "watch.h"

static unsigned int capacity = 16384;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity, "Maximum number of tracked sources (default 16384)");

static unsigned int ns_share = 25;
module_param(ns_share, uint, 0444);
MODULE_PARM_DESC(ns_share, "Percent of the capacity each network namespace but the initial one may hold (1-100, default 25)");

static unsigned int idle_timeout = 300;
module_param(idle_timeout, uint, 0644);
MODULE_PARM_DESC(idle_timeout, "Seconds after which an idle source is forgotten (default 300)");

#define SLG_GC_INTERVAL	(5 * HZ)

const struct slg_thresholds slg_default_thresholds = {
	.window_ms = 1000,
	.holdoff_ms = 10000,
	.portscan_ports = 20,
	.syn_half_open = 100,
	.conn_rate = 200,
	.icmp_rate = 100,
	.watch_events = 100,
	.bandwidth_bps = 0,	/* normal bandwidth differs too much per site */
	/* a busy server takes thousands of connections a second, all completing */
	.dst_half_open = 1000,
	.slow_ports = 100,	/* distinct ports in 10 minutes */
	.slow_window_ms = 600000,
	.cpu_pct = 90,
	.cpu_samples = 3,
	.runq_delay_ms = 200,	/* waiting a fifth of the time to run */
	.fork_rate = 50,
	.proc_events = 100,
	.mem_rss = 0,		/* normal memory use differs too much per site */
	.ns_forward_rate = 200,
};

struct slg_pcpu_stats __percpu *slg_stats;

static unsigned int slg_net_id __read_mostly;

struct slg_net *slg_pernet(const struct net *net)
{
	return net_generic(net, slg_net_id);
}

/* Call under rcu_read_lock; a namespace without its own follows init_net. */
const struct slg_thresholds *slg_thresholds_get(const struct slg_net *sn)
{
	const struct slg_thresholds *t = rcu_dereference(sn->thr);

	if (!t)
		t = rcu_dereference(slg_pernet(&init_net)->thr);
	return t ?: &slg_default_thresholds;
}

void slg_pcpu_stats_sum(const struct slg_pcpu_stats __percpu *stats,
			struct slg_pcpu_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct slg_pcpu_stats *s = per_cpu_ptr(stats, cpu);

		for (i = 0; i < __SLAGUARD_DIR_MAX; i++)
			sum->pkts[i] += READ_ONCE(s->pkts[i]);
		sum->bytes += READ_ONCE(s->bytes);
		sum->malformed += READ_ONCE(s->malformed);
		sum->events_sent += READ_ONCE(s->events_sent);
		sum->events_lost += READ_ONCE(s->events_lost);
		sum->events_suppressed += READ_ONCE(s->events_suppressed);
		sum->watch_hits += READ_ONCE(s->watch_hits);
		sum->forwarded += READ_ONCE(s->forwarded);
		sum->forward_suppressed += READ_ONCE(s->forward_suppressed);
	}
}

/* The module-wide totals. */
void slg_stats_sum(struct slg_pcpu_stats *sum)
{
	slg_pcpu_stats_sum(slg_stats, sum);
}

/* The share of the source table a namespace may hold. */
static unsigned int net_quota(const struct net *net)
{
	unsigned int share = clamp(READ_ONCE(ns_share), 1U, 100U);

	if (net_eq(net, &init_net))
		return capacity;
	return max_t(u64, div_u64((u64)capacity * share, 100), 1);
}

static int __net_init slg_net_init(struct net *net)
{
	struct slg_net *sn = slg_pernet(net);

	sn->stats = alloc_percpu_gfp(struct slg_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!sn->stats)
		return -ENOMEM;
	sn->net = net;
	sn->dsts = kzalloc(sizeof(*sn->dsts), GFP_KERNEL_ACCOUNT);
	if (!sn->dsts)
		return -ENOMEM;
	slg_dst_init(sn->dsts);
	mutex_init(&sn->cfg_lock);
	spin_lock_init(&sn->send_lock);
	atomic64_set(&sn->seq, 0);
	slg_quota_init(&sn->sources, net_quota(net), net_eq(net, &init_net));
	return 0;
}

/* Runs after every hook of every dying namespace is gone (see below). */
static void __net_exit slg_net_exit(struct net *net)
{
	struct slg_net *sn = slg_pernet(net);

	slg_table_flush_net(&slg_sources, net->net_cookie);
	kfree(rcu_dereference_protected(sn->thr, 1));
	slg_watchset_free_all(rcu_dereference_protected(sn->watches, 1));
	free_percpu(sn->stats);
	kfree(sn->dsts);
}

static struct pernet_operations slg_net_ops = {
	.init = slg_net_init,
	.exit = slg_net_exit,
	.id = &slg_net_id,
	.size = sizeof(struct slg_net),
};

static int __net_init slg_hooks_net_init(struct net *net)
{
	return slg_hooks_register(net);
}

/*
 * Hooks go in pre_exit: the namespace core waits for an RCU grace period
 * between pre_exit and exit, so no packet is still inside slg_hook when the
 * state it reads is freed.
 */
static void __net_exit slg_hooks_net_pre_exit(struct net *net)
{
	slg_hooks_unregister(net);
}

static struct pernet_operations slg_hooks_ops = {
	.init = slg_hooks_net_init,
	.pre_exit = slg_hooks_net_pre_exit,
};

static void slg_gc(struct work_struct *work);
static DECLARE_DELAYED_WORK(slg_gc_work, slg_gc);

static void slg_gc(struct work_struct *work)
{
	u64 now = jiffies64_to_msecs(get_jiffies_64());

	slg_table_expire(&slg_sources, now, (u64)READ_ONCE(idle_timeout) * 1000);
	schedule_delayed_work(&slg_gc_work, SLG_GC_INTERVAL);
}

static int __init slg_init(void)
{
	int err;

	slg_stats = alloc_percpu(struct slg_pcpu_stats);
	if (!slg_stats)
		return -ENOMEM;
	err = slg_srctable_init();
	if (err)
		goto err_stats;
	err = slg_table_init(&slg_sources, capacity);
	if (err)
		goto err_cache;
	err = register_pernet_subsys(&slg_net_ops);
	if (err)
		goto err_table;
	err = slg_genl_init();
	if (err)
		goto err_net;
	err = slg_sched_init();
	if (err)
		goto err_genl;
	slg_hooks_init();
	err = register_pernet_subsys(&slg_hooks_ops);
	if (err)
		goto err_sched;
	schedule_delayed_work(&slg_gc_work, SLG_GC_INTERVAL);
	pr_info("loaded: capacity %u sources, %zu bytes each\n", capacity,
		sizeof(struct slg_source));
	return 0;

err_sched:
	slg_sched_exit();
err_genl:
	slg_genl_exit();
err_net:
	unregister_pernet_subsys(&slg_net_ops);
err_table:
	slg_table_destroy(&slg_sources);
err_cache:
	slg_srctable_exit();
err_stats:
	free_percpu(slg_stats);
	return err;
}

static void __exit slg_exit(void)
{
	unregister_pernet_subsys(&slg_hooks_ops);
	slg_sched_exit();
	slg_genl_exit();
	cancel_delayed_work_sync(&slg_gc_work);
	unregister_pernet_subsys(&slg_net_ops);
	slg_table_destroy(&slg_sources);
	slg_srctable_exit();
	free_percpu(slg_stats);
}

module_init(slg_init);
module_exit(slg_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("slaguard developers");
MODULE_DESCRIPTION("Kernel-level security SLA monitor: netfilter taps and events over generic netlink");
/*
 * No MODULE_ALIAS_GENL_FAMILY: once loaded the module taps every packet of
 * every namespace, which is the administrator's choice, not that of any
 * user who looks the family up. It is loaded by modprobe (modules-load.d).
 */
