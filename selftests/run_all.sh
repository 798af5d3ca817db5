#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the tests selftests/Makefile lists (TEST_PROGS), or those named, in
# this kernel, one after the other, and report in KTAP. With RESULTS_DIR,
# also write RESULTS_DIR/summary, the side channel `make check` reads: it
# exists only if the run finished.
#
# Usage: run_all.sh [RESULTS_DIR] [TEST...]
# GRETUN_TEST_TIMEOUT=SECONDS bounds each test (default: `timeout=` in
# selftests/settings; a debug kernel under TCG needs more).

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
limit=${GRETUN_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' "$HERE/settings")}
if [ "${#tests[@]}" -eq 0 ] || [ -z "$limit" ]; then
	echo "run_all: no tests in $HERE/Makefile or no timeout in $HERE/settings" >&2
	exit 1
fi
[ -n "$RESULTS" ] && rm -f "$RESULTS/summary"

passed=0 failed=0 skipped=0 n=0
echo "TAP version 13"
echo "1..$((${#tests[@]} + 1))"
# what the tests run on (lib.sh puts GRETUN_IP_DIR first in PATH)
echo "# kernel $(uname -r); $(PATH=${GRETUN_IP_DIR:+$GRETUN_IP_DIR:}$PATH ip -V)"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	start=$SECONDS
	timeout "$limit" "./$name.sh" 2>&1
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

if [ -n "$RESULTS" ]; then
	dmesg >"$RESULTS/dmesg.txt"
	echo "passed=$passed failed=$failed skipped=$skipped" >"$RESULTS/summary"
fi
[ "$skipped" -eq 0 ] || echo "# $skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
