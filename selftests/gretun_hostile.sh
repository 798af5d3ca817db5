#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input, while a ping flows through the tunnel gt0 the whole time:
# every GRE flag and version, headers cut at every byte, bad and missing
# checksums, keys that match nothing, sequence edge cases, unknown inner
# protocols, inner headers that lie, outer fragments and options, GRE 20
# deep, broadcast and multicast outer addresses, ICMP errors quoting junk
# (which must change no route), the drop reasons seen by the drop monitor,
# and netlink messages no `ip` would send. For each family of packets: the
# exact counter that must move, nothing else moved, nothing delivered that
# must not be; at the end the ping lost nothing and the kernel is healthy.
#
# Hand-made packets come from gre_hostile.py, as frames on the veth:
# a -> b for what b's tunnels must judge, b -> a for ICMP errors that the
# transit router b sends about a's outer packets.
#
# Over either underlay (GRETUN_UNDERLAY; addresses below are lib.sh's uaddr
# of them over IPv6): the outer header's own hostile cases are each IP
# version's (fragments, options or extension headers, broadcast or
# multicast, ICMP or ICMPv6 errors and redirects). The netlink half runs
# over IPv4 only: its messages do not depend on the underlay.
#
#   ns a                                         ns b (also a's gateway)
#   veth0 192.0.2.1/24 -------------------- veth0 192.0.2.2/24
#   gt0 local .1 remote .2      <- ping ->  gt0 local .2 remote .1
#       10.9.0.1/30                             10.9.0.2/30 fd00:9::2/64
#   gt6 local .1 remote 198.51.100.1 key 6  gt1 local .2 remote .1 key 7
#       10.66.0.1/30                        gt2 ... key 8 iseq
#   route 198.51.100.0/24 via 192.0.2.2     gt3 ... key 9 icsum
#                                           gt4 local any remote .1 key 77
#   ns n: netlink abuse (gt8, and devices that must not appear)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
	skip "python3-scapy is not installed"
check "module loads" gretun_load

underlay_up
# no reverse-path filter: the layers of GRE in GRE come from 192.0.2.1
# through gt0; incomplete fragments time out in 2 s
at b sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.ipfrag_time=2 net.ipv6.ip6frag_time=2
FAR=$(uaddr 198.51.100.1)
FAR_OTHER=$(uaddr 198.51.100.99)

# tun NS NAME [gretun options...]: a tunnel with no IPv6 (no chatter), up.
tun() {
	local ns=$1 name=$2

	shift 2
	at "$ns" ip link add "$name" type gretun "$@"
	at "$ns" sysctl -qw "net.ipv6.conf.$name.disable_ipv6=1"
	at "$ns" ip link set "$name" up
}

tunnel_up a "$UA" "$UB" 10.9.0.1 off
tunnel_up b "$UB" "$UA" 10.9.0.2 fd00:9::2
tun b gt1 local "$UB" remote "$UA" key 7
tun b gt2 local "$UB" remote "$UA" key 8 iseq
tun b gt3 local "$UB" remote "$UA" key 9 icsum
tun b gt4 remote "$UA" key 77
tun a gt6 local "$UA" remote "$FAR" key 6
at a ip addr add 10.66.0.1/30 dev gt6
# over IPv6 by b's link-local address: the source its redirects must have
if [ "$UNDERLAY" = 6 ]; then
	ll_b() { at b ip -6 -o addr show dev veth0 scope link | awk '{ print $4 }'; }
	has_ll_b() { [ -n "$(ll_b)" ]; }
	wait_for 5 has_ll_b
	LL_B=$(ll_b)
	LL_B=${LL_B%/*}
	at a ip route add "$(uaddr 198.51.100.0)/$UPLEN" via "$LL_B" dev veth0
	BUILD6=(--underlay 6 --ll-b "$LL_B")
else
	at a ip route add 198.51.100.0/24 via 192.0.2.2
	BUILD6=()
fi
check "the tunnel works before the abuse" ping4 a 10.9.0.2 2

PCAPS=$TMP/pcaps
MAC_A=$(at a cat /sys/class/net/veth0/address)
MAC_B=$(at b cat /sys/class/net/veth0/address)
check "hostile packets built" gre_hostile.py build "$PCAPS" --mac-a "$MAC_A" \
	--mac-b "$MAC_B" "${BUILD6[@]}"

# ---------------------------------------------------------------------
# Agents: one gre_hostile.py in a and one in b send frames and read
# counters on request, so that no question starts a process (each costs
# about a second under emulation). See gre_hostile.py for the commands.

declare -A AGENT_IN AGENT_OUT
AGENT_PIDS=()

agent_start() {
	local ns=$1 fd

	mkfifo "$TMP/$ns.in" "$TMP/$ns.out"
	ip netns exec "$(ns_name "$ns")" gre_hostile.py agent "$PCAPS" \
		<"$TMP/$ns.in" >"$TMP/$ns.out" 2>"$TMP/$ns.err" &
	AGENT_PIDS+=($!)
	exec {fd}>"$TMP/$ns.in"
	AGENT_IN[$ns]=$fd
	exec {fd}<"$TMP/$ns.out"
	AGENT_OUT[$ns]=$fd
}

agents_stop() {
	local ns pid fd

	for ns in "${!AGENT_IN[@]}"; do
		fd=${AGENT_IN[$ns]}
		exec {fd}>&-
		fd=${AGENT_OUT[$ns]}
		exec {fd}<&-
	done
	for pid in "${AGENT_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	return 0
}
on_exit agents_stop

# ask NS COMMAND...: ANSWER becomes the agent's answer (a bounded wait).
ask() {
	local ns=$1 line

	shift
	ANSWER=
	echo "$*" >&"${AGENT_IN[$ns]}"
	while read -r -t 60 line <&"${AGENT_OUT[$ns]}"; do
		[ "$line" = . ] && return 0
		ANSWER+=$line$'\n'
	done
	ANSWER+="no answer from the agent in $ns: $(cat "$TMP/$ns.err")"
	return 1
}

# What must not move unless a case says so.
WATCH_B="proc.rx_bad_header proc.rx_no_tunnel snmp.IcmpInEchoReps
snmp.Icmp6InEchoReplies snmp.IpInHdrErrors snmp.IpExtInTruncatedPkts
snmp.Ip6InHdrErrors snmp.Ip6InTruncatedPkts gt0.rx_injected gt0.rx_errors
gt0.rx_dropped gt1.rx_packets gt1.rx_errors gt2.rx_packets gt2.rx_errors
gt3.rx_packets gt3.rx_errors gt4.rx_packets gt4.rx_errors"
WATCH_A="proc.icmp_no_tunnel gt0.icmp_pmtu gt0.icmp_redirect
gt0.icmp_err_noted gt0.icmp_err_relayed gt6.icmp_pmtu gt6.icmp_redirect
gt6.icmp_err_noted gt6.icmp_err_ignored gt6.icmp_err_relayed gt0.rx_errors
gt0.tx_errors gt6.tx_errors"

declare -A MARK NOW

# mark NS: remember every counter of NS.
mark() {
	local k v

	ask "$1" dump
	while read -r k v; do
		[ -n "$k" ] && MARK["$1 $k"]=$v
	done <<<"$ANSWER"
}

# refresh NS: read the counters of NS again; then delta NS KEY sets DELTA
# to how much KEY moved since mark NS, or "absent" for a counter that
# does not exist.
refresh() {
	local k v

	ask "$1" dump
	NOW=()
	while read -r k v; do
		[ -n "$k" ] && NOW[$k]=$v
	done <<<"$ANSWER"
}
delta() {
	local old=${MARK["$1 $2"]:-}

	if [[ ${NOW[$2]:-} =~ ^[0-9]+$ && $old =~ ^[0-9]+$ ]]; then
		DELTA=$((NOW[$2] - old))
	elif [ -n "${NOW[$2]:-}" ] && [ -n "$old" ]; then
		DELTA="not a number: $old, ${NOW[$2]}"
	else
		DELTA=absent
	fi
}

# expect NS WHAT "KEY=DELTA"...: after a family of packets, each KEY moved
# by DELTA and every other watched key of NS by nothing. Polls a while
# for the expected picture, then reports one check per key, and one for
# the rest.
expect() {
	local ns=$1 what=$2 watch k kv deadline=$((SECONDS + 3)) ok moved
	local -A exp=() got=()

	shift 2
	[ "$ns" = b ] && watch=$WATCH_B || watch=$WATCH_A
	for k in $watch; do
		exp[$k]=0
	done
	for kv in "$@"; do
		exp[${kv%%=*}]=${kv#*=}
	done
	while :; do
		refresh "$ns"
		ok=1
		for k in "${!exp[@]}"; do
			delta "$ns" "$k"
			got[$k]=$DELTA
			[ "${got[$k]}" = "${exp[$k]}" ] || ok=0
		done
		[ "$ok" = 1 ] && break
		[ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.3
	done
	for kv in "$@"; do
		k=${kv%%=*}
		check_eq "$what: $k +${exp[$k]}" "${exp[$k]}" "${got[$k]}"
	done
	moved=
	for k in $watch; do
		case " $* " in *" $k="*) continue ;; esac
		[ "${got[$k]}" = 0 ] || moved+="$k +${got[$k]} "
	done
	check_eq "$what: nothing else moved" "" "$moved"
}

# send FROM FAMILY COUNT: the family's frames, from a (to b) or b (to a).
send() {
	ask "$1" send veth0 "$2"
	check_eq "$2: $3 packets sent" "$3" "${ANSWER%$'\n'}"
}

# family FAMILY COUNT "KEY=DELTA"...: send a -> b and judge at b.
family() {
	local name=$1 count=$2

	shift 2
	mark b
	send a "$name" "$count"
	expect b "$name" "$@"
}

agent_start a
agent_start b
check "the agents answer" ask b dump

# ---------------------------------------------------------------------
log "--- valid traffic through gt0 for the whole test"
ip netns exec "$(ns_name a)" ping -i 0.05 10.9.0.2 >"$TMP/ping.txt" 2>&1 &
PING_PID=$!
stop_ping() { kill -INT "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; }
on_exit stop_ping
wait_for 5 grep -q 'bytes from' "$TMP/ping.txt"

log "--- GRE flags and versions (RFC 2784 2.3)"
family flags-bad 66 proc.rx_bad_header=66
family flags-ok-plain 14 gt0.rx_injected=14 snmp.IcmpInEchoReps=14
family flags-ok-key 6 gt1.rx_packets=6 snmp.IcmpInEchoReps=6

log "--- the fullest header (C, K, S) cut at every byte"
family cut 16 proc.rx_bad_header=16

log "--- payloads shorter than the inner header"
family short-key 2 gt1.rx_inner_truncated=2 gt1.rx_length_errors=2 \
	gt1.rx_errors=2
family short-plain 3 gt0.rx_inner_truncated=3 gt0.rx_length_errors=3 \
	gt0.rx_errors=3
# no inner header to judge: delivered, and the stack has no handler
# (counted in rx_dropped)
family empty-other 2 gt0.rx_injected=2 gt0.rx_dropped=2

log "--- checksums"
family csum-bad-plain 3 gt0.rx_csum_bad=3 gt0.rx_errors=3 gt0.rx_crc_errors=0
family csum-bad-key 1 gt1.rx_csum_bad=1 gt1.rx_errors=1
family csum-bad-csumtun 1 gt3.rx_csum_bad=1 gt3.rx_errors=1
family csum-bad-notunnel 1 proc.rx_no_tunnel=1
family csum-missing 2 gt3.rx_csum_missing=2 gt3.rx_crc_errors=2 gt3.rx_errors=2
family csum-ok 1 gt3.rx_packets=1 snmp.IcmpInEchoReps=1

log "--- keys and endpoints that match no tunnel"
family no-tunnel 5 proc.rx_no_tunnel=5

log "--- sequence numbers: duplicates, old, wraparound, jumps of 2^31"
# see gre_hostile.py: 8 taken in order, 7 old, 1 without a number
family seq 16 gt2.rx_packets=8 gt2.rx_seq_old=7 gt2.rx_seq_missing=1 \
	gt2.rx_fifo_errors=8 gt2.rx_errors=8 snmp.IcmpInEchoReps=8

log "--- inner protocols the tunnel does not know"
# gretun carries any ethertype: delivered, then the stack has no handler
family proto-unknown 5 gt0.rx_injected=5 gt0.rx_dropped=5

log "--- inner headers that lie: delivered whole, refused by the inner stack"
# tot_len too long; tot_len 10; ihl 4; ihl 15; version 6; bad checksum
family inner-lies4 6 gt0.rx_injected=6 snmp.IpInHdrErrors=5 \
	snmp.IpExtInTruncatedPkts=1
family inner-pad4 1 gt0.rx_injected=1 snmp.IcmpInEchoReps=1
family inner-lies6 2 gt0.rx_injected=2 snmp.Ip6InTruncatedPkts=1 \
	snmp.Ip6InHdrErrors=1
family inner-pad6 1 gt0.rx_injected=1 snmp.Icmp6InEchoReplies=1

log "--- outer fragments: only a whole packet reaches a tunnel"
family frag-ok 3 gt0.rx_injected=1 snmp.IcmpInEchoReps=1
mark b
send a frag-bad 5
# IPv4 counts the overlap; IPv6 drops the whole datagram (RFC 5722) and
# counts it failed, as it does each timeout
if [ "$UNDERLAY" = 6 ]; then
	expect b "frag-bad, at once"
	REASM_TIMEOUT=snmp.Ip6ReasmTimeout
else
	expect b "frag-bad, at once" snmp.IpExtReasmOverlaps=1
	REASM_TIMEOUT=snmp.IpReasmTimeout
fi
# ipfrag_time is 2 s in b: the two incomplete packets time out
expect_timeout() {
	refresh b
	delta b "$REASM_TIMEOUT"
	[ "$DELTA" -ge 2 ]
}
check "frag-bad: the incomplete packets time out" wait_for 10 expect_timeout
if [ "$UNDERLAY" = 6 ]; then
	delta b snmp.Ip6ReasmFails
	check "frag-bad: reassembly failed (Ip6ReasmFails +$DELTA)" \
		test "$DELTA" -ge 1
	expect b "frag-bad, after the timeout"
else
	expect b "frag-bad, after the timeout" snmp.IpExtReasmOverlaps=1
fi

if [ "$UNDERLAY" = 6 ]; then
	log "--- outer extension headers"
	# hop-by-hop and destination options padding, an encapsulation limit
	# of 0 (a limit on sending, none on receiving), both, and a type 0
	# routing header with no segment left; then options whose type says
	# discard, a type 0 routing header with one left, a length past the end
	family ipopts-ok 5 gt0.rx_injected=5 snmp.IcmpInEchoReps=5
	family ipopts-bad 4 snmp.Ip6InHdrErrors=4
else
	log "--- outer IP options"
	family ipopts-ok 4 gt0.rx_injected=4 snmp.IcmpInEchoReps=4
	family ipopts-bad 3 snmp.IpInHdrErrors=2
fi

log "--- GRE in GRE, 20 deep: each layer taken once, the stack bounded"
family nest20 1 gt0.rx_injected=20 snmp.IcmpInEchoReps=1

log "--- broadcast and multicast outer addresses"
if [ "$UNDERLAY" = 6 ]; then
	family bcast 2 proc.rx_no_tunnel=2
	# a multicast source is a header error to IPv6
	family ip-drops 3 snmp.Ip6InHdrErrors=1
	family no-tunnel-unspec 2 proc.rx_no_tunnel=2
else
	family bcast 6 proc.rx_no_tunnel=6
	family ip-drops 5
fi

log "--- ICMP errors quoting what is not one of our packets change nothing"
routes() {
	printf 'route get %s\n' "$FAR" "$FAR_OTHER" "$UB" | at a ip -batch -
}
# icmp FAMILY COUNT "KEY=DELTA"...: send b -> a and judge at a.
icmp() {
	local name=$1 count=$2

	shift 2
	mark a
	send b "$name" "$count"
	expect a "$name" "$@"
}
at a sysctl -qw net.ipv4.conf.all.secure_redirects=0 \
	net.ipv4.conf.veth0.secure_redirects=0 \
	net.ipv4.conf.all.accept_redirects=1 net.ipv4.conf.veth0.accept_redirects=1 \
	net.ipv6.conf.all.accept_redirects=1 net.ipv6.conf.veth0.accept_redirects=1
# a redirect needs a gateway whose link address is known; over IPv6 the
# gateway a redirect names is link-local
if [ "$UNDERLAY" = 6 ]; then
	REDIRECT_GW=fe80::3
else
	REDIRECT_GW=192.0.2.3
fi
at a ip neigh replace "$REDIRECT_GW" lladdr 02:00:00:00:00:03 dev veth0 nud permanent
at a ip route flush cache
at a ip -6 route flush cache
routes_before=$(routes)
check_fail "no route exception to begin with" grep -Eq 'expires|mtu|redirected' \
	<<<"$routes_before"
# frag needed (packet too big), redirect, host (address) unreachable, time
# exceeded, port unreachable, each quoting 9 kinds of junk (gre_hostile.py)
icmp icmp-junk 45 proc.icmp_no_tunnel=45
check_eq "icmp-junk: no route changed" "$routes_before" "$(routes)"
icmp icmp-nongre 10
check_eq "icmp-nongre: no route changed" "$routes_before" "$(routes)"
icmp icmp-short 5
check_eq "icmp-short: no route changed" "$routes_before" "$(routes)"

log "--- ICMP errors about our own packets do act (the checks can fail)"
icmp icmp-pmtu 1 gt6.icmp_pmtu=1
check_output "icmp-pmtu: the path MTU to gt6's remote is now 1300" 'mtu 1300' \
	at a ip route get "$FAR"
icmp icmp-redirect 1 gt6.icmp_redirect=1
check_output "icmp-redirect: gt6's remote is now via $REDIRECT_GW" "via $REDIRECT_GW " \
	at a ip route get "$FAR"
# over IPv6 also a parameter problem at our encapsulation limit (noted)
# and one elsewhere (ignored)
errors=$((UNDERLAY == 6 ? 2 : 1))
icmp icmp-noted "$errors" gt6.icmp_err_noted="$errors"
icmp icmp-ignored "$errors" gt6.icmp_err_ignored="$errors"
mark a
check_output "a noted unreachable is relayed to the next inner sender" \
	'Unreachable' at a ping -c 1 -W 2 10.66.0.2
expect a "relayed" gt6.icmp_err_relayed=1
check_eq "the other routes did not change" \
	"$(sed -n "/$FAR_OTHER/,\$p" <<<"$routes_before")" \
	"$(routes | sed -n "/$FAR_OTHER/,\$p")"

log "--- the drop monitor names the reason"
TRACING=/sys/kernel/tracing
[ -e "$TRACING/events" ] || mount -t tracefs nodev "$TRACING" 2>/dev/null
# trace_drops FAMILY: gretun_drops while FAMILY is sent.
trace_drops() { gretun_drops '=> gretun_' ask a send veth0 "$1"; }
if [ -e "$TRACING/events/skb/kfree_skb" ]; then
	check_output "no tunnel: freed by gre_tun as NO_SOCKET" '^NO_SOCKET gretun_' \
		trace_drops trace-notunnel
	check_output "bad header: freed by gre_tun as INVALID_PROTO or HDR_TRUNC" \
		'^(INVALID_PROTO|HDR_TRUNC) gretun_' trace_drops trace-badhdr
else
	fail "the drop monitor" "no kfree_skb tracepoint under $TRACING"
fi

log "--- the valid traffic was unharmed"
stop_ping
read -r sent received < <(sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' \
	"$TMP/ping.txt")
log "ping: ${sent:-?} sent, ${received:-?} received"
check "the ping ran all along (over 100 requests)" test "${sent:-0}" -gt 100
check "the ping lost at most the one in flight" test "${received:-0}" -ge $((${sent:-0} - 1))
check_fail "no error reached the ping" grep -Eq 'Unreachable|Time to live|Redirect' \
	"$TMP/ping.txt"
mark b
check "the tunnel still works after the abuse" ping4 a 10.9.0.2 3
refresh b
delta b gt0.rx_injected
check_eq "and b's gt0 takes exactly those 3" 0 "$DELTA"

# ---------------------------------------------------------------------
# The netlink half does not depend on the underlay: over IPv4 only.
[ "$UNDERLAY" = 4 ] || exit 0
log "--- netlink: wrong sizes, values out of range: refused, nothing changed"
ns_add n
at n ip link add gt8 type gretun local 192.0.2.1 remote 198.51.100.8 key 88 \
	seq csum ttl 33 tos 0x28 nopmtudisc
show8() { at n ip -d -j link show gt8; }
CASES=()
ATTRS=()
# refused WHAT ATTR...: a message that must be refused, on add and on set.
refused() {
	CASES+=("$1")
	shift
	ATTRS+=("$*")
}

# natural sizes: link, local, remote, iflags, oflags, ikey, okey, ttl, tos,
# pmtudisc, ignore_df; 0, 12, 13 and 255 are no attribute of ours
sizes=([1]=4 4 4 2 2 4 4 1 1 1 1)
for type in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 255; do
	for len in 0 1 3 5 17; do
		[ "${sizes[$type]:-}" = "$len" ] && continue
		hex=
		for ((i = 0; i < len; i++)); do
			hex+=01
		done
		refused "attribute $type, $len bytes" "$type=raw:$hex"
	done
done
refused "pmtudisc 2" pmtudisc=u8:2
refused "ignore_df 2" pmtudisc=u8:0 ignore_df=u8:2
refused "iflags with an unknown bit" iflags=u16:0x8
refused "iflags all ones" iflags=u16:0xffff ikey=u32:1
refused "oflags with an unknown bit" oflags=u16:0x8000
refused "key flag without a key" oflags=u16:2
refused "a key without its flag" ikey=u32:5
refused "multicast local" local=ip4:224.0.0.5
refused "broadcast local" local=ip4:255.255.255.255
refused "multicast remote" remote=ip4:239.1.1.1
refused "broadcast remote" remote=ip4:255.255.255.255
refused "an IPv6 local beside an IPv4 remote" local=ip6:2001:db8::1
refused "an IPv6 remote beside an IPv4 local" local=ip4:192.0.2.1 remote=ip6:2001:db8::2
refused "nonexistent link" link=u32:99999
refused "negative link (-1)" link=u32:0xffffffff
refused "negative link (INT_MIN)" link=u32:0x80000000
refused "tos with ECN bits 0x03" tos=u8:0x03
refused "tos with ECN bit 0x02" tos=u8:0x02
refused "tos 0x29: DSCP with ECN" tos=u8:0x29
refused "IFLA_ADDRESS beside the gretun attributes" @1=raw:0a000001
refused "IFLA_BROADCAST beside the gretun attributes" @2=raw:0a000002

# One nl_gretun for all: per case, add nlN, get nlN, set gt8, get gt8.
# Each nlN has a remote of its own (the case's attributes come after it
# and win), so that one wrongly created cannot make the next one refused
# as a duplicate.
json_before=$(show8)
{
	echo "get gt8"
	for i in "${!CASES[@]}"; do
		echo "add nl$i remote=ip4:198.51.100.$((i + 1)) ${ATTRS[$i]}"
		echo "get nl$i"
		echo "set gt8 ${ATTRS[$i]}"
		echo "get gt8"
	done
} >"$TMP/nl.requests"
mapfile -t OUT < <(at n nl_gretun - <"$TMP/nl.requests")
check_eq "one answer a request" "$(wc -l <"$TMP/nl.requests")" "${#OUT[@]}"
gt8=${OUT[0]}
check "gt8 reads back" test "${gt8#link gt8 }" != "$gt8"
left=()
for i in "${!CASES[@]}"; do
	what=${CASES[$i]}
	r=$((1 + 4 * i))
	check_output "add, $what: refused with a message" '^error E[A-Z]+: .+' \
		echo "${OUT[$r]}"
	if [ "${OUT[$r + 1]}" = "error ENODEV: " ]; then
		pass "add, $what: nothing left behind"
	else
		fail "add, $what: nothing left behind" "${OUT[$r + 1]}"
		left+=("nl$i")
	fi
	check_output "set, $what: refused with a message" '^error E[A-Z]+: .+' \
		echo "${OUT[$r + 2]}"
	check_eq "set, $what: gt8 unchanged" "$gt8" "${OUT[$r + 3]}"
	# judge each case against the state before it, not a mistake before
	gt8=${OUT[$r + 3]}
done
for dev in "${left[@]}"; do
	at n ip link del "$dev"
done
check_eq "gt8 as ip shows it: unchanged" "$json_before" "$(show8)"
check_output "tos inherit (1) is no ECN bit: accepted" '^ok' \
	at n nl_gretun add gt9 tos=u8:1
check_output "and a good message still passes" '^ok' at n nl_gretun set gt8 ttl=u8:34
check_eq "and does what it says" 34 "$(show8 | jq '.[0].linkinfo.info_data.ttl')"
