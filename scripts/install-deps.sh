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
nftables libnftables-dev libnftnl-dev libmnl-dev
libnetfilter-queue-dev libcmocka-dev libyaml-dev libjson-c-dev
libmicrohttpd-dev libsqlite3-dev prometheus curl libnats-dev nats-server
libsystemd-dev libcurl4-openssl-dev
nmap hping3 iperf3 socat jq
golang-go golang-github-nats-io-jwt-dev golang-github-nats-io-nkeys-dev
chromium chromium-driver python3-selenium
groff-base man-db systemd
debhelper dh-dkms fakeroot lintian"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

# The 6.12 kernel that tests/kernels.sh picks (the newest with headers) must
# also have its modules and image: the build matrix builds against it and the
# VM stage boots it.
have_612() {
	v=$(ls -d /lib/modules/6.12.*-amd64/build 2>/dev/null | grep -v -- '-rt-\|-cloud-' |
		sort -V | tail -n1 | cut -d/ -f4)
	[ -n "$v" ] && [ -d "/lib/modules/$v/kernel" ] && [ -f "/boot/vmlinuz-$v" ]
}

bp_list=/etc/apt/sources.list.d/slaguard-backports.list
if [ "$need_backports" = 1 ] && ! have_612; then
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
	# A current kernel, its headers and image: the module is built for it
	# and the VM tests boot it, as they boot 6.1. The metapackages keep
	# both at the same version.
	$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports \
		linux-headers-6.12-amd64 linux-image-6.12-amd64
fi
