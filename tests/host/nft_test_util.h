/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_test_util.h - helpers for the backend's host tests: run nft and read
 * its JSON, capture the backend's log, test connectivity from the peer
 * namespace. Assertions about the kernel go through `nft -j`, not through
 * the backend, so the tests check what an operator would see.
 */
#ifndef SLAGUARD_NFT_TEST_UTIL_H
#define SLAGUARD_NFT_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "nft_backend.h"

/* Aborts unless run by run-netns.sh inside a private network namespace. */
void tu_require_netns(void);

int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Output of a shell command, malloc'd; NULL on failure. */
char *tu_capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Elements of a set of table inet slaguard (a new reference; never NULL). */
json_object *tu_elems(const char *table, const char *set);
/* The element whose value prints as val ("10.0.0.1", "10.0.0.0/8"). */
json_object *tu_find(json_object *elems, const char *val);
size_t tu_count(const char *set);
/* Field of an element's options (timeout, expires, comment); NULL if none. */
json_object *tu_field(json_object *elem, const char *name);

/* nftables' ruleset generation: one more per committed transaction. */
uint32_t tu_genid(void);

/* Whether the peer namespace can open tcp/8080 on addr (1 s timeout). */
bool tu_peer_connects(const char *addr);
bool tu_have_peer(void);

/* Backend log, captured. */
void tu_log(void *arg, enum nftb_log_level level, const char *msg);
void tu_log_reset(void);
bool tu_logged(const char *needle);
const char *tu_log_text(void);

/*
 * Options pointing at this tree's nft/ files, the captured log and a test
 * resolv.conf (never the host's): by default it names 198.19.0.53 and
 * fd00:5b::53; tu_resolv_conf() rewrites it.
 */
void tu_opts(struct nftb_opts *opts);
#define TU_RESOLVER4 "198.19.0.53"
#define TU_RESOLVER6 "fd00:5b::53"
/* Writes TEXT (unless NULL) as the test resolv.conf; returns its path. */
const char *tu_resolv_conf(const char *text);
void tu_sleep_ms(unsigned int ms);
/* Calls nftb_watch_handle() as the fd becomes readable, up to timeout_ms;
 * returns the first non-zero result (1 when the table was restored). */
int tu_watch(struct nftb *nb, unsigned int timeout_ms);

#endif
