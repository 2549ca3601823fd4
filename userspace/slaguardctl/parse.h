/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line value parsing and the names slaguardctl prints. Pure
 * functions: no socket, no output, errors described in a struct sg_error.
 */
#ifndef SLAGUARDCTL_PARSE_H
#define SLAGUARDCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

/* union sg_addr, struct sg_prefix, sg_addr_len() */
#include "genl_config.h"

#define SG_MSG_LEN	512

/* What went wrong, for the CLI boundary to print. */
struct sg_error {
	bool usage;		/* fixable by changing the command line */
	char msg[SG_MSG_LEN];
};

/* Describe a usage error; returns -EINVAL. */
int sg_usage(struct sg_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Describe a failure; returns ERR (a negative errno). */
int sg_fail(struct sg_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Decimal integer in [MIN, MAX]. WHAT names the argument in messages, e.g.
 * "window". No sign, no spaces, no trailing characters.
 */
int sg_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out, struct sg_error *e);
int sg_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		 uint32_t *out, struct sg_error *e);

/* Byte count with an optional decimal suffix k/K (1e3), M, G or T. */
int sg_parse_bytes(const char *what, const char *s, uint64_t *out,
		   struct sg_error *e);

/* ADDRESS[/LEN], IPv4 or IPv6; host bits must be zero. */
int sg_parse_prefix(const char *what, const char *s, struct sg_prefix *p,
		    struct sg_error *e);

/* P or P-Q, 0..65535, P <= Q. */
int sg_parse_ports(const char *s, uint16_t *min, uint16_t *max,
		   struct sg_error *e);

/* tcp, udp, icmp, icmpv6, any or 0..255. */
int sg_parse_proto(const char *s, uint8_t *proto, struct sg_error *e);

/* inet or inet6 (also ipv4, ipv6). */
int sg_parse_family(const char *s, uint8_t *family, struct sg_error *e);

/* in, out, forward or any: enum slaguard_direction. */
int sg_parse_dir(const char *s, uint8_t *dir, struct sg_error *e);

/* Seconds with an optional fraction, > 0; result in milliseconds. */
int sg_parse_seconds(const char *what, const char *s, uint64_t *ms,
		     struct sg_error *e);

/* Names; NULL when the value has none. */
const char *sg_family_name(uint8_t family);
const char *sg_dir_name(uint8_t dir);
const char *sg_proto_name(uint8_t proto);
const char *sg_kind_name(uint32_t kind);
const char *sg_action_name(uint8_t action);

/* NAME, or PREFIX and V ("DIR_7") when there is no name (NULL). */
void sg_format_name(const char *name, const char *prefix, unsigned long v,
		    char *buf, size_t size);
/* "10.0.0.1", "2001:db8::1"; "?" for a bad length. */
void sg_format_addr(const void *addr, size_t len, char *buf, size_t size);
/* "10.0.0.0/8" */
void sg_format_prefix(const struct sg_prefix *p, char *buf, size_t size);
/* ISO-8601 UTC with milliseconds: "2026-11-23T10:00:00.123Z". */
void sg_format_time(uint64_t ns, char *buf, size_t size);
/* "350ms", "12.5s", "3m20s", "5h02m" */
void sg_format_duration_ms(uint64_t ms, char *buf, size_t size);

#define SG_ADDRSTRLEN	48	/* INET6_ADDRSTRLEN plus "/128" */
#define SG_TIMESTRLEN	32

#endif /* SLAGUARDCTL_PARSE_H */
