#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguardd's Prometheus endpoint for real, in a new network namespace:
# the address rules, the page checked by `promtool check metrics`, a real
# `prometheus` server (temporary config and data, 1 s scrapes, 127.0.0.1
# only) scraping it and answering a query on its HTTP API with the state
# of an SLO the test violated, the bounds on connections and requests
# while the control socket keeps answering, and what a page costs with many
# SLOs (printed, not asserted). Events come from fake-genl on the "nlctrl"
# family, as in daemon-live.sh. Needs root, curl, jq, socat, promtool and
# prometheus (Debian's prometheus package).
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
FAKE=./build/fake-genl

if [ "$(id -u)" != 0 ]; then
	echo "metrics-live: skipped (needs root)"
	exit 0
fi
for c in curl jq socat promtool prometheus; do
	command -v $c > /dev/null || { echo "metrics-live: skipped (needs $c: make deps)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up

T=$(mktemp -d)
CTL=$T/control.sock
APP=$T/app.sock
PORT=19477
PROM_PORT=19090
PROM=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "$PROM" ] && kill $PROM 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh

page() { curl -sS --max-time 5 "http://127.0.0.1:$PORT/metrics"; }
# LINE is on the page, exactly.
on_page() { page 2>/dev/null | grep -qxF "$1"; }

# A file name that needs escaping in a label value.
SLA=$T/'a"b\c.yaml'
cat > "$SLA" <<'YAML'
sla: metrics-live
components:
  web: { addresses: [10.0.0.10], ports: [80] }
  db: { addresses: [10.0.1.20], ports: [5432] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
slos:
  - { id: scan, metric: net.portscan_ports, per: source, component: web, max: 20, window: 10s, severity: high }
  - { id: db-access, metric: app.access_violations, component: db, max: 0, window: 1m, severity: critical }
countermeasures:
  - { when: { severity: high }, do: block-source, for: 1m }
allowlist: [10.0.9.0/24]
YAML

start() {
	_sla=$1; shift
	launch -c "$_sla" --foreground --no-syslog --no-nft --control "$CTL" --state-dir "$T" \
		--app-socket "$APP" --genl-family nlctrl --genl-group notify "$@"
}

# 1. The address: loopback unless asked otherwise; errors before starting.
refused() {
	! "$D" -c "$SLA" --foreground --no-syslog --no-nft --control "$CTL" \
		--app-socket "$APP" --state-dir "$T" "$@" > "$T/refused" 2>&1 &&
		[ ! -S "$CTL" ]
}
check "a non-loopback address is refused" refused --metrics=0.0.0.0:$PORT
check "... saying how to allow it" grep -q 'not a loopback address.*--metrics-allow-remote' "$T/refused"
check "a malformed address is refused" refused --metrics=localhost:x
check "... saying the form" grep -q "expected PORT, IPV4:PORT or \[IPV6\]:PORT" "$T/refused"
check "--metrics-allow-remote alone is refused" refused --metrics-allow-remote
socat TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork /dev/null & BUSY=$!
sleep 0.3
check "a busy port stops the start" refused --metrics=127.0.0.1:$PORT
check "... saying so" grep -q "Address already in use" "$T/refused"
kill $BUSY; wait $BUSY 2>/dev/null

# 2. The page.
start "$SLA" --metrics=$PORT
check "says where it serves" grep -q "metrics: http://127.0.0.1:$PORT/metrics" "$T/out"
check "no metrics on other addresses" sh -c "! curl -s --max-time 2 http://127.0.0.2:$PORT/metrics > /dev/null"
$FAKE 1 portscan 192.0.2.7 40 40
printf '{"component":"db","user":"shop","action":"read","resource":"cards/1"}\n' |
	socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
sleep 1.2
page > "$T/page"
check "promtool check metrics finds nothing to lint" sh -c "promtool check metrics < '$T/page' > '$T/lint' 2>&1"
[ -s "$T/lint" ] && sed 's/^/#   /' "$T/lint"
check "content type of the text format" sh -c "curl -sSI --max-time 5 http://127.0.0.1:$PORT/metrics | grep -qi '^content-type: text/plain; version=0.0.4'"
check "label values escaped" grep -qxF 'slaguard_sla_info{sla="metrics-live",file="'"$T"'/a\"b\\c.yaml"} 1' "$T/page"
check "SLO state: db-access violated" grep -qxF 'slaguard_slo_state{slo="db-access",state="violated"} 1' "$T/page"
check "SLO state: scan violated" grep -qxF 'slaguard_slo_state{slo="scan",state="violated"} 1' "$T/page"
check "SLO value" grep -qxF 'slaguard_slo_value{slo="scan"} 40' "$T/page"
check "alerts by severity and kind" grep -qxF 'slaguard_alerts_total{severity="critical",kind="rule"} 1' "$T/page"
check "events received" grep -qxF 'slaguard_events_received_total{origin="module"} 1' "$T/page"
check "the control socket agrees" q '{"cmd":"status"}' '([.slos[] | select(.id == "db-access")][0].state == "violated") and .events.received == 1'
check "POST is refused" sh -c "curl -s -o /dev/null -w '%{http_code}' --max-time 5 -d x http://127.0.0.1:$PORT/metrics | grep -qx 405"
check "other paths: 404" sh -c "curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:$PORT/x | grep -qx 404"
big=$(head -c 20000 /dev/zero | tr '\0' a)
check "oversized headers are refused" sh -c "curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'X-Pad: $big' http://127.0.0.1:$PORT/metrics | grep -qvx 200"

# 3. A real Prometheus scrapes it.
mkdir -p "$T/prom"
cat > "$T/prometheus.yml" <<EOF2
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: slaguard
    static_configs: [ { targets: ["127.0.0.1:$PORT"] } ]
EOF2
check "promtool accepts the config" promtool check config "$T/prometheus.yml" > /dev/null
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address=127.0.0.1:$PROM_PORT > "$T/prom.log" 2>&1 &
PROM=$!
query() {
	curl -sS --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"
}
# RESULT of QUERY (a single sample's value), within 60 s.
prom_value() {
	i=0
	while [ $i -lt 120 ]; do
		v=$(query "$1" 2>/dev/null | jq -r 'select(.status == "success") | .data.result[0].value[1] // empty')
		[ "$v" = "$2" ] && return 0
		sleep 0.5
		i=$((i + 1))
	done
	echo "# $1: '$v', expected '$2'"
	tail -n 5 "$T/prom.log" | sed 's/^/#   /'
	return 1
}
check "prometheus scrapes the daemon (up == 1)" prom_value 'up{job="slaguard"}' 1
check "prometheus has db-access violated" prom_value 'slaguard_slo_state{slo="db-access",state="violated"}' 1
check "... and not compliant" prom_value 'slaguard_slo_state{slo="db-access",state="compliant"}' 0
check "prometheus has the alert counted" prom_value 'slaguard_alerts_total{severity="critical",kind="rule"}' 1
check "prometheus found the target healthy" sh -c "curl -sS --max-time 5 http://127.0.0.1:$PROM_PORT/api/v1/targets | jq -en 'input | .data.activeTargets[0] | .health == \"up\" and .lastError == \"\"' > /dev/null"
kill $PROM; wait $PROM 2>/dev/null; PROM=""
# 4. Bounds: idle connections held open cost bounded fds, the loop goes on.
fds_before=$(find /proc/$PID/fd -mindepth 1 | wc -l)
i=0
held=""
while [ $i -lt 40 ]; do
	sleep 15 | socat -u - TCP:127.0.0.1:$PORT 2>/dev/null &
	held="$held $!"
	i=$((i + 1))
done
sleep 1
fds_held=$(find /proc/$PID/fd -mindepth 1 | wc -l)
check "40 idle connections: at most 16 accepted ($((fds_held - fds_before)) fds)" [ $((fds_held - fds_before)) -le 16 ]
t0=$(date +%s%N)
check "the control socket answers meanwhile" q '{"cmd":"status"}' '.ok'
t1=$(date +%s%N)
echo "# control answer while the metrics connections are full: $(( (t1 - t0) / 1000000 )) ms"
i=0
until page > /dev/null 2>&1 || [ $i -ge 40 ]; do sleep 0.5; i=$((i + 1)); done
check "scrapes again once idle connections time out" on_page 'slaguard_alerts_total{severity="critical",kind="rule"} 1'
# shellcheck disable=SC2086
kill $held 2>/dev/null

check "SIGTERM exits 0 with the endpoint open" stop
check "the port is free again" sh -c "! curl -s --max-time 2 http://127.0.0.1:$PORT/metrics > /dev/null"

# 5. Cost: time and size of a page with 2 and with 500 SLOs.
{
	sed -n '1,/^slos:/p' "$SLA"
	i=0
	while [ $i -lt 500 ]; do
		echo "  - { id: s$i, metric: events.lost, max: 0, window: 1m, severity: low }"
		i=$((i + 1))
	done
} > "$T/many.yaml"
# Microseconds per scrape, the mean of 200 by one curl (no process starts).
cost() {
	u=http://127.0.0.1:$PORT/metrics
	args=$(i=0; while [ $i -lt 200 ]; do printf -- '-o /dev/null %s ' "$u"; i=$((i + 1)); done)
	# shellcheck disable=SC2086
	curl -s -w '%{time_total}\n' $args |
		awk '{ t += $1 } END { printf "%d", t / NR * 1000000 }'
}
start "$SLA" --metrics=$PORT
small_us=$(cost); small_b=$(page | wc -c)
stop
start "$T/many.yaml" --metrics=$PORT
page > "$T/page"
check "500 SLOs: the page is valid" sh -c "grep -q 'slo=\"s499\"' '$T/page' && promtool check metrics < '$T/page'"
many_us=$(cost); many_b=$(page | wc -c)
stop
echo "# cost: 2 SLOs ${small_us} us/scrape ${small_b} B; 500 SLOs ${many_us} us/scrape ${many_b} B;" \
	"ratio time $(awk "BEGIN { printf \"%.1f\", $many_us / $small_us }")," \
	"size $(awk "BEGIN { printf \"%.1f\", $many_b / $small_b }") (curl round trips included)"

finish metrics-live
