// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sgpingpong ROUNDS: two processes pass one byte back and forth over two
 * pipes ROUNDS times; every round trip is two context switches. Prints the
 * nanoseconds per round trip. Used by bench/ctxsw.sh to see what the
 * module's scheduler probes cost on the hottest path there is.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int xfer(int in, int out, long rounds, int first)
{
	char c = 'x';

	for (long i = 0; i < rounds; i++) {
		if (first && write(out, &c, 1) != 1)
			return -1;
		if (read(in, &c, 1) != 1)
			return -1;
		if (!first && write(out, &c, 1) != 1)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	int ab[2], ba[2], status;
	long rounds;
	char *end;
	pid_t pid;

	if (argc != 2 || (rounds = strtol(argv[1], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: sgpingpong ROUNDS (a positive number)\n");
		return 2;
	}
	if (pipe(ab) || pipe(ba)) {
		fprintf(stderr, "sgpingpong: pipe: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sgpingpong: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(xfer(ab[0], ba[1], rounds, 0) ? 1 : 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (xfer(ba[0], ab[1], rounds, 1)) {
		fprintf(stderr, "sgpingpong: pipe transfer failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "sgpingpong: the other process failed\n");
		return 1;
	}
	printf("%lld\n", ((b.tv_sec - a.tv_sec) * 1000000000LL +
			  (b.tv_nsec - a.tv_nsec)) / rounds);
	return 0;
}
