// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

/* Never acted on, whatever the SLA says: remote access and the logs. */
static const char *const builtin_names[] = {
	"sshd", "systemd-journal", "systemd-journald", NULL
};

const char *cg_root(void)
{
	const char *v = getenv("SLAGUARD_CGROUP_ROOT");

	return v && *v ? v : "/sys/fs/cgroup";
}

const char *cg_proc(void)
{
	const char *v = getenv("SLAGUARD_PROC_ROOT");

	return v && *v ? v : "/proc";
}

const char *cg_file_of(enum sla_action action)
{
	return action == SLA_ACT_THROTTLE_CPU ? "cpu.max" :
	       action == SLA_ACT_FREEZE ? "cgroup.freeze" :
	       action == SLA_ACT_LIMIT_MEMORY ? "memory.high" : NULL;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return (int)n;
}

int cg_of_pid(pid_t pid, char *path, size_t len)
{
	char file[64], buf[1024], *line, *save = NULL;
	int ret;

	snprintf(file, sizeof(file), "%s/%d/cgroup", cg_proc(), (int)pid);
	ret = read_file(file, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	/* cgroup v2: the line "0::/path" */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3))
			continue;
		if (line[3] != '/' || strlen(line + 3) >= len)
			return -ENAMETOOLONG;
		snprintf(path, len, "%s", line + 3);
		return 0;
	}
	return -ENOENT;
}

static int cg_path(char *buf, size_t len, const char *cg, const char *file)
{
	int n = snprintf(buf, len, "%s%s/%s", cg_root(),
			 strcmp(cg, "/") ? cg : "", file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int cg_read(const char *cg, const char *file, char *buf, size_t len)
{
	char path[CG_PATH_MAX + 256];
	int ret = cg_path(path, sizeof(path), cg, file);
	size_t n;

	if (!ret)
		ret = read_file(path, buf, len);
	if (ret < 0)
		return ret;
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int cg_write(const char *cg, const char *file, const char *value)
{
	char path[CG_PATH_MAX + 256];
	int ret = cg_path(path, sizeof(path), cg, file);
	size_t n = strlen(value);
	int fd;

	if (ret)
		return ret;
	/* no O_CREAT: a cgroup file that is not there is an error; O_TRUNC
	 * as the shell's ">" does (the fake trees of the tests are files) */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, value, n) != (ssize_t)n)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* A is B or below it. */
static bool at_or_below(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (!strcmp(b, "/"))
		return true;
	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

static bool name_protected(const struct sla *sla, const char *comm)
{
	for (size_t i = 0; builtin_names[i]; i++)
		if (!strcmp(comm, builtin_names[i]))
			return true;
	for (size_t i = 0; sla && i < sla->defaults.n_protected; i++)
		if (sla->defaults.protected[i][0] != '/' &&
		    !strcmp(comm, sla->defaults.protected[i]))
			return true;
	return false;
}

bool cg_comm(pid_t pid, char *comm, size_t len)
{
	char file[64];
	size_t n;

	snprintf(file, sizeof(file), "%s/%d/comm", cg_proc(), (int)pid);
	if (read_file(file, comm, len) < 0)
		return false;
	n = strlen(comm);
	if (n && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
	return true;
}

/* A process of CG that is protected, by its pid or name: WHY says which. */
static bool holds_protected(const struct sla *sla, const char *cg,
			    char *why, size_t len)
{
	char procs[8192], comm[64], *line, *save = NULL;

	if (cg_read(cg, "cgroup.procs", procs, sizeof(procs)) < 0)
		return false;
	for (line = strtok_r(procs, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		pid_t pid = (pid_t)atoi(line);

		if (pid == 1 || pid == getpid()) {
			snprintf(why, len, "protected: cgroup %s holds %s", cg,
				 pid == 1 ? "PID 1" : "slaguardd itself");
			return true;
		}
		if (cg_comm(pid, comm, sizeof(comm)) &&
		    name_protected(sla, comm)) {
			snprintf(why, len, "protected: cgroup %s holds %s[%d] "
				 "(a protected process)", cg, comm, (int)pid);
			return true;
		}
	}
	return false;
}

bool cg_protected(const struct sla *sla, pid_t pid, const char *comm,
		  const char *cg, char *why, size_t len)
{
	char own[CG_PATH_MAX];

	if (pid == 1 || (pid && pid == getpid())) {
		snprintf(why, len, "protected: %s", pid == 1 ? "PID 1" :
			 "slaguardd itself");
		return true;
	}
	if (pid && comm && name_protected(sla, comm)) {
		snprintf(why, len, "protected: process %s[%d] (sshd, the journal "
			 "and defaults.protected are never acted on)", comm,
			 (int)pid);
		return true;
	}
	if (!strcmp(cg, "/")) {
		snprintf(why, len, "protected: the root cgroup");
		return true;
	}
	/* The daemon's own cgroup and those above it hold the daemon. */
	if (!cg_of_pid(getpid(), own, sizeof(own)) && at_or_below(own, cg)) {
		snprintf(why, len, "protected: cgroup %s holds slaguardd", cg);
		return true;
	}
	for (size_t i = 0; sla && i < sla->defaults.n_protected; i++) {
		const char *p = sla->defaults.protected[i];

		if (p[0] == '/' && (at_or_below(cg, p) || at_or_below(p, cg))) {
			snprintf(why, len, "protected: cgroup %s (defaults.protected: %s)",
				 cg, p);
			return true;
		}
	}
	return holds_protected(sla, cg, why, len);
}
