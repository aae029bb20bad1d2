/* Unit tests for lib/oxm.c: the field table against OF1.3.5 table 12, byte-exact wire
 * vectors built by hand, a decode/encode round trip of every field (exact and masked),
 * every decoder error path, truncation at every length, prerequisites, semantic
 * equality, and the ovs-ofctl text form (expected strings captured from ovs-ofctl 3.x
 * "parse-flows" with -O OpenFlow13; ovs is not needed at run time). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ofp_error.h"
#include "oxm.h"
#include "util.h"

/* ---- helpers ---- */

static int
decode_bytes(const uint8_t *p, size_t n, struct ofp_match *m, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, n);

	return oxm_decode(&c, m, err);
}

/* Expects decoding p to fail with OFPET_BAD_MATCH / code. */
static void
expect_err(const uint8_t *p, size_t n, uint16_t code)
{
	struct ofp_match m;
	struct ofp_err err = { 0, 0 };

	ck_assert_int_eq(decode_bytes(p, n, &m, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_MATCH);
	ck_assert_uint_eq(err.code, code);
}

/* Wraps a TLV list in an ofp_match header and padding: returns the total size. */
static size_t
wrap(const uint8_t *tlvs, size_t n, uint8_t *out)
{
	size_t total = PFS_ROUND_UP(n + 4, 8);

	memset(out, 0, total);
	put_be16(out, OFPMT_OXM);
	put_be16(out + 2, (uint16_t)(n + 4));
	memcpy(out + 4, tlvs, n);
	return total;
}

static void
expect_tlvs_err(const uint8_t *tlvs, size_t n, uint16_t code)
{
	uint8_t msg[512];

	expect_err(msg, wrap(tlvs, n, msg), code);
}

static void
expect_tlvs_ok(const uint8_t *tlvs, size_t n)
{
	uint8_t msg[512];
	struct ofp_match m;
	struct ofp_err err = { 0, 0 };
	size_t total = wrap(tlvs, n, msg);
	int rc = decode_bytes(msg, total, &m, &err);

	ck_assert_msg(rc == 0, "decode failed: type %u code %u", err.type, err.code);
}

/* ---- the field table ---- */

START_TEST(test_field_table)
{
	/* OF1.3.5 table 12: payload length and maskability of fields 0..39. */
	static const uint8_t lens[OFPXMT_OFB_N_FIELDS] = { 4, 4,  8, 6, 6, 2, 2,  1,  1, 1,
							   1, 4,  4, 2, 2, 2, 2,  2,  2, 1,
							   1, 2,  4, 4, 6, 6, 16, 16, 4, 1,
							   1, 16, 6, 6, 4, 1, 1,  3,  8, 2 };
	static const bool maskable[OFPXMT_OFB_N_FIELDS] = {
		0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
	};
	size_t end = 0;

	for (unsigned f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		const struct oxm_field_info *fi = oxm_field_info((uint8_t)f);

		ck_assert_ptr_nonnull(fi);
		ck_assert_uint_eq(fi->field, f);
		ck_assert_uint_eq(fi->len, lens[f]);
		ck_assert_int_eq(fi->maskable, maskable[f]);
		ck_assert_uint_eq(fi->offset, end); /* the struct has no gaps, in field order */
		end += fi->len;
		ck_assert_ptr_eq(oxm_field_by_name(fi->name), fi);
		if (fi->alias)
			ck_assert_ptr_eq(oxm_field_by_name(fi->alias), fi);
	}
	ck_assert_uint_eq(end, sizeof(struct ofp_match_values));
	ck_assert_ptr_null(oxm_field_info(OFPXMT_OFB_N_FIELDS));
	ck_assert_ptr_null(oxm_field_info(127));
	ck_assert_ptr_null(oxm_field_by_name("nw_ttl"));
	ck_assert_ptr_null(oxm_field_by_name("DL_SRC"));
	ck_assert_uint_eq(oxm_field_by_name("dl_src")->field, OFPXMT_OFB_ETH_SRC);
	ck_assert_uint_eq(oxm_field_by_name("nw_dst")->field, OFPXMT_OFB_IPV4_DST);
	ck_assert_uint_eq(oxm_field_by_name("tun_id")->field, OFPXMT_OFB_TUNNEL_ID);
	ck_assert_uint_eq(oxm_field_by_name("ipv6_label")->field, OFPXMT_OFB_IPV6_FLABEL);
	ck_assert_uint_eq(oxm_field_by_name("nd_target")->field, OFPXMT_OFB_IPV6_ND_TARGET);
	ck_assert(!oxm_field_info(OFPXMT_OFB_IN_PORT)->settable);
	ck_assert(!oxm_field_info(OFPXMT_OFB_METADATA)->settable);
	ck_assert(oxm_field_info(OFPXMT_OFB_IPV4_SRC)->settable);
	ck_assert(oxm_field_info(OFPXMT_OFB_VLAN_VID)->settable);
}
END_TEST

/* ---- byte-exact vectors ---- */

START_TEST(test_vector_in_port)
{
	static const uint8_t want[] = { 0x00, 0x01, 0x00, 0x0c, 0x80, 0x00, 0x00, 0x04,
					0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t port[4] = { 0, 0, 0, 1 };
	struct buf b = BUF_INITIALIZER;
	struct ofp_match m, d;
	struct ofp_err err;
	struct buf_cursor c = buf_cursor(want, sizeof want);

	oxm_match_init(&m);
	ck_assert_int_eq(oxm_match_set(&m, OFPXMT_OFB_IN_PORT, port, NULL), 0);
	oxm_encode(&m, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(b.size, sizeof want);
	ck_assert_mem_eq(b.data, want, sizeof want);

	ck_assert_int_eq(oxm_decode(&c, &d, &err), 0);
	ck_assert_uint_eq(c.left, 0); /* padding pulled too */
	ck_assert_uint_eq(d.n_fields, 1);
	ck_assert(oxm_match_has(&d, OFPXMT_OFB_IN_PORT));
	ck_assert_mem_eq(oxm_match_value(&d, OFPXMT_OFB_IN_PORT), port, 4);
	ck_assert(oxm_match_equal(&m, &d));
	buf_uninit(&b);
}
END_TEST

/* tcp,nw_src=10.0.0.0/8,tp_dst=80 as a controller sends it: eth_type, ip_proto, masked
 * ipv4_src, tcp_dst; 33 bytes of match padded to 40. */
static const uint8_t tcp_vec[] = {
	0x00, 0x01, 0x00, 0x21,		    /* OXM, length 33 */
	0x80, 0x00, 0x0a, 0x02, 0x08, 0x00, /* eth_type 0x0800 */
	0x80, 0x00, 0x14, 0x01, 0x06,	    /* ip_proto 6 */
	0x80, 0x00, 0x17, 0x08, 0x0a, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, /* ipv4_src/m */
	0x80, 0x00, 0x1c, 0x02, 0x00, 0x50,					/* tcp_dst 80 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,				/* padding */
};

START_TEST(test_vector_tcp)
{
	struct ofp_match m;
	struct ofp_err err;
	struct buf b = BUF_INITIALIZER;

	ck_assert_uint_eq(sizeof tcp_vec, 40);
	ck_assert_int_eq(decode_bytes(tcp_vec, sizeof tcp_vec, &m, &err), 0);
	ck_assert_uint_eq(m.n_fields, 4);
	ck_assert_uint_eq(m.order[0], OFPXMT_OFB_ETH_TYPE);
	ck_assert_uint_eq(m.order[2], OFPXMT_OFB_IPV4_SRC);
	ck_assert_uint_eq(m.masked, 1ull << OFPXMT_OFB_IPV4_SRC);
	ck_assert_uint_eq(get_be16(oxm_match_value(&m, OFPXMT_OFB_TCP_DST)), 80);
	oxm_encode(&m, &b);
	ck_assert_uint_eq(b.size, sizeof tcp_vec);
	ck_assert_mem_eq(b.data, tcp_vec, sizeof tcp_vec);
	buf_clear(&b);
	oxm_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "tcp,nw_src=10.0.0.0/8,tp_dst=80");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_vector_empty_and_tlv)
{
	static const uint8_t empty[] = { 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0 };
	static const uint8_t vid_tlv[] = { 0x80, 0x00, 0x0d, 0x04, 0x10, 0x00, 0x10, 0x00 };
	static const uint8_t vid[2] = { 0x10, 0x00 };
	struct buf b = BUF_INITIALIZER;
	struct ofp_match m;
	struct ofp_err err;

	oxm_match_init(&m);
	oxm_encode(&m, &b);
	ck_assert_uint_eq(b.size, 8);
	ck_assert_mem_eq(b.data, empty, 8);
	ck_assert_int_eq(decode_bytes(empty, sizeof empty, &m, &err), 0);
	ck_assert_uint_eq(m.n_fields, 0);
	buf_clear(&b);
	oxm_format(&m, &b);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_clear(&b);
	oxm_encode_tlv(&b, OFPXMT_OFB_VLAN_VID, vid, vid);
	ck_assert_uint_eq(b.size, sizeof vid_tlv);
	ck_assert_mem_eq(b.data, vid_tlv, sizeof vid_tlv);
	ck_assert_int_eq(oxm_decode_tlvs(vid_tlv, sizeof vid_tlv, &m, &err), 0);
	ck_assert(oxm_match_has(&m, OFPXMT_OFB_VLAN_VID));
	ck_assert_uint_eq(m.masked, 1ull << OFPXMT_OFB_VLAN_VID);
	buf_uninit(&b);
}
END_TEST

/* ---- round trip of every field ---- */

struct prereq {
	uint16_t eth_type;
	uint8_t ip_proto;
	uint8_t icmpv6_type;
	bool vlan;
	bool in_port;
};

/* What each field needs, written from table 12 independently of lib/oxm.c. */
static const struct prereq prereqs[OFPXMT_OFB_N_FIELDS] = {
	[OFPXMT_OFB_IN_PHY_PORT] = { .in_port = true },
	[OFPXMT_OFB_VLAN_PCP] = { .vlan = true },
	[OFPXMT_OFB_IP_DSCP] = { 0x0800, 0, 0, 0, 0 },
	[OFPXMT_OFB_IP_ECN] = { 0x86dd, 0, 0, 0, 0 },
	[OFPXMT_OFB_IP_PROTO] = { 0x0800, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV4_SRC] = { 0x0800, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV4_DST] = { 0x0800, 0, 0, 0, 0 },
	[OFPXMT_OFB_TCP_SRC] = { 0x0800, 6, 0, 0, 0 },
	[OFPXMT_OFB_TCP_DST] = { 0x86dd, 6, 0, 0, 0 },
	[OFPXMT_OFB_UDP_SRC] = { 0x0800, 17, 0, 0, 0 },
	[OFPXMT_OFB_UDP_DST] = { 0x86dd, 17, 0, 0, 0 },
	[OFPXMT_OFB_SCTP_SRC] = { 0x0800, 132, 0, 0, 0 },
	[OFPXMT_OFB_SCTP_DST] = { 0x86dd, 132, 0, 0, 0 },
	[OFPXMT_OFB_ICMPV4_TYPE] = { 0x0800, 1, 0, 0, 0 },
	[OFPXMT_OFB_ICMPV4_CODE] = { 0x0800, 1, 0, 0, 0 },
	[OFPXMT_OFB_ARP_OP] = { 0x0806, 0, 0, 0, 0 },
	[OFPXMT_OFB_ARP_SPA] = { 0x0806, 0, 0, 0, 0 },
	[OFPXMT_OFB_ARP_TPA] = { 0x0806, 0, 0, 0, 0 },
	[OFPXMT_OFB_ARP_SHA] = { 0x0806, 0, 0, 0, 0 },
	[OFPXMT_OFB_ARP_THA] = { 0x0806, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV6_SRC] = { 0x86dd, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV6_DST] = { 0x86dd, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV6_FLABEL] = { 0x86dd, 0, 0, 0, 0 },
	[OFPXMT_OFB_ICMPV6_TYPE] = { 0x86dd, 58, 0, 0, 0 },
	[OFPXMT_OFB_ICMPV6_CODE] = { 0x86dd, 58, 0, 0, 0 },
	[OFPXMT_OFB_IPV6_ND_TARGET] = { 0x86dd, 58, 136, 0, 0 },
	[OFPXMT_OFB_IPV6_ND_SLL] = { 0x86dd, 58, 135, 0, 0 },
	[OFPXMT_OFB_IPV6_ND_TLL] = { 0x86dd, 58, 136, 0, 0 },
	[OFPXMT_OFB_MPLS_LABEL] = { 0x8847, 0, 0, 0, 0 },
	[OFPXMT_OFB_MPLS_TC] = { 0x8848, 0, 0, 0, 0 },
	[OFPXMT_OFB_MPLS_BOS] = { 0x8847, 0, 0, 0, 0 },
	[OFPXMT_OFB_PBB_ISID] = { 0x88e7, 0, 0, 0, 0 },
	[OFPXMT_OFB_IPV6_EXTHDR] = { 0x86dd, 0, 0, 0, 0 },
};

/* Appends hand-built TLVs for f's prerequisites; returns bytes written. */
static size_t
put_prereqs(uint8_t f, uint8_t *p)
{
	const struct prereq *pr = &prereqs[f];
	uint8_t *start = p;

	if (pr->in_port) {
		put_be32(p, 0x80000004), put_be32(p + 4, 7);
		p += 8;
	}
	if (pr->vlan) {
		put_be32(p, 0x80000c02), put_be16(p + 4, 0x1064);
		p += 6;
	}
	if (pr->eth_type) {
		put_be32(p, 0x80000a02), put_be16(p + 4, pr->eth_type);
		p += 6;
	}
	if (pr->ip_proto) {
		put_be32(p, 0x80001401), p[4] = pr->ip_proto;
		p += 5;
	}
	if (pr->icmpv6_type) {
		put_be32(p, 0x80003a01), p[4] = pr->icmpv6_type;
		p += 5;
	}
	return (size_t)(p - start);
}

/* A valid value for f: the field's low bits set to a pattern within its range. */
static void
sample_value(uint8_t f, uint8_t *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		v[i] = (uint8_t)(0x11 * (i + 1) + f);
	switch (f) {
	case OFPXMT_OFB_VLAN_VID:
		put_be16(v, 0x1abc);
		break;
	case OFPXMT_OFB_VLAN_PCP:
	case OFPXMT_OFB_MPLS_TC:
		v[0] = 5;
		break;
	case OFPXMT_OFB_IP_DSCP:
		v[0] = 46;
		break;
	case OFPXMT_OFB_IP_ECN:
		v[0] = 3;
		break;
	case OFPXMT_OFB_MPLS_BOS:
		v[0] = 1;
		break;
	case OFPXMT_OFB_IPV6_FLABEL:
	case OFPXMT_OFB_MPLS_LABEL:
		put_be32(v, 0xfedcb);
		break;
	case OFPXMT_OFB_IPV6_EXTHDR:
		put_be16(v, 0x1c4);
		break;
	default:
		break;
	}
}

static void
roundtrip_field(uint8_t f, bool masked)
{
	const struct oxm_field_info *fi = oxm_field_info(f);
	uint8_t tlvs[128], msg[160], v[16], mk[16];
	size_t n, total;
	struct ofp_match m, m2;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;
	int rc;

	n = put_prereqs(f, tlvs);
	sample_value(f, v, fi->len);
	for (size_t i = 0; i < fi->len; i++) {
		mk[i] = (uint8_t)(i & 1 ? 0x0f : 0xff);
		if (masked)
			v[i] &= mk[i];
	}
	put_be32(tlvs + n, OXM_HEADER(0x8000, f, masked, fi->len * (masked ? 2 : 1)));
	memcpy(tlvs + n + 4, v, fi->len);
	if (masked)
		memcpy(tlvs + n + 4 + fi->len, mk, fi->len);
	n += 4 + fi->len * (masked ? 2u : 1u);
	total = wrap(tlvs, n, msg);

	rc = decode_bytes(msg, total, &m, &err);
	ck_assert_msg(rc == 0, "field %s masked %d: error %u/%u", fi->name, masked, err.type,
		      err.code);
	ck_assert(oxm_match_has(&m, f));
	ck_assert_mem_eq(oxm_match_value(&m, f), v, fi->len);
	if (masked)
		ck_assert_mem_eq(oxm_match_mask(&m, f), mk, fi->len);
	ck_assert_uint_eq((m.masked >> f) & 1, masked);
	oxm_encode(&m, &b);
	ck_assert_uint_eq(b.size, total);
	ck_assert_mem_eq(b.data, msg, total);
	ck_assert_int_eq(decode_bytes(b.data, b.size, &m2, &err), 0);
	ck_assert(oxm_match_equal(&m, &m2));

	/* The text form reads back as the same match. */
	buf_clear(&b);
	oxm_format(&m, &b);
	{
		char errbuf[128];
		struct ofp_match m3;

		rc = oxm_parse(buf_cstr(&b), &m3, errbuf, sizeof errbuf);
		ck_assert_msg(rc == 0, "%s: %s", buf_cstr(&b), errbuf);
		ck_assert_msg(oxm_match_equal(&m, &m3), "text %s", buf_cstr(&b));
	}
	buf_uninit(&b);
}

START_TEST(test_roundtrip_every_field)
{
	for (unsigned f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		roundtrip_field((uint8_t)f, false);
		if (oxm_field_info((uint8_t)f)->maskable)
			roundtrip_field((uint8_t)f, true);
	}
}
END_TEST

/* ---- decoder errors ---- */

START_TEST(test_bad_type_and_len)
{
	uint8_t msg[64];

	memcpy(msg, tcp_vec, sizeof tcp_vec);
	put_be16(msg, OFPMT_STANDARD);
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_TYPE);
	put_be16(msg, 2);
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_TYPE);
	memcpy(msg, tcp_vec, sizeof tcp_vec);
	put_be16(msg + 2, 3); /* below the header */
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_LEN);
	put_be16(msg + 2, 41); /* beyond the cursor */
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_LEN);
	put_be16(msg + 2, 33);
	expect_err(msg, 36, OFPBMC_BAD_LEN); /* padding missing */
	expect_err(msg, 33, OFPBMC_BAD_LEN);
	expect_err(msg, 3, OFPBMC_BAD_LEN);
	expect_err(msg, 0, OFPBMC_BAD_LEN);
	put_be16(msg + 2, 34); /* a TLV cut short by the match length */
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_LEN);
	put_be16(msg + 2, 31);
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_LEN);
	put_be16(msg + 2, 29); /* only part of a TLV header left */
	expect_err(msg, sizeof tcp_vec, OFPBMC_BAD_LEN);
}
END_TEST

START_TEST(test_truncation_every_length)
{
	uint8_t msg[64];
	struct ofp_match m;
	struct ofp_err err;

	/* Every shorter match length with the bytes intact, then every short cursor. */
	for (size_t len = 0; len < 33; len++) {
		memcpy(msg, tcp_vec, sizeof tcp_vec);
		put_be16(msg + 2, (uint16_t)len);
		err.type = err.code = 0;
		int rc = decode_bytes(msg, sizeof tcp_vec, &m, &err);

		/* Lengths that end on a TLV boundary are valid shorter matches. */
		if (len == 4 || len == 10 || len == 15 || len == 27) {
			ck_assert_int_eq(rc, 0);
			continue;
		}
		ck_assert_msg(rc == -EPROTO, "len %zu", len);
		ck_assert_uint_eq(err.type, OFPET_BAD_MATCH);
		ck_assert_uint_eq(err.code, OFPBMC_BAD_LEN);
	}
	for (size_t n = 0; n < sizeof tcp_vec; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, tcp_vec, n);
		ck_assert_int_eq(decode_bytes(copy, n, &m, &err), -EPROTO);
		ck_assert_uint_eq(err.code, OFPBMC_BAD_LEN);
		free(copy);
	}
}
END_TEST

START_TEST(test_bad_field)
{
	static const uint8_t nxm0[] = { 0x00, 0x00, 0x02, 0x02, 0x08, 0x00 };
	static const uint8_t nxm1[] = { 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 1 };
	static const uint8_t exp[] = { 0xff, 0xff, 0x00, 0x08, 0x00, 0x00, 0x23, 0x20, 0, 0, 0, 1 };
	static const uint8_t f40[] = { 0x80, 0x00, 0x50, 0x01, 0x00 };
	static const uint8_t f127[] = { 0x80, 0x00, 0xfe, 0x01, 0x00 };
	static const uint8_t cls[] = { 0x80, 0x01, 0x00, 0x04, 0, 0, 0, 1 };

	expect_tlvs_err(nxm0, sizeof nxm0, OFPBMC_BAD_FIELD);
	expect_tlvs_err(nxm1, sizeof nxm1, OFPBMC_BAD_FIELD);
	expect_tlvs_err(exp, sizeof exp, OFPBMC_BAD_FIELD);
	expect_tlvs_err(f40, sizeof f40, OFPBMC_BAD_FIELD);
	expect_tlvs_err(f127, sizeof f127, OFPBMC_BAD_FIELD);
	expect_tlvs_err(cls, sizeof cls, OFPBMC_BAD_FIELD);
}
END_TEST

START_TEST(test_bad_payload_len)
{
	static const uint8_t in_port3[] = { 0x80, 0x00, 0x00, 0x03, 0, 0, 1 };
	static const uint8_t in_port5[] = { 0x80, 0x00, 0x00, 0x05, 0, 0, 0, 1, 0 };
	static const uint8_t eth_masked7[] = { 0x80, 0x00, 0x07, 0x07, 1, 2, 3, 4, 5, 6, 7 };
	static const uint8_t eth_masked6[] = { 0x80, 0x00, 0x07, 0x06, 1, 2, 3, 4, 5, 6 };
	static const uint8_t eth_exact12[] = { 0x80, 0x00, 0x06, 0x0c, 0, 0, 0, 0,
					       0,    0,	   0,	 0,    0, 0, 0, 0 };
	static const uint8_t zero_len[] = { 0x80, 0x00, 0x04, 0x00 };

	expect_tlvs_err(in_port3, sizeof in_port3, OFPBMC_BAD_LEN);
	expect_tlvs_err(in_port5, sizeof in_port5, OFPBMC_BAD_LEN);
	expect_tlvs_err(eth_masked7, sizeof eth_masked7, OFPBMC_BAD_LEN);
	expect_tlvs_err(eth_masked6, sizeof eth_masked6, OFPBMC_BAD_LEN);
	expect_tlvs_err(eth_exact12, sizeof eth_exact12, OFPBMC_BAD_LEN);
	expect_tlvs_err(zero_len, sizeof zero_len, OFPBMC_BAD_LEN);
}
END_TEST

START_TEST(test_bad_mask_wildcards_dup)
{
	static const uint8_t in_port_masked[] = { 0x80, 0x00, 0x01, 0x08, 0,	0,
						  0,	1,    0xff, 0xff, 0xff, 0xff };
	static const uint8_t tcp_masked[] = { 0x80, 0x00, 0x0a, 0x02, 0x08, 0x00, 0x80,
					      0x00, 0x14, 0x01, 0x06, 0x80, 0x00, 0x1b,
					      0x04, 0x00, 0x50, 0xff, 0xff };
	static const uint8_t pcp_masked[] = { 0x80, 0x00, 0x0f, 0x02, 0x01, 0x07 };
	static const uint8_t wild[] = { 0x80, 0x00, 0x17, 0x08, 0x0a, 0x00,
					0x00, 0x01, 0xff, 0x00, 0x00, 0x00 };
	static const uint8_t wild_mac[] = { 0x80, 0x00, 0x07, 0x0c, 0,	  0,	0,    0,
					    0,	  1,	0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t dup[] = { 0x80, 0x00, 0x00, 0x04, 0, 0, 0, 1,
				       0x80, 0x00, 0x00, 0x04, 0, 0, 0, 1 };
	static const uint8_t dup_masked[] = { 0x80, 0x00, 0x06, 0x06, 1,    2,	  3,	4,   5,
					      6,    0x80, 0x00, 0x07, 0x0c, 1,	  2,	3,   4,
					      5,    6,	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t wild_ok[] = { 0x80, 0x00, 0x0a, 0x02, 0x08, 0x00, 0x80, 0x00, 0x17,
					   0x08, 0x0a, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00 };

	expect_tlvs_err(in_port_masked, sizeof in_port_masked, OFPBMC_BAD_MASK);
	expect_tlvs_err(tcp_masked, sizeof tcp_masked, OFPBMC_BAD_MASK);
	expect_tlvs_err(pcp_masked, sizeof pcp_masked, OFPBMC_BAD_MASK);
	/* The wildcard check comes before prerequisites: no eth_type here. */
	expect_tlvs_err(wild, sizeof wild, OFPBMC_BAD_WILDCARDS);
	expect_tlvs_err(wild_mac, sizeof wild_mac, OFPBMC_BAD_WILDCARDS);
	expect_tlvs_err(dup, sizeof dup, OFPBMC_DUP_FIELD);
	expect_tlvs_err(dup_masked, sizeof dup_masked, OFPBMC_DUP_FIELD);
	expect_tlvs_ok(wild_ok, sizeof wild_ok);
}
END_TEST

/* One TLV of field f with value v (big-endian, the field's length), after its
 * prerequisites; expects code (or success when code < 0). */
static void
check_value(uint8_t f, uint64_t v, int code)
{
	const struct oxm_field_info *fi = oxm_field_info(f);
	uint8_t tlvs[128];
	size_t n = put_prereqs(f, tlvs);

	put_be32(tlvs + n, OXM_HEADER(0x8000, f, 0, fi->len));
	for (size_t i = fi->len; i-- > 0; v >>= 8)
		tlvs[n + 4 + i] = (uint8_t)v;
	n += 4 + fi->len;
	if (code < 0)
		expect_tlvs_ok(tlvs, n);
	else
		expect_tlvs_err(tlvs, n, (uint16_t)code);
}

START_TEST(test_bad_value)
{
	static const struct {
		uint8_t field;
		uint64_t max;
	} ranges[] = {
		{ OFPXMT_OFB_VLAN_PCP, 7 },
		{ OFPXMT_OFB_IP_DSCP, 63 },
		{ OFPXMT_OFB_IP_ECN, 3 },
		{ OFPXMT_OFB_MPLS_LABEL, 0xfffff },
		{ OFPXMT_OFB_MPLS_TC, 7 },
		{ OFPXMT_OFB_MPLS_BOS, 1 },
		{ OFPXMT_OFB_IPV6_FLABEL, 0xfffff },
		{ OFPXMT_OFB_VLAN_VID, 0x1fff },
		{ OFPXMT_OFB_IPV6_EXTHDR, 0x1ff },
	};
	static const uint8_t vid_masked_ok[] = { 0x80, 0x00, 0x0d, 0x04, 0x00, 0x05, 0x0f, 0xff };

	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		check_value(ranges[i].field, ranges[i].max, -1);
		check_value(ranges[i].field, ranges[i].max + 1, OFPBMC_BAD_VALUE);
	}
	check_value(OFPXMT_OFB_MPLS_LABEL, 0xffffffff, OFPBMC_BAD_VALUE);
	check_value(OFPXMT_OFB_IP_DSCP, 0xff, OFPBMC_BAD_VALUE);
	/* A VLAN id without OFPVID_PRESENT cannot match; OFPVID_NONE alone is fine. */
	check_value(OFPXMT_OFB_VLAN_VID, 0x0005, OFPBMC_BAD_VALUE);
	check_value(OFPXMT_OFB_VLAN_VID, 0x0000, -1);
	check_value(OFPXMT_OFB_VLAN_VID, 0x1000, -1);
	check_value(OFPXMT_OFB_PBB_ISID, 0xffffff, -1);
	/* Without the present bit in the mask the VLAN id bits may be compared alone. */
	expect_tlvs_ok(vid_masked_ok, sizeof vid_masked_ok);
}
END_TEST

/* ---- prerequisites ---- */

static void
tlv_u(uint8_t **p, uint8_t f, uint64_t v)
{
	size_t len = oxm_field_info(f)->len;

	put_be32(*p, OXM_HEADER(0x8000, f, 0, len));
	for (size_t i = len; i-- > 0; v >>= 8)
		(*p)[4 + i] = (uint8_t)v;
	*p += 4 + len;
}

START_TEST(test_prereqs_refused)
{
	uint8_t tlvs[128], *p;

	for (unsigned f = 0; f < OFPXMT_OFB_N_FIELDS; f++) {
		const struct prereq *pr = &prereqs[f];

		if (!pr->eth_type && !pr->vlan && !pr->in_port)
			continue;
		/* Alone: refused. */
		p = tlvs;
		tlv_u(&p, (uint8_t)f, 0);
		expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
		/* With the wrong eth_type (and otherwise right prerequisites): refused. */
		if (pr->eth_type) {
			p = tlvs;
			tlv_u(&p, OFPXMT_OFB_ETH_TYPE, 0x88cc);
			if (pr->ip_proto)
				tlv_u(&p, OFPXMT_OFB_IP_PROTO, pr->ip_proto);
			if (pr->icmpv6_type)
				tlv_u(&p, OFPXMT_OFB_ICMPV6_TYPE, pr->icmpv6_type);
			tlv_u(&p, (uint8_t)f, 0);
			expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
		}
		/* With the wrong ip_proto: refused. */
		if (pr->ip_proto) {
			p = tlvs;
			tlv_u(&p, OFPXMT_OFB_ETH_TYPE, pr->eth_type);
			tlv_u(&p, OFPXMT_OFB_IP_PROTO, pr->ip_proto == 6 ? 17 : 6);
			if (pr->icmpv6_type)
				tlv_u(&p, OFPXMT_OFB_ICMPV6_TYPE, pr->icmpv6_type);
			tlv_u(&p, (uint8_t)f, 0);
			expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
		}
	}
}
END_TEST

START_TEST(test_prereqs_cases)
{
	uint8_t tlvs[128], *p;
	struct ofp_match m;
	struct ofp_err err;

	/* Any order is accepted: tcp_dst before its ip_proto and eth_type. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_TCP_DST, 80);
	tlv_u(&p, OFPXMT_OFB_IP_PROTO, 6);
	tlv_u(&p, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	expect_tlvs_ok(tlvs, (size_t)(p - tlvs));
	/* ip_proto without eth_type. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_IP_PROTO, 6);
	tlv_u(&p, OFPXMT_OFB_TCP_DST, 80);
	expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
	/* ipv4 fields need 0x0800 exactly; an IPv6 eth_type is refused. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	tlv_u(&p, OFPXMT_OFB_IPV4_SRC, 0x0a000001);
	expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
	/* nd_sll needs type 135: 136 is refused, 135 accepted. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	tlv_u(&p, OFPXMT_OFB_IP_PROTO, 58);
	tlv_u(&p, OFPXMT_OFB_ICMPV6_TYPE, 136);
	tlv_u(&p, OFPXMT_OFB_IPV6_ND_SLL, 1);
	expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
	tlvs[6 + 5 + 4] = 135;
	expect_tlvs_ok(tlvs, (size_t)(p - tlvs));
	/* vlan_pcp: refused with OFPVID_NONE, accepted with present/present. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_VLAN_VID, OFPVID_NONE);
	tlv_u(&p, OFPXMT_OFB_VLAN_PCP, 3);
	expect_tlvs_err(tlvs, (size_t)(p - tlvs), OFPBMC_BAD_PREREQ);
	{
		static const uint8_t any_vlan[] = { 0x80, 0x00, 0x0d, 0x04, 0x10, 0x00, 0x10,
						    0x00, 0x80, 0x00, 0x0e, 0x01, 0x03 };
		static const uint8_t partial[] = { 0x80, 0x00, 0x0d, 0x04, 0x00, 0x05, 0x0f,
						   0xff, 0x80, 0x00, 0x0e, 0x01, 0x03 };

		expect_tlvs_ok(any_vlan, sizeof any_vlan);
		expect_tlvs_err(partial, sizeof partial, OFPBMC_BAD_PREREQ);
	}
	/* Bare TLV lists (set_field, table features) skip prerequisites. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_TCP_DST, 80);
	ck_assert_int_eq(oxm_decode_tlvs(tlvs, (size_t)(p - tlvs), &m, &err), 0);
	ck_assert_int_eq(oxm_check_prereqs(&m, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBMC_BAD_PREREQ);
	/* ... but keep every other check. */
	p = tlvs;
	tlv_u(&p, OFPXMT_OFB_VLAN_PCP, 9);
	ck_assert_int_eq(oxm_decode_tlvs(tlvs, (size_t)(p - tlvs), &m, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBMC_BAD_VALUE);
	ck_assert_int_eq(oxm_decode_tlvs(tlvs, 3, &m, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBMC_BAD_LEN);
}
END_TEST

/* ---- the match structure ---- */

START_TEST(test_set_and_equal)
{
	static const uint8_t ip[4] = { 10, 1, 2, 3 }, m8[4] = { 255, 0, 0, 0 };
	static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff }, zeros[4] = { 0 };
	static const uint8_t et[2] = { 0x08, 0x00 }, port[4] = { 0, 0, 0, 2 };
	struct ofp_match a, b;

	oxm_match_init(&a);
	oxm_match_init(&b);
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_ETH_TYPE, et, NULL), 0);
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IPV4_SRC, ip, m8), 0);
	ck_assert_uint_eq(oxm_match_value(&a, OFPXMT_OFB_IPV4_SRC)[1], 0); /* stored masked */
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IPV4_SRC, ip, NULL), -EEXIST);
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IN_PORT, port, ones), -EINVAL);
	ck_assert_int_eq(oxm_match_set(&a, 40, port, NULL), -EINVAL);
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IN_PORT, port, NULL), 0);

	/* Same fields in another order, different masked-out bits: equal. */
	ck_assert_int_eq(oxm_match_set(&b, OFPXMT_OFB_IN_PORT, port, NULL), 0);
	ck_assert_int_eq(oxm_match_set(&b, OFPXMT_OFB_IPV4_SRC, (uint8_t[]){ 10, 9, 9, 9 }, m8), 0);
	ck_assert(!oxm_match_equal(&a, &b));
	ck_assert_int_eq(oxm_match_set(&b, OFPXMT_OFB_ETH_TYPE, et, NULL), 0);
	ck_assert(oxm_match_equal(&a, &b));
	/* An explicit all-ones mask equals an exact match; a zero mask equals absence. */
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IPV4_DST, ip, ones), 0);
	ck_assert(!oxm_match_equal(&a, &b));
	ck_assert_int_eq(oxm_match_set(&b, OFPXMT_OFB_IPV4_DST, ip, NULL), 0);
	ck_assert(oxm_match_equal(&a, &b));
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_ARP_SPA, ip, zeros), 0);
	ck_assert(oxm_match_equal(&a, &b));
	ck_assert(oxm_match_equal(&b, &a));
	/* Different value. */
	oxm_match_init(&b);
	ck_assert_int_eq(oxm_match_set(&b, OFPXMT_OFB_IN_PORT, ip, NULL), 0);
	oxm_match_init(&a);
	ck_assert_int_eq(oxm_match_set(&a, OFPXMT_OFB_IN_PORT, port, NULL), 0);
	ck_assert(!oxm_match_equal(&a, &b));
}
END_TEST

/* ---- text ---- */

/* Each pair: what ovs-ofctl 3.x -O OpenFlow13 parse-flows printed for the input. The
 * printed form must also read back to itself. */
static const char *const ovs_pairs[][2] = {
	{ "in_port=1", "in_port=1" },
	{ "tcp,nw_src=10.0.0.1,tp_dst=80", "tcp,nw_src=10.0.0.1,tp_dst=80" },
	{ "ip,nw_dst=10.0.0.0/255.0.255.0", "ip,nw_dst=10.0.0.0/255.0.255.0" },
	{ "udp6,ipv6_src=2001:db8::/32,udp_dst=53", "udp6,ipv6_src=2001:db8::/32,tp_dst=53" },
	{ "ipv6,ipv6_label=0x12345", "ipv6,ipv6_label=0x12345" },
	{ "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
	  "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00" },
	{ "dl_vlan=10", "dl_vlan=10" },
	{ "vlan_vid=0x1000/0x1000", "vlan_tci=0x1000/0x1000" },
	{ "vlan_vid=0", "vlan_tci=0x0000/0x1fff" },
	{ "dl_vlan=10,dl_vlan_pcp=3", "dl_vlan=10,dl_vlan_pcp=3" },
	{ "ip,nw_tos=0x10", "ip,nw_tos=16" },
	{ "ip,ip_dscp=4,nw_ecn=2", "ip,nw_tos=16,nw_ecn=2" },
	{ "icmp,icmp_type=8,icmp_code=0", "icmp,icmp_type=8,icmp_code=0" },
	{ "icmp6,icmp_type=135,nd_target=2001:db8::1,nd_sll=00:11:22:33:44:55",
	  "icmp6,icmp_type=135,nd_target=2001:db8::1,nd_sll=00:11:22:33:44:55" },
	{ "icmp6,icmp_type=136,nd_tll=00:11:22:33:44:55",
	  "icmp6,icmp_type=136,nd_tll=00:11:22:33:44:55" },
	{ "arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_sha=00:11:22:33:44:55,"
	  "arp_tha=00:00:00:00:00:00",
	  "arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_op=1,arp_sha=00:11:22:33:44:55,"
	  "arp_tha=00:00:00:00:00:00" },
	{ "mpls,mpls_label=100,mpls_tc=3,mpls_bos=1", "mpls,mpls_label=100,mpls_tc=3,mpls_bos=1" },
	{ "metadata=0x1234/0xffff", "metadata=0x1234/0xffff" },
	{ "tun_id=0x55", "tun_id=0x55" },
	{ "sctp,sctp_src=1,sctp_dst=2", "sctp,tp_src=1,tp_dst=2" },
	{ "ipv6,ipv6_dst=::1,ipv6_src=fe80::1/64", "ipv6,ipv6_src=fe80::/64,ipv6_dst=::1" },
	{ "in_port=LOCAL", "in_port=LOCAL" },
	{ "dl_type=0x88e7", "dl_type=0x88e7" },
	{ "dl_type=0x1234", "dl_type=0x1234" },
	{ "ip,nw_proto=47", "ip,nw_proto=47" },
	{ "ipv6,nw_proto=47", "ipv6,nw_proto=47" },
	{ "tcp6,tp_src=22", "tcp6,tp_src=22" },
	{ "eth_type=0x8848", "mplsm" },
	{ "udp,nw_dst=192.168.1.1,udp_src=53", "udp,nw_dst=192.168.1.1,tp_src=53" },
	{ "ip,nw_src=1.2.3.4/0.0.0.255", "ip,nw_src=0.0.0.4/0.0.0.255" },
	{ "tcp,in_port=1,metadata=5,tun_id=1,dl_vlan=1,dl_vlan_pcp=2,dl_src=00:00:00:00:00:01,"
	  "dl_dst=00:00:00:00:00:02,nw_src=1.1.1.1,nw_dst=2.2.2.2,nw_tos=4,nw_ecn=1,tp_src=1,"
	  "tp_dst=2",
	  "tcp,tun_id=0x1,metadata=0x5,in_port=1,dl_vlan=1,dl_vlan_pcp=2,dl_src=00:00:00:00:00:01,"
	  "dl_dst=00:00:00:00:00:02,nw_src=1.1.1.1,nw_dst=2.2.2.2,nw_tos=4,nw_ecn=1,tp_src=1,"
	  "tp_dst=2" },
	{ "ipv6,in_port=2,ipv6_src=::1,ipv6_dst=::2,ipv6_label=5,nw_proto=6,ip_dscp=1",
	  "tcp6,in_port=2,ipv6_src=::1,ipv6_dst=::2,ipv6_label=0x00005,nw_tos=4" },
	{ "icmp6,icmpv6_type=135,icmpv6_code=0,nd_target=::1,nd_sll=00:00:00:00:00:01",
	  "icmp6,icmp_type=135,icmp_code=0,nd_target=::1,nd_sll=00:00:00:00:00:01" },
	{ "mpls,mpls_label=5,mpls_bos=0,mpls_tc=1", "mpls,mpls_label=5,mpls_tc=1,mpls_bos=0" },
	{ "vlan_pcp=3,vlan_vid=0x1005", "dl_vlan=5,dl_vlan_pcp=3" },
	{ "dl_vlan=0x0", "dl_vlan=0" },
	{ "vlan_tci=0x1005", "dl_vlan=5,dl_vlan_pcp=0" },
	{ "vlan_vid=0x1000/0x1000,vlan_pcp=3", "dl_vlan_pcp=3" },
	{ "vlan_vid=0x1005/0x1007", "vlan_tci=0x1005/0x1007" },
	{ "ipv6,ipv6_src=2001:db8::1/ffff:0:ffff::", "ipv6,ipv6_src=2001::/ffff:0:ffff::" },
	{ "ip,nw_ecn=3", "ip,nw_ecn=3" },
	{ "ip,ip_dscp=63", "ip,nw_tos=252" },
	{ "dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00",
	  "dl_src=00:11:22:00:00:00/ff:ff:ff:00:00:00" },
	{ "arp,arp_sha=00:11:22:33:44:55/ff:ff:ff:ff:ff:00",
	  "arp,arp_sha=00:11:22:33:44:00/ff:ff:ff:ff:ff:00" },
	{ "icmp,icmp_type=3", "icmp,icmp_type=3" },
	{ "tunnel_id=1", "tun_id=0x1" },
	{ "dl_vlan_pcp=3", "dl_vlan_pcp=3" },
};

/* Our own forms for what ovs-ofctl does not print (in_phy_port, pbb_isid, ipv6_exthdr,
 * OXM names, reordered input, masks equal to all-ones or zero). */
static const char *const own_pairs[][2] = {
	{ "", "" },
	{ "in_port=1,in_phy_port=2", "in_port=1,in_phy_port=2" },
	{ "in_port=controller", "in_port=CONTROLLER" },
	{ "in_port=0xfffffffe", "in_port=LOCAL" },
	{ "dl_type=0x88e7,pbb_isid=5", "dl_type=0x88e7,pbb_isid=5" },
	{ "dl_type=0x88e7,pbb_isid=0x100/0xf00", "dl_type=0x88e7,pbb_isid=0x100/0xf00" },
	{ "ipv6,ipv6_exthdr=0x4/0x4", "ipv6,ipv6_exthdr=0x4/0x4" },
	{ "ipv6,ipv6_exthdr=0x1ff", "ipv6,ipv6_exthdr=0x1ff" },
	{ "tp_dst=80,tcp", "tcp,tp_dst=80" },
	{ "icmp_type=3,ipv6,ip_proto=58", "icmp6,icmp_type=3" },
	{ "eth_type=0x800,ip_proto=17,ipv4_src=10.0.0.1/32,udp_dst=4789",
	  "udp,nw_src=10.0.0.1,tp_dst=4789" },
	{ "ip,nw_src=10.0.0.0/0", "ip" },
	{ "ip,dl_type=0x0800,nw_dst=10.0.0.0/255.255.255.0", "ip,nw_dst=10.0.0.0/24" },
	{ "tcp,nw_proto=6", "tcp" },
	{ "eth_dst=ff:ff:ff:ff:ff:ff", "dl_dst=ff:ff:ff:ff:ff:ff" },
	{ "tunnel_id=0x10/0xff", "tun_id=0x10/0xff" },
	{ "metadata=0xffffffffffffffff", "metadata=0xffffffffffffffff" },
	{ "ipv6,ipv6_flabel=0xfffff/0xf0000", "ipv6,ipv6_label=0xf0000/0xf0000" },
	{ "ipv6,ipv6_dst=2001:db8::/ffff:ffff::", "ipv6,ipv6_dst=2001:db8::/32" },
	{ "dl_vlan=0xffff", "vlan_tci=0x0000/0x1fff" },
	{ "vlan_tci=0x6000/0xe000", "dl_vlan_pcp=3" },
	{ "vlan_tci=0x7005/0xffff", "dl_vlan=5,dl_vlan_pcp=3" },
	{ "dl_vlan_pcp=3,dl_vlan=7", "dl_vlan=7,dl_vlan_pcp=3" },
	{ "rarp", "rarp" },
	{ "arp,arp_op=2,arp_tpa=10.1.1.1", "arp,arp_tpa=10.1.1.1,arp_op=2" },
	{ "udp6,udp_src=0x10", "udp6,tp_src=16" },
	{ "ip,ip_ecn=1", "ip,nw_ecn=1" },
	{ "mpls,mpls_label=0xfffff", "mpls,mpls_label=1048575" },
	{ "ipv6,icmp6,nd_target=fe80::1,icmpv6_type=136", "icmp6,icmp_type=136,nd_target=fe80::1" },
	{ "tcp , tp_src=1", "tcp,tp_src=1" },
};

static void
check_text(const char *in, const char *want)
{
	struct ofp_match m, m2, m3;
	struct buf b = BUF_INITIALIZER;
	struct ofp_err err;
	char errbuf[128];
	int rc;

	rc = oxm_parse(in, &m, errbuf, sizeof errbuf);
	ck_assert_msg(rc == 0, "parse '%s': %s", in, errbuf);
	oxm_format(&m, &b);
	ck_assert_msg(!strcmp(buf_cstr(&b), want), "'%s' printed '%s', want '%s'", in, buf_cstr(&b),
		      want);
	/* The printed text reads back as the same match... */
	ck_assert_int_eq(oxm_parse(buf_cstr(&b), &m2, errbuf, sizeof errbuf), 0);
	ck_assert_msg(oxm_match_equal(&m, &m2), "'%s' does not read back", want);
	/* ... and the wire form decodes (prerequisites included) to the same match. */
	buf_clear(&b);
	oxm_encode(&m, &b);
	rc = decode_bytes(b.data, b.size, &m3, &err);
	ck_assert_msg(rc == 0, "'%s': decode %u/%u", in, err.type, err.code);
	ck_assert(oxm_match_equal(&m, &m3));
	buf_uninit(&b);
}

START_TEST(test_text_ovs)
{
	for (size_t i = 0; i < ARRAY_SIZE(ovs_pairs); i++) {
		check_text(ovs_pairs[i][0], ovs_pairs[i][1]);
		check_text(ovs_pairs[i][1], ovs_pairs[i][1]);
	}
}
END_TEST

START_TEST(test_text_own)
{
	for (size_t i = 0; i < ARRAY_SIZE(own_pairs); i++)
		check_text(own_pairs[i][0], own_pairs[i][1]);
}
END_TEST

START_TEST(test_text_errors)
{
	/* Input, and a word the error text must contain. */
	static const char *const bad[][2] = {
		{ "tcp,tp_dst=80/0xff", "tp_dst" },
		{ "foo=1", "foo" },
		{ "bogus", "bogus" },
		{ "ip,nw_src=300.0.0.1", "nw_src" },
		{ "ip,nw_src=10.0.0.0/33", "nw_src" },
		{ "ip,nw_src=10.0.0.0/0x8", "nw_src" },
		{ "dl_vlan=4096", "dl_vlan" },
		{ "dl_vlan_pcp=8", "dl_vlan_pcp" },
		{ "tp_dst=80", "tp_dst" },
		{ "ip,tp_dst=80", "tp_dst" },
		{ "ip,nw_proto=47,tp_dst=80", "tp_dst" },
		{ "ip,icmp_type=1", "icmp_type" },
		{ "ip,nw_tos=3", "nw_tos" },
		{ "ip,ipv6", "ipv6" },
		{ "in_port=1,in_port=2", "in_port" },
		{ "dl_src=00:11:22:33:44", "dl_src" },
		{ "dl_src=00:11:22:33:44:55:66", "dl_src" },
		{ "mpls,mpls_label=0x100000", "mpls_label" },
		{ "ip,ip_dscp=64", "ip_dscp" },
		{ "ipv6,ipv6_label=0x100000", "ipv6_label" },
		{ "tcp=1", "tcp" },
		{ "in_port", "in_port" },
		{ "in_port=foo", "in_port" },
		{ "in_port=1/1", "in_port" },
		{ "metadata=-1", "metadata" },
		{ "metadata=0x1ffffffffffffffff", "metadata" },
		{ "nw_src=10.0.0.1", "ipv4_src" }, /* missing prerequisite */
		{ "ip,tcp_dst=80", "tcp_dst" },	   /* missing prerequisite */
		{ "icmp6,nd_sll=00:00:00:00:00:01", "nd_sll" },
		{ "in_phy_port=1", "in_phy_port" },
		{ "vlan_vid=0x2000", "vlan_vid" },
		{ "vlan_vid=0x0005", "vlan_vid" },
		{ "vlan_tci=0x1005/0x2fff", "vlan_tci" },
		{ "nw_ttl=5", "nw_ttl" },
		{ "ip,nw_src=", "nw_src" },
	};
	struct ofp_match m;
	char errbuf[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errbuf[0] = '\0';
		ck_assert_msg(oxm_parse(bad[i][0], &m, errbuf, sizeof errbuf) == -EINVAL,
			      "'%s' accepted", bad[i][0]);
		ck_assert_msg(strstr(errbuf, bad[i][1]), "'%s': error '%s' lacks '%s'", bad[i][0],
			      errbuf, bad[i][1]);
		ck_assert_uint_eq(m.n_fields, 0);
	}
}
END_TEST

START_TEST(test_value_text)
{
	static const uint8_t mac[6] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t v[16], mk[16];
	bool has_mask;
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_ETH_SRC, "00:11:22:33:44:55", v, mk, &has_mask),
			 0);
	ck_assert(!has_mask);
	ck_assert_mem_eq(v, mac, 6);
	oxm_format_value(OFPXMT_OFB_ETH_SRC, v, NULL, &b);
	ck_assert_str_eq(buf_cstr(&b), "00:11:22:33:44:55");

	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_IPV4_DST, "10.1.2.3/16", v, mk, &has_mask), 0);
	ck_assert(has_mask);
	ck_assert_uint_eq(get_be32(v), 0x0a010000);
	ck_assert_uint_eq(get_be32(mk), 0xffff0000);
	buf_clear(&b);
	oxm_format_value(OFPXMT_OFB_IPV4_DST, v, mk, &b);
	ck_assert_str_eq(buf_cstr(&b), "10.1.0.0/16");

	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_VLAN_VID, "4196", v, mk, &has_mask), 0);
	ck_assert_uint_eq(get_be16(v), 0x1064);
	buf_clear(&b);
	oxm_format_value(OFPXMT_OFB_VLAN_VID, v, NULL, &b);
	ck_assert_str_eq(buf_cstr(&b), "4196");

	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_TCP_DST, "0x50", v, mk, &has_mask), 0);
	ck_assert_uint_eq(get_be16(v), 80);
	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_TCP_DST, "65536", v, mk, &has_mask), -EINVAL);
	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_VLAN_PCP, "8", v, mk, &has_mask), -EINVAL);
	ck_assert_int_eq(oxm_parse_value(40, "1", v, mk, &has_mask), -EINVAL);
	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_IN_PORT, "LOCAL", v, mk, &has_mask), 0);
	ck_assert_uint_eq(get_be32(v), OFPP_LOCAL);
	ck_assert_int_eq(oxm_parse_value(OFPXMT_OFB_IPV6_SRC, "2001:db8::1/64", v, mk, &has_mask),
			 0);
	buf_clear(&b);
	oxm_format_value(OFPXMT_OFB_IPV6_SRC, v, mk, &b);
	ck_assert_str_eq(buf_cstr(&b), "2001:db8::/64");
	buf_clear(&b);
	oxm_format_value(OFPXMT_OFB_ETH_TYPE, (uint8_t[]){ 0x86, 0xdd }, NULL, &b);
	ck_assert_str_eq(buf_cstr(&b), "0x86dd");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_parse_token)
{
	struct ofp_match m;
	char errbuf[64];

	oxm_match_init(&m);
	ck_assert_int_eq(oxm_parse_token("tcp", NULL, &m, errbuf, sizeof errbuf), 0);
	ck_assert_int_eq(oxm_parse_token("tp_src", "22", &m, errbuf, sizeof errbuf), 0);
	ck_assert(oxm_match_has(&m, OFPXMT_OFB_TCP_SRC));
	ck_assert_int_eq(oxm_parse_token("udp", NULL, &m, errbuf, sizeof errbuf), -EINVAL);
	ck_assert_int_eq(oxm_parse_token("ip", "1", &m, errbuf, sizeof errbuf), -EINVAL);
	ck_assert(strstr(errbuf, "ip"));
	ck_assert_int_eq(oxm_parse_token("nw_src", "10.0.0.1", &m, NULL, 0), 0);

	/* Token by token, then finish: prerequisites first on the wire. */
	oxm_match_init(&m);
	ck_assert_int_eq(oxm_parse_token("nw_dst", "10.0.0.1", &m, errbuf, sizeof errbuf), 0);
	ck_assert_int_eq(oxm_parse_finish(&m, errbuf, sizeof errbuf), -EINVAL);
	ck_assert(strstr(errbuf, "ipv4_dst"));
	ck_assert_int_eq(oxm_parse_token("ip", NULL, &m, errbuf, sizeof errbuf), 0);
	ck_assert_uint_eq(m.order[0], OFPXMT_OFB_IPV4_DST);
	ck_assert_int_eq(oxm_parse_finish(&m, errbuf, sizeof errbuf), 0);
	ck_assert_uint_eq(m.order[0], OFPXMT_OFB_ETH_TYPE);
	ck_assert_uint_eq(m.order[1], OFPXMT_OFB_IPV4_DST);

	/* dl_vlan_pcp before dl_vlan: the implied "any VLAN" narrows to the VLAN given. */
	oxm_match_init(&m);
	ck_assert_int_eq(oxm_parse_token("dl_vlan_pcp", "3", &m, errbuf, sizeof errbuf), 0);
	ck_assert_int_eq(oxm_parse_token("dl_vlan", "5", &m, errbuf, sizeof errbuf), 0);
	ck_assert_uint_eq(get_be16(oxm_match_value(&m, OFPXMT_OFB_VLAN_VID)), 0x1005);
	ck_assert_uint_eq(m.masked, 0);
	ck_assert_int_eq(oxm_parse_token("dl_vlan", "6", &m, errbuf, sizeof errbuf), -EINVAL);
}
END_TEST

/* Text becomes the wire bytes a controller would send, prerequisites first. */
START_TEST(test_parse_wire_order)
{
	static const uint8_t want_order[] = { OFPXMT_OFB_ETH_TYPE, OFPXMT_OFB_IP_PROTO,
					      OFPXMT_OFB_ICMPV6_TYPE, OFPXMT_OFB_IPV6_ND_TARGET };
	struct buf b = BUF_INITIALIZER;
	struct ofp_match m;
	char errbuf[64];

	ck_assert_int_eq(oxm_parse("tcp,nw_src=10.0.0.0/8,tp_dst=80", &m, errbuf, sizeof errbuf),
			 0);
	oxm_encode(&m, &b);
	ck_assert_uint_eq(b.size, sizeof tcp_vec);
	ck_assert_mem_eq(b.data, tcp_vec, sizeof tcp_vec);
	ck_assert_int_eq(oxm_parse("nd_target=::1,icmp_type=136,icmp6", &m, errbuf, sizeof errbuf),
			 0);
	ck_assert_uint_eq(m.n_fields, 4);
	ck_assert_mem_eq(m.order, want_order, 4);
	ck_assert_int_eq(oxm_parse("tp_dst=80,nw_src=10.0.0.0/8,tcp", &m, errbuf, sizeof errbuf),
			 0);
	ck_assert_uint_eq(m.order[0], OFPXMT_OFB_ETH_TYPE);
	ck_assert_uint_eq(m.order[3], OFPXMT_OFB_TCP_DST);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_parse_alloc_failure)
{
	struct ofp_match m;
	char errbuf[64];
	int rc = -ENOMEM;

	for (long n = 0; n < 100; n++) {
		pfs_alloc_fail_after(n);
		rc = oxm_parse("tcp,nw_src=10.0.0.1,tp_dst=80", &m, errbuf, sizeof errbuf);
		pfs_alloc_fail_after(-1);
		if (!rc)
			break;
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_uint_eq(m.n_fields, 0);
	}
	ck_assert_int_eq(rc, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("oxm");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_field_table);
	tcase_add_test(tc, test_vector_in_port);
	tcase_add_test(tc, test_vector_tcp);
	tcase_add_test(tc, test_vector_empty_and_tlv);
	tcase_add_test(tc, test_roundtrip_every_field);
	tcase_add_test(tc, test_bad_type_and_len);
	tcase_add_test(tc, test_truncation_every_length);
	tcase_add_test(tc, test_bad_field);
	tcase_add_test(tc, test_bad_payload_len);
	tcase_add_test(tc, test_bad_mask_wildcards_dup);
	tcase_add_test(tc, test_bad_value);
	tcase_add_test(tc, test_prereqs_refused);
	tcase_add_test(tc, test_prereqs_cases);
	tcase_add_test(tc, test_set_and_equal);
	tcase_add_test(tc, test_text_ovs);
	tcase_add_test(tc, test_text_own);
	tcase_add_test(tc, test_text_errors);
	tcase_add_test(tc, test_value_text);
	tcase_add_test(tc, test_parse_token);
	tcase_add_test(tc, test_parse_wire_order);
	tcase_add_test(tc, test_parse_alloc_failure);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
