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

/*
 * What the module event a finding came from says about its traffic:
 * whether a detector estimated it (a watch reports a rule's packets, not
 * an estimate), the source's completed TCP handshakes, and the destination.
 */
struct finding_net {
	bool detector;
	bool has_handshakes;		/* the event carried the count */
	uint64_t handshakes;
	uint32_t probes;		/* enum slaguard_probe bits */
	bool has_dst;
	int dst_family;
	uint8_t dst[16];
	uint8_t proto;			/* IPPROTO_*, 0 unknown */
	uint16_t dport;			/* 0 unknown */
	char destination[SGD_ADDR_MAX];	/* the address as text */
};

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
	struct finding_net net;			/* zero: not from a module event */
	uint64_t real_ms;
	char summary[FINDING_SUMMARY_MAX];
	struct json_object *evidence;		/* owned; NULL for none */
};

typedef void (*finding_fn)(struct finding *f, void *arg);

/* Release what a finding owns (its evidence). */
void finding_release(struct finding *f);

#endif /* SLAGUARDD_FINDING_H */
