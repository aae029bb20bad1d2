/* Unit tests for lib/ofp_meter.c: METER_MOD against hand-built spec layouts, every
 * validation error, truncation at every length, allocation failure, ovs-ofctl text,
 * and the meter multipart bodies (request, stats, config, features). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_meter.h"
#include "ofp_msg.h"
#include "util.h"

/* METER_MOD ADD, flags KBPS|BURST|STATS, meter 1, three bands (spec 7.3.4.5 layout). */
static const uint8_t meter_mod_vec[] = {
	0x04,
	0x1d,
	0x00,
	0x48,
	0x00,
	0x00,
	0x00,
	0x07, /* header, len 72, xid 7 */
	0x00,
	0x00,
	0x00,
	0x0d,
	0x00,
	0x00,
	0x00,
	0x01, /* ADD, flags 0xd, meter_id 1 */
	/* drop: type 1, len 16, rate 1000, burst 100, pad */
	0x00,
	0x01,
	0x00,
	0x10,
	0x00,
	0x00,
	0x03,
	0xe8,
	0x00,
	0x00,
	0x00,
	0x64,
	0x00,
	0x00,
	0x00,
	0x00,
	/* dscp_remark: type 2, len 16, rate 2000, burst 0, prec_level 1, pad */
	0x00,
	0x02,
	0x00,
	0x10,
	0x00,
	0x00,
	0x07,
	0xd0,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
	0x00,
	0x00,
	0x00,
	/* experimenter: type 0xffff, len 24, rate 10, burst 0, experimenter 0x2320, 8 data */
	0xff,
	0xff,
	0x00,
	0x18,
	0x00,
	0x00,
	0x00,
	0x0a,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x23,
	0x20,
	0x01,
	0x02,
	0x03,
	0x04,
	0x05,
	0x06,
	0x07,
	0x08,
};

static int
decode_vec(const uint8_t *v, size_t len, struct arena *a, struct ofp_meter_mod *mm,
	   struct ofp_err *err)
{
	struct ofp_header_info h;

	ck_assert_int_eq(ofp_header_check(v, len, &h, err), 0);
	return ofp_meter_mod_decode(v, len, a, mm, err);
}

START_TEST(test_meter_mod_vector)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_meter_mod mm;
	struct ofp_err err;

	ck_assert_int_eq(decode_vec(meter_mod_vec, sizeof meter_mod_vec, &a, &mm, &err), 0);
	ck_assert_uint_eq(mm.command, OFPMC_ADD);
	ck_assert_uint_eq(mm.flags, OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS);
	ck_assert_uint_eq(mm.meter_id, 1);
	ck_assert_uint_eq(mm.bands.n, 3);
	ck_assert_uint_eq(mm.bands.items[0].type, OFPMBT_DROP);
	ck_assert_uint_eq(mm.bands.items[0].rate, 1000);
	ck_assert_uint_eq(mm.bands.items[0].burst_size, 100);
	ck_assert_uint_eq(mm.bands.items[1].type, OFPMBT_DSCP_REMARK);
	ck_assert_uint_eq(mm.bands.items[1].rate, 2000);
	ck_assert_uint_eq(mm.bands.items[1].prec_level, 1);
	ck_assert_uint_eq(mm.bands.items[2].type, OFPMBT_EXPERIMENTER);
	ck_assert_uint_eq(mm.bands.items[2].experimenter, 0x2320);
	ck_assert_uint_eq(mm.bands.items[2].exp_data.len, 8);
	ck_assert_uint_eq(mm.bands.items[2].exp_data.data[7], 8);
	/* Decoded data is a copy, not a pointer into the input. */
	ck_assert_ptr_ne(mm.bands.items[2].exp_data.data, meter_mod_vec + 64);

	ck_assert_int_eq(ofp_meter_mod_encode(&mm, 7, &b), 0);
	ck_assert_uint_eq(b.size, sizeof meter_mod_vec);
	ck_assert_mem_eq(b.data, meter_mod_vec, sizeof meter_mod_vec);

	buf_clear(&b);
	ofp_meter_mod_format(&mm, &b);
	ck_assert_str_eq(buf_cstr(&b), "ADD meter=1 kbps burst stats bands=type=drop rate=1000 "
				       "burst_size=100 type=dscp_remark rate=2000 burst_size=0 "
				       "prec_level=1 type=experimenter rate=10 burst_size=0 "
				       "experimenter=0x2320");
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

struct mutation {
	size_t ofs;
	uint8_t val;
	uint16_t type, code;
};

START_TEST(test_meter_mod_errors)
{
	static const struct mutation muts[] = {
		{ 9, 3, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_COMMAND },
		{ 11, 0x10, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_FLAGS },     /* unknown bit */
		{ 11, 0x03, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_FLAGS },     /* kbps + pktps */
		{ 10, 0x80, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_FLAGS },     /* high bit */
		{ 15, 0x00, OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER }, /* meter 0 */
		{ 17, 0x05, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* band type 5 */
		{ 19, 0x18, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* drop len 24 */
		{ 19, 0x08, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* len 8 */
		{ 19, 0x11, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* len 17 */
		{ 35, 0x30, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* past the end */
		{ 51, 0x1c, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* exp len 28 */
		{ 51, 0x20, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND },	     /* exp len past end */
		{ 22, 0x00, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_RATE },	     /* drop rate 0 */
		{ 44, 64, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND_VALUE },  /* prec_level 64 */
	};
	struct arena a = ARENA_INITIALIZER;
	uint8_t v[sizeof meter_mod_vec];
	struct ofp_meter_mod mm;
	struct ofp_err err;

	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		memcpy(v, meter_mod_vec, sizeof v);
		v[muts[i].ofs] = muts[i].val;
		if (muts[i].ofs == 22) /* rate is 32 bits: clear all of it */
			memset(v + 20, 0, 4);
		err.type = err.code = 0xeeee;
		ck_assert_msg(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err) == -EPROTO,
			      "mutation %zu accepted", i);
		ck_assert_msg(err.type == muts[i].type && err.code == muts[i].code,
			      "mutation %zu: got %u/%u", i, err.type, err.code);
		arena_free(&a);
	}

	/* Meter ids: ALL only for DELETE; CONTROLLER and SLOWPATH are fine; OFPM_MAX ok. */
	memcpy(v, meter_mod_vec, sizeof v);
	put_be32(v + 12, OFPM_ALL);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPMMFC_INVALID_METER);
	put_be16(v + 8, OFPMC_DELETE);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), 0);
	put_be16(v + 8, OFPMC_MODIFY);
	put_be32(v + 12, OFPM_CONTROLLER);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), 0);
	put_be32(v + 12, OFPM_SLOWPATH);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), 0);
	put_be32(v + 12, OFPM_MAX);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), 0);
	put_be32(v + 12, OFPM_MAX + 1);
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPMMFC_INVALID_METER);
	/* Burst size without OFPMF_BURST is accepted; a lone PKTPS is fine. */
	memcpy(v, meter_mod_vec, sizeof v);
	v[11] = OFPMF_PKTPS;
	ck_assert_int_eq(ofp_meter_mod_decode(v, sizeof v, &a, &mm, &err), 0);
	/* A DELETE with no bands. */
	memcpy(v, meter_mod_vec, 16);
	put_be16(v + 2, 16);
	put_be16(v + 8, OFPMC_DELETE);
	ck_assert_int_eq(ofp_meter_mod_decode(v, 16, &a, &mm, &err), 0);
	ck_assert_uint_eq(mm.bands.n, 0);
	/* Short fixed part (decoders are safe even without ofp_header_check). */
	ck_assert_int_eq(ofp_meter_mod_decode(v, 15, &a, &mm, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_REQUEST);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	arena_free(&a);
}
END_TEST

START_TEST(test_meter_mod_truncation)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_meter_mod mm;
	struct ofp_err err;

	for (size_t n = 0; n < sizeof meter_mod_vec; n++) {
		uint8_t *v = malloc(n ? n : 1); /* exact size: ASAN sees any overread */
		int ret;

		memcpy(v, meter_mod_vec, n);
		if (n >= 4)
			put_be16(v + 2, (uint16_t)n);
		ret = ofp_meter_mod_decode(v, n, &a, &mm, &err);
		/* Cut at a band boundary leaves a valid, shorter meter_mod. */
		if (n == 16 || n == 32 || n == 48)
			ck_assert_int_eq(ret, 0);
		else
			ck_assert_msg(ret == -EPROTO, "prefix %zu: %d", n, ret);
		if (n > 16 && n != 32 && n != 48)
			ck_assert_uint_eq(err.code, OFPMMFC_BAD_BAND);
		free(v);
		arena_free(&a);
	}
}
END_TEST

START_TEST(test_meter_mod_alloc_failure)
{
	struct ofp_meter_mod mm;
	struct ofp_err err;
	int ret = -ENOMEM;

	for (long n = 0; ret; n++) {
		struct arena a = ARENA_INITIALIZER;

		pfs_alloc_fail_after(n);
		ret = ofp_meter_mod_decode(meter_mod_vec, sizeof meter_mod_vec, &a, &mm, &err);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		arena_free(&a);
		ck_assert_int_lt(n, 100);
	}
	/* Encoding into a failing buffer reports -ENOMEM. */
	{
		struct arena a = ARENA_INITIALIZER;
		struct buf b = BUF_INITIALIZER;

		ck_assert_int_eq(decode_vec(meter_mod_vec, sizeof meter_mod_vec, &a, &mm, &err), 0);
		pfs_alloc_fail_after(0);
		ck_assert_int_eq(ofp_meter_mod_encode(&mm, 1, &b), -ENOMEM);
		pfs_alloc_fail_after(-1);
		buf_uninit(&b);
		arena_free(&a);
	}
}
END_TEST

/* Parses text, encodes, decodes and formats; returns the formatted text in out. */
static void
parse_roundtrip(const char *text, uint16_t command, struct buf *out)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER;
	struct ofp_meter_mod mm, back;
	struct ofp_err err;
	char ebuf[128];

	ck_assert_msg(ofp_meter_mod_parse(text, command, &a, &mm, ebuf, sizeof ebuf) == 0, "%s: %s",
		      text, ebuf);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, 3, &b), 0);
	ck_assert_int_eq(decode_vec(b.data, b.size, &a, &back, &err), 0);
	ofp_meter_mod_format(&back, out);
	buf_uninit(&b);
	arena_free(&a);
}

START_TEST(test_meter_text)
{
	struct buf out = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_meter_mod mm;
	char ebuf[128];

	parse_roundtrip("meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100",
			OFPMC_ADD, &out);
	ck_assert_str_eq(buf_cstr(&out), "ADD meter=1 kbps burst stats bands=type=drop rate=1000 "
					 "burst_size=100");
	buf_clear(&out);
	parse_roundtrip("meter=2 pktps bands=type=drop rate=5 type=dscp_remark rate=10 "
			"prec_level=2",
			OFPMC_MODIFY, &out);
	ck_assert_str_eq(buf_cstr(&out), "MOD meter=2 pktps bands=type=drop rate=5 "
					 "type=dscp_remark rate=10 prec_level=2");
	buf_clear(&out);
	parse_roundtrip("meter=controller,pktps,bands=type=experimenter,rate=7,experimenter=0x2320",
			OFPMC_ADD, &out);
	ck_assert_str_eq(buf_cstr(&out), "ADD meter=controller pktps bands=type=experimenter "
					 "rate=7 experimenter=0x2320");
	buf_clear(&out);
	parse_roundtrip("", OFPMC_DELETE, &out);
	ck_assert_str_eq(buf_cstr(&out), "DEL meter=all bands=");
	buf_clear(&out);

	/* ovs-ofctl dump-meters text parses back to the same config. */
	{
		struct ofp_meter_config mc = { 0 };
		struct buf t = BUF_INITIALIZER;

		ck_assert_int_eq(ofp_meter_mod_parse("meter=5,kbps,burst,bands=type=drop,rate=9,"
						     "burst_size=3,type=dscp_remark,rate=8,"
						     "prec_level=1",
						     OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
				 0);
		mc.flags = mm.flags;
		mc.meter_id = mm.meter_id;
		mc.bands = mm.bands;
		ofp_meter_config_format(&mc, &t);
		ck_assert_str_eq(buf_cstr(&t), "meter=5 kbps burst bands=\ntype=drop rate=9 "
					       "burst_size=3\ntype=dscp_remark rate=8 burst_size=0 "
					       "prec_level=1");
		ck_assert_int_eq(
			ofp_meter_mod_parse(buf_cstr(&t), OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			0);
		ck_assert_uint_eq(mm.bands.n, 2);
		ck_assert_uint_eq(mm.bands.items[0].burst_size, 3);
		ck_assert_uint_eq(mm.bands.items[1].prec_level, 1);
		buf_uninit(&t);
	}

	/* Errors name the bad token. */
	ck_assert_int_eq(ofp_meter_mod_parse("meter=1,fast", OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "fast"));
	ck_assert_int_eq(ofp_meter_mod_parse("meter=x", OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_int_eq(ofp_meter_mod_parse("meter=1,bands=type=police,rate=1", OFPMC_ADD, &a, &mm,
					     ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "type"));
	ck_assert_int_eq(
		ofp_meter_mod_parse("meter=1,bands=rate=1", OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
		-EINVAL);
	ck_assert_int_eq(ofp_meter_mod_parse("meter=1,bands=type=drop,rate=1,colour=3", OFPMC_ADD,
					     &a, &mm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "colour"));
	ck_assert_int_eq(ofp_meter_mod_parse("meter=1,bands=type=dscp_remark,rate=1,prec_level=256",
					     OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_int_eq(ofp_meter_mod_parse("kbps", OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(ebuf, "meter"));
	ck_assert_int_eq(
		ofp_meter_mod_parse("meter=1,kbps=3", OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
		-EINVAL);
	/* "type:drop" spelling with ':' also works. */
	ck_assert_int_eq(ofp_meter_mod_parse("meter:1,bands=type:drop,rate:1,type:drop,rate:2",
					     OFPMC_ADD, &a, &mm, ebuf, sizeof ebuf),
			 0);
	ck_assert_uint_eq(mm.bands.n, 2);
	ck_assert_uint_eq(mm.bands.items[1].rate, 2);
	/* Allocation failure while parsing. */
	for (long n = 0; n < 3; n++) {
		struct arena a2 = ARENA_INITIALIZER;
		int ret;

		pfs_alloc_fail_after(n);
		ret = ofp_meter_mod_parse("meter=1,bands=type=drop,rate=1", OFPMC_ADD, &a2, &mm,
					  ebuf, sizeof ebuf);
		pfs_alloc_fail_after(-1);
		ck_assert(ret == 0 || ret == -ENOMEM);
		arena_free(&a2);
	}
	buf_uninit(&out);
	arena_free(&a);
}
END_TEST

START_TEST(test_meter_request)
{
	static const uint8_t vec[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	struct buf_cursor c = buf_cursor(vec, sizeof vec);
	struct ofp_meter_multipart_request r;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;

	ck_assert_int_eq(ofp_meter_multipart_request_decode(&c, NULL, &r, &err), 0);
	ck_assert_uint_eq(r.meter_id, OFPM_ALL);
	ck_assert_uint_eq(c.left, 0);
	ofp_meter_multipart_request_encode(&r, &b);
	ck_assert_mem_eq(b.data, vec, sizeof vec);
	buf_clear(&b);
	ofp_meter_multipart_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), "meter=all");
	for (size_t n = 0; n < sizeof vec; n++) {
		c = buf_cursor(vec, n);
		ck_assert_int_eq(ofp_meter_multipart_request_decode(&c, NULL, &r, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	buf_uninit(&b);
}
END_TEST

/* ofp_meter_stats with two band counters (spec 7.3.5.12 layout). */
static const uint8_t meter_stats_vec[] = {
	0x00, 0x00, 0x00, 0x05, 0x00, 0x48, 0,	  0,	0, 0, 0, 0, /* meter 5, len 72, pad */
	0x00, 0x00, 0x00, 0x03,					    /* flow_count 3 */
	0,    0,    0,	  0,	0,    0,    0x01, 0x00,		    /* packet_in_count 256 */
	0,    0,    0,	  0,	0,    0,    0x02, 0x00,		    /* byte_in_count 512 */
	0x00, 0x00, 0x00, 0x0a, 0x1d, 0xcd, 0x65, 0x00,		    /* 10 s, 500000000 ns */
	0,    0,    0,	  0,	0,    0,    0,	  1,	0, 0, 0, 0, 0, 0, 0, 60,  /* band 0 */
	0,    0,    0,	  0,	0,    0,    0,	  2,	0, 0, 0, 0, 0, 0, 0, 120, /* band 1 */
};

START_TEST(test_meter_stats)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf_cursor c = buf_cursor(meter_stats_vec, sizeof meter_stats_vec);
	struct buf b = BUF_INITIALIZER;
	struct ofp_meter_stats ms;
	struct ofp_err err;
	uint8_t v[sizeof meter_stats_vec];

	ck_assert_int_eq(ofp_meter_stats_decode(&c, &a, &ms, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(ms.meter_id, 5);
	ck_assert_uint_eq(ms.flow_count, 3);
	ck_assert_uint_eq(ms.packet_in_count, 256);
	ck_assert_uint_eq(ms.byte_in_count, 512);
	ck_assert_uint_eq(ms.duration_sec, 10);
	ck_assert_uint_eq(ms.duration_nsec, 500000000);
	ck_assert_uint_eq(ms.band_stats.n, 2);
	ck_assert_uint_eq(ms.band_stats.items[1].byte_band_count, 120);
	ofp_meter_stats_encode(&ms, &b);
	ck_assert_uint_eq(b.size, sizeof meter_stats_vec);
	ck_assert_mem_eq(b.data, meter_stats_vec, sizeof meter_stats_vec);
	buf_clear(&b);
	ofp_meter_stats_format(&ms, &b);
	ck_assert_str_eq(buf_cstr(&b), "meter:5 flow_count:3 packet_in_count:256 byte_in_count:512 "
				       "duration:10.5s bands:\n0: packet_count:1 byte_count:60\n"
				       "1: packet_count:2 byte_count:120");

	/* Length field errors: short, not 40 + 16n, past the end. */
	static const uint16_t bad_lens[] = { 0, 39, 48, 80 };
	for (size_t i = 0; i < ARRAY_SIZE(bad_lens); i++) {
		memcpy(v, meter_stats_vec, sizeof v);
		put_be16(v + 4, bad_lens[i]);
		c = buf_cursor(v, sizeof v);
		ck_assert_int_eq(ofp_meter_stats_decode(&c, &a, &ms, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	}
	for (size_t n = 0; n < sizeof meter_stats_vec; n++) {
		c = buf_cursor(meter_stats_vec, n);
		ck_assert_int_eq(ofp_meter_stats_decode(&c, &a, &ms, &err), -EPROTO);
	}
	for (long n = 0;; n++) {
		struct arena a2 = ARENA_INITIALIZER;
		int ret;

		c = buf_cursor(meter_stats_vec, sizeof meter_stats_vec);
		pfs_alloc_fail_after(n);
		ret = ofp_meter_stats_decode(&c, &a2, &ms, &err);
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

/* ofp_meter_config: len 24, flags PKTPS, meter 9, one drop band. */
static const uint8_t meter_config_vec[] = {
	0x00, 0x18, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01, 0x00, 0x10,
	0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

START_TEST(test_meter_config)
{
	struct arena a = ARENA_INITIALIZER;
	struct buf_cursor c = buf_cursor(meter_config_vec, sizeof meter_config_vec);
	struct buf b = BUF_INITIALIZER;
	struct ofp_meter_config mc;
	struct ofp_err err;
	uint8_t v[sizeof meter_config_vec];

	ck_assert_int_eq(ofp_meter_config_decode(&c, &a, &mc, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(mc.flags, OFPMF_PKTPS);
	ck_assert_uint_eq(mc.meter_id, 9);
	ck_assert_uint_eq(mc.bands.n, 1);
	ck_assert_uint_eq(mc.bands.items[0].rate, 100);
	ofp_meter_config_encode(&mc, &b);
	ck_assert_mem_eq(b.data, meter_config_vec, sizeof meter_config_vec);
	buf_clear(&b);
	ofp_meter_config_format(&mc, &b);
	ck_assert_str_eq(buf_cstr(&b), "meter=9 pktps bands=\ntype=drop rate=100");

	for (size_t n = 0; n < sizeof meter_config_vec; n++) {
		c = buf_cursor(meter_config_vec, n);
		ck_assert_int_eq(ofp_meter_config_decode(&c, &a, &mc, &err), -EPROTO);
	}
	memcpy(v, meter_config_vec, sizeof v);
	put_be16(v, 7);
	c = buf_cursor(v, sizeof v);
	ck_assert_int_eq(ofp_meter_config_decode(&c, &a, &mc, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBRC_BAD_LEN);
	put_be16(v, 20); /* band cut short inside the entry */
	c = buf_cursor(v, sizeof v);
	ck_assert_int_eq(ofp_meter_config_decode(&c, &a, &mc, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_METER_MOD_FAILED);
	ck_assert_uint_eq(err.code, OFPMMFC_BAD_BAND);
	buf_uninit(&b);
	arena_free(&a);
}
END_TEST

START_TEST(test_meter_features)
{
	static const uint8_t vec[] = { 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x06,
				       0x00, 0x00, 0x00, 0x0f, 0x04, 0x02, 0x00, 0x00 };
	struct buf_cursor c = buf_cursor(vec, sizeof vec);
	struct ofp_meter_features mf;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;

	ck_assert_int_eq(ofp_meter_features_decode(&c, NULL, &mf, &err), 0);
	ck_assert_uint_eq(mf.max_meter, 256);
	ck_assert_uint_eq(mf.band_types, (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK));
	ck_assert_uint_eq(mf.capabilities, 0xf);
	ck_assert_uint_eq(mf.max_bands, 4);
	ck_assert_uint_eq(mf.max_color, 2);
	ofp_meter_features_encode(&mf, &b);
	ck_assert_mem_eq(b.data, vec, sizeof vec);
	buf_clear(&b);
	ofp_meter_features_format(&mf, &b);
	ck_assert_str_eq(buf_cstr(&b), "max_meter:256 max_bands:4 max_color:2\nband_types: drop "
				       "dscp_remark\ncapabilities: kbps pktps burst stats");
	for (size_t n = 0; n < sizeof vec; n++) {
		c = buf_cursor(vec, n);
		ck_assert_int_eq(ofp_meter_features_decode(&c, NULL, &mf, &err), -EPROTO);
	}
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("meter");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_meter_mod_vector);
	tcase_add_test(tc, test_meter_mod_errors);
	tcase_add_test(tc, test_meter_mod_truncation);
	tcase_add_test(tc, test_meter_mod_alloc_failure);
	tcase_add_test(tc, test_meter_text);
	tcase_add_test(tc, test_meter_request);
	tcase_add_test(tc, test_meter_stats);
	tcase_add_test(tc, test_meter_config);
	tcase_add_test(tc, test_meter_features);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
