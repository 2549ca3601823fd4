#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A NAT gateway or proxy: 300 connections from one address in 2 s behind
# 200 ms of delay (tc netem), some 30 handshakes in flight at any time, and
# every one held open until all 300 are. Every handshake completes, so no
# event of any kind may be raised - in particular no SYN_FLOOD (a table of
# 8 pending handshakes per source read the overflow as half-open) and no
# DST_HALF_OPEN for the server.
. "$(dirname "$0")/lib.sh"

N=300

need_cmd sgconnect
setup_netns
load_module
start_events "$T/events"
# A listener that never accepts: the kernel completes every handshake.
bg server ip netns exec "$NS_V" sgconnect -l 80 60
wait_listen "$NS_V" 80
att tc qdisc add dev veth-a root netem delay 200ms limit 10000 ||
	fail "cannot add netem to veth-a"
wait_for 10 att ping -c 1 -W 2 "$VICTIM4" || fail "no ping through netem"

log "$N connections to $VICTIM4:80 at 150/s, 200 ms away, held open"
bg gateway ip netns exec "$NS_A" sgconnect "$VICTIM4" 80 "$N" 150 10
gw=$BG_PID
wait_for 30 grep -q connected "$T/gateway.out" ||
	fail "the gateway did not finish connecting: $(cat "$T/gateway.out")"
log "gateway: $(cat "$T/gateway.out")"
est=$(vic ss -Htn state established '( sport = :80 )' | wc -l)
log "$est connections established at the server"
[ "$est" -ge "$N" ] || fail "only $est of $N connections are established"
wait "$gw" || fail "the gateway's connections failed: $(cat "$T/gateway.out")"
slaguardctl -j sources > "$T/sources.json"
jq -c '.[] | select(.address == "'"$ATTACKER4"'" and (.netns | tonumber) == '"$VICTIM_NETNS"')' \
	"$T/sources.json" | while read -r s; do log "gateway at the victim: $s"; done
expect_no_event "$T/events" 'true'
