// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NFQUEUE reader, after libnetfilter_queue's examples/nf-queue.c:
 * libmnl socket, NFQA_CFG_F_GSO (no segmentation for our sake),
 * NETLINK_NO_ENOBUFS (a full socket is not an error: with
 * NFQA_CFG_F_FAIL_OPEN the kernel accepts what it cannot queue), verdicts
 * built with nfq_nlmsg_verdict_put(). Each wakeup drains the socket, sends
 * the drops (and packets it could not parse, accepted) one by one and
 * accepts the rest with one batch verdict up to the highest id, compared
 * wrap-safe as the kernel does.
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
	struct nfqueue_burst burst;	/* verdicts not sent yet */
};

/* A after B, as the kernel's nfqueue compares ids (they wrap). */
static bool id_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

bool nfqueue_burst_add(struct nfqueue_burst *b, uint32_t id,
		       enum nfqueue_decision d)
{
	if (d == NFQUEUE_ACCEPT) {
		if (!b->have_accept || id_after(id, b->max_accept))
			b->max_accept = id;
		b->have_accept = true;
		return true;
	}
	if (b->n_single == NFQUEUE_BURST)
		return false;
	b->single[b->n_single] = id;
	b->single_drop[b->n_single++] = d == NFQUEUE_DROP;
	return true;
}

size_t nfqueue_burst_verdicts(const struct nfqueue_burst *b,
			      struct nfqueue_verdict *out)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n_single; i++)
		out[n++] = (struct nfqueue_verdict){ b->single[i],
						     b->single_drop[i], false };
	if (b->have_accept)
		out[n++] = (struct nfqueue_verdict){ b->max_accept, false, true };
	return n;
}

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

/* Drops and lone accepts first, each on its own; then the batch accept. */
static void flush_verdicts(struct nfqueue *q)
{
	char buf[(NFQUEUE_BURST + 1) * NLMSG_ALIGN(NLMSG_HDRLEN + 64)];
	struct nfqueue_verdict v[NFQUEUE_BURST + 1];
	size_t off = 0, n = nfqueue_burst_verdicts(&q->burst, v);

	for (size_t i = 0; i < n; i++)
		put_verdict(buf, &off, v[i].batch ? NFQNL_MSG_VERDICT_BATCH :
			    NFQNL_MSG_VERDICT, q->o.queue_num, v[i].id,
			    v[i].drop ? NF_DROP : NF_ACCEPT);
	if (off && mnl_socket_sendto(q->nl, buf, off) < 0) {
		q->c.send_errors++;
		sgd_log(LOG_WARNING, "nfqueue %u: sending verdicts: %s",
			q->o.queue_num, strerror(errno));
	}
	memset(&q->burst, 0, sizeof(q->burst));
}

static int on_packet(const struct nlmsghdr *nlh, void *arg)
{
	struct nfqueue *q = arg;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	enum nfqueue_decision d = NFQUEUE_ACCEPT;
	bool parsed = nfq_nlmsg_parse(nlh, attr) >= 0;
	uint32_t id;

	/* Without its header a packet has no id to answer: the kernel's
	 * fail-open takes it when the queue is full. */
	if (!attr[NFQA_PACKET_HDR] ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	q->c.packets++;
	if (!parsed || !attr[NFQA_PAYLOAD])
		d = NFQUEUE_ACCEPT_ALONE;
	else if (q->o.verdict(mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
			      mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]),
			      q->o.arg))
		d = NFQUEUE_DROP;
	if (d == NFQUEUE_DROP)
		q->c.dropped++;
	if (!nfqueue_burst_add(&q->burst, id, d)) {
		flush_verdicts(q);
		nfqueue_burst_add(&q->burst, id, d);
	}
	return MNL_CB_OK;
}

static void on_readable(struct loop_handler *h, uint32_t events)
{
	struct nfqueue *q = h->arg;
	ssize_t n;

	(void)events;
	for (int i = 0; i < NFQUEUE_BURST; i++) {
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
