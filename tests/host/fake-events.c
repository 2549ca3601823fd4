// SPDX-License-Identifier: GPL-2.0
/*
 * fake-events - multicast made-up SLAGUARD_CMD_EVENT messages on a generic
 * netlink group, so events-live.sh can drive "slaguardctl events" without
 * the module. Needs CAP_NET_ADMIN (userspace may send to netlink groups
 * only with it).
 *
 *   fake-events GROUP FAMILY_ID SPEC...
 *   SPEC: N (the event with sequence number N), N-M (N to M), or "bad"
 *   (an event whose SEQ is too short)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/slaguard.h>

#include "genl.h"

static int send_event(int fd, unsigned int group, uint16_t family,
		      uint64_t seq, bool bad)
{
	char buf[SG_GENL_REQSIZE];
	struct sockaddr_nl dst = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1U << (group - 1),
	};
	uint8_t src[4] = { 10, 99, (uint8_t)(seq >> 8), (uint8_t)seq };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = sg_genl_msg(buf, family, SLAGUARD_GENL_VERSION,
			  SLAGUARD_CMD_EVENT, 0);
	nlh->nlmsg_flags = 0;
	nest = mnl_attr_nest_start(nlh, SLAGUARD_A_EVENT);
	if (bad)
		mnl_attr_put_u8(nlh, SLAGUARD_EV_SEQ, 1);
	else
		mnl_attr_put_u64(nlh, SLAGUARD_EV_SEQ, seq);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_KIND, SLAGUARD_EVENT_PORTSCAN);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_TIME_NS, 1795428000123456789ULL);
	mnl_attr_put_u32(nlh, SLAGUARD_EV_NETNS, 4026531840U);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_FAMILY, AF_INET);
	mnl_attr_put(nlh, SLAGUARD_EV_SRC_ADDR, sizeof(src), src);
	mnl_attr_put_u8(nlh, SLAGUARD_EV_DIRECTION, SLAGUARD_DIR_IN);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_VALUE, 24);
	mnl_attr_put_u64(nlh, SLAGUARD_EV_THRESHOLD, 20);
	mnl_attr_nest_end(nlh, nest);
	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0) {
		perror("fake-events: sendto");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	unsigned int group;
	uint16_t family;
	int i, fd;

	if (argc < 4) {
		fprintf(stderr, "usage: fake-events GROUP FAMILY_ID SPEC...\n");
		return 2;
	}
	group = (unsigned int)strtoul(argv[1], NULL, 0);
	family = (uint16_t)strtoul(argv[2], NULL, 0);
	if (group < 1 || group > 32) {
		fprintf(stderr, "fake-events: GROUP must be 1-32\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("fake-events: socket");
		return 2;
	}
	fd = mnl_socket_get_fd(nl);
	for (i = 3; i < argc; i++) {
		unsigned long long lo, hi, s;
		char *end;

		if (strcmp(argv[i], "bad") == 0) {
			if (send_event(fd, group, family, 0, true) < 0)
				return 1;
			continue;
		}
		lo = strtoull(argv[i], &end, 10);
		hi = *end == '-' ? strtoull(end + 1, &end, 10) : lo;
		if (*end) {
			fprintf(stderr, "fake-events: bad SPEC '%s'\n", argv[i]);
			return 2;
		}
		for (s = lo; s <= hi; s++)
			if (send_event(fd, group, family, s, false) < 0)
				return 1;
	}
	mnl_socket_close(nl);
	return 0;
}
