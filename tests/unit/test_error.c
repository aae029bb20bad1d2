/* Unit tests for the OFPT_ERROR message codec in lib/ofp_error.c: hand-built vectors,
 * round trips, the experimenter form, ofp_error_reply() and its HELLO_FAILED text,
 * truncation and allocation failure. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

#define HDR(type, len) 0x04, (type), (uint8_t)((len) >> 8), (uint8_t)(len), 0x12, 0x34, 0x56, 0x78

/* clang-format off */
/* BAD_MATCH/BAD_PREREQ carrying the first 8 bytes of a FLOW_MOD with xid 5. */
static const uint8_t error_vec[] = {
	HDR(OFPT_ERROR, 20),
	0x00, 0x04, 0x00, 0x09,
	0x04, 0x0e, 0x00, 0x60, 0x00, 0x00, 0x00, 0x05,
};
/* Experimenter error: exp_type 7, experimenter 0x2320, 4 data bytes. */
static const uint8_t exp_vec[] = {
	HDR(OFPT_ERROR, 20),
	0xff, 0xff, 0x00, 0x07,
	0x00, 0x00, 0x23, 0x20,
	0x01, 0x02, 0x03, 0x04,
};
/* clang-format on */

static void
assert_bytes(const struct buf *b, const uint8_t *want, size_t n)
{
	ck_assert_int_eq(buf_error(b), 0);
	ck_assert_uint_eq(b->size, n);
	ck_assert_mem_eq(b->data, want, n);
}

START_TEST(test_error_msg_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_header_info h;
	struct ofp_error_msg m;
	struct ofp_err err;

	ck_assert_int_eq(ofp_header_check(error_vec, sizeof error_vec, &h, &err), 0);
	ck_assert_int_eq(ofp_error_msg_decode(error_vec, sizeof error_vec, &a, &m, &err), 0);
	ck_assert_uint_eq(m.type, OFPET_BAD_MATCH);
	ck_assert_uint_eq(m.code, OFPBMC_BAD_PREREQ);
	ck_assert_uint_eq(m.data.len, 8);
	ck_assert_mem_eq(m.data.data, error_vec + 12, 8);
	ck_assert(m.data.data != error_vec + 12);
	ck_assert_int_eq(ofp_error_msg_encode(&m, 0x12345678, &b), 0);
	assert_bytes(&b, error_vec, sizeof error_vec);
	buf_clear(&b);
	ofp_error_msg_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "OFPBMC_BAD_PREREQ\nOFPT_FLOW_MOD (OF1.3) (xid=0x5): 8 of 96 bytes");
	/* Unknown code, no data. */
	m.code = 99;
	m.data.len = 0;
	buf_clear(&b);
	ofp_error_msg_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPET_BAD_MATCH/code(99)");
	/* Data shorter than a header. */
	m.code = OFPBMC_BAD_PREREQ;
	m.data.len = 3;
	buf_clear(&b);
	ofp_error_msg_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPBMC_BAD_PREREQ\n(3 bytes of a truncated header)");
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_error_msg_experimenter)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_error_msg m;
	struct ofp_err err;

	ck_assert_int_eq(ofp_error_msg_decode(exp_vec, sizeof exp_vec, &a, &m, &err), 0);
	ck_assert_uint_eq(m.type, OFPET_EXPERIMENTER);
	ck_assert_uint_eq(m.code, 7);
	ck_assert_uint_eq(m.experimenter, 0x2320);
	ck_assert_uint_eq(m.data.len, 4);
	ck_assert_int_eq(ofp_error_msg_encode(&m, 0x12345678, &b), 0);
	assert_bytes(&b, exp_vec, sizeof exp_vec);
	buf_clear(&b);
	m.data.len = 0;
	ofp_error_msg_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPET_EXPERIMENTER experimenter=0x00002320 exp_type=7");
	/* 12..15 bytes pass ofp_header_check but cannot hold the experimenter id. */
	for (size_t n = OFP_ERROR_MSG_LEN; n < OFP_ERROR_EXPERIMENTER_MSG_LEN; n++) {
		uint8_t *p = malloc(n);
		struct ofp_header_info h;

		memcpy(p, exp_vec, n);
		put_be16(p + 2, (uint16_t)n);
		ck_assert_int_eq(ofp_header_check(p, n, &h, &err), 0);
		err.type = err.code = 0xeeee;
		ck_assert_int_eq(ofp_error_msg_decode(p, n, &a, &m, &err), -EPROTO);
		ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
		free(p);
	}
	/* Below the 12-byte minimum the decoder still refuses rather than reading past. */
	for (size_t n = OFP_HEADER_LEN; n < OFP_ERROR_MSG_LEN; n++) {
		uint8_t *p = malloc(n);

		memcpy(p, error_vec, n);
		ck_assert_int_eq(ofp_error_msg_decode(p, n, &a, &m, &err), -EPROTO);
		free(p);
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_error_msg_alloc_fail)
{
	for (long n = 0;; n++) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_error_msg m;
		struct ofp_err err;
		int r;

		pfs_alloc_fail_after(n);
		r = ofp_error_msg_decode(error_vec, sizeof error_vec, &a, &m, &err);
		pfs_alloc_fail_after(-1);
		arena_free(&a);
		if (!r)
			break;
		ck_assert_int_eq(r, -ENOMEM);
		ck_assert_int_lt(n, 100);
	}
}
END_TEST

START_TEST(test_error_msg_too_big)
{
	static uint8_t big[65530];
	struct ofp_error_msg m = { OFPET_BAD_REQUEST, OFPBRC_BAD_LEN, 0, { big, sizeof big } };
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_error_msg_encode(&m, 1, &b), -EMSGSIZE);
	ck_assert_uint_eq(b.size, 0);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_error_reply)
{
	struct ofp_err e = { OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE };
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_header_info h;
	struct ofp_error_msg m;
	struct ofp_err err;
	uint8_t req[100];

	for (size_t i = 0; i < sizeof req; i++)
		req[i] = (uint8_t)i;
	req[0] = 0x04;
	req[1] = 99;
	put_be16(req + 2, sizeof req);
	put_be32(req + 4, 0xabcd);
	/* Long request: its xid and its first 64 bytes. */
	ck_assert_int_eq(ofp_error_reply(&e, req, sizeof req, &b), 0);
	ck_assert_uint_eq(b.size, OFP_ERROR_MSG_LEN + OFP_ERROR_REPLY_DATA_MAX);
	ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), 0);
	ck_assert_uint_eq(h.type, OFPT_ERROR);
	ck_assert_uint_eq(h.xid, 0xabcd);
	ck_assert_uint_eq(get_be16(b.data + 8), OFPET_BAD_REQUEST);
	ck_assert_uint_eq(get_be16(b.data + 10), OFPBRC_BAD_TYPE);
	ck_assert_mem_eq(b.data + 12, req, 64);
	/* Short request: all of it. */
	buf_clear(&b);
	ck_assert_int_eq(ofp_error_reply(&e, req, 20, &b), 0);
	ck_assert_uint_eq(b.size, 32);
	ck_assert_mem_eq(b.data + 12, req, 20);
	/* Fewer bytes than a header: xid 0. */
	buf_clear(&b);
	ck_assert_int_eq(ofp_error_reply(&e, req, 3, &b), 0);
	ck_assert_uint_eq(b.size, 15);
	ck_assert_uint_eq(get_be32(b.data + 4), 0);
	/* Nothing at all. */
	buf_clear(&b);
	ck_assert_int_eq(ofp_error_reply(&e, NULL, 0, &b), 0);
	ck_assert_uint_eq(b.size, 12);
	ck_assert_int_eq(ofp_error_reply(&e, NULL, 5, &b), -EINVAL);
	/* HELLO_FAILED carries text naming the peer's version, not the hello. */
	{
		static const uint8_t hello10[] = { 0x01, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x2a };
		struct ofp_err hf = { OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE };

		buf_clear(&b);
		ck_assert_int_eq(ofp_error_reply(&hf, hello10, sizeof hello10, &b), 0);
		ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), 0);
		ck_assert_uint_eq(h.xid, 0x2a);
		ck_assert_int_eq(ofp_error_msg_decode(b.data, b.size, &a, &m, &err), 0);
		ck_assert_uint_eq(m.type, OFPET_HELLO_FAILED);
		ck_assert_uint_eq(m.code, OFPHFC_INCOMPATIBLE);
		for (size_t i = 0; i < m.data.len; i++)
			ck_assert(m.data.data[i] >= 0x20 && m.data.data[i] < 0x7f);
		ck_assert(memmem(m.data.data, m.data.len, "0x01", 4));
		buf_clear(&b);
		ofp_error_msg_format(&m, &b);
		ck_assert(!strncmp(buf_cstr(&b), "OFPHFC_INCOMPATIBLE\npfswitch speaks", 35));
		hf.code = OFPHFC_EPERM;
		buf_clear(&b);
		ck_assert_int_eq(ofp_error_reply(&hf, hello10, sizeof hello10, &b), 0);
		ck_assert_uint_gt(b.size, 12);
	}
	/* Allocation failure surfaces as -ENOMEM. */
	buf_uninit(&b);
	pfs_alloc_fail_after(0);
	ck_assert_int_eq(ofp_error_reply(&e, req, sizeof req, &b), -ENOMEM);
	pfs_alloc_fail_after(-1);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_error_msg_format_text)
{
	static const uint8_t text[] = { 'h', 'i', 0x01 };
	struct ofp_error_msg m = { OFPET_HELLO_FAILED, OFPHFC_EPERM, 0, { text, sizeof text } };
	struct buf b = BUF_INITIALIZER;

	ofp_error_msg_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPHFC_EPERM\nhi\\x01");
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_error_msg_vector);
	tcase_add_test(tc, test_error_msg_experimenter);
	tcase_add_test(tc, test_error_msg_alloc_fail);
	tcase_add_test(tc, test_error_msg_too_big);
	tcase_add_test(tc, test_error_reply);
	tcase_add_test(tc, test_error_msg_format_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
