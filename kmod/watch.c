// SPDX-License-Identifier: GPL-2.0
/*
 * slaguard - watch rules: report packets that match a pattern.
 *
 * A namespace's rules are an array published with RCU: the hook reads it
 * without locks, and a change builds a new array and swaps it in, so a
 * packet sees either the old rule set or the new one, never half of each.
 */
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "watch.h"

static u8 family_bits(u8 family)
{
	return family == AF_INET ? 32 : 128;
}

/* Is the rule well formed? why names the field at fault for extack. */
int slg_watch_check(const struct slg_watch *w, const char **why)
{
	if (w->family && w->family != AF_INET && w->family != AF_INET6) {
		*why = "family must be AF_INET or AF_INET6";
		return -EINVAL;
	}
	if ((w->has_src || w->has_dst) && !w->family) {
		*why = "a prefix needs a family";
		return -EINVAL;
	}
	if ((w->has_src && w->src_plen > family_bits(w->family)) ||
	    (w->has_dst && w->dst_plen > family_bits(w->family))) {
		*why = "prefix length too long for the family";
		return -ERANGE;
	}
	if (w->port_max < w->port_min) {
		*why = "port range ends before it starts";
		return -EINVAL;
	}
	if ((w->port_min || w->port_max) && w->proto &&
	    w->proto != IPPROTO_TCP && w->proto != IPPROTO_UDP) {
		*why = "ports need protocol tcp or udp";
		return -EINVAL;
	}
	if (w->dir > SLAGUARD_DIR_MAX || w->action > SLAGUARD_WATCH_ACTION_MAX) {
		*why = "unknown direction or action";
		return -EINVAL;
	}
	if (w->action == SLAGUARD_WATCH_SAMPLE && !w->sample_n) {
		*why = "sampling needs N >= 1";
		return -EINVAL;
	}
	return 0;
}

static void mask_addr(union slg_addr *a, u8 family, u8 plen)
{
	struct in6_addr full;

	if (family == AF_INET) {
		a->v4 &= plen ? htonl(~0U << (32 - plen)) : 0;
		return;
	}
	/* ipv6_addr_prefix() clears its output first: never in place */
	full = a->v6;
	ipv6_addr_prefix(&a->v6, &full, plen);
}

void slg_watch_mask(struct slg_watch *w)
{
	if (w->has_src)
		mask_addr(&w->src, w->family, w->src_plen);
	if (w->has_dst)
		mask_addr(&w->dst, w->family, w->dst_plen);
}

static bool prefix_match(const union slg_addr *prefix, u8 plen,
			 const union slg_addr *a, u8 family)
{
	if (family == AF_INET) {
		__be32 mask = plen ? htonl(~0U << (32 - plen)) : 0;

		return !((a->v4 ^ prefix->v4) & mask);
	}
	return ipv6_prefix_equal(&a->v6, &prefix->v6, plen);
}

bool slg_watch_match(const struct slg_watch *w, const struct slg_pkt *pkt)
{
	if (w->family && w->family != pkt->family)
		return false;
	if (w->proto && w->proto != pkt->proto)
		return false;
	if (w->dir != SLAGUARD_DIR_ANY && w->dir != pkt->dir)
		return false;
	if (w->port_max) {
		if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP)
			return false;
		if (pkt->dport < w->port_min || pkt->dport > w->port_max)
			return false;
	}
	if (w->has_src &&
	    !prefix_match(&w->src, w->src_plen, &pkt->saddr, pkt->family))
		return false;
	if (w->has_dst &&
	    !prefix_match(&w->dst, w->dst_plen, &pkt->daddr, pkt->family))
		return false;
	return true;
}

/* Given a matching packet, does the rule's action report it? */
bool slg_watch_wants(struct slg_watch *w, const struct slg_pkt *pkt)
{
	if (w->action == SLAGUARD_WATCH_SAMPLE)
		return (u32)atomic_inc_return(&w->sample_ctr) % w->sample_n == 0;
	/* REPORT_NEW: a TCP connection shows itself by its first SYN. */
	if (pkt->proto == IPPROTO_TCP)
		return (pkt->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN;
	return true;
}

/* Allow at most per_second events per rule and second. */
bool slg_watch_budget(struct slg_watch *w, u64 now_ms, u32 per_second)
{
	return slg_budget_take(&w->budget, div_u64(now_ms, 1000), per_second);
}

struct slg_watch *slg_watchset_find(const struct slg_ptrset *ws, u32 id)
{
	unsigned int i;

	for (i = 0; ws && i < ws->n; i++) {
		struct slg_watch *w = ws->p[i];

		if (w->id == id)
			return w;
	}
	return NULL;
}

/* A copy of old without rule id, which is returned in *removed. */
struct slg_ptrset *slg_watchset_del(const struct slg_ptrset *old, u32 id,
				    struct slg_watch **removed)
{
	*removed = slg_watchset_find(old, id);
	if (!*removed)
		return ERR_PTR(-ENOENT);
	return slg_ptrset_del(old, *removed);
}

/* Free a set and every rule in it; no reader may still see them. */
void slg_watchset_free_all(struct slg_ptrset *ws)
{
	unsigned int i;

	if (!ws)
		return;
	for (i = 0; i < ws->n; i++)
		kfree(ws->p[i]);
	kfree(ws);
}
