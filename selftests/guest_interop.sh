#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Wire compatibility with the kernel's own GRE: one guest runs gretun, the
# other `type gre` (ip_gre), joined by one QEMU network. Both guests run
# this script, INTEROP_ROLE=gretun or gre; scripts/interop.sh boots them.
# Each side sets up five tunnels (plain, key, seq, csum, all three), then,
# toward the other side, pings in both families, sends a file over TCP and
# receives one, both compared by hash, and decodes the other side's GRE
# packets from a capture: the flags each variant asks for, checksums
# recomputed. Both directions are thus covered, each by the side that
# starts it.
#
#   guest gretun                                   guest gre
#   nic 172.31.0.1N/24 ----- QEMU socket ------ nic 172.31.0.2N/24
#   gtN (gretun) 10.50.N.1/30 fd50:N::1/64      gtN (gre) 10.50.N.2/30 fd50:N::2/64
#   N = 1 plain, 2 key, 3 seq, 4 csum, 5 key+seq+csum
#
# With GRETUN_UNDERLAY=6 the same over IPv6, against ip6gre: the wire
# addresses are lib.sh's uaddr of those above (2001:db8:ac1f::1N/64).
# scripts/interop.sh runs both in one boot of each guest.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

ROLE=${INTEROP_ROLE:?INTEROP_ROLE=gretun or gre}
DATA=${INTEROP_DATA:?INTEROP_DATA=a file both guests can read}
NIC_MAC=${INTEROP_MAC:?INTEROP_MAC=the MAC of the wire of this guest}
VARIANTS=(plain "key 1002" seq csum "key 1005 seq csum")
# what the other side's packets must carry, per variant (gre_pcap.py)
WIRE=("flags=- proto" "flags=K proto" "flags=S proto" "flags=C proto" "flags=CKS proto")
READY_PORT=7998
DONE_PORT=7999
# Bounds: the other guest may boot minutes after this one on a busy
# machine; once both are up, each step answers within seconds.
PEER_BOOT_WAIT=${INTEROP_PEER_WAIT:-180}
TUNNEL_WAIT=30
PEER_DONE_WAIT=180

case $ROLE in
gretun) me=1 peer=2 kind=gretun ;;
gre) me=2 peer=1 kind=gre ;;
*) echo "INTEROP_ROLE must be gretun or gre" >&2; exit 1 ;;
esac
# Over an IPv6 underlay (GRETUN_UNDERLAY=6) the kernel's side is ip6gre,
# and the wire addresses are lib.sh's uaddr of the IPv4 ones.
kmod=ip_gre
if [ "$UNDERLAY" = 6 ]; then
	kmod=ip6_gre
	[ "$kind" = gre ] && kind=ip6gre
fi
# wire N SIDE: the underlay address of SIDE's end of gtN
wire() { uaddr "172.31.0.$2$1"; }

nic=$(grep -il "^$NIC_MAC\$" /sys/class/net/*/address | cut -d/ -f5)
[ -n "$nic" ] || { echo "no interface with MAC $NIC_MAC" >&2; exit 1; }

log "--- $ROLE side on $nic"
if [ "$ROLE" = gretun ]; then
	check "gretun loads" gretun_load
else
	check "$kmod loads" modprobe "$kmod"
fi

ip link set "$nic" up
for n in 1 2 3 4 5; do
	ip addr add "$(wire "$n" "$me")/$UPLEN" dev "$nic" nodad
done

# Listeners for the other side's transfers, up before the tunnels so that
# a tunnel that answers has them: 7001 hashes what it receives and answers
# with the hash, 7002 sends the data file.
socat TCP6-LISTEN:7001,fork,reuseaddr,ipv6only=0 SYSTEM:sha256sum \
	>"$TMP/sink.log" 2>&1 &
SINK=$!
socat -U TCP6-LISTEN:7002,fork,reuseaddr,ipv6only=0 "OPEN:$DATA" \
	>"$TMP/source.log" 2>&1 &
SOURCE=$!
tcpdump --immediate-mode -i "$nic" -Q in -n -U -w "$TMP/wire.pcap" "$GRE_FILTER" 2>/dev/null &
CAPTURE=$!
stop_helpers() {
	kill "$SINK" "$SOURCE" "$CAPTURE" 2>/dev/null
	wait "$SINK" "$SOURCE" "$CAPTURE" 2>/dev/null || true
}
on_exit stop_helpers
listening() { ss -Htln "sport = :$1" | grep -q .; }
check "transfer listeners up" wait_for 10 eval "listening 7001 && listening 7002"

# Fault injection, to prove a broken side fails the run fast and clearly:
# INTEROP_FAULT=ROLE:slow:SECONDS delays ROLE's tunnels, ROLE:missing:N
# leaves its gtN out.
fault() {
	local role what arg

	IFS=: read -r role what arg <<<"${INTEROP_FAULT:-}"
	[ "$role" = "$ROLE" ] && [ "$what" = "$1" ] && echo "$arg"
}

tunnels_up() {
	local n opts delay

	delay=$(fault slow) && log "INTEROP_FAULT: tunnels up in $delay s" &&
		sleep "$delay"
	for n in 1 2 3 4 5; do
		[ "$(fault missing)" = "$n" ] &&
			log "INTEROP_FAULT: no gt$n" && continue
		opts=${VARIANTS[n - 1]}
		[ "$opts" = plain ] && opts=
		# shellcheck disable=SC2086 # options are words
		ip link add "gt$n" type "$kind" local "$(wire "$n" "$me")" \
			remote "$(wire "$n" "$peer")" $opts || return 1
		ip addr add "10.50.$n.$me/30" dev "gt$n" &&
			ip -6 addr add "fd50:$n::$me/64" dev "gt$n" nodad &&
			ip link set "gt$n" up || return 1
	done
}
# The tunnels live in the initial namespace: gone with this run, so that a
# run over the other underlay can follow in the same boot.
tunnels_down() {
	local n

	for n in 1 2 3 4 5; do
		ip link del "gt$n" 2>/dev/null
	done
	return 0
}
on_exit tunnels_down
check "five $kind tunnels up over IPv$UNDERLAY" tunnels_up
ip -d link show type "$kind" | sed 's/^/# /'

# Readiness: once all its tunnels are up, each side serves READY_PORT on
# the wire (not through a tunnel); each waits for the other's, then for
# every tunnel to answer. A side that never gets there ends the run here,
# with the step named, rather than in the timeouts of every later check.
socat -u "TCP6-LISTEN:$READY_PORT,fork,reuseaddr,ipv6only=0" OPEN:/dev/null \
	>/dev/null 2>&1 &
READY=$!
stop_ready() { kill "$READY" 2>/dev/null; wait "$READY" 2>/dev/null || true; }
on_exit stop_ready
peer_ready() {
	local a

	a=$(wire 1 "$peer")
	[ "$UNDERLAY" = 6 ] && a="[$a]"
	socat -u OPEN:/dev/null "TCP:$a:$READY_PORT"
}
tunnel_answers() { ping -c 1 -W 1 "10.50.$1.$peer"; }

stop_early() {
	fail "$ROLE side: $1 (stopping here)"
	exit
}
wait_for "$PEER_BOOT_WAIT" peer_ready ||
	stop_early "the other side was not ready within $PEER_BOOT_WAIT s"
pass "the other side is ready"
for n in 1 2 3 4 5; do
	wait_for "$TUNNEL_WAIT" tunnel_answers "$n" ||
		stop_early "gt$n: the other side did not answer within $TUNNEL_WAIT s"
	pass "gt$n: the other side answers"
done

WANT=$(sha256sum <"$DATA" | cut -d' ' -f1)

# tcp_send ADDR: the other side hashes what we send; same hash as ours?
tcp_send() {
	local got

	got=$(timeout 120 socat -t 60 - "TCP:$1:7001" <"$DATA" | cut -d' ' -f1)
	[ "$got" = "$WANT" ] || { echo "the other side hashed '$got'"; return 1; }
}

# tcp_receive ADDR: what the other side sends hashes as our copy does.
tcp_receive() {
	local got

	got=$(timeout 120 socat -u "TCP:$1:7002" - | sha256sum | cut -d' ' -f1)
	[ "$got" = "$WANT" ] || { echo "received data hashing to '$got'"; return 1; }
}

for n in 1 2 3 4 5; do
	v=${VARIANTS[n - 1]}
	log "--- gt$n ($v): from this $kind side to the other"
	check "gt$n ($v): ping" ping -c 3 -i 0.2 -W 2 -q "10.50.$n.$peer"
	check "gt$n ($v): ping6" ping -6 -c 3 -i 0.2 -W 2 -q "fd50:$n::$peer"
	check "gt$n ($v): TCP send, hashed by the other side" \
		tcp_send "10.50.$n.$peer"
	check "gt$n ($v): TCP over IPv6 receive, hashed here" \
		tcp_receive "[fd50:$n::$peer]"
done

log "--- the other side's GRE as it arrived here"
sleep 0.5
kill "$CAPTURE" 2>/dev/null
wait "$CAPTURE" 2>/dev/null
gre_pcap.py -s "$TMP/wire.pcap" >"$TMP/wire.txt"

# from_peer N: the decoded packets the other side sent through gtN.
from_peer() { grep -F "$(wire "$1" "$peer")>$(wire "$1" "$me") " "$TMP/wire.txt"; }

# peer_wire_ok N: every such packet has the variant's flags and key, a
# checksum that verifies (GRO merges csum packets: only unmerged ones,
# 1500 bytes or fewer, can be judged) and, when gretun sent them, sequence
# numbers that rise. (ip_gre numbers packets on several CPUs at once and
# can put them on the wire out of order: counted, not held against it.)
peer_wire_ok() {
	local n=$1 key='' strict=0

	[[ ${VARIANTS[n - 1]} =~ key\ ([0-9]+) ]] && key=${BASH_REMATCH[1]}
	[ "$ROLE" = gre ] && strict=1
	# shellcheck disable=SC2016 # awk's own variables
	from_peer "$n" | awk -v want=" ${WIRE[n - 1]}" -v key="$key" -v strict=$strict '
		index($0, want) == 0 { print "flags: " $0; bad++ }
		key != "" && $0 !~ (" key=" key "( |$)") { print "key: " $0; bad++ }
		/ csum=bad/ && substr($2, 5) + 0 <= 1500 { print "csum: " $0; bad++ }
		match($0, / seq=[0-9]+/) {
			s = substr($0, RSTART + 5, RLENGTH - 5) + 0
			if (seen && s <= last) {
				if (strict) { print "seq: " $0; bad++ } else late++
			}
			last = s; seen = 1
		}
		END {
			if (late) print "# " late " packets numbered below one before them"
			exit bad > 0
		}' | head -n 5
	return "${PIPESTATUS[1]}"
}

for n in 1 2 3 4 5; do
	v=${VARIANTS[n - 1]}
	# shellcheck disable=SC2016 # awk's own fields
	from_peer "$n" | awk 'substr($2, 5) + 0 > 1500 { sub(/csum=bad/, "csum=(GRO-merged)") } 1' |
		sed -E 's/ seq=[0-9]+//; s/ (len|ttl|tos|df|el)=[0-9a-fxnoe]+//g' |
		sort | uniq -c | sed "s/^ */# gt$n: /"
	pkts=$(from_peer "$n" | wc -l)
	check "gt$n ($v): the other side's packets arrived ($pkts)" \
		test "$pkts" -ge 100
	check "gt$n ($v): each with ${WIRE[n - 1]% proto}, its key, valid csum, seq" \
		peer_wire_ok "$n"
	if [ "$ROLE" = gre ]; then
		check_eq "gt$n ($v): $kmod dropped none of them (rx_fifo_errors, rx_errors)" \
			"0 0" "$(cat /sys/class/net/gt$n/statistics/rx_{fifo_,}errors | paste -sd' ')"
	else
		log "gt$n: rx_fifo_errors (late sequence numbers) $(cat /sys/class/net/gt$n/statistics/rx_fifo_errors)"
	fi
done

# Both sides keep their listeners until both are done: each connects to
# the other's done port, and waits for the other to connect to its own.
log "--- waiting for the other side to finish"
socat -u "TCP-LISTEN:$DONE_PORT,reuseaddr" OPEN:/dev/null >/dev/null 2>&1 &
DONE_LISTENER=$!
check "the other side finished (within $PEER_DONE_WAIT s of this one)" \
	wait_for "$PEER_DONE_WAIT" socat -u OPEN:/dev/null "TCP:10.50.1.$peer:$DONE_PORT"
check "the other side saw this one finish" \
	wait_for 60 bash -c "! kill -0 $DONE_LISTENER 2>/dev/null"
