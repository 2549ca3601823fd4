// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's logic: routes, the token (constant-time comparison,
 * where a request carries it, the file it is read from), the Host rule
 * that keeps a token-less dashboard from DNS rebinding, and the API's
 * JSON built from a whole engine (fake backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dashboard.h"
#include "engine.h"
#include "helpers.h"
#include "util.h"
#include "web.h"

static void routes(void **state)
{
	(void)state;
	assert_int_equal(dashboard_route("/dashboard"), DASH_PAGE);
	assert_int_equal(dashboard_route("/dashboard/"), DASH_PAGE);
	assert_int_equal(dashboard_route("/dashboard?token=x"), DASH_PAGE);
	assert_int_equal(dashboard_route("/dashboard.js"), DASH_SCRIPT);
	assert_int_equal(dashboard_route("/web.css"), DASH_STYLE);
	assert_int_equal(dashboard_route("/web.js"), DASH_WEB_SCRIPT);
	assert_int_equal(dashboard_route("/api/status"), DASH_API_STATUS);
	assert_int_equal(dashboard_route("/api/alerts?x=1"), DASH_API_ALERTS);
	assert_int_equal(dashboard_route("/api/countermeasures"), DASH_API_COUNTERMEASURES);
	/* Exact paths only: no prefixes, no traversal, no other files. */
	assert_int_equal(dashboard_route("/api/status/x"), DASH_NONE);
	assert_int_equal(dashboard_route("/api/stat"), DASH_NONE);
	assert_int_equal(dashboard_route("/dashboard.jsx"), DASH_NONE);
	assert_int_equal(dashboard_route("/../dashboard.js"), DASH_NONE);
	assert_int_equal(dashboard_route("/metrics"), DASH_NONE);
	assert_int_equal(dashboard_route("/"), DASH_NONE);
	assert_int_equal(dashboard_route(""), DASH_NONE);
	assert_int_equal(dashboard_route(NULL), DASH_NONE);
}

static void token_equal(void **state)
{
	const char *t = "0123456789abcdef0123";

	(void)state;
	assert_true(web_token_equal(t, "0123456789abcdef0123"));
	assert_false(web_token_equal(t, "0123456789abcdef012"));	/* prefix */
	assert_false(web_token_equal(t, "0123456789abcdef01234"));	/* longer */
	assert_false(web_token_equal(t, "1123456789abcdef0123"));
	assert_false(web_token_equal(t, "0123456789abcdef0124"));
	assert_false(web_token_equal(t, ""));
	assert_false(web_token_equal(t, NULL));
	/* An empty expected token matches nothing, not the empty string. */
	assert_false(web_token_equal("", ""));
}

static void request_token(void **state)
{
	char b[WEB_TOKEN_MAX + 1];

	(void)state;
	assert_string_equal(web_request_token("Bearer abc-DEF_1.~", NULL, b, sizeof(b)),
			    "abc-DEF_1.~");
	assert_string_equal(web_request_token("bearer  abc", NULL, b, sizeof(b)), "abc");
	assert_string_equal(web_request_token(NULL, "slaguard_token=abc", b, sizeof(b)), "abc");
	assert_string_equal(web_request_token(NULL, "a=1; slaguard_token=xyz; b=2",
						    b, sizeof(b)), "xyz");
	/* A cookie whose name merely ends or starts the same is not it. */
	assert_null(web_request_token(NULL, "xslaguard_token=abc", b, sizeof(b)));
	assert_null(web_request_token(NULL, "slaguard_tokens=abc", b, sizeof(b)));
	assert_null(web_request_token("Basic YTpi", NULL, b, sizeof(b)));
	assert_null(web_request_token("Bearer ", NULL, b, sizeof(b)));
	assert_null(web_request_token(NULL, NULL, b, sizeof(b)));
	/* Characters outside the token's set, or too long: no token at all. */
	assert_null(web_request_token("Bearer a\"b", NULL, b, sizeof(b)));
	assert_null(web_request_token(NULL, "slaguard_token=a,b", b, sizeof(b)));
	assert_null(web_request_token("Bearer abcdef", NULL, b, 4));
}

static void host_local(void **state)
{
	(void)state;
	assert_true(web_host_local("127.0.0.1:9477"));
	assert_true(web_host_local("127.1.2.3"));
	assert_true(web_host_local("localhost:9477"));
	assert_true(web_host_local("LOCALHOST"));
	assert_true(web_host_local("[::1]:9477"));
	assert_true(web_host_local("[::1]"));
	/* What a rebinding page's requests carry: its own name. */
	assert_false(web_host_local("attacker.example:9477"));
	assert_false(web_host_local("localhost.attacker.example"));
	assert_false(web_host_local("127.0.0.1.nip.io"));
	assert_false(web_host_local("10.0.0.1:9477"));
	assert_false(web_host_local("[::2]:9477"));
	assert_false(web_host_local("[::1"));
	assert_false(web_host_local("[::1]x"));
	assert_false(web_host_local(""));
	assert_false(web_host_local(NULL));
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void read_token(void **state)
{
	char path[] = "/tmp/sgd-dash-XXXXXX", b[WEB_TOKEN_MAX + 1], err[512];
	char longer[WEB_TOKEN_MAX + 3];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(write_file(path, "0123456789abcdef-._~\n"), 0);
	assert_int_equal(web_read_token(path, b, sizeof(b), err, sizeof(err)), 0);
	assert_string_equal(b, "0123456789abcdef-._~");
	assert_int_equal(write_file(path, "0123456789abcdef"), 0);	/* no newline */
	assert_int_equal(web_read_token(path, b, sizeof(b), err, sizeof(err)), 0);
	assert_string_equal(b, "0123456789abcdef");
	assert_int_equal(write_file(path, "short\n"), 0);
	assert_true(web_read_token(path, b, sizeof(b), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "expected one line of 16 to 256 characters"));
	assert_int_equal(write_file(path, "0123456789abcdef;x\n"), 0);
	assert_true(web_read_token(path, b, sizeof(b), err, sizeof(err)) < 0);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(write_file(path, longer), 0);
	assert_true(web_read_token(path, b, sizeof(b), err, sizeof(err)) < 0);
	unlink(path);
	assert_true(web_read_token(path, b, sizeof(b), err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "No such file"));
}

static void report_errors(void **state)
{
	unsigned int status = 0;
	char *s;

	(void)state;
	assert_int_equal(dashboard_route("/api/report"), DASH_API_REPORT);
	s = dashboard_report("/nonexistent/history.db", "soon", NULL, 1000, &status);
	assert_int_equal(status, 400);
	assert_non_null(strstr(s, "expected a duration"));
	free(s);
	s = dashboard_report("/nonexistent/history.db", "0s", NULL, 1000, &status);
	assert_int_equal(status, 400);
	free(s);
	s = dashboard_report("/nonexistent/history.db", "3661d", NULL, 1000, &status);
	assert_int_equal(status, 400);
	free(s);
	s = dashboard_report(NULL, "1h", NULL, 1000, &status);
	assert_int_equal(status, 404);
	assert_non_null(strstr(s, "no history"));
	free(s);
	s = dashboard_report("/nonexistent/history.db", NULL, NULL, 1000, &status);
	assert_int_equal(status, 500);
	assert_non_null(strstr(s, "/nonexistent/history.db"));
	free(s);
}

/* ---- the API, from a whole engine ---- */

static int setup(void **state)
{
	return engine_fixture_setup(state, "/etc/sla.yaml");
}

static int teardown(void **state)
{
	return engine_fixture_teardown(state);
}

static struct json_object *api(struct engine_fixture *f, enum dash_route r)
{
	char *s = dashboard_api(&f->e, r);
	struct json_object *o;

	assert_non_null(s);
	o = json_tokener_parse(s);
	free(s);
	assert_non_null(o);
	return o;
}

static void api_json(void **state)
{
	struct engine_fixture *f = *state;
	struct json_object *o, *v;

	o = api(f, DASH_API_STATUS);
	assert_true(json_object_object_get_ex(o, "slos", &v));
	assert_true(json_object_is_type(v, json_type_array));
	assert_true(json_object_object_get_ex(o, "sla", &v));
	json_object_put(o);
	o = api(f, DASH_API_ALERTS);
	assert_true(json_object_object_get_ex(o, "alerts", &v));
	assert_true(json_object_is_type(v, json_type_array));
	json_object_put(o);
	o = api(f, DASH_API_COUNTERMEASURES);
	assert_true(json_object_object_get_ex(o, "countermeasures", &v));
	assert_true(json_object_is_type(v, json_type_array));
	json_object_put(o);
	/* Not an API route: nothing. */
	assert_null(dashboard_api(&f->e, DASH_PAGE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes),
		cmocka_unit_test(token_equal),
		cmocka_unit_test(request_token),
		cmocka_unit_test(host_local),
		cmocka_unit_test(read_token),
		cmocka_unit_test(report_errors),
		cmocka_unit_test_setup_teardown(api_json, setup, teardown),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
