#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Countermeasures do not depend on the daemon: after `kill -9 slaguardd` a
# block stays and still expires on time (the set element's kernel timeout).
# A daemon restarted while a block is active adopts it: one element, listed
# once, expiring when it was due.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

BLOCK_S=12
setup_netns
load_module
serve "$NS_V" 8080
sed "s|^    for: 5s|    for: ${BLOCK_S}s|" "$SLA_DEMO" > "$T/sla.yaml"
grep -q "for: ${BLOCK_S}s" "$T/sla.yaml" || fail "could not set a ${BLOCK_S} s block in $SLA_DEMO"
require_evidence_any "$T/sla.yaml"

scan() {
	log "nmap -sS -p 1-22,24-60 $VICTIM4"
	att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
	wait_for 20 in_set block4 "$ATTACKER4" || fail "no block4 element for $ATTACKER4 within 20 s of the scan"
	t_block=$(date +%s)
	log "blocked: $(element block4 "$ATTACKER4")"
}

# 1. kill -9: the block outlives the daemon and expires on time.
start_daemon "$T/sla.yaml"
scan
stop_daemon KILL
log "slaguardd killed with SIGKILL"
in_set block4 "$ATTACKER4" || fail "the block vanished with the daemon"
cannot_connect "$VICTIM4" 8080 || fail "$ATTACKER4 connects while blocked, daemon dead"
wait_for $((BLOCK_S + 8)) not_in_set block4 "$ATTACKER4" ||
	fail "the block is still there $(( $(date +%s) - t_block )) s after it was set, for ${BLOCK_S} s"
el=$(( $(date +%s) - t_block ))
[ "$el" -ge $((BLOCK_S - 3)) ] || fail "the block ended after $el s, long before its ${BLOCK_S} s"
log "block expired $el s after it was set, with no daemon"
wait_for 10 connects "$VICTIM4" 8080 || fail "$ATTACKER4 cannot connect after the block expired"

# 2. restart during a block: the daemon adopts it, no duplicate.
start_daemon "$T/sla.yaml"
scan
stop_daemon KILL
exp_before=$(element block4 "$ATTACKER4" | jq -r '.expires // empty')
start_daemon "$T/sla.yaml"
n=$(elements block4 | jq -c "select(.addr == \"$ATTACKER4\")" | wc -l)
[ "$n" = 1 ] || fail "$n block4 elements for $ATTACKER4 after the restart"
el=$(element block4 "$ATTACKER4")
log "after restart: $el (expires was ${exp_before:-?} s before)"
echo "$el" | jq -e '.comment | startswith("slaguard ")' > /dev/null ||
	fail "the element lost its slaguard comment on restart: $el"
exp_after=$(echo "$el" | jq -r '.expires // empty')
if [ -n "$exp_before" ] && [ -n "$exp_after" ]; then
	[ "$exp_after" -le "$exp_before" ] ||
		fail "the restart extended the block: expires $exp_before s -> $exp_after s"
fi
slaguardctl -j countermeasures > "$T/cms.json" || fail "countermeasures list failed after the restart"
c=$(jq --arg t "$ATTACKER4" '[.countermeasures[] | select(.target == $t)] | length' "$T/cms.json")
[ "$c" -le 1 ] || fail "$c countermeasures listed for $ATTACKER4 after the restart: $(cat "$T/cms.json")"
log "$c countermeasure(s) listed for $ATTACKER4 after the restart (adopted)"
slaguardctl countermeasures
wait_for $((BLOCK_S + 8)) not_in_set block4 "$ATTACKER4" ||
	fail "the adopted block is still there $(( $(date +%s) - t_block )) s after it was set"
wait_for 10 connects "$VICTIM4" 8080 || fail "$ATTACKER4 cannot connect after the adopted block expired"
stop_daemon TERM
