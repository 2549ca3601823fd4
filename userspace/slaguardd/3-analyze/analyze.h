/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the analyze stage's interface: the rule-based inspector and
 * the behaviour profiler, which turn samples into findings.
 */
#ifndef SLAGUARDD_ANALYZE_H
#define SLAGUARDD_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "inspect.h"
#include "preprocess.h"
#include "record.h"
#include "sla.h"

/*
 * The rule-based inspector: judges watch hits and application
 * events against the SLA's permission rules (sla_net_violation(),
 * sla_data_violation(): a deny that no allow overrides is a violation). A
 * watch hit maps back to the deny rule whose watch reported it.
 */

struct inspector {
	const struct sla *sla;
	const struct sla_module_config *cfg;	/* the watches installed */
};

/* "tcp", "udp", "icmp", "icmpv6" for an IPPROTO_*, else NULL. */
const char *analyze_proto_name(uint8_t proto);

void inspector_init(struct inspector *in, const struct sla *sla,
		    const struct sla_module_config *cfg);

/*
 * Judge S. Returns 1 with *F filled (the caller releases it) for a
 * violation, 0 when S breaks no rule or is not something rules judge.
 */
int inspector_judge(const struct inspector *in, const struct sample *s,
		    struct finding *f);

/*
 * Judge a packet queued for inspection (PKT, LEN bytes from the IP header
 * on) against the payload rules. Returns 1 with *F filled (the caller
 * releases it) when a payload rule forbids it, 0 otherwise: then, and for
 * any packet it cannot parse, the packet is to be accepted.
 */
int inspector_judge_packet(const struct inspector *in, const uint8_t *pkt,
			   size_t len, uint64_t real_ms, struct finding *f);

/* The deny rule whose watch has module id MODULE_ID, or NULL. */
const struct sla_rule *inspector_watch_rule(const struct inspector *in,
					    uint32_t module_id);

/*
 * Sequence rules: events of one key (a source address, a user or a
 * process) in the order of a rule's steps within its time. State is kept
 * per rule and key, at most MAX_KEYS keys per rule (least recently active
 * evicted first, counted), and dropped once "within" has passed.
 */

/* Keys per sequence rule; each costs about 640 bytes (docs). */
#define SEQ_KEYS_DEFAULT	4096

struct seq_set;

struct seq_status {
	const struct sla_rule *rule;
	size_t keys, max_keys;
	uint64_t started;		/* keys whose first step began */
	uint64_t fired;			/* sequences completed: findings */
	uint64_t expired;		/* dropped: "within" passed, process ended */
	uint64_t evicted;		/* dropped to make room for a new key */
};

/* CFG resolves process events' task watches to components (may be NULL). */
int seq_set_new(struct seq_set **out, const struct sla *sla,
		const struct sla_module_config *cfg, size_t max_keys);
void seq_set_free(struct seq_set *ss);
/*
 * Judge record R (already de-duplicated) at NOW (CLOCK_MONOTONIC ms):
 * every sequence it completes is handed to FN as a rule finding (FN
 * releases it). Returns how many completed.
 */
int seq_on_record(struct seq_set *ss, const struct rec *r, uint64_t now,
		  finding_fn fn, void *arg);
/* The same for module records preprocess does not hand on (process
 * events, slow scans): a repeat of the previous one is ignored. */
int seq_on_unfiltered(struct seq_set *ss, const struct rec *r, uint64_t now,
		      finding_fn fn, void *arg);
/* Drop keys whose sequences can no longer complete. */
void seq_expire(struct seq_set *ss, uint64_t now);
size_t seq_rule_count(const struct seq_set *ss);
const struct seq_status *seq_status(const struct seq_set *ss, size_t i);
/* [{rule, same, keys, max_keys, started, fired, expired, evicted}, ...] */
struct json_object *seq_status_json(const struct seq_set *ss);

/*
 * The behaviour profiler: an online baseline (EWMA mean and
 * variance) per metric and label, which flags values more than k standard
 * deviations above the mean once it has seen enough samples. It learns
 * only from samples it judged normal - and not from samples the caller
 * already knows are part of an attack - so an attack cannot teach it that
 * attacks are normal. Known attack shapes (data/attack-shapes.json:
 * feature ranges per attack) label what the module reports.
 */

#define PROFILE_LABEL_MAX	64
#define SHAPE_NAME_MAX		32

struct profiler_opts {
	double k;			/* sigmas above the mean; default 4 */
	uint64_t min_samples;		/* before judging; default 30 */
	double alpha;			/* EWMA weight; default 0.05 */
	double min_std;			/* std floor (absolute); default 1 */
	double min_std_ratio;		/* std floor (of the mean); default 0.1 */
	/* Anomalous samples in a row, none known to be an attack, after
	 * which their level is the new baseline; default 600 (10 min at 1/s). */
	uint64_t relearn_after;
};

struct baseline {
	int metric;
	char label[PROFILE_LABEL_MAX];
	double mean, var;
	uint64_t n;			/* samples learned */
	uint64_t rejected;		/* samples not learned */
	uint64_t anomalous_run;		/* anomalies in a row, none known bad */
	uint64_t rebased;		/* times a lasting level was relearned */
};

enum profile_verdict {
	PROFILE_LEARNING,	/* too few samples to judge */
	PROFILE_NORMAL,
	PROFILE_ANOMALY,
};

struct profile_result {
	enum profile_verdict verdict;
	bool learned;
	double mean, std, z;
	uint64_t n;
};

struct shape_range {
	bool has_min, has_max;
	double min, max;
};

struct attack_shape {
	char name[SHAPE_NAME_MAX];
	enum sla_severity severity;
	uint32_t features;		/* bit N: a range for feature N */
	struct shape_range range[REC_F_COUNT];
};

struct profiler;

int profiler_new(struct profiler **out, const struct profiler_opts *opts);
void profiler_free(struct profiler *p);

/*
 * Load attack shapes (replacing any loaded). Returns 0, -errno, or
 * -EINVAL with a message naming the file and the entry at fault.
 */
int profiler_load_shapes(struct profiler *p, const char *path, char *err,
			 size_t errlen);
int profiler_load_shapes_string(struct profiler *p, const char *text,
				const char *name, char *err, size_t errlen);
size_t profiler_shape_count(const struct profiler *p);

/*
 * Judge VALUE of METRIC under LABEL and learn it if normal. KNOWN_BAD: the
 * caller knows it is part of an attack (never learned). Returns the verdict.
 */
enum profile_verdict profiler_observe(struct profiler *p, int metric,
				      const char *label, double value,
				      bool known_bad, struct profile_result *res);

/* The first shape all of whose ranges F satisfies, or NULL. */
const struct attack_shape *profiler_classify(const struct profiler *p,
					     const struct rec_features *f);

/* NULL if no baseline yet. */
const struct baseline *profiler_baseline(const struct profiler *p, int metric,
					 const char *label);

#endif /* SLAGUARDD_ANALYZE_H */
