#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own GRE (gre + ip_gre, and ip6_gre for IPv6) and gre_tun
# all claim IPPROTO_GRE: whichever loads second must fail, gre_tun with a
# dmesg line that names the cause and the fix. While each is loaded in
# turn, the same tunnel is configured with each, and `ip -j -d link show`
# must print the same keys and values for both kinds (gretun's IPv6
# tunnels: the keys ip6gre prints, with ip6gre's values).
#
#   ns a: veth0 192.0.2.1/24 2001:db8:2::1/64,
#         g0 (type gre, then type gretun), g6 (type ip6gre, then gretun)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

OPTS="local 192.0.2.1 remote 198.51.100.1 ikey 42 okey 0.0.0.43 ttl 64 tos 0x28
nopmtudisc ignore-df iseq ocsum dev veth0"

OPTS6="local 2001:db8:2::1 remote 2001:db8:9::1 ikey 42 okey 43 hoplimit 9
tclass 0x28 flowlabel 0x12345 encaplimit 2 iseq ocsum dev veth0"

info_data() { at a ip -j -d link show "${1:-g0}" | jq -S -c '.[0].linkinfo.info_data'; }

# What gretun and ip6gre must both print alike (ip6gre prints more).
KEYS6='["remote","local","link","ttl","encap_limit","tclass","flowlabel","ikey","okey","iseq","ocsum"]'
keys6() {
	info_data g6 | jq -S -c --argjson k "$KEYS6" \
		'with_entries(select(.key as $x | $k | index($x)))'
}

# dmesg_since MARK: the kernel's lines after MARK was written to it
dmesg_since() { dmesg | sed -n "/$1/,\$p"; }

modinfo ip_gre >/dev/null 2>&1 || skip "this kernel has no ip_gre module"
ns_add a
at a ip link add veth0 type veth peer name veth1
at a ip addr add 192.0.2.1/24 dev veth0
at a ip addr add 2001:db8:2::1/64 dev veth0 nodad

log "--- the kernel's GRE first"
gretun_unload
check "ip_gre loads" modprobe ip_gre
# shellcheck disable=SC2086
at a ip link add g0 type gre $OPTS
gre_json=$(info_data)
check_output "insmod gre_tun refused" 'Device or resource busy|Resource' \
	insmod "$GRETUN_KO"
check_output "dmesg names the cause and the fix" \
	"gre_tun: IPPROTO_GRE is taken.*rmmod ip6_gre ip_gre gre" dmesg
check_fail "and gre_tun is not loaded" gretun_loaded
at a ip link del g0

log "--- then gre_tun"
check "rmmod ip_gre gre" kernel_gre_unload ip_gre
check "insmod gre_tun" gretun_load
# shellcheck disable=SC2086
at a ip link add g0 type gretun $OPTS
check_eq "same JSON as type gre" "$gre_json" "$(info_data)"
check_fail "ip_gre cannot load while gre_tun is loaded" modprobe ip_gre
at a ip link del g0

log "--- the kernel's IPv6 GRE first"
check "rmmod gre_tun" gretun_unload
check "ip6_gre loads" modprobe ip6_gre
# shellcheck disable=SC2086
at a ip link add g6 type ip6gre $OPTS6
gre6_json=$(keys6)
check_eq "ip6gre prints every key compared" 11 "$(jq length <<<"$gre6_json")"
echo gretun-coexist-ip6 >/dev/kmsg
check_output "insmod gre_tun refused" 'Device or resource busy|Resource' \
	insmod "$GRETUN_KO"
check_output "dmesg names ip6_gre in the fix" \
	"gre_tun: IPPROTO_GRE is taken.*rmmod ip6_gre ip_gre gre" \
	dmesg_since gretun-coexist-ip6
check_fail "and gre_tun is not loaded" gretun_loaded
at a ip link del g6

log "--- then gre_tun over IPv6"
check "rmmod ip6_gre gre ip6_tunnel" kernel_gre_unload ip6_gre
check "insmod gre_tun" gretun_load
# shellcheck disable=SC2086
at a ip link add g6 type gretun $OPTS6
check_eq "the keys ip6gre prints, with ip6gre's values" "$gre6_json" \
	"$(keys6)"
check_fail "ip6_gre cannot load while gre_tun is loaded" modprobe ip6_gre
at a ip link del g6
