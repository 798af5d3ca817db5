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
	IFLA_GRETUN_LOCAL,	/* 4 or 16 bytes, network order, all 0 = any */
	IFLA_GRETUN_REMOTE,	/* 4 or 16 bytes, network order, all 0 = any */
	IFLA_GRETUN_IFLAGS,	/* u16: GRETUN_F_* required on receive */
	IFLA_GRETUN_OFLAGS,	/* u16: GRETUN_F_* sent on transmit */
	IFLA_GRETUN_IKEY,	/* u32, host order: with GRETUN_F_KEY in iflags */
	IFLA_GRETUN_OKEY,	/* u32, host order: with GRETUN_F_KEY in oflags */
	IFLA_GRETUN_TTL,	/* u8: TTL or hop limit, 0 = inherit */
	IFLA_GRETUN_TOS,	/* u8: TOS or traffic class, 1 = inherit */
	IFLA_GRETUN_PMTUDISC,	/* u8: 1 = set DF on outer packets (default) */
	IFLA_GRETUN_IGNORE_DF,	/* u8: 1 = fragment outer packets despite DF */
	IFLA_GRETUN_FLOWLABEL,	/* u32, IPv6 underlay: see GRETUN_FLOWLABEL_* */
	IFLA_GRETUN_ENCAP_LIMIT, /* u16, IPv6 underlay: see GRETUN_ENCAP_* */
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

/*
 * The underlay family is that of local and remote: 4-byte addresses make
 * an IPv4 underlay, 16-byte ones IPv6 (RFC 7676). An address of all zeros
 * (any) takes the family of the other; with both any, a 16-byte one makes
 * IPv6; with neither given, IPv4. A tunnel keeps the family it was
 * created with.
 */

/*
 * IFLA_GRETUN_FLOWLABEL: a fixed IPv6 flow label (0 to 0xfffff, host
 * order), or GRETUN_FLOWLABEL_INHERIT to copy an inner IPv6 packet's.
 * 0, the default, lets the kernel derive one per inner flow.
 */
#define GRETUN_FLOWLABEL_MAX		0xfffff
#define GRETUN_FLOWLABEL_INHERIT	0x100000

/*
 * IFLA_GRETUN_ENCAP_LIMIT: the RFC 2473 tunnel encapsulation limit sent
 * in a destination options header (0 to 255), or GRETUN_ENCAP_NONE for
 * no such option.
 */
#define GRETUN_ENCAP_DEFAULT		4
#define GRETUN_ENCAP_MAX		255
#define GRETUN_ENCAP_NONE		256

#endif /* _GRE_TUN_H */
