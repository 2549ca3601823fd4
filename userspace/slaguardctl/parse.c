// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/slaguard.h>

#include "parse.h"

int sg_usage(struct sg_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->usage = true;
	return -EINVAL;
}

int sg_fail(struct sg_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->usage = false;
	return err;
}

/* strtoull() accepts signs, spaces and "0x"; the CLI wants plain digits. */
static int parse_digits(const char *s, const char **end, uint64_t *out)
{
	char *e;
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	*out = v;
	return 0;
}

int sg_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out, struct sg_error *e)
{
	const char *end;
	uint64_t v = 0;
	int ret;

	ret = parse_digits(s, &end, &v);
	if (ret == 0 && *end != '\0')
		ret = -EINVAL;
	if (ret == -EINVAL)
		return sg_usage(e, "'%s' needs a decimal number, not '%s'",
				what, s);
	if ((ret == -ERANGE || v < min || v > max) && max == UINT64_MAX)
		return sg_usage(e, "'%s' must be a number from %" PRIu64
				" to 2^64-1, not %s", what, min, s);
	if (ret == -ERANGE || v < min || v > max)
		return sg_usage(e, "'%s' must be between %" PRIu64 " and %"
				PRIu64 ", not %s", what, min, max, s);
	*out = v;
	return 0;
}

int sg_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		 uint32_t *out, struct sg_error *e)
{
	uint64_t v = 0;
	int ret;

	ret = sg_parse_u64(what, s, min, max, &v, e);
	if (ret == 0)
		*out = (uint32_t)v;
	return ret;
}

int sg_parse_bytes(const char *what, const char *s, uint64_t *out,
		   struct sg_error *e)
{
	const char *end;
	uint64_t v, mult = 1;
	int ret;

	ret = parse_digits(s, &end, &v);
	if (ret == 0) {
		switch (*end) {
		case '\0':
			break;
		case 'k':
		case 'K':
			mult = 1000ULL;
			end++;
			break;
		case 'M':
			mult = 1000000ULL;
			end++;
			break;
		case 'G':
			mult = 1000000000ULL;
			end++;
			break;
		case 'T':
			mult = 1000000000000ULL;
			end++;
			break;
		default:
			ret = -EINVAL;
		}
		if (*end != '\0')
			ret = -EINVAL;
	}
	if (ret == -EINVAL)
		return sg_usage(e, "'%s' needs a whole number of bytes with an optional suffix k, M, G or T (powers of 1000), e.g. 125M, not '%s'",
				what, s);
	if (ret == -ERANGE || v > UINT64_MAX / mult)
		return sg_usage(e, "'%s' value %s is too large", what, s);
	*out = v * mult;
	return 0;
}

static bool host_bits_zero(const struct sg_prefix *p)
{
	size_t len = sg_addr_len(p->family);
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned int bit = (unsigned int)i * 8;
		uint8_t mask;

		if (bit >= p->plen)
			mask = 0xff;
		else if (bit + 8 <= p->plen)
			mask = 0;
		else
			mask = 0xff >> (p->plen - bit);
		if (p->addr.b[i] & mask)
			return false;
	}
	return true;
}

static void clear_host_bits(struct sg_prefix *p)
{
	size_t len = sg_addr_len(p->family);
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned int bit = (unsigned int)i * 8;

		if (bit >= p->plen)
			p->addr.b[i] = 0;
		else if (bit + 8 > p->plen)
			p->addr.b[i] &= (uint8_t)(0xff00 >> (p->plen - bit));
	}
}

int sg_parse_prefix(const char *what, const char *s, struct sg_prefix *p,
		    struct sg_error *e)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct sg_prefix r = { 0 };
	uint64_t plen;

	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, &r.addr.v4) == 1)
		r.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &r.addr.v6) == 1)
		r.family = AF_INET6;
	else
		goto bad;

	plen = sg_addr_len(r.family) * 8;
	if (slash) {
		struct sg_error tmp;
		uint64_t max = plen;

		if (sg_parse_u64("len", slash + 1, 0, max, &plen, &tmp) < 0)
			return sg_usage(e, "'%s' prefix length in '%s' must be a number from 0 to %" PRIu64,
					what, s, max);
	}
	r.plen = (uint8_t)plen;
	if (!host_bits_zero(&r)) {
		char fixed[SG_ADDRSTRLEN];

		clear_host_bits(&r);
		sg_format_prefix(&r, fixed, sizeof(fixed));
		return sg_usage(e, "'%s' prefix %s has host bits set; did you mean %s?",
				what, s, fixed);
	}
	*p = r;
	return 0;
bad:
	return sg_usage(e, "'%s' needs an IPv4 or IPv6 address with an optional /LENGTH, e.g. 10.0.0.0/8 or 2001:db8::/32, not '%s'",
			what, s);
}

int sg_parse_ports(const char *s, uint16_t *min, uint16_t *max,
		   struct sg_error *e)
{
	const char *end;
	uint64_t lo, hi;

	if (parse_digits(s, &end, &lo) < 0)
		goto bad;
	if (*end == '\0') {
		hi = lo;
	} else if (*end == '-') {
		if (parse_digits(end + 1, &end, &hi) < 0 || *end != '\0')
			goto bad;
	} else {
		goto bad;
	}
	if (lo > 65535 || hi > 65535)
		return sg_usage(e, "'port' %s is out of range: ports go from 0 to 65535",
				s);
	if (lo > hi)
		return sg_usage(e, "'port' range %s is reversed; write %" PRIu64 "-%" PRIu64,
				s, hi, lo);
	*min = (uint16_t)lo;
	*max = (uint16_t)hi;
	return 0;
bad:
	return sg_usage(e, "'port' needs a port P or a range P-Q, e.g. 22 or 8000-8080, not '%s'",
			s);
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "any", 0 },
};

int sg_parse_proto(const char *s, uint8_t *proto, struct sg_error *e)
{
	struct sg_error tmp;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strcmp(s, protos[i].name) == 0) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	if (sg_parse_u64("proto", s, 0, 255, &v, &tmp) < 0)
		return sg_usage(e, "'proto' needs tcp, udp, icmp, icmpv6 or a protocol number 0-255, not '%s'",
				s);
	*proto = (uint8_t)v;
	return 0;
}

int sg_parse_family(const char *s, uint8_t *family, struct sg_error *e)
{
	if (strcmp(s, "inet") == 0 || strcmp(s, "ipv4") == 0)
		*family = AF_INET;
	else if (strcmp(s, "inet6") == 0 || strcmp(s, "ipv6") == 0)
		*family = AF_INET6;
	else
		return sg_usage(e, "'family' needs inet or inet6, not '%s'", s);
	return 0;
}

static const char *const dir_names[] = {
	[SLAGUARD_DIR_ANY] = "any",
	[SLAGUARD_DIR_IN] = "in",
	[SLAGUARD_DIR_FORWARD] = "forward",
	[SLAGUARD_DIR_OUT] = "out",
};

int sg_parse_dir(const char *s, uint8_t *dir, struct sg_error *e)
{
	uint8_t i;

	for (i = 0; i < sizeof(dir_names) / sizeof(dir_names[0]); i++) {
		if (dir_names[i] && strcmp(s, dir_names[i]) == 0) {
			*dir = i;
			return 0;
		}
	}
	return sg_usage(e, "'dir' needs in, out, forward or any, not '%s'", s);
}

int sg_parse_seconds(const char *what, const char *s, uint64_t *ms,
		     struct sg_error *e)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v))
		goto bad;
	if (v * 1000.0 < 1.0 || v > 1e9)
		return sg_usage(e, "'%s' must be more than 0 and at most 1000000000 seconds, not %s",
				what, s);
	*ms = (uint64_t)(v * 1000.0 + 0.5);
	return 0;
bad:
	return sg_usage(e, "'%s' needs a number of seconds, e.g. 10 or 2.5, not '%s'",
			what, s);
}

const char *sg_family_name(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	}
	return NULL;
}

const char *sg_dir_name(uint8_t dir)
{
	if (dir < sizeof(dir_names) / sizeof(dir_names[0]))
		return dir_names[dir];
	return NULL;
}

const char *sg_proto_name(uint8_t proto)
{
	size_t i;

	/* "any" is how watches spell 0; never a protocol of a packet. */
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto && proto != 0)
			return protos[i].name;
	return NULL;
}

static const char *const kind_names[] = {
	[SLAGUARD_EVENT_PORTSCAN] = "PORTSCAN",
	[SLAGUARD_EVENT_SYN_FLOOD] = "SYN_FLOOD",
	[SLAGUARD_EVENT_CONN_RATE] = "CONN_RATE",
	[SLAGUARD_EVENT_BANDWIDTH] = "BANDWIDTH",
	[SLAGUARD_EVENT_ICMP_FLOOD] = "ICMP_FLOOD",
	[SLAGUARD_EVENT_WATCH_HIT] = "WATCH_HIT",
	[SLAGUARD_EVENT_SCHED_SAMPLE] = "SCHED_SAMPLE",
	[SLAGUARD_EVENT_PROC_EXEC] = "PROC_EXEC",
	[SLAGUARD_EVENT_PROC_EXIT] = "PROC_EXIT",
	[SLAGUARD_EVENT_CPU_HIGH] = "CPU_HIGH",
	[SLAGUARD_EVENT_RUNQ_DELAY] = "RUNQ_DELAY",
	[SLAGUARD_EVENT_FORK_RATE] = "FORK_RATE",
	[SLAGUARD_EVENT_MEM_HIGH] = "MEM_HIGH",
	[SLAGUARD_EVENT_DST_HALF_OPEN] = "DST_HALF_OPEN",
	[SLAGUARD_EVENT_SLOW_PORTSCAN] = "SLOW_PORTSCAN",
};

const char *sg_kind_name(uint32_t kind)
{
	if (kind < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[kind];
	return NULL;
}

const char *sg_action_name(uint8_t action)
{
	switch (action) {
	case SLAGUARD_WATCH_REPORT_NEW:
		return "new";
	case SLAGUARD_WATCH_SAMPLE:
		return "sample";
	}
	return NULL;
}

void sg_format_name(const char *name, const char *prefix, unsigned long v,
		    char *buf, size_t size)
{
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s%lu", prefix, v);
}

void sg_format_addr(const void *addr, size_t len, char *buf, size_t size)
{
	int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;

	if (family == AF_UNSPEC ||
	    !inet_ntop(family, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

void sg_format_prefix(const struct sg_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	size_t len = sg_addr_len(p->family);

	sg_format_addr(p->addr.b, len, addr, sizeof(addr));
	if (p->plen == len * 8)
		snprintf(buf, size, "%s", addr);
	else
		snprintf(buf, size, "%s/%u", addr, p->plen);
}

void sg_format_time(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	unsigned int ms = (unsigned int)(ns % 1000000000ULL / 1000000ULL);
	char date[24];
	struct tm tm;

	if (!gmtime_r(&sec, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%s.%03uZ", date, ms);
}

void sg_format_duration_ms(uint64_t ms, char *buf, size_t size)
{
	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "s", ms / 1000,
			 ms % 1000 / 100);
	else if (ms < 3600000)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", ms / 60000,
			 ms % 60000 / 1000);
	else
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", ms / 3600000,
			 ms % 3600000 / 60000);
}
