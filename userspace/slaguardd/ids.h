/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - alert (A<n>) and countermeasure (C<n>) numbers that never
 * repeat across restarts. A small file in the state directory holds, for
 * each, a number no id has reached yet; the daemon starts there and moves
 * it ID_RESERVE ahead whenever the ids come within half of it, so the file
 * is written rarely, and a crash skips numbers but never repeats one.
 */
#ifndef SLAGUARDD_IDS_H
#define SLAGUARDD_IDS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define ID_RESERVE	10000

struct id_store {
	char path[PATH_MAX];
	uint64_t alert, countermeasure;	/* reserved up to (exclusive) */
	bool failed;			/* the last write failed (warned once) */
};

/*
 * The file "ids" in DIR: the first free numbers into *ALERT_FROM and
 * *CM_FROM (1 when there is no file yet). -errno when the file exists but
 * cannot be read or holds something else: the caller says so and goes on
 * without it.
 */
int id_store_open(struct id_store *s, const char *dir, uint64_t *alert_from,
		  uint64_t *cm_from);
/* Move the reservation ahead of NEXT_ALERT and NEXT_CM when needed. */
int id_store_reserve(struct id_store *s, uint64_t next_alert, uint64_t next_cm);

#endif /* SLAGUARDD_IDS_H */
