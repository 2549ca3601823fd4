/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the SLO stage: every SLO of the SLA evaluated over its window
 * as compliant, violated, or unknown (no data covers the window: the module
 * is absent or was connected too recently, events were lost in the window,
 * no application reported, the module samples no processes), with the
 * evidence: value, bound, window, last sample time, sources or processes.
 */
#ifndef SLAGUARDD_SLO_H
#define SLAGUARDD_SLO_H

#include <stdbool.h>
#include <stdint.h>

#include "finding.h"
#include "preprocess.h"
#include "sla.h"

struct json_object;

enum slo_state {
	SLO_UNKNOWN,
	SLO_COMPLIANT,
	SLO_VIOLATED,
};

const char *slo_state_name(enum slo_state state);

/* Offending sources shown in the evidence, at most. */
#define SLO_TOP_SOURCES	8

struct slo_source {
	char source[SGD_ADDR_MAX];
	double value;
};

struct slo_status {
	const struct sla_slo *slo;
	enum slo_state state;
	bool has_value;
	double value;
	uint64_t window_ms;		/* the window the value covers */
	uint64_t samples;
	uint64_t last_real_ms;		/* last sample, 0 none */
	uint64_t lost;			/* events lost in the window */
	bool lost_unknown;		/* ... and some loss had no count */
	char reason[200];		/* why unknown / what violated */
	struct slo_source top[SLO_TOP_SOURCES];
	unsigned int ntop;
	uint64_t state_since_real_ms;
	uint64_t bad_since;		/* sustained SLOs: out of bounds since */
	uint64_t judged_at;		/* CLOCK_MONOTONIC of the last full judgement */
};

/* What the SLO stage needs to know about the world at evaluation time. */
struct slo_ctx {
	const struct preprocess *pp;
	uint64_t now;			/* CLOCK_MONOTONIC ms */
	uint64_t now_real;
	uint64_t kernel_since;		/* events covered since; 0: not at all */
	uint64_t holdoff_ms;		/* the module's repeat interval */
	uint64_t default_window_ms;	/* value window of sustained SLOs */
	/*
	 * sched.*: why the processes of C (NULL: every component) are not
	 * sampled over the window since SINCE, or NULL if they are; BUF may
	 * hold the text. A NULL function: nothing samples processes.
	 */
	const char *(*sched_gap)(void *arg, const struct sla_component *c,
				 uint64_t since, char *buf, size_t len);
	void *sched_arg;
};

struct slo_set;

int slo_set_new(struct slo_set **out, const struct sla *sla);
void slo_set_free(struct slo_set *set);

/* A new sample: a finding for each SLO it (with its window) violates. */
void slo_on_sample(struct slo_set *set, const struct slo_ctx *ctx,
		   const struct sample *s, finding_fn fn, void *arg);
/* Every tick: states, transitions, sustained ("for") SLOs. */
void slo_evaluate(struct slo_set *set, const struct slo_ctx *ctx,
		  finding_fn fn, void *arg);

size_t slo_count(const struct slo_set *set);
const struct slo_status *slo_status(const struct slo_set *set, size_t i);
/* The status object of the control protocol's "slos" array. */
struct json_object *slo_status_json(const struct slo_status *st);

#endif /* SLAGUARDD_SLO_H */
