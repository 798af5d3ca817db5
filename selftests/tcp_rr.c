// SPDX-License-Identifier: GPL-2.0
/*
 * TCP request/response rate, as netperf's TCP_RR measures it: one
 * connection, one byte each way, the next request only after the answer.
 * The rate is bounded by the latency of the path, not its bandwidth.
 *
 *   tcp_rr server PORT             answer one connection, then exit
 *   tcp_rr client ADDR PORT SECS   print transactions per second
 *
 * ADDR is IPv4 or IPv6. Exit status 0 only if every byte went both ways.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void no_delay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
}

/* one byte each way; 0 when the peer closed, -1 on an error */
static int one_byte(int fd, char *c, int send_first)
{
	ssize_t n;

	if (send_first && send(fd, c, 1, 0) != 1)
		return -1;
	n = recv(fd, c, 1, 0);
	if (n <= 0)
		return n;
	if (!send_first && send(fd, c, 1, 0) != 1)
		return -1;
	return 1;
}

static int server(const char *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int fd, conn, one = 1, r;
	char c;

	a.sin6_port = htons(atoi(port));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		die("bind/listen");
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		die("accept");
	no_delay(conn);
	while ((r = one_byte(conn, &c, 0)) > 0)
		;
	return r < 0;
}

static int client(const char *addr, const char *port, const char *secs)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	double start, end, limit = atof(secs);
	unsigned long n = 0;
	char c = 'x';
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai))
		die("getaddrinfo");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	no_delay(fd);
	start = now();
	do {
		if (one_byte(fd, &c, 1) != 1)
			die("transaction");
		n++;
		end = now();
	} while (end - start < limit);
	printf("%.0f\n", n / (end - start));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: %s server PORT | client ADDR PORT SECS\n",
		argv[0]);
	return 2;
}
