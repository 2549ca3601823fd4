/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * slaguard - kernel-level security SLA monitor: generic netlink interface.
 *
 * This header is the only contract between the slaguard module and userspace.
 * Append new values at the end of each enum; never renumber or reuse one.
 *
 * Family SLAGUARD_GENL_NAME, version SLAGUARD_GENL_VERSION, one multicast
 * group SLAGUARD_MCGRP_EVENTS. Configuration and state are per network
 * namespace; configuration commands ("admin" below) need CAP_NET_ADMIN in
 * the user namespace owning the caller's network namespace. Listeners in
 * the initial network namespace also receive the events of every other
 * namespace (a hypervisor sees its guests and containers), up to
 * SLAGUARD_THR_NS_FORWARD_RATE per namespace; SLAGUARD_EV_NETNS tells
 * them apart.
 *
 * Reading: what crosses network namespaces needs CAP_NET_ADMIN in the
 * initial user namespace ("init admin" below), which owns them all; so do
 * the commands that name processes (pids, uids, commands, memory, cgroup
 * paths: more than procfs shows under hidepid). That is what configuring
 * task watches and receiving their events takes, and what the kernel's own
 * per-process netlink interfaces (taskstats, the proc connector) ask;
 * CAP_SYS_ADMIN would make a monitoring daemon hold the broadest
 * capability to read, CAP_SYS_PTRACE would open the monitor's data to
 * debuggers. Refusals are EPERM with an extended-ack message naming what
 * is needed, made once per request, when a dump starts.
 *
 * Commands and their attribute trees:
 *
 * SLAGUARD_CMD_GET_STATS (do)
 *   reply: SLAGUARD_A_STATS (nest, enum slaguard_stats_attr): the caller's
 *   namespace's counters, module-wide in the initial namespace.
 *
 * SLAGUARD_CMD_GET_THRESHOLDS (do)
 *   reply: SLAGUARD_A_THRESHOLDS (nest, enum slaguard_thr_attr), all values
 *
 * SLAGUARD_CMD_SET_THRESHOLDS (do, admin)
 *   request: SLAGUARD_A_THRESHOLDS with any subset of the values; the rest
 *   keep their value. Zero disables a detector (its threshold); windows and
 *   hold-off must be within SLAGUARD_*_MIN/MAX.
 *
 * SLAGUARD_CMD_ADD_WATCH (do, admin)
 *   request: SLAGUARD_A_WATCH (nest, enum slaguard_watch_attr). ID is
 *   optional (0 or absent: the kernel picks one); an existing ID is EEXIST.
 *   reply: SLAGUARD_A_WATCH with SLAGUARD_WATCH_ID.
 *
 * SLAGUARD_CMD_DEL_WATCH (do, admin)
 *   request: SLAGUARD_A_WATCH with SLAGUARD_WATCH_ID; unknown is ENOENT.
 *
 * SLAGUARD_CMD_GET_WATCH (dump, admin)
 *   one message per watch: SLAGUARD_A_WATCH with every field and HITS.
 *   Admin like nftables rules: watches tell what the monitor looks for,
 *   and the initial namespace's count the packets of every namespace.
 *
 * SLAGUARD_CMD_GET_SOURCES (dump)
 *   one message per tracked source: SLAGUARD_A_SOURCE (nest, enum
 *   slaguard_src_attr). An init admin in the initial namespace gets every
 *   namespace's sources; every other caller those of its own namespace.
 *
 * SLAGUARD_CMD_EVENT (multicast on SLAGUARD_MCGRP_EVENTS)
 *   SLAGUARD_A_EVENT (nest, enum slaguard_ev_attr).
 *
 * The system monitoring agent (scheduler sampler, process events). Tasks
 * are system-wide, not per network namespace: these commands are answered
 * in the initial network namespace only (elsewhere EPERM), their events go
 * to the initial namespace's listeners, and the detectors use the initial
 * namespace's thresholds. Pids are in the initial pid namespace.
 *
 * SLAGUARD_CMD_ADD_TASK_WATCH (do, admin)
 *   request: SLAGUARD_A_TASK_WATCH (nest, enum slaguard_twatch_attr) with
 *   exactly one of PID, COMM, CGROUP; ID optional as for ADD_WATCH.
 *   reply: SLAGUARD_A_TASK_WATCH with SLAGUARD_TWATCH_ID.
 *
 * SLAGUARD_CMD_DEL_TASK_WATCH (do, admin)
 *   request: SLAGUARD_A_TASK_WATCH with SLAGUARD_TWATCH_ID; unknown is ENOENT.
 *
 * SLAGUARD_CMD_GET_TASK_WATCH (dump, init admin)
 *   one message per task watch: SLAGUARD_A_TASK_WATCH, every field.
 *
 * SLAGUARD_CMD_GET_TASKS (dump, init admin)
 *   one message per watched (tracked) process: SLAGUARD_A_TASK (nest, enum
 *   slaguard_task_attr) with the figures of the last sampling pass. Each
 *   process as it was at one moment; processes that come and go while the
 *   list is read may or may not be in it, every other one is, once.
 *
 * SLAGUARD_CMD_GET_SYSTEM (do)
 *   reply: SLAGUARD_A_SYSTEM (nest, enum slaguard_sys_attr). No process
 *   data: load, CPUs and counts, as /proc/stat and /proc/loadavg show them
 *   to everyone.
 *
 * SLAGUARD_CMD_SET_SCHED (do, admin)
 *   request: SLAGUARD_A_SCHED (nest, enum slaguard_sched_attr).
 *
 * Event kinds SCHED_SAMPLE, PROC_EXEC, PROC_EXIT, CPU_HIGH, RUNQ_DELAY,
 * FORK_RATE and MEM_HIGH carry no address, family or direction; their
 * payload is SLAGUARD_EV_TASK (nest, enum slaguard_task_attr) beside SEQ,
 * KIND, TIME_NS, NETNS, VALUE and THRESHOLD (detectors: the figure and the
 * threshold it reached, in the threshold's unit; SCHED_SAMPLE: VALUE is
 * CPU_PCT, THRESHOLD 0). One SCHED_SAMPLE per watched process and period;
 * a period's samples may share a datagram (several netlink messages).
 */
#ifndef _UAPI_LINUX_SLAGUARD_H
#define _UAPI_LINUX_SLAGUARD_H

#define SLAGUARD_GENL_NAME	"slaguard"
#define SLAGUARD_GENL_VERSION	1
#define SLAGUARD_MCGRP_EVENTS	"events"

enum slaguard_cmd {
	SLAGUARD_CMD_UNSPEC,
	SLAGUARD_CMD_GET_STATS,
	SLAGUARD_CMD_GET_THRESHOLDS,
	SLAGUARD_CMD_SET_THRESHOLDS,
	SLAGUARD_CMD_ADD_WATCH,
	SLAGUARD_CMD_DEL_WATCH,
	SLAGUARD_CMD_GET_WATCH,
	SLAGUARD_CMD_GET_SOURCES,
	SLAGUARD_CMD_EVENT,
	SLAGUARD_CMD_ADD_TASK_WATCH,
	SLAGUARD_CMD_DEL_TASK_WATCH,
	SLAGUARD_CMD_GET_TASK_WATCH,
	SLAGUARD_CMD_GET_TASKS,
	SLAGUARD_CMD_GET_SYSTEM,
	SLAGUARD_CMD_SET_SCHED,
	__SLAGUARD_CMD_MAX
};

#define SLAGUARD_CMD_MAX (__SLAGUARD_CMD_MAX - 1)

/* Top-level attributes. */
enum slaguard_attr {
	SLAGUARD_A_UNSPEC,
	SLAGUARD_A_PAD,
	SLAGUARD_A_STATS,		/* nest: enum slaguard_stats_attr */
	SLAGUARD_A_THRESHOLDS,		/* nest: enum slaguard_thr_attr */
	SLAGUARD_A_WATCH,		/* nest: enum slaguard_watch_attr */
	SLAGUARD_A_SOURCE,		/* nest: enum slaguard_src_attr */
	SLAGUARD_A_EVENT,		/* nest: enum slaguard_ev_attr */
	SLAGUARD_A_TASK_WATCH,		/* nest: enum slaguard_twatch_attr */
	SLAGUARD_A_TASK,		/* nest: enum slaguard_task_attr */
	SLAGUARD_A_SYSTEM,		/* nest: enum slaguard_sys_attr */
	SLAGUARD_A_SCHED,		/* nest: enum slaguard_sched_attr */
	__SLAGUARD_A_MAX
};

#define SLAGUARD_A_MAX (__SLAGUARD_A_MAX - 1)

/* What an event reports (SLAGUARD_EV_KIND). */
enum slaguard_event_kind {
	SLAGUARD_EVENT_UNSPEC,
	SLAGUARD_EVENT_PORTSCAN,	/* distinct destination ports per window */
	SLAGUARD_EVENT_SYN_FLOOD,	/* half-open TCP connections per window */
	SLAGUARD_EVENT_CONN_RATE,	/* new TCP connections (SYN) per second */
	SLAGUARD_EVENT_BANDWIDTH,	/* bytes per second */
	SLAGUARD_EVENT_ICMP_FLOOD,	/* ICMP packets per second */
	SLAGUARD_EVENT_WATCH_HIT,	/* a packet matched a watch rule */
	SLAGUARD_EVENT_SCHED_SAMPLE,	/* one watched process, one period */
	SLAGUARD_EVENT_PROC_EXEC,	/* a watched process called execve */
	SLAGUARD_EVENT_PROC_EXIT,	/* a watched process ended */
	/* CPU % of one CPU, M samples in a row: a process, or together the
	 * processes of a cgroup watch
	 */
	SLAGUARD_EVENT_CPU_HIGH,
	SLAGUARD_EVENT_RUNQ_DELAY,	/* run-queue wait, ms per second */
	SLAGUARD_EVENT_FORK_RATE,	/* processes created/s in a cgroup */
	SLAGUARD_EVENT_MEM_HIGH,	/* resident set size, bytes */
	/*
	 * Half-open TCP connections to one local (address, port) per window,
	 * from any number of sources: a SYN flood with forged sources. Names
	 * the destination (DST_ADDR, DST_PORT, PROTO) and no source.
	 */
	SLAGUARD_EVENT_DST_HALF_OPEN,
	/* distinct dst ports over the long window (a slow scan) */
	SLAGUARD_EVENT_SLOW_PORTSCAN,
	__SLAGUARD_EVENT_MAX
};

#define SLAGUARD_EVENT_MAX (__SLAGUARD_EVENT_MAX - 1)

/* Netfilter hook an event or watch refers to. */
enum slaguard_direction {
	SLAGUARD_DIR_ANY,		/* watches only: every hook */
	SLAGUARD_DIR_IN,		/* PRE_ROUTING: arriving, incl. to be forwarded */
	SLAGUARD_DIR_FORWARD,		/* FORWARD: routed through this host */
	SLAGUARD_DIR_OUT,		/* LOCAL_OUT: sent by this host */
	__SLAGUARD_DIR_MAX
};

#define SLAGUARD_DIR_MAX (__SLAGUARD_DIR_MAX - 1)

/* What a watch does with a matching packet (SLAGUARD_WATCH_ACTION). */
enum slaguard_watch_action {
	/* report each new connection: TCP SYN without ACK, or any UDP/ICMP */
	SLAGUARD_WATCH_REPORT_NEW,
	SLAGUARD_WATCH_SAMPLE,		/* report one matching packet in N */
	__SLAGUARD_WATCH_ACTION_MAX
};

#define SLAGUARD_WATCH_ACTION_MAX (__SLAGUARD_WATCH_ACTION_MAX - 1)

/*
 * Detector thresholds and timing, per network namespace. Rates are per
 * second, estimated over a sliding window of WINDOW_MS. A detector fires
 * when its estimate first reaches the threshold, then at most once per
 * HOLDOFF_MS for the same (source, kind). 0 disables a detector.
 *
 * A namespace with thresholds of its own is judged by them for its own
 * listeners, and by the initial namespace's thresholds (and hold-off) for
 * the events forwarded to the initial namespace: turning a detector off or
 * raising a threshold hides nothing from the host. The initial namespace's
 * watches are judged by its own thresholds in every namespace.
 */
enum slaguard_thr_attr {
	SLAGUARD_THR_UNSPEC,
	SLAGUARD_THR_WINDOW_MS,		/* u32, estimation window */
	SLAGUARD_THR_HOLDOFF_MS,	/* u32, min gap between equal events */
	SLAGUARD_THR_PORTSCAN_PORTS,	/* u32, distinct dst ports per window */
	SLAGUARD_THR_SYN_HALF_OPEN,	/* u32, half-open connections per window */
	SLAGUARD_THR_CONN_RATE,		/* u32, new TCP connections per second */
	SLAGUARD_THR_BANDWIDTH_BPS,	/* u64, bytes per second */
	SLAGUARD_THR_ICMP_RATE,		/* u32, ICMP packets per second */
	SLAGUARD_THR_WATCH_EVENTS,	/* u32, max WATCH_HIT events/s per watch */
	SLAGUARD_THR_PAD,
	/* System monitoring agent; per watched process unless noted. */
	SLAGUARD_THR_CPU_PCT,		/* u32, % of one CPU (may exceed 100) */
	SLAGUARD_THR_CPU_SAMPLES,	/* u32, consecutive samples above, >= 1 */
	SLAGUARD_THR_RUNQ_DELAY_MS,	/* u32, run-queue wait in ms per second */
	SLAGUARD_THR_FORK_RATE,		/* u32, processes/s per cgroup watch */
	SLAGUARD_THR_MEM_RSS,		/* u64, resident bytes */
	SLAGUARD_THR_PROC_EVENTS,	/* u32, max PROC_EXEC+EXIT events/s */
	SLAGUARD_THR_DST_HALF_OPEN,	/* u32, half-open per destination per window */
	SLAGUARD_THR_SLOW_PORTS,	/* u32, distinct dst ports per long window */
	SLAGUARD_THR_SLOW_WINDOW_MS,	/* u32, the long window */
	/*
	 * u32, events per second each other namespace's detectors and
	 * watches may forward to the listeners of the initial namespace
	 * (default 200; 0 forwards nothing). Set in the initial namespace
	 * only: it is the budget of every other namespace, each its own;
	 * elsewhere setting it is EPERM and reading it shows the budget that
	 * applies. Events over the budget still reach their own namespace's
	 * listeners; for the host they are counted (STATS_FORWARD_SUPPRESSED)
	 * and never numbered, so the host's SEQ stays gapless.
	 */
	SLAGUARD_THR_NS_FORWARD_RATE,
	__SLAGUARD_THR_MAX
};

#define SLAGUARD_THR_MAX (__SLAGUARD_THR_MAX - 1)

#define SLAGUARD_WINDOW_MS_MIN		100
#define SLAGUARD_WINDOW_MS_MAX		60000
#define SLAGUARD_HOLDOFF_MS_MIN		100
#define SLAGUARD_HOLDOFF_MS_MAX		3600000
#define SLAGUARD_SLOW_WINDOW_MS_MIN	60000
#define SLAGUARD_SLOW_WINDOW_MS_MAX	3600000

/*
 * A watch rule. Every field given must match; absent fields match anything.
 * Prefixes are in FAMILY's length (4 or 16 bytes) with a prefix length; the
 * port range applies to TCP and UDP destination ports.
 */
enum slaguard_watch_attr {
	SLAGUARD_WATCH_UNSPEC,
	SLAGUARD_WATCH_ID,		/* u32, > 0 */
	/* u8, AF_INET or AF_INET6; required with a prefix, else any family */
	SLAGUARD_WATCH_FAMILY,
	SLAGUARD_WATCH_SRC_ADDR,	/* binary, 4 or 16 bytes */
	SLAGUARD_WATCH_SRC_PLEN,	/* u8, prefix length, default full */
	SLAGUARD_WATCH_DST_ADDR,	/* binary, 4 or 16 bytes */
	SLAGUARD_WATCH_DST_PLEN,	/* u8 */
	SLAGUARD_WATCH_PROTO,		/* u8, IPPROTO_*; 0 = any */
	SLAGUARD_WATCH_PORT_MIN,	/* u16, destination port range */
	SLAGUARD_WATCH_PORT_MAX,	/* u16, default PORT_MIN */
	SLAGUARD_WATCH_DIRECTION,	/* u8, enum slaguard_direction */
	SLAGUARD_WATCH_ACTION,		/* u8, enum slaguard_watch_action */
	SLAGUARD_WATCH_SAMPLE_N,	/* u32, 1 in N for SAMPLE (>= 1) */
	SLAGUARD_WATCH_HITS,		/* u64, dump only: matching packets */
	SLAGUARD_WATCH_PAD,
	__SLAGUARD_WATCH_MAX
};

#define SLAGUARD_WATCH_MAX (__SLAGUARD_WATCH_MAX - 1)

/* Maximum number of watch rules per network namespace. */
#define SLAGUARD_MAX_WATCHES	1024

/* One tracked source in a SOURCES dump. */
enum slaguard_src_attr {
	SLAGUARD_SRC_UNSPEC,
	SLAGUARD_SRC_NETNS,		/* u32, network namespace inode */
	SLAGUARD_SRC_FAMILY,		/* u8 */
	SLAGUARD_SRC_ADDR,		/* binary, 4 or 16 bytes */
	SLAGUARD_SRC_PACKETS,		/* u64, since first seen */
	SLAGUARD_SRC_BYTES,		/* u64 */
	SLAGUARD_SRC_SYN,		/* u64, TCP SYN without ACK */
	SLAGUARD_SRC_ICMP,		/* u64 */
	SLAGUARD_SRC_UDP,		/* u64 */
	SLAGUARD_SRC_PKT_RATE,		/* u64, packets/s, current estimate */
	SLAGUARD_SRC_BYTE_RATE,		/* u64, bytes/s */
	SLAGUARD_SRC_CONN_RATE,		/* u64, SYN/s */
	SLAGUARD_SRC_HALF_OPEN,		/* u64, half-open in window */
	SLAGUARD_SRC_PORTS,		/* u64, distinct dst ports in window */
	SLAGUARD_SRC_AGE_MS,		/* u64, since first seen */
	SLAGUARD_SRC_IDLE_MS,		/* u64, since last packet */
	SLAGUARD_SRC_PAD,
	__SLAGUARD_SRC_MAX
};

#define SLAGUARD_SRC_MAX (__SLAGUARD_SRC_MAX - 1)

/*
 * Counters (summed over CPUs). In the initial namespace they are
 * module-wide: every namespace's together, the whole source table. In any
 * other they are the caller's namespace's own: its packets and events, and
 * of the table its sources, its quota (CAPACITY) and what happened to its
 * sources.
 */
enum slaguard_stats_attr {
	SLAGUARD_STATS_UNSPEC,
	SLAGUARD_STATS_PKTS_IN,		/* u64, PRE_ROUTING packets seen */
	SLAGUARD_STATS_PKTS_FORWARD,	/* u64 */
	SLAGUARD_STATS_PKTS_OUT,	/* u64, LOCAL_OUT */
	SLAGUARD_STATS_BYTES,		/* u64, all hooks */
	SLAGUARD_STATS_EVENTS_SENT,	/* u64 */
	SLAGUARD_STATS_EVENTS_LOST,	/* u64, allocation or delivery failed */
	SLAGUARD_STATS_EVENTS_SUPPRESSED, /* u64, WATCH_HIT over rate limit */
	SLAGUARD_STATS_SOURCES,		/* u64, tracked sources now */
	SLAGUARD_STATS_CAPACITY,	/* u64, table capacity */
	SLAGUARD_STATS_EVICTIONS,	/* u64, sources evicted when full */
	SLAGUARD_STATS_INSERT_FAILED,	/* u64, sources not tracked */
	SLAGUARD_STATS_EXPIRED,		/* u64, idle sources removed */
	SLAGUARD_STATS_WATCH_HITS,	/* u64 */
	SLAGUARD_STATS_MALFORMED,	/* u64, packets with bad headers */
	/* u64, last event sequence number in the caller's namespace */
	SLAGUARD_STATS_LAST_SEQ,
	SLAGUARD_STATS_PAD,
	SLAGUARD_STATS_FORWARDED,	/* u64, events sent on to the initial ns */
	/* u64, events not forwarded: over THR_NS_FORWARD_RATE */
	SLAGUARD_STATS_FORWARD_SUPPRESSED,
	/* u64, initial ns only: source entries allocated, incl. RCU-pending */
	SLAGUARD_STATS_SOURCE_OBJECTS,
	__SLAGUARD_STATS_MAX
};

#define SLAGUARD_STATS_MAX (__SLAGUARD_STATS_MAX - 1)

/*
 * An event. SEQ counts the events multicast in one network namespace,
 * starting at 1 with no gaps, and every listener receives them in SEQ
 * order: a listener that sees a gap lost events.
 */
enum slaguard_ev_attr {
	SLAGUARD_EV_UNSPEC,
	SLAGUARD_EV_SEQ,		/* u64 */
	SLAGUARD_EV_KIND,		/* u32, enum slaguard_event_kind */
	SLAGUARD_EV_TIME_NS,		/* u64, CLOCK_REALTIME */
	SLAGUARD_EV_NETNS,		/* u32, namespace the event happened in */
	SLAGUARD_EV_FAMILY,		/* u8, AF_INET or AF_INET6 */
	SLAGUARD_EV_SRC_ADDR,		/* binary, 4 or 16 bytes */
	/*
	 * The destination: WATCH_HIT the packet's; network detector events
	 * the local address (and port, protocol) the source's traffic that
	 * crossed the threshold went to, the last one seen; DST_HALF_OPEN the
	 * destination under attack.
	 */
	SLAGUARD_EV_DST_ADDR,		/* binary */
	SLAGUARD_EV_PROTO,		/* u8 */
	SLAGUARD_EV_SRC_PORT,		/* u16, WATCH_HIT only */
	SLAGUARD_EV_DST_PORT,		/* u16 */
	SLAGUARD_EV_DIRECTION,		/* u8, enum slaguard_direction */
	SLAGUARD_EV_VALUE,		/* u64, the estimate that crossed */
	SLAGUARD_EV_THRESHOLD,		/* u64, the threshold it crossed */
	SLAGUARD_EV_WATCH_ID,		/* u32, WATCH_HIT only */
	SLAGUARD_EV_PACKETS,		/* u64, source totals since first seen */
	SLAGUARD_EV_BYTES,		/* u64 */
	SLAGUARD_EV_PKT_RATE,		/* u64, packets/s */
	SLAGUARD_EV_BYTE_RATE,		/* u64, bytes/s */
	SLAGUARD_EV_CONN_RATE,		/* u64, SYN/s */
	SLAGUARD_EV_HALF_OPEN,		/* u64, half-open in window */
	SLAGUARD_EV_PORTS,		/* u64, distinct dst ports in window */
	SLAGUARD_EV_ICMP_RATE,		/* u64, ICMP packets/s */
	SLAGUARD_EV_PAD,
	SLAGUARD_EV_TASK,		/* nest, enum slaguard_task_attr: task kinds */
	/*
	 * Network detector events: TCP handshakes the source completed with
	 * this namespace (its ACK acknowledged a SYN-ACK sent to it), since
	 * first seen. Non-zero is evidence the source address is not forged:
	 * it received what was sent to it.
	 */
	SLAGUARD_EV_HANDSHAKES,		/* u64 */
	/* u32, enum slaguard_probe bits: the probe kinds seen in the window */
	SLAGUARD_EV_PROBES,
	/*
	 * u64, WATCH_HIT of a packet sent by a local socket (LOCAL_OUT): the
	 * cgroup v2 id of the socket's cgroup, which is the inode number of
	 * its directory in the cgroup2 mount. Absent when no local socket
	 * sent it (arriving, forwarded, or sent by the kernel).
	 */
	SLAGUARD_EV_CGROUP_ID,
	__SLAGUARD_EV_MAX
};

#define SLAGUARD_EV_MAX (__SLAGUARD_EV_MAX - 1)

/* Kinds of port probe a scan is made of (SLAGUARD_EV_PROBES bits). */
enum slaguard_probe {
	SLAGUARD_PROBE_SYN	= 1 << 0,	/* SYN without ACK */
	SLAGUARD_PROBE_FIN	= 1 << 1,	/* FIN alone (nmap -sF) */
	SLAGUARD_PROBE_NULL	= 1 << 2,	/* no flags (-sN) */
	SLAGUARD_PROBE_XMAS	= 1 << 3,	/* FIN, PSH, URG (-sX) */
	SLAGUARD_PROBE_ACK	= 1 << 4,	/* ACK of no known connection (-sA) */
	SLAGUARD_PROBE_UDP	= 1 << 5,	/* UDP to a new port */
	SLAGUARD_PROBE_SCTP	= 1 << 6,	/* SCTP INIT (-sY) */
};

/*
 * A task watch selects processes by pid, by command name (the 15-character
 * comm, exact; it also covers processes started later, from fork or exec)
 * or by cgroup v2 path (the cgroup and its descendants, as
 * /sys/fs/cgroup/PATH names it; processes moved in or out later are
 * followed). Threads count with their process. A process matching several
 * watches is reported under the first; a cgroup watch's CPU figure counts
 * every tracked process inside it, whichever watch tracks it.
 */
enum slaguard_twatch_attr {
	SLAGUARD_TWATCH_UNSPEC,
	SLAGUARD_TWATCH_ID,		/* u32, > 0 */
	SLAGUARD_TWATCH_PID,		/* u32, a process (thread group) id, 1..4194304 */
	SLAGUARD_TWATCH_COMM,		/* string, 1-15 characters */
	SLAGUARD_TWATCH_CGROUP,		/* string, path below the cgroup2 root */
	SLAGUARD_TWATCH_TASKS,		/* u32, dump only: processes tracked now */
	SLAGUARD_TWATCH_FORKS,		/* u64, dump only: forks into the cgroup */
	SLAGUARD_TWATCH_PAD,
	/* dump only, cgroup watches: the last sampling period */
	SLAGUARD_TWATCH_CPU_PCT,	/* u32, hundredths of % of one CPU */
	SLAGUARD_TWATCH_FORK_RATE,	/* u64, processes created per second */
	__SLAGUARD_TWATCH_MAX
};

#define SLAGUARD_TWATCH_MAX (__SLAGUARD_TWATCH_MAX - 1)

/* Maximum number of task watches. */
#define SLAGUARD_MAX_TASK_WATCHES	256
#define SLAGUARD_COMM_LEN		16	/* with the NUL */

/*
 * One process: a GET_TASKS entry, the payload of SCHED_SAMPLE and of the
 * process events and task detectors. Percentages are in hundredths
 * (10000 = one CPU fully busy); rates are per second over the last
 * sampling period (PERIOD_MS, as measured). FORK_RATE events, and
 * CPU_HIGH events about a cgroup watch, name the watch (WATCH_ID, CGROUP)
 * and no process.
 */
enum slaguard_task_attr {
	SLAGUARD_TASK_UNSPEC,
	SLAGUARD_TASK_PID,		/* u32, process id (tgid) */
	SLAGUARD_TASK_PPID,		/* u32 */
	SLAGUARD_TASK_UID,		/* u32, real uid */
	SLAGUARD_TASK_COMM,		/* string */
	SLAGUARD_TASK_FILENAME,		/* string, PROC_EXEC: as passed to execve */
	SLAGUARD_TASK_EXIT_CODE,	/* u32, PROC_EXIT: wait(2) status */
	SLAGUARD_TASK_WATCH_ID,		/* u32, the task watch that selected it */
	SLAGUARD_TASK_CGROUP,		/* string, cgroup watch events: its path */
	SLAGUARD_TASK_PERIOD_MS,	/* u32, length of the sampled period */
	SLAGUARD_TASK_CPU_PCT,		/* u32, hundredths of % of one CPU */
	SLAGUARD_TASK_CPU_NS,		/* u64, CPU time used, all threads */
	SLAGUARD_TASK_RUN_DELAY_MS,	/* u32, run-queue wait, ms per second */
	SLAGUARD_TASK_RUN_DELAY_NS,	/* u64, run-queue wait, total */
	SLAGUARD_TASK_NVCSW,		/* u64, voluntary switches, total */
	SLAGUARD_TASK_NIVCSW,		/* u64, involuntary switches, total */
	SLAGUARD_TASK_CSW_RATE,		/* u64, switches/s (both kinds) */
	SLAGUARD_TASK_RSS,		/* u64, resident bytes */
	SLAGUARD_TASK_THREADS,		/* u32 */
	SLAGUARD_TASK_PAD,
	__SLAGUARD_TASK_MAX
};

#define SLAGUARD_TASK_MAX (__SLAGUARD_TASK_MAX - 1)

/* One CPU in SLAGUARD_SYS_CPU. */
enum slaguard_cpu_attr {
	SLAGUARD_CPU_UNSPEC,
	SLAGUARD_CPU_ID,		/* u32 */
	SLAGUARD_CPU_BUSY_PCT,		/* u32, hundredths of %, last period */
	SLAGUARD_CPU_CTXT_RATE,		/* u64, context switches/s */
	SLAGUARD_CPU_PREEMPT_RATE,	/* u64, switches away from a runnable task/s */
	SLAGUARD_CPU_PAD,
	/*
	 * Time tasks waited in this CPU's run queue, ms per second, counted
	 * when they get the CPU: the mean number of waiting tasks x 1000.
	 */
	SLAGUARD_CPU_RUNQ_WAIT_MS,	/* u32 */
	SLAGUARD_CPU_RUNNABLE,		/* u32, mean runnable tasks x 100:
					 * running (BUSY_PCT) + waiting
					 */
	__SLAGUARD_CPU_MAX
};

#define SLAGUARD_CPU_MAX (__SLAGUARD_CPU_MAX - 1)

/*
 * The system as the last sampling pass saw it. Process and thread counts
 * and RUNNABLE are kept by the module's fork/exit and scheduler probes from
 * a count taken at load, so they can be off by the few tasks that were
 * created while the module was loading.
 */
enum slaguard_sys_attr {
	SLAGUARD_SYS_UNSPEC,
	SLAGUARD_SYS_PERIOD_MS,		/* u32, sampling period */
	SLAGUARD_SYS_LOAD1,		/* u32, load average x 100 */
	SLAGUARD_SYS_LOAD5,		/* u32 */
	SLAGUARD_SYS_LOAD15,		/* u32 */
	SLAGUARD_SYS_RUNNABLE,		/* u32, runnable tasks, all CPUs */
	SLAGUARD_SYS_PROCESSES,		/* u32 */
	SLAGUARD_SYS_THREADS,		/* u32 */
	SLAGUARD_SYS_FORKS,		/* u64, since the module loaded */
	SLAGUARD_SYS_FORK_RATE,		/* u64, per second */
	SLAGUARD_SYS_CTXT,		/* u64, context switches since load */
	SLAGUARD_SYS_CTXT_RATE,		/* u64, per second */
	SLAGUARD_SYS_BUSY_PCT,		/* u32, hundredths of %, mean of CPUs */
	SLAGUARD_SYS_CPU,		/* nest, enum slaguard_cpu_attr; repeated */
	SLAGUARD_SYS_TASKS,		/* u32, processes tracked now */
	SLAGUARD_SYS_TASKS_MAX,		/* u32, tracking capacity */
	SLAGUARD_SYS_TASKS_DROPPED,	/* u64, not tracked: capacity reached */
	SLAGUARD_SYS_PASSES,		/* u64, sampling passes run */
	SLAGUARD_SYS_PASS_NS,		/* u64, duration of the last pass */
	SLAGUARD_SYS_PASS_NS_MAX,	/* u64, longest pass */
	SLAGUARD_SYS_PROC_SUPPRESSED,	/* u64, process events over the limit */
	SLAGUARD_SYS_PAD,
	__SLAGUARD_SYS_MAX
};

#define SLAGUARD_SYS_MAX (__SLAGUARD_SYS_MAX - 1)

/* Sampler settings (SET_SCHED). */
enum slaguard_sched_attr {
	SLAGUARD_SCHED_UNSPEC,
	SLAGUARD_SCHED_PERIOD_MS,	/* u32, SLAGUARD_PERIOD_MS_MIN..MAX */
	__SLAGUARD_SCHED_MAX
};

#define SLAGUARD_SCHED_MAX (__SLAGUARD_SCHED_MAX - 1)

#define SLAGUARD_PERIOD_MS_MIN		100
#define SLAGUARD_PERIOD_MS_MAX		60000

#endif /* _UAPI_LINUX_SLAGUARD_H */
