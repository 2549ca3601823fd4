// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <nats/nats.h>

#include "engine.h"
#include "fleet.h"
#include "loop.h"

/* Messages waiting for the bus at most; past it the newest are dropped. */
#define OUT_MAX			10000
/* Decisions handled per turn of the event loop at most. */
#define IN_BATCH		256
/* Decisions remembered (by id) at most, each until it expires. */
#define LEDGER_MAX		65536
/* The bus down this long is an alert. */
#define BUS_ALERT_MS		2000
#define RETRY_MS		500
/*
 * A server that answers but refuses this node (its login, TLS) makes
 * nats.c 3.4 close the connection for good. slaguardd then makes a new
 * one (options as at start; the .creds file is read again), the wait
 * doubling at each refusal up to REDIAL_MAX_MS: a fixed server or file is
 * picked up within a minute, and a node refused for days tries once a
 * minute, not in a loop.
 */
#define REDIAL_FIRST_MS		1000
#define REDIAL_MAX_MS		60000
/* How often the keeper thread looks at the connection. */
#define KEEP_CHECK_MS		1000
/*
 * A connection's callbacks have run this long after it closed at most (a
 * client that never calls back must not hold up the shutdown).
 */
#define CLOSE_WAIT_MS		5000
/*
 * Decisions come from a durable *push* consumer: the server sends them as
 * they are stored, up to this many unacknowledged. A pull consumer costs a
 * round trip per fetch, and libnats before 3.10 (Debian 12 has 3.4) writes
 * past its array when a fetch of more than one message finds some already
 * waiting (nats.c #749): bench/fleet_prop.c shows both.
 */
#define MAX_ACK_PENDING		1024
/* How long the fetcher waits for a message before it looks at its queue. */
#define FETCH_WAIT_MS		1000
/* Idle this long, the fetcher checks that the server still has its consumer. */
#define CONSUMER_CHECK_MS	5000
/* Unacknowledged this long: delivered again (the ledger makes it harmless). */
#define ACK_WAIT_NS		(5LL * 1000000000)
#define PUBLISH_WAIT_MS		2000
/*
 * Refused this often while connected (a permissions violation gets no
 * acknowledgement): dropped, so one message cannot hold up the queue.
 * While the bus is down, messages wait however long it takes.
 */
#define PUBLISH_TRIES		5
/* A publish retried within this window is stored once (Nats-Msg-Id). */
#define DUPLICATE_WINDOW_NS	(10LL * 60 * 1000000000)
#define STREAM_MAX_AGE_NS	((int64_t)(SLA_MAX_ACTION_MS + 86400000ULL) * 1000000)
/*
 * This node's status key (bucket slaguard-status, key: its name) is put
 * this often: the coordinator's heartbeat, with the SLA version it runs.
 */
#define HEARTBEAT_MS		1000
#define WATCH_WAIT_MS		250
/* The SLA deployed through the bucket, kept in the state directory. */
#define DEPLOYED_FILE		"fleet-sla.yaml"

struct out_item {
	struct out_item *next;
	unsigned int tries;		/* failed while connected */
	char subject[160];
	char msgid[FLEET_ID_MAX + 32];
	size_t len;
	char data[];
};

struct in_item {
	struct in_item *next;
	natsMsg *msg;
	unsigned int conn;		/* the connection it came on: see ack_done */
	bool bad;
	char err[160];
	struct fleet_decision d;
};

struct fleet {
	char *node, *site, *stream;
	char origin[2 * SLA_FLEET_NAME_MAX + 2];	/* node@site */
	char prefix[2 * SLA_FLEET_NAME_MAX + 16];	/* slaguard.site.node */
	char durable[2 * SLA_FLEET_NAME_MAX + 8];
	struct engine *e;
	struct loop *loop;
	struct loop_handler h;
	int efd;

	/*
	 * The keeper thread owns the connection: it stops the three threads
	 * that use it (publisher, fetcher, kv) before it replaces it.
	 */
	natsOptions *opts;
	natsConnection *nc;		/* NULL: refused, the keeper tries again */
	jsCtx *js;
	pthread_t pub_t, sub_t, keep_t;
	bool pub_started, sub_started, keep_started;

	/* Shared with the threads, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_mutex_t stream_mu;	/* one thread creates the stream */
	bool stop;			/* the three threads return */
	bool closing;			/* fleet_free: the keeper returns too */
	unsigned int conn;		/* connections made */
	natsConnection *closed_nc;	/* the last whose closed callback ran */
	bool bus_up;
	bool stream_ready;
	struct out_item *out_head, *out_tail;
	size_t out_n;
	struct in_item *in_head, *in_tail;
	struct in_item *done;		/* handled, for the fetcher to ack */
	struct fleet_counters c;
	char refusal[256];		/* why the servers refuse, said once */

	/* The loop's own. */
	struct fleet_ledger ledger;
	bool applying;			/* a received revoke: not republished */
	uint64_t down_since;
	bool bus_alerted;
	char login[PATH_MAX + 16];	/* "credentials FILE" or "user USER" */
	const struct slo_set *slos_seen;
	bool reload_warned;		/* the SLA's fleet section changed */
	char *cfg;			/* the section it runs with, cfg_text() */
	char *ledger_path;		/* NULL: the ledger is not kept */
	uint64_t ledger_saved;		/* its changes count when saved */
	enum slo_state *slo_last;
	size_t n_slo_last;

	/*
	 * Deploy: the kv thread watches this node's key of bucket
	 * slaguard-sla and hands a new version to the loop (under mu); the
	 * loop validates and applies it, and leaves the status the kv thread
	 * puts as this node's heartbeat (under mu too).
	 */
	pthread_t kv_t;
	bool kv_started;
	char *deploy_text;		/* a version waiting for the loop */
	size_t deploy_len;
	uint64_t deploy_rev;
	uint64_t sla_rev;		/* the bucket's revision running, 0: its file */
	uint64_t refused_rev;
	char sla_error[1024];		/* why REFUSED_REV was refused */
	char *status_text;		/* JSON for the status key */
	bool status_dirty;		/* put it now, not at the next beat */
	char *deploy_path;		/* NULL: no state directory */
};

static uint64_t real_ms(void)
{
	return sgd_real_ms();
}

static void wake_loop(struct fleet *f)
{
	uint64_t one = 1;

	if (write(f->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the loop will look. */
	}
}

/* ---- the publisher thread ---- */

/* The stream is created by whichever node gets there first. */
static bool ensure_stream(struct fleet *f)
{
	jsStreamInfo *si = NULL;
	jsStreamConfig cfg;
	jsErrCode jerr = 0;
	const char *subjects[] = { "slaguard.>" };
	natsStatus s;
	bool ready;

	pthread_mutex_lock(&f->stream_mu);
	pthread_mutex_lock(&f->mu);
	ready = f->stream_ready;
	pthread_mutex_unlock(&f->mu);
	if (ready) {
		pthread_mutex_unlock(&f->stream_mu);
		return true;
	}
	s = js_GetStreamInfo(&si, f->js, f->stream, NULL, &jerr);
	if (s != NATS_OK && jerr == JSStreamNotFoundErr) {
		jsStreamConfig_Init(&cfg);
		cfg.Name = f->stream;
		cfg.Subjects = subjects;
		cfg.SubjectsLen = 1;
		cfg.Storage = js_FileStorage;
		cfg.MaxAge = STREAM_MAX_AGE_NS;
		cfg.Duplicates = DUPLICATE_WINDOW_NS;
		s = js_AddStream(&si, f->js, &cfg, NULL, &jerr);
		if (s == NATS_OK)
			sgd_log(LOG_NOTICE, "fleet: stream %s created", f->stream);
	}
	jsStreamInfo_Destroy(si);
	if (s == NATS_OK) {
		pthread_mutex_lock(&f->mu);
		f->stream_ready = true;
		pthread_mutex_unlock(&f->mu);
	}
	pthread_mutex_unlock(&f->stream_mu);
	return s == NATS_OK;
}

static bool publish_one(struct fleet *f, const struct out_item *it)
{
	jsPubOptions po;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	if (!ensure_stream(f))
		return false;
	jsPubOptions_Init(&po);
	po.MsgId = it->msgid;
	po.MaxWait = PUBLISH_WAIT_MS;
	s = js_Publish(&pa, f->js, it->subject, it->data, (int)it->len, &po, &jerr);
	jsPubAck_Destroy(pa);
	if (s == NATS_NO_RESPONDERS) {
		pthread_mutex_lock(&f->mu);
		f->stream_ready = false;	/* the server lost it: create it again */
		pthread_mutex_unlock(&f->mu);
	}
	return s == NATS_OK;
}

static void timed_wait(struct fleet *f, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&f->cv, &f->mu, &ts);
}

/* In order, each until JetStream has stored it; retried with its id. */
static void *pub_main(void *arg)
{
	struct fleet *f = arg;

	pthread_mutex_lock(&f->mu);
	while (!f->stop) {
		struct out_item *it = f->out_head;
		bool ok;

		if (!it) {
			pthread_cond_wait(&f->cv, &f->mu);
			continue;
		}
		pthread_mutex_unlock(&f->mu);
		ok = publish_one(f, it);
		pthread_mutex_lock(&f->mu);
		if (ok) {
			f->out_head = it->next;
			if (!f->out_head)
				f->out_tail = NULL;
			f->out_n--;
			f->c.published++;
			free(it);
		} else if (f->bus_up && ++it->tries >= PUBLISH_TRIES) {
			f->out_head = it->next;
			if (!f->out_head)
				f->out_tail = NULL;
			f->out_n--;
			f->c.publish_errors++;
			f->c.dropped++;
			sgd_log(LOG_WARNING, "fleet: %s not stored after %u tries, dropped",
				it->subject, it->tries);
			free(it);
		} else {
			f->c.publish_errors++;
			if (!f->stop)
				timed_wait(f, RETRY_MS);
		}
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* From the loop: queue, never wait for the bus. */
static void publish(struct fleet *f, const char *kind, const char *msgid,
		    const char *data, size_t len)
{
	struct out_item *it = malloc(sizeof(*it) + len + 1);

	pthread_mutex_lock(&f->mu);
	if (!it || f->out_n >= OUT_MAX) {
		f->c.dropped++;
		pthread_mutex_unlock(&f->mu);
		free(it);
		return;
	}
	it->next = NULL;
	snprintf(it->subject, sizeof(it->subject), "%s.%s", f->prefix, kind);
	snprintf(it->msgid, sizeof(it->msgid), "%s", msgid);
	memcpy(it->data, data, len);
	it->data[len] = '\0';
	it->len = len;
	if (f->out_tail)
		f->out_tail->next = it;
	else
		f->out_head = it;
	f->out_tail = it;
	f->out_n++;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* ---- the fetcher thread ---- */

static natsStatus subscribe(struct fleet *f, natsSubscription **sub)
{
	jsSubOptions so;
	jsErrCode jerr = 0;

	jsSubOptions_Init(&so);
	so.Stream = f->stream;
	so.ManualAck = true;
	so.Config.Durable = f->durable;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = js_DeliverAll;
	so.Config.AckWait = ACK_WAIT_NS;
	so.Config.MaxAckPending = MAX_ACK_PENDING;
	return js_SubscribeSync(sub, f->js, "slaguard.*.*.decision", NULL, &so, &jerr);
}

/*
 * Acknowledge what the loop has handled (applied, refused or skipped).
 * A message of an earlier connection is not: its subscription is gone
 * (the server delivers it again, and the ledger knows it).
 */
static void ack_done(struct fleet *f)
{
	struct in_item *done;
	unsigned int conn;

	pthread_mutex_lock(&f->mu);
	done = f->done;
	f->done = NULL;
	conn = f->conn;
	pthread_mutex_unlock(&f->mu);
	while (done) {
		struct in_item *next = done->next;

		if (done->conn == conn)
			natsMsg_Ack(done->msg, NULL);
		natsMsg_Destroy(done->msg);
		free(done);
		done = next;
	}
}

static bool stopping(struct fleet *f)
{
	bool stop;

	pthread_mutex_lock(&f->mu);
	stop = f->stop;
	pthread_mutex_unlock(&f->mu);
	return stop;
}

static void pause_ms(struct fleet *f, uint64_t ms)
{
	pthread_mutex_lock(&f->mu);
	if (!f->stop)
		timed_wait(f, ms);
	pthread_mutex_unlock(&f->mu);
}

static void hand_over(struct fleet *f, natsMsg *msg)
{
	struct in_item *it = calloc(1, sizeof(*it));

	if (!it) {
		natsMsg_Destroy(msg);	/* redelivered after AckWait */
		return;
	}
	it->msg = msg;
	if (fleet_decision_decode(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg),
				  &it->d, it->err, sizeof(it->err)) < 0 ||
	    fleet_subject_check(natsMsg_GetSubject(msg), &it->d, it->err, sizeof(it->err)) < 0)
		it->bad = true;
	pthread_mutex_lock(&f->mu);
	it->conn = f->conn;
	if (f->in_tail)
		f->in_tail->next = it;
	else
		f->in_head = it;
	f->in_tail = it;
	f->c.received++;
	pthread_mutex_unlock(&f->mu);
}

/* True when the server no longer has our consumer (it lost its state). */
static bool consumer_gone(struct fleet *f)
{
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	s = js_GetConsumerInfo(&ci, f->js, f->stream, f->durable, NULL, &jerr);
	jsConsumerInfo_Destroy(ci);
	return s != NATS_OK && jerr == JSConsumerNotFoundErr;
}

static void *sub_main(void *arg)
{
	struct fleet *f = arg;
	natsSubscription *sub = NULL;
	uint64_t idle_since = 0;
	bool said = false;

	while (!stopping(f)) {
		natsMsg *msg = NULL;
		natsStatus s;

		ack_done(f);
		if (!sub) {
			bool streamed = ensure_stream(f);

			if (!streamed || subscribe(f, &sub) != NATS_OK) {
				/* e.g. the node's NATS permissions (not a closed connection) */
				if (streamed && !said &&
				    natsConnection_Status(f->nc) == NATS_CONN_STATUS_CONNECTED)
					sgd_log(LOG_WARNING, "fleet: cannot consume decisions as %s: %s",
						f->durable, nats_GetLastError(NULL));
				said = streamed;
				sub = NULL;
				pause_ms(f, RETRY_MS);
			}
			continue;
		}
		said = false;
		s = natsSubscription_NextMsg(&msg, sub, FETCH_WAIT_MS);
		if (s == NATS_OK) {
			idle_since = 0;
			hand_over(f, msg);
			wake_loop(f);
			continue;
		}
		/*
		 * A push consumer that the server lost (restarted without its
		 * state) just goes quiet: when idle, look now and then.
		 */
		if (s == NATS_TIMEOUT) {
			if (!idle_since)
				idle_since = sgd_mono_ms();
			if (sgd_mono_ms() - idle_since < CONSUMER_CHECK_MS || !consumer_gone(f))
				continue;
		}
		idle_since = 0;
		natsSubscription_Destroy(sub);
		sub = NULL;
		pause_ms(f, RETRY_MS);
	}
	ack_done(f);
	natsSubscription_Destroy(sub);
	return NULL;
}

/* ---- the kv thread: this node's status, its SLA deployed ---- */

static void put_status(struct fleet *f, kvStore *kv)
{
	char *text;

	pthread_mutex_lock(&f->mu);
	text = f->status_text ? strdup(f->status_text) : NULL;
	f->status_dirty = false;
	pthread_mutex_unlock(&f->mu);
	if (text && kvStore_PutString(NULL, kv, f->node, text) != NATS_OK)
		sgd_log(LOG_DEBUG, "fleet: status key %s: %s", f->node, nats_GetLastError(NULL));
	free(text);
}

static void deployed(struct fleet *f, kvEntry *e)
{
	char *text;
	size_t len;

	if (kvEntry_Operation(e) != kvOp_Put)
		return;
	len = (size_t)kvEntry_ValueLen(e);
	text = malloc(len + 1);
	if (!text)
		return;
	memcpy(text, kvEntry_Value(e), len);
	text[len] = '\0';
	pthread_mutex_lock(&f->mu);
	free(f->deploy_text);
	f->deploy_text = text;
	f->deploy_len = len;
	f->deploy_rev = kvEntry_Revision(e);
	pthread_mutex_unlock(&f->mu);
	wake_loop(f);
}

static void *kv_main(void *arg)
{
	struct fleet *f = arg;
	kvStore *sla = NULL, *status = NULL;
	kvWatcher *w = NULL;
	uint64_t beat = 0;

	while (!stopping(f)) {
		kvEntry *e = NULL;
		natsStatus s;
		bool up, dirty;

		pthread_mutex_lock(&f->mu);
		up = f->bus_up;
		dirty = f->status_dirty;
		pthread_mutex_unlock(&f->mu);
		if (!up) {
			pause_ms(f, RETRY_MS);
			continue;
		}
		/* The coordinator creates the buckets: until then, ask again. */
		if (!status && js_KeyValue(&status, f->js, SLA_FLEET_BUCKET_STATUS) != NATS_OK)
			status = NULL;
		if (status && (dirty || real_ms() - beat >= HEARTBEAT_MS)) {
			put_status(f, status);
			beat = real_ms();
		}
		if (!sla && js_KeyValue(&sla, f->js, SLA_FLEET_BUCKET_SLA) != NATS_OK)
			sla = NULL;
		if (sla && !w && kvStore_Watch(&w, sla, f->node, NULL) != NATS_OK)
			w = NULL;
		if (!w) {
			pause_ms(f, RETRY_MS);
			continue;
		}
		s = kvWatcher_Next(&e, w, WATCH_WAIT_MS);
		if (s == NATS_OK && e)
			deployed(f, e);
		kvEntry_Destroy(e);
		if (s != NATS_OK && s != NATS_TIMEOUT) {
			/* Watch again (from the key's last value). */
			kvWatcher_Destroy(w);
			w = NULL;
			pause_ms(f, RETRY_MS);
		}
	}
	if (w) {
		kvWatcher_Stop(w);
		kvWatcher_Destroy(w);
	}
	kvStore_Destroy(sla);
	kvStore_Destroy(status);
	return NULL;
}

/* ---- the bus's state, from nats.c's threads ---- */

static void set_bus(struct fleet *f, bool up)
{
	pthread_mutex_lock(&f->mu);
	if (f->bus_up && !up)
		f->c.disconnects++;
	f->bus_up = up;
	pthread_mutex_unlock(&f->mu);
	wake_loop(f);
}

static void on_connected(natsConnection *nc, void *arg)
{
	(void)nc;
	set_bus(arg, true);
}

static void on_disconnected(natsConnection *nc, void *arg)
{
	(void)nc;
	set_bus(arg, false);
}

static void on_closed(natsConnection *nc, void *arg)
{
	struct fleet *f = arg;

	pthread_mutex_lock(&f->mu);
	f->closed_nc = nc;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/*
 * nats.c calls back from a thread of its own, some time after the fact,
 * and last of all that a connection closed: once that has run for NC
 * (closed), no callback of NC's can reach f, replaced or freed next.
 */
static void wait_closed(struct fleet *f, natsConnection *nc)
{
	uint64_t now, until = sgd_mono_ms() + CLOSE_WAIT_MS;

	pthread_mutex_lock(&f->mu);
	while (f->closed_nc != nc && (now = sgd_mono_ms()) < until)
		timed_wait(f, until - now);
	if (f->closed_nc != nc)
		sgd_log(LOG_WARNING, "fleet: the NATS client did not say its connection closed");
	f->closed_nc = NULL;	/* the next one may have its address */
	pthread_mutex_unlock(&f->mu);
}

/* ---- the loop's side: decisions received ---- */

static void fake_alert(struct alert *a, const struct fleet_decision *d)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", d->alert);
	snprintf(a->ref, sizeof(a->ref), "%s", d->ref);
	a->severity = d->severity;
	a->kind = FINDING_SLO;
	a->has_source = true;
	snprintf(a->source, sizeof(a->source), "%.45s", d->target);
	{
		char host[NFTB_ADDR_MAX], *slash;

		snprintf(host, sizeof(host), "%s", d->target);
		if ((slash = strchr(host, '/')))
			*slash = '\0';
		a->family = sgd_parse_addr(host, a->src);
	}
	a->evidence = json_object_new_object();
	a->actions = json_object_new_array();
}

static const char *refusal_of(const struct alert *a)
{
	struct json_object *arr, *o, *v;

	if (json_object_object_get_ex(a->evidence, "responses", &arr) &&
	    json_object_array_length(arr) > 0 &&
	    (o = json_object_array_get_idx(arr, 0)) &&
	    json_object_object_get_ex(o, "detail", &v))
		return json_object_get_string(v);
	return "refused";
}

static void apply_here(struct fleet *f, const struct fleet_decision *d, uint64_t now_real)
{
	struct engine *e = f->e;
	char origin[sizeof(f->origin)];
	struct alert a;
	const char *cm = "";

	snprintf(origin, sizeof(origin), "%s@%s", d->node, d->site);
	fake_alert(&a, d);
	respond_apply_remote(e->resp, e->sla, d->action, d->expires_ms - now_real,
			     origin, &a, sgd_mono_ms());
	if (a.actions && json_object_array_length(a.actions) > 0) {
		cm = json_object_get_string(json_object_array_get_idx(a.actions, 0));
		f->c.applied++;
		sgd_log(LOG_NOTICE, "fleet: decision %s of %s (alert %s): %s %s %s for %llu s",
			d->id, origin, d->alert, cm, sla_action_name(d->action), d->target,
			(unsigned long long)((d->expires_ms - now_real + 999) / 1000));
	} else {
		f->c.refused++;
		sgd_log(LOG_WARNING, "fleet: decision %s of %s (%s %s) not applied here: %s",
			d->id, origin, sla_action_name(d->action), d->target, refusal_of(&a));
	}
	fleet_ledger_note(&f->ledger, d, cm);
	json_object_put(a.evidence);
	json_object_put(a.actions);
}

static void revoke_here(struct fleet *f, const struct fleet_decision *d)
{
	const struct fleet_ledger_entry *le = fleet_ledger_find(&f->ledger, d->id);
	char cm[24], err[256];

	snprintf(cm, sizeof(cm), "%s", le ? le->cm : "");
	fleet_ledger_note(&f->ledger, d, NULL);
	if (!cm[0])
		return;
	f->applying = true;
	if (respond_revoke(f->e->resp, cm, err, sizeof(err)) == 0)
		sgd_log(LOG_NOTICE, "fleet: decision %s revoked by %s@%s: %s lifted",
			d->id, d->node, d->site, cm);
	f->applying = false;
}

static void handle(struct fleet *f, struct in_item *it, uint64_t now_real)
{
	enum fleet_verdict v;

	if (it->bad) {
		f->c.malformed++;
		sgd_log(LOG_WARNING, "fleet: malformed decision on %s: %s",
			natsMsg_GetSubject(it->msg), it->err);
		return;
	}
	v = fleet_ledger_judge(&f->ledger, &it->d, f->site, f->node, now_real);
	switch (v) {
	case FLEET_DO_APPLY:
		apply_here(f, &it->d, now_real);
		break;
	case FLEET_DO_REVOKE:
		revoke_here(f, &it->d);
		break;
	case FLEET_SKIP_OWN:
	case FLEET_SKIP_LOCAL:
		break;
	default:
		f->c.skipped++;
		sgd_log(LOG_INFO, "fleet: decision %s of %s@%s skipped: %s", it->d.id,
			it->d.node, it->d.site, fleet_verdict_name(v));
	}
}

/*
 * At most IN_BATCH decisions per wake-up: a burst from the fleet takes
 * turns with the module's events and the sockets instead of holding the
 * loop for as long as its nftables transactions take.
 */
static void apply_deployed(struct fleet *f);
static void make_status(struct fleet *f, bool now);

static void on_event(struct loop_handler *h, uint32_t events)
{
	struct fleet *f = h->arg;
	struct in_item *in, *last = NULL;
	uint64_t n, now_real = real_ms();
	size_t taken = 0;
	bool more;

	(void)events;
	if (read(f->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing new. */
	}
	pthread_mutex_lock(&f->mu);
	more = f->deploy_text != NULL;
	pthread_mutex_unlock(&f->mu);
	if (more) {
		apply_deployed(f);
		make_status(f, true);
	}
	pthread_mutex_lock(&f->mu);
	in = f->in_head;
	for (last = in; last && ++taken < IN_BATCH && last->next;)
		last = last->next;
	if (last) {
		f->in_head = last->next;
		if (!f->in_head)
			f->in_tail = NULL;
		last->next = NULL;
	}
	more = f->in_head != NULL;
	pthread_mutex_unlock(&f->mu);
	for (struct in_item *it = in; it; it = it->next)
		handle(f, it, now_real);
	if (last) {
		pthread_mutex_lock(&f->mu);
		last->next = f->done;
		f->done = in;
		pthread_mutex_unlock(&f->mu);
	}
	if (more)
		wake_loop(f);
}

/* ---- the loop's side: a deployed SLA, this node's status ---- */

static int write_file(const char *path, const char *text, size_t len)
{
	struct sgd_rewrite w;
	int ret = sgd_rewrite_open(&w, path);

	if (ret < 0)
		return ret;
	fwrite(text, 1, len, w.f);
	return sgd_rewrite_commit(&w);
}

/*
 * A new version of this node's SLA from the bucket: validated with the
 * SLA's own reader (errors name the bucket, key and revision, and the
 * line), then applied through the reload path, which swaps it in whole or
 * not at all. A refused version leaves the running SLA as it was.
 */
static void apply_deployed(struct fleet *f)
{
	char name[SLA_FLEET_NAME_MAX + 64], err[sizeof(f->sla_error)];
	struct sla *sla = NULL;
	char *text;
	size_t len;
	uint64_t rev;
	int ret;

	pthread_mutex_lock(&f->mu);
	text = f->deploy_text;
	len = f->deploy_len;
	rev = f->deploy_rev;
	f->deploy_text = NULL;
	pthread_mutex_unlock(&f->mu);
	if (!text)
		return;
	if (rev <= f->sla_rev) {
		free(text);	/* running it already (kept across a restart) */
		return;
	}
	snprintf(name, sizeof(name), "%s/%s@%llu", SLA_FLEET_BUCKET_SLA, f->node,
		 (unsigned long long)rev);
	err[0] = '\0';
	ret = sla_load_string(text, len, name, &sla, err, sizeof(err));
	sla_free(sla);
	if (!ret && !f->deploy_path) {
		snprintf(err, sizeof(err), "%s: no state directory to keep it in", name);
		ret = -EINVAL;
	}
	if (!ret && (ret = write_file(f->deploy_path, text, len)) < 0)
		snprintf(err, sizeof(err), "%s: %s: %s", name, f->deploy_path, strerror(-ret));
	if (!ret)
		ret = engine_reload(f->e, f->deploy_path, err, sizeof(err));
	if (!ret) {
		char revtext[32], revpath[PATH_MAX];
		int n = snprintf(revtext, sizeof(revtext), "%llu\n", (unsigned long long)rev);

		snprintf(revpath, sizeof(revpath), "%s.rev", f->deploy_path);
		if (write_file(revpath, revtext, (size_t)n) < 0)
			sgd_log(LOG_WARNING, "fleet: %s: not written: a restart runs the SLA file again",
				revpath);
	}
	pthread_mutex_lock(&f->mu);
	if (ret < 0) {
		f->refused_rev = rev;
		snprintf(f->sla_error, sizeof(f->sla_error), "%s", err);
	} else {
		f->sla_rev = rev;
	}
	pthread_mutex_unlock(&f->mu);
	if (ret < 0)
		sgd_log(LOG_ERR, "fleet: deployed SLA refused, the running SLA is unchanged: %s", err);
	else
		sgd_log(LOG_NOTICE, "fleet: deployed SLA %s (%s) running", f->e->sla->name, name);
	free(text);
}

static void make_status(struct fleet *f, bool now)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "node", json_object_new_string(f->node));
	json_object_object_add(o, "site", json_object_new_string(f->site));
	json_object_object_add(o, "real_ms", json_object_new_int64((int64_t)real_ms()));
	json_object_object_add(o, "sla", json_object_new_string(f->e->sla->name));
	json_object_object_add(o, "sla_file", json_object_new_string(f->e->sla_path));
	pthread_mutex_lock(&f->mu);
	json_object_object_add(o, "sla_revision", json_object_new_int64((int64_t)f->sla_rev));
	/* A refusal is news only until a later version runs. */
	if (f->refused_rev > f->sla_rev) {
		json_object_object_add(o, "refused_revision",
				       json_object_new_int64((int64_t)f->refused_rev));
		json_object_object_add(o, "sla_error", json_object_new_string(f->sla_error));
	}
	pthread_mutex_unlock(&f->mu);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (!text)
		return;
	pthread_mutex_lock(&f->mu);
	free(f->status_text);
	f->status_text = text;
	f->status_dirty |= now;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/*
 * The version deployed last, kept in the state directory with its
 * revision: a restarted node runs it again rather than its SLA file, so a
 * broken version put since is refused against it, not against the file.
 */
static void restore_deployed(struct fleet *f)
{
	char revpath[PATH_MAX], err[1024];
	unsigned long long rev = 0;
	FILE *in;

	if (!f->deploy_path)
		return;
	snprintf(revpath, sizeof(revpath), "%s.rev", f->deploy_path);
	in = fopen(revpath, "re");
	if (!in)
		return;
	if (fscanf(in, "%llu", &rev) != 1)
		rev = 0;
	fclose(in);
	if (!rev)
		return;
	if (engine_reload(f->e, f->deploy_path, err, sizeof(err)) < 0) {
		sgd_log(LOG_ERR, "fleet: the SLA deployed before (revision %llu) does not load, running the SLA file: %s",
			rev, err);
		return;
	}
	f->sla_rev = rev;
	sgd_log(LOG_NOTICE, "fleet: running the SLA deployed before, %s revision %llu",
		SLA_FLEET_BUCKET_SLA, rev);
}

/* ---- the loop's side: what this node publishes ---- */

static void publish_decision(struct fleet *f, const struct fleet_decision *d)
{
	char buf[1024], msgid[FLEET_ID_MAX + 48];
	int n = fleet_decision_encode(d, buf, sizeof(buf));

	if (n < 0)
		return;
	snprintf(msgid, sizeof(msgid), "%s:%s:%s@%s", d->id,
		 d->op == FLEET_REVOKE ? "revoke" : "apply", f->node, f->site);
	publish(f, "decision", msgid, buf, (size_t)n);
}

static void fill_self(struct fleet *f, struct fleet_decision *d)
{
	snprintf(d->site, sizeof(d->site), "%s", f->site);
	snprintf(d->node, sizeof(d->node), "%s", f->node);
}

static void on_decided(void *arg, const struct countermeasure *c,
		       const struct sla_countermeasure *pol, const struct alert *a)
{
	struct fleet *f = arg;
	struct fleet_decision d = { .op = FLEET_APPLY };
	uint64_t mono = sgd_mono_ms();

	fill_self(f, &d);
	/* Alert in the id: a new alert on the same target is a new decision. */
	snprintf(d.id, sizeof(d.id), "%s.%s.%s.%s", f->site, f->node, c->id, a->id);
	d.fleet = pol && pol->fleet && !c->dry_run;
	d.action = c->action;
	snprintf(d.target, sizeof(d.target), "%s", c->target);
	d.issued_ms = real_ms();
	d.expires_ms = d.issued_ms + (c->expires > mono ? c->expires - mono : 0);
	snprintf(d.alert, sizeof(d.alert), "%s", a->id);
	snprintf(d.ref, sizeof(d.ref), "%s", a->ref[0] ? a->ref : "unknown");
	d.severity = a->severity ? a->severity : SLA_SEV_LOW;
	if (d.fleet)
		fleet_ledger_note(&f->ledger, &d, c->id);
	publish_decision(f, &d);
}

/* An operator's revoke of a fleet decision, here or where it came from. */
static void on_revoked(void *arg, const struct countermeasure *c)
{
	struct fleet *f = arg;
	const struct fleet_ledger_entry *le;
	struct fleet_decision d = { .op = FLEET_REVOKE, .fleet = true };

	if (f->applying)
		return;
	le = fleet_ledger_by_cm(&f->ledger, c->id);
	/* Adopted after a restart: a new id for the same element. */
	if (!le && c->adopted)
		le = fleet_ledger_by_target(&f->ledger, c->action, c->target);
	if (!le)
		return;
	fill_self(f, &d);
	snprintf(d.id, sizeof(d.id), "%s", le->id);
	d.action = c->action;
	snprintf(d.target, sizeof(d.target), "%s", c->target);
	d.issued_ms = real_ms();
	d.expires_ms = le->expires_ms > d.issued_ms ? le->expires_ms : d.issued_ms;
	snprintf(d.alert, sizeof(d.alert), "%s", c->alert[0] ? c->alert : "none");
	snprintf(d.ref, sizeof(d.ref), "%s", c->ref[0] ? c->ref : "unknown");
	d.severity = c->severity ? c->severity : SLA_SEV_LOW;
	fleet_ledger_note(&f->ledger, &d, NULL);
	sgd_log(LOG_NOTICE, "fleet: revoke of decision %s shared", d.id);
	publish_decision(f, &d);
}

static void publish_json(struct fleet *f, const char *kind, const char *msgid,
			 struct json_object *o)
{
	const char *text;

	if (!o)
		return;
	json_object_object_add(o, "site", json_object_new_string(f->site));
	json_object_object_add(o, "node", json_object_new_string(f->node));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	publish(f, kind, msgid, text, strlen(text));
	json_object_put(o);
}

void fleet_on_alert(struct fleet *f, const struct alert *a)
{
	char msgid[FLEET_ID_MAX + 48];

	if (!f)
		return;
	snprintf(msgid, sizeof(msgid), "%s.%s.%s.%llu", f->site, f->node, a->id,
		 (unsigned long long)a->real_ms);
	publish_json(f, "alert", msgid, alert_to_json(a));
}

static void slo_changes(struct fleet *f)
{
	const struct engine *e = f->e;
	size_t n = slo_count(e->slos);

	if (f->slos_seen != e->slos || f->n_slo_last != n) {
		free(f->slo_last);
		f->slo_last = calloc(n ? n : 1, sizeof(*f->slo_last));
		f->n_slo_last = f->slo_last ? n : 0;
		f->slos_seen = e->slos;
		for (size_t i = 0; i < f->n_slo_last; i++)
			f->slo_last[i] = (enum slo_state)-1;	/* publish them all */
	}
	for (size_t i = 0; i < f->n_slo_last; i++) {
		const struct slo_status *st = slo_status(e->slos, i);
		char msgid[FLEET_ID_MAX + 96];
		struct json_object *o;

		if (st->state == f->slo_last[i])
			continue;
		f->slo_last[i] = st->state;
		snprintf(msgid, sizeof(msgid), "%s.%s.%s.%s.%llu", f->site, f->node,
			 st->slo->id, slo_state_name(st->state), (unsigned long long)real_ms());
		o = slo_status_json(st);
		/* The coordinator's composite SLOs name components. */
		if (o && st->slo->component)
			json_object_object_add(o, "component",
					       json_object_new_string(st->slo->component->name));
		publish_json(f, "slo", msgid, o);
	}
}

/* nats.c's error text without where nats.c set it: "(conn.c:1905): " */
static const char *nats_text(const char *t)
{
	const char *p = t && *t == '(' ? strstr(t, "): ") : NULL;

	return p ? p + 3 : t ? t : "";
}

/*
 * A server answered but would not have this node: kept for the alert, and
 * said once per reason (a node refused for days tries again and again).
 */
static void refused(struct fleet *f, natsStatus s, const char *text)
{
	char why[sizeof(f->refusal)];
	bool news;

	snprintf(why, sizeof(why), "%s", *text ? text : natsStatus_GetText(s));
	pthread_mutex_lock(&f->mu);
	news = strcmp(why, f->refusal) != 0;
	memcpy(f->refusal, why, sizeof(why));
	pthread_mutex_unlock(&f->mu);
	if (!news)
		return;
	if (s == NATS_CONNECTION_AUTH_FAILED)
		sgd_log(LOG_ERR, "fleet: the NATS server refused this node's login (%s): %s",
			f->login, why);
	else
		sgd_log(LOG_ERR, "fleet: NATS connection (%s): %s", f->login, why);
}

static void bus_watch(struct fleet *f, uint64_t now)
{
	char refusal[sizeof(f->refusal)];
	bool up;

	pthread_mutex_lock(&f->mu);
	up = f->bus_up;
	if (up)
		f->refusal[0] = '\0';
	memcpy(refusal, f->refusal, sizeof(refusal));
	pthread_mutex_unlock(&f->mu);
	if (up) {
		if (f->bus_alerted)
			sgd_log(LOG_NOTICE, "fleet: connected to the NATS servers again");
		f->down_since = 0;
		f->bus_alerted = false;
		return;
	}
	if (!f->down_since)
		f->down_since = now;
	if (f->bus_alerted || now - f->down_since < BUS_ALERT_MS)
		return;
	f->bus_alerted = true;
	{
		struct finding fi = { .kind = FINDING_LOST_EVENTS,
				      .severity = f->e->sla->defaults.lost_events.severity,
				      .real_ms = real_ms() };

		snprintf(fi.ref, sizeof(fi.ref), "fleet.bus");
		snprintf(fi.summary, sizeof(fi.summary),
			 "fleet bus lost: %s; other nodes' decisions are not received and this node's wait in a queue",
			 refusal[0] ? "the NATS servers refuse this node" : "no NATS server answers");
		fi.evidence = json_object_new_object();
		json_object_object_add(fi.evidence, "reason", json_object_new_string("fleet bus lost"));
		if (refusal[0])
			json_object_object_add(fi.evidence, "error",
					       json_object_new_string(refusal));
		json_object_object_add(fi.evidence, "node", json_object_new_string(f->origin));
		engine_raise(f->e, &fi);
	}
}

/* Everything of a fleet section, as one string to compare (NULL: ENOMEM). */
static char *cfg_text(const struct sla_fleet *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = c ? open_memstream(&text, &len) : NULL;

	if (!m)
		return c ? NULL : strdup("");
	for (size_t i = 0; i < c->n_servers; i++)
		fprintf(m, "%s,", c->servers[i]);
	fprintf(m, "\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", c->node, c->site, c->stream,
		c->credentials ? c->credentials : "", c->user ? c->user : "",
		c->password ? c->password : "", c->tls_ca ? c->tls_ca : "",
		c->tls_cert ? c->tls_cert : "", c->tls_key ? c->tls_key : "");
	fclose(m);
	return text;
}

/* The connection is made once: a reload cannot move the node silently. */
static void check_reload(struct fleet *f)
{
	char *now = cfg_text(f->e->sla->fleet);
	bool differs = now && f->cfg && strcmp(now, f->cfg);

	if (differs && !f->reload_warned)
		sgd_log(LOG_WARNING, "fleet: the reloaded SLA's fleet section differs from the one running (%s); it takes effect on restart",
			f->origin);
	f->reload_warned = differs;
	free(now);
}

void fleet_tick(struct fleet *f, uint64_t now)
{
	if (!f)
		return;
	check_reload(f);
	fleet_ledger_expire(&f->ledger, real_ms());
	if (f->ledger_path && f->ledger.changes != f->ledger_saved) {
		int ret = fleet_ledger_save(&f->ledger, f->ledger_path);

		if (ret < 0)
			sgd_log(LOG_WARNING, "fleet: %s: %s", f->ledger_path, strerror(-ret));
		f->ledger_saved = f->ledger.changes;	/* warn once per change */
	}
	slo_changes(f);
	bus_watch(f, now);
	make_status(f, false);
}

struct json_object *fleet_status_json(const struct fleet *cf)
{
	struct fleet *f = (struct fleet *)cf;
	struct json_object *o = json_object_new_object();
	struct fleet_counters c;
	size_t queued;
	bool up;

	pthread_mutex_lock(&f->mu);
	c = f->c;
	queued = f->out_n;
	up = f->bus_up;
	pthread_mutex_unlock(&f->mu);
	json_object_object_add(o, "node", json_object_new_string(f->node));
	json_object_object_add(o, "site", json_object_new_string(f->site));
	json_object_object_add(o, "stream", json_object_new_string(f->stream));
	json_object_object_add(o, "connected", json_object_new_boolean(up));
	json_object_object_add(o, "bus_alert", json_object_new_boolean(f->bus_alerted));
	json_object_object_add(o, "disconnects", json_object_new_int64((int64_t)c.disconnects));
	json_object_object_add(o, "queued", json_object_new_int64((int64_t)queued));
	json_object_object_add(o, "published", json_object_new_int64((int64_t)c.published));
	json_object_object_add(o, "publish_errors", json_object_new_int64((int64_t)c.publish_errors));
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)c.dropped));
	json_object_object_add(o, "received", json_object_new_int64((int64_t)c.received));
	json_object_object_add(o, "applied", json_object_new_int64((int64_t)f->c.applied));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)f->c.refused));
	json_object_object_add(o, "skipped", json_object_new_int64((int64_t)f->c.skipped));
	json_object_object_add(o, "malformed", json_object_new_int64((int64_t)f->c.malformed));
	json_object_object_add(o, "decisions_known", json_object_new_int64((int64_t)f->ledger.n));
	pthread_mutex_lock(&f->mu);
	json_object_object_add(o, "sla_revision", json_object_new_int64((int64_t)f->sla_rev));
	if (f->refused_rev) {
		json_object_object_add(o, "refused_revision",
				       json_object_new_int64((int64_t)f->refused_rev));
		json_object_object_add(o, "sla_error", json_object_new_string(f->sla_error));
	}
	pthread_mutex_unlock(&f->mu);
	return o;
}

/* ---- start and stop ---- */

/*
 * The client reads the credentials file only when it connects, and retries
 * in the background when it cannot: a missing or unreadable file would
 * only show as a bus that never comes up. (O_NONBLOCK: a FIFO must not
 * hold up the start.)
 */
static int creds_usable(const char *path)
{
	char b;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, &b, 1);
	int err = n < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		sgd_log(LOG_ERR, "fleet: credentials %s: %s", path, strerror(err));
	else if (n == 0)
		sgd_log(LOG_ERR, "fleet: credentials %s: empty; a NATS credentials file (.creds) holds a user JWT and its nkey seed",
			path);
	return n < 0 ? -err : n == 0 ? -EINVAL : 0;
}

/*
 * The connection and its JetStream context, or f->nc NULL when a server
 * refused this node (said, for the alert and the log): 0, -ECONNREFUSED,
 * or -EIO. Servers down: the client keeps trying in the background.
 */
static int dial(struct fleet *f)
{
	jsOptions jo;
	natsStatus s;

	/*
	 * A first attempt without retries: when a server answers but refuses
	 * (the login, TLS), nats.c 3.4 retrying in the background gives up at
	 * once and the reason is gone; this attempt's error says why.
	 */
	natsOptions_SetRetryOnFailedConnect(f->opts, false, NULL, NULL);
	s = natsConnection_Connect(&f->nc, f->opts);
	if (s != NATS_OK && s != NATS_NO_SERVER) {
		refused(f, s, nats_text(nats_GetLastError(NULL)));
		f->nc = NULL;
		return -ECONNREFUSED;
	}
	if (s != NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(f->opts, true, on_connected, f);
	if (s == NATS_OK && !f->nc)
		s = natsConnection_Connect(&f->nc, f->opts);
	if (s == NATS_OK) {
		set_bus(f, true);
	} else if (s != NATS_NOT_YET_CONNECTED) {
		sgd_log(LOG_ERR, "fleet: NATS connection: %s", natsStatus_GetText(s));
		natsConnection_Destroy(f->nc);
		f->nc = NULL;
		return -EIO;
	}
	jsOptions_Init(&jo);
	jo.Wait = PUBLISH_WAIT_MS;
	s = natsConnection_JetStream(&f->js, f->nc, &jo);
	if (s != NATS_OK) {
		sgd_log(LOG_ERR, "fleet: JetStream context: %s", natsStatus_GetText(s));
		natsConnection_Destroy(f->nc);
		f->nc = NULL;
		return -EIO;
	}
	return 0;
}

static int connect_bus(struct fleet *f, const struct sla_fleet *cfg)
{
	natsStatus s = natsOptions_Create(&f->opts);
	char name[sizeof(f->origin) + 16];

	snprintf(name, sizeof(name), "slaguardd %s", f->origin);
	if (cfg->credentials)
		snprintf(f->login, sizeof(f->login), "credentials %s", cfg->credentials);
	else if (cfg->user)
		snprintf(f->login, sizeof(f->login), "user %s", cfg->user);
	else
		snprintf(f->login, sizeof(f->login), "no login");
	if (cfg->credentials && creds_usable(cfg->credentials) < 0)
		return -EINVAL;
	if (s == NATS_OK)
		s = natsOptions_SetServers(f->opts, (const char **)cfg->servers,
					   (int)cfg->n_servers);
	if (s == NATS_OK)
		s = natsOptions_SetName(f->opts, name);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(f->opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(f->opts, RETRY_MS);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(f->opts, 2000);
	if (s == NATS_OK && cfg->credentials)
		s = natsOptions_SetUserCredentialsFromFiles(f->opts, cfg->credentials, NULL);
	if (s == NATS_OK && cfg->user)
		s = natsOptions_SetUserInfo(f->opts, cfg->user, cfg->password);
	if (s == NATS_OK && cfg->tls_ca)
		s = natsOptions_SetSecure(f->opts, true);
	if (s == NATS_OK && cfg->tls_ca)
		s = natsOptions_LoadCATrustedCertificates(f->opts, cfg->tls_ca);
	if (s == NATS_OK && cfg->tls_cert)
		s = natsOptions_LoadCertificatesChain(f->opts, cfg->tls_cert, cfg->tls_key);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(f->opts, on_disconnected, f);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(f->opts, on_connected, f);
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(f->opts, on_closed, f);
	if (s != NATS_OK) {
		sgd_log(LOG_ERR, "fleet: NATS options: %s: %s", natsStatus_GetText(s),
			nats_GetLastError(NULL));
		return -EINVAL;
	}
	return dial(f) == -EIO ? -EIO : 0;
}

/* ---- the keeper thread: a connection the client gave up, made again ---- */

/* Waits MS, less when the fleet closes: false then. */
static bool keep_wait(struct fleet *f, uint64_t ms)
{
	uint64_t now, until = sgd_mono_ms() + ms;
	bool go;

	pthread_mutex_lock(&f->mu);
	while (!f->closing && (now = sgd_mono_ms()) < until)
		timed_wait(f, until - now);	/* cv is broadcast for the others too */
	go = !f->closing;
	pthread_mutex_unlock(&f->mu);
	return go;
}

/*
 * The publisher, fetcher and kv threads use the connection: they return
 * within a wait of theirs (FETCH_WAIT_MS at most) once told to stop.
 */
static int start_workers(struct fleet *f)
{
	if (pthread_create(&f->pub_t, NULL, pub_main, f) == 0)
		f->pub_started = true;
	if (f->pub_started && pthread_create(&f->sub_t, NULL, sub_main, f) == 0)
		f->sub_started = true;
	if (f->sub_started && pthread_create(&f->kv_t, NULL, kv_main, f) == 0)
		f->kv_started = true;
	return f->kv_started ? 0 : -EAGAIN;
}

static void stop_workers(struct fleet *f)
{
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (f->pub_started)
		pthread_join(f->pub_t, NULL);
	if (f->sub_started)
		pthread_join(f->sub_t, NULL);
	if (f->kv_started)
		pthread_join(f->kv_t, NULL);
	f->pub_started = f->sub_started = f->kv_started = false;
}

/*
 * The closed connection replaced: its threads stopped, a new one made and
 * the threads started on it. The queue of messages to publish stays; the
 * durable consumer delivers what was stored meanwhile.
 */
static void redial(struct fleet *f)
{
	bool go;

	stop_workers(f);
	jsCtx_Destroy(f->js);
	if (f->nc)
		wait_closed(f, f->nc);
	natsConnection_Destroy(f->nc);
	f->js = NULL;
	f->nc = NULL;
	if (dial(f) < 0)
		return;
	pthread_mutex_lock(&f->mu);
	f->conn++;
	go = !f->closing;
	f->stop = !go;
	pthread_mutex_unlock(&f->mu);
	if (go && start_workers(f) < 0) {
		sgd_log(LOG_ERR, "fleet: no threads for the NATS connection: %s", strerror(EAGAIN));
		stop_workers(f);
	}
}

static bool bus_is_up(struct fleet *f)
{
	bool up;

	pthread_mutex_lock(&f->mu);
	up = f->bus_up;
	pthread_mutex_unlock(&f->mu);
	return up;
}

/* The client's last error, when it is a refused login. */
static bool text_of_refusal(struct fleet *f, const char **text)
{
	*text = NULL;
	if (natsConnection_GetLastError(f->nc, text) != NATS_CONNECTION_AUTH_FAILED || !*text)
		return false;
	*text = nats_text(*text);
	return true;
}

/*
 * While the client reconnects, a server refusing this node's login is
 * said (once per reason). The same refusal twice, or any at the first
 * connection, and nats.c 3.4 closes the connection for good: the keeper
 * then makes a new one, after REDIAL_FIRST_MS, doubling up to
 * REDIAL_MAX_MS while it is refused; a connection that stays up a check
 * (KEEP_CHECK_MS) starts the back-off again.
 */
static void *keep_main(void *arg)
{
	struct fleet *f = arg;
	uint64_t backoff = REDIAL_FIRST_MS, wait = KEEP_CHECK_MS;

	while (keep_wait(f, wait)) {
		natsConnStatus st = f->nc ? natsConnection_Status(f->nc) :
					    NATS_CONN_STATUS_CLOSED;
		const char *text = NULL;

		wait = KEEP_CHECK_MS;
		if (st == NATS_CONN_STATUS_CONNECTED)
			backoff = REDIAL_FIRST_MS;
		if (st != NATS_CONN_STATUS_CLOSED) {
			if (!bus_is_up(f) && text_of_refusal(f, &text))
				refused(f, NATS_CONNECTION_AUTH_FAILED, text);
			continue;
		}
		if (f->nc)
			sgd_log(LOG_NOTICE, "fleet: the NATS client gave up (%s); connecting again",
				f->login);
		redial(f);
		if (!f->nc) {
			wait = backoff;
			backoff = backoff * 2 < REDIAL_MAX_MS ? backoff * 2 : REDIAL_MAX_MS;
		}
	}
	return NULL;
}

/*
 * The ledger of an earlier run: decisions still due, pointed at the
 * countermeasures adopted from the table (they have new ids).
 */
static void load_ledger(struct fleet *f, const char *state_dir)
{
	int ret;

	if (!state_dir || asprintf(&f->ledger_path, "%s/fleet-ledger", state_dir) < 0) {
		f->ledger_path = NULL;
		return;
	}
	ret = fleet_ledger_load(&f->ledger, f->ledger_path, real_ms());
	if (ret < 0)
		sgd_log(LOG_WARNING, "fleet: %s: %s: decisions handled before are not known",
			f->ledger_path, strerror(-ret));
	for (size_t i = 0; i < f->ledger.n; i++) {
		const struct fleet_ledger_entry *le = &f->ledger.e[i];
		const struct countermeasure *c = le->target[0] && !le->revoked ?
			respond_find_target(f->e->resp, le->action, le->target) : NULL;

		if (c)
			fleet_ledger_rebind(&f->ledger, le->id, c->id);
	}
	f->ledger_saved = f->ledger.changes;
	if (f->ledger.n)
		sgd_log(LOG_INFO, "fleet: %zu decisions still due known from %s",
			f->ledger.n, f->ledger_path);
}

int fleet_new(struct fleet **out, const struct sla_fleet *cfg,
	      struct engine *e, struct loop *l, const char *state_dir)
{
	struct fleet *f = calloc(1, sizeof(*f));
	struct respond_listener rl;
	int ret;

	*out = NULL;
	if (!f)
		return -ENOMEM;
	f->efd = -1;
	pthread_mutex_init(&f->mu, NULL);
	pthread_mutex_init(&f->stream_mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->e = e;
	f->loop = l;
	f->cfg = cfg_text(cfg);
	fleet_ledger_init(&f->ledger, LEDGER_MAX);
	load_ledger(f, state_dir);
	if (state_dir && asprintf(&f->deploy_path, "%s/" DEPLOYED_FILE, state_dir) < 0)
		f->deploy_path = NULL;
	f->node = strdup(cfg->node);
	f->site = strdup(cfg->site);
	f->stream = strdup(cfg->stream ? cfg->stream : SLA_FLEET_STREAM);
	if (!f->node || !f->site || !f->stream) {
		fleet_free(f);
		return -ENOMEM;
	}
	snprintf(f->origin, sizeof(f->origin), "%s@%s", f->node, f->site);
	snprintf(f->prefix, sizeof(f->prefix), "slaguard.%s.%s", f->site, f->node);
	/* Durable names may not hold '.'. */
	snprintf(f->durable, sizeof(f->durable), "%s_%s", f->site, f->node);
	f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->efd < 0) {
		ret = -errno;
		fleet_free(f);
		return ret;
	}
	f->h = (struct loop_handler){ .fd = f->efd, .fn = on_event, .arg = f };
	ret = loop_add(l, &f->h, EPOLLIN);
	if (ret < 0) {
		f->h.fd = -1;
		fleet_free(f);
		return ret;
	}
	ret = connect_bus(f, cfg);
	if (!ret && f->nc)
		ret = start_workers(f);
	if (!ret && pthread_create(&f->keep_t, NULL, keep_main, f) == 0)
		f->keep_started = true;
	if (!ret && !f->keep_started)
		ret = -EAGAIN;
	if (ret < 0) {
		fleet_free(f);
		return ret;
	}
	/* Last: the reload frees the SLA that CFG belongs to. */
	restore_deployed(f);
	rl = (struct respond_listener){ .decided = on_decided, .revoked = on_revoked,
					.arg = f };
	respond_set_listener(e->resp, &rl);
	sgd_log(LOG_NOTICE, "fleet: node %s, publishing on %s.*, durable consumer %s of stream %s",
		f->origin, f->prefix, f->durable, f->stream);
	*out = f;
	return 0;
}

void fleet_free(struct fleet *f)
{
	struct respond_listener none = { 0 };

	if (!f)
		return;
	if (f->e && f->e->resp)
		respond_set_listener(f->e->resp, &none);
	/* The keeper first: it may be starting the others. */
	pthread_mutex_lock(&f->mu);
	f->closing = true;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (f->keep_started)
		pthread_join(f->keep_t, NULL);
	stop_workers(f);
	jsCtx_Destroy(f->js);
	if (f->nc) {
		natsConnection_Close(f->nc);
		wait_closed(f, f->nc);
		natsConnection_Destroy(f->nc);
	}
	natsOptions_Destroy(f->opts);
	if (f->h.fd >= 0 && f->efd >= 0)
		loop_del(f->loop, &f->h);
	if (f->efd >= 0)
		close(f->efd);
	while (f->out_head) {
		struct out_item *next = f->out_head->next;

		free(f->out_head);
		f->out_head = next;
	}
	for (struct in_item *lists[2] = { f->in_head, f->done }, **p = lists; p < lists + 2; p++)
		while (*p) {
			struct in_item *next = (*p)->next;

			natsMsg_Destroy((*p)->msg);
			free(*p);
			*p = next;
		}
	if (f->ledger_path && f->ledger.changes != f->ledger_saved)
		fleet_ledger_save(&f->ledger, f->ledger_path);
	fleet_ledger_fini(&f->ledger);
	free(f->slo_last);
	free(f->ledger_path);
	free(f->deploy_text);
	free(f->status_text);
	free(f->deploy_path);
	free(f->cfg);
	free(f->node);
	free(f->site);
	free(f->stream);
	pthread_mutex_destroy(&f->mu);
	pthread_mutex_destroy(&f->stream_mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
