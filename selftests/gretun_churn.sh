#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Churn: 1,000 tunnels created, changed and deleted beside three tunnels
# that carry pings (which must lose nothing); the module removed under
# flood pings through several tunnels; a namespace deleted under a flood,
# taking with it a tunnel that was moved out of it. At the end the slab
# memory in use is back where it started (within what 100 tunnels cost,
# measured first) and nothing holds the module. Over either underlay
# (GRETUN_UNDERLAY; lib.sh's uaddr gives the IPv6 addresses standing for
# those below).
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt1..gt3 key 1..3  <---- pings ---->  gt1..gt3 key 1..3
#      10.9.N.1/30                            10.9.N.2/30
#   gc1..gc1000: created, changed, deleted (ip -batch)
#   gx (moved in from c, its outer packets live in c)
#
#   ns c                                       ns d
#   veth0 192.0.3.1/24 ------------------ veth0 192.0.3.2/24
#   gt0 key 9, 10.9.9.1/30 <-- flood ---  gt0 key 9, 10.9.9.2/30
#   (c is deleted under the flood)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
underlay_up

gretun_devices() {
	at "$1" ip -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "gretun") | .ifname'
}

refcnt() { cat /sys/module/gre_tun/refcnt; }

# pair N: tunnel gtN with key N between a and b, inner 10.9.N.0/30.
pair() {
	local n=$1 ns

	at a ip link add "gt$n" type gretun local "$UA" remote "$UB" key "$n"
	at b ip link add "gt$n" type gretun local "$UB" remote "$UA" key "$n"
	at a ip addr add "10.9.$n.1/30" dev "gt$n"
	at b ip addr add "10.9.$n.2/30" dev "gt$n"
	for ns in a b; do
		at "$ns" sysctl -qw "net.ipv6.conf.gt$n.disable_ipv6=1"
		at "$ns" ip link set "gt$n" up
	done
}

PIDS=()
# bg NS OUT CMD...: CMD in NS in the background, its output in OUT.
bg() {
	local ns=$1 out=$2

	shift 2
	ip netns exec "$(ns_name "$ns")" "$@" >"$out" 2>&1 &
	PIDS+=($!)
}
stop_bg() {
	local pid

	for pid in "$@"; do
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	return 0
}
stop_all() { stop_bg "${PIDS[@]}"; }
on_exit stop_all

# sent_received FILE: "SENT RECEIVED" from a ping's summary.
sent_received() {
	sed -nE 's/^([0-9]+) packets transmitted, ([0-9]+) received.*/\1 \2/p' "$1"
}

check_eq "the module is not held to begin with" 0 "$(refcnt)"

log "--- what a tunnel costs in slab memory"
SLAB0=$(slab_bytes)
for i in $(seq 1 100); do
	echo "link add gm$i type gretun local $UA remote $(uaddr 198.51.100.1) key $i"
done >"$TMP/cost.batch"
check "100 tunnels created" at a ip -batch "$TMP/cost.batch"
SLAB1=$(slab_bytes)
COST=$(((SLAB1 - SLAB0) / 100))
log "slab in use: $SLAB0 bytes, with 100 tunnels $SLAB1: $COST bytes a tunnel"
check "a tunnel costs over 2 KB of slab (the measure sees tunnels)" test "$COST" -gt 2048
sed 's/^link add \(gm[0-9]*\) .*/link del \1/' "$TMP/cost.batch" >"$TMP/uncost.batch"
check "100 tunnels deleted" at a ip -batch "$TMP/uncost.batch"
# a leak of a tenth of the churned tunnels fails the final check
TOLERANCE=$((100 * COST))

log "--- 1,000 tunnels created, changed, deleted beside live traffic"
for n in 1 2 3; do
	pair "$n"
done
for n in 1 2 3; do
	bg a "$TMP/ping$n.txt" ping -i 0.05 "10.9.$n.2"
done
for n in 1 2 3; do
	check "ping through gt$n starts" wait_for 10 grep -q 'bytes from' "$TMP/ping$n.txt"
done
for i in $(seq 1 1000); do
	echo "link add gc$i type gretun local $UA remote $(uaddr "198.51.100.$((i % 250 + 1))") key $((i + 1000))"
	echo "link set gc$i type gretun key $((i + 5000)) ttl 9 csum seq"
	echo "link set gc$i up"
	echo "link del gc$i"
done >"$TMP/churn.batch"
start=$SECONDS
check "1,000 create/change/delete rounds" at a ip -batch "$TMP/churn.batch"
log "churn took $((SECONDS - start)) s"
check_eq "no churned tunnel left" "gt1 gt2 gt3" "$(gretun_devices a | sort | xargs)"
stop_all
for n in 1 2 3; do
	read -r sent received < <(sent_received "$TMP/ping$n.txt")
	log "gt$n: ${sent:-?} pings sent, ${received:-?} answered"
	check "ping through gt$n ran during the churn" test "${sent:-0}" -gt 20
	check "ping through gt$n lost at most the one in flight" \
		test "${received:-0}" -ge $((${sent:-0} - 1))
done

log "--- rmmod under flood pings through three tunnels, both ways"
PIDS=()
for n in 1 2 3; do
	bg a /dev/null ping -f "10.9.$n.2"
done
bg b /dev/null ping -f 10.9.1.1
flooding() {
	local t0 t1

	t0=$(counter b gt1 rx_packets)
	sleep 1
	t1=$(counter b gt1 rx_packets)
	[ $((t1 - t0)) -gt 100 ]
}
check "the floods are on (over 100 packets a second)" flooding
check "rmmod under the flood" timeout 60 rmmod gre_tun
check_fail "the module is gone" gretun_loaded
check_eq "and its tunnels with it: a" "" "$(gretun_devices a | xargs)"
check_eq "and its tunnels with it: b" "" "$(gretun_devices b | xargs)"
stop_all
check "the module loads again" gretun_load
for n in 1 2 3; do
	pair "$n"
done
check "and the tunnels work again" ping4 a 10.9.2.2 2

log "--- a namespace deleted under a flood"
ns_add c
ns_add d
ip link add veth0 netns "$(ns_name c)" type veth peer name veth0 netns "$(ns_name d)"
UC=$(uaddr 192.0.3.1) UD=$(uaddr 192.0.3.2)
uaddr_add c "$UC/$UPLEN" veth0
uaddr_add d "$UD/$UPLEN" veth0
at c ip link set veth0 up
at d ip link set veth0 up
at c ip link add gt0 type gretun local "$UC" remote "$UD" key 9
at d ip link add gt0 type gretun local "$UD" remote "$UC" key 9
at c ip addr add 10.9.9.1/30 dev gt0
at d ip addr add 10.9.9.2/30 dev gt0
at c ip link set gt0 up
at d ip link set gt0 up
# gx lives in a, its outer packets in c
at c ip link add gx type gretun local "$UC" remote "$UD" key 10
at c ip link set gx netns "$(ns_name a)"
check "gx moved to a" at a ip link show gx
check "the c-d tunnel works" ping4 d 10.9.9.1 2
PIDS=()
bg d /dev/null ping -f 10.9.9.1
c_flooded() { [ "$(counter c gt0 rx_packets)" -gt 200 ]; }
check "the flood is on" wait_for 10 c_flooded
check "c deleted under the flood" ip netns del "$(ns_name c)"
# the namespace dies asynchronously, taking its devices with it
check "gx goes with c, its outer namespace" wait_for 30 bash -c \
	"! ip netns exec $(ns_name a) ip link show gx"
check "d's end of the veth goes too" wait_for 30 bash -c \
	"! ip netns exec $(ns_name d) ip link show veth0"
stop_all
check "the other tunnels still work" ping4 a 10.9.3.2 2

log "--- everything back where it started"
for ns in a b d; do
	for dev in $(gretun_devices "$ns"); do
		at "$ns" ip link del "$dev"
	done
done
check_eq "no tunnel left" "" "$(for ns in a b d; do gretun_devices "$ns"; done | xargs)"
check_eq "the module is not held" 0 "$(refcnt)"
slab_back() {
	SLAB_END=$(slab_bytes)
	[ $((SLAB_END - SLAB0)) -lt "$TOLERANCE" ]
}
# freeing waits for RCU and for the dying namespaces
if wait_for 30 slab_back; then
	pass "slab back within $TOLERANCE bytes of the start ($((SLAB_END - SLAB0)) above)"
else
	fail "slab back within $TOLERANCE bytes of the start" \
		"start $SLAB0, end $SLAB_END: $((SLAB_END - SLAB0)) bytes more," \
		"$(((SLAB_END - SLAB0) / COST)) tunnels' worth"
fi
