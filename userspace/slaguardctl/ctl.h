/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every slaguardctl object shares: the context a command runs in, the
 * command tables, and the way kernel errors become messages.
 */
#ifndef SLAGUARDCTL_CTL_H
#define SLAGUARDCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/slaguard.h>

#include "genl.h"
#include "output.h"
#include "parse.h"

/* The kernel-installed copy of the header drops the _UAPI_ prefix. */
#ifndef _UAPI_LINUX_SLAGUARD_H
#error "build with -I include/uapi so the repository's linux/slaguard.h is used"
#endif

#define PROG	"slaguardctl"

/*
 * The family and group talked to. tests/unit/ctl builds a copy against the
 * kernel's own "nlctrl" family to run the event loop without the module.
 */
#ifndef CTL_FAMILY
#define CTL_FAMILY	SLAGUARD_GENL_NAME
#endif
#ifndef CTL_MCGRP
#define CTL_MCGRP	SLAGUARD_MCGRP_EVENTS
#endif

struct ctl {
	bool json;
	bool open;
	struct sg_genl nl;
	struct sg_error err;	/* set by a failing command */
	const char *control;	/* --control PATH of slaguardd's socket, or NULL */
	bool reported;		/* the failing command printed its own message */
};

typedef int (*ctl_fn)(struct ctl *c, int argc, char **argv);

struct ctl_cmd {
	const char *name;
	ctl_fn fn;
	const char *help;
};

/*
 * Run the command named by argv[0] (DFLT when there are no arguments;
 * "help" prints USAGE). Each command gets its own arguments only.
 */
int ctl_dispatch(struct ctl *c, const char *object, const struct ctl_cmd *cmds,
		 size_t ncmds, const char *dflt, const char *usage,
		 int argc, char **argv);

/* Open the family (and join nothing yet); MCGRP may be NULL. */
int ctl_open(struct ctl *c, const char *mcgrp);
void ctl_close(struct ctl *c);

/*
 * sg_genl_talk() with the failure described in c->err: WHAT names the
 * command, e.g. "watch add". A callback that fails sets c->err itself and
 * returns MNL_CB_ERROR.
 */
int ctl_talk(struct ctl *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     const char *what);

/* The command-line word for attribute TYPE in top-level NEST, or NULL. */
const char *ctl_attr_word(uint16_t nest, uint16_t type);

/* A reply that does not follow include/uapi/linux/slaguard.h. */
int ctl_bad_reply(struct ctl *c, const char *what, const char *attr);

/* What a callback returns for RET, 0 or a negative errno (then in errno). */
int ctl_cb_ret(int ret);

/*
 * Ask for CMD (not a dump) and hand the nest NEST of the reply to PARSE,
 * which returns 0 or a negative errno with c->err set. A reply without the
 * nest is a bad reply; NEST_NAME names it in the message.
 */
int ctl_get(struct ctl *c, uint8_t cmd, uint16_t nest, const char *nest_name,
	    int (*parse)(struct ctl *c, const struct nlattr *nest, void *data),
	    void *data, const char *what);

/* Print O (NULL: out of memory) as one line of JSON and put it. */
int ctl_print_json(struct ctl *c, struct json_object *o);
/* The id of a new object: {"id":N} with -j, else N. */
int ctl_print_id(struct ctl *c, uint32_t id);

/*
 * A listing: a table for people or, with -j, a JSON array, filled by the
 * caller (the callback of ctl_list_dump()), then printed and freed.
 */
struct ctl_list {
	struct ctl *c;
	const struct sg_column *cols;
	size_t ncols;
	/*
	 * A table that follows another listing: never JSON, printed after
	 * HEADING only if it has rows, and a failed dump prints nothing and
	 * is no error.
	 */
	const char *heading;
	struct sg_table *table;
	struct json_object *array;
	size_t n;		/* rows or objects added */
};

#define CTL_LIST(ctl, columns) { .c = (ctl), .cols = (columns), \
				 .ncols = sizeof(columns) / sizeof((columns)[0]) }

/* Make the table or the array; 0 or -ENOMEM (c->err set). */
int ctl_list_start(struct ctl_list *l);
/* Add a row (without -j) or O (with -j; NULL: out of memory, else put by
 * the list). 0 or -ENOMEM (c->err set). */
int ctl_list_add_row(struct ctl_list *l, const char *const *cells);
int ctl_list_add_json(struct ctl_list *l, struct json_object *o);
/* Print the list if RET is 0, free it; returns RET or the print's error. */
int ctl_list_end(struct ctl_list *l, int ret);
/* Open, start, dump CMD with CB (its data: L), end. */
int ctl_list_dump(struct ctl_list *l, uint8_t cmd, mnl_cb_t cb,
		  const char *what);

int cmd_watch(struct ctl *c, int argc, char **argv);
int cmd_threshold(struct ctl *c, int argc, char **argv);
int cmd_sources(struct ctl *c, int argc, char **argv);
int cmd_stats(struct ctl *c, int argc, char **argv);
int cmd_events(struct ctl *c, int argc, char **argv);
int cmd_sla(struct ctl *c, int argc, char **argv);
int cmd_alerts(struct ctl *c, int argc, char **argv);
int cmd_countermeasures(struct ctl *c, int argc, char **argv);
int cmd_tasks(struct ctl *c, int argc, char **argv);
int cmd_system(struct ctl *c, int argc, char **argv);
int cmd_report(struct ctl *c, int argc, char **argv);
int cmd_fleet(struct ctl *c, int argc, char **argv);

extern const char watch_usage[];
extern const char threshold_usage[];
extern const char sources_usage[];
extern const char stats_usage[];
extern const char events_usage[];
extern const char sla_usage[];
extern const char fleet_usage[];
extern const char alerts_usage[];
extern const char countermeasures_usage[];
extern const char tasks_usage[];
extern const char system_usage[];
extern const char report_usage[];

#endif /* SLAGUARDCTL_CTL_H */
