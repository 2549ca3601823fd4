/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - preprocess: records become typed samples (a metric named as
 * in docs/sla-reference.md, labels, a value, a time), kept in per-key
 * windows for the SLO stage. Duplicates are dropped. Lost events become
 * samples marked missing and are remembered as gaps, so a window that
 * contains a gap is known to be incomplete rather than quiet.
 */
#ifndef SLAGUARDD_PREPROCESS_H
#define SLAGUARDD_PREPROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "sla.h"
#include "util.h"

/* Metrics the daemon derives beyond the SLA's (for the profiler). */
enum sample_metric_extra {
	SAMPLE_HOST_PKT_RATE = SLA_METRIC_COUNT,	/* packets/s, all hooks */
	SAMPLE_HOST_BYTE_RATE,				/* bytes/s */
	SAMPLE_METRIC_COUNT
};

const char *sample_metric_name(int metric);

/* "comm[pid]": a process, as sched samples name it. */
#define PP_PROCESS_MAX	32

struct sample {
	int metric;		/* enum sla_metric or enum sample_metric_extra */
	double value;
	/* events.lost: value counts the lost events; without count_known at
	 * least that many were lost (an overrun does not say how many). */
	bool missing;
	bool count_known;
	uint64_t real_ms, mono_ms;
	const struct sla_component *component;	/* NULL: not resolved */
	/* The event named its destination: COMPONENT is the one there, NULL
	 * when no component has that address. */
	bool has_dst;
	bool has_source;
	int family;
	uint8_t src[16];
	char source[SGD_ADDR_MAX];
	/* sched.*: the process ("comm[pid]"); "" for a component's sum */
	char process[PP_PROCESS_MAX];
	const struct rec *rec;	/* what it came from */
};

typedef void (*sample_fn)(struct sample *s, void *arg);

struct preprocess;
struct pp_window;

/* KEEP_MS: how long points are kept (the longest window the SLOs need). */
int pp_new(struct preprocess **out, const struct sla *sla, uint64_t keep_ms);
void pp_free(struct preprocess *pp);
/* The module configuration task watch ids are resolved with (sched.*). */
void pp_set_module_config(struct preprocess *pp,
			  const struct sla_module_config *cfg);

/*
 * Turn R into samples handed to FN; returns how many (0: a duplicate).
 * FN analyzes a sample (the inspector may set the value of an application
 * sample to 1: a violation) and then puts it in its window with pp_store(),
 * so the window holds what was concluded, before the SLO stage reads it.
 */
int pp_record(struct preprocess *pp, const struct rec *r, sample_fn fn,
	      void *arg);
void pp_store(struct preprocess *pp, const struct sample *s);
/*
 * Every tick: samples summed over a period (a sampling pass's sum per
 * component, processes started per second) once the period is complete,
 * handed to FN like pp_record's. NOW is CLOCK_MONOTONIC ms.
 */
int pp_flush(struct preprocess *pp, uint64_t now, sample_fn fn, void *arg);

/* Component whose addresses hold ADDR, or NULL. */
const struct sla_component *pp_component_of(const struct sla *sla, int family,
					    const void *addr);

/* What a window holds after SINCE (CLOCK_MONOTONIC ms). */
struct pp_stats {
	uint64_t n;
	double max, sum, last;
	uint64_t last_real_ms;
};

typedef void (*pp_window_fn)(const struct pp_window *w, void *arg);
/* The windows of METRIC updated at or after SINCE, newest first. */
void pp_foreach_window(const struct preprocess *pp, int metric,
		       uint64_t since, pp_window_fn fn, void *arg);
/* The longest hash chain of the window table (for tests and diagnostics). */
size_t pp_longest_chain(const struct preprocess *pp);
/* Returns false if the window has no point after SINCE. */
bool pp_window_stats(const struct pp_window *w, uint64_t since,
		     struct pp_stats *st);
/* The window of exactly (METRIC, C, SOURCE), or NULL; SOURCE "" for none
 * (a source address, or a process for sched.* metrics). */
const struct pp_window *pp_window_find(const struct preprocess *pp, int metric,
				       const struct sla_component *c,
				       const char *source);
const struct sla_component *pp_window_component(const struct pp_window *w);
/* The source address text or the process, "" for samples with neither. */
const char *pp_window_source(const struct pp_window *w);

/*
 * Events lost after SINCE: returns how many gaps; *count sums the known
 * counts, *unknown says whether some gap had no count.
 */
unsigned int pp_gaps_since(const struct preprocess *pp, uint64_t since,
			   uint64_t *count, bool *unknown);
/* When the last application event arrived (CLOCK_MONOTONIC ms), 0 never. */
uint64_t pp_last_app_ms(const struct preprocess *pp);

/* Forget points older than the keep time; NOW is CLOCK_MONOTONIC ms. */
void pp_expire(struct preprocess *pp, uint64_t now);
size_t pp_window_count(const struct preprocess *pp);
/* Windows dropped, least recently updated first, to stay within a quota. */
uint64_t pp_windows_evicted(const struct preprocess *pp);

#endif /* SLAGUARDD_PREPROCESS_H */
