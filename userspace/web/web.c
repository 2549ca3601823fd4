// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "web.h"

/* build.mk makes this object depend on assets/ and passes WEB_ASSETS_DIR. */
WEB_ASSET(web_script, WEB_ASSETS_DIR, "web.js", WEB_JS);
WEB_ASSET(web_style, WEB_ASSETS_DIR, "web.css", WEB_CSS);

enum MHD_Result web_file(struct MHD_Connection *c, const struct web_file *f)
{
	return web_answer(c, MHD_HTTP_OK, f->type, f->start, (size_t)(f->end - f->start), false,
			  NULL);
}

enum MHD_Result web_common(struct MHD_Connection *c, enum web_common which)
{
	return web_file(c, which == WEB_COMMON_SCRIPT ? &web_script : &web_style);
}

/* ---- the listening address ---- */

bool web_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

int web_parse_listen(const char *listen, const char *example,
		     struct sockaddr_storage *ss, socklen_t *sslen, char *err, size_t errlen)
{
	char host[64] = "127.0.0.1";
	const char *port = listen, *colon;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	unsigned long p;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - listen - 1), listen + 1);
		port = close + 2;
	} else if ((colon = strrchr(listen, ':'))) {
		if (strchr(listen, ':') != colon || (size_t)(colon - listen) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
		port = colon + 1;
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || *port < '0' || *port > '9')
		goto bad;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*sslen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*s6);
	} else {
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "address '%s': expected PORT, IPV4:PORT or [IPV6]:PORT, e.g. %s",
		 listen, example);
	return -EINVAL;
}

int web_listen(const struct sockaddr_storage *ss, socklen_t sslen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, sslen) < 0 || listen(fd, 16) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

void web_bound(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	}
}

/* ---- the server ---- */

struct MHD_Daemon *web_start(int fd, unsigned int flags, MHD_AccessHandlerCallback fn,
			     void *arg, MHD_LogCallback log, void *log_arg)
{
	/* The logger first, or MHD's own may print before it is set. */
	return MHD_start_daemon(flags | MHD_USE_ERROR_LOG, 0, NULL, NULL, fn, arg,
				MHD_OPTION_EXTERNAL_LOGGER, log, log_arg,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)WEB_MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_REQUEST_MAX,
				MHD_OPTION_END);
}

void web_stop(struct MHD_Daemon *mhd)
{
	/* MHD does not close a listening socket it was given. */
	int fd = MHD_quiesce_daemon(mhd);

	MHD_stop_daemon(mhd);
	if (fd >= 0)
		close(fd);
}

bool web_request_ok(struct MHD_Connection *c, const char *method, enum MHD_Result *ret)
{
	const char *clen;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		*ret = web_say(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n",
			       (const char *const[]){ MHD_HTTP_HEADER_ALLOW, "GET, HEAD", NULL });
		return false;
	}
	clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if ((clen && strcmp(clen, "0")) ||
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		*ret = web_say(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body expected\n", NULL);
		return false;
	}
	return true;
}

/* ---- routes ---- */

int web_route(const char *url, const struct web_route *routes, size_t n)
{
	size_t l;

	if (!url)
		return 0;
	l = strcspn(url, "?#");
	for (size_t i = 0; i < n; i++)
		if (strlen(routes[i].path) == l && !strncmp(url, routes[i].path, l))
			return routes[i].route;
	return 0;
}

/* ---- access ---- */

bool web_token_equal(const char *want, const char *got)
{
	size_t wl = strlen(want), gl;
	unsigned char diff = 0;

	if (!got)
		return false;
	gl = strnlen(got, WEB_TOKEN_MAX + 1);
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

const char *web_request_token(const char *authorization, const char *cookie,
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
		if (!strncmp(p, WEB_COOKIE "=", sizeof(WEB_COOKIE)))
			return copy_token(p + sizeof(WEB_COOKIE),
					  n - sizeof(WEB_COOKIE), buf, len);
		p += n;
	}
	return NULL;
}

bool web_host_local(const char *host)
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

int web_read_token(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	char raw[WEB_TOKEN_MAX + 2];
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
	if (raw[l] == '\0' && (size_t)n > WEB_TOKEN_MAX)
		l = (size_t)n;
	if (l < WEB_TOKEN_MIN || l > WEB_TOKEN_MAX || l >= len ||
	    !copy_token(raw, l, buf, len)) {
		snprintf(err, errlen, "%s: expected one line of %d to %d characters A-Z a-z 0-9 - . _ ~ (e.g. from: od -An -tx1 -N24 /dev/urandom | tr -d ' \\n')",
			 path, WEB_TOKEN_MIN, WEB_TOKEN_MAX);
		return -EINVAL;
	}
	return 0;
}

bool web_allowed(const struct web_access *a, struct MHD_Connection *c, bool is_page,
		 enum MHD_Result *ret)
{
	char buf[WEB_TOKEN_MAX + 1], cookie[sizeof(WEB_COOKIE) + WEB_TOKEN_MAX + 64];
	char msg[256];
	const char *tok, *q;

	if (!a->token) {
		if (a->remote) {
			snprintf(msg, sizeof(msg),
				 "this page on a non-loopback address needs a token: start %s with --dashboard-token-file PATH\n",
				 a->program);
			*ret = web_answer(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
					  strdup(msg), strlen(msg), true, NULL);
			return false;
		}
		if (!web_host_local(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								MHD_HTTP_HEADER_HOST))) {
			*ret = web_say(c, MHD_HTTP_FORBIDDEN,
				       "this page answers only to a loopback Host (127.0.0.1, [::1], localhost) unless it has a token (--dashboard-token-file)\n",
				       NULL);
			return false;
		}
		return true;
	}
	q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (is_page && q) {
		/* Once: the token becomes a cookie and leaves the address bar. */
		if (!web_token_equal(a->token, q)) {
			*ret = web_say(c, MHD_HTTP_UNAUTHORIZED, "wrong token\n", NULL);
			return false;
		}
		snprintf(cookie, sizeof(cookie), WEB_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict",
			 a->token);
		*ret = web_answer(c, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, false,
				  (const char *const[]){ MHD_HTTP_HEADER_SET_COOKIE, cookie,
							 MHD_HTTP_HEADER_LOCATION, a->page, NULL });
		return false;
	}
	tok = web_request_token(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
		buf, sizeof(buf));
	if (!web_token_equal(a->token, tok)) {
		snprintf(msg, sizeof(msg),
			 "this dashboard needs its token: open %s?token=TOKEN once, or send Authorization: Bearer TOKEN\n",
			 a->page);
		*ret = web_answer(c, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8",
				  strdup(msg), strlen(msg), true,
				  (const char *const[]){ MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer", NULL });
		return false;
	}
	return true;
}

/* ---- answers ---- */

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " \
	    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

enum MHD_Result web_answer(struct MHD_Connection *c, unsigned int status, const char *type,
			   const void *body, size_t len, bool must_free, const char *const *hdrs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)	/* a must_free body that could not be made */
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, (void *)body,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
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

enum MHD_Result web_say(struct MHD_Connection *c, unsigned int status, const char *msg,
			const char *const *hdrs)
{
	return web_answer(c, status, "text/plain; charset=utf-8", msg, strlen(msg), false, hdrs);
}

enum MHD_Result web_json(struct MHD_Connection *c, char *body)
{
	if (!body)
		return web_say(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
	return web_answer(c, MHD_HTTP_OK, "application/json", body, strlen(body), true, NULL);
}
