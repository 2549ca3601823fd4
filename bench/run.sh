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

# Helper programs of the benchmarks, for the VM image (tests/vm/manifest:
# build/bench/*): sgstamp (nanosecond line stamps, bench/sgstamp.c),
# sgpingpong (context switches between two processes, bench/sgpingpong.c)
# and nft_insert (the nftables backend inserting N addresses,
# bench/nft_insert.c).
# A helper that does not build is left out; the benchmark needing it says so.
BB=$TOP/build/bench
mkdir -p "$BB"
# stale BIN SRC...: BIN is missing or older than one of SRC (only then is it
# rebuilt, so the VM image is not rebuilt for nothing).
stale() {
	_bin=$1; shift
	[ -f "$_bin" ] || return 0
	[ -n "$(find "$@" -newer "$_bin" 2>/dev/null | head -n 1)" ]
}
for h in sgstamp sgpingpong; do
	if stale "$BB/$h" "$TOP/bench/$h.c"; then
		cc -std=c11 -O2 -Wall -Wextra -Werror -o "$BB/$h.tmp" "$TOP/bench/$h.c" &&
			mv -f "$BB/$h.tmp" "$BB/$h" ||
			echo "bench/run.sh: bench/$h.c did not build; left out" >&2
	fi
done
NFTPKGS="libnftables json-c libmnl libnftnl"
if stale "$BB/nft_insert" "$TOP/bench/nft_insert.c" "$TOP"/userspace/slaguardd/nft_*.[ch]; then
	# shellcheck disable=SC2046,SC2086 # $NFTPKGS is a list
	cc -std=c11 -O2 -Wall -Wextra -Werror -I"$TOP/include" -I"$TOP/userspace/slaguardd" \
		$(pkg-config --cflags $NFTPKGS) -o "$BB/nft_insert.tmp" "$TOP/bench/nft_insert.c" \
		"$TOP"/userspace/slaguardd/nft_*.c $(pkg-config --libs $NFTPKGS) &&
		mv -f "$BB/nft_insert.tmp" "$BB/nft_insert" ||
		echo "bench/run.sh: bench/nft_insert.c did not build; left out" >&2
fi

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
