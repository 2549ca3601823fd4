# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# What fleet-live.sh, coord-live.sh and creds-live.sh share, sourced after
# lib.sh: how they begin and clean up (fleet_begin), three node namespaces
# around the script's own (the hub, where nats-server listens), the nodes'
# NATS permissions, and the TLS certificates (../lib/nats.sh, which the VM
# scenario shares).

. ../lib/nats.sh

idx() { case $1 in a) echo 1;; b) echo 2;; c) echo 3;; esac; }

# fleet_begin NAME [COMMAND...]: root and the commands needed (else NAME is
# skipped), a network namespace of the script's own (the script runs again
# in one), $T, $NS (the node namespaces' prefix), and at exit the nodes
# and nats-server ($NATS_PID) stopped, what the script's fleet_cleanup_more
# stops (if it defines one), the namespaces and $T removed (KEEP=1 keeps T).
fleet_begin() {
	_name=$1
	shift
	if [ "$(id -u)" != 0 ]; then
		echo "$_name: skipped (needs root)"
		exit 0
	fi
	for _c in nats-server socat jq nft ip openssl "$@"; do
		command -v "$_c" > /dev/null || { echo "$_name: skipped (needs $_c)"; exit 0; }
	done
	if [ -z "${SGD_FLEET_NETNS:-}" ]; then
		SGD_FLEET_NETNS=1 exec unshare -n "$(pwd)/$(basename "$0")"
	fi
	ip link set lo up
	T=$(mktemp -d)
	NS=sg${_name%%-*}$$
	NATS_PID=""
	trap fleet_cleanup EXIT
	trap 'exit 1' INT TERM HUP PIPE	# the named namespaces outlive us otherwise
}
fleet_cleanup() {
	for _n in a b c; do
		[ -f "$T/$_n.pid" ] && kill "$(cat "$T/$_n.pid")" 2>/dev/null
	done
	command -v fleet_cleanup_more > /dev/null && fleet_cleanup_more
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null
	sleep 0.3
	for _i in 1 2 3; do ip netns del "$NS$_i" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
# What a failed check shows: the last lines of each daemon's output.
detail() {
	for _n in a b c coord; do [ -f "$T/$_n.out" ] && tail -n 6 "$T/$_n.out" | sed "s/^/#   $_n: /"; done
}

# A free port in the hub: nothing else listens in this namespace, but check.
PORT=4222
while ss -ltn | grep -q ":$PORT "; do PORT=$((PORT + 1)); done

# fleet_netns NAME VETH NET: nodes a, b, c in $NS1..3, each behind a veth
# VETH<i> of the hub, 10.NET.<i>.2 with the hub at 10.NET.<i>.1 (skips NAME
# when namespaces cannot be made)
fleet_netns() {
	for _n in a b c; do
		_i=$(idx $_n)
		ip netns add "$NS$_i" || { echo "$1: skipped (ip netns add failed)"; exit 0; }
		ip link add "$2$_i" type veth peer name eth0 netns "$NS$_i"
		ip addr add "10.$3.$_i.1/24" dev "$2$_i"
		ip link set "$2$_i" up
		ip -n "$NS$_i" addr add "10.$3.$_i.2/24" dev eth0
		ip -n "$NS$_i" link set eth0 up
		ip -n "$NS$_i" link set lo up
		ip -n "$NS$_i" route add default via "10.$3.$_i.1"
	done
}

# node_start NODE: slaguardd for NODE in its namespace with $T/NODE.yaml,
# its control socket $T/NODE.ctl and app socket $T/NODE.app, once the
# control socket is there (5 s at most)
node_start() {
	_i=$(idx "$1")
	ip netns exec "$NS$_i" "$D" -c "$T/$1.yaml" --foreground --no-syslog \
		--nft-table-file "$TOP/nft/slaguard.nft" --attack-shapes "$TOP/data/attack-shapes.json" \
		--control "$T/$1.ctl" --app-socket "$T/$1.app" --state-dir "$T/$1.state" \
		>> "$T/$1.out" 2>&1 &
	echo $! > "$T/$1.pid"
	_j=0
	while [ ! -S "$T/$1.ctl" ] && [ $_j -lt 50 ]; do sleep 0.1; _j=$((_j + 1)); done
}
stop() { # NODE
	kill -TERM "$(cat "$T/$1.pid")"
	wait "$(cat "$T/$1.pid")" 2>/dev/null
	rm -f "$T/$1.pid"
}
# The node's control socket (these replace lib.sh's one-daemon ctl and q).
ctl() { printf '%s\n' "$2" | socat -t 3 - "UNIX-CONNECT:$T/$1.ctl"; }
q() { _ans=$(ctl "$1" "$2") && [ -n "$_ans" ] && printf '%s\n' "$_ans" | jq -e "$3" > /dev/null; }
wait_q() { # NODE REQ FILTER SECS
	_j=0
	while [ $_j -lt $(($4 * 10)) ]; do q "$1" "$2" "$3" && return 0; sleep 0.1; _j=$((_j + 1)); done
	return 1
}

set_has() { # NODE TEXT: TEXT in the node's block4 set
	ip netns exec "$NS$(idx "$1")" nft list set inet slaguard block4 2>/dev/null | grep -q "$2"
}
# Wait up to SECS for NODE's block4 set to hold TEXT.
wait_set() { # NODE TEXT SECS
	_j=0
	while [ $_j -lt $(($3 * 10)) ]; do set_has "$1" "$2" && return 0; sleep 0.1; _j=$((_j + 1)); done
	return 1
}
wait_for_log() { # NODE TEXT SECS: TEXT in NODE's output
	_j=0
	while [ $_j -lt $(($3 * 10)) ]; do grep -qF "$2" "$T/$1.out" && return 0; sleep 0.1; _j=$((_j + 1)); done
	return 1
}

# nats-server with $T/nats.conf (output in $T/nats.out, pid in NATS_PID),
# once it listens (5 s at most)
start_nats() {
	nats-server -c "$T/nats.conf" >> "$T/nats.out" 2>&1 &
	NATS_PID=$!
	_j=0
	while ! ss -ltn | grep -q ":$PORT " && [ $_j -lt 50 ]; do sleep 0.1; _j=$((_j + 1)); done
}
stop_nats() {
	kill "$NATS_PID"; wait "$NATS_PID" 2>/dev/null; NATS_PID=""
}

# fleet_nats_head: what every test's nats.conf starts with: the port, TLS
# with verified clients, JetStream
fleet_nats_head() {
	cat <<CONF
listen: 0.0.0.0:$PORT
tls { cert_file: "$T/server.pem", key_file: "$T/server.key", ca_file: "$T/ca.pem", verify: true, timeout: 2 }
jetstream { store_dir: "$T/js" }
CONF
}

# fleet_nats_conf USER: $T/nats.conf, TLS with verified clients, JetStream,
# the nodes' users and USER (password pw-USER) with no limits
fleet_nats_conf() {
	fleet_nats_head > "$T/nats.conf"
	cat >> "$T/nats.conf" <<CONF
accounts {
  FLEET {
    jetstream: enabled
    users: [
      { user: $1, password: pw-$1 }
$(perms a)
$(perms b)
$(perms c)
    ]
  }
}
CONF
}

# fleet_pki NAME NET: TLS everywhere (nats_pki), or NAME skipped
fleet_pki() {
	nats_pki "$2" || { echo "$1: skipped (openssl could not make certificates)"; exit 0; }
}
