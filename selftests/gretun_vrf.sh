#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tunnels in VRFs, side by side with the kernel's `type gre` (the same
# topology and checks, once for each kind, loading one GRE owner at a
# time). gretun's results are asserted; gre's are logged for comparison
# (on Debian's 6.1, large inner IPv4 packets without DF die in ip_gre:
# with pmtudisc its outer header always has DF). With GRETUN_UNDERLAY=6
# the underlay is IPv6 (every transit address lib.sh's uaddr of the one
# below) and the comparison is with `type ip6gre`. On each router the
# underlay is VRF "under" (the transit link, and
# a dummy holding the tunnel's local address, which the tunnels are bound
# to with dev) and the overlay is VRF "over" (the LAN and two tunnels, the
# equal-cost, then weighted, next hops to the other LAN).
#
#  hA        rA                           T                        rB        hB
#  lan0 -- lan0 [over]  wan0 [under] -- a0  b0 -- [under] wan0  [over] lan0 -- lan0
#                gt0, gt1 key 1, 2        172.16.1.0/30, .2.0/30     gt0, gt1
#                d0 192.0.2.1/32 [under]                 d0 198.51.100.2/32 [under]
#  10.1.1.0/24, 2001:db8:1::/64                      10.2.2.0/24, 2001:db8:2::/64

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

# the kernel's GRE of the underlay's family
KMOD=ip_gre KKIND=gre
[ "$UNDERLAY" = 6 ] && KMOD=ip6_gre KKIND=ip6gre
modinfo "$KMOD" >/dev/null 2>&1 || skip "this kernel has no $KMOD module"
modinfo vrf >/dev/null 2>&1 || skip "this kernel has no vrf module"

# The transit addresses, in the underlay's family (uaddr), and the
# prefix lengths of a link and of one address.
WPLEN=30
[ "$UNDERLAY" = 6 ] && WPLEN=64
LOCAL_A=$(uaddr 192.0.2.1)
LOCAL_B=$(uaddr 198.51.100.2)
RA_WAN=$(uaddr 172.16.1.1)
T_A=$(uaddr 172.16.1.2)
T_B=$(uaddr 172.16.2.1)
RB_WAN=$(uaddr 172.16.2.2)

# router NS WAN LOCAL PEER_LOCAL NEXT_HOP LAN4 LAN6
router() {
	local ns=$1

	at "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	at "$ns" ip link add under type vrf table 10
	at "$ns" ip link add over type vrf table 20
	at "$ns" ip link set under up
	at "$ns" ip link set over up
	at "$ns" ip link set wan0 master under
	at "$ns" ip addr add "$2/$WPLEN" dev wan0 nodad
	at "$ns" ip link add d0 type dummy
	at "$ns" ip link set d0 master under
	at "$ns" ip link set d0 up
	at "$ns" ip addr add "$3/$UHOST" dev d0 nodad
	at "$ns" ip route add vrf under "$4/$UHOST" via "$5" dev wan0
	at "$ns" ip link set lan0 master over
	at "$ns" ip addr add "$6.1/24" dev lan0
	at "$ns" ip addr add "$7::1/64" dev lan0 nodad
}

# tunnel NS KIND NAME LOCAL REMOTE KEY INNER4 INNER6
tunnel() {
	at "$1" ip link add "$3" type "$2" local "$4" remote "$5" key "$6" dev d0
	at "$1" ip link set "$3" master over
	at "$1" ip addr add "$7/30" dev "$3"
	at "$1" ip addr add "$8/64" dev "$3" nodad
	at "$1" ip link set "$3" up
}

host() {
	at "$1" ip addr add "$2.2/24" dev lan0
	at "$1" ip addr add "$3::2/64" dev lan0 nodad
	at "$1" ip route add default via "$2.1"
	at "$1" ip -6 route add default via "$3::1"
}

# multipath NS LAN4 LAN6 PEER [WEIGHT0 WEIGHT1]: the other LAN over both
# tunnels, through the far end's tunnel addresses (.PEER, ::PEER).
multipath() {
	local w0=${5:-1} w1=${6:-1}

	at "$1" ip route replace vrf over "$2" \
		nexthop via "10.255.0.$4" dev gt0 weight "$w0" \
		nexthop via "10.255.1.$4" dev gt1 weight "$w1"
	at "$1" ip -6 route replace vrf over "$3" \
		nexthop via "2001:db8:ff::$4" dev gt0 weight "$w0" \
		nexthop via "2001:db8:fe::$4" dev gt1 weight "$w1"
}

topology_up() {
	local kind=$1 ns

	for ns in hA rA T rB hB; do
		ns_add "$ns"
	done
	lan2lan_link hA lan0 rA lan0
	lan2lan_link rA wan0 T a0
	lan2lan_link T b0 rB wan0
	lan2lan_link rB lan0 hB lan0
	at T sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
	at T ip addr add "$T_A/$WPLEN" dev a0 nodad
	at T ip addr add "$T_B/$WPLEN" dev b0 nodad
	at T ip route add "$LOCAL_A/$UHOST" via "$RA_WAN"
	at T ip route add "$LOCAL_B/$UHOST" via "$RB_WAN"
	router rA "$RA_WAN" "$LOCAL_A" "$LOCAL_B" "$T_A" 10.1.1 2001:db8:1
	router rB "$RB_WAN" "$LOCAL_B" "$LOCAL_A" "$T_B" 10.2.2 2001:db8:2
	tunnel rA "$kind" gt0 "$LOCAL_A" "$LOCAL_B" 1 10.255.0.1 2001:db8:ff::1
	tunnel rA "$kind" gt1 "$LOCAL_A" "$LOCAL_B" 2 10.255.1.1 2001:db8:fe::1
	tunnel rB "$kind" gt0 "$LOCAL_B" "$LOCAL_A" 1 10.255.0.2 2001:db8:ff::2
	tunnel rB "$kind" gt1 "$LOCAL_B" "$LOCAL_A" 2 10.255.1.2 2001:db8:fe::2
	host hA 10.1.1 2001:db8:1
	host hB 10.2.2 2001:db8:2
	multipath rA 10.2.2.0/24 2001:db8:2::/64 2
	multipath rB 10.1.1.0/24 2001:db8:1::/64 1
	for ns in 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		at hA ip addr add "10.1.1.$ns/24" dev lan0
	done
}

topology_down() {
	local ns

	for ns in hA rA T rB hB; do
		ip netns del "$(ns_name "$ns")"
	done
	wait_for 20 bash -c "! ip netns list | grep -q '^$NS_PREFIX-'"
}

tx() { counter rA "$1" tx_packets; }

# expect KIND ASSERTION ARGS...: check, check_eq or check_output for
# gretun; for gre, the outcome is only logged.
expect() {
	local kind=$1 assertion=$2 name=$3 saved=$FAILED checks=$CHECKS

	shift 3
	if [ "$kind" = gretun ]; then
		"$assertion" "gretun: $name" "$@"
		return
	fi
	"$assertion" "$kind: $name" "$@" >"$TMP/gre.out"
	if [ "$FAILED" -gt "$saved" ]; then
		log "$kind: $name: fails (for comparison, not counted)"
	else
		log "$kind: $name: passes"
	fi
	FAILED=$saved CHECKS=$checks
}

# run KIND: every check, for one kind of tunnel.
run() {
	local kind=$1 src gt0 gt1

	topology_up "$kind"
	# Let the tunnels' own MLD reports (hop limit 1: outer TTL 1 under
	# ttl inherit) die in the transit, as they would in service.
	sleep 2
	expect "$kind" check "the first ping after setup passes" \
		at hA ping -c 1 -W 2 -q 10.2.2.2
	expect "$kind" check "IPv6 through both VRFs" ping6 hA 2001:db8:2::2 3
	expect "$kind" check "the underlay route is the VRF's" \
		at rA ip route get vrf under "$LOCAL_B" from "$LOCAL_A"

	gt0=$(tx gt0) gt1=$(tx gt1)
	for src in $(seq 2 16); do
		at hA ping -c 1 -W 2 -q -I "10.1.1.$src" 10.2.2.2 >/dev/null ||
			expect "$kind" check_eq "multipath ping from 10.1.1.$src" ok fail
	done
	expect "$kind" check "equal-cost multipath uses gt0" test "$(tx gt0)" -gt "$gt0"
	expect "$kind" check "equal-cost multipath uses gt1" test "$(tx gt1)" -gt "$gt1"
	multipath rA 10.2.2.0/24 2001:db8:2::/64 2 1 4
	expect "$kind" check "weighted multipath, IPv4" ping4 hA 10.2.2.2 3
	expect "$kind" check "weighted multipath, IPv6" ping6 hA 2001:db8:2::2 3

	# the transit's far link drops to 1400: T tells rA in its VRF
	at T ip link set b0 mtu 1400
	at rB ip link set wan0 mtu 1400
	at hA ping -c 3 -i 0.3 -W 1 -q -s 1400 10.2.2.2 >/dev/null 2>&1
	at hA ping -6 -c 3 -i 0.3 -W 1 -q -s 1400 2001:db8:2::2 >/dev/null 2>&1
	expect "$kind" check_output "rA learned the path MTU in the underlay VRF" \
		"mtu 1400" at rA ip route get vrf under "$LOCAL_B" from "$LOCAL_A"
	expect "$kind" check "large IPv4 pings pass" \
		at hA ping -c 3 -i 0.3 -W 2 -q -s 1400 10.2.2.2
	expect "$kind" check "large IPv6 pings pass" \
		at hA ping -6 -c 3 -i 0.3 -W 2 -q -s 1400 2001:db8:2::2
	# the only transmit errors: the big packets refused with "frag needed"
	expect "$kind" check "rA gt0 transmit errors: at most the 3 too big" \
		test "$(counter rA gt0 tx_errors)" -le 3
	expect "$kind" check_eq "rA gt0 carrier errors" 0 \
		"$(counter rA gt0 tx_carrier_errors)"
	topology_down
}

log "--- the kernel's GRE ($KKIND)"
gretun_unload
check "$KMOD loads" modprobe "$KMOD"
run "$KKIND"
check "rmmod $KMOD gre" kernel_gre_unload "$KMOD"

log "--- gretun"
check "module loads" gretun_load
run gretun
