/* lib/state_fmt.c: a state with every record type written and read back; truncated,
 * damaged and newer-version states refused with a clear reason (and without reading past
 * the end, under ASan); unknown optional records skipped; group dependency order; the
 * CRC against zlib's check value; the atomic file write. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofp_trace.h"
#include "openflow.h"
#include "state_fmt.h"

/* A two-bridge state holding one of every record. */
static void
build(struct buf *b)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_flow_mod fm;
	struct ofp_group_mod gm;
	struct ofp_meter_mod mm;
	struct buf m = BUF_INITIALIZER;
	char err[128];
	struct state_bridge sb = { 0x1234, 1700000000000000000ull, "br0" };
	struct state_port sp = { 3, "veth-a", true, { 0 } };
	struct state_port bare = { 4, "b", false, { 0 } };
	struct state_flow sf = {
		10, 1000, 5000000000ull, 250000, STATE_REMAINING_FULL, STATE_FLOW_IDLE_KNOWN
	};
	struct state_counters gc = { .id = 7, .n = 2, .packets = 4, .bytes = 400 };
	struct state_counters mc = { .id = 9, .n = 1, .packets = 6, .bytes = 600 };
	struct state_mac mac = { 3, 100, { 2, 0, 0, 0, 0, 1 }, 12 };
	struct state_controller cs[2] = { { OFPCR_ROLE_MASTER, "tcp:127.0.0.1:6653" },
					  { OFPCR_ROLE_SLAVE, "unix:/run/x.sock" } };
	struct state_bridge sb2 = { 0x2, 1, "br1" };

	gc.sub_packets[1] = 3;
	mc.sub_bytes[0] = 77;
	state_write_header(b);
	state_write_bridge(b, &sb);
	sp.counters[STATE_PORT_RX_PACKETS] = 123;
	sp.counters[STATE_PORT_DURATION_NS] = 456;
	state_write_port(b, &sp);
	state_write_port(b, &bare);
	ck_assert_int_eq(ofp_group_mod_parse("group_id=7,type=all,bucket=output:1,bucket=output:2",
					     OFPGC_ADD, &a, &gm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, 0, &m), 0);
	ck_assert_int_eq(state_write_msg(b, m.data, m.size), 0);
	state_write_group(b, &gc);
	buf_clear(&m);
	ck_assert_int_eq(ofp_meter_mod_parse("meter=9,pktps,bands=type=drop,rate=10", OFPMC_ADD, &a,
					     &mm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, 0, &m), 0);
	ck_assert_int_eq(state_write_msg(b, m.data, m.size), 0);
	state_write_meter(b, &mc);
	buf_clear(&m);
	ck_assert_int_eq(ofp_flow_mod_parse("priority=5,in_port=3,idle_timeout=300,actions=group:7",
					    OFPFC_ADD, &a, &fm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, 0, &m), 0);
	ck_assert_int_eq(state_write_msg(b, m.data, m.size), 0);
	state_write_flow(b, &sf);
	state_write_mac(b, &mac);
	state_write_controllers(b, 42, true, cs, 2);
	state_write_bridge(b, &sb2);
	ck_assert_int_eq(state_write_end(b), 0);
	buf_uninit(&m);
	arena_free(&a);
}

START_TEST(test_roundtrip)
{
	struct buf b = BUF_INITIALIZER;
	struct state_reader r;
	struct state_rec rec;
	struct state_controller c;
	enum state_rec_type want[] = {
		STATE_REC_BRIDGE, STATE_REC_PORT,      STATE_REC_PORT,	      STATE_REC_GROUP_MOD,
		STATE_REC_GROUP,  STATE_REC_METER_MOD, STATE_REC_METER,	      STATE_REC_FLOW_MOD,
		STATE_REC_FLOW,	  STATE_REC_MAC,       STATE_REC_CONTROLLERS, STATE_REC_BRIDGE
	};
	char err[256];
	unsigned i = 0;

	build(&b);
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.version, STATE_FMT_VERSION);
	ck_assert_uint_eq(r.n_records, 12);
	while (state_read_next(&r, &rec) > 0) {
		ck_assert_uint_lt(i, 12);
		ck_assert_msg(rec.type == want[i], "record %u: %s", i, state_rec_name(rec.type));
		switch (rec.type) {
		case STATE_REC_BRIDGE:
			ck_assert_str_eq(rec.u.bridge.name, i ? "br1" : "br0");
			ck_assert_uint_eq(rec.u.bridge.datapath_id, i ? 2 : 0x1234);
			break;
		case STATE_REC_PORT:
			if (rec.u.port.ofport == 4) { /* written without counters */
				ck_assert_str_eq(rec.u.port.name, "b");
				ck_assert(!rec.u.port.has_counters);
				break;
			}
			ck_assert_uint_eq(rec.u.port.ofport, 3);
			ck_assert_str_eq(rec.u.port.name, "veth-a");
			ck_assert(rec.u.port.has_counters);
			ck_assert_uint_eq(rec.u.port.counters[STATE_PORT_RX_PACKETS], 123);
			ck_assert_uint_eq(rec.u.port.counters[STATE_PORT_DURATION_NS], 456);
			break;
		case STATE_REC_GROUP_MOD: {
			struct arena a = ARENA_INITIALIZER;
			struct ofp_group_mod gm;
			struct ofp_err e;

			ck_assert_int_eq(ofp_group_mod_decode(rec.msg, rec.len, &a, &gm, &e), 0);
			ck_assert_uint_eq(gm.group_id, 7);
			ck_assert_uint_eq(gm.buckets.n, 2);
			arena_free(&a);
			break;
		}
		case STATE_REC_GROUP:
			ck_assert_uint_eq(rec.u.counters.id, 7);
			ck_assert_uint_eq(rec.u.counters.n, 2);
			ck_assert_uint_eq(rec.u.counters.bytes, 400);
			ck_assert_uint_eq(rec.u.counters.sub_packets[1], 3);
			break;
		case STATE_REC_METER:
			ck_assert_uint_eq(rec.u.counters.id, 9);
			ck_assert_uint_eq(rec.u.counters.sub_bytes[0], 77);
			break;
		case STATE_REC_FLOW:
			ck_assert_uint_eq(rec.u.flow.packets, 10);
			ck_assert_uint_eq(rec.u.flow.bytes, 1000);
			ck_assert_uint_eq(rec.u.flow.duration_ns, 5000000000ull);
			ck_assert_uint_eq(rec.u.flow.idle_remaining_ms, 250000);
			ck_assert_uint_eq(rec.u.flow.hard_remaining_ms, STATE_REMAINING_FULL);
			ck_assert_uint_eq(rec.u.flow.flags, STATE_FLOW_IDLE_KNOWN);
			break;
		case STATE_REC_MAC:
			ck_assert_uint_eq(rec.u.mac.vlan, 100);
			ck_assert_uint_eq(rec.u.mac.mac[5], 1);
			ck_assert_uint_eq(rec.u.mac.age_s, 12);
			break;
		case STATE_REC_CONTROLLERS:
			ck_assert_uint_eq(rec.u.controllers.generation_id, 42);
			ck_assert(rec.u.controllers.generation_defined);
			ck_assert_uint_eq(rec.u.controllers.n, 2);
			state_rec_controller(&rec, 1, &c);
			ck_assert_uint_eq(c.role, OFPCR_ROLE_SLAVE);
			ck_assert_str_eq(c.target, "unix:/run/x.sock");
			break;
		default:
			break;
		}
		i++;
	}
	ck_assert_uint_eq(i, 12);
	buf_uninit(&b);
}
END_TEST

/* Every proper prefix is refused, and reading it never goes past its end (ASan). */
START_TEST(test_truncated)
{
	struct buf b = BUF_INITIALIZER;
	struct state_reader r;
	char err[256];

	build(&b);
	for (size_t n = 0; n < b.size; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, b.data, n);
		ck_assert_int_eq(state_read_begin(&r, copy, n, err, sizeof(err)), -EINVAL);
		ck_assert(err[0]);
		free(copy);
	}
	memset(err, 0, sizeof(err));
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size - 24, err, sizeof(err)), -EINVAL);
	buf_uninit(&b);
}
END_TEST

/* Any single flipped byte after the header is caught (framing, body or checksum). */
START_TEST(test_damaged)
{
	struct buf b = BUF_INITIALIZER;
	struct state_reader r;
	char err[256];

	build(&b);
	for (size_t i = STATE_HEADER_LEN; i < b.size; i++) {
		b.data[i] ^= 0x10;
		ck_assert_msg(state_read_begin(&r, b.data, b.size, err, sizeof(err)) < 0,
			      "byte %zu flipped accepted", i);
		b.data[i] ^= 0x10;
	}
	b.data[0] = 'X';
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a pfswitch state"));
	b.data[0] = 'P';
	b.data[35] ^= 1; /* inside the BRIDGE record's datapath id: only the CRC sees it */
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "checksum"));
	buf_uninit(&b);
}
END_TEST

START_TEST(test_version)
{
	struct buf b = BUF_INITIALIZER;
	struct state_reader r;
	char err[256];

	build(&b);
	put_be32(b.data + 8, STATE_FMT_VERSION + 1);
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(err, "version 2 is not supported"));
	put_be32(b.data + 8, 0);
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), -EPROTONOSUPPORT);
	buf_uninit(&b);
}
END_TEST

/* Records a later version may add: optional ones are skipped, others refused; a longer
 * header is skipped. */
START_TEST(test_unknown_records)
{
	struct buf b = BUF_INITIALIZER;
	struct state_reader r;
	struct state_rec rec;
	struct state_bridge sb = { 1, 2, "br0" };
	char err[256];
	size_t start;
	unsigned n = 0;

	buf_put(&b, STATE_FMT_MAGIC, 8);
	buf_put_be32(&b, 1);
	buf_put_be32(&b, STATE_HEADER_LEN + 8);
	buf_put_be64(&b, 0xdeadbeef); /* a later header field */
	state_write_bridge(&b, &sb);
	start = b.size;
	buf_put_u8(&b, OFP13_VERSION);
	buf_put_u8(&b, OFPT_EXPERIMENTER);
	buf_put_be16(&b, 24);
	buf_put_be32(&b, 0);
	buf_put_be32(&b, PFS_EXPERIMENTER_ID);
	buf_put_be32(&b, STATE_REC_OPTIONAL | 0x123);
	buf_put_be64(&b, 0);
	ck_assert_int_eq(state_write_end(&b), 0);
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), 0);
	while (state_read_next(&r, &rec) > 0) {
		ck_assert(rec.type == STATE_REC_BRIDGE);
		n++;
	}
	ck_assert_uint_eq(n, 1);
	/* The same record without the optional bit (and the END fixed up) is refused. */
	buf_truncate(&b, start + 24);
	put_be32(b.data + start + 12, 0x123);
	ck_assert_int_eq(state_write_end(&b), 0);
	ck_assert_int_eq(state_read_begin(&r, b.data, b.size, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "unknown record"));
	buf_uninit(&b);
}
END_TEST

START_TEST(test_group_order)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod gm[4];
	const char *text[4] = {
		"group_id=1,type=indirect,bucket=group:2",
		"group_id=2,type=all,bucket=group:3,bucket=output:1",
		"group_id=4,type=ff,bucket=watch_group:3,output:1",
		"group_id=3,type=all,bucket=output:2",
	};
	char err[128];

	for (int i = 0; i < 4; i++)
		ck_assert_msg(
			ofp_group_mod_parse(text[i], OFPGC_ADD, &a, &gm[i], err, sizeof(err)) == 0,
			"%s: %s", text[i], err);
	ck_assert_int_eq(state_order_groups(gm, 4), 0);
	/* 3 before 2 and 4; 2 before 1. */
	int pos[5] = { 0 };

	for (int i = 0; i < 4; i++)
		pos[gm[i].group_id] = i;
	ck_assert_int_lt(pos[3], pos[2]);
	ck_assert_int_lt(pos[3], pos[4]);
	ck_assert_int_lt(pos[2], pos[1]);
	/* A cycle is reported. */
	ck_assert_int_eq(ofp_group_mod_parse("group_id=3,type=all,bucket=group:1", OFPGC_ADD, &a,
					     &gm[pos[3]], err, sizeof(err)),
			 0);
	ck_assert_int_eq(state_order_groups(gm, 4), -ELOOP);
	arena_free(&a);
}
END_TEST

START_TEST(test_crc_and_file)
{
	char dir[] = "/tmp/pfs-state-test.XXXXXX", path[256], tmp[300];
	uint8_t *data;
	size_t len;

	ck_assert_uint_eq(state_crc32(0, "123456789", 9), 0xcbf43926u);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(state_file_read(path, &data, &len), -ENOENT);
	ck_assert_int_eq(state_file_write(path, "abc", 3), 0);
	ck_assert_int_eq(state_file_write(path, "hello", 5), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(state_file_read(path, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(memcmp(data, "hello", 5), 0);
	free(data);
	snprintf(tmp, sizeof(tmp), "%s/missing/state", dir);
	ck_assert_int_eq(state_file_write(tmp, "x", 1), -ENOENT);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_damaged);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_unknown_records);
	tcase_add_test(tc, test_group_order);
	tcase_add_test(tc, test_crc_and_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
