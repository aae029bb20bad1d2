/* Unit tests for the infrastructure under the codec: buf (writer and cursor), arena,
 * the allocation fault injector, error names and message framing. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

START_TEST(test_put_and_patch)
{
	struct buf b = BUF_INITIALIZER;
	static const uint8_t want[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
					0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00 };

	buf_put_u8(&b, 1);
	buf_put_be16(&b, 0x9999);
	buf_put_be32(&b, 0x04050607);
	buf_put_be64(&b, 0x08090a0b0c0d0e0full);
	buf_pad_to(&b, 0, 8);
	buf_set_be16(&b, 1, 0x0203);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(b.size, 16);
	ck_assert_mem_eq(b.data, want, sizeof want);
	/* Out-of-range patches are ignored, not written past the end. */
	buf_set_be32(&b, 14, 0xffffffff);
	ck_assert_uint_eq(b.data[14], 0x0f);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_printf_grows)
{
	struct buf b = BUF_INITIALIZER;

	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert_uint_eq(strlen(buf_cstr(&b)), b.size);
	ck_assert(!strncmp(buf_cstr(&b), "0,1,2,", 6));
	buf_truncate(&b, 2);
	ck_assert_str_eq(buf_cstr(&b), "0,");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_sticky_enomem)
{
	struct buf b = BUF_INITIALIZER;

	pfs_alloc_fail_after(0);
	buf_put_be32(&b, 1);
	pfs_alloc_fail_after(-1);
	buf_put_be32(&b, 2); /* stays failed even though memory is back */
	ck_assert_int_eq(buf_error(&b), -ENOMEM);
	ck_assert_uint_eq(b.size, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_clear(&b);
	buf_put_be32(&b, 3);
	ck_assert_int_eq(buf_error(&b), 0);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_cursor_bounds)
{
	static const uint8_t data[] = { 0, 1, 2, 3, 4, 5, 6 };
	struct buf_cursor c = buf_cursor(data, sizeof data), sub;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	ck_assert(buf_pull_be16(&c, &v16));
	ck_assert_uint_eq(v16, 0x0001);
	ck_assert(!buf_pull_be64(&c, &v64)); /* 5 left */
	ck_assert_uint_eq(c.left, 5);
	ck_assert_ptr_null(buf_at(&c, 3, 3));
	ck_assert_ptr_nonnull(buf_at(&c, 3, 2));
	ck_assert_ptr_null(buf_at(&c, SIZE_MAX, 2));
	ck_assert(buf_pull_sub(&c, 4, &sub));
	ck_assert(buf_pull_be32(&sub, &v32));
	ck_assert_uint_eq(v32, 0x02030405);
	ck_assert(!buf_pull_sub(&c, 2, &sub));
	ck_assert_ptr_null(buf_pull(&c, SIZE_MAX));
	ck_assert_uint_eq(c.left, 1);
}
END_TEST

START_TEST(test_arena)
{
	struct arena a = ARENA_INITIALIZER;
	uint8_t *p = arena_alloc(&a, 10), *q;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	q = arena_alloc(&a, 100000); /* larger than a chunk */
	ck_assert_ptr_nonnull(q);
	memset(q, 0xab, 100000);
	ck_assert_ptr_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	ck_assert_mem_eq(arena_memdup(&a, "abc", 3), "abc", 3);
	pfs_alloc_fail_after(0);
	ck_assert_ptr_null(arena_alloc(&a, 8192));
	pfs_alloc_fail_after(-1);
	arena_free(&a);
	arena_free(&a);
	arena_free(NULL);
}
END_TEST

START_TEST(test_error_names)
{
	struct ofp_err e = { OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ }, back;
	struct buf b = BUF_INITIALIZER;

	ck_assert_str_eq(ofp_error_type_name(OFPET_FLOW_MOD_FAILED), "FLOW_MOD_FAILED");
	ck_assert_str_eq(ofp_error_code_name(OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_BANDS),
			 "OUT_OF_BANDS");
	ck_assert_ptr_null(ofp_error_code_name(OFPET_BAD_MATCH, 99));
	ofp_error_format(&e, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ");
	ck_assert_int_eq(ofp_error_from_names("OFPET_BAD_MATCH", "OFPBMC_BAD_PREREQ", &back), 0);
	ck_assert_uint_eq(back.type, e.type);
	ck_assert_uint_eq(back.code, e.code);
	ck_assert_int_eq(ofp_error_from_names("bad_match", "nonsense", &back), -ENOENT);
	buf_clear(&b);
	e.type = 77;
	ofp_error_format(&e, &b);
	ck_assert_str_eq(buf_cstr(&b), "type(77)/code(9)");
	ck_assert_int_eq(ofp_err_set(&e, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE), -EPROTO);
	ck_assert_uint_eq(e.type, 0);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_header_check)
{
	struct buf b = BUF_INITIALIZER;
	struct ofp_header_info h;
	struct ofp_err err;
	size_t start = ofp_msg_start(&b, OFPT_ECHO_REQUEST, 0x1234);

	buf_put(&b, "ping", 4);
	ck_assert_int_eq(ofp_msg_finish(&b, start), 0);
	ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), 0);
	ck_assert_uint_eq(h.length, 12);
	ck_assert_uint_eq(h.xid, 0x1234);
	/* Length field disagreeing with the bytes received. */
	ck_assert_int_eq(ofp_header_check(b.data, b.size - 1, &h, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	/* Wrong version. */
	b.data[0] = 0x01;
	ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_VERSION);
	/* Unknown type. */
	b.data[0] = OFP13_VERSION;
	b.data[1] = 200;
	ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_TYPE);
	/* Shorter than the type's fixed part. */
	b.data[1] = OFPT_FLOW_MOD;
	ck_assert_int_eq(ofp_header_check(b.data, b.size, &h, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	ck_assert_int_eq(ofp_msg_type_from_name("ofpt_flow_mod"), OFPT_FLOW_MOD);
	ck_assert_str_eq(ofp_msg_type_name(OFPT_METER_MOD), "METER_MOD");
	/* Oversized messages are refused and rolled back. */
	buf_clear(&b);
	start = ofp_msg_start(&b, OFPT_ECHO_REPLY, 1);
	buf_put_zeros(&b, 70000);
	ck_assert_int_eq(ofp_msg_finish(&b, start), -EMSGSIZE);
	ck_assert_uint_eq(b.size, 0);
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_put_and_patch);
	tcase_add_test(tc, test_printf_grows);
	tcase_add_test(tc, test_sticky_enomem);
	tcase_add_test(tc, test_cursor_bounds);
	tcase_add_test(tc, test_arena);
	tcase_add_test(tc, test_error_names);
	tcase_add_test(tc, test_header_check);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
