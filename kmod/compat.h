/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slaguard - compatibility between the kernels it builds for (6.1 to 6.12).
 * Feature probes, not version checks: distributions backport.
 */
#ifndef _SLAGUARD_COMPAT_H
#define _SLAGUARD_COMPAT_H

#endif /* _SLAGUARD_COMPAT_H */
