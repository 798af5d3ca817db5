#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic through a pair of gretun tunnels: IPv4 and IPv6 inside, exact
# counters both ways, keys that match and keys that do not, tunnels that
# are down, sequence numbers, checksums, TTL and TOS on the wire, a non-IP
# ethertype, headers a receiver must refuse, and each drop counted under
# its reason (ethtool -S, the drop monitor). Over either underlay
# (GRETUN_UNDERLAY, lib.sh: UA and UB are 192.0.2.1 and .2 over IPv4).
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt0   local 192.0.2.1 remote .2       gt0   local 192.0.2.2 remote .1
#         10.9.0.1/30  fd00:9::1/64             10.9.0.2/30  fd00:9::2/64

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up

# wire FILE: the decoded GRE packets of a capture, sorted and counted.
wire() { gre_pcap.py "$1" | sed -E 's/ seq=[0-9]+//' | sort | uniq -c | awk '{$1=$1};1'; }

log "--- plain tunnel: IPv4 and IPv6 inside"
pair_up "" ""
check "IPv4 in GRE: a -> b" ping4 a 10.9.0.2 3
check "IPv6 in GRE: a -> b" ping6 a fd00:9::2 3
check "IPv4 in GRE: b -> a" ping4 b 10.9.0.1 3

log "--- exact counters after a known burst"
pair_down
pair_up -4 "" ""
tx_before=$(counter a gt0 tx_packets)
txb_before=$(counter a gt0 tx_bytes)
rx_before=$(counter b gt0 rx_packets)
rxb_before=$(counter b gt0 rx_bytes)
check "10 pings of 84 bytes" ping4 a 10.9.0.2 10
check "10 pings of 100 bytes" at a ping -c 10 -i 0.2 -W 2 -q -s 72 10.9.0.2
check_eq "a gt0 tx_packets +20" $((tx_before + 20)) "$(counter a gt0 tx_packets)"
check_eq "b gt0 rx_packets +20" $((rx_before + 20)) "$(counter b gt0 rx_packets)"
# 10 requests of 84 bytes (default) and 10 of 100 bytes, inner IPv4
check_eq "a gt0 tx_bytes +1840" $((txb_before + 1840)) "$(counter a gt0 tx_bytes)"
check_eq "b gt0 rx_bytes +1840" $((rxb_before + 1840)) "$(counter b gt0 rx_bytes)"
check_eq "b gt0 rx_errors 0" 0 "$(counter b gt0 rx_errors)"

log "--- TTL and TOS on the wire"
pair_down
pair_up -4 "ttl 33 tos 0x28" ""
capture_start b veth0 "$TMP/fixed.pcap"
ping4 a 10.9.0.2 2 >/dev/null
capture_stop
check_output "fixed ttl 33, tos 0x28, $(wire_df 1)" \
	"^2 ttl=33 tos=0x28 $(wire_df 1) ver=0 flags=- proto=0x0800\$" wire "$TMP/fixed.pcap"
pair_down
pair_up "ttl inherit tos inherit nopmtudisc" ""
capture_start b veth0 "$TMP/inherit.pcap"
at a ping -c 2 -i 0.2 -W 2 -q -t 17 -Q 0x48 10.9.0.2 >/dev/null
at a ping -6 -c 2 -i 0.2 -W 2 -q -t 19 -Q 0x20 fd00:9::2 >/dev/null
capture_stop
check_output "inherited from inner IPv4: ttl 17, tos 0x48" \
	"^2 ttl=17 tos=0x48 $(wire_df '[01]') ver=0 flags=- proto=0x0800\$" wire "$TMP/inherit.pcap"
check_output "inherited from inner IPv6: hop limit 19, tclass 0x20" \
	"^2 ttl=19 tos=0x20 $(wire_df 0) ver=0 flags=- proto=0x86dd\$" wire "$TMP/inherit.pcap"

log "--- keys"
pair_down
pair_up "key 42" "key 42"
capture_start b veth0 "$TMP/key.pcap"
check "matching keys pass IPv4" ping4 a 10.9.0.2 2
check "matching keys pass IPv6" ping6 a fd00:9::2 2
capture_stop
check_output "key 42 on the wire" '^2 ttl=64 .* flags=K proto=0x0800 key=42$' wire "$TMP/key.pcap"
pair_down
pair_up "ikey 1 okey 2" "ikey 2 okey 1"
check "ikey/okey crossed pass" ping4 a 10.9.0.2 2
pair_down
pair_up -4 "key 42" "key 43"
nt_before=$(drops b rx_no_tunnel)
rx_before=$(counter b gt0 rx_packets)
check_fail "mismatched keys pass nothing" ping4 a 10.9.0.2 3
check_eq "b gt0 received nothing" "$rx_before" "$(counter b gt0 rx_packets)"
check_eq "b counted 3 unmatched packets" $((nt_before + 3)) "$(drops b rx_no_tunnel)"
pair_down
pair_up -4 "key 42" ""
check_fail "keyed packets do not reach a keyless tunnel" ping4 a 10.9.0.2 2

log "--- a tunnel that is down takes nothing"
# b has a tunnel with local any that is up and a more specific one (local
# UB) that is down: packets go to the one that is up.
pair_down
pair_up -4 "key 42" ""
at b ip link del gt0
at b ip link add gt0 type gretun remote "$UA" key 42
at b ip addr add 10.9.0.2/30 dev gt0
at b ip link set gt0 up
at b ip link add gtd type gretun local "$UB" remote "$UA" key 42
rx_before=$(counter b gtd rx_packets)
check "the wildcard tunnel that is up receives" ping4 a 10.9.0.2 3
check_eq "the specific one that is down counts nothing" "$rx_before" \
	"$(counter b gtd rx_packets)"
at b ip link set gtd up
ping4 a 10.9.0.2 2 >/dev/null
check "once up, the specific one takes them" \
	test "$(counter b gtd rx_packets)" -ge $((rx_before + 2))
at b ip link del gtd

log "--- sequence numbers (RFC 2890)"
pair_down
pair_up -4 "seq" "seq"
capture_start b veth0 "$TMP/seq.pcap"
check "seq both ways" ping4 a 10.9.0.2 3
capture_stop
check_eq "sequence numbers count up from 0" "0 1 2" \
	"$(gre_pcap.py "$TMP/seq.pcap" | sed -nE 's/.*seq=([0-9]+).*/\1/p' | xargs)"
pair_down
pair_up -4 "" "iseq"
check_fail "iseq refuses packets without sequence numbers" ping4 a 10.9.0.2 2
check_eq "and counts them as rx_fifo_errors" 2 "$(counter b gt0 rx_fifo_errors)"
check_eq "under rx_seq_missing" 2 "$(reason b gt0 rx_seq_missing)"
pair_down
pair_up -4 "" "iseq"
inject() { at a gre_inject.py --to "$UB" --inner-src 10.9.0.1 --inner-dst 10.9.0.2 "$@"; }
rx_before=$(counter b gt0 rx_packets)
inject --seq 10
inject --seq 11
inject --seq 5
inject --seq 11
inject --seq 12
check_eq "in-order seq accepted (10, 11, 12)" $((rx_before + 3)) "$(counter b gt0 rx_packets)"
check_eq "old and repeated seq dropped (5, 11)" 2 "$(counter b gt0 rx_fifo_errors)"
check_eq "under rx_seq_old" 2 "$(reason b gt0 rx_seq_old)"
rx_before=$(counter b gt0 rx_packets)
inject --seq 2147483660
inject --seq 4294967295
inject --seq 0
check_eq "seq wraps around 2^32" $((rx_before + 3)) "$(counter b gt0 rx_packets)"
at b ip link set gt0 type gretun ttl 9
inject --seq 0
check_eq "a change of ttl keeps the window: 0 again is dropped" 3 \
	"$(reason b gt0 rx_seq_old)"
at b ip link set gt0 type gretun key 5
at b ip link set gt0 type gretun nokey
rx_before=$(counter b gt0 rx_packets)
inject --seq 0
check_eq "a change of key (another peer) starts afresh: 0 is accepted" \
	$((rx_before + 1)) "$(counter b gt0 rx_packets)"

log "--- checksums (RFC 2784)"
pair_down
pair_up "csum" "csum"
at a ethtool -K veth0 tx off >/dev/null
capture_start b veth0 "$TMP/csum.pcap"
check "csum both ways" ping4 a 10.9.0.2 2
check "csum with IPv6 inside" ping6 a fd00:9::2 2
capture_stop
check_output "checksums verify independently" \
	'^2 ttl=64 .* flags=C proto=0x0800 csum=ok$' wire "$TMP/csum.pcap"
check_output "checksums verify with IPv6 inside" \
	'^2 ttl=64 .* flags=C proto=0x86dd csum=ok$' wire "$TMP/csum.pcap"
check_fail "no checksum on the wire: none bad" grep -q csum=bad <(wire "$TMP/csum.pcap")
pair_down
pair_up -4 "" "icsum"
check_fail "icsum refuses packets without checksum" ping4 a 10.9.0.2 2
check_eq "and counts them as rx_crc_errors" 2 "$(counter b gt0 rx_crc_errors)"
check_eq "under rx_csum_missing" 2 "$(reason b gt0 rx_csum_missing)"
pair_down
pair_up -4 "" ""
rx_before=$(counter b gt0 rx_packets)
inject --csum bad
inject --csum good
check_eq "a bad checksum is dropped and counted" 1 "$(reason b gt0 rx_csum_bad)"
check_eq "as a receive error" 1 "$(counter b gt0 rx_errors)"
check_eq "a good unrequested checksum is accepted" $((rx_before + 1)) "$(counter b gt0 rx_packets)"

log "--- headers a receiver must refuse"
bh_before=$(drops b rx_bad_header)
rx_before=$(counter b gt0 rx_packets)
inject --flags 0x0001
inject --flags 0x4000
inject --flags 0x0800
inject --flags 0x0400
inject --truncate 3
inject --key 1 --truncate 6
check_eq "version 1, routing, strict route, recursion, short: 6 refused" \
	$((bh_before + 6)) "$(drops b rx_bad_header)"
inject --flags 0x0200
inject --flags 0x0008
check_eq "bits 6-12 are ignored (RFC 2784 2.3)" $((rx_before + 2)) "$(counter b gt0 rx_packets)"

log "--- any ethertype"
# A raw frame with a local experimental ethertype, sent on gt0 by packet
# socket: SOCK_RAW, as gt0 has no link header (SOCK_DGRAM would want an
# address as long as gt0's, 16 bytes over IPv6, more than sockaddr_ll holds).
send_raw() {
	at a python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.sendto(b"gretun-ethertype-test", ("gt0", 0x88B5, 0, 0, b""))'
}
capture_start b veth0 "$TMP/raw.pcap"
spawn b tcpdump --immediate-mode -i gt0 -n -c 1 -w "$TMP/inner.pcap"
inner_pid=$SPAWNED
sleep 1
send_raw
capture_stop
wait_for 5 bash -c "! kill -0 $inner_pid"
kill "$inner_pid" 2>/dev/null
check_output "ethertype 0x88b5 carried in GRE" 'proto=0x88b5' wire "$TMP/raw.pcap"
check_output "and delivered on b's gt0" 'gretun-ethertype-test' \
	bash -c "tcpdump -r '$TMP/inner.pcap' -A 2>/dev/null"

log "--- the drop monitor sees why"
inject_junk() {
	inject --key 999
	inject --flags 0x4000
	inject --csum bad
}
gretun_drops 'reason: SKB_CSUM' inject_junk >"$TMP/drops"
check_output "no tunnel for the key: NO_SOCKET in gretun_rcv" \
	'^NO_SOCKET gretun_rcv' cat "$TMP/drops"
check_output "a routing bit: INVALID_PROTO in gretun_rcv" \
	'^INVALID_PROTO gretun_rcv' cat "$TMP/drops"
check_output "a bad checksum: SKB_CSUM in the tunnel's receive" \
	'^SKB_CSUM gretun_(rx_drop|deliver|rcv)' cat "$TMP/drops"
check_output "ethtool -S lists every reason" \
	'rx_csum_bad:.*tx_no_route:.*icmp_err_relayed:' \
	bash -c "ip netns exec $(ns_name b) ethtool -S gt0 | paste -sd' '"
