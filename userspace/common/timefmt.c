// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <time.h>

#include "timefmt.h"

void sg_format_time(uint64_t real_ms, char *buf, size_t size)
{
	time_t secs = (time_t)(real_ms / 1000);
	struct tm tm;
	char base[24];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", base, (unsigned int)(real_ms % 1000));
}
