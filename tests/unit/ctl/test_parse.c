// SPDX-License-Identifier: GPL-2.0
/* Value parsing and formatting of slaguardctl (parse.c, output.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "helpers.h"
#include "output.h"
#include "parse.h"

static void expect_prefix(const char *s, int family, const char *addr,
			  unsigned int plen)
{
	struct sg_error e = { 0 };
	struct sg_prefix p;
	uint8_t want[16] = { 0 };

	assert_int_equal(sg_parse_prefix("src", s, &p, &e), 0);
	assert_int_equal(p.family, family);
	assert_int_equal(p.plen, plen);
	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_memory_equal(p.addr.b, want, family == AF_INET ? 4 : 16);
}

static void expect_bad_prefix(const char *s, const char *msg_part)
{
	struct sg_error e = { 0 };
	struct sg_prefix p;

	assert_int_equal(sg_parse_prefix("dst", s, &p, &e), -EINVAL);
	assert_true(e.usage);
	if (!strstr(e.msg, msg_part))
		fail_msg("message for '%s' lacks '%s': %s", s, msg_part, e.msg);
	assert_non_null(strstr(e.msg, "dst"));
}

static void prefix_v4(void **state)
{
	(void)state;
	expect_prefix("10.0.0.1", AF_INET, "10.0.0.1", 32);
	expect_prefix("10.0.0.0/8", AF_INET, "10.0.0.0", 8);
	expect_prefix("192.168.1.0/24", AF_INET, "192.168.1.0", 24);
	expect_prefix("0.0.0.0/0", AF_INET, "0.0.0.0", 0);
	expect_prefix("10.1.2.3/32", AF_INET, "10.1.2.3", 32);
	expect_prefix("172.16.0.0/12", AF_INET, "172.16.0.0", 12);
	expect_prefix("10.0.0.128/25", AF_INET, "10.0.0.128", 25);
}

static void prefix_v6(void **state)
{
	(void)state;
	expect_prefix("2001:db8::1", AF_INET6, "2001:db8::1", 128);
	expect_prefix("2001:db8::/32", AF_INET6, "2001:db8::", 32);
	expect_prefix("::/0", AF_INET6, "::", 0);
	expect_prefix("fe80::/10", AF_INET6, "fe80::", 10);
	expect_prefix("::ffff:10.0.0.0/104", AF_INET6, "::ffff:10.0.0.0", 104);
	expect_prefix("2001:db8:0:1::/64", AF_INET6, "2001:db8:0:1::", 64);
}

static void prefix_host_bits(void **state)
{
	struct sg_error e = { 0 };
	struct sg_prefix p;

	(void)state;
	expect_bad_prefix("10.0.0.1/8", "host bits");
	assert_int_equal(sg_parse_prefix("src", "10.0.0.1/8", &p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "did you mean 10.0.0.0/8"));
	assert_int_equal(sg_parse_prefix("src", "10.0.0.129/25", &p, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "did you mean 10.0.0.128/25"));
	expect_bad_prefix("192.168.1.1/31", "host bits");
	expect_bad_prefix("2001:db8::1/64", "2001:db8::/64");
	expect_bad_prefix("fec0::/9", "fe80::/9");
	expect_bad_prefix("0.0.0.1/0", "0.0.0.0/0");
}

static void prefix_bad(void **state)
{
	(void)state;
	expect_bad_prefix("", "IPv4 or IPv6");
	expect_bad_prefix("10.0.0", "IPv4 or IPv6");
	expect_bad_prefix("10.0.0.256", "IPv4 or IPv6");
	expect_bad_prefix("example.com", "IPv4 or IPv6");
	expect_bad_prefix("/8", "IPv4 or IPv6");
	expect_bad_prefix("10.0.0.0/33", "0 to 32");
	expect_bad_prefix("10.0.0.0/", "0 to 32");
	expect_bad_prefix("10.0.0.0/8x", "0 to 32");
	expect_bad_prefix("10.0.0.0/-1", "0 to 32");
	expect_bad_prefix("10.0.0.0/ 8", "0 to 32");
	expect_bad_prefix("2001:db8::/129", "0 to 128");
	expect_bad_prefix("2001:db8::/99999999999999999999", "0 to 128");
	expect_bad_prefix("fe80::1%eth0", "IPv4 or IPv6");
	expect_bad_prefix("1:2:3:4:5:6:7:8:9", "IPv4 or IPv6");
	expect_bad_prefix("0123456789012345678901234567890123456789012345678901234567890123",
			  "IPv4 or IPv6");
}

static void ports(void **state)
{
	struct sg_error e = { 0 };
	uint16_t lo, hi;

	(void)state;
	assert_int_equal(sg_parse_ports("22", &lo, &hi, &e), 0);
	assert_int_equal(lo, 22);
	assert_int_equal(hi, 22);
	assert_int_equal(sg_parse_ports("8000-8080", &lo, &hi, &e), 0);
	assert_int_equal(lo, 8000);
	assert_int_equal(hi, 8080);
	assert_int_equal(sg_parse_ports("0-65535", &lo, &hi, &e), 0);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 65535);
	assert_int_equal(sg_parse_ports("65535", &lo, &hi, &e), 0);
	assert_int_equal(hi, 65535);

	assert_int_equal(sg_parse_ports("65536", &lo, &hi, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "0 to 65535"));
	assert_int_equal(sg_parse_ports("1-65536", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("2000-1000", &lo, &hi, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "write 1000-2000"));
	assert_int_equal(sg_parse_ports("80-", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("-80", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("http", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("80,443", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("1-2-3", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("", &lo, &hi, &e), -EINVAL);
	assert_int_equal(sg_parse_ports("99999999999999999999999", &lo, &hi, &e),
			 -EINVAL);
	assert_true(e.usage);
}

static void numbers(void **state)
{
	struct sg_error e = { 0 };
	uint64_t v;
	uint32_t v32;

	(void)state;
	assert_int_equal(sg_parse_u64("n", "0", 0, 10, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sg_parse_u64("n", "18446744073709551615", 0,
				      UINT64_MAX, &v, &e), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sg_parse_u64("n", "18446744073709551616", 0,
				      UINT64_MAX, &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "from 0 to 2^64-1"));
	assert_int_equal(sg_parse_u64("n", "18446744073709551616", 0,
				      1000, &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "between 0 and 1000"));
	assert_int_equal(sg_parse_u32("window", "99", 100, 60000, &v32, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "'window' must be between 100 and 60000"));
	assert_int_equal(sg_parse_u32("window", "60000", 100, 60000, &v32, &e),
			 0);
	assert_int_equal(v32, 60000);
	assert_int_equal(sg_parse_u32("n", "4294967296", 0, UINT32_MAX, &v32,
				      &e), -EINVAL);
	assert_int_equal(sg_parse_u32("n", "4294967295", 0, UINT32_MAX, &v32,
				      &e), 0);
	assert_int_equal(v32, UINT32_MAX);

	/* strtoull() would take all of these. */
	assert_int_equal(sg_parse_u64("n", "-1", 0, UINT64_MAX, &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "decimal number"));
	assert_int_equal(sg_parse_u64("n", " 1", 0, UINT64_MAX, &v, &e), -EINVAL);
	assert_int_equal(sg_parse_u64("n", "+1", 0, UINT64_MAX, &v, &e), -EINVAL);
	assert_int_equal(sg_parse_u64("n", "0x10", 0, UINT64_MAX, &v, &e),
			 -EINVAL);
	assert_int_equal(sg_parse_u64("n", "10k", 0, UINT64_MAX, &v, &e), -EINVAL);
	assert_int_equal(sg_parse_u64("n", "", 0, UINT64_MAX, &v, &e), -EINVAL);
	assert_true(e.usage);
}

static void bytes_suffixes(void **state)
{
	struct sg_error e = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(sg_parse_bytes("bandwidth", "1500", &v, &e), 0);
	assert_true(v == 1500);
	assert_int_equal(sg_parse_bytes("bandwidth", "5k", &v, &e), 0);
	assert_true(v == 5000);
	assert_int_equal(sg_parse_bytes("bandwidth", "5K", &v, &e), 0);
	assert_true(v == 5000);
	assert_int_equal(sg_parse_bytes("bandwidth", "125M", &v, &e), 0);
	assert_true(v == 125000000ULL);
	assert_int_equal(sg_parse_bytes("bandwidth", "10G", &v, &e), 0);
	assert_true(v == 10000000000ULL);
	assert_int_equal(sg_parse_bytes("bandwidth", "2T", &v, &e), 0);
	assert_true(v == 2000000000000ULL);
	assert_int_equal(sg_parse_bytes("bandwidth", "0", &v, &e), 0);
	assert_true(v == 0);
	assert_int_equal(sg_parse_bytes("bandwidth", "18446744073G", &v, &e), 0);
	assert_true(v == 18446744073000000000ULL);

	/* Overflow, with and without the multiplier. */
	assert_int_equal(sg_parse_bytes("bandwidth", "18446744074G", &v, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "too large"));
	assert_int_equal(sg_parse_bytes("bandwidth", "18446744073709551616", &v,
					&e), -EINVAL);
	assert_non_null(strstr(e.msg, "too large"));
	assert_int_equal(sg_parse_bytes("bandwidth", "20000000T", &v, &e),
			 -EINVAL);

	assert_int_equal(sg_parse_bytes("bandwidth", "5m", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "k, M, G or T"));
	assert_int_equal(sg_parse_bytes("bandwidth", "5MB", &v, &e), -EINVAL);
	assert_int_equal(sg_parse_bytes("bandwidth", "1.5G", &v, &e), -EINVAL);
	assert_int_equal(sg_parse_bytes("bandwidth", "M", &v, &e), -EINVAL);
	assert_int_equal(sg_parse_bytes("bandwidth", "-5k", &v, &e), -EINVAL);
	assert_true(e.usage);
}

static void names(void **state)
{
	struct sg_error e = { 0 };
	uint8_t v;

	(void)state;
	assert_int_equal(sg_parse_proto("tcp", &v, &e), 0);
	assert_int_equal(v, IPPROTO_TCP);
	assert_int_equal(sg_parse_proto("udp", &v, &e), 0);
	assert_int_equal(v, IPPROTO_UDP);
	assert_int_equal(sg_parse_proto("icmp", &v, &e), 0);
	assert_int_equal(v, IPPROTO_ICMP);
	assert_int_equal(sg_parse_proto("icmpv6", &v, &e), 0);
	assert_int_equal(v, IPPROTO_ICMPV6);
	assert_int_equal(sg_parse_proto("132", &v, &e), 0);
	assert_int_equal(v, 132);
	assert_int_equal(sg_parse_proto("256", &v, &e), -EINVAL);
	assert_int_equal(sg_parse_proto("TCP", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "tcp, udp, icmp, icmpv6"));

	assert_int_equal(sg_parse_family("inet6", &v, &e), 0);
	assert_int_equal(v, AF_INET6);
	assert_int_equal(sg_parse_family("inet", &v, &e), 0);
	assert_int_equal(v, AF_INET);
	assert_int_equal(sg_parse_family("bridge", &v, &e), -EINVAL);

	assert_int_equal(sg_parse_dir("forward", &v, &e), 0);
	assert_int_equal(v, SLAGUARD_DIR_FORWARD);
	assert_int_equal(sg_parse_dir("in", &v, &e), 0);
	assert_int_equal(v, SLAGUARD_DIR_IN);
	assert_int_equal(sg_parse_dir("out", &v, &e), 0);
	assert_int_equal(v, SLAGUARD_DIR_OUT);
	assert_int_equal(sg_parse_dir("any", &v, &e), 0);
	assert_int_equal(v, SLAGUARD_DIR_ANY);
	assert_int_equal(sg_parse_dir("inbound", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "in, out, forward or any"));

	assert_string_equal(sg_kind_name(SLAGUARD_EVENT_PORTSCAN), "PORTSCAN");
	assert_string_equal(sg_kind_name(SLAGUARD_EVENT_WATCH_HIT), "WATCH_HIT");
	assert_null(sg_kind_name(0));
	assert_null(sg_kind_name(__SLAGUARD_EVENT_MAX));
	assert_string_equal(sg_proto_name(58), "icmpv6");
	assert_null(sg_proto_name(0));
	assert_null(sg_proto_name(132));
}

static void seconds(void **state)
{
	struct sg_error e = { 0 };
	uint64_t ms;

	(void)state;
	assert_int_equal(sg_parse_seconds("--timeout", "10", &ms, &e), 0);
	assert_true(ms == 10000);
	assert_int_equal(sg_parse_seconds("--timeout", "2.5", &ms, &e), 0);
	assert_true(ms == 2500);
	assert_int_equal(sg_parse_seconds("--timeout", "0.001", &ms, &e), 0);
	assert_true(ms == 1);
	assert_int_equal(sg_parse_seconds("--timeout", "0", &ms, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "more than 0"));
	assert_int_equal(sg_parse_seconds("--timeout", "-1", &ms, &e), -EINVAL);
	assert_int_equal(sg_parse_seconds("--timeout", "1s", &ms, &e), -EINVAL);
	assert_int_equal(sg_parse_seconds("--timeout", "inf", &ms, &e), -EINVAL);
	assert_int_equal(sg_parse_seconds("--timeout", "nan", &ms, &e), -EINVAL);
	assert_int_equal(sg_parse_seconds("--timeout", "1e30", &ms, &e), -EINVAL);
}

static void formatting(void **state)
{
	char buf[64];
	struct sg_prefix p = { .family = AF_INET, .plen = 24 };

	(void)state;
	sg_format_time(1795428000123456789ULL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T10:00:00.123Z");
	sg_format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	sg_format_time(1795428059999999999ULL, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T10:00:59.999Z");

	inet_pton(AF_INET, "10.1.2.0", p.addr.b);
	sg_format_prefix(&p, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.2.0/24");
	p.plen = 32;
	sg_format_prefix(&p, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.2.0");

	sg_format_addr("\x01\x02\x03", 3, buf, sizeof(buf));
	assert_string_equal(buf, "?");

	sg_format_duration_ms(350, buf, sizeof(buf));
	assert_string_equal(buf, "350ms");
	sg_format_duration_ms(12500, buf, sizeof(buf));
	assert_string_equal(buf, "12.5s");
	sg_format_duration_ms(200000, buf, sizeof(buf));
	assert_string_equal(buf, "3m20s");
	sg_format_duration_ms(18120000, buf, sizeof(buf));
	assert_string_equal(buf, "5h02m");
}

static void table(void **state)
{
	static const struct sg_column cols[] = {
		{ "ID", true }, { "NAME", false }, { "HITS", true },
	};
	const char *r1[] = { "1", "a-long-name", "5" };
	const char *r2[] = { "12", "b", "123456" };
	struct sg_table *t = sg_table_new(cols, 3);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(t);
	assert_non_null(f);
	assert_int_equal(sg_table_add(t, r1), 0);
	assert_int_equal(sg_table_add(t, r2), 0);
	sg_table_print(t, f);
	fclose(f);
	assert_string_equal(out,
			    "ID  NAME           HITS\n"
			    " 1  a-long-name       5\n"
			    "12  b            123456\n");
	free(out);
	sg_table_free(t);
	assert_null(sg_table_new(cols, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefix_v4),
		cmocka_unit_test(prefix_v6),
		cmocka_unit_test(prefix_host_bits),
		cmocka_unit_test(prefix_bad),
		cmocka_unit_test(ports),
		cmocka_unit_test(numbers),
		cmocka_unit_test(bytes_suffixes),
		cmocka_unit_test(names),
		cmocka_unit_test(seconds),
		cmocka_unit_test(formatting),
		cmocka_unit_test(table),
	};

	return cmocka_run_group_tests_name("slaguardctl parse", tests, NULL,
					   NULL);
}
