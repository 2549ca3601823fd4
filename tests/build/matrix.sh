#!/bin/sh
# Build the module warning-free against every kernel given (6.1 and a
# current one), each in its own copy so the builds cannot mix, then run
# sparse over the 6.1 build.
set -eu
cd "$(dirname "$0")/../.."
out=build/matrix
fail=0

for kver in "$@"; do
	[ -n "$kver" ] || continue
	kdir=/lib/modules/$kver/build
	if [ ! -d "$kdir" ]; then
		echo "FAIL build $kver: no headers in $kdir (run scripts/install-deps.sh)"
		fail=1
		continue
	fi
	dir=$out/$kver
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r Kbuild kmod include "$dir/"
	log=$dir/build.log
	if make -C "$kdir" M="$PWD/$dir" W=1 modules >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log"; then
		echo "PASS build $kver"
	else
		tail -n 30 "$log"
		echo "FAIL build $kver"
		fail=1
	fi
done

# sparse, on the first (oldest) kernel
kver=$1
dir=$out/$kver-sparse
rm -rf "$dir"
mkdir -p "$dir"
cp -r Kbuild kmod include "$dir/"
log=$dir/sparse.log
# Not silenced by a caller's make -s: the CHECK lines prove sparse ran.
if MAKEFLAGS= make -C "/lib/modules/$kver/build" M="$PWD/$dir" C=2 modules >"$log" 2>&1 &&
   grep -q CHECK "$log" && ! grep -E 'warning:|error:' "$log"; then
	echo "PASS sparse $kver"
else
	tail -n 30 "$log"
	echo "FAIL sparse $kver"
	fail=1
fi
exit $fail
