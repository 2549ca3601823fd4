// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * isolate.c - isolate-network: the traffic of a cgroup's sockets is
 * dropped, but to and from the allowlist, by rules matching
 * "socket cgroupv2 level N "path"" in the chains isolate_out (its packets
 * out) and isolate_in (packets to its sockets) of table inet slaguard.
 *
 * Rules have no timeout, so the daemon removes them. The backend keeps
 * what it isolates in a small list, and every change rewrites both chains
 * from it in ONE libnftables transaction (flush, then one rule per family
 * and direction of each isolation): a change is all or nothing, a rule not
 * in the list - one left by an earlier run - goes at the first write, and
 * the rules come back with the table when someone else deletes it.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

/* nft takes the path in double quotes: no quote, backslash or control. */
static bool valid_cgroup(const char *cg)
{
	if (cg[0] != '/' || !cg[1] || strlen(cg) >= NFTB_CGROUP_MAX)
		return false;
	for (const char *p = cg; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ||
		    *p == 0x7f)
			return false;
	return !strstr(cg, "//") && cg[strlen(cg) - 1] != '/';
}

/* The cgroup's depth below the root: "/a/b" is at level 2. */
static unsigned int level_of(const char *cg)
{
	unsigned int n = 0;

	for (const char *p = cg; *p; p++)
		n += *p == '/';
	return n;
}

struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap ? b->cap : 1024) * 2 + (size_t)n;
		char *s = realloc(b->s, cap);

		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		if (!b->len)
			s[0] = '\0';
	}
}

/* "{ a, b/24 }" of the allowlist's FAMILY into B; false if it has none. */
static bool allow_set(const struct nftb *nb, int family, struct buf *b)
{
	bool any = false;

	for (size_t i = 0; i < nb->guard.allow_count; i++) {
		const struct nftb_key *k = &nb->guard.allow[i];
		char text[NFTB_ADDR_MAX];

		if (k->family != family || nftb_key_format(k, text, sizeof(text)) < 0)
			continue;
		put(b, "%s%s", any ? ", " : " { ", text);
		any = true;
	}
	if (any)
		put(b, " }");
	return any;
}

static void rules_of(const struct nftb *nb, const struct nftb_isolation *iso,
		     struct buf *b)
{
	static const struct { const char *chain, *dir; } ways[] = {
		{ "isolate_out", "daddr" }, { "isolate_in", "saddr" },
	};

	for (size_t w = 0; w < 2; w++) {
		for (int v6 = 0; v6 < 2; v6++) {
			struct buf set = { 0 };
			bool any = allow_set(nb, v6 ? AF_INET6 : AF_INET, &set);

			put(b, "add rule inet %s %s socket cgroupv2 level %u \"%s\" "
			    "meta nfproto %s", NFTB_TABLE_NAME, ways[w].chain,
			    level_of(iso->cgroup), iso->cgroup, v6 ? "ipv6" : "ipv4");
			if (any)
				put(b, " %s %s !=%s", v6 ? "ip6" : "ip", ways[w].dir,
				    set.s);
			put(b, " counter drop comment \"%s\"\n", iso->comment);
			if (set.oom)
				b->oom = true;
			free(set.s);
		}
	}
}

/* Both chains as the list says, in one transaction. */
int nftb_isolate_write(struct nftb *nb)
{
	struct buf b = { 0 };
	int ret;

	if (nb->dry_run)
		return 0;
	put(&b, "flush chain inet %s isolate_out\nflush chain inet %s isolate_in\n",
	    NFTB_TABLE_NAME, NFTB_TABLE_NAME);
	for (size_t i = 0; i < nb->n_isolated; i++)
		rules_of(nb, &nb->isolated[i], &b);
	if (b.oom) {
		free(b.s);
		return nftb_fail(nb, -ENOMEM, "out of memory writing the isolation rules");
	}
	ret = nftb_nft_run(nb, b.s, false);
	free(b.s);
	return ret;
}

static struct nftb_isolation *find(struct nftb *nb, const char *id)
{
	for (size_t i = 0; i < nb->n_isolated; i++)
		if (!strcmp(nb->isolated[i].id, id))
			return &nb->isolated[i];
	return NULL;
}

int nftb_isolate(struct nftb *nb, const char *id, const char *cgroup, const char *comment)
{
	struct nftb_isolation *iso, saved;
	bool existed;
	int ret;

	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "cannot isolate inside a batch");
	if (!id || !id[0] || strlen(id) >= sizeof(iso->id))
		return nftb_fail(nb, -EINVAL, "isolation id '%s' is not valid", id ? id : "");
	if (!valid_cgroup(cgroup))
		return nftb_fail(nb, -EINVAL, "cgroup '%s' cannot be isolated: an absolute path "
				 "without quotes, backslashes or control characters is needed",
				 cgroup);
	if (!nftb_comment_valid(comment))
		return nftb_fail(nb, -EINVAL, "comment '%s' is not in slaguard format", comment);
	if (nb->dry_run) {
		nftb_log(nb, NFTB_LOG_INFO, "dry-run: would isolate cgroup %s (%s)", cgroup, id);
		return 0;
	}
	iso = find(nb, id);
	existed = iso != NULL;
	if (!iso) {
		if (nb->n_isolated == NFTB_ISOLATED_MAX)
			return nftb_fail(nb, -ENOSPC, "%d cgroups isolated already, the most",
					 NFTB_ISOLATED_MAX);
		iso = &nb->isolated[nb->n_isolated++];
	} else {
		saved = *iso;
	}
	snprintf(iso->id, sizeof(iso->id), "%s", id);
	snprintf(iso->cgroup, sizeof(iso->cgroup), "%s", cgroup);
	snprintf(iso->comment, sizeof(iso->comment), "%s", comment);
	ret = nftb_isolate_write(nb);
	if (ret) {
		/* the transaction changed nothing: neither does the list */
		if (existed)
			*iso = saved;
		else
			nb->n_isolated--;
	}
	return ret;
}

int nftb_unisolate(struct nftb *nb, const char *id)
{
	struct nftb_isolation *iso;
	struct nftb_isolation saved;
	size_t i;
	int ret;

	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "cannot lift an isolation inside a batch");
	iso = id ? find(nb, id) : NULL;
	if (!iso)
		return nftb_fail(nb, -ENOENT, "no isolation %s", id ? id : "");
	i = (size_t)(iso - nb->isolated);
	saved = *iso;
	nb->isolated[i] = nb->isolated[--nb->n_isolated];
	ret = nftb_isolate_write(nb);
	if (ret) {
		nb->isolated[nb->n_isolated++] = nb->isolated[i];
		nb->isolated[i] = saved;
	}
	return ret;
}

int nftb_isolate_sync(struct nftb *nb)
{
	if (nb->in_batch)
		return nftb_fail(nb, -EBUSY, "cannot write the isolation rules inside a batch");
	return nftb_isolate_write(nb);
}

size_t nftb_isolated_count(const struct nftb *nb)
{
	return nb->n_isolated;
}
