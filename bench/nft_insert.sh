#!/bin/sh
# Blocking at scale: time to put N addresses into table inet slaguard
#   - through slaguardd's backend (libnftnl batches over one netlink socket),
#     in one batch, in batches of 10000 and 1000, with its notification
#     watcher on, and one transaction per ban;
#   - with one `nft -f` file holding the same N elements;
#   - with one `nft add element` process per ban, as log-watching tools do
#     (SAMPLE of them timed, extrapolated to N), into an empty set and into
#     a set that already holds N elements.
# Everything runs in a private network namespace (unshare -n), one after the
# other in the same run, with the same table definition (nft/slaguard.nft),
# the same 3600 s timeout and the same comment on every element.
#
# usage: bench/nft_insert.sh [N [SAMPLE]]      (root; default 100000 200)
#        RUNS=5: the backend and nft -f figures are medians of RUNS runs
#        NFT_INSERT_BIN=path: use a prebuilt bench/nft_insert.c
set -eu

N=${1:-100000}
SAMPLE=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

if [ -z "${SLAGUARD_BENCH_HOSTNS:-}" ]; then
	SLAGUARD_BENCH_HOSTNS=$(readlink /proc/self/ns/net)
	export SLAGUARD_BENCH_HOSTNS
	exec unshare -n "$0" "$@"
fi
# Never touch the host's ruleset: insist on a private network namespace.
if [ "$(readlink /proc/self/ns/net)" = "$SLAGUARD_BENCH_HOSTNS" ]; then
	echo "nft_insert.sh: not in a private network namespace; refusing" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${NFT_INSERT_BIN:-}" ]; then
	# prebuilt, e.g. inside a test VM without a compiler
	cp "$NFT_INSERT_BIN" "$tmp/nft_insert"
else
	make -s -C "$root/bench" "$root/build/bench/nft_insert" >&2 || exit 1
	cp "$root/build/bench/nft_insert" "$tmp/nft_insert"
fi

comment="slaguard rule=bench alert=B1"
# The i-th address of 100.64.0.0/10, as bench/nft_insert.c numbers them.
addr_awk='function addr(i,  a) { a = 100 * 16777216 + 64 * 65536 + i;
	return int(a / 16777216) "." int(a / 65536) % 256 "." int(a / 256) % 256 "." a % 256 }'

awk -v n="$N" -v c="$comment" "$addr_awk"'
BEGIN { printf "add element inet slaguard block4 {";
	for (i = 0; i < n; i++) printf "%s %s timeout 3600s comment \"%s\"", (i ? "," : ""), addr(i), c;
	print " }" }' >"$tmp/elements.nft"
# Addresses past the first N, for the per-process samples.
awk -v n="$N" -v s="$SAMPLE" "$addr_awk"'BEGIN { for (i = 0; i < s; i++) print addr(n + i) }' \
	>"$tmp/sample.txt"

# Each measurement prints "wall-seconds cpu-seconds" (cpu: user + system of
# the process(es) doing the work). This machine's timings vary from run to
# run, so backend and nft -f figures are the medians of RUNS runs.
RUNS=${RUNS:-5}
median() { # of each of two columns, on its own
	cat >"$tmp/runs"
	for col in 1 2; do
		cut -d' ' -f"$col" "$tmp/runs" | sort -n |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
	done | paste -sd' '
}
timed() { # command... ; its wall and cpu seconds (GNU time, children included)
	/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null
	awk '{ print $1, $2 + $3 }' "$tmp/time"
}

fresh_table() {
	nft flush ruleset
	nft -f "$root/nft/slaguard.nft"
}

backend() { # batch-size [watch]
	for _ in $(seq "$RUNS"); do
		nft flush ruleset
		"$tmp/nft_insert" "$root/nft" "$N" "$1" ${2:+"$2"} 2>/dev/null | awk '{ print $4, $6 }'
	done | median
}

nft_file() {
	for _ in $(seq "$RUNS"); do
		fresh_table
		timed nft -f "$tmp/elements.nft"
	done | median
}

per_process() { # prefill: 0 or 1
	fresh_table
	[ "$1" = 1 ] && nft -f "$tmp/elements.nft"
	# shellcheck disable=SC2016 # expanded by the inner shell
	timed sh -c 'while read -r a; do
		nft add element inet slaguard block4 "{ $a timeout 3600s comment \"$1\" }"
	done <"$2"' sh "$comment" "$tmp/sample.txt"
}

echo "slaguard nft insert benchmark: N=$N, median of $RUNS runs, per-process sample $SAMPLE;"
echo "$(nft --version); kernel $(uname -r); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
t_b1=$(backend "$N")
t_b10k=$(backend 10000)
t_b1k=$(backend 1000)
t_bw=$(backend 1000 watch)
t_b1x=$(backend 1)
t_f=$(nft_file)
t_p0=$(per_process 0)
t_pn=$(per_process 1)
nft flush ruleset

set -- "$t_f" "$t_b1" "$t_b10k" "$t_b1k" "$t_bw" "$t_b1x" "$t_p0" "$t_pn"
printf '%s\n' "$@" | awk -v n="$N" -v s="$SAMPLE" '
	{ w[NR] = $1; c[NR] = $2 }
	function row(name, i, scale, note,  r, rs) {
		r = w[1] / (w[i] * scale)
		rs = (r >= 0.1) ? sprintf("%.2fx", r) : sprintf("1/%.0f", 1 / r)
		printf "%-40s %9.3f %11.0f %9.3f %13s %s\n", name, w[i] * scale,
			n / (w[i] * scale), c[i] * scale, rs, note }
	END {
		printf "%-40s %9s %11s %9s %13s\n", "method (" n " addresses)", "wall s",
			"elements/s", "cpu s", "vs nft -f"
		row("nft -f, one file", 1, 1, "")
		row("backend, 1 batch of " n, 2, 1, "")
		row("backend, batches of 10000", 3, 1, "")
		row("backend, batches of 1000", 4, 1, "")
		row("backend, batches of 1000, watcher on", 5, 1, "")
		row("backend, 1 ban per transaction", 6, 1,
			sprintf("(%.1f us/ban)", w[6] * 1e6 / n))
		row("nft add element per ban, empty set", 7, n / s,
			sprintf("(%.1f ms/ban, %d timed)", w[7] * 1000 / s, s))
		row("nft add element per ban, set holds N", 8, n / s,
			sprintf("(%.1f ms/ban, %d timed)", w[8] * 1000 / s, s))
		print "vs nft -f: how many times faster than one nft -f file (wall time); the"
		print "per-ban rows extrapolate " s " timed bans to " n "; cpu s: user + system"
	}'
