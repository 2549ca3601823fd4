/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the SLA unit tests: load a YAML string and insist it
 * loads, or insist it fails with a message naming the exact line and field.
 */
#ifndef SLA_TEST_H
#define SLA_TEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sla.h"

/* Three components most cases refer to; sections start on line 6. */
#define SLA_BASE \
	"sla: t\n" \
	"components:\n" \
	"  web: { addresses: [10.0.0.1, 2001:db8::1], ports: [80, 443] }\n" \
	"  db: { addresses: [10.0.1.1], processes: [postgres] }\n" \
	"  app: { processes: [java] }\n"

static inline struct sla *load_ok(const char *yaml)
{
	char err[512] = "";
	struct sla *sla = NULL;
	int ret = sla_load_string(yaml, strlen(yaml), NULL, &sla, err,
				  sizeof(err));

	if (ret)
		print_error("unexpected load error %d: %s\n", ret, err);
	assert_int_equal(ret, 0);
	assert_non_null(sla);
	assert_string_equal(err, "");
	return sla;
}

/* Loads YAML expecting -EINVAL; returns the message for further checks. */
static inline void load_bad(const char *yaml, char *err, size_t errlen)
{
	struct sla *sla = (struct sla *)1;
	int ret = sla_load_string(yaml, strlen(yaml), NULL, &sla, err, errlen);

	if (ret != -EINVAL)
		print_error("expected -EINVAL, got %d (%s)\n", ret, err);
	assert_int_equal(ret, -EINVAL);
	assert_null(sla);	/* rejected whole: nothing handed out */
}

/*
 * The message must start "<string>:LINE:", name field PATH (NULL: a YAML
 * syntax error, which names no field) and contain FRAGMENT.
 */
static inline void expect_error(const char *yaml, unsigned int line,
				const char *path, const char *fragment)
{
	char err[512], prefix[64], field[160];

	load_bad(yaml, err, sizeof(err));
	snprintf(prefix, sizeof(prefix), "<string>:%u:", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		print_error("want line %u, message: %s\n", line, err);
	assert_memory_equal(err, prefix, strlen(prefix));
	if (path) {
		snprintf(field, sizeof(field), ": field '%s': expected ", path);
		if (!strstr(err, field))
			print_error("want %s, message: %s\n", field, err);
		assert_non_null(strstr(err, field));
	}
	if (!strstr(err, fragment))
		print_error("want \"%s\", message: %s\n", fragment, err);
	assert_non_null(strstr(err, fragment));
}

#endif /* SLA_TEST_H */
