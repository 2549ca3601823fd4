// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libslaguard-app against a fake slaguardd: a unix socket that the test
 * opens, accepts on, reads from, stops reading, closes and reopens.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "slaguard-app.h"

#define MAX_LINES	4096

/*
 * sendmsg() as the library calls it (linked with --wrap=sendmsg): with a
 * budget set, the socket takes that many bytes, then is full (EAGAIN), as
 * a daemon's socket can be in the middle of a line.
 */
ssize_t __real_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags);
static bool budget_on;
static size_t budget;

ssize_t __wrap_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct iovec iov[128];
	struct msghdr m = *msg;
	size_t left, k = 0;
	ssize_t w;

	if (!budget_on)
		return __real_sendmsg(fd, msg, flags);
	if (!budget) {
		errno = EAGAIN;
		return -1;
	}
	for (left = budget; k < msg->msg_iovlen && k < 128 && left; k++) {
		iov[k] = msg->msg_iov[k];
		if (iov[k].iov_len > left)
			iov[k].iov_len = left;
		left -= iov[k].iov_len;
	}
	m.msg_iov = iov;
	m.msg_iovlen = k;
	w = __real_sendmsg(fd, &m, flags);
	if (w > 0)
		budget -= (size_t)w;
	return w;
}

struct srv {
	char dir[64], path[108];
	int lfd, cfd;
	char *buf;			/* what the fake daemon read */
	size_t len, size;
	char *copy;			/* buf cut into lines */
	char *lines[MAX_LINES];		/* complete lines of buf */
	size_t n;
};

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap(unsigned int ms)
{
	poll(NULL, 0, (int)ms);
}

static int setup(void **state)
{
	struct srv *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	strcpy(s->dir, "/tmp/sg-app-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/app.sock", s->dir);
	s->lfd = s->cfd = -1;
	s->size = 8u << 20;
	s->buf = malloc(s->size);
	s->copy = malloc(s->size);
	assert_non_null(s->buf);
	assert_non_null(s->copy);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct srv *s = *state;

	if (s->cfd >= 0)
		close(s->cfd);
	if (s->lfd >= 0)
		close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	free(s->buf);
	free(s->copy);
	free(s);
	return 0;
}

static void srv_listen(struct srv *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(sun.sun_path, s->path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
}

/* The daemon goes away: its connection and its socket file. */
static void srv_stop(struct srv *s)
{
	if (s->cfd >= 0)
		close(s->cfd);
	close(s->lfd);
	unlink(s->path);
	s->cfd = s->lfd = -1;
}

static void srv_accept(struct srv *s)
{
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 2000), 1);
	if (s->cfd >= 0)
		close(s->cfd);
	s->cfd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(s->cfd >= 0);
}

/* Read until the client has been quiet for QUIET_MS; split into lines. */
static void srv_read(struct srv *s, unsigned int quiet_ms)
{
	struct pollfd p = { .fd = s->cfd, .events = POLLIN };

	while (poll(&p, 1, (int)quiet_ms) == 1) {
		ssize_t r = read(s->cfd, s->buf + s->len, s->size - 1 - s->len);

		if (r <= 0)
			break;
		s->len += (size_t)r;
	}
	s->buf[s->len] = '\0';
	memcpy(s->copy, s->buf, s->len + 1);
	s->n = 0;
	for (char *p0 = s->copy, *nl; (nl = strchr(p0, '\n')) && s->n < MAX_LINES; p0 = nl + 1) {
		*nl = '\0';
		s->lines[s->n++] = p0;
	}
}

static void srv_send(struct srv *s, const char *text)
{
	assert_int_equal(write(s->cfd, text, strlen(text)), (ssize_t)strlen(text));
}

/* Line I as JSON; fails the test if it is not an object of schema 1. */
static struct json_object *line_json(struct srv *s, size_t i)
{
	struct json_object *o = json_tokener_parse(s->lines[i]), *v;

	assert_non_null(o);
	assert_true(json_object_is_type(o, json_type_object));
	assert_true(json_object_object_get_ex(o, "v", &v));
	assert_int_equal(json_object_get_int(v), SLAGUARD_APP_SCHEMA_VERSION);
	return o;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void assert_resource(struct srv *s, size_t i, const char *want)
{
	struct json_object *o = line_json(s, i);

	assert_string_equal(str_of(o, "resource"), want);
	json_object_put(o);
}

static int access_n(struct slaguard_app *app, int i)
{
	char res[32];

	snprintf(res, sizeof(res), "r%d", i);
	return slaguard_app_access(app, "db", "shop", "read", res, NULL);
}

static struct slaguard_app *open_app(struct srv *s, size_t max_lines,
				     unsigned int max_age_ms)
{
	struct slaguard_app_opts o = {
		.path = s->path, .max_lines = max_lines, .max_age_ms = max_age_ms,
		.backoff_min_ms = 10, .backoff_max_ms = 40,
	};
	struct slaguard_app *app = slaguard_app_open(&o);

	assert_non_null(app);
	return app;
}

/* Daemon away: events wait in order, and go out once it is there. */
static void buffers_while_away(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app = open_app(s, 0, 0);
	struct slaguard_app_stats st;
	struct json_object *o;

	for (int i = 0; i < 5; i++)
		assert_int_equal(access_n(app, i), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.pending, 5);
	assert_int_equal(st.queued, 5);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.connected, 0);
	assert_non_null(strstr(st.last_error, "cannot connect to"));

	srv_listen(s);
	nap(60);			/* past the backoff */
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 5);
	for (int i = 0; i < 5; i++) {
		char want[16];

		snprintf(want, sizeof(want), "r%d", i);
		assert_resource(s, (size_t)i, want);
	}
	o = line_json(s, 0);
	assert_string_equal(str_of(o, "component"), "db");
	assert_string_equal(str_of(o, "user"), "shop");
	assert_string_equal(str_of(o, "action"), "read");
	assert_null(str_of(o, "source"));
	assert_null(str_of(o, "role"));
	json_object_put(o);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.sent, 5);
	assert_int_equal(st.connects, 1);
	assert_int_equal(st.connected, 1);
	slaguard_app_close(app);
}

/* A full queue drops its oldest lines and counts them. */
static void drops_oldest(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app = open_app(s, 4, 0);
	struct slaguard_app_stats st;

	for (int i = 0; i < 10; i++)
		assert_int_equal(access_n(app, i), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.pending, 4);
	assert_int_equal(st.dropped, 6);
	assert_non_null(strstr(st.last_error, "dropped the oldest line"));
	srv_listen(s);
	nap(60);
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 4);
	for (size_t i = 0; i < 4; i++) {
		char want[16];

		snprintf(want, sizeof(want), "r%zu", i + 6);
		assert_resource(s, i, want);
	}
	slaguard_app_close(app);
}

/* The byte bound holds too: long lines, a 4 KiB queue. */
static void bounded_in_bytes(void **state)
{
	struct srv *s = *state;
	struct slaguard_app_opts o = { .path = s->path, .max_lines = 1000, .max_bytes = 4096 };
	struct slaguard_app *app = slaguard_app_open(&o);
	struct slaguard_app_stats st;
	char res[SLAGUARD_APP_RESOURCE_MAX + 1];

	assert_non_null(app);
	memset(res, 'x', sizeof(res) - 1);
	res[sizeof(res) - 1] = '\0';
	for (int i = 0; i < 100; i++)
		assert_int_equal(slaguard_app_access(app, "db", "shop", "read", res, NULL), 0);
	slaguard_app_get_stats(app, &st);
	/* a line is ~300 bytes: 13 fit in 4096 */
	assert_in_range(st.pending, 10, 14);
	assert_int_equal(st.dropped + st.pending, 100);
	slaguard_app_close(app);
}

/* Lines older than max_age_ms are dropped, counted apart. */
static void expires_old_lines(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app = open_app(s, 0, 30);
	struct slaguard_app_stats st;

	for (int i = 0; i < 3; i++)
		assert_int_equal(access_n(app, i), 0);
	nap(80);
	assert_int_equal(slaguard_app_flush(app, 0), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.expired, 3);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.pending, 0);
	slaguard_app_close(app);
}

/* The daemon restarts: the next event finds it gone, then found again. */
static void reconnects(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;

	srv_listen(s);
	app = open_app(s, 0, 0);
	assert_int_equal(access_n(app, 0), 0);
	srv_accept(s);
	srv_read(s, 50);
	assert_int_equal(s->n, 1);

	srv_stop(s);
	assert_int_equal(access_n(app, 1), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.disconnects, 1);
	assert_int_equal(st.connected, 0);
	assert_int_equal(st.pending, 1);

	s->len = 0;
	srv_listen(s);
	nap(60);
	assert_int_equal(access_n(app, 2), 0);
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 2);
	assert_resource(s, 0, "r1");
	assert_resource(s, 1, "r2");
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.connects, 2);
	assert_int_equal(st.sent, 3);
	slaguard_app_close(app);
}

/* Retries back off: with the daemon away, few connects are even tried. */
static void backs_off(void **state)
{
	struct srv *s = *state;
	struct slaguard_app_opts o = { .path = s->path, .max_lines = 8,
				       .backoff_min_ms = 20, .backoff_max_ms = 5000 };
	struct slaguard_app *app = slaguard_app_open(&o);
	struct slaguard_app_stats st;
	uint64_t end = ms_now() + 300;
	int calls = 0;

	assert_non_null(app);
	/* Tries at 0, 20, 60, 140 and 300 ms: 5 of some 300 chances (fewer
	 * if the machine is loaded: the bound that matters is the upper). */
	while (ms_now() < end) {
		assert_int_equal(access_n(app, 0), 0);
		calls++;
		nap(1);
	}
	slaguard_app_get_stats(app, &st);
	printf("backs_off: %d calls in 300 ms, %llu connects tried\n", calls,
	       (unsigned long long)st.connect_failures);
	assert_in_range(st.connect_failures, 1, 6);
	assert_int_equal(st.connects, 0);
	srv_listen(s);
	nap(700);		/* the next try is due by 620 ms */
	assert_int_equal(slaguard_app_flush(app, 0), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.connects, 1);
	slaguard_app_close(app);
}

/* Quotes, backslashes and would-be fields stay inside their string. */
static void escapes_hostile_strings(void **state)
{
	static const char *const users[] = {
		"a\"b\\c",
		"x\",\"source\":\"198.51.100.1\",\"user\":\"root",
		"zo\xc3\xab \xf0\x9f\x98\x80",
		"</script>/\\u0000",
	};
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;

	srv_listen(s);
	app = open_app(s, 0, 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(slaguard_app_access(app, "db", users[i], "read",
						     "r\"}\\", NULL), 0);
	assert_int_equal(slaguard_app_report(app, &(struct slaguard_app_event){
		.component = "db", .user = "u", .action = "privilege-change",
		.resource = "role/admin", .role = "sup\"port", .source = "2001:db8::1" }), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 5);
	for (size_t i = 0; i < 4; i++) {
		struct json_object *o = line_json(s, i);

		assert_string_equal(str_of(o, "user"), users[i]);
		assert_string_equal(str_of(o, "resource"), "r\"}\\");
		assert_null(str_of(o, "source"));
		assert_int_equal(json_object_object_length(o), 5);
		json_object_put(o);
	}
	{
		struct json_object *o = line_json(s, 4);

		assert_string_equal(str_of(o, "role"), "sup\"port");
		assert_string_equal(str_of(o, "source"), "2001:db8::1");
		assert_string_equal(str_of(o, "action"), "privilege-change");
		json_object_put(o);
	}
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.invalid, 0);
	slaguard_app_close(app);
}

/* What the daemon would refuse is refused here, with a reason, unsent. */
static void refuses_bad_events(void **state)
{
	static const struct {
		const char *user, *action, *resource, *source, *why;
	} bad[] = {
		{ "a\nb", "read", "r", NULL, "field 'user': expected text without control characters, got U+000A at offset 1" },
		{ "a", "read", "r\n{\"component\":\"x\"}", NULL, "U+000A" },
		{ "a\x1b[2J", "read", "r", NULL, "U+001B" },
		{ "a\xc2\x9b", "read", "r", NULL, "U+009B" },
		{ "a\xe2\x80\xae", "read", "r", NULL, "U+202E" },
		{ "a\xe2\x80\xa8", "read", "r", NULL, "U+2028" },
		{ "a", "read", "r\xff", NULL, "field 'resource': expected UTF-8 text, got byte 0xFF at offset 1" },
		{ "a", "read", "\xc0\xaf", NULL, "expected UTF-8" },
		{ "a", "read", "\xed\xa0\x80", NULL, "expected UTF-8" },
		{ "a", "reads", "r", NULL, "field 'action': expected one of read, write, delete, login-failure, privilege-change, got 'reads'" },
		{ "a", "read", "r", "10.0.0.300", "field 'source': expected an IPv4 or IPv6 address" },
		{ "a", "read", "r", "10.0.0.1\n", "U+000A" },
		{ "", "read", "r", NULL, "field 'user': expected a non-empty string" },
		{ NULL, "read", "r", NULL, "field 'user': expected a non-empty string" },
		{ "a", NULL, "r", NULL, "field 'action'" },
		{ "a", "read", NULL, NULL, "field 'resource'" },
	};
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	char name[SLAGUARD_APP_NAME_MAX + 2], res[SLAGUARD_APP_RESOURCE_MAX + 2];

	srv_listen(s);
	app = open_app(s, 0, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(slaguard_app_access(app, "db", bad[i].user, bad[i].action,
						     bad[i].resource, bad[i].source), -EINVAL);
		slaguard_app_get_stats(app, &st);
		if (!strstr(st.last_error, bad[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, st.last_error, bad[i].why);
	}
	/* 63 bytes are fine, 64 are not; 255 and 256 for the resource */
	memset(name, 'n', sizeof(name));
	name[SLAGUARD_APP_NAME_MAX + 1] = '\0';
	memset(res, 'r', sizeof(res));
	res[SLAGUARD_APP_RESOURCE_MAX + 1] = '\0';
	assert_int_equal(slaguard_app_access(app, name, "u", "read", "r", NULL), -EINVAL);
	slaguard_app_get_stats(app, &st);
	assert_string_equal(st.last_error, "field 'component': expected at most 63 bytes");
	assert_int_equal(slaguard_app_access(app, "db", "u", "read", res, NULL), -EINVAL);
	name[SLAGUARD_APP_NAME_MAX] = '\0';
	res[SLAGUARD_APP_RESOURCE_MAX] = '\0';
	assert_int_equal(slaguard_app_access(app, name, "u", "read", res, "192.0.2.1"), 0);
	assert_int_equal(slaguard_app_report(app, NULL), -EINVAL);

	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 1);	/* only the good one */
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.invalid, sizeof(bad) / sizeof(bad[0]) + 2);
	assert_int_equal(st.queued, 1);
	slaguard_app_close(app);
}

/*
 * A daemon that accepts and never reads: no call waits, the queue stays
 * bounded, the excess is dropped and counted. Then it hangs up with lines
 * pending: no SIGPIPE (the default action would kill this test), and the
 * next connection gets whole lines only.
 */
static void never_blocks(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	uint64_t worst = 0, t0 = ms_now();
	const int n = 30000;

	signal(SIGPIPE, SIG_DFL);
	alarm(120);
	srv_listen(s);
	app = open_app(s, 64, 0);
	srv_accept(s);
	for (int i = 0; i < n; i++) {
		uint64_t t = ms_now();

		assert_int_equal(access_n(app, i), 0);
		if (ms_now() - t > worst)
			worst = ms_now() - t;
	}
	slaguard_app_get_stats(app, &st);
	printf("never_blocks: %d events in %llu ms, slowest call %llu ms; sent %llu, dropped %llu, pending %zu\n",
	       n, (unsigned long long)(ms_now() - t0), (unsigned long long)worst,
	       (unsigned long long)st.sent, (unsigned long long)st.dropped, st.pending);
	/*
	 * The peer never reads: a blocking write would never return, and the
	 * alarm above ends the test. The slowest call is printed, not judged
	 * (a loaded machine's scheduling is not the library's).
	 */
	assert_true(st.sent > 0);		/* the socket's buffer took some */
	assert_true(st.dropped > 0);
	assert_int_equal(st.pending, 64);
	assert_int_equal(st.sent + st.dropped + st.pending, (uint64_t)n);
	assert_int_equal(slaguard_app_flush(app, 50), 64);	/* waits its 50 ms, no more */

	close(s->cfd);			/* hang up with lines pending */
	s->cfd = -1;
	assert_int_equal(access_n(app, n), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.disconnects, 1);

	nap(60);
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 64);
	for (size_t i = 0; i < s->n; i++)
		json_object_put(line_json(s, i));
	assert_resource(s, s->n - 1, "r30000");
	slaguard_app_close(app);
	alarm(0);
}

/*
 * The daemon stops reading (shutdown): the next write fails with EPIPE,
 * which must not raise SIGPIPE (the default action would kill this test).
 */
static void no_sigpipe(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;

	signal(SIGPIPE, SIG_DFL);
	srv_listen(s);
	app = open_app(s, 0, 0);
	srv_accept(s);
	assert_int_equal(shutdown(s->cfd, SHUT_RD), 0);
	assert_int_equal(access_n(app, 0), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.disconnects, 1);
	assert_int_equal(st.pending, 1);
	assert_non_null(strstr(st.last_error, "Broken pipe"));
	slaguard_app_close(app);
}

/* A daemon whose backlog is full (EAGAIN): a failed connect, not a wait. */
static void full_backlog(void **state)
{
	struct srv *s = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	int first;

	strcpy(sun.sun_path, s->path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s->lfd, 0), 0);
	first = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(first, (struct sockaddr *)&sun, sizeof(sun)), 0);
	app = open_app(s, 0, 0);
	assert_int_equal(access_n(app, 0), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.connected, 0);
	assert_int_equal(st.connects, 0);
	assert_int_equal(st.pending, 1);
	assert_true(st.connect_failures >= 1);
	assert_non_null(strstr(st.last_error, "Resource temporarily unavailable"));
	slaguard_app_close(app);
	close(first);
}

/*
 * A daemon that takes each connection and closes it at once (as it does
 * past its per-uid limit): reconnects back off rather than spin.
 */
static void refused_connections_back_off(void **state)
{
	struct srv *s = *state;
	struct slaguard_app_opts o = { .path = s->path, .backoff_min_ms = 20,
				       .backoff_max_ms = 5000 };
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	uint64_t end = ms_now() + 300;
	const char *why = "{\"ok\":false,\"error\":\"connection of uid 1000 refused: it has 16, the most one uid may have\"}\n";

	srv_listen(s);
	app = slaguard_app_open(&o);
	assert_non_null(app);
	while (ms_now() < end) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		int fd;

		assert_int_equal(access_n(app, 0), 0);
		if (poll(&p, 1, 1) == 1 && (fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (write(fd, why, strlen(why)) < 0)
				fail();
			close(fd);
		}
	}
	slaguard_app_get_stats(app, &st);
	printf("refused_connections_back_off: %llu connects in 300 ms\n",
	       (unsigned long long)st.connects);
	assert_in_range(st.connects, 1, 6);
	assert_true(st.refused >= 1);
	slaguard_app_close(app);
}

/*
 * The connection breaks in the middle of a line: the daemon drops the
 * part it got, so the line is sent again whole on the next connection.
 */
static void partial_line_resent_whole(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;

	srv_listen(s);
	app = open_app(s, 0, 0);
	srv_accept(s);
	budget_on = true;
	budget = 10;
	assert_int_equal(access_n(app, 0), 0);
	budget_on = false;
	srv_read(s, 50);
	assert_int_equal(s->len, 10);	/* a part of the line, no newline */
	assert_int_equal(s->n, 0);
	close(s->cfd);
	s->cfd = -1;
	s->len = 0;
	assert_int_equal(access_n(app, 1), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.disconnects, 1);
	nap(60);
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_accept(s);
	srv_read(s, 100);
	assert_int_equal(s->n, 2);
	assert_resource(s, 0, "r0");
	assert_resource(s, 1, "r1");
	slaguard_app_close(app);
}

/*
 * A full queue whose oldest line is partly written drops the next one:
 * the rest of the head must follow its start, or the stream is garbage.
 */
static void partial_head_kept(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;

	srv_listen(s);
	app = open_app(s, 2, 0);
	srv_accept(s);
	budget_on = true;
	budget = 10;
	for (int i = 0; i < 4; i++)
		assert_int_equal(access_n(app, i), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.pending, 2);
	assert_int_equal(st.dropped, 2);
	budget_on = false;
	assert_int_equal(slaguard_app_flush(app, 2000), 0);
	srv_read(s, 100);
	assert_int_equal(s->n, 2);
	assert_resource(s, 0, "r0");
	assert_resource(s, 1, "r3");
	slaguard_app_close(app);
}

/* The daemon's error replies are counted, the last one kept. */
static void reads_replies(void **state)
{
	struct srv *s = *state;
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	char junk[5000];

	srv_listen(s);
	app = open_app(s, 0, 0);
	srv_accept(s);
	srv_send(s, "{\"ok\":false,\"error\":\"uid 1000 may not rep");
	assert_int_equal(slaguard_app_flush(app, 0), 0);
	srv_send(s, "ort for component db\"}\n");
	memset(junk, 'j', sizeof(junk) - 2);
	junk[sizeof(junk) - 2] = '\n';
	junk[sizeof(junk) - 1] = '\0';
	srv_send(s, junk);		/* too long to be a reply: skipped */
	srv_send(s, "{\"ok\":false,\"error\":\"field 'v': expected the event schema version 1, got 2\"}\n");
	assert_int_equal(slaguard_app_flush(app, 0), 0);
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.refused, 2);
	assert_string_equal(st.last_error,
			    "slaguardd: field 'v': expected the event schema version 1, got 2");
	assert_int_equal(st.connected, 1);
	slaguard_app_close(app);
}

/* SLAGUARD_APP_SOCKET when no path is given; the given path wins. */
static void socket_from_environment(void **state)
{
	struct srv *s = *state;
	struct slaguard_app_opts o = { .path = "/tmp/other.sock" };
	struct slaguard_app *app;

	setenv(SLAGUARD_APP_SOCKET_ENV, s->path, 1);
	app = slaguard_app_open(NULL);
	assert_non_null(app);
	assert_string_equal(slaguard_app_path(app), s->path);
	slaguard_app_close(app);
	app = slaguard_app_open(&o);
	assert_string_equal(slaguard_app_path(app), "/tmp/other.sock");
	slaguard_app_close(app);
	unsetenv(SLAGUARD_APP_SOCKET_ENV);
	app = slaguard_app_open(NULL);
	assert_string_equal(slaguard_app_path(app), SLAGUARD_APP_DEFAULT_SOCKET);
	slaguard_app_close(app);
	o.path = "/tmp/" "0123456789012345678901234567890123456789012345678901234567890123456789"
		 "01234567890123456789012345678901234567890123456789";
	errno = 0;
	assert_null(slaguard_app_open(&o));
	assert_int_equal(errno, EINVAL);
}

struct reporter {
	struct slaguard_app *app;
	int base;
};

static void *report_many(void *arg)
{
	struct reporter *r = arg;

	for (int i = 0; i < 500; i++)
		if (access_n(r->app, r->base + i))
			return (void *)1;
	return NULL;
}

/* Four threads on one handle: every event arrives whole, once. */
static void thread_safe(void **state)
{
	struct srv *s = *state;
	struct slaguard_app_opts o = { .path = s->path, .max_lines = 2000,
				       .max_bytes = 1u << 20 };
	struct slaguard_app *app;
	struct slaguard_app_stats st;
	struct reporter r[4];
	pthread_t t[4];
	bool seen[2000] = { false };
	uint64_t end;

	srv_listen(s);
	app = slaguard_app_open(&o);
	assert_non_null(app);
	srv_accept(s);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct reporter){ .app = app, .base = i * 500 };
		assert_int_equal(pthread_create(&t[i], NULL, report_many, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	end = ms_now() + 5000;
	while (slaguard_app_flush(app, 0) && ms_now() < end)
		srv_read(s, 5);
	srv_read(s, 100);
	assert_int_equal(s->n, 2000);
	for (size_t i = 0; i < s->n; i++) {
		struct json_object *o = line_json(s, i);
		int k = atoi(str_of(o, "resource") + 1);

		assert_in_range(k, 0, 1999);
		assert_false(seen[k]);
		seen[k] = true;
		json_object_put(o);
	}
	slaguard_app_get_stats(app, &st);
	assert_int_equal(st.sent, 2000);
	assert_int_equal(st.dropped, 0);
	slaguard_app_close(app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(buffers_while_away, setup, teardown),
		cmocka_unit_test_setup_teardown(drops_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(bounded_in_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(expires_old_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(backs_off, setup, teardown),
		cmocka_unit_test_setup_teardown(escapes_hostile_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_events, setup, teardown),
		cmocka_unit_test_setup_teardown(never_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(no_sigpipe, setup, teardown),
		cmocka_unit_test_setup_teardown(partial_line_resent_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(partial_head_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(full_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_connections_back_off, setup, teardown),
		cmocka_unit_test_setup_teardown(reads_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_from_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(thread_safe, setup, teardown),
	};

	return cmocka_run_group_tests_name("libslaguard-app", tests, NULL, NULL);
}
