#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fleet decisions from one origin to many nodes over NATS JetStream. Runs
# inside the test VM (bench/run.sh --scenarios fleet_prop --mem 2048):
# nats-server -js on loopback, then fleet_prop (bench/fleet_prop.c): NODES
# simulated nodes, each a durable consumer configured as slaguardd's fleet
# fetcher, and a burst of DECISIONS decisions, each acknowledged by the
# stream before the next, as slaguardd publishes. With BENCH_PULL=1, then
# the same with pull consumers (one message a fetch), what the fetcher used
# before (slow: under TCG it takes many minutes).
# Reported: publish rate, decisions/s delivered to every node, latency
# publish -> node p50/p99/max over every (node, decision) pair. The bus
# only; the node's own part (decode, guard, nft) is in daemon_latency.sh.
#
# Two client shapes, side by side in one boot: a connection and a thread
# per node (as each slaguardd is), then the nodes sharing BENCH_CONNS
# connections with a callback pool (fleet_prop --conns): the server's work
# is the same 100 consumers either way; only the simulation's own threads
# differ, which one VM pays for all 100 hosts.
#
# Environment: BENCH_NODES (100), BENCH_DECISIONS (10000), BENCH_CONNS (4;
# 0 skips the shared run), BENCH_PER_NODE (1; 0 skips the thread-per-node
# run), BENCH_ASAP (0; 1 adds --asap to both), BENCH_PULL (0).
. "$(dirname "$0")/../tests/e2e/lib.sh"

NODES=${BENCH_NODES:-100}
DECISIONS=${BENCH_DECISIONS:-10000}
PORT=14222

need_cmd nats-server fleet_prop
mkdir -p "$T/js"
nats-server -js -a 127.0.0.1 -p $PORT -sd "$T/js" > "$T/nats.log" 2>&1 &
NATS=$!
i=0
while ! fleet_prop nats://127.0.0.1:$PORT 1 1 > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "nats-server did not start: $(tail -n 3 "$T/nats.log")"
	sleep 0.2
done
ASAP=""
[ "${BENCH_ASAP:-0}" = 1 ] && ASAP=--asap
if [ "${BENCH_PER_NODE:-1}" = 1 ]; then
	# shellcheck disable=SC2086 # ASAP: a word or nothing
	fleet_prop $ASAP nats://127.0.0.1:$PORT "$NODES" "$DECISIONS" > "$T/push" 2>&1 ||
		fail "fleet_prop (push) failed: $(tail -n 3 "$T/push")"
fi
if [ "${BENCH_CONNS:-4}" -gt 0 ]; then
	# shellcheck disable=SC2086
	fleet_prop $ASAP --conns="${BENCH_CONNS:-4}" nats://127.0.0.1:$PORT "$NODES" "$DECISIONS" \
		> "$T/shared" 2>&1 || fail "fleet_prop (shared) failed: $(tail -n 3 "$T/shared")"
fi
if [ "${BENCH_PULL:-0}" = 1 ]; then
	fleet_prop --pull nats://127.0.0.1:$PORT "$NODES" "$DECISIONS" > "$T/pull" 2>&1 ||
		fail "fleet_prop (pull) failed: $(tail -n 3 "$T/pull")"
fi
kill $NATS

echo "==== slaguard bench report ===="
accel=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^sgtest.accel=//p')
echo "fleet propagation: kernel $(uname -r), $(nproc) vCPUs (QEMU TCG, thread=${accel:-single}), nats-server $(nats-server --version | awk '{ print $NF }') -js on loopback"
echo
if [ -f "$T/push" ]; then
	echo "push consumers (slaguardd's fetcher), a connection and a thread per node:"
	sed 's/^/  /' "$T/push"
fi
if [ -f "$T/shared" ]; then
	echo "push consumers, the nodes sharing ${BENCH_CONNS:-4} connections:"
	sed 's/^/  /' "$T/shared"
fi
if [ -f "$T/pull" ]; then
	echo "pull consumers, one message a fetch (the fetcher before):"
	sed 's/^/  /' "$T/pull"
fi
echo "==== end of report ===="
