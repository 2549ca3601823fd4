// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int ctl_dispatch(struct ctl *c, const char *object, const struct ctl_cmd *cmds,
		 size_t ncmds, const char *dflt, const char *usage,
		 int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : dflt;
	char list[128] = "";
	size_t i;

	if (strcmp(name, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 0; i < ncmds; i++) {
		if (strcmp(name, cmds[i].name) == 0)
			return cmds[i].fn(c, argc > 0 ? argc - 1 : 0,
					  argc > 0 ? argv + 1 : argv);
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", cmds[i].name);
	}
	return sg_usage(&c->err, "unknown command '%s %s'; '%s' takes: %s",
			object, name, object, list);
}

int ctl_open(struct ctl *c, const char *mcgrp)
{
	int ret;

	if (c->open)
		return 0;
	ret = sg_genl_open(&c->nl, CTL_FAMILY, mcgrp);
	if (ret == -ENOENT)
		return sg_fail(&c->err, ret,
			       "the slaguard kernel module is not loaded (generic netlink family \"%s\" not found); try: modprobe slaguard",
			       SLAGUARD_GENL_NAME);
	if (ret < 0)
		return sg_fail(&c->err, ret,
			       "cannot talk to the kernel over generic netlink: %s",
			       strerror(-ret));
	c->open = true;
	return 0;
}

void ctl_close(struct ctl *c)
{
	if (c->open)
		sg_genl_close(&c->nl);
	c->open = false;
}

int ctl_bad_reply(struct ctl *c, const char *what, const char *attr)
{
	return sg_fail(&c->err, -EBADMSG,
		       "%s: the kernel sent a malformed %s; is the module from the same slaguard version?",
		       what, attr);
}

/* The command-line word for each attribute slaguardctl sends. */
static const struct {
	uint16_t nest;
	uint16_t type;
	const char *word;
} attr_words[] = {
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_WINDOW_MS, "window" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_HOLDOFF_MS, "holdoff" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_PORTSCAN_PORTS, "portscan" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_SYN_HALF_OPEN, "syn-half-open" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_CONN_RATE, "conn-rate" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_BANDWIDTH_BPS, "bandwidth" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_ICMP_RATE, "icmp-rate" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_WATCH_EVENTS, "watch-events" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_CPU_PCT, "cpu" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_CPU_SAMPLES, "cpu-samples" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_RUNQ_DELAY_MS, "runq-delay" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_FORK_RATE, "fork-rate" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_MEM_RSS, "mem-rss" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_PROC_EVENTS, "proc-events" },
	{ SLAGUARD_A_TASK_WATCH, SLAGUARD_TWATCH_ID, "id" },
	{ SLAGUARD_A_TASK_WATCH, SLAGUARD_TWATCH_PID, "pid" },
	{ SLAGUARD_A_TASK_WATCH, SLAGUARD_TWATCH_COMM, "comm" },
	{ SLAGUARD_A_TASK_WATCH, SLAGUARD_TWATCH_CGROUP, "cgroup" },
	{ SLAGUARD_A_SCHED, SLAGUARD_SCHED_PERIOD_MS, "period" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_ID, "id" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_FAMILY, "family" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_SRC_ADDR, "src" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_SRC_PLEN, "src" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_DST_ADDR, "dst" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_DST_PLEN, "dst" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_PROTO, "proto" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_PORT_MIN, "port" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_PORT_MAX, "port" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_DIRECTION, "dir" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_ACTION, "action" },
	{ SLAGUARD_A_WATCH, SLAGUARD_WATCH_SAMPLE_N, "sample" },
};

const char *ctl_attr_word(uint16_t nest, uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(attr_words) / sizeof(attr_words[0]); i++)
		if (attr_words[i].nest == nest && attr_words[i].type == type)
			return attr_words[i].word;
	return NULL;
}

/*
 * " (kernel: MESSAGE; at 'WORD', allowed MIN-MAX)": the extended ack in the
 * words of the command line, as far as the kernel told.
 */
static void kernel_detail(const struct sg_genl *g, const struct nlmsghdr *req,
			  char *buf, size_t size)
{
	uint16_t nest, type;
	const char *word = NULL;
	size_t pos;

	if (sg_genl_err_attr(g, req, &nest, &type) == 0)
		word = ctl_attr_word(nest, type);
	if (!g->extack[0] && !word && g->miss_type < 0)
		return;
	snprintf(buf, size, " (kernel: ");
	pos = strlen(buf);
	if (g->extack[0])
		snprintf(buf + pos, size - pos, "%s", g->extack);
	else if (g->miss_type >= 0)
		snprintf(buf + pos, size - pos, "missing attribute %d",
			 g->miss_type);
	else
		snprintf(buf + pos, size - pos, "rejected");
	pos = strlen(buf);
	if (word)
		snprintf(buf + pos, size - pos, "; at '%s'", word);
	pos = strlen(buf);
	if (word && g->has_min && g->has_max)
		snprintf(buf + pos, size - pos, ", allowed %" PRIu64 "-%" PRIu64,
			 g->policy_min, g->policy_max);
	else if (word && g->has_max)
		snprintf(buf + pos, size - pos, ", at most %" PRIu64,
			 g->policy_max);
	else if (word && g->has_min)
		snprintf(buf + pos, size - pos, ", at least %" PRIu64,
			 g->policy_min);
	pos = strlen(buf);
	snprintf(buf + pos, size - pos, ")");
}

int ctl_talk(struct ctl *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     const char *what)
{
	char detail[SG_EXTACK_LEN + 96] = "";
	int ret;

	c->err.msg[0] = '\0';
	ret = sg_genl_talk(&c->nl, nlh, cb, data);
	if (ret == 0) {
		if (c->nl.dump_intr)
			fprintf(stderr, PROG ": warning: %s: the list changed while it was read and may be inconsistent; run again\n",
				what);
		return 0;
	}
	if (c->err.msg[0])
		return ret;

	kernel_detail(&c->nl, nlh, detail, sizeof(detail));

	if (ret == -EPERM || ret == -EACCES)
		return sg_fail(&c->err, ret,
			       "%s: permission denied: CAP_NET_ADMIN is needed (run as root)%s",
			       what, detail);
	if (ret == -EOPNOTSUPP)
		return sg_fail(&c->err, ret,
			       "%s: the loaded slaguard module does not support this command%s",
			       what, detail);
	return sg_fail(&c->err, ret, "%s: %s%s", what, strerror(-ret), detail);
}
