/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - the read-only web dashboard, served by the metrics server
 * (metrics.h): a page, its script and style (web/, built into the binary)
 * and JSON answers built by the same functions as the control socket's
 * (status, alerts, countermeasures). Access and serving: web.h (the
 * token's cookie is set once from /dashboard?token=TOKEN).
 */
#ifndef SLAGUARDD_DASHBOARD_H
#define SLAGUARDD_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DASH_ALERTS_MAX		200	/* alerts /api/alerts returns */
#define DASH_SINCE_DEFAULT	"30d"
#define DASH_SINCE_MAX_MS	(3660ull * 86400 * 1000)	/* ten years */

enum dash_route {
	DASH_NONE = 0,		/* not the dashboard's */
	DASH_PAGE,
	DASH_SCRIPT,
	DASH_STYLE,		/* /web.css, shared with slaguard-coord's page */
	DASH_API_STATUS,
	DASH_API_ALERTS,
	DASH_API_COUNTERMEASURES,
	DASH_API_REPORT,	/* ?since=DURATION (30d), &slo=ID */
	DASH_WEB_SCRIPT,	/* /web.js, the helpers every page loads */
};

struct engine;
struct MHD_Connection;

/* The route of URL (its path, without the query). */
enum dash_route dashboard_route(const char *url);
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
