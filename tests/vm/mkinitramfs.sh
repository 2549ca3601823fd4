#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs the end-to-end VM boots: busybox, dash, the real network
# tools with their libraries, a trimmed set of kernel modules, and the
# project's module, binaries, scenarios and benchmarks. What goes in is listed
# in tests/vm/manifest; this script only knows how to copy each kind of entry.
#
# Usage: tests/vm/mkinitramfs.sh [--out DIR] [--kver VERSION] [--ko FILE] [--if-needed]
#   --out DIR     build directory (default: build/vm, or $SG_VM_OUT)
#   --kver V      kernel version under /lib/modules (default: $KVER, else the
#                 Debian 6.1 amd64 kernel found there)
#   --ko FILE     the project's module to put in the image, instead of the
#                 manifest's 'ko' entry (e.g. one built for another kernel)
#   --if-needed   do nothing if the image is newer than everything it holds
# Prints the path of the image on stdout.
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$TOP/tests/vm
MANIFEST=$VMDIR/manifest
OUT=${SG_VM_OUT:-$TOP/build/vm}
KVER=${KVER:-}
IF_NEEDED=0
KO_FILE=""

die() { echo "mkinitramfs: $*" >&2; exit 1; }
note() { echo "mkinitramfs: $*" >&2; }

default_kver() {
	ls /lib/modules 2>/dev/null | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | sort -V | tail -n 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--kver) KVER=$2; shift 2 ;;
	--ko) KO_FILE=$2; shift 2 ;;
	--if-needed) IF_NEEDED=1; shift ;;
	-h|--help) sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

if [ -n "$KO_FILE" ]; then
	[ -f "$KO_FILE" ] || die "--ko $KO_FILE: no such file"
	KO_FILE=$(cd "$(dirname "$KO_FILE")" && pwd)/$(basename "$KO_FILE")
fi
[ -n "$KVER" ] || KVER=$(default_kver)
[ -n "$KVER" ] || die "no 6.1 amd64 kernel in /lib/modules; install linux-image-amd64 or pass --kver"
[ -d "/lib/modules/$KVER/kernel" ] || die "/lib/modules/$KVER has no modules; is linux-image-$KVER installed?"
for t in cpio gzip ldd modprobe depmod busybox; do
	command -v "$t" >/dev/null || die "'$t' is missing; run scripts/install-deps.sh"
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
IMG=$OUT/initramfs-$KVER.cpio.gz

# Concurrent runs share the build directory: one builder at a time.
if command -v flock >/dev/null; then
	exec 9> "$OUT/.mkinitramfs.lock"
	flock 9
fi

# Every project path the manifest names, plus the inputs of this script.
project_inputs() {
	echo "$MANIFEST"
	echo "$VMDIR/mkinitramfs.sh"
	echo "$VMDIR/init"
	grep -E '^[[:space:]]*(proj|ko|tree)[[:space:]]' "$MANIFEST" |
		while read -r _kind rel _rest; do
			if [ "$_kind" = ko ] && [ -n "$KO_FILE" ]; then
				echo "$KO_FILE"
			else
				echo "$TOP/$rel"
			fi
		done
}

if [ "$IF_NEEDED" = 1 ] && [ -s "$IMG" ]; then
	newer=$(project_inputs | while read -r p; do
		if [ -e "$p" ]; then find "$p" -newer "$IMG" -print 2>/dev/null; fi
	done | head -n 1)
	# An entry that disappeared (e.g. a removed binary) also forces a rebuild.
	if [ -z "$newer" ] && [ -f "$IMG.list" ] &&
	   project_inputs | while read -r p; do if [ -e "$p" ]; then echo "$p"; fi; done |
	   cmp -s - "$IMG.list"; then
		echo "$IMG"
		exit 0
	fi
fi

ROOT=$OUT/root-$KVER
rm -rf "$ROOT"
mkdir -p "$ROOT"

# Mirror the host's merged-/usr layout so every host path is valid in ROOT.
for d in bin sbin lib lib64; do
	if [ -L "/$d" ]; then
		ln -s "$(readlink "/$d")" "$ROOT/$d"
		mkdir -p "$ROOT/$(readlink -f "/$d" | sed 's|^/||')"
	else
		mkdir -p "$ROOT/$d"
	fi
done
for d in dev proc sys run tmp root etc mnt bb usr/bin usr/sbin slaguard; do
	mkdir -p "$ROOT/$d"
done
ln -s ../run "$ROOT/var" 2>/dev/null || true
chmod 1777 "$ROOT/tmp"

# Copy a host path (file, symlink chain or directory) to the same place in ROOT.
add_path() {
	p=$1
	n=0
	while [ -L "$p" ]; do
		n=$((n + 1))
		[ $n -lt 20 ] || die "symlink loop at $1"
		t=$(readlink "$p")
		mkdir -p "$ROOT$(dirname "$p")"
		[ -e "$ROOT$p" ] || [ -L "$ROOT$p" ] || ln -s "$t" "$ROOT$p"
		case $t in
		/*) p=$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
	done
	[ -e "$p" ] || die "$p does not exist on the host"
	mkdir -p "$ROOT$(dirname "$p")"
	if [ -d "$p" ]; then
		cp -a "$p/." "$ROOT$p/" 2>/dev/null || { mkdir -p "$ROOT$p"; cp -a "$p/." "$ROOT$p/"; }
	else
		cp -a "$p" "$ROOT$p"
	fi
}

# The libraries and loader an ELF executable needs.
add_libs() {
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$ROOT$lib" ] || add_path "$lib"
	done
}

add_bin() {
	case $1 in
	/*) p=$1 ;;
	*) p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$1") || die "'$1' is not installed on the host" ;;
	esac
	add_path "$p"
	add_libs "$(readlink -f "$p")"
}

add_proj() {
	src=$TOP/$1
	dst=$2
	if [ ! -f "$src" ]; then
		note "not built yet, left out: $1"
		return 0
	fi
	mkdir -p "$ROOT$(dirname "$dst")"
	cp "$src" "$ROOT$dst"
	chmod 755 "$ROOT$dst"
	add_libs "$src"
}

add_tree() {
	src=$TOP/$1
	dst=$2
	[ -d "$src" ] || return 0
	mkdir -p "$ROOT$dst"
	cp -a "$src/." "$ROOT$dst/"
}

KMODS=""
KO=""
while read -r kind arg dest; do
	case $kind in
	''|'#'*) continue ;;
	bin) add_bin "$arg" ;;
	file) add_path "$arg" ;;
	kmod) KMODS="$KMODS $arg" ;;
	proj) add_proj "$arg" "$dest" ;;
	ko) KO=$TOP/$arg ;;
	tree) add_tree "$arg" "$dest" ;;
	*) die "manifest: unknown kind '$kind'" ;;
	esac
done < "$MANIFEST"

# The project's module, plus whatever in-tree modules it depends on.
MODDIR=/lib/modules/$KVER
[ -n "$KO_FILE" ] && KO=$KO_FILE
if [ -n "$KO" ] && [ -f "$KO" ]; then
	vermagic=$(modinfo -F vermagic "$KO" 2>/dev/null | awk '{print $1}')
	[ "$vermagic" = "$KVER" ] ||
		note "WARNING: ${KO#"$TOP"/} was built for '$vermagic', the VM runs $KVER; insmod will refuse it"
	mkdir -p "$ROOT$MODDIR/extra"
	cp "$KO" "$ROOT$MODDIR/extra/slaguard.ko"
	deps=$(modinfo -F depends "$KO" 2>/dev/null | tr ',' ' ')
	KMODS="$KMODS $deps"
elif [ -n "$KO" ]; then
	note "not built yet, left out: ${KO#"$TOP"/}"
fi

KOLIST=$OUT/kmods-$KVER.list
: > "$KOLIST"
for m in $KMODS; do
	modprobe -S "$KVER" --show-depends "$m" > "$KOLIST.one" 2>/dev/null || true
	if grep -q '^insmod ' "$KOLIST.one"; then
		awk '$1 == "insmod" { print $2 }' "$KOLIST.one" >> "$KOLIST"
	elif ! grep -q "^builtin $m\$" "$KOLIST.one"; then
		# e.g. nft_objref, merged into nf_tables in later kernels
		note "kernel module '$m' does not exist in $KVER; left out"
	fi
done
rm -f "$KOLIST.one"
for ko in $(sort -u "$KOLIST"); do
	add_path "$ko"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$ROOT$MODDIR/"
done
depmod -b "$ROOT" "$KVER"

# busybox applets come last in PATH: the real tools above win.
cp "$(command -v busybox)" "$ROOT/bb/busybox"
for a in $("$ROOT/bb/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$ROOT/bb/$a"
done
ln -sf dash "$ROOT/usr/bin/sh"

cat > "$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$ROOT/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat > "$ROOT/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1		localhost ip6-localhost ip6-loopback
10.77.0.1	victim
10.77.0.2	attacker
fd77::1		victim
fd77::2		attacker
EOF
echo sgtest > "$ROOT/etc/hostname"
: > "$ROOT/etc/fstab"
echo "$KVER" > "$ROOT/etc/sgtest-kver"

install -m 755 "$VMDIR/init" "$ROOT/init"
[ -e "$ROOT/dev/console" ] || mknod -m 600 "$ROOT/dev/console" c 5 1
[ -e "$ROOT/dev/null" ] || mknod -m 666 "$ROOT/dev/null" c 1 3

(cd "$ROOT" && find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 > "$IMG.tmp"
mv "$IMG.tmp" "$IMG"
project_inputs | while read -r p; do if [ -e "$p" ]; then echo "$p"; fi; done > "$IMG.list"
note "$(du -h "$IMG" | cut -f1) $IMG ($(du -sh "$ROOT" | cut -f1) unpacked)"
echo "$IMG"
