/* Unit tests for lib/ofp_group.c: GROUP_MOD against hand-built spec layouts, every
 * validation error, truncation at every length, allocation failure, ovs-ofctl group
 * text, and the group multipart bodies (request, stats, desc, features). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_group.h"
#include "ofp_msg.h"
#include "util.h"

/* GROUP_MOD ADD select group 1, two buckets with one output action each (7.3.4.2). */
static const uint8_t group_mod_vec[] = {
	0x04,
	0x0f,
	0x00,
	0x50,
	0x00,
	0x00,
	0x00,
	0x09, /* header, len 80, xid 9 */
	0x00,
	0x00,
	0x01,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01, /* ADD, SELECT, pad, group 1 */
	/* bucket: len 32, weight 10, watch_port ANY, watch_group ANY, pad */
	0x00,
	0x20,
	0x00,
	0x0a,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0,
	0,
	0,
	0,
	/* output: type 0, len 16, port 1, max_len 0, pad */
	0x00,
	0x00,
	0x00,
	0x10,
	0x00,
	0x00,
	0x00,
	0x01,
	0x00,
	0x00,
	0,
	0,
	0,
	0,
	0,
	0,
	/* bucket: len 32, weight 20, watch_port 2, watch_group ANY, pad */
	0x00,
	0x20,
	0x00,
	0x14,
	0x00,
	0x00,
	0x00,
	0x02,
	0xff,
	0xff,
	0xff,
	0xff,
	0,
	0,
	0,
	0,
	/* output: port 2 */
	0x00,
	0x00,
	0x00,
	0x10,
	0x00,
	0x00,
	0x00,
	0x02,
	0x00,
	0x00,
	0,
	0,
	0,
	0,
	0,
	0,
};

static int
decode_vec(const uint8_t *v, size_t len, struct arena *a, struct ofp_group_mod *gm,
	   struct ofp_err *err)
{
	struct ofp_header_info h;

	ck_assert_int_eq(ofp_header_check(v, len, &h, err), 0);
	return ofp_group_mod_decode(v, len, a, gm, err);
}

START_TEST(test_group_mod_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_group_mod gm;
	struct ofp_err err;

	ck_assert_int_eq(decode_vec(group_mod_vec, sizeof group_mod_vec, &a, &gm, &err), 0);
	ck_assert_uint_eq(gm.command, OFPGC_ADD);
	ck_assert_uint_eq(gm.type, OFPGT_SELECT);
	ck_assert_uint_eq(gm.group_id, 1);
	ck_assert_uint_eq(gm.buckets.n, 2);
	ck_assert_uint_eq(gm.buckets.items[0].weight, 10);
	ck_assert_uint_eq(gm.buckets.items[0].watch_port, OFPP_ANY);
	ck_assert_uint_eq(gm.buckets.items[0].watch_group, OFPG_ANY);
	ck_assert_uint_eq(gm.buckets.items[0].actions.n, 1);
	ck_assert_uint_eq(gm.buckets.items[0].actions.actions[0].type, OFPAT_OUTPUT);
	ck_assert_uint_eq(gm.buckets.items[0].actions.actions[0].output.port, 1);
	ck_assert_uint_eq(gm.buckets.items[1].weight, 20);
	ck_assert_uint_eq(gm.buckets.items[1].watch_port, 2);

	ck_assert_int_eq(ofp_group_mod_encode(&gm, 9, &b), 0);
	ck_assert_uint_eq(b.size, sizeof group_mod_vec);
	ck_assert_mem_eq(b.data, group_mod_vec, sizeof group_mod_vec);
	buf_clear(&b);
	ofp_group_mod_format(&gm, &b);
	ck_assert_str_eq(buf_cstr(&b), "ADD group_id=1,type=select,bucket=weight:10,"
				       "actions=output:1,bucket=weight:20,watch_port:2,"
				       "actions=output:2");
	ck_assert_str_eq(ofp_group_type_name(OFPGT_FF), "ff");
	ck_assert_ptr_null(ofp_group_type_name(4));
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

struct mutation {
	size_t ofs;
	uint8_t val;
	uint16_t type, code;
};

START_TEST(test_group_mod_errors)
{
	static const struct mutation muts[] = {
		{ 9, 3, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND },
		{ 8, 1, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND },
		{ 10, 4, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_TYPE },
		{ 17, 0x08, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET }, /* len 8 */
		{ 17, 0x21, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET }, /* len 33 */
		{ 49, 0x28, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET }, /* past the end */
		{ 16, 0x01, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_BUCKET }, /* len 288 */
		{ 35, 0x08, OFPET_BAD_ACTION, OFPBAC_BAD_LEN },		  /* output len 8 */
		{ 23, 0x00, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH },  /* port 0xffffff00 */
		{ 27, 0x01, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH },  /* group 0xffffff01 */
		{ 33, 0x63, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE },	  /* action type 99 */
	};
	struct arena a = ARENA_INITIALIZER;
	uint8_t v[sizeof group_mod_vec + 8];
	struct ofp_group_mod gm;
	struct ofp_err err;

	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		memcpy(v, group_mod_vec, sizeof group_mod_vec);
		v[muts[i].ofs] = muts[i].val;
		if (muts[i].ofs == 23) /* watch port 0xffffff00 is OFPP_MAX: make it 0 */
			memset(v + 20, 0, 4);
		err.type = err.code = 0xeeee;
		ck_assert_msg(ofp_group_mod_decode(v, sizeof group_mod_vec, &a, &gm, &err) ==
				      -EPROTO,
			      "mutation %zu accepted", i);
		ck_assert_msg(err.type == muts[i].type && err.code == muts[i].code,
			      "mutation %zu: got %u/%u", i, err.type, err.code);
		arena_free(&a);
	}

#define EXPECT(code_)                                                                              \
	do {                                                                                       \
		ck_assert_int_eq(ofp_group_mod_decode(v, len, &a, &gm, &err), -EPROTO);            \
		ck_assert_uint_eq(err.type, OFPET_GROUP_MOD_FAILED);                               \
		ck_assert_uint_eq(err.code, (code_));                                              \
		arena_free(&a);                                                                    \
	} while (0)
#define EXPECT_OK()                                                                                \
	do {                                                                                       \
		ck_assert_int_eq(ofp_group_mod_decode(v, len, &a, &gm, &err), 0);                  \
		arena_free(&a);                                                                    \
	} while (0)

	size_t len = sizeof group_mod_vec;
	/* Group ids: above MAX invalid; ALL only for DELETE; ANY never. */
	memcpy(v, group_mod_vec, len);
	put_be32(v + 12, OFPG_MAX);
	EXPECT_OK();
	put_be32(v + 12, OFPG_MAX + 1);
	EXPECT(OFPGMFC_INVALID_GROUP);
	put_be32(v + 12, OFPG_ALL);
	EXPECT(OFPGMFC_INVALID_GROUP);
	put_be16(v + 8, OFPGC_DELETE);
	EXPECT_OK();
	put_be32(v + 12, OFPG_ANY);
	EXPECT(OFPGMFC_INVALID_GROUP);
	/* A weight in a non-select group. */
	memcpy(v, group_mod_vec, len);
	v[10] = OFPGT_ALL;
	EXPECT(OFPGMFC_BAD_BUCKET);
	put_be16(v + 18, 0);
	put_be16(v + 50, 0);
	EXPECT_OK();
	/* Indirect groups have exactly one bucket (except DELETE). */
	v[10] = OFPGT_INDIRECT;
	EXPECT(OFPGMFC_INVALID_GROUP);
	put_be16(v + 8, OFPGC_DELETE);
	EXPECT_OK();
	put_be16(v + 8, OFPGC_MODIFY);
	put_be16(v + 2, 48);
	len = 48;
	EXPECT_OK();
	len = 16;
	put_be16(v + 2, 16);
	EXPECT(OFPGMFC_INVALID_GROUP);
	/* Fast failover needs a watch port or group in every bucket. */
	len = sizeof group_mod_vec;
	memcpy(v, group_mod_vec, len);
	v[10] = OFPGT_FF;
	put_be16(v + 18, 0);
	put_be16(v + 50, 0);
	EXPECT(OFPGMFC_BAD_WATCH); /* bucket 0 watches nothing */
	put_be32(v + 24, 7);	   /* watch group 7 */
	EXPECT_OK();
	/* Trailing bytes shorter than a bucket. */
	memcpy(v, group_mod_vec, len);
	memset(v + len, 0, 8);
	put_be16(v + 2, (uint16_t)(len + 8));
	len += 8;
	EXPECT(OFPGMFC_BAD_BUCKET);
	/* Short fixed part. */
	ck_assert_int_eq(ofp_group_mod_decode(v, 15, &a, &gm, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	arena_free(&a);
#undef EXPECT
#undef EXPECT_OK
}
END_TEST

START_TEST(test_group_mod_truncation)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod gm;
	struct ofp_err err;

	for (size_t n = 0; n < sizeof group_mod_vec; n++) {
		uint8_t *v = malloc(n ? n : 1);
		int ret;

		memcpy(v, group_mod_vec, n);
		if (n >= 4)
			put_be16(v + 2, (uint16_t)n);
		ret = ofp_group_mod_decode(v, n, &a, &gm, &err);
		if (n == 16 || n == 48) /* whole buckets: a valid shorter group_mod */
			ck_assert_int_eq(ret, 0);
		else
			ck_assert_msg(ret == -EPROTO, "prefix %zu: %d", n, ret);
		if (n > 16 && n != 48)
			ck_assert_uint_eq(err.code, OFPGMFC_BAD_BUCKET);
		free(v);
		arena_free(&a);
	}
}
END_TEST

START_TEST(test_group_mod_alloc_failure)
{
	struct ofp_group_mod gm;
	struct ofp_err err;
	int ret = -ENOMEM;

	for (long n = 0; ret; n++) {
		struct arena a = ARENA_INITIALIZER;

		pfs_alloc_fail_after(n);
		ret = ofp_group_mod_decode(group_mod_vec, sizeof group_mod_vec, &a, &gm, &err);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		arena_free(&a);
		ck_assert_int_lt(n, 100);
	}
	{
		struct arena a = ARENA_INITIALIZER;
		struct buf b = BUF_INITIALIZER;

		ck_assert_int_eq(decode_vec(group_mod_vec, sizeof group_mod_vec, &a, &gm, &err), 0);
		pfs_alloc_fail_after(0);
		ck_assert_int_eq(ofp_group_mod_encode(&gm, 1, &b), -ENOMEM);
		pfs_alloc_fail_after(-1);
		buf_uninit(&b);
		arena_free(&a);
	}
}
END_TEST

/* Parses, encodes, decodes (full validation) and formats. */
static void
parse_roundtrip(const char *text, uint16_t command, struct buf *out)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_group_mod gm, back;
	struct ofp_err err;
	char ebuf[128] = "";

	ck_assert_msg(ofp_group_mod_parse(text, command, &a, &gm, ebuf, sizeof ebuf) == 0, "%s: %s",
		      text, ebuf);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, 3, &b), 0);
	ck_assert_msg(decode_vec(b.data, b.size, &a, &back, &err) == 0, "%s: %u/%u", text, err.type,
		      err.code);
	ofp_group_mod_format(&back, out);
	buf_uninit(&b);
	arena_free(&a);
}

START_TEST(test_group_text)
{
	struct buf out = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod gm;
	char ebuf[128];

	parse_roundtrip("group_id=1,type=select,bucket=weight:10,watch_port:1,actions=output:1,"
			"bucket=output:2",
			OFPGC_ADD, &out);
	ck_assert_str_eq(buf_cstr(&out), "ADD group_id=1,type=select,bucket=weight:10,"
					 "watch_port:1,actions=output:1,bucket=actions=output:2");
	buf_clear(&out);
	/* ovs "key=value" spellings inside buckets, several actions, fast_failover. */
	parse_roundtrip("group_id=2,type=fast_failover,bucket=watch_port=3,actions=dec_ttl,"
			"output:3,bucket=watch_group=1,actions=output:4",
			OFPGC_MODIFY, &out);
	ck_assert_str_eq(buf_cstr(&out), "MOD group_id=2,type=ff,bucket=watch_port:3,"
					 "actions=dec_ttl,output:3,bucket=watch_group:1,"
					 "actions=output:4");
	buf_clear(&out);
	parse_roundtrip("group_id=3 type=indirect bucket=pop_vlan,output:2", OFPGC_ADD, &out);
	ck_assert_str_eq(buf_cstr(&out),
			 "ADD group_id=3,type=indirect,bucket=actions=pop_vlan,output:2");
	buf_clear(&out);
	parse_roundtrip("group_id=7,type=all,bucket=output:1,group:2,bucket=output:3", OFPGC_ADD,
			&out);
	ck_assert_str_eq(buf_cstr(&out), "ADD group_id=7,type=all,bucket=actions=output:1,group:2,"
					 "bucket=actions=output:3");
	buf_clear(&out);
	parse_roundtrip("type=all,group_id=4,bucket=actions=drop", OFPGC_ADD, &out);
	ck_assert_str_eq(buf_cstr(&out), "ADD group_id=4,type=all,bucket=actions=drop");
	buf_clear(&out);
	parse_roundtrip("", OFPGC_DELETE, &out);
	ck_assert_str_eq(buf_cstr(&out), "DEL group_id=ALL,type=all");
	buf_clear(&out);
	parse_roundtrip("group_id=5", OFPGC_DELETE, &out);
	ck_assert_str_eq(buf_cstr(&out), "DEL group_id=5,type=all");
	buf_clear(&out);

	/* dump-groups output parses back. */
	{
		struct ofp_group_desc gd;
		struct buf t = BUF_INITIALIZER;

		ck_assert_int_eq(ofp_group_mod_parse("group_id=6,type=select,bucket=weight:5,"
						     "actions=output:1,bucket=actions=output:2",
						     OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
				 0);
		gd.type = gm.type;
		gd.group_id = gm.group_id;
		gd.buckets = gm.buckets;
		ofp_group_desc_format(&gd, &t);
		ck_assert_str_eq(buf_cstr(&t), " group_id=6,type=select,bucket=weight:5,"
					       "actions=output:1,bucket=actions=output:2");
		ck_assert_int_eq(
			ofp_group_mod_parse(buf_cstr(&t), OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
			0);
		ck_assert_uint_eq(gm.buckets.n, 2);
		ck_assert_uint_eq(gm.buckets.items[0].weight, 5);
		ck_assert_uint_eq(gm.buckets.items[1].weight, 1);
		buf_uninit(&t);
	}

	/* Errors name the bad token. */
	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,type=round_robin,bucket=output:1",
					     OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "type"));
	ck_assert_int_eq(
		ofp_group_mod_parse("group_id=x,type=all", OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "group_id"));
	ck_assert_int_eq(
		ofp_group_mod_parse("group_id=1,colour=red", OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "colour"));
	ck_assert_int_eq(ofp_group_mod_parse("type=all,bucket=output:1", OFPGC_ADD, &a, &gm, ebuf,
					     sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "group_id"));
	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,bucket=output:1", OFPGC_ADD, &a, &gm, ebuf,
					     sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "type"));
	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,type=select,bucket=weight:70000,"
					     "actions=output:1",
					     OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "weight"));
	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,type=ff,bucket=watch_port:nowhere,"
					     "actions=output:1",
					     OFPGC_ADD, &a, &gm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "watch_port"));
	ck_assert_int_eq(ofp_group_mod_parse("group_id=1,type=all,bucket=actions=fly:1", OFPGC_ADD,
					     &a, &gm, ebuf, sizeof ebuf),
			 -EINVAL);
	for (long n = 0; n < 8; n++) {
		struct arena a2 = ARENA_INITIALIZER;
		int ret;

		pfs_alloc_fail_after(n);
		ret = ofp_group_mod_parse("group_id=1,type=select,bucket=output:1,bucket=output:2",
					  OFPGC_ADD, &a2, &gm, ebuf, sizeof ebuf);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		arena_free(&a2);
	}
	buf_uninit(&out);
	arena_free(&a);
}
END_TEST

START_TEST(test_group_request)
{
	static const uint8_t vec[] = { 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0 };
	struct buf_cursor c = buf_cursor(vec, sizeof vec);
	struct ofp_group_stats_request r;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;

	ck_assert_int_eq(ofp_group_stats_request_decode(&c, NULL, &r, &err), 0);
	ck_assert_uint_eq(r.group_id, OFPG_ALL);
	ck_assert_uint_eq(c.left, 0);
	ofp_group_stats_request_encode(&r, &b);
	ck_assert_mem_eq(b.data, vec, sizeof vec);
	buf_clear(&b);
	ofp_group_stats_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "group_id=ALL");
	for (size_t n = 0; n < sizeof vec; n++) {
		c = buf_cursor(vec, n);
		ck_assert_int_eq(ofp_group_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	buf_uninit(&b);
}
END_TEST

/* ofp_group_stats with one bucket counter (7.3.5.9 layout). */
static const uint8_t group_stats_vec[] = {
	0x00, 0x38, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /* len 56, pad, group 7 */
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* ref_count 2, pad */
	0,    0,    0,	  0,	0,    0,    0,	  10,	/* packet_count */
	0,    0,    0,	  0,	0,    0,    0x02, 0x58, /* byte_count 600 */
	0x00, 0x00, 0x00, 0x03, 0x07, 0x27, 0x0e, 0x00, /* 3 s, 120000000 ns */
	0,    0,    0,	  0,	0,    0,    0,	  10,	0, 0, 0, 0, 0, 0, 0x02, 0x58,
};

START_TEST(test_group_stats)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf_cursor c = buf_cursor(group_stats_vec, sizeof group_stats_vec);
	struct buf b = BUF_INITIALIZER;
	struct ofp_group_stats gs;
	struct ofp_err err;
	uint8_t v[sizeof group_stats_vec];

	ck_assert_int_eq(ofp_group_stats_decode(&c, &a, &gs, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(gs.group_id, 7);
	ck_assert_uint_eq(gs.ref_count, 2);
	ck_assert_uint_eq(gs.packet_count, 10);
	ck_assert_uint_eq(gs.byte_count, 600);
	ck_assert_uint_eq(gs.duration_sec, 3);
	ck_assert_uint_eq(gs.duration_nsec, 120000000);
	ck_assert_uint_eq(gs.bucket_stats.n, 1);
	ck_assert_uint_eq(gs.bucket_stats.items[0].byte_count, 600);
	ofp_group_stats_encode(&gs, &b);
	ck_assert_uint_eq(b.size, sizeof group_stats_vec);
	ck_assert_mem_eq(b.data, group_stats_vec, sizeof group_stats_vec);
	buf_clear(&b);
	ofp_group_stats_format(&gs, &b);
	ck_assert_str_eq(buf_cstr(&b), " group_id=7,duration=3.120s,ref_count=2,packet_count=10,"
				       "byte_count=600,bucket0:packet_count=10,byte_count=600");

	static const uint16_t bad_lens[] = { 0, 39, 48, 72 };
	for (size_t i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		memcpy(v, group_stats_vec, sizeof v);
		put_be16(v, bad_lens[i]);
		c = buf_cursor(v, sizeof v);
		ck_assert_int_eq(ofp_group_stats_decode(&c, &a, &gs, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	for (size_t n = 0; n < sizeof group_stats_vec; n++) {
		c = buf_cursor(group_stats_vec, n);
		ck_assert_int_eq(ofp_group_stats_decode(&c, &a, &gs, &err), -EPROTO);
	}
	for (long n = 0;; n++) {
		struct arena a2 = ARENA_INITIALIZER;
		int ret;

		c = buf_cursor(group_stats_vec, sizeof group_stats_vec);
		pfs_alloc_fail_after(n);
		ret = ofp_group_stats_decode(&c, &a2, &gs, &err);
		pfs_alloc_fail_after(-1);
		arena_free(&a2);
		ck_assert(ret == 0 || ret == -ENOMEM);
		if (!ret)
			break;
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* ofp_group_desc: len 40, type select, group 1, one bucket (weight 10, output 1). */
static const uint8_t group_desc_vec[] = {
	0x00, 0x28, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x0a, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,	  0,	0,    0,    0x00, 0x00, 0x00, 0x10,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0,	  0,	0,    0,    0,	  0,
};

START_TEST(test_group_desc)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf_cursor c = buf_cursor(group_desc_vec, sizeof group_desc_vec);
	struct buf b = BUF_INITIALIZER;
	struct ofp_group_desc gd;
	struct ofp_err err;
	uint8_t v[sizeof group_desc_vec];

	ck_assert_int_eq(ofp_group_desc_decode(&c, &a, &gd, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(gd.type, OFPGT_SELECT);
	ck_assert_uint_eq(gd.group_id, 1);
	ck_assert_uint_eq(gd.buckets.n, 1);
	ck_assert_uint_eq(gd.buckets.items[0].weight, 10);
	ofp_group_desc_encode(&gd, &b);
	ck_assert_mem_eq(b.data, group_desc_vec, sizeof group_desc_vec);
	buf_clear(&b);
	ofp_group_desc_format(&gd, &b);
	ck_assert_str_eq(buf_cstr(&b), " group_id=1,type=select,bucket=weight:10,actions=output:1");

	for (size_t n = 0; n < sizeof group_desc_vec; n++) {
		c = buf_cursor(group_desc_vec, n);
		ck_assert_int_eq(ofp_group_desc_decode(&c, &a, &gd, &err), -EPROTO);
	}
	memcpy(v, group_desc_vec, sizeof v);
	put_be16(v, 4);
	c = buf_cursor(v, sizeof v);
	ck_assert_int_eq(ofp_group_desc_decode(&c, &a, &gd, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	put_be16(v, 32); /* bucket cut short inside the entry */
	c = buf_cursor(v, sizeof v);
	ck_assert_int_eq(ofp_group_desc_decode(&c, &a, &gd, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_GROUP_MOD_FAILED);
	ck_assert_uint_eq(err.code, OFPGMFC_BAD_BUCKET);
	/* An empty group (no buckets). */
	put_be16(v, 8);
	c = buf_cursor(v, 8);
	ck_assert_int_eq(ofp_group_desc_decode(&c, &a, &gd, &err), 0);
	ck_assert_uint_eq(gd.buckets.n, 0);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_group_features)
{
	static const uint8_t vec[] = {
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x05, /* types all four; weight+chaining
								 */
		0,    0,    0x01, 0,	0,    0,    0x01, 0,	0,
		0,    0x01, 0,	  0,	0,    0x01, 0, /* max_groups 256 */
		0x00, 0x40, 0x00, 0x01, 0,    0,    0,	  1,	0,
		0,    0,    1,	  0,	0,    0,    1, /* actions */
	};
	struct buf_cursor c = buf_cursor(vec, sizeof vec);
	struct ofp_group_features gf;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;

	ck_assert_int_eq(ofp_group_features_decode(&c, NULL, &gf, &err), 0);
	ck_assert_uint_eq(gf.types, 0xf);
	ck_assert_uint_eq(gf.capabilities, OFPGFC_SELECT_WEIGHT | OFPGFC_CHAINING);
	ck_assert_uint_eq(gf.max_groups[3], 256);
	ck_assert_uint_eq(gf.actions[0], (1u << OFPAT_GROUP) | (1u << OFPAT_OUTPUT));
	ofp_group_features_encode(&gf, &b);
	ck_assert_mem_eq(b.data, vec, sizeof vec);
	buf_clear(&b);
	ofp_group_features_format(&gf, &b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "Types:  all select indirect fast_failover\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "Capabilities:  weight chaining\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "all group:\n       max_groups=0x100\n"
						   "       actions: output group\n"));
	for (size_t n = 0; n < sizeof vec; n++) {
		c = buf_cursor(vec, n);
		ck_assert_int_eq(ofp_group_features_decode(&c, NULL, &gf, &err), -EPROTO);
	}
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("group");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_group_mod_vector);
	tcase_add_test(tc, test_group_mod_errors);
	tcase_add_test(tc, test_group_mod_truncation);
	tcase_add_test(tc, test_group_mod_alloc_failure);
	tcase_add_test(tc, test_group_text);
	tcase_add_test(tc, test_group_request);
	tcase_add_test(tc, test_group_stats);
	tcase_add_test(tc, test_group_desc);
	tcase_add_test(tc, test_group_features);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
