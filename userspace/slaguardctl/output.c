// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define MAXCOLS 16

struct sg_table {
	const struct sg_column *cols;
	size_t ncols;
	size_t nrows;
	size_t cap;
	char **cells;		/* nrows * ncols strings */
};

struct sg_table *sg_table_new(const struct sg_column *cols, size_t ncols)
{
	struct sg_table *t;

	if (ncols == 0 || ncols > MAXCOLS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

int sg_table_add(struct sg_table *t, const char *const *cells)
{
	char **row;
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * t->ncols * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cells = n;
		t->cap = cap;
	}
	row = &t->cells[t->nrows * t->ncols];
	for (i = 0; i < t->ncols; i++) {
		row[i] = strdup(cells[i] ? cells[i] : "");
		if (!row[i]) {
			while (i--)
				free(row[i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

static void print_row(const struct sg_table *t, const size_t *width,
		      const char *const *row, FILE *f)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		bool last = i + 1 == t->ncols;
		int w = (int)width[i];

		if (t->cols[i].right)
			fprintf(f, "%*s", w, row[i]);
		else if (last)
			fputs(row[i], f);
		else
			fprintf(f, "%-*s", w, row[i]);
		fputs(last ? "\n" : "  ", f);
	}
}

void sg_table_print(const struct sg_table *t, FILE *f)
{
	const char *header[MAXCOLS];
	size_t width[MAXCOLS] = { 0 };
	size_t r, i;

	for (i = 0; i < t->ncols; i++) {
		header[i] = t->cols[i].name;
		width[i] = strlen(header[i]);
	}
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			size_t len = strlen(t->cells[r * t->ncols + i]);

			if (len > width[i])
				width[i] = len;
		}
	}
	print_row(t, width, header, f);
	for (r = 0; r < t->nrows; r++)
		print_row(t, width, (const char *const *)&t->cells[r * t->ncols],
			  f);
}

void sg_table_free(struct sg_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int sg_json_print(struct json_object *obj, FILE *f)
{
	const char *s = json_object_to_json_string_ext(obj,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s || fprintf(f, "%s\n", s) < 0)
		return -EIO;
	return 0;
}

void sg_json_add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

void sg_json_add_str(struct json_object *obj, const char *key, const char *s)
{
	json_object_object_add(obj, key, json_object_new_string(s));
}

void sg_json_add_null(struct json_object *obj, const char *key)
{
	json_object_object_add(obj, key, NULL);
}

void sg_json_add_hundredths(struct json_object *obj, const char *key,
			    uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_double((double)v / 100.0));
}

void sg_json_add_name(struct json_object *obj, const char *key,
		      const char *name, uint64_t v)
{
	if (name)
		sg_json_add_str(obj, key, name);
	else
		sg_json_add_u64(obj, key, v);
}

void sg_append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}
