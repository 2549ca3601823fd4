/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output for people (aligned tables, "key: value" lines) and for programs
 * (JSON through json-c, one document per line).
 */
#ifndef SLAGUARDCTL_OUTPUT_H
#define SLAGUARDCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

struct sg_column {
	const char *name;
	bool right;		/* right-align, for numbers */
};

struct sg_table;

struct sg_table *sg_table_new(const struct sg_column *cols, size_t ncols);
/* Copies NCOLS cells; returns 0 or -ENOMEM. */
int sg_table_add(struct sg_table *t, const char *const *cells);
void sg_table_print(const struct sg_table *t, FILE *f);
void sg_table_free(struct sg_table *t);

/* Compact one-line JSON followed by a newline; returns 0 or -EIO. */
int sg_json_print(struct json_object *obj, FILE *f);

void sg_json_add_u64(struct json_object *obj, const char *key, uint64_t v);
void sg_json_add_str(struct json_object *obj, const char *key, const char *s);
void sg_json_add_null(struct json_object *obj, const char *key);
/* V hundredths (the module's percentages, load x 100) as a number: V / 100. */
void sg_json_add_hundredths(struct json_object *obj, const char *key,
			    uint64_t v);
/* NAME as a string, or V when there is no name (NULL). */
void sg_json_add_name(struct json_object *obj, const char *key,
		      const char *name, uint64_t v);

/* printf to BUF at *POS, never past SIZE; *POS moves on. */
void sg_append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* SLAGUARDCTL_OUTPUT_H */
