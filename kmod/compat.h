/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - compatibility between the kernels it builds for (6.1 to 6.12).
 * Feature probes, not version checks: distributions backport.
 */
#ifndef _SLAGUARD_COMPAT_H
#define _SLAGUARD_COMPAT_H

#include <net/genetlink.h>

/*
 * The scheduler tracepoint probes (procev.c) run with preemption disabled
 * and take spinlocks, which sleep on PREEMPT_RT. Kconfig keeps the module
 * out of such a kernel's tree; this stops an out-of-tree or dkms build.
 */
#ifdef CONFIG_PREEMPT_RT
#error "slaguard does not support PREEMPT_RT kernels"
#endif

/*
 * Events name attackers, processes and the files they run: joining the
 * events group needs CAP_NET_ADMIN over the namespace where the kernel can
 * check it (6.7, backported to the 6.1 stable series). Without it any user
 * could join, as with every multicast group before.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define SLG_MCGRP_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define SLG_MCGRP_FLAGS	0
#endif

#endif /* _SLAGUARD_COMPAT_H */
