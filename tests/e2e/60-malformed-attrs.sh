#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed requests (tests/tools/sgnl-raw: wrong types, lengths, ranges,
# nesting, unknown commands) are refused with EINVAL or ERANGE - an unknown
# command with EOPNOTSUPP - and leave the module answering normally.
#
# sgnl-raw list prints the case names, one a line; sgnl-raw CASE sends one
# and exits 0 when the kernel refused it as expected, naming the errno.
. "$(dirname "$0")/lib.sh"

need_cmd sgnl-raw slaguardctl
load_module

sgnl-raw list > "$T/cases" 2> "$T/list.err" || fail "sgnl-raw list exited $?: $(cat "$T/list.err")"
n=$(grep -c . "$T/cases")
[ "$n" -gt 0 ] || fail "sgnl-raw list printed no cases"
log "$n cases"

bad=""
for c in $(awk '{print $1}' "$T/cases"); do
	case $c in
	*unknown-cmd*) want='EOPNOTSUPP|Operation not supported|errno[ =:]*95([^0-9]|$)' ;;
	*) want='EINVAL|ERANGE|Invalid argument|Numerical result out of range|errno[ =:]*(22|34)([^0-9]|$)' ;;
	esac
	out=$(timeout 10 sgnl-raw "$c" 2>&1)
	rc=$?
	echo "$c: exit $rc: $out"
	if [ "$rc" != 0 ]; then
		bad="$bad $c(exit $rc)"
	elif ! echo "$out" | grep -Eq "$want"; then
		bad="$bad $c(errno)"
	fi
	slaguardctl stats > /dev/null 2>&1 || fail "slaguardctl stats fails after case $c"
done
[ -z "$bad" ] || fail "cases not refused as expected:$bad"

sgctl stats || fail "slaguardctl stats fails after the malformed requests"
sgctl -j stats | jq -e . > /dev/null || fail "slaguardctl -j stats is not JSON after the malformed requests"
