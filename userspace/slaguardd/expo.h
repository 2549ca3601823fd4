/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - a writer of the Prometheus text exposition format (0.0.4):
 * "# HELP" and "# TYPE" lines per family, then samples with escaped label
 * values. Output grows up to a bound; past it, or out of memory, the
 * writer fails once and writes nothing more, so a scrape gets an error
 * rather than a truncated page that looks complete.
 */
#ifndef SLAGUARDD_EXPO_H
#define SLAGUARDD_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct expo {
	char *buf;
	size_t len, cap, max;
	bool failed;
};

void expo_init(struct expo *x, size_t max);
void expo_free(struct expo *x);
/* The text written so far (NUL-terminated), handed to the caller; NULL if failed. */
char *expo_take(struct expo *x, size_t *len);

/* TYPE is "gauge" or "counter" (a counter's NAME ends in _total). */
void expo_family(struct expo *x, const char *name, const char *type,
		 const char *help);
/*
 * One sample line. LABELS: name, value, name, value, ..., NULL (or NULL
 * for none); values are escaped (\\, \", \n).
 */
void expo_sample(struct expo *x, const char *name, const char *const *labels,
		 double value);
void expo_sample_u64(struct expo *x, const char *name,
		     const char *const *labels, uint64_t value);

/* A valid metric (or, LABEL: label) name: [a-zA-Z_:][a-zA-Z0-9_:]*, no ':' in labels. */
bool expo_valid_name(const char *name, bool label);
/* VALUE as the format writes it: shortest exact decimal, NaN, +Inf, -Inf. */
void expo_format_double(double value, char *buf, size_t len);

#endif /* SLAGUARDD_EXPO_H */
