#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed requests (tests/tools/sgnl-raw: wrong types, lengths, ranges,
# nesting, unknown commands; watch rules, thresholds, task watches, the
# sampler's period) are each refused with the errno the module means to
# give - EINVAL, ERANGE, EOPNOTSUPP for an unknown command, ENOENT or
# ENOTDIR for a cgroup that is not there, ENOENT for an unknown task watch,
# EEXIST for a task watch id in use - and leave the module answering
# normally, with no task watch added and the sampling period unchanged.
#
# sgnl-raw list prints the cases: name, expected errno, description;
# sgnl-raw CASE sends one and exits 0 when the kernel refused it with that
# errno (and the extended ack the case expects), naming the errno.
. "$(dirname "$0")/lib.sh"

need_cmd sgnl-raw slaguardctl jq
load_module

period0=$(slaguardctl -j system | jq -r '.period_ms') ||
	fail "slaguardctl -j system failed before the malformed requests"

sgnl-raw list > "$T/cases" 2> "$T/list.err" || fail "sgnl-raw list exited $?: $(cat "$T/list.err")"
n=$(grep -c . "$T/cases")
[ "$n" -gt 0 ] || fail "sgnl-raw list printed no cases"
log "$n cases"

bad=""
while read -r c want _; do
	out=$(timeout 10 sgnl-raw "$c" 2>&1)
	rc=$?
	echo "$c: exit $rc: $out"
	if [ "$rc" = 1 ]; then
		bad="$bad $c(accepted)"
	elif [ "$rc" != 0 ]; then
		bad="$bad $c(exit $rc)"
	elif ! echo "$out" | grep -q "^errno=$want "; then
		# the tool checked it too; this guards against a tool that did not
		bad="$bad $c(errno, wanted $want)"
	fi
	slaguardctl stats > /dev/null 2>&1 || fail "slaguardctl stats fails after case $c"
done < "$T/cases"
[ -z "$bad" ] || fail "cases not refused as expected:$bad"

sgctl stats || fail "slaguardctl stats fails after the malformed requests"
sgctl -j stats | jq -e . > /dev/null || fail "slaguardctl -j stats is not JSON after the malformed requests"

# The system monitor still answers, and the refused requests changed nothing.
sgctl tasks || fail "slaguardctl tasks fails after the malformed requests"
sgctl system || fail "slaguardctl system fails after the malformed requests"
slaguardctl -j watch list task > "$T/twatches.json" ||
	fail "slaguardctl -j watch list task fails after the malformed requests"
jq -e 'length == 0' "$T/twatches.json" > /dev/null ||
	fail "task watches exist after the malformed requests: $(cat "$T/twatches.json")"
period=$(slaguardctl -j system | jq -r '.period_ms')
[ "$period" = "$period0" ] ||
	fail "the sampling period changed from $period0 to $period ms during the malformed requests"
slaguardctl -j threshold show | jq -e '.cpu_samples >= 1' > /dev/null ||
	fail "cpu_samples is below 1 after the malformed requests: $(slaguardctl -j threshold show)"
