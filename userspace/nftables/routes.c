// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * routes.c - the host's gateways, read over rtnetlink with libmnl: every
 * next hop of every route of every routing table, both families.
 *
 * A route names its next hop in RTA_GATEWAY, in RTA_VIA (an IPv6 next hop
 * of an IPv4 route, RFC 5549) or, for multipath (ECMP) routes, in each
 * struct rtnexthop of RTA_MULTIPATH. Routes using nexthop objects (`ip
 * nexthop`, FRR) carry only RTA_NH_ID: their gateways are read from an
 * RTM_GETNEXTHOP dump, where a kernel without nexthop objects means none.
 * A route dump without a table filter returns every table (main, local and
 * those of policy routing), which /proc/net/route never showed.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

/* Dump messages are at most 32 KiB (the kernel's cap on a dump skb). */
#define DUMP_BUF_SIZE 32768

struct walk {
	nftb_gateway_fn fn;
	void *arg;
	int ret;		/* first error of fn */
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

static void found(struct walk *w, int family, const void *addr, size_t len,
		  const struct nftb_gateway_where *where)
{
	if (w->ret || !addr_len(family) || len != addr_len(family))
		return;
	w->ret = w->fn(w->arg, family, addr, where);
}

/* RTA_GATEWAY (in the route's family) and RTA_VIA of one next hop. */
static void next_hop(struct walk *w, int family, const struct nlattr *gw,
		     const struct nlattr *via, const struct nftb_gateway_where *where)
{
	if (gw)
		found(w, family, mnl_attr_get_payload(gw), mnl_attr_get_payload_len(gw), where);
	if (via && mnl_attr_get_payload_len(via) >= sizeof(struct rtvia)) {
		const struct rtvia *v = mnl_attr_get_payload(via);

		found(w, v->rtvia_family, v->rtvia_addr,
		      mnl_attr_get_payload_len(via) - sizeof(struct rtvia), where);
	}
}

struct route_attrs {
	const struct nlattr *tb[RTA_MAX + 1];
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *a = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;	/* newer than this build: not ours to read */
	if (type == RTA_TABLE && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	a->tb[type] = attr;
	return MNL_CB_OK;
}

/* Each struct rtnexthop of RTA_MULTIPATH, with its own nested attributes. */
static void multipath(struct walk *w, int family, const struct nlattr *mp,
		      const struct nftb_gateway_where *where)
{
	const struct rtnexthop *rtnh = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(*rtnh) && rtnh->rtnh_len >= sizeof(*rtnh) &&
	       rtnh->rtnh_len <= left) {
		struct route_attrs a;

		memset(&a, 0, sizeof(a));
		mnl_attr_parse_payload(RTNH_DATA(rtnh), rtnh->rtnh_len - RTNH_LENGTH(0),
				       route_attr_cb, &a);
		next_hop(w, family, a.tb[RTA_GATEWAY], a.tb[RTA_VIA], where);
		if ((size_t)RTNH_ALIGN(rtnh->rtnh_len) >= left)
			break;
		left -= (size_t)RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nftb_gateway_where where = { 0 };
	struct walk *w = data;
	struct route_attrs a;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return MNL_CB_OK;
	memset(&a, 0, sizeof(a));
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &a) < 0)
		return MNL_CB_OK;
	where.table = a.tb[RTA_TABLE] ? mnl_attr_get_u32(a.tb[RTA_TABLE]) : rtm->rtm_table;
	next_hop(w, rtm->rtm_family, a.tb[RTA_GATEWAY], a.tb[RTA_VIA], &where);
	if (a.tb[RTA_MULTIPATH]) {
		where.multipath = true;
		multipath(w, rtm->rtm_family, a.tb[RTA_MULTIPATH], &where);
	}
	return w->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int nh_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NHA_MAX) < 0)
		return MNL_CB_OK;
	if (type == NHA_ID && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int nexthop_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nhmsg *nhm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NHA_MAX + 1] = { 0 };
	struct nftb_gateway_where where = { 0 };
	struct walk *w = data;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*nhm), nh_attr_cb, tb) < 0 || !tb[NHA_GATEWAY])
		return MNL_CB_OK;
	where.nexthop_id = tb[NHA_ID] ? mnl_attr_get_u32(tb[NHA_ID]) : 0;
	found(w, nhm->nh_family, mnl_attr_get_payload(tb[NHA_GATEWAY]),
	      mnl_attr_get_payload_len(tb[NHA_GATEWAY]), &where);
	return w->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * One dump request (TYPE with the family header HDR) and its replies, on a
 * socket of its own: an interrupted dump leaves unread replies behind.
 */
static int dump(char *buf, uint16_t type, const void *hdr, size_t hdrlen, mnl_cb_t cb,
		struct walk *w)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t seq = (uint32_t)time(NULL) + type;
	ssize_t n;
	int ret;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, DUMP_BUF_SIZE);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		errno = 0;
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), cb, w);
	} while (ret > MNL_CB_STOP);
	ret = w->ret ? w->ret : ret < 0 ? (errno ? -errno : -EIO) : 0;
out:
	if (nl)
		mnl_socket_close(nl);
	return ret;
}

/*
 * Routes may change during a dump (NLM_F_DUMP_INTR, EINTR from libmnl): what
 * was read is still real, and the dump is read again, a few times at most.
 */
static int dump_all(char *buf, uint16_t type, const void *hdr, size_t hdrlen, mnl_cb_t cb,
		    struct walk *w)
{
	int ret = -EINTR;

	for (int tries = 0; tries < 3 && ret == -EINTR && !w->ret; tries++)
		ret = dump(buf, type, hdr, hdrlen, cb, w);
	return ret;
}

int nftb_gateways(nftb_gateway_fn fn, void *arg, char *err, size_t errlen)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct walk w = { .fn = fn, .arg = arg };
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	char *buf = malloc(DUMP_BUF_SIZE);
	int ret = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory reading the routes");
		return -ENOMEM;
	}
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]) && !ret; i++) {
		struct rtmsg rtm = { .rtm_family = (unsigned char)families[i] };

		ret = dump_all(buf, RTM_GETROUTE, &rtm, sizeof(rtm), route_cb, &w);
		if (ret)
			snprintf(err, errlen, "cannot read the %s routes over rtnetlink: %s",
				 families[i] == AF_INET ? "IPv4" : "IPv6", strerror(-ret));
	}
	if (!ret) {
		ret = dump_all(buf, RTM_GETNEXTHOP, &nhm, sizeof(nhm), nexthop_cb, &w);
		/* a kernel before 5.3 has no nexthop objects, so no gateways there */
		if (ret && !w.ret && (ret == -EOPNOTSUPP || ret == -EINVAL || ret == -ENOENT))
			ret = 0;
		else if (ret)
			snprintf(err, errlen, "cannot read the nexthop objects over rtnetlink: %s",
				 strerror(-ret));
	}
	free(buf);
	return ret;
}
