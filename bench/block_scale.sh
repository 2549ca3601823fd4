#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Blocking at scale, in the test VM (bench/run.sh --scenarios block_scale):
# time to put N addresses (100.64.0.0/10, timeout 3600 s, the same comment on
# each) into block4 of `table inet slaguard` in a namespace of its own
#   - through slaguardd's backend (bench/nft_insert.c: libnftnl batches over
#     one netlink socket), in 1 batch, in batches of 10000 and of 1000, and
#     one transaction per ban (BENCH_SINGLE addresses, extrapolated to N);
#   - with one `nft -f` file of the same N elements;
#   - with one `nft add element` process per ban, as log-watching tools do:
#     BENCH_SAMPLE of them timed (at most BENCH_SAMPLE_SECS s), into an
#     empty set and into a set that already holds N; extrapolated to N.
# The backend and nft -f figures are medians of BENCH_RUNS runs, interleaved
# (run r of every method, then run r+1), all in the same boot. The VM-side
# twin of bench/nft_insert.sh (which runs on a host).
#
# Environment: BENCH_N (100000), BENCH_RUNS (3), BENCH_SINGLE (10000),
# BENCH_SAMPLE (100), BENCH_SAMPLE_SECS (120).
. "$(dirname "$0")/../tests/e2e/lib.sh"

N=${BENCH_N:-100000}
RUNS=${BENCH_RUNS:-3}
SINGLE=${BENCH_SINGLE:-10000}
SAMPLE=${BENCH_SAMPLE:-100}
SAMPLE_SECS=${BENCH_SAMPLE_SECS:-120}
NS=sgbench
NFTDIR=/slaguard/nft
COMMENT="slaguard rule=bench alert=B1"

need_cmd nft nft_insert sgstamp
ip netns add "$NS" || fail "ip netns add $NS"
# lib.sh's cleanup deletes only its own namespaces
trap 'ip netns del '"$NS"' 2>/dev/null; cleanup' EXIT
b() { ip netns exec "$NS" "$@"; }

# The i-th address of 100.64.0.0/10, as bench/nft_insert.c numbers them.
ADDR_AWK='function addr(i,  a) { a = 100 * 16777216 + 64 * 65536 + i;
	return int(a / 16777216) "." int(a / 65536) % 256 "." int(a / 256) % 256 "." a % 256 }'
awk -v n="$N" -v c="$COMMENT" "$ADDR_AWK"'
BEGIN { printf "add element inet slaguard block4 {";
	for (i = 0; i < n; i++) printf "%s %s timeout 3600s comment \"%s\"", (i ? "," : ""), addr(i), c;
	print " }" }' > "$T/elements.nft"
awk -v n="$N" -v s="$SAMPLE" "$ADDR_AWK"'BEGIN { for (i = 0; i < s; i++) print addr(n + i) }' > "$T/sample.txt"

secs_since() { # start-ns: seconds since then
	awk -v a="$1" -v b="$(sgstamp now)" 'BEGIN { printf "%.3f\n", (substr(b, 1, 14) - substr(a, 1, 14)) / 1e4 }'
}
fresh_table() {
	b nft flush ruleset
	b nft -f "$NFTDIR/slaguard.nft" || fail "cannot load $NFTDIR/slaguard.nft"
}
count4() {
	b nft list set inet slaguard block4 | grep -o 'alert=B1' | wc -l
}
backend() { # N batch: seconds
	b nft flush ruleset
	b nft_insert "$NFTDIR" "$1" "$2" 2> "$T/nft_insert.err" | awk '{ print $4 }' | grep . ||
		fail "nft_insert $1 $2 failed: $(cat "$T/nft_insert.err")"
}
nft_file() {
	fresh_table
	t0=$(sgstamp now)
	b nft -f "$T/elements.nft" || fail "nft -f of $N elements failed"
	secs_since "$t0"
}
per_process() { # prefill: 0|1 -> "seconds count"
	fresh_table
	[ "$1" = 1 ] && { b nft -f "$T/elements.nft" || fail "prefill failed"; }
	t0=$(sgstamp now)
	end=$(( $(date +%s) + SAMPLE_SECS ))
	k=0
	while read -r a; do
		b nft add element inet slaguard block4 "{ $a timeout 3600s comment \"$COMMENT\" }" ||
			fail "nft add element $a failed"
		k=$((k + 1))
		[ "$(date +%s)" -lt "$end" ] || break
	done < "$T/sample.txt"
	echo "$(secs_since "$t0") $k"
}

log "block at scale: N=$N, $RUNS runs"
for m in file b1 b10k b1k; do : > "$T/t.$m"; done
r=0
while [ $r -lt "$RUNS" ]; do
	nft_file >> "$T/t.file"
	backend "$N" "$N" >> "$T/t.b1"
	backend "$N" 10000 >> "$T/t.b10k"
	backend "$N" 1000 >> "$T/t.b1k"
	log "run $((r + 1)): nft -f $(tail -n 1 "$T/t.file") s, backend 1 batch $(tail -n 1 "$T/t.b1") s, 10000s $(tail -n 1 "$T/t.b10k") s, 1000s $(tail -n 1 "$T/t.b1k") s"
	r=$((r + 1))
done
# the backend really put N elements in (last run: batches of 1000)
got=$(count4)
[ "$got" -eq "$N" ] || fail "block4 holds $got elements after the backend's run, not $N"
t_single=$(backend "$SINGLE" 1)
log "backend, one transaction per ban: $SINGLE in $t_single s"
set -- $(per_process 0); t_p0=$1 k_p0=$2
log "nft add element per ban, empty set: $k_p0 in $t_p0 s"
set -- $(per_process 1); t_pn=$1 k_pn=$2
log "nft add element per ban, set holds $N: $k_pn in $t_pn s"
b nft flush ruleset

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minmax() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%s-%s", v[1], v[NR] }'; }
f=$(median "$T/t.file")

echo "==== slaguard bench report ===="
echo "blocking at scale: $N addresses into block4 (hash set, timeout 3600 s, comment on each);"
echo "kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), $(nft --version); median of $RUNS runs, same boot"
echo
printf '%-42s %9s %13s %11s %10s  %s\n' "method ($N addresses)" "wall s" "(min-max)" "elements/s" "vs nft -f" "note"
row() { # name seconds range [scale note]
	awk -v name="$1" -v t="$2" -v rg="$3" -v sc="${4:-1}" -v note="${5:-}" -v n="$N" -v f="$f" 'BEGIN {
		w = t * sc; r = (w > 0) ? f / w : 0
		rs = (r >= 0.1) ? sprintf("%.2fx", r) : sprintf("1/%.0f", 1 / r)
		printf "%-42s %9.3f %13s %11.0f %10s  %s\n", name, w, rg, (w > 0) ? n / w : 0, rs, note }'
}
row "nft -f, one file" "$f" "$(minmax "$T/t.file")"
row "backend, 1 batch of $N" "$(median "$T/t.b1")" "$(minmax "$T/t.b1")"
row "backend, batches of 10000" "$(median "$T/t.b10k")" "$(minmax "$T/t.b10k")"
row "backend, batches of 1000" "$(median "$T/t.b1k")" "$(minmax "$T/t.b1k")"
row "backend, 1 ban per transaction" "$t_single" "-" "$(awk -v n="$N" -v s="$SINGLE" 'BEGIN { print n / s }')" \
	"$(awk -v t="$t_single" -v s="$SINGLE" 'BEGIN { printf "%.0f us/ban, %d timed", t * 1e6 / s, s }')"
row "nft add element per ban, empty set" "$t_p0" "-" "$(awk -v n="$N" -v s="$k_p0" 'BEGIN { print n / s }')" \
	"$(awk -v t="$t_p0" -v s="$k_p0" 'BEGIN { printf "%.1f ms/ban, %d timed", t * 1e3 / s, s }')"
row "nft add element per ban, set holds $N" "$t_pn" "-" "$(awk -v n="$N" -v s="$k_pn" 'BEGIN { print n / s }')" \
	"$(awk -v t="$t_pn" -v s="$k_pn" 'BEGIN { printf "%.1f ms/ban, %d timed", t * 1e3 / s, s }')"
echo "vs nft -f: how many times faster than one nft -f file (median wall time); per-ban rows"
echo "extrapolate the timed bans to $N; backend = slaguardd's nft backend (bench/nft_insert.c)"
echo "==== end of report ===="
