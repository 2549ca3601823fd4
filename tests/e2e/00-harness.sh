#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the VM harness itself, with stock tools only: the two
# namespaces reach each other over IPv4 and IPv6, nmap sees the victim's open
# port, hping3, socat and iperf3 work, nftables loads its modules on demand,
# and setpriv/unshare/jq behave. Needs nothing from slaguard.
. "$(dirname "$0")/lib.sh"

setup_netns
serve "$NS_V" 8080

log "nmap SYN scan over IPv4 and IPv6"
att nmap -n -sS -p 8080,8081 "$VICTIM4" > "$T/nmap4.txt" 2>&1 || fail "nmap exited with $?"
cat "$T/nmap4.txt"
grep -q '^8080/tcp *open' "$T/nmap4.txt" || fail "nmap does not see 8080/tcp open on $VICTIM4"
grep -q '^8081/tcp *closed' "$T/nmap4.txt" || fail "nmap does not see 8081/tcp closed on $VICTIM4"
att nmap -6 -n -sS -p 8080 "$VICTIM6" > "$T/nmap6.txt" 2>&1 || fail "nmap -6 exited with $?"
grep -q '^8080/tcp *open' "$T/nmap6.txt" || fail "nmap -6 does not see 8080/tcp open on $VICTIM6"

log "socat request/response over IPv4 and IPv6"
r=$(echo hi | att timeout 10 socat -t 5 - "TCP:$VICTIM4:8080")
[ "$r" = ok ] || fail "socat over IPv4 got '$r' instead of 'ok'"
r=$(echo hi | att timeout 10 socat -t 5 - "TCP6:[$VICTIM6]:8080")
[ "$r" = ok ] || fail "socat over IPv6 got '$r' instead of 'ok'"

log "hping3 SYNs get SYN-ACKs"
att timeout 20 hping3 -c 3 -i u100000 -S -p 8080 "$VICTIM4" > "$T/hping3.txt" 2>&1
cat "$T/hping3.txt"
grep -q 'flags=SA' "$T/hping3.txt" || fail "hping3 saw no SYN-ACK from $VICTIM4:8080"

log "iperf3 for one second"
bg iperf3-server vic iperf3 -s -1
wait_listen "$NS_V" 5201
att timeout 30 iperf3 -c "$VICTIM4" -t 1 -J > "$T/iperf3.json" || fail "iperf3 client failed"
bps=$(jq '.end.sum_received.bits_per_second | floor' "$T/iperf3.json")
log "iperf3: $bps bit/s"
[ "${bps:-0}" -gt 0 ] || fail "iperf3 measured no throughput"

log "nftables: counter and queue rules (modules load on demand)"
vic nft -f - <<'NFT' || fail "nft could not load a table"
table inet smoke {
	chain c {
		type filter hook prerouting priority 0; policy accept;
		counter
		ip saddr 192.0.2.1 queue num 3 bypass
		ct state new counter
	}
}
NFT
att ping -c 2 -W 1 "$VICTIM4" > /dev/null || fail "ping after nft load"
pk=$(vic nft -j list ruleset | jq '[.nftables[] | .rule? | select(.) | .expr[] | .counter? | select(.) | .packets] | .[0]')
log "nft counter: $pk packets"
[ "${pk:-0}" -gt 0 ] || fail "the nft counter did not count the pings"
grep -q '^nft_queue ' /proc/modules || fail "nft_queue was not loaded on demand"

log "setpriv, unshare, cgroup2, debugfs"
u=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all id -u)
[ "$u" = 65534 ] || fail "setpriv did not drop to uid 65534 (got '$u')"
unshare -n ip -o link show | grep -qv ' lo:' && fail "unshare -n still sees other links"
grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || fail "cgroup2 is not mounted"
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts || fail "debugfs is not mounted"

log "harness OK"
