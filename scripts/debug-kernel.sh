#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the whole selftest suite on a kernel built with KASAN,
# lockdep (PROVE_LOCKING), kmemleak and UBSAN. The kernel is built once from
# Debian's linux-source-6.1, from `make allnoconfig` + kvm_guest.config +
# selftests/config + scripts/debug-kernel.config, and cached outside the
# tree; the module is built against it and the suite runs in one
# virtme-ng guest booted on it.
# After the suite, kmemleak scans: any report, or any KASAN, lockdep, UBSAN,
# WARNING or BUG in the guest's log, fails the run.
#
# Usage: debug-kernel.sh [check]   build the kernel if needed, run the suite
#        debug-kernel.sh build     build the kernel if needed, print its tree
#        debug-kernel.sh report    the verdict on the last run's results again
#        debug-kernel.sh guest RESULTS [TEST...]   (run by `check` in the guest)
#
# Environment: GRETUN_DEBUG_CACHE=DIR where the kernel is cached;
# GRETUN_TESTS="a.sh b.sh" runs only those; GRETUN_KVM=0|1 as for
# `make check`; GRETUN_TEST_TIMEOUT=SECONDS per test (default here 3600).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
SELF=$REPO/scripts/debug-kernel.sh
# what the tests need, then the machine, virtme-ng and the sanitizers
FRAGMENTS=("$REPO/selftests/config" "$REPO/scripts/debug-kernel.config")
CACHE=${GRETUN_DEBUG_CACHE:-/var/cache/gre_tun/debug-kernel}
SRC_PKG=linux-source-6.1
TARBALL=/usr/src/$SRC_PKG.tar.xz
RESULTS=$REPO/.results-debug

# What the suite's own gate looks for (HEALTH_RE), and the lines a debug
# kernel prints at every boot that would match it without being a report.
# shellcheck source=selftests/lib_health.sh
source "$REPO/selftests/lib_health.sh"
BANNER_RE='RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized'

# reports: the lines of a kernel log on stdin that are reports.
reports() {
	grep -E "$HEALTH_RE" | grep -Ev "$BANNER_RE" || true
}

say() { printf 'check-debug: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

# ---------------------------------------------------------------------
# The kernel. Everything that decides what gets built is in the functions
# below down to build_kernel: their text, the fragments and the source
# package's version make the cache key, so changing any of them rebuilds.

kmake() {
	nice -n 10 make -C "$KSRC" ARCH=x86_64 -j"$(nproc)" "$@"
}

# Every line of the fragments must be in the final .config as written: an
# option whose dependencies are missing is silently dropped by Kconfig.
verify_config() {
	local line opt want have bad=0

	while read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*} want=$line ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# } opt=${opt%% *} want= ;;
		*) continue ;;
		esac
		have=$(grep -E "^$opt=" "$KSRC/.config" || true)
		if [ "$have" != "$want" ]; then
			say "ERROR: $line did not survive olddefconfig (now: ${have:-not set})" >&2
			bad=1
		fi
	done < <(cat "${FRAGMENTS[@]}")
	return "$bad"
}

configure_kernel() {
	kmake allnoconfig
	kmake kvm_guest.config
	(cd "$KSRC" && ./scripts/kconfig/merge_config.sh -m .config "${FRAGMENTS[@]}")
	kmake olddefconfig
}

build_kernel() {
	local rel

	kmake bzImage modules
	rel=$(cat "$KSRC/include/config/kernel.release")
	rm -rf "${KDIR_ROOT:?}/lib" "${KDIR_ROOT:?}/boot"
	kmake INSTALL_MOD_PATH="$KDIR_ROOT" modules_install
	# vng finds the modules of boot/vmlinuz-REL in ../lib/modules/REL
	install -D -m 0644 "$KSRC/arch/x86/boot/bzImage" "$KDIR_ROOT/boot/vmlinuz-$rel"
}

cache_key() {
	local ver

	ver=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null) ||
		die "$SRC_PKG is not installed (apt-get install linux-source)"
	{
		echo "$ver"
		cat "${FRAGMENTS[@]}"
		declare -f kmake verify_config configure_kernel build_kernel
	} | sha256sum | cut -c1-12 | sed "s/^/$ver-/"
}

# The tarball may still be on its way (an install running in parallel);
# dpkg renames each file into place whole, so once it exists it is complete.
wait_for_tarball() {
	local i

	for i in $(seq 120); do
		[ -f "$TARBALL" ] && return
		[ "$i" = 1 ] && say "waiting for $TARBALL (is a package install running?)"
		sleep 5
	done
	die "no $TARBALL: apt-get install linux-source"
}

# ensure_kernel: KDIR_ROOT, KSRC and KREL name a built debug kernel,
# building it first if the cache has none for the current key.
ensure_kernel() {
	local start took old

	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	KDIR_ROOT=$CACHE/$(cache_key)
	KSRC=$KDIR_ROOT/linux
	if [ ! -e "$KDIR_ROOT/ready" ]; then
		wait_for_tarball
		say "building the debug kernel in $KDIR_ROOT (log: $KDIR_ROOT/build.log)"
		start=$SECONDS
		# A build that was interrupted after configuring resumes.
		if [ ! -e "$KDIR_ROOT/configured" ]; then
			rm -rf "$KDIR_ROOT"
			mkdir -p "$KSRC"
			tar -C "$KSRC" -xJf "$TARBALL" --strip-components=1
			configure_kernel >"$KDIR_ROOT/build.log" 2>&1 ||
				die "configuring failed: $KDIR_ROOT/build.log"
			verify_config || die "the configuration lacks what it needs"
			touch "$KDIR_ROOT/configured"
		fi
		if ! build_kernel >>"$KDIR_ROOT/build.log" 2>&1; then
			tail -n 40 "$KDIR_ROOT/build.log" >&2
			die "building failed: $KDIR_ROOT/build.log"
		fi
		took=$((SECONDS - start))
		echo "$took" >"$KDIR_ROOT/ready"
		say "debug kernel built in $((took / 60))m$((took % 60))s on $(nproc) CPUs"
		# Only the current key is kept.
		for old in "$CACHE"/*/; do
			[ "${old%/}" = "$KDIR_ROOT" ] || rm -rf "${old%/}"
		done
	else
		say "debug kernel cached in $KDIR_ROOT (built in $(cat "$KDIR_ROOT/ready")s)"
	fi
	KREL=$(cat "$KSRC/include/config/kernel.release")
	flock -u 9
}

# ---------------------------------------------------------------------
# In the guest: the suite, then a kmemleak scan.

kmemleak_scan() {
	echo scan >/sys/kernel/debug/kmemleak
}

guest() {
	local results=$1 rc=0

	shift
	# The boot itself must be clean; then only what the tests cause counts.
	dmesg >"$results/boot-dmesg.txt"
	# Leaks from before the tests (boot) are marked as seen, not reported.
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	kmemleak_scan
	echo clear >/sys/kernel/debug/kmemleak
	dmesg -C

	# KASAN and lockdep under TCG: everything takes about five times longer.
	GRETUN_TEST_TIMEOUT=${GRETUN_TEST_TIMEOUT:-3600} GRETUN_TIME_SCALE=5 \
		GRETUN_KO=$results/module/gre_tun.ko \
		"$REPO/selftests/run_all.sh" "$results" "$@" || rc=$?
	echo "check-debug: suite finished" >/dev/kmsg

	# What gre_tun allocated and never freed is unreferenced once it is
	# gone; kmemleak reports an object only on a second scan that finds
	# it still unreferenced, and only once it is 5 s old.
	rmmod gre_tun 2>/dev/null || true
	sleep 6
	kmemleak_scan
	sleep 6
	kmemleak_scan
	cat /sys/kernel/debug/kmemleak >"$results/kmemleak.txt"
	dmesg >"$results/final-dmesg.txt"
	echo "$rc" >"$results/guest-finished"
}

# ---------------------------------------------------------------------
# On the host.

build_module() {
	local dir=$RESULTS/module f

	mkdir -p "$dir"
	cp "$REPO/Kbuild" "$dir/"
	for f in "$REPO"/*.[ch]; do
		# not what a build for another kernel left behind
		case $f in *.mod.c) ;; *) cp "$f" "$dir/" ;; esac
	done
	make -s -C "$KSRC" M="$dir" modules
}

# verdict: read a finished run in RESULTS, print KTAP lines for what the
# guest checked after the suite, and the totals; fail if anything failed.
verdict() {
	local p f k

	passed=0 failed=0 skipped=0
	if [ ! -e "$RESULTS/guest-finished" ] || [ ! -s "$RESULTS/summary" ]; then
		say "FAIL: the guest did not finish its run"
		failed=1
	else
		read -r p f k < <(sed 's/[a-z]*=//g' "$RESULTS/summary")
		passed=$p failed=$f skipped=$k
	fi
	[ ! -e "$RESULTS/boot-dmesg.txt" ] ||
		reports <"$RESULTS/boot-dmesg.txt" >"$RESULTS/boot-reports.txt"
	report boot_reports "$RESULTS/boot-reports.txt"
	report kmemleak "$RESULTS/kmemleak.txt"
	# After the suite (whose own gate saw the rest): the module's removal
	# and the scans.
	sed -n '/check-debug: suite finished/,$p' "$RESULTS/final-dmesg.txt" 2>/dev/null |
		reports >"$RESULTS/final-reports.txt"
	report final_reports "$RESULTS/final-reports.txt"

	[ "$skipped" -eq 0 ] || say "$skipped skipped (not counted as passed)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

# report NAME FILE: a named check that FILE is empty.
report() {
	if [ -s "$2" ]; then
		echo "not ok $1"
		head -n 80 "$2" | sed 's/^/# /'
		failed=$((failed + 1))
	else
		echo "ok $1"
		passed=$((passed + 1))
	fi
}

check() {
	local start rel

	# shellcheck source=scripts/vm.sh
	source "$REPO/scripts/vm.sh"
	deps_install
	ensure_kernel
	say "guest kernel $KREL"

	rm -rf "$RESULTS"
	mkdir -p "$RESULTS"
	make -s -C "$REPO" plugin selftests
	build_module

	# Whether KVM works is the host's business: probe it with the
	# installed kernel, as `make check` does, then boot ours.
	if [ -z "${GRETUN_KVM:-}" ] && rel=$(guest_kernel 2>/dev/null); then
		vng_setup "$rel"
	else
		vng_setup none
	fi
	say "$VNG_NOTE"
	vng_command "$KDIR_ROOT/boot/vmlinuz-$KREL" 3G

	start=$SECONDS
	# virtme-init hides some host folders (/var/cache, /root) behind a
	# tmpfs: mount the modules where the guest's /lib/modules points.
	# five times slower: a test may be silent longer than make check allows
	GRETUN_SILENCE_LIMIT=${GRETUN_SILENCE_LIMIT:-1500} \
		vng_exec "$RESULTS" "$SELF guest $RESULTS ${GRETUN_TESTS:-}" \
		--rodir "$KDIR_ROOT/lib"
	say "boot and suite took $((SECONDS - start))s"

	verdict
}

main() {
	case ${1:-check} in
	check) check ;;
	build) ensure_kernel; echo "$KSRC" ;;
	report) verdict ;;
	guest) shift; guest "$@" ;;
	*) die "usage: $0 [check|build|report|guest RESULTS [TEST...]]" ;;
	esac
}

# One line, read whole before it runs: editing this file during an hour's
# run cannot change what the run does next.
main "$@"; exit
