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
#                     DKMS, the same; then the upgrade: a later version
#                     (GRETUN_DEBS_NEXT=DIR) over it, the same with the new
#                     module; and a kernel upgrade: DKMS builds for a
#                     second installed kernel as apt's kernel hook has it
#                     do; apt-get remove --purge, nothing left for any kernel
#
#   ns a: veth0 192.0.2.1/24, gt0 10.9.0.1/30 ---- ns b: the mirror

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

WAYS=${GRETUN_INSTALL_WAYS:-make}
REL=$(uname -r)
KDIR=/lib/modules/$REL/build
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$GRETUN_DIR/dkms.conf")
DEBS=${GRETUN_DEBS:-$GRETUN_DIR/.results/deb}
DEBS_NEXT=${GRETUN_DEBS_NEXT:-$GRETUN_DIR/.results/deb-next}
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

# re WORD: WORD as an extended regular expression matching only itself
# (6.12.95+deb12-amd64 has a +)
# shellcheck disable=SC2001,SC2016 # a bracket class; the $ is literal
re() { sed 's/[]\\.[+*?^$(){}|]/\\&/g' <<<"$1"; }
REL_RE=$(re "$REL")

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

# works_as_installed HOW DIR [VERSION]: with nothing loaded, ip link add
# loads the installed module (of VERSION, default dkms.conf's), the plugin
# prints the options, a ping crosses.
works_as_installed() {
	local how=$1 file version=${3:-$VERSION}

	gretun_unload
	check "$how: no gre_tun loaded" test ! -d /sys/module/gre_tun
	check "$how: ip link add ... type gretun loads the module" \
		at a ip link add gt0 type gretun local 192.0.2.1 remote 192.0.2.2 key 7
	file=$(modinfo -n gre_tun 2>&1)
	check "$how: the module loaded is the installed one ($file)" \
		installed_in "$file" "$2"
	check_eq "$how: its version" "$version" "$(cat /sys/module/gre_tun/version)"
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

# deb_upgrade: the later packages over the installed ones
deb_upgrade() {
	local next

	next=$(dpkg-deb -f "$(echo "$DEBS_NEXT"/gre-tun-dkms_*.deb)" Version 2>&1)
	check "the upgrade: dpkg -i the $next packages over $VERSION (DKMS rebuilds)" \
		dpkg -i "$DEBS_NEXT"/gre-tun-dkms_*.deb "$DEBS_NEXT"/gre-tun-iproute2_*.deb
	check_output "the upgrade: dkms status: $next installed for $REL" \
		"gre-tun/$(re "$next"), $REL_RE, [^:]*: installed" dkms status
	check_eq "the upgrade: dkms holds $VERSION no more" "" \
		"$(dkms status 2>/dev/null | grep "gre-tun/$VERSION,")"
	works_as_installed "the upgrade" updates/dkms "$next"
	VERSION=$next
}

# kernel_upgrade: what apt's kernel hook does when a kernel is installed,
# for a second kernel whose headers are here
kernel_upgrade() {
	local other file

	for other in /lib/modules/*/build; do
		other=${other#/lib/modules/}
		other=${other%/build}
		[ "$other" = "$REL" ] || break
	done
	if [ "$other" = "$REL" ] || [ ! -e "/lib/modules/$other/build/Makefile" ]; then
		fail "the kernel upgrade: no second kernel's headers (make check-install installs some)"
		return
	fi
	# the package's own install built for the newest kernel already
	dkms remove "gre-tun/$VERSION" -k "$other" >/dev/null 2>&1
	check_eq "the kernel upgrade: no gre_tun for $other before" "" \
		"$(find "/usr/lib/modules/$other" -name 'gre_tun.ko*')"
	check "the kernel upgrade: /etc/kernel/postinst.d/dkms $other" \
		/etc/kernel/postinst.d/dkms "$other"
	file=$(find "/usr/lib/modules/$other/updates/dkms" -name 'gre_tun.ko*' 2>/dev/null)
	check_output "the kernel upgrade: DKMS built gre_tun for $other ($file)" \
		"^$(re "$other") " modinfo -F vermagic "$file"
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
		deb_upgrade
		kernel_upgrade
		check "apt-get remove --purge" env DEBIAN_FRONTEND=noninteractive \
			apt-get remove --purge -y -q gre-tun-dkms gre-tun-iproute2
		nothing_left "apt-get remove"
	else
		fail "the Debian packages: none in $DEBS (make deb makes them)"
	fi
fi
log "--- done (${SECONDS}s in)"
