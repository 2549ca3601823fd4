#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cost of slaguard on the data path, and how many events it can deliver.
# Runs inside the test VM (bench/run.sh, or tests/vm/run.sh --bench).
#
# 1. iperf3 TCP throughput from attacker to victim across the veth pair in
#    four configurations, alternated over BENCH_ROUNDS rounds (each round
#    starts with a different one, so drift hits all alike):
#      a  module unloaded
#      b  module loaded, idle
#      c  module loaded with 100 watch rules (ports 10000-10099; iperf3's
#         port 5201 matches none, so every packet is checked against all)
#      d  module unloaded, one nft counter rule in the victim's prerouting
#    Reported: median, min and max per configuration and the median's ratio
#    to (a). A figure, not a pass/fail test: under TCG absolute numbers say
#    little and run-to-run spread is large (see min/max; other load on the
#    host shows directly), so compare ratios over several runs or raise
#    BENCH_ROUNDS.
# 2. Events/s: thresholds at 1 and hold-off/window at their minimum, a
#    random-source SYN flood for BENCH_EVENT_SECS, one listener counting
#    what arrives; with the module's events_sent and events_lost counters.
#
# Environment: BENCH_ROUNDS (5), BENCH_SECS (3), BENCH_EVENT_SECS (10).
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/stats.sh"

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECS:-3}
EVENT_SECS=${BENCH_EVENT_SECS:-10}
CONFIGS="a b c d"

need_cmd slaguardctl
[ -f "$SG_KO" ] || fail "slaguard.ko is not in the VM image"

cfg_name() {
	case $1 in
	a) echo "unloaded" ;;
	b) echo "loaded, idle" ;;
	c) echo "loaded, 100 watches (no match)" ;;
	d) echo "unloaded, nft counter rule" ;;
	esac
}

# configure CFG: bring the system into configuration CFG.
configure() {
	vic nft delete table inet bench 2>/dev/null
	case $1 in
	a|d) unload_module || fail "rmmod slaguard failed" ;;
	b|c) load_module ;;
	esac
	case $1 in
	c)
		p=10000
		while [ $p -le 10099 ]; do
			slaguardctl watch add port $p proto tcp > /dev/null ||
				fail "watch add port $p failed"
			p=$((p + 1))
		done
		n=$(slaguardctl watch list | grep -c '100[0-9][0-9]')
		[ "$n" -ge 100 ] || fail "only $n of 100 watches listed"
		;;
	d)
		vic nft -f - <<'NFT' || fail "cannot load the nft counter rule"
table inet bench {
	chain c {
		type filter hook prerouting priority 0; counter
	}
}
NFT
		;;
	esac
}

# measure: one iperf3 run, prints bits/s received.
measure() {
	att timeout $((SECS + 30)) iperf3 -c "$VICTIM4" -t "$SECS" -O 1 -J > "$T/iperf3.json" ||
		fail "iperf3 failed: $(jq -r '.error // empty' "$T/iperf3.json" 2>/dev/null)"
	jq '.end.sum_received.bits_per_second | floor' "$T/iperf3.json"
}

setup_netns
bg iperf3-server vic iperf3 -s
wait_listen "$NS_V" 5201

log "throughput: $ROUNDS rounds x 4 configurations x ${SECS}s"
for c in $CONFIGS; do : > "$T/bps.$c"; done
r=0
while [ $r -lt "$ROUNDS" ]; do
	for c in $(rotated "$r" $CONFIGS); do
		configure "$c"
		bps=$(measure) || exit 1
		echo "$bps" >> "$T/bps.$c"
		log "round $((r + 1)) config $c ($(cfg_name $c)): $(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }') Gbit/s"
	done
	r=$((r + 1))
done
configure a

log "events/s: thresholds 1, window and hold-off 100 ms, random-source flood for ${EVENT_SECS}s"
load_module
sgctl threshold set window 100 holdoff 100 portscan 1 syn-half-open 1 conn-rate 1 icmp-rate 1 bandwidth 1 ||
	fail "threshold set failed"
serve "$NS_V" 80
sent0=$(stat_get events_sent)
lost0=$(stat_get events_lost)
start_events "$T/events"
t0=$(cut -d' ' -f1 /proc/uptime)
att timeout -s INT "$EVENT_SECS" hping3 -S --flood --rand-source -p 80 "$VICTIM4" > "$T/hping3.txt" 2>&1
sleep 1
stop_events
t1=$(cut -d' ' -f1 /proc/uptime)
sent1=$(stat_get events_sent)
lost1=$(stat_get events_lost)
lastseq=$(stat_get last_seq)
got=$(event_count "$T/events" '.kind != "LOST"')
gaps=$(event_count "$T/events" '.kind == "LOST"')
missing=$(events "$T/events" '.kind == "LOST"' | jq -s 'map(.missing // 0) | add // 0')
lastrx=$(events "$T/events" '.kind != "LOST"' | jq -s 'map(.seq) | max // 0')
pkts=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/hping3.txt" | tail -n 1)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

echo "==== slaguard bench report ===="
echo "kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), iperf3 TCP over veth, $ROUNDS rounds x ${SECS}s"
echo
printf '%-34s %10s %10s %10s %12s\n' "configuration" "median" "min" "max" "vs unloaded"
printf '%-34s %10s %10s %10s %12s\n' "" "Gbit/s" "Gbit/s" "Gbit/s" "(median)"
base=$(stat3 "$T/bps.a" | cut -d' ' -f1)
for c in $CONFIGS; do
	set -- $(stat3 "$T/bps.$c")
	printf '%-34s %10.3f %10.3f %10.3f %11.1f%%\n' "$c  $(cfg_name $c)" \
		"$(awk -v x="$1" 'BEGIN { print x / 1e9 }')" \
		"$(awk -v x="$2" 'BEGIN { print x / 1e9 }')" \
		"$(awk -v x="$3" 'BEGIN { print x / 1e9 }')" \
		"$(awk -v x="$1" -v b="$base" 'BEGIN { print (b > 0) ? 100 * x / b : 0 }')"
done
echo
echo "events: random-source SYN flood for ${EVENT_SECS}s ($pkts packets sent), listener ran ${el}s"
printf '%-34s %10s\n' "events delivered to the listener" "$got"
printf '%-34s %10s\n' "events/s delivered" "$(awk -v n="$got" -v s="$el" 'BEGIN { printf "%.0f", n / s }')"
printf '%-34s %10s\n' "module events_sent (delta)" "$((sent1 - sent0))"
printf '%-34s %10s\n' "module events_lost (delta)" "$((lost1 - lost0))"
printf '%-34s %10s\n' "LOST records seen by the listener" "$gaps"
printf '%-34s %10s\n' "events missing per those records" "$missing"
printf '%-34s %10s\n' "last seq received by the listener" "$lastrx"
printf '%-34s %10s\n' "module last_seq (root namespace)" "$lastseq"
echo "(the module numbers every event sent to the root namespace's listeners; loss"
echo " after the last event received cannot show as a LOST record)"
echo "==== end of report ===="
