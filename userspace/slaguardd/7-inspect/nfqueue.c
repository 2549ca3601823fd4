// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NFQUEUE reader, after libnetfilter_queue's examples/nf-queue.c:
 * libmnl socket, NFQA_CFG_F_GSO (no segmentation for our sake),
 * NETLINK_NO_ENOBUFS (a full socket is not an error: with
 * NFQA_CFG_F_FAIL_OPEN the kernel accepts what it cannot queue), verdicts
 * built with nfq_nlmsg_verdict_put(). Each wakeup drains the socket, sends
 * the drops one by one and accepts the rest with one batch verdict.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "inspect.h"
#include "util.h"

/* Packets handled per wakeup, so one busy source cannot starve the loop. */
#define BURST		64
/* Packets the kernel holds for us before fail-open accepts the rest. */
#define QUEUE_MAXLEN	4096
#define RCVBUF_BYTES	(4 << 20)

struct nfqueue {
	struct mnl_socket *nl;
	uint32_t portid;
	struct loop *loop;
	struct loop_handler h;
	struct nfqueue_opts o;
	struct nfqueue_counters c;
	char *rbuf;
	size_t rbuf_size;
	/* verdicts of the current burst */
	uint32_t drops[BURST];
	size_t n_drops;
	uint32_t max_accept;
	bool have_accept;
};

/* Sends one config message and waits for the kernel's ack. */
static int config(struct nfqueue *q, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq = (uint32_t)time(NULL) ^ nlh->nlmsg_type;
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = (int)mnl_socket_recvfrom(q->nl, buf, sizeof(buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)ret, seq, q->portid, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

static int configure(struct nfqueue *q)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t flags = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	struct nlmsghdr *nlh;
	int ret;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->o.queue_num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	ret = config(q, nlh);
	if (ret < 0)
		return ret;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->o.queue_num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, (int)q->o.copy_range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	return config(q, nlh);
}

static void put_verdict(char *buf, size_t *off, int type, uint16_t queue,
			uint32_t id, int verdict)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf + *off, type, queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* Drops first, each on its own; then everything up to max_accept at once. */
static void flush_verdicts(struct nfqueue *q)
{
	char buf[(BURST + 1) * NLMSG_ALIGN(NLMSG_HDRLEN + 64)];
	size_t off = 0;

	for (size_t i = 0; i < q->n_drops; i++)
		put_verdict(buf, &off, NFQNL_MSG_VERDICT, q->o.queue_num,
			    q->drops[i], NF_DROP);
	if (q->have_accept)
		put_verdict(buf, &off, NFQNL_MSG_VERDICT_BATCH, q->o.queue_num,
			    q->max_accept, NF_ACCEPT);
	if (off && mnl_socket_sendto(q->nl, buf, off) < 0) {
		q->c.send_errors++;
		sgd_log(LOG_WARNING, "nfqueue %u: sending verdicts: %s",
			q->o.queue_num, strerror(errno));
	}
	q->n_drops = 0;
	q->have_accept = false;
}

static int on_packet(const struct nlmsghdr *nlh, void *arg)
{
	struct nfqueue *q = arg;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	uint32_t id;
	bool drop = false;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	q->c.packets++;
	if (attr[NFQA_PAYLOAD])
		drop = q->o.verdict(mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
				    mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]),
				    q->o.arg);
	if (drop) {
		if (q->n_drops == BURST)
			flush_verdicts(q);
		q->drops[q->n_drops++] = id;
		q->c.dropped++;
	} else if (!q->have_accept || id > q->max_accept) {
		q->max_accept = id;
		q->have_accept = true;
	}
	return MNL_CB_OK;
}

static void on_readable(struct loop_handler *h, uint32_t events)
{
	struct nfqueue *q = h->arg;
	ssize_t n;

	(void)events;
	for (int i = 0; i < BURST; i++) {
		n = mnl_socket_recvfrom(q->nl, q->rbuf, q->rbuf_size);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ENOBUFS)
				sgd_log(LOG_WARNING, "nfqueue %u: %s",
					q->o.queue_num, strerror(errno));
			break;
		}
		if (mnl_cb_run(q->rbuf, (size_t)n, 0, q->portid, on_packet, q) < 0 &&
		    errno != 0)
			sgd_log(LOG_DEBUG, "nfqueue %u: %s", q->o.queue_num,
				strerror(errno));
	}
	flush_verdicts(q);
}

int nfqueue_new(struct nfqueue **out, struct loop *l,
		const struct nfqueue_opts *opts)
{
	struct nfqueue *q = calloc(1, sizeof(*q));
	int one = 1, rcvbuf = RCVBUF_BYTES, ret;

	*out = NULL;
	if (!q)
		return -ENOMEM;
	q->o = *opts;
	q->loop = l;
	q->h.fd = -1;
	q->rbuf_size = opts->copy_range + MNL_SOCKET_BUFFER_SIZE;
	q->rbuf = malloc(q->rbuf_size);
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->rbuf || !q->nl) {
		ret = q->rbuf ? -errno : -ENOMEM;
		goto fail;
	}
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	ret = configure(q);
	if (ret < 0)
		goto fail;
	mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (fcntl(mnl_socket_get_fd(q->nl), F_SETFL, O_NONBLOCK) < 0) {
		ret = -errno;
		goto fail;
	}
	q->h = (struct loop_handler){ .fd = mnl_socket_get_fd(q->nl),
				      .fn = on_readable, .arg = q };
	ret = loop_add(l, &q->h, EPOLLIN);
	if (ret < 0) {
		q->h.fd = -1;
		goto fail;
	}
	*out = q;
	return 0;
fail:
	nfqueue_free(q);
	return ret;
}

/* Closing the socket unbinds the queue; `bypass` then accepts in the kernel. */
void nfqueue_free(struct nfqueue *q)
{
	if (!q)
		return;
	if (q->h.fd >= 0)
		loop_del(q->loop, &q->h);
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->rbuf);
	free(q);
}

const struct nfqueue_counters *nfqueue_counters(const struct nfqueue *q)
{
	return &q->c;
}

/* The next word of TEXT at *P, skipping blanks, # comments and "strings". */
static size_t next_word(const char **p, const char **word)
{
	const char *s = *p;
	size_t n;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\\')
			s++;
		if (*s == '#') {
			s += strcspn(s, "\n");
			continue;
		}
		if (*s == '"') {
			s = strchr(s + 1, '"');
			s = s ? s + 1 : *p + strlen(*p);
			continue;
		}
		break;
	}
	*word = s;
	if (*s == '\n' || *s == ';' || *s == '{' || *s == '}')
		n = 1;
	else
		n = strcspn(s, " \t\n;{}#\"\\");
	*p = s + n;
	return n;
}

static int parse_num(const char *w, size_t n, uint16_t *num)
{
	char tmp[8];
	char *end;
	unsigned long v;

	if (!n || n >= sizeof(tmp) || !isdigit((unsigned char)w[0]))
		return -EINVAL;
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	v = strtoul(tmp, &end, 10);
	if (*end || v > 65535)
		return -EINVAL;		/* a range "100-103", or too big */
	*num = (uint16_t)v;
	return 0;
}

int nfqueue_num_from_text(const char *text, uint16_t *num)
{
	const char *p = text, *w;
	size_t n;

	while ((n = next_word(&p, &w)) > 0) {
		if (n != 5 || strncmp(w, "queue", 5))
			continue;
		/* the rest of the statement: `num N` or `to N` */
		while ((n = next_word(&p, &w)) > 0 && !strchr("\n;{}", w[0])) {
			if ((n == 3 && !strncmp(w, "num", 3)) ||
			    (n == 2 && !strncmp(w, "to", 2))) {
				n = next_word(&p, &w);
				return parse_num(w, n, num);
			}
		}
		*num = 0;	/* nft's default queue */
		return 0;
	}
	return -ENOENT;
}

int nfqueue_num_from_file(const char *path, uint16_t *num)
{
	FILE *f = fopen(path, "re");
	char *text;
	long len;
	int ret;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		ret = -errno;
		fclose(f);
		return ret;
	}
	text = calloc(1, (size_t)len + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	ret = fread(text, 1, (size_t)len, f) == (size_t)len ?
	      nfqueue_num_from_text(text, num) : -EIO;
	free(text);
	fclose(f);
	return ret;
}
