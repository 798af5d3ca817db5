// SPDX-License-Identifier: GPL-2.0
/*
 * nl_gretun - send a hand-made gretun RTM_NEWLINK, to test what `ip`
 * would never send: wrong sizes, wrong families, unknown flags.
 *
 *   nl_gretun add|set IFNAME [NAME=TYPE:VALUE ...]
 *   nl_gretun - < REQUESTS
 *
 * NAME is an IFLA_GRETUN_* attribute in lower case without the prefix
 * (local, ikey, ignore_df, ...) or a number; TYPE is u8, u16, u32, ip4,
 * ip6, or raw with VALUE the attribute's bytes in hex, any number of them
 * (none: "raw:"). A NAME of @NUMBER puts attribute NUMBER at the top of
 * the message (an IFLA_* beside IFLA_LINKINFO) rather than in
 * IFLA_INFO_DATA. Prints "ok", or the errno name and the kernel's extack
 * message, and exits 0 on success, 1 on a kernel error, 2 on a usage error.
 *
 * With "-", it reads requests from its input, one a line: "add IFNAME ...",
 * "set IFNAME ..." as above, or "get IFNAME", which prints "link IFNAME
 * FLAGS HEX" with the device's flags and, in hex, its IFLA_MTU, IFLA_LINK,
 * IFLA_ADDRESS, IFLA_BROADCAST and IFLA_LINKINFO attributes as the kernel
 * dumps them (or "error ENODEV: " for no such device). One line of output
 * per request; the exit status is that of the last request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "../gre_tun.h"

#define BUFSZ 4096
#define RAW_MAX 512
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const attr_names[] = {
	[IFLA_GRETUN_LINK] = "link",
	[IFLA_GRETUN_LOCAL] = "local",
	[IFLA_GRETUN_REMOTE] = "remote",
	[IFLA_GRETUN_IFLAGS] = "iflags",
	[IFLA_GRETUN_OFLAGS] = "oflags",
	[IFLA_GRETUN_IKEY] = "ikey",
	[IFLA_GRETUN_OKEY] = "okey",
	[IFLA_GRETUN_TTL] = "ttl",
	[IFLA_GRETUN_TOS] = "tos",
	[IFLA_GRETUN_PMTUDISC] = "pmtudisc",
	[IFLA_GRETUN_IGNORE_DF] = "ignore_df",
	[IFLA_GRETUN_FLOWLABEL] = "flowlabel",
	[IFLA_GRETUN_ENCAP_LIMIT] = "encap_limit",
};

static void die_usage(const char *why)
{
	fprintf(stderr, "nl_gretun: %s\n"
		"usage: nl_gretun add|set IFNAME [[@]NAME=TYPE:VALUE ...]\n"
		"       nl_gretun - < REQUESTS\n", why);
	exit(2);
}

static struct nlattr *put(struct nlmsghdr *n, int type, const void *data,
			  int len)
{
	struct nlattr *a = (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(NLA_HDRLEN + len) > BUFSZ)
		die_usage("message too long");
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void nest_end(struct nlmsghdr *n, struct nlattr *nest)
{
	nest->nla_len = (char *)n + n->nlmsg_len - (char *)nest;
}

static int attr_type(const char *name)
{
	unsigned int i;

	if (name[0] == '@')
		return atoi(name + 1);

	for (i = 1; i < ARRAY_SIZE(attr_names); i++)
		if (attr_names[i] && !strcmp(name, attr_names[i]))
			return i;
	if (name[0] >= '0' && name[0] <= '9')
		return atoi(name);
	die_usage("unknown attribute name");
	return -1;
}

/* Hex digits, two per byte, into buf; returns the number of bytes. */
static int parse_hex(const char *hex, unsigned char *buf, size_t size)
{
	size_t n = strlen(hex), i;
	unsigned int byte;

	if (n % 2 || n / 2 > size)
		die_usage("raw values are an even number of hex digits, at most 1024");
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			die_usage("bad hex digit");
		buf[i] = byte;
	}
	return n / 2;
}

/* NAME=TYPE:VALUE */
static void put_arg(struct nlmsghdr *n, char *arg)
{
	char *eq = strchr(arg, '='), *colon = eq ? strchr(eq, ':') : NULL;
	unsigned char buf[RAW_MAX];
	unsigned long v;
	int type, len;

	if (!colon)
		die_usage("attributes are NAME=TYPE:VALUE");
	*eq = *colon = '\0';
	type = attr_type(arg);
	v = strtoul(colon + 1, NULL, 0);
	if (!strcmp(eq + 1, "u8")) {
		buf[0] = v;
		len = 1;
	} else if (!strcmp(eq + 1, "u16")) {
		unsigned short s = v;

		memcpy(buf, &s, sizeof(s));
		len = sizeof(s);
	} else if (!strcmp(eq + 1, "u32")) {
		unsigned int u = v;

		memcpy(buf, &u, sizeof(u));
		len = sizeof(u);
	} else if (!strcmp(eq + 1, "ip4")) {
		if (inet_pton(AF_INET, colon + 1, buf) != 1)
			die_usage("bad ip4 value");
		len = 4;
	} else if (!strcmp(eq + 1, "ip6")) {
		if (inet_pton(AF_INET6, colon + 1, buf) != 1)
			die_usage("bad ip6 value");
		len = 16;
	} else if (!strcmp(eq + 1, "raw")) {
		len = parse_hex(colon + 1, buf, sizeof(buf));
	} else {
		die_usage("TYPE is u8, u16, u32, ip4, ip6 or raw");
	}
	put(n, type, buf, len);
}

static void print_ack(struct nlmsghdr *r)
{
	struct nlmsgerr *e = NLMSG_DATA(r);
	struct nlattr *a = (struct nlattr *)((char *)e + sizeof(*e));
	int left = r->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
	const char *msg = "";

	if (r->nlmsg_flags & NLM_F_ACK_TLVS) {
		for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= left;
		     left -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == NLMSGERR_ATTR_MSG)
				msg = (const char *)a + NLA_HDRLEN;
	}
	if (e->error)
		printf("error %s: %s\n", strerrorname_np(-e->error), msg);
	else
		printf("ok%s%s\n", *msg ? ": " : "", msg);
}

/* Send the message in buf and receive the answer into it. */
static void talk(char *buf, int any_reply)
{
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1;
	ssize_t len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    sendto(fd, buf, n->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		perror("nl_gretun");
		exit(2);
	}
	len = recv(fd, buf, BUFSZ, 0);
	close(fd);
	if (len < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    (!any_reply && n->nlmsg_type != NLMSG_ERROR)) {
		fprintf(stderr, "nl_gretun: unexpected reply\n");
		exit(2);
	}
}

/* get IFNAME: the device's flags and configuration attributes, in hex. */
static int get_link(const char *name)
{
	static const int shown[] = { IFLA_MTU, IFLA_LINK, IFLA_ADDRESS,
				     IFLA_BROADCAST, IFLA_LINKINFO };
	static char buf[BUFSZ] __attribute__((aligned(8)));
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi;
	struct nlattr *a;
	unsigned int i, j;
	int left;

	memset(buf, 0, sizeof(buf));
	n->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	n->nlmsg_type = RTM_GETLINK;
	n->nlmsg_flags = NLM_F_REQUEST;
	ifi = NLMSG_DATA(n);
	ifi->ifi_family = AF_UNSPEC;
	put(n, IFLA_IFNAME, name, strlen(name) + 1);
	talk(buf, 1);
	if (n->nlmsg_type == NLMSG_ERROR) {
		print_ack(n);
		return 1;
	}
	printf("link %s %x", name, ifi->ifi_flags);
	for (i = 0; i < ARRAY_SIZE(shown); i++) {
		a = (struct nlattr *)((char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
		left = n->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
		for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
		       a->nla_len <= left;
		     left -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
			if ((a->nla_type & NLA_TYPE_MASK) != shown[i])
				continue;
			printf(" %d:", shown[i]);
			for (j = NLA_HDRLEN; j < a->nla_len; j++)
				printf("%02x", ((unsigned char *)a)[j]);
		}
	}
	printf("\n");
	return 0;
}

/* add|set IFNAME [NAME=TYPE:VALUE ...] */
static int request(int argc, char **argv)
{
	static char buf[BUFSZ] __attribute__((aligned(8)));
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct nlattr *linkinfo, *data;
	struct ifinfomsg *ifi;
	int add, i;

	if (argc < 3)
		die_usage("too few arguments");
	add = !strcmp(argv[1], "add");
	if (!add && strcmp(argv[1], "set"))
		die_usage("first argument is add or set");

	memset(buf, 0, sizeof(buf));
	n->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	n->nlmsg_type = RTM_NEWLINK;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		n->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(n);
	ifi->ifi_family = AF_UNSPEC;
	if (add) {
		put(n, IFLA_IFNAME, argv[2], strlen(argv[2]) + 1);
	} else {
		ifi->ifi_index = if_nametoindex(argv[2]);
		if (!ifi->ifi_index)
			die_usage("no such device");
	}
	for (i = 3; i < argc; i++)
		if (argv[i][0] == '@')
			put_arg(n, argv[i]);
	linkinfo = put(n, IFLA_LINKINFO | NLA_F_NESTED, NULL, 0);
	put(n, IFLA_INFO_KIND, GRETUN_KIND, strlen(GRETUN_KIND));
	data = put(n, IFLA_INFO_DATA | NLA_F_NESTED, NULL, 0);
	for (i = 3; i < argc; i++)
		if (argv[i][0] != '@')
			put_arg(n, argv[i]);
	nest_end(n, data);
	nest_end(n, linkinfo);

	talk(buf, 0);
	print_ack(n);
	return ((struct nlmsgerr *)NLMSG_DATA(n))->error ? 1 : 0;
}

/* One request a line, words separated by blanks. */
static int batch(void)
{
	char line[BUFSZ], *words[64], *w;
	int argc, ret = 0;

	/* words[0] stands for the program's name, as in argv */
	words[0] = "nl_gretun";
	while (fgets(line, sizeof(line), stdin)) {
		argc = 1;
		for (w = strtok(line, " \t\n"); w && argc < 63;
		     w = strtok(NULL, " \t\n"))
			words[argc++] = w;
		if (argc == 1)
			continue;
		if (argc == 3 && !strcmp(words[1], "get"))
			ret = get_link(words[2]);
		else
			ret = request(argc, words);
		fflush(stdout);
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "-"))
		return batch();
	return request(argc, argv);
}
