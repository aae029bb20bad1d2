/* Stream sockets and OpenFlow message framing (see stream.h). Plain POSIX sockets;
 * the framing reads the 16-bit length of each OpenFlow header and nothing else. */
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "stream_tls.h"
#include "util.h"

#define OFP_HEADER_LEN 8

struct prefix {
	const char *name;
	enum stream_kind kind;
};

static const struct prefix prefixes[] = {
	{ "tcp:", STREAM_TCP },	    { "unix:", STREAM_UNIX }, { "ptcp:", STREAM_PTCP },
	{ "punix:", STREAM_PUNIX }, { "ssl:", STREAM_SSL },   { "pssl:", STREAM_PSSL },
};

static int fail(char *errbuf, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *errbuf, size_t errlen, int ret, const char *fmt, ...)
{
	va_list args;

	if (errbuf && errlen) {
		va_start(args, fmt);
		vsnprintf(errbuf, errlen, fmt, args);
		va_end(args);
	}
	return ret;
}

/* Parses a decimal port 0..65535. */
static bool
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Fills a->sa from an IPv4 or IPv6 literal (without brackets) and a port. */
static bool
parse_ip(const char *ip, uint16_t port, struct stream_addr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->sa;

	memset(&a->sa, 0, sizeof a->sa);
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->sa_len = sizeof *sin;
		return true;
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->sa_len = sizeof *sin6;
		return true;
	}
	return false;
}

/* Splits "IP[:PORT]" or "[IP6][:PORT]" (active) into ip and port text. */
static int
split_host_port(const char *s, char *ip, size_t iplen, const char **port)
{
	const char *colon;
	size_t n;

	*port = NULL;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -EINVAL;
		n = (size_t)(close - s - 1);
		if (close[1] == ':')
			*port = close + 2;
		s++;
	} else {
		colon = strchr(s, ':');
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			*port = colon + 1;
	}
	if (n == 0 || n >= iplen)
		return -EINVAL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	return 0;
}

static int
parse_tcp(const char *rest, const char *name, uint16_t default_port, struct stream_addr *a,
	  char *errbuf, size_t errlen)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *port_text;
	uint16_t port = default_port;

	if (split_host_port(rest, ip, sizeof ip, &port_text))
		return fail(errbuf, errlen, -EINVAL, "\"%s\": expected %.*sIP[:PORT]", name,
			    (int)(rest - name), name);
	if (port_text && !parse_port(port_text, &port))
		return fail(errbuf, errlen, -EINVAL, "\"%s\": bad port (0..65535)", name);
	if (port == 0)
		return fail(errbuf, errlen, -EINVAL, "\"%s\": port 0 cannot be connected to", name);
	if (!parse_ip(ip, port, a))
		return fail(errbuf, errlen, -EINVAL, "\"%s\": not an IPv4 or IPv6 address", name);
	return 0;
}

static int
parse_ptcp(const char *rest, const char *name, uint16_t default_port, struct stream_addr *a,
	   char *errbuf, size_t errlen)
{
	char port_text[8];
	/* A plain listener opens wider only when asked; a TLS one authenticates its peers. */
	const char *ip = a->kind == STREAM_PSSL ? "0.0.0.0" : "127.0.0.1";
	const char *colon = strchr(rest, ':');
	char ipbuf[INET6_ADDRSTRLEN + 1];
	uint16_t port = default_port;
	size_t n = colon ? (size_t)(colon - rest) : strlen(rest);

	if (n >= sizeof port_text)
		return fail(errbuf, errlen, -EINVAL, "\"%s\": bad port (0..65535)", name);
	memcpy(port_text, rest, n);
	port_text[n] = '\0';
	if (n && !parse_port(port_text, &port))
		return fail(errbuf, errlen, -EINVAL, "\"%s\": bad port (0..65535)", name);
	if (colon) {
		const char *s = colon + 1;
		size_t l = strlen(s);
		if (*s == '[' && l > 2 && s[l - 1] == ']') {
			s++;
			l -= 2;
		}
		if (l == 0 || l >= sizeof ipbuf)
			return fail(errbuf, errlen, -EINVAL, "\"%s\": expected %.*s[PORT][:IP]",
				    name, (int)(rest - name), name);
		memcpy(ipbuf, s, l);
		ipbuf[l] = '\0';
		ip = ipbuf;
	}
	if (!parse_ip(ip, port, a))
		return fail(errbuf, errlen, -EINVAL, "\"%s\": not an IPv4 or IPv6 address", name);
	return 0;
}

static int
parse_unix(const char *path, const char *name, struct stream_addr *a, char *errbuf, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->sa;
	size_t n = strlen(path);

	if (n == 0)
		return fail(errbuf, errlen, -EINVAL, "\"%s\": empty socket path", name);
	if (n >= sizeof sun->sun_path || n >= sizeof a->path)
		return fail(errbuf, errlen, -EINVAL, "socket path longer than 107 bytes");
	memset(&a->sa, 0, sizeof a->sa);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	memcpy(a->path, path, n + 1);
	a->sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

int
stream_addr_parse(const char *name, uint16_t default_port, struct stream_addr *out, char *errbuf,
		  size_t errlen)
{
	const struct prefix *p = NULL;
	const char *rest;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		if (!strncmp(name, prefixes[i].name, strlen(prefixes[i].name))) {
			p = &prefixes[i];
			break;
		}
	}
	if (!p)
		return fail(errbuf, errlen, -EINVAL,
			    "\"%s\": expected tcp:IP[:PORT], ssl:IP[:PORT], unix:PATH, "
			    "ptcp:[PORT][:IP], pssl:[PORT][:IP] or punix:PATH",
			    name);
	rest = name + strlen(p->name);
	out->kind = p->kind;
	switch (out->kind) {
	case STREAM_TCP:
	case STREAM_SSL:
		return parse_tcp(rest, name, default_port, out, errbuf, errlen);
	case STREAM_PTCP:
	case STREAM_PSSL:
		return parse_ptcp(rest, name, default_port, out, errbuf, errlen);
	case STREAM_UNIX:
	case STREAM_PUNIX:
		return parse_unix(rest, name, out, errbuf, errlen);
	}
	return -EINVAL;
}

bool
stream_addr_is_passive(const struct stream_addr *a)
{
	return a->kind == STREAM_PTCP || a->kind == STREAM_PUNIX || a->kind == STREAM_PSSL;
}

bool
stream_addr_is_tls(const struct stream_addr *a)
{
	return a->kind == STREAM_SSL || a->kind == STREAM_PSSL;
}

bool
stream_addr_is_local(const struct stream_addr *a)
{
	if (a->kind == STREAM_UNIX || a->kind == STREAM_PUNIX)
		return true;
	if (a->sa.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->sa;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->sa;
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return false;
}

void
stream_addr_format(const struct stream_addr *a, struct buf *b)
{
	static const char *const names[] = { "tcp", "unix", "ptcp", "punix", "ssl", "pssl" };
	bool active = a->kind == STREAM_TCP || a->kind == STREAM_SSL;
	char ip[INET6_ADDRSTRLEN];
	uint16_t port;

	if (a->kind == STREAM_UNIX || a->kind == STREAM_PUNIX) {
		buf_printf(b, "%s:%s", names[a->kind], a->path);
		return;
	}
	if (a->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
		port = ntohs(sin6->sin6_port);
		if (active)
			buf_printf(b, "%s:[%s]:%u", names[a->kind], ip, port);
		else
			buf_printf(b, "%s:%u:[%s]", names[a->kind], port, ip);
		return;
	}
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->sa;
	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
	port = ntohs(sin->sin_port);
	if (active)
		buf_printf(b, "%s:%s:%u", names[a->kind], ip, port);
	else
		buf_printf(b, "%s:%u:%s", names[a->kind], port, ip);
}

static int
open_socket(const struct stream_addr *a)
{
	int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (a->sa.ss_family != AF_UNIX) {
		int one = 1;
		if (stream_addr_is_passive(a))
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		else
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

int
stream_connect(const struct stream_addr *a, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, err = 0, n;

	if (stream_addr_is_passive(a))
		return -EINVAL;
	fd = open_socket(a);
	if (fd < 0)
		return fd;
	if (!connect(fd, (const struct sockaddr *)&a->sa, a->sa_len))
		return fd;
	if (errno != EINPROGRESS && errno != EAGAIN) {
		err = -errno;
		goto out;
	}
	/* unix sockets answer EAGAIN when the listen backlog is full; poll covers both. */
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	if (n == 0) {
		err = -ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	err = -err;
out:
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* ---- Listening sockets handed over between processes -------------------------------- */

static int inherited[STREAM_MAX_INHERITED];
static unsigned n_inherited;
static bool keep_socket_files;

int
stream_inherit_listener(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (n_inherited >= STREAM_MAX_INHERITED)
		return -ENOSPC;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0 || !v)
		return -ENOTSOCK;
	inherited[n_inherited++] = fd;
	return 0;
}

/* The inherited socket bound to a's address, taken out of the table, or -1. */
static int
take_inherited(const struct stream_addr *a)
{
	for (unsigned i = 0; i < n_inherited; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		bool same;

		memset(&ss, 0, sizeof(ss));
		if (getsockname(inherited[i], (struct sockaddr *)&ss, &len) < 0 ||
		    ss.ss_family != a->sa.ss_family)
			continue;
		if (ss.ss_family == AF_UNIX)
			same = !strcmp(((struct sockaddr_un *)&ss)->sun_path, a->path);
		else if (ss.ss_family == AF_INET)
			same = !memcmp(&((struct sockaddr_in *)&ss)->sin_addr,
				       &((const struct sockaddr_in *)&a->sa)->sin_addr,
				       sizeof(struct in_addr)) &&
			       ((struct sockaddr_in *)&ss)->sin_port ==
				       ((const struct sockaddr_in *)&a->sa)->sin_port;
		else
			same = !memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr,
				       &((const struct sockaddr_in6 *)&a->sa)->sin6_addr,
				       sizeof(struct in6_addr)) &&
			       ((struct sockaddr_in6 *)&ss)->sin6_port ==
				       ((const struct sockaddr_in6 *)&a->sa)->sin6_port;
		/* ptcp:0 picks a fresh port: never an inherited one. */
		if (same && a->sa.ss_family != AF_UNIX &&
		    !((const struct sockaddr_in *)&a->sa)->sin_port)
			same = false;
		if (same) {
			int fd = inherited[i];

			inherited[i] = inherited[--n_inherited];
			return fd;
		}
	}
	return -1;
}

unsigned
stream_inherited_close_unused(void)
{
	unsigned n = n_inherited;

	while (n_inherited)
		close(inherited[--n_inherited]);
	return n;
}

unsigned
stream_list_listeners(int *fds, unsigned max, int skip_fd)
{
	long open_max = sysconf(_SC_OPEN_MAX);
	unsigned n = 0;

	if (open_max < 0 || open_max > 65536)
		open_max = 65536;
	for (int fd = 0; fd < open_max && n < max; fd++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int v = 0, type = 0;
		socklen_t vlen = sizeof(v), tlen = sizeof(type);

		if (fd == skip_fd || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen) < 0 ||
		    !v || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
		    type != SOCK_STREAM || getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
			continue;
		if (ss.ss_family == AF_UNIX || ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
			fds[n++] = fd;
	}
	return n;
}

void
stream_keep_socket_files(bool keep)
{
	keep_socket_files = keep;
}

void
stream_unlink_listener(const char *path)
{
	if (path && path[0] && !keep_socket_files)
		unlink(path);
}

int
stream_listen(const struct stream_addr *a)
{
	struct stat st;
	int fd, err;

	if (!stream_addr_is_passive(a))
		return -EINVAL;
	fd = take_inherited(a);
	if (fd >= 0)
		return fd;
	if (a->kind == STREAM_PUNIX && !lstat(a->path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(a->path);
	}
	fd = open_socket(a);
	if (fd < 0)
		return fd;
	if (a->kind == STREAM_PUNIX) {
		/* The socket file is created 0600 by bind() itself: no window in which a
		 * looser umask leaves it open to others. umask is per process, so this
		 * assumes no other thread creates files at the same moment (the agent's
		 * thread is the only one that does). */
		mode_t old = umask(0177);
		int r = bind(fd, (const struct sockaddr *)&a->sa, a->sa_len);

		err = errno;
		umask(old);
		errno = err;
		if (r < 0)
			goto fail;
	} else if (bind(fd, (const struct sockaddr *)&a->sa, a->sa_len) < 0) {
		goto fail;
	}
	if (listen(fd, STREAM_LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int
stream_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -EAFNOSUPPORT;
}

int
stream_accept(int listen_fd)
{
	int fd;

	do
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return fd;
}

int
stream_init(struct stream *s, int fd)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->rx = pfs_malloc(STREAM_RX_SIZE);
	if (!s->rx)
		return -ENOMEM;
	s->fd = fd;
	s->tx_max = STREAM_TX_MAX_DEFAULT;
	return 0;
}

void
stream_close(struct stream *s)
{
	if (!s)
		return;
	stream_tls_free(s->tls);
	s->tls = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->rx);
	s->rx = NULL;
	buf_uninit(&s->tx);
	s->tx_ofs = 0;
}

/* The transport under the framing: the socket, or the TLS session on it. Both return a
 * count, 0 at end of stream (reads), -EAGAIN or -errno. */
static ssize_t
io_read(struct stream *s, void *p, size_t n)
{
	ssize_t r;

	if (s->tls)
		return stream_tls_read(s->tls, p, n);
	do
		r = read(s->fd, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return r;
}

static ssize_t
io_write(struct stream *s, const void *p, size_t n)
{
	ssize_t r;

	if (s->tls)
		return stream_tls_write(s->tls, p, n);
	do
		r = send(s->fd, p, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return r;
}

/* Length of the complete message at the start of the unconsumed bytes: > 0 if one is
 * complete, 0 if more bytes are needed, -EPROTO for a length field below 8. */
static int
framed_len(const struct stream *s)
{
	size_t have = s->rx_end - s->rx_start;
	uint16_t len;

	if (have < OFP_HEADER_LEN)
		return 0;
	len = get_be16(s->rx + s->rx_start + 2);
	if (len < OFP_HEADER_LEN)
		return -EPROTO;
	return have >= len ? len : 0;
}

bool
stream_has_message(const struct stream *s)
{
	size_t start = s->rx_start + s->rx_last;
	size_t have = s->rx_end - start;

	/* Decrypted bytes held by the TLS layer raise no poll event either. */
	if (s->tls && stream_tls_pending(s->tls))
		return true;
	if (!s->rx || have < OFP_HEADER_LEN)
		return false;
	return get_be16(s->rx + start + 2) < OFP_HEADER_LEN || have >= get_be16(s->rx + start + 2);
}

int
stream_recv(struct stream *s, const uint8_t **msg, size_t *len)
{
	ssize_t n;
	int m;

	if (!s->rx)
		return -EBADF;
	/* A TLS write may have waited on the peer's handshake bytes, which just came. */
	if (s->tls && stream_tx_pending(s)) {
		int err = stream_flush(s);
		if (err && err != -EAGAIN)
			return err;
	}
	s->rx_start += s->rx_last;
	s->rx_last = 0;
	for (;;) {
		m = framed_len(s);
		if (m < 0)
			return m;
		if (m > 0) {
			*msg = s->rx + s->rx_start;
			*len = (size_t)m;
			s->rx_last = (size_t)m;
			s->n_rx++;
			return 0;
		}
		/* Make room: a whole message of up to 65535 bytes always fits. */
		if (s->rx_start) {
			memmove(s->rx, s->rx + s->rx_start, s->rx_end - s->rx_start);
			s->rx_end -= s->rx_start;
			s->rx_start = 0;
		}
		n = io_read(s, s->rx + s->rx_end, STREAM_RX_SIZE - s->rx_end);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET;
		s->rx_end += (size_t)n;
	}
}

size_t
stream_tx_pending(const struct stream *s)
{
	return s->tx.size - s->tx_ofs;
}

/* Moves the unsent bytes to the front of the queue once the sent prefix is at least
 * as large as what is left, so the buffer holds at most about twice the pending bytes
 * rather than everything queued since it was last empty. The copy is amortised: it
 * moves no more bytes than were sent since the last one. */
static void
tx_compact(struct stream *s)
{
	size_t left = s->tx.size - s->tx_ofs;

	if (!s->tx_ofs)
		return;
	if (!left) {
		if (s->tx.alloc > STREAM_TX_KEEP)
			buf_uninit(&s->tx);
		else
			buf_clear(&s->tx);
		s->tx_ofs = 0;
		return;
	}
	if (s->tx_ofs < left)
		return;
	memmove(s->tx.data, s->tx.data + s->tx_ofs, left);
	buf_truncate(&s->tx, left);
	s->tx_ofs = 0;
}

bool
stream_want_write(const struct stream *s)
{
	if (s->tls)
		return stream_tls_want_write(s->tls, stream_tx_pending(s) > 0);
	return stream_tx_pending(s) > 0;
}

const char *
stream_strerror(const struct stream *s, int err)
{
	const char *why = s->tls ? stream_tls_error(s->tls) : NULL;

	return why && *why ? why : strerror(err < 0 ? -err : err);
}

int
stream_flush(struct stream *s)
{
	int err = 0;

	while (s->tx_ofs < s->tx.size) {
		ssize_t n = io_write(s, s->tx.data + s->tx_ofs, s->tx.size - s->tx_ofs);
		if (n < 0) {
			err = (int)n;
			break;
		}
		s->tx_ofs += (size_t)n;
		s->n_tx_bytes += (uint64_t)n;
	}
	tx_compact(s);
	return err;
}

int
stream_send(struct stream *s, const void *data, size_t len)
{
	int err;

	if (s->fd < 0)
		return -EBADF;
	if (stream_tx_pending(s) + len > s->tx_max)
		return -ENOBUFS;
	tx_compact(s);
	/* Reserve first: the message is queued whole or not at all, and the bytes already
	 * queued (perhaps a message half sent) stay as they are. */
	if (buf_reserve(&s->tx, len)) {
		s->tx.error = 0; /* the queue itself is intact: nothing was written */
		return -ENOMEM;
	}
	buf_put(&s->tx, data, len);
	s->n_tx++;
	err = stream_flush(s);
	return err == -EAGAIN ? 0 : err;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
stream_wait(struct stream *s, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct pollfd pfd;
	int err, n, left;

	for (;;) {
		if (stream_has_message(s))
			return 0;
		err = stream_flush(s);
		if (err && err != -EAGAIN)
			return err;
		pfd.fd = s->fd;
		pfd.events = POLLIN | (stream_want_write(s) ? POLLOUT : 0);
		pfd.revents = 0;
		left = -1;
		if (deadline >= 0) {
			int64_t d = deadline - now_ms();
			left = d < 0 ? 0 : (int)d;
		}
		n = poll(&pfd, 1, left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			return 0;
		/* A TLS read may wait for the socket to take its own record (a key update). */
		if (n > 0 && s->tls && (pfd.revents & POLLOUT))
			return 0;
	}
}
