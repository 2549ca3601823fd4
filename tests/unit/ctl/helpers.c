// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "helpers.h"

void args_split(struct args *a, const char *s)
{
	char *p, *save = NULL;

	memset(a, 0, sizeof(*a));
	assert_true(strlen(s) < sizeof(a->buf));
	strcpy(a->buf, s);
	for (p = strtok_r(a->buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		assert_true(a->argc < MAXARGS);
		a->argv[a->argc++] = p;
	}
}

static const struct nlattr *find_nest(const struct nlmsghdr *nlh,
				      uint16_t nest_type)
{
	const struct nlattr *attr, *found = NULL;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == nest_type)
			found = attr;
	}
	assert_non_null(found);
	assert_true(found->nla_type & NLA_F_NESTED);
	return found;
}

void nest_attrs(const struct nlmsghdr *nlh, uint16_t nest_type,
		const struct nlattr **tb, size_t n)
{
	const struct nlattr *nest = find_nest(nlh, nest_type), *attr;

	memset(tb, 0, n * sizeof(*tb));
	mnl_attr_for_each_nested(attr, nest) {
		uint16_t type = mnl_attr_get_type(attr);

		assert_true(type < n);
		assert_null(tb[type]);	/* each at most once */
		tb[type] = attr;
	}
}

int nest_count(const struct nlmsghdr *nlh, uint16_t nest_type)
{
	const struct nlattr *nest = find_nest(nlh, nest_type), *attr;
	int count = 0;

	mnl_attr_for_each_nested(attr, nest)
		count++;
	return count;
}
