// SPDX-License-Identifier: GPL-2.0
/*
 * "fleet status": how the running slaguardd is doing on the fleet's bus
 * (the "fleet" object of its status): connected or not, what it
 * published, what it received and what became of it.
 * "fleet nodes|alerts|deploy": the fleet as slaguard-coord keeps it, read
 * from (and, for deploy, written to) the bus's key-value buckets with the
 * connection of the composite SLA's fleet section.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <nats/nats.h>

#include "sla.h"

#include "control_client.h"
#include "ctl.h"
#include "output.h"

#define COMPOSITE_ENV		"SLAGUARD_COMPOSITE"
#define COMPOSITE_DEFAULT	"/etc/slaguard/composite.yaml"

const char fleet_usage[] =
	"Usage: " PROG " [-j] [--control PATH] fleet status\n"
	"       " PROG " [-j] fleet nodes|alerts [--composite FILE]\n"
	"       " PROG " fleet deploy [--composite FILE] [--wait SECS] NODE SLA-FILE\n"
	"\n"
	"status  this node on the fleet's NATS JetStream bus: connected or not,\n"
	"        messages published, queued and dropped, decisions of other\n"
	"        nodes received, applied, refused (allowlist, guard, cap),\n"
	"        skipped (expired, duplicate) and malformed (the default command)\n"
	"nodes   the composite SLA's nodes as slaguard-coord sees them: heard\n"
	"        or silent, under attack, the SLA version each runs\n"
	"alerts  the composite SLOs with their evidence, and the nodes' last alerts\n"
	"deploy  check SLA-FILE here (as sla check does), then put it as NODE's\n"
	"        SLA in bucket " SLA_FLEET_BUCKET_SLA "; NODE validates and applies\n"
	"        it. --wait: until NODE says it runs it or why it refused it\n"
	"\n"
	"slaguardd's control socket is " CC_DEFAULT_PATH ", or $" CC_PATH_ENV ",\n"
	"or --control PATH. The composite SLA (its fleet section: servers,\n"
	"login, TLS) is " COMPOSITE_DEFAULT ", or $" COMPOSITE_ENV ", or\n"
	"--composite FILE.\n";

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_string(v) ?
	       json_object_get_string(v) : "?";
}

static bool flag(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static void print_fleet(struct json_object *fl, FILE *f)
{
	fprintf(f, "node %s@%s, stream %s: %s (%" PRId64 " disconnects)%s\n",
		str(fl, "node"), str(fl, "site"), str(fl, "stream"),
		flag(fl, "connected") ? "connected" : "NOT CONNECTED",
		num(fl, "disconnects"),
		flag(fl, "bus_alert") ? "; bus lost alert raised" : "");
	fprintf(f, "published %" PRId64 ", queued %" PRId64 ", publish errors %" PRId64
		", dropped %" PRId64 "\n", num(fl, "published"), num(fl, "queued"),
		num(fl, "publish_errors"), num(fl, "dropped"));
	fprintf(f, "received %" PRId64 ": applied %" PRId64 ", refused %" PRId64
		", skipped %" PRId64 ", malformed %" PRId64 "; decisions known %" PRId64 "\n",
		num(fl, "received"), num(fl, "applied"), num(fl, "refused"),
		num(fl, "skipped"), num(fl, "malformed"), num(fl, "decisions_known"));
	fprintf(f, "SLA from bucket " SLA_FLEET_BUCKET_SLA ": %s", num(fl, "sla_revision") ?
		"revision " : "none (its file)");
	if (num(fl, "sla_revision"))
		fprintf(f, "%" PRId64, num(fl, "sla_revision"));
	if (num(fl, "refused_revision"))
		fprintf(f, "; revision %" PRId64 " refused: %s", num(fl, "refused_revision"),
			str(fl, "sla_error"));
	fprintf(f, "\n");
}

static int fleet_status(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp, *fl;
	int ret;

	if (argc > 0)
		return sg_usage(&c->err, "'fleet status' takes no arguments, not '%s'",
				argv[0]);
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "status");
	ret = cc_call(cc_path(c->control), req, &resp, "fleet status", &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(resp, "fleet", &fl) || !fl) {
		json_object_put(resp);
		return sg_fail(&c->err, -ENOENT,
			       "slaguardd runs without a fleet: its SLA has no 'fleet' section");
	}
	if (c->json)
		ret = sg_json_print(fl, stdout);
	else
		print_fleet(fl, stdout);
	json_object_put(resp);
	return ret;
}

/* ---- the coordinator's view, over the bus ---- */

struct bus {
	struct sla_composite *comp;
	natsConnection *nc;
	jsCtx *js;
};

/* [--composite FILE] [--wait SECS] first; what is left in *ARGC, *ARGV. */
static int bus_args(struct ctl *c, int *argc, char ***argv, const char **file,
		    long *wait_s)
{
	*file = getenv(COMPOSITE_ENV) && *getenv(COMPOSITE_ENV) ?
		getenv(COMPOSITE_ENV) : COMPOSITE_DEFAULT;
	while (*argc > 0 && (*argv)[0][0] == '-') {
		const char *opt = (*argv)[0];
		char *end;

		if (*argc < 2)
			return sg_usage(&c->err, "'%s' needs a value", opt);
		if (!strcmp(opt, "--composite")) {
			*file = (*argv)[1];
		} else if (!strcmp(opt, "--wait") && wait_s) {
			*wait_s = strtol((*argv)[1], &end, 10);
			if (*end || *wait_s < 0 || *wait_s > 3600)
				return sg_usage(&c->err, "--wait: expected seconds (0-3600), not '%s'",
						(*argv)[1]);
		} else {
			return sg_usage(&c->err, "unknown option '%s'", opt);
		}
		*argc -= 2;
		*argv += 2;
	}
	return 0;
}

static int bus_open(struct ctl *c, const char *file, struct bus *b)
{
	const struct sla_fleet *fl;
	natsOptions *o = NULL;
	natsStatus s;
	jsOptions jo;
	char err[1024];

	memset(b, 0, sizeof(*b));
	if (sla_composite_load_file(file, false, &b->comp, err, sizeof(err)) < 0)
		return sg_fail(&c->err, -EINVAL, "%s", err);
	fl = b->comp->fleet;
	if (!fl)
		return sg_fail(&c->err, -EINVAL, "%s: field 'fleet': expected the NATS servers, got nothing",
			       file);
	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, (const char **)fl->servers, (int)fl->n_servers);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 3000);
	if (s == NATS_OK && fl->credentials)
		s = natsOptions_SetUserCredentialsFromFiles(o, fl->credentials, NULL);
	if (s == NATS_OK && fl->user)
		s = natsOptions_SetUserInfo(o, fl->user, fl->password);
	if (s == NATS_OK && fl->tls_ca)
		s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK && fl->tls_ca)
		s = natsOptions_LoadCATrustedCertificates(o, fl->tls_ca);
	if (s == NATS_OK && fl->tls_cert)
		s = natsOptions_LoadCertificatesChain(o, fl->tls_cert, fl->tls_key);
	if (s == NATS_OK)
		s = natsConnection_Connect(&b->nc, o);
	natsOptions_Destroy(o);
	if (s == NATS_OK) {
		jsOptions_Init(&jo);
		jo.Wait = 5000;
		s = natsConnection_JetStream(&b->js, b->nc, &jo);
	}
	if (s != NATS_OK)
		return sg_fail(&c->err, -EIO, "NATS %s: %s (%s)", fl->servers[0],
			       natsStatus_GetText(s), nats_GetLastError(NULL));
	return 0;
}

static void bus_close(struct bus *b)
{
	jsCtx_Destroy(b->js);
	if (b->nc) {
		natsConnection_Close(b->nc);
		natsConnection_Destroy(b->nc);
	}
	sla_composite_free(b->comp);
}

/* The coordinator's state of the composite SLA, from its bucket. */
static int coord_state(struct ctl *c, struct bus *b, struct json_object **out)
{
	kvStore *kv = NULL;
	kvEntry *e = NULL;
	natsStatus s = js_KeyValue(&kv, b->js, SLA_FLEET_BUCKET_COORD);

	if (s == NATS_OK)
		s = kvStore_Get(&e, kv, b->comp->name);
	*out = s == NATS_OK ? json_tokener_parse(kvEntry_ValueString(e)) : NULL;
	kvEntry_Destroy(e);
	kvStore_Destroy(kv);
	if (!*out)
		return sg_fail(&c->err, -ENOENT,
			       "no state of composite SLA %s in bucket " SLA_FLEET_BUCKET_COORD
			       ": is slaguard-coord running? (%s)", b->comp->name,
			       natsStatus_GetText(s));
	return 0;
}

static const char *ago(int64_t ms, int64_t now, char *buf, size_t len)
{
	if (!ms)
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "%" PRId64 "s ago", (now - ms) / 1000);
	return buf;
}

static int fleet_view(struct ctl *c, int argc, char **argv, bool nodes)
{
	struct json_object *st = NULL, *arr = NULL;
	const char *file;
	struct bus b;
	int ret = bus_args(c, &argc, &argv, &file, NULL);

	if (ret < 0)
		return ret;
	if (argc > 0)
		return sg_usage(&c->err, "'fleet %s' takes no arguments, not '%s'",
				nodes ? "nodes" : "alerts", argv[0]);
	ret = bus_open(c, file, &b);
	if (!ret)
		ret = coord_state(c, &b, &st);
	bus_close(&b);
	if (ret < 0)
		return ret;
	if (!c->json) {
		struct timespec ts;
		int64_t age;

		clock_gettime(CLOCK_REALTIME, &ts);
		age = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - num(st, "updated_ms");
		/* The coordinator puts it every 2 s: older, it is not running. */
		if (age > 10000)
			printf("(the coordinator's state is %" PRId64 " s old: is slaguard-coord running?)\n",
			       age / 1000);
	}
	if (c->json) {
		ret = sg_json_print(st, stdout);
	} else if (nodes) {
		int64_t now = num(st, "updated_ms");
		char when[32];

		json_object_object_get_ex(st, "nodes", &arr);
		printf("%-16s %-10s %-10s %-14s %-8s %-6s %s\n", "NODE", "SITE", "HOST", "HEARD",
		       "SILENT", "ATTACK", "SLA");
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			struct json_object *n = json_object_array_get_idx(arr, i), *sla;

			printf("%-16s %-10s %-10s %-14s %-8s %-6s ", str(n, "name"), str(n, "site"),
			       json_object_object_get_ex(n, "host", NULL) ? str(n, "host") : "-",
			       ago(num(n, "heard_ms"), now, when, sizeof(when)),
			       flag(n, "silent") ? "SILENT" : "no",
			       flag(n, "under_attack") ? "YES" : "no");
			if (json_object_object_get_ex(n, "sla", &sla))
				printf("%s rev %" PRId64 "%s%s\n", str(sla, "name"),
				       num(sla, "revision"),
				       json_object_object_get_ex(sla, "refused", NULL) ?
				       "; refused: " : "",
				       json_object_object_get_ex(sla, "refused", NULL) ?
				       str(sla, "refused") : "");
			else
				printf("-\n");
			if (json_object_object_get_ex(n, "attack", NULL) && flag(n, "under_attack"))
				printf("    attack: %s\n", str(n, "attack"));
		}
	} else {
		json_object_object_get_ex(st, "slos", &arr);
		printf("composite SLA %s\n", str(st, "composite"));
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			struct json_object *o = json_object_array_get_idx(arr, i);

			printf("  %-20s %-9s %s\n", str(o, "id"), str(o, "state"), str(o, "evidence"));
		}
		json_object_object_get_ex(st, "alerts", &arr);
		printf("last alerts of the nodes:\n");
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			struct json_object *a = json_object_array_get_idx(arr, i);

			printf("  %-12s %-6s %-8s %-16s %s\n", str(a, "node"), str(a, "id"),
			       str(a, "severity"), str(a, "ref"), str(a, "summary"));
		}
	}
	json_object_put(st);
	return ret;
}

static int fleet_nodes(struct ctl *c, int argc, char **argv)
{
	return fleet_view(c, argc, argv, true);
}

static int fleet_alerts(struct ctl *c, int argc, char **argv)
{
	return fleet_view(c, argc, argv, false);
}

/* NODE's status key until it names REV as running (0) or refused (-EINVAL). */
static int wait_node(struct ctl *c, struct bus *b, const char *node, uint64_t rev,
		     long wait_s)
{
	kvStore *kv = NULL;
	struct timespec t0, t;

	if (js_KeyValue(&kv, b->js, SLA_FLEET_BUCKET_STATUS) != NATS_OK)
		return sg_fail(&c->err, -ENOENT, "no bucket " SLA_FLEET_BUCKET_STATUS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		kvEntry *e = NULL;
		struct json_object *o = NULL;
		int ret = 1;

		if (kvStore_Get(&e, kv, node) == NATS_OK)
			o = json_tokener_parse(kvEntry_ValueString(e));
		if (o && (uint64_t)num(o, "sla_revision") == rev) {
			printf("%s runs revision %" PRIu64 " (SLA %s)\n", node, rev, str(o, "sla"));
			ret = 0;
		} else if (o && (uint64_t)num(o, "refused_revision") == rev) {
			ret = sg_fail(&c->err, -EINVAL, "%s refused revision %" PRIu64
				      " and keeps its SLA: %s", node, rev, str(o, "sla_error"));
		}
		json_object_put(o);
		kvEntry_Destroy(e);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (ret <= 0 || t.tv_sec - t0.tv_sec >= wait_s) {
			kvStore_Destroy(kv);
			return ret <= 0 ? ret :
			       sg_fail(&c->err, -ETIMEDOUT, "%s has not taken revision %" PRIu64
				       " in %ld s (is its slaguardd running?)", node, rev, wait_s);
		}
		usleep(200000);
	}
}

static int fleet_deploy(struct ctl *c, int argc, char **argv)
{
	const char *file;
	long wait_s = 0;
	struct sla *sla = NULL;
	char err[1024], *text = NULL;
	size_t len = 0;
	struct bus b;
	kvStore *kv = NULL;
	uint64_t rev = 0;
	FILE *f;
	int ret = bus_args(c, &argc, &argv, &file, &wait_s);

	if (ret < 0)
		return ret;
	if (argc != 2)
		return sg_usage(&c->err, "'fleet deploy' needs NODE and SLA-FILE");
	if (!sla_fleet_name_valid(argv[0]))
		return sg_usage(&c->err, "'%s' is not a node name (a-z, 0-9, _ and -)", argv[0]);
	/* Checked here first: a broken SLA never reaches the bucket this way. */
	if (sla_load_file(argv[1], &sla, err, sizeof(err)) < 0)
		return sg_fail(&c->err, -EINVAL, "%s", err);
	sla_free(sla);
	f = fopen(argv[1], "re");
	if (!f)
		return sg_fail(&c->err, -errno, "%s: %m", argv[1]);
	text = malloc(4 << 20);
	if (text)
		len = fread(text, 1, 4 << 20, f);
	fclose(f);
	if (!text)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	ret = bus_open(c, file, &b);
	if (!ret && sla_composite_node(b.comp, NULL, argv[0]) < 0)
		ret = sg_fail(&c->err, -ENOENT, "%s: composite SLA %s has no node %s",
			      file, b.comp->name, argv[0]);
	if (!ret && js_KeyValue(&kv, b.js, SLA_FLEET_BUCKET_SLA) != NATS_OK)
		ret = sg_fail(&c->err, -ENOENT, "no bucket " SLA_FLEET_BUCKET_SLA
			      ": slaguard-coord creates it, is it running?");
	if (!ret && kvStore_Put(&rev, kv, argv[0], text, (int)len) != NATS_OK)
		ret = sg_fail(&c->err, -EIO, "putting %s's SLA: %s", argv[0],
			      nats_GetLastError(NULL));
	if (!ret)
		printf("%s: deployed to %s as revision %" PRIu64 "\n", argv[1], argv[0], rev);
	if (!ret && wait_s)
		ret = wait_node(c, &b, argv[0], rev, wait_s);
	kvStore_Destroy(kv);
	bus_close(&b);
	free(text);
	return ret;
}

int cmd_fleet(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "status", fleet_status, "this node on the fleet's bus" },
		{ "nodes", fleet_nodes, "the composite SLA's nodes" },
		{ "alerts", fleet_alerts, "the composite SLOs and the nodes' alerts" },
		{ "deploy", fleet_deploy, "deploy a node's SLA" },
	};

	return ctl_dispatch(c, "fleet", cmds, sizeof(cmds) / sizeof(cmds[0]),
			    "status", fleet_usage, argc, argv);
}
