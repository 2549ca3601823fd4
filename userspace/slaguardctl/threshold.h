/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detector thresholds: "threshold set" arguments and the THRESHOLDS nest
 * (struct sg_thresholds is in userspace/common/genl_config.h).
 */
#ifndef SLAGUARDCTL_THRESHOLD_H
#define SLAGUARDCTL_THRESHOLD_H

#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

#include "genl_config.h"
#include "parse.h"

/* The arguments after "threshold set": KEY VALUE pairs, at least one. */
int sg_thr_parse_set(int argc, char **argv, struct sg_thresholds *t,
		     struct sg_error *e);
/* sg_thr_build_set() of genl_config.h makes the request. */
/* A SLAGUARD_A_THRESHOLDS nest from the kernel; -EBADMSG if malformed. */
int sg_thr_from_nest(const struct nlattr *nest, struct sg_thresholds *t,
		     struct sg_error *e);
struct json_object *sg_thr_to_json(const struct sg_thresholds *t);

#endif /* SLAGUARDCTL_THRESHOLD_H */
