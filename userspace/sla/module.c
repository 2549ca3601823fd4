// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - what the kernel module is configured with, derived from the
 * SLA so the user writes policy once. Detector thresholds come from the
 * network SLOs, watches from the network deny rules: the module reports the
 * traffic, the daemon judges it against the whole rule set (allows too).
 * Task watches come from the components' processes and cgroups: the module
 * samples those processes, the daemon judges the sched.* SLOs.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

int sla_metric_threshold_attr(enum sla_metric metric)
{
	switch (metric) {
	case SLA_METRIC_NET_PORTSCAN_PORTS:
		return SLAGUARD_THR_PORTSCAN_PORTS;
	case SLA_METRIC_NET_SYN_HALF_OPEN:
		return SLAGUARD_THR_SYN_HALF_OPEN;
	case SLA_METRIC_NET_CONN_RATE:
		return SLAGUARD_THR_CONN_RATE;
	case SLA_METRIC_NET_BANDWIDTH_BPS:
		return SLAGUARD_THR_BANDWIDTH_BPS;
	case SLA_METRIC_NET_ICMP_RATE:
		return SLAGUARD_THR_ICMP_RATE;
	case SLA_METRIC_NET_DST_HALF_OPEN:
		return SLAGUARD_THR_DST_HALF_OPEN;
	case SLA_METRIC_NET_SLOW_PORTSCAN_PORTS:
		return SLAGUARD_THR_SLOW_PORTS;
	case SLA_METRIC_SCHED_FORK_RATE:
		return SLAGUARD_THR_FORK_RATE;	/* cgroup watches only */
	default:
		return 0;
	}
}

static void set_threshold(struct sla_module_config *cfg, int attr,
			  uint64_t value)
{
	cfg->thresholds[attr] = value;
	cfg->thresholds_set |= 1u << attr;
}

/*
 * The module fires when an estimate reaches its threshold, while "max: 200"
 * means 200 still complies: the threshold is the first violating integer.
 * That also keeps it above 0, which would switch the detector off.
 */
static uint64_t threshold_of(double max)
{
	return (uint64_t)floor(max) + 1;
}

/* The window the module estimates a rate or count over for this SLO. */
static uint64_t estimation_window(const struct sla *sla,
				  const struct sla_slo *slo)
{
	return slo->sustained ? sla->defaults.window_ms : slo->window_ms;
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Tightest bound per detector, shortest window: one set per namespace. */
static void derive_thresholds(const struct sla *sla,
			      struct sla_module_config *cfg)
{
	uint64_t window = 0, slow_window = 0;

	for (size_t i = 0; i < sla->n_slos; i++) {
		const struct sla_slo *slo = &sla->slos[i];
		int attr = sla_metric_threshold_attr(slo->metric);
		uint64_t thr;

		if (!attr || !slo->has_max)
			continue;
		thr = threshold_of(slo->max);
		if (!(cfg->thresholds_set & (1u << attr)) ||
		    thr < cfg->thresholds[attr])
			set_threshold(cfg, attr, thr);
		/* the window is the network estimators'; the sampler has a period */
		if (slo->metric > SLA_METRIC_NET_WATCH_HITS)
			continue;
		/* a slow scan has its own long window: the shortest asked for */
		if (slo->metric == SLA_METRIC_NET_SLOW_PORTSCAN_PORTS) {
			if (!slow_window || slo->window_ms < slow_window)
				slow_window = slo->window_ms;
			continue;
		}
		if (!window || estimation_window(sla, slo) < window)
			window = estimation_window(sla, slo);
	}
	if (!window)
		window = sla->defaults.window_ms;
	set_threshold(cfg, SLAGUARD_THR_WINDOW_MS,
		      clamp(window, SLAGUARD_WINDOW_MS_MIN,
			    SLAGUARD_WINDOW_MS_MAX));
	set_threshold(cfg, SLAGUARD_THR_HOLDOFF_MS,
		      clamp(sla->defaults.holdoff_ms, SLAGUARD_HOLDOFF_MS_MIN,
			    SLAGUARD_HOLDOFF_MS_MAX));
	if (slow_window)
		set_threshold(cfg, SLAGUARD_THR_SLOW_WINDOW_MS,
			      clamp(slow_window, SLAGUARD_SLOW_WINDOW_MS_MIN,
				    SLAGUARD_SLOW_WINDOW_MS_MAX));
	if (sla->defaults.ns_forward_rate)
		set_threshold(cfg, SLAGUARD_THR_NS_FORWARD_RATE,
			      sla->defaults.ns_forward_rate);
}

static int emit(struct sla_module_config *cfg, const struct sla_watch *w)
{
	if (cfg->n_watches >= SLAGUARD_MAX_WATCHES)
		return -E2BIG;
	cfg->watches[cfg->n_watches] = *w;
	cfg->watches[cfg->n_watches].id = (uint32_t)cfg->n_watches + 1;
	cfg->n_watches++;
	return 0;
}

static uint8_t ip_proto(enum sla_proto proto, int family)
{
	switch (proto) {
	case SLA_PROTO_TCP:
		return IPPROTO_TCP;
	case SLA_PROTO_UDP:
		return IPPROTO_UDP;
	case SLA_PROTO_ICMP:
		return family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	default:
		return 0;
	}
}

/* ICMP differs per family, so a family-less ICMP watch becomes two. */
static int emit_proto(struct sla_module_config *cfg, struct sla_watch *w,
		      enum sla_proto proto)
{
	int ret;

	if (proto != SLA_PROTO_ICMP || w->family) {
		w->proto = ip_proto(proto, w->family);
		return emit(cfg, w);
	}
	w->family = AF_INET;
	w->proto = IPPROTO_ICMP;
	ret = emit(cfg, w);
	if (ret)
		return ret;
	w->family = AF_INET6;
	w->proto = IPPROTO_ICMPV6;
	ret = emit(cfg, w);
	w->family = 0;
	return ret;
}

static int emit_ports(struct sla_module_config *cfg, struct sla_watch *w,
		      const struct sla_rule *rule)
{
	int ret;

	if (!rule->n_ports)
		return emit_proto(cfg, w, rule->proto);
	w->has_ports = true;
	for (size_t i = 0; i < rule->n_ports; i++) {
		w->port_min = rule->ports[i].min;
		w->port_max = rule->ports[i].max;
		ret = emit_proto(cfg, w, rule->proto);
		if (ret)
			return ret;
	}
	return 0;
}

static void set_prefix(struct sla_watch *w, bool dst,
		       const struct sla_prefix *p)
{
	w->family = (uint8_t)p->family;
	if (dst) {
		w->has_dst = true;
		memcpy(w->dst_addr, p->addr, sizeof(w->dst_addr));
		w->dst_plen = p->plen;
	} else {
		w->has_src = true;
		memcpy(w->src_addr, p->addr, sizeof(w->src_addr));
		w->src_plen = p->plen;
	}
}

/* One source prefix (or none) against every destination address. */
static int emit_dsts(struct sla_module_config *cfg, struct sla_watch base,
		     const struct sla_rule *rule)
{
	const struct sla_component *to = rule->to;
	int ret;

	if (!to->n_addresses)
		return emit_ports(cfg, &base, rule);
	for (size_t i = 0; i < to->n_addresses; i++) {
		struct sla_watch w = base;

		if (w.has_src && w.family != to->addresses[i].family)
			continue;
		set_prefix(&w, true, &to->addresses[i]);
		ret = emit_ports(cfg, &w, rule);
		if (ret)
			return ret;
	}
	return 0;
}

static int emit_peer(struct sla_module_config *cfg, const struct sla_watch *base,
		     const struct sla_rule *rule, const struct sla_peer *peer)
{
	struct sla_watch w = *base;
	int ret;

	if (peer->kind == SLA_PEER_ANY)
		return emit_dsts(cfg, w, rule);
	if (peer->kind == SLA_PEER_PREFIX) {
		set_prefix(&w, false, &peer->prefix);
		return emit_dsts(cfg, w, rule);
	}
	for (size_t i = 0; i < peer->component->n_addresses; i++) {
		w = *base;
		set_prefix(&w, false, &peer->component->addresses[i]);
		ret = emit_dsts(cfg, w, rule);
		if (ret)
			return ret;
	}
	return 0;
}

static int emit_rule(struct sla_module_config *cfg,
		     const struct sla_rule *rule)
{
	struct sla_watch base = {
		.rule = rule,
		.direction = SLAGUARD_DIR_IN,
		.action = SLAGUARD_WATCH_REPORT_NEW,
	};
	int ret;

	for (size_t i = 0; i < rule->n_from; i++) {
		ret = emit_peer(cfg, &base, rule, &rule->from[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* On -E2BIG, *overflow is the rule whose watches no longer fit. */
static int derive_watches(const struct sla *sla,
			  struct sla_module_config *cfg,
			  const struct sla_rule **overflow)
{
	int ret;

	for (size_t i = 0; i < sla->n_rules; i++) {
		const struct sla_rule *rule = &sla->rules[i];

		/* payload rules are judged by inspection, not by watches */
		if (!rule->deny || rule->kind != SLA_RULE_NET || rule->payload)
			continue;
		ret = emit_rule(cfg, rule);
		if (ret) {
			*overflow = rule;
			return ret;
		}
	}
	return 0;
}

/*
 * The same watches on LOCAL_OUT: what a local process sends to a denied
 * destination, which the module reports with the process's cgroup (for the
 * cgroup countermeasures). After every arriving-side watch and as far as
 * they fit: the arriving side keeps the room it always had.
 */
static void derive_out_watches(struct sla_module_config *cfg)
{
	size_t n = cfg->n_watches;

	for (size_t i = 0; i < n; i++) {
		struct sla_watch w = cfg->watches[i];

		w.direction = SLAGUARD_DIR_OUT;
		if (emit(cfg, &w)) {
			cfg->n_out_skipped = n - i;
			return;
		}
	}
}

static int emit_task(struct sla_module_config *cfg,
		     const struct sla_component *comp, const char *comm,
		     const char *cgroup)
{
	struct sla_task_watch *w;

	if (cfg->n_task_watches >= SLAGUARD_MAX_TASK_WATCHES)
		return -E2BIG;
	w = &cfg->task_watches[cfg->n_task_watches++];
	*w = (struct sla_task_watch){ .id = (uint32_t)cfg->n_task_watches,
				      .component = comp, .comm = comm,
				      .cgroup = cgroup };
	return 0;
}

/*
 * One task watch per process name and cgroup, components in file order. A
 * process two components select is the first one's: the module tracks a
 * process under the first watch that matches it.
 */
static int derive_task_watches(const struct sla *sla,
			       struct sla_module_config *cfg)
{
	int ret = 0;

	for (size_t i = 0; i < sla->n_components && !ret; i++) {
		const struct sla_component *c = &sla->components[i];

		for (size_t j = 0; j < c->n_processes && !ret; j++)
			ret = emit_task(cfg, c, c->processes[j], NULL);
		for (size_t j = 0; j < c->n_cgroups && !ret; j++)
			ret = emit_task(cfg, c, NULL, c->cgroups[j]);
	}
	return ret;
}

const struct sla_component *sla_task_watch_component(
	const struct sla_module_config *cfg, uint32_t id)
{
	if (!cfg || !id || id > cfg->n_task_watches)
		return NULL;
	return cfg->task_watches[id - 1].component;
}

int sla_to_module_config(const struct sla *sla, struct sla_module_config *cfg)
{
	const struct sla_rule *overflow;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	derive_thresholds(sla, cfg);
	ret = derive_watches(sla, cfg, &overflow);
	if (!ret)
		derive_out_watches(cfg);
	return ret ? ret : derive_task_watches(sla, cfg);
}

/* `sla check` must catch what the module would refuse on the first load. */
int sla_check_module_limits(struct sla_ctx *c)
{
	struct sla_module_config *cfg = malloc(sizeof(*cfg));
	const struct sla_rule *overflow = NULL;
	yaml_node_t *root, *rules;
	char expected[160];
	size_t index;
	int ret;

	if (!cfg)
		return -ENOMEM;
	memset(cfg, 0, sizeof(*cfg));
	ret = derive_watches(c->sla, cfg, &overflow);
	if (!ret && derive_task_watches(c->sla, cfg) == -E2BIG) {
		free(cfg);
		root = yaml_document_get_root_node(c->doc);
		sla_path_key(c, "components");
		snprintf(expected, sizeof(expected), "at most %d process names "
			 "and cgroups over all components (the module's task "
			 "watches)", SLAGUARD_MAX_TASK_WATCHES);
		return sla_fail(c, sla_find(c, root, "components"), expected,
				"more");
	}
	free(cfg);
	if (ret != -E2BIG)
		return ret;
	index = (size_t)(overflow - c->sla->rules);
	root = yaml_document_get_root_node(c->doc);
	rules = sla_find(c, root, "rules");
	sla_path_key(c, "rules");
	sla_path_index(c, index);
	snprintf(expected, sizeof(expected), "at most %d kernel watches for "
		 "all deny rules (one per source address, destination address "
		 "and port range)", SLAGUARD_MAX_WATCHES);
	return sla_fail(c, yaml_document_get_node(c->doc,
			rules->data.sequence.items.start[index]),
			expected, "more with this rule");
}
