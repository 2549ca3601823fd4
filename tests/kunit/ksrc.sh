# shellcheck shell=sh disable=SC2034
# Shared by run.sh and checkpatch.sh: a kernel source tree extracted once
# from Debian's linux-source-6.1 into a cache outside the repository.
#
#   SLAGUARD_CACHE      cache root (default /var/cache/slaguard)
#   SLAGUARD_KSRC_TAR   source tarball (default /usr/src/linux-source-6.1.tar.xz)

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${SLAGUARD_CACHE:-/var/cache/slaguard}/kunit
tarball=${SLAGUARD_KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
ksrc=$cache/linux-source
stamp=$ksrc/.slaguard-extracted

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Serialise runs sharing the cache: they edit the same tree.
ksrc_lock() {
	mkdir -p "$cache" || die "cannot create $cache"
	exec 9>"$cache/lock"
	flock 9
}

# What the stamp records: the tarball it came from, to notice an upgrade.
tar_id() {
	stat -c '%n %s %Y' "$tarball"
}

ksrc_ok() {
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(tar_id)" ] &&
		[ -f "$ksrc/Makefile" ] &&
		[ -f "$ksrc/tools/testing/kunit/kunit.py" ] &&
		[ -f "$ksrc/scripts/checkpatch.pl" ] &&
		[ -f "$ksrc/net/Kconfig" ] && [ -f "$ksrc/net/Makefile" ]
}

# Extract the tree unless a complete one is there already. The stamp is
# written last, so an interrupted extraction is redone.
ksrc_extract() {
	[ -f "$tarball" ] ||
		die "$tarball missing: apt-get install linux-source-6.1"
	ksrc_ok && return 0
	echo "Extracting $tarball into $ksrc" >&2
	rm -rf "$ksrc" "$cache/extract.tmp"
	mkdir -p "$cache/extract.tmp"
	tar -C "$cache/extract.tmp" -xf "$tarball" ||
		die "extracting $tarball failed"
	set -- "$cache"/extract.tmp/*
	if [ $# -ne 1 ] || [ ! -f "$1/Makefile" ]; then
		die "unexpected layout in $tarball"
	fi
	mv "$1" "$ksrc"
	rmdir "$cache/extract.tmp"
	tar_id >"$stamp"
}
