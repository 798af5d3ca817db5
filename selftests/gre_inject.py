#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one hand-made GRE packet carrying an ICMP echo request, to test
how the receiver judges headers that a well-behaved peer never sends.

  gre_inject.py --to OUTER_DST --inner-src A --inner-dst B
                [--key K] [--seq S] [--csum good|bad] [--flags 0xNNNN]
                [--truncate N] [--outer-tos T] [--inner-tos T]

--flags ORs raw bits into the first 16 bits (version, routing, ...);
--truncate cuts the GRE packet to N bytes; the TOS bytes include ECN.
An IPv6 OUTER_DST sends GRE over IPv6 (--outer-tos: the traffic class),
without an encapsulation limit option.
"""
import argparse
import socket
import struct

from gre_wire import checksum as csum


def icmp_echo_in_ipv4(src, dst, tos):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4754, 1) + b"gretun-inject"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(icmp), 1, 0, 64,
                      socket.IPPROTO_ICMP, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + icmp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--inner-src", required=True)
    ap.add_argument("--inner-dst", required=True)
    ap.add_argument("--key", type=int)
    ap.add_argument("--seq", type=int)
    ap.add_argument("--csum", choices=("good", "bad"))
    ap.add_argument("--flags", type=lambda v: int(v, 0), default=0)
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--outer-tos", type=lambda v: int(v, 0), default=0)
    ap.add_argument("--inner-tos", type=lambda v: int(v, 0), default=0)
    a = ap.parse_args()

    flags = a.flags
    opts = b""
    if a.csum:
        flags |= 0x8000
        opts += b"\0\0\0\0"
    if a.key is not None:
        flags |= 0x2000
        opts += struct.pack("!I", a.key)
    if a.seq is not None:
        flags |= 0x1000
        opts += struct.pack("!I", a.seq)
    pkt = bytearray(struct.pack("!HH", flags, 0x0800) + opts +
                    icmp_echo_in_ipv4(a.inner_src, a.inner_dst, a.inner_tos))
    if a.csum:
        value = csum(bytes(pkt)) ^ (0xFFFF if a.csum == "bad" else 0)
        pkt[4:6] = struct.pack("!H", value)
    if a.truncate is not None:
        pkt = pkt[:a.truncate]

    if ":" in a.to:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_GRE)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, a.outer_tos)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.outer_tos)
    s.sendto(bytes(pkt), (a.to, 0))


main()
