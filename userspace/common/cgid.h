/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup of a cgroup v2 id (SLAGUARD_EV_CGROUP_ID: the
 * cgroup of the local socket that sent a packet a watch matched). The id
 * is the inode number of the cgroup's directory in the cgroup2 mount
 * (cgid_root()); finding it takes a walk of that tree, bounded in depth and
 * in directories read, whose answers are kept for a while: ids are never
 * reused, but a cgroup may be renamed or removed.
 */
#ifndef SLAGUARD_COMMON_CGID_H
#define SLAGUARD_COMMON_CGID_H

#include <stddef.h>
#include <stdint.h>

#define CGID_PATH_MAX		256	/* as slaguardd's CG_PATH_MAX */
#define CGID_DEPTH_MAX		16	/* cgroup levels below the root */
#define CGID_DIRS_MAX		4096	/* directories read per walk */
#define CGID_FOUND_TTL_MS	30000
#define CGID_MISS_TTL_MS	2000	/* a miss: no walk per packet */

/* SLAGUARD_CGROUP_ROOT when set (the tests' trees), else /sys/fs/cgroup. */
const char *cgid_root(void);

/*
 * The path ("/a/b", "/" for the root) of cgroup ID relative to the cgroup2
 * mount, into PATH. 0; -ENOENT when no directory has that id (the cgroup
 * is gone, or outside the mount the daemon sees); -E2BIG when the walk
 * gave up (CGID_DEPTH_MAX, CGID_DIRS_MAX); -ENAMETOOLONG; -errno when the
 * mount cannot be read.
 */
int cgid_path(uint64_t id, char *path, size_t len);

/* Forget every answer (tests, and a changed cgroup root). */
void cgid_forget(void);

#endif /* SLAGUARD_COMMON_CGID_H */
