// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "genl.h"
#include "genl_event.h"

static const enum mnl_attr_data_type ev_types[SLAGUARD_EV_MAX + 1] = {
	[SLAGUARD_EV_SEQ] = MNL_TYPE_U64,
	[SLAGUARD_EV_KIND] = MNL_TYPE_U32,
	[SLAGUARD_EV_TIME_NS] = MNL_TYPE_U64,
	[SLAGUARD_EV_NETNS] = MNL_TYPE_U32,
	[SLAGUARD_EV_FAMILY] = MNL_TYPE_U8,
	[SLAGUARD_EV_SRC_ADDR] = MNL_TYPE_BINARY,
	[SLAGUARD_EV_DST_ADDR] = MNL_TYPE_BINARY,
	[SLAGUARD_EV_PROTO] = MNL_TYPE_U8,
	[SLAGUARD_EV_SRC_PORT] = MNL_TYPE_U16,
	[SLAGUARD_EV_DST_PORT] = MNL_TYPE_U16,
	[SLAGUARD_EV_DIRECTION] = MNL_TYPE_U8,
	[SLAGUARD_EV_VALUE] = MNL_TYPE_U64,
	[SLAGUARD_EV_THRESHOLD] = MNL_TYPE_U64,
	[SLAGUARD_EV_WATCH_ID] = MNL_TYPE_U32,
	[SLAGUARD_EV_PACKETS] = MNL_TYPE_U64,
	[SLAGUARD_EV_BYTES] = MNL_TYPE_U64,
	[SLAGUARD_EV_PKT_RATE] = MNL_TYPE_U64,
	[SLAGUARD_EV_BYTE_RATE] = MNL_TYPE_U64,
	[SLAGUARD_EV_CONN_RATE] = MNL_TYPE_U64,
	[SLAGUARD_EV_HALF_OPEN] = MNL_TYPE_U64,
	[SLAGUARD_EV_PORTS] = MNL_TYPE_U64,
	[SLAGUARD_EV_ICMP_RATE] = MNL_TYPE_U64,
	[SLAGUARD_EV_TASK] = MNL_TYPE_NESTED,
	[SLAGUARD_EV_HANDSHAKES] = MNL_TYPE_U64,
	[SLAGUARD_EV_PROBES] = MNL_TYPE_U32,
	[SLAGUARD_EV_CGROUP_ID] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type task_types[SLAGUARD_TASK_MAX + 1] = {
	[SLAGUARD_TASK_PID] = MNL_TYPE_U32,
	[SLAGUARD_TASK_PPID] = MNL_TYPE_U32,
	[SLAGUARD_TASK_UID] = MNL_TYPE_U32,
	[SLAGUARD_TASK_COMM] = MNL_TYPE_NUL_STRING,
	[SLAGUARD_TASK_FILENAME] = MNL_TYPE_NUL_STRING,
	[SLAGUARD_TASK_EXIT_CODE] = MNL_TYPE_U32,
	[SLAGUARD_TASK_WATCH_ID] = MNL_TYPE_U32,
	[SLAGUARD_TASK_CGROUP] = MNL_TYPE_NUL_STRING,
	[SLAGUARD_TASK_PERIOD_MS] = MNL_TYPE_U32,
	[SLAGUARD_TASK_CPU_PCT] = MNL_TYPE_U32,
	[SLAGUARD_TASK_CPU_NS] = MNL_TYPE_U64,
	[SLAGUARD_TASK_RUN_DELAY_MS] = MNL_TYPE_U32,
	[SLAGUARD_TASK_RUN_DELAY_NS] = MNL_TYPE_U64,
	[SLAGUARD_TASK_NVCSW] = MNL_TYPE_U64,
	[SLAGUARD_TASK_NIVCSW] = MNL_TYPE_U64,
	[SLAGUARD_TASK_CSW_RATE] = MNL_TYPE_U64,
	[SLAGUARD_TASK_RSS] = MNL_TYPE_U64,
	[SLAGUARD_TASK_THREADS] = MNL_TYPE_U32,
};

static void copy_str(const struct sg_attrs *a, uint16_t attr, char *dst,
		     size_t size)
{
	if (!sg_attrs_has(a, attr))
		return;
	snprintf(dst, size, "%s", mnl_attr_get_str(a->raw[attr]));
}

int sg_task_decode(const struct nlattr *nest, struct sg_event *ev)
{
	struct sg_attrs a;
	unsigned int i;

	if (sg_attrs_parse(nest, &a, task_types, SLAGUARD_TASK_MAX + 1) < 0)
		return -EBADMSG;
	for (i = 0; i <= SLAGUARD_TASK_MAX; i++) {
		if (!sg_attrs_has(&a, (uint16_t)i))
			continue;
		ev->task_present |= 1ULL << i;
		ev->task_val[i] = a.val[i];
	}
	copy_str(&a, SLAGUARD_TASK_COMM, ev->comm, sizeof(ev->comm));
	copy_str(&a, SLAGUARD_TASK_FILENAME, ev->filename, sizeof(ev->filename));
	copy_str(&a, SLAGUARD_TASK_CGROUP, ev->cgroup, sizeof(ev->cgroup));
	return 0;
}

static size_t family_addr_len(uint64_t family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* An address must be 4 or 16 bytes, and agree with FAMILY when given. */
static int copy_addr(const struct sg_attrs *a, uint16_t attr, uint8_t *dst,
		     uint8_t *len)
{
	size_t n;

	if (!sg_attrs_has(a, attr))
		return 0;
	n = mnl_attr_get_payload_len(a->raw[attr]);
	if (n != 4 && n != 16)
		return -EBADMSG;
	if (sg_attrs_has(a, SLAGUARD_EV_FAMILY) &&
	    family_addr_len(a->val[SLAGUARD_EV_FAMILY]) != n)
		return -EBADMSG;
	memcpy(dst, mnl_attr_get_payload(a->raw[attr]), n);
	*len = (uint8_t)n;
	return 0;
}

static int bad(const char **why, unsigned int *bad_attr, const char *text,
	       unsigned int attr)
{
	*why = text;
	*bad_attr = attr;
	return -EBADMSG;
}

int sg_event_decode(const struct nlmsghdr *nlh, struct sg_event *ev,
		    const char **why, unsigned int *bad_attr)
{
	const struct nlattr *nest;
	struct sg_attrs a;
	unsigned int i;

	memset(ev, 0, sizeof(*ev));
	*why = NULL;
	*bad_attr = 0;
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE ||
	    sg_genl_cmd(nlh) != SLAGUARD_CMD_EVENT)
		return -ENOMSG;
	nest = sg_genl_nest(nlh, SLAGUARD_A_EVENT);
	if (!nest)
		return bad(why, bad_attr, "event without SLAGUARD_A_EVENT", 0);
	if (sg_attrs_parse(nest, &a, ev_types, SLAGUARD_EV_MAX + 1) < 0)
		return bad(why, bad_attr, "event attribute has a bad length",
			   a.bad);
	if (copy_addr(&a, SLAGUARD_EV_SRC_ADDR, ev->src, &ev->src_len) < 0)
		return bad(why, bad_attr,
			   "event source address does not fit its family",
			   SLAGUARD_EV_SRC_ADDR);
	if (copy_addr(&a, SLAGUARD_EV_DST_ADDR, ev->dst, &ev->dst_len) < 0)
		return bad(why, bad_attr,
			   "event destination address does not fit its family",
			   SLAGUARD_EV_DST_ADDR);
	/* Without FAMILY the two addresses must still be of one family. */
	if (ev->src_len && ev->dst_len && ev->src_len != ev->dst_len)
		return bad(why, bad_attr,
			   "event source and destination are of different families",
			   SLAGUARD_EV_DST_ADDR);
	/* A spoofed-source flood is about its destination, and only that. */
	if (sg_attrs_has(&a, SLAGUARD_EV_KIND) &&
	    a.val[SLAGUARD_EV_KIND] == SLAGUARD_EVENT_DST_HALF_OPEN) {
		if (!ev->dst_len)
			return bad(why, bad_attr,
				   "DST_HALF_OPEN event without a destination",
				   SLAGUARD_EV_DST_ADDR);
		if (ev->src_len)
			return bad(why, bad_attr,
				   "DST_HALF_OPEN event names a source",
				   SLAGUARD_EV_SRC_ADDR);
	}
	for (i = 0; i <= SLAGUARD_EV_MAX; i++) {
		if (!sg_attrs_has(&a, (uint16_t)i))
			continue;
		ev->present |= 1ULL << i;
		ev->val[i] = a.val[i];
	}
	if (sg_attrs_has(&a, SLAGUARD_EV_TASK) &&
	    sg_task_decode(a.raw[SLAGUARD_EV_TASK], ev) < 0)
		return bad(why, bad_attr, "malformed task in an event",
			   SLAGUARD_EV_TASK);
	return 0;
}

enum sg_seq_result sg_seq_track(struct sg_seq *s, uint64_t seq,
				uint64_t *missing, uint64_t *after)
{
	uint64_t last = s->last;
	bool started = s->started;

	s->started = true;
	s->last = seq;
	*missing = 0;
	*after = last;
	if (!started)
		return SG_SEQ_FIRST;
	if (seq == last + 1)
		return SG_SEQ_NEXT;
	if (seq > last) {
		*missing = seq - last - 1;
		return SG_SEQ_GAP;
	}
	return SG_SEQ_BACK;
}
