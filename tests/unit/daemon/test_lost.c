// SPDX-License-Identifier: GPL-2.0-or-later
/* Lost module events are reported once, whichever witness saw them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "genl_event.h"
#include "lost_events.h"

/* The same 5 losses seen as a gap, then by the module: reported once. */
static void gap_then_module(void **state)
{
	struct lost_events l = { 0 };

	(void)state;
	assert_int_equal(lost_by_gap(&l, 5), 5);
	assert_int_equal(lost_by_module(&l, 5), 0);
	/* the module saw 3 more that never showed as a gap (after the last) */
	assert_int_equal(lost_by_module(&l, 3), 3);
	assert_int_equal(l.reported, 8);
}

static void module_then_gap(void **state)
{
	struct lost_events l = { 0 };

	(void)state;
	assert_int_equal(lost_by_module(&l, 7), 7);
	assert_int_equal(lost_by_gap(&l, 4), 0);
	assert_int_equal(lost_by_gap(&l, 3), 0);
	/* the gaps now exceed what the module counted: only the excess */
	assert_int_equal(lost_by_gap(&l, 2), 2);
	assert_int_equal(l.reported, 9);
}

/* A listener without NETLINK_BROADCAST_ERROR: the module never counts. */
static void gaps_only(void **state)
{
	struct lost_events l = { 0 };

	(void)state;
	assert_int_equal(lost_by_gap(&l, 1), 1);
	assert_int_equal(lost_by_gap(&l, 1000), 1000);
	assert_int_equal(lost_by_module(&l, 0), 0);
	assert_int_equal(l.reported, 1001);
}

/*
 * Sequence tracking covers every namespace that sends events: with more
 * namespaces than places, the least recently heard one is forgotten - never
 * the daemon's own - so 300 busy namespaces of one user cannot stop gaps in
 * the host's sequence from being seen.
 */
static void netns_table_is_lru_and_keeps_its_own(void **state)
{
	struct ns_seqs t;
	struct sg_seq *own, *s;

	(void)state;
	ns_seqs_init(&t, 4026531840U);
	own = ns_seqs_get(&t, 4026531840U);
	assert_non_null(own);
	own->started = true;
	own->last = 41;
	for (uint32_t ns = 1; ns <= 300; ns++)
		assert_non_null(ns_seqs_get(&t, 3000000000U - ns));
	assert_true(t.evicted > 0);
	s = ns_seqs_get(&t, 4026531840U);
	assert_ptr_equal(s, own);
	assert_true(s->started);
	assert_int_equal(s->last, 41);
	/* The most recent stay; the oldest went. */
	assert_non_null(ns_seqs_find(&t, 3000000000U - 300));
	assert_null(ns_seqs_find(&t, 3000000000U - 1));
	assert_int_equal(ns_seqs_count(&t), NS_SEQS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gap_then_module),
		cmocka_unit_test(module_then_gap),
		cmocka_unit_test(gaps_only),
		cmocka_unit_test(netns_table_is_lru_and_keeps_its_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
