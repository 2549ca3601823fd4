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

#include "genl_event.h"
#include "parse.h"

/*
 * Decode a SLAGUARD_CMD_EVENT message (sg_event_decode() of
 * userspace/common). Returns -ENOMSG for any other message, -EBADMSG
 * (described in E) for a malformed event.
 */
int sg_event_parse(const struct nlmsghdr *nlh, struct sg_event *ev,
		   struct sg_error *e);

/* One JSON object; the caller puts it. */
struct json_object *sg_event_to_json(const struct sg_event *ev);
/* One line for people, without the newline. */
void sg_event_format(const struct sg_event *ev, char *buf, size_t size);

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
