/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguardd - what a queued packet is: addresses, protocol, ports and the
 * start of its TCP/UDP payload, read from the network header on. The
 * verdict on it (drop a payload that a payload rule forbids, accept the
 * rest) follows from the SLA in one place, so the NFQUEUE reader and the
 * unit tests share it.
 */
#ifndef SLAGUARDD_INSPECT_PAYLOAD_H
#define SLAGUARDD_INSPECT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sla.h"

/* How much of a packet's payload is judged: what a queued copy holds. */
#define INSPECT_PAYLOAD_MAX	512
/*
 * The queue's copy range: the longest IPv4 (60) or IPv6-with-extension
 * (up to 128 here) header plus the longest TCP header (60), then the payload.
 */
#define INSPECT_COPY_RANGE	(256 + INSPECT_PAYLOAD_MAX)

struct inspect_packet {
	int family;			/* AF_INET, AF_INET6 */
	uint8_t src[16], dst[16];
	uint8_t proto;			/* IPPROTO_* of the transport header */
	uint16_t sport, dport;
	const uint8_t *payload;		/* into the buffer parsed */
	size_t payload_len;		/* at most INSPECT_PAYLOAD_MAX */
};

/*
 * Parse PKT (LEN bytes from the IP header on; the copy may be shorter than
 * the packet). 0 with *P filled for a TCP or UDP packet with its whole
 * transport header; -ENOENT for other protocols and non-first fragments;
 * -EBADMSG for a truncated or malformed packet.
 */
int inspect_parse(const uint8_t *pkt, size_t len, struct inspect_packet *p);

/*
 * The payload rule PKT breaks, or NULL: then it is to be accepted. Unparsable
 * packets break none (fail-open: inspection must not cut traffic it cannot
 * read). *P, if given, is filled when the packet parsed.
 */
const struct sla_rule *inspect_judge(const struct sla *sla, const uint8_t *pkt,
				     size_t len, struct inspect_packet *p);

#endif /* SLAGUARDD_INSPECT_PAYLOAD_H */
