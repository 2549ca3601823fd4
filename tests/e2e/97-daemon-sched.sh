#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# slaguardd and the system monitor, end to end: the SLA's components name
# processes; the daemon installs a task watch per name, the module samples
# the processes, and the daemon judges the sched.* SLOs on the samples. A
# busy loop under a watched name (a copy of dash named after the watch)
# violates its component's sched.cpu_percent SLO and raises an alert naming
# it; an idle process's component stays compliant, with a value. On SIGTERM
# the daemon leaves no task watch behind. Run in a network namespace other
# than the initial one, where the module answers no task watch command, the
# daemon warns and the same SLOs are unknown, saying why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

need_cmd dash
setup_netns
load_module
cat > "$T/sla.yaml" <<'SLA'
sla: sched
components:
  busy: { processes: [sgbusy] }
  idle: { processes: [sgidle] }
slos:
  - { id: busy-cpu, metric: sched.cpu_percent, component: busy, max: 50, window: 5s, severity: medium }
  - { id: idle-cpu, metric: sched.cpu_percent, component: idle, max: 50, window: 5s, severity: medium }
  - { id: idle-rss, metric: sched.rss_bytes, component: idle, max: 1G, window: 5s, severity: low }
countermeasures:
  - { when: { slo: busy-cpu }, do: notify }
defaults: { holdoff: 5s }
SLA

# slo ID: that SLO's status object.
slo() {
	slaguardctl -j sla status | jq -c --arg id "$1" '.slos[] | select(.id == $id)'
}

slo_is() {
	[ "$(slo "$1" | jq -r .state)" = "$2" ]
}

# The daemon's task watches: ids above 1000000.
own_task_watches() {
	slaguardctl -j watch list task | jq -c '.[] | select(.id > 1000000)'
}

# shellcheck disable=SC2034 # read by daemon-lib.sh
DAEMON_NETNS=
start_daemon "$T/sla.yaml"
own_task_watches > "$T/twatches.json"
jq -se 'map(.comm) | sort == ["sgbusy", "sgidle"]' "$T/twatches.json" > /dev/null ||
	fail "slaguardd did not install one task watch each for sgbusy and sgidle: $(cat "$T/twatches.json")"

cp "$(command -v dash)" "$T/sgbusy"
cp "$(command -v dash)" "$T/sgidle"
bg idle "$T/sgidle" -c 'while :; do read -r x < /dev/null; sleep 1; done'
bg busy "$T/sgbusy" -c 'while :; do :; done'
busy=$BG_PID
log "busy loop pid $busy"

wait_for 30 slo_is busy-cpu violated ||
	fail "busy-cpu is not violated within 30 s of the busy loop: $(slo busy-cpu)"
s=$(slo busy-cpu)
log "busy-cpu: $s"
echo "$s" | jq -e '.value > 50 and .evidence.samples > 0 and .evidence.component == "busy"' > /dev/null ||
	fail "busy-cpu's value or evidence does not show the busy loop: $s"
a=$(wait_alert '.ref == "busy-cpu"' 10) || fail "no alert for busy-cpu within 10 s of its violation"
log "alert: $a"
echo "$a" | jq -e '.kind == "slo" and .component == "busy" and .source == null and (.summary | contains("busy-cpu"))' > /dev/null ||
	fail "the busy-cpu alert lacks kind slo, component busy, no source, or a summary naming the SLO: $a"

# The idle component: compliant on its samples, not unknown.
wait_for 20 slo_is idle-cpu compliant ||
	fail "idle-cpu is not compliant: $(slo idle-cpu)"
slo idle-cpu | jq -e '.value != null and .value < 50 and .evidence.samples > 0' > /dev/null ||
	fail "idle-cpu has no value from the idle process's samples: $(slo idle-cpu)"
slo idle-rss | jq -e '.state == "compliant" and .value > 0' > /dev/null ||
	fail "idle-rss is not compliant with the idle process's resident size: $(slo idle-rss)"

stop_daemon TERM
[ -z "$(own_task_watches)" ] ||
	fail "slaguardd left its task watches behind on SIGTERM: $(own_task_watches)"
log "no task watch left after SIGTERM"

# In the victim's namespace there is no system monitor: warned, unknown.
# shellcheck disable=SC2034
DAEMON_NETNS=$NS_V
start_daemon "$T/sla.yaml"
wait_for 10 grep -q "no system monitor" "$DAEMON_LOG" ||
	fail "slaguardd in netns $NS_V does not warn that the module has no system monitor there: $(tail -n 5 "$DAEMON_LOG")"
[ "$(grep -c "warning: the module has no system monitor" "$DAEMON_LOG")" = 1 ] ||
	fail "slaguardd warned more than once about the system monitor: $(grep "no system monitor" "$DAEMON_LOG")"
sleep 6
slo idle-cpu | jq -e '.state == "unknown" and .value == null and (.evidence.reason | contains("system monitor"))' > /dev/null ||
	fail "idle-cpu is not unknown for want of a system monitor: $(slo idle-cpu)"
stop_daemon TERM
