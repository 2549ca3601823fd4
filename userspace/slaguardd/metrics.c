// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <linux/slaguard.h>
#include <microhttpd.h>

#include "dashboard.h"
#include "engine.h"
#include "intake.h"
#include "metrics.h"
#include "outputs.h"
#include "util.h"
#include "web.h"

/* ---- the listening address ---- */

int metrics_parse_listen(const char *listen, bool allow_remote,
			 struct sockaddr_storage *ss, socklen_t *sslen,
			 char *err, size_t errlen)
{
	if (web_parse_listen(listen, METRICS_DEFAULT_LISTEN, ss, sslen, err, errlen) < 0)
		return -EINVAL;
	if (!allow_remote && !web_is_loopback(ss)) {
		snprintf(err, errlen, "metrics address %s is not a loopback address: the page is not authenticated, anyone who reaches it reads the SLA's state; add --metrics-allow-remote to serve it there anyway",
			 listen);
		return -EINVAL;
	}
	return 0;
}

/* ---- the page ---- */

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void render_slos(struct expo *x, const struct engine *e)
{
	static const enum slo_state states[] = { SLO_COMPLIANT, SLO_VIOLATED, SLO_UNKNOWN };
	size_t n = slo_count(e->slos);

	expo_family(x, "slaguard_slo_info", "gauge",
		    "An SLO of the running SLA: its metric, severity and component (\"\" for the whole host).");
	for (size_t i = 0; i < n; i++) {
		const struct sla_slo *s = slo_status(e->slos, i)->slo;

		expo_sample(x, "slaguard_slo_info",
			    L("slo", s->id, "metric", sla_metric_name(s->metric),
			      "severity", sla_severity_name(s->severity),
			      "component", s->component ? s->component->name : ""), 1);
	}
	expo_family(x, "slaguard_slo_state", "gauge",
		    "1 for the state each SLO is in (compliant, violated, unknown: no data covers its window), 0 for the others.");
	for (size_t i = 0; i < n; i++) {
		const struct slo_status *st = slo_status(e->slos, i);

		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			expo_sample(x, "slaguard_slo_state",
				    L("slo", st->slo->id, "state", slo_state_name(states[k])),
				    st->state == states[k]);
	}
	expo_family(x, "slaguard_slo_state_since_timestamp_seconds", "gauge",
		    "When each SLO entered its current state (Unix time).");
	for (size_t i = 0; i < n; i++) {
		const struct slo_status *st = slo_status(e->slos, i);

		if (st->state_since_real_ms)
			expo_sample(x, "slaguard_slo_state_since_timestamp_seconds",
				    L("slo", st->slo->id), st->state_since_real_ms / 1000.0);
	}
	expo_family(x, "slaguard_slo_value", "gauge",
		    "The value each SLO's metric has over its window, in the metric's own unit (slaguard_slo_info); absent while unknown.");
	for (size_t i = 0; i < n; i++) {
		const struct slo_status *st = slo_status(e->slos, i);

		if (st->has_value)
			expo_sample(x, "slaguard_slo_value", L("slo", st->slo->id), st->value);
	}
	expo_family(x, "slaguard_slo_bound", "gauge",
		    "The SLO's bounds on its metric's value (bound=\"max\" or \"min\").");
	for (size_t i = 0; i < n; i++) {
		const struct sla_slo *s = slo_status(e->slos, i)->slo;

		if (s->has_max)
			expo_sample(x, "slaguard_slo_bound", L("slo", s->id, "bound", "max"), s->max);
		if (s->has_min)
			expo_sample(x, "slaguard_slo_bound", L("slo", s->id, "bound", "min"), s->min);
	}
	expo_family(x, "slaguard_slo_window_seconds", "gauge",
		    "The window each SLO is judged over (or, for \"for\" SLOs, how long it must be out of bounds).");
	for (size_t i = 0; i < n; i++) {
		const struct sla_slo *s = slo_status(e->slos, i)->slo;

		expo_sample(x, "slaguard_slo_window_seconds", L("slo", s->id), s->window_ms / 1000.0);
	}
}

static void render_alerts(struct expo *x, const struct engine *e)
{
	const struct alert_counters *ac = alerts_counters(e->alerts);

	expo_family(x, "slaguard_alerts_total", "counter",
		    "Alerts raised, by severity and kind (slo, rule, anomaly, lost_events).");
	for (int sev = SLA_SEV_LOW; sev <= SLA_SEV_CRITICAL; sev++)
		for (int k = 0; k < ALERT_KINDS; k++)
			expo_sample_u64(x, "slaguard_alerts_total",
					L("severity", sla_severity_name(sev),
					  "kind", finding_kind_name(k)), ac->by[sev][k]);
	expo_family(x, "slaguard_alerts_suppressed_total", "counter",
		    "Findings not alerted: a repeat within the hold-off (deduplicated) or over the rate limit (rate_limited).");
	expo_sample_u64(x, "slaguard_alerts_suppressed_total", L("reason", "deduplicated"),
			ac->deduplicated);
	expo_sample_u64(x, "slaguard_alerts_suppressed_total", L("reason", "rate_limited"),
			ac->rate_limited);
}

static void render_respond(struct expo *x, const struct engine *e)
{
	static const enum sla_action actions[] = {
		SLA_ACT_BLOCK_SOURCE, SLA_ACT_RATE_LIMIT, SLA_ACT_LIMIT_DESTINATION,
		SLA_ACT_INSPECT, SLA_ACT_THROTTLE_CPU, SLA_ACT_FREEZE,
		SLA_ACT_LIMIT_MEMORY, SLA_ACT_ISOLATE_NETWORK,
	};
	size_t count[sizeof(actions) / sizeof(actions[0])] = { 0 };
	const struct respond_hook_counters *hc = respond_hook_counters(e->resp);
	const struct respond_operator_counters *oc = respond_operator_counters(e->resp);
	uint64_t op_blocks = 0;

	for (size_t i = 0; i < respond_active(e->resp); i++) {
		const struct countermeasure *c = respond_at(e->resp, i);

		if (c && c->operator)
			op_blocks++;

		for (size_t k = 0; c && k < sizeof(actions) / sizeof(actions[0]); k++)
			if (c->action == actions[k])
				count[k]++;
	}
	expo_family(x, "slaguard_countermeasures_active", "gauge",
		    "Countermeasures in force (in dry-run: that would be), by action.");
	for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]); k++)
		expo_sample_u64(x, "slaguard_countermeasures_active",
				L("action", sla_action_name(actions[k])), count[k]);
	expo_sample_u64(x, "slaguard_countermeasures_active", L("action", "allow"),
			respond_allows(e->resp));
	expo_family(x, "slaguard_countermeasures_operator_active", "gauge",
		    "Countermeasures in force set by an operator (slaguardctl countermeasures add), by action.");
	expo_sample_u64(x, "slaguard_countermeasures_operator_active", L("action", "block-source"),
			op_blocks);
	expo_sample_u64(x, "slaguard_countermeasures_operator_active", L("action", "allow"),
			respond_allows(e->resp));
	expo_family(x, "slaguard_operator_actions_total", "counter",
		    "Operator actions over the control socket, by action and result (taken, refused).");
	expo_sample_u64(x, "slaguard_operator_actions_total",
			L("action", "block-source", "result", "taken"), oc->block);
	expo_sample_u64(x, "slaguard_operator_actions_total",
			L("action", "block-source", "result", "refused"), oc->block_refused);
	expo_sample_u64(x, "slaguard_operator_actions_total",
			L("action", "allow", "result", "taken"), oc->allow);
	expo_sample_u64(x, "slaguard_operator_actions_total",
			L("action", "allow", "result", "refused"), oc->allow_refused);
	expo_family(x, "slaguard_repeat_offenders", "gauge",
		    "Blocked targets remembered for defaults.repeat.");
	expo_sample_u64(x, "slaguard_repeat_offenders", NULL, respond_offenders(e->resp));
	expo_family(x, "slaguard_repeat_offenders_evicted_total", "counter",
		    "Remembered targets forgotten to stay within defaults.repeat.remember.");
	expo_sample_u64(x, "slaguard_repeat_offenders_evicted_total", NULL,
			respond_offenders_evicted(e->resp));
	expo_family(x, "slaguard_actions_refused_total", "counter",
		    "Actions of the countermeasure policy refused, by reason: no_source, allowlisted, no_evidence (no handshake: the source may be forged), no_destination, cap (defaults.max_actions), backend (protected address or full set), hooks_busy, no_cgroup (no process or cgroup to act on), protected (a protected process or cgroup).");
	for (int r = 0; r < RESPOND_REFUSALS; r++)
		expo_sample_u64(x, "slaguard_actions_refused_total",
				L("reason", respond_refusal_name(r)), respond_refused(e->resp, r));
	expo_family(x, "slaguard_hooks_total", "counter",
		    "run-hook actions by outcome.");
	expo_sample_u64(x, "slaguard_hooks_total", L("outcome", "started"), hc->started);
	expo_sample_u64(x, "slaguard_hooks_total", L("outcome", "failed"), hc->failed);
	expo_sample_u64(x, "slaguard_hooks_total", L("outcome", "exited_ok"), hc->exited_ok);
	expo_sample_u64(x, "slaguard_hooks_total", L("outcome", "exited_error"), hc->exited_error);
	expo_sample_u64(x, "slaguard_hooks_total", L("outcome", "timed_out"), hc->timed_out);
}

/* Alert outputs (--webhook, --journal), totals over the webhooks. */
static void render_outputs(struct expo *x, const struct engine *e)
{
	struct outputs_counters oc;

	outputs_counters(alerts_outputs(e->alerts), &oc);
	expo_family(x, "slaguard_webhook_alerts_total", "counter",
		    "Alerts for webhooks by outcome: delivered, failed (after the last attempt), dropped (the queue was full).");
	expo_sample_u64(x, "slaguard_webhook_alerts_total", L("outcome", "delivered"), oc.delivered);
	expo_sample_u64(x, "slaguard_webhook_alerts_total", L("outcome", "failed"), oc.failed);
	expo_sample_u64(x, "slaguard_webhook_alerts_total", L("outcome", "dropped"), oc.dropped);
	expo_family(x, "slaguard_webhook_retries_total", "counter",
		    "Webhook posts retried after a failure.");
	expo_sample_u64(x, "slaguard_webhook_retries_total", NULL, oc.retries);
	expo_family(x, "slaguard_journal_alerts_total", "counter",
		    "Alerts sent to the systemd journal (--journal) by outcome: sent, failed.");
	expo_sample_u64(x, "slaguard_journal_alerts_total", L("outcome", "sent"), oc.journal_sent);
	expo_sample_u64(x, "slaguard_journal_alerts_total", L("outcome", "failed"), oc.journal_failed);
}

static void render_events(struct expo *x, const struct engine *e,
			  const struct intake_app *app)
{
	static const struct intake_genl_counters none;
	const struct intake_genl_counters *c = e->genl ? intake_genl_counters(e->genl) : &none;
	const struct intake_app_counters *ac = app ? intake_app_counters(app) : NULL;

	expo_family(x, "slaguard_module_connected", "gauge",
		    "1 while the kernel module's events are being received.");
	expo_sample(x, "slaguard_module_connected", NULL,
		    e->genl && intake_genl_connected(e->genl));
	expo_family(x, "slaguard_events_received_total", "counter",
		    "Events received and handed on, by origin (module, application).");
	expo_sample_u64(x, "slaguard_events_received_total", L("origin", "module"), c->received);
	expo_sample_u64(x, "slaguard_events_received_total", L("origin", "application"),
			e->app_events);
	expo_family(x, "slaguard_events_lost_total", "counter",
		    "The module's events known lost (sequence gaps and the module's own count).");
	expo_sample_u64(x, "slaguard_events_lost_total", NULL, c->lost);
	expo_family(x, "slaguard_events_overruns_total", "counter",
		    "Receive-buffer overruns of the event socket (events lost, count unknown).");
	expo_sample_u64(x, "slaguard_events_overruns_total", NULL, c->overruns);
	expo_family(x, "slaguard_events_refused_total", "counter",
		    "Events refused: malformed messages of the module or lines of applications, and application events of a peer the SLA does not let report them (unauthorized).");
	expo_sample_u64(x, "slaguard_events_refused_total",
			L("origin", "module", "reason", "malformed"), c->malformed);
	if (ac) {
		expo_sample_u64(x, "slaguard_events_refused_total",
				L("origin", "application", "reason", "malformed"), ac->malformed);
		expo_sample_u64(x, "slaguard_events_refused_total",
				L("origin", "application", "reason", "unauthorized"), ac->refused);
	}
}

/* The module's own counters, as of the last GET_STATS pull (every tick). */
static void render_module(struct expo *x, const struct engine *e)
{
	static const struct {
		const char *name, *type, *help;
		int attr;
		const char *label, *value;
	} m[] = {
		{ "slaguard_kernel_packets_total", "counter", "Packets the module's netfilter hooks saw, by hook.",
		  SLAGUARD_STATS_PKTS_IN, "hook", "prerouting" },
		{ "slaguard_kernel_packets_total", NULL, NULL, SLAGUARD_STATS_PKTS_FORWARD, "hook", "forward" },
		{ "slaguard_kernel_packets_total", NULL, NULL, SLAGUARD_STATS_PKTS_OUT, "hook", "output" },
		{ "slaguard_kernel_bytes_total", "counter", "Bytes of the packets the module saw, all hooks.",
		  SLAGUARD_STATS_BYTES, NULL, NULL },
		{ "slaguard_kernel_events_sent_total", "counter", "Events the module sent.",
		  SLAGUARD_STATS_EVENTS_SENT, NULL, NULL },
		{ "slaguard_kernel_events_lost_total", "counter", "Events the module could not allocate or deliver.",
		  SLAGUARD_STATS_EVENTS_LOST, NULL, NULL },
		{ "slaguard_kernel_events_suppressed_total", "counter", "Watch hits over the module's rate limit, not sent.",
		  SLAGUARD_STATS_EVENTS_SUPPRESSED, NULL, NULL },
		{ "slaguard_kernel_sources", "gauge", "Sources the module tracks now.",
		  SLAGUARD_STATS_SOURCES, NULL, NULL },
		{ "slaguard_kernel_sources_capacity", "gauge", "Sources the module's table holds at most.",
		  SLAGUARD_STATS_CAPACITY, NULL, NULL },
		{ "slaguard_kernel_source_evictions_total", "counter", "Sources evicted because the table was full.",
		  SLAGUARD_STATS_EVICTIONS, NULL, NULL },
		{ "slaguard_kernel_source_insert_failures_total", "counter", "Sources that could not be tracked.",
		  SLAGUARD_STATS_INSERT_FAILED, NULL, NULL },
		{ "slaguard_kernel_sources_expired_total", "counter", "Idle sources removed.",
		  SLAGUARD_STATS_EXPIRED, NULL, NULL },
		{ "slaguard_kernel_watch_hits_total", "counter", "Packets matching a watch.",
		  SLAGUARD_STATS_WATCH_HITS, NULL, NULL },
		{ "slaguard_kernel_malformed_packets_total", "counter", "Packets with bad headers.",
		  SLAGUARD_STATS_MALFORMED, NULL, NULL },
	};
	const uint64_t *v = e->genl ? intake_genl_module_stats(e->genl) : NULL;

	if (!v)
		return;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (m[i].type)
			expo_family(x, m[i].name, m[i].type, m[i].help);
		expo_sample_u64(x, m[i].name, m[i].label ? L(m[i].label, m[i].value) : NULL,
				v[m[i].attr]);
	}
}

void metrics_render(struct expo *x, const struct engine *e,
		    const struct intake_app *app)
{
	expo_family(x, "slaguard_build_info", "gauge", "The daemon's version; always 1.");
	expo_sample(x, "slaguard_build_info", L("version", SLAGUARD_VERSION_STR), 1);
	expo_family(x, "slaguard_sla_info", "gauge", "The running SLA's name and file; always 1.");
	expo_sample(x, "slaguard_sla_info", L("sla", e->sla->name, "file", e->sla_path), 1);
	expo_family(x, "slaguard_dry_run", "gauge",
		    "1 when nothing is enforced (--dry-run or defaults.dry_run).");
	expo_sample(x, "slaguard_dry_run", NULL, e->dry_run);
	expo_family(x, "slaguard_start_time_seconds", "gauge", "When the daemon started (Unix time).");
	expo_sample(x, "slaguard_start_time_seconds", NULL, e->started_real_ms / 1000.0);
	render_slos(x, e);
	render_alerts(x, e);
	render_respond(x, e);
	render_events(x, e, app);
	render_outputs(x, e);
	render_module(x, e);
}

/* ---- the server ---- */

struct metrics {
	struct MHD_Daemon *mhd;
	struct loop *loop;
	struct loop_handler h;
	const struct engine *e;
	const struct intake_app *app;
	struct dashboard dash;
	uint64_t scrapes;
};

static enum MHD_Result text(struct MHD_Connection *c, unsigned int status,
			    const char *msg)
{
	return web_say(c, status, msg, NULL);
}

/*
 * Answered on the first call, before any body is read: only GET and HEAD
 * are served, so a request with a body is refused without buffering it.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct metrics *m = cls;
	enum dash_route route;
	enum MHD_Result ret;
	struct expo x;
	char *page;
	size_t len;

	(void)version; (void)upload; (void)upload_len; (void)state;
	if (!web_request_ok(c, method, &ret))
		return ret;
	route = dashboard_route(url);
	if (route != DASH_NONE)
		return (enum MHD_Result)dashboard_serve(&m->dash, m->e, c, route);
	if (!strcmp(url, "/"))
		return text(c, MHD_HTTP_OK, "slaguardd: Prometheus metrics at /metrics, the dashboard at /dashboard\n");
	if (strcmp(url, "/metrics"))
		return text(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	expo_init(&x, METRICS_PAGE_MAX);
	metrics_render(&x, m->e, m->app);
	page = expo_take(&x, &len);
	if (!page) {
		sgd_log(LOG_ERR, "metrics: the page could not be rendered (out of memory or over %u bytes)",
			METRICS_PAGE_MAX);
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the page could not be rendered\n");
	}
	m->scrapes++;
	return web_answer(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", page, len,
			  true, NULL);
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)arg;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	sgd_log(LOG_DEBUG, "metrics: %s", msg);
}

static void on_ready(struct loop_handler *h, uint32_t events)
{
	struct metrics *m = h->arg;

	(void)events;
	MHD_run(m->mhd);
}

int metrics_new(struct metrics **out, struct loop *l, int fd,
		const struct engine *e, const struct intake_app *app)
{
	struct metrics *m = calloc(1, sizeof(*m));
	const union MHD_DaemonInfo *info;
	int ret;

	*out = NULL;
	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	m->loop = l;
	m->e = e;
	m->app = app;
	/* No thread flag: MHD runs only when MHD_run() is called (external loop). */
	m->mhd = web_start(fd, MHD_USE_EPOLL, on_request, m, mhd_log, NULL);
	if (!m->mhd) {
		close(fd);
		free(m);
		return -EIO;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	m->h = (struct loop_handler){ .fd = info ? info->epoll_fd : -1, .fn = on_ready, .arg = m };
	ret = m->h.fd < 0 ? -EIO : loop_add(l, &m->h, EPOLLIN);
	if (ret < 0) {
		MHD_stop_daemon(m->mhd);
		close(fd);
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void metrics_set_dashboard(struct metrics *m, const char *token, bool remote,
			   const char *history)
{
	m->dash.token = token;
	m->dash.remote = remote;
	m->dash.history = history;
}

void metrics_tick(struct metrics *m)
{
	if (m)
		MHD_run(m->mhd);
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	loop_del(m->loop, &m->h);
	web_stop(m->mhd);
	free(m);
}
