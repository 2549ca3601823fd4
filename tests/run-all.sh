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
stage unit make -s -C tests/unit check
stage host make -s -C tests/host check
stage checkpatch ./tests/kunit/checkpatch.sh
stage kunit ./tests/kunit/run.sh
stage vm sh -c "make -s module KVER='$KVER' && ./tests/vm/run.sh --kver '$KVER'"

[ -n "$failures" ] && echo "failed stages:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
