// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "tasks.h"

/*
 * The module samples every watched process in one pass per period and
 * sends the pass's samples back to back; passes are at least
 * SLAGUARD_PERIOD_MS_MIN apart. A sample later than half a period after
 * the first of the open pass starts the next pass.
 */
#define PASS_MIN_GAP_MS		(SLAGUARD_PERIOD_MS_MIN / 2)
#define PASS_DEFAULT_MS		1000
/* A pass is complete once its first sample is this old. */
#define PASS_SETTLE_MS		200

enum figure { FIG_CPU, FIG_RUNQ, FIG_RSS, FIG_COUNT };

static const int figure_metric[FIG_COUNT] = {
	[FIG_CPU] = SLA_METRIC_SCHED_CPU_PERCENT,
	[FIG_RUNQ] = SLA_METRIC_SCHED_RUNQ_DELAY_MS,
	[FIG_RSS] = SLA_METRIC_SCHED_RSS_BYTES,
};

/* The samples of one pass of one component (or the host), summed. */
struct pass {
	bool open;		/* has samples not handed out yet */
	bool started;
	uint64_t first_real_ms;	/* event time of its first sample */
	uint64_t mono_ms, real_ms;
	uint32_t gap_ms;	/* a later sample belongs to the next pass */
	unsigned int have;	/* bit N: figure N was sampled */
	double sum[FIG_COUNT];
};

/* Processes started in one second, for sched.fork_rate. */
struct second {
	bool open;
	uint64_t sec;		/* event time, whole seconds */
	uint64_t mono_ms, real_ms;
	double count;
};

/* Index n_components stands for the host: every watched process. */
struct pp_sched {
	const struct sla *sla;
	const struct sla_module_config *cfg;
	struct pass *pass;
	struct second *forks;
	size_t n;
};

int pp_sched_new(struct pp_sched **out, const struct sla *sla)
{
	struct pp_sched *ps = calloc(1, sizeof(*ps));

	*out = NULL;
	if (!ps)
		return -ENOMEM;
	ps->sla = sla;
	ps->n = sla->n_components + 1;
	ps->pass = calloc(ps->n, sizeof(*ps->pass));
	ps->forks = calloc(ps->n, sizeof(*ps->forks));
	if (!ps->pass || !ps->forks) {
		pp_sched_free(ps);
		return -ENOMEM;
	}
	*out = ps;
	return 0;
}

void pp_sched_free(struct pp_sched *ps)
{
	if (!ps)
		return;
	free(ps->pass);
	free(ps->forks);
	free(ps);
}

void pp_sched_set_config(struct pp_sched *ps,
			 const struct sla_module_config *cfg)
{
	ps->cfg = cfg;
}

static size_t index_of(const struct pp_sched *ps,
		       const struct sla_component *c)
{
	return c ? (size_t)(c - ps->sla->components) : ps->n - 1;
}

static const struct sla_component *component_at(const struct pp_sched *ps,
						size_t i)
{
	return i + 1 < ps->n ? &ps->sla->components[i] : NULL;
}

/* A sample of the record R, for METRIC, of component C. */
static void start(struct sample *s, const struct rec *r, int metric,
		  const struct sla_component *c, double value)
{
	memset(s, 0, sizeof(*s));
	s->metric = metric;
	s->value = value;
	s->component = c;
	s->real_ms = r->real_ms;
	s->mono_ms = r->mono_ms;
	s->rec = r;
}

static int emit(struct sample *s, sample_fn fn, void *arg)
{
	if (fn)
		fn(s, arg);
	return 1;
}

/* What the sums stand for when they are handed out after the fact. */
static void summary_rec(struct rec *r, uint32_t event, uint64_t mono_ms,
			uint64_t real_ms)
{
	memset(r, 0, sizeof(*r));
	r->kind = REC_TASK;
	r->mono_ms = mono_ms;
	r->real_ms = real_ms;
	r->task.event = event;
}

static int pass_out(struct pp_sched *ps, size_t i, sample_fn fn, void *arg)
{
	struct pass *p = &ps->pass[i];
	struct sample s;
	struct rec r;
	int n = 0;

	if (!p->open)
		return 0;
	p->open = false;
	summary_rec(&r, SLAGUARD_EVENT_SCHED_SAMPLE, p->mono_ms, p->real_ms);
	for (int f = 0; f < FIG_COUNT; f++) {
		if (!(p->have & (1u << f)))
			continue;
		start(&s, &r, figure_metric[f], component_at(ps, i), p->sum[f]);
		n += emit(&s, fn, arg);
	}
	return n;
}

/*
 * A sample of the pass still open counts into it; one of a pass already
 * handed out reopens it (the larger sum is handed out again: windows keep
 * the maximum, so the partial sum does no harm).
 */
static int pass_add(struct pp_sched *ps, size_t i, const struct rec *r,
		    const double fig[FIG_COUNT], unsigned int have,
		    sample_fn fn, void *arg)
{
	struct pass *p = &ps->pass[i];
	const struct rec_task *t = &r->task;
	int n = 0;

	if (p->started && r->real_ms >= p->first_real_ms &&
	    r->real_ms - p->first_real_ms < p->gap_ms) {
		p->open = true;
	} else {
		n = pass_out(ps, i, fn, arg);
		memset(p, 0, sizeof(*p));
		p->started = p->open = true;
		p->first_real_ms = r->real_ms;
		p->mono_ms = r->mono_ms;
		p->real_ms = r->real_ms;
		p->gap_ms = (t->period_ms ? t->period_ms : PASS_DEFAULT_MS) / 2;
		if (p->gap_ms < PASS_MIN_GAP_MS)
			p->gap_ms = PASS_MIN_GAP_MS;
	}
	for (int f = 0; f < FIG_COUNT; f++)
		p->sum[f] += fig[f];
	p->have |= have;
	return n;
}

static int second_out(struct pp_sched *ps, size_t i, sample_fn fn, void *arg)
{
	struct second *sec = &ps->forks[i];
	struct sample s;
	struct rec r;

	if (!sec->open)
		return 0;
	sec->open = false;
	summary_rec(&r, SLAGUARD_EVENT_PROC_EXEC, sec->mono_ms, sec->real_ms);
	start(&s, &r, SLA_METRIC_SCHED_FORK_RATE, component_at(ps, i),
	      sec->count);
	return emit(&s, fn, arg);
}

static int second_add(struct pp_sched *ps, size_t i, const struct rec *r,
		      sample_fn fn, void *arg)
{
	struct second *sec = &ps->forks[i];
	uint64_t now = r->real_ms / 1000;
	int n = 0;

	if (!sec->open || sec->sec != now) {
		n = second_out(ps, i, fn, arg);
		*sec = (struct second){ .open = true, .sec = now,
					.mono_ms = r->mono_ms,
					.real_ms = r->real_ms };
	}
	sec->count++;
	return n;
}

/* One process, one period: per-process samples now, sums per pass. */
static int from_sample(struct pp_sched *ps, const struct rec *r,
		       const struct sla_component *c, sample_fn fn, void *arg)
{
	const struct rec_task *t = &r->task;
	double fig[FIG_COUNT] = { t->cpu_percent, t->runq_delay_ms,
				  t->rss_bytes };
	unsigned int have = (t->has_cpu ? 1u << FIG_CPU : 0) |
			    (t->has_runq ? 1u << FIG_RUNQ : 0) |
			    (t->has_rss ? 1u << FIG_RSS : 0);
	char process[PP_PROCESS_MAX];
	struct sample s;
	int n = 0;

	snprintf(process, sizeof(process), "%s[%u]", t->comm[0] ? t->comm : "?",
		 t->pid);
	for (int f = 0; f < FIG_COUNT; f++) {
		if (!(have & (1u << f)))
			continue;
		start(&s, r, figure_metric[f], c, fig[f]);
		memcpy(s.process, process, sizeof(s.process));
		n += emit(&s, fn, arg);
	}
	n += pass_add(ps, index_of(ps, c), r, fig, have, fn, arg);
	n += pass_add(ps, index_of(ps, NULL), r, fig, have, fn, arg);
	return n;
}

/*
 * A cgroup's own figure (no process): a lower bound of its component's
 * sum, a point of the component's window beside the pass sums.
 */
static int from_group(const struct rec *r, const struct sla_component *c,
		      int metric, double value, sample_fn fn, void *arg)
{
	struct sample s;

	start(&s, r, metric, c, value);
	return emit(&s, fn, arg);
}

int pp_sched_record(struct pp_sched *ps, const struct rec *r, sample_fn fn,
		    void *arg)
{
	const struct rec_task *t = &r->task;
	const struct sla_component *c;

	c = sla_task_watch_component(ps->cfg,
				     intake_task_watch_sla_id(t->watch_id));
	if (!c)
		return 0;	/* not a watch of this SLA's */
	switch (t->event) {
	case SLAGUARD_EVENT_SCHED_SAMPLE:
		/* a sample is of one process; without one it means nothing */
		return t->has_pid ? from_sample(ps, r, c, fn, arg) : 0;
	case SLAGUARD_EVENT_PROC_EXEC:
		return second_add(ps, index_of(ps, c), r, fn, arg) +
		       second_add(ps, index_of(ps, NULL), r, fn, arg);
	case SLAGUARD_EVENT_FORK_RATE:
		return t->has_value ? from_group(r, c, SLA_METRIC_SCHED_FORK_RATE,
						 (double)t->value, fn, arg) : 0;
	case SLAGUARD_EVENT_CPU_HIGH:
		/* a process's alarm repeats the figure of its own sample */
		if (t->has_pid)
			return 0;
		if (t->has_cpu)
			return from_group(r, c, SLA_METRIC_SCHED_CPU_PERCENT,
					  t->cpu_percent, fn, arg);
		return t->has_value ? from_group(r, c, SLA_METRIC_SCHED_CPU_PERCENT,
						 (double)t->value, fn, arg) : 0;
	default:
		/* RUNQ_DELAY, MEM_HIGH: figures of a sample; PROC_EXIT: none */
		return 0;
	}
}

int pp_sched_flush(struct pp_sched *ps, uint64_t now, sample_fn fn, void *arg)
{
	int n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		if (ps->pass[i].open && now - ps->pass[i].mono_ms >= PASS_SETTLE_MS)
			n += pass_out(ps, i, fn, arg);
		/* a second is over once a second has passed since its first exec */
		if (ps->forks[i].open && now - ps->forks[i].mono_ms >= 1000)
			n += second_out(ps, i, fn, arg);
	}
	return n;
}
