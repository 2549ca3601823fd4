// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "page.h"
#include "web.h"

/* build.mk makes this object depend on web/ and passes COORD_WEB_DIR. */
WEB_ASSET(coord_web_page, COORD_WEB_DIR, "index.html", WEB_HTML);
WEB_ASSET(coord_web_script, COORD_WEB_DIR, "fleet.js", WEB_JS);

static const struct web_route coord_routes[] = {
	WEB_ROUTES_COMMON(CPAGE_PAGE, CPAGE_WEB_SCRIPT, CPAGE_STYLE),
	{ "/fleet.js", CPAGE_SCRIPT },
	{ "/api/state", CPAGE_API_STATE },
};

enum coord_page_route coord_page_route(const char *url)
{
	return (enum coord_page_route)web_route(url, coord_routes,
						sizeof(coord_routes) / sizeof(coord_routes[0]));
}

char *coord_page_state(const struct coord *co, uint64_t now)
{
	struct json_object *o = coord_state_json(co, now);
	char *s = o ? strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;

	json_object_put(o);
	return s;
}

struct coord_page {
	struct MHD_Daemon *mhd;
	struct web_access access;
	pthread_mutex_t lock;
	char *state;		/* under lock; NULL: not rendered yet */
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct coord_page *p = cls;
	enum coord_page_route r = coord_page_route(url);
	enum MHD_Result ret;
	bool ready;
	char *body;

	(void)version; (void)upload; (void)upload_len; (void)state;
	if (!web_request_ok(c, method, &ret))
		return ret;
	if (r == CPAGE_NONE)
		return web_say(c, strcmp(url, "/") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK,
			       "slaguard-coord: the fleet's page is at /dashboard\n", NULL);
	if (!web_allowed(&p->access, c, r == CPAGE_PAGE, &ret))
		return ret;
	if (r == CPAGE_WEB_SCRIPT || r == CPAGE_STYLE)
		return web_common(c, r == CPAGE_STYLE ? WEB_COMMON_STYLE : WEB_COMMON_SCRIPT);
	if (r != CPAGE_API_STATE)
		return web_file(c, r == CPAGE_PAGE ? &coord_web_page : &coord_web_script);
	pthread_mutex_lock(&p->lock);
	ready = p->state != NULL;
	body = ready ? strdup(p->state) : NULL;
	pthread_mutex_unlock(&p->lock);
	if (!ready)
		return web_say(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			       "not ready: the coordinator has not evaluated its SLOs yet\n", NULL);
	return web_json(c, body);
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	(void)arg;
	fputs("slaguard-coord: dashboard: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int coord_page_open(struct coord_page **out, int fd, const char *token, bool remote)
{
	struct coord_page *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	p->access = (struct web_access){
		.token = token, .remote = remote, .page = "/dashboard", .program = "slaguard-coord",
	};
	pthread_mutex_init(&p->lock, NULL);
	/* Its own thread: the coordinator's loop blocks on the bus (ITC: to quiesce it). */
	p->mhd = web_start(fd, MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC,
			   on_request, p, mhd_log, NULL);
	if (!p->mhd) {
		close(fd);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return -EIO;
	}
	*out = p;
	return 0;
}

void coord_page_update(struct coord_page *p, const struct coord *co, uint64_t now)
{
	char *s, *old;

	if (!p)
		return;
	s = coord_page_state(co, now);
	if (!s)
		return;		/* the page keeps the last one */
	pthread_mutex_lock(&p->lock);
	old = p->state;
	p->state = s;
	pthread_mutex_unlock(&p->lock);
	free(old);
}

void coord_page_close(struct coord_page *p)
{
	if (!p)
		return;
	web_stop(p->mhd);
	pthread_mutex_destroy(&p->lock);
	free(p->state);
	free(p);
}
