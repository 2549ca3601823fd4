#!/bin/sh
# Install everything slaguard needs to build, test and demo on Debian 12.
# Idempotent: does nothing when every package is already present.
set -eu

need_backports=1
[ "${1:-}" = "--no-backports" ] && need_backports=0

export DEBIAN_FRONTEND=noninteractive

PKGS="build-essential pkg-config sparse dkms kmod cpio xz-utils bc flex bison
libelf-dev libssl-dev python3
linux-headers-amd64 linux-image-amd64 linux-source-6.1
qemu-system-x86 busybox-static dash iproute2 procps
nftables libnftables-dev libnftnl-dev libnl-3-dev libnl-genl-3-dev libmnl-dev
libnetfilter-queue-dev libcmocka-dev libyaml-dev libjson-c-dev
nmap hping3 iperf3 socat jq"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

bp_list=/etc/apt/sources.list.d/slaguard-backports.list
if [ "$need_backports" = 1 ] && ! ls /usr/src | grep -q '^linux-headers-6\.12\.[0-9.]*+deb12-amd64$'; then
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$bp_list" >/dev/null
	fi
	missing="$missing BACKPORTS"
fi

[ -z "$missing" ] && exit 0

echo "slaguard: installing:$missing"
$SUDO apt-get update -q
pkgs=$(echo "$missing" | sed 's/BACKPORTS//')
# shellcheck disable=SC2086
[ -n "$(echo $pkgs)" ] && $SUDO apt-get install -y -q --no-install-recommends $pkgs

if echo "$missing" | grep -q BACKPORTS; then
	# A current kernel's headers, to prove the module builds beyond 6.1.
	$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports \
		linux-headers-6.12-amd64
fi
