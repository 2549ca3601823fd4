#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: a comm watch follows renames. A process that takes a
# watched name after it started (writing /proc/self/comm, which is what
# prctl(PR_SET_NAME) does too: both go through the task_rename
# tracepoint) is sampled from then on; one that takes another name is not;
# and one that leaves a watched name is still sampled: a rename is no new
# program, and no way out of a watch.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash
load_module sched_period_ms=200
start_events "$T/events"
sgctl watch add task comm sgrenamed >/dev/null ||
	fail "watch add task comm sgrenamed failed"
sgctl watch add task comm sgwatched >/dev/null ||
	fail "watch add task comm sgwatched failed"

# dash renames itself (printf is a builtin) and stays, waiting.
# shellcheck disable=SC2016
loop='while :; do sleep 1; done'
dash -c "printf sgrenamed > /proc/self/comm; $loop" &
renamed=$!
BG_PIDS="$BG_PIDS $renamed"
dash -c "printf sgother > /proc/self/comm; $loop" &
other=$!
BG_PIDS="$BG_PIDS $other"
cp "$(command -v dash)" "$T/sgwatched"
"$T/sgwatched" -c "printf sginnocent > /proc/self/comm; $loop" &
left=$!
BG_PIDS="$BG_PIDS $left"
log "renamed to sgrenamed: $renamed, to sgother: $other, from sgwatched to sginnocent: $left"

ev=$(wait_event "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$renamed" 10) ||
	fail "process $renamed renamed itself sgrenamed and is not sampled"
log "event: $ev"
echo "$ev" | jq -e '.comm == "sgrenamed"' > /dev/null ||
	fail "SCHED_SAMPLE of $renamed does not name it sgrenamed: $ev"
ev=$(wait_event "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$left"' and .comm == "sginnocent"' 10) ||
	fail "process $left left the watched name sgwatched and is no longer sampled"
log "event: $ev"
slaguardctl -j tasks | jq -e 'map(select(.pid == '"$renamed"')) | length == 1' > /dev/null ||
	fail "slaguardctl tasks does not list $renamed"
expect_no_event "$T/events" '.pid == '"$other" 1
