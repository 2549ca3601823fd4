// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay - the SLA engine's throughput on one core, natively (no VM, no
 * module): a generated stream of module events (generic netlink messages as
 * the module sends them) and application event lines goes through decoding,
 * preprocess, analyze, SLO, alert and respond (dry-run backend), with an
 * SLA file such as examples/webshop.yaml.
 *
 * The stream mixes, per 100 events: 40 detector events (port scans, SYN
 * floods, connection rates) from DISTINCT rotating sources, 20 watch hits on
 * denied ports, 20 scheduler samples of the SLA's processes and 20
 * application events (one in 20 a forbidden read). Simulated time advances
 * 1 ms per RATE/1000 events, and the engine ticks every simulated second.
 *
 * Pass 1 times chunks of the stream (events/s); pass 2, on a fresh engine,
 * times each event from its bytes to the engine's last decision (p50, p99,
 * max). Memory: resident set growth over pass 1 per distinct source.
 *
 *   replay SLA_FILE [EVENTS [DISTINCT [RATE]]]
 *   defaults: 1000000 events, 100000 sources, 300000 events/s simulated
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

#include "engine.h"
#include "genl.h"
#include "intake.h"
#include "util.h"

#define CHUNK		65536
#define MSG_MAX		256
#define APP_LINE_MAX	256

struct item {
	bool app;
	uint16_t len;
	union {
		uint8_t msg[MSG_MAX];
		char line[APP_LINE_MAX];
	};
};

struct stream {
	uint64_t seq, n, distinct, rate;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static size_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE);
}

/* The I-th source of DISTINCT: 100.64.0.0/10 (shared address space). */
static void source_addr(uint64_t i, uint64_t distinct, uint8_t a[4])
{
	uint32_t v = (100u << 24) | (64u << 16) | (uint32_t)(i % distinct);

	v = htonl(v);
	memcpy(a, &v, 4);
}

/* An event message as the module sends it: header, sequence, kind, time. */
static struct nlmsghdr *event_start(struct item *it, struct stream *s,
				    uint32_t kind, struct nlattr **nest)
{
	struct nlmsghdr *nlh = sg_genl_msg((char *)it->msg, 0x20, SLAGUARD_GENL_VERSION,
					   SLAGUARD_CMD_EVENT, 0);

	*nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, ++s->seq);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, kind);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_TIME_NS, 1795428000000000000ULL + s->seq);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_NETNS, 4026531840U);
	return nlh;
}

static void event_end(struct item *it, struct nlmsghdr *nlh, struct nlattr *nest)
{
	mnl_attr_nest_end(nlh, nest);
	it->app = false;
	it->len = (uint16_t)nlh->nlmsg_len;
}

static void net_event(struct item *it, struct stream *s, uint32_t kind,
		      uint64_t i)
{
	static const uint8_t web[4] = { 10, 10, 0, 10 };
	static const uint16_t denied[] = { 23, 22, 5433 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t src[4];

	source_addr(i, s->distinct, src);
	nlh = event_start(it, s, kind, &nest);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, 4, src);
	mnl_attr_put(nlh, SLAGUARD_EV_DST_ADDR, 4, web);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_IN);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
	if (kind == SLAGUARD_EVENT_WATCH_HIT) {
		mnl_attr_put_u16(nlh, SLAGUARD_EV_SRC_PORT, 40000);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, denied[i % 3]);
		mnl_attr_put_u32(nlh, SLAGUARD_EV_WATCH_ID, INTAKE_WATCH_BASE + 1 + i % 3);
	} else {
		mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, 40 + i % 400);
		mnl_attr_put_u64(nlh, SLAGUARD_EV_THRESHOLD, 21);
		mnl_attr_put_u64(nlh, SLAGUARD_EV_PORTS, 40 + i % 400);
		mnl_attr_put_u64(nlh, SLAGUARD_EV_CONN_RATE, 10 + i % 90);
		mnl_attr_put_u64(nlh, SLAGUARD_EV_HALF_OPEN, 200 + i % 90);
	}
	event_end(it, nlh, nest);
}

static void sched_event(struct item *it, struct stream *s, uint64_t i)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *task;
	char comm[16];

	nlh = event_start(it, s, SLAGUARD_EVENT_SCHED_SAMPLE, &nest);
	task = mnl_attr_nest_start(nlh, SLAGUARD_EV_TASK);
	mnl_attr_put_u32(nlh, SLAGUARD_TASK_WATCH_ID, INTAKE_TASK_WATCH_BASE + 1);
	mnl_attr_put_u32(nlh, SLAGUARD_TASK_PID, 1000 + (uint32_t)(i % 64));
	snprintf(comm, sizeof(comm), "nginx");
	mnl_attr_put_strz(nlh, SLAGUARD_TASK_COMM, comm);
	mnl_attr_put_u32(nlh, SLAGUARD_TASK_PERIOD_MS, 1000);
	mnl_attr_put_u32(nlh, SLAGUARD_TASK_CPU_PCT, (uint32_t)(i % 4000));
	mnl_attr_put_u32(nlh, SLAGUARD_TASK_RUN_DELAY_MS, (uint32_t)(i % 5));
	mnl_attr_put_u64(nlh, SLAGUARD_TASK_RSS, 64ULL << 20);
	mnl_attr_nest_end(nlh, task);
	event_end(it, nlh, nest);
}

static void app_event(struct item *it, struct stream *s, uint64_t i)
{
	uint8_t a[4];
	char src[INET_ADDRSTRLEN];
	bool bad = i % 20 == 0;

	source_addr(i, s->distinct, a);
	inet_ntop(AF_INET, a, src, sizeof(src));
	it->app = true;
	it->len = (uint16_t)snprintf(it->line, sizeof(it->line),
		"{\"component\":\"db\",\"user\":\"%s\",\"action\":\"read\","
		"\"resource\":\"%s/%llu\",\"source\":\"%s\"}",
		bad ? "shop-web" : "alice", bad ? "payments/cards" : "orders",
		(unsigned long long)(i % 100000), src);
}

static void generate(struct item *items, size_t n, struct stream *s)
{
	for (size_t k = 0; k < n; k++, s->n++) {
		uint64_t i = s->n;

		switch (i % 10) {
		case 0: case 1:
			net_event(&items[k], s, SLAGUARD_EVENT_PORTSCAN, i);
			break;
		case 2:
			net_event(&items[k], s, SLAGUARD_EVENT_SYN_FLOOD, i);
			break;
		case 3:
			net_event(&items[k], s, SLAGUARD_EVENT_CONN_RATE, i);
			break;
		case 4: case 5:
			net_event(&items[k], s, SLAGUARD_EVENT_WATCH_HIT, i);
			break;
		case 6: case 7:
			sched_event(&items[k], s, i);
			break;
		default:
			app_event(&items[k], s, i);
		}
	}
}

struct run {
	struct engine e;
	uint64_t mono, next_tick, events, per_ms, in_ms;
	uint64_t bad;
};

/* One event, from its bytes to the engine's decisions. */
static void feed(struct run *run, const struct item *it)
{
	char err[128];
	struct rec r;
	int ret;

	if (it->app)
		ret = intake_app_parse(it->line, &r, err, sizeof(err));
	else
		ret = intake_genl_decode((const struct nlmsghdr *)it->msg, &r);
	if (ret < 0) {
		run->bad++;
		return;
	}
	if (++run->in_ms == run->per_ms) {
		run->in_ms = 0;
		run->mono++;
	}
	r.mono_ms = run->mono;
	if (!r.real_ms)
		r.real_ms = 1795428000000ULL + run->mono;
	engine_on_record(&r, &run->e);
	if (run->mono >= run->next_tick) {
		engine_tick(&run->e, run->mono);
		run->next_tick = run->mono + 1000;
	}
	run->events++;
}

static int noop_apply(void *ctx, enum nftb_kind kind, const char *target,
		      unsigned int timeout_s, const char *comment)
{
	(void)ctx, (void)kind, (void)target, (void)timeout_s, (void)comment;
	return 0;
}

static int noop_revoke(void *ctx, enum nftb_kind kind, const char *target)
{
	(void)ctx, (void)kind, (void)target;
	return 0;
}

static int noop_hook(void *ctx, const char *path, char *const envp[], pid_t *pid)
{
	(void)ctx, (void)path, (void)envp;
	*pid = 0;
	return 0;
}

static const struct respond_ops noop_ops = {
	.apply = noop_apply, .revoke = noop_revoke, .run_hook = noop_hook,
};

static int start(struct run *run, const char *path, uint64_t rate)
{
	struct engine_opts eo = { .dry_run = true, .ops = &noop_ops };
	char err[512];
	struct sla *sla;
	int ret;

	memset(run, 0, sizeof(*run));
	ret = sla_load_file(path, &sla, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "replay: %s\n", err);
		return ret;
	}
	ret = engine_init(&run->e, sla, path, &eo);
	if (ret < 0) {
		fprintf(stderr, "replay: engine: %s\n", strerror(-ret));
		return ret;
	}
	run->per_ms = rate / 1000 ? rate / 1000 : 1;
	run->mono = 100000;
	run->next_tick = run->mono + 1000;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	uint64_t distinct = argc > 3 ? strtoull(argv[3], NULL, 10) : 100000;
	uint64_t rate = argc > 4 ? strtoull(argv[4], NULL, 10) : 300000;
	struct item *items = calloc(CHUNK, sizeof(*items));
	uint64_t *lat = calloc(CHUNK, sizeof(*lat));
	struct stream s = { .distinct = distinct ? distinct : 1 };
	uint64_t busy = 0, cpu = 0, nlat = 0;
	size_t rss0, rss1;
	struct run *run = calloc(1, sizeof(*run));

	if (argc < 2 || !items || !lat || !run) {
		fprintf(stderr, "usage: replay SLA_FILE [EVENTS [DISTINCT [RATE]]]\n");
		return 2;
	}
	sgd_log_setup(false, false, LOG_ERR);

	/* Pass 1: throughput. */
	if (start(run, argv[1], rate) < 0)
		return 1;
	rss0 = rss_bytes();
	for (uint64_t done = 0; done < total; done += CHUNK) {
		size_t n = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
		uint64_t t0, c0;

		generate(items, n, &s);
		t0 = now_ns();
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		for (size_t k = 0; k < n; k++)
			feed(run, &items[k]);
		cpu += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		busy += now_ns() - t0;
	}
	rss1 = rss_bytes();
	printf("replay: %s, %llu events (%llu distinct sources, %llu/s simulated), one core\n",
	       argv[1], (unsigned long long)run->events,
	       (unsigned long long)distinct, (unsigned long long)rate);
	/*
	 * Per CPU second is the figure for one core: on a shared machine the
	 * wall clock also counts the time other work held the core.
	 */
	printf("throughput: %.0f events/s (%.1f s busy), %.0f events per CPU second\n",
	       (double)run->events * 1e9 / (double)busy, (double)busy / 1e9,
	       (double)run->events * 1e9 / (double)cpu);
	printf("alerts raised %llu, de-duplicated %llu, rate-limited %llu; countermeasures (dry-run) %zu; windows %zu; undecodable %llu\n",
	       (unsigned long long)alerts_counters(run->e.alerts)->raised,
	       (unsigned long long)alerts_counters(run->e.alerts)->deduplicated,
	       (unsigned long long)alerts_counters(run->e.alerts)->rate_limited,
	       respond_active(run->e.resp), pp_window_count(run->e.pp),
	       (unsigned long long)run->bad);
	printf("memory: resident set +%.1f MiB over the run, %.0f bytes per distinct source\n",
	       (double)(rss1 - rss0) / 1048576.0,
	       (double)(rss1 - rss0) / (double)distinct);
	/* What one tick costs with the windows the run left. */
	{
		uint64_t t0 = now_ns();

		run->mono += 1000;
		engine_tick(&run->e, run->mono);
		printf("tick: %.2f ms with %zu windows\n",
		       (double)(now_ns() - t0) / 1e6, pp_window_count(run->e.pp));
	}
	/*
	 * Once every window has gone quiet for longer than any SLO looks
	 * back (but before they expire), a tick should cost next to nothing:
	 * it walks the windows active in each SLO's window, not those kept.
	 */
	{
		const struct sla *sla = run->e.sla;
		uint64_t back = sla->defaults.holdoff_ms, t0;
		size_t kept;

		for (size_t i = 0; i < sla->n_slos; i++)
			if (sla->slos[i].window_ms > back)
				back = sla->slos[i].window_ms;
		run->mono += back + 1000;
		t0 = now_ns();
		engine_tick(&run->e, run->mono);
		kept = pp_window_count(run->e.pp);
		printf("quiet tick: %.3f ms with %zu windows kept, none active (%llu s later)\n",
		       (double)(now_ns() - t0) / 1e6, kept,
		       (unsigned long long)(back + 1000) / 1000);
	}
	engine_fini(&run->e);

	/* Pass 2: latency of each event, on a fresh engine and stream. */
	if (start(run, argv[1], rate) < 0)
		return 1;
	s = (struct stream){ .distinct = distinct ? distinct : 1 };
	generate(items, CHUNK, &s);
	for (size_t k = 0; k < CHUNK; k++) {
		uint64_t t0 = now_ns();

		feed(run, &items[k]);
		lat[nlat++] = now_ns() - t0;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("latency event->decision: p50 %.1f us, p99 %.1f us, max %.1f us (%llu events)\n",
	       (double)lat[nlat / 2] / 1e3, (double)lat[nlat * 99 / 100] / 1e3,
	       (double)lat[nlat - 1] / 1e3, (unsigned long long)nlat);
	engine_fini(&run->e);
	free(run);
	free(items);
	free(lat);
	return 0;
}
