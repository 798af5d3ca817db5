#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: the Debian packages gre-tun-dkms (the module's source, built
# by DKMS for each installed kernel) and gre-tun-iproute2 (the ip plugin),
# built from a copy of the tree into DEB_OUT (default .results/deb/).
# DEB_VERSION=V builds them as version V instead of dkms.conf's (the
# upgrade test installs one over the other).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DEB_OUT:-$REPO/.results/deb}
VERSION=${DEB_VERSION:-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")}

say() { printf 'deb: %s\n' "$*"; }

for tool in dpkg-buildpackage dh dh_dkms; do
	command -v "$tool" >/dev/null || {
		say "$tool is missing: run scripts/install-deps.sh (as root)" >&2
		exit 1
	}
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/gre-tun-$VERSION
# what the packages are built from: the tree as it is now
"$REPO/scripts/copy-tree.sh" "$SRC"
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$VERSION\"/" "$SRC/dkms.conf"
cat >"$SRC/debian/changelog" <<CHANGELOG
gre-tun ($VERSION) unstable; urgency=medium

  * Built from $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo "a tree without git").

 -- gre_tun developers <gre-tun@localhost>  $(date -R)
CHANGELOG

say "building gre-tun $VERSION"
(cd "$SRC" && dpkg-buildpackage -b -us -uc) >"$WORK/build.log" 2>&1 || {
	tail -n 40 "$WORK/build.log" >&2
	say "dpkg-buildpackage failed" >&2
	exit 1
}
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$WORK"/*.deb "$OUT/"
say "$(cd "$OUT" && echo *.deb)"
