/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system monitor: task watches ("watch add task ..."), the watched
 * processes ("tasks"), the system figures ("system"), and the task part of
 * events.
 */
#ifndef SLAGUARDCTL_TASKS_H
#define SLAGUARDCTL_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ctl.h"
#include "genl_event.h"

struct sg_twatch {
	uint32_t id;		/* 0: the kernel picks one */
	uint32_t pid;		/* one of pid, comm, cgroup */
	char comm[SLAGUARD_COMM_LEN];
	char cgroup[4096];
	bool has_tasks;
	bool has_forks;
	bool has_cgroup_rates;	/* cgroup watches: the last period */
	uint32_t tasks;
	uint64_t forks;
	uint32_t cpu_pct;	/* hundredths of % of one CPU */
	uint64_t fork_rate;	/* per second */
};

/* The arguments after "watch add task": pid N | comm NAME | cgroup PATH. */
int sg_twatch_parse_add(int argc, char **argv, struct sg_twatch *w,
			struct sg_error *e);
struct nlmsghdr *sg_twatch_build_add(void *buf, uint16_t family_id,
				     const struct sg_twatch *w);

/* "watch add task ...", "watch del task ID", "watch list task". */
int ctl_twatch_add(struct ctl *c, int argc, char **argv);
int ctl_twatch_del(struct ctl *c, int argc, char **argv);
int ctl_twatch_list(struct ctl *c, bool quiet_if_empty);

/* Task fields of an event, added to O / appended as " key=value" text. */
void sg_task_json_add(struct json_object *o, const struct sg_event *ev);
void sg_task_format(const struct sg_event *ev, char *buf, size_t size);

#endif /* SLAGUARDCTL_TASKS_H */
