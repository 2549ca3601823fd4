/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - cgroup v2 files for the cgroup countermeasures (throttle-cpu:
 * cpu.max, freeze: cgroup.freeze, limit-memory: memory.high): which cgroup
 * a process is in, reading and writing a file of a cgroup, and what is
 * protected from them. The cgroup mount and /proc are
 * SLAGUARD_CGROUP_ROOT and SLAGUARD_PROC_ROOT when set (the tests' fake
 * trees), /sys/fs/cgroup and /proc otherwise.
 */
#ifndef SLAGUARDD_CGROUP_H
#define SLAGUARDD_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sla.h"

#define CG_PATH_MAX	256	/* a cgroup path relative to the mount */
#define CG_VALUE_MAX	64	/* a value of cpu.max, memory.high, ... */

const char *cg_root(void);
const char *cg_proc(void);

/* The file of ACTION: "cpu.max", "cgroup.freeze" or "memory.high". */
const char *cg_file_of(enum sla_action action);

/* PID's cgroup v2 path ("/a/b") into PATH; 0 or -errno. */
int cg_of_pid(pid_t pid, char *path, size_t len);
/* PID's command name (/proc/PID/comm); false if it is gone. */
bool cg_comm(pid_t pid, char *comm, size_t len);
/* Read FILE of cgroup CG (the trailing newline dropped); 0 or -errno. */
int cg_read(const char *cg, const char *file, char *buf, size_t len);
/* Write VALUE to FILE of cgroup CG; 0 or -errno. */
int cg_write(const char *cg, const char *file, const char *value);

/*
 * Why cgroup CG (where process PID named COMM is, PID 0 when the alert
 * names a cgroup) may not be acted on, into WHY; false when it may: PID 1,
 * the daemon, its cgroup and those above it, cgroups holding sshd or the
 * journal (or PID 1 or the daemon), the root, and what SLA's
 * defaults.protected names (processes, or cgroups and what is below and
 * above them).
 */
bool cg_protected(const struct sla *sla, pid_t pid, const char *comm,
		  const char *cg, char *why, size_t len);

#endif /* SLAGUARDD_CGROUP_H */
