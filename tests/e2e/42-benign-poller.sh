#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A monitoring poller touching the same 10 ports of the victim every second
# for a minute must raise no event of any kind (no PORTSCAN, no SYN_FLOOD),
# and the victim must never read more than those 10 ports for it: a port
# seen in the previous window and again in this one is one port, not two
# (the threshold is 20).
. "$(dirname "$0")/lib.sh"

SECS=${SECS:-60}
PORTS=10

setup_netns
load_module
start_events "$T/events"

# max_ports: the highest port estimate of the poller at the victim.
max_ports() {
	jq -r '.[] | select(.address == "'"$ATTACKER4"'" and (.netns | tonumber) == '"$VICTIM_NETNS"') | .ports' \
		"$T/ports.json" 2>/dev/null | sort -n | tail -n 1
}

log "polling ports 8001-$((8000 + PORTS)) every second for $SECS s"
att sh -c '
	secs=$1 ports=$2 dst=$3
	i=0
	while [ $i -lt "$secs" ]; do
		i=$((i + 1))
		hping3 -q -S -p ++8001 -c "$ports" -i u2000 "$dst" >/dev/null 2>&1 &
		sleep 1
	done
	wait' poller "$SECS" "$PORTS" "$VICTIM4" &
poller=$!
BG_PIDS="$BG_PIDS $poller"
max=0
while kill -0 "$poller" 2>/dev/null; do
	slaguardctl -j sources > "$T/ports.json" 2>/dev/null
	m=$(max_ports)
	[ -n "$m" ] && [ "$m" -gt "$max" ] && max=$m
	sleep 0.2
done
log "highest distinct-port estimate for the poller: $max (polling $PORTS ports)"
n=$(event_count "$T/events" '.kind == "PORTSCAN"')
log "false alarms: $n PORTSCAN event(s)"
[ "$max" -ge $((PORTS - 2)) ] || fail "the poller's $PORTS ports read only $max: is it counted?"
[ "$max" -le "$PORTS" ] || fail "the poller's $PORTS ports read $max: counted twice"
expect_no_event "$T/events" true
