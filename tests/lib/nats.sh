# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# The fleet's NATS server as the tests set it up, shared by the host tests
# (tests/host/fleet-lib.sh) and the VM scenario (tests/e2e/81-daemon-fleet.sh):
# what a node may do on the bus, and the TLS certificates. The caller sets T.

# What a node may do on the bus, one subject a line: it publishes only under
# its own subjects, uses the JetStream API for the stream and its own durable
# consumer, watches the SLA bucket (writing nothing in it) and puts only its
# own status key. The server's users (perms) and the user JWTs of
# tests/tools/nats-mint both come from these lists.
node_publish() { # NODE
	d="lab_$1"
	printf '%s\n' "slaguard.lab.$1.>" "\$JS.API.INFO" \
		"\$JS.API.STREAM.INFO.SLAGUARD" "\$JS.API.STREAM.CREATE.SLAGUARD" \
		"\$JS.API.CONSUMER.INFO.SLAGUARD.$d" "\$JS.API.CONSUMER.CREATE.SLAGUARD.$d" \
		"\$JS.API.CONSUMER.CREATE.SLAGUARD.$d.>" "\$JS.API.CONSUMER.DURABLE.CREATE.SLAGUARD.$d" \
		"\$JS.ACK.SLAGUARD.$d.>" \
		"\$JS.API.STREAM.INFO.KV_slaguard-sla" "\$JS.API.STREAM.INFO.KV_slaguard-status" \
		"\$JS.API.STREAM.NAMES" \
		"\$JS.API.CONSUMER.CREATE.KV_slaguard-sla" "\$JS.API.CONSUMER.CREATE.KV_slaguard-sla.>" \
		"\$JS.API.CONSUMER.DELETE.KV_slaguard-sla.>" "\$JS.FC.KV_slaguard-sla.>" \
		"\$KV.slaguard-status.$1"
}
node_subscribe() { # NODE
	echo '_INBOX.>'
}

# A list as the server's configuration writes it: "a", "b"
conf_list() {
	_sep=""
	while IFS= read -r _s; do printf '%s"%s"' "$_sep" "$_s"; _sep=", "; done
}

# One user per node (password pw-NODE) with node_publish and node_subscribe.
perms() { # NODE
	cat <<CONF
      { user: $1, password: pw-$1, permissions: {
          publish: { allow: [ $(node_publish "$1" | conf_list) ] },
          subscribe: { allow: [ $(node_subscribe "$1" | conf_list) ] } } }
CONF
}

pki() { # NAME EXT: a key and a certificate signed by the test CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T/$1.key" -out "$T/$1.csr" -subj "/CN=$1" 2>> "$T/openssl.err" &&
	printf '%b\n' "$2" > "$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days 1 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>> "$T/openssl.err"
}

# nats_pki NET: a test CA, the server's certificate for 10.NET.{1,2,3}.1
# and loopback, one client certificate the nodes share (the server verifies
# it), in $NATS_CA, $NATS_CERT and $NATS_KEY; non-zero (openssl's words in
# $T/openssl.err) when openssl fails
nats_pki() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-keyout "$T/ca.key" -out "$T/ca.pem" -subj /CN=slaguard-test-ca 2>> "$T/openssl.err" &&
	pki server "subjectAltName=IP:10.$1.1.1,IP:10.$1.2.1,IP:10.$1.3.1,IP:127.0.0.1\nextendedKeyUsage=serverAuth" &&
	pki client "extendedKeyUsage=clientAuth" || return 1
	export NATS_CA="$T/ca.pem" NATS_CERT="$T/client.pem" NATS_KEY="$T/client.key"
}
