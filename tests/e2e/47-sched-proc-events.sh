#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: starting a watched program gives PROC_EXEC with the right
# pid, parent, uid and filename, and its end gives PROC_EXIT with its exit
# status; a program that is not watched gives neither.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash setpriv
load_module
start_events "$T/events"
id=$(sgctl watch add task comm sgprog) || fail "watch add task comm sgprog failed"

cp "$(command -v dash)" "$T/sgprog"
cp "$(command -v dash)" "$T/sgother"
chmod 755 "$T" "$T/sgprog"
"$T/sgother" -c 'exit 0'
setpriv --reuid=65534 --regid=65534 --clear-groups "$T/sgprog" -c 'sleep 1; exit 3' &
pid=$!
log "started $T/sgprog as pid $pid"
ev=$(wait_event "$T/events" '.kind == "PROC_EXEC" and .pid == '"$pid" 10) ||
	fail "no PROC_EXEC for pid $pid"
log "event: $ev"
echo "$ev" | jq -e '.comm == "sgprog" and .filename == "'"$T/sgprog"'" and .uid == 65534 and .ppid == '"$$"' and .task_watch == '"$id" > /dev/null ||
	fail "PROC_EXEC has the wrong comm, filename, uid, ppid or watch: $ev"
wait "$pid"
ev=$(wait_event "$T/events" '.kind == "PROC_EXIT" and .pid == '"$pid" 10) ||
	fail "no PROC_EXIT for pid $pid"
log "event: $ev"
echo "$ev" | jq -e '.exit_status == 3 and .exit_signal == null and .comm == "sgprog"' > /dev/null ||
	fail "PROC_EXIT has the wrong exit status: $ev"

# Killed by a signal: the status says so.
"$T/sgprog" -c 'kill -9 $$' &
pid=$!
wait "$pid"
ev=$(wait_event "$T/events" '.kind == "PROC_EXIT" and .pid == '"$pid" 10) ||
	fail "no PROC_EXIT for the killed pid $pid"
echo "$ev" | jq -e '.exit_signal == 9' > /dev/null || fail "PROC_EXIT of a SIGKILLed process: $ev"

expect_no_event "$T/events" '.comm == "sgother"'
expect_gapless "$T/events"
