# slaguardd's sources, relative to this directory; included by
# userspace/Makefile. Every .c here is the daemon (stages, SLA model, nft
# backend), plus the generic netlink code shared with slaguardctl.
slaguardd_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
include $(slaguardd_DIR)../common/common.mk
slaguardd_SRCS := $(notdir $(wildcard $(slaguardd_DIR)*.c)) \
		  $(addprefix ../common/,$(common_SRCS))
slaguardd_PKGS := yaml-0.1 json-c libnftables libnftnl libmnl libnetfilter_queue
slaguardd/slaguardd: LDLIBS += -lm
