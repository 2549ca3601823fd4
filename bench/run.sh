#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM in benchmark mode and print the report of bench/*.sh
# (default: throughput). The whole console is in build/vm/console.log, the
# report alone in build/vm/bench-report.txt.
#
# Usage: bench/run.sh [--scenarios NAMES] [other tests/vm/run.sh options]
# Figures, not a pass/fail test; the exit status only says whether the
# benchmark ran to the end.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SG_VM_OUT:-$TOP/build/vm}
for a in "$@"; do
	case $a in --out=*) OUT=${a#--out=} ;; esac
done
prev=""
for a in "$@"; do
	[ "$prev" = --out ] && OUT=$a
	prev=$a
done

mkdir -p "$OUT"

# Helper programs of the benchmarks (bench/Makefile), for the VM image.
# A helper that does not build is left out; the benchmark needing it says so.
make -s -k -C "$TOP/bench" >&2 ||
	echo "bench/run.sh: some helpers of bench/Makefile did not build; left out" >&2

RC=$OUT/bench-run.rc
{ "$TOP/tests/vm/run.sh" --bench "$@"; echo $? > "$RC"; } 2>&1 | tee "$OUT/bench-run.log"
rc=$(cat "$RC" 2>/dev/null || echo 1)
REPORT=$OUT/bench-report.txt
sed -n '/^==== slaguard bench report ====$/,/^==== end of report ====$/p' "$OUT/console.log" > "$REPORT"
if [ -s "$REPORT" ]; then
	echo
	cat "$REPORT"
else
	echo "bench/run.sh: no report found in $OUT/console.log" >&2
fi
exit $rc
