/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's configuration requests: detector thresholds
 * (SET_THRESHOLDS), watch rules (ADD_WATCH, DEL_WATCH) and task watches
 * (ADD_TASK_WATCH, DEL_TASK_WATCH), built the same way by slaguardctl (from
 * its command line) and slaguardd (from the SLA), and the one-attribute
 * requests slaguardctl sends; and the counters both read (GET_STATS).
 */
#ifndef SLAGUARD_COMMON_GENL_CONFIG_H
#define SLAGUARD_COMMON_GENL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#include <libmnl/libmnl.h>
#include <linux/slaguard.h>

struct sg_thresholds {
	uint64_t present;	/* bit N: SLAGUARD_THR attribute N is set */
	uint64_t val[SLAGUARD_THR_MAX + 1];
};

/* SLAGUARD_THR attribute ATTR is a u64 (bytes); the others are u32. */
bool sg_thr_is_u64(unsigned int attr);

/* A SET_THRESHOLDS request in BUF (SG_GENL_REQSIZE bytes). */
struct nlmsghdr *sg_thr_build_set(void *buf, uint16_t family_id,
				  const struct sg_thresholds *t);

union sg_addr {
	struct in_addr v4;
	struct in6_addr v6;
	uint8_t b[16];
};

struct sg_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t plen;
	union sg_addr addr;
};

/* Address length of an address family, 0 if not IP. */
size_t sg_addr_len(uint8_t family);

struct sg_watch {
	uint32_t id;		/* 0: the kernel picks one */
	uint8_t family;		/* AF_UNSPEC: any */
	bool has_src;
	bool has_dst;
	bool has_proto;
	bool has_ports;
	bool has_hits;
	struct sg_prefix src;
	struct sg_prefix dst;
	uint8_t proto;
	uint16_t port_min;
	uint16_t port_max;
	uint8_t dir;		/* enum slaguard_direction */
	uint8_t action;		/* enum slaguard_watch_action */
	uint32_t sample_n;	/* SAMPLE only */
	uint64_t hits;		/* as the kernel reports it; not sent */
};

/*
 * A request CMD in BUF (SG_GENL_REQSIZE bytes) whose nest NEST holds one
 * u32 attribute TYPE: a delete by id, a single setting.
 */
struct nlmsghdr *sg_build_nest_u32(void *buf, uint16_t family_id, uint8_t cmd,
				   uint16_t nest, uint16_t type, uint32_t v);

/* Requests in BUF (SG_GENL_REQSIZE bytes). */
struct nlmsghdr *sg_watch_build_add(void *buf, uint16_t family_id,
				    const struct sg_watch *w);
struct nlmsghdr *sg_watch_build_del(void *buf, uint16_t family_id,
				    uint32_t id);

/* A task watch: exactly one of pid, comm and cgroup selects processes. */
struct sg_twatch {
	uint32_t id;		/* 0: the kernel picks one */
	uint32_t pid;
	char comm[SLAGUARD_COMM_LEN];
	char cgroup[4096];	/* below the cgroup2 root */
	bool has_tasks;		/* dump only: */
	bool has_forks;
	bool has_cgroup_rates;	/* cgroup watches: the last period */
	uint32_t tasks;
	uint64_t forks;
	uint32_t cpu_pct;	/* hundredths of % of one CPU */
	uint64_t fork_rate;	/* per second */
};

struct nlmsghdr *sg_twatch_build_add(void *buf, uint16_t family_id,
				     const struct sg_twatch *w);
struct nlmsghdr *sg_twatch_build_del(void *buf, uint16_t family_id,
				     uint32_t id);
/*
 * A SLAGUARD_A_TASK_WATCH nest (an ADD_TASK_WATCH reply, a GET_TASK_WATCH
 * entry) into W. Returns 0 or -EBADMSG.
 */
int sg_twatch_decode(const struct nlattr *nest, struct sg_twatch *w);

/* The types of the SLAGUARD_A_STATS counters, for sg_attrs_parse(). */
extern const enum mnl_attr_data_type sg_stats_types[SLAGUARD_STATS_MAX + 1];

#endif /* SLAGUARD_COMMON_GENL_CONFIG_H */
