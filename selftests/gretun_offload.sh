#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fast path: TCP reaches the tunnel as GSO super-packets, checksums
# are right on the wire whoever computes them (with csum, with key seq
# csum), sequence numbers leave consecutive while two CPUs send and as
# one flow to the underlay's queues, outer packets with DF carry IP ID 0,
# and the cached outer route follows every change: a new next hop, a
# deleted route, a new source for local any, a TOS-selected route under
# tos inherit. Over either underlay (GRETUN_UNDERLAY; lib.sh's uaddr
# gives the IPv6 addresses standing for those below); the IP ID is
# IPv4's alone.
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   veth1 198.51.100.1/24 --------------- veth1 198.51.100.2/24
#                                          lo 203.0.113.2 (second tests)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up
head -c 8M /dev/urandom >"$TMP/data"

# sends NS DEV: the number of packets and bytes DEV sent
sends() { echo "$(counter "$1" "$2" tx_packets) $(counter "$1" "$2" tx_bytes)"; }

log "--- TCP reaches the tunnel as super-packets"
pair_up "" ""
read -r p0 b0 < <(sends a gt0)
check "8 MB of TCP arrive whole" transfer a b 10.9.0.2 "$TMP/data"
read -r p1 b1 < <(sends a gt0)
avg=$(((b1 - b0) / (p1 - p0)))
check "gt0 sent $((p1 - p0)) packets of $avg bytes on average: more than its MTU" \
	test "$avg" -gt 3000
check "the same over IPv6" transfer a b "[fd00:9::2]" "$TMP/data"
read -r p2 b2 < <(sends a gt0)
check "and as super-packets" test $(((b2 - b1) / (p2 - p1))) -gt 3000
check_eq "nothing dropped on receive" 0 "$(counter b gt0 rx_errors)"
pair_down

# The wire must show what a real link would carry: the underlay computes
# no checksum and cuts no super-packet of its own.
for ns in a b; do
	at "$ns" ethtool -K veth0 tx off tso off gso off >/dev/null 2>&1
done

# b's veth merges what arrives (GRO, with NAPI): GRE packets merge there
# unless they carry sequence numbers.
at b ethtool -K veth0 gro on >/dev/null

for opts in "csum" "key 7 seq csum"; do
	log "--- checksums on the wire, $opts"
	pair_up "$opts" "$opts"
	# what leaves a: after the underlay's own segmentation and checksums
	# (b's GRO merges before its captures see anything)
	capture_start a veth0 "$TMP/csum.pcap" out
	read -r p0 b0 < <(echo "$(counter b gt0 rx_packets) $(counter b gt0 rx_bytes)")
	check "8 MB of TCP arrive whole" transfer a b 10.9.0.2 "$TMP/data"
	read -r p1 b1 < <(echo "$(counter b gt0 rx_packets) $(counter b gt0 rx_bytes)")
	check "and over IPv6" transfer a b "[fd00:9::2]" "$TMP/data"
	check "and ping" ping4 a 10.9.0.2 2
	capture_stop
	if [ "$opts" = csum ]; then
		avg=$(((b1 - b0) / (p1 - p0)))
		check "GRO merged GRE packets before b's gt0: $avg bytes on average" \
			test "$avg" -gt 3000
	fi
	gre_pcap.py -s "$TMP/csum.pcap" >"$TMP/csum.txt"
	check "over 10000 GRE packets captured ($(wc -l <"$TMP/csum.txt"))" \
		test "$(wc -l <"$TMP/csum.txt")" -gt 10000
	check_eq "every one with a good checksum" "" \
		"$(grep -v 'csum=ok' "$TMP/csum.txt" | head -n 3)"
	check_eq "none larger than the underlay MTU" "" \
		"$(awk '{ split($2, l, "="); if (l[2] > 1500) print }' "$TMP/csum.txt" | head -n 3)"
	check_eq "b counted no bad checksum" 0 "$(reason b gt0 rx_csum_bad)"
	pair_down
done

log "--- sequence numbers leave consecutive while two CPUs send"
pair_up "key 7 oseq" "key 7"
capture_start a veth0 "$TMP/seq.pcap" out
check_eq "two TCP streams, one from each CPU, both arrive whole" "0 0" \
	"$(for cpu in 0 1; do
		port=$((7100 + cpu))
		spawn b socat -u "TCP-LISTEN:$port,reuseaddr" "CREATE:$TMP/recv$cpu"
		echo "$SPAWNED" >"$TMP/listener$cpu"
	done
	wait_for 30 listening b 7100 && wait_for 30 listening b 7101
	for cpu in 0 1; do
		at a taskset -c "$cpu" socat -u "OPEN:$TMP/data" \
			"TCP:10.9.0.2:$((7100 + cpu))" &
	done
	wait
	for cpu in 0 1; do
		while kill -0 "$(cat "$TMP/listener$cpu")" 2>/dev/null; do sleep 0.2; done
		cmp -s "$TMP/data" "$TMP/recv$cpu"
		echo $?
	done | xargs)"
capture_stop
gre_pcap.py "$TMP/seq.pcap" | sed -nE 's/.*seq=([0-9]+).*/\1/p' >"$TMP/seq.txt"
check "over 10000 numbered packets ($(wc -l <"$TMP/seq.txt"))" \
	test "$(wc -l <"$TMP/seq.txt")" -gt 10000
check_eq "each number one more than the one before it" "" \
	"$(awk 'NR > 1 && $1 != prev + 1 { print "packet " NR ": " $1 " after " prev; exit }
		{ prev = $1 }' "$TMP/seq.txt")"
check_eq "no sequenced packet dropped waiting" 0 "$(reason a gt0 tx_seq_busy)"
pair_down

# hash_bands NS DEV: a qdisc on DEV that files each outer packet in one of
# 16 bands by the packet's hash, the way fq_codel or a multiqueue NIC tells
# flows apart
hash_bands() {
	at "$1" tc qdisc replace dev "$2" root handle 1: prio bands 16 \
		priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
	at "$1" tc filter add dev "$2" parent 1: protocol "$UPROTO" prio 1 handle 1 \
		flow map key rxhash divisor 16 baseclass 1:1
}

# flows NS DEV: how many of those bands carried more than a stray packet
flows() {
	at "$1" tc -s class show dev "$2" |
		awk '/^ Sent/ && $4 > 5 { n++ } END { print n + 0 }'
}

# The underlay's queues keep order only within a flow: the packets of a
# sequenced tunnel must be one flow to them, or two inner flows pass each
# other and the peer drops the late ones.
log "--- a sequenced tunnel is one flow to the underlay's queues"
head -c 2M /dev/urandom >"$TMP/small"
for opts in "key 7" "key 7 oseq"; do
	pair_up "$opts" "key 7"
	hash_bands a veth0
	for i in 1 2 3 4; do
		transfer a b 10.9.0.2 "$TMP/small" || echo "stream $i failed"
	done >"$TMP/streams.txt"
	check_eq "$opts: four TCP streams arrive whole" "" "$(cat "$TMP/streams.txt")"
	n=$(flows a veth0)
	if [ "$opts" = "key 7" ]; then
		check "without seq they stay apart: $n hash bands used" test "$n" -gt 1
	else
		check_eq "with seq they are one flow: hash bands used" 1 "$n"
	fi
	at a tc qdisc del dev veth0 root
	pair_down
done

log "--- IP ID: 0 with DF (RFC 6864), from the generator without"
if [ "$UNDERLAY" = 4 ]; then
	pair_up "nopmtudisc" ""
	capture_start b veth0 "$TMP/id.pcap"
	at a ping -c 3 -i 0.2 -W 2 -q -M "do" 10.9.0.2 >/dev/null
	at a ping -c 3 -i 0.2 -W 2 -q -M dont 10.9.0.2 >/dev/null
	capture_stop
	gre_pcap.py -i "$TMP/id.pcap" >"$TMP/id.txt"
	# inner IPv4 only: IPv6 (MLD reports) goes without DF under nopmtudisc
	grep 'proto=0x0800' "$TMP/id.txt" >"$TMP/id4.txt"
	check_eq "DF outer packets: ID 0" "3 3" \
		"$(grep -c 'df=1' "$TMP/id4.txt") $(grep -c 'df=1.* id=0$' "$TMP/id4.txt")"
	check_eq "three others, with three different IDs" "3 3" \
		"$(grep -c 'df=0' "$TMP/id4.txt") $(grep 'df=0' "$TMP/id4.txt" | sed 's/.* id=//' | sort -u | wc -l)"
	pair_down
else
	log "an IPv6 header has no ID: nothing to check"
fi

log "--- the cached outer route follows changes"
ip link add veth1 netns "$(ns_name a)" type veth peer name veth1 netns "$(ns_name b)"
uaddr_add a "$(uaddr 198.51.100.1)/$UPLEN" veth1
uaddr_add b "$(uaddr 198.51.100.2)/$UPLEN" veth1
for ns in a b; do
	# IPv4 underlay: no IPv6 packets of veth1's own in the counts below
	[ "$UNDERLAY" = 6 ] || at "$ns" sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
	at "$ns" ip link set veth1 up
done
# the far end, and the next hops on veth0 and veth1 toward it
FAR=$(uaddr 203.0.113.2)
VIA0=$UB
VIA1=$(uaddr 198.51.100.2)
at b ip addr add "$FAR/$UHOST" dev lo
at a ip route add "$FAR/$UHOST" via "$VIA0"
tunnel_up a "$UA" "$FAR" 10.9.0.1 fd00:9::1 tos inherit
tunnel_up b "$FAR" "$UA" 10.9.0.2 fd00:9::2

# path: which of veth0 and veth1 the next 3 pings leave by
path() {
	local v0 v1

	v0=$(counter a veth0 tx_packets)
	v1=$(counter a veth1 tx_packets)
	at a ping -c 3 -i 0.2 -W 2 -q "$@" 10.9.0.2 >/dev/null || echo "lost"
	v0=$(($(counter a veth0 tx_packets) - v0))
	v1=$(($(counter a veth1 tx_packets) - v1))
	if [ "$v0" -ge 3 ] && [ "$v1" -lt 3 ]; then
		echo veth0
	elif [ "$v1" -ge 3 ] && [ "$v0" -lt 3 ]; then
		echo veth1
	else
		echo "veth0 $v0 veth1 $v1"
	fi
}

check_eq "by the route: veth0" veth0 "$(path)"
at a ip route replace "$FAR/$UHOST" via "$VIA1"
check_eq "next hop changed: veth1" veth1 "$(path)"
at a ip route replace "$FAR/$UHOST" via "$VIA0"
check_eq "and back: veth0" veth0 "$(path)"

log "--- TOS picks the route under tos inherit"
at a ip route add "$FAR/$UHOST" via "$VIA1" table 100
at a ip -"$UNDERLAY" rule add tos 0x10 table 100
check_eq "TOS 0x10: veth1" veth1 "$(path -Q 0x10)"
check_eq "TOS 0: veth0" veth0 "$(path)"
check_eq "TOS 0x10 again: veth1" veth1 "$(path -Q 0x10)"
at a ip -"$UNDERLAY" rule del tos 0x10 table 100
# IPv6 rules match the whole DSCP, and the ECN bits route nowhere
if [ "$UNDERLAY" = 6 ]; then
	at a ip -6 rule add dsfield 0xb8 table 100
	check_eq "DSCP EF, which an IPv6 rule matches whole: veth1" veth1 "$(path -Q 0xb8)"
	check_eq "DSCP EF with ECT(0): veth1" veth1 "$(path -Q 0xba)"
	check_eq "DSCP 0: veth0" veth0 "$(path)"
	at a ip -6 rule del dsfield 0xb8 table 100
fi

log "--- a deleted route is not used from the cache"
before=$(reason a gt0 tx_no_route)
at a ip route del "$FAR/$UHOST"
check_fail "no route: nothing passes" at a ping -c 3 -i 0.2 -W 1 -q 10.9.0.2
check "counted under tx_no_route" \
	test "$(reason a gt0 tx_no_route)" -ge $((before + 3))
at a ip route add "$FAR/$UHOST" via "$VIA0"
check_eq "route back: veth0" veth0 "$(path)"

log "--- local any: the source follows the route"
at a ip link del gt0
at b ip link set gt0 type gretun remote any
tunnel_up a any "$FAR" 10.9.0.1 fd00:9::1
SRC2=$(uaddr 192.0.2.11)
# Over IPv6 deprecated, so that the route picks UA first (RFC 6724 rule
# 3), as it picks the primary IPv4 address over a secondary one.
if [ "$UNDERLAY" = 6 ]; then
	uaddr_add a "$SRC2/$UPLEN" veth0 preferred_lft 0
else
	uaddr_add a "$SRC2/$UPLEN" veth0
fi
# the pings: inner IPv4 (not the tunnel's own MLD reports)
capture_start b veth0 "$TMP/src.pcap"
ping4 a 10.9.0.2 2 >/dev/null
at a ip route replace "$FAR/$UHOST" via "$VIA0" src "$SRC2"
ping4 a 10.9.0.2 2 >/dev/null
capture_stop
check_eq "first from $UA, then from $SRC2" \
	"$UA $UA $SRC2 $SRC2" \
	"$(gre_pcap.py -s "$TMP/src.pcap" | grep 'proto=0x0800' | sed -n "s/>$FAR .*//p" | xargs)"
