#!/bin/sh
# Every test of slaguard, cheapest first. Each stage prints PASS/FAIL lines;
# the run ends with "N passed, N failed" over the stages and fails if any
# stage did. SLAGUARD_SKIP="vm kunit" skips stages by name while iterating.
set -u
cd "$(dirname "$0")/.."

. ./tests/kernels.sh

passed=0
failed=0
failures=""
mkdir -p build

stage() {
	name=$1
	shift
	case " ${SLAGUARD_SKIP:-} " in
	*" $name "*) echo "=== $name: skipped (SLAGUARD_SKIP)"; return ;;
	esac
	echo "=== $name"
	start=$(date +%s)
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: PASS ($(( $(date +%s) - start )) s)"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "=== $name: FAIL ($(( $(date +%s) - start )) s)"
	fi
}

stage build ./tests/build/matrix.sh "$KVER" "$KVER_NEW"
stage userspace make -s userspace
stage dkms ./tests/build/dkms.sh "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" "$KVER" "$KVER_NEW"
# The Debian packages, built, installed (dkms builds the module for both
# kernels) and purged; the same module name and version as the dkms stage.
stage deb ./tests/build/deb.sh "$KVER" "$KVER_NEW"
stage unit make -s -C tests/unit check
stage host make -s -C tests/host check
stage checkpatch ./tests/kunit/checkpatch.sh
stage kunit ./tests/kunit/run.sh
# The VM scenarios on each kernel, the module built for it in its own
# directory (build/vm/kmod-KVER), so the two builds never mix. One boot
# runs every scenario (47 of them: 17-22 min under TCG, past run.sh's
# default limit for a boot); the slowest (1000 HTTP requests, iperf3 both
# ways) takes up to 2.5 min on a loaded machine, so each gets 6.
vm_on() {
	[ -n "$1" ] || {
		echo "FAIL vm: no Debian $2 amd64 kernel with headers in /lib/modules (run scripts/install-deps.sh)"
		return 1
	}
	# 81-daemon-fleet's publisher goes into the image (built by the host stage too)
	make -s -C tests/host build/nats-pub &&
	./tests/vm/run.sh --kver "$1" --build-module --timeout 2700 --scenario-timeout 360
}
stage vm vm_on "$KVER" 6.1
stage vm-6.12 vm_on "$KVER_NEW" 6.12

[ -n "$failures" ] && echo "failed stages:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
