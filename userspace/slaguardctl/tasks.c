// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "output.h"
#include "tasks.h"

const char tasks_usage[] =
	"Usage: " PROG " [-j] tasks\n"
	"\n"
	"The watched processes (see 'watch add task') as the module's last sampling\n"
	"pass saw them, busiest first: CPU use in % of one CPU, run-queue wait in ms\n"
	"per second (time spent runnable but not running), voluntary and involuntary\n"
	"context switches, resident memory and threads. Needs CAP_NET_ADMIN in the\n"
	"initial user namespace (root).\n";

const char system_usage[] =
	"Usage: " PROG " [-j] system [show]\n"
	"       " PROG " system set period MS\n"
	"\n"
	"The system as the module's sampler sees it: load, runnable tasks, processes\n"
	"and threads, forks and context switches per second, CPU busy time per CPU,\n"
	"and the sampler's own cost. 'set period' changes the sampling period\n"
	"(" "100-60000 ms).\n";

/* ---- task watches ---- */

int sg_twatch_parse_add(int argc, char **argv, struct sg_twatch *w,
			struct sg_error *e)
{
	const char *key, *val;
	int i = 0, ret;

	memset(w, 0, sizeof(*w));
	if (argc >= 2 && strcmp(argv[0], "id") == 0) {
		ret = sg_parse_u32("id", argv[1], 1, UINT32_MAX, &w->id, e);
		if (ret < 0)
			return ret;
		i = 2;
	}
	if (argc - i != 2)
		return sg_usage(e, "'watch add task' needs one of: pid N, comm NAME, cgroup PATH");
	key = argv[i];
	val = argv[i + 1];
	/* 4194304 is the kernel's PID_MAX_LIMIT: no process has a larger pid */
	if (strcmp(key, "pid") == 0)
		return sg_parse_u32("pid", val, 1, 4194304, &w->pid, e);
	if (strcmp(key, "comm") == 0) {
		if (!val[0] || strlen(val) >= SLAGUARD_COMM_LEN)
			return sg_usage(e, "comm '%s' must have 1-%d characters (the kernel's command name is cut at %d)",
					val, SLAGUARD_COMM_LEN - 1,
					SLAGUARD_COMM_LEN - 1);
		snprintf(w->comm, sizeof(w->comm), "%s", val);
		return 0;
	}
	if (strcmp(key, "cgroup") == 0) {
		const char *p = val;

		/* Accept the mounted path too: /sys/fs/cgroup/a/b is a/b. */
		if (strncmp(p, "/sys/fs/cgroup", 14) == 0 &&
		    (p[14] == '/' || p[14] == '\0'))
			p += 14;
		if (!p[0])
			p = "/";
		if (strlen(p) >= sizeof(w->cgroup))
			return sg_usage(e, "cgroup path is too long");
		snprintf(w->cgroup, sizeof(w->cgroup), "%s", p);
		return 0;
	}
	return sg_usage(e, "unknown argument '%s' for 'watch add task'; expected: pid N, comm NAME or cgroup PATH",
			key);
}

static int id_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_TASK_WATCH);
	struct sg_twatch w;

	if (nest && sg_twatch_decode(nest, &w) == 0)
		*(uint32_t *)data = w.id;
	return MNL_CB_OK;
}

int ctl_twatch_add(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	struct sg_twatch w;
	uint32_t id = 0;
	int ret;

	ret = sg_twatch_parse_add(argc, argv, &w, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	ret = ctl_talk(c, sg_twatch_build_add(req, c->nl.family_id, &w),
		       id_reply_cb, &id, "watch add task");
	if (ret == -ENOENT && w.cgroup[0])
		return sg_fail(&c->err, ret,
			       "watch add task: there is no cgroup '%s' (a directory below /sys/fs/cgroup)",
			       w.cgroup);
	if (ret < 0)
		return ret;
	if (!id)
		return ctl_bad_reply(c, "watch add task",
				     "reply without SLAGUARD_TWATCH_ID");
	return ctl_print_id(c, id);
}

int ctl_twatch_del(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	uint32_t id;
	int ret;

	if (argc == 2 && strcmp(argv[0], "id") == 0)
		argc--, argv++;
	if (argc != 1)
		return sg_usage(&c->err, "'watch del task' needs the id of a task watch: watch del task ID (see 'watch list task')");
	ret = sg_parse_u32("id", argv[0], 1, UINT32_MAX, &id, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	ret = ctl_talk(c, sg_twatch_build_del(req, c->nl.family_id, id),
		       NULL, NULL, "watch del task");
	if (ret == -ENOENT)
		return sg_fail(&c->err, ret,
			       "watch del task: there is no task watch %" PRIu32 " (see 'watch list task')",
			       id);
	return ret;
}

static const struct sg_column twatch_cols[] = {
	{ "ID", true }, { "SELECTS", false }, { "TASKS", true },
	{ "FORKS", true }, { "CPU%", true }, { "FORKS/S", true },
};

static int twatch_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctl_list *l = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_TASK_WATCH);
	char id[16], sel[4200], tasks[16], forks[24], cpu[24], rate[24];
	const char *cells[] = { id, sel, tasks, forks, cpu, rate };
	struct sg_twatch w;

	if (!nest)
		return MNL_CB_OK;
	if (sg_twatch_decode(nest, &w) < 0)
		return ctl_cb_ret(ctl_bad_reply(l->c, "watch list task",
						"SLAGUARD_A_TASK_WATCH"));
	if (l->array) {
		struct json_object *o = json_object_new_object();

		if (!o)
			return ctl_cb_ret(ctl_list_add_json(l, NULL));
		sg_json_add_u64(o, "id", w.id);
		if (w.pid)
			sg_json_add_u64(o, "pid", w.pid);
		if (w.comm[0])
			sg_json_add_str(o, "comm", w.comm);
		if (w.cgroup[0])
			sg_json_add_str(o, "cgroup", w.cgroup);
		if (w.has_tasks)
			sg_json_add_u64(o, "tasks", w.tasks);
		if (w.has_forks)
			sg_json_add_u64(o, "forks", w.forks);
		if (w.has_cgroup_rates) {
			sg_json_add_hundredths(o, "cpu_pct", w.cpu_pct);
			sg_json_add_u64(o, "fork_rate", w.fork_rate);
		}
		return ctl_cb_ret(ctl_list_add_json(l, o));
	}
	snprintf(id, sizeof(id), "%" PRIu32, w.id);
	if (w.pid)
		snprintf(sel, sizeof(sel), "pid %" PRIu32, w.pid);
	else if (w.comm[0])
		snprintf(sel, sizeof(sel), "comm %s", w.comm);
	else
		snprintf(sel, sizeof(sel), "cgroup %s", w.cgroup);
	snprintf(tasks, sizeof(tasks), "%" PRIu32, w.tasks);
	if (w.has_forks)
		snprintf(forks, sizeof(forks), "%" PRIu64, w.forks);
	else
		snprintf(forks, sizeof(forks), "-");
	if (w.has_cgroup_rates) {
		snprintf(cpu, sizeof(cpu), "%.2f", w.cpu_pct / 100.0);
		snprintf(rate, sizeof(rate), "%" PRIu64, w.fork_rate);
	} else {
		snprintf(cpu, sizeof(cpu), "-");
		snprintf(rate, sizeof(rate), "-");
	}
	return ctl_cb_ret(ctl_list_add_row(l, cells));
}

/*
 * List the task watches. QUIET_IF_EMPTY: after the network watches of
 * "watch list", print nothing when there are none (or the module predates
 * them), else a blank line and the table.
 */
int ctl_twatch_list(struct ctl *c, bool quiet_if_empty)
{
	struct ctl_list l = CTL_LIST(c, twatch_cols);

	if (quiet_if_empty)
		l.heading = "\ntask watches:\n";
	return ctl_list_dump(&l, SLAGUARD_CMD_GET_TASK_WATCH, twatch_list_cb,
			     "watch list task");
}

/* ---- task figures, shared with events ---- */

static void add_u64(struct json_object *o, const struct sg_event *ev,
		    const char *key, unsigned int attr)
{
	if (sg_event_has_task(ev, attr))
		sg_json_add_u64(o, key, ev->task_val[attr]);
}

static void add_pct(struct json_object *o, const struct sg_event *ev,
		    const char *key, unsigned int attr)
{
	if (sg_event_has_task(ev, attr))
		sg_json_add_hundredths(o, key, ev->task_val[attr]);
}

void sg_task_json_add(struct json_object *o, const struct sg_event *ev)
{
	if (!ev->task_present)
		return;
	add_u64(o, ev, "pid", SLAGUARD_TASK_PID);
	add_u64(o, ev, "ppid", SLAGUARD_TASK_PPID);
	add_u64(o, ev, "uid", SLAGUARD_TASK_UID);
	if (sg_event_has_task(ev, SLAGUARD_TASK_COMM))
		sg_json_add_str(o, "comm", ev->comm);
	if (sg_event_has_task(ev, SLAGUARD_TASK_FILENAME))
		sg_json_add_str(o, "filename", ev->filename);
	if (sg_event_has_task(ev, SLAGUARD_TASK_CGROUP))
		sg_json_add_str(o, "cgroup", ev->cgroup);
	if (sg_event_has_task(ev, SLAGUARD_TASK_EXIT_CODE)) {
		uint64_t code = ev->task_val[SLAGUARD_TASK_EXIT_CODE];

		sg_json_add_u64(o, "exit_code", code);
		/* wait(2) status: a signal number, or an exit status */
		if (code & 0x7f) {
			sg_json_add_null(o, "exit_status");
			sg_json_add_u64(o, "exit_signal", code & 0x7f);
		} else {
			sg_json_add_u64(o, "exit_status", (code >> 8) & 0xff);
			sg_json_add_null(o, "exit_signal");
		}
	}
	add_u64(o, ev, "task_watch", SLAGUARD_TASK_WATCH_ID);
	add_u64(o, ev, "period_ms", SLAGUARD_TASK_PERIOD_MS);
	add_pct(o, ev, "cpu_pct", SLAGUARD_TASK_CPU_PCT);
	add_u64(o, ev, "cpu_ns", SLAGUARD_TASK_CPU_NS);
	add_u64(o, ev, "run_delay_ms_per_s", SLAGUARD_TASK_RUN_DELAY_MS);
	add_u64(o, ev, "run_delay_ns", SLAGUARD_TASK_RUN_DELAY_NS);
	add_u64(o, ev, "nvcsw", SLAGUARD_TASK_NVCSW);
	add_u64(o, ev, "nivcsw", SLAGUARD_TASK_NIVCSW);
	add_u64(o, ev, "csw_rate", SLAGUARD_TASK_CSW_RATE);
	add_u64(o, ev, "rss", SLAGUARD_TASK_RSS);
	add_u64(o, ev, "threads", SLAGUARD_TASK_THREADS);
}

void sg_task_format(const struct sg_event *ev, char *buf, size_t size)
{
	static const struct {
		unsigned int attr;
		const char *key;
	} ints[] = {
		{ SLAGUARD_TASK_PID, "pid" },
		{ SLAGUARD_TASK_PPID, "ppid" },
		{ SLAGUARD_TASK_UID, "uid" },
		{ SLAGUARD_TASK_WATCH_ID, "task_watch" },
		{ SLAGUARD_TASK_EXIT_CODE, "exit_code" },
		{ SLAGUARD_TASK_RUN_DELAY_MS, "run_delay_ms_per_s" },
		{ SLAGUARD_TASK_NVCSW, "nvcsw" },
		{ SLAGUARD_TASK_NIVCSW, "nivcsw" },
		{ SLAGUARD_TASK_RSS, "rss" },
		{ SLAGUARD_TASK_THREADS, "threads" },
	};
	size_t pos = strlen(buf), i;

	if (sg_event_has_task(ev, SLAGUARD_TASK_COMM))
		sg_append(buf, size, &pos, " comm=%s", ev->comm);
	if (sg_event_has_task(ev, SLAGUARD_TASK_FILENAME))
		sg_append(buf, size, &pos, " filename=%s", ev->filename);
	if (sg_event_has_task(ev, SLAGUARD_TASK_CGROUP))
		sg_append(buf, size, &pos, " cgroup=%s", ev->cgroup);
	if (sg_event_has_task(ev, SLAGUARD_TASK_CPU_PCT))
		sg_append(buf, size, &pos, " cpu=%.2f%%",
		       (double)ev->task_val[SLAGUARD_TASK_CPU_PCT] / 100.0);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (sg_event_has_task(ev, ints[i].attr))
			sg_append(buf, size, &pos, " %s=%" PRIu64, ints[i].key,
			       ev->task_val[ints[i].attr]);
}

/* ---- tasks ---- */

struct tasks_state {
	struct ctl *c;
	struct sg_event *rows;
	size_t n;
	size_t cap;
};

static int tasks_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tasks_state *s = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_TASK);

	if (!nest)
		return MNL_CB_OK;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct sg_event *r = realloc(s->rows, cap * sizeof(*r));

		if (!r)
			return ctl_cb_ret(sg_fail(&s->c->err, -ENOMEM,
						  "out of memory"));
		s->rows = r;
		s->cap = cap;
	}
	memset(&s->rows[s->n], 0, sizeof(s->rows[0]));
	if (sg_task_decode(nest, &s->rows[s->n]) < 0)
		return ctl_cb_ret(ctl_bad_reply(s->c, "tasks", "SLAGUARD_A_TASK"));
	s->n++;
	return MNL_CB_OK;
}

static int by_cpu(const void *a, const void *b)
{
	const struct sg_event *x = a, *y = b;
	uint64_t cx = x->task_val[SLAGUARD_TASK_CPU_PCT];
	uint64_t cy = y->task_val[SLAGUARD_TASK_CPU_PCT];

	if (cx != cy)
		return cx < cy ? 1 : -1;
	return x->task_val[SLAGUARD_TASK_PID] < y->task_val[SLAGUARD_TASK_PID] ?
	       -1 : 1;
}

static void fmt_bytes(uint64_t v, char *buf, size_t size)
{
	if (v >= 10ULL << 30)
		snprintf(buf, size, "%" PRIu64 "G", v >> 30);
	else if (v >= 10ULL << 20)
		snprintf(buf, size, "%" PRIu64 "M", v >> 20);
	else
		snprintf(buf, size, "%" PRIu64 "K", v >> 10);
}

static const struct sg_column task_cols[] = {
	{ "PID", true }, { "COMM", false }, { "CPU%", true },
	{ "RUNQ ms/s", true }, { "VCSW", true }, { "IVCSW", true },
	{ "RSS", true }, { "THR", true }, { "WATCH", true },
};

static int task_row(struct ctl_list *l, const struct sg_event *r)
{
	char pid[16], cpu[16], dly[16], nv[24], niv[24], rss[24];
	char thr[16], w[16];
	const char *cells[] = { pid, r->comm[0] ? r->comm : "?", cpu,
				dly, nv, niv, rss, thr, w };

	snprintf(pid, sizeof(pid), "%" PRIu64, r->task_val[SLAGUARD_TASK_PID]);
	if (sg_event_has_task(r, SLAGUARD_TASK_CPU_PCT)) {
		snprintf(cpu, sizeof(cpu), "%.1f",
			 (double)r->task_val[SLAGUARD_TASK_CPU_PCT] / 100);
		snprintf(dly, sizeof(dly), "%" PRIu64,
			 r->task_val[SLAGUARD_TASK_RUN_DELAY_MS]);
		snprintf(nv, sizeof(nv), "%" PRIu64,
			 r->task_val[SLAGUARD_TASK_NVCSW]);
		snprintf(niv, sizeof(niv), "%" PRIu64,
			 r->task_val[SLAGUARD_TASK_NIVCSW]);
		fmt_bytes(r->task_val[SLAGUARD_TASK_RSS], rss, sizeof(rss));
		snprintf(thr, sizeof(thr), "%" PRIu64,
			 r->task_val[SLAGUARD_TASK_THREADS]);
	} else {
		/* tracked since the last pass: no figures yet */
		strcpy(cpu, "-");
		strcpy(dly, "-");
		strcpy(nv, "-");
		strcpy(niv, "-");
		strcpy(rss, "-");
		strcpy(thr, "-");
	}
	snprintf(w, sizeof(w), "%" PRIu64, r->task_val[SLAGUARD_TASK_WATCH_ID]);
	return ctl_list_add_row(l, cells);
}

static int task_json(struct ctl_list *l, const struct sg_event *r)
{
	struct json_object *o = json_object_new_object();

	if (o)
		sg_task_json_add(o, r);
	return ctl_list_add_json(l, o);
}

static int print_tasks(struct ctl *c, struct tasks_state *s)
{
	struct ctl_list l = CTL_LIST(c, task_cols);
	size_t i;
	int ret = ctl_list_start(&l);

	for (i = 0; i < s->n && ret == 0; i++)
		ret = l.array ? task_json(&l, &s->rows[i]) :
				task_row(&l, &s->rows[i]);
	return ctl_list_end(&l, ret);
}

int cmd_tasks(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	struct tasks_state s = { .c = c };
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(tasks_usage, stdout);
		return 0;
	}
	if (argc > 0 && !(argc == 1 && strcmp(argv[0], "list") == 0))
		return sg_usage(&c->err, "'tasks' takes no arguments, not '%s'",
				argv[0]);
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	nlh = sg_genl_msg(req, c->nl.family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_GET_TASKS, NLM_F_DUMP);
	ret = ctl_talk(c, nlh, tasks_cb, &s, "tasks");
	if (ret == 0) {
		qsort(s.rows, s.n, sizeof(s.rows[0]), by_cpu);
		ret = print_tasks(c, &s);
	}
	free(s.rows);
	return ret;
}

/* ---- system ---- */

static const enum mnl_attr_data_type sys_types[SLAGUARD_SYS_MAX + 1] = {
	[SLAGUARD_SYS_PERIOD_MS] = MNL_TYPE_U32,
	[SLAGUARD_SYS_LOAD1] = MNL_TYPE_U32,
	[SLAGUARD_SYS_LOAD5] = MNL_TYPE_U32,
	[SLAGUARD_SYS_LOAD15] = MNL_TYPE_U32,
	[SLAGUARD_SYS_RUNNABLE] = MNL_TYPE_U32,
	[SLAGUARD_SYS_PROCESSES] = MNL_TYPE_U32,
	[SLAGUARD_SYS_THREADS] = MNL_TYPE_U32,
	[SLAGUARD_SYS_FORKS] = MNL_TYPE_U64,
	[SLAGUARD_SYS_FORK_RATE] = MNL_TYPE_U64,
	[SLAGUARD_SYS_CTXT] = MNL_TYPE_U64,
	[SLAGUARD_SYS_CTXT_RATE] = MNL_TYPE_U64,
	[SLAGUARD_SYS_BUSY_PCT] = MNL_TYPE_U32,
	[SLAGUARD_SYS_TASKS] = MNL_TYPE_U32,
	[SLAGUARD_SYS_TASKS_MAX] = MNL_TYPE_U32,
	[SLAGUARD_SYS_TASKS_DROPPED] = MNL_TYPE_U64,
	[SLAGUARD_SYS_PASSES] = MNL_TYPE_U64,
	[SLAGUARD_SYS_PASS_NS] = MNL_TYPE_U64,
	[SLAGUARD_SYS_PASS_NS_MAX] = MNL_TYPE_U64,
	[SLAGUARD_SYS_PROC_SUPPRESSED] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type cpu_types[SLAGUARD_CPU_MAX + 1] = {
	[SLAGUARD_CPU_ID] = MNL_TYPE_U32,
	[SLAGUARD_CPU_BUSY_PCT] = MNL_TYPE_U32,
	[SLAGUARD_CPU_CTXT_RATE] = MNL_TYPE_U64,
	[SLAGUARD_CPU_PREEMPT_RATE] = MNL_TYPE_U64,
	[SLAGUARD_CPU_RUNQ_WAIT_MS] = MNL_TYPE_U32,
	[SLAGUARD_CPU_RUNNABLE] = MNL_TYPE_U32,
};

/* JSON key, and how to print: 0 integer, 1 load (x100), 2 hundredths of %. */
static const struct {
	uint16_t attr;
	const char *key;
	int kind;
} sys_fields[] = {
	{ SLAGUARD_SYS_PERIOD_MS, "period_ms", 0 },
	{ SLAGUARD_SYS_LOAD1, "load1", 1 },
	{ SLAGUARD_SYS_LOAD5, "load5", 1 },
	{ SLAGUARD_SYS_LOAD15, "load15", 1 },
	{ SLAGUARD_SYS_RUNNABLE, "runnable", 0 },
	{ SLAGUARD_SYS_PROCESSES, "processes", 0 },
	{ SLAGUARD_SYS_THREADS, "threads", 0 },
	{ SLAGUARD_SYS_FORKS, "forks", 0 },
	{ SLAGUARD_SYS_FORK_RATE, "fork_rate", 0 },
	{ SLAGUARD_SYS_CTXT, "ctxt", 0 },
	{ SLAGUARD_SYS_CTXT_RATE, "ctxt_rate", 0 },
	{ SLAGUARD_SYS_BUSY_PCT, "busy_pct", 2 },
	{ SLAGUARD_SYS_TASKS, "tasks", 0 },
	{ SLAGUARD_SYS_TASKS_MAX, "tasks_max", 0 },
	{ SLAGUARD_SYS_TASKS_DROPPED, "tasks_dropped", 0 },
	{ SLAGUARD_SYS_PASSES, "passes", 0 },
	{ SLAGUARD_SYS_PASS_NS, "pass_ns", 0 },
	{ SLAGUARD_SYS_PASS_NS_MAX, "pass_ns_max", 0 },
	{ SLAGUARD_SYS_PROC_SUPPRESSED, "proc_events_suppressed", 0 },
};

struct sys_state {
	struct json_object *o;
	struct json_object *cpus;
	struct sg_table *cpu_table;
};

static const struct sg_column cpu_cols[] = {
	{ "CPU", true }, { "BUSY%", true }, { "RUNNABLE", true },
	{ "WAIT ms/s", true }, { "CTXT/s", true }, { "PREEMPT/s", true },
};

static int sys_cpu(struct sys_state *s, const struct nlattr *nest)
{
	struct sg_attrs a;
	char id[16], busy[16], run[16], wait[16], ctxt[24], pre[24];
	const char *cells[] = { id, busy, run, wait, ctxt, pre };
	struct json_object *o;

	if (sg_attrs_parse(nest, &a, cpu_types, SLAGUARD_CPU_MAX + 1) < 0)
		return -EBADMSG;
	if (s->cpus) {
		o = json_object_new_object();
		if (!o || json_object_array_add(s->cpus, o) < 0)
			return -ENOMEM;
		sg_json_add_u64(o, "cpu", a.val[SLAGUARD_CPU_ID]);
		sg_json_add_hundredths(o, "busy_pct", a.val[SLAGUARD_CPU_BUSY_PCT]);
		sg_json_add_u64(o, "ctxt_rate", a.val[SLAGUARD_CPU_CTXT_RATE]);
		sg_json_add_u64(o, "preempt_rate",
				a.val[SLAGUARD_CPU_PREEMPT_RATE]);
		if (sg_attrs_has(&a, SLAGUARD_CPU_RUNNABLE)) {
			sg_json_add_hundredths(o, "runnable",
					       a.val[SLAGUARD_CPU_RUNNABLE]);
			sg_json_add_u64(o, "runq_wait_ms_per_s",
					a.val[SLAGUARD_CPU_RUNQ_WAIT_MS]);
		}
		return 0;
	}
	snprintf(id, sizeof(id), "%" PRIu64, a.val[SLAGUARD_CPU_ID]);
	snprintf(busy, sizeof(busy), "%.1f",
		 (double)a.val[SLAGUARD_CPU_BUSY_PCT] / 100.0);
	if (sg_attrs_has(&a, SLAGUARD_CPU_RUNNABLE)) {
		snprintf(run, sizeof(run), "%.2f",
			 (double)a.val[SLAGUARD_CPU_RUNNABLE] / 100.0);
		snprintf(wait, sizeof(wait), "%" PRIu64,
			 a.val[SLAGUARD_CPU_RUNQ_WAIT_MS]);
	} else {
		snprintf(run, sizeof(run), "-");
		snprintf(wait, sizeof(wait), "-");
	}
	snprintf(ctxt, sizeof(ctxt), "%" PRIu64, a.val[SLAGUARD_CPU_CTXT_RATE]);
	snprintf(pre, sizeof(pre), "%" PRIu64, a.val[SLAGUARD_CPU_PREEMPT_RATE]);
	return sg_table_add(s->cpu_table, cells);
}

static void sys_text(const struct sg_attrs *a)
{
	const uint64_t *v = a->val;

	printf("period: %" PRIu64 " ms\n", v[SLAGUARD_SYS_PERIOD_MS]);
	printf("load: %.2f %.2f %.2f\n", (double)v[SLAGUARD_SYS_LOAD1] / 100,
	       (double)v[SLAGUARD_SYS_LOAD5] / 100,
	       (double)v[SLAGUARD_SYS_LOAD15] / 100);
	printf("runnable: %" PRIu64 "\n", v[SLAGUARD_SYS_RUNNABLE]);
	printf("processes: %" PRIu64 "\nthreads: %" PRIu64 "\n",
	       v[SLAGUARD_SYS_PROCESSES], v[SLAGUARD_SYS_THREADS]);
	printf("forks: %" PRIu64 " (%" PRIu64 "/s)\n", v[SLAGUARD_SYS_FORKS],
	       v[SLAGUARD_SYS_FORK_RATE]);
	printf("context switches: %" PRIu64 " (%" PRIu64 "/s)\n",
	       v[SLAGUARD_SYS_CTXT], v[SLAGUARD_SYS_CTXT_RATE]);
	printf("cpu busy: %.1f%% (mean of CPUs)\n",
	       (double)v[SLAGUARD_SYS_BUSY_PCT] / 100);
	printf("watched processes: %" PRIu64 " of at most %" PRIu64
	       " (%" PRIu64 " not tracked: limit reached)\n",
	       v[SLAGUARD_SYS_TASKS], v[SLAGUARD_SYS_TASKS_MAX],
	       v[SLAGUARD_SYS_TASKS_DROPPED]);
	printf("sampler: %" PRIu64 " passes, last %.1f us, longest %.1f us\n",
	       v[SLAGUARD_SYS_PASSES], (double)v[SLAGUARD_SYS_PASS_NS] / 1000,
	       (double)v[SLAGUARD_SYS_PASS_NS_MAX] / 1000);
	printf("process events suppressed: %" PRIu64 "\n",
	       v[SLAGUARD_SYS_PROC_SUPPRESSED]);
}

static int sys_parse(struct ctl *c, const struct nlattr *nest, void *data)
{
	struct sys_state *s = data;
	const struct nlattr *attr;
	struct sg_attrs a;
	size_t i;

	if (sg_attrs_parse(nest, &a, sys_types, SLAGUARD_SYS_MAX + 1) < 0)
		goto bad;
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) != SLAGUARD_SYS_CPU)
			continue;
		if (sys_cpu(s, attr) < 0)
			goto bad;
	}
	if (!s->o) {
		sys_text(&a);
		return 0;
	}
	for (i = 0; i < sizeof(sys_fields) / sizeof(sys_fields[0]); i++) {
		uint16_t t = sys_fields[i].attr;

		if (!sg_attrs_has(&a, t))
			continue;
		if (sys_fields[i].kind == 0)
			sg_json_add_u64(s->o, sys_fields[i].key, a.val[t]);
		else
			sg_json_add_hundredths(s->o, sys_fields[i].key,
					       a.val[t]);
	}
	return 0;
bad:
	return ctl_bad_reply(c, "system", "SLAGUARD_A_SYSTEM");
}

static int system_show(struct ctl *c)
{
	struct sys_state s = { 0 };
	int ret;

	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	if (c->json) {
		s.o = json_object_new_object();
		s.cpus = json_object_new_array();
	} else {
		s.cpu_table = sg_table_new(cpu_cols,
					   sizeof(cpu_cols) / sizeof(cpu_cols[0]));
	}
	if (!(s.o && s.cpus) && !s.cpu_table) {
		ret = sg_fail(&c->err, -ENOMEM, "out of memory");
		goto out;
	}
	ret = ctl_get(c, SLAGUARD_CMD_GET_SYSTEM, SLAGUARD_A_SYSTEM,
		      "SLAGUARD_A_SYSTEM", sys_parse, &s, "system");
	if (ret == 0 && s.o) {
		json_object_object_add(s.o, "cpus", json_object_get(s.cpus));
		ret = sg_json_print(s.o, stdout);
	} else if (ret == 0) {
		putchar('\n');
		sg_table_print(s.cpu_table, stdout);
	}
out:
	json_object_put(s.o);
	json_object_put(s.cpus);
	sg_table_free(s.cpu_table);
	return ret;
}

static int system_set(struct ctl *c, int argc, char **argv)
{
	char req[SG_GENL_REQSIZE];
	uint32_t ms;
	int ret;

	if (argc != 2 || strcmp(argv[0], "period") != 0)
		return sg_usage(&c->err, "usage: system set period MS (%d-%d)",
				SLAGUARD_PERIOD_MS_MIN, SLAGUARD_PERIOD_MS_MAX);
	ret = sg_parse_u32("period", argv[1], SLAGUARD_PERIOD_MS_MIN,
			   SLAGUARD_PERIOD_MS_MAX, &ms, &c->err);
	if (ret < 0)
		return ret;
	ret = ctl_open(c, NULL);
	if (ret < 0)
		return ret;
	return ctl_talk(c, sg_build_nest_u32(req, c->nl.family_id,
					     SLAGUARD_CMD_SET_SCHED,
					     SLAGUARD_A_SCHED,
					     SLAGUARD_SCHED_PERIOD_MS, ms),
			NULL, NULL, "system set");
}

int cmd_system(struct ctl *c, int argc, char **argv)
{
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "show") == 0))
		return system_show(c);
	if (strcmp(argv[0], "help") == 0) {
		fputs(system_usage, stdout);
		return 0;
	}
	if (strcmp(argv[0], "set") == 0)
		return system_set(c, argc - 1, argv + 1);
	return sg_usage(&c->err, "unknown command 'system %s'; 'system' takes: show, set",
			argv[0]);
}
