#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make interop` (also part of `make check`): gretun against the kernel's
# own GRE. Two guests, one loading gre_tun and one ip_gre, share one QEMU
# network on loopback; both run selftests/guest_interop.sh and each writes its
# summary under INTEROP_RESULTS (default .results/interop/{gretun,gre}).
# Over IPv4 (ip_gre) then over IPv6 (ip6_gre) in the same boots;
# GRETUN_UNDERLAYS="4" or "6" makes one of the two.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${INTEROP_RESULTS:-$REPO/.results/interop}
DATA_MB=${INTEROP_MB:-4}
MAC_GRETUN=52:54:00:47:00:01
MAC_GRE=52:54:00:47:00:02

say() { printf 'interop: %s\n' "$*"; }

# shellcheck source=scripts/vm.sh
source "$REPO/scripts/vm.sh"
REL=$(guest_kernel)
vng_setup "$REL"
say "guest kernel $REL; $VNG_NOTE"
[ -e "$REPO/gre_tun.ko" ] || make -s -C "$REPO" KDIR="/lib/modules/$REL/build" all

rm -rf "$RESULTS"
mkdir -p "$RESULTS/gretun" "$RESULTS/gre"
head -c "${DATA_MB}M" /dev/urandom >"$RESULTS/data"

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
port=$((20000 + RANDOM % 20000))
until port_free "$port"; do port=$((port + 1)); done

# guest ROLE MAC NETDEV: boot one side, running guest_interop.sh as ROLE; a
# guest that hangs whole is killed after GUEST_LIMIT seconds.
GUEST_LIMIT=${INTEROP_GUEST_LIMIT:-1500}
guest() {
	VNG=(timeout -k 10 "$GUEST_LIMIT" "${VNG[@]}")
	vng_exec "$RESULTS/$1" \
		"INTEROP_ROLE=$1 INTEROP_DATA=$RESULTS/data INTEROP_MAC=$2 INTEROP_FAULT=${INTEROP_FAULT:-} GRETUN_UNDERLAYS='${GRETUN_UNDERLAYS:-4 6}' $REPO/selftests/run_all.sh $RESULTS/$1 guest_interop.sh" \
		--qemu-opts="-netdev socket,id=w0,$3 -device virtio-net-pci,netdev=w0,mac=$2"
}

# The listening side's QEMU must be up before the other connects.
say "booting the ip_gre guest (listens on 127.0.0.1:$port)"
guest gre "$MAC_GRE" "listen=127.0.0.1:$port" >"$RESULTS/gre.log" 2>&1 &
gre_pid=$!
for _ in $(seq 1 120); do
	port_free "$port" || break
	kill -0 "$gre_pid" 2>/dev/null || break
	sleep 0.5
done
if port_free "$port"; then
	say "FAIL: the ip_gre guest never listened"
	sed 's/^/gre| /' "$RESULTS/gre.log"
	exit 1
fi

say "booting the gretun guest"
guest gretun "$MAC_GRETUN" "connect=127.0.0.1:$port" >"$RESULTS/gretun.log" 2>&1 &
gretun_pid=$!

# The two sides end within seconds of each other (each waits for the
# other's last step): once one guest is gone, the other gets LATE seconds
# to finish, then it is stopped and the run fails, naming it.
LATE=${INTEROP_LATE:-60}
wait -n "$gre_pid" "$gretun_pid" || true
for side in gre gretun; do
	pid_var=${side}_pid
	pid=${!pid_var}
	for _ in $(seq 1 "$LATE"); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "FAIL: the $side guest was still running $LATE s after the other ended: stopping it"
		kill_tree "$pid"
	fi
	wait "$pid" || true
done
for side in gretun gre; do
	sed "s/^/$side| /" "$RESULTS/$side.log"
done

rc=0
for side in gretun gre; do
	if [ -s "$RESULTS/$side/summary" ]; then
		say "$side side: $(cat "$RESULTS/$side/summary")"
		grep -q ' failed=0 ' "$RESULTS/$side/summary" || rc=1
	else
		say "FAIL: the $side guest did not finish"
		rc=1
	fi
done
exit "$rc"
