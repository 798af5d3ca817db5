// SPDX-License-Identifier: GPL-2.0
/*
 * link_gretun.c - `ip link ... type gretun`.
 *
 * The option words, defaults and output (also with -j) are those of
 * `ip link ... type gre`, so that what a user knows of gre carries over.
 * `ip` loads this file as link_gretun.so from its library directory.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "gre_tun.h"
#include "iproute2/ip_plugin.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct gretun_opts {
	__u32 link;
	__u32 local;		/* network order, 0 = any */
	__u32 remote;
	__u16 iflags;
	__u16 oflags;
	__u32 ikey;
	__u32 okey;
	__u8 ttl;
	__u8 tos;
	__u8 pmtudisc;
	__u8 ignore_df;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: ... gretun [ remote ADDR ]\n"
		"                  [ local ADDR ]\n"
		"                  [ [no][i|o]key KEY ]\n"
		"                  [ [no][i|o]seq ]\n"
		"                  [ [no][i|o]csum ]\n"
		"                  [ ttl TTL ]\n"
		"                  [ tos TOS ]\n"
		"                  [ [no]pmtudisc ]\n"
		"                  [ [no]ignore-df ]\n"
		"                  [ dev PHYS_DEV | nodev ]\n"
		"\n"
		"Where: ADDR := { IPV4_ADDRESS | any }\n"
		"       TOS  := { NUMBER | inherit }\n"
		"       TTL  := { 1..255 | inherit }\n"
		"       KEY  := { DOTTED_QUAD | NUMBER }\n");
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

static void opts_from_attrs(struct gretun_opts *o, struct rtattr *d[])
{
	if (d[IFLA_GRETUN_LINK])
		o->link = rta_u32(d[IFLA_GRETUN_LINK]);
	if (d[IFLA_GRETUN_LOCAL])
		o->local = rta_u32(d[IFLA_GRETUN_LOCAL]);
	if (d[IFLA_GRETUN_REMOTE])
		o->remote = rta_u32(d[IFLA_GRETUN_REMOTE]);
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

static __u32 parse_endpoint(const char *arg)
{
	return strcmp(arg, "any") ? get_addr32(arg) : 0;
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
	addattr32(n, 1024, IFLA_GRETUN_LINK, o->link);
	addattr_l(n, 1024, IFLA_GRETUN_LOCAL, &o->local, 4);
	addattr_l(n, 1024, IFLA_GRETUN_REMOTE, &o->remote, 4);
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
}

static int gretun_parse_opt(struct link_util *lu, int argc, char **argv,
			    struct nlmsghdr *n)
{
	struct ifinfomsg *ifi = NLMSG_DATA(n);
	struct gretun_opts o = { .pmtudisc = 1 };
	__u32 uval;

	if (!(n->nlmsg_flags & NLM_F_CREATE) &&
	    load_current(ifi->ifi_index, &o)) {
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
			o.remote = parse_endpoint(*argv);
		} else if (!strcmp(*argv, "local")) {
			NEXT_ARG();
			o.local = parse_endpoint(*argv);
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
		} else if (!strcmp(*argv, "ttl") || !strcmp(*argv, "hoplimit") ||
			   !strcmp(*argv, "hlim")) {
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.ttl = 0;
			else if (get_u8(&o.ttl, *argv, 0))
				invarg("invalid TTL: 1..255 or inherit", *argv);
		} else if (!strcmp(*argv, "tos") || !strcmp(*argv, "tclass") ||
			   !strcmp(*argv, "dsfield")) {
			NEXT_ARG();
			if (!strcmp(*argv, "inherit"))
				o.tos = GRETUN_TOS_INHERIT;
			else if (rtnl_dsfield_a2n(&uval, *argv) || uval > 255)
				invarg("bad TOS value", *argv);
			else
				o.tos = uval;
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

	add_attrs(n, &o);
	return 0;
}

static void print_endpoint(const char *key, const char *fmt,
			   const struct rtattr *rta)
{
	char buf[INET_ADDRSTRLEN];
	const char *value = "any";
	__u32 addr = rta ? rta_u32(rta) : 0;

	if (addr)
		value = inet_ntop(AF_INET, &addr, buf, sizeof(buf));
	print_string(PRINT_ANY, key, fmt, value);
}

static void print_key(const char *key, const char *fmt, __u32 value)
{
	char buf[INET_ADDRSTRLEN];
	__u32 be = htonl(value);

	print_string(PRINT_ANY, key, fmt,
		     inet_ntop(AF_INET, &be, buf, sizeof(buf)));
}

static void gretun_print_opt(struct link_util *lu, FILE *f,
			     struct rtattr *tb[])
{
	struct gretun_opts o = { 0 };

	if (!tb)
		return;
	opts_from_attrs(&o, tb);

	print_endpoint("remote", "remote %s ", tb[IFLA_GRETUN_REMOTE]);
	print_endpoint("local", "local %s ", tb[IFLA_GRETUN_LOCAL]);
	if (o.link)
		print_string(PRINT_ANY, "link", "dev %s ",
			     ll_index_to_name(o.link));

	if (is_json_context() || o.ttl)
		print_uint(PRINT_ANY, "ttl", "ttl %u ", o.ttl);
	else
		print_string(PRINT_FP, NULL, "ttl %s ", "inherit");

	if (o.tos) {
		if (is_json_context() || o.tos != GRETUN_TOS_INHERIT)
			print_0xhex(PRINT_ANY, "tos", "tos %#llx ", o.tos);
		else
			print_string(PRINT_FP, NULL, "tos %s ", "inherit");
	}

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
