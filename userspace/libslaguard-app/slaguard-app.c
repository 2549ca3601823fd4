// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libslaguard-app: a bounded queue of JSON lines in front of a non-blocking
 * unix socket. Every public call takes the handle's mutex, does what it
 * can without waiting (connect if the backoff allows, read replies, write
 * until the socket is full) and returns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "slaguard-app.h"
#include "text.h"

#define PUBLIC __attribute__((visibility("default")))

#define DEF_MAX_LINES	256
#define DEF_MAX_BYTES	(64u << 10)
#define MIN_MAX_BYTES	4096		/* room for the longest line there can be */
#define DEF_MAX_AGE_MS	30000
#define DEF_BACKOFF_MIN	100
#define DEF_BACKOFF_MAX	5000
#define REPLY_MAX	1024		/* a longer reply line is skipped */
#define IOV_BATCH	64		/* lines written by one sendmsg() */

struct line {
	char *buf;
	size_t len;
	uint64_t born_ms;
};

struct slaguard_app {
	pthread_mutex_t mu;
	struct sockaddr_un addr;
	socklen_t addr_len;
	size_t max_lines, max_bytes;
	unsigned int max_age_ms, backoff_min, backoff_max;

	struct line *q;			/* ring of max_lines */
	size_t head, n, bytes;
	size_t off;			/* bytes of the head line already written */

	int fd;				/* -1: not connected */
	uint64_t up_since_ms, next_try_ms;
	unsigned int backoff_ms;

	char in[REPLY_MAX];		/* a reply line being read */
	size_t in_len;
	bool in_skip;			/* discarding the rest of a too long reply */

	struct slaguard_app_stats st;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set_error(struct slaguard_app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_error(struct slaguard_app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->st.last_error, sizeof(app->st.last_error), fmt, ap);
	va_end(ap);
}

/* Check field KEY as the daemon would; 0 or -EINVAL with last_error set. */
static int check_field(struct slaguard_app *app, const char *key, const char *v,
		       size_t max, bool required)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t len, bad;
	uint32_t cp;

	if (!v || !*v) {
		if (!required)
			return 0;
		set_error(app, "field '%s': expected a non-empty string", key);
		return -EINVAL;
	}
	len = strnlen(v, max + 1);
	if (len > max) {
		set_error(app, "field '%s': expected at most %zu bytes", key, max);
		return -EINVAL;
	}
	/* What the daemon refuses, refused here: it never reaches a log. */
	bad = sg_text_check(v, len, &cp);
	if (bad < len && (cp & SG_NOT_UTF8)) {
		set_error(app, "field '%s': expected UTF-8 text, got byte 0x%02X at offset %zu",
			  key, (unsigned int)p[bad], bad);
		return -EINVAL;
	}
	if (bad < len) {
		set_error(app, "field '%s': expected text without control characters, got U+%04X at offset %zu",
			  key, (unsigned int)cp, bad);
		return -EINVAL;
	}
	return 0;
}

static int check_event(struct slaguard_app *app, const struct slaguard_app_event *ev)
{
	static const char *const actions[] = {
		SLAGUARD_APP_READ, SLAGUARD_APP_WRITE, SLAGUARD_APP_DELETE,
		SLAGUARD_APP_LOGIN_FAILURE, SLAGUARD_APP_PRIVILEGE_CHANGE,
	};
	unsigned char addr[16];
	bool known = false;
	int ret;

	ret = check_field(app, "component", ev->component, SLAGUARD_APP_NAME_MAX, true);
	if (!ret)
		ret = check_field(app, "user", ev->user, SLAGUARD_APP_NAME_MAX, true);
	if (!ret)
		ret = check_field(app, "action", ev->action, SLAGUARD_APP_NAME_MAX, true);
	if (!ret)
		ret = check_field(app, "resource", ev->resource, SLAGUARD_APP_RESOURCE_MAX, true);
	if (!ret)
		ret = check_field(app, "role", ev->role, SLAGUARD_APP_NAME_MAX, false);
	if (!ret)
		ret = check_field(app, "source", ev->source, SLAGUARD_APP_SOURCE_MAX, false);
	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		known |= !strcmp(ev->action, actions[i]);
	if (!known) {
		set_error(app, "field 'action': expected one of read, write, delete, login-failure, privilege-change, got '%.32s'",
			  ev->action);
		return -EINVAL;
	}
	if (ev->source && *ev->source && inet_pton(AF_INET, ev->source, addr) != 1 &&
	    inet_pton(AF_INET6, ev->source, addr) != 1) {
		set_error(app, "field 'source': expected an IPv4 or IPv6 address, got '%s'",
			  ev->source);
		return -EINVAL;
	}
	return 0;
}

static int add_string(struct json_object *o, const char *key, const char *v)
{
	struct json_object *s;

	if (!v || !*v)
		return 0;
	s = json_object_new_string(v);
	if (!s || json_object_object_add(o, key, s)) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

/* The event as one JSON line (newline included); json-c does the escaping. */
static char *build_line(const struct slaguard_app_event *ev, size_t *len)
{
	struct json_object *o = json_object_new_object(), *v;
	const char *text;
	char *line = NULL;
	size_t n;

	if (!o)
		return NULL;
	v = json_object_new_int(SLAGUARD_APP_SCHEMA_VERSION);
	if (!v || json_object_object_add(o, "v", v)) {
		json_object_put(v);
		goto out;
	}
	if (add_string(o, "component", ev->component) ||
	    add_string(o, "user", ev->user) ||
	    add_string(o, "action", ev->action) ||
	    add_string(o, "resource", ev->resource) ||
	    add_string(o, "role", ev->role) ||
	    add_string(o, "source", ev->source))
		goto out;
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		goto out;
	n = strlen(text);
	line = malloc(n + 2);
	if (!line)
		goto out;
	memcpy(line, text, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
out:
	json_object_put(o);
	return line;
}

static struct line *at(struct slaguard_app *app, size_t i)
{
	return &app->q[(app->head + i) % app->max_lines];
}

static void pop_head(struct slaguard_app *app)
{
	struct line *l = at(app, 0);

	app->bytes -= l->len;
	free(l->buf);
	l->buf = NULL;
	app->head = (app->head + 1) % app->max_lines;
	app->n--;
	app->off = 0;
}

/*
 * Drop the oldest line that may go: not the head while part of it is in
 * the socket, as the rest must follow it or the stream is corrupt. The
 * second line then takes the head's slot. Returns false if none may go.
 */
static bool drop_oldest(struct slaguard_app *app)
{
	if (app->off) {
		struct line *h, *second;

		if (app->n < 2)
			return false;
		h = at(app, 0);
		second = at(app, 1);
		app->bytes -= second->len;
		free(second->buf);
		*second = *h;
		h->buf = NULL;
		app->head = (app->head + 1) % app->max_lines;
		app->n--;
		return true;
	}
	if (!app->n)
		return false;
	pop_head(app);
	return true;
}

static void expire(struct slaguard_app *app, uint64_t now)
{
	size_t first = app->off ? 1 : 0;

	while (app->n > first && now - at(app, first)->born_ms > app->max_age_ms) {
		if (!drop_oldest(app))
			break;
		app->st.expired++;
		set_error(app, "dropped lines older than %u ms: the daemon did not take them",
			  app->max_age_ms);
	}
}

static void disconnect(struct slaguard_app *app, uint64_t now)
{
	close(app->fd);
	app->fd = -1;
	app->off = 0;		/* the daemon drops a partial line: resend it whole */
	app->in_len = 0;
	app->in_skip = false;
	app->st.disconnects++;
	/*
	 * A connection that lived long was closed for a reason of its own
	 * (idle, restart): reconnect at once. One closed soon after it was
	 * made (refused, a limit) backs off like a failed connect.
	 */
	if (now - app->up_since_ms >= app->backoff_max) {
		app->backoff_ms = app->backoff_min;
		app->next_try_ms = now;
		return;
	}
	app->next_try_ms = now + app->backoff_ms;
	app->backoff_ms = app->backoff_ms * 2 > app->backoff_max ?
			  app->backoff_max : app->backoff_ms * 2;
}

static void try_connect(struct slaguard_app *app, uint64_t now)
{
	int fd;

	if (app->fd >= 0 || now < app->next_try_ms)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (connect(fd, (struct sockaddr *)&app->addr, app->addr_len) == 0 ||
			errno == EINPROGRESS)) {
		app->fd = fd;
		app->up_since_ms = now;
		app->st.connects++;
		return;
	}
	app->st.connect_failures++;
	set_error(app, "cannot connect to %s: %s", app->addr.sun_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	app->next_try_ms = now + app->backoff_ms;
	app->backoff_ms = app->backoff_ms * 2 > app->backoff_max ?
			  app->backoff_max : app->backoff_ms * 2;
}

/* One reply line of the daemon: only errors are answered. */
static void on_reply(struct slaguard_app *app, const char *line)
{
	struct json_object *o = json_tokener_parse(line), *ok, *err;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "ok", &ok) && !json_object_get_boolean(ok)) {
		app->st.refused++;
		if (json_object_object_get_ex(o, "error", &err) &&
		    json_object_is_type(err, json_type_string))
			set_error(app, "slaguardd: %s", json_object_get_string(err));
		else
			set_error(app, "slaguardd refused an event without saying why");
	}
	json_object_put(o);
}

static void read_replies(struct slaguard_app *app, uint64_t now)
{
	char buf[512];

	while (app->fd >= 0) {
		ssize_t r = recv(app->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			if (r < 0)
				set_error(app, "connection to %s lost: %s",
					  app->addr.sun_path, strerror(errno));
			disconnect(app, now);
			return;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n') {
				app->in[app->in_len] = '\0';
				if (!app->in_skip)
					on_reply(app, app->in);
				app->in_len = 0;
				app->in_skip = false;
			} else if (app->in_len + 1 < sizeof(app->in)) {
				app->in[app->in_len++] = buf[i];
			} else {
				app->in_skip = true;
			}
		}
	}
}

/* Write queued lines, many per call; a line may end up partly written. */
static void write_queue(struct slaguard_app *app, uint64_t now)
{
	while (app->fd >= 0 && app->n) {
		struct iovec iov[IOV_BATCH];
		struct msghdr msg = { .msg_iov = iov };
		size_t k = app->n < IOV_BATCH ? app->n : IOV_BATCH, left;
		ssize_t w;

		for (size_t i = 0; i < k; i++) {
			struct line *l = at(app, i);
			size_t skip = i ? 0 : app->off;

			iov[i] = (struct iovec){ .iov_base = l->buf + skip, .iov_len = l->len - skip };
		}
		msg.msg_iovlen = k;
		w = sendmsg(app->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w < 0) {
			set_error(app, "connection to %s lost: %s", app->addr.sun_path,
				  strerror(errno));
			disconnect(app, now);
			return;
		}
		for (left = (size_t)w; left;) {
			size_t rest = at(app, 0)->len - app->off;

			if (left < rest) {
				app->off += left;
				break;
			}
			left -= rest;
			pop_head(app);
			app->st.sent++;
		}
	}
}

/* Everything that can be done now without waiting. */
static void pump(struct slaguard_app *app)
{
	uint64_t now = now_ms();

	expire(app, now);
	if (!app->n && app->fd < 0)
		return;		/* nothing to say: no need to connect */
	try_connect(app, now);
	read_replies(app, now);
	if (app->fd < 0)
		try_connect(app, now);	/* lost just now and may retry at once */
	write_queue(app, now);
}

PUBLIC struct slaguard_app *slaguard_app_open(const struct slaguard_app_opts *opts)
{
	static const struct slaguard_app_opts none;
	struct slaguard_app *app;
	const char *path;

	if (!opts)
		opts = &none;
	path = opts->path;
	if (!path || !*path)
		path = secure_getenv(SLAGUARD_APP_SOCKET_ENV);
	if (!path || !*path)
		path = SLAGUARD_APP_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(app->addr.sun_path)) {
		errno = EINVAL;
		return NULL;
	}
	app = calloc(1, sizeof(*app));
	if (!app)
		return NULL;
	app->max_lines = opts->max_lines ? opts->max_lines : DEF_MAX_LINES;
	app->max_bytes = opts->max_bytes ? opts->max_bytes : DEF_MAX_BYTES;
	if (app->max_bytes < MIN_MAX_BYTES)
		app->max_bytes = MIN_MAX_BYTES;
	app->max_age_ms = opts->max_age_ms ? opts->max_age_ms : DEF_MAX_AGE_MS;
	app->backoff_min = opts->backoff_min_ms ? opts->backoff_min_ms : DEF_BACKOFF_MIN;
	app->backoff_max = opts->backoff_max_ms ? opts->backoff_max_ms : DEF_BACKOFF_MAX;
	if (app->backoff_max < app->backoff_min)
		app->backoff_max = app->backoff_min;
	app->backoff_ms = app->backoff_min;
	app->q = calloc(app->max_lines, sizeof(*app->q));
	if (!app->q || pthread_mutex_init(&app->mu, NULL)) {
		free(app->q);
		free(app);
		errno = ENOMEM;
		return NULL;
	}
	app->addr.sun_family = AF_UNIX;
	strcpy(app->addr.sun_path, path);
	app->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	app->fd = -1;
	try_connect(app, now_ms());
	return app;
}

PUBLIC void slaguard_app_close(struct slaguard_app *app)
{
	if (!app)
		return;
	pthread_mutex_lock(&app->mu);
	pump(app);
	if (app->fd >= 0)
		close(app->fd);
	while (app->n)
		pop_head(app);
	pthread_mutex_unlock(&app->mu);
	pthread_mutex_destroy(&app->mu);
	free(app->q);
	free(app);
}

PUBLIC int slaguard_app_report(struct slaguard_app *app, const struct slaguard_app_event *ev)
{
	struct line l = { 0 };
	int ret;

	if (!app || !ev)
		return -EINVAL;
	pthread_mutex_lock(&app->mu);
	ret = check_event(app, ev);
	if (ret) {
		app->st.invalid++;
		goto out;
	}
	l.buf = build_line(ev, &l.len);
	if (!l.buf) {
		ret = -ENOMEM;
		goto out;
	}
	l.born_ms = now_ms();
	expire(app, l.born_ms);
	while (app->n && (app->n >= app->max_lines || app->bytes + l.len > app->max_bytes)) {
		if (!drop_oldest(app))
			break;
		app->st.dropped++;
		set_error(app, "dropped the oldest line: %zu lines (%zu bytes) waited for the daemon",
			  app->n + 1, app->bytes + l.len);
	}
	if (app->n >= app->max_lines) {
		/* Only the partly written head is left in a queue of one. */
		free(l.buf);
		app->st.dropped++;
		ret = 0;
		goto out;
	}
	*at(app, app->n) = l;
	app->n++;
	app->bytes += l.len;
	app->st.queued++;
	pump(app);
out:
	pthread_mutex_unlock(&app->mu);
	return ret;
}

PUBLIC int slaguard_app_access(struct slaguard_app *app, const char *component,
			       const char *user, const char *action,
			       const char *resource, const char *source)
{
	struct slaguard_app_event ev = {
		.component = component, .user = user, .action = action,
		.resource = resource, .source = source,
	};

	return slaguard_app_report(app, &ev);
}

PUBLIC int slaguard_app_login_failure(struct slaguard_app *app, const char *component,
				      const char *user, const char *resource,
				      const char *source)
{
	return slaguard_app_access(app, component, user, SLAGUARD_APP_LOGIN_FAILURE,
				   resource, source);
}

PUBLIC int slaguard_app_privilege_change(struct slaguard_app *app, const char *component,
					 const char *user, const char *resource,
					 const char *source)
{
	return slaguard_app_access(app, component, user, SLAGUARD_APP_PRIVILEGE_CHANGE,
				   resource, source);
}

PUBLIC size_t slaguard_app_flush(struct slaguard_app *app, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	size_t left;

	if (!app)
		return 0;
	pthread_mutex_lock(&app->mu);
	pump(app);
	/* Waits in short naps without the lock: other threads keep reporting. */
	while (app->n && now_ms() < end) {
		pthread_mutex_unlock(&app->mu);
		poll(NULL, 0, 5);
		pthread_mutex_lock(&app->mu);
		pump(app);
	}
	left = app->n;
	pthread_mutex_unlock(&app->mu);
	return left;
}

PUBLIC void slaguard_app_get_stats(struct slaguard_app *app, struct slaguard_app_stats *st)
{
	if (!app || !st)
		return;
	pthread_mutex_lock(&app->mu);
	*st = app->st;
	st->pending = app->n;
	st->connected = app->fd >= 0;
	pthread_mutex_unlock(&app->mu);
}

PUBLIC const char *slaguard_app_path(const struct slaguard_app *app)
{
	return app ? app->addr.sun_path : NULL;
}
