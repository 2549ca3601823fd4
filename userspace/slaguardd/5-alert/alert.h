/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the alert stage: a finding becomes an alert with an id (A1,
 * A2, ...) unless the same (kind, SLO/rule, source) was alerted within the
 * hold-off (de-duplication) or findings of its (kind, SLO/rule, severity)
 * come faster than the rate limit (a flood of findings must not become a
 * flood of alerts, nor silence the alerts of another SLO). Alerts go out as
 * JSON lines (file or stdout), to syslog, and to control-socket followers;
 * the most recent are kept for the "alerts" command.
 */
#ifndef SLAGUARDD_ALERT_H
#define SLAGUARDD_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "finding.h"

struct json_object;
struct outputs;

struct alert {
	uint64_t num;
	char id[24];			/* "A<num>" */
	uint64_t real_ms;
	enum sla_severity severity;
	enum finding_kind kind;
	char ref[FINDING_REF_MAX];
	bool has_source;
	int family;
	uint8_t src[16];
	char source[SGD_ADDR_MAX];
	char component[FINDING_REF_MAX];
	struct finding_net net;		/* handshakes, destination */
	char summary[FINDING_SUMMARY_MAX];
	struct json_object *evidence;	/* owned, never NULL */
	struct json_object *actions;	/* owned array of countermeasure ids */
	bool notify;			/* a "notify" countermeasure picked it */
	/* Valid while the alert is being dispatched only (SLA may reload). */
	const struct sla_slo *slo;
	const struct sla_rule *rule;
};

struct alert_opts {
	uint64_t holdoff_ms;		/* de-duplication window */
	double rate;			/* alerts per second; default 20 */
	double burst;			/* default 100 */
	size_t keep;			/* recent alerts kept; default 1000 */
	FILE *out;			/* JSON lines; NULL none */
	bool syslog;
	struct outputs *outputs;	/* journal, webhooks; NULL none */
};

typedef void (*alert_listener_fn)(const struct alert *a, void *arg);

struct alerts;

int alerts_new(struct alerts **out, const struct alert_opts *opts);
void alerts_free(struct alerts *am);
void alerts_set_holdoff(struct alerts *am, uint64_t holdoff_ms);
void alerts_reserve(struct alerts *am, const char *nft_comment);
/* Number the next alert at least N (ids of an earlier run, ids.h). */
void alerts_start_at(struct alerts *am, uint64_t n);
uint64_t alerts_next_num(const struct alerts *am);
void alerts_set_listener(struct alerts *am, alert_listener_fn fn, void *arg);

/*
 * A new alert for F (taking its evidence), or NULL when F repeats an alert
 * within the hold-off or the rate limit is exhausted. NOW: CLOCK_MONOTONIC.
 * The alert is kept; call alerts_emit() once its actions are known.
 */
struct alert *alerts_raise(struct alerts *am, struct finding *f, uint64_t now);
void alerts_emit(struct alerts *am, struct alert *a);
void alert_add_action(struct alert *a, const char *cm_id);

struct json_object *alert_to_json(const struct alert *a);
/* The syslog (and journal) priority of an alert of severity S. */
int alert_priority(enum sla_severity s);
struct outputs *alerts_outputs(const struct alerts *am);
/* The newest LIMIT alerts, oldest first. */
struct json_object *alerts_recent_json(const struct alerts *am, size_t limit);

/* Forget de-duplication entries older than the hold-off. */
void alerts_expire(struct alerts *am, uint64_t now);

#define ALERT_KINDS	(FINDING_LOST_EVENTS + 1)
#define ALERT_SEVERITIES (SLA_SEV_CRITICAL + 1)

struct alert_counters {
	uint64_t raised, deduplicated, rate_limited;
	/* Raised alerts by [severity][kind]. */
	uint64_t by[ALERT_SEVERITIES][ALERT_KINDS];
};
const struct alert_counters *alerts_counters(const struct alerts *am);

#endif /* SLAGUARDD_ALERT_H */
