// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/slaguard.h>

#include "genl_config.h"
#include "intake.h"
#include "twatch.h"
#include "util.h"

uint32_t intake_task_watch_sla_id(uint32_t module_id)
{
	if (module_id <= INTAKE_TASK_WATCH_BASE ||
	    module_id > INTAKE_TASK_WATCH_BASE + SLAGUARD_MAX_TASK_WATCHES)
		return 0;
	return module_id - INTAKE_TASK_WATCH_BASE;
}

/*
 * The module answers task watch commands in the initial network namespace
 * only (EPERM elsewhere), and only while its system monitor runs
 * (EOPNOTSUPP; ESHUTDOWN while it stops).
 */
static bool no_monitor(int err)
{
	return err == -EPERM || err == -EOPNOTSUPP || err == -ESHUTDOWN;
}

static void explain(struct sg_genl *req, struct twatch_state *st, int err,
		    const char *what)
{
	st->monitor_err = err;
	snprintf(st->why, sizeof(st->why), "the module has no system monitor here (%s: %s%s%.80s)",
		 what, strerror(-err), req->extack[0] ? ": " : "", req->extack);
}

struct ids {
	uint32_t id[SLAGUARD_MAX_TASK_WATCHES];
	size_t n;
};

static int ours_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_TASK_WATCH);
	struct ids *ids = data;
	struct sg_twatch *w = malloc(sizeof(*w));

	if (w && nest && sg_twatch_decode(nest, w) == 0 &&
	    intake_task_watch_sla_id(w->id) && ids->n < SLAGUARD_MAX_TASK_WATCHES)
		ids->id[ids->n++] = w->id;
	free(w);
	return MNL_CB_OK;
}

/* Delete every task watch in the daemon's id range: its own, old or new. */
static int delete_ours(struct sg_genl *req)
{
	char buf[SG_GENL_REQSIZE];
	struct ids ids = { .n = 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = sg_genl_msg(buf, req->family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_GET_TASK_WATCH, NLM_F_DUMP);
	ret = sg_genl_talk(req, nlh, ours_cb, &ids);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ids.n; i++) {
		ret = sg_genl_talk(req, sg_twatch_build_del(buf, req->family_id,
							    ids.id[i]),
				   NULL, NULL);
		if (ret < 0 && ret != -ENOENT)
			sgd_log(LOG_ERR, "module: deleting task watch %u: %s",
				ids.id[i], strerror(-ret));
	}
	return 0;
}

static int add(struct sg_genl *req, const struct sla_task_watch *t)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_twatch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->id = INTAKE_TASK_WATCH_BASE + t->id;
	snprintf(w->comm, sizeof(w->comm), "%s", t->comm ? t->comm : "");
	snprintf(w->cgroup, sizeof(w->cgroup), "%s", t->cgroup ? t->cgroup : "");
	ret = sg_genl_talk(req, sg_twatch_build_add(buf, req->family_id, w),
			   NULL, NULL);
	free(w);
	return ret;
}

static void add_all(struct sg_genl *req, const struct sla_module_config *cfg,
		    struct twatch_state *st)
{
	for (size_t i = 0; i < cfg->n_task_watches; i++) {
		const struct sla_task_watch *t = &cfg->task_watches[i];
		int ret = add(req, t);

		if (no_monitor(ret)) {
			explain(req, st, ret, "adding a task watch");
			return;
		}
		st->err[i] = ret;
		if (ret < 0)
			sgd_log(LOG_ERR, "module: task watch %s %s of component %s: %s%s%s; its sched SLOs stay unknown",
				t->comm ? "comm" : "cgroup",
				t->comm ? t->comm : t->cgroup, t->component->name,
				strerror(-ret), req->extack[0] ? ": " : "",
				req->extack);
	}
}

void twatch_replace(struct sg_genl *req, const struct sla_module_config *cfg,
		    struct twatch_state *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	st->since_real_ms = sgd_real_ms();
	ret = delete_ours(req);
	if (no_monitor(ret))
		explain(req, st, ret, "listing task watches");
	else if (ret < 0)
		sgd_log(LOG_ERR, "module: listing task watches: %s", strerror(-ret));
	if (!st->monitor_err)
		add_all(req, cfg, st);
	if (st->monitor_err && cfg->n_task_watches)
		sgd_log(LOG_WARNING, "%s: the processes of the SLA's components are not sampled, sched.* SLOs stay unknown",
			st->why);
	st->applied = true;
	st->since_ms = sgd_mono_ms();
}

void twatch_remove(struct sg_genl *req, struct twatch_state *st)
{
	if (st->applied && !st->monitor_err)
		delete_ours(req);
	st->applied = false;
}

static const struct sla_task_watch *failed_watch(const struct twatch_state *st,
						 const struct sla_module_config *cfg,
						 const struct sla_component *c,
						 int *err)
{
	for (size_t i = 0; i < cfg->n_task_watches; i++) {
		const struct sla_task_watch *t = &cfg->task_watches[i];

		if (st->err[i] && (!c || t->component == c)) {
			*err = st->err[i];
			return t;
		}
	}
	return NULL;
}

const char *twatch_gap(const struct twatch_state *st,
		       const struct sla_module_config *cfg,
		       const struct sla_component *c, uint64_t since,
		       char *buf, size_t len)
{
	const struct sla_task_watch *t;
	int err = 0;

	if (!st->applied)
		return "the module's task watches are not installed";
	if (st->monitor_err)
		return st->why;
	if (!cfg->n_task_watches)
		return "no component names processes or cgroups to sample";
	if ((t = failed_watch(st, cfg, c, &err))) {
		snprintf(buf, len, "the module refused the task watch %s %.60s of component %s: %s",
			 t->comm ? "comm" : "cgroup", t->comm ? t->comm : t->cgroup,
			 t->component->name, strerror(-err));
		return buf;
	}
	if (st->since_ms > since)
		return "the task watches were installed less than the window ago";
	return NULL;
}
