/* SPDX-License-Identifier: GPL-2.0 */
/* Detector thresholds: "threshold set" arguments and the THRESHOLDS nest. */
#ifndef SLAGUARDCTL_THRESHOLD_H
#define SLAGUARDCTL_THRESHOLD_H

#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

#include "parse.h"

struct sg_thresholds {
	uint64_t present;	/* bit N: SLAGUARD_THR attribute N is set */
	uint64_t val[SLAGUARD_THR_MAX + 1];
};

/* The arguments after "threshold set": KEY VALUE pairs, at least one. */
int sg_thr_parse_set(int argc, char **argv, struct sg_thresholds *t,
		     struct sg_error *e);
/* A SET_THRESHOLDS request in BUF (SG_GENL_REQSIZE bytes). */
struct nlmsghdr *sg_thr_build_set(void *buf, uint16_t family_id,
				  const struct sg_thresholds *t);
/* A SLAGUARD_A_THRESHOLDS nest from the kernel; -EBADMSG if malformed. */
int sg_thr_from_nest(const struct nlattr *nest, struct sg_thresholds *t,
		     struct sg_error *e);
struct json_object *sg_thr_to_json(const struct sg_thresholds *t);

#endif /* SLAGUARDCTL_THRESHOLD_H */
