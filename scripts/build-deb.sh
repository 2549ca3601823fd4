#!/bin/sh
# Build the Debian packages slaguard and slaguard-dkms (debian/) from a copy
# of the source tree in build/deb/slaguard-VERSION, so dpkg-buildpackage
# writes its results into build/deb/ and not next to the tree. No root and
# no network needed; the build dependencies are scripts/install-deps.sh's.
#
#   scripts/build-deb.sh        (make deb)
set -eu
cd "$(dirname "$0")/.."

ver=$(dpkg-parsechangelog -S Version)
out=$PWD/build/deb
src=$out/slaguard-$ver
rm -rf "$out"
mkdir -p "$src"

# What git tracks or would track (no build outputs), as it is on disk.
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
		cpio -pdm --quiet "$src"
else
	tar -cf - --exclude=./build --exclude='*.o' --exclude='*.d' --exclude='*.a' \
		--exclude='*.so*' --exclude='*.ko' . | tar -xf - -C "$src"
fi

cd "$src"
dpkg-buildpackage -b -us -uc > "$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log"
	echo "build-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
ls "$out"/*.deb
