#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: a busy-loop process under a watched command name raises
# CPU_HIGH within a few sampling periods; an idle process under another
# watched name does not. Both are started after their watch was added (a
# watch on a name covers processes started later), both give SCHED_SAMPLE
# events, and `slaguardctl tasks` lists them.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash
load_module
start_events "$T/events"

sgctl threshold set cpu 50 cpu-samples 3 runq-delay 0 holdoff 60000 ||
	fail "threshold set cpu failed"
busy_id=$(sgctl watch add task comm sgbusy) || fail "watch add task comm sgbusy failed"
idle_id=$(sgctl watch add task comm sgidle) || fail "watch add task comm sgidle failed"
sgctl watch list task | tee "$T/twatches.txt"
grep -q "comm sgbusy" "$T/twatches.txt" || fail "watch list task does not show comm sgbusy"

# A copy of dash named after the watch: its comm is the file's name.
cp "$(command -v dash)" "$T/sgbusy"
cp "$(command -v dash)" "$T/sgidle"
bg busy "$T/sgbusy" -c 'while :; do :; done'
busy=$BG_PID
bg idle "$T/sgidle" -c 'while :; do read -r x < /dev/null; sleep 1; done'
idle=$BG_PID
log "busy pid $busy (watch $busy_id), idle pid $idle (watch $idle_id)"

ev=$(wait_event "$T/events" '.kind == "CPU_HIGH" and .pid == '"$busy" 20) ||
	fail "no CPU_HIGH for the busy loop (pid $busy) within 20 s"
log "event: $ev"
echo "$ev" | jq -e '.comm == "sgbusy" and .value >= 50 and .threshold == 50 and .task_watch == '"$busy_id" > /dev/null ||
	fail "CPU_HIGH has the wrong comm, value, threshold or watch: $ev"

wait_event "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$idle" 10 > /dev/null ||
	fail "no SCHED_SAMPLE for the idle process (pid $idle)"
s=$(wait_event "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$busy" 5) ||
	fail "no SCHED_SAMPLE for the busy loop"
echo "$s" | jq -e '.cpu_pct > 50 and .rss > 0 and .threads == 1 and .period_ms > 0' > /dev/null ||
	fail "SCHED_SAMPLE of the busy loop does not show it busy: $s"

sgctl tasks | tee "$T/tasks.txt"
grep -q sgbusy "$T/tasks.txt" || fail "'tasks' does not list sgbusy"
grep -q sgidle "$T/tasks.txt" || fail "'tasks' does not list sgidle"
slaguardctl -j tasks > "$T/tasks.json" || fail "tasks -j failed"
jq -e 'map(select(.pid == '"$busy"'))[0].cpu_pct > 50' "$T/tasks.json" > /dev/null ||
	fail "tasks -j: busy loop below 50%: $(cat "$T/tasks.json")"

sleep 2
expect_no_event "$T/events" '.kind == "CPU_HIGH" and .pid == '"$idle"
sgctl system | tee "$T/system.txt"
slaguardctl -j system | jq -e '.tasks >= 2 and .processes > 10 and .passes > 0 and (.cpus | length) >= 1' > /dev/null ||
	fail "system -j figures are implausible: $(slaguardctl -j system)"

sgctl watch del task "$busy_id" || fail "watch del task failed"
sgctl watch del task "$busy_id" 2> /dev/null && fail "deleting a task watch twice succeeded"
slaguardctl -j tasks | jq -e 'map(select(.pid == '"$busy"')) | length == 0' > /dev/null ||
	fail "the busy loop is still tracked after its watch was deleted"
expect_gapless "$T/events"
