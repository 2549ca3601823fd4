#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Trust only authorised reporters. Uid 1000 (in the app socket's group)
# may report for the victim but not name a source: its event naming the
# attacker as the source of a forbidden read is refused with a reason and
# blocks nothing. With 100 idle connections of its own it cannot lock out
# another reporter: root's event is still taken and acted on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

APP_SOCK=/run/slaguard/app.sock

setup_netns
load_module

cat > "$T/reporters.yaml" <<YAML
sla: reporters
components:
  victim: { addresses: [$VICTIM4], ports: [8080] }
rules:
  - { id: no-cards, deny: { user: shop-web, read: "cards/*", component: victim }, severity: critical }
slos:
  - { id: db-access, metric: app.access_violations, component: victim, max: 0, window: 1m, severity: critical }
# An application finding: the application names the source, so no
# handshake evidence is asked for (that rule is for network detectors).
countermeasures:
  - { when: { slo: db-access }, do: block-source, for: 1m }
reporters:
  - { user: 1000, components: [victim], source: false }
defaults: { holdoff: 1s, app_group: 1000 }
YAML
slaguardctl sla check "$T/reporters.yaml" > /dev/null || fail "the reporters SLA does not validate"
start_daemon "$T/reporters.yaml"
wait_for 10 test -S "$APP_SOCK" || fail "no application socket at $APP_SOCK"

as_1000() { setpriv --reuid 1000 --regid 1000 --clear-groups "$@"; }
event() {
	printf '{"component":"victim","user":"shop-web","action":"read","resource":"cards/%s","source":"%s"}\n' "$1" "$2"
}

log "uid 1000 names $ATTACKER4 as the source of a forbidden read"
reply=$(event 1 "$ATTACKER4" | as_1000 socat -t 2 - "UNIX-CONNECT:$APP_SOCK") ||
	fail "uid 1000 (group 1000) could not connect to $APP_SOCK"
log "reply: $reply"
echo "$reply" | jq -e '.ok == false and (.error | test("may not name a source"))' > /dev/null ||
	fail "the unauthorised event was not refused with a reason: '$reply'"
sleep 2
[ -z "$(elements block4)" ] || fail "an unauthorised reporter got an address blocked: $(elements block4)"
slaguardctl -j sla status | jq -e '.app_socket.refused_events >= 1' > /dev/null ||
	fail "the refusal is not counted: $(slaguardctl -j sla status | jq -c .app_socket)"

log "uid 1000 holds 100 idle connections"
i=0
while [ $i -lt 100 ]; do
	as_1000 socat -u "EXEC:sleep 60" "UNIX-CONNECT:$APP_SOCK" > /dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	i=$((i + 1))
done
sleep 3

log "root reports the same read, naming $ATTACKER4"
event 2 "$ATTACKER4" | timeout 10 socat -u - "UNIX-CONNECT:$APP_SOCK" ||
	fail "root could not connect while uid 1000 holds 100 connections"
wait_element block4 "$ATTACKER4" 10 > /dev/null ||
	fail "root's event was not acted on while uid 1000 holds 100 connections"
log "refused without rights, counted; another uid's idle connections lock nobody out"
