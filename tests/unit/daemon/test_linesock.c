// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Line sockets for real: a second listener on a live path, stale and
 * foreign files at the path, per-uid client limits (children under other
 * uids), idle and unfinished-line timeouts, per-uid line rate, bounded
 * output and capped error replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>

#include "linesock.h"
#include "sock_helpers.h"

struct fixture {
	struct loop l;
	char dir[32], path[64];
	struct linesock *s;
	int lines;
	char last[256];
	uid_t last_uid;
	int send_fail;			/* linesock_send returned an error */
	size_t send_lines;		/* lines to answer each line with */
	bool reply_errors;		/* answer each line with linesock_send_error */
};

static void on_line(struct linesock_client *c, char *line, void *arg)
{
	struct fixture *f = arg;
	char big[1024];

	f->lines++;
	snprintf(f->last, sizeof(f->last), "%s", line);
	f->last_uid = linesock_uid(c);
	if (f->reply_errors)
		linesock_send_error(c, "bad line");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	for (size_t i = 0; i < f->send_lines && !f->send_fail; i++)
		if (linesock_send(c, big, sizeof(big)) < 0)
			f->send_fail++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(loop_init(&f->l), 0);
	open_dir(f->dir, sizeof(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	linesock_close(f->s);
	unlink(f->path);
	rmdir(f->dir);
	loop_fini(&f->l);
	free(f);
	return 0;
}

static int open_with(struct fixture *f, struct linesock_opts o)
{
	o.path = f->path;
	o.mode = 0666;
	o.max_line = 4096;
	o.on_line = on_line;
	o.arg = f;
	return linesock_open(&f->s, &f->l, &o);
}

/* A second daemon must not steal the socket of a running one. */
static void second_listener_refused(void **state)
{
	struct fixture *f = *state;
	struct linesock *second = NULL;
	struct linesock_opts o = { .path = f->path, .mode = 0600, .max_line = 64,
				   .on_line = on_line, .arg = f };
	int fd;

	assert_int_equal(open_with(f, (struct linesock_opts){ 0 }), 0);
	assert_int_equal(linesock_check_free(f->path), -EADDRINUSE);
	assert_int_equal(linesock_open(&second, &f->l, &o), -EADDRINUSE);
	assert_null(second);
	/* the first one still has its socket */
	fd = sock_connect(f->path);
	assert_true(fd >= 0);
	send_text(fd, "hello\n");
	pump(&f->l, 50);
	assert_int_equal(f->lines, 1);
	assert_string_equal(f->last, "hello");
	close(fd);
}

/* The socket file of a daemon that died may be replaced. */
static void stale_socket_replaced(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);		/* the file stays, nobody listens */
	assert_int_equal(linesock_check_free(f->path), 0);
	assert_int_equal(open_with(f, (struct linesock_opts){ 0 }), 0);
	fd = sock_connect(f->path);
	assert_true(fd >= 0);
	close(fd);
}

/* Whatever else is at the path is never removed. */
static void not_a_socket_kept(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	FILE *file = fopen(f->path, "w");

	fputs("precious\n", file);
	fclose(file);
	assert_int_equal(open_with(f, (struct linesock_opts){ 0 }), -EEXIST);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

struct many {
	const char *path;
	int n;
	int sync;	/* write end: one byte once connected */
};

/* Open N connections and hold them until killed. */
static int hold_connections(void *arg)
{
	struct many *m = arg;

	for (int i = 0; i < m->n; i++)
		if (sock_connect(m->path) < 0)
			break;
	if (write(m->sync, "x", 1) < 0)
		return 1;
	pause();
	return 0;
}

static int report_once(void *arg)
{
	struct many *m = arg;
	int fd = sock_connect(m->path);

	if (fd < 0 || send_text(fd, "from-another-uid\n") < 0)
		return 2;
	sleep(1);
	return 0;
}

/* One uid holding 100 idle connections does not lock another uid out. */
static void per_uid_limit_no_lockout(void **state)
{
	struct fixture *f = *state;
	struct many m = { .path = f->path, .n = 100 };
	int sync[2], status;
	pid_t hog, other;
	ssize_t got;
	size_t clients;
	char c;

	assert_int_equal(open_with(f, (struct linesock_opts){ 0 }), 0);
	assert_int_equal(pipe(sync), 0);
	m.sync = sync[1];
	hog = run_as(1001, 1001, hold_connections, &m);
	/* serve the hog's connections until it says it is through */
	for (int i = 0; i < 300; i++) {
		struct pollfd p = { .fd = sync[0], .events = POLLIN };

		if (poll(&p, 1, 0) == 1)
			break;
		pump(&f->l, 10);
	}
	got = read(sync[0], &c, 1);
	pump(&f->l, 100);
	clients = linesock_clients(f->s);
	other = run_as(1002, 1002, report_once, &m);
	status = pump_until_exit(&f->l, other, 3000);
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
	assert_int_equal(got, 1);
	assert_int_equal(status, 0);
	assert_int_equal(f->lines, 1);		/* the other uid got through */
	assert_string_equal(f->last, "from-another-uid");
	assert_int_equal(f->last_uid, 1002);
	assert_int_equal(clients, LINESOCK_MAX_PER_UID);
	close(sync[0]);
	close(sync[1]);
}

static void idle_client_closed(void **state)
{
	struct fixture *f = *state;
	int fd;

	assert_int_equal(open_with(f, (struct linesock_opts){ .idle_ms = 200 }), 0);
	fd = sock_connect(f->path);
	pump(&f->l, 100);
	assert_false(closed_by_server(fd));
	pump(&f->l, 400);
	assert_true(closed_by_server(fd));
	close(fd);
}

/* A line trickled a byte at a time, never ended, is closed. */
static void unfinished_line_closed(void **state)
{
	struct fixture *f = *state;
	int fd;

	assert_int_equal(open_with(f, (struct linesock_opts){ .line_ms = 300,
							      .idle_ms = 10000 }), 0);
	fd = sock_connect(f->path);
	for (int i = 0; i < 8; i++) {
		send(fd, "a", 1, MSG_NOSIGNAL);
		pump(&f->l, 100);
	}
	assert_true(closed_by_server(fd));
	assert_int_equal(f->lines, 0);
	assert_int_equal(linesock_stats(f->s)->line_timeouts, 1);
	close(fd);
}

/* Over its rate a uid is not read (it waits), not dropped. */
static void line_rate_limited(void **state)
{
	struct fixture *f = *state;
	char *text = malloc(1500 * 2 + 1);
	int fd;

	assert_int_equal(open_with(f, (struct linesock_opts){ .lines_per_s = 1000 }), 0);
	for (int i = 0; i < 1500; i++)
		memcpy(text + 2 * i, "x\n", 2);
	text[3000] = '\0';
	fd = sock_connect(f->path);
	assert_int_equal(send_text(fd, text), 0);
	pump(&f->l, 100);
	assert_true(f->lines >= 1000);
	assert_true(f->lines < 1300);
	for (int i = 0; i < 150 && f->lines < 1500; i++)
		pump(&f->l, 10);
	assert_int_equal(f->lines, 1500);
	assert_true(linesock_stats(f->s)->throttled >= 1);
	free(text);
	close(fd);
}

/* A client that does not read is dropped once its buffer is full. */
static void output_bounded(void **state)
{
	struct fixture *f = *state;
	int fd;

	f->send_lines = 2048;		/* 2 MiB in answer to one line */
	assert_int_equal(open_with(f, (struct linesock_opts){ .out_max = 64 << 10 }), 0);
	fd = sock_connect(f->path);
	send_text(fd, "go\n");
	pump(&f->l, 100);
	assert_int_equal(f->lines, 1);
	assert_int_equal(f->send_fail, 1);
	assert_int_equal(linesock_stats(f->s)->overflows, 1);
	close(fd);
}

/* Junk gets a few answers, then none: replies never outgrow what was sent. */
static void error_replies_capped(void **state)
{
	struct fixture *f = *state;
	char buf[8192];
	int fd, n = 0;

	f->reply_errors = true;
	assert_int_equal(open_with(f, (struct linesock_opts){ .max_error_replies = 3 }), 0);
	fd = sock_connect(f->path);
	for (int i = 0; i < 100; i++)
		memcpy(buf + 5 * i, "junk\n", 5);
	buf[500] = '\0';
	send_text(fd, buf);
	pump(&f->l, 100);
	assert_int_equal(f->lines, 100);
	assert_true(read_ready(fd, buf, sizeof(buf)) > 0);
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		n++;
	assert_int_equal(n, 3);
	assert_non_null(strstr(buf, "{\"ok\":false,\"error\":\"bad line\"}\n"));
	assert_non_null(strstr(buf, "further errors on this connection are not answered"));
	assert_int_equal(linesock_stats(f->s)->errors_unanswered, 97);
	close(fd);
}

static int expect_refusal(void *arg)
{
	int fd = sock_connect(arg);
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return 2;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return strcmp(buf, "{\"ok\":false,\"error\":\"connection of uid 1005 refused: root only\"}\n") ? 3 : 0;
}

/* A root-only socket tells other uids why it hangs up. */
static void root_only_refused_with_reason(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(open_with(f, (struct linesock_opts){ .root_only = true }), 0);
	assert_int_equal(pump_until_exit(&f->l, run_as(1005, 1005, expect_refusal, f->path), 3000), 0);
	assert_int_equal(linesock_stats(f->s)->refused, 1);
	assert_int_equal(linesock_clients(f->s), 0);
}

/* A peer's primary group comes first, then its supplementary ones. */
static int connect_and_wait(void *arg)
{
	int fd = sock_connect(arg);

	if (fd < 0)
		return 2;
	send_text(fd, "hi\n");
	sleep(1);
	return 0;
}

static void gid_of(struct linesock_client *c, void *arg)
{
	const uint32_t *gids;
	size_t n = linesock_gids(c, &gids);

	*(uint32_t *)arg = n ? gids[0] : 0;
}

static void peer_groups(void **state)
{
	struct fixture *f = *state;
	uint32_t gid = 0;
	pid_t pid;

	assert_int_equal(open_with(f, (struct linesock_opts){ 0 }), 0);
	pid = run_as(1003, 2003, connect_and_wait, f->path);
	for (int i = 0; i < 100 && !f->lines; i++)
		pump(&f->l, 10);
	linesock_foreach(f->s, gid_of, &gid);
	assert_int_equal(gid, 2003);
	assert_int_equal(pump_until_exit(&f->l, pid, 3000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(second_listener_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_socket_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(not_a_socket_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(per_uid_limit_no_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_client_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(unfinished_line_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(line_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(output_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(error_replies_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(peer_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(root_only_refused_with_reason, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("test_linesock: skipped (needs root to connect as other uids)\n");
		return 0;
	}
	return cmocka_run_group_tests_name("linesock", tests, NULL, NULL);
}
