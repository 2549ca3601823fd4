#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ordinary clients - 300 short connections at about 20 per second, half over
# IPv4 and half over IPv6, each sending a request to a socat echo server and
# reading the answer - must not raise any event: no false positives at
# normal rates.
. "$(dirname "$0")/lib.sh"

CONNS=${CONNS:-300}
RATE=${RATE:-20}

setup_netns
load_module
start_events "$T/events"
# An echo server that forks per connection but execs nothing: cheap enough
# under TCG to keep up with the clients.
bg echo-server vic socat "TCP6-LISTEN:8080,ipv6only=0,reuseaddr,fork,backlog=256" PIPE
wait_listen "$NS_V" 8080

log "$CONNS connections at ~$RATE/s (busybox nc clients, paced by /proc/uptime)"
: > "$T/answers"
t0=$(cut -d' ' -f1 /proc/uptime)
# One shell inside the attacker namespace starts every client, on schedule.
att sh -c '
	conns=$1 rate=$2 v6=$3 v4=$4 out=$5
	now() { read u _ < /proc/uptime; NOW=$(( ${u%.*} * 100 + 1${u#*.} - 100 )); }
	now; start=$NOW
	i=0
	while [ $i -lt "$conns" ]; do
		i=$((i + 1))
		due=$((start + i * 100 / rate))
		now
		[ $NOW -lt $due ] && sleep "0.$(printf %02d $((due - NOW)))"
		if [ $((i % 2)) = 0 ]; then dst=$v6; else dst=$v4; fi
		( echo "request $i" | timeout 15 nc -w 5 "$dst" 8080 >> "$out" 2>/dev/null ) &
	done
	wait' client "$CONNS" "$RATE" "$VICTIM6" "$VICTIM4" "$T/answers"
t1=$(cut -d' ' -f1 /proc/uptime)
ok=$(grep -c '^request [0-9]*$' "$T/answers")
log "$ok of $CONNS answered in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1fs (%.1f/s)", b - a, '"$CONNS"' / (b - a) }')"
[ "$ok" -ge $((CONNS * 95 / 100)) ] || fail "only $ok of $CONNS connections got an answer"

sleep 3
pkts=$(stat_get pkts_in)
log "pkts_in $pkts"
[ "${pkts:-0}" -gt "$CONNS" ] 2>/dev/null || fail "the module saw only '$pkts' inbound packets: are the hooks in place?"
sgctl sources > "$T/sources.txt" 2>&1
cat "$T/sources.txt"
grep -q "$ATTACKER4" "$T/sources.txt" || fail "slaguardctl sources does not list $ATTACKER4"
grep -q "$ATTACKER6" "$T/sources.txt" || fail "slaguardctl sources does not list $ATTACKER6"
expect_no_event "$T/events" true
