# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# What the *-live.sh scripts share: counting checks, the daemon's control
# socket, starting and stopping a daemon. Sourced after `cd` into tests/host;
# the script sets T (its scratch directory), and CTL and D where it runs a
# daemon.

pass=0
failed=0
PID=""

ok() { pass=$((pass + 1)); echo "ok - $*"; }
# What a failure shows; a script redefines it to show its own logs.
detail() { [ -f "$T/out" ] && tail -n 15 "$T/out" | sed 's/^/#   /'; }
no() { failed=$((failed + 1)); echo "not ok - $*"; detail; }
# check WHAT CMD...: one check, passed when CMD succeeds
check() { _what=$1; shift; if "$@"; then ok "$_what"; else no "$_what"; fi; }
# finish NAME: the tally; the script's exit status
finish() { echo "$1: $pass passed, $failed failed"; [ "$failed" = 0 ]; }

# jq 1.6 -e exits 0 on empty input: a check reading a pipe either takes
# the text first (q below) or reads it with `jq -en 'input | FILTER'`,
# which fails when there is nothing to read.

# ctl REQUEST: the daemon's answer on the control socket
ctl() { printf '%s\n' "$1" | socat -t 3 - "UNIX-CONNECT:$CTL"; }
# q REQUEST FILTER: the answer passes the jq FILTER (jq 1.6 -e exits 0 on
# empty input: no answer must not pass a check)
q() { _ans=$(ctl "$1") && [ -n "$_ans" ] && printf '%s\n' "$_ans" | jq -e "$2" > /dev/null; }

# launch ARGS...: $D with ARGS in the background (output in $T/out), once
# its control socket is there (5 s at most)
launch() {
	"$D" "$@" > "$T/out" 2>&1 &
	PID=$!
	_i=0
	while [ ! -S "$CTL" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# stop [SIGNAL]: stop the daemon (TERM by default); its exit status
stop() {
	kill -"${1:-TERM}" "$PID" 2>/dev/null
	wait "$PID"
	rc=$?
	PID=""
	return $rc
}

# browser NAME WHAT SCRIPT ARGS...: one check, that headless chromium
# running SCRIPT (a *-browser.py) sees WHAT; its lines as detail.
# Skipped with a message without chromium, chromedriver and selenium.
browser() {
	_name=$1; _what=$2; shift 2
	if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ] ||
	   ! /usr/bin/python3 -c 'import selenium' 2> /dev/null; then
		echo "$_name: browser checks skipped (needs chromium, chromium-driver, python3-selenium: make deps)"
		return 0
	fi
	if PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$@" > "$T/browser" 2>&1; then
		ok "headless chromium: $_what"
	else
		no "headless chromium: $_what"
	fi
	sed 's/^/#   /' "$T/browser"
}
