#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The detection matrix: standard scans and floods, one row each, and the
# event each must raise at the victim (README.md, "Detection matrix").
# Every detector event names the local destination, the probe kinds seen
# and how many handshakes its source completed: a source that really
# connected carries HANDSHAKES >= 1, a forged one 0. A flood from random
# forged sources is seen per destination (DST_HALF_OPEN), naming it.
. "$(dirname "$0")/lib.sh"

setup_netns
load_module
start_events "$T/events"
serve "$NS_V" 22
# a short hold-off: each row's scan reports although the last one did
sgctl threshold set holdoff 1000 > /dev/null

# probe BIT: a jq condition, the event's PROBES carry that bit.
probe() {
	echo '(((.probes // 0) / '"$1"' | floor) % 2 == 1)'
}
SYN=1 FIN=2 NULL=4 XMAS=8 ACK=16 SCTP=64
DST='.destination == "'"$VICTIM4"'" and .dport != null'

# row NAME FILTER: wait for the row's event, check it names the victim.
row() {
	ev=$(wait_event "$T/events" "$2 and $(at_victim)" 20) ||
		fail "$1: no event matching '$2' at the victim"
	echo "$ev" | jq -e "$DST" > /dev/null ||
		fail "$1: the event does not name the destination: $ev"
	log "$1: $ev"
}

# nmap_row NAME PROBE-BIT NMAP-ARGS...: a scan from the attacker.
nmap_row() {
	_name=$1 _bit=$2
	shift 2
	sleep 3		# the previous row's probe kinds leave the window
	log "nmap $*"
	att timeout 120 nmap -n "$@" -T4 "$VICTIM4" > "$T/nmap.txt" 2>&1 ||
		fail "$_name: nmap failed: $(tail -n 3 "$T/nmap.txt")"
	row "$_name" '.kind == "PORTSCAN" and .source == "'"$ATTACKER4"'" and '"$(probe "$_bit")"' and (.seq | tonumber) > '"$LAST"
	LAST=$(echo "$ev" | jq -r .seq)
}
LAST=0

# A real client first: its later events carry its handshakes.
for i in 1 2 3; do
	att socat -T 2 - "TCP:$VICTIM4:22" < /dev/null > /dev/null 2>&1 ||
		fail "cannot connect to $VICTIM4:22"
done
nmap_row "nmap -sS" $SYN -sS -p 1-1000
echo "$ev" | jq -e '(.handshakes | tonumber) >= 3 and .proto == "tcp"' > /dev/null ||
	fail "nmap -sS from a client that connected 3 times: HANDSHAKES should be >= 3: $ev"
nmap_row "nmap -sF" $FIN -sF -p 1-300
nmap_row "nmap -sN" $NULL -sN -p 1-300
nmap_row "nmap -sX" $XMAS -sX -p 1-300
nmap_row "nmap -sY" $SCTP -sY -p 1-300
# An ACK scan needs conntrack's view: a rule using it makes it run here.
vic nft -f - <<-EOF || fail "cannot add a conntrack rule in the victim"
	table inet det {
		chain in {
			type filter hook input priority 0;
			ct state invalid counter
		}
	}
EOF
nmap_row "nmap -sA" $ACK -sA -p 1-300

# A SYN flood from one forged address: SYN_FLOOD, no handshake completed.
FORGED=10.77.0.99
log "hping3 -S --flood -a $FORGED -p 80 for 3 s"
att timeout -s INT 3 hping3 -S --flood -a "$FORGED" -p 80 "$VICTIM4" > /dev/null 2>&1
row "hping3 -S --flood -a" '.kind == "SYN_FLOOD" and .source == "'"$FORGED"'"'
echo "$ev" | jq -e '(.handshakes | tonumber) == 0' > /dev/null ||
	fail "a forged source's SYN_FLOOD carries handshakes: $ev"

# From random forged sources: no source stands out; the destination does.
log "hping3 -S --flood --rand-source -p 8080 for 3 s"
att timeout -s INT 3 hping3 -S --flood --rand-source -p 8080 "$VICTIM4" > /dev/null 2>&1
row "hping3 --rand-source" '.kind == "DST_HALF_OPEN" and .dport == 8080'
echo "$ev" | jq -e '.source == null and .proto == "tcp" and
	(.value | tonumber) >= (.threshold | tonumber)' > /dev/null ||
	fail "DST_HALF_OPEN must name no source and reach its threshold: $ev"

# A slow scan (nmap -T2, a probe every 0.4 s) from an address of its own:
# never a PORTSCAN, a SLOW_PORTSCAN once it has probed slow-ports ports.
SLOW=10.77.0.3
att ip addr add "$SLOW/24" dev veth-a
sgctl threshold set slow-ports 30 slow-window 60000 > /dev/null
log "nmap -sS -T2 -p 1-45 -S $SLOW"
att timeout 120 nmap -n -sS -T2 -p 1-45 -e veth-a -S "$SLOW" "$VICTIM4" > "$T/nmap.txt" 2>&1 ||
	fail "nmap -T2 failed: $(tail -n 3 "$T/nmap.txt")"
row "nmap -sS -T2" '.kind == "SLOW_PORTSCAN" and .source == "'"$SLOW"'"'
expect_no_event "$T/events" '.kind == "PORTSCAN" and .source == "'"$SLOW"'"'
expect_gapless "$T/events"
