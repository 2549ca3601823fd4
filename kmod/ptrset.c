// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - sets of pointers published with RCU and replaced whole: the
 * copy-on-write step shared by watch rules and task watches.
 */
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "ptrset.h"

/* Made on a netlink request: charged to the requester's memory cgroup. */
static struct slg_ptrset *alloc_set(unsigned int n)
{
	struct slg_ptrset *s = kzalloc(struct_size(s, p, n),
				       GFP_KERNEL_ACCOUNT);

	if (s)
		s->n = n;
	return s;
}

/* A copy of old (which may be NULL) with item appended; NULL if no memory. */
struct slg_ptrset *slg_ptrset_add(const struct slg_ptrset *old, void *item)
{
	unsigned int n = old ? old->n : 0;
	struct slg_ptrset *s = alloc_set(n + 1);

	if (!s)
		return NULL;
	if (n)
		memcpy(s->p, old->p, n * sizeof(s->p[0]));
	s->p[n] = item;
	return s;
}

/* A copy of old without item, which must be in it; ERR_PTR on failure. */
struct slg_ptrset *slg_ptrset_del(const struct slg_ptrset *old,
				  const void *item)
{
	struct slg_ptrset *s;
	unsigned int i, j = 0;

	s = alloc_set(old->n - 1);
	if (!s)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < old->n; i++)
		if (old->p[i] != item)
			s->p[j++] = old->p[i];
	return s;
}
