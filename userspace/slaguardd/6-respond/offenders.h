/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - repeat offenders (defaults.repeat): how many times each
 * target was blocked, and when last, in bounded memory. A hash finds a
 * target, a list orders them by their last block; at the limit the least
 * recently blocked is forgotten (and counted). Times are CLOCK_MONOTONIC
 * ms, signed: an entry read back from the state file may predate boot.
 */
#ifndef SLAGUARDD_OFFENDERS_H
#define SLAGUARDD_OFFENDERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nft_backend.h"

struct offender {
	char target[NFTB_ADDR_MAX];
	uint32_t count;
	int64_t last;
	uint32_t hnext, prev, next;	/* hash chain; list, head most recent */
};

struct offenders {
	struct offender *v;
	uint32_t n, alloc;
	uint32_t *buckets;
	uint32_t nbuckets;
	uint32_t head, tail;
	uint64_t evicted;
};

void offenders_free(struct offenders *o);
/* TARGET's entry, or NULL. */
struct offender *offenders_find(const struct offenders *o, const char *target);
/*
 * Record a block of TARGET at NOW: its count within WINDOW_MS of its last
 * block, plus one (the count starts again after a quiet window). At most
 * LIMIT remembered. Returns the count, 0 when out of memory.
 */
uint32_t offenders_hit(struct offenders *o, const char *target, int64_t now,
		       uint64_t window_ms, uint32_t limit);
/* What offenders_hit() would return, changing nothing. */
uint32_t offenders_peek(const struct offenders *o, const char *target,
			int64_t now, uint64_t window_ms);
/* Put an entry back as it was (the state file), LIMIT kept. */
int offenders_put(struct offenders *o, const char *target, uint32_t count,
		  int64_t last, uint32_t limit);
/* Least recently blocked first, so reading back keeps the order. */
void offenders_write(const struct offenders *o, FILE *f, int64_t now,
		     uint64_t real_now);

#endif /* SLAGUARDD_OFFENDERS_H */
