#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An nmap SYN scan in 8-byte IP fragments (nmap -f) is reported like an
# unfragmented one: slaguard's hooks run after defragmentation, so they see
# every probe whole. Before, the first fragment's cut TCP header made each
# probe "malformed" and the scan invisible. (nmap cannot fragment IPv6, and
# nothing in the image crafts IPv6 fragments: KUnit checks that the IPv6
# hooks sit after IPv6 defragmentation too.)
. "$(dirname "$0")/lib.sh"

setup_netns
load_module
start_events "$T/events"
serve "$NS_V" 22

log "nmap -f -sS -p 1-1000 $VICTIM4"
att timeout 120 nmap -n -f -sS -p 1-1000 -T4 "$VICTIM4" > "$T/nmap.txt" 2>&1 ||
	fail "nmap failed: $(tail -n 3 "$T/nmap.txt")"
grep -q '^22/tcp *open' "$T/nmap.txt" || fail "nmap -f did not find the victim's open port 22"

ev=$(wait_event "$T/events" '.kind == "PORTSCAN" and .source == "'"$ATTACKER4"'" and '"$(at_victim)") ||
	fail "no PORTSCAN event from $ATTACKER4 for a fragmented scan (malformed: $(stat_get malformed))"
log "event: $ev"
echo "$ev" | jq -e '(.value | tonumber) >= (.threshold | tonumber)' > /dev/null ||
	fail "PORTSCAN value below its threshold: $ev"
reasm=$(vic awk '$1 == "Ip:" && $2 ~ /^[0-9]/ { print $16 }' /proc/net/snmp)
log "the victim reassembled $reasm IPv4 packets"
[ "${reasm:-0}" -ge 1000 ] 2>/dev/null || fail "only '$reasm' IPv4 packets reassembled: did nmap -f fragment?"

n=$(event_count "$T/events" '.kind == "PORTSCAN"')
log "$n PORTSCAN event(s) for one fragmented scan, malformed packets: $(stat_get malformed)"
[ "$n" -le 10 ] || fail "$n PORTSCAN events for one scan: the hold-off does not hold"
expect_gapless "$T/events"
