#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetime: namespaces deleted with tunnels in them (also tunnels moved
# to another namespace), rmmod while tunnels are up and passing traffic,
# and `ip link add ... type gretun` loading an installed module by alias.
# Over either underlay (GRETUN_UNDERLAY).
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt0   local 192.0.2.1 remote .2       gt0   local 192.0.2.2 remote .1
#   ns c: takes a's tunnel gt1 (moved), which still encapsulates in a

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load

log "--- a tunnel moved to another namespace keeps its underlay"
underlay_up
pair_up "" ""
ns_add c
at a ip link add gt1 type gretun local "$UA" remote "$UB" key 77
at b ip link add gt1 type gretun local "$UB" remote "$UA" key 77
at a ip link set gt1 netns "$(ns_name c)"
at c ip addr add 10.77.0.1/30 dev gt1
at c ip link set gt1 up
at b ip addr add 10.77.0.2/30 dev gt1
at b ip link set gt1 up
check "moved tunnel passes traffic (c -> b)" ping4 c 10.77.0.2 2
check_output "ip shows the link namespace" 'link-netns|link-netnsid' \
	at c ip -d link show gt1

log "--- deleting the namespace that holds the underlay"
ip netns del "$(ns_name a)"
check "the moved tunnel goes with it" wait_for 10 bash -c \
	"! ip netns exec $(ns_name c) ip link show gt1"

log "--- deleting a namespace with tunnels in it"
for i in $(seq 1 20); do
	at b ip link add "gtx$i" type gretun remote "$UA" key "$i"
	at b ip link set "gtx$i" up
done
ip netns del "$(ns_name b)"
ip netns del "$(ns_name c)"
check "namespaces gone" wait_for 10 bash -c \
	"! ip netns list | grep -q '^$NS_PREFIX-'"

log "--- rmmod with tunnels up and traffic flowing"
underlay_up
pair_up "key 1" "key 1"
at a ping -f -i 0.002 -q 10.9.0.2 >/dev/null 2>&1 &
flood=$!
at b ping -6 -f -i 0.002 -q fd00:9::1 >/dev/null 2>&1 &
flood6=$!
sleep 2
check "traffic flowed" test "$(counter b gt0 rx_packets)" -gt 10
check "rmmod with tunnels up" rmmod gre_tun
kill "$flood" "$flood6" 2>/dev/null
wait 2>/dev/null
check_fail "the tunnels are gone" at a ip link show gt0
check_fail "and so is the GRE handler" grep -q . /proc/net/gretun
check "insmod again" gretun_load
pair_up "" ""
check "tunnels work after reload" ping4 a 10.9.0.2 2

log "--- autoload by alias after install"
# Install as `make install` would, but under a scratch root: the guest's
# /lib/modules is read-only. The kernel's modprobe is pointed at it.
REL=$(uname -r)
install -D -m 0644 "$GRETUN_KO" "$TMP/root/lib/modules/$REL/extra/gre_tun.ko"
depmod -b "$TMP/root" "$REL" 2>/dev/null
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$TMP/root" >"$TMP/modprobe"
chmod +x "$TMP/modprobe"
saved_modprobe=$(cat /proc/sys/kernel/modprobe)
echo "$TMP/modprobe" >/proc/sys/kernel/modprobe
pair_down
gretun_unload
check_fail "module unloaded first" gretun_loaded
check "plain ip link add loads the module" at a ip link add gt0 type gretun \
	remote "$UB"
check "module loaded by alias" gretun_loaded
echo "$saved_modprobe" >/proc/sys/kernel/modprobe
at a ip link del gt0
