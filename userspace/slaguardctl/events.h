/* SPDX-License-Identifier: GPL-2.0 */
/* Events from the multicast group: decoding, formatting, loss tracking. */
#ifndef SLAGUARDCTL_EVENTS_H
#define SLAGUARDCTL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

#include "parse.h"

struct sg_event {
	uint64_t present;	/* bit N: SLAGUARD_EV attribute N was sent */
	uint64_t val[SLAGUARD_EV_MAX + 1];	/* integer attributes */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t src_len;
	uint8_t dst_len;
};

static inline bool sg_event_has(const struct sg_event *ev, unsigned int attr)
{
	return attr <= SLAGUARD_EV_MAX && (ev->present & (1ULL << attr));
}

/*
 * Decode a SLAGUARD_CMD_EVENT message. Returns -ENOMSG for any other
 * message, -EBADMSG (described in E) for a malformed event.
 */
int sg_event_parse(const struct nlmsghdr *nlh, struct sg_event *ev,
		   struct sg_error *e);

/* One JSON object; the caller puts it. */
struct json_object *sg_event_to_json(const struct sg_event *ev);
/* One line for people, without the newline. */
void sg_event_format(const struct sg_event *ev, char *buf, size_t size);

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

/*
 * {"kind":"LOST","missing":N,"after_seq":M,"reason":R}; NULL pointers
 * print as null (count or position unknown).
 */
struct json_object *sg_lost_to_json(const uint64_t *missing,
				    const uint64_t *after_seq,
				    const char *reason);

struct sg_events_opts {
	uint64_t count;		/* stop after this many events; 0: never */
	uint64_t timeout_ms;	/* stop after this long; 0: never */
};

/* The arguments after "events". */
int sg_events_parse_args(int argc, char **argv, struct sg_events_opts *o,
			 struct sg_error *e);

#endif /* SLAGUARDCTL_EVENTS_H */
