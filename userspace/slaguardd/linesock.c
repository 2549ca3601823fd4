// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "linesock.h"
#include "util.h"

/* A follower that falls this far behind is dropped rather than buffered. */
#define OUT_MAX		(4u << 20)
#define IN_CHUNK	4096
#define MAX_CLIENTS	64

struct linesock_client {
	struct linesock_client *next;
	struct linesock *s;
	struct loop_handler h;
	struct ucred cred;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_cap;
	bool dead, hangup;
	void *data;
};

struct linesock {
	struct loop *loop;
	struct loop_handler h;
	struct linesock_opts o;
	char *path;
	struct linesock_client *clients;
	size_t nclients;
};

static void client_free(struct linesock_client *c)
{
	free(c->in);
	free(c->out);
	free(c);
}

/*
 * Dead clients leave epoll at once but are freed here, from the listener's
 * own context, so no handler frees memory another handler still uses.
 */
static void reap(struct linesock *s)
{
	struct linesock_client **pp = &s->clients;

	while (*pp) {
		struct linesock_client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		s->nclients--;
		client_free(c);
	}
}

static void client_kill(struct linesock_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	loop_del(c->s->loop, &c->h);
	close(c->h.fd);
	c->h.fd = -1;
	if (c->s->o.on_gone)
		c->s->o.on_gone(c, c->s->o.arg);
}

static int flush_out(struct linesock_client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->h.fd, c->out, c->out_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	loop_mod(c->s->loop, &c->h,
		 EPOLLIN | EPOLLRDHUP | (c->out_len ? EPOLLOUT : 0));
	if (!c->out_len && c->hangup)
		return -ECONNRESET;
	return 0;
}

static int grow(char **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap ? *cap : IN_CHUNK;
	char *nbuf;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -ENOBUFS;
	while (ncap < need)
		ncap *= 2;
	nbuf = realloc(*buf, ncap);
	if (!nbuf)
		return -ENOMEM;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

int linesock_send(struct linesock_client *c, const char *data, size_t len)
{
	int ret;

	if (c->dead)
		return -EPIPE;
	ret = grow(&c->out, &c->out_cap, c->out_len + len, OUT_MAX);
	if (ret < 0) {
		sgd_log(LOG_WARNING, "%s: dropping client pid %d: it does not read what it asked for",
			c->s->path, (int)c->cred.pid);
		client_kill(c);
		return -EPIPE;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	if (flush_out(c) < 0) {
		client_kill(c);
		return -EPIPE;
	}
	return 0;
}

void linesock_hangup(struct linesock_client *c)
{
	c->hangup = true;
	if (!c->dead && !c->out_len)
		client_kill(c);
}

/* Hand every complete line to the owner; keep the partial rest. */
static void split_lines(struct linesock_client *c)
{
	size_t start = 0;

	for (size_t i = 0; i < c->in_len && !c->dead && !c->hangup; i++) {
		if (c->in[i] != '\n')
			continue;
		c->in[i] = '\0';
		if (i > start && c->in[i - 1] == '\r')
			c->in[i - 1] = '\0';
		c->s->o.on_line(c, c->in + start, c->s->o.arg);
		start = i + 1;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
}

static int read_some(struct linesock_client *c)
{
	ssize_t n;
	int ret = grow(&c->in, &c->in_cap, c->in_len + IN_CHUNK,
		       c->s->o.max_line + IN_CHUNK);

	if (ret < 0)
		return ret;
	n = recv(c->h.fd, c->in + c->in_len, c->in_cap - c->in_len,
		 MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	c->in_len += (size_t)n;
	split_lines(c);
	if (!c->dead && c->in_len > c->s->o.max_line)
		return -EMSGSIZE;
	return 0;
}

static void on_client(struct loop_handler *h, uint32_t events)
{
	struct linesock_client *c = h->arg;
	int ret = 0;

	if (events & EPOLLOUT)
		ret = flush_out(c);
	if (!ret && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
		ret = read_some(c);
	if (ret == -EMSGSIZE)
		sgd_log(LOG_WARNING, "%s: dropping client pid %d: line over %zu bytes",
			c->s->path, (int)c->cred.pid, c->s->o.max_line);
	if (ret < 0 || (c->hangup && !c->out_len))
		client_kill(c);
}

static bool peer_allowed(struct linesock *s, struct linesock_client *c)
{
	socklen_t len = sizeof(c->cred);

	if (getsockopt(c->h.fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0)
		return false;
	if (s->o.root_only && c->cred.uid != 0) {
		sgd_log(LOG_WARNING, "%s: refusing uid %u (pid %d): root only",
			s->path, (unsigned int)c->cred.uid, (int)c->cred.pid);
		return false;
	}
	return true;
}

static void on_accept(struct loop_handler *h, uint32_t events)
{
	struct linesock *s = h->arg;
	struct linesock_client *c;
	int fd;

	(void)events;
	reap(s);
	fd = accept4(s->h.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c || s->nclients >= MAX_CLIENTS) {
		free(c);
		close(fd);
		return;
	}
	c->s = s;
	c->h = (struct loop_handler){ .fd = fd, .fn = on_client, .arg = c };
	if (!peer_allowed(s, c) ||
	    loop_add(s->loop, &c->h, EPOLLIN | EPOLLRDHUP) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
}

static int bind_listen(const char *path, mode_t mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A stale socket of a previous run; a live daemon keeps its own. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, 16) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int linesock_open(struct linesock **out, struct loop *l,
		  const struct linesock_opts *opts)
{
	struct linesock *s = calloc(1, sizeof(*s));
	int fd, ret;

	*out = NULL;
	if (!s || !(s->path = strdup(opts->path))) {
		free(s);
		return -ENOMEM;
	}
	fd = bind_listen(opts->path, opts->mode);
	if (fd < 0) {
		free(s->path);
		free(s);
		return fd;
	}
	s->loop = l;
	s->o = *opts;
	s->o.path = s->path;
	s->h = (struct loop_handler){ .fd = fd, .fn = on_accept, .arg = s };
	ret = loop_add(l, &s->h, EPOLLIN);
	if (ret < 0) {
		close(fd);
		unlink(s->path);
		free(s->path);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void linesock_close(struct linesock *s)
{
	if (!s)
		return;
	for (struct linesock_client *c = s->clients; c; c = c->next)
		client_kill(c);
	reap(s);
	loop_del(s->loop, &s->h);
	close(s->h.fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

uid_t linesock_uid(const struct linesock_client *c)
{
	return c->cred.uid;
}

pid_t linesock_pid(const struct linesock_client *c)
{
	return c->cred.pid;
}

void linesock_set_data(struct linesock_client *c, void *data)
{
	c->data = data;
}

void *linesock_data(const struct linesock_client *c)
{
	return c->data;
}

void linesock_foreach(struct linesock *s, linesock_each_fn fn, void *arg)
{
	for (struct linesock_client *c = s->clients; c; c = c->next)
		if (!c->dead)
			fn(c, arg);
}

size_t linesock_clients(const struct linesock *s)
{
	return s->nclients;
}
