// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expo.h"

void expo_init(struct expo *x, size_t max)
{
	*x = (struct expo){ .max = max };
}

void expo_free(struct expo *x)
{
	free(x->buf);
	x->buf = NULL;
	x->len = x->cap = 0;
}

char *expo_take(struct expo *x, size_t *len)
{
	char *buf;

	if (x->failed || (!x->buf && !(x->buf = calloc(1, 1)))) {
		expo_free(x);
		return NULL;
	}
	buf = x->buf;
	*len = x->len;
	x->buf = NULL;
	x->len = x->cap = 0;
	return buf;
}

static bool reserve(struct expo *x, size_t more)
{
	size_t cap;
	char *b;

	if (x->failed)
		return false;
	if (x->len + more + 1 <= x->cap)
		return true;
	if (x->len + more + 1 > x->max) {
		x->failed = true;
		return false;
	}
	cap = x->cap ? x->cap : 4096;
	while (cap < x->len + more + 1)
		cap *= 2;
	if (cap > x->max)
		cap = x->max;
	b = realloc(x->buf, cap);
	if (!b) {
		x->failed = true;
		return false;
	}
	x->buf = b;
	x->cap = cap;
	return true;
}

static void put(struct expo *x, const char *s, size_t n)
{
	if (!reserve(x, n))
		return;
	memcpy(x->buf + x->len, s, n);
	x->len += n;
	x->buf[x->len] = '\0';
}

static void puts_(struct expo *x, const char *s)
{
	put(x, s, strlen(s));
}

/* LABEL: label values escape '"' too; HELP text escapes \\ and \n only. */
static void put_escaped(struct expo *x, const char *s, bool label)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(x, "\\\\");
		else if (*s == '\n')
			puts_(x, "\\n");
		else if (*s == '"' && label)
			puts_(x, "\\\"");
		else
			put(x, s, 1);
	}
}

bool expo_valid_name(const char *name, bool label)
{
	if (!name || !*name || (*name >= '0' && *name <= '9'))
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || (c == ':' && !label)))
			return false;
	}
	return true;
}

void expo_format_double(double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* %.15g reads better; %.17g when it would not read back exactly. */
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

/* A bad name is the program's mistake: the whole page fails, visibly. */
static bool check_name(struct expo *x, const char *name, bool label)
{
	if (!expo_valid_name(name, label))
		x->failed = true;
	return !x->failed;
}

void expo_family(struct expo *x, const char *name, const char *type,
		 const char *help)
{
	if (!check_name(x, name, false))
		return;
	puts_(x, "# HELP ");
	puts_(x, name);
	puts_(x, " ");
	put_escaped(x, help, false);
	puts_(x, "\n# TYPE ");
	puts_(x, name);
	puts_(x, " ");
	puts_(x, type);
	puts_(x, "\n");
}

static void sample(struct expo *x, const char *name, const char *const *labels,
		   const char *value)
{
	if (!check_name(x, name, false))
		return;
	puts_(x, name);
	if (labels && labels[0]) {
		puts_(x, "{");
		for (size_t i = 0; labels[i]; i += 2) {
			if (!check_name(x, labels[i], true))
				return;
			if (i)
				puts_(x, ",");
			puts_(x, labels[i]);
			puts_(x, "=\"");
			put_escaped(x, labels[i + 1] ? labels[i + 1] : "", true);
			puts_(x, "\"");
		}
		puts_(x, "}");
	}
	puts_(x, " ");
	puts_(x, value);
	puts_(x, "\n");
}

void expo_sample(struct expo *x, const char *name, const char *const *labels,
		 double value)
{
	char v[40];

	expo_format_double(value, v, sizeof(v));
	sample(x, name, labels, v);
}

void expo_sample_u64(struct expo *x, const char *name,
		     const char *const *labels, uint64_t value)
{
	char v[24];

	snprintf(v, sizeof(v), "%" PRIu64, value);
	sample(x, name, labels, v);
}
