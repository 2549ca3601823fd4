// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <systemd/sd-journal.h>

#include "alert.h"
#include "outputs.h"
#include "outq.h"

struct webhook {
	struct outputs *o;
	char *url;
	char *shown;			/* URL without user, password, query */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	struct outq q;			/* under LOCK */
	bool in_flight;			/* under LOCK: an alert out of Q */
	uint64_t queued, delivered, failed, retries;	/* under LOCK */
	char last_error[CURL_ERROR_SIZE];		/* under LOCK */
};

struct outputs {
	struct outputs_opts opts;
	bool journal;
	uint64_t journal_sent, journal_failed;	/* the loop's thread only */
	struct webhook hooks[OUTPUTS_MAX_WEBHOOKS];
	size_t n_hooks;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int outputs_check_url(const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ret = 0;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "'%s' is not a URL: expected http://HOST[:PORT]/PATH or https://...", url);
		ret = -EINVAL;
	} else if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		snprintf(err, errlen, "'%s': only http:// and https:// webhooks are supported", url);
		ret = -EINVAL;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

/* URL as status shows it: credentials and query (tokens) left out. */
static char *shown_url(const char *url)
{
	CURLU *u = curl_url();
	char *s = NULL, *ret;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(u, CURLUPART_QUERY, NULL, 0);
		curl_url_get(u, CURLUPART_URL, &s, 0);
	}
	ret = strdup(s ? s : "?");
	curl_free(s);
	curl_url_cleanup(u);
	return ret;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Aborts a transfer under way when the daemon stops. */
static int progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct webhook *w = arg;
	bool stop;

	(void)a; (void)b; (void)c; (void)d;
	pthread_mutex_lock(&w->lock);
	stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

/* 1: delivered; 0: failed, worth retrying; -1: failed for good (4xx). */
static int post(struct webhook *w, CURL *c, const char *body, char *err)
{
	struct curl_slist *hdr = NULL;
	long code = 0;
	CURLcode rc;

	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "slaguardd/" SLAGUARD_VERSION_STR);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->o->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)w->o->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, w);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	err[0] = '\0';
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		if (!err[0])
			snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 1;
	snprintf(err, CURL_ERROR_SIZE, "HTTP status %ld", code);
	/* A client error will not heal by itself; a timeout or a limit may. */
	return code >= 400 && code < 500 && code != 408 && code != 429 ? -1 : 0;
}

static void wait_until(struct webhook *w, uint64_t when_ms)
{
	struct timespec ts;
	uint64_t now = mono_ms(), wait = when_ms > now ? when_ms - now : 0;

	/* The wait from one reading of the clock: subtracting a second,
	 * later one could wrap around to a wait of centuries. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(wait / 1000);
	ts.tv_nsec += (long)(wait % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&w->cond, &w->lock, &ts);
}

static void *worker(void *arg)
{
	struct webhook *w = arg;
	CURL *c = curl_easy_init();
	char err[CURL_ERROR_SIZE];
	/* The alert being posted (or waiting to be retried) is out of the
	 * queue: a newer alert can only drop one nobody has tried yet. */
	struct outq_item cur = { 0 };

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		int res;

		if (!cur.body) {
			struct outq_item *it = outq_peek(&w->q);

			if (!it) {
				pthread_cond_wait(&w->cond, &w->lock);
				continue;
			}
			cur = *it;
			it->body = NULL;
			outq_pop(&w->q);
			w->in_flight = true;
		}
		if (cur.not_before > mono_ms()) {
			wait_until(w, cur.not_before);
			continue;
		}
		pthread_mutex_unlock(&w->lock);
		res = c ? post(w, c, cur.body, err) : 0;
		if (!c)
			snprintf(err, sizeof(err), "cannot start libcurl");
		pthread_mutex_lock(&w->lock);
		if (res > 0) {
			w->delivered++;
		} else {
			snprintf(w->last_error, sizeof(w->last_error), "%s", err);
			if (res == 0 && ++cur.attempts < OUTPUTS_ATTEMPTS) {
				w->retries++;
				cur.not_before = mono_ms() + outq_backoff(cur.attempts,
					w->o->opts.backoff_ms, OUTPUTS_BACKOFF_MAX_MS);
				continue;
			}
			w->failed++;
		}
		free(cur.body);
		cur = (struct outq_item){ 0 };
		w->in_flight = false;
	}
	pthread_mutex_unlock(&w->lock);
	free(cur.body);
	curl_easy_cleanup(c);
	return NULL;
}

static int webhook_start(struct outputs *o, struct webhook *w, const char *url)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int ret;

	w->o = o;
	w->url = strdup(url);
	w->shown = shown_url(url);
	if (!w->url || !w->shown)
		return -ENOMEM;
	ret = outq_init(&w->q, o->opts.queue);
	if (ret < 0)
		return ret;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	/* Signals are the loop's (signalfd): the worker takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&w->thread, NULL, worker, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	w->started = ret == 0;
	return ret;
}

int outputs_new(struct outputs **out, const struct outputs_opts *opts)
{
	struct outputs *o = calloc(1, sizeof(*o));
	int ret = 0;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	o->opts = *opts;
	if (!o->opts.queue)
		o->opts.queue = OUTPUTS_DEFAULT_QUEUE;
	if (!o->opts.timeout_ms)
		o->opts.timeout_ms = OUTPUTS_DEFAULT_TIMEOUT_MS;
	if (!o->opts.backoff_ms)
		o->opts.backoff_ms = OUTPUTS_BACKOFF_MS;
	o->journal = opts->journal;
	if (opts->n_webhooks && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(o);
		return -ENOMEM;
	}
	for (size_t i = 0; i < opts->n_webhooks && i < OUTPUTS_MAX_WEBHOOKS && !ret; i++) {
		o->n_hooks++;
		ret = webhook_start(o, &o->hooks[i], opts->webhooks[i]);
	}
	if (ret < 0) {
		outputs_free(o);
		return ret;
	}
	*out = o;
	return 0;
}

void outputs_free(struct outputs *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n_hooks; i++) {
		struct webhook *w = &o->hooks[i];

		if (w->started) {
			pthread_mutex_lock(&w->lock);
			w->stop = true;
			pthread_cond_signal(&w->cond);
			pthread_mutex_unlock(&w->lock);
			pthread_join(w->thread, NULL);
			pthread_cond_destroy(&w->cond);
			pthread_mutex_destroy(&w->lock);
		}
		outq_fini(&w->q);
		free(w->url);
		free(w->shown);
	}
	if (o->n_hooks)
		curl_global_cleanup();
	free(o);
}

static char *field(const char *name, const char *value)
{
	char *s;

	return asprintf(&s, "%s=%s", name, value) < 0 ? NULL : s;
}

size_t outputs_journal_fields(const struct alert *a, const char *json,
			      char **fields, size_t max)
{
	char msg[FINDING_SUMMARY_MAX + 64], prio[8], actions[256] = "";
	size_t n = 0, na = json_object_array_length(a->actions);

	snprintf(msg, sizeof(msg), "alert %s [%s] %s", a->id,
		 sla_severity_name(a->severity), a->summary);
	snprintf(prio, sizeof(prio), "%d", alert_priority(a->severity));
	for (size_t i = 0; i < na; i++) {
		size_t len = strlen(actions);

		snprintf(actions + len, sizeof(actions) - len, "%s%s", i ? " " : "",
			 json_object_get_string(json_object_array_get_idx(a->actions, i)));
	}
#define ADD(name, value) do { \
		if (n < max && (fields[n] = field(name, value))) \
			n++; \
	} while (0)
	ADD("MESSAGE", msg);
	ADD("PRIORITY", prio);
	ADD("SYSLOG_IDENTIFIER", "slaguardd");
	ADD("SLAGUARD_ALERT_ID", a->id);
	ADD("SLAGUARD_SEVERITY", sla_severity_name(a->severity));
	ADD("SLAGUARD_KIND", finding_kind_name(a->kind));
	ADD("SLAGUARD_REF", a->ref);
	if (a->has_source)
		ADD("SLAGUARD_SOURCE", a->source);
	if (a->component[0])
		ADD("SLAGUARD_COMPONENT", a->component);
	if (actions[0])
		ADD("SLAGUARD_ACTIONS", actions);
	if (json)
		ADD("SLAGUARD_JSON", json);
#undef ADD
	return n;
}

void outputs_fields_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
}

static void journal(struct outputs *o, const struct alert *a, const char *json)
{
	char *fields[16];
	struct iovec iov[16];
	size_t n = outputs_journal_fields(a, json, fields, 16);
	int ret;

	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ .iov_base = fields[i], .iov_len = strlen(fields[i]) };
	ret = sd_journal_sendv(iov, (int)n);
	outputs_fields_free(fields, n);
	if (ret < 0) {
		/* Once, not per alert: the journal may be down for long. */
		if (!o->journal_failed)
			sgd_log(LOG_WARNING, "journal: cannot send alert %s: %s", a->id,
				strerror(-ret));
		o->journal_failed++;
		return;
	}
	o->journal_sent++;
}

void outputs_alert(struct outputs *o, const struct alert *a, const char *json)
{
	if (!o)
		return;
	if (o->journal)
		journal(o, a, json);
	if (!a->notify || !json)
		return;
	for (size_t i = 0; i < o->n_hooks; i++) {
		struct webhook *w = &o->hooks[i];
		char *body = strdup(json);

		if (!body)
			continue;
		pthread_mutex_lock(&w->lock);
		if (outq_push(&w->q, body, mono_ms()) == 0)
			w->queued++;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

struct json_object *outputs_status_json(struct outputs *o)
{
	struct json_object *r = json_object_new_object(), *j, *hooks;

	if (!r)
		return NULL;
	j = json_object_new_object();
	json_object_object_add(j, "enabled", json_object_new_boolean(o && o->journal));
	json_object_object_add(j, "sent", u64(o ? o->journal_sent : 0));
	json_object_object_add(j, "failed", u64(o ? o->journal_failed : 0));
	json_object_object_add(r, "journal", j);
	hooks = json_object_new_array();
	for (size_t i = 0; o && i < o->n_hooks; i++) {
		struct webhook *w = &o->hooks[i];
		struct json_object *h = json_object_new_object();

		pthread_mutex_lock(&w->lock);
		json_object_object_add(h, "url", json_object_new_string(w->shown));
		json_object_object_add(h, "queued", u64(w->queued));
		json_object_object_add(h, "delivered", u64(w->delivered));
		json_object_object_add(h, "failed", u64(w->failed));
		json_object_object_add(h, "retries", u64(w->retries));
		json_object_object_add(h, "dropped", u64(w->q.dropped));
		json_object_object_add(h, "pending", u64(w->q.len));
		json_object_object_add(h, "in_flight", json_object_new_boolean(w->in_flight));
		json_object_object_add(h, "last_error", w->last_error[0] ?
				       json_object_new_string(w->last_error) : NULL);
		pthread_mutex_unlock(&w->lock);
		json_object_array_add(hooks, h);
	}
	json_object_object_add(r, "webhooks", hooks);
	return r;
}

void outputs_counters(struct outputs *o, struct outputs_counters *c)
{
	*c = (struct outputs_counters){ 0 };
	if (!o)
		return;
	c->journal_sent = o->journal_sent;
	c->journal_failed = o->journal_failed;
	for (size_t i = 0; i < o->n_hooks; i++) {
		struct webhook *w = &o->hooks[i];

		pthread_mutex_lock(&w->lock);
		c->delivered += w->delivered;
		c->failed += w->failed;
		c->dropped += w->q.dropped;
		c->retries += w->retries;
		pthread_mutex_unlock(&w->lock);
	}
}
