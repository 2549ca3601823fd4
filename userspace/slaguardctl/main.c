// SPDX-License-Identifier: GPL-2.0
/*
 * slaguardctl - configure and query the slaguard kernel module over generic
 * netlink. Commands return 0 or -errno and describe failures in ctl.err;
 * only this file prints them and picks the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_client.h"
#include "ctl.h"

#ifndef SLAGUARD_VERSION_STR
#define SLAGUARD_VERSION_STR "unknown"
#endif

enum { EXIT_USAGE = 2 };
enum { OPT_CONTROL = 256 };

static const struct ctl_cmd objects[] = {
	{ "watch", cmd_watch, "add, delete and list watch rules" },
	{ "threshold", cmd_threshold, "show and set detector thresholds" },
	{ "sources", cmd_sources, "list tracked traffic sources" },
	{ "stats", cmd_stats, "show module counters" },
	{ "events", cmd_events, "print events as they happen" },
	{ "sla", cmd_sla, "check an SLA file; slaguardd's SLA status, reload" },
	{ "alerts", cmd_alerts, "slaguardd's alerts" },
	{ "countermeasures", cmd_countermeasures, "slaguardd's countermeasures: list, revoke, add block|allow" },
	{ "tasks", cmd_tasks, "watched processes, top-like" },
	{ "system", cmd_system, "system figures of the module's sampler" },
	{ "report", cmd_report, "SLA compliance from slaguardd's history" },
	{ "fleet", cmd_fleet, "the fleet: this node on the bus, nodes, composite SLOs, deploy" },
};

#define NOBJECTS	(sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " PROG " [-j|--json] [-h|--help] [-V|--version] [--control PATH] OBJECT COMMAND [ARGS]\n"
		"\n"
		"Talks to the slaguard kernel module over generic netlink, and to the\n"
		"slaguardd daemon over its control socket (sla, alerts, countermeasures).\n"
		"\n"
		"Objects:\n");
	for (i = 0; i < NOBJECTS; i++)
		fprintf(f, "  %-16s %s\n", objects[i].name, objects[i].help);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json     print JSON (one document per line) instead of text\n"
		"  -h, --help     print this help\n"
		"  -V, --version  print the version\n"
		"  --control PATH slaguardd's control socket (default $" CC_PATH_ENV ",\n"
		"                 else " CC_DEFAULT_PATH ")\n"
		"\n"
		"'" PROG " OBJECT help' describes one object.\n"
		"\n");
	fputs(watch_usage, f);
	fputc('\n', f);
	fputs(threshold_usage, f);
	fputc('\n', f);
	fputs(sources_usage, f);
	fputc('\n', f);
	fputs(stats_usage, f);
	fputc('\n', f);
	fputs(events_usage, f);
	fputc('\n', f);
	fputs(sla_usage, f);
	fputc('\n', f);
	fputs(alerts_usage, f);
	fputc('\n', f);
	fputs(countermeasures_usage, f);
	fputc('\n', f);
	fputs(tasks_usage, f);
	fputc('\n', f);
	fputs(system_usage, f);
	fputc('\n', f);
	fputs(report_usage, f);
	fprintf(f,
		"\n"
		"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n"
		"Changing settings needs CAP_NET_ADMIN.\n");
}

static const struct ctl_cmd *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < NOBJECTS; i++)
		if (strcmp(name, objects[i].name) == 0)
			return &objects[i];
	return NULL;
}

static int run(struct ctl *c, int argc, char **argv)
{
	const char *name = argv[0];
	const struct ctl_cmd *obj = find_object(name);

	if (obj)
		return obj->fn(c, argc - 1, argv + 1);
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	return sg_usage(&c->err, "unknown object '%s'; objects: watch, threshold, sources, stats, events, sla, alerts, countermeasures, tasks, system, report",
			name);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case OPT_CONTROL:
			c.control = optarg;
			break;
		case 'V':
			printf(PROG " %s (generic netlink family \"%s\" version %d)\n",
			       SLAGUARD_VERSION_STR, SLAGUARD_GENL_NAME,
			       SLAGUARD_GENL_VERSION);
			return EXIT_SUCCESS;
		default:
			if (optopt == OPT_CONTROL) {
				fprintf(stderr, PROG ": --control needs the PATH of slaguardd's control socket\n"
					"Try '" PROG " --help'.\n");
				return EXIT_USAGE;
			}
			fprintf(stderr, PROG ": unknown option '%s'; options are -j, -h, -V and --control PATH\n"
				"Try '" PROG " --help'.\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": missing OBJECT; objects: watch, threshold, sources, stats, events, sla, alerts, countermeasures, tasks, system\n"
			"Try '" PROG " --help'.\n");
		return EXIT_USAGE;
	}

	ret = run(&c, argc - optind, argv + optind);
	ctl_close(&c);
	if (ret == 0)
		return EXIT_SUCCESS;
	if (c.err.usage) {
		if (find_object(argv[optind]))
			fprintf(stderr, PROG ": %s\nTry '" PROG " %s help'.\n",
				c.err.msg, argv[optind]);
		else
			fprintf(stderr, PROG ": %s\nTry '" PROG " --help'.\n",
				c.err.msg);
		return EXIT_USAGE;
	}
	if (c.reported)
		return EXIT_FAILURE;
	if (c.err.msg[0])
		fprintf(stderr, PROG ": %s\n", c.err.msg);
	else
		fprintf(stderr, PROG ": %s\n", strerror(-ret));
	return EXIT_FAILURE;
}
