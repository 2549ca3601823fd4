// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_watch.c - notice, from nftables' own netlink notifications
 * (NFNLGRP_NFTABLES), when someone else deletes or changes the table, e.g.
 * `nft flush ruleset` or an nftables service reload, and put it back with
 * every countermeasure still due. Tools that miss this silently stop
 * blocking.
 *
 * Notifications come per object and a NEWGEN message closes each
 * transaction. Changes made through this process's own sockets are skipped
 * cheaply by port id; for anything else touching the table the decision is
 * taken at NEWGEN and against the kernel's current state (version and
 * handle fingerprint), so a notification that arrives after the table is
 * already right again - our own restore, say - causes no second restore.
 * Elements someone deletes by hand (`nft delete element`) are taken as a
 * manual revocation and dropped from the ledger.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

/* Every nf_tables object message names its table in attribute 1. */
#define NFTA_ANY_TABLE 1

static bool has_inode(const unsigned long *inodes, size_t n, unsigned long inode)
{
	for (size_t i = 0; i < n; i++)
		if (inodes[i] == inode)
			return true;
	return false;
}

static size_t socket_inodes(unsigned long *inodes, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char link[64];
		ssize_t len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &inodes[n]) == 1)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * Port ids of this process's netfilter netlink sockets, libnftables' among
 * them (it keeps one for the context's life but does not expose it).
 */
static void find_own_portids(struct nftb *nb)
{
	unsigned long inodes[256], inode;
	size_t n = socket_inodes(inodes, 256);
	FILE *f = fopen("/proc/self/net/netlink", "re");
	unsigned int proto, portid;
	char line[256];

	nb->own_portids[0] = nftb_nl_portid(nb->nl);
	nb->own_portids_len = 1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*x %u %u %*x %*d %*d %*d %*d %*d %lu", &proto, &portid,
			   &inode) != 3 || proto != NETLINK_NETFILTER || !has_inode(inodes, n, inode))
			continue;
		if (nb->own_portids_len < sizeof(nb->own_portids) / sizeof(nb->own_portids[0]))
			nb->own_portids[nb->own_portids_len++] = portid;
	}
	fclose(f);
}

static int drain(struct nftb *nb, bool *check, bool *lost);

static bool own_portid(const struct nftb *nb, uint32_t portid)
{
	for (size_t i = 0; i < nb->own_portids_len; i++)
		if (nb->own_portids[i] == portid)
			return true;
	return false;
}

int nftb_watch_open(struct nftb *nb)
{
	int group = NFNLGRP_NFTABLES, size = 16 << 20;
	int fd;

	nb->watch = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nb->watch || mnl_socket_bind(nb->watch, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nb->watch, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return nftb_fail(nb, -errno, "cannot subscribe to nftables notifications: %s",
				 strerror(errno));
	/* A 100k batch notifies 100k elements; lost ones are detected anyway. */
	fd = mnl_socket_get_fd(nb->watch);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	find_own_portids(nb);
	return 0;
}

void nftb_watch_close(struct nftb *nb)
{
	if (nb->watch)
		mnl_socket_close(nb->watch);
	nb->watch = NULL;
	nftb_ops_free(&nb->txn_foreign_dels);
}

/*
 * Stops notifications for one of our own big batches; pending ones are
 * read first so that nothing from before the pause is lost.
 */
bool nftb_watch_pause(struct nftb *nb)
{
	int group = NFNLGRP_NFTABLES;
	bool check = false, lost = false;

	if (!nb->watch)
		return false;
	drain(nb, &check, &lost);
	if (check || lost)
		nb->restore_pending = true;
	if (mnl_socket_setsockopt(nb->watch, NETLINK_DROP_MEMBERSHIP, &group, sizeof(group)) < 0)
		return false;
	return true;
}

void nftb_watch_resume(struct nftb *nb)
{
	int group = NFNLGRP_NFTABLES;

	mnl_socket_setsockopt(nb->watch, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
	/* a transaction cut by the pause must not count; verify instead */
	nb->txn_foreign_change = false;
	nb->txn_foreign_dels.len = 0;
	nb->verify_pending = true;
}

int nftb_watch_fd(const struct nftb *nb)
{
	return nb->watch ? mnl_socket_get_fd(nb->watch) : -1;
}

struct elem_ctx {
	struct nftb *nb;
	enum nftb_set set;
};

/* Interval elements are matched by their start: the end is a separate element. */
static int note_deleted_elem(struct nftnl_set_elem *e, void *data)
{
	struct elem_ctx *c = data;
	struct nftb_op op;
	uint32_t len = 0;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
	    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END))
		return 0;
	/* a destination set's key: the address, then the port's register */
	if (key && nftb_set_ported(c->set) && (len == 8 || len == 20))
		len -= 4;
	else if (nftb_set_ported(c->set))
		return 0;
	if (!key || (len != 4 && len != 16))
		return 0;
	memset(&op, 0, sizeof(op));
	op.type = NFTB_OP_DEL;
	op.set = (uint8_t)c->set;
	nftb_key_from_range(&op.key, len == 4 ? AF_INET : AF_INET6, key, key);
	if (nftb_set_ported(c->set)) {
		const uint8_t *p = (const uint8_t *)key + len;

		op.key.port = (uint16_t)(p[0] << 8 | p[1]);
	}
	return nftb_ops_push(&c->nb->txn_foreign_dels, &op);
}

static void note_deleted_elems(struct nftb *nb, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct elem_ctx c = { .nb = nb };
	int id;

	if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		goto out;
	id = nftb_set_by_name(nftnl_set_get_str(s, NFTNL_SET_NAME));
	if (id < 0)
		goto out;
	c.set = (enum nftb_set)id;
	nftnl_set_elem_foreach(s, note_deleted_elem, &c);
out:
	nftnl_set_free(s);
}

static struct nftb_ledger_entry *find_by_start(struct nftb *nb, const struct nftb_op *op)
{
	if (!nftb_set_interval(op->set))
		return nftb_ledger_find(&nb->ledger, op->set, &op->key);
	for (struct nftb_ledger_entry *e = nb->ledger.intervals; e; e = e->inext)
		if (e->set == op->set && !memcmp(e->key.first, op->key.first, 16))
			return e;
	return NULL;
}

static void apply_foreign_dels(struct nftb *nb)
{
	for (size_t i = 0; i < nb->txn_foreign_dels.len; i++) {
		const struct nftb_op *op = &nb->txn_foreign_dels.v[i];
		struct nftb_ledger_entry *e = find_by_start(nb, op);
		char addr[NFTB_ADDR_MAX];

		if (!e)
			continue;
		nftb_key_format(&e->key, addr, sizeof(addr));
		nftb_log(nb, NFTB_LOG_INFO, "%s removed from %s by another process; taken as "
			 "revoked (%s)", addr, nftb_set_name(e->set), e->comment);
		nftb_ledger_del(&nb->ledger, e->set, &e->key);
	}
	nb->txn_foreign_dels.len = 0;
}

static bool names_our_table(const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)) || g->nfgen_family != NFPROTO_INET)
		return false;
	mnl_attr_for_each(attr, nlh, sizeof(*g))
		if (mnl_attr_get_type(attr) == NFTA_ANY_TABLE)
			return mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0 &&
			       !strcmp(mnl_attr_get_str(attr), NFTB_TABLE_NAME);
	return false;
}

static void on_message(struct nftb *nb, const struct nlmsghdr *nlh, bool *check)
{
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return;
	if (type == NFT_MSG_NEWGEN) {
		if (nb->txn_foreign_change)
			*check = true;
		apply_foreign_dels(nb);
		nb->txn_foreign_change = false;
		return;
	}
	if (own_portid(nb, nlh->nlmsg_pid) || !names_our_table(nlh))
		return;
	if (type == NFT_MSG_DELSETELEM)
		note_deleted_elems(nb, nlh);
	else if (type != NFT_MSG_NEWSETELEM)
		nb->txn_foreign_change = true;
}

/* Reads everything pending; *lost is set when the kernel dropped some. */
static int drain(struct nftb *nb, bool *check, bool *lost)
{
	char buf[1 << 16];
	int fd = mnl_socket_get_fd(nb->watch);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			*lost = true;
			continue;
		}
		if (n < 0)
			return nftb_fail(nb, -errno, "reading nftables notifications: %s",
					 strerror(errno));
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)(const void *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			on_message(nb, nlh, check);
	}
}

int nftb_watch_handle(struct nftb *nb)
{
	struct nftb_table_state st;
	bool check = false, lost = false;
	int ret;

	if (!nb->watch)
		return 0;
	ret = drain(nb, &check, &lost);
	if (ret)
		return ret;
	if (lost) {
		/* a transaction may be cut in half: start afresh, check the table */
		nb->txn_foreign_change = false;
		nb->txn_foreign_dels.len = 0;
		check = true;
	}
	if (!check && !nb->restore_pending && !nb->verify_pending)
		return 0;
	if (nb->in_batch) {
		nb->restore_pending = true;
		return 0;
	}
	nb->restore_pending = false;
	nb->verify_pending = false;
	ret = nftb_table_state(nb, &st);
	if (ret || nftb_table_current(nb, &st))
		return ret;
	nftb_log(nb, NFTB_LOG_WARN, "table inet %s was %s by another process; restoring it",
		 NFTB_TABLE_NAME, st.present ? "changed" : "deleted");
	ret = nftb_table_restore(nb, st.present ? "changed by another process" :
				 "deleted by another process");
	return ret ? ret : !nb->dry_run;
}

void nftb_settle(struct nftb *nb)
{
	char err[sizeof(nb->err)];

	if (nb->in_batch || (!nb->restore_pending && !nb->verify_pending))
		return;
	/* keep the caller's error message: this is housekeeping */
	memcpy(err, nb->err, sizeof(err));
	if (nftb_watch_handle(nb) < 0)
		nftb_log(nb, NFTB_LOG_ERR, "%s", nb->err);
	memcpy(nb->err, err, sizeof(err));
}
