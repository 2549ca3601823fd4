/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SLAGUARD_NETLINK_H
#define _SLAGUARD_NETLINK_H

#include <net/genetlink.h>

enum slg_mcgrp {
	SLG_MCGRP_EVENTS,
};

extern struct genl_family slg_genl_family;

#endif /* _SLAGUARD_NETLINK_H */
