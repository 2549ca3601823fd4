// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus exposition: the writer's escaping, names and values, the
 * page of a whole engine (fake backend), the listening address rules, and
 * the server's answers and bounds over a real loopback socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "helpers.h"
#include "metrics.h"
#include "util.h"
#include "web.h"

static char *render_expo(void (*fn)(struct expo *x), size_t max)
{
	struct expo x;
	size_t len;
	char *page;

	expo_init(&x, max);
	fn(&x);
	page = expo_take(&x, &len);
	if (page)
		assert_int_equal(strlen(page), len);
	return page;
}

static void escaping_page(struct expo *x)
{
	expo_family(x, "slaguard_t_info", "gauge", "back\\slash \"quoted\"\nnext line");
	expo_sample(x, "slaguard_t_info",
		    (const char *const[]){ "a", "q\"uo\\te\nnl", "b", "", NULL }, 1);
}

static void escaping(void **state)
{
	char *page = render_expo(escaping_page, 1 << 20);

	(void)state;
	assert_non_null(page);
	assert_string_equal(page,
		"# HELP slaguard_t_info back\\\\slash \"quoted\"\\nnext line\n"
		"# TYPE slaguard_t_info gauge\n"
		"slaguard_t_info{a=\"q\\\"uo\\\\te\\nnl\",b=\"\"} 1\n");
	free(page);
}

static void values(void **state)
{
	char b[40];

	(void)state;
	expo_format_double(0.1, b, sizeof(b));
	assert_string_equal(b, "0.1");
	expo_format_double(1.0 / 3, b, sizeof(b));
	assert_true(strtod(b, NULL) == 1.0 / 3);
	expo_format_double(-2.5e300, b, sizeof(b));
	assert_string_equal(b, "-2.5e+300");
	expo_format_double(NAN, b, sizeof(b));
	assert_string_equal(b, "NaN");
	expo_format_double(INFINITY, b, sizeof(b));
	assert_string_equal(b, "+Inf");
	expo_format_double(-INFINITY, b, sizeof(b));
	assert_string_equal(b, "-Inf");
	expo_format_double(1796580960.184, b, sizeof(b));
	assert_string_equal(b, "1796580960.184");
}

static void u64_page(struct expo *x)
{
	expo_family(x, "slaguard_t_total", "counter", "h");
	expo_sample_u64(x, "slaguard_t_total", NULL, UINT64_MAX);
}

static void bad_metric_name(struct expo *x)
{
	u64_page(x);
	expo_sample(x, "slaguard-t", NULL, 1);
}

static void bad_label_name(struct expo *x)
{
	u64_page(x);
	expo_sample(x, "slaguard_t", (const char *const[]){ "a:b", "v", NULL }, 1);
}

static void names_and_bounds(void **state)
{
	char *page = render_expo(u64_page, 1 << 20);

	(void)state;
	/* Counters are exact past 2^53. */
	assert_non_null(strstr(page, "\nslaguard_t_total 18446744073709551615\n"));
	free(page);
	assert_true(expo_valid_name("slaguard_a:b_1", false));
	assert_false(expo_valid_name("1abc", false));
	assert_false(expo_valid_name("", false));
	assert_false(expo_valid_name("a:b", true));
	/* A bad name, or a page over its bound, is an error, not a cut page. */
	assert_null(render_expo(bad_metric_name, 1 << 20));
	assert_null(render_expo(bad_label_name, 1 << 20));
	assert_null(render_expo(u64_page, 40));
}

/* ---- a whole engine ---- */

static int setup(void **state)
{
	/* engine_init keeps the path as given: one that needs escaping. */
	return engine_fixture_setup(state, "/etc/a \"b\"\\c\nd.yaml");
}

static int teardown(void **state)
{
	return engine_fixture_teardown(state);
}

static char *page_of(struct engine_fixture *f)
{
	struct expo x;
	size_t len;
	char *page;

	expo_init(&x, METRICS_PAGE_MAX);
	metrics_render(&x, &f->e, NULL);
	page = expo_take(&x, &len);
	assert_non_null(page);
	return page;
}

static void has_line(const char *page, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(page, want))
		fail_msg("no line '%s' in:\n%s", line, page);
}

static void portscan(struct engine_fixture *f, const char *src)
{
	struct rec r;

	make_net(&r, SLAGUARD_EVENT_PORTSCAN, src, NULL, 0, 0, 40, sgd_mono_ms());
	/* a source that completed handshakes: its address is its own */
	r.net.has_handshakes = true;
	r.net.handshakes = 3;
	r.net.features.present = 1u << REC_F_PORTS;
	r.net.features.v[REC_F_PORTS] = 40;
	engine_on_record(&r, &f->e);
}

static void engine_page(void **state)
{
	struct engine_fixture *f = *state;
	char *page = page_of(f);

	has_line(page, "slaguard_sla_info{sla=\"test\",file=\"/etc/a \\\"b\\\"\\\\c\\nd.yaml\"} 1");
	has_line(page, "slaguard_slo_state{slo=\"scan\",state=\"unknown\"} 1");
	has_line(page, "slaguard_slo_state{slo=\"scan\",state=\"violated\"} 0");
	has_line(page, "slaguard_slo_bound{slo=\"scan\",bound=\"max\"} 20");
	has_line(page, "slaguard_slo_window_seconds{slo=\"lost\"} 60");
	has_line(page, "slaguard_alerts_total{severity=\"high\",kind=\"slo\"} 0");
	has_line(page, "slaguard_countermeasures_active{action=\"block-source\"} 0");
	has_line(page, "slaguard_module_connected 0");
	assert_null(strstr(page, "slaguard_slo_value{"));
	/* No module stats were ever pulled: none are made up. */
	assert_null(strstr(page, "slaguard_kernel_"));
	free(page);

	portscan(f, "192.0.2.7");	/* block + rate-limit */
	portscan(f, "10.0.9.5");	/* allowlisted: both refused */
	page = page_of(f);
	has_line(page, "slaguard_slo_state{slo=\"scan\",state=\"violated\"} 1");
	has_line(page, "slaguard_slo_state{slo=\"scan\",state=\"unknown\"} 0");
	has_line(page, "slaguard_slo_value{slo=\"scan\"} 40");
	has_line(page, "slaguard_alerts_total{severity=\"high\",kind=\"slo\"} 2");
	has_line(page, "slaguard_alerts_total{severity=\"critical\",kind=\"slo\"} 0");
	has_line(page, "slaguard_countermeasures_active{action=\"block-source\"} 1");
	has_line(page, "slaguard_countermeasures_active{action=\"rate-limit\"} 1");
	has_line(page, "slaguard_countermeasures_active{action=\"inspect\"} 0");
	has_line(page, "slaguard_actions_refused_total{reason=\"allowlisted\"} 2");
	has_line(page, "slaguard_actions_refused_total{reason=\"cap\"} 0");
	free(page);

	/* max_actions is 2: a third source's block finds nothing less severe. */
	portscan(f, "192.0.2.8");
	page = page_of(f);
	has_line(page, "slaguard_actions_refused_total{reason=\"cap\"} 2");
	free(page);
}

/*
 * Conventions over the whole page: every sample belongs to the family
 * HELP and TYPE announced just before, names start with slaguard_,
 * counters and only counters end in _total.
 */
static void conventions(void **state)
{
	struct engine_fixture *f = *state;
	char *page, *save, *line;
	char family[128] = "", type[16] = "";
	int families = 0, samples = 0;

	portscan(f, "192.0.2.7");
	page = page_of(f);
	for (line = strtok_r(page, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%127s", family), 1);
			assert_true(strlen(line) > 7 + strlen(family) + 1);
			families++;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%127s %15s", name, type), 2);
			assert_string_equal(name, family);
			assert_true(!strcmp(type, "gauge") || !strcmp(type, "counter"));
			assert_int_equal(strncmp(name, "slaguard_", 9), 0);
			assert_int_equal(!strcmp(type, "counter"),
					 strlen(name) > 6 && !strcmp(name + strlen(name) - 6, "_total"));
			continue;
		}
		assert_int_equal(sscanf(line, "%127[a-zA-Z0-9_:]", name), 1);
		assert_string_equal(name, family);
		samples++;
	}
	assert_true(families >= 20);
	assert_true(samples > families);
	free(page);
}

/* ---- the listening address ---- */

static void listen_address(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[512];

	(void)state;
	assert_int_equal(metrics_parse_listen("9477", false, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9477);
	assert_int_equal(metrics_parse_listen(METRICS_DEFAULT_LISTEN, false, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(metrics_parse_listen("127.0.0.2:1", false, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(metrics_parse_listen("[::1]:9477", false, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	/* Not loopback: only when asked for. */
	assert_int_equal(metrics_parse_listen("0.0.0.0:9477", false, &ss, &sl, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--metrics-allow-remote"));
	assert_int_equal(metrics_parse_listen("[::]:9477", false, &ss, &sl, err, sizeof(err)), -EINVAL);
	assert_int_equal(metrics_parse_listen("0.0.0.0:9477", true, &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(metrics_parse_listen("192.0.2.1:80", true, &ss, &sl, err, sizeof(err)), 0);
	/* Malformed. */
	static const char *const bad[] = {
		"", ":", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:9x",
		"localhost:9477", "::1:9477", "[::1]9477", "[::1:9477", "1.2.3:4",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (metrics_parse_listen(bad[i], true, &ss, &sl, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, "expected PORT"));
	}
}

/* ---- the server, over loopback ---- */

struct server {
	struct loop loop;
	struct metrics *m;
	struct sockaddr_in addr;
};

static void serve(struct engine_fixture *f, struct server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(s->addr);
	char err[256];
	int fd;

	assert_int_equal(loop_init(&s->loop), 0);
	assert_int_equal(metrics_parse_listen("127.0.0.1:0", false, &ss, &sl, err, sizeof(err)), 0);
	fd = web_listen(&ss, sl);
	assert_true(fd >= 0);
	sl = sizeof(s->addr);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&s->addr, &sl), 0);
	assert_int_equal(metrics_new(&s->m, &s->loop, fd, &f->e, NULL), 0);
}

static void unserve(struct server *s)
{
	metrics_free(s->m);
	loop_fini(&s->loop);
}

/* Send REQ (LEN bytes), run the server until the peer closes; the reply in OUT. */
static size_t exchange(struct server *s, const char *req, size_t len, char *out, size_t outlen)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;

	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&s->addr, sizeof(s->addr)), 0);
	for (int i = 0; i < 2000; i++) {
		struct pollfd p = { .fd = c, .events = POLLIN | (len ? POLLOUT : 0) };
		ssize_t n;

		metrics_tick(s->m);
		if (poll(&p, 1, 5) <= 0)
			continue;
		if ((p.revents & POLLOUT) && len) {
			n = send(c, req, len, MSG_NOSIGNAL);
			if (n < 0)
				break;	/* the server refused the rest */
			req += n;
			len -= (size_t)n;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(c, out + got, outlen - 1 - got, 0);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	out[got] = '\0';
	close(c);
	return got;
}

static void server(void **state)
{
	struct engine_fixture *f = *state;
	static char out[1 << 16], big[WEB_REQUEST_MAX * 2];
	struct server s;
	const char *get = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	const char *post = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
	const char *body = "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
	const char *empty = "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	const char *other = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int n;

	serve(f, &s);
	exchange(&s, get, strlen(get), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
	assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(out, "\nslaguard_slo_state{slo=\"scan\",state=\"unknown\"} 1\n"));
	exchange(&s, post, strlen(post), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 405", 12), 0);
	assert_non_null(strstr(out, "Allow: GET, HEAD"));
	exchange(&s, body, strlen(body), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 413", 12), 0);
	exchange(&s, empty, strlen(empty), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
	exchange(&s, other, strlen(other), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 404", 12), 0);
	/* Headers past the bound: refused, not buffered. */
	n = snprintf(big, sizeof(big), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 5);
	memcpy(big + sizeof(big) - 5, "\r\n\r\n", 5);
	exchange(&s, big, sizeof(big) - 1, out, sizeof(out));
	assert_true(!out[0] || !strncmp(out, "HTTP/1.1 431", 12) || !strncmp(out, "HTTP/1.1 413", 12));
	assert_null(strstr(out, "slaguard_"));
	/* ... and the server still answers. */
	exchange(&s, get, strlen(get), out, sizeof(out));
	assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
	unserve(&s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escaping),
		cmocka_unit_test(values),
		cmocka_unit_test(names_and_bounds),
		cmocka_unit_test(listen_address),
		T(engine_page),
		T(conventions),
		T(server),
	};

	sgd_log_setup(false, false, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
