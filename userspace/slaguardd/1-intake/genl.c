// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "cgid.h"
#include "genl.h"
#include "genl_config.h"
#include "genl_event.h"
#include "intake.h"
#include "twatch.h"
#include "lost_events.h"
#include "sla.h"
#include "util.h"

/* Several seconds of a flood's worth of events. */
#define RCVBUF_SIZE	(8 * 1024 * 1024)
/* Datagrams read per wake-up, so one flood cannot starve the other fds. */
#define READ_BUDGET	64
/*
 * A deny rule's watches are on PRE_ROUTING and LOCAL_OUT: a packet a local
 * process sends to a local address (loopback) hits both, LOCAL_OUT first.
 * The second hit is that same packet: it is dropped, so it counts once.
 */
#define SENT_HITS	32
#define SENT_HIT_MS	2000

struct sent_hit {
	uint64_t mono_ms;	/* 0: free */
	uint32_t netns;
	int family;
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
};

struct intake_genl {
	struct intake_genl_opts o;
	struct loop *loop;
	struct sg_genl req;		/* requests: stats, configuration */
	struct sg_genl ev;		/* the events group only */
	struct loop_handler h;
	bool connected;
	bool warned_missing;
	uint64_t covered_since;
	struct sla_module_config *cfg;	/* NULL: nothing to apply */
	bool cfg_applied;
	struct twatch_state tw;
	char cfg_err[256];		/* why the module refused CFG, "" if not */
	struct ns_seqs seqs;		/* per network namespace */
	uint32_t own_netns;
	bool have_stats;
	uint64_t last_pull_ms;
	uint64_t last_pkts, last_bytes, last_sent, last_lost;
	struct lost_events lost;
	struct intake_genl_counters cnt;
	uint64_t module_stats[SLAGUARD_STATS_MAX + 1];	/* the last pull's */
	struct sent_hit sent[SENT_HITS];	/* the last LOCAL_OUT hits */
	unsigned int next_sent;
};

uint32_t intake_watch_sla_id(uint32_t module_id)
{
	if (module_id <= INTAKE_WATCH_BASE ||
	    module_id > INTAKE_WATCH_BASE + SLAGUARD_MAX_WATCHES)
		return 0;
	return module_id - INTAKE_WATCH_BASE;
}

static void emit(struct intake_genl *g, struct rec *r)
{
	if (!r->mono_ms)
		r->mono_ms = sgd_mono_ms();
	if (!r->real_ms)
		r->real_ms = sgd_real_ms();
	g->o.sink(r, g->o.arg);
}

static void emit_lost(struct intake_genl *g, bool known, uint64_t count,
		      uint64_t after, uint32_t netns, const char *reason)
{
	struct rec r = { .kind = REC_LOST };

	r.lost.count_known = known;
	r.lost.count = count;
	r.lost.after_seq = after;
	r.lost.netns = netns;
	r.lost.reason = reason;
	if (known)
		g->cnt.lost += count;
	else
		g->cnt.overruns++;
	emit(g, &r);
}

static struct sg_seq *seq_of(struct intake_genl *g, uint32_t netns)
{
	return ns_seqs_get(&g->seqs, netns);
}

static void track_seq(struct intake_genl *g, const struct sg_event *ev)
{
	uint32_t netns = (uint32_t)ev->val[SLAGUARD_EV_NETNS];
	struct sg_seq *s;
	uint64_t missing, after;

	if (!sg_event_has(ev, SLAGUARD_EV_SEQ) || !(s = seq_of(g, netns)))
		return;
	switch (sg_seq_track(s, ev->val[SLAGUARD_EV_SEQ], &missing, &after)) {
	case SG_SEQ_GAP:
		missing = lost_by_gap(&g->lost, missing);
		if (missing)
			emit_lost(g, true, missing, after, netns, "gap");
		break;
	case SG_SEQ_BACK:
		sgd_log(LOG_NOTICE, "event sequence of netns %u went back from %llu to %llu (module reloaded?)",
			netns, (unsigned long long)after,
			(unsigned long long)ev->val[SLAGUARD_EV_SEQ]);
		break;
	default:
		break;
	}
}

static void features_of(const struct sg_event *ev, struct rec_features *f)
{
	static const uint16_t attr[REC_F_COUNT] = {
		[REC_F_PKT_RATE] = SLAGUARD_EV_PKT_RATE,
		[REC_F_BYTE_RATE] = SLAGUARD_EV_BYTE_RATE,
		[REC_F_CONN_RATE] = SLAGUARD_EV_CONN_RATE,
		[REC_F_HALF_OPEN] = SLAGUARD_EV_HALF_OPEN,
		[REC_F_PORTS] = SLAGUARD_EV_PORTS,
		[REC_F_ICMP_RATE] = SLAGUARD_EV_ICMP_RATE,
	};

	for (int i = 0; i < REC_F_COUNT; i++) {
		if (!sg_event_has(ev, attr[i]))
			continue;
		f->present |= 1u << i;
		f->v[i] = (double)ev->val[attr[i]];
	}
}

/*
 * The path of the sending socket's cgroup, which countermeasures act on by
 * name: none when the id is not found, nor when the name would have to be
 * escaped to be shown (anyone allowed to create a cgroup names it, and an
 * escaped name could be another cgroup's).
 */
static void net_cgroup(struct rec_net *n)
{
	char shown[sizeof(n->cgroup)];

	if (cgid_path(n->cgroup_id, n->cgroup, sizeof(n->cgroup)) < 0) {
		n->cgroup[0] = '\0';
		return;
	}
	memcpy(shown, n->cgroup, sizeof(shown));
	sgd_printable(shown);
	if (strcmp(shown, n->cgroup))
		n->cgroup[0] = '\0';
}

static void rec_from_event(const struct sg_event *ev, struct rec *r)
{
	struct rec_net *n = &r->net;

	memset(r, 0, sizeof(*r));
	r->kind = REC_NET;
	if (sg_event_has(ev, SLAGUARD_EV_TIME_NS))
		r->real_ms = ev->val[SLAGUARD_EV_TIME_NS] / 1000000;
	n->event = (uint32_t)ev->val[SLAGUARD_EV_KIND];
	n->seq = ev->val[SLAGUARD_EV_SEQ];
	n->netns = (uint32_t)ev->val[SLAGUARD_EV_NETNS];
	n->direction = (uint8_t)ev->val[SLAGUARD_EV_DIRECTION];
	n->family = ev->src_len == 16 || ev->dst_len == 16 ? AF_INET6 :
		    ev->src_len == 4 || ev->dst_len == 4 ? AF_INET : 0;
	n->has_src = ev->src_len != 0;
	n->has_dst = ev->dst_len != 0;
	memcpy(n->src, ev->src, ev->src_len);
	memcpy(n->dst, ev->dst, ev->dst_len);
	/* ::ffff:a.b.c.d is a.b.c.d, when every address given is mapped. */
	if (n->family == AF_INET6) {
		uint8_t src[16], dst[16];

		memcpy(src, n->src, 16);
		memcpy(dst, n->dst, 16);
		if ((!n->has_src || sgd_unmap_v4(src)) &&
		    (!n->has_dst || sgd_unmap_v4(dst)) && (n->has_src || n->has_dst)) {
			memcpy(n->src, src, 16);
			memcpy(n->dst, dst, 16);
			n->family = AF_INET;
		}
	}
	n->proto = (uint8_t)ev->val[SLAGUARD_EV_PROTO];
	n->sport = (uint16_t)ev->val[SLAGUARD_EV_SRC_PORT];
	n->dport = (uint16_t)ev->val[SLAGUARD_EV_DST_PORT];
	n->watch_id = (uint32_t)ev->val[SLAGUARD_EV_WATCH_ID];
	n->has_value = sg_event_has(ev, SLAGUARD_EV_VALUE);
	n->value = ev->val[SLAGUARD_EV_VALUE];
	n->threshold = ev->val[SLAGUARD_EV_THRESHOLD];
	features_of(ev, &n->features);
	n->has_handshakes = sg_event_has(ev, SLAGUARD_EV_HANDSHAKES);
	n->handshakes = ev->val[SLAGUARD_EV_HANDSHAKES];
	n->probes = (uint32_t)ev->val[SLAGUARD_EV_PROBES];
	n->cgroup_id = ev->val[SLAGUARD_EV_CGROUP_ID];
	if (n->cgroup_id)
		net_cgroup(n);
}

static bool is_task_event(uint32_t kind)
{
	switch (kind) {
	case SLAGUARD_EVENT_SCHED_SAMPLE:
	case SLAGUARD_EVENT_PROC_EXEC:
	case SLAGUARD_EVENT_PROC_EXIT:
	case SLAGUARD_EVENT_CPU_HIGH:
	case SLAGUARD_EVENT_RUNQ_DELAY:
	case SLAGUARD_EVENT_FORK_RATE:
	case SLAGUARD_EVENT_MEM_HIGH:
		return true;
	default:
		return false;
	}
}

/* CPU_PCT is in hundredths of a percent of one CPU. */
static void rec_from_task_event(const struct sg_event *ev, struct rec *r)
{
	struct rec_task *t = &r->task;

	memset(r, 0, sizeof(*r));
	r->kind = REC_TASK;
	if (sg_event_has(ev, SLAGUARD_EV_TIME_NS))
		r->real_ms = ev->val[SLAGUARD_EV_TIME_NS] / 1000000;
	t->event = (uint32_t)ev->val[SLAGUARD_EV_KIND];
	t->seq = ev->val[SLAGUARD_EV_SEQ];
	t->watch_id = (uint32_t)ev->task_val[SLAGUARD_TASK_WATCH_ID];
	t->has_pid = sg_event_has_task(ev, SLAGUARD_TASK_PID);
	t->pid = (uint32_t)ev->task_val[SLAGUARD_TASK_PID];
	t->has_ppid = sg_event_has_task(ev, SLAGUARD_TASK_PPID);
	t->ppid = (uint32_t)ev->task_val[SLAGUARD_TASK_PPID];
	snprintf(t->comm, sizeof(t->comm), "%s", ev->comm);
	snprintf(t->cgroup, sizeof(t->cgroup), "%s", ev->cgroup);
	/* A process may name itself anything: escape it before logs see it. */
	sgd_printable(t->comm);
	sgd_printable(t->cgroup);
	t->period_ms = (uint32_t)ev->task_val[SLAGUARD_TASK_PERIOD_MS];
	t->has_cpu = sg_event_has_task(ev, SLAGUARD_TASK_CPU_PCT);
	t->cpu_percent = (double)ev->task_val[SLAGUARD_TASK_CPU_PCT] / 100.0;
	t->has_runq = sg_event_has_task(ev, SLAGUARD_TASK_RUN_DELAY_MS);
	t->runq_delay_ms = (double)ev->task_val[SLAGUARD_TASK_RUN_DELAY_MS];
	t->has_rss = sg_event_has_task(ev, SLAGUARD_TASK_RSS);
	t->rss_bytes = (double)ev->task_val[SLAGUARD_TASK_RSS];
	t->has_value = sg_event_has(ev, SLAGUARD_EV_VALUE);
	t->value = ev->val[SLAGUARD_EV_VALUE];
	t->threshold = ev->val[SLAGUARD_EV_THRESHOLD];
}

/*
 * The daemon's task watch ids are the same from one configuration to the
 * next: an event of a watch deleted by a reconfiguration, still in the
 * socket's queue, would count for the new SLA's component of that id.
 */
static bool stale_task_event(const struct intake_genl *g, const struct rec *r)
{
	return intake_task_watch_sla_id(r->task.watch_id) && r->real_ms &&
	       r->real_ms < g->tw.since_real_ms;
}

static int decode(const struct nlmsghdr *nlh, struct sg_event *ev,
		  struct rec *r, const char **why, unsigned int *attr)
{
	int ret = sg_event_decode(nlh, ev, why, attr);

	if (ret < 0)
		return ret;
	if (is_task_event((uint32_t)ev->val[SLAGUARD_EV_KIND]))
		rec_from_task_event(ev, r);
	else
		rec_from_event(ev, r);
	return 0;
}

int intake_genl_decode(const struct nlmsghdr *nlh, struct rec *r)
{
	struct sg_event ev;
	const char *why;
	unsigned int attr;

	return decode(nlh, &ev, r, &why, &attr);
}

static bool same_hit(const struct sent_hit *h, const struct rec_net *n)
{
	return h->netns == n->netns && h->family == n->family &&
	       h->proto == n->proto && h->sport == n->sport &&
	       h->dport == n->dport && !memcmp(h->src, n->src, 16) &&
	       !memcmp(h->dst, n->dst, 16);
}

/* Is R the arriving side of a loopback packet already reported leaving? */
static bool seen_leaving(struct intake_genl *g, const struct rec *r)
{
	const struct rec_net *n = &r->net;
	uint64_t now = sgd_mono_ms();
	struct sent_hit *h;

	if (r->kind != REC_NET || n->event != SLAGUARD_EVENT_WATCH_HIT ||
	    !intake_watch_sla_id(n->watch_id))
		return false;
	if (n->direction == SLAGUARD_DIR_OUT) {
		h = &g->sent[g->next_sent++ % SENT_HITS];
		*h = (struct sent_hit){ .mono_ms = now, .netns = n->netns,
					.family = n->family, .proto = n->proto,
					.sport = n->sport, .dport = n->dport };
		memcpy(h->src, n->src, 16);
		memcpy(h->dst, n->dst, 16);
		return false;
	}
	if (n->direction != SLAGUARD_DIR_IN)
		return false;
	for (unsigned int i = 0; i < SENT_HITS; i++) {
		h = &g->sent[i];
		if (h->mono_ms && now - h->mono_ms <= SENT_HIT_MS &&
		    same_hit(h, n)) {
			h->mono_ms = 0;	/* a retransmission counts again */
			return true;
		}
	}
	return false;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct intake_genl *g = data;
	struct sg_event ev;
	struct rec r;
	const char *why;
	unsigned int attr;
	int ret = decode(nlh, &ev, &r, &why, &attr);

	if (ret == -ENOMSG)
		return MNL_CB_OK;
	if (ret < 0) {
		g->cnt.malformed++;
		sgd_log(LOG_WARNING, "ignoring a malformed event: %s (attribute %u)",
			why, attr);
		return MNL_CB_OK;
	}
	g->cnt.received++;
	track_seq(g, &ev);
	if (r.kind == REC_TASK && stale_task_event(g, &r))
		return MNL_CB_OK;
	if (seen_leaving(g, &r))
		return MNL_CB_OK;
	emit(g, &r);
	return MNL_CB_OK;
}

static void disconnect(struct intake_genl *g, const char *why)
{
	if (g->connected)
		sgd_log(LOG_WARNING, "kernel module gone (%s); events are not monitored until it is back",
			why);
	if (g->ev.nl) {
		loop_del(g->loop, &g->h);
		sg_genl_close(&g->ev);
	}
	sg_genl_close(&g->req);
	g->connected = false;
	g->covered_since = 0;
	g->cfg_applied = false;
	g->tw.applied = false;
	g->have_stats = false;
	ns_seqs_init(&g->seqs, g->own_netns);
}

static void on_events(struct loop_handler *h, uint32_t events)
{
	struct intake_genl *g = h->arg;

	(void)events;
	for (int i = 0; i < READ_BUDGET; i++) {
		ssize_t n = recv(g->h.fd, g->ev.buf, SG_GENL_BUFSIZE,
				 MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			emit_lost(g, false, 0, 0, 0, "overrun");
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			disconnect(g, n < 0 ? strerror(errno) : "socket closed");
			return;
		}
		mnl_cb_run(g->ev.buf, (size_t)n, 0, 0, event_cb, g);
	}
}

static void tune_event_socket(struct sg_genl *ev)
{
	int fd = mnl_socket_get_fd(ev->nl), one = 1, size = RCVBUF_SIZE;

	/* Let the kernel count events it could not deliver to us. */
	mnl_socket_setsockopt(ev->nl, NETLINK_BROADCAST_ERROR, &one,
			      sizeof(one));
	/* FORCE ignores rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static int open_events(struct intake_genl *g)
{
	int ret = sg_genl_open(&g->ev, g->o.family, g->o.group);

	if (ret < 0)
		return ret;
	tune_event_socket(&g->ev);
	ret = sg_genl_join(&g->ev);
	if (ret == 0) {
		g->h = (struct loop_handler){
			.fd = mnl_socket_get_fd(g->ev.nl),
			.fn = on_events, .arg = g,
		};
		ret = loop_add(g->loop, &g->h, EPOLLIN);
	}
	if (ret < 0)
		sg_genl_close(&g->ev);
	return ret;
}

static void apply_config(struct intake_genl *g);

static int connect_module(struct intake_genl *g)
{
	int ret = sg_genl_open(&g->req, g->o.family, NULL);

	if (ret == 0 && (ret = open_events(g)) < 0)
		sg_genl_close(&g->req);
	if (ret < 0) {
		if (!g->warned_missing)
			sgd_log(LOG_WARNING, "generic netlink family \"%s\" (group \"%s\") not available: %s; is the slaguard module loaded? Retrying every second",
				g->o.family, g->o.group, strerror(-ret));
		g->warned_missing = true;
		return ret;
	}
	sgd_log(LOG_NOTICE, "listening to family \"%s\" (id %u, version %u), group \"%s\"",
		g->o.family, g->req.family_id, g->req.family_version,
		g->o.group);
	g->warned_missing = false;
	g->connected = true;
	g->covered_since = sgd_mono_ms();
	apply_config(g);
	return 0;
}

const char *intake_genl_config_error(const struct intake_genl *g)
{
	return g->cfg_applied && g->cfg_err[0] ? g->cfg_err : NULL;
}

int intake_genl_new(struct intake_genl **out, struct loop *l,
		    const struct intake_genl_opts *opts)
{
	struct intake_genl *g = calloc(1, sizeof(*g));
	struct stat st;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->o = *opts;
	g->loop = l;
	/* The daemon's own namespace: its sequence is never forgotten. */
	if (stat("/proc/self/ns/net", &st) == 0)
		g->own_netns = (uint32_t)st.st_ino;
	ns_seqs_init(&g->seqs, g->own_netns);
	connect_module(g);
	*out = g;
	return 0;
}

void intake_genl_free(struct intake_genl *g)
{
	if (!g)
		return;
	/* Task watches are the module's, not the namespace's: leave none. */
	if (g->connected && !g->o.listen_only)
		twatch_remove(&g->req, &g->tw);
	disconnect(g, "shutting down");
	free(g->cfg);
	free(g);
}

/* ---- configuration ---- */

static void log_kernel_error(struct intake_genl *g, const char *what, int ret)
{
	sgd_log(LOG_ERR, "module: %s: %s%s%s", what, strerror(-ret),
		g->req.extack[0] ? ": " : "", g->req.extack);
	/* The first refusal of a configuration is what a reload reports. */
	if (!g->cfg_err[0])
		snprintf(g->cfg_err, sizeof(g->cfg_err), "%.64s: %.48s%s%.128s", what,
			 strerror(-ret), g->req.extack[0] ? ": " : "",
			 g->req.extack);
}

static int set_thresholds(struct intake_genl *g,
			  const struct sla_module_config *cfg)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_thresholds t = { .present = cfg->thresholds_set };
	int ret;

	if (!cfg->thresholds_set)
		return 0;
	memcpy(t.val, cfg->thresholds, sizeof(t.val));
	ret = sg_genl_talk(&g->req, sg_thr_build_set(buf, g->req.family_id, &t),
			   NULL, NULL);
	if (ret < 0)
		log_kernel_error(g, "setting thresholds", ret);
	return ret;
}

struct watch_ids {
	uint32_t ids[SLAGUARD_MAX_WATCHES];
	size_t n;
};

static int watch_id_cb(const struct nlmsghdr *nlh, void *data)
{
	static const enum mnl_attr_data_type types[SLAGUARD_WATCH_ID + 1] = {
		[SLAGUARD_WATCH_ID] = MNL_TYPE_U32,
	};
	struct watch_ids *w = data;
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_WATCH);
	struct sg_attrs a;
	uint32_t id;

	if (!nest || sg_attrs_parse(nest, &a, types, SLAGUARD_WATCH_ID + 1) < 0)
		return MNL_CB_OK;
	id = (uint32_t)a.val[SLAGUARD_WATCH_ID];
	if (intake_watch_sla_id(id) && w->n < SLAGUARD_MAX_WATCHES)
		w->ids[w->n++] = id;
	return MNL_CB_OK;
}

/* An SLA watch as module watch ID. */
static void watch_of(const struct sla_watch *s, uint32_t id, struct sg_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->family = s->family;
	w->has_src = s->has_src;
	w->src.family = s->family;
	w->src.plen = s->src_plen;
	memcpy(w->src.addr.b, s->src_addr, sizeof(w->src.addr.b));
	w->has_dst = s->has_dst;
	w->dst.family = s->family;
	w->dst.plen = s->dst_plen;
	memcpy(w->dst.addr.b, s->dst_addr, sizeof(w->dst.addr.b));
	w->has_proto = s->proto != 0;
	w->proto = s->proto;
	w->has_ports = s->has_ports;
	w->port_min = s->port_min;
	w->port_max = s->port_max;
	w->dir = s->direction;
	w->action = s->action;
}

static int add_watch(struct intake_genl *g, const struct sla_watch *s)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_watch w;

	watch_of(s, INTAKE_WATCH_BASE + s->id, &w);
	return sg_genl_talk(&g->req, sg_watch_build_add(buf, g->req.family_id, &w),
			    NULL, NULL);
}

static int del_watch(struct intake_genl *g, uint32_t id)
{
	char buf[SG_GENL_REQSIZE];

	return sg_genl_talk(&g->req, sg_watch_build_del(buf, g->req.family_id, id),
			    NULL, NULL);
}

/*
 * Replace the daemon's watches: delete every watch in its id range, then
 * add the SLA's. The module swaps one watch at a time, so for a moment
 * neither set is complete; the daemon's own ids keep hand-made watches.
 */
static int replace_watches(struct intake_genl *g,
			   const struct sla_module_config *cfg)
{
	char buf[SG_GENL_REQSIZE];
	struct watch_ids *old = calloc(1, sizeof(*old));
	struct nlmsghdr *nlh;
	int ret, first = 0;

	if (!old)
		return -ENOMEM;
	nlh = sg_genl_msg(buf, g->req.family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_GET_WATCH, NLM_F_DUMP);
	ret = sg_genl_talk(&g->req, nlh, watch_id_cb, old);
	if (ret < 0)
		log_kernel_error(g, "listing watches", ret);
	for (size_t i = 0; i < old->n; i++) {
		ret = del_watch(g, old->ids[i]);
		if (ret < 0 && ret != -ENOENT)
			log_kernel_error(g, "deleting an old watch", ret);
	}
	free(old);
	for (size_t i = 0; i < cfg->n_watches; i++) {
		const struct sla_watch *w = &cfg->watches[i];

		ret = add_watch(g, w);
		if (ret < 0) {
			log_kernel_error(g, w->rule ? w->rule->id : "adding a watch", ret);
			first = first ? first : ret;
		}
	}
	return first;
}

static void apply_config(struct intake_genl *g)
{
	int ret;

	if (!g->connected || !g->cfg || g->cfg_applied || g->o.listen_only)
		return;
	g->cfg_err[0] = '\0';
	ret = set_thresholds(g, g->cfg);
	if (replace_watches(g, g->cfg) < 0 && !ret)
		ret = -EIO;
	twatch_replace(&g->req, g->cfg, &g->tw);
	g->cfg_applied = true;
	if (ret == 0 && g->cfg->n_out_skipped)
		sgd_log(LOG_WARNING, "%zu deny rule watches have no LOCAL_OUT copy (over the module's %d watches): what local processes send there names no cgroup",
			g->cfg->n_out_skipped, SLAGUARD_MAX_WATCHES);
	if (ret == 0)
		sgd_log(LOG_INFO, "module configured: %zu watches, %zu task watches%s, thresholds from the SLA",
			g->cfg->n_watches, g->cfg->n_task_watches,
			g->tw.monitor_err && g->cfg->n_task_watches ?
			" (not installed: no system monitor)" : "");
}

int intake_genl_configure(struct intake_genl *g,
			  const struct sla_module_config *cfg)
{
	if (!g->cfg && !(g->cfg = malloc(sizeof(*g->cfg))))
		return -ENOMEM;
	memcpy(g->cfg, cfg, sizeof(*cfg));
	g->cfg_applied = false;
	apply_config(g);
	return 0;
}

/* ---- periodic stats pull ---- */

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *nest = sg_genl_nest(nlh, SLAGUARD_A_STATS);
	struct sg_attrs *a = data;

	if (!nest || sg_attrs_parse(nest, a, sg_stats_types,
				    SLAGUARD_STATS_MAX + 1) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static void pull_stats(struct intake_genl *g)
{
	char buf[SG_GENL_REQSIZE];
	struct sg_attrs a;
	struct rec r = { .kind = REC_STATS };
	uint64_t now = sgd_mono_ms(), pkts, lost;
	struct nlmsghdr *nlh;
	int ret;

	nlh = sg_genl_msg(buf, g->req.family_id, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_GET_STATS, 0);
	ret = sg_genl_talk(&g->req, nlh, stats_cb, &a);
	if (ret < 0) {
		disconnect(g, strerror(-ret));
		return;
	}
	pkts = a.val[SLAGUARD_STATS_PKTS_IN] + a.val[SLAGUARD_STATS_PKTS_FORWARD] +
	       a.val[SLAGUARD_STATS_PKTS_OUT];
	lost = a.val[SLAGUARD_STATS_EVENTS_LOST];
	if (g->have_stats && lost > g->last_lost) {
		uint64_t n;

		n = lost_by_module(&g->lost, lost - g->last_lost);
		if (n)
			emit_lost(g, true, n, 0, 0, "module");
	}
	if (g->have_stats && pkts >= g->last_pkts) {
		r.stats.interval_ms = now - g->last_pull_ms;
		r.stats.packets = pkts - g->last_pkts;
		r.stats.bytes = a.val[SLAGUARD_STATS_BYTES] - g->last_bytes;
		r.stats.events_sent = a.val[SLAGUARD_STATS_EVENTS_SENT] - g->last_sent;
		r.stats.events_lost = lost - g->last_lost;
		emit(g, &r);
	}
	g->have_stats = true;
	memcpy(g->module_stats, a.val, sizeof(g->module_stats));
	g->last_pull_ms = now;
	g->last_pkts = pkts;
	g->last_bytes = a.val[SLAGUARD_STATS_BYTES];
	g->last_sent = a.val[SLAGUARD_STATS_EVENTS_SENT];
	g->last_lost = lost;
}

void intake_genl_tick(struct intake_genl *g)
{
	if (!g->connected && connect_module(g) < 0)
		return;
	if (!g->o.listen_only)
		pull_stats(g);
}

bool intake_genl_connected(const struct intake_genl *g)
{
	return g->connected;
}

uint64_t intake_genl_covered_since(const struct intake_genl *g)
{
	return g->connected ? g->covered_since : 0;
}

const struct intake_genl_counters *intake_genl_counters(const struct intake_genl *g)
{
	return &g->cnt;
}

const uint64_t *intake_genl_module_stats(const struct intake_genl *g)
{
	return g->connected && g->have_stats ? g->module_stats : NULL;
}

const char *intake_genl_sched_gap(const struct intake_genl *g,
				  const struct sla_component *c, uint64_t since,
				  char *buf, size_t len)
{
	if (g->o.listen_only)
		return "listening to a stand-in family: no task watches";
	if (!g->connected || !g->cfg)
		return NULL;
	return twatch_gap(&g->tw, g->cfg, c, since, buf, len);
}
