/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the module's multicast events and sequence-gap tracking,
 * shared by slaguardctl (which prints events) and slaguardd (which judges
 * them), so both read the UAPI the same way.
 */
#ifndef SLAGUARD_COMMON_GENL_EVENT_H
#define SLAGUARD_COMMON_GENL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

struct sg_event {
	uint64_t present;	/* bit N: SLAGUARD_EV attribute N was sent */
	uint64_t val[SLAGUARD_EV_MAX + 1];	/* integer attributes */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t src_len;
	uint8_t dst_len;
	/* SLAGUARD_EV_TASK (task event kinds): integers and strings */
	uint64_t task_present;	/* bit N: SLAGUARD_TASK attribute N */
	uint64_t task_val[SLAGUARD_TASK_MAX + 1];
	char comm[SLAGUARD_COMM_LEN];
	char filename[256];
	char cgroup[256];
};

static inline bool sg_event_has_task(const struct sg_event *ev,
				     unsigned int attr)
{
	return attr <= SLAGUARD_TASK_MAX && (ev->task_present & (1ULL << attr));
}

/*
 * The SLAGUARD_TASK attributes of a nest (an event's SLAGUARD_EV_TASK or a
 * GET_TASKS entry's SLAGUARD_A_TASK) into the task fields of EV; strings
 * too long are cut. Returns 0 or -EBADMSG.
 */
int sg_task_decode(const struct nlattr *nest, struct sg_event *ev);

static inline bool sg_event_has(const struct sg_event *ev, unsigned int attr)
{
	return attr <= SLAGUARD_EV_MAX && (ev->present & (1ULL << attr));
}

/*
 * Decode a SLAGUARD_CMD_EVENT message. Returns -ENOMSG for any other
 * message, -EBADMSG for a malformed event, with *why (static text) saying
 * what was wrong and *bad_attr the attribute at fault (0 if none).
 */
int sg_event_decode(const struct nlmsghdr *nlh, struct sg_event *ev,
		    const char **why, unsigned int *bad_attr);

/*
 * Sequence numbers count up from 1 without gaps; the first one seen is the
 * baseline.
 */
struct sg_seq {
	bool started;
	uint64_t last;
};

enum sg_seq_result {
	SG_SEQ_FIRST,		/* baseline set */
	SG_SEQ_NEXT,		/* last + 1 */
	SG_SEQ_GAP,		/* *missing events after *after were lost */
	SG_SEQ_BACK,		/* went back (module reloaded): new baseline */
};

enum sg_seq_result sg_seq_track(struct sg_seq *s, uint64_t seq,
				uint64_t *missing, uint64_t *after);

#endif /* SLAGUARD_COMMON_GENL_EVENT_H */
