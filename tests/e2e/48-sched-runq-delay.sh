#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: two CPU-bound processes pinned to one CPU each wait about
# half of the time to run, which raises RUNQ_DELAY for both and shows as
# two runnable tasks on CPU 0 in `system`. The watch is
# added after they started: the walk at watch-add finds them.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash taskset
load_module
start_events "$T/events"
sgctl threshold set runq-delay 200 cpu 0 holdoff 60000 || fail "threshold set runq-delay failed"

cp "$(command -v dash)" "$T/sgspin"
bg spin1 taskset -c 0 "$T/sgspin" -c 'while :; do :; done'
p1=$BG_PID
bg spin2 taskset -c 0 "$T/sgspin" -c 'while :; do :; done'
p2=$BG_PID
sleep 1
sgctl watch add task comm sgspin > /dev/null || fail "watch add task comm sgspin failed"
for p in $p1 $p2; do
	ev=$(wait_event "$T/events" '.kind == "RUNQ_DELAY" and .pid == '"$p" 20) ||
		fail "no RUNQ_DELAY for pid $p within 20 s"
	log "event: $ev"
	echo "$ev" | jq -e '.comm == "sgspin" and .value >= 200 and .threshold == 200' > /dev/null ||
		fail "RUNQ_DELAY has the wrong comm, value or threshold: $ev"
done
sgctl tasks

# Per CPU: CPU 0 runs one and queues the other (about 2 runnable, 1000 ms
# waited per second); CPU 1 has neither. Busy time comes from tick-based
# accounting, which a TCG guest on a loaded host undercounts: the bounds
# leave room for that.
sgctl system
slaguardctl -j system > "$T/system.json" || fail "system -j failed"
jq -e '(.cpus | map(select(.cpu == 0))[0]) as $c0 | (.cpus | map(select(.cpu == 1))[0]) as $c1 |
	$c0.runnable >= 1.3 and $c0.runq_wait_ms_per_s >= 600 and
	$c1.runq_wait_ms_per_s < $c0.runq_wait_ms_per_s' "$T/system.json" > /dev/null ||
	fail "per-CPU runnable does not show CPU 0 with two tasks: $(jq -c .cpus "$T/system.json")"
