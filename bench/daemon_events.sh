#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Events per second slaguardd sustains on one core, in the test VM
# (bench/run.sh --scenarios daemon_events).
#
# slaguardd runs in the victim's namespace with the demo SLA, pinned to CPU
# BENCH_DAEMON_CPU (taskset); the generator (hping3 -S --rand-source to port
# 80: a SYN from a random source each time) runs on the other vCPU. After the
# daemon has configured the module from the SLA, the victim's thresholds are
# lowered to 1 (window and hold-off 100 ms), so nearly every packet is a new
# source crossing several detectors: about three events (PORTSCAN, SYN_FLOOD,
# CONN_RATE) per packet, each below the SLA's bounds (no alert, no
# countermeasure: intake, preprocess, analyze and SLO evaluation only). No
# other events listener runs.
# The offered rate rises in steps (BENCH_LEVELS: hping3 -i uN intervals, then
# --flood), BENCH_SECS each, 3 s to drain after each. Per step: events the
# module emitted in the victim's namespace (its last_seq), events slaguardd
# received and counted lost (`slaguardctl -j sla status`, read before and
# after the step only: the control socket answers slowly while the daemon is
# busy), and the daemon's CPU time (/proc). The sustained rate is the highest
# step received without loss; CPU near 100 % of its core means the daemon is
# the bottleneck. Under TCG hping3 -i goes no faster than about 1800 SYN/s
# (below u100 it plateaus), so between that and --flood there is no step.
#
# Environment: BENCH_SECS (8), BENCH_LEVELS ("u2000 u1000 u500 u250 u100 u50 u20 flood"),
# BENCH_DAEMON_CPU (1), BENCH_GEN_CPU (0).
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/../tests/e2e/daemon-lib.sh"

SECS=${BENCH_SECS:-8}
LEVELS=${BENCH_LEVELS:-"u2000 u1000 u500 u250 u100 u50 u20 flood"}
DCPU=${BENCH_DAEMON_CPU:-1}
GCPU=${BENCH_GEN_CPU:-0}
HZ=100	# USER_HZ: /proc/PID/stat's clock ticks

need_cmd slaguardd slaguardctl hping3 taskset jq
setup_netns
load_module
serve "$NS_V" 80
start_daemon "$SLA_DEMO"
taskset -p -c "$DCPU" "$DAEMON_PID" > /dev/null || fail "cannot pin slaguardd to CPU $DCPU"
log "slaguardd $DAEMON_PID pinned: $(taskset -p "$DAEMON_PID")"
vic slaguardctl threshold set window 100 holdoff 100 portscan 1 syn-half-open 1 conn-rate 1 icmp-rate 1 ||
	fail "threshold set in $NS_V failed"

# sample: "uptime received lost emitted cputicks"
sample() {
	_st=$(timeout 60 slaguardctl -j sla status 2>/dev/null)
	_rx=$(echo "$_st" | jq -r '.events.received // "-"' 2>/dev/null)
	_lo=$(echo "$_st" | jq -r '.events.lost // "-"' 2>/dev/null)
	_em=$(vic slaguardctl -j stats 2>/dev/null | jq -r '.last_seq // "-"' 2>/dev/null)
	_cpu=$(awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat" 2>/dev/null)
	echo "$(cut -d' ' -f1 /proc/uptime) ${_rx:--} ${_lo:--} ${_em:--} ${_cpu:--}"
}

: > "$T/steps"
for lv in $LEVELS; do
	case $lv in
	flood) rate=--flood ;;
	u[0-9]*) rate="-i $lv" ;;
	*) fail "BENCH_LEVELS: '$lv' is neither uN nor flood" ;;
	esac
	s0=$(sample)
	# shellcheck disable=SC2086 # $rate is two words or one
	att taskset -c "$GCPU" timeout -s INT "$SECS" hping3 -S $rate --rand-source -p 80 "$VICTIM4" \
		> "$T/hping3.$lv.txt" 2>&1
	sleep 3
	s1=$(sample)
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "slaguardd died at step $lv: $(tail -n 5 "$DAEMON_LOG")"
	pk=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/hping3.$lv.txt" | tail -n 1)
	echo "$lv ${pk:-0} $s0 $s1" >> "$T/steps"
	log "step $lv: $(tail -n 1 "$T/steps")"
done
alerts_n=$(slaguardctl -j sla status | jq -r '.alerts')

# steps: level packets t0 rx0 lo0 em0 c0 t1 rx1 lo1 em1 c1
awk -v hz="$HZ" -v secs="$SECS" -v cpu="$DCPU" -v al="$alerts_n" -v kver="$(uname -r)" '
	BEGIN {
		print "==== slaguard bench report ===="
		printf "daemon events/s on one core: kernel %s, slaguardd pinned to CPU %d, demo SLA,\n", kver, cpu
		printf "victim thresholds 1 (window/hold-off 100 ms); hping3 -S --rand-source, %d s per step\n\n", secs
		printf "%-10s %9s %11s %11s %11s %9s %9s\n", "hping3", "pkts/s", "emitted/s", "received/s", "lost/s", "missing", "daemon"
		printf "%-10s %9s %11s %11s %11s %9s %9s\n", "rate", "sent", "(module)", "(daemon)", "(daemon)", "", "CPU"
	}
	{
		em = $11 - $6; rx = $9 - $4; lo = $10 - $5
		miss = (em > 0 && em > rx) ? 100 * (em - rx) / em : 0
		c = 100 * ($12 - $7) / hz / secs
		printf "%-10s %9.0f %11.0f %11.0f %11.0f %8.1f%% %8.0f%%\n", ($1 == "flood") ? "--flood" : "-i " $1,
			$2 / secs, em / secs, rx / secs, lo / secs, miss, c
		if (lo == 0 && rx / secs > best) best = rx / secs
	}
	END {
		printf "\nhighest step received without loss: %.0f events/s; alerts raised: %s\n", best, al
		print "emitted: the module'"'"'s last_seq of the victim netns over the step; received and lost:"
		print "the daemon'"'"'s events.received / events.lost (sequence gaps, receive-buffer overruns and"
		print "the module'"'"'s global loss counter); per-second figures over the step'"'"'s " secs " s; CPU: the"
		print "daemon'"'"'s CPU time over the step and its 3 s drain, divided by the step'"'"'s " secs " s (the"
		print "share of one core while events arrive). missing: emitted but not received."
		print "==== end of report ===="
	}' "$T/steps"
