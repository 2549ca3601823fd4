// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "genl.h"
#include "genl_config.h"

bool sg_thr_is_u64(unsigned int attr)
{
	return attr == SLAGUARD_THR_BANDWIDTH_BPS ||
	       attr == SLAGUARD_THR_MEM_RSS;
}

struct nlmsghdr *sg_thr_build_set(void *buf, uint16_t family_id,
				  const struct sg_thresholds *t)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint16_t a;

	nlh = sg_genl_msg(buf, family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_SET_THRESHOLDS, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_THRESHOLDS);
	for (a = 1; a <= SLAGUARD_THR_MAX; a++) {
		if (!(t->present & (1ULL << a)))
			continue;
		if (sg_thr_is_u64(a))
			mnl_attr_put_u64(nlh, a, t->val[a]);
		else
			mnl_attr_put_u32(nlh, a, (uint32_t)t->val[a]);
	}
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

size_t sg_addr_len(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

static void put_prefix(struct nlmsghdr *nlh, uint16_t addr_type,
		       uint16_t plen_type, const struct sg_prefix *p)
{
	mnl_attr_put(nlh, addr_type, sg_addr_len(p->family), p->addr.b);
	mnl_attr_put_u8(nlh, plen_type, p->plen);
}

struct nlmsghdr *sg_watch_build_add(void *buf, uint16_t family_id,
				    const struct sg_watch *w)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = sg_genl_msg(buf, family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_ADD_WATCH, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_WATCH);
	if (w->id)
		mnl_attr_put_u32(nlh, SLAGUARD_WATCH_ID, w->id);
	if (w->family)
		mnl_attr_put_u8(nlh, SLAGUARD_WATCH_FAMILY, w->family);
	if (w->has_src)
		put_prefix(nlh, SLAGUARD_WATCH_SRC_ADDR, SLAGUARD_WATCH_SRC_PLEN,
			   &w->src);
	if (w->has_dst)
		put_prefix(nlh, SLAGUARD_WATCH_DST_ADDR, SLAGUARD_WATCH_DST_PLEN,
			   &w->dst);
	if (w->has_proto && w->proto)
		mnl_attr_put_u8(nlh, SLAGUARD_WATCH_PROTO, w->proto);
	if (w->has_ports) {
		mnl_attr_put_u16(nlh, SLAGUARD_WATCH_PORT_MIN, w->port_min);
		mnl_attr_put_u16(nlh, SLAGUARD_WATCH_PORT_MAX, w->port_max);
	}
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_DIRECTION, w->dir);
	mnl_attr_put_u8(nlh, SLAGUARD_WATCH_ACTION, w->action);
	if (w->action == SLAGUARD_WATCH_SAMPLE)
		mnl_attr_put_u32(nlh, SLAGUARD_WATCH_SAMPLE_N, w->sample_n);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

struct nlmsghdr *sg_build_nest_u32(void *buf, uint16_t family_id, uint8_t cmd,
				   uint16_t nest, uint16_t type, uint32_t v)
{
	struct nlmsghdr *nlh;
	struct nlattr *start;

	nlh = sg_genl_msg(buf, family_id, SLAGUARD_GENL_VERSION, cmd, 0);
	start = mnl_attr_nest_start(nlh, nest);
	mnl_attr_put_u32(nlh, type, v);
	mnl_attr_nest_end(nlh, start);
	return nlh;
}

struct nlmsghdr *sg_watch_build_del(void *buf, uint16_t family_id, uint32_t id)
{
	return sg_build_nest_u32(buf, family_id, SLAGUARD_CMD_DEL_WATCH,
				 SLAGUARD_A_WATCH, SLAGUARD_WATCH_ID, id);
}

struct nlmsghdr *sg_twatch_build_add(void *buf, uint16_t family_id,
				     const struct sg_twatch *w)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = sg_genl_msg(buf, family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_ADD_TASK_WATCH, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_TASK_WATCH);
	if (w->id)
		mnl_attr_put_u32(nlh, SLAGUARD_TWATCH_ID, w->id);
	if (w->pid)
		mnl_attr_put_u32(nlh, SLAGUARD_TWATCH_PID, w->pid);
	if (w->comm[0])
		mnl_attr_put_strz(nlh, SLAGUARD_TWATCH_COMM, w->comm);
	if (w->cgroup[0])
		mnl_attr_put_strz(nlh, SLAGUARD_TWATCH_CGROUP, w->cgroup);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

struct nlmsghdr *sg_twatch_build_del(void *buf, uint16_t family_id,
				     uint32_t id)
{
	return sg_build_nest_u32(buf, family_id, SLAGUARD_CMD_DEL_TASK_WATCH,
				 SLAGUARD_A_TASK_WATCH, SLAGUARD_TWATCH_ID, id);
}

static const enum mnl_attr_data_type twatch_types[SLAGUARD_TWATCH_MAX + 1] = {
	[SLAGUARD_TWATCH_ID] = MNL_TYPE_U32,
	[SLAGUARD_TWATCH_PID] = MNL_TYPE_U32,
	[SLAGUARD_TWATCH_COMM] = MNL_TYPE_NUL_STRING,
	[SLAGUARD_TWATCH_CGROUP] = MNL_TYPE_NUL_STRING,
	[SLAGUARD_TWATCH_TASKS] = MNL_TYPE_U32,
	[SLAGUARD_TWATCH_FORKS] = MNL_TYPE_U64,
	[SLAGUARD_TWATCH_CPU_PCT] = MNL_TYPE_U32,
	[SLAGUARD_TWATCH_FORK_RATE] = MNL_TYPE_U64,
};

int sg_twatch_decode(const struct nlattr *nest, struct sg_twatch *w)
{
	struct sg_attrs a;

	memset(w, 0, sizeof(*w));
	if (sg_attrs_parse(nest, &a, twatch_types, SLAGUARD_TWATCH_MAX + 1) < 0)
		return -EBADMSG;
	w->id = (uint32_t)a.val[SLAGUARD_TWATCH_ID];
	w->pid = (uint32_t)a.val[SLAGUARD_TWATCH_PID];
	if (sg_attrs_has(&a, SLAGUARD_TWATCH_COMM))
		snprintf(w->comm, sizeof(w->comm), "%s",
			 mnl_attr_get_str(a.raw[SLAGUARD_TWATCH_COMM]));
	if (sg_attrs_has(&a, SLAGUARD_TWATCH_CGROUP))
		snprintf(w->cgroup, sizeof(w->cgroup), "%s",
			 mnl_attr_get_str(a.raw[SLAGUARD_TWATCH_CGROUP]));
	w->has_tasks = sg_attrs_has(&a, SLAGUARD_TWATCH_TASKS);
	w->tasks = (uint32_t)a.val[SLAGUARD_TWATCH_TASKS];
	w->has_forks = sg_attrs_has(&a, SLAGUARD_TWATCH_FORKS);
	w->forks = a.val[SLAGUARD_TWATCH_FORKS];
	w->has_cgroup_rates = sg_attrs_has(&a, SLAGUARD_TWATCH_CPU_PCT);
	w->cpu_pct = (uint32_t)a.val[SLAGUARD_TWATCH_CPU_PCT];
	w->fork_rate = a.val[SLAGUARD_TWATCH_FORK_RATE];
	return 0;
}

const enum mnl_attr_data_type sg_stats_types[SLAGUARD_STATS_MAX + 1] = {
	[SLAGUARD_STATS_PKTS_IN] = MNL_TYPE_U64,
	[SLAGUARD_STATS_PKTS_FORWARD] = MNL_TYPE_U64,
	[SLAGUARD_STATS_PKTS_OUT] = MNL_TYPE_U64,
	[SLAGUARD_STATS_BYTES] = MNL_TYPE_U64,
	[SLAGUARD_STATS_EVENTS_SENT] = MNL_TYPE_U64,
	[SLAGUARD_STATS_EVENTS_LOST] = MNL_TYPE_U64,
	[SLAGUARD_STATS_EVENTS_SUPPRESSED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_SOURCES] = MNL_TYPE_U64,
	[SLAGUARD_STATS_CAPACITY] = MNL_TYPE_U64,
	[SLAGUARD_STATS_EVICTIONS] = MNL_TYPE_U64,
	[SLAGUARD_STATS_INSERT_FAILED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_EXPIRED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_WATCH_HITS] = MNL_TYPE_U64,
	[SLAGUARD_STATS_MALFORMED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_LAST_SEQ] = MNL_TYPE_U64,
	[SLAGUARD_STATS_FORWARDED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_FORWARD_SUPPRESSED] = MNL_TYPE_U64,
	[SLAGUARD_STATS_SOURCE_OBJECTS] = MNL_TYPE_U64,
};
