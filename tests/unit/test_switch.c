/* Unit tests for lib/ofp_switch.c: every control message's round trip, byte-exact
 * vectors written by hand from the OpenFlow 1.3.5 layouts, every decode error path,
 * truncation at every length, allocation failure, and HELLO version negotiation. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "ofp_switch.h"
#include "util.h"

#define XID 0x12345678
#define HDR(type, len) 0x04, (type), (uint8_t)((len) >> 8), (uint8_t)(len), 0x12, 0x34, 0x56, 0x78

static void
assert_bytes(const struct buf *b, const uint8_t *want, size_t n)
{
	ck_assert_int_eq(buf_error(b), 0);
	ck_assert_uint_eq(b->size, n);
	ck_assert_mem_eq(b->data, want, n);
}

/* A heap copy of exactly n bytes of msg with the length field patched to n, so that
 * ASan sees any read past the end. */
static uint8_t *
prefix_copy(const uint8_t *msg, size_t n)
{
	uint8_t *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	memcpy(p, msg, n);
	put_be16(p + 2, (uint16_t)n);
	return p;
}

/* Decodes msg with FN after ofp_header_check; expects r, and if r is -EPROTO the error
 * {T, C}. */
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

/* Decodes every prefix from the header on with its length patched; each must give
 * 0 or -EPROTO (ALL_FAIL: -EPROTO) and never read out of bounds. */
#define TRUNCATE_ALL(FN, TYPE, MSG, LEN, ALL_FAIL)                                                 \
	do {                                                                                       \
		for (size_t n_ = OFP_HEADER_LEN; n_ < (LEN); n_++) {                               \
			struct arena a_ = ARENA_INITIALIZER;                                       \
			struct ofp_err e_;                                                         \
			uint8_t *p_ = prefix_copy(MSG, n_);                                        \
			TYPE out_;                                                                 \
			int r_ = FN(p_, n_, &a_, &out_, &e_);                                      \
			ck_assert(r_ == 0 || r_ == -EPROTO);                                       \
			if (ALL_FAIL)                                                              \
				ck_assert_msg(r_ == -EPROTO, "prefix %zu accepted", n_);           \
			free(p_);                                                                  \
			arena_free(&a_);                                                           \
		}                                                                                  \
	} while (0)

/* Fails the (n+1)th allocation for n = 0, 1, ... until decoding succeeds. */
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

/* ---- empty messages ---- */

START_TEST(test_empty)
{
	/* clang-format off */
	static const uint8_t types[] = { OFPT_FEATURES_REQUEST, OFPT_GET_CONFIG_REQUEST,
					 OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY,
					 OFPT_GET_ASYNC_REQUEST };
	/* clang-format on */
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;

	for (size_t i = 0; i < sizeof types; i++) {
		const uint8_t want[] = { HDR(types[i], 8) };
		uint8_t longer[] = { HDR(types[i], 9), 0 };

		buf_clear(&b);
		ck_assert(ofp_empty_type(types[i]));
		ck_assert_int_eq(ofp_empty_encode(types[i], XID, &b), 0);
		assert_bytes(&b, want, sizeof want);
		ck_assert_int_eq(ofp_empty_decode(want, sizeof want, &err), 0);
		ck_assert_int_eq(ofp_empty_decode(longer, sizeof longer, &err), -EPROTO);
		ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	{
		const uint8_t echo[] = { HDR(OFPT_ECHO_REQUEST, 8) };

		ck_assert(!ofp_empty_type(OFPT_ECHO_REQUEST));
		ck_assert(!ofp_empty_type(200));
		ck_assert_int_eq(ofp_empty_decode(echo, sizeof echo, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_TYPE);
		ck_assert_int_eq(ofp_empty_encode(OFPT_ECHO_REQUEST, 1, &b), -EINVAL);
	}
	buf_uninit(&b);
}
END_TEST

/* ---- HELLO ---- */

/* Version 0x04 hello: an unknown element (type 7, 2 body bytes, padded to 8), then a
 * two-word version bitmap {1.0, 1.3, version 0x20} padded to 16. */
/* clang-format off */
static const uint8_t hello_vec[] = {
	HDR(OFPT_HELLO, 32),
	0x00, 0x07, 0x00, 0x06, 0xaa, 0xbb, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
};
/* clang-format on */

START_TEST(test_hello_default)
{
	/* clang-format off */
	static const uint8_t want[] = { HDR(OFPT_HELLO, 16), 0x00, 0x01, 0x00, 0x08,
					0x00, 0x00, 0x00, 0x10 };
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_hello h;
	struct ofp_err err;
	uint8_t v = 0;

	ck_assert_int_eq(ofp_hello_encode_default(XID, &b), 0);
	assert_bytes(&b, want, sizeof want);
	ck_assert_int_eq(ofp_hello_decode(want, sizeof want, &a, &h, &err), 0);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_uint_eq(h.elems[0].type, OFPHET_VERSIONBITMAP);
	ck_assert_uint_eq(h.elems[0].bitmap.n, 1);
	ck_assert_uint_eq(h.elems[0].bitmap.words[0], 0x10);
	ck_assert_int_eq(ofp_hello_negotiate(&h, 4, &v), 0);
	ck_assert_uint_eq(v, 4);
	buf_clear(&b);
	ofp_hello_format(&h, &b);
	ck_assert_str_eq(buf_cstr(&b), "version bitmap: 0x04");
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_hello_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_hello h;
	struct ofp_err err;
	uint8_t v = 0;

	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, hello_vec, sizeof hello_vec, 0, 0, 0);
	ck_assert_int_eq(ofp_hello_decode(hello_vec, sizeof hello_vec, &a, &h, &err), 0);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_uint_eq(h.elems[0].type, 7);
	ck_assert_uint_eq(h.elems[0].body.len, 2);
	ck_assert_mem_eq(h.elems[0].body.data, "\xaa\xbb", 2);
	ck_assert(h.elems[0].body.data < hello_vec ||
		  h.elems[0].body.data >= hello_vec + sizeof hello_vec);
	ck_assert_uint_eq(h.elems[1].bitmap.n, 2);
	ck_assert_uint_eq(h.elems[1].bitmap.words[0], 0x12);
	ck_assert_uint_eq(h.elems[1].bitmap.words[1], 0x01);
	/* The unknown element is skipped; the bitmap decides. */
	ck_assert_int_eq(ofp_hello_negotiate(&h, 4, &v), 0);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(ofp_hello_encode(&h, XID, &b), 0);
	assert_bytes(&b, hello_vec, sizeof hello_vec);
	buf_clear(&b);
	ofp_hello_format(&h, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "unknown element type=7 len=2\nversion bitmap: 0x01, 0x04, 0x20");
	ALLOC_FAIL_LOOP(ofp_hello_decode, struct ofp_hello, hello_vec, sizeof hello_vec);
	TRUNCATE_ALL(ofp_hello_decode, struct ofp_hello, hello_vec, sizeof hello_vec, false);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

static int
negotiate_bytes(const uint8_t *msg, size_t len, uint8_t *v)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_hello h;
	struct ofp_err err;
	int r = ofp_hello_decode(msg, len, &a, &h, &err);

	ck_assert_int_eq(r, 0);
	r = ofp_hello_negotiate(&h, msg[0], v);
	arena_free(&a);
	return r;
}

START_TEST(test_hello_negotiate)
{
	/* Bitmap with 1.0 and 1.3 in a version-5 hello. */
	/* clang-format off */
	static const uint8_t with13[] = { 0x05, 0, 0, 16, 0, 0, 0, 1,
					  0, 1, 0, 8, 0x00, 0x00, 0x00, 0x32 };
	/* clang-format on */
	/* Bitmap with 1.0 and 1.2 only. */
	/* clang-format off */
	static const uint8_t without13[] = { 0x04, 0, 0, 16, 0, 0, 0, 1,
					     0, 1, 0, 8, 0x00, 0x00, 0x00, 0x0a };
	/* clang-format on */
	/* Empty bitmap element (length 4, padding present). */
	static const uint8_t empty_bitmap[] = {
		0x04, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 4, 0, 0, 0, 0
	};
	static const uint8_t v5[] = { 0x05, 0, 0, 8, 0, 0, 0, 1 };
	static const uint8_t v4[] = { 0x04, 0, 0, 8, 0, 0, 0, 1 };
	/* OF1.0 hello with a body that is not 1.3 elements: ignored. */
	static const uint8_t v1[] = { 0x01, 0, 0, 11, 0, 0, 0, 1, 0xff, 0xff, 0xff };
	uint8_t v;

	ck_assert_int_eq(negotiate_bytes(with13, sizeof with13, &v), 0);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(negotiate_bytes(without13, sizeof without13, &v), -EPROTO);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(negotiate_bytes(empty_bitmap, sizeof empty_bitmap, &v), -EPROTO);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(negotiate_bytes(v5, sizeof v5, &v), 0);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(negotiate_bytes(v4, sizeof v4, &v), 0);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(negotiate_bytes(v1, sizeof v1, &v), -EPROTO);
	ck_assert_uint_eq(v, 1);
	/* Below version 0x04 the body is not elements: a 1.3 bitmap there is ignored. */
	{
		uint8_t m[sizeof with13];

		memcpy(m, with13, sizeof m);
		m[0] = 0x03;
		ck_assert_int_eq(negotiate_bytes(m, sizeof m, &v), -EPROTO);
		ck_assert_uint_eq(v, 3);
	}
}
END_TEST

START_TEST(test_hello_errors)
{
	/* Element length 3 (< header). */
	static const uint8_t short_elem[] = { HDR(OFPT_HELLO, 16), 0, 1, 0, 3, 0, 0, 0, 0 };
	/* Element length 12 past the 8 bytes left. */
	static const uint8_t past_end[] = { HDR(OFPT_HELLO, 16), 0, 1, 0, 12, 0, 0, 0, 0x10 };
	/* Bitmap of 6 bytes: not whole words. */
	static const uint8_t odd_bitmap[] = { HDR(OFPT_HELLO, 16), 0, 1, 0, 6, 0, 0, 0, 0 };
	/* 3 stray bytes after an element: not an element header. */
	static const uint8_t stray[] = { HDR(OFPT_HELLO, 19), 0, 1, 0, 8, 0, 0, 0, 0x10, 0, 0, 0 };
	/* Last element without its padding: tolerated. */
	static const uint8_t no_pad[] = { HDR(OFPT_HELLO, 14), 0, 9, 0, 6, 1, 2 };

	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, short_elem, sizeof short_elem, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, past_end, sizeof past_end, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, odd_bitmap, sizeof odd_bitmap, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, stray, sizeof stray, -EPROTO,
		      OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	EXPECT_DECODE(ofp_hello_decode, struct ofp_hello, no_pad, sizeof no_pad, 0, 0, 0);
}
END_TEST

START_TEST(test_hello_encode_limits)
{
	struct buf b = BUF_INITIALIZER;
	static uint8_t big[70000];
	struct ofp_hello_elem e = { .type = 9, .body = { big, sizeof big } };
	struct ofp_hello h = { &e, 1 };

	ck_assert_int_eq(ofp_hello_encode(&h, 1, &b), -EINVAL);
	ck_assert_uint_eq(b.size, 0);
	e.body.len = 65531; /* fits the element, not the message */
	ck_assert_int_eq(ofp_hello_encode(&h, 1, &b), -EMSGSIZE);
	ck_assert_uint_eq(b.size, 0);
	h.n = 0;
	ck_assert_int_eq(ofp_hello_encode(&h, 1, &b), 0);
	ck_assert_uint_eq(b.size, 8);
	buf_uninit(&b);
}
END_TEST

/* ---- ECHO, EXPERIMENTER ---- */

START_TEST(test_echo)
{
	static const uint8_t vec[] = { HDR(OFPT_ECHO_REQUEST, 12), 0xde, 0xad, 0xbe, 0xef };
	uint8_t reply[sizeof vec];
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_echo e;
	struct ofp_err err;

	ck_assert_int_eq(ofp_echo_request_decode(vec, sizeof vec, &a, &e, &err), 0);
	ck_assert_uint_eq(e.data.len, 4);
	ck_assert_mem_eq(e.data.data, vec + 8, 4);
	ck_assert(e.data.data != vec + 8);
	ck_assert_int_eq(ofp_echo_request_encode(&e, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	memcpy(reply, vec, sizeof vec);
	reply[1] = OFPT_ECHO_REPLY;
	buf_clear(&b);
	ck_assert_int_eq(ofp_echo_reply_encode(&e, XID, &b), 0);
	assert_bytes(&b, reply, sizeof reply);
	ck_assert_int_eq(ofp_echo_encode(&e, OFPT_HELLO, XID, &b), -EINVAL);
	buf_clear(&b);
	ofp_echo_format(&e, &b);
	ck_assert_str_eq(buf_cstr(&b), "4 bytes of payload\nde ad be ef");
	/* Empty payload. */
	ck_assert_int_eq(ofp_echo_decode(vec, 8, &a, &e, &err), 0);
	ck_assert_uint_eq(e.data.len, 0);
	ALLOC_FAIL_LOOP(ofp_echo_decode, struct ofp_echo, vec, sizeof vec);
	TRUNCATE_ALL(ofp_echo_decode, struct ofp_echo, vec, sizeof vec, false);
	/* Oversized. */
	{
		static uint8_t big[65530];
		struct ofp_echo be = { { big, sizeof big } };

		buf_clear(&b);
		ck_assert_int_eq(ofp_echo_encode(&be, OFPT_ECHO_REPLY, 1, &b), -EMSGSIZE);
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_experimenter)
{
	/* clang-format off */
	static const uint8_t vec[] = { HDR(OFPT_EXPERIMENTER, 20), 0x00, 0x00, 0x23, 0x20,
				       0x00, 0x00, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04 };
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_err err;

	EXPECT_DECODE(ofp_experimenter_decode, struct ofp_experimenter, vec, sizeof vec, 0, 0, 0);
	ck_assert_int_eq(ofp_experimenter_decode(vec, sizeof vec, &a, &e, &err), 0);
	ck_assert_uint_eq(e.experimenter, 0x2320);
	ck_assert_uint_eq(e.exp_type, 5);
	ck_assert_uint_eq(e.data.len, 4);
	ck_assert_int_eq(ofp_experimenter_encode(&e, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ofp_experimenter_format(&e, &b);
	ck_assert_str_eq(buf_cstr(&b), "experimenter=0x00002320 exp_type=5 data_len=4");
	ALLOC_FAIL_LOOP(ofp_experimenter_decode, struct ofp_experimenter, vec, sizeof vec);
	/* Below 16 bytes the decoder refuses even without ofp_header_check. */
	for (size_t n = 8; n < 16; n++) {
		uint8_t *p = prefix_copy(vec, n);

		ck_assert_int_eq(ofp_experimenter_decode(p, n, &a, &e, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
		free(p);
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- FEATURES_REPLY ---- */

START_TEST(test_features_reply)
{
	/* clang-format off */
	static const uint8_t vec[] = {
		HDR(OFPT_FEATURES_REPLY, 32),
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* datapath_id */
		0x00, 0x00, 0x01, 0x00,				/* n_buffers 256 */
		0xfe, 0x00, 0x00, 0x00,				/* n_tables, aux, pad */
		0x00, 0x00, 0x00, 0x4f,				/* capabilities */
		0x00, 0x00, 0x00, 0x00,				/* reserved */
	};
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_switch_features f;
	struct ofp_err err;
	uint8_t longer[33];

	ck_assert_int_eq(ofp_features_reply_decode(vec, sizeof vec, &a, &f, &err), 0);
	ck_assert_uint_eq(f.datapath_id, 1);
	ck_assert_uint_eq(f.n_buffers, 256);
	ck_assert_uint_eq(f.n_tables, 254);
	ck_assert_uint_eq(f.auxiliary_id, 0);
	ck_assert_uint_eq(f.capabilities, 0x4f);
	ck_assert_int_eq(ofp_features_reply_encode(&f, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ofp_features_reply_format(&f, &b);
	ck_assert_str_eq(buf_cstr(&b), "dpid:0000000000000001\nn_tables:254, n_buffers:256\n"
				       "capabilities: FLOW_STATS TABLE_STATS PORT_STATS "
				       "GROUP_STATS QUEUE_STATS");
	f.auxiliary_id = 2;
	f.capabilities = 1u << 4;
	buf_clear(&b);
	ofp_features_reply_format(&f, &b);
	ck_assert_str_eq(buf_cstr(&b), "dpid:0000000000000001\nn_tables:254, n_buffers:256, "
				       "auxiliary_id:2\ncapabilities: 0x10");
	memcpy(longer, vec, sizeof vec);
	longer[32] = 0;
	longer[3] = 33;
	EXPECT_DECODE(ofp_features_reply_decode, struct ofp_switch_features, longer, sizeof longer,
		      -EPROTO, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	TRUNCATE_ALL(ofp_features_reply_decode, struct ofp_switch_features, vec, sizeof vec, true);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- GET_CONFIG_REPLY / SET_CONFIG ---- */

START_TEST(test_switch_config)
{
	static const uint8_t set[] = { HDR(OFPT_SET_CONFIG, 12), 0x00, 0x01, 0x00, 0x80 };
	static const uint8_t reply[] = { HDR(OFPT_GET_CONFIG_REPLY, 12), 0x00, 0x00, 0xff, 0xff };
	static const uint8_t bad_flags[] = { HDR(OFPT_SET_CONFIG, 12), 0x00, 0x04, 0x00, 0x80 };
	static const uint8_t reply_flags[] = { HDR(OFPT_GET_CONFIG_REPLY, 12), 0x00, 0x04, 0, 0 };
	static const uint8_t longer[] = { HDR(OFPT_SET_CONFIG, 13), 0, 0, 0, 0x80, 0 };
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_switch_config c;
	struct ofp_err err;

	ck_assert_int_eq(ofp_set_config_decode(set, sizeof set, &a, &c, &err), 0);
	ck_assert_uint_eq(c.flags, OFPC_FRAG_DROP);
	ck_assert_uint_eq(c.miss_send_len, 128);
	ck_assert_int_eq(ofp_set_config_encode(&c, XID, &b), 0);
	assert_bytes(&b, set, sizeof set);
	buf_clear(&b);
	ofp_set_config_format(&c, &b);
	ck_assert_str_eq(buf_cstr(&b), "frags=drop miss_send_len=128");

	ck_assert_int_eq(ofp_get_config_reply_decode(reply, sizeof reply, &a, &c, &err), 0);
	ck_assert_uint_eq(c.miss_send_len, 0xffff);
	buf_clear(&b);
	ck_assert_int_eq(ofp_get_config_reply_encode(&c, XID, &b), 0);
	assert_bytes(&b, reply, sizeof reply);
	buf_clear(&b);
	ofp_switch_config_format(&c, &b);
	ck_assert_str_eq(buf_cstr(&b), "frags=normal miss_send_len=NO_BUFFER");
	ck_assert_int_eq(ofp_switch_config_encode(&c, OFPT_ECHO_REQUEST, XID, &b), -EINVAL);

	EXPECT_DECODE(ofp_switch_config_decode, struct ofp_switch_config, bad_flags,
		      sizeof bad_flags, -EPROTO, OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
	EXPECT_DECODE(ofp_switch_config_decode, struct ofp_switch_config, reply_flags,
		      sizeof reply_flags, 0, 0, 0);
	EXPECT_DECODE(ofp_switch_config_decode, struct ofp_switch_config, longer, sizeof longer,
		      -EPROTO, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	TRUNCATE_ALL(ofp_switch_config_decode, struct ofp_switch_config, set, sizeof set, true);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- ROLE ---- */

START_TEST(test_role)
{
	/* clang-format off */
	static const uint8_t vec[] = { HDR(OFPT_ROLE_REQUEST, 24), 0x00, 0x00, 0x00, 0x02,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x01, 0x07 };
	/* clang-format on */
	/* clang-format off */
	static const uint8_t bad_role[] = { HDR(OFPT_ROLE_REPLY, 24), 0x00, 0x00, 0x00, 0x04,
					    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_role r;
	struct ofp_err err;

	ck_assert_int_eq(ofp_role_request_decode(vec, sizeof vec, &a, &r, &err), 0);
	ck_assert_uint_eq(r.role, OFPCR_ROLE_MASTER);
	ck_assert_uint_eq(r.generation_id, 0x107);
	ck_assert_int_eq(ofp_role_request_encode(&r, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ofp_role_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "role=master generation_id=263");
	ck_assert_str_eq(ofp_role_name(OFPCR_ROLE_NOCHANGE), "nochange");
	ck_assert_ptr_null(ofp_role_name(4));
	buf_clear(&b);
	ck_assert_int_eq(ofp_role_reply_encode(&r, XID, &b), 0);
	ck_assert_uint_eq(b.data[1], OFPT_ROLE_REPLY);
	EXPECT_DECODE(ofp_role_decode, struct ofp_role, bad_role, sizeof bad_role, -EPROTO,
		      OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE);
	r.role = 4;
	buf_clear(&b);
	ck_assert_int_eq(ofp_role_encode(&r, OFPT_ROLE_REQUEST, XID, &b), -EINVAL);
	r.role = 1;
	ck_assert_int_eq(ofp_role_encode(&r, OFPT_HELLO, XID, &b), -EINVAL);
	ck_assert_uint_eq(b.size, 0);
	TRUNCATE_ALL(ofp_role_decode, struct ofp_role, vec, sizeof vec, true);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- ASYNC ---- */

START_TEST(test_async)
{
	/* clang-format off */
	static const uint8_t vec[] = {
		HDR(OFPT_SET_ASYNC, 32),
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* packet_in */
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x07, /* port_status */
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x20, /* flow_removed */
	};
	/* clang-format on */
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_async_config c;
	struct ofp_err err;

	ck_assert_int_eq(ofp_set_async_decode(vec, sizeof vec, &a, &c, &err), 0);
	ck_assert_uint_eq(c.packet_in_mask[0], 3);
	ck_assert_uint_eq(c.packet_in_mask[1], 0);
	ck_assert_uint_eq(c.port_status_mask[1], 7);
	ck_assert_uint_eq(c.flow_removed_mask[0], 0xf);
	ck_assert_uint_eq(c.flow_removed_mask[1], 0x20);
	ck_assert_int_eq(ofp_set_async_encode(&c, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ck_assert_int_eq(ofp_get_async_reply_encode(&c, XID, &b), 0);
	ck_assert_uint_eq(b.data[1], OFPT_GET_ASYNC_REPLY);
	ck_assert_int_eq(ofp_async_config_encode(&c, OFPT_ROLE_REPLY, XID, &b), -EINVAL);
	buf_clear(&b);
	ofp_async_config_format(&c, &b);
	ck_assert_str_eq(buf_cstr(&b), "\n master:\n"
				       "       PACKET_IN: no_match action\n"
				       "     PORT_STATUS: add delete modify\n"
				       "    FLOW_REMOVED: idle hard delete group_delete\n"
				       "\n slave:\n"
				       "       PACKET_IN: (off)\n"
				       "     PORT_STATUS: add delete modify\n"
				       "    FLOW_REMOVED: 0x20\n");
	TRUNCATE_ALL(ofp_async_config_decode, struct ofp_async_config, vec, sizeof vec, true);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- QUEUE_GET_CONFIG ---- */

START_TEST(test_queue_request)
{
	/* clang-format off */
	static const uint8_t vec[] = { HDR(OFPT_QUEUE_GET_CONFIG_REQUEST, 16),
				       0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0 };
	/* clang-format on */
	uint8_t m[sizeof vec];
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_queue_get_config_request q;
	struct ofp_err err;

	ck_assert_int_eq(ofp_queue_get_config_request_decode(vec, sizeof vec, &a, &q, &err), 0);
	ck_assert_uint_eq(q.port, 3);
	ck_assert_int_eq(ofp_queue_get_config_request_encode(&q, XID, &b), 0);
	assert_bytes(&b, vec, sizeof vec);
	buf_clear(&b);
	ofp_queue_get_config_request_format(&q, &b);
	ck_assert_str_eq(buf_cstr(&b), "port=3");
	memcpy(m, vec, sizeof m);
	put_be32(m + 8, OFPP_ANY);
	EXPECT_DECODE(ofp_queue_get_config_request_decode, struct ofp_queue_get_config_request, m,
		      sizeof m, 0, 0, 0);
	q.port = OFPP_ANY;
	buf_clear(&b);
	ofp_queue_get_config_request_format(&q, &b);
	ck_assert_str_eq(buf_cstr(&b), "port=ANY");
	put_be32(m + 8, 0);
	EXPECT_DECODE(ofp_queue_get_config_request_decode, struct ofp_queue_get_config_request, m,
		      sizeof m, -EPROTO, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	put_be32(m + 8, OFPP_CONTROLLER);
	EXPECT_DECODE(ofp_queue_get_config_request_decode, struct ofp_queue_get_config_request, m,
		      sizeof m, -EPROTO, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	put_be32(m + 8, OFPP_MAX);
	EXPECT_DECODE(ofp_queue_get_config_request_decode, struct ofp_queue_get_config_request, m,
		      sizeof m, 0, 0, 0);
	TRUNCATE_ALL(ofp_queue_get_config_request_decode, struct ofp_queue_get_config_request, vec,
		     sizeof vec, true);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* Port 1; queue 7 (min_rate 50.0%, max_rate uncfg); queue 8 (experimenter 0x2320 with
 * 8 data bytes). */
/* clang-format off */
static const uint8_t queue_reply_vec[] = {
	HDR(OFPT_QUEUE_GET_CONFIG_REPLY, 104),
	0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
	/* queue 7, port 1, len 48 */
	0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x30, 0, 0, 0, 0, 0, 0,
	0x00, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0x01, 0xf4, 0, 0, 0, 0, 0, 0,
	0x00, 0x02, 0x00, 0x10, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
	/* queue 8, port 1, len 40 */
	0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x28, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0x00, 0x18, 0, 0, 0, 0, 0x00, 0x00, 0x23, 0x20, 0, 0, 0, 0,
	1, 2, 3, 4, 5, 6, 7, 8,
};
/* clang-format on */

START_TEST(test_queue_reply)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_queue_get_config_reply r;
	struct ofp_err err;

	ck_assert_int_eq(ofp_queue_get_config_reply_decode(queue_reply_vec, sizeof queue_reply_vec,
							   &a, &r, &err),
			 0);
	ck_assert_uint_eq(r.port, 1);
	ck_assert_uint_eq(r.queues.n, 2);
	ck_assert_uint_eq(r.queues.items[0].queue_id, 7);
	ck_assert_uint_eq(r.queues.items[0].props.n, 2);
	ck_assert_uint_eq(r.queues.items[0].props.items[0].type, OFPQT_MIN_RATE);
	ck_assert_uint_eq(r.queues.items[0].props.items[0].rate, 500);
	ck_assert_uint_eq(r.queues.items[0].props.items[1].rate, 0xffff);
	ck_assert_uint_eq(r.queues.items[1].props.n, 1);
	ck_assert_uint_eq(r.queues.items[1].props.items[0].experimenter, 0x2320);
	ck_assert_uint_eq(r.queues.items[1].props.items[0].data.len, 8);
	ck_assert_int_eq(ofp_queue_get_config_reply_encode(&r, XID, &b), 0);
	assert_bytes(&b, queue_reply_vec, sizeof queue_reply_vec);
	buf_clear(&b);
	ofp_queue_get_config_reply_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "port=1\nqueue 7: min_rate:50.0% max_rate:uncfg\n"
				       "queue 8: experimenter=0x00002320 data_len=8");
	ALLOC_FAIL_LOOP(ofp_queue_get_config_reply_decode, struct ofp_queue_get_config_reply,
			queue_reply_vec, sizeof queue_reply_vec);
	/* Every prefix fails except those ending exactly after a queue. */
	for (size_t n = OFP_HEADER_LEN; n < sizeof queue_reply_vec; n++) {
		uint8_t *p = prefix_copy(queue_reply_vec, n);
		int rc = ofp_queue_get_config_reply_decode(p, n, &a, &r, &err);

		if (n == 16 || n == 64)
			ck_assert_int_eq(rc, 0);
		else
			ck_assert_msg(rc == -EPROTO && err.code == OFPBRC_BAD_LEN, "prefix %zu", n);
		free(p);
	}
	/* An empty reply. */
	{
		struct ofp_queue_get_config_reply e = { .port = 2 };

		buf_clear(&b);
		ck_assert_int_eq(ofp_queue_get_config_reply_encode(&e, 1, &b), 0);
		ck_assert_uint_eq(b.size, 16);
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* Patches one 16-bit field of a copy of the queue reply vector and expects BAD_LEN. */
static void
queue_reply_bad(size_t ofs, uint16_t v)
{
	uint8_t m[sizeof queue_reply_vec];

	memcpy(m, queue_reply_vec, sizeof m);
	put_be16(m + ofs, v);
	EXPECT_DECODE(ofp_queue_get_config_reply_decode, struct ofp_queue_get_config_reply, m,
		      sizeof m, -EPROTO, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

START_TEST(test_queue_reply_errors)
{
	queue_reply_bad(24, 15);   /* queue len below the fixed part */
	queue_reply_bad(24, 0x90); /* queue len past the end */
	queue_reply_bad(24, 0x28); /* queue 7 shorter than its properties */
	queue_reply_bad(34, 7);	   /* property len below its header */
	queue_reply_bad(34, 24);   /* min_rate of the wrong size */
	queue_reply_bad(34, 0x40); /* property past its queue */
	queue_reply_bad(82, 8);	   /* experimenter property shorter than 16 */
}
END_TEST

START_TEST(test_queue_reply_unknown_prop)
{
	uint8_t m[sizeof queue_reply_vec];
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_queue_get_config_reply r;
	struct ofp_err err;

	memcpy(m, queue_reply_vec, sizeof m);
	put_be16(m + 80, 0x0099); /* experimenter -> unknown: 16 bytes of data after 8 */
	ck_assert_int_eq(ofp_queue_get_config_reply_decode(m, sizeof m, &a, &r, &err), 0);
	ck_assert_uint_eq(r.queues.items[1].props.items[0].type, 0x99);
	ck_assert_uint_eq(r.queues.items[1].props.items[0].data.len, 16);
	ck_assert_int_eq(ofp_queue_get_config_reply_encode(&r, XID, &b), 0);
	assert_bytes(&b, m, sizeof m);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ---- DESC ---- */

START_TEST(test_desc)
{
	uint8_t vec[OFP_DESC_LEN + 3] = { 0 };
	struct buf_cursor c;
	struct buf b = BUF_INITIALIZER;
	struct ofp_desc d;
	struct ofp_err err;

	memcpy(vec, "Acme", 4);
	memcpy(vec + 256, "hw", 2);
	memcpy(vec + 512, "pfswitch 0.1", 12);
	memset(vec + 768, 'S', 32); /* serial number fills its field: no NUL */
	memcpy(vec + 800, "bridge br0", 10);
	c = buf_cursor(vec, sizeof vec);
	ck_assert_int_eq(ofp_desc_decode(&c, NULL, &d, &err), 0);
	ck_assert_uint_eq(c.left, 3);
	ck_assert_str_eq(d.mfr_desc, "Acme");
	ck_assert_str_eq(d.hw_desc, "hw");
	ck_assert_str_eq(d.sw_desc, "pfswitch 0.1");
	ck_assert_uint_eq(strlen(d.serial_num), 31); /* the last byte is the NUL's place */
	ck_assert_str_eq(d.dp_desc, "bridge br0");
	buf_clear(&b);
	ofp_desc_format(&d, &b);
	ck_assert(strstr(buf_cstr(&b), "Manufacturer: Acme\nHardware: hw\nSoftware: pfswitch "
				       "0.1\nSerial Num: SSSS"));
	ck_assert(strstr(buf_cstr(&b), "S\nDP Description: bridge br0"));
	/* Encode cuts the full serial to 31 characters so a NUL follows; else identical. */
	buf_clear(&b);
	ofp_desc_encode(&d, &b);
	vec[768 + 31] = 0;
	assert_bytes(&b, vec, OFP_DESC_LEN);
	/* Short input. */
	c = buf_cursor(vec, OFP_DESC_LEN - 1);
	ck_assert_int_eq(ofp_desc_decode(&c, NULL, &d, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	ck_assert_uint_eq(c.left, OFP_DESC_LEN - 1);
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("switch");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_hello_default);
	tcase_add_test(tc, test_hello_vector);
	tcase_add_test(tc, test_hello_negotiate);
	tcase_add_test(tc, test_hello_errors);
	tcase_add_test(tc, test_hello_encode_limits);
	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_experimenter);
	tcase_add_test(tc, test_features_reply);
	tcase_add_test(tc, test_switch_config);
	tcase_add_test(tc, test_role);
	tcase_add_test(tc, test_async);
	tcase_add_test(tc, test_queue_request);
	tcase_add_test(tc, test_queue_reply);
	tcase_add_test(tc, test_queue_reply_errors);
	tcase_add_test(tc, test_queue_reply_unknown_prop);
	tcase_add_test(tc, test_desc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
