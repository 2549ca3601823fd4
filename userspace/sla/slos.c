// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - the "slos" section: bounds on measured metrics. Each metric
 * comes from one place (network estimators, the scheduler sampler,
 * application events, the event stream itself), which decides what it can
 * be aggregated over and what a component must name for it to be measured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const slo_keys[] = {
	"id", "metric", "per", "component", "max", "min", "window", "for",
	"severity", "description", NULL
};

#define PER(p)		(1u << (p))
#define NET_PERS	(PER(SLA_PER_SOURCE) | PER(SLA_PER_COMPONENT))
#define SCHED_PERS	(PER(SLA_PER_PROCESS) | PER(SLA_PER_COMPONENT))
#define APP_PERS	(PER(SLA_PER_SOURCE) | PER(SLA_PER_COMPONENT))

enum metric_source { FROM_NET, FROM_SCHED, FROM_APP, FROM_EVENTS };

static const struct metric_info {
	enum metric_source from;
	unsigned int pers;		/* PER() of what "per" may say */
	enum sla_per default_per;
} metric_info[SLA_METRIC_COUNT] = {
	[SLA_METRIC_NET_PORTSCAN_PORTS] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_NET_SYN_HALF_OPEN] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_NET_CONN_RATE] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_NET_BANDWIDTH_BPS] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_NET_ICMP_RATE] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	/* half-open connections to one destination, from sources that may be
	 * forged: a value of the destination, never of a source */
	[SLA_METRIC_NET_DST_HALF_OPEN] = { FROM_NET, PER(SLA_PER_COMPONENT),
					   SLA_PER_COMPONENT },
	[SLA_METRIC_NET_SLOW_PORTSCAN_PORTS] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_NET_WATCH_HITS] = { FROM_NET, NET_PERS, SLA_PER_SOURCE },
	[SLA_METRIC_SCHED_CPU_PERCENT] = { FROM_SCHED, SCHED_PERS, SLA_PER_COMPONENT },
	[SLA_METRIC_SCHED_RUNQ_DELAY_MS] = { FROM_SCHED, SCHED_PERS, SLA_PER_COMPONENT },
	/* processes started: a rate of the component, not of one process */
	[SLA_METRIC_SCHED_FORK_RATE] = { FROM_SCHED, PER(SLA_PER_COMPONENT),
					 SLA_PER_COMPONENT },
	[SLA_METRIC_SCHED_RSS_BYTES] = { FROM_SCHED, SCHED_PERS, SLA_PER_COMPONENT },
	[SLA_METRIC_APP_ACCESS_VIOLATIONS] = { FROM_APP, APP_PERS, SLA_PER_COMPONENT },
	[SLA_METRIC_EVENTS_LOST] = { FROM_EVENTS, 0, SLA_PER_NONE },
};

/* "source or component" for messages, from the PER() mask. */
static void pers_text(unsigned int pers, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int p = SLA_PER_SOURCE; p <= SLA_PER_PROCESS && used < len; p++) {
		int w;

		if (!(pers & PER(p)))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
			     sla_per_name((enum sla_per)p));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int read_per(struct sla_ctx *c, yaml_node_t *map, struct sla_slo *slo)
{
	const struct metric_info *info = &metric_info[slo->metric];
	int per = info->default_per, ret;
	char allowed[64], expected[160];

	ret = sla_get(c, map, "per", false, &sla_t_per, &per);
	if (ret <= 0) {
		slo->per = info->default_per;
		return ret;
	}
	slo->per = (enum sla_per)per;
	if (info->pers & PER(per))
		return 0;
	sla_path_key(c, "per");
	pers_text(info->pers, allowed, sizeof(allowed));
	if (!info->pers)
		snprintf(expected, sizeof(expected), "no per for %s (it is one "
			 "value for the host)", sla_metric_name(slo->metric));
	else
		snprintf(expected, sizeof(expected), "%s for %s", allowed,
			 sla_metric_name(slo->metric));
	return sla_fail_node(c, sla_find(c, map, "per"), expected);
}

static bool has_tasks(const struct sla_component *comp)
{
	return comp && (comp->n_processes || comp->n_cgroups);
}

/* Scheduler metrics measure processes, so the component must name some. */
static int check_scope(struct sla_ctx *c, yaml_node_t *map,
		       yaml_node_t *comp, struct sla_slo *slo)
{
	enum metric_source from = metric_info[slo->metric].from;
	char expected[160];

	if (comp && from == FROM_EVENTS) {
		sla_path_key(c, "component");
		return sla_fail_node(c, comp, "no component for events.lost "
				     "(events are lost for the whole host)");
	}
	if (from != FROM_SCHED)
		return 0;
	if (comp && !has_tasks(slo->component)) {
		sla_path_key(c, "component");
		snprintf(expected, sizeof(expected), "a component with "
			 "processes or cgroups (%s measures processes)",
			 sla_metric_name(slo->metric));
		return sla_fail_node(c, comp, expected);
	}
	if (!comp && slo->per == SLA_PER_PROCESS) {
		sla_path_key(c, "component");
		return sla_fail(c, map, "a component with processes or "
				"cgroups (per: process needs one)", "nothing");
	}
	return 0;
}

static int read_scope(struct sla_ctx *c, yaml_node_t *map,
		      struct sla_slo *slo)
{
	yaml_node_t *comp = NULL;
	int ret = read_per(c, map, slo);

	if (ret >= 0)
		ret = sla_get(c, map, "component", false, &sla_t_node, &comp);
	if (ret > 0 && metric_info[slo->metric].from != FROM_EVENTS) {
		size_t saved = sla_path_key(c, "component");

		ret = sla_need_component(c, comp, &slo->component);
		if (ret)
			return ret;
		sla_path_restore(c, saved);
	}
	if (ret < 0)
		return ret;
	return check_scope(c, map, comp, slo);
}

/*
 * The module compares integer estimates with integer thresholds: a bound
 * it is sent must fit its attribute (u32, or u64 for bandwidth).
 */
static double module_max(enum sla_metric metric)
{
	if (!sla_metric_threshold_attr(metric))
		return 0;
	if (metric == SLA_METRIC_NET_BANDWIDTH_BPS)
		return 9007199254740991.0;	/* 2^53 - 1: exact in a double */
	return 4294967294.0;			/* +1 must fit a u32 */
}

static int read_bounds(struct sla_ctx *c, yaml_node_t *map,
		       struct sla_slo *slo)
{
	double limit = module_max(slo->metric);
	char expected[128];
	int ret;

	ret = sla_get(c, map, "max", false, &sla_t_number, &slo->max);
	slo->has_max = ret > 0;
	if (ret >= 0)
		ret = sla_get(c, map, "min", false, &sla_t_number, &slo->min);
	slo->has_min = ret > 0;
	if (ret < 0)
		return ret;
	if (!slo->has_max && !slo->has_min) {
		sla_path_key(c, "max");
		return sla_fail(c, map, "a max and/or a min bound", "nothing");
	}
	if (slo->has_max && limit && slo->max > limit) {
		sla_path_key(c, "max");
		snprintf(expected, sizeof(expected), "at most %.0f for %s (the "
			 "module's limit)", limit, sla_metric_name(slo->metric));
		return sla_fail_node(c, sla_find(c, map, "max"), expected);
	}
	if (slo->has_max && slo->has_min && slo->min > slo->max) {
		sla_path_key(c, "min");
		snprintf(expected, sizeof(expected), "a min no greater than "
			 "max (%.15g)", slo->max);
		return sla_fail_node(c, sla_find(c, map, "min"), expected);
	}
	return 0;
}

/* "window" bounds an aggregate; "for" how long a bound may be exceeded. */
static int read_window(struct sla_ctx *c, yaml_node_t *map,
		       struct sla_slo *slo)
{
	yaml_node_t *window = sla_find(c, map, "window");
	yaml_node_t *sustain = sla_find(c, map, "for");
	yaml_node_t *n = window ? window : sustain;
	int ret;

	if (window && sustain) {
		sla_path_key(c, "for");
		return sla_fail(c, sustain, "either window or for", "both");
	}
	slo->window_ms = c->sla->defaults.window_ms;
	if (!n)
		return 0;
	slo->window_given = true;
	slo->sustained = sustain != NULL;
	ret = sla_get(c, map, window ? "window" : "for", true, &sla_t_duration,
		      &slo->window_ms);
	if (ret < 0)
		return ret;
	if (slo->window_ms == 0) {
		sla_path_key(c, window ? "window" : "for");
		return sla_fail_node(c, n, "a duration greater than 0");
	}
	return 0;
}

/*
 * A slow scan is counted by the module over its long window, which is this
 * SLO's window: it must be one the module takes, and "for" (a sustained
 * bound over the short window) means nothing here.
 */
static int read_slow_window(struct sla_ctx *c, yaml_node_t *map,
			    struct sla_slo *slo)
{
	yaml_node_t *window = sla_find(c, map, "window");
	yaml_node_t *sustain = sla_find(c, map, "for");

	if (sustain) {
		sla_path_key(c, "for");
		return sla_fail(c, sustain, "a window (net.slow_portscan_ports "
				"is counted over the module's long window)",
				"for");
	}
	if (!window) {
		slo->window_ms = SLA_DEFAULT_SLOW_WINDOW_MS;
		return 0;
	}
	if (slo->window_ms < SLAGUARD_SLOW_WINDOW_MS_MIN ||
	    slo->window_ms > SLAGUARD_SLOW_WINDOW_MS_MAX) {
		sla_path_key(c, "window");
		return sla_fail_node(c, window, "a window from 1m to 1h for "
				     "net.slow_portscan_ports (the module's "
				     "long window)");
	}
	return 0;
}

static int read_slo(struct sla_ctx *c, yaml_node_t *map, struct sla_slo *slo)
{
	int metric = 0, sev = 0;
	int ret = sla_check_map(c, map, "an SLO mapping with id, metric, "
				"component, max or min, window or for, "
				"severity", slo_keys);

	slo->line = sla_line(map);
	if (!ret)
		ret = sla_read_id(c, map, &slo->id);
	if (!ret)
		ret = sla_get(c, map, "metric", true, &sla_t_metric, &metric);
	slo->metric = (enum sla_metric)metric;
	if (ret >= 0)
		ret = read_scope(c, map, slo);
	if (!ret)
		ret = read_bounds(c, map, slo);
	if (!ret)
		ret = read_window(c, map, slo);
	if (!ret && slo->metric == SLA_METRIC_NET_SLOW_PORTSCAN_PORTS)
		ret = read_slow_window(c, map, slo);
	if (!ret)
		ret = sla_get(c, map, "severity", true, &sla_t_severity, &sev);
	slo->severity = (enum sla_severity)sev;
	if (ret >= 0)
		ret = sla_get(c, map, "description", false, &sla_t_string,
			      &slo->description);
	return ret < 0 ? ret : 0;
}

int sla_parse_slos(struct sla_ctx *c, const yaml_node_t *root)
{
	yaml_node_t *list = sla_find(c, root, "slos");
	struct sla *sla = c->sla;
	struct sla_seq s;
	int ret;

	if (!list || sla_is_null(list))
		return 0;
	ret = sla_open_seq(c, root, "slos", false, false, "a list of SLOs", &s);
	if (ret <= 0)
		return ret;
	sla->slos = calloc(s.n ? s.n : 1, sizeof(*sla->slos));
	if (!sla->slos)
		return -ENOMEM;
	sla->n_slos = s.n;
	for (size_t i = 0; i < s.n; i++) {
		ret = read_slo(c, sla_seq_item(c, &s, i), &sla->slos[i]);
		if (ret)
			return ret;
	}
	sla_close_seq(c, &s);
	return 0;
}
