/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - what the intake stages hand to preprocess: typed records of
 * what happened, straight from their source, not yet judged. A record
 * that says "events were lost" is a record of its own, so nothing later
 * ever mistakes missing data for a quiet zero.
 */
#ifndef SLAGUARDD_RECORD_H
#define SLAGUARDD_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#define REC_NAME_MAX		64
#define REC_RESOURCE_MAX	256

/* The per-source rates every module event carries (the attack "shape"). */
enum rec_feature {
	REC_F_PKT_RATE,
	REC_F_BYTE_RATE,
	REC_F_CONN_RATE,
	REC_F_HALF_OPEN,
	REC_F_PORTS,
	REC_F_ICMP_RATE,
	REC_F_COUNT
};

const char *rec_feature_name(enum rec_feature f);
/* -1 for an unknown name. */
int rec_feature_from_name(const char *name);

struct rec_features {
	uint32_t present;		/* bit N: feature N known */
	double v[REC_F_COUNT];
};

enum rec_kind {
	REC_NET,	/* a module event */
	REC_APP,	/* an application event */
	REC_LOST,	/* kernel events lost: a gap, an overrun, the loss counter */
	REC_STATS,	/* a periodic pull of the module's counters */
	REC_TASK,	/* a system monitor event: a process sample or alarm */
};

struct rec_net {
	uint32_t event;			/* enum slaguard_event_kind */
	uint64_t seq;
	uint32_t netns;
	uint8_t direction;
	int family;			/* AF_INET, AF_INET6, 0 unknown */
	uint8_t src[16], dst[16];
	bool has_src, has_dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t watch_id;		/* the module's id */
	bool has_value;
	uint64_t value, threshold;
	struct rec_features features;
	/*
	 * Network detector events: TCP handshakes the source completed (not
	 * sent by an older module: has_handshakes false), and the probe kinds
	 * seen (enum slaguard_probe bits).
	 */
	bool has_handshakes;
	uint64_t handshakes;
	uint32_t probes;
	/*
	 * WATCH_HIT of a packet a local socket sent: its cgroup v2 id (0:
	 * none) and the cgroup's path ("" when the id was not found).
	 */
	uint64_t cgroup_id;
	char cgroup[REC_RESOURCE_MAX];
};

/*
 * SCHED_SAMPLE, PROC_EXEC/EXIT and the task detectors. FORK_RATE (and
 * CPU_HIGH of a cgroup watch) name a cgroup watch and no process: has_pid
 * is false then.
 */
struct rec_task {
	uint32_t event;			/* enum slaguard_event_kind */
	uint64_t seq;
	uint32_t watch_id;		/* the module's id, 0 if none */
	bool has_pid;
	uint32_t pid;
	bool has_ppid;
	uint32_t ppid;			/* the parent's process id */
	char comm[16];
	char cgroup[REC_RESOURCE_MAX];
	uint32_t period_ms;		/* 0: not sent */
	bool has_cpu, has_runq, has_rss;
	double cpu_percent;		/* of one CPU (100 = one CPU busy) */
	double runq_delay_ms;		/* per second */
	double rss_bytes;
	bool has_value;
	uint64_t value, threshold;	/* detectors: in the threshold's unit */
};

struct rec_app {
	char component[REC_NAME_MAX];
	char user[REC_NAME_MAX];
	char role[REC_NAME_MAX];	/* "" if none */
	char action[REC_NAME_MAX];
	char resource[REC_RESOURCE_MAX];
	int family;			/* client address, if the app sent one */
	uint8_t src[16];
	uint32_t uid;			/* of the process that reported it */
};

struct rec_lost {
	bool count_known;
	uint64_t count;
	uint64_t after_seq;		/* 0: unknown */
	uint32_t netns;
	const char *reason;		/* "gap", "overrun", "module" */
};

struct rec_stats {
	uint64_t interval_ms;		/* since the previous pull */
	uint64_t packets, bytes;	/* deltas over the interval */
	uint64_t events_sent, events_lost;
};

struct rec {
	enum rec_kind kind;
	uint64_t real_ms;		/* when it happened (CLOCK_REALTIME) */
	uint64_t mono_ms;		/* when it arrived (CLOCK_MONOTONIC) */
	union {
		struct rec_net net;
		struct rec_app app;
		struct rec_lost lost;
		struct rec_stats stats;
		struct rec_task task;
	};
};

/* Where intake sends records (the engine). */
typedef void (*rec_sink_fn)(const struct rec *r, void *arg);

#endif /* SLAGUARDD_RECORD_H */
