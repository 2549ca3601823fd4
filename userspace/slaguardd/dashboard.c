// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "compliance.h"
#include "dashboard.h"
#include "engine.h"
#include "sla.h"
#include "util.h"

/*
 * The files of web/, built into the binary as they are (.incbin: no
 * generated sources, no tool beyond the assembler). build.mk makes this
 * object depend on them and passes SGD_WEB_DIR.
 */
#define WEB_ASSET(sym, file)							\
	__asm__(".pushsection .rodata,\"a\"\n"					\
		".balign 16\n"							\
		".globl " #sym "\n.hidden " #sym "\n" #sym ":\n"		\
		".incbin \"" SGD_WEB_DIR "/" file "\"\n"			\
		".globl " #sym "_end\n.hidden " #sym "_end\n" #sym "_end:\n"	\
		".byte 0\n.popsection\n");					\
	extern const char sym[], sym##_end[]

WEB_ASSET(sgd_web_page, "index.html");
WEB_ASSET(sgd_web_script, "dashboard.js");
WEB_ASSET(sgd_web_style, "dashboard.css");

enum dash_route dashboard_route(const char *url)
{
	static const struct {
		const char *path;
		enum dash_route r;
	} routes[] = {
		{ "/dashboard", DASH_PAGE },
		{ "/dashboard/", DASH_PAGE },
		{ "/dashboard.js", DASH_SCRIPT },
		{ "/dashboard.css", DASH_STYLE },
		{ "/api/status", DASH_API_STATUS },
		{ "/api/alerts", DASH_API_ALERTS },
		{ "/api/countermeasures", DASH_API_COUNTERMEASURES },
		{ "/api/report", DASH_API_REPORT },
	};
	size_t n;

	if (!url)
		return DASH_NONE;
	n = strcspn(url, "?#");
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == n && !strncmp(url, routes[i].path, n))
			return routes[i].r;
	return DASH_NONE;
}

bool dashboard_token_equal(const char *want, const char *got)
{
	size_t wl = strlen(want), gl;
	unsigned char diff = 0;

	if (!got)
		return false;
	gl = strnlen(got, DASH_TOKEN_MAX + 1);
	/* Every byte of WANT is compared, whatever GOT is. */
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)want[i] ^ (unsigned char)(i < gl ? got[i] : 0);
	return !diff && gl == wl && wl > 0;
}

/* Characters that pass unchanged in a cookie, a header and a query. */
static bool token_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || strchr("-._~", ch);
}

static const char *copy_token(const char *p, size_t n, char *buf, size_t len)
{
	if (!n || n >= len)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!token_char(p[i]))
			return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

const char *dashboard_request_token(const char *authorization, const char *cookie,
				    char *buf, size_t len)
{
	if (authorization && !strncasecmp(authorization, "Bearer ", 7)) {
		const char *p = authorization + 7;

		while (*p == ' ')
			p++;
		return copy_token(p, strcspn(p, " \t"), buf, len);
	}
	/* "a=1; slaguard_token=T; b=2" */
	for (const char *p = cookie; p && *p;) {
		size_t n;

		p += strspn(p, " ;");
		n = strcspn(p, ";");
		if (!strncmp(p, DASH_COOKIE "=", sizeof(DASH_COOKIE)))
			return copy_token(p + sizeof(DASH_COOKIE),
					  n - sizeof(DASH_COOKIE), buf, len);
		p += n;
	}
	return NULL;
}

bool dashboard_host_local(const char *host)
{
	char h[64];
	const char *end;
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !*host)
		return false;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			return false;
		host++;
	} else {
		end = strchr(host, ':');
		if (!end)
			end = host + strlen(host);
	}
	if ((size_t)(end - host) >= sizeof(h))
		return false;
	snprintf(h, sizeof(h), "%.*s", (int)(end - host), host);
	if (!strcasecmp(h, "localhost"))
		return true;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int dashboard_read_token(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	char raw[DASH_TOKEN_MAX + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t l;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	raw[n] = '\0';
	l = strcspn(raw, "\r\n");
	if (raw[l] == '\0' && (size_t)n > DASH_TOKEN_MAX)
		l = (size_t)n;
	if (l < DASH_TOKEN_MIN || l > DASH_TOKEN_MAX || l >= len ||
	    !copy_token(raw, l, buf, len)) {
		snprintf(err, errlen, "%s: expected one line of %d to %d characters A-Z a-z 0-9 - . _ ~ (e.g. from: od -An -tx1 -N24 /dev/urandom | tr -d ' \\n')",
			 path, DASH_TOKEN_MIN, DASH_TOKEN_MAX);
		return -EINVAL;
	}
	return 0;
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

/* ---- the answers ---- */

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " \
	    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* HDRS: more headers, name and value pairs ending with NULL (may be NULL). */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned int status,
			      const char *type, const void *body, size_t len, bool must_free,
			      const char *const *hdrs)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (must_free)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (; hdrs && hdrs[0]; hdrs += 2)
		MHD_add_response_header(r, hdrs[0], hdrs[1]);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result say(struct MHD_Connection *c, unsigned int status, const char *msg,
			   const char *const *hdrs)
{
	return answer(c, status, "text/plain; charset=utf-8", msg, strlen(msg), false, hdrs);
}

/* The request may see the dashboard; if not, RET is the answer refusing it. */
static bool allowed(const struct dashboard *d, struct MHD_Connection *c, enum dash_route r,
		    enum MHD_Result *ret)
{
	char buf[DASH_TOKEN_MAX + 1], cookie[sizeof(DASH_COOKIE) + DASH_TOKEN_MAX + 64];
	const char *tok, *q;

	if (!d->token) {
		if (d->remote) {
			*ret = say(c, MHD_HTTP_FORBIDDEN,
				   "the dashboard on a non-loopback address needs a token: start slaguardd with --dashboard-token-file PATH\n",
				   NULL);
			return false;
		}
		if (!dashboard_host_local(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								      MHD_HTTP_HEADER_HOST))) {
			*ret = say(c, MHD_HTTP_FORBIDDEN,
				   "the dashboard answers only to a loopback Host (127.0.0.1, [::1], localhost) unless it has a token (--dashboard-token-file)\n",
				   NULL);
			return false;
		}
		return true;
	}
	q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (r == DASH_PAGE && q) {
		/* Once: the token becomes a cookie and leaves the address bar. */
		if (!dashboard_token_equal(d->token, q)) {
			*ret = say(c, MHD_HTTP_UNAUTHORIZED, "wrong token\n", NULL);
			return false;
		}
		snprintf(cookie, sizeof(cookie), DASH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
			 d->token);
		*ret = answer(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, false,
			      (const char *const[]){ MHD_HTTP_HEADER_SET_COOKIE, cookie,
						     MHD_HTTP_HEADER_LOCATION, "/dashboard", NULL });
		return false;
	}
	tok = dashboard_request_token(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
		buf, sizeof(buf));
	if (!dashboard_token_equal(d->token, tok)) {
		*ret = say(c, MHD_HTTP_UNAUTHORIZED,
			   "this dashboard needs its token: open /dashboard?token=TOKEN once, or send Authorization: Bearer TOKEN\n",
			   (const char *const[]){ MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer", NULL });
		return false;
	}
	return true;
}

int dashboard_serve(const struct dashboard *d, const struct engine *e,
		    struct MHD_Connection *c, enum dash_route r)
{
	enum MHD_Result ret = MHD_NO;
	char *body;

	if (!allowed(d, c, r, &ret))
		return ret;
	switch (r) {
	case DASH_PAGE:
		return answer(c, MHD_HTTP_OK, "text/html; charset=utf-8", sgd_web_page,
			      (size_t)(sgd_web_page_end - sgd_web_page), false, NULL);
	case DASH_SCRIPT:
		return answer(c, MHD_HTTP_OK, "text/javascript; charset=utf-8", sgd_web_script,
			      (size_t)(sgd_web_script_end - sgd_web_script), false, NULL);
	case DASH_STYLE:
		return answer(c, MHD_HTTP_OK, "text/css; charset=utf-8", sgd_web_style,
			      (size_t)(sgd_web_style_end - sgd_web_style), false, NULL);
	case DASH_API_REPORT: {
		unsigned int status;

		body = dashboard_report(d->history,
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "since"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "slo"),
			sgd_real_ms(), &status);
		if (!body)
			return say(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
		return answer(c, status, status == 200 ? "application/json" :
			      "text/plain; charset=utf-8", body, strlen(body), true, NULL);
	}
	default:
		body = dashboard_api(e, r);
		if (!body)
			return say(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
		return answer(c, MHD_HTTP_OK, "application/json", body, strlen(body), true, NULL);
	}
}
