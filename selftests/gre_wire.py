# SPDX-License-Identifier: GPL-2.0
"""Wire helpers shared by the selftests' packet tools."""
import struct


def ones_complement_sum(data):
    """The folded 16-bit one's complement sum of data (RFC 1071)."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data):
    """The Internet checksum to put in a header over data."""
    return ~ones_complement_sum(data) & 0xFFFF
