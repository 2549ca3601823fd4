#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Cost of one sampling pass of the system monitor, with 10, 1000 and 5000
# extra processes on the system. Runs inside the test VM
# (bench/run.sh --scenarios sched_pass, or tests/vm/run.sh --bench).
#
# For each N, N idle processes are started (copies of dash named sgbench,
# blocked reading a fifo) and the module's own per-pass duration
# (`slaguardctl -j system`: pass_ns) is read once per period for
# BENCH_PASSES periods in two configurations:
#   unwatched  no task watch: the pass samples the system figures only;
#              its cost must not grow with N (no walk over every task)
#   watched    a task watch on comm sgbench: all N processes are tracked
#              and sampled each pass (CPU time, run delay, switches, RSS)
# No events listener runs, so no SCHED_SAMPLE messages are built. Reported:
# median and max of pass_ns, and the median per watched process.
# A figure, not a pass/fail test; under TCG absolute times are inflated.
#
# Environment: BENCH_PASSES (8), BENCH_SIZES ("10 1000 5000").
. "$(dirname "$0")/../tests/e2e/lib.sh"
. "$(dirname "$0")/stats.sh"

PASSES=${BENCH_PASSES:-8}
SIZES=${BENCH_SIZES:-"10 1000 5000"}

need_cmd slaguardctl jq dash
[ -f "$SG_KO" ] || fail "slaguard.ko is not in the VM image"

# stat2 FILE: "median max"
stat2() {
	stat3 "$1" | cut -d' ' -f1,3
}

# measure FILE: pass_ns of the next PASSES passes, one a line.
measure() {
	: > "$1"
	last=$(slaguardctl -j system | jq .passes)
	n=0
	while [ $n -lt "$PASSES" ]; do
		sleep 0.3
		s=$(slaguardctl -j system) || fail "system -j failed"
		p=$(echo "$s" | jq .passes)
		[ "$p" = "$last" ] && continue
		last=$p
		echo "$s" | jq .pass_ns >> "$1"
		n=$((n + 1))
	done
}

load_module max_tasks=8192 sched_period_ms=500
cp "$(command -v dash)" "$T/sgbench"
mkfifo "$T/fifo"
exec 3<> "$T/fifo"
started=0
echo "N watched procs_total tracked median_us max_us per_task_us" > "$T/results"
for N in $SIZES; do
	while [ $started -lt "$N" ]; do
		"$T/sgbench" -c 'read x' <&3 &
		started=$((started + 1))
	done
	sleep 2
	procs=$(slaguardctl -j system | jq .processes)
	log "N=$N: $procs processes on the system"

	measure "$T/pass.un.$N"
	set -- $(stat2 "$T/pass.un.$N")
	echo "$N no $procs 0 $1 $2 -" >> "$T/results"

	id=$(slaguardctl watch add task comm sgbench) || fail "watch add task failed"
	sleep 1.5
	tracked=$(slaguardctl -j system | jq .tasks)
	measure "$T/pass.w.$N"
	set -- $(stat2 "$T/pass.w.$N")
	echo "$N yes $procs $tracked $1 $2 $(( ($1 - $(stat2 "$T/pass.un.$N" | cut -d' ' -f1)) / (tracked > 0 ? tracked : 1) ))" >> "$T/results"
	slaguardctl watch del task "$id" || fail "watch del task failed"
	log "N=$N: $tracked tracked"
done
dropped=$(slaguardctl -j system | jq .tasks_dropped)
pkill_list=$(jobs -p)
exec 3>&-
# the readers see EOF only once every writer is gone; kill them outright
for p in $(ps -o pid,comm 2>/dev/null | awk '$2 == "sgbench" { print $1 }'); do kill -9 "$p" 2>/dev/null; done
: "$pkill_list"

echo "==== slaguard bench report ===="
echo "system monitor: cost of one sampling pass, kernel $(uname -r), $(nproc) vCPUs (QEMU TCG)"
echo "period 500 ms, $PASSES passes per row, time measured by the module (ktime) around the pass"
echo
printf '%-7s %-8s %10s %8s %12s %12s %14s\n' "extra" "watched" "processes" "tracked" "median us" "max us" "us/process"
while read -r n w procs tracked med max per; do
	[ "$n" = N ] && continue
	if [ "$per" = - ]; then
		perf=-
	else
		perf=$(awk -v x="$per" 'BEGIN { printf "%.2f", x / 1000 }')
	fi
	printf '%-7s %-8s %10s %8s %12.1f %12.1f %14s\n' "$n" "$w" "$procs" "$tracked" \
		"$(awk -v x="$med" 'BEGIN { print x / 1000 }')" \
		"$(awk -v x="$max" 'BEGIN { print x / 1000 }')" "$perf"
done < "$T/results"
echo
echo "processes not tracked for lack of room (max_tasks=8192): $dropped"
echo "(unwatched rows: the pass reads the CPUs and the probes' counters only, so"
echo " its cost does not depend on how many processes exist; watched rows: the"
echo " cost grows with the watched processes alone)"
echo "==== end of report ===="
