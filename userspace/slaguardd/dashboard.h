/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the read-only web dashboard, served by the metrics server
 * (metrics.h): a page, its script and style (web/, built into the binary)
 * and JSON answers built by the same functions as the control socket's
 * (status, alerts, countermeasures). Access: with a token (read from
 * --dashboard-token-file) every request must carry it, as
 * "Authorization: Bearer TOKEN" or the cookie set once from
 * /dashboard?token=TOKEN; without one the dashboard answers only on a
 * loopback server and only to a loopback Host (no DNS rebinding).
 */
#ifndef SLAGUARDD_DASHBOARD_H
#define SLAGUARDD_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DASH_TOKEN_MIN		16	/* characters; shorter is guessable */
#define DASH_TOKEN_MAX		256
#define DASH_COOKIE		"slaguard_token"
#define DASH_ALERTS_MAX		200	/* alerts /api/alerts returns */
#define DASH_SINCE_DEFAULT	"30d"
#define DASH_SINCE_MAX_MS	(3660ull * 86400 * 1000)	/* ten years */

enum dash_route {
	DASH_NONE,		/* not the dashboard's */
	DASH_PAGE,
	DASH_SCRIPT,
	DASH_STYLE,
	DASH_API_STATUS,
	DASH_API_ALERTS,
	DASH_API_COUNTERMEASURES,
	DASH_API_REPORT,	/* ?since=DURATION (30d), &slo=ID */
};

struct engine;
struct MHD_Connection;

/* The route of URL (its path, without the query). */
enum dash_route dashboard_route(const char *url);
/* GOT equals WANT, in time that depends on WANT's length only. */
bool dashboard_token_equal(const char *want, const char *got);
/*
 * The token a request carries: the Bearer of AUTHORIZATION, else the
 * DASH_COOKIE value of COOKIE (either may be NULL), copied into BUF;
 * NULL if none.
 */
const char *dashboard_request_token(const char *authorization, const char *cookie,
				    char *buf, size_t len);
/* HOST (the Host header) names a loopback address or localhost. */
bool dashboard_host_local(const char *host);
/* The token in file PATH (one line); 0, or -errno with ERR saying why. */
int dashboard_read_token(const char *path, char *buf, size_t len, char *err, size_t errlen);
/* The JSON body of API route R (malloc'd, NUL-terminated); NULL: no memory. */
char *dashboard_api(const struct engine *e, enum dash_route r);

/*
 * The compliance report (compliance.h) of the history at PATH over the
 * SINCE (a duration; NULL: DASH_SINCE_DEFAULT) before NOW (wall-clock
 * ms), for SLO (NULL: all): the JSON body with *STATUS 200, or a one-line
 * error with *STATUS 400 (bad SINCE), 404 or 500. Malloc'd; NULL: no memory.
 */
char *dashboard_report(const char *path, const char *since, const char *slo, uint64_t now,
		       unsigned int *status);

struct dashboard {
	const char *token;	/* NULL: none */
	bool remote;		/* the server listens on a non-loopback address */
	const char *history;	/* the history's file; NULL: none */
};

/* Answer a request for route R (not DASH_NONE) on C. */
int dashboard_serve(const struct dashboard *d, const struct engine *e,
		    struct MHD_Connection *c, enum dash_route r);

#endif /* SLAGUARDD_DASHBOARD_H */
