#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: GET_SYSTEM (slaguardctl system) answers with one entry
# per online CPU, however many there are: the reply is sized for the
# machine, where one NLMSG_GOODSIZE message used to hold about 120 CPUs.
# The default VM has 2 vCPUs; tests/vm/run.sh --smp 128 (or more) makes
# it a big machine.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq
load_module
n=$(grep -c '^processor' /proc/cpuinfo)
log "$n CPUs online"
slaguardctl -j system > "$T/system.json" 2> "$T/system.err" ||
	fail "slaguardctl system failed with $n CPUs: $(cat "$T/system.err")"
got=$(jq '.cpus | length' "$T/system.json")
[ "$got" = "$n" ] || fail "slaguardctl system lists $got CPUs, not the $n online"
jq -e --argjson n "$n" '[.cpus[].cpu] == [range(0; $n)]' "$T/system.json" > /dev/null ||
	fail "slaguardctl system does not list CPUs 0 to $((n - 1)): $(jq -c '[.cpus[].cpu]' "$T/system.json")"
