// SPDX-License-Identifier: GPL-2.0-or-later
/* Lost module events are reported once, whichever witness saw them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gap_then_module),
		cmocka_unit_test(module_then_gap),
		cmocka_unit_test(gaps_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
