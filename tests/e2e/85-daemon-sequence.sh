#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A sequence rule over real traffic: a connection to port 5432 alone is only
# its deny rule's alert, a port scan alone is no sequence; a scan and then a
# connection to 5432 from the same source is, and the sequence rule's
# countermeasure blocks that source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
cat > "$T/sequence.yaml" <<YAML
sla: sequence
components:
  victim: { addresses: [$VICTIM4, "$VICTIM6"], ports: [22, 80, 8080] }
rules:
  - { id: no-db, deny: { to: victim, port: 5432, proto: tcp }, severity: medium }
  - id: scan-then-db
    sequence:
      - { event: net.portscan }
      - { to: victim, port: 5432, proto: tcp }
    same: source
    within: 60s
    severity: critical
slos:
  - { id: victim-portscan, metric: net.portscan_ports, per: source, component: victim, max: 20, window: 10s, severity: low }
countermeasures:
  - { when: { rule: scan-then-db }, do: block-source, for: 30s }
defaults: { holdoff: 2s }
YAML
start_daemon "$T/sequence.yaml"
seq_status() { slaguardctl -j sla status | jq -c '.sequences[0]'; }

log "a connection to [$VICTIM6]:5432 without a scan"
att timeout 10 socat -u OPEN:/dev/null "TCP6:[$VICTIM6]:5432,connect-timeout=3" 2>/dev/null
wait_alert '.ref == "no-db" and .source == "'"$ATTACKER6"'"' 20 > /dev/null ||
	fail "no no-db alert for the connection from $ATTACKER6"

log "a port scan from $ATTACKER4, no connection to 5432"
att timeout 120 nmap -n -sS -p 1-1000 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
wait_for 20 sh -c "slaguardctl -j sla status | jq -e '.sequences[0].keys >= 1' > /dev/null" ||
	fail "the scan did not start the sequence: $(seq_status)"
sleep 1
n=$(alerts | jq -c 'select(.ref == "scan-then-db")' | wc -l)
[ "$n" = 0 ] || fail "the sequence fired on a single event: $(alerts | jq -c 'select(.ref == "scan-then-db")')"
not_in_set block4 "$ATTACKER4" || fail "$ATTACKER4 blocked after its scan alone"
not_in_set block6 "$ATTACKER6" || fail "$ATTACKER6 blocked after its connection alone"

log "then a connection to $VICTIM4:5432 from the scanner"
att timeout 10 socat -u OPEN:/dev/null "TCP:$VICTIM4:5432,connect-timeout=3" 2>/dev/null
a=$(wait_alert '.ref == "scan-then-db"' 20) ||
	fail "no scan-then-db alert after scan and connection ($(alerts | jq -c '[.kind, .ref, .source]' | tr '\n' ' '))"
log "alert: $a"
echo "$a" | jq -e '.kind == "rule" and .severity == "critical" and .source == "'"$ATTACKER4"'" and (.evidence.sequence | length) == 2 and .evidence.sequence[0].event == "net.portscan"' > /dev/null ||
	fail "the sequence alert does not name the scanner with the two steps: $a"
wait_element block4 "$ATTACKER4" 10 > /dev/null ||
	fail "the scanner $ATTACKER4 was not blocked by the sequence rule's countermeasure"
not_in_set block6 "$ATTACKER6" || fail "$ATTACKER6 (connection only) blocked"
log "sequences: $(seq_status)"
seq_status | jq -e '.fired == 1 and .evicted == 0' > /dev/null || fail "status: $(seq_status)"
