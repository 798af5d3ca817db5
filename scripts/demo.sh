#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: install what is missing, build, boot a guest and run the
# LAN-to-LAN scenario in it (selftests/guest_demo.sh), told as a short story.
# GRETUN_UNDERLAY=6 (`make demo UNDERLAY=6`) tells its mirror image: the
# transit is IPv6-only. Exits 0 only if every step of it worked.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=$REPO/.results/demo
cd "$REPO"

say() { printf 'demo: %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
	say "run me as root: the packages, the guest and its namespaces need it" >&2
	exit 1
fi
say "installing what is missing (Debian packages, virtme-ng)"
./scripts/install-deps.sh

# shellcheck source=scripts/vm.sh
source "$REPO/scripts/vm.sh"
REL=$(guest_kernel)
say "building gre_tun.ko and the ip plugin for $REL"
make -s KDIR="/lib/modules/$REL/build" all

vng_setup "$REL"
say "booting $REL in a guest ($VNG_NOTE)"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
vng_exec "$RESULTS" "GRETUN_UNDERLAY=${GRETUN_UNDERLAY:-4} $REPO/selftests/guest_demo.sh && touch $RESULTS/ok" |
	grep -v '^\[ *[0-9.]*\] '

if [ -e "$RESULTS/ok" ]; then
	say "all of it worked"
else
	say "FAILED: see the lines marked FAIL above"
	exit 1
fi
