#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TTL, DSCP and ECN on both sides of the tunnel. Outer TTL fixed or
# inherited (the default, as for type gre) from either inner family; DSCP
# fixed or copied; ECN per RFC 6040: the outer field copies the inner one
# (CE included), and on receive CE in the outer header reaches the inner
# one, except over a not-ECT inner packet, which is dropped and counted;
# the mark never reaches a capture's copy of the packet. A packet that is
# neither IPv4 nor IPv6 has no TTL or DS field to inherit, whatever its
# bytes say. Over either underlay (GRETUN_UNDERLAY): over IPv6 the
# outer TTL is the hop limit, the outer TOS the traffic class.
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt0   local 192.0.2.1 remote .2       gt0   local 192.0.2.2 remote .1
#         10.9.0.1/30  fd00:9::1/64             10.9.0.2/30  fd00:9::2/64

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up

# outer PING_ARGS...: ttl and tos of the GRE packets one ping a -> b sent.
# Its 300-byte payload tells it from the tunnel's own small IPv6 packets
# (MLD reports, router solicitations).
outer() {
	capture_start b veth0 "$TMP/o.pcap"
	at a ping -c 1 -W 2 -q -s 300 "$@" >/dev/null
	capture_stop
	# shellcheck disable=SC2016 # awk's own fields
	gre_pcap.py -s "$TMP/o.pcap" |
		awk 'substr($2, 5) + 0 > 300 { print $3, $4 }' | sort -u | paste -sd' '
}

log "--- outer TTL"
pair_up "" ""
check_eq "default: inherited from inner IPv4 (ttl 17)" "ttl=17 tos=0x0" \
	"$(outer -t 17 10.9.0.2)"
check_eq "default: inherited from inner IPv6 (hop limit 23)" "ttl=23 tos=0x0" \
	"$(outer -6 -t 23 fd00:9::2)"
check_output "and shown as type gre (ip6gre) shows it" "$(hop_word) inherit" \
	at a ip -d link show gt0
pair_down
pair_up "ttl 70" ""
check_eq "fixed 70 over inner IPv4" "ttl=70 tos=0x0" "$(outer -t 17 10.9.0.2)"
check_eq "fixed 70 over inner IPv6" "ttl=70 tos=0x0" "$(outer -6 -t 23 fd00:9::2)"

log "--- DSCP and ECN on encapsulation"
pair_down
pair_up "ttl 64 tos inherit" ""
check_eq "inherit: DSCP EF and ECT(1) copied from IPv4" "ttl=64 tos=0xb9" \
	"$(outer -Q 0xb9 10.9.0.2)"
check_eq "inherit: CE copied from IPv4" "ttl=64 tos=0x3" \
	"$(outer -Q 0x03 10.9.0.2)"
check_eq "inherit: traffic class 0x48 + ECT(0) copied from IPv6" "ttl=64 tos=0x4a" \
	"$(outer -6 -Q 0x4a fd00:9::2)"
pair_down
pair_up "ttl 64 tos 0x28" ""
check_eq "fixed DSCP, not-ECT inner: not-ECT outer" "ttl=64 tos=0x28" \
	"$(outer -Q 0xb8 10.9.0.2)"
check_eq "fixed DSCP, ECT(0) inner: ECT(0) outer" "ttl=64 tos=0x2a" \
	"$(outer -Q 0x02 10.9.0.2)"
check_eq "fixed DSCP, CE inner: CE outer" "ttl=64 tos=0x2b" \
	"$(outer -Q 0x03 10.9.0.2)"
check_eq "fixed DSCP, IPv6 ECT(1) inner: ECT(1) outer" "ttl=64 tos=0x29" \
	"$(outer -6 -Q 0x01 fd00:9::2)"

log "--- ECN on decapsulation (RFC 6040 section 4.2)"
pair_down
pair_up -4 "" ""

# decap OUTER_TOS INNER_TOS: inject one GRE packet a -> b; print the TOS
# of the inner packet as it left b's gt0, or "dropped".
decap() {
	local pid

	spawn b tcpdump --immediate-mode -i gt0 -Q in -n -c 1 -w "$TMP/i.pcap" icmp
	pid=$SPAWNED
	wait_for 5 test -e "$TMP/i.pcap"
	sleep 0.3
	at a gre_inject.py --to "$UB" --inner-src 10.9.0.1 \
		--inner-dst 10.9.0.2 --outer-tos "$1" --inner-tos "$2"
	sleep 1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	tcpdump -r "$TMP/i.pcap" -n -v 2>/dev/null |
		sed -n 's/.*(tos \(0x[0-9a-f]*\).*/\1/p' | head -n 1 | grep . ||
		echo dropped
	rm -f "$TMP/i.pcap"
}

frame_before=$(counter b gt0 rx_frame_errors)
check_eq "outer CE, inner ECT(0): inner becomes CE" 0x3 "$(decap 0x03 0x02)"
check_eq "outer CE, inner ECT(1): inner becomes CE" 0x3 "$(decap 0x03 0x01)"
check_eq "outer CE, DSCP kept: inner 0xb8+ECT(0) becomes 0xbb" 0xbb "$(decap 0x03 0xba)"
check_eq "outer ECT(0), inner not-ECT: stays not-ECT" 0x0 "$(decap 0x02 0x00)"
check_eq "outer ECT(1), inner ECT(0): ECT(1) propagated" 0x1 "$(decap 0x01 0x02)"
check_eq "outer not-ECT, inner CE: stays CE" 0x3 "$(decap 0x00 0x03)"
check_eq "no drops so far" "$frame_before" "$(counter b gt0 rx_frame_errors)"
check_eq "outer CE, inner not-ECT: dropped" dropped "$(decap 0x03 0x00)"
check_eq "and counted in rx_frame_errors" $((frame_before + 1)) \
	"$(counter b gt0 rx_frame_errors)"
check_eq "and under rx_ecn_ce_not_ect" 1 "$(reason b gt0 rx_ecn_ce_not_ect)"

log "--- marking CE does not write into a capture's copy"
at b bash -c "gre_peek.py veth0 10 >'$TMP/peek' 2>'$TMP/peek.err'" &
peek=$!
wait_for 5 grep -q ready "$TMP/peek.err"
check_eq "the inner packet left gt0 marked CE" 0x3 "$(decap 0x03 0x02)"
wait "$peek"
check_eq "while the capture's copy kept ECT(0)" 0x2 "$(cat "$TMP/peek")"

log "--- a non-IP packet inherits no TTL or DS field"
pair_down
pair_up -4 "tos inherit" ""
# 0x8100 (VLAN) with bytes that would read as TOS 0xb8 and TTL 5 if taken
# for an IPv4 header, and as IPv4 (0x0800) at the VLAN header's place.
capture_start b veth0 "$TMP/vlan.pcap"
at a python3 -c '
import socket
p = bytearray(20)
p[0], p[1], p[8], p[16], p[17] = 0x45, 0xb8, 5, 0x08, 0x00
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)  # see gretun_traffic.sh
s.sendto(bytes(p), ("gt0", 0x8100, 0, 0, b""))'
capture_stop
check_output "outer TTL from the route, no DS field" \
	'ttl=64 tos=0x0 .*proto=0x8100' gre_pcap.py "$TMP/vlan.pcap"
