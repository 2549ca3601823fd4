#!/bin/sh
# dkms add + build for each kernel given, from a staged copy of exactly
# what "make dkms-install" ships, then remove it again.
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

dkms add -m slaguard -v "$ver"
for kver in "$@"; do
	[ -n "$kver" ] || continue
	if dkms build -m slaguard -v "$ver" -k "$kver" >build/dkms-$kver.log 2>&1 &&
	   ls /var/lib/dkms/slaguard/$ver/$kver/x86_64/module/slaguard.ko* >/dev/null 2>&1; then
		echo "PASS dkms build $kver"
	else
		tail -n 20 build/dkms-$kver.log
		find /var/lib/dkms/slaguard -name make.log -exec tail -n 20 {} \;
		echo "FAIL dkms build $kver"
		fail=1
	fi
done
exit $fail
