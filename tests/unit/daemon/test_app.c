// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The application socket: what a line may hold (actions, no control
 * characters), who may report what (the SLA's reporters, judged by the
 * peer's uid and groups; children connect under other uids), junk is not
 * amplified, the socket's group, and the counters "status" shows.
 */
#include <json-c/json.h>

#include "helpers.h"
#include "intake.h"
#include "sla.h"
#include "sock_helpers.h"
#include "util.h"

#define COMPONENTS \
	"sla: t\n" \
	"components:\n" \
	"  web: { addresses: [10.0.0.10] }\n" \
	"  db: { addresses: [10.0.1.20] }\n"

struct fixture {
	struct loop l;
	char dir[32], path[64];
	struct sla *sla;
	struct intake_app *app;
	int records;
	struct rec last;
};

static void sink(const struct rec *r, void *arg)
{
	struct fixture *f = arg;

	f->records++;
	f->last = *r;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(loop_init(&f->l), 0);
	open_dir(f->dir, sizeof(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/app.sock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	intake_app_free(f->app);
	sla_free(f->sla);
	unlink(f->path);
	rmdir(f->dir);
	loop_fini(&f->l);
	free(f);
	return 0;
}

static void start(struct fixture *f, const char *yaml, mode_t mode)
{
	struct intake_app_opts o = { .path = f->path, .mode = mode,
				     .sla = &f->sla, .sink = sink, .arg = f };

	f->sla = load_sla_text(yaml);
	assert_int_equal(intake_app_new(&f->app, &f->l, &o), 0);
}

static int parse(const char *line, char *err)
{
	struct rec r;

	err[0] = '\0';
	return intake_app_parse(line, &r, err, 256);
}

/* Text that would steer a terminal or forge a log line is refused. */
static void control_characters_refused(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\\u001b[2Jb\","
			       "\"action\":\"read\",\"resource\":\"r\"}", err), -EINVAL);
	assert_string_equal(err, "field 'user': expected text without control "
			    "characters, got U+001B at offset 1");
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\",\"action\":\"read\","
			       "\"resource\":\"r\\nslaguardd: forged\"}", err), -EINVAL);
	assert_non_null(strstr(err, "field 'resource'"));
	assert_non_null(strstr(err, "U+000A at offset 1"));
	assert_int_equal(parse("{\"component\":\"d\\u009bb\",\"user\":\"a\",\"action\":\"read\","
			       "\"resource\":\"r\"}", err), -EINVAL);
	assert_non_null(strstr(err, "U+009B"));
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\",\"action\":\"read\","
			       "\"resource\":\"r\",\"role\":\"x\\u202ey\"}", err), -EINVAL);
	assert_non_null(strstr(err, "field 'role'"));
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\",\"action\":\"read\","
			       "\"resource\":\"r\\u0000hidden\"}", err), -EINVAL);
	assert_non_null(strstr(err, "U+0000"));
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\",\"action\":\"read\","
			       "\"resource\":\"r\xff\"}", err), -EINVAL);
	assert_string_equal(err, "field 'resource': expected UTF-8 text, got byte 0xFF at offset 1");
	/* printable UTF-8 is fine */
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"zo\xc3\xab\",\"action\":\"read\","
			       "\"resource\":\"caf\\u00e9/1\"}", err), 0);
}

/* Kernel-given names are escaped rather than refused. */
static void printable_names(void **state)
{
	char comm[] = "a\x1b[31mb\xff\xc2\x9b" "c\n\xe2\x80\xae" "d\xc3\xa9";

	(void)state;
	sgd_printable(comm);
	assert_string_equal(comm, "a?[31mb??c??d\xc3\xa9");
}

static void actions(void **state)
{
	static const char *const ok[] = { "read", "write", "delete",
					  "login-failure", "privilege-change",
					  "login-success" };
	char line[256], err[256];

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "{\"component\":\"db\",\"user\":\"a\","
			 "\"action\":\"%s\",\"resource\":\"r\"}", ok[i]);
		assert_int_equal(parse(line, err), 0);
	}
	assert_int_equal(parse("{\"component\":\"db\",\"user\":\"a\",\"action\":\"reads\","
			       "\"resource\":\"r\"}", err), -EINVAL);
	assert_string_equal(err, "field 'action': expected one of read, write, delete, "
			    "login-failure, privilege-change, login-success, got 'reads'");
}

/* "v" is optional; version 1 is taken, anything else refused with a reason. */
static void schema_version(void **state)
{
	const char *ev = "\"component\":\"db\",\"user\":\"a\",\"action\":\"read\","
			 "\"resource\":\"r\"}";
	char line[256], err[256];

	(void)state;
	snprintf(line, sizeof(line), "{\"v\":1,%s", ev);
	assert_int_equal(parse(line, err), 0);
	snprintf(line, sizeof(line), "{%s", ev);
	assert_int_equal(parse(line, err), 0);
	snprintf(line, sizeof(line), "{\"v\":2,%s", ev);
	assert_int_equal(parse(line, err), -EINVAL);
	assert_string_equal(err, "field 'v': expected the event schema version 1, got 2");
	snprintf(line, sizeof(line), "{\"v\":\"1\",%s", ev);
	assert_int_equal(parse(line, err), -EINVAL);
	assert_string_equal(err, "field 'v': expected the event schema version 1, got \"1\"");
	snprintf(line, sizeof(line), "{\"v\":1.5,%s", ev);
	assert_int_equal(parse(line, err), -EINVAL);
	snprintf(line, sizeof(line), "{\"v\":null,%s", ev);
	assert_int_equal(parse(line, err), -EINVAL);
}

/* A short junk line got a long error each: now a few, then silence. */
static void junk_not_amplified(void **state)
{
	struct fixture *f = *state;
	char buf[65536], junk[2001];
	ssize_t got;
	int fd, lines = 0;

	for (int i = 0; i < 1000; i++)
		memcpy(junk + 2 * i, "x\n", 2);
	junk[2000] = '\0';
	start(f, COMPONENTS, 0660);
	fd = sock_connect(f->path);
	send_text(fd, junk);
	pump(&f->l, 200);
	got = read_ready(fd, buf, sizeof(buf));
	for (char *p = buf; got > 0 && (p = strchr(p, '\n')); p++)
		lines++;
	assert_true(got > 0);
	assert_true(lines <= 8);
	assert_true(got <= 2000);
	assert_int_equal(intake_app_counters(f->app)->malformed, 1000);
	close(fd);
}

struct client {
	const char *path;
	const char *lines[4];
	const char *want[4];	/* the reply expected to each line; NULL: none */
};

/* Send each line; check its reply (or that there is none). */
static int report(void *arg)
{
	struct client *cl = arg;
	int fd = sock_connect(cl->path);
	struct timeval tv = { 0, 300000 };

	if (fd < 0)
		return 10;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 4 && cl->lines[i]; i++) {
		char buf[512];
		ssize_t n;

		send_text(fd, cl->lines[i]);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (!cl->want[i] && n > 0) {
			fprintf(stderr, "line %d: unexpected reply %s", i, buf);
			return 20 + i;
		}
		if (cl->want[i] && (n <= 0 || strcmp(buf, cl->want[i]))) {
			fprintf(stderr, "line %d: want %s got %s\n", i, cl->want[i], buf);
			return 30 + i;
		}
	}
	close(fd);
	return 0;
}

#define EV(comp, src) "{\"component\":\"" comp "\",\"user\":\"u\",\"action\":\"write\"," \
	"\"resource\":\"r\"" src "}\n"
#define SRC ",\"source\":\"192.0.2.1\""

static void reporters_enforced(void **state)
{
	struct fixture *f = *state;
	struct client c1001 = { .path = f->path,
		.lines = { EV("db", ""), EV("web", SRC), EV("web", "") },
		.want = { "{\"ok\":false,\"error\":\"uid 1001 may not report for component db\"}\n",
			  "{\"ok\":false,\"error\":\"uid 1001 may not name a source for component web\"}\n",
			  NULL } };
	struct client c1002 = { .path = f->path,
		.lines = { EV("web", "") },
		.want = { "{\"ok\":false,\"error\":\"uid 1002 may not report for component web\"}\n" } };
	struct client group = { .path = f->path,
		.lines = { EV("db", SRC) }, .want = { NULL } };
	struct json_object *st, *v;

	start(f, COMPONENTS "reporters:\n"
	      "  - { user: 1001, components: [web] }\n"
	      "  - { group: 2500, components: [db], source: true }\n", 0666);
	assert_int_equal(pump_until_exit(&f->l, run_as(1001, 1001, report, &c1001), 5000), 0);
	assert_int_equal(f->records, 1);
	assert_string_equal(f->last.app.component, "web");
	assert_int_equal(f->last.app.uid, 1001);
	assert_int_equal(pump_until_exit(&f->l, run_as(1002, 1002, report, &c1002), 5000), 0);
	assert_int_equal(pump_until_exit(&f->l, run_as(1004, 2500, report, &group), 5000), 0);
	assert_int_equal(f->records, 2);
	assert_int_equal(f->last.app.uid, 1004);
	assert_int_equal(f->last.app.family, AF_INET);
	assert_int_equal(intake_app_counters(f->app)->refused, 3);
	st = intake_app_status_json(f->app);
	assert_true(json_object_object_get_ex(st, "refused_events", &v));
	assert_int_equal(json_object_get_int64(v), 3);
	assert_true(json_object_object_get_ex(st, "last_refusal", &v));
	assert_string_equal(json_object_get_string(v),
			    "uid 1002 may not report for component web");
	json_object_put(st);
}

/* Without a reporters section only root reports, as the root-only socket did. */
static void no_reporters_root_only(void **state)
{
	struct fixture *f = *state;
	struct client c1001 = { .path = f->path, .lines = { EV("web", "") },
		.want = { "{\"ok\":false,\"error\":\"uid 1001 may not report: the SLA "
			  "names no reporters, so only root may\"}\n" } };
	struct client root = { .path = f->path, .lines = { EV("db", SRC) }, .want = { NULL } };

	start(f, COMPONENTS, 0666);
	assert_int_equal(pump_until_exit(&f->l, run_as(1001, 1001, report, &c1001), 5000), 0);
	assert_int_equal(f->records, 0);
	assert_int_equal(pump_until_exit(&f->l, run_as(0, 0, report, &root), 5000), 0);
	assert_int_equal(f->records, 1);
}

static gid_t socket_gid(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_gid;
}

/* --app-group wins; else the SLA's app_group, followed on reload. */
static void socket_group(void **state)
{
	struct fixture *f = *state;
	struct intake_app_opts o = { .path = f->path, .mode = 0660, .set_gid = true,
				     .gid = 4242, .sla = &f->sla, .sink = sink, .arg = f };
	struct sla *old;

	f->sla = load_sla_text(COMPONENTS "defaults: { app_group: 4343 }\n");
	assert_int_equal(intake_app_new(&f->app, &f->l, &o), 0);
	assert_int_equal(socket_gid(f->path), 4242);
	intake_app_free(f->app);
	o.set_gid = false;
	assert_int_equal(intake_app_new(&f->app, &f->l, &o), 0);
	assert_int_equal(socket_gid(f->path), 4343);
	/* a reload with another group: the next tick follows it */
	old = f->sla;
	f->sla = load_sla_text(COMPONENTS "defaults: { app_group: 4444 }\n");
	intake_app_tick(f->app);
	assert_int_equal(socket_gid(f->path), 4444);
	sla_free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_characters_refused),
		cmocka_unit_test(printable_names),
		cmocka_unit_test(actions),
		cmocka_unit_test(schema_version),
		cmocka_unit_test_setup_teardown(junk_not_amplified, setup, teardown),
		cmocka_unit_test_setup_teardown(reporters_enforced, setup, teardown),
		cmocka_unit_test_setup_teardown(no_reporters_root_only, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_group, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("test_app: skipped (needs root to connect as other uids)\n");
		return 0;
	}
	return cmocka_run_group_tests_name("app socket", tests, NULL, NULL);
}
