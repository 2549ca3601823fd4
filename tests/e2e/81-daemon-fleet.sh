#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fleet with the real module: nats-server -js and three slaguardd nodes
# a, b, c, each in its own network namespace with its own nftables table,
# and slaguard-coord. The module reports an event to listeners in the
# namespace where it happened, so only node a gets the events of the scan
# aimed at it; b and c learn of it over the bus alone.
#
#   root namespace: nats-server -js on 0.0.0.0:4222, slaguard-coord
#   |  fh1 10.88.1.1         |  fh2 10.88.2.1        |  fh3 10.88.3.1
#   netns fa: node a         netns fb: node b        netns fc: node c
#   10.88.1.2, and xa0       10.88.2.2               10.88.3.2
#   10.88.10.1 ========= netns fx: the attacker, xx0 10.88.10.2 and .3, .4
#
# Covers: an nmap scan of a's address violates a's portscan SLO, whose
# countermeasure is scope: fleet -> the attacker is in block4 on a, b and c;
# nats-server away for 20 s while a blocks a second address -> b and c
# apply it once the bus is back; b restarted while a blocks a third ->
# b catches up, one countermeasure per target, what it had acknowledged
# not applied again; slaguardctl fleet deploy of a new SLA version to c
# -> c runs it; of a broken one -> refused with FILE:LINE (by slaguardctl,
# and by c when put in the bucket directly), the old one stays; b's
# credentials cannot publish under a's decision subject, nor a client
# without a certificate at all.
#
# The bus runs over TLS with a client certificate the server verifies (as
# in tests/host/fleet-live.sh), or in plain text with a note when the VM
# image has no openssl to make the certificates.
# SG_FLEET_SCOPE=local (run by hand in the VM's --shell) makes it fail:
# b never blocks.
. "$(dirname "$0")/lib.sh"

need_cmd nats-server slaguardd slaguardctl slaguard-coord nats-pub nmap nft jq socat
SCOPE=${SG_FLEET_SCOPE:-fleet}
PORT=4222
NATS_PID=""
ATT=10.88.10.2
ATT2=10.88.10.3
ATT3=10.88.10.4
idx() { case $1 in a) echo 1;; b) echo 2;; c) echo 3;; esac; }

# lib.sh's cleanup, for these namespaces.
cleanup() {
	trap - EXIT INT TERM
	for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
	for ns in fa fb fc fx; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # one pid a word
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	nft flush ruleset 2>/dev/null
	[ -n "${SG_KEEP_MODULE:-}" ] || unload_module 2>/dev/null
	wait 2>/dev/null
}

fail() {
	echo "FAIL: $*"
	echo "$*" > "$SG_RESULT_DIR/reason"
	diag
	for n in a b c; do
		echo "# node $n: fleet status, block4, last lines of its output"
		timeout 5 slaguardctl --control "/run/slaguard/$n.sock" fleet status 2>&1 | head -n 12
		timeout 5 ip netns exec "f$n" nft list set inet slaguard block4 2>&1 | grep -A3 elements
		tail -n 15 "$T/node-$n."*.out 2>/dev/null
	done
	echo "# nats-server"; tail -n 15 "$T"/nats.*.out 2>/dev/null
	echo "# slaguard-coord"; tail -n 10 "$T/coord.out" 2>/dev/null
	exit 1
}

# --- namespaces ------------------------------------------------------------
ip link set lo up
for n in a b c; do
	i=$(idx $n)
	ip netns add "f$n" || fail "ip netns add f$n"
	ip link add "fh$i" type veth peer name eth0 netns "f$n" || fail "veth for f$n"
	ip addr add "10.88.$i.1/24" dev "fh$i"
	ip link set "fh$i" up
	ip -n "f$n" addr add "10.88.$i.2/24" dev eth0
	ip -n "f$n" link set eth0 up
	ip -n "f$n" link set lo up
	ip -n "f$n" route add default via "10.88.$i.1"
done
ip netns add fx || fail "ip netns add fx"
ip link add xa0 netns fa type veth peer name xx0 netns fx || fail "veth a-attacker"
ip -n fa addr add 10.88.10.1/24 dev xa0
ip -n fx addr add "$ATT/24" dev xx0
ip -n fx addr add "$ATT2/24" dev xx0
ip -n fx addr add "$ATT3/24" dev xx0
ip -n fa link set xa0 up
ip -n fx link set xx0 up
ip -n fx link set lo up
wait_for 10 ip netns exec fx ping -c 1 -W 1 10.88.10.1 || fail "the attacker cannot ping node a"
load_module

# --- the bus: one user per node, allowed only its own subjects --------------
# (perms and nats_pki: what the host tests use too)
. "$(dirname "$0")/../lib/nats.sh"
TLS_CONF="" TLS_SLA="" SCHEME=nats
if command -v openssl > /dev/null; then
	export OPENSSL_CONF=/etc/ssl/openssl.cnf
	nats_pki 88 || fail "openssl could not make the certificates: $(tail -n 5 "$T/openssl.err")"
	TLS_CONF="tls { cert_file: \"$T/server.pem\", key_file: \"$T/server.key\", ca_file: \"$T/ca.pem\", verify: true, timeout: 5 }"
	TLS_SLA="  tls: { ca: $T/ca.pem, cert: $T/client.pem, key: $T/client.key }"
	SCHEME=tls
	log "the bus runs over TLS"
else
	log "NOTE: no openssl in the VM image: the bus runs in plain text"
fi
cat > "$T/nats.conf" <<CONF
listen: 0.0.0.0:$PORT
$TLS_CONF
jetstream { store_dir: "$T/js", max_memory_store: 64MB, max_file_store: 256MB }
accounts {
  FLEET {
    jetstream: enabled
    users: [
      { user: coord, password: pw-coord }
$(perms a)
$(perms b)
$(perms c)
    ]
  }
}
CONF
NATS_RUNS=0
start_nats() {
	NATS_RUNS=$((NATS_RUNS + 1))
	bg "nats.$NATS_RUNS" nats-server -c "$T/nats.conf"
	NATS_PID=$BG_PID
	wait_for 20 sh -c "ss -Hltn 'sport = :$PORT' | grep -q ." ||
		fail "nats-server does not listen on $PORT: $(tail -n 5 "$T/nats.$NATS_RUNS.out")"
}
stop_nats() {
	kill "$NATS_PID"
	wait "$NATS_PID" 2>/dev/null
	NATS_PID=""
}

# --- the nodes ------------------------------------------------------------
# The same SLA on every node but for its fleet name and server address:
# nobody scans node a's 10.88.10.1; who does is blocked fleet-wide.
sla() { # NODE [NAME]
	cat <<YAML
sla: ${2:-fleet-v1}
components:
  node: { addresses: [10.88.10.1] }
slos:
  - { id: node-portscan, metric: net.portscan_ports, per: source, component: node, max: 20, window: 10s, severity: high }
countermeasures:
  - { when: { severity: high }, do: block-source, for: 10m, evidence: any, scope: $SCOPE }
defaults: { holdoff: 1s, window: 10s }
fleet:
  servers: [$SCHEME://10.88.$(idx "$1").1:$PORT]
  node: $1
  site: lab
  user: $1
  password: pw-$1
$TLS_SLA
YAML
}
RUNS=0
start_node() { # NODE
	RUNS=$((RUNS + 1))
	[ -f "$T/$1.yaml" ] || sla "$1" > "$T/$1.yaml"
	mkdir -p /run/slaguard
	bg "node-$1.$RUNS" ip netns exec "f$1" slaguardd -c "$T/$1.yaml" --foreground --no-syslog \
		--control "/run/slaguard/$1.sock" --app-socket "/run/slaguard/$1.app" --state-dir "$T/$1.state" \
		--alerts "$T/alerts-$1.jsonl" --nft-table-file /slaguard/nft/slaguard.nft
	eval "PID_$1=$BG_PID"
	wait_for 20 q "$1" '{"cmd":"status"}' '.ok // true' ||
		fail "node $1 does not answer: $(tail -n 5 "$T/node-$1.$RUNS.out")"
}
stop_node() { # NODE
	eval "_p=\$PID_$1"	# set by start_node
	# shellcheck disable=SC2154
	kill -TERM "$_p"
	_end=$(( $(date +%s) + 10 ))
	while kill -0 "$_p" 2>/dev/null; do
		[ "$(date +%s)" -lt "$_end" ] || fail "node $1 did not exit within 10 s of SIGTERM"
		sleep 0.2
	done
	wait "$_p" 2>/dev/null
}
ctl() { printf '%s\n' "$2" | socat -t 5 - "UNIX-CONNECT:/run/slaguard/$1.sock"; }
q() { _ans=$(ctl "$1" "$2") && [ -n "$_ans" ] && printf '%s\n' "$_ans" | jq -e "$3" > /dev/null; }
in_block() { # NODE ADDR
	ip netns exec "f$1" nft list set inet slaguard block4 2>/dev/null | grep -q "$2 "
}
not_in_block() { ! in_block "$@"; }
# scan [NMAP-ARGS]: a SYN scan of 60 ports of node a from the attacker.
scan() {
	log "nmap $* -sS -p 1-60 10.88.10.1 (from the attacker)"
	ip netns exec fx timeout 60 nmap -n -Pn "$@" -sS -p 1-60 -T4 --max-retries 0 10.88.10.1 \
		>> "$T/nmap.out" 2>&1 || fail "nmap failed: $(tail -n 3 "$T/nmap.out")"
}
since() { echo $(( $(date +%s) - $1 )); }

start_nats
for n in a b c; do sla "$n" > "$T/$n.yaml"; done
# The composite SLA for slaguard-coord, which makes the SLA bucket, and
# for slaguardctl fleet deploy.
cat > "$T/lab.yaml" <<YAML
composite: lab
fleet:
  servers: [$SCHEME://127.0.0.1:$PORT]
  node: coord
  site: lab
  user: coord
  password: pw-coord
$TLS_SLA
silence: 10s
nodes:
  - { name: a, sla: a.yaml }
  - { name: b, sla: b.yaml }
  - { name: c, sla: c.yaml }
slos:
  - { id: calm, max-nodes-under-attack: 3 }
YAML
bg coord slaguard-coord "$T/lab.yaml"
for n in a b c; do start_node $n; done
for n in a b c; do
	wait_for 30 q $n '{"cmd":"status"}' '.fleet.connected' || fail "node $n does not connect to the bus"
done
log "nodes a, b, c connected to the bus"

# 1. A scan of a: blocked on a by a's own SLO, on b and c by a's decision.
t0=$(date +%s)
scan
wait_for 30 in_block a "$ATT" || fail "a does not block $ATT within 30 s of the scan"
log "a blocks $ATT $(since "$t0") s after the scan"
for n in b c; do
	wait_for 20 in_block $n "$ATT" || fail "$n does not block $ATT (a's scope: $SCOPE decision) within 20 s"
done
log "b and c block $ATT $(since "$t0") s after the scan"
ip netns exec fb nft list set inet slaguard block4 | grep -q "$ATT .*origin=a@lab" ||
	fail "b's element for $ATT does not name its origin a@lab: $(ip netns exec fb nft list set inet slaguard block4)"
q a '{"cmd":"status"}' '.fleet.connected' || fail "a lost the bus"
[ "$(ip netns exec fa nft list set inet slaguard block4 | grep -c origin=)" = 0 ] ||
	fail "a's own block names another origin"

# 2. The bus away for 20 s while a blocks a second attacker address.
stop_nats
t0=$(date +%s)
wait_for 15 q a '{"cmd":"status"}' '.fleet.connected == false' || fail "a does not see the bus lost"
scan -S "$ATT2" -e xx0
wait_for 30 in_block a "$ATT2" || fail "a does not block $ATT2 without the bus"
log "a blocks $ATT2 with the bus down"
q a '{"cmd":"status"}' '.fleet.queued >= 1' || fail "a queued nothing for the bus: $(ctl a '{"cmd":"status"}' | jq -c .fleet)"
while [ "$(since "$t0")" -lt 20 ]; do sleep 1; done
for n in b c; do in_block $n "$ATT2" && fail "$n blocks $ATT2 while the bus is down"; done
start_nats
t0=$(date +%s)
for n in b c; do
	wait_for 45 in_block $n "$ATT2" || fail "$n does not apply a's $ATT2 block within 45 s of the bus's return"
done
log "b and c block $ATT2 $(since "$t0") s after nats-server is back"
wait_for 20 q a '{"cmd":"status"}' '.fleet.connected and .fleet.queued == 0' || fail "a does not empty its queue"

# 3. b restarts (SIGTERM) and misses a third block meanwhile: it catches up,
# without applying again what it had acknowledged.
stop_node b
scan -S "$ATT3" -e xx0
wait_for 30 in_block a "$ATT3" || fail "a does not block $ATT3"
start_node b
wait_for 30 in_block b "$ATT3" || fail "restarted b does not catch up with $ATT3 within 30 s"
sleep 6	# past the consumer's AckWait (5 s): anything unacknowledged comes again
ctl b '{"cmd":"countermeasures"}' > "$T/b-cms.json"
jq -e --arg a "$ATT" --arg b "$ATT2" --arg c "$ATT3" '[.countermeasures[].target] |
	length == (unique | length) and index($a) != null and index($b) != null and index($c) != null' \
	"$T/b-cms.json" > /dev/null || fail "b's countermeasures are not one per target $ATT, $ATT2, $ATT3: $(cat "$T/b-cms.json")"
q b '{"cmd":"status"}' '.fleet.applied == 1' ||
	fail "restarted b applied other than the one decision it missed: $(ctl b '{"cmd":"status"}' | jq -c .fleet)"
for x in "$ATT" "$ATT2" "$ATT3"; do
	[ "$(ip netns exec fb nft list set inet slaguard block4 | grep -o "$x " | wc -l)" = 1 ] ||
		fail "b's block4 does not hold $x exactly once"
done
log "b caught up: one countermeasure and one element per target"

# 4. Deploy: c runs a new version; a broken one is refused, the old stays.
sla c fleet-v2 > "$T/c-v2.yaml"
t0=$(date +%s)
slaguardctl fleet deploy --composite "$T/lab.yaml" --wait 30 c "$T/c-v2.yaml" > "$T/deploy.out" 2>&1
cat "$T/deploy.out"
grep -q '^c runs revision [0-9]* (SLA fleet-v2)' "$T/deploy.out" || fail "deploy of fleet-v2 to c: $(cat "$T/deploy.out")"
wait_for 10 q c '{"cmd":"status"}' '.sla == "fleet-v2"' || fail "c does not run fleet-v2"
log "c runs fleet-v2 $(since "$t0") s after slaguardctl fleet deploy"
q b '{"cmd":"status"}' '.sla == "fleet-v1"' || fail "b's SLA changed with c's deploy"
sed '/id: node-portscan/s/severity: high }/severity: highest }/' "$T/c-v2.yaml" > "$T/c-broken.yaml"
LINE=$(grep -n highest "$T/c-broken.yaml" | cut -d: -f1)
[ "$(echo "$LINE" | wc -l)" = 1 ] || fail "the broken SLA should have one broken line, not $LINE"
slaguardctl fleet deploy --composite "$T/lab.yaml" c "$T/c-broken.yaml" 2> "$T/deploy.err" &&
	fail "slaguardctl deployed a broken SLA"
cat "$T/deploy.err"
grep -q "c-broken.yaml:$LINE:[0-9]*: field .slos\[0\].severity" "$T/deploy.err" ||
	fail "the refusal does not name c-broken.yaml:$LINE: $(cat "$T/deploy.err")"
nats-pub "$SCHEME://127.0.0.1:$PORT" coord pw-coord '$KV.slaguard-sla.c' "$(cat "$T/c-broken.yaml")" ||
	fail "cannot put the broken SLA in the bucket directly"
t0=$(date +%s)
wait_for 30 q c '{"cmd":"status"}' ".fleet.refused_revision > .fleet.sla_revision and (.fleet.sla_error | startswith(\"slaguard-sla/c@\") and contains(\":$LINE:\") and contains(\"field 'slos[0].severity'\"))" ||
	fail "c does not refuse the broken SLA with its line $LINE: $(ctl c '{"cmd":"status"}' | jq -c .fleet)"
log "c refuses the broken version $(since "$t0") s after it was put in the bucket"
q c '{"cmd":"status"}' '.sla == "fleet-v2"' || fail "c does not keep running fleet-v2"
slaguardctl --control /run/slaguard/c.sock fleet status
log "c runs fleet-v2 and refused the broken version at line $LINE"

# 5. b's credentials cannot publish a decision under a's subject.
if [ "$SCHEME" = tls ]; then
	NATS_CERT='' NATS_KEY='' nats-pub "tls://127.0.0.1:$PORT" b pw-b slaguard.lab.b.alert '{}' 2> /dev/null &&
		fail "a client without a certificate published on the bus"
fi
now=$(date +%s)000
FORGED='{"v":1,"op":"apply","id":"lab.a.C999.A999","site":"lab","node":"a","scope":"fleet","action":"block-source","target":"192.0.2.66","issued_ms":'$now',"expires_ms":'$((now + 600000))',"alert":"A999","ref":"node-portscan","severity":"high"}'
nats-pub "$SCHEME://127.0.0.1:$PORT" b pw-b slaguard.lab.a.decision "$FORGED" 2> "$T/pub.err" &&
	fail "b's credentials published under slaguard.lab.a.decision"
wait_for 10 grep -q 'Publish Violation - User "b", Subject "slaguard.lab.a.decision"' "$T/nats.$NATS_RUNS.out" ||
	fail "nats-server does not report b's publish violation"
sleep 2
for n in a c; do in_block $n 192.0.2.66 && fail "$n applied the forged decision"; done
grep -q Violation "$T/nats.1.out" && fail "a node was refused something it needs: $(grep Violation "$T/nats.1.out" | head -n 3)"

for n in a b c; do stop_node $n; done
log "fleet scenario done"
