// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Header walk of a queued packet. Written out rather than taken from
 * libnetfilter_queue's pktbuff helpers: nfq_ip_get_hdr() refuses an IPv4
 * packet whose total length exceeds what was copied, and the queue copies
 * only the first INSPECT_COPY_RANGE bytes of every packet.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect.h"

#define IPV6_HDR_LEN	40
/* Extension headers walked before giving up on finding the transport. */
#define IPV6_MAX_EXT	8

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* PROTO's header at PKT[OFF], within END (the IP packet's end, copy-capped). */
static int parse_transport(const uint8_t *pkt, size_t off, size_t end,
			   struct inspect_packet *p)
{
	size_t hlen;

	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)
		return -ENOENT;
	if (end < off + 8)
		return -EBADMSG;
	p->sport = get16(pkt + off);
	p->dport = get16(pkt + off + 2);
	hlen = 8;
	if (p->proto == IPPROTO_TCP) {
		if (end < off + 20)
			return -EBADMSG;
		hlen = (size_t)(pkt[off + 12] >> 4) * 4;
		if (hlen < 20 || end < off + hlen)
			return -EBADMSG;
	}
	p->payload = pkt + off + hlen;
	p->payload_len = end - off - hlen;
	if (p->payload_len > INSPECT_PAYLOAD_MAX)
		p->payload_len = INSPECT_PAYLOAD_MAX;
	return 0;
}

static int parse_ipv4(const uint8_t *pkt, size_t len, struct inspect_packet *p)
{
	size_t ihl, tot;

	if (len < 20)
		return -EBADMSG;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (ihl < 20 || len < ihl || tot < ihl)
		return -EBADMSG;
	p->family = AF_INET;
	p->proto = pkt[9];
	memcpy(p->src, pkt + 12, 4);
	memcpy(p->dst, pkt + 16, 4);
	if (get16(pkt + 6) & 0x1fff)
		return -ENOENT;		/* not the first fragment: no header */
	return parse_transport(pkt, ihl, tot < len ? tot : len, p);
}

static int parse_ipv6(const uint8_t *pkt, size_t len, struct inspect_packet *p)
{
	size_t off = IPV6_HDR_LEN, end;
	uint8_t next;

	if (len < IPV6_HDR_LEN)
		return -EBADMSG;
	end = IPV6_HDR_LEN + (size_t)get16(pkt + 4);
	if (end > len)
		end = len;
	p->family = AF_INET6;
	memcpy(p->src, pkt + 8, 16);
	memcpy(p->dst, pkt + 24, 16);
	next = pkt[6];
	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (end < off + 8)
				return -EBADMSG;
			next = pkt[off];
			off += ((size_t)pkt[off + 1] + 1) * 8;
			continue;
		case IPPROTO_FRAGMENT:
			if (end < off + 8)
				return -EBADMSG;
			if (get16(pkt + off + 2) & 0xfff8)
				return -ENOENT;
			next = pkt[off];
			off += 8;
			continue;
		case IPPROTO_AH:
			if (end < off + 8)
				return -EBADMSG;
			next = pkt[off];
			off += ((size_t)pkt[off + 1] + 2) * 4;
			continue;
		default:
			p->proto = next;
			return off > end ? -EBADMSG : parse_transport(pkt, off, end, p);
		}
	}
	return -ENOENT;
}

int inspect_parse(const uint8_t *pkt, size_t len, struct inspect_packet *p)
{
	memset(p, 0, sizeof(*p));
	if (!len)
		return -EBADMSG;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_ipv4(pkt, len, p);
	case 6:
		return parse_ipv6(pkt, len, p);
	default:
		return -EBADMSG;
	}
}

const struct sla_rule *inspect_judge(const struct sla *sla, const uint8_t *pkt,
				     size_t len, struct inspect_packet *p)
{
	struct inspect_packet local;

	if (!p)
		p = &local;
	if (inspect_parse(pkt, len, p) < 0 || !p->payload_len)
		return NULL;
	return sla_payload_violation(sla, p->family, p->src, p->dst, p->proto,
				     p->dport, p->payload, p->payload_len);
}
