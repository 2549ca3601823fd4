#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cost of the system agent's scheduler probes on the hottest path there
# is: a context switch. Runs inside the test VM (bench/run.sh --scenarios
# ctxsw). sgpingpong (bench/sgpingpong.c) passes a byte between two
# processes pinned to CPU 0, two context switches per round trip, in three
# configurations alternated over BENCH_ROUNDS rounds:
#   a  module unloaded
#   b  module loaded, nothing watched (the switch and run-queue probes run,
#      the sampler reads the system figures)
#   c  module loaded, both processes watched (sampled every period, a
#      listener receiving their SCHED_SAMPLE events)
# Reported: median, min and max ns per round trip and the median's ratio
# to (a). A figure, not a pass/fail test; under TCG absolute times are
# inflated and the spread is large.
#
# Environment: BENCH_ROUNDS (5), BENCH_PINGS (20000 round trips per run).
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/stats.sh"

ROUNDS=${BENCH_ROUNDS:-5}
PINGS=${BENCH_PINGS:-20000}
CONFIGS="a b c"

need_cmd slaguardctl sgpingpong taskset
[ -f "$SG_KO" ] || fail "slaguard.ko is not in the VM image"

cfg_name() {
	case $1 in
	a) echo "unloaded" ;;
	b) echo "loaded, nothing watched" ;;
	c) echo "loaded, both processes watched" ;;
	esac
}

configure() {
	stop_events
	case $1 in
	a) unload_module || fail "rmmod slaguard failed" ;;
	b) load_module ;;
	c)
		load_module
		slaguardctl watch add task comm sgpingpong > /dev/null ||
			fail "watch add task comm sgpingpong failed"
		start_events "$T/events.$r"
		;;
	esac
}

r=0
while [ $r -lt "$ROUNDS" ]; do
	for cfg in $(rotated "$r" $CONFIGS); do	# not c: lib.sh's helpers use c
		configure "$cfg"
		ns=$(taskset -c 0 sgpingpong "$PINGS") || fail "sgpingpong failed in configuration $cfg"
		echo "$ns" >> "$T/ns.$cfg"
		log "round $((r + 1)) config $cfg ($(cfg_name "$cfg")): $ns ns per round trip"
	done
	r=$((r + 1))
done
samples=$(event_count "$T/events.0" '.kind == "SCHED_SAMPLE"')
configure a

echo "==== slaguard bench report ===="
echo "context switches: kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), two processes on CPU 0,"
echo "$PINGS round trips (2 switches each) per run, $ROUNDS rounds"
echo
printf '%-34s %10s %10s %10s %12s\n' "configuration" "median" "min" "max" "vs unloaded"
printf '%-34s %10s %10s %10s %12s\n' "" "ns/trip" "ns/trip" "ns/trip" "(median)"
base=$(stat3 "$T/ns.a" | cut -d' ' -f1)
for cfg in $CONFIGS; do
	set -- $(stat3 "$T/ns.$cfg")
	printf '%-34s %10s %10s %10s %11.1f%%\n' "$cfg  $(cfg_name "$cfg")" "$1" "$2" "$3" \
		"$(awk -v x="$1" -v b="$base" 'BEGIN { print (b > 0) ? 100 * x / b : 0 }')"
done
echo "(c, first round: $samples SCHED_SAMPLE events received; > 100% means slower)"
echo "==== end of report ===="
