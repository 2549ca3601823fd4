#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd's cgroup countermeasures on the real cgroup v2 tree:
#  - throttle-cpu: a busy loop alone in a watched cgroup violates its
#    component's sched.cpu_percent SLO; the daemon writes "10000 100000"
#    into the cgroup's cpu.max (10% of one CPU), having read the value the
#    test put there first ("90000 100000", not the default); the cgroup's
#    measured CPU share (cpu.stat usage_usec over a few seconds) falls to
#    about the limit; `slaguardctl -j countermeasures` lists the action
#    with the alert's id, file, value and previous value; when `for` ends
#    the previous value is back in cpu.max;
#  - freeze: a second busy loop in another watched cgroup violates its SLO;
#    the daemon writes 1 into cgroup.freeze, the kernel reports the cgroup
#    frozen (cgroup.events "frozen 1") and the loop gets no CPU; when `for`
#    ends cgroup.freeze is 0 again and the kernel reports it thawed.
# Each busy loop is killed once its action is verified, so its renewed
# violation cannot re-apply the action before the restore is checked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

need_cmd dash jq

CGROOT=/sys/fs/cgroup
FRZ=$CGROOT/sg83frz

# The freeze cgroup is the scenario's own (lib.sh cleans up one cgroup, CG):
# thawed, emptied and removed on exit.
cleanup_frz() {
	if [ -d "$FRZ" ]; then
		echo 0 > "$FRZ/cgroup.freeze" 2>/dev/null
		for _p in $(cat "$FRZ/cgroup.procs" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
		sleep 0.5
		rmdir "$FRZ" 2>/dev/null
	fi
	cleanup
}
trap cleanup_frz EXIT

[ -f "$CGROOT/cgroup.controllers" ] || fail "no cgroup v2 mounted at $CGROOT"
grep -qw cpu "$CGROOT/cgroup.subtree_control" ||
	echo +cpu > "$CGROOT/cgroup.subtree_control" ||
	fail "cannot enable the cpu controller in $CGROOT"
load_module
make_cgroup sg83cpu
mkdir -p "$FRZ" || fail "cannot create $FRZ"
[ -f "$CG/cpu.max" ] || fail "no cpu.max in $CG with the cpu controller enabled"

# A value other than the default, so that restoring it is not restoring
# "max 100000" by accident.
echo "90000 100000" > "$CG/cpu.max" || fail "cannot write cpu.max of $CG"
[ "$(cat "$CG/cpu.max")" = "90000 100000" ] || fail "cpu.max of $CG is $(cat "$CG/cpu.max"), not 90000 100000"

cat > "$T/sla.yaml" <<SLA
sla: cgroup-countermeasures
components:
  hog: { cgroups: [/sg83cpu] }
  forker: { cgroups: [/sg83frz] }
slos:
  - { id: hog-cpu, metric: sched.cpu_percent, component: hog, max: 40, window: 5s, severity: medium }
  - { id: forker-cpu, metric: sched.cpu_percent, component: forker, max: 40, window: 5s, severity: medium }
countermeasures:
  - { when: { slo: hog-cpu }, do: throttle-cpu, cpu: 10%, for: 20s }
  - { when: { slo: forker-cpu }, do: freeze, for: 10s }
defaults: { holdoff: 5s }
SLA

# usage CGROUP: the cgroup's usage_usec from cpu.stat.
usage() {
	awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

# share CGROUP SECONDS: the cgroup's CPU share in percent of one CPU over
# SECONDS (elapsed time from /proc/uptime, in case sleep overruns).
share() {
	_u0=$(usage "$1"); _t0=$(cut -d' ' -f1 /proc/uptime)
	sleep "$2"
	_u1=$(usage "$1"); _t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v u0="$_u0" -v u1="$_u1" -v t0="$_t0" -v t1="$_t1" \
		'BEGIN { printf "%d\n", (u1 - u0) / ((t1 - t0) * 1e6) * 100 }'
}

cm_of() {
	slaguardctl -j countermeasures | jq -c --arg a "$1" '.countermeasures[] | select(.action == $a)'
}

# bg_in CGROUP NAME: a busy loop (a copy of dash named NAME) that moves
# itself into CGROUP before it spins. Sets BG_PID.
bg_in() {
	cp "$(command -v dash)" "$T/$2"
	bg "$2" "$T/$2" -c "echo \$\$ > $1/cgroup.procs || exit 1; while :; do :; done"
	sleep 0.5
	grep -qx "$BG_PID" "$1/cgroup.procs" || fail "the busy loop $BG_PID is not in $1: $(cat "$T/$2.out")"
}

bg_in "$CG" sghog
hog=$BG_PID
before=$(share "$CG" 3)
log "busy loop $hog in $CG: ${before}% of one CPU before the daemon"
[ "$before" -gt 30 ] ||
	fail "the busy loop uses ${before}% of one CPU, too little to show a 10% throttle"

# shellcheck disable=SC2034 # read by daemon-lib.sh: the system monitor
# (task watches) answers only in the initial namespace
DAEMON_NETNS=
start_daemon "$T/sla.yaml"

# --- throttle-cpu ----------------------------------------------------------
wait_for 60 sh -c "[ \"\$(cat $CG/cpu.max)\" = '10000 100000' ]" ||
	fail "slaguardd did not write 10000 100000 into $CG/cpu.max within 60 s: cpu.max $(cat "$CG/cpu.max"); $(grep -e hog-cpu -e throttle "$DAEMON_LOG" | tail -n 5)"
log "cpu.max of $CG: $(cat "$CG/cpu.max")"
a=$(wait_alert '.ref == "hog-cpu"' 10) || fail "cpu.max is throttled but there is no hog-cpu alert"
log "alert: $a"
aid=$(echo "$a" | jq -r .id)
cm=$(cm_of throttle-cpu)
log "countermeasure: $cm"
echo "$cm" | jq -e --arg aid "$aid" '.alert == $aid and .ref == "hog-cpu" and .cgroup == "/sg83cpu" and
	.target == "/sg83cpu" and .file == "cpu.max" and .value == "10000 100000" and
	.previous == "90000 100000" and .dry_run == false and .remaining_s > 0' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list throttle-cpu of /sg83cpu for alert $aid with file, value and previous: $(slaguardctl -j countermeasures)"
cmid=$(echo "$cm" | jq -r .id)
echo "$a" | jq -e --arg id "$cmid" '.actions | tostring | contains($id)' > /dev/null ||
	fail "alert $aid does not record countermeasure $cmid: $a"
slaguardctl countermeasures

# The throttle takes hold at the next period; a generous margin for the
# sampling and the emulated CPU.
sleep 1
after=$(share "$CG" 4)
log "busy loop under throttle: ${after}% of one CPU (limit 10%, before ${before}%)"
[ "$after" -le 20 ] ||
	fail "the throttled cgroup still uses ${after}% of one CPU, above 10% plus a 10-point margin"

# End of the action: kill the loop, so its renewed violation cannot
# re-throttle before the restore is seen.
kill -9 "$hog"
left=$(echo "$cm" | jq .remaining_s)
wait_for $((left + 20)) sh -c "[ \"\$(cat $CG/cpu.max)\" = '90000 100000' ]" ||
	fail "cpu.max of $CG is not back to 90000 100000 within $((left + 20)) s of the action's end: $(cat "$CG/cpu.max"); $(grep "$cmid" "$DAEMON_LOG" | tail -n 3)"
log "cpu.max back to $(cat "$CG/cpu.max")"
[ -z "$(cm_of throttle-cpu)" ] ||
	fail "the throttle is restored but still listed: $(slaguardctl -j countermeasures)"

# --- freeze ----------------------------------------------------------------
[ "$(cat "$FRZ/cgroup.freeze")" = 0 ] || fail "$FRZ/cgroup.freeze is not 0 at the start"
bg_in "$FRZ" sgforker
forker=$BG_PID
wait_for 60 sh -c "[ \"\$(cat $FRZ/cgroup.freeze)\" = 1 ]" ||
	fail "slaguardd did not write 1 into $FRZ/cgroup.freeze within 60 s; $(grep -e forker-cpu -e freeze "$DAEMON_LOG" | tail -n 5)"
wait_for 10 grep -qx "frozen 1" "$FRZ/cgroup.events" ||
	fail "cgroup.freeze is 1 but the kernel does not report $FRZ frozen: $(cat "$FRZ/cgroup.events")"
log "$FRZ frozen: $(tr '\n' ' ' < "$FRZ/cgroup.events")"
a=$(wait_alert '.ref == "forker-cpu"' 10) || fail "$FRZ is frozen but there is no forker-cpu alert"
aid=$(echo "$a" | jq -r .id)
cm=$(cm_of freeze)
log "countermeasure: $cm"
echo "$cm" | jq -e --arg aid "$aid" '.alert == $aid and .cgroup == "/sg83frz" and .file == "cgroup.freeze" and
	.value == "1" and .previous == "0"' > /dev/null ||
	fail "slaguardctl -j countermeasures does not list freeze of /sg83frz for alert $aid: $(slaguardctl -j countermeasures)"
cmid=$(echo "$cm" | jq -r .id)
frozen=$(share "$FRZ" 2)
log "frozen busy loop: ${frozen}% of one CPU"
[ "$frozen" -le 2 ] || fail "the frozen cgroup still uses ${frozen}% of one CPU"

# A frozen process still dies of SIGKILL; with it gone the renewed
# violation cannot refreeze before the thaw is seen.
kill -9 "$forker"
left=$(echo "$cm" | jq .remaining_s)
wait_for $((left + 20)) sh -c "[ \"\$(cat $FRZ/cgroup.freeze)\" = 0 ]" ||
	fail "$FRZ/cgroup.freeze is not back to 0 within $((left + 20)) s of the action's end; $(grep "$cmid" "$DAEMON_LOG" | tail -n 3)"
wait_for 10 grep -qx "frozen 0" "$FRZ/cgroup.events" ||
	fail "cgroup.freeze is 0 but the kernel still reports $FRZ frozen: $(cat "$FRZ/cgroup.events")"
log "$FRZ thawed: $(tr '\n' ' ' < "$FRZ/cgroup.events")"
[ -z "$(cm_of freeze)" ] || fail "the freeze is over but still listed: $(slaguardctl -j countermeasures)"

stop_daemon TERM
