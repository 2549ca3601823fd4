// SPDX-License-Identifier: GPL-2.0
/* "countermeasures": what slaguardd enforces now, and revoking it early. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control_client.h"
#include "ctl.h"
#include "output.h"
#include "sla.h"

const char countermeasures_usage[] =
	"Usage: " PROG " [-j] [--control PATH] countermeasures [list]\n"
	"       " PROG " [-j] [--control PATH] countermeasures revoke ID|ADDR|PREFIX\n"
	"       " PROG " [-j] [--control PATH] countermeasures add block ADDR|PREFIX\n"
	"                 [for DURATION] [reason TEXT]\n"
	"       " PROG " [-j] [--control PATH] countermeasures add allow ADDR|PREFIX\n"
	"                 [for DURATION] [reason TEXT]\n"
	"\n"
	"list       the active countermeasures: id, action, target, time left, the\n"
	"           alert and the SLO or rule behind it, or \"operator uid N\" for\n"
	"           an operator's (the default command)\n"
	"revoke     lift countermeasure ID (e.g. C3) now, before it expires, or\n"
	"           every one on an address or prefix as listed (192.0.2.7); an\n"
	"           allow's ID ends the allow\n"
	"add block  block an address or a CIDR prefix (192.0.2.7, 198.51.100.0/24,\n"
	"           2001:db8::/48) as the policy's block-source would: refused, with\n"
	"           the reason, for an allowlisted or protected address (the host's\n"
	"           own, its gateways and resolvers, loopback, multicast, link-local)\n"
	"           and at the cap (defaults.max_actions). DURATION like 30m, 12h,\n"
	"           7d (1s to 30d; default 1h), lengthened by defaults.repeat for a\n"
	"           repeat offender\n"
	"add allow  allowlist an address or prefix (default 24h): what is in force\n"
	"           on it is lifted, and nothing acts on it until it ends\n"
	"reason     free text kept with the countermeasure and in the history\n"
	"\n"
	"Operator actions need root (the control socket admits root only); the\n"
	"uid is recorded.\n"
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

/* "operator uid 0: reason" for an operator's, else the SLO or rule. */
static const char *operator_ref(struct json_object *cm, char *buf, char *tmp,
				size_t size)
{
	char origin[32], uid[16];
	const char *why;
	bool has;

	if (strcmp(cc_text(cm, "origin", origin, sizeof(origin)), "operator"))
		return cc_text(cm, "ref", buf, size);
	why = cc_text(cm, "reason", tmp, size);
	has = strcmp(why, "-") != 0;
	snprintf(buf, size, "operator uid %s%s%.90s", cc_text(cm, "uid", uid, sizeof(uid)),
		 has ? ": " : "", has ? why : "");
	return buf;
}

int cc_print_countermeasures(struct json_object *cms, FILE *f)
{
	static const struct sg_column cols[] = {
		{ "ID", false }, { "ACTION", false }, { "TARGET", false },
		{ "LEFT", true }, { "EXPIRES", false }, { "ALERT", false },
		{ "REF", false },
	};
	char who[128];
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
			operator_ref(cm, b[6], who, sizeof(b[6])),
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

	bool by_id;
	struct sla_prefix p;

	if (argc != 1 || !argv[0][0])
		return sg_usage(&c->err, "'countermeasures revoke' needs one countermeasure ID, e.g. C3 (see 'countermeasures list'), or an address or prefix");
	by_id = argv[0][0] == 'C' && argv[0][1] && strspn(argv[0] + 1, "0123456789") == strlen(argv[0] + 1);
	if (!by_id && sla_parse_prefix(argv[0], &p) < 0)
		return sg_usage(&c->err, "'%s' is neither a countermeasure ID like C3 nor an address or prefix like 192.0.2.7 or 198.51.100.0/24",
				argv[0]);
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", "revoke");
	sg_json_add_str(req, by_id ? "id" : "target", argv[0]);
	snprintf(what, sizeof(what), "countermeasures revoke %.60s", argv[0]);
	ret = cc_call(cc_path(c->control), req, &resp, what, &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json)
		ret = sg_json_print(resp, stdout);
	else if (by_id)
		printf("revoked %s\n", argv[0]);
	else
		printf("revoked %s on %s\n", cc_text(resp, "revoked", what, sizeof(what)), argv[0]);
	json_object_put(resp);
	return ret;
}

/* add block|allow ADDR|PREFIX [for DURATION] [reason TEXT] */
static int cm_add(struct ctl *c, int argc, char **argv)
{
	struct json_object *req, *resp, *v;
	const char *dur = NULL, *reason = NULL, *kind;
	char what[160], left[32];
	struct sla_prefix p;
	uint64_t ms;
	int ret, i;

	if (argc < 1 || (strcmp(argv[0], "block") && strcmp(argv[0], "allow")))
		return sg_usage(&c->err, "'countermeasures add' needs block or allow, then an address or prefix, e.g. 'countermeasures add block 192.0.2.7 for 1h reason \"scanner\"'");
	kind = argv[0];
	if (argc < 2 || !argv[1][0])
		return sg_usage(&c->err, "'countermeasures add %s' needs an address or a CIDR prefix, e.g. 192.0.2.7 or 198.51.100.0/24",
				kind);
	ret = sla_parse_prefix(argv[1], &p);
	if (ret == -EDOM) {
		char net[64];

		sla_format_prefix(&p, net, sizeof(net));
		return sg_usage(&c->err, "'%s' has host bits set: did you mean %s?", argv[1], net);
	}
	if (ret < 0)
		return sg_usage(&c->err, "'%s' is not an IPv4 or IPv6 address or a CIDR prefix like 192.0.2.0/24",
				argv[1]);
	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return sg_usage(&c->err, "'%s' needs a value: for DURATION, reason TEXT",
					argv[i]);
		if (!strcmp(argv[i], "for") && !dur)
			dur = argv[i + 1];
		else if (!strcmp(argv[i], "reason") && !reason)
			reason = argv[i + 1];
		else
			return sg_usage(&c->err, "'countermeasures add %s' takes 'for DURATION' and 'reason TEXT', each once, not '%s'",
					kind, argv[i]);
	}
	if (dur && (sla_parse_duration(dur, &ms) < 0 || ms < 1000 ||
		    ms > 30ull * 86400 * 1000))
		return sg_usage(&c->err, "for: expected a duration from 1s to 30d like 30m, 12h or 7d, got '%s'",
				dur);
	req = json_object_new_object();
	if (!req)
		return sg_fail(&c->err, -ENOMEM, "out of memory");
	sg_json_add_str(req, "cmd", kind);
	sg_json_add_str(req, "target", argv[1]);
	if (dur)
		sg_json_add_str(req, "for", dur);
	if (reason)
		sg_json_add_str(req, "reason", reason);
	snprintf(what, sizeof(what), "countermeasures add %s %.60s", kind, argv[1]);
	ret = cc_call(cc_path(c->control), req, &resp, what, &c->err);
	json_object_put(req);
	if (ret < 0)
		return ret;
	if (c->json) {
		ret = sg_json_print(resp, stdout);
	} else {
		char id[24], target[96], rep[16], lifted[16];

		v = cc_get(resp, "remaining_s", json_type_int);
		sg_format_duration_ms(v ? (uint64_t)json_object_get_int64(v) * 1000 : 0,
				      left, sizeof(left));
		printf("%s %s %s for %s", cc_text(resp, "id", id, sizeof(id)),
		       strcmp(kind, "allow") ? "blocked" : "allowed",
		       cc_text(resp, "target", target, sizeof(target)), left);
		if (cc_get(resp, "repeat", json_type_int))
			printf(" (block %s within defaults.repeat.window)",
			       cc_text(resp, "repeat", rep, sizeof(rep)));
		if (cc_get(resp, "lifted", json_type_int))
			printf("; %s countermeasures lifted",
			       cc_text(resp, "lifted", lifted, sizeof(lifted)));
		if (cc_get(resp, "dry_run", json_type_boolean))
			printf(" (dry run: nothing changed)");
		printf("\n");
	}
	json_object_put(resp);
	return ret;
}

int cmd_countermeasures(struct ctl *c, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "list", cm_list, "active countermeasures" },
		{ "revoke", cm_revoke, "lift a countermeasure now" },
		{ "add", cm_add, "block or allow an address or prefix" },
	};

	return ctl_dispatch(c, "countermeasures", cmds,
			    sizeof(cmds) / sizeof(cmds[0]), "list",
			    countermeasures_usage, argc, argv);
}
