#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Blame only the guilty: one forbidden read by a client violates the
# summed access SLO of its component; a harmless read by another client
# while the SLO is violated must not get that client blocked. The guilty
# client is blocked, the innocent one is not and still connects.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

APP_SOCK=/run/slaguard/app.sock
GUILTY=$ATTACKER4
INNOCENT=10.77.0.3

setup_netns
load_module
serve "$NS_V" 8080
att ip addr add "$INNOCENT/24" dev veth-a

cat > "$T/shop.yaml" <<YAML
sla: shop
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
defaults: { holdoff: 1s }
YAML
slaguardctl sla check "$T/shop.yaml" > /dev/null || fail "the shop SLA does not validate"
start_daemon "$T/shop.yaml"
wait_for 10 test -S "$APP_SOCK" || fail "no application socket at $APP_SOCK"

app_event() {
	printf '{"component":"victim","user":"%s","action":"read","resource":"%s","source":"%s"}\n' \
		"$1" "$2" "$3" | socat -u - "UNIX-CONNECT:$APP_SOCK" ||
		fail "could not write an application event to $APP_SOCK"
}

log "$GUILTY reads a card as shop-web (forbidden)"
app_event shop-web cards/4242 "$GUILTY"
wait_element block4 "$GUILTY" 10 > /dev/null || fail "the guilty client $GUILTY was not blocked"
slaguardctl -j sla status | jq -e '.slos[] | select(.id == "db-access") | .state == "violated"' > /dev/null ||
	fail "db-access is not violated after the forbidden read"

log "$INNOCENT reads an order as alice (allowed) while db-access is violated"
sleep 1.5	# past the hold-off
app_event alice orders/7 "$INNOCENT"
sleep 3
[ -z "$(element block4 "$INNOCENT")" ] ||
	fail "the innocent client $INNOCENT was blocked for another's violation: $(elements block4)"
alerts | jq -e -s 'all(.[]; .source != "'"$INNOCENT"'")' > /dev/null ||
	fail "an alert names the innocent client: $(alerts | jq -c 'select(.source == "'"$INNOCENT"'")')"
att timeout 5 socat -u /dev/null "TCP:$VICTIM4:8080,bind=$INNOCENT,connect-timeout=3" ||
	fail "the innocent client cannot connect"
log "guilty blocked; innocent neither named nor blocked"
