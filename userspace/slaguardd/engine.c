// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "engine.h"
#include "fleet.h"
#include "outputs.h"
#include "intake.h"

/* How long after an attack the host's rates are not learned as normal. */
#define ATTACK_QUIET_MS		5000
/*
 * Consecutive anomalous samples (one a second) before an anomaly alert: a
 * two-second burst of ordinary bulk traffic is unusual but not an attack.
 */
#define ANOMALY_RUN		3
/* Points older than every window are of no use; keep at least a minute. */
#define MIN_KEEP_MS		60000

/* The stages an SLA is built into; swapped as one on reload. */
struct built {
	struct sla *sla;
	struct sla_module_config *modcfg;
	struct preprocess *pp;
	struct slo_set *slos;
	struct seq_set *seqs;
};

static uint64_t keep_ms(const struct sla *sla)
{
	uint64_t keep = MIN_KEEP_MS;

	for (size_t i = 0; i < sla->n_slos; i++)
		if (sla->slos[i].window_ms * 2 > keep)
			keep = sla->slos[i].window_ms * 2;
	if (sla->defaults.holdoff_ms * 2 > keep)
		keep = sla->defaults.holdoff_ms * 2;
	return keep;
}

static void built_free(struct built *b)
{
	seq_set_free(b->seqs);
	slo_set_free(b->slos);
	pp_free(b->pp);
	free(b->modcfg);
	sla_free(b->sla);
}

static int build(struct built *b, struct sla *sla)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->modcfg = calloc(1, sizeof(*b->modcfg));
	if (!b->modcfg)
		return -ENOMEM;
	ret = sla_to_module_config(sla, b->modcfg);
	if (!ret)
		ret = pp_new(&b->pp, sla, keep_ms(sla));
	if (!ret)
		pp_set_module_config(b->pp, b->modcfg);
	if (!ret)
		ret = slo_set_new(&b->slos, sla);
	if (!ret)
		ret = seq_set_new(&b->seqs, sla, b->modcfg, SEQ_KEYS_DEFAULT);
	if (ret) {
		b->sla = NULL;
		built_free(b);
		return ret;
	}
	b->sla = sla;
	return 0;
}

static void install(struct engine *e, struct built *b, bool configure)
{
	e->sla = b->sla;
	e->modcfg = b->modcfg;
	e->pp = b->pp;
	e->slos = b->slos;
	e->seqs = b->seqs;
	inspector_init(&e->insp, e->sla, e->modcfg);
	e->dry_run = e->dry_run_forced || e->sla->defaults.dry_run;
	respond_set_dry_run(e->resp, e->dry_run);
	alerts_set_holdoff(e->alerts, e->sla->defaults.holdoff_ms);
	if (e->genl && configure)
		intake_genl_configure(e->genl, e->modcfg);
}

/* Alert and countermeasure numbers go on from where an earlier run left. */
static void keep_ids(struct engine *e, const char *dir)
{
	uint64_t alert, cm;
	int ret = id_store_open(&e->ids, dir, &alert, &cm);

	if (ret < 0) {
		sgd_log(LOG_WARNING, "%s/ids: %s: alert and countermeasure ids may repeat after a restart",
			dir, strerror(-ret));
		return;
	}
	alerts_start_at(e->alerts, alert);
	respond_start_at(e->resp, cm);
	e->ids_kept = true;
	id_store_reserve(&e->ids, alerts_next_num(e->alerts), respond_next_num(e->resp));
}

/*
 * Cgroup countermeasures of an earlier run: adopted while due, undone
 * (the previous value back) otherwise - never left behind.
 */
static void keep_cgroups(struct engine *e, const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroups", dir);
	respond_set_cgroup_state(e->resp, path);
	respond_cgroup_recover(e->resp, sgd_mono_ms());
	/* so are the operator's allows and the repeat offenders */
	snprintf(path, sizeof(path), "%s/allows", dir);
	respond_set_allow_state(e->resp, path);
	respond_allows_recover(e->resp, sgd_mono_ms());
	snprintf(path, sizeof(path), "%s/offenders", dir);
	respond_set_offender_state(e->resp, path);
	respond_offenders_recover(e->resp, sgd_mono_ms(), e->sla->defaults.repeat.on ?
				  e->sla->defaults.repeat.remember : 0);
}

int engine_init(struct engine *e, struct sla *sla, const char *path,
		const struct engine_opts *opts)
{
	struct alert_opts ao = opts->alerts;
	struct built b;
	char err[512];
	int ret;

	memset(e, 0, sizeof(*e));
	e->dry_run_forced = opts->dry_run;
	e->started_real_ms = sgd_real_ms();
	ao.holdoff_ms = sla->defaults.holdoff_ms;
	if (!(e->sla_path = strdup(path)))
		return -ENOMEM;
	ret = alerts_new(&e->alerts, &ao);
	if (!ret)
		ret = respond_new(&e->resp, opts->ops, opts->ops_ctx);
	if (!ret)
		ret = profiler_new(&e->prof, &opts->profiler);
	if (!ret)
		ret = build(&b, sla);
	if (ret) {
		engine_fini(e);
		return ret;
	}
	if (opts->shapes_path &&
	    profiler_load_shapes(e->prof, opts->shapes_path, err, sizeof(err)) < 0)
		sgd_log(LOG_WARNING, "attack shapes not loaded, findings are not labelled: %s", err);
	if (opts->state_dir)
		keep_ids(e, opts->state_dir);
	install(e, &b, true);
	if (opts->state_dir)
		keep_cgroups(e, opts->state_dir);
	return 0;
}

void engine_fini(struct engine *e)
{
	struct built b = { e->sla, e->modcfg, e->pp, e->slos, e->seqs };

	built_free(&b);
	profiler_free(e->prof);
	respond_free(e->resp);
	alerts_free(e->alerts);
	free(e->sla_path);
	memset(e, 0, sizeof(*e));
}

/* ---- the pipeline ---- */

static const char *sched_gap(void *arg, const struct sla_component *c,
			     uint64_t since, char *buf, size_t len)
{
	return intake_genl_sched_gap(arg, c, since, buf, len);
}

static void clocks(struct engine *e, uint64_t mono)
{
	e->now_mono = mono;
	e->now_real = sgd_real_ms();
}

static void slo_context(const struct engine *e, struct slo_ctx *ctx)
{
	ctx->pp = e->pp;
	ctx->now = e->now_mono;
	ctx->now_real = e->now_real;
	ctx->kernel_since = e->genl ? intake_genl_covered_since(e->genl) : 0;
	ctx->holdoff_ms = e->sla->defaults.holdoff_ms;
	ctx->default_window_ms = e->sla->defaults.window_ms;
	ctx->sched_gap = e->genl ? sched_gap : NULL;
	ctx->sched_arg = e->genl;
}

/* Finding -> alert -> response -> out: the tail every finding takes. */
static void dispatch(struct finding *f, void *arg)
{
	struct engine *e = arg;
	struct alert *a;
	uint64_t now = e->now_mono;

	if (f->kind != FINDING_ANOMALY && f->kind != FINDING_LOST_EVENTS)
		e->last_attack_ms = now;
	if (e->cur_shape && f->evidence)
		json_object_object_add(f->evidence, "attack_shape",
				       json_object_new_string(e->cur_shape->name));
	a = alerts_raise(e->alerts, f, now);
	if (!a)
		return;
	respond_on_alert(e->resp, e->sla, a, now);
	alerts_emit(e->alerts, a);
	if (e->on_alert)
		e->on_alert(a, e->on_alert_arg);
	fleet_on_alert(e->fleet, a);
}

void engine_raise(struct engine *e, struct finding *f)
{
	clocks(e, sgd_mono_ms());
	dispatch(f, e);
}

static void lost_finding(struct engine *e, const struct sample *s)
{
	const struct rec_lost *l = &s->rec->lost;
	struct finding f = { .kind = FINDING_LOST_EVENTS,
			     .severity = e->sla->defaults.lost_events.severity,
			     .real_ms = s->real_ms };

	snprintf(f.ref, sizeof(f.ref), "events.lost");
	if (l->count_known)
		snprintf(f.summary, sizeof(f.summary), "%llu kernel events lost (%s)%s",
			 (unsigned long long)l->count, l->reason,
			 ": the monitor was blind to them");
	else
		snprintf(f.summary, sizeof(f.summary),
			 "kernel events lost (%s, count unknown): the monitor was blind to them",
			 l->reason);
	f.evidence = json_object_new_object();
	json_object_object_add(f.evidence, "reason", json_object_new_string(l->reason));
	json_object_object_add(f.evidence, "missing", l->count_known ?
			       json_object_new_int64((int64_t)l->count) : NULL);
	json_object_object_add(f.evidence, "after_seq", l->after_seq ?
			       json_object_new_int64((int64_t)l->after_seq) : NULL);
	json_object_object_add(f.evidence, "netns", json_object_new_int64(l->netns));
	dispatch(&f, e);
}

static void anomaly_finding(struct engine *e, const struct sample *s,
			    const struct profile_result *res)
{
	const struct attack_shape *shape = e->now_mono - e->worst_shape_ms < ATTACK_QUIET_MS ?
					   e->worst_shape : NULL;
	struct finding f = { .kind = FINDING_ANOMALY, .real_ms = s->real_ms,
			     .severity = shape ? shape->severity : SLA_SEV_LOW };
	const char *name = sample_metric_name(s->metric);

	snprintf(f.ref, sizeof(f.ref), "%s", name);
	snprintf(f.summary, sizeof(f.summary), "%s is %g, %.1f standard deviations above its baseline %g%s%s",
		 name, s->value, res->z, res->mean, shape ? "; looks like " : "",
		 shape ? shape->name : "");
	f.evidence = json_object_new_object();
	json_object_object_add(f.evidence, "value", json_object_new_double(s->value));
	json_object_object_add(f.evidence, "baseline_mean", json_object_new_double(res->mean));
	json_object_object_add(f.evidence, "baseline_std", json_object_new_double(res->std));
	json_object_object_add(f.evidence, "z", json_object_new_double(res->z));
	json_object_object_add(f.evidence, "baseline_samples", json_object_new_int64((int64_t)res->n));
	e->cur_shape = NULL;
	dispatch(&f, e);
}

/* Host rates are learned unless an attack is under way right now. */
static void profile(struct engine *e, const struct sample *s)
{
	struct profile_result res;
	bool attack = e->last_attack_ms &&
		      e->now_mono - e->last_attack_ms < ATTACK_QUIET_MS;

	if (s->metric != SAMPLE_HOST_PKT_RATE && s->metric != SAMPLE_HOST_BYTE_RATE)
		return;
	if (profiler_observe(e->prof, s->metric, "host", s->value, attack, &res) !=
	    PROFILE_ANOMALY) {
		e->anomaly_run[s->metric] = 0;
		return;
	}
	if (++e->anomaly_run[s->metric] == ANOMALY_RUN)
		anomaly_finding(e, s, &res);
}

static void on_sample(struct sample *s, void *arg)
{
	struct engine *e = arg;
	struct slo_ctx ctx;
	struct finding f;

	e->cur_shape = NULL;
	if (s->rec->kind == REC_NET && s->rec->net.features.present) {
		e->cur_shape = profiler_classify(e->prof, &s->rec->net.features);
		if (e->cur_shape) {
			uint64_t now = e->now_mono;

			/* The most severe shape of the attack under way: a
			 * cheap event of a milder shape cannot lower it. */
			if (!e->worst_shape ||
			    now - e->worst_shape_ms >= ATTACK_QUIET_MS ||
			    e->cur_shape->severity >= e->worst_shape->severity) {
				e->worst_shape = e->cur_shape;
				e->worst_shape_ms = now;
			}
			e->last_attack_ms = now;
		}
	}
	if (inspector_judge(&e->insp, s, &f) == 1) {
		if (s->metric == SLA_METRIC_APP_ACCESS_VIOLATIONS)
			s->value = 1;
		dispatch(&f, e);
	}
	pp_store(e->pp, s);
	profile(e, s);
	slo_context(e, &ctx);
	slo_on_sample(e->slos, &ctx, s, dispatch, e);
	if (s->rec->kind == REC_LOST)
		lost_finding(e, s);
	e->cur_shape = NULL;
}

void engine_on_record(const struct rec *r, void *arg)
{
	struct engine *e = arg;
	int n;

	if (r->kind == REC_APP)
		e->app_events++;
	clocks(e, sgd_mono_ms());
	n = pp_record(e->pp, r, on_sample, e);
	/*
	 * Sequence rules judge records, once each: network and application
	 * records preprocess took (not duplicates); process events and slow
	 * scans, which it sums or skips, as they come.
	 */
	if ((r->kind == REC_NET || r->kind == REC_APP) && n > 0)
		seq_on_record(e->seqs, r, e->now_mono, dispatch, e);
	else if (r->kind == REC_TASK ||
		 (r->kind == REC_NET && r->net.event == SLAGUARD_EVENT_SLOW_PORTSCAN))
		seq_on_unfiltered(e->seqs, r, e->now_mono, dispatch, e);
}

bool engine_on_packet(struct engine *e, const uint8_t *pkt, size_t len)
{
	struct finding f;

	clocks(e, sgd_mono_ms());
	if (inspector_judge_packet(&e->insp, pkt, len, e->now_real, &f) != 1)
		return false;
	if (f.evidence)
		json_object_object_add(f.evidence, "verdict",
				       json_object_new_string(e->dry_run ? "accept (dry run)" : "drop"));
	dispatch(&f, e);
	return !e->dry_run;
}

void engine_tick(struct engine *e, uint64_t now)
{
	struct slo_ctx ctx;

	clocks(e, now);
	if (e->ids_kept)
		id_store_reserve(&e->ids, alerts_next_num(e->alerts),
				 respond_next_num(e->resp));
	pp_flush(e->pp, now, on_sample, e);
	pp_expire(e->pp, now);
	seq_expire(e->seqs, now);
	alerts_expire(e->alerts, now);
	respond_expire(e->resp, now);
	/* an operator's allow ended: the backend's guard forgets it */
	if (respond_guard_stale(e->resp))
		respond_refresh_guard(e->resp, e->sla);
	slo_context(e, &ctx);
	slo_evaluate(e->slos, &ctx, dispatch, e);
	fleet_tick(e->fleet, now);
}

int engine_reload(struct engine *e, const char *path, char *err, size_t errlen)
{
	const char *file = path ? path : e->sla_path;
	struct sla *sla;
	struct built b;
	char *newpath;
	int ret;

	ret = sla_load_file(file, &sla, err, errlen);
	if (ret < 0)
		return ret;
	newpath = strdup(file);
	ret = newpath ? build(&b, sla) : -ENOMEM;
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(-ret));
		sla_free(sla);
		free(newpath);
		return ret;
	}
	/*
	 * The module takes the new configuration first: if it refuses any of
	 * it, the running one goes back in and the reload fails as a whole.
	 */
	if (e->genl) {
		const char *why;

		intake_genl_configure(e->genl, b.modcfg);
		if ((why = intake_genl_config_error(e->genl))) {
			snprintf(err, errlen, "%s: the module refused the new configuration (%s); the running SLA is unchanged",
				 file, why);
			intake_genl_configure(e->genl, e->modcfg);
			built_free(&b);
			free(newpath);
			return -EIO;
		}
	}
	{
		struct built old = { e->sla, e->modcfg, e->pp, e->slos, e->seqs };

		install(e, &b, false);
		built_free(&old);
	}
	respond_refresh_guard(e->resp, e->sla);
	free(e->sla_path);
	e->sla_path = newpath;
	sgd_log(LOG_NOTICE, "SLA %s loaded from %s: %zu SLOs, %zu rules, %zu countermeasures",
		e->sla->name, file, e->sla->n_slos, e->sla->n_rules,
		e->sla->n_countermeasures);
	engine_tick(e, sgd_mono_ms());
	return 0;
}

static struct json_object *hooks_json(const struct respond *r)
{
	const struct respond_hook_counters *hc = respond_hook_counters(r);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "running",
			       json_object_new_int64((int64_t)respond_hooks_running(r)));
	json_object_object_add(o, "started", json_object_new_int64((int64_t)hc->started));
	json_object_object_add(o, "failed", json_object_new_int64((int64_t)hc->failed));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)hc->refused));
	json_object_object_add(o, "exited_ok", json_object_new_int64((int64_t)hc->exited_ok));
	json_object_object_add(o, "exited_error",
			       json_object_new_int64((int64_t)hc->exited_error));
	json_object_object_add(o, "timed_out", json_object_new_int64((int64_t)hc->timed_out));
	return o;
}

struct json_object *engine_status_json(const struct engine *e)
{
	struct json_object *o = json_object_new_object(), *slos, *ev;
	const struct intake_genl_counters *c = e->genl ? intake_genl_counters(e->genl) : NULL;
	const struct alert_counters *ac = alerts_counters(e->alerts);
	char when[SG_TIME_MAX];

	if (!o)
		return NULL;
	sg_format_time(e->started_real_ms, when, sizeof(when));
	json_object_object_add(o, "sla", json_object_new_string(e->sla->name));
	json_object_object_add(o, "file", json_object_new_string(e->sla_path));
	json_object_object_add(o, "dry_run", json_object_new_boolean(e->dry_run));
	json_object_object_add(o, "started", json_object_new_string(when));
	slos = json_object_new_array();
	for (size_t i = 0; i < slo_count(e->slos); i++)
		json_object_array_add(slos, slo_status_json(slo_status(e->slos, i)));
	json_object_object_add(o, "slos", slos);
	ev = json_object_new_object();
	json_object_object_add(ev, "received", json_object_new_int64(c ? (int64_t)c->received : 0));
	json_object_object_add(ev, "lost", json_object_new_int64(c ? (int64_t)c->lost : 0));
	json_object_object_add(ev, "overruns", json_object_new_int64(c ? (int64_t)c->overruns : 0));
	json_object_object_add(ev, "malformed", json_object_new_int64(c ? (int64_t)c->malformed : 0));
	json_object_object_add(ev, "module_connected",
			       json_object_new_boolean(e->genl && intake_genl_connected(e->genl)));
	json_object_object_add(ev, "app_events", json_object_new_int64((int64_t)e->app_events));
	json_object_object_add(o, "events", ev);
	json_object_object_add(o, "alerts", json_object_new_int64((int64_t)ac->raised));
	json_object_object_add(o, "alerts_deduplicated", json_object_new_int64((int64_t)ac->deduplicated));
	json_object_object_add(o, "alerts_rate_limited", json_object_new_int64((int64_t)ac->rate_limited));
	json_object_object_add(o, "countermeasures",
			       json_object_new_int64((int64_t)respond_active(e->resp)));
	json_object_object_add(o, "hooks", hooks_json(e->resp));
	json_object_object_add(o, "outputs", outputs_status_json(alerts_outputs(e->alerts)));
	json_object_object_add(o, "sequences", seq_status_json(e->seqs));
	if (e->fleet)
		json_object_object_add(o, "fleet", fleet_status_json(e->fleet));
	return o;
}
