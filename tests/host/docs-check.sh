#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The manual pages and bash completions against the programs they
# describe, so they fail when the two drift apart:
#   - every page formats without a warning (groff -ww, man --warnings);
#   - slaguardd(8) and slaguard-coord(8) name every option of their
#     program's --help and of the option table of its main.c;
#   - slaguardctl(8) names every object of `slaguardctl --help`, every
#     command of each `slaguardctl OBJECT help` and every --option in them;
#   - slaguard.sla(5) names every key, metric, action, severity and
#     sequence event the SLA parser (userspace/sla/) accepts, and
#     slaguard-coord(8) every key of the composite SLA (composite.c);
#   - the completions, sourced into bash, offer exactly those objects and
#     long options, and the words of a few commands.
# Needs groff and man-db; no root.
#
#   make -C tests/host check

cd "$(dirname "$0")" || exit 1
TOP=$(cd ../.. && pwd)
MAN=$TOP/man
COMP=$TOP/packaging/bash-completion
SGD=$TOP/userspace/slaguardd/slaguardd
CTL=$TOP/userspace/slaguardctl/slaguardctl
COORD=$TOP/userspace/coord/slaguard-coord

for c in groff man bash; do
	command -v $c > /dev/null || { echo "docs-check: skipped (needs $c)"; exit 0; }
done

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
failed=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { failed=$((failed + 1)); echo "not ok - $*"; }

# A page as plain text: one long line per paragraph, no hyphenation, and
# without [ ] so "countermeasures [list]" reads as "countermeasures list".
render() {
	groff -man -Tascii -P-cbou -rLL=5000n -rHY=0 "$1" 2>/dev/null |
		tr -d '[]' | tr -s ' \t' '  '
}
# WORD(S) as a whole phrase of FILE (not part of a longer option or name).
has() {
	grep -qE "(^|[^A-Za-z0-9_.-])$(printf '%s' "$1" | sed 's/[.]/\\./g')([^A-Za-z0-9_-]|[.]([^A-Za-z0-9_]|$)|$)" "$2"
}
# Every word of the list (one a line) in FILE; names those missing.
all_in() {
	_what=$1 _file=$2 _list=$3 _miss=""
	[ -s "$_list" ] || { no "$_what: nothing to check (extraction failed)"; return; }
	while IFS= read -r w; do
		has "$w" "$_file" || _miss="$_miss '$w'"
	done < "$_list"
	if [ -z "$_miss" ]; then
		ok "$_what ($(wc -l < "$_list") names)"
	else
		no "$_what: missing$_miss"
	fi
}

for p in slaguardd.8 slaguardctl.8 slaguard-coord.8 slaguard.sla.5; do
	groff -man -ww -z "$MAN/$p" > "$T/w" 2>&1
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN/$p" 2>> "$T/w" > /dev/null
	if [ -s "$T/w" ]; then
		no "$p formats without warnings"; sed 's/^/#   /' "$T/w"
	else
		ok "$p formats without warnings"
	fi
	render "$MAN/$p" > "$T/$p.txt"
done

# The long options of the option table of MAIN_C, one a line; NAME=
# after --NAME too where the argument is optional.
long_options() { # MAIN_C
	sed -n '/static const struct option opts\[\]/,/};/p' "$1" |
		sed -n 's/.*{ "\([a-z-]*\)", *\([a-z_]*\),.*/--\1 \2/p' |
		awk '{ print $1 } $2 == "optional_argument" { print $1 "=" }'
}
# A program's options: those of its --help, and the option table and short
# options of its main.c; then its page names each of them.
check_options() { # PROGRAM MAIN_C PAGE
	_p=${1##*/}
	"$1" --help > "$T/$_p-help" || no "$_p --help exits 0"
	{
		grep -oE '(^|[ ,])--[a-z][a-z-]*' "$T/$_p-help" | sed 's/^[ ,]*//'
		grep -oE '^ +-[a-zA-Z],' "$T/$_p-help" | tr -d ' ,'
		long_options "$2" | sed 's/=$//'
		sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$2" |
			tr -d ':' | fold -w1 | sed 's/^/-/'
	} | sort -u > "$T/$_p-opts"
	all_in "$(echo "$3" | sed 's/[.]\([0-9]\)$/(\1)/') names every option" "$T/$3.txt" "$T/$_p-opts"
}
check_options "$SGD" "$TOP/userspace/slaguardd/main.c" slaguardd.8
check_options "$COORD" "$TOP/userspace/coord/main.c" slaguard-coord.8

# slaguardctl: the objects, each object's commands and options.
"$CTL" --help > "$T/ctl-help" || no "slaguardctl --help exits 0"
sed -n '/^Objects:/,/^$/p' "$T/ctl-help" | awk 'NF > 1 { print $1 }' > "$T/ctl-objects"
cp "$T/ctl-objects" "$T/ctl-words"
grep -oE '(^|[ ,[])--[a-z][a-z-]*' "$T/ctl-help" | sed 's/^[ ,[]*//' >> "$T/ctl-words"
while read -r obj; do
	"$CTL" "$obj" help > "$T/obj-help" 2>&1 || no "slaguardctl $obj help exits 0"
	# "OBJ cmd [sub]" of each usage line; "[list]" is an optional command.
	grep -E '^(Usage: |  +)slaguardctl ' "$T/obj-help" | tr -s ' ' '\n' |
		awk -v o="$obj" '
			$0 == "slaguardctl" { if (p != "") print p; p = ""; s = 0; next }
			s == 0 && $0 == o { p = o; s = 1; next }
			s == 1 { w = $0; gsub(/^\[|\]$/, "", w)
				 if (w ~ /^[a-z][a-z-]*$/) { p = p " " w; s = 2 } else s = 3; next }
			s == 2 { if ($0 ~ /^[a-z][a-z-]*$/) p = p " " $0; s = 3 }
			END { if (p != "") print p }' >> "$T/ctl-words"
	grep -oE '(^|[ ,[])--[a-z][a-z-]*' "$T/obj-help" | sed 's/^[ ,[]*//' >> "$T/ctl-words"
done < "$T/ctl-objects"
sort -u "$T/ctl-words" > "$T/ctl-list"
all_in "slaguardctl(8) names every object, command and option" "$T/slaguardctl.8.txt" "$T/ctl-list"

# The words of the key and name tables (*keys[], *_names[]) of FILEs.
parser_words() { # FILE...
	for f; do
		awk '/static const char \*const [a-z_]*(keys|_names)\[\] = \{/,/\};/' "$f"
	done | grep -v 'static const' | grep -oE '"[a-z][a-z0-9_.-]*"' | tr -d '"' | sort -u
}
# slaguard.sla(5): what the parser accepts. json.c names the JSON dump's
# fields, composite.c the keys of the composite SLA (slaguard-coord(8)).
for f in "$TOP"/userspace/sla/*.c; do
	case ${f##*/} in json.c|composite.c) ;; *) printf '%s\n' "$f" ;; esac
done > "$T/sla-files"
# shellcheck disable=SC2046 # the paths have no blanks
parser_words $(cat "$T/sla-files") > "$T/sla-words"
all_in "slaguard.sla(5) names every key, metric, action and event" "$T/slaguard.sla.5.txt" "$T/sla-words"
parser_words "$TOP/userspace/sla/composite.c" > "$T/composite-words"
all_in "slaguard-coord(8) names every key of the composite SLA" "$T/slaguard-coord.8.txt" "$T/composite-words"

# The completions, in a bash without rc files; COMPREPLY sorted.
complete_words() {
	bash --norc --noprofile -c '
		. "$1"; shift
		prog=$1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		f=$(complete -p "$prog" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 3
		"$f" "$prog" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$@"
}
expect() {
	_what=$1 _want=$2; shift 2
	_got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$_got" = "$_want" ]; then ok "completion: $_what"; else
		no "completion: $_what: got '$_got', want '$_want'"; fi
}
check_registered() {
	if bash --norc --noprofile -c ". '$1'; complete -p $2" > /dev/null 2>&1; then
		ok "completion for $2 registers (complete -p)"
	else
		no "completion for $2 registers (complete -p)"
	fi
}
check_registered "$COMP/slaguardctl" slaguardctl
check_registered "$COMP/slaguardd" slaguardd
check_registered "$COMP/slaguard-coord" slaguard-coord
expect "slaguardctl OBJECT: the objects of --help" \
	"$( (cat "$T/ctl-objects"; echo help) | sort | tr '\n' ' ' | sed 's/ $//')" \
	"$COMP/slaguardctl" slaguardctl ""
expect "slaguardctl -j --control P s" "sla sources stats system" \
	"$COMP/slaguardctl" slaguardctl -j --control /run/x s
expect "slaguardctl sla" "check help reload status" "$COMP/slaguardctl" slaguardctl sla ""
expect "slaguardctl watch add family" "inet inet6" \
	"$COMP/slaguardctl" slaguardctl watch add family ""
expect "slaguardctl report --s" "--since --slo" "$COMP/slaguardctl" slaguardctl report --s
expect "slaguardctl threshold set slow-" "slow-ports slow-window" \
	"$COMP/slaguardctl" slaguardctl threshold set window 1000 slow-
expect "slaguardctl countermeasures add" "allow block" \
	"$COMP/slaguardctl" slaguardctl countermeasures add ""
expect "slaguardctl countermeasures add block ADDR" "for reason" \
	"$COMP/slaguardctl" slaguardctl countermeasures add block 192.0.2.7 ""
# "--": the long options of the program's main.c, exactly.
expect_long_options() { # PROGRAM MAIN_C
	expect "$1 --: the options of main.c" \
		"$(long_options "$2" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"$COMP/$1" "$1" --
}
expect_long_options slaguardd "$TOP/userspace/slaguardd/main.c"
expect_long_options slaguard-coord "$TOP/userspace/coord/main.c"
mkdir "$T/dirs" "$T/dirs/state" && touch "$T/dirs/stale" "$T/dirs/shop.yaml"
expect "slaguardd --state-dir: directories" "$T/dirs/state" \
	"$COMP/slaguardd" slaguardd --state-dir "$T/dirs/st"
expect "slaguard-coord COMPOSITE: YAML files and directories" "$T/dirs/shop.yaml $T/dirs/state" \
	"$COMP/slaguard-coord" slaguard-coord --check "$T/dirs/s"
expect "slaguard-coord --dashboard-token-file: files" "$T/dirs/stale $T/dirs/state" \
	"$COMP/slaguard-coord" slaguard-coord --dashboard-token-file "$T/dirs/st"
expect "slaguard-coord --dashboard: no words" "" \
	"$COMP/slaguard-coord" slaguard-coord --dashboard ""

echo "docs-check: $pass passed, $failed failed"
[ "$failed" = 0 ]
