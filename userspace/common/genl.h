/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink client on top of libmnl: one socket, one family,
 * requests answered by a callback per reply, extended-ack messages kept for
 * the caller to show. Shared by slaguardctl, slaguardd and
 * tests/tools/sgnl-raw.
 */
#ifndef SLAGUARD_COMMON_GENL_H
#define SLAGUARD_COMMON_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

/* Large enough for one dump skb: the kernel caps those at 32 KiB. */
#define SG_GENL_BUFSIZE		32768
/* Large enough for any request slaguardctl builds. */
#define SG_GENL_REQSIZE		8192
#define SG_EXTACK_LEN		256

struct sg_genl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t mcgrp_id;	/* the group asked for at open; 0 if absent */
	bool dump_intr;		/* a dump raced with a change */
	/* From the kernel's answer to the last request: */
	int kernel_error;	/* its negative errno, 0 if it accepted */
	char extack[SG_EXTACK_LEN];
	int32_t miss_type;	/* missing attribute type, -1 if not reported */
	int64_t err_offset;	/* of the bad attribute in the request, or -1 */
	bool has_min;		/* the bad attribute's policy range, if sent */
	bool has_max;
	uint64_t policy_min;
	uint64_t policy_max;
	char *buf;		/* SG_GENL_BUFSIZE bytes for replies */
};

/*
 * Open a socket and resolve FAMILY (and MCGRP unless NULL) by name.
 * Returns -ENOENT when the family does not exist.
 */
int sg_genl_open(struct sg_genl *g, const char *family, const char *mcgrp);
void sg_genl_close(struct sg_genl *g);

/* Start a request for the family in BUF (SG_GENL_REQSIZE bytes). */
struct nlmsghdr *sg_genl_msg(void *buf, uint16_t family_id, uint8_t version,
			     uint8_t cmd, uint16_t flags);

/*
 * Send NLH and run CB (may be NULL) on each reply until the kernel's ack or
 * the end of a dump. Non-dump requests get NLM_F_ACK added. Returns 0 or a
 * negative errno; the kernel's extended ack is in g->extack.
 */
int sg_genl_talk(struct sg_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);

/* Join the multicast group resolved at open. */
int sg_genl_join(struct sg_genl *g);

/*
 * The top-level attribute TYPE of a family message if it is a well-formed
 * nest, else NULL.
 */
const struct nlattr *sg_genl_nest(const struct nlmsghdr *nlh, uint16_t type);

/*
 * Which attribute of request REQ the kernel's extended ack points at: its
 * enclosing top-level nest (0 if top-level itself) and its type. Returns 0,
 * or -ENOENT if the ack named none.
 */
int sg_genl_err_attr(const struct sg_genl *g, const struct nlmsghdr *req,
		     uint16_t *nest, uint16_t *type);

/* The genetlink command of a message, or -1 if it has no genetlink header. */
int sg_genl_cmd(const struct nlmsghdr *nlh);

#define SG_ATTRS_MAX	63

/*
 * The attributes of one nest, checked against a table of expected types
 * indexed by attribute type: MNL_TYPE_U8..U64 are stored in val[],
 * MNL_TYPE_BINARY in raw[] (the caller checks its length), MNL_TYPE_UNSPEC
 * and types beyond the table are ignored, so newer kernels can add
 * attributes.
 */
struct sg_attrs {
	const enum mnl_attr_data_type *types;
	uint16_t ntypes;
	uint16_t bad;		/* type of the malformed attribute, if any */
	uint64_t present;	/* bit N: attribute N was seen */
	uint64_t val[SG_ATTRS_MAX + 1];
	const struct nlattr *raw[SG_ATTRS_MAX + 1];
};

/* Returns 0, or -EBADMSG with a->bad set. */
int sg_attrs_parse(const struct nlattr *nest, struct sg_attrs *a,
		   const enum mnl_attr_data_type *types, uint16_t ntypes);

static inline bool sg_attrs_has(const struct sg_attrs *a, uint16_t type)
{
	return type <= SG_ATTRS_MAX && (a->present & (1ULL << type));
}

#endif /* SLAGUARD_COMMON_GENL_H */
