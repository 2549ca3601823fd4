// SPDX-License-Identifier: GPL-2.0
/*
 * sgnl-raw - send one deliberately malformed request to the slaguard generic
 * netlink family and report how the kernel answered, so VM tests can prove
 * the module's policies reject bad input with a useful extended ack.
 *
 *   sgnl-raw CASE    prints "errno=<NAME> extack=<message>"; exits 0 if the
 *                    kernel answered with an error, 1 if it accepted the
 *                    request, 2 if the tool itself failed
 *   sgnl-raw list    prints the cases
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "genl.h"
#include "genl_config.h"

#define UNKNOWN_ATTR	200
#define UNKNOWN_CMD	250

/* One attribute of a request: an integer, or LEN raw bytes. */
struct rattr {
	enum { R_NONE, R_U8, R_U32, R_RAW } kind;
	uint16_t type;
	uint32_t v;
	const void *raw;
	size_t len;
};

#define U8(t, val)	{ R_U8, (t), (val), NULL, 0 }
#define U32(t, val)	{ R_U32, (t), (val), NULL, 0 }
#define RAW(t, bytes)	{ R_RAW, (t), 0, (bytes), sizeof(bytes) }

struct rcase {
	const char *name;
	uint8_t cmd;
	uint16_t nest;		/* the attributes' nest; 0: no nest at all */
	struct rattr attrs[3];	/* up to the first R_NONE */
	const char *help;
};

static const uint8_t addr7[7] = { 10, 0, 0, 1, 0, 0, 0 };
static const uint8_t net10[4] = { 10, 0, 0, 0 };

static const struct rcase cases[] = {
	{ "thr-window-range", SLAGUARD_CMD_SET_THRESHOLDS, SLAGUARD_A_THRESHOLDS,
	  { U32(SLAGUARD_THR_WINDOW_MS, 5) },
	  "SET_THRESHOLDS with WINDOW_MS=5, below SLAGUARD_WINDOW_MS_MIN" },
	{ "thr-short-attr", SLAGUARD_CMD_SET_THRESHOLDS, SLAGUARD_A_THRESHOLDS,
	  { U8(SLAGUARD_THR_WINDOW_MS, 200) },
	  "SET_THRESHOLDS with WINDOW_MS as a 1-byte attribute" },
	{ "watch-bad-addr", SLAGUARD_CMD_ADD_WATCH, SLAGUARD_A_WATCH,
	  { U8(SLAGUARD_WATCH_FAMILY, AF_INET),
	    RAW(SLAGUARD_WATCH_SRC_ADDR, addr7) },
	  "ADD_WATCH, AF_INET, with a 7-byte SRC_ADDR" },
	{ "watch-bad-plen", SLAGUARD_CMD_ADD_WATCH, SLAGUARD_A_WATCH,
	  { U8(SLAGUARD_WATCH_FAMILY, AF_INET),
	    RAW(SLAGUARD_WATCH_SRC_ADDR, net10),
	    U8(SLAGUARD_WATCH_SRC_PLEN, 40) },
	  "ADD_WATCH, AF_INET, 10.0.0.0 with SRC_PLEN 40" },
	{ "unknown-attr", SLAGUARD_CMD_SET_THRESHOLDS, SLAGUARD_A_THRESHOLDS,
	  { U32(UNKNOWN_ATTR, 1) },
	  "SET_THRESHOLDS nest holding attribute type 200" },
	{ "unknown-cmd", UNKNOWN_CMD, 0, { { R_NONE } },
	  "command 250" },
	{ "no-nest", SLAGUARD_CMD_ADD_WATCH, 0, { { R_NONE } },
	  "ADD_WATCH without SLAGUARD_A_WATCH" },
	{ "bad-dir", SLAGUARD_CMD_ADD_WATCH, SLAGUARD_A_WATCH,
	  { U8(SLAGUARD_WATCH_DIRECTION, 9) },
	  "ADD_WATCH with DIRECTION 9" },
};

static void build(struct nlmsghdr *nlh, const struct rcase *rc)
{
	struct nlattr *nest;
	const struct rattr *a;

	if (!rc->nest)
		return;
	nest = mnl_attr_nest_start(nlh, rc->nest);
	for (a = rc->attrs; a < rc->attrs + 3 && a->kind != R_NONE; a++) {
		if (a->kind == R_U8)
			mnl_attr_put_u8(nlh, a->type, (uint8_t)a->v);
		else if (a->kind == R_U32)
			mnl_attr_put_u32(nlh, a->type, a->v);
		else
			mnl_attr_put(nlh, a->type, a->len, a->raw);
	}
	mnl_attr_nest_end(nlh, nest);
}

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static int watch_id_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == SLAGUARD_WATCH_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int watch_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_WATCH);

	if (nest)
		mnl_attr_parse_nested(nest, watch_id_attr, data);
	return MNL_CB_OK;
}

/* A watch the kernel should have refused must not outlive the test. */
static void remove_watch(struct sg_genl *g, uint32_t id)
{
	char buf[SG_GENL_REQSIZE];

	if (sg_genl_talk(g, sg_watch_build_del(buf, g->family_id, id), NULL,
			 NULL) < 0)
		fprintf(stderr, "sgnl-raw: could not remove watch %u\n", id);
}

static const char *errno_name(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: sgnl-raw CASE | list\n"
		   "Sends one malformed request to the \"%s\" generic netlink family.\n"
		   "Prints errno=<NAME> extack=<message>; exits 0 if the kernel answered\n"
		   "with an error, 1 if it accepted the request, 2 if the tool failed.\n",
		SLAGUARD_GENL_NAME);
}

int main(int argc, char **argv)
{
	const struct rcase *rc = NULL;
	char buf[SG_GENL_REQSIZE];
	struct nlmsghdr *nlh;
	struct sg_genl g;
	uint32_t watch_id = 0;
	size_t i;
	int ret;

	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0) {
		for (i = 0; i < NCASES; i++)
			printf("%-18s %s\n", cases[i].name, cases[i].help);
		return 0;
	}
	for (i = 0; i < NCASES; i++)
		if (strcmp(argv[1], cases[i].name) == 0)
			rc = &cases[i];
	if (!rc) {
		fprintf(stderr, "sgnl-raw: unknown case '%s'; see 'sgnl-raw list'\n",
			argv[1]);
		return 2;
	}

	ret = sg_genl_open(&g, SLAGUARD_GENL_NAME, NULL);
	if (ret < 0) {
		fprintf(stderr, "sgnl-raw: cannot resolve family \"%s\": %s\n",
			SLAGUARD_GENL_NAME, strerror(-ret));
		return 2;
	}
	nlh = sg_genl_msg(buf, g.family_id, SLAGUARD_GENL_VERSION, rc->cmd, 0);
	build(nlh, rc);
	ret = sg_genl_talk(&g, nlh,
			   rc->cmd == SLAGUARD_CMD_ADD_WATCH ? watch_reply : NULL,
			   &watch_id);
	if (ret < 0 && !g.kernel_error) {
		fprintf(stderr, "sgnl-raw: %s: %s\n", rc->name, strerror(-ret));
		sg_genl_close(&g);
		return 2;
	}
	printf("errno=%s extack=%s\n",
	       g.kernel_error ? errno_name(-g.kernel_error) : "0", g.extack);
	if (!g.kernel_error && watch_id)
		remove_watch(&g, watch_id);
	sg_genl_close(&g);
	return g.kernel_error ? 0 : 1;
}
