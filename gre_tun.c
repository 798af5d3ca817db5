// SPDX-License-Identifier: GPL-2.0
/*
 * GRE over IPv4 and IPv6 tunnel devices, link kind "gretun".
 *
 * Each device carries any layer-3 packet (IPv4, IPv6, any ethertype) to
 * one remote IPv4 or IPv6 address (RFC 7676) in a GRE header (RFC 2784)
 * with optional key and sequence number (RFC 2890). One IPPROTO_GRE
 * handler per IP version takes every arriving GRE packet and hands it to
 * the device that owns it.
 *
 * The file reads top to bottom:
 *   1. tunnel table: which device owns a packet or an ICMP error
 *   2. the GRE header on the wire
 *   3. receive
 *   4. the outer route
 *   5. MTU
 *   6. ICMP errors about our outer packets
 *   7. transmit, and sequenced transmit
 *   8. device setup, ethtool statistics
 *   9. rtnetlink configuration
 *  10. per-namespace state, underlays changing or going away, module
 *      init and exit
 *
 * Locking and context. Each field below says which rule guards it.
 *
 * RTNL: configuration (newlink, changelink, uninit, the netdevice
 *   notifier, namespace exit) runs under RTNL, and only it changes the
 *   tunnel tables, a tunnel's parameters and its MTU. Helpers that change
 *   them say so with ASSERT_RTNL().
 * RCU: the packet paths (receive and ICMP errors in softirq, transmit
 *   with BH disabled) never take RTNL. They walk the tables with the _rcu
 *   list helpers and read the parameters through the t->parms pointer;
 *   configuration replaces the parameters whole (gretun_replace_parms)
 *   and frees the old ones after a grace period, and unhashes a tunnel
 *   before it can go away.
 * Transmit is lockless (LLTX): every CPU may be in gretun_xmit() for the
 *   same tunnel at once. Its byte and packet counters are per-CPU
 *   (dev->tstats), and so is the nesting depth, read and written with BH
 *   disabled on one CPU. The route cache is a seqlock: transmit writes it
 *   from any CPU, configuration resets it. The sequence line takes plain
 *   spin_lock because every user (transmit, the work item) runs with BH
 *   disabled; the receive window likewise from softirq, _bh from RTNL.
 * Lockless: the ICMP error window (err_relays, err_until) and the drop
 *   statistics are atomics or READ_ONCE/WRITE_ONCE words; a race costs
 *   at most one error relayed more or less, never a wrong pointer.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/hashtable.h>
#include <linux/if_arp.h>
#include <linux/icmpv6.h>
#include <linux/if_tunnel.h>
#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/dsfield.h>
#include <net/dst_metadata.h>
#include <net/gre.h>
#include <net/gro_cells.h>
#include <net/icmp.h>
#include <net/inet_dscp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_fib.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/l3mdev.h>
#include <net/ipv6.h>
#include <uapi/linux/ip6_tunnel.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/protocol.h>
#include <net/route.h>
#include <net/rtnetlink.h>

#include "gre_tun.h"
#include "compat.h"

#define GRETUN_HASH_BITS	10
/*
 * Tunnels nest at most this deep: in transmit (an outer packet routed
 * into another tunnel) and in configuration (a tunnel bound with dev to
 * another). Deeper is a loop or a mistake, and would only grow the stack.
 */
#define GRETUN_MAX_DEPTH	4
/* RFC 2473's destination options header that carries the limit */
#define GRETUN_ENCAP_OPT_LEN	8
/*
 * A tunnel's configuration. Never changed once published in gretun.parms:
 * configuration builds a new one and swaps it in (RCU).
 */
/* An outer address of either family: past an IPv4 one, all bytes are 0. */
union gretun_addr {
	__be32 ip;
	struct in6_addr ip6;
};

struct gretun_parms {
	union gretun_addr local;
	union gretun_addr remote;
	int family;		/* AF_INET or AF_INET6: fixed at newlink */
	int link;
	u16 iflags;
	u16 oflags;
	u32 ikey;
	u32 okey;
	u8 ttl;
	u8 tos;
	bool pmtudisc;
	bool ignore_df;
	u32 flowlabel;		/* IPv6: GRETUN_FLOWLABEL_* */
	u16 encap_limit;	/* IPv6: GRETUN_ENCAP_* */
	u32 gen;		/* which configuration: see gretun_route_cache */
	struct rcu_head rcu;
};

/*
 * Why packets were dropped, or ICMP errors handled, per device; shown by
 * `ethtool -S`. Each drop also counts in the standard rx_errors or
 * tx_errors. Atomic rather than per-CPU: these move only on the unusual
 * paths, and a per-CPU array would multiply a tunnel's memory by the
 * number of CPUs.
 */
enum gretun_stat {
	GRETUN_RX_CSUM_BAD,
	GRETUN_RX_CSUM_MISSING,
	GRETUN_RX_SEQ_MISSING,
	GRETUN_RX_SEQ_OLD,
	GRETUN_RX_INNER_TRUNCATED,
	GRETUN_RX_ECN_CE_NOT_ECT,
	GRETUN_RX_NO_MEM,
	GRETUN_TX_BAD_INNER,
	GRETUN_TX_NO_ROUTE,
	GRETUN_TX_LOOP,
	GRETUN_TX_SEQ_BUSY,
	GRETUN_TX_TOO_BIG,
	GRETUN_TX_ENCAP_LIMIT,
	GRETUN_TX_NO_MEM,
	GRETUN_ICMP_PMTU,
	GRETUN_ICMP_REDIRECT,
	GRETUN_ICMP_ERR_NOTED,
	GRETUN_ICMP_ERR_IGNORED,
	GRETUN_ICMP_ERR_RELAYED,
	GRETUN_NUM_STATS
};

static const char gretun_stat_names[GRETUN_NUM_STATS][ETH_GSTRING_LEN] = {
	[GRETUN_RX_CSUM_BAD]		= "rx_csum_bad",
	[GRETUN_RX_CSUM_MISSING]	= "rx_csum_missing",
	[GRETUN_RX_SEQ_MISSING]		= "rx_seq_missing",
	[GRETUN_RX_SEQ_OLD]		= "rx_seq_old",
	[GRETUN_RX_INNER_TRUNCATED]	= "rx_inner_truncated",
	[GRETUN_RX_ECN_CE_NOT_ECT]	= "rx_ecn_ce_not_ect",
	[GRETUN_RX_NO_MEM]		= "rx_no_mem",
	[GRETUN_TX_BAD_INNER]		= "tx_bad_inner",
	[GRETUN_TX_NO_ROUTE]		= "tx_no_route",
	[GRETUN_TX_LOOP]		= "tx_loop",
	[GRETUN_TX_SEQ_BUSY]		= "tx_seq_busy",
	[GRETUN_TX_TOO_BIG]		= "tx_too_big",
	[GRETUN_TX_ENCAP_LIMIT]		= "tx_encap_limit",
	[GRETUN_TX_NO_MEM]		= "tx_no_mem",
	[GRETUN_ICMP_PMTU]		= "icmp_pmtu",
	[GRETUN_ICMP_REDIRECT]		= "icmp_redirect",
	[GRETUN_ICMP_ERR_NOTED]		= "icmp_err_noted",
	[GRETUN_ICMP_ERR_IGNORED]	= "icmp_err_ignored",
	[GRETUN_ICMP_ERR_RELAYED]	= "icmp_err_relayed",
};

/*
 * The outer route of the last packet sent: a lookup per packet costs more
 * than the rest of transmit. An entry serves one configuration and one
 * TOS, until routing changes (dst_check). Transmit uses the route without
 * taking a reference of its own: a replaced route is freed only after RCU
 * readers are done, and whatever keeps a packet longer (a qdisc, a
 * neighbour queue) takes one.
 */
struct gretun_route_cache {
	seqlock_t lock;			/* writers: transmit, or RTNL to reset */
	struct dst_entry *dst;		/* holds a reference */
	union gretun_addr saddr;
	u32 cookie;			/* IPv6: what dst_check() wants */
	u32 gen;			/* gretun_parms.gen it was found for */
	u8 tos;
};

/* Packets numbered and waiting to be sent in order: see gretun_seq_append() */
struct gretun_seq_tx {
	spinlock_t lock;		/* guards all below */
	u32 next;			/* the next packet's number */
	bool sending;			/* a CPU or the work item sends the line */
	struct sk_buff_head line;
	struct work_struct work;
};

/* One tunnel, the private part of its net_device. */
struct gretun {
	struct net_device *dev;		/* fixed at newlink */
	struct net *net;		/* fixed: where outer packets live */
	struct hlist_node hnode;	/* gretun_net.tunnels: RTNL, RCU readers */
	struct hlist_node snode;	/* gretun_net.senders: RTNL, RCU readers */
	struct gretun_parms __rcu *parms;	/* RCU; replaced under RTNL */
	struct gro_cells gro_cells;
	struct gretun_route_cache route;	/* own seqlock */
	struct gretun_seq_tx seq;		/* own spinlock */
	atomic_t err_relays;		/* lockless: see gretun_note_error() */
	unsigned long err_until;	/* lockless, jiffies: READ/WRITE_ONCE */
	unsigned int auto_mtu;		/* RTNL: the MTU we last chose; another is the user's */
	spinlock_t rx_seq_lock;		/* guards the two fields below */
	bool rx_seq_valid;
	u32 rx_seq_next;
	atomic_long_t stats[GRETUN_NUM_STATS];	/* lockless */
};

static void gretun_count(struct gretun *t, enum gretun_stat stat)
{
	atomic_long_inc(&t->stats[stat]);
}

/* Packets no device took; shown in /proc/net/gretun. */
struct gretun_net_drops {		/* lockless */
	atomic_long_t bad_header;
	atomic_long_t no_tunnel;
	atomic_long_t icmp_no_tunnel;
};

struct gretun_net {
	/* both: changed under RTNL, walked under RCU */
	DECLARE_HASHTABLE(tunnels, GRETUN_HASH_BITS);	/* by what they receive */
	DECLARE_HASHTABLE(senders, GRETUN_HASH_BITS);	/* by their two ends */
	struct gretun_net_drops drops;
};

static unsigned int gretun_net_id __read_mostly;
static struct rtnl_link_ops gretun_link_ops __read_mostly;

/* ---------------------------------------------------------------------
 * 1. Tunnel table
 *
 * A packet belongs to the tunnel whose (local, remote, ikey) equals the
 * outer (destination, source, key) of the packet. The key is part of the
 * identity: a keyless tunnel never takes a keyed packet and vice versa.
 * An ICMP error belongs to the tunnel that sent the packet it quotes,
 * whose key is the okey: a second table finds tunnels by their two ends.
 */

struct gretun_key {
	union gretun_addr local;
	union gretun_addr remote;
	int family;
	u32 key;
	bool keyed;
};

/* "any", in either family: all zeroes */
static const union gretun_addr gretun_any;

static bool gretun_addr_any(const union gretun_addr *a)
{
	return ipv6_addr_any(&a->ip6);
}

static bool gretun_addr_equal(const union gretun_addr *a,
			      const union gretun_addr *b)
{
	return ipv6_addr_equal(&a->ip6, &b->ip6);
}

/* Fold to 32 bits for hashing: an IPv4 address folds to itself. */
static u32 gretun_addr_fold(const union gretun_addr *a)
{
	return (__force u32)(a->ip6.s6_addr32[0] ^ a->ip6.s6_addr32[1] ^
			     a->ip6.s6_addr32[2] ^ a->ip6.s6_addr32[3]);
}

static void gretun_key_of(const struct gretun_parms *p, struct gretun_key *k)
{
	k->local = p->local;
	k->remote = p->remote;
	k->family = p->family;
	k->keyed = p->iflags & GRETUN_F_KEY;
	k->key = k->keyed ? p->ikey : 0;
}

static bool gretun_key_equal(const struct gretun_key *a,
			     const struct gretun_key *b)
{
	return gretun_addr_equal(&a->local, &b->local) &&
	       gretun_addr_equal(&a->remote, &b->remote) &&
	       a->family == b->family && a->keyed == b->keyed &&
	       a->key == b->key;
}

static struct hlist_head *gretun_bucket(struct gretun_net *gn,
					const struct gretun_key *k)
{
	u32 h = jhash_3words(gretun_addr_fold(&k->local),
			     gretun_addr_fold(&k->remote), k->key,
			     k->keyed | k->family << 1);

	return &gn->tunnels[hash_min(h, GRETUN_HASH_BITS)];
}

/*
 * The tunnel, up, with exactly this key. Among tunnels that differ only
 * in their underlay, prefer the one bound to the device the packet came
 * in on (ifindex), then any of them. A tunnel that is down takes nothing,
 * so that a less specific one that is up can.
 */
static struct gretun *gretun_find(struct gretun_net *gn,
				  const struct gretun_key *k, int ifindex)
{
	struct gretun *t, *cand = NULL;
	struct gretun_key tk;

	hlist_for_each_entry_rcu(t, gretun_bucket(gn, k), hnode) {
		const struct gretun_parms *p = rcu_dereference_rtnl(t->parms);

		if (!(READ_ONCE(t->dev->flags) & IFF_UP))
			continue;
		gretun_key_of(p, &tk);
		if (!gretun_key_equal(&tk, k))
			continue;
		if (p->link == ifindex)
			return t;
		if (!cand)
			cand = t;
	}
	return cand;
}

/*
 * A tunnel with local or remote "any" takes what no more specific tunnel
 * wants: try the four combinations from the most specific. Each try is
 * one hash bucket, so the cost does not grow with the number of tunnels.
 */
static struct gretun *gretun_lookup(struct gretun_net *gn,
				    const struct gretun_key *pkt, int ifindex)
{
	static const bool keep_local[] = { true, false, true, false };
	static const bool keep_remote[] = { true, true, false, false };
	struct gretun_key k = *pkt;
	struct gretun *t;
	int i;

	for (i = 0; i < ARRAY_SIZE(keep_local); i++) {
		k.local = keep_local[i] ? pkt->local : gretun_any;
		k.remote = keep_remote[i] ? pkt->remote : gretun_any;
		t = gretun_find(gn, &k, ifindex);
		if (t)
			return t;
	}
	return NULL;
}

/* A tunnel, other than @self, that @p would be indistinguishable from. */
static struct gretun *gretun_find_twin(struct gretun_net *gn,
				       const struct gretun *self,
				       const struct gretun_parms *p)
{
	struct gretun_key k, tk;
	struct gretun *t;

	gretun_key_of(p, &k);
	hlist_for_each_entry(t, gretun_bucket(gn, &k), hnode) {
		const struct gretun_parms *tp = rtnl_dereference(t->parms);

		gretun_key_of(tp, &tk);
		if (t != self && tp->link == p->link &&
		    gretun_key_equal(&tk, &k))
			return t;
	}
	return NULL;
}

static struct hlist_head *gretun_senders_bucket(struct gretun_net *gn,
						const union gretun_addr *local,
						const union gretun_addr *remote)
{
	u32 h = jhash_2words(gretun_addr_fold(local), gretun_addr_fold(remote),
			     0);

	return &gn->senders[hash_min(h, GRETUN_HASH_BITS)];
}

/*
 * The tunnel, up, that sends from k->local to k->remote with the key (or
 * none) of @k. Among several, which differ in what they receive or their
 * underlay, any one: they share the outer route.
 */
static struct gretun *gretun_find_sender(struct gretun_net *gn,
					 const struct gretun_key *k)
{
	struct gretun *t;

	hlist_for_each_entry_rcu(t, gretun_senders_bucket(gn, &k->local,
							  &k->remote), snode) {
		const struct gretun_parms *p = rcu_dereference(t->parms);
		bool sends_key = p->oflags & GRETUN_F_KEY;

		if (gretun_addr_equal(&p->local, &k->local) &&
		    gretun_addr_equal(&p->remote, &k->remote) &&
		    p->family == k->family &&
		    (READ_ONCE(t->dev->flags) & IFF_UP) &&
		    sends_key == k->keyed && (!sends_key || p->okey == k->key))
			return t;
	}
	return NULL;
}

static void gretun_hash(struct gretun *t)
{
	struct gretun_net *gn = net_generic(t->net, gretun_net_id);
	const struct gretun_parms *p = rtnl_dereference(t->parms);
	struct gretun_key k;

	ASSERT_RTNL();
	gretun_key_of(p, &k);
	hlist_add_head_rcu(&t->hnode, gretun_bucket(gn, &k));
	hlist_add_head_rcu(&t->snode,
			   gretun_senders_bucket(gn, &p->local, &p->remote));
}

static void gretun_unhash(struct gretun *t)
{
	ASSERT_RTNL();
	hlist_del_init_rcu(&t->hnode);
	hlist_del_init_rcu(&t->snode);
}

/* ---------------------------------------------------------------------
 * 2. The GRE header on the wire
 *
 * RFC 2784 with the key and sequence number of RFC 2890: a 4-byte base,
 * then checksum (with 2 reserved bytes), key and sequence number, each 4
 * bytes and each present only if its flag is set. Receive parses it,
 * transmit builds it, and the ICMP error handler parses the quoted one.
 */

/*
 * RFC 2784 section 2.3: a receiver that does not implement RFC 1701 must
 * discard packets with any of bits 1-5 set. Bits 2 and 3 are the key and
 * sequence bits of RFC 2890, which we implement; bits 6-12 are ignored.
 */
#define GRETUN_WIRE_MUST_BE_ZERO \
	(GRE_ROUTING | GRE_STRICT | cpu_to_be16(0x0400) | GRE_VERSION)

/* What the GRE header of a received packet says, in host terms. */
struct gretun_rx_hdr {
	u16 flags;		/* GRETUN_F_* present in the header */
	__be16 proto;
	u32 key;
	u32 seq;
	int len;
};

static int gretun_hdr_len(u16 flags)
{
	/* checksum (with reserved1), key and sequence are 4 bytes each */
	return sizeof(struct gre_base_hdr) + 4 * hweight16(flags & GRETUN_F_ALL);
}

static u16 gretun_flags_from_wire(__be16 wire)
{
	return (wire & GRE_CSUM ? GRETUN_F_CSUM : 0) |
	       (wire & GRE_KEY ? GRETUN_F_KEY : 0) |
	       (wire & GRE_SEQ ? GRETUN_F_SEQ : 0);
}

static __be16 gretun_flags_to_wire(u16 flags)
{
	return (flags & GRETUN_F_CSUM ? GRE_CSUM : 0) |
	       (flags & GRETUN_F_KEY ? GRE_KEY : 0) |
	       (flags & GRETUN_F_SEQ ? GRE_SEQ : 0);
}

/*
 * The GRE header @off bytes into @skb's data. Returns why the packet
 * cannot be ours, or SKB_NOT_DROPPED_YET.
 */
static enum skb_drop_reason gretun_parse_hdr(struct sk_buff *skb, int off,
					     struct gretun_rx_hdr *h)
{
	const struct gre_base_hdr *greh;
	const __be32 *opt;

	if (!pskb_may_pull(skb, off + sizeof(*greh)))
		return SKB_DROP_REASON_HDR_TRUNC;
	greh = (const struct gre_base_hdr *)(skb->data + off);
	if (greh->flags & GRETUN_WIRE_MUST_BE_ZERO)
		return SKB_DROP_REASON_INVALID_PROTO;

	h->flags = gretun_flags_from_wire(greh->flags);
	h->proto = greh->protocol;
	h->len = gretun_hdr_len(h->flags);
	if (!pskb_may_pull(skb, off + h->len))
		return SKB_DROP_REASON_HDR_TRUNC;

	opt = (const __be32 *)(skb->data + off + sizeof(*greh));
	if (h->flags & GRETUN_F_CSUM)
		opt++;
	h->key = h->flags & GRETUN_F_KEY ? be32_to_cpu(*opt++) : 0;
	h->seq = h->flags & GRETUN_F_SEQ ? be32_to_cpu(*opt) : 0;
	return SKB_NOT_DROPPED_YET;
}

/*
 * The GRE checksum, RFC 2784: over the GRE header and payload. A GSO
 * packet gets it per segment from the segmentation. When the inner
 * checksum is itself left to the device, ours follows from the headers
 * alone (local checksum offload); otherwise the device, or the stack
 * before it, fills it in as it would a TCP checksum.
 */
static void gretun_set_csum(struct sk_buff *skb, struct gre_base_hdr *greh)
{
	__sum16 *csum = (__sum16 *)(greh + 1);

	*csum = 0;
	if (skb_is_gso(skb))
		return;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		*csum = csum_fold(lco_csum(skb));
		return;
	}
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = sizeof(*greh);
}

/*
 * Push the GRE header, with @headroom in front for it and all that goes
 * before it. The sequence number and the checksum over it come later, in
 * gretun_seal_hdr(): a sequenced packet gets its number only when it
 * takes its place in line.
 */
static int gretun_push_hdr(const struct gretun_parms *p, struct sk_buff *skb,
			   unsigned int headroom)
{
	int len = gretun_hdr_len(p->oflags);
	__be16 proto = skb->protocol;
	struct gre_base_hdr *greh;
	__be32 *opt;

	if (skb_cow_head(skb, headroom))
		return -ENOMEM;

	greh = skb_push(skb, len);
	skb_reset_transport_header(skb);
	greh->flags = gretun_flags_to_wire(p->oflags);
	greh->protocol = proto;
	opt = (__be32 *)(greh + 1);
	if (p->oflags & GRETUN_F_CSUM)
		opt++;
	if (p->oflags & GRETUN_F_KEY)
		*opt = cpu_to_be32(p->okey);
	return 0;
}

/* The number, then the checksum that covers it. */
static void gretun_seal_hdr(const struct gretun_parms *p, struct sk_buff *skb,
			    u32 seq)
{
	struct gre_base_hdr *greh = (struct gre_base_hdr *)skb_transport_header(skb);

	if (p->oflags & GRETUN_F_SEQ)
		*(__be32 *)((u8 *)greh + gretun_hdr_len(p->oflags) - 4) =
			cpu_to_be32(seq);
	if (p->oflags & GRETUN_F_CSUM)
		gretun_set_csum(skb, greh);
}

/* ---------------------------------------------------------------------
 * 3. Receive
 */

/*
 * The table key of an outer header of @family at @data with GRE header
 * @h. @swap: the header's destination is our local end (a received
 * packet), or its source is (a packet we sent, quoted by an ICMP error).
 * The family is the handler's, never the version field: whoever sent an
 * ICMP error wrote the header it quotes.
 */
static void gretun_key_of_packet(struct gretun_key *k, int family,
				 const void *data, bool swap,
				 const struct gretun_rx_hdr *h)
{
	const struct ipv6hdr *ip6h = data;
	const struct iphdr *iph = data;

	memset(k, 0, sizeof(*k));
	if (family == AF_INET) {
		k->family = AF_INET;
		k->local.ip = swap ? iph->daddr : iph->saddr;
		k->remote.ip = swap ? iph->saddr : iph->daddr;
	} else {
		k->family = AF_INET6;
		k->local.ip6 = swap ? ip6h->daddr : ip6h->saddr;
		k->remote.ip6 = swap ? ip6h->saddr : ip6h->daddr;
	}
	k->keyed = h->flags & GRETUN_F_KEY;
	k->key = h->key;
}

/* The checksum, when present, covers the GRE header and the payload. */
static bool gretun_csum_ok(struct sk_buff *skb, const struct gretun_rx_hdr *h)
{
	if (!(h->flags & GRETUN_F_CSUM))
		return true;
	if (skb_checksum_simple_validate(skb))
		return false;
	skb_checksum_try_convert(skb, IPPROTO_GRE, null_compute_pseudo);
	return true;
}

/*
 * RFC 2890 section 2.2: accept a packet only if its sequence number is
 * newer than the last accepted one, in 32-bit serial number arithmetic.
 */
static bool gretun_seq_ok(struct gretun *t, const struct gretun_rx_hdr *h)
{
	bool ok;

	spin_lock(&t->rx_seq_lock);
	ok = !t->rx_seq_valid || (s32)(h->seq - t->rx_seq_next) >= 0;
	if (ok) {
		t->rx_seq_next = h->seq + 1;
		t->rx_seq_valid = true;
	}
	spin_unlock(&t->rx_seq_lock);
	return ok;
}

/*
 * The DS field and TTL of the packet at the network header. Only the
 * protocols pskb_inet_may_pull() and gretun_pull_inner() make readable
 * have one: anything else, whatever its bytes say, has none.
 */
static u8 gretun_inner_dsfield(const struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return ip_hdr(skb)->tos;
	case htons(ETH_P_IPV6):
		return ipv6_get_dsfield(ipv6_hdr(skb));
	default:
		return 0;
	}
}

static u8 gretun_inner_ttl(const struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return ip_hdr(skb)->ttl;
	case htons(ETH_P_IPV6):
		return ipv6_hdr(skb)->hop_limit;
	default:
		return 0;
	}
}

/* Make the decapsulated IPv4 or IPv6 header readable and, if it may be
 * marked, writable: the data can be shared with a clone (a capture on
 * the underlay) that must not see our marks.
 */
static int gretun_pull_inner(struct sk_buff *skb, bool writable)
{
	unsigned int len;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		len = sizeof(struct iphdr);
		break;
	case htons(ETH_P_IPV6):
		len = sizeof(struct ipv6hdr);
		break;
	default:
		return 0;
	}
	if (!pskb_network_may_pull(skb, len))
		return -EINVAL;
	if (writable &&
	    skb_ensure_writable(skb, skb_network_offset(skb) + len))
		return -ENOMEM;
	return 0;
}

/*
 * RFC 6040 decapsulation, for IPv4 and IPv6 inside: CE on the outer header
 * marks the inner packet; CE on the outer header of a not-ECT inner packet
 * cannot be passed on, so the packet is dropped (INET_ECN_decapsulate
 * returns 2 for that). Only an outer CE or ECT(1) writes to the inner
 * header (see gretun_pull_inner).
 */
static bool gretun_ecn_may_mark(u8 outer_tos)
{
	return INET_ECN_is_ce(outer_tos) ||
	       (outer_tos & INET_ECN_MASK) == INET_ECN_ECT_1;
}

static int gretun_ecn_decap(struct sk_buff *skb, u8 outer_tos)
{
	if (skb->protocol != htons(ETH_P_IP) &&
	    skb->protocol != htons(ETH_P_IPV6))
		return 0;
	return INET_ECN_decapsulate(skb, outer_tos, gretun_inner_dsfield(skb));
}

/*
 * Drop a received packet that is the tunnel's: count it under its reason,
 * in the standard counter closest to it (as ip_gre counts them), and tell
 * the drop monitor why.
 */
static void gretun_rx_drop(struct gretun *t, struct sk_buff *skb,
			   enum gretun_stat stat)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	struct net_device *dev = t->dev;

	switch (stat) {
	case GRETUN_RX_CSUM_BAD:
		reason = SKB_DROP_REASON_SKB_CSUM;
		break;
	case GRETUN_RX_CSUM_MISSING:
		DEV_STATS_INC(dev, rx_crc_errors);
		reason = SKB_DROP_REASON_SKB_CSUM;
		break;
	case GRETUN_RX_SEQ_MISSING:
	case GRETUN_RX_SEQ_OLD:
		DEV_STATS_INC(dev, rx_fifo_errors);
		break;
	case GRETUN_RX_INNER_TRUNCATED:
		DEV_STATS_INC(dev, rx_length_errors);
		reason = SKB_DROP_REASON_HDR_TRUNC;
		break;
	case GRETUN_RX_ECN_CE_NOT_ECT:
		DEV_STATS_INC(dev, rx_frame_errors);
		break;
	default:
		DEV_STATS_INC(dev, rx_dropped);
		reason = SKB_DROP_REASON_NOMEM;
		break;
	}
	gretun_count(t, stat);
	DEV_STATS_INC(dev, rx_errors);
	kfree_skb_reason(skb, reason);
}

/* Checks that need the tunnel's configuration; drops count on its device. */
static void gretun_deliver(struct gretun *t, struct sk_buff *skb,
			   const struct gretun_rx_hdr *h)
{
	const struct gretun_parms *p = rcu_dereference(t->parms);
	u8 outer_tos = skb->protocol == htons(ETH_P_IP) ?
		       ip_hdr(skb)->tos : ipv6_get_dsfield(ipv6_hdr(skb));
	struct net_device *dev = t->dev;
	enum gretun_stat stat;

	stat = GRETUN_RX_CSUM_BAD;
	if (!gretun_csum_ok(skb, h))
		goto drop;
	stat = GRETUN_RX_CSUM_MISSING;
	if ((p->iflags & GRETUN_F_CSUM) && !(h->flags & GRETUN_F_CSUM))
		goto drop;
	stat = GRETUN_RX_SEQ_MISSING;
	if ((p->iflags & GRETUN_F_SEQ) && !(h->flags & GRETUN_F_SEQ))
		goto drop;
	stat = GRETUN_RX_SEQ_OLD;
	if ((p->iflags & GRETUN_F_SEQ) && !gretun_seq_ok(t, h))
		goto drop;
	stat = GRETUN_RX_NO_MEM;
	if (__iptunnel_pull_header(skb, h->len, h->proto, true,
				   !net_eq(t->net, dev_net(dev))))
		goto drop;
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);

	switch (gretun_pull_inner(skb, gretun_ecn_may_mark(outer_tos))) {
	case 0:
		break;
	case -ENOMEM:
		goto drop;
	default:
		stat = GRETUN_RX_INNER_TRUNCATED;
		goto drop;
	}
	stat = GRETUN_RX_ECN_CE_NOT_ECT;
	if (gretun_ecn_decap(skb, outer_tos) > 1)
		goto drop;

	skb->dev = dev;
	dev_sw_netstats_rx_add(dev, skb->len);
	gro_cells_receive(&t->gro_cells, skb);
	return;

drop:
	gretun_rx_drop(t, skb, stat);
}

/*
 * No tunnel has a broadcast or multicast local end (configuration refuses
 * them), so such a packet is no tunnel's, even one with local any.
 */
static bool gretun_to_unicast(const struct sk_buff *skb)
{
	const struct rtable *rt;

	if (skb->protocol == htons(ETH_P_IPV6))
		return !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr);
	rt = skb_rtable(skb);
	return rt && !(rt->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST));
}

/* What an unknown protocol gets: "port unreachable", as from ip_gre. */
static void gretun_no_tunnel(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	else
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
}

/* The receive handler for both IP versions: skb->data is at GRE. */
static int gretun_rcv(struct sk_buff *skb)
{
	struct gretun_net *gn = net_generic(dev_net(skb->dev), gretun_net_id);
	enum skb_drop_reason reason;
	struct gretun_rx_hdr h;
	struct gretun_key k;
	struct gretun *t;

	reason = gretun_parse_hdr(skb, 0, &h);
	if (reason) {
		atomic_long_inc(&gn->drops.bad_header);
		goto drop;
	}

	gretun_key_of_packet(&k, skb->protocol == htons(ETH_P_IPV6) ?
			     AF_INET6 : AF_INET,
			     skb_network_header(skb), true, &h);
	t = gretun_to_unicast(skb) ? gretun_lookup(gn, &k, skb->dev->ifindex) :
				     NULL;
	if (!t) {
		atomic_long_inc(&gn->drops.no_tunnel);
		gretun_no_tunnel(skb);
		reason = SKB_DROP_REASON_NO_SOCKET;
		goto drop;
	}

	/* From here on the packet is the tunnel's. */
	gretun_deliver(t, skb, &h);
	return 0;

drop:
	kfree_skb_reason(skb, reason);
	return 0;
}

/* ---------------------------------------------------------------------
 * 4. The outer route, shared by ICMP error handling and transmit
 */

/*
 * A tunnel bound to a device enslaved to a VRF routes in that VRF's
 * table, as the kernel's tunnels do: the bound device may only hold the
 * local address while the route to the remote end leaves by another
 * device of the VRF, so it cannot be the output interface.
 */
static int gretun_vrf_of(struct net *net, const struct gretun_parms *p)
{
	return p->link ? l3mdev_master_upper_ifindex_by_index(net, p->link) : 0;
}

/*
 * The part of the outer TOS that routing reads, which is also what the
 * cached route is keyed on: the DSCP (over IPv4 on older kernels only its
 * old TOS bits, see compat.h). ECN must not count, or the cache would
 * flip between a flow's ECN-capable packets and its pure ACKs.
 */
static u8 gretun_route_tos(int family, u8 tos)
{
	return family == AF_INET6 ? tos & INET_DSCP_MASK :
				    tos & GRETUN_ROUTE4_TOS_MASK;
}

/* The IPv4 route outer packets take: where their flow is described. */
static struct rtable *gretun_route4(struct net *net,
				    const struct gretun_parms *p, u8 tos,
				    struct flowi4 *fl4)
{
	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = p->remote.ip;
	fl4->saddr = p->local.ip;
	fl4->flowi4_l3mdev = gretun_vrf_of(net, p);
	fl4->flowi4_oif = fl4->flowi4_l3mdev ? 0 : p->link;
	fl4->flowi4_tos = gretun_route_tos(AF_INET, tos);
	fl4->flowi4_proto = IPPROTO_GRE;
	if (p->oflags & GRETUN_F_KEY)
		fl4->fl4_gre_key = cpu_to_be32(p->okey);
	return ip_route_output_key(net, fl4);
}

/*
 * A fixed flow label is the tunnel's own and goes into the lookup, so that
 * an ECMP underlay spreads tunnels over its paths as it spreads flows. An
 * inherited or per-flow one cannot: the route is cached per tunnel.
 */
static __be32 gretun_route_flowlabel(const struct gretun_parms *p)
{
	if (p->flowlabel == GRETUN_FLOWLABEL_INHERIT)
		return 0;
	return htonl(p->flowlabel & GRETUN_FLOWLABEL_MAX);
}

/*
 * IPv4's lookup refuses a source the host does not have; IPv6's does not,
 * and a removed local address would still be sent from. The address is
 * looked for in the L3 domain (VRF) of the underlay device, as
 * ipv6_chk_addr() sees only the domain of the device it is given.
 */
static bool gretun_local6_ours(struct net *net, const struct gretun_parms *p)
{
	struct net_device *under;
	bool ours;

	if (ipv6_addr_any(&p->local.ip6))
		return true;
	rcu_read_lock();
	under = p->link ? dev_get_by_index_rcu(net, p->link) : NULL;
	ours = ipv6_chk_addr(net, &p->local.ip6, under, 0);
	rcu_read_unlock();
	return ours;
}

/* The same for IPv6; local any: the source address is chosen here. */
static struct dst_entry *gretun_route6(struct net *net,
				       const struct gretun_parms *p, u8 tclass,
				       struct flowi6 *fl6)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->daddr = p->remote.ip6;
	fl6->saddr = p->local.ip6;
	fl6->flowi6_l3mdev = gretun_vrf_of(net, p);
	fl6->flowi6_oif = fl6->flowi6_l3mdev ? 0 : p->link;
	fl6->flowlabel = ip6_make_flowinfo(gretun_route_tos(AF_INET6, tclass),
					   gretun_route_flowlabel(p));
	fl6->flowi6_proto = IPPROTO_GRE;
	if (p->oflags & GRETUN_F_KEY)
		fl6->fl6_gre_key = cpu_to_be32(p->okey);
	if (!gretun_local6_ours(net, p))
		return ERR_PTR(-EADDRNOTAVAIL);
	return ip6_dst_lookup_flow(net, NULL, fl6, NULL);
}

/*
 * The outer route for @p in either family, with the source address
 * packets leave with (local any: the one the route chose) and what
 * dst_check() needs to tell whether it still holds. A reference for the
 * caller, or an ERR_PTR.
 */
static struct dst_entry *gretun_route(struct net *net,
				      const struct gretun_parms *p, u8 tos,
				      union gretun_addr *saddr, u32 *cookie)
{
	struct dst_entry *dst;
	struct flowi6 fl6;
	struct flowi4 fl4;
	struct rtable *rt;

	memset(saddr, 0, sizeof(*saddr));
	if (p->family == AF_INET6) {
		dst = gretun_route6(net, p, tos, &fl6);
		if (IS_ERR(dst))
			return dst;
		saddr->ip6 = fl6.saddr;
		*cookie = rt6_get_cookie(container_of(dst, struct rt6_info, dst));
		return dst;
	}
	rt = gretun_route4(net, p, tos, &fl4);
	if (IS_ERR(rt))
		return ERR_CAST(rt);
	saddr->ip = fl4.saddr;
	*cookie = 0;
	return &rt->dst;
}

/* The cached route for these parameters and TOS, still valid, or NULL. */
static struct dst_entry *gretun_route_cached(struct gretun_route_cache *c,
					     const struct gretun_parms *p,
					     u8 tos, union gretun_addr *saddr)
{
	struct dst_entry *dst;
	unsigned int seq;
	u32 cookie;
	bool hit;

	do {
		seq = read_seqbegin(&c->lock);
		dst = c->dst;
		*saddr = c->saddr;
		cookie = c->cookie;
		hit = dst && c->gen == p->gen && c->tos == tos;
	} while (read_seqretry(&c->lock, seq));
	return hit && dst_check(dst, cookie) ? dst : NULL;
}

/* Replace the cached route; the cache takes over the reference to @dst. */
static void gretun_route_cache_set(struct gretun_route_cache *c,
				   struct dst_entry *dst,
				   const union gretun_addr *saddr, u32 cookie,
				   u32 gen, u8 tos)
{
	struct dst_entry *old;

	write_seqlock_bh(&c->lock);
	old = c->dst;
	c->dst = dst;
	c->saddr = *saddr;
	c->cookie = cookie;
	c->gen = gen;
	c->tos = tos;
	write_sequnlock_bh(&c->lock);
	dst_release(old);
}

static void gretun_route_cache_reset(struct gretun_route_cache *c)
{
	gretun_route_cache_set(c, NULL, &gretun_any, 0, 0, 0);
}

/*
 * The outer route for a packet, and the source address it leaves with.
 * The caller may use it without a reference until it leaves the RCU read
 * side.
 */
static struct dst_entry *gretun_outer_route(struct gretun *t,
					    const struct gretun_parms *p,
					    u8 tos, union gretun_addr *saddr)
{
	struct dst_entry *dst;
	u32 cookie;

	tos = gretun_route_tos(p->family, tos);
	dst = gretun_route_cached(&t->route, p, tos, saddr);
	if (likely(dst))
		return dst;
	dst = gretun_route(t->net, p, tos, saddr, &cookie);
	if (IS_ERR(dst))
		return dst;
	gretun_route_cache_set(&t->route, dst, saddr, cookie, p->gen, tos);
	return dst;
}

/* ---------------------------------------------------------------------
 * 5. MTU
 *
 * A tunnel's MTU is its underlay's less the outer headers, and follows
 * the underlay unless the user set it; on the way, the outer route's
 * path MTU (lowered by ICMP from the path, section 6) bounds each packet.
 */

/* The outer IP header: IPv6 with the encapsulation limit option or not. */
static unsigned int gretun_ip_hdr_len(int family, u16 encap_limit)
{
	if (family == AF_INET)
		return sizeof(struct iphdr);
	return sizeof(struct ipv6hdr) +
	       (encap_limit == GRETUN_ENCAP_NONE ? 0 : GRETUN_ENCAP_OPT_LEN);
}

/* The bytes an outer packet adds to the inner one. */
static unsigned int gretun_overhead(const struct gretun_parms *p)
{
	return gretun_ip_hdr_len(p->family, p->encap_limit) +
	       gretun_hdr_len(p->oflags);
}

/*
 * Room for the largest outer headers whatever the options become: an
 * IPv4 packet is at most IP_MAX_MTU bytes, an IPv6 payload too.
 */
static unsigned int gretun_max_mtu(int family)
{
	unsigned int hdr = gretun_ip_hdr_len(family, GRETUN_ENCAP_DEFAULT);

	if (family == AF_INET6)
		hdr -= sizeof(struct ipv6hdr);
	return IP_MAX_MTU - hdr - gretun_hdr_len(GRETUN_F_ALL);
}

/*
 * The MTU that fits the underlay: the bound device's, else that of the
 * device the route to the remote end leaves by, else Ethernet's. Over
 * IPv6 never below IPv6's minimum, as ip6gre: an IPv6 underlay may be
 * too narrow for it only by our headers, and inner packets up to 1280
 * bytes are then fragmented at the tunnel entry (RFC 2473 section 7)
 * rather than IPv6 switched off on the tunnel.
 */
static unsigned int gretun_auto_mtu(struct net *net,
				    const struct gretun_parms *p)
{
	struct net_device *under = NULL;
	int mtu = ETH_DATA_LEN;
	union gretun_addr saddr;
	struct dst_entry *dst;
	u32 cookie;

	if (p->link)
		under = __dev_get_by_index(net, p->link);
	if (under) {
		mtu = under->mtu;
	} else if (!gretun_addr_any(&p->remote)) {
		dst = gretun_route(net, p, p->tos, &saddr, &cookie);
		if (!IS_ERR(dst)) {
			mtu = dst->dev->mtu;
			dst_release(dst);
		}
	}
	mtu -= gretun_overhead(p);
	return clamp_t(int, mtu,
		       p->family == AF_INET6 ? IPV6_MIN_MTU : ETH_MIN_MTU,
		       gretun_max_mtu(p->family));
}

/*
 * Give a registered tunnel the MTU we compute, and remember it as ours:
 * an MTU the user set stays (see gretun_follow_underlay).
 */
static void gretun_set_auto_mtu(struct gretun *t, const struct gretun_parms *p)
{
	unsigned int mtu = gretun_auto_mtu(t->net, p);

	ASSERT_RTNL();
	if (!dev_set_mtu(t->dev, mtu))
		t->auto_mtu = mtu;
}

/*
 * A tunnel bound to an underlay device with "dev" follows that device's
 * MTU, unless the user has set the tunnel's own.
 */
static void gretun_follow_underlay(struct net_device *under)
{
	struct gretun_net *gn = net_generic(dev_net(under), gretun_net_id);
	struct gretun *t;
	int bkt;

	ASSERT_RTNL();
	hash_for_each(gn->tunnels, bkt, t, hnode) {
		const struct gretun_parms *p = rtnl_dereference(t->parms);

		if (p->link == under->ifindex && t->dev->mtu == t->auto_mtu)
			gretun_set_auto_mtu(t, p);
	}
}

/*
 * Fit the inner packet to the path. With DF on the outer header (over
 * IPv6: when the outer packet must not be fragmented) the outer route's
 * MTU, lowered by "fragmentation needed" or "packet too big" from the
 * path (see gretun_err), bounds the inner packet: a larger one is refused with the
 * ICMP or ICMPv6 error its sender needs (RFC 1191, RFC 8201), and the
 * inner route learns the smaller MTU. An inner packet that may be
 * fragmented (IPv4 without DF, IPv6 on a path below the IPv6 minimum MTU,
 * any other protocol) goes without DF and is fragmented on the way, or
 * over IPv6 by us (RFC 2473 section 7).
 */
static int gretun_fit_path(struct sk_buff *skb, const struct gretun_parms *p,
			   struct dst_entry *dst, __be16 *df)
{
	int mtu;

	if (!*df)
		return 0;
	mtu = dst_mtu(dst) - gretun_overhead(p);
	if (skb_valid_dst(skb) && mtu < dst_mtu(skb_dst(skb)))
		skb_dst_update_pmtu_no_confirm(skb, mtu);

	if (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu) :
			      skb->len <= mtu)
		return 0;

	if (skb->protocol == htons(ETH_P_IP) && mtu >= IPV4_MIN_MTU &&
	    (ip_hdr(skb)->frag_off & htons(IP_DF))) {
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
		return -EMSGSIZE;
	}
	if (skb->protocol == htons(ETH_P_IPV6) && mtu >= IPV6_MIN_MTU) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		return -EMSGSIZE;
	}
	*df = 0;
	return 0;
}

/* ---------------------------------------------------------------------
 * 6. ICMP errors about our outer packets
 *
 * A router on the path that cannot forward an outer packet says so to our
 * end, quoting the outer IP header and, from most routers, the GRE
 * header. "Fragmentation needed" (ICMPv6: "packet too big") lowers the
 * path MTU of the outer route, which transmit then enforces on inner
 * packets (gretun_fit_path). "Unreachable", with a fixed TTL "time
 * exceeded", and over IPv6 "encapsulation limit reached" are passed on:
 * the next inner packets sent into the tunnel are answered with a link
 * failure, as a broken link would answer them, so that their senders stop
 * waiting. Anyone can send ICMP: only an error quoting a packet one of our
 * tunnels sent counts, and its effect is bounded in time and packets.
 */

/* how long, and for how many packets, an error is passed on */
#define GRETUN_ERR_WINDOW	(30 * HZ)
#define GRETUN_ERR_MAX_RELAYS	64

/*
 * Whether an error about our outer packet says something about the path
 * that the inner senders should hear. With the TTL inherited, "time
 * exceeded" only says that an inner packet's own TTL ran out, as happens
 * to every traceroute probe (and to hop-limited packets such as MLD
 * reports): it is no reason to fail other packets.
 */
static bool gretun_error_passes_on(const struct gretun_parms *p, int type,
				   int code)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		/*
		 * A peer without a matching tunnel answers "port unreachable",
		 * also while it is still being set up: not a path failure.
		 */
		return code != ICMP_PORT_UNREACH && code != ICMP_SR_FAILED;
	case ICMP_TIME_EXCEEDED:
		return code == ICMP_EXC_TTL && p->ttl;
	default:
		return false;
	}
}

/*
 * The same over IPv6. A parameter problem pointing at the limit in our
 * encapsulation limit option says that a tunnel further on could not
 * encapsulate the packet again (RFC 2473 section 8).
 */
static bool gretun_error6_passes_on(const struct gretun_parms *p, u8 type,
				    u8 code, __be32 info)
{
	switch (type) {
	case ICMPV6_DEST_UNREACH:
		return code != ICMPV6_PORT_UNREACH;
	case ICMPV6_TIME_EXCEED:
		return code == ICMPV6_EXC_HOPLIMIT && p->ttl;
	case ICMPV6_PARAMPROB:
		return code == ICMPV6_HDR_FIELD &&
		       p->encap_limit != GRETUN_ENCAP_NONE &&
		       ntohl(info) == sizeof(struct ipv6hdr) + 4;
	default:
		return false;
	}
}

static void gretun_note_error(struct gretun *t)
{
	WRITE_ONCE(t->err_until, jiffies + GRETUN_ERR_WINDOW);
	atomic_add_unless(&t->err_relays, 1, GRETUN_ERR_MAX_RELAYS);
	gretun_count(t, GRETUN_ICMP_ERR_NOTED);
}

/* On transmit: pass a recent error on to this packet's sender. */
static void gretun_relay_error(struct gretun *t, struct sk_buff *skb)
{
	if (likely(!atomic_read(&t->err_relays)))
		return;
	if (time_after(jiffies, READ_ONCE(t->err_until))) {
		atomic_set(&t->err_relays, 0);
		return;
	}
	if (atomic_dec_if_positive(&t->err_relays) < 0)
		return;
	gretun_count(t, GRETUN_ICMP_ERR_RELAYED);
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

/*
 * The tunnel that sent the quoted packet: the quoted source and
 * destination are its local and remote ends (local any: the source the
 * route chose), the quoted key is its okey.
 */
static struct gretun *gretun_err_lookup(struct gretun_net *gn,
					struct sk_buff *skb, int family,
					int gre_offset)
{
	struct gretun_rx_hdr h;
	struct gretun_key k;
	struct gretun *t;

	if (gretun_parse_hdr(skb, gre_offset, &h))
		return NULL;
	/* skb->data now: the parse may have moved the quoted header */
	gretun_key_of_packet(&k, family, skb->data, false, &h);
	t = gretun_find_sender(gn, &k);
	if (t)
		return t;
	k.local = gretun_any;
	return gretun_find_sender(gn, &k);
}

/* The outer route as transmit finds it: the VRF's, or the device's. */
static int gretun_err_oif(struct net *net, const struct gretun_parms *p)
{
	return gretun_vrf_of(net, p) ? : p->link;
}

/*
 * Only an error that quotes a GRE packet one of our tunnels sent changes
 * anything: a route's MTU or next hop is not for any sender of ICMP to
 * rewrite. The quoted key is part of that proof, which is why RFC 792
 * routers' 8-byte quotes suffice only for tunnels with at most one option
 * before the key.
 */
static int gretun_err(struct sk_buff *skb, u32 info)
{
	struct net *net = dev_net(skb->dev);
	struct gretun_net *gn = net_generic(net, gretun_net_id);
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	const struct gretun_parms *p;
	struct gretun *t;
	int oif;

	t = gretun_err_lookup(gn, skb, AF_INET,
			      ((struct iphdr *)skb->data)->ihl * 4);
	if (!t) {
		atomic_long_inc(&gn->drops.icmp_no_tunnel);
		return -ENOENT;
	}
	p = rcu_dereference(t->parms);

	oif = gretun_err_oif(net, p);
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		ipv4_update_pmtu(skb, net, info, oif, IPPROTO_GRE);
		gretun_count(t, GRETUN_ICMP_PMTU);
	} else if (type == ICMP_REDIRECT) {
		ipv4_redirect(skb, net, oif, IPPROTO_GRE);
		gretun_count(t, GRETUN_ICMP_REDIRECT);
	} else if (gretun_error_passes_on(p, type, code)) {
		gretun_note_error(t);
	} else {
		gretun_count(t, GRETUN_ICMP_ERR_IGNORED);
	}
	return 0;
}

/*
 * RFC 8201, on the route our packets take. ip6_update_pmtu() would look
 * the route up again from the quoted header alone, with the packet's flow
 * label and no protocol: under ECMP that may be another next hop than
 * transmit's, and the path MTU would be learned where no packet of ours
 * goes. The dst reads the addresses at the network header: the quoted
 * header's, ours, for the time of the call.
 */
static void gretun_update_pmtu6(struct net *net, const struct gretun_parms *p,
				struct sk_buff *skb, __be32 info)
{
	const struct ipv6hdr *quoted = (const struct ipv6hdr *)skb->data;
	int nhoff = skb_network_offset(skb);
	union gretun_addr saddr;
	struct dst_entry *dst;
	u32 cookie;

	dst = gretun_route(net, p, ip6_tclass(ip6_flowinfo(quoted)), &saddr,
			   &cookie);
	if (IS_ERR(dst))
		return;
	skb_reset_network_header(skb);
	dst->ops->update_pmtu(dst, NULL, skb, ntohl(info), true);
	skb_set_network_header(skb, nhoff);
	dst_release(dst);
}

/*
 * The same for ICMPv6: skb->data is at the quoted IPv6 header. A redirect
 * is IPv6's only from the next hop on the link it arrived by (RFC 4861
 * 8.1): the route it replaces is looked up on that device.
 */
static int gretun_err6(struct sk_buff *skb, struct inet6_skb_parm *opt,
		       u8 type, u8 code, int offset, __be32 info)
{
	struct net *net = dev_net(skb->dev);
	struct gretun_net *gn = net_generic(net, gretun_net_id);
	const struct gretun_parms *p;
	struct gretun *t;

	t = gretun_err_lookup(gn, skb, AF_INET6, offset);
	if (!t) {
		atomic_long_inc(&gn->drops.icmp_no_tunnel);
		return -ENOENT;
	}
	p = rcu_dereference(t->parms);

	if (type == ICMPV6_PKT_TOOBIG) {
		gretun_update_pmtu6(net, p, skb, info);
		gretun_count(t, GRETUN_ICMP_PMTU);
	} else if (type == NDISC_REDIRECT) {
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
		gretun_count(t, GRETUN_ICMP_REDIRECT);
	} else if (gretun_error6_passes_on(p, type, code, info)) {
		gretun_note_error(t);
	} else {
		gretun_count(t, GRETUN_ICMP_ERR_IGNORED);
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * 7. Transmit
 */

/*
 * DSCP fixed or inherited; ECN per RFC 6040 normal mode: the outer field
 * is a copy of the inner one, CE included, so that a mark made before the
 * tunnel survives it (see gretun_ecn_decap for the other end).
 */
static u8 gretun_outer_tos(const struct gretun_parms *p,
			   const struct sk_buff *skb)
{
	u8 inner = gretun_inner_dsfield(skb);
	u8 tos = p->tos == GRETUN_TOS_INHERIT ? inner : p->tos;

	return (tos & ~INET_ECN_MASK) | (inner & INET_ECN_MASK);
}

/* TTL or hop limit: fixed, inherited, else the outer route's default. */
static u8 gretun_outer_ttl(const struct gretun_parms *p,
			   const struct sk_buff *skb, struct dst_entry *dst)
{
	u8 ttl = p->ttl;

	if (!ttl)
		ttl = gretun_inner_ttl(skb);
	if (ttl)
		return ttl;
	return p->family == AF_INET6 ? ip6_dst_hoplimit(dst) :
				       ip4_dst_hoplimit(dst);
}

/*
 * Without pmtudisc the outer header copies DF from an inner IPv4 packet,
 * unless ignore-df says fragment everything. Over IPv6, which has no DF
 * bit, the same answer says whether we may fragment the outer packet.
 */
static __be16 gretun_outer_df(const struct gretun_parms *p,
			      const struct sk_buff *skb)
{
	if (p->pmtudisc)
		return htons(IP_DF);
	if (p->ignore_df || skb->protocol != htons(ETH_P_IP))
		return 0;
	return ip_hdr(skb)->frag_off & htons(IP_DF);
}

/*
 * Drop a packet given to the tunnel: count it under its reason, in the
 * standard counter closest to it, and tell the drop monitor why.
 */
static void gretun_tx_drop(struct gretun *t, struct sk_buff *skb,
			   enum gretun_stat stat)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	struct net_device *dev = t->dev;

	switch (stat) {
	case GRETUN_TX_BAD_INNER:
		reason = SKB_DROP_REASON_HDR_TRUNC;
		break;
	case GRETUN_TX_NO_ROUTE:
		DEV_STATS_INC(dev, tx_carrier_errors);
		reason = SKB_DROP_REASON_IP_OUTNOROUTES;
		break;
	case GRETUN_TX_LOOP:
	case GRETUN_TX_SEQ_BUSY:
		DEV_STATS_INC(dev, collisions);
		break;
	case GRETUN_TX_TOO_BIG:
		reason = SKB_DROP_REASON_PKT_TOO_BIG;
		break;
	case GRETUN_TX_ENCAP_LIMIT:
		break;
	default:
		DEV_STATS_INC(dev, tx_dropped);
		reason = SKB_DROP_REASON_NOMEM;
		break;
	}
	gretun_count(t, stat);
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb_reason(skb, reason);
}

/*
 * An inner IPv6 packet's own tunnel encapsulation limit: in a destination
 * options header right after the IPv6 header or its hop-by-hop options
 * (RFC 2473 section 5.1). Returns the offset of the limit's value from
 * the network header, or 0 if there is none.
 */
static int gretun_inner_encap_limit_off(struct sk_buff *skb)
{
	int off = skb_network_offset(skb) + sizeof(struct ipv6hdr);
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	const struct ipv6_opt_hdr *hdr;
	const u8 *opt;
	int i, len;

	if (nexthdr == NEXTHDR_HOP) {
		if (!pskb_may_pull(skb, off + sizeof(*hdr)))
			return 0;
		hdr = (const struct ipv6_opt_hdr *)(skb->data + off);
		nexthdr = hdr->nexthdr;
		off += ipv6_optlen(hdr);
	}
	if (nexthdr != NEXTHDR_DEST || !pskb_may_pull(skb, off + sizeof(*hdr)))
		return 0;
	len = ipv6_optlen((const struct ipv6_opt_hdr *)(skb->data + off));
	if (!pskb_may_pull(skb, off + len))
		return 0;
	opt = skb->data + off;
	i = sizeof(*hdr);
	while (i < len) {
		if (opt[i] == IPV6_TLV_PAD1) {
			i++;
			continue;
		}
		if (i + 3 > len)
			break;
		if (opt[i] == IPV6_TLV_TNL_ENCAP_LIMIT && opt[i + 1] == 1)
			return off + i + 2 - skb_network_offset(skb);
		i += opt[i + 1] + 2;
	}
	return 0;
}

/*
 * The encapsulation limit outer IPv6 packets carry, -1 for none. RFC
 * 2473 section 4.1.1: an inner IPv6 packet with a limit of its own gets
 * one less, and one whose limit is spent is refused with a parameter
 * problem pointing at it (then -ELOOP).
 */
static int gretun_outer_encap_limit(const struct gretun_parms *p,
				    struct sk_buff *skb, int *limit)
{
	int off;

	*limit = -1;
	if (p->family != AF_INET6 || p->encap_limit == GRETUN_ENCAP_NONE)
		return 0;
	*limit = p->encap_limit;
	if (skb->protocol != htons(ETH_P_IPV6))
		return 0;
	off = gretun_inner_encap_limit_off(skb);
	if (!off)
		return 0;
	if (!skb_network_header(skb)[off]) {
		icmpv6_ndo_send(skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, off);
		return -ELOOP;
	}
	*limit = skb_network_header(skb)[off] - 1;
	return 0;
}

/* What the outer packet is made of: computed once for a packet and its
 * segments.
 */
struct gretun_outer {
	struct dst_entry *dst;	/* no reference: valid in this RCU section */
	union gretun_addr saddr;
	union gretun_addr daddr;
	int family;
	u8 tos;			/* or traffic class */
	u8 ttl;			/* or hop limit */
	__be16 df;		/* IPv6: nonzero, the packet must not be fragmented */
	__be32 flowlabel;	/* IPv6 */
	int encap_limit;	/* IPv6: -1 for no option */
	bool xnet;		/* the outer packet leaves our namespace */
	u32 flow_hash;		/* 0: the inner packet's flow (see gretun_leave_inner) */
};

/*
 * Ask the stack's GRE segmentation to cut a GSO packet after it has been
 * encapsulated (per segment, with a GRE checksum when asked for), and mark
 * where the inner headers start: what gretun_ip_out() counts as the bytes
 * sent.
 */
static int gretun_prepare_offloads(struct sk_buff *skb,
				   const struct gretun_parms *p)
{
	int err;

	err = iptunnel_handle_offloads(skb, p->oflags & GRETUN_F_CSUM ?
					    SKB_GSO_GRE_CSUM : SKB_GSO_GRE);
	if (err)
		return err;
	skb_set_inner_protocol(skb, skb->protocol);
	return 0;
}

/*
 * The underlay's queues (fq_codel, a multiqueue NIC's tx queue choice)
 * keep order only within a flow, and they tell flows apart by skb->hash.
 * Outer packets normally keep the inner flow's hash, so the inner flows
 * spread over queues as they would without the tunnel. Sequence numbers
 * are given before those queues: a sequenced tunnel must be one flow to
 * them, or packets of two inner flows pass each other and the peer drops
 * the late ones (RFC 2890).
 */
static u32 gretun_flow_hash(const struct gretun_parms *p,
			    const struct gretun_outer *o)
{
	if (!(p->oflags & GRETUN_F_SEQ))
		return 0;
	return jhash_3words(gretun_addr_fold(&o->saddr),
			    gretun_addr_fold(&o->daddr), p->okey, 0) ?: 1;
}

/*
 * The IPv6 flow label: fixed, or copied from an inner IPv6 packet, or
 * when that leaves none, one per inner flow as the kernel labels its own
 * packets, so that multipath routing in the transit keeps each inner flow
 * on one path; a sequenced tunnel is one flow (see gretun_flow_hash).
 */
static __be32 gretun_outer_flowlabel(const struct gretun_parms *p,
				     struct sk_buff *skb,
				     const struct gretun_outer *o)
{
	__be32 label = htonl(p->flowlabel & GRETUN_FLOWLABEL_MAX);
	u32 hash;

	if (p->flowlabel == GRETUN_FLOWLABEL_INHERIT)
		label = skb->protocol == htons(ETH_P_IPV6) ?
			ip6_flowlabel(ipv6_hdr(skb)) : 0;
	if (label || !ip6_default_np_autolabel(dev_net(o->dst->dev)))
		return label;
	hash = o->flow_hash ? : skb_get_hash(skb);
	return htonl(rol32(hash, 16)) & IPV6_FLOWLABEL_MASK;
}

/*
 * The packet leaves the inner world: no state of it goes along, and the
 * route goes without a reference (see gretun_route_cache).
 */
static void gretun_leave_inner(struct sk_buff *skb,
			       const struct gretun_outer *o)
{
	skb_scrub_packet(skb, o->xnet);
	if (o->flow_hash)
		__skb_set_sw_hash(skb, o->flow_hash, false);
	else
		skb_clear_hash_if_not_l4(skb);
	skb_dst_set_noref(skb, o->dst);
}

/*
 * Put the outer IPv4 header on. DF packets are atomic datagrams whose ID
 * nobody reads (RFC 6864): they get none rather than a draw from the
 * shared ID generator.
 */
static void gretun_push_ip4(struct sk_buff *skb, const struct gretun_outer *o)
{
	struct iphdr *iph;

	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = o->tos;
	iph->frag_off = ip_mtu_locked(o->dst) ? 0 : o->df;
	iph->ttl = o->ttl;
	iph->protocol = IPPROTO_GRE;
	iph->saddr = o->saddr.ip;
	iph->daddr = o->daddr.ip;
	if (iph->frag_off)
		iph->id = 0;
	else
		__ip_select_ident(dev_net(o->dst->dev), iph,
				  skb_shinfo(skb)->gso_segs ?: 1);
	skb->protocol = htons(ETH_P_IP);
}

/* RFC 2473 section 5.1: the limit option, padded to 8 bytes. */
static void gretun_push_encap_limit(struct sk_buff *skb, u8 limit)
{
	u8 *opt = skb_push(skb, GRETUN_ENCAP_OPT_LEN);

	opt[0] = IPPROTO_GRE;			/* next header */
	opt[1] = 0;				/* length: 8 bytes */
	opt[2] = IPV6_TLV_TNL_ENCAP_LIMIT;
	opt[3] = 1;
	opt[4] = limit;
	opt[5] = IPV6_TLV_PADN;
	opt[6] = 1;
	opt[7] = 0;
}

/*
 * Put the outer IPv6 header on. A packet that may be fragmented and does
 * not fit is fragmented here, at the tunnel entry (RFC 2473 section 7).
 */
static void gretun_push_ip6(struct sk_buff *skb, const struct gretun_outer *o)
{
	u8 nexthdr = IPPROTO_GRE;
	struct ipv6hdr *ip6h;

	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	if (o->encap_limit >= 0) {
		gretun_push_encap_limit(skb, o->encap_limit);
		nexthdr = NEXTHDR_DEST;
	}
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, o->tos, o->flowlabel);
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = o->ttl;
	ip6h->saddr = o->saddr.ip6;
	ip6h->daddr = o->daddr.ip6;
	skb->ignore_df = !o->df;
	skb->protocol = htons(ETH_P_IPV6);
}

/* Send a finished packet; counted as the inner bytes it carries. */
static void gretun_ip_out(struct gretun *t, struct sk_buff *skb)
{
	int len = skb->len - skb_inner_network_offset(skb);
	struct net *net = t->net;
	int err;

	/*
	 * A packet that waited in the sequence line lost its route if
	 * skb_dst_force() found it already released (the cache replaced it).
	 */
	if (unlikely(!skb_dst(skb))) {
		gretun_tx_drop(t, skb, GRETUN_TX_NO_ROUTE);
		return;
	}
	if (skb->protocol == htons(ETH_P_IPV6))
		err = ip6_local_out(net, NULL, skb);
	else
		err = ip_local_out(net, NULL, skb);
	iptunnel_xmit_stats(t->dev, net_xmit_eval(err) ? 0 : len);
}

/*
 * Encapsulate, all but the sequence number and checksum. On an error skb
 * is still the caller's.
 */
static int gretun_encap(const struct gretun_parms *p, struct sk_buff *skb,
			const struct gretun_outer *o)
{
	if (gretun_prepare_offloads(skb, p) ||
	    gretun_push_hdr(p, skb, LL_RESERVED_SPACE(o->dst->dev) +
			    gretun_overhead(p)))
		return -ENOMEM;
	gretun_leave_inner(skb, o);
	if (o->family == AF_INET6)
		gretun_push_ip6(skb, o);
	else
		gretun_push_ip4(skb, o);
	return 0;
}

/*
 * How many gretun transmits this CPU is inside of. An outer packet may
 * route into another tunnel, and on a misconfigured router back into the
 * first: past a few levels that is a loop, and the stack must not grow.
 */
static DEFINE_PER_CPU(unsigned int, gretun_xmit_depth);

static void gretun_send(struct gretun *t, const struct gretun_parms *p,
			struct sk_buff *skb, const struct gretun_outer *o)
{
	if (gretun_encap(p, skb, o)) {
		gretun_tx_drop(t, skb, GRETUN_TX_NO_MEM);
		return;
	}
	gretun_seal_hdr(p, skb, 0);
	gretun_ip_out(t, skb);
}

/* ---------------------------------------------------------------------
 * 7. Transmit, continued: sequenced tunnels
 *
 * An RFC 2890 receiver drops a packet numbered below one it has already
 * seen, so numbers must reach the wire in the order they were given, with
 * several CPUs transmitting at once, and without making them wait for
 * each other's sends. Each CPU encapsulates its packets itself; under a
 * short lock it numbers them and appends them to the tunnel's line. The
 * CPU that finds nobody sending becomes the sender: it sends the line in
 * order, its own packets and whatever others append meanwhile, then
 * hands on. After a budget it passes the rest to a work item, so that no
 * CPU is kept sending for others without end.
 *
 * A packet waiting in line may be sent after its own CPU has left the
 * RCU read side: it holds a reference to its route. It also carries how
 * deeply nested its transmit was, so that a routing loop through
 * sequenced tunnels still ends at the nesting limit.
 */

/* numbered packets waiting; more are dropped, as from a full queue */
#define GRETUN_SEQ_LINE_MAX	1024
/* packets one sender sends before it hands on, checked between batches */
#define GRETUN_SEQ_BUDGET	256

struct gretun_seq_cb {
	union {				/* IP reads it on the way out */
		struct inet_skb_parm ip4;	/* IPCB */
		struct inet6_skb_parm ip6;	/* IP6CB */
	} h;
	unsigned int depth;		/* gretun_xmit_depth of its transmit */
};

static struct gretun_seq_cb *gretun_seq_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(offsetof(struct gretun_seq_cb, h) != 0);
	BUILD_BUG_ON(sizeof(struct gretun_seq_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct gretun_seq_cb *)skb->cb;
}

/* Send the packet at the nesting depth it came with. */
static void gretun_seq_out(struct gretun *t, struct sk_buff *skb)
{
	unsigned int depth = __this_cpu_read(gretun_xmit_depth);

	__this_cpu_write(gretun_xmit_depth, gretun_seq_cb(skb)->depth);
	gretun_ip_out(t, skb);
	__this_cpu_write(gretun_xmit_depth, depth);
}

/* The caller is the sender: send the line, within budget. */
static void gretun_seq_send_line(struct gretun *t)
{
	struct gretun_seq_tx *q = &t->seq;
	int budget = GRETUN_SEQ_BUDGET;
	struct sk_buff_head batch;
	struct sk_buff *skb;

	__skb_queue_head_init(&batch);
	spin_lock(&q->lock);
	while (!skb_queue_empty(&q->line)) {
		if (budget <= 0) {
			/* the rest leaves this CPU's RCU read side */
			skb_queue_walk(&q->line, skb)
				skb_dst_force(skb);
			spin_unlock(&q->lock);
			queue_work(system_wq, &q->work);
			return;
		}
		skb_queue_splice_init(&q->line, &batch);
		spin_unlock(&q->lock);
		while ((skb = __skb_dequeue(&batch))) {
			gretun_seq_out(t, skb);
			budget--;
		}
		spin_lock(&q->lock);
	}
	q->sending = false;
	spin_unlock(&q->lock);
}

static void gretun_seq_work(struct work_struct *work)
{
	struct gretun *t = container_of(work, struct gretun, seq.work);

	local_bh_disable();
	rcu_read_lock();
	gretun_seq_send_line(t);
	rcu_read_unlock();
	local_bh_enable();
}

/* Number the packets in @built, append them, and send if nobody is. */
static void gretun_seq_append(struct gretun *t, const struct gretun_parms *p,
			      struct sk_buff_head *built)
{
	struct gretun_seq_tx *q = &t->seq;
	struct sk_buff_head full;
	struct sk_buff *skb;
	bool sender;

	__skb_queue_head_init(&full);
	spin_lock(&q->lock);
	sender = !q->sending;
	while ((skb = __skb_dequeue(built))) {
		if (skb_queue_len(&q->line) >= GRETUN_SEQ_LINE_MAX) {
			__skb_queue_tail(&full, skb);
			continue;
		}
		gretun_seal_hdr(p, skb, q->next++);
		/* another CPU sends it, maybe after our RCU read side */
		if (!sender)
			skb_dst_force(skb);
		__skb_queue_tail(&q->line, skb);
	}
	q->sending = true;
	spin_unlock(&q->lock);

	while ((skb = __skb_dequeue(&full)))
		gretun_tx_drop(t, skb, GRETUN_TX_SEQ_BUSY);
	if (sender)
		gretun_seq_send_line(t);
}

/*
 * A GSO packet for a sequenced tunnel is cut here, not after
 * encapsulation: the stack's GRE segmentation would copy one number into
 * every segment. Returns the segments, or NULL when @skb was dropped.
 */
static struct sk_buff *gretun_segment(struct gretun *t, struct sk_buff *skb)
{
	struct sk_buff *segs;

	if (!skb_is_gso(skb))
		return skb;
	segs = skb_gso_segment(skb, t->dev->features & ~NETIF_F_GSO_MASK);
	if (IS_ERR(segs)) {
		gretun_tx_drop(t, skb, GRETUN_TX_NO_MEM);
		return NULL;
	}
	if (!segs)
		return skb;
	consume_skb(skb);
	return segs;
}

static void gretun_send_in_order(struct gretun *t, const struct gretun_parms *p,
				 struct sk_buff *skb,
				 const struct gretun_outer *o)
{
	unsigned int depth = __this_cpu_read(gretun_xmit_depth);
	struct sk_buff *segs, *next;
	struct sk_buff_head built;

	segs = gretun_segment(t, skb);
	if (!segs)
		return;

	__skb_queue_head_init(&built);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (gretun_encap(p, skb, o)) {
			gretun_tx_drop(t, skb, GRETUN_TX_NO_MEM);
			continue;
		}
		gretun_seq_cb(skb)->depth = depth;
		__skb_queue_tail(&built, skb);
	}
	gretun_seq_append(t, p, &built);
}

/* A route back into this tunnel, or tunnels nested too deep. */
static bool gretun_looped(struct net_device *dev, struct dst_entry *dst)
{
	if (dst->dev == dev)
		return true;
	if (__this_cpu_read(gretun_xmit_depth) < GRETUN_MAX_DEPTH)
		return false;
	net_warn_ratelimited("%s: tunnels nested %d deep, dropping: routing loop?\n",
			     dev->name, GRETUN_MAX_DEPTH + 1);
	return true;
}

static netdev_tx_t gretun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);
	const struct gretun_parms *p = rcu_dereference_bh(t->parms);
	enum gretun_stat stat;
	struct gretun_outer o;

	skb_reset_network_header(skb);
	stat = GRETUN_TX_BAD_INNER;
	if (!pskb_inet_may_pull(skb))
		goto drop;
	stat = GRETUN_TX_NO_ROUTE;
	if (gretun_addr_any(&p->remote))
		goto drop;
	o.family = p->family;
	o.tos = gretun_outer_tos(p, skb);
	o.dst = gretun_outer_route(t, p, o.tos, &o.saddr);
	if (IS_ERR(o.dst))
		goto drop;
	stat = GRETUN_TX_LOOP;
	if (gretun_looped(dev, o.dst))
		goto drop;

	o.daddr = p->remote;
	o.ttl = gretun_outer_ttl(p, skb, o.dst);
	o.df = gretun_outer_df(p, skb);
	o.xnet = !net_eq(t->net, dev_net(dev));
	o.flow_hash = gretun_flow_hash(p, &o);
	stat = GRETUN_TX_ENCAP_LIMIT;
	if (gretun_outer_encap_limit(p, skb, &o.encap_limit))
		goto drop;
	stat = GRETUN_TX_TOO_BIG;
	if (gretun_fit_path(skb, p, o.dst, &o.df))
		goto drop;
	o.flowlabel = o.family == AF_INET6 ?
		      gretun_outer_flowlabel(p, skb, &o) : 0;
	gretun_relay_error(t, skb);

	__this_cpu_inc(gretun_xmit_depth);
	if (p->oflags & GRETUN_F_SEQ)
		gretun_send_in_order(t, p, skb, &o);
	else
		gretun_send(t, p, skb, &o);
	__this_cpu_dec(gretun_xmit_depth);
	return NETDEV_TX_OK;

drop:
	gretun_tx_drop(t, skb, stat);
	return NETDEV_TX_OK;
}

/* ---------------------------------------------------------------------
 * 8. Device setup, ethtool statistics
 */

static void gretun_uninit(struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);

	gretun_unhash(t);
	/* no transmit runs now: only the work item may still send */
	cancel_work_sync(&t->seq.work);
	__skb_queue_purge(&t->seq.line);
	gretun_route_cache_reset(&t->route);
}

static int gretun_get_iflink(const struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);
	int link;

	rcu_read_lock();
	link = rcu_dereference(t->parms)->link;
	rcu_read_unlock();
	return link;
}

static void gretun_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static int gretun_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? GRETUN_NUM_STATS : -EOPNOTSUPP;
}

static void gretun_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset == ETH_SS_STATS)
		memcpy(buf, gretun_stat_names, sizeof(gretun_stat_names));
}

static void gretun_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct gretun *t = netdev_priv(dev);
	int i;

	for (i = 0; i < GRETUN_NUM_STATS; i++)
		data[i] = atomic_long_read(&t->stats[i]);
}

static const struct ethtool_ops gretun_ethtool_ops = {
	.get_drvinfo		= gretun_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= gretun_get_sset_count,
	.get_strings		= gretun_get_strings,
	.get_ethtool_stats	= gretun_get_ethtool_stats,
};

static const struct net_device_ops gretun_netdev_ops = {
	.ndo_uninit		= gretun_uninit,
	.ndo_start_xmit		= gretun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= gretun_get_iflink,
};

static void gretun_free_priv(struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);

	gro_cells_destroy(&t->gro_cells);
	free_percpu(dev->tstats);
	kfree(rcu_dereference_protected(t->parms, 1));
}

/*
 * The stack hands us TCP super-packets and leaves checksums to us: GRE
 * segmentation and checksum offload (gretun_prepare_offloads) pass both
 * on to the underlay, or do them there in software, once per segment.
 */
#define GRETUN_FEATURES	(NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HIGHDMA | \
			 NETIF_F_HW_CSUM | NETIF_F_GSO_SOFTWARE)

static void gretun_setup(struct net_device *dev)
{
	dev->netdev_ops = &gretun_netdev_ops;
	dev->ethtool_ops = &gretun_ethtool_ops;
	dev->type = ARPHRD_IPGRE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = sizeof(__be32);
	/* dev->mtu: newlink gives the one that fits the underlay */
	dev->min_mtu = ETH_MIN_MTU;
	/*
	 * The larger maximum, IPv6's: rtnetlink checks a given MTU against
	 * it before newlink knows the family, and newlink then checks it
	 * against the family's own (gretun_set_family).
	 */
	dev->max_mtu = gretun_max_mtu(AF_INET6);
	dev->features |= GRETUN_FEATURES;
	dev->hw_features |= GRETUN_FEATURES;
	gretun_compat_set_lltx(dev);
	netif_keep_dst(dev);
	dev->needs_free_netdev = true;
}

/* An IPv6 underlay's device is what ip6gre's is: `ip link` shows gre6. */
static void gretun_set_family(struct net_device *dev, int family)
{
	dev->max_mtu = gretun_max_mtu(family);
	if (family != AF_INET6)
		return;
	/*
	 * addrconf makes the link-local address from perm_addr: a random
	 * one, as ip6gre's, not the first bytes of the local address, which
	 * both ends of a tunnel share.
	 */
	eth_random_addr(dev->perm_addr);
	dev->addr_assign_type = NET_ADDR_RANDOM;
	dev->type = ARPHRD_IP6GRE;
	dev->addr_len = sizeof(struct in6_addr);
}

/*
 * What the device itself carries of the configuration: the endpoints, for
 * `ip link` to show as link/gre does, and the headroom the headers need.
 */
static void gretun_apply_to_dev(struct net_device *dev,
				const struct gretun_parms *p)
{
	dev_addr_set(dev, (const u8 *)&p->local);
	memcpy(dev->broadcast, &p->remote, dev->addr_len);
	dev->needed_headroom = LL_MAX_HEADER + gretun_overhead(p);
}

/* ---------------------------------------------------------------------
 * 9. rtnetlink configuration
 */

static const struct nla_policy gretun_policy[IFLA_GRETUN_MAX + 1] = {
	[IFLA_GRETUN_UNSPEC]	= { .strict_start_type = IFLA_GRETUN_LINK },
	[IFLA_GRETUN_LINK]	= { .type = NLA_U32 },
	[IFLA_GRETUN_LOCAL]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[IFLA_GRETUN_REMOTE]	= { .type = NLA_BINARY,
				    .len = sizeof(struct in6_addr) },
	[IFLA_GRETUN_IFLAGS]	= { .type = NLA_U16 },
	[IFLA_GRETUN_OFLAGS]	= { .type = NLA_U16 },
	[IFLA_GRETUN_IKEY]	= { .type = NLA_U32 },
	[IFLA_GRETUN_OKEY]	= { .type = NLA_U32 },
	[IFLA_GRETUN_TTL]	= { .type = NLA_U8 },
	[IFLA_GRETUN_TOS]	= { .type = NLA_U8 },
	[IFLA_GRETUN_PMTUDISC]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_GRETUN_IGNORE_DF]	= NLA_POLICY_MAX(NLA_U8, 1),
	[IFLA_GRETUN_FLOWLABEL]	= { .type = NLA_U32 },
	[IFLA_GRETUN_ENCAP_LIMIT] = { .type = NLA_U16 },
};

/*
 * rtnetlink parses IFLA_INFO_DATA leniently, skipping attribute types it
 * has no policy for (0 and those past IFLA_GRETUN_MAX): a message meant
 * for a newer module would then half apply. Refuse them.
 */
static int gretun_validate_known(struct nlattr *tb[],
				 struct netlink_ext_ack *extack)
{
	struct nlattr *linkinfo[IFLA_INFO_MAX + 1];

	if (!tb[IFLA_LINKINFO] ||
	    nla_parse_nested_deprecated(linkinfo, IFLA_INFO_MAX,
					tb[IFLA_LINKINFO], NULL, NULL) ||
	    !linkinfo[IFLA_INFO_DATA])
		return 0;
	return nla_validate_nested(linkinfo[IFLA_INFO_DATA], IFLA_GRETUN_MAX,
				   gretun_policy, extack);
}

/*
 * The family an address attribute asks for: AF_UNSPEC when it is absent
 * or any (all zeros), which fits either.
 */
static int gretun_attr_family(const struct nlattr *attr)
{
	union gretun_addr a = {};

	if (!attr)
		return AF_UNSPEC;
	nla_memcpy(&a, attr, sizeof(a));
	if (gretun_addr_any(&a))
		return AF_UNSPEC;
	return nla_len(attr) == sizeof(a.ip6) ? AF_INET6 : AF_INET;
}

static int gretun_validate_addr(struct nlattr *attr,
				struct netlink_ext_ack *extack)
{
	struct in6_addr a6;
	__be32 a4;

	if (!attr)
		return 0;
	if (nla_len(attr) == sizeof(a4)) {
		a4 = nla_get_in_addr(attr);
		if (!ipv4_is_multicast(a4) && !ipv4_is_lbcast(a4))
			return 0;
	} else if (nla_len(attr) == sizeof(a6)) {
		a6 = nla_get_in6_addr(attr);
		if (ipv6_addr_v4mapped(&a6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "gretun: write an IPv4 underlay's addresses as IPv4, not IPv4-mapped IPv6");
			return -EINVAL;
		}
		if (!ipv6_addr_is_multicast(&a6))
			return 0;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "gretun: local and remote are IPv4 (4 bytes) or IPv6 (16 bytes) addresses");
		return -EINVAL;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "gretun: local and remote must be unicast addresses or any");
	return -EADDRNOTAVAIL;
}

static int gretun_validate_families(struct nlattr *data[],
				    struct netlink_ext_ack *extack)
{
	int lf = gretun_attr_family(data[IFLA_GRETUN_LOCAL]);
	int rf = gretun_attr_family(data[IFLA_GRETUN_REMOTE]);

	if (lf && rf && lf != rf) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_GRETUN_REMOTE],
				    "gretun: local and remote must be of one family");
		return -EINVAL;
	}
	return 0;
}

/* The ranges of the IPv6 underlay's own options. */
static int gretun_validate_ipv6_opts(struct nlattr *data[],
				     struct netlink_ext_ack *extack)
{
	struct nlattr *fl = data[IFLA_GRETUN_FLOWLABEL];
	struct nlattr *el = data[IFLA_GRETUN_ENCAP_LIMIT];
	u32 label;

	if (fl) {
		label = nla_get_u32(fl);
		if (label > GRETUN_FLOWLABEL_MAX &&
		    label != GRETUN_FLOWLABEL_INHERIT) {
			NL_SET_ERR_MSG_ATTR(extack, fl,
					    "gretun: a flow label is 20 bits (0 to 0xfffff) or inherit");
			return -ERANGE;
		}
	}
	if (el && nla_get_u16(el) > GRETUN_ENCAP_MAX &&
	    nla_get_u16(el) != GRETUN_ENCAP_NONE) {
		NL_SET_ERR_MSG_ATTR(extack, el,
				    "gretun: encaplimit is 0 to 255 or none");
		return -ERANGE;
	}
	return 0;
}

/* A key flag comes with its key in the same message, and vice versa. */
static int gretun_validate_flags(struct nlattr *data[], int flags_attr,
				 int key_attr, struct netlink_ext_ack *extack)
{
	struct nlattr *fa = data[flags_attr];
	u16 flags = fa ? nla_get_u16(fa) : 0;

	if (flags & ~GRETUN_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, fa,
				    "gretun: unknown GRE flags: only csum, key and seq exist");
		return -EOPNOTSUPP;
	}
	if ((flags & GRETUN_F_KEY) && !data[key_attr]) {
		NL_SET_ERR_MSG_ATTR(extack, fa,
				    "gretun: key flag set but no key given");
		return -EINVAL;
	}
	if (data[key_attr] && !(flags & GRETUN_F_KEY)) {
		NL_SET_ERR_MSG_ATTR(extack, data[key_attr],
				    "gretun: key given without the key flag");
		return -EINVAL;
	}
	return 0;
}

/* The ECN bits are the inner packet's (RFC 6040): a fixed TOS is DSCP. */
static int gretun_validate_tos(struct nlattr *attr,
			       struct netlink_ext_ack *extack)
{
	u8 tos = attr ? nla_get_u8(attr) : 0;

	if (tos != GRETUN_TOS_INHERIT && (tos & INET_ECN_MASK)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "gretun: tos sets ECN bits, which come from the inner packet: give a DSCP value or inherit");
		return -EINVAL;
	}
	return 0;
}

static int gretun_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	int err;

	if (tb[IFLA_ADDRESS] || tb[IFLA_BROADCAST]) {
		NL_SET_ERR_MSG(extack,
			       "gretun: set addresses with local and remote");
		return -EINVAL;
	}
	if (!data)
		return 0;

	err = gretun_validate_known(tb, extack);
	if (err)
		return err;
	err = gretun_validate_addr(data[IFLA_GRETUN_LOCAL], extack);
	if (err)
		return err;
	err = gretun_validate_addr(data[IFLA_GRETUN_REMOTE], extack);
	if (err)
		return err;
	err = gretun_validate_families(data, extack);
	if (err)
		return err;
	err = gretun_validate_ipv6_opts(data, extack);
	if (err)
		return err;
	err = gretun_validate_tos(data[IFLA_GRETUN_TOS], extack);
	if (err)
		return err;
	err = gretun_validate_flags(data, IFLA_GRETUN_IFLAGS,
				    IFLA_GRETUN_IKEY, extack);
	if (err)
		return err;
	return gretun_validate_flags(data, IFLA_GRETUN_OFLAGS,
				     IFLA_GRETUN_OKEY, extack);
}

static void gretun_parms_init(struct gretun_parms *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->pmtudisc = true;
	p->encap_limit = GRETUN_ENCAP_DEFAULT;
}

/* An address attribute's value: any may come in either length. */
static void gretun_get_addr(union gretun_addr *a, const struct nlattr *attr)
{
	memset(a, 0, sizeof(*a));
	nla_memcpy(a, attr, sizeof(*a));
}

/*
 * The family a new tunnel gets: that of its addresses; with only any
 * given, the length of the attribute says; else IPv4.
 */
static int gretun_new_family(struct nlattr *data[])
{
	struct nlattr *l = data ? data[IFLA_GRETUN_LOCAL] : NULL;
	struct nlattr *r = data ? data[IFLA_GRETUN_REMOTE] : NULL;
	int family = gretun_attr_family(l) ? : gretun_attr_family(r);

	if (family)
		return family;
	if ((l && nla_len(l) == sizeof(struct in6_addr)) ||
	    (r && nla_len(r) == sizeof(struct in6_addr)))
		return AF_INET6;
	return AF_INET;
}

static u32 gretun_get_key(const struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

/* Apply validated attributes; what is absent keeps its value. */
static void gretun_parms_apply(struct gretun_parms *p, struct nlattr *data[])
{
	if (!data)
		return;
	if (data[IFLA_GRETUN_LINK])
		p->link = nla_get_u32(data[IFLA_GRETUN_LINK]);
	if (data[IFLA_GRETUN_LOCAL])
		gretun_get_addr(&p->local, data[IFLA_GRETUN_LOCAL]);
	if (data[IFLA_GRETUN_REMOTE])
		gretun_get_addr(&p->remote, data[IFLA_GRETUN_REMOTE]);
	if (data[IFLA_GRETUN_IFLAGS]) {
		p->iflags = nla_get_u16(data[IFLA_GRETUN_IFLAGS]);
		p->ikey = gretun_get_key(data[IFLA_GRETUN_IKEY]);
	}
	if (data[IFLA_GRETUN_OFLAGS]) {
		p->oflags = nla_get_u16(data[IFLA_GRETUN_OFLAGS]);
		p->okey = gretun_get_key(data[IFLA_GRETUN_OKEY]);
	}
	if (data[IFLA_GRETUN_TTL])
		p->ttl = nla_get_u8(data[IFLA_GRETUN_TTL]);
	if (data[IFLA_GRETUN_TOS])
		p->tos = nla_get_u8(data[IFLA_GRETUN_TOS]);
	if (data[IFLA_GRETUN_PMTUDISC])
		p->pmtudisc = nla_get_u8(data[IFLA_GRETUN_PMTUDISC]);
	if (data[IFLA_GRETUN_IGNORE_DF])
		p->ignore_df = nla_get_u8(data[IFLA_GRETUN_IGNORE_DF]);
	if (data[IFLA_GRETUN_FLOWLABEL])
		p->flowlabel = nla_get_u32(data[IFLA_GRETUN_FLOWLABEL]);
	if (data[IFLA_GRETUN_ENCAP_LIMIT])
		p->encap_limit = nla_get_u16(data[IFLA_GRETUN_ENCAP_LIMIT]);
}

/*
 * How many tunnels deep the device @ifindex of @net is: 0 for none or a
 * device of another kind, 1 for a tunnel bound to no tunnel, and so on.
 * A chain that comes back to @self is a loop: deeper than allowed.
 */
static int gretun_depth_of(struct net *net, int ifindex,
			   const struct net_device *self)
{
	const struct gretun *t;
	struct net_device *dev;
	int depth = 0;

	while (ifindex && depth <= GRETUN_MAX_DEPTH) {
		dev = __dev_get_by_index(net, ifindex);
		if (!dev || dev->rtnl_link_ops != &gretun_link_ops)
			break;
		if (dev == self)
			return GRETUN_MAX_DEPTH + 1;
		t = netdev_priv(dev);
		net = t->net;
		ifindex = rtnl_dereference(t->parms)->link;
		depth++;
	}
	return depth;
}

/*
 * How many tunnels are stacked with dev on @dev, one on another, counting
 * no further than one past @budget.
 */
static int gretun_height_above(const struct net_device *dev, int budget)
{
	struct gretun_net *gn = net_generic(dev_net(dev), gretun_net_id);
	struct gretun *t;
	int bkt, height = 0;

	hash_for_each(gn->tunnels, bkt, t, hnode) {
		if (rtnl_dereference(t->parms)->link != dev->ifindex)
			continue;
		if (!budget)
			return 1;
		height = max(height, 1 + gretun_height_above(t->dev, budget - 1));
	}
	return height;
}

/*
 * A new underlay must exist, and the stack of tunnels bound one to
 * another that it makes must not be deeper than transmit allows: an MTU
 * change at its foot walks the whole stack (see gretun_follow_underlay).
 * An underlay that went away may stay while other parameters change.
 */
static int gretun_check_link(struct net *net, const struct gretun *self,
			     const struct gretun_parms *p, struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	const struct net_device *self_dev = self ? self->dev : NULL;
	int depth;

	if (self && p->link == rtnl_dereference(self->parms)->link)
		return 0;
	if (!p->link)
		return 0;
	if (!__dev_get_by_index(net, p->link)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "gretun: underlay device not found");
		return -ENODEV;
	}
	depth = gretun_depth_of(net, p->link, self_dev) + 1;
	if (self_dev)
		depth += gretun_height_above(self_dev, GRETUN_MAX_DEPTH);
	if (depth > GRETUN_MAX_DEPTH) {
		static_assert(GRETUN_MAX_DEPTH == 4, "the message says 4");
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "gretun: tunnels bound to tunnels nest at most 4 deep, without loops");
		return -ELOOP;
	}
	return 0;
}

/*
 * A tunnel keeps the family it was created with: its device type and
 * address length are the family's. The IPv6 options need IPv6 under them.
 */
static int gretun_check_family(const struct gretun_parms *p,
			       struct nlattr *data[],
			       struct netlink_ext_ack *extack)
{
	static const int addrs[] = { IFLA_GRETUN_LOCAL, IFLA_GRETUN_REMOTE };
	static const int ipv6_opts[] = { IFLA_GRETUN_FLOWLABEL,
					 IFLA_GRETUN_ENCAP_LIMIT };
	int i, family;

	if (p->family == AF_INET6 && !ipv6_mod_enabled()) {
		NL_SET_ERR_MSG(extack,
			       "gretun: IPv6 is disabled on this system (ipv6.disable=1)");
		return -EAFNOSUPPORT;
	}
	if (!data)
		return 0;
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		family = gretun_attr_family(data[addrs[i]]);
		if (family && family != p->family) {
			NL_SET_ERR_MSG_ATTR(extack, data[addrs[i]],
					    "gretun: a tunnel keeps the underlay family it was created with: delete it and add another");
			return -EAFNOSUPPORT;
		}
	}
	for (i = 0; i < ARRAY_SIZE(ipv6_opts); i++) {
		if (p->family == AF_INET && data[ipv6_opts[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, data[ipv6_opts[i]],
					    "gretun: flowlabel and encaplimit need an IPv6 underlay");
			return -EINVAL;
		}
	}
	return 0;
}

/* Checks on the whole resulting configuration, before anything changes. */
static int gretun_parms_check(struct net *net, const struct gretun *self,
			      const struct gretun_parms *p,
			      struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct gretun_net *gn = net_generic(net, gretun_net_id);
	int err;

	ASSERT_RTNL();
	err = gretun_check_family(p, data, extack);
	if (err)
		return err;
	if (p->ignore_df && p->pmtudisc) {
		NL_SET_ERR_MSG(extack,
			       "gretun: ignore-df needs nopmtudisc");
		return -EINVAL;
	}
	err = gretun_check_link(net, self, p,
				data ? data[IFLA_GRETUN_LINK] : NULL, extack);
	if (err)
		return err;
	if (gretun_find_twin(gn, self, p)) {
		NL_SET_ERR_MSG(extack,
			       "gretun: a tunnel with this local, remote, ikey and underlay already exists");
		return -EEXIST;
	}
	return 0;
}

static int gretun_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct gretun *t = netdev_priv(dev);
	struct gretun_parms *p;
	int err;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	gretun_parms_init(p);
	p->family = gretun_new_family(data);
	gretun_parms_apply(p, data);
	err = gretun_parms_check(src_net, NULL, p, data, extack);
	if (err)
		goto err_free_parms;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		err = -ENOMEM;
		goto err_free_parms;
	}
	err = gro_cells_init(&t->gro_cells, dev);
	if (err)
		goto err_free_tstats;

	t->dev = dev;
	t->net = src_net;
	seqlock_init(&t->route.lock);
	spin_lock_init(&t->seq.lock);
	__skb_queue_head_init(&t->seq.line);
	INIT_WORK(&t->seq.work, gretun_seq_work);
	spin_lock_init(&t->rx_seq_lock);
	RCU_INIT_POINTER(t->parms, p);
	gretun_set_family(dev, p->family);
	gretun_apply_to_dev(dev, p);
	if (!tb[IFLA_MTU]) {
		dev->mtu = gretun_auto_mtu(src_net, p);
		t->auto_mtu = dev->mtu;
	} else if (dev->mtu > dev->max_mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "gretun: MTU above the maximum over an IPv4 underlay");
		err = -EINVAL;
		goto err_destroy_gro_cells;
	}

	err = register_netdevice(dev);
	if (err)
		goto err_destroy_gro_cells;
	gretun_hash(t);
	/*
	 * Set only now: register_netdevice() would run the destructor on
	 * failure, and the labels below already undo everything.
	 */
	dev->priv_destructor = gretun_free_priv;
	return 0;

err_destroy_gro_cells:
	gro_cells_destroy(&t->gro_cells);
err_free_tstats:
	free_percpu(dev->tstats);
err_free_parms:
	kfree(p);
	return err;
}

/*
 * Swap in a new configuration. Readers see either the old or the new one
 * whole. If the tunnel's identity changed it moves to another bucket, and
 * lookups in flight must finish before it does.
 */
static void gretun_replace_parms(struct gretun *t, struct gretun_parms *p)
{
	struct gretun_parms *old = rtnl_dereference(t->parms);
	struct gretun_key ok, nk;

	ASSERT_RTNL();
	gretun_key_of(old, &ok);
	gretun_key_of(p, &nk);
	if (!gretun_key_equal(&ok, &nk)) {
		gretun_unhash(t);
		synchronize_net();
	}
	p->gen = old->gen + 1;
	rcu_assign_pointer(t->parms, p);
	gretun_route_cache_reset(&t->route);
	if (hlist_unhashed(&t->hnode))
		gretun_hash(t);

	/*
	 * Another peer, or sequence numbers newly required: numbering starts
	 * afresh. Any other change keeps the window, or a replayed old
	 * number would be accepted after it.
	 */
	if (!gretun_key_equal(&ok, &nk) ||
	    ((old->iflags ^ p->iflags) & GRETUN_F_SEQ)) {
		spin_lock_bh(&t->rx_seq_lock);
		t->rx_seq_valid = false;
		spin_unlock_bh(&t->rx_seq_lock);
	}
	kfree_rcu(old, rcu);
}

/*
 * A tunnel whose underlay went away sends nothing rather than leave by
 * some other device: its carrier says so until dev is set again or
 * cleared (see gretun_underlay_gone).
 */
static void gretun_update_carrier(struct gretun *t,
				  const struct gretun_parms *p)
{
	ASSERT_RTNL();
	if (p->link && !__dev_get_by_index(t->net, p->link))
		netif_carrier_off(t->dev);
	else
		netif_carrier_on(t->dev);
}

static int gretun_changelink(struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct gretun *t = netdev_priv(dev);
	struct gretun_parms *old = rtnl_dereference(t->parms);
	struct gretun_parms *p;
	bool resize;
	int err;

	p = kmemdup(old, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	gretun_parms_apply(p, data);
	err = gretun_parms_check(t->net, t, p, data, extack);
	if (err) {
		kfree(p);
		return err;
	}

	/* an MTU the user set stays exactly; ours follows header and underlay */
	resize = !tb[IFLA_MTU] && dev->mtu == t->auto_mtu &&
		 (p->link != old->link ||
		  gretun_overhead(p) != gretun_overhead(old));
	gretun_replace_parms(t, p);
	gretun_apply_to_dev(dev, p);
	gretun_update_carrier(t, p);
	if (resize)
		gretun_set_auto_mtu(t, p);
	return 0;
}

static size_t gretun_get_size(const struct net_device *dev)
{
	return nla_total_size(4) +	/* IFLA_GRETUN_LINK */
	       nla_total_size(16) +	/* IFLA_GRETUN_LOCAL */
	       nla_total_size(16) +	/* IFLA_GRETUN_REMOTE */
	       nla_total_size(2) +	/* IFLA_GRETUN_IFLAGS */
	       nla_total_size(2) +	/* IFLA_GRETUN_OFLAGS */
	       nla_total_size(4) +	/* IFLA_GRETUN_IKEY */
	       nla_total_size(4) +	/* IFLA_GRETUN_OKEY */
	       nla_total_size(1) +	/* IFLA_GRETUN_TTL */
	       nla_total_size(1) +	/* IFLA_GRETUN_TOS */
	       nla_total_size(1) +	/* IFLA_GRETUN_PMTUDISC */
	       nla_total_size(1) +	/* IFLA_GRETUN_IGNORE_DF */
	       nla_total_size(4) +	/* IFLA_GRETUN_FLOWLABEL */
	       nla_total_size(2);	/* IFLA_GRETUN_ENCAP_LIMIT */
}

/* A key goes out only with its flag, so a dump can be sent back as is. */
static int gretun_put_key(struct sk_buff *skb, int attr, u16 flags, u32 key)
{
	return flags & GRETUN_F_KEY ? nla_put_u32(skb, attr, key) : 0;
}

/* What only an IPv6 underlay has; an IPv4 one's dump stays as it was. */
static int gretun_put_ipv6_opts(struct sk_buff *skb,
				const struct gretun_parms *p)
{
	if (p->family != AF_INET6)
		return 0;
	return nla_put_u32(skb, IFLA_GRETUN_FLOWLABEL, p->flowlabel) ||
	       nla_put_u16(skb, IFLA_GRETUN_ENCAP_LIMIT, p->encap_limit);
}

static int gretun_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);
	const struct gretun_parms *p = rtnl_dereference(t->parms);
	int alen = dev->addr_len;

	if (nla_put_u32(skb, IFLA_GRETUN_LINK, p->link) ||
	    nla_put(skb, IFLA_GRETUN_LOCAL, alen, &p->local) ||
	    nla_put(skb, IFLA_GRETUN_REMOTE, alen, &p->remote) ||
	    nla_put_u16(skb, IFLA_GRETUN_IFLAGS, p->iflags) ||
	    nla_put_u16(skb, IFLA_GRETUN_OFLAGS, p->oflags) ||
	    gretun_put_key(skb, IFLA_GRETUN_IKEY, p->iflags, p->ikey) ||
	    gretun_put_key(skb, IFLA_GRETUN_OKEY, p->oflags, p->okey) ||
	    nla_put_u8(skb, IFLA_GRETUN_TTL, p->ttl) ||
	    nla_put_u8(skb, IFLA_GRETUN_TOS, p->tos) ||
	    nla_put_u8(skb, IFLA_GRETUN_PMTUDISC, p->pmtudisc) ||
	    nla_put_u8(skb, IFLA_GRETUN_IGNORE_DF, p->ignore_df) ||
	    gretun_put_ipv6_opts(skb, p))
		return -EMSGSIZE;
	return 0;
}

static struct net *gretun_get_link_net(const struct net_device *dev)
{
	struct gretun *t = netdev_priv(dev);

	return t->net;
}

static struct rtnl_link_ops gretun_link_ops __read_mostly = {
	.kind		= GRETUN_KIND,
	.maxtype	= IFLA_GRETUN_MAX,
	.policy		= gretun_policy,
	.priv_size	= sizeof(struct gretun),
	.setup		= gretun_setup,
	.validate	= gretun_validate,
	.newlink	= gretun_newlink,
	.changelink	= gretun_changelink,
	.get_size	= gretun_get_size,
	.fill_info	= gretun_fill_info,
	.get_link_net	= gretun_get_link_net,
};

/* ---------------------------------------------------------------------
 * 10. Per-namespace state, underlays changing or going away, module init
 * and exit
 */

static int gretun_proc_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct gretun_net *gn = net_generic(net, gretun_net_id);

	seq_printf(seq, "rx_bad_header %ld\n",
		   atomic_long_read(&gn->drops.bad_header));
	seq_printf(seq, "rx_no_tunnel %ld\n",
		   atomic_long_read(&gn->drops.no_tunnel));
	seq_printf(seq, "icmp_no_tunnel %ld\n",
		   atomic_long_read(&gn->drops.icmp_no_tunnel));
	return 0;
}

static int __net_init gretun_net_init(struct net *net)
{
	if (!proc_create_net_single("gretun", 0444, net->proc_net,
				    gretun_proc_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit gretun_net_exit(struct net *net)
{
	remove_proc_entry("gretun", net->proc_net);
}

/*
 * A dying namespace takes its gretun devices with it, and also those that
 * were moved elsewhere but still send and receive through it.
 */
static void gretun_queue_net_devices(struct net *net, struct list_head *kill)
{
	struct gretun_net *gn = net_generic(net, gretun_net_id);
	struct net_device *dev, *aux;
	struct hlist_node *tmp;
	struct gretun *t;
	int bkt;

	for_each_netdev_safe(net, dev, aux)
		if (dev->rtnl_link_ops == &gretun_link_ops)
			unregister_netdevice_queue(dev, kill);

	hash_for_each_safe(gn->tunnels, bkt, tmp, t, hnode)
		if (!net_eq(dev_net(t->dev), net))
			unregister_netdevice_queue(t->dev, kill);
}

static void __net_exit gretun_net_exit_batch(struct list_head *net_list)
{
	LIST_HEAD(kill);
	struct net *net;

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list)
		gretun_queue_net_devices(net, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

static struct pernet_operations gretun_net_ops = {
	.init		= gretun_net_init,
	.exit		= gretun_net_exit,
	.exit_batch	= gretun_net_exit_batch,
	.id		= &gretun_net_id,
	.size		= sizeof(struct gretun_net),
};

static const struct net_protocol gretun_protocol = {
	.handler	= gretun_rcv,
	.err_handler	= gretun_err,
};

static const struct inet6_protocol gretun_protocol6 = {
	.handler	= gretun_rcv,
	.err_handler	= gretun_err6,
	.flags		= INET6_PROTO_FINAL,
};

/*
 * The tunnels bound to an underlay that is going away, or leaving for
 * another namespace, keep their configuration, as ip_gre's do, and send
 * nothing (see gretun_update_carrier).
 */
static void gretun_underlay_gone(struct net_device *under)
{
	struct gretun_net *gn = net_generic(dev_net(under), gretun_net_id);
	struct gretun *t;
	int bkt;

	ASSERT_RTNL();
	hash_for_each(gn->tunnels, bkt, t, hnode) {
		if (rtnl_dereference(t->parms)->link != under->ifindex ||
		    t->dev->reg_state != NETREG_REGISTERED)
			continue;
		netif_carrier_off(t->dev);
		gretun_route_cache_reset(&t->route);
		netdev_info(t->dev, "underlay %s went away: sending nothing until dev is set again or cleared\n",
			    under->name);
	}
}

static int gretun_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_CHANGEMTU:
		gretun_follow_underlay(dev);
		break;
	case NETDEV_UNREGISTER:
		gretun_underlay_gone(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block gretun_notifier = {
	.notifier_call = gretun_netdev_event,
};

static int __init gretun_init(void)
{
	int err;

	err = register_pernet_device(&gretun_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&gretun_notifier);
	if (err)
		goto err_unregister_pernet;
	err = rtnl_link_register(&gretun_link_ops);
	if (err)
		goto err_unregister_notifier;
	err = inet_add_protocol(&gretun_protocol, IPPROTO_GRE);
	if (err) {
		pr_err("IPPROTO_GRE is taken, most likely by the kernel's own GRE; unload it with 'rmmod ip6_gre ip_gre gre' and load gre_tun again\n");
		err = -EBUSY;
		goto err_unregister_link;
	}
	/* booted with ipv6.disable=1: IPv4 underlays only */
	if (!ipv6_mod_enabled())
		return 0;
	err = inet6_add_protocol(&gretun_protocol6, IPPROTO_GRE);
	if (err) {
		pr_err("IPPROTO_GRE over IPv6 is taken, most likely by the kernel's ip6_gre; unload it with 'rmmod ip6_gre' and load gre_tun again\n");
		err = -EBUSY;
		goto err_del_protocol;
	}
	return 0;

err_del_protocol:
	inet_del_protocol(&gretun_protocol, IPPROTO_GRE);
err_unregister_link:
	rtnl_link_unregister(&gretun_link_ops);
err_unregister_notifier:
	unregister_netdevice_notifier(&gretun_notifier);
err_unregister_pernet:
	unregister_pernet_device(&gretun_net_ops);
	return err;
}

static void __exit gretun_exit(void)
{
	/* waits for receivers in flight: no packet reaches what follows */
	if (ipv6_mod_enabled())
		inet6_del_protocol(&gretun_protocol6, IPPROTO_GRE);
	inet_del_protocol(&gretun_protocol, IPPROTO_GRE);
	rtnl_link_unregister(&gretun_link_ops);
	unregister_netdevice_notifier(&gretun_notifier);
	unregister_pernet_device(&gretun_net_ops);
}

module_init(gretun_init);
module_exit(gretun_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("GRE over IPv4 and IPv6 tunnel devices (RFC 2784, RFC 2890, RFC 7676)");
MODULE_ALIAS_RTNL_LINK(GRETUN_KIND);
MODULE_VERSION(GRETUN_VERSION);
