#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguardd for real, without the module: in a new network namespace, with
# the host kernel's nf_tables and the "nlctrl" generic netlink family as a
# stand-in for slaguard's (fake-genl multicasts made-up slaguard events on
# its "notify" group). Covers start without the module, the control socket
# and its protocol, reload (control and SIGHUP), dry-run, application
# events, alert following, countermeasures in nftables, revoke, adoption on
# restart, root-only access, sequence rules and clean shutdown. Needs root,
# socat and jq.
#
#   make -C tests/host check   (with the nftables backend tests)

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
FAKE=./build/fake-genl

if [ "$(id -u)" != 0 ]; then
	echo "daemon-live: skipped (needs root)"
	exit 0
fi
for c in socat jq nft; do
	command -v $c > /dev/null || { echo "daemon-live: skipped (needs $c)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up

T=$(mktemp -d)
CTL=$T/control.sock
APP=$T/app.sock
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh

cat > "$T/sla.yaml" <<'YAML'
sla: live
components:
  web: { addresses: [10.0.0.10, "fd00::10"], ports: [80] }
  db: { addresses: [10.0.1.20], ports: [5432] }
rules:
  - { id: no-telnet, deny: { to: web, port: 23, proto: tcp }, severity: high }
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
slos:
  - { id: scan, metric: net.portscan_ports, per: source, component: web, max: 20, window: 10s, severity: high }
  - { id: db-access, metric: app.access_violations, component: db, max: 0, window: 1m, severity: critical }
countermeasures:
  - { when: { severity: high }, do: block-source, for: 1m }
allowlist: [10.0.9.0/24]
defaults: { holdoff: 2s }
YAML

start() {
	launch -c "$T/sla.yaml" --foreground --no-syslog --control "$CTL" --state-dir "$T" \
		--app-socket "$APP" --alerts "$T/alerts.jsonl" "$@"
}

in_set() { nft list set inet slaguard "$1" 2>/dev/null | grep -q "$2 "; }

# 1. No module: starts, warns, answers; SLOs unknown, not compliant.
start
check "starts without the module" kill -0 "$PID"
check "warns that the family is missing" grep -q 'family "slaguard".*not available' "$T/out"
check "control socket is 0600" sh -c "[ \$(stat -c %a '$CTL') = 600 ]"
check "status answers" q '{"cmd":"status"}' '.ok and .sla == "live" and .dry_run == false and (.started | test("T"))'
check "SLOs are unknown without the module" q '{"cmd":"status"}' '[.slos[] | select(.id == "scan")][0] | .state == "unknown" and .value == null'
check "unknown command" q '{"cmd":"x"}' '.ok == false and .error == "unknown command '"'"'x'"'"'"'
check "a non-root client is refused" sh -c "! printf '{\"cmd\":\"status\"}\n' | setpriv --reuid=65534 --regid=65534 --clear-groups socat -t 2 - UNIX-CONNECT:$CTL 2>/dev/null | grep -q '\"ok\":true'"
chmod 755 "$T"	# other uids may reach the app socket (if its group lets them)
check "a second daemon on the same sockets is refused" sh -c "timeout 5 '$D' -c '$T/sla.yaml' --foreground --no-syslog --no-nft --control '$CTL' --app-socket '$APP' > '$T/second' 2>&1; [ \$? = 1 ]"
check "... saying why" grep -q "control socket $CTL: a process is listening on it (another slaguardd?)" "$T/second"
check "... and the first keeps its sockets" q '{"cmd":"status"}' '.sla == "live"'
check "status shows the app socket's limits" q '{"cmd":"status"}' '.app_socket.clients == 0 and .app_socket.limits.max_per_uid == 16 and .app_socket.group == null'

check "table inet slaguard loaded" sh -c 'nft list table inet slaguard > /dev/null'

# 2. Reload: a bad file is refused with FILE:LINE:COL, the SLA stays.
cp "$T/sla.yaml" "$T/good.yaml"
printf 'sla: broken\nslos:\n  - { id: x, metric: net.syn_rate, max: 1 }\n' > "$T/bad.yaml"
check "reload of a bad file is refused with its position" \
	q "{\"cmd\":\"reload\",\"file\":\"$T/bad.yaml\"}" '.ok == false and (.error | test("bad.yaml:3:[0-9]+: "))'
check "the running SLA is untouched" q '{"cmd":"status"}' '.sla == "live"'
sed 's/^sla: live/sla: live2/' "$T/good.yaml" > "$T/sla2.yaml"
check "reload of a good file" q "{\"cmd\":\"reload\",\"file\":\"$T/sla2.yaml\"}" '.ok'
check "the new SLA runs" q '{"cmd":"status"}' '.sla == "live2" and (.file | endswith("sla2.yaml"))'
sed -i 's/^sla: live2/sla: live3/' "$T/sla2.yaml"
kill -HUP "$PID"; sleep 0.5
check "SIGHUP reloads the current file" q '{"cmd":"status"}' '.sla == "live3"'
echo 'sla: [' > "$T/sla2.yaml"
kill -HUP "$PID"; sleep 0.5
check "SIGHUP with a broken file keeps the SLA" q '{"cmd":"status"}' '.sla == "live3"'
check "... and says why" grep -q 'reload refused' "$T/out"
check "SIGTERM exits 0" stop
check "sockets removed on exit" sh -c "[ ! -e '$CTL' ] && [ ! -e '$APP' ]"

# 3. Dry run with (fake) events: alerts and would-be actions, no elements.
nft delete table inet slaguard 2>/dev/null
start --dry-run --genl-family nlctrl --genl-group notify
check "listens to the stand-in family" grep -q 'listening to family "nlctrl"' "$T/out"
# A connect() scan: the source completed handshakes, so it may be blocked.
HANDSHAKES=5 $FAKE 1 portscan 192.0.2.7 40 40
sleep 0.5
check "dry-run: alert with an action" q '{"cmd":"alerts"}' '.alerts[0] | .ref == "scan" and .source == "192.0.2.7" and .kind == "slo" and (.actions | length) == 1'
check "dry-run: countermeasure marked dry_run" q '{"cmd":"countermeasures"}' '.countermeasures[0] | .dry_run == true and .target == "192.0.2.7"'
check "dry-run: nothing in nftables" sh -c '! nft list set inet slaguard block4 2>/dev/null | grep -q 192.0.2.7'
check "status says dry_run" q '{"cmd":"status"}' '.dry_run == true and .events.received == 1'
# Ids go on across restarts (--state-dir): whatever this alert's id is,
# the file holds the alert the control socket reported.
first_id=$(ctl '{"cmd":"alerts"}' | jq -r '.alerts[0].id')
check "alerts file holds the alert" sh -c "jq -s -e 'any(.[]; .id == \"$first_id\" and .source == \"192.0.2.7\")' '$T/alerts.jsonl' > /dev/null"
stop

# 4. Enforcing: block, follow, sequence gap, app events, revoke, adoption.
rm -f "$T/alerts.jsonl"
start --genl-family nlctrl --genl-group notify
(printf '{"cmd":"alerts","follow":true}\n'; sleep 6) | socat -t 8 - "UNIX-CONNECT:$CTL" > "$T/follow" &
FPID=$!
sleep 0.5
HANDSHAKES=5 $FAKE 1 portscan 192.0.2.7 40 40
HANDSHAKES=5 $FAKE 2 portscan 10.0.9.5 40 40
HANDSHAKES=5 $FAKE 5 portscan fd00::99 30 30
$FAKE 6 watch 192.0.2.8 10.0.0.10 23 1000001
sleep 0.7
check "block element with its comment" sh -c "nft list set inet slaguard block4 | grep -q '192.0.2.7 .*comment \"slaguard rule=scan alert=A'"
check "IPv6 source blocked" in_set block6 fd00::99
check "allowlisted source: alert but no block" sh -c "! nft list set inet slaguard block4 | grep -q 10.0.9.5"
check "... the refusal is on the alert" q '{"cmd":"alerts"}' '[.alerts[] | select(.source == "10.0.9.5")][0].evidence.responses[0].result == "refused"'
check "sequence gap: a lost_events alert" q '{"cmd":"alerts"}' '[.alerts[] | select(.kind == "lost_events")][0].evidence.missing == 2'
check "status counts the lost events" q '{"cmd":"status"}' '.events.lost == 2 and .events.received == 4'
check "watch hit: deny-rule violation" q '{"cmd":"alerts"}' '[.alerts[] | select(.kind == "rule")][0] | .ref == "no-telnet" and .source == "192.0.2.8" and .component == "web"'
check "attack shape labelled" q '{"cmd":"alerts"}' '.alerts[0].evidence.attack_shape == "portscan"'
printf '{"component":"db","user":"shop","action":"read","resource":"cards/1","source":"192.0.2.9"}\nnot json\n' |
	socat -t 1 - "UNIX-CONNECT:$APP" > "$T/app.out"
sleep 0.3
check "bad application line answered" sh -c "jq -en 'input | .ok == false' '$T/app.out' > /dev/null"
check "application data-rule violation" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "no-cards")][0] | .kind == "rule" and .severity == "critical"'
check "application SLO violated" q '{"cmd":"status"}' '[.slos[] | select(.id == "db-access")][0].state == "violated"'
check "critical data violation blocks its source" in_set block4 192.0.2.9
C=$(ctl '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "192.0.2.7") | .id')
check "revoke $C" q "{\"cmd\":\"revoke\",\"id\":\"$C\"}" '.ok'
check "revoked element gone" sh -c '! nft list set inet slaguard block4 | grep -q "192.0.2.7 "'
check "revoke again: no such countermeasure" q "{\"cmd\":\"revoke\",\"id\":\"$C\"}" ".error == \"no countermeasure $C\""
nft flush ruleset
sleep 0.7
check "table restored after nft flush ruleset" in_set block6 fd00::99
wait $FPID
check "follow streamed the alerts live" sh -c "[ \$(grep -c '\"id\":\"A' '$T/follow') -ge 4 ]"
check "follow answered first" sh -c "head -n 1 '$T/follow' | jq -en 'input | .ok and (.alerts | type) == \"array\"' > /dev/null"
stop
check "elements stay after the daemon exits" in_set block6 fd00::99
start --genl-family nlctrl --genl-group notify
check "restart adopts what is due" q '{"cmd":"countermeasures"}' '[.countermeasures[] | select(.target == "fd00::99")][0] | .adopted == true and .ref == "scan" and .remaining_s > 0'
stop

# 5. Reporters: the app socket's group, who may report what, no control
# characters in the log, a stale socket replaced.
cat > "$T/sla.yaml" <<'YAML'
sla: rep
components:
  db: { addresses: [10.0.1.20] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
reporters:
  - { user: 65534, components: [db] }
YAML
has() { [ -s "$1" ] && jq -e "$2" "$1" > /dev/null; }
app_as() { # UID LINE: send LINE as UID (group 4242), print the reply
	printf '%s\n' "$2" | setpriv --reuid="$1" --regid=4242 --clear-groups socat -t 1 - "UNIX-CONNECT:$APP"
}
CARD='{"component":"db","user":"shop","action":"read","resource":"cards/1"'
start --genl-family nlctrl --genl-group notify --app-group 4242 --dry-run
check "app socket group from --app-group" sh -c "[ \$(stat -c %g '$APP') = 4242 ] && [ \$(stat -c %a '$APP') = 660 ]"
app_as 65534 "$CARD,\"source\":\"192.0.2.50\"}" > "$T/rep1"
check "a reporter may not name a source unless allowed" has "$T/rep1" '.error == "uid 65534 may not name a source for component db"' 
app_as 65534 "$CARD}" > "$T/rep2"
check "... but reports for its component" sh -c "[ ! -s '$T/rep2' ]"
app_as 65533 "$CARD}" > "$T/rep3"
check "an unlisted uid is refused with the reason" has "$T/rep3" '.error == "uid 65533 may not report for component db"'
sleep 0.3
check "only the authorised event is judged" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "no-cards")] | length == 1 and .[0].source == null'
check "status counts the refusals" q '{"cmd":"status"}' '.app_socket.refused_events == 2 and .app_socket.group == 4242 and (.app_socket.last_refusal | test("uid 65533"))'
check "the refusal is logged" grep -q "refused an event of pid [0-9]*: uid 65534 may not name a source" "$T/out"
printf '%s\n' '{"component":"db","user":"a\u001b[2Jb","action":"write","resource":"x"}' |
	socat -t 1 - "UNIX-CONNECT:$APP" > "$T/rep4"
check "control characters are refused" has "$T/rep4" '.error | test("U\\+001B")'
printf '%s\n' '{"component":"db","user":"root","action":"login-failure","resource":"ssh"}' |
	socat -t 1 - "UNIX-CONNECT:$APP" > "$T/rep5"
check "new actions are taken" sh -c "[ ! -s '$T/rep5' ]"
check "no escape character reached the log" sh -c "! grep -qP '\\x1b' '$T/out'"
stop
# A daemon killed with SIGKILL leaves its socket files: they are replaced.
start --genl-family nlctrl --genl-group notify --dry-run
kill -KILL "$PID"; wait "$PID" 2>/dev/null; PID=""
check "stale sockets left behind" sh -c "[ -S '$CTL' ] && [ -S '$APP' ]"
start --genl-family nlctrl --genl-group notify --dry-run
sleep 0.5
check "a stale socket file is replaced" q '{"cmd":"status"}' '.sla == "rep"'
stop

# 6. Evidence before blocking: a detector's finding blocks its source only
# when the source completed TCP handshakes; a flood from forged sources
# gets the destination-side answer (limit new connections to it).
cat > "$T/sla.yaml" <<'YAML'
sla: evidence
components:
  web: { addresses: [10.0.0.10], ports: [80] }
slos:
  - { id: scan, metric: net.portscan_ports, component: web, max: 20, window: 10s, severity: high }
  - { id: synflood, metric: net.dst_half_open, component: web, max: 500, window: 10s, severity: critical }
countermeasures:
  - { when: { slo: scan }, do: block-source, for: 1m }
  - { when: { slo: synflood }, do: limit-destination, rate: 200/second, for: 1m }
  - { when: { slo: synflood }, do: notify }
defaults: { holdoff: 2s }
YAML
nft delete table inet slaguard 2>/dev/null
start --genl-family nlctrl --genl-group notify
HANDSHAKES=0 PROBES=1 DST=10.0.0.10 DPORT=443 $FAKE 1 portscan 192.0.2.30 40 40
HANDSHAKES=4 PROBES=1 DST=10.0.0.10 DPORT=443 $FAKE 2 portscan 192.0.2.31 40 40
$FAKE 3 dsthalfopen 10.0.0.10 80 900
sleep 0.7
check "a SYN scan without handshakes is not blocked" sh -c "! nft list set inet slaguard block4 | grep -q 192.0.2.30"
check "... the alert says why" q '{"cmd":"alerts"}' '[.alerts[] | select(.source == "192.0.2.30")][0] | .evidence.handshakes == 0 and (.evidence.probes | index("syn")) != null and .evidence.responses[0].result == "refused" and (.evidence.responses[0].detail | test("completed no TCP handshake"))'
check "a scan with handshakes is blocked" in_set block4 192.0.2.31
check "a flood from forged sources limits its destination" sh -c "nft list set inet slaguard limitdst4 | grep -q '10.0.0.10 . 80 .*comment \"slaguard rule=synflood alert=A'"
check "... listed with its alert" q '{"cmd":"countermeasures"}' '[.countermeasures[] | select(.action == "limit-destination")][0] | .target == "10.0.0.10 . 80" and (.alert | test("^A"))'
check "... the alert names the destination and notifies" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "synflood")][0] | .source == null and .evidence.destination == "10.0.0.10" and .evidence.dport == 80 and ([.evidence.responses[].action] == ["limit-destination", "notify"])'
check "the table limits SYNs to limited destinations" sh -c "nft list chain inet slaguard prerouting | grep -q 'ip daddr . tcp dport @limitdst4'"
stop
start --genl-family nlctrl --genl-group notify
check "restart adopts the destination limit" q '{"cmd":"countermeasures"}' '[.countermeasures[] | select(.target == "10.0.0.10 . 80")][0] | .adopted == true and .action == "limit-destination" and .ref == "synflood"'
C=$(ctl '{"cmd":"countermeasures"}' | jq -r '.countermeasures[] | select(.target == "10.0.0.10 . 80") | .id')
check "revoke the destination limit" q "{\"cmd\":\"revoke\",\"id\":\"$C\"}" '.ok'
check "... its element is gone" sh -c "! nft list set inet slaguard limitdst4 | grep -q '10.0.0.10 . 80'"
$FAKE 1 dsthalfopen 10.0.0.10 443 900
sleep 0.5
nft delete element inet slaguard limitdst4 '{ 10.0.0.10 . 443 }'
sleep 0.5
check "a destination limit deleted by hand is taken as revoked" grep -q '10.0.0.10 . 443 removed from limitdst4 by another process; taken as revoked' "$T/out"
stop

# 7. Sequence rules: a scan then the database from one source; failed
# logins then a success for one user. Neither event alone fires.
cat > "$T/sla.yaml" <<'YAML'
sla: seq
components:
  db: { addresses: [10.0.1.20], ports: [5432] }
rules:
  - { id: db-deny, deny: { to: db, port: 5432, proto: tcp }, severity: medium }
  - id: scan-then-db
    sequence: [ { event: net.portscan }, { to: db, port: 5432 } ]
    same: source
    within: 60s
    severity: critical
  - id: guessed-password
    sequence: [ { login-failure: "*", count: 5 }, { login-success: "*" } ]
    same: user
    within: 1m
    severity: high
countermeasures:
  - { when: { rule: scan-then-db }, do: block-source, for: 1m }
YAML
nft delete table inet slaguard 2>/dev/null
start --genl-family nlctrl --genl-group notify
$FAKE 1 watch 192.0.2.20 10.0.1.20 5432 1000001
$FAKE 2 portscan 192.0.2.21 40 40
sleep 0.5
check "sequence: the connection alone is only the deny rule's" q '{"cmd":"alerts"}' '[.alerts[] | .ref] == ["db-deny"]'
check "sequence: nothing blocked for one event" sh -c '! nft list set inet slaguard block4 | grep -q "192.0.2.2"'
check "sequence: status shows the scan in progress" q '{"cmd":"status"}' '.sequences[0] | .rule == "scan-then-db" and .keys == 1 and .fired == 0 and .max_keys == 4096 and .evicted == 0'
$FAKE 3 portscan 192.0.2.22 40 40
$FAKE 4 watch 192.0.2.22 10.0.1.20 5432 1000001
sleep 0.5
check "sequence: scan then database fires" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "scan-then-db")] | length == 1 and .[0].source == "192.0.2.22" and .[0].kind == "rule" and .[0].severity == "critical" and (.[0].evidence.sequence | length) == 2'
check "sequence: its countermeasure blocks the source" in_set block4 192.0.2.22
check "sequence: the single events' sources are not blocked" sh -c '! nft list set inet slaguard block4 | grep -qE "192.0.2.2[01] "'
for i in 1 2 3 4 5; do
	printf '{"component":"db","user":"eve","action":"login-failure","resource":"admin-ui/%s"}\n' "$i"
done | socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
sleep 0.3
check "sequence: failures alone do not fire" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "guessed-password")] | length == 0'
printf '{"component":"db","user":"eve","action":"login-success","resource":"admin-ui"}\n' |
	socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
sleep 0.3
check "sequence: five failures then a success fire" q '{"cmd":"alerts"}' '[.alerts[] | select(.ref == "guessed-password")] | length == 1 and .[0].source == null and .[0].evidence.key == "eve" and .[0].evidence.sequence[0].count == 5'
check "sequence: status counts what fired" q '{"cmd":"status"}' '[.sequences[] | .fired] == [1, 1]'
stop

finish daemon-live
