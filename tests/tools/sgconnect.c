// SPDX-License-Identifier: GPL-2.0
/*
 * sgconnect - many TCP connections from one process, as a NAT gateway or a
 * proxy makes them: N non-blocking connects to ADDR:PORT at RATE per
 * second, held open HOLD seconds once all are up (VM scenarios).
 *
 *   sgconnect ADDR PORT N RATE HOLD
 *   sgconnect -l PORT HOLD
 *
 * Prints "connected C of N in MS ms, at most F in flight" and exits 0 when
 * every connection was established, 1 otherwise, 2 on bad arguments. With
 * -l it listens on PORT for HOLD seconds and never accepts: the kernel
 * completes the handshakes into the accept queue, no process per client.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	4000

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long arg(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "sgconnect: %s must be %ld..%ld, not '%s'\n",
			what, min, max, s);
		exit(2);
	}
	return v;
}

/* Mark sockets whose connect finished; return how many are still pending. */
static int reap(struct pollfd *p, int n, int *done, int *failed)
{
	int i, pending = 0;

	if (poll(p, n, 0) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (p[i].fd < 0)
			continue;
		if (!p[i].revents) {
			pending++;
			continue;
		}
		getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err)
			(*failed)++;
		else
			(*done)++;
		/* keep the socket open; stop polling it */
		p[i].fd = -p[i].fd - 1;
	}
	return pending;
}

static int listen_only(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: sgconnect -l PORT HOLD\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)arg(argv[2], 1, 65535, "PORT"));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, MAX_CONNS)) {
		perror("sgconnect: listen");
		return 1;
	}
	sleep((unsigned int)arg(argv[3], 0, 3600, "HOLD"));
	return 0;
}

int main(int argc, char **argv)
{
	static struct pollfd p[MAX_CONNS];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int n, rate, hold, i, done = 0, failed = 0, pending, in_flight = 0;
	long t0, deadline;

	if (argc > 1 && !strcmp(argv[1], "-l"))
		return listen_only(argc, argv);
	if (argc != 6) {
		fprintf(stderr, "usage: sgconnect ADDR PORT N RATE HOLD\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "sgconnect: '%s' is no IPv4 address\n", argv[1]);
		return 2;
	}
	sin.sin_port = htons((unsigned short)arg(argv[2], 1, 65535, "PORT"));
	n = (int)arg(argv[3], 1, MAX_CONNS, "N");
	rate = (int)arg(argv[4], 1, 100000, "RATE");
	hold = (int)arg(argv[5], 0, 3600, "HOLD");

	t0 = now_ms();
	for (i = 0; i < n; i++) {
		long due = t0 + (long)i * 1000 / rate;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (fd < 0) {
			perror("sgconnect: socket");
			return 1;
		}
		while (now_ms() < due)
			usleep(1000);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
		    errno != EINPROGRESS) {
			perror("sgconnect: connect");
			return 1;
		}
		p[i].fd = fd;
		p[i].events = POLLOUT;
		pending = reap(p, i + 1, &done, &failed);
		if (pending > in_flight)
			in_flight = pending;
	}
	deadline = now_ms() + 15000;
	while ((pending = reap(p, n, &done, &failed)) > 0 && now_ms() < deadline)
		usleep(10000);
	printf("connected %d of %d in %ld ms, at most %d in flight\n", done, n,
	       now_ms() - t0, in_flight);
	fflush(stdout);
	sleep(hold);
	return done == n ? 0 : 1;
}
