# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the gretun selftests: namespaces, named checks, the module, and
# the kernel-health gate every test ends with. Source it, then call checks;
# the EXIT trap cleans up and sets the exit status (0 pass, 1 fail, 4 skip).

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

GRETUN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GRETUN_KO=${GRETUN_KO:-$GRETUN_DIR/gre_tun.ko}
SELFTESTS=$GRETUN_DIR/selftests
export IP_LIB_DIR=${IP_LIB_DIR:-$GRETUN_DIR/iproute2}
# GRETUN_IP_DIR: another ip (iproute2) to run the tests with
export PATH=$SELFTESTS:${GRETUN_IP_DIR:+$GRETUN_IP_DIR:}$PATH

# GRETUN_UNDERLAY=4|6: the IP version of the outer packets in the
# two-router topology below (and in lib_lan2lan.sh's); run_all.sh runs
# TEST_PROGS_UNDERLAY6 once more with 6.
UNDERLAY=${GRETUN_UNDERLAY:-4}
case $UNDERLAY in
4|6) ;;
*) echo "# GRETUN_UNDERLAY=$UNDERLAY: 4 or 6" >&2; exit 1 ;;
esac

TEST_NAME=$(basename "$0" .sh)
NS_PREFIX="gt$$"
TMP=$(mktemp -d)
FAILED=0
FAILED_NAMES=()
CHECKS=0
NAMESPACES=()
EXIT_HOOKS=()
SKIP_REASON=

log() { printf '# %s\n' "$*"; }

pass() {
	CHECKS=$((CHECKS + 1))
	log "ok: $1"
}

# fail NAME [DETAIL...]
fail() {
	CHECKS=$((CHECKS + 1))
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$1")
	log "FAIL: $1"
	shift
	printf '%s\n' "$@" | sed 's/^/#   /' | head -n 20
}

# check NAME CMD...: CMD (a command or a function) must succeed.
check() {
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$out"
	fi
}

# check_fail NAME CMD...: CMD must fail.
check_fail() {
	local name=$1 out

	shift
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded, should have failed:" "$out"
	else
		pass "$name"
	fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $2" "actual:   $3"
	fi
}

# check_output NAME REGEX CMD...: CMD succeeds or fails, its output matches.
check_output() {
	local name=$1 regex=$2 out

	shift 2
	out=$("$@" 2>&1)
	if grep -Eq -- "$regex" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "wanted /$regex/ in:" "$out"
	fi
}

skip() {
	SKIP_REASON=$*
	exit "$KSFT_SKIP"
}

# Namespaces get a per-run prefix so parallel or leftover runs never clash.
ns_add() {
	local ns=$NS_PREFIX-$1

	ip netns add "$ns"
	NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

ns_name() { echo "$NS_PREFIX-$1"; }

# at NS CMD...: run CMD in namespace NS (short name).
at() {
	local ns=$NS_PREFIX-$1

	shift
	ip netns exec "$ns" "$@"
}

# spawn NS CMD...: start CMD in namespace NS in the background, its output
# discarded. SPAWNED is CMD's own pid (ip netns exec becomes CMD), so that
# kill reaches CMD itself, and no stray child keeps a caller's pipe open.
spawn() {
	local ns=$NS_PREFIX-$1

	shift
	ip netns exec "$ns" "$@" >/dev/null 2>&1 &
	SPAWNED=$!
}

# counter NS DEV FIELD: one of the device's statistics.
counter() {
	at "$1" cat "/sys/class/net/$2/statistics/$3"
}

# drops NS FIELD: a namespace-wide gretun drop counter.
drops() {
	# shellcheck disable=SC2016 # awk's own fields
	at "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/gretun
}

# reason NS DEV NAME: one of the device's per-reason counters (ethtool -S).
reason() {
	# shellcheck disable=SC2016 # awk's own fields
	at "$1" ethtool -S "$2" | awk -v f="$3:" '$1 == f { print $2 }'
}

# gretun_drops WAIT_RE CMD...: run CMD with the kfree_skb tracepoint on,
# until the trace matches WAIT_RE (10 s at most); print "REASON FUNCTION"
# for each packet freed in gre_tun meanwhile. The tracepoint prints the
# freeing function as a bare address: a stack trace per event names it.
gretun_drops() {
	local trace=/sys/kernel/tracing re=$1
	local ev=$trace/events/skb/kfree_skb

	shift
	[ -e "$ev" ] || mount -t tracefs nodev "$trace"
	echo >"$trace/trace"
	echo stacktrace >"$ev/trigger"
	echo 1 >"$ev/enable"
	"$@" >/dev/null
	wait_for 10 grep -Eq "$re" "$trace/trace"
	sleep 0.5
	echo 0 >"$ev/enable"
	echo '!stacktrace' >"$ev/trigger"
	# shellcheck disable=SC2016 # awk's own fields
	awk '/reason: / { r = $NF } /=> gretun_/ && r { print r, $2; r = "" }' \
		"$trace/trace"
}

# wait_for SECONDS CMD...: poll until CMD succeeds. The bound is for a
# kernel GRETUN_TIME_SCALE times slower than usual (a debug kernel).
wait_for() {
	local deadline=$((SECONDS + $1 * ${GRETUN_TIME_SCALE:-1}))

	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# listening NS PORT: a TCP listener is up on PORT in NS.
listening() { at "$1" ss -Htln "sport = :$2" | grep -q .; }

# transfer [-t SECONDS] FROM TO ADDR FILE: send FILE from FROM to a
# listener on TO (both families), within SECONDS (default 300), and
# compare what arrived. Says which step failed. A slow kernel (KASAN
# under TCG) can take seconds to start socat.
transfer() {
	local limit=300 from to addr file port=$((5000 + RANDOM % 1000)) pid

	if [ "$1" = -t ]; then
		limit=$2
		shift 2
	fi
	from=$1 to=$2 addr=$3 file=$4

	rm -f "$TMP/received"
	spawn "$to" socat -u "TCP6-LISTEN:$port,reuseaddr,ipv6only=0" \
		"CREATE:$TMP/received"
	pid=$SPAWNED
	if ! wait_for 30 listening "$to" "$port"; then
		echo "no listener on $to port $port after 30 s"
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 1
	fi
	if ! timeout "$limit" ip netns exec "$(ns_name "$from")" socat -u \
		"OPEN:$file" "TCP:$addr:$port"; then
		echo "$from -> $to not done after $limit s:" \
			"$(stat -c %s "$TMP/received" 2>/dev/null || echo 0) bytes arrived"
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 1
	fi
	wait "$pid" || return 1
	[ "$(sha256sum <"$file")" = "$(sha256sum <"$TMP/received")" ] || {
		echo "$from -> $to: what arrived differs from what was sent"
		return 1
	}
}

# slab_bytes: bytes of slab objects in use, all caches, after flushing
# the per-CPU slabs so that freed objects count as free (and draining
# KASAN's quarantine, which shrinking does too).
slab_bytes() {
	local f

	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	# shellcheck disable=SC2016 # awk's own fields
	awk 'NR > 2 { total += $2 * $4 } END { printf "%d\n", total }' /proc/slabinfo
}

gretun_loaded() { [ -d /sys/module/gre_tun ]; }

gretun_load() {
	gretun_loaded && return 0
	insmod "$GRETUN_KO"
}

gretun_unload() {
	gretun_loaded || return 0
	rmmod gre_tun
}

# The modules loaded when the test began: kernel_gre_unload takes out only
# what the test itself brought in.
MODULES_AT_START=$(cut -d' ' -f1 /proc/modules)

# kernel_gre_unload MOD: unload the kernel's MOD (ip_gre, ip6_gre), gre and
# the helpers they pulled in. ip6_tunnel left behind would give every later
# namespace an ip6tnl0 that the next test finds.
kernel_gre_unload() {
	local m mods=("$1" gre)

	for m in ip6_tunnel tunnel6 ip_tunnel; do
		[ -d "/sys/module/$m" ] && ! grep -qx "$m" <<<"$MODULES_AT_START" &&
			mods+=("$m")
	done
	rmmod "${mods[@]}"
}

# The kernel-health gate: nothing alarming (HEALTH_RE) in dmesg since the
# test began, no new taint other than out-of-tree (O) and unsigned (E)
# modules.
# shellcheck source=selftests/lib_health.sh
source "$SELFTESTS/lib_health.sh"
TAINT_ALLOWED=$(((1 << 12) | (1 << 13)))

health_begin() {
	HEALTH_MARK="gretun-selftest-$TEST_NAME-$$-$RANDOM"
	echo "$HEALTH_MARK" >/dev/kmsg
	TAINT_BEFORE=$(cat /proc/sys/kernel/tainted)
}

health_check() {
	local taint new bad

	bad=$(dmesg | sed -n "/$HEALTH_MARK/,\$p" | grep -E "$HEALTH_RE" || true)
	taint=$(cat /proc/sys/kernel/tainted)
	new=$(((taint & ~TAINT_BEFORE) & ~TAINT_ALLOWED))
	if [ -n "$bad" ] || [ "$new" -ne 0 ]; then
		log "FAIL: kernel health (new taint $new)"
		printf '%s\n' "$bad" | sed 's/^/#   /' | head -n 40
		dmesg | sed -n "/$HEALTH_MARK/,\$p" | tail -n 60 | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("kernel health")
	else
		log "ok: kernel health"
	fi
}

# on_exit CMD: run CMD (a function) at exit, before the namespaces go.
on_exit() { EXIT_HOOKS+=("$1"); }

lib_exit() {
	local rc=$? ns hook

	trap - EXIT
	for hook in "${EXIT_HOOKS[@]}"; do
		"$hook"
	done
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
	if [ "$rc" -eq "$KSFT_SKIP" ]; then
		log "SKIP: $SKIP_REASON"
		exit "$KSFT_SKIP"
	fi
	# the namespaces go away asynchronously; let their cleanup run too
	sleep 1
	health_check
	if [ "$rc" -ne 0 ] && [ "$FAILED" -eq 0 ]; then
		log "FAIL: the test script itself exited with status $rc"
		FAILED=1
		FAILED_NAMES+=("the script's exit status")
	fi
	log "$TEST_NAME: $CHECKS checks, $FAILED failed"
	# again at the end, where a log cut to its tail still shows them
	[ "${#FAILED_NAMES[@]}" -eq 0 ] ||
		printf '# failed: %s\n' "${FAILED_NAMES[@]}"
	[ "$FAILED" -eq 0 ] && exit "$KSFT_PASS"
	exit "$KSFT_FAIL"
}

[ "$(id -u)" = 0 ] || { echo "# SKIP: needs root"; exit "$KSFT_SKIP"; }
health_begin
trap lib_exit EXIT

# ---------------------------------------------------------------------
# The underlay of either family. Tests write underlay addresses as IPv4
# ones and pass them through uaddr; what depends on the outer header's
# size comes from OUTER_HLEN (gre_mtu).
#
#   UNDERLAY    4 or 6 (GRETUN_UNDERLAY)
#   UA, UB      the two ends of the underlay link below
#   UPLEN       the prefix length of a link's subnet: 24 or 64
#   UHOST       the prefix length of one address: 32 or 128
#   UPROTO      the ethertype's name for tc: ip or ipv6
#   OUTER_HLEN  bytes of outer IP header before GRE: 20, or over IPv6 40
#               and 8 of the encapsulation limit option (on by default)
#   GRE_FILTER  a capture filter for outer GRE packets and their
#               fragments, with the encapsulation limit option or not

# uaddr IPV4: the underlay address that stands for IPV4. Itself over
# IPv4; over IPv6 a.b.c.d becomes 2001:db8:XXXX:c::d (XXXX = a.b in hex),
# so that a /24 becomes a /64 and distinct addresses stay distinct.
# Printed as ip and inet_ntop print it.
uaddr() {
	local a b c d

	if [ "$UNDERLAY" = 4 ]; then
		echo "$1"
		return
	fi
	IFS=. read -r a b c d <<<"$1"
	printf '2001:db8:%x' $((a * 256 + b))
	[ "$c" -eq 0 ] || printf ':%x' "$c"
	printf '::'
	[ "$d" -eq 0 ] || printf '%x' "$d"
	echo
}

# shellcheck disable=SC2034 # for the tests
if [ "$UNDERLAY" = 6 ]; then
	UPLEN=64 UHOST=128 UPROTO=ipv6 OUTER_HLEN=48
	# GRE right after the IPv6 header or after the option (60), and the
	# fragments of either (44, the fragment header, after the option or
	# before it) as "ip proto 47" has them over IPv4
	GRE_FILTER='ip6 and (ip6[6] == 47 or
		(ip6[6] == 44 and (ip6[40] == 47 or ip6[40] == 60)) or
		(ip6[6] == 60 and (ip6[40] == 47 or (ip6[40] == 44 and ip6[48] == 47))))'
else
	UPLEN=24 UHOST=32 UPROTO=ip OUTER_HLEN=20
	GRE_FILTER='ip proto 47'
fi
UA=$(uaddr 192.0.2.1)
UB=$(uaddr 192.0.2.2)

# uaddr_add NS ADDR/LEN DEV [ip addr options...]: an underlay address on
# DEV, over IPv6 without DAD (so that it is usable at once).
uaddr_add() {
	local ns=$1 addr=$2 dev=$3

	shift 3
	if [ "$UNDERLAY" = 6 ]; then
		at "$ns" ip addr add "$addr" dev "$dev" nodad "$@"
	else
		at "$ns" ip addr add "$addr" dev "$dev" "$@"
	fi
}

# gre_mtu LOWER [GRE_HLEN]: the MTU of a tunnel over a LOWER-byte underlay,
# with a GRE header of GRE_HLEN bytes (default 4: no options; each of
# csum, key, seq adds 4) and the default encapsulation limit over IPv6;
# there never below 1280, IPv6's minimum (the module's floor, as ip6gre's).
gre_mtu() {
	local mtu=$(($1 - OUTER_HLEN - ${2:-4}))

	[ "$UNDERLAY" = 4 ] || [ "$mtu" -ge 1280 ] || mtu=1280
	echo "$mtu"
}

# wire_df RE: what gre_pcap.py's third field must match for outer DF RE:
# over IPv4 df=RE; IPv6 has no DF bit, the field there shows the
# encapsulation limit option (el=4, the default).
wire_df() {
	if [ "$UNDERLAY" = 6 ]; then
		echo "el=4"
	else
		echo "df=$1"
	fi
}

# hop_word: what ip -d link calls the outer TTL: ttl, or over IPv6
# hoplimit (as ip6gre).
hop_word() { [ "$UNDERLAY" = 6 ] && echo hoplimit || echo ttl; }

# ---------------------------------------------------------------------
# The two-router topology most tests use (UA, UB: over IPv6
# 2001:db8:c000:2::1 and ::2, /64, no DAD):
#
#   ns a                                       ns b
#   veth0 192.0.2.1/24 ------------------ veth0 192.0.2.2/24
#   gt0   local 192.0.2.1 remote .2       gt0   local 192.0.2.2 remote .1
#         10.9.0.1/30  fd00:9::1/64             10.9.0.2/30  fd00:9::2/64

underlay_up() {
	ns_add a
	ns_add b
	ip link add veth0 netns "$(ns_name a)" type veth \
		peer name veth0 netns "$(ns_name b)"
	uaddr_add a "$UA/$UPLEN" veth0
	uaddr_add b "$UB/$UPLEN" veth0
	at a ip link set veth0 up
	at b ip link set veth0 up
}

# tunnel_up [-k KIND] NS LOCAL REMOTE INNER4 INNER6 [link options...]: gt0
# of KIND (default gretun; gre for ip_gre) in NS, up, with INNER4/30 and
# INNER6/64. INNER6 "off": no IPv6 on gt0 at all, so that no MLD report or
# router solicitation lands in a counter a test wants exact; "none": no
# IPv6 address of ours, IPv6 as the kernel sets it up.
tunnel_up() {
	local kind=gretun ns src dst in4 in6

	if [ "$1" = -k ]; then
		kind=$2
		shift 2
	fi
	ns=$1 src=$2 dst=$3 in4=$4 in6=$5
	shift 5
	at "$ns" ip link add gt0 type "$kind" local "$src" remote "$dst" "$@"
	at "$ns" ip addr add "$in4/30" dev gt0
	case $in6 in
	off) at "$ns" sysctl -qw "net.ipv6.conf.gt0.disable_ipv6=1" ;;
	none) ;;
	*) at "$ns" ip -6 addr add "$in6/64" dev gt0 nodad ;;
	esac
	at "$ns" ip link set gt0 up
}

# pair_up [-4] "OPTIONS FOR A" "OPTIONS FOR B": the topology above; with
# -4 the tunnels carry IPv4 only (tunnel_up's INNER6 "off").
pair_up() {
	local in6a=fd00:9::1 in6b=fd00:9::2

	if [ "$1" = -4 ]; then
		in6a=off in6b=off
		shift
	fi
	# shellcheck disable=SC2086
	tunnel_up a "$UA" "$UB" 10.9.0.1 "$in6a" $1
	# shellcheck disable=SC2086
	tunnel_up b "$UB" "$UA" 10.9.0.2 "$in6b" $2
}

pair_down() {
	at a ip link del gt0 2>/dev/null || true
	at b ip link del gt0 2>/dev/null || true
}

ping4() { at "$1" ping -c "${3:-1}" -i 0.2 -W 2 -q "$2"; }
ping6() { at "$1" ping -6 -c "${3:-1}" -i 0.2 -W 2 -q "$2"; }

# capture_start NS DEV FILE [in|out]: tcpdump GRE (GRE_FILTER) arriving
# on DEV (or leaving it) until capture_stop.
capture_start() {
	rm -f "$3"
	spawn "$1" tcpdump --immediate-mode -B 32768 -i "$2" -Q "${4:-in}" -n -U -w "$3" \
		"$GRE_FILTER"
	CAPTURE_PID=$SPAWNED
	wait_for 5 test -s "$3"
}

capture_stop() {
	sleep 0.3
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null || true
}
