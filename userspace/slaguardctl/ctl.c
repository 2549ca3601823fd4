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
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_DST_HALF_OPEN, "dst-half-open" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_SLOW_PORTS, "slow-ports" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_SLOW_WINDOW_MS, "slow-window" },
	{ SLAGUARD_A_THRESHOLDS, SLAGUARD_THR_NS_FORWARD_RATE, "ns-forward-rate" },
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

	/* The kernel's own reason, when it gave one, is the one that applies. */
	if ((ret == -EPERM || ret == -EACCES) && detail[0])
		return sg_fail(&c->err, ret, "%s: permission denied%s", what,
			       detail);
	if (ret == -EPERM || ret == -EACCES)
		return sg_fail(&c->err, ret,
			       "%s: permission denied: CAP_NET_ADMIN over this network namespace is needed (run as root)",
			       what);
	if (ret == -EOPNOTSUPP)
		return sg_fail(&c->err, ret,
			       "%s: the loaded slaguard module does not support this command%s",
			       what, detail);
	return sg_fail(&c->err, ret, "%s: %s%s", what, strerror(-ret), detail);
}

int ctl_cb_ret(int ret)
{
	if (ret == 0)
		return MNL_CB_OK;
	errno = -ret;
	return MNL_CB_ERROR;
}

struct get_state {
	struct ctl *c;
	uint16_t nest;
	int (*parse)(struct ctl *c, const struct nlattr *nest, void *data);
	void *data;
	bool got;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_state *s = data;
	const struct nlattr *nest = sg_genl_nest(nlh, s->nest);

	if (!nest)
		return MNL_CB_OK;
	s->got = true;
	return ctl_cb_ret(s->parse(s->c, nest, s->data));
}

int ctl_get(struct ctl *c, uint8_t cmd, uint16_t nest, const char *nest_name,
	    int (*parse)(struct ctl *c, const struct nlattr *nest, void *data),
	    void *data, const char *what)
{
	char req[SG_GENL_REQSIZE], missing[64];
	struct get_state s = { c, nest, parse, data, false };
	int ret;

	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	ret = ctl_talk(c, sg_genl_msg(req, c->nl.family_id,
				      SLAGUARD_GENL_VERSION, cmd, 0),
		       get_cb, &s, what);
	if (ret < 0)
		return ret;
	if (!s.got) {
		snprintf(missing, sizeof(missing), "reply without %s", nest_name);
		return ctl_bad_reply(c, what, missing);
	}
	return 0;
}

int ctl_print_json(struct ctl *c, struct json_object *o)
{
	int ret;

	if (!o)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	ret = sg_json_print(o, stdout);
	json_object_put(o);
	return ret;
}

int ctl_print_id(struct ctl *c, uint32_t id)
{
	struct json_object *o;

	if (!c->json) {
		printf("%" PRIu32 "\n", id);
		return 0;
	}
	o = json_object_new_object();
	if (o)
		sg_json_add_u64(o, "id", id);
	return ctl_print_json(c, o);
}

static int list_oom(struct ctl_list *l)
{
	return sg_fail(&l->c->err, -ENOMEM, "out of memory");
}

int ctl_list_start(struct ctl_list *l)
{
	if (l->c->json && !l->heading)
		l->array = json_object_new_array();
	else
		l->table = sg_table_new(l->cols, l->ncols);
	return l->array || l->table ? 0 : list_oom(l);
}

int ctl_list_add_row(struct ctl_list *l, const char *const *cells)
{
	if (sg_table_add(l->table, cells) < 0)
		return list_oom(l);
	l->n++;
	return 0;
}

int ctl_list_add_json(struct ctl_list *l, struct json_object *o)
{
	if (!o)
		return list_oom(l);
	if (json_object_array_add(l->array, o) < 0) {
		json_object_put(o);
		return list_oom(l);
	}
	l->n++;
	return 0;
}

int ctl_list_end(struct ctl_list *l, int ret)
{
	if (ret < 0 && l->heading) {
		/* An older module or another namespace: nothing to add. */
		l->c->err.msg[0] = '\0';
		ret = 0;
	} else if (ret == 0 && l->array) {
		ret = sg_json_print(l->array, stdout);
	} else if (ret == 0 && (!l->heading || l->n)) {
		if (l->heading)
			fputs(l->heading, stdout);
		sg_table_print(l->table, stdout);
	}
	json_object_put(l->array);
	sg_table_free(l->table);
	l->array = NULL;
	l->table = NULL;
	return ret;
}

int ctl_list_dump(struct ctl_list *l, uint8_t cmd, mnl_cb_t cb,
		  const char *what)
{
	char req[SG_GENL_REQSIZE];
	struct ctl *c = l->c;
	int ret;

	ret = ctl_open(c, NULL);
	if (ret == 0)
		ret = ctl_list_start(l);
	if (ret < 0)
		return ret;
	ret = ctl_talk(c, sg_genl_msg(req, c->nl.family_id,
				      SLAGUARD_GENL_VERSION, cmd, NLM_F_DUMP),
		       cb, l, what);
	return ctl_list_end(l, ret);
}
