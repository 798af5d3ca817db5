#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two LANs, IPv4 and IPv6, joined by a gretun tunnel across an IPv4-only
# transit that knows neither LAN (with GRETUN_UNDERLAY=6: an IPv6-only
# one): pings both ways, 20 MB of TCP each way arriving byte-identical,
# the tunnel as one traceroute hop, and nothing but keyed GRE in the
# transit's family on its wires. Topology: lib_lan2lan.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

MB=${LAN2LAN_MB:-20}

check "module loads" gretun_load
lan2lan_transit_up
lan2lan_tunnel_up
lan2lan_static_routes

# Both of the transit's wires, every frame, headers only, but an IPv6
# link's housekeeping (lib_lan2lan.sh's HOUSEKEEPING).
spawn T tcpdump --immediate-mode -i a0 -n -s 128 -U -w "$TMP/transit-a.pcap" \
	not "($HOUSEKEEPING)"
CAP_A=$SPAWNED
spawn T tcpdump --immediate-mode -i b0 -n -s 128 -U -w "$TMP/transit-b.pcap" \
	not "($HOUSEKEEPING)"
CAP_B=$SPAWNED
wait_for 5 test -s "$TMP/transit-a.pcap"
wait_for 5 test -s "$TMP/transit-b.pcap"

log "--- pings between the hosts of the two LANs"
check "ping hA -> hB" ping4 hA "$HOST_B4" 3
check "ping hB -> hA" ping4 hB "$HOST_A4" 3
check "ping6 hA -> hB" ping6 hA "$HOST_B6" 3
check "ping6 hB -> hA" ping6 hB "$HOST_A6" 3

log "--- $MB MB of TCP each way, compared by hash"
head -c "${MB}M" /dev/urandom >"$TMP/a.data"
head -c "${MB}M" /dev/urandom >"$TMP/b.data"

check "TCP over IPv6 hA -> hB: $MB MB identical" \
	transfer hA hB "[$HOST_B6]" "$TMP/a.data"
check "TCP over IPv6 hB -> hA: $MB MB identical" \
	transfer hB hA "[$HOST_A6]" "$TMP/b.data"
check "TCP over IPv4 hA -> hB: $MB MB identical" \
	transfer hA hB "$HOST_B4" "$TMP/a.data"
check "TCP over IPv4 hB -> hA: $MB MB identical" \
	transfer hB hA "$HOST_A4" "$TMP/b.data"
rm -f "$TMP/a.data" "$TMP/b.data" "$TMP/received"

log "--- the tunnel is one hop"
# hops FAMILY CMD...: the addresses a traceroute printed, one per line.
hops() { "$@" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $2 }' | paste -sd' '; }

check_eq "traceroute hA -> hB: rA, rB's tunnel end, hB" \
	"10.1.1.1 $TUN_B4 $HOST_B4" \
	"$(hops at hA traceroute -n -q 1 -N 1 -w 2 -m 6 "$HOST_B4")"
check_eq "traceroute -6 hA -> hB: rA, rB's tunnel end, hB" \
	"2001:db8:1::1 $TUN_B6 $HOST_B6" \
	"$(hops at hA traceroute -6 -n -q 1 -N 1 -w 2 -m 6 "$HOST_B6")"
tp=$(at hA tracepath -6 -n -m 6 "$HOST_B6" 2>&1)
check_output "tracepath -6 reaches hB in 3 hops" "Resume: pmtu [0-9]+ hops 3 back" \
	echo "$tp"
check_output "tracepath -6 learns the tunnel's MTU (the 1500 underlay's less GRE with key)" \
	"pmtu $(gre_mtu 1500 8)" echo "$tp"

kill "$CAP_A" "$CAP_B" 2>/dev/null
wait "$CAP_A" "$CAP_B" 2>/dev/null

log "--- what the transit saw and knows"
# Every frame on the transit, classified: GRE lines reduced to what must
# be constant (TTL 64 as sent or 63 once T forwarded it; version, flags,
# key; the inner type shows both families).
transit() {
	gre_pcap.py -a "$1" | sed -E 's/ (tos|df|el|seq)=[^ ]+//g' |
		sort | uniq -c | awk '{ $1 = $1 } 1'
}
for side in a b; do
	seen=$(transit "$TMP/transit-$side.pcap")
	log "transit wire ${side}0:"
	printf '%s\n' "$seen" | sed 's/^/#   /'
	check_fail "transit wire ${side}0: nothing but GRE in IPv$UNDERLAY with key $TUN_KEY" \
		grep -vE "^[0-9]+ ttl=6[34] ver=0 flags=K proto=0x(0800|86dd) key=$TUN_KEY\$" <<<"$seen"
	check_output "transit wire ${side}0: IPv4 inside" \
		"^[0-9]{4,} ttl=6[34] ver=0 flags=K proto=0x0800 key=$TUN_KEY\$" echo "$seen"
	check_output "transit wire ${side}0: IPv6 inside" \
		"^[0-9]{4,} ttl=6[34] ver=0 flags=K proto=0x86dd key=$TUN_KEY\$" echo "$seen"
done

if [ "$UNDERLAY" = 6 ]; then
	check_output "the transit does not forward IPv4" "^0$" \
		at T cat /proc/sys/net/ipv4/ip_forward
	check_eq "the transit has no IPv4 address" "" \
		"$(at T ip -4 -o addr show scope global)"
	check_eq "the transit's routes are its two links only" \
		"$WAN_NET_A $WAN_NET_B" \
		"$(at T ip -6 route show | awk '$1 !~ /^(fe80|multicast|ff)/ { print $1 }' | sort | paste -sd' ')"
else
	check_output "the transit has no IPv6" "^1$" \
		at T cat /proc/sys/net/ipv6/conf/all/disable_ipv6
	check_eq "the transit's routes are its two links only" \
		"$WAN_NET_A $WAN_NET_B" \
		"$(at T ip -4 route show | awk '{ print $1 }' | sort | paste -sd' ')"
fi
check_fail "the transit has no route to LAN B" at T ip route get "$HOST_B4"
check_fail "the transit has no route to LAN A" at T ip route get "$HOST_A4"
check_fail "the transit has no IPv6 route to LAN B" at T ip -6 route get "$HOST_B6"
check_fail "the transit has no IPv6 route to LAN A" at T ip -6 route get "$HOST_A6"

check_eq "rA gt0: no transmit errors" 0 "$(counter rA gt0 tx_errors)"
check_eq "rB gt0: no receive errors" 0 "$(counter rB gt0 rx_errors)"
