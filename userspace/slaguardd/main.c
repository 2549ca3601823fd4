// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slaguardd - the security SLA engine. Reads an SLA, configures the kernel
 * module from it, turns the module's and the applications' events into SLO
 * verdicts, alerts and nftables countermeasures, and answers on a control
 * socket. main() parses arguments, wires the stages to one epoll loop and
 * owns the process: signals, the 1 s tick, the nftables backend.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "control.h"
#include "engine.h"
#include "fleet.h"
#include "intake.h"
#include "inspect.h"
#include "linesock.h"
#include "history.h"
#include "loop.h"
#include "dashboard.h"
#include "web.h"
#include "metrics.h"
#include "nft_backend.h"
#include "outputs.h"
#include "util.h"

#define PROG "slaguardd"

#ifndef SLAGUARD_VERSION_STR
#define SLAGUARD_VERSION_STR "0.1.0"
#endif
#define DEFAULT_STATE_DIR	"/var/lib/slaguard"
#define DEFAULT_SHAPES_FILE	"/usr/share/slaguard/attack-shapes.json"

enum { EXIT_USAGE = 2 };

struct args {
	const char *sla_file;
	bool dry_run, foreground, syslog, verbose;
	const char *alerts;		/* NULL: none; "-": stdout */
	const char *control;
	const char *app;
	bool app_gid_set;		/* --app-group */
	gid_t app_gid;
	const char *nft_table;
	const char *shapes;
	const char *state_dir;
	const char *family, *group;	/* generic netlink, for tests */
	bool no_nft;
	const char *metrics;		/* NULL: no metrics endpoint */
	bool metrics_remote;		/* --metrics-allow-remote */
	const char *dash_token_file;	/* --dashboard-token-file */
	char dash_token[WEB_TOKEN_MAX + 1];	/* "": none */
	bool no_history;
	uint64_t retention_ms;		/* of the history */
	struct outputs_opts outputs;	/* --journal, --webhook... */
};

struct daemon {
	struct args a;
	struct loop loop;
	struct loop_handler sig_h, tick_h, nft_h;
	struct engine e;
	struct nftb *nft;
	struct intake_genl *genl;
	struct intake_app *app;
	struct control *ctl;
	struct nfqueue *queue;
	int metrics_fd;			/* listening, until the server takes it */
	struct metrics *metrics;
	struct history *history;
	char history_path[PATH_MAX + 16];	/* "": none */
	char inspect_file[PATH_MAX + 32];	/* "": none */
	FILE *alerts_out;
	struct outputs *outputs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " -c SLA_FILE [OPTIONS]\n"
		"\n"
		"The slaguard SLA engine: kernel events and application events in,\n"
		"SLO verdicts, alerts and nftables countermeasures out.\n"
		"\n"
		"  -c, --config FILE        the SLA (YAML, see docs/sla-reference.md); required\n"
		"  -n, --dry-run            only log what would be done (also defaults.dry_run)\n"
		"  -f, --foreground         do not detach; log to stderr too\n"
		"  -a, --alerts FILE        alerts as JSON lines to FILE ('-': stdout)\n"
		"      --control PATH       control socket [" CONTROL_DEFAULT_PATH "]\n"
		"      --app-socket PATH    application events socket [" INTAKE_APP_DEFAULT_PATH "]\n"
		"      --app-group NAME|GID group of the application socket (mode 0660)\n"
		"                           [defaults.app_group of the SLA, else root]\n"
		"      --metrics[=ADDR:PORT] serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"                           [" METRICS_DEFAULT_LISTEN "]; PORT alone: on 127.0.0.1\n"
		"      --metrics-allow-remote  let --metrics listen on a non-loopback address\n"
		"                           (the page is not authenticated)\n"
		"      --dashboard-token-file PATH  require the token in PATH of every request\n"
		"                           to the dashboard (http://ADDR:PORT/dashboard); needed\n"
		"                           for it on a non-loopback address\n"
		"      --history-retention DURATION  how long the SLA history (state-dir/" HISTORY_FILE ")\n"
		"                           keeps what it records [400d]; --no-history: none\n"
		"      --no-syslog          do not log or alert to syslog\n"
		"      --journal            alerts to the systemd journal too, with SLAGUARD_*\n"
		"                           fields (SLAGUARD_ALERT_ID, _SEVERITY, _REF, _SOURCE ...)\n"
		"      --webhook URL        POST the JSON of alerts a 'notify' countermeasure\n"
		"                           picks to URL (http or https; up to 4 times)\n"
		"      --webhook-queue N    alerts waiting per webhook; the oldest is dropped [256]\n"
		"      --webhook-timeout DURATION  per attempt [5s]; 5 attempts, backoff from 1s\n"
		"      --nft-table-file PATH  table definition [" NFTB_DEFAULT_TABLE_FILE ",\n"
		"                           else nft/slaguard.nft of the source tree]\n"
		"      --no-nft             no nftables backend (firewall actions fail)\n"
		"      --state-dir DIR      where ids are kept across restarts [" DEFAULT_STATE_DIR "]\n"
		"      --attack-shapes PATH attack shapes [" DEFAULT_SHAPES_FILE ",\n"
		"                           else data/attack-shapes.json of the source tree]\n"
		"      --genl-family NAME, --genl-group NAME\n"
		"                           listen to another family (tests only: no stats, no config)\n"
		"  -v, --verbose            debug messages\n"
		"  -h, --help, -V, --version\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop, SIGHUP reloads the SLA file.\n");
}

/* A group name of this host or a numeric gid. */
static int parse_group(const char *text, gid_t *gid)
{
	struct group *gr;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (*text >= '0' && *text <= '9' && !*end && !errno && v < (gid_t)-1) {
		*gid = (gid_t)v;
		return 0;
	}
	gr = *text ? getgrnam(text) : NULL;
	if (!gr) {
		fprintf(stderr, PROG ": --app-group: expected a group name of this host or a numeric gid, got '%s'\n",
			text);
		return -EINVAL;
	}
	*gid = gr->gr_gid;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_CONTROL = 256, O_APP, O_NOSYSLOG, O_NFT, O_NONFT, O_SHAPES,
	       O_FAMILY, O_GROUP, O_APP_GROUP, O_STATE, O_METRICS, O_METRICS_REMOTE,
	       O_RETENTION, O_NO_HISTORY, O_DASH_TOKEN, O_JOURNAL, O_WEBHOOK,
	       O_WEBHOOK_QUEUE, O_WEBHOOK_TIMEOUT };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "alerts", required_argument, NULL, 'a' },
		{ "control", required_argument, NULL, O_CONTROL },
		{ "app-socket", required_argument, NULL, O_APP },
		{ "app-group", required_argument, NULL, O_APP_GROUP },
		{ "no-syslog", no_argument, NULL, O_NOSYSLOG },
		{ "nft-table-file", required_argument, NULL, O_NFT },
		{ "no-nft", no_argument, NULL, O_NONFT },
		{ "attack-shapes", required_argument, NULL, O_SHAPES },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "metrics", optional_argument, NULL, O_METRICS },
		{ "metrics-allow-remote", no_argument, NULL, O_METRICS_REMOTE },
		{ "dashboard-token-file", required_argument, NULL, O_DASH_TOKEN },
		{ "history-retention", required_argument, NULL, O_RETENTION },
		{ "no-history", no_argument, NULL, O_NO_HISTORY },
		{ "journal", no_argument, NULL, O_JOURNAL },
		{ "webhook", required_argument, NULL, O_WEBHOOK },
		{ "webhook-queue", required_argument, NULL, O_WEBHOOK_QUEUE },
		{ "webhook-timeout", required_argument, NULL, O_WEBHOOK_TIMEOUT },
		{ "genl-family", required_argument, NULL, O_FAMILY },
		{ "genl-group", required_argument, NULL, O_GROUP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*a = (struct args){ .syslog = true, .control = CONTROL_DEFAULT_PATH,
			    .app = INTAKE_APP_DEFAULT_PATH,
			    .family = SLAGUARD_GENL_NAME,
			    .state_dir = DEFAULT_STATE_DIR,
			    .retention_ms = HISTORY_DEFAULT_RETENTION_MS,
			    .group = SLAGUARD_MCGRP_EVENTS };
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:nfa:vhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': a->sla_file = optarg; break;
		case 'n': a->dry_run = true; break;
		case 'f': a->foreground = true; break;
		case 'a': a->alerts = optarg; break;
		case 'v': a->verbose = true; break;
		case O_CONTROL: a->control = optarg; break;
		case O_APP: a->app = optarg; break;
		case O_APP_GROUP:
			if (parse_group(optarg, &a->app_gid) < 0)
				return -EINVAL;
			a->app_gid_set = true;
			break;
		case O_NOSYSLOG: a->syslog = false; break;
		case O_NFT: a->nft_table = optarg; break;
		case O_NONFT: a->no_nft = true; break;
		case O_SHAPES: a->shapes = optarg; break;
		case O_STATE: a->state_dir = optarg; break;
		case O_METRICS: a->metrics = optarg ? optarg : METRICS_DEFAULT_LISTEN; break;
		case O_METRICS_REMOTE: a->metrics_remote = true; break;
		case O_DASH_TOKEN: a->dash_token_file = optarg; break;
		case O_NO_HISTORY: a->no_history = true; break;
		case O_RETENTION:
			if (sla_parse_duration(optarg, &a->retention_ms) < 0 || !a->retention_ms) {
				fprintf(stderr, PROG ": --history-retention: expected a duration like 90d, 12h or 30m, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case O_JOURNAL: a->outputs.journal = true; break;
		case O_WEBHOOK: {
			char err[512];

			if (a->outputs.n_webhooks == OUTPUTS_MAX_WEBHOOKS) {
				fprintf(stderr, PROG ": --webhook: at most %d webhooks\n",
					OUTPUTS_MAX_WEBHOOKS);
				return -EINVAL;
			}
			if (outputs_check_url(optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, PROG ": --webhook: %s\n", err);
				return -EINVAL;
			}
			a->outputs.webhooks[a->outputs.n_webhooks++] = optarg;
			break;
		}
		case O_WEBHOOK_QUEUE: {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || !n || n > 100000) {
				fprintf(stderr, PROG ": --webhook-queue: expected a number of alerts from 1 to 100000, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			a->outputs.queue = n;
			break;
		}
		case O_WEBHOOK_TIMEOUT:
			if (sla_parse_duration(optarg, &a->outputs.timeout_ms) < 0 ||
			    !a->outputs.timeout_ms || a->outputs.timeout_ms > 600000) {
				fprintf(stderr, PROG ": --webhook-timeout: expected a duration from 1ms to 10m like 5s or 500ms, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case O_FAMILY: a->family = optarg; break;
		case O_GROUP: a->group = optarg; break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(PROG " %s\n", SLAGUARD_VERSION_STR);
			exit(0);
		default:
			fprintf(stderr, PROG ": unknown option or missing value: '%s'\nTry '" PROG " --help'.\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'%s\nTry '" PROG " --help'.\n",
			argv[optind], optind > 1 && !strcmp(argv[optind - 1], "--metrics") ?
			" (the address goes with '=': --metrics=ADDR:PORT)" : "");
		return -EINVAL;
	}
	if (a->metrics) {
		struct sockaddr_storage ss;
		socklen_t sl;
		char err[512];

		if (metrics_parse_listen(a->metrics, a->metrics_remote, &ss, &sl,
					 err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": --metrics: %s\n", err);
			return -EINVAL;
		}
	}
	if (a->dash_token_file) {
		char err[512];

		if (!a->metrics) {
			fprintf(stderr, PROG ": --dashboard-token-file without --metrics: the dashboard is served with the metrics, give --metrics[=ADDR:PORT]\n");
			return -EINVAL;
		}
		if (web_read_token(a->dash_token_file, a->dash_token, sizeof(a->dash_token),
					 err, sizeof(err)) < 0) {
			fprintf(stderr, PROG ": --dashboard-token-file %s\n", err);
			return -EINVAL;
		}
	}
	if (a->metrics_remote && !a->metrics) {
		fprintf(stderr, PROG ": --metrics-allow-remote without --metrics: give the address, e.g. --metrics=0.0.0.0:9477\n");
		return -EINVAL;
	}
	if (!a->sla_file) {
		fprintf(stderr, PROG ": missing -c SLA_FILE: the SLA to enforce\nTry '" PROG " --help'.\n");
		return -EINVAL;
	}
	return 0;
}

/* PREFERRED if it exists, else REL (from the source tree) next to the binary. */
static const char *find_file(const char *preferred, const char *rel,
			     char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access(preferred, R_OK) == 0)
		return preferred;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return preferred;
	exe[n] = '\0';
	snprintf(buf, size, "%s/../../%s", dirname(exe), rel);
	return access(buf, R_OK) == 0 ? buf : preferred;
}

static void nft_log(void *arg, enum nftb_log_level level, const char *msg)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	(void)arg;
	sgd_log(prio[level], "nft: %s", msg);
}

/* Adopt what a previous daemon left in the table, so it can be listed and revoked. */
static void adopt_existing(struct daemon *d)
{
	struct nftb_entry *ent;
	size_t n, adopted = 0;
	uint64_t now = sgd_mono_ms();

	if (nftb_list(d->nft, &ent, &n) < 0) {
		sgd_log(LOG_WARNING, "nft: cannot list the table: %s", nftb_last_error(d->nft));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ent[i].ours || !ent[i].expires_ms)
			continue;
		if (respond_adopt(d->e.resp, ent[i].kind, ent[i].addr,
				  ent[i].expires_ms, ent[i].comment, now) == 0)
			adopted++;
		alerts_reserve(d->e.alerts, ent[i].comment);
	}
	nftb_list_free(ent);
	if (adopted)
		sgd_log(LOG_NOTICE, "adopted %zu countermeasures still due from the table", adopted);
}

static int open_nft(struct daemon *d, const struct sla *sla)
{
	char buf[PATH_MAX], ibuf[PATH_MAX + 32];
	const char **allow = calloc(sla->n_allowlist + 1, sizeof(*allow));
	char (*text)[64] = calloc(sla->n_allowlist + 1, sizeof(*text));
	/*
	 * Only --dry-run makes the backend itself inert for the process's life;
	 * the SLA's dry_run is the respond stage's, so a reload can turn it off.
	 */
	struct nftb_opts o = { .dry_run = d->a.dry_run,
			       .log = nft_log, .log_debug = d->a.verbose };
	struct nftb_reconcile_stats st;
	int ret;

	if (!allow || !text) {
		free(allow);
		free(text);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sla->n_allowlist; i++) {
		sla_format_prefix(&sla->allowlist[i], text[i], sizeof(text[i]));
		allow[i] = text[i];
	}
	o.allowlist = allow;
	o.allowlist_len = sla->n_allowlist;
	o.table_file = d->a.nft_table ? d->a.nft_table :
		       find_file(NFTB_DEFAULT_TABLE_FILE, "nft/slaguard.nft", buf, sizeof(buf));
	snprintf(ibuf, sizeof(ibuf), "%.*s/slaguard-inspect.nft",
		 (int)(strrchr(o.table_file, '/') ? strrchr(o.table_file, '/') - o.table_file : 1),
		 strrchr(o.table_file, '/') ? o.table_file : ".");
	o.inspect_file = access(ibuf, R_OK) == 0 ? ibuf : NULL;
	snprintf(d->inspect_file, sizeof(d->inspect_file), "%s",
		 o.inspect_file ? o.inspect_file :
		 access(NFTB_DEFAULT_INSPECT_FILE, R_OK) == 0 ? NFTB_DEFAULT_INSPECT_FILE : "");
	ret = nftb_open(&d->nft, &o);
	free(allow);
	free(text);
	if (ret < 0)
		return ret;
	ret = nftb_ensure_table(d->nft);
	if (!ret)
		ret = nftb_reconcile(d->nft, &st);
	if (ret < 0) {
		sgd_log(LOG_ERR, "nft: %s", nftb_last_error(d->nft));
		nftb_close(d->nft);
		d->nft = NULL;
		return ret;
	}
	sgd_log(LOG_INFO, "nft: table inet " NFTB_TABLE_NAME " from %s%s: %zu adopted, %zu cleared",
		o.table_file, st.table_loaded ? " (loaded)" : "", st.adopted, st.cleared);
	return 0;
}

static int no_nft_apply(void *ctx, enum nftb_kind k, const char *t, unsigned int s,
			const char *c)
{
	(void)ctx; (void)k; (void)t; (void)s; (void)c;
	return -ENODEV;
}

static int no_nft_revoke(void *ctx, enum nftb_kind k, const char *t)
{
	(void)ctx; (void)k; (void)t;
	return -ENODEV;
}

static const char *no_nft_error(void *ctx)
{
	(void)ctx;
	return "the nftables backend is not available (see the log at start)";
}

static const struct respond_ops no_nft_ops = {
	.apply = no_nft_apply, .revoke = no_nft_revoke, .error = no_nft_error,
};

static void on_signal(struct loop_handler *h, uint32_t events)
{
	struct daemon *d = h->arg;
	struct signalfd_siginfo si;
	char err[1024];

	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sgd_log(LOG_NOTICE, "SIGHUP: reloading %s", d->e.sla_path);
			if (engine_reload(&d->e, NULL, err, sizeof(err)) < 0)
				sgd_log(LOG_ERR, "reload refused, the running SLA is unchanged: %s", err);
			continue;
		}
		sgd_log(LOG_NOTICE, "signal %u: shutting down", si.ssi_signo);
		loop_stop(&d->loop);
	}
}

static void on_tick(struct loop_handler *h, uint32_t events)
{
	struct daemon *d = h->arg;
	uint64_t expirations;

	(void)events;
	if (read(h->fd, &expirations, sizeof(expirations)) < 0)
		return;
	intake_genl_tick(d->genl);
	intake_app_tick(d->app);
	metrics_tick(d->metrics);
	engine_tick(&d->e, sgd_mono_ms());
	history_tick(d->history, &d->e, sgd_real_ms());
}

static void on_nft(struct loop_handler *h, uint32_t events)
{
	struct daemon *d = h->arg;
	int ret = nftb_watch_handle(d->nft);

	(void)events;
	if (ret == 1)
		sgd_log(LOG_WARNING, "nft: table inet " NFTB_TABLE_NAME " was deleted or changed by someone else; restored with the countermeasures still due");
	else if (ret < 0)
		sgd_log(LOG_ERR, "nft: %s", nftb_last_error(d->nft));
}

static bool on_queued_packet(const uint8_t *pkt, size_t len, void *arg)
{
	struct daemon *d = arg;

	return engine_on_packet(&d->e, pkt, len);
}

/*
 * Read the queue the table's inspect chain sends packets to; its number is
 * the one in the inspect rules file. Without a reader the rule's `bypass`
 * accepts those packets, so every failure here only costs inspection.
 */
static void open_queue(struct daemon *d)
{
	struct nfqueue_opts qo = { .copy_range = INSPECT_COPY_RANGE,
				   .verdict = on_queued_packet, .arg = d };
	int ret;

	if (!d->nft || !nftb_inspect_enabled(d->nft) || !d->inspect_file[0])
		return;
	ret = nfqueue_num_from_file(d->inspect_file, &qo.queue_num);
	if (ret < 0) {
		sgd_log(LOG_ERR, "inspection: no queue number in %s (%s): sources sent to inspection are accepted unjudged",
			d->inspect_file, strerror(-ret));
		return;
	}
	ret = nfqueue_new(&d->queue, &d->loop, &qo);
	if (ret < 0) {
		sgd_log(LOG_ERR, "inspection: cannot bind NFQUEUE %u: %s%s", qo.queue_num,
			strerror(-ret), ret == -EBUSY ? " (another program reads it)" : "");
		sgd_log(LOG_ERR, "inspection: sources sent to inspection are accepted unjudged (bypass)");
		return;
	}
	sgd_log(LOG_INFO, "inspection: reading NFQUEUE %u (from %s); %s", qo.queue_num,
		d->inspect_file, sla_has_payload_rules(d->e.sla) ?
		"payload rules judge what it holds" : "no payload rules yet: everything is accepted");
}

static int add_fd(struct daemon *d, struct loop_handler *h, int fd, loop_fn fn)
{
	if (fd < 0)
		return -errno;
	*h = (struct loop_handler){ .fd = fd, .fn = fn, .arg = d };
	return loop_add(&d->loop, h, EPOLLIN);
}

static int setup_signals_and_tick(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	sigset_t set;
	int tfd, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	ret = add_fd(d, &d->sig_h, signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK), on_signal);
	if (ret < 0)
		return ret;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd >= 0 && timerfd_settime(tfd, 0, &its, NULL) < 0)
		return -errno;
	return add_fd(d, &d->tick_h, tfd, on_tick);
}

/* The sockets' directory (/run/slaguard) may not exist yet after boot. */
static void make_parent(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0755);
}

/*
 * A second daemon must not take the sockets of a running one (nor touch
 * its nftables table first): a path someone listens on is refused, before
 * detaching so the message is seen.
 */
static int check_socket_free(const char *what, const char *path)
{
	int ret = linesock_check_free(path);

	if (ret == -EADDRINUSE)
		fprintf(stderr, PROG ": %s %s: a process is listening on it (another slaguardd?): stop it first, or give this one another path with %s\n",
			what, path, !strcmp(what, "control socket") ? "--control" : "--app-socket");
	else if (ret == -EEXIST)
		fprintf(stderr, PROG ": %s %s: exists and is not a socket: remove it or choose another path\n",
			what, path);
	else if (ret < 0)
		fprintf(stderr, PROG ": %s %s: %s\n", what, path, strerror(-ret));
	return ret;
}

static int open_sockets(struct daemon *d)
{
	struct intake_app_opts ao = { 0 };
	int ret;

	make_parent(d->a.control);
	ret = control_new(&d->ctl, &d->loop, d->a.control, &d->e);
	if (ret < 0) {
		sgd_log(LOG_ERR, "control socket %s: %s", d->a.control, strerror(-ret));
		return ret;
	}
	make_parent(d->a.app);
	ao.path = d->a.app;
	ao.mode = 0660;
	ao.set_gid = d->a.app_gid_set;
	ao.gid = d->a.app_gid;
	ao.sla = &d->e.sla;
	ao.sink = engine_on_record;
	ao.arg = &d->e;
	ret = intake_app_new(&d->app, &d->loop, &ao);
	if (ret < 0) {
		sgd_log(LOG_ERR, "application socket %s: %s", d->a.app, strerror(-ret));
		return ret;
	}
	control_set_app(d->ctl, d->app);
	return 0;
}

static int open_alerts(struct daemon *d)
{
	if (!d->a.alerts)
		return 0;
	if (!strcmp(d->a.alerts, "-")) {
		d->alerts_out = stdout;
		return 0;
	}
	d->alerts_out = fopen(d->a.alerts, "ae");
	if (!d->alerts_out) {
		fprintf(stderr, PROG ": %s: %s\n", d->a.alerts, strerror(errno));
		return -errno;
	}
	return 0;
}

/* DIR, created if missing (0700); NULL when it cannot be, after a warning. */
static const char *state_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		sgd_log(LOG_WARNING, "state directory %s: %s: alert and countermeasure ids may repeat after a restart",
			dir, strerror(errno));
		return NULL;
	}
	return dir;
}

static int start_engine(struct daemon *d, struct sla *sla)
{
	char buf[PATH_MAX];
	struct engine_opts eo = {
		.dry_run = d->a.dry_run,
		.alerts = { .out = d->alerts_out, .syslog = d->a.syslog,
			    .outputs = d->outputs },
		.ops = d->nft ? &respond_nft_ops : &no_nft_ops,
		.ops_ctx = d->nft,
		.state_dir = state_dir(d->a.state_dir),
		.shapes_path = d->a.shapes ? d->a.shapes :
			       find_file(DEFAULT_SHAPES_FILE, "data/attack-shapes.json",
					 buf, sizeof(buf)),
	};

	return engine_init(&d->e, sla, d->a.sla_file, &eo);
}

static int start_intake(struct daemon *d)
{
	struct intake_genl_opts go = {
		.family = d->a.family, .group = d->a.group,
		.listen_only = strcmp(d->a.family, SLAGUARD_GENL_NAME) != 0,
		.sink = engine_on_record, .arg = &d->e,
	};
	int ret = intake_genl_new(&d->genl, &d->loop, &go);

	if (ret < 0)
		return ret;
	d->e.genl = d->genl;
	return intake_genl_configure(d->genl, d->e.modcfg);
}

static void detach(void)
{
	int fd;

	if (fork() > 0)
		_exit(0);
	setsid();
	if (fork() > 0)
		_exit(0);
	if (chdir("/") < 0)
		return;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/*
 * The socket is bound before detaching (a busy port is seen and stops the
 * start); serving it can only fail for lack of memory, which costs the
 * metrics alone.
 */
static int bind_metrics(struct daemon *d)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[512];

	d->metrics_fd = -1;
	if (!d->a.metrics)
		return 0;
	if (metrics_parse_listen(d->a.metrics, d->a.metrics_remote, &ss, &sl,
				 err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": --metrics: %s\n", err);
		return -EINVAL;
	}
	d->metrics_fd = web_listen(&ss, sl);
	if (d->metrics_fd < 0) {
		fprintf(stderr, PROG ": --metrics %s: %s%s\n", d->a.metrics, strerror(-d->metrics_fd),
			d->metrics_fd == -EADDRINUSE ? " (another slaguardd or exporter has the port: choose another with --metrics=ADDR:PORT)" : "");
		return d->metrics_fd;
	}
	return 0;
}

static void open_metrics(struct daemon *d)
{
	char where[80];
	int fd = d->metrics_fd, ret;

	web_bound(fd, where, sizeof(where));
	d->metrics_fd = -1;
	ret = metrics_new(&d->metrics, &d->loop, fd, &d->e, d->app);
	if (ret < 0) {
		sgd_log(LOG_ERR, "metrics: cannot serve on %s: %s", where, strerror(-ret));
		return;
	}
	sgd_log(LOG_INFO, "metrics: http://%s/metrics%s", where,
		d->a.metrics_remote ? " (remote clients allowed: the page is not authenticated)" : "");
	metrics_set_dashboard(d->metrics, d->a.dash_token[0] ? d->a.dash_token : NULL,
			      d->a.metrics_remote, d->history_path[0] ? d->history_path : NULL);
	sgd_log(LOG_INFO, "dashboard: http://%s/dashboard%s", where,
		d->a.dash_token[0] ? " (with its token)" :
		d->a.metrics_remote ? " refused: a non-loopback address needs --dashboard-token-file" : "");
}

static void on_alert(const struct alert *a, void *arg)
{
	struct daemon *d = arg;

	history_alert(d->history, &d->e, a);
}

static void on_operator(const struct countermeasure *c, const char *action, void *arg)
{
	struct daemon *d = arg;

	history_operator(d->history, c, action, sgd_real_ms());
}

/* The history is evidence, not a condition to run: a failure is logged. */
static void open_history(struct daemon *d, const char *dir)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 256];

	if (d->a.no_history || !dir)
		return;
	snprintf(path, sizeof(path), "%s/" HISTORY_FILE, dir);
	if (history_open(&d->history, path, d->a.retention_ms, sgd_real_ms(),
			 err, sizeof(err)) < 0) {
		sgd_log(LOG_ERR, "history: %s: SLO states, violations and alerts are not recorded", err);
		return;
	}
	d->e.on_alert = on_alert;
	d->e.on_alert_arg = d;
	d->e.on_operator = on_operator;
	snprintf(d->history_path, sizeof(d->history_path), "%s", path);
	sgd_log(LOG_INFO, "history: %s", path);
}

/* Takes SLA. */
static int run(struct daemon *d, struct sla *sla)
{
	int ret;

	if ((ret = open_alerts(d)) < 0 || (ret = loop_init(&d->loop)) < 0 ||
	    (ret = outputs_new(&d->outputs, &d->a.outputs)) < 0) {
		sla_free(sla);
		return ret;
	}
	if (!d->a.no_nft && open_nft(d, sla) < 0)
		sgd_log(LOG_ERR, "nftables backend not available: firewall countermeasures will fail; alerts still work");
	ret = start_engine(d, sla);
	if (ret < 0) {
		sla_free(sla);
		return ret;
	}
	open_history(d, d->e.ids_kept ? d->a.state_dir : state_dir(d->a.state_dir));
	if (d->nft)
		adopt_existing(d);
	if ((ret = setup_signals_and_tick(d)) < 0 || (ret = open_sockets(d)) < 0 ||
	    (ret = start_intake(d)) < 0)
		return ret;
	if (d->nft && nftb_watch_fd(d->nft) >= 0)
		add_fd(d, &d->nft_h, nftb_watch_fd(d->nft), on_nft);
	open_queue(d);
	if (d->metrics_fd >= 0)
		open_metrics(d);
	/* Changes to the fleet section take effect on restart. */
	if (d->e.sla->fleet &&
	    (ret = fleet_new(&d->e.fleet, d->e.sla->fleet, &d->e, &d->loop,
			     state_dir(d->a.state_dir))) < 0)
		return ret;
	sgd_log(LOG_NOTICE, "SLA %s from %s: %zu SLOs, %zu rules, %zu watches%s",
		d->e.sla->name, d->a.sla_file, d->e.sla->n_slos, d->e.sla->n_rules,
		d->e.modcfg->n_watches, d->e.dry_run ? "; DRY RUN: nothing is enforced" : "");
	engine_tick(&d->e, sgd_mono_ms());
	return loop_run(&d->loop);
}

static void cleanup(struct daemon *d)
{
	metrics_free(d->metrics);
	history_close(d->history, sgd_real_ms());
	if (d->metrics_fd >= 0)
		close(d->metrics_fd);
	nfqueue_free(d->queue);
	control_free(d->ctl);
	intake_app_free(d->app);
	intake_genl_free(d->genl);
	fleet_free(d->e.fleet);
	d->e.fleet = NULL;
	if (d->e.sla)
		engine_fini(&d->e);
	/* The table and its elements stay: the kernel expires them. */
	nftb_close(d->nft);
	if (d->alerts_out && d->alerts_out != stdout)
		fclose(d->alerts_out);
	outputs_free(d->outputs);
	loop_fini(&d->loop);
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct sla *sla;
	char err[1024];
	int ret;

	d.loop.epfd = -1;
	d.metrics_fd = -1;
	if (parse_args(argc, argv, &d.a) < 0)
		return EXIT_USAGE;
	/* A broken SLA is reported before detaching, where it can be seen. */
	if (sla_load_file(d.a.sla_file, &sla, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_FAILURE;
	}
	if (check_socket_free("control socket", d.a.control) < 0 ||
	    check_socket_free("application socket", d.a.app) < 0 ||
	    bind_metrics(&d) < 0) {
		sla_free(sla);
		return EXIT_FAILURE;
	}
	if (!d.a.foreground)
		detach();
	sgd_log_setup(d.a.foreground, d.a.syslog, d.a.verbose ? LOG_DEBUG : LOG_INFO);
	ret = run(&d, sla);
	cleanup(&d);
	if (ret < 0)
		sgd_log(LOG_ERR, "exiting: %s", strerror(-ret));
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
