#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The victim resolving 100 names a second against a resolver in the other
# namespace must raise no event of any kind: each query leaves from a new
# ephemeral port, and the answers come back from port 53 to all those
# ports. Answers are not probes. (hping3 stands in for both sides: the victim sends the
# queries, the resolver the answers, 100 a second for 10 s.)
. "$(dirname "$0")/lib.sh"

RATE=${RATE:-100}
SECS=${SECS:-10}

setup_netns
load_module
start_events "$T/events"

n=$((RATE * SECS))
gap=$((1000000 / RATE))
log "$n queries and answers at $RATE/s, ports 33000 and up"
bg queries vic timeout $((SECS + 20)) hping3 -2 -q -s 33000 -p 53 -i "u$gap" -c "$n" "$ATTACKER4"
att timeout $((SECS + 20)) hping3 -2 -q -s 53 -k -p ++33000 -i "u$gap" -c "$n" "$VICTIM4" \
	> "$T/answers.txt" 2>&1 || fail "hping3 (answers) failed: $(tail -n 3 "$T/answers.txt")"
sleep 2
pkts=$(slaguardctl -j sources | jq -r '.[] | select(.address == "'"$ATTACKER4"'") | .udp' | head -n 1)
log "the resolver's UDP packets seen at the victim: ${pkts:-none}"
[ "${pkts:-0}" -ge $((n / 2)) ] 2>/dev/null || fail "only '${pkts:-0}' answers seen of $n"
sgctl sources
n=$(event_count "$T/events" '.kind == "PORTSCAN"')
log "false alarms: $n PORTSCAN event(s)"
expect_no_event "$T/events" true
