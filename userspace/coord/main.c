// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguard-coord - keeps a composite SLA over a fleet of slaguardd nodes
 * (see coord.h and bus.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "coord.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: slaguard-coord [--check] COMPOSITE.yaml\n"
		"Keeps the composite SLA's state from what its nodes publish on the\n"
		"fleet's NATS JetStream bus, and publishes its changes.\n"
		"  --check    only read the composite SLA and the nodes' SLAs it names\n"
		"  --version  print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sla_composite *comp;
	char err[1024];
	bool check = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': check = true; break;
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
	ret = coord_run(comp);
	sla_composite_free(comp);
	return ret < 0 ? 1 : 0;
}
