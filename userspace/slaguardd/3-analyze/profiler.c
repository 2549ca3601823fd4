// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"

/* Baselines kept at most; labels are components or "host", not sources. */
#define MAX_BASELINES	4096
#define MAX_SHAPES	64

struct profiler {
	struct profiler_opts o;
	struct baseline *b;
	size_t nb;
	struct attack_shape shapes[MAX_SHAPES];
	size_t nshapes;
};

int profiler_new(struct profiler **out, const struct profiler_opts *opts)
{
	struct profiler *p = calloc(1, sizeof(*p));

	*out = p;
	if (!p)
		return -ENOMEM;
	p->o = opts ? *opts : (struct profiler_opts){ 0 };
	if (p->o.k <= 0)
		p->o.k = 4;
	if (!p->o.min_samples)
		p->o.min_samples = 30;
	if (p->o.alpha <= 0 || p->o.alpha >= 1)
		p->o.alpha = 0.05;
	if (!p->o.relearn_after)
		p->o.relearn_after = 600;
	if (p->o.min_std <= 0)
		p->o.min_std = 1;
	if (p->o.min_std_ratio <= 0)
		p->o.min_std_ratio = 0.1;
	p->b = calloc(MAX_BASELINES, sizeof(*p->b));
	if (!p->b) {
		free(p);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

void profiler_free(struct profiler *p)
{
	if (!p)
		return;
	free(p->b);
	free(p);
}

static struct baseline *find(const struct profiler *p, int metric,
			     const char *label)
{
	for (size_t i = 0; i < p->nb; i++)
		if (p->b[i].metric == metric && !strcmp(p->b[i].label, label))
			return &p->b[i];
	return NULL;
}

const struct baseline *profiler_baseline(const struct profiler *p, int metric,
					 const char *label)
{
	return find(p, metric, label);
}

static struct baseline *get(struct profiler *p, int metric, const char *label)
{
	struct baseline *b = find(p, metric, label);

	if (b || p->nb == MAX_BASELINES)
		return b;
	b = &p->b[p->nb++];
	b->metric = metric;
	snprintf(b->label, sizeof(b->label), "%s", label);
	return b;
}

/*
 * A floor on the deviation: a perfectly steady metric (variance 0) would
 * otherwise call the smallest wobble an anomaly.
 */
static double std_of(const struct profiler *p, const struct baseline *b)
{
	double std = sqrt(b->var), floor = p->o.min_std;

	if (fabs(b->mean) * p->o.min_std_ratio > floor)
		floor = fabs(b->mean) * p->o.min_std_ratio;
	return std > floor ? std : floor;
}

/*
 * Incremental EWMA mean and variance; while the baseline is young the
 * weight is 1/n, so the first samples give a plain average instead of
 * being dominated by the very first value.
 */
static void learn(const struct profiler *p, struct baseline *b, double x)
{
	double alpha = 1.0 / (double)(b->n + 1), diff, incr;

	if (alpha < p->o.alpha)
		alpha = p->o.alpha;
	diff = x - b->mean;
	incr = alpha * diff;
	b->mean += incr;
	b->var = (1 - alpha) * (b->var + diff * incr);
	b->n++;
}

/*
 * A level anomalous for relearn_after samples in a row, none of them known
 * to be an attack, is a lasting change (a new service, more customers):
 * it becomes the baseline, judged at once.
 */
static void rebase(const struct profiler *p, struct baseline *b, double x)
{
	b->mean = x;
	b->var = 0;
	b->n = p->o.min_samples;
	b->anomalous_run = 0;
	b->rebased++;
}

/*
 * Only upward deviations: attacks add traffic, they do not remove it.
 * What is learned is capped at one standard deviation above the mean, so
 * a slow ramp cannot walk the baseline up (it rises at most alpha * std
 * per sample). A sample the caller knows to be part of an attack is
 * learned only when it cannot raise the baseline (at or below the mean):
 * findings, however frequent, never freeze learning.
 */
enum profile_verdict profiler_observe(struct profiler *p, int metric,
				      const char *label, double value,
				      bool known_bad, struct profile_result *res)
{
	struct baseline *b = get(p, metric, label);
	struct profile_result r = { .verdict = PROFILE_LEARNING };

	if (!b) {
		if (res)
			*res = r;
		return r.verdict;
	}
	r.mean = b->mean;
	r.std = std_of(p, b);
	r.n = b->n;
	r.z = (value - b->mean) / r.std;
	if (b->n >= p->o.min_samples)
		r.verdict = r.z > p->o.k ? PROFILE_ANOMALY : PROFILE_NORMAL;
	if (r.verdict == PROFILE_ANOMALY && !known_bad &&
	    ++b->anomalous_run >= p->o.relearn_after) {
		rebase(p, b, value);
		r.learned = true;
	} else if (r.verdict != PROFILE_ANOMALY &&
		   (!known_bad || value <= b->mean)) {
		if (!known_bad)
			b->anomalous_run = 0;
		learn(p, b, b->n >= p->o.min_samples && value > b->mean + r.std ?
			 b->mean + r.std : value);
		r.learned = true;
	} else {
		b->rejected++;
	}
	if (res)
		*res = r;
	return r.verdict;
}

static bool in_range(const struct shape_range *r, double v)
{
	return (!r->has_min || v >= r->min) && (!r->has_max || v <= r->max);
}

const struct attack_shape *profiler_classify(const struct profiler *p,
					     const struct rec_features *f)
{
	for (size_t i = 0; i < p->nshapes; i++) {
		const struct attack_shape *s = &p->shapes[i];
		bool all = s->features != 0;

		for (int j = 0; j < REC_F_COUNT && all; j++) {
			if (!(s->features & (1u << j)))
				continue;
			all = (f->present & (1u << j)) &&
			      in_range(&s->range[j], f->v[j]);
		}
		if (all)
			return s;
	}
	return NULL;
}

size_t profiler_shape_count(const struct profiler *p)
{
	return p->nshapes;
}

/* ---- data/attack-shapes.json ---- */

static int fail(char *err, size_t errlen, const char *name, size_t i,
		const char *what)
{
	snprintf(err, errlen, "%s: shapes[%zu]: %s", name, i, what);
	return -EINVAL;
}

static bool number(struct json_object *o, double *v)
{
	if (!json_object_is_type(o, json_type_int) &&
	    !json_object_is_type(o, json_type_double))
		return false;
	*v = json_object_get_double(o);
	return true;
}

static int parse_range(struct json_object *o, struct shape_range *r)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if (json_object_object_get_ex(o, "min", &v)) {
		if (!number(v, &r->min))
			return -EINVAL;
		r->has_min = true;
	}
	if (json_object_object_get_ex(o, "max", &v)) {
		if (!number(v, &r->max))
			return -EINVAL;
		r->has_max = true;
	}
	return r->has_min || r->has_max ? 0 : -EINVAL;
}

static int parse_shape(struct json_object *o, struct attack_shape *s,
		       char *err, size_t errlen, const char *name, size_t i)
{
	struct json_object *v, *features;
	const char *text;

	memset(s, 0, sizeof(*s));
	if (!json_object_object_get_ex(o, "name", &v) ||
	    !(text = json_object_get_string(v)) || !*text ||
	    strlen(text) >= sizeof(s->name))
		return fail(err, errlen, name, i, "expected a \"name\" of 1-31 characters");
	strcpy(s->name, text);
	s->severity = SLA_SEV_MEDIUM;
	if (json_object_object_get_ex(o, "severity", &v) &&
	    sla_severity_from_name(json_object_get_string(v), &s->severity) < 0)
		return fail(err, errlen, name, i, "expected \"severity\" low, medium, high or critical");
	if (!json_object_object_get_ex(o, "features", &features) ||
	    !json_object_is_type(features, json_type_object))
		return fail(err, errlen, name, i, "expected \"features\": {FEATURE: {min, max}}");
	json_object_object_foreach(features, key, val) {
		int f = rec_feature_from_name(key);

		if (f < 0)
			return fail(err, errlen, name, i, "unknown feature (pkt_rate, byte_rate, conn_rate, half_open, ports, icmp_rate)");
		if (parse_range(val, &s->range[f]) < 0)
			return fail(err, errlen, name, i, "expected a feature range {\"min\": N, \"max\": N}");
		s->features |= 1u << f;
	}
	if (!s->features)
		return fail(err, errlen, name, i, "expected at least one feature range");
	return 0;
}

int profiler_load_shapes_string(struct profiler *p, const char *text,
				const char *name, char *err, size_t errlen)
{
	struct json_object *root = json_tokener_parse(text), *shapes;
	struct attack_shape tmp[MAX_SHAPES];
	size_t n;
	int ret = 0;

	if (!root || !json_object_object_get_ex(root, "shapes", &shapes) ||
	    !json_object_is_type(shapes, json_type_array)) {
		snprintf(err, errlen, "%s: expected a JSON object with a \"shapes\" array", name);
		json_object_put(root);
		return -EINVAL;
	}
	n = json_object_array_length(shapes);
	if (n > MAX_SHAPES)
		n = MAX_SHAPES;
	for (size_t i = 0; i < n && !ret; i++)
		ret = parse_shape(json_object_array_get_idx(shapes, i), &tmp[i],
				  err, errlen, name, i);
	json_object_put(root);
	if (ret)
		return ret;
	memcpy(p->shapes, tmp, n * sizeof(tmp[0]));
	p->nshapes = n;
	return 0;
}

int profiler_load_shapes(struct profiler *p, const char *path, char *err,
			 size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if (len < 0 || len > (1 << 20) || !(text = calloc(1, (size_t)len + 1))) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot read (over 1 MiB?)", path);
		return -EFBIG;
	}
	if (fread(text, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: read error", path);
		ret = -EIO;
	} else {
		ret = profiler_load_shapes_string(p, text, path, err, errlen);
	}
	fclose(f);
	free(text);
	return ret;
}
