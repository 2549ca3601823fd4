// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "intake.h"
#include "linesock.h"
#include "util.h"

struct intake_app {
	struct linesock *sock;
	rec_sink_fn sink;
	void *arg;
};

/* Copy string field KEY; REQUIRED fields must be non-empty strings. */
static int field(struct json_object *o, const char *key, char *dst,
		 size_t size, bool required, char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;

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
	if (strlen(s) >= size) {
		snprintf(err, errlen, "field '%s': expected at most %zu characters", key, size - 1);
		return -EINVAL;
	}
	strcpy(dst, s);
	return 0;
}

int intake_app_parse(const char *line, struct rec *r, char *err, size_t errlen)
{
	struct json_object *o = json_tokener_parse(line);
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
	ret = field(o, "component", a->component, sizeof(a->component), true, err, errlen);
	if (!ret)
		ret = field(o, "user", a->user, sizeof(a->user), true, err, errlen);
	if (!ret)
		ret = field(o, "action", a->action, sizeof(a->action), true, err, errlen);
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

static void on_line(struct linesock_client *c, char *line, void *arg)
{
	struct intake_app *a = arg;
	char err[256], reply[320];
	struct rec r;

	if (!*line)
		return;
	if (intake_app_parse(line, &r, err, sizeof(err)) < 0) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(0));
		json_object_object_add(o, "error", json_object_new_string(err));
		snprintf(reply, sizeof(reply), "%s\n",
			 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		linesock_send(c, reply, strlen(reply));
		return;
	}
	r.app.uid = (uint32_t)linesock_uid(c);
	r.real_ms = sgd_real_ms();
	r.mono_ms = sgd_mono_ms();
	a->sink(&r, a->arg);
}

int intake_app_new(struct intake_app **out, struct loop *l, const char *path,
		   mode_t mode, rec_sink_fn sink, void *arg)
{
	struct intake_app *a = calloc(1, sizeof(*a));
	struct linesock_opts o = {
		.path = path, .mode = mode, .max_line = 16384,
		.on_line = on_line, .arg = a,
	};
	int ret;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->sink = sink;
	a->arg = arg;
	ret = linesock_open(&a->sock, l, &o);
	if (ret < 0) {
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

void intake_app_free(struct intake_app *a)
{
	if (!a)
		return;
	linesock_close(a->sock);
	free(a);
}
