// SPDX-License-Identifier: GPL-2.0-or-later
#include "nft_test_util.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

static char log_buf[1 << 16];
static size_t log_len;

/* run-netns.sh checked its namespace is private and names it for us. */
void tu_require_netns(void)
{
	const char *expected = getenv("SLAGUARD_TEST_NETNS");
	char self[64];
	ssize_t n = readlink("/proc/self/ns/net", self, sizeof(self) - 1);

	if (n > 0)
		self[n] = '\0';
	if (!expected || n <= 0 || strcmp(self, expected)) {
		fprintf(stderr, "run these tests with `make -C tests/host check`: they must run "
			"in a private network namespace\n");
		exit(77);
	}
}

static char *vformat(const char *fmt, va_list ap)
{
	char *cmd = NULL;

	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	return cmd;
}

int tu_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

char *tu_capture(const char *fmt, ...)
{
	char *cmd, *out = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	cmd = vformat(fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	free(cmd);
	if (!f)
		return NULL;
	FILE *mem = open_memstream(&out, &len);
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(mem);
	if (pclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

json_object *tu_elems(const char *table, const char *set)
{
	char *out = tu_capture("nft -j list set inet %s %s 2>/dev/null", table, set);
	json_object *root = out ? json_tokener_parse(out) : NULL, *items, *s, *elems;
	json_object *result = json_object_new_array();

	free(out);
	if (root && json_object_object_get_ex(root, "nftables", &items)) {
		for (size_t i = 0; i < json_object_array_length(items); i++) {
			if (json_object_object_get_ex(json_object_array_get_idx(items, i), "set", &s) &&
			    json_object_object_get_ex(s, "elem", &elems)) {
				for (size_t j = 0; j < json_object_array_length(elems); j++)
					json_object_array_add(result, json_object_get(
						json_object_array_get_idx(elems, j)));
			}
		}
	}
	json_object_put(root);
	return result;
}

static void val_text(json_object *item, char *buf, size_t size)
{
	json_object *elem, *val = item, *p, *addr, *len;

	if (json_object_object_get_ex(item, "elem", &elem))
		json_object_object_get_ex(elem, "val", &val);
	if (json_object_object_get_ex(val, "prefix", &p) &&
	    json_object_object_get_ex(p, "addr", &addr) && json_object_object_get_ex(p, "len", &len))
		snprintf(buf, size, "%s/%d", json_object_get_string(addr), json_object_get_int(len));
	else
		snprintf(buf, size, "%s", json_object_get_string(val));
}

json_object *tu_find(json_object *elems, const char *val)
{
	char text[128];

	for (size_t i = 0; i < json_object_array_length(elems); i++) {
		json_object *item = json_object_array_get_idx(elems, i);

		val_text(item, text, sizeof(text));
		if (!strcmp(text, val))
			return item;
	}
	return NULL;
}

size_t tu_count(const char *set)
{
	json_object *elems = tu_elems("slaguard", set);
	size_t n = json_object_array_length(elems);

	json_object_put(elems);
	return n;
}

json_object *tu_field(json_object *item, const char *name)
{
	json_object *elem, *v;

	if (!item || !json_object_object_get_ex(item, "elem", &elem) ||
	    !json_object_object_get_ex(elem, name, &v))
		return NULL;
	return v;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (gen && nftnl_gen_nlmsg_parse(nlh, gen) >= 0)
		*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

uint32_t tu_genid(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t id = 0, seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		abort();
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		abort();
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n > 0)
		mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), gen_cb, &id);
	mnl_socket_close(nl);
	return id;
}

bool tu_have_peer(void)
{
	return getenv("SLAGUARD_TEST_PEER_PID") != NULL;
}

bool tu_peer_connects(const char *addr)
{
	const char *peer = getenv("SLAGUARD_TEST_PEER_PID");
	bool v6 = strchr(addr, ':') != NULL;

	return peer && tu_sh("nsenter -t %s -n timeout 3 socat -u TCP:%s%s%s:8080,connect-timeout=1 - "
			     "2>/dev/null | grep -q ok", peer, v6 ? "[" : "", addr, v6 ? "]" : "") == 0;
}

void tu_log(void *arg, enum nftb_log_level level, const char *msg)
{
	int n;

	(void)arg;
	(void)level;
	if (log_len >= sizeof(log_buf) - 1)
		return;
	n = snprintf(log_buf + log_len, sizeof(log_buf) - log_len, "%s\n", msg);
	if (n > 0)
		log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : sizeof(log_buf) - log_len - 1;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "  [log] %s\n", msg);
}

void tu_log_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
}

bool tu_logged(const char *needle)
{
	return strstr(log_buf, needle) != NULL;
}

const char *tu_log_text(void)
{
	return log_buf;
}

static char resolv_path[64];

static void remove_resolv_conf(void)
{
	unlink(resolv_path);
}

const char *tu_resolv_conf(const char *text)
{
	char *path = resolv_path;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(resolv_path), "/tmp/slaguard-test-resolv.%d", (int)getpid());
		atexit(remove_resolv_conf);
	}
	if (!text)
		return path;
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
	return path;
}

void tu_opts(struct nftb_opts *opts)
{
	static bool written;

	memset(opts, 0, sizeof(*opts));
	if (!written) {
		tu_resolv_conf("# test resolvers\nnameserver " TU_RESOLVER4 "\n"
			       "nameserver " TU_RESOLVER6 "\n");
		written = true;
	}
	opts->resolv_conf = tu_resolv_conf(NULL);
	opts->table_file = NFT_DIR "/slaguard.nft";
	opts->inspect_file = NFT_DIR "/slaguard-inspect.nft";
	opts->log = tu_log;
}

void tu_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int tu_watch(struct nftb *nb, unsigned int timeout_ms)
{
	struct pollfd pfd = { .fd = nftb_watch_fd(nb), .events = POLLIN };

	for (unsigned int waited = 0; waited < timeout_ms; waited += 50) {
		int ret = poll(&pfd, 1, 50);

		if (ret > 0) {
			ret = nftb_watch_handle(nb);
			if (ret)
				return ret;
		}
	}
	return 0;
}
