// SPDX-License-Identifier: GPL-2.0
/*
 * "sla check" validates a file with slaguardd's own parser (no daemon
 * needed); "sla status" and "sla reload" ask the running daemon.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sla.h"
#include "control_client.h"
#include "ctl.h"
#include "output.h"

const char sla_usage[] =
	"Usage: " PROG " [-j] sla check FILE\n"
	"       " PROG " [-j] [--control PATH] sla status\n"
	"       " PROG " [-j] [--control PATH] sla reload [FILE]\n"
	"\n"
	"check   validate an SLA file, no daemon needed: prints\n"
	"        \"FILE: ok (N components, ...)\" or FILE:LINE:COL, the field and\n"
	"        what was expected, and exits 1; -j prints the model and the module\n"
	"        configuration slaguardd derives from it\n"
	"status  the running SLA: each SLO's state (compliant, violated, unknown)\n"
	"        with its value, bound and evidence (the default command)\n"
	"reload  make slaguardd validate FILE (default: the file it runs) and swap\n"
	"        to it; a broken file leaves the running SLA untouched\n"
	"\n"
	"slaguardd's control socket is " CC_DEFAULT_PATH ", or $" CC_PATH_ENV ",\n"
	"or --control PATH.\n";

/* "N things" with the plural the count needs. */
static const char *count(size_t n, const char *one, const char *many,
			 char *buf, size_t size)
{
	snprintf(buf, size, "%zu %s", n, n == 1 ? one : many);
	return buf;
}

static int sla_check(struct ctl *c, int argc, char **argv)
{
	char err[1024] = "", b1[48], b2[48], b3[48], b4[48];
	struct sla_module_config cfg;
	struct json_object *o;
	struct sla *sla = NULL;
	int ret;

	if (argc == 0)
		return sg_usage(&c->err, "'sla check' needs a FILE");
	if (argc > 1)
		return sg_usage(&c->err, "'sla check' takes one FILE, not %d arguments",
				argc);
	ret = sla_load_file(argv[0], &sla, err, sizeof(err));
	if (ret < 0) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s: %s", argv[0],
				 strerror(-ret));
		/* The parser's FILE:LINE:COL message, unprefixed, for editors. */
		fprintf(stderr, "%s\n", err);
		c->reported = true;
		return ret;
	}
	ret = sla_to_module_config(sla, &cfg);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot derive the module configuration: %s\n",
			argv[0], strerror(-ret));
		c->reported = true;
		sla_free(sla);
		return ret;
	}
	if (!c->json) {
		printf("%s: ok (%s, %s, %s, %s)\n", argv[0],
		       count(sla->n_components, "component", "components", b1, sizeof(b1)),
		       count(sla->n_rules, "rule", "rules", b2, sizeof(b2)),
		       count(sla->n_slos, "SLO", "SLOs", b3, sizeof(b3)),
		       count(sla->n_countermeasures, "countermeasure",
			     "countermeasures", b4, sizeof(b4)));
		sla_free(sla);
		return 0;
	}
	o = json_object_new_object();
	if (o) {
		sg_json_add_str(o, "file", argv[0]);
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_object_object_add(o, "sla", sla_to_json(sla));
		json_object_object_add(o, "module", sla_module_config_to_json(&cfg));
	}
	sla_free(sla);
	if (!o || !json_object_object_get(o, "sla") ||
	    !json_object_object_get(o, "module")) {
		json_object_put(o);
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	}
	ret = sg_json_print(o, stdout);
	json_object_put(o);
	return ret;
}

static const char *slo_bound(struct json_object *slo, char *buf, size_t size)
{
	char num[64];
	const char *b = cc_text(slo, "bound", num, sizeof(num));
	struct json_object *kind = cc_get(slo, "bound_kind", json_type_string);

	/* "max"/"min" if the daemon says which; a plain number otherwise. */
	if (kind)
		snprintf(buf, size, "%s %s", json_object_get_string(kind), b);
	else
		snprintf(buf, size, "%s", b);
	return buf;
}

static const char *slo_window(struct json_object *slo, char *buf, size_t size)
{
	struct json_object *w = cc_get(slo, "window_ms", json_type_int);

	if (!w || json_object_get_int64(w) < 0)
		return "-";
	sg_format_duration_ms((uint64_t)json_object_get_int64(w), buf, size);
	return buf;
}

static const char *evidence_text(struct json_object *slo, char *buf,
				 size_t size)
{
	struct json_object *ev = cc_get(slo, "evidence", json_type_object);

	if (!ev || json_object_object_length(ev) == 0)
		return "-";
	snprintf(buf, size, "%s", json_object_to_json_string_ext(ev,
		 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return buf;
}

/* One line per sequence rule: its keys against the bound, what it did. */
static void print_sequences(struct json_object *seqs, FILE *f)
{
	size_t n = seqs ? json_object_array_length(seqs) : 0;
	char b[6][32];

	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(seqs, i);

		fprintf(f, "%-18s%s: %s/%s keys, %s fired, %s expired, %s evicted\n",
			i ? "" : "sequences:", cc_text(s, "rule", b[0], sizeof(b[0])),
			cc_text(s, "keys", b[1], sizeof(b[1])),
			cc_text(s, "max_keys", b[2], sizeof(b[2])),
			cc_text(s, "fired", b[3], sizeof(b[3])),
			cc_text(s, "expired", b[4], sizeof(b[4])),
			cc_text(s, "evicted", b[5], sizeof(b[5])));
	}
}

int cc_print_status(struct json_object *resp, FILE *f)
{
	static const struct sg_column cols[] = {
		{ "SLO", false }, { "METRIC", false }, { "STATE", false },
		{ "VALUE", true }, { "BOUND", true }, { "WINDOW", true },
		{ "EVIDENCE", false },
	};
	struct json_object *slos = cc_get(resp, "slos", json_type_array);
	struct json_object *events = cc_get(resp, "events", json_type_object);
	struct json_object *dry = cc_get(resp, "dry_run", json_type_boolean);
	char b1[64], b2[64], b3[64], b4[64], b5[64], b6[64], ev[1024];
	struct sg_table *t;
	size_t i, n = slos ? json_object_array_length(slos) : 0;
	size_t violated = 0, unknown = 0;
	int ret = 0;

	fprintf(f, "sla:              %s (%s)\n", cc_text(resp, "sla", b1, sizeof(b1)),
		cc_text(resp, "file", b2, sizeof(b2)));
	fprintf(f, "mode:             %s\n",
		dry && json_object_get_boolean(dry) ?
		"dry run (countermeasures are only logged)" : "enforcing");
	fprintf(f, "started:          %s\n", cc_text(resp, "started", b1, sizeof(b1)));
	fprintf(f, "events:           %s received, %s lost\n",
		cc_text(events, "received", b1, sizeof(b1)),
		cc_text(events, "lost", b2, sizeof(b2)));
	fprintf(f, "alerts:           %s\n", cc_text(resp, "alerts", b1, sizeof(b1)));
	fprintf(f, "countermeasures:  %s active\n",
		cc_text(resp, "countermeasures", b1, sizeof(b1)));
	print_sequences(cc_get(resp, "sequences", json_type_array), f);
	for (i = 0; i < n; i++) {
		const char *st = cc_text(json_object_array_get_idx(slos, i),
					 "state", b1, sizeof(b1));

		violated += strcmp(st, "violated") == 0;
		unknown += strcmp(st, "unknown") == 0;
	}
	fprintf(f, "SLOs:             %zu, %zu violated, %zu unknown (no data)\n\n",
		n, violated, unknown);
	if (n == 0)
		return 0;

	t = sg_table_new(cols, sizeof(cols) / sizeof(cols[0]));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n && ret == 0; i++) {
		struct json_object *slo = json_object_array_get_idx(slos, i);
		const char *cells[] = {
			cc_text(slo, "id", b1, sizeof(b1)),
			cc_text(slo, "metric", b2, sizeof(b2)),
			cc_text(slo, "state", b3, sizeof(b3)),
			cc_text(slo, "value", b4, sizeof(b4)),
			slo_bound(slo, b5, sizeof(b5)),
			slo_window(slo, b6, sizeof(b6)),
			evidence_text(slo, ev, sizeof(ev)),
		};

		ret = sg_table_add(t, cells);
	}
	if (ret == 0)
		sg_table_print(t, f);
	sg_table_free(t);
	return ret;
}

static int sla_status(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp;
	int ret;

	if (argc > 0)
		return sg_usage(&c->err, "'sla status' takes no arguments, not '%s'",
				argv[0]);
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "status");
	ret = cc_call(cc_path(c->control), req, &resp, "sla status", &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json)
		ret = sg_json_print(resp, stdout);
	else if (cc_print_status(resp, stdout) < 0)
		ret = sg_fail(&c->err, -ENOMEM, "out of memory");
	json_object_put(resp);
	return ret;
}

/*
 * The daemon resolves the file in its own working directory: send an
 * absolute path.
 */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];
	char *abs = NULL;

	if (path[0] == '/')
		return strdup(path);
	abs = realpath(path, NULL);
	if (abs)
		return abs;
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

static int sla_reload(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp;
	char *file = NULL;
	int ret;

	if (argc > 1)
		return sg_usage(&c->err, "'sla reload' takes at most one FILE, not %d arguments",
				argc);
	if (argc == 1 && !argv[0][0])
		return sg_usage(&c->err, "'sla reload' needs a file name, not an empty one");
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "reload");
	if (argc == 1) {
		file = absolute(argv[0]);
		if (!file) {
			json_object_put(req);
			return sg_fail(&c->err, -ENOMEM, "out of memory");
		}
		sg_json_add_str(req, "file", file);
	}
	ret = cc_call(cc_path(c->control), req, &resp, "sla reload", &c->err);
	json_object_put(req);
	if (ret == 0) {
		if (c->json)
			ret = sg_json_print(resp, stdout);
		else
			printf("slaguardd reloaded the SLA%s%s\n",
			       file ? " from " : "", file ? file : "");
		json_object_put(resp);
	}
	free(file);
	return ret;
}

int cmd_sla(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "check", sla_check, "validate an SLA file" },
		{ "status", sla_status, "the running SLA and its SLOs" },
		{ "reload", sla_reload, "make slaguardd load the SLA again" },
	};

	return ctl_dispatch(c, "sla", cmds, sizeof(cmds) / sizeof(cmds[0]),
			    "status", sla_usage, argc, argv);
}
