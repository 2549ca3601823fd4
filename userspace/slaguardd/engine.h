/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the pipeline: records from intake flow through preprocess,
 * analyze (inspector, profiler) and the SLO stage to alerts and responses.
 * The engine owns the running SLA and every stage built from it, so a
 * reload builds a complete new set first and swaps only when all of it
 * succeeded: a bad file leaves the running SLA untouched.
 */
#ifndef SLAGUARDD_ENGINE_H
#define SLAGUARDD_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "ids.h"
#include "analyze.h"
#include "preprocess.h"
#include "record.h"
#include "respond.h"
#include "sla.h"
#include "slo.h"

struct fleet;
struct intake_genl;
struct json_object;

struct engine {
	struct sla *sla;
	char *sla_path;
	bool dry_run_forced;		/* --dry-run: regardless of the SLA */
	bool dry_run;
	struct sla_module_config *modcfg;
	struct preprocess *pp;
	struct inspector insp;
	struct profiler *prof;
	struct slo_set *slos;
	struct seq_set *seqs;		/* sequence rules' state */
	struct alerts *alerts;
	struct respond *resp;
	struct id_store ids;
	bool ids_kept;			/* ids are persisted in state_dir */
	struct intake_genl *genl;	/* NULL: no kernel intake (tests) */
	struct fleet *fleet;		/* NULL: no fleet section */
	uint64_t started_real_ms;
	uint64_t app_events;
	/* The clocks, read once per record, packet or tick (ms). */
	uint64_t now_mono, now_real;
	uint64_t last_attack_ms;	/* CLOCK_MONOTONIC of the last attack seen */
	/* The most severe attack shape seen within ATTACK_QUIET_MS, and when. */
	const struct attack_shape *worst_shape;
	uint64_t worst_shape_ms;
	const struct attack_shape *cur_shape;	/* of the sample being handled */
	unsigned int anomaly_run[SAMPLE_METRIC_COUNT];	/* consecutive anomalies */
	/* Told of every alert once emitted (the history); NULL: nobody. */
	void (*on_alert)(const struct alert *a, void *arg);
	void *on_alert_arg;
	/* Told of every operator action taken (the history); NULL: nobody.
	 * Called with on_alert_arg. */
	void (*on_operator)(const struct countermeasure *c, const char *action,
			    void *arg);
};

struct engine_opts {
	bool dry_run;
	struct alert_opts alerts;
	const struct respond_ops *ops;
	void *ops_ctx;
	struct profiler_opts profiler;
	const char *shapes_path;	/* NULL: no attack shapes */
	const char *state_dir;		/* NULL: ids may repeat after a restart */
};

/* Takes SLA (loaded from PATH) on success. */
int engine_init(struct engine *e, struct sla *sla, const char *path,
		const struct engine_opts *opts);
void engine_fini(struct engine *e);

/* The intake stages' sink (rec_sink_fn). */
void engine_on_record(const struct rec *r, void *arg);
/*
 * A packet of a source under inspection (NFQUEUE), from its IP header on:
 * true to drop it (a payload rule forbids it; the alert is raised), false
 * to accept it. In dry-run the alert is raised and the packet accepted.
 */
bool engine_on_packet(struct engine *e, const uint8_t *pkt, size_t len);
/* A finding from outside the pipeline (the fleet's bus): alert, respond. */
void engine_raise(struct engine *e, struct finding *f);
/* Every second. NOW: CLOCK_MONOTONIC ms. */
void engine_tick(struct engine *e, uint64_t now);

/*
 * Load PATH (NULL: the current file), and swap it in only if it is valid
 * and every stage could be built. ERR gets FILE:LINE:COL: ... on failure.
 */
int engine_reload(struct engine *e, const char *path, char *err,
		  size_t errlen);

/* The "status" response of the control protocol (without "ok"). */
struct json_object *engine_status_json(const struct engine *e);

#endif /* SLAGUARDD_ENGINE_H */
