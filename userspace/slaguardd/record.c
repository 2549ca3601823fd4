// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "record.h"

/* Names as in the event JSON of slaguardctl and in data/attack-shapes.json. */
static const char *const feature_names[REC_F_COUNT] = {
	[REC_F_PKT_RATE] = "pkt_rate",
	[REC_F_BYTE_RATE] = "byte_rate",
	[REC_F_CONN_RATE] = "conn_rate",
	[REC_F_HALF_OPEN] = "half_open",
	[REC_F_PORTS] = "ports",
	[REC_F_ICMP_RATE] = "icmp_rate",
};

const char *rec_feature_name(enum rec_feature f)
{
	return (unsigned int)f < REC_F_COUNT ? feature_names[f] : "?";
}

int rec_feature_from_name(const char *name)
{
	for (int i = 0; i < REC_F_COUNT; i++)
		if (!strcmp(name, feature_names[i]))
			return i;
	return -1;
}
