#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: the module must build without a warning under W=1 and
# sparse, pass checkpatch, the plugin must need nothing `ip` does not
# export, every program the scripts call must come from install-deps.sh's
# packages (or Debian's base), and the shell scripts must pass shellcheck.
# Environment: KDIR (kernel build tree), PLUGIN (the built plugin).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
CACHE=$REPO/.cache
failed=0

step() { printf 'lint: %s\n' "$*"; }
fail() { printf 'lint: FAIL: %s\n' "$*"; failed=1; }

step "module with W=1 and sparse (C=2)"
out=$(make -C "$KDIR" M="$REPO" W=1 C=2 modules 2>&1) || fail "module build"
if grep -E 'warning:|error:' <<<"$out"; then
	fail "compiler or sparse warnings"
fi

step "selftest helpers with -Wall -Wextra -Werror"
make -s -B -C selftests EXTRA_CFLAGS=-Werror || fail "selftest helpers"

step "selftests/Makefile lists every test (TEST_PROGS, TEST_PROGS_UNDERLAY6) and script (TEST_FILES)"
# unlisted VAR WHAT FILE...: FILEs not in the Makefile's VAR (make
# print-WHAT), and the names in VAR that are no file in selftests/
unlisted() {
	local var=$1 listed f

	listed=$(make -s -C selftests "print-$2" | sort)
	shift 2
	for f in $(comm -13 <(echo "$listed") <(printf '%s\n' "$@" | sort)); do
		echo "selftests/$f is not in $var"
	done
	for f in $(comm -23 <(echo "$listed") <(printf '%s\n' "$@" | sort)); do
		echo "$var names $f, which is not in selftests/"
	done
}
tests=() others=()
for f in selftests/*.sh selftests/*.py; do
	f=${f#selftests/}
	case $f in
	gretun_*.sh) tests+=("$f") ;;
	*) others+=("$f") ;;
	esac
done
out=$(unlisted TEST_PROGS tests "${tests[@]}"
	unlisted TEST_FILES files "${others[@]}"
	for f in $(comm -23 <(make -s -C selftests print-tests-underlay6 | sort) \
		<(make -s -C selftests print-tests print-files | sort)); do
		echo "TEST_PROGS_UNDERLAY6 names $f, which is in neither TEST_PROGS nor TEST_FILES"
	done)
[ -z "$out" ] || fail "selftests/Makefile: $out"

step "checkpatch"
checkpatch() {
	local tarball

	if [ ! -x "$CACHE/scripts/checkpatch.pl" ]; then
		tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1)
		[ -n "$tarball" ] || return 2
		mkdir -p "$CACHE"
		tar -C "$CACHE" -xJf "$tarball" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
	fi
	perl "$CACHE/scripts/checkpatch.pl" --no-tree --terse --show-types \
		--strict -f gre_tun.c gre_tun.h compat.h
}
if checkpatch; then :; else
	rc=$?
	if [ "$rc" -eq 2 ]; then
		fail "checkpatch: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source)"
	else
		fail "checkpatch"
	fi
fi

step "plugin needs only what ip exports"
missing=$(comm -23 \
	<(nm -D --undefined-only "$PLUGIN" | awk '$1 == "U" && $2 !~ /@/ { print $2 }' | sort -u) \
	<(nm -D --defined-only "$(command -v ip)" | awk '{ print $3 }' | sort -u))
[ -z "$missing" ] || fail "ip does not export: $missing"

step "every program the scripts call is installed by install-deps.sh"
./scripts/deps-check.sh || fail "deps-check"

step "shellcheck"
shellcheck -x scripts/*.sh selftests/*.sh .ci/run || fail "shellcheck"

[ "$failed" -eq 0 ] && step "all clean"
exit "$failed"
