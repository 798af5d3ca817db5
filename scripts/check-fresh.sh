#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-fresh`: prove a freshly installed Debian 12 gets from nothing
# to green with the README's commands alone. Builds a minimal bookworm
# root (debootstrap, mirror taken from this machine's own apt sources),
# copies the tree in and, chrooted there with /dev, /proc and /sys bound,
# installs only `make`, then runs `make demo` and `make check-install`
# (the build, lint and packaging of make check, then make install, DKMS
# and the Debian packages in a guest), or `make check` with FRESH_TESTS.
# The guests boot from inside the chroot, on the kernel the chroot's own
# install step put there.
#
# Environment: FRESH_ROOT=DIR (default /var/tmp/gre_tun-fresh, emptied
# first), FRESH_TESTS="a.sh ..." for make check instead of check-install,
# FRESH_KEEP=1 keeps the root.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${FRESH_ROOT:-/var/tmp/gre_tun-fresh}
TESTS=${FRESH_TESTS:-}
START=$SECONDS

say() { printf 'check-fresh: %s (%ds)\n' "$*" "$((SECONDS - START))"; }

[ "$(id -u)" = 0 ] || { say "run me as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || "$REPO/scripts/install-deps.sh"

mirror=$("$REPO/scripts/install-deps.sh" --mirror)

unmount_all() {
	local m

	for m in sys proc dev/pts dev; do
		umount -l "$ROOT/$m" 2>/dev/null || true
	done
	[ "${FRESH_KEEP:-0}" = 1 ] || rm -rf "$ROOT"
}

unmount_all
trap unmount_all EXIT
say "a minimal bookworm root in $ROOT"
debootstrap --variant=minbase bookworm "$ROOT" "$mirror" >"$REPO/.fresh-debootstrap.log" 2>&1 || {
	tail -n 20 "$REPO/.fresh-debootstrap.log" >&2
	exit 1
}
rm -f "$REPO/.fresh-debootstrap.log"
for m in dev dev/pts proc sys; do
	mount --bind "/$m" "$ROOT/$m"
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

"$REPO/scripts/copy-tree.sh" "$ROOT/root/gre_tun"

run() {
	say "in the fresh root: $*"
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c "cd /root/gre_tun && $*"
}

run "apt-get update -qq && apt-get install -y -qq make >/dev/null"
run "make demo"
say "make demo passed"
if [ -n "$TESTS" ]; then
	run "GRETUN_TESTS='$TESTS' make check"
else
	run "make check-install"
fi
say "passed: make demo and make check${TESTS:+ ($TESTS)}${TESTS:--install} from nothing"
