#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the tests selftests/Makefile lists (TEST_PROGS), or those named, in
# this kernel, one after the other, and report in KTAP. Each test of
# TEST_PROGS_UNDERLAY6 runs twice, over an IPv4 underlay then over IPv6
# (GRETUN_UNDERLAY=6), the second reported as "NAME underlay=6". With
# RESULTS_DIR, also write RESULTS_DIR/summary, the side channel `make
# check` reads: it exists only if the run finished.
#
# Usage: run_all.sh [RESULTS_DIR] [TEST...]
# GRETUN_TEST_TIMEOUT=SECONDS bounds each test (default: `timeout=` in
# selftests/settings; a debug kernel under TCG needs more).
# GRETUN_UNDERLAYS="4 6" (the default), "4" or "6": which runs to make of
# the tests that run over both; the others (which cover both families
# themselves, or have no underlay) run once whatever it says.
# GRETUN_CLAIMS=DIR: several guests share the list (scripts/check.sh): a
# run is made by the guest that first creates DIR/INDEX, mkdir being atomic
# in the host directory they share; each reports only its own runs.

HERE=$(cd "$(dirname "$0")" && pwd)
RESULTS=${1:-}
shift || true
# shellcheck source=selftests/lib_health.sh
source "$HERE/lib_health.sh"

cd "$HERE" || exit 1
if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(make -s -C "$HERE" print-tests)
fi
mapfile -t over6 < <(make -s -C "$HERE" print-tests-underlay6)
limit=${GRETUN_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$HERE/settings")}

# runs: "TEST UNDERLAY", each test's IPv4 run then its IPv6 one
for u in ${GRETUN_UNDERLAYS:-4 6}; do
	[[ "$u" = 4 || "$u" = 6 ]] && continue
	echo "run_all: GRETUN_UNDERLAYS=\"$GRETUN_UNDERLAYS\": 4 and/or 6" >&2
	exit 1
done
runs=()
for t in "${tests[@]}"; do
	t=$(basename "$t" .sh).sh
	if [[ " ${over6[*]} " != *" $t "* ]]; then
		runs+=("$t 4")
		continue
	fi
	for u in ${GRETUN_UNDERLAYS:-4 6}; do
		runs+=("$t $u")
	done
done
if [ "${#runs[@]}" -eq 0 ] || [ -z "$limit" ]; then
	echo "run_all: no tests to run (of ${tests[*]:-none}, underlays ${GRETUN_UNDERLAYS:-4 6})" \
		"or no timeout in $HERE/settings" >&2
	exit 1
fi
[ -n "$RESULTS" ] && rm -f "$RESULTS/summary"

passed=0 failed=0 skipped=0 n=0
echo "TAP version 13"
# with claims the count is known at the end only, where TAP allows the plan
[ -n "${GRETUN_CLAIMS:-}" ] || echo "1..$((${#runs[@]} + 1))"
# what the tests run on (lib.sh puts GRETUN_IP_DIR first in PATH)
echo "# kernel $(uname -r); $(PATH=${GRETUN_IP_DIR:+$GRETUN_IP_DIR:}$PATH ip -V)"
for i in "${!runs[@]}"; do
	[ -z "${GRETUN_CLAIMS:-}" ] || mkdir "$GRETUN_CLAIMS/$i" 2>/dev/null ||
		continue
	read -r t u <<<"${runs[i]}"
	n=$((n + 1))
	name=$(basename "$t" .sh)
	[ "$u" = 4 ] || name="$name underlay=$u"
	start=$SECONDS
	GRETUN_UNDERLAY=$u timeout "$limit" "./$t" 2>&1
	rc=$?
	took="$((SECONDS - start))s"
	case $rc in
	0) echo "ok $n $name # $took"; passed=$((passed + 1)) ;;
	4) echo "ok $n $name # SKIP"; skipped=$((skipped + 1)) ;;
	*) echo "not ok $n $name # exit $rc, $took"; failed=$((failed + 1)) ;;
	esac
done

# The whole boot, not just each test's window: nothing may hide.
n=$((n + 1))
if dmesg | grep -Eq "$HEALTH_RE"; then
	dmesg | grep -E -B2 -A20 "$HEALTH_RE" | head -n 80 | sed 's/^/# /'
	echo "not ok $n kernel_health"
	failed=$((failed + 1))
else
	echo "ok $n kernel_health"
	passed=$((passed + 1))
fi
[ -z "${GRETUN_CLAIMS:-}" ] || echo "1..$n"

if [ -n "$RESULTS" ]; then
	dmesg >"$RESULTS/dmesg.txt"
	echo "passed=$passed failed=$failed skipped=$skipped" >"$RESULTS/summary"
fi
[ "$skipped" -eq 0 ] || echo "# $skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
