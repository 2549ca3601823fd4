/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What slaguard's read-only web pages (slaguardd's dashboard,
 * slaguard-coord's fleet page) share: the listening address, the
 * libmicrohttpd server with its bounds, static files built into the
 * binary (WEB_ASSET), the answers with their security headers, and
 * access. Access: with a token (read from --dashboard-token-file) every
 * request must carry it, as "Authorization: Bearer TOKEN" or the cookie
 * set once from PAGE?token=TOKEN; without one a page answers only on a
 * loopback server and only to a loopback Host (no DNS rebinding).
 */
#ifndef SLAGUARD_WEB_H
#define SLAGUARD_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define WEB_TOKEN_MIN		16	/* characters; shorter is guessable */
#define WEB_TOKEN_MAX		256
#define WEB_COOKIE		"slaguard_token"
#define WEB_MAX_CONNECTIONS	16	/* at once, all clients */
#define WEB_MAX_PER_IP		8	/* so one address cannot take them all */
#define WEB_TIMEOUT_S		10	/* an idle connection is closed */
#define WEB_REQUEST_MAX		8192	/* request line and headers, bytes */

/* A file built into the binary (WEB_ASSET), answered as it is. */
struct web_file {
	const char *type;		/* its Content-Type */
	const char *start, *end;
};

#define WEB_HTML	"text/html; charset=utf-8"
#define WEB_JS		"text/javascript; charset=utf-8"
#define WEB_CSS		"text/css; charset=utf-8"

/*
 * File FILE of folder DIR (a string literal, from the build) as the
 * struct web_file SYM of Content-Type TYPE (.incbin: no generated
 * sources, no tool beyond the assembler). The object must depend on the
 * file in the Makefile.
 */
#define WEB_ASSET(sym, dir, file, type)						\
	__asm__(".pushsection .rodata,\"a\"\n"					\
		".balign 16\n"							\
		".globl " #sym "_start\n.hidden " #sym "_start\n" #sym "_start:\n"	\
		".incbin \"" dir "/" file "\"\n"				\
		".globl " #sym "_end\n.hidden " #sym "_end\n" #sym "_end:\n"	\
		".byte 0\n.popsection\n");					\
	extern const char sym##_start[], sym##_end[];				\
	static const struct web_file sym = { type, sym##_start, sym##_end }

/* F with the security headers of web_answer(). */
enum MHD_Result web_file(struct MHD_Connection *c, const struct web_file *f);

/* What every page loads: /web.js (helpers), /web.css (the style). */
enum web_common {
	WEB_COMMON_SCRIPT,
	WEB_COMMON_STYLE,
};

enum MHD_Result web_common(struct MHD_Connection *c, enum web_common which);

/* ---- the listening address ---- */

/*
 * Parse LISTEN: "PORT" (on 127.0.0.1), "ADDR:PORT" or "[IPV6]:PORT"
 * (port 0: any free one) into SS. 0, or -EINVAL with ERR saying why
 * (EXAMPLE: an address to show).
 */
int web_parse_listen(const char *listen, const char *example,
		     struct sockaddr_storage *ss, socklen_t *sslen, char *err, size_t errlen);
bool web_is_loopback(const struct sockaddr_storage *ss);
/* A listening TCP socket on SS; -errno. Made early, so errors are seen. */
int web_listen(const struct sockaddr_storage *ss, socklen_t sslen);
/* "ADDR:PORT" the socket FD is bound to (the port chosen for 0). */
void web_bound(int fd, char *buf, size_t len);

/* ---- the server ---- */

/*
 * libmicrohttpd on listening socket FD (not taken), within the WEB_*
 * bounds: FLAGS say how it runs (MHD_USE_EPOLL: from the caller's loop;
 * MHD_USE_INTERNAL_POLLING_THREAD: its own thread). LOG gets its errors.
 */
struct MHD_Daemon *web_start(int fd, unsigned int flags, MHD_AccessHandlerCallback fn,
			     void *arg, MHD_LogCallback log, void *log_arg);
/* Stopped, and FD closed. */
void web_stop(struct MHD_Daemon *mhd);
/*
 * A request's first call: only GET and HEAD without a body are served.
 * False with RET the refusal otherwise, before any body is read.
 */
bool web_request_ok(struct MHD_Connection *c, const char *method, enum MHD_Result *ret);

/* ---- routes ---- */

struct web_route {
	const char *path;
	int route;
};

/* The routes every page has: the page itself, /web.js and /web.css. */
#define WEB_ROUTES_COMMON(page, script, style)					\
	{ "/dashboard", (page) }, { "/dashboard/", (page) },			\
	{ "/web.js", (script) }, { "/web.css", (style) }

/* The route of URL (its path, without the query) in ROUTES; 0 if none. */
int web_route(const char *url, const struct web_route *routes, size_t n);

/* ---- access ---- */

/* GOT equals WANT, in time that depends on WANT's length only. */
bool web_token_equal(const char *want, const char *got);
/*
 * The token a request carries: the Bearer of AUTHORIZATION, else the
 * WEB_COOKIE value of COOKIE (either may be NULL), copied into BUF;
 * NULL if none.
 */
const char *web_request_token(const char *authorization, const char *cookie,
			      char *buf, size_t len);
/* HOST (the Host header) names a loopback address or localhost. */
bool web_host_local(const char *host);
/* The token in file PATH (one line); 0, or -errno with ERR saying why. */
int web_read_token(const char *path, char *buf, size_t len, char *err, size_t errlen);

struct web_access {
	const char *token;	/* NULL: none */
	bool remote;		/* the server listens on a non-loopback address */
	const char *page;	/* the page's path, where ?token= is taken */
	const char *program;	/* which program to start with a token */
};

/*
 * The request may be answered (IS_PAGE: it is for A's page); if not, RET
 * is the answer refusing it.
 */
bool web_allowed(const struct web_access *a, struct MHD_Connection *c, bool is_page,
		 enum MHD_Result *ret);

/* ---- answers ---- */

/*
 * BODY (LEN bytes; freed when sent if MUST_FREE) with the security
 * headers (a strict Content-Security-Policy, no framing, no caching) and
 * HDRS: more headers, name and value pairs ending with NULL (may be NULL).
 */
enum MHD_Result web_answer(struct MHD_Connection *c, unsigned int status, const char *type,
			   const void *body, size_t len, bool must_free, const char *const *hdrs);
/* A plain text MSG (static). */
enum MHD_Result web_say(struct MHD_Connection *c, unsigned int status, const char *msg,
			const char *const *hdrs);
/* JSON BODY (malloc'd, taken); NULL: out of memory, said so. */
enum MHD_Result web_json(struct MHD_Connection *c, char *body);

#endif /* SLAGUARD_WEB_H */
