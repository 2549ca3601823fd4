/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguard-coord - the state of a composite SLA (sla.h, struct
 * sla_composite) from what its nodes publish on the fleet's bus: their
 * SLO state changes, alerts, decisions and status (a heartbeat with the
 * SLA version they run). Pure: times are passed in (CLOCK_REALTIME ms),
 * so it is tested without a server; bus.c feeds it.
 */
#ifndef SLAGUARD_COORD_H
#define SLAGUARD_COORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sla.h"

struct json_object;

enum coord_state {
	COORD_UNKNOWN,
	COORD_COMPLIANT,
	COORD_VIOLATED,
};

const char *coord_state_name(enum coord_state s);
/* "compliant", "violated", anything else unknown. */
enum coord_state coord_state_from_name(const char *name);

#define COORD_ID_MAX		64
#define COORD_TEXT_MAX		256
#define COORD_EVIDENCE_MAX	1024
#define COORD_ALERTS_KEPT	64
#define COORD_INTERVALS_MAX	1024

/* One SLO of a node, as it last said. */
struct coord_node_slo {
	char id[COORD_ID_MAX], component[COORD_ID_MAX];
	enum coord_state state;
	char reason[COORD_TEXT_MAX];
	uint64_t since_ms;
};

struct coord_node {
	uint64_t heard_ms;		/* 0: never */
	struct coord_node_slo *slos;
	size_t n_slos;
	uint64_t attack_ms;		/* its last decision or high alert */
	char attack[COORD_TEXT_MAX];
	bool has_status;
	uint64_t sla_revision;		/* what it runs from the bucket, 0 its file */
	char sla_name[COORD_ID_MAX];
	char sla_error[COORD_EVIDENCE_MAX];	/* the last deploy it refused */
	uint64_t alerts;
};

struct coord_alert {
	char node[COORD_ID_MAX];
	char id[COORD_ID_MAX], ref[COORD_ID_MAX], severity[16];
	char summary[COORD_TEXT_MAX];
	uint64_t real_ms;
};

struct coord_interval {
	uint64_t start, end;		/* end 0: still open */
};

struct coord_slo {
	enum coord_state state;
	bool evaluated;
	uint64_t since_ms;
	char evidence[COORD_EVIDENCE_MAX];
	/* max-violated-for: when any of its components was violated. */
	struct coord_interval *iv;
	size_t n_iv;
	uint64_t violated_ms;		/* within its window, at the last look */
};

struct coord {
	const struct sla_composite *comp;
	struct coord_node *nodes;
	struct coord_slo *slos;
	struct coord_alert alerts[COORD_ALERTS_KEPT];
	size_t n_alerts, next_alert;
};

int coord_init(struct coord *co, const struct sla_composite *comp);
void coord_fini(struct coord *co);

/* What a node said, at its time MS. */
void coord_heard(struct coord *co, size_t node, uint64_t ms);
int coord_node_slo(struct coord *co, size_t node, const char *id,
		   const char *component, enum coord_state state,
		   const char *reason, uint64_t ms);
void coord_attack(struct coord *co, size_t node, const char *what, uint64_t ms);
void coord_alert(struct coord *co, size_t node, const char *id, const char *ref,
		 const char *severity, const char *summary, uint64_t ms);
void coord_status(struct coord *co, size_t node, uint64_t revision,
		  const char *sla_name, const char *error, uint64_t ms);

bool coord_silent(const struct coord *co, size_t node, uint64_t now);
bool coord_under_attack(const struct coord *co, size_t node, uint64_t now);

/*
 * Every SLO at NOW; CHANGED is called for each whose state differs from
 * the last evaluation (the first one counts as a change). The number of
 * changes.
 */
typedef void (*coord_changed_fn)(void *arg, const struct coord *co, size_t slo,
				 enum coord_state was);
size_t coord_evaluate(struct coord *co, uint64_t now, coord_changed_fn changed,
		      void *arg);

/* The composite SLO's state change, as published. */
struct json_object *coord_slo_json(const struct coord *co, size_t slo);
/* Everything: nodes, SLOs, the last alerts ("slaguardctl fleet nodes"). */
struct json_object *coord_state_json(const struct coord *co, uint64_t now);
/*
 * What coord_state_json() said before (a restarted coordinator's): what
 * each node said and when. The nodes it restored, or -EINVAL.
 */
int coord_restore(struct coord *co, struct json_object *state);

#endif /* SLAGUARD_COORD_H */
