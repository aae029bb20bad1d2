/* Unit tests for lib/ofp_packet.c: PACKET_IN and PACKET_OUT round trips, byte-exact
 * vectors written by hand from the OpenFlow 1.3.5 layouts, every decode error path,
 * truncation at every length and allocation failure. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "ofp_packet.h"
#include "util.h"

#define XID 0x12345678
#define HDR(type, len) 0x04, (type), (uint8_t)((len) >> 8), (uint8_t)(len), 0x12, 0x34, 0x56, 0x78

/* clang-format off */
/* Unbuffered packet-in of a 60-byte frame (first 4 bytes sent), table 0, cookie 5,
 * match in_port=1. */
static const uint8_t pin_vec[] = {
	HDR(OFPT_PACKET_IN, 46),
	0xff, 0xff, 0xff, 0xff,			/* buffer_id */
	0x00, 0x3c, 0x00, 0x00,			/* total_len 60, reason no_match, table 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* cookie */
	0x00, 0x01, 0x00, 0x0c,			/* match: OXM, length 12 */
	0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, /* in_port = 1 */
	0x00, 0x00, 0x00, 0x00,			/* match padding */
	0x00, 0x00,				/* pad */
	0xaa, 0xbb, 0xcc, 0xdd,			/* frame */
};

/* Packet-out of a 4-byte frame from port 1 with output:2. */
static const uint8_t pout_vec[] = {
	HDR(OFPT_PACKET_OUT, 44),
	0xff, 0xff, 0xff, 0xff,			/* buffer_id */
	0x00, 0x00, 0x00, 0x01,			/* in_port */
	0x00, 0x10, 0, 0, 0, 0, 0, 0,		/* actions_len 16, pad */
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, /* output port 2 */
	0xff, 0xff, 0, 0, 0, 0, 0, 0,		/* max_len, pad */
	0x01, 0x02, 0x03, 0x04,			/* frame */
};
/* clang-format on */

static void
assert_bytes(const struct buf *b, const uint8_t *want, size_t n)
{
	ck_assert_int_eq(buf_error(b), 0);
	ck_assert_uint_eq(b->size, n);
	ck_assert_mem_eq(b->data, want, n);
}

static uint8_t *
prefix_copy(const uint8_t *msg, size_t n)
{
	uint8_t *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	memcpy(p, msg, n);
	put_be16(p + 2, (uint16_t)n);
	return p;
}

#define EXPECT_DECODE(FN, TYPE, MSG, LEN, R, ET, EC)                                               \
	do {                                                                                       \
		struct arena a_ = ARENA_INITIALIZER;                                               \
		struct ofp_header_info h_;                                                         \
		struct ofp_err e_ = { 0xeeee, 0xeeee };                                            \
		TYPE out_;                                                                         \
		ck_assert_int_eq(ofp_header_check(MSG, LEN, &h_, &e_), 0);                         \
		ck_assert_int_eq(FN(MSG, LEN, &a_, &out_, &e_), R);                                \
		if ((R) == -EPROTO) {                                                              \
			ck_assert_uint_eq(e_.type, ET);                                            \
			ck_assert_uint_eq(e_.code, EC);                                            \
		}                                                                                  \
		arena_free(&a_);                                                                   \
	} while (0)

#define ALLOC_FAIL_LOOP(FN, TYPE, MSG, LEN)                                                        \
	do {                                                                                       \
		for (long n_ = 0;; n_++) {                                                         \
			struct arena a_ = ARENA_INITIALIZER;                                       \
			struct ofp_err e_;                                                         \
			TYPE out_;                                                                 \
			int r_;                                                                    \
			pfs_alloc_fail_after(n_);                                                  \
			r_ = FN(MSG, LEN, &a_, &out_, &e_);                                        \
			pfs_alloc_fail_after(-1);                                                  \
			arena_free(&a_);                                                           \
			if (!r_)                                                                   \
				break;                                                             \
			ck_assert_int_eq(r_, -ENOMEM);                                             \
			ck_assert_int_lt(n_, 100);                                                 \
		}                                                                                  \
	} while (0)

/* ---- PACKET_IN ---- */

START_TEST(test_packet_in_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_packet_in pin;
	struct ofp_err err;

	EXPECT_DECODE(ofp_packet_in_decode, struct ofp_packet_in, pin_vec, sizeof pin_vec, 0, 0, 0);
	ck_assert_int_eq(ofp_packet_in_decode(pin_vec, sizeof pin_vec, &a, &pin, &err), 0);
	ck_assert_uint_eq(pin.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(pin.total_len, 60);
	ck_assert_uint_eq(pin.reason, OFPR_NO_MATCH);
	ck_assert_uint_eq(pin.table_id, 0);
	ck_assert_uint_eq(pin.cookie, 5);
	ck_assert(oxm_match_has(&pin.match, OFPXMT_OFB_IN_PORT));
	ck_assert_uint_eq(get_be32(oxm_match_value(&pin.match, OFPXMT_OFB_IN_PORT)), 1);
	ck_assert_uint_eq(pin.data.len, 4);
	ck_assert_mem_eq(pin.data.data, "\xaa\xbb\xcc\xdd", 4);
	ck_assert(pin.data.data != pin_vec + 42);
	ck_assert_int_eq(ofp_packet_in_encode(&pin, XID, &b), 0);
	assert_bytes(&b, pin_vec, sizeof pin_vec);
	buf_clear(&b);
	ofp_packet_in_format(&pin, &b);
	ck_assert_str_eq(
		buf_cstr(&b),
		"cookie=0x5 total_len=60 in_port=1 (via no_match) data_len=4 (unbuffered)");
	pin.table_id = 3;
	pin.cookie = UINT64_MAX;
	pin.buffer_id = 0x100;
	pin.reason = 9;
	buf_clear(&b);
	ofp_packet_in_format(&pin, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "table_id=3 total_len=60 in_port=1 (via 9) data_len=4 buffer=0x00000100");
	ck_assert_str_eq(ofp_packet_in_reason_name(OFPR_INVALID_TTL), "invalid_ttl");
	ck_assert_ptr_null(ofp_packet_in_reason_name(3));
	ALLOC_FAIL_LOOP(ofp_packet_in_decode, struct ofp_packet_in, pin_vec, sizeof pin_vec);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_packet_in_minimal)
{
	/* clang-format off */
	/* Empty match, no frame: the 34-byte minimum. */
	static const uint8_t vec[] = {
		HDR(OFPT_PACKET_IN, 34),
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0,
		0x00, 0x00,
	};
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_packet_in pin;
	struct ofp_err err;

	ck_assert_int_eq(ofp_packet_in_decode(vec, sizeof vec, &a, &pin, &err), 0);
	ck_assert_uint_eq(pin.buffer_id, 0x100);
	ck_assert_uint_eq(pin.reason, OFPR_ACTION);
	ck_assert_uint_eq(pin.table_id, 2);
	ck_assert_uint_eq(pin.match.n_fields, 0);
	ck_assert_uint_eq(pin.data.len, 0);
	ck_assert_int_eq(ofp_packet_in_encode(&pin, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ofp_packet_in_format(&pin, &b);
	ck_assert_str_eq(
		buf_cstr(&b),
		"table_id=2 cookie=0x0 total_len=0 (via action) data_len=0 buffer=0x00000100");
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_packet_in_no_prereq)
{
	/* A match with ipv4_src but no eth_type: a flow would fail BAD_PREREQ, a packet-in
	 * match is taken as it is. */
	uint8_t m[sizeof pin_vec];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_packet_in pin;
	struct ofp_err err;

	memcpy(m, pin_vec, sizeof m);
	put_be32(m + 28, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_IPV4_SRC, 0, 4));
	put_be32(m + 32, 0x0a000001);
	ck_assert_int_eq(ofp_packet_in_decode(m, sizeof m, &a, &pin, &err), 0);
	ck_assert(oxm_match_has(&pin.match, OFPXMT_OFB_IPV4_SRC));
	arena_free(&a);
}
END_TEST

/* Patches a copy of pin_vec and expects the given error. */
static void
packet_in_bad(size_t ofs, uint32_t v, int width, uint16_t type, uint16_t code)
{
	uint8_t m[sizeof pin_vec];

	memcpy(m, pin_vec, sizeof m);
	if (width == 2)
		put_be16(m + ofs, (uint16_t)v);
	else
		put_be32(m + ofs, v);
	EXPECT_DECODE(ofp_packet_in_decode, struct ofp_packet_in, m, sizeof m, -EPROTO, type, code);
}

START_TEST(test_packet_in_errors)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_packet_in pin;
	struct ofp_err err;

	packet_in_bad(24, OFPMT_STANDARD, 2, OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	packet_in_bad(26, 3, 2, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);    /* below header */
	packet_in_bad(26, 0x30, 2, OFPET_BAD_MATCH, OFPBMC_BAD_LEN); /* past the end */
	packet_in_bad(26, 0x11, 2, OFPET_BAD_MATCH, OFPBMC_BAD_LEN); /* padded to 24 > 22 */
	/* An in_port TLV claiming 8 bytes of payload. */
	packet_in_bad(28, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_IN_PORT, 0, 8), 4,
		      OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	/* in_port twice: the TLV checks apply. */
	{
		/* clang-format off */
		static const uint8_t dup[] = {
			HDR(OFPT_PACKET_IN, 50),
			0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
			0, 0, 0, 0, 0, 0, 0, 0,
			0x00, 0x01, 0x00, 0x14,
			0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
			0x80, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02,
			0x00, 0x00, 0x00, 0x00,
			0x00, 0x00,
		};
		/* clang-format on */
		EXPECT_DECODE(ofp_packet_in_decode, struct ofp_packet_in, dup, sizeof dup, -EPROTO,
			      OFPET_BAD_MATCH, OFPBMC_DUP_FIELD);
	}
	/* Every prefix: refused until the pad after the match is complete, then a shorter
	 * frame. */
	for (size_t n = OFP_HEADER_LEN; n < sizeof pin_vec; n++) {
		uint8_t *p = prefix_copy(pin_vec, n);
		int r = ofp_packet_in_decode(p, n, &a, &pin, &err);

		if (n < 42)
			ck_assert_msg(r == -EPROTO, "prefix %zu accepted", n);
		else
			ck_assert_int_eq(r, 0);
		free(p);
	}
	arena_free(&a);
}
END_TEST

/* ---- PACKET_OUT ---- */

START_TEST(test_packet_out_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_packet_out po;
	struct ofp_err err;

	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, pout_vec, sizeof pout_vec, 0, 0,
		      0);
	ck_assert_int_eq(ofp_packet_out_decode(pout_vec, sizeof pout_vec, &a, &po, &err), 0);
	ck_assert_uint_eq(po.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(po.in_port, 1);
	ck_assert_uint_eq(po.actions.n, 1);
	ck_assert_uint_eq(po.actions.actions[0].type, OFPAT_OUTPUT);
	ck_assert_uint_eq(po.actions.actions[0].output.port, 2);
	ck_assert_uint_eq(po.data.len, 4);
	ck_assert(po.data.data != pout_vec + 40);
	ck_assert_int_eq(ofp_packet_out_encode(&po, XID, &b), 0);
	assert_bytes(&b, pout_vec, sizeof pout_vec);
	buf_clear(&b);
	ofp_packet_out_format(&po, &b);
	ck_assert_str_eq(buf_cstr(&b), "in_port=1 actions=output:2 data_len=4");
	po.buffer_id = 0x42;
	po.in_port = OFPP_CONTROLLER;
	po.actions.n = 0;
	buf_clear(&b);
	ofp_packet_out_format(&po, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "in_port=CONTROLLER actions=drop buffer=0x00000042 data_len=4");
	po.data.len = 0;
	buf_clear(&b);
	ofp_packet_out_format(&po, &b);
	ck_assert_str_eq(buf_cstr(&b), "in_port=CONTROLLER actions=drop buffer=0x00000042");
	/* Buffered, no actions, no data: the 24-byte minimum. */
	buf_clear(&b);
	ck_assert_int_eq(ofp_packet_out_encode(&po, XID, &b), 0);
	ck_assert_uint_eq(b.size, OFP_PACKET_OUT_LEN);
	ck_assert_uint_eq(get_be16(b.data + 16), 0);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, b.data, b.size, 0, 0, 0);
	ALLOC_FAIL_LOOP(ofp_packet_out_decode, struct ofp_packet_out, pout_vec, sizeof pout_vec);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

static void
packet_out_port(uint32_t port, int r)
{
	uint8_t m[sizeof pout_vec];

	memcpy(m, pout_vec, sizeof m);
	put_be32(m + 12, port);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, m, sizeof m, r,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
}

START_TEST(test_packet_out_errors)
{
	uint8_t m[sizeof pout_vec];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_packet_out po;
	struct ofp_err err;

	packet_out_port(0, -EPROTO);
	packet_out_port(OFPP_MAX + 1, -EPROTO);
	packet_out_port(OFPP_IN_PORT, -EPROTO);
	packet_out_port(OFPP_TABLE, -EPROTO);
	packet_out_port(OFPP_NORMAL, -EPROTO);
	packet_out_port(OFPP_FLOOD, -EPROTO);
	packet_out_port(OFPP_ALL, -EPROTO);
	packet_out_port(OFPP_MAX, 0);
	packet_out_port(OFPP_CONTROLLER, 0);
	packet_out_port(OFPP_LOCAL, 0);
	packet_out_port(OFPP_ANY, 0);
	/* actions_len past the end. */
	memcpy(m, pout_vec, sizeof m);
	put_be16(m + 16, 0x18);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, m, sizeof m, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	put_be16(m + 16, 0xffff);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, m, sizeof m, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	/* An action whose own length disagrees: the action codec's error. */
	memcpy(m, pout_vec, sizeof m);
	put_be16(m + 26, 0x18);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, m, sizeof m, -EPROTO,
		      OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	/* A buffer id with data is allowed. */
	memcpy(m, pout_vec, sizeof m);
	put_be32(m + 8, 7);
	EXPECT_DECODE(ofp_packet_out_decode, struct ofp_packet_out, m, sizeof m, 0, 0, 0);
	/* Every prefix: refused while the actions do not fit, then a shorter frame. */
	for (size_t n = OFP_HEADER_LEN; n < sizeof pout_vec; n++) {
		uint8_t *p = prefix_copy(pout_vec, n);
		int r = ofp_packet_out_decode(p, n, &a, &po, &err);

		if (n < 40)
			ck_assert_msg(r == -EPROTO && err.code == OFPBRC_BAD_LEN, "prefix %zu", n);
		else
			ck_assert_int_eq(r, 0);
		free(p);
	}
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_packet_in_vector);
	tcase_add_test(tc, test_packet_in_minimal);
	tcase_add_test(tc, test_packet_in_no_prereq);
	tcase_add_test(tc, test_packet_in_errors);
	tcase_add_test(tc, test_packet_out_vector);
	tcase_add_test(tc, test_packet_out_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
