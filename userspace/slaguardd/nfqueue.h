/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the NFQUEUE reader: binds the queue that table inet
 * slaguard's inspect chain sends the traffic of sources under inspection
 * to (nft/slaguard-inspect.nft), and gives every packet a verdict from the
 * engine. libmnl + libnetfilter_queue, one socket in the epoll loop; the
 * queue is configured fail-open (NFQA_CFG_F_FAIL_OPEN), and the rule's
 * `bypass` accepts packets whenever nothing is bound.
 */
#ifndef SLAGUARDD_NFQUEUE_H
#define SLAGUARDD_NFQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

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

#endif /* SLAGUARDD_NFQUEUE_H */
