#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An allowlisted attacker that scans the victim is reported (alert) but
# never blocked: no element in the block sets, it still connects.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 8080

sed "s|^allowlist:.*|allowlist: [$ATTACKER4, $ATTACKER6]|" "$SLA_DEMO" > "$T/allowlisted.yaml"
grep -q "^allowlist: \[$ATTACKER4, $ATTACKER6\]" "$T/allowlisted.yaml" ||
	fail "could not put the attacker on the allowlist of $SLA_DEMO"
slaguardctl sla check "$T/allowlisted.yaml" || fail "the allowlisted SLA does not validate"
start_daemon "$T/allowlisted.yaml"

log "nmap -sS -p 1-22,24-60 $VICTIM4 from the allowlisted $ATTACKER4"
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1

a=$(wait_alert '.ref == "victim-portscan" and .source == "'"$ATTACKER4"'"' 20) ||
	fail "no alert for the allowlisted attacker's scan: allowlisted sources must still be reported"
log "alert: $a"
echo "$a" | jq -e '(.actions // []) | length == 0' > /dev/null ||
	fail "the alert for an allowlisted source lists countermeasures: $a"

sleep 3
[ -z "$(elements block4)$(elements block6)" ] ||
	fail "block elements for an allowlisted source: $(elements block4) $(elements block6)"
slaguardctl -j countermeasures | jq -e '.countermeasures | length == 0' > /dev/null ||
	fail "active countermeasures against an allowlisted source: $(slaguardctl -j countermeasures)"
connects "$VICTIM4" 8080 || fail "the allowlisted attacker cannot connect"
log "alerted, not blocked"
