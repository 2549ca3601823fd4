# SPDX-License-Identifier: GPL-2.0
# Shared by the benchmarks (sourced).

# stat3 FILE: "median min max" of the integers in FILE, one a line.
stat3() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %d %d\n", m, v[1], v[NR] }'
}
