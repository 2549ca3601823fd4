// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_sets.c - which set of nft/slaguard.nft holds which countermeasure.
 * The names here are the contract with that file.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	enum nftb_kind kind;
	int family;
	bool interval;
} sets[NFTB_SET_COUNT] = {
	[NFTB_SET_BLOCK4] = { "block4", NFTB_BLOCK, AF_INET, false },
	[NFTB_SET_BLOCK6] = { "block6", NFTB_BLOCK, AF_INET6, false },
	[NFTB_SET_BLOCK4_NET] = { "block4_net", NFTB_BLOCK, AF_INET, true },
	[NFTB_SET_BLOCK6_NET] = { "block6_net", NFTB_BLOCK, AF_INET6, true },
	[NFTB_SET_RATELIMIT4] = { "ratelimit4", NFTB_RATELIMIT, AF_INET, false },
	[NFTB_SET_RATELIMIT6] = { "ratelimit6", NFTB_RATELIMIT, AF_INET6, false },
	[NFTB_SET_INSPECT4] = { "inspect4", NFTB_INSPECT, AF_INET, false },
	[NFTB_SET_INSPECT6] = { "inspect6", NFTB_INSPECT, AF_INET6, false },
	[NFTB_SET_LIMITDST4] = { "limitdst4", NFTB_LIMIT_DST, AF_INET, false },
	[NFTB_SET_LIMITDST6] = { "limitdst6", NFTB_LIMIT_DST, AF_INET6, false },
};

const char *nftb_kind_name(enum nftb_kind kind)
{
	static const char *const names[NFTB_KIND_COUNT] = {
		[NFTB_BLOCK] = "block",
		[NFTB_RATELIMIT] = "rate-limit",
		[NFTB_INSPECT] = "inspect",
		[NFTB_LIMIT_DST] = "limit-destination",
	};

	return (unsigned int)kind < NFTB_KIND_COUNT ? names[kind] : "?";
}

const char *nftb_set_name(enum nftb_set set)
{
	return sets[set].name;
}

int nftb_set_by_name(const char *name)
{
	for (int i = 0; i < NFTB_SET_COUNT; i++)
		if (!strcmp(sets[i].name, name))
			return i;
	return -ENOENT;
}

enum nftb_kind nftb_set_kind(enum nftb_set set)
{
	return sets[set].kind;
}

bool nftb_set_interval(enum nftb_set set)
{
	return sets[set].interval;
}

bool nftb_set_ported(enum nftb_set set)
{
	return sets[set].kind == NFTB_LIMIT_DST;
}

/*
 * Single addresses go to hash sets and anything wider to interval sets;
 * only blocks take ranges (the rate meter and the queue work per address).
 */
int nftb_set_for(enum nftb_kind kind, const struct nftb_key *key, enum nftb_set *set)
{
	bool single = nftb_key_single(key);

	/* a destination is an address and a port; a source never has a port */
	if ((kind == NFTB_LIMIT_DST) != (key->port != 0) ||
	    (kind == NFTB_LIMIT_DST && !single))
		return -EINVAL;
	for (int i = 0; i < NFTB_SET_COUNT; i++) {
		if (sets[i].kind == kind && sets[i].family == key->family &&
		    sets[i].interval == !single) {
			*set = (enum nftb_set)i;
			return 0;
		}
	}
	return -EINVAL;
}
