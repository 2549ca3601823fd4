#!/bin/sh
# From a staged copy of exactly what "make dkms-install" ships: dkms add,
# then for the first kernel given dkms build + install, and for the others
# dkms autoinstall, as a new kernel's package runs it (AUTOINSTALL); each
# must leave slaguard.ko where modprobe finds it for that kernel. Removed
# again at the end.
set -eu
cd "$(dirname "$0")/../.."
ver=$1
shift
stage=$PWD/build/dkms-stage
fail=0

dkms remove -m slaguard -v "$ver" --all >/dev/null 2>&1 || true
rm -rf "$stage" "/usr/src/slaguard-$ver"
make -s dkms-install DESTDIR="$stage"
cp -r "$stage/usr/src/slaguard-$ver" /usr/src/
trap 'dkms remove -m slaguard -v "$ver" --all >/dev/null 2>&1 || true; rm -rf "/usr/src/slaguard-$ver"' EXIT

# modprobe finds a slaguard module for kernel $1, where dkms puts it.
installed() {
	f=$(modinfo -k "$1" -F filename slaguard 2>/dev/null) &&
		case $f in */updates/dkms/*|*/kernel/net/slaguard/*) true ;; *) false ;; esac
}

dkms add -m slaguard -v "$ver"
how="build + install"
for kver in "$@"; do
	[ -n "$kver" ] || continue
	rc=0
	if [ "$how" = autoinstall ]; then
		dkms autoinstall -k "$kver" >build/dkms-$kver.log 2>&1 || rc=$?
	else
		{ dkms build -m slaguard -v "$ver" -k "$kver" &&
			dkms install -m slaguard -v "$ver" -k "$kver"; } >build/dkms-$kver.log 2>&1 || rc=$?
	fi
	if [ $rc = 0 ] && installed "$kver"; then
		echo "PASS dkms $how $kver: $(modinfo -k "$kver" -F filename slaguard)"
	else
		tail -n 20 build/dkms-$kver.log
		find /var/lib/dkms/slaguard -name make.log -exec tail -n 20 {} \;
		echo "FAIL dkms $how $kver"
		fail=1
	fi
	how=autoinstall
done
exit $fail
