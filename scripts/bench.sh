#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: gretun against the kernel's ip_gre and plain routing, side
# by side in one guest (selftests/guest_bench.sh), then medians, spread,
# ratios, a CSV and a chart in .results/bench/ (scripts/bench-report.py).
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

# share FILE DSO_RE [SYMBOL_RE]: percent of samples in matching DSOs (and symbols)
share() {
	perf report -i "$1" --kallsyms="$KALLSYMS" --stdio --sort dso,sym \
		2>/dev/null | awk -v d="$2" -v s="${3:-.}" '
		$1 ~ /%$/ && $2 ~ d && $NF ~ s { t += $1 }
		END { printf "%.1f", t }'
}

# profiles_report: the guest's perf samples, read here (perf report
# crawls in a TCG guest): a report each, then where the CPUs went
profiles_report() {
	local data name mode

	for data in "$RESULTS"/profile-*.data; do
		[ -e "$data" ] || return 0
		name=$(basename "$data" .data)
		mode=${name#profile-}
		mode=${mode%%-*}
		KALLSYMS=$RESULTS/kallsyms-$mode
		perf report -i "$data" --kallsyms="$KALLSYMS" --stdio \
			--sort dso,sym --percent-limit 0.3 >"$RESULTS/$name.txt" \
			2>/dev/null
		printf '%-24s driver %5s%%  idle %5s%%  clock reads %5s%%\n' \
			"${name#profile-}" \
			"$(share "$data" '^\[(gre_tun|ip_gre|gre|ip_tunnel)\]$')" \
			"$(share "$data" 'kernel' '^native_safe_halt$')" \
			"$(share "$data" 'kernel' '^read_(hpet|tsc)$')"
	done
}

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
{
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "guest: kernel $REL, 2 vCPUs, $([ "$GRETUN_KVM" = 1 ] && echo KVM || echo TCG)"
	echo "gre_tun: $(git describe --always --dirty 2>/dev/null || echo unknown)"
} >"$RESULTS/machine.txt"
cat "$RESULTS/machine.txt"

GRETUN_SILENCE_LIMIT=${GRETUN_SILENCE_LIMIT:-900} \
	vng_exec "$RESULTS" "env BENCH_PROFILE=${BENCH_PROFILE:-0} \
BENCH_SCALE_N=${BENCH_SCALE_N:-10000} BENCH_MEM_N=${BENCH_MEM_N:-1000} \
$REPO/selftests/guest_bench.sh $RESULTS ${BENCH_ROUNDS:-5} ${BENCH_SECS:-5}" |
	tee "$RESULTS/guest.log"
"$REPO/scripts/bench-report.py" "$RESULTS" | tee "$RESULTS/report.txt"
profiles_report | tee -a "$RESULTS/report.txt"
# the guest's own checks: every measurement made, kernel healthy
grep -q '^# guest_bench: [0-9]* checks, 0 failed' "$RESULTS/guest.log"
