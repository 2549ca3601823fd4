// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "output.h"

const char stats_usage[] =
	"Usage: " PROG " [-j] stats\n"
	"\n"
	"Module counters: packets per hook, events sent, lost and suppressed, the\n"
	"source table's fill and churn, and the last event sequence number in this\n"
	"network namespace.\n";

static const char *const stat_names[SLAGUARD_STATS_MAX + 1] = {
	[SLAGUARD_STATS_PKTS_IN] = "pkts_in",
	[SLAGUARD_STATS_PKTS_FORWARD] = "pkts_forward",
	[SLAGUARD_STATS_PKTS_OUT] = "pkts_out",
	[SLAGUARD_STATS_BYTES] = "bytes",
	[SLAGUARD_STATS_EVENTS_SENT] = "events_sent",
	[SLAGUARD_STATS_EVENTS_LOST] = "events_lost",
	[SLAGUARD_STATS_EVENTS_SUPPRESSED] = "events_suppressed",
	[SLAGUARD_STATS_SOURCES] = "sources",
	[SLAGUARD_STATS_CAPACITY] = "capacity",
	[SLAGUARD_STATS_EVICTIONS] = "evictions",
	[SLAGUARD_STATS_INSERT_FAILED] = "insert_failed",
	[SLAGUARD_STATS_EXPIRED] = "expired",
	[SLAGUARD_STATS_WATCH_HITS] = "watch_hits",
	[SLAGUARD_STATS_MALFORMED] = "malformed",
	[SLAGUARD_STATS_LAST_SEQ] = "last_seq",
};

static const enum mnl_attr_data_type stat_types[SLAGUARD_STATS_MAX + 1] = {
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
};

struct stats_state {
	struct ctl *c;
	struct sg_attrs a;
	bool got;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_state *s = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_STATS);

	if (!nest)
		return MNL_CB_OK;
	if (sg_attrs_parse(nest, &s->a, stat_types, SLAGUARD_STATS_MAX + 1) < 0) {
		sg_fail(&s->c->err, -EBADMSG,
			"stats: the kernel sent a malformed counter %u", s->a.bad);
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	s->got = true;
	return MNL_CB_OK;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	struct stats_state s = { .c = c };
	struct json_object *o = NULL;
	struct nlmsghdr *nlh;
	uint16_t i;
	int ret;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(stats_usage, stdout);
		return 0;
	}
	if (argc > 0 && !(argc == 1 && strcmp(argv[0], "show") == 0))
		return sg_usage(&c->err, "'stats' takes no arguments, not '%s'",
				argv[0]);
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	nlh = sg_genl_msg(req, c->nl.family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_GET_STATS, 0);
	ret = ctl_talk(c, nlh, stats_cb, &s, "stats");
	if (ret < 0)
		return ret;
	if (!s.got)
		return ctl_bad_reply(c, "stats", "reply without SLAGUARD_A_STATS");

	if (c->json) {
		o = json_object_new_object();
		if (!o)
			return sg_fail(&c->err, -ENOMEM, "out of memory");
	}
	for (i = 0; i <= SLAGUARD_STATS_MAX; i++) {
		if (!stat_names[i] || !sg_attrs_has(&s.a, i))
			continue;
		if (o)
			sg_json_add_u64(o, stat_names[i], s.a.val[i]);
		else
			printf("%s: %" PRIu64 "\n", stat_names[i], s.a.val[i]);
	}
	if (o) {
		ret = sg_json_print(o, stdout);
		json_object_put(o);
	}
	return ret;
}
