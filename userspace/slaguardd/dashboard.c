// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "compliance.h"
#include "dashboard.h"
#include "engine.h"
#include "sla.h"
#include "util.h"
#include "web.h"

/* build.mk makes this object depend on web/ and passes SGD_WEB_DIR. */
WEB_ASSET(sgd_web_page, SGD_WEB_DIR, "index.html", WEB_HTML);
WEB_ASSET(sgd_web_script, SGD_WEB_DIR, "dashboard.js", WEB_JS);

enum dash_route dashboard_route(const char *url)
{
	static const struct web_route routes[] = {
		WEB_ROUTES_COMMON(DASH_PAGE, DASH_WEB_SCRIPT, DASH_STYLE),
		{ "/dashboard.js", DASH_SCRIPT },
		{ "/api/status", DASH_API_STATUS },
		{ "/api/alerts", DASH_API_ALERTS },
		{ "/api/countermeasures", DASH_API_COUNTERMEASURES },
		{ "/api/report", DASH_API_REPORT },
	};

	return (enum dash_route)web_route(url, routes, sizeof(routes) / sizeof(routes[0]));
}

char *dashboard_api(const struct engine *e, enum dash_route r)
{
	struct json_object *o;
	char *s;

	switch (r) {
	case DASH_API_STATUS:
		o = engine_status_json(e);
		break;
	case DASH_API_ALERTS:
		o = json_object_new_object();
		json_object_object_add(o, "alerts", alerts_recent_json(e->alerts, DASH_ALERTS_MAX));
		break;
	case DASH_API_COUNTERMEASURES:
		o = json_object_new_object();
		json_object_object_add(o, "countermeasures",
				       respond_list_json(e->resp, sgd_mono_ms()));
		break;
	default:
		return NULL;
	}
	s = o ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
	json_object_put(o);
	return s;
}

char *dashboard_report(const char *path, const char *since, const char *slo, uint64_t now,
		       unsigned int *status)
{
	struct json_object *rep = NULL;
	sqlite3 *db = NULL;
	uint64_t ms;
	char err[512];
	char *s;
	int ret;

	if (sla_parse_duration(since ? since : DASH_SINCE_DEFAULT, &ms) < 0 || !ms ||
	    ms > DASH_SINCE_MAX_MS) {
		*status = 400;
		return strdup("since: expected a duration like 30d, 12h or 90m, up to 3660d\n");
	}
	if (!path) {
		*status = 404;
		return strdup("no history: slaguardd runs with --no-history, or it could not open it\n");
	}
	/* Its own read-only connection, as slaguardctl report's. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, sizeof(err), "history %s: %s\n", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		*status = 500;
		return strdup(err);
	}
	sqlite3_busy_timeout(db, 200);
	ret = report_build(db, now > ms ? now - ms : 0, now, slo, &rep, err, sizeof(err));
	sqlite3_close(db);
	if (ret < 0) {
		*status = ret == -ENOENT ? 404 : 500;
		strncat(err, "\n", sizeof(err) - strlen(err) - 1);
		return strdup(err);
	}
	s = strdup(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	json_object_put(rep);
	*status = 200;
	return s;
}

int dashboard_serve(const struct dashboard *d, const struct engine *e,
		    struct MHD_Connection *c, enum dash_route r)
{
	const struct web_access a = {
		.token = d->token, .remote = d->remote, .page = "/dashboard", .program = "slaguardd",
	};
	enum MHD_Result ret = MHD_NO;
	char *body;

	if (!web_allowed(&a, c, r == DASH_PAGE, &ret))
		return ret;
	switch (r) {
	case DASH_PAGE:
		return web_file(c, &sgd_web_page);
	case DASH_SCRIPT:
		return web_file(c, &sgd_web_script);
	case DASH_WEB_SCRIPT:
		return web_common(c, WEB_COMMON_SCRIPT);
	case DASH_STYLE:
		return web_common(c, WEB_COMMON_STYLE);
	case DASH_API_REPORT: {
		unsigned int status;

		body = dashboard_report(d->history,
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "slo"),
			sgd_real_ms(), &status);
		if (!body)
			return web_say(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
		return web_answer(c, status, status == 200 ? "application/json" :
			      "text/plain; charset=utf-8", body, strlen(body), true, NULL);
	}
	default:
		return web_json(c, dashboard_api(e, r));
	}
}
