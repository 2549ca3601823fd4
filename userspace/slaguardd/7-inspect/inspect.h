/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the inspect stage's interface: packets of sources under
 * inspection, read from NFQUEUE and judged against the payload rules.
 */
#ifndef SLAGUARDD_INSPECT_H
#define SLAGUARDD_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "sla.h"

/*
 * What a queued packet is: addresses, protocol, ports and the
 * start of its TCP/UDP payload, read from the network header on. The
 * verdict on it (drop a payload that a payload rule forbids, accept the
 * rest) follows from the SLA in one place, so the NFQUEUE reader and the
 * unit tests share it.
 */

/* How much of a packet's payload is judged: what a queued copy holds. */
#define INSPECT_PAYLOAD_MAX	512
/*
 * The queue's copy range: the longest IPv4 (60) or IPv6-with-extension
 * (up to 128 here) header plus the longest TCP header (60), then the payload.
 */
#define INSPECT_COPY_RANGE	(256 + INSPECT_PAYLOAD_MAX)

struct inspect_packet {
	int family;			/* AF_INET, AF_INET6 */
	uint8_t src[16], dst[16];
	uint8_t proto;			/* IPPROTO_* of the transport header */
	uint16_t sport, dport;
	const uint8_t *payload;		/* into the buffer parsed */
	size_t payload_len;		/* at most INSPECT_PAYLOAD_MAX */
};

/*
 * Parse PKT (LEN bytes from the IP header on; the copy may be shorter than
 * the packet). 0 with *P filled for a TCP or UDP packet with its whole
 * transport header; -ENOENT for other protocols and non-first fragments;
 * -EBADMSG for a truncated or malformed packet.
 */
int inspect_parse(const uint8_t *pkt, size_t len, struct inspect_packet *p);

/*
 * The payload rule PKT breaks, or NULL: then it is to be accepted. Unparsable
 * packets break none (fail-open: inspection must not cut traffic it cannot
 * read). *P, if given, is filled when the packet parsed.
 */
const struct sla_rule *inspect_judge(const struct sla *sla, const uint8_t *pkt,
				     size_t len, struct inspect_packet *p);

/*
 * The NFQUEUE reader: binds the queue that table inet
 * slaguard's inspect chain sends the traffic of sources under inspection
 * to (nft/slaguard-inspect.nft), and gives every packet a verdict from the
 * engine. libmnl + libnetfilter_queue, one socket in the epoll loop; the
 * queue is configured fail-open (NFQA_CFG_F_FAIL_OPEN), and the rule's
 * `bypass` accepts packets whenever nothing is bound.
 */

/* PKT: LEN bytes from the IP header on. true: drop, false: accept. */
typedef bool (*nfqueue_verdict_fn)(const uint8_t *pkt, size_t len, void *arg);

struct nfqueue_opts {
	uint16_t queue_num;
	uint32_t copy_range;	/* bytes of each packet copied to us */
	nfqueue_verdict_fn verdict;
	void *arg;
};

struct nfqueue_counters {
	uint64_t packets, dropped;
	uint64_t send_errors;	/* verdicts the kernel did not take */
};

/* Packets handled per wakeup, so one busy source cannot starve the loop. */
#define NFQUEUE_BURST	64

enum nfqueue_decision {
	NFQUEUE_ACCEPT,		/* judged: accept (in the batch verdict) */
	NFQUEUE_DROP,		/* judged: drop (a verdict of its own) */
	NFQUEUE_ACCEPT_ALONE,	/* not parsed: accept by its own id */
};

/*
 * The verdicts of one burst. Packet ids are 32 bits and wrap; the kernel
 * compares them wrap-safe, and so does the batch's highest id here.
 */
struct nfqueue_burst {
	uint32_t single[NFQUEUE_BURST];	/* drops and lone accepts */
	bool single_drop[NFQUEUE_BURST];
	size_t n_single;
	uint32_t max_accept;
	bool have_accept;
};

struct nfqueue_verdict {
	uint32_t id;
	bool drop;
	bool batch;		/* NFQNL_MSG_VERDICT_BATCH: every id up to ID */
};

/* False when the burst is full: send its verdicts first. */
bool nfqueue_burst_add(struct nfqueue_burst *b, uint32_t id,
		       enum nfqueue_decision d);
/* Into OUT (NFQUEUE_BURST + 1 entries): single verdicts first, then the
 * batch accept; returns how many. */
size_t nfqueue_burst_verdicts(const struct nfqueue_burst *b,
			      struct nfqueue_verdict *out);

struct nfqueue;

/* -EBUSY: another program has the queue bound. */
int nfqueue_new(struct nfqueue **out, struct loop *l,
		const struct nfqueue_opts *opts);
void nfqueue_free(struct nfqueue *q);
const struct nfqueue_counters *nfqueue_counters(const struct nfqueue *q);

/*
 * The queue number of the `queue num N` (or `queue ... to N`) statement in
 * nft rules TEXT, so the number is written in one place, the table file.
 * -ENOENT: no queue statement; -EINVAL: a range or a bad number.
 */
int nfqueue_num_from_text(const char *text, uint16_t *num);
int nfqueue_num_from_file(const char *path, uint16_t *num);

#endif /* SLAGUARDD_INSPECT_H */
