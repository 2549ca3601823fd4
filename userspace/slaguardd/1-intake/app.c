// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "intake.h"
#include "linesock.h"
#include "sla.h"
#include "util.h"

/* Refused events are logged at most this often, with how many were not. */
#define LOG_EVERY_MS	10000

struct intake_app {
	struct linesock *sock;
	struct intake_app_opts o;
	gid_t gid;			/* the socket's group; (gid_t)-1: the daemon's */
	struct intake_app_counters n;
	char last_refusal[256];
	uint64_t log_ms, log_suppressed;
};

/* Copy string field KEY; REQUIRED fields must be non-empty strings. */
static int field(struct json_object *o, const char *key, char *dst,
		 size_t size, bool required, char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;
	size_t len, bad;
	uint32_t cp;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "field '%s': expected a string, got nothing", key);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !*(s = json_object_get_string(v))) {
		snprintf(err, errlen, "field '%s': expected a non-empty string", key);
		return -EINVAL;
	}
	len = (size_t)json_object_get_string_len(v);
	if (len >= size) {
		snprintf(err, errlen, "field '%s': expected at most %zu characters", key, size - 1);
		return -EINVAL;
	}
	/* Logs, syslog and terminals show these: no controls, valid UTF-8. */
	bad = sg_text_check(s, len, &cp);
	if (bad < len && (cp & SG_NOT_UTF8)) {
		snprintf(err, errlen, "field '%s': expected UTF-8 text, got byte 0x%02X at offset %zu",
			 key, (unsigned int)(cp & 0xff), bad);
		return -EINVAL;
	}
	if (bad < len) {
		snprintf(err, errlen, "field '%s': expected text without control characters, "
			 "got U+%04X at offset %zu", key, (unsigned int)cp, bad);
		return -EINVAL;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

/* The event schema's version: optional, and 1 is the only one there is. */
static int check_version(struct json_object *o, char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "v", &v))
		return 0;
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) == INTAKE_APP_SCHEMA)
		return 0;
	snprintf(err, errlen, "field 'v': expected the event schema version %d, got %.32s",
		 INTAKE_APP_SCHEMA, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return -EINVAL;
}

static int check_action(const char *action, char *err, size_t errlen)
{
	enum sla_data_action a;

	if (sla_data_action_from_name(action, &a) == 0)
		return 0;
	snprintf(err, errlen, "field 'action': expected one of read, write, delete, "
		 "login-failure, privilege-change, login-success, got '%.32s'", action);
	return -EINVAL;
}

/*
 * json_tokener_parse() as it is, but with one tokener kept for every line:
 * a new tokener per line (allocations and a locale copy) was most of the
 * cost of an application event. The daemon has one thread.
 */
static struct json_object *parse_line(const char *line)
{
	static struct json_tokener *tok;
	struct json_object *o;

	if (!tok && !(tok = json_tokener_new()))
		return NULL;
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, -1);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int intake_app_parse(const char *line, struct rec *r, char *err, size_t errlen)
{
	struct json_object *o = parse_line(line);
	char source[SGD_ADDR_MAX] = "";
	struct rec_app *a = &r->app;
	int ret;

	memset(r, 0, sizeof(*r));
	r->kind = REC_APP;
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "expected one JSON object per line");
		json_object_put(o);
		return -EINVAL;
	}
	ret = check_version(o, err, errlen);
	if (!ret)
		ret = field(o, "component", a->component, sizeof(a->component), true, err, errlen);
	if (!ret)
		ret = field(o, "user", a->user, sizeof(a->user), true, err, errlen);
	if (!ret)
		ret = field(o, "action", a->action, sizeof(a->action), true, err, errlen);
	if (!ret)
		ret = check_action(a->action, err, errlen);
	if (!ret)
		ret = field(o, "resource", a->resource, sizeof(a->resource), true, err, errlen);
	if (!ret)
		ret = field(o, "role", a->role, sizeof(a->role), false, err, errlen);
	if (!ret)
		ret = field(o, "source", source, sizeof(source), false, err, errlen);
	json_object_put(o);
	if (!ret && source[0] && !(a->family = sgd_parse_addr(source, a->src))) {
		snprintf(err, errlen, "field 'source': expected an IPv4 or IPv6 address");
		ret = -EINVAL;
	}
	return ret;
}

static void log_refusal(struct intake_app *a, const char *why, pid_t pid)
{
	uint64_t now = sgd_mono_ms();

	snprintf(a->last_refusal, sizeof(a->last_refusal), "%s", why);
	if (a->log_ms && now - a->log_ms < LOG_EVERY_MS) {
		a->log_suppressed++;
		return;
	}
	if (a->log_suppressed)
		sgd_log(LOG_WARNING, "%s: refused an event of pid %d: %s; %llu more refused in the last %d s",
			a->o.path, (int)pid, why, (unsigned long long)a->log_suppressed,
			LOG_EVERY_MS / 1000);
	else
		sgd_log(LOG_WARNING, "%s: refused an event of pid %d: %s", a->o.path,
			(int)pid, why);
	a->log_ms = now;
	a->log_suppressed = 0;
}

static void on_line(struct linesock_client *c, char *line, void *arg)
{
	struct intake_app *a = arg;
	const struct sla *sla = a->o.sla ? *a->o.sla : NULL;
	const uint32_t *gids;
	size_t n_gids = linesock_gids(c, &gids);
	char err[256];
	struct rec r;

	if (!*line)
		return;
	if (intake_app_parse(line, &r, err, sizeof(err)) < 0) {
		a->n.malformed++;
		linesock_send_error(c, err);
		return;
	}
	r.app.uid = (uint32_t)linesock_uid(c);
	if (sla && sla_reporter_check(sla, r.app.uid, gids, n_gids, r.app.component,
				      r.app.family != 0, err, sizeof(err)) < 0) {
		a->n.refused++;
		log_refusal(a, err, linesock_pid(c));
		linesock_send_error(c, err);
		return;
	}
	r.real_ms = sgd_real_ms();
	r.mono_ms = sgd_mono_ms();
	a->n.events++;
	a->o.sink(&r, a->o.arg);
}

/* The group --app-group forces, else the SLA's, else none ((gid_t)-1). */
static gid_t wanted_gid(const struct intake_app *a, const struct sla *sla)
{
	if (a->o.set_gid)
		return a->o.gid;
	if (sla && sla->defaults.has_app_group)
		return (gid_t)sla->defaults.app_group;
	return (gid_t)-1;
}

int intake_app_new(struct intake_app **out, struct loop *l,
		   const struct intake_app_opts *opts)
{
	struct intake_app *a = calloc(1, sizeof(*a));
	const struct sla *sla = opts->sla ? *opts->sla : NULL;
	struct linesock_opts o = {
		.path = opts->path, .mode = opts->mode,
		.max_line = INTAKE_APP_MAX_LINE,
		.idle_ms = opts->idle_ms ? opts->idle_ms : INTAKE_APP_IDLE_MS,
		.line_ms = opts->line_ms ? opts->line_ms : INTAKE_APP_LINE_MS,
		.lines_per_s = opts->lines_per_s ? opts->lines_per_s : INTAKE_APP_LINES_PER_S,
		.bytes_per_s = opts->bytes_per_s ? opts->bytes_per_s : INTAKE_APP_BYTES_PER_S,
		.max_error_replies = INTAKE_APP_ERROR_REPLIES,
		.out_max = INTAKE_APP_OUT_MAX,
		.on_line = on_line, .arg = a,
	};
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->o = *opts;
	a->gid = wanted_gid(a, sla);
	o.set_gid = a->gid != (gid_t)-1;
	o.gid = a->gid;
	ret = linesock_open(&a->sock, l, &o);
	if (ret < 0) {
		free(a);
		return ret;
	}
	a->o.path = opts->path;
	if (sla && !sla->n_reporters && a->gid != (gid_t)-1 && a->gid != 0)
		sgd_log(LOG_WARNING, "%s: group %u may connect, but the SLA names no reporters: only root's events are taken",
			opts->path, (unsigned int)a->gid);
	*out = a;
	return 0;
}

void intake_app_tick(struct intake_app *a)
{
	const struct sla *sla;
	gid_t gid;
	int ret;

	/* By value: a reloaded SLA may sit where the old one was freed. */
	if (!a || !a->o.sla || !*a->o.sla)
		return;
	sla = *a->o.sla;
	gid = wanted_gid(a, sla);
	if (gid == a->gid || gid == (gid_t)-1)
		return;
	ret = linesock_set_group(a->sock, gid);
	if (ret < 0) {
		sgd_log(LOG_ERR, "%s: cannot change the group to %u: %s", a->o.path,
			(unsigned int)gid, strerror(-ret));
		return;
	}
	sgd_log(LOG_NOTICE, "%s: group %u (defaults.app_group of the reloaded SLA)",
		a->o.path, (unsigned int)gid);
	a->gid = gid;
}

const struct intake_app_counters *intake_app_counters(const struct intake_app *a)
{
	return &a->n;
}

struct json_object *intake_app_status_json(const struct intake_app *a)
{
	struct json_object *o = linesock_status_json(a->sock);
	const struct sla *sla = a->o.sla ? *a->o.sla : NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "group", a->gid == (gid_t)-1 ? NULL :
			       json_object_new_int64((int64_t)a->gid));
	json_object_object_add(o, "reporters", json_object_new_int64(
			       sla ? (int64_t)sla->n_reporters : 0));
	json_object_object_add(o, "events", json_object_new_int64((int64_t)a->n.events));
	json_object_object_add(o, "malformed", json_object_new_int64((int64_t)a->n.malformed));
	json_object_object_add(o, "refused_events", json_object_new_int64((int64_t)a->n.refused));
	json_object_object_add(o, "last_refusal", a->last_refusal[0] ?
			       json_object_new_string(a->last_refusal) : NULL);
	return o;
}

void intake_app_free(struct intake_app *a)
{
	if (!a)
		return;
	linesock_close(a->sock);
	free(a);
}
