/* Unit tests for lib/stream.c: address parsing and its errors, OpenFlow framing over a
 * socketpair (partial reads, several messages per read, bad lengths, EOF), the output
 * queue (partial writes, bound), and connect/listen/accept over loopback TCP and unix
 * sockets. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "stream.h"
#include "util.h"

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
	expect_bad("ssl:1.2.3.4:6653", -EPROTONOSUPPORT, "TLS");
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
	tcase_add_test(tc, test_init_enomem);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
