#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The application SDK end to end, as an application uses it: `make install`
# into a staging DESTDIR; the C example (examples/login-service.c) built
# against the installed header, shared library and pkg-config file; the
# Python example (examples/login_service.py) run with the installed module.
# A live slaguardd (stand-in genl family, as in daemon-live.sh) whose SLA
# names uid 65534 in `reporters:`; both examples run as that uid, report a
# forbidden read and a root login failure, and the daemon raises the rule
# alerts naming the reporter's uid. An unlisted uid is refused with the
# daemon's reason, which the example shows. Needs root, cc, socat and jq.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
D=$TOP/userspace/slaguardd/slaguardd

if [ "$(id -u)" != 0 ]; then
	echo "sdk-live: skipped (needs root)"
	exit 0
fi
for c in socat jq nft cc setpriv; do
	command -v $c > /dev/null || { echo "sdk-live: skipped (needs $c)"; exit 0; }
done
# The system's python3: the reporter uid may not reach root's own (pyenv).
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "sdk-live: skipped (needs $PY)"; exit 0; }
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$(pwd)/sdk-live.sh" "$@"
fi
ip link set lo up

T=$(mktemp -d)
chmod 755 "$T"		# the reporter uids reach the socket and the staged files
CTL=$T/control.sock
APP=$T/app.sock
ROOT=$T/root
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh
# On failure: the daemon's last lines and what the examples printed.
detail() {
	for f in "$T/out" "$T"/*.err; do
		[ -s "$f" ] && tail -n 5 "$f" | sed "s|^|#   $(basename "$f"): |"
	done
}

# 1. Install, and build the C example as an application would.
touch "$T/stamp"
make -s -C "$TOP/userspace" install DESTDIR="$ROOT" PREFIX=/usr/local > "$T/install" 2>&1
check "make install with DESTDIR" test -f "$ROOT/usr/local/include/slaguard-app.h"
check "... the shared library and its links" sh -c "[ -f '$ROOT/usr/local/lib/libslaguard-app.so.0.1.0' ] && [ -L '$ROOT/usr/local/lib/libslaguard-app.so.0' ] && [ -L '$ROOT/usr/local/lib/libslaguard-app.so' ]"
check "... the static library and the Python module" sh -c "[ -f '$ROOT/usr/local/lib/libslaguard-app.a' ] && [ -f '$ROOT/usr/local/lib/python3/dist-packages/slaguard_app.py' ]"
check "... nothing outside DESTDIR" sh -c "[ -z \"\$(find /usr/local -newer '$T/stamp' -name '*slaguard*' 2>/dev/null)\" ]"
PC="PKG_CONFIG_SYSROOT_DIR=$ROOT PKG_CONFIG_PATH=$ROOT/usr/local/lib/pkgconfig"
CFL=$(env $PC pkg-config --cflags --libs slaguard-app)
check "pkg-config finds slaguard-app" [ -n "$CFL" ]
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$T/login-service" \
	"$TOP/examples/login-service.c" $CFL -Wl,-rpath,"$ROOT/usr/local/lib" 2> "$T/cc"
check "the C example builds against the installed SDK" test -x "$T/login-service"
check "... and links the shared library by its soname" sh -c "ldd '$T/login-service' | grep -q 'libslaguard-app.so.0 => $ROOT'"

cat > "$T/sla.yaml" <<'YAML'
sla: sdk
components:
  web: { addresses: [10.0.0.10] }
  db: { addresses: [10.0.1.20] }
rules:
  - { id: no-cards, deny: { user: shop, read: "cards/*", component: db }, severity: critical }
  - { id: no-root-login, deny: { user: root, login-failure: "*", component: web }, severity: high }
reporters:
  - { user: 65534, components: [web, db], source: true }
defaults: { holdoff: 1s }
YAML
"$D" -c "$T/sla.yaml" --foreground --no-syslog --control "$CTL" --state-dir "$T" \
	--app-socket "$APP" --app-group 4242 --dry-run --genl-family nlctrl --genl-group notify \
	> "$T/out" 2>&1 &
PID=$!
i=0
while [ ! -S "$APP" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "slaguardd listens on $APP" test -S "$APP"

as() { # UID CMD...: run as UID in the app socket's group, the SDK's socket in the environment
	_uid=$1; shift
	env SLAGUARD_APP_SOCKET="$APP" PYTHONPATH="$ROOT/usr/local/lib/python3/dist-packages" \
		setpriv --reuid="$_uid" --regid=4242 --clear-groups "$@"
}
alerts_of() { # RULE: alerts of that rule
	ctl '{"cmd":"alerts"}' | jq -c "[.alerts[] | select(.ref == \"$1\")]"
}

# 2. The C example, as uid 65534: a forbidden read, naming the client.
printf 'login alice wonderland\nread shop cards/42 192.0.2.50\n' |
	as 65534 "$T/login-service" -c db > "$T/c.out" 2> "$T/c.err"
check "the C example served its requests" grep -q 'contents of cards/42' "$T/c.out"
check "... and sent its event, none refused" grep -q '1 events sent, 0 dropped, 0 refused' "$T/c.err"
sleep 0.3
check "slaguardd raised the no-cards alert" q '{"cmd":"alerts"}' \
	'[.alerts[] | select(.ref == "no-cards")] | length == 1 and .[0].kind == "rule" and .[0].severity == "critical"'
check "... for the C example's event, reported by uid 65534" q '{"cmd":"alerts"}' \
	'[.alerts[] | select(.ref == "no-cards")][0] | .source == "192.0.2.50" and .evidence.resource == "cards/42" and .evidence.reporter_uid == 65534'

check "slaguardctl shows it" sh -c "'$TOP/userspace/slaguardctl/slaguardctl' --control '$CTL' -j alerts | jq -en 'input | [.alerts[] | select(.ref == \"no-cards\")][0].evidence.user == \"shop\"' > /dev/null"

# 3. The Python example, as uid 65534: a failed root login.
printf 'login root hunter2 192.0.2.51\n' |
	as 65534 "$PY" "$TOP/examples/login_service.py" -c web > "$T/py.out" 2> "$T/py.err"
check "the Python example served its request" grep -q 'login failed' "$T/py.out"
check "... and sent its event, none refused" grep -q '1 events sent, 0 dropped, 0 refused' "$T/py.err"
sleep 0.3
check "slaguardd raised the no-root-login alert" q '{"cmd":"alerts"}' \
	'[.alerts[] | select(.ref == "no-root-login")][0] | .source == "192.0.2.51" and .evidence.action == "login-failure" and .evidence.reporter_uid == 65534'

# 4. An uid the SLA does not name: refused, and the examples say why.
printf 'read shop cards/43\n' | as 65533 "$T/login-service" -c db > /dev/null 2> "$T/c2.err"
check "the C example shows the daemon's refusal" grep -q '1 refused by slaguardd; last error: slaguardd: uid 65533 may not report for component db' "$T/c2.err"
printf 'login root x\n' | as 65533 "$PY" "$TOP/examples/login_service.py" -c web > /dev/null 2> "$T/py2.err"
check "the Python example shows the daemon's refusal" grep -q '1 refused by slaguardd; last error: slaguardd: uid 65533 may not report for component web' "$T/py2.err"
sleep 0.3
check "no alert from the refused events" q '{"cmd":"alerts"}' \
	'([.alerts[] | select(.ref == "no-cards")] | length) == 1 and ([.alerts[] | select(.ref == "no-root-login")] | length) == 1'
check "status counts them refused" q '{"cmd":"status"}' '.app_socket.refused_events == 2'

# 5. The daemon away: the example neither blocks nor fails.
kill -TERM "$PID"; wait "$PID"; PID=""
start=$(date +%s)
printf 'read shop cards/44\n' | as 65534 "$T/login-service" -c db > /dev/null 2> "$T/c3.err"
rc=$?
check "with the daemon away the C example still serves, within its 1 s flush" sh -c "[ $rc = 0 ] && [ \$(( \$(date +%s) - $start )) -le 3 ]"
check "... and says its event was left unsent" grep -q 'events left unsent' "$T/c3.err"
start=$(date +%s)
printf 'login root x\n' | as 65534 "$PY" "$TOP/examples/login_service.py" -c web > /dev/null 2> "$T/py3.err"
rc=$?
check "so does the Python example" sh -c "[ $rc = 0 ] && [ \$(( \$(date +%s) - $start )) -le 3 ] && grep -q 'events left unsent' '$T/py3.err'"

finish sdk-live
