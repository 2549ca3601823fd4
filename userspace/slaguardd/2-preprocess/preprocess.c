// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "preprocess.h"
#include "siphash.h"
#include "tasks.h"

/* Points kept per key: events come at most once per hold-off per source
 * and kind, so a few dozen cover any window the module can report on. */
#define WINDOW_POINTS	32
/* Twice the windows the quotas allow: chains stay about one long. */
#define NBUCKETS	(1u << 17)
/*
 * Keys (metric x component x source) kept at most, per producer: a spoofed
 * flood from many sources must not grow the daemon without bound, and one
 * producer's flood (applications naming 65,536 sources) must not push out
 * another's windows. At its quota a producer's least recently updated
 * window makes room. The quotas add up to 65,536 windows (about 53 MiB).
 */
enum producer { PRODUCER_MODULE, PRODUCER_APP, PRODUCER_SCHED, PRODUCER_COUNT };
static const size_t producer_quota[PRODUCER_COUNT] = { 40960, 16384, 8192 };
#define MAX_GAPS	256
/*
 * Recently seen events and app records, to drop duplicates: a direct-mapped
 * table of content hashes (a power of two), so a lookup is one slot.
 */
#define SEEN_SLOTS	4096
#define APP_DEDUP_MS	1000

struct point {
	uint64_t mono_ms, real_ms;
	double value;
};

struct pp_window {
	struct pp_window *next;			/* hash chain */
	struct pp_window *newer, *older;	/* the producer's LRU list */
	struct pp_window *mnext, *mprev;	/* the metric's, newest first */
	uint32_t bucket;
	uint64_t updated;			/* CLOCK_MONOTONIC ms */
	int metric;
	const struct sla_component *component;
	char source[SGD_ADDR_MAX];
	struct point p[WINDOW_POINTS];
	unsigned int head, len;	/* ring: oldest at head */
};

struct gap {
	uint64_t mono_ms;
	uint64_t count;
	bool known;
};

struct seen {
	uint64_t hash;
	uint64_t mono_ms;
};

struct preprocess {
	const struct sla *sla;
	uint64_t keep_ms;
	/* sources are chosen by whoever sends them: a secret hash key */
	struct sg_siphash_key key;
	struct pp_window *buckets[NBUCKETS];
	struct pp_window *by_metric[SAMPLE_METRIC_COUNT];
	/* Per producer: windows newest first, and how many. */
	struct pp_window *newest[PRODUCER_COUNT], *oldest[PRODUCER_COUNT];
	size_t nwindows[PRODUCER_COUNT];
	uint64_t evicted, refused;
	struct gap gaps[MAX_GAPS];
	unsigned int gap_head, gap_len;
	struct seen seen[SEEN_SLOTS];
	uint64_t last_app_ms;
	struct pp_sched *sched;
};

const char *sample_metric_name(int metric)
{
	if (metric >= 0 && metric < SLA_METRIC_COUNT)
		return sla_metric_name((enum sla_metric)metric);
	if (metric == SAMPLE_HOST_PKT_RATE)
		return "host.pkt_rate";
	if (metric == SAMPLE_HOST_BYTE_RATE)
		return "host.byte_rate";
	return "?";
}

int pp_new(struct preprocess **out, const struct sla *sla, uint64_t keep_ms)
{
	struct preprocess *pp = calloc(1, sizeof(*pp));

	*out = pp;
	if (!pp)
		return -ENOMEM;
	pp->sla = sla;
	pp->keep_ms = keep_ms;
	sg_siphash_key_random(&pp->key);
	if (pp_sched_new(&pp->sched, sla) < 0) {
		free(pp);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

void pp_set_module_config(struct preprocess *pp,
			  const struct sla_module_config *cfg)
{
	pp_sched_set_config(pp->sched, cfg);
}

void pp_free(struct preprocess *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct pp_window *w = pp->buckets[i], *next;

		for (; w; w = next) {
			next = w->next;
			free(w);
		}
	}
	pp_sched_free(pp->sched);
	free(pp);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

#define FNV_BASIS 14695981039346656037ULL

/* True if the same content came within WITHIN ms; remembers it if not. */
static bool seen_before(struct preprocess *pp, uint64_t hash, uint64_t now,
			uint64_t within)
{
	struct seen *e = &pp->seen[hash & (SEEN_SLOTS - 1)];

	if (e->hash == hash && e->mono_ms && now - e->mono_ms <= within)
		return true;
	*e = (struct seen){ hash, now ? now : 1 };
	return false;
}

/* What identifies a window, hashed up to the end of the source. */
struct window_key {
	int metric;
	const struct sla_component *c;
	char source[SGD_ADDR_MAX];
};

static uint32_t bucket(const struct preprocess *pp, int metric,
		       const struct sla_component *c, const char *source)
{
	struct window_key k;
	size_t n = strnlen(source, sizeof(k.source));

	memset(&k, 0, offsetof(struct window_key, source));
	k.metric = metric;
	k.c = c;
	memcpy(k.source, source, n);
	return (uint32_t)(sg_siphash(&pp->key, &k, offsetof(struct window_key, source) + n) &
			  (NBUCKETS - 1));
}

const struct pp_window *pp_window_find(const struct preprocess *pp, int metric,
				       const struct sla_component *c,
				       const char *source)
{
	const struct pp_window *w = pp->buckets[bucket(pp, metric, c, source)];

	for (; w; w = w->next)
		if (w->metric == metric && w->component == c &&
		    !strcmp(w->source, source))
			return w;
	return NULL;
}

static enum producer producer_of(int metric)
{
	if (metric == SLA_METRIC_APP_ACCESS_VIOLATIONS)
		return PRODUCER_APP;
	if (metric >= SLA_METRIC_SCHED_CPU_PERCENT &&
	    metric <= SLA_METRIC_SCHED_RSS_BYTES)
		return PRODUCER_SCHED;
	return PRODUCER_MODULE;
}

static void lru_unlink(struct preprocess *pp, struct pp_window *w)
{
	enum producer pr = producer_of(w->metric);

	*(w->newer ? &w->newer->older : &pp->newest[pr]) = w->older;
	*(w->older ? &w->older->newer : &pp->oldest[pr]) = w->newer;
	w->newer = w->older = NULL;
}

static void lru_push(struct preprocess *pp, struct pp_window *w)
{
	enum producer pr = producer_of(w->metric);

	w->older = pp->newest[pr];
	*(w->older ? &w->older->newer : &pp->oldest[pr]) = w;
	pp->newest[pr] = w;
}

static void metric_unlink(struct preprocess *pp, struct pp_window *w)
{
	*(w->mprev ? &w->mprev->mnext : &pp->by_metric[w->metric]) = w->mnext;
	if (w->mnext)
		w->mnext->mprev = w->mprev;
	w->mnext = w->mprev = NULL;
}

/*
 * Keep the metric's list newest first, so that judging a window of time
 * stops at the first window updated before it: a judgement costs the
 * windows active in it, not every window kept. Samples come in clock
 * order, so the place is almost always the head.
 */
static void metric_touch(struct preprocess *pp, struct pp_window *w)
{
	struct pp_window *prev = NULL, *at;

	metric_unlink(pp, w);
	for (at = pp->by_metric[w->metric]; at && at->updated > w->updated;
	     at = at->mnext)
		prev = at;
	w->mprev = prev;
	w->mnext = at;
	*(prev ? &prev->mnext : &pp->by_metric[w->metric]) = w;
	if (at)
		at->mprev = w;
}

static void window_free(struct preprocess *pp, struct pp_window *w)
{
	struct pp_window **pw = &pp->buckets[w->bucket];

	while (*pw != w)
		pw = &(*pw)->next;
	*pw = w->next;
	metric_unlink(pp, w);
	lru_unlink(pp, w);
	pp->nwindows[producer_of(w->metric)]--;
	free(w);
}

static struct pp_window *window_get(struct preprocess *pp, int metric,
				    const struct sla_component *c,
				    const char *source)
{
	enum producer pr = producer_of(metric);
	struct pp_window **b, *w;

	w = (struct pp_window *)pp_window_find(pp, metric, c, source);
	if (w)
		return w;
	if (pp->nwindows[pr] >= producer_quota[pr]) {
		window_free(pp, pp->oldest[pr]);
		pp->evicted++;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		pp->refused++;
		return NULL;
	}
	w->metric = metric;
	w->component = c;
	/* calloc() zeroed the rest: the source stays terminated */
	memcpy(w->source, source, strnlen(source, sizeof(w->source) - 1));
	w->bucket = bucket(pp, metric, c, source);
	b = &pp->buckets[w->bucket];
	w->next = *b;
	*b = w;
	/* at the head for now: pp_store() gives it its place */
	w->mnext = pp->by_metric[metric];
	if (w->mnext)
		w->mnext->mprev = w;
	pp->by_metric[metric] = w;
	lru_push(pp, w);
	pp->nwindows[pr]++;
	return w;
}

static void window_push(struct pp_window *w, const struct sample *s)
{
	unsigned int slot = (w->head + w->len) % WINDOW_POINTS;

	if (w->len == WINDOW_POINTS)
		w->head = (w->head + 1) % WINDOW_POINTS;
	else
		w->len++;
	w->p[slot] = (struct point){ s->mono_ms, s->real_ms, s->value };
}

static void gap_push(struct preprocess *pp, const struct sample *s)
{
	unsigned int slot = (pp->gap_head + pp->gap_len) % MAX_GAPS;

	if (pp->gap_len == MAX_GAPS)
		pp->gap_head = (pp->gap_head + 1) % MAX_GAPS;
	else
		pp->gap_len++;
	pp->gaps[slot] = (struct gap){ s->mono_ms, (uint64_t)s->value,
				       s->count_known };
}

const struct sla_component *pp_component_of(const struct sla *sla, int family,
					    const void *addr)
{
	for (size_t i = 0; i < sla->n_components; i++) {
		const struct sla_component *c = &sla->components[i];

		for (size_t j = 0; j < c->n_addresses; j++)
			if (sla_prefix_contains(&c->addresses[j], family, addr))
				return c;
	}
	return NULL;
}

static void set_source(struct sample *s, int family, const uint8_t *src)
{
	s->has_source = true;
	s->family = family;
	memcpy(s->src, src, family == AF_INET6 ? 16 : 4);
	sgd_format_addr(family, src, s->source, sizeof(s->source));
}

static int net_metric(uint32_t event)
{
	switch (event) {
	case SLAGUARD_EVENT_PORTSCAN:
		return SLA_METRIC_NET_PORTSCAN_PORTS;
	case SLAGUARD_EVENT_SYN_FLOOD:
		return SLA_METRIC_NET_SYN_HALF_OPEN;
	case SLAGUARD_EVENT_CONN_RATE:
		return SLA_METRIC_NET_CONN_RATE;
	case SLAGUARD_EVENT_BANDWIDTH:
		return SLA_METRIC_NET_BANDWIDTH_BPS;
	case SLAGUARD_EVENT_ICMP_FLOOD:
		return SLA_METRIC_NET_ICMP_RATE;
	case SLAGUARD_EVENT_WATCH_HIT:
		return SLA_METRIC_NET_WATCH_HITS;
	case SLAGUARD_EVENT_DST_HALF_OPEN:
		return SLA_METRIC_NET_DST_HALF_OPEN;
	case SLAGUARD_EVENT_SLOW_PORTSCAN:
		return SLA_METRIC_NET_SLOW_PORTSCAN_PORTS;
	default:
		return -1;
	}
}

/* Module events are unique by (netns, seq, kind, time). */
static bool net_seen(struct preprocess *pp, const struct rec *r, uint32_t netns,
		     uint64_t seq, uint32_t event)
{
	uint64_t h;

	h = fnv(FNV_BASIS, &netns, sizeof(netns));
	h = fnv(h, &seq, sizeof(seq));
	h = fnv(h, &event, sizeof(event));
	h = fnv(h, &r->real_ms, sizeof(r->real_ms));
	return seq && seen_before(pp, h, r->mono_ms, UINT64_MAX);
}

/*
 * An event that names its destination is resolved to the component there
 * (none if no component has that address); one that names none keeps a
 * NULL component without has_dst and counts for every component's SLO (the
 * module watches the host the components live on).
 */
static bool from_net(struct preprocess *pp, const struct rec *r,
		     struct sample *s)
{
	const struct rec_net *n = &r->net;

	if (net_seen(pp, r, n->netns, n->seq, n->event))
		return false;
	s->metric = net_metric(n->event);
	if (s->metric < 0)
		return false;
	s->value = n->event == SLAGUARD_EVENT_WATCH_HIT ? 1 : (double)n->value;
	if (n->has_src)
		set_source(s, n->family, n->src);
	if (n->has_dst) {
		s->has_dst = true;
		s->component = pp_component_of(pp->sla, n->family, n->dst);
	}
	return true;
}

/* What makes two application events the same: their text, not the rest
 * of their fixed-size buffers. */
static uint64_t app_hash(const struct rec_app *a)
{
	uint64_t h = fnv(FNV_BASIS, a->component, strlen(a->component) + 1);

	h = fnv(h, a->user, strlen(a->user) + 1);
	h = fnv(h, a->role, strlen(a->role) + 1);
	h = fnv(h, a->action, strlen(a->action) + 1);
	h = fnv(h, a->resource, strlen(a->resource) + 1);
	h = fnv(h, &a->family, sizeof(a->family));
	h = fnv(h, a->src, sizeof(a->src));
	return fnv(h, &a->uid, sizeof(a->uid));
}

/* Application events are judged by the inspector: value 0 until then. */
static bool from_app(struct preprocess *pp, const struct rec *r,
		     struct sample *s)
{
	const struct rec_app *a = &r->app;
	uint64_t h = app_hash(a);

	pp->last_app_ms = r->mono_ms;
	if (seen_before(pp, h, r->mono_ms, APP_DEDUP_MS))
		return false;
	s->metric = SLA_METRIC_APP_ACCESS_VIOLATIONS;
	s->value = 0;
	s->component = sla_find_component(pp->sla, a->component);
	if (a->family)
		set_source(s, a->family, a->src);
	return true;
}

static void from_lost(const struct rec *r, struct sample *s)
{
	s->metric = SLA_METRIC_EVENTS_LOST;
	s->missing = true;
	s->count_known = r->lost.count_known;
	/* An overrun loses at least one message; never report it as zero. */
	s->value = r->lost.count_known ? (double)r->lost.count : 1;
}

void pp_store(struct preprocess *pp, const struct sample *s)
{
	struct pp_window *w = window_get(pp, s->metric, s->component,
					 s->has_source ? s->source : s->process);

	if (!w)
		return;
	window_push(w, s);
	if (s->mono_ms > w->updated)
		w->updated = s->mono_ms;
	lru_unlink(pp, w);
	lru_push(pp, w);
	metric_touch(pp, w);
}

static void emit(struct preprocess *pp, struct sample *s, sample_fn fn,
		 void *arg)
{
	(void)pp;
	if (fn)
		fn(s, arg);
}

static int from_stats(struct preprocess *pp, const struct rec *r,
		      struct sample *s, sample_fn fn, void *arg)
{
	double secs = (double)r->stats.interval_ms / 1000.0;

	if (secs <= 0)
		return 0;
	s->metric = SAMPLE_HOST_PKT_RATE;
	s->value = (double)r->stats.packets / secs;
	emit(pp, s, fn, arg);
	s->metric = SAMPLE_HOST_BYTE_RATE;
	s->value = (double)r->stats.bytes / secs;
	emit(pp, s, fn, arg);
	return 2;
}

int pp_flush(struct preprocess *pp, uint64_t now, sample_fn fn, void *arg)
{
	return pp_sched_flush(pp->sched, now, fn, arg);
}

int pp_record(struct preprocess *pp, const struct rec *r, sample_fn fn,
	      void *arg)
{
	struct sample s = { .real_ms = r->real_ms, .mono_ms = r->mono_ms,
			    .rec = r };

	switch (r->kind) {
	case REC_NET:
		if (!from_net(pp, r, &s))
			return 0;
		break;
	case REC_APP:
		if (!from_app(pp, r, &s))
			return 0;
		break;
	case REC_LOST:
		from_lost(r, &s);
		gap_push(pp, &s);
		break;
	case REC_STATS:
		return from_stats(pp, r, &s, fn, arg);
	case REC_TASK:
		/* task events come from the initial namespace only */
		if (net_seen(pp, r, 0, r->task.seq, r->task.event))
			return 0;
		return pp_sched_record(pp->sched, r, fn, arg);
	}
	emit(pp, &s, fn, arg);
	return 1;
}

void pp_foreach_window(const struct preprocess *pp, int metric,
		       uint64_t since, pp_window_fn fn, void *arg)
{
	if (metric < 0 || metric >= SAMPLE_METRIC_COUNT)
		return;
	for (const struct pp_window *w = pp->by_metric[metric];
	     w && w->updated >= since; w = w->mnext)
		fn(w, arg);
}

size_t pp_longest_chain(const struct preprocess *pp)
{
	size_t longest = 0;

	for (size_t i = 0; i < NBUCKETS; i++) {
		size_t n = 0;

		for (const struct pp_window *w = pp->buckets[i]; w; w = w->next)
			n++;
		if (n > longest)
			longest = n;
	}
	return longest;
}

bool pp_window_stats(const struct pp_window *w, uint64_t since,
		     struct pp_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned int i = 0; i < w->len; i++) {
		const struct point *p = &w->p[(w->head + i) % WINDOW_POINTS];

		if (p->mono_ms < since)
			continue;
		if (!st->n || p->value > st->max)
			st->max = p->value;
		st->sum += p->value;
		st->last = p->value;
		st->last_real_ms = p->real_ms;
		st->n++;
	}
	return st->n > 0;
}

const struct sla_component *pp_window_component(const struct pp_window *w)
{
	return w->component;
}

const char *pp_window_source(const struct pp_window *w)
{
	return w->source;
}

unsigned int pp_gaps_since(const struct preprocess *pp, uint64_t since,
			   uint64_t *count, bool *unknown)
{
	unsigned int n = 0;

	*count = 0;
	*unknown = false;
	for (unsigned int i = 0; i < pp->gap_len; i++) {
		const struct gap *g = &pp->gaps[(pp->gap_head + i) % MAX_GAPS];

		if (g->mono_ms < since)
			continue;
		n++;
		*count += g->count;
		if (!g->known)
			*unknown = true;
	}
	return n;
}

uint64_t pp_last_app_ms(const struct preprocess *pp)
{
	return pp->last_app_ms;
}

/*
 * Windows updated before the horizon hold no point after it: they go,
 * oldest first from each producer's LRU list, so a tick costs what expired,
 * not what exists.
 */
void pp_expire(struct preprocess *pp, uint64_t now)
{
	uint64_t horizon = now > pp->keep_ms ? now - pp->keep_ms : 0;

	for (int pr = 0; pr < PRODUCER_COUNT; pr++)
		while (pp->oldest[pr] && pp->oldest[pr]->updated < horizon)
			window_free(pp, pp->oldest[pr]);
	while (pp->gap_len && pp->gaps[pp->gap_head].mono_ms < horizon) {
		pp->gap_head = (pp->gap_head + 1) % MAX_GAPS;
		pp->gap_len--;
	}
}

size_t pp_window_count(const struct preprocess *pp)
{
	size_t n = 0;

	for (int pr = 0; pr < PRODUCER_COUNT; pr++)
		n += pp->nwindows[pr];
	return n;
}

uint64_t pp_windows_evicted(const struct preprocess *pp)
{
	return pp->evicted;
}
