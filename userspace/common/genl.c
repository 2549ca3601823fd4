// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "genl.h"

struct talk {
	struct sg_genl *g;
	mnl_cb_t cb;
	void *data;
};

/* The range a rejected integer had to be in. */
static int policy_attr(const struct nlattr *attr, void *data)
{
	struct sg_genl *g = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		g->has_min = true;
		g->policy_min = mnl_attr_get_u64(attr);
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		g->has_max = true;
		g->policy_max = mnl_attr_get_u64(attr);
		break;
	}
	return MNL_CB_OK;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct sg_genl *g = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(g->extack, sizeof(g->extack), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			g->miss_type = (int32_t)mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			g->err_offset = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_POLICY:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, policy_attr, g);
		break;
	}
	return MNL_CB_OK;
}

/* Extended-ack TLVs follow the error code (and the request, unless capped). */
static void parse_extack(struct sg_genl *g, const struct nlmsghdr *nlh,
			 size_t offset)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, offset, extack_attr, g);
}

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_extack(t->g, nlh, offset);
	if (err->error == 0)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	t->g->kernel_error = -errno;
	return MNL_CB_ERROR;
}

/* A dump ends with NLMSG_DONE, which carries the dump's own error code. */
static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int32_t error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	parse_extack(t->g, nlh, sizeof(error));
	if (error == 0)
		return MNL_CB_STOP;
	errno = error < 0 ? -error : error;
	t->g->kernel_error = -errno;
	return MNL_CB_ERROR;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->g->dump_intr = true;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int cb_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

struct nlmsghdr *sg_genl_msg(void *buf, uint16_t family_id, uint8_t version,
			     uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, sizeof(struct nlmsghdr) + sizeof(struct genlmsghdr));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

int sg_genl_talk(struct sg_genl *g, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = cb_noop,
		[NLMSG_ERROR] = cb_error,
		[NLMSG_DONE] = cb_done,
	};
	struct talk t = { .g = g, .cb = cb, .data = data };
	ssize_t n;
	int ret = MNL_CB_OK;

	g->extack[0] = '\0';
	g->miss_type = -1;
	g->err_offset = -1;
	g->has_min = false;
	g->has_max = false;
	g->kernel_error = 0;
	g->dump_intr = false;
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++g->seq;

	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(g->nl, g->buf, SG_GENL_BUFSIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		errno = 0;
		ret = mnl_cb_run2(g->buf, n, nlh->nlmsg_seq, g->portid,
				  cb_data, &t, ctl, MNL_ARRAY_SIZE(ctl));
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
	} while (ret > MNL_CB_STOP);
	return 0;
}

struct family_reply {
	const char *mcgrp;
	uint16_t id;
	uint32_t version;
	uint32_t mcgrp_id;
};

static int mcgrp_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void find_mcgrp(const struct nlattr *groups, struct family_reply *r)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };

		if (mnl_attr_validate(grp, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(grp, mcgrp_attr, tb) < 0)
			continue;
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			   r->mcgrp) == 0)
			r->mcgrp_id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_attr(const struct nlattr *attr, void *data)
{
	struct family_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		r->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			r->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (r->mcgrp && mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			find_mcgrp(attr, r);
		break;
	}
	return MNL_CB_OK;
}

static int family_reply(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr,
			   data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int resolve(struct sg_genl *g, const char *family, const char *mcgrp)
{
	char req[SG_GENL_REQSIZE];
	struct family_reply r = { .mcgrp = mcgrp };
	struct nlmsghdr *nlh;
	int ret;

	nlh = sg_genl_msg(req, GENL_ID_CTRL, 1, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ret = sg_genl_talk(g, nlh, family_reply, &r);
	if (ret < 0)
		return ret;
	if (!r.id)
		return -EPROTO;
	g->family_id = r.id;
	g->family_version = r.version;
	g->mcgrp_id = r.mcgrp_id;
	return 0;
}

static void set_flag(struct sg_genl *g, int opt)
{
	int one = 1;

	/* Older kernels lack some options; requests work without them. */
	mnl_socket_setsockopt(g->nl, opt, &one, sizeof(one));
}

int sg_genl_open(struct sg_genl *g, const char *family, const char *mcgrp)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->miss_type = -1;
	g->err_offset = -1;
	g->buf = malloc(SG_GENL_BUFSIZE);
	if (!g->buf)
		return -ENOMEM;
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl)
		goto err;
	set_flag(g, NETLINK_EXT_ACK);
	set_flag(g, NETLINK_CAP_ACK);
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	g->portid = mnl_socket_get_portid(g->nl);
	ret = resolve(g, family, mcgrp);
	if (ret < 0) {
		sg_genl_close(g);
		return ret;
	}
	return 0;
err:
	ret = -errno;
	sg_genl_close(g);
	return ret;
}

void sg_genl_close(struct sg_genl *g)
{
	if (g->nl)
		mnl_socket_close(g->nl);
	g->nl = NULL;
	free(g->buf);
	g->buf = NULL;
}

int sg_genl_join(struct sg_genl *g)
{
	int grp = (int)g->mcgrp_id;

	if (!g->mcgrp_id)
		return -ENOENT;
	if (mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

struct find_nest {
	uint16_t type;
	const struct nlattr *found;
};

static int nest_attr(const struct nlattr *attr, void *data)
{
	struct find_nest *f = data;

	if (mnl_attr_get_type(attr) == f->type &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		f->found = attr;
	return MNL_CB_OK;
}

const struct nlattr *sg_genl_nest(const struct nlmsghdr *nlh, uint16_t type)
{
	struct find_nest f = { .type = type };

	if (sg_genl_cmd(nlh) < 0)
		return NULL;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nest_attr, &f) < 0)
		return NULL;
	return f.found;
}

int sg_genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -1;
	genl = mnl_nlmsg_get_payload(nlh);
	return genl->cmd;
}

static int attrs_cb(const struct nlattr *attr, void *data)
{
	struct sg_attrs *a = data;
	uint16_t type = mnl_attr_get_type(attr);
	enum mnl_attr_data_type t;

	if (type >= a->ntypes || type > SG_ATTRS_MAX)
		return MNL_CB_OK;
	t = a->types[type];
	if (t == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, t) < 0) {
		a->bad = type;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	switch (t) {
	case MNL_TYPE_U8:
		a->val[type] = mnl_attr_get_u8(attr);
		break;
	case MNL_TYPE_U16:
		a->val[type] = mnl_attr_get_u16(attr);
		break;
	case MNL_TYPE_U32:
		a->val[type] = mnl_attr_get_u32(attr);
		break;
	case MNL_TYPE_U64:
		a->val[type] = mnl_attr_get_u64(attr);
		break;
	default:
		a->raw[type] = attr;
		break;
	}
	a->present |= 1ULL << type;
	return MNL_CB_OK;
}

int sg_attrs_parse(const struct nlattr *nest, struct sg_attrs *a,
		   const enum mnl_attr_data_type *types, uint16_t ntypes)
{
	memset(a, 0, sizeof(*a));
	a->types = types;
	a->ntypes = ntypes;
	if (mnl_attr_parse_nested(nest, attrs_cb, a) < 0)
		return -EBADMSG;
	return 0;
}

int sg_genl_err_attr(const struct sg_genl *g, const struct nlmsghdr *req,
		     uint16_t *nest, uint16_t *type)
{
	const char *base = (const char *)req;
	const struct nlattr *attr, *inner;

	if (g->err_offset < 0 || g->err_offset >= req->nlmsg_len)
		return -ENOENT;
	mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
		if ((const char *)attr - base == g->err_offset) {
			*nest = 0;
			*type = mnl_attr_get_type(attr);
			return 0;
		}
		if (!(attr->nla_type & NLA_F_NESTED))
			continue;
		mnl_attr_for_each_nested(inner, attr) {
			if ((const char *)inner - base == g->err_offset) {
				*nest = mnl_attr_get_type(attr);
				*type = mnl_attr_get_type(inner);
				return 0;
			}
		}
	}
	return -ENOENT;
}
