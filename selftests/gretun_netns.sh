#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A tunnel whose device lives in another namespace than its underlay:
# made there with `ip link add ... netns X` or moved with `ip link set ...
# netns X`, it encapsulates and decapsulates in the namespace where it was
# created, shows that namespace as link-netns, and goes cleanly when
# either namespace is deleted. Over either underlay (GRETUN_UNDERLAY).
#
#   ns a (underlay)                            ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   ns x: gt0 (key 5, made from a with netns x) and gt1 (key 6, moved)
#         10.5.0.1/30, 10.6.0.1/30            gt0 10.5.0.2/30, gt1 10.6.0.2/30

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up
ns_add x
X=$(ns_name x)

peer_tunnel() {
	at b ip link add "$1" type gretun local "$UB" remote "$UA" key "$2"
	at b ip addr add "$3/30" dev "$1"
	at b ip link set "$1" up
}
peer_tunnel gt0 5 10.5.0.2
peer_tunnel gt1 6 10.6.0.2

log "--- made in a, living in x"
check "ip link add ... netns x (run in a)" \
	at a ip link add gt0 netns "$X" type gretun local "$UA" remote "$UB" key 5
at x ip addr add 10.5.0.1/30 dev gt0
at x ip link set gt0 up
check_fail "no such device in a" at a ip link show gt0
check "x -> b through the tunnel" ping4 x 10.5.0.2 2
check "b -> x through the tunnel" ping4 b 10.5.0.1 2
check_output "ip -d link in x shows the link namespace" "link-netns(id)? " \
	at x ip -d link show gt0

log "--- made in a, moved to x"
at a ip link add gt1 type gretun local "$UA" remote "$UB" key 6
at a ip link set gt1 netns "$X"
at x ip addr add 10.6.0.1/30 dev gt1
at x ip link set gt1 up
check "x -> b through the moved tunnel" ping4 x 10.6.0.2 2
check "b -> x through the moved tunnel" ping4 b 10.6.0.1 2
check_fail "x itself has no way to b: the outer packets went from a" \
	at x ping -c 1 -W 1 -q "$UB"

log "--- deleting the namespace the devices live in"
ip netns del "$X"
before=$(drops a rx_no_tunnel)
check_fail "b -> x now gets no answer" ping4 b 10.5.0.1 2
check "a has no tunnel left: those packets are counted as unowned" \
	test "$(drops a rx_no_tunnel)" -ge $((before + 2))
check "the same tunnel can be made again in a" \
	at a ip link add gt0 type gretun local "$UA" remote "$UB" key 5
at a ip addr add 10.5.0.1/30 dev gt0
at a ip link set gt0 up
check "and passes traffic" ping4 a 10.5.0.2 2

log "--- deleting the underlay namespace"
ns_add y
at a ip link add gt2 netns "$(ns_name y)" type gretun local "$UA" \
	remote "$UB" key 7
check "the tunnel is in y" at y ip link show gt2
ip netns del "$(ns_name a)"
check "it goes with its underlay namespace" \
	wait_for 10 bash -c "! ip netns exec $(ns_name y) ip link show gt2 2>/dev/null"
