#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 1,000 tunnels between two namespaces, told apart by their keys: each
# one created, used once and checked on the far side, then all deleted.
# Over either underlay (GRETUN_UNDERLAY).
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   t1..t1000 key N                        t1..t1000 key N
#   10.(100 + N/250).(N%250).1 peer .2     the .2 ends

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

N=1000

check "module loads" gretun_load
underlay_up
# No IPv6 on the tunnels: a's would send MLD reports before b's exist.
at a sysctl -qw net.ipv6.conf.default.disable_ipv6=1
at b sysctl -qw net.ipv6.conf.default.disable_ipv6=1

inner() { echo "10.$((100 + $1 / 250)).$(($1 % 250))"; }

batch() {
	local side=$1 local=$2 remote=$3 me=$4 peer=$5 i

	for i in $(seq 1 $N); do
		echo "link add t$i type gretun local $local remote $remote key $i"
		echo "addr add $(inner "$i").$me peer $(inner "$i").$peer dev t$i"
		echo "link set t$i up"
	done >"$TMP/$side.batch"
}
batch a "$UA" "$UB" 1 2
batch b "$UB" "$UA" 2 1
check "$N tunnels in a" at a ip -batch "$TMP/a.batch"
check "$N tunnels in b" at b ip -batch "$TMP/b.batch"
check_eq "$N gretun devices in b" "$N" \
	"$(at b ip -j -d link show | jq '[.[] | select(.linkinfo.info_kind == "gretun")] | length')"

# One UDP datagram into each tunnel, by bash's /dev/udp: no fork per packet.
# shellcheck disable=SC2016 # expanded by the inner shell
at a bash -c 'for i in $(seq 1 '"$N"'); do
	echo x >/dev/udp/10.$((100 + i / 250)).$((i % 250)).2/9
done' 2>/dev/null

# shellcheck disable=SC2016 # expanded by the inner shell
missing=$(at b bash -c 'for i in $(seq 1 '"$N"'); do
	read -r n </sys/class/net/t$i/statistics/rx_packets
	[ "$n" -ge 1 ] || echo "t$i"
done')
check_eq "each of the $N tunnels delivered its datagram" "" "$missing"
check_eq "nothing was unmatched" 0 "$(drops b rx_no_tunnel)"

sed -n 's/^link add \(t[0-9]*\) .*/link del \1/p' "$TMP/a.batch" >"$TMP/del.batch"
check "delete all in a" at a ip -batch "$TMP/del.batch"
check "delete all in b" at b ip -batch "$TMP/del.batch"
check_eq "none left" 0 \
	"$(at b ip -j -d link show | jq '[.[] | select(.linkinfo.info_kind == "gretun")] | length')"
