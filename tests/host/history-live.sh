#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# slaguardd's SLA history and `slaguardctl report`, for real, in a new
# network namespace: an application event violates an SLO; the history
# (SQLite in the state directory) records the violation while it lasts
# and after it ends; the report's shares, violations and durations in
# text, JSON and CSV; the history survives a restart; a daemon killed
# with SIGKILL leaves a violation that the next start ends. Needs root,
# socat and jq.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd
CTLBIN=$TOP/userspace/slaguardctl/slaguardctl

if [ "$(id -u)" != 0 ]; then
	echo "history-live: skipped (needs root)"
	exit 0
fi
for c in socat jq; do
	command -v $c > /dev/null || { echo "history-live: skipped (needs $c)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up

T=$(mktemp -d)
CTL=$T/control.sock
APP=$T/app.sock
DB=$T/history.db
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh

report() { "$CTLBIN" report --db "$DB" "$@"; }
# jq FILTER over `report -j ARGS...` (FILTER first).
rj() { _f=$1; shift; _r=$(report -j "$@") && [ -n "$_r" ] && printf '%s\n' "$_r" | jq -e "$_f" > /dev/null; }

cat > "$T/sla.yaml" <<'YAML'
sla: history-live
components:
  db: { addresses: [10.0.1.20], ports: [5432] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
slos:
  - { id: db-access, metric: app.access_violations, component: db, max: 0, window: 10s, severity: critical }
  - { id: lost, metric: events.lost, max: 0, window: 1m, severity: low }
countermeasures:
  - { when: { severity: critical }, do: block-source, for: 1m }
YAML

start() {
	launch -c "$T/sla.yaml" --foreground --no-syslog --no-nft --dry-run --control "$CTL" \
		--state-dir "$T" --app-socket "$APP" "$@"
}

violate() {
	printf '{"component":"db","user":"shop","action":"read","resource":"cards/1","source":"192.0.2.9"}\n' |
		socat -t 1 - "UNIX-CONNECT:$APP" > /dev/null
	sleep 1.5
}

check "no history yet: a clear error" sh -c "! '$CTLBIN' report --db '$T/none.db' 2> '$T/err' && grep -q 'history $T/none.db' '$T/err'"
start
check "says where the history is" grep -q "history: $DB" "$T/out"
sleep 1.2
check "every SLO is in the history from the start" rj '[.slos[].slo] == ["db-access", "lost"] and all(.slos[]; .unknown > 0.999)'
violate
check "the daemon says db-access is violated" q '{"cmd":"status"}' '[.slos[] | select(.id == "db-access")][0].state == "violated"'
check "report: an ongoing violation" rj '.slos[0] | .slo == "db-access" and .violated > 0 and (.violations | length) == 1 and .violations[0].end == null and .violations[0].worst == 1'
check "... with its evidence" rj '.slos[0].violations[0].evidence.evidence.sources[0].source == "192.0.2.9"'
check "shares add up to 1" rj 'all(.slos[]; (.compliant + .violated + .unknown - 1 | fabs) < 0.000001)'
# The 10 s window passes: the SLO leaves violated (unknown: no events).
i=0
until q '{"cmd":"status"}' '[.slos[] | select(.id == "db-access")][0].state != "violated"' || [ $i -ge 40 ]; do
	sleep 0.5; i=$((i + 1))
done
sleep 1.2
check "report: the violation ended, with its duration" \
	rj '.slos[0].violations[0] | .end != null and .duration_s >= 8 and .duration_s <= 30'
check "--slo selects one SLO" rj '[.slos[].slo] == ["lost"]' --slo lost
check "--since 1s, after the violation: none in the period" sh -c "sleep 2; '$CTLBIN' report --db '$DB' -j --since 1s | jq -en 'input | .slos[0].violations == [] and .slos[0].violated == 0' > /dev/null"
check "SIGTERM exits 0" stop
report > "$T/text"
check "text: a table of shares and one of violations" sh -c "grep -q '^SLO  *COMPLIANT  *VIOLATED  *UNKNOWN  *VIOLATIONS' '$T/text' && grep -qE '^db-access  *[0-9.]+%  *[0-9.]+%  *[0-9.]+%  *1 ' '$T/text' && grep -qE '^SLO  *START  *END  *DURATION  *WORST' '$T/text'"
sed 's/^/#   /' "$T/text"
report --csv > "$T/csv"
check "csv: a header, a line per SLO and per violation" sh -c "head -n 1 '$T/csv' | grep -qx 'record,slo,compliant,violated,unknown,start,end,duration_s,worst' && grep -qE '^slo,db-access,[0-9.]+,[0-9.]+,[0-9.]+,,,[0-9.]+,$' '$T/csv' && grep -qE '^violation,db-access,,,,[0-9T:.-]+Z,[0-9T:.-]+Z,[0-9.]+,1$' '$T/csv'"
check "an unknown SLO is an error" sh -c "! '$CTLBIN' report --db '$DB' --slo nosuch 2> '$T/err' && grep -q \"no SLO 'nosuch'\" '$T/err'"
check "a bad --since is a usage error" sh -c "'$CTLBIN' report --db '$DB' --since soon 2> /dev/null; [ \$? = 2 ]"
check "-j and --csv exclude each other" sh -c "'$CTLBIN' report --db '$DB' -j --csv 2> /dev/null; [ \$? = 2 ]"

# A restart keeps the history.
start
sleep 1.2
check "after a restart the violation is still reported" rj '.slos[0].violations | length == 1 and .[0].end != null'
# A daemon killed while violated: the next start ends the violation.
violate
stop KILL
start
sleep 1.2
check "a violation left by SIGKILL is ended by the next start" rj '.slos[0].violations | length == 2 and all(.[]; .end != null)'
stop
check "the history file is in WAL mode" sh -c "[ -e '$DB' ] && head -c 100 '$DB' | od -An -tu1 -j18 -N2 | grep -q '2  *2'"

finish history-live
