/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef SLAGUARD_TIMEFMT_H
#define SLAGUARD_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-23T11:02:03.412Z" and room to spare */
#define SG_TIME_MAX	32

/* REAL_MS (ms since the epoch) as RFC 3339 UTC with milliseconds. */
void sg_format_time(uint64_t real_ms, char *buf, size_t size);

#endif
