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

# hookcost.sh needs the module's benchmark build (SLAGUARD_BENCH=1, timing
# the hooks) for the kernel that boots, as build/bench/slaguard-bench.ko
# (tests/vm/manifest); built from a copy of the sources, as run.sh
# --build-module does, so kmod/ keeps the ordinary build.
kver=${KVER:-6.1}
want=""
prev=""
for a in "$@"; do
	case $prev in
	--kver) kver=$a ;;
	--scenarios) want=$a ;;
	esac
	case $a in
	--kver=*) kver=${a#*=} ;;
	--scenarios=*) want=${a#*=} ;;
	esac
	prev=$a
done
case $kver in
*.*.*) ;;
*) kver=$(ls -d /lib/modules/"$kver".*-amd64 2>/dev/null | grep -v -- '-rt-\|-cloud-' |
	  sort -V | tail -n 1 | xargs -r basename) ;;
esac
case $want in
*hookcost*|*"*"*)
	kb=$OUT/kmod-bench-$kver
	mkdir -p "$kb/kmod" "$TOP/build/bench"
	rm -rf "$kb/include"
	if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
		echo "bench/run.sh: no headers for kernel '$kver'; hookcost has no module" >&2
	elif cp -p "$TOP/Kbuild" "$kb/" &&
	     cp -p "$TOP"/kmod/Kbuild "$TOP"/kmod/Kconfig "$TOP"/kmod/*.c "$TOP"/kmod/*.h "$kb/kmod/" &&
	     cp -pr "$TOP/include" "$kb/" &&
	     make -C "/lib/modules/$kver/build" M="$kb" SLAGUARD_BENCH=1 modules > "$kb/build.log" 2>&1; then
		# a new time only for a new module: the image is rebuilt if needed
		cmp -s "$kb/kmod/slaguard.ko" "$TOP/build/bench/slaguard-bench.ko" ||
			cp "$kb/kmod/slaguard.ko" "$TOP/build/bench/slaguard-bench.ko"
	else
		rm -f "$TOP/build/bench/slaguard-bench.ko"
		tail -n 20 "$kb/build.log" >&2
		echo "bench/run.sh: the benchmark build of the module failed (log: $kb/build.log)" >&2
	fi
	;;
esac

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
