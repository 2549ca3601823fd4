// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard-coord - keeps a composite SLA over a fleet of slaguardd nodes
 * (see coord.h and bus.c); optionally shows it on a web page (page.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "coord.h"
#include "page.h"
#include "web.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: slaguard-coord [OPTIONS] COMPOSITE.yaml\n"
		"Keeps the composite SLA's state from what its nodes publish on the\n"
		"fleet's NATS JetStream bus, and publishes its changes.\n"
		"  --check    only read the composite SLA and the nodes' SLAs it names\n"
		"  --dashboard ADDR:PORT  serve a read-only page of all nodes, the\n"
		"             composite SLOs and the nodes' last alerts at\n"
		"             http://ADDR:PORT/dashboard (JSON: /api/state), e.g.\n"
		"             " COORD_PAGE_EXAMPLE_LISTEN "; without a token only on a\n"
		"             loopback address, answering a loopback Host\n"
		"  --dashboard-token-file PATH  the page's token (one line, %d to %d of\n"
		"             A-Z a-z 0-9 - . _ ~): every request must carry it (open\n"
		"             /dashboard?token=TOKEN once, or Authorization: Bearer);\n"
		"             required for a non-loopback ADDR\n"
		"  --version  print the version\n", WEB_TOKEN_MIN, WEB_TOKEN_MAX);
}

/* The page's listening socket, or -1 for none; -EINVAL: said why. */
static int open_page(const char *listen, const char *token_file, char *token, size_t len,
		     bool *remote)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[512], where[80];
	int fd;

	if (!listen) {
		if (token_file) {
			fprintf(stderr, "slaguard-coord: --dashboard-token-file without --dashboard: give --dashboard ADDR:PORT\n");
			return -EINVAL;
		}
		return -1;
	}
	if (web_parse_listen(listen, COORD_PAGE_EXAMPLE_LISTEN, &ss, &sl, err, sizeof(err)) < 0) {
		fprintf(stderr, "slaguard-coord: --dashboard: %s\n", err);
		return -EINVAL;
	}
	*remote = !web_is_loopback(&ss);
	if (token_file && web_read_token(token_file, token, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "slaguard-coord: --dashboard-token-file %s\n", err);
		return -EINVAL;
	}
	if (*remote && !token_file) {
		fprintf(stderr, "slaguard-coord: --dashboard %s is not a loopback address: anyone who reaches it would read the fleet's state; give --dashboard-token-file PATH\n",
			listen);
		return -EINVAL;
	}
	fd = web_listen(&ss, sl);
	if (fd < 0) {
		fprintf(stderr, "slaguard-coord: --dashboard %s: %s\n", listen, strerror(-fd));
		return -EINVAL;
	}
	web_bound(fd, where, sizeof(where));
	fprintf(stderr, "slaguard-coord: dashboard at http://%s/dashboard%s\n", where,
		token_file ? " (token required)" : "");
	return fd;
}

int main(int argc, char **argv)
{
	enum { O_DASHBOARD = 256, O_DASH_TOKEN };
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "dashboard", required_argument, NULL, O_DASHBOARD },
		{ "dashboard-token-file", required_argument, NULL, O_DASH_TOKEN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sla_composite *comp;
	struct coord_page *page = NULL;
	const char *dash = NULL, *token_file = NULL;
	char err[1024], token[WEB_TOKEN_MAX + 1];
	bool check = false, remote = false;
	int c, ret, fd;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': check = true; break;
		case O_DASHBOARD: dash = optarg; break;
		case O_DASH_TOKEN: token_file = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("slaguard-coord %s\n", SLAGUARD_VERSION_STR); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	ret = sla_composite_load_file(argv[optind], true, &comp, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "slaguard-coord: %s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: composite SLA %s: %zu nodes, %zu SLOs\n", argv[optind], comp->name,
		       comp->n_nodes, comp->n_slos);
		sla_composite_free(comp);
		return 0;
	}
	if (!comp->fleet) {
		fprintf(stderr, "slaguard-coord: %s: field 'fleet': expected the NATS servers to reach the nodes, got nothing\n",
			argv[optind]);
		sla_composite_free(comp);
		return 1;
	}
	fd = open_page(dash, token_file, token, sizeof(token), &remote);
	if (fd == -EINVAL || (fd >= 0 &&
	    coord_page_open(&page, fd, token_file ? token : NULL, remote) < 0)) {
		if (fd >= 0)
			fprintf(stderr, "slaguard-coord: --dashboard %s: cannot serve\n", dash);
		sla_composite_free(comp);
		return 1;
	}
	ret = coord_run(comp, page);
	coord_page_close(page);
	sla_composite_free(comp);
	return ret < 0 ? 1 : 0;
}
