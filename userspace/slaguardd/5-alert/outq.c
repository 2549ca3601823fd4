// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>

#include "outq.h"

int outq_init(struct outq *q, size_t cap)
{
	*q = (struct outq){ 0 };
	if (!cap)
		return -EINVAL;
	q->items = calloc(cap, sizeof(*q->items));
	if (!q->items)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void outq_fini(struct outq *q)
{
	while (q->len)
		outq_pop(q);
	free(q->items);
	q->items = NULL;
}

int outq_push(struct outq *q, char *body, uint64_t now)
{
	if (!q->items) {
		free(body);
		return -EINVAL;
	}
	if (q->len == q->cap) {
		outq_pop(q);
		q->dropped++;
	}
	q->items[(q->head + q->len++) % q->cap] =
		(struct outq_item){ .body = body, .not_before = now };
	return 0;
}

struct outq_item *outq_peek(struct outq *q)
{
	return q->len ? &q->items[q->head] : NULL;
}

void outq_pop(struct outq *q)
{
	if (!q->len)
		return;
	free(q->items[q->head].body);
	q->items[q->head] = (struct outq_item){ 0 };
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

uint64_t outq_backoff(unsigned int attempts, uint64_t base, uint64_t max)
{
	uint64_t d = base;

	for (unsigned int i = 1; i < attempts && d && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}
