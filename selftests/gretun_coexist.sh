#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own GRE (gre + ip_gre) and gre_tun both claim IPPROTO_GRE:
# whichever loads second must fail, gre_tun with a dmesg line that names
# the cause and the fix. While each is loaded in turn, the same tunnel is
# configured with each, and `ip -j -d link show` must print the same keys
# and values for both kinds.
#
#   ns a: veth0 192.0.2.1/24, g0 (type gre, then type gretun)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

OPTS="local 192.0.2.1 remote 198.51.100.1 ikey 42 okey 0.0.0.43 ttl 64 tos 0x28
nopmtudisc ignore-df iseq ocsum dev veth0"

info_data() { at a ip -j -d link show g0 | jq -S -c '.[0].linkinfo.info_data'; }

modinfo ip_gre >/dev/null 2>&1 || skip "this kernel has no ip_gre module"
ns_add a
at a ip link add veth0 type veth peer name veth1
at a ip addr add 192.0.2.1/24 dev veth0

log "--- the kernel's GRE first"
gretun_unload
check "ip_gre loads" modprobe ip_gre
# shellcheck disable=SC2086
at a ip link add g0 type gre $OPTS
gre_json=$(info_data)
check_output "insmod gre_tun refused" 'Device or resource busy|Resource' \
	insmod "$GRETUN_KO"
check_output "dmesg names the cause and the fix" \
	"gre_tun: IPPROTO_GRE is taken.*rmmod ip_gre gre" dmesg
check_fail "and gre_tun is not loaded" gretun_loaded
at a ip link del g0

log "--- then gre_tun"
check "rmmod ip_gre gre" rmmod ip_gre gre
check "insmod gre_tun" gretun_load
# shellcheck disable=SC2086
at a ip link add g0 type gretun $OPTS
check_eq "same JSON as type gre" "$gre_json" "$(info_data)"
check_fail "ip_gre cannot load while gre_tun is loaded" modprobe ip_gre
at a ip link del g0
