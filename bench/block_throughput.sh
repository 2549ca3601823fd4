#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Throughput of unrelated traffic with 10 vs 100k blocked addresses, in the
# test VM (bench/run.sh --scenarios block_throughput). The victim's
# namespace holds `table inet slaguard` (nft/slaguard.nft, whose prerouting
# chain looks every packet's source up in block4, block6 and the range
# sets); block4 is filled with BLOCK_SMALL or BLOCK_LARGE addresses of
# 100.64.0.0/10 (never the attacker's), and iperf3 measures TCP throughput
# from the attacker to the victim (iperf3 -s in the victim) for BENCH_SECS.
# The two configurations alternate over BENCH_ROUNDS rounds (odd rounds start
# with the small set, even ones with the large one); the module is loaded
# and idle throughout. Reported: median, min and max per configuration and
# the ratio of the medians (hash-set lookups should make it ~1). A figure,
# not a pass/fail test; TCG throughput varies a lot from run to run.
#
# Environment: BENCH_ROUNDS (6), BENCH_SECS (3), BLOCK_SMALL (10),
# BLOCK_LARGE (100000).
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/stats.sh"

ROUNDS=${BENCH_ROUNDS:-6}
SECS=${BENCH_SECS:-3}
SMALL=${BLOCK_SMALL:-10}
LARGE=${BLOCK_LARGE:-100000}

need_cmd nft iperf3 jq

ADDR_AWK='function addr(i,  a) { a = 100 * 16777216 + 64 * 65536 + i;
	return int(a / 16777216) "." int(a / 65536) % 256 "." int(a / 256) % 256 "." a % 256 }'
elements() { # N FILE
	awk -v n="$1" "$ADDR_AWK"'
	BEGIN { printf "add element inet slaguard block4 {";
		for (i = 0; i < n; i++) printf "%s %s timeout 3600s comment \"slaguard rule=bench alert=B1\"", (i ? "," : ""), addr(i);
		print " }" }' > "$2"
}
elements "$SMALL" "$T/small.nft"
elements "$LARGE" "$T/large.nft"

setup_netns
load_module
bg iperf3-server vic iperf3 -s
wait_listen "$NS_V" 5201

# fill small|large: the table afresh, block4 with that many addresses.
fill() {
	vic nft -f /slaguard/nft/slaguard.nft || fail "cannot load slaguard.nft in $NS_V"
	vic nft -f "$T/$1.nft" || fail "cannot add the $1 set"
	# let the previous table's elements be freed (RCU, workqueues) first
	sleep 2
}
measure() {
	att timeout $((SECS + 30)) iperf3 -c "$VICTIM4" -t "$SECS" -O 1 -J > "$T/iperf3.json" ||
		fail "iperf3 failed: $(jq -r '.error // empty' "$T/iperf3.json" 2>/dev/null)"
	jq '.end.sum_received.bits_per_second | floor' "$T/iperf3.json"
}

: > "$T/bps.small"
: > "$T/bps.large"
fill large
n=$(vic nft list set inet slaguard block4 | grep -o 'alert=B1' | wc -l)
[ "$n" -eq "$LARGE" ] || fail "block4 holds $n elements, not $LARGE"
r=0
while [ $r -lt "$ROUNDS" ]; do
	for c in $(rotated "$r" small large); do
		fill "$c"
		bps=$(measure) || exit 1
		echo "$bps" >> "$T/bps.$c"
		log "round $((r + 1)) $c: $(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s"
	done
	r=$((r + 1))
done
# nothing of iperf3's was dropped (the last configuration's counters)
dropped=$(vic nft list chain inet slaguard prerouting | sed -n 's/.*saddr @block4 counter packets \([0-9]*\).*/\1/p')

echo "==== slaguard bench report ===="
echo "throughput of unrelated traffic vs blocked addresses: kernel $(uname -r), $(nproc) vCPUs (QEMU TCG),"
echo "iperf3 TCP attacker -> victim over veth, table inet slaguard in the victim, $ROUNDS rounds x ${SECS}s"
echo
printf '%-34s %10s %10s %10s %12s\n' "block4 holds" "median" "min" "max" "vs $SMALL"
base=$(stat3 "$T/bps.small" | cut -d' ' -f1)
for c in small large; do
	set -- $(stat3 "$T/bps.$c")
	[ "$c" = small ] && name="$SMALL addresses" || name="$LARGE addresses"
	printf '%-34s %10s %10s %10s %12s\n' "$name" \
		"$(awk -v x="$1" 'BEGIN { printf "%.3f Gb", x / 1e9 }')" \
		"$(awk -v x="$2" 'BEGIN { printf "%.3f Gb", x / 1e9 }')" \
		"$(awk -v x="$3" 'BEGIN { printf "%.3f Gb", x / 1e9 }')" \
		"$(awk -v x="$1" -v b="$base" 'BEGIN { printf "%.3f", (b > 0) ? x / b : 0 }')"
done
echo "(Gb = Gbit/s; the ratio is the medians'; packets block4 dropped in the last run: ${dropped:-?})"
echo "==== end of report ===="
