// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fleet's propagation through NATS JetStream with lightweight nodes:
 * NODES threads, each with its own connection and durable consumer on
 * slaguard.*.*.decision (explicit acks), and one origin publishing a burst of
 * DECISIONS decisions (the JSON of fleet/decision.c, stamped with the time
 * they were published) as fast as JetStream stores them. It reports the
 * latency from publish to each node's receipt (p50, p99, max over every
 * node and decision) and the decisions/s stored and delivered. Applying
 * (nftables) is left out: bench/nft_insert measures that.
 *
 * The nodes use push consumers: pull fetches whose batch changes from call
 * to call (1 when idle, 64 when busy, as slaguardd's fleet/ does) make
 * libnats 3.4.1 return more messages than the batch it allocated for
 * (list.Count > batch: seen here with 100 nodes, then "double free or
 * corruption"), so this measures the bus, not that client path.
 *
 *   fleet_propagation URL [NODES [DECISIONS]]     (default 100 and 10000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#define STREAM		"SLAGUARD_BENCH"

static const char *url;
static int n_decisions;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct node {
	pthread_t t;
	int idx;
	natsConnection *nc;
	jsCtx *js;
	natsSubscription *sub;
	uint64_t *lat;		/* ns, one per decision received */
	int got;
	uint64_t last_ns;
	pthread_barrier_t *ready;
};

static natsStatus bench_connect(natsConnection **nc, jsCtx **js)
{
	natsStatus s = natsConnection_ConnectTo(nc, url);

	if (s == NATS_OK)
		s = natsConnection_JetStream(js, *nc, NULL);
	return s;
}

/* Each decision as it arrives (the subscription's own thread). */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *arg)
{
	struct node *n = arg;
	const char *d = natsMsg_GetData(msg);
	const char *t = d ? strstr(d, "\"t\":") : NULL;
	uint64_t recv = now_ns();
	int got = __atomic_load_n(&n->got, __ATOMIC_RELAXED);

	(void)nc;
	(void)sub;
	if (t && got < n_decisions) {
		uint64_t sent = strtoull(t + 4, NULL, 10);

		n->lat[got] = recv > sent ? recv - sent : 0;
		n->last_ns = recv;
		__atomic_store_n(&n->got, got + 1, __ATOMIC_RELEASE);
	}
	natsMsg_Ack(msg, NULL);
	natsMsg_Destroy(msg);
}

static void *node_main(void *arg)
{
	struct node *n = arg;
	jsSubOptions so;
	char durable[32];
	natsStatus s;
	int idle = 0, seen = 0;

	snprintf(durable, sizeof(durable), "bench_n%d", n->idx);
	s = bench_connect(&n->nc, &n->js);
	jsSubOptions_Init(&so);
	so.Stream = STREAM;
	so.ManualAck = true;
	so.Config.Durable = durable;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = js_DeliverAll;
	if (s == NATS_OK)
		s = js_Subscribe(&n->sub, n->js, "slaguard.*.*.decision", on_msg, n, NULL, &so, NULL);
	if (s != NATS_OK)
		fprintf(stderr, "node %d: %s (%s)\n", n->idx, natsStatus_GetText(s),
			nats_GetLastError(NULL));
	pthread_barrier_wait(n->ready);
	/* Until it has them all, or nothing came for 10 s. */
	while (s == NATS_OK && idle < 200) {
		int got = __atomic_load_n(&n->got, __ATOMIC_ACQUIRE);

		if (got >= n_decisions)
			break;
		idle = got == seen ? idle + 1 : 0;
		seen = got;
		nats_Sleep(50);
	}
	if (n->sub)
		natsSubscription_Unsubscribe(n->sub);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n_nodes = argc > 2 ? atoi(argv[2]) : 100;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsStreamConfig cfg;
	jsStreamInfo *si = NULL;
	const char *subjects[] = { "slaguard.>" };
	pthread_barrier_t ready;
	struct node *nodes;
	uint64_t t0, t1, last = 0, *all;
	size_t n_all = 0, expected;
	jsPubOptions po;
	natsStatus s;

	if (argc < 2 || n_nodes < 1) {
		fprintf(stderr, "usage: fleet_propagation URL [NODES [DECISIONS]]\n");
		return 2;
	}
	url = argv[1];
	n_decisions = argc > 3 ? atoi(argv[3]) : 10000;
	s = bench_connect(&nc, &js);
	if (s == NATS_OK) {
		jsStreamConfig_Init(&cfg);
		cfg.Name = STREAM;
		cfg.Subjects = subjects;
		cfg.SubjectsLen = 1;
		cfg.Storage = js_FileStorage;
		s = js_AddStream(&si, js, &cfg, NULL, NULL);
		jsStreamInfo_Destroy(si);
	}
	if (s != NATS_OK) {
		fprintf(stderr, "fleet_propagation: %s: %s (%s)\n", url, natsStatus_GetText(s),
			nats_GetLastError(NULL));
		return 1;
	}
	nodes = calloc((size_t)n_nodes, sizeof(*nodes));
	pthread_barrier_init(&ready, NULL, (unsigned int)n_nodes + 1);
	for (int i = 0; i < n_nodes; i++) {
		nodes[i].idx = i;
		nodes[i].ready = &ready;
		nodes[i].lat = calloc((size_t)n_decisions, sizeof(uint64_t));
		pthread_create(&nodes[i].t, NULL, node_main, &nodes[i]);
	}
	pthread_barrier_wait(&ready);
	/* The burst: asynchronous publishes, acknowledged by the stream. */
	jsPubOptions_Init(&po);
	t0 = now_ns();
	for (int i = 0; i < n_decisions; i++) {
		char buf[512];
		uint64_t t = now_ns();
		int len = snprintf(buf, sizeof(buf),
			"{\"v\":1,\"op\":\"apply\",\"id\":\"bench.origin.C%d.A%d\",\"site\":\"bench\","
			"\"node\":\"origin\",\"scope\":\"fleet\",\"action\":\"block-source\","
			"\"target\":\"198.18.%d.%d\",\"issued_ms\":%llu,\"expires_ms\":%llu,"
			"\"alert\":\"A%d\",\"ref\":\"bench\",\"severity\":\"high\",\"t\":%llu}",
			i, i, (i >> 8) & 255, i & 255, (unsigned long long)(t / 1000000),
			(unsigned long long)(t / 1000000 + 600000), i, (unsigned long long)t);

		s = js_PublishAsync(js, "slaguard.bench.origin.decision", buf, len, &po);
		if (s != NATS_OK) {
			fprintf(stderr, "publish %d: %s\n", i, natsStatus_GetText(s));
			break;
		}
	}
	js_PublishAsyncComplete(js, NULL);
	t1 = now_ns();
	for (int i = 0; i < n_nodes; i++)
		pthread_join(nodes[i].t, NULL);
	expected = (size_t)n_nodes * (size_t)n_decisions;
	all = malloc(expected * sizeof(*all));
	for (int i = 0; i < n_nodes; i++) {
		memcpy(all + n_all, nodes[i].lat, (size_t)nodes[i].got * sizeof(*all));
		n_all += (size_t)nodes[i].got;
		if (nodes[i].last_ns > last)
			last = nodes[i].last_ns;
	}
	qsort(all, n_all, sizeof(*all), cmp);
	printf("nodes %d, decisions %d: stored in %.3f s (%.0f decisions/s)\n", n_nodes,
	       n_decisions, (double)(t1 - t0) / 1e9, n_decisions / ((double)(t1 - t0) / 1e9));
	printf("received %zu of %zu; all nodes had all of them after %.3f s "
	       "(%.0f decisions/s per node, %.0f deliveries/s)\n", n_all, expected,
	       (double)(last - t0) / 1e9, n_decisions / ((double)(last - t0) / 1e9),
	       (double)n_all / ((double)(last - t0) / 1e9));
	if (n_all)
		printf("latency publish -> node: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		       (double)all[n_all / 2] / 1e6, (double)all[n_all * 99 / 100] / 1e6,
		       (double)all[n_all - 1] / 1e6);
	for (int i = 0; i < n_nodes; i++) {
		natsSubscription_Destroy(nodes[i].sub);
		jsCtx_Destroy(nodes[i].js);
		natsConnection_Destroy(nodes[i].nc);
		free(nodes[i].lat);
	}
	free(nodes);
	free(all);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_Close();
	return n_all == expected ? 0 : 1;
}
