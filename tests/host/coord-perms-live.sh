#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguard-coord(8) says which NATS permissions the coordinator needs
# (SECURITY): this gives its user exactly those, read from the page, on a
# nats-server -js, and runs it: it sets up its stream, buckets and
# consumer, turns a node's SLO into a published composite change and its
# bucket key (read back by slaguardctl fleet alerts), stops, starts again
# restoring its state, and the server logs no permissions violation. A
# permission the page leaves out fails here. Needs root (a network
# namespace), nats-server, jq.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
COORD=$TOP/userspace/coord/slaguard-coord
CTL=$TOP/userspace/slaguardctl/slaguardctl
PUB=./build/nats-pub
PAGE=$TOP/man/slaguard-coord.8

if [ "$(id -u)" != 0 ]; then
	echo "coord-perms-live: skipped (needs root)"
	exit 0
fi
for c in nats-server jq; do
	command -v $c > /dev/null || { echo "coord-perms-live: skipped (needs $c)"; exit 0; }
done
[ -x "$PUB" ] || { echo "coord-perms-live: $PUB missing: make -C tests/host"; exit 1; }
if [ -z "${SGD_COORD_PERMS_NETNS:-}" ]; then
	SGD_COORD_PERMS_NETNS=1 exec unshare -n "$(pwd)/$(basename "$0")" "$@"
fi
ip link set lo up

T=$(mktemp -d)
NATS_PID=""
COORD_PID=""
cleanup() {
	[ -n "$COORD_PID" ] && kill "$COORD_PID" 2>/dev/null
	[ -n "$NATS_PID" ] && kill "$NATS_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

. ./lib.sh
detail() {
	for f in coord nats; do
		[ -f "$T/$f.out" ] && tail -n 6 "$T/$f.out" | sed "s/^/#   $f: /"
	done
}

# The page's list (the .EX block of SECURITY) for stream SLAGUARD (S),
# composite shop (C, consumer D), site lab and node coord, each bucket for
# B: "publish SUBJECT" or "subscribe SUBJECT", one a line.
sed -n '/^\.SH SECURITY/,/^\.EE/p' "$PAGE" | sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' |
	sed -e 's/(its own fleet section)//' -e 's/\\-/-/g' \
	    -e 's/\\fIS\\fP/SLAGUARD/g' -e 's/\\fIC\\fP/shop/g' -e 's/\\fID\\fP/coord_shop/g' \
	    -e 's/\\fISITE\\fP/lab/g' -e 's/\\fINODE\\fP/coord/g' -e 's/\\fIB\\fP/@B@/g' |
	awk '$1 ~ /^[a-z]+:$/ { kind = substr($1, 1, length($1) - 1); $1 = "" }
	     { n = split($0, a, /[ ,]+/)
	       for (i = 1; i <= n; i++) if (a[i] != "") print kind, a[i] }' |
	while read -r kind subject; do
		case $subject in
		*@B@*)
			for b in slaguard-sla slaguard-status slaguard-coord; do
				echo "$kind $(echo "$subject" | sed "s/@B@/$b/")"
			done ;;
		*) echo "$kind $subject" ;;
		esac
	done > "$T/perms"
check "the page lists what to publish and subscribe to ($(wc -l < "$T/perms") subjects)" sh -c \
	"grep -q '^publish slaguard.lab.coord.composite\$' '$T/perms' &&
	 grep -q '^subscribe ' '$T/perms' && ! grep -qv '^\(publish\|subscribe\) [^ ]*\$' '$T/perms' &&
	 ! grep -q 'fI\|fP' '$T/perms'"

# Quoted, so the server takes "$JS..." as it is (not as a variable).
list() { grep "^$1 " "$T/perms" | sed 's/^[a-z]* //; s/.*/"&"/' | paste -sd, -; }
PORT=14890
cat > "$T/nats.conf" <<CONF
listen: 127.0.0.1:$PORT
jetstream { store_dir: "$T/js" }
accounts {
  FLEET {
    jetstream: enabled
    users: [
      { user: admin, password: pw-admin }
      { user: coord, password: pw-coord, permissions: {
          publish: { allow: [ $(list publish) ] },
          subscribe: { allow: [ $(list subscribe) ] } } }
    ]
  }
}
CONF
nats-server -c "$T/nats.conf" > "$T/nats.out" 2>&1 &
NATS_PID=$!
i=0
while ! grep -q 'Server is ready' "$T/nats.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "nats-server takes the page's permissions" grep -q 'Server is ready' "$T/nats.out"

cat > "$T/b.yaml" <<YAML
sla: web-v1
components: { web: { addresses: [10.0.2.20] } }
slos:
  - { id: web-access, metric: app.access_violations, component: web, max: 0, window: 1m, severity: low }
YAML
for u in coord admin; do
	cat > "$T/$u.yaml" <<YAML
composite: shop
fleet: { servers: [nats://127.0.0.1:$PORT], node: coord, site: lab, user: $u, password: pw-$u }
nodes: [ { name: b, sla: b.yaml } ]
slos: [ { id: web-up, all-compliant: [web@b] } ]
YAML
done

# start N: the coordinator, once it said it is set up for the Nth time
# (20 s at most)
start() {
	"$COORD" "$T/coord.yaml" >> "$T/coord.out" 2>&1 &
	COORD_PID=$!
	i=0
	while [ $i -lt 200 ] && kill -0 $COORD_PID 2>/dev/null &&
		[ "$(grep -c 'durable consumer coord_shop' "$T/coord.out")" -lt "$1" ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(grep -c 'durable consumer coord_shop' "$T/coord.out")" -ge "$1" ]
}
stop() { kill "$COORD_PID" 2>/dev/null; wait "$COORD_PID"; _rc=$?; COORD_PID=""; [ $_rc = 0 ]; }
# composite FILTER: the last message on the coordinator's subject passes
# the jq FILTER (empty input must not pass)
composite() {
	_m=$("$PUB" "nats://127.0.0.1:$PORT" admin pw-admin --last slaguard.lab.coord.composite 2>/dev/null) &&
		[ -n "$_m" ] && printf '%s\n' "$_m" | jq -e "$1" > /dev/null 2>&1
}

check "it sets up the stream, the buckets and its consumer" start 1
"$PUB" "nats://127.0.0.1:$PORT" admin pw-admin slaguard.lab.b.slo \
	'{"id":"web-access","component":"web","state":"violated","value":"1","bound":"0"}' > /dev/null
i=0
while ! composite '.state == "violated"' && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "... and publishes the change on slaguard.lab.coord.composite" \
	composite '.composite == "shop" and .id == "web-up" and .state == "violated"'
sleep 2.5	# the bucket key is put at least every 2 s
check "... and puts its state (slaguardctl fleet alerts)" sh -c \
	"'$CTL' fleet alerts --composite '$T/admin.yaml' | grep -q 'web-up *violated'"
check "... and stops cleanly" stop
restarted() { start 2 && grep -q 'state of 1 nodes restored' "$T/coord.out"; }
check "started again, it restores its state from the bucket" restarted
check "... and stops cleanly again" stop
check "the server logged no permissions violation" sh -c \
	"grep -q 'Server is ready' '$T/nats.out' && ! grep -i 'violation' '$T/nats.out'"

finish coord-perms-live
