#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguardd's dashboard for real, in a new network namespace: the headers
# and access rules over curl (loopback Host only without a token; the
# token as Bearer or cookie; non-loopback needs one), then headless
# chromium (dashboard-browser.py: selenium and chromedriver) loading the
# page while an SLO is violated, a source is blocked (nf_tables in the
# namespace) and an alert summary carries markup. Events come from
# fake-genl on the "nlctrl" family, as in metrics-live.sh. Needs root,
# curl, jq, socat, nft; the browser part chromium, chromium-driver and
# python3-selenium (make deps), skipped with a message without them.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
FAKE=./build/fake-genl

if [ "$(id -u)" != 0 ]; then
	echo "dashboard-live: skipped (needs root)"
	exit 0
fi
for c in curl jq socat nft; do
	command -v $c > /dev/null || { echo "dashboard-live: skipped (needs $c: make deps)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up
ip addr add 10.99.0.1/24 dev lo

T=$(mktemp -d)
CTL=$T/control.sock
APP=$T/app.sock
PORT=19478
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh

# The HTTP status of a GET of URL with curl's extra arguments.
code() { _u=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$_u"; }
is() { [ "$1" = "$2" ]; }

cat > "$T/sla.yaml" <<'YAML'
sla: dashboard-live
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
YAML

start() {
	launch -c "$T/sla.yaml" --foreground --no-syslog --control "$CTL" --state-dir "$T" \
		--app-socket "$APP" --genl-family nlctrl --genl-group notify "$@"
}

# 1. Options.
refused() {
	rm -f "$CTL"	# a stopped daemon's
	! "$D" -c "$T/sla.yaml" --foreground --no-syslog --control "$CTL" --no-nft \
		--app-socket "$APP" --state-dir "$T" "$@" > "$T/refused" 2>&1 && [ ! -S "$CTL" ]
}
printf 'short\n' > "$T/short"
check "a short token is refused" refused --metrics=$PORT --dashboard-token-file "$T/short"
check "... saying what a token is" grep -q "expected one line of 16 to 256 characters" "$T/refused"
check "a missing token file is refused" refused --metrics=$PORT --dashboard-token-file "$T/none"
check "a token without --metrics is refused" refused --dashboard-token-file "$T/short"

# 2. Local, no token: the page, its headers, the API.
start --metrics=$PORT
U=http://127.0.0.1:$PORT
check "says where the dashboard is" grep -q "dashboard: $U/dashboard" "$T/out"
# A connect() scan: handshakes completed, so the source may be blocked.
HANDSHAKES=5 $FAKE 1 portscan 192.0.2.7 40 40
MARKUP='cards/<img src=x onerror=window.__slaguard_pwned=1>'
printf '{"component":"db","user":"shop","action":"read","resource":"%s"}\n' "$MARKUP" |
	socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
sleep 1.5
curl -sSI --max-time 5 "$U/dashboard" > "$T/h"
check "page: 200" grep -q '^HTTP/1.1 200' "$T/h"
check "page: strict CSP" grep -qi "^content-security-policy: default-src 'none'; script-src 'self';" "$T/h"
check "page: nosniff" grep -qi '^x-content-type-options: nosniff' "$T/h"
check "the script is served as JavaScript" sh -c "curl -sSI --max-time 5 $U/dashboard.js | grep -qi '^content-type: text/javascript'"
check "the page has no inline script" sh -c "curl -s --max-time 5 $U/dashboard | grep -q '<script src=\"/dashboard.js\" defer></script>' && ! curl -s --max-time 5 $U/dashboard | grep -q '<script>'"
curl -sSI --max-time 5 "$U/api/status" > "$T/h"
check "API: not cached" grep -qi '^cache-control: no-store' "$T/h"
check "API: JSON" grep -qi '^content-type: application/json' "$T/h"
check "/api/status: scan violated" sh -c "curl -s --max-time 5 $U/api/status | jq -en 'input | [.slos[] | select(.id == \"scan\")][0].state == \"violated\"' > /dev/null"
ALERT=$(ctl '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "192.0.2.7") | .alert')
check "the control socket lists the block with an alert ($ALERT)" sh -c "echo '$ALERT' | grep -q '^A'"
check "/api/countermeasures agrees" sh -c "curl -s --max-time 5 $U/api/countermeasures | jq -en 'input | .countermeasures[] | select(.target == \"192.0.2.7\" and .alert == \"$ALERT\")' > /dev/null"
check "/api/alerts has the summary as data" sh -c "curl -s --max-time 5 $U/api/alerts | jq -en --arg m '$MARKUP' 'input | [.alerts[].summary | select(contains(\$m))] | length == 1' > /dev/null"
check "/api/report: scan violated part of the last hour" sh -c "curl -s --max-time 5 '$U/api/report?since=1h' | jq -en 'input | [.slos[] | select(.slo == \"scan\")][0] | .violated > 0 and (.violations | length) == 1 and .violations[0].end == null' > /dev/null"
check "/api/report agrees with slaguardctl report" sh -c "[ \"\$(curl -s --max-time 5 '$U/api/report?since=1h&slo=scan' | jq '.slos[0].violations | length')\" = \"\$($TOP/userspace/slaguardctl/slaguardctl -j report --since 1h --slo scan --db $T/history.db | jq '.slos[0].violations | length')\" ]"
check "/api/report: a bad since is a 400" is "$(code "$U/api/report?since=soon")" 400
check "/api/report: an unknown SLO is a 404" is "$(code "$U/api/report?slo=nope")" 404
check "a foreign Host is refused (DNS rebinding)" is "$(code "$U/api/status" -H 'Host: attacker.example')" 403
check "POST is refused" is "$(code "$U/api/status" -d x)" 405

browser dashboard-live "the page shows it" ./dashboard-browser.py "$U/dashboard" scan "$ALERT" 192.0.2.7 "$MARKUP"
stop

# 3. A non-loopback address: refused without a token, served with one.
start --metrics=10.99.0.1:$PORT --metrics-allow-remote --no-nft
U=http://10.99.0.1:$PORT
check "remote, no token: dashboard refused" is "$(code "$U/dashboard")" 403
check "... the metrics still served" is "$(code "$U/metrics")" 200
stop
start --metrics=$PORT --no-nft --no-history
check "no history: /api/report is a 404" is "$(code "http://127.0.0.1:$PORT/api/report")" 404
stop
TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" > "$T/token"
start --metrics=10.99.0.1:$PORT --metrics-allow-remote --dashboard-token-file "$T/token"
# A connect() scan: handshakes completed, so the source may be blocked.
HANDSHAKES=5 $FAKE 1 portscan 192.0.2.7 40 40
printf '{"component":"db","user":"shop","action":"read","resource":"%s"}\n' "$MARKUP" |
	socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
sleep 1.5
check "token: none gets 401" is "$(code "$U/api/status")" 401
check "token: a wrong Bearer gets 401" is "$(code "$U/api/status" -H "Authorization: Bearer x$TOKEN")" 401
check "token: a prefix gets 401" is "$(code "$U/api/status" -H "Authorization: Bearer $(printf %s "$TOKEN" | cut -c1-20)")" 401
check "token: the Bearer gets 200" is "$(code "$U/api/status" -H "Authorization: Bearer $TOKEN")" 200
check "token: the cookie gets 200" is "$(code "$U/api/status" -H "Cookie: a=b; slaguard_token=$TOKEN")" 200
check "token: ?token= sets the cookie and redirects" sh -c "curl -sSI --max-time 5 '$U/dashboard?token=$TOKEN' | tr -d '\r' | grep -q '^Set-Cookie: slaguard_token=.*HttpOnly; SameSite=Strict' && curl -sSI --max-time 5 '$U/dashboard?token=$TOKEN' | grep -q '^HTTP/1.1 303'"
check "token: the token is not accepted on the API's query" is "$(code "$U/api/status?token=$TOKEN")" 401
ALERT=$(ctl '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "192.0.2.7") | .alert')
browser dashboard-live "with the token, the page shows it" \
	./dashboard-browser.py "$U/dashboard" scan "$ALERT" 192.0.2.7 "$MARKUP" "$TOKEN"
stop

finish dashboard-live
