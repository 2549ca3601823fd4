// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "slo.h"

struct slo_set {
	const struct sla *sla;
	struct slo_status *st;
	size_t n;
};

const char *slo_state_name(enum slo_state state)
{
	switch (state) {
	case SLO_COMPLIANT:
		return "compliant";
	case SLO_VIOLATED:
		return "violated";
	default:
		return "unknown";
	}
}

int slo_set_new(struct slo_set **out, const struct sla *sla)
{
	struct slo_set *set = calloc(1, sizeof(*set));

	*out = NULL;
	if (!set)
		return -ENOMEM;
	set->sla = sla;
	set->n = sla->n_slos;
	set->st = calloc(set->n ? set->n : 1, sizeof(*set->st));
	if (!set->st) {
		free(set);
		return -ENOMEM;
	}
	for (size_t i = 0; i < set->n; i++) {
		set->st[i].slo = &sla->slos[i];
		snprintf(set->st[i].reason, sizeof(set->st[i].reason),
			 "not evaluated yet");
	}
	*out = set;
	return 0;
}

void slo_set_free(struct slo_set *set)
{
	if (!set)
		return;
	free(set->st);
	free(set);
}

size_t slo_count(const struct slo_set *set)
{
	return set->n;
}

const struct slo_status *slo_status(const struct slo_set *set, size_t i)
{
	return i < set->n ? &set->st[i] : NULL;
}

/* ---- what each metric is ---- */

static bool is_net(int m)
{
	return m >= SLA_METRIC_NET_PORTSCAN_PORTS && m <= SLA_METRIC_NET_WATCH_HITS;
}

/* Module detector estimates: reported once per hold-off while high. */
static bool is_detector(int m)
{
	return is_net(m) && m != SLA_METRIC_NET_WATCH_HITS;
}

/* Counts add up over a window; estimates do not. */
static bool is_count(int m)
{
	return m == SLA_METRIC_NET_WATCH_HITS ||
	       m == SLA_METRIC_APP_ACCESS_VIOLATIONS;
}

/* Sampled from the watched processes (preprocess_sched.c). */
static bool is_sched(int m)
{
	return m >= SLA_METRIC_SCHED_CPU_PERCENT &&
	       m <= SLA_METRIC_SCHED_RSS_BYTES;
}

static bool is_measured(int m)
{
	return is_net(m) || is_sched(m) ||
	       m == SLA_METRIC_APP_ACCESS_VIOLATIONS ||
	       m == SLA_METRIC_EVENTS_LOST;
}

/*
 * The window a value is taken over. An estimate above threshold is only
 * repeated once per hold-off, so a window shorter than the hold-off would
 * call an ongoing attack compliant between two reports.
 */
static uint64_t value_window(const struct sla_slo *slo,
			     const struct slo_ctx *ctx)
{
	uint64_t w = slo->sustained ? ctx->default_window_ms : slo->window_ms;

	if (is_detector((int)slo->metric) && ctx->holdoff_ms > w)
		w = ctx->holdoff_ms;
	return w;
}

static uint64_t since_of(const struct slo_ctx *ctx, uint64_t window)
{
	return ctx->now > window ? ctx->now - window : 0;
}

static bool out_of_bounds(const struct sla_slo *slo, double v)
{
	return (slo->has_max && v > slo->max) || (slo->has_min && v < slo->min);
}

/* ---- aggregation over the preprocess windows ---- */

struct agg {
	const struct sla_slo *slo;
	uint64_t since;
	const char *only_source;	/* NULL: every source */
	double total, best;
	uint64_t samples, last_real;
	struct slo_source top[SLO_TOP_SOURCES];
	unsigned int ntop;
};

/*
 * Detector events name no destination: they count for every component.
 * sched.* windows are per process, or sums per component (NULL: the host)
 * named by no process: per: process reads the former, otherwise the latter.
 */
static bool component_matches(const struct sla_slo *slo,
			      const struct pp_window *w)
{
	const struct sla_component *c = pp_window_component(w);

	if (is_sched((int)slo->metric))
		return c == slo->component &&
		       (slo->per == SLA_PER_PROCESS) == !!*pp_window_source(w);
	if (!slo->component || c == slo->component)
		return true;
	return !c && is_net((int)slo->metric);
}

/* Keep TOP sorted, worst first, one entry per source. */
static void top_insert(struct slo_source *top, unsigned int *ntop,
		       const char *source, double v)
{
	unsigned int i;

	if (!*source)
		return;
	for (i = 0; i < *ntop; i++) {
		if (strcmp(top[i].source, source))
			continue;
		if (top[i].value >= v)
			return;
		memmove(&top[i], &top[i + 1], (*ntop - 1 - i) * sizeof(top[0]));
		(*ntop)--;
		break;
	}
	for (i = 0; i < *ntop && top[i].value >= v; i++)
		;
	if (i == SLO_TOP_SOURCES)
		return;
	if (*ntop < SLO_TOP_SOURCES)
		(*ntop)++;
	memmove(&top[i + 1], &top[i], (*ntop - 1 - i) * sizeof(top[0]));
	snprintf(top[i].source, sizeof(top[i].source), "%s", source);
	top[i].value = v;
}

static void agg_window(const struct pp_window *w, void *arg)
{
	struct agg *a = arg;
	struct pp_stats st;
	double v;

	if (!component_matches(a->slo, w))
		return;
	if (a->only_source && strcmp(pp_window_source(w), a->only_source))
		return;
	if (!pp_window_stats(w, a->since, &st))
		return;
	v = is_count((int)a->slo->metric) ? st.sum : st.max;
	a->total += v;
	if (!a->samples || v > a->best)
		a->best = v;
	a->samples += st.n;
	if (st.last_real_ms > a->last_real)
		a->last_real = st.last_real_ms;
	if (out_of_bounds(a->slo, v) || !a->slo->has_max)
		top_insert(a->top, &a->ntop, pp_window_source(w), v);
}

/*
 * Per source or process: the worst one; otherwise everything together (a
 * sched.* component has one window of sums and the bounds of its cgroups
 * beside it: the largest of them).
 */
static double agg_value(const struct agg *a)
{
	if (a->slo->per == SLA_PER_SOURCE || a->slo->per == SLA_PER_PROCESS ||
	    is_sched((int)a->slo->metric))
		return a->best;
	return a->total;
}

static void aggregate(const struct sla_slo *slo, const struct slo_ctx *ctx,
		      const char *only_source, struct agg *a)
{
	memset(a, 0, sizeof(*a));
	a->slo = slo;
	a->since = since_of(ctx, value_window(slo, ctx));
	a->only_source = only_source;
	pp_foreach_window(ctx->pp, (int)slo->metric, a->since, agg_window, a);
}

/* ---- state ---- */

static void set_state(struct slo_status *st, enum slo_state state,
		      const struct slo_ctx *ctx)
{
	if (st->state == state && st->state_since_real_ms)
		return;
	if (st->state_since_real_ms)
		sgd_log(state == SLO_VIOLATED ? LOG_WARNING : LOG_NOTICE,
			"SLO %s: %s -> %s (%s)", st->slo->id,
			slo_state_name(st->state), slo_state_name(state),
			st->reason);
	st->state = state;
	st->state_since_real_ms = ctx->now_real;
}

/* Why the kernel's data does not cover WINDOW, or NULL if it does. */
static const char *kernel_gap(const struct slo_ctx *ctx, uint64_t window)
{
	if (!ctx->kernel_since)
		return "the kernel module is not connected";
	if (ctx->kernel_since > since_of(ctx, window) && ctx->now > window)
		return "the kernel module has been connected for less than the window";
	if (ctx->kernel_since > since_of(ctx, window))
		return "the daemon has been running for less than the window";
	return NULL;
}

static enum slo_state judge_lost(struct slo_status *st,
				 const struct slo_ctx *ctx)
{
	const char *gap = kernel_gap(ctx, st->window_ms);

	st->has_value = true;
	st->value = (double)st->lost;
	if (out_of_bounds(st->slo, st->value)) {
		snprintf(st->reason, sizeof(st->reason), "%s%llu events lost in the window",
			 st->lost_unknown ? "at least " : "",
			 (unsigned long long)st->lost);
		return SLO_VIOLATED;
	}
	if (gap) {
		st->has_value = false;
		snprintf(st->reason, sizeof(st->reason), "%s", gap);
		return SLO_UNKNOWN;
	}
	snprintf(st->reason, sizeof(st->reason), "no events lost in the window");
	return SLO_COMPLIANT;
}

/*
 * The module samples each watched process once a period: a window without
 * samples of a component whose watches are in place is one in which none
 * of its processes ran (0 CPU, 0 bytes).
 */
static enum slo_state judge_sched_quiet(struct slo_status *st,
					const struct slo_ctx *ctx)
{
	char buf[sizeof(st->reason)];
	const char *gap = ctx->sched_gap ?
		ctx->sched_gap(ctx->sched_arg, st->slo->component,
			       since_of(ctx, st->window_ms), buf, sizeof(buf)) :
		"nothing samples processes";

	if (gap) {
		snprintf(st->reason, sizeof(st->reason), "%s", gap);
		return SLO_UNKNOWN;
	}
	if (!st->samples) {
		snprintf(st->reason, sizeof(st->reason),
			 "no watched process ran in the window");
		st->has_value = !st->slo->has_min;
		st->value = 0;
	}
	return SLO_COMPLIANT;
}

/* What covers the window when nothing in it breaks the bound. */
static enum slo_state judge_quiet(struct slo_status *st,
				  const struct slo_ctx *ctx)
{
	int m = (int)st->slo->metric;
	const char *gap;

	if (m == SLA_METRIC_APP_ACCESS_VIOLATIONS) {
		uint64_t last = pp_last_app_ms(ctx->pp);

		if (!last || last < since_of(ctx, st->window_ms)) {
			snprintf(st->reason, sizeof(st->reason),
				 "no application events in the window");
			return SLO_UNKNOWN;
		}
		return SLO_COMPLIANT;
	}
	if ((gap = kernel_gap(ctx, st->window_ms))) {
		snprintf(st->reason, sizeof(st->reason), "%s", gap);
		return SLO_UNKNOWN;
	}
	if (st->lost || st->lost_unknown) {
		snprintf(st->reason, sizeof(st->reason),
			 "kernel events were lost in the window: a violation may be hidden");
		return SLO_UNKNOWN;
	}
	if (is_sched(m))
		return judge_sched_quiet(st, ctx);
	return SLO_COMPLIANT;
}

/* The state of one SLO now; *A is the aggregate it was judged on. */
static enum slo_state judge(struct slo_status *st, const struct slo_ctx *ctx,
			    struct agg *a)
{
	const struct sla_slo *slo = st->slo;
	int m = (int)slo->metric;
	enum slo_state state;

	st->window_ms = value_window(slo, ctx);
	pp_gaps_since(ctx->pp, since_of(ctx, st->window_ms), &st->lost,
		      &st->lost_unknown);
	if (!is_measured(m)) {
		st->has_value = false;
		snprintf(st->reason, sizeof(st->reason),
			 "no source measures %s yet", sla_metric_name(slo->metric));
		return SLO_UNKNOWN;
	}
	if (m == SLA_METRIC_EVENTS_LOST)
		return judge_lost(st, ctx);
	aggregate(slo, ctx, NULL, a);
	st->samples = a->samples;
	st->last_real_ms = a->last_real;
	st->ntop = a->ntop;
	memcpy(st->top, a->top, sizeof(a->top));
	st->has_value = a->samples || is_count(m);
	st->value = agg_value(a);
	if (st->has_value && out_of_bounds(slo, st->value)) {
		snprintf(st->reason, sizeof(st->reason), "%s %g out of bounds",
			 sla_metric_name(slo->metric), st->value);
		return SLO_VIOLATED;
	}
	snprintf(st->reason, sizeof(st->reason), "%s",
		 a->samples ? "within bounds" :
		 is_count(m) ? "nothing counted in the window" :
		 "no source reached the module's threshold");
	state = judge_quiet(st, ctx);
	if (state == SLO_COMPLIANT && slo->has_min && !st->has_value) {
		snprintf(st->reason, sizeof(st->reason),
			 "no samples to compare with the min bound");
		state = SLO_UNKNOWN;
	}
	/* A count of zero is not a value when nothing covered the window. */
	if (state == SLO_UNKNOWN)
		st->has_value = false;
	return state;
}

/* ---- findings ---- */

static void probe_names(uint32_t probes, struct json_object *arr)
{
	static const char *const names[] = {
		"syn", "fin", "null", "xmas", "ack", "udp", "sctp",
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (probes & (1u << i))
			json_object_array_add(arr, json_object_new_string(names[i]));
}

/*
 * What a module event says about the traffic of finding F: handshakes
 * (detector events only), and the destination when the finding blames
 * the event's own values (BLAME, or its value alone breaking the bound).
 */
static void finding_net_of(struct finding *f, const struct sla_slo *slo,
			   const struct sample *s, bool blame)
{
	const struct rec_net *n;
	struct finding_net *fn = &f->net;

	if (!s || !s->rec || s->rec->kind != REC_NET)
		return;
	n = &s->rec->net;
	fn->detector = n->event != SLAGUARD_EVENT_WATCH_HIT;
	fn->has_handshakes = n->has_handshakes;
	fn->handshakes = n->handshakes;
	fn->probes = n->probes;
	if (!n->has_dst || !(blame || out_of_bounds(slo, s->value)))
		return;
	fn->has_dst = true;
	fn->dst_family = n->family;
	memcpy(fn->dst, n->dst, sizeof(fn->dst));
	fn->proto = n->proto;
	fn->dport = n->dport;
	sgd_format_addr(n->family, n->dst, fn->destination, sizeof(fn->destination));
}

static void finding_net_json(const struct finding *f, struct json_object *e)
{
	const struct finding_net *fn = &f->net;
	struct json_object *probes;

	if (fn->detector)
		json_object_object_add(e, "handshakes", fn->has_handshakes ?
				       json_object_new_int64((int64_t)fn->handshakes) :
				       NULL);
	if (fn->probes && (probes = json_object_new_array())) {
		probe_names(fn->probes, probes);
		json_object_object_add(e, "probes", probes);
	}
	if (!fn->has_dst)
		return;
	json_object_object_add(e, "destination",
			       json_object_new_string(fn->destination));
	if (fn->proto)
		json_object_object_add(e, "proto", json_object_new_int(fn->proto));
	if (fn->dport)
		json_object_object_add(e, "dport", json_object_new_int(fn->dport));
}

/*
 * A finding of ST's violation at VALUE, from sample S (NULL: from a tick).
 * It names S's source only when BLAME: when that source's own samples break
 * the bound. Naming a source lets the countermeasures act on it.
 */
static void finding_for(const struct slo_status *st, const struct slo_ctx *ctx,
			const struct sample *s, double value, bool blame,
			finding_fn fn, void *arg)
{
	const struct sla_slo *slo = st->slo;
	struct finding f = { .kind = FINDING_SLO, .slo = slo,
			     .severity = slo->severity };
	bool over = slo->has_max && value > slo->max;
	double bound = over ? slo->max : slo->min;
	const char *of;
	char win[32];

	snprintf(f.ref, sizeof(f.ref), "%s", slo->id);
	if (blame && s && s->has_source) {
		f.has_source = true;
		f.family = s->family;
		memcpy(f.src, s->src, sizeof(f.src));
		memcpy(f.source, s->source, sizeof(f.source));
	}
	f.component = slo->component ? slo->component->name :
		      s && s->component ? s->component->name : NULL;
	finding_net_of(&f, slo, s, blame);
	f.real_ms = s ? s->real_ms : ctx->now_real;
	/* the worst process of a per-process SLO (never a source to act on) */
	of = f.has_source ? f.source :
	     slo->per == SLA_PER_PROCESS && st->ntop ? st->top[0].source : NULL;
	sla_format_duration(st->window_ms, win, sizeof(win));
	snprintf(f.summary, sizeof(f.summary), "SLO %s violated: %s%s%s%s%s is %g, %s %g (window %s)",
		 slo->id, sla_metric_name(slo->metric), of ? " of " : "",
		 of ? of : "", f.component && !of ? " of component " : "",
		 f.component && !of ? f.component : "",
		 value, over ? "over max" : "under min", bound, win);
	f.evidence = json_object_new_object();
	if (f.evidence) {
		json_object_object_add(f.evidence, "metric",
				       json_object_new_string(sla_metric_name(slo->metric)));
		json_object_object_add(f.evidence, "value", json_object_new_double(value));
		json_object_object_add(f.evidence, over ? "max" : "min",
				       json_object_new_double(bound));
		json_object_object_add(f.evidence, "window_ms",
				       json_object_new_int64((int64_t)st->window_ms));
		if (of && !f.has_source)
			json_object_object_add(f.evidence, "process",
					       json_object_new_string(of));
		if (s && s->rec && s->rec->kind == REC_NET && s->rec->net.seq)
			json_object_object_add(f.evidence, "seq",
					       json_object_new_int64((int64_t)s->rec->net.seq));
		if (s && s->rec && s->rec->kind == REC_NET && s->rec->net.threshold)
			json_object_object_add(f.evidence, "module_threshold",
					       json_object_new_int64((int64_t)s->rec->net.threshold));
		finding_net_json(&f, f.evidence);
	}
	fn(&f, arg);
}

static bool sample_matches(const struct sla_slo *slo, const struct sample *s)
{
	if ((int)slo->metric != s->metric || slo->sustained)
		return false;
	if (!slo->component || s->component == slo->component)
		return true;
	/* Without a destination a network event may concern any component. */
	return !s->component && !s->has_dst && is_net(s->metric);
}

/* True if the samples of S's source alone break ST's bound; *V their value. */
static bool source_out_of_bounds(const struct slo_status *st,
				 const struct slo_ctx *ctx,
				 const struct sample *s, double *v,
				 struct pp_stats *ps)
{
	const struct pp_window *w;

	w = pp_window_find(ctx->pp, s->metric, s->component,
			   s->has_source ? s->source : "");
	if (!w) {
		/* Not stored (no memory): the sample alone is still judged. */
		*ps = (struct pp_stats){ .n = 1, .max = s->value, .sum = s->value,
					 .last = s->value,
					 .last_real_ms = s->real_ms };
	} else if (!pp_window_stats(w, since_of(ctx, value_window(st->slo, ctx)), ps)) {
		return false;
	}
	*v = is_count(s->metric) ? ps->sum : ps->max;
	return out_of_bounds(st->slo, *v);
}

/*
 * A per-source SLO is judged on the sample's own window only: a flood from
 * many sources must not cost a pass over every window per event.
 */
static bool source_violates(struct slo_status *st, const struct slo_ctx *ctx,
			    const struct sample *s, double *v)
{
	struct pp_stats ps;

	st->window_ms = value_window(st->slo, ctx);
	if (!source_out_of_bounds(st, ctx, s, v, &ps))
		return false;
	if (st->state != SLO_VIOLATED || !st->has_value || *v > st->value) {
		st->has_value = true;
		st->value = *v;
	}
	st->last_real_ms = ps.last_real_ms;
	top_insert(st->top, &st->ntop, s->has_source ? s->source : "", *v);
	snprintf(st->reason, sizeof(st->reason), "%s %g out of bounds",
		 sla_metric_name(st->slo->metric), *v);
	set_state(st, SLO_VIOLATED, ctx);
	return true;
}

/* Aggregates over all windows are judged at most this often per SLO. */
#define REJUDGE_MS	200

static bool rejudge_due(const struct slo_status *st, const struct slo_ctx *ctx)
{
	return !st->judged_at || ctx->now - st->judged_at >= REJUDGE_MS ||
	       st->slo->metric == SLA_METRIC_EVENTS_LOST;
}

static void rejudge(struct slo_status *st, const struct slo_ctx *ctx)
{
	struct agg a;

	set_state(st, judge(st, ctx, &a), ctx);
	st->judged_at = ctx->now;
}

void slo_on_sample(struct slo_set *set, const struct slo_ctx *ctx,
		   const struct sample *s, finding_fn fn, void *arg)
{
	for (size_t i = 0; i < set->n; i++) {
		struct slo_status *st = &set->st[i];
		struct pp_stats ps;
		bool own, checked;
		double v;

		if (!sample_matches(st->slo, s))
			continue;
		if (st->slo->per == SLA_PER_SOURCE &&
		    st->slo->metric != SLA_METRIC_EVENTS_LOST) {
			if (source_violates(st, ctx, s, &v))
				finding_for(st, ctx, s, v, true, fn, arg);
			continue;
		}
		/*
		 * Between full judgements a sample that breaks the bound on
		 * its own is still judged at once: it names its culprit now,
		 * where the next tick could only report the state.
		 */
		own = false;
		checked = !rejudge_due(st, ctx) && st->state != SLO_VIOLATED;
		if (checked)
			own = source_out_of_bounds(st, ctx, s, &v, &ps);
		if (!checked || own)
			rejudge(st, ctx);
		if (st->state != SLO_VIOLATED)
			continue;
		/*
		 * A summed SLO is violated by all its sources together: the
		 * sample's source is named only on its own evidence, so a
		 * harmless client is not blamed for another's violation.
		 */
		if (!checked && s->has_source)
			own = source_out_of_bounds(st, ctx, s, &v, &ps);
		if (st->slo->metric == SLA_METRIC_EVENTS_LOST)
			finding_for(st, ctx, NULL, st->value, false, fn, arg);
		else if (s->has_source && own)
			finding_for(st, ctx, s, v, true, fn, arg);
		else
			finding_for(st, ctx, s, st->value, false, fn, arg);
	}
}

/* "for": violated once out of bounds without a break for that long. */
static enum slo_state sustain(struct slo_status *st, enum slo_state state,
			      const struct slo_ctx *ctx, bool *fire)
{
	*fire = false;
	if (!st->slo->sustained)
		return state;
	if (state != SLO_VIOLATED) {
		st->bad_since = 0;
		return state;
	}
	if (!st->bad_since)
		st->bad_since = ctx->now;
	if (ctx->now - st->bad_since < st->slo->window_ms) {
		snprintf(st->reason, sizeof(st->reason),
			 "out of bounds for %llu ms of the %llu ms it must last",
			 (unsigned long long)(ctx->now - st->bad_since),
			 (unsigned long long)st->slo->window_ms);
		return SLO_COMPLIANT;
	}
	*fire = true;
	return SLO_VIOLATED;
}

void slo_evaluate(struct slo_set *set, const struct slo_ctx *ctx,
		  finding_fn fn, void *arg)
{
	for (size_t i = 0; i < set->n; i++) {
		struct slo_status *st = &set->st[i];
		enum slo_state was = st->state, state;
		struct agg a;
		bool fire;

		state = sustain(st, judge(st, ctx, &a), ctx, &fire);
		st->judged_at = ctx->now;
		set_state(st, state, ctx);
		/*
		 * A violation no sample reported (samples that break the bound
		 * only together, between full judgements) is reported here,
		 * once, naming no source.
		 */
		if (!st->slo->sustained && state == SLO_VIOLATED &&
		    was != SLO_VIOLATED)
			fire = true;
		if (fire)
			finding_for(st, ctx, NULL, st->value, false, fn, arg);
	}
}

/* ---- JSON ---- */

static struct json_object *time_or_null(uint64_t real_ms)
{
	char buf[SG_TIME_MAX];

	if (!real_ms)
		return NULL;
	sg_format_time(real_ms, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *evidence_json(const struct slo_status *st)
{
	struct json_object *e = json_object_new_object(), *srcs;
	bool sched = is_sched((int)st->slo->metric);

	if (!e)
		return NULL;
	json_object_object_add(e, "reason", json_object_new_string(st->reason));
	json_object_object_add(e, "samples", json_object_new_int64((int64_t)st->samples));
	json_object_object_add(e, "last_sample", time_or_null(st->last_real_ms));
	json_object_object_add(e, "lost_events", json_object_new_int64((int64_t)st->lost));
	if (st->lost_unknown)
		json_object_object_add(e, "lost_events_uncounted", json_object_new_boolean(1));
	json_object_object_add(e, "per", json_object_new_string(sla_per_name(st->slo->per)));
	if (st->slo->component)
		json_object_object_add(e, "component",
				       json_object_new_string(st->slo->component->name));
	if (st->slo->sustained)
		json_object_object_add(e, "for_ms", json_object_new_int64((int64_t)st->slo->window_ms));
	json_object_object_add(e, "since", time_or_null(st->state_since_real_ms));
	srcs = json_object_new_array();
	for (unsigned int i = 0; srcs && i < st->ntop; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, sched ? "process" : "source",
				       json_object_new_string(st->top[i].source));
		json_object_object_add(o, "value", json_object_new_double(st->top[i].value));
		json_object_array_add(srcs, o);
	}
	json_object_object_add(e, sched ? "processes" : "sources", srcs);
	return e;
}

struct json_object *slo_status_json(const struct slo_status *st)
{
	const struct sla_slo *slo = st->slo;
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(slo->id));
	json_object_object_add(o, "metric",
			       json_object_new_string(sla_metric_name(slo->metric)));
	json_object_object_add(o, "state",
			       json_object_new_string(slo_state_name(st->state)));
	json_object_object_add(o, "value",
			       st->has_value ? json_object_new_double(st->value) : NULL);
	json_object_object_add(o, "bound", slo->has_max ?
			       json_object_new_double(slo->max) :
			       json_object_new_double(slo->min));
	json_object_object_add(o, "bound_kind",
			       json_object_new_string(slo->has_max ? "max" : "min"));
	if (slo->has_max && slo->has_min)
		json_object_object_add(o, "min", json_object_new_double(slo->min));
	json_object_object_add(o, "window_ms",
			       json_object_new_int64((int64_t)st->window_ms));
	json_object_object_add(o, "severity",
			       json_object_new_string(sla_severity_name(slo->severity)));
	json_object_object_add(o, "evidence", evidence_json(st));
	return o;
}
