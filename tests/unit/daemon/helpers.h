/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the daemon's unit tests: a test SLA, records, SLO judging, a fake backend. */
#ifndef SGD_TEST_HELPERS_H
#define SGD_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine.h"
#include "record.h"
#include "respond.h"
#include "sla.h"
#include "slo.h"

/*
 * web 10.0.0.10 (ports 80), db 10.0.1.20; deny telnet to web (high), deny
 * db:5432 (critical) except from web, deny user shop reading cards/ (critical);
 * SLOs scan (portscan per source, max 20, 10s, high), lost (events.lost max
 * 0, 1m), db-access (app violations max 0, 1m, critical), cpu (sched);
 * countermeasures: severity high -> block 10m, slo scan -> rate-limit,
 * rule no-telnet -> run-hook /bin/true, severity low -> notify; allowlist
 * 10.0.9.0/24; holdoff 5s; max_actions 2.
 */
extern const char test_sla_yaml[];
struct sla *load_test_sla(void);
struct sla *load_sla_text(const char *yaml);

/* A module event from SRC (to DST if not NULL), at MONO ms. */
void make_net(struct rec *r, uint32_t kind, const char *src, const char *dst,
	      uint8_t proto, uint16_t dport, uint64_t value, uint64_t mono);
void make_lost(struct rec *r, bool known, uint64_t count, uint64_t mono);
void make_app(struct rec *r, const char *component, const char *user,
	      const char *action, const char *resource, uint64_t mono);

/* The status of SLO ID in SET; fails the test when there is none. */
const struct slo_status *slo_by_id(const struct slo_set *set, const char *id);

/*
 * An SLO set judging what a preprocess stage hands it, as the engine
 * wires them: counts the findings and keeps the last one.
 */
struct slo_judge {
	struct preprocess *pp;
	struct slo_set *set;
	struct slo_ctx ctx;
	int findings;
	struct finding last;
};

/* pp_record() / pp_flush() callback: store the sample, then judge it. */
void judge_sample(struct sample *s, void *judge);
/* slo_on_sample() / slo_evaluate() callback. */
void judge_finding(struct finding *fd, void *judge);

/* A backend that records calls instead of touching nftables. */
struct fake_backend {
	int applies, revokes, hooks;
	int apply_ret;			/* returned by apply (0 or -errno) */
	enum nftb_kind last_kind;
	char last_target[64];
	unsigned int last_timeout;
	char last_comment[128];
	char last_hook[256];
	char last_env_alert[64];
	/* isolate-network: the ids and cgroups held, as the backend would */
	int isolates, unisolates, syncs;
	size_t n_iso;
	char iso_id[8][24], iso_cg[8][64], iso_comment[8][128];
};
/* Index of isolation ID in FB, or -1. */
int fake_isolated(const struct fake_backend *fb, const char *id);
extern const struct respond_ops fake_ops;

/*
 * The options most engine tests run with: the fake backend FB, alerts
 * limited far above what a test raises, the shipped attack shapes.
 */
struct engine_opts test_engine_opts(struct fake_backend *fb);

/* A whole engine on the test SLA, its configuration file said to be PATH. */
struct engine_fixture {
	struct engine e;
	struct fake_backend fb;
};
int engine_fixture_setup(void **state, const char *path);
int engine_fixture_teardown(void **state);

#endif /* SGD_TEST_HELPERS_H */
