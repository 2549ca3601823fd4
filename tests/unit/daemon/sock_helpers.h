/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the tests of the daemon's unix sockets: run the event loop for a
 * while, connect as a client, and run a client in a child process under
 * another uid (the tests run as root), so SO_PEERCRED tells them apart.
 */
#ifndef SGD_TEST_SOCK_HELPERS_H
#define SGD_TEST_SOCK_HELPERS_H

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"

static void pump_stop(struct loop_handler *h, uint32_t events)
{
	uint64_t n;

	(void)events;
	if (read(h->fd, &n, sizeof(n)) < 0)
		n = 0;
	loop_stop(h->arg);
}

/* Run L's handlers for MS milliseconds. */
static inline void pump(struct loop *l, unsigned int ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000L } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct loop_handler h = { .fd = fd, .fn = pump_stop, .arg = l };

	if (fd < 0)
		abort();
	if (!ms)
		its.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &its, NULL);
	loop_add(l, &h, EPOLLIN);
	l->stop = false;
	loop_run(l);
	loop_del(l, &h);
	close(fd);
}

/* A blocking client of PATH with a receive timeout of 2 s; -errno if refused. */
static inline int sock_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 2, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sun.sun_path))
		abort();
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static inline int send_text(int fd, const char *text)
{
	size_t len = strlen(text);

	return send(fd, text, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* What the server sent FD so far, without waiting; -1 if it hung up and sent nothing. */
static inline ssize_t read_ready(int fd, char *buf, size_t size)
{
	size_t used = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + used, size - 1 - used, MSG_DONTWAIT);

		if (n <= 0) {
			buf[used] = '\0';
			return n == 0 && !used ? -1 : (ssize_t)used;
		}
		used += (size_t)n;
		if (used == size - 1) {
			buf[used] = '\0';
			return (ssize_t)used;
		}
	}
}

/* Whether the server closed FD (EOF, after whatever it sent). */
static inline bool closed_by_server(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/* Run FN(ARG) in a child with uid UID and gid GID (no other groups). */
static inline pid_t run_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		_exit(99);
	_exit(fn(arg));
}

/* Pump L until child PID exits (at most TIMEOUT_MS); its exit status, or -1. */
static inline int pump_until_exit(struct loop *l, pid_t pid, unsigned int timeout_ms)
{
	for (unsigned int t = 0; t < timeout_ms; t += 10) {
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* What it wrote before exiting may still wait unread. */
			pump(l, 50);
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		pump(l, 10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* A directory every uid may enter, for sockets of mode 0666. */
static inline void open_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/sgd-sock-XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		abort();
}

#endif /* SGD_TEST_SOCK_HELPERS_H */
