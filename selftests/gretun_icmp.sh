#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors about our outer packets, from the transit and from anyone.
# With the TTL inherited (the default), "time exceeded" from the transit
# only says an inner packet's own TTL ran out (a traceroute probe): it
# must not fail the traffic that follows. An error quoting a packet that
# is not a GRE packet one of our tunnels sent (another protocol, another
# key, a header cut short, garbage) changes no route and is counted.
# Over either underlay (GRETUN_UNDERLAY): over IPv6 the errors are
# ICMPv6's, and quote the encapsulation limit option before GRE.
#
#  hA -- rA ==gt0== T ==gt0== rB -- hB     (lib_lan2lan.sh; gt0: key 4242)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/lib_lan2lan.sh
source "$(dirname "$0")/lib_lan2lan.sh"

check "module loads" gretun_load
lan2lan_transit_up
at T sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
lan2lan_tunnel_up key "$TUN_KEY"
lan2lan_static_routes
head -c 64K /dev/urandom >"$TMP/data"

log "--- ttl inherit: a traceroute is not an outage"
check "the tunnel works" ping4 hA "$HOST_B4" 2
at hA traceroute -n -q 1 -w 1 -m 4 "$HOST_B4" >"$TMP/tr" 2>&1
check "the transit answered probes that expired in it" \
	test "$(reason rA gt0 icmp_err_ignored)" -ge 1
check_eq "nothing noted to pass on" 0 "$(reason rA gt0 icmp_err_noted)"
check "TCP right after the traceroute connects" \
	transfer hA hB "$HOST_B4" "$TMP/data"
check "and over IPv6" transfer hA hB "[$HOST_B6]" "$TMP/data"
check_eq "no inner sender was told unreachable" 0 \
	"$(reason rA gt0 icmp_err_relayed)"

# The messages below in the underlay's ICMP: time exceeded, destination
# unreachable (host, address), and MTUs a path may lower to (IPv6 keeps
# none below 1280).
if [ "$UNDERLAY" = 6 ]; then
	TIME_EXCEEDED="--type 3 --code 0" HOST_UNREACH="--type 1 --code 3"
	MTU1=1400 MTU2=1300
else
	TIME_EXCEEDED="--type 11 --code 0" HOST_UNREACH="--type 3 --code 1"
	MTU1=1200 MTU2=1100
fi

# err OPTIONS...: one ICMP error from the transit to rA about a packet
# from rA's end of the tunnel to rB's (default: fragmentation needed,
# ICMPv6 packet too big).
err() {
	at T icmp_inject.py --to "$WAN_A" --quote-src "$WAN_A" \
		--quote-dst "$WAN_B" "$@"
}
route_mtu() {
	at rA ip route get "$WAN_B" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}
ignored_before=$(reason rA gt0 icmp_err_ignored)
# shellcheck disable=SC2086 # options are words
err $TIME_EXCEEDED --key "$TUN_KEY"
check_eq "a spoofed time exceeded is ignored under ttl inherit" \
	$((ignored_before + 1)) "$(reason rA gt0 icmp_err_ignored)"
check "and TCP still connects" transfer hA hB "$HOST_B4" "$TMP/data"

log "--- errors that do not quote a packet of ours change nothing"
nt_before=$(drops rA icmp_no_tunnel)
# These two never reach gretun: the quote is of another protocol (one
# without a handler: UDP's would learn the MTU itself), or shorter than
# the IP header and 8 bytes that ICMP itself insists on (ICMPv6: the
# IPv6 header).
err --mtu "$MTU1" --proto 253
err --mtu "$MTU1" --key "$TUN_KEY" --quote-len 10
# These do, and match none of our tunnels: another key, no key, a key
# beyond the quote (after a checksum field), a routing bit, a redirect
# (IPv4 only: IPv6's are neighbour discovery's) and an unreachable for
# another key.
err --mtu "$MTU1" --key 999
err --mtu "$MTU1"
err --mtu "$MTU1" --key "$TUN_KEY" --gre-flags 0x8000 --quote-len $((OUTER_HLEN + 8))
err --mtu "$MTU1" --key "$TUN_KEY" --gre-flags 0x4000
unmatched=5
if [ "$UNDERLAY" = 4 ]; then
	err --type 5 --code 1 --gateway 192.0.2.3 --key 999
	unmatched=6
fi
# shellcheck disable=SC2086 # options are words
err $HOST_UNREACH --key 999
check_eq "$unmatched errors that match no tunnel: counted" $((nt_before + unmatched)) \
	"$(drops rA icmp_no_tunnel)"
check_eq "no route learned an MTU" "" "$(route_mtu)"
if [ "$UNDERLAY" = 4 ]; then
	check_output "no route was redirected" "via 192.0.2.2 " \
		at rA ip route get "$WAN_B"
fi
check_eq "nothing noted against the tunnel" 0 "$(reason rA gt0 icmp_err_noted)"
check "the tunnel still works" ping4 hA "$HOST_B4" 2
err --mtu "$MTU1" --key "$TUN_KEY"
check_eq "the same error quoting our packet lowers the MTU" "$MTU1" "$(route_mtu)"
check_eq "and is counted" 1 "$(reason rA gt0 icmp_pmtu)"
at rA ip link set gt0 type gretun ikey "$TUN_KEY" okey 77
err --mtu "$MTU2" --key 77
check_eq "a tunnel whose okey differs from its ikey is found by its okey" \
	"$MTU2" "$(route_mtu)"
