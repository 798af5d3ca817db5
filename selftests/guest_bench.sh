#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`, the guest's side: gretun against the kernel's ip_gre and
# against plain routing, side by side in one boot. Two namespaces over a
# veth pair (lib.sh's topology); each round measures, in turn, plain
# routing between the underlay addresses, ip_gre (loaded, measured,
# unloaded: only one GRE module can hold IPPROTO_GRE) and gretun, each
# tunnel plain and with `key seq csum`:
#   tcp   iperf3, one TCP stream, bits/s received
#   udp   iperf3, 64-byte UDP datagrams, packets/s received
#   rr    tcp_rr, TCP request/response, transactions/s
# Then gretun again beside 10,000 other tunnels, and the slab memory a
# tunnel costs, ours and ip_gre's. Rows go to RESULTS/bench.csv as
# round,mode,options,metric,value; scripts/bench-report.py reads them.
# With BENCH_PROFILE=1, a CPU profile of TCP through each driver and
# option set (perf, every CPU) goes to RESULTS/profile-MODE-OPTIONS.data,
# which scripts/bench.sh reads into .txt reports on the host.
#
# usage: guest_bench.sh RESULTS [ROUNDS [SECONDS]]

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

RESULTS=$1
ROUNDS=${2:-5}
SECS=${3:-5}
CSV=$RESULTS/bench.csv
SCALE_N=${BENCH_SCALE_N:-10000}
MEM_N=${BENCH_MEM_N:-1000}

# options for ip link add, by name (ip_gre's spelling is ours too)
declare -A OPTIONS=([plain]="" [kseqcsum]="key 1 seq csum")

echo "round,mode,options,metric,value" >"$CSV"
row() { echo "$*" | tr ' ' , >>"$CSV"; }

# Each measurement is bounded: a lost server or peer fails it, never
# hangs the run.
LIMIT=$((SECS + 30))

# iperf3 -J: what the receiver got, from the client's report
tcp_rate() {
	at a timeout "$LIMIT" iperf3 -c "$1" -t "$SECS" -J |
		jq -e '.end.sum_received.bits_per_second | floor'
}

udp_rate() {
	at a timeout "$LIMIT" iperf3 -c "$1" -u -b 0 -l 64 -t "$SECS" -J |
		jq -e '.end.sum | (.packets - .lost_packets) / .seconds | floor'
}

rr_rate() {
	local pid rate

	spawn b timeout "$LIMIT" tcp_rr server 7000
	pid=$SPAWNED
	if ! wait_for 10 listening b 7000 ||
		! rate=$(at a timeout "$LIMIT" tcp_rr client "$1" 7000 "$SECS"); then
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 1
	fi
	wait "$pid" || return 1
	echo "$rate"
}

# measure ROUND MODE OPTIONS ADDR: the three rates, one row each
measure() {
	local round=$1 mode=$2 opts=$3 addr=$4 metric value

	for metric in tcp udp rr; do
		if value=$("${metric}_rate" "$addr") && [ -n "$value" ]; then
			row "$round" "$mode" "$opts" "$metric" "$value"
			pass "round $round $mode $opts $metric: $value"
		else
			fail "round $round $mode $opts $metric: no measurement"
		fi
	done
}

# tunnels KIND OPTIONS: gt0 of KIND both sides, lib.sh's topology, IPv4
# inside (no IPv6 address of ours)
tunnels() {
	# shellcheck disable=SC2086 # options are words
	tunnel_up -k "$1" a 192.0.2.1 192.0.2.2 10.9.0.1 none $2
	# shellcheck disable=SC2086
	tunnel_up -k "$1" b 192.0.2.2 192.0.2.1 10.9.0.2 none $2
}

gre_load() { modprobe ip_gre; }
gre_unload() { rmmod ip_gre gre; }

# run_tunnel ROUND MODE KIND: load, measure each option set, unload
run_tunnel() {
	local round=$1 mode=$2 kind=$3 opts

	"${mode}_load"
	for opts in plain kseqcsum; do
		tunnels "$kind" "${OPTIONS[$opts]}"
		measure "$round" "$mode" "$opts" 10.9.0.2
		pair_down
	done
	"${mode}_unload"
}

# many NS KIND N: N tunnels in NS, keys 1000 and up, not gt0's
many() {
	local ns=$1 kind=$2 n=$3 i

	for i in $(seq 1 "$n"); do
		echo "link add m$i type $kind local 192.0.2.1 remote 198.18.$((i / 250)).$((i % 250 + 1)) key $((1000 + i))"
	done >"$TMP/many.batch"
	at "$ns" ip -batch "$TMP/many.batch"
}

# memory_per_tunnel MODE KIND: slab bytes per tunnel, in a fresh namespace
memory_per_tunnel() {
	local mode=$1 kind=$2 before after

	"${mode}_load"
	ns_add m
	before=$(slab_bytes)
	many m "$kind" "$MEM_N"
	after=$(slab_bytes)
	row 0 "$mode" plain mem_per_tunnel $(((after - before) / MEM_N))
	pass "$mode: $(((after - before) / MEM_N)) bytes of slab a tunnel"
	ip netns del "$(ns_name m)"
	"${mode}_unload"
}

underlay_up
spawn b iperf3 -s
wait_for 10 listening b 5201 || fail "iperf3 server listens"

for round in $(seq 1 "$ROUNDS"); do
	log "--- round $round of $ROUNDS"
	measure "$round" plain plain 192.0.2.2
	run_tunnel "$round" gre gre
	run_tunnel "$round" gretun gretun
done

# profile NAME ADDR: perf samples every CPU while one TCP stream runs to
# ADDR, into RESULTS/profile-NAME.data. perf starts iperf3 itself: its
# own start takes seconds in a TCG guest and would eat a fixed window.
# The host reads the samples (scripts/bench.sh): perf report crawls here.
profile() {
	check "profile of $1" timeout -k 10 $((SECS * 20 + 60)) \
		perf record -q -a -F 199 -e cpu-clock \
		-o "$RESULTS/profile-$1.data" -- \
		ip netns exec "$(ns_name a)" iperf3 -c "$2" -t "$SECS" >/dev/null
}

# profile_tunnel MODE KIND: a profile per option set, and the symbols
# (modules included) that resolve them
profile_tunnel() {
	local mode=$1 kind=$2 opts

	"${mode}_load"
	cat /proc/kallsyms >"$RESULTS/kallsyms-$mode"
	for opts in plain kseqcsum; do
		tunnels "$kind" "${OPTIONS[$opts]}"
		profile "$mode-$opts" 10.9.0.2
		pair_down
	done
	"${mode}_unload"
}

if [ "${BENCH_PROFILE:-0}" = 1 ]; then
	log "--- profiles"
	cat /proc/kallsyms >"$RESULTS/kallsyms-plain"
	profile plain-plain 192.0.2.2
	profile_tunnel gre gre
	profile_tunnel gretun gretun
fi

log "--- gretun beside $SCALE_N other tunnels"
gretun_load
tunnels gretun ""
measure 0 gretun plain 10.9.0.2
many a gretun "$SCALE_N"
check_eq "$SCALE_N other tunnels" "$((SCALE_N + 1))" \
	"$(at a ip -d -j link show type gretun | jq length)"
measure 0 gretun-scaled plain 10.9.0.2
pair_down
gretun_unload

log "--- slab memory a tunnel costs ($MEM_N tunnels)"
memory_per_tunnel gre gre
memory_per_tunnel gretun gretun
