// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_client.h"

const char *cc_path(const char *option)
{
	const char *env;

	if (option)
		return option;
	env = getenv(CC_PATH_ENV);
	if (env && env[0])
		return env;
	return CC_DEFAULT_PATH;
}

int cc_connect(struct cc_conn *cc, const char *path, struct sg_error *e)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	memset(cc, 0, sizeof(*cc));
	cc->fd = -1;
	cc->path = path;
	if (strlen(path) >= sizeof(sun.sun_path))
		return sg_usage(e, "control socket path '%s' is longer than %zu bytes",
				path, sizeof(sun.sun_path) - 1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sg_fail(e, -errno, "cannot create a unix socket: %s",
			       strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		return sg_fail(e, -err,
			       "cannot reach slaguardd at %s: %s; is it running?",
			       path, strerror(err));
	}
	cc->fd = fd;
	return 0;
}

void cc_close(struct cc_conn *cc)
{
	if (cc->fd >= 0)
		close(cc->fd);
	cc->fd = -1;
	free(cc->buf);
	cc->buf = NULL;
	cc->len = cc->cap = 0;
}

int cc_send(struct cc_conn *cc, struct json_object *req, struct sg_error *e)
{
	const char *s = json_object_to_json_string_ext(req,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len, off = 0;
	char *line;
	int ret = 0;

	if (!s)
		return sg_fail(e, -ENOMEM, "out of memory");
	len = strlen(s);
	line = malloc(len + 1);
	if (!line)
		return sg_fail(e, -ENOMEM, "out of memory");
	memcpy(line, s, len);
	line[len++] = '\n';
	while (off < len) {
		ssize_t n = send(cc->fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = sg_fail(e, -errno,
				      "cannot send to slaguardd at %s: %s",
				      cc->path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	free(line);
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move one complete line out of the buffer into LINE (NUL-terminated). */
static bool take_line(struct cc_conn *cc, char **line)
{
	char *nl = cc->len ? memchr(cc->buf, '\n', cc->len) : NULL;
	size_t n;

	if (!nl)
		return false;
	n = (size_t)(nl - cc->buf);
	*line = malloc(n + 1);
	if (!*line)
		return true;
	memcpy(*line, cc->buf, n);
	(*line)[n] = '\0';
	memmove(cc->buf, nl + 1, cc->len - n - 1);
	cc->len -= n + 1;
	return true;
}

static int fill(struct cc_conn *cc, int64_t deadline, const sigset_t *mask,
		struct sg_error *e)
{
	struct pollfd pfd = { .fd = cc->fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	ssize_t n;
	int ret;

	if (deadline >= 0) {
		int64_t left = deadline - now_ms();

		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		tsp = &ts;
	}
	ret = ppoll(&pfd, 1, tsp, mask);
	if (ret < 0 && errno == EINTR)
		return -EINTR;
	if (ret < 0)
		return sg_fail(e, -errno, "waiting for slaguardd: %s",
			       strerror(errno));
	if (ret == 0)
		return sg_fail(e, -ETIMEDOUT,
			       "slaguardd at %s did not answer within %d s",
			       cc->path, CC_TIMEOUT_MS / 1000);
	if (cc->cap - cc->len < 4096) {
		size_t cap = cc->cap ? cc->cap * 2 : 8192;
		char *b;

		if (cap > CC_MAX_LINE + 8192)
			return sg_fail(e, -EMSGSIZE,
				       "slaguardd sent a line longer than %u bytes",
				       CC_MAX_LINE);
		b = realloc(cc->buf, cap);
		if (!b)
			return sg_fail(e, -ENOMEM, "out of memory");
		cc->buf = b;
		cc->cap = cap;
	}
	n = recv(cc->fd, cc->buf + cc->len, cc->cap - cc->len, 0);
	if (n < 0 && errno == EINTR)
		return -EINTR;
	if (n < 0)
		return sg_fail(e, -errno, "reading from slaguardd at %s: %s",
			       cc->path, strerror(errno));
	if (n == 0)
		return sg_fail(e, -EPIPE,
			       "slaguardd closed the connection%s",
			       cc->len ? " in the middle of a line" : "");
	cc->len += (size_t)n;
	return 0;
}

int cc_recv(struct cc_conn *cc, struct json_object **out, int timeout_ms,
	    const sigset_t *mask, struct sg_error *e)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	enum json_tokener_error jerr;
	struct json_object *o;
	char *line = NULL;
	int ret;

	*out = NULL;
	for (;;) {
		while (!take_line(cc, &line)) {
			ret = fill(cc, deadline, mask, e);
			if (ret < 0)
				return ret;
		}
		if (!line)
			return sg_fail(e, -ENOMEM, "out of memory");
		/* Blank lines (and a CR before the LF) are not messages. */
		if (line[strspn(line, " \t\r")] != '\0')
			break;
		free(line);
		line = NULL;
	}
	o = json_tokener_parse_verbose(line, &jerr);
	if (!o || !json_object_is_type(o, json_type_object)) {
		sg_fail(e, -EBADMSG,
			"slaguardd sent something that is not a JSON object (%s): %.80s",
			o ? "not an object" : json_tokener_error_desc(jerr),
			line);
		json_object_put(o);
		free(line);
		return -EBADMSG;
	}
	free(line);
	*out = o;
	return 0;
}

int cc_check_ok(struct json_object *resp, const char *what,
		struct sg_error *e)
{
	struct json_object *ok = cc_get(resp, "ok", json_type_boolean);
	struct json_object *err;

	if (!ok)
		return sg_fail(e, -EBADMSG,
			       "%s: slaguardd's answer has no \"ok\" member; is it from the same slaguard version?",
			       what);
	if (json_object_get_boolean(ok))
		return 0;
	err = cc_get(resp, "error", json_type_string);
	return sg_fail(e, -EREMOTEIO, "%s: %s", what,
		       err ? json_object_get_string(err) : "slaguardd refused without saying why");
}

int cc_call(const char *path, struct json_object *req,
	    struct json_object **resp, const char *what, struct sg_error *e)
{
	struct cc_conn cc;
	int ret;

	*resp = NULL;
	ret = cc_connect(&cc, path, e);
	if (ret < 0)
		return ret;
	ret = cc_send(&cc, req, e);
	if (ret == 0)
		ret = cc_recv(&cc, resp, CC_TIMEOUT_MS, NULL, e);
	cc_close(&cc);
	if (ret == -EPIPE)
		return sg_fail(e, ret, "%s: slaguardd closed the connection without answering",
			       what);
	if (ret < 0)
		return ret;
	ret = cc_check_ok(*resp, what, e);
	if (ret < 0) {
		json_object_put(*resp);
		*resp = NULL;
	}
	return ret;
}

struct json_object *cc_get(struct json_object *obj, const char *key,
			   json_type type)
{
	struct json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *cc_text(struct json_object *obj, const char *key, char *buf,
		    size_t size)
{
	struct json_object *v = NULL;
	double d;

	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !v)
		return "-";
	switch (json_object_get_type(v)) {
	case json_type_string:
		return json_object_get_string(v);
	case json_type_int:
		if (json_object_get_int64(v) == INT64_MAX)
			snprintf(buf, size, "%" PRIu64, json_object_get_uint64(v));
		else
			snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
		return buf;
	case json_type_double:
		d = json_object_get_double(v);
		if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, size, "%.0f", d);
		else
			snprintf(buf, size, "%.4g", d);
		return buf;
	case json_type_boolean:
		return json_object_get_boolean(v) ? "true" : "false";
	default:
		snprintf(buf, size, "%s", json_object_to_json_string_ext(v,
			 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		return buf;
	}
}
