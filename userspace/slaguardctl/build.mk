# slaguardctl's sources, relative to this directory; included by
# userspace/Makefile and tests/unit/ctl/Makefile. main.c holds main(); the
# rest is what the unit tests link. The generic netlink client and the event
# decoder live in ../common, shared with slaguardd.
include $(dir $(lastword $(MAKEFILE_LIST)))../common/common.mk
slaguardctl_LIB := ctl.c events.c output.c parse.c sources.c stats.c \
		   tasks.c threshold.c watch.c $(addprefix ../common/,$(common_SRCS))
slaguardctl_SRCS := main.c $(slaguardctl_LIB)
slaguardctl_PKGS := libmnl json-c
# The daemon's objects: "sla", "alerts" and "countermeasures" talk to
# slaguardd; "sla check" runs slaguardd's own SLA parser (its sla_*.c,
# compiled here like ../common, not copied).
slaguardctl_SLA := $(addprefix ../slaguardd/,$(notdir $(wildcard \
		   $(dir $(lastword $(MAKEFILE_LIST)))../slaguardd/sla_*.c)))
slaguardctl_DAEMON := control_client.c sla.c alerts.c countermeasures.c \
		      $(slaguardctl_SLA)
slaguardctl_LIB += $(slaguardctl_DAEMON)
slaguardctl_SRCS += $(slaguardctl_DAEMON)
slaguardctl_PKGS += yaml-0.1
