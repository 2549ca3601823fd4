// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sgstamp.c - copy standard input to standard output, each line prefixed
 * with the CLOCK_REALTIME time it was read at, in nanoseconds since the
 * epoch (the clock of the module's event time_ns), flushed line by line.
 * The test VM's busybox date has no %N; the latency benchmark
 * (bench/daemon_latency.sh) stamps `nft monitor` output with it.
 *
 * usage: CMD | sgstamp > FILE
 *        sgstamp now        prints the current time, nothing else
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char line[8192];
	struct timespec ts;

	if (argc > 1 && !strcmp(argv[1], "now")) {
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%lld%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
		return 0;
	}
	while (fgets(line, sizeof(line), stdin)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("%lld%09ld %s", (long long)ts.tv_sec, ts.tv_nsec, line);
		fflush(stdout);
	}
	return 0;
}
