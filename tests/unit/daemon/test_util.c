// SPDX-License-Identifier: GPL-2.0-or-later
/* Address text as inet_ntop() writes it, for every IPv4 octet value. */
#include <arpa/inet.h>
#include <string.h>

#include "helpers.h"
#include "util.h"

static void ipv4_like_inet_ntop(void **state)
{
	char got[SGD_ADDR_MAX], want[SGD_ADDR_MAX];
	uint8_t a[4];

	(void)state;
	for (unsigned int v = 0; v < 256; v++) {
		a[0] = (uint8_t)v;
		a[1] = (uint8_t)(255 - v);
		a[2] = (uint8_t)(v * 7);
		a[3] = (uint8_t)(v / 3);
		sgd_format_addr(AF_INET, a, got, sizeof(got));
		inet_ntop(AF_INET, a, want, sizeof(want));
		assert_string_equal(got, want);
	}
}

static void ipv6_and_short_buffers(void **state)
{
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t a4[4] = { 192, 0, 2, 1 };
	char buf[SGD_ADDR_MAX], tiny[8];

	(void)state;
	sgd_format_addr(AF_INET6, a6, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	sgd_format_addr(AF_INET, a4, tiny, sizeof(tiny));
	assert_string_equal(tiny, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_like_inet_ntop),
		cmocka_unit_test(ipv6_and_short_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
