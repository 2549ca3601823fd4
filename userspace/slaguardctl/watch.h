/* SPDX-License-Identifier: GPL-2.0 */
/* Watch rules: parsed from the command line, built into and read from netlink. */
#ifndef SLAGUARDCTL_WATCH_H
#define SLAGUARDCTL_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>

#include "parse.h"

struct sg_watch {
	uint32_t id;		/* 0: the kernel picks one */
	uint8_t family;		/* AF_UNSPEC: any */
	bool has_src;
	bool has_dst;
	bool has_proto;
	bool has_ports;
	bool has_hits;
	struct sg_prefix src;
	struct sg_prefix dst;
	uint8_t proto;
	uint16_t port_min;
	uint16_t port_max;
	uint8_t dir;		/* enum slaguard_direction */
	uint8_t action;		/* enum slaguard_watch_action */
	uint32_t sample_n;	/* SAMPLE only */
	uint64_t hits;
};

/* The arguments after "watch add". */
int sg_watch_parse_add(int argc, char **argv, struct sg_watch *w,
		       struct sg_error *e);
/* The arguments after "watch del": ID or "id ID". */
int sg_watch_parse_del(int argc, char **argv, uint32_t *id,
		       struct sg_error *e);

/* Requests in BUF (SG_GENL_REQSIZE bytes). */
struct nlmsghdr *sg_watch_build_add(void *buf, uint16_t family_id,
				    const struct sg_watch *w);
struct nlmsghdr *sg_watch_build_del(void *buf, uint16_t family_id,
				    uint32_t id);

/* A SLAGUARD_A_WATCH nest as the kernel sends it; -EBADMSG if malformed. */
int sg_watch_from_nest(const struct nlattr *nest, struct sg_watch *w,
		       struct sg_error *e);

struct json_object *sg_watch_to_json(const struct sg_watch *w);

#endif /* SLAGUARDCTL_WATCH_H */
