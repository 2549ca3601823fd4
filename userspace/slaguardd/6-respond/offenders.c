// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "offenders.h"

#define NONE UINT32_MAX

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h ^ (h >> 15);
}

void offenders_free(struct offenders *o)
{
	free(o->v);
	free(o->buckets);
	memset(o, 0, sizeof(*o));
}

struct offender *offenders_find(const struct offenders *o, const char *target)
{
	uint32_t i;

	if (!o->nbuckets)
		return NULL;
	for (i = o->buckets[hash(target) & (o->nbuckets - 1)]; i != NONE; i = o->v[i].hnext)
		if (!strcmp(o->v[i].target, target))
			return &o->v[i];
	return NULL;
}

static void list_unlink(struct offenders *o, uint32_t i)
{
	struct offender *e = &o->v[i];

	if (e->prev != NONE)
		o->v[e->prev].next = e->next;
	else
		o->head = e->next;
	if (e->next != NONE)
		o->v[e->next].prev = e->prev;
	else
		o->tail = e->prev;
}

static void list_push(struct offenders *o, uint32_t i)
{
	struct offender *e = &o->v[i];

	e->prev = NONE;
	e->next = o->head;
	if (o->head != NONE)
		o->v[o->head].prev = i;
	o->head = i;
	if (o->tail == NONE)
		o->tail = i;
}

/* The link that points at I in its hash chain. */
static uint32_t *chain_link(struct offenders *o, uint32_t i)
{
	uint32_t *p = &o->buckets[hash(o->v[i].target) & (o->nbuckets - 1)];

	while (*p != i)
		p = &o->v[*p].hnext;
	return p;
}

static void rehash(struct offenders *o)
{
	for (uint32_t b = 0; b < o->nbuckets; b++)
		o->buckets[b] = NONE;
	for (uint32_t i = 0; i < o->n; i++) {
		uint32_t *b = &o->buckets[hash(o->v[i].target) & (o->nbuckets - 1)];

		o->v[i].hnext = *b;
		*b = i;
	}
}

/* Forget the least recently blocked; the last slot moves into its place. */
static void evict(struct offenders *o)
{
	uint32_t i = o->tail, last = o->n - 1;

	*chain_link(o, i) = o->v[i].hnext;
	list_unlink(o, i);
	if (i != last) {
		*chain_link(o, last) = i;
		o->v[i] = o->v[last];
		if (o->v[i].prev != NONE)
			o->v[o->v[i].prev].next = i;
		else
			o->head = i;
		if (o->v[i].next != NONE)
			o->v[o->v[i].next].prev = i;
		else
			o->tail = i;
	}
	o->n--;
	o->evicted++;
}

static int grow(struct offenders *o, uint32_t limit)
{
	uint32_t alloc = o->alloc ? o->alloc * 2 : 64, nb;
	struct offender *v;

	if (alloc > limit)
		alloc = limit;
	v = realloc(o->v, alloc * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->v = v;
	o->alloc = alloc;
	for (nb = 64; nb < alloc; nb *= 2)
		;
	if (nb != o->nbuckets) {
		uint32_t *b = realloc(o->buckets, nb * sizeof(*b));

		if (!b)
			return -ENOMEM;
		o->buckets = b;
		o->nbuckets = nb;
		rehash(o);
	}
	return 0;
}

/* A new entry for TARGET, most recent; NULL when out of memory. */
static struct offender *insert(struct offenders *o, const char *target,
			       uint32_t limit)
{
	uint32_t i, *b;

	if (!o->alloc) {
		o->head = o->tail = NONE;
	}
	while (o->n && o->n >= limit)
		evict(o);
	if (o->n == o->alloc && grow(o, limit) < 0)
		return NULL;
	i = o->n++;
	memset(&o->v[i], 0, sizeof(o->v[i]));
	snprintf(o->v[i].target, sizeof(o->v[i].target), "%s", target);
	b = &o->buckets[hash(target) & (o->nbuckets - 1)];
	o->v[i].hnext = *b;
	*b = i;
	list_push(o, i);
	return &o->v[i];
}

static uint32_t counted(const struct offender *e, int64_t now, uint64_t window_ms)
{
	return e && now - e->last <= (int64_t)window_ms ? e->count : 0;
}

uint32_t offenders_peek(const struct offenders *o, const char *target,
			int64_t now, uint64_t window_ms)
{
	return counted(offenders_find(o, target), now, window_ms) + 1;
}

uint32_t offenders_hit(struct offenders *o, const char *target, int64_t now,
		       uint64_t window_ms, uint32_t limit)
{
	struct offender *e = offenders_find(o, target);
	uint32_t n = counted(e, now, window_ms) + 1;

	if (e) {
		list_unlink(o, (uint32_t)(e - o->v));
		list_push(o, (uint32_t)(e - o->v));
	} else if (!(e = insert(o, target, limit))) {
		return 0;
	}
	e->count = n;
	e->last = now;
	return n;
}

int offenders_put(struct offenders *o, const char *target, uint32_t count,
		  int64_t last, uint32_t limit)
{
	struct offender *e = offenders_find(o, target);

	if (!e && !(e = insert(o, target, limit)))
		return -ENOMEM;
	if (e->count && e->last > last)
		return 0;
	list_unlink(o, (uint32_t)(e - o->v));
	list_push(o, (uint32_t)(e - o->v));
	e->count = count;
	e->last = last;
	return 0;
}

void offenders_write(const struct offenders *o, FILE *f, int64_t now,
		     uint64_t real_now)
{
	for (uint32_t i = o->n ? o->tail : NONE; i != NONE; i = o->v[i].prev)
		fprintf(f, "%s\t%u\t%lld\n", o->v[i].target, o->v[i].count,
			(long long)((int64_t)real_now - (now - o->v[i].last)));
}
