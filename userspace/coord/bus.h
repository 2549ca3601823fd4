/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slaguard-coord - on the fleet's NATS JetStream bus (bus.c). */
#ifndef SLAGUARD_COORD_BUS_H
#define SLAGUARD_COORD_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <nats/nats.h>

#include "sla.h"

uint64_t coord_now_ms(void);
/* Connected with the fleet section's servers, login and TLS: 0 or -EIO. */
int coord_bus_connect(const struct sla_fleet *fl, const char *name,
		      natsConnection **nc, jsCtx **js);
/* BUCKET, created with HISTORY values per key if CREATE and missing. */
int coord_bus_kv(jsCtx *js, const char *bucket, int history, bool create,
		 kvStore **kv);
struct coord_page;

/*
 * Until SIGTERM or SIGINT: 0, or a negative errno if the bus failed.
 * PAGE (may be NULL): the page (page.h) shown the state as it changes.
 */
int coord_run(struct sla_composite *comp, struct coord_page *page);

#endif /* SLAGUARD_COORD_BUS_H */
