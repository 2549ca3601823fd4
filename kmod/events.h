/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - events: encoding and multicast.
 */
#ifndef _SLAGUARD_EVENTS_H
#define _SLAGUARD_EVENTS_H

#include <linux/skbuff.h>

#include "estimator.h"

struct slg_task_sample;

/* Payload of the task event kinds (SLAGUARD_EV_TASK); NULL strings are left out. */
struct slg_task_ev {
	u32 pid;		/* 0: no process (FORK_RATE) */
	u32 ppid;
	u32 uid;
	u32 watch_id;		/* 0: none */
	const char *comm;
	const char *filename;	/* PROC_EXEC */
	const char *cgroup;	/* FORK_RATE */
	bool has_exit;
	u32 exit_code;		/* PROC_EXIT */
	const struct slg_task_sample *sample;	/* figures, or NULL */
};

struct slg_event {
	u32 kind;		/* enum slaguard_event_kind */
	u32 netns_inum;
	u8 family;
	u8 dir;
	u8 proto;		/* WATCH_HIT, has_dst (0: none known) */
	u16 sport;		/* WATCH_HIT */
	u16 dport;		/* WATCH_HIT, has_dst (0: none known) */
	u32 watch_id;		/* WATCH_HIT */
	union slg_addr src;	/* not DST_HALF_OPEN */
	union slg_addr dst;	/* WATCH_HIT, has_dst */
	bool has_dst;		/* detector events name the destination */
	u64 time_ns;
	u64 value;
	u64 threshold;
	bool has_rates;		/* detector events carry the source's figures */
	u64 packets;
	u64 bytes;
	struct slg_rates rates;
	bool has_evidence;	/* source detectors: HANDSHAKES, PROBES */
	u64 handshakes;
	u64 cgroup_id;		/* WATCH_HIT of a local socket; 0: none */
	const struct slg_task_ev *task;	/* task kinds: no address, family, dir */
};

size_t slg_event_size(const struct slg_event *ev);
int slg_event_fill(struct sk_buff *skb, const struct slg_event *ev, u64 seq);
void slg_event_emit(struct net *net, const struct slg_event *ev, bool local);

#define SLG_TO_LOCAL	1	/* the namespace's own listeners */
#define SLG_TO_HOST	2	/* the initial namespace's, within budget */
void slg_event_send(struct net *net, const struct slg_event *ev,
		    unsigned int to);
bool slg_forward_take(struct slg_net *sn, s64 sec);
int slg_task_fill(struct sk_buff *skb, const struct slg_task_ev *t);

#define SLG_EVBATCH_MAX	32

/*
 * Several events in as few datagrams as fit, from process context. The
 * sequence numbers are taken when the datagram is sent, under the same
 * lock as single events, so events sent meanwhile by others never arrive
 * out of order.
 */
struct slg_evbatch {
	struct net *net;
	struct sk_buff *skb;
	unsigned int n;
	void *seq[SLG_EVBATCH_MAX];	/* where each event's SEQ goes */
};

void slg_evbatch_add(struct slg_evbatch *b, const struct slg_event *ev);
void slg_evbatch_flush(struct slg_evbatch *b);

#endif /* _SLAGUARD_EVENTS_H */
