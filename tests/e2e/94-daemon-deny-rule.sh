#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The SLA's deny rule no-telnet: a connection attempt to the victim's port
# 23 (IPv4 and IPv6) is a rule violation alert naming the attacker.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
start_daemon "$SLA_DEMO"

# The watches the daemon derived from the rule are in the victim's netns.
ip netns exec "$NS_V" slaguardctl watch list | tee "$T/watches.txt"
grep -q 23 "$T/watches.txt" || fail "slaguardd set no module watch for port 23 in netns $NS_V"

for pair in "$ATTACKER4 TCP:$VICTIM4:23" "$ATTACKER6 TCP6:[$VICTIM6]:23"; do
	src=${pair% *} target=${pair#* }
	log "connect to $target from $src"
	att timeout 10 socat -u OPEN:/dev/null "$target,connect-timeout=3" 2>/dev/null
	a=$(wait_alert '.kind == "rule" and .ref == "no-telnet" and .source == "'"$src"'"' 20) ||
		fail "no no-telnet rule alert for $src within 20 s ($(alerts | jq -c '[.kind, .ref, .source]' | tr '\n' ' '))"
	log "alert: $a"
	echo "$a" | jq -e '.severity == "high" and .component == "victim"' > /dev/null ||
		fail "the no-telnet alert is not severity high for component victim: $a"
done
