# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# What fleet-live.sh and coord-live.sh share, sourced after lib.sh: three
# node namespaces around this one (the hub, where nats-server listens),
# the nodes' NATS permissions, and the TLS certificates. The script sets T
# and NS (the namespaces' name prefix).

idx() { case $1 in a) echo 1;; b) echo 2;; c) echo 3;; esac; }

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

# One user per node: it publishes only under its own subjects, uses the
# JetStream API for the stream and its own durable consumer, watches the
# SLA bucket (writing nothing in it) and puts only its own status key.
perms() { # NODE
	d="lab_$1"
	cat <<CONF
      { user: $1, password: pw-$1, permissions: {
          publish: { allow: [ "slaguard.lab.$1.>", "\$JS.API.INFO",
            "\$JS.API.STREAM.INFO.SLAGUARD", "\$JS.API.STREAM.CREATE.SLAGUARD",
            "\$JS.API.CONSUMER.INFO.SLAGUARD.$d", "\$JS.API.CONSUMER.CREATE.SLAGUARD.$d",
            "\$JS.API.CONSUMER.CREATE.SLAGUARD.$d.>", "\$JS.API.CONSUMER.DURABLE.CREATE.SLAGUARD.$d",
            "\$JS.ACK.SLAGUARD.$d.>",
            "\$JS.API.STREAM.INFO.KV_slaguard-sla", "\$JS.API.STREAM.INFO.KV_slaguard-status",
            "\$JS.API.STREAM.NAMES",
            "\$JS.API.CONSUMER.CREATE.KV_slaguard-sla", "\$JS.API.CONSUMER.CREATE.KV_slaguard-sla.>",
            "\$JS.API.CONSUMER.DELETE.KV_slaguard-sla.>", "\$JS.FC.KV_slaguard-sla.>",
            "\$KV.slaguard-status.$1" ] },
          subscribe: { allow: [ "_INBOX.>" ] } } }
CONF
}

pki() { # NAME EXT
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1" 2> /dev/null &&
	printf '%b\n' "$2" > "$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days 1 -extfile "$T/$1.ext" -out "$T/$1.pem" 2> /dev/null
}

# fleet_pki NAME NET: TLS everywhere: a test CA, the server's certificate
# for the hub's addresses, one client certificate the nodes share (the
# server verifies it), in $NATS_CA, $NATS_CERT and $NATS_KEY
fleet_pki() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-keyout "$T/ca.key" -out "$T/ca.pem" -subj /CN=slaguard-test-ca 2> /dev/null &&
	pki server "subjectAltName=IP:10.$2.1.1,IP:10.$2.2.1,IP:10.$2.3.1,IP:127.0.0.1\nextendedKeyUsage=serverAuth" &&
	pki client "extendedKeyUsage=clientAuth" ||
		{ echo "$1: skipped (openssl could not make certificates)"; exit 0; }
	export NATS_CA="$T/ca.pem" NATS_CERT="$T/client.pem" NATS_KEY="$T/client.key"
}
