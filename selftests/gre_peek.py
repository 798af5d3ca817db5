#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Wait on a plain (not memory-mapped) packet socket for one GRE packet
arriving on DEV, over IPv4 or IPv6, and print the TOS byte of the IPv4
packet inside it, as the socket's copy holds it when read: a receiver
that writes into data it shares with this copy shows up here.

  gre_peek.py DEV [TIMEOUT]
Prints "ready" on stderr once listening; exits 1 on timeout.
"""
import socket
import sys

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
NEXTHDR_DEST = 60


def gre_of(frame):
    """The GRE packet in an Ethernet frame, or b"" if it holds none."""
    proto, ip = int.from_bytes(frame[12:14], "big"), frame[14:]
    if proto == ETH_P_IP and len(ip) >= 20 and ip[9] == socket.IPPROTO_GRE:
        return ip[(ip[0] & 0x0F) * 4:]
    if proto != ETH_P_IPV6 or len(ip) < 48:
        return b""
    nexthdr, off = ip[6], 40
    if nexthdr == NEXTHDR_DEST:     # the encapsulation limit option
        nexthdr, off = ip[40], 40 + (ip[41] + 1) * 8
    return ip[off:] if nexthdr == socket.IPPROTO_GRE else b""


def main():
    dev = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    try:
        while True:
            gre = gre_of(s.recv(4096))
            if len(gre) < 6 or gre[0] or gre[2:4] != b"\x08\x00":
                continue
            print("%#x" % gre[5])
            return 0
    except socket.timeout:
        return 1


sys.exit(main())
