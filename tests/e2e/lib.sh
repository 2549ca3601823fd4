# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the end-to-end scenarios (tests/e2e/NN-*.sh), which run inside
# the test VM (tests/vm/run.sh) as root. Sourced, not executed.
#
# Topology built by setup_netns:
#
#   root namespace: slaguardctl, the events listener (a listener in the
#   initial namespace receives the events of every namespace), rmmod/insmod
#
#   +------------------------------+        +------------------------------+
#   | netns "victim"               |        | netns "attacker"             |
#   |                              |  veth  |                              |
#   |  veth-v                      |========|  veth-a                      |
#   |  10.77.0.1/24   fd77::1/64   |        |  10.77.0.2/24   fd77::2/64   |
#   |  servers: socat, iperf3 -s   |        |  nmap, hping3, socat, iperf3 |
#   +------------------------------+        +------------------------------+
#
# Traffic only ever flows between these two namespaces.
#
# A scenario sources this file, calls setup_netns and load_module, and exits
# 0 on success; fail MSG ends it with a reason. cleanup runs on exit (trap):
# it stops the listener and background jobs, deletes the namespaces and the
# cgroup of make_cgroup, flushes nftables and unloads the module, so every
# scenario starts from scratch.

VICTIM4=10.77.0.1
ATTACKER4=10.77.0.2
VICTIM6=fd77::1
ATTACKER6=fd77::2
NS_V=victim
NS_A=attacker

export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/bb
export LC_ALL=C

SG_NAME=${SG_NAME:-$(basename "$0" .sh)}
SG_KO=${SG_KO:-/lib/modules/$(uname -r)/extra/slaguard.ko}
if [ -z "${SG_RESULT_DIR:-}" ]; then
	SG_RESULT_DIR=$(mktemp -d "/tmp/sgtest-$SG_NAME.XXXXXX")
fi
mkdir -p "$SG_RESULT_DIR"
T=$SG_RESULT_DIR	# short name for scenario scratch files

BG_PIDS=""
EVENTS_PID=""
EVENTS_FILE=""
CG=""		# the cgroup of make_cgroup

# Scenarios reload modules and build namespaces: only inside the test VM.
if [ ! -f /etc/sgtest-kver ] && [ -z "${SG_ALLOW_HOST:-}" ]; then
	echo "$SG_NAME: refusing to run outside the test VM (tests/vm/run.sh)" >&2
	exit 1
fi

log() {
	echo "[$(cut -d' ' -f1 /proc/uptime)] $*"
}

# Ends the scenario; the reason is what run-all.sh prints after FAIL.
fail() {
	echo "FAIL: $*"
	echo "$*" > "$SG_RESULT_DIR/reason"
	diag
	exit 1
}

vic() { ip netns exec "$NS_V" "$@"; }
att() { ip netns exec "$NS_A" "$@"; }

need_cmd() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			fail "'$c' is not in the VM image (not built yet? see tests/vm/manifest)"
	done
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	_limit=$1; shift
	_end=$(( $(date +%s) + _limit ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
	return 0
}

# --- namespaces ------------------------------------------------------------

setup_netns() {
	ip netns add "$NS_V" || fail "ip netns add $NS_V"
	ip netns add "$NS_A" || fail "ip netns add $NS_A"
	for ns in "$NS_V" "$NS_A"; do
		ip netns exec "$ns" sh -c '
			echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad
			echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
			echo 0 > /proc/sys/net/ipv6/conf/default/router_solicitations
			ip link set lo up' || fail "setting up netns $ns"
	done
	ip link add veth-v netns "$NS_V" type veth peer name veth-a netns "$NS_A" ||
		fail "cannot create the veth pair (veth module?)"
	vic ip addr add "$VICTIM4/24" dev veth-v
	vic ip addr add "$VICTIM6/64" dev veth-v nodad
	att ip addr add "$ATTACKER4/24" dev veth-a
	att ip addr add "$ATTACKER6/64" dev veth-a nodad
	vic ip link set veth-v up
	att ip link set veth-a up
	VICTIM_NETNS=$(netns_inode "$NS_V")
	ATTACKER_NETNS=$(netns_inode "$NS_A")
	wait_for 10 att ping -c 1 -W 1 "$VICTIM4" ||
		fail "attacker cannot ping $VICTIM4 over the veth"
	wait_for 10 att ping -6 -c 1 -W 1 "$VICTIM6" ||
		fail "attacker cannot ping $VICTIM6 over the veth"
}

# netns_inode NAME: the namespace's inode number, as events report it.
netns_inode() {
	ip netns exec "$1" readlink /proc/self/ns/net | tr -dc '0-9'
}

# A jq condition: the event was seen arriving at the victim (PRE_ROUTING in
# its namespace), as opposed to leaving the attacker (LOCAL_OUT in its own).
at_victim() {
	echo '.direction == "in" and (.netns | tonumber) == '"$VICTIM_NETNS"
}

teardown_netns() {
	for ns in "$NS_V" "$NS_A"; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

# bg NAME CMD...: run CMD in the background, output in $T/NAME.out; cleanup
# kills it. Sets BG_PID.
bg() {
	_name=$1; shift
	"$@" > "$T/$_name.out" 2>&1 &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# listening NS PORT [tcp|udp]: is a socket listening on PORT in NS?
listening() {
	_flag=-Hltn
	[ "${3:-tcp}" = udp ] && _flag=-Hlun
	[ -n "$(ip netns exec "$1" ss $_flag "sport = :$2" 2>/dev/null)" ]
}

wait_listen() {
	wait_for "${3:-10}" listening "$1" "$2" || fail "nothing listens on port $2 in netns $1"
}

# serve NS PORT: a dual-stack TCP echo-style server that answers "ok".
serve() {
	bg "serve-$1-$2" ip netns exec "$1" socat \
		"TCP6-LISTEN:$2,ipv6only=0,reuseaddr,fork" SYSTEM:'read l; echo ok'
	wait_listen "$1" "$2"
}

# --- the module ------------------------------------------------------------

module_loaded() {
	grep -q '^slaguard ' /proc/modules
}

unload_module() {
	module_loaded || return 0
	rmmod slaguard
}

# load_module [param=value ...]: a fresh instance of slaguard.ko.
load_module() {
	[ -f "$SG_KO" ] || fail "slaguard.ko is not in the VM image (build kmod/ first)"
	unload_module || fail "rmmod slaguard failed before loading it afresh"
	# insmod resolves no dependencies: the defragmenters slaguard enables
	modprobe -a nf_defrag_ipv4 nf_defrag_ipv6 2>/dev/null
	log "insmod slaguard.ko $*"
	insmod "$SG_KO" "$@" || fail "insmod slaguard.ko $* failed"
	module_loaded || fail "slaguard is not in /proc/modules after insmod"
}

# sgctl ARGS: slaguardctl, logged.
sgctl() {
	echo "+ slaguardctl $*" >&2
	slaguardctl "$@"
}

# stat_get KEY: one counter of `slaguardctl -j stats`.
stat_get() {
	slaguardctl -j stats | jq -r ".$1"
}

# max_events SECONDS: the most events one (source, kind) may give in SECONDS
# with the current hold-off, counting that two namespaces (the sender's
# LOCAL_OUT and the receiver's PRE_ROUTING) may each report it.
max_events() {
	_ho=$(slaguardctl -j threshold show 2>/dev/null | jq -r '.holdoff_ms // empty' 2>/dev/null)
	[ -n "$_ho" ] && [ "$_ho" -gt 0 ] 2>/dev/null || _ho=1000
	echo $(( 2 * ($1 * 1000 / _ho + 2) ))
}

# --- events ----------------------------------------------------------------

# Is process $1 bound to a generic netlink socket with a multicast group?
nl_listening() {
	_inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\].*/\1/p')
	[ -n "$_inodes" ] || return 1
	for _i in $_inodes; do
		awk -v ino="$_i" '$2 == 16 && $10 == ino && $4 != "00000000" { found = 1 }
			END { exit !found }' /proc/net/netlink && return 0
	done
	return 1
}

# start_events FILE: `slaguardctl -j events` in the root namespace, writing
# JSON lines to FILE; returns once it has joined the multicast group.
start_events() {
	need_cmd slaguardctl
	EVENTS_FILE=$1
	: > "$EVENTS_FILE"
	slaguardctl -j events > "$EVENTS_FILE" 2> "$EVENTS_FILE.err" &
	EVENTS_PID=$!
	if ! wait_for 10 nl_listening "$EVENTS_PID"; then
		kill -0 "$EVENTS_PID" 2>/dev/null ||
			fail "slaguardctl events exited: $(cat "$EVENTS_FILE.err")"
		fail "slaguardctl events did not join the events group within 10 s"
	fi
	log "events listener $EVENTS_PID is listening"
}

stop_events() {
	[ -n "$EVENTS_PID" ] || return 0
	kill "$EVENTS_PID" 2>/dev/null
	wait "$EVENTS_PID" 2>/dev/null
	EVENTS_PID=""
}

# events FILE FILTER: the events (compact JSON) for which jq FILTER is true.
# Lines that are not JSON (e.g. a line still being written) are skipped.
events() {
	jq -cR "fromjson? | select($2)" "$1" 2>/dev/null
}

event_count() {
	events "$1" "$2" | wc -l
}

# wait_event FILE FILTER [SECONDS]: prints the first matching event.
wait_event() {
	_end=$(( $(date +%s) + ${3:-15} ))
	while :; do
		_m=$(events "$1" "$2" | head -n 1)
		if [ -n "$_m" ]; then
			echo "$_m"
			return 0
		fi
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}

# expect_event FILE FILTER [SECONDS]: fail unless a matching event arrives.
expect_event() {
	wait_event "$@" ||
		fail "no event matching '$2' within ${3:-15} s ($(wc -l < "$1") events seen)"
}

# expect_no_event FILE [FILTER] [SECONDS]: wait, then fail if any matches.
expect_no_event() {
	[ "${3:-0}" -gt 0 ] && sleep "$3"
	_m=$(events "$1" "${2:-true}" | head -n 3)
	[ -z "$_m" ] || fail "unexpected event(s) matching '${2:-true}': $_m"
}

# expect_gapless FILE: the listener's sequence numbers run 1, 2, 3, ... with
# no gap and no LOST record (a fresh module, one listener in the initial
# namespace, which numbers every event it is sent).
expect_gapless() {
	_r=$(jq -R -s -r '[split("\n")[] | fromjson? | select(.)] as $e
		| ($e | map(select(.kind == "LOST")) | length) as $lost
		| ($e | map(select(.kind != "LOST") | .seq | tonumber)) as $s
		| if $lost > 0 then "\($lost) LOST record(s)"
		  elif ($s | length) == 0 then "ok"
		  elif $s != [range(1; ($s | length) + 1)] then "sequence numbers \($s[:20]) are not 1, 2, 3, ..."
		  else "ok" end' "$1")
	[ "$_r" = ok ] || fail "event sequence: $_r"
}

# make_cgroup NAME: creates the cgroup v2 directory /sys/fs/cgroup/NAME as
# CG; cleanup kills what is left in it and removes it.
make_cgroup() {
	CG=/sys/fs/cgroup/$1
	mkdir -p "$CG" || fail "cannot create $CG"
}

remove_cgroup() {
	[ -n "${CG:-}" ] && [ -d "$CG" ] || return 0
	for _p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
	sleep 0.5
	rmdir "$CG" 2>/dev/null
}

# --- diagnostics and cleanup -----------------------------------------------

diag() {
	echo "---- diagnostics ($SG_NAME) ----"
	if module_loaded && command -v slaguardctl >/dev/null; then
		for c in stats "threshold show" "watch list" sources; do
			echo "# slaguardctl $c"
			# shellcheck disable=SC2086
			timeout 10 slaguardctl $c 2>&1 | head -n 40
		done
	fi
	if [ -n "$EVENTS_FILE" ] && [ -f "$EVENTS_FILE" ]; then
		echo "# events: $(wc -l < "$EVENTS_FILE") lines, last ones:"
		tail -n 10 "$EVENTS_FILE"
		[ -s "$EVENTS_FILE.err" ] && { echo "# events stderr:"; tail -n 5 "$EVENTS_FILE.err"; }
	fi
	echo "# dmesg (last lines)"
	dmesg | tail -n 15
	echo "---- end of diagnostics ----"
}

cleanup() {
	trap - EXIT INT TERM
	stop_events
	for p in $BG_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	teardown_netns
	remove_cgroup
	nft flush ruleset 2>/dev/null
	[ -n "${SG_KEEP_MODULE:-}" ] || unload_module 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
