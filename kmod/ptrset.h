/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - sets of pointers published with RCU and replaced whole.
 */
#ifndef _SLAGUARD_PTRSET_H
#define _SLAGUARD_PTRSET_H

#include <linux/rcupdate.h>

/*
 * Readers walk p[0..n) under RCU without locks; a writer (holding its own
 * lock) builds a changed copy and swaps it in, so a reader sees the old set
 * or the new one, never half of each. The items are not owned by the set.
 */
struct slg_ptrset {
	unsigned int n;
	struct rcu_head rcu;
	void *p[];
};

struct slg_ptrset *slg_ptrset_add(const struct slg_ptrset *old, void *item);
struct slg_ptrset *slg_ptrset_del(const struct slg_ptrset *old,
				  const void *item);

#endif /* _SLAGUARD_PTRSET_H */
