/* Unit tests for lib/vconn.c against a scripted peer on a socketpair: the peer's bytes
 * are written before the call under test (the vconn's xids are predictable: HELLO is
 * xid 1, the next request xid 2), and what the vconn sent is read back afterwards.
 * Covers HELLO negotiation (bitmap, plain version, refusal with HELLO_FAILED), echo
 * answers while waiting, xid matching, error replies with names, multipart reassembly
 * with REPLY_MORE, barriers collecting errors, timeouts and a closed connection. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "ofp_msg.h"
#include "ofp_switch.h"
#include "openflow.h"
#include "util.h"
#include "vconn.h"

/* A HELLO of version v with an optional version bitmap word. */
static size_t
hello(uint8_t *p, uint8_t v, uint32_t bitmap)
{
	size_t len = bitmap ? 16 : 8;

	memset(p, 0, len);
	p[0] = v;
	p[1] = OFPT_HELLO;
	put_be16(p + 2, (uint16_t)len);
	put_be32(p + 4, 99);
	if (bitmap) {
		put_be16(p + 8, OFPHET_VERSIONBITMAP);
		put_be16(p + 10, 8);
		put_be32(p + 12, bitmap);
	}
	return len;
}

static void
peer_write(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

static void
peer_msg(int fd, uint8_t type, uint32_t xid, const void *body, size_t blen)
{
	uint8_t m[256];

	ck_assert_uint_le(blen + 8, sizeof m);
	m[0] = OFP13_VERSION;
	m[1] = type;
	put_be16(m + 2, (uint16_t)(8 + blen));
	put_be32(m + 4, xid);
	if (blen)
		memcpy(m + 8, body, blen);
	peer_write(fd, m, 8 + blen);
}

/* Reads one message the vconn sent; returns its type, fills *xid and the bytes. */
static uint8_t
peer_read(int fd, uint32_t *xid, uint8_t *out, size_t outlen)
{
	uint8_t h[8];
	size_t len;

	ck_assert_int_eq(read(fd, h, 8), 8);
	len = get_be16(h + 2);
	ck_assert_uint_ge(len, 8);
	ck_assert_uint_le(len, outlen);
	memcpy(out, h, 8);
	if (len > 8)
		ck_assert_int_eq(read(fd, out + 8, len - 8), (ssize_t)(len - 8));
	if (xid)
		*xid = get_be32(h + 4);
	return h[1];
}

static struct vconn *
open_with(uint8_t version, uint32_t bitmap, int *peer, int want, const char *errneedle)
{
	uint8_t m[64];
	char err[256] = "";
	struct vconn *vc = NULL;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	peer_write(sv[1], m, hello(m, version, bitmap));
	ck_assert_int_eq(vconn_open_fd(sv[0], "test", 1000, &vc, err, sizeof err), want);
	if (errneedle)
		ck_assert_msg(strstr(err, errneedle), "error \"%s\" lacks \"%s\"", err, errneedle);
	/* Our HELLO went out first, with xid 1 and a bitmap naming only 1.3. */
	uint32_t xid;
	ck_assert_uint_eq(peer_read(sv[1], &xid, m, sizeof m), OFPT_HELLO);
	ck_assert_uint_eq(xid, 1);
	ck_assert_uint_eq(m[0], OFP13_VERSION);
	*peer = sv[1];
	return vc;
}

START_TEST(test_hello_bitmap)
{
	int peer;
	struct vconn *vc = open_with(6, (1u << 4) | (1u << 6), &peer, 0, NULL);

	ck_assert_ptr_nonnull(vc);
	ck_assert_uint_eq(vc->version, OFP13_VERSION);
	vconn_close(vc);
	close(peer);
}
END_TEST

START_TEST(test_hello_plain_version)
{
	int peer;
	struct vconn *vc = open_with(5, 0, &peer, 0, NULL); /* min(4, 5) = 4 */

	ck_assert_ptr_nonnull(vc);
	vconn_close(vc);
	close(peer);
}
END_TEST

START_TEST(test_hello_incompatible)
{
	uint8_t m[256];
	int peer;
	struct vconn *vc = open_with(1, 0, &peer, -EPROTO, "does not speak OpenFlow 1.3");

	ck_assert_ptr_null(vc);
	/* The peer is told why: HELLO_FAILED/INCOMPATIBLE. */
	ck_assert_uint_eq(peer_read(peer, NULL, m, sizeof m), OFPT_ERROR);
	ck_assert_uint_eq(get_be16(m + 8), OFPET_HELLO_FAILED);
	ck_assert_uint_eq(get_be16(m + 10), OFPHFC_INCOMPATIBLE);
	close(peer);
	/* A bitmap without 1.3 fails as well. */
	vc = open_with(6, (1u << 1) | (1u << 6), &peer, -EPROTO, "OpenFlow 1.3");
	ck_assert_ptr_null(vc);
	close(peer);
}
END_TEST

START_TEST(test_hello_not_hello)
{
	uint8_t m[64];
	char err[256] = "";
	struct vconn *vc;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	peer_msg(sv[1], OFPT_FEATURES_REQUEST, 5, NULL, 0);
	ck_assert_int_eq(vconn_open_fd(sv[0], "t", 1000, &vc, err, sizeof err), -EPROTO);
	ck_assert(strstr(err, "expected HELLO"));
	close(sv[1]);
	/* Silence: timeout. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(vconn_open_fd(sv[0], "t", 50, &vc, err, sizeof err), -ETIMEDOUT);
	ck_assert(strstr(err, "timed out"));
	ck_assert_uint_eq(peer_read(sv[1], NULL, m, sizeof m), OFPT_HELLO);
	close(sv[1]);
	/* Closed: reset. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	err[0] = '\0';
	ck_assert_int_lt(vconn_open_fd(sv[0], "t", 1000, &vc, err, sizeof err), 0);
	ck_assert_ptr_null(vc);
}
END_TEST

START_TEST(test_open_unreachable)
{
	char err[256] = "";
	struct vconn *vc;

	ck_assert_int_eq(vconn_open("unix:/nonexistent/dir/sock", 100, &vc, err, sizeof err),
			 -ENOENT);
	ck_assert(strstr(err, "cannot connect to unix:/nonexistent/dir/sock"));
	ck_assert_int_eq(vconn_open("bogus", 100, &vc, err, sizeof err), -EINVAL);
	ck_assert(strstr(err, "expected tcp:"));
	ck_assert_int_eq(vconn_open("ptcp:6653", 100, &vc, err, sizeof err), -EINVAL);
}
END_TEST

START_TEST(test_transact_echo_and_xid)
{
	struct buf req = BUF_INITIALIZER, reply = BUF_INITIALIZER;
	uint8_t m[256], payload[4] = { 1, 2, 3, 4 };
	uint32_t xid;
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	/* Before the reply: an echo request, an unrelated message, a stale reply. */
	peer_msg(peer, OFPT_ECHO_REQUEST, 77, payload, sizeof payload);
	peer_msg(peer, OFPT_PORT_STATUS, 0, NULL, 0);
	peer_msg(peer, OFPT_GET_CONFIG_REPLY, 1234, "\0\0\0\x80", 4);
	peer_msg(peer, OFPT_GET_CONFIG_REPLY, 2, "\0\0\xff\xff", 4);
	ck_assert_int_eq(ofp_empty_encode(OFPT_GET_CONFIG_REQUEST, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(vconn_transact(vc, &req, &reply), 0);
	ck_assert_uint_eq(reply.size, 12);
	ck_assert_uint_eq(get_be32(reply.data + 4), 2);
	ck_assert_uint_eq(get_be16(reply.data + 10), 0xffff);
	/* The peer saw the request and then the echo reply with the same xid and data. */
	ck_assert_uint_eq(peer_read(peer, &xid, m, sizeof m), OFPT_GET_CONFIG_REQUEST);
	ck_assert_uint_eq(xid, 2);
	ck_assert_uint_eq(peer_read(peer, &xid, m, sizeof m), OFPT_ECHO_REPLY);
	ck_assert_uint_eq(xid, 77);
	ck_assert_mem_eq(m + 8, payload, 4);
	buf_uninit(&req);
	buf_uninit(&reply);
	vconn_close(vc);
	close(peer);
}
END_TEST

START_TEST(test_send_enomem_keeps_session)
{
	struct buf req = BUF_INITIALIZER, reply = BUF_INITIALIZER, big = BUF_INITIALIZER;
	uint8_t m[256];
	uint32_t xid;
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	/* A batch that needs the queue to grow fails whole with -ENOMEM... */
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(ofp_empty_encode(OFPT_BARRIER_REQUEST, 500 + (uint32_t)i, &big),
				 0);
	pfs_alloc_fail_after(0);
	ck_assert_int_eq(vconn_send(vc, big.data, big.size), -ENOMEM);
	pfs_alloc_fail_after(-1);
	/* ...and the session goes on: nothing of it reached the peer. */
	peer_msg(peer, OFPT_GET_CONFIG_REPLY, 2, "\0\0\xff\xff", 4);
	ck_assert_int_eq(ofp_empty_encode(OFPT_GET_CONFIG_REQUEST, vconn_next_xid(vc), &req), 0);
	ck_assert_int_eq(vconn_transact(vc, &req, &reply), 0);
	ck_assert_uint_eq(peer_read(peer, &xid, m, sizeof m), OFPT_GET_CONFIG_REQUEST);
	ck_assert_uint_eq(xid, 2);
	buf_uninit(&big);
	buf_uninit(&req);
	buf_uninit(&reply);
	vconn_close(vc);
	close(peer);
}
END_TEST

START_TEST(test_transact_error)
{
	struct buf req = BUF_INITIALIZER, reply = BUF_INITIALIZER;
	uint8_t body[4 + 8];
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	put_be16(body, OFPET_BAD_MATCH);
	put_be16(body + 2, OFPBMC_BAD_PREREQ);
	memset(body + 4, 0, 8);
	peer_msg(peer, OFPT_ERROR, 2, body, sizeof body);
	ofp_empty_encode(OFPT_BARRIER_REQUEST, vconn_next_xid(vc), &req);
	ck_assert_int_eq(vconn_transact(vc, &req, &reply), -EPROTO);
	ck_assert_uint_eq(vc->error.type, OFPET_BAD_MATCH);
	ck_assert_uint_eq(vc->error.code, OFPBMC_BAD_PREREQ);
	ck_assert_uint_eq(vc->error_xid, 2);
	ck_assert_str_eq(vconn_error_text(vc), "OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ");
	/* Nothing more comes: timeout; then the peer goes away: reset. */
	vc->timeout_ms = 30;
	buf_clear(&req);
	ofp_empty_encode(OFPT_BARRIER_REQUEST, vconn_next_xid(vc), &req);
	ck_assert_int_eq(vconn_transact(vc, &req, &reply), -ETIMEDOUT);
	/* The deadline bounds waits too. */
	vc->timeout_ms = -1;
	vconn_set_deadline(vc, 20);
	ck_assert_int_eq(vconn_transact(vc, &req, &reply), -ETIMEDOUT);
	vconn_set_deadline(vc, -1);
	vc->timeout_ms = 1000;
	close(peer);
	ck_assert_int_lt(vconn_transact(vc, &req, &reply), 0);
	buf_uninit(&req);
	buf_uninit(&reply);
	vconn_close(vc);
}
END_TEST

static void
mp_reply(int peer, uint32_t xid, uint16_t type, uint16_t flags, const void *body, size_t n)
{
	uint8_t m[200];

	put_be16(m, type);
	put_be16(m + 2, flags);
	memset(m + 4, 0, 4);
	memcpy(m + 8, body, n);
	peer_msg(peer, OFPT_MULTIPART_REPLY, xid, m, 8 + n);
}

static void
mp_request(struct vconn *vc, uint16_t type, struct buf *req)
{
	uint32_t xid = vconn_next_xid(vc);
	size_t start = ofp_msg_start(req, OFPT_MULTIPART_REQUEST, xid);

	buf_put_be16(req, type);
	buf_put_be16(req, 0);
	buf_put_zeros(req, 4);
	ck_assert_int_eq(ofp_msg_finish(req, start), 0);
}

START_TEST(test_dump_reassembly)
{
	struct buf req = BUF_INITIALIZER, body = BUF_INITIALIZER;
	uint8_t e1[24], e2[24], err[12];
	uint16_t type = 0;
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	/* OFPMP_TABLE in two parts (24-byte entries), interleaved with an echo. */
	memset(e1, 1, sizeof e1);
	memset(e2, 2, sizeof e2);
	mp_reply(peer, 2, OFPMP_TABLE, OFPMPF_REPLY_MORE, e1, sizeof e1);
	peer_msg(peer, OFPT_ECHO_REQUEST, 5, NULL, 0);
	mp_reply(peer, 2, OFPMP_TABLE, 0, e2, sizeof e2);
	mp_request(vc, OFPMP_TABLE, &req);
	ck_assert_int_eq(vconn_dump(vc, &req, &type, &body), 0);
	ck_assert_uint_eq(type, OFPMP_TABLE);
	ck_assert_uint_eq(body.size, 48);
	ck_assert_mem_eq(body.data, e1, 24);
	ck_assert_mem_eq(body.data + 24, e2, 24);

	/* A reply of another multipart type is refused. */
	buf_clear(&req);
	mp_reply(peer, 3, OFPMP_PORT_DESC, 0, e1, 0);
	mp_request(vc, OFPMP_TABLE, &req);
	ck_assert_int_eq(vconn_dump(vc, &req, &type, &body), -EPROTO);
	ck_assert(strstr(vconn_error_text(vc), "multipart reply of type"));

	/* An error reply after a first part. */
	buf_clear(&req);
	mp_reply(peer, 4, OFPMP_TABLE, OFPMPF_REPLY_MORE, e1, sizeof e1);
	put_be16(err, OFPET_BAD_REQUEST);
	put_be16(err + 2, OFPBRC_BAD_MULTIPART);
	memset(err + 4, 0, 8);
	peer_msg(peer, OFPT_ERROR, 4, err, sizeof err);
	mp_request(vc, OFPMP_TABLE, &req);
	ck_assert_int_eq(vconn_dump(vc, &req, &type, &body), -EPROTO);
	ck_assert_str_eq(vconn_error_text(vc), "OFPET_BAD_REQUEST/OFPBRC_BAD_MULTIPART");

	/* A plain reply where a multipart one was due. */
	buf_clear(&req);
	peer_msg(peer, OFPT_BARRIER_REPLY, 5, NULL, 0);
	mp_request(vc, OFPMP_TABLE, &req);
	ck_assert_int_eq(vconn_dump(vc, &req, &type, &body), -EPROTO);
	ck_assert(strstr(vconn_error_text(vc), "unexpected BARRIER_REPLY"));
	buf_uninit(&req);
	buf_uninit(&body);
	vconn_close(vc);
	close(peer);
}
END_TEST

struct seen {
	int n;
	uint32_t xids[4];
	char text[4][64];
};

static void
on_error(void *aux, uint32_t xid, const struct ofp_err *err, const char *text)
{
	struct seen *s = aux;

	(void)err;
	ck_assert_int_lt(s->n, 4);
	s->xids[s->n] = xid;
	strncpy(s->text[s->n], text, sizeof s->text[0] - 1);
	s->n++;
}

static int n_unsolicited;

static void
on_unsolicited(void *aux, const uint8_t *msg, size_t len)
{
	(void)aux;
	(void)len;
	ck_assert_uint_eq(msg[1], OFPT_PACKET_IN);
	n_unsolicited++;
}

START_TEST(test_barrier_collects_errors)
{
	uint8_t body[12] = { 0 }, m[64];
	struct seen s = { 0 };
	uint32_t xid;
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	/* Two flow_mods were sent with xids 10 and 11; 11 failed. Then the barrier (2). */
	put_be16(body, OFPET_FLOW_MOD_FAILED);
	put_be16(body + 2, OFPFMFC_TABLE_FULL);
	peer_msg(peer, OFPT_PACKET_IN, 0, NULL, 0);
	peer_msg(peer, OFPT_ERROR, 11, body, sizeof body);
	peer_msg(peer, OFPT_BARRIER_REPLY, 2, NULL, 0);
	vc->unsolicited = on_unsolicited;
	n_unsolicited = 0;
	ck_assert_int_eq(vconn_barrier(vc, on_error, &s), -EPROTO);
	ck_assert_int_eq(s.n, 1);
	ck_assert_uint_eq(s.xids[0], 11);
	ck_assert_str_eq(s.text[0], "OFPET_FLOW_MOD_FAILED/OFPFMFC_TABLE_FULL");
	ck_assert_int_eq(n_unsolicited, 1);
	ck_assert_uint_eq(peer_read(peer, &xid, m, sizeof m), OFPT_BARRIER_REQUEST);
	ck_assert_uint_eq(xid, 2);
	/* A clean barrier. */
	peer_msg(peer, OFPT_BARRIER_REPLY, 3, NULL, 0);
	ck_assert_int_eq(vconn_barrier(vc, NULL, NULL), 0);
	vconn_close(vc);
	close(peer);
}
END_TEST

/* A snooper's echo requests are copies of the switch's to a controller: shown, not
 * answered. */
START_TEST(test_recv_echo_passthrough)
{
	const uint8_t *msg;
	size_t len;
	uint8_t m[64];
	uint32_t xid;
	int peer, flags;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	vc->echo_passthrough = true;
	peer_msg(peer, OFPT_ECHO_REQUEST, 42, "abc", 3);
	ck_assert_int_eq(vconn_recv(vc, &msg, &len), 0);
	ck_assert_uint_eq(len, 11);
	ck_assert_uint_eq(msg[1], OFPT_ECHO_REQUEST);
	ck_assert_uint_eq(get_be32(msg + 4), 42);
	/* Nothing went back to the peer. */
	flags = fcntl(peer, F_GETFL);
	ck_assert_int_eq(fcntl(peer, F_SETFL, flags | O_NONBLOCK), 0);
	ck_assert_int_eq(read(peer, m, sizeof m), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(fcntl(peer, F_SETFL, flags), 0);
	/* Without the flag the next one is answered and skipped. */
	vc->echo_passthrough = false;
	peer_msg(peer, OFPT_ECHO_REQUEST, 43, NULL, 0);
	peer_msg(peer, OFPT_PORT_STATUS, 44, NULL, 0);
	ck_assert_int_eq(vconn_recv(vc, &msg, &len), 0);
	ck_assert_uint_eq(msg[1], OFPT_PORT_STATUS);
	ck_assert_uint_eq(peer_read(peer, &xid, m, sizeof m), OFPT_ECHO_REPLY);
	ck_assert_uint_eq(xid, 43);
	vconn_close(vc);
	close(peer);
}
END_TEST

START_TEST(test_recv_wrong_version)
{
	const uint8_t *msg;
	size_t len;
	uint8_t m[8] = { 1, OFPT_ECHO_REPLY, 0, 8, 0, 0, 0, 1 };
	int peer;
	struct vconn *vc = open_with(4, 0, &peer, 0, NULL);

	peer_write(peer, m, sizeof m);
	ck_assert_int_eq(vconn_recv(vc, &msg, &len), -EPROTO);
	vconn_close(vc);
	close(peer);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vconn");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_hello_bitmap);
	tcase_add_test(tc, test_hello_plain_version);
	tcase_add_test(tc, test_hello_incompatible);
	tcase_add_test(tc, test_hello_not_hello);
	tcase_add_test(tc, test_open_unreachable);
	tcase_add_test(tc, test_transact_echo_and_xid);
	tcase_add_test(tc, test_transact_error);
	tcase_add_test(tc, test_send_enomem_keeps_session);
	tcase_add_test(tc, test_dump_reassembly);
	tcase_add_test(tc, test_barrier_collects_errors);
	tcase_add_test(tc, test_recv_wrong_version);
	tcase_add_test(tc, test_recv_echo_passthrough);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
