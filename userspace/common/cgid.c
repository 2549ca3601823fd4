// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdlib.h>
#include <time.h>

#include "cgid.h"

#define CGID_CACHE	32

struct cgid_entry {
	uint64_t id;		/* 0: free */
	int ret;		/* cgid_path()'s answer */
	uint64_t until_ms;	/* monotonic */
	char path[CGID_PATH_MAX];
};

static struct cgid_entry cache[CGID_CACHE];
static unsigned int next_slot;

const char *cgid_root(void)
{
	const char *v = getenv("SLAGUARD_CGROUP_ROOT");

	return v && *v ? v : "/sys/fs/cgroup";
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void cgid_forget(void)
{
	memset(cache, 0, sizeof(cache));
	next_slot = 0;
}

struct walk {
	uint64_t id;
	unsigned int dirs;	/* directories read so far */
	bool cut;		/* a directory was too deep to read */
	char path[CGID_PATH_MAX];
};

static bool is_dir(int dfd, const struct dirent *d, ino_t *ino)
{
	struct stat st;

	*ino = d->d_ino;
	if (d->d_type == DT_DIR)
		return true;
	if (d->d_type != DT_UNKNOWN ||
	    fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))
		return false;
	*ino = st.st_ino;
	return true;
}

/*
 * Search the directory DFD (whose path w->path holds, USED bytes of it)
 * and those below it. 1 found (w->path is the cgroup's), 0 not there,
 * -errno. Takes DFD.
 */
static int search(struct walk *w, int dfd, size_t used, int depth)
{
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	if (++w->dirs > CGID_DIRS_MAX) {
		close(dfd);
		return -E2BIG;
	}
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -errno;
	}
	while (ret == 0 && (d = readdir(dir))) {
		size_t n = strlen(d->d_name);
		ino_t ino;
		int sub;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    !is_dir(dirfd(dir), d, &ino))
			continue;
		if (used + 1 + n >= sizeof(w->path)) {
			if ((uint64_t)ino == w->id)
				ret = -ENAMETOOLONG;
			continue;
		}
		w->path[used] = '/';
		memcpy(w->path + used + 1, d->d_name, n + 1);
		if ((uint64_t)ino == w->id) {
			ret = 1;
			break;
		}
		if (depth + 1 >= CGID_DEPTH_MAX) {
			w->cut = true;
			continue;
		}
		sub = openat(dirfd(dir), d->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed meanwhile, or not readable */
		ret = search(w, sub, used + 1 + n, depth + 1);
	}
	if (ret <= 0)
		w->path[used] = '\0';
	closedir(dir);
	return ret;
}

static int resolve(uint64_t id, char *path, size_t len)
{
	struct walk w = { .id = id };
	struct stat st;
	int fd, ret;

	fd = open(cgid_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if ((uint64_t)st.st_ino == id) {
		close(fd);
		ret = snprintf(path, len, "/");
		return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
	}
	ret = search(&w, fd, 0, 0);
	if (ret < 0)
		return ret;
	if (!ret)
		return w.cut ? -E2BIG : -ENOENT;
	ret = snprintf(path, len, "%s", w.path);
	return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
}

int cgid_path(uint64_t id, char *path, size_t len)
{
	uint64_t now = mono_ms();
	struct cgid_entry *e;
	int ret;

	if (!len)
		return -ENAMETOOLONG;
	path[0] = '\0';
	if (!id)
		return -ENOENT;
	for (unsigned int i = 0; i < CGID_CACHE; i++) {
		e = &cache[i];
		if (e->id != id || now >= e->until_ms)
			continue;
		if (e->ret)
			return e->ret;
		ret = snprintf(path, len, "%s", e->path);
		return ret < 0 || (size_t)ret >= len ? -ENAMETOOLONG : 0;
	}
	ret = resolve(id, path, len);
	e = &cache[next_slot++ % CGID_CACHE];
	e->id = id;
	e->ret = ret;
	e->until_ms = now + (ret ? CGID_MISS_TTL_MS : CGID_FOUND_TTL_MS);
	snprintf(e->path, sizeof(e->path), "%s", ret ? "" : path);
	return ret;
}
