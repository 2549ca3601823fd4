// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

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

void ns_seqs_init(struct ns_seqs *t, uint32_t pinned)
{
	memset(t, 0, sizeof(*t));
	t->pinned = pinned;
}

struct sg_seq *ns_seqs_find(struct ns_seqs *t, uint32_t netns)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->e[i].netns == netns) {
			t->e[i].used = ++t->clock;
			return &t->e[i].seq;
		}
	}
	return NULL;
}

struct sg_seq *ns_seqs_get(struct ns_seqs *t, uint32_t netns)
{
	struct sg_seq *s = ns_seqs_find(t, netns);
	size_t slot = t->n;

	if (s)
		return s;
	if (t->n == NS_SEQS_MAX) {
		slot = NS_SEQS_MAX;
		for (size_t i = 0; i < t->n; i++)
			if (t->e[i].netns != t->pinned &&
			    (slot == NS_SEQS_MAX || t->e[i].used < t->e[slot].used))
				slot = i;
		if (slot == NS_SEQS_MAX)
			return NULL;
		t->evicted++;
	} else {
		t->n++;
	}
	memset(&t->e[slot], 0, sizeof(t->e[slot]));
	t->e[slot].netns = netns;
	t->e[slot].used = ++t->clock;
	return &t->e[slot].seq;
}

size_t ns_seqs_count(const struct ns_seqs *t)
{
	return t->n;
}
