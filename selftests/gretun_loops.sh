#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Recursion: routes that send a tunnel's own outer packets back into the
# tunnel, directly or through another tunnel (also with sequence numbers,
# whose packets wait in line and are sent later), must end in a counted
# drop at the nesting limit, not a hang, a stack overflow or a splat.
# Tunnels nested on purpose (GRE in GRE) still work. Over either underlay
# (GRETUN_UNDERLAY); the tunnel nested on purpose is over IPv4 inside.
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt0/gt1: each one's remote routed into the other (a loop)
#   go (outer, key 10) 10.10.0.1/30 ======= go 10.10.0.2/30
#   gi (inner, key 11, over go) 10.11.0.1/30 ======= gi 10.11.0.2/30

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up

# loop_pair OPTIONS: gt0 and gt1 in a, each routed into the other.
loop_pair() {
	at a ip link del gt0 2>/dev/null
	at a ip link del gt1 2>/dev/null
	# shellcheck disable=SC2086 # options are words
	at a ip link add gt0 type gretun local "$UA" remote "$(uaddr 198.18.0.1)" $1
	# shellcheck disable=SC2086
	at a ip link add gt1 type gretun local "$UA" remote "$(uaddr 198.18.0.2)" $1
	# No IPv6 of their own; over an IPv6 underlay they need it to carry
	# outer packets (IPv6 drops what a disabled device would send).
	[ "$UNDERLAY" = 6 ] || at a sysctl -qw net.ipv6.conf.gt0.disable_ipv6=1 \
		net.ipv6.conf.gt1.disable_ipv6=1
	at a ip addr add 10.7.0.1/30 dev gt0
	at a ip link set gt0 up
	at a ip link set gt1 up
	at a ip route add "$(uaddr 198.18.0.1)/$UHOST" dev gt1
	at a ip route add "$(uaddr 198.18.0.2)/$UHOST" dev gt0
}

drops_in_loop() {
	echo $(($(counter a gt0 collisions) + $(counter a gt1 collisions)))
}

for opts in "" "seq" "key 5 seq csum"; do
	log "--- two tunnels routed into each other ($opts)"
	loop_pair "$opts"
	check_fail "ping into the loop gets no answer" \
		timeout 20 ip netns exec "$(ns_name a)" ping -c 3 -i 0.2 -W 1 -q 10.7.0.2
	check "the loop's drops are counted ($(drops_in_loop))" \
		test "$(drops_in_loop)" -ge 3
	check_output "and named in dmesg" \
		"gre_tun: gt[01]: tunnels nested 5 deep" \
		bash -c "dmesg | tail -n 50"
	check "the namespace still answers" at a ping -c 1 -W 2 -q "$UB"
done

log "--- a tunnel routed into itself"
at a ip link add gt2 type gretun local "$UA" remote "$(uaddr 198.18.0.3)"
[ "$UNDERLAY" = 6 ] || at a sysctl -qw net.ipv6.conf.gt2.disable_ipv6=1
at a ip addr add 10.7.2.1/30 dev gt2
at a ip link set gt2 up
at a ip route add "$(uaddr 198.18.0.3)/$UHOST" dev gt2
before=$(counter a gt2 collisions)
check_fail "ping into it gets no answer" ping4 a 10.7.2.2 2
check "each packet counted in collisions" \
	test "$(counter a gt2 collisions)" -ge $((before + 2))

log "--- GRE in GRE on purpose still works"
for ns in a b; do
	if [ "$ns" = a ]; then me=1 peer=2; else me=2 peer=1; fi
	at "$ns" ip link add go type gretun local "$(uaddr "192.0.2.$me")" \
		remote "$(uaddr "192.0.2.$peer")" key 10
	at "$ns" ip addr add "10.10.0.$me/30" dev go
	at "$ns" ip link set go up
	at "$ns" ip link add gi type gretun local "10.10.0.$me" \
		remote "10.10.0.$peer" key 11 seq
	at "$ns" ip addr add "10.11.0.$me/30" dev gi
	at "$ns" ip link set gi up
done
check "ping through the inner tunnel" ping4 a 10.11.0.2 3
check_eq "no transmit errors on the inner tunnel" 0 "$(counter a gi tx_errors)"
check "and the outer tunnel sent packets" test "$(counter a go tx_packets)" -ge 3
