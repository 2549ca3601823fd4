# SPDX-License-Identifier: GPL-2.0
#
# What slaguard's userspace is made of and how it is compiled. Included by
# userspace/Makefile and by the Makefiles under tests/ and bench/, which
# build their own copies (with sanitizers) from the same lists into their
# own object directory. Set before including:
#   O            object directory (objects keep their path below userspace/)
#   SG_CFLAGS    optional: flags added to every compile (e.g. sanitizers)
#
# Libraries, each with one public header in its folder:
#   common/      generic netlink client, event decoding, configuration
#                requests (genl.h, genl_event.h, genl_config.h)
#   sla/         the SLA model: YAML reader, values, rules, SLOs,
#                countermeasures, module configuration, JSON (sla.h)
#   nftables/    the nftables backend: table, sets, guard, ledger, commit,
#                watch, reconcile, list, isolate (nft_backend.h)
#   compliance/  the SLA compliance report from slaguardd's history
#                (SQLite), for slaguardctl report and the dashboard
#                (compliance.h)
#   web/         what the read-only web pages share: the libmicrohttpd
#                server, static files built in, token and Host rules (web.h)
#   libslaguard-app/  what applications link to report events to
#                slaguardd's application socket (slaguard-app.h); also
#                a shared library (SHLIBS), so its objects are PIC and
#                export only what the header declares
# Programs use the libraries and never each other's files:
#   slaguardd/   the SLA engine: plumbing at the top, a folder per stage
#                numbered in the order data flows (1-intake ... 7-inspect)
#   slaguardctl/ the CLI
#   coord/       slaguard-coord, the fleet's coordinator: a composite SLA
#                over several nodes, kept from the fleet's NATS JetStream bus
# A program's objects but main.o also form <program>.a, which its unit
# tests link.

# Including this file leaves the includer's default goal as it was.
sg_default_goal := $(.DEFAULT_GOAL)

US := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TOPDIR := $(abspath $(US)/..)
VERSION ?= 0.1.0
PKG_CONFIG ?= pkg-config

us_srcs = $(sort $(patsubst $(US)/%,%,$(wildcard $(addprefix $(US)/,$(1)))))

LIBS := sla nftables common libslaguard-app compliance web
common_SRCS := $(call us_srcs,common/*.c)
common_PKGS := libmnl
sla_SRCS := $(call us_srcs,sla/*.c)
sla_PKGS := yaml-0.1 json-c
nftables_SRCS := $(call us_srcs,nftables/*.c)
nftables_PKGS := libnftables libnftnl libmnl json-c
compliance_SRCS := $(call us_srcs,compliance/*.c)
compliance_PKGS := sqlite3 json-c
web_SRCS := $(call us_srcs,web/*.c)
web_PKGS := libmicrohttpd
# web.c builds assets/ (the pages' shared script and style) into the binary.
$(O)/web/web.o: SG_CPPFLAGS += -DWEB_ASSETS_DIR='"$(US)/web/assets"'
$(O)/web/web.o: $(wildcard $(US)/web/assets/*)
libslaguard-app_SRCS := $(call us_srcs,libslaguard-app/*.c)
libslaguard-app_PKGS := json-c
libslaguard-app_CFLAGS := -fPIC -fvisibility=hidden
libslaguard-app_LDLIBS := -pthread
libslaguard-app_SOVERSION := 0
SHLIBS := libslaguard-app

PROGRAMS := slaguardctl slaguardd coord
# A program's binary is named after its folder unless <program>_BIN says.
coord_BIN := slaguard-coord
bin = $(or $($(1)_BIN),$(1))
coord_SRCS := $(call us_srcs,coord/*.c)
coord_LIBS := sla web
coord_PKGS := libnats json-c libmicrohttpd
coord_LDLIBS := -lpthread
# page.c serves the fleet's page with web/ built in (.incbin), as slaguardd's.
$(O)/coord/page.o: SG_CPPFLAGS += -DCOORD_WEB_DIR='"$(US)/coord/web"'
$(O)/coord/page.o: $(wildcard $(US)/coord/web/*)
slaguardctl_SRCS := $(call us_srcs,slaguardctl/*.c)
slaguardctl_LIBS := compliance sla common
slaguardctl_PKGS := sqlite3 libnats
slaguardd_SRCS := $(call us_srcs,slaguardd/*.c slaguardd/*/*.c)
slaguardd_LIBS := compliance sla nftables common web
# metrics.c serves Prometheus metrics with libmicrohttpd (expo.c writes them);
# history.c keeps the SLA history in SQLite, which slaguardctl report reads.
# fleet/ talks to NATS JetStream with libnats (its own threads).
# dashboard.c builds web/ into the binary (.incbin) and serves it with metrics.c.
$(O)/slaguardd/dashboard.o: SG_CPPFLAGS += -DSGD_WEB_DIR='"$(US)/slaguardd/web"'
$(O)/slaguardd/dashboard.o: $(wildcard $(US)/slaguardd/web/*)
# 5-alert/outputs.c: the journal (libsystemd) and webhooks (libcurl).
slaguardd_PKGS := libnetfilter_queue libmicrohttpd sqlite3 libnats libsystemd libcurl
slaguardd_LDLIBS := -lm -lpthread

# -I include/uapi comes before the system directories, so the repository's
# linux/slaguard.h wins over any installed copy (ctl.h checks it did). The
# libraries' folders are on the path for their public headers; a program's
# own files see its folder and, for slaguardd, each stage's folder, whose
# header named after the stage ("intake.h") is the stage's interface.
SG_ALL_PKGS := $(sort $(foreach c,$(LIBS) $(PROGRAMS),$($(c)_PKGS)))
SG_CPPFLAGS := -I$(TOPDIR)/include/uapi $(addprefix -I$(US)/,$(LIBS)) \
	       -D_GNU_SOURCE -DSLAGUARD_VERSION_STR='"$(VERSION)"'
SG_WFLAGS := -std=c11 -Wall -Wextra -Werror
SG_PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(SG_ALL_PKGS))
slaguardd_CPPFLAGS := $(addprefix -I,$(US)/slaguardd \
		      $(patsubst %/,%,$(sort $(dir $(wildcard $(US)/slaguardd/*/*.h)))))
slaguardctl_CPPFLAGS := -I$(US)/slaguardctl
coord_CPPFLAGS := -I$(US)/coord
$(foreach p,$(PROGRAMS),$(eval $(O)/$(p)/%.o: SG_CPPFLAGS += $($(p)_CPPFLAGS)))
$(foreach l,$(LIBS),$(eval $(O)/$(l)/%.o: SG_CFLAGS += $($(l)_CFLAGS)))

# objs COMPONENT: its objects; lib COMPONENT: its archive (COMPONENT/COMPONENT.a).
objs = $(addprefix $(O)/,$($(1)_SRCS:.c=.o))
lib = $(O)/$(1)/$(1).a
# The libraries a program links, in link order, and their pkg-config libs.
prog_libs = $(call lib,$(1)) $(foreach l,$($(1)_LIBS),$(call lib,$(l)))
prog_ldlibs = $(shell $(PKG_CONFIG) --libs $($(1)_PKGS) \
	      $(foreach l,$($(1)_LIBS),$($(l)_PKGS))) $($(1)_LDLIBS)

$(O)/%.o: $(US)/%.c
	@mkdir -p $(@D)
	$(CC) $(SG_CPPFLAGS) $(CPPFLAGS) $(SG_WFLAGS) $(SG_PKG_CFLAGS) $(CFLAGS) \
		$(SG_CFLAGS) -MMD -MP -c -o $@ $<

define sg_archive
$(call lib,$(1)): $(filter-out $(O)/$(1)/main.o,$(call objs,$(1)))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach c,$(LIBS) $(PROGRAMS),$(eval $(call sg_archive,$(c))))

define sg_program
$(O)/$(1)/$(call bin,$(1)): $(O)/$(1)/main.o $(call prog_libs,$(1))
	$$(CC) $$(CFLAGS) $$(SG_CFLAGS) $$(LDFLAGS) -o $$@ $$^ $(call prog_ldlibs,$(1))
endef
$(foreach p,$(PROGRAMS),$(eval $(call sg_program,$(p))))

# shlib LIB: LIB.so.VERSION, whose soname is LIB.so.SOVERSION.
shlib = $(O)/$(1)/$(1).so.$(VERSION)
soname = $(1).so.$($(1)_SOVERSION)
define sg_shlib
$(call shlib,$(1)): $(call objs,$(1))
	$$(CC) $$(CFLAGS) $$(SG_CFLAGS) $$(LDFLAGS) -shared -Wl,-soname,$(call soname,$(1)) \
		-Wl,--no-undefined -o $$@ $$^ $$(shell $$(PKG_CONFIG) --libs $($(1)_PKGS)) $($(1)_LDLIBS)
endef
$(foreach l,$(SHLIBS),$(eval $(call sg_shlib,$(l))))

SG_OBJS := $(foreach c,$(LIBS) $(PROGRAMS),$(call objs,$(c)))
-include $(SG_OBJS:.o=.d)
.DEFAULT_GOAL := $(sg_default_goal)
