# SPDX-License-Identifier: GPL-2.0
#
# Which kernel log lines fail a test run: sourced by tests/e2e/run-all.sh
# (per scenario, in the guest) and tests/vm/run.sh (the whole console log).

# The kernel's own complaints.
KERNEL_BAD='WARNING:|BUG:|kernel BUG|Oops|general protection|KASAN|UBSAN|KFENCE|unregister_netdevice: waiting|Kernel panic|soft lockup|hard LOCKUP|rcu.*detected stall|blocked for more than|refcount_t:|list_add corruption|list_del corruption|scheduling while atomic|sleeping function called from invalid context|possible circular locking|inconsistent lock state|Memory leak|kmemleak|stack-protector|double free|use-after-free'

# A program the project builds crashing, in any scenario.
OWN_CRASH='(slaguard[a-z-]*|sg[a-z-]*|nats-pub|fleet_prop)\[[0-9]+\]:? (segfault|general protection|trap )'

# hping3 sends from a SIGALRM handler that interrupts its own libc calls, and
# at microsecond intervals it now and then dies in libc. That is the traffic
# tool's crash, not the kernel's: it is reported, and the scenario's own
# counts judge whether enough traffic got through.
TOOL_CRASH='traps: hping3\[[0-9]+\] |hping3\[[0-9]+\]: segfault '

# kernel_bad FILE|-: the lines that fail the run.
kernel_bad() {
	grep -E "$KERNEL_BAD|$OWN_CRASH" "$1" | grep -Ev "$TOOL_CRASH"
}

# tool_crashes FILE|-: traffic tools that crashed (reported, not failed).
tool_crashes() {
	grep -E "$TOOL_CRASH" "$1"
}
