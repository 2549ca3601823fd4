#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd's isolate-network and kill countermeasures, on the real cgroup
# v2 tree and nftables (the daemon in the root namespace: the system
# monitor answers only there):
#  - isolate-network: a busy loop in cgroup /sg82iso violates its
#    component's sched.cpu_percent SLO; the daemon writes "socket cgroupv2"
#    rules into table inet slaguard's isolate chains; a connection from a
#    process of /sg82iso to 127.0.0.1 then fails while one to the
#    allowlisted 127.0.0.2 works, and so does one from another cgroup
#    (/sg82ok); listed by `slaguardctl countermeasures` with its alert;
#    after `kill -9` of the daemon, the restarted daemon adopts it (same
#    id) and lifts it when `for` ends: the connection works again and no
#    rule is left;
#  - kill: a busy loop named sshd (protected by name) is refused with an
#    alert saying why, and lives on; a busy loop named sgvictim is killed
#    (SIGKILL through a pidfd), the alert naming the countermeasure;
#  - freeze on a fork storm: a loop forking in /sg82fork violates a
#    sched.fork_rate SLO; cgroup.freeze is 1 and the kernel reports the
#    cgroup frozen, then 0 and thawed when `for` ends;
#  - limit-memory: a 64 MiB resident process in /sg82mem violates a
#    sched.rss_bytes SLO; memory.high is set to 200000000 (199999488, in
#    pages), then the value the test put there first (not the default)
#    returns.
# The last three run while the isolation runs out.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

need_cmd dash jq socat nft

CGROOT=/sys/fs/cgroup
OK=$CGROOT/sg82ok
SSH=$CGROOT/sg82ssh
FORK=$CGROOT/sg82fork
MEM=$CGROOT/sg82mem
PORT=7082
ISO_S=20

cleanup_82() {
	for _d in "$OK" "$SSH" "$FORK" "$MEM"; do
		[ -d "$_d" ] || continue
		echo 0 > "$_d/cgroup.freeze" 2>/dev/null
		for _p in $(cat "$_d/cgroup.procs" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
		sleep 0.3
		rmdir "$_d" 2>/dev/null
	done
	cleanup
}
trap cleanup_82 EXIT

[ -f "$CGROOT/cgroup.controllers" ] || fail "no cgroup v2 mounted at $CGROOT"
load_module
make_cgroup sg82iso
grep -qw memory "$CGROOT/cgroup.subtree_control" ||
	echo +memory > "$CGROOT/cgroup.subtree_control" ||
	fail "cannot enable the memory controller in $CGROOT"
mkdir -p "$OK" "$SSH" "$FORK" "$MEM" || fail "cannot create the scenario's cgroups"
# not the default ("max"), so that restoring it is not restoring "max" by accident
echo 536870912 > "$MEM/memory.high" || fail "cannot write memory.high of $MEM"

# A TCP server on every local address, in no isolated cgroup.
bg server socat "TCP-LISTEN:$PORT,reuseaddr,fork" SYSTEM:'echo ok'
wait_for 10 sh -c "ss -Hltn 'sport = :$PORT' | grep -q ." || fail "the server does not listen on $PORT"

# reach CGROUP ADDR: does a process of CGROUP get the server's "ok" from
# ADDR? It joins the cgroup before its socket exists (a socket belongs to
# the cgroup it was created in).
reach() {
	_r=$(timeout 8 sh -c "echo \$\$ > $1/cgroup.procs && exec socat -T 3 - TCP:$2:$PORT,connect-timeout=2" < /dev/null 2>/dev/null)
	[ "$_r" = ok ]
}

reach "$CG" 127.0.0.1 || fail "a process of $CG cannot reach 127.0.0.1:$PORT before any countermeasure"

cat > "$T/sla.yaml" <<SLA
sla: process-countermeasures
components:
  iso: { cgroups: [/sg82iso] }
  victim: { processes: [sgvictim] }
  remote: { processes: [sshd] }
  forks: { cgroups: [/sg82fork] }
  mem: { cgroups: [/sg82mem] }
slos:
  - { id: iso-cpu, metric: sched.cpu_percent, component: iso, max: 40, window: 5s, severity: medium }
  - { id: victim-cpu, metric: sched.cpu_percent, component: victim, per: process, max: 40, window: 5s, severity: medium }
  - { id: sshd-cpu, metric: sched.cpu_percent, component: remote, per: process, max: 40, window: 5s, severity: medium }
  - { id: fork-storm, metric: sched.fork_rate, component: forks, max: 20, window: 5s, severity: medium }
  - { id: mem-rss, metric: sched.rss_bytes, component: mem, max: 40M, window: 5s, severity: medium }
countermeasures:
  - { when: { slo: iso-cpu }, do: isolate-network, for: ${ISO_S}s }
  - { when: { slo: victim-cpu }, do: kill }
  - { when: { slo: sshd-cpu }, do: kill }
  - { when: { slo: fork-storm }, do: freeze, for: 8s }
  - { when: { slo: mem-rss }, do: limit-memory, memory: 200M, for: 8s }
allowlist: [127.0.0.2]
defaults: { holdoff: 5s }
SLA

cm_of() {
	slaguardctl -j countermeasures | jq -c --arg a "$1" '.countermeasures[] | select(.action == $a)'
}

# isolate_rules: the isolate chains' rules, one line each.
isolate_rules() {
	{ nft list chain inet slaguard isolate_out; nft list chain inet slaguard isolate_in; } 2>/dev/null |
		grep 'socket cgroupv2'
}

# bg_in CGROUP NAME: a busy loop (a copy of dash named NAME) that moves
# itself into CGROUP before it spins. Sets BG_PID.
bg_in() {
	cp "$(command -v dash)" "$T/$2"
	bg "$2" "$T/$2" -c "echo \$\$ > $1/cgroup.procs || exit 1; while :; do :; done"
	sleep 0.5
	grep -qx "$BG_PID" "$1/cgroup.procs" || fail "the busy loop $BG_PID is not in $1: $(cat "$T/$2.out")"
}

# shellcheck disable=SC2034 # read by daemon-lib.sh
DAEMON_NETNS=
start_daemon "$T/sla.yaml"

# --- isolate-network ---------------------------------------------------------
bg_in "$CG" sgiso
iso=$BG_PID
wait_for 60 sh -c "[ -n \"\$(slaguardctl -j countermeasures | jq -r '.countermeasures[] | select(.action == \"isolate-network\") | .id')\" ]" ||
	fail "slaguardd did not isolate $CG within 60 s; $(grep -e iso-cpu -e isolate "$DAEMON_LOG" | tail -n 5)"
# its violation would renew the action: the loop goes, the isolation stays
kill -9 "$iso"
t_iso=$(date +%s)
a=$(wait_alert '.ref == "iso-cpu"' 10) || fail "$CG is isolated but there is no iso-cpu alert"
aid=$(echo "$a" | jq -r .id)
cm=$(cm_of isolate-network)
log "countermeasure: $cm"
echo "$cm" | jq -e --arg aid "$aid" '.alert == $aid and .cgroup == "/sg82iso" and .target == "/sg82iso" and
	.dry_run == false and .remaining_s > 0' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list isolate-network of /sg82iso for alert $aid: $(slaguardctl -j countermeasures)"
cmid=$(echo "$cm" | jq -r .id)
rules=$(isolate_rules)
log "rules: $rules"
[ "$(echo "$rules" | grep -c "cm=$cmid")" -eq 4 ] ||
	fail "expected 4 isolation rules (out and in, IPv4 and IPv6) naming $cmid: $(nft list table inet slaguard | tail -n 30)"
echo "$rules" | grep -q 'socket cgroupv2 level 1 "sg82iso"' ||
	fail "the isolation rules do not match cgroup sg82iso at level 1: $rules"

cannot_reach() { ! reach "$@"; }
cannot_reach "$CG" 127.0.0.1 || fail "a process of the isolated $CG still reaches 127.0.0.1:$PORT"
reach "$CG" 127.0.0.2 || fail "a process of the isolated $CG cannot reach the allowlisted 127.0.0.2:$PORT"
reach "$OK" 127.0.0.1 || fail "a process of $OK (not isolated) cannot reach 127.0.0.1:$PORT"
log "isolated: $CG cannot reach 127.0.0.1, reaches the allowlisted 127.0.0.2; $OK reaches both"

# The daemon dies mid-isolation: the rules stay; the restarted one adopts them.
stop_daemon KILL
[ "$(isolate_rules | grep -c "cm=$cmid")" -eq 4 ] || fail "the isolation rules vanished with the daemon"
start_daemon "$T/sla.yaml"
cm=$(cm_of isolate-network)
echo "$cm" | jq -e --arg id "$cmid" '.id == $id and .adopted == true and .cgroup == "/sg82iso"' > /dev/null ||
	fail "the restarted daemon did not adopt $cmid: $(slaguardctl -j countermeasures); $(grep isolate "$DAEMON_LOG" | tail -n 3)"
[ "$(isolate_rules | grep -c "cm=$cmid")" -eq 4 ] ||
	fail "after the restart, the rules of $cmid are not the 4 expected: $(isolate_rules)"
cannot_reach "$CG" 127.0.0.1 || fail "after the restart, the isolated $CG reaches 127.0.0.1:$PORT"
log "restarted: $cmid adopted, $CG still isolated"

# --- kill, freeze, limit-memory -------------------------------------------------
# (while the isolation runs out)
bg_in "$SSH" sshd
sshd=$BG_PID
bg_in "$OK" sgvictim
victim=$BG_PID
# a subshell is a fork (true is a builtin and /bin/true may be absent)
bg storm sh -c "echo \$\$ > $FORK/cgroup.procs || exit 1; while :; do ( : ); done"
storm=$BG_PID
# the hog fills a 64 MiB block, then blocks writing it to a FIFO nobody reads
mkfifo "$T/mem.fifo" || fail "mkfifo failed"
exec 3<> "$T/mem.fifo"
cp "$(command -v busybox)" "$T/busybox-sgmem"
bg memhog sh -c "echo \$\$ > $MEM/cgroup.procs || exit 1; exec $T/busybox-sgmem dd if=/dev/zero of=$T/mem.fifo bs=64M count=1 iflag=fullblock"
memhog=$BG_PID
wait_for 60 sh -c "! kill -0 $victim 2>/dev/null" ||
	fail "slaguardd did not kill sgvictim[$victim] within 60 s; $(grep -e victim-cpu -e kill "$DAEMON_LOG" | tail -n 5)"
wait "$victim" 2>/dev/null
a=$(wait_alert '.ref == "victim-cpu"' 10) || fail "sgvictim is gone but there is no victim-cpu alert"
log "alert: $a"
echo "$a" | jq -e --arg p "sgvictim[$victim]" '.evidence.responses[] | select(.action == "kill") |
	(.result | test("^C[0-9]+$")) and (.detail | contains("SIGKILL sent to " + $p))' > /dev/null ||
	fail "the victim-cpu alert does not record the kill: $a"
kid=$(echo "$a" | jq -r '.evidence.responses[] | select(.action == "kill") | .result')
echo "$a" | jq -e --arg id "$kid" '.actions | index($id)' > /dev/null || fail "alert does not list $kid: $a"
[ -z "$(cm_of kill)" ] || fail "a one-shot kill is listed as in force: $(slaguardctl -j countermeasures)"
log "sgvictim[$victim] killed ($kid)"

a=$(wait_alert '.ref == "sshd-cpu"' 30) || fail "no sshd-cpu alert for the busy sshd[$sshd]"
echo "$a" | jq -e '.evidence.responses[] | select(.action == "kill") |
	.result == "refused" and (.detail | contains("protected: process sshd"))' > /dev/null ||
	fail "the kill of sshd was not refused with why: $a"
kill -0 "$sshd" 2>/dev/null || fail "the protected sshd[$sshd] was killed"
log "kill of sshd[$sshd] refused: $(echo "$a" | jq -r '.evidence.responses[] | select(.action == "kill") | .detail')"
kill -9 "$sshd"

wait_for 60 sh -c "[ \"\$(cat $FORK/cgroup.freeze)\" = 1 ]" ||
	fail "slaguardd did not freeze $FORK within 60 s of the fork storm; $(grep -e fork-storm -e freeze "$DAEMON_LOG" | tail -n 5)"
wait_for 10 grep -qx "frozen 1" "$FORK/cgroup.events" ||
	fail "cgroup.freeze is 1 but the kernel does not report $FORK frozen: $(cat "$FORK/cgroup.events")"
fcm=$(cm_of freeze)
echo "$fcm" | jq -e '.cgroup == "/sg82fork" and .value == "1" and .previous == "0"' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list freeze of /sg82fork: $(slaguardctl -j countermeasures)"
wait_alert '.ref == "fork-storm"' 10 > /dev/null || fail "$FORK is frozen but there is no fork-storm alert"
log "fork storm frozen: $fcm"
# SIGKILL reaches a frozen process: the storm cannot refreeze before the thaw
kill -9 "$storm"

wait_for 60 sh -c "[ \"\$(cat $MEM/memory.high)\" = 199999488 ]" ||
	fail "slaguardd did not set memory.high of $MEM within 60 s: $(cat "$MEM/memory.high"); $(grep -e mem-rss -e limit-memory "$DAEMON_LOG" | tail -n 5)"
mcm=$(cm_of limit-memory)
echo "$mcm" | jq -e '.cgroup == "/sg82mem" and .file == "memory.high" and .value == "200000000" and
	.previous == "536870912"' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list limit-memory of /sg82mem with its previous value: $(slaguardctl -j countermeasures)"
log "memory limited: $mcm"
kill -9 "$memhog"

wait_for 25 sh -c "[ \"\$(cat $FORK/cgroup.freeze)\" = 0 ]" ||
	fail "$FORK/cgroup.freeze is not back to 0 within 25 s: $(grep freeze "$DAEMON_LOG" | tail -n 3)"
wait_for 10 grep -qx "frozen 0" "$FORK/cgroup.events" ||
	fail "cgroup.freeze is 0 but the kernel still reports $FORK frozen"
log "$FORK thawed"
wait_for 25 sh -c "[ \"\$(cat $MEM/memory.high)\" = 536870912 ]" ||
	fail "memory.high of $MEM is not back to 536870912 within 25 s: $(cat "$MEM/memory.high")"
log "memory.high of $MEM back to $(cat "$MEM/memory.high")"

# --- the isolation ends --------------------------------------------------------
left=$(( ISO_S - ($(date +%s) - t_iso) ))
wait_for $((left + 15)) sh -c "[ -z \"\$(slaguardctl -j countermeasures | jq -r '.countermeasures[] | select(.action == \"isolate-network\") | .id')\" ]" ||
	fail "$cmid is still listed $((left + 15)) s after it was due: $(slaguardctl -j countermeasures)"
[ -z "$(isolate_rules)" ] || fail "isolation rules are left after $cmid ended: $(isolate_rules)"
wait_for 10 reach "$CG" 127.0.0.1 || fail "$CG cannot reach 127.0.0.1:$PORT after the isolation ended"
log "isolation over after $(( $(date +%s) - t_iso )) s (for ${ISO_S}s): $CG reaches 127.0.0.1 again, no rule left"

stop_daemon TERM
