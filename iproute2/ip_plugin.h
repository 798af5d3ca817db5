/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ip_plugin.h - the part of iproute2's internal ABI that an `ip` link
 * plugin uses, declared here because distributions ship `ip` without its
 * headers. These match iproute2 6.1 (Debian 12), whose `ip` exports all of
 * them; `make lint` checks that every symbol the plugin needs is exported.
 */
#ifndef _GRETUN_IP_PLUGIN_H
#define _GRETUN_IP_PLUGIN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/types.h>

struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f, struct rtattr *xs);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

/* libnetlink */
struct rtnl_handle;
extern struct rtnl_handle rth;
int rtnl_talk(struct rtnl_handle *rtnl, struct nlmsghdr *n,
	      struct nlmsghdr **answer);
int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
int addattr16(struct nlmsghdr *n, int maxlen, int type, __u16 data);
int addattr32(struct nlmsghdr *n, int maxlen, int type, __u32 data);
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data,
	      int alen);
int parse_rtattr_flags(struct rtattr *tb[], int max, struct rtattr *rta,
		       int len, unsigned short flags);

/* argument helpers; invarg() and friends print and exit */
bool matches(const char *prefix, const char *string);
void incomplete_command(void) __attribute__((noreturn));
void invarg(const char *msg, const char *arg) __attribute__((noreturn));
void duparg2(const char *key, const char *arg) __attribute__((noreturn));
int get_u8(__u8 *val, const char *arg, int base);
int get_u32(__u32 *val, const char *arg, int base);
int get_unsigned(unsigned int *val, const char *arg, int base);
__u32 get_addr32(const char *name);
int rtnl_dsfield_a2n(__u32 *id, const char *arg);
unsigned int ll_name_to_index(const char *name);
const char *ll_index_to_name(unsigned int idx);

#define NEXT_ARG() do { argv++; if (--argc <= 0) incomplete_command(); } while (0)

/* json_print: print_*(PRINT_ANY, ...) feeds both `ip` and `ip -j` */
enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 4,
};

enum color_attr {
	COLOR_IFNAME,
	COLOR_MAC,
	COLOR_INET,
	COLOR_INET6,
	COLOR_OPERSTATE_UP,
	COLOR_OPERSTATE_DOWN,
	COLOR_NONE,
};

bool is_json_context(void);
int print_color_string(enum output_type t, enum color_attr color,
		       const char *key, const char *fmt, const char *value);
int print_color_uint(enum output_type t, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);
int print_color_bool(enum output_type t, enum color_attr color,
		     const char *key, const char *fmt, bool value);
int print_color_0xhex(enum output_type t, enum color_attr color,
		      const char *key, const char *fmt,
		      unsigned long long value);

#define print_string(t, key, fmt, v)	print_color_string(t, COLOR_NONE, key, fmt, v)
#define print_uint(t, key, fmt, v)	print_color_uint(t, COLOR_NONE, key, fmt, v)
#define print_bool(t, key, fmt, v)	print_color_bool(t, COLOR_NONE, key, fmt, v)
#define print_0xhex(t, key, fmt, v)	print_color_0xhex(t, COLOR_NONE, key, fmt, v)

#endif /* _GRETUN_IP_PLUGIN_H */
