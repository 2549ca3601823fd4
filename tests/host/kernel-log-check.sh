#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The VM harness's reading of a kernel log (tests/e2e/kernel-log.sh), on
# lines of the shapes the kernel prints: its own faults and warnings fail a
# run, a crash of a program the project builds fails it, and only hping3's
# own crash in libc is reported without failing.

cd "$(dirname "$0")" || exit 1
. ./lib.sh
. ../e2e/kernel-log.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# fails LINE / passes LINE
fails() { printf '%s\n' "$1" | kernel_bad - > /dev/null; }
passes() { ! fails "$1"; }

check "a kernel general protection fault fails" fails \
	'[  12.3] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI'
check "a kernel WARNING fails" fails \
	'[  12.3] WARNING: CPU: 1 PID: 77 at kmod/events.c:120 sg_event_emit+0x4c/0x90 [slaguard]'
check "a refcount warning fails" fails '[  12.3] refcount_t: underflow; use-after-free.'
check "slaguardd segfaulting fails" fails \
	'[  12.3] slaguardd[412]: segfault at 8 ip 000055d0 sp 00007ffd error 4 in slaguardd[55d0+2000]'
check "slaguard-coord's general protection fault fails" fails \
	'[  12.3] traps: slaguard-coord[9] general protection fault ip:7f8f sp:7fff error:0 in libc.so.6[97639,7f8f+156000]'
check "slaguardctl's invalid opcode fails" fails \
	'[  12.3] traps: slaguardctl[77] trap invalid opcode ip:55d0 sp:7ffd error:0 in slaguardctl[55d0+9000]'
hping='[ 188.9] traps: hping3[3181] general protection fault ip:7f8f6dd6b639 sp:7fffc7e97760 error:0 in libc.so.6[97639,7f8f6dcfa000+156000]'
check "hping3's crash in libc does not fail" passes "$hping"
check "hping3's crash is reported" sh -c \
	'. ../e2e/kernel-log.sh; printf "%s\n" "$1" | tool_crashes - | grep -q hping3' sh "$hping"
check "the module's load line does not fail" passes \
	'[  12.3] slaguard: loaded: capacity 16384 sources, 584 bytes each'
check "a mixed log fails on its kernel line" sh -c \
	'. ../e2e/kernel-log.sh; printf "%s\n%s\n" "$1" "[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008" | kernel_bad - | grep -q "^\[ 1.0\] BUG"' sh "$hping"

finish kernel-log-check
