// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for slaguard's threshold detectors.
 */
#include <kunit/test.h>

#include "detect.h"

#define HOLDOFF	10000

struct detect_ctx {
	struct slg_thresholds thr;
	struct slg_holdoff h;
	struct slg_rates r;
	/* one spare slot to catch writes past SLG_NR_DETECTORS */
	struct slg_alarm alarms[SLG_NR_DETECTORS + 1];
};

static struct detect_ctx *new_ctx(struct kunit *test)
{
	struct detect_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->thr.window_ms = 1000;
	c->thr.holdoff_ms = HOLDOFF;
	c->thr.portscan_ports = 20;
	c->thr.syn_half_open = 100;
	c->thr.conn_rate = 200;
	c->thr.icmp_rate = 50;
	c->thr.bandwidth_bps = 1000000;
	c->thr.slow_ports = 100;
	c->thr.slow_window_ms = 600000;
	return c;
}

/* Every estimate one short of its threshold. */
static void just_below(struct detect_ctx *c)
{
	c->r.ports = c->thr.portscan_ports - 1;
	c->r.half_open = c->thr.syn_half_open - 1;
	c->r.conn_rate = c->thr.conn_rate - 1;
	c->r.byte_rate = c->thr.bandwidth_bps - 1;
	c->r.icmp_rate = c->thr.icmp_rate - 1;
	c->r.slow_ports = c->thr.slow_ports - 1;
	c->r.pkt_rate = 1000000;
}

static int detect(struct detect_ctx *c, u64 now_ms)
{
	return slg_detect(&c->r, &c->thr, &c->h, now_ms, c->alarms);
}

static void nothing_below_thresholds(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);
	int i;

	just_below(c);
	KUNIT_EXPECT_EQ(test, detect(c, 5000), 0);
	for (i = 0; i < ARRAY_SIZE(c->h.last_ms); i++)
		KUNIT_EXPECT_EQ(test, c->h.last_ms[i], 0);
}

static void fires_when_reached(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	just_below(c);
	c->r.ports = 20;
	KUNIT_ASSERT_EQ(test, detect(c, 5000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_PORTSCAN);
	KUNIT_EXPECT_EQ(test, c->alarms[0].value, 20);
	KUNIT_EXPECT_EQ(test, c->alarms[0].threshold, 20);
	KUNIT_EXPECT_EQ(test, c->h.last_ms[SLAGUARD_EVENT_PORTSCAN], 5000);

	/* The 64-bit bandwidth threshold, far above 32 bits. */
	c = new_ctx(test);
	c->thr.bandwidth_bps = 10ULL << 32;
	c->r.byte_rate = (10ULL << 32) + 1;
	KUNIT_ASSERT_EQ(test, detect(c, 5000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_BANDWIDTH);
	KUNIT_EXPECT_EQ(test, c->alarms[0].value, (10ULL << 32) + 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].threshold, 10ULL << 32);
}

static void holdoff_suppresses_repeat(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->r.half_open = 150;
	KUNIT_ASSERT_EQ(test, detect(c, 5000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SYN_FLOOD);

	/* Still flooding, harder: no second event within the hold-off. */
	c->r.half_open = 900;
	KUNIT_EXPECT_EQ(test, detect(c, 5001), 0);
	KUNIT_EXPECT_EQ(test, detect(c, 5000 + HOLDOFF - 1), 0);
	/* A suppressed check does not extend the hold-off. */
	KUNIT_EXPECT_EQ(test, c->h.last_ms[SLAGUARD_EVENT_SYN_FLOOD], 5000);

	/* The reminder once the hold-off has passed, with today's value. */
	KUNIT_ASSERT_EQ(test, detect(c, 5000 + HOLDOFF), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SYN_FLOOD);
	KUNIT_EXPECT_EQ(test, c->alarms[0].value, 900);
	KUNIT_EXPECT_EQ(test, detect(c, 5000 + HOLDOFF + 1), 0);

	/* An attack that stops and restarts within the hold-off is one event. */
	c->r.half_open = 0;
	KUNIT_EXPECT_EQ(test, detect(c, 5000 + HOLDOFF + 100), 0);
	c->r.half_open = 150;
	KUNIT_EXPECT_EQ(test, detect(c, 5000 + HOLDOFF + 200), 0);
	KUNIT_EXPECT_EQ(test, detect(c, 5000 + 2 * HOLDOFF), 1);
}

static void holdoff_follows_thresholds(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->thr.holdoff_ms = 100;
	c->r.icmp_rate = 60;
	KUNIT_EXPECT_EQ(test, detect(c, 1000), 1);
	KUNIT_EXPECT_EQ(test, detect(c, 1099), 0);
	KUNIT_EXPECT_EQ(test, detect(c, 1100), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_ICMP_FLOOD);
}

static void kinds_independent(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->r.ports = 25;
	KUNIT_ASSERT_EQ(test, detect(c, 1000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_PORTSCAN);

	/* The scan goes on (held off); a SYN flood starts: it reports. */
	c->r.half_open = 100;
	KUNIT_ASSERT_EQ(test, detect(c, 2000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SYN_FLOOD);
	KUNIT_EXPECT_EQ(test, c->alarms[0].value, 100);

	/* Each kind's hold-off runs from its own event. */
	KUNIT_ASSERT_EQ(test, detect(c, 1000 + HOLDOFF), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_PORTSCAN);
	KUNIT_ASSERT_EQ(test, detect(c, 2000 + HOLDOFF), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SYN_FLOOD);

	/* Hold-off state belongs to one source: another one fires at once. */
	{
		struct slg_holdoff other = {};
		struct slg_alarm a[SLG_NR_DETECTORS];

		KUNIT_EXPECT_EQ(test, slg_detect(&c->r, &c->thr, &other,
						 2000 + HOLDOFF, a), 2);
	}
}

static void zero_threshold_disables(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->thr.portscan_ports = 0;
	c->thr.syn_half_open = 0;
	c->thr.conn_rate = 0;
	c->thr.bandwidth_bps = 0;
	c->thr.icmp_rate = 0;
	c->r.ports = SLG_PORT_BITS;
	c->r.half_open = 1000000;
	c->r.conn_rate = 1000000;
	c->r.byte_rate = U64_MAX;
	c->r.icmp_rate = 1000000;
	KUNIT_EXPECT_EQ(test, detect(c, 5000), 0);

	/* Only the disabled one stays quiet. */
	c->thr.icmp_rate = 50;
	KUNIT_ASSERT_EQ(test, detect(c, 5000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_ICMP_FLOOD);
}

static void several_at_once(struct kunit *test)
{
	static const u32 kinds[] = {
		SLAGUARD_EVENT_PORTSCAN, SLAGUARD_EVENT_SYN_FLOOD,
		SLAGUARD_EVENT_CONN_RATE, SLAGUARD_EVENT_BANDWIDTH,
		SLAGUARD_EVENT_ICMP_FLOOD,
	};
	struct detect_ctx *c = new_ctx(test);
	u64 values[ARRAY_SIZE(kinds)];
	int i, n;

	c->r.ports = 30;
	c->r.half_open = 101;
	c->r.conn_rate = 202;
	c->r.byte_rate = 3000000;
	c->r.icmp_rate = 55;
	c->r.slow_ports = 200;	/* shadowed by the fast scan */
	values[0] = 30;
	values[1] = 101;
	values[2] = 202;
	values[3] = 3000000;
	values[4] = 55;
	c->alarms[SLG_NR_DETECTORS].kind = 0xdead;

	n = detect(c, 7000);
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(kinds));
	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(kinds), SLG_NR_DETECTORS - 1);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, c->alarms[i].kind, kinds[i]);
		KUNIT_EXPECT_EQ(test, c->alarms[i].value, values[i]);
		KUNIT_EXPECT_EQ(test, c->h.last_ms[kinds[i]], 7000);
	}
	KUNIT_EXPECT_EQ(test, c->alarms[SLG_NR_DETECTORS].kind, 0xdead);
	KUNIT_EXPECT_EQ(test, c->h.last_ms[SLG_HOLDOFF_SLOW], 0);

	/* Two of them, packed at the front of the array. */
	c = new_ctx(test);
	c->r.conn_rate = 500;
	c->r.icmp_rate = 500;
	n = detect(c, 7000);
	KUNIT_ASSERT_EQ(test, n, 2);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_CONN_RATE);
	KUNIT_EXPECT_EQ(test, c->alarms[0].threshold, 200);
	KUNIT_EXPECT_EQ(test, c->alarms[1].kind, SLAGUARD_EVENT_ICMP_FLOOD);
	KUNIT_EXPECT_EQ(test, c->alarms[1].threshold, 50);
}

static void clock_zero_and_backwards(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->r.ports = 20;
	/* A clock of 0 still records that the event happened. */
	KUNIT_ASSERT_EQ(test, detect(c, 0), 1);
	KUNIT_EXPECT_NE(test, c->h.last_ms[SLAGUARD_EVENT_PORTSCAN], 0);
	KUNIT_EXPECT_EQ(test, detect(c, 1), 0);

	/* A clock that went back does not silence a detector forever. */
	c = new_ctx(test);
	c->r.ports = 20;
	KUNIT_ASSERT_EQ(test, detect(c, 50000), 1);
	KUNIT_EXPECT_EQ(test, detect(c, 20000), 1);
	KUNIT_EXPECT_EQ(test, detect(c, 20001), 0);
}

/*
 * A slow scan (distinct ports over the long window) reports with its own
 * hold-off; a fast scan at the same time is the news, so it alone reports.
 */
static void slow_scan(struct kunit *test)
{
	struct detect_ctx *c = new_ctx(test);

	c->r.ports = 3;
	c->r.slow_ports = 100;
	KUNIT_ASSERT_EQ(test, detect(c, 9000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SLOW_PORTSCAN);
	KUNIT_EXPECT_EQ(test, c->alarms[0].value, 100);
	KUNIT_EXPECT_EQ(test, c->alarms[0].threshold, 100);
	KUNIT_EXPECT_EQ(test, c->h.last_ms[SLG_HOLDOFF_SLOW], 9000);
	KUNIT_EXPECT_EQ(test, detect(c, 9001), 0);
	KUNIT_EXPECT_EQ(test, detect(c, 9000 + HOLDOFF), 1);

	c = new_ctx(test);
	c->r.ports = 20;
	c->r.slow_ports = 100;
	KUNIT_ASSERT_EQ(test, detect(c, 9000), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_PORTSCAN);
	/* the fast scan is over; its ports stay in the long window */
	c->r.ports = 2;
	KUNIT_EXPECT_EQ(test, detect(c, 9000 + HOLDOFF), 0);
	KUNIT_EXPECT_EQ(test, detect(c, 9000 + c->thr.slow_window_ms - 1), 0);
	KUNIT_ASSERT_EQ(test, detect(c, 9000 + c->thr.slow_window_ms), 1);
	KUNIT_EXPECT_EQ(test, c->alarms[0].kind, SLAGUARD_EVENT_SLOW_PORTSCAN);

	c = new_ctx(test);
	c->thr.slow_ports = 0;
	c->r.slow_ports = SLG_SLOW_MAX;
	KUNIT_EXPECT_EQ(test, detect(c, 9000), 0);
}

static struct kunit_case slaguard_detect_cases[] = {
	KUNIT_CASE(slow_scan),
	KUNIT_CASE(nothing_below_thresholds),
	KUNIT_CASE(fires_when_reached),
	KUNIT_CASE(holdoff_suppresses_repeat),
	KUNIT_CASE(holdoff_follows_thresholds),
	KUNIT_CASE(kinds_independent),
	KUNIT_CASE(zero_threshold_disables),
	KUNIT_CASE(several_at_once),
	KUNIT_CASE(clock_zero_and_backwards),
	{}
};

static struct kunit_suite slaguard_detect_suite = {
	.name = "slaguard_detect",
	.test_cases = slaguard_detect_cases,
};

kunit_test_suite(slaguard_detect_suite);
