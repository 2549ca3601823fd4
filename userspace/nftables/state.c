// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_state.c - is `table inet slaguard` there, and is it the one the
 * backend loaded? Read over netlink (table, sets without their elements,
 * chains, rules) because a libnftables listing reads every set element,
 * seconds at 100k entries. The answer is the table's comment (the
 * definition's version marker), which countermeasure sets exist, and a hash
 * of the handles of everything in the table: handles are never reused, so
 * any deletion or re-creation changes the hash, while adding elements does
 * not.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

/* A request here is a header and a name or two. */
#define REQUEST_SIZE 1024

static void mix(uint64_t *h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		*h = (*h ^ p[i]) * 1099511628211ull;
}

static void mix_named_handle(uint64_t *h, const char *name, uint64_t handle)
{
	mix(h, name, strlen(name) + 1);
	mix(h, &handle, sizeof(handle));
}

static int table_comment_cb(const struct nftnl_udata *attr, void *data)
{
	struct nftb_table_state *st = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT && nftnl_udata_len(attr) > 0)
		snprintf(st->comment, sizeof(st->comment), "%.*s", (int)nftnl_udata_len(attr),
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftb_table_state *st = data;
	struct nftnl_table *t = nftnl_table_alloc();
	uint32_t len = 0;
	const void *ud;

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		goto out;
	st->present = true;
	mix_named_handle(&st->fingerprint, "table", nftnl_table_get_u64(t, NFTNL_TABLE_HANDLE));
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	if (ud)
		nftnl_udata_parse(ud, len, table_comment_cb, st);
out:
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftb_table_state *st = data;
	struct nftnl_set *s = nftnl_set_alloc();
	const char *name;
	int id;

	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), NFTB_TABLE_NAME))
		goto out;
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	mix_named_handle(&st->fingerprint, name, nftnl_set_get_u64(s, NFTNL_SET_HANDLE));
	id = nftb_set_by_name(name);
	if (id >= 0)
		st->sets_found |= 1u << id;
out:
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftb_table_state *st = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c && nftnl_chain_nlmsg_parse(nlh, c) >= 0 &&
	    !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), NFTB_TABLE_NAME))
		mix_named_handle(&st->fingerprint, nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
				 nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE));
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftb_table_state *st = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	/* isolate-network's rules come and go with the daemon's own changes */
	if (r && nftnl_rule_nlmsg_parse(nlh, r) >= 0 &&
	    !strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), NFTB_TABLE_NAME) &&
	    strncmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "isolate_", 8))
		mix_named_handle(&st->fingerprint, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
				 nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int get_table(struct nftb_nl *nl, struct nftb_table_state *st)
{
	char buf[REQUEST_SIZE] = { 0 };	/* zeroed: this libmnl leaves attribute padding */
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!t)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, 0);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFTB_TABLE_NAME);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ret = nftb_nl_query(nl, nlh, table_cb, st);
	return ret == -ENOENT ? 0 : ret;
}

static int dump_sets(struct nftb_nl *nl, struct nftb_table_state *st)
{
	char buf[REQUEST_SIZE] = { 0 };	/* zeroed: this libmnl leaves attribute padding */
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFTB_TABLE_NAME);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nftb_nl_query(nl, nlh, set_cb, st);
}

static int dump_chains(struct nftb_nl *nl, struct nftb_table_state *st)
{
	char buf[REQUEST_SIZE] = { 0 };	/* zeroed: this libmnl leaves attribute padding */
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_DUMP, 0);
	return nftb_nl_query(nl, nlh, chain_cb, st);
}

static int dump_rules(struct nftb_nl *nl, struct nftb_table_state *st)
{
	char buf[REQUEST_SIZE] = { 0 };	/* zeroed: this libmnl leaves attribute padding */
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFTB_TABLE_NAME);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return nftb_nl_query(nl, nlh, rule_cb, st);
}

int nftb_nl_table_state(struct nftb_nl *nl, struct nftb_table_state *st,
			char *err, size_t errlen)
{
	int ret;

	memset(st, 0, sizeof(*st));
	st->fingerprint = 1469598103934665603ull;
	ret = get_table(nl, st);
	if (!ret && st->present)
		ret = dump_sets(nl, st);
	if (!ret && st->present)
		ret = dump_chains(nl, st);
	if (!ret && st->present)
		ret = dump_rules(nl, st);
	if (ret)
		snprintf(err, errlen, "cannot read table inet %s: %s", NFTB_TABLE_NAME,
			 strerror(-ret));
	return ret;
}
