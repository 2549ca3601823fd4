// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "linesock.h"
#include "util.h"

#define IN_CHUNK	4096
/* Supplementary groups kept per client (SO_PEERGROUPS); more are ignored. */
#define MAX_GROUPS	64
/* Refusals are logged at most this often, with how many were not. */
#define LOG_EVERY_MS	10000
/* The longest error text one reply carries. */
#define ERROR_TEXT_MAX	300

struct linesock_client {
	struct linesock_client *next;
	struct linesock *s;
	struct loop_handler h;
	struct ucred cred;
	uint32_t gids[MAX_GROUPS + 1];	/* the primary group first */
	size_t n_gids;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_cap;
	bool dead, hangup;
	bool throttled;			/* not read until its uid has tokens */
	bool listener;			/* exempt from the idle timeout */
	uint64_t last_in_ms;		/* CLOCK_MONOTONIC of the last byte read */
	uint64_t line_since_ms;		/* when the unfinished line began; 0: none */
	unsigned int errors;		/* error replies asked for */
	void *data;
};

/* A uid's token buckets: one second's worth of lines and bytes at most. */
struct uid_slot {
	uid_t uid;
	double lines, bytes;
	uint64_t last_ms;
};

struct linesock {
	struct loop *loop;
	struct loop_handler h, timer_h;
	struct linesock_opts o;
	char *path;
	struct linesock_client *clients;
	size_t nclients;
	struct uid_slot *slots;
	size_t n_slots, cap_slots;
	struct linesock_stats st;
	uint64_t log_ms;		/* when a refusal was last logged */
	uint64_t log_suppressed;	/* refusals not logged since */
};

static void client_free(struct linesock_client *c)
{
	free(c->in);
	free(c->out);
	free(c);
}

/*
 * Dead clients leave epoll at once but are freed here, from the listener's
 * or the timer's own context, so no handler frees memory another handler
 * still uses.
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

/* Refusals can come by the thousand: one log line per LOG_EVERY_MS. */
static void log_limited(struct linesock *s, const char *what, uid_t uid,
			pid_t pid)
{
	uint64_t now = sgd_mono_ms();

	if (s->log_ms && now - s->log_ms < LOG_EVERY_MS) {
		s->log_suppressed++;
		return;
	}
	if (s->log_suppressed)
		sgd_log(LOG_WARNING, "%s: %s (uid %u, pid %d); %llu more such in the last %d s not logged",
			s->path, what, (unsigned int)uid, (int)pid,
			(unsigned long long)s->log_suppressed, LOG_EVERY_MS / 1000);
	else
		sgd_log(LOG_WARNING, "%s: %s (uid %u, pid %d)", s->path, what,
			(unsigned int)uid, (int)pid);
	s->log_ms = now;
	s->log_suppressed = 0;
}

static uint32_t wanted_events(const struct linesock_client *c)
{
	return (c->throttled ? 0 : EPOLLIN | EPOLLRDHUP) |
	       (c->out_len ? EPOLLOUT : 0);
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
	loop_mod(c->s->loop, &c->h, wanted_events(c));
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
	if (ncap > max)
		ncap = max;
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
	ret = grow(&c->out, &c->out_cap, c->out_len + len, c->s->o.out_max);
	if (ret < 0) {
		sgd_log(LOG_WARNING, "%s: dropping client uid %u pid %d: it does not read what it asked for (%zu bytes unsent)",
			c->s->path, (unsigned int)c->cred.uid, (int)c->cred.pid,
			c->out_len);
		c->s->st.overflows++;
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

static int send_error_line(struct linesock_client *c, const char *msg)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	char line[ERROR_TEXT_MAX + 128];
	int ret = -ENOMEM;

	if (!o)
		return ret;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string_len(msg,
			       (int)strnlen(msg, ERROR_TEXT_MAX)));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text) {
		int n = snprintf(line, sizeof(line), "%s\n", text);

		ret = n > 0 && (size_t)n < sizeof(line) ?
		      linesock_send(c, line, (size_t)n) : -EMSGSIZE;
	}
	json_object_put(o);
	return ret;
}

int linesock_send_error(struct linesock_client *c, const char *msg)
{
	unsigned int max = c->s->o.max_error_replies;
	char last[ERROR_TEXT_MAX + 64];

	if (c->dead)
		return -EPIPE;
	c->errors++;
	if (max && c->errors > max) {
		c->s->st.errors_unanswered++;
		return 0;
	}
	if (max && c->errors == max) {
		snprintf(last, sizeof(last), "%.*s (further errors on this connection are not answered)",
			 ERROR_TEXT_MAX - 60, msg);
		return send_error_line(c, last);
	}
	return send_error_line(c, msg);
}

void linesock_hangup(struct linesock_client *c)
{
	c->hangup = true;
	if (!c->dead && !c->out_len)
		client_kill(c);
}

static struct uid_slot *uid_slot(struct linesock *s, uid_t uid, uint64_t now)
{
	struct uid_slot *n;

	for (size_t i = 0; i < s->n_slots; i++)
		if (s->slots[i].uid == uid)
			return &s->slots[i];
	if (s->n_slots == s->cap_slots) {
		size_t cap = s->cap_slots ? s->cap_slots * 2 : 8;

		n = realloc(s->slots, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->slots = n;
		s->cap_slots = cap;
	}
	n = &s->slots[s->n_slots++];
	*n = (struct uid_slot){ .uid = uid, .lines = s->o.lines_per_s,
				.bytes = (double)s->o.bytes_per_s, .last_ms = now };
	return n;
}

static void refill(const struct linesock *s, struct uid_slot *u, uint64_t now)
{
	double dt = (double)(now - u->last_ms) / 1000.0;

	u->last_ms = now;
	u->lines += dt * s->o.lines_per_s;
	if (u->lines > s->o.lines_per_s)
		u->lines = s->o.lines_per_s;
	u->bytes += dt * (double)s->o.bytes_per_s;
	if (u->bytes > (double)s->o.bytes_per_s)
		u->bytes = (double)s->o.bytes_per_s;
}

static bool rate_limited(const struct linesock *s)
{
	return s->o.lines_per_s || s->o.bytes_per_s;
}

static void throttle(struct linesock_client *c)
{
	if (c->throttled)
		return;
	c->throttled = true;
	c->s->st.throttled++;
	loop_mod(c->s->loop, &c->h, wanted_events(c));
}

/*
 * Hand complete lines to the owner while the uid has line tokens; keep
 * the rest. Lines left over when the tokens run out wait in the buffer
 * and the client is not read until the timer hands them on.
 */
static void split_lines(struct linesock_client *c, uint64_t now)
{
	struct linesock *s = c->s;
	struct uid_slot *u = s->o.lines_per_s ? uid_slot(s, c->cred.uid, now) : NULL;
	size_t start = 0;
	bool delivered = false;

	for (size_t i = 0; i < c->in_len && !c->dead && !c->hangup; i++) {
		if (c->in[i] != '\n')
			continue;
		if (u && u->lines < 1.0) {
			throttle(c);
			break;
		}
		if (u)
			u->lines -= 1.0;
		c->in[i] = '\0';
		if (i > start && c->in[i - 1] == '\r')
			c->in[i - 1] = '\0';
		s->o.on_line(c, c->in + start, s->o.arg);
		start = i + 1;
		delivered = true;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (!c->in_len)
		c->line_since_ms = 0;
	else if (delivered || !c->line_since_ms)
		c->line_since_ms = now;
}

/* Lines still buffered (after throttling) end before this: no newline in it. */
static bool has_complete_line(const struct linesock_client *c)
{
	return c->in_len && memchr(c->in, '\n', c->in_len);
}

static int read_some(struct linesock_client *c)
{
	struct linesock *s = c->s;
	uint64_t now = sgd_mono_ms();
	size_t want = IN_CHUNK;
	struct uid_slot *u = NULL;
	ssize_t n;
	int ret;

	if (c->throttled)
		return 0;
	if (s->o.bytes_per_s) {
		u = uid_slot(s, c->cred.uid, now);
		if (!u)
			return -ENOMEM;
		refill(s, u, now);
		if (u->bytes < 1.0) {
			throttle(c);
			return 0;
		}
		if ((double)want > u->bytes)
			want = (size_t)u->bytes;
	} else if (s->o.lines_per_s) {
		u = uid_slot(s, c->cred.uid, now);
		if (!u)
			return -ENOMEM;
		refill(s, u, now);
	}
	ret = grow(&c->in, &c->in_cap, c->in_len + want, s->o.max_line + IN_CHUNK);
	if (ret < 0)
		return ret;
	n = recv(c->h.fd, c->in + c->in_len, want, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	if (u && s->o.bytes_per_s)
		u->bytes -= (double)n;
	c->last_in_ms = now;
	c->in_len += (size_t)n;
	split_lines(c, now);
	if (!c->dead && !has_complete_line(c) && c->in_len > s->o.max_line)
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
	if (ret == -EMSGSIZE) {
		c->s->st.too_long++;
		log_limited(c->s, "dropping a client: a line over the size limit", c->cred.uid,
			    c->cred.pid);
	}
	if (ret < 0 || (c->hangup && !c->out_len))
		client_kill(c);
}

/* Reason given to a refused peer; the line is best effort. */
static void refuse(struct linesock *s, int fd, const struct ucred *cred,
		   const char *why)
{
	char line[256];
	int n;

	s->st.refused++;
	n = snprintf(line, sizeof(line), "{\"ok\":false,\"error\":\"%s\"}\n", why);
	if (n > 0 && (size_t)n < sizeof(line) &&
	    send(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		errno = 0;
	close(fd);
	log_limited(s, why, cred->uid, cred->pid);
}

static size_t clients_of(const struct linesock *s, uid_t uid)
{
	size_t n = 0;

	for (const struct linesock_client *c = s->clients; c; c = c->next)
		if (!c->dead && c->cred.uid == uid)
			n++;
	return n;
}

/*
 * All slots taken: the uid holding the most connections gives up its
 * longest idle one, if it holds more than UID (the newcomer) would after
 * joining. Returns whether room was made.
 */
static bool evict_for(struct linesock *s, uid_t uid)
{
	size_t mine = clients_of(s, uid), most = 0;
	struct linesock_client *victim = NULL;
	uid_t top = 0;

	for (struct linesock_client *c = s->clients; c; c = c->next) {
		size_t n;

		if (c->dead)
			continue;
		n = clients_of(s, c->cred.uid);
		if (n > most) {
			most = n;
			top = c->cred.uid;
		}
	}
	if (most <= mine + 1)
		return false;
	for (struct linesock_client *c = s->clients; c; c = c->next)
		if (!c->dead && c->cred.uid == top &&
		    (!victim || c->last_in_ms < victim->last_in_ms))
			victim = c;
	if (!victim)
		return false;
	log_limited(s, "all connections taken: closing the longest idle one of the uid holding the most",
		    victim->cred.uid, victim->cred.pid);
	s->st.evicted++;
	client_kill(victim);
	return true;
}

static void read_groups(struct linesock_client *c)
{
	gid_t groups[MAX_GROUPS];
	socklen_t len = sizeof(groups);

	c->gids[0] = (uint32_t)c->cred.gid;
	c->n_gids = 1;
	if (getsockopt(c->h.fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return;
	for (size_t i = 0; i < len / sizeof(gid_t) && c->n_gids <= MAX_GROUPS; i++)
		c->gids[c->n_gids++] = (uint32_t)groups[i];
}

static void on_accept(struct loop_handler *h, uint32_t events)
{
	struct linesock *s = h->arg;
	struct linesock_client *c;
	socklen_t len;
	char why[128];
	int fd;

	(void)events;
	reap(s);
	fd = accept4(s->h.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	len = sizeof(c->cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0) {
		close(fd);
		free(c);
		return;
	}
	why[0] = '\0';
	if (s->o.root_only && c->cred.uid != 0)
		snprintf(why, sizeof(why), "connection of uid %u refused: root only",
			 (unsigned int)c->cred.uid);
	else if (clients_of(s, c->cred.uid) >= s->o.max_per_uid)
		snprintf(why, sizeof(why), "connection of uid %u refused: it has %zu, the most one uid may have",
			 (unsigned int)c->cred.uid, s->o.max_per_uid);
	else if (s->nclients >= s->o.max_clients && !evict_for(s, c->cred.uid))
		snprintf(why, sizeof(why), "connection of uid %u refused: %zu connections, the most there may be",
			 (unsigned int)c->cred.uid, s->o.max_clients);
	if (why[0]) {
		refuse(s, fd, &c->cred, why);
		free(c);
		return;
	}
	c->s = s;
	c->h = (struct loop_handler){ .fd = fd, .fn = on_client, .arg = c };
	c->last_in_ms = sgd_mono_ms();
	read_groups(c);
	if (loop_add(s->loop, &c->h, EPOLLIN | EPOLLRDHUP) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	s->st.accepted++;
}

/* Forget uids without clients whose buckets are full again. */
static void gc_slots(struct linesock *s, uint64_t now)
{
	for (size_t i = 0; i < s->n_slots;) {
		struct uid_slot *u = &s->slots[i];

		refill(s, u, now);
		if (u->lines >= s->o.lines_per_s &&
		    u->bytes >= (double)s->o.bytes_per_s &&
		    !clients_of(s, u->uid)) {
			*u = s->slots[--s->n_slots];
			continue;
		}
		i++;
	}
}

static bool uid_has_tokens(struct linesock *s, uid_t uid, uint64_t now)
{
	struct uid_slot *u = uid_slot(s, uid, now);

	if (!u)
		return false;
	refill(s, u, now);
	return (!s->o.lines_per_s || u->lines >= 1.0) &&
	       (!s->o.bytes_per_s || u->bytes >= 1.0);
}

static void sweep_client(struct linesock_client *c, uint64_t now)
{
	struct linesock *s = c->s;

	if (c->throttled && uid_has_tokens(s, c->cred.uid, now)) {
		c->throttled = false;
		loop_mod(s->loop, &c->h, wanted_events(c));
		if (has_complete_line(c))
			split_lines(c, now);
		if (c->dead)
			return;
	}
	if (s->o.line_ms && c->line_since_ms && !c->throttled &&
	    now - c->line_since_ms > s->o.line_ms) {
		s->st.line_timeouts++;
		log_limited(s, "closing a connection whose line did not end in time",
			    c->cred.uid, c->cred.pid);
		client_kill(c);
		return;
	}
	if (s->o.idle_ms && !c->listener && !c->throttled &&
	    now - c->last_in_ms > s->o.idle_ms) {
		s->st.idle_closed++;
		client_kill(c);
	}
}

static void on_timer(struct loop_handler *h, uint32_t events)
{
	struct linesock *s = h->arg;
	uint64_t expirations, now = sgd_mono_ms();

	(void)events;
	if (read(h->fd, &expirations, sizeof(expirations)) < 0)
		return;
	reap(s);
	for (struct linesock_client *c = s->clients; c; c = c->next)
		if (!c->dead)
			sweep_client(c, now);
	if (rate_limited(s))
		gc_slots(s, now);
}

/* The timer hands on throttled lines and closes idle clients. */
static int start_timer(struct linesock *s)
{
	unsigned int period = 1000, shortest = 0;
	struct itimerspec its = { 0 };
	int fd;

	s->timer_h.fd = -1;
	if (s->o.idle_ms)
		shortest = s->o.idle_ms;
	if (s->o.line_ms && (!shortest || s->o.line_ms < shortest))
		shortest = s->o.line_ms;
	if (shortest)
		period = shortest / 4;
	if (rate_limited(s) && period > 100)
		period = 100;
	if (!shortest && !rate_limited(s))
		return 0;
	if (period < 20)
		period = 20;
	if (period > 1000)
		period = 1000;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	its.it_interval.tv_sec = period / 1000;
	its.it_interval.tv_nsec = (long)(period % 1000) * 1000000L;
	its.it_value = its.it_interval;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		close(fd);
		return -errno;
	}
	s->timer_h = (struct loop_handler){ .fd = fd, .fn = on_timer, .arg = s };
	return loop_add(s->loop, &s->timer_h, EPOLLIN);
}

static int fill_sun(struct sockaddr_un *sun, const char *path)
{
	*sun = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/*
 * A socket file is live if a connect() to it succeeds: a running daemon
 * keeps its sockets, a stale file of a daemon that died may be replaced.
 * Anything that is not a socket is never removed.
 */
int linesock_check_free(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, ret = fill_sun(&sun, path);

	if (ret < 0)
		return ret;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	ret = ret == 0 ? -EADDRINUSE :
	      errno == ECONNREFUSED || errno == ENOENT ? 0 : -errno;
	close(fd);
	return ret;
}

static int bind_listen(const struct linesock_opts *o)
{
	struct sockaddr_un sun;
	int fd, ret = fill_sun(&sun, o->path);

	if (ret < 0)
		return ret;
	ret = linesock_check_free(o->path);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Checked above: nothing, or a socket nobody listens on. */
	unlink(o->path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    (o->set_gid && chown(o->path, (uid_t)-1, o->gid) < 0) ||
	    chmod(o->path, o->mode) < 0 || listen(fd, 64) < 0) {
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
	s->timer_h.fd = -1;
	s->loop = l;
	s->o = *opts;
	s->o.path = s->path;
	if (!s->o.max_clients)
		s->o.max_clients = LINESOCK_MAX_CLIENTS;
	if (!s->o.max_per_uid)
		s->o.max_per_uid = LINESOCK_MAX_PER_UID;
	if (!s->o.out_max)
		s->o.out_max = LINESOCK_OUT_MAX;
	fd = bind_listen(&s->o);
	if (fd < 0) {
		free(s->path);
		free(s);
		return fd;
	}
	s->h = (struct loop_handler){ .fd = fd, .fn = on_accept, .arg = s };
	ret = loop_add(l, &s->h, EPOLLIN);
	if (!ret)
		ret = start_timer(s);
	if (ret < 0) {
		loop_del(l, &s->h);
		if (s->timer_h.fd >= 0)
			close(s->timer_h.fd);
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
	if (s->timer_h.fd >= 0) {
		loop_del(s->loop, &s->timer_h);
		close(s->timer_h.fd);
	}
	unlink(s->path);
	free(s->slots);
	free(s->path);
	free(s);
}

int linesock_set_group(struct linesock *s, gid_t gid)
{
	if (chown(s->path, (uid_t)-1, gid) < 0)
		return -errno;
	s->o.set_gid = true;
	s->o.gid = gid;
	return 0;
}

void linesock_set_listener(struct linesock_client *c)
{
	c->listener = true;
}

uid_t linesock_uid(const struct linesock_client *c)
{
	return c->cred.uid;
}

pid_t linesock_pid(const struct linesock_client *c)
{
	return c->cred.pid;
}

size_t linesock_gids(const struct linesock_client *c, const uint32_t **gids)
{
	*gids = c->gids;
	return c->n_gids;
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
	size_t n = 0;

	for (const struct linesock_client *c = s->clients; c; c = c->next)
		if (!c->dead)
			n++;
	return n;
}

const struct linesock_stats *linesock_stats(const struct linesock *s)
{
	return &s->st;
}

static void add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

struct json_object *linesock_status_json(const struct linesock *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *lim = json_object_new_object();
	const struct linesock_stats *st = &s->st;

	if (!o || !lim) {
		json_object_put(o);
		json_object_put(lim);
		return NULL;
	}
	json_object_object_add(o, "path", json_object_new_string(s->path));
	add_u64(o, "clients", linesock_clients(s));
	add_u64(o, "accepted", st->accepted);
	add_u64(o, "refused_connections", st->refused);
	add_u64(o, "evicted", st->evicted);
	add_u64(o, "idle_closed", st->idle_closed);
	add_u64(o, "line_timeouts", st->line_timeouts);
	add_u64(o, "too_long", st->too_long);
	add_u64(o, "throttled", st->throttled);
	add_u64(o, "overflows", st->overflows);
	add_u64(o, "errors_unanswered", st->errors_unanswered);
	add_u64(lim, "max_clients", s->o.max_clients);
	add_u64(lim, "max_per_uid", s->o.max_per_uid);
	add_u64(lim, "idle_ms", s->o.idle_ms);
	add_u64(lim, "line_ms", s->o.line_ms);
	add_u64(lim, "lines_per_s", s->o.lines_per_s);
	add_u64(lim, "bytes_per_s", s->o.bytes_per_s);
	add_u64(lim, "max_line", s->o.max_line);
	add_u64(lim, "out_max", s->o.out_max);
	add_u64(lim, "max_error_replies", s->o.max_error_replies);
	json_object_object_add(o, "limits", lim);
	return o;
}
