/* Unit tests for lib/ofp_multipart.c: request and reply framing against hand-built
 * spec layouts, the body table's length rules, every validation error, truncation,
 * allocation failure, splitting of long replies (3000 flow stats) and requests
 * (table features) over several messages, and reassembly with its bounds. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "ofp_multipart.h"
#include "util.h"

static int
req_decode(const uint8_t *v, size_t len, struct arena *a, struct ofp_multipart_request *r,
	   struct ofp_err *err)
{
	struct ofp_header_info h;

	ck_assert_int_eq(ofp_header_check(v, len, &h, err), 0);
	ck_assert_uint_eq(h.type, OFPT_MULTIPART_REQUEST);
	return ofp_multipart_request_decode(v, len, a, r, err);
}

static int
rep_decode(const uint8_t *v, size_t len, struct arena *a, struct ofp_multipart_reply *r,
	   struct ofp_err *err)
{
	struct ofp_header_info h;

	ck_assert_int_eq(ofp_header_check(v, len, &h, err), 0);
	ck_assert_uint_eq(h.type, OFPT_MULTIPART_REPLY);
	return ofp_multipart_reply_decode(v, len, a, r, err);
}

/* OFPMP_FLOW request: table 1, out_port 2, out_group ANY, cookie 0x10/0xff, empty match
 * (7.3.5.2 layout). */
static const uint8_t flow_req_vec[] = {
	0x04, 0x12, 0x00, 0x38, 0x00, 0x00, 0x00, 0x21, /* header, len 56, xid 0x21 */
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* FLOW, flags 0, pad */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* table 1, pad, out_port 2 */
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* out_group ANY, pad */
	0,    0,    0,	  0,	0,    0,    0,	  0x10,
	0,    0,    0,	  0,	0,    0,    0,	  0xff, /* cookie, mask */
	0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* OXM match, len 4, pad */
};

START_TEST(test_request_vectors)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_multipart_request r;
	struct ofp_err err;
	uint8_t v[64];

	ck_assert_int_eq(req_decode(flow_req_vec, sizeof flow_req_vec, &a, &r, &err), 0);
	ck_assert_uint_eq(r.type, OFPMP_FLOW);
	ck_assert_uint_eq(r.flags, 0);
	ck_assert_uint_eq(r.flow.table_id, 1);
	ck_assert_uint_eq(r.flow.out_port, 2);
	ck_assert_uint_eq(r.flow.out_group, OFPG_ANY);
	ck_assert_uint_eq(r.flow.cookie, 0x10);
	ck_assert_uint_eq(r.flow.cookie_mask, 0xff);
	ck_assert_int_eq(ofp_multipart_request_encode(&r, 0x21, &b), 0);
	ck_assert_uint_eq(b.size, sizeof flow_req_vec);
	ck_assert_mem_eq(b.data, flow_req_vec, sizeof flow_req_vec);
	buf_clear(&b);
	ofp_multipart_request_format(&r, &b);
	ck_assert_msg(!strncmp(buf_cstr(&b), "OFPST_FLOW request table=1 out_port=2", 37), "%s",
		      buf_cstr(&b));

	/* AGGREGATE shares the body. */
	memcpy(v, flow_req_vec, sizeof flow_req_vec);
	v[9] = OFPMP_AGGREGATE;
	ck_assert_int_eq(req_decode(v, sizeof flow_req_vec, &a, &r, &err), 0);
	ck_assert_uint_eq(r.flow.table_id, 1);

	/* Empty-body requests: DESC, TABLE, GROUP_DESC, GROUP_FEATURES, METER_FEATURES,
	 * PORT_DESC; a byte more is BAD_LEN. */
	static const uint16_t empty_types[] = { OFPMP_DESC,	      OFPMP_TABLE,
						OFPMP_GROUP_DESC,     OFPMP_GROUP_FEATURES,
						OFPMP_METER_FEATURES, OFPMP_PORT_DESC };
	for (size_t i = 0; i < ARRAY_SIZE(empty_types); i++) {
		static const uint8_t hdr[] = { 0x04, 0x12, 0x00, 0x10, 0, 0, 0, 5,
					       0,    0,	   0,	 0,    0, 0, 0, 0 };
		memcpy(v, hdr, sizeof hdr);
		put_be16(v + 8, empty_types[i]);
		ck_assert_int_eq(req_decode(v, 16, &a, &r, &err), 0);
		ck_assert_uint_eq(r.type, empty_types[i]);
		buf_clear(&b);
		ck_assert_int_eq(ofp_multipart_request_encode(&r, 5, &b), 0);
		ck_assert_mem_eq(b.data, v, 16);
		memset(v + 16, 0, 8);
		put_be16(v + 2, 24);
		ck_assert_int_eq(req_decode(v, 24, &a, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}

	/* GROUP request (group 3), METER and METER_CONFIG (meter ALL), PORT_STATS, QUEUE. */
	static const uint8_t group_req[] = { 0x04, 0x12, 0x00, 0x18, 0, 0, 0, 6, 0x00, 0x06, 0, 0,
					     0,	   0,	 0,    0,    0, 0, 0, 3, 0,    0,    0, 0 };
	ck_assert_int_eq(req_decode(group_req, sizeof group_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.group.group_id, 3);
	buf_clear(&b);
	ck_assert_int_eq(ofp_multipart_request_encode(&r, 6, &b), 0);
	ck_assert_mem_eq(b.data, group_req, sizeof group_req);
	buf_clear(&b);
	ofp_multipart_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPST_GROUP request group_id=3");
	memcpy(v, group_req, sizeof group_req);
	v[9] = OFPMP_METER;
	memset(v + 16, 0xff, 4);
	ck_assert_int_eq(req_decode(v, sizeof group_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.meter.meter_id, OFPM_ALL);
	v[9] = OFPMP_METER_CONFIG;
	ck_assert_int_eq(req_decode(v, sizeof group_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.type, OFPMP_METER_CONFIG);
	ck_assert_uint_eq(r.meter.meter_id, OFPM_ALL);
	v[9] = OFPMP_PORT_STATS;
	ck_assert_int_eq(req_decode(v, sizeof group_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.port_stats.port_no, OFPP_ANY);
	v[9] = OFPMP_QUEUE;
	ck_assert_int_eq(req_decode(v, sizeof group_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.queue.port_no, OFPP_ANY);
	/* Short and long bodies. */
	v[9] = OFPMP_GROUP;
	put_be16(v + 2, 20);
	ck_assert_int_eq(req_decode(v, 20, &a, &r, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	memset(v + 24, 0, 8);
	put_be16(v + 2, 32);
	ck_assert_int_eq(req_decode(v, 32, &a, &r, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);

	/* Unknown types. */
	static const uint16_t bad_types[] = { 14, 100, 0xfffe };
	for (size_t i = 0; i < ARRAY_SIZE(bad_types); i++) {
		memcpy(v, group_req, sizeof group_req);
		put_be16(v + 8, bad_types[i]);
		ck_assert_int_eq(req_decode(v, sizeof group_req, &a, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_MULTIPART);
	}
	r.type = 99;
	ck_assert_int_eq(ofp_multipart_request_encode(&r, 1, &b), -EINVAL);

	/* Experimenter request: id, exp_type, data kept as bytes. */
	static const uint8_t exp_req[] = { 0x04, 0x12, 0x00, 0x1c, 0, 0, 0, 8, 0xff, 0xff,
					   0x00, 0x01, 0,    0,	   0, 0, 0, 0, 0x23, 0x20,
					   0,	 0,    0,    7,	   1, 2, 3, 4 };
	ck_assert_int_eq(req_decode(exp_req, sizeof exp_req, &a, &r, &err), 0);
	ck_assert_uint_eq(r.type, OFPMP_EXPERIMENTER);
	ck_assert_uint_eq(r.flags, OFPMPF_REQ_MORE);
	ck_assert_uint_eq(r.experimenter.experimenter, 0x2320);
	ck_assert_uint_eq(r.experimenter.exp_type, 7);
	ck_assert_uint_eq(r.experimenter.data.len, 4);
	ck_assert_ptr_ne(r.experimenter.data.data, exp_req + 24);
	buf_clear(&b);
	ck_assert_int_eq(ofp_multipart_request_encode(&r, 8, &b), 0);
	ck_assert_uint_eq(b.size, sizeof exp_req);
	ck_assert_mem_eq(b.data + 12, exp_req + 12, sizeof exp_req - 12);
	put_be16(v, 0);
	memcpy(v, exp_req, 20);
	put_be16(v + 2, 20);
	ck_assert_int_eq(req_decode(v, 20, &a, &r, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);

	ck_assert_str_eq(ofp_multipart_type_name(OFPMP_PORT_DESC), "PORT_DESC");
	ck_assert_ptr_null(ofp_multipart_type_name(14));
	ck_assert_int_eq(ofp_multipart_type_from_name("ofpmp_meter_config"), OFPMP_METER_CONFIG);
	ck_assert_int_eq(ofp_multipart_type_from_name("EXPERIMENTER"), OFPMP_EXPERIMENTER);
	ck_assert_int_eq(ofp_multipart_type_from_name("nope"), -1);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* GROUP_DESC reply with two entries (an empty indirect... group with no buckets is fine
 * in a reply) and a GROUP_FEATURES reply, both built by hand. */
static const uint8_t group_desc_reply_vec[] = {
	0x04,
	0x13,
	0x00,
	0x40,
	0,
	0,
	0,
	0x31,
	0x00,
	0x07,
	0x00,
	0x00,
	0,
	0,
	0,
	0,
	/* entry 1: len 40, select, group 1, bucket weight 10 output 1 */
	0x00,
	0x28,
	0x01,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
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
	/* entry 2: len 8, all, group 2, no buckets */
	0x00,
	0x08,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x02,
};

START_TEST(test_reply_vectors)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_multipart_reply r;
	struct ofp_err err;
	uint8_t v[sizeof group_desc_reply_vec];

	ck_assert_int_eq(
		rep_decode(group_desc_reply_vec, sizeof group_desc_reply_vec, &a, &r, &err), 0);
	ck_assert_uint_eq(r.type, OFPMP_GROUP_DESC);
	ck_assert_uint_eq(r.group_desc.n, 2);
	ck_assert_uint_eq(ofp_multipart_reply_count(&r), 2);
	ck_assert_uint_eq(r.group_desc.items[0].buckets.items[0].weight, 10);
	ck_assert_uint_eq(r.group_desc.items[1].group_id, 2);
	ck_assert_int_eq(ofp_multipart_reply_encode(&r, 0x31, &b), 0);
	ck_assert_uint_eq(b.size, sizeof group_desc_reply_vec);
	ck_assert_mem_eq(b.data, group_desc_reply_vec, sizeof group_desc_reply_vec);
	buf_clear(&b);
	ofp_multipart_reply_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "OFPST_GROUP_DESC reply:\n group_id=1,type=select,"
				       "bucket=weight:10,actions=output:1\n group_id=2,type=all");

	/* Truncation at every length: whole entries decode, anything else is BAD_LEN. */
	for (size_t n = 16; n < sizeof group_desc_reply_vec; n++) {
		uint8_t *m = malloc(n);
		int ret;

		memcpy(m, group_desc_reply_vec, n);
		put_be16(m + 2, (uint16_t)n);
		ret = ofp_multipart_reply_decode(m, n, &a, &r, &err);
		if (n == 16 || n == 56)
			ck_assert_int_eq(ret, 0);
		else
			ck_assert_msg(ret == -EPROTO, "prefix %zu", n);
		free(m);
		arena_free(&a);
	}
	for (size_t n = 0; n < 16; n++) {
		struct ofp_multipart_request q;

		ck_assert_int_eq(ofp_multipart_reply_decode(group_desc_reply_vec, n, &a, &r, &err),
				 -EPROTO);
		ck_assert_int_eq(ofp_multipart_request_decode(flow_req_vec, n, &a, &q, &err),
				 -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	/* And every prefix of the flow request body. */
	for (size_t n = 16; n < sizeof flow_req_vec; n++) {
		struct ofp_multipart_request q;
		uint8_t *m = malloc(n);

		memcpy(m, flow_req_vec, n);
		put_be16(m + 2, (uint16_t)n);
		ck_assert_int_eq(ofp_multipart_request_decode(m, n, &a, &q, &err), -EPROTO);
		free(m);
	}
	/* An entry error inside the list is passed on. */
	memcpy(v, group_desc_reply_vec, sizeof v);
	v[16 + 9] = 0x08; /* bucket length 8 */
	ck_assert_int_eq(rep_decode(v, sizeof v, &a, &r, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_GROUP_MOD_FAILED);
	ck_assert_uint_eq(err.code, OFPGMFC_BAD_BUCKET);
	memcpy(v, group_desc_reply_vec, sizeof v);
	put_be16(v + 8, 14);
	ck_assert_int_eq(rep_decode(v, sizeof v, &a, &r, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_MULTIPART);

	/* Fixed-body replies: GROUP_FEATURES and METER_FEATURES, exact length only. */
	static const uint8_t mf_reply[] = { 0x04, 0x13, 0x00, 0x20, 0, 0, 0, 2, 0x00, 0x0b, 0,
					    0,	  0,	0,    0,    0, 0, 0, 0, 64,   0,    0,
					    0,	  2,	0,    0,    0, 9, 4, 2, 0,    0 };
	ck_assert_int_eq(rep_decode(mf_reply, sizeof mf_reply, &a, &r, &err), 0);
	ck_assert_uint_eq(r.meter_features.max_meter, 64);
	ck_assert_uint_eq(r.meter_features.band_types, 2);
	ck_assert_uint_eq(r.meter_features.capabilities, 9);
	ck_assert_uint_eq(r.meter_features.max_bands, 4);
	ck_assert_uint_eq(ofp_multipart_reply_count(&r), 1);
	buf_clear(&b);
	ck_assert_int_eq(ofp_multipart_reply_encode(&r, 2, &b), 0);
	ck_assert_mem_eq(b.data, mf_reply, sizeof mf_reply);
	{
		uint8_t m[sizeof mf_reply + 8];

		memcpy(m, mf_reply, sizeof mf_reply);
		memset(m + sizeof mf_reply, 0, 8);
		put_be16(m + 2, sizeof m);
		ck_assert_int_eq(rep_decode(m, sizeof m, &a, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
		put_be16(m + 2, 24);
		ck_assert_int_eq(rep_decode(m, 24, &a, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	/* A DESC reply round trip through the table (ofp_switch's body). */
	{
		struct ofp_multipart_reply d, back;

		memset(&d, 0, sizeof d);
		d.type = OFPMP_DESC;
		strcpy(d.desc.mfr_desc, "pfswitch project");
		strcpy(d.desc.dp_desc, "br0");
		buf_clear(&b);
		ck_assert_int_eq(ofp_multipart_reply_encode(&d, 4, &b), 0);
		ck_assert_uint_eq(b.size, 16 + OFP_DESC_LEN);
		ck_assert_int_eq(rep_decode(b.data, b.size, &a, &back, &err), 0);
		ck_assert_str_eq(back.desc.mfr_desc, "pfswitch project");
		ck_assert_str_eq(back.desc.dp_desc, "br0");
	}
	r.type = 0x7777;
	ck_assert_int_eq(ofp_multipart_reply_encode(&r, 1, &b), -EINVAL);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* Fills n flow stats entries: in_port=i+1, apply_actions(output:i+2). */
static struct ofp_flow_stats *
make_flow_stats(struct arena *a, size_t n)
{
	struct ofp_flow_stats *fs = arena_calloc(a, n, sizeof *fs);

	ck_assert_ptr_nonnull(fs);
	for (size_t i = 0; i < n; i++) {
		struct ofp_instruction *inst = arena_calloc(a, 1, sizeof *inst);
		struct ofp_action *act = arena_calloc(a, 1, sizeof *act);
		uint32_t port = htobe32((uint32_t)i + 1);

		ck_assert_ptr_nonnull(inst);
		ck_assert_ptr_nonnull(act);
		fs[i].table_id = (uint8_t)(i % 4);
		fs[i].priority = (uint16_t)(i + 1);
		fs[i].cookie = i * 3;
		fs[i].packet_count = i * 7;
		fs[i].byte_count = i * 700;
		fs[i].duration_sec = (uint32_t)i;
		oxm_match_init(&fs[i].match);
		ck_assert_int_eq(oxm_match_set(&fs[i].match, OFPXMT_OFB_IN_PORT, &port, NULL), 0);
		act->type = OFPAT_OUTPUT;
		act->output.port = (uint32_t)i + 2;
		inst->type = OFPIT_APPLY_ACTIONS;
		inst->actions.actions = act;
		inst->actions.n = 1;
		fs[i].insts.insts = inst;
		fs[i].insts.n = 1;
	}
	return fs;
}

START_TEST(test_reply_split_3000)
{
	enum { N = 3000 };
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER, again = BUF_INITIALIZER;
	struct ofp_multipart_reply r, back;
	struct ofp_multipart_assembler as;
	struct ofp_mp_assembled done = { 0 };
	struct ofp_err err;
	size_t ofs = 0, n_msgs = 0, n_entries = 0;
	int ret = 0;

	memset(&r, 0, sizeof r);
	r.type = OFPMP_FLOW;
	r.flow.items = make_flow_stats(&a, N);
	r.flow.n = N;
	ck_assert_int_eq(ofp_multipart_reply_encode(&r, 0xabcd, &b), 0);
	ck_assert_uint_gt(b.size, 3 * 65535);

	ofp_mp_assembler_init(&as, 4u << 20, 4);
	while (ofs < b.size) {
		struct ofp_header_info h;
		struct ofp_multipart_reply part;
		uint16_t flags;

		ck_assert(ofp_header_peek(b.data + ofs, b.size - ofs, &h));
		ck_assert_uint_le(h.length, 65535);
		ck_assert_uint_eq(h.xid, 0xabcd);
		ck_assert_int_eq(ofp_header_check(b.data + ofs, h.length, &h, &err), 0);
		flags = get_be16(b.data + ofs + 10);
		/* Every part decodes on its own into whole entries. */
		ck_assert_int_eq(
			ofp_multipart_reply_decode(b.data + ofs, h.length, &a, &part, &err), 0);
		ck_assert_uint_eq(part.type, OFPMP_FLOW);
		ck_assert_uint_gt(part.flow.n, 0);
		ck_assert_uint_eq(part.flow.items[0].priority, n_entries + 1);
		n_entries += part.flow.n;
		/* A part could not have taken the next entry. */
		if (ofs + h.length < b.size)
			ck_assert_uint_gt(h.length + 88, 65535);
		ofs += h.length;
		n_msgs++;
		ck_assert_uint_eq(flags, ofs < b.size ? OFPMPF_REPLY_MORE : 0);
		ret = ofp_mp_assembler_add(&as, b.data + ofs - h.length, h.length, &done, &err);
		ck_assert_int_eq(ret, ofs < b.size ? 0 : 1);
	}
	ck_assert_uint_eq(ofs, b.size);
	ck_assert_uint_ge(n_msgs, 4);
	ck_assert_uint_eq(n_entries, N);
	ck_assert_uint_eq(done.n_parts, n_msgs);
	ck_assert_uint_eq(done.xid, 0xabcd);
	ck_assert_uint_eq(done.type, OFPMP_FLOW);
	ck_assert_uint_eq(done.msg_type, OFPT_MULTIPART_REPLY);
	ck_assert_int_eq(
		ofp_multipart_reply_body_decode(done.type, 0, done.body, done.len, &a, &back, &err),
		0);
	ck_assert_uint_eq(back.flow.n, N);
	for (size_t i = 0; i < N; i += 499) {
		ck_assert_uint_eq(back.flow.items[i].cookie, i * 3);
		ck_assert_uint_eq(back.flow.items[i].byte_count, i * 700);
		ck_assert(oxm_match_equal(&back.flow.items[i].match, &r.flow.items[i].match));
	}
	/* Reassembled and re-encoded: the same byte stream. */
	ck_assert_int_eq(ofp_multipart_reply_encode(&back, 0xabcd, &again), 0);
	ck_assert_uint_eq(again.size, b.size);
	ck_assert_mem_eq(again.data, b.data, b.size);
	ofp_mp_assembler_uninit(&as);
	buf_uninit(&again);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_writer)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_mp_writer w;
	struct ofp_group_stats gs;
	size_t e;

	/* Something already in the buffer stays untouched. */
	buf_put(&b, "prefix", 6);
	memset(&gs, 0, sizeof gs);
	ofp_mp_writer_start(&w, &b, OFPMP_GROUP, 77);
	w.max_len = 16 + 2 * OFP_GROUP_STATS_LEN; /* two entries per message */
	for (uint32_t i = 0; i < 5; i++) {
		gs.group_id = i;
		e = ofp_mp_writer_entry_begin(&w);
		ofp_group_stats_encode(&gs, &b);
		ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), 0);
	}
	ck_assert_int_eq(ofp_mp_writer_finish(&w), 0);
	ck_assert_uint_eq(w.n_msgs, 3);
	ck_assert_mem_eq(b.data, "prefix", 6);
	ck_assert_uint_eq(b.size, 6 + 3 * 16 + 5 * OFP_GROUP_STATS_LEN);
	{
		static const size_t lens[] = { 96, 96, 56 };
		size_t ofs = 6;

		for (int m = 0; m < 3; m++) {
			struct ofp_multipart_reply r;
			struct ofp_err err;

			ck_assert_uint_eq(get_be16(b.data + ofs + 2), lens[m]);
			ck_assert_uint_eq(b.data[ofs + 1], OFPT_MULTIPART_REPLY);
			ck_assert_uint_eq(get_be32(b.data + ofs + 4), 77);
			ck_assert_uint_eq(get_be16(b.data + ofs + 8), OFPMP_GROUP);
			ck_assert_uint_eq(get_be16(b.data + ofs + 10),
					  m < 2 ? OFPMPF_REPLY_MORE : 0);
			ck_assert_uint_eq(get_be32(b.data + ofs + 12), 0); /* pad */
			ck_assert_int_eq(rep_decode(b.data + ofs, lens[m], &a, &r, &err), 0);
			ck_assert_uint_eq(r.group.items[0].group_id, 2 * m);
			ofs += lens[m];
		}
	}

	/* An entry too long for any message is dropped with -EMSGSIZE; the writer goes on. */
	buf_clear(&b);
	ofp_mp_writer_start(&w, &b, OFPMP_GROUP, 78);
	w.max_len = 100;
	e = ofp_mp_writer_entry_begin(&w);
	buf_put_zeros(&b, 85);
	ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), -EMSGSIZE);
	ck_assert_uint_eq(b.size, 16);
	e = ofp_mp_writer_entry_begin(&w);
	buf_put_zeros(&b, 84);
	ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), 0);
	ck_assert_int_eq(ofp_mp_writer_finish(&w), 0);
	ck_assert_uint_eq(b.size, 100);
	ck_assert_uint_eq(w.n_msgs, 1);

	/* An empty reply is one message with no body. */
	buf_clear(&b);
	ofp_mp_writer_start(&w, &b, OFPMP_PORT_DESC, 79);
	ck_assert_int_eq(ofp_mp_writer_finish(&w), 0);
	ck_assert_uint_eq(b.size, 16);
	ck_assert_uint_eq(get_be16(b.data + 2), 16);

	/* Allocation failure: sticky, and finish rolls b back to where the writer began. */
	for (long n = 0; n < 6; n++) {
		struct buf f = BUF_INITIALIZER;
		int ret = 0;

		buf_put(&f, "x", 1);
		pfs_alloc_fail_after(n);
		ofp_mp_writer_start(&w, &f, OFPMP_GROUP, 1);
		w.max_len = 16 + OFP_GROUP_STATS_LEN;
		for (int i = 0; i < 50; i++) {
			e = ofp_mp_writer_entry_begin(&w);
			ofp_group_stats_encode(&gs, &f);
			ret = ofp_mp_writer_entry_end(&w, e);
			if (ret)
				break;
		}
		if (ret)
			ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), -ENOMEM);
		ret = ofp_mp_writer_finish(&w);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		if (ret)
			ck_assert_uint_le(f.size, 1);
		buf_uninit(&f);
	}
	/* A request writer sets REQ_MORE and OFPT_MULTIPART_REQUEST. */
	buf_clear(&b);
	ofp_mp_writer_start_request(&w, &b, OFPMP_TABLE_FEATURES, 80);
	w.max_len = 32;
	for (int i = 0; i < 2; i++) {
		e = ofp_mp_writer_entry_begin(&w);
		buf_put_zeros(&b, 16);
		ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), 0);
	}
	ck_assert_int_eq(ofp_mp_writer_finish(&w), 0);
	ck_assert_uint_eq(b.size, 64);
	ck_assert_uint_eq(b.data[1], OFPT_MULTIPART_REQUEST);
	ck_assert_uint_eq(get_be16(b.data + 10), OFPMPF_REQ_MORE);
	ck_assert_uint_eq(b.data[33], OFPT_MULTIPART_REQUEST);
	ck_assert_uint_eq(get_be16(b.data + 42), 0);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_table_features_request_parts)
{
	enum { N_TABLES = 64 };
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER, again = BUF_INITIALIZER;
	struct ofp_multipart_request r, back;
	struct ofp_multipart_assembler as;
	struct ofp_mp_assembled done = { 0 };
	struct ofp_mp_writer w;
	struct ofp_err err;
	size_t ofs = 0;
	unsigned parts = 0;
	int ret = 0;

	memset(&r, 0, sizeof r);
	r.type = OFPMP_TABLE_FEATURES;
	r.table_features.items = arena_calloc(&a, N_TABLES, sizeof *r.table_features.items);
	r.table_features.n = N_TABLES;
	for (int i = 0; i < N_TABLES; i++)
		ck_assert_int_eq(ofp_table_features_default((uint8_t)i, N_TABLES, 1000, &a,
							    &r.table_features.items[i]),
				 0);
	/* Split by hand into small parts so that there are many. */
	ofp_mp_writer_start_request(&w, &b, OFPMP_TABLE_FEATURES, 0x55);
	w.max_len = 4096;
	for (int i = 0; i < N_TABLES; i++) {
		size_t e = ofp_mp_writer_entry_begin(&w);

		ofp_table_features_encode(&r.table_features.items[i], &b);
		ck_assert_int_eq(ofp_mp_writer_entry_end(&w, e), 0);
	}
	ck_assert_int_eq(ofp_mp_writer_finish(&w), 0);
	ck_assert_uint_gt(w.n_msgs, 4);

	ofp_mp_assembler_init(&as, 0, 0);
	while (ofs < b.size) {
		struct ofp_header_info h;

		ck_assert_int_eq(
			ofp_header_check(b.data + ofs, get_be16(b.data + ofs + 2), &h, &err), 0);
		ck_assert_uint_le(h.length, 4096);
		/* Interleave an unrelated single-message request: it completes at once. */
		if (parts == 2) {
			struct ofp_mp_assembled other;

			ck_assert_int_eq(ofp_mp_assembler_add(&as, flow_req_vec,
							      sizeof flow_req_vec, &other, &err),
					 1);
			ck_assert_uint_eq(other.type, OFPMP_FLOW);
			ck_assert_uint_eq(other.len, 40);
		}
		ret = ofp_mp_assembler_add(&as, b.data + ofs, h.length, &done, &err);
		ofs += h.length;
		parts++;
		ck_assert_int_eq(ret, ofs < b.size ? 0 : 1);
	}
	ck_assert_uint_eq(done.n_parts, parts);
	ck_assert_uint_eq(done.msg_type, OFPT_MULTIPART_REQUEST);
	ck_assert_int_eq(ofp_multipart_request_body_decode(done.type, 0, done.body, done.len, &a,
							   &back, &err),
			 0);
	ck_assert_uint_eq(back.table_features.n, N_TABLES);
	ck_assert_str_eq(back.table_features.items[5].name, r.table_features.items[5].name);
	/* Re-encoded with the default 65535 limit; compare the bodies. */
	ck_assert_int_eq(ofp_multipart_request_encode(&back, 0x55, &again), 0);
	{
		/* Strip the headers of both streams and compare the entry bytes. */
		struct buf x = BUF_INITIALIZER, y = BUF_INITIALIZER;
		struct buf *src[2] = { &b, &again }, *dst[2] = { &x, &y };

		for (int k = 0; k < 2; k++) {
			for (size_t o = 0; o < src[k]->size;) {
				uint16_t l = get_be16(src[k]->data + o + 2);

				buf_put(dst[k], src[k]->data + o + 16, l - 16u);
				o += l;
			}
		}
		ck_assert_uint_eq(x.size, y.size);
		ck_assert_mem_eq(x.data, y.data, x.size);
		buf_uninit(&x);
		buf_uninit(&y);
	}
	ofp_mp_assembler_uninit(&as);
	buf_uninit(&again);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

/* Builds a multipart message of the given kind with body_len zero bytes. */
static size_t
make_part(uint8_t *m, uint8_t msg_type, uint16_t type, uint16_t flags, uint32_t xid,
	  size_t body_len)
{
	memset(m, 0, 16 + body_len);
	m[0] = OFP13_VERSION;
	m[1] = msg_type;
	put_be16(m + 2, (uint16_t)(16 + body_len));
	put_be32(m + 4, xid);
	put_be16(m + 8, type);
	put_be16(m + 10, flags);
	return 16 + body_len;
}

START_TEST(test_assembler_bounds)
{
	struct ofp_multipart_assembler as;
	struct ofp_mp_assembled out;
	struct ofp_err err;
	uint8_t m[16 + 1024];
	size_t n;

	/* Byte bound: 16 + body per part, here 4 parts of 256 + 16 fit in 1100 but not 5. */
	ofp_mp_assembler_init(&as, 1100, 2);
	for (int i = 0; i < 4; i++) {
		n = make_part(m, OFPT_MULTIPART_REQUEST, OFPMP_TABLE_FEATURES, OFPMPF_REQ_MORE, 1,
			      256);
		ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 0);
	}
	n = make_part(m, OFPT_MULTIPART_REQUEST, OFPMP_TABLE_FEATURES, 0, 1, 256);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	ck_assert_uint_eq(as.n_pending, 0); /* the xid was dropped */
	/* Empty parts are charged too: no endless stream of them. */
	for (int i = 0;; i++) {
		int ret;

		n = make_part(m, OFPT_MULTIPART_REQUEST, OFPMP_TABLE_FEATURES, OFPMPF_REQ_MORE, 2,
			      0);
		ret = ofp_mp_assembler_add(&as, m, n, &out, &err);
		if (ret) {
			ck_assert_int_eq(ret, -EPROTO);
			ck_assert_uint_eq(err.code, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
			ck_assert_int_eq(i, 1100 / 16);
			break;
		}
	}
	/* Pending bound: a third xid is refused. */
	for (uint32_t xid = 10; xid < 12; xid++) {
		n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_FLOW, OFPMPF_REPLY_MORE, xid, 8);
		ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 0);
	}
	n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_FLOW, OFPMPF_REPLY_MORE, 12, 8);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	/* ...but a single-message one still completes, and a request with the same xid as a
	 * pending reply is a different sequence. */
	n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_FLOW, 0, 12, 8);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 1);
	ck_assert_uint_eq(out.len, 8);
	n = make_part(m, OFPT_MULTIPART_REQUEST, OFPMP_DESC, 0, 10, 0);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 1);
	ck_assert_uint_eq(out.msg_type, OFPT_MULTIPART_REQUEST);
	/* A part of another type under a pending xid: BAD_MULTIPART, xid dropped. */
	n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_TABLE, 0, 10, 8);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_MULTIPART);
	ck_assert_uint_eq(as.n_pending, 1);
	/* Completing xid 11 concatenates its bodies. */
	n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_FLOW, 0, 11, 16);
	m[16] = 0xaa;
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 1);
	ck_assert_uint_eq(out.len, 24);
	ck_assert_uint_eq(out.n_parts, 2);
	ck_assert_uint_eq(out.body[8], 0xaa);
	ck_assert_uint_eq(as.n_pending, 0);
	/* Not a multipart message. */
	n = make_part(m, OFPT_ECHO_REQUEST, 0, 0, 1, 0);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, 12, &out, &err), -EPROTO);
	/* Drop, and uninit with parts pending (ASAN checks the frees). */
	n = make_part(m, OFPT_MULTIPART_REQUEST, OFPMP_TABLE_FEATURES, OFPMPF_REQ_MORE, 20, 64);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 0);
	ofp_mp_assembler_drop(&as, 20);
	ck_assert_uint_eq(as.n_pending, 0);
	ck_assert_int_eq(ofp_mp_assembler_add(&as, m, n, &out, &err), 0);
	ofp_mp_assembler_uninit(&as);
	ofp_mp_assembler_uninit(NULL);

	/* Allocation failure while assembling. */
	for (long k = 0; k < 8; k++) {
		int ret = 0;

		ofp_mp_assembler_init(&as, 0, 0);
		pfs_alloc_fail_after(k);
		for (int i = 0; i < 3 && ret >= 0; i++) {
			n = make_part(m, OFPT_MULTIPART_REPLY, OFPMP_FLOW,
				      i < 2 ? OFPMPF_REPLY_MORE : 0, 5, 512);
			ret = ofp_mp_assembler_add(&as, m, n, &out, &err);
		}
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 1 || ret == -ENOMEM);
		ofp_mp_assembler_uninit(&as);
	}
}
END_TEST

START_TEST(test_reply_alloc_failure)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_multipart_reply r, back;
	struct ofp_err err;
	int ret = -ENOMEM;

	memset(&r, 0, sizeof r);
	r.type = OFPMP_FLOW;
	r.flow.items = make_flow_stats(&a, 40);
	r.flow.n = 40;
	ck_assert_int_eq(ofp_multipart_reply_encode(&r, 1, &b), 0);
	for (long n = 0; ret; n++) {
		struct arena a2 = ARENA_INITIALIZER;

		pfs_alloc_fail_after(n);
		ret = ofp_multipart_reply_decode(b.data, b.size, &a2, &back, &err);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		if (!ret)
			ck_assert_uint_eq(back.flow.n, 40);
		arena_free(&a2);
		ck_assert_int_lt(n, 1000);
	}
	/* Encoding into a failing buffer leaves it as it was. */
	for (long n = 0; n < 4; n++) {
		struct buf f = BUF_INITIALIZER;

		pfs_alloc_fail_after(n);
		ret = ofp_multipart_reply_encode(&r, 1, &f);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		if (ret)
			ck_assert_uint_eq(f.size, 0);
		buf_uninit(&f);
	}
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("multipart");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_request_vectors);
	tcase_add_test(tc, test_reply_vectors);
	tcase_add_test(tc, test_reply_split_3000);
	tcase_add_test(tc, test_writer);
	tcase_add_test(tc, test_table_features_request_parts);
	tcase_add_test(tc, test_assembler_bounds);
	tcase_add_test(tc, test_reply_alloc_failure);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
