// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_guard.c - self-lockout protection. A countermeasure must never cut the
 * host off from its operators: the allowlist, the host's own addresses,
 * loopback and the gateways of its routes are refused before anything
 * reaches the kernel. A range is refused when it covers any of them.
 *
 * Own addresses come from getifaddrs() (netlink underneath); gateways from
 * /proc/net/route and /proc/net/ipv6_route. Both change (DHCP, failover), so
 * the backend refreshes them every few seconds of use.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int guard_add(struct nftb_guard *g, const struct nftb_key *key, const char *why)
{
	struct nftb_guard_entry *v;

	for (size_t i = 0; i < g->count; i++)
		if (nftb_key_equal(&g->entries[i].key, key))
			return 0;
	v = realloc(g->entries, (g->count + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	g->entries = v;
	v[g->count].key = *key;
	snprintf(v[g->count].why, sizeof(v[g->count].why), "%s", why);
	g->count++;
	return 0;
}

static int guard_add_text(struct nftb_guard *g, const char *text, const char *why)
{
	struct nftb_key key;
	char err[160];

	if (nftb_key_parse(text, &key, err, sizeof(err)))
		return -EINVAL;
	return guard_add(g, &key, why);
}

static int guard_add_bytes(struct nftb_guard *g, int family, const void *addr,
			   const char *why)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, text, sizeof(text)))
		return -EINVAL;
	return guard_add_text(g, text, why);
}

static int add_own_addresses(struct nftb_guard *g)
{
	struct ifaddrs *ifa, *it;
	int ret = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (it = ifa; it && !ret; it = it->ifa_next) {
		const struct sockaddr *sa = it->ifa_addr;

		if (!sa)
			continue;
		if (sa->sa_family == AF_INET)
			ret = guard_add_bytes(g, AF_INET,
					      &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
					      "own address");
		else if (sa->sa_family == AF_INET6)
			ret = guard_add_bytes(g, AF_INET6,
					      &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
					      "own address");
	}
	freeifaddrs(ifa);
	return ret;
}

/* /proc/net/route prints each __be32 gateway as a host-order hex word. */
static int add_gateways4(struct nftb_guard *g)
{
	FILE *f = fopen("/proc/net/route", "re");
	char line[512], ifname[64];
	unsigned int dest, gw, flags;
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %x %x %x", ifname, &dest, &gw, &flags) != 4 || !gw)
			continue;
		ret = guard_add_bytes(g, AF_INET, &gw, "gateway");
	}
	fclose(f);
	return ret;
}

static int hex_to_bytes(const char *hex, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static int add_gateways6(struct nftb_guard *g)
{
	static const uint8_t zero[16];
	FILE *f = fopen("/proc/net/ipv6_route", "re");
	char line[512], dst[33], src[33], hop[33];
	unsigned int dplen, splen;
	uint8_t nexthop[16];
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%32s %x %32s %x %32s", dst, &dplen, src, &splen, hop) != 5 ||
		    hex_to_bytes(hop, nexthop) || !memcmp(nexthop, zero, 16))
			continue;
		ret = guard_add_bytes(g, AF_INET6, nexthop, "gateway");
	}
	fclose(f);
	return ret;
}

static int discover(struct nftb_guard *g)
{
	int ret = guard_add_text(g, "127.0.0.0/8", "loopback");

	if (!ret)
		ret = guard_add_text(g, "::1", "loopback");
	if (!ret)
		ret = add_own_addresses(g);
	if (!ret)
		ret = add_gateways4(g);
	if (!ret)
		ret = add_gateways6(g);
	return ret;
}

/*
 * Discovers into a copy and swaps only on success: a failed refresh keeps
 * the previous protection rather than leaving a partial one.
 */
int nftb_guard_refresh(struct nftb_guard *g, char *err, size_t errlen)
{
	struct nftb_guard fresh = *g;
	int ret;

	g->refreshed_ms = nftb_now_ms();
	if (!g->protect_self)
		return 0;
	fresh.entries = malloc((g->allow_count + 1) * sizeof(*fresh.entries));
	if (!fresh.entries)
		return -ENOMEM;
	memcpy(fresh.entries, g->entries, g->allow_count * sizeof(*fresh.entries));
	fresh.count = g->allow_count;
	ret = discover(&fresh);
	if (ret) {
		free(fresh.entries);
		snprintf(err, errlen, "cannot discover the host's addresses and gateways: %s",
			 strerror(-ret));
		return ret;
	}
	free(g->entries);
	g->entries = fresh.entries;
	g->count = fresh.count;
	return 0;
}

int nftb_guard_init(struct nftb_guard *g, const char *const *allow, size_t n,
		    bool protect_self, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	g->protect_self = protect_self;
	for (size_t i = 0; i < n; i++) {
		struct nftb_key key;
		char why[160];
		int ret;

		ret = nftb_key_parse(allow[i], &key, why, sizeof(why));
		if (!ret)
			ret = guard_add(g, &key, "allowlist");
		if (ret) {
			snprintf(err, errlen, "allowlist entry %zu: %s", i + 1,
				 ret == -EINVAL ? why : strerror(-ret));
			nftb_guard_free(g);
			return ret;
		}
	}
	g->allow_count = g->count;
	return nftb_guard_refresh(g, err, errlen);
}

const struct nftb_guard_entry *nftb_guard_hit(struct nftb_guard *g,
					      const struct nftb_key *key)
{
	char err[160];

	if (g->protect_self && nftb_now_ms() - g->refreshed_ms > 5000)
		nftb_guard_refresh(g, err, sizeof(err));
	for (size_t i = 0; i < g->count; i++)
		if (nftb_key_overlap(&g->entries[i].key, key))
			return &g->entries[i];
	return NULL;
}

void nftb_guard_free(struct nftb_guard *g)
{
	free(g->entries);
	memset(g, 0, sizeof(*g));
}
