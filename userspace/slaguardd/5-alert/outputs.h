/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - alert outputs beyond JSON lines and syslog: the systemd
 * journal (structured SLAGUARD_* fields, every alert) and webhooks (an HTTP
 * POST of the alert's JSON for the alerts a "notify" countermeasure picks).
 *
 * Each webhook has a worker thread and a bounded queue: the event loop only
 * appends under a lock (O(1), never waits on the network); the worker posts
 * with libcurl under a timeout and retries a failed post with exponential
 * backoff. A thread rather than curl's multi interface in the epoll loop:
 * name resolution, TLS handshakes and a slow server then cannot cost the
 * loop anything by construction, and the loop's code does not change.
 */
#ifndef SLAGUARDD_OUTPUTS_H
#define SLAGUARDD_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct alert;
struct json_object;

#define OUTPUTS_MAX_WEBHOOKS	4
#define OUTPUTS_DEFAULT_QUEUE	256
#define OUTPUTS_DEFAULT_TIMEOUT_MS 5000
/* Attempts per alert and the backoff between them. */
#define OUTPUTS_ATTEMPTS	5
#define OUTPUTS_BACKOFF_MS	1000
#define OUTPUTS_BACKOFF_MAX_MS	30000

struct outputs_opts {
	bool journal;
	const char *webhooks[OUTPUTS_MAX_WEBHOOKS];
	size_t n_webhooks;
	size_t queue;			/* per webhook; 0: default */
	uint64_t timeout_ms;		/* per attempt; 0: default */
	uint64_t backoff_ms;		/* first retry; 0: default */
};

struct outputs;

/* A webhook URL the daemon accepts (http or https), else an error in ERR. */
int outputs_check_url(const char *url, char *err, size_t errlen);

/* Starts the webhook workers: call after detaching. */
int outputs_new(struct outputs **out, const struct outputs_opts *opts);
/* Stops the workers (an attempt under way is aborted); queued alerts are lost. */
void outputs_free(struct outputs *o);

/* A (emitted) alert as JSON text JSON: the journal; webhooks if A->notify. */
void outputs_alert(struct outputs *o, const struct alert *a, const char *json);

/*
 * The journal fields of A, "NAME=value" each, into FIELDS (up to MAX);
 * returns how many. Each is malloc'ed: free them with outputs_fields_free.
 */
size_t outputs_journal_fields(const struct alert *a, const char *json,
			      char **fields, size_t max);
void outputs_fields_free(char **fields, size_t n);

struct json_object *outputs_status_json(struct outputs *o);

/* Totals over every webhook, and the journal's (zeros for NULL). */
struct outputs_counters {
	uint64_t delivered, failed, dropped, retries;
	uint64_t journal_sent, journal_failed;
};
void outputs_counters(struct outputs *o, struct outputs_counters *c);

#endif /* SLAGUARDD_OUTPUTS_H */
