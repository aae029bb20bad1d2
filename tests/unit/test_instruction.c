/* Unit tests for lib/ofp_instruction.c: wire vectors captured from ovs-ofctl 3.1
 * (`-O OpenFlow13 add-flow`), formats compared with its `ofp-print`, every decode error
 * path, truncation, allocation failure, text parsing and the match check. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_instruction.h"
#include "oxm.h"
#include "util.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; *hex; hex++) {
		unsigned x;

		if (*hex == ' ')
			continue;
		ck_assert(sscanf(hex, "%2x", &x) == 1);
		ck_assert_uint_lt(n, max);
		out[n++] = (uint8_t)x;
		hex++;
	}
	return n;
}

struct vector {
	const char *text_in;
	const char *hex;
	const char *text_out;
};

static const char full_hex[] =
	"0006000800000001 0004001800000000 0000001000000002 0000000000000000"
	"0005000800000000 0003001800000000 0000001000000001 0000000000000000"
	"0002001800000000 0000000000000001 00000000000000ff 0001000802000000";

static const struct vector vectors[] = {
	{ "meter:1,output:2,clear_actions,write_actions(output:1),write_metadata:0x1/0xff,"
	  "goto_table:2",
	  full_hex,
	  "meter:1,output:2,clear_actions,write_actions(output:1),write_metadata:0x1/0xff,"
	  "goto_table:2" },
	/* any order in, ovs-ofctl's order out */
	{ "goto_table:2,write_metadata:1/0xff,write_actions(output:1),clear_actions,output:2,"
	  "meter:1",
	  full_hex,
	  "meter:1,output:2,clear_actions,write_actions(output:1),write_metadata:0x1/0xff,"
	  "goto_table:2" },
	{ "output:1,goto_table:1",
	  "0004001800000000 0000001000000001 0000000000000000 0001000801000000",
	  "output:1,goto_table:1" },
	{ "write_actions(group:1,output:2,set_queue:1)",
	  "0003002800000000 0016000800000001 0000001000000002 0000000000000000 0015000800000001",
	  "write_actions(group:1,output:2,set_queue:1)" },
	{ "meter:1,write_actions(output:1)",
	  "0006000800000001 0003001800000000 0000001000000001 0000000000000000",
	  "meter:1,write_actions(output:1)" },
	{ "clear_actions", "0005000800000000", "clear_actions" },
	{ "write_metadata:0xffff", "0002001800000000 000000000000ffff ffffffffffffffff",
	  "write_metadata:0xffff" },
	{ "write_metadata:5/0xffffffffffffffff",
	  "0002001800000000 0000000000000005 ffffffffffffffff", "write_metadata:0x5" },
	{ "meter:1", "0006000800000001", "meter:1" },
	{ "goto_table:254", "00010008fe000000", "goto_table:254" },
	{ "drop", "", "drop" },
	{ "", "", "drop" },
	/* not in ovs-ofctl's syntax or encoding: empty lists are kept */
	{ "write_actions(drop)", "0003000800000000", "write_actions(drop)" },
	{ "apply_actions(output:3)", "0004001800000000 0000001000000003 0000000000000000",
	  "output:3" },
	{ "experimenter_inst(0x2320,aabbccdd00000000)", "ffff001000002320 aabbccdd00000000",
	  "experimenter_inst(0x2320,aabbccdd00000000)" },
};

START_TEST(test_vectors)
{
	const struct vector *v = &vectors[_i];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l, back;
	struct buf b = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct ofp_err err = { 0, 0 };
	uint8_t want[256];
	size_t n = unhex(v->hex, want, sizeof want);
	char eb[128] = "";

	ck_assert_msg(!ofp_instructions_parse(v->text_in, &a, &l, eb, sizeof eb), "%s: %s",
		      v->text_in, eb);
	ofp_instructions_encode(&l, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_msg(b.size == n && (!n || !memcmp(b.data, want, n)), "%s: encoding differs",
		      v->text_in);
	ck_assert_msg(!ofp_instructions_decode_opts(want, n, OFP_ACTIONS_KEEP_EXPERIMENTER, &a,
						    &back, &err),
		      "%s: decode %u/%u", v->text_in, err.type, err.code);
	ck_assert(ofp_instructions_equal(&l, &back));
	ofp_instructions_format(&back, &t);
	ck_assert_str_eq(buf_cstr(&t), v->text_out);
	buf_clear(&b);
	ofp_instructions_encode(&back, &b);
	ck_assert(b.size == n && (!n || !memcmp(b.data, want, n)));
	buf_uninit(&b);
	buf_uninit(&t);
	arena_free(&a);
}
END_TEST

/* Wire order kept; text as ovs-ofctl ofp-print prints these. */
static const struct vector formats[] = {
	{ NULL, "0004000800000000", "drop" },
	{ NULL, "0003000800000000 0004000800000000", "write_actions(drop)" },
	{ NULL, "0001000801000000 0004001800000000 0000001000000001 0000000000000000",
	  "output:1,goto_table:1" },
	{ NULL, "0006000800000001 0004000800000000", "meter:1" },
	{ NULL, "0002001800000000 0000000000000005 00000000000000ff", "write_metadata:0x5/0xff" },
	{ NULL,
	  "0004000800000000 0005000800000000 0003001800000000 0000001000000001"
	  "0000000000000000 0002001800000000 0000000000000005 00000000000000ff"
	  "0001000801000000 0006000800000001",
	  "meter:1,clear_actions,write_actions(output:1),write_metadata:0x5/0xff,goto_table:1" },
};

START_TEST(test_formats)
{
	const struct vector *v = &formats[_i];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;
	uint8_t p[256];
	size_t n = unhex(v->hex, p, sizeof p);

	ck_assert_int_eq(ofp_instructions_decode(p, n, &a, &l, &err), 0);
	ofp_instructions_format(&l, &b);
	ck_assert_str_eq(buf_cstr(&b), v->text_out);
	buf_clear(&b);
	ofp_instructions_encode(&l, &b); /* wire order is kept */
	ck_assert(b.size == n && (!n || !memcmp(b.data, p, n)));
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_decoded_fields)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	const struct ofp_instruction *in;
	struct ofp_err err;
	uint8_t p[256];
	size_t n = unhex(full_hex, p, sizeof p);

	ck_assert_int_eq(ofp_instructions_decode(p, n, &a, &l, &err), 0);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_uint_eq(ofp_instructions_find(&l, OFPIT_METER)->meter_id, 1);
	in = ofp_instructions_find(&l, OFPIT_APPLY_ACTIONS);
	ck_assert_uint_eq(in->actions.n, 1);
	ck_assert_uint_eq(in->actions.actions[0].output.port, 2);
	ck_assert_ptr_nonnull(ofp_instructions_find(&l, OFPIT_CLEAR_ACTIONS));
	in = ofp_instructions_find(&l, OFPIT_WRITE_METADATA);
	ck_assert_uint_eq(in->write_metadata.metadata, 1);
	ck_assert_uint_eq(in->write_metadata.mask, 0xff);
	ck_assert_uint_eq(ofp_instructions_find(&l, OFPIT_GOTO_TABLE)->table_id, 2);
	ck_assert_ptr_null(ofp_instructions_find(&l, OFPIT_EXPERIMENTER));
	arena_free(&a);
}
END_TEST

struct bad {
	const char *hex;
	uint16_t type, code;
};

static const struct bad bad_insts[] = {
	{ "0007000800000000", OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST },
	{ "0000000800000000", OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST },
	{ "fffe000800000000", OFPET_BAD_INSTRUCTION, OFPBIC_UNKNOWN_INST },
	{ "0005001000000000 0000000000000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001001001000000 0000000000000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0006001000000001 0000000000000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0002001000000000 0000000000000005", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "00010004", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001000001000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001000c01000000 00000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0004001800000000 0000001000000001", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001000801000000 0001", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001000801000000 00010008", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_LEN },
	{ "0001000801000000 0001000802000000", OFPET_BAD_INSTRUCTION, OFPBIC_DUP_INST },
	{ "0004000800000000 0005000800000000 0004000800000000", OFPET_BAD_INSTRUCTION,
	  OFPBIC_DUP_INST },
	{ "ffff000800002320", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER },
	{ "ffff001000002320 0000000000000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER },
	{ "00010008ff000000", OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID },
	/* errors of the actions inside */
	{ "0004001000000000 0001000800000000", OFPET_BAD_ACTION, OFPBAC_BAD_TYPE },
	{ "0003001000000000 0000001000000001", OFPET_BAD_ACTION, OFPBAC_BAD_LEN },
	{ "0004001800000000 0000001000000000 0000000000000000", OFPET_BAD_ACTION,
	  OFPBAC_BAD_OUT_PORT },
	{ "0003001000000000 ffff000800002320", OFPET_BAD_ACTION, OFPBAC_BAD_EXPERIMENTER },
};

START_TEST(test_bad)
{
	const struct bad *t = &bad_insts[_i];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	struct ofp_err err = { 0, 0 };
	uint8_t p[128];
	size_t n = unhex(t->hex, p, sizeof p);

	ck_assert_int_eq(ofp_instructions_decode(p, n, &a, &l, &err), -EPROTO);
	ck_assert_msg(err.type == t->type && err.code == t->code, "%s: %u/%u, want %u/%u", t->hex,
		      err.type, err.code, t->type, t->code);
	ck_assert_uint_eq(l.n, 0);
	arena_free(&a);
}
END_TEST

START_TEST(test_experimenter_kept)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	struct ofp_err err;
	uint8_t p[64];
	size_t n = unhex("ffff000800002320 ffff001000001234 0102030405060708"
			 "0004001800000000 ffff001000002320 aabbccdd00000000",
			 p, sizeof p);

	ck_assert_int_eq(
		ofp_instructions_decode_opts(p, n, OFP_ACTIONS_KEEP_EXPERIMENTER, &a, &l, &err), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.insts[0].experimenter.experimenter, 0x2320);
	ck_assert_uint_eq(l.insts[0].experimenter.len, 0);
	ck_assert_uint_eq(l.insts[1].experimenter.len, 8);
	ck_assert_mem_eq(l.insts[1].experimenter.data, "\1\2\3\4\5\6\7\10", 8);
	ck_assert_uint_eq(l.insts[2].actions.actions[0].experimenter.experimenter, 0x2320);
	arena_free(&a);
}
END_TEST

START_TEST(test_truncation)
{
	uint8_t p[256];
	size_t n = unhex(full_hex, p, sizeof p), ok = 0;

	for (size_t len = 0; len <= n; len++) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_instruction_list l;
		struct ofp_err err = { 0, 0 };
		int r = ofp_instructions_decode(p, len, &a, &l, &err);

		if (!r)
			ok++;
		else
			ck_assert(r == -EPROTO && err.type == OFPET_BAD_INSTRUCTION &&
				  err.code == OFPBIC_BAD_LEN);
		arena_free(&a);
	}
	ck_assert_uint_eq(ok, 7); /* the empty list and the 6 instruction boundaries */

	/* Each instruction cut short with its length field saying so. */
	for (size_t off = 0; off < n;) {
		size_t ilen = (size_t)(p[off + 2] << 8 | p[off + 3]);

		for (size_t cut = 1; cut < ilen; cut++) {
			struct arena a = ARENA_INITIALIZER;
			struct ofp_instruction_list l;
			struct ofp_err err = { 0, 0 };
			uint8_t q[64];

			memcpy(q, p + off, ilen);
			q[2] = (uint8_t)(cut >> 8);
			q[3] = (uint8_t)cut;
			/* An apply/write_actions cut to its 8-byte header is an empty list. */
			if (cut == 8 &&
			    (q[1] == OFPIT_APPLY_ACTIONS || q[1] == OFPIT_WRITE_ACTIONS)) {
				ck_assert_int_eq(ofp_instructions_decode(q, cut, &a, &l, &err), 0);
				arena_free(&a);
				continue;
			}
			ck_assert_int_eq(ofp_instructions_decode(q, cut, &a, &l, &err), -EPROTO);
			ck_assert(err.code == OFPBIC_BAD_LEN ||
				  (err.type == OFPET_BAD_ACTION && err.code == OFPBAC_BAD_LEN));
			arena_free(&a);
		}
		off += ilen;
	}
}
END_TEST

START_TEST(test_alloc_failure)
{
	uint8_t p[256];
	size_t n = unhex(full_hex, p, sizeof p);
	int r = -ENOMEM;

	for (long k = 0; r == -ENOMEM; k++) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_instruction_list l;
		struct ofp_err err;

		pfs_alloc_fail_after(k);
		r = ofp_instructions_decode(p, n, &a, &l, &err);
		pfs_alloc_fail_after(-1);
		ck_assert(r == 0 || r == -ENOMEM);
		if (!r)
			ck_assert_uint_eq(l.n, 6);
		arena_free(&a);
		ck_assert_int_lt(k, 100);
	}
	r = -ENOMEM;
	for (long k = 0; r == -ENOMEM; k++) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_instruction_list l;
		char eb[64];

		pfs_alloc_fail_after(k);
		r = ofp_instructions_parse("meter:1,output:2,write_actions(output:1),goto_table:2,"
					   "experimenter_inst(1,aa)",
					   &a, &l, eb, sizeof eb);
		pfs_alloc_fail_after(-1);
		ck_assert(r == 0 || r == -ENOMEM);
		arena_free(&a);
		ck_assert_int_lt(k, 100);
	}
}
END_TEST

static const char *const bad_text[] = {
	"meter:1,meter:2",
	"goto_table:1,goto_table:2",
	"output:1,apply_actions(output:2)",
	"apply_actions(output:1),apply_actions(output:2)",
	"goto_table:255",
	"goto_table:x",
	"goto_table:",
	"meter:",
	"meter:4294967296",
	"write_metadata:zz",
	"write_metadata:1/",
	"meter:1,drop",
	"drop,goto_table:1",
	"write_actions(output:0)",
	"write_actions(output:1",
	"write_actions(drop,output:1)",
	"clear_actions,,goto_table:1",
	"bogus",
	"experimenter_inst(zz)",
};

START_TEST(test_bad_text)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	char eb[128] = "";

	ck_assert_msg(ofp_instructions_parse(bad_text[_i], &a, &l, eb, sizeof eb) == -EINVAL,
		      "accepted: %s", bad_text[_i]);
	ck_assert_msg(eb[0] != '\0', "no message for %s", bad_text[_i]);
	ck_assert_uint_eq(l.n, 0);
	arena_free(&a);
}
END_TEST

static int
check_text(const struct ofp_match *m, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list l;
	struct ofp_err err = { 0, 0 };
	char eb[128];
	int r;

	ck_assert_msg(!ofp_instructions_parse(text, &a, &l, eb, sizeof eb), "%s", eb);
	r = ofp_instructions_check(&l, m, &err);
	if (r)
		ck_assert(err.type == OFPET_BAD_ACTION && err.code == OFPBAC_MATCH_INCONSISTENT);
	arena_free(&a);
	return r;
}

START_TEST(test_check)
{
	struct ofp_match any, ip;
	uint8_t et[2] = { 0x08, 0x00 };

	oxm_match_init(&any);
	oxm_match_init(&ip);
	ck_assert_int_eq(oxm_match_set(&ip, OFPXMT_OFB_ETH_TYPE, et, NULL), 0);
	ck_assert_int_eq(check_text(&ip, "set_field:10.0.0.1->ip_dst,goto_table:1"), 0);
	ck_assert_int_eq(check_text(&any, "meter:1,set_field:10.0.0.1->ip_dst"), -EPROTO);
	ck_assert_int_eq(check_text(&any, "write_actions(set_field:10.0.0.1->ip_dst)"), -EPROTO);
	/* The action set runs push_vlan before set_field whatever the list order ... */
	ck_assert_int_eq(check_text(&any, "write_actions(set_field:3->vlan_pcp,push_vlan:0x8100)"),
			 0);
	/* ... an apply list runs in its order ... */
	ck_assert_int_eq(check_text(&any, "set_field:3->vlan_pcp,push_vlan:0x8100"), -EPROTO);
	/* ... and apply_actions changes what the action set sees. */
	ck_assert_int_eq(check_text(&any, "push_vlan:0x8100,write_actions(set_field:3->vlan_pcp)"),
			 0);
	ck_assert_int_eq(
		check_text(&ip, "push_mpls:0x8847,write_actions(set_field:1.2.3.4->ip_src)"),
		-EPROTO);
	ck_assert_int_eq(check_text(&any, "clear_actions,write_metadata:1,goto_table:3"), 0);
}
END_TEST

START_TEST(test_equal)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list x, y;
	char eb[64];

	ck_assert(!ofp_instructions_parse("meter:1,goto_table:2", &a, &x, eb, sizeof eb));
	ck_assert(!ofp_instructions_parse("meter:1,goto_table:3", &a, &y, eb, sizeof eb));
	ck_assert(!ofp_instructions_equal(&x, &y));
	ck_assert(!ofp_instructions_parse("meter:1", &a, &y, eb, sizeof eb));
	ck_assert(!ofp_instructions_equal(&x, &y));
	ck_assert(!ofp_instructions_parse("write_metadata:1/3", &a, &x, eb, sizeof eb));
	ck_assert(!ofp_instructions_parse("write_metadata:1/7", &a, &y, eb, sizeof eb));
	ck_assert(!ofp_instructions_equal(&x, &y));
	ck_assert(!ofp_instructions_parse("write_actions(output:1)", &a, &x, eb, sizeof eb));
	ck_assert(!ofp_instructions_parse("write_actions(output:2)", &a, &y, eb, sizeof eb));
	ck_assert(!ofp_instructions_equal(&x, &y));
	ck_assert(!ofp_instructions_parse(" write_actions( output:2 ) ", &a, &x, eb, sizeof eb));
	ck_assert(ofp_instructions_equal(&x, &y));
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("instruction");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_vectors, 0, ARRAY_SIZE(vectors));
	tcase_add_loop_test(tc, test_formats, 0, ARRAY_SIZE(formats));
	tcase_add_test(tc, test_decoded_fields);
	tcase_add_loop_test(tc, test_bad, 0, ARRAY_SIZE(bad_insts));
	tcase_add_test(tc, test_experimenter_kept);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_alloc_failure);
	tcase_add_loop_test(tc, test_bad_text, 0, ARRAY_SIZE(bad_text));
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_equal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
