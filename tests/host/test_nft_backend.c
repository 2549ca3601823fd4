// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_backend.c - slaguardd's nftables backend against the kernel's
 * nf_tables, inside the private network namespace run-netns.sh sets up.
 * Every test starts from an empty ruleset and checks the kernel's state
 * with `nft -j`, the way an operator would.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nft_test_util.h"

#define C1 "slaguard rule=no-telnet alert=A17"
#define C2 "slaguard rule=web-syn-rate alert=A18"

static struct nftb *open_with(struct nftb_opts *opts)
{
	struct nftb *nb = NULL;

	assert_int_equal(nftb_open(&nb, opts), 0);
	assert_int_equal(nftb_reconcile(nb, NULL), 0);
	return nb;
}

static struct nftb *open_default(void)
{
	struct nftb_opts opts;

	tu_opts(&opts);
	return open_with(&opts);
}

static int fresh(void **state)
{
	(void)state;
	tu_log_reset();
	assert_int_equal(tu_sh("nft flush ruleset"), 0);
	return 0;
}

static int64_t field_int(json_object *elem, const char *name)
{
	json_object *v = tu_field(elem, name);

	return v ? json_object_get_int64(v) : -1;
}

static const char *field_str(json_object *elem, const char *name)
{
	json_object *v = tu_field(elem, name);

	return v ? json_object_get_string(v) : NULL;
}

/* The table loads, with every set and the prerouting hook; inspection
 * falls back to counting because this kernel has no nft_queue. */
static void test_table_loads(void **state)
{
	struct nftb_reconcile_stats st;
	struct nftb_opts opts;
	struct nftb *nb;
	char *out;

	(void)state;
	tu_opts(&opts);
	assert_int_equal(nftb_open(&nb, &opts), 0);
	assert_int_equal(nftb_reconcile(nb, &st), 0);
	assert_true(st.table_loaded);
	out = tu_capture("nft list table inet slaguard");
	assert_non_null(out);
	for (const char *s = "block4\0block6\0block4_net\0block6_net\0ratelimit4\0ratelimit6\0"
			     "inspect4\0inspect6\0rlmeter4\0hook prerouting\0";
	     *s; s += strlen(s) + 1)
		assert_non_null(strstr(out, s));
	free(out);
	if (!nftb_inspect_enabled(nb))
		assert_true(tu_logged("NFQUEUE rules not loaded"));
	/* loading again keeps the same table */
	assert_int_equal(nftb_ensure_table(nb), 0);
	nftb_close(nb);
	/* and by hand, as the file says */
	assert_int_equal(tu_sh("nft -f %s/slaguard.nft", NFT_DIR), 0);
}

/* One block: one element with its comment and timeout, in the hash set. */
static void test_block_single(void **state)
{
	struct nftb *nb = open_default();
	json_object *elems, *e;

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.7", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "2001:db8::7", 300, C2), 0);
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(json_object_array_length(elems), 1);
	e = tu_find(elems, "198.51.100.7");
	assert_non_null(e);
	assert_string_equal(field_str(e, "comment"), C1);
	assert_int_equal(field_int(e, "timeout"), 600);
	assert_true(field_int(e, "expires") >= 595 && field_int(e, "expires") <= 600);
	json_object_put(elems);
	elems = tu_elems("slaguard", "block6");
	e = tu_find(elems, "2001:db8::7");
	assert_non_null(e);
	assert_string_equal(field_str(e, "comment"), C2);
	json_object_put(elems);
	assert_int_equal(tu_count("block4_net"), 0);
	assert_int_equal(nftb_active_count(nb), 2);
	nftb_close(nb);
}

/* CIDR prefixes go to the interval sets; singles never do. */
static void test_cidr_interval(void **state)
{
	struct nftb *nb = open_default();
	json_object *elems, *e;

	(void)state;
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 120, C1), 0);
	assert_int_equal(nftb_block(nb, "2001:db8:100::/48", 120, C1), 0);
	assert_int_equal(nftb_block(nb, "192.0.2.9/32", 120, C1), 0);
	elems = tu_elems("slaguard", "block4_net");
	assert_int_equal(json_object_array_length(elems), 1);
	e = tu_find(elems, "203.0.113.0/24");
	assert_non_null(e);
	assert_string_equal(field_str(e, "comment"), C1);
	json_object_put(elems);
	elems = tu_elems("slaguard", "block6_net");
	assert_non_null(tu_find(elems, "2001:db8:100::/48"));
	json_object_put(elems);
	assert_int_equal(tu_count("block4"), 1);	/* the /32 */
	/* an overlapping range is refused before the kernel */
	assert_int_equal(nftb_block(nb, "203.0.0.0/16", 120, C1), -EEXIST);
	assert_non_null(strstr(nftb_last_error(nb), "overlaps 203.0.113.0/24"));
	/* host bits are not silently widened */
	assert_int_equal(nftb_block(nb, "203.0.114.5/24", 120, C1), -EINVAL);
	assert_non_null(strstr(nftb_last_error(nb), "203.0.114.0/24"));
	/* ranges are for blocks only */
	assert_int_equal(nftb_ratelimit(nb, "198.51.100.0/24", 60, C1), -EINVAL);
	/* lifting a range removes both of its kernel elements */
	assert_int_equal(nftb_unblock(nb, "203.0.113.0/24"), 0);
	assert_int_equal(tu_count("block4_net"), 0);
	nftb_close(nb);
}

/* Rate-limit and inspect land in their own sets; inspected traffic still
 * flows (fail-open) since there is no queue here. */
static void test_ratelimit_inspect(void **state)
{
	struct nftb *nb = open_default();

	(void)state;
	assert_int_equal(nftb_ratelimit(nb, "198.51.100.20", 60, C1), 0);
	assert_int_equal(nftb_inspect(nb, "198.51.100.21", 60, C1), 0);
	assert_int_equal(nftb_inspect(nb, "2001:db8::21", 60, C1), 0);
	assert_int_equal(tu_count("ratelimit4"), 1);
	assert_int_equal(tu_count("inspect4"), 1);
	assert_int_equal(tu_count("inspect6"), 1);
	assert_int_equal(tu_count("block4"), 0);
	assert_int_equal(nftb_revoke(nb, NFTB_INSPECT, "198.51.100.21"), 0);
	assert_int_equal(nftb_revoke(nb, NFTB_INSPECT, "198.51.100.21"), -ENOENT);
	assert_int_equal(tu_count("inspect4"), 0);
	nftb_close(nb);
}

/*
 * Destination limits: "address . port" elements in limitdst4/6, listed and
 * revoked like the rest; the guard does not apply (limiting SYNs to one of
 * our own services locks nobody out), and a destination is never a source.
 */
static void test_limit_destination(void **state)
{
	struct nftb *nb = open_default();
	struct nftb_entry *v;
	bool seen = false;
	size_t n;

	(void)state;
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "192.0.2.10 . 80", 60, C1), 0);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "2001:db8::10 . 443", 60, C2), 0);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "127.0.0.1 . 8080", 60, C1), 0);
	assert_int_equal(tu_count("limitdst4"), 2);
	assert_int_equal(tu_count("limitdst6"), 1);
	assert_int_equal(tu_count("block4"), 0);
	assert_int_equal(nftb_list(nb, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].addr, "192.0.2.10 . 80"))
			continue;
		seen = true;
		assert_int_equal(v[i].kind, NFTB_LIMIT_DST);
		assert_string_equal(v[i].set, "limitdst4");
		assert_int_equal(v[i].timeout_ms, 60000);
		assert_string_equal(v[i].comment, C1);
	}
	assert_true(seen);
	nftb_list_free(v);
	/* a destination needs its port; a source has none */
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "192.0.2.10", 60, C1), -EINVAL);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "192.0.2.0/24 . 80", 60, C1), -EINVAL);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "192.0.2.10 . 0", 60, C1), -EINVAL);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "192.0.2.10 . 70000", 60, C1), -EINVAL);
	assert_int_equal(nftb_block(nb, "192.0.2.10 . 80", 60, C1), -EINVAL);
	assert_int_equal(nftb_revoke(nb, NFTB_LIMIT_DST, "192.0.2.10 . 80"), 0);
	assert_int_equal(nftb_revoke(nb, NFTB_LIMIT_DST, "192.0.2.10 . 80"), -ENOENT);
	assert_int_equal(tu_count("limitdst4"), 1);
	nftb_close(nb);
}

/* A batch is one transaction: N elements, one generation. */
static void test_batch_one_transaction(void **state)
{
	struct nftb *nb = open_default();
	char addr[32];
	uint32_t gen;

	(void)state;
	gen = tu_genid();
	assert_int_equal(nftb_batch_begin(nb), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(addr, sizeof(addr), "100.64.%d.%d", i / 250, i % 250 + 1);
		assert_int_equal(nftb_block(nb, addr, 600, C1), 0);
	}
	assert_int_equal(nftb_block(nb, "2001:db8::1:1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "100.100.0.0/16", 600, C1), 0);
	assert_int_equal(tu_count("block4"), 0);	/* nothing before commit */
	assert_int_equal(nftb_batch_commit(nb), 0);
	assert_int_equal(tu_genid(), gen + 1);
	assert_int_equal(tu_count("block4"), 1000);
	assert_int_equal(tu_count("block6"), 1);
	assert_int_equal(tu_count("block4_net"), 1);
	assert_int_equal(nftb_active_count(nb), 1002);
	/* abort leaves nothing behind, in the kernel or the ledger */
	assert_int_equal(nftb_batch_begin(nb), 0);
	assert_int_equal(nftb_block(nb, "100.65.0.1", 600, C1), 0);
	nftb_batch_abort(nb);
	assert_int_equal(nftb_active_count(nb), 1002);
	assert_int_equal(tu_count("block4"), 1000);
	nftb_close(nb);
}

/* A failure in the middle of a batch leaves nothing applied. */
static void test_batch_failure_applies_nothing(void **state)
{
	struct nftb *nb = open_default();
	char addr[32];
	uint32_t gen;

	(void)state;
	/* a range put there by hand, unknown to the backend: the kernel, not
	 * the backend's own overlap check, will refuse the batch */
	assert_int_equal(tu_sh("nft add element inet slaguard block4_net '{ 10.99.0.0/16 timeout 1h }'"), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	gen = tu_genid();
	assert_int_equal(nftb_batch_begin(nb), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "100.64.0.%d", i + 1);
		assert_int_equal(nftb_block(nb, addr, 600, C1), 0);
	}
	assert_int_equal(nftb_block(nb, "10.99.1.0/24", 600, C2), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "100.64.1.%d", i + 1);
		assert_int_equal(nftb_block(nb, addr, 600, C1), 0);
	}
	assert_int_equal(nftb_unblock(nb, "198.51.100.1"), 0);
	assert_true(nftb_batch_commit(nb) < 0);
	assert_non_null(strstr(nftb_last_error(nb), "none applied"));
	assert_int_equal(tu_genid(), gen);
	assert_int_equal(tu_count("block4"), 1);	/* only 198.51.100.1, still there */
	assert_int_equal(tu_count("block4_net"), 1);	/* only the hand-made range */
	assert_int_equal(nftb_active_count(nb), 1);	/* the ledger rolled back too */
	assert_int_equal(nftb_unblock(nb, "198.51.100.1"), 0);
	nftb_close(nb);
}

/* The allowlist is refused with -EPERM and never reaches the kernel. */
static void test_allowlist_refused(void **state)
{
	static const char *const allow[] = { "192.0.2.0/28", "2001:db8:ffff::1" };
	struct nftb_opts opts;
	struct nftb *nb;
	uint32_t gen;

	(void)state;
	tu_opts(&opts);
	opts.allowlist = allow;
	opts.allowlist_len = 2;
	nb = open_with(&opts);
	gen = tu_genid();
	assert_int_equal(nftb_block(nb, "192.0.2.5", 600, C1), -EPERM);
	assert_non_null(strstr(nftb_last_error(nb), "allowlist"));
	assert_int_equal(nftb_block(nb, "192.0.2.0/24", 600, C1), -EPERM);	/* covers it */
	assert_int_equal(nftb_block(nb, "2001:db8:ffff::1", 600, C1), -EPERM);
	assert_int_equal(nftb_ratelimit(nb, "192.0.2.1", 600, C1), -EPERM);
	assert_int_equal(nftb_block(nb, "::ffff:192.0.2.3", 600, C1), -EPERM);	/* mapped */
	assert_int_equal(tu_genid(), gen);
	assert_int_equal(nftb_block(nb, "192.0.2.16", 600, C1), 0);	/* just outside */
	assert_int_equal(tu_count("block4"), 1);
	nftb_close(nb);

	/* a malformed allowlist fails to open, saying which entry */
	static const char *const bad[] = { "10.0.0.0/8", "not-an-address" };
	tu_opts(&opts);
	opts.allowlist = bad;
	opts.allowlist_len = 2;
	tu_log_reset();
	assert_int_equal(nftb_open(&nb, &opts), -EINVAL);
	assert_null(nb);
	assert_true(tu_logged("allowlist entry 2"));
}

/* The host's own addresses, loopback and gateways are refused. */
static void test_self_refused(void **state)
{
	static const char *const self[] = {
		"198.18.0.1", "198.19.0.1", "fd00:5a::1", "127.0.0.1", "::1",
		"::ffff:127.0.0.1", "198.19.0.254", "fd00:5b::fe", "198.18.0.0/16", "0.0.0.0/0",
	};
	struct nftb *nb = open_default();
	uint32_t gen = tu_genid();

	(void)state;
	for (size_t i = 0; i < sizeof(self) / sizeof(self[0]); i++) {
		assert_int_equal(nftb_block(nb, self[i], 600, C1), -EPERM);
		assert_non_null(strstr(nftb_last_error(nb), "protected"));
	}
	assert_non_null(strstr(tu_log_text(), "gateway"));
	assert_non_null(strstr(tu_log_text(), "own address"));
	assert_int_equal(tu_genid(), gen);
	assert_int_equal(tu_count("block4") + tu_count("block6") + tu_count("block4_net"), 0);
	nftb_close(nb);
}

/* Refuses SOURCE with -EPERM, the message naming why; nothing reaches the kernel. */
static void assert_refused(struct nftb *nb, const char *source, const char *why)
{
	uint32_t gen = tu_genid();
	int ret = nftb_block(nb, source, 600, C1);

	if (ret != -EPERM)
		fail_msg("block %s: expected -EPERM (%s), got %d (%s)", source, why, ret,
			 ret ? nftb_last_error(nb) : "blocked");
	if (!strstr(nftb_last_error(nb), why))
		fail_msg("block %s: refused as \"%s\", expected it to say \"%s\"", source,
			 nftb_last_error(nb), why);
	assert_int_equal(tu_genid(), gen);
}

static size_t blocked_count(void)
{
	return tu_count("block4") + tu_count("block6") + tu_count("block4_net") +
	       tu_count("block6_net");
}

/*
 * The special-purpose addresses (RFC 6890 and the IANA registries) whose
 * blocking cuts the host off from something it needs - DHCP, neighbours,
 * multicast, the cloud's metadata service - are refused, as are prefixes
 * covering them; IPv4-mapped IPv6 is its IPv4 address.
 */
static void test_special_refused(void **state)
{
	static const char *const special[][2] = {
		{ "0.0.0.0", "0.0.0.0 is the unspecified address (protected)" },
		{ "0.0.0.0/8", "protected" },
		{ "::", ":: is the unspecified address (protected)" },
		{ "255.255.255.255", "255.255.255.255 is limited broadcast (protected)" },
		{ "224.0.0.1", "224.0.0.1 is multicast (protected)" },
		{ "239.255.255.250", "multicast (protected)" },
		{ "224.0.0.0/4", "multicast (protected)" },
		{ "ff02::1", "ff02::1 is multicast (protected)" },
		{ "ff00::/8", "multicast (protected)" },
		{ "169.254.169.254", "169.254.169.254 is link-local (protected)" },
		{ "::ffff:169.254.169.254", "169.254.169.254 is link-local (protected)" },
		{ "169.254.0.0/16", "link-local (protected)" },
		{ "169.254.169.0/24", "link-local (protected)" },
		{ "fe80::1", "fe80::1 is link-local (protected)" },
		{ "fe80::/64", "link-local (protected)" },
		{ "127.0.0.53", "loopback" },
		{ "::ffff:127.0.0.1", "loopback" },
		{ "::1", "loopback" },
		{ "::ffff:198.19.0.254", "198.19.0.254 is a gateway" },
		{ "::ffff:0:0/96", "protected" },
		{ "192.0.0.8", "protected" },
	};
	struct nftb *nb = open_default();

	(void)state;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		assert_refused(nb, special[i][0], special[i][1]);
	/* rate-limit and inspect are refused the same way */
	assert_int_equal(nftb_ratelimit(nb, "169.254.169.254", 600, C1), -EPERM);
	assert_int_equal(nftb_inspect(nb, "ff02::2", 600, C1), -EPERM);
	assert_true(tu_logged("refused to block 169.254.169.254"));
	assert_int_equal(blocked_count(), 0);
	assert_int_equal(nftb_active_count(nb), 0);
	nftb_close(nb);
}

/*
 * Where attackers really live stays blockable: private, shared (CGNAT),
 * benchmarking, documentation, unique-local and reserved ranges, NAT64.
 */
static void test_special_still_blockable(void **state)
{
	static const char *const ok[] = {
		"10.1.2.3", "10.0.0.0/9", "172.16.0.1", "192.168.1.1", "192.168.0.0/16",
		"100.64.0.1", "198.18.5.5", "198.18.128.0/17", "192.0.2.1", "203.0.113.9",
		"240.0.0.1", "2001:db8::1", "fd00:77::1", "fc00::/8", "64:ff9b::c633:6407",
		"2002:c633:6407::1",
	};
	struct nftb *nb = open_default();

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (nftb_block(nb, ok[i], 600, C1))
			fail_msg("block %s: %s", ok[i], nftb_last_error(nb));
	assert_int_equal(blocked_count(), sizeof(ok) / sizeof(ok[0]));
	nftb_close(nb);
}

/*
 * Gateways of every routing table and every next hop of a multipath route
 * (read over rtnetlink), not just the main table's first one. Optional
 * kinds of next hop this kernel may lack (a v6 next hop of a v4 route,
 * nexthop objects) are checked when `ip` can add them.
 */
static bool have_via, have_nhid;

static int extra_routes(void **state)
{
	(void)state;
	fresh(state);
	assert_int_equal(tu_sh("ip route add default via 198.19.0.251 dev sg-up table 100 && "
			       "ip -6 route add default via fd00:5b::fb dev sg-up table 100 && "
			       "ip route add 198.51.100.0/24 nexthop via 198.19.0.252 dev sg-up "
			       "nexthop via 198.19.0.253 dev sg-up && "
			       "ip -6 route add 2001:db8:77::/48 nexthop via fd00:5b::fc dev sg-up "
			       "nexthop via fd00:5b::fd dev sg-up"), 0);
	have_via = tu_sh("ip route add 192.0.2.128/25 via inet6 fd00:5b::f1 dev sg-up "
			 "2>/dev/null") == 0;
	/* without compat mode (this namespace's sysctl) a route names its
	 * nexthop object only by id: the gateway is the object's */
	have_nhid = tu_sh("sysctl -qw net.ipv4.nexthop_compat_mode=0 2>/dev/null && "
			  "ip nexthop add id 77 via 198.19.0.249 dev sg-up 2>/dev/null && "
			  "ip route add 192.0.2.64/26 nhid 77 2>/dev/null") == 0;
	if (!have_via || !have_nhid)
		fprintf(stderr, "  note: this kernel or ip lacks%s%s; not checked\n",
			have_via ? "" : " RTA_VIA routes", have_nhid ? "" : " nexthop objects");
	return 0;
}

static int drop_extra_routes(void **state)
{
	(void)state;
	tu_sh("exec >/dev/null 2>&1; ip route flush table 100; ip -6 route flush table 100; "
	      "ip route flush table 200; ip route del 198.51.100.0/24; "
	      "ip -6 route del 2001:db8:77::/48; ip route del 192.0.2.128/25; "
	      "ip route del 192.0.2.64/26; ip nexthop flush; ip route del 192.0.2.0/24; "
	      "ip -6 route del 2001:db8:40::/48; sysctl -qw net.ipv4.nexthop_compat_mode=1; true");
	return 0;
}

static void test_gateways_every_table(void **state)
{
	static const char *const gw[][2] = {
		{ "198.19.0.254", "198.19.0.254 is a gateway of table main (protected)" },
		{ "fd00:5b::fe", "fd00:5b::fe is a gateway of table main (protected)" },
		{ "198.19.0.251", "198.19.0.251 is a gateway of table 100 (protected)" },
		{ "fd00:5b::fb", "fd00:5b::fb is a gateway of table 100 (protected)" },
		{ "198.19.0.252", "is a gateway of a multipath route of table main" },
		{ "198.19.0.253", "is a gateway of a multipath route of table main" },
		{ "fd00:5b::fc", "is a gateway of a multipath route of table main" },
		{ "fd00:5b::fd", "is a gateway of a multipath route of table main" },
		{ "::ffff:198.19.0.252", "198.19.0.252 is a gateway" },
	};
	struct nftb *nb = open_default();

	(void)state;
	for (size_t i = 0; i < sizeof(gw) / sizeof(gw[0]); i++)
		assert_refused(nb, gw[i][0], gw[i][1]);
	if (have_via)
		assert_refused(nb, "fd00:5b::f1", "fd00:5b::f1 is a gateway of table main");
	if (have_nhid)
		assert_refused(nb, "198.19.0.249", "the gateway of nexthop object 77");
	/* a prefix covering a gateway of another table */
	assert_refused(nb, "198.19.0.250/31", "198.19.0.251, which is a gateway");
	assert_refused(nb, "fd00:5b::fc/127", "which is a gateway");
	assert_int_equal(blocked_count(), 0);
	/* the route's destination itself is not protected, only its next hops */
	assert_int_equal(nftb_block(nb, "198.51.100.7", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.19.0.250", 600, C1), 0);
	nftb_close(nb);
}

/* The resolvers in use (nameserver lines of resolv.conf) are protected. */
static void test_resolvers_refused(void **state)
{
	struct nftb_opts opts;
	struct nftb *nb;

	(void)state;
	nb = open_default();
	assert_refused(nb, TU_RESOLVER4, TU_RESOLVER4 " is a resolver in ");
	assert_refused(nb, TU_RESOLVER6, "resolver");
	assert_refused(nb, "::ffff:" TU_RESOLVER4, "resolver");
	assert_refused(nb, "198.19.0.48/29", "covers " TU_RESOLVER4 ", which is a resolver");
	nftb_close(nb);

	/* comments, other keywords and scoped addresses as resolv.conf(5) has them */
	tu_opts(&opts);
	tu_resolv_conf("# nameserver 198.19.0.99\n; nameserver 198.19.0.98\n"
		       "search example.org\noptions edns0\n"
		       "nameserver\t198.19.0.60 # trailing\n"
		       "nameserver fd00:5b::60%sg-up\nnameserver not-an-address\n");
	nb = open_with(&opts);
	assert_refused(nb, "198.19.0.60", "resolver");
	assert_refused(nb, "fd00:5b::60", "resolver");
	assert_int_equal(nftb_block(nb, "198.19.0.99", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.19.0.98", 600, C1), 0);
	assert_int_equal(nftb_block(nb, TU_RESOLVER4, 600, C1), 0);	/* not one anymore */
	nftb_close(nb);
	tu_resolv_conf("nameserver " TU_RESOLVER4 "\nnameserver " TU_RESOLVER6 "\n");
}

/* Lifted, with the reason, as the test's lifted callback hears it. */
struct lifted_seen {
	size_t n;
	char sources[8][NFTB_ADDR_MAX];
	char why[8][400];
};

static void on_lifted(void *arg, enum nftb_kind kind, const char *source, const char *why)
{
	struct lifted_seen *s = arg;

	(void)kind;
	if (s->n < 8) {
		snprintf(s->sources[s->n], sizeof(s->sources[0]), "%s", source);
		snprintf(s->why[s->n], sizeof(s->why[0]), "%s", why);
	}
	s->n++;
}

/*
 * A refresh protects what appeared since (a route's gateway, a resolver, an
 * allowlist entry) and lifts, in one transaction, the blocks of it.
 */
static void test_refresh_lifts(void **state)
{
	static const char *const allow[] = { "10.9.9.0/24" };
	struct lifted_seen seen = { 0 };
	struct nftb *nb = open_default();
	uint32_t gen;

	(void)state;
	assert_int_equal(nftb_block(nb, "198.19.0.240", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.19.0.232/29", 600, C1), 0);
	assert_int_equal(nftb_ratelimit(nb, "fd00:5b::40", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.19.0.41", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "10.9.9.9", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "10.9.8.9", 600, C2), 0);
	assert_int_equal(tu_count("block4"), 4);
	/* nothing new: nothing lifted, no transaction */
	gen = tu_genid();
	assert_int_equal(nftb_refresh_guard(nb, NULL, 0, on_lifted, &seen), 0);
	assert_int_equal(tu_genid(), gen);

	assert_int_equal(tu_sh("ip route add 203.0.113.0/24 via 198.19.0.240 table 200 && "
			       "ip route add 192.0.2.0/24 via 198.19.0.236 && "
			       "ip -6 route add 2001:db8:40::/48 nexthop via fd00:5b::40 dev sg-up "
			       "nexthop via fd00:5b::fe dev sg-up"), 0);
	tu_resolv_conf("nameserver " TU_RESOLVER4 "\nnameserver 198.19.0.41\n");
	assert_int_equal(nftb_refresh_guard(nb, allow, 1, on_lifted, &seen), 5);
	assert_int_equal(tu_genid(), gen + 1);		/* one transaction */
	assert_int_equal(seen.n, 5);
	for (size_t i = 0; i < seen.n; i++) {
		if (!strcmp(seen.sources[i], "198.19.0.240"))
			assert_non_null(strstr(seen.why[i], "198.19.0.240 is a gateway of table 200 (protected)"));
		if (!strcmp(seen.sources[i], "198.19.0.232/29"))
			assert_non_null(strstr(seen.why[i], "covers 198.19.0.236, which is a gateway"));
		if (!strcmp(seen.sources[i], "198.19.0.41"))
			assert_non_null(strstr(seen.why[i], "resolver"));
		if (!strcmp(seen.sources[i], "10.9.9.9"))
			assert_non_null(strstr(seen.why[i], "allowlisted"));
	}
	assert_true(tu_logged("lifted block of 198.19.0.240 (" C1 "): 198.19.0.240 is a gateway"));
	assert_true(tu_logged("lifted rate-limit of fd00:5b::40"));
	assert_int_equal(tu_count("block4"), 1);	/* 10.9.8.9 stays */
	assert_int_equal(tu_count("block4_net"), 0);
	assert_int_equal(tu_count("ratelimit6"), 0);
	assert_int_equal(nftb_active_count(nb), 1);
	/* and stays refused */
	assert_refused(nb, "198.19.0.240", "gateway of table 200");
	assert_refused(nb, "10.9.9.1", "allowlisted");
	assert_int_equal(nftb_unblock(nb, "10.9.8.9"), 0);
	nftb_close(nb);
	tu_resolv_conf("nameserver " TU_RESOLVER4 "\nnameserver " TU_RESOLVER6 "\n");
}

/* What an older daemon left blocking a protected address is lifted at start. */
static void test_reconcile_lifts_protected(void **state)
{
	struct nftb_reconcile_stats st;
	struct nftb_opts opts;
	struct nftb *nb = open_default();

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	nftb_close(nb);
	assert_int_equal(tu_sh("nft add element inet slaguard block4 '{ 169.254.169.254 timeout 1h comment \"" C1 "\" }' && "
			       "nft add element inet slaguard block4 '{ 198.19.0.254 timeout 1h comment \"" C2 "\" }' && "
			       "nft add element inet slaguard block6_net '{ ff00::/8 timeout 1h comment \"" C2 "\" }'"), 0);
	tu_opts(&opts);
	assert_int_equal(nftb_open(&nb, &opts), 0);
	assert_int_equal(nftb_reconcile(nb, &st), 0);
	assert_int_equal(st.adopted, 1);
	assert_int_equal(st.lifted, 3);
	assert_int_equal(st.cleared, 0);
	assert_true(tu_logged("lifting 169.254.169.254 in block4 (" C1 "): 169.254.169.254 is link-local (protected)"));
	assert_int_equal(tu_count("block4"), 1);
	assert_int_equal(tu_count("block6_net"), 0);
	assert_int_equal(nftb_active_count(nb), 1);
	nftb_close(nb);
}

/* The cap refuses new countermeasures with -ENOSPC; renewals still pass. */
static void test_cap(void **state)
{
	struct nftb_opts opts;
	struct nftb *nb;

	(void)state;
	tu_opts(&opts);
	opts.max_actions = 3;
	nb = open_with(&opts);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.2", 600, C1), 0);
	assert_int_equal(nftb_ratelimit(nb, "198.51.100.3", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.4", 600, C1), -ENOSPC);
	assert_non_null(strstr(nftb_last_error(nb), "cap of 3"));
	assert_int_equal(nftb_block(nb, "198.51.100.1", 900, C2), 0);	/* renewal */
	/* in a batch too: the fourth is refused, the rest of the batch stands */
	assert_int_equal(nftb_unblock(nb, "198.51.100.2"), 0);
	assert_int_equal(nftb_batch_begin(nb), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.5", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.6", 600, C1), -ENOSPC);
	assert_int_equal(nftb_batch_commit(nb), 0);
	assert_int_equal(tu_count("block4"), 2);
	assert_int_equal(nftb_active_count(nb), 3);
	nftb_close(nb);
}

/* Dry-run logs what it would do and changes nothing, not even the table. */
static void test_dry_run(void **state)
{
	struct nftb_opts opts;
	struct nftb *nb;
	char *out;

	(void)state;
	tu_opts(&opts);
	opts.dry_run = true;
	nb = open_with(&opts);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 600, C1), 0);
	assert_int_equal(nftb_batch_begin(nb), 0);
	assert_int_equal(nftb_ratelimit(nb, "198.51.100.2", 600, C1), 0);
	assert_int_equal(nftb_batch_commit(nb), 0);
	assert_int_equal(nftb_block(nb, "127.0.0.1", 600, C1), -EPERM);	/* still checked */
	assert_true(tu_logged("dry-run: would load table inet slaguard"));
	assert_true(tu_logged("dry-run: would block 198.51.100.1 for 600s in block4 (" C1 ")"));
	assert_true(tu_logged("dry-run: would rate-limit 198.51.100.2"));
	out = tu_capture("nft list ruleset");
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(nftb_active_count(nb), 0);
	nftb_close(nb);
}

/*
 * A restarted daemon adopts the countermeasures a previous one left
 * (same timeouts, no duplicates) and clears elements slaguard did not add.
 */
static void test_reconcile(void **state)
{
	struct nftb_reconcile_stats st;
	struct nftb *nb = open_default();
	json_object *elems, *e;

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 300, C2), 0);
	assert_int_equal(nftb_ratelimit(nb, "198.51.100.2", 200, C2), 0);
	nftb_close(nb);	/* the daemon dies; the kernel keeps the elements */
	assert_int_equal(tu_sh("nft add element inet slaguard block4 '{ 198.51.100.50 timeout 1h }' && "
			       "nft add element inet slaguard block4 '{ 198.51.100.51 timeout 1h comment \"by hand\" }' && "
			       "nft add element inet slaguard block6 '{ 2001:db8::51 comment \"" C1 "\" }' && "
			       "nft add element inet slaguard block4_net '{ 198.51.100.60 timeout 1h comment \"" C1 "\" }'"), 0);
	tu_sleep_ms(1100);

	struct nftb_opts opts;

	tu_opts(&opts);
	assert_int_equal(nftb_open(&nb, &opts), 0);
	assert_int_equal(nftb_reconcile(nb, &st), 0);
	assert_false(st.table_loaded);
	assert_int_equal(st.adopted, 3);
	/* no comment, foreign comment, no timeout, misplaced /32 */
	assert_int_equal(st.cleared, 4);
	assert_int_equal(nftb_active_count(nb), 4);	/* 3 + the moved /32 */
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(json_object_array_length(elems), 2);
	e = tu_find(elems, "198.51.100.1");
	assert_non_null(e);
	assert_string_equal(field_str(e, "comment"), C1);
	assert_true(field_int(e, "expires") <= 599);	/* not reset by adoption */
	assert_non_null(tu_find(elems, "198.51.100.60"));	/* moved to its set */
	json_object_put(elems);
	assert_int_equal(tu_count("block6"), 0);
	assert_int_equal(tu_count("block4_net"), 1);
	assert_int_equal(tu_count("ratelimit4"), 1);

	/* again: everything already known, nothing added or cleared */
	assert_int_equal(nftb_reconcile(nb, &st), 0);
	assert_int_equal(st.adopted, 0);
	assert_int_equal(st.already_known, 4);
	assert_int_equal(st.cleared, 0);
	/* acting on an adopted source renews it, no duplicate */
	assert_int_equal(nftb_block(nb, "198.51.100.1", 900, C2), 0);
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(json_object_array_length(elems), 2);
	assert_string_equal(field_str(tu_find(elems, "198.51.100.1"), "comment"), C2);
	assert_int_equal(field_int(tu_find(elems, "198.51.100.1"), "timeout"), 900);
	json_object_put(elems);
	/* adopted sources can be revoked */
	assert_int_equal(nftb_unblock(nb, "203.0.113.0/24"), 0);
	assert_int_equal(tu_count("block4_net"), 0);
	nftb_close(nb);
}

/* A table loaded by an older definition is replaced, keeping what is due. */
static void test_reconcile_outdated_table(void **state)
{
	struct nftb_reconcile_stats st;
	struct nftb *nb;
	struct nftb_opts opts;

	(void)state;
	assert_int_equal(tu_sh("nft 'add table inet slaguard { comment \"slaguard v0\"; }' && "
			       "nft 'add set inet slaguard block4 { type ipv4_addr; flags timeout; }' && "
			       "nft add element inet slaguard block4 '{ 198.51.100.9 timeout 1h comment \"" C1 "\" }'"), 0);
	tu_opts(&opts);
	assert_int_equal(nftb_open(&nb, &opts), 0);
	assert_int_equal(nftb_reconcile(nb, &st), 0);
	assert_true(st.table_loaded);
	assert_int_equal(st.adopted, 1);
	assert_int_equal(tu_count("block4"), 1);
	assert_int_equal(tu_count("block6"), 0);	/* the full definition is there now */
	nftb_close(nb);
}

/* Nothing the backend does touches another table. */
static void test_other_table_untouched(void **state)
{
	struct nftb *nb;
	char *before, *after;

	(void)state;
	assert_int_equal(tu_sh("nft -f - <<'EOF'\n"
			       "table inet other {\n"
			       "  set s { type ipv4_addr; flags timeout; elements = { 198.51.100.1 timeout 1h comment \"other\" }; }\n"
			       "  chain c {\n"
			       "    type filter hook input priority 0; policy accept;\n"
			       "    ip saddr @s counter accept\n"
			       "  }\n"
			       "}\nEOF"), 0);
	before = tu_capture("nft -j -s list table inet other | sed 's/\"expires\": [0-9]*//g'");
	assert_non_null(before);
	nb = open_default();
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 600, C1), 0);
	assert_int_equal(nftb_unblock(nb, "198.51.100.1"), 0);
	assert_int_equal(nftb_reconcile(nb, NULL), 0);
	assert_int_equal(tu_sh("nft delete table inet slaguard"), 0);
	assert_int_equal(tu_watch(nb, 2000), 1);
	after = tu_capture("nft -j -s list table inet other | sed 's/\"expires\": [0-9]*//g'");
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);
	nftb_close(nb);
}

/* After `nft flush ruleset` the watcher restores the table with what is due. */
static void test_watch_restores_after_flush(void **state)
{
	struct nftb *nb = open_default();
	json_object *elems, *e;

	(void)state;
	assert_true(nftb_watch_fd(nb) >= 0);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.2", 2, C1), 0);	/* will be over */
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 600, C2), 0);
	assert_int_equal(nftb_ratelimit(nb, "2001:db8::5", 600, C2), 0);
	assert_int_equal(tu_watch(nb, 200), 0);	/* our own changes: nothing to do */
	tu_sleep_ms(2500);
	assert_int_equal(tu_sh("nft flush ruleset"), 0);
	assert_int_equal(tu_watch(nb, 2000), 1);
	assert_true(tu_logged("deleted by another process"));
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(json_object_array_length(elems), 1);	/* .2 was not due anymore */
	e = tu_find(elems, "198.51.100.1");
	assert_non_null(e);
	assert_string_equal(field_str(e, "comment"), C1);
	assert_int_equal(field_int(e, "timeout"), 600);	/* original timeout... */
	assert_true(field_int(e, "expires") <= 598);	/* ...and the time left */
	json_object_put(elems);
	assert_int_equal(tu_count("block4_net"), 1);
	assert_int_equal(tu_count("ratelimit6"), 1);

	/* deleting just the table, or a rule of it, works the same */
	assert_int_equal(tu_sh("nft delete table inet slaguard"), 0);
	assert_int_equal(tu_watch(nb, 2000), 1);
	assert_int_equal(tu_count("block4"), 1);
	assert_int_equal(tu_sh("nft flush chain inet slaguard prerouting"), 0);
	assert_int_equal(tu_watch(nb, 2000), 1);
	assert_int_equal(tu_sh("nft list chain inet slaguard prerouting | grep -q 'blocked source'"), 0);
	/* our own restore does not trigger another one */
	assert_int_equal(tu_watch(nb, 300), 0);

	/* an element deleted by hand is a manual revocation, not restored */
	assert_int_equal(tu_sh("nft delete element inet slaguard block4 '{ 198.51.100.1 }'"), 0);
	assert_int_equal(tu_watch(nb, 300), 0);
	assert_int_equal(nftb_active_count(nb), 2);
	assert_int_equal(tu_sh("nft delete table inet slaguard"), 0);
	assert_int_equal(tu_watch(nb, 2000), 1);
	assert_int_equal(tu_count("block4"), 0);
	assert_int_equal(tu_count("block4_net"), 1);
	nftb_close(nb);
}

/* A big batch pauses the watcher; a deletion meanwhile is still caught. */
static void test_watch_after_big_batch(void **state)
{
	struct nftb *nb = open_default();
	char addr[32];

	(void)state;
	assert_int_equal(nftb_batch_begin(nb), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "100.64.%d.%d", i / 250, i % 250 + 1);
		assert_int_equal(nftb_block(nb, addr, 600, C1), 0);
	}
	assert_int_equal(nftb_batch_commit(nb), 0);
	assert_int_equal(tu_watch(nb, 300), 0);
	assert_int_equal(tu_sh("nft flush ruleset"), 0);
	assert_int_equal(tu_watch(nb, 3000), 1);
	assert_int_equal(tu_count("block4"), 5000);
	nftb_close(nb);
}

/* The kernel expires elements by itself; the ledger follows. */
static void test_kernel_expiry(void **state)
{
	struct nftb *nb = open_default();

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 1, C1), 0);
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 1, C1), 0);
	assert_int_equal(tu_count("block4"), 1);
	nftb_close(nb);	/* even with no daemon at all */
	tu_sleep_ms(2500);
	assert_int_equal(tu_count("block4"), 0);
	assert_int_equal(tu_count("block4_net"), 0);
	nb = open_default();
	assert_int_equal(nftb_block(nb, "198.51.100.1", 1, C1), 0);
	tu_sleep_ms(2500);
	assert_int_equal(nftb_active_count(nb), 0);
	/* and the source can be blocked again right away */
	assert_int_equal(nftb_block(nb, "198.51.100.1", 60, C1), 0);
	assert_int_equal(tu_count("block4"), 1);
	nftb_close(nb);
}

/* Acting again on a source renews it: longer timeout, latest comment. */
static void test_renewal(void **state)
{
	struct nftb *nb = open_default();
	json_object *elems;

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 60, C1), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C2), 0);
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(json_object_array_length(elems), 1);
	assert_int_equal(field_int(tu_find(elems, "198.51.100.1"), "timeout"), 600);
	assert_string_equal(field_str(tu_find(elems, "198.51.100.1"), "comment"), C2);
	json_object_put(elems);
	/* a shorter one keeps the longer timeout */
	assert_int_equal(nftb_block(nb, "198.51.100.1", 30, C1), 0);
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(field_int(tu_find(elems, "198.51.100.1"), "timeout"), 600);
	assert_string_equal(field_str(tu_find(elems, "198.51.100.1"), "comment"), C1);
	json_object_put(elems);
	/* the same in one batch: one net change */
	assert_int_equal(nftb_batch_begin(nb), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.9", 60, C1), 0);
	assert_int_equal(nftb_unblock(nb, "198.51.100.9"), 0);
	assert_int_equal(nftb_block(nb, "198.51.100.9", 120, C2), 0);
	assert_int_equal(nftb_batch_commit(nb), 0);
	elems = tu_elems("slaguard", "block4");
	assert_int_equal(field_int(tu_find(elems, "198.51.100.9"), "timeout"), 120);
	json_object_put(elems);
	nftb_close(nb);
}

static void test_bad_requests(void **state)
{
	struct nftb *nb = open_default();
	char buf[NFTB_COMMENT_MAX];

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 60, "blocked because"), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 60, NULL), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.1", 0, C1), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.1", NFTB_TIMEOUT_MAX_S + 1, C1), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.300", 60, C1), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.0/33", 60, C1), -EINVAL);
	assert_int_equal(nftb_block(nb, "198.51.100.1-198.51.100.9", 60, C1), -EINVAL);
	assert_int_equal(nftb_unblock(nb, "198.51.100.1"), -ENOENT);
	assert_int_equal(nftb_comment(buf, sizeof(buf), "no-telnet", "A17"), 0);
	assert_string_equal(buf, C1);
	assert_int_equal(nftb_comment(buf, sizeof(buf), "no telnet", "A17"), -EINVAL);
	assert_true(nftb_comment_valid("slaguard rule=x alert=y slo=web-cpu"));
	assert_false(nftb_comment_valid("slaguard rule=x"));
	assert_int_equal(nftb_batch_commit(nb), -EINVAL);	/* none open */
	assert_int_equal(nftb_batch_begin(nb), 0);
	assert_int_equal(nftb_batch_begin(nb), -EBUSY);
	nftb_batch_abort(nb);
	assert_int_equal(tu_count("block4"), 0);
	nftb_close(nb);
}

/* The list API reads back what the kernel holds. */
static void test_list(void **state)
{
	struct nftb *nb = open_default();
	struct nftb_entry *v;
	size_t n;
	bool seen_single = false, seen_range = false;

	(void)state;
	assert_int_equal(nftb_block(nb, "198.51.100.1", 600, C1), 0);
	assert_int_equal(nftb_block(nb, "203.0.113.0/24", 300, C2), 0);
	assert_int_equal(nftb_inspect(nb, "2001:db8::3", 60, C2), 0);
	assert_int_equal(nftb_list(nb, &v, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_true(v[i].ours);
		if (!strcmp(v[i].addr, "198.51.100.1")) {
			seen_single = true;
			assert_int_equal(v[i].kind, NFTB_BLOCK);
			assert_string_equal(v[i].set, "block4");
			assert_int_equal(v[i].timeout_ms, 600000);
			assert_string_equal(v[i].comment, C1);
		}
		if (!strcmp(v[i].addr, "203.0.113.0/24")) {
			seen_range = true;
			assert_string_equal(v[i].set, "block4_net");
		}
	}
	assert_true(seen_single && seen_range);
	nftb_list_free(v);
	nftb_close(nb);
}

/*
 * Enforcement: from the peer namespace, a blocked source cannot connect,
 * and can again after unblock and after expiry.
 */
static void test_enforcement(void **state)
{
	struct nftb *nb;

	(void)state;
	if (!tu_have_peer())
		skip();
	nb = open_default();
	assert_true(tu_peer_connects("198.18.0.1"));
	assert_true(tu_peer_connects("fd00:5a::1"));

	assert_int_equal(nftb_block(nb, "198.18.0.2", 600, C1), 0);
	assert_false(tu_peer_connects("198.18.0.1"));
	assert_true(tu_peer_connects("fd00:5a::1"));	/* only that address */
	assert_int_equal(nftb_unblock(nb, "198.18.0.2"), 0);
	assert_true(tu_peer_connects("198.18.0.1"));

	/* a range covering the host itself is refused; one covering the peer works */
	assert_int_equal(nftb_block(nb, "fd00:5a::/64", 600, C1), -EPERM);
	assert_int_equal(nftb_block(nb, "fd00:5a::2/127", 600, C1), 0);
	assert_false(tu_peer_connects("fd00:5a::1"));
	assert_true(tu_peer_connects("198.18.0.1"));
	assert_int_equal(nftb_unblock(nb, "fd00:5a::2/127"), 0);
	assert_true(tu_peer_connects("fd00:5a::1"));

	assert_int_equal(nftb_block(nb, "198.18.0.2", 2, C1), 0);
	assert_false(tu_peer_connects("198.18.0.1"));
	tu_sleep_ms(2500);
	assert_true(tu_peer_connects("198.18.0.1"));	/* expired by the kernel */

	/* inspection without a queue fails open; rate-limiting lets a
	 * connection through */
	assert_int_equal(nftb_inspect(nb, "198.18.0.2", 60, C1), 0);
	assert_true(tu_peer_connects("198.18.0.1"));
	assert_int_equal(nftb_ratelimit(nb, "198.18.0.2", 60, C1), 0);
	assert_true(tu_peer_connects("198.18.0.1"));
	nftb_close(nb);
}

/* The TCP checksum over the IPv4 pseudo-header and the segment. */
static uint16_t tcp_csum(const uint8_t *src, const uint8_t *dst, const uint8_t *seg,
			 size_t len)
{
	uint32_t sum = 0;

	for (int i = 0; i < 4; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	sum += IPPROTO_TCP + (uint32_t)len;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(seg[i] << 8 | seg[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* N SYNs from the peer (198.18.0.2, distinct source ports) to 198.18.0.1:PORT. */
static void peer_syns(int n, uint16_t port)
{
	const char *peer = getenv("SLAGUARD_TEST_PEER_PID");
	char path[64];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", peer);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t src[4] = { 198, 18, 0, 2 }, dst[4] = { 198, 18, 0, 1 };
		struct sockaddr_in to = { .sin_family = AF_INET };
		int ns = open(path, O_RDONLY), fd;

		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0 ||
		    (fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP)) < 0)
			_exit(1);
		memcpy(&to.sin_addr, dst, 4);
		for (int i = 0; i < n; i++) {
			uint8_t seg[20] = { 0 };
			uint16_t sport = (uint16_t)(20000 + i), sum;

			seg[0] = (uint8_t)(sport >> 8);
			seg[1] = (uint8_t)sport;
			seg[2] = (uint8_t)(port >> 8);
			seg[3] = (uint8_t)port;
			seg[7] = 1;			/* sequence number */
			seg[12] = 5 << 4;		/* header length: 20 bytes */
			seg[13] = 0x02;			/* SYN */
			seg[14] = 0xff;			/* window */
			sum = tcp_csum(src, dst, seg, sizeof(seg));
			seg[16] = (uint8_t)(sum >> 8);
			seg[17] = (uint8_t)sum;
			if (sendto(fd, seg, sizeof(seg), 0, (struct sockaddr *)&to,
				   sizeof(to)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Packets the table's "limited destination" rule for IPv4 has dropped. */
static long limit_drops(void)
{
	char *out = tu_capture("nft list chain inet slaguard prerouting | "
			       "sed -n 's/.*@limitdst4 .*counter packets \\([0-9]*\\).*/\\1/p'");
	long n = out && *out ? strtol(out, NULL, 10) : -1;

	free(out);
	return n;
}

/*
 * Enforcement of a destination limit: a burst of 1000 SYNs to a limited
 * destination gets some dropped (200/s, burst 400); the same burst to an
 * unlimited one, none.
 */
static void test_limit_destination_enforced(void **state)
{
	struct nftb *nb;
	long drops;

	(void)state;
	if (!tu_have_peer())
		skip();
	nb = open_default();
	peer_syns(1000, 8081);
	assert_int_equal(limit_drops(), 0);
	assert_int_equal(nftb_apply(nb, NFTB_LIMIT_DST, "198.18.0.1 . 8081", 60, C1), 0);
	peer_syns(1000, 8082);				/* another port: not limited */
	assert_int_equal(limit_drops(), 0);
	peer_syns(1000, 8081);
	drops = limit_drops();
	print_message("limited destination: %ld of 1000 SYNs dropped\n", drops);
	assert_true(drops >= 400);
	nftb_close(nb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_table_loads, fresh),
		cmocka_unit_test_setup(test_block_single, fresh),
		cmocka_unit_test_setup(test_cidr_interval, fresh),
		cmocka_unit_test_setup(test_ratelimit_inspect, fresh),
		cmocka_unit_test_setup(test_limit_destination, fresh),
		cmocka_unit_test_setup(test_limit_destination_enforced, fresh),
		cmocka_unit_test_setup(test_batch_one_transaction, fresh),
		cmocka_unit_test_setup(test_batch_failure_applies_nothing, fresh),
		cmocka_unit_test_setup(test_allowlist_refused, fresh),
		cmocka_unit_test_setup(test_self_refused, fresh),
		cmocka_unit_test_setup(test_special_refused, fresh),
		cmocka_unit_test_setup(test_special_still_blockable, fresh),
		cmocka_unit_test_setup_teardown(test_gateways_every_table, extra_routes,
						drop_extra_routes),
		cmocka_unit_test_setup(test_resolvers_refused, fresh),
		cmocka_unit_test_setup_teardown(test_refresh_lifts, fresh, drop_extra_routes),
		cmocka_unit_test_setup(test_reconcile_lifts_protected, fresh),
		cmocka_unit_test_setup(test_cap, fresh),
		cmocka_unit_test_setup(test_dry_run, fresh),
		cmocka_unit_test_setup(test_reconcile, fresh),
		cmocka_unit_test_setup(test_reconcile_outdated_table, fresh),
		cmocka_unit_test_setup(test_other_table_untouched, fresh),
		cmocka_unit_test_setup(test_watch_restores_after_flush, fresh),
		cmocka_unit_test_setup(test_watch_after_big_batch, fresh),
		cmocka_unit_test_setup(test_kernel_expiry, fresh),
		cmocka_unit_test_setup(test_renewal, fresh),
		cmocka_unit_test_setup(test_bad_requests, fresh),
		cmocka_unit_test_setup(test_list, fresh),
		cmocka_unit_test_setup(test_enforcement, fresh),
	};

	tu_require_netns();
	return cmocka_run_group_tests_name("nft backend (host, netns)", tests, NULL, NULL);
}
