// SPDX-License-Identifier: GPL-2.0-or-later
/* Address text as inet_ntop() writes it, for every IPv4 octet value. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

#include "genl.h"
#include "helpers.h"
#include "intake.h"
#include "siphash.h"
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

/*
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address: the
 * intake turns it into one, once, so that allowlists, the guard, windows
 * and countermeasures all see one spelling of a source.
 */
static void mapped_addresses_are_ipv4(void **state)
{
	uint8_t a[16], v4[4] = { 192, 0, 2, 1 };
	char buf[SGD_ADDR_MAX];

	(void)state;
	assert_int_equal(sgd_parse_addr("::ffff:192.0.2.1", a), AF_INET);
	assert_memory_equal(a, v4, 4);
	assert_int_equal(sgd_parse_addr("2001:db8::1", a), AF_INET6);
	assert_int_equal(sgd_parse_addr("64:ff9b::192.0.2.1", a), AF_INET6);
	assert_int_equal(sgd_parse_addr("192.0.2.1", a), AF_INET);
	sgd_format_addr(AF_INET, v4, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.1");
}

static void mapped_event_source_is_ipv4(void **state)
{
	uint8_t src[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 66 };
	uint8_t dst[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 10 };
	char buf[SG_GENL_REQSIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct rec r;

	(void)state;
	nlh = sg_genl_msg(buf, 0x20, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, 1);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, SLAGUARD_EVENT_PORTSCAN);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET6);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 16, src);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 16, dst);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, 40);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(intake_genl_decode(nlh, &r), 0);
	assert_int_equal(r.net.family, AF_INET);
	assert_memory_equal(r.net.src, src + 12, 4);
	assert_memory_equal(r.net.dst, dst + 12, 4);
}

/* SipHash-2-4's published test vectors (key 00..0f, message 00..len-1). */
static void siphash_reference_vectors(void **state)
{
	const struct sg_siphash_key key = { 0x0706050403020100ULL,
					    0x0f0e0d0c0b0a0908ULL };
	uint8_t msg[15];

	(void)state;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_true(sg_siphash(&key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(sg_siphash(&key, msg, 8) == 0x93f5f5799a932462ULL);
	assert_true(sg_siphash(&key, msg, 15) == 0xa129ca6149be45e5ULL);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A state file is replaced whole, private to root, and kept on failure. */
static void state_files_rewritten_whole(void **state)
{
	char dir[] = "/tmp/sgd-rewrite-XXXXXX", path[64], tmp[80];
	struct sgd_rewrite w;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(sgd_rewrite_open(&w, path), 0);
	fprintf(w.f, "one\n");
	assert_int_equal(sgd_rewrite_commit(&w), 0);
	assert_string_equal(slurp(path), "one\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);
	/* a rename that cannot happen (a directory in the way): the old stays */
	assert_int_equal(sgd_rewrite_open(&w, dir), 0);
	fprintf(w.f, "two\n");
	assert_true(sgd_rewrite_commit(&w) < 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dir);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_string_equal(slurp(path), "one\n");
	/* nowhere to write: an error, nothing open */
	assert_int_equal(sgd_rewrite_open(&w, "/nonexistent/dir/state"), -ENOENT);
	assert_null(w.f);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_like_inet_ntop),
		cmocka_unit_test(ipv6_and_short_buffers),
		cmocka_unit_test(mapped_addresses_are_ipv4),
		cmocka_unit_test(mapped_event_source_is_ipv4),
		cmocka_unit_test(siphash_reference_vectors),
		cmocka_unit_test(state_files_rewritten_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
