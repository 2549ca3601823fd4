// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_mnl.c - element changes as nftables netlink transactions, built with
 * libnftnl and sent over one long-lived libmnl socket.
 *
 * This is the fast path. libnftables (and the nft tool) parse text,
 * evaluate it and, for interval sets, read the whole set back before every
 * change; building the messages directly costs only the kernel's own work.
 * All staged changes go in one batch (BEGIN ... END): the kernel applies all
 * of them or none. Messages carry no ACK request: nfnetlink handles a batch
 * synchronously inside sendmsg(), so once it returns, whatever error there
 * is waits on the socket, and silence means success.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

/* An element list attribute is at most 64 KiB (16-bit length); stay below. */
#define MSG_PAYLOAD_MAX 60000
#define ELEM_SIZE_MAX (NFTB_COMMENT_MAX + 128)
#define MSG_ROOM (MSG_PAYLOAD_MAX + ELEM_SIZE_MAX + 1024)
#define BATCH_PAGE_SIZE (256 * 1024)
/* Past a page's end, room for one whole message (see nftnl_batch_update). */
#define BATCH_OVERRUN (MSG_ROOM + 4096)
#define RCVBUF_SIZE (1 << 16)

struct nftb_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char rcvbuf[RCVBUF_SIZE];
};

/* Which ops a message of the batch carries, to name them in an error. */
struct msg_span {
	uint32_t seq;
	const struct nftb_op *first;
	size_t count;
};

struct commit_ctx {
	struct nftb_nl *nl;
	const struct nftb_ops *const *lists;
	size_t nlists, total;
	struct nftnl_batch *batch;
	struct nftnl_set_elem *elem;	/* reused for every element */
	struct msg_span *spans;
	size_t nspans, spans_cap;
	uint32_t seq_first, seq_last;
};

int nftb_ops_push(struct nftb_ops *ops, const struct nftb_op *op)
{
	if (ops->len == ops->cap) {
		size_t cap = ops->cap ? ops->cap * 2 : 256;
		struct nftb_op *v = realloc(ops->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ops->v = v;
		ops->cap = cap;
	}
	ops->v[ops->len++] = *op;
	return 0;
}

void nftb_ops_free(struct nftb_ops *ops)
{
	free(ops->v);
	memset(ops, 0, sizeof(*ops));
}

/* Large buffers: a 100k batch is ~10 MB and is sent in one sendmsg(). */
static void set_bufsize(int fd, int force_opt, int opt, int size)
{
	if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

int nftb_nl_open(struct nftb_nl **out, char *err, size_t errlen)
{
	struct nftb_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot open a netfilter netlink socket: %s", strerror(errno));
		nftb_nl_close(nl);
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)getpid() << 12;
	/* Errors without the echoed request, but with the kernel's message. */
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	set_bufsize(mnl_socket_get_fd(nl->sock), SO_RCVBUFFORCE, SO_RCVBUF, 1 << 22);
	*out = nl;
	return 0;
}

void nftb_nl_close(struct nftb_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

uint32_t nftb_nl_portid(const struct nftb_nl *nl)
{
	return nl->portid;
}

static int span_add(struct commit_ctx *c, uint32_t seq, const struct nftb_op *first)
{
	if (c->nspans == c->spans_cap) {
		size_t cap = c->spans_cap ? c->spans_cap * 2 : 64;
		struct msg_span *v = realloc(c->spans, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->spans = v;
		c->spans_cap = cap;
	}
	c->spans[c->nspans].seq = seq;
	c->spans[c->nspans].first = first;
	c->spans[c->nspans].count = 0;
	c->nspans++;
	return 0;
}

static int put_comment(struct nftnl_set_elem *e, const char *comment)
{
	struct nftnl_udata_buf *ud;

	if (!comment || !comment[0])
		return 0;
	ud = nftnl_udata_buf_alloc(NFTB_COMMENT_MAX + 8);
	if (!ud)
		return -ENOMEM;
	/* The same TLV nft writes, so `nft list` shows it as a comment. */
	nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, comment);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

/* Appends one element to the open element-list nest of nlh. */
static int put_elem(struct commit_ctx *c, struct nlmsghdr *nlh, int index,
		    const uint8_t *key, size_t klen, bool interval_end,
		    const struct nftb_op *op)
{
	struct nftnl_set_elem *e = c->elem;
	int ret;

	nftnl_set_elem_unset(e, NFTNL_SET_ELEM_FLAGS);
	nftnl_set_elem_unset(e, NFTNL_SET_ELEM_TIMEOUT);
	nftnl_set_elem_unset(e, NFTNL_SET_ELEM_EXPIRATION);
	nftnl_set_elem_unset(e, NFTNL_SET_ELEM_USERDATA);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)klen);
	if (interval_end) {
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	} else if (op->type == NFTB_OP_ADD) {
		if (op->timeout_ms)
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, op->timeout_ms);
		/* A restored element keeps its original timeout and what is left. */
		if (op->expires_ms && op->expires_ms < op->timeout_ms)
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_EXPIRATION, op->expires_ms);
		ret = put_comment(e, op->comment);
		if (ret)
			return ret;
	}
	nftnl_set_elem_nlmsg_build(nlh, e, index);
	return 0;
}

static struct nlmsghdr *msg_start(struct commit_ctx *c, const struct nftb_op *op,
				  struct nlattr **nest)
{
	uint16_t type = op->type == NFTB_OP_ADD ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM;
	uint16_t flags = op->type == NFTB_OP_ADD ? NLM_F_CREATE : 0;
	struct nlmsghdr *nlh;

	/*
	 * This libmnl leaves attribute padding as it finds it: clear the
	 * message's room so no stale heap bytes go to the kernel.
	 */
	memset(nftnl_batch_buffer(c->batch), 0, MSG_ROOM);
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(c->batch), type, NFPROTO_INET,
				    flags, ++c->nl->seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NFTB_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, nftb_set_name(op->set));
	*nest = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	return nlh;
}

static int msg_end(struct commit_ctx *c, struct nlmsghdr *nlh, struct nlattr *nest)
{
	mnl_attr_nest_end(nlh, nest);
	return nftnl_batch_update(c->batch) < 0 ? -ENOMEM : 0;
}

/*
 * Consecutive ops of one type on one set share messages; a message closes
 * when its element list nears the 64 KiB attribute limit.
 */
static int build_ops(struct commit_ctx *c)
{
	const struct nftb_op *prev = NULL;
	struct nlmsghdr *nlh = NULL;
	struct nlattr *nest = NULL;
	int index = 0, ret;

	for (size_t li = 0; li < c->nlists; li++) {
		for (size_t i = 0; i < c->lists[li]->len; i++) {
			const struct nftb_op *op = &c->lists[li]->v[i];
			uint8_t key[20], end[16];
			size_t klen = nftb_key_bytes(&op->key, op->key.first, key);

			if (nlh && (op->type != prev->type || op->set != prev->set ||
				    mnl_nlmsg_get_payload_len(nlh) + ELEM_SIZE_MAX > MSG_PAYLOAD_MAX)) {
				ret = msg_end(c, nlh, nest);
				if (ret)
					return ret;
				nlh = NULL;
			}
			if (!nlh) {
				nlh = msg_start(c, op, &nest);
				ret = span_add(c, c->nl->seq, op);
				if (ret)
					return ret;
				index = 0;
			}
			c->spans[c->nspans - 1].count++;
			ret = put_elem(c, nlh, ++index, key, klen, false, op);
			if (!ret && nftb_set_interval(op->set) && nftb_key_end(&op->key, end))
				ret = put_elem(c, nlh, ++index, end, klen, true, op);
			if (ret)
				return ret;
			prev = op;
		}
	}
	return nlh ? msg_end(c, nlh, nest) : 0;
}

static int send_batch(struct commit_ctx *c, char *err, size_t errlen)
{
	int iovlen = nftnl_batch_iovec_len(c->batch);
	struct iovec *iov = calloc((size_t)iovlen, sizeof(*iov));
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct msghdr msg = {
		.msg_name = &snl, .msg_namelen = sizeof(snl),
	};
	size_t total = 0;
	ssize_t sent;

	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(c->batch, iov, (uint32_t)iovlen);
	for (int i = 0; i < iovlen; i++)
		total += iov[i].iov_len;
	set_bufsize(mnl_socket_get_fd(c->nl->sock), SO_SNDBUFFORCE, SO_SNDBUF,
		    (int)(total + 65536 > (1u << 30) ? (1u << 30) : total + 65536));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)iovlen;
	sent = sendmsg(mnl_socket_get_fd(c->nl->sock), &msg, 0);
	free(iov);
	if (sent < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot send the nftables batch (%zu bytes): %s", total,
			 strerror(errno));
		return ret;
	}
	return 0;
}

struct ack_state {
	const struct commit_ctx *c;
	int error;
	uint32_t seq;
	char msg[256];
};

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct ack_state *st = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(st->msg, sizeof(st->msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Keeps the first error of this batch, with the kernel's text if any. */
static void note_error(struct ack_state *st, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || e->error == 0 || st->error ||
	    nlh->nlmsg_seq < st->c->seq_first || nlh->nlmsg_seq > st->c->seq_last)
		return;
	st->error = e->error;
	st->seq = nlh->nlmsg_seq;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(*e), extack_cb, st);
}

static void describe_failure(const struct ack_state *st, char *err, size_t errlen)
{
	const struct commit_ctx *c = st->c;
	char first[NFTB_ADDR_MAX] = "", detail[300] = "";

	for (size_t i = 0; i < c->nspans; i++) {
		const struct msg_span *s = &c->spans[i];
		const struct nftb_op *op = s->first;

		if (s->seq != st->seq)
			continue;
		nftb_key_format(&op->key, first, sizeof(first));
		snprintf(detail, sizeof(detail), "; in a %s of %zu element(s) in set %s starting at %s",
			 op->type == NFTB_OP_ADD ? "add" : "delete", s->count,
			 nftb_set_name(op->set), first);
	}
	snprintf(err, errlen, "kernel refused the transaction (%zu changes, none applied): %s%s%s%s",
		 c->total, strerror(-st->error), st->msg[0] ? " (" : "", st->msg,
		 st->msg[0] ? ")" : "");
	if (strlen(err) + strlen(detail) < errlen)
		strcat(err, detail);
}

static int read_errors(struct commit_ctx *c, char *err, size_t errlen)
{
	struct ack_state st = { .c = c };
	int fd = mnl_socket_get_fd(c->nl->sock);

	for (;;) {
		ssize_t n = recv(fd, c->nl->rcvbuf, sizeof(c->nl->rcvbuf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			/* Lost acks (ENOBUFS): the outcome is unknown, say so. */
			snprintf(err, errlen, "cannot read the kernel's answer to the batch: %s",
				 strerror(errno));
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)(const void *)c->nl->rcvbuf;
		     mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				note_error(&st, nlh);
	}
	if (st.error) {
		describe_failure(&st, err, errlen);
		return st.error;
	}
	return 0;
}

int nftb_nl_commit(struct nftb_nl *nl, const struct nftb_ops *const *lists, size_t nlists,
		   char *err, size_t errlen)
{
	struct commit_ctx c = { .nl = nl, .lists = lists, .nlists = nlists };
	int ret = -ENOMEM;

	for (size_t i = 0; i < nlists; i++)
		c.total += lists[i]->len;
	if (!c.total)
		return 0;
	c.batch = nftnl_batch_alloc(BATCH_PAGE_SIZE, BATCH_OVERRUN);
	c.elem = nftnl_set_elem_alloc();
	if (!c.batch || !c.elem)
		goto out;
	c.seq_first = ++nl->seq;
	nftnl_batch_begin(nftnl_batch_buffer(c.batch), c.seq_first);
	if (nftnl_batch_update(c.batch) < 0)
		goto out;
	ret = build_ops(&c);
	if (ret)
		goto out;
	c.seq_last = ++nl->seq;
	nftnl_batch_end(nftnl_batch_buffer(c.batch), c.seq_last);
	if (nftnl_batch_update(c.batch) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = send_batch(&c, err, errlen);
	if (!ret)
		ret = read_errors(&c, err, errlen);
out:
	if (ret == -ENOMEM && !err[0])
		snprintf(err, errlen, "out of memory building an nftables batch");
	if (c.elem)
		nftnl_set_elem_free(c.elem);
	if (c.batch)
		nftnl_batch_free(c.batch);
	free(c.spans);
	return ret;
}

/*
 * One request and its answer (a dump, or a single object and the ack), for
 * the few reads the backend does over netlink rather than through
 * libnftables: those must not fetch 100k set elements.
 */
int nftb_nl_query(struct nftb_nl *nl, struct nlmsghdr *nlh, nftb_nl_cb cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq = ++nl->seq;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rcvbuf, sizeof(nl->rcvbuf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(nl->rcvbuf, (size_t)n, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}
