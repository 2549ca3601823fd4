/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - logging and clocks shared by every stage. Stages never print
 * themselves: they call sgd_log(), which main() points at stderr and/or
 * syslog, so unit tests stay quiet and the daemon has one log format.
 */
#ifndef SLAGUARDD_UTIL_H
#define SLAGUARDD_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h>

#include "text.h"
#include "timefmt.h"

/* Longest address text: an IPv6 address (INET6_ADDRSTRLEN). */
#define SGD_ADDR_MAX	46

/* Where sgd_log() writes; LOG_* levels as in syslog(3). */
void sgd_log_setup(bool to_stderr, bool to_syslog, int max_level);
void sgd_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Unsafe text (text.h): replaced by '?' where it is shown. */
/* Replace every unsafe character of S by '?', in place. */
void sgd_printable(char *s);

/* Windows and expiries use CLOCK_MONOTONIC; evidence shows wall time. */
uint64_t sgd_mono_ms(void);
uint64_t sgd_real_ms(void);
/* Wall time of MONO (a CLOCK_MONOTONIC ms value), for expiries shown. */
uint64_t sgd_mono_to_real(uint64_t mono);

/* "10.0.0.1" / "2001:db8::1" from 4 or 16 bytes; "" for other lengths. */
void sgd_format_addr(int family, const void *addr, char *buf, size_t size);
/* Parse an address without prefix; returns the family or 0. */
int sgd_parse_addr(const char *text, uint8_t addr[16]);
/*
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes its IPv4 address,
 * in the first 4 bytes; true if it was one. The intake applies it once, so
 * every stage sees one spelling of a source (sgd_parse_addr() does too).
 */
bool sgd_unmap_v4(uint8_t addr[16]);

/*
 * A state file is rewritten whole: into PATH.tmp (mode 0600), flushed and
 * synced, then renamed over PATH, so a crash leaves the old or the new one.
 */
struct sgd_rewrite {
	FILE *f;
	const char *path;
	char tmp[PATH_MAX + 8];
};
/* 0 and R->f to write to, or -errno (nothing open). */
int sgd_rewrite_open(struct sgd_rewrite *r, const char *path);
/* 0 once PATH holds what was written, or -errno (PATH as it was). */
int sgd_rewrite_commit(struct sgd_rewrite *r);

#endif /* SLAGUARDD_UTIL_H */
