#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one ICMP or ICMPv6 error about a packet the receiver supposedly
sent, as a router on the path would, or as an attacker would.

  icmp_inject.py --to ADDR --quote-src A --quote-dst B
                 [--type T] [--code C] [--mtu N] [--gateway G]
                 [--proto 47|17|...] [--key K] [--gre-flags 0xNNNN]
                 [--quote-len N] [--encap-limit N|none]

The quoted packet is an IP header (protocol --proto, default GRE) and,
for GRE, a header with the given flags and key, then 8 bytes of an inner
IPv4 header; --quote-len cuts the quote to N bytes. Defaults: type 3
code 4 (fragmentation needed).

IPv6 addresses send ICMPv6 (type and code are ICMPv6's; default 2, packet
too big) quoting an IPv6 header and, as our tunnels send it, the RFC 2473
encapsulation limit option before GRE (--encap-limit, default 4; none
quotes GRE right after the IPv6 header). --mtu fills the 32-bit field
after the code: the MTU of a packet too big, the pointer of a parameter
problem. No redirect over IPv6 (those are neighbour discovery's).
"""
import argparse
import socket
import struct

from gre_wire import checksum as csum

NEXTHDR_DEST = 60


def quoted_body(a):
    """What follows the quoted IP header, up to the quoted inner header."""
    if a.proto == socket.IPPROTO_GRE:
        flags = a.gre_flags | (0x2000 if a.key is not None else 0)
        body = struct.pack("!HH", flags, 0x0800)
        if a.key is not None:
            body += struct.pack("!I", a.key)
        return body + bytes([0x45, 0, 0, 84, 0, 1, 0x40, 0])
    return struct.pack("!HHHH", 4242, 4242, 108, 0)


def quoted4(a):
    body = quoted_body(a)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body) + 72, 7,
                      0x4000, 64, a.proto, 0, socket.inet_aton(a.quote_src),
                      socket.inet_aton(a.quote_dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + body


def quoted6(a):
    body = quoted_body(a)
    nexthdr = a.proto
    if a.encap_limit != "none" and a.proto == socket.IPPROTO_GRE:
        # RFC 2473 section 5.1: limit option, then PadN to 8 bytes
        body = bytes([a.proto, 0, 4, 1, int(a.encap_limit), 1, 1, 0]) + body
        nexthdr = NEXTHDR_DEST
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(body) + 72, nexthdr, 64,
                      socket.inet_pton(socket.AF_INET6, a.quote_src),
                      socket.inet_pton(socket.AF_INET6, a.quote_dst))
    return hdr + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--quote-src", required=True)
    ap.add_argument("--quote-dst", required=True)
    ap.add_argument("--type", type=int)
    ap.add_argument("--code", type=int)
    ap.add_argument("--mtu", type=int, default=0)
    ap.add_argument("--gateway")
    ap.add_argument("--proto", type=int, default=socket.IPPROTO_GRE)
    ap.add_argument("--key", type=int)
    ap.add_argument("--gre-flags", type=lambda v: int(v, 0), default=0)
    ap.add_argument("--quote-len", type=int)
    ap.add_argument("--encap-limit", default="4")
    a = ap.parse_args()

    six = ":" in a.to
    if six:
        if a.gateway:
            ap.error("no redirect over IPv6")
        kind = (2 if a.type is None else a.type, a.code or 0)
        data = quoted6(a)
        rest = struct.pack("!I", a.mtu)
    else:
        kind = (3 if a.type is None else a.type,
                4 if a.code is None else a.code)
        data = quoted4(a)
        if a.gateway:
            rest = socket.inet_aton(a.gateway)
        else:
            rest = struct.pack("!HH", 0, a.mtu)
    if a.quote_len is not None:
        data = data[:a.quote_len]
    msg = bytearray(struct.pack("!BBH", kind[0], kind[1], 0) + rest + data)
    if six:
        # the kernel fills in the ICMPv6 checksum (RFC 3542 section 3.1)
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_ICMPV6)
    else:
        msg[2:4] = struct.pack("!H", csum(bytes(msg)))
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_ICMP)
    s.sendto(bytes(msg), (a.to, 0))


main()
