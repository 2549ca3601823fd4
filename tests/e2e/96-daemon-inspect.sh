#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# NFQUEUE inspection, IPv4 and IPv6. The SLA sends whoever tries telnet to
# inspection (inspect4/inspect6 -> `queue num 100 bypass`) and has a payload
# rule no-admin: nobody may send "GET /admin" to the victim's port 8080.
#
#   before inspection   "GET /admin" gets through: only inspected sources
#                       reach the queue
#   telnet attempt      -> no-telnet alert -> attacker in inspect4/6
#   under inspection    an ordinary request gets its "ok"; "GET /admin" is
#                       dropped (no reply) with a no-admin alert naming the
#                       attacker and verdict "drop"
#   slaguardd killed    the element stays, but nothing reads queue 100:
#                       `bypass` accepts, "GET /admin" gets through (fail-open)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
serve "$NS_V" 8080
cat > "$T/sla.yaml" <<'SLA'
sla: inspect
components:
  victim: { addresses: [10.77.0.1, fd77::1], ports: [8080] }
rules:
  - { id: no-telnet, deny: { to: victim, port: 23, proto: tcp }, severity: high }
  - { id: no-admin, deny: { to: victim, port: 8080, proto: tcp, payload: "GET /admin" }, severity: high }
countermeasures:
  - { when: { rule: no-telnet }, do: inspect, for: 2m }
  - { when: { rule: no-admin }, do: notify }
allowlist: [10.77.0.254]
defaults: { holdoff: 2s, window: 10s, max_actions: 100 }
SLA

# request ADDR TEXT: the victim's answer to one line TEXT on port 8080.
request() {
	case $1 in *:*) _t="TCP6:[$1]:8080" ;; *) _t="TCP:$1:8080" ;; esac
	printf '%s\n' "$2" | att timeout 8 socat -T 4 - "$_t,connect-timeout=3" 2>/dev/null
}

inspect_set() {
	case $1 in *:*) echo inspect6 ;; *) echo inspect4 ;; esac
}

start_daemon "$T/sla.yaml"
wait_for 10 grep -q "inspection: reading NFQUEUE 100" "$DAEMON_LOG" ||
	fail "slaguardd does not read NFQUEUE 100: $(grep -i 'inspect\|nfqueue' "$DAEMON_LOG" | tail -n 3)"
vic nft list chain inet slaguard inspect | tee "$T/inspect-chain.txt"
grep -q "queue.*100.*bypass\|queue flags bypass to 100" "$T/inspect-chain.txt" ||
	fail "the inspect chain has no 'queue num 100 bypass' rule: $(cat "$T/inspect-chain.txt")"

for pair in "$ATTACKER4 $VICTIM4" "$ATTACKER6 $VICTIM6"; do
	src=${pair% *} dst=${pair#* } set=$(inspect_set "$src")
	r=$(request "$dst" "GET /admin HTTP/1.0")
	[ "$r" = ok ] || fail "$src is not under inspection yet, but 'GET /admin' to $dst got no reply ($r)"
	log "$src -> $dst: GET /admin passes before inspection"

	log "telnet attempt from $src"
	case $dst in *:*) tt="TCP6:[$dst]:23" ;; *) tt="TCP:$dst:23" ;; esac
	att timeout 10 socat -u OPEN:/dev/null "$tt,connect-timeout=3" 2>/dev/null
	a=$(wait_alert '.ref == "no-telnet" and .source == "'"$src"'"' 20) ||
		fail "no no-telnet alert for $src within 20 s"
	el=$(wait_element "$set" "$src" 10) || fail "no $set element for $src after alert $a"
	log "under inspection: $el"

	r=$(request "$dst" "GET /index.html HTTP/1.0")
	[ "$r" = ok ] || fail "$src is inspected and an ordinary request to $dst got no 'ok' ($r)"
	log "$src -> $dst: ordinary request answered under inspection"
	r=$(request "$dst" "GET /admin HTTP/1.0")
	[ -z "$r" ] || fail "$src is inspected and 'GET /admin' to $dst was still answered ($r)"
	a=$(wait_alert '.ref == "no-admin" and .source == "'"$src"'"' 20) ||
		fail "no no-admin alert for $src within 20 s ($(alerts | jq -c '[.kind, .ref, .source]' | tr '\n' ' '))"
	log "alert: $a"
	echo "$a" | jq -e '.kind == "rule" and .severity == "high" and .component == "victim" and .evidence.verdict == "drop" and .evidence.payload_pattern == "get /admin"' > /dev/null ||
		fail "the no-admin alert lacks kind rule, severity high, component victim, verdict drop or the pattern: $a"
done
vic nft list chain inet slaguard inspect | tee "$T/inspect-chain.txt"
pkts=$(sed -n 's/.*counter packets \([0-9]*\).*queue.*/\1/p' "$T/inspect-chain.txt" | head -n 1)
[ "${pkts:-0}" -gt 0 ] || fail "the queue rule counted no packets: $(cat "$T/inspect-chain.txt")"

# Fail-open: with the daemon gone the element stays and nothing reads the
# queue; `bypass` accepts the forbidden payload.
stop_daemon KILL
in_set inspect4 "$ATTACKER4" || fail "the inspect4 element for $ATTACKER4 went away with the daemon"
for dst in "$VICTIM4" "$VICTIM6"; do
	r=$(request "$dst" "GET /admin HTTP/1.0")
	[ "$r" = ok ] || fail "slaguardd is gone and 'GET /admin' to $dst still gets no reply ($r): not fail-open"
done
log "slaguardd killed: inspected traffic flows (bypass)"
