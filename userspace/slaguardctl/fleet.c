// SPDX-License-Identifier: GPL-2.0
/*
 * "fleet status": how the running slaguardd is doing on the fleet's bus
 * (the "fleet" object of its status): connected or not, what it
 * published, what it received and what became of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "control_client.h"
#include "ctl.h"
#include "output.h"

const char fleet_usage[] =
	"Usage: " PROG " [-j] [--control PATH] fleet status\n"
	"\n"
	"status  this node on the fleet's NATS JetStream bus: connected or not,\n"
	"        messages published, queued and dropped, decisions of other\n"
	"        nodes received, applied, refused (allowlist, guard, cap),\n"
	"        skipped (expired, duplicate) and malformed (the default command)\n"
	"\n"
	"slaguardd's control socket is " CC_DEFAULT_PATH ", or $" CC_PATH_ENV ",\n"
	"or --control PATH.\n";

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

int cmd_fleet(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "status", fleet_status, "this node on the fleet's bus" },
	};

	return ctl_dispatch(c, "fleet", cmds, sizeof(cmds) / sizeof(cmds[0]),
			    "status", fleet_usage, argc, argv);
}
