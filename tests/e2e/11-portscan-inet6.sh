#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An nmap SYN scan of 1000 ports over IPv6 is reported as a PORTSCAN event
# naming the attacker, raised in the victim's namespace as the packets arrive
# (PRE_ROUTING) and delivered to a listener in the root namespace.
. "$(dirname "$0")/lib.sh"

setup_netns
load_module
start_events "$T/events"
serve "$NS_V" 22

log "nmap -6 -sS -p 1-1000 $VICTIM6"
att timeout 120 nmap -6 -n -sS -p 1-1000 -T4 "$VICTIM6" > "$T/nmap.txt" 2>&1 ||
	fail "nmap failed: $(tail -n 3 "$T/nmap.txt")"
grep -q '^22/tcp *open' "$T/nmap.txt" || fail "nmap did not find the victim's open port 22"

ev=$(wait_event "$T/events" '.kind == "PORTSCAN" and .source == "'"$ATTACKER6"'" and '"$(at_victim)") ||
	fail "no PORTSCAN event from $ATTACKER6 seen arriving in the victim's namespace"
log "event: $ev"
echo "$ev" | jq -e '.family == "inet6"' > /dev/null || fail "PORTSCAN event is not family inet6: $ev"
echo "$ev" | jq -e '(.value | tonumber) >= (.threshold | tonumber)' > /dev/null ||
	fail "PORTSCAN value below its threshold: $ev"
n=$(event_count "$T/events" '.kind == "PORTSCAN" and .source == "'"$ATTACKER6"'"')
log "$n PORTSCAN event(s) for one scan"
[ "$n" -le 10 ] || fail "$n PORTSCAN events for one scan: the hold-off does not hold"
expect_gapless "$T/events"
