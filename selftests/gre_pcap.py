#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Decode the GRE-in-IPv4 packets of a pcap file, one line each:

  ttl=64 tos=0x28 df=1 ver=0 flags=CKS proto=0x0800 csum=ok key=42 seq=3

The GRE checksum is recomputed here, independently of the kernel. Other
packets are skipped, or with -a printed as "other ethertype=0x86dd" or
"other ipv4 proto=6". With -s, each GRE line starts with the outer
addresses and length: "192.0.2.1>192.0.2.2 len=112 ttl=64 ...", and with
-i it ends with the outer IP ID: "... id=0".
Usage: gre_pcap.py [-a] [-s] [-i] FILE
"""
import struct
import sys

from gre_wire import ones_complement_sum

ETH_P_IP = 0x0800
SHOW_ID = False


def link_payload(linktype, frame):
    """The ethertype of a frame and what follows its link header."""
    if linktype == 1:            # Ethernet
        off, proto = 14, struct.unpack("!H", frame[12:14])[0]
    elif linktype == 113:        # Linux cooked capture
        off, proto = 16, struct.unpack("!H", frame[14:16])[0]
    elif linktype == 276:        # Linux cooked capture v2
        off, proto = 20, struct.unpack("!H", frame[0:2])[0]
    else:
        sys.exit("gre_pcap: unsupported link type %d" % linktype)
    return proto, frame[off:]


def describe_other(proto, payload):
    if proto == ETH_P_IP:
        return "other ipv4 proto=%d" % payload[9]
    return "other ethertype=%#06x" % proto


def addresses(ip):
    total = struct.unpack("!H", ip[2:4])[0]
    return "%s>%s len=%d " % (".".join(map(str, ip[12:16])),
                              ".".join(map(str, ip[16:20])), total)


def describe(ip):
    ihl = (ip[0] & 0x0F) * 4
    tos, frag, ttl = ip[1], struct.unpack("!H", ip[6:8])[0], ip[8]
    total = struct.unpack("!H", ip[2:4])[0]
    gre = ip[ihl:total]
    flags, proto = struct.unpack("!HH", gre[:4])
    names = "".join(n for bit, n in ((0x8000, "C"), (0x2000, "K"),
                                     (0x1000, "S")) if flags & bit)
    out = ["ttl=%d" % ttl, "tos=%#x" % tos, "df=%d" % bool(frag & 0x4000),
           "ver=%d" % (flags & 7), "flags=%s" % (names or "-"),
           "proto=%#06x" % proto]
    opt = 4
    if flags & 0x8000:
        ok = ones_complement_sum(gre) == 0xFFFF
        out.append("csum=%s" % ("ok" if ok else "bad"))
        opt += 4
    if flags & 0x2000:
        out.append("key=%d" % struct.unpack("!I", gre[opt:opt + 4])[0])
        opt += 4
    if flags & 0x1000:
        out.append("seq=%d" % struct.unpack("!I", gre[opt:opt + 4])[0])
    if SHOW_ID:
        out.append("id=%d" % struct.unpack("!H", ip[4:6])[0])
    return " ".join(out)


def main():
    args = sys.argv[1:]
    show_all = "-a" in args
    show_addresses = "-s" in args
    global SHOW_ID
    SHOW_ID = "-i" in args
    args = [a for a in args if a not in ("-a", "-s", "-i")]
    data = open(args[0], "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        proto, payload = link_payload(linktype, frame)
        if proto == ETH_P_IP and payload[9] == 47:
            prefix = addresses(payload) if show_addresses else ""
            print(prefix + describe(payload))
        elif show_all:
            print(describe_other(proto, payload))


main()
