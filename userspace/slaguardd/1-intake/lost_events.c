// SPDX-License-Identifier: GPL-2.0-or-later
#include "lost_events.h"

static uint64_t newly_lost(struct lost_events *l)
{
	uint64_t total = l->gaps > l->module ? l->gaps : l->module;
	uint64_t n = total - l->reported;

	l->reported = total;
	return n;
}

uint64_t lost_by_gap(struct lost_events *l, uint64_t n)
{
	l->gaps += n;
	return newly_lost(l);
}

uint64_t lost_by_module(struct lost_events *l, uint64_t n)
{
	l->module += n;
	return newly_lost(l);
}
