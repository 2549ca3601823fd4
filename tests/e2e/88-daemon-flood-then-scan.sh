#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Never go blind: application events naming 70,000 distinct sources and a
# SYN flood from random spoofed sources come first; a real port scan that
# follows is still alerted and its source blocked within seconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

APP_SOCK=/run/slaguard/app.sock
N_APP=70000

setup_netns
load_module
require_evidence_any "$SLA_DEMO"
start_daemon "$SLA_DEMO"
wait_for 10 test -S "$APP_SOCK" || fail "no application socket at $APP_SOCK"

log "$N_APP application events, each from another source"
awk -v n="$N_APP" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "{\"component\":\"victim\",\"user\":\"u%d\",\"action\":\"read\",\"resource\":\"orders/%d\",\"source\":\"10.%d.%d.%d\"}\n",
			i % 97, i, int(i / 65536) + 100, int(i / 256) % 256, i % 256
}' > "$T/app.jsonl"
timeout 120 socat -u "OPEN:$T/app.jsonl" "UNIX-CONNECT:$APP_SOCK" ||
	fail "the application events could not be written to $APP_SOCK"

log "a SYN flood from random spoofed sources"
att timeout 30 hping3 -q -S -p 80 --rand-source -i u200 -c 20000 "$VICTIM4" > "$T/hping.txt" 2>&1

status=$(slaguardctl -j sla status)
log "after the floods: $(echo "$status" | jq -c '{app_events: .app_events, windows: .windows}')"

log "a real scan from $ATTACKER4"
start=$(date +%s)
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
wait_alert '.ref == "victim-portscan" and .source == "'"$ATTACKER4"'"' 20 > /dev/null ||
	fail "no alert for the real scan after the floods"
wait_element block4 "$ATTACKER4" 20 > /dev/null ||
	fail "the real attacker $ATTACKER4 was not blocked after the floods: $(elements block4 | head -n 5)"
log "the real attacker alerted and blocked $(( $(date +%s) - start )) s after its scan began"
