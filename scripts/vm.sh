# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Booting guests with virtme-ng, shared by check.sh, interop.sh, demo.sh.
# Environment: GRETUN_KERNEL=RELEASE (or =backports) picks the guest kernel
# (default: the running one if installed with headers, else Debian's);
# GRETUN_KVM=0|1 forces TCG or KVM (default: KVM if a probe boots on it).

# deps_install: what the targets need (install-deps.sh) when we are root;
# otherwise say so, with the caller's say(), and go on with what is there.
deps_install() {
	if [ "$(id -u)" = 0 ]; then
		"$(dirname "${BASH_SOURCE[0]}")/install-deps.sh"
	else
		say "not root: not installing packages; the guest needs root anyway" >&2
	fi
}

# bootable RELEASE: an image to boot and headers to build against
bootable() { [ -e "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ]; }

# The kernel linux-image-amd64 installs: Debian 12's own, even when a
# newer one from backports sits beside it.
stable_kernel() {
	dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'
}

# guest_kernel: the release to boot and build for. GRETUN_KERNEL=RELEASE,
# or =backports for the newest kernel of bookworm-backports (installed
# if missing); by default the running kernel if bootable, else Debian's
# stable one, else the newest bootable.
guest_kernel() {
	local rel

	case "${GRETUN_KERNEL:-}" in
	backports)
		"$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" --backports-kernel |
			tail -n 1
		return
		;;
	?*)
		echo "$GRETUN_KERNEL"
		return
		;;
	esac
	for rel in "$(uname -r)" "$(stable_kernel)" \
		$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -rV); do
		if [ -n "$rel" ] && bootable "$rel"; then
			echo "$rel"
			return
		fi
	done
	echo "no kernel with both /boot/vmlinuz-X and headers; install linux-image-amd64 linux-headers-amd64" >&2
	return 1
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

# vng_setup RELEASE: VNG becomes the command that boots RELEASE, and
# GRETUN_KVM (exported, for scripts this one starts) and VNG_NOTE say how.
# shellcheck disable=SC2034 # VNG_NOTE is for the scripts sourcing this
vng_setup() {
	VNG_NOTE="GRETUN_KVM=${GRETUN_KVM:-auto}"
	case "${GRETUN_KVM:-auto}" in
	0|1) ;;
	*) if kvm_works "$1"; then
		   VNG_NOTE="KVM works here: using it"
		   GRETUN_KVM=1
	   else
		   VNG_NOTE="KVM unusable here: using TCG (slower)"
		   GRETUN_KVM=0
	   fi ;;
	esac
	export GRETUN_KVM
	vng_command "/boot/vmlinuz-$1" 2G
}

# vng_command IMAGE MEMORY: VNG becomes the command that boots IMAGE, on
# KVM or TCG as GRETUN_KVM says. Multi-threaded TCG races the guest
# kernel's live patching of its own code: 6.12 guests died of "Oops:
# int3" at a static key in every two-guest run (in ip_gre's guest as in
# ours). One thread for all vCPUs has no such race; GRETUN_TCG_THREAD=multi
# brings it back.
vng_command() {
	VNG=(vng --run "$1" --memory "$2" --cpus 2)
	[ "$GRETUN_KVM" = 1 ] ||
		VNG+=(--disable-kvm --qemu-opts="-accel tcg,thread=${GRETUN_TCG_THREAD:-single}")
}

# other_kernels RELEASE: the installed kernels with headers but RELEASE
other_kernels() {
	local dir rel

	for dir in /lib/modules/*/build; do
		rel=${dir#/lib/modules/}
		rel=${rel%/build}
		[ "$rel" = "$1" ] || [ ! -e "$dir/Makefile" ] || echo "$rel"
	done
}

# kill_tree PID: PID and everything it started (a guest's QEMU too)
kill_tree() {
	local child

	for child in $(pgrep -P "$1"); do
		kill_tree "$child"
	done
	kill "$1" 2>/dev/null || true
}

# vng_exec RWDIR CMD [VNG OPTIONS...]: boot, run CMD, with RWDIR writable.
# vng resolves --rwdir against the current directory: run it from /. Its
# output and errors come through a pipe: QEMU reopens a regular file given
# as stdout or stderr at offset 0, and `make check >log 2>&1` would lose
# everything before the guest. A guest that prints nothing for
# GRETUN_SILENCE_LIMIT seconds (default 300) is stuck: it is stopped,
# saying after which line, and the caller finds its results missing.
vng_exec() {
	local rwdir=$1 cmd=$2 limit=${GRETUN_SILENCE_LIMIT:-300} line last='' fd pid rc

	shift 2
	exec {fd}< <(cd / && exec "${VNG[@]}" --rwdir "$rwdir" "$@" --exec "$cmd" 2>&1)
	pid=$!
	while :; do
		rc=0
		IFS= read -r -t "$limit" -u "$fd" line || rc=$?
		if [ "$rc" -gt 128 ]; then
			printf 'vm: FAIL: the guest printed nothing for %s s, last: %s\n' \
				"$limit" "$last"
			printf 'vm: stopping it\n'
			kill_tree "$pid"
			break
		fi
		# at the end, a last line may lack its newline
		[ "$rc" -eq 0 ] || [ -n "$line" ] || break
		printf '%s\n' "$line"
		last=$line
		[ "$rc" -eq 0 ] || break
	done
	exec {fd}<&-
	wait "$pid" 2>/dev/null || true
}
