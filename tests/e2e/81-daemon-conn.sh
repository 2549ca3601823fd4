#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A deny rule's cgroup countermeasure on the local process that broke it
# (the daemon in the root namespace, on the real cgroup v2 tree and
# nftables):
#  - a process of cgroup /sgconn connects to port 7123 of component local,
#    which rule no-conn denies; the module's WATCH_HIT of the SYN leaving
#    through LOCAL_OUT names its socket's cgroup (SLAGUARD_EV_CGROUP_ID,
#    shown by `slaguardctl events`), the alert names /sgconn, and
#    isolate-network (for 15s) drops /sgconn's traffic to 127.0.0.1 while
#    /sgconnok's still flows; when the 15 s are over it flows again and no
#    rule is left;
#  - the same from cgroup /sgconnssh, which holds a process named sshd:
#    refused, the alert saying why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

need_cmd dash jq socat nft

CGROOT=/sys/fs/cgroup
OK=$CGROOT/sgconnok
SSH=$CGROOT/sgconnssh
PORT=7180	# a server anyone may reach
DENY=7123	# rule no-conn
DENY_SSH=7124	# rule no-conn-ssh
ISO_S=15

cleanup_81() {
	for _d in "$OK" "$SSH"; do
		[ -d "$_d" ] || continue
		for _p in $(cat "$_d/cgroup.procs" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
		sleep 0.3
		rmdir "$_d" 2>/dev/null
	done
	cleanup
}
trap cleanup_81 EXIT

[ -f "$CGROOT/cgroup.controllers" ] || fail "no cgroup v2 mounted at $CGROOT"
load_module
make_cgroup sgconn
mkdir -p "$OK" "$SSH" || fail "cannot create the scenario's cgroups"

bg server socat "TCP-LISTEN:$PORT,reuseaddr,fork" SYSTEM:'echo ok'
wait_for 10 sh -c "ss -Hltn 'sport = :$PORT' | grep -q ." || fail "the server does not listen on $PORT"

# in_cg CGROUP CMD...: run CMD in CGROUP (joined before any socket exists:
# a socket belongs to the cgroup it was created in).
in_cg() {
	_c=$1; shift
	timeout 8 sh -c "echo \$\$ > $_c/cgroup.procs && exec \"\$@\"" sh "$@"
}
# reach CGROUP: does a process of CGROUP get the server's "ok"?
reach() {
	[ "$(in_cg "$1" socat -T 3 - "TCP:127.0.0.1:$PORT,connect-timeout=2" < /dev/null 2>/dev/null)" = ok ]
}
# knock CGROUP PORT: a connection attempt (nobody listens: refused)
knock() {
	in_cg "$1" socat -u OPEN:/dev/null "TCP:127.0.0.1:$2,connect-timeout=2" 2>/dev/null
	return 0
}

wait_for 10 reach "$CG" || fail "a process of $CG cannot reach 127.0.0.1:$PORT before any countermeasure"

cat > "$T/sla.yaml" <<SLA
sla: connection-countermeasures
components:
  local: { addresses: [127.0.0.1] }
rules:
  - { id: no-conn, deny: { to: local, port: $DENY, proto: tcp }, severity: high }
  - { id: no-conn-ssh, deny: { to: local, port: $DENY_SSH, proto: tcp }, severity: high }
countermeasures:
  - { when: { rule: no-conn }, do: isolate-network, for: ${ISO_S}s }
  - { when: { rule: no-conn-ssh }, do: isolate-network, for: ${ISO_S}s }
allowlist: [127.0.0.2]
SLA

isolate_rules() {
	{ nft list chain inet slaguard isolate_out; nft list chain inet slaguard isolate_in; } 2>/dev/null |
		grep 'socket cgroupv2'
}

# shellcheck disable=SC2034 # read by daemon-lib.sh
DAEMON_NETNS=
start_daemon "$T/sla.yaml"

# --- the event names the cgroup ----------------------------------------------
bg events slaguardctl events --timeout 15
sleep 1
knock "$CG" "$DENY"
t_iso=$(date +%s)
wait_for 10 grep -Eq "WATCH_HIT.*dport=$DENY.*dir=out.*cgroup=/sgconn( |$)" "$T/events.out" ||
	fail "no WATCH_HIT of the SYN to $DENY naming cgroup /sgconn: $(grep WATCH_HIT "$T/events.out" | head -n 5)"
log "event: $(grep "dport=$DENY.*cgroup=" "$T/events.out" | head -n 1)"

# --- isolate-network on it -----------------------------------------------------
a=$(wait_alert '.ref == "no-conn" and .evidence.cgroup == "/sgconn"' 20) ||
	fail "no no-conn alert naming cgroup /sgconn within 20 s: $(alerts | jq -c '[.ref, .evidence.cgroup, .evidence.responses]' | tr '\n' ' ')"
log "alert: $a"
echo "$a" | jq -e '.evidence.responses[] | select(.action == "isolate-network") | .result | test("^C[0-9]+$")' > /dev/null ||
	fail "the no-conn alert does not record an isolate-network countermeasure: $a"
cm=$(slaguardctl -j countermeasures | jq -c '.countermeasures[] | select(.action == "isolate-network")')
echo "$cm" | jq -e '.cgroup == "/sgconn"' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list isolate-network of /sgconn: $(slaguardctl -j countermeasures)"
isolate_rules | grep -q 'socket cgroupv2 level 1 "sgconn"' ||
	fail "no isolation rule matches cgroup sgconn: $(nft list table inet slaguard | tail -n 30)"
! reach "$CG" || fail "a process of the isolated $CG still reaches 127.0.0.1:$PORT"
wait_for 10 reach "$OK" || fail "a process of $OK (not isolated) cannot reach 127.0.0.1:$PORT"
log "isolated: $CG cannot reach 127.0.0.1:$PORT, $OK can"

# --- a cgroup holding a protected process ----------------------------------------
cp "$(command -v dash)" "$T/sshd"
bg sshd "$T/sshd" -c "echo \$\$ > $SSH/cgroup.procs || exit 1; while :; do sleep 1; done"
sleep 0.5
grep -qx "$BG_PID" "$SSH/cgroup.procs" || fail "the process named sshd is not in $SSH"
knock "$SSH" "$DENY_SSH"
a=$(wait_alert '.ref == "no-conn-ssh"' 20) || fail "no no-conn-ssh alert within 20 s"
log "alert: $a"
echo "$a" | jq -e '.evidence.cgroup == "/sgconnssh" and (.evidence.responses[] | select(.action == "isolate-network") |
	.result == "refused" and (.detail | contains("protected: cgroup /sgconnssh holds sshd[")))' > /dev/null ||
	fail "isolate-network of /sgconnssh (holding sshd) was not refused with why: $a"
isolate_rules | grep -q '"sgconnssh"' && fail "/sgconnssh was isolated: $(isolate_rules)"
log "refused: $(echo "$a" | jq -r '.evidence.responses[] | select(.action == "isolate-network") | .detail')"

# --- the isolation ends ------------------------------------------------------------
left=$(( ISO_S - ($(date +%s) - t_iso) ))
wait_for $((left + 15)) sh -c "[ -z \"\$(slaguardctl -j countermeasures | jq -r '.countermeasures[] | select(.action == \"isolate-network\") | .id')\" ]" ||
	fail "the isolation is still listed $((left + 15)) s after it was due: $(slaguardctl -j countermeasures)"
[ -z "$(isolate_rules)" ] || fail "isolation rules are left after the isolation ended: $(isolate_rules)"
wait_for 10 reach "$CG" || fail "$CG cannot reach 127.0.0.1:$PORT after the isolation ended"
log "isolation over after $(( $(date +%s) - t_iso )) s (for ${ISO_S}s): $CG reaches 127.0.0.1 again"

stop_daemon TERM
