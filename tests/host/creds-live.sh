#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fleet logging in with NATS credentials files (.creds: a user JWT and
# its nkey seed, as nsc makes them): nats-server -js in operator mode over
# TLS, its operator, account and users made by build/nats-mint
# (tests/tools/nats-mint), each node's JWT allowing what node_publish and
# node_subscribe (../lib/nats.sh) allow fleet-live.sh's users. Decisions
# are caused by application events, so no module is needed. Needs root,
# nats-server, nft, socat, jq, openssl.
#
#          hub netns (this script, nats-server -js on 10.97.0.1:PORT)
#          |  kh1 10.97.1.1        |  kh2 10.97.2.1       |  kh3 10.97.3.1
#   node a: 10.97.1.2      node b: 10.97.2.2      node c: 10.97.3.2
#
# Covers: a and b connect with their .creds files; a fleet decision on a is
# applied by b; a's credentials cannot publish under b's decision subject;
# c, whose user JWT another operator signed, is refused at connect and its
# log says so once, however often it tries again; once its file holds a
# good .creds, c connects by itself and applies the decision a made
# meanwhile; a missing or unreadable credentials file stops slaguardd at
# start with the file named (slaguardctl sla check does not read it: the
# file may be on the node an SLA is deployed to).
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=${SLAGUARDD:-$TOP/userspace/slaguardd/slaguardd}
CTL=$TOP/userspace/slaguardctl/slaguardctl
MINT=./build/nats-mint

. ./lib.sh
. ./fleet-lib.sh
fleet_begin creds-live
fleet_netns creds-live kh 97
fleet_pki creds-live 97

# mint DIR NODE...: nats-mint's operator with the system account, and per
# NODE a user with the node's permissions (the same lists perms writes)
mint() {
	_dir=$1; shift
	_nodes=$*
	set -- -sys "$_dir"
	for _n in $_nodes; do
		set -- "$@" "$_n"
		for _s in $(node_publish "$_n"); do set -- "$@" -pub "$_s"; done
		for _s in $(node_subscribe "$_n"); do set -- "$@" -sub "$_s"; done
	done
	"$MINT" "$@"
}
check "nats-mint makes the operator, account and users" mint "$T/mint" a b c
# Another operator: its user c is not known to our server.
check "... and another operator's" mint "$T/other" c
fleet_nats_head > "$T/nats.conf"
cat "$T/mint/server.conf" >> "$T/nats.conf"

# NODE's SLA, logging in with CREDS: a data rule whose violation blocks
# its source fleet-wide.
sla() { # NODE CREDS
	cat <<YAML
sla: creds-$1
components:
  db: { addresses: [10.0.1.20] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
countermeasures:
  - { when: { rule: no-cards }, do: block-source, for: 10m, scope: fleet }
defaults: { holdoff: 1s }
fleet:
  servers: [tls://10.97.$(idx "$1").1:$PORT]
  node: $1
  site: lab
  credentials: $2
  tls: { ca: $T/ca.pem, cert: $T/client.pem, key: $T/client.key }
YAML
}
start() { sla "$1" "$2" > "$T/$1.yaml"; node_start "$1"; } # NODE CREDS
violate() { # NODE SOURCE
	printf '{"component":"db","user":"shop","action":"read","resource":"cards/1","source":"%s"}\n' \
		"$2" | socat -t 1 - "UNIX-CONNECT:$T/$1.app"
}
alive() { kill -0 "$(cat "$T/$1.pid")" 2>/dev/null; } # NODE

start_nats
check "nats-server runs in operator mode" grep -q 'Operator: "slaguard-test"' "$T/nats.out"

# 1. Both nodes log in with their .creds and share a decision.
start a "$T/mint/a.creds"
start b "$T/mint/b.creds"
for n in a b; do
	check "$n connects with its .creds" wait_q $n '{"cmd":"status"}' '.fleet.connected' 10
done
check "slaguardctl fleet status on b says connected" sh -c "'$CTL' --control '$T/b.ctl' fleet status | grep -q '^node b@lab, stream SLAGUARD: connected'"
violate a 192.0.2.9
check "a blocks 192.0.2.9 itself" wait_set a '192.0.2.9 ' 5
check "b applies a's decision" wait_set b '192.0.2.9 .*origin=a@lab' 10
check "... and counts it" q b '{"cmd":"status"}' '.fleet.applied == 1'
check "the server refused the nodes nothing they need" sh -c "! grep -q 'Violation' '$T/nats.out'"

# 2. The permissions in a's JWT: its own subjects, not b's.
now=$(date +%s%3N)
FORGED='{"v":1,"op":"apply","id":"lab.b.C999.A999","site":"lab","node":"b","scope":"fleet","action":"block-source","target":"192.0.2.66","issued_ms":'$now',"expires_ms":'$((now + 600000))',"alert":"A999","ref":"no-cards","severity":"critical"}'
URL=tls://127.0.0.1:$PORT
check "a's .creds publish under a's subject" ./build/nats-pub --creds "$T/mint/a.creds" "$URL" slaguard.lab.a.alert '{}'
check "a's .creds cannot publish under b's decision subject" sh -c "! ./build/nats-pub --creds '$T/mint/a.creds' $URL slaguard.lab.b.decision '$FORGED' 2> '$T/pub.err'"
check "... the server says why" grep -q 'Publish Violation - JWT User "U[A-Z0-9]*", Subject "slaguard.lab.b.decision"' "$T/nats.out"
check "... and a does not apply it" sh -c "sleep 1; ! ip netns exec ${NS}1 nft list set inet slaguard block4 | grep -q '192.0.2.66 '"

# 3. A user JWT of another operator: refused at connect, and said so. The
# client gives up at once (nats.c 3.4): slaguardd connects again itself,
# after 1, 2, 4, 8 ... s, and reads the file again each time.
cp "$T/other/c.creds" "$T/c.creds"
start c "$T/c.creds"
check "c, signed by another operator, is refused and its log says so" wait_for_log c \
	"fleet: the NATS server refused this node's login (credentials $T/c.creds): Authorization Violation" 10
check "... the server logs the failed login" grep -q 'authentication error' "$T/nats.out"
check "... c is not connected" q c '{"cmd":"status"}' '.fleet.connected == false'
check "... its bus alert says it is refused, and why" wait_q c '{"cmd":"alerts"}' \
	'any(.alerts[]; .ref == "fleet.bus" and (.summary | test("refuse this node")) and .evidence.error == "Authorization Violation")' 5
violate a 192.0.2.10
check "a blocks 192.0.2.10 while c is refused" wait_set a '192.0.2.10 ' 5
logins() { grep -c 'authentication error' "$T/nats.out"; }
refusals() { grep -c "refused this node's login" "$T/c.out"; }
sleep 10
check "c tries to log in again by itself ($(logins) logins refused so far)" [ "$(logins)" -ge 4 ]
check "... its log says the refusal once, not at each try ($(refusals) times)" [ "$(refusals)" -le 2 ]
cp "$T/mint/c.creds" "$T/c.creds"
check "with a good .creds in its file, c connects by itself" wait_q c '{"cmd":"status"}' '.fleet.connected' 70
check "... says so" wait_for_log c "fleet: connected to the NATS servers again" 5
check "... applies a's decision made while it was refused" wait_set c '192.0.2.10 .*origin=a@lab' 10
check "... and its bus alert is over" wait_q c '{"cmd":"status"}' '.fleet.bus_alert == false' 5
stop c

# 4. No credentials file, one slaguardd cannot read, an empty one: it does
# not start, and says which file. slaguardctl sla check accepts the SLA
# (the file is the node's: an SLA may be checked elsewhere, then deployed).
gone_c() { _j=0; while [ $_j -lt 50 ]; do alive c || return 0; sleep 0.1; _j=$((_j + 1)); done; return 1; }
refused_at_start() { # FILE WHAT WHY
	rm -f "$T/c.pid" "$T/c.ctl" "$T/c.app"
	mv "$T/c.out" "$T/c-prev.out" 2>/dev/null
	start c "$1"
	check "slaguardd does not start with $2" gone_c
	check "... and says why, naming the file" grep -qF "fleet: credentials $1: $3" "$T/c.out"
}
mv "$T/c.out" "$T/c-other.out"
sla c "$T/missing.creds" > "$T/c.yaml"
check "slaguardctl sla check accepts an SLA naming a missing .creds" sh -c "'$CTL' sla check '$T/c.yaml' > /dev/null"
refused_at_start "$T/missing.creds" "a missing .creds" "No such file or directory"
# root reads any file: one it cannot read is a directory.
mkdir "$T/dir.creds"
refused_at_start "$T/dir.creds" "a .creds it cannot read" "Is a directory"
: > "$T/empty.creds"
refused_at_start "$T/empty.creds" "an empty .creds" "empty; a NATS credentials file (.creds) holds a user JWT and its nkey seed"
rm -f "$T/c.pid"

for n in a b; do stop $n; done
# With SLAGUARDD built with sanitizers, their reports end up in the logs.
check "no sanitizer report" sh -c "! grep -l 'Sanitizer\|runtime error' '$T'/*.out"
finish creds-live
