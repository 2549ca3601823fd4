// SPDX-License-Identifier: GPL-2.0
/* "countermeasures": what slaguardd enforces now, and revoking it early. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control_client.h"
#include "ctl.h"
#include "output.h"

const char countermeasures_usage[] =
	"Usage: " PROG " [-j] [--control PATH] countermeasures [list]\n"
	"       " PROG " [-j] [--control PATH] countermeasures revoke ID\n"
	"\n"
	"list    the active countermeasures: id, action, target, time left, the\n"
	"        alert and the SLO or rule behind it (the default command)\n"
	"revoke  lift countermeasure ID (e.g. C3) now, before it expires\n"
	"\n"
	"Each one is also an element of `table inet slaguard` with a timeout, so it\n"
	"expires in the kernel even when slaguardd is gone: nft list table inet slaguard\n";

/* "4m59s", from remaining_s. */
static const char *remaining(struct json_object *cm, char *buf, size_t size)
{
	struct json_object *r = cc_get(cm, "remaining_s", json_type_int);

	if (!r) {
		r = cc_get(cm, "remaining_s", json_type_double);
		if (!r)
			return "-";
	}
	if (json_object_get_double(r) < 0)
		return "-";
	sg_format_duration_ms((uint64_t)(json_object_get_double(r) * 1000), buf,
			      size);
	return buf;
}

static const char *action(struct json_object *cm, char *buf, size_t size)
{
	struct json_object *dry = cc_get(cm, "dry_run", json_type_boolean);
	char a[96];

	snprintf(buf, size, "%s%s", cc_text(cm, "action", a, sizeof(a)),
		 dry && json_object_get_boolean(dry) ? " (dry run)" : "");
	return buf;
}

int cc_print_countermeasures(struct json_object *cms, FILE *f)
{
	static const struct sg_column cols[] = {
		{ "ID", false }, { "ACTION", false }, { "TARGET", false },
		{ "LEFT", true }, { "EXPIRES", false }, { "ALERT", false },
		{ "REF", false },
	};
	size_t i, n = cms ? json_object_array_length(cms) : 0;
	char b[7][128];
	struct sg_table *t;
	int ret = 0;

	if (n == 0) {
		fprintf(f, "no active countermeasures\n");
		return 0;
	}
	t = sg_table_new(cols, sizeof(cols) / sizeof(cols[0]));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < n && ret == 0; i++) {
		struct json_object *cm = json_object_array_get_idx(cms, i);
		const char *cells[] = {
			cc_text(cm, "id", b[0], sizeof(b[0])),
			action(cm, b[1], sizeof(b[1])),
			cc_text(cm, "target", b[2], sizeof(b[2])),
			remaining(cm, b[3], sizeof(b[3])),
			cc_text(cm, "expires", b[4], sizeof(b[4])),
			cc_text(cm, "alert", b[5], sizeof(b[5])),
			cc_text(cm, "ref", b[6], sizeof(b[6])),
		};

		ret = sg_table_add(t, cells);
	}
	if (ret == 0)
		sg_table_print(t, f);
	sg_table_free(t);
	return ret;
}

static int cm_list(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp;
	int ret;

	if (argc > 0)
		return sg_usage(&c->err, "'countermeasures list' takes no arguments, not '%s'",
				argv[0]);
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "countermeasures");
	ret = cc_call(cc_path(c->control), req, &resp, "countermeasures",
		      &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json)
		ret = sg_json_print(resp, stdout);
	else if (cc_print_countermeasures(cc_get(resp, "countermeasures",
						 json_type_array), stdout) < 0)
		ret = sg_fail(&c->err, -ENOMEM, "out of memory");
	json_object_put(resp);
	return ret;
}

static int cm_revoke(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp;
	char what[96];
	int ret;

	if (argc != 1 || !argv[0][0])
		return sg_usage(&c->err, "'countermeasures revoke' needs one countermeasure ID, e.g. C3 (see 'countermeasures list')");
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "revoke");
	sg_json_add_str(req, "id", argv[0]);
	snprintf(what, sizeof(what), "countermeasures revoke %.60s", argv[0]);
	ret = cc_call(cc_path(c->control), req, &resp, what, &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json)
		ret = sg_json_print(resp, stdout);
	else
		printf("revoked %s\n", argv[0]);
	json_object_put(resp);
	return ret;
}

int cmd_countermeasures(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "list", cm_list, "active countermeasures" },
		{ "revoke", cm_revoke, "lift a countermeasure now" },
	};

	return ctl_dispatch(c, "countermeasures", cmds,
			    sizeof(cmds) / sizeof(cmds[0]), "list",
			    countermeasures_usage, argc, argv);
}
