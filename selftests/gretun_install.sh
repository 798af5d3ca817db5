#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installing as a user would. make check boots this guest with /usr, /etc
# and /var as throwaway overlays, so each way in can be installed, used
# and removed for real. GRETUN_INSTALL_WAYS picks them: make check tries
# "make" only; make check-install all three, "make dkms deb", as each DKMS
# build takes minutes in a guest without KVM.
#   make install      then `ip link add ... type gretun` with no insmod
#                     (autoload by alias) and no IP_LIB_DIR (the plugin
#                     where ip looks), traffic; make uninstall, nothing left
#   make dkms-install DKMS builds for this kernel, the same; make
#                     dkms-uninstall, nothing left
#   the Debian packages of make deb (GRETUN_DEBS=DIR): dpkg -i builds with
#                     DKMS, the same; apt-get remove --purge, nothing left
#
#   ns a: veth0 192.0.2.1/24, gt0 10.9.0.1/30 ---- ns b: the mirror

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

WAYS=${GRETUN_INSTALL_WAYS:-make}
REL=$(uname -r)
KDIR=/lib/modules/$REL/build
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$GRETUN_DIR/dkms.conf")
DEBS=${GRETUN_DEBS:-$GRETUN_DIR/.results/deb}
# what ip would use on a user's machine, not the tree's plugin
unset IP_LIB_DIR

touch "/usr/lib/modules/$REL/.gretun-probe" 2>/dev/null ||
	skip "/usr is read-only here: make check boots with overlays"
rm -f "/usr/lib/modules/$REL/.gretun-probe"
[ -d "$KDIR" ] || skip "no headers for $REL"

# way NAME: NAME is one of the ways to try
way() { [[ " $WAYS " == *" $1 "* ]]; }
for w in $WAYS; do
	case $w in
	make | dkms | deb) ;;
	*) fail "GRETUN_INSTALL_WAYS: no way '$w' (make, dkms, deb)" ;;
	esac
done

# a release as a regular expression (6.12.95+deb12-amd64 has a +)
REL_RE=${REL//./\\.}
REL_RE=${REL_RE//+/\\+}

# ours_left: every file an installation of ours could leave behind
ours_left() {
	find /usr/lib/modules /usr/src /var/lib/dkms /usr/lib/*/ip \
		\( -name 'gre_tun.ko*' -o -name 'gre-tun*' -o -name 'link_gretun.so' \) \
		-print 2>/dev/null
	grep -l gre_tun "/usr/lib/modules/$REL/modules.alias" 2>/dev/null
	dpkg-query -W -f='${Package} ${Status}\n' 'gre-tun-*' 2>/dev/null |
		grep -v 'not-installed'
}

# installed_in FILE DIR: FILE is our module under this kernel's DIR
# (compressed or not: 6.12's modules_install compresses)
installed_in() {
	case $1 in
	"/lib/modules/$REL/$2/gre_tun.ko"* | "/usr/lib/modules/$REL/$2/gre_tun.ko"*) ;;
	*) return 1 ;;
	esac
}

# works_as_installed HOW DIR: with nothing loaded, ip link add loads the
# installed module, the plugin prints the options, a ping crosses.
works_as_installed() {
	local how=$1 file

	gretun_unload
	check "$how: no gre_tun loaded" test ! -d /sys/module/gre_tun
	check "$how: ip link add ... type gretun loads the module" \
		at a ip link add gt0 type gretun local 192.0.2.1 remote 192.0.2.2 key 7
	file=$(modinfo -n gre_tun 2>&1)
	check "$how: the module loaded is the installed one ($file)" \
		installed_in "$file" "$2"
	check_output "$how: ip -d link prints gretun's options" \
		'gretun .*remote 192\.0\.2\.2.*key 0\.0\.0\.7' at a ip -d link show gt0
	at a ip addr add 10.9.0.1/30 dev gt0
	at a ip link set gt0 up
	at b ip link add gt0 type gretun local 192.0.2.2 remote 192.0.2.1 key 7
	at b ip addr add 10.9.0.2/30 dev gt0
	at b ip link set gt0 up
	check "$how: ping through the tunnel" ping4 a 10.9.0.2 3
	pair_down
	check "$how: rmmod gre_tun" gretun_unload
}

nothing_left() {
	check_eq "$1: nothing of ours left" "" "$(ours_left)"
	check_fail "$1: modprobe gre_tun finds nothing" modprobe gre_tun
}

gretun_unload
underlay_up
nothing_left "before"

TREE=$TMP/tree
"$GRETUN_DIR/scripts/copy-tree.sh" "$TREE"

if way make; then
	log "--- make install, make uninstall (${SECONDS}s in)"
	check "make install" make -s -C "$TREE" KDIR="$KDIR" install
	works_as_installed "make install" extra
	check "make uninstall" make -s -C "$TREE" KDIR="$KDIR" uninstall
	nothing_left "make uninstall"
fi

if way dkms; then
	log "--- make dkms-install, make dkms-uninstall (${SECONDS}s in)"
	check "make dkms-install (DKMS builds for $REL)" \
		make -s -C "$TREE" KDIR="$KDIR" dkms-install
	check_output "dkms status: installed for $REL" \
		"gre-tun/$VERSION, $REL_RE, [^:]*: installed" dkms status
	works_as_installed "make dkms-install" updates/dkms
	check "make dkms-uninstall" make -s -C "$TREE" dkms-uninstall
	nothing_left "make dkms-uninstall"
fi

if way deb; then
	log "--- the Debian packages (${SECONDS}s in)"
	if ls "$DEBS"/gre-tun-dkms_*.deb "$DEBS"/gre-tun-iproute2_*.deb >/dev/null 2>&1; then
		check "dpkg -i gre-tun-dkms gre-tun-iproute2 (DKMS builds for $REL)" \
			dpkg -i "$DEBS"/gre-tun-dkms_*.deb "$DEBS"/gre-tun-iproute2_*.deb
		check_output "dkms status: installed for $REL" \
			"gre-tun/$VERSION, $REL_RE, [^:]*: installed" dkms status
		works_as_installed "the .deb" updates/dkms
		check "apt-get remove --purge" env DEBIAN_FRONTEND=noninteractive \
			apt-get remove --purge -y -q gre-tun-dkms gre-tun-iproute2
		nothing_left "apt-get remove"
	else
		fail "the Debian packages: none in $DEBS (make deb makes them)"
	fi
fi
log "--- done (${SECONDS}s in)"
