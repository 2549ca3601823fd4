/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the slaguardctl unit tests; independent of the code under test. */
#ifndef CTL_TEST_HELPERS_H
#define CTL_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#define MAXARGS	32

struct args {
	int argc;
	char *argv[MAXARGS + 1];
	char buf[512];
};

/* Split S at spaces into a->argv. */
void args_split(struct args *a, const char *s);

/*
 * Find top-level nest NEST_TYPE in a genetlink message (asserting it is
 * there and flagged NLA_F_NESTED) and fill tb[0..n-1] with its attributes.
 */
void nest_attrs(const struct nlmsghdr *nlh, uint16_t nest_type,
		const struct nlattr **tb, size_t n);

/* Number of attributes directly inside nest NEST_TYPE. */
int nest_count(const struct nlmsghdr *nlh, uint16_t nest_type);

#endif /* CTL_TEST_HELPERS_H */
