/* Unit tests for lib/stream.c: address parsing and its errors, OpenFlow framing over a
 * socketpair (partial reads, several messages per read, bad lengths, EOF), the output
 * queue (partial writes, bound), and connect/listen/accept over loopback TCP and unix
 * sockets; TLS over loopback with certificates the openssl CLI makes at test time
 * (tests/make_certs.sh): a good session, peers with a certificate from another CA
 * refused on both sides, TLS 1.1 refused, bad key files. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "stream.h"
#include "stream_tls.h"
#include "util.h"

static char certdir[64];

static void
expect_addr(const char *name, enum stream_kind kind, const char *canon)
{
	struct stream_addr a;
	struct buf b = BUF_INITIALIZER;
	char err[128] = "";

	ck_assert_msg(!stream_addr_parse(name, 6653, &a, err, sizeof err), "%s: %s", name, err);
	ck_assert_int_eq(a.kind, kind);
	stream_addr_format(&a, &b);
	ck_assert_str_eq(buf_cstr(&b), canon);
	buf_uninit(&b);
}

START_TEST(test_addr_parse)
{
	expect_addr("tcp:10.0.0.1", STREAM_TCP, "tcp:10.0.0.1:6653");
	expect_addr("tcp:10.0.0.1:80", STREAM_TCP, "tcp:10.0.0.1:80");
	expect_addr("tcp:[::1]:99", STREAM_TCP, "tcp:[::1]:99");
	expect_addr("tcp:[fe80::1]", STREAM_TCP, "tcp:[fe80::1]:6653");
	expect_addr("unix:/run/pfswitch/br0.mgmt", STREAM_UNIX, "unix:/run/pfswitch/br0.mgmt");
	/* Without an IP a listener is loopback-only; every address must be asked for. */
	expect_addr("ptcp:", STREAM_PTCP, "ptcp:6653:127.0.0.1");
	expect_addr("ptcp:6633", STREAM_PTCP, "ptcp:6633:127.0.0.1");
	expect_addr("ptcp:6633:0.0.0.0", STREAM_PTCP, "ptcp:6633:0.0.0.0");
	expect_addr("ptcp:6633:127.0.0.1", STREAM_PTCP, "ptcp:6633:127.0.0.1");
	expect_addr("ptcp::127.0.0.1", STREAM_PTCP, "ptcp:6653:127.0.0.1");
	expect_addr("ptcp:1:[::1]", STREAM_PTCP, "ptcp:1:[::1]");
	expect_addr("punix:/tmp/x", STREAM_PUNIX, "punix:/tmp/x");
	expect_addr("ssl:10.0.0.1", STREAM_SSL, "ssl:10.0.0.1:6653");
	expect_addr("ssl:10.0.0.1:6654", STREAM_SSL, "ssl:10.0.0.1:6654");
	expect_addr("ssl:[::1]:99", STREAM_SSL, "ssl:[::1]:99");
	expect_addr("pssl:", STREAM_PSSL, "pssl:6653:0.0.0.0");
	expect_addr("pssl:6654:127.0.0.1", STREAM_PSSL, "pssl:6654:127.0.0.1");
	expect_addr("pssl::[::1]", STREAM_PSSL, "pssl:6653:[::1]");
}
END_TEST

static void
expect_bad(const char *name, int want, const char *needle)
{
	struct stream_addr a;
	char err[200] = "";

	ck_assert_int_eq(stream_addr_parse(name, 6653, &a, err, sizeof err), want);
	ck_assert_msg(strstr(err, needle), "%s: error \"%s\" lacks \"%s\"", name, err, needle);
}

START_TEST(test_addr_errors)
{
	char longpath[200];

	expect_bad("10.0.0.1:6653", -EINVAL, "expected tcp:");
	expect_bad("udp:1.2.3.4", -EINVAL, "expected tcp:");
	expect_bad("tcp:", -EINVAL, "tcp:IP[:PORT]");
	expect_bad("tcp:1.2.3.4:65536", -EINVAL, "bad port");
	expect_bad("tcp:1.2.3.4:-1", -EINVAL, "bad port");
	expect_bad("tcp:1.2.3.4:x", -EINVAL, "bad port");
	expect_bad("tcp:1.2.3.4:0", -EINVAL, "port 0");
	expect_bad("tcp:example.org", -EINVAL, "not an IPv4 or IPv6");
	expect_bad("tcp:[::1", -EINVAL, "tcp:IP[:PORT]");
	expect_bad("ptcp:99999", -EINVAL, "bad port");
	expect_bad("ptcp:1:nohost", -EINVAL, "not an IPv4");
	expect_bad("unix:", -EINVAL, "empty socket path");
	expect_bad("punix:", -EINVAL, "empty socket path");
	memset(longpath, 'a', sizeof longpath);
	memcpy(longpath, "unix:/", 6);
	longpath[sizeof longpath - 1] = '\0';
	expect_bad(longpath, -EINVAL, "longer than 107");
	expect_bad("ssl:", -EINVAL, "expected ssl:IP[:PORT]");
	expect_bad("ssl:1.2.3.4:0", -EINVAL, "port 0");
	expect_bad("ssl:host.example", -EINVAL, "not an IPv4 or IPv6");
	expect_bad("pssl:70000", -EINVAL, "bad port");
	expect_bad("pssl:1:", -EINVAL, "expected pssl:[PORT][:IP]");
}
END_TEST

static void
make_pair(struct stream *s, int *peer)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ck_assert_int_eq(stream_init(s, sv[0]), 0);
	*peer = sv[1];
}

static void
put_msg(uint8_t *p, uint8_t type, uint16_t len, uint32_t xid)
{
	memset(p, 0xab, len);
	p[0] = 4;
	p[1] = type;
	put_be16(p + 2, len);
	put_be32(p + 4, xid);
}

START_TEST(test_framing_partial)
{
	struct stream s;
	uint8_t m[24];
	const uint8_t *msg;
	size_t len;
	int peer;

	make_pair(&s, &peer);
	put_msg(m, 2, sizeof m, 7);
	ck_assert_int_eq(stream_recv(&s, &msg, &len), -EAGAIN);
	/* One byte at a time: nothing until the last byte arrives. */
	for (size_t i = 0; i < sizeof m; i++) {
		ck_assert_int_eq(stream_recv(&s, &msg, &len), -EAGAIN);
		ck_assert(!stream_has_message(&s));
		ck_assert_int_eq(write(peer, m + i, 1), 1);
	}
	ck_assert_int_eq(stream_recv(&s, &msg, &len), 0);
	ck_assert_uint_eq(len, sizeof m);
	ck_assert_mem_eq(msg, m, sizeof m);
	ck_assert_int_eq(stream_recv(&s, &msg, &len), -EAGAIN);
	close(peer);
	ck_assert_int_eq(stream_recv(&s, &msg, &len), -ECONNRESET);
	stream_close(&s);
	stream_close(&s); /* idempotent */
}
END_TEST

START_TEST(test_framing_batch)
{
	struct stream s;
	uint8_t m[8 + 16 + 65535 + 16];
	const uint8_t *msg;
	size_t len;
	int peer;

	make_pair(&s, &peer);
	/* A header-only message, a 16-byte one, the largest possible, and half of a 4th. */
	put_msg(m, 0, 8, 1);
	put_msg(m + 8, 2, 16, 2);
	put_msg(m + 24, 3, 65535, 3);
	put_msg(m + 24 + 65535, 4, 16, 4);
	for (size_t off = 0; off < sizeof m;) {
		ssize_t n = write(peer, m + off, sizeof m - off);
		if (n < 0) {
			/* The socket buffer is full: consume what is there. */
			ck_assert_int_eq(errno, EAGAIN);
			break;
		}
		off += (size_t)n;
	}
	ck_assert_int_eq(stream_recv(&s, &msg, &len), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(msg[1], 0);
	ck_assert(stream_has_message(&s));
	ck_assert_int_eq(stream_recv(&s, &msg, &len), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_uint_eq(get_be32(msg + 4), 2);
	stream_close(&s);
	close(peer);
}
END_TEST

/* The largest message crosses the socket buffer: read it while the writer still writes. */
START_TEST(test_framing_max)
{
	struct stream s;
	static uint8_t m[65535 + 8];
	const uint8_t *msg;
	size_t len, off = 0;
	int peer, got = 0;

	make_pair(&s, &peer);
	put_msg(m, 3, 65535, 3);
	put_msg(m + 65535, 4, 8, 4);
	while (got < 2) {
		if (off < sizeof m) {
			ssize_t n = write(peer, m + off, PFS_MIN(sizeof m - off, 1000));
			if (n > 0)
				off += (size_t)n;
		}
		int err = stream_recv(&s, &msg, &len);
		if (err == -EAGAIN)
			continue;
		ck_assert_int_eq(err, 0);
		if (got++ == 0) {
			ck_assert_uint_eq(len, 65535);
			ck_assert_mem_eq(msg, m, 65535);
		} else {
			ck_assert_uint_eq(len, 8);
			ck_assert_uint_eq(get_be32(msg + 4), 4);
		}
	}
	stream_close(&s);
	close(peer);
}
END_TEST

START_TEST(test_framing_bad_length)
{
	for (uint16_t bad = 0; bad < 8; bad++) {
		struct stream s;
		uint8_t m[8] = { 4, 0, 0, 0, 0, 0, 0, 1 };
		const uint8_t *msg;
		size_t len;
		int peer;

		make_pair(&s, &peer);
		put_be16(m + 2, bad);
		ck_assert_int_eq(write(peer, m, 8), 8);
		ck_assert(stream_has_message(&s) == false); /* nothing read yet */
		ck_assert_int_eq(stream_recv(&s, &msg, &len), -EPROTO);
		ck_assert_int_eq(stream_recv(&s, &msg, &len), -EPROTO);
		stream_close(&s);
		close(peer);
	}
}
END_TEST

START_TEST(test_eof_mid_message)
{
	struct stream s;
	uint8_t m[16];
	const uint8_t *msg;
	size_t len;
	int peer;

	make_pair(&s, &peer);
	put_msg(m, 2, 16, 1);
	ck_assert_int_eq(write(peer, m, 12), 12);
	close(peer);
	ck_assert_int_eq(stream_recv(&s, &msg, &len), -ECONNRESET);
	stream_close(&s);
}
END_TEST

START_TEST(test_send_queue)
{
	struct stream s;
	static uint8_t chunk[65535], sink[1 << 16];
	size_t queued = 0, drained = 0;
	int peer, sz = 4096;

	make_pair(&s, &peer);
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	put_msg(chunk, 2, sizeof chunk, 1);
	s.tx_max = 4 * sizeof chunk;
	/* Without a reader the queue fills up to its bound, then refuses. */
	for (int i = 0; i < 20; i++) {
		int err = stream_send(&s, chunk, sizeof chunk);
		if (err == -ENOBUFS)
			break;
		ck_assert_int_eq(err, 0);
		queued += sizeof chunk;
	}
	ck_assert_uint_gt(stream_tx_pending(&s), 0);
	ck_assert_uint_le(stream_tx_pending(&s), s.tx_max);
	ck_assert_int_eq(stream_flush(&s), -EAGAIN);
	/* Drain the peer; flushing completes and every byte arrives in order. */
	while (drained < queued) {
		ssize_t n = read(peer, sink, sizeof sink);
		if (n > 0) {
			for (ssize_t i = 0; i < n; i++) {
				size_t pos = (drained + (size_t)i) % sizeof chunk;
				ck_assert_uint_eq(sink[i], chunk[pos]);
			}
			drained += (size_t)n;
		}
		int err = stream_flush(&s);
		ck_assert(err == 0 || err == -EAGAIN);
	}
	ck_assert_uint_eq(stream_tx_pending(&s), 0);
	ck_assert_int_eq(stream_flush(&s), 0);
	/* Writing to a closed peer: -EPIPE, not SIGPIPE. */
	close(peer);
	ck_assert_int_eq(stream_send(&s, chunk, 8), -EPIPE);
	stream_close(&s);
	ck_assert_int_eq(stream_send(&s, chunk, 8), -EBADF);
}
END_TEST

/* Reads everything the peer has now; returns the byte count. */
static size_t
drain_some(int peer, size_t max)
{
	static uint8_t sink[1 << 16];
	size_t got = 0;

	while (got < max) {
		ssize_t n = recv(peer, sink, PFS_MIN(sizeof sink, max - got), MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

START_TEST(test_send_compacts)
{
	struct stream s;
	static uint8_t chunk[4096];
	int peer, sz = 4096;
	size_t max_alloc = 0;

	make_pair(&s, &peer);
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	put_msg(chunk, 2, sizeof chunk, 1);
	/* A slow but alive reader: 64 KiB stays queued while 100 MiB pass through. The
	 * buffer must stay near the pending bytes, not grow with the history. */
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(stream_send(&s, chunk, sizeof chunk), 0);
	for (int i = 0; i < 25600; i++) {
		ck_assert_int_eq(stream_send(&s, chunk, sizeof chunk), 0);
		drain_some(peer, sizeof chunk);
		stream_flush(&s);
		max_alloc = PFS_MAX(max_alloc, s.tx.alloc);
	}
	ck_assert_uint_le(stream_tx_pending(&s), 80u << 10);
	ck_assert_msg(max_alloc <= 512u << 10, "queue buffer grew to %zu bytes", max_alloc);
	stream_close(&s);
	close(peer);
}
END_TEST

START_TEST(test_send_enomem_keeps_stream)
{
	struct stream s;
	static uint8_t a[65535], b[3 * 65535], sink[1 << 19];
	int peer, sz = 4096;
	size_t got = 0, pending;

	make_pair(&s, &peer);
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	put_msg(a, 2, sizeof a, 7);
	for (int i = 0; i < 3; i++)
		put_msg(b + i * 65535, 2, 65535, 8 + (uint32_t)i);
	/* A is partly sent; queueing B (three messages, the queue must grow) fails for
	 * lack of memory. */
	ck_assert_int_eq(stream_send(&s, a, sizeof a), 0);
	pending = stream_tx_pending(&s);
	ck_assert_uint_gt(pending, 0);
	ck_assert_uint_lt(pending, sizeof a);
	pfs_alloc_fail_after(0);
	ck_assert_int_eq(stream_send(&s, b, sizeof b), -ENOMEM);
	pfs_alloc_fail_after(-1);
	ck_assert_uint_eq(stream_tx_pending(&s), pending);
	/* The rest of A still goes out, then B: the peer sees two whole messages. */
	ck_assert_int_eq(stream_send(&s, b, sizeof b), 0);
	while (got < sizeof a + sizeof b) {
		ssize_t n = read(peer, sink + got, sizeof sink - got);
		if (n > 0)
			got += (size_t)n;
		stream_flush(&s);
	}
	ck_assert_uint_eq(got, sizeof a + sizeof b);
	ck_assert_int_eq(memcmp(sink, a, sizeof a), 0);
	ck_assert_int_eq(memcmp(sink + sizeof a, b, sizeof b), 0);
	stream_close(&s);
	close(peer);
}
END_TEST

START_TEST(test_addr_local)
{
	struct stream_addr a;
	char err[128];

	ck_assert_int_eq(stream_addr_parse("ptcp:6653", 0, &a, err, sizeof err), 0);
	ck_assert(stream_addr_is_local(&a));
	ck_assert_int_eq(stream_addr_parse("ptcp:6653:[::1]", 0, &a, err, sizeof err), 0);
	ck_assert(stream_addr_is_local(&a));
	ck_assert_int_eq(stream_addr_parse("punix:/x", 0, &a, err, sizeof err), 0);
	ck_assert(stream_addr_is_local(&a));
	ck_assert_int_eq(stream_addr_parse("ptcp:6653:0.0.0.0", 0, &a, err, sizeof err), 0);
	ck_assert(!stream_addr_is_local(&a));
	ck_assert_int_eq(stream_addr_parse("tcp:10.0.0.1", 6653, &a, err, sizeof err), 0);
	ck_assert(!stream_addr_is_local(&a));
}
END_TEST

START_TEST(test_wait_timeout)
{
	struct stream s;
	uint8_t m[8];
	int peer;

	make_pair(&s, &peer);
	ck_assert_int_eq(stream_wait(&s, 20), -ETIMEDOUT);
	put_msg(m, 2, 8, 1);
	ck_assert_int_eq(write(peer, m, 8), 8);
	ck_assert_int_eq(stream_wait(&s, 1000), 0);
	stream_close(&s);
	close(peer);
}
END_TEST

START_TEST(test_tcp_loopback)
{
	struct stream_addr a, c;
	char name[64], err[128];
	int lfd, cfd, afd, port;
	struct stream s1, s2;
	uint8_t m[16];
	const uint8_t *msg;
	size_t len;

	ck_assert_int_eq(stream_addr_parse("ptcp:0:127.0.0.1", 0, &a, err, sizeof err), 0);
	lfd = stream_listen(&a);
	ck_assert_int_ge(lfd, 0);
	port = stream_local_port(lfd);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(stream_accept(lfd), -EAGAIN);
	snprintf(name, sizeof name, "tcp:127.0.0.1:%d", port);
	ck_assert_int_eq(stream_addr_parse(name, 6653, &c, err, sizeof err), 0);
	ck_assert_int_eq(stream_connect(&a, 100), -EINVAL);
	cfd = stream_connect(&c, 1000);
	ck_assert_int_ge(cfd, 0);
	do
		afd = stream_accept(lfd);
	while (afd == -EAGAIN);
	ck_assert_int_ge(afd, 0);
	ck_assert_int_eq(stream_init(&s1, cfd), 0);
	ck_assert_int_eq(stream_init(&s2, afd), 0);
	put_msg(m, 5, 16, 9);
	ck_assert_int_eq(stream_send(&s1, m, 16), 0);
	ck_assert_int_eq(stream_wait(&s2, 1000), 0);
	ck_assert_int_eq(stream_recv(&s2, &msg, &len), 0);
	ck_assert_mem_eq(msg, m, 16);
	stream_close(&s1);
	stream_close(&s2);
	close(lfd);
	/* Nobody listens there any more. */
	ck_assert_int_eq(stream_connect(&c, 1000), -ECONNREFUSED);
	ck_assert_int_eq(stream_listen(&c), -EINVAL);
}
END_TEST

START_TEST(test_unix_loopback)
{
	char dir[] = "/tmp/pfs-stream-XXXXXX", name[128], err[128];
	struct stream_addr a, c;
	struct stat st;
	int lfd, lfd2, cfd, afd;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	umask(0); /* the socket must still be 0600: not chmod-ed after the fact */
	snprintf(name, sizeof name, "punix:%s/sock", dir);
	ck_assert_int_eq(stream_addr_parse(name, 0, &a, err, sizeof err), 0);
	snprintf(name, sizeof name, "unix:%s/sock", dir);
	ck_assert_int_eq(stream_addr_parse(name, 0, &c, err, sizeof err), 0);
	ck_assert_int_eq(stream_connect(&c, 100), -ENOENT);
	lfd = stream_listen(&a);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(stat(a.path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	cfd = stream_connect(&c, 1000);
	ck_assert_int_ge(cfd, 0);
	afd = stream_accept(lfd);
	ck_assert_int_ge(afd, 0);
	close(afd);
	close(cfd);
	close(lfd);
	/* A stale socket file is replaced; a regular file is not. */
	lfd2 = stream_listen(&a);
	ck_assert_int_ge(lfd2, 0);
	close(lfd2);
	unlink(a.path);
	f = fopen(a.path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(stream_listen(&a), -EEXIST);
	unlink(a.path);
	rmdir(dir);
}
END_TEST

/* Listening sockets handed over by another process (pfswitchd --takeover): found by
 * stream_list_listeners(), taken back by stream_listen() on the same address (a
 * connection queued on it survives), the socket file kept once the sockets are handed
 * over. */
START_TEST(test_inherited_listener)
{
	char dir[] = "/tmp/pfs-stream-XXXXXX", name[128], err[128];
	struct stream_addr a, c, t;
	int lfd, cfd, afd, fds[STREAM_MAX_INHERITED], port;
	unsigned n;
	bool found = false;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(name, sizeof name, "punix:%s/sock", dir);
	ck_assert_int_eq(stream_addr_parse(name, 0, &a, err, sizeof err), 0);
	snprintf(name, sizeof name, "unix:%s/sock", dir);
	ck_assert_int_eq(stream_addr_parse(name, 0, &c, err, sizeof err), 0);
	lfd = stream_listen(&a);
	ck_assert_int_ge(lfd, 0);
	n = stream_list_listeners(fds, STREAM_MAX_INHERITED, -1);
	for (unsigned i = 0; i < n; i++)
		found |= fds[i] == lfd;
	ck_assert(found);
	ck_assert_uint_eq(stream_list_listeners(fds, STREAM_MAX_INHERITED, lfd), n - 1);
	/* A client queued before the handover is accepted after it. */
	cfd = stream_connect(&c, 1000);
	ck_assert_int_ge(cfd, 0);
	ck_assert_int_eq(stream_inherit_listener(dup(lfd)), 0);
	ck_assert_int_eq(stream_inherit_listener(cfd), -ENOTSOCK); /* not listening */
	close(lfd);
	lfd = stream_listen(&a);
	ck_assert_int_ge(lfd, 0);
	afd = stream_accept(lfd);
	ck_assert_int_ge(afd, 0);
	close(afd);
	close(cfd);
	ck_assert_uint_eq(stream_inherited_close_unused(), 0);
	/* Kept files: the new process owns them. */
	stream_keep_socket_files(true);
	stream_unlink_listener(a.path);
	ck_assert_int_eq(access(a.path, F_OK), 0);
	stream_keep_socket_files(false);
	stream_unlink_listener(a.path);
	ck_assert_int_ne(access(a.path, F_OK), 0);
	close(lfd);
	/* ptcp: a fixed port is taken over; an unused inherited socket is closed. */
	ck_assert_int_eq(stream_addr_parse("ptcp:0:127.0.0.1", 0, &t, err, sizeof err), 0);
	lfd = stream_listen(&t);
	ck_assert_int_ge(lfd, 0);
	port = stream_local_port(lfd);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(stream_inherit_listener(dup(lfd)), 0);
	snprintf(name, sizeof name, "ptcp:%d:127.0.0.1", port);
	ck_assert_int_eq(stream_addr_parse(name, 0, &t, err, sizeof err), 0);
	close(lfd);
	lfd = stream_listen(&t); /* the inherited one: a fresh bind could fail */
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(stream_local_port(lfd), port);
	ck_assert_int_eq(stream_inherit_listener(dup(lfd)), 0);
	ck_assert_uint_eq(stream_inherited_close_unused(), 1);
	close(lfd);
	rmdir(dir);
}
END_TEST

START_TEST(test_init_enomem)
{
	struct stream s;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pfs_alloc_fail_after(0);
	ck_assert_int_eq(stream_init(&s, sv[0]), -ENOMEM);
	pfs_alloc_fail_after(-1);
	stream_close(&s); /* fd is still the caller's */
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ---- TLS ---------------------------------------------------------------------------- */

static struct stream_tls_ctx *
tls_ctx(const char *key, const char *cert, const char *ca)
{
	char k[128], c[128], a[128], err[512];
	struct stream_tls_config tc = { k, c, a, true };
	struct stream_tls_ctx *ctx;

	snprintf(k, sizeof k, "%s/%s", certdir, key);
	snprintf(c, sizeof c, "%s/%s", certdir, cert);
	snprintf(a, sizeof a, "%s/%s", certdir, ca);
	ck_assert_msg(!stream_tls_ctx_create(&tc, &ctx, err, sizeof err), "%s", err);
	return ctx;
}

/* A connected loopback TCP pair: *lfd listening, *cfd connected, *afd accepted. */
static void
tcp_pair(int *cfd, int *afd)
{
	struct stream_addr a, c;
	char name[64], err[128];
	int lfd;

	ck_assert_int_eq(stream_addr_parse("pssl:0:127.0.0.1", 0, &a, err, sizeof err), 0);
	lfd = stream_listen(&a);
	ck_assert_int_ge(lfd, 0);
	snprintf(name, sizeof name, "ssl:127.0.0.1:%d", stream_local_port(lfd));
	ck_assert_int_eq(stream_addr_parse(name, 6653, &c, err, sizeof err), 0);
	*cfd = stream_connect(&c, 1000);
	ck_assert_int_ge(*cfd, 0);
	do
		*afd = stream_accept(lfd);
	while (*afd == -EAGAIN);
	ck_assert_int_ge(*afd, 0);
	close(lfd);
}

static void
tls_pair(struct stream_tls_ctx *sctx, struct stream_tls_ctx *cctx, struct stream *srv,
	 struct stream *cli)
{
	int cfd, afd;

	tcp_pair(&cfd, &afd);
	ck_assert_int_eq(stream_init(cli, cfd), 0);
	ck_assert_int_eq(stream_init(srv, afd), 0);
	ck_assert_int_eq(stream_tls_start(cli, cctx, false), 0);
	ck_assert_int_eq(stream_tls_start(srv, sctx, true), 0);
}

/* Drives both ends in this thread until `to` returns a message or either end fails:
 * the first result other than -EAGAIN, with *failed the end it came from. */
static int
pump(struct stream *from, struct stream *to, const uint8_t **msg, size_t *len,
     struct stream **failed)
{
	for (int i = 0; i < 5000; i++) {
		const uint8_t *m;
		size_t l;
		int r = stream_flush(from);

		*failed = from;
		if (r && r != -EAGAIN)
			return r;
		*failed = to;
		r = stream_recv(to, msg, len);
		if (r != -EAGAIN)
			return r;
		/* from reads too: the handshake goes both ways. */
		*failed = from;
		r = stream_recv(from, &m, &l);
		if (r != -EAGAIN)
			return r ? r : -EBADMSG;
		usleep(500);
	}
	return -ETIMEDOUT;
}

START_TEST(test_tls_session)
{
	struct stream_tls_ctx *sctx = tls_ctx("switch-key.pem", "switch-cert.pem", "ca.pem");
	struct stream_tls_ctx *cctx = tls_ctx("ctl-key.pem", "ctl-cert.pem", "ca.pem");
	static uint8_t big[4][60000];
	struct stream srv, cli, *failed;
	const uint8_t *msg;
	uint8_t m[16];
	size_t len;

	tls_pair(sctx, cctx, &srv, &cli);
	put_msg(m, 0, 16, 1);
	ck_assert_int_eq(stream_send(&cli, m, 16), 0); /* queued behind the handshake */
	ck_assert_int_eq(pump(&cli, &srv, &msg, &len, &failed), 0);
	ck_assert_mem_eq(msg, m, 16);
	ck_assert_str_eq(stream_tls_peer_subject(&srv), "/CN=pfs-controller");
	ck_assert_str_eq(stream_tls_peer_subject(&cli), "/CN=pfs-switch");
	/* Messages larger than a TLS record, several per write. */
	for (int i = 0; i < 4; i++) {
		put_msg(big[i], 19, sizeof big[i], 100 + i);
		ck_assert_int_eq(stream_send(&srv, big[i], sizeof big[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pump(&srv, &cli, &msg, &len, &failed), 0);
		ck_assert_uint_eq(len, sizeof big[i]);
		ck_assert_mem_eq(msg, big[i], len);
	}
	ck_assert(!stream_want_write(&srv));
	/* An orderly close (close_notify) reads as the end of the stream. */
	stream_close(&cli);
	ck_assert_int_eq(stream_wait(&srv, 1000), 0);
	ck_assert_int_eq(stream_recv(&srv, &msg, &len), -ECONNRESET);
	stream_close(&srv);
	stream_tls_ctx_destroy(sctx);
	stream_tls_ctx_destroy(cctx);
}
END_TEST

/* A peer whose certificate comes from another CA is refused, with OpenSSL's reason and
 * the peer's address in the error text. */
static void
expect_refused(bool rogue_server, const char *needle)
{
	struct stream_tls_ctx *sctx =
		rogue_server ? tls_ctx("rogue-key.pem", "rogue-cert.pem", "ca.pem")
			     : tls_ctx("switch-key.pem", "switch-cert.pem", "ca.pem");
	struct stream_tls_ctx *cctx =
		rogue_server ? tls_ctx("ctl-key.pem", "ctl-cert.pem", "ca.pem")
			     : tls_ctx("rogue-key.pem", "rogue-cert.pem", "ca.pem");
	struct stream srv, cli, *failed, *verifier;
	const uint8_t *msg;
	uint8_t m[16];
	size_t len;
	int r;

	tls_pair(sctx, cctx, &srv, &cli);
	verifier = rogue_server ? &cli : &srv;
	put_msg(m, 0, 16, 1);
	ck_assert_int_eq(stream_send(&cli, m, 16), 0);
	ck_assert_int_eq(stream_send(&srv, m, 16), 0);
	r = pump(&cli, &srv, &msg, &len, &failed);
	if (failed != verifier) /* the other end failed first on the alert: check ours */
		r = pump(failed == &cli ? &srv : &cli, verifier, &msg, &len, &failed);
	ck_assert_int_eq(r, -EPROTO);
	ck_assert_ptr_eq(failed, verifier);
	ck_assert_msg(strstr(stream_strerror(verifier, r), needle), "\"%s\" lacks \"%s\"",
		      stream_strerror(verifier, r), needle);
	ck_assert_msg(strstr(stream_strerror(verifier, r), "TLS handshake with 127.0.0.1:"), "%s",
		      stream_strerror(verifier, r));
	stream_close(&srv);
	stream_close(&cli);
	stream_tls_ctx_destroy(sctx);
	stream_tls_ctx_destroy(cctx);
}

START_TEST(test_tls_untrusted_client)
{
	expect_refused(false, "certificate verify failed");
}
END_TEST

START_TEST(test_tls_untrusted_server)
{
	expect_refused(true, "certificate verify failed");
}
END_TEST

/* A client that offers at most TLS 1.1 is refused by our server. */
START_TEST(test_tls_old_version)
{
	struct stream_tls_ctx *sctx = tls_ctx("switch-key.pem", "switch-cert.pem", "ca.pem");
	SSL_CTX *old = SSL_CTX_new(TLS_client_method());
	struct stream srv;
	const uint8_t *msg;
	size_t len;
	SSL *ssl;
	int cfd, afd, r = -EAGAIN;

	ck_assert_ptr_nonnull(old);
	SSL_CTX_set_min_proto_version(old, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
	SSL_CTX_set_cipher_list(old, "DEFAULT@SECLEVEL=0");
	tcp_pair(&cfd, &afd);
	ck_assert_int_eq(stream_init(&srv, afd), 0);
	ck_assert_int_eq(stream_tls_start(&srv, sctx, true), 0);
	ssl = SSL_new(old);
	SSL_set_fd(ssl, cfd);
	for (int i = 0; i < 2000 && r == -EAGAIN; i++) {
		SSL_connect(ssl);
		r = stream_recv(&srv, &msg, &len);
		usleep(500);
	}
	ck_assert_int_eq(r, -EPROTO);
	ck_assert_msg(strstr(stream_strerror(&srv, r), "unsupported protocol"), "%s",
		      stream_strerror(&srv, r));
	ck_assert_int_ne(SSL_connect(ssl), 1);
	SSL_free(ssl);
	SSL_CTX_free(old);
	close(cfd);
	stream_close(&srv);
	stream_tls_ctx_destroy(sctx);
}
END_TEST

static void
expect_ctx_error(const char *key, const char *cert, const char *ca, const char *needle)
{
	char k[128], c[128], a[128], err[512] = "";
	struct stream_tls_config tc = { k, c, a, true };
	struct stream_tls_ctx *ctx = NULL;

	snprintf(k, sizeof k, "%s/%s", certdir, key);
	snprintf(c, sizeof c, "%s/%s", certdir, cert);
	snprintf(a, sizeof a, "%s/%s", certdir, ca);
	ck_assert_int_eq(stream_tls_ctx_create(&tc, &ctx, err, sizeof err), -EINVAL);
	ck_assert_ptr_null(ctx);
	ck_assert_msg(strstr(err, needle), "\"%s\" lacks \"%s\"", err, needle);
}

START_TEST(test_tls_ctx_errors)
{
	struct stream_tls_config none = { NULL, NULL, NULL, true };
	struct stream_tls_ctx *ctx;
	char err[256];

	ck_assert_int_eq(stream_tls_ctx_create(&none, &ctx, err, sizeof err), -EINVAL);
	ck_assert(strstr(err, "needs a private key"));
	expect_ctx_error("ctl-key.pem", "switch-cert.pem", "ca.pem", "mismatch");
	expect_ctx_error("nope.pem", "switch-cert.pem", "ca.pem", "private key");
	expect_ctx_error("switch-key.pem", "nope.pem", "ca.pem", "certificate");
	expect_ctx_error("switch-key.pem", "switch-cert.pem", "nope.pem", "CA certificate");
	expect_ctx_error("switch-key.pem", "leaf.ext", "ca.pem", "certificate");
}
END_TEST

static int
make_certs(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "sh %s/../make_certs.sh %s", SRCDIR, dir);
	return system(cmd);
}

static void
remove_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd)) {
		/* a leftover temporary directory is harmless */
	}
}

int
main(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_addr_parse);
	tcase_add_test(tc, test_addr_errors);
	tcase_add_test(tc, test_framing_partial);
	tcase_add_test(tc, test_framing_batch);
	tcase_add_test(tc, test_framing_max);
	tcase_add_test(tc, test_framing_bad_length);
	tcase_add_test(tc, test_eof_mid_message);
	tcase_add_test(tc, test_send_queue);
	tcase_add_test(tc, test_send_compacts);
	tcase_add_test(tc, test_send_enomem_keeps_stream);
	tcase_add_test(tc, test_addr_local);
	tcase_add_test(tc, test_wait_timeout);
	tcase_add_test(tc, test_tcp_loopback);
	tcase_add_test(tc, test_unix_loopback);
	tcase_add_test(tc, test_inherited_listener);
	tcase_add_test(tc, test_init_enomem);
	tcase_add_test(tc, test_tls_session);
	tcase_add_test(tc, test_tls_untrusted_client);
	tcase_add_test(tc, test_tls_untrusted_server);
	tcase_add_test(tc, test_tls_old_version);
	tcase_add_test(tc, test_tls_ctx_errors);
	suite_add_tcase(s, tc);
	snprintf(certdir, sizeof certdir, "/tmp/pfs-tls-XXXXXX");
	if (!mkdtemp(certdir) || make_certs(certdir)) {
		fprintf(stderr, "cannot make test certificates with tests/make_certs.sh\n");
		return 1;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	remove_dir(certdir);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
