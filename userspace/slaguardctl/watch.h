/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watch rules: parsed from the command line and read from netlink. struct
 * sg_watch and the requests (sg_watch_build_add/del) are in
 * userspace/common/genl_config.h.
 */
#ifndef SLAGUARDCTL_WATCH_H
#define SLAGUARDCTL_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>

#include "genl_config.h"
#include "parse.h"

/* The arguments after "watch add". */
int sg_watch_parse_add(int argc, char **argv, struct sg_watch *w,
		       struct sg_error *e);
/* The arguments after "watch del": ID or "id ID". */
int sg_watch_parse_del(int argc, char **argv, uint32_t *id,
		       struct sg_error *e);

/* A SLAGUARD_A_WATCH nest as the kernel sends it; -EBADMSG if malformed. */
int sg_watch_from_nest(const struct nlattr *nest, struct sg_watch *w,
		       struct sg_error *e);

struct json_object *sg_watch_to_json(const struct sg_watch *w);

#endif /* SLAGUARDCTL_WATCH_H */
