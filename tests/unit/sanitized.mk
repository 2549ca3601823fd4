# SPDX-License-Identifier: GPL-2.0-or-later
#
# The userspace libraries and programs as the unit suites link them: the
# lists of userspace/build.mk compiled with ASan and UBSan into one object
# directory that every suite shares (tests/unit/build/us), so the tests
# catch memory and undefined-behaviour bugs that the -O2 build would hide.
# A suite sets TOP and includes this, then links $(call lib,NAME).

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
O := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))build/us)
SG_CFLAGS := -O1 -g $(SAN)
CFLAGS :=
include $(TOP)/userspace/build.mk

# A suite's test_NAME.c and helpers: compiled with the same flags.
TEST_CPPFLAGS = $(SG_CPPFLAGS) -MMD -MP
TEST_CFLAGS = $(SG_WFLAGS) $(SG_PKG_CFLAGS) $(SG_CFLAGS) \
	$(shell $(PKG_CONFIG) --cflags cmocka)
TEST_LDLIBS = $(shell $(PKG_CONFIG) --libs cmocka)

# Every test runs even if one fails; the exit status says if any did.
define run_tests
@status=0; for t in $(1); do echo "== $$t"; $$t || status=1; done; exit $$status
endef
