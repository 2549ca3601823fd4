// SPDX-License-Identifier: GPL-2.0
/*
 * slaguardctl against a fake slaguardd: a thread serving a temporary unix
 * socket with scripted answers. Checks request framing (one JSON object per
 * line), ok/error answers, broken answers, the "not running" message and
 * "alerts --follow" streaming.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "control_client.h"
#include "ctl.h"
#include "helpers.h"

#define MAXLINES	8

/* What the fake daemon does with one connection. */
struct fake {
	char dir[64];
	char path[108];
	int lfd;
	pthread_t thread;
	const char *replies[MAXLINES];	/* lines sent, '\n' added */
	bool bytewise;			/* send the replies one byte at a time */
	bool hold;			/* then wait for the client to close */
	bool no_accept;			/* never accept: a dead daemon */
	char request[4096];		/* the first line the client sent */
	size_t request_len;		/* bytes the client sent in all */
};

static void send_all(int fd, const char *s, size_t len, bool bytewise)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, bytewise ? 1 : len - off,
				 MSG_NOSIGNAL);

		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	char buf[4096];
	size_t i;
	int fd;

	fd = accept(f->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	/* The request: everything up to the first newline. */
	while (!memchr(f->request, '\n', f->request_len) &&
	       f->request_len < sizeof(f->request) - 1) {
		ssize_t n = recv(fd, f->request + f->request_len,
				 sizeof(f->request) - 1 - f->request_len, 0);

		if (n <= 0)
			break;
		f->request_len += (size_t)n;
	}
	for (i = 0; i < MAXLINES && f->replies[i]; i++) {
		send_all(fd, f->replies[i], strlen(f->replies[i]), f->bytewise);
		send_all(fd, "\n", 1, false);
	}
	if (f->hold)
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			;
	close(fd);
	return NULL;
}

static void fake_start(struct fake *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(f->dir, "/tmp/sgctl-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/control.sock", f->dir);
	strcpy(sun.sun_path, f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	if (!f->no_accept)
		assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	if (!f->no_accept)
		pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

/* The request line, without its newline; asserts there was exactly one. */
static const char *request_line(struct fake *f)
{
	char *nl = memchr(f->request, '\n', f->request_len);

	assert_non_null(nl);
	assert_int_equal((size_t)(nl - f->request) + 1, f->request_len);
	*nl = '\0';
	return f->request;
}

struct run {
	int ret;
	char out[8192];
	struct ctl c;
};

/* Run slaguardctl OBJECT ARGS against F (or PATH), stdout captured. */
static void run(struct run *r, const char *path, bool json, const char *line)
{
	struct args a;
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	assert_non_null(tmp);
	memset(r, 0, sizeof(*r));
	r->c.json = json;
	r->c.control = path;
	args_split(&a, line);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	if (strcmp(a.argv[0], "sla") == 0)
		r->ret = cmd_sla(&r->c, a.argc - 1, a.argv + 1);
	else if (strcmp(a.argv[0], "alerts") == 0)
		r->ret = cmd_alerts(&r->c, a.argc - 1, a.argv + 1);
	else
		r->ret = cmd_countermeasures(&r->c, a.argc - 1, a.argv + 1);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(r->out, 1, sizeof(r->out) - 1, tmp);
	r->out[n] = '\0';
	fclose(tmp);
}

/* run() against a fake daemon that answers from F. */
static void run_fake(struct run *r, struct fake *f, bool json, const char *line)
{
	fake_start(f);
	run(r, f->path, json, line);
	fake_stop(f);
}

static void expect_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("expected '%s' in:\n%s", part, text);
}

static const char status_reply[] =
	"{\"ok\":true,\"sla\":\"demo\",\"file\":\"/etc/slaguard/demo.yaml\",\"dry_run\":false,"
	"\"started\":\"2026-11-23T10:00:00Z\",\"slos\":[{\"id\":\"web-portscan\","
	"\"metric\":\"net.portscan_ports\",\"state\":\"violated\",\"value\":24,\"bound\":20,"
	"\"window_ms\":10000,\"evidence\":{\"source\":\"10.77.0.2\"}},{\"id\":\"web-cpu\","
	"\"metric\":\"sched.cpu_percent\",\"state\":\"unknown\",\"value\":null,\"bound\":80,"
	"\"window_ms\":30000,\"evidence\":{}}],\"events\":{\"received\":12,\"lost\":0},"
	"\"alerts\":1,\"countermeasures\":1}";

static void status_table(void **state)
{
	struct fake f = { .replies = { status_reply } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "sla status");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"status\"}");
	expect_has(r.out, "sla:              demo (/etc/slaguard/demo.yaml)");
	expect_has(r.out, "events:           12 received, 0 lost");
	expect_has(r.out, "SLOs:             2, 1 violated, 1 unknown");
	expect_has(r.out, "web-portscan  net.portscan_ports  violated");
	expect_has(r.out, "{\"source\":\"10.77.0.2\"}");
	expect_has(r.out, "web-cpu       sched.cpu_percent   unknown");
}

/* -j prints the daemon's answer as one compact line; "sla" alone is status. */
static void status_json(void **state)
{
	struct fake f = { .replies = { status_reply } };
	struct json_object *o;
	struct run r;

	(void)state;
	run_fake(&r, &f, true, "sla");
	assert_int_equal(r.ret, 0);
	/* Exactly one line. */
	assert_ptr_equal(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	o = json_tokener_parse(r.out);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "sla")), "demo");
	json_object_put(o);
}

/* A reply sent in pieces, after a blank line, is one message all the same. */
static void reply_bytewise(void **state)
{
	struct fake f = { .replies = { "", status_reply }, .bytewise = true };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "sla status");
	assert_int_equal(r.ret, 0);
	expect_has(r.out, "violated");
}

static void error_reply(void **state)
{
	struct fake f = { .replies = { "{\"ok\":false,\"error\":\"no countermeasure C9\"}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures revoke C9");
	assert_int_equal(r.ret, -EREMOTEIO);
	assert_false(r.c.err.usage);
	assert_string_equal(r.c.err.msg, "countermeasures revoke C9: no countermeasure C9");
	assert_string_equal(request_line(&f), "{\"cmd\":\"revoke\",\"id\":\"C9\"}");
	assert_string_equal(r.out, "");
}

static void revoke_ok(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures revoke C3");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.out, "revoked C3\n");
}

/* A relative file is sent as an absolute path; the parser's message is kept. */
static void reload_error(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":false,\"error\":\"/x/demo.yaml:3:7: field 'slos[0].max': expected a number, got 'lots'\"}" } };
	struct json_object *req;
	char cwd[4096], want[4200];
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "sla reload no-such-dir/demo.yaml");
	assert_int_equal(r.ret, -EREMOTEIO);
	assert_string_equal(r.c.err.msg,
			    "sla reload: /x/demo.yaml:3:7: field 'slos[0].max': expected a number, got 'lots'");
	req = json_tokener_parse(request_line(&f));
	assert_non_null(req);
	assert_string_equal(json_object_get_string(json_object_object_get(req, "cmd")), "reload");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/no-such-dir/demo.yaml", cwd);
	assert_string_equal(json_object_get_string(json_object_object_get(req, "file")), want);
	json_object_put(req);
}

static void reload_running_file(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "sla reload");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"reload\"}");
	expect_has(r.out, "reloaded");
}

static void not_running(void **state)
{
	struct fake f = { .no_accept = true };
	char want[256];
	struct run r;

	(void)state;
	run(&r, "/nonexistent/slaguard/control.sock", false, "sla status");
	assert_int_equal(r.ret, -ENOENT);
	assert_string_equal(r.c.err.msg,
			    "cannot reach slaguardd at /nonexistent/slaguard/control.sock: No such file or directory; is it running?");

	/* A socket file nobody listens on any more: refused. */
	fake_start(&f);
	close(f.lfd);
	f.lfd = -1;
	run(&r, f.path, false, "countermeasures");
	snprintf(want, sizeof(want),
		 "cannot reach slaguardd at %s: Connection refused; is it running?", f.path);
	assert_int_equal(r.ret, -ECONNREFUSED);
	assert_string_equal(r.c.err.msg, want);
	fake_stop(&f);
}

/* $SLAGUARD_CONTROL is used when --control is not given. */
static void path_from_env(void **state)
{
	(void)state;
	unsetenv(CC_PATH_ENV);
	assert_string_equal(cc_path(NULL), CC_DEFAULT_PATH);
	setenv(CC_PATH_ENV, "/tmp/x.sock", 1);
	assert_string_equal(cc_path(NULL), "/tmp/x.sock");
	assert_string_equal(cc_path("/opt/y.sock"), "/opt/y.sock");
	setenv(CC_PATH_ENV, "", 1);
	assert_string_equal(cc_path(NULL), CC_DEFAULT_PATH);
	unsetenv(CC_PATH_ENV);
}

static void broken_replies(void **state)
{
	static const struct {
		const char *reply;
		int ret;
		const char *msg;
	} cases[] = {
		{ NULL, -EPIPE, "countermeasures: slaguardd closed the connection without answering" },
		{ "this is not json", -EBADMSG, "not a JSON object" },
		{ "[1,2]", -EBADMSG, "not a JSON object (not an object)" },
		{ "{\"alerts\":[]}", -EBADMSG, "has no \"ok\" member" },
		{ "{\"ok\":false}", -EREMOTEIO, "countermeasures: slaguardd refused without saying why" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake f = { .replies = { cases[i].reply } };
		struct run r;

		run_fake(&r, &f, false, "countermeasures list");
		assert_int_equal(r.ret, cases[i].ret);
		expect_has(r.c.err.msg, cases[i].msg);
	}
}

static void countermeasures_table(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":true,\"countermeasures\":[{\"id\":\"C3\",\"action\":\"block-source\","
		"\"target\":\"10.77.0.2\",\"expires\":\"2026-11-23T10:05:00Z\",\"remaining_s\":299,"
		"\"alert\":\"A7\",\"ref\":\"web-portscan\",\"dry_run\":false},{\"id\":\"C4\","
		"\"action\":\"rate-limit\",\"target\":\"fd77::2\",\"expires\":\"2026-11-23T10:01:00Z\","
		"\"remaining_s\":5,\"alert\":\"A8\",\"ref\":\"web-syn\",\"dry_run\":true}]}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"countermeasures\"}");
	assert_string_equal(r.out,
		"ID  ACTION                TARGET      LEFT  EXPIRES               ALERT  REF\n"
		"C3  block-source          10.77.0.2  4m59s  2026-11-23T10:05:00Z  A7     web-portscan\n"
		"C4  rate-limit (dry run)  fd77::2     5.0s  2026-11-23T10:01:00Z  A8     web-syn\n");
}

static void revoke_target(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true,\"revoked\":2}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures revoke 192.0.2.7");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"revoke\",\"target\":\"192.0.2.7\"}");
	assert_string_equal(r.out, "revoked 2 on 192.0.2.7\n");
}

/* "add block": the request as the daemon reads it, the answer in a line. */
static void add_block(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":true,\"id\":\"C9\",\"action\":\"block-source\",\"target\":\"192.0.2.0/24\","
		"\"remaining_s\":7200,\"uid\":0,\"repeat\":2}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures add block 192.0.2.0/24 for 1h reason scanner");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"block\",\"target\":\"192.0.2.0/24\","
			    "\"for\":\"1h\",\"reason\":\"scanner\"}");
	assert_string_equal(r.out, "C9 blocked 192.0.2.0/24 for 2h00m "
			    "(block 2 within defaults.repeat.window)\n");
}

/* A refusal is the daemon's message, not a usage error. */
static void add_refused(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":false,\"error\":\"block 198.19.0.254 refused: refusing to block "
		"198.19.0.254: 198.19.0.254 is a gateway of table 254 (protected)\"}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures add block 198.19.0.254");
	assert_true(r.ret < 0);
	assert_false(r.c.err.usage);
	expect_has(r.c.err.msg, "is a gateway of table 254 (protected)");
}

static void add_allow(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":true,\"id\":\"C10\",\"action\":\"allow\",\"target\":\"2001:db8::/32\","
		"\"remaining_s\":86400,\"uid\":0,\"lifted\":3}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures add allow 2001:db8::/32");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f), "{\"cmd\":\"allow\",\"target\":\"2001:db8::/32\"}");
	assert_string_equal(r.out, "C10 allowed 2001:db8::/32 for 24h00m; 3 countermeasures lifted\n");
}

/* The operator's countermeasures say who set them and why. */
static void countermeasures_operator(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":true,\"countermeasures\":[{\"id\":\"C3\",\"action\":\"block-source\","
		"\"target\":\"10.77.0.2\",\"expires\":\"2026-11-23T10:05:00Z\",\"remaining_s\":299,"
		"\"alert\":null,\"ref\":\"operator\",\"origin\":\"operator\",\"uid\":0,"
		"\"reason\":\"ticket 42\",\"dry_run\":false},{\"id\":\"C4\",\"action\":\"allow\","
		"\"target\":\"10.9.0.0/16\",\"expires\":\"2026-11-23T10:01:00Z\",\"remaining_s\":5,"
		"\"alert\":null,\"ref\":\"operator\",\"origin\":\"operator\",\"uid\":1000,"
		"\"dry_run\":false}]}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "countermeasures");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.out,
		"ID  ACTION        TARGET        LEFT  EXPIRES               ALERT  REF\n"
		"C3  block-source  10.77.0.2    4m59s  2026-11-23T10:05:00Z  -      operator uid 0: ticket 42\n"
		"C4  allow         10.9.0.0/16   5.0s  2026-11-23T10:01:00Z  -      operator uid 1000\n");
}

static void alerts_request(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true,\"alerts\":[]}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "alerts");
	assert_int_equal(r.ret, 0);
	assert_string_equal(request_line(&f),
			    "{\"cmd\":\"alerts\",\"follow\":false,\"limit\":100}");
	assert_string_equal(r.out, "no alerts\n");
}

#define ALERT(id) \
	"{\"id\":\"" id "\",\"time\":\"2026-11-23T10:00:01Z\",\"severity\":\"high\"," \
	"\"kind\":\"slo\",\"ref\":\"web-portscan\",\"source\":\"10.77.0.2\"," \
	"\"component\":\"web\",\"summary\":\"24 ports in 10s\",\"evidence\":{}," \
	"\"actions\":[\"C1\"]}"

/* The backlog and the streamed alerts, one object per line, until EOF. */
static void follow_json(void **state)
{
	struct fake f = { .replies = {
		"{\"ok\":true,\"alerts\":[" ALERT("A1") "]}", ALERT("A2"),
		ALERT("A3") } };
	const char *p;
	struct run r;
	int lines = 0;

	(void)state;
	run_fake(&r, &f, true, "alerts --follow --limit 5");
	assert_string_equal(request_line(&f),
			    "{\"cmd\":\"alerts\",\"follow\":true,\"limit\":5}");
	/* The daemon went away: that ends a follow with an error. */
	assert_int_equal(r.ret, -EPIPE);
	expect_has(r.c.err.msg, "slaguardd closed the connection");
	for (p = r.out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 3);
	assert_true(strncmp(r.out, "{\"id\":\"A1\"", 10) == 0);
	expect_has(r.out, "\n{\"id\":\"A2\"");
	expect_has(r.out, "\n{\"id\":\"A3\"");
}

static void follow_text(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true,\"alerts\":[]}", ALERT("A2") } };
	struct run r;

	(void)state;
	run_fake(&r, &f, false, "alerts -f");
	assert_string_equal(r.out,
			    "2026-11-23T10:00:01Z A2 high slo web-portscan source=10.77.0.2 component=web actions=C1: 24 ports in 10s\n");
}

static void follow_error(void **state)
{
	struct fake f = { .replies = { "{\"ok\":false,\"error\":\"too many followers\"}" } };
	struct run r;

	(void)state;
	run_fake(&r, &f, true, "alerts --follow");
	assert_int_equal(r.ret, -EREMOTEIO);
	assert_string_equal(r.c.err.msg, "alerts --follow: too many followers");
}

struct killer {
	pthread_t target;
};

static void *kill_later(void *arg)
{
	struct killer *k = arg;
	struct timespec ts = { 0, 200 * 1000000 };

	nanosleep(&ts, NULL);
	pthread_kill(k->target, SIGTERM);
	return NULL;
}

/* SIGTERM while following ends it cleanly (exit 0); the daemon sees EOF. */
static void follow_sigterm(void **state)
{
	struct fake f = { .replies = { "{\"ok\":true,\"alerts\":[" ALERT("A1") "]}" },
			  .hold = true };
	struct killer k = { .target = pthread_self() };
	pthread_t kt;
	struct run r;

	(void)state;
	fake_start(&f);
	assert_int_equal(pthread_create(&kt, NULL, kill_later, &k), 0);
	run(&r, f.path, true, "alerts --follow");
	pthread_join(kt, NULL);
	fake_stop(&f);
	assert_int_equal(r.ret, 0);
	assert_true(strncmp(r.out, "{\"id\":\"A1\"", 10) == 0);
	signal(SIGTERM, SIG_DFL);
}

static void usage_errors(void **state)
{
	static const char *const lines[] = {
		"alerts --bogus", "alerts --limit", "alerts --limit 0",
		"alerts --limit x", "countermeasures revoke", "countermeasures revoke A B",
		"countermeasures flush", "sla check", "sla check a b", "sla status x",
		"sla reload a b", "sla frobnicate",
		"countermeasures add", "countermeasures add deny 192.0.2.7",
		"countermeasures add block", "countermeasures add block 192.0.2.1/24",
		"countermeasures add block example.org", "countermeasures add allow 192.0.2.7 for",
		"countermeasures add block 192.0.2.7 for soon",
		"countermeasures add block 192.0.2.7 for 31d",
		"countermeasures add block 192.0.2.7 for 1h for 2h",
		"countermeasures add block 192.0.2.7 until 1h",
		"countermeasures revoke 3", "countermeasures revoke C", "countermeasures revoke Cx",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct run r;

		run(&r, "/nonexistent", false, lines[i]);
		if (r.ret != -EINVAL || !r.c.err.usage)
			fail_msg("'%s' returned %d (usage %d), not a usage error: %s",
				 lines[i], r.ret, r.c.err.usage, r.c.err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_table),
		cmocka_unit_test(status_json),
		cmocka_unit_test(reply_bytewise),
		cmocka_unit_test(error_reply),
		cmocka_unit_test(revoke_ok),
		cmocka_unit_test(revoke_target),
		cmocka_unit_test(add_block),
		cmocka_unit_test(add_refused),
		cmocka_unit_test(add_allow),
		cmocka_unit_test(countermeasures_operator),
		cmocka_unit_test(reload_error),
		cmocka_unit_test(reload_running_file),
		cmocka_unit_test(not_running),
		cmocka_unit_test(path_from_env),
		cmocka_unit_test(broken_replies),
		cmocka_unit_test(countermeasures_table),
		cmocka_unit_test(alerts_request),
		cmocka_unit_test(follow_json),
		cmocka_unit_test(follow_text),
		cmocka_unit_test(follow_error),
		cmocka_unit_test(follow_sigterm),
		cmocka_unit_test(usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
