// SPDX-License-Identifier: GPL-2.0
/* "alerts": slaguardd's recent alerts, or all of them as they are raised. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "control_client.h"
#include "ctl.h"
#include "output.h"

const char alerts_usage[] =
	"Usage: " PROG " [-j] [--control PATH] alerts [--follow] [--limit N]\n"
	"\n"
	"slaguardd's most recent alerts (at most N, default 100), oldest first.\n"
	"--follow prints those, then every new alert as it is raised, until\n"
	"SIGINT/SIGTERM (exit 0) or until slaguardd goes away (exit 1).\n"
	"With -j: {\"ok\":true,\"alerts\":[...]}, or with --follow one alert\n"
	"object per line, flushed, e.g.\n"
	"  {\"id\":\"A7\",\"time\":\"...\",\"severity\":\"high\",\"kind\":\"slo\",\"ref\":\"web-syn-rate\",\n"
	"   \"source\":\"10.77.0.2\",\"component\":\"web\",\"summary\":\"...\",\"evidence\":{...},\"actions\":[\"C3\"]}\n"
	"kind is slo, rule, anomaly or lost_events; actions are countermeasure ids.\n";

#define DEFAULT_LIMIT	100
#define MAX_LIMIT	100000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "C3,C4", or "-" when the alert caused no countermeasure. */
static const char *actions_text(struct json_object *alert, char *buf,
				size_t size)
{
	struct json_object *a = cc_get(alert, "actions", json_type_array);
	size_t i, n = a ? json_object_array_length(a) : 0, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < n && pos + 1 < size; i++) {
		struct json_object *id = json_object_array_get_idx(a, i);

		snprintf(buf + pos, size - pos, "%s%s", i ? "," : "",
			 id ? json_object_get_string(id) : "?");
		pos = strlen(buf);
	}
	return buf[0] ? buf : "-";
}

int cc_print_alerts(struct json_object *alerts, FILE *f)
{
	static const struct sg_column cols[] = {
		{ "ID", false }, { "TIME", false }, { "SEVERITY", false },
		{ "KIND", false }, { "REF", false }, { "SOURCE", false },
		{ "COMPONENT", false }, { "ACTIONS", false }, { "SUMMARY", false },
	};
	char b[8][128], acts[256];
	size_t i, n = alerts ? json_object_array_length(alerts) : 0;
	struct sg_table *t;
	int ret = 0;

	if (n == 0) {
		fprintf(f, "no alerts\n");
		return 0;
	}
	t = sg_table_new(cols, sizeof(cols) / sizeof(cols[0]));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n && ret == 0; i++) {
		struct json_object *a = json_object_array_get_idx(alerts, i);
		const char *cells[] = {
			cc_text(a, "id", b[0], sizeof(b[0])),
			cc_text(a, "time", b[1], sizeof(b[1])),
			cc_text(a, "severity", b[2], sizeof(b[2])),
			cc_text(a, "kind", b[3], sizeof(b[3])),
			cc_text(a, "ref", b[4], sizeof(b[4])),
			cc_text(a, "source", b[5], sizeof(b[5])),
			cc_text(a, "component", b[6], sizeof(b[6])),
			actions_text(a, acts, sizeof(acts)),
			cc_text(a, "summary", b[7], sizeof(b[7])),
		};

		ret = sg_table_add(t, cells);
	}
	if (ret == 0)
		sg_table_print(t, f);
	sg_table_free(t);
	return ret;
}

void cc_print_alert_line(struct json_object *a, FILE *f)
{
	char b[8][128], acts[256];

	fprintf(f, "%s %s %s %s %s source=%s component=%s actions=%s: %s\n",
		cc_text(a, "time", b[0], sizeof(b[0])),
		cc_text(a, "id", b[1], sizeof(b[1])),
		cc_text(a, "severity", b[2], sizeof(b[2])),
		cc_text(a, "kind", b[3], sizeof(b[3])),
		cc_text(a, "ref", b[4], sizeof(b[4])),
		cc_text(a, "source", b[5], sizeof(b[5])),
		cc_text(a, "component", b[6], sizeof(b[6])),
		actions_text(a, acts, sizeof(acts)),
		cc_text(a, "summary", b[7], sizeof(b[7])));
}

static int print_alert(struct ctl *c, struct json_object *a)
{
	int ret = 0;

	if (c->json)
		ret = sg_json_print(a, stdout);
	else
		cc_print_alert_line(a, stdout);
	if (fflush(stdout) != 0 || ret < 0)
		return sg_fail(&c->err, -EIO, "alerts: cannot write to stdout: %s",
			       strerror(errno));
	return 0;
}

static int parse_args(struct ctl *c, int argc, char **argv, bool *follow,
		      uint32_t *limit)
{
	int i;

	*follow = false;
	*limit = DEFAULT_LIMIT;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0 || strcmp(argv[i], "-f") == 0 ||
		    strcmp(argv[i], "follow") == 0) {
			*follow = true;
		} else if (strcmp(argv[i], "--limit") == 0 ||
			   strcmp(argv[i], "limit") == 0) {
			if (i + 1 >= argc)
				return sg_usage(&c->err, "'%s' needs a number of alerts",
						argv[i]);
			if (sg_parse_u32("--limit", argv[i + 1], 1, MAX_LIMIT,
					 limit, &c->err) < 0)
				return -EINVAL;
			i++;
		} else {
			return sg_usage(&c->err, "'alerts' takes --follow and --limit N, not '%s'",
					argv[i]);
		}
	}
	return 0;
}

static struct json_object *alerts_request(bool follow, uint32_t limit)
{
	struct json_object *req = json_object_new_object();

	if (!req)
		return NULL;
	sg_json_add_str(req, "cmd", "alerts");
	json_object_object_add(req, "follow", json_object_new_boolean(follow));
	json_object_object_add(req, "limit", json_object_new_int64(limit));
	return req;
}

/* The backlog, then each alert as the daemon streams it. */
static int follow_alerts(struct ctl *c, struct json_object *req)
{
	struct json_object *resp = NULL, *list, *a;
	sigset_t block, old, wait;
	struct sigaction sa;
	struct cc_conn cc;
	size_t i, n;
	int ret;

	stop = 0;
	ret = cc_connect(&cc, cc_path(c->control), &c->err);
	if (ret < 0)
		return ret;
	ret = cc_send(&cc, req, &c->err);
	if (ret == 0)
		ret = cc_recv(&cc, &resp, CC_TIMEOUT_MS, NULL, &c->err);
	if (ret == -EPIPE)
		ret = sg_fail(&c->err, ret,
			      "alerts --follow: slaguardd closed the connection without answering");
	if (ret == 0)
		ret = cc_check_ok(resp, "alerts --follow", &c->err);
	if (ret < 0)
		goto out;
	list = cc_get(resp, "alerts", json_type_array);
	n = list ? json_object_array_length(list) : 0;
	for (i = 0; i < n && ret == 0; i++)
		ret = print_alert(c, json_object_array_get_idx(list, i));
	if (ret < 0)
		goto out;
	if (fflush(stdout) != 0) {
		ret = sg_fail(&c->err, -EIO, "alerts: cannot write to stdout");
		goto out;
	}

	/* SIGINT/SIGTERM are only delivered while waiting: a clean exit 0. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait = old;
	sigdelset(&wait, SIGINT);
	sigdelset(&wait, SIGTERM);

	while (!stop) {
		ret = cc_recv(&cc, &a, -1, &wait, &c->err);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret == -EPIPE) {
			ret = sg_fail(&c->err, ret,
				      "alerts --follow: slaguardd closed the connection (it stopped or restarted)");
			break;
		}
		if (ret < 0)
			break;
		ret = print_alert(c, a);
		json_object_put(a);
		if (ret < 0)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	json_object_put(resp);
	cc_close(&cc);
	return ret;
}

int cmd_alerts(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp;
	uint32_t limit;
	bool follow;
	int ret;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(alerts_usage, stdout);
		return 0;
	}
	/* "alerts list ..." reads like the other objects' commands. */
	if (argc > 0 && strcmp(argv[0], "list") == 0) {
		argc--;
		argv++;
	}
	ret = parse_args(c, argc, argv, &follow, &limit);
	if (ret < 0)
		return ret;
	req = alerts_request(follow, limit);
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	if (follow) {
		ret = follow_alerts(c, req);
		json_object_put(req);
		return ret;
	}
	ret = cc_call(cc_path(c->control), req, &resp, "alerts", &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json)
		ret = sg_json_print(resp, stdout);
	else if (cc_print_alerts(cc_get(resp, "alerts", json_type_array),
				 stdout) < 0)
		ret = sg_fail(&c->err, -ENOMEM, "out of memory");
	json_object_put(resp);
	return ret;
}
