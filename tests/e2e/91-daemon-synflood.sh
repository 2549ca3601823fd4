#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd end to end: an hping3 SYN flood from the attacker violates the
# SLA's half-open SLO -> alert -> block4 element with its comment -> the
# attacker cannot connect -> the element expires -> it connects again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 80
serve "$NS_V" 8080
# A 15 s block: the flood leaves the VM busy, 5 s would be gone before
# the checks below are done.
BLOCK_S=15
sed "s|^    for: 5s|    for: ${BLOCK_S}s|" "$SLA_DEMO" > "$T/sla.yaml"
grep -q "for: ${BLOCK_S}s" "$T/sla.yaml" || fail "could not set a ${BLOCK_S} s block in $SLA_DEMO"
require_evidence_any "$T/sla.yaml"
start_daemon "$T/sla.yaml"

log "hping3 -S --flood -p 80 $VICTIM4 for 3 s"
att timeout -s INT 3 hping3 -S --flood -p 80 "$VICTIM4" > "$T/hping3.txt" 2>&1
t_flood=$(date +%s)

a=$(wait_alert '.ref == "victim-syn-flood" and .source == "'"$ATTACKER4"'"' 20) ||
	fail "no victim-syn-flood alert for $ATTACKER4 within 20 s of the flood ($(alerts | jq -c '[.ref, .source]' | sort -u | tr '\n' ' '))"
log "alert: $a"
aid=$(echo "$a" | jq -r .id)
echo "$a" | jq -e '.kind == "slo" and (.actions | length) >= 1' > /dev/null ||
	fail "the flood alert is not an SLO alert with a countermeasure: $a"

el=$(wait_element block4 "$ATTACKER4" 10) || fail "no block4 element for $ATTACKER4 within 10 s of alert $aid"
log "element: $el"
cm_alert=$(echo "$el" | jq -r .comment | sed -n 's/.*alert=\([^ ]*\).*/\1/p')
echo "$el" | jq -e '.comment | contains("victim-syn-flood")' > /dev/null && [ -n "$cm_alert" ] ||
	fail "the block4 element's comment does not name victim-syn-flood and an alert: $el"
[ -n "$(alerts | jq -c --arg id "$cm_alert" 'select(.id == $id and .ref == "victim-syn-flood")')" ] ||
	fail "the element's comment names alert $cm_alert, which is not a victim-syn-flood alert"
cannot_connect "$VICTIM4" 8080 || fail "$ATTACKER4 still connects while blocked"

# De-duplication: at most one alert per (SLO, source) and hold-off (the
# demo SLA's 2 s), however many events the flood causes. A count bound
# would depend on how long a slow VM takes to end the flood; the spacing
# does not.
alerts | jq -s -c --arg s "$ATTACKER4" '[.[] | select(.ref == "victim-syn-flood" and .source == $s)
	| ((.time | sub("\\.[0-9]+Z$"; "Z") | fromdate) * 1000 + (.time[20:23] | tonumber))]' > "$T/times.json"
n=$(jq length "$T/times.json")
gap=$(jq '[range(1; length) as $i | .[$i] - .[$i - 1]] | min // 999999' "$T/times.json")
log "$n victim-syn-flood alert(s) for the flood, closest two ${gap} ms apart"
[ "$n" -ge 1 ] && [ "$gap" -ge 1900 ] ||
	fail "victim-syn-flood alerts only ${gap} ms apart (hold-off 2 s): alerts are not de-duplicated"

wait_for $((BLOCK_S + 10)) not_in_set block4 "$ATTACKER4" ||
	fail "the block4 element is still there $(( $(date +%s) - t_flood )) s after the flood"
wait_for 10 connects "$VICTIM4" 8080 || fail "$ATTACKER4 cannot connect after the block expired"
log "block expired after about $(( $(date +%s) - t_flood )) s; $ATTACKER4 connects again"
