// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard - value syntax of the SLA file: durations, numbers, prefixes,
 * ports, rates and the names of enumerations. Pure functions on strings, so
 * the CLI and the tests use exactly what the loader uses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sla.h"
#include "internal.h"

static const char *const severity_names[] = {
	[SLA_SEV_LOW] = "low",
	[SLA_SEV_MEDIUM] = "medium",
	[SLA_SEV_HIGH] = "high",
	[SLA_SEV_CRITICAL] = "critical",
};

static const char *const action_names[] = {
	[SLA_ACT_NONE] = "none",
	[SLA_ACT_NOTIFY] = "notify",
	[SLA_ACT_BLOCK_SOURCE] = "block-source",
	[SLA_ACT_RATE_LIMIT] = "rate-limit",
	[SLA_ACT_INSPECT] = "inspect",
	[SLA_ACT_RUN_HOOK] = "run-hook",
	[SLA_ACT_LIMIT_DESTINATION] = "limit-destination",
	[SLA_ACT_THROTTLE_CPU] = "throttle-cpu",
	[SLA_ACT_FREEZE] = "freeze",
	[SLA_ACT_LIMIT_MEMORY] = "limit-memory",
	[SLA_ACT_ISOLATE_NETWORK] = "isolate-network",
	[SLA_ACT_KILL] = "kill",
};

static const char *const evidence_names[] = {
	[SLA_EVIDENCE_HANDSHAKE] = "handshake",
	[SLA_EVIDENCE_ANY] = "any",
};

static const char *const proto_names[] = {
	[SLA_PROTO_ANY] = "any",
	[SLA_PROTO_TCP] = "tcp",
	[SLA_PROTO_UDP] = "udp",
	[SLA_PROTO_ICMP] = "icmp",
};

static const char *const metric_names[] = {
	[SLA_METRIC_NET_PORTSCAN_PORTS] = "net.portscan_ports",
	[SLA_METRIC_NET_SYN_HALF_OPEN] = "net.syn_half_open",
	[SLA_METRIC_NET_CONN_RATE] = "net.conn_rate",
	[SLA_METRIC_NET_BANDWIDTH_BPS] = "net.bandwidth_bps",
	[SLA_METRIC_NET_ICMP_RATE] = "net.icmp_rate",
	[SLA_METRIC_NET_DST_HALF_OPEN] = "net.dst_half_open",
	[SLA_METRIC_NET_SLOW_PORTSCAN_PORTS] = "net.slow_portscan_ports",
	[SLA_METRIC_NET_WATCH_HITS] = "net.watch_hits",
	[SLA_METRIC_SCHED_CPU_PERCENT] = "sched.cpu_percent",
	[SLA_METRIC_SCHED_RUNQ_DELAY_MS] = "sched.runq_delay_ms",
	[SLA_METRIC_SCHED_FORK_RATE] = "sched.fork_rate",
	[SLA_METRIC_SCHED_RSS_BYTES] = "sched.rss_bytes",
	[SLA_METRIC_APP_ACCESS_VIOLATIONS] = "app.access_violations",
	[SLA_METRIC_EVENTS_LOST] = "events.lost",
};

static const char *const per_names[] = {
	[SLA_PER_NONE] = "none",
	[SLA_PER_SOURCE] = "source",
	[SLA_PER_COMPONENT] = "component",
	[SLA_PER_PROCESS] = "process",
};

/* What a user may write: "none" is only how events.lost is shown. */
static const char *const per_choices[] = {
	[SLA_PER_SOURCE] = "source",
	[SLA_PER_COMPONENT] = "component",
	[SLA_PER_PROCESS] = "process",
};

static const char *const rate_unit_names[] = {
	[SLA_RATE_SECOND] = "second",
	[SLA_RATE_MINUTE] = "minute",
	[SLA_RATE_HOUR] = "hour",
};

static const char *const data_action_names[] = {
	[SLA_DATA_READ] = "read",
	[SLA_DATA_WRITE] = "write",
	[SLA_DATA_DELETE] = "delete",
	[SLA_DATA_LOGIN_FAILURE] = "login-failure",
	[SLA_DATA_PRIVILEGE_CHANGE] = "privilege-change",
	[SLA_DATA_LOGIN_SUCCESS] = "login-success",
};

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

const struct sla_names sla_severities = { severity_names, COUNT(severity_names) };
const struct sla_names sla_actions = { action_names, COUNT(action_names) };
const struct sla_names sla_evidences = { evidence_names, COUNT(evidence_names) };
const struct sla_names sla_protos = { proto_names, COUNT(proto_names) };
const struct sla_names sla_metrics = { metric_names, COUNT(metric_names) };
const struct sla_names sla_pers = { per_choices, COUNT(per_choices) };

/* "?" rather than NULL so a bad enum value can never crash a printf. */
static const char *name_of(const char *const *names, size_t n, size_t i)
{
	return i < n && names[i] ? names[i] : "?";
}

const char *sla_severity_name(enum sla_severity s)
{
	return name_of(severity_names, COUNT(severity_names), s);
}

const char *sla_action_name(enum sla_action a)
{
	return name_of(action_names, COUNT(action_names), a);
}

bool sla_action_on_cgroup(enum sla_action a)
{
	return a == SLA_ACT_THROTTLE_CPU || a == SLA_ACT_FREEZE ||
	       a == SLA_ACT_LIMIT_MEMORY || a == SLA_ACT_ISOLATE_NETWORK;
}

const char *sla_evidence_name(enum sla_evidence e)
{
	return name_of(evidence_names, COUNT(evidence_names), e);
}

const char *sla_proto_name(enum sla_proto p)
{
	return name_of(proto_names, COUNT(proto_names), p);
}

const char *sla_metric_name(enum sla_metric m)
{
	return name_of(metric_names, COUNT(metric_names), m);
}

const char *sla_per_name(enum sla_per p)
{
	return name_of(per_names, COUNT(per_names), p);
}

const char *sla_rate_unit_name(enum sla_rate_unit u)
{
	return name_of(rate_unit_names, COUNT(rate_unit_names), u);
}

const char *sla_data_action_name(enum sla_data_action a)
{
	return name_of(data_action_names, COUNT(data_action_names), a);
}

static int index_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

int sla_data_action_from_name(const char *name, enum sla_data_action *action)
{
	int i = index_of(data_action_names, COUNT(data_action_names), name);

	if (i < 0)
		return i;
	*action = (enum sla_data_action)i;
	return 0;
}

int sla_metric_from_name(const char *name, enum sla_metric *metric)
{
	int i = index_of(metric_names, SLA_METRIC_COUNT, name);

	if (i < 0)
		return i;
	*metric = (enum sla_metric)i;
	return 0;
}

int sla_severity_from_name(const char *name, enum sla_severity *severity)
{
	int i = index_of(severity_names, COUNT(severity_names), name);

	if (i < 0)
		return i;
	*severity = (enum sla_severity)i;
	return 0;
}

/* Digits only, so "+5", " 5", "0x5" and "5e3" never sneak in via strto*. */
static size_t span_digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* At most 18 digits always fit in a uint64_t, so no overflow checks. */
static int parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 18)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	*out = v;
	return 0;
}

int sla_parse_duration(const char *text, uint64_t *ms)
{
	static const struct { const char *suffix; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	size_t n = span_digits(text);
	uint64_t v;

	if (parse_digits(text, n, &v))
		return -EINVAL;
	for (size_t i = 0; i < COUNT(units); i++) {
		if (strcmp(text + n, units[i].suffix) != 0)
			continue;
		if (v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		*ms = v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

/*
 * Hand-parsed instead of strtod() so the meaning of "0.5" does not depend on
 * the locale, and so "inf", "nan", hex and exponents are rejected.
 */
int sla_parse_number(const char *text, double *value)
{
	size_t n = span_digits(text), nf = 0;
	const char *p = text + n;
	uint64_t whole, frac = 0;
	double v, scale = 1;

	if (parse_digits(text, n, &whole))
		return -EINVAL;
	if (*p == '.') {
		nf = span_digits(p + 1);
		if (parse_digits(p + 1, nf, &frac))
			return -EINVAL;
		p += 1 + nf;
	}
	for (size_t i = 0; i < nf; i++)
		scale *= 10;
	v = (double)whole + (double)frac / scale;
	if (*p == 'k' || *p == 'M' || *p == 'G') {
		v *= *p == 'k' ? 1e3 : *p == 'M' ? 1e6 : 1e9;
		p++;
	}
	if (*p != '\0')
		return -EINVAL;
	*value = v;
	return 0;
}

bool sla_prefix_clear_host_bits(struct sla_prefix *p)
{
	size_t bytes = p->family == AF_INET ? 4 : 16;
	bool had = false;

	for (size_t bit = p->plen; bit < bytes * 8; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));

		if (p->addr[bit / 8] & mask)
			had = true;
		p->addr[bit / 8] &= (uint8_t)~mask;
	}
	return had;
}

int sla_parse_prefix(const char *text, struct sla_prefix *prefix)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	struct sla_prefix p = { 0 };
	uint64_t plen;

	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;
	plen = p.family == AF_INET ? 32 : 128;
	if (slash) {
		size_t n = span_digits(slash + 1);
		uint64_t max = plen;

		if (slash[1 + n] != '\0' || n > 3 || parse_digits(slash + 1, n, &plen))
			return -EINVAL;
		if (plen > max)
			return -ERANGE;
	}
	p.plen = (uint8_t)plen;
	*prefix = p;
	/* The network is filled in anyway, so a message can suggest it. */
	return sla_prefix_clear_host_bits(prefix) ? -EDOM : 0;
}

static int parse_port(const char *s, size_t n, uint16_t *port)
{
	uint64_t v;

	if (n > 5 || parse_digits(s, n, &v))
		return -EINVAL;
	if (v < 1 || v > 65535)
		return -ERANGE;
	*port = (uint16_t)v;
	return 0;
}

int sla_parse_port_range(const char *text, struct sla_port_range *range)
{
	size_t n = span_digits(text);
	struct sla_port_range r;
	int ret;

	ret = parse_port(text, n, &r.min);
	if (ret)
		return ret;
	r.max = r.min;
	if (text[n] == '-') {
		const char *hi = text + n + 1;
		size_t m = span_digits(hi);

		if (hi[m] != '\0')
			return -EINVAL;
		ret = parse_port(hi, m, &r.max);
		if (ret)
			return ret;
	} else if (text[n] != '\0') {
		return -EINVAL;
	}
	if (r.min > r.max)
		return -EDOM;
	*range = r;
	return 0;
}

int sla_parse_rate(const char *text, struct sla_rate *rate)
{
	size_t n = span_digits(text);
	uint64_t count;
	int unit;

	if (parse_digits(text, n, &count) || text[n] != '/' || count == 0)
		return -EINVAL;
	unit = index_of(rate_unit_names, COUNT(rate_unit_names), text + n + 1);
	if (unit < 0)
		return unit;
	rate->count = count;
	rate->unit = (enum sla_rate_unit)unit;
	return 0;
}

int sla_format_prefix(const struct sla_prefix *prefix, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned int full = prefix->family == AF_INET ? 32 : 128;
	int n;

	if (!inet_ntop(prefix->family, prefix->addr, addr, sizeof(addr)))
		return -errno;
	if (prefix->plen == full)
		n = snprintf(buf, len, "%s", addr);
	else
		n = snprintf(buf, len, "%s/%u", addr, prefix->plen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* The largest unit that divides MS exactly, so the output parses back. */
int sla_format_duration(uint64_t ms, char *buf, size_t len)
{
	static const struct { const char *suffix; uint64_t ms; } units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 },
	};
	const char *suffix = "ms";
	uint64_t v = ms;
	int n;

	for (size_t i = 0; ms && i < COUNT(units); i++) {
		if (ms % units[i].ms == 0) {
			suffix = units[i].suffix;
			v = ms / units[i].ms;
			break;
		}
	}
	if (ms == 0)
		suffix = "s";
	n = snprintf(buf, len, "%" PRIu64 "%s", v, suffix);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

bool sla_prefix_contains(const struct sla_prefix *prefix, int family,
			 const void *addr)
{
	const uint8_t *a = addr;
	unsigned int bits = prefix->plen;

	if (family != prefix->family)
		return false;
	if (memcmp(a, prefix->addr, bits / 8) != 0)
		return false;
	if (bits % 8 == 0)
		return true;
	return ((a[bits / 8] ^ prefix->addr[bits / 8]) &
		(0xffu << (8 - bits % 8))) == 0;
}
