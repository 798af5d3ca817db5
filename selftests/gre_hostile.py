#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile GRE traffic for gretun_hostile.sh: build it once, send it often.

  gre_hostile.py build DIR --mac-a MAC --mac-b MAC [--underlay 6 --ll-b ADDR]
  gre_hostile.py send IFACE FILE
  gre_hostile.py agent DIR

`build` writes one pcap per case family into DIR, for the topology of
gretun_hostile.sh: Ethernet frames from a (192.0.2.1) to b (192.0.2.2)
that b's tunnels must judge, and ICMP errors from the transit router
(192.0.2.2, b's side) to a about a's outer packets. Every packet of one
file must end the same way (one counter moves by the file's packet count);
the test script asserts that. Importing scapy is slow under emulation, so
it happens once, in `build`. With --underlay 6 the outer headers are
IPv6, at lib.sh's uaddr of each address, the errors ICMPv6 (redirects
from b's link-local address ADDR), and the cases that belong to one IP
version (fragments, options or extension headers, broadcast) are that
version's.

`send` writes every frame of FILE to IFACE through a packet socket, in
order, from one CPU (so the receiver sees them in order), and prints how
many it sent. It needs nothing but the standard library.

`agent` serves a test from inside a namespace, so that it starts no
process per question (each costs a second under emulation). It reads
commands on its input and answers each with lines ending in a line ".":
  send IFACE FAMILY   the frames of DIR/FAMILY.pcap; answers their number
  dump                "KEY VALUE" for every counter a test judges here:
                      DEV.FIELD (sysfs statistics of each gt* device),
                      DEV.NAME (its ethtool -S statistics), proc.FIELD
                      (/proc/net/gretun), snmp.NAME (named as nstat does),
                      and gt0.rx_injected (see injected())
"""
import os
import socket
import struct
import sys

from gre_wire import checksum as ocsum

A = "192.0.2.1"           # the sender, a: local end of a's tunnels
B = "192.0.2.2"           # the receiver, b; also a's gateway (transit)
FOREIGN = "192.0.2.3"     # on the link, no tunnel of ours
FAR = "198.51.100.1"      # a's gt6 remote, through the gateway b
FAR_OTHER = "198.51.100.99"
OTHER_SRC = "192.0.2.9"
IN_A, IN_B = "10.9.0.1", "10.9.0.2"
IN6_A, IN6_B = "fd00:9::1", "fd00:9::2"
KEY_PLAIN, KEY_SEQ, KEY_CSUM, KEY_ANY, KEY_FAR = 7, 8, 9, 77, 6
ECHO_ID = 0x4854          # inner echo replies: the receiver's stack counts
                          # them (IcmpInEchoReps) and answers nothing

C, R, K, S, SSR = 0x8000, 0x4000, 0x2000, 0x1000, 0x0800


# --------------------------------------------------------------------
# send (standard library only)

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "IIII", data[off:off + 16])[2]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def send(iface, path):
    # one CPU: frames enter the receiver's backlog of the sending CPU
    os.sched_setaffinity(0, [min(os.sched_getaffinity(0))])
    frames = read_pcap(path)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for frame in frames:
        s.send(frame)
    s.close()
    return len(frames)


# --------------------------------------------------------------------
# agent (standard library only)

SIOCETHTOOL = 0x8946
ETHTOOL_GSTRINGS, ETHTOOL_GSTATS, ETHTOOL_GSSET_INFO = 0x1B, 0x1D, 0x37
ETH_SS_STATS = 1


def ethtool_stats(sock, dev):
    """The device's ethtool -S statistics, as (name, value) pairs."""
    # pylint: disable=import-outside-toplevel
    import ctypes
    import fcntl

    def call(buf):
        ifr = struct.pack("16sP", dev.encode(), ctypes.addressof(buf))
        fcntl.ioctl(sock, SIOCETHTOOL, ifr)

    try:
        info = ctypes.create_string_buffer(
            struct.pack("IIQI", ETHTOOL_GSSET_INFO, 0, 1 << ETH_SS_STATS, 0))
        call(info)
        n = struct.unpack_from("I", info, 16)[0] \
            if struct.unpack_from("Q", info, 8)[0] else 0
        if not n:
            return []
        names = ctypes.create_string_buffer(
            struct.pack("III", ETHTOOL_GSTRINGS, ETH_SS_STATS, n) +
            bytes(32 * n))
        call(names)
        stats = ctypes.create_string_buffer(
            struct.pack("II", ETHTOOL_GSTATS, n) + bytes(8 * n))
        call(stats)
    except OSError:
        return []
    return [(names.raw[12 + 32 * i:44 + 32 * i].split(b"\0")[0].decode(),
             struct.unpack_from("Q", stats, 8 + 8 * i)[0]) for i in range(n)]


def snmp():
    """The namespace's SNMP counters, named as nstat names them."""
    out = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path) as f:
            lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            prefix, names = names.split(":", 1)
            for k, v in zip(names.split(), values.split(":", 1)[1].split()):
                out[prefix + k] = int(v)
    with open("/proc/net/snmp6") as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


def read_int(path):
    with open(path) as f:
        return int(f.read())


def injected():
    """The packets gt0 took other than echo requests (the test's ping),
    read where no ping is between the two counters: the echo requests
    before and after gt0's rx_packets agree, and two such readings 20 ms
    apart agree."""
    # pylint: disable=import-outside-toplevel
    import time

    last = None
    for _ in range(100):
        e1 = snmp()["IcmpInEchos"]
        rx = read_int("/sys/class/net/gt0/statistics/rx_packets")
        e2 = snmp()["IcmpInEchos"]
        if e1 == e2:
            if last == rx - e1:
                return last
            last = rx - e1
        time.sleep(0.02)
    return "unstable"


def dump():
    lines = ["snmp.%s %d" % kv for kv in sorted(snmp().items())]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for dev in sorted(os.listdir("/sys/class/net")):
        if not dev.startswith("gt"):
            continue
        stats = "/sys/class/net/%s/statistics" % dev
        for field in sorted(os.listdir(stats)):
            lines.append("%s.%s %d" % (dev, field,
                                        read_int(os.path.join(stats, field))))
        for name, value in ethtool_stats(sock, dev):
            lines.append("%s.%s %d" % (dev, name, value))
    sock.close()
    with open("/proc/net/gretun") as f:
        lines += ["proc." + line.strip() for line in f if line.strip()]
    if os.path.exists("/sys/class/net/gt0"):
        lines.append("gt0.rx_injected %s" % injected())
    return lines


def agent(pcaps):
    for line in sys.stdin:
        words = line.split()
        try:
            if words[:1] == ["send"] and len(words) == 3:
                out = [str(send(words[1],
                                os.path.join(pcaps, words[2] + ".pcap")))]
            elif words == ["dump"]:
                out = dump()
            else:
                out = ["error: unknown command " + line.strip()]
        except OSError as e:
            out = ["error: %s" % e]
        print("\n".join(out + ["."]), flush=True)


# --------------------------------------------------------------------
# build (scapy)

def uaddr(addr):
    """lib.sh's uaddr over IPv6: a.b.c.d is 2001:db8:XXXX:c::d."""
    a, b, c, d = (int(x) for x in addr.split("."))
    return "2001:db8:%x%s::%s" % (a * 256 + b, ":%x" % c if c else "",
                                  "%x" % d if d else "")



def gre(flags, proto=0x0800, payload=b"", key=None, seq=0, csum="good",
        reserved1=0):
    """A GRE header with the option fields its C, K and S bits call for.

    Bits other than C, K and S go on the wire as given, without fields.
    csum: "good", or an int XORed into the good checksum, or "zero".
    """
    opts = b""
    if flags & C:
        opts += struct.pack("!HH", 0, reserved1)
    if flags & K:
        opts += struct.pack("!I", KEY_PLAIN if key is None else key)
    if flags & S:
        opts += struct.pack("!I", seq & 0xFFFFFFFF)
    pkt = bytearray(struct.pack("!HH", flags, proto) + opts + payload)
    if flags & C:
        good = ocsum(bytes(pkt))
        if csum == "good":
            value = good
        elif csum == "zero":
            value = 0
        else:
            value = good ^ csum
        # one's complement has two zeros: a bad value must be truly bad
        if csum != "good" and (value == good or {value, good} == {0, 0xFFFF}):
            raise ValueError("checksum variant equals the good checksum")
        pkt[4:6] = struct.pack("!H", value)
    return bytes(pkt)


def main_build(out, mac_a, mac_b, six=False, ll_b=None):
    # pylint: disable=import-outside-toplevel,too-many-locals
    # pylint: disable=too-many-statements,too-many-branches
    from scapy.all import (Ether, ICMP, IP, IPOption, IPOption_NOP,
                           IPOption_RR, IPOption_Router_Alert,
                           IPOption_Timestamp, IPOption_LSRR, Raw, wrpcap)
    from scapy.layers.inet6 import (
        IPv6, ICMPv6EchoReply, ICMPv6PacketTooBig, ICMPv6DestUnreach,
        ICMPv6TimeExceeded, ICMPv6ParamProblem, ICMPv6ND_Redirect,
        ICMPv6NDOptRedirectedHdr)

    files = {}
    a, b, foreign, far, far_other, other_src = \
        (uaddr(x) if six else x
         for x in (A, B, FOREIGN, FAR, FAR_OTHER, OTHER_SRC))

    def add(name, frame):
        files.setdefault(name, []).append(frame)

    def outer(src, dst, proto=47, **ip):
        if six:
            return IPv6(src=src, dst=dst, nh=proto, hlim=64)
        return IP(src=src, dst=dst, proto=proto, ttl=64, **ip)

    def to_b(payload, src=a, dst=b, eth_dst=mac_b, **ip):
        return Ether(src=mac_a, dst=eth_dst) / outer(src, dst, **ip) / \
            Raw(payload)

    def to_b_raw(packet):
        return Ether(src=mac_a, dst=mac_b, type=0x86DD if six else 0x0800) / \
            Raw(packet)

    def to_a(ip_layer):
        return Ether(src=mac_b, dst=mac_a) / ip_layer

    def echo4(n=1, pad=0, data=b"gretun-hostile"):
        return bytes(IP(src=IN_A, dst=IN_B) /
                     ICMP(type=0, id=ECHO_ID, seq=n & 0xFFFF) / Raw(data)) + \
            b"\xee" * pad

    def echo6(n=1):
        return bytes(IPv6(src=IN6_A, dst=IN6_B) /
                     ICMPv6EchoReply(id=ECHO_ID, seq=n) /
                     Raw(b"gretun-hostile"))

    def ip6(src, dst, nh, payload, hlim=64):
        """An IPv6 packet whose payload (extension headers included) is
        given as bytes."""
        return bytes(IPv6(src=src, dst=dst, nh=nh, hlim=hlim) / Raw(payload))

    def ext(nh, opts):
        """A hop-by-hop or destination options header carrying the
        option bytes opts, padded to 8 bytes with PadN."""
        body = bytes(opts)
        pad = (-(2 + len(body))) % 8
        if pad == 1:
            body += b"\x00"                      # Pad1
        elif pad:
            body += bytes([1, pad - 2]) + bytes(pad - 2)
        return bytes([nh, (2 + len(body)) // 8 - 1]) + body

    # ---- flags and versions ------------------------------------------
    # RFC 2784 2.3: bits 1-5 set, or a version other than 0: refuse.
    # Bits 2 and 3 are RFC 2890's key and sequence, which we implement.
    for bit in (R, SSR, 0x0400, 0x0004, 0x0002, 0x0001):
        add("flags-bad", to_b(gre(bit, payload=echo4())))
    for bit in (R, SSR, 0x0400):
        add("flags-bad", to_b(gre(bit | K, payload=echo4())))
    for ver in range(1, 8):
        for cks in range(8):
            flags = (C if cks & 4 else 0) | (K if cks & 2 else 0) | \
                (S if cks & 1 else 0) | ver
            add("flags-bad", to_b(gre(flags, payload=echo4())))
    add("flags-bad", to_b(gre(0xFFFF, payload=echo4())))
    # Bits 6-12 (the rest of recursion control, the ack bit, RFC 1701's
    # flags) are ignored; with C and S, or nothing at all, the keyless
    # tunnel gt0 takes them.
    ok_plain = [0, C, S, C | S, 0x0200, 0x0100, 0x0080, 0x0040, 0x0020,
                0x0010, 0x0008, 0x03F8, 0x03F8 | C | S]
    for n, flags in enumerate(ok_plain):
        add("flags-ok-plain", to_b(gre(flags, payload=echo4(n), seq=n)))
    # reserved1 is not ours to judge; the checksum covers it
    add("flags-ok-plain", to_b(gre(C, payload=echo4(99), reserved1=0xBEEF)))
    for n, flags in enumerate((K, C | K, K | S, C | K | S, 0x03F8 | C | K | S,
                               0x0080 | K)):
        add("flags-ok-key", to_b(gre(flags, payload=echo4(n), seq=n)))

    # ---- headers cut at every byte ------------------------------------
    full = gre(C | K | S, payload=echo4(), seq=1)
    for cut in range(16):
        add("cut", to_b(full[:cut]))

    # ---- payloads shorter than the inner header ----------------------
    add("short-key", to_b(gre(C | K | S, 0x0800, b"", seq=1)))
    add("short-key", to_b(gre(K, 0x86DD, b"")))
    add("short-plain", to_b(gre(0, 0x0800, b"")))
    add("short-plain", to_b(gre(0, 0x0800, echo4()[:10])))
    add("short-plain", to_b(gre(0, 0x86DD, echo6()[:20])))
    add("empty-other", to_b(gre(0, 0x88B5, b"")))
    add("empty-other", to_b(gre(0, 0x6558, b"")))

    # ---- checksums -------------------------------------------------------
    for variant in (0x0001, 0x8000, 0x00FF):
        add("csum-bad-plain", to_b(gre(C, payload=echo4(), csum=variant)))
    add("csum-bad-key", to_b(gre(C | K, payload=echo4(), csum=0x0100)))
    add("csum-bad-csumtun", to_b(gre(C | K, payload=echo4(), key=KEY_CSUM,
                                     csum=0x0010)))
    add("csum-bad-notunnel", to_b(gre(C | K, payload=echo4(), key=12345,
                                      csum=0x0001)))
    add("csum-missing", to_b(gre(K, payload=echo4(), key=KEY_CSUM)))
    add("csum-missing", to_b(gre(K | S, payload=echo4(), key=KEY_CSUM)))
    add("csum-ok", to_b(gre(C | K, payload=echo4(), key=KEY_CSUM)))

    # ---- keys and endpoints that match no tunnel ----------------------
    add("no-tunnel", to_b(gre(K, payload=echo4(), key=0)))
    add("no-tunnel", to_b(gre(K, payload=echo4(), key=12345)))
    add("no-tunnel", to_b(gre(K | S, payload=echo4(), key=KEY_SEQ),
                          src=foreign))
    add("no-tunnel", to_b(gre(0, payload=echo4()), src=foreign))
    add("no-tunnel", to_b(gre(K, payload=echo4()), src=foreign))

    # ---- sequence numbers on gt2 (key 8, iseq), in this order ---------
    # accepted: 10 11 2^31+11 0xfffffffb 0xffffffff 0 1 2
    # old:      11 5 0xfffffff0 2^31+11 0xffffffff 1 2^31+2
    # missing:  one packet without a sequence number
    for seq in (10, 11, 11, 5, 0xFFFFFFF0, 11 + (1 << 31), 11 + (1 << 31),
                0xFFFFFFFB, 0xFFFFFFFF, 0, 1, 0xFFFFFFFF, 1, None,
                2 + (1 << 31), 2):
        flags = K | (S if seq is not None else 0)
        add("seq", to_b(gre(flags, payload=echo4(seq or 0), key=KEY_SEQ,
                            seq=seq or 0)))

    # ---- inner protocols the tunnel does not know ---------------------
    for proto in (0x0000, 0x6558, 0x88BE, 0xFFFF, 0x88B5):
        add("proto-unknown", to_b(gre(0, proto, b"\x5a" * 46)))

    # ---- inner headers that lie -----------------------------------------
    good = echo4()
    lies = []
    ip = IP(good)
    ip.len = len(good) + 40                             # longer than it is
    del ip.chksum
    lies.append(bytes(ip))
    for tot_len, ihl, version in ((10, 5, 4), (None, 4, 4), (None, 15, 4),
                                  (None, 5, 6)):
        ip = IP(good)
        if tot_len is not None:
            ip.len = tot_len
        ip.ihl, ip.version = ihl, version
        del ip.chksum
        raw = bytearray(bytes(ip))
        raw[0] = (version << 4) | ihl
        if tot_len is not None:
            raw[2:4] = struct.pack("!H", tot_len)
        raw[10:12] = b"\0\0"
        raw[10:12] = struct.pack("!H", ocsum(bytes(raw[:20])))
        lies.append(bytes(raw))
    bad_csum = bytearray(good)
    bad_csum[10] ^= 0x55
    lies.append(bytes(bad_csum))
    for payload in lies:
        add("inner-lies4", to_b(gre(0, 0x0800, payload)))
    # shorter than the payload: the rest is padding, the stack trims it
    add("inner-pad4", to_b(gre(0, 0x0800, echo4(7, pad=20))))
    six_lie = IPv6(echo6())
    six_lie.plen = len(echo6()) - 40 + 100
    add("inner-lies6", to_b(gre(0, 0x86DD, bytes(six_lie))))
    four_in_six = bytearray(echo6())
    four_in_six[0] = 0x45
    add("inner-lies6", to_b(gre(0, 0x86DD, bytes(four_in_six))))
    add("inner-pad6", to_b(gre(0, 0x86DD, echo6() + b"\xee" * 24)))

    # ---- outer fragments ----------------------------------------------
    big = gre(0, 0x0800, echo4(3, data=b"gretun-fragment" * 12))

    def frag(ident, off, chunk, more):
        if six:
            # the fragment header: next header, 0, offset and M, id
            hdr = struct.pack("!BBHI", 47, 0, off | (1 if more else 0),
                              ident)
            return to_b_raw(ip6(a, b, 44, hdr + chunk))
        return to_b(chunk, id=ident, frag=off // 8,
                    flags="MF" if more else 0)

    # a complete packet in three pieces, out of order: reassembled, taken
    add("frag-ok", frag(0x4701, 64, big[64:128], True))
    add("frag-ok", frag(0x4701, 128, big[128:], False))
    add("frag-ok", frag(0x4701, 0, big[:64], True))
    # a first piece alone, and a last piece alone: never complete
    add("frag-bad", frag(0x4702, 0, big[:64], True))
    add("frag-bad", frag(0x4703, 64, big[64:], False))
    # overlapping pieces that would otherwise complete the packet
    other = bytes(x ^ 0xFF for x in big)
    add("frag-bad", frag(0x4704, 0, big[:64], True))
    add("frag-bad", frag(0x4704, 32, other[32:128], True))
    add("frag-bad", frag(0x4704, 128, big[128:], False))

    # ---- outer IP options, or IPv6 extension headers --------------------
    payload = gre(0, payload=echo4(5))
    if six:
        padn4 = bytes([1, 4]) + bytes(4)
        limit = bytes([4, 1, 0])                 # encapsulation limit 0
        router_alert = bytes([5, 2, 0, 0])
        for hdrs in ([(0, padn4)], [(60, padn4)], [(60, limit)],
                     [(0, router_alert), (60, limit)]):
            chain, nxt = b"", 47
            for kind, opts in reversed(hdrs):
                chain = ext(nxt, opts) + chain
                nxt = kind
            add("ipopts-ok", to_b_raw(ip6(a, b, nxt, chain + payload)))
        # a routing header type 0 with nothing left to route: ignored
        rh0 = bytes([47, 2, 0, 0, 0, 0, 0, 0]) + bytes(16)
        add("ipopts-ok", to_b_raw(ip6(a, b, 43, rh0 + payload)))
        # unknown options that say discard (silently, with an error),
        # a type 0 routing header to follow, options longer than the packet
        for nxt, hdr in ((0, ext(47, [0x41, 1, 0])),
                         (60, ext(47, [0xC2, 1, 0])),
                         (43, bytes([47, 2, 0, 1, 0, 0, 0, 0]) + bytes(16)),
                         (60, bytes([47, 30]) + padn4)):
            add("ipopts-bad", to_b_raw(ip6(a, b, nxt, hdr + payload)))
    else:
        for opts in ([IPOption_NOP()] * 4,
                     [IPOption_RR(routers=["0.0.0.0"] * 3)],
                     [IPOption_Timestamp(flg=0, timestamp=[0, 0])],
                     [IPOption_Router_Alert()]):
            add("ipopts-ok", to_b(payload, options=opts))
        # malformed options, and a source route we do not accept
        add("ipopts-bad",
            to_b(payload, options=[IPOption(b"\x07\x01\x04\x00")]))
        add("ipopts-bad",
            to_b(payload, options=[IPOption(b"\x44\x28\x05\x00")]))
        add("ipopts-bad", to_b(payload,
                               options=[IPOption_LSRR(routers=[FOREIGN])]))

    # ---- GRE in GRE, 20 deep ------------------------------------------
    inner, proto = echo4(20), 0x0800
    for _ in range(20):
        inner = bytes(outer(a, b) / Raw(gre(0, proto, inner)))
        proto = 0x86DD if six else 0x0800
    add("nest20", to_b_raw(inner))

    # ---- broadcast and multicast outer addresses -----------------------
    # b takes these for itself (broadcast, all-hosts), but no tunnel may:
    # not gt0 (local b) nor gt4 (local any, key 77)
    if six:
        groups = (("ff02::1", "33:33:00:00:00:01"),)
        drops = (("ff0e::5", "33:33:00:00:00:05"),
                 ("ff05::1:3", "33:33:00:01:00:03"))
        bad_srcs = ("ff02::1",)
    else:
        groups = (("255.255.255.255", "ff:ff:ff:ff:ff:ff"),
                  ("192.0.2.255", "ff:ff:ff:ff:ff:ff"),
                  ("224.0.0.1", "01:00:5e:00:00:01"))
        drops = (("224.0.0.5", "01:00:5e:00:00:05"),
                 ("239.1.2.3", "01:00:5e:01:02:03"))
        bad_srcs = ("255.255.255.255", "224.0.0.1", "0.0.0.0")
    for dst, mac in groups:
        add("bcast", to_b(gre(0, payload=echo4()), dst=dst, eth_dst=mac))
        add("bcast", to_b(gre(K, payload=echo4(), key=KEY_ANY), dst=dst,
                          eth_dst=mac))
    # groups b has not joined, and sources that cannot be: IP drops them
    for dst, mac in drops:
        add("ip-drops", to_b(gre(0, payload=echo4()), dst=dst, eth_dst=mac))
    for src in bad_srcs:
        add("ip-drops", to_b(gre(0, payload=echo4()), src=src))
    # IPv6 takes the unspecified source; no tunnel has it as its remote
    if six:
        add("no-tunnel-unspec", to_b(gre(0, payload=echo4()), src="::"))
        add("no-tunnel-unspec", to_b(gre(K, payload=echo4(), key=KEY_ANY),
                                     src="::"))

    # ---- one of each, for the drop monitor -----------------------------
    add("trace-notunnel", to_b(gre(K, payload=echo4(), key=4242)))
    add("trace-badhdr", to_b(gre(0x0001, payload=echo4())))

    # ---- ICMP errors to a, from the transit router b --------------------
    def quote(dst=far, src=a, hdr=None, proto=47, cut=None, limit=False):
        if hdr is None:
            hdr = gre(K, payload=echo4(), key=KEY_FAR)
        if six and limit:
            # a's packets carry the encapsulation limit option (4)
            q = ip6(src, dst, 60, bytes([proto, 0, 4, 1, 4, 1, 1, 0]) + hdr,
                    hlim=63)
        elif six:
            q = ip6(src, dst, proto, hdr, hlim=63)
        else:
            q = bytes(IP(src=src, dst=dst, proto=proto, ttl=63, id=0x5151,
                         flags="DF") / Raw(hdr))
        return q if cut is None else q[:(40 if six else 20) + cut]

    def icmp(kind, q):
        if not six:
            icmp_type, code, kw = kind
            return to_a(IP(src=b, dst=a, ttl=64) /
                        ICMP(type=icmp_type, code=code, **kw) / Raw(q))
        if kind == "redirect":
            # from b's link-local address, the next hop a has for far
            return to_a(IPv6(src=ll_b, dst=a, hlim=255) /
                        ICMPv6ND_Redirect(tgt="fe80::3", dst=far) /
                        ICMPv6NDOptRedirectedHdr(pkt=q))
        return to_a(IPv6(src=b, dst=a, hlim=64) / kind / Raw(q))

    junk_quotes = [
        # our gt6's endpoints, C and K, cut before the key
        quote(hdr=gre(C | K, payload=echo4(), key=KEY_FAR), cut=8),
        # a header a receiver must refuse: version 1, routing present
        quote(hdr=gre(K | 0x0001, payload=echo4(), key=KEY_FAR)),
        quote(hdr=gre(K | R, payload=echo4(), key=KEY_FAR)),
        # gt6's endpoints, wrong key, no key
        quote(hdr=gre(K, payload=echo4(), key=66)),
        quote(hdr=gre(0, payload=echo4())),
        # not our source; another remote; gt0's endpoints with a key
        quote(src=other_src),
        quote(dst=far_other),
        quote(dst=b, hdr=gre(K, payload=echo4(), key=KEY_FAR)),
        quote(dst=b, hdr=gre(R, payload=echo4())),
    ]
    if six:
        kinds = (ICMPv6PacketTooBig(mtu=1300), "redirect",
                 ICMPv6DestUnreach(code=3), ICMPv6TimeExceeded(code=0),
                 ICMPv6DestUnreach(code=4))
    else:
        kinds = ((3, 4, {"nexthopmtu": 1300}), (5, 1, {"gw": FOREIGN}),
                 (3, 1, {}), (11, 0, {}), (3, 3, {}))
    for kind in kinds:
        for q in junk_quotes:
            add("icmp-junk", icmp(kind, q))
        # not GRE at all, same endpoints: TCP with no connection, and a
        # protocol nobody handles. (Not UDP: Linux's udp_err() applies
        # frag needed and redirects with no socket at all.)
        add("icmp-nongre", icmp(kind, quote(proto=6, hdr=b"\x30\x39\x00\x35"
                                            b"\x00\x00\x00\x01")))
        add("icmp-nongre", icmp(kind, quote(proto=253, hdr=bytes(8))))
        # too short for any handler: 4 bytes after the IP header
        add("icmp-short", icmp(kind, quote(cut=4)))
    pmtu, redirect, noted, ignored = kinds[0], kinds[1], kinds[2], kinds[4]
    add("icmp-pmtu", icmp(pmtu, quote(limit=True)))
    add("icmp-redirect", icmp(redirect, quote(limit=True)))
    add("icmp-noted", icmp(noted, quote(limit=True)))
    add("icmp-ignored", icmp(ignored, quote(limit=True)))
    if six:
        # RFC 2473 8: a tunnel further on found our limit spent (the
        # pointer at its value, byte 44), and a problem elsewhere
        add("icmp-noted", icmp(ICMPv6ParamProblem(code=0, ptr=44),
                               quote(limit=True)))
        add("icmp-ignored", icmp(ICMPv6ParamProblem(code=0, ptr=6),
                                 quote(limit=True)))

    os.makedirs(out, exist_ok=True)
    for name, frames in files.items():
        wrpcap(os.path.join(out, name + ".pcap"), frames)
    for name in sorted(files):
        print("%s %d" % (name, len(files[name])))


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "send":
        print(send(args[1], args[2]))
    elif len(args) == 2 and args[0] == "agent":
        agent(args[1])
    elif len(args) == 6 and args[0] == "build" and args[2] == "--mac-a" \
            and args[4] == "--mac-b":
        main_build(args[1], args[3], args[5])
    elif len(args) == 10 and args[0] == "build" and args[2] == "--mac-a" \
            and args[4] == "--mac-b" and args[6:8] == ["--underlay", "6"] \
            and args[8] == "--ll-b":
        main_build(args[1], args[3], args[5], six=True, ll_b=args[9])
    else:
        sys.exit(__doc__)


main()
