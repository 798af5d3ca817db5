// SPDX-License-Identifier: GPL-2.0
/*
 * link_gretun.c - `ip link ... type gretun`.
 *
 * The option words, defaults and output (also with -j) are those of
 * `ip link ... type gre` for a tunnel over IPv4 and of `type ip6gre` for
 * one over IPv6, so that what a user knows of those carries over.
 * `ip` loads this file as link_gretun.so from its library directory.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "gre_tun.h"
#include "iproute2/ip_plugin.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An endpoint of either family, network order; all zeros is any. */
union gretun_endpoint {
	__u32 v4;
	struct in6_addr v6;
};

struct gretun_opts {
	__u32 link;
	int family;		/* of the underlay: AF_INET or AF_INET6 */
	union gretun_endpoint local;
	union gretun_endpoint remote;
	__u16 iflags;
	__u16 oflags;
	__u32 ikey;
	__u32 okey;
	__u8 ttl;
	__u8 tos;
	__u8 pmtudisc;
	__u8 ignore_df;
	__u32 flowlabel;	/* IPv6 underlay: GRETUN_FLOWLABEL_* */
	__u16 encap_limit;	/* IPv6 underlay: GRETUN_ENCAP_* */
	bool has_flowlabel;	/* given, or an IPv6 tunnel's current one */
	bool has_encap_limit;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: ... gretun [ remote ADDR ]\n"
		"                  [ local ADDR ]\n"
		"                  [ [no][i|o]key KEY ]\n"
		"                  [ [no][i|o]seq ]\n"
		"                  [ [no][i|o]csum ]\n"
		"                  [ ttl TTL | hoplimit TTL ]\n"
		"                  [ tos TOS | tclass TOS ]\n"
		"                  [ flowlabel FLOWLABEL ]\n"
		"                  [ encaplimit ELIM ]\n"
		"                  [ [no]pmtudisc ]\n"
		"                  [ [no]ignore-df ]\n"
		"                  [ dev PHYS_DEV | nodev ]\n"
		"\n"
		"Where: ADDR      := { IPV4_ADDRESS | IPV6_ADDRESS | any }\n"
		"       TOS       := { NUMBER | inherit }   (hex: 0x0..0xff)\n"
		"       TTL       := { 1..255 | inherit }\n"
		"       KEY       := { DOTTED_QUAD | NUMBER }\n"
		"       FLOWLABEL := { 0x0..0xfffff | inherit }   (hex; default 0)\n"
		"       ELIM      := { 0..255 | none }   (default %d)\n"
		"\n"
		"local and remote are of one family: IPv6 ones make a tunnel over\n"
		"IPv6, which alone takes flowlabel and encaplimit; any fits either.\n"
		"A tunnel keeps the family it was created with.\n",
		GRETUN_ENCAP_DEFAULT);
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	print_usage(stderr);
	exit(-1);
}

static __u8 rta_u8(const struct rtattr *rta)
{
	return *(const __u8 *)RTA_DATA(rta);
}

static __u16 rta_u16(const struct rtattr *rta)
{
	__u16 v;

	memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

static __u32 rta_u32(const struct rtattr *rta)
{
	__u32 v;

	memcpy(&v, RTA_DATA(rta), sizeof(v));
	return v;
}

static void parse_nested(struct rtattr *tb[], int max, struct rtattr *rta)
{
	parse_rtattr_flags(tb, max, RTA_DATA(rta), RTA_PAYLOAD(rta),
			   NLA_F_NESTED);
}

/* An address attribute: 4 bytes for IPv4, 16 for IPv6 (gre_tun.h). */
static void endpoint_from_attr(struct gretun_opts *o, union gretun_endpoint *a,
			       const struct rtattr *rta)
{
	size_t len = RTA_PAYLOAD(rta);

	memset(a, 0, sizeof(*a));
	if (len > sizeof(*a))
		len = sizeof(*a);
	memcpy(a, RTA_DATA(rta), len);
	o->family = len == sizeof(a->v6) ? AF_INET6 : AF_INET;
}

static void opts_from_attrs(struct gretun_opts *o, struct rtattr *d[])
{
	if (d[IFLA_GRETUN_LINK])
		o->link = rta_u32(d[IFLA_GRETUN_LINK]);
	if (d[IFLA_GRETUN_LOCAL])
		endpoint_from_attr(o, &o->local, d[IFLA_GRETUN_LOCAL]);
	if (d[IFLA_GRETUN_REMOTE])
		endpoint_from_attr(o, &o->remote, d[IFLA_GRETUN_REMOTE]);
	if (d[IFLA_GRETUN_IFLAGS])
		o->iflags = rta_u16(d[IFLA_GRETUN_IFLAGS]);
	if (d[IFLA_GRETUN_OFLAGS])
		o->oflags = rta_u16(d[IFLA_GRETUN_OFLAGS]);
	if (d[IFLA_GRETUN_IKEY])
		o->ikey = rta_u32(d[IFLA_GRETUN_IKEY]);
	if (d[IFLA_GRETUN_OKEY])
		o->okey = rta_u32(d[IFLA_GRETUN_OKEY]);
	if (d[IFLA_GRETUN_TTL])
		o->ttl = rta_u8(d[IFLA_GRETUN_TTL]);
	if (d[IFLA_GRETUN_TOS])
		o->tos = rta_u8(d[IFLA_GRETUN_TOS]);
	if (d[IFLA_GRETUN_PMTUDISC])
		o->pmtudisc = rta_u8(d[IFLA_GRETUN_PMTUDISC]);
	if (d[IFLA_GRETUN_IGNORE_DF])
		o->ignore_df = rta_u8(d[IFLA_GRETUN_IGNORE_DF]);
	if (d[IFLA_GRETUN_FLOWLABEL]) {
		o->flowlabel = rta_u32(d[IFLA_GRETUN_FLOWLABEL]);
		o->has_flowlabel = true;
	}
	if (d[IFLA_GRETUN_ENCAP_LIMIT]) {
		o->encap_limit = rta_u16(d[IFLA_GRETUN_ENCAP_LIMIT]);
		o->has_encap_limit = true;
	}
}

/* A change sends the whole configuration: start from the current one. */
static int load_current(int ifindex, struct gretun_opts *o)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
	} req = {
		.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.n.nlmsg_flags = NLM_F_REQUEST,
		.n.nlmsg_type = RTM_GETLINK,
		.i.ifi_index = ifindex,
	};
	struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct rtattr *data[IFLA_GRETUN_MAX + 1];
	struct nlmsghdr *answer;
	int len, ret = -1;

	if (rtnl_talk(&rth, &req.n, &answer) < 0)
		return -1;
	len = answer->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg));
	if (len < 0)
		goto out;
	parse_rtattr_flags(tb, IFLA_MAX, IFLA_RTA(NLMSG_DATA(answer)), len, 0);
	if (!tb[IFLA_LINKINFO])
		goto out;
	parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO]);
	if (!info[IFLA_INFO_DATA])
		goto out;
	parse_nested(data, IFLA_GRETUN_MAX, info[IFLA_INFO_DATA]);
	opts_from_attrs(o, data);
	ret = 0;
out:
	free(answer);
	return ret;
}

static __u32 parse_key(const char *arg)
{
	unsigned int key;

	if (strchr(arg, '.'))
		return ntohl(get_addr32(arg));
	if (get_unsigned(&key, arg, 0))
		invarg("invalid key: a number or a dotted quad", arg);
	return key;
}

/*
 * An endpoint as written, and its family: AF_UNSPEC for the word any,
 * which fits either family and is sent as zeros of the tunnel's.
 */
static int parse_endpoint(union gretun_endpoint *a, const char *arg)
{
	memset(a, 0, sizeof(*a));
	if (!strcmp(arg, "any"))
		return AF_UNSPEC;
	if (strchr(arg, ':')) {
		if (inet_pton(AF_INET6, arg, &a->v6) != 1)
			invarg("invalid IPv6 address", arg);
		return AF_INET6;
	}
	a->v4 = get_addr32(arg);
	return AF_INET;
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/*
 * The underlay family the request makes, from the families of the
 * addresses written (AF_UNSPEC for none or any): that of the current
 * tunnel on a change, else that of the addresses, else IPv4.
 */
static void settle_family(struct gretun_opts *o, int create, int lfam,
			  int rfam, const char *dev)
{
	int given = lfam ? lfam : rfam;

	if (lfam && rfam && lfam != rfam) {
		fprintf(stderr,
			"gretun: local and remote must be of one family: both IPv4 or both IPv6 (any fits either)\n");
		exit(-1);
	}
	if (create) {
		o->family = given ? given : AF_INET;
	} else if (given && given != o->family) {
		fprintf(stderr,
			"gretun: %s is a tunnel over %s and keeps that family: delete it and add another for %s\n",
			dev ? dev : "the device", family_name(o->family),
			family_name(given));
		exit(-1);
	}
	if (o->family != AF_INET6 && (o->has_flowlabel || o->has_encap_limit)) {
		fprintf(stderr,
			"gretun: flowlabel and encaplimit are for a tunnel over IPv6, one added with an IPv6 local or remote\n");
		exit(-1);
	}
}

static void set_flag(__u16 *flags, __u16 flag, int on)
{
	if (on)
		*flags |= flag;
	else
		*flags &= ~flag;
}

/*
 * The flag words of `type gre`: "key", "seq" and "csum" set both
 * directions, an "i" or "o" prefix one of them, a "no" prefix clears.
 */
static int parse_flag_word(struct gretun_opts *o, const char *w)
{
	static const struct {
		const char *word;
		__u16 flag;
	} words[] = {
		{ "seq", GRETUN_F_SEQ },
		{ "csum", GRETUN_F_CSUM },
	};
	int on = strncmp(w, "no", 2) != 0;
	const char *base = on ? w : w + 2;
	int dir = 3;	/* 1: in, 2: out, 3: both */
	unsigned int i;

	if (base[0] == 'i' || base[0] == 'o') {
		dir = base[0] == 'i' ? 1 : 2;
		base++;
	}
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (strcmp(base, words[i].word))
			continue;
		if (dir & 1)
			set_flag(&o->iflags, words[i].flag, on);
		if (dir & 2)
			set_flag(&o->oflags, words[i].flag, on);
		return 1;
	}
	return 0;
}

static void add_attrs(struct nlmsghdr *n, const struct gretun_opts *o)
{
	int alen = o->family == AF_INET6 ? sizeof(o->local.v6) :
					   sizeof(o->local.v4);

	addattr32(n, 1024, IFLA_GRETUN_LINK, o->link);
	addattr_l(n, 1024, IFLA_GRETUN_LOCAL, &o->local, alen);
	addattr_l(n, 1024, IFLA_GRETUN_REMOTE, &o->remote, alen);
	addattr16(n, 1024, IFLA_GRETUN_IFLAGS, o->iflags);
	addattr16(n, 1024, IFLA_GRETUN_OFLAGS, o->oflags);
	if (o->iflags & GRETUN_F_KEY)
		addattr32(n, 1024, IFLA_GRETUN_IKEY, o->ikey);
	if (o->oflags & GRETUN_F_KEY)
		addattr32(n, 1024, IFLA_GRETUN_OKEY, o->okey);
	addattr8(n, 1024, IFLA_GRETUN_TTL, o->ttl);
	addattr8(n, 1024, IFLA_GRETUN_TOS, o->tos);
	addattr8(n, 1024, IFLA_GRETUN_PMTUDISC, o->pmtudisc);
	addattr8(n, 1024, IFLA_GRETUN_IGNORE_DF, o->ignore_df);
	if (o->has_flowlabel)
		addattr32(n, 1024, IFLA_GRETUN_FLOWLABEL, o->flowlabel);
	if (o->has_encap_limit)
		addattr16(n, 1024, IFLA_GRETUN_ENCAP_LIMIT, o->encap_limit);
}

static int gretun_parse_opt(struct link_util *lu, int argc, char **argv,
			    struct nlmsghdr *n)
{
	struct ifinfomsg *ifi = NLMSG_DATA(n);
	struct gretun_opts o = { .family = AF_INET, .pmtudisc = 1 };
	int create = !!(n->nlmsg_flags & NLM_F_CREATE);
	int lfam = AF_UNSPEC, rfam = AF_UNSPEC;
	__u32 uval;
	__u8 u8val;

	if (!create && load_current(ifi->ifi_index, &o)) {
		fprintf(stderr, "Failed to get existing tunnel info.\n");
		return -1;
	}

	while (argc > 0) {
		if (!strcmp(*argv, "key") || !strcmp(*argv, "ikey") ||
		    !strcmp(*argv, "okey")) {
			const char *word = *argv;
			__u32 key;

			NEXT_ARG();
			key = parse_key(*argv);
			if (word[0] != 'o') {
				o.iflags |= GRETUN_F_KEY;
				o.ikey = key;
			}
			if (word[0] != 'i') {
				o.oflags |= GRETUN_F_KEY;
				o.okey = key;
			}
		} else if (!strcmp(*argv, "nokey") || !strcmp(*argv, "noikey") ||
			   !strcmp(*argv, "nookey")) {
			if ((*argv)[2] != 'o') {
				o.iflags &= ~GRETUN_F_KEY;
				o.ikey = 0;
			}
			if ((*argv)[2] != 'i') {
				o.oflags &= ~GRETUN_F_KEY;
				o.okey = 0;
			}
		} else if (parse_flag_word(&o, *argv)) {
			;
		} else if (!strcmp(*argv, "remote")) {
			NEXT_ARG();
			rfam = parse_endpoint(&o.remote, *argv);
		} else if (!strcmp(*argv, "local")) {
			NEXT_ARG();
			lfam = parse_endpoint(&o.local, *argv);
		} else if (!strcmp(*argv, "dev")) {
			NEXT_ARG();
			o.link = ll_name_to_index(*argv);
			if (!o.link) {
				fprintf(stderr, "Cannot find device \"%s\"\n",
					*argv);
				exit(-1);
			}
		} else if (!strcmp(*argv, "nodev")) {
			o.link = 0;
		} else if (!strcmp(*argv, "ttl")) {
			/* 0 is inherit, as with type gre */
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.ttl = 0;
			else if (get_u8(&o.ttl, *argv, 0))
				invarg("invalid TTL: 1..255 or inherit", *argv);
		} else if (!strcmp(*argv, "hoplimit") ||
			   !strcmp(*argv, "hlim")) {
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.ttl = 0;
			else if (get_u8(&o.ttl, *argv, 0) || !o.ttl)
				invarg("invalid hoplimit: 1..255 or inherit",
				       *argv);
		} else if (!strcmp(*argv, "tos") || !strcmp(*argv, "tclass") ||
			   !strcmp(*argv, "dsfield")) {
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.tos = GRETUN_TOS_INHERIT;
			else if (rtnl_dsfield_a2n(&uval, *argv) || uval > 255)
				invarg("invalid tos/tclass: 0x0..0xff (hex) or inherit",
				       *argv);
			else
				o.tos = uval;
		} else if (!strcmp(*argv, "flowlabel") ||
			   !strcmp(*argv, "fl")) {
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.flowlabel = GRETUN_FLOWLABEL_INHERIT;
			else if (get_u32(&o.flowlabel, *argv, 16) ||
				 o.flowlabel > GRETUN_FLOWLABEL_MAX)
				invarg("invalid flowlabel: 0x0..0xfffff (hex) or inherit",
				       *argv);
			o.has_flowlabel = true;
		} else if (!strcmp(*argv, "encaplimit")) {
			NEXT_ARG();
			if (!strcmp(*argv, "none"))
				o.encap_limit = GRETUN_ENCAP_NONE;
			else if (get_u8(&u8val, *argv, 0))
				invarg("invalid encaplimit: 0..255 or none",
				       *argv);
			else
				o.encap_limit = u8val;
			o.has_encap_limit = true;
		} else if (!strcmp(*argv, "pmtudisc")) {
			o.pmtudisc = 1;
		} else if (!strcmp(*argv, "nopmtudisc")) {
			o.pmtudisc = 0;
		} else if (!strcmp(*argv, "ignore-df")) {
			o.ignore_df = 1;
		} else if (!strcmp(*argv, "noignore-df")) {
			o.ignore_df = 0;
		} else if (!strcmp(*argv, "help")) {
			usage();
		} else {
			fprintf(stderr, "gretun: unknown option \"%s\"\n",
				*argv);
			usage();
		}
		argc--;
		argv++;
	}

	settle_family(&o, create, lfam, rfam,
		      create ? NULL : ll_index_to_name(ifi->ifi_index));
	add_attrs(n, &o);
	return 0;
}

static void print_endpoint(const char *key, const char *fmt, int family,
			   const union gretun_endpoint *a)
{
	static const union gretun_endpoint any;
	char buf[INET6_ADDRSTRLEN];
	const char *value = "any";

	if (memcmp(a, &any, sizeof(any)))
		value = inet_ntop(family, a, buf, sizeof(buf));
	print_string(PRINT_ANY, key, fmt, value ? value : "unknown");
}

static void print_key(const char *key, const char *fmt, __u32 value)
{
	char buf[INET_ADDRSTRLEN];
	__u32 be = htonl(value);

	print_string(PRINT_ANY, key, fmt,
		     inet_ntop(AF_INET, &be, buf, sizeof(buf)));
}

/* TTL and TOS as type gre prints them. */
static void print_ipv4_hop(const struct gretun_opts *o)
{
	if (is_json_context() || o->ttl)
		print_uint(PRINT_ANY, "ttl", "ttl %u ", o->ttl);
	else
		print_string(PRINT_FP, NULL, "ttl %s ", "inherit");

	if (o->tos) {
		if (is_json_context() || o->tos != GRETUN_TOS_INHERIT)
			print_0xhex(PRINT_ANY, "tos", "tos %#llx ", o->tos);
		else
			print_string(PRINT_FP, NULL, "tos %s ", "inherit");
	}
}

/* Hop limit, encapsulation limit, traffic class, flow label: as ip6gre. */
static void print_ipv6_hop(const struct gretun_opts *o)
{
	char buf[16];

	if (is_json_context() || o->ttl)
		print_uint(PRINT_ANY, "ttl", "hoplimit %u ", o->ttl);
	else
		print_string(PRINT_FP, NULL, "hoplimit %s ", "inherit");

	if (o->has_encap_limit) {
		if (o->encap_limit == GRETUN_ENCAP_NONE)
			print_bool(PRINT_ANY, "ip6_tnl_f_ign_encap_limit",
				   "encaplimit none ", true);
		else
			print_uint(PRINT_ANY, "encap_limit", "encaplimit %u ",
				   o->encap_limit);
	}

	if (o->tos == GRETUN_TOS_INHERIT) {
		print_bool(PRINT_ANY, "ip6_tnl_f_use_orig_tclass",
			   "tclass inherit ", true);
	} else {
		snprintf(buf, sizeof(buf), "0x%02x", o->tos);
		print_string(PRINT_ANY, "tclass", "tclass %s ", buf);
	}

	if (o->has_flowlabel) {
		if (o->flowlabel == GRETUN_FLOWLABEL_INHERIT) {
			print_bool(PRINT_ANY, "ip6_tnl_f_use_orig_flowlabel",
				   "flowlabel inherit ", true);
		} else {
			snprintf(buf, sizeof(buf), "0x%05x", o->flowlabel);
			print_string(PRINT_ANY, "flowlabel", "flowlabel %s ",
				     buf);
		}
	}
}

static void gretun_print_opt(struct link_util *lu, FILE *f,
			     struct rtattr *tb[])
{
	struct gretun_opts o = { .family = AF_INET };

	if (!tb)
		return;
	opts_from_attrs(&o, tb);

	print_endpoint("remote", "remote %s ", o.family, &o.remote);
	print_endpoint("local", "local %s ", o.family, &o.local);
	if (o.link)
		print_string(PRINT_ANY, "link", "dev %s ",
			     ll_index_to_name(o.link));

	if (o.family == AF_INET6)
		print_ipv6_hop(&o);
	else
		print_ipv4_hop(&o);

	if (tb[IFLA_GRETUN_PMTUDISC]) {
		if (!o.pmtudisc)
			print_bool(PRINT_ANY, "pmtudisc", "nopmtudisc ", false);
		else
			print_bool(PRINT_JSON, "pmtudisc", NULL, true);
	}
	if (o.ignore_df)
		print_bool(PRINT_ANY, "ignore_df", "ignore-df ", true);

	if (o.iflags & GRETUN_F_KEY)
		print_key("ikey", "ikey %s ", o.ikey);
	if (o.oflags & GRETUN_F_KEY)
		print_key("okey", "okey %s ", o.okey);
	if (o.iflags & GRETUN_F_SEQ)
		print_bool(PRINT_ANY, "iseq", "iseq ", true);
	if (o.oflags & GRETUN_F_SEQ)
		print_bool(PRINT_ANY, "oseq", "oseq ", true);
	if (o.iflags & GRETUN_F_CSUM)
		print_bool(PRINT_ANY, "icsum", "icsum ", true);
	if (o.oflags & GRETUN_F_CSUM)
		print_bool(PRINT_ANY, "ocsum", "ocsum ", true);
}

static void gretun_print_help(struct link_util *lu, int argc, char **argv,
			      FILE *f)
{
	print_usage(f);
}

struct link_util gretun_link_util = {
	.id = GRETUN_KIND,
	.maxattr = IFLA_GRETUN_MAX,
	.parse_opt = gretun_parse_opt,
	.print_opt = gretun_print_opt,
	.print_help = gretun_print_help,
};
