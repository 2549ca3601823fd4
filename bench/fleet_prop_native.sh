#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fleet's propagation natively (bench/fleet_prop.c; fleet_prop.sh is
# the same in the VM): a nats-server with JetStream of its own (in a
# private network namespace when run as root), NODES simulated nodes with a
# durable consumer each, a burst of DECISIONS decisions from one origin.
# Prints p50/p99 of the latency from publish to every node, and
# decisions/s. Figures, not pass/fail. OPTIONS go to fleet_prop (--pull,
# --async, --conns=C, --asap).
#
#   bench/fleet_prop_native.sh [OPTIONS] [NODES [DECISIONS]]   (100 and 10000)
cd "$(dirname "$0")" || exit 1
if [ "$(id -u)" = 0 ] && [ -z "${SGB_NETNS:-}" ]; then
	SGB_NETNS=1 exec unshare -n "$(pwd)/$(basename "$0")" "$@"
fi
[ "$(id -u)" = 0 ] && ip link set lo up
command -v nats-server > /dev/null || { echo "fleet_prop_native: skipped (needs nats-server)"; exit 0; }
make -s -C . fleet_prop || exit 1
OPTS=""
while [ "${1#--}" != "$1" ]; do OPTS="$OPTS $1"; shift; done
T=$(mktemp -d)
PORT=14222
while ss -ltn | grep -q ":$PORT "; do PORT=$((PORT + 1)); done
nats-server -js -a 127.0.0.1 -p $PORT -sd "$T/js" > "$T/nats.out" 2>&1 &
NATS=$!
trap 'kill $NATS 2>/dev/null; wait $NATS 2>/dev/null; rm -rf "$T"' EXIT
i=0
while ! ss -ltn | grep -q ":$PORT " && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
echo "# nats-server $(nats-server --version | cut -d' ' -f2), $(nproc) CPUs, $(uname -r)"
# shellcheck disable=SC2086 # OPTS: words
../build/bench/fleet_prop $OPTS "nats://127.0.0.1:$PORT" "${1:-100}" "${2:-10000}"
