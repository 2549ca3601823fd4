#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the end-to-end scenarios inside the test VM (called by tests/vm/init).
# Each scenario runs in its own shell under a time limit; after it the kernel
# log is checked for warnings, leftover namespaces are removed and the module
# is unloaded, so scenarios stay independent.
#
# Usage: run-all.sh [-d DIR] [-p GLOB] [-x NAME] [-t SECONDS] [-v] [--] [SEL...]
#   -d DIR      directory of the scripts (default: this one)
#   -p GLOB     which files are scenarios (default: [0-9][0-9]-*.sh)
#   -x NAME     skip NAME (repeatable; e.g. bench/run.sh, which runs on the host)
#   -t SECONDS  time limit per scenario (default 240)
#   -v          stream each scenario's output (otherwise shown on failure)
#   SEL         names or globs, with or without the NN- prefix; a bare word
#               also selects NN-word-*: "portscan" runs 10-portscan-inet and
#               11-portscan-inet6; also "1*", "10-*", "watch-port". None
#               selects all.
#
# Output: "PASS name" or "FAIL name: reason" per scenario, then the lines
# "N passed, N failed" and "SGTEST-SUMMARY passed=N failed=N total=N secs=N".

export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/bb
export LC_ALL=C

DIR=$(cd "$(dirname "$0")" && pwd)
GLOB='[0-9][0-9]-*.sh'
EXCLUDE=""
LIMIT=240
VERBOSE=0
while [ $# -gt 0 ]; do
	case $1 in
	-d) DIR=$2; shift 2 ;;
	-p) GLOB=$2; shift 2 ;;
	-x) EXCLUDE="$EXCLUDE $2"; shift 2 ;;
	-t) LIMIT=$2; shift 2 ;;
	-v) VERBOSE=1; shift ;;
	--) shift; break ;;
	-*) echo "run-all.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

# Next to this script, wherever the scripts it runs are (-d).
. "$(dirname "$0")/kernel-log.sh"

RESULTS=/tmp/sgtest
mkdir -p "$RESULTS"

selected() {
	[ $# -gt 1 ] || return 0
	_n=$1; shift
	for _s in "$@"; do
		# shellcheck disable=SC2254
		case $_n in
		$_s|[0-9][0-9]-$_s|[0-9][0-9]-$_s-*) return 0 ;;
		esac
	done
	return 1
}

excluded() {
	for _x in $EXCLUDE; do
		[ "$1" = "$_x" ] && return 0
	done
	return 1
}

# Whatever a scenario left behind, so the next one starts clean.
reset_state() {
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	nft flush ruleset 2>/dev/null
	if grep -q '^slaguard ' /proc/modules; then
		rmmod slaguard 2>&1 || echo "run-all: rmmod slaguard failed after $1"
	fi
}

passed=0
failed=0
failed_names=""
start_all=$(date +%s)
dmesg -c > /dev/null

for script in "$DIR"/$GLOB; do
	[ -f "$script" ] || continue
	name=$(basename "$script" .sh)
	excluded "$name" && continue
	selected "$name" "$@" || continue

	rdir=$RESULTS/$name
	rm -rf "$rdir"
	mkdir -p "$rdir"
	log=$rdir/output.log
	echo "== $name"
	t0=$(date +%s)

	SG_NAME=$name SG_RESULT_DIR=$rdir timeout -k 15 "$LIMIT" sh "$script" < /dev/null > "$log" 2>&1 &
	pid=$!
	tailpid=""
	if [ "$VERBOSE" = 1 ]; then
		tail -n +1 -f "$log" &
		tailpid=$!
	fi
	wait "$pid"
	rc=$?
	# timeout made itself a process group: take any stragglers with it.
	kill -9 -"$pid" 2>/dev/null
	if [ -n "$tailpid" ]; then
		sleep 1
		kill "$tailpid" 2>/dev/null
		wait "$tailpid" 2>/dev/null
	fi
	secs=$(( $(date +%s) - t0 ))
	reset_state "$name" >> "$log" 2>&1

	dmesg -c > "$rdir/dmesg"
	bad=$(kernel_bad "$rdir/dmesg" | head -n 5)
	tool=$(tool_crashes "$rdir/dmesg" | head -n 1 | sed 's/^\[[^]]*\] *//')
	[ -z "$tool" ] || echo "NOTE $name: a traffic tool crashed (not counted as a failure): $tool"

	reason=""
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		reason="timed out after ${LIMIT}s"
	elif [ "$rc" != 0 ]; then
		reason=$(head -n 1 "$rdir/reason" 2>/dev/null)
		[ -n "$reason" ] || reason="exit status $rc"
	fi
	if [ -n "$bad" ]; then
		reason="${reason:+$reason; }kernel: $(echo "$bad" | head -n 1 | sed 's/^\[[^]]*\] *//')"
	fi

	if [ -z "$reason" ]; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		failed_names="$failed_names $name"
		if [ "$VERBOSE" != 1 ]; then
			echo "---- output of $name (last 60 lines) ----"
			tail -n 60 "$log" | sed 's/^/  | /'
		fi
		if [ -n "$bad" ]; then
			echo "---- kernel log of $name ----"
			grep -E -B 2 -A 30 "$KERNEL_BAD|$OWN_CRASH" "$rdir/dmesg" | head -n 80 | sed 's/^/  | /'
		fi
		echo "FAIL $name: $reason"
	fi
	echo "SGTEST-RESULT name=$name status=$([ -z "$reason" ] && echo PASS || echo FAIL) secs=$secs"
done

total=$((passed + failed))
[ "$total" -gt 0 ] || echo "run-all: no scenario matched '$*' in $DIR"
echo "$passed passed, $failed failed"
echo "SGTEST-SUMMARY passed=$passed failed=$failed total=$total secs=$(( $(date +%s) - start_all ))${failed_names:+ failed_names=$(echo $failed_names | tr ' ' ',')}"
