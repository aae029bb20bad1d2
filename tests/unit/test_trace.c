/* lib/ofp_trace.c (trace experimenter request/reply: round trips, limits, malformed
 * bodies, text) and lib/frame.c (frames synthesized from match text, checked byte by
 * byte, and their summaries). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "frame.h"
#include "ofp_message.h"
#include "ofp_trace.h"
#include "oxm.h"

/* Decodes a whole message as an experimenter (as the receivers do). */
static void
as_experimenter(const struct buf *b, struct arena *a, struct ofp_experimenter *e)
{
	struct ofp_message m;
	struct ofp_err err;

	ck_assert_int_eq(ofp_message_decode(b->data, b->size, a, &m, &err), 0);
	ck_assert_uint_eq(m.h.type, OFPT_EXPERIMENTER);
	*e = m.experimenter;
	ck_assert_uint_eq(e->experimenter, PFS_EXPERIMENTER_ID);
}

START_TEST(test_request_roundtrip)
{
	uint8_t pkt[60];
	struct buf b = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_trace_request rq = { 7, pkt, sizeof(pkt) }, out;
	struct ofp_err err;

	for (unsigned i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	ck_assert_int_eq(ofp_trace_request_encode(&rq, 42, &b), 0);
	as_experimenter(&b, &a, &e);
	ck_assert_uint_eq(e.exp_type, PFS_EXP_TRACE_REQUEST);
	ck_assert_int_eq(ofp_trace_request_decode(&e, &out, &err), 0);
	ck_assert_uint_eq(out.in_port, 7);
	ck_assert_uint_eq(out.len, sizeof(pkt));
	ck_assert_mem_eq(out.packet, pkt, sizeof(pkt));
	/* No frame: BAD_LEN. */
	e.data.len = 8;
	ck_assert_int_eq(ofp_trace_request_decode(&e, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	e.data.len = 3;
	ck_assert_int_eq(ofp_trace_request_decode(&e, &out, &err), -EPROTO);
	rq.len = 0;
	ck_assert_int_eq(ofp_trace_request_encode(&rq, 1, &b), -EINVAL);
	rq.len = 70000;
	ck_assert_int_eq(ofp_trace_request_encode(&rq, 1, &b), -EINVAL);
	arena_free(&a);
	buf_uninit(&b);
}
END_TEST

static const struct ofp_trace_event sample[] = {
	{ .kind = OFP_TRACE_TABLE,
	  .table_id = 0,
	  .priority = 100,
	  .cookie = 0x1,
	  .text = "priority=100,in_port=1",
	  .text2 = "meter:1,goto_table:1" },
	{ .kind = OFP_TRACE_METER, .id = 1, .arg = -1 },
	{ .kind = OFP_TRACE_TABLE,
	  .table_id = 1,
	  .priority = 10,
	  .cookie = 0x2,
	  .text = "priority=10,udp,tp_dst=53",
	  .text2 = "write_actions(group:7)" },
	{ .kind = OFP_TRACE_ACTION_SET, .text = "group:7" },
	{ .kind = OFP_TRACE_GROUP,
	  .id = 7,
	  .group_type = OFPGT_SELECT,
	  .arg = 1,
	  .text = "output:3" },
	{ .kind = OFP_TRACE_ACTION_SET, .depth = 1, .text = "output:3" },
	{ .kind = OFP_TRACE_OUTPUT, .depth = 1, .id = 3 },
	{ .kind = OFP_TRACE_OUTPUT, .id = OFPP_CONTROLLER, .max_len = 128 },
	{ .kind = OFP_TRACE_MISS, .table_id = 4 },
	{ .kind = OFP_TRACE_METER, .id = 2, .arg = 0, .drop = true },
	{ .kind = OFP_TRACE_DROP, .text = "meter" },
};

START_TEST(test_reply_roundtrip)
{
	struct buf b = BUF_INITIALIZER, t = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_trace_reply rp = { 1, false, sizeof(sample) / sizeof(sample[0]), sample }, out;
	struct ofp_err err;

	ck_assert_int_eq(ofp_trace_reply_encode(&rp, 9, &b), 0);
	as_experimenter(&b, &a, &e);
	ck_assert_uint_eq(e.exp_type, PFS_EXP_TRACE_REPLY);
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), 0);
	ck_assert_uint_eq(out.in_port, 1);
	ck_assert(!out.truncated);
	ck_assert_uint_eq(out.n_events, rp.n_events);
	for (size_t i = 0; i < rp.n_events; i++) {
		const struct ofp_trace_event *x = &sample[i], *y = &out.events[i];

		ck_assert_uint_eq(x->kind, y->kind);
		ck_assert_uint_eq(x->depth, y->depth);
		ck_assert_uint_eq(x->table_id, y->table_id);
		ck_assert_uint_eq(x->group_type, y->group_type);
		ck_assert_uint_eq(x->drop, y->drop);
		ck_assert_uint_eq(x->priority, y->priority);
		ck_assert_uint_eq(x->max_len, y->max_len);
		ck_assert_uint_eq(x->id, y->id);
		ck_assert_int_eq(x->arg, y->arg);
		ck_assert_uint_eq(x->cookie, y->cookie);
		ck_assert_str_eq(x->text ? x->text : "-", y->text ? y->text : "-");
		ck_assert_str_eq(x->text2 ? x->text2 : "-", y->text2 ? y->text2 : "-");
	}
	ofp_trace_reply_format(&out, &t);
	ck_assert_str_eq(buf_cstr(&t),
			 "table 0: priority=100,in_port=1 cookie=0x1 -> meter:1,goto_table:1\n"
			 "  meter 1: pass\n"
			 "table 1: priority=10,udp,tp_dst=53 cookie=0x2 -> write_actions(group:7)\n"
			 "action set: group:7\n"
			 "group 7 (select): bucket 1: output:3\n"
			 "  action set: output:3\n"
			 "  output: port 3\n"
			 "output: CONTROLLER max_len=128\n"
			 "table 4: no match\n"
			 "  meter 2: band 0 (drop)\n"
			 "drop: meter\n");
	arena_free(&a);
	buf_uninit(&b);
	buf_uninit(&t);
}
END_TEST

START_TEST(test_reply_malformed)
{
	struct buf b = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_trace_reply rp = { 1, false, 1, sample }, out;
	struct ofp_err err;
	uint8_t body[256];

	ck_assert_int_eq(ofp_trace_reply_encode(&rp, 9, &b), 0);
	as_experimenter(&b, &a, &e);
	ck_assert_uint_le(e.data.len, sizeof(body));
	memcpy(body, e.data.data, e.data.len);
	e.data.data = body;
	/* Every truncation is refused, none reads past the end. */
	for (size_t n = 0; n < e.data.len; n++) {
		struct ofp_experimenter s = e;

		s.data.len = n;
		if (n == 8)
			continue; /* a reply with no events is valid */
		ck_assert_int_eq(ofp_trace_reply_decode(&s, &a, &out, &err), -EPROTO);
	}
	/* An event length that is not a multiple of 8. */
	body[8 + 1] = (uint8_t)(body[8 + 1] + 1);
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	body[8 + 1] = (uint8_t)(body[8 + 1] - 1);
	/* An unknown kind. */
	body[8 + 2] = OFP_TRACE_N_KINDS;
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_EXP_TYPE);
	body[8 + 2] = OFP_TRACE_TABLE;
	/* Texts longer than the event. */
	body[8 + 28] = 0xff;
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), -EPROTO);
	body[8 + 28] = 0;
	/* A NUL inside a text. */
	body[8 + 32] = 0;
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), -EPROTO);
	arena_free(&a);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_reply_truncates)
{
	static char big[2000];
	struct ofp_trace_event *evs = calloc(100, sizeof *evs);
	struct buf b = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_experimenter e;
	struct ofp_trace_reply out;
	struct ofp_err err;

	memset(big, 'x', sizeof(big) - 1);
	for (unsigned i = 0; i < 100; i++) {
		evs[i].kind = OFP_TRACE_ACTION_SET;
		evs[i].text = big;
	}
	struct ofp_trace_reply rp = { 1, false, 100, evs };

	ck_assert_int_eq(ofp_trace_reply_encode(&rp, 9, &b), 0);
	ck_assert_uint_le(b.size, 65535);
	as_experimenter(&b, &a, &e);
	ck_assert_int_eq(ofp_trace_reply_decode(&e, &a, &out, &err), 0);
	ck_assert(out.truncated);
	ck_assert_uint_eq(out.n_events, 32);
	free(evs);
	arena_free(&a);
	buf_uninit(&b);
}
END_TEST

/* Synthesizes a frame for match text and returns its summary (static buffer). */
static const char *
synth(const char *text, uint8_t *f, size_t *len)
{
	static struct buf s;
	struct ofp_match m;
	char eb[128];

	oxm_match_init(&m);
	ck_assert_msg(oxm_parse(text, &m, eb, sizeof(eb)) == 0, "%s: %s", text, eb);
	ck_assert_int_eq(frame_from_match(&m, f, FRAME_MAX_SYNTH, len, eb, sizeof(eb)), 0);
	buf_clear(&s);
	frame_format(f, *len, &s);
	return buf_cstr(&s);
}

START_TEST(test_frame_udp4)
{
	uint8_t f[FRAME_MAX_SYNTH];
	size_t len;
	const char *s = synth("eth_src=02:00:00:00:00:01,eth_dst=02:00:00:00:00:02,udp,"
			      "nw_src=10.0.0.1,nw_dst=10.0.0.2,ip_dscp=46,tp_src=1000,tp_dst=53",
			      f, &len);

	ck_assert_str_eq(s, "eth 02:00:00:00:00:01 > 02:00:00:00:00:02 ipv4 10.0.0.1 > 10.0.0.2 "
			    "udp 1000 > 53 (60 bytes)");
	ck_assert_uint_eq(len, 60);
	ck_assert_uint_eq(f[12], 0x08);
	ck_assert_uint_eq(f[14], 0x45);
	ck_assert_uint_eq(f[15], 46 << 2);
	ck_assert_uint_eq(get_be16(f + 16), 28);
	ck_assert_uint_eq(f[23], 17);
	ck_assert_uint_eq(get_be16(f + 38), 8);
	/* The IPv4 header checksums to 0xffff. */
	uint32_t sum = 0;

	for (unsigned i = 14; i < 34; i += 2)
		sum += get_be16(f + i);
	sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff);
}
END_TEST

START_TEST(test_frame_layers)
{
	uint8_t f[FRAME_MAX_SYNTH];
	size_t len;

	ck_assert_str_eq(synth("dl_vlan=10,dl_vlan_pcp=3,tcp,tp_dst=80", f, &len),
			 "eth 00:00:00:00:00:00 > 00:00:00:00:00:00 vlan 10 pcp 3 ipv4 0.0.0.0 > "
			 "0.0.0.0 tcp 0 > 80 (60 bytes)");
	ck_assert_uint_eq(get_be16(f + 12), 0x8100);
	ck_assert_uint_eq(get_be16(f + 14), 3 << 13 | 10);
	ck_assert_str_eq(synth("arp,arp_op=2,arp_spa=10.0.0.1,arp_tpa=10.0.0.9", f, &len),
			 "eth 00:00:00:00:00:00 > 00:00:00:00:00:00 arp reply 10.0.0.1 > 10.0.0.9 "
			 "(60 bytes)");
	ck_assert_str_eq(
		synth("icmp,icmp_type=3,icmp_code=1", f, &len),
		"eth 00:00:00:00:00:00 > 00:00:00:00:00:00 ipv4 0.0.0.0 > 0.0.0.0 icmp 3/1 "
		"(60 bytes)");
	ck_assert_str_eq(synth("udp6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,tp_dst=53", f, &len),
			 "eth 00:00:00:00:00:00 > 00:00:00:00:00:00 ipv6 2001:db8::1 > 2001:db8::2 "
			 "udp 0 > 53 (62 bytes)");
	ck_assert_str_eq(
		synth("icmp6,icmpv6_type=135,nd_target=fe80::1,nd_sll=02:00:00:00:00:05", f, &len),
		"eth 00:00:00:00:00:00 > 00:00:00:00:00:00 ipv6 :: > :: icmp6 135/0 "
		"(86 bytes)");
	ck_assert_uint_eq(f[54 + 24], 1);
	ck_assert_uint_eq(f[54 + 31], 5);
	ck_assert_str_eq(synth("eth_type=0x8847,mpls_label=100", f, &len),
			 "eth 00:00:00:00:00:00 > 00:00:00:00:00:00 mpls 100 (60 bytes)");
}
END_TEST

START_TEST(test_frame_refused)
{
	uint8_t f[FRAME_MAX_SYNTH];
	struct ofp_match m;
	char eb[128];
	size_t len;

	oxm_match_init(&m);
	ck_assert_int_eq(oxm_parse("metadata=0x1", &m, eb, sizeof(eb)), 0);
	ck_assert_int_eq(frame_from_match(&m, f, sizeof(f), &len, eb, sizeof(eb)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(eb, "metadata"));
	oxm_match_init(&m);
	ck_assert_int_eq(frame_from_match(&m, f, 10, &len, eb, sizeof(eb)), -ENOSPC);
}
END_TEST

START_TEST(test_frame_format_truncated)
{
	uint8_t f[FRAME_MAX_SYNTH];
	size_t len;
	struct buf s = BUF_INITIALIZER;

	synth("tcp,tp_dst=80", f, &len);
	for (size_t n = 0; n < 38; n++) { /* tcp ports end at 38 */
		buf_clear(&s);
		frame_format(f, n, &s); /* never reads past n (ASan) */
		ck_assert_ptr_nonnull(strstr(buf_cstr(&s), "truncated"));
	}
	buf_uninit(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_request_roundtrip);
	tcase_add_test(tc, test_reply_roundtrip);
	tcase_add_test(tc, test_reply_malformed);
	tcase_add_test(tc, test_reply_truncates);
	tcase_add_test(tc, test_frame_udp4);
	tcase_add_test(tc, test_frame_layers);
	tcase_add_test(tc, test_frame_refused);
	tcase_add_test(tc, test_frame_format_truncated);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
