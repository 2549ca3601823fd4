#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# False-alarm corpus (README.md, "Detection matrix"): 1000 HTTP requests
# from 20 client addresses to a web server in the victim, then iperf3 bulk
# transfers both ways, must raise no event of any kind.
. "$(dirname "$0")/lib.sh"

CLIENTS=${CLIENTS:-20}
REQS=${REQS:-50}	# per client: 1000 in all

setup_netns
load_module
start_events "$T/events"

mkdir -p "$T/www"
echo "hello" > "$T/www/index.html"
bg httpd vic httpd -f -p 80 -h "$T/www"
wait_listen "$NS_V" 80
i=1
while [ $i -le "$CLIENTS" ]; do
	att ip addr add "10.77.0.$((100 + i))/24" dev veth-a || fail "cannot add client address $i"
	i=$((i + 1))
done

n=$((CLIENTS * REQS))
log "$n HTTP requests from $CLIENTS addresses, $REQS each, one after another per client"
t0=$(cut -d' ' -f1 /proc/uptime)
att sh -c '
	clients=$1 reqs=$2 dst=$3 dir=$4
	c=1
	while [ $c -le "$clients" ]; do
		(
			r=0
			while [ $r -lt "$reqs" ]; do
				r=$((r + 1))
				# one process a request: cheap enough under TCG
				printf "GET /index.html HTTP/1.0\r\n\r\n" |
					socat -T 10 - "TCP:$dst:80,bind=10.77.0.$((100 + c))" \
					>> "$dir/client$c" 2>/dev/null
			done
		) &
		c=$((c + 1))
	done
	wait' clients "$CLIENTS" "$REQS" "$VICTIM4" "$T"
t1=$(cut -d' ' -f1 /proc/uptime)
ok=$(cat "$T"/client* | grep -c '^HTTP/1\.[01] 200')
log "$ok of $n requests answered 200 in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs (%.1f/s)", b - a, '"$n"' / (b - a) }')"
[ "$ok" -ge $((n * 98 / 100)) ] || fail "only $ok of $n requests answered 200"
srcs=$(slaguardctl -j sources | jq '[.[] | select((.netns | tonumber) == '"$VICTIM_NETNS"' and (.address | startswith("10.77.0.1")) and (.address | length) == 11)] | length')
log "client addresses tracked at the victim: $srcs"
[ "$srcs" -ge "$CLIENTS" ] || fail "only $srcs of $CLIENTS clients tracked at the victim: are the hooks in place?"
expect_no_event "$T/events" true

bg iperf3 vic iperf3 -s
wait_listen "$NS_V" 5201
for dir in "" -R; do
	log "iperf3 -c $VICTIM4 -t 5 $dir"
	att timeout 30 iperf3 -J -c "$VICTIM4" -t 5 $dir > "$T/iperf.json" 2>&1 ||
		fail "iperf3 $dir failed: $(tail -n 5 "$T/iperf.json")"
	bps=$(jq -r '.end.sum_received.bits_per_second | floor' "$T/iperf.json")
	log "iperf3 $dir: $((bps / 1000000)) Mbit/s"
	[ "$bps" -gt 1000000 ] || fail "iperf3 $dir moved only $bps bit/s"
done
expect_no_event "$T/events" true 2
