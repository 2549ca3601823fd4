// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Value syntax: durations, numbers, prefixes, ports, rates and their
 * formatting. These are shared with slaguardctl, so they are tested on
 * their own, edge by edge.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sla_test.h"

static void durations_valid(void **state)
{
	static const struct { const char *text; uint64_t ms; } ok[] = {
		{ "500ms", 500 }, { "0ms", 0 }, { "0s", 0 }, { "5s", 5000 },
		{ "10m", 600000 }, { "1h", 3600000 }, { "2d", 172800000 },
		{ "100ms", 100 }, { "3600s", 3600000 }, { "007s", 7000 },
		{ "999999999999999999ms", 999999999999999999ULL },
	};
	uint64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(sla_parse_duration(ok[i].text, &ms), 0);
		assert_int_equal(ms, ok[i].ms);
	}
}

static void durations_invalid(void **state)
{
	static const char *const bad[] = {
		"", "5", "s", "ms", "5 s", " 5s", "5s ", "1.5s", "-5s", "+5s",
		"5S", "5sec", "5w", "5y", "5us", "1h30m", "0x10s", "5mss",
		"1e3ms", "1000000000000000000ms",
	};
	uint64_t ms = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sla_parse_duration(bad[i], &ms) == 0)
			print_error("accepted '%s'\n", bad[i]);
		assert_int_not_equal(sla_parse_duration(bad[i], &ms), 0);
	}
	assert_int_equal(ms, 42);	/* untouched on error */
}

static void duration_overflow(void **state)
{
	uint64_t ms;

	(void)state;
	/* 18 digits of days overflow 64 bits of milliseconds. */
	assert_int_equal(sla_parse_duration("999999999999999999d", &ms),
			 -ERANGE);
	assert_int_equal(sla_parse_duration("213503982334d", &ms), 0);
	assert_int_equal(sla_parse_duration("213503982335d", &ms), -ERANGE);
}

static void durations_format_round_trip(void **state)
{
	static const uint64_t values[] = {
		0, 1, 500, 1000, 1500, 60000, 90000, 3600000, 86400000,
		172800000, 86400001,
	};
	static const char *const text[] = {
		"0s", "1ms", "500ms", "1s", "1500ms", "1m", "90s", "1h", "1d",
		"2d", "86400001ms",
	};
	char buf[32];
	uint64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(sla_format_duration(values[i], buf,
						     sizeof(buf)), 0);
		assert_string_equal(buf, text[i]);
		assert_int_equal(sla_parse_duration(buf, &back), 0);
		assert_int_equal(back, values[i]);
	}
	assert_int_equal(sla_format_duration(1500, buf, 4), -ENOSPC);
}

static void numbers_valid(void **state)
{
	static const struct { const char *text; double v; } ok[] = {
		{ "0", 0 }, { "200", 200 }, { "0.5", 0.5 }, { "99.25", 99.25 },
		{ "1k", 1e3 }, { "1.5k", 1500 }, { "50M", 5e7 },
		{ "1.25G", 1.25e9 }, { "8G", 8e9 }, { "007", 7 },
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(sla_parse_number(ok[i].text, &v), 0);
		assert_float_equal(v, ok[i].v, 1e-9);
	}
}

static void numbers_invalid(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", ".5", "5.", "1e3", "0x10", "inf", "nan",
		"5K", "5m", "5g", "5T", "5kk", "5 k", " 5", "5,0", "1.2.3",
		"k", "1234567890123456789",
	};
	double v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sla_parse_number(bad[i], &v) == 0)
			print_error("accepted '%s'\n", bad[i]);
		assert_int_equal(sla_parse_number(bad[i], &v), -EINVAL);
	}
	assert_float_equal(v, 42, 0);
}

static void prefixes_valid(void **state)
{
	static const struct { const char *text, *shown; int family, plen; } ok[] = {
		{ "10.0.0.1", "10.0.0.1", AF_INET, 32 },
		{ "10.0.0.0/8", "10.0.0.0/8", AF_INET, 8 },
		{ "0.0.0.0/0", "0.0.0.0/0", AF_INET, 0 },
		{ "192.168.1.128/25", "192.168.1.128/25", AF_INET, 25 },
		{ "10.0.0.1/32", "10.0.0.1", AF_INET, 32 },
		{ "2001:db8::1", "2001:db8::1", AF_INET6, 128 },
		{ "2001:db8::/32", "2001:db8::/32", AF_INET6, 32 },
		{ "::/0", "::/0", AF_INET6, 0 },
		{ "fe80::/10", "fe80::/10", AF_INET6, 10 },
		{ "::ffff:10.0.0.1", "::ffff:10.0.0.1", AF_INET6, 128 },
	};
	struct sla_prefix p;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(sla_parse_prefix(ok[i].text, &p), 0);
		assert_int_equal(p.family, ok[i].family);
		assert_int_equal(p.plen, ok[i].plen);
		assert_int_equal(sla_format_prefix(&p, buf, sizeof(buf)), 0);
		assert_string_equal(buf, ok[i].shown);
	}
}

static void prefixes_invalid(void **state)
{
	static const char *const syntax[] = {
		"", "10.0.0", "10.0.0.256", "10.0.0.1/", "10.0.0.1/ 8",
		"10.0.0.1/+8", "10.0.0.1/-1", "10.0.0.1/8/8", "/8", "host",
		"2001:db8::g", "10.0.0.1 ", "10.0.0.0/0008", "any",
		"1234567890123456789012345678901234567890123456789",
	};
	struct sla_prefix p;

	(void)state;
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		if (sla_parse_prefix(syntax[i], &p) != -EINVAL)
			print_error("'%s' not a syntax error\n", syntax[i]);
		assert_int_equal(sla_parse_prefix(syntax[i], &p), -EINVAL);
	}
	assert_int_equal(sla_parse_prefix("10.0.0.0/33", &p), -ERANGE);
	assert_int_equal(sla_parse_prefix("2001:db8::/129", &p), -ERANGE);
}

static void prefixes_host_bits(void **state)
{
	struct sla_prefix p;
	char buf[64];

	(void)state;
	assert_int_equal(sla_parse_prefix("10.0.0.1/24", &p), -EDOM);
	sla_format_prefix(&p, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/24");	/* the suggestion */
	assert_int_equal(sla_parse_prefix("10.0.0.128/24", &p), -EDOM);
	assert_int_equal(sla_parse_prefix("10.0.0.1/0", &p), -EDOM);
	assert_int_equal(sla_parse_prefix("2001:db8::1/64", &p), -EDOM);
	sla_format_prefix(&p, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/64");
	assert_int_equal(sla_parse_prefix("2001:db8:0:1::/63", &p), -EDOM);
	assert_int_equal(sla_parse_prefix("2001:db8:0:2::/63", &p), 0);
}

static void prefix_contains(void **state)
{
	struct sla_prefix p;
	uint8_t a4[4], a6[16];

	(void)state;
	assert_int_equal(sla_parse_prefix("10.1.0.0/17", &p), 0);
	inet_pton(AF_INET, "10.1.127.255", a4);
	assert_true(sla_prefix_contains(&p, AF_INET, a4));
	inet_pton(AF_INET, "10.1.128.0", a4);
	assert_false(sla_prefix_contains(&p, AF_INET, a4));
	inet_pton(AF_INET6, "::a01:0", a6);
	assert_false(sla_prefix_contains(&p, AF_INET6, a6));
	assert_int_equal(sla_parse_prefix("::/0", &p), 0);
	assert_true(sla_prefix_contains(&p, AF_INET6, a6));
}

static void ports(void **state)
{
	struct sla_port_range r;

	(void)state;
	assert_int_equal(sla_parse_port_range("1", &r), 0);
	assert_int_equal(r.min, 1);
	assert_int_equal(r.max, 1);
	assert_int_equal(sla_parse_port_range("65535", &r), 0);
	assert_int_equal(sla_parse_port_range("8000-8080", &r), 0);
	assert_int_equal(r.min, 8000);
	assert_int_equal(r.max, 8080);
	assert_int_equal(sla_parse_port_range("22-22", &r), 0);
	assert_int_equal(sla_parse_port_range("0", &r), -ERANGE);
	assert_int_equal(sla_parse_port_range("65536", &r), -ERANGE);
	assert_int_equal(sla_parse_port_range("1-70000", &r), -ERANGE);
	assert_int_equal(sla_parse_port_range("90-80", &r), -EDOM);
	assert_int_equal(sla_parse_port_range("", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("-80", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("80-", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("80 - 90", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("80-90-100", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("http", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("123456", &r), -EINVAL);
	assert_int_equal(sla_parse_port_range("8o", &r), -EINVAL);
}

static void rates(void **state)
{
	struct sla_rate r;

	(void)state;
	assert_int_equal(sla_parse_rate("50/second", &r), 0);
	assert_int_equal(r.count, 50);
	assert_int_equal(r.unit, SLA_RATE_SECOND);
	assert_int_equal(sla_parse_rate("6000/minute", &r), 0);
	assert_int_equal(r.unit, SLA_RATE_MINUTE);
	assert_int_equal(sla_parse_rate("1/hour", &r), 0);
	assert_int_equal(r.unit, SLA_RATE_HOUR);
	assert_int_equal(sla_parse_rate("0/second", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("10/day", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("10/s", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("10 / second", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("/second", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("10", &r), -EINVAL);
	assert_int_equal(sla_parse_rate("fast", &r), -EINVAL);
}

static void names(void **state)
{
	enum sla_metric m;
	enum sla_severity s;

	(void)state;
	for (int i = 0; i < SLA_METRIC_COUNT; i++) {
		assert_int_equal(sla_metric_from_name(
			sla_metric_name((enum sla_metric)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(sla_metric_from_name("net.syn_rate", &m), -EINVAL);
	assert_int_equal(sla_severity_from_name("critical", &s), 0);
	assert_int_equal(s, SLA_SEV_CRITICAL);
	assert_int_equal(sla_severity_from_name("urgent", &s), -EINVAL);
	assert_string_equal(sla_severity_name((enum sla_severity)0), "?");
	assert_string_equal(sla_action_name(SLA_ACT_BLOCK_SOURCE),
			    "block-source");
	assert_string_equal(sla_proto_name(SLA_PROTO_ICMP), "icmp");
	assert_string_equal(sla_per_name(SLA_PER_NONE), "none");
	assert_string_equal(sla_rate_unit_name(SLA_RATE_MINUTE), "minute");
	assert_string_equal(sla_metric_name(SLA_METRIC_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_valid),
		cmocka_unit_test(durations_invalid),
		cmocka_unit_test(duration_overflow),
		cmocka_unit_test(durations_format_round_trip),
		cmocka_unit_test(numbers_valid),
		cmocka_unit_test(numbers_invalid),
		cmocka_unit_test(prefixes_valid),
		cmocka_unit_test(prefixes_invalid),
		cmocka_unit_test(prefixes_host_bits),
		cmocka_unit_test(prefix_contains),
		cmocka_unit_test(ports),
		cmocka_unit_test(rates),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests_name("sla values", tests, NULL, NULL);
}
