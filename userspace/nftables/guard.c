// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guard.c - self-lockout protection. A countermeasure must never cut the
 * host off from its operators or from what it needs to work: the
 * allowlist, the special-purpose ranges below, the host's own addresses
 * (and its interfaces' broadcast addresses), the gateways of every route of
 * every table (routes.c, rtnetlink) and the resolvers it uses are refused
 * before anything reaches the kernel. A prefix is refused when it overlaps
 * any of them. IPv4-mapped IPv6 (::ffff:a.b.c.d) is its IPv4 address: keys
 * are normalised where they are parsed (addr.c).
 *
 * Own addresses come from getifaddrs() (netlink underneath), resolvers
 * from the nameserver lines of resolv.conf. All of these change (DHCP,
 * failover, routing daemons), so the backend rediscovers them every few
 * seconds of use, and nftb_refresh_guard() does it at once and lifts what
 * has become protected.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#define RESOLV_CONF "/etc/resolv.conf"
/* systemd-resolved's upstream servers, when resolv.conf names its stub. */
#define RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"
/* How stale the discovered part may get while the backend is in use. */
#define GUARD_REFRESH_MS 5000

/*
 * Special-purpose addresses (RFC 6890 and the IANA IPv4/IPv6 Special-Purpose
 * Address Registries) that are never acted on: blocking them cuts the host
 * off from something it needs - DHCP (0.0.0.0, 255.255.255.255, ::),
 * neighbours, router advertisements and the cloud metadata service
 * (169.254.169.254 and the rest of 169.254/16, fe80::/10), multicast, its own
 * loopback, routers' ICMP sent from 192.0.0.8 (RFC 7600) - and no remote
 * peer really sends from them, so evidence naming them is spoofed.
 *
 * Deliberately blockable, because attackers live there (in tests, labs and
 * real networks alike) and blocking them takes nothing the host needs:
 * private 10/8, 172.16/12, 192.168/16, shared 100.64/10 (CGNAT),
 * benchmarking 198.18/15 and 2001:2::/48, documentation 192.0.2/24,
 * 198.51.100/24, 203.0.113/24 and 2001:db8::/32, unique-local fc00::/7,
 * reserved 240/4, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16,
 * Teredo 2001::/32, discard-only 100::/64, the AS112 and AMT anycast
 * blocks. The ones among them the host does depend on are protected as
 * what they are (own address, gateway, resolver); anything else - a
 * management network, a provider's service at an ordinary address such as
 * fd00:ec2::254 or 168.63.129.16 - belongs in the allowlist.
 */
static const struct {
	const char *prefix, *why;
} special[] = {
	{ "0.0.0.0/32", "the unspecified address" },
	{ "0.0.0.0/8", "\"this network\", never a real source" },
	{ "127.0.0.0/8", "loopback" },
	{ "169.254.0.0/16", "link-local" },
	{ "192.0.0.0/24", "an IETF protocol assignment (DS-Lite, routers' ICMP)" },
	{ "224.0.0.0/4", "multicast" },
	{ "255.255.255.255/32", "limited broadcast" },
	{ "::/128", "the unspecified address" },
	{ "::1/128", "loopback" },
	{ "fe80::/10", "link-local" },
	{ "ff00::/8", "multicast" },
};

/* Skips keys an entry already holds: first match wins, so they never would. */
static int guard_add(struct nftb_guard *g, const struct nftb_key *key, const char *why)
{
	struct nftb_guard_entry *v;

	for (size_t i = 0; i < g->count; i++) {
		const struct nftb_key *k = &g->entries[i].key;

		if (k->family == key->family && memcmp(k->first, key->first, 16) <= 0 &&
		    memcmp(key->last, k->last, 16) <= 0)
			return 0;
	}
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

static int add_special(struct nftb_guard *g)
{
	/* ::ffff:0:0/96 as such: a shorter IPv6 prefix covering it covers
	 * every IPv4 address (parsing would turn it into 0.0.0.0/0) */
	struct nftb_key mapped = { .family = AF_INET6, .plen = 96 };
	int ret = 0;

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]) && !ret; i++)
		ret = guard_add_text(g, special[i].prefix, special[i].why);
	mapped.first[10] = mapped.first[11] = 0xff;
	memcpy(mapped.last, mapped.first, 12);
	memset(mapped.last + 12, 0xff, 4);
	return ret ? ret : guard_add(g, &mapped, "the IPv4-mapped space (every IPv4 address)");
}

static int add_own_addresses(struct nftb_guard *g)
{
	struct ifaddrs *ifa, *it;
	char why[96];
	int ret = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (it = ifa; it && !ret; it = it->ifa_next) {
		const struct sockaddr *sa = it->ifa_addr, *bc = it->ifa_broadaddr;

		if (!sa)
			continue;
		if (sa->sa_family == AF_INET) {
			ret = guard_add_bytes(g, AF_INET,
					      &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
					      "an own address");
			snprintf(why, sizeof(why), "the broadcast address of %s", it->ifa_name);
			if (!ret && bc && bc->sa_family == AF_INET && (it->ifa_flags & IFF_BROADCAST))
				ret = guard_add_bytes(g, AF_INET,
						      &((const struct sockaddr_in *)(const void *)bc)->sin_addr,
						      why);
		} else if (sa->sa_family == AF_INET6) {
			ret = guard_add_bytes(g, AF_INET6,
					      &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
					      "an own address");
		}
	}
	freeifaddrs(ifa);
	return ret;
}

static void table_name(uint32_t table, char *buf, size_t size)
{
	if (table == RT_TABLE_MAIN)
		snprintf(buf, size, "main");
	else if (table == RT_TABLE_LOCAL)
		snprintf(buf, size, "local");
	else if (table == RT_TABLE_DEFAULT)
		snprintf(buf, size, "default");
	else
		snprintf(buf, size, "%u", table);
}

static int add_gateway(void *arg, int family, const void *addr,
		       const struct nftb_gateway_where *where)
{
	char why[96], table[16];

	if (where->nexthop_id) {
		snprintf(why, sizeof(why), "the gateway of nexthop object %u", where->nexthop_id);
	} else {
		table_name(where->table, table, sizeof(table));
		snprintf(why, sizeof(why), "a gateway%s of table %s",
			 where->multipath ? " of a multipath route" : "", table);
	}
	return guard_add_bytes(arg, family, addr, why);
}

/*
 * The nameserver lines of a resolv.conf (resolv.conf(5)); libresolv reads
 * only the system's file, so tests could not point it elsewhere. A missing
 * file means no resolvers. Sets *stub when one is loopback (a local cache
 * or systemd-resolved's stub, whose upstreams matter too).
 */
static int add_resolvers(struct nftb_guard *g, const char *path, bool *stub)
{
	FILE *f = fopen(path, "re");
	char line[512], why[96];
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	snprintf(why, sizeof(why), "a resolver in %s", path);
	while (!ret && fgets(line, sizeof(line), f)) {
		char *save, *word = strtok_r(line, " \t\r\n", &save);
		char *addr = word ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		struct nftb_key key;
		char err[160];

		if (!addr || strcmp(word, "nameserver"))
			continue;
		addr[strcspn(addr, "%")] = '\0';	/* fe80::1%eth0 */
		if (nftb_key_parse(addr, &key, err, sizeof(err)) || !nftb_key_single(&key))
			continue;			/* the resolver ignores it too */
		if (key.family == AF_INET ? key.first[0] == 127 :
		    !memcmp(key.first, in6addr_loopback.s6_addr, 16))
			*stub = true;
		ret = guard_add(g, &key, why);
	}
	fclose(f);
	return ret;
}

static int discover(struct nftb_guard *g, char *err, size_t errlen)
{
	bool stub = false;
	int ret = add_own_addresses(g);

	if (ret) {
		snprintf(err, errlen, "cannot read the host's addresses: %s", strerror(-ret));
		return ret;
	}
	ret = nftb_gateways(add_gateway, g, err, errlen);
	if (ret)
		return ret;
	ret = add_resolvers(g, g->resolv_conf ? g->resolv_conf : RESOLV_CONF, &stub);
	if (!ret && !g->resolv_conf && stub)
		ret = add_resolvers(g, RESOLVED_UPSTREAM, &stub);
	if (ret)
		snprintf(err, errlen, "cannot read the resolvers from %s: %s",
			 g->resolv_conf ? g->resolv_conf : RESOLV_CONF, strerror(-ret));
	return ret;
}

/*
 * Builds into a copy and swaps only on success: a failed refresh keeps the
 * previous protection rather than leaving a partial one.
 */
int nftb_guard_refresh(struct nftb_guard *g, char *err, size_t errlen)
{
	struct nftb_guard fresh = *g;
	int ret = 0;

	fresh.entries = NULL;
	fresh.count = 0;
	for (size_t i = 0; i < g->allow_count && !ret; i++)
		ret = guard_add(&fresh, &g->allow[i], "allowlisted");
	if (!ret)
		ret = add_special(&fresh);
	if (ret)
		snprintf(err, errlen, "out of memory building the guard");
	else if (g->protect_self)
		ret = discover(&fresh, err, errlen);
	g->refreshed_ms = nftb_now_ms();
	if (ret) {
		free(fresh.entries);
		return ret;
	}
	free(g->entries);
	g->entries = fresh.entries;
	g->count = fresh.count;
	return 0;
}

int nftb_guard_set_allowlist(struct nftb_guard *g, const char *const *allow, size_t n,
			     char *err, size_t errlen)
{
	struct nftb_key *keys = calloc(n ? n : 1, sizeof(*keys));

	if (!keys) {
		snprintf(err, errlen, "out of memory reading the allowlist");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char why[160];

		if (nftb_key_parse(allow[i], &keys[i], why, sizeof(why))) {
			snprintf(err, errlen, "allowlist entry %zu: %s", i + 1, why);
			free(keys);
			return -EINVAL;
		}
	}
	free(g->allow);
	g->allow = keys;
	g->allow_count = n;
	return 0;
}

int nftb_guard_init(struct nftb_guard *g, const char *const *allow, size_t n,
		    bool protect_self, const char *resolv_conf, char *err, size_t errlen)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->protect_self = protect_self;
	if (resolv_conf && !(g->resolv_conf = strdup(resolv_conf))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = nftb_guard_set_allowlist(g, allow, n, err, errlen);
	if (!ret)
		ret = nftb_guard_refresh(g, err, errlen);
	if (ret)
		nftb_guard_free(g);
	return ret;
}

const struct nftb_guard_entry *nftb_guard_find(const struct nftb_guard *g,
					       const struct nftb_key *key)
{
	for (size_t i = 0; i < g->count; i++)
		if (nftb_key_overlap(&g->entries[i].key, key))
			return &g->entries[i];
	return NULL;
}

const struct nftb_guard_entry *nftb_guard_hit(struct nftb_guard *g,
					      const struct nftb_key *key)
{
	char err[256];

	if (g->protect_self && nftb_now_ms() - g->refreshed_ms > GUARD_REFRESH_MS)
		nftb_guard_refresh(g, err, sizeof(err));
	return nftb_guard_find(g, key);
}

static bool contains(const struct nftb_key *outer, const struct nftb_key *inner)
{
	return outer->family == inner->family && memcmp(outer->first, inner->first, 16) <= 0 &&
	       memcmp(inner->last, outer->last, 16) <= 0;
}

void nftb_guard_explain(const struct nftb_guard_entry *hit, const struct nftb_key *key,
			char *buf, size_t size)
{
	char what[NFTB_ADDR_MAX], entry[NFTB_ADDR_MAX];

	nftb_key_format(key, what, sizeof(what));
	nftb_key_format(&hit->key, entry, sizeof(entry));
	if (contains(&hit->key, key) && (nftb_key_single(&hit->key) ||
					 nftb_key_equal(&hit->key, key)))
		snprintf(buf, size, "%s is %s (protected)", what, hit->why);
	else if (contains(&hit->key, key))
		snprintf(buf, size, "%s is %s (protected), in %s", what, hit->why, entry);
	else
		snprintf(buf, size, "it %s %s, which is %s (protected)",
			 contains(key, &hit->key) ? "covers" : "overlaps", entry, hit->why);
}

void nftb_guard_free(struct nftb_guard *g)
{
	free(g->entries);
	free(g->allow);
	free(g->resolv_conf);
	memset(g, 0, sizeof(*g));
}
