#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Wait on a plain (not memory-mapped) packet socket for one GRE packet
arriving on DEV and print the TOS byte of the IPv4 packet inside it, as
the socket's copy holds it when read: a receiver that writes into data it
shares with this copy shows up here.

  gre_peek.py DEV [TIMEOUT]
Prints "ready" on stderr once listening; exits 1 on timeout.
"""
import socket
import sys

ETH_P_IP = 0x0800


def main():
    dev = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_IP))
    s.bind((dev, 0))
    s.settimeout(timeout)
    print("ready", file=sys.stderr, flush=True)
    try:
        while True:
            ip = s.recv(4096)[14:]
            if len(ip) < 20 or ip[9] != socket.IPPROTO_GRE:
                continue
            gre = ip[(ip[0] & 0x0F) * 4:]
            if len(gre) < 6 or gre[0] or gre[2:4] != b"\x08\x00":
                continue
            print("%#x" % gre[5])
            return 0
    except socket.timeout:
        return 1


sys.exit(main())
