// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - generic netlink commands of the system monitoring agent.
 *
 * Processes are not per network namespace, so these commands are answered
 * in the initial namespace only: elsewhere an admin of a container's
 * namespace could watch, and read about, the host's processes.
 *
 * What they tell about processes (pids, owners, commands, memory, cgroup
 * paths: more than procfs shows with hidepid) goes only to callers with
 * CAP_NET_ADMIN in the initial user namespace. It is what configuring task
 * watches and receiving their events takes already, and what the kernel's
 * own per-process netlink interfaces, taskstats and the proc connector,
 * ask. The system figures (load, CPUs, counts) are /proc/stat's and stay
 * open.
 */
#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "netlink.h"
#include "taskwatch.h"

static struct netlink_range_validation period_range = {
	.min = SLAGUARD_PERIOD_MS_MIN,
	.max = SLAGUARD_PERIOD_MS_MAX,
};

/* No process can have a pid above the kernel's limit. */
static struct netlink_range_validation pid_range = {
	.min = 1,
	.max = PID_MAX_LIMIT,
};

const struct nla_policy slg_twatch_policy[SLAGUARD_TWATCH_MAX + 1] = {
	[SLAGUARD_TWATCH_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SLAGUARD_TWATCH_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[SLAGUARD_TWATCH_COMM] = { .type = NLA_NUL_STRING,
				   .len = TASK_COMM_LEN - 1 },
	[SLAGUARD_TWATCH_CGROUP] = { .type = NLA_NUL_STRING,
				     .len = PATH_MAX - 1 },
	[SLAGUARD_TWATCH_TASKS] = { .type = NLA_REJECT },
	[SLAGUARD_TWATCH_FORKS] = { .type = NLA_REJECT },
	[SLAGUARD_TWATCH_PAD] = { .type = NLA_REJECT },
	[SLAGUARD_TWATCH_CPU_PCT] = { .type = NLA_REJECT },
	[SLAGUARD_TWATCH_FORK_RATE] = { .type = NLA_REJECT },
};

const struct nla_policy slg_sched_policy[SLAGUARD_SCHED_MAX + 1] = {
	[SLAGUARD_SCHED_PERIOD_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &period_range),
};

static u32 tw_next_id;

static int need_init_net(struct net *net, struct netlink_ext_ack *extack)
{
	if (net_eq(net, &init_net))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "processes are system-wide: use the initial network namespace");
	return -EPERM;
}

/* May the sender of request skb read about processes? */
static int need_proc_reader(const struct sk_buff *skb,
			    struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "process data needs CAP_NET_ADMIN in the initial user namespace");
	return -EPERM;
}

/*
 * A dump of process data is checked once, on the request, by its first
 * call (6.1 gives .start no extack); *checked is a cb->args slot the dump
 * leaves alone otherwise.
 */
static int proc_dump_allowed(struct netlink_callback *cb, long *checked)
{
	int err;

	if (*checked)
		return 0;
	err = need_init_net(sock_net(cb->skb->sk), cb->extack);
	if (!err)
		err = need_proc_reader(cb->skb, cb->extack);
	if (!err)
		*checked = 1;
	return err;
}

/* Call with slg_tw_mutex held. */
static int need_running(struct netlink_ext_ack *extack)
{
	if (slg_sched_running())
		return 0;
	NL_SET_ERR_MSG(extack,
		       "the system monitor is not running (see the kernel log)");
	return -EOPNOTSUPP;
}

/* A reply of up to size bytes of attributes, made by fill. */
static int reply_with(struct genl_info *info, u8 cmd, size_t size,
		      int (*fill)(struct sk_buff *skb, void *arg), void *arg)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(size, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq,
			  &slg_genl_family, 0, cmd);
	err = hdr ? fill(skb, arg) : -EMSGSIZE;
	if (err) {
		nlmsg_free(skb);
		return err;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

/* ---- task watches ---- */

static int parse_twatch(struct genl_info *info, struct nlattr **tb,
			struct slg_twatch *w)
{
	struct netlink_ext_ack *extack = info->extack;
	struct cgroup *cgrp;
	int n;

	n = !!tb[SLAGUARD_TWATCH_PID] + !!tb[SLAGUARD_TWATCH_COMM] +
	    !!tb[SLAGUARD_TWATCH_CGROUP];
	if (n != 1) {
		NL_SET_ERR_MSG(extack,
			       "a task watch needs exactly one of pid, comm and cgroup");
		return -EINVAL;
	}
	if (tb[SLAGUARD_TWATCH_ID])
		w->id = nla_get_u32(tb[SLAGUARD_TWATCH_ID]);
	if (tb[SLAGUARD_TWATCH_PID]) {
		w->type = SLG_TW_PID;
		w->pid = nla_get_u32(tb[SLAGUARD_TWATCH_PID]);
		return 0;
	}
	if (tb[SLAGUARD_TWATCH_COMM]) {
		w->type = SLG_TW_COMM;
		nla_strscpy(w->comm, tb[SLAGUARD_TWATCH_COMM], sizeof(w->comm));
		if (!w->comm[0]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SLAGUARD_TWATCH_COMM],
					    "command name is empty");
			return -EINVAL;
		}
		return 0;
	}
	w->type = SLG_TW_CGROUP;
	w->path = nla_strdup(tb[SLAGUARD_TWATCH_CGROUP], GFP_KERNEL_ACCOUNT);
	if (!w->path)
		return -ENOMEM;
	if (!w->path[0]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLAGUARD_TWATCH_CGROUP],
				    "cgroup path is empty");
		return -EINVAL;
	}
	cgrp = cgroup_get_from_path(w->path);
	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLAGUARD_TWATCH_CGROUP],
				    "no such cgroup v2 directory (a path below the cgroup2 mount)");
		return PTR_ERR(cgrp);
	}
	w->cgrp = cgrp;
	return 0;
}

static u32 pick_id(const struct slg_ptrset *ws)
{
	do {
		if (++tw_next_id == 0)
			tw_next_id = 1;
	} while (slg_twatchset_find(ws, tw_next_id));
	return tw_next_id;
}

static int fill_twatch_id(struct sk_buff *skb, void *arg)
{
	struct nlattr *nest = nla_nest_start(skb, SLAGUARD_A_TASK_WATCH);

	if (!nest || nla_put_u32(skb, SLAGUARD_TWATCH_ID, *(u32 *)arg))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int parse_nest(struct genl_info *info, struct nlattr **tb)
{
	int err = need_init_net(genl_info_net(info), info->extack);

	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, SLAGUARD_A_TASK_WATCH))
		return -EINVAL;
	return nla_parse_nested(tb, SLAGUARD_TWATCH_MAX,
				info->attrs[SLAGUARD_A_TASK_WATCH],
				slg_twatch_policy, info->extack);
}

int slg_add_task_watch(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLAGUARD_TWATCH_MAX + 1];
	struct slg_ptrset *old, *ws;
	struct slg_twatch *w;
	u32 id;
	int err;

	err = parse_nest(info, tb);
	if (err)
		return err;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		return -ENOMEM;
	err = parse_twatch(info, tb, w);
	if (err)
		goto err_free;

	mutex_lock(&slg_tw_mutex);
	err = need_running(info->extack);
	if (err)
		goto err_unlock;
	old = rcu_dereference_protected(slg_twatches,
					lockdep_is_held(&slg_tw_mutex));
	if (old && old->n >= SLAGUARD_MAX_TASK_WATCHES) {
		NL_SET_ERR_MSG(info->extack,
			       "task watch table full: delete a task watch first");
		err = -ENOSPC;
		goto err_unlock;
	}
	if (w->id && slg_twatchset_find(old, w->id)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLAGUARD_TWATCH_ID],
				    "a task watch with this id exists");
		err = -EEXIST;
		goto err_unlock;
	}
	if (!w->id)
		w->id = pick_id(old);
	ws = slg_ptrset_add(old, w);
	if (!ws) {
		err = -ENOMEM;
		goto err_unlock;
	}
	rcu_assign_pointer(slg_twatches, ws);
	slg_tw_gen++;
	id = w->id;
	/* From here fork and exec keep the set current; seed it once. */
	slg_twatch_seed(w);
	mutex_unlock(&slg_tw_mutex);
	if (old)
		kfree_rcu(old, rcu);
	return reply_with(info, SLAGUARD_CMD_ADD_TASK_WATCH, NLMSG_GOODSIZE,
			  fill_twatch_id, &id);

err_unlock:
	mutex_unlock(&slg_tw_mutex);
err_free:
	slg_twatch_free(w);
	return err;
}

int slg_del_task_watch(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLAGUARD_TWATCH_MAX + 1];
	struct slg_ptrset *old, *ws;
	struct slg_twatch *removed;
	u32 id;
	int err;

	err = parse_nest(info, tb);
	if (err)
		return err;
	if (!tb[SLAGUARD_TWATCH_ID]) {
		NL_SET_ERR_MSG(info->extack,
			       "deleting needs SLAGUARD_TWATCH_ID");
		return -EINVAL;
	}
	id = nla_get_u32(tb[SLAGUARD_TWATCH_ID]);

	mutex_lock(&slg_tw_mutex);
	err = need_running(info->extack);
	if (err)
		goto out;
	old = rcu_dereference_protected(slg_twatches,
					lockdep_is_held(&slg_tw_mutex));
	ws = slg_twatchset_del(old, id, &removed);
	if (IS_ERR(ws)) {
		err = PTR_ERR(ws);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SLAGUARD_TWATCH_ID],
					    "no task watch with this id");
		goto out;
	}
	rcu_assign_pointer(slg_twatches, ws->n ? ws : NULL);
	slg_tw_gen++;
	/* No probe still tracks a process for the old watch after this. */
	synchronize_rcu();
	slg_twatch_forget(id);
	if (!ws->n)
		kfree(ws);
	kfree(old);
	slg_twatch_free_rcu(removed);
out:
	mutex_unlock(&slg_tw_mutex);
	return err;
}

static int fill_cgroup(struct sk_buff *skb, const struct slg_twatch *w)
{
	if (nla_put_string(skb, SLAGUARD_TWATCH_CGROUP, w->path) ||
	    nla_put_u64_64bit(skb, SLAGUARD_TWATCH_FORKS,
			      atomic64_read(&w->forks), SLAGUARD_TWATCH_PAD) ||
	    nla_put_u32(skb, SLAGUARD_TWATCH_CPU_PCT, READ_ONCE(w->cpu_pct)) ||
	    nla_put_u64_64bit(skb, SLAGUARD_TWATCH_FORK_RATE,
			      READ_ONCE(w->fork_rate), SLAGUARD_TWATCH_PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill_twatch(struct sk_buff *skb, struct slg_twatch *w)
{
	struct nlattr *nest = nla_nest_start(skb, SLAGUARD_A_TASK_WATCH);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, SLAGUARD_TWATCH_ID, w->id) ||
	    (w->type == SLG_TW_PID &&
	     nla_put_u32(skb, SLAGUARD_TWATCH_PID, w->pid)) ||
	    (w->type == SLG_TW_COMM &&
	     nla_put_string(skb, SLAGUARD_TWATCH_COMM, w->comm)) ||
	    (w->type == SLG_TW_CGROUP && fill_cgroup(skb, w)) ||
	    nla_put_u32(skb, SLAGUARD_TWATCH_TASKS,
			max(atomic_read(&w->tasks), 0))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void *dump_header(struct sk_buff *skb, struct netlink_callback *cb,
			 u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &slg_genl_family, NLM_F_MULTI, cmd);
}

/* cb->args[0]: index of the next watch to send, [1]: checked. */
int slg_dump_task_watches(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct slg_ptrset *ws;
	unsigned long i;
	int err;

	err = proc_dump_allowed(cb, &cb->args[1]);
	if (err)
		return err;
	rcu_read_lock();
	ws = rcu_dereference(slg_twatches);
	cb->seq = READ_ONCE(slg_tw_gen);
	for (i = cb->args[0]; ws && i < ws->n; i++) {
		void *hdr = dump_header(skb, cb, SLAGUARD_CMD_GET_TASK_WATCH);

		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (fill_twatch(skb, ws->p[i])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = i;
	return skb->len;
}

static int fill_tracked(struct sk_buff *skb, const struct slg_tracked_info *e)
{
	struct slg_task_ev t = {
		.pid = e->tgid,
		.watch_id = e->watch_id,
	};
	struct nlattr *nest;

	if (e->has_sample) {
		t.ppid = e->last.ppid;
		t.uid = e->last.uid;
		t.comm = e->last.comm;
		t.sample = &e->last;
	}
	nest = nla_nest_start(skb, SLAGUARD_A_TASK);
	if (!nest)
		return -EMSGSIZE;
	if (slg_task_fill(skb, &t)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Entries copied under slg_tasks_lock at a time: the fork, exec and exit
 * probes take the lock, so the reply is filled outside it.
 */
#define SLG_TASKS_BATCH	16

/*
 * cb->args[0], [1]: struct slg_tasks_cursor after the last entry sent;
 * [2]: checked. Each process is reported as it was at one moment; the list as a whole
 * is not a snapshot (processes come and go while it is read), but every
 * process tracked from the first call to the last is in it once.
 */
int slg_dump_tasks(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct slg_tasks_cursor cur = { cb->args[0], cb->args[1] }, next;
	struct slg_tracked_info *batch;
	unsigned int i, n;
	int err;

	err = proc_dump_allowed(cb, &cb->args[2]);
	if (err)
		return err;
	batch = kmalloc_array(SLG_TASKS_BATCH, sizeof(*batch),
			      GFP_KERNEL_ACCOUNT);
	if (!batch)
		return -ENOMEM;
	do {
		next = cur;
		n = slg_tracked_batch(&next, batch, SLG_TASKS_BATCH);
		for (i = 0; i < n; i++) {
			void *hdr = dump_header(skb, cb, SLAGUARD_CMD_GET_TASKS);

			if (!hdr)
				goto out;
			if (fill_tracked(skb, &batch[i])) {
				genlmsg_cancel(skb, hdr);
				goto out;
			}
			genlmsg_end(skb, hdr);
			cur = batch[i].at;
		}
		cur = next;
	} while (n == SLG_TASKS_BATCH);
out:
	kfree(batch);
	cb->args[0] = cur.bkt;
	cb->args[1] = cur.key;
	return skb->len;
}

/* ---- system and settings ---- */

static int fill_system(struct sk_buff *skb, void *arg)
{
	return slg_sched_fill_system(skb);
}

int slg_get_system(struct sk_buff *skb, struct genl_info *info)
{
	int err = need_init_net(genl_info_net(info), info->extack);

	if (err)
		return err;
	mutex_lock(&slg_tw_mutex);
	err = need_running(info->extack);
	if (!err)
		err = reply_with(info, SLAGUARD_CMD_GET_SYSTEM,
				 slg_sched_system_size(num_possible_cpus()),
				 fill_system, NULL);
	mutex_unlock(&slg_tw_mutex);
	return err;
}

int slg_set_sched(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLAGUARD_SCHED_MAX + 1];
	int err = need_init_net(genl_info_net(info), info->extack);

	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, SLAGUARD_A_SCHED))
		return -EINVAL;
	err = nla_parse_nested(tb, SLAGUARD_SCHED_MAX,
			       info->attrs[SLAGUARD_A_SCHED], slg_sched_policy,
			       info->extack);
	if (err)
		return err;
	mutex_lock(&slg_tw_mutex);
	err = need_running(info->extack);
	if (!err && tb[SLAGUARD_SCHED_PERIOD_MS])
		slg_sched_set_period(nla_get_u32(tb[SLAGUARD_SCHED_PERIOD_MS]));
	mutex_unlock(&slg_tw_mutex);
	return err;
}
