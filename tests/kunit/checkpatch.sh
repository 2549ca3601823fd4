#!/bin/sh
# Run the kernel's checkpatch.pl (from the linux-source-6.1 tree run.sh
# extracts into the cache) over the module and its UAPI header.
#
#   tests/kunit/checkpatch.sh [file...]
#
# Prints every finding. Fails on ERROR or WARNING; CHECK items (--strict)
# are shown but do not fail.
set -eu

. "$(dirname "$0")/ksrc.sh"

# Only reads the tree: no need to wait for a run.sh holding the lock.
ksrc_ok || { ksrc_lock; ksrc_extract; exec 9>&-; }

if [ $# -eq 0 ]; then
	for f in "$repo"/kmod/*.c "$repo"/kmod/*.h \
		 "$repo"/include/uapi/linux/slaguard.h; do
		case $f in
		*.mod.c) continue ;;	# left by an out-of-tree build
		esac
		[ -f "$f" ] && set -- "$@" "$f"
	done
fi

out=$(perl "$ksrc/scripts/checkpatch.pl" --no-tree --strict \
	--terse --show-types -f "$@" 2>&1) || true
# Paths relative to the repository read better.
out=$(printf '%s\n' "$out" | sed "s|^$repo/||" | grep -Ev '^(total: .*)?$' || true)
[ -n "$out" ] && printf '%s\n' "$out"

count() {
	printf '%s\n' "$out" | grep -c ": $1:" || true
}
errors=$(count ERROR)
warnings=$(count WARNING)
checks=$(count CHECK)
echo "checkpatch: $# files, $errors errors, $warnings warnings, $checks checks"
[ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ]
