#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A routing daemon over the tunnel: bird2 on both routers runs OSPFv2 and
# OSPFv3 over gt0 (hellos to 224.0.0.5 and ff02::5 through the tunnel) and
# learns the other LAN's prefixes; taking the tunnel down withdraws them,
# bringing it up brings them back. Topology: lib_lan2lan.sh, no static
# routes.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

command -v bird >/dev/null || skip "bird2 is not installed"

check "module loads" gretun_load
lan2lan_transit_up
lan2lan_tunnel_up
link_type=gre
[ "$UNDERLAY" = 4 ] || link_type=gre6
check_output "the tunnel crosses the IPv$UNDERLAY transit" "link/$link_type $WAN_A peer $WAN_B" \
	at rA ip link show gt0

# bird_conf ROUTER_ID: OSPFv2 and OSPFv3 on gt0, the LAN as a stub.
bird_conf() {
	local ospf

	printf 'router id %s;\n' "$1"
	printf 'protocol device { scan time 1; }\n'
	printf 'protocol kernel k4 { ipv4 { export all; }; }\n'
	printf 'protocol kernel k6 { ipv6 { export all; }; }\n'
	for ospf in "v2 o4 ipv4" "v3 o6 ipv6"; do
		# shellcheck disable=SC2086 # version, name and channel
		set -- $ospf
		cat <<-EOF
		protocol ospf $1 $2 {
			$3 { import all; export none; };
			area 0 {
				interface "gt0" { type ptp; hello 1; dead 3; };
				interface "lan0" { stub yes; };
			};
		}
		EOF
	done
}

BIRD_PIDS=()

bird_start() {
	bird_conf "$2" >"$TMP/bird-$1.conf"
	spawn "$1" bird -f -c "$TMP/bird-$1.conf" -s "$TMP/bird-$1.ctl"
	BIRD_PIDS+=("$SPAWNED")
}

bird_stop() {
	kill "${BIRD_PIDS[@]}" 2>/dev/null
	wait "${BIRD_PIDS[@]}" 2>/dev/null || true
}

# learned NS PREFIX: the kernel has a route to PREFIX that bird put there.
learned() {
	local family=-4

	case $2 in *:*) family=-6 ;; esac
	at "$1" ip "$family" route show proto bird "$2" | grep -q .
}

# all_learned: each router has the other LAN, in both families.
all_learned() {
	learned rA "$LAN_B4" && learned rA "$LAN_B6" &&
		learned rB "$LAN_A4" && learned rB "$LAN_A6"
}

none_learned() {
	! learned rA "$LAN_B4" && ! learned rA "$LAN_B6" &&
		! learned rB "$LAN_A4" && ! learned rB "$LAN_A6"
}

show_birds() {
	local r

	for r in rA rB; do
		log "$r:"
		at "$r" birdc -s "$TMP/bird-$r.ctl" show ospf neighbors 2>&1 |
			sed 's/^/#   /'
		at "$r" ip route show proto bird | sed 's/^/#   /'
		at "$r" ip -6 route show proto bird | sed 's/^/#   /'
	done
}

log "--- OSPF learns each LAN through the tunnel"
check "no route to the other LAN before OSPF" none_learned
bird_start rA 10.255.0.1
bird_start rB 10.255.0.2
on_exit bird_stop
check "both routers learn the other LAN, IPv4 and IPv6" wait_for 60 all_learned
show_birds
check "ping hA -> hB over learned routes" ping4 hA "$HOST_B4" 3
check "ping6 hA -> hB over learned routes" ping6 hA "$HOST_B6" 3
check_output "rA: OSPFv2 neighbour rB is Full" "10\.255\.0\.2 .*Full" \
	at rA birdc -s "$TMP/bird-rA.ctl" show ospf neighbors o4
check_output "rA: OSPFv3 neighbour rB is Full" "10\.255\.0\.2 .*Full" \
	at rA birdc -s "$TMP/bird-rA.ctl" show ospf neighbors o6
# hello GROUP: one OSPF packet from rA to GROUP, seen arriving on rB's gt0.
hello() {
	at rB timeout 10 tcpdump -i gt0 -Q in -t -n -c 1 dst "$1" 2>/dev/null
}
check_output "rB gt0 receives OSPFv2 hellos to 224.0.0.5" \
	"IP $TUN_A4 > 224\.0\.0\.5: OSPFv2, Hello" hello 224.0.0.5
check_output "rB gt0 receives OSPFv3 hellos to ff02::5" \
	"IP6 fe80::[0-9a-f:]+ > ff02::5: OSPFv3, Hello" hello ff02::5

log "--- tunnel down: the routes are withdrawn"
at rA ip link set gt0 down
check "both routers withdraw the other LAN" wait_for 30 none_learned
check_fail "ping hA -> hB fails" ping4 hA "$HOST_B4" 1
check_fail "ping6 hA -> hB fails" ping6 hA "$HOST_B6" 1

log "--- tunnel up: the routes come back"
at rA ip link set gt0 up
check "both routers learn the other LAN again" wait_for 60 all_learned
show_birds
check "ping hA -> hB again" ping4 hA "$HOST_B4" 3
check "ping6 hB -> hA again" ping6 hB "$HOST_A6" 3
