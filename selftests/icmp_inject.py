#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one ICMP error about a packet the receiver supposedly sent, as a
router on the path would, or as an attacker would.

  icmp_inject.py --to ADDR --quote-src A --quote-dst B
                 [--type T] [--code C] [--mtu N] [--gateway G]
                 [--proto 47|17|...] [--key K] [--gre-flags 0xNNNN]
                 [--quote-len N]

The quoted packet is an IPv4 header (protocol --proto, default GRE) and,
for GRE, a header with the given flags and key, then 8 bytes of an inner
IPv4 header; --quote-len cuts the quote to N bytes. Defaults: type 3
code 4 (fragmentation needed).
"""
import argparse
import socket
import struct

from gre_wire import checksum as csum


def quoted(a):
    if a.proto == socket.IPPROTO_GRE:
        flags = a.gre_flags | (0x2000 if a.key is not None else 0)
        body = struct.pack("!HH", flags, 0x0800)
        if a.key is not None:
            body += struct.pack("!I", a.key)
        body += bytes([0x45, 0, 0, 84, 0, 1, 0x40, 0])
    else:
        body = struct.pack("!HHHH", 4242, 4242, 108, 0)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body) + 72, 7,
                      0x4000, 64, a.proto, 0, socket.inet_aton(a.quote_src),
                      socket.inet_aton(a.quote_dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    data = hdr + body
    return data[:a.quote_len] if a.quote_len is not None else data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--quote-src", required=True)
    ap.add_argument("--quote-dst", required=True)
    ap.add_argument("--type", type=int, default=3)
    ap.add_argument("--code", type=int, default=4)
    ap.add_argument("--mtu", type=int, default=0)
    ap.add_argument("--gateway")
    ap.add_argument("--proto", type=int, default=socket.IPPROTO_GRE)
    ap.add_argument("--key", type=int)
    ap.add_argument("--gre-flags", type=lambda v: int(v, 0), default=0)
    ap.add_argument("--quote-len", type=int)
    a = ap.parse_args()

    if a.gateway:
        rest = socket.inet_aton(a.gateway)
    else:
        rest = struct.pack("!HH", 0, a.mtu)
    msg = bytearray(struct.pack("!BBH", a.type, a.code, 0) + rest + quoted(a))
    msg[2:4] = struct.pack("!H", csum(bytes(msg)))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(bytes(msg), (a.to, 0))


main()
