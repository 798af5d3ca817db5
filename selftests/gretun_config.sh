#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration: every parameter round-trips through `ip -j -d link show`
# and `ip -d link show`, changes apply in place, bad input is refused with
# a message and leaves nothing behind, duplicates are refused.
#
#   ns a: veth0 192.0.2.1/24 (an underlay for "dev"), gt0, gt1, ...

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
ns_add a
check_eq "no fallback device: a new namespace holds only lo" "lo" \
	"$(at a ip -j link show | jq -r '.[].ifname' | xargs)"
check_fail "no gre0 in the initial namespace" ip link show gre0
at a ip link add veth0 type veth peer name veth1
at a ip addr add 192.0.2.1/24 dev veth0
at a ip link set veth0 up

# opt DEV KEY: one value of the device's gretun JSON, "absent" if missing.
opt() {
	at a ip -j -d link show "$1" |
		jq -r ".[0].linkinfo.info_data.$2 | if . == null then \"absent\" else . end"
}

# opts DEV K=V...: every listed value as expected.
opts() {
	local dev=$1 kv

	shift
	for kv in "$@"; do
		check_eq "$dev ${kv%%=*}" "${kv#*=}" "$(opt "$dev" "${kv%%=*}")"
	done
}

log "--- every parameter at creation"
at a ip link add gt0 type gretun local 192.0.2.1 remote 198.51.100.1 \
	ikey 7 okey 0.0.1.0 iseq ocsum ttl 64 tos 0x28 dev veth0 \
	nopmtudisc ignore-df
opts gt0 remote=198.51.100.1 local=192.0.2.1 link=veth0 ttl=64 tos=0x28 \
	pmtudisc=false ignore_df=true ikey=0.0.0.7 okey=0.0.1.0 iseq=true \
	oseq=absent icsum=absent ocsum=true
check_output "text output" \
	'gretun remote 198.51.100.1 local 192.0.2.1 dev veth0 ttl 64 tos 0x28 nopmtudisc ignore-df ikey 0.0.0.7 okey 0.0.1.0 iseq ocsum' \
	at a ip -d link show gt0
check_output "link/gre shows the endpoints" 'link/gre 192.0.2.1 peer 198.51.100.1' \
	at a ip link show gt0
check_output "the underlay shows as the link" 'gt0@veth0' at a ip link show gt0

log "--- change in place"
at a ip link set gt0 type gretun okey 7 ikey 8 seq csum
opts gt0 ikey=0.0.0.8 okey=0.0.0.7 iseq=true oseq=true icsum=true \
	ocsum=true remote=198.51.100.1 ttl=64 tos=0x28 link=veth0
at a ip link set gt0 type gretun noseq nocsum nokey pmtudisc noignore-df \
	ttl inherit tos inherit
opts gt0 ikey=absent okey=absent iseq=absent oseq=absent icsum=absent \
	ocsum=absent pmtudisc=true ignore_df=absent ttl=0 tos=0x1
check_output "text shows inherit" 'ttl inherit tos inherit' at a ip -d link show gt0
at a ip link set gt0 type gretun iseq icsum key 0.0.0.9
at a ip link set gt0 type gretun noiseq noocsum nookey
opts gt0 iseq=absent oseq=absent icsum=true ocsum=absent ikey=0.0.0.9 okey=absent
at a ip link set gt0 type gretun remote any local any
opts gt0 remote=any local=any

log "--- defaults are those of type gre"
at a ip link add gt1 type gretun
opts gt1 remote=any local=any ttl=0 pmtudisc=true ignore_df=absent \
	ikey=absent okey=absent link=absent
check_eq "default MTU: Ethernet minus 24 bytes" 1476 "$(at a cat /sys/class/net/gt1/mtu)"
at a ip link add gt2 type gretun remote 192.0.2.9 key 1 seq csum dev veth0
check_eq "MTU minus 12 more for key, seq, csum" 1464 "$(at a cat /sys/class/net/gt2/mtu)"
at a ip link set gt2 type gretun nokey noseq
check_eq "MTU follows the header when options change" 1472 \
	"$(at a cat /sys/class/net/gt2/mtu)"
check_fail "MTU above the maximum refused" at a ip link set gt2 mtu 65500
at a ip link add gt8 type gretun dev lo
check_eq "MTU over a 64k underlay stops at the maximum" 65499 \
	"$(at a cat /sys/class/net/gt8/mtu)"
check_fail "MTU below the minimum refused" at a ip link set gt2 mtu 67
at a ip link add gt3 type gretun key 42
check_eq "key 42 and key 0.0.0.42 are one key" 0.0.0.42 "$(opt gt3 ikey)"

log "--- ip refuses bad words"
check_output "ttl 256" 'invalid TTL' at a ip link add gt9 type gretun ttl 256
check_output "IPv6 local" 'an IP address is expected' \
	at a ip link add gt9 type gretun local 2001:db8::1
check_output "unknown device" 'Cannot find device' \
	at a ip link add gt9 type gretun dev nosuchdev
check_output "unknown word" 'unknown option' at a ip link add gt9 type gretun frobnicate
check_output "ip link help gretun" 'Usage: ... gretun' ip link help gretun

log "--- the kernel refuses bad attributes, each with a message"
nl_refused() {
	local name=$1 regex=$2

	shift 2
	check_output "$name" "$regex" at a nl_gretun add gt9 "$@"
	check_fail "$name: nothing created" at a ip link show gt9
}
nl_refused "IPv6 local" 'EAFNOSUPPORT: gretun: the underlay is IPv4' \
	local=ip6:2001:db8::1
nl_refused "IPv6 remote" 'EAFNOSUPPORT: gretun: the underlay is IPv4' \
	remote=ip6:2001:db8::2
nl_refused "multicast remote" 'EADDRNOTAVAIL: gretun: local and remote must be unicast' \
	remote=ip4:224.0.0.5
nl_refused "broadcast local" 'EADDRNOTAVAIL: gretun: local and remote must be unicast' \
	local=ip4:255.255.255.255
nl_refused "unknown iflags" 'EOPNOTSUPP: gretun: unknown GRE flags' iflags=u16:0x80
nl_refused "unknown oflags" 'EOPNOTSUPP: gretun: unknown GRE flags' oflags=u16:0x100
nl_refused "key flag without key" 'EINVAL: gretun: key flag set but no key' iflags=u16:2
nl_refused "key without key flag" 'EINVAL: gretun: key given without the key flag' \
	okey=u32:5
nl_refused "TTL wider than a byte (300)" 'EINVAL: .+' ttl=u32:300
nl_refused "pmtudisc 2" 'ERANGE|EINVAL: .+' pmtudisc=u8:2
nl_refused "ignore-df with pmtudisc" 'EINVAL: gretun: ignore-df needs nopmtudisc' \
	ignore_df=u8:1
nl_refused "missing underlay" 'ENODEV: gretun: underlay device not found' link=u32:99999
check_output "a good message passes" '^ok' at a nl_gretun add gt9 \
	local=ip4:192.0.2.1 iflags=u16:2 ikey=u32:5 ttl=u8:9
check_output "and is what it said" 'ikey 0.0.0.5' at a ip -d link show gt9

log "--- a refused change changes nothing"
before=$(at a ip -j -d link show gt9 | jq -c '.[0].linkinfo')
check_output "unknown flags in a change" 'EOPNOTSUPP' at a nl_gretun set gt9 \
	iflags=u16:0x80 ttl=u8:99
check_output "ignore-df in a change" 'EINVAL' at a nl_gretun set gt9 \
	ignore_df=u8:1 ttl=u8:99
check_eq "configuration unchanged" "$before" \
	"$(at a ip -j -d link show gt9 | jq -c '.[0].linkinfo')"

log "--- duplicates"
at a ip link add gt4 type gretun local 192.0.2.1 remote 198.51.100.2 key 5
check_output "same local, remote, key: EEXIST with a message" \
	'already exists' at a ip link add gt5 type gretun local 192.0.2.1 \
	remote 198.51.100.2 key 5
check_fail "and nothing created" at a ip link show gt5
check "another key is another tunnel" at a ip link add gt5 type gretun \
	local 192.0.2.1 remote 198.51.100.2 key 6
check "another underlay is another tunnel" at a ip link add gt6 type gretun \
	local 192.0.2.1 remote 198.51.100.2 key 5 dev veth0
check "keyless is another tunnel" at a ip link add gt7 type gretun \
	local 192.0.2.1 remote 198.51.100.2
check_output "a change into a duplicate is refused" 'already exists' \
	at a ip link set gt5 type gretun key 5 ttl 99
opts gt5 ikey=0.0.0.6 okey=0.0.0.6 ttl=0
check "a tunnel may be changed into its own identity" \
	at a ip link set gt4 type gretun key 5 ttl 12
check "a freed identity can be taken" bash -c \
	"ip netns exec $(ns_name a) ip link del gt4 &&
	 ip netns exec $(ns_name a) ip link set gt5 type gretun key 5"

log "--- deletion"
for dev in gt0 gt1 gt2 gt3 gt5 gt6 gt7 gt8 gt9; do
	at a ip link del "$dev"
done
check_eq "no gretun device left" "" \
	"$(at a ip -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "gretun") | .ifname')"
