#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: install what is missing, build and lint, then run every
# selftest in one virtme-ng guest booted with an installed kernel, and
# report. Exits non-zero on any failure, a skip is reported apart.
#
# Environment: GRETUN_KERNEL=RELEASE picks the guest kernel (default: the
# running one if it is installed with headers, else the newest such);
# GRETUN_KVM=0|1 forces TCG or KVM (default: KVM if a probe boots on it);
# GRETUN_TCG_THREAD=multi gives TCG a host thread per vCPU (see vm.sh);
# GRETUN_TESTS="a.sh b.sh" runs only those, without the two-guest interop;
# GRETUN_UNDERLAYS="6" (or "4") only the runs over that underlay of the
# tests that run over both (see run_all.sh), and of the interop;
# GRETUN_IP=backports runs them with bookworm-backports' ip;
# GRETUN_INSTALL_WAYS (make, dkms, deb) for gretun_install.sh;
# GRETUN_GUESTS=N runs the tests in up to N guests side by side (default
# 2, never more than the host's CPUs).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=$REPO/.results
cd "$REPO"

say() { printf 'check: %s\n' "$*"; }

# shellcheck source=scripts/vm.sh
source "$REPO/scripts/vm.sh"
deps_install

REL=$(guest_kernel)
KDIR=/lib/modules/$REL/build
say "guest kernel $REL"

make -s KDIR="$KDIR" all
make -s KDIR="$KDIR" lint

vng_setup "$REL"
say "$VNG_NOTE"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# gretun_install.sh installs these in the guest; its deb way then
# installs a later version over them, and has DKMS build for a second
# kernel as a kernel upgrade would
DEB_OUT=$RESULTS/deb ./scripts/deb.sh
if [[ " ${GRETUN_INSTALL_WAYS:-make} " == *" deb "* ]]; then
	DEB_VERSION="$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf).1" \
		DEB_OUT=$RESULTS/deb-next ./scripts/deb.sh
	if [ "$(other_kernels "$REL")" = "" ]; then
		say "the upgrade test needs a second kernel's headers: installing bookworm-backports' kernel"
		./scripts/install-deps.sh --backports-kernel >/dev/null
	fi
fi
# /usr, /etc and /var are overlays in the guest: installing there is
# real for the tests and gone with the guest
# GRETUN_IP=backports: the tests use backports' ip (and our plugin in it)
ip_dir=
if [ "${GRETUN_IP:-}" = backports ]; then
	ip_dir=$(./scripts/install-deps.sh --backports-ip | tail -n 1)
	say "ip for the tests: $("$ip_dir/ip" -V)"
fi
# guest K: run_all.sh, sharing the list with the other guests through
# claims in RESULTS/claims
guest() {
	vng_exec "$RESULTS" "env GRETUN_IP_DIR=$ip_dir GRETUN_INSTALL_WAYS='${GRETUN_INSTALL_WAYS:-make}' \
GRETUN_TEST_TIMEOUT=${GRETUN_TEST_TIMEOUT:-} GRETUN_UNDERLAYS='${GRETUN_UNDERLAYS:-4 6}' \
GRETUN_CLAIMS=$RESULTS/claims $REPO/selftests/run_all.sh $RESULTS/guest$1 ${GRETUN_TESTS:-}" \
		--overlay-rwdir /usr --overlay-rwdir /etc --overlay-rwdir /var
}
# One guest per host CPU, at most GRETUN_GUESTS (default 2): under TCG a
# guest runs on one host thread (vm.sh), so two halve the wall time.
guests=$(nproc)
[ "$guests" -le "${GRETUN_GUESTS:-2}" ] || guests=${GRETUN_GUESTS:-2}
[ -z "${GRETUN_TESTS:-}" ] || [ "$guests" -le "$(wc -w <<<"$GRETUN_TESTS")" ] ||
	guests=$(wc -w <<<"$GRETUN_TESTS")
mkdir -p "$RESULTS/claims"
summaries=()
pids=()
for k in $(seq 1 "$guests"); do
	mkdir -p "$RESULTS/guest$k"
	summaries+=("$RESULTS/guest$k/summary")
	if [ "$guests" -eq 1 ]; then
		guest "$k"
	else
		guest "$k" 2>&1 | sed -u "s/^/g$k| /" &
		pids+=($!)
	fi
done
for pid in "${pids[@]}"; do
	wait "$pid" || true
done

# The wire-compatibility run needs two guests of its own; a run of chosen
# tests (GRETUN_TESTS) leaves it out.
if [ -z "${GRETUN_TESTS:-}" ]; then
	INTEROP_RESULTS=$RESULTS/interop ./scripts/interop.sh || true
	summaries+=("$RESULTS/interop/gretun/summary" "$RESULTS/interop/gre/summary")
fi

passed=0 failed=0 skipped=0
for s in "${summaries[@]}"; do
	if [ ! -s "$s" ]; then
		say "FAIL: a guest did not finish its run (no $s)"
		failed=$((failed + 1))
		continue
	fi
	read -r p f k < <(sed 's/[a-z]*=//g' "$s")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
done
[ "$skipped" -eq 0 ] || say "$skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
