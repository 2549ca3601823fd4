#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fleet for real: nats-server with JetStream and three slaguardd nodes,
# each in its own network namespace with its own nftables table. Decisions
# are caused by application events (a data-rule violation names its
# source), so no module is needed. Needs root, nats-server, nft, socat, jq.
#
#          hub netns (this script, nats-server -js on 10.99.0.1:PORT)
#          |  fh1 10.99.1.1        |  fh2 10.99.2.1       |  fh3 10.99.3.1
#   node a: 10.99.1.2      node b: 10.99.2.2      node c: 10.99.3.2
#
# Covers: a scope: fleet block on a reaches b and c with the origin in the
# comment; c's allowlist and b's own address refuse a decision there; a
# revoke propagates; losing the bus is an alert and a counter while a keeps
# enforcing; what a decided while the bus was down is applied by b and c
# once it is back; a restarted node catches up without duplicates; a
# decision that expired while a node was away is skipped. Each node logs in
# as its own NATS user, allowed to publish only under its own subjects:
# b cannot publish under a's, and what b publishes naming a is not believed.
# A node whose login the server refuses after a reload connects again by
# itself once the server takes it again.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
# SLAGUARDD: another build of the daemon (one with sanitizers, say).
D=${SLAGUARDD:-$TOP/userspace/slaguardd/slaguardd}
CTL=$TOP/userspace/slaguardctl/slaguardctl

. ./lib.sh
. ./fleet-lib.sh
fleet_begin fleet-live
fleet_netns fleet-live fh 99
fleet_pki fleet-live 99

fleet_nats_conf watcher

# The same SLA on every node but for its fleet name and server address;
# c allowlists 203.0.113.0/24.
sla() { # NODE
	i=$(idx "$1")
	cat <<YAML
sla: fleet-$1
components:
  db: { addresses: [10.0.1.20] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
  - { id: no-keys, deny: { user: shop, read: "keys/*", component: db }, severity: high }
slos:
  - { id: db-access, metric: app.access_violations, component: db, max: 0, window: 1m, severity: low }
countermeasures:
  - { when: { rule: no-cards }, do: block-source, for: 10m, scope: fleet }
  - { when: { rule: no-keys }, do: block-source, for: 4s, scope: fleet }
defaults: { holdoff: 1s }
fleet:
  servers: [tls://10.99.$i.1:$PORT]
  node: $1
  site: lab
  user: $1
  password: pw-$1
  tls: { ca: $T/ca.pem, cert: $T/client.pem, key: $T/client.key }
YAML
	[ "$1" = c ] && echo "allowlist: [203.0.113.0/24]"
}

start() { sla "$1" > "$T/$1.yaml"; node_start "$1"; } # NODE

# A data-rule violation reported on NODE, naming SOURCE: RES is cards/x or keys/x.
violate() { # NODE SOURCE RES
	printf '{"component":"db","user":"shop","action":"read","resource":"%s","source":"%s"}\n' \
		"$3" "$2" | socat -t 1 - "UNIX-CONNECT:$T/$1.app"
}
ms() { date +%s%3N; }

start_nats
for n in a b c; do start $n; done
for n in a b c; do
	check "$n connects to the bus" wait_q $n '{"cmd":"status"}' '.fleet.connected' 10
done

# 1. A block on a, scope fleet: on b and c within seconds, origin named.
t0=$(ms)
violate a 192.0.2.9 cards/1
check "a blocks 192.0.2.9 itself" wait_set a '192.0.2.9 ' 3
check "b applies a's decision" wait_set b '192.0.2.9 .*origin=a@lab' 5
t1=$(ms)
check "c applies a's decision" wait_set c '192.0.2.9 .*origin=a@lab' 5
t2=$(ms)
echo "# propagation a -> b: $((t1 - t0)) ms, a -> b and c: $((t2 - t0)) ms (incl. polling)"
# What a publishes besides decisions: its alerts and SLO state changes
# (read back from the stream as a user that may read everything).
last_is() { # SUBJECT FILTER: the stream's last message on SUBJECT passes FILTER
	j=0
	while [ $j -lt 30 ]; do
		# jq 1.6 -e passes empty input: no message must not pass.
		_m=$(./build/nats-pub "tls://127.0.0.1:$PORT" watcher pw-watcher --last "$1" 2> /dev/null) &&
			[ -n "$_m" ] && printf '%s\n' "$_m" | jq -e "$2" > /dev/null && return 0
		sleep 0.1; j=$((j + 1))
	done
	return 1
}
check "a's alerts are on slaguard.lab.a.alert" last_is slaguard.lab.a.alert '.node == "a" and .site == "lab" and (.id | test("^A[0-9]+$")) and (.ref == "no-cards" or .ref == "db-access")'
check "a's SLO going violated is on slaguard.lab.a.slo" last_is slaguard.lab.a.slo '.id == "db-access" and .state == "violated" and .node == "a"'
check "b's comment names a's alert" set_has b 'comment "slaguard rule=no-cards alert=A[0-9]* origin=a@lab"'
check "b's countermeasure says its origin" q b '{"cmd":"countermeasures"}' '[.countermeasures[] | select(.target == "192.0.2.9")][0].origin == "a@lab"'
# Same expiry: b's remaining time is a's, within a few seconds.
ra=$(ctl a '{"cmd":"countermeasures"}' | jq '[.countermeasures[] | select(.target == "192.0.2.9")][0].remaining_s')
rb=$(ctl b '{"cmd":"countermeasures"}' | jq '[.countermeasures[] | select(.target == "192.0.2.9")][0].remaining_s')
check "b expires it with a ($ra s vs $rb s)" sh -c "[ \$(( $ra - $rb )) -le 3 ] && [ \$(( $rb - $ra )) -le 3 ] && [ $rb -gt 500 ]"

# A burst: 50 blocks on a, until all are in b's and c's sets.
count_in() { ip netns exec "$NS$(idx "$1")" nft list set inet slaguard block4 | grep -o '198\.18\.1\.[0-9]* ' | wc -l; }
t0=$(ms)
for k in $(seq 1 50); do
	printf '{"component":"db","user":"shop","action":"read","resource":"cards/b%s","source":"198.18.1.%s"}\n' $k $k
done | socat -t 2 - "UNIX-CONNECT:$T/a.app"
burst() { j=0; while [ $j -lt 200 ]; do [ "$(count_in b)" = 50 ] && [ "$(count_in c)" = 50 ] && return 0; sleep 0.05; j=$((j + 1)); done; return 1; }
check "a burst of 50 decisions reaches b and c" burst
t1=$(ms)
echo "# 50 decisions from a's app socket to b's and c's sets: $((t1 - t0)) ms (incl. polling)"

check "slaguardctl fleet status on b" sh -c "'$CTL' --control '$T/b.ctl' fleet status | grep -q '^node b@lab, stream SLAGUARD: connected'"
ctl_j() { # NODE FILTER: slaguardctl -j fleet status of NODE passes FILTER
	_o=$("$CTL" -j --control "$T/$1.ctl" fleet status) && [ -n "$_o" ] &&
		printf '%s\n' "$_o" | jq -e "$2" > /dev/null
}
check "... -j: what b applied" ctl_j b '.applied == 51 and .received >= 51'

# 2. The receiving node's own guard and allowlist still decide.
violate a 203.0.113.7 cards/2
check "b applies a decision c's allowlist refuses" wait_set b '203.0.113.7 ' 5
check "c refuses it (allowlisted there)" sh -c "sleep 1; ! ip netns exec $NS""3 nft list set inet slaguard block4 | grep -q 203.0.113.7"
check "c counts the refusal" q c '{"cmd":"status"}' '.fleet.refused >= 1'
violate a 10.99.2.2 cards/3
check "c applies a decision naming b's address" wait_set c '10.99.2.2 ' 5
check "b refuses to block its own address" sh -c "sleep 1; ! ip netns exec $NS""2 nft list set inet slaguard block4 | grep -q '10.99.2.2 '"

# 3. A revoke on a propagates.
C=$(ctl a '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "203.0.113.7") | .id')
check "a revokes $C" q a "{\"cmd\":\"revoke\",\"id\":\"$C\"}" '.ok'
gone() { j=0; while [ $j -lt 50 ]; do set_has "$1" "$2" || return 0; sleep 0.1; j=$((j + 1)); done; return 1; }
check "the revoke lifts it on b" gone b '203.0.113.7 '

# 4. The bus goes away: an alert and a counter; a keeps enforcing; what a
# decides meanwhile reaches b and c once the bus is back.
stop_nats
check "a sees the bus lost" wait_q a '{"cmd":"status"}' '.fleet.connected == false and .fleet.disconnects >= 1' 5
check "... and raises an alert" wait_q a '{"cmd":"alerts"}' 'any(.alerts[]; .ref == "fleet.bus")' 6
check "slaguardctl fleet status says so" sh -c "'$CTL' --control '$T/a.ctl' fleet status | grep -q 'NOT CONNECTED (1 disconnects); bus lost alert raised'"
t0=$(ms)
violate a 192.0.2.10 cards/4
check "a blocks without the bus" wait_set a '192.0.2.10 ' 3
t1=$(ms)
echo "# local block with the bus down: $((t1 - t0)) ms (incl. polling)"
check "a answers while the bus is down" q a '{"cmd":"status"}' '.fleet.queued >= 1'
sleep 2
check "b has not got it yet" sh -c "! ip netns exec $NS""2 nft list set inet slaguard block4 | grep -q '192.0.2.10 '"
start_nats
check "b applies it once the bus is back" wait_set b '192.0.2.10 .*origin=a@lab' 15
check "c applies it once the bus is back" wait_set c '192.0.2.10 .*origin=a@lab' 15
check "a is connected again" wait_q a '{"cmd":"status"}' '.fleet.connected and .fleet.queued == 0' 5

# 5. b restarts, missing a decision meanwhile: it catches up, no duplicates.
stop b
violate a 192.0.2.11 cards/5
check "a blocks 192.0.2.11" wait_set a '192.0.2.11 ' 3
start b
check "restarted b catches up" wait_set b '192.0.2.11 .*origin=a@lab' 15
sleep 6	# past the consumer's AckWait (5 s): anything unacknowledged comes again
check "b has one countermeasure per target" q b '{"cmd":"countermeasures"}' '[.countermeasures[].target] | (length == (unique | length)) and any(.[]; . == "192.0.2.9")'
check "b did not apply what it had acknowledged" q b '{"cmd":"status"}' '.fleet.applied == 1'
check "b's set holds 192.0.2.9 once" sh -c "[ \$(ip netns exec $NS""2 nft list set inet slaguard block4 | grep -o '192.0.2.9 ' | wc -l) = 1 ]"

# 5b. a restarts: a revoke of its fleet decision (adopted, a new id) still
# propagates, the ledger being kept in its state directory.
stop a
start a
check "a adopts 192.0.2.11 again" q a '{"cmd":"countermeasures"}' 'any(.countermeasures[]; .target == "192.0.2.11" and .adopted)'
C=$(ctl a '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "192.0.2.11") | .id')
check "restarted a revokes $C" q a "{\"cmd\":\"revoke\",\"id\":\"$C\"}" '.ok'
check "the revoke lifts it on b" gone b '192.0.2.11 '
check "... and on c" gone c '192.0.2.11 '

# 6. c away while a short decision (for: 4s) comes and goes: skipped.
stop c
violate a 192.0.2.12 keys/1
check "b applies the short decision" wait_set b '192.0.2.12 ' 5
sleep 6
start c
check "c skips the expired decision" wait_q c '{"cmd":"status"}' '.fleet.skipped >= 1' 15
check "... and did not apply it" sh -c "! ip netns exec $NS""3 nft list set inet slaguard block4 | grep -q '192.0.2.12 '"
check "c still has what is due" set_has c '192.0.2.10 '

# 7. NATS permissions: a node publishes only under its own subjects, and a
# decision naming another node than its subject's is not believed.
check "no node was refused anything it needs by the server" sh -c "! grep -q 'Violation' '$T/nats.out'"
now=$(ms)
FORGED='{"v":1,"op":"apply","id":"lab.a.C999.A999","site":"lab","node":"a","scope":"fleet","action":"block-source","target":"192.0.2.66","issued_ms":'$now',"expires_ms":'$((now + 600000))',"alert":"A999","ref":"no-cards","severity":"critical"}'
URL=tls://127.0.0.1:$PORT
check "a client without a certificate is refused" sh -c "! NATS_CERT= NATS_KEY= ./build/nats-pub $URL b pw-b slaguard.lab.b.alert '{}' 2> /dev/null"
check "a client that does not speak TLS is refused" sh -c "! NATS_CA= NATS_CERT= NATS_KEY= ./build/nats-pub nats://127.0.0.1:$PORT b pw-b slaguard.lab.b.alert '{}' 2> /dev/null"
check "b's credentials cannot publish under a's decision subject" sh -c "! ./build/nats-pub $URL b pw-b slaguard.lab.a.decision '$FORGED' 2> '$T/pub.err'"
check "... the server says why" grep -q 'Publish Violation - User "b", Subject "slaguard.lab.a.decision"' "$T/nats.out"
check "b's credentials publish under its own subject" ./build/nats-pub "$URL" b pw-b slaguard.lab.b.decision "$FORGED"
check "c does not believe a's decision under b's subject" wait_q c '{"cmd":"status"}' '.fleet.malformed >= 1' 5
check "... and does not apply it" sh -c "! ip netns exec $NS""3 nft list set inet slaguard block4 | grep -q '192.0.2.66 '"
check "nor does a" sh -c "! ip netns exec $NS""1 nft list set inet slaguard block4 | grep -q '192.0.2.66 '"

# 8. A reload with another fleet section keeps the running connection, and says so.
sed 's/^  node: a$/  node: z/' "$T/a.yaml" > "$T/a2.yaml"
check "a reloads an SLA whose fleet section changed" q a "{\"cmd\":\"reload\",\"file\":\"$T/a2.yaml\"}" '.ok'
check "... warns that it takes effect on restart" wait_for_log a "fleet section differs from the one running (a@lab); it takes effect on restart" 3
check "... and a stays a@lab" ctl_j a '.node == "a" and .connected'

# 9. c's login refused after a server reload (its password changed): the
# server drops c, and the NATS client gives up on the refusals. slaguardd
# connects again by itself once the server takes c again, and c applies
# what a decided meanwhile.
sed -i 's/user: c, password: pw-c,/user: c, password: pw-gone,/' "$T/nats.conf"
kill -HUP "$NATS_PID"
check "c is refused after the server's reload" wait_for_log c \
	"fleet: the NATS server refused this node's login (user c): Authorization Violation" 10
check "... the NATS client gives up, slaguardd says it connects again" wait_for_log c \
	"fleet: the NATS client gave up (user c); connecting again" 10
check "... c is not connected" q c '{"cmd":"status"}' '.fleet.connected == false'
violate a 192.0.2.13 cards/13
check "a blocks 192.0.2.13 while c is refused" wait_set a '192.0.2.13 ' 3
sleep 6
check "... c's log says the refusal once ($(grep -c 'refused this node' "$T/c.out") times)" \
	[ "$(grep -c 'refused this node' "$T/c.out")" -le 2 ]
sed -i 's/user: c, password: pw-gone,/user: c, password: pw-c,/' "$T/nats.conf"
kill -HUP "$NATS_PID"
check "c connects by itself once the server takes it again" wait_q c '{"cmd":"status"}' '.fleet.connected' 70
check "... applies a's decision made meanwhile" wait_set c '192.0.2.13 .*origin=a@lab' 10
check "... and has one countermeasure per target" q c '{"cmd":"countermeasures"}' '[.countermeasures[].target] | length == (unique | length)'

for n in a b c; do stop $n; done
# With SLAGUARDD built with sanitizers, their reports end up in the logs.
check "no sanitizer report" sh -c "! grep -l 'Sanitizer\|runtime error' '$T/a.out' '$T/b.out' '$T/c.out'"
finish fleet-live
