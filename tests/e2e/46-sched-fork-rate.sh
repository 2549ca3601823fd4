#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: a fork storm inside a watched cgroup v2 directory raises
# FORK_RATE naming the cgroup; the watch counts the forks.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq

load_module
start_events "$T/events"
make_cgroup sgfork
sgctl threshold set fork-rate 20 proc-events 10 holdoff 60000 || fail "threshold set fork-rate failed"
id=$(sgctl watch add task cgroup "$CG") || fail "watch add task cgroup failed"
sgctl watch list task

# /bin/true is no builtin when named by path: every round forks and execs.
TRUE=$(command -v true)
[ -x /bin/true ] && TRUE=/bin/true
bg storm sh -c 'echo $$ > '"$CG"'/cgroup.procs || exit 1; end=$(( $(date +%s) + 8 )); while [ $(date +%s) -lt $end ]; do '"$TRUE"'; '"$TRUE"'; '"$TRUE"'; done'
storm=$BG_PID
ev=$(wait_event "$T/events" '.kind == "FORK_RATE"' 15) ||
	fail "no FORK_RATE for the fork storm in $CG within 15 s"
log "event: $ev"
echo "$ev" | jq -e '.cgroup == "/sgfork" and .value >= 20 and .threshold == 20 and .task_watch == '"$id" > /dev/null ||
	fail "FORK_RATE has the wrong cgroup, value, threshold or watch: $ev"
forks=$(slaguardctl -j watch list task | jq '.[0].forks')
log "forks counted: $forks"
[ "${forks:-0}" -ge 20 ] || fail "the cgroup watch counted only $forks forks"
n=$(event_count "$T/events" '.kind == "FORK_RATE"')
[ "$n" -le 2 ] || fail "$n FORK_RATE events despite a 60 s hold-off"
wait "$storm"
s=$(slaguardctl -j system | jq '.proc_events_suppressed')
log "process events suppressed by the 10/s limit: $s"
[ "${s:-0}" -gt 0 ] || fail "the process event limit suppressed nothing during a fork storm"
