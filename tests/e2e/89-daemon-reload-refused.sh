#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A reload the module refuses fails as a whole: with the namespace's
# watches almost full (hand-made watches), an SLA that needs three more
# watches cannot be installed. The reload reports the module's refusal, the
# running SLA stays, and so do its watch in the module and its enforcement.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

setup_netns
load_module
start_daemon "$SLA_DEMO"

# watches: every watch of the victim's namespace, one JSON object per line.
watches() {
	vic slaguardctl -j watch list | jq -c '.. | objects | select(has("port_min"))'
}
wait_for 10 sh -c "ip netns exec $NS_V slaguardctl -j watch list | grep -q 1000001" ||
	fail "the daemon's watch (id 1000001) is not in the module"

# Hand-made watches up to one short of the module's 1024 per namespace.
n=$(watches | wc -l)
vic sh -c 'i=$1; while [ "$i" -lt 1023 ]; do
	slaguardctl watch add proto udp port $((20000 + i)) > /dev/null || exit 1
	i=$((i + 1)); done' sh "$n" || fail "hand-made watches could not be added"
log "$(watches | wc -l) watches in the victim's namespace"

sed -e 's/^sla: demo$/sla: demo-more/' -e '/^rules:$/a\
  - { id: no-rsh, deny: { to: victim, port: 514, proto: tcp }, severity: high }\
  - { id: no-rlogin, deny: { to: victim, port: 513, proto: tcp }, severity: high }\
  - { id: no-finger, deny: { to: victim, port: 79, proto: tcp }, severity: high }' \
	"$SLA_DEMO" > "$T/more.yaml"
slaguardctl sla check "$T/more.yaml" > /dev/null || fail "the larger SLA does not validate"

if out=$(slaguardctl sla reload "$T/more.yaml" 2>&1); then
	fail "the reload succeeded although the module cannot take its watches: $out"
fi
log "reload refused: $out"
echo "$out" | grep -q "module refused" || fail "the reload's error does not say the module refused: $out"

slaguardctl -j sla status | jq -e '.sla == "demo"' > /dev/null ||
	fail "the running SLA changed: $(slaguardctl -j sla status | jq -c '{sla}')"
watches | jq -s -e 'any(.[]; .id == 1000001 and .port_min == 23)' > /dev/null ||
	fail "the running SLA's watch (port 23) is gone from the module: $(watches | jq -c 'select(.id > 1000000)')"
if watches | jq -s -e 'any(.[]; .port_min == 514 or .port_min == 513 or .port_min == 79)' > /dev/null; then
	fail "watches of the refused SLA were left in the module"
fi

# Enforcement of the running SLA goes on.
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
wait_element block4 "$ATTACKER4" 20 > /dev/null ||
	fail "the running SLA no longer blocks a scan after the refused reload"
log "refused reload reported; the running SLA, its watch and its enforcement stay"
