/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The netlink contract between the gretun module and its
 * iproute2 plugin. Userspace-clean: include it from either side.
 *
 * A gretun device is configured with IFLA_INFO_KIND "gretun" and the
 * attributes below nested in IFLA_INFO_DATA. On RTM_NEWLINK every absent
 * attribute takes its default; on RTM_NEWLINK for an existing device
 * (changelink) every absent attribute keeps its current value.
 */
#ifndef _GRE_TUN_H
#define _GRE_TUN_H

#include <linux/types.h>

#define GRETUN_KIND	"gretun"

enum {
	IFLA_GRETUN_UNSPEC,
	IFLA_GRETUN_LINK,	/* u32: underlay ifindex, 0 = route decides */
	IFLA_GRETUN_LOCAL,	/* 4 bytes, IPv4 network order, 0 = any */
	IFLA_GRETUN_REMOTE,	/* 4 bytes, IPv4 network order, 0 = any */
	IFLA_GRETUN_IFLAGS,	/* u16: GRETUN_F_* required on receive */
	IFLA_GRETUN_OFLAGS,	/* u16: GRETUN_F_* sent on transmit */
	IFLA_GRETUN_IKEY,	/* u32, host order: with GRETUN_F_KEY in iflags */
	IFLA_GRETUN_OKEY,	/* u32, host order: with GRETUN_F_KEY in oflags */
	IFLA_GRETUN_TTL,	/* u8: 0 = inherit from the inner packet */
	IFLA_GRETUN_TOS,	/* u8: 1 = inherit from the inner packet */
	IFLA_GRETUN_PMTUDISC,	/* u8: 1 = set DF on outer packets (default) */
	IFLA_GRETUN_IGNORE_DF,	/* u8: 1 = fragment outer packets despite DF */
	__IFLA_GRETUN_MAX
};

#define IFLA_GRETUN_MAX	(__IFLA_GRETUN_MAX - 1)

/* Bits of IFLA_GRETUN_IFLAGS and IFLA_GRETUN_OFLAGS. */
#define GRETUN_F_CSUM	0x0001	/* RFC 2784 checksum */
#define GRETUN_F_KEY	0x0002	/* RFC 2890 key */
#define GRETUN_F_SEQ	0x0004	/* RFC 2890 sequence number */
#define GRETUN_F_ALL	(GRETUN_F_CSUM | GRETUN_F_KEY | GRETUN_F_SEQ)

/* IFLA_GRETUN_TOS value that copies the inner packet's DS field. */
#define GRETUN_TOS_INHERIT	1

#endif /* _GRE_TUN_H */
