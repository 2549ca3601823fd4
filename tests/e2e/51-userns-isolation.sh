#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Network namespaces owned by an unprivileged user (unshare -Urn) must not
# flood the host's listener nor wipe the host's state:
#  - the host has a watch of its own and sources of its own (loopback, from
#    127.0.0.2-21);
#  - uid 1000, root of a user and network namespace of its own, adds 1024
#    watches on every new TCP connection with no per-watch rate limit
#    (watch-events 0) and its detectors off, scans its own loopback from
#    10.99.0.1 (40 ports), and floods it
#    with SYNs from random spoofed sources (hping3 --rand-source); in a
#    second namespace it floods the same way with no watch, to fill the
#    source table (capacity 2048). Nothing leaves its namespaces;
#  - the host listener receives every host event, numbered without a gap;
#  - the host still sees namespace 1's scan: what is forwarded is judged by
#    the host's thresholds, not the ones the namespace turned off;
#  - what namespace 1 forwards to the host stays within the forwarding
#    budget (ns-forward-rate, 200 events/s by default), and the rest is
#    counted as forward_suppressed in that namespace's stats;
#  - every host source is still tracked after the floods; namespace 2 holds
#    no more than its share of the table;
#  - stats are per namespace: a namespace sees its own packets, not the
#    host's. Slab usage and the table's objects before and after are logged.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq hping3 unshare setpriv socat
[ -w /proc/sys/kernel/unprivileged_userns_clone ] && echo 1 > /proc/sys/kernel/unprivileged_userns_clone
user() {
	setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
FLOOD_S=12
HOST_SRCS=20
CAPACITY=2048

load_module capacity=$CAPACITY
INIT_NETNS=$(readlink /proc/self/ns/net | tr -dc '0-9')
# bad MSG: a failed check; all are reported at the end.
bad() {
	log "FAILED: $*"
	echo "$*;" >> "$T/failures"
}
slab() {
	# active objects of the cache holding sources (merged caches: the alias)
	awk '$1 == "slaguard_source" || $1 == "slg_source" { print $1, $2, $3, $4 }' /proc/slabinfo
	grep -E '^(Slab|SUnreclaim):' /proc/meminfo | tr -s ' ' | tr '\n' ' '; echo
}

ip link set lo up
sgctl watch add dst 127.0.0.1/32 proto tcp port 7777 dir in action new > "$T/host-watch" ||
	fail "host watch add failed"
serve_lo() { socat TCP-LISTEN:7777,bind=127.0.0.1,reuseaddr,fork SYSTEM:'read l; echo ok' ; }
bg lo-server serve_lo
wait_for 10 sh -c 'ss -Hltn "sport = :7777" | grep -q .' || fail "nothing listens on 127.0.0.1:7777"
start_events "$T/events.jsonl"

# host_traffic N: N connections to the host's watched port, from 127.0.0.2-21.
host_traffic() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		_src=127.0.0.$(( 2 + _i % HOST_SRCS ))
		echo x | socat -t 2 - "TCP:127.0.0.1:7777,bind=$_src" > /dev/null 2>&1
		_i=$(( _i + 1 ))
	done
}
log "host traffic before the flood"
host_traffic $HOST_SRCS
host_sources() {
	slaguardctl -j sources | jq -r --argjson ns "$INIT_NETNS" \
		'[.[] | select((.netns | tonumber) == $ns) | .address] | unique | .[]' |
		grep -E '^127\.0\.0\.([2-9]|1[0-9]|2[01])$' | sort -u
}
host_sources > "$T/sources-before"
log "host sources before: $(wc -l < "$T/sources-before")"
[ "$(wc -l < "$T/sources-before")" = $HOST_SRCS ] ||
	fail "expected $HOST_SRCS host sources before the flood: $(cat "$T/sources-before")"
log "slab before: $(slab)"
objs_before=$(stat_get source_objects)

# The namespaces' side, as uid 1000 in namespaces of its own. "watches":
# 1024 watches, no per-watch limit, detectors off, then a spoofed SYN flood
# on its own loopback (every packet an event per watch). "sources": the
# same flood with no watch, as fast as it goes (the table). Each reports
# its netns inode, its own stats before and after, and the flood's output.
cat > "$T/userns.sh" <<'EOS'
set -u
d=$1/$3
mkdir -p "$d" || exit 9
ip link set lo up || exit 10
readlink /proc/self/ns/net | tr -dc '0-9' > "$d/inode"
if [ "$3" = watches ]; then
	slaguardctl threshold set watch-events 0 portscan 0 conn-rate 0 \
		syn-half-open 0 > /dev/null || exit 12
	# A port scan its own detectors no longer see; the host's must.
	hping3 -q -S -a 10.99.0.1 -p ++2000 -c 40 -i u3000 127.0.0.1 \
		> "$d/scan.out" 2>&1
	i=0
	while [ "$i" -lt 1024 ]; do
		slaguardctl watch add proto tcp action new > /dev/null || exit 11
		i=$((i + 1))
	done
fi
slaguardctl -j stats > "$d/stats-before.json" || exit 13
timeout "$2" hping3 -q -S --flood --rand-source -p ++1000 127.0.0.1 \
	> "$d/hping.out" 2>&1
slaguardctl -j stats > "$d/stats.json" || exit 14
exit 0
EOS
# The namespaces' files, written as uid 1000 (kept with the results).
U=$(mktemp -d /tmp/sg51.XXXXXX) && chown 1000:1000 "$U" &&
	cp "$T/userns.sh" "$U/" && chmod 755 "$U/userns.sh" ||
	fail "cannot prepare a directory for uid 1000"
ln -s "$U" "$T/userns"
log "uid 1000, namespace 1: 1024 watches, then a ${FLOOD_S}s spoofed SYN flood"
user unshare -Urn sh "$U/userns.sh" "$U" "$FLOOD_S" watches > "$T/watches.out" 2>&1 &
wpid=$!
# The watches take a while to add: flood sources once they are in.
wait_for 300 test -e "$U/watches/stats-before.json" ||
	fail "namespace 1 did not get its watches in: $(tail -n 3 "$T/watches.out")"
t0=$(date +%s)
# Memory while the floods run: the table's objects (live and waiting for
# RCU) and the slab cache, every second.
sample_memory() {
	while :; do
		echo "$(stat_get source_objects) $(awk '$1 == "slg_source" { print $2, $3 }' /proc/slabinfo)"
		sleep 1
	done
}
bg memory sample_memory
mpid=$BG_PID
log "uid 1000, namespace 2: ${FLOOD_S}s spoofed SYN flood, no watch"
user unshare -Urn sh "$U/userns.sh" "$U" "$FLOOD_S" sources > "$T/sources.out" 2>&1 &
spid=$!
# The host keeps working meanwhile.
sleep 3
host_traffic $HOST_SRCS
wait $wpid
rc=$?
cat "$T/watches.out"
[ "$rc" = 0 ] || fail "namespace 1's script failed (exit $rc): $(tail -n 3 "$T/watches.out")"
wait $spid
rc=$?
t1=$(date +%s)
cat "$T/sources.out"
[ "$rc" = 0 ] || fail "namespace 2's script failed (exit $rc): $(tail -n 3 "$T/sources.out")"
tail -n 3 "$U/watches/hping.out" "$U/sources/hping.out"
NS1=$(cat "$U/watches/inode")
NS2=$(cat "$U/sources/inode")
kill "$mpid" 2>/dev/null
log "namespaces $NS1 (watches) and $NS2 (sources), floods over $((t1 - t0)) s"
peak=$(awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1; l = $0 } END { print l }' "$T/memory.out")
log "during the floods, peak source objects / slab active / slab total: $peak (bound $(( CAPACITY + CAPACITY / 4 )))"
set -- $peak
[ -z "${1:-}" ] || [ "$1" -le $(( CAPACITY + CAPACITY / 4 )) ] ||
	bad "$1 source objects during the flood, over the bound $(( CAPACITY + CAPACITY / 4 ))"
# Before the host's next packets could bring its sources back.
host_sources > "$T/sources-after"
host_traffic $HOST_SRCS
sleep 2
log "slab after: $(slab)"
objs_after=$(stat_get source_objects)
log "source objects (live + waiting for RCU): before $objs_before, after $objs_after"
stop_events

log "host events: all $((3 * HOST_SRCS)) watch hits, gapless"
n_host=$(event_count "$T/events.jsonl" '(.netns | tonumber) == '"$INIT_NETNS"' and .kind == "WATCH_HIT" and .dport == 7777')
n_fwd=$(event_count "$T/events.jsonl" '(.netns | tonumber) == '"$NS1")
n_all=$(wc -l < "$T/events.jsonl")
log "listener: $n_all events, $n_host host watch hits, $n_fwd forwarded from $NS1"
[ "$n_host" = $((3 * HOST_SRCS)) ] ||
	bad "the host listener got $n_host of its $((3 * HOST_SRCS)) watch hits"
(expect_gapless "$T/events.jsonl") > "$T/gapless.out" 2>&1 ||
	bad "$(grep -m1 '^FAIL' "$T/gapless.out")"

log "the host judges namespace 1 by its own thresholds"
n_scan=$(event_count "$T/events.jsonl" '(.netns | tonumber) == '"$NS1"' and .kind == "PORTSCAN" and .source == "10.99.0.1"')
log "PORTSCAN events of 10.99.0.1 from namespace 1 (which turned portscan off): $n_scan"
[ "$n_scan" -ge 1 ] ||
	bad "namespace 1 turned its portscan detector off and hid a scan from the host"

log "forwarding within the budget"
rate=$(slaguardctl -j threshold show | jq -r '.ns_forward_rate')
if ! [ "$rate" -gt 0 ] 2>/dev/null; then
	bad "ns_forward_rate is '$rate', expected a positive default"
	rate=200
fi
limit=$(( rate * (t1 - t0 + 2) ))
[ "$n_fwd" -le "$limit" ] ||
	bad "$n_fwd events forwarded from the namespace in $((t1 - t0)) s, budget $rate/s ($limit)"
jq -c . "$U/watches/stats.json"
supp=$(jq -r '.forward_suppressed' "$U/watches/stats.json")
fwd=$(jq -r '.forwarded' "$U/watches/stats.json")
[ "$supp" -gt 0 ] 2>/dev/null ||
	bad "no event counted as forward_suppressed in the namespace (got '$supp')"
log "namespace counted $fwd forwarded, $supp over the budget"

log "the host's sources survived"
cmp -s "$T/sources-before" "$T/sources-after" ||
	bad "host sources lost in the flood: before $(tr '\n' ' ' < "$T/sources-before"), after $(tr '\n' ' ' < "$T/sources-after")"
ev=$(slaguardctl -j stats | jq -r '.evictions')
log "host sources intact; module-wide evictions $ev"

log "stats are the namespace's own"
jq -c . "$U/sources/stats.json"
pin_ns=$(jq -r '.pkts_in' "$U/sources/stats-before.json")
pin_host=$(stat_get pkts_in)
cap_ns=$(jq -r '.capacity' "$U/sources/stats.json")
src_ns=$(jq -r '.sources' "$U/sources/stats.json")
pkts_ns=$(jq -r '.pkts_in' "$U/sources/stats.json")
log "namespace 2: pkts_in $pin_ns before its flood, $pkts_ns after; host module-wide pkts_in $pin_host; quota $cap_ns, holds $src_ns"
[ "$pkts_ns" -gt "$CAPACITY" ] 2>/dev/null ||
	bad "namespace 2 sent only $pkts_ns spoofed packets: not enough to fill the table"
# Before its flood the namespace has seen nothing but its lo set-up.
[ "$pin_ns" -lt 100 ] 2>/dev/null ||
	bad "the namespace's stats show $pin_ns packets in before its flood: host counters leak"
[ "$cap_ns" -lt $CAPACITY ] 2>/dev/null ||
	bad "the namespace's capacity is $cap_ns, not a share of $CAPACITY"
[ "$src_ns" -le "$cap_ns" ] || bad "the namespace holds $src_ns sources, over its quota $cap_ns"
[ -s "$T/failures" ] && fail "$(cat "$T/failures")"
log "isolation holds"
