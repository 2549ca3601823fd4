/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SipHash-2-4: a keyed hash for tables whose keys an attacker chooses
 * (source addresses), so chains cannot be made long on purpose.
 */
#ifndef SG_SIPHASH_H
#define SG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sg_siphash_key {
	uint64_t k0, k1;
};

/* A random key from getrandom(2); a fixed one only if that fails. */
void sg_siphash_key_random(struct sg_siphash_key *key);

uint64_t sg_siphash(const struct sg_siphash_key *key, const void *data,
		    size_t len);

#endif
