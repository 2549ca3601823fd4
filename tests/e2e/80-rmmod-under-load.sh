#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module unloads cleanly while traffic flows through its hooks and a
# listener is subscribed to its events: iperf3 and a hping3 flood run, a
# sampling watch keeps events coming, and rmmod succeeds - three times in a
# row, reloading in between - with nothing in the kernel log.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl
setup_netns
serve "$NS_V" 80
bg iperf3-server4 vic iperf3 -s -p 5201
bg iperf3-server6 vic iperf3 -s -p 5202
wait_listen "$NS_V" 5201
wait_listen "$NS_V" 5202

load_module
start_events "$T/events"
sgctl watch add port 5201-5202 proto tcp action sample 100 > /dev/null || fail "watch add ... sample 100 failed"

log "traffic: iperf3 (IPv4 and IPv6) and a SYN flood"
bg iperf3-client4 att iperf3 -c "$VICTIM4" -t 60
bg iperf3-client6 att iperf3 -6 -c "$VICTIM6" -p 5202 -t 60
bg hping3 att timeout -s INT 60 hping3 -S --flood -p 80 "$VICTIM4"
sleep 4
n=$(wc -l < "$T/events")
log "$n events so far"
[ "$n" -gt 0 ] || log "note: no events before the first rmmod"

for round in 1 2 3; do
	log "round $round: rmmod under load"
	timeout 60 rmmod slaguard || fail "rmmod slaguard failed (exit $?) in round $round"
	module_loaded && fail "slaguard still loaded after rmmod in round $round"
	sleep 1
	[ $round = 3 ] && break
	insmod "$SG_KO" || fail "insmod after rmmod failed in round $round"
	slaguardctl watch add port 5201-5202 proto tcp action sample 100 > /dev/null ||
		fail "watch add failed after reload in round $round"
	sleep 2
done
stop_events

att ping -c 1 -W 2 "$VICTIM4" > /dev/null || fail "the namespaces cannot talk after the unloads"
dmesg > "$T/dmesg.txt"
bad=$(grep -E 'WARNING:|BUG:|Oops|general protection|refcount_t:' "$T/dmesg.txt" | head -n 3)
[ -z "$bad" ] || fail "kernel log after rmmod under load: $bad"
