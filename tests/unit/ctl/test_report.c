// SPDX-License-Identifier: GPL-2.0
/* "report": the time an SLO spent in each state over a period. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "report.h"

#define C REPORT_COMPLIANT
#define V REPORT_VIOLATED
#define U REPORT_UNKNOWN

static void no_changes(void **state)
{
	uint64_t ms[REPORT_STATES];

	(void)state;
	report_time_in_states(C, NULL, 0, 1000, 5000, ms);
	assert_int_equal(ms[C], 4000);
	assert_int_equal(ms[V], 0);
	assert_int_equal(ms[U], 0);
	/* An empty or inverted period has no time at all. */
	report_time_in_states(C, NULL, 0, 5000, 5000, ms);
	assert_int_equal(ms[C] + ms[V] + ms[U], 0);
}

static void within(void **state)
{
	const struct report_change ch[] = {
		{ 2000, V }, { 2500, C }, { 4000, U },
	};
	uint64_t ms[REPORT_STATES];

	(void)state;
	report_time_in_states(U, ch, 3, 1000, 5000, ms);
	assert_int_equal(ms[U], 1000 + 1000);
	assert_int_equal(ms[V], 500);
	assert_int_equal(ms[C], 1500);
}

/* Changes before the period only set the state it starts in; after it, nothing. */
static void outside(void **state)
{
	const struct report_change ch[] = {
		{ 100, C }, { 500, V }, { 3000, C }, { 9000, U },
	};
	uint64_t ms[REPORT_STATES];

	(void)state;
	report_time_in_states(U, ch, 4, 1000, 5000, ms);
	assert_int_equal(ms[V], 2000);
	assert_int_equal(ms[C], 2000);
	assert_int_equal(ms[U], 0);
}

/* Two changes at one instant: the later one holds. */
static void same_instant(void **state)
{
	const struct report_change ch[] = { { 2000, V }, { 2000, C } };
	uint64_t ms[REPORT_STATES];

	(void)state;
	report_time_in_states(U, ch, 2, 1000, 3000, ms);
	assert_int_equal(ms[U], 1000);
	assert_int_equal(ms[V], 0);
	assert_int_equal(ms[C], 1000);
}

static void names(void **state)
{
	(void)state;
	assert_int_equal(report_state_of("compliant"), C);
	assert_int_equal(report_state_of("violated"), V);
	assert_int_equal(report_state_of("unknown"), U);
	assert_int_equal(report_state_of("garbage"), U);
	assert_int_equal(report_state_of(NULL), U);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_changes),
		cmocka_unit_test(within),
		cmocka_unit_test(outside),
		cmocka_unit_test(same_instant),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
