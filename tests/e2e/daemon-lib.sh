# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the daemon scenarios (tests/e2e/9*-*.sh) and the demo: slaguardd
# with an SLA, its alerts over the control socket, and the countermeasures it
# puts into nftables. Sourced after lib.sh.
#
# Where things run: slaguardd runs INSIDE the victim namespace
# (`ip netns exec victim slaguardd ...`). nftables tables are per network
# namespace, and a block must drop attacker->victim packets, so
# `table inet slaguard` has to live in the victim's namespace; the daemon
# (and its nft backend) always works in the namespace it runs in. There it
# also gets exactly the victim's events: the module multicasts an event to
# listeners in the namespace where it happened (and to the initial
# namespace), and the daemon's thresholds and watches are set for that
# namespace. The control socket is a file (/run/slaguard/control.sock), so
# slaguardctl reaches it from the root namespace; nft runs in the victim's.
# DAEMON_NETNS= (empty) runs it in the root namespace instead: the module's
# system monitor (task watches, process events) answers only there.

SLA_DEMO=${SLA_DEMO:-/slaguard/examples/demo.yaml}

# The scenarios that expect an nmap SYN scan (-sS) or an hping3 SYN flood to
# be blocked: such a source never completes a TCP handshake, so the SLA's
# block must say "evidence: any" (the default, handshake, refuses it).
# State that policy, and fail at once rather than time out waiting.
require_evidence_any() {
	grep -q '^    evidence: any' "$1" ||
		fail "$1 must block with evidence: any: a SYN scan or flood never completes a handshake"
}
SG_CONTROL=${SG_CONTROL:-/run/slaguard/control.sock}
export SLAGUARD_CONTROL=$SG_CONTROL
DAEMON_PID=""

# The daemon's command line for SLA file $1: in the foreground, no syslog
# (the VM has none), alerts also as JSON lines in $T, the repository's table
# definition.
daemon_cmd() {
	echo slaguardd -c "$1" --foreground --no-syslog --control "$SG_CONTROL" --state-dir "$T" \
		--alerts "$T/alerts.$DAEMON_RUNS.jsonl" \
		--nft-table-file /slaguard/nft/slaguard.nft ${SLAGUARDD_EXTRA:-}
}

# Copies of the table definition where slaguardd looks by default, in case
# it is started without --table-file.
daemon_prepare() {
	need_cmd slaguardd slaguardctl nft jq socat
	mkdir -p /usr/share/slaguard /run/slaguard
	for f in /slaguard/nft/*.nft; do
		[ -f "/usr/share/slaguard/$(basename "$f")" ] || cp "$f" /usr/share/slaguard/
	done
}

daemon_answers() {
	slaguardctl sla status > /dev/null 2>&1
}

# in_daemon_ns CMD...: CMD in the daemon's network namespace.
in_daemon_ns() {
	if [ -n "${DAEMON_NETNS-$NS_V}" ]; then
		ip netns exec "${DAEMON_NETNS-$NS_V}" "$@"
	else
		"$@"
	fi
}

table_loaded() {
	in_daemon_ns nft list table inet slaguard > /dev/null 2>&1
}

# start_daemon SLA: slaguardd in the victim's namespace, output in
# $T/slaguardd.N.out; returns once it answers on the control socket and its
# table is loaded. Sets DAEMON_PID.
DAEMON_RUNS=0
start_daemon() {
	daemon_prepare
	DAEMON_RUNS=$((DAEMON_RUNS + 1))
	_cmd=$(daemon_cmd "$1")
	_ns=${DAEMON_NETNS-$NS_V}
	log "${_ns:+ip netns exec $_ns }$_cmd"
	# shellcheck disable=SC2086
	if [ -n "$_ns" ]; then
		bg "slaguardd.$DAEMON_RUNS" ip netns exec "$_ns" $_cmd
	else
		bg "slaguardd.$DAEMON_RUNS" $_cmd
	fi
	DAEMON_PID=$BG_PID
	DAEMON_LOG=$T/slaguardd.$DAEMON_RUNS.out
	_end=$(( $(date +%s) + 20 ))
	while ! daemon_answers; do
		kill -0 "$DAEMON_PID" 2>/dev/null ||
			fail "slaguardd exited at start: $(tail -n 5 "$DAEMON_LOG")"
		[ "$(date +%s)" -lt "$_end" ] ||
			fail "slaguardd does not answer on $SG_CONTROL after 20 s: $(tail -n 5 "$DAEMON_LOG")"
		sleep 0.2
	done
	wait_for 10 table_loaded ||
		fail "slaguardd runs but table inet slaguard is not in netns ${_ns:-(root)}"
	log "slaguardd $DAEMON_PID answers; table inet slaguard loaded in netns ${_ns:-(root)}"
}

# stop_daemon [SIGNAL]: default TERM, which must end it within 10 s.
stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill "-${1:-TERM}" "$DAEMON_PID" 2>/dev/null
	_end=$(( $(date +%s) + 10 ))
	while kill -0 "$DAEMON_PID" 2>/dev/null; do
		[ "$(date +%s)" -lt "$_end" ] || fail "slaguardd did not exit within 10 s of SIG${1:-TERM}"
		sleep 0.2
	done
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
}

# alerts: every alert the daemon holds, one compact JSON object per line.
alerts() {
	slaguardctl -j alerts --limit 1000 | jq -c '.alerts[]'
}

# wait_alert FILTER [SECONDS]: prints the first alert matching jq FILTER.
wait_alert() {
	_end=$(( $(date +%s) + ${2:-20} ))
	while :; do
		_m=$(alerts 2>/dev/null | jq -c "select($1)" 2>/dev/null | head -n 1)
		if [ -n "$_m" ]; then
			echo "$_m"
			return 0
		fi
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.5
	done
}

# elements SET: the set's elements in the victim's namespace, one JSON
# object per line: {"addr":..., "comment":..., "expires":..., "timeout":...}.
elements() {
	vic nft -j list set inet slaguard "$1" 2>/dev/null | jq -c '
		.nftables[] | select(.set) | (.set.elem // [])[] |
		if type == "object" and has("elem") then
			{addr: (.elem.val | if type == "object" then (.prefix.addr + "/" + (.prefix.len | tostring)) else . end),
			 comment: (.elem.comment // ""), expires: (.elem.expires // null),
			 timeout: (.elem.timeout // null)}
		else {addr: ., comment: "", expires: null, timeout: null} end'
}

# element SET ADDR: that address's element, if any.
element() {
	elements "$1" | jq -c "select(.addr == \"$2\")"
}

# wait_element SET ADDR [SECONDS]: prints the element once it is there.
wait_element() {
	_end=$(( $(date +%s) + ${3:-10} ))
	while :; do
		_e=$(element "$1" "$2")
		if [ -n "$_e" ]; then
			echo "$_e"
			return 0
		fi
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

in_set() {
	[ -n "$(element "$1" "$2")" ]
}

not_in_set() {
	! in_set "$1" "$2"
}

# block_set ADDR: block4 or block6.
block_set() {
	case $1 in *:*) echo block6 ;; *) echo block4 ;; esac
}

# connects ADDR PORT [SECONDS]: does the attacker get the server's "ok"
# back? SECONDS (default 2) bounds the connection attempt.
connects() {
	case $1 in *:*) _t="TCP6:[$1]:$2" ;; *) _t="TCP:$1:$2" ;; esac
	_r=$(att timeout 6 socat -T 3 - "$_t,connect-timeout=${3:-2}" < /dev/null 2>/dev/null)
	[ "$_r" = ok ]
}

cannot_connect() {
	! connects "$@"
}

# The victim's view for the record when a daemon scenario fails.
daemon_diag() {
	echo "---- daemon diagnostics ----"
	echo "# slaguardctl sla status"; timeout 10 slaguardctl sla status 2>&1 | head -n 30
	echo "# slaguardctl alerts"; timeout 10 slaguardctl alerts 2>&1 | head -n 20
	echo "# slaguardctl countermeasures"; timeout 10 slaguardctl countermeasures 2>&1 | head -n 20
	echo "# module in netns $NS_V: watches, thresholds, stats"
	timeout 10 ip netns exec "$NS_V" slaguardctl watch list 2>&1 | head -n 10
	timeout 10 ip netns exec "$NS_V" slaguardctl threshold show 2>&1 | head -n 10
	timeout 10 ip netns exec "$NS_V" slaguardctl -j stats 2>&1 | head -n 3
	echo "# block sets in netns $NS_V"
	for _s in block4 block6; do
		timeout 10 ip netns exec "$NS_V" nft list set inet slaguard "$_s" 2>&1 | grep -E 'elements|Error' | head -n 5
	done
	[ -n "${DAEMON_LOG:-}" ] && { echo "# slaguardd output (last lines)"; tail -n 40 "$DAEMON_LOG"; }
	echo "---- end of daemon diagnostics ----"
}

# lib.sh's fail(), plus the daemon's side of the story.
fail() {
	echo "FAIL: $*"
	echo "$*" > "$SG_RESULT_DIR/reason"
	diag
	daemon_diag
	exit 1
}
