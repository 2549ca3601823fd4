// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_insert.c - how long the nftables backend takes to block N addresses,
 * in batches of B (one transaction each). Run inside `unshare -n` (see
 * nft_insert.sh): it loads table inet slaguard into the current network
 * namespace. Prints one line: "backend N B seconds elements/s cpu-seconds".
 *
 * usage: nft_insert NFT_DIR [N [B [watch]]]
 */
#define _DEFAULT_SOURCE
#include "nft_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* CPU time of this process, user and kernel: less at the mercy of other
 * load on the machine than wall time. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100.64.0.0/10 and up: addresses that exist only in the bench namespace. */
static void nth_addr(size_t i, char *buf, size_t size)
{
	unsigned long a = (100ul << 24) + (64ul << 16) + i;

	snprintf(buf, size, "%lu.%lu.%lu.%lu", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int insert_all(struct nftb *nb, size_t n, size_t batch)
{
	char addr[32];

	for (size_t i = 0; i < n;) {
		int ret = nftb_batch_begin(nb);

		for (size_t j = 0; j < batch && i < n && !ret; j++, i++) {
			nth_addr(i, addr, sizeof(addr));
			ret = nftb_block(nb, addr, 3600, "slaguard rule=bench alert=B1");
		}
		if (!ret)
			ret = nftb_batch_commit(nb);
		if (ret) {
			fprintf(stderr, "nft_insert: %s\n", nftb_last_error(nb));
			return ret;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char table[4096], inspect[4096];
	struct nftb_opts opts = { .allow_self = true, .no_watch = true, .inspect_file = "" };
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t batch = argc > 3 ? strtoul(argv[3], NULL, 10) : n;
	struct nftb *nb;
	double t0, t1, c0, c1;

	if (argc < 2 || !n || !batch) {
		fprintf(stderr, "usage: nft_insert NFT_DIR [N [BATCH [watch]]]\n");
		return 2;
	}
	snprintf(table, sizeof(table), "%s/slaguard.nft", argv[1]);
	snprintf(inspect, sizeof(inspect), "%s/slaguard-inspect.nft", argv[1]);
	opts.table_file = table;
	opts.no_watch = !(argc > 4 && !strcmp(argv[4], "watch"));
	if (nftb_open(&nb, &opts) || nftb_reconcile(nb, NULL))
		return 1;
	t0 = now_s();
	c0 = cpu_s();
	if (insert_all(nb, n, batch))
		return 1;
	t1 = now_s();
	c1 = cpu_s();
	if (nftb_active_count(nb) != n) {
		fprintf(stderr, "nft_insert: ledger holds %zu, expected %zu\n",
			nftb_active_count(nb), n);
		return 1;
	}
	if (!opts.no_watch)
		nftb_watch_handle(nb);
	printf("backend %zu %zu %.3f %.0f %.3f\n", n, batch, t1 - t0, (double)n / (t1 - t0),
	       c1 - c0);
	nftb_close(nb);
	return 0;
}
