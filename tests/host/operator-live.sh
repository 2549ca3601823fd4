#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Operator actions for real, in a new network namespace with nf_tables:
# `slaguardctl countermeasures add block|allow` over the control socket,
# seen in `nft list`; blocks of protected addresses (a gateway, loopback,
# the allowlist) refused with the reason; an allow lifting a block and
# refusing new ones until revoked; a prefix in the interval set; repeat
# offenders' blocks growing (defaults.repeat) and remembered, with the
# operator's blocks and allows, across a restart; non-root refused. Needs root, socat,
# jq and nft.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
CTLBIN=$TOP/userspace/slaguardctl/slaguardctl

if [ "$(id -u)" != 0 ]; then
	echo "operator-live: skipped (needs root)"
	exit 0
fi
for c in socat jq nft setpriv; do
	command -v $c > /dev/null || { echo "operator-live: skipped (needs $c)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up
# an uplink with a default gateway to protect (a veth pair, like run-netns.sh)
ip link add sg-up type veth peer name sg-up-peer
ip link set sg-up up
ip link set sg-up-peer up
ip addr add 198.19.0.1/24 dev sg-up
ip route add default via 198.19.0.254

T=$(mktemp -d)
CTL=$T/control.sock
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; nft delete table inet slaguard 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh
detail() { for f in "$T/err" "$T/out"; do [ -f "$f" ] && tail -n 8 "$f" | sed 's/^/#   /'; done; }

sc() { "$CTLBIN" --control "$CTL" "$@"; }
# `countermeasures add ...` succeeds, its output in $T/res
add() { sc countermeasures add "$@" > "$T/res" 2> "$T/err"; }
# ... is refused, the message in $T/err matching PATTERN (first argument)
refused() { _p=$1; shift; ! sc countermeasures add "$@" > /dev/null 2> "$T/err" && grep -q "$_p" "$T/err"; }
# jq FILTER over `countermeasures -j`
cmj() { _r=$(sc -j countermeasures) && [ -n "$_r" ] && printf '%s\n' "$_r" | jq -e "$1" > /dev/null; }
set_has() { nft list set inet slaguard "$1" 2>/dev/null | grep -q "$2"; }
id_of() { sc -j countermeasures | jq -r ".countermeasures[] | select(.target == \"$1\" and .action == \"$2\") | .id"; }

cat > "$T/sla.yaml" <<'YAML'
sla: operator-live
components:
  web: { addresses: [10.0.0.10], ports: [80] }
rules:
  - { id: no-telnet, deny: { to: web, port: 23, proto: tcp }, severity: high }
countermeasures:
  - { when: { severity: high }, do: block-source, for: 10m }
allowlist: [10.0.9.0/24]
defaults: { repeat: { multiplier: 2, max: 35m, window: 1h } }
YAML

start() {
	launch -c "$T/sla.yaml" --foreground --no-syslog --control "$CTL" --state-dir "$T" \
		--app-socket "$T/app.sock" "$@"
}

start
check "daemon up" kill -0 "$PID"

# A block, seen in nftables, listed as the operator's.
check "add block: taken" add block 192.0.2.7 for 10m reason "port scanner, ticket 42"
check "... says what was done" grep -qE '^C[0-9]+ blocked 192.0.2.7 for 10m' "$T/res"
check "... in nft's block4 set with its timeout and comment" \
	sh -c "nft list set inet slaguard block4 | grep -qE '192.0.2.7 timeout 10m .*comment \"slaguard rule=operator alert=C[0-9]+ uid=0\"'"
check "listed as the operator's, with the uid and reason" \
	cmj '.countermeasures[] | select(.target == "192.0.2.7") | .origin == "operator" and .uid == 0 and .reason == "port scanner, ticket 42" and .action == "block-source"'
check "the table shows who and why" sh -c "'$CTLBIN' --control '$CTL' countermeasures | grep -q 'operator uid 0: port scanner, ticket 42'"
check "a prefix goes to the interval set" add block 198.51.100.0/24 for 5m
check "... block4_net holds it" set_has block4_net "198.51.100.0/24"
check "IPv6 too" add block 2001:db8:5::/48
check "... block6_net holds it" set_has block6_net "2001:db8:5::/48"

# Protected addresses are refused with the reason.
check "the gateway is refused: says so" refused "gateway" block 198.19.0.254
check "a prefix holding the gateway is refused" refused "refused" block 198.19.0.0/24
ip route add default via 198.19.0.253 table 100
check "a gateway added after the start is refused too" refused "198.19.0.253 is a gateway of table 100" block 198.19.0.253
check "loopback is refused" refused "refused" block 127.0.0.1
check "the host's own address is refused" refused "refused" block 198.19.0.1
check "the SLA's allowlist is refused: says so" refused "10.0.9.5 is allowlisted (10.0.9.0/24" block 10.0.9.5
check "nothing of these reached nftables" sh -c "! nft list set inet slaguard block4 | grep -qE '198.19.0.254|127.0.0.1|10.0.9.5'"
check "host bits set: a usage error naming the network" sh -c "'$CTLBIN' --control '$CTL' countermeasures add block 192.0.2.1/24 2> '$T/err'; [ \$? = 2 ] && grep -q 'did you mean 192.0.2.0/24' '$T/err'"
check "a bad duration: a usage error" sh -c "'$CTLBIN' --control '$CTL' countermeasures add block 192.0.2.9 for soon 2> /dev/null; [ \$? = 2 ]"
check "a non-root peer cannot add" sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups '$CTLBIN' --control '$CTL' countermeasures add block 192.0.2.66 2> /dev/null"
check "... and nothing was added" sh -c "! nft list set inet slaguard block4 | grep -q 192.0.2.66"

# An allow lifts the block and refuses new ones until it is revoked.
check "add allow: taken" add allow 192.0.2.0/24 for 1h reason "our partner"
check "... lifted the block" grep -q "1 countermeasures lifted" "$T/res"
check "... the element is gone from nftables" sh -c "! nft list set inet slaguard block4 | grep -q '192.0.2.7 '"
check "... listed as an allow" cmj '.countermeasures[] | select(.target == "192.0.2.0/24") | .action == "allow" and .origin == "operator" and .reason == "our partner"'
check "a block inside the allow is refused" refused "an operator's allow" block 192.0.2.7
ALLOW=$(id_of 192.0.2.0/24 allow)
check "revoke the allow" sh -c "'$CTLBIN' --control '$CTL' countermeasures revoke '$ALLOW' > /dev/null"
check "the block is taken again" add block 192.0.2.7 for 10m
check "... in nftables again" set_has block4 "192.0.2.7 "
check "revoke by address" sh -c "'$CTLBIN' --control '$CTL' countermeasures revoke 198.51.100.0/24 | grep -qx 'revoked 1 on 198.51.100.0/24'"
check "... gone from block4_net" sh -c "! nft list set inet slaguard block4_net | grep -q 198.51.100.0/24"

# Repeat offenders: 10m, 20m, 35m (40m capped at max).
rep() {
	add block 203.0.113.5 for 10m || return 1
	nft list set inet slaguard block4 | grep -qE "203.0.113.5 timeout $1 " || return 1
	sc countermeasures revoke "$(id_of 203.0.113.5 block-source)" > /dev/null
}
check "1st block of a source: 10m" rep 10m
check "2nd block within the window: 20m" rep 20m
check "... the CLI says which block it is" grep -q "block 2 within defaults.repeat.window" "$T/res"
check "3rd: 35m, the ceiling" rep 35m

# A restart keeps the operator's block (id, origin), allows and the counts.
OPID=$(id_of 192.0.2.7 block-source)
add allow 203.0.113.77 for 2h reason "kept"
APID=$(id_of 203.0.113.77 allow)
check "clean stop" stop
check "the counts are in the state directory" grep -qE '^203.0.113.5	3	' "$T/offenders"
start
check "the operator's block is adopted with its id and origin" \
	cmj ".countermeasures[] | select(.target == \"192.0.2.7\") | .id == \"$OPID\" and .origin == \"operator\""
check "the allow is kept with its id" \
	cmj ".countermeasures[] | select(.target == \"203.0.113.77\") | .id == \"$APID\" and .action == \"allow\" and .reason == \"kept\""
sleep 1.5	# the first ticks give the kept allow to the backend's guard
check "... and still refuses a block" refused "allowlisted" block 203.0.113.77
check "4th block after the restart: still the ceiling" rep 35m
add block 203.0.113.6 for 10m
check "another source starts at its base" set_has block4 "203.0.113.6 timeout 10m "
stop
if command -v sqlite3 > /dev/null; then
	check "the history holds the operator's actions, uid and reason" sh -c "sqlite3 '$T/history.db' \"SELECT action || ' ' || target || ' ' || alert FROM countermeasures WHERE ref = 'operator'\" | grep -qx 'block-source 192.0.2.7 uid 0: port scanner, ticket 42' && sqlite3 '$T/history.db' \"SELECT COUNT(*) FROM countermeasures WHERE ref = 'operator' AND action = 'allow'\" | grep -qx 2"
fi

finish operator-live
