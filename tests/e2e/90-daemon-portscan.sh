#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd end to end, IPv4 and IPv6: an nmap scan from the attacker
# violates the SLA's portscan SLO (60 ports: few enough half-open
# handshakes to stay within the SYN SLO, so the scan SLO is the one acting) -> the daemon raises an alert naming the
# attacker -> a block4/block6 element with a comment naming the SLO and the
# alert id appears in the victim's `table inet slaguard` -> the attacker
# cannot connect to the victim any more -> after the block's 15 s the kernel
# removes the element and the attacker connects again. (The demo SLA blocks
# for 5 s; under a loaded TCG VM that can lapse before the first check.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 8080
connects "$VICTIM4" 8080 || fail "the attacker cannot reach the victim's port 8080 before any attack"
sed 's/for: 5s/for: 15s/' "$SLA_DEMO" > "$T/sla.yaml"
grep -q 'for: 15s' "$T/sla.yaml" || fail "the demo SLA has no 5 s block to lengthen"
require_evidence_any "$T/sla.yaml"
start_daemon "$T/sla.yaml"
# Alerts as they are raised, one JSON object per line.
bg follow slaguardctl -j alerts --follow
FOLLOW_PID=$BG_PID

# scan_and_block ATTACKER VICTIM NMAP-FLAGS
scan_and_block() {
	_att=$1 _vic=$2 _set=$(block_set "$1")
	log "nmap $3 -sS -p 1-22,24-60 $_vic (from $_att)"
	att timeout 120 nmap -n $3 -sS -p 1-22,24-60 -T4 --max-retries 0 "$_vic" > "$T/nmap-$_set.txt" 2>&1
	t_scan=$(date +%s)

	a=$(wait_alert '.ref == "victim-portscan" and .source == "'"$_att"'"' 20) ||
		fail "no victim-portscan alert for $_att within 20 s of the scan ($(alerts | wc -l) alerts)"
	log "alert: $a"
	echo "$a" | jq -e '.kind == "slo" and .severity == "high" and .component == "victim" and (.id | type) == "string" and (.summary | length) > 0' > /dev/null ||
		fail "the alert lacks kind slo, severity high, component victim, an id or a summary: $a"
	aid=$(echo "$a" | jq -r .id)
	echo "$a" | jq -e '(.actions | length) >= 1' > /dev/null || fail "alert $aid names no countermeasure: $a"

	el=$(wait_element "$_set" "$_att" 10) || fail "no $_set element for $_att within 10 s of alert $aid"
	log "element: $el"
	# First, while the 15 s block surely lasts: one connection attempt of 1 s.
	cannot_connect "$_vic" 8080 1 || fail "$_att still connects to $_vic:8080 while blocked ($el)"
	log "$_att is blocked"
	# The comment names the SLO and an alert about it (a later alert for the
	# same source may have refreshed the element).
	cm_alert=$(echo "$el" | jq -r .comment | sed -n 's/.*alert=\([^ ]*\).*/\1/p')
	echo "$el" | jq -e '.comment | contains("victim-portscan")' > /dev/null && [ -n "$cm_alert" ] ||
		fail "the $_set element's comment does not name victim-portscan and an alert: $el"
	[ -n "$(alerts | jq -c --arg id "$cm_alert" --arg s "$_att" \
		'select(.id == $id and .ref == "victim-portscan" and .source == $s)')" ] ||
		fail "the element's comment names alert $cm_alert, which is not a victim-portscan alert for $_att"
	echo "$el" | jq -e '.timeout != null and .timeout <= 15' > /dev/null ||
		fail "the $_set element has no timeout of at most the SLA's 15 s: $el"

	slaguardctl -j countermeasures > "$T/cms.json" || fail "slaguardctl countermeasures failed"
	jq -e --arg t "$_att" \
		'.countermeasures | map(select(.target == $t and .action == "block-source" and .ref == "victim-portscan" and (.id | type) == "string")) | length == 1' \
		"$T/cms.json" > /dev/null || fail "countermeasures list lacks exactly one block-source of $_att for victim-portscan: $(cat "$T/cms.json")"
	slaguardctl countermeasures

	# 15 s block: gone by the kernel's timeout, with slack for a slow VM.
	wait_for 25 not_in_set "$_set" "$_att" ||
		fail "the $_set element for $_att is still there $(( $(date +%s) - t_scan )) s after the scan"
	log "element gone $(( $(date +%s) - t_scan )) s after the scan"
	wait_for 10 connects "$_vic" 8080 || fail "$_att cannot connect to $_vic:8080 after the block expired"
	log "$_att connects again"
}

scan_and_block "$ATTACKER4" "$VICTIM4" ""
scan_and_block "$ATTACKER6" "$VICTIM6" "-6"

# Every alert was streamed to the follower, each line a complete object.
for id in $(alerts | jq -r .id); do
	[ -n "$(jq -c --arg id "$id" 'select(.id == $id)' "$T/follow.out")" ] ||
		fail "alerts --follow did not stream alert $id: $(head -c 600 "$T/follow.out")"
done
kill -0 "$FOLLOW_PID" 2>/dev/null || fail "alerts --follow exited: $(tail -n 3 "$T/follow.out")"
kill -TERM "$FOLLOW_PID"
wait "$FOLLOW_PID"
rc=$?
[ "$rc" = 0 ] || fail "alerts --follow exited $rc on SIGTERM, not 0"

slaguardctl sla status | tee "$T/status.txt" || fail "slaguardctl sla status failed"
slaguardctl -j sla status | jq -e '.ok and .sla == "demo" and (.slos | map(.id) | index("victim-portscan")) != null and .events.received > 0' > /dev/null ||
	fail "sla status does not show SLA demo, its victim-portscan SLO and received events: $(slaguardctl -j sla status)"
stop_daemon TERM
