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
#include "genl_config.h"
#include "genl_event.h"

/* The arguments after "watch add task": pid N | comm NAME | cgroup PATH. */
int sg_twatch_parse_add(int argc, char **argv, struct sg_twatch *w,
			struct sg_error *e);

/* "watch add task ...", "watch del task ID", "watch list task". */
int ctl_twatch_add(struct ctl *c, int argc, char **argv);
int ctl_twatch_del(struct ctl *c, int argc, char **argv);
int ctl_twatch_list(struct ctl *c, bool quiet_if_empty);

/* Task fields of an event, added to O / appended as " key=value" text. */
void sg_task_json_add(struct json_object *o, const struct sg_event *ev);
void sg_task_format(const struct sg_event *ev, char *buf, size_t size);

#endif /* SLAGUARDCTL_TASKS_H */
