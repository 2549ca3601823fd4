#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A SYN flood (hping3 --flood, ~3 s) against an open port is reported as a
# SYN_FLOOD event naming the attacker, raised in the victim's namespace -
# once per hold-off, not per packet.
. "$(dirname "$0")/lib.sh"

setup_netns
load_module
start_events "$T/events"
serve "$NS_V" 80

t0=$(date +%s)
log "hping3 -S --flood -p 80 $VICTIM4 for 3 s"
att timeout -s INT 3 hping3 -S --flood -p 80 "$VICTIM4" > "$T/hping3.txt" 2>&1
cat "$T/hping3.txt"

ev=$(wait_event "$T/events" '.kind == "SYN_FLOOD" and .source == "'"$ATTACKER4"'" and '"$(at_victim)") ||
	fail "no SYN_FLOOD event from $ATTACKER4 seen arriving in the victim's namespace"
log "event: $ev"
echo "$ev" | jq -e '.family == "inet" and (.value | tonumber) >= (.threshold | tonumber)' > /dev/null ||
	fail "SYN_FLOOD event has the wrong family or a value below its threshold: $ev"

secs=$(( $(date +%s) - t0 ))
n=$(event_count "$T/events" '.kind == "SYN_FLOOD" and .source == "'"$ATTACKER4"'"')
max=$(max_events "$secs")
log "$n SYN_FLOOD event(s) in ${secs}s (at most $max allowed by the hold-off)"
[ "$n" -le "$max" ] || fail "$n SYN_FLOOD events in ${secs}s: more than the hold-off allows ($max)"
expect_gapless "$T/events"
