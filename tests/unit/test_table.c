/* Unit tests for lib/ofp_table.c: TABLE_MOD, table stats and table features (every
 * property type, every malformed-length path, allocation failure, pfswitch's default
 * feature list). Byte vectors are written by hand from the OF1.3.5 layouts. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "ofp_table.h"
#include "oxm.h"
#include "util.h"

static const uint8_t table_mod_vec[] = {
	0x04, 0x11, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, /* header, xid 5 */
	0x03, 0,    0,	  0,				/* table_id 3, pad */
	0x00, 0x00, 0x00, 0x03,				/* config: deprecated bits */
};

static const uint8_t table_stats_vec[] = {
	0x02, 0,    0,	  0,			  /* table_id, pad */
	0x00, 0x00, 0x01, 0x00,			  /* active_count 256 */
	0,    0,    0,	  0,	0, 0, 0x10, 0x00, /* lookup_count 4096 */
	0,    0,    0,	  0,	0, 0, 0x0f, 0xff, /* matched_count 4095 */
};

/* One struct ofp_table_features with every property type, 272 bytes. */
static const uint8_t tf_vec[] = {
	0x01,
	0x10,
	0x00,
	0,
	0,
	0,
	0,
	0, /* length 272, table_id 0, pad */
	'c',
	'l',
	'a',
	's',
	's',
	'i',
	'f',
	'i',
	'e',
	'r',
	0,
	0,
	0,
	0,
	0,
	0, /* name */
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff, /* metadata_match */
	0x00,
	0x00,
	0x00,
	0x00,
	0xff,
	0xff,
	0xff,
	0xff, /* metadata_write */
	0x00,
	0x00,
	0x00,
	0x03, /* config */
	0x00,
	0x0f,
	0x42,
	0x40, /* max_entries 1000000 */
	/* INSTRUCTIONS, len 20: goto_table, apply_actions, experimenter 0x2320; pad 4 */
	0x00,
	0x00,
	0x00,
	0x14,
	0x00,
	0x01,
	0x00,
	0x04,
	0x00,
	0x04,
	0x00,
	0x04,
	0xff,
	0xff,
	0x00,
	0x08,
	0x00,
	0x00,
	0x23,
	0x20,
	0,
	0,
	0,
	0,
	/* INSTRUCTIONS_MISS, len 8: clear_actions */
	0x00,
	0x01,
	0x00,
	0x08,
	0x00,
	0x05,
	0x00,
	0x04,
	/* NEXT_TABLES, len 7: 1 2 3; pad 1 */
	0x00,
	0x02,
	0x00,
	0x07,
	0x01,
	0x02,
	0x03,
	0,
	/* NEXT_TABLES_MISS, len 4: empty; pad 4 */
	0x00,
	0x03,
	0x00,
	0x04,
	0,
	0,
	0,
	0,
	/* WRITE_ACTIONS, len 12: output, group; pad 4 */
	0x00,
	0x04,
	0x00,
	0x0c,
	0x00,
	0x00,
	0x00,
	0x04,
	0x00,
	0x16,
	0x00,
	0x04,
	0,
	0,
	0,
	0,
	/* WRITE_ACTIONS_MISS, len 12: experimenter action 0x2320; pad 4 */
	0x00,
	0x05,
	0x00,
	0x0c,
	0xff,
	0xff,
	0x00,
	0x08,
	0x00,
	0x00,
	0x23,
	0x20,
	0,
	0,
	0,
	0,
	/* APPLY_ACTIONS, len 8: set_field */
	0x00,
	0x06,
	0x00,
	0x08,
	0x00,
	0x19,
	0x00,
	0x04,
	/* APPLY_ACTIONS_MISS, len 12: push_vlan, pop_vlan; pad 4 */
	0x00,
	0x07,
	0x00,
	0x0c,
	0x00,
	0x11,
	0x00,
	0x04,
	0x00,
	0x12,
	0x00,
	0x04,
	0,
	0,
	0,
	0,
	/* MATCH, len 12: in_port, eth_dst/mask; pad 4 */
	0x00,
	0x08,
	0x00,
	0x0c,
	0x80,
	0x00,
	0x00,
	0x04,
	0x80,
	0x00,
	0x07,
	0x0c,
	0,
	0,
	0,
	0,
	/* WILDCARDS, len 8: eth_dst */
	0x00,
	0x0a,
	0x00,
	0x08,
	0x80,
	0x00,
	0x06,
	0x06,
	/* WRITE_SETFIELD, len 12: experimenter OXM 0xffff0004 of 0x4f4e4600; pad 4 */
	0x00,
	0x0c,
	0x00,
	0x0c,
	0xff,
	0xff,
	0x00,
	0x04,
	0x4f,
	0x4e,
	0x46,
	0x00,
	0,
	0,
	0,
	0,
	/* WRITE_SETFIELD_MISS, len 8: ipv4_src */
	0x00,
	0x0d,
	0x00,
	0x08,
	0x80,
	0x00,
	0x16,
	0x04,
	/* APPLY_SETFIELD, len 12: tcp_dst, udp_dst; pad 4 */
	0x00,
	0x0e,
	0x00,
	0x0c,
	0x80,
	0x00,
	0x1c,
	0x02,
	0x80,
	0x00,
	0x20,
	0x02,
	0,
	0,
	0,
	0,
	/* APPLY_SETFIELD_MISS, len 4: empty; pad 4 */
	0x00,
	0x0f,
	0x00,
	0x04,
	0,
	0,
	0,
	0,
	/* EXPERIMENTER, len 15: 0x2320, exp_type 7, data 01 02 03; pad 1 */
	0xff,
	0xfe,
	0x00,
	0x0f,
	0x00,
	0x00,
	0x23,
	0x20,
	0x00,
	0x00,
	0x00,
	0x07,
	0x01,
	0x02,
	0x03,
	0,
	/* EXPERIMENTER_MISS, len 12: 0x2320, exp_type 8; pad 4 */
	0xff,
	0xff,
	0x00,
	0x0c,
	0x00,
	0x00,
	0x23,
	0x20,
	0x00,
	0x00,
	0x00,
	0x08,
	0,
	0,
	0,
	0,
};

/* Offsets in tf_vec where each property starts (and the end). */
static const size_t tf_bounds[] = { 64,	 88,  96,  104, 112, 128, 144, 152, 168,
				    184, 192, 208, 216, 232, 240, 256, 272 };

static void
expect_err(struct ofp_err err, uint16_t type, uint16_t code)
{
	ck_assert_uint_eq(err.type, type);
	ck_assert_uint_eq(err.code, code);
}

START_TEST(test_table_mod)
{
	struct ofp_err err = { 0, 0 };
	struct ofp_header_info h;
	struct ofp_table_mod tm;
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_header_check(table_mod_vec, sizeof table_mod_vec, &h, &err), 0);
	ck_assert_int_eq(ofp_table_mod_decode(table_mod_vec, sizeof table_mod_vec, NULL, &tm, &err),
			 0);
	ck_assert_uint_eq(tm.table_id, 3);
	ck_assert_uint_eq(tm.config, OFPTC_DEPRECATED_MASK);
	ck_assert_int_eq(ofp_table_mod_encode(&tm, 5, &b), 0);
	ck_assert_uint_eq(b.size, sizeof table_mod_vec);
	ck_assert_mem_eq(b.data, table_mod_vec, sizeof table_mod_vec);
	buf_clear(&b);
	ofp_table_mod_format(&tm, &b);
	tm.table_id = OFPTT_ALL;
	tm.config = 0;
	ofp_table_mod_format(&tm, &b);
	ck_assert_str_eq(buf_cstr(&b), " table_id=3, config=0x3 table_id=ALL, config=0x0");

	/* OFPTT_ALL is accepted; any config bit beyond the deprecated ones is refused. */
	for (unsigned bit = 0; bit < 32; bit++) {
		uint8_t msg[sizeof table_mod_vec];
		int rc;

		memcpy(msg, table_mod_vec, sizeof msg);
		msg[8] = OFPTT_ALL;
		put_be32(msg + 12, 1u << bit);
		rc = ofp_table_mod_decode(msg, sizeof msg, NULL, &tm, &err);
		if (bit < 2) {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(tm.table_id, OFPTT_ALL);
			continue;
		}
		ck_assert_int_eq(rc, -EPROTO);
		expect_err(err, OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_CONFIG);
	}
	for (size_t n = OFP_HEADER_LEN; n <= sizeof table_mod_vec + 8; n++) {
		uint8_t *p;

		if (n == sizeof table_mod_vec)
			continue;
		p = calloc(1, n);
		memcpy(p, table_mod_vec, PFS_MIN(n, sizeof table_mod_vec));
		put_be16(p + 2, (uint16_t)n);
		ck_assert_int_eq(ofp_table_mod_decode(p, n, NULL, &tm, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		free(p);
	}
	pfs_alloc_fail_after(0);
	buf_uninit(&b);
	ck_assert_int_eq(ofp_table_mod_encode(&tm, 5, &b), -ENOMEM);
	pfs_alloc_fail_after(-1);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_table_stats)
{
	struct buf_cursor c = buf_cursor(table_stats_vec, sizeof table_stats_vec);
	struct ofp_err err = { 0, 0 };
	struct ofp_table_stats ts;
	struct buf b = BUF_INITIALIZER;

	ck_assert_uint_eq(sizeof table_stats_vec, OFP_TABLE_STATS_LEN);
	ck_assert_int_eq(ofp_table_stats_decode(&c, NULL, &ts, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(ts.table_id, 2);
	ck_assert_uint_eq(ts.active_count, 256);
	ck_assert_uint_eq(ts.lookup_count, 4096);
	ck_assert_uint_eq(ts.matched_count, 4095);
	ofp_table_stats_encode(&ts, &b);
	ck_assert_uint_eq(b.size, sizeof table_stats_vec);
	ck_assert_mem_eq(b.data, table_stats_vec, sizeof table_stats_vec);
	buf_clear(&b);
	ofp_table_stats_format(&ts, &b);
	ck_assert_str_eq(buf_cstr(&b), "  table 2:\n    active=256, lookup=4096, matched=4095\n");
	for (size_t n = 0; n < sizeof table_stats_vec; n++) {
		c = buf_cursor(table_stats_vec, n);
		ck_assert_int_eq(ofp_table_stats_decode(&c, NULL, &ts, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		ck_assert_uint_eq(c.left, n);
	}
	buf_uninit(&b);
}
END_TEST

static const struct ofp_table_feature_prop *
find_prop(const struct ofp_table_features *tf, uint16_t type)
{
	for (size_t i = 0; i < tf->props.n; i++)
		if (tf->props.items[i].type == type)
			return &tf->props.items[i];
	return NULL;
}

START_TEST(test_table_features_vector)
{
	struct buf_cursor c = buf_cursor(tf_vec, sizeof tf_vec);
	struct arena a = ARENA_INITIALIZER;
	struct ofp_err err = { 0, 0 };
	const struct ofp_table_feature_prop *p;
	struct ofp_table_features tf;
	struct buf b = BUF_INITIALIZER;

	ck_assert_uint_eq(sizeof tf_vec, 272);
	ck_assert_int_eq(ofp_table_features_decode(&c, &a, &tf, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(tf.table_id, 0);
	ck_assert_str_eq(tf.name, "classifier");
	ck_assert_uint_eq(tf.metadata_match, UINT64_MAX);
	ck_assert_uint_eq(tf.metadata_write, 0xffffffffu);
	ck_assert_uint_eq(tf.config, 3);
	ck_assert_uint_eq(tf.max_entries, 1000000);
	ck_assert_uint_eq(tf.props.n, 16);

	p = find_prop(&tf, OFPTFPT_INSTRUCTIONS);
	ck_assert_uint_eq(p->ids.n, 3);
	ck_assert_uint_eq(p->ids.items[0].type, OFPIT_GOTO_TABLE);
	ck_assert_uint_eq(p->ids.items[0].len, 4);
	ck_assert_uint_eq(p->ids.items[2].type, OFPIT_EXPERIMENTER);
	ck_assert_uint_eq(p->ids.items[2].len, 8);
	ck_assert_uint_eq(p->ids.items[2].experimenter, 0x2320);
	p = find_prop(&tf, OFPTFPT_NEXT_TABLES);
	ck_assert_uint_eq(p->tables.n, 3);
	ck_assert_uint_eq(p->tables.items[2], 3);
	ck_assert_ptr_ne(p->tables.items, tf_vec + 100); /* copied, not pointing into input */
	ck_assert_uint_eq(find_prop(&tf, OFPTFPT_NEXT_TABLES_MISS)->tables.n, 0);
	p = find_prop(&tf, OFPTFPT_WRITE_ACTIONS_MISS);
	ck_assert_uint_eq(p->ids.n, 1);
	ck_assert_uint_eq(p->ids.items[0].type, OFPAT_EXPERIMENTER);
	ck_assert_uint_eq(p->ids.items[0].experimenter, 0x2320);
	p = find_prop(&tf, OFPTFPT_MATCH);
	ck_assert_uint_eq(p->oxms.n, 2);
	ck_assert_uint_eq(p->oxms.items[1].header,
			  OXM_HEADER(OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_ETH_DST, 1, 12));
	p = find_prop(&tf, OFPTFPT_WRITE_SETFIELD);
	ck_assert_uint_eq(p->oxms.n, 1);
	ck_assert_uint_eq(p->oxms.items[0].header, 0xffff0004u);
	ck_assert_uint_eq(p->oxms.items[0].experimenter, 0x4f4e4600u);
	ck_assert_uint_eq(find_prop(&tf, OFPTFPT_APPLY_SETFIELD_MISS)->oxms.n, 0);
	p = find_prop(&tf, OFPTFPT_EXPERIMENTER);
	ck_assert_uint_eq(p->experimenter.experimenter, 0x2320);
	ck_assert_uint_eq(p->experimenter.exp_type, 7);
	ck_assert_uint_eq(p->experimenter.len, 3);
	ck_assert_mem_eq(p->experimenter.data, "\x01\x02\x03", 3);
	p = find_prop(&tf, OFPTFPT_EXPERIMENTER_MISS);
	ck_assert_uint_eq(p->experimenter.exp_type, 8);
	ck_assert_uint_eq(p->experimenter.len, 0);

	ofp_table_features_encode(&tf, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(b.size, sizeof tf_vec);
	ck_assert_mem_eq(b.data, tf_vec, sizeof tf_vec);

	buf_clear(&b);
	ofp_table_features_format(&tf, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "  table 0 (\"classifier\"):\n"
			 "    metadata: match=0xffffffffffffffff write=0x00000000ffffffff\n"
			 "    config=0x3\n"
			 "    max_entries=1000000\n"
			 "    instructions: goto_table,apply_actions,experimenter(0x00002320)\n"
			 "    instructions_miss: clear_actions\n"
			 "    next_tables: 1-3\n"
			 "    next_tables_miss:\n"
			 "    write_actions: output,group\n"
			 "    write_actions_miss: experimenter(0x00002320)\n"
			 "    apply_actions: set_field\n"
			 "    apply_actions_miss: push_vlan,pop_vlan\n"
			 "    match: in_port,eth_dst/mask\n"
			 "    wildcards: eth_dst\n"
			 "    write_setfield: experimenter(0x4f4e4600,0xffff0004)\n"
			 "    write_setfield_miss: ipv4_src\n"
			 "    apply_setfield: tcp_dst,udp_dst\n"
			 "    apply_setfield_miss:\n"
			 "    experimenter: experimenter=0x00002320 exp_type=7 data=010203\n"
			 "    experimenter_miss: experimenter=0x00002320 exp_type=8\n");
	ck_assert_str_eq(ofp_table_feature_prop_name(OFPTFPT_WILDCARDS), "wildcards");
	ck_assert_ptr_null(ofp_table_feature_prop_name(9));
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* Decodes len bytes of v; returns the result and fills *err. */
static int
decode_tf(const uint8_t *v, size_t len, struct ofp_err *err, size_t *n_props)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_table_features tf;
	uint8_t *copy = malloc(len ? len : 1); /* exact size, so ASan sees any overread */
	struct buf_cursor c;
	int rc;

	memcpy(copy, v, len);
	c = buf_cursor(copy, len);
	rc = ofp_table_features_decode(&c, &a, &tf, err);
	if (!rc && n_props)
		*n_props = tf.props.n;
	free(copy);
	arena_free(&a);
	return rc;
}

START_TEST(test_table_features_truncated)
{
	uint8_t v[sizeof tf_vec];

	/* Fewer bytes than the entry's length: always BAD_LEN. */
	for (size_t n = 0; n < sizeof tf_vec; n++) {
		struct ofp_err err = { 0, 0 };

		ck_assert_int_eq(decode_tf(tf_vec, n, &err, NULL), -EPROTO);
		expect_err(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
	}
	/* Length field patched to each prefix: valid exactly at property boundaries. */
	for (size_t n = 2; n < sizeof tf_vec; n++) {
		struct ofp_err err = { 0, 0 };
		size_t n_props = 0, k = 0;
		bool boundary = false;
		int rc;

		for (k = 0; k < ARRAY_SIZE(tf_bounds); k++)
			if (tf_bounds[k] == n) {
				boundary = true;
				break;
			}
		memcpy(v, tf_vec, sizeof v);
		put_be16(v, (uint16_t)n);
		rc = decode_tf(v, n, &err, &n_props);
		if (boundary) {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(n_props, k);
		} else {
			ck_assert_int_eq(rc, -EPROTO);
			expect_err(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
		}
	}
}
END_TEST

/* A 72-byte entry holding one property whose 8 bytes are given. */
static int
decode_one_prop(const uint8_t prop[8], size_t prop_bytes, struct ofp_err *err)
{
	uint8_t v[96] = { 0 };

	ck_assert_uint_le(64 + prop_bytes, sizeof v);
	put_be16(v, (uint16_t)(64 + prop_bytes));
	memcpy(v + 64, prop, prop_bytes);
	return decode_tf(v, 64 + prop_bytes, err, NULL);
}

START_TEST(test_table_features_errors)
{
	static const struct {
		const char *what;
		uint8_t bytes[16];
		size_t len;
		uint16_t code;
	} cases[] = {
		{ "prop length 0", { 0x00, 0x00, 0x00, 0x00 }, 8, OFPTFFC_BAD_LEN },
		{ "prop length 3", { 0x00, 0x02, 0x00, 0x03 }, 8, OFPTFFC_BAD_LEN },
		{ "prop overruns entry", { 0x00, 0x02, 0x00, 0x10 }, 8, OFPTFFC_BAD_LEN },
		{ "padding missing",
		  { 0x00, 0x02, 0x00, 0x09, 1, 2, 3, 4, 5 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "unknown type 9", { 0x00, 0x09, 0x00, 0x04 }, 8, OFPTFFC_BAD_TYPE },
		{ "unknown type 11", { 0x00, 0x0b, 0x00, 0x04 }, 8, OFPTFFC_BAD_TYPE },
		{ "unknown type 16", { 0x00, 0x10, 0x00, 0x04 }, 8, OFPTFFC_BAD_TYPE },
		{ "unknown type 0xfffd", { 0xff, 0xfd, 0x00, 0x04 }, 8, OFPTFFC_BAD_TYPE },
		{ "instruction id cut",
		  { 0x00, 0x00, 0x00, 0x06, 0x00, 0x01 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "instruction id len 3",
		  { 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x03 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "instruction id overruns",
		  { 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x08 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "experimenter instruction id without experimenter",
		  { 0x00, 0x01, 0x00, 0x08, 0xff, 0xff, 0x00, 0x04 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "action id len 0",
		  { 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "experimenter action id cut",
		  { 0x00, 0x06, 0x00, 0x0a, 0xff, 0xff, 0x00, 0x08, 0x00, 0x00 },
		  16,
		  OFPTFFC_BAD_LEN },
		{ "oxm id cut", { 0x00, 0x08, 0x00, 0x06, 0x80, 0x00 }, 8, OFPTFFC_BAD_LEN },
		{ "experimenter oxm id without experimenter",
		  { 0x00, 0x0e, 0x00, 0x08, 0xff, 0xff, 0x00, 0x04 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "experimenter prop too short",
		  { 0xff, 0xfe, 0x00, 0x08, 0x00, 0x00, 0x23, 0x20 },
		  8,
		  OFPTFFC_BAD_LEN },
		{ "experimenter_miss prop too short",
		  { 0xff, 0xff, 0x00, 0x0b, 0x00, 0x00, 0x23, 0x20, 0, 0, 0 },
		  16,
		  OFPTFFC_BAD_LEN },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ofp_err err = { 0, 0 };
		int rc = decode_one_prop(cases[i].bytes, cases[i].len, &err);

		ck_assert_msg(rc == -EPROTO, "%s: rc %d", cases[i].what, rc);
		ck_assert_msg(err.type == OFPET_TABLE_FEATURES_FAILED && err.code == cases[i].code,
			      "%s: error %u/%u", cases[i].what, err.type, err.code);
	}

	/* Entry lengths: below 64, not a multiple of 8, beyond the bytes given. */
	{
		static const uint16_t bad[] = { 0, 8, 63, 65, 71, 280 };
		uint8_t v[sizeof tf_vec];

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			struct ofp_err err = { 0, 0 };

			memcpy(v, tf_vec, sizeof v);
			put_be16(v, bad[i]);
			ck_assert_int_eq(decode_tf(v, sizeof v, &err, NULL), -EPROTO);
			expect_err(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
		}
	}
}
END_TEST

/* Ids longer than their fixed part (as some OF1.3.0 peers send 8-byte action ids) and
 * a bare 64-byte entry round trip byte for byte; entries after the first are left in c. */
START_TEST(test_table_features_lenient)
{
	static const uint8_t v[] = {
		0x00,
		0x50,
		0x07,
		0,
		0,
		0,
		0,
		0,
		't',
		0,
		0,
		0,
		0,
		0,
		0,
		0, /* length 80, id 7 */
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		/* APPLY_ACTIONS, len 16: output as an 8-byte id, experimenter id of 12 */
		0x00,
		0x06,
		0x00,
		0x10,
		0x00,
		0x00,
		0x00,
		0x08,
		0,
		0,
		0,
		0,
		0xff,
		0xff,
		0x00,
		0x0c,
	};
	uint8_t fixed[96];
	struct arena a = ARENA_INITIALIZER;
	struct ofp_table_features tf;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;
	struct buf_cursor c;

	/* As given, the experimenter id (len 12) overruns the property. */
	ck_assert_int_eq(decode_tf(v, sizeof v, &err, NULL), -EPROTO);
	expect_err(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);

	/* Property of 24 bytes: 8-byte output id, 12-byte experimenter id with 4 data bytes,
	 * then a second, bare entry after it. */
	memset(fixed, 0, sizeof fixed);
	memcpy(fixed, v, 64);
	put_be16(fixed, 88);
	memcpy(fixed + 64,
	       "\x00\x06\x00\x18\x00\x00\x00\x08\x00\x00\x00\x00"
	       "\xff\xff\x00\x0c\x00\x00\x23\x20\xde\xad\xbe\xef",
	       24);
	/* A second entry would follow; give only 8 of its bytes. */
	put_be16(fixed + 88, 64);
	c = buf_cursor(fixed, sizeof fixed);
	ck_assert_int_eq(ofp_table_features_decode(&c, &a, &tf, &err), 0);
	ck_assert_uint_eq(c.left, 8);
	ck_assert_uint_eq(tf.table_id, 7);
	ck_assert_str_eq(tf.name, "t");
	ck_assert_uint_eq(tf.props.n, 1);
	ck_assert_uint_eq(tf.props.items[0].ids.n, 2);
	ck_assert_uint_eq(tf.props.items[0].ids.items[0].len, 8);
	ck_assert_uint_eq(tf.props.items[0].ids.items[1].len, 12);
	ck_assert_uint_eq(tf.props.items[0].ids.items[1].experimenter, 0x2320);
	ck_assert_mem_eq(tf.props.items[0].ids.items[1].data, "\xde\xad\xbe\xef", 4);
	ofp_table_features_encode(&tf, &b);
	ck_assert_uint_eq(b.size, 88);
	ck_assert_mem_eq(b.data, fixed, 88);
	/* The rest of c is a short entry. */
	ck_assert_int_eq(ofp_table_features_decode(&c, &a, &tf, &err), -EPROTO);
	expect_err(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_BAD_LEN);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_table_features_alloc_failure)
{
	int rc = -ENOMEM;

	for (long n = 0; rc == -ENOMEM; n++) {
		struct arena a = ARENA_INITIALIZER;
		struct buf_cursor c = buf_cursor(tf_vec, sizeof tf_vec);
		struct ofp_table_features tf;
		struct ofp_err err;

		ck_assert_int_lt(n, 1000);
		pfs_alloc_fail_after(n);
		rc = ofp_table_features_decode(&c, &a, &tf, &err);
		pfs_alloc_fail_after(-1);
		ck_assert(rc == 0 || rc == -ENOMEM);
		arena_free(&a);
	}
	rc = -ENOMEM;
	for (long n = 0; rc == -ENOMEM; n++) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_table_features tf;

		ck_assert_int_lt(n, 1000);
		pfs_alloc_fail_after(n);
		rc = ofp_table_features_default(1, 4, 1000, &a, &tf);
		pfs_alloc_fail_after(-1);
		ck_assert(rc == 0 || rc == -ENOMEM);
		arena_free(&a);
	}
}
END_TEST

static size_t
count_fields(bool (*pick)(const struct oxm_field_info *))
{
	size_t n = 0;

	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++)
		if (oxm_field_info(f) && pick(oxm_field_info(f)))
			n++;
	return n;
}

static bool
any_field(const struct oxm_field_info *fi)
{
	(void)fi;
	return true;
}

static bool
settable_field(const struct oxm_field_info *fi)
{
	return fi->settable;
}

START_TEST(test_table_features_default)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_table_features tf, back;
	const struct ofp_table_feature_prop *p;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER, b2 = BUF_INITIALIZER;
	struct buf_cursor c;
	size_t n_masked = 0;

	ck_assert_int_eq(ofp_table_features_default(3, 3, 100, &a, &tf), -EINVAL);
	ck_assert_int_eq(ofp_table_features_default(1, 4, 1000, &a, &tf), 0);
	ck_assert_uint_eq(tf.table_id, 1);
	ck_assert_str_eq(tf.name, "table1");
	ck_assert_uint_eq(tf.max_entries, 1000);
	ck_assert_uint_eq(tf.metadata_match, UINT64_MAX);
	ck_assert_uint_eq(tf.props.n, 14);
	p = find_prop(&tf, OFPTFPT_INSTRUCTIONS);
	ck_assert_uint_eq(p->ids.n, 6);
	ck_assert_uint_eq(p->ids.items[0].type, OFPIT_GOTO_TABLE);
	ck_assert_uint_eq(p->ids.items[5].type, OFPIT_METER);
	p = find_prop(&tf, OFPTFPT_NEXT_TABLES_MISS);
	ck_assert_uint_eq(p->tables.n, 2);
	ck_assert_uint_eq(p->tables.items[0], 2);
	ck_assert_uint_eq(p->tables.items[1], 3);
	p = find_prop(&tf, OFPTFPT_APPLY_ACTIONS);
	ck_assert_uint_eq(p->ids.n, 16);
	p = find_prop(&tf, OFPTFPT_MATCH);
	ck_assert_uint_eq(p->oxms.n, count_fields(any_field));
	ck_assert_uint_eq(p->oxms.n, OFPXMT_OFB_N_FIELDS);
	for (size_t i = 0; i < p->oxms.n; i++) {
		uint32_t h = p->oxms.items[i].header;
		const struct oxm_field_info *fi = oxm_field_info(OXM_FIELD(h));

		ck_assert_uint_eq(OXM_CLASS(h), OFPXMC_OPENFLOW_BASIC);
		ck_assert_uint_eq(OXM_HASMASK(h), fi->maskable);
		ck_assert_uint_eq(OXM_LENGTH(h), fi->maskable ? 2 * fi->len : fi->len);
		n_masked += OXM_HASMASK(h);
	}
	ck_assert_uint_gt(n_masked, 0);
	ck_assert_uint_lt(n_masked, OFPXMT_OFB_N_FIELDS);
	p = find_prop(&tf, OFPTFPT_WILDCARDS);
	ck_assert_uint_eq(p->oxms.n, OFPXMT_OFB_N_FIELDS);
	ck_assert_uint_eq(OXM_HASMASK(p->oxms.items[3].header), 0);
	p = find_prop(&tf, OFPTFPT_APPLY_SETFIELD_MISS);
	ck_assert_uint_eq(p->oxms.n, count_fields(settable_field));

	/* Encode, decode, encode again: byte-exact, and within one message. */
	ofp_table_features_encode(&tf, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_lt(b.size, OFP_MAX_MSG_LEN - OFP_MULTIPART_REPLY_LEN);
	ck_assert_uint_eq(get_be16(b.data), b.size);
	c = buf_cursor(b.data, b.size);
	ck_assert_int_eq(ofp_table_features_decode(&c, &a, &back, &err), 0);
	ck_assert_uint_eq(back.props.n, tf.props.n);
	ofp_table_features_encode(&back, &b2);
	ck_assert_uint_eq(b2.size, b.size);
	ck_assert_mem_eq(b2.data, b.data, b.size);

	/* The last table offers no goto_table and no next tables. */
	ck_assert_int_eq(ofp_table_features_default(3, 4, 1000, &a, &tf), 0);
	p = find_prop(&tf, OFPTFPT_INSTRUCTIONS);
	ck_assert_uint_eq(p->ids.n, 5);
	ck_assert_uint_ne(p->ids.items[0].type, OFPIT_GOTO_TABLE);
	ck_assert_uint_eq(find_prop(&tf, OFPTFPT_NEXT_TABLES)->tables.n, 0);
	buf_clear(&b);
	ofp_table_features_format(&tf, &b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "  table 3 (\"table3\"):\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "    instructions: write_metadata,"
						   "write_actions,apply_actions,clear_actions,"
						   "meter\n"));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "match: in_port,in_phy_port,metadata/mask,"));
	buf_uninit(&b);
	buf_uninit(&b2);
	arena_free(&a);
}
END_TEST

/* A set request's entry as Faucet's GenericTFM writes one: a few ids per list, empty
 * lists for the properties it pads in (4-byte properties padded to 8), a next table.
 * Encode, decode, encode: byte-exact, every list as given. */
START_TEST(test_table_features_request_roundtrip)
{
	struct ofp_table_feature_id insts[] = { { .type = OFPIT_APPLY_ACTIONS },
						{ .type = OFPIT_GOTO_TABLE } };
	struct ofp_table_feature_oxm match[] = {
		{ .header = OXM_HEADER(OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_IN_PORT, 0, 4) },
		{ .header = OXM_HEADER(OFPXMC_OPENFLOW_BASIC, OFPXMT_OFB_VLAN_VID, 1, 4) },
	};
	uint8_t next[] = { 2 };
	struct ofp_table_feature_prop props[] = {
		{ .type = OFPTFPT_INSTRUCTIONS, .ids = { insts, 2 } },
		{ .type = OFPTFPT_NEXT_TABLES, .tables = { next, 1 } },
		{ .type = OFPTFPT_MATCH, .oxms = { match, 2 } },
		{ .type = OFPTFPT_WRITE_ACTIONS_MISS, .ids = { NULL, 0 } },
		{ .type = OFPTFPT_APPLY_SETFIELD, .oxms = { NULL, 0 } },
	};
	struct ofp_table_features tf = { .table_id = 1,
					 .name = "vlan",
					 .config = 3,
					 .max_entries = 1000000,
					 .props = { props, 5 } },
				  back;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER, b2 = BUF_INITIALIZER;
	struct buf_cursor c;

	ofp_table_features_encode(&tf, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	/* 64 + instructions 8+4 -> 16, next 5 -> 8, match 12 -> 16, two empty 4 -> 8 */
	ck_assert_uint_eq(b.size, 64 + 16 + 8 + 16 + 8 + 8);
	c = buf_cursor(b.data, b.size);
	ck_assert_int_eq(ofp_table_features_decode(&c, &a, &back, &err), 0);
	ck_assert_str_eq(back.name, "vlan");
	ck_assert_uint_eq(back.config, 3);
	ck_assert_uint_eq(back.max_entries, 1000000);
	ck_assert_uint_eq(back.props.n, 5);
	ck_assert_uint_eq(back.props.items[0].ids.n, 2);
	ck_assert_uint_eq(back.props.items[0].ids.items[1].type, OFPIT_GOTO_TABLE);
	ck_assert_uint_eq(back.props.items[1].tables.n, 1);
	ck_assert_uint_eq(back.props.items[1].tables.items[0], 2);
	ck_assert_uint_eq(OXM_HASMASK(back.props.items[2].oxms.items[1].header), 1);
	ck_assert_uint_eq(back.props.items[3].ids.n, 0);
	ck_assert_uint_eq(back.props.items[4].oxms.n, 0);
	ofp_table_features_encode(&back, &b2);
	ck_assert_uint_eq(b2.size, b.size);
	ck_assert_mem_eq(b2.data, b.data, b.size);
	buf_uninit(&b);
	buf_uninit(&b2);
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_table_mod);
	tcase_add_test(tc, test_table_stats);
	tcase_add_test(tc, test_table_features_vector);
	tcase_add_test(tc, test_table_features_truncated);
	tcase_add_test(tc, test_table_features_errors);
	tcase_add_test(tc, test_table_features_lenient);
	tcase_add_test(tc, test_table_features_alloc_failure);
	tcase_add_test(tc, test_table_features_default);
	tcase_add_test(tc, test_table_features_request_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
