#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A flood from random spoofed sources cannot grow the source table beyond
# its capacity: with capacity=256 the table stays at or below 256 entries
# and evicts old sources to make room.
. "$(dirname "$0")/lib.sh"

need_cmd slaguardctl
setup_netns
load_module capacity=256
serve "$NS_V" 80

log "hping3 -S --flood --rand-source -p 80 $VICTIM4 for 4 s"
att timeout -s INT 4 hping3 -S --flood --rand-source -p 80 "$VICTIM4" > "$T/hping3.txt" 2>&1
cat "$T/hping3.txt"

sgctl -j stats | tee "$T/stats.json"
echo
cap=$(jq -r .capacity "$T/stats.json")
src=$(jq -r .sources "$T/stats.json")
ev=$(jq -r .evictions "$T/stats.json")
log "capacity=$cap sources=$src evictions=$ev"
[ "$cap" = 256 ] || fail "capacity is '$cap', not 256 (module parameter ignored?)"
[ "$src" -gt 0 ] 2>/dev/null || fail "no tracked sources after the flood (sources='$src')"
[ "$src" -le 256 ] || fail "$src sources tracked, over the capacity of 256"
[ "$ev" -gt 0 ] 2>/dev/null || fail "no evictions after a random-source flood (evictions='$ev')"

n=$(slaguardctl sources 2>/dev/null | grep -c .)
log "slaguardctl sources: $n lines"
[ "$n" -le 260 ] || fail "slaguardctl sources lists $n lines for a capacity of 256"
