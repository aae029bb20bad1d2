/* lib/ofp_bundle.c (ONF ext 230 bundles for OpenFlow 1.3): BUNDLE_CONTROL and
 * BUNDLE_ADD_MESSAGE round trips against known wire bytes, properties and the padding
 * before them, malformed bodies, text, and the bundle errors in their 1.3 (ONF
 * experimenter) form. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_bundle.h"
#include "ofp_message.h"

static void
as_experimenter(const struct buf *b, struct arena *a, struct ofp_experimenter *e)
{
	struct ofp_message m;
	struct ofp_err err;

	ck_assert_int_eq(ofp_message_decode(b->data, b->size, a, &m, &err), 0);
	ck_assert_uint_eq(m.h.type, OFPT_EXPERIMENTER);
	*e = m.experimenter;
	ck_assert(ofp_bundle_is_bundle(e));
}

/* An ONF experimenter property (type 0xffff): 12 bytes, padded to 16. */
static const uint8_t PROP[16] = { 0xff, 0xff, 0x00, 0x0c, 0x4f, 0x4e, 0x46, 0x00,
				  0x00, 0x00, 0x00, 0x01, 0,	0,    0,    0 };

START_TEST(test_ctrl_roundtrip)
{
	/* OPEN_REQUEST of bundle 1, atomic and ordered, xid 3, as ovs-ofctl sends it. */
	static const uint8_t wire[] = { 0x04, 0x04, 0x00, 0x18, 0x00, 0x00, 0x00, 0x03,
					0x4f, 0x4e, 0x46, 0x00, 0x00, 0x00, 0x08, 0xfc,
					0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03 };
	struct ofp_bundle_ctrl bc = { .bundle_id = 1,
				      .type = OFPBCT_OPEN_REQUEST,
				      .flags = OFPBF_ATOMIC | OFPBF_ORDERED },
			       out;
	struct buf b = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_err err;

	ck_assert_int_eq(ofp_bundle_ctrl_encode(&bc, 3, &b), 0);
	ck_assert_uint_eq(b.size, sizeof(wire));
	ck_assert_mem_eq(b.data, wire, sizeof(wire));
	as_experimenter(&b, &a, &e);
	ck_assert_uint_eq(e.exp_type, ONF_ET_BUNDLE_CONTROL);
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.bundle_id, 1);
	ck_assert_uint_eq(out.type, OFPBCT_OPEN_REQUEST);
	ck_assert_uint_eq(out.flags, 3);
	ck_assert_uint_eq(out.props.len, 0);
	ofp_message_print(b.data, b.size, &t);
	ck_assert_str_eq(buf_cstr(&t), "OFPT_EXPERIMENTER (OF1.3) (xid=0x3): ONFT_BUNDLE_CONTROL "
				       "bundle_id=0x1 type=OPEN_REQUEST flags=atomic ordered");

	/* Every type, and properties kept as bytes. */
	for (uint16_t type = 0; type <= OFPBCT_DISCARD_REPLY; type++) {
		bc.type = type;
		bc.bundle_id = 0xdeadbeef;
		bc.flags = type & 1 ? OFPBF_ORDERED : 0;
		bc.props.data = PROP;
		bc.props.len = sizeof(PROP);
		buf_clear(&b);
		ck_assert_int_eq(ofp_bundle_ctrl_encode(&bc, 9, &b), 0);
		as_experimenter(&b, &a, &e);
		ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), 0);
		ck_assert_uint_eq(out.type, type);
		ck_assert_uint_eq(out.bundle_id, 0xdeadbeef);
		ck_assert_uint_eq(out.flags, bc.flags);
		ck_assert_uint_eq(out.props.len, sizeof(PROP));
		ck_assert_mem_eq(out.props.data, PROP, sizeof(PROP));
		ck_assert_ptr_nonnull(ofp_bundle_ctrl_type_name(type));
	}
	ck_assert_ptr_null(ofp_bundle_ctrl_type_name(8));
	/* Properties that are not whole 8-byte units are refused by the encoder. */
	bc.props.len = 12;
	ck_assert_int_eq(ofp_bundle_ctrl_encode(&bc, 9, &b), -EINVAL);
	buf_uninit(&t);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_ctrl_malformed)
{
	uint8_t body[32] = { 0 };
	struct ofp_experimenter e = { ONF_EXPERIMENTER_ID, ONF_ET_BUNDLE_CONTROL, { body, 6 } };
	struct ofp_bundle_ctrl out;
	struct ofp_err err;

	/* Short. */
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	/* Properties: not a multiple of 8; a length under 4; a length past the end. */
	e.data.len = 8 + 4;
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), -EPROTO);
	e.data.len = 8 + 8;
	body[8] = 0xff, body[9] = 0xff, body[11] = 2;
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), -EPROTO);
	body[11] = 24;
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), -EPROTO);
	body[11] = 8;
	ck_assert_int_eq(ofp_bundle_ctrl_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.props.len, 8);
}
END_TEST

static struct buf
flow_mod_msg(uint32_t xid, struct arena *a)
{
	struct ofp_flow_mod fm;
	struct buf b = BUF_INITIALIZER;
	char err[128];

	ck_assert_int_eq(ofp_flow_mod_parse("priority=5,in_port=1,actions=output:2", OFPFC_ADD, a,
					    &fm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, xid, &b), 0);
	return b;
}

START_TEST(test_add_roundtrip)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf fm = flow_mod_msg(0x77, &a), b = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct ofp_bundle_add ba = { .bundle_id = 5, .flags = OFPBF_ATOMIC }, out;
	struct ofp_experimenter e;
	struct ofp_header_info h;
	struct ofp_err err;

	ba.msg = fm.data;
	ba.msg_len = fm.size;
	ck_assert_int_eq(ofp_bundle_add_encode(&ba, &b), 0);
	ck_assert(ofp_header_peek(b.data, b.size, &h));
	ck_assert_uint_eq(h.xid, 0x77); /* the embedded message's xid */
	ck_assert_uint_eq(h.length, 16 + 8 + fm.size);
	ck_assert_uint_eq(get_be32((uint8_t *)b.data + 8), ONF_EXPERIMENTER_ID);
	ck_assert_uint_eq(get_be32((uint8_t *)b.data + 12), ONF_ET_BUNDLE_ADD_MESSAGE);
	ck_assert_uint_eq(get_be32((uint8_t *)b.data + 16), 5);
	ck_assert_uint_eq(get_be16((uint8_t *)b.data + 20), 0); /* pad */
	ck_assert_uint_eq(get_be16((uint8_t *)b.data + 22), OFPBF_ATOMIC);
	as_experimenter(&b, &a, &e);
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.bundle_id, 5);
	ck_assert_uint_eq(out.flags, OFPBF_ATOMIC);
	ck_assert_uint_eq(out.msg_len, fm.size);
	ck_assert_mem_eq(out.msg, fm.data, fm.size);
	ck_assert_uint_eq(out.props.len, 0);
	ofp_message_print(b.data, b.size, &t);
	ck_assert_msg(strstr(buf_cstr(&t), "ONFT_BUNDLE_ADD_MESSAGE bundle_id=0x5 flags=atomic\n"
					   "OFPT_FLOW_MOD (OF1.3) (xid=0x77): ADD priority=5,"),
		      "%s", buf_cstr(&t));

	/* With properties, the message is padded to 8 bytes before them. A flow mod of
	 * 4 more bytes makes an unaligned message. */
	buf_put(&fm, "\0\0\0\0", 4);
	buf_set_be16(&fm, 2, (uint16_t)fm.size);
	ck_assert_uint_ne(fm.size % 8, 0);
	ba.msg = fm.data;
	ba.msg_len = fm.size;
	ba.props.data = PROP;
	ba.props.len = sizeof(PROP);
	buf_clear(&b);
	ck_assert_int_eq(ofp_bundle_add_encode(&ba, &b), 0);
	ck_assert_uint_eq(b.size, 24 + ((fm.size + 7) & ~7u) + sizeof(PROP));
	as_experimenter(&b, &a, &e);
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.msg_len, fm.size);
	ck_assert_uint_eq(out.props.len, sizeof(PROP));
	ck_assert_mem_eq(out.props.data, PROP, sizeof(PROP));
	/* The encoder wants a whole header. */
	ba.msg_len = 4;
	ck_assert_int_eq(ofp_bundle_add_encode(&ba, &b), -EINVAL);
	buf_uninit(&fm);
	buf_uninit(&b);
	buf_uninit(&t);
	arena_free(&a);
}
END_TEST

START_TEST(test_add_malformed)
{
	uint8_t body[64] = { 0 };
	struct ofp_experimenter e = { ONF_EXPERIMENTER_ID, ONF_ET_BUNDLE_ADD_MESSAGE, { body, 7 } };
	struct ofp_bundle_add out;
	struct ofp_err err;

	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	/* No embedded header; a header whose length exceeds the body; one under 8. */
	e.data.len = 8 + 4;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_EXPERIMENTER);
	ck_assert_uint_eq(err.code, ONF_BUNDLE_ERR_BASE + OFPBFC_MSG_BAD_LEN);
	body[8] = 4, body[9] = OFPT_FLOW_MOD, body[11] = 40;
	e.data.len = 8 + 16;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, ONF_BUNDLE_ERR_BASE + OFPBFC_MSG_BAD_LEN);
	body[11] = 4;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	/* An 8-byte message and 8 trailing bytes that are a property. */
	body[9] = OFPT_BARRIER_REQUEST, body[11] = 8;
	body[16] = 0xff, body[17] = 0xff, body[19] = 8;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.msg_len, 8);
	ck_assert_uint_eq(out.props.len, 8);
	/* Trailing bytes that are not a property. */
	body[19] = 2;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	/* A 12-byte message and 4 bytes of padding, but no property after them. */
	body[11] = 12;
	e.data.len = 8 + 16;
	ck_assert_int_eq(ofp_bundle_add_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
}
END_TEST

START_TEST(test_errors)
{
	uint8_t req[16] = { 4, OFPT_EXPERIMENTER, 0, 16, 0, 0, 0, 9 };
	struct buf b = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_message m;
	struct ofp_err err;

	ck_assert_int_eq(ofp_bundle_err(&err, OFPBFC_MSG_FAILED), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_EXPERIMENTER);
	ck_assert_uint_eq(err.code, 2313);
	ck_assert_str_eq(ofp_bundle_err_name(2313), "MSG_FAILED");
	ck_assert_str_eq(ofp_bundle_err_name(2300), "UNKNOWN");
	ck_assert_str_eq(ofp_bundle_err_name(2315), "BUNDLE_IN_PROGRESS");
	ck_assert_ptr_null(ofp_bundle_err_name(2316));
	ck_assert_ptr_null(ofp_bundle_err_name(7));
	ofp_error_format(&err, &t);
	ck_assert_str_eq(buf_cstr(&t), "OFPET_EXPERIMENTER/OFPBFC_MSG_FAILED");
	buf_clear(&t);
	/* On the wire: OFPET_EXPERIMENTER, exp_type 2313, experimenter ONF, the request. */
	ck_assert_int_eq(ofp_error_reply(&err, req, sizeof(req), &b), 0);
	ck_assert_uint_eq(b.size, 16 + sizeof(req));
	ck_assert_uint_eq(get_be32((uint8_t *)b.data + 4), 9);
	ck_assert_uint_eq(get_be16((uint8_t *)b.data + 8), 0xffff);
	ck_assert_uint_eq(get_be16((uint8_t *)b.data + 10), 2313);
	ck_assert_uint_eq(get_be32((uint8_t *)b.data + 12), ONF_EXPERIMENTER_ID);
	ck_assert_int_eq(ofp_message_decode(b.data, b.size, &a, &m, &err), 0);
	ck_assert_uint_eq(m.error.experimenter, ONF_EXPERIMENTER_ID);
	ofp_error_msg_format(&m.error, &t);
	ck_assert_msg(!strncmp(buf_cstr(&t), "OFPBFC_MSG_FAILED\n", 18), "%s", buf_cstr(&t));
	buf_uninit(&b);
	buf_uninit(&t);
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_ctrl_roundtrip);
	tcase_add_test(tc, test_ctrl_malformed);
	tcase_add_test(tc, test_add_roundtrip);
	tcase_add_test(tc, test_add_malformed);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
