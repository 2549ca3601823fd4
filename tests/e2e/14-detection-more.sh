#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# More rows of the detection matrix (README.md, "Detection matrix"):
# nmap with its defaults, a UDP scan, a SYN scan in IPv6 fragments, and a
# SYN flood from one forged source hidden among forged ACKs. Each row must
# raise its event at the victim, naming the destination.
. "$(dirname "$0")/lib.sh"

setup_netns
load_module
start_events "$T/events"
serve "$NS_V" 22
serve "$NS_V" 80
# a short hold-off: each row's scan reports although the last one did
sgctl threshold set holdoff 1000 > /dev/null

# probe BIT: a jq condition, the event's PROBES carry that bit.
probe() {
	echo '(((.probes // 0) / '"$1"' | floor) % 2 == 1)'
}
SYN=1 UDP=32

# row NAME FILTER: wait for the row's event, check it names the victim.
row() {
	ev=$(wait_event "$T/events" "$2 and $(at_victim) and (.seq | tonumber) > $LAST" 20) ||
		fail "$1: no event matching '$2' at the victim"
	echo "$ev" | jq -e '(.destination == "'"$VICTIM4"'" or .destination == "'"$VICTIM6"'")
		and .dport != null and (.value | tonumber) >= (.threshold | tonumber)' > /dev/null ||
		fail "$1: the event does not name the destination or is below its threshold: $ev"
	log "$1: $ev"
	LAST=$(echo "$ev" | jq -r .seq)
}
LAST=0

# nmap as root with no option: a SYN scan of the 1000 most common ports.
log "nmap $VICTIM4 (defaults)"
att timeout 120 nmap -n "$VICTIM4" > "$T/nmap.txt" 2>&1 ||
	fail "nmap failed: $(tail -n 3 "$T/nmap.txt")"
grep -q '^22/tcp *open' "$T/nmap.txt" || fail "nmap did not find the victim's open port 22"
row "nmap (defaults)" '.kind == "PORTSCAN" and .source == "'"$ATTACKER4"'" and .proto == "tcp" and '"$(probe $SYN)"

# A UDP scan. The victim answers closed ports with ICMP port unreachable,
# which Linux rate-limits to one a second: without the limit nmap finishes
# 100 ports in seconds rather than minutes.
sleep 3		# the previous row's probe kinds leave the window
vic sh -c 'echo 0 > /proc/sys/net/ipv4/icmp_ratelimit' || fail "cannot lift the victim's ICMP rate limit"
log "nmap -sU -p 1-100 -T4 $VICTIM4"
att timeout 120 nmap -n -sU -p 1-100 -T4 "$VICTIM4" > "$T/nmap.txt" 2>&1 ||
	fail "nmap -sU failed: $(tail -n 3 "$T/nmap.txt")"
grep -q 'closed' "$T/nmap.txt" || fail "nmap -sU found no closed port: $(tail -n 5 "$T/nmap.txt")"
row "nmap -sU" '.kind == "PORTSCAN" and .source == "'"$ATTACKER4"'" and .proto == "udp" and '"$(probe $UDP)"

# A SYN scan in IPv6 fragments. nmap refuses to fragment IPv6 ("fragmentation
# is not supported with IPv6"), so the attacker's kernel does it: a raw TCP
# socket (socat IP6-SENDTO, protocol 6, the kernel filling in the checksum
# at offset 16 via IPV6_CHECKSUM) sends one SYN per port carrying 1400 bytes
# of data, over a link of MTU 1280: each SYN leaves in two fragments.
PORTS6=100
sleep 3
att ip link set veth-a mtu 1280 || fail "cannot lower the attacker's MTU"
: > "$T/syns"
p=1
while [ $p -le $PORTS6 ]; do
	# sport 40000, dport p, seq 1, ack 0, data offset 5, SYN, window 1024
	printf "\\234\\100\\$(printf %03o $((p >> 8)))\\$(printf %03o $((p & 255)))\\000\\000\\000\\001\\000\\000\\000\\000\\120\\002\\004\\000\\000\\000\\000\\000" >> "$T/syns"
	head -c 1400 /dev/zero >> "$T/syns"
	p=$((p + 1))
done
[ "$(wc -c < "$T/syns")" -eq $((PORTS6 * 1420)) ] || fail "the SYN file is $(wc -c < "$T/syns") bytes"
# (netfilter's IPv6 defragmenter, which slaguard enables, does not count in
# Ip6ReasmOKs: count the fragments where they are made)
frag0=$(att awk '$1 == "Ip6FragCreates" { print $2 }' /proc/net/snmp6)
rst0=$(vic awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $15 }' /proc/net/snmp)
log "$PORTS6 SYNs of 1420 bytes in IPv6 fragments to $VICTIM6 ports 1-$PORTS6"
att socat -u -b 1420 "OPEN:$T/syns" "IP6-SENDTO:[$VICTIM6]:6,setsockopt-int=41:7:16" ||
	fail "socat could not send the fragmented SYNs"
row "IPv6 fragments" '.kind == "PORTSCAN" and .source == "'"$ATTACKER6"'" and .family == "inet6" and .proto == "tcp" and '"$(probe $SYN)"
frags=$(( $(att awk '$1 == "Ip6FragCreates" { print $2 }' /proc/net/snmp6) - frag0 ))
rst=$(( $(vic awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $15 }' /proc/net/snmp) - rst0 ))
log "the attacker sent $frags IPv6 fragments, the victim answered $rst RSTs"
[ "$frags" -ge $((PORTS6 * 2)) ] || fail "only $frags IPv6 fragments for $PORTS6 SYNs: were they fragmented?"
[ "$rst" -ge $((PORTS6 * 9 / 10)) ] || fail "only $rst RSTs: were the SYNs valid TCP?"
att ip link set veth-a mtu 1500

# A SYN flood from one forged address with forged ACKs from the same
# address: a handshake counts only when its ACK acknowledges the SYN-ACK
# this side sent, so the forged ACKs must neither complete handshakes nor
# hide the flood.
FORGED=10.77.0.98
sleep 3
log "hping3 -S --flood and hping3 -A --flood, both -a $FORGED -p 80, for 3 s"
att timeout -s INT 3 hping3 -A --flood -a "$FORGED" -p 80 "$VICTIM4" > /dev/null 2>&1 &
acks=$!
att timeout -s INT 3 hping3 -S --flood -a "$FORGED" -p 80 "$VICTIM4" > /dev/null 2>&1
wait $acks
row "hping3 -S with forged ACKs" '.kind == "SYN_FLOOD" and .source == "'"$FORGED"'"'
echo "$ev" | jq -e '(.handshakes | tonumber) == 0 and .proto == "tcp" and .dport == 80' > /dev/null ||
	fail "forged ACKs completed handshakes or the event names no port 80: $ev"
expect_gapless "$T/events"
