// SPDX-License-Identifier: GPL-2.0
/*
 * sgnl-raw - send one deliberately malformed request to the slaguard generic
 * netlink family and report how the kernel answered, so VM tests can prove
 * the module's policies reject bad input with a useful extended ack.
 *
 *   sgnl-raw CASE    prints "errno=<NAME> extack=<message> want=<NAME>";
 *                    exits 0 if the kernel refused the request with the
 *                    errno the case expects (and, where the case names one,
 *                    an extended ack holding the expected words), 1 if it
 *                    accepted the request, 2 if the tool itself failed, 3 if
 *                    it refused the request otherwise
 *   sgnl-raw list    prints the cases: name, expected errno, description
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "genl.h"
#include "genl_config.h"

#define UNKNOWN_ATTR	200
#define UNKNOWN_CMD	250

/*
 * One attribute of a request: an integer, LEN raw bytes (a string literal
 * keeps its NUL), or LEN times 'a' and a NUL.
 */
struct rattr {
	enum { R_NONE, R_U8, R_U32, R_U64, R_RAW, R_FILL } kind;
	uint16_t type;
	uint64_t v;
	const void *raw;
	size_t len;
};

#define U8(t, val)	{ R_U8, (t), (val), NULL, 0 }
#define U32(t, val)	{ R_U32, (t), (val), NULL, 0 }
#define U64(t, val)	{ R_U64, (t), (val), NULL, 0 }
#define RAW(t, bytes)	{ R_RAW, (t), 0, (bytes), sizeof(bytes) }
#define FILL(t, n)	{ R_FILL, (t), 0, NULL, (n) }

struct rcase {
	const char *name;
	uint8_t cmd;
	uint16_t nest;		/* the attributes' nest; 0: no nest at all */
	struct rattr attrs[3];	/* up to the first R_NONE */
	int want;		/* the errno the kernel is meant to answer */
	const char *want_msg;	/* words of the module's extended ack, or NULL */
	bool twice;		/* send it twice; the second answer counts */
	const char *help;
};

static const uint8_t addr7[7] = { 10, 0, 0, 1, 0, 0, 0 };
static const uint8_t net10[4] = { 10, 0, 0, 0 };
static const uint8_t u64_1000[8] = { 0xe8, 0x03 };	/* little endian */
/* 16 characters: one more than a command name holds */
static const char comm16[] = "sgnlraw-16-chars";
static const char comm_nonul[6] = { 's', 'g', 'r', 'a', 'w', 'x' };
static const char empty[] = "";

#define MSG_ONE_SELECTOR	"exactly one of pid, comm and cgroup"
#define MSG_NO_CGROUP		"no such cgroup v2 directory"

static const struct rcase cases[] = {
	/* thresholds and watch rules */
	{ .name = "thr-window-range", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U32(SLAGUARD_THR_WINDOW_MS, 5) }, .want = ERANGE,
	  .help = "SET_THRESHOLDS with WINDOW_MS=5, below SLAGUARD_WINDOW_MS_MIN" },
	{ .name = "thr-short-attr", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U8(SLAGUARD_THR_WINDOW_MS, 200) }, .want = EINVAL,
	  .help = "SET_THRESHOLDS with WINDOW_MS as a 1-byte attribute" },
	{ .name = "watch-bad-addr", .cmd = SLAGUARD_CMD_ADD_WATCH,
	  .nest = SLAGUARD_A_WATCH,
	  .attrs = { U8(SLAGUARD_WATCH_FAMILY, AF_INET),
		     RAW(SLAGUARD_WATCH_SRC_ADDR, addr7) },
	  .want = EINVAL, .want_msg = "address length does not match",
	  .help = "ADD_WATCH, AF_INET, with a 7-byte SRC_ADDR" },
	{ .name = "watch-bad-plen", .cmd = SLAGUARD_CMD_ADD_WATCH,
	  .nest = SLAGUARD_A_WATCH,
	  .attrs = { U8(SLAGUARD_WATCH_FAMILY, AF_INET),
		     RAW(SLAGUARD_WATCH_SRC_ADDR, net10),
		     U8(SLAGUARD_WATCH_SRC_PLEN, 40) },
	  .want = ERANGE, .want_msg = "prefix length too long",
	  .help = "ADD_WATCH, AF_INET, 10.0.0.0 with SRC_PLEN 40" },
	{ .name = "unknown-attr", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U32(UNKNOWN_ATTR, 1) }, .want = EINVAL,
	  .help = "SET_THRESHOLDS nest holding attribute type 200" },
	{ .name = "unknown-cmd", .cmd = UNKNOWN_CMD, .want = EOPNOTSUPP,
	  .help = "command 250" },
	{ .name = "no-nest", .cmd = SLAGUARD_CMD_ADD_WATCH, .want = EINVAL,
	  .help = "ADD_WATCH without SLAGUARD_A_WATCH" },
	{ .name = "bad-dir", .cmd = SLAGUARD_CMD_ADD_WATCH,
	  .nest = SLAGUARD_A_WATCH,
	  .attrs = { U8(SLAGUARD_WATCH_DIRECTION, 9) }, .want = ERANGE,
	  .help = "ADD_WATCH with DIRECTION 9" },

	/* thresholds of the system monitor */
	{ .name = "thr-cpu-samples-zero", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U32(SLAGUARD_THR_CPU_SAMPLES, 0) }, .want = ERANGE,
	  .help = "SET_THRESHOLDS with CPU_SAMPLES 0 (at least 1)" },
	{ .name = "thr-cpu-pct-short", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U8(SLAGUARD_THR_CPU_PCT, 50) }, .want = EINVAL,
	  .help = "SET_THRESHOLDS with CPU_PCT as a 1-byte attribute" },
	{ .name = "thr-mem-rss-short", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U32(SLAGUARD_THR_MEM_RSS, 1000000) }, .want = EINVAL,
	  .help = "SET_THRESHOLDS with MEM_RSS (u64) as a 4-byte attribute" },
	{ .name = "thr-proc-events-long", .cmd = SLAGUARD_CMD_SET_THRESHOLDS,
	  .nest = SLAGUARD_A_THRESHOLDS,
	  .attrs = { U64(SLAGUARD_THR_PROC_EVENTS, 10) }, .want = EINVAL,
	  .help = "SET_THRESHOLDS with PROC_EVENTS (u32) as an 8-byte attribute" },

	/* task watches: adding */
	{ .name = "twatch-no-nest", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .want = EINVAL,
	  .help = "ADD_TASK_WATCH without SLAGUARD_A_TASK_WATCH" },
	{ .name = "twatch-no-selector", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_ID, 77) },
	  .want = EINVAL, .want_msg = MSG_ONE_SELECTOR,
	  .help = "ADD_TASK_WATCH with an ID but no PID, COMM or CGROUP" },
	{ .name = "twatch-two-selectors", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_PID, 1),
		     RAW(SLAGUARD_TWATCH_COMM, "sgraw") },
	  .want = EINVAL, .want_msg = MSG_ONE_SELECTOR,
	  .help = "ADD_TASK_WATCH with both PID 1 and COMM \"sgraw\"" },
	{ .name = "twatch-comm-long", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_COMM, comm16) }, .want = EINVAL,
	  .help = "ADD_TASK_WATCH with a 16-character COMM (at most 15)" },
	{ .name = "twatch-comm-empty", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_COMM, empty) },
	  .want = EINVAL, .want_msg = "command name is empty",
	  .help = "ADD_TASK_WATCH with COMM \"\" (only the NUL)" },
	{ .name = "twatch-comm-nonul", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_COMM, comm_nonul) }, .want = EINVAL,
	  .help = "ADD_TASK_WATCH with a COMM of 6 bytes and no NUL" },
	{ .name = "twatch-pid-zero", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_PID, 0) }, .want = ERANGE,
	  .help = "ADD_TASK_WATCH with PID 0" },
	{ .name = "twatch-pid-negative", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_PID, 0xffffffff) }, .want = ERANGE,
	  .help = "ADD_TASK_WATCH with PID 4294967295 (-1 as u32: no process has it)" },
	{ .name = "twatch-pid-short", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U8(SLAGUARD_TWATCH_PID, 1) }, .want = EINVAL,
	  .help = "ADD_TASK_WATCH with PID as a 1-byte attribute" },
	{ .name = "twatch-id-zero", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_ID, 0),
		     RAW(SLAGUARD_TWATCH_COMM, "sgraw") }, .want = ERANGE,
	  .help = "ADD_TASK_WATCH with ID 0" },
	{ .name = "twatch-id-exists", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_ID, 77),
		     RAW(SLAGUARD_TWATCH_COMM, "sgraw") },
	  .want = EEXIST, .want_msg = "a task watch with this id exists",
	  .twice = true,
	  .help = "ADD_TASK_WATCH with ID 77 twice (the first is removed after)" },
	{ .name = "twatch-dump-only", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_COMM, "sgraw"),
		     U32(SLAGUARD_TWATCH_TASKS, 1) }, .want = EINVAL,
	  .help = "ADD_TASK_WATCH with TASKS, a dump-only attribute" },
	{ .name = "twatch-cgroup-empty", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_CGROUP, empty) },
	  .want = EINVAL, .want_msg = "cgroup path is empty",
	  .help = "ADD_TASK_WATCH with CGROUP \"\"" },
	{ .name = "twatch-cgroup-missing", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_CGROUP, "/sgnl-raw-no-such-cgroup") },
	  .want = ENOENT, .want_msg = MSG_NO_CGROUP,
	  .help = "ADD_TASK_WATCH with CGROUP \"/sgnl-raw-no-such-cgroup\"" },
	{ .name = "twatch-cgroup-dotdot", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_CGROUP, "/..") },
	  .want = ENOENT, .want_msg = MSG_NO_CGROUP,
	  .help = "ADD_TASK_WATCH with CGROUP \"/..\" (above the cgroup2 root)" },
	{ .name = "twatch-cgroup-relative", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_CGROUP, "../../sys") },
	  .want = ENOENT, .want_msg = MSG_NO_CGROUP,
	  .help = "ADD_TASK_WATCH with CGROUP \"../../sys\" (relative, climbing up)" },
	{ .name = "twatch-cgroup-file", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_CGROUP, "/cgroup.procs") },
	  .want = ENOTDIR, .want_msg = MSG_NO_CGROUP,
	  .help = "ADD_TASK_WATCH with CGROUP \"/cgroup.procs\", a file" },
	{ .name = "twatch-cgroup-long", .cmd = SLAGUARD_CMD_ADD_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { FILL(SLAGUARD_TWATCH_CGROUP, 4096) }, .want = EINVAL,
	  .help = "ADD_TASK_WATCH with a 4096-character CGROUP (at most 4095)" },

	/* task watches: deleting */
	{ .name = "twdel-no-nest", .cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
	  .want = EINVAL,
	  .help = "DEL_TASK_WATCH without SLAGUARD_A_TASK_WATCH" },
	{ .name = "twdel-no-id", .cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { RAW(SLAGUARD_TWATCH_COMM, "sgraw") },
	  .want = EINVAL, .want_msg = "deleting needs SLAGUARD_TWATCH_ID",
	  .help = "DEL_TASK_WATCH with a COMM but no ID" },
	{ .name = "twdel-unknown-id", .cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_ID, 4000000000u) },
	  .want = ENOENT, .want_msg = "no task watch with this id",
	  .help = "DEL_TASK_WATCH with ID 4000000000, which does not exist" },
	{ .name = "twdel-id-zero", .cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U32(SLAGUARD_TWATCH_ID, 0) }, .want = ERANGE,
	  .help = "DEL_TASK_WATCH with ID 0" },
	{ .name = "twdel-id-short", .cmd = SLAGUARD_CMD_DEL_TASK_WATCH,
	  .nest = SLAGUARD_A_TASK_WATCH,
	  .attrs = { U8(SLAGUARD_TWATCH_ID, 1) }, .want = EINVAL,
	  .help = "DEL_TASK_WATCH with ID as a 1-byte attribute" },

	/* sampler settings */
	{ .name = "sched-no-nest", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .want = EINVAL,
	  .help = "SET_SCHED without SLAGUARD_A_SCHED" },
	{ .name = "sched-period-low", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .nest = SLAGUARD_A_SCHED,
	  .attrs = { U32(SLAGUARD_SCHED_PERIOD_MS, SLAGUARD_PERIOD_MS_MIN - 1) },
	  .want = ERANGE,
	  .help = "SET_SCHED with PERIOD_MS 99, below SLAGUARD_PERIOD_MS_MIN" },
	{ .name = "sched-period-high", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .nest = SLAGUARD_A_SCHED,
	  .attrs = { U32(SLAGUARD_SCHED_PERIOD_MS, SLAGUARD_PERIOD_MS_MAX + 1) },
	  .want = ERANGE,
	  .help = "SET_SCHED with PERIOD_MS 60001, above SLAGUARD_PERIOD_MS_MAX" },
	{ .name = "sched-period-short", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .nest = SLAGUARD_A_SCHED,
	  .attrs = { U8(SLAGUARD_SCHED_PERIOD_MS, 200) }, .want = EINVAL,
	  .help = "SET_SCHED with PERIOD_MS as a 1-byte attribute" },
	{ .name = "sched-period-long", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .nest = SLAGUARD_A_SCHED,
	  .attrs = { RAW(SLAGUARD_SCHED_PERIOD_MS, u64_1000) }, .want = EINVAL,
	  .help = "SET_SCHED with PERIOD_MS 1000 as an 8-byte attribute" },
	{ .name = "sched-unknown-attr", .cmd = SLAGUARD_CMD_SET_SCHED,
	  .nest = SLAGUARD_A_SCHED,
	  .attrs = { U32(UNKNOWN_ATTR, 1) }, .want = EINVAL,
	  .help = "SET_SCHED nest holding attribute type 200" },
};

static void build(struct nlmsghdr *nlh, const struct rcase *rc)
{
	static char fill[PATH_MAX + 1];
	struct nlattr *nest;
	const struct rattr *a;

	if (!rc->nest)
		return;
	nest = mnl_attr_nest_start(nlh, rc->nest);
	for (a = rc->attrs; a < rc->attrs + 3 && a->kind != R_NONE; a++) {
		if (a->kind == R_U8) {
			mnl_attr_put_u8(nlh, a->type, (uint8_t)a->v);
		} else if (a->kind == R_U32) {
			mnl_attr_put_u32(nlh, a->type, (uint32_t)a->v);
		} else if (a->kind == R_U64) {
			mnl_attr_put_u64(nlh, a->type, a->v);
		} else if (a->kind == R_FILL) {
			memset(fill, 'a', a->len);
			fill[a->len] = '\0';
			mnl_attr_put(nlh, a->type, a->len + 1, fill);
		} else {
			mnl_attr_put(nlh, a->type, a->len, a->raw);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* What an add request created: the reply's nest and ID (WATCH_ID, TWATCH_ID). */
struct created {
	uint16_t nest;
	uint32_t id;
};

static int id_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == SLAGUARD_WATCH_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int id_reply(const struct nlmsghdr *nlh, void *data)
{
	struct created *c = data;
	const struct nlattr *nest = sg_genl_nest(nlh, c->nest);

	if (nest)
		mnl_attr_parse_nested(nest, id_attr, &c->id);
	return MNL_CB_OK;
}

/* A watch or task watch the kernel should have refused must not outlive the test. */
static void remove_created(struct sg_genl *g, const struct created *c)
{
	char buf[SG_GENL_REQSIZE];
	struct nlmsghdr *nlh;

	if (!c->id)
		return;
	if (c->nest == SLAGUARD_A_TASK_WATCH)
		nlh = sg_build_nest_u32(buf, g->family_id,
					SLAGUARD_CMD_DEL_TASK_WATCH,
					SLAGUARD_A_TASK_WATCH,
					SLAGUARD_TWATCH_ID, c->id);
	else
		nlh = sg_watch_build_del(buf, g->family_id, c->id);
	if (sg_genl_talk(g, nlh, NULL, NULL) < 0)
		fprintf(stderr, "sgnl-raw: could not remove %s %u\n",
			c->nest == SLAGUARD_A_TASK_WATCH ? "task watch" : "watch",
			c->id);
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

/* Send the case's request once; 0 or the kernel's negative errno. */
static int send_case(struct sg_genl *g, const struct rcase *rc,
		     struct created *made)
{
	char buf[SG_GENL_REQSIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = sg_genl_msg(buf, g->family_id, SLAGUARD_GENL_VERSION, rc->cmd, 0);
	build(nlh, rc);
	made->nest = rc->cmd == SLAGUARD_CMD_ADD_TASK_WATCH ?
		     SLAGUARD_A_TASK_WATCH : SLAGUARD_A_WATCH;
	made->id = 0;
	ret = sg_genl_talk(g, nlh,
			   rc->cmd == SLAGUARD_CMD_ADD_WATCH ||
			   rc->cmd == SLAGUARD_CMD_ADD_TASK_WATCH ?
			   id_reply : NULL, made);
	if (ret < 0 && !g->kernel_error) {
		fprintf(stderr, "sgnl-raw: %s: %s\n", rc->name, strerror(-ret));
		return 1;
	}
	return g->kernel_error;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: sgnl-raw CASE | list\n"
		   "Sends one malformed request to the \"%s\" generic netlink family.\n"
		   "Prints errno=<NAME> extack=<message> want=<NAME>; exits 0 if the\n"
		   "kernel refused it as the case expects, 1 if it accepted it, 2 if\n"
		   "the tool failed, 3 if the kernel refused it otherwise.\n"
		   "'list' prints each case's name, expected errno and description.\n",
		SLAGUARD_GENL_NAME);
}

int main(int argc, char **argv)
{
	const struct rcase *rc = NULL;
	struct created first = { 0 }, made = { 0 };
	struct sg_genl g;
	size_t i;
	int ret, status;

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
			printf("%-22s %-10s %s\n", cases[i].name,
			       errno_name(cases[i].want), cases[i].help);
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
	if (rc->twice) {
		/* The first one must be accepted: the second is the case. */
		ret = send_case(&g, rc, &first);
		if (ret) {
			fprintf(stderr, "sgnl-raw: %s: the first request was refused: %s (%s)\n",
				rc->name, ret > 0 ? "tool error" : errno_name(-ret),
				g.extack);
			sg_genl_close(&g);
			return 2;
		}
	}
	ret = send_case(&g, rc, &made);
	if (ret > 0) {
		remove_created(&g, &first);
		sg_genl_close(&g);
		return 2;
	}
	printf("errno=%s extack=%s want=%s\n", ret ? errno_name(-ret) : "0",
	       g.extack, errno_name(rc->want));
	if (!ret)
		status = 1;
	else if (-ret != rc->want ||
		 (rc->want_msg && !strstr(g.extack, rc->want_msg)))
		status = 3;
	else
		status = 0;
	if (status == 3 && rc->want_msg)
		printf("expected errno=%s with an extended ack holding \"%s\"\n",
		       errno_name(rc->want), rc->want_msg);
	if (!ret)
		remove_created(&g, &made);
	remove_created(&g, &first);
	sg_genl_close(&g);
	return status;
}
