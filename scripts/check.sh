#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: install what is missing, build and lint, then run every
# selftest in one virtme-ng guest booted with an installed kernel, and
# report. Exits non-zero on any failure, a skip is reported apart.
#
# Environment: GRETUN_KERNEL=RELEASE picks the guest kernel (default: the
# running one if it is installed with headers, else the newest such);
# GRETUN_KVM=0|1 forces TCG or KVM (default: KVM if a probe boots on it).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=$REPO/.results
cd "$REPO"

say() { printf 'check: %s\n' "$*"; }

if [ "$(id -u)" = 0 ]; then
	./scripts/install-deps.sh
else
	say "not root: not installing packages; the guest needs root anyway" >&2
fi

# A kernel we can boot and build against: image and headers of one release.
guest_kernel() {
	local rel

	if [ -n "${GRETUN_KERNEL:-}" ]; then
		echo "$GRETUN_KERNEL"
		return
	fi
	rel=$(uname -r)
	if [ -e "/boot/vmlinuz-$rel" ] && [ -d "/lib/modules/$rel/build" ]; then
		echo "$rel"
		return
	fi
	for rel in $(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -rV); do
		if [ -e "/boot/vmlinuz-$rel" ] && [ -d "/lib/modules/$rel/build" ]; then
			echo "$rel"
			return
		fi
	done
	echo "check: no kernel with both /boot/vmlinuz-X and headers; install linux-image-amd64 linux-headers-amd64" >&2
	exit 1
}

# Some hosts expose /dev/kvm but cannot run a guest on it: boot the kernel
# there briefly and look for its banner before trusting KVM.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	timeout 10 qemu-system-x86_64 -enable-kvm -cpu host -m 256 \
		-display none -serial stdio -no-reboot \
		-kernel "/boot/vmlinuz-$1" -append "console=ttyS0 panic=-1" \
		2>/dev/null | grep -q -m1 "Linux version"
}

REL=$(guest_kernel)
KDIR=/lib/modules/$REL/build
say "guest kernel $REL"

make -s KDIR="$KDIR" all selftests/gretun_nl
make -s KDIR="$KDIR" lint

VNG=(vng --run "/boot/vmlinuz-$REL" --memory 2G --cpus 2)
case "${GRETUN_KVM:-auto}" in
0) VNG+=(--disable-kvm) ;;
1) ;;
*) if kvm_works "$REL"; then
	   say "KVM works here: using it"
   else
	   say "KVM unusable here: using TCG (slower)"
	   VNG+=(--disable-kvm)
   fi ;;
esac

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# vng resolves --rwdir against the current directory: run it from /. Its
# output goes through a pipe: it reopens a regular-file stdout at offset 0.
(cd / && "${VNG[@]}" --rwdir "$RESULTS" \
	--exec "$REPO/selftests/run_all.sh $RESULTS ${GRETUN_TESTS:-}") | cat

if [ ! -s "$RESULTS/summary" ]; then
	say "FAIL: the guest did not finish the run (no $RESULTS/summary)"
	exit 1
fi
read -r passed failed skipped < <(sed 's/[a-z]*=//g' "$RESULTS/summary")
[ "$skipped" -eq 0 ] || say "$skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
