#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Configuration needs CAP_NET_ADMIN over the namespace; reading does not.
#  - an unprivileged user cannot add a watch or change thresholds (exit 1,
#    a message about permission) but can read stats;
#  - root of a new user namespace cannot configure the initial namespace;
#  - root of a new user namespace may configure its own network namespace
#    (the family is per namespace, checked against its owning user ns).
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
[ -w /proc/sys/kernel/unprivileged_userns_clone ] && echo 1 > /proc/sys/kernel/unprivileged_userns_clone

load_module

log "unprivileged: watch add port 22"
nobody slaguardctl watch add port 22 > "$T/add.out" 2> "$T/add.err"
rc=$?
cat "$T/add.out" "$T/add.err"
[ "$rc" = 1 ] || fail "unprivileged 'watch add port 22' exited $rc, not 1"
grep -qi 'permi' "$T/add.err" || fail "unprivileged 'watch add' does not mention permission: $(cat "$T/add.err")"

log "unprivileged: threshold set"
nobody slaguardctl threshold set portscan 5 > /dev/null 2> "$T/thr.err"
rc=$?
[ "$rc" = 1 ] || fail "unprivileged 'threshold set' exited $rc, not 1"
grep -qi 'permi' "$T/thr.err" || fail "unprivileged 'threshold set' does not mention permission: $(cat "$T/thr.err")"

log "unprivileged: stats, -j stats, threshold show"
nobody slaguardctl stats || fail "unprivileged 'stats' exited $?"
nobody slaguardctl -j stats | jq -e '.pkts_in != null' > /dev/null || fail "unprivileged '-j stats' is not JSON with pkts_in"
nobody slaguardctl threshold show > /dev/null || fail "unprivileged 'threshold show' exited $?"

log "no watch was added by the attempts above"
sgctl watch list > "$T/watches.txt" 2>&1 || fail "watch list failed"
cat "$T/watches.txt"
grep -Eq '(^|[^0-9])22([^0-9]|$)' "$T/watches.txt" && fail "a watch on port 22 exists after the unprivileged attempts"

log "root of a new user namespace, initial network namespace: denied"
nobody unshare --user --map-root-user slaguardctl watch add port 22 > /dev/null 2> "$T/userns.err"
rc=$?
[ "$rc" = 1 ] || fail "userns root configuring the initial netns exited $rc, not 1 ($(cat "$T/userns.err"))"

log "root of a new user namespace, its own network namespace: allowed"
nobody unshare --user --map-root-user --net sh -c \
	'slaguardctl watch add port 22 && slaguardctl watch list' > "$T/ownns.out" 2>&1
rc=$?
cat "$T/ownns.out"
[ "$rc" = 0 ] || fail "userns root could not configure its own netns (exit $rc): $(tail -n 1 "$T/ownns.out")"

sgctl watch list > "$T/watches2.txt" 2>&1
grep -Eq '(^|[^0-9])22([^0-9]|$)' "$T/watches2.txt" &&
	fail "the watch added in a child namespace shows up in the initial one"
slaguardctl stats > /dev/null || fail "stats after the namespace exercises exited $?"
