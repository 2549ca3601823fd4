#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd's Prometheus endpoint with the real module: the daemon runs with
# --metrics in the victim's namespace; once the module answers, the page
# carries the module's own counters (GET_STATS); an nmap scan from the
# attacker shows up as the portscan SLO violated, a high SLO alert counted,
# module events received and a block-source countermeasure in force -
# the same things `slaguardctl sla status` and `countermeasures` say.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 8080
# The demo SLA blocks for 5 s; 30 s outlasts a slow VM's checks.
sed 's/for: 5s/for: 30s/' "$SLA_DEMO" > "$T/sla.yaml"
SLAGUARDD_EXTRA=--metrics start_daemon "$T/sla.yaml"

# The page's body (socat: the image's busybox wget is static and cannot
# resolve even a numeric address).
page() {
	printf 'GET /metrics HTTP/1.0\r\n\r\n' | in_daemon_ns socat -t 5 - TCP:127.0.0.1:9477 |
		tr -d '\r' | sed '1,/^$/d'
}
# value NAME{LABELS}: the sample's value on the page, empty if absent.
value() { page | awk -v n="$1" '$1 == n { print $2 }'; }
at_least() { _v=$(value "$1"); [ -n "$_v" ] && awk -v v="$_v" -v m="$2" 'BEGIN { exit !(v >= m) }'; }

grep -q 'metrics: http://127.0.0.1:9477/metrics' "$DAEMON_LOG" ||
	fail "slaguardd does not say where it serves metrics: $(tail -n 5 "$DAEMON_LOG")"
wait_for 10 at_least slaguard_module_connected 1 ||
	fail "the page does not say the module is connected: $(page | grep -v '^#' | head -n 40)"
# Counters are pulled every second once the module answers.
wait_for 10 at_least 'slaguard_kernel_packets_total{hook="prerouting"}' 1 ||
	fail "no module packet counters on the page: $(page | grep kernel_)"
at_least slaguard_kernel_sources_capacity 1 || fail "no source table capacity on the page"
log "$(page | grep '^slaguard_kernel_' | tr '\n' ' ')"

log "nmap -sS -p 1-22,24-60 $VICTIM4 (from $ATTACKER4)"
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
a=$(wait_alert '.ref == "victim-portscan" and .source == "'"$ATTACKER4"'"' 20) ||
	fail "no victim-portscan alert for $ATTACKER4 within 20 s of the scan"
log "alert: $a"
at_least 'slaguard_alerts_total{severity="high",kind="slo"}' 1 ||
	fail "the page counts no high SLO alert: $(page | grep alerts_total)"
at_least 'slaguard_slo_state{slo="victim-portscan",state="violated"}' 1 ||
	fail "the page does not show victim-portscan violated: $(page | grep 'slo_state{slo="victim-portscan"')"
at_least 'slaguard_events_received_total{origin="module"}' 1 ||
	fail "the page counts no module events"
at_least 'slaguard_countermeasures_active{action="block-source"}' 1 ||
	fail "the page shows no block-source in force: $(page | grep countermeasures_active); list: $(slaguardctl -j countermeasures)"
at_least 'slaguard_kernel_events_sent_total' 1 || fail "the module's sent-events counter is 0"
[ "$(value slaguard_events_lost_total)" = "$(slaguardctl -j sla status | jq .events.lost)" ] ||
	fail "lost events on the page ($(value slaguard_events_lost_total)) differ from sla status"
page | grep -v '^#' | grep -e slo_state -e alerts_total -e countermeasures_active | grep -v ' 0$'
stop_daemon TERM
