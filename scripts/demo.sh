#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot Debian's kernel in QEMU with slaguard and show, narrated,
# an attacker namespace scanning a victim namespace: the module's event,
# slaguardd's alert, the nftables block with its comment, the attacker
# blocked, the block expiring. The story itself is tests/e2e/99-demo.sh; this
# script boots the VM for it and shows its output without the boot noise.
#
# Usage: scripts/demo.sh [--out DIR] [--kver V] [--raw]
#   --out DIR  VM build directory (default: build/vm, or $SG_VM_OUT)
#   --kver V   kernel to boot (default: the one kmod/slaguard.ko was built
#              for, if /boot has it; else as tests/vm/run.sh)
#   --raw      show the whole VM console instead of the demo's lines only
#
# Needs root, QEMU and a built module and userspace (make deps module
# userspace); no traffic leaves the VM.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SG_VM_OUT:-$TOP/build/vm}
RAW=0
ARGS=""
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--kver) ARGS="--kver $2"; shift 2 ;;
	--raw) RAW=1; shift ;;
	-h|--help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

missing=""
[ -f "$TOP/kmod/slaguard.ko" ] || missing="$missing kmod/slaguard.ko"
[ -x "$TOP/userspace/slaguardctl/slaguardctl" ] || missing="$missing userspace/slaguardctl/slaguardctl"
if [ -n "$missing" ]; then
	echo "demo.sh: not built:$missing; run 'make module userspace' (or 'make demo')" >&2
	exit 1
fi
if [ ! -x "$TOP/userspace/slaguardd/slaguardd" ]; then
	echo "demo.sh: note: slaguardd is not built, so the demo shows detection only;"
	echo "demo.sh: enforcement (alerts, nftables blocks) needs userspace/slaguardd/slaguardd."
fi

# Boot the kernel the module was built for, if it is installed: the module
# may have been built for the host's kernel or a newer one than the default.
if [ -z "$ARGS" ] && command -v modinfo > /dev/null; then
	v=$(modinfo -F vermagic "$TOP/kmod/slaguard.ko" 2>/dev/null | awk '{print $1}')
	[ -n "$v" ] && [ -r "/boot/vmlinuz-$v" ] && ARGS="--kver $v"
fi

echo "demo.sh: booting the demo VM (QEMU without KVM: about a minute to start)..."
LOG=$(mktemp /tmp/slaguard-demo.XXXXXX)
trap 'rm -f "$LOG"' EXIT

# The demo's own lines: from its start marker to its result line, without the
# scenario runner's and the kernel's lines.
filter() {
	if [ "$RAW" = 1 ]; then
		cat
		return
	fi
	awk '
		/^== 99-demo/ { on = 1; next }
		/^SGTEST-RESULT name=99-demo/ { on = 0; next }
		/^(PASS|FAIL) 99-demo/ { print; fflush(); next }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print; fflush() }
	'
}

# shellcheck disable=SC2086
{
	"$TOP/tests/vm/run.sh" --out "$OUT" $ARGS --verbose --scenarios 99-demo \
		--scenario-timeout 600 --append sgtest.demo=1 2>&1
	echo $? > "$LOG.rc"
} | tee "$LOG" | filter
rc=$(cat "$LOG.rc" 2>/dev/null || echo 1)
rm -f "$LOG.rc"
[ "$RAW" = 1 ] || { echo; grep '^run.sh: ' "$LOG" | tail -n 2; }
if [ "$rc" != 0 ]; then
	echo "demo.sh: the VM run failed (exit $rc); the whole console is in $OUT/console.log"
fi
exit "$rc"
