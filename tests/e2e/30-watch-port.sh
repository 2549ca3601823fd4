#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A watch on TCP port 23 reports a connection attempt to the victim's port 23
# as WATCH_HIT (IPv4 and IPv6) naming the attacker; other ports do not hit,
# and once the watch is deleted port 23 does not hit either.
. "$(dirname "$0")/lib.sh"

# try_connect ADDR-SPEC: one connection attempt from the attacker (the port
# is closed: the SYN is what matters).
try_connect() {
	att timeout 10 socat -u OPEN:/dev/null "$1,connect-timeout=3" 2>/dev/null
	return 0
}

setup_netns
load_module
start_events "$T/events"

id=$(sgctl watch add port 23 proto tcp) || fail "watch add port 23 proto tcp failed (exit $?)"
id=$(echo "$id" | grep -Eo '[0-9]+' | head -n 1)
[ -n "$id" ] || fail "watch add printed no id"
log "watch id $id"
sgctl watch list | tee "$T/watches.txt"
grep -Eq "(^|[^0-9])23([^0-9]|\$)" "$T/watches.txt" || fail "watch list does not show port 23"

# The hit that matters is the one at the victim's PRE_ROUTING; the attacker's
# LOCAL_OUT matches the watch (dir any) too.
hit4='.kind == "WATCH_HIT" and (.dport | tonumber) == 23 and .source == "'"$ATTACKER4"'" and '"$(at_victim)"
hit6='.kind == "WATCH_HIT" and (.dport | tonumber) == 23 and .source == "'"$ATTACKER6"'" and '"$(at_victim)"

log "connect to $VICTIM4:23"
try_connect "TCP:$VICTIM4:23"
ev=$(wait_event "$T/events" "$hit4") || fail "no WATCH_HIT for $ATTACKER4 -> port 23"
log "event: $ev"
echo "$ev" | jq -e '.family == "inet" and .destination == "'"$VICTIM4"'" and (.watch | tonumber) == '"$id" > /dev/null ||
	fail "WATCH_HIT has the wrong family, destination or watch id (want $id): $ev"

log "connect to [$VICTIM6]:23"
try_connect "TCP6:[$VICTIM6]:23"
ev=$(wait_event "$T/events" "$hit6") || fail "no WATCH_HIT for $ATTACKER6 -> port 23"
log "event: $ev"
echo "$ev" | jq -e '.family == "inet6" and (.watch | tonumber) == '"$id" > /dev/null ||
	fail "IPv6 WATCH_HIT has the wrong family or watch id: $ev"

log "connect to port 24: no hit"
try_connect "TCP:$VICTIM4:24"
expect_no_event "$T/events" '.kind == "WATCH_HIT" and (.dport | tonumber) == 24' 2

sgctl watch del "$id" || fail "watch del $id failed"
sleep 1
before=$(event_count "$T/events" '.kind == "WATCH_HIT"')
log "watch deleted; connect to port 23 again"
try_connect "TCP:$VICTIM4:23"
sleep 3
after=$(event_count "$T/events" '.kind == "WATCH_HIT"')
[ "$after" = "$before" ] || fail "WATCH_HIT events after the watch was deleted ($before -> $after)"

sgctl watch del "$id" 2> "$T/del2.err"
rc=$?
[ "$rc" = 1 ] || fail "deleting an unknown watch exited $rc, not 1"
expect_gapless "$T/events"
