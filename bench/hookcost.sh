#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Per-packet cost of slaguard's netfilter hooks, in nanoseconds, and the
# memory of the source table under a spoofed flood. Runs inside the test VM
# (bench/run.sh --scenarios hookcost), with the benchmark build of the
# module (SLAGUARD_BENCH=1, which bench/run.sh builds for the booted kernel):
# it times each hook's body with local_clock() per CPU and reports calls and
# nanoseconds in /sys/module/slaguard/parameters/bench_hooks.
#
# A UDP flood (hping3 --flood, port 9, nothing listens) from the attacker's
# namespace to the victim's over the veth pair, in five configurations,
# alternated over BENCH_ROUNDS rounds; each measurement is a window of
# BENCH_SECS seconds taken 1 s into the flood:
#   a  module unloaded (no hook work)
#   b  module unloaded, one nft counter rule in the victim's prerouting
#   c  module loaded, 0 watches
#   d  module loaded, BENCH_WATCHES watches (udp ports 10000..., none match,
#      so every packet is checked against all of them)
#   e  module loaded, full source table: a spoofed-source flood
#      (--rand-source) that first fills the table (ns_share=100, so the
#      victim's namespace may hold all of it), then goes on evicting
# The module is always loaded with ns_share=100.
# Reported per configuration (medians over the rounds): packets/s the victim
# received; for c-e the hook's ns per call at PRE_ROUTING (the receiver, where
# sources are counted), at LOCAL_OUT (the sender's namespace), the conntrack
# hook, and the empty timed section (what the clock adds to each figure);
# and for every configuration the cost derived from throughput,
# 1e9/pps(X) - 1e9/pps(a) ns per packet: the only measure for the nft rule,
# which has no timer of its own.
# Then the memory: a spoofed flood of BENCH_MEM_SECS seconds, the module's
# source_objects (live slg_source objects plus those waiting for RCU) sampled
# every 0.5 s, and the slab cache's line of /proc/slabinfo.
#
# Environment: BENCH_ROUNDS (3), BENCH_SECS (3), BENCH_WATCHES (1000),
# BENCH_MEM_SECS (10), SG_BENCH_KO (the benchmark module's path).
SG_KO=${SG_BENCH_KO:-/usr/lib/slaguard/slaguard-bench.ko}
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/stats.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECS:-3}
WATCHES=${BENCH_WATCHES:-1000}
MEM_SECS=${BENCH_MEM_SECS:-10}
CONFIGS="a b c d e"
BP=/sys/module/slaguard/parameters/bench_hooks

need_cmd slaguardctl
need_cmd hping3
[ -f "$SG_KO" ] || fail "the benchmark module $SG_KO is not in the VM image (bench/run.sh builds it)"

cfg_name() {
	case $1 in
	a) echo "unloaded" ;;
	b) echo "unloaded, nft counter rule" ;;
	c) echo "loaded, 0 watches" ;;
	d) echo "loaded, $WATCHES watches" ;;
	e) echo "loaded, full table, spoofed" ;;
	esac
}

# configure CFG: bring the system into configuration CFG.
configure() {
	vic nft delete table inet bench 2>/dev/null
	case $1 in
	a|b) unload_module || fail "rmmod slaguard failed" ;;
	*) load_module ns_share=100
	   [ -r "$BP" ] || fail "$SG_KO is not a benchmark build (no $BP)" ;;
	esac
	case $1 in
	b)
		vic nft -f - <<'NFT' || fail "cannot load the nft counter rule"
table inet bench {
	chain c {
		type filter hook prerouting priority 0; counter
	}
}
NFT
		;;
	d)
		p=10000
		while [ $p -lt $((10000 + WATCHES)) ]; do
			slaguardctl watch add port $p proto udp > /dev/null ||
				fail "watch add port $p failed"
			p=$((p + 1))
		done
		n=$(slaguardctl watch list | grep -c '1[0-9][0-9][0-9][0-9]')
		[ "$n" -ge "$WATCHES" ] || fail "only $n of $WATCHES watches listed"
		;;
	esac
}

rx() { vic cat /sys/class/net/veth-v/statistics/rx_packets; }
now() { cut -d' ' -f1 /proc/uptime; }

# Not through att(): $! must be the process to stop, not a subshell (which,
# in the background, ignores SIGINT).
flood_start() {
	ip netns exec "$NS_A" timeout $((SECS + 60)) hping3 --udp -p 9 --flood -q "$@" "$VICTIM4" \
		> "$T/hping3.out" 2>&1 &
	HP=$!
}

flood_stop() {
	kill "$HP" 2>/dev/null
	wait "$HP" 2>/dev/null
}

# fill: wait (at most 30 s) until the spoofed flood has filled the table.
fill() {
	i=0
	while [ $i -lt 30 ]; do
		s=$(slaguardctl -j stats | jq '.sources')
		cap=$(slaguardctl -j stats | jq '.capacity')
		[ $((s * 100)) -ge $((cap * 99)) ] && return 0
		sleep 1
		i=$((i + 1))
	done
	fail "the source table holds only $s of $cap after 30 s of spoofed flood"
}

# bench_ns POINT: "calls ns" of POINT in the saved bench_hooks.
bench_ns() { awk -v p="$1" '$1 == p { print $2, $3 }' "$T/hooks"; }
per_call() { set -- $(bench_ns "$1"); awk -v c="${1:-0}" -v n="${2:-0}" 'BEGIN { printf "%d\n", c ? n / c : 0 }'; }

# measure CFG: one window of SECS in the flood, appended to CFG's files.
measure() {
	case $1 in
	e) flood_start --rand-source; fill ;;
	*) flood_start; sleep 1 ;;
	esac
	[ -w "$BP" ] && echo 0 > "$BP"
	r0=$(rx); t0=$(now)
	sleep "$SECS"
	r1=$(rx); t1=$(now)
	[ -r "$BP" ] && cat "$BP" > "$T/hooks"
	flood_stop
	kill -0 "$HP" 2>/dev/null && fail "hping3 did not stop"
	pps=$(awk -v a="$r0" -v b="$r1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%d", (b - a) / (e - s) }')
	[ "$pps" -gt 0 ] || fail "no packets reached the victim: $(cat "$T/hping3.out")"
	echo "$pps" >> "$T/pps.$1"
	msg="$pps packets/s"
	if [ -r "$BP" ]; then
		for p in pre_routing local_out ct clock; do
			per_call $p >> "$T/$p.$1"
		done
		set -- $(bench_ns pre_routing)
		msg="$msg, pre_routing $(per_call pre_routing) ns/call over $1 calls, local_out $(per_call local_out), ct $(per_call ct), clock $(per_call clock)"
	fi
	echo "$msg"
}

setup_netns
log "hook cost: $ROUNDS rounds x 5 configurations x ${SECS}s of UDP flood"
for c in $CONFIGS; do
	: > "$T/pps.$c"
	for p in pre_routing local_out ct clock; do : > "$T/$p.$c"; done
done
r=0
while [ $r -lt "$ROUNDS" ]; do
	for c in $(rotated "$r" $CONFIGS); do
		configure "$c"
		out=$(measure "$c") || exit 1
		log "round $((r + 1)) config $c ($(cfg_name $c)): $out"
	done
	r=$((r + 1))
done

log "memory: spoofed flood for ${MEM_SECS}s, source_objects every 0.5 s"
configure c
cap=$(slaguardctl -j stats | jq '.capacity')
obj0=$(slaguardctl -j stats | jq '.source_objects')
flood_start --rand-source
maxobj=0; maxsrc=0; i=0
while [ $i -lt $((MEM_SECS * 2)) ]; do
	slaguardctl -j stats > "$T/stats.json"
	o=$(jq '.source_objects' "$T/stats.json")
	s=$(jq '.sources' "$T/stats.json")
	[ "$o" -gt "$maxobj" ] && maxobj=$o
	[ "$s" -gt "$maxsrc" ] && maxsrc=$s
	sleep 0.5
	i=$((i + 1))
done
slab_in=$(grep '^slg_source ' /proc/slabinfo)
flood_stop
ev=$(slaguardctl -j stats | jq '.evictions')
obj1=$(slaguardctl -j stats | jq '.source_objects')
sleep 2
obj2=$(slaguardctl -j stats | jq '.source_objects')
slab_after=$(grep '^slg_source ' /proc/slabinfo)

echo "==== slaguard bench report ===="
echo "kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), UDP flood (hping3 --flood) over veth, $ROUNDS rounds x ${SECS}s"
echo "hook figures: local_clock() around each hook body, ns per call (median over rounds);"
echo "'clock' is an empty timed section: what timing adds to each figure"
echo
printf '%-32s %9s %8s %10s %10s %6s %6s %12s\n' "configuration" "pkts/s" "vs a" "PRE_ROUT" "LOCAL_OUT" "ct" "clock" "1e9/pps"
printf '%-32s %9s %8s %10s %10s %6s %6s %12s\n' "" "(median)" "" "ns/call" "ns/call" "ns" "ns" "-1e9/pps(a)"
base=$(stat3 "$T/pps.a" | cut -d' ' -f1)
for c in $CONFIGS; do
	pps=$(stat3 "$T/pps.$c" | cut -d' ' -f1)
	ratio=$(awk -v x="$pps" -v b="$base" 'BEGIN { printf "%.3f", (b > 0) ? x / b : 0 }')
	derived=$(awk -v x="$pps" -v b="$base" 'BEGIN { printf "%+.0f ns", (x > 0 && b > 0) ? 1e9 / x - 1e9 / b : 0 }')
	if [ -s "$T/pre_routing.$c" ]; then
		h="$(stat3 "$T/pre_routing.$c" | cut -d' ' -f1) $(stat3 "$T/local_out.$c" | cut -d' ' -f1) $(stat3 "$T/ct.$c" | cut -d' ' -f1) $(stat3 "$T/clock.$c" | cut -d' ' -f1)"
	else
		h="- - - -"
	fi
	set -- $h
	printf '%-32s %9s %8s %10s %10s %6s %6s %12s\n' "$c  $(cfg_name $c)" "$pps" "$ratio" "$1" "$2" "$3" "$4" "$derived"
done
echo
echo "per round (pkts/s; PRE_ROUTING ns/call):"
for c in $CONFIGS; do
	echo "  $c  $(tr '\n' ' ' < "$T/pps.$c");  $(tr '\n' ' ' < "$T/pre_routing.$c")"
done
echo
echo "memory under a spoofed flood of ${MEM_SECS}s (capacity $cap sources, ns_share=100):"
printf '  %-44s %s\n' "source_objects before" "$obj0"
printf '  %-44s %s\n' "sources, peak during the flood" "$maxsrc"
printf '  %-44s %s\n' "source_objects (live + RCU-pending), peak" "$maxobj"
printf '  %-44s %s\n' "source_objects right after the flood" "$obj1"
printf '  %-44s %s\n' "source_objects 2 s later" "$obj2"
printf '  %-44s %s\n' "evictions" "$ev"
echo "  /proc/slabinfo (name active_objs num_objs objsize objperslab pagesperslab ...):"
echo "    during: ${slab_in:-slg_source not listed (merged into another cache)}"
echo "    after:  ${slab_after:-slg_source not listed (merged into another cache)}"
set -- $slab_in
[ -n "${4:-}" ] && echo "  slab memory during the flood: $3 objects x $4 bytes = $(( $3 * $4 / 1024 )) KiB"
echo "==== end of report ===="
