/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the webhook queue: a bounded FIFO of alert bodies (the oldest
 * is dropped, and counted, when a new one finds it full: the newest alerts
 * matter most to whoever is paged) and the retry schedule (exponential
 * backoff, capped). No locking and no I/O here: outputs.c holds the lock.
 */
#ifndef SLAGUARDD_OUTQ_H
#define SLAGUARDD_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outq_item {
	char *body;		/* owned, NUL-terminated */
	unsigned int attempts;	/* made so far */
	uint64_t not_before;	/* monotonic ms: the next attempt */
};

struct outq {
	struct outq_item *items;
	size_t cap, head, len;
	uint64_t dropped;	/* oldest dropped for a new one */
};

int outq_init(struct outq *q, size_t cap);
void outq_fini(struct outq *q);
/* Takes BODY (freed on error). Drops the oldest when full. */
int outq_push(struct outq *q, char *body, uint64_t now);
/* The oldest item, or NULL; stays queued until outq_pop(). */
struct outq_item *outq_peek(struct outq *q);
/* Removes the oldest item, freeing its body. */
void outq_pop(struct outq *q);

/* Milliseconds to wait after failed attempt number ATTEMPTS (1, 2, ...):
 * BASE, 2 BASE, 4 BASE ... never more than MAX. */
uint64_t outq_backoff(unsigned int attempts, uint64_t base, uint64_t max);

#endif /* SLAGUARDD_OUTQ_H */
