// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "preprocess.h"
#include "util.h"

const char test_sla_yaml[] =
	"sla: test\n"
	"components:\n"
	"  web: { addresses: [10.0.0.10], ports: [80], processes: [nginx] }\n"
	"  db: { addresses: [10.0.1.20], ports: [5432] }\n"
	"rules:\n"
	"  - { id: no-telnet, deny: { to: web, port: 23, proto: tcp }, severity: high }\n"
	"  - { id: db-deny, deny: { to: db, port: 5432, proto: tcp }, severity: critical }\n"
	"  - { id: db-from-web, allow: { from: [web], to: db, port: 5432, proto: tcp } }\n"
	"  - { id: no-cards, deny: { user: shop, read: \"cards/*\", component: db }, severity: critical }\n"
	"slos:\n"
	"  - { id: scan, metric: net.portscan_ports, per: source, component: web, max: 20, window: 10s, severity: high }\n"
	"  - { id: lost, metric: events.lost, max: 0, window: 1m, severity: medium }\n"
	"  - { id: db-access, metric: app.access_violations, component: db, max: 0, window: 1m, severity: critical }\n"
	"  - { id: cpu, metric: sched.cpu_percent, component: web, max: 80, for: 30s, severity: medium }\n"
	"countermeasures:\n"
	"  - { when: { severity: high }, do: block-source, for: 10m }\n"
	"  - { when: { slo: scan }, do: rate-limit, rate: 10/second, for: 1m }\n"
	"  - { when: { rule: no-telnet }, do: run-hook, hook: /bin/true }\n"
	"  - { when: { severity: low }, do: notify }\n"
	"allowlist: [10.0.9.0/24]\n"
	"defaults: { holdoff: 5s, max_actions: 2 }\n";

struct sla *load_sla_text(const char *yaml)
{
	struct sla *sla = NULL;
	char err[512] = "";

	if (sla_load_string(yaml, strlen(yaml), "test.yaml", &sla, err, sizeof(err)) < 0)
		fail_msg("test SLA does not load: %s", err);
	return sla;
}

struct sla *load_test_sla(void)
{
	return load_sla_text(test_sla_yaml);
}

void make_net(struct rec *r, uint32_t kind, const char *src, const char *dst,
	      uint8_t proto, uint16_t dport, uint64_t value, uint64_t mono)
{
	static uint64_t seq;

	memset(r, 0, sizeof(*r));
	r->kind = REC_NET;
	r->mono_ms = mono;
	r->real_ms = 1795428000000ULL + mono;
	r->net.event = kind;
	r->net.seq = ++seq;
	r->net.family = AF_INET;
	r->net.has_src = inet_pton(AF_INET, src, r->net.src) == 1;
	if (dst)
		r->net.has_dst = inet_pton(AF_INET, dst, r->net.dst) == 1;
	r->net.proto = proto;
	r->net.dport = dport;
	r->net.has_value = true;
	r->net.value = value;
}

void make_lost(struct rec *r, bool known, uint64_t count, uint64_t mono)
{
	memset(r, 0, sizeof(*r));
	r->kind = REC_LOST;
	r->mono_ms = mono;
	r->real_ms = 1795428000000ULL + mono;
	r->lost.count_known = known;
	r->lost.count = count;
	r->lost.reason = known ? "gap" : "overrun";
}

void make_app(struct rec *r, const char *component, const char *user,
	      const char *action, const char *resource, uint64_t mono)
{
	memset(r, 0, sizeof(*r));
	r->kind = REC_APP;
	r->mono_ms = mono;
	r->real_ms = 1795428000000ULL + mono;
	snprintf(r->app.component, sizeof(r->app.component), "%s", component);
	snprintf(r->app.user, sizeof(r->app.user), "%s", user);
	snprintf(r->app.action, sizeof(r->app.action), "%s", action);
	snprintf(r->app.resource, sizeof(r->app.resource), "%s", resource);
}

static int fake_apply(void *ctx, enum nftb_kind kind, const char *target,
		      unsigned int timeout_s, const char *comment)
{
	struct fake_backend *f = ctx;

	f->applies++;
	f->last_kind = kind;
	snprintf(f->last_target, sizeof(f->last_target), "%s", target);
	f->last_timeout = timeout_s;
	snprintf(f->last_comment, sizeof(f->last_comment), "%s", comment);
	return f->apply_ret;
}

static int fake_revoke(void *ctx, enum nftb_kind kind, const char *target)
{
	struct fake_backend *f = ctx;

	(void)kind;
	(void)target;
	f->revokes++;
	return 0;
}

static const char *fake_error(void *ctx)
{
	(void)ctx;
	return "fake backend refused";
}

static int fake_hook(void *ctx, const char *path, char *const envp[],
		     pid_t *pid)
{
	struct fake_backend *f = ctx;

	*pid = 0;
	f->hooks++;
	snprintf(f->last_hook, sizeof(f->last_hook), "%s", path);
	for (; *envp; envp++)
		if (!strncmp(*envp, "SLAGUARD_ALERT_ID=", 18))
			snprintf(f->last_env_alert, sizeof(f->last_env_alert), "%s", *envp + 18);
	return 0;
}

int fake_isolated(const struct fake_backend *fb, const char *id)
{
	for (size_t i = 0; i < fb->n_iso; i++)
		if (!strcmp(fb->iso_id[i], id))
			return (int)i;
	return -1;
}

static int fake_isolate(void *ctx, const char *id, const char *cg,
			const char *comment)
{
	struct fake_backend *f = ctx;
	int i = fake_isolated(f, id);

	f->isolates++;
	if (f->apply_ret)
		return f->apply_ret;
	if (i < 0) {
		if (f->n_iso == 8)
			return -ENOSPC;
		i = (int)f->n_iso++;
	}
	snprintf(f->iso_id[i], sizeof(f->iso_id[i]), "%s", id);
	snprintf(f->iso_cg[i], sizeof(f->iso_cg[i]), "%s", cg);
	snprintf(f->iso_comment[i], sizeof(f->iso_comment[i]), "%s", comment);
	return 0;
}

static int fake_unisolate(void *ctx, const char *id)
{
	struct fake_backend *f = ctx;
	int i = fake_isolated(f, id);

	f->unisolates++;
	if (i < 0)
		return -ENOENT;
	f->n_iso--;
	memcpy(f->iso_id[i], f->iso_id[f->n_iso], sizeof(f->iso_id[i]));
	memcpy(f->iso_cg[i], f->iso_cg[f->n_iso], sizeof(f->iso_cg[i]));
	memcpy(f->iso_comment[i], f->iso_comment[f->n_iso], sizeof(f->iso_comment[i]));
	return 0;
}

static int fake_isolate_sync(void *ctx)
{
	struct fake_backend *f = ctx;

	f->syncs++;
	return 0;
}

const struct respond_ops fake_ops = {
	.apply = fake_apply,
	.revoke = fake_revoke,
	.error = fake_error,
	.run_hook = fake_hook,
	.isolate = fake_isolate,
	.unisolate = fake_unisolate,
	.isolate_sync = fake_isolate_sync,
};

struct engine_opts test_engine_opts(struct fake_backend *fb)
{
	return (struct engine_opts){ .ops = &fake_ops, .ops_ctx = fb,
				     .alerts = { .rate = 100, .burst = 100 },
				     .shapes_path = SGD_SHAPES_FILE };
}

int engine_fixture_setup(void **state, const char *path)
{
	struct engine_fixture *f = calloc(1, sizeof(*f));
	struct engine_opts o;

	assert_non_null(f);
	o = test_engine_opts(&f->fb);
	assert_int_equal(engine_init(&f->e, load_test_sla(), path, &o), 0);
	*state = f;
	return 0;
}

int engine_fixture_teardown(void **state)
{
	struct engine_fixture *f = *state;

	engine_fini(&f->e);
	free(f);
	return 0;
}

const struct slo_status *slo_by_id(const struct slo_set *set, const char *id)
{
	for (size_t i = 0; i < slo_count(set); i++)
		if (!strcmp(slo_status(set, i)->slo->id, id))
			return slo_status(set, i);
	fail_msg("no SLO %s", id);
	return NULL;
}

void judge_finding(struct finding *fd, void *judge)
{
	struct slo_judge *j = judge;

	j->findings++;
	finding_release(&j->last);
	j->last = *fd;
	fd->evidence = NULL;
}

void judge_sample(struct sample *s, void *judge)
{
	struct slo_judge *j = judge;

	pp_store(j->pp, s);
	slo_on_sample(j->set, &j->ctx, s, judge_finding, j);
}
