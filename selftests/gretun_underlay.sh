#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tunnels bound to an underlay device with `dev`: tunnels bound to
# tunnels nest at most 4 deep and never in a loop (an MTU change at the
# foot of a long chain once overflowed the kernel stack); an underlay
# that goes away leaves its tunnels configurable, without carrier, until
# `dev` is set again or cleared (`nodev`); a changed header or underlay
# moves an automatic MTU and keeps one set by hand; nothing leaves from a
# local address that was removed. Over either underlay
# (GRETUN_UNDERLAY: the remote ends' family; the MTUs from gre_mtu).
#
#   ns a: dummy0 <- c1 <- c2 <- c3 <- c4   (each bound with dev to the last)
#         u1 <- gd0,  u2/u3 <- gm0, gm1
#         veth0 UA (and a second address) -- ns b: veth0 UB, gt0 between

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
ns_add a
mtu_of() { at a cat "/sys/class/net/$1/mtu"; }

log "--- a chain of 160 tunnels, each bound to the last"
at a ip link add dummy0 type dummy
at a ip link set dummy0 up
{
	echo "link add c1 type gretun remote $(uaddr 198.18.0.1) key 1 dev dummy0"
	for i in $(seq 2 160); do
		echo "link add c$i type gretun remote $(uaddr "198.18.0.$((i % 250 + 1))") key $i dev c$((i - 1))"
	done
} >"$TMP/chain"
at a ip -force -batch "$TMP/chain" >"$TMP/chain.out" 2>&1
created=$(at a ip -o link show type gretun | grep -c ': c[0-9]*@')
check_eq "four are accepted" 4 "$created"
check_output "the fifth is refused with a reason" \
	"nest at most 4 deep" cat "$TMP/chain.out"
check_fail "so none of the others exists either" at a ip link show c5
check_output "a tunnel bound to itself is refused" "nest at most 4 deep" \
	at a ip link set c1 type gretun dev c1
check_output "a loop is refused" "nest at most 4 deep" \
	at a ip link set c1 type gretun dev c4
at a ip link add x1 type gretun remote "$(uaddr 198.18.1.1)" key 1001 dev dummy0
check_output "a change that would stack too deep is refused" \
	"nest at most 4 deep" at a ip link set x1 type gretun dev c4
check "one that stays within 4 is accepted" \
	at a ip link set x1 type gretun dev c3
at a ip link del x1
check "the MTU changes at the foot of the chain" \
	at a ip link set dummy0 mtu 9000
check "the kernel is alive" at a ip link show c4
# chain_mtus LOWER: the MTUs of c1..c4 (each with a key) over a
# LOWER-byte dummy0
chain_mtus() {
	local mtu=$1 i

	for i in 1 2 3 4; do
		mtu=$(gre_mtu "$mtu" 8)
		echo "$mtu"
	done | paste -sd' '
}
check_eq "each tunnel follows the one below, $((OUTER_HLEN + 8)) bytes less" \
	"$(chain_mtus 9000)" \
	"$(for i in 1 2 3 4; do mtu_of "c$i"; done | paste -sd' ')"
at a ip link set dummy0 mtu 1500
check_eq "and back" "$(chain_mtus 1500)" \
	"$(for i in 1 2 3 4; do mtu_of "c$i"; done | paste -sd' ')"

log "--- an underlay that goes away"
at a ip link add u1 type dummy
at a ip link set u1 up
at a ip link add gd0 type gretun remote "$(uaddr 198.18.2.1)" key 2 dev u1
at a ip addr add 10.99.0.1/30 dev gd0
at a ip link set gd0 up
at a ip link del u1
check_eq "its tunnel stays, without carrier" 0 \
	"$(at a cat /sys/class/net/gd0/carrier)"
check_output "dmesg says why" "gd0: underlay u1 went away" dmesg
check "other changes are accepted" at a ip link set gd0 type gretun ttl 9
check_output "and made" "$(hop_word) 9 " at a ip -d link show gd0
tx_before=$(counter a gd0 tx_packets)
check_fail "it sends nothing (no other way out)" \
	at a ping -c 1 -W 1 -q 10.99.0.2
check_eq "not a packet" "$tx_before" "$(counter a gd0 tx_packets)"
check_output "a new underlay must exist" "underlay device not found" \
	at a nl_gretun set gd0 link=u32:99999
check "dev can be cleared" at a ip link set gd0 type gretun nodev
check_eq "and the carrier is back" 1 "$(at a cat /sys/class/net/gd0/carrier)"
check_fail "no dev shown" grep -q ' dev ' <(at a ip -d link show gd0)
at a ip link add u2 type dummy
check "or set to another underlay" at a ip link set gd0 type gretun dev u2
check_output "which is shown" "dev u2 " at a ip -d link show gd0
ns_add b
at a ip link set u2 netns "$(ns_name b)"
check_eq "an underlay moved to another namespace goes away too" 0 \
	"$(at a cat /sys/class/net/gd0/carrier)"

log "--- MTU on a change of header or underlay"
at a ip link add u3 type dummy
at a ip link add u4 type dummy
at a ip link set u4 mtu 1400
at a ip link add gm0 type gretun remote "$(uaddr 198.18.3.1)" key 3 dev u3
at a ip link add gm1 type gretun remote "$(uaddr 198.18.3.2)" key 4 dev u3
at a ip link set gm0 mtu 1300
at a ip link set gm0 type gretun key 3 csum
at a ip link set gm1 type gretun key 4 csum
check_eq "ocsum added: an MTU set by hand stays" 1300 "$(mtu_of gm0)"
check_eq "ocsum added: the automatic one makes room (1500 - $((OUTER_HLEN + 12)))" \
	"$(gre_mtu 1500 12)" "$(mtu_of gm1)"
at a ip link set gm0 type gretun dev u4
at a ip link set gm1 type gretun dev u4
check_eq "another underlay: an MTU set by hand stays" 1300 "$(mtu_of gm0)"
check_eq "another underlay: the automatic one follows (1400 - $((OUTER_HLEN + 12)))" \
	"$(gre_mtu 1400 12)" "$(mtu_of gm1)"

# The local end's address removed: nothing may leave from it (IPv4's route
# lookup refuses such a source, over IPv6 the module checks), and the
# tunnel works again once it is back. A second address keeps the prefix,
# so that the remote end stays reachable.
log "--- a local address that goes away"
ns_add b
ip link add veth0 netns "$(ns_name a)" type veth peer name veth0 netns "$(ns_name b)"
uaddr_add a "$UA/$UPLEN" veth0
uaddr_add b "$UB/$UPLEN" veth0
at a ip link set veth0 up
at b ip link set veth0 up
at a sysctl -qw net.ipv4.conf.veth0.promote_secondaries=1
uaddr_add a "$(uaddr 192.0.2.11)/$UPLEN" veth0
pair_up -4 "key 5" "key 5"
check "the tunnel passes traffic" ping4 a 10.9.0.2 2
at a ip addr del "$UA/$UPLEN" dev veth0
capture_start b veth0 "$TMP/gone.pcap"
no_route=$(reason a gt0 tx_no_route)
at a ping -c 3 -i 0.2 -W 1 10.9.0.2 >/dev/null 2>&1
capture_stop
check_eq "no GRE packet left from the removed address" 0 \
	"$(tcpdump -r "$TMP/gone.pcap" -n "src $UA" 2>/dev/null | wc -l)"
check "counted as no route (tx_no_route $no_route -> $(reason a gt0 tx_no_route))" \
	test "$(reason a gt0 tx_no_route)" -gt "$no_route"
uaddr_add a "$UA/$UPLEN" veth0
check "the address back: the tunnel passes traffic again" ping4 a 10.9.0.2 2
