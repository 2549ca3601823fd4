#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `make install` as a package build runs it: PREFIX=/usr into a staging
# DESTDIR. The tree holds what slaguardd reads (table definitions, attack
# shapes), the systemd unit pointing at the installed daemon (checked by
# `systemd-analyze verify`), the modules-load.d entry that loads the module
# at boot, docs and examples; nothing lands outside DESTDIR; and the daemon
# installed there starts from that tree (its table definition, its shapes,
# an installed example SLA) and answers on its control socket.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "install-live: skipped (needs root)"
	exit 0
fi
for c in socat jq nft; do
	command -v $c > /dev/null || { echo "install-live: skipped (needs $c)"; exit 0; }
done
if [ -z "${SGD_LIVE_NETNS:-}" ]; then
	SGD_LIVE_NETNS=1 exec unshare -n "$(pwd)/install-live.sh" "$@"
fi
ip link set lo up

T=$(mktemp -d)
R=$T/root
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT

. ./lib.sh
detail() {
	for f in "$T/install" "$T/verify" "$T/out"; do
		[ -s "$f" ] && tail -n 5 "$f" | sed "s|^|#   $(basename "$f"): |"
	done
}

touch "$T/stamp"
make -s -C "$TOP" install DESTDIR="$R" PREFIX=/usr > "$T/install" 2>&1
check "make install PREFIX=/usr DESTDIR=..." test -x "$R/usr/sbin/slaguardd"
for f in usr/sbin/slaguardctl usr/sbin/slaguard-coord usr/share/slaguard/slaguard.nft \
	usr/share/slaguard/slaguard-inspect.nft usr/share/slaguard/attack-shapes.json \
	lib/systemd/system/slaguardd.service usr/lib/modules-load.d/slaguard.conf \
	usr/share/doc/slaguard/README.md usr/share/doc/slaguard/sla-reference.md \
	usr/share/doc/slaguard/examples/demo.yaml usr/include/slaguard-app.h \
	usr/lib/pkgconfig/slaguard-app.pc usr/share/man/man8/slaguardd.8 \
	usr/share/man/man8/slaguardctl.8 usr/share/man/man8/slaguard-coord.8 \
	usr/share/man/man5/slaguard.sla.5 \
	usr/share/bash-completion/completions/slaguardctl \
	usr/share/bash-completion/completions/slaguardd \
	usr/share/bash-completion/completions/slaguard-coord; do
	check "installs /$f" test -s "$R/$f"
done
check "nothing outside DESTDIR" sh -c \
	"[ -z \"\$(find /usr /lib/systemd /etc -newer '$T/stamp' -name '*slaguard*' 2>/dev/null)\" ]"
# man(1) reads the installed pages; the installed completion completes.
man_finds() {
	for p in 8/slaguardd 8/slaguardctl 8/slaguard-coord 5/slaguard.sla; do
		MANWIDTH=80 man -M "$R/usr/share/man" "${p%/*}" "${p#*/}" 2> /dev/null |
			grep -q '^NAME' || return 1
	done
}
completes() {
	bash --norc --noprofile -c '. "$1"; COMP_WORDS=(slaguardctl sla ""); COMP_CWORD=2
		_slaguardctl; echo "${COMPREPLY[*]}"' sh \
		"$R/usr/share/bash-completion/completions/slaguardctl" | grep -qw reload
}
check "man finds the installed pages" man_finds
check "the installed completion completes slaguardctl" completes
check "the module is loaded at boot" grep -qx slaguard "$R/usr/lib/modules-load.d/slaguard.conf"
U=$R/lib/systemd/system/slaguardd.service
check "the unit starts the installed daemon" grep -q '^ExecStart=/usr/sbin/slaguardd ' "$U"
if command -v systemd-analyze > /dev/null; then
	# verify needs the ExecStart binary where the unit says: point it into
	# the staging tree; any warning (an unknown key, a bad value) fails.
	mkdir "$T/unit"
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$R/usr/sbin/|" "$U" > "$T/unit/slaguardd.service"
	systemd-analyze verify "$T/unit/slaguardd.service" > "$T/verify" 2>&1
	vrc=$?
	check "systemd-analyze verify: no error, no warning" sh -c "[ $vrc = 0 ] && [ ! -s '$T/verify' ]"
else
	echo "install-live: systemd-analyze missing, the unit is not verified"
fi
check "the installed CLI checks the installed examples" sh -c \
	"for f in '$R'/usr/share/doc/slaguard/examples/*.yaml; do '$R/usr/sbin/slaguardctl' sla check \"\$f\" > /dev/null || exit 1; done"

# The installed daemon, from the installed tree only.
"$R/usr/sbin/slaguardd" -c "$R/usr/share/doc/slaguard/examples/demo.yaml" --foreground \
	--no-syslog --control "$T/control.sock" --app-socket "$T/app.sock" \
	--state-dir "$T" --nft-table-file "$R/usr/share/slaguard/slaguard.nft" \
	--attack-shapes "$R/usr/share/slaguard/attack-shapes.json" > "$T/out" 2>&1 &
PID=$!
i=0
while [ ! -S "$T/control.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "the installed daemon starts and answers" sh -c \
	"printf '%s\n' '{\"cmd\":\"status\"}' | socat -t 3 - 'UNIX-CONNECT:$T/control.sock' | jq -en 'input | .ok and .sla == \"demo\"' > /dev/null"
check "... with the installed table definition" sh -c \
	"nft list table inet slaguard > /dev/null && grep -q 'table inet slaguard from $R/usr/share/slaguard/slaguard.nft' '$T/out'"
kill "$PID"
wait "$PID"
rc=$?
PID=""
check "... and stops cleanly" [ "$rc" = 0 ]

finish install-live
