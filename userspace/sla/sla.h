/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slaguard - the security SLA: typed model, loader and derivations.
 *
 * An SLA file (YAML, see docs/sla-reference.md) is parsed into a fresh
 * struct sla; a file with any error is rejected whole and nothing of it is
 * returned. Every other stage of the daemon reads this model only.
 *
 * Functions return 0 or a negative errno. Load errors are -EINVAL for a bad
 * file (the message says FILE:LINE:COL, the field path and what was
 * expected), -ENOMEM, or the errno of opening/reading the file.
 */
#ifndef SLAGUARDD_SLA_H
#define SLAGUARDD_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/slaguard.h>

struct json_object;

/* Longest id or component name; ids end up in nft comments. */
#define SLA_NAME_MAX		63
/* Longest payload pattern: it must fit in what inspection reads of a packet. */
#define SLA_PAYLOAD_MAX		256
/* Longest process name the kernel keeps (TASK_COMM_LEN - 1). */
#define SLA_PROCESS_NAME_MAX	15

enum sla_severity {
	SLA_SEV_LOW = 1,
	SLA_SEV_MEDIUM,
	SLA_SEV_HIGH,
	SLA_SEV_CRITICAL,
};

enum sla_action {
	SLA_ACT_NONE,
	SLA_ACT_NOTIFY,
	SLA_ACT_BLOCK_SOURCE,
	SLA_ACT_RATE_LIMIT,
	SLA_ACT_INSPECT,
	SLA_ACT_RUN_HOOK,
	/*
	 * Limit new TCP connections (SYNs) to the destination (address and
	 * port) an alert names: the answer to a flood whose sources are
	 * forged, where blocking sources would block random addresses.
	 */
	SLA_ACT_LIMIT_DESTINATION,
	/*
	 * Cgroup countermeasures, on the cgroup of the process (or the
	 * cgroup) an alert is about: cpu.max, cgroup.freeze, memory.high.
	 * Each lasts, and the previous value comes back when it ends.
	 */
	SLA_ACT_THROTTLE_CPU,
	SLA_ACT_FREEZE,
	SLA_ACT_LIMIT_MEMORY,
	/*
	 * The cgroup's traffic dropped, but to the allowlist (nft rules
	 * with "socket cgroupv2" in table inet slaguard), for a duration.
	 */
	SLA_ACT_ISOLATE_NETWORK,
	/* A signal (SIGKILL unless the SLA names one) to the process: once. */
	SLA_ACT_KILL,
};

/*
 * What a countermeasure acting on a source (block-source, rate-limit)
 * needs of a network detector's finding: that the source completed TCP
 * handshakes (its address is not forged), or nothing.
 */
enum sla_evidence {
	SLA_EVIDENCE_DEFAULT,	/* a countermeasure: defaults.evidence */
	SLA_EVIDENCE_HANDSHAKE,
	SLA_EVIDENCE_ANY,
};

enum sla_proto {
	SLA_PROTO_ANY,
	SLA_PROTO_TCP,
	SLA_PROTO_UDP,
	SLA_PROTO_ICMP,		/* ICMP for IPv4, ICMPv6 for IPv6 */
};

/* The closed set of metrics an SLO may bound; names in sla_metric_name(). */
enum sla_metric {
	SLA_METRIC_NET_PORTSCAN_PORTS,
	SLA_METRIC_NET_SYN_HALF_OPEN,
	SLA_METRIC_NET_CONN_RATE,
	SLA_METRIC_NET_BANDWIDTH_BPS,
	SLA_METRIC_NET_ICMP_RATE,
	SLA_METRIC_NET_DST_HALF_OPEN,		/* per destination, any sources */
	SLA_METRIC_NET_SLOW_PORTSCAN_PORTS,	/* over the long window */
	SLA_METRIC_NET_WATCH_HITS,
	SLA_METRIC_SCHED_CPU_PERCENT,
	SLA_METRIC_SCHED_RUNQ_DELAY_MS,
	SLA_METRIC_SCHED_FORK_RATE,
	SLA_METRIC_SCHED_RSS_BYTES,
	SLA_METRIC_APP_ACCESS_VIOLATIONS,
	SLA_METRIC_EVENTS_LOST,
	SLA_METRIC_COUNT
};

/* What an SLO's value is aggregated over. */
enum sla_per {
	SLA_PER_NONE,		/* one value for the host (events.lost) */
	SLA_PER_SOURCE,
	SLA_PER_COMPONENT,
	SLA_PER_PROCESS,
};

/* An address is a prefix of full length. */
struct sla_prefix {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network byte order, host bits zero */
	uint8_t plen;
};

struct sla_port_range {
	uint16_t min, max;	/* 1..65535, min <= max */
};

struct sla_component {
	char *name;
	unsigned int line;	/* where it is defined, for messages */
	struct sla_prefix *addresses;
	size_t n_addresses;
	struct sla_port_range *ports;
	size_t n_ports;
	char **processes;
	size_t n_processes;
	char **cgroups;		/* absolute cgroup v2 paths */
	size_t n_cgroups;
};

enum sla_peer_kind {
	SLA_PEER_ANY,
	SLA_PEER_PREFIX,
	SLA_PEER_COMPONENT,
};

/* One entry of a network rule's "from". */
struct sla_peer {
	enum sla_peer_kind kind;
	struct sla_prefix prefix;		/* SLA_PEER_PREFIX */
	const struct sla_component *component;	/* SLA_PEER_COMPONENT */
};

enum sla_rule_kind {
	SLA_RULE_NET,		/* who may reach which component and port */
	SLA_RULE_DATA,		/* who may read which resource */
	SLA_RULE_SEQUENCE,	/* events of one key in order within a time */
};

enum sla_subject_kind {
	SLA_SUBJECT_USER,
	SLA_SUBJECT_ROLE,
};

/* What an application event says was done; a data rule is about one. */
enum sla_data_action {
	SLA_DATA_READ,
	SLA_DATA_WRITE,
	SLA_DATA_DELETE,
	SLA_DATA_LOGIN_FAILURE,
	SLA_DATA_PRIVILEGE_CHANGE,
	SLA_DATA_LOGIN_SUCCESS,
	SLA_DATA_ACTION_COUNT
};

/* What a sequence rule's events must share (its "same"). */
enum sla_seq_key {
	SLA_SAME_SOURCE,	/* the source address */
	SLA_SAME_USER,		/* an application event's user */
	SLA_SAME_PROCESS,	/* a process id, or its parent's */
};

/* The events a sequence step can be (its "event"); names in values.c. */
enum sla_seq_event {
	SLA_SEQ_NET_PORTSCAN,
	SLA_SEQ_NET_SLOW_PORTSCAN,
	SLA_SEQ_NET_SYN_FLOOD,
	SLA_SEQ_NET_CONN_RATE,
	SLA_SEQ_NET_BANDWIDTH,
	SLA_SEQ_NET_ICMP_FLOOD,
	SLA_SEQ_NET_WATCH_HIT,
	SLA_SEQ_APP,
	SLA_SEQ_PROC_EXEC,
	SLA_SEQ_PROC_EXIT,
	SLA_SEQ_PROC_SAMPLE,
	SLA_SEQ_EVENT_COUNT
};

/* Most steps of one sequence rule, and the largest count of one step. */
#define SLA_SEQ_STEPS_MAX	4
#define SLA_SEQ_COUNT_MAX	1000

/* One step of a sequence rule: which events it is made of, how many. */
struct sla_seq_step {
	unsigned int line;
	enum sla_seq_event event;
	uint32_t count;			/* matching events to complete it */
	/* SLA_SEQ_NET_WATCH_HIT */
	const struct sla_component *to;	/* NULL: any destination */
	struct sla_port_range *ports;	/* none: every port */
	size_t n_ports;
	enum sla_proto proto;
	/* SLA_SEQ_APP */
	bool has_subject;
	enum sla_subject_kind subject_kind;
	char *subject;
	enum sla_data_action action;
	char *resource;			/* fnmatch(3) pattern */
	/* SLA_SEQ_APP and SLA_SEQ_PROC_*: NULL any component */
	const struct sla_component *component;
	/* SLA_SEQ_PROC_*: command names, none: any */
	char **processes;
	size_t n_processes;
};

struct sla_rule {
	char *id;
	unsigned int line;
	bool deny;			/* false: an allow rule; sequences: true */
	enum sla_rule_kind kind;
	enum sla_severity severity;	/* deny rules; 0 for allow rules */
	char *description;		/* may be NULL */

	/* SLA_RULE_NET */
	struct sla_peer *from;		/* at least one entry */
	size_t n_from;
	const struct sla_component *to;
	struct sla_port_range *ports;	/* none: every port */
	size_t n_ports;
	enum sla_proto proto;
	/*
	 * Deny rules only: the rule is about packets whose TCP/UDP payload
	 * contains this text (ASCII case-insensitive), judged by NFQUEUE
	 * inspection of sources under inspect, never by the module's watches.
	 * NULL: the rule is about reaching the port at all.
	 */
	char *payload;

	/* SLA_RULE_DATA */
	enum sla_subject_kind subject_kind;
	char *subject;			/* user or role name */
	enum sla_data_action action;	/* the key the pattern was given under */
	char *resource;			/* fnmatch(3) pattern */
	const struct sla_component *component;	/* NULL: any component */

	/* SLA_RULE_SEQUENCE: the steps in order, by events of one key */
	struct sla_seq_step *steps;
	size_t n_steps;
	enum sla_seq_key same;
	uint64_t within_ms;		/* from the first event to the last */
};

struct sla_slo {
	char *id;
	unsigned int line;
	enum sla_metric metric;
	enum sla_per per;
	const struct sla_component *component;	/* NULL: the whole host */
	bool has_max, has_min;
	double max, min;
	uint64_t window_ms;	/* evaluation window (or sustain time) */
	bool sustained;		/* "for": violated once out of bounds that long */
	bool window_given;	/* false: window_ms is defaults.window */
	enum sla_severity severity;
	char *description;
};

enum sla_trigger {
	SLA_WHEN_SEVERITY,	/* alerts of this severity and above */
	SLA_WHEN_SLO,
	SLA_WHEN_RULE,
};

enum sla_rate_unit {
	SLA_RATE_SECOND,
	SLA_RATE_MINUTE,
	SLA_RATE_HOUR,
};

struct sla_rate {
	uint64_t count;		/* >= 1 */
	enum sla_rate_unit unit;
};

struct sla_countermeasure {
	unsigned int line;
	enum sla_trigger when;
	enum sla_severity severity;		/* SLA_WHEN_SEVERITY */
	const struct sla_slo *slo;		/* SLA_WHEN_SLO */
	const struct sla_rule *rule;		/* SLA_WHEN_RULE (a deny rule) */
	enum sla_action action;
	uint64_t duration_ms;
	struct sla_rate rate;			/* rate-limit, limit-destination */
	char *hook;				/* SLA_ACT_RUN_HOOK, absolute */
	enum sla_evidence evidence;		/* block-source, rate-limit */
	bool fleet;				/* scope: fleet, every node applies it */
	unsigned int cpu_percent;		/* throttle-cpu: % of one CPU */
	uint64_t memory_bytes;			/* limit-memory: memory.high */
	int signal;				/* kill: the signal, SIGKILL by default */
};

struct sla_defaults {
	uint64_t holdoff_ms;
	uint64_t window_ms;
	uint32_t max_actions;
	bool dry_run;
	/* Countermeasures without "evidence": handshake unless the SLA says. */
	enum sla_evidence evidence;
	/*
	 * Events per second each other network namespace's detectors may
	 * send to the initial namespace's listeners; 0: the module's own.
	 */
	uint32_t ns_forward_rate;
	/* Group of the application socket; resolved when the SLA is loaded. */
	bool has_app_group;
	uint32_t app_group;		/* gid */
	char *app_group_name;		/* as written: a name or a number */
	/*
	 * Beyond the built-in ones (PID 1, the daemon and its cgroup, sshd,
	 * the journal): process names, or cgroup paths ("/..."), no cgroup
	 * countermeasure touches.
	 */
	char **protected;
	size_t n_protected;
	struct {
		enum sla_severity severity;
		enum sla_action action;		/* notify, run-hook or none */
		char *hook;
	} lost_events;
	/*
	 * Range decisions, opt-in: once MIN addresses of one /PLEN4 (IPv4) or
	 * /PLEN6 (IPv6) prefix are blocked, one element blocks the prefix.
	 */
	struct {
		bool on;
		uint8_t plen4, plen6;
		uint32_t min;
	} aggregate;
	/*
	 * Repeat offenders, opt-in (like fail2ban's bantime.increment): the
	 * Nth block of one target within WINDOW_MS of its previous block
	 * lasts its duration x MULTIPLIER^(N-1), at most MAX_MS; REMEMBER
	 * targets are kept, the least recently blocked forgotten first.
	 */
	struct {
		bool on;
		double multiplier;
		uint64_t max_ms, window_ms;
		uint32_t remember;
	} repeat;
};

/*
 * Who may report application events for which components (the peer's
 * SO_PEERCRED uid, or a gid among its groups), and whether it may name a
 * source to act on. Names are resolved to ids when the SLA is loaded.
 */
struct sla_reporter {
	unsigned int line;
	bool is_group;			/* false: a user */
	uint32_t id;			/* uid or gid */
	char *name;			/* as written: a name or a number */
	bool any_component;		/* components: [any] */
	const struct sla_component **components;
	size_t n_components;
	bool source;			/* may name a "source" */
};

/* Longest fleet node, site or stream name. */
#define SLA_FLEET_NAME_MAX	32
#define SLA_FLEET_STREAM	"SLAGUARD"
/* JetStream key-value buckets: each node's SLA (key: node name), each
 * node's status (a heartbeat with the SLA it runs), the coordinator's state. */
#define SLA_FLEET_BUCKET_SLA	"slaguard-sla"
#define SLA_FLEET_BUCKET_STATUS	"slaguard-status"
#define SLA_FLEET_BUCKET_COORD	"slaguard-coord"

/* The "fleet" section: decisions shared over NATS JetStream. */
struct sla_fleet {
	char **servers;			/* nats:// or tls:// URLs, at least one */
	size_t n_servers;
	char *node, *site;		/* [a-z0-9_-]{1,32} */
	char *stream;			/* JetStream stream, default SLAGUARD */
	char *credentials;		/* absolute .creds path, or NULL */
	char *user, *password;		/* both or neither; not with credentials */
	/* TLS: the CA that signed the servers' certificates, and this
	 * node's certificate and key if the servers ask for one. */
	char *tls_ca, *tls_cert, *tls_key;
};

struct sla {
	char *name;
	char *description;
	char *source;		/* file name the SLA was loaded from */
	struct sla_component *components;
	size_t n_components;
	struct sla_rule *rules;
	size_t n_rules;
	struct sla_slo *slos;
	size_t n_slos;
	struct sla_countermeasure *countermeasures;
	size_t n_countermeasures;
	struct sla_prefix *allowlist;
	size_t n_allowlist;
	struct sla_reporter *reporters;	/* none: only root may report */
	size_t n_reporters;
	struct sla_defaults defaults;
	struct sla_fleet *fleet;	/* NULL: this node is on its own */
};

/* Defaults of the "defaults" section. */
#define SLA_DEFAULT_HOLDOFF_MS		10000
#define SLA_DEFAULT_WINDOW_MS		10000
#define SLA_DEFAULT_MAX_ACTIONS		1000
#define SLA_DEFAULT_ACTION_MS		600000	/* countermeasure "for": 10m */
/* net.slow_portscan_ports without a window: the module's long window. */
#define SLA_DEFAULT_SLOW_WINDOW_MS	600000
/* The longest "for": what an nftables element timeout takes here (30d). */
#define SLA_MAX_ACTION_MS		(30ULL * 86400000)

int sla_load_file(const char *path, struct sla **out, char *err, size_t errlen);
/* NAME stands for the file in messages (NULL: "<string>"). */
int sla_load_string(const char *text, size_t len, const char *name,
		    struct sla **out, char *err, size_t errlen);
void sla_free(struct sla *sla);

void sla_fleet_free(struct sla_fleet *f);
/* A fleet node or site name: [a-z0-9_-], 1..SLA_FLEET_NAME_MAX. */
bool sla_fleet_name_valid(const char *v);

const struct sla_component *sla_find_component(const struct sla *sla,
					       const char *name);
const struct sla_rule *sla_find_rule(const struct sla *sla, const char *id);
const struct sla_slo *sla_find_slo(const struct sla *sla, const char *id);

/*
 * Rule semantics, shared by the inspector and the policy. Traffic matching
 * a deny rule and no allow rule is a violation: *_violation() return the
 * first such deny rule, or NULL. SRC and DST are 4 or 16 bytes of FAMILY;
 * PROTO is an IPPROTO_*, DPORT is ignored unless TCP or UDP. Resource
 * patterns are fnmatch(3) globs whose '*' also matches '/'.
 */
bool sla_proto_matches(enum sla_proto want, uint8_t proto);
/* No ranges: every port; ports exist only for TCP and UDP. */
bool sla_ports_match(const struct sla_port_range *ports, size_t n_ports,
		     uint8_t proto, uint16_t dport);
bool sla_net_rule_matches(const struct sla_rule *rule, int family,
			  const void *src, const void *dst, uint8_t proto,
			  uint16_t dport);
const struct sla_rule *sla_net_violation(const struct sla *sla, int family,
					 const void *src, const void *dst,
					 uint8_t proto, uint16_t dport);
/*
 * Payload rules: the first deny rule with a payload pattern whose from, to,
 * port and proto match the packet and whose pattern occurs in PAYLOAD.
 * Allow rules do not lift these: an allow says who may reach a port, a
 * payload rule what nobody may send there.
 */
const struct sla_rule *sla_payload_violation(const struct sla *sla, int family,
					     const void *src, const void *dst,
					     uint8_t proto, uint16_t dport,
					     const void *payload, size_t len);
/* Whether any rule has a payload pattern (inspection has work to do). */
bool sla_has_payload_rules(const struct sla *sla);
bool sla_data_rule_matches(const struct sla_rule *rule,
			   enum sla_data_action action, const char *user,
			   const char *const *roles, size_t n_roles,
			   const char *component, const char *resource);
const struct sla_rule *sla_data_violation(const struct sla *sla,
					  enum sla_data_action action,
					  const char *user,
					  const char *const *roles,
					  size_t n_roles, const char *component,
					  const char *resource);
/*
 * Whether the peer UID (with GIDS, its primary and supplementary groups)
 * may report an application event for COMPONENT, naming a source if
 * NAMES_SOURCE: 0, or -EPERM with REASON saying who may not do what.
 * Without a reporters section only root may report; with one, root may
 * report everything unless a user entry names uid 0, and everyone else
 * what the entries naming their uid or one of their groups grant.
 */
int sla_reporter_check(const struct sla *sla, uint32_t uid,
		       const uint32_t *gids, size_t n_gids,
		       const char *component, bool names_source,
		       char *reason, size_t len);

/* Whether an alert (its severity, and the SLO or rule it is about) triggers CM. */
bool sla_countermeasure_applies(const struct sla_countermeasure *cm,
				enum sla_severity severity,
				const struct sla_slo *slo,
				const struct sla_rule *rule);

/*
 * What the kernel module is configured with. thresholds[] is indexed by
 * enum slaguard_thr_attr; only attributes whose bit (1 << attr) is set in
 * thresholds_set are sent, the others keep the module's value.
 */
struct sla_watch {
	uint32_t id;			/* 1..n, index + 1 */
	const struct sla_rule *rule;	/* the deny rule it reports for */
	uint8_t family;			/* 0: any family */
	bool has_src, has_dst, has_ports;
	uint8_t src_addr[16], src_plen;
	uint8_t dst_addr[16], dst_plen;
	uint8_t proto;			/* IPPROTO_*, 0 any */
	uint16_t port_min, port_max;
	uint8_t direction;		/* enum slaguard_direction */
	uint8_t action;			/* enum slaguard_watch_action */
};

/* What selects a component's processes for the module's system monitor. */
struct sla_task_watch {
	uint32_t id;				/* 1..n, index + 1 */
	const struct sla_component *component;
	const char *comm;			/* exactly one of comm, cgroup */
	const char *cgroup;
};

struct sla_module_config {
	uint64_t thresholds[SLAGUARD_THR_MAX + 1];
	uint32_t thresholds_set;
	struct sla_watch watches[SLAGUARD_MAX_WATCHES];
	size_t n_watches;
	struct sla_task_watch task_watches[SLAGUARD_MAX_TASK_WATCHES];
	size_t n_task_watches;
	/* deny rule watches with no LOCAL_OUT copy: over SLAGUARD_MAX_WATCHES */
	size_t n_out_skipped;
};

/*
 * Derive thresholds, watches and task watches from SLA. Each deny rule
 * watch arriving traffic (PRE_ROUTING) is followed, as far as
 * SLAGUARD_MAX_WATCHES allows, by a copy on LOCAL_OUT, where the module
 * names the cgroup of the local process that sent the packet. -E2BIG if
 * the deny rules need more than SLAGUARD_MAX_WATCHES watches, or the
 * components name
 * more than SLAGUARD_MAX_TASK_WATCHES processes and cgroups (the loader
 * already rejects such SLAs).
 */
int sla_to_module_config(const struct sla *sla, struct sla_module_config *cfg);
/* The SLAGUARD_THR_* attribute that bounds METRIC in the module, 0 if none. */
int sla_metric_threshold_attr(enum sla_metric metric);
/* The component task watch ID (1..n) selects processes for, NULL if none. */
const struct sla_component *sla_task_watch_component(
	const struct sla_module_config *cfg, uint32_t id);

/*
 * The model as JSON (caller puts the reference); NULL on ENOMEM. The dump is
 * itself a valid SLA file, defaults made explicit, loading to the same model.
 */
struct json_object *sla_to_json(const struct sla *sla);
/* What sla_to_module_config() derived: thresholds by name, watches. */
struct json_object *sla_module_config_to_json(const struct sla_module_config *cfg);

/* Value syntax shared with slaguardctl; see docs/sla-reference.md. */
int sla_parse_duration(const char *text, uint64_t *ms);
int sla_parse_number(const char *text, double *value);
/*
 * -EINVAL syntax, -ERANGE prefix length, -EDOM host bits set (then *prefix
 * holds the network, host bits cleared, to suggest in a message).
 */
int sla_parse_prefix(const char *text, struct sla_prefix *prefix);
/* -EINVAL syntax, -ERANGE port out of 1..65535, -EDOM min > max. */
int sla_parse_port_range(const char *text, struct sla_port_range *range);
int sla_parse_rate(const char *text, struct sla_rate *rate);
int sla_format_prefix(const struct sla_prefix *prefix, char *buf, size_t len);
int sla_format_duration(uint64_t ms, char *buf, size_t len);
/* Clears the host bits of P; returns whether any was set. */
bool sla_prefix_clear_host_bits(struct sla_prefix *p);
bool sla_prefix_contains(const struct sla_prefix *prefix, int family,
			 const void *addr);

const char *sla_severity_name(enum sla_severity severity);
const char *sla_action_name(enum sla_action action);
/* throttle-cpu, freeze, limit-memory: they act on a cgroup. */
bool sla_action_on_cgroup(enum sla_action action);
const char *sla_evidence_name(enum sla_evidence evidence);
/* A countermeasure's evidence policy, its own or the SLA's default. */
enum sla_evidence sla_countermeasure_evidence(const struct sla *sla,
					      const struct sla_countermeasure *cm);
const char *sla_proto_name(enum sla_proto proto);
const char *sla_metric_name(enum sla_metric metric);
const char *sla_per_name(enum sla_per per);
const char *sla_rate_unit_name(enum sla_rate_unit unit);
/* "read", "write", "delete", "login-failure", "privilege-change",
 * "login-success". */
const char *sla_data_action_name(enum sla_data_action action);
int sla_data_action_from_name(const char *name, enum sla_data_action *action);
const char *sla_seq_event_name(enum sla_seq_event event);
const char *sla_seq_key_name(enum sla_seq_key key);
/* Whether EVENT is an event of a process (proc.*), of the network (net.*). */
bool sla_seq_event_is_proc(enum sla_seq_event event);
bool sla_seq_event_is_net(enum sla_seq_event event);
/* -EINVAL for an unknown name. */
int sla_metric_from_name(const char *name, enum sla_metric *metric);
int sla_severity_from_name(const char *name, enum sla_severity *severity);

/*
 * A composite SLA: the component SLAs of an application spread over nodes
 * (one slaguardd each) and SLOs over them, kept by slaguard-coord:
 *   composite: shop
 *   fleet: { servers: [...], node: coord, site: lab, user: ..., ... }
 *   silence: 15s            # a node not heard from this long: unknown
 *   attack-window: 5m       # a decision or high alert this recent: attacked
 *   nodes:
 *     - { name: hv1, sla: hv1.yaml }
 *     - { name: web1, sla: web.yaml, host: hv1 }
 *   slos:
 *     - { id: shop-up, all-compliant: [web@web1, db@db1] }
 *     - { id: shop-budget, max-violated-for: 5m within 30d, of: [web@web1] }
 *     - { id: calm, max-nodes-under-attack: 2 }
 * COMPONENT@NODE is a component (or SLO id) of the SLA that NODE runs.
 */
enum sla_cslo_kind {
	SLA_CSLO_ALL_COMPLIANT,
	SLA_CSLO_MAX_VIOLATED_FOR,
	SLA_CSLO_MAX_UNDER_ATTACK,
};

struct sla_cnode {
	char *name, *site;		/* site: the fleet section's by default */
	char *sla;			/* its SLA file, as written, or NULL */
	int host;			/* index of its hypervisor node, or -1 */
	unsigned int line;
};

struct sla_cref {
	char *component;
	size_t node;			/* index into nodes */
};

struct sla_cslo {
	char *id;
	unsigned int line;
	enum sla_cslo_kind kind;
	struct sla_cref *refs;		/* all-compliant, max-violated-for */
	size_t n_refs;
	uint64_t max_violated_ms, within_ms;
	size_t *attack_nodes;		/* max-nodes-under-attack: of which */
	size_t n_attack_nodes;		/* (all nodes when not given) */
	unsigned int max_nodes;
	enum sla_severity severity;
	char *description;
};

struct sla_composite {
	char *name, *description, *source;
	struct sla_fleet *fleet;	/* how slaguard-coord reaches the bus */
	uint64_t silence_ms, attack_window_ms;
	struct sla_cnode *nodes;
	size_t n_nodes;
	struct sla_cslo *slos;
	size_t n_slos;
};

#define SLA_COMPOSITE_SILENCE_MS	15000
#define SLA_COMPOSITE_ATTACK_MS		300000

/*
 * Errors are FILE:LINE:COL: messages. A node's sla: file (relative to the
 * composite file's folder) is loaded too when CHECK_SLAS, so a component
 * the node's SLA does not have is an error at its reference.
 */
int sla_composite_load_file(const char *path, bool check_slas,
			    struct sla_composite **out, char *err, size_t errlen);
int sla_composite_load_string(const char *text, size_t len, const char *name,
			      bool check_slas, struct sla_composite **out,
			      char *err, size_t errlen);
void sla_composite_free(struct sla_composite *c);
const char *sla_cslo_kind_name(enum sla_cslo_kind k);
/* The node named NAME (site NULL: any), or -1. */
int sla_composite_node(const struct sla_composite *c, const char *site,
		       const char *name);

#endif /* SLAGUARDD_SLA_H */
