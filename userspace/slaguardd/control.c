// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "control.h"
#include "intake.h"
#include "linesock.h"

/* Alerts "alerts" returns when the request gives no limit. */
#define DEFAULT_LIMIT	100
#define MAX_LINE	65536
/* Root only, so the limits only guard against mistakes: a few clients,
 * the alerts list (up to 1000 alerts) fits in the output buffer. */
#define MAX_CLIENTS	32
#define OUT_MAX		(4u << 20)
#define IDLE_MS		300000
#define LINE_MS		10000
/* Marks a client following alerts (linesock data). */
static char following;

struct control {
	struct linesock *sock;
	struct engine *e;
	struct intake_app *app;
};

static struct json_object *error_reply(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static struct json_object *error_reply(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	return o;
}

static struct json_object *ok_reply(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

static struct json_object *cmd_status(struct engine *e, struct json_object *req,
				      const struct intake_app *app)
{
	struct json_object *o = engine_status_json(e), *ok = ok_reply();

	(void)req;
	json_object_object_foreach(o, key, val)
		json_object_object_add(ok, key, json_object_get(val));
	json_object_put(o);
	if (app)
		json_object_object_add(ok, "app_socket", intake_app_status_json(app));
	return ok;
}

static struct json_object *cmd_alerts(struct engine *e, struct json_object *req,
				      bool *follow)
{
	struct json_object *v, *o;
	int64_t limit = DEFAULT_LIMIT;

	if (json_object_object_get_ex(req, "limit", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    (limit = json_object_get_int64(v)) < 0)
			return error_reply("field 'limit': expected a whole number >= 0");
	}
	if (json_object_object_get_ex(req, "follow", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return error_reply("field 'follow': expected true or false");
		*follow = json_object_get_boolean(v);
	}
	o = ok_reply();
	json_object_object_add(o, "alerts", alerts_recent_json(e->alerts, (size_t)limit));
	return o;
}

static struct json_object *cmd_countermeasures(struct engine *e,
					       struct json_object *req)
{
	struct json_object *o = ok_reply();

	(void)req;
	json_object_object_add(o, "countermeasures",
			       respond_list_json(e->resp, sgd_mono_ms()));
	return o;
}

static struct json_object *cmd_revoke(struct engine *e, struct json_object *req)
{
	struct json_object *v;
	char err[512];

	size_t n = 1;
	struct json_object *o;

	/* "target": everything on an address or prefix, as listed */
	if (json_object_object_get_ex(req, "target", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return error_reply("field 'target': expected an address or a CIDR prefix");
		if (respond_revoke_target(e->resp, json_object_get_string(v), &n, err,
					  sizeof(err)) < 0)
			return error_reply("%s", err);
	} else if (!json_object_object_get_ex(req, "id", &v) ||
		   !json_object_is_type(v, json_type_string)) {
		return error_reply("field 'id': expected a countermeasure id like \"C3\" (or 'target': an address or prefix)");
	} else if (respond_revoke(e->resp, json_object_get_string(v), err, sizeof(err)) < 0) {
		return error_reply("%s", err);
	}
	/* an allow ended: blocks of its addresses are possible again now */
	if (respond_guard_stale(e->resp))
		respond_refresh_guard(e->resp, e->sla);
	o = ok_reply();
	json_object_object_add(o, "revoked", json_object_new_int64((int64_t)n));
	return o;
}

/*
 * "block" / "allow": an operator's action on "target" (address or prefix)
 * for "for" (a duration; default per action), "reason" optional. UID is
 * the peer's, from SO_PEERCRED (the socket admits root only).
 */
static struct json_object *cmd_operator(struct engine *e, struct json_object *req,
					bool allow, uint32_t uid)
{
	struct respond_request q = { .uid = uid };
	const struct countermeasure *c;
	struct json_object *v, *o;
	uint64_t now = sgd_mono_ms();
	size_t lifted = 0;
	char err[512];
	int ret;

	if (!json_object_object_get_ex(req, "target", &v) ||
	    !json_object_is_type(v, json_type_string))
		return error_reply("field 'target': expected an address or a CIDR prefix like \"192.0.2.7\" or \"192.0.2.0/24\"");
	q.target = json_object_get_string(v);
	if (json_object_object_get_ex(req, "for", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    sla_parse_duration(json_object_get_string(v), &q.duration_ms) < 0 ||
		    !q.duration_ms)
			return error_reply("field 'for': expected a duration like 30m, 12h or 7d, got '%.40s'",
					   json_object_get_string(v));
	}
	if (json_object_object_get_ex(req, "reason", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string))
			return error_reply("field 'reason': expected text");
		q.reason = json_object_get_string(v);
	}
	ret = allow ? respond_operator_allow(e->resp, e->sla, &q, now, &c, &lifted, err, sizeof(err)) :
		      respond_operator_block(e->resp, e->sla, &q, now, &c, err, sizeof(err));
	if (ret < 0)
		return error_reply("%s %s refused: %s", allow ? "allow" : "block",
				   q.target, err);
	if (e->on_operator)
		e->on_operator(c, allow ? "allow" : "block-source", e->on_alert_arg);
	o = ok_reply();
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "action", json_object_new_string(allow ? "allow" : "block-source"));
	json_object_object_add(o, "target", json_object_new_string(c->target));
	json_object_object_add(o, "remaining_s", json_object_new_int64(
				       (int64_t)((c->expires > now ? c->expires - now : 0) + 999) / 1000));
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	if (c->repeat)
		json_object_object_add(o, "repeat", json_object_new_int64(c->repeat));
	if (allow)
		json_object_object_add(o, "lifted", json_object_new_int64((int64_t)lifted));
	if (c->dry_run)
		json_object_object_add(o, "dry_run", json_object_new_boolean(1));
	return o;
}

static struct json_object *cmd_reload(struct engine *e, struct json_object *req)
{
	struct json_object *v;
	const char *file = NULL;
	char err[1024];

	if (json_object_object_get_ex(req, "file", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !*json_object_get_string(v))
			return error_reply("field 'file': expected the path of an SLA file");
		file = json_object_get_string(v);
	}
	if (engine_reload(e, file, err, sizeof(err)) < 0) {
		sgd_log(LOG_ERR, "reload refused, the running SLA is unchanged: %s", err);
		return error_reply("%s", err);
	}
	return ok_reply();
}

static struct json_object *handle(struct engine *e, const struct intake_app *app,
				  const char *line, bool *follow, uint32_t uid)
{
	struct json_object *req = json_tokener_parse(line), *v, *resp;
	const char *cmd;

	*follow = false;
	if (!req || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return error_reply("expected one JSON object per line, like {\"cmd\":\"status\"}");
	}
	if (!json_object_object_get_ex(req, "cmd", &v) ||
	    !json_object_is_type(v, json_type_string))
		resp = error_reply("field 'cmd': expected one of status, alerts, countermeasures, revoke, block, allow, reload");
	else if (!strcmp(cmd = json_object_get_string(v), "status"))
		resp = cmd_status(e, req, app);
	else if (!strcmp(cmd, "alerts"))
		resp = cmd_alerts(e, req, follow);
	else if (!strcmp(cmd, "countermeasures"))
		resp = cmd_countermeasures(e, req);
	else if (!strcmp(cmd, "revoke"))
		resp = cmd_revoke(e, req);
	else if (!strcmp(cmd, "block") || !strcmp(cmd, "allow"))
		resp = cmd_operator(e, req, !strcmp(cmd, "allow"), uid);
	else if (!strcmp(cmd, "reload"))
		resp = cmd_reload(e, req);
	else
		resp = error_reply("unknown command '%s'", cmd);
	json_object_put(req);
	return resp;
}

struct json_object *control_handle(struct engine *e, const char *line,
				   bool *follow, uint32_t uid)
{
	return handle(e, NULL, line, follow, uid);
}

static void send_json(struct linesock_client *c, struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	char *line = malloc(len + 2);

	if (!line)
		return;
	memcpy(line, text, len);
	line[len] = '\n';
	linesock_send(c, line, len + 1);
	free(line);
}

static void on_line(struct linesock_client *c, char *line, void *arg)
{
	struct control *ctl = arg;
	struct json_object *resp;
	bool follow;

	if (!*line || linesock_data(c) == &following)
		return;
	resp = handle(ctl->e, ctl->app, line, &follow, (uint32_t)linesock_uid(c));
	send_json(c, resp);
	json_object_put(resp);
	if (follow) {
		linesock_set_data(c, &following);
		linesock_set_listener(c);
	}
}

static void send_alert(struct linesock_client *c, void *arg)
{
	if (linesock_data(c) == &following)
		send_json(c, arg);
}

static void on_alert(const struct alert *a, void *arg)
{
	struct control *ctl = arg;
	struct json_object *o = alert_to_json(a);

	if (o)
		linesock_foreach(ctl->sock, send_alert, o);
	json_object_put(o);
}

int control_new(struct control **out, struct loop *l, const char *path,
		struct engine *e)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	struct linesock_opts o = {
		.path = path, .mode = 0600, .root_only = true,
		.max_line = MAX_LINE, .on_line = on_line,
		.max_clients = MAX_CLIENTS, .max_per_uid = MAX_CLIENTS,
		.out_max = OUT_MAX, .idle_ms = IDLE_MS, .line_ms = LINE_MS,
	};
	int ret;

	*out = NULL;
	if (!ctl)
		return -ENOMEM;
	ctl->e = e;
	o.arg = ctl;
	ret = linesock_open(&ctl->sock, l, &o);
	if (ret < 0) {
		free(ctl);
		return ret;
	}
	alerts_set_listener(e->alerts, on_alert, ctl);
	*out = ctl;
	return 0;
}

void control_set_app(struct control *ctl, struct intake_app *app)
{
	ctl->app = app;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	alerts_set_listener(ctl->e->alerts, NULL, NULL);
	linesock_close(ctl->sock);
	free(ctl);
}
