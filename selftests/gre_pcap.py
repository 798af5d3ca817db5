#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Decode the GRE-in-IPv4 and GRE-in-IPv6 packets of a pcap file, one
line each:

  ttl=64 tos=0x28 df=1 ver=0 flags=CKS proto=0x0800 csum=ok key=42 seq=3

Over IPv6, ttl is the hop limit, tos the traffic class, and the third
field is the RFC 2473 encapsulation limit option in place of DF, which
IPv6 has not: "el=4", or "el=none" without the option.
The GRE checksum is recomputed here, independently of the kernel. Other
packets are skipped, or with -a printed as "other ethertype=0x86dd",
"other ipv4 proto=6" or "other ipv6 proto=58". With -s, each GRE line
starts with the outer addresses and length (the whole outer packet):
"192.0.2.1>192.0.2.2 len=112 ttl=64 ...", and with -i it ends with the
outer IP ID: "... id=0" (over IPv6 "id=-": there is none).
Usage: gre_pcap.py [-a] [-s] [-i] FILE
"""
import socket
import struct
import sys

from gre_wire import ones_complement_sum

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
# IPv6 extension headers we step over: hop-by-hop, routing, dest options
IPV6_EXT = (0, 43, 60)
IPV6_FRAG = 44
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


def ipv6_gre(ip):
    """For an IPv6 packet: (GRE and what follows, the encapsulation limit
    or None, the next header that is not GRE or None)."""
    nexthdr, off, limit = ip[6], 40, None
    total = 40 + struct.unpack("!H", ip[4:6])[0]
    while nexthdr in IPV6_EXT + (IPV6_FRAG,) and off + 8 <= total:
        if nexthdr == IPV6_FRAG:
            if struct.unpack("!H", ip[off + 2:off + 4])[0] & 0xFFF8:
                return None, None, nexthdr   # not the first fragment
            nexthdr, off = ip[off], off + 8
            continue
        end = off + (ip[off + 1] + 1) * 8
        i = off + 2
        while nexthdr == 60 and i + 2 <= end:
            if ip[i] == 0:                   # Pad1
                i += 1
                continue
            if ip[i] == 4 and ip[i + 1] == 1:
                limit = ip[i + 2]
            i += 2 + ip[i + 1]
        nexthdr, off = ip[off], end
    if nexthdr != socket.IPPROTO_GRE:
        return None, None, nexthdr
    return ip[off:total], limit, None


def describe_other(proto, payload):
    if proto == ETH_P_IP:
        return "other ipv4 proto=%d" % payload[9]
    if proto == ETH_P_IPV6:
        return "other ipv6 proto=%d" % ipv6_gre(payload)[2]
    return "other ethertype=%#06x" % proto


def addresses(ip):
    if ip[0] >> 4 == 6:
        total = 40 + struct.unpack("!H", ip[4:6])[0]
        src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
    else:
        total = struct.unpack("!H", ip[2:4])[0]
        src = socket.inet_ntop(socket.AF_INET, ip[12:16])
        dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
    return "%s>%s len=%d " % (src, dst, total)


def describe(ip):
    if ip[0] >> 4 == 6:
        word = struct.unpack("!I", ip[:4])[0]
        tos, ttl = (word >> 20) & 0xFF, ip[7]
        gre, limit, _ = ipv6_gre(ip)
        third = "el=%s" % ("none" if limit is None else limit)
        ident = "id=-"
    else:
        ihl = (ip[0] & 0x0F) * 4
        tos, frag, ttl = ip[1], struct.unpack("!H", ip[6:8])[0], ip[8]
        total = struct.unpack("!H", ip[2:4])[0]
        gre = ip[ihl:total]
        third = "df=%d" % bool(frag & 0x4000)
        ident = "id=%d" % struct.unpack("!H", ip[4:6])[0]
    flags, proto = struct.unpack("!HH", gre[:4])
    names = "".join(n for bit, n in ((0x8000, "C"), (0x2000, "K"),
                                     (0x1000, "S")) if flags & bit)
    out = ["ttl=%d" % ttl, "tos=%#x" % tos, third,
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
        out.append(ident)
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
        if ((proto == ETH_P_IP and payload[9] == socket.IPPROTO_GRE) or
                (proto == ETH_P_IPV6 and ipv6_gre(payload)[0] is not None)):
            prefix = addresses(payload) if show_addresses else ""
            print(prefix + describe(payload))
        elif show_all:
            print(describe_other(proto, payload))


main()
