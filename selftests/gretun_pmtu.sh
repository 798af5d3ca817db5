#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU and ICMP errors, in the style of the kernel's pmtu.sh: LANs
# and tunnel ends at MTU 1500, one link of MTU 1400 in the middle of the
# transit (lib_lan2lan.sh's lan2lan_transit_up 1400). With DF on the outer
# header, "fragmentation needed" from the transit must reach the tunnel
# and turn into ICMP / ICMPv6 "packet too big" for the LAN hosts, or TCP
# stalls; with nopmtudisc and ignore-df the transit fragments instead.
# Unreachable and time exceeded from the transit reach the LAN sender.
# The tunnel MTU follows its underlay device and keeps a user's setting.
# Over either underlay (GRETUN_UNDERLAY): over IPv6 the transit never
# fragments, the tunnel entry does (RFC 2473 section 7), and its errors
# are ICMPv6's.
#
#  hA -- rA ==gt0== T --(MTU 1400)-- U ==gt0== rB -- hB

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

# A black hole stalls TCP for good: a minute is plenty either way (on
# a kernel GRETUN_TIME_SCALE times slower, that many minutes).
TCP_LIMIT=$((60 * ${GRETUN_TIME_SCALE:-1}))

check "module loads" gretun_load
lan2lan_transit_up 1400
# Errors are what this test is about: none may be lost to rate limits.
for ns in T U rA rB; do
	at "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done

# The MTUs: a tunnel with key over the 1500-byte links, and what the
# 1400-byte link in the transit leaves for the inner packets.
TUN_MTU=$(gre_mtu 1500 8)
HDRS=$((1500 - TUN_MTU))
PATH_MTU=$((1400 - HDRS))

# forget_mtus: no namespace remembers a path MTU.
forget_mtus() {
	local ns

	for ns in hA rA T U rB hB; do
		at "$ns" ip route flush cache
		at "$ns" ip -6 route flush cache 2>/dev/null
	done
}

# tunnels_with OPTIONS...: fresh tunnels, static routes, no learned MTU.
tunnels_with() {
	at rA ip link del gt0 2>/dev/null
	at rB ip link del gt0 2>/dev/null
	forget_mtus
	lan2lan_tunnel_up key "$TUN_KEY" ttl 64 "$@"
	lan2lan_static_routes
}

# route_mtu NS ADDR: the MTU `ip route get` reports (empty if none).
route_mtu() {
	at "$1" ip route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

head -c 4M /dev/urandom >"$TMP/data"

# discovers FROM TO ROUTER_FROM WAN_TO FAMILY ADDR: from no learned MTU,
# TCP from FROM to TO completes; FROM's router learned the transit's 1400
# toward the other tunnel end, FROM was told 1400 less the headers.
discovers() {
	local from=$1 to=$2 router=$3 wan=$4 family=$5 addr=$6

	forget_mtus
	check "TCP over $family $from -> $to completes" \
		transfer -t "$TCP_LIMIT" "$from" "$to" "$addr" "$TMP/data"
	check_eq "$router learned the path MTU toward the other end" 1400 \
		"$(route_mtu "$router" "$wan")"
	check_eq "$from was told 1400 - $HDRS for $family" "$PATH_MTU" \
		"$(route_mtu "$from" "${addr//[][]/}")"
}

log "--- pmtudisc (default): the path MTU is discovered, each way"
tunnels_with
check_eq "gt0 MTU from the 1500-byte underlay: 1500 - $HDRS" "$TUN_MTU" \
	"$(at rA cat /sys/class/net/gt0/mtu)"
discovers hA hB rA "$WAN_B" IPv6 "[$HOST_B6]"
discovers hA hB rA "$WAN_B" IPv4 "$HOST_B4"
discovers hB hA rB "$WAN_A" IPv6 "[$HOST_A6]"
discovers hB hA rB "$WAN_A" IPv4 "$HOST_A4"
forget_mtus
check_output "a DF ping too big for the path: the sender is told the MTU" \
	"mtu ?= ?$PATH_MTU|Frag needed and DF set \(mtu = $PATH_MTU\)" \
	at hA ping -M 'do' -s 1400 -c 3 -i 0.3 -W 1 "$HOST_B4"

# outer_seen FILTER: how many captured outer packets match FILTER.
outer_seen() {
	tcpdump -r "$TMP/outer.pcap" -n "$1" 2>/dev/null | wc -l
}

# Outer fragments; over IPv6 the fragment header follows the
# encapsulation limit option, which is not fragmented.
if [ "$UNDERLAY" = 6 ]; then
	FRAGMENTS='ip6[6] == 44 or (ip6[6] == 60 and ip6[40] == 44)'
	FRAGMENTER="rA, the tunnel entry,"
else
	FRAGMENTS='ip[6:2] & 0x3fff != 0'
	FRAGMENTER="the transit"
fi

log "--- nopmtudisc: outer packets may be fragmented, by $FRAGMENTER"
tunnels_with nopmtudisc
capture_start rB wan0 "$TMP/outer.pcap"
check "TCP over IPv6 hA -> hB completes" \
	transfer -t "$TCP_LIMIT" hA hB "[$HOST_B6]" "$TMP/data"
check_eq "hA learned no MTU below the tunnel's own for IPv6" "$TUN_MTU" \
	"$(route_mtu hA "$HOST_B6")"
# An inner IPv4 packet with DF keeps it outside (as type gre does), so
# IPv4 TCP still discovers the path MTU; see ignore-df for the other way.
check "TCP over IPv4 hA -> hB completes" \
	transfer -t "$TCP_LIMIT" hA hB "$HOST_B4" "$TMP/data"
check_eq "hA was told 1400 - $HDRS for its IPv4 DF packets" "$PATH_MTU" \
	"$(route_mtu hA "$HOST_B4")"
capture_stop
frags=$(outer_seen "$FRAGMENTS")
check "$FRAGMENTER fragmented outer packets ($frags fragments)" test "$frags" -ge 1000
if [ "$UNDERLAY" = 4 ]; then
	check_eq "no outer packet of inner IPv6 carried DF" 0 \
		"$(outer_seen 'ip[6] & 0x40 != 0 and ip[6:2] & 0x1fff = 0 and ip[22:2] = 0x86dd')"
fi

log "--- ignore-df: inner DF ignored, outer packets may be fragmented"
tunnels_with nopmtudisc ignore-df
capture_start rB wan0 "$TMP/outer.pcap"
check "TCP over IPv4 hA -> hB completes" \
	transfer -t "$TCP_LIMIT" hA hB "$HOST_B4" "$TMP/data"
check_eq "hA learned no MTU below the tunnel's own for IPv4" "$TUN_MTU" \
	"$(route_mtu hA "$HOST_B4")"
capture_stop
frags=$(outer_seen "$FRAGMENTS")
check "$FRAGMENTER fragmented outer packets ($frags fragments)" test "$frags" -ge 1000
if [ "$UNDERLAY" = 4 ]; then
	check_eq "no outer packet carried DF" 0 "$(outer_seen 'ip[6] & 0x40 != 0')"
fi

log "--- unreachable and time exceeded reach the LAN sender"
tunnels_with
check "the tunnel works" ping4 hA "$HOST_B4" 1
at T ip route add unreachable "$WAN_B/$UHOST"
check_output "transit says host unreachable: hA hears it from rA" \
	"From 10\.1\.1\.1 .*Destination Host Unreachable" \
	at hA ping -c 4 -i 0.5 -W 1 "$HOST_B4"
tunnels_with
at T ip route add unreachable "$WAN_B/$UHOST" 2>/dev/null
check_output "the same for ping6: address unreachable from rA" \
	"From 2001:db8:1::1 .*Destination unreachable: Address unreachable" \
	at hA ping -6 -c 6 -i 0.5 -W 1 "$HOST_B6"
at T ip route del unreachable "$WAN_B/$UHOST"

tunnels_with
at rA ip link set gt0 type gretun ttl 1
check_output "outer TTL 1 expires in the transit: hA hears host unreachable" \
	"From 10\.1\.1\.1 .*Destination Host Unreachable" \
	at hA ping -c 4 -i 0.5 -W 1 "$HOST_B4"

tunnels_with
check "after the transit recovers, a fresh tunnel passes traffic" \
	ping4 hA "$HOST_B4" 2

log "--- the tunnel MTU follows its underlay (dev) unless set by hand"
at rA ip link add du0 type dummy
at rA ip link set du0 up
at rA ip link add gt9 type gretun remote "$(uaddr 198.18.0.9)" key 9 dev du0
at rA ip link add gt8 type gretun remote "$(uaddr 198.18.0.8)" key 8 seq csum dev du0
mtu_of() { at rA cat "/sys/class/net/$1/mtu"; }
check_eq "gt9 on a 1500 underlay: 1500 - $HDRS" "$(gre_mtu 1500 8)" "$(mtu_of gt9)"
check_eq "gt8 with key, seq, csum: 1500 - $((HDRS + 8))" "$(gre_mtu 1500 16)" "$(mtu_of gt8)"
at rA ip link set du0 mtu 1400
check_eq "underlay to 1400: gt9 follows" "$(gre_mtu 1400 8)" "$(mtu_of gt9)"
check_eq "underlay to 1400: gt8 follows" "$(gre_mtu 1400 16)" "$(mtu_of gt8)"
at rA ip link set gt9 mtu 1300
at rA ip link set du0 mtu 9000
check_eq "an MTU set by hand stays" 1300 "$(mtu_of gt9)"
check_eq "the other follows to 9000 - $((HDRS + 8))" "$(gre_mtu 9000 16)" "$(mtu_of gt8)"
check_output "below the minimum: refused with a message" \
	"mtu less than device minimum" at rA ip link set gt9 mtu 67
# The largest: outer packets of 65535 bytes over IPv4, IPv6 payloads of
# 65535 (its 40-byte header aside), with every GRE option.
max_mtu=$(gre_mtu $((UNDERLAY == 6 ? 65535 + 40 : 65535)) 16)
check "the maximum, $max_mtu, is accepted" at rA ip link set gt9 mtu "$max_mtu"
check_output "above the maximum: refused with a message" \
	"mtu greater than device maximum" at rA ip link set gt9 mtu $((max_mtu + 1))
check_output "ip link add with too small an MTU: refused with a message" \
	"mtu less than device minimum" \
	at rA ip link add gt7 mtu 60 type gretun remote "$(uaddr 198.18.0.7)" key 7
check_fail "and no device was left behind" at rA ip link show gt7
check "ip link add with the maximum MTU, $max_mtu: accepted" \
	at rA ip link add gt6 mtu "$max_mtu" type gretun remote "$(uaddr 198.18.0.6)" key 6
check_output "ip link add above the maximum: refused with a message" \
	"mtu greater than device maximum|MTU above the maximum over an IPv4 underlay" \
	at rA ip link add gt5 mtu $((max_mtu + 1)) type gretun remote "$(uaddr 198.18.0.5)" key 5
check_fail "and no device was left behind" at rA ip link show gt5

# Over IPv6 the multipath hash covers the flow label: tunnels with labels
# of their own spread over equal-cost paths, and each must learn the path
# MTU of the path its packets take. Twelve tunnels over two paths, both
# leading to a 1300-byte link.
#
#   e1 x1 2001:db8:a1::1 -- y1 ::2 e2 z 2001:db8:b::2 -(MTU 1300)- e3 z ::3
#      x2 2001:db8:a2::1 -- y2 ::2
#   e1 lo 2001:db8:e1::1 ==gt1..gt12 (key N, flowlabel N)== e3 lo 2001:db8:e3::1
ecmp_pmtu() {
	log "--- ECMP underlay: each tunnel learns the path MTU of its own path"
	for ns in e1 e2 e3; do
		ns_add "$ns"
		at "$ns" ip link set lo up
		at "$ns" sysctl -qw net.ipv6.icmp.ratelimit=0
	done
	at e2 sysctl -qw net.ipv6.conf.all.forwarding=1
	for n in 1 2; do
		ip link add "x$n" netns "$(ns_name e1)" type veth peer name "y$n" netns "$(ns_name e2)"
		at e1 ip addr add "2001:db8:a$n::1/64" dev "x$n" nodad
		at e2 ip addr add "2001:db8:a$n::2/64" dev "y$n" nodad
		at e1 ip link set "x$n" up
		at e2 ip link set "y$n" up
	done
	ip link add z netns "$(ns_name e2)" mtu 1300 type veth peer name z netns "$(ns_name e3)" mtu 1300
	at e2 ip addr add 2001:db8:b::2/64 dev z nodad
	at e3 ip addr add 2001:db8:b::3/64 dev z nodad
	at e2 ip link set z up
	at e3 ip link set z up
	at e1 ip addr add 2001:db8:e1::1/128 dev lo nodad
	at e3 ip addr add 2001:db8:e3::1/128 dev lo nodad
	at e1 ip route add 2001:db8:e3::1/128 nexthop via 2001:db8:a1::2 dev x1 \
		nexthop via 2001:db8:a2::2 dev x2
	at e2 ip route add 2001:db8:e1::1/128 via 2001:db8:a1::1 dev y1
	at e2 ip route add 2001:db8:e3::1/128 via 2001:db8:b::3 dev z
	at e3 ip route add 2001:db8:e1::1/128 via 2001:db8:b::2 dev z
	ECMP_TUNNELS=12
	for n in $(seq 1 "$ECMP_TUNNELS"); do
		at e1 ip link add "gt$n" type gretun local 2001:db8:e1::1 \
			remote 2001:db8:e3::1 key "$n" flowlabel "$n"
		at e3 ip link add "gt$n" type gretun local 2001:db8:e3::1 \
			remote 2001:db8:e1::1 key "$n"
		at e1 ip addr add "10.77.$n.1/30" dev "gt$n"
		at e3 ip addr add "10.77.$n.2/30" dev "gt$n"
		at e1 ip link set "gt$n" up
		at e3 ip link set "gt$n" up
	done
	tx_packets() { counter e1 "$1" tx_packets; }
	before1=$(tx_packets x1) before2=$(tx_packets x2)
	for n in $(seq 1 "$ECMP_TUNNELS"); do
		check "gt$n passes small packets" ping4 e1 "10.77.$n.2"
	done
	check "both paths carry tunnels (x1 $(($(tx_packets x1) - before1)), x2 $(($(tx_packets x2) - before2)) packets)" \
		test $(($(tx_packets x1) - before1)) -gt 0 -a $(($(tx_packets x2) - before2)) -gt 0
	# 1300 bytes of ping in a 1328-byte packet: within the tunnels' MTU of
	# 1444, above the 1244 the path leaves. The first gets "packet too big";
	# a tunnel that learned it refuses the next ones (tx_too_big).
	learned=0
	for n in $(seq 1 "$ECMP_TUNNELS"); do
		at e1 ping -M 'do' -s 1300 -c 3 -i 0.3 -W 1 "10.77.$n.2" >/dev/null 2>&1
		[ "$(reason e1 "gt$n" tx_too_big)" -gt 0 ] && learned=$((learned + 1))
	done
	check_eq "tunnels that learned the path MTU" "$ECMP_TUNNELS" "$learned"
	check "and a DF ping that fits still passes" at e1 ping -M 'do' -s 1200 -c 1 -W 2 10.77.1.2
}
[ "$UNDERLAY" = 4 ] || ecmp_pmtu
