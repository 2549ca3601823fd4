/* SPDX-License-Identifier: GPL-2.0 */
/* "report": the SLA history slaguardd keeps, per SLO over a period. */
#ifndef SLAGUARDCTL_REPORT_H
#define SLAGUARDCTL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#define REPORT_DEFAULT_DB	"/var/lib/slaguard/history.db"
/* The computation is compliance.h's, shared with slaguardd's dashboard. */
#include "compliance.h"

#endif /* SLAGUARDCTL_REPORT_H */
