#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot the Debian kernel in QEMU (TCG, no KVM needed) with the test initramfs
# and run the end-to-end scenarios (tests/e2e) or the benchmarks (bench/)
# inside it. The console is streamed here and saved to OUT/console-KVER.log.
#
# Usage: tests/vm/run.sh [options] [-- extra qemu arguments]
#   --scenarios LIST  names or globs, comma or space separated, with or
#                     without the NN- prefix; a bare word also selects
#                     NN-word-*: "portscan", "10-*,watch", "harness"
#                     (default: all); with --bench, bench script names
#   --bench           run bench/*.sh instead of the scenarios
#   --shell           interactive shell in the VM instead (no time limit)
#   --kver V          kernel version (default: $KVER, else Debian's 6.1 amd64);
#                     a bare series such as 6.12 picks the newest installed
#                     6.12.*-amd64
#   --build-module    build the module for that kernel into OUT/kmod-V (a copy
#                     of the sources: kmod/ is left alone) and boot with it
#   --ko FILE         boot with this slaguard.ko (default: kmod/slaguard.ko)
#   --timeout S       limit for the whole boot (default 1200, bench 2400)
#   --scenario-timeout S  limit per scenario inside the VM (default 240)
#   --verbose         stream every scenario's output, not only failures'
#   --rebuild         rebuild the initramfs even if it looks current
#   --out DIR         build directory (default build/vm, or $SG_VM_OUT); the
#                     console goes to OUT/console-V.log, OUT/console.log
#                     links to the latest
#   --mem MB, --smp N memory and vCPUs (default 1024, 2)
#   --accel single|multi  TCG with one host thread for all vCPUs (default:
#                     see "Kernel command line" in tests/vm/README.md) or
#                     a host thread per vCPU (for benchmarks)
#   --append ARGS     extra kernel command line
#
# Exit status: 0 when every selected scenario passed, the summary line was
# seen and the kernel printed no warning; 1 otherwise; 2 on usage errors.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${SG_VM_OUT:-$TOP/build/vm}
KVER=${KVER:-}
SCENARIOS=""
MODE=scenarios
TIMEOUT=""
STIMEOUT=""
VERBOSE=0
REBUILD=0
BUILD_KO=0
KO=""
MEM=1024
SMP=2
APPEND=""
ACCEL=single

usage() { sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--scenarios) [ $# -ge 2 ] || die "--scenarios needs a value"; SCENARIOS=$2; shift 2 ;;
	--scenarios=*) SCENARIOS=${1#*=}; shift ;;
	--bench) MODE=bench; shift ;;
	--shell) MODE=shell; shift ;;
	--kver) KVER=$2; shift 2 ;;
	--build-module) BUILD_KO=1; shift ;;
	--ko) KO=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--scenario-timeout) STIMEOUT=$2; shift 2 ;;
	--verbose|-v) VERBOSE=1; shift ;;
	--rebuild) REBUILD=1; shift ;;
	--out) OUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--accel)
		case $2 in single|multi) ACCEL=$2 ;; *) usage >&2; die "--accel wants single or multi" ;; esac
		shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done

# Newest Debian amd64 kernel of a series (6.1, 6.12) with its modules.
newest() {
	for d in /lib/modules/"$1".*-amd64/kernel; do
		[ -d "$d" ] && basename "$(dirname "$d")"
	done | grep -v -- '-rt-\|-cloud-' | sort -V | tail -n 1
}
[ -n "$KVER" ] || KVER=6.1
case $KVER in
*.*.*) ;;
*.*)
	v=$(newest "$KVER")
	[ -n "$v" ] || die "no Debian $KVER amd64 kernel in /lib/modules; run scripts/install-deps.sh or pass --kver"
	KVER=$v ;;
*) die "--kver wants a version such as 6.12 or $(uname -r)" ;;
esac
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || die "$KERNEL is missing or unreadable"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing; run scripts/install-deps.sh"
case $TIMEOUT in
'') [ "$MODE" = bench ] && TIMEOUT=2400 || TIMEOUT=1200 ;;
*[!0-9]*) die "--timeout wants seconds" ;;
esac

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The module for this kernel, built from a copy of the sources (as
# tests/build/matrix.sh does), so builds for two kernels never share objects.
# cp -p keeps the sources' times: make only recompiles what changed.
if [ "$BUILD_KO" = 1 ]; then
	KDIR=/lib/modules/$KVER/build
	[ -d "$KDIR" ] || die "no headers for $KVER in $KDIR; run scripts/install-deps.sh"
	kb=$OUT/kmod-$KVER
	mkdir -p "$kb/kmod"
	rm -rf "$kb/include"
	if ! cp -p "$TOP/Kbuild" "$kb/" ||
	   ! cp -p "$TOP"/kmod/Kbuild "$TOP"/kmod/Kconfig "$TOP"/kmod/*.c "$TOP"/kmod/*.h "$kb/kmod/" ||
	   ! cp -pr "$TOP/include" "$kb/"; then
		die "cannot copy the module sources to $kb"
	fi
	echo "run.sh: building the module for $KVER in $kb"
	if ! make -C "$KDIR" M="$kb" modules > "$kb/build.log" 2>&1; then
		tail -n 30 "$kb/build.log"
		echo "run.sh: FAIL: the module does not build for $KVER (log: $kb/build.log)"
		exit 1
	fi
	KO=$kb/kmod/slaguard.ko
fi

if [ -n "$KO" ]; then
	[ -f "$KO" ] || die "--ko $KO: no such file"
	KO=$(cd "$(dirname "$KO")" && pwd)/$(basename "$KO")
fi
IF_NEEDED=--if-needed
[ "$REBUILD" = 1 ] && IF_NEEDED=""
IMG=$("$TOP/tests/vm/mkinitramfs.sh" --out "$OUT" --kver "$KVER" ${KO:+--ko "$KO"} $IF_NEEDED) || exit 1

sel=$(echo "$SCENARIOS" | tr ' ' ',' | sed 's/,,*/,/g; s/^,//; s/,$//')
CMDLINE="console=ttyS0 panic=-1 loglevel=5 mitigations=off softlockup_all_cpu_backtrace=1 softlockup_panic=1 sgtest.mode=$MODE sgtest.accel=$ACCEL"
[ -n "$sel" ] && CMDLINE="$CMDLINE sgtest.scenarios=$sel"
[ -n "$STIMEOUT" ] && CMDLINE="$CMDLINE sgtest.timeout=$STIMEOUT"
[ "$VERBOSE" = 1 ] && CMDLINE="$CMDLINE sgtest.verbose=1"
[ -n "$APPEND" ] && CMDLINE="$CMDLINE $APPEND"

LOG=$OUT/console-$KVER.log
ln -sfn "console-$KVER.log" "$OUT/console.log"
RC=$OUT/qemu-$KVER.rc
rm -f "$RC"

# Single-threaded TCG: with one host thread per vCPU (thread=multi),
# QEMU 7.2 twice left a vCPU spinning on the int3 of kernel text patching
# with interrupts off (rmmod unregistering the scheduler tracepoints waited
# forever for its IPI). Round-robin vCPUs never did, and the full run took
# 366 s against 320 s.
set -- qemu-system-x86_64 -nographic -no-reboot \
	-machine pc -accel tcg,thread=$ACCEL -cpu max -m "$MEM" -smp "$SMP" \
	-nic none -kernel "$KERNEL" -initrd "$IMG" -append "$CMDLINE" "$@"

if [ "$MODE" = shell ]; then
	exec "$@"
fi

echo "run.sh: booting $KVER ($MODE${sel:+: $sel}), limit ${TIMEOUT}s, console in $LOG"
t0=$(date +%s)
{
	timeout -k 10 "$TIMEOUT" "$@" < /dev/null 2>&1
	echo $? > "$RC"
} | sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tee "$LOG"
elapsed=$(( $(date +%s) - t0 ))
qrc=$(cat "$RC" 2>/dev/null || echo 255)

. "$TOP/tests/e2e/kernel-log.sh"

problems=""
add_problem() { problems="${problems:+$problems; }$*"; }

[ "$qrc" = 124 ] || [ "$qrc" = 137 ] && add_problem "VM timed out after ${TIMEOUT}s"
[ "$qrc" = 124 ] || [ "$qrc" = 137 ] || [ "$qrc" = 0 ] || add_problem "qemu exited with status $qrc"
grep -q '^SGTEST-BOOT ' "$LOG" || add_problem "the VM never reached /init"
summary=$(grep '^SGTEST-SUMMARY ' "$LOG" | tail -n 1)
passed=$(echo "$summary" | sed -n 's/.* passed=\([0-9]*\).*/\1/p')
failed=$(echo "$summary" | sed -n 's/.* failed=\([0-9]*\).*/\1/p')
total=$(echo "$summary" | sed -n 's/.* total=\([0-9]*\).*/\1/p')
if [ -z "$summary" ]; then
	add_problem "no summary line (the VM died or hung)"
else
	[ "${failed:-1}" = 0 ] || add_problem "$failed of $total failed"
	[ "${total:-0}" -gt 0 ] || add_problem "no scenario matched '${sel:-*}'"
fi
# Only kernel lines (with a printk timestamp) are considered.
kbad=$(grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$LOG" | kernel_bad - | head -n 3)
[ -z "$kbad" ] || add_problem "kernel: $(echo "$kbad" | head -n 1)"

boot=$(sed -n 's/^SGTEST-BOOT .* uptime=\([0-9.]*\)s.*/\1/p' "$LOG" | head -n 1)
up=$(sed -n 's/^SGTEST-POWEROFF uptime=\([0-9.]*\)s.*/\1/p' "$LOG" | tail -n 1)
echo
echo "run.sh: kernel to /init ${boot:-?}s, guest uptime at poweroff ${up:-?}s, wall time ${elapsed}s"
grep -E '^(FAIL) ' "$LOG" | sed 's/^/run.sh:   /'
if [ -n "$problems" ]; then
	echo "run.sh: FAIL: $problems"
	exit 1
fi
echo "run.sh: PASS: $passed passed, 0 failed"
exit 0
