#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building gre_tun and running its selftests need on a
# Debian 12 machine: a kernel image with matching headers for the guest,
# QEMU, virtme-ng and the userspace tools the selftests call.
#
# virtme-ng is not in bookworm; its trixie package is pure Python and its
# dependencies are all in bookworm, so fetch just that .deb from trixie
# using the machine's own apt source with only the suite changed.
#
# With --mirror, only print this machine's Debian mirror (for debootstrap).
# With --backports-kernel, also the newest kernel of bookworm-backports
# (6.12 when written) with its headers, and print its release. With
# --backports-ip, backports' iproute2 unpacked under /usr/local/lib/gre_tun
# (the system's ip stays), and print where.
set -eu

DEBS="qemu-system-x86 linux-image-amd64 linux-headers-amd64 iproute2
iputils-ping iputils-tracepath traceroute tcpdump ethtool socat bird2 kmod
make gcc sparse shellcheck python3 python3-scapy jq linux-source busybox-static
flex bison bc libelf-dev xz-utils iperf3 python3-matplotlib linux-perf procps
debootstrap dkms dh-dkms debhelper dpkg-dev git binutils"

missing_debs() {
	local p
	for p in $DEBS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || echo "$p"
	done
}

apt_update_once() {
	[ -n "${APT_UPDATED:-}" ] && return
	apt-get update -qq
	APT_UPDATED=1
}

# debian_source: "URI COMPONENTS" of this machine's Debian archive (not
# the security one), from deb822 .sources files or one-line sources.list
# (what a fresh install or debootstrap writes).
debian_source() {
	local f

	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
			/URIs:/ && !/security/ {
				for (i = 1; i <= NF; i++) {
					if (sub(/^URIs: */, "", $i)) { split($i, u, " "); uri = u[1] }
					if (sub(/^Components: */, "", $i)) comp = $i
				}
				print uri, comp
				exit
			}' "$f" | grep . && return
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && !/security/ {
			i = 2
			if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			line = $i
			for (j = i + 2; j <= NF; j++) line = line " " $j
			print line
			exit
		}' | grep . && return
	echo "install-deps: no Debian apt source in /etc/apt" >&2
	return 1
}

# source_for_suite SUITE: a deb822 entry for this machine's Debian archive
# with the suite replaced.
source_for_suite() {
	local uri comp

	read -r uri comp < <(debian_source) || return 1
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n' \
		"$uri" "$1" "${comp:-main}"
	if [ -e /usr/share/keyrings/debian-archive-keyring.gpg ]; then
		echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	fi
}

# suite_apt TMP SUITE [alone]: make APT_OPTS, for apt-get and apt-cache,
# see SUITE (alone, or beside this machine's deb822 sources) through a
# list directory in TMP, and update it: the machine's own apt state is
# left as it was.
suite_apt() {
	local tmp=$1 suite=$2

	chmod 755 "$tmp" # apt downloads as _apt
	mkdir -p "$tmp/lists/partial" "$tmp/parts"
	APT_OPTS=()
	if [ "${3:-}" = alone ]; then
		APT_OPTS=(-o "Dir::Etc::SourceList=/dev/null")
	else
		cp /etc/apt/sources.list.d/*.sources "$tmp/parts/" 2>/dev/null || true
	fi
	source_for_suite "$suite" >"$tmp/parts/$suite.sources"
	APT_OPTS+=(-o "Dir::Etc::SourceParts=$tmp/parts"
		-o "Dir::State::Lists=$tmp/lists")
	apt-get "${APT_OPTS[@]}" update -qq
}

install_virtme_ng() {
	local tmp

	command -v vng >/dev/null && return
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" RETURN
	suite_apt "$tmp" trixie alone
	(cd "$tmp" && apt-get "${APT_OPTS[@]}" download virtme-ng)
	apt_update_once
	apt-get install -y -qq "$tmp"/virtme-ng_*.deb
}

# install_backports_kernel: the newest kernel image and its headers from
# bookworm-backports, beside the stable ones (linux-image-amd64 stays on
# bookworm's kernel).
install_backports_kernel() {
	local tmp pkg

	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" RETURN
	suite_apt "$tmp" bookworm-backports
	# the versioned package the backports meta-package points at
	pkg=$(apt-cache "${APT_OPTS[@]}" depends linux-image-amd64/bookworm-backports |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || { echo "install-deps: no kernel in bookworm-backports" >&2; return 1; }
	DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq \
		"$pkg" "${pkg/linux-image-/linux-headers-}"
	echo "${pkg#linux-image-}"
}

# install_backports_ip: bookworm-backports' iproute2, unpacked beside the
# system's (which stays), for testing the plugin against a newer ip (not
# under /var/cache: guests see a tmpfs there);
# prints the directory holding that ip.
install_backports_ip() {
	local tmp dir=/usr/local/lib/gre_tun/iproute2-backports

	if [ -x "$dir/ip" ]; then
		echo "$dir"
		return
	fi
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" RETURN
	suite_apt "$tmp" bookworm-backports
	(cd "$tmp" && apt-get "${APT_OPTS[@]}" download -qq iproute2/bookworm-backports)
	mkdir -p "$tmp/x" "$dir"
	dpkg-deb -x "$tmp"/iproute2_*.deb "$tmp/x"
	cp "$tmp/x/bin/ip" "$dir/ip"
	echo "$dir"
}

main() {
	local need

	if [ "${1:-}" = --mirror ]; then
		debian_source | cut -d' ' -f1
		return
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: run as root (apt-get needs it)" >&2
		exit 1
	fi
	need=$(missing_debs)
	if [ -n "$need" ]; then
		apt_update_once
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need
	fi
	install_virtme_ng
	case "${1:-}" in
	--backports-kernel) install_backports_kernel ;;
	--backports-ip) install_backports_ip ;;
	esac
}

main "$@"
