#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ordinary traffic - a few connections to the victim's services, pings, a
# short bulk transfer - raises no alert and no countermeasure, and no SLO is
# violated.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 22
serve "$NS_V" 80
start_daemon "$SLA_DEMO"

log "ordinary traffic: 10 connections each to ports 22 and 80, pings, 2 s iperf3"
i=0
while [ $i -lt 10 ]; do
	# One retry: a slow VM may miss one; what matters is what slaguardd says.
	connects "$VICTIM4" 80 3 || connects "$VICTIM4" 80 3 || fail "connection $i to port 80 failed twice"
	connects "$VICTIM6" 22 3 || connects "$VICTIM6" 22 3 || fail "connection $i to [$VICTIM6]:22 failed twice"
	i=$((i + 1))
	sleep 0.2
done
att ping -c 5 -i 0.2 -W 1 "$VICTIM4" > /dev/null || fail "ping failed"
bg iperf3-server ip netns exec "$NS_V" iperf3 -s -1 -p 5201
wait_listen "$NS_V" 5201
att timeout 20 iperf3 -c "$VICTIM4" -p 5201 -t 2 > "$T/iperf3.txt" 2>&1 ||
	fail "iperf3 failed: $(tail -n 3 "$T/iperf3.txt")"

sleep 5
n=$(alerts | wc -l)
[ "$n" = 0 ] || fail "$n alert(s) for ordinary traffic: $(alerts | head -n 3)"
[ -z "$(elements block4)$(elements block6)" ] || fail "block elements after ordinary traffic"
slaguardctl -j sla status > "$T/status.json" || fail "sla status failed"
jq -e '[.slos[] | select(.state == "violated")] | length == 0' "$T/status.json" > /dev/null ||
	fail "violated SLOs after ordinary traffic: $(jq -c '[.slos[] | select(.state == "violated")]' "$T/status.json")"
slaguardctl sla status
log "no alert, no countermeasure, no violated SLO"
