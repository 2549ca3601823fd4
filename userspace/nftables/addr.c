// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_addr.c - sources as the backend sees them: an address, a CIDR prefix or
 * (only when read back from the kernel) an arbitrary range, all held as the
 * first and last address so that containment and overlap are simple
 * byte comparisons.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

size_t nftb_key_len(const struct nftb_key *key)
{
	return key->family == AF_INET ? 4 : 16;
}

size_t nftb_key_bytes(const struct nftb_key *key, const uint8_t *addr, uint8_t out[20])
{
	size_t len = nftb_key_len(key);

	memcpy(out, addr, len);
	if (!key->port)
		return len;
	memset(out + len, 0, 4);
	out[len] = (uint8_t)(key->port >> 8);
	out[len + 1] = (uint8_t)key->port;
	return len + 4;
}

bool nftb_key_single(const struct nftb_key *key)
{
	return key->plen == nftb_key_len(key) * 8;
}

/* Sets the bits after the prefix: host part all zero (first) or all one. */
static void fill_host_bits(uint8_t *addr, size_t len, unsigned int plen, bool ones)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int bit0 = (unsigned int)i * 8;
		uint8_t mask;

		if (plen >= bit0 + 8)
			continue;
		mask = plen <= bit0 ? 0xff : (uint8_t)(0xff >> (plen - bit0));
		addr[i] = ones ? (addr[i] | mask) : (addr[i] & (uint8_t)~mask);
	}
}

/*
 * IPv4-mapped IPv6 sources (::ffff:a.b.c.d) arrive on the wire as IPv4, so
 * they are matched, protected and blocked as IPv4.
 */
static void unmap_v4(struct nftb_key *key)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (key->family != AF_INET6 || memcmp(key->first, prefix, 12) ||
	    memcmp(key->last, prefix, 12) || key->plen < 96)
		return;
	memmove(key->first, key->first + 12, 4);
	memmove(key->last, key->last + 12, 4);
	memset(key->first + 4, 0, 12);
	memset(key->last + 4, 0, 12);
	if (key->plen != NFTB_PLEN_RANGE)
		key->plen -= 96;
	key->family = AF_INET;
}

static int parse_addr(const char *text, int *family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static int parse_range(const char *text, const char *dash, struct nftb_key *key,
		       char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	size_t alen = (size_t)(dash - text);
	int fa, fb;

	while (alen && text[alen - 1] == ' ')
		alen--;
	dash++;
	while (*dash == ' ')
		dash++;
	if (alen >= sizeof(a) || strlen(dash) >= sizeof(b))
		goto bad;
	memcpy(a, text, alen);
	a[alen] = '\0';
	strcpy(b, dash);
	if (parse_addr(a, &fa, key->first) || parse_addr(b, &fb, key->last) || fa != fb)
		goto bad;
	key->family = (uint8_t)fa;
	key->plen = NFTB_PLEN_RANGE;
	if (memcmp(key->first, key->last, 16) > 0)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a range of two addresses of one family", text);
	return -EINVAL;
}

/*
 * Accepts "addr", "addr/len" and "first-last". A prefix with host bits set
 * is refused rather than widened: blocking more than was asked for is how
 * a countermeasure locks out the wrong people.
 */
static int parse_plain(const char *text, struct nftb_key *key, char *err, size_t errlen);

/*
 * "address . port" is a destination (nft's notation of a concatenation):
 * one address, no prefix, and a port from 1 to 65535.
 */
int nftb_key_parse(const char *text, struct nftb_key *key, char *err, size_t errlen)
{
	const char *dot = strstr(text, " . ");
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned long port;
	char *end;
	int ret;

	if (!dot)
		return parse_plain(text, key, err, errlen);
	if ((size_t)(dot - text) >= sizeof(addr))
		goto bad;
	memcpy(addr, text, (size_t)(dot - text));
	addr[dot - text] = '\0';
	errno = 0;
	port = strtoul(dot + 3, &end, 10);
	if (dot[3] < '0' || dot[3] > '9' || *end || errno || port < 1 || port > 65535)
		goto bad;
	ret = parse_plain(addr, key, err, errlen);
	if (ret)
		return ret;
	if (!nftb_key_single(key))
		goto bad;
	key->port = (uint16_t)port;
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not a destination \"address . port\" "
		 "(one address, a port from 1 to 65535)", text);
	return -EINVAL;
}

static int parse_plain(const char *text, struct nftb_key *key, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/'), *dash = strchr(text, '-');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	uint8_t given[16];
	unsigned long plen;
	char *end;
	int family;

	memset(key, 0, sizeof(*key));
	if (dash && !slash)
		return parse_range(text, dash, key, err, errlen);
	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (parse_addr(addr, &family, key->first))
		goto bad;
	key->family = (uint8_t)family;
	plen = nftb_key_len(key) * 8;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || errno || plen > nftb_key_len(key) * 8)
			goto bad;
	}
	key->plen = (uint8_t)plen;
	memcpy(given, key->first, 16);
	memcpy(key->last, key->first, 16);
	fill_host_bits(key->last, nftb_key_len(key), (unsigned int)plen, true);
	fill_host_bits(key->first, nftb_key_len(key), (unsigned int)plen, false);
	if (memcmp(given, key->first, 16)) {
		char net[INET6_ADDRSTRLEN];

		inet_ntop(family, key->first, net, sizeof(net));
		snprintf(err, errlen, "\"%s\" has host bits set; the network is %s/%lu",
			 text, net, plen);
		return -EINVAL;
	}
	unmap_v4(key);
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not an IPv4/IPv6 address or CIDR prefix", text);
	return -EINVAL;
}

/* Builds a key from a listed range, as a prefix when it is one. */
void nftb_key_from_range(struct nftb_key *key, int family, const void *first,
			 const void *last)
{
	size_t len = family == AF_INET ? 4 : 16;

	memset(key, 0, sizeof(*key));
	key->family = (uint8_t)family;
	memcpy(key->first, first, len);
	memcpy(key->last, last, len);
	key->plen = NFTB_PLEN_RANGE;
	for (unsigned int plen = 0; plen <= len * 8; plen++) {
		uint8_t lo[16], hi[16];

		memcpy(lo, first, len);
		memcpy(hi, first, len);
		fill_host_bits(lo, len, plen, false);
		fill_host_bits(hi, len, plen, true);
		if (!memcmp(lo, first, len) && !memcmp(hi, last, len)) {
			key->plen = (uint8_t)plen;
			break;
		}
	}
	unmap_v4(key);
}

int nftb_key_format(const struct nftb_key *key, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int n;

	inet_ntop(key->family, key->first, a, sizeof(a));
	if (key->port)
		n = snprintf(buf, size, "%s . %u", a, key->port);
	else if (nftb_key_single(key))
		n = snprintf(buf, size, "%s", a);
	else if (key->plen != NFTB_PLEN_RANGE)
		n = snprintf(buf, size, "%s/%u", a, key->plen);
	else {
		inet_ntop(key->family, key->last, b, sizeof(b));
		n = snprintf(buf, size, "%s-%s", a, b);
	}
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

bool nftb_key_equal(const struct nftb_key *a, const struct nftb_key *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->first, b->first, 16) && !memcmp(a->last, b->last, 16);
}

bool nftb_key_overlap(const struct nftb_key *a, const struct nftb_key *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->first, b->last, 16) <= 0 &&
	       memcmp(b->first, a->last, 16) <= 0;
}

/*
 * The kernel's interval sets store a range as a start element and an end
 * element one past the last address; the top of the space has no "past".
 */
bool nftb_key_end(const struct nftb_key *key, uint8_t end[16])
{
	size_t len = nftb_key_len(key);

	memcpy(end, key->last, 16);
	for (size_t i = len; i-- > 0;) {
		if (++end[i] != 0)
			return true;
	}
	return false;
}

/* FNV-1a: cheap and good enough to spread addresses over buckets. */
uint64_t nftb_key_hash(const struct nftb_key *key)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *parts[2] = { key->first, key->last };

	h = (h ^ key->family) * 1099511628211ull;
	h = (h ^ key->port) * 1099511628211ull;
	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < nftb_key_len(key); i++)
			h = (h ^ parts[p][i]) * 1099511628211ull;
	return h;
}
