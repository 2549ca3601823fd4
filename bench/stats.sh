# SPDX-License-Identifier: GPL-2.0
# Shared by the benchmarks (sourced).

# stat3 FILE: "median min max" of the integers in FILE, one a line.
stat3() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %d %d\n", m, v[1], v[NR] }'
}

# rotated R WORD...: the words starting at the (R mod count)-th, wrapping
# around. Round R of a benchmark runs its configurations in this order, so
# drift over the run hits every configuration alike.
rotated() {
	_n=$(( $1 % ($# - 1) ))
	shift
	while [ "$_n" -gt 0 ]; do
		set -- "$@" "$1"
		shift
		_n=$((_n - 1))
	done
	echo "$@"
}
