// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How fast a fleet decision reaches every node:
 *
 *   fleet_prop [--pull | --conns=C] [--async] [--asap] URL [NODES [DECISIONS]]
 *
 * NODES simulated nodes (default 100), each a connection and a durable
 * JetStream consumer of slaguard.*.*.decision configured as slaguardd's
 * fleet fetcher does it (userspace/slaguardd/fleet/fleet.c: a push
 * consumer, explicit acks, 1024 unacknowledged at most), and one origin
 * that publishes DECISIONS decisions (default 10,000) in a burst, each
 * waiting for the stream's acknowledgement as slaguardd's publisher does.
 * Every node records, per decision, the time from the origin's publish
 * call to its own receipt. --pull: pull consumers instead, one message a
 * fetch (what the fetcher did before; more at once is unsafe with libnats
 * before 3.10: nats.c #749 writes past the fetched array). --async: the
 * origin publishes without waiting for each acknowledgement, a burst as
 * fast as the stream stores it (many origins at once, say): what the
 * latency then shows is the bus's queueing. --conns=C: the nodes share C
 * connections, and their consumers hand messages to a callback on a pool
 * of C threads instead of a thread each: the server's side (100 consumers,
 * their deliveries and acknowledgements) is unchanged, while the clients'
 * (a thread, a socket and a reader thread per node) shrinks to what one
 * machine simulating many hosts can carry. --asap: every connection writes
 * each message at once instead of leaving it to libnats's flusher thread.
 *
 * Prints the publish rate, decisions/s delivered to every node (DECISIONS
 * over the time from the first publish to the last node's last receipt)
 * and the latency p50/p99/max over every (node, decision) pair. The bus
 * only: what a real node then adds (decode, guard, one nft batch) is
 * measured by bench/daemon_latency.sh. Uses a stream of its own
 * (SLAGUARD_BENCH), deleted first and last.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#define STREAM		"SLAGUARD_BENCH"
#define FETCH_WAIT_MS	1000
/* A node that received nothing new for this long gives up. */
#define GIVE_UP_MS	30000
#define PUSH_MAX_PENDING 1024

struct node {
	pthread_t t;
	int idx;
	bool push;
	const char *url;
	jsCtx *shared;		/* --conns=C: the connection's context */
	natsSubscription *sub;	/* --conns: the callback's subscription */
	uint64_t want, got, dup;
	uint64_t *lat;		/* ns, by decision number */
	uint64_t last_ns;	/* receipt of the last new decision */
	bool failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool send_asap;

/* Callbacks of --conns nodes: what the main thread polls. */
static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t cb_got;

static natsStatus connect_to(const char *url, natsConnection **nc, jsCtx **js)
{
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);

	if (s == NATS_OK)
		s = natsOptions_SetURL(o, url);
	if (s == NATS_OK)
		s = natsOptions_SetSendAsap(o, send_asap);
	if (s == NATS_OK)
		s = natsOptions_UseGlobalMessageDelivery(o, true);
	if (s == NATS_OK)
		s = natsConnection_Connect(nc, o);
	if (s == NATS_OK)
		s = natsConnection_JetStream(js, *nc, NULL);
	natsOptions_Destroy(o);
	return s;
}

/* "N T": decision number N published at T (CLOCK_MONOTONIC ns). */
static bool parse(natsMsg *m, uint64_t *n, uint64_t *t)
{
	char buf[64];
	int len = natsMsg_GetDataLength(m);

	if (len <= 0 || len >= (int)sizeof(buf))
		return false;
	memcpy(buf, natsMsg_GetData(m), (size_t)len);
	buf[len] = '\0';
	return sscanf(buf, "%" SCNu64 " %" SCNu64, n, t) == 2;
}

/* One message to a node: its latency, once per decision; then the ack. */
static bool record(struct node *nd, natsMsg *m)
{
	uint64_t n, t, at = now_ns();
	bool new = false;

	if (parse(m, &n, &t) && n < nd->want) {
		if (nd->lat[n]) {
			nd->dup++;
		} else {
			nd->lat[n] = at > t ? at - t : 1;
			nd->got++;
			nd->last_ns = at;
			new = true;
		}
	}
	natsMsg_Ack(m, NULL);
	return new;
}

static void sub_options(struct node *nd, jsSubOptions *so, char *durable, size_t len)
{
	snprintf(durable, len, "bench-node%d", nd->idx);
	jsSubOptions_Init(so);
	so->Stream = STREAM;
	so->Config.AckPolicy = js_AckExplicit;
	so->Config.DeliverPolicy = js_DeliverAll;
	if (nd->push) {
		so->Config.Durable = durable;
		so->Config.MaxAckPending = PUSH_MAX_PENDING;
		so->ManualAck = true;
	}
}

/* --conns: a message for one node, on a thread of the delivery pool. */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *arg)
{
	struct node *nd = arg;

	(void)nc;
	(void)sub;
	if (record(nd, m)) {
		pthread_mutex_lock(&cb_lock);
		cb_got++;
		pthread_mutex_unlock(&cb_lock);
	}
	natsMsg_Destroy(m);
}

static bool node_subscribe_cb(struct node *nd)
{
	jsSubOptions so;
	jsErrCode jerr = 0;
	char durable[32];

	sub_options(nd, &so, durable, sizeof(durable));
	return js_Subscribe(&nd->sub, nd->shared, "slaguard.*.*.decision", on_msg, nd,
			    NULL, &so, &jerr) == NATS_OK;
}

static void *node_main(void *arg)
{
	struct node *nd = arg;
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	jsCtx *js = NULL;
	jsSubOptions so;
	jsErrCode jerr = 0;
	char durable[32];
	uint64_t active = now_ns();

	sub_options(nd, &so, durable, sizeof(durable));
	if (connect_to(nd->url, &nc, &js) != NATS_OK ||
	    (nd->push ?
	     js_SubscribeSync(&sub, js, "slaguard.*.*.decision", NULL, &so, &jerr) :
	     js_PullSubscribe(&sub, js, "slaguard.*.*.decision", durable, NULL,
			      &so, &jerr)) != NATS_OK) {
		nd->failed = true;
		goto out;
	}
	while (nd->got < nd->want && now_ns() - active < GIVE_UP_MS * 1000000ULL) {
		natsMsgList list = { 0 };
		natsMsg *one = NULL;
		natsStatus s;

		if (nd->push) {
			s = natsSubscription_NextMsg(&one, sub, FETCH_WAIT_MS);
			list.Msgs = &one;
			list.Count = one ? 1 : 0;
		} else {
			s = natsSubscription_Fetch(&list, sub, 1, FETCH_WAIT_MS, &jerr);
		}
		if (s != NATS_OK)
			continue;
		for (int i = 0; i < list.Count; i++)
			if (record(nd, list.Msgs[i]))
				active = nd->last_ns;
		if (nd->push)
			natsMsg_Destroy(one);
		else
			natsMsgList_Destroy(&list);
	}
out:
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static natsStatus make_stream(jsCtx *js)
{
	const char *subjects[] = { "slaguard.>" };
	jsStreamConfig cfg;
	jsErrCode jerr = 0;

	js_DeleteStream(js, STREAM, NULL, &jerr);
	jsStreamConfig_Init(&cfg);
	cfg.Name = STREAM;
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;	/* as slaguardd's stream */
	return js_AddStream(NULL, js, &cfg, NULL, &jerr);
}

/*
 * --conns: wait until every node has every decision or nothing new came for
 * GIVE_UP_MS, then stop the callbacks (drained: none runs afterwards).
 */
static void wait_callbacks(struct node *nd, int nodes, uint64_t want)
{
	uint64_t seen = 0, since = now_ns();

	for (;;) {
		uint64_t got;

		pthread_mutex_lock(&cb_lock);
		got = cb_got;
		pthread_mutex_unlock(&cb_lock);
		if (got == (uint64_t)nodes * want)
			break;
		if (got != seen) {
			seen = got;
			since = now_ns();
		} else if (now_ns() - since > GIVE_UP_MS * 1000000ULL) {
			break;
		}
		nats_Sleep(50);
	}
	for (int i = 0; i < nodes; i++)
		if (natsSubscription_Drain(nd[i].sub) == NATS_OK)
			natsSubscription_WaitForDrainCompletion(nd[i].sub, 5000);
	for (int i = 0; i < nodes; i++)
		natsSubscription_Destroy(nd[i].sub);
}

/*
 * Where the tail comes from: decisions late at every node at once (the
 * server or the whole machine stalled: runs of consecutive decisions) or
 * late at some nodes only (those nodes' clients fell behind).
 */
#define SLOW_NS	500000000ULL

static void tail_report(const struct node *nd, int nodes, uint64_t want)
{
	uint64_t slow_pairs = 0, all_late = 0, runs = 0, run = 0, longest = 0;

	for (uint64_t n = 0; n < want; n++) {
		uint64_t fastest = UINT64_MAX;

		for (int i = 0; i < nodes; i++) {
			uint64_t l = nd[i].lat[n] ? nd[i].lat[n] : UINT64_MAX;

			slow_pairs += l > SLOW_NS;
			if (l < fastest)
				fastest = l;
		}
		if (fastest > SLOW_NS) {
			all_late++;
			runs += !run;
			run++;
			if (run > longest)
				longest = run;
		} else {
			run = 0;
		}
	}
	printf("tail: %" PRIu64 " (node, decision) pairs over %llu ms; %" PRIu64
	       " decisions over it at every node, in %" PRIu64 " run(s) of consecutive decisions (longest %" PRIu64 ")\n",
	       slow_pairs, SLOW_NS / 1000000, all_late, runs, longest);
}

int main(int argc, char **argv)
{
	bool push = true, async = false;
	int nodes, conns = 0, a = 1;
	uint64_t want;
	natsConnection *nc = NULL, **cnc = NULL;
	jsCtx *js = NULL, **cjs = NULL;
	struct node *nd;
	uint64_t *all, nall = 0, t0, t_pub, t_last = 0, dups = 0;
	jsErrCode jerr = 0;
	int ready = 0;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--pull"))
			push = false;
		else if (!strcmp(argv[a], "--async"))
			async = true;
		else if (!strcmp(argv[a], "--asap"))
			send_asap = true;
		else if (!strncmp(argv[a], "--conns=", 8))
			conns = atoi(argv[a] + 8);
		else
			break;
	}
	nodes = argc > a + 1 ? atoi(argv[a + 1]) : 100;
	want = argc > a + 2 ? strtoull(argv[a + 2], NULL, 10) : 10000;
	if (a >= argc || argv[a][0] == '-' || nodes < 1 || !want || conns < 0 ||
	    conns > nodes || (conns && !push)) {
		fprintf(stderr, "usage: fleet_prop [--pull | --conns=C] [--async] [--asap] URL [NODES [DECISIONS]]\n"
			"  (--conns=C: 1 <= C <= NODES, push consumers only)\n");
		return 2;
	}
	argv += a - 1;
	if (conns && nats_SetMessageDeliveryPoolSize(conns) != NATS_OK)
		return 1;
	if (connect_to(argv[1], &nc, &js) != NATS_OK || make_stream(js) != NATS_OK) {
		fprintf(stderr, "fleet_prop: %s: %s\n", argv[1], nats_GetLastError(NULL));
		return 1;
	}
	nd = calloc((size_t)nodes, sizeof(*nd));
	all = calloc((size_t)nodes * want, sizeof(*all));
	if (!nd || !all)
		return 1;
	if (conns) {
		cnc = calloc((size_t)conns, sizeof(*cnc));
		cjs = calloc((size_t)conns, sizeof(*cjs));
		if (!cnc || !cjs)
			return 1;
		for (int c = 0; c < conns; c++)
			if (connect_to(argv[1], &cnc[c], &cjs[c]) != NATS_OK) {
				fprintf(stderr, "fleet_prop: connection %d: %s\n", c,
					nats_GetLastError(NULL));
				return 1;
			}
	}
	for (int i = 0; i < nodes; i++) {
		nd[i] = (struct node){ .idx = i, .push = push, .url = argv[1], .want = want,
				       .shared = conns ? cjs[i % conns] : NULL,
				       .lat = calloc(want, sizeof(uint64_t)) };
		if (!nd[i].lat)
			return 1;
		if (conns ? !node_subscribe_cb(&nd[i]) :
		    pthread_create(&nd[i].t, NULL, node_main, &nd[i]) != 0) {
			fprintf(stderr, "fleet_prop: node %d: %s\n", i, nats_GetLastError(NULL));
			return 1;
		}
	}
	/* Every node's consumer in place before the burst. */
	for (int tries = 0; tries < 600 && ready < nodes; tries++) {
		jsConsumerInfo *ci = NULL;
		char durable[32];

		snprintf(durable, sizeof(durable), "bench-node%d", ready);
		if (js_GetConsumerInfo(&ci, js, STREAM, durable, NULL, &jerr) == NATS_OK)
			ready++;
		else
			nats_Sleep(100);
		jsConsumerInfo_Destroy(ci);
	}
	t0 = now_ns();
	for (uint64_t n = 0; n < want; n++) {
		char data[64];
		jsPubAck *pa = NULL;
		jsPubOptions po;
		natsStatus s;
		int len;

		jsPubOptions_Init(&po);
		po.MaxWait = 2000;
		len = snprintf(data, sizeof(data), "%" PRIu64 " %" PRIu64, n, now_ns());
		s = async ?
		    js_PublishAsync(js, "slaguard.bench.origin.decision", data, len, NULL) :
		    js_Publish(&pa, js, "slaguard.bench.origin.decision", data, len,
			       &po, &jerr);
		if (s != NATS_OK)
			fprintf(stderr, "fleet_prop: publish %" PRIu64 ": %s\n", n,
				nats_GetLastError(NULL));
		jsPubAck_Destroy(pa);
	}
	if (async)
		js_PublishAsyncComplete(js, NULL);
	t_pub = now_ns() - t0;
	if (conns)
		wait_callbacks(nd, nodes, want);
	for (int i = 0; i < nodes; i++) {
		if (!conns)
			pthread_join(nd[i].t, NULL);
		for (uint64_t n = 0; n < want; n++)
			if (nd[i].lat[n])
				all[nall++] = nd[i].lat[n];
		if (nd[i].last_ns > t_last)
			t_last = nd[i].last_ns;
		dups += nd[i].dup;
	}
	qsort(all, nall, sizeof(*all), cmp_u64);
	printf("fleet_prop: %d nodes (%s consumers), %" PRIu64 " decisions, consumers ready %d/%d\n",
	       nodes, push ? "push" : "pull", want, ready, nodes);
	if (conns)
		printf("clients: %d connection(s) shared by the nodes, a pool of %d delivery thread(s)%s\n",
		       conns, conns, send_asap ? ", each message written at once" : "");
	else
		printf("clients: a connection and a thread per node%s\n",
		       send_asap ? ", each message written at once" : "");
	printf("published: %.0f decisions/s (%s)\n", (double)want * 1e9 / (double)t_pub,
	       async ? "asynchronously, as fast as the stream stores them" :
	       "each acknowledged by the stream before the next");
	printf("delivered to every node: %" PRIu64 " of %" PRIu64 " (node, decision) pairs, %" PRIu64 " redelivered; %.0f decisions/s end to end\n",
	       nall, (uint64_t)nodes * want, dups,
	       t_last > t0 ? (double)want * 1e9 / (double)(t_last - t0) : 0.0);
	if (nall)
		printf("latency publish->node: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		       (double)all[nall / 2] / 1e6, (double)all[nall * 99 / 100] / 1e6,
		       (double)all[nall - 1] / 1e6);
	if (nall)
		tail_report(nd, nodes, want);
	js_DeleteStream(js, STREAM, NULL, &jerr);
	for (int c = 0; c < conns; c++) {
		jsCtx_Destroy(cjs[c]);
		natsConnection_Destroy(cnc[c]);
	}
	free(cjs);
	free(cnc);
	for (int i = 0; i < nodes; i++)
		free(nd[i].lat);
	free(nd);
	free(all);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return nall == (uint64_t)nodes * want ? 0 : 1;
}
