// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_table.c - the table definition: read once, loaded through the
 * backend's libnftables context, reloaded with every countermeasure still
 * due whenever the table is found missing or changed.
 *
 * The files are read at open so that a restore does not depend on them
 * still being there (or unchanged) hours later.
 */
#define _DEFAULT_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

static int read_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 16384);

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			buf = p;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (n == 0)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/*
 * The table's comment is the definition's version marker: a table whose
 * comment differs was loaded from another definition and gets replaced.
 */
static int find_version(const char *text, char *out, size_t size)
{
	const char *table = strstr(text, "table inet " NFTB_TABLE_NAME " {");
	const char *c = table ? strstr(table, "comment \"") : NULL;
	const char *end = c ? strchr(c + 9, '"') : NULL;

	if (!end || (size_t)(end - c - 9) >= size)
		return -EINVAL;
	snprintf(out, size, "%.*s", (int)(end - c - 9), c + 9);
	return 0;
}

int nftb_table_load_files(struct nftb *nb, const struct nftb_opts *opts)
{
	const char *table = opts->table_file ? opts->table_file : NFTB_DEFAULT_TABLE_FILE;
	const char *inspect = opts->inspect_file;
	int ret;

	ret = read_file(table, &nb->table_text, nb->err, sizeof(nb->err));
	if (ret)
		return ret;
	if (find_version(nb->table_text, nb->version, sizeof(nb->version)))
		return nftb_fail(nb, -EINVAL, "%s: no `table inet %s {` with a comment "
				 "(the definition's version marker)", table, NFTB_TABLE_NAME);
	if (!inspect && access(NFTB_DEFAULT_INSPECT_FILE, R_OK) == 0)
		inspect = NFTB_DEFAULT_INSPECT_FILE;
	if (inspect && inspect[0]) {
		ret = read_file(inspect, &nb->inspect_text, nb->err, sizeof(nb->err));
		if (ret)
			return ret;
	}
	nb->inspect_on = nb->inspect_text != NULL;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* Runs nft commands in the long-lived context; output stays in its buffer. */
int nftb_nft_run(struct nftb *nb, const char *cmd, bool json)
{
	const char *msg;

	nft_ctx_output_set_flags(nb->nft, json ? NFT_CTX_OUTPUT_JSON : 0);
	if (nft_run_cmd_from_buffer(nb->nft, cmd) == 0)
		return 0;
	msg = nft_ctx_get_error_buffer(nb->nft);
	snprintf(nb->err, sizeof(nb->err), "libnftables: %s", msg && msg[0] ? msg : "failed");
	trim(nb->err);
	if (strstr(nb->err, "Operation not permitted"))
		return -EPERM;
	return -EIO;
}

/* Loads the definition, with the NFQUEUE rules if the kernel takes them. */
static int load_definition(struct nftb *nb)
{
	char first_err[sizeof(nb->err)];
	size_t len;
	char *text;
	int ret;

	if (!nb->inspect_on)
		return nftb_nft_run(nb, nb->table_text, false);
	len = strlen(nb->table_text) + strlen(nb->inspect_text) + 2;
	text = malloc(len);
	if (!text)
		return nftb_fail(nb, -ENOMEM, "out of memory loading the table");
	snprintf(text, len, "%s\n%s", nb->table_text, nb->inspect_text);
	ret = nftb_nft_run(nb, text, false);
	free(text);
	if (!ret)
		return 0;
	/* the first line says why; the rest points into the concatenated text */
	snprintf(first_err, sizeof(first_err), "%.*s", (int)strcspn(nb->err, "\n"), nb->err);
	ret = nftb_nft_run(nb, nb->table_text, false);
	if (ret)
		return ret;
	nb->inspect_on = false;
	nftb_log(nb, NFTB_LOG_WARN, "NFQUEUE rules not loaded (%s); sources sent to "
		 "inspection are counted and accepted, not inspected", first_err);
	return 0;
}

int nftb_table_state(struct nftb *nb, struct nftb_table_state *st)
{
	int ret;

	/* A dump interrupted by a concurrent change is simply read again. */
	for (int tries = 0; tries < 5; tries++) {
		ret = nftb_nl_table_state(nb->nl, st, nb->err, sizeof(nb->err));
		if (ret != -EINTR)
			break;
	}
	return ret;
}

/* Whether the table in the kernel is the one this backend loaded. */
bool nftb_table_current(const struct nftb *nb, const struct nftb_table_state *st)
{
	if (!st->present || strcmp(st->comment, nb->version) ||
	    st->sets_found != (1u << NFTB_SET_COUNT) - 1)
		return false;
	return !nb->have_fingerprint || st->fingerprint == nb->fingerprint;
}

static bool complete(const struct nftb *nb, const struct nftb_table_state *st)
{
	return st->present && !strcmp(st->comment, nb->version) &&
	       st->sets_found == (1u << NFTB_SET_COUNT) - 1;
}

static int load_and_fill(struct nftb *nb, const char *why)
{
	struct nftb_ops ops;
	int ret = load_definition(nb);

	if (ret)
		return ret;
	memset(&ops, 0, sizeof(ops));
	ret = nftb_ops_from_ledger(nb, &ops);
	if (ret) {
		ret = nftb_fail(nb, ret, "out of memory refilling the table");
	} else {
		const struct nftb_ops *lists[] = { &ops };

		ret = nftb_commit_ops(nb, lists, 1);
	}
	if (!ret && nb->n_isolated)
		ret = nftb_isolate_write(nb);
	if (!ret)
		nftb_log(nb, NFTB_LOG_INFO, "loaded table inet %s (%s) with %zu countermeasure(s)",
			 NFTB_TABLE_NAME, why, ops.len);
	nftb_ops_free(&ops);
	return ret;
}

/*
 * (Re)loads the table and refills it from the ledger: one transaction for
 * the definition (libnftables), one for the elements (the fast path). The
 * result is read back, and the load repeated if someone removed the table
 * again in between (notifications may have been paused meanwhile).
 */
int nftb_table_restore(struct nftb *nb, const char *why)
{
	struct nftb_table_state st;
	int ret;

	if (nb->dry_run) {
		nftb_log(nb, NFTB_LOG_INFO, "dry-run: would load table inet %s (%s)",
			 NFTB_TABLE_NAME, why);
		return 0;
	}
	for (int tries = 0; tries < 3; tries++) {
		ret = load_and_fill(nb, why);
		if (!ret)
			ret = nftb_table_state(nb, &st);
		if (ret)
			return ret;
		nb->verify_pending = false;
		if (complete(nb, &st)) {
			nb->fingerprint = st.fingerprint;
			nb->have_fingerprint = true;
			return 0;
		}
		why = "removed again while loading";
	}
	return nftb_fail(nb, -EAGAIN, "table inet %s keeps disappearing while it is loaded",
			 NFTB_TABLE_NAME);
}
