#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: gretun against the kernel's ip_gre and plain routing, side
# by side in one guest (selftests/bench.sh), then medians, spread, ratios,
# a CSV and a chart in .results/bench/ (scripts/bench-report.py).
#
# Environment: BENCH_ROUNDS (default 5) alternating rounds, BENCH_SECS
# (default 5) seconds a measurement; BENCH_PROFILE=1 adds CPU profiles;
# BENCH_SCALE_N (10000) other tunnels, BENCH_MEM_N (1000) tunnels to weigh;
# GRETUN_KERNEL and GRETUN_KVM as for make check. Numbers from a TCG guest compare the drivers with each other
# on one machine, nothing more.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=$REPO/.results/bench
cd "$REPO"

say() { printf 'bench: %s\n' "$*"; }

# shellcheck source=scripts/vm.sh
source "$REPO/scripts/vm.sh"
deps_install
REL=$(guest_kernel)
make -s KDIR="/lib/modules/$REL/build" all
vng_setup "$REL"
say "guest kernel $REL; $VNG_NOTE"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
{
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "guest: kernel $REL, 2 vCPUs, $([ "$GRETUN_KVM" = 1 ] && echo KVM || echo TCG)"
	echo "gre_tun: $(git describe --always --dirty 2>/dev/null || echo unknown)"
} >"$RESULTS/machine.txt"
cat "$RESULTS/machine.txt"

vng_exec "$RESULTS" "env BENCH_PROFILE=${BENCH_PROFILE:-0} \
BENCH_SCALE_N=${BENCH_SCALE_N:-10000} BENCH_MEM_N=${BENCH_MEM_N:-1000} \
$REPO/selftests/bench.sh $RESULTS ${BENCH_ROUNDS:-5} ${BENCH_SECS:-5}" |
	tee "$RESULTS/guest.log"
"$REPO/scripts/bench-report.py" "$RESULTS" | tee "$RESULTS/report.txt"
# the guest's own checks: every measurement made, kernel healthy
grep -q '^# bench: [0-9]* checks, 0 failed' "$RESULTS/guest.log"
