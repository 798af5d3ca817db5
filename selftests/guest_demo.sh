#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make demo`: the LAN-to-LAN scenario of lib_lan2lan.sh,
# told as a short story. Every step is also a check; the exit status is 0
# only if all of them passed and the kernel stayed healthy.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

title() { printf '\n== %s\n' "$*"; }

# step NAME CMD...: like check, but CMD's output is part of the story.
step() {
	local name=$1

	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name"
	fi
}

# show NS CMD...: print the command as typed on NS, then its output.
show() {
	local ns=$1

	shift
	printf '  %s# %s\n' "$ns" "$*"
	at "$ns" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

if [ "$UNDERLAY" = 6 ]; then
	cat <<'EOF'
gretun demo, mirrored: two offices with IPv4 (and IPv6) LANs, joined by a
GRE tunnel across a transit network that carries IPv6 only (IPv4 is off
there) and knows neither LAN.

  hA ---- rA ====== gt0: GRE over IPv6, key 4242 ====== rB ---- hB
  LAN A   router A        (through transit router T)   router B   LAN B
  10.1.1.0/24 2001:db8:1::/64                 10.2.2.0/24 2001:db8:2::/64
EOF
else
	cat <<'EOF'
gretun demo: two offices with IPv6 (and IPv4) LANs, joined by a GRE tunnel
across a transit network that carries IPv4 only and knows neither LAN.

  hA ---- rA ====== gt0: GRE over IPv4, key 4242 ====== rB ---- hB
  LAN A   router A        (through transit router T)   router B   LAN B
  2001:db8:1::/64 10.1.1.0/24                 2001:db8:2::/64 10.2.2.0/24
EOF
fi

check "gre_tun loads" gretun_load
lan2lan_transit_up

title "1. The tunnel, as configured on each router"
LAN2LAN_SHOW=1 lan2lan_tunnel_up
LAN2LAN_SHOW=1 lan2lan_static_routes

# From here on: until both ends existed, the first one's packets were
# refused by the other (ICMP protocol unreachable), as they should be.
spawn T tcpdump --immediate-mode -i a0 -n -s 200 -U -w "$TMP/transit.pcap" \
	not "($HOUSEKEEPING)"
CAPTURE=$SPAWNED
stop_capture() { kill "$CAPTURE" 2>/dev/null; wait "$CAPTURE" 2>/dev/null || true; }
on_exit stop_capture
wait_for 5 test -s "$TMP/transit.pcap"

title "2. What the kernel made of it"
show rA ip -d link show gt0

if [ "$UNDERLAY" = 6 ]; then
	title "3. ping from a host on LAN A to a host on LAN B"
	step "ping hA -> hB" show hA ping -c 3 -i 0.3 "$HOST_B4"
	step "ping6 hA -> hB (IPv6 too)" show hA ping -6 -c 2 -i 0.3 -q "$HOST_B6"

	title "4. traceroute: the tunnel is one hop, the transit is invisible"
	step "traceroute hA -> hB" \
		show hA traceroute -n -q 1 -N 1 -w 2 -m 5 "$HOST_B4"
else
	title "3. ping6 from a host on LAN A to a host on LAN B"
	step "ping6 hA -> hB" show hA ping -6 -c 3 -i 0.3 "$HOST_B6"
	step "ping hA -> hB (IPv4 too)" show hA ping -c 2 -i 0.3 -q "$HOST_B4"

	title "4. traceroute: the tunnel is one hop, the transit is invisible"
	step "traceroute -6 hA -> hB" \
		show hA traceroute -6 -n -q 1 -N 1 -w 2 -m 5 "$HOST_B6"
fi

stop_capture
title "5. What transit router T saw on its link to router A (tcpdump -v)"
if [ "$UNDERLAY" = 6 ]; then
	printf '  only IPv6 with the encapsulation limit option, then GRE with key 4242;\n'
	printf '  inside, the LANs'\'' packets\n'
	# 40 bytes of IPv6, 8 of the option, 8 of GRE with a key: the inner
	# IPv4 header starts 56 bytes in, its protocol at 65, the ICMP type
	# at 76 (echo: 8, 0).
	step "T saw GRE carrying IPv4" show T tcpdump -r "$TMP/transit.pcap" -n -v -c 4 \
		'ip6[6] = 60 and ip6[40] = 47 and ip6[65] = 1 and (ip6[76] = 8 or ip6[76] = 0)'
	check_output "T forwards no IPv4" '^0$' at T cat /proc/sys/net/ipv4/ip_forward
else
	printf '  only IPv4 protocol 47 (GRE) with key 4242; inside, the LANs'\'' packets\n'
	# GRE with a key is 8 bytes: the inner IPv6 header starts 28 bytes in,
	# its next-header field at 34, the ICMPv6 type at 68 (echo: 128, 129).
	step "T saw GRE carrying IPv6" show T tcpdump -r "$TMP/transit.pcap" -n -v -c 4 \
		'ip proto 47 and ip[34] = 58 and (ip[68] = 128 or ip[68] = 129)'
fi
check_fail "T saw nothing but GRE" bash -c \
	"tcpdump -r '$TMP/transit.pcap' -n 'not ($GRE_FILTER)' 2>/dev/null | grep ."
check_fail "T has no route to LAN B" at T ip route get "$HOST_B4"
check_fail "T has no IPv6 route to LAN B" at T ip -6 route get "$HOST_B6"

title "6. The tunnel's counters on router A"
show rA ip -s link show gt0
check_eq "no transmit errors on rA gt0" 0 "$(counter rA gt0 tx_errors)"
check_eq "no receive errors on rB gt0" 0 "$(counter rB gt0 rx_errors)"
echo
