#!/bin/sh
# Host tests of the nftables backend, inside a private network namespace
# (the Makefile starts this under `unshare -n`), so the host's own ruleset
# is never touched. Builds a small world around the test:
#
#   this namespace                          peer namespace (unshare -n sleep)
#   lo                                      lo
#   sg-a 198.18.0.1/24 fd00:5a::1/64 <veth> sg-b 198.18.0.2/24 fd00:5a::2/64
#   sg-up 198.19.0.1/24 fd00:5b::1/64 (veth to sg-up-peer, same namespace)
#     default via 198.19.0.254 / fd00:5b::fe   (gateways to protect)
#   socat listening on tcp/8080 (both families)
#
# Addresses are from benchmarking/ULA ranges and exist only in these two
# namespaces. Usage: run-netns.sh TEST_BINARY [cmocka args]
set -eu

# The Makefile runs `unshare -n sh run-netns.sh`, so our parent (make) is in
# the namespace we must not touch; /proc/1 may not be readable.
self_ns=$(readlink /proc/self/ns/net)
for other in "/proc/$PPID/ns/net" /proc/1/ns/net; do
	if [ "$(readlink "$other" 2>/dev/null)" = "$self_ns" ]; then
		echo "run-netns.sh: not in a private network namespace; refusing to touch the host's ruleset" >&2
		exit 1
	fi
done

peer=""
listener=""
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	[ -n "$peer" ] && kill "$peer" 2>/dev/null
	nft flush ruleset 2>/dev/null || true
}
trap cleanup EXIT

ip link set lo up
# an uplink with a default gateway (a veth pair: there may be no dummy module)
ip link add sg-up type veth peer name sg-up-peer
ip link set sg-up up
ip link set sg-up-peer up
ip addr add 198.19.0.1/24 dev sg-up
ip -6 addr add fd00:5b::1/64 dev sg-up nodad
ip route add default via 198.19.0.254
ip -6 route add default via fd00:5b::fe dev sg-up

unshare -n sleep 3600 &
peer=$!
# wait until the child has its own namespace
i=0
while [ "$(readlink /proc/$peer/ns/net 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "run-netns.sh: peer namespace did not appear" >&2; exit 1; }
	sleep 0.02
done
ip link add sg-a type veth peer name sg-b netns "$peer"
ip addr add 198.18.0.1/24 dev sg-a
ip -6 addr add fd00:5a::1/64 dev sg-a nodad
ip link set sg-a up
nsenter -t "$peer" -n sh -c '
	ip link set lo up
	ip addr add 198.18.0.2/24 dev sg-b
	ip -6 addr add fd00:5a::2/64 dev sg-b nodad
	ip link set sg-b up'

socat TCP6-LISTEN:8080,ipv6only=0,reuseaddr,fork SYSTEM:'echo ok' &
listener=$!
sleep 0.2

# the test binary checks it runs in this very namespace
export SLAGUARD_TEST_NETNS="$self_ns" SLAGUARD_TEST_PEER_PID="$peer"
"$@"
