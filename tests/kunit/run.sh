#!/bin/sh
# Run slaguard's KUnit suites in a User Mode Linux kernel built with kunit.py
# from Debian's linux-source-6.1.
#
#   tests/kunit/run.sh [--debug] [kunit.py run options] [suite glob, e.g. 'slaguard_watch*']
#
# --debug adds tests/kunit/debug.config (KASAN, lockdep, list debugging) and
# builds in a separate directory: slower to build, catches use-after-free
# and locking mistakes that assertions cannot see.
#
# The source tree and the build directory live in the cache
# (${SLAGUARD_CACHE:-/var/cache/slaguard}/kunit), outside the repository:
# the first run extracts the tree (~20 s) and builds UML (a few minutes),
# later runs rebuild only what changed. The module goes into the tree as
# net/slaguard/, made of symlinks to kmod/, so edits need no copying.
#
# Exits non-zero when the build fails, a test fails, or the kernel log
# shows a warning, BUG or lockdep splat. The last line is "N passed, N failed".
set -eu

. "$(dirname "$0")/ksrc.sh"

build=$cache/build
results=$cache/results.json
kunitconfig=$repo/tests/kunit/.kunitconfig
set -- "$@" --kunitconfig="$kunitconfig"
if [ "${1:-}" = --debug ]; then
	shift
	build=$cache/build-debug
	results=$cache/results-debug.json
	set -- "$@" --kunitconfig="$repo/tests/kunit/debug.config"
fi

# Link the module's sources into net/slaguard and hook it into net/.
install_module() {
	mod=$ksrc/net/slaguard

	mkdir -p "$mod"
	# Links only: a file removed from kmod/ must not linger here.
	find "$mod" -maxdepth 1 -type l -exec rm -f {} +
	for f in "$repo"/kmod/*.c "$repo"/kmod/*.h "$repo"/kmod/Kbuild \
		 "$repo"/kmod/Kconfig; do
		case $f in
		*.mod.c) continue ;;	# left by an out-of-tree build
		esac
		[ -f "$f" ] && ln -s "$f" "$mod/${f##*/}"
	done
	ln -s "$kunitconfig" "$mod/.kunitconfig"
	# <uapi/linux/slaguard.h> is then found through the tree's own
	# include path: in an O= build kmod/Kbuild's -I$(src)/../include is
	# relative to the build directory and points nowhere.
	ln -sfn "$repo/include/uapi/linux/slaguard.h" \
		"$ksrc/include/uapi/linux/slaguard.h"

	grep -qxF 'source "net/slaguard/Kconfig"' "$ksrc/net/Kconfig" ||
		printf '\nsource "net/slaguard/Kconfig"\n' >>"$ksrc/net/Kconfig"
	# shellcheck disable=SC2016
	grep -qxF 'obj-$(CONFIG_SLAGUARD) += slaguard/' "$ksrc/net/Makefile" ||
		printf 'obj-$(CONFIG_SLAGUARD) += slaguard/\n' >>"$ksrc/net/Makefile"
}

# "passed failed" from kunit.py's JSON: every leaf case, crashes count as
# failures, skipped cases as neither.
count_results() {
	python3 - "$1" <<'EOF'
import json, sys

def walk(group, acc):
    for case in group.get("test_cases", []):
        if case["status"] == "PASS":
            acc[0] += 1
        elif case["status"] != "SKIP":
            acc[1] += 1
    for sub in group.get("sub_groups", []):
        walk(sub, acc)

acc = [0, 0]
try:
    with open(sys.argv[1]) as f:
        walk(json.load(f), acc)
except (OSError, ValueError):
    pass
print(acc[0], acc[1])
EOF
}

# Kernel log lines that mean trouble even when every assertion held. UML's
# virtio PCI (from kunit.py's arch_uml.config) warns that it has no device
# ID on every boot; that one is not ours.
log_problems() {
	grep -E 'WARNING:|BUG:|Oops|Kernel panic|suspicious RCU usage|possible recursive locking|circular locking dependency|inconsistent lock state|INFO: trying to register non-static key|suspected memory leak|UBSAN:|KASAN:' \
		"$build/test.log" 2>/dev/null | grep -v 'at arch/um/drivers/virt-pci.c' || true
}

# make compares times, and the links' targets may be older than the
# objects (another checkout built last): rebuild the module's objects
# whenever its sources differ from the last build's.
forget_stale_objects() {
	sum=$(cat "$repo"/kmod/*.c "$repo"/kmod/*.h "$repo"/kmod/Kbuild \
		"$repo"/kmod/Kconfig "$repo/include/uapi/linux/slaguard.h" |
		sha1sum | cut -d' ' -f1)
	if [ "$(cat "$build/.slaguard-sources" 2>/dev/null)" != "$sum" ]; then
		rm -f "$build"/net/slaguard/*.o "$build"/net/slaguard/.*.cmd
		echo "$sum" >"$build/.slaguard-sources"
	fi
}

ksrc_lock
ksrc_extract
install_module
mkdir -p "$build"
forget_stale_objects
rm -f "$results" "$build/test.log" "$cache/kunit.rc"

# Noise every UML link and run prints, not worth reading each time.
quiet() {
	grep -Ev '^/usr/bin/ld: (warning: .*(RWX|GNU-stack)|NOTE: This behaviour is deprecated)|^stty: ' || true
}

start=$(date +%s)
rc=0
{
	python3 "$ksrc/tools/testing/kunit/kunit.py" run --arch=um \
		--build_dir="$build" --jobs="$(nproc)" --json="$results" \
		"$@" </dev/null 2>&1 || echo $? >"$cache/kunit.rc"
} | quiet
if [ -f "$cache/kunit.rc" ]; then
	rc=$(cat "$cache/kunit.rc")
	rm -f "$cache/kunit.rc"
fi
echo "kunit.py finished in $(($(date +%s) - start)) s (exit $rc)"

problems=$(log_problems)
if [ -n "$problems" ]; then
	echo "Kernel log ($build/test.log) reports problems:"
	echo "$problems"
	[ "$rc" -ne 0 ] || rc=1
fi
if [ -f "$build/test.log" ] && ! grep -q 'slaguard: loaded' "$build/test.log"; then
	echo "slaguard's module init did not report success in $build/test.log"
	[ "$rc" -ne 0 ] || rc=1
fi

counts=$(count_results "$results")
passed=${counts% *} failed=${counts#* }
if [ "$rc" -eq 0 ] && [ "$passed" -eq 0 ]; then
	echo "no test ran"
	rc=1
fi
echo "$passed passed, $failed failed"
exit "$rc"
