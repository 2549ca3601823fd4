#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguardd's alert outputs for real, in new network and mount namespaces:
# syslog (a datagram socket bound at /dev/log on a private /dev), the
# systemd journal (a socket at /run/systemd/journal/socket on a private
# /run/systemd: what sd_journal_send writes to) and webhooks (a local HTTP
# listener answering 500 first, then 200; one that accepts and never
# answers). The stand-ins are alert-sink.py. Events come from fake-genl on
# the "nlctrl" family, as in daemon-live.sh. Needs root, python3, curl, jq,
# socat and util-linux.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
FAKE=./build/fake-genl
SINK=$(pwd)/alert-sink.py

if [ "$(id -u)" != 0 ]; then
	echo "alerts-live: skipped (needs root)"
	exit 0
fi
for c in python3 jq socat curl unshare; do
	command -v $c > /dev/null || { echo "alerts-live: skipped (needs $c: make deps)"; exit 0; }
done
if [ -z "${SGD_LIVE_NS:-}" ]; then
	SGD_LIVE_NS=1 exec unshare -n -m --propagation private "$0" "$@"
fi
# The mounts below hide the host's /dev: only ever in a namespace of our own.
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
	echo "alerts-live: not in a private mount namespace, stopping"
	exit 1
fi
ip link set lo up

T=$(mktemp -d)
# A private /dev (a tmpfs with its own device nodes, nothing of the host's
# /dev bound into it, so no cleanup can reach the host's) holding our
# /dev/log, and a private /run/systemd for the journal's socket.
mount -t tmpfs -o mode=755 tmpfs /dev || { echo "alerts-live: skipped (cannot mount a private /dev)"; exit 0; }
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
ln -s /proc/self/fd /dev/fd
mkdir /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mkdir -p /run/systemd
mount -t tmpfs -o mode=755 tmpfs /run/systemd
mkdir /run/systemd/journal

CTL=$T/control.sock
APP=$T/app.sock
PORT=19480
HANG=19481
MPORT=19482
SINKS=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; for s in $SINKS; do kill $s 2>/dev/null; done; rm -rf --one-file-system "$T" 2>/dev/null' EXIT

. ./lib.sh

# Status matches the jq filter within 20 s.
eventually() {
	i=0
	while [ $i -lt 80 ]; do
		q '{"cmd":"status"}' "$1" && return 0
		sleep 0.25
		i=$((i + 1))
	done
	echo "# status: $(ctl '{"cmd":"status"}' | jq -c .outputs)"
	return 1
}
# FILE has a line matching the jq filter within 20 s.
arrives() {
	i=0
	while [ $i -lt 80 ]; do
		[ -f "$1" ] && jq -e "select($2)" "$1" 2>/dev/null | grep -q . && return 0
		sleep 0.25
		i=$((i + 1))
	done
	[ -f "$1" ] && tail -n 3 "$1" | sed 's/^/#   got: /'
	return 1
}

SLA=$T/sla.yaml
cat > "$SLA" <<'YAML'
sla: alerts-live
components:
  web: { addresses: [10.0.0.10], ports: [80] }
slos:
  - { id: scan, metric: net.portscan_ports, per: source, component: web, max: 20, window: 10s, severity: high }
countermeasures:
  - { when: { severity: high }, do: notify }
YAML

start() {
	launch -c "$SLA" --foreground --no-nft --control "$CTL" --state-dir "$T" --no-history \
		--app-socket "$APP" --genl-family nlctrl --genl-group notify "$@"
}
# sink MODE WHERE ...: alert-sink.py, once it listens (python can take
# seconds to start on a loaded machine: an alert sent before is lost)
sink() {
	python3 "$SINK" "$@" &
	SINKS="$SINKS $!"
	_i=0
	while [ $_i -lt 100 ]; do
		case $1 in
		syslog|journal) [ -S "$2" ] && return 0 ;;
		*) ss -ltn | grep -q ":$2 " && return 0 ;;
		esac
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# alert-sink $1 $2 did not start"
}

# 0. Bad options are refused with what to do.
refused() { ! "$D" -c "$SLA" --foreground --no-nft --control "$CTL" "$@" > "$T/refused" 2>&1 && [ ! -S "$CTL" ]; }
check "an ftp:// webhook is refused" refused --webhook ftp://127.0.0.1/x
check "... saying which schemes work" grep -q "only http:// and https://" "$T/refused"
check "a webhook that is no URL is refused" refused --webhook 'not a url'
check "a zero queue is refused" refused --webhook http://127.0.0.1:1/ --webhook-queue 0
check "... saying the range" grep -q "from 1 to 100000" "$T/refused"

# 1. syslog, the journal and a webhook that fails once.
sink syslog /dev/log "$T/syslog"
sink journal /run/systemd/journal/socket "$T/journal"
sink http $PORT "$T/hook" 1
start --journal --webhook "http://u:secret@127.0.0.1:$PORT/hook?token=secret" --metrics=$MPORT
$FAKE 1 portscan 192.0.2.7 40 40
check "syslog: the alert line at LOG_ERR from slaguardd" sh -c "
	i=0; while [ \$i -lt 80 ]; do
		grep -q '^<27>.*slaguardd\[$PID\]: alert A1 \[high\] ' '$T/syslog' 2>/dev/null && exit 0
		sleep 0.25; i=\$((i + 1)); done; tail -n 3 '$T/syslog' | sed 's/^/#   got: /'; exit 1"
check "journal: structured fields" arrives "$T/journal" \
	'.SLAGUARD_ALERT_ID == "A1" and .SLAGUARD_SEVERITY == "high" and .SLAGUARD_REF == "scan" and .SLAGUARD_SOURCE == "192.0.2.7" and .SLAGUARD_KIND == "slo" and .PRIORITY == "3" and (.MESSAGE | startswith("alert A1 [high] ")) and .SYSLOG_IDENTIFIER == "slaguardd"'
check "journal: the alert's JSON too" arrives "$T/journal" '(.SLAGUARD_JSON | fromjson | .id) == "A1"'
check "webhook: first attempt answered 500" arrives "$T/hook" '.status == 500 and .body.id == "A1"'
check "webhook: retried, delivered with the alert's JSON" arrives "$T/hook" \
	'.status == 200 and .type == "application/json" and .body.id == "A1" and .body.severity == "high" and .body.source == "192.0.2.7" and .body.ref == "scan" and (.body.evidence.responses | any(.action == "notify"))'
check "webhook: the retry waited for the backoff (>= 0.9 s)" sh -c "jq -s '(.[1].at - .[0].at) >= 0.9' '$T/hook' | grep -qx true"
check "status counts: 1 delivered, 1 retry, nothing failed or dropped" eventually \
	'.outputs.webhooks[0] | .delivered == 1 and .retries == 1 and .failed == 0 and .dropped == 0 and .pending == 0 and (.in_flight | not)'
check "slaguardctl -j sla status shows the counters" sh -c "'$TOP/userspace/slaguardctl/slaguardctl' --control '$CTL' -j sla status | jq -en 'input | .outputs.webhooks[0].delivered == 1' > /dev/null"
on_page() { curl -sS --max-time 5 "http://127.0.0.1:$MPORT/metrics" | grep -qxF "$1"; }
check "metrics: the delivery counted" on_page 'slaguard_webhook_alerts_total{outcome="delivered"} 1'
check "metrics: the retry counted" on_page 'slaguard_webhook_retries_total 1'
check "metrics: the journal counted" on_page 'slaguard_journal_alerts_total{outcome="sent"} 1'
check "status counts the journal" eventually '.outputs.journal.enabled and .outputs.journal.sent == 1 and .outputs.journal.failed == 0'
no_secret() { _st=$(ctl '{"cmd":"status"}') && [ -n "$_st" ] && ! printf '%s' "$_st" | grep -q secret; }
check "status shows no credentials or token" no_secret
check "SIGTERM exits 0" stop

# 2. A webhook that never answers: the loop goes on, the queue is bounded.
sink hang $HANG
start --webhook "http://127.0.0.1:$HANG/" --webhook-queue 3 --webhook-timeout 10s
n=1
while [ $n -le 8 ]; do
	$FAKE $n portscan 192.0.2.$((10 + n)) 40 40
	n=$((n + 1))
done
check "8 alerts raised" eventually '.alerts == 8'
t0=$(date +%s%N)
check "the control socket answers while the webhook hangs" q '{"cmd":"status"}' '.ok'
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "# control answer while a webhook hangs: $ms ms"
check "... within 1 s" [ $ms -lt 1000 ]
check "queue bounded: 1 in flight, 3 pending, the 4 oldest dropped" eventually \
	'.outputs.webhooks[0] | .queued == 8 and .in_flight and .pending == 3 and .dropped == 4 and .delivered == 0'
t0=$(date +%s%N)
check "SIGTERM exits 0 with a post under way" stop
t1=$(date +%s%N)
echo "# stop with a post under way: $(( (t1 - t0) / 1000000 )) ms"
check "... promptly (< 3 s, the timeout is 10 s)" [ $(( (t1 - t0) / 1000000 )) -lt 3000 ]

finish alerts-live
