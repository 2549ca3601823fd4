#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fleet's coordinator for real: nats-server -js (TLS, one user per node),
# three slaguardd nodes in three network namespaces and slaguard-coord
# keeping a composite SLA over them. Node a is the hypervisor of guests b
# (component web) and c (component db). Violations are caused by
# application events (data rules), so no module is needed. Needs root,
# nats-server, nft, socat, jq, openssl.
#
#          hub netns (this script: nats-server -js, slaguard-coord)
#          |  ch1 10.98.1.1        |  ch2 10.98.2.1       |  ch3 10.98.3.1
#   node a: 10.98.1.2      node b: 10.98.2.2      node c: 10.98.3.2
#
# Covers: composite SLOs compliant, then violated when a node's component
# is (evidence names node and SLO), published on the coordinator's subject;
# at most N nodes under attack; a silent guest is unknown and its evidence
# says its hypervisor is under attack; slaguardctl fleet nodes|alerts;
# deploy of a good SLA (the node runs the new version) and of a broken one
# (refused locally, and by the node with FILE:LINE when put in the bucket
# directly; the old SLA stays); a node's credentials cannot publish under
# another node's subject nor write another node's status key or any SLA;
# a fleet decision still passes the receiving node's allowlist; the
# coordinator's page (--dashboard): /api/state and, in headless chromium
# (coord-browser.py), a violated composite SLO and a silent node shown; a
# backlog beyond the coordinator's unacknowledged limit, taken in full; a
# consumer the server lost, subscribed again after the last message handled.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=${SLAGUARDD:-$TOP/userspace/slaguardd/slaguardd}
CTL=$TOP/userspace/slaguardctl/slaguardctl
COORD=$TOP/userspace/coord/slaguard-coord

. ./lib.sh
. ./fleet-lib.sh
COORD_PID=""
FEED_PID=""
fleet_cleanup_more() {
	[ -n "$FEED_PID" ] && kill "$FEED_PID" 2>/dev/null
	[ -n "$COORD_PID" ] && kill "$COORD_PID" 2>/dev/null
}
fleet_begin coord-live curl
fleet_netns coord-live ch 98
fleet_pki coord-live 98

fleet_nats_conf coord
nats-server -c "$T/nats.conf" >> "$T/nats.out" 2>&1 &
NATS_PID=$!
i=0
while ! ss -ltn | grep -q ":$PORT " && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# Each node's SLA: one component (web, db, or the hypervisor's host), a
# data rule whose violation blocks its source fleet-wide, an SLO on it.
comp_of() { case $1 in a) echo host;; b) echo web;; c) echo db;; esac; }
sla() { # NODE [NAME]
	i=$(idx "$1")
	k=$(comp_of "$1")
	cat <<YAML
sla: ${2:-$k-v1}
components:
  $k: { addresses: [10.0.$i.20] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: $k }, severity: critical }
slos:
  - { id: $k-access, metric: app.access_violations, component: $k, max: 0, window: 1m, severity: low }
countermeasures:
  - { when: { rule: no-cards }, do: block-source, for: 10m, scope: fleet }
defaults: { holdoff: 1s }
fleet:
  servers: [tls://10.98.$i.1:$PORT]
  node: $1
  site: lab
  user: $1
  password: pw-$1
  tls: { ca: $T/ca.pem, cert: $T/client.pem, key: $T/client.key }
YAML
	[ "$1" = c ] && echo "allowlist: [203.0.113.0/24]"
}

# a node keeps the SLA deployed to it (its file is rewritten by the test)
start() { [ -f "$T/$1.yaml" ] || sla "$1" > "$T/$1.yaml"; node_start "$1"; } # NODE
violate() { # NODE SOURCE
	printf '{"component":"%s","user":"shop","action":"read","resource":"cards/1","source":"%s"}\n' \
		"$(comp_of "$1")" "$2" | socat -t 1 - "UNIX-CONNECT:$T/$1.app"
}

# The composite SLA: the shop is web on b and db on c, both guests of a.
sla a > "$T/a.yaml"; sla b > "$T/b.yaml"; sla c > "$T/c.yaml"
cat > "$T/shop.yaml" <<YAML
composite: shop
fleet:
  servers: [tls://127.0.0.1:$PORT]
  node: coord
  site: lab
  user: coord
  password: pw-coord
  tls: { ca: $T/ca.pem, cert: $T/client.pem, key: $T/client.key }
silence: 4s
attack-window: 5m
nodes:
  - { name: a, sla: a.yaml }
  - { name: b, sla: b.yaml, host: a }
  - { name: c, sla: c.yaml, host: a }
slos:
  - { id: shop-up, all-compliant: [web@b, db@c] }
  - { id: web-up, all-compliant: [web@b] }
  - { id: shop-budget, max-violated-for: 3s within 1h, of: [web@b, db@c] }
  - { id: calm, max-nodes-under-attack: 1 }
YAML
cp "$T/shop.yaml" "$T/bad-shop.yaml"
sed -i 's/web@b, db@c] }$/web@b, dbx@c] }/' "$T/bad-shop.yaml"
check "slaguard-coord --check reads the composite SLA" sh -c "'$COORD' --check '$T/shop.yaml' | grep -q 'composite SLA shop: 3 nodes, 4 SLOs'"
L=$(grep -n 'dbx@c' "$T/bad-shop.yaml" | cut -d: -f1)
check "... and names FILE:LINE of a component c's SLA lacks" sh -c "! '$COORD' --check '$T/bad-shop.yaml' 2> '$T/check.err'; grep -q 'bad-shop.yaml:$L:[0-9]*: field .slos\[0\].all-compliant\[1\].*no component or SLO dbx' '$T/check.err'"

# The page: loopback only without a token.
DASH=127.0.0.1:19479
check "--dashboard on a non-loopback address needs a token" sh -c "! '$COORD' --dashboard=10.98.1.1:19479 '$T/shop.yaml' 2> '$T/dash.err'; grep -q 'not a loopback address.*--dashboard-token-file' '$T/dash.err'"
check "--dashboard-token-file without --dashboard is refused" sh -c "! '$COORD' --dashboard-token-file /dev/null '$T/shop.yaml' 2> /dev/null"
"$COORD" --dashboard=$DASH "$T/shop.yaml" >> "$T/coord.out" 2>&1 &
COORD_PID=$!
for n in a b c; do start $n; done
# The SLOs count violations among application events: with none in their
# window they are unknown, so each node sees allowed reads all along.
(
	while :; do
		for n in a b c; do
			printf '{"component":"%s","user":"shop","action":"read","resource":"products/1","source":"10.98.0.9"}\n' \
				"$(comp_of $n)" | socat -t 1 - "UNIX-CONNECT:$T/$n.app" 2> /dev/null
		done
		sleep 2
	done
) &
FEED_PID=$!
for n in a b c; do
	check "$n connects to the bus" wait_q $n '{"cmd":"status"}' '.fleet.connected' 10
done

F="--composite $T/shop.yaml"
state() { "$CTL" -j fleet alerts $F 2> /dev/null; }
# Wait up to SECS for the coordinator's state to pass FILTER.
wait_state() { # FILTER SECS
	j=0
	while [ $j -lt $(($2 * 5)) ]; do
		_s=$(state) && [ -n "$_s" ] && printf '%s\n' "$_s" | jq -e "$1" > /dev/null && return 0
		sleep 0.2; j=$((j + 1))
	done
	echo "# state: $(state | jq -c '[.slos[] | {id, state, evidence}]')"
	return 1
}
slo() { echo ".slos[] | select(.id == \"$1\")"; }
wait_for_coord_log() { # TEXT SECS
	j=0
	while [ $j -lt $(($2 * 10)) ]; do grep -qF "$1" "$T/coord.out" && return 0; sleep 0.1; j=$((j + 1)); done
	return 1
}

# 1. All quiet: the composite SLOs are compliant.
check "shop-up is compliant" wait_state "$(slo shop-up) | .state == \"compliant\"" 15
check "calm is compliant" wait_state "$(slo calm) | .state == \"compliant\"" 5
check "shop-budget is compliant" wait_state "$(slo shop-budget) | .state == \"compliant\"" 5
check "fleet nodes: every node heard, none silent" sh -c "'$CTL' -j fleet nodes $F | jq -en 'input | [.nodes[] | select(.silent | not)] | length == 3'"
check "... text output lists b with its host a" sh -c "'$CTL' fleet nodes $F | grep -q '^b  *lab  *a '"

# 2. db on c violated: shop-up violated, evidence names node and SLO.
violate c 192.0.2.30
check "shop-up goes violated when c's db is" wait_state "$(slo shop-up) | .state == \"violated\" and (.evidence | test(\"db@c: node c's SLO db-access violated\"))" 10
check "web-up stays compliant" wait_state "$(slo web-up) | .state == \"compliant\"" 2
# (jq 1.6 -e passes empty input: the message is taken first.)
check "the change is published on slaguard.lab.coord.composite" sh -c "m=\$(./build/nats-pub tls://127.0.0.1:$PORT coord pw-coord --last slaguard.lab.coord.composite) && [ -n \"\$m\" ] && printf '%s\\n' \"\$m\" | jq -e '.composite == \"shop\" and .id != null and .state != null' > /dev/null"
check "shop-budget is violated once past 3s" wait_state "$(slo shop-budget) | .state == \"violated\" and (.evidence | test(\"within 1h\"))" 10
check "fleet alerts shows c's alert" sh -c "'$CTL' fleet alerts $F | grep -q '^  c .*critical *no-cards'"
check "calm: one node under attack, still compliant" wait_state "$(slo calm) | .state == \"compliant\" and (.evidence | test(\"1 node under attack.*c: (decision block-source 192.0.2.30|alert A[0-9]+ no-cards)\"))" 5

# 3. The hypervisor a attacked too: two nodes, calm violated.
violate a 192.0.2.31
check "calm goes violated with a and c under attack" wait_state "$(slo calm) | .state == \"violated\" and (.evidence | test(\"2 nodes under attack\")) and (.evidence | test(\"a: \")) and (.evidence | test(\"c: \"))" 10

# 3b. The coordinator restarts: what the nodes said before is not lost.
kill "$COORD_PID"; wait "$COORD_PID" 2>/dev/null
"$COORD" --dashboard=$DASH "$T/shop.yaml" >> "$T/coord.out" 2>&1 &
COORD_PID=$!
check "a restarted coordinator restores the nodes' state" wait_for_coord_log "state of 3 nodes restored" 10
check "... and shop-up is still violated by c's db" wait_state "$(slo shop-up) | .state == \"violated\" and (.evidence | test(\"db@c: node c's SLO db-access violated\"))" 5

# 4. Guest b goes silent while its host a is under attack: web-up unknown, explained.
stop b
check "web-up goes unknown when b is silent" wait_state "$(slo web-up) | .state == \"unknown\"" 15
check "... its evidence says b's host a is under attack" wait_state "$(slo web-up) | .evidence | test(\"web@b unknown: node b silent for [0-9]+s while its host a is under attack \\\\((decision block-source 192.0.2.31|alert A[0-9]+ no-cards)\")" 3
check "fleet nodes says b is silent" sh -c "'$CTL' -j fleet nodes $F | jq -en 'input | .nodes[] | select(.name == \"b\") | .silent'"
# ... and so does the coordinator's page, with shop-up violated by c.
violate c 192.0.2.32
check "the page's /api/state: b silent on host a, shop-up violated, c's alerts" sh -c "j=0; while [ \$j -lt 30 ]; do curl -s --max-time 5 http://$DASH/api/state | jq -en 'input | (.nodes[] | select(.name == \"b\") | .silent and .host == \"a\") and (.slos[] | select(.id == \"shop-up\") | .state == \"violated\") and ([.alerts[] | select(.node == \"c\")] | length > 0)' > /dev/null && exit 0; sleep 0.3; j=\$((j+1)); done; exit 1"
check "... refused to a foreign Host (DNS rebinding)" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Host: attacker.example' http://$DASH/api/state)\" = 403 ]"
browser coord-live "the fleet page shows shop-up violated and b silent" \
	./coord-browser.py "http://$DASH/dashboard" shop-up b a
start b
check "web-up compliant again once b is back" wait_state "$(slo web-up) | .state == \"compliant\"" 15

# 5. Deploy: a good SLA runs, a broken one is refused and the old one stays.
sla b web-v2 > "$T/b-v2.yaml"
check "deploy b web-v2: b runs it" sh -c "'$CTL' fleet deploy $F --wait 15 b '$T/b-v2.yaml' > '$T/deploy.out' 2>&1; cat '$T/deploy.out'; grep -q '^b runs revision [0-9]* (SLA web-v2)' '$T/deploy.out'"
check "b's daemon runs SLA web-v2" wait_q b '{"cmd":"status"}' '.sla == "web-v2"' 5
check "... in fleet nodes" sh -c "j=0; while [ \$j -lt 20 ]; do '$CTL' fleet nodes $F | grep -q '^b .* web-v2 rev [1-9]' && exit 0; sleep 0.3; j=\$((j+1)); done; exit 1"
sed 's/severity: low }/severity: lowish }/' "$T/b-v2.yaml" > "$T/b-broken.yaml"
LINE=$(grep -n lowish "$T/b-broken.yaml" | cut -d: -f1)
check "deploy of a broken SLA is refused here with FILE:LINE" sh -c "! '$CTL' fleet deploy $F b '$T/b-broken.yaml' 2> '$T/deploy.err'; cat '$T/deploy.err'; grep -q 'b-broken.yaml:$LINE:[0-9]*: field .slos\[0\].severity' '$T/deploy.err'"
# Put in the bucket directly (as the coordinator may): b validates it itself.
check "a broken SLA put in the bucket directly is stored" ./build/nats-pub "tls://127.0.0.1:$PORT" coord pw-coord '$KV.slaguard-sla.b' "$(cat "$T/b-broken.yaml")"
check "b refuses it with FILE:LINE" wait_q b '{"cmd":"status"}' ".fleet.refused_revision > .fleet.sla_revision and (.fleet.sla_error | test(\"^slaguard-sla/b@[0-9]+:$LINE:[0-9]+: field 'slos\\\\[0\\\\].severity'\"))" 10
check "... and keeps running web-v2" q b '{"cmd":"status"}' '.sla == "web-v2"'
check "slaguardctl fleet status on b says so" sh -c "'$CTL' --control '$T/b.ctl' fleet status | grep -q 'refused: slaguard-sla/b@[0-9]*:$LINE:'"
check "the coordinator shows the refusal" sh -c "j=0; while [ \$j -lt 20 ]; do '$CTL' -j fleet nodes $F | jq -en 'input | .nodes[] | select(.name == \"b\") | .sla.refused | test(\":$LINE:\")' > /dev/null && exit 0; sleep 0.3; j=\$((j+1)); done; exit 1"

# A restart runs the version deployed last, not the SLA file; the broken
# one, still the bucket's last, is refused against it again.
stop b
start b
check "restarted b runs the deployed web-v2 again, not its file" wait_q b '{"cmd":"status"}' '.sla == "web-v2" and .fleet.sla_revision > 0' 10
check "... and refuses the broken version again" wait_q b '{"cmd":"status"}' '.fleet.refused_revision > .fleet.sla_revision' 10
check "... still web-v2" q b '{"cmd":"status"}' '.sla == "web-v2"'

# 6. Security: what a node's credentials cannot do.
check "no node was refused anything it needs by the server" sh -c "! grep 'Violation' '$T/nats.out'"
URL=tls://127.0.0.1:$PORT
now=$(date +%s%3N)
FORGED='{"v":1,"op":"apply","id":"lab.a.C999.A999","site":"lab","node":"a","scope":"fleet","action":"block-source","target":"192.0.2.66","issued_ms":'$now',"expires_ms":'$((now + 600000))',"alert":"A999","ref":"no-cards","severity":"critical"}'
check "b's credentials cannot publish under a's decision subject" sh -c "! ./build/nats-pub $URL b pw-b slaguard.lab.a.decision '$FORGED' 2> /dev/null"
check "... the server says why" grep -q 'Publish Violation - User "b", Subject "slaguard.lab.a.decision"' "$T/nats.out"
check "b's credentials cannot write a's status key" sh -c "! ./build/nats-pub $URL b pw-b '\$KV.slaguard-status.a' '{\"node\":\"a\",\"site\":\"lab\",\"sla\":\"forged\"}' 2> /dev/null"
check "b's credentials cannot write any SLA, not even its own" sh -c "! ./build/nats-pub $URL b pw-b '\$KV.slaguard-sla.b' 'sla: forged' 2> /dev/null && ! ./build/nats-pub $URL b pw-b '\$KV.slaguard-sla.a' 'sla: forged' 2> /dev/null"
check "a still runs its own SLA" q a '{"cmd":"status"}' '.sla == "host-v1"'

# 7. A fleet decision passes the receiving node's own guard: c allowlists it.
violate a 203.0.113.9
check "b applies a's block of 203.0.113.9" sh -c "j=0; while [ \$j -lt 50 ]; do ip netns exec $NS""2 nft list set inet slaguard block4 | grep -q '203.0.113.9 ' && exit 0; sleep 0.1; j=\$((j+1)); done; exit 1"
check "c refuses it (allowlisted there)" sh -c "sleep 1; ! ip netns exec $NS""3 nft list set inet slaguard block4 | grep -q 203.0.113.9"
check "c counts the refusal" q c '{"cmd":"status"}' '.fleet.refused >= 1'

# 8. A backlog larger than the coordinator's 1024 unacknowledged messages,
# published while it is stopped, is taken in full once it goes on.
alerts_of() { "$CTL" -j fleet nodes $F 2> /dev/null | jq -r ".nodes[] | select(.name == \"$1\") | .alerts"; }
wait_alerts() { # NODE COUNT SECS
	j=0
	while [ $j -lt $(($3 * 5)) ]; do
		[ "$(alerts_of "$1")" -ge "$2" ] 2> /dev/null && return 0
		sleep 0.2; j=$((j + 1))
	done
	echo "# node $1: $(alerts_of "$1") alerts counted, $2 expected"
	return 1
}
before=$(alerts_of a)
kill -STOP "$COORD_PID"
check "2000 alerts of a published while the coordinator is stopped" ./build/nats-pub \
	tls://127.0.0.1:$PORT a pw-a slaguard.lab.a.alert \
	'{"id":"B1","ref":"backlog","severity":"low","summary":"backlog"}' 2000
kill -CONT "$COORD_PID"
check "... the coordinator counts all of them (${before:-?} + 2000)" wait_alerts a $((${before:-0} + 2000)) 30

# 9. The server loses the coordinator's consumer (as when it restarts
# without its state): the coordinator subscribes again and goes on after
# the last message it handled, neither deaf nor counting anything twice.
before=$(alerts_of a)
check "the coordinator's consumer is deleted on the server" ./build/nats-pub \
	tls://127.0.0.1:$PORT coord pw-coord --delete-consumer coord_shop
sleep 1
for k in 1 2 3; do
	./build/nats-pub tls://127.0.0.1:$PORT a pw-a slaguard.lab.a.alert \
		"{\"id\":\"G$k\",\"ref\":\"gone\",\"severity\":\"low\",\"summary\":\"after the consumer was lost\"}"
done
check "... it says so and subscribes again" wait_for_coord_log "consumer coord_shop is gone" 15
# The alerts it lists (the last 64): G1 G2 G3, once each.
last_of_a() { "$CTL" -j fleet alerts $F 2> /dev/null | jq -r '[.alerts[] | select(.node == "a" and (.id | startswith("G"))) | .id] | join(" ")'; }
wait_last_of_a() { # IDS
	j=0
	while [ $j -lt 50 ]; do [ "$(last_of_a)" = "$1" ] && return 0; sleep 0.2; j=$((j + 1)); done
	echo "# alerts G* of a: $(last_of_a)"
	return 1
}
check "... and takes the 3 alerts since, each once" wait_last_of_a "G1 G2 G3"
# From the start of the stream, the 2000 of the backlog would count again.
check "... and nothing it had handled before (${before:-?} alerts of a, now $(alerts_of a))" \
	sh -c "[ '$(alerts_of a)' -lt $((${before:-0} + 1000)) ]"

kill "$COORD_PID"; wait "$COORD_PID" 2>/dev/null; COORD_PID=""
for n in a b c; do stop $n; done
check "no sanitizer report" sh -c "! grep -l 'Sanitizer\|runtime error' '$T/a.out' '$T/b.out' '$T/c.out' '$T/coord.out'"
finish coord-live
