// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard-coord - the coordinator on the fleet's NATS JetStream bus. It
 * reads the nodes' slaguard.<site>.<node>.{slo,alert,decision} through a
 * durable push consumer (a restarted coordinator carries on where it
 * left; not a pull consumer: libnats 3.4's fetch of more than one message
 * can write past its array, nats.c #749), watches their status keys (bucket slaguard-status: a heartbeat
 * with the SLA version each runs), publishes the composite SLOs' state
 * changes on slaguard.<site>.<coord>.composite and keeps the whole state
 * in bucket slaguard-coord, key <composite>, for slaguardctl fleet
 * nodes|alerts. It also creates the buckets the fleet uses, slaguard-sla
 * (the nodes' SLAs, deployed by slaguardctl fleet deploy) among them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <nats/nats.h>

#include "bus.h"
#include "coord.h"
#include "page.h"

/* At most this many messages handled between two evaluations. */
#define FETCH_BATCH		128
#define FETCH_WAIT_MS		250
#define MAX_ACK_PENDING		1024
/* Idle this long: check that the server still has the consumer. */
#define CONSUMER_CHECK_MS	5000
#define EVAL_MS			500
#define STATE_PUT_MS		2000
#define ACK_WAIT_NS		(10LL * 1000000000)
#define STREAM_MAX_AGE_NS	((int64_t)(SLA_MAX_ACTION_MS + 86400000ULL) * 1000000)
#define DUPLICATE_WINDOW_NS	(10LL * 60 * 1000000000)

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

uint64_t coord_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define LOG(fmt, ...) fprintf(stderr, "slaguard-coord: " fmt "\n", ##__VA_ARGS__)

int coord_bus_connect(const struct sla_fleet *fl, const char *name,
		      natsConnection **nc, jsCtx **js)
{
	natsOptions *opts = NULL;
	natsStatus s = natsOptions_Create(&opts);
	jsOptions jo;

	if (s == NATS_OK)
		s = natsOptions_SetServers(opts, (const char **)fl->servers, (int)fl->n_servers);
	if (s == NATS_OK)
		s = natsOptions_SetName(opts, name);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(opts, 500);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(opts, 3000);
	if (s == NATS_OK && fl->credentials)
		s = natsOptions_SetUserCredentialsFromFiles(opts, fl->credentials, NULL);
	if (s == NATS_OK && fl->user)
		s = natsOptions_SetUserInfo(opts, fl->user, fl->password);
	if (s == NATS_OK && fl->tls_ca)
		s = natsOptions_SetSecure(opts, true);
	if (s == NATS_OK && fl->tls_ca)
		s = natsOptions_LoadCATrustedCertificates(opts, fl->tls_ca);
	if (s == NATS_OK && fl->tls_cert)
		s = natsOptions_LoadCertificatesChain(opts, fl->tls_cert, fl->tls_key);
	if (s == NATS_OK)
		s = natsConnection_Connect(nc, opts);
	natsOptions_Destroy(opts);
	if (s != NATS_OK) {
		fprintf(stderr, "cannot connect to %s: %s (%s)\n", fl->servers[0],
			natsStatus_GetText(s), nats_GetLastError(NULL));
		return -EIO;
	}
	jsOptions_Init(&jo);
	jo.Wait = 5000;
	s = natsConnection_JetStream(js, *nc, &jo);
	if (s != NATS_OK) {
		natsConnection_Destroy(*nc);
		*nc = NULL;
		fprintf(stderr, "JetStream: %s\n", natsStatus_GetText(s));
		return -EIO;
	}
	return 0;
}

int coord_bus_kv(jsCtx *js, const char *bucket, int history, bool create,
		 kvStore **kv)
{
	kvConfig cfg;
	natsStatus s = js_KeyValue(kv, js, bucket);

	if (s == NATS_OK || !create)
		return s == NATS_OK ? 0 : -ENOENT;
	kvConfig_Init(&cfg);
	cfg.Bucket = bucket;
	cfg.History = (uint8_t)history;
	cfg.StorageType = js_FileStorage;
	s = js_CreateKeyValue(kv, js, &cfg);
	if (s != NATS_OK) {
		fprintf(stderr, "key-value bucket %s: %s (%s)\n", bucket,
			natsStatus_GetText(s), nats_GetLastError(NULL));
		return -EIO;
	}
	return 0;
}

/* The stream the nodes publish to, as fleet.c creates it. */
static int ensure_stream(jsCtx *js, const char *stream)
{
	jsStreamInfo *si = NULL;
	jsStreamConfig cfg;
	jsErrCode jerr = 0;
	const char *subjects[] = { "slaguard.>" };
	natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, &jerr);

	if (s != NATS_OK && jerr == JSStreamNotFoundErr) {
		jsStreamConfig_Init(&cfg);
		cfg.Name = stream;
		cfg.Subjects = subjects;
		cfg.SubjectsLen = 1;
		cfg.Storage = js_FileStorage;
		cfg.MaxAge = STREAM_MAX_AGE_NS;
		cfg.Duplicates = DUPLICATE_WINDOW_NS;
		s = js_AddStream(&si, js, &cfg, NULL, &jerr);
	}
	jsStreamInfo_Destroy(si);
	if (s != NATS_OK) {
		LOG("stream %s: %s (%s)", stream, natsStatus_GetText(s), nats_GetLastError(NULL));
		return -EIO;
	}
	return 0;
}

struct run {
	struct sla_composite *comp;
	struct coord co;
	natsConnection *nc;
	jsCtx *js;
	kvStore *kv_status, *kv_sla, *kv_coord;
	natsSubscription *sub;
	kvWatcher *watch;
	char stream[64], durable[128];
	char subject[160];
	int64_t last_ns;	/* stream time of the last message handled */
	uint64_t unknown_nodes, malformed;
};

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : 0;
}

static bool high(const char *sev)
{
	return sev && (!strcmp(sev, "high") || !strcmp(sev, "critical"));
}

/* slaguard.<site>.<node>.<kind>: the node's index, or -1. */
static int subject_node(struct run *r, const char *subject, char *kind, size_t klen)
{
	char site[SLA_FLEET_NAME_MAX + 1], node[SLA_FLEET_NAME_MAX + 1];

	if (sscanf(subject, "slaguard.%32[^.].%32[^.].%15s", site, node, kind) != 3)
		return -1;
	(void)klen;
	return sla_composite_node(r->comp, site, node);
}

static void handle_msg(struct run *r, natsMsg *msg)
{
	char kind[16];
	int node = subject_node(r, natsMsg_GetSubject(msg), kind, sizeof(kind));
	jsMsgMetaData *meta = NULL;
	uint64_t ms = coord_now_ms();
	struct json_object *o;

	if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
		ms = (uint64_t)(meta->Timestamp / 1000000);
		if (meta->Timestamp > r->last_ns)
			r->last_ns = meta->Timestamp;
		jsMsgMetaData_Destroy(meta);
	}
	if (node < 0) {
		r->unknown_nodes++;
		return;
	}
	o = json_tokener_parse(natsMsg_GetData(msg) ? natsMsg_GetData(msg) : "");
	if (!o || !json_object_is_type(o, json_type_object)) {
		r->malformed++;
		json_object_put(o);
		return;
	}
	if (!strcmp(kind, "slo")) {
		struct json_object *ev;
		char reason[COORD_TEXT_MAX] = "";
		const char *why = json_object_object_get_ex(o, "evidence", &ev) ?
			jstr(ev, "reason") : NULL;

		if (why)
			snprintf(reason, sizeof(reason), "%s", why);
		else if (jstr(o, "value"))
			snprintf(reason, sizeof(reason), "value %s, %s %s", jstr(o, "value"),
				 jstr(o, "bound_kind") ? jstr(o, "bound_kind") : "bound",
				 jstr(o, "bound") ? jstr(o, "bound") : "?");
		if (jstr(o, "id"))
			coord_node_slo(&r->co, (size_t)node, jstr(o, "id"), jstr(o, "component"),
				       coord_state_from_name(jstr(o, "state")), reason, ms);
	} else if (!strcmp(kind, "alert")) {
		const char *sev = jstr(o, "severity"), *ref = jstr(o, "ref");

		coord_alert(&r->co, (size_t)node, jstr(o, "id"), ref, sev, jstr(o, "summary"), ms);
		if (high(sev) && !(ref && !strcmp(ref, "fleet.bus"))) {
			char what[COORD_TEXT_MAX];

			snprintf(what, sizeof(what), "alert %s %s (%s)", jstr(o, "id"),
				 ref ? ref : "", sev);
			coord_attack(&r->co, (size_t)node, what, ms);
		}
	} else if (!strcmp(kind, "decision")) {
		const char *op = jstr(o, "op");
		char what[COORD_TEXT_MAX];

		if (op && !strcmp(op, "apply")) {
			snprintf(what, sizeof(what), "decision %s %s for alert %s %s",
				 jstr(o, "action") ? jstr(o, "action") : "?",
				 jstr(o, "target") ? jstr(o, "target") : "?",
				 jstr(o, "alert") ? jstr(o, "alert") : "?",
				 jstr(o, "ref") ? jstr(o, "ref") : "");
			coord_attack(&r->co, (size_t)node,
				     what, (uint64_t)jint(o, "issued_ms") ? (uint64_t)jint(o, "issued_ms") : ms);
		} else {
			coord_heard(&r->co, (size_t)node, ms);
		}
	} else if (strcmp(kind, "composite")) {
		coord_heard(&r->co, (size_t)node, ms);
	}
	json_object_put(o);
}

/* A status key: "<node>" of bucket slaguard-status. */
static void handle_status(struct run *r, kvEntry *e)
{
	struct json_object *o;
	int node;
	uint64_t ms;
	const char *site;

	if (kvEntry_Operation(e) != kvOp_Put)
		return;
	o = json_tokener_parse(kvEntry_ValueString(e) ? kvEntry_ValueString(e) : "");
	if (!o) {
		r->malformed++;
		return;
	}
	site = jstr(o, "site");
	node = sla_composite_node(r->comp, site, kvEntry_Key(e));
	ms = (uint64_t)(kvEntry_Created(e) / 1000000);
	if (node >= 0)
		coord_status(&r->co, (size_t)node, (uint64_t)jint(o, "sla_revision"),
			     jstr(o, "sla"), jstr(o, "sla_error"), ms);
	else
		r->unknown_nodes++;
	json_object_put(o);
}

static void on_changed(void *arg, const struct coord *co, size_t i, enum coord_state was)
{
	struct run *r = arg;
	struct json_object *o = coord_slo_json(co, i);
	const char *text;
	natsStatus s;

	json_object_object_add(o, "was", json_object_new_string(coord_state_name(was)));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	LOG("composite SLO %s: %s -> %s: %s", co->comp->slos[i].id, coord_state_name(was),
	    coord_state_name(co->slos[i].state), co->slos[i].evidence);
	s = js_Publish(NULL, r->js, r->subject, text, (int)strlen(text), NULL, NULL);
	if (s != NATS_OK)
		LOG("publishing on %s: %s", r->subject, natsStatus_GetText(s));
	json_object_put(o);
}

static void put_state(struct run *r, uint64_t now)
{
	struct json_object *o = coord_state_json(&r->co, now);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	natsStatus s = kvStore_PutString(NULL, r->kv_coord, r->comp->name, text);

	if (s != NATS_OK)
		LOG("state into bucket %s: %s", SLA_FLEET_BUCKET_COORD, natsStatus_GetText(s));
	json_object_put(o);
}

/*
 * The nodes' messages, from the coordinator's durable consumer: from the
 * start of the stream when it is created, or, when the server lost it,
 * from just after the last message this coordinator handled.
 */
static natsStatus subscribe(struct run *r)
{
	jsSubOptions so;
	jsErrCode jerr = 0;

	jsSubOptions_Init(&so);
	so.Stream = r->stream;
	so.ManualAck = true;
	so.Config.Durable = r->durable;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = r->last_ns ? js_DeliverByStartTime : js_DeliverAll;
	so.Config.OptStartTime = r->last_ns ? r->last_ns + 1 : 0;
	so.Config.AckWait = ACK_WAIT_NS;
	so.Config.MaxAckPending = MAX_ACK_PENDING;
	return js_SubscribeSync(&r->sub, r->js, "slaguard.>", NULL, &so, &jerr);
}

/* True when the server no longer has the consumer (it lost its state). */
static bool consumer_gone(struct run *r)
{
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s = js_GetConsumerInfo(&ci, r->js, r->stream, r->durable, NULL, &jerr);

	jsConsumerInfo_Destroy(ci);
	return s != NATS_OK && jerr == JSConsumerNotFoundErr;
}

static int setup(struct run *r)
{
	const struct sla_fleet *fl = r->comp->fleet;
	char name[128];
	natsStatus s;

	snprintf(r->stream, sizeof(r->stream), "%s", fl->stream ? fl->stream : SLA_FLEET_STREAM);
	snprintf(name, sizeof(name), "slaguard-coord %s", r->comp->name);
	if (coord_bus_connect(fl, name, &r->nc, &r->js) < 0)
		return -EIO;
	if (ensure_stream(r->js, r->stream) < 0 ||
	    coord_bus_kv(r->js, SLA_FLEET_BUCKET_SLA, 8, true, &r->kv_sla) < 0 ||
	    coord_bus_kv(r->js, SLA_FLEET_BUCKET_STATUS, 1, true, &r->kv_status) < 0 ||
	    coord_bus_kv(r->js, SLA_FLEET_BUCKET_COORD, 1, true, &r->kv_coord) < 0)
		return -EIO;
	/* Durable names may not hold '.'. */
	snprintf(r->durable, sizeof(r->durable), "coord_%s", r->comp->name);
	for (char *p = r->durable; *p; p++)
		if (*p == '.')
			*p = '_';
	s = subscribe(r);
	if (s == NATS_OK)
		s = kvStore_WatchAll(&r->watch, r->kv_status, NULL);
	if (s != NATS_OK) {
		LOG("consumer %s: %s (%s)", r->durable, natsStatus_GetText(s),
		    nats_GetLastError(NULL));
		return -EIO;
	}
	/*
	 * The durable consumer goes on after what was acknowledged: what the
	 * nodes said before comes from the state this coordinator kept.
	 */
	{
		kvEntry *e = NULL;

		if (kvStore_Get(&e, r->kv_coord, r->comp->name) == NATS_OK) {
			struct json_object *o = json_tokener_parse(kvEntry_ValueString(e));
			int n = o ? coord_restore(&r->co, o) : -EINVAL;

			if (n >= 0)
				LOG("state of %d nodes restored from bucket %s", n,
				    SLA_FLEET_BUCKET_COORD);
			json_object_put(o);
		}
		kvEntry_Destroy(e);
	}
	snprintf(r->subject, sizeof(r->subject), "slaguard.%s.%s.composite", fl->site, fl->node);
	LOG("composite SLA %s: %zu nodes, %zu SLOs; durable consumer %s of stream %s, publishing on %s",
	    r->comp->name, r->comp->n_nodes, r->comp->n_slos, r->durable, r->stream, r->subject);
	return 0;
}

/*
 * What the consumer holds, FETCH_BATCH at most, waiting FETCH_WAIT_MS for
 * the first; each acknowledged once handled. Returns how many.
 */
static int take_messages(struct run *r)
{
	int n = 0;
	natsMsg *m = NULL;

	while (n < FETCH_BATCH &&
	       natsSubscription_NextMsg(&m, r->sub, n ? 0 : FETCH_WAIT_MS) == NATS_OK) {
		handle_msg(r, m);
		natsMsg_Ack(m, NULL);
		natsMsg_Destroy(m);
		m = NULL;
		n++;
	}
	return n;
}

/* The server lost the consumer (restarted without its state): again. */
static int resubscribe(struct run *r)
{
	natsSubscription_Destroy(r->sub);
	r->sub = NULL;
	LOG("consumer %s is gone from the server; subscribing again", r->durable);
	if (subscribe(r) != NATS_OK) {
		LOG("consumer %s: %s", r->durable, nats_GetLastError(NULL));
		return -EIO;
	}
	return 0;
}

int coord_run(struct sla_composite *comp, struct coord_page *page)
{
	struct run r = { .comp = comp };
	uint64_t last_eval = 0, last_put = 0, idle_since = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ret = coord_init(&r.co, comp);
	if (ret < 0)
		return ret;
	ret = setup(&r);
	while (!ret && !stop_now) {
		kvEntry *e = NULL;
		uint64_t now;
		bool changed = false;

		if (take_messages(&r) == 0) {
			if (!idle_since)
				idle_since = coord_now_ms();
			if (coord_now_ms() - idle_since >= CONSUMER_CHECK_MS) {
				idle_since = 0;
				if (consumer_gone(&r))
					ret = resubscribe(&r);
			}
		} else {
			idle_since = 0;
		}
		while (kvWatcher_Next(&e, r.watch, 1) == NATS_OK) {
			if (e)
				handle_status(&r, e);
			kvEntry_Destroy(e);
			e = NULL;
		}
		now = coord_now_ms();
		if (now - last_eval >= EVAL_MS) {
			changed = coord_evaluate(&r.co, now, on_changed, &r) > 0;
			coord_page_update(page, &r.co, now);
			last_eval = now;
		}
		if (changed || now - last_put >= STATE_PUT_MS) {
			put_state(&r, now);
			last_put = now;
		}
	}
	if (r.watch)
		kvWatcher_Destroy(r.watch);
	natsSubscription_Destroy(r.sub);
	kvStore_Destroy(r.kv_sla);
	kvStore_Destroy(r.kv_status);
	kvStore_Destroy(r.kv_coord);
	jsCtx_Destroy(r.js);
	if (r.nc) {
		natsConnection_Close(r.nc);
		natsConnection_Destroy(r.nc);
	}
	coord_fini(&r.co);
	return ret;
}
