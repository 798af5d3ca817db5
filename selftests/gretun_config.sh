#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration: every parameter round-trips through `ip -j -d link show`
# and `ip -d link show`, changes apply in place, bad input is refused with
# a message and leaves nothing behind, duplicates are refused.
#
#   ns a: veth0 192.0.2.1/24 2001:db8:2::1/64 (an underlay for "dev"),
#         gt0, gt1, ... over IPv4, g60, g61, ... over IPv6

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

check "module loads" gretun_load
ns_add a
check_eq "no fallback device: a new namespace holds no gretun device" "" \
	"$(at a ip -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "gretun") | .ifname')"
check_fail "no gre0 in the initial namespace" ip link show gre0
at a ip link add veth0 type veth peer name veth1
at a ip addr add 192.0.2.1/24 dev veth0
at a ip addr add 2001:db8:2::1/64 dev veth0 nodad
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
check_output "local and remote of two families" 'one family' \
	at a ip link add gt9 type gretun local 2001:db8::1 remote 192.0.2.9
check_output "flowlabel over IPv4" 'IPv6' \
	at a ip link add gt9 type gretun remote 192.0.2.9 flowlabel 5
check_output "encaplimit 256" 'encaplimit' \
	at a ip link add gt9 type gretun remote 2001:db8::9 encaplimit 256
check_output "flowlabel wider than 20 bits" 'flowlabel' \
	at a ip link add gt9 type gretun remote 2001:db8::9 flowlabel 0x100000
check_output "hoplimit 0" 'hoplimit|TTL' \
	at a ip link add gt9 type gretun remote 2001:db8::9 hoplimit 0
check_fail "none of them created anything" at a ip link show gt9
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
nl_refused "local and remote of two families" 'EINVAL: gretun: local and remote must be of one family' \
	local=ip6:2001:db8::1 remote=ip4:192.0.2.9
nl_refused "an address of 5 bytes" 'EINVAL: gretun: local and remote are IPv4 \(4 bytes\) or IPv6' \
	remote=raw:c000020901
nl_refused "IPv4-mapped IPv6 remote" 'EINVAL: gretun: write an IPv4 underlay' \
	remote=ip6:::ffff:192.0.2.9
nl_refused "multicast IPv6 remote" 'EADDRNOTAVAIL: gretun: local and remote must be unicast' \
	remote=ip6:ff02::1
nl_refused "flowlabel on an IPv4 underlay" 'EINVAL: gretun: flowlabel and encaplimit need an IPv6 underlay' \
	remote=ip4:192.0.2.9 flowlabel=u32:5
nl_refused "encap_limit on an IPv4 underlay" 'EINVAL: gretun: flowlabel and encaplimit need an IPv6 underlay' \
	encap_limit=u16:3
nl_refused "flowlabel of 21 bits" 'ERANGE: gretun: a flow label is 20 bits' \
	remote=ip6:2001:db8::9 flowlabel=u32:0x100001
nl_refused "encap_limit 257" 'ERANGE: gretun: encaplimit is 0 to 255 or none' \
	remote=ip6:2001:db8::9 encap_limit=u16:257
nl_refused "encap_limit as a byte" 'EINVAL: .+' \
	remote=ip6:2001:db8::9 encap_limit=u8:3
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

log "--- over IPv6 (RFC 7676): ip6gre's options and output"
at a ip link add g60 type gretun local 2001:db8:2::1 remote 2001:db8:9::1 \
	hoplimit 33 tclass 0x28 flowlabel 0x12345 encaplimit 7 key 6 csum dev veth0
opts g60 remote=2001:db8:9::1 local=2001:db8:2::1 link=veth0 ttl=33 \
	tclass=0x28 flowlabel=0x12345 encap_limit=7 ikey=0.0.0.6 okey=0.0.0.6 \
	icsum=true ocsum=true
check_output "text output as ip6gre's" \
	'gretun remote 2001:db8:9::1 local 2001:db8:2::1 dev veth0 hoplimit 33 encaplimit 7 tclass 0x28 flowlabel 0x12345' \
	at a ip -d link show g60
check_output "link/gre6 shows the endpoints" 'link/gre6 2001:db8:2::1 peer 2001:db8:9::1' \
	at a ip link show g60
check_eq "MTU: underlay less 40 + 8 (encaplimit) + 12 (key, csum)" 1440 \
	"$(at a cat /sys/class/net/g60/mtu)"
at a ip link set g60 type gretun encaplimit none tclass inherit \
	flowlabel inherit hoplimit inherit nokey nocsum
opts g60 ip6_tnl_f_ign_encap_limit=true ip6_tnl_f_use_orig_tclass=true \
	ip6_tnl_f_use_orig_flowlabel=true ttl=0 ikey=absent \
	remote=2001:db8:9::1 link=veth0
check_output "text shows none and inherit" \
	'hoplimit inherit encaplimit none tclass inherit flowlabel inherit' \
	at a ip -d link show g60
check_eq "MTU without the option and key: 1500 - 44" 1456 \
	"$(at a cat /sys/class/net/g60/mtu)"
at a ip link set g60 type gretun local any
opts g60 local=any remote=2001:db8:9::1
check_output "the family stays: IPv4 refused in a change" 'family' \
	at a ip link set g60 type gretun remote 192.0.2.9
check_output "the kernel too refuses a change of family" \
	'EAFNOSUPPORT: gretun: a tunnel keeps the underlay family' \
	at a nl_gretun set g60 remote=ip4:192.0.2.9
opts g60 remote=2001:db8:9::1
at a ip link add g61 type gretun remote 2001:db8:9::2
opts g61 local=any ttl=0 encap_limit=4 flowlabel=0x00000 tclass=0x00 \
	pmtudisc=true
check_eq "defaults are ip6gre's: MTU 1500 - 40 - 8 - 4" 1448 \
	"$(at a cat /sys/class/net/g61/mtu)"
check_output "any and any in 16 bytes: an IPv6 tunnel beside gt1's IPv4 any, any" '^ok' \
	at a nl_gretun add g62 local=ip6::: remote=ip6:::
check_output "of type gre6" 'link/gre6' at a ip link show g62
at a ip link add g63 type gretun local 2001:db8:2::1 remote 2001:db8:9::3 \
	dev lo
check_eq "IPv6 MTU over a 64k underlay: 65536 - 52, below the IPv6 maximum" 65484 \
	"$(at a cat /sys/class/net/g63/mtu)"
check_output "an IPv6 duplicate is refused" 'already exists' \
	at a ip link add g64 type gretun local 2001:db8:2::1 remote 2001:db8:9::3 dev lo
at a ip link set veth0 mtu 1300
at a ip link add g64 type gretun remote 2001:db8:9::4 dev veth0
check_eq "IPv6 MTU over a 1300 underlay: 1280, IPv6's minimum, as ip6gre" 1280 \
	"$(at a cat /sys/class/net/g64/mtu)"
at a ip link set veth0 mtu 1500
check_eq "and it follows the underlay back up: 1500 - 52" 1448 \
	"$(at a cat /sys/class/net/g64/mtu)"
at a ip link set g61 up
at a ip link set g64 up
ll() { at a ip -6 -o addr show dev "$1" scope link | awk '{ print $4 }'; }
has_ll() { [ -n "$(ll "$1")" ]; }
wait_for 5 has_ll g61
wait_for 5 has_ll g64
check_fail "two IPv6 tunnels from local any get distinct link-local addresses ($(ll g61), $(ll g64))" \
	test "$(ll g61)" = "$(ll g64)"
check_fail "MTU above the IPv6 maximum refused" at a ip link set g63 mtu 65512
check "MTU at the IPv6 maximum (65535 - 8 - 16)" at a ip link set g63 mtu 65511
for dev in g60 g61 g62 g63 g64; do
	at a ip link del "$dev"
done

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
