// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake-genl - multicast made-up slaguard events on the kernel's "nlctrl"
 * family (id 16) and its "notify" group (16), so daemon-live.sh can drive
 * slaguardd --genl-family nlctrl --genl-group notify without the module.
 * Needs CAP_NET_ADMIN.
 *
 *   fake-genl SEQ KIND SRC [DST DPORT WATCH_ID] [VALUE] [PORTS]
 *   fake-genl SEQ dsthalfopen DST DPORT VALUE
 *   KIND: portscan, synflood, watch
 *
 * In the environment, HANDSHAKES=N adds SLAGUARD_EV_HANDSHAKES (the TCP
 * handshakes the source completed), PROBES=N the probe bits, and DST=A
 * DPORT=P the destination of a detector event.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/slaguard.h>

#include "genl.h"

#define NLCTRL_ID	16
#define NOTIFY_GROUP	16

static uint32_t kind_of(const char *s)
{
	if (!strcmp(s, "portscan"))
		return SLAGUARD_EVENT_PORTSCAN;
	if (!strcmp(s, "synflood"))
		return SLAGUARD_EVENT_SYN_FLOOD;
	if (!strcmp(s, "watch"))
		return SLAGUARD_EVENT_WATCH_HIT;
	if (!strcmp(s, "dsthalfopen"))
		return SLAGUARD_EVENT_DST_HALF_OPEN;
	return 0;
}

static void put_addr(struct nlmsghdr *nlh, uint16_t type, const char *text)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, text, a) == 1)
		mnl_attr_put(nlh, type, 4, a);
	else if (inet_pton(AF_INET6, text, a) == 1)
		mnl_attr_put(nlh, type, 16, a);
}

int main(int argc, char **argv)
{
	char buf[SG_GENL_REQSIZE];
	struct sockaddr_nl dst = { .nl_family = AF_NETLINK,
				   .nl_groups = 1U << (NOTIFY_GROUP - 1) };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct timespec ts;
	uint32_t kind;
	bool v6;
	int fd, i = 4;

	if (argc < 4 || !(kind = kind_of(argv[2]))) {
		fprintf(stderr, "usage: fake-genl SEQ portscan|synflood|watch SRC [DST DPORT WATCH_ID] [VALUE] [PORTS]\n"
			"       fake-genl SEQ dsthalfopen DST DPORT VALUE\n");
		return 2;
	}
	v6 = strchr(argv[3], ':') != NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	nlh = sg_genl_msg(buf, NLCTRL_ID, SLAGUARD_GENL_VERSION, SLAGUARD_CMD_EVENT, 0);
	nlh->nlmsg_flags = 0;
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, strtoull(argv[1], NULL, 10));
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, kind);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_TIME_NS,
			 (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_NETNS, 4026531840U);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, v6 ? AF_INET6 : AF_INET);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_IN);
	if (kind == SLAGUARD_EVENT_DST_HALF_OPEN) {
		/* a destination under a SYN flood, and no source */
		if (argc < 6)
			return 2;
		put_addr(nlh, SLAGUARD_EV_DST_ADDR, argv[3]);
		mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, (uint16_t)atoi(argv[4]));
		i = 5;
	} else {
		put_addr(nlh, SLAGUARD_EV_SRC_ADDR, argv[3]);
	}
	if (kind != SLAGUARD_EVENT_WATCH_HIT && kind != SLAGUARD_EVENT_DST_HALF_OPEN &&
	    getenv("DST") && getenv("DPORT")) {
		put_addr(nlh, SLAGUARD_EV_DST_ADDR, getenv("DST"));
		mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, (uint16_t)atoi(getenv("DPORT")));
	}
	if (getenv("HANDSHAKES"))
		mnl_attr_put_u64(nlh, SLAGUARD_EV_HANDSHAKES,
				 strtoull(getenv("HANDSHAKES"), NULL, 10));
	if (getenv("PROBES"))
		mnl_attr_put_u32(nlh, SLAGUARD_EV_PROBES,
				 (uint32_t)strtoul(getenv("PROBES"), NULL, 0));
	if (kind == SLAGUARD_EVENT_WATCH_HIT && argc >= 7) {
		put_addr(nlh, SLAGUARD_EV_DST_ADDR, argv[4]);
		mnl_attr_put_u8(nlh, SLAGUARD_EV_PROTO, IPPROTO_TCP);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_SRC_PORT, 40000);
		mnl_attr_put_u16(nlh, SLAGUARD_EV_DST_PORT, (uint16_t)atoi(argv[5]));
		mnl_attr_put_u32(nlh, SLAGUARD_EV_WATCH_ID, (uint32_t)strtoul(argv[6], NULL, 10));
		i = 7;
	}
	if (argc > i) {
		mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, strtoull(argv[i], NULL, 10));
		mnl_attr_put_u64(nlh, SLAGUARD_EV_THRESHOLD, 21);
	}
	if (argc > i + 1)
		mnl_attr_put_u64(nlh, SLAGUARD_EV_PORTS, strtoull(argv[i + 1], NULL, 10));
	mnl_attr_nest_end(nlh, nest);
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (fd < 0 || sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&dst,
			     sizeof(dst)) < 0) {
		perror("fake-genl");
		return 1;
	}
	return 0;
}
