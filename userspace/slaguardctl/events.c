// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cgid.h"
#include "ctl.h"
#include "events.h"
#include "output.h"
#include "tasks.h"

const char events_usage[] =
	"Usage: " PROG " [-j] events [--follow] [--count N] [--timeout SECONDS]\n"
	"\n"
	"Print the module's events as they happen, one line each, until N events\n"
	"were printed, SECONDS passed, or SIGINT/SIGTERM; all three exit 0.\n"
	"Lost events (a gap in the sequence numbers, or a receive buffer overrun)\n"
	"are reported: with -j as {\"kind\":\"LOST\",\"missing\":N,\"after_seq\":M}\n"
	"on stdout (missing is null when unknown), else as a warning on stderr.\n";

/* Several seconds of a flood's worth of events. */
#define RCVBUF_SIZE	(8 * 1024 * 1024)

/* Optional measurements, printed when present, in this order. */
static const struct {
	uint16_t attr;
	const char *key;
} measures[] = {
	{ SLAGUARD_EV_VALUE, "value" },
	{ SLAGUARD_EV_THRESHOLD, "threshold" },
	{ SLAGUARD_EV_PACKETS, "packets" },
	{ SLAGUARD_EV_BYTES, "bytes" },
	{ SLAGUARD_EV_PKT_RATE, "pkt_rate" },
	{ SLAGUARD_EV_BYTE_RATE, "byte_rate" },
	{ SLAGUARD_EV_CONN_RATE, "conn_rate" },
	{ SLAGUARD_EV_HALF_OPEN, "half_open" },
	{ SLAGUARD_EV_PORTS, "ports" },
	{ SLAGUARD_EV_ICMP_RATE, "icmp_rate" },
	{ SLAGUARD_EV_HANDSHAKES, "handshakes" },
	{ SLAGUARD_EV_PROBES, "probes" },
};

#define NMEASURES	(sizeof(measures) / sizeof(measures[0]))

int sg_event_parse(const struct nlmsghdr *nlh, struct sg_event *ev,
		   struct sg_error *e)
{
	const char *why;
	unsigned int attr;
	int ret = sg_event_decode(nlh, ev, &why, &attr);

	if (ret == -EBADMSG && attr && strstr(why, "bad length"))
		return sg_fail(e, ret, "event attribute %u has a bad length",
			       attr);
	if (ret == -EBADMSG)
		return sg_fail(e, ret, "%s", why);
	return ret;
}

static const char *event_family(const struct sg_event *ev)
{
	if (sg_event_has(ev, SLAGUARD_EV_FAMILY))
		return sg_family_name((uint8_t)ev->val[SLAGUARD_EV_FAMILY]);
	if (ev->src_len)
		return ev->src_len == 4 ? "inet" : "inet6";
	return NULL;
}

static void kind_text(const struct sg_event *ev, char *buf, size_t size)
{
	uint32_t kind = (uint32_t)ev->val[SLAGUARD_EV_KIND];

	sg_format_name(sg_kind_name(kind), "KIND_", kind, buf, size);
}

static void dir_text(const struct sg_event *ev, char *buf, size_t size)
{
	uint8_t dir = (uint8_t)ev->val[SLAGUARD_EV_DIRECTION];

	sg_format_name(sg_dir_name(dir), "DIR_", dir, buf, size);
}

static void add_or_null_u64(struct json_object *o, const struct sg_event *ev,
			    const char *key, uint16_t attr)
{
	if (sg_event_has(ev, attr))
		sg_json_add_u64(o, key, ev->val[attr]);
	else
		sg_json_add_null(o, key);
}

struct json_object *sg_event_to_json(const struct sg_event *ev)
{
	struct json_object *o = json_object_new_object();
	char buf[SG_ADDRSTRLEN];
	const char *family = event_family(ev);
	size_t i;

	if (!o)
		return NULL;
	add_or_null_u64(o, ev, "seq", SLAGUARD_EV_SEQ);
	kind_text(ev, buf, sizeof(buf));
	sg_json_add_str(o, "kind", buf);
	if (family)
		sg_json_add_str(o, "family", family);
	else
		sg_json_add_null(o, "family");
	if (ev->src_len) {
		sg_format_addr(ev->src, ev->src_len, buf, sizeof(buf));
		sg_json_add_str(o, "source", buf);
	} else {
		sg_json_add_null(o, "source");
	}
	if (sg_event_has(ev, SLAGUARD_EV_TIME_NS)) {
		sg_format_time(ev->val[SLAGUARD_EV_TIME_NS], buf, sizeof(buf));
		sg_json_add_str(o, "time", buf);
	} else {
		sg_json_add_null(o, "time");
	}
	add_or_null_u64(o, ev, "time_ns", SLAGUARD_EV_TIME_NS);
	add_or_null_u64(o, ev, "netns", SLAGUARD_EV_NETNS);
	if (sg_event_has(ev, SLAGUARD_EV_DIRECTION)) {
		dir_text(ev, buf, sizeof(buf));
		sg_json_add_str(o, "direction", buf);
	} else {
		sg_json_add_null(o, "direction");
	}
	for (i = 0; i < NMEASURES; i++)
		if (sg_event_has(ev, measures[i].attr))
			sg_json_add_u64(o, measures[i].key,
					ev->val[measures[i].attr]);

	if (sg_event_has(ev, SLAGUARD_EV_WATCH_ID))
		sg_json_add_u64(o, "watch", ev->val[SLAGUARD_EV_WATCH_ID]);
	if (ev->dst_len) {
		sg_format_addr(ev->dst, ev->dst_len, buf, sizeof(buf));
		sg_json_add_str(o, "destination", buf);
	}
	if (sg_event_has(ev, SLAGUARD_EV_PROTO)) {
		uint8_t proto = (uint8_t)ev->val[SLAGUARD_EV_PROTO];

		sg_json_add_name(o, "proto", sg_proto_name(proto), proto);
	}
	if (sg_event_has(ev, SLAGUARD_EV_SRC_PORT))
		sg_json_add_u64(o, "sport", ev->val[SLAGUARD_EV_SRC_PORT]);
	if (sg_event_has(ev, SLAGUARD_EV_DST_PORT))
		sg_json_add_u64(o, "dport", ev->val[SLAGUARD_EV_DST_PORT]);
	if (sg_event_has(ev, SLAGUARD_EV_CGROUP_ID)) {
		char cg[CGID_PATH_MAX];

		sg_json_add_u64(o, "cgroup_id", ev->val[SLAGUARD_EV_CGROUP_ID]);
		if (!cgid_path(ev->val[SLAGUARD_EV_CGROUP_ID], cg, sizeof(cg)))
			sg_json_add_str(o, "cgroup", cg);
		else
			sg_json_add_null(o, "cgroup");
	}
	sg_task_json_add(o, ev);
	return o;
}

/*
 * " cgroup=/path" of the sending socket's cgroup, " cgroup_id=N" when this
 * host's cgroup2 mount has no such cgroup (gone, or another namespace's
 * view). A name that would need escaping is shown by its id.
 */
static void cgroup_format(uint64_t id, char *buf, size_t size, size_t *pos)
{
	char cg[CGID_PATH_MAX];
	bool plain;

	plain = !cgid_path(id, cg, sizeof(cg));
	for (const char *c = cg; plain && *c; c++)
		plain = (unsigned char)*c > ' ' && *c != 0x7f;
	if (plain)
		sg_append(buf, size, pos, " cgroup=%s", cg);
	else
		sg_append(buf, size, pos, " cgroup_id=%" PRIu64, id);
}

void sg_event_format(const struct sg_event *ev, char *buf, size_t size)
{
	char text[SG_ADDRSTRLEN];
	size_t pos = 0, i;

	buf[0] = '\0';
	if (sg_event_has(ev, SLAGUARD_EV_TIME_NS)) {
		sg_format_time(ev->val[SLAGUARD_EV_TIME_NS], text, sizeof(text));
		sg_append(buf, size, &pos, "%s ", text);
	}
	if (sg_event_has(ev, SLAGUARD_EV_SEQ))
		sg_append(buf, size, &pos, "seq=%" PRIu64 " ",
		       (uint64_t)ev->val[SLAGUARD_EV_SEQ]);
	kind_text(ev, text, sizeof(text));
	sg_append(buf, size, &pos, "%s", text);
	if (sg_event_has(ev, SLAGUARD_EV_WATCH_ID))
		sg_append(buf, size, &pos, " watch=%" PRIu64,
		       (uint64_t)ev->val[SLAGUARD_EV_WATCH_ID]);
	if (sg_event_has(ev, SLAGUARD_EV_PROTO)) {
		uint8_t proto = (uint8_t)ev->val[SLAGUARD_EV_PROTO];

		sg_format_name(sg_proto_name(proto), "", proto, text,
			       sizeof(text));
		sg_append(buf, size, &pos, " proto=%s", text);
	}
	if (ev->src_len) {
		sg_format_addr(ev->src, ev->src_len, text, sizeof(text));
		sg_append(buf, size, &pos, " src=%s", text);
	}
	if (sg_event_has(ev, SLAGUARD_EV_SRC_PORT))
		sg_append(buf, size, &pos, " sport=%" PRIu64,
		       (uint64_t)ev->val[SLAGUARD_EV_SRC_PORT]);
	if (ev->dst_len) {
		sg_format_addr(ev->dst, ev->dst_len, text, sizeof(text));
		sg_append(buf, size, &pos, " dst=%s", text);
	}
	if (sg_event_has(ev, SLAGUARD_EV_DST_PORT))
		sg_append(buf, size, &pos, " dport=%" PRIu64,
		       (uint64_t)ev->val[SLAGUARD_EV_DST_PORT]);
	if (sg_event_has(ev, SLAGUARD_EV_DIRECTION)) {
		dir_text(ev, text, sizeof(text));
		sg_append(buf, size, &pos, " dir=%s", text);
	}
	if (sg_event_has(ev, SLAGUARD_EV_NETNS))
		sg_append(buf, size, &pos, " netns=%" PRIu64,
		       (uint64_t)ev->val[SLAGUARD_EV_NETNS]);
	for (i = 0; i < NMEASURES; i++)
		if (sg_event_has(ev, measures[i].attr))
			sg_append(buf, size, &pos, " %s=%" PRIu64, measures[i].key,
			       (uint64_t)ev->val[measures[i].attr]);
	if (sg_event_has(ev, SLAGUARD_EV_CGROUP_ID))
		cgroup_format(ev->val[SLAGUARD_EV_CGROUP_ID], buf, size, &pos);
	sg_task_format(ev, buf, size);
}

struct json_object *sg_lost_to_json(const uint64_t *missing,
				    const uint64_t *after_seq,
				    const char *reason)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	sg_json_add_str(o, "kind", "LOST");
	if (missing)
		sg_json_add_u64(o, "missing", *missing);
	else
		sg_json_add_null(o, "missing");
	if (after_seq)
		sg_json_add_u64(o, "after_seq", *after_seq);
	else
		sg_json_add_null(o, "after_seq");
	sg_json_add_str(o, "reason", reason);
	return o;
}

int sg_events_parse_args(int argc, char **argv, struct sg_events_opts *o,
			 struct sg_error *e)
{
	bool have_count = false, have_timeout = false;
	int i, ret;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = NULL;
		const char *eq = strchr(arg, '=');
		size_t keylen = eq ? (size_t)(eq - arg) : strlen(arg);

		if (strcmp(arg, "--follow") == 0 || strcmp(arg, "-f") == 0)
			continue;
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[i + 1];

		if (keylen == 7 && strncmp(arg, "--count", 7) == 0) {
			if (have_count)
				return sg_usage(e, "'--count' is given twice");
			if (!val)
				return sg_usage(e, "'--count' needs a value: --count N (N >= 1)");
			ret = sg_parse_u64("--count", val, 1, UINT64_MAX,
					   &o->count, e);
			have_count = true;
		} else if (keylen == 9 && strncmp(arg, "--timeout", 9) == 0) {
			if (have_timeout)
				return sg_usage(e, "'--timeout' is given twice");
			if (!val)
				return sg_usage(e, "'--timeout' needs a value: --timeout SECONDS");
			ret = sg_parse_seconds("--timeout", val, &o->timeout_ms,
					       e);
			have_timeout = true;
		} else {
			return sg_usage(e, "unknown argument '%s' for 'events'; expected: --follow, --count N, --timeout SECONDS",
					arg);
		}
		if (ret < 0)
			return ret;
		if (!eq)
			i++;
	}
	return 0;
}

struct events_state {
	struct ctl *c;
	struct sg_seq seq;
	uint64_t printed;
	uint64_t count;
	int error;		/* output failed */
};

static void report_lost(struct events_state *st, const uint64_t *missing,
			const uint64_t *after, const char *reason)
{
	if (st->c->json) {
		struct json_object *o = sg_lost_to_json(missing, after, reason);

		if (o && sg_json_print(o, stdout) < 0)
			st->error = -EIO;
		json_object_put(o);
		fflush(stdout);
		return;
	}
	if (missing && after)
		fprintf(stderr, PROG ": warning: lost %" PRIu64 " event%s after seq %" PRIu64 "\n",
			*missing, *missing == 1 ? "" : "s", *after);
	else if (after)
		fprintf(stderr, PROG ": warning: the receive buffer overflowed: events after seq %" PRIu64 " were lost\n",
			*after);
	else
		fprintf(stderr, PROG ": warning: the receive buffer overflowed: events were lost\n");
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct events_state *st = data;
	struct sg_error e = { 0 };
	struct sg_event ev;
	int ret;

	ret = sg_event_parse(nlh, &ev, &e);
	if (ret == -ENOMSG)
		return MNL_CB_OK;
	if (ret < 0) {
		fprintf(stderr, PROG ": warning: ignoring a malformed event: %s\n",
			e.msg);
		return MNL_CB_OK;
	}
	if (sg_event_has(&ev, SLAGUARD_EV_SEQ)) {
		uint64_t seq = ev.val[SLAGUARD_EV_SEQ], missing, after;

		switch (sg_seq_track(&st->seq, seq, &missing, &after)) {
		case SG_SEQ_GAP:
			report_lost(st, &missing, &after, "gap");
			break;
		case SG_SEQ_BACK:
			fprintf(stderr, PROG ": warning: event sequence went back from %" PRIu64 " to %" PRIu64 " (module reloaded?); counting from there\n",
				after, seq);
			break;
		default:
			break;
		}
	}
	if (st->c->json) {
		struct json_object *o = sg_event_to_json(&ev);

		if (!o || sg_json_print(o, stdout) < 0)
			st->error = -EIO;
		json_object_put(o);
	} else {
		char line[1024];

		sg_event_format(&ev, line, sizeof(line));
		if (printf("%s\n", line) < 0)
			st->error = -EIO;
	}
	if (fflush(stdout) != 0)
		st->error = -EIO;
	if (st->error)
		return MNL_CB_STOP;
	st->printed++;
	if (st->count && st->printed >= st->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void setup_socket(struct ctl *c)
{
	int fd = mnl_socket_get_fd(c->nl.nl);
	int one = 1, size = RCVBUF_SIZE;

	/* Let the kernel count events it could not deliver to us. */
	mnl_socket_setsockopt(c->nl.nl, NETLINK_BROADCAST_ERROR, &one,
			      sizeof(one));
	/* FORCE ignores rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/* Signals are blocked except while waiting, so none is missed. */
static int listen_loop(struct ctl *c, struct events_state *st,
		       const struct sg_events_opts *o, const sigset_t *waitmask)
{
	uint64_t deadline = o->timeout_ms ? now_ms() + o->timeout_ms : 0;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(c->nl.nl),
			      .events = POLLIN };

	while (!stop_signal) {
		struct timespec ts, *tsp = NULL;
		ssize_t n;
		int ret;

		if (deadline) {
			uint64_t now = now_ms(), left;

			if (now >= deadline)
				return 0;
			left = deadline - now;
			ts.tv_sec = (time_t)(left / 1000);
			ts.tv_nsec = (long)(left % 1000) * 1000000;
			tsp = &ts;
		}
		ret = ppoll(&pfd, 1, tsp, waitmask);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return sg_fail(&c->err, -errno, "events: poll: %s",
				       strerror(errno));
		if (ret == 0)
			continue;

		n = mnl_socket_recvfrom(c->nl.nl, c->nl.buf, SG_GENL_BUFSIZE);
		if (n < 0 && errno == ENOBUFS) {
			report_lost(st, NULL, st->seq.started ? &st->seq.last : NULL,
				    "overrun");
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return sg_fail(&c->err, -errno, "events: receive: %s",
				       strerror(errno));
		ret = mnl_cb_run(c->nl.buf, (size_t)n, 0, 0, event_cb, st);
		if (st->error)
			return sg_fail(&c->err, st->error,
				       "events: cannot write to stdout");
		if (st->count && st->printed >= st->count)
			return 0;
		if (ret == MNL_CB_ERROR)
			fprintf(stderr, PROG ": warning: events: %s\n",
				strerror(errno));
	}
	return 0;
}

int cmd_events(struct ctl *c, int argc, char **argv)
{
	struct events_state st = { .c = c };
	struct sg_events_opts o;
	struct sigaction sa;
	sigset_t block, old, wait;
	int ret;

	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		fputs(events_usage, stdout);
		return 0;
	}
	ret = sg_events_parse_args(argc, argv, &o, &c->err);
	if (ret < 0)
		return ret;
	st.count = o.count;

	ret = ctl_open(c, CTL_MCGRP);
	if (ret < 0)
		return ret;
	if (!c->nl.mcgrp_id)
		return sg_fail(&c->err, -ENOENT,
			       "events: the slaguard family has no multicast group \"%s\"; is the module from the same slaguard version?",
			       SLAGUARD_MCGRP_EVENTS);
	setup_socket(c);
	ret = sg_genl_join(&c->nl);
	if (ret == -EPERM)
		return sg_fail(&c->err, ret, "events: permission denied: following events needs CAP_NET_ADMIN over this network namespace (run as root)");
	if (ret < 0)
		return sg_fail(&c->err, ret, "events: cannot join group \"%s\": %s",
			       SLAGUARD_MCGRP_EVENTS, strerror(-ret));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait = old;
	sigdelset(&wait, SIGINT);
	sigdelset(&wait, SIGTERM);

	ret = listen_loop(c, &st, &o, &wait);

	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
