#!/bin/sh
# The Debian packages as an operator uses them: `make deb` builds slaguard
# and slaguard-dkms (lintian's findings are printed, not judged), dpkg -i
# installs both, and then
#   - dkms built and installed the module for each kernel given (the
#     package's postinst), where modprobe finds it, and `dkms status` says so;
#   - installing them again (an upgrade) rebuilds it for the newest kernel;
#   - a new kernel's hook (/etc/kernel/postinst.d/dkms, AUTOINSTALL) builds
#     it again for the last kernel after it was removed there;
#   - the package's files are in place, `slaguardd --help` and
#     `slaguardctl sla check` run from /usr/sbin, man finds the pages and
#     `systemd-analyze verify` accepts the installed unit;
# and dpkg -P purges both, leaving no file, dkms tree or module behind.
# Uses the same module name and version as tests/build/dkms.sh, so it
# first removes what an interrupted run of either left (including
# installed slaguard packages), and removes its own at exit.
#
#   tests/build/deb.sh KVER [KVER...]     (make check-deb)
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
out=$TOP/build/deb
log=$TOP/build/deb-test.log
export DEBIAN_FRONTEND=noninteractive
pass=0
failed=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { _what=$1; shift; if "$@"; then ok "$_what"; else no "$_what"; fi; }
finish() { echo "deb: $pass passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

if [ "$(id -u)" != 0 ]; then
	echo "deb: skipped (needs root: dpkg -i)"
	exit 0
fi
for c in dpkg-buildpackage dh dh_dkms dkms; do
	command -v $c > /dev/null || { no "$c is installed (scripts/install-deps.sh)"; finish; }
done

purge() {
	dpkg -P slaguard slaguard-dkms < /dev/null >> "$log" 2>&1
	dkms remove -m slaguard -v "$ver" --all < /dev/null > /dev/null 2>&1 || true
	# What tests/build/dkms.sh copies by hand, if it was interrupted.
	dpkg -S "/usr/src/slaguard-$ver" > /dev/null 2>&1 || rm -rf "/usr/src/slaguard-$ver"
}
: > "$log"
purge

check "one version: debian/changelog, dkms.conf, Makefile" sh -c \
	"[ \"\$(dpkg-parsechangelog -S Version)\" = '$ver' ] && grep -qx 'VERSION := $ver' Makefile"

start=$(date +%s)
if make -s deb >> "$log" 2>&1; then
	ok "make deb ($(( $(date +%s) - start )) s)"
else
	tail -n 30 "$log"; no "make deb"; finish
fi
DKMS_DEB=$out/slaguard-dkms_${ver}_all.deb
MAIN_DEB=$(ls "$out"/slaguard_"${ver}"_*.deb 2>/dev/null | head -n1)
check "make deb: slaguard-dkms and slaguard" test -s "$DKMS_DEB" -a -s "$MAIN_DEB"

if command -v lintian > /dev/null; then
	start=$(date +%s)
	timeout 600 lintian --no-tag-display-limit "$DKMS_DEB" "$MAIN_DEB" < /dev/null > "$out/lintian.log" 2>&1
	echo "# lintian ($(( $(date +%s) - start )) s), not judged: $(grep -c '^E:' "$out/lintian.log") errors, $(grep -c '^W:' "$out/lintian.log") warnings"
	grep '^[EW]:' "$out/lintian.log" | sed 's/^/#   /'
fi

trap 'purge' EXIT
start=$(date +%s)
if dpkg -i "$DKMS_DEB" "$MAIN_DEB" < /dev/null >> "$log" 2>&1; then
	ok "dpkg -i slaguard-dkms slaguard ($(( $(date +%s) - start )) s)"
else
	tail -n 30 "$log"
	find /var/lib/dkms/slaguard -name make.log -exec tail -n 20 {} \; 2>/dev/null
	no "dpkg -i slaguard-dkms slaguard"; finish
fi
dpkg -L slaguard slaguard-dkms > "$out/files" 2>/dev/null

# modprobe finds slaguard.ko for kernel $1 where dkms puts it.
installed() {
	f=$(modinfo -k "$1" -F filename slaguard 2>/dev/null) &&
		case $f in */updates/dkms/*|*/kernel/net/slaguard/*) true ;; *) false ;; esac
}
dkms_says_installed() {
	dkms status -m slaguard -v "$ver" -k "$1" 2>/dev/null | grep -q ': installed'
}
last=""
for k in "$@"; do
	[ -n "$k" ] || continue
	check "the package's dkms built the module for $k (dkms status: installed)" dkms_says_installed "$k"
	check "... where modprobe finds it" installed "$k"
	last=$k
done
if [ -n "$last" ]; then
	# An upgrade (the same packages again runs the same maintainer
	# scripts): dkms removes the old build and builds anew, for the
	# running kernel if it has headers and for the newest.
	dpkg -i "$DKMS_DEB" "$MAIN_DEB" < /dev/null >> "$log" 2>&1
	check "upgrade: dpkg -i again" sh -c "dpkg -s slaguard-dkms slaguard 2>/dev/null | grep -c '^Status: install ok installed' | grep -qx 2"
	check "upgrade: the module is rebuilt for the newest kernel, $last" installed "$last"
	# What a new kernel's package runs: the module comes back for it.
	dkms remove -m slaguard -v "$ver" -k "$last" < /dev/null >> "$log" 2>&1
	check "removed for $last" sh -c "! modinfo -k '$last' -F filename slaguard > /dev/null 2>&1"
	/etc/kernel/postinst.d/dkms "$last" < /dev/null >> "$log" 2>&1
	check "AUTOINSTALL: /etc/kernel/postinst.d/dkms $last builds it again" installed "$last"
fi

for f in /usr/sbin/slaguardd /usr/sbin/slaguardctl /lib/systemd/system/slaguardd.service \
	/usr/lib/modules-load.d/slaguard.conf /usr/share/slaguard/slaguard.nft \
	/usr/share/slaguard/slaguard-inspect.nft /usr/share/slaguard/attack-shapes.json \
	/usr/share/man/man8/slaguardd.8.gz /usr/share/man/man8/slaguardctl.8.gz \
	/usr/share/man/man8/slaguard-coord.8.gz /usr/sbin/slaguard-coord \
	/usr/share/man/man5/slaguard.sla.5.gz /usr/share/bash-completion/completions/slaguardctl \
	/usr/share/bash-completion/completions/slaguardd \
	/usr/share/bash-completion/completions/slaguard-coord /usr/share/doc/slaguard/sla-reference.md \
	/usr/share/doc/slaguard/examples/demo.yaml /usr/include/slaguard-app.h \
	"/usr/src/slaguard-$ver/dkms.conf" "/usr/src/slaguard-$ver/kmod/main.c"; do
	check "installs $f" sh -c "grep -qx '$f' '$out/files' && [ -s '$f' ]"
done
check "libslaguard-app.so.0 is found by the dynamic linker" sh -c "ldconfig -p | grep -q 'libslaguard-app.so.0 '"
check "/usr/sbin/slaguardd --help runs" sh -c "/usr/sbin/slaguardd --help | grep -q '^Usage: slaguardd'"
check "/usr/sbin/slaguardctl sla check the installed example" \
	sh -c "/usr/sbin/slaguardctl sla check /usr/share/doc/slaguard/examples/demo.yaml > /dev/null"
check "man finds slaguardd(8), slaguardctl(8), slaguard-coord(8), slaguard.sla(5)" sh -c \
	"{ man -w 8 slaguardd && man -w 8 slaguardctl && man -w 8 slaguard-coord &&
	   man -w 5 slaguard.sla; } > /dev/null 2>&1"
if command -v systemd-analyze > /dev/null; then
	check "systemd-analyze verify the installed unit" sh -c \
		"systemd-analyze verify /lib/systemd/system/slaguardd.service > '$out/verify' 2>&1 && [ ! -s '$out/verify' ]"
fi

start=$(date +%s)
dpkg -P slaguard slaguard-dkms < /dev/null >> "$log" 2>&1
check "dpkg -P slaguard slaguard-dkms ($(( $(date +%s) - start )) s)" sh -c \
	"! dpkg -s slaguard > /dev/null 2>&1 && ! dpkg -s slaguard-dkms > /dev/null 2>&1"
left=""
while IFS= read -r f; do
	# Directories (/lib is a link to usr/lib) may stay: others own them.
	[ -d "$f" ] && continue
	if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done < "$out/files"
check "no file of the packages is left${left:+:$left}" [ -z "$left" ]
check "no /usr/src/slaguard-$ver, no dkms tree" sh -c \
	"[ ! -e '/usr/src/slaguard-$ver' ] && [ ! -e /var/lib/dkms/slaguard ]"
for k in "$@"; do
	[ -n "$k" ] || continue
	check "no slaguard.ko left for $k" sh -c "! modinfo -k '$k' -F filename slaguard > /dev/null 2>&1"
done
check "no unit symlinks or state left" sh -c \
	"[ -z \"\$(find /etc/systemd/system /var/lib/slaguard /var/log/slaguard -name '*slaguard*' 2>/dev/null)\" ]"
finish
