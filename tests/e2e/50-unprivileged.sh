#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Configuration needs CAP_NET_ADMIN over the namespace; so does reading
# what crosses namespaces or names processes.
#  - an unprivileged user cannot load the module by looking the family up;
#  - an unprivileged user cannot add a watch or change thresholds (exit 1,
#    a message about permission) but can read stats;
#  - root of a new user namespace cannot configure the initial namespace;
#  - root of a new user namespace may configure its own network namespace
#    (the family is per namespace, checked against its owning user ns).
#  - sources: root of the initial namespace lists every namespace's; an
#    unprivileged user, and root of a new user namespace (in the initial
#    network namespace or its own), only those of their own namespace;
#  - watches: listed with CAP_NET_ADMIN over the namespace only, and
#    charged to the memory cgroup of whoever adds them.
# The system monitor's commands (task watches, the sampling period) are
# host-wide, answered in the initial network namespace only:
#  - an unprivileged user cannot add or delete a task watch or set the
#    period (exit 1, a message about permission), nor list the task
#    watches or the watched processes (CAP_NET_ADMIN in the initial user
#    namespace), but can read the system figures;
#  - root of a new user namespace cannot configure them, neither from the
#    initial network namespace (no CAP_NET_ADMIN over it) nor from its own
#    (refused with a message naming the initial network namespace), and
#    from neither can it read the processes;
#  - root lists a few hundred watched processes, each once, though the
#    list takes several dump calls.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl jq dash mkfifo
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
[ -w /proc/sys/kernel/unprivileged_userns_clone ] && echo 1 > /proc/sys/kernel/unprivileged_userns_clone

# expect_denied WHAT WORDS CMD...: CMD exits 1 and its stderr holds WORDS
# (an extended regular expression, case-insensitive).
expect_denied() {
	_what=$1 _words=$2
	shift 2
	"$@" > "$T/denied.out" 2> "$T/denied.err"
	_rc=$?
	cat "$T/denied.out" "$T/denied.err"
	[ "$_rc" = 1 ] || fail "$_what exited $_rc, not 1: $(cat "$T/denied.err")"
	grep -Eqi "$_words" "$T/denied.err" ||
		fail "$_what does not say '$_words': $(cat "$T/denied.err")"
}

# The image ran depmod: modprobe would find the module if asked to.
log "unprivileged: looking the family up does not load the module"
unload_module || fail "rmmod slaguard failed"
expect_denied "unprivileged 'stats' without the module" 'not loaded' \
	nobody slaguardctl stats
module_loaded && fail "an unprivileged user loaded slaguard by resolving its family"

setup_netns
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

# --- events -------------------------------------------------------------------

# Events name attackers, processes and the files they run: following them
# needs CAP_NET_ADMIN over the namespace, like configuring.
log "unprivileged: events"
nobody slaguardctl events --timeout 2 > /dev/null 2> "$T/ev.err"
rc=$?
cat "$T/ev.err"
[ "$rc" = 1 ] || fail "unprivileged 'events' exited $rc, not 1"
grep -qi 'permi' "$T/ev.err" || fail "unprivileged 'events' does not mention permission: $(cat "$T/ev.err")"
log "root of a new user namespace, its own network namespace: events allowed"
nobody unshare --user --map-root-user --net slaguardctl events --timeout 1 > /dev/null 2> "$T/ev2.err"
rc=$?
[ "$rc" = 0 ] || fail "userns root could not follow its own netns's events (exit $rc): $(cat "$T/ev2.err")"

# --- watches and sources -------------------------------------------------------

log "unprivileged: watch list"
expect_denied "unprivileged 'watch list'" 'CAP_NET_ADMIN' \
	nobody slaguardctl watch list
expect_denied "userns root 'watch list' of the initial netns" 'CAP_NET_ADMIN' \
	nobody unshare --user --map-root-user slaguardctl watch list

# Sources in the victim's and the attacker's namespaces.
att ping -c 3 -i 0.2 -W 1 "$VICTIM4" > /dev/null || fail "attacker cannot ping $VICTIM4"
INIT_NETNS=$(readlink /proc/self/ns/net | tr -dc '0-9')
# other_ns JSON: the sources of a namespace other than the initial one.
other_ns() {
	jq -c 'map(select(.netns != '"$INIT_NETNS"'))' "$1"
}
log "root of the initial namespace lists every namespace's sources"
slaguardctl -j sources > "$T/root-sources.json" || fail "'sources -j' as root exited $?"
jq -e 'map(select(.netns == '"$VICTIM_NETNS"' and .address == "'"$ATTACKER4"'")) | length >= 1' \
	"$T/root-sources.json" > /dev/null ||
	fail "root does not see $ATTACKER4 in the victim's namespace: $(cat "$T/root-sources.json")"

log "unprivileged: sources of the initial namespace only"
nobody slaguardctl -j sources > "$T/nobody-sources.json" ||
	fail "unprivileged 'sources -j' exited $?"
[ "$(other_ns "$T/nobody-sources.json")" = "[]" ] ||
	fail "an unprivileged user sees other namespaces' sources: $(other_ns "$T/nobody-sources.json")"
nobody unshare --user --map-root-user slaguardctl -j sources > "$T/userns-sources.json" ||
	fail "userns root 'sources -j' in the initial netns exited $?"
[ "$(other_ns "$T/userns-sources.json")" = "[]" ] ||
	fail "userns root sees other namespaces' sources: $(other_ns "$T/userns-sources.json")"
nobody unshare --user --map-root-user --net slaguardctl -j sources > "$T/ownns-sources.json" ||
	fail "userns root 'sources -j' in its own netns exited $?"
[ "$(jq -c . "$T/ownns-sources.json")" = "[]" ] ||
	fail "userns root sees sources from its new, empty namespace: $(cat "$T/ownns-sources.json")"

# --- the system monitor ------------------------------------------------------

period0=$(slaguardctl -j system | jq -r '.period_ms') || fail "system -j failed"
tw_id=$(sgctl watch add task comm sgread) || fail "watch add task comm sgread failed"
# A watched process for the readers to see, blocked on a FIFO nobody writes.
mkfifo "$T/read.fifo" || fail "mkfifo failed"
exec 3<> "$T/read.fifo"
cp "$(command -v dash)" "$T/sgread"
bg sgread "$T/sgread" -c 'read -r x < "$0"' "$T/read.fifo"
sgread=$BG_PID
# sampled: the watched process is listed with the figures of a pass.
sampled() {
	slaguardctl -j tasks | jq -e 'map(select(.pid == '"$sgread"' and .cpu_pct != null)) | length == 1'
}
wait_for 10 sampled ||
	fail "the watched process $sgread is not in 'tasks' with a sample within 10 s"

log "unprivileged: watch add task, watch del task, system set period"
expect_denied "unprivileged 'watch add task comm sgnobody'" 'permi' \
	nobody slaguardctl watch add task comm sgnobody
expect_denied "unprivileged 'watch add task pid $sgread'" 'permi' \
	nobody slaguardctl watch add task pid "$sgread"
expect_denied "unprivileged 'watch del task $tw_id'" 'permi' \
	nobody slaguardctl watch del task "$tw_id"
expect_denied "unprivileged 'system set period 500'" 'permi' \
	nobody slaguardctl system set period 500

log "unprivileged: watch list task, tasks denied; system open"
words='CAP_NET_ADMIN in the initial user namespace'
expect_denied "unprivileged 'watch list task'" "$words" \
	nobody slaguardctl watch list task
grep -q sgread "$T/denied.out" && fail "unprivileged 'watch list task' printed the watch"
expect_denied "unprivileged 'tasks'" "$words" nobody slaguardctl tasks
grep -q "$sgread" "$T/denied.out" && fail "unprivileged 'tasks' printed the process"
expect_denied "unprivileged 'tasks -j'" "$words" nobody slaguardctl -j tasks
expect_denied "userns root 'tasks' in the initial netns" "$words" \
	nobody unshare --user --map-root-user slaguardctl tasks
expect_denied "userns root 'watch list task' in the initial netns" "$words" \
	nobody unshare --user --map-root-user slaguardctl watch list task
nobody slaguardctl system > /dev/null || fail "unprivileged 'system' exited $?"
nobody slaguardctl -j system | jq -e '.tasks >= 1 and .period_ms == '"$period0" > /dev/null ||
	fail "unprivileged 'system -j' does not show the watched process or the period: $(nobody slaguardctl -j system 2>&1)"

log "root of a new user namespace, initial network namespace: task commands denied"
expect_denied "userns root 'watch add task' in the initial netns" 'permi' \
	nobody unshare --user --map-root-user slaguardctl watch add task comm sgns
expect_denied "userns root 'system set period' in the initial netns" 'permi' \
	nobody unshare --user --map-root-user slaguardctl system set period 500

log "root of a new user namespace, its own network namespace: task commands refused"
# It has CAP_NET_ADMIN over its namespace, but processes are host-wide.
words='initial network namespace'
expect_denied "userns root 'watch add task' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl watch add task comm sgns
expect_denied "userns root 'watch del task' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl watch del task "$tw_id"
expect_denied "userns root 'system set period' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl system set period 500
expect_denied "userns root 'tasks' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl tasks
expect_denied "userns root 'system' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl system
expect_denied "userns root 'watch list task' in its own netns" "$words" \
	nobody unshare --user --map-root-user --net slaguardctl watch list task

log "no task watch was added or deleted, the period is unchanged"
slaguardctl -j watch list task > "$T/twatches.json" || fail "watch list task -j failed"
cat "$T/twatches.json"
jq -e 'length == 1 and .[0].id == '"$tw_id"' and .[0].comm == "sgread"' "$T/twatches.json" > /dev/null ||
	fail "task watches changed after the denied attempts (only $tw_id, comm sgread, expected): $(cat "$T/twatches.json")"
period=$(slaguardctl -j system | jq -r '.period_ms')
[ "$period" = "$period0" ] || fail "the sampling period changed from $period0 to $period ms"

log "root lists many watched processes, each once, across dump calls"
many_id=$(sgctl watch add task comm sgmany) || fail "watch add task comm sgmany failed"
cp "$(command -v dash)" "$T/sgmany"
i=0
while [ "$i" -lt 200 ]; do
	"$T/sgmany" -c 'read -r x < "$0"' "$T/read.fifo" &
	BG_PIDS="$BG_PIDS $!"
	echo "$!" >> "$T/many.pids"
	i=$((i + 1))
done
many_listed() {
	slaguardctl -j tasks > "$T/many.json" &&
		[ "$(jq '[.[] | select(.task_watch == '"$many_id"')] | length' "$T/many.json")" = 200 ]
}
wait_for 30 many_listed ||
	fail "'tasks' does not list the 200 sgmany processes: $(jq '[.[] | select(.task_watch == '"$many_id"')] | length' "$T/many.json")"
jq -r '.[] | select(.task_watch == '"$many_id"') | .pid' "$T/many.json" | sort -n > "$T/many.listed"
sort -n "$T/many.pids" > "$T/many.expected"
cmp -s "$T/many.listed" "$T/many.expected" ||
	fail "'tasks' pids differ from the 200 started: $(diff "$T/many.expected" "$T/many.listed" | head -n 5)"
log "$(wc -c < "$T/many.json") bytes of JSON for $(jq length "$T/many.json") processes"

# Objects made on a request are charged to the requester's memory cgroup,
# so a namespace's watches count against its container's memory limit.
log "watches are charged to the memory cgroup of whoever adds them"
make_cgroup sgacct
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control ||
	fail "cannot enable the memory controller"
[ -f "$CG/memory.stat" ] || fail "no memory.stat in $CG"
slab() {
	awk '$1 == "slab_unreclaimable" { print $2 }' "$CG/memory.stat"
}
nwatch=250
sleep 2.5	# memcg statistics are flushed every 2 s
before=$(slab)
sh -c 'echo $$ > "$1/cgroup.procs" && i=0 &&
	while [ "$i" -lt "$2" ]; do
		slaguardctl watch add port $((20000 + i)) > /dev/null || exit 1
		i=$((i + 1))
	done' sh "$CG" "$nwatch" || fail "adding $nwatch watches from $CG failed"
sleep 2.5
after=$(slab)
log "slab_unreclaimable of $CG: $before -> $after bytes for $nwatch watches"
# a watch is a 128-byte object; half of that for each is charged at least
[ $((after - before)) -ge $((nwatch * 64)) ] ||
	fail "$nwatch watches added $((after - before)) bytes of slab to $CG, not at least $((nwatch * 64)): not charged"
