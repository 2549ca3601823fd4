// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "output.h"
#include "threshold.h"

const char threshold_usage[] =
	"Usage: " PROG " [-j] threshold show\n"
	"       " PROG " threshold set [window MS] [holdoff MS] [portscan PORTS]\n"
	"                              [syn-half-open N] [conn-rate N]\n"
	"                              [bandwidth BYTES_PER_S] [icmp-rate N]\n"
	"                              [watch-events N] [cpu PERCENT]\n"
	"                              [cpu-samples N] [runq-delay MS_PER_S]\n"
	"                              [fork-rate N] [mem-rss BYTES]\n"
	"                              [proc-events N] [dst-half-open N]\n"
	"                              [slow-ports N] [slow-window MS]\n"
	"\n"
	"Rates are per second over a sliding window of 'window' ms (100-60000); an\n"
	"event repeats at most once per 'holdoff' ms (100-3600000) for the same\n"
	"source and kind. 0 turns a detector off. bandwidth takes k, M, G or T\n"
	"(powers of 1000), e.g. 125M. Values not given keep their setting.\n"
	"dst-half-open: half-open TCP connections per window to one local address\n"
	"and port, from any sources (a SYN flood with forged sources).\n"
	"slow-ports: distinct ports one source probes within 'slow-window' ms\n"
	"(60000-3600000; at most 1000 ports): a slow scan.\n"
	"\n"
	"The system monitor's detectors (watched processes, see 'watch add task';\n"
	"the initial network namespace's values apply): cpu (%% of one CPU) for\n"
	"cpu-samples samples in a row, runq-delay (ms per second spent waiting to\n"
	"run), fork-rate (processes/s per cgroup watch), mem-rss (resident bytes,\n"
	"k/M/G/T), proc-events (PROC_EXEC/PROC_EXIT events per second).\n"
	"\n"
	"ns-forward-rate (initial network namespace only, default 200): events per\n"
	"second each other namespace may forward to the initial namespace's\n"
	"listeners; 0 forwards none. What another namespace forwards is judged by\n"
	"the initial namespace's thresholds, whatever it set for itself.\n";

static const struct thr_field {
	uint16_t attr;
	const char *key;	/* command-line keyword */
	const char *json;	/* JSON key */
	const char *unit;	/* for people */
	uint64_t min;
	uint64_t max;
} fields[] = {
	{ SLAGUARD_THR_WINDOW_MS, "window", "window_ms", "ms",
	  SLAGUARD_WINDOW_MS_MIN, SLAGUARD_WINDOW_MS_MAX },
	{ SLAGUARD_THR_HOLDOFF_MS, "holdoff", "holdoff_ms", "ms",
	  SLAGUARD_HOLDOFF_MS_MIN, SLAGUARD_HOLDOFF_MS_MAX },
	{ SLAGUARD_THR_PORTSCAN_PORTS, "portscan", "portscan_ports",
	  "ports per window", 0, UINT32_MAX },
	{ SLAGUARD_THR_SYN_HALF_OPEN, "syn-half-open", "syn_half_open",
	  "half-open per window", 0, UINT32_MAX },
	{ SLAGUARD_THR_CONN_RATE, "conn-rate", "conn_rate", "SYN/s",
	  0, UINT32_MAX },
	{ SLAGUARD_THR_BANDWIDTH_BPS, "bandwidth", "bandwidth_bps", "bytes/s",
	  0, UINT64_MAX },
	{ SLAGUARD_THR_ICMP_RATE, "icmp-rate", "icmp_rate", "packets/s",
	  0, UINT32_MAX },
	{ SLAGUARD_THR_WATCH_EVENTS, "watch-events", "watch_events",
	  "events/s per watch", 0, UINT32_MAX },
	{ SLAGUARD_THR_CPU_PCT, "cpu", "cpu_pct", "% of one CPU",
	  0, UINT32_MAX },
	{ SLAGUARD_THR_CPU_SAMPLES, "cpu-samples", "cpu_samples",
	  "samples in a row", 1, UINT32_MAX },
	{ SLAGUARD_THR_RUNQ_DELAY_MS, "runq-delay", "runq_delay_ms",
	  "ms per second", 0, UINT32_MAX },
	{ SLAGUARD_THR_FORK_RATE, "fork-rate", "fork_rate",
	  "processes/s per cgroup", 0, UINT32_MAX },
	{ SLAGUARD_THR_MEM_RSS, "mem-rss", "mem_rss", "bytes", 0, UINT64_MAX },
	{ SLAGUARD_THR_PROC_EVENTS, "proc-events", "proc_events",
	  "events/s", 0, UINT32_MAX },
	{ SLAGUARD_THR_DST_HALF_OPEN, "dst-half-open", "dst_half_open",
	  "half-open per window per destination", 0, UINT32_MAX },
	{ SLAGUARD_THR_SLOW_PORTS, "slow-ports", "slow_ports",
	  "ports per slow window", 0, 1000 },
	{ SLAGUARD_THR_SLOW_WINDOW_MS, "slow-window", "slow_window_ms", "ms",
	  SLAGUARD_SLOW_WINDOW_MS_MIN, SLAGUARD_SLOW_WINDOW_MS_MAX },
	{ SLAGUARD_THR_NS_FORWARD_RATE, "ns-forward-rate", "ns_forward_rate",
	  "events/s per namespace", 0, UINT32_MAX },
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const struct thr_field *find_field(const char *key)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(key, fields[i].key) == 0)
			return &fields[i];
	return NULL;
}

static int parse_value(const struct thr_field *f, const char *s, uint64_t *v,
		       struct sg_error *e)
{
	if (sg_thr_is_u64(f->attr))
		return sg_parse_bytes(f->key, s, v, e);
	return sg_parse_u64(f->key, s, f->min, f->max, v, e);
}

int sg_thr_parse_set(int argc, char **argv, struct sg_thresholds *t,
		     struct sg_error *e)
{
	int i, ret;

	memset(t, 0, sizeof(*t));
	if (argc == 0)
		return sg_usage(e, "'threshold set' needs at least one KEY VALUE pair, e.g. threshold set conn-rate 200; keys: window, holdoff, portscan, syn-half-open, conn-rate, bandwidth, icmp-rate, watch-events, cpu, cpu-samples, runq-delay, fork-rate, mem-rss, proc-events, dst-half-open, slow-ports, slow-window");
	for (i = 0; i < argc; i += 2) {
		const struct thr_field *f = find_field(argv[i]);

		if (!f)
			return sg_usage(e, "unknown argument '%s' for 'threshold set'; expected: window, holdoff, portscan, syn-half-open, conn-rate, bandwidth, icmp-rate, watch-events, cpu, cpu-samples, runq-delay, fork-rate, mem-rss, proc-events, dst-half-open, slow-ports or slow-window",
					argv[i]);
		if (t->present & (1ULL << f->attr))
			return sg_usage(e, "'%s' is given twice", f->key);
		if (i + 1 >= argc)
			return sg_usage(e, "'%s' needs a value (%s)", f->key,
					f->unit);
		ret = parse_value(f, argv[i + 1], &t->val[f->attr], e);
		if (ret < 0)
			return ret;
		t->present |= 1ULL << f->attr;
	}
	return 0;
}

static const enum mnl_attr_data_type thr_types[SLAGUARD_THR_MAX + 1] = {
	[SLAGUARD_THR_WINDOW_MS] = MNL_TYPE_U32,
	[SLAGUARD_THR_HOLDOFF_MS] = MNL_TYPE_U32,
	[SLAGUARD_THR_PORTSCAN_PORTS] = MNL_TYPE_U32,
	[SLAGUARD_THR_SYN_HALF_OPEN] = MNL_TYPE_U32,
	[SLAGUARD_THR_CONN_RATE] = MNL_TYPE_U32,
	[SLAGUARD_THR_BANDWIDTH_BPS] = MNL_TYPE_U64,
	[SLAGUARD_THR_ICMP_RATE] = MNL_TYPE_U32,
	[SLAGUARD_THR_WATCH_EVENTS] = MNL_TYPE_U32,
	[SLAGUARD_THR_CPU_PCT] = MNL_TYPE_U32,
	[SLAGUARD_THR_CPU_SAMPLES] = MNL_TYPE_U32,
	[SLAGUARD_THR_RUNQ_DELAY_MS] = MNL_TYPE_U32,
	[SLAGUARD_THR_FORK_RATE] = MNL_TYPE_U32,
	[SLAGUARD_THR_MEM_RSS] = MNL_TYPE_U64,
	[SLAGUARD_THR_PROC_EVENTS] = MNL_TYPE_U32,
	[SLAGUARD_THR_DST_HALF_OPEN] = MNL_TYPE_U32,
	[SLAGUARD_THR_SLOW_PORTS] = MNL_TYPE_U32,
	[SLAGUARD_THR_SLOW_WINDOW_MS] = MNL_TYPE_U32,
	[SLAGUARD_THR_NS_FORWARD_RATE] = MNL_TYPE_U32,
};

int sg_thr_from_nest(const struct nlattr *nest, struct sg_thresholds *t,
		     struct sg_error *e)
{
	struct sg_attrs a;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (sg_attrs_parse(nest, &a, thr_types, SLAGUARD_THR_MAX + 1) < 0)
		return sg_fail(e, -EBADMSG,
			       "malformed threshold attribute %u from the kernel",
			       a.bad);
	for (i = 0; i < NFIELDS; i++) {
		uint16_t attr = fields[i].attr;

		if (sg_attrs_has(&a, attr)) {
			t->present |= 1ULL << attr;
			t->val[attr] = a.val[attr];
		}
	}
	return 0;
}

struct json_object *sg_thr_to_json(const struct sg_thresholds *t)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < NFIELDS; i++)
		if (t->present & (1ULL << fields[i].attr))
			sg_json_add_u64(o, fields[i].json,
					t->val[fields[i].attr]);
	return o;
}

static void print_text(const struct sg_thresholds *t)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct thr_field *f = &fields[i];
		uint64_t v = t->val[f->attr];

		if (!(t->present & (1ULL << f->attr)))
			continue;
		if (v == 0 && f->min == 0)
			printf("%s: 0 (off)\n", f->key);
		else
			printf("%s: %" PRIu64 " %s\n", f->key, v, f->unit);
	}
}

static int show_parse(struct ctl *c, const struct nlattr *nest, void *data)
{
	return sg_thr_from_nest(nest, data, &c->err);
}

static int thr_show(struct ctl *c, int argc, char **argv)
{
	struct sg_thresholds t;
	int ret;

	if (argc > 0)
		return sg_usage(&c->err, "'threshold show' takes no arguments, not '%s'",
				argv[0]);
	ret = ctl_get(c, SLAGUARD_CMD_GET_THRESHOLDS, SLAGUARD_A_THRESHOLDS,
		      "SLAGUARD_A_THRESHOLDS", show_parse, &t, "threshold show");
	if (ret < 0)
		return ret;
	if (c->json)
		return ctl_print_json(c, sg_thr_to_json(&t));
	print_text(&t);
	return 0;
}

static int thr_set(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	struct sg_thresholds t;
	int ret;

	ret = sg_thr_parse_set(argc, argv, &t, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	return ctl_talk(c, sg_thr_build_set(req, c->nl.family_id, &t), NULL,
			NULL, "threshold set");
}

static const struct ctl_cmd thr_cmds[] = {
	{ "show", thr_show, "show thresholds" },
	{ "set", thr_set, "change thresholds" },
};

int cmd_threshold(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, "threshold", thr_cmds,
			    sizeof(thr_cmds) / sizeof(thr_cmds[0]), "show",
			    threshold_usage, argc, argv);
}
