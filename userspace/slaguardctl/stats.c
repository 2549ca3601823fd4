// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "genl_config.h"
#include "output.h"

const char stats_usage[] =
	"Usage: " PROG " [-j] stats\n"
	"\n"
	"Module counters: packets per hook, events sent, lost and suppressed, the\n"
	"source table's fill and churn, events forwarded to the initial namespace and\n"
	"those over its budget, and the last event sequence number in this network\n"
	"namespace. In the initial namespace the counters are module-wide; elsewhere\n"
	"they are the namespace's own, with its share of the table as capacity.\n";

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
	[SLAGUARD_STATS_FORWARDED] = "forwarded",
	[SLAGUARD_STATS_FORWARD_SUPPRESSED] = "forward_suppressed",
	[SLAGUARD_STATS_SOURCE_OBJECTS] = "source_objects",
};

static int stats_parse(struct ctl *c, const struct nlattr *nest, void *data)
{
	struct sg_attrs *a = data;

	if (sg_attrs_parse(nest, a, sg_stats_types, SLAGUARD_STATS_MAX + 1) < 0)
		return sg_fail(&c->err, -EBADMSG,
			       "stats: the kernel sent a malformed counter %u",
			       a->bad);
	return 0;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct json_object *o = NULL;
	struct sg_attrs a;
	uint16_t i;
	int ret;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(stats_usage, stdout);
		return 0;
	}
	if (argc > 0 && !(argc == 1 && strcmp(argv[0], "show") == 0))
		return sg_usage(&c->err, "'stats' takes no arguments, not '%s'",
				argv[0]);
	ret = ctl_get(c, SLAGUARD_CMD_GET_STATS, SLAGUARD_A_STATS,
		      "SLAGUARD_A_STATS", stats_parse, &a, "stats");
	if (ret < 0)
		return ret;
	if (c->json) {
		o = json_object_new_object();
		if (!o)
			return ctl_print_json(c, NULL);
	}
	for (i = 0; i <= SLAGUARD_STATS_MAX; i++) {
		if (!stat_names[i] || !sg_attrs_has(&a, i))
			continue;
		if (o)
			sg_json_add_u64(o, stat_names[i], a.val[i]);
		else
			printf("%s: %" PRIu64 "\n", stat_names[i], a.val[i]);
	}
	return o ? ctl_print_json(c, o) : 0;
}
