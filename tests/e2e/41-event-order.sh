#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Events from both CPUs at once arrive in sequence order. Packets sent from
# CPU 0 and CPU 1 (WATCH_HIT, from the packet path), programs exec'd on both
# CPUs (PROC_EXEC/PROC_EXIT, from tracepoints) and the sampler's batches
# (SCHED_SAMPLE, from a worker) all take numbers from the same counter; a
# listener must never see a number lower than one it has already seen, and
# every gap must be a loss it was told about.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash taskset hping3
[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs, the guest has $(nproc)"
load_module
start_events "$T/events"

sgctl threshold set watch-events 100000 proc-events 100000 ||
	fail "threshold set watch-events/proc-events failed"
sgctl system set period 100 || fail "system set period 100 failed"
sgctl watch add proto udp port 9 action sample 1 > /dev/null ||
	fail "watch add proto udp port 9 failed"
sgctl watch add task comm sgloop > /dev/null || fail "watch add task comm sgloop failed"
sgctl watch add task comm sgexec > /dev/null || fail "watch add task comm sgexec failed"

cp "$(command -v dash)" "$T/sgloop"
cp "$(command -v dash)" "$T/sgexec"
for cpu in 0 1; do
	# A count, not a signal, ends hping3: its SIGINT handler can crash.
	bg "hping-$cpu" taskset -c "$cpu" \
		hping3 --udp -p 9 -i u2000 -c 2500 127.0.0.1
	bg "exec-$cpu" taskset -c "$cpu" timeout 6 \
		"$T/sgloop" -c 'while :; do "$0" -c :; done' "$T/sgexec"
done
sleep 7
sgctl system set period 1000 || fail "system set period 1000 failed"
sleep 1
stop_events

for kind in WATCH_HIT PROC_EXEC PROC_EXIT SCHED_SAMPLE; do
	n=$(event_count "$T/events" ".kind == \"$kind\"")
	log "$kind: $n events"
	[ "$n" -ge 20 ] || fail "only $n $kind events: the load did not run on both CPUs"
done
lost=$(stat_get events_lost)
log "module: events_lost $lost"

# In arrival order: numbers strictly increase, and the numbers skipped add up
# to the losses the listener reported.
res=$(jq -R -s -r '[split("\n")[] | fromjson? | select(.)] as $e
	| ($e | map(select(.kind == "LOST") | .missing // 0) | add // 0) as $told
	| ($e | map(select(.kind != "LOST") | .seq | tonumber)) as $s
	| [range(1; $s | length) | select($s[.] <= $s[. - 1])] as $back
	| (($s[-1] - $s[0] + 1) - ($s | length)) as $skipped
	| if ($back | length) > 0 then
		"\($back | length) event(s) arrived after a higher number, first at seq \($s[$back[0]]) after \($s[$back[0] - 1])"
	  elif $skipped != $told then
		"\($skipped) numbers skipped, \($told) reported lost"
	  else "ok \($s | length) events, \($told) lost" end' "$T/events")
log "order: $res"
case $res in
ok*) ;;
*) fail "events out of order: $res" ;;
esac
! grep -q "went back" "$T/events.err" ||
	fail "the listener saw the sequence go back: $(grep "went back" "$T/events.err" | head -n 3)"
