#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# System monitor: a process under a watched command name whose resident
# memory grows above the mem-rss threshold raises MEM_HIGH naming it, with
# its resident size as the value and the threshold that was set, once per
# hold-off; a small process under another watched name gives SCHED_SAMPLE
# events but no MEM_HIGH.
#
# The hog is busybox's dd with a 64 MiB block: it fills the block from
# /dev/zero, then blocks writing it to a FIFO that this shell holds open and
# never reads, so it stays resident without using CPU.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash busybox mkfifo
load_module
start_events "$T/events"

THR=40000000	# bytes: far below the hog's 64 MiB, far above a dash
HOG_MIN=67108864	# the hog's block alone

# cpu and runq-delay off: only the memory detector speaks in this scenario.
sgctl threshold set mem-rss "$THR" cpu 0 runq-delay 0 holdoff 60000 ||
	fail "threshold set mem-rss failed"
got=$(slaguardctl -j threshold show | jq -r '.mem_rss')
[ "$got" = "$THR" ] || fail "threshold show gives mem_rss $got, not the $THR just set"

hog_id=$(sgctl watch add task comm busybox-sgmem) || fail "watch add task comm busybox-sgmem failed"
small_id=$(sgctl watch add task comm sgsmall) || fail "watch add task comm sgsmall failed"

# Readers that never read: the hog's write and the small one's read block.
mkfifo "$T/hog.fifo" "$T/small.fifo" || fail "mkfifo failed"
exec 3<> "$T/hog.fifo" 4<> "$T/small.fifo"

# busybox runs argv[1] as the applet when its own name starts with
# "busybox"; the comm is the file's name.
cp "$(command -v busybox)" "$T/busybox-sgmem"
cp "$(command -v dash)" "$T/sgsmall"
bg hog "$T/busybox-sgmem" dd if=/dev/zero of="$T/hog.fifo" bs=64M count=1 iflag=fullblock
hog=$BG_PID
bg small "$T/sgsmall" -c 'read -r x < "$0"' "$T/small.fifo"
small=$BG_PID
log "hog pid $hog (watch $hog_id), small pid $small (watch $small_id)"

ev=$(wait_event "$T/events" '.kind == "MEM_HIGH" and .pid == '"$hog" 20) ||
	fail "no MEM_HIGH for the 64 MiB hog (pid $hog) within 20 s; its VmRSS: $(grep VmRSS "/proc/$hog/status" 2>&1)"
log "event: $ev"
echo "$ev" | jq -e --argjson w "$hog_id" --argjson thr "$THR" --argjson min "$HOG_MIN" \
	'.comm == "busybox-sgmem" and .task_watch == $w and .threshold == $thr and
	 .value >= $thr and .value >= $min and .rss == .value' > /dev/null ||
	fail "MEM_HIGH has the wrong comm, watch, threshold ($THR set) or value (>= $HOG_MIN bytes expected, equal to rss): $ev"

# The value is in bytes and agrees with what /proc says (within 8 MiB).
value=$(echo "$ev" | jq -r '.value')
proc_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$hog/status")
[ -n "$proc_kb" ] || fail "cannot read VmRSS of the hog (pid $hog)"
d=$(( value / 1024 - proc_kb ))
[ "$d" -lt 0 ] && d=$(( -d ))
[ "$d" -le 8192 ] || fail "MEM_HIGH value $value bytes is far from the hog's VmRSS of $proc_kb kB"

# The small process is sampled, so judged, after the hog's event and a few
# times in all.
s=$(wait_event "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$small"' and .seq > '"$(echo "$ev" | jq -r .seq)" 10) ||
	fail "no SCHED_SAMPLE for the small process after the hog's MEM_HIGH"
echo "$s" | jq -e '.comm == "sgsmall" and .task_watch == '"$small_id"' and .rss > 0 and .rss < '"$THR" > /dev/null ||
	fail "SCHED_SAMPLE of the small process has the wrong comm, watch or rss: $s"
sleep 2
n=$(event_count "$T/events" '.kind == "SCHED_SAMPLE" and .pid == '"$small")
[ "$n" -ge 3 ] || fail "only $n SCHED_SAMPLE events for the small process"
expect_no_event "$T/events" '.kind == "MEM_HIGH" and .pid == '"$small"
expect_no_event "$T/events" '.kind == "MEM_HIGH" and .pid != '"$hog"

# Still above the threshold, but within the hold-off: no second event.
n=$(event_count "$T/events" '.kind == "MEM_HIGH" and .pid == '"$hog")
[ "$n" = 1 ] || fail "$n MEM_HIGH events for the hog within the 60 s hold-off, not 1"

slaguardctl -j tasks > "$T/tasks.json" || fail "tasks -j failed"
jq -e 'map(select(.pid == '"$hog"'))[0].rss >= '"$THR" "$T/tasks.json" > /dev/null ||
	fail "tasks -j does not show the hog above $THR bytes: $(cat "$T/tasks.json")"
sgctl tasks
expect_gapless "$T/events"
