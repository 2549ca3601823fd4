#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The narrated demo of `make demo` (scripts/demo.sh), not a test: it runs only
# when the kernel command line says sgtest.demo=1 (or SG_DEMO=1 is set), and
# passes as a no-op otherwise, so the normal scenario runs skip it.
#
# Story: the slaguard module watches a victim namespace; slaguardd enforces
# the SLA examples/demo.yaml; an attacker namespace scans the victim; the
# module reports the scan, slaguardd raises an alert and blocks the attacker
# with a set element in `table inet slaguard`; the block expires by itself.
# Without slaguardd in the image, the demo shows detection and does by hand,
# clearly labelled, the one nft command slaguardd would have run.

case " $(cat /proc/cmdline 2>/dev/null) " in
*" sgtest.demo=1 "*) ;;
*) [ "${SG_DEMO:-}" = 1 ] || { echo "99-demo: skipped (run by 'make demo')"; exit 0; } ;;
esac

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"

SLA=$SLA_DEMO
STEP=0

# No uptime stamps here: this output is for people.
say() { echo "$*"; }
step() {
	STEP=$((STEP + 1))
	echo
	echo "== Step $STEP: $*"
	echo
}
# show CMD...: print the command as typed, then its output, indented.
show() {
	echo "  \$ $*"
	"$@" 2>&1 | sed 's/^/    /'
}
# show_sh 'PIPELINE': the same for a shell pipeline.
show_sh() {
	echo "  \$ $1"
	sh -c "$1" 2>&1 | sed 's/^/    /'
}
# show_in NS CMD...: the same, run inside namespace NS.
show_in() {
	_ns=$1; shift
	echo "  [$_ns]\$ $*"
	ip netns exec "$_ns" "$@" 2>&1 | sed 's/^/    /'
}
pause() { sleep "${1:-1}"; }

try_connect() {
	if connects "$VICTIM4" 8080; then
		say "  attacker -> $VICTIM4:8080: connected, the server answered \"ok\""
		return 0
	fi
	say "  attacker -> $VICTIM4:8080: no answer (connection timed out)"
	return 1
}

cat <<EOF

  slaguard demo
  =============

  Two network namespaces inside this VM, joined by a virtual cable:

    victim    $VICTIM4 / $VICTIM6   runs a small server on port 8080
    attacker  $ATTACKER4 / $ATTACKER6   has nmap

  The security SLA ($SLA, shown below) says: nobody may probe
  more than 20 ports of the victim in 10 s; whoever does is blocked for 5 s.
  All traffic stays inside this VM.
EOF

step "Build the two namespaces and start the victim's server"
setup_netns
serve "$NS_V" 8080
say "  namespaces: $(ip netns list | awk '{print $1}' | tr '\n' ' ')"
try_connect || fail "the attacker cannot reach the victim before any attack"

step "Load the kernel module"
say "  slaguard.ko taps netfilter in every network namespace, keeps per-source"
say "  rate estimators and reports scans and floods as netlink events."
load_module
show_sh "lsmod | grep -E '^(Module|slaguard)'"

step "The SLA"
show_sh "grep -v '^#' $SLA | sed '/^\$/d'"
echo
say "  Validated without any daemon:"
show slaguardctl sla check "$SLA"

DAEMON=0
if command -v slaguardd > /dev/null 2>&1; then
	step "Start slaguardd with the SLA (inside the victim's namespace)"
	say "  The daemon configures the module from the SLA (thresholds, watches),"
	say "  loads its nftables table and listens on $SG_CONTROL."
	daemon_prepare
	_cmd=$(daemon_cmd "$SLA")
	say "  [victim]\$ $_cmd &"
	# shellcheck disable=SC2086
	bg slaguardd ip netns exec "$NS_V" $_cmd
	DAEMON_PID=$BG_PID
	DAEMON_LOG=$T/slaguardd.out
	if wait_for 20 daemon_answers && wait_for 10 table_loaded; then
		DAEMON=1
		pause
		show slaguardctl sla status
	else
		say "  slaguardd did not come up; its output:"
		tail -n 10 "$DAEMON_LOG" | sed 's/^/    /'
		kill "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
fi
if [ "$DAEMON" = 0 ]; then
	step "Configure the module from the SLA (no slaguardd in this build)"
	say "  slaguardd, the SLA engine, is not available, so this demo shows"
	say "  DETECTION only; ENFORCEMENT (alerts and nftables blocks) needs slaguardd."
	say "  It would configure the module from the SLA; here slaguardctl does it,"
	say "  with the thresholds 'sla check -j' derives from the same file:"
	set -- $(slaguardctl -j sla check "$SLA" | jq -r '.module.thresholds | to_entries[] |
		({window_ms: "window", holdoff_ms: "holdoff", portscan_ports: "portscan",
		  syn_half_open: "syn-half-open", conn_rate: "conn-rate",
		  bandwidth_bps: "bandwidth", icmp_rate: "icmp-rate",
		  watch_events: "watch-events"}[.key] // empty) + " " + (.value | tostring)')
	show_in "$NS_V" slaguardctl threshold set "$@"
	show_in "$NS_V" slaguardctl threshold show
fi

step "Listen to the module's events"
say "  (in the victim's namespace; a listener there hears that namespace's events)"
: > "$T/events"
ip netns exec "$NS_V" slaguardctl events > "$T/events" 2>&1 &
EVENTS_PID=$!
pause 1

step "The attacker scans the victim"
say "  [attacker]\$ nmap -n -sS -p 1-22,24-60 -T4 $VICTIM4"
att timeout 120 nmap -n -sS -p 1-22,24-60 -T4 --max-retries 0 "$VICTIM4" > "$T/nmap.txt" 2>&1
t_scan=$(date +%s)
grep -E '^(Nmap scan report|PORT|[0-9]+/tcp|Not shown|Nmap done)' "$T/nmap.txt" | sed 's/^/    /'
if grep -q 'filtered' "$T/nmap.txt"; then
	say "  (\"filtered\": probes that got no answer - sent after the attacker was"
	say "  already blocked, while the scan was still running)"
fi

step "The module saw it"
wait_for 10 grep -q PORTSCAN "$T/events" || true
say "  slaguardctl events:"
grep PORTSCAN "$T/events" | head -n 3 | sed 's/^/    /'
grep -q PORTSCAN "$T/events" || say "    (no PORTSCAN event yet - see $T/events)"

if [ "$DAEMON" = 1 ]; then
	step "slaguardd raised an alert and acted"
	wait_alert '.ref == "victim-portscan" and .source == "'"$ATTACKER4"'"' 20 > /dev/null ||
		say "  (no alert within 20 s - see 'slaguardctl alerts' below)"
	show slaguardctl alerts
	wait_for 10 in_set block4 "$ATTACKER4" || true
	show slaguardctl countermeasures

	step "The countermeasure is an nftables set element, with a comment and a timeout"
	say "  slaguardd only adds elements to its own table; the kernel drops the"
	say "  attacker's packets and removes the element when its timeout runs out,"
	say "  even if the daemon is gone."
	show_in "$NS_V" nft list table inet slaguard
else
	step "What slaguardd would do now: block the attacker for 5 s"
	say "  Done here BY HAND, standing in for slaguardd: load its table and add"
	say "  the element, with the comment slaguardd puts on everything it adds."
	show_in "$NS_V" nft -f /slaguard/nft/slaguard.nft
	show_in "$NS_V" nft add element inet slaguard block4 \
		"{ $ATTACKER4 timeout 5s comment \"slaguard rule=victim-portscan alert=A1 (by hand)\" }"
	show_in "$NS_V" nft list set inet slaguard block4
fi

step "The attacker is blocked"
if try_connect; then
	if in_set block4 "$ATTACKER4"; then
		say "  (not blocked although block4 holds $ATTACKER4 - see the table above)"
	else
		say "  (not blocked: no block4 element for $ATTACKER4 (any more) - see above)"
	fi
fi

step "The block expires on its own"
_end=$(( $(date +%s) + 20 ))
while in_set block4 "$ATTACKER4" && [ "$(date +%s)" -lt "$_end" ]; do
	say "  block4: $(element block4 "$ATTACKER4" | jq -r '"\(.addr) expires in \(.expires // "?") s  (\(.comment))"')"
	sleep 1
done
if in_set block4 "$ATTACKER4"; then
	say "  still blocked after 20 s"
else
	say "  block4 no longer holds $ATTACKER4, $(( $(date +%s) - t_scan )) s after the scan"
fi
wait_for 5 connects "$VICTIM4" 8080 || true
try_connect || true

stop_events
cat <<EOF

  That was slaguard: the kernel module detected the scan where it happened,
  $( [ "$DAEMON" = 1 ] && echo "slaguardd turned it into an alert against the SLA and a temporary,
  self-explaining nftables block." || echo "and slaguardctl showed it. With slaguardd the scan also becomes an alert
  against the SLA and a temporary, self-explaining nftables block.")

  Try it yourself: tests/vm/run.sh --shell, then the commands above.
EOF
exit 0
