#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The event loop of "slaguardctl events" against real netlink sockets, with
# no module: ctl-nlctrl is slaguardctl built to listen on the kernel's own
# "nlctrl" family and its "notify" group (both id 16), and fake-events
# multicasts made-up slaguard events there. Runs in a new network namespace
# when it can. Needs root (sending to a netlink group takes CAP_NET_ADMIN);
# skips otherwise.
#
#   make -C tests/host check   (with the nftables backend tests)

cd "$(dirname "$0")" || exit 1
CTL=./build/ctl-nlctrl
FAKE=./build/fake-events
GROUP=16
FAMILY=16

if [ "$(id -u)" != 0 ]; then
	echo "events-live: skipped (needs root)"
	exit 0
fi
if [ -z "${SG_LIVE_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	SG_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
failed=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	for f in "$@"; do
		echo "  --- $f:"
		sed 's/^/  /' "$f" | head -n 20
	done
}

# listening PID: wait until PID has a netlink socket in a multicast group.
listening() {
	i=0
	while [ $i -lt 100 ]; do
		for ino in $(ls -l "/proc/$1/fd" 2>/dev/null |
			     sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p'); do
			awk -v ino="$ino" '$2 == 16 && $10 == ino && $4 != "00000000" { f = 1 }
				END { exit !f }' /proc/net/netlink && return 0
		done
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# start NAME ARGS...: the listener in the background, output in $T/NAME.*
start() {
	name=$1
	shift
	"$CTL" "$@" > "$T/$name.out" 2> "$T/$name.err" &
	PID=$!
	listening "$PID" || { echo "listener $name did not join"; cat "$T/$name.err"; }
}

# finish: wait for the listener; sets RC.
finish() {
	wait "$PID"
	RC=$?
}

seqs() { jq -r 'select(.kind != "LOST") | .seq' "$1" | tr '\n' ' '; }

# --count stops after N events and exits 0.
start count -j events --count 3 --timeout 10
"$FAKE" $GROUP $FAMILY 1-5
finish
if [ "$RC" = 0 ] && [ "$(seqs "$T/count.out")" = "1 2 3 " ] &&
   [ "$(wc -l < "$T/count.out")" = 3 ]; then
	ok "--count 3 prints three events and exits 0"
else
	not_ok "--count 3 (exit $RC)" "$T/count.out" "$T/count.err"
fi

# Every line is one JSON object with the documented keys.
if jq -se 'map(select(.kind == "PORTSCAN" and .family == "inet" and
		 .source == "10.99.0.1" and .time == "2026-11-23T10:00:00.123Z" and
		 .direction == "in" and .netns == 4026531840 and .value == 24 and
		 .threshold == 20)) | length == 1' "$T/count.out" > /dev/null; then
	ok "JSON event fields"
else
	not_ok "JSON event fields" "$T/count.out"
fi

# A gap is reported as LOST with the exact count, then the stream goes on.
start gap -j events --count 4 --timeout 10
"$FAKE" $GROUP $FAMILY 1 2 5 6 7
finish
lost=$(jq -c 'select(.kind == "LOST")' "$T/gap.out")
if [ "$RC" = 0 ] && [ "$(seqs "$T/gap.out")" = "1 2 5 6 " ] &&
   [ "$lost" = '{"kind":"LOST","missing":2,"after_seq":2,"reason":"gap"}' ]; then
	ok "gap 3-4 reported as missing 2 after seq 2"
else
	not_ok "gap (exit $RC)" "$T/gap.out" "$T/gap.err"
fi

# The first event is the baseline: no loss before it.
start base -j events --count 2 --timeout 10
"$FAKE" $GROUP $FAMILY 100 101
finish
if [ "$RC" = 0 ] && ! grep -q LOST "$T/base.out" &&
   [ "$(seqs "$T/base.out")" = "100 101 " ]; then
	ok "first event sets the baseline"
else
	not_ok "baseline (exit $RC)" "$T/base.out" "$T/base.err"
fi

# Without -j: one line per event on stdout, the gap as a warning on stderr.
start text events --count 2 --timeout 10
"$FAKE" $GROUP $FAMILY 7 9
finish
if [ "$RC" = 0 ] && [ "$(wc -l < "$T/text.out")" = 2 ] &&
   grep -q '^2026-11-23T10:00:00.123Z seq=9 PORTSCAN src=10.99.0.9 dir=in' "$T/text.out" &&
   grep -q 'lost 1 event after seq 7' "$T/text.err"; then
	ok "text lines and a loss warning"
else
	not_ok "text output (exit $RC)" "$T/text.out" "$T/text.err"
fi

# --timeout ends a quiet stream with exit 0.
start quiet -j events --timeout 0.5
finish
if [ "$RC" = 0 ] && [ ! -s "$T/quiet.out" ]; then
	ok "--timeout 0.5 exits 0"
else
	not_ok "--timeout (exit $RC)" "$T/quiet.out" "$T/quiet.err"
fi

# SIGTERM and SIGINT end it with exit 0, after what was received is out.
for sig in TERM INT; do
	start "sig$sig" -j events
	"$FAKE" $GROUP $FAMILY 1
	i=0
	while [ ! -s "$T/sig$sig.out" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s "$sig" "$PID"
	finish
	if [ "$RC" = 0 ] && [ "$(seqs "$T/sig$sig.out")" = "1 " ]; then
		ok "SIG$sig exits 0; the event was flushed live"
	else
		not_ok "SIG$sig (exit $RC)" "$T/sig$sig.out" "$T/sig$sig.err"
	fi
done

# A malformed event is skipped with a warning.
start bad -j events --count 1 --timeout 10
"$FAKE" $GROUP $FAMILY bad 1
finish
if [ "$RC" = 0 ] && [ "$(seqs "$T/bad.out")" = "1 " ] &&
   grep -q 'malformed event' "$T/bad.err"; then
	ok "malformed event skipped with a warning"
else
	not_ok "malformed event (exit $RC)" "$T/bad.out" "$T/bad.err"
fi

# Overrun: stop the listener, flood past its receive buffer, resume. It
# reports the overrun, and the gap at the next event accounts for every
# missing number: events printed + missing = events sent.
N=40000
start flood -j events --timeout 20
"$FAKE" $GROUP $FAMILY 1
kill -STOP "$PID"
"$FAKE" $GROUP $FAMILY 2-$N
kill -CONT "$PID"
sleep 1
"$FAKE" $GROUP $FAMILY $((N + 1))
i=0
while ! grep -q "\"seq\":$((N + 1))," "$T/flood.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$PID"
finish
got=$(jq -r 'select(.kind != "LOST") | .seq' "$T/flood.out" | wc -l)
missing=$(jq -r 'select(.kind == "LOST" and .missing != null) | .missing' "$T/flood.out" |
	  awk '{ s += $1 } END { print s + 0 }')
overrun=$(jq -c 'select(.kind == "LOST" and .reason == "overrun")' "$T/flood.out" | head -n 1)
if [ "$RC" = 0 ] && [ -n "$overrun" ] && [ $((got + missing)) = $((N + 1)) ] &&
   [ "$(echo "$overrun" | jq -r .missing)" = null ]; then
	ok "overrun reported; $got printed + $missing missing = $((N + 1)) sent"
else
	not_ok "overrun (exit $RC, $got printed, $missing missing, overrun: $overrun)" \
		"$T/flood.err"
fi

echo "events-live: $pass passed, $failed failed"
[ "$failed" = 0 ]
