# Code shared by slaguardctl and slaguardd (generic netlink client, event
# decoding, configuration requests); file names relative to
# userspace/common. Included by the programs' build.mk files and by the
# unit-test Makefiles.
common_SRCS := genl.c genl_config.c genl_event.c
