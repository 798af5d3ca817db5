/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel versions differ for gre_tun.
 *
 * Features are detected from the headers where possible: distributions
 * backport changes, so version numbers can lie.
 */
#ifndef _GRE_TUN_COMPAT_H
#define _GRE_TUN_COMPAT_H

#include <linux/netdevice.h>
#include <net/inet_dscp.h>
#include <net/route.h>

/* skb_gso_segment() moved from netdevice.h to its own header in 6.4. */
#ifdef GRETUN_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/*
 * Lockless transmit moved from the NETIF_F_LLTX feature bit to the
 * dev->lltx flag; the feature bit is gone from kernels that have the flag.
 */
static inline void gretun_compat_set_lltx(struct net_device *dev)
{
#ifdef NETIF_F_LLTX
	dev->features |= NETIF_F_LLTX;
#else
	dev->lltx = true;
#endif
}

/*
 * What of the TOS an IPv4 output route lookup reads: the old TOS bits
 * (IPTOS_RT_MASK) until the lookup moved to the whole DSCP, when the
 * mask went away.
 */
#ifdef IPTOS_RT_MASK
#define GRETUN_ROUTE4_TOS_MASK	IPTOS_RT_MASK
#else
#define GRETUN_ROUTE4_TOS_MASK	INET_DSCP_MASK
#endif

#endif /* _GRE_TUN_COMPAT_H */
