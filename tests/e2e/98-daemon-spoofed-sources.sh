#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Spoofed evidence must not make the daemon block what has to stay
# reachable. Port scans whose source is forged - the cloud metadata address,
# the resolver in use, a gateway of the victim in a table of its own, and
# 0.0.0.0 - are reported, and every block of them is refused (the refusal
# is recorded on the alert); nothing of theirs reaches the block sets. A
# real scan from the attacker's own address is still blocked.
#
# Evidence policy: the demo SLA blocks with "evidence: any" (an nmap SYN
# scan never completes a handshake), so here the lockout guard is what
# refuses the forged sources. Under the default, evidence: handshake, every
# block of these scans is refused before the guard is even asked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

RESOLVER=10.77.0.53
GATEWAY=10.77.0.253

setup_netns
load_module
serve "$NS_V" 8080

# The victim's resolver and a gateway outside the main table: both must be
# protected as the host sees them (resolv.conf, rtnetlink of every table).
[ -e /etc/resolv.conf ] && cp /etc/resolv.conf "$T/resolv.conf.orig"
printf 'nameserver %s\n' "$RESOLVER" > /etc/resolv.conf
restore_resolv() {
	if [ -e "$T/resolv.conf.orig" ]; then
		cp "$T/resolv.conf.orig" /etc/resolv.conf
	else
		rm -f /etc/resolv.conf
	fi
}
trap 'restore_resolv; cleanup' EXIT
vic ip route add 198.51.100.0/24 via "$GATEWAY" table 100 ||
	fail "cannot add a route via $GATEWAY in table 100"

require_evidence_any "$SLA_DEMO"
start_daemon "$SLA_DEMO"

# scan_from SRC: 40 SYNs to distinct ports of the victim with source SRC.
scan_from() {
	att timeout 30 hping3 -q -S -a "$1" -p ++2000 -c 40 -i u3000 "$VICTIM4" \
		> "$T/hping.$1.txt" 2>&1
}

for src in 169.254.169.254 "$RESOLVER" "$GATEWAY"; do
	log "a port scan forged from $src"
	scan_from "$src"
	a=$(wait_alert '.ref == "victim-portscan" and .source == "'"$src"'"' 20) ||
		fail "no alert for the scan forged from $src: it must be reported"
	echo "$a" | jq -e '[.evidence.responses[]? | select(.action == "block-source")]
			   | length > 0 and all(.result == "refused")' > /dev/null ||
		fail "the block of $src was not refused on the alert: $a"
	log "reported, block refused: $(echo "$a" | jq -c '[.evidence.responses[]?.detail]')"
done

# 0.0.0.0 (a DHCP client's source): the module may not even report it, but
# nothing may ever block it.
log "a port scan forged from 0.0.0.0"
scan_from 0.0.0.0
sleep 3
for src in 169.254.169.254 "$RESOLVER" "$GATEWAY" 0.0.0.0; do
	[ -z "$(element block4 "$src")" ] ||
		fail "$src is in block4: $(elements block4)"
done
[ -z "$(elements block4_net)" ] ||
	fail "a prefix is blocked: $(elements block4_net)"

log "a real scan from $ATTACKER4"
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
wait_element block4 "$ATTACKER4" 20 > /dev/null ||
	fail "the real attacker $ATTACKER4 was not blocked: $(elements block4)"
log "forged sources reported and never blocked; the real attacker blocked"
