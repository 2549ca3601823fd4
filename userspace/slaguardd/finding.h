/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - what the analyze and SLO stages conclude, handed to the
 * alert stage: something broke a rule, an SLO, a baseline, or events were
 * lost. A finding is a candidate alert; the alert stage decides whether it
 * is new (de-duplication) and whether there is room for it (rate limit).
 */
#ifndef SLAGUARDD_FINDING_H
#define SLAGUARDD_FINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "sla.h"
#include "util.h"

struct json_object;

enum finding_kind {
	FINDING_SLO,
	FINDING_RULE,
	FINDING_ANOMALY,
	FINDING_LOST_EVENTS,
};

const char *finding_kind_name(enum finding_kind kind);

#define FINDING_REF_MAX		64
#define FINDING_SUMMARY_MAX	256

struct finding {
	enum finding_kind kind;
	enum sla_severity severity;
	char ref[FINDING_REF_MAX];		/* SLO id, rule id or metric */
	const struct sla_slo *slo;		/* FINDING_SLO */
	const struct sla_rule *rule;		/* FINDING_RULE */
	bool has_source;
	int family;
	uint8_t src[16];
	char source[SGD_ADDR_MAX];
	const char *component;			/* NULL: none */
	uint64_t real_ms;
	char summary[FINDING_SUMMARY_MAX];
	struct json_object *evidence;		/* owned; NULL for none */
};

typedef void (*finding_fn)(struct finding *f, void *arg);

/* Release what a finding owns (its evidence). */
void finding_release(struct finding *f);

#endif /* SLAGUARDD_FINDING_H */
