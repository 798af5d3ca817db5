# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The job gretun exists for, as namespaces: two LANs (IPv4 and IPv6) joined
# across an IPv4-only transit that has no route to either of them. Source
# after lib.sh. Used by gretun_lan2lan.sh, gretun_ospf.sh, gretun_icmp.sh,
# gretun_pmtu.sh, gretun_vrf.sh and `make demo` (guest_demo.sh).
#
#  hA                rA                  T                  rB                hB
#  lan0 ---------- lan0  wan0 -------- a0   b0 -------- wan0  lan0 ---------- lan0
#  10.1.1.2/24 10.1.1.1  192.0.2.1/30  .2   198.51.100.1/30 .2  10.2.2.1  10.2.2.2/24
#  2001:db8:1::2   2001:db8:1::1       (IPv4 only)          2001:db8:2::1  2001:db8:2::2
#                    gt0 =============== GRE ================ gt0
#                    10.255.0.1/30                            10.255.0.2/30
#                    2001:db8:ff::1/64                        2001:db8:ff::2/64
#
# With lan2lan_transit_up MTU, the transit is two routers, T and U, joined
# by a link of that MTU in the middle (203.0.113.0/30, T .1, U .2); U then
# holds 198.51.100.1 toward rB. Every other link keeps MTU 1500.
#
# With GRETUN_UNDERLAY=6 the mirror image: the transit is IPv6-only (IPv4
# forwarding off, no IPv4 address) and every transit address above is
# lib.sh's uaddr of it, e.g. rA's wan0 2001:db8:c000:2::1/64.

LAN_A4=10.1.1.0/24
LAN_B4=10.2.2.0/24
LAN_A6=2001:db8:1::/64
LAN_B6=2001:db8:2::/64
HOST_A4=10.1.1.2
HOST_B4=10.2.2.2
HOST_A6=2001:db8:1::2
HOST_B6=2001:db8:2::2
# The transit in the underlay family (lib.sh's UNDERLAY, uaddr): over
# IPv6 every transit address is its IPv4 one mapped by uaddr, each /30 a
# /64, and the transit routers have IPv4 off (no address, no forwarding):
# the mirror image, IPv4 LANs across an IPv6-only transit.
WPLEN=30
[ "$UNDERLAY" = 6 ] && WPLEN=64
WAN_A=$(uaddr 192.0.2.1)
WAN_B=$(uaddr 198.51.100.2)
WAN_TA=$(uaddr 192.0.2.2)		# T toward rA
WAN_TB=$(uaddr 198.51.100.1)		# T (or U) toward rB
WAN_NET_A=$(uaddr 192.0.2.0)/$WPLEN
WAN_NET_B=$(uaddr 198.51.100.0)/$WPLEN
# A capture filter for what an IPv6 link carries for itself, neighbour
# discovery and MLD (the only packets here with hop-by-hop options).
# shellcheck disable=SC2034 # used by the tests that source this
HOUSEKEEPING='ip6 and (ip6[6] == 0 or (ip6[6] == 58 and ip6[40] >= 133 and ip6[40] <= 137))'
TUN_A4=10.255.0.1
TUN_B4=10.255.0.2
TUN_A6=2001:db8:ff::1
TUN_B6=2001:db8:ff::2
TUN_KEY=${TUN_KEY:-4242}

# cmd NS CMD...: run CMD in NS; with LAN2LAN_SHOW=1, print it first as an
# engineer would type it on that router.
lan2lan_cmd() {
	local ns=$1

	shift
	[ "${LAN2LAN_SHOW:-0}" = 1 ] && printf '  %s# %s\n' "$ns" "$*"
	at "$ns" "$@"
}

# link NS1 DEV1 NS2 DEV2: a veth pair between two namespaces.
lan2lan_link() {
	ip link add "$2" netns "$(ns_name "$1")" type veth \
		peer name "$4" netns "$(ns_name "$3")"
	at "$1" ip link set "$2" up
	at "$3" ip link set "$4" up
}

lan2lan_router() {
	at "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# The routers' transit-facing links carry only the underlay's family:
# over IPv4 no IPv6 at all; over IPv6 (where IPv4 cannot be switched off
# per link) no IPv4 address.
lan2lan_no_ipv6() {
	[ "$UNDERLAY" = 6 ] && return
	at "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
}

# Fixed neighbours on the transit: no ARP there, so that a capture on it
# holds nothing but the tunnel's packets.
lan2lan_neigh() {
	local mac

	mac=$(at "$3" cat "/sys/class/net/$4/address")
	at "$1" ip neigh replace "$5" lladdr "$mac" dev "$2" nud permanent
}

# lan2lan_transit_up [MTU]: the namespaces, links and addresses; with
# MTU, T and U with a link of that MTU between them (see the top).
# shellcheck disable=SC2120 # MTU is optional
lan2lan_transit_up() {
	local middle_mtu=${1:-}

	ns_add hA
	ns_add rA
	ns_add T
	ns_add rB
	ns_add hB
	lan2lan_transit_router T
	lan2lan_router rA
	lan2lan_router rB

	lan2lan_link hA lan0 rA lan0
	lan2lan_link rA wan0 T a0
	if [ -n "$middle_mtu" ]; then
		lan2lan_middle_up "$middle_mtu"
	else
		lan2lan_link T b0 rB wan0
		at T ip addr add "$WAN_TB/$WPLEN" dev b0 nodad
		lan2lan_neigh T b0 rB wan0 "$WAN_B"
		lan2lan_neigh rB wan0 T b0 "$WAN_TB"
	fi
	lan2lan_link rB lan0 hB lan0
	lan2lan_no_ipv6 rA wan0
	lan2lan_no_ipv6 rB wan0

	at hA ip addr add "$HOST_A4/24" dev lan0
	at hA ip addr add "$HOST_A6/64" dev lan0 nodad
	at hA ip route add default via 10.1.1.1
	at hA ip -6 route add default via 2001:db8:1::1
	at rA ip addr add 10.1.1.1/24 dev lan0
	at rA ip addr add 2001:db8:1::1/64 dev lan0 nodad
	at rA ip addr add "$WAN_A/$WPLEN" dev wan0 nodad
	at rA ip route add "$WAN_NET_B" via "$WAN_TA"
	at T ip addr add "$WAN_TA/$WPLEN" dev a0 nodad
	at rB ip addr add "$WAN_B/$WPLEN" dev wan0 nodad
	at rB ip route add "$WAN_NET_A" via "$WAN_TB"
	at rB ip addr add 10.2.2.1/24 dev lan0
	at rB ip addr add 2001:db8:2::1/64 dev lan0 nodad
	at hB ip addr add "$HOST_B4/24" dev lan0
	at hB ip addr add "$HOST_B6/64" dev lan0 nodad
	at hB ip route add default via 10.2.2.1
	at hB ip -6 route add default via 2001:db8:2::1

	lan2lan_neigh rA wan0 T a0 "$WAN_TA"
	lan2lan_neigh T a0 rA wan0 "$WAN_A"
}

# A transit router forwards the underlay's family and has the other off.
lan2lan_transit_router() {
	if [ "$UNDERLAY" = 6 ]; then
		at "$1" sysctl -qw net.ipv4.ip_forward=0 \
			net.ipv6.conf.all.forwarding=1
	else
		at "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1
	fi
}

# lan2lan_middle_up MTU: T -- U -- rB, the T-U link with MTU.
lan2lan_middle_up() {
	ns_add U
	lan2lan_transit_router U
	lan2lan_link T b0 U c0
	at T ip link set b0 mtu "$1"
	at U ip link set c0 mtu "$1"
	lan2lan_link U d0 rB wan0
	at T ip addr add "$(uaddr 203.0.113.1)/$WPLEN" dev b0 nodad
	at T ip route add "$WAN_NET_B" via "$(uaddr 203.0.113.2)"
	at U ip addr add "$(uaddr 203.0.113.2)/$WPLEN" dev c0 nodad
	at U ip addr add "$WAN_TB/$WPLEN" dev d0 nodad
	at U ip route add "$WAN_NET_A" via "$(uaddr 203.0.113.1)"
	lan2lan_neigh T b0 U c0 "$(uaddr 203.0.113.2)"
	lan2lan_neigh U c0 T b0 "$(uaddr 203.0.113.1)"
	lan2lan_neigh U d0 rB wan0 "$WAN_B"
	lan2lan_neigh rB wan0 U d0 "$WAN_TB"
}

# lan2lan_tunnel_up [gretun options...]: the tunnel between the routers,
# with its own addresses; both ends exist before either comes up (until
# then the other end would refuse packets). The options default to a key
# and a fixed outer TTL, as routers configure it: with `ttl inherit` a
# packet whose inner TTL is nearly spent (a traceroute probe, an OSPF
# hello with TTL 1) would die inside the transit instead of crossing it
# (the rest of the traffic is unharmed: gretun_icmp.sh runs the default).
lan2lan_tunnel_up() {
	[ $# -gt 0 ] || set -- key "$TUN_KEY" ttl 64
	lan2lan_cmd rA ip link add gt0 type gretun local "$WAN_A" remote "$WAN_B" "$@"
	lan2lan_cmd rA ip addr add "$TUN_A4/30" dev gt0
	lan2lan_cmd rA ip addr add "$TUN_A6/64" dev gt0
	lan2lan_cmd rB ip link add gt0 type gretun local "$WAN_B" remote "$WAN_A" "$@"
	lan2lan_cmd rB ip addr add "$TUN_B4/30" dev gt0
	lan2lan_cmd rB ip addr add "$TUN_B6/64" dev gt0
	lan2lan_cmd rA ip link set gt0 up
	lan2lan_cmd rB ip link set gt0 up
}

# Static routes: each LAN's prefixes through the tunnel.
lan2lan_static_routes() {
	lan2lan_cmd rA ip route add "$LAN_B4" dev gt0
	lan2lan_cmd rA ip -6 route add "$LAN_B6" dev gt0
	lan2lan_cmd rB ip route add "$LAN_A4" dev gt0
	lan2lan_cmd rB ip -6 route add "$LAN_A6" dev gt0
}

