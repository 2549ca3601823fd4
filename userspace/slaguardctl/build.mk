# slaguardctl's sources, relative to this directory; included by
# userspace/Makefile and tests/unit/ctl/Makefile. main.c holds main(); the
# rest is what the unit tests link.
slaguardctl_LIB := ctl.c events.c genl.c output.c parse.c sources.c stats.c \
		   threshold.c watch.c
slaguardctl_SRCS := main.c $(slaguardctl_LIB)
slaguardctl_PKGS := libmnl json-c
