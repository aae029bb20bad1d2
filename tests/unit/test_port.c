/* Unit tests for lib/ofp_port.c: port description, PORT_STATUS, PORT_MOD, mod-port words,
 * port and queue statistics. Byte vectors are written by hand from the OF1.3.5 layouts;
 * expected text was checked against `ovs-ofctl ofp-print` (Open vSwitch 3.1). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "ofp_port.h"
#include "util.h"

/* struct ofp_port: port 1 "veth0", aa:bb:cc:dd:ee:ff, state LIVE, 1GB-FD COPPER current,
 * 10 Gb/s now, 1 Gb/s max. */
#define PORT_BYTES                                                                                 \
	0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,				  /* port_no, pad */       \
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0,		  /* hw_addr, pad */       \
		'v', 'e', 't', 'h', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* name */               \
		0x00, 0x00, 0x00, 0x00,					  /* config */             \
		0x00, 0x00, 0x00, 0x04,					  /* state */              \
		0x00, 0x00, 0x08, 0x20,					  /* curr */               \
		0x00, 0x00, 0x00, 0x00,					  /* advertised */         \
		0x00, 0x00, 0x00, 0x00,					  /* supported */          \
		0x00, 0x00, 0x00, 0x00,					  /* peer */               \
		0x00, 0x98, 0x96, 0x80, /* curr_speed 10000000 kbps */                             \
		0x00, 0x0f, 0x42, 0x40	/* max_speed 1000000 kbps */

static const uint8_t port_vec[] = { PORT_BYTES };

static const char port_text[] = " 1(veth0): addr:aa:bb:cc:dd:ee:ff\n"
				"     config:     0\n"
				"     state:      LIVE\n"
				"     current:    1GB-FD COPPER\n"
				"     speed: 10000 Mbps now, 1000 Mbps max\n";

static const uint8_t port_status_vec[] = {
	0x04,	    0x0c, 0x00, 0x50, 0x00, 0x00, 0x00, 0x2a, /* header, xid 42 */
	0x00,	    0,	  0,	0,    0,    0,	  0,	0,    /* reason ADD, pad */
	PORT_BYTES,
};

static const uint8_t port_mod_vec[] = {
	0x04, 0x10, 0x00, 0x28, 0x00, 0x00, 0x00, 0x07, /* header, xid 7 */
	0xff, 0xff, 0xff, 0xfe, 0,    0,    0,	  0,	/* port LOCAL, pad */
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0,	  0,	/* hw_addr, pad */
	0x00, 0x00, 0x00, 0x44,				/* config NO_RECV NO_PACKET_IN */
	0x00, 0x00, 0x00, 0x65,				/* mask all four */
	0x00, 0x00, 0x00, 0x28,				/* advertise 100MB-FD 1GB-FD */
	0,    0,    0,	  0,				/* pad */
};

static const uint8_t port_stats_vec[] = {
	0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,  /* port_no, pad */
	0,    0,    0,	  0,	0, 0, 0, 1,  /* rx_packets */
	0,    0,    0,	  0,	0, 0, 0, 8,  /* tx_packets */
	0,    0,    0,	  0,	0, 0, 0, 2,  /* rx_bytes */
	0,    0,    0,	  0,	0, 0, 0, 9,  /* tx_bytes */
	0,    0,    0,	  0,	0, 0, 0, 3,  /* rx_dropped */
	0,    0,    0,	  0,	0, 0, 0, 10, /* tx_dropped */
	0,    0,    0,	  0,	0, 0, 0, 4,  /* rx_errors */
	0,    0,    0,	  0,	0, 0, 0, 11, /* tx_errors */
	0,    0,    0,	  0,	0, 0, 0, 5,  /* rx_frame_err */
	0,    0,    0,	  0,	0, 0, 0, 6,  /* rx_over_err */
	0,    0,    0,	  0,	0, 0, 0, 7,  /* rx_crc_err */
	0,    0,    0,	  0,	0, 0, 0, 12, /* collisions */
	0x00, 0x00, 0x00, 0x03,		     /* duration_sec */
	0x1d, 0xcd, 0x65, 0x00,		     /* duration_nsec 500000000 */
};

static const uint8_t queue_stats_vec[] = {
	0x00, 0x00, 0x00, 0x01,		    /* port_no */
	0x00, 0x00, 0x00, 0x00,		    /* queue_id */
	0,    0,    0,	  0,	0, 0, 0, 1, /* tx_bytes */
	0,    0,    0,	  0,	0, 0, 0, 2, /* tx_packets */
	0,    0,    0,	  0,	0, 0, 0, 3, /* tx_errors */
	0x00, 0x00, 0x00, 0x04,		    /* duration_sec */
	0x00, 0x4c, 0x4b, 0x40,		    /* duration_nsec 5000000 */
};

static void
expect_err(struct ofp_err err, uint16_t type, uint16_t code)
{
	ck_assert_uint_eq(err.type, type);
	ck_assert_uint_eq(err.code, code);
}

START_TEST(test_port_desc_vector)
{
	struct buf_cursor c = buf_cursor(port_vec, sizeof port_vec);
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;
	struct ofp_port_desc pd;

	ck_assert_uint_eq(sizeof port_vec, OFP_PORT_LEN);
	ck_assert_int_eq(ofp_port_desc_decode(&c, NULL, &pd, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(pd.port_no, 1);
	ck_assert_str_eq(pd.name, "veth0");
	ck_assert_uint_eq(pd.hw_addr[0], 0xaa);
	ck_assert_uint_eq(pd.hw_addr[5], 0xff);
	ck_assert_uint_eq(pd.state, OFPPS_LIVE);
	ck_assert_uint_eq(pd.curr, OFPPF_1GB_FD | OFPPF_COPPER);
	ck_assert_uint_eq(pd.curr_speed, 10000000);
	ck_assert_uint_eq(pd.max_speed, 1000000);
	ofp_port_desc_encode(&pd, &b);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(b.size, sizeof port_vec);
	ck_assert_mem_eq(b.data, port_vec, sizeof port_vec);
	buf_clear(&b);
	ofp_port_desc_format(&pd, &b);
	ck_assert_str_eq(buf_cstr(&b), port_text);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_port_desc_fields)
{
	struct ofp_port_desc pd = {
		.port_no = OFPP_LOCAL,
		.hw_addr = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff },
		.name = "br0",
		.config = OFP_PORT_CONFIG_ALL,
		.state = OFPPS_LINK_DOWN | OFPPS_BLOCKED,
		.advertised = 0x3fff,
		.supported = 0xffff,
		.peer = OFPPF_10GB_FD,
		.curr_speed = 1500,
	}, back;
	struct buf b = BUF_INITIALIZER;
	struct buf_cursor c;

	ofp_port_desc_format(&pd, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 " LOCAL(br0): addr:aa:bb:cc:dd:ee:ff\n"
			 "     config:     PORT_DOWN NO_RECV NO_FWD NO_PACKET_IN\n"
			 "     state:      LINK_DOWN BLOCKED\n"
			 "     advertised: 10MB-HD 10MB-FD 100MB-HD 100MB-FD 1GB-HD 1GB-FD 10GB-FD "
			 "40GB-FD 100GB-FD 1TB-FD OTHER COPPER FIBER AUTO_NEG\n"
			 "     supported:  10MB-HD 10MB-FD 100MB-HD 100MB-FD 1GB-HD 1GB-FD 10GB-FD "
			 "40GB-FD 100GB-FD 1TB-FD OTHER COPPER FIBER AUTO_NEG AUTO_PAUSE "
			 "AUTO_PAUSE_ASYM\n"
			 "     peer:       10GB-FD\n"
			 "     speed: 1 Mbps now, 0 Mbps max\n");
	/* Round trip of every field. */
	buf_clear(&b);
	ofp_port_desc_encode(&pd, &b);
	c = buf_cursor(b.data, b.size);
	ck_assert_int_eq(ofp_port_desc_decode(&c, NULL, &back, NULL), 0);
	ck_assert_uint_eq(back.port_no, pd.port_no);
	ck_assert_mem_eq(back.hw_addr, pd.hw_addr, OFP_ETH_ALEN);
	ck_assert_str_eq(back.name, pd.name);
	ck_assert_uint_eq(back.config, pd.config);
	ck_assert_uint_eq(back.state, pd.state);
	ck_assert_uint_eq(back.curr, pd.curr);
	ck_assert_uint_eq(back.advertised, pd.advertised);
	ck_assert_uint_eq(back.supported, pd.supported);
	ck_assert_uint_eq(back.peer, pd.peer);
	ck_assert_uint_eq(back.curr_speed, pd.curr_speed);
	ck_assert_uint_eq(back.max_speed, pd.max_speed);
	/* Undefined bits print as hex, no bits as 0. */
	buf_clear(&b);
	ofp_port_state_format(OFPPS_LIVE | 0x100, &b);
	ofp_port_config_format(0, &b);
	ck_assert_str_eq(buf_cstr(&b), "LIVE 0x1000");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_port_desc_names)
{
	uint8_t vec[OFP_PORT_LEN];
	struct ofp_port_desc pd;
	struct buf b = BUF_INITIALIZER;
	struct buf_cursor c;

	/* A name filling all 16 bytes (no NUL on the wire) loses its last byte, which is
	 * the NUL's place, so decoding agrees with what encoding writes... */
	memcpy(vec, port_vec, sizeof vec);
	memcpy(vec + 16, "abcdefghijklmnop", 16);
	c = buf_cursor(vec, sizeof vec);
	ck_assert_int_eq(ofp_port_desc_decode(&c, NULL, &pd, NULL), 0);
	ck_assert_str_eq(pd.name, "abcdefghijklmno");
	/* ...which is 15 bytes plus NUL when encoded. */
	ofp_port_desc_encode(&pd, &b);
	ck_assert_mem_eq(b.data + 16, "abcdefghijklmno\0", 16);
	ck_assert_uint_eq(b.size, OFP_PORT_LEN);
	buf_uninit(&b);
}
END_TEST

START_TEST(test_port_desc_short)
{
	for (size_t n = 0; n < OFP_PORT_LEN; n++) {
		struct buf_cursor c = buf_cursor(port_vec, n);
		struct ofp_err err = { 0, 0 };
		struct ofp_port_desc pd;

		ck_assert_int_eq(ofp_port_desc_decode(&c, NULL, &pd, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		ck_assert_uint_eq(c.left, n);
	}
}
END_TEST

START_TEST(test_port_status_vector)
{
	struct ofp_header_info h;
	struct ofp_err err = { 0, 0 };
	struct ofp_port_status ps;
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_header_check(port_status_vec, sizeof port_status_vec, &h, &err), 0);
	ck_assert_int_eq(
		ofp_port_status_decode(port_status_vec, sizeof port_status_vec, NULL, &ps, &err),
		0);
	ck_assert_uint_eq(ps.reason, OFPPR_ADD);
	ck_assert_str_eq(ps.desc.name, "veth0");
	ck_assert_int_eq(ofp_port_status_encode(&ps, 42, &b), 0);
	ck_assert_uint_eq(b.size, sizeof port_status_vec);
	ck_assert_mem_eq(b.data, port_status_vec, sizeof port_status_vec);
	buf_clear(&b);
	ofp_port_status_format(&ps, &b);
	ck_assert(!strncmp(buf_cstr(&b), "ADD: 1(veth0): addr:aa:bb:cc:dd:ee:ff\n", 38));
	ck_assert_str_eq(buf_cstr(&b) + 4, port_text);

	/* Every reason round trips; an unknown one is kept (a switch's report). */
	for (unsigned r = 0; r < 4; r++) {
		struct ofp_port_status back;

		ps.reason = (uint8_t)r;
		buf_clear(&b);
		ck_assert_int_eq(ofp_port_status_encode(&ps, 1, &b), 0);
		ck_assert_int_eq(ofp_port_status_decode(b.data, b.size, NULL, &back, &err), 0);
		ck_assert_mem_eq(&back, &ps, sizeof ps);
	}
	buf_clear(&b);
	ofp_port_status_format(&ps, &b);
	ck_assert(!strncmp(buf_cstr(&b), "reason=3: 1(veth0)", 18));
	ck_assert_str_eq(ofp_port_reason_name(OFPPR_DELETE), "DEL");
	ck_assert_str_eq(ofp_port_reason_name(OFPPR_MODIFY), "MOD");
	ck_assert_ptr_null(ofp_port_reason_name(3));
	buf_uninit(&b);
}
END_TEST

/* Decodes every prefix of msg (and one overlong copy) with its length field patched:
 * -EPROTO and BAD_REQUEST/BAD_LEN each time, never a crash. */
static void
check_truncations(const uint8_t *msg, size_t len,
		  int (*decode)(const void *, size_t, struct ofp_err *))
{
	for (size_t n = OFP_HEADER_LEN; n <= len + 8; n++) {
		struct ofp_err err = { 0, 0 };
		uint8_t *p;

		if (n == len)
			continue;
		p = malloc(n); /* exact size, so ASan sees any overread */
		memset(p, 0, n);
		memcpy(p, msg, n < len ? n : len);
		put_be16(p + 2, (uint16_t)n);
		ck_assert_int_eq(decode(p, n, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
		free(p);
	}
}

static int
decode_port_status(const void *p, size_t n, struct ofp_err *err)
{
	struct ofp_port_status ps;

	return ofp_port_status_decode(p, n, NULL, &ps, err);
}

static int
decode_port_mod(const void *p, size_t n, struct ofp_err *err)
{
	struct ofp_port_mod pm;

	return ofp_port_mod_decode(p, n, NULL, &pm, err);
}

START_TEST(test_port_status_truncated)
{
	check_truncations(port_status_vec, sizeof port_status_vec, decode_port_status);
}
END_TEST

START_TEST(test_port_mod_vector)
{
	struct ofp_err err = { 0, 0 };
	struct ofp_port_mod pm;
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_port_mod_decode(port_mod_vec, sizeof port_mod_vec, NULL, &pm, &err),
			 0);
	ck_assert_uint_eq(pm.port_no, OFPP_LOCAL);
	ck_assert_uint_eq(pm.hw_addr[0], 0xaa);
	ck_assert_uint_eq(pm.config, OFPPC_NO_RECV | OFPPC_NO_PACKET_IN);
	ck_assert_uint_eq(pm.mask, OFP_PORT_CONFIG_ALL);
	ck_assert_uint_eq(pm.advertise, OFPPF_100MB_FD | OFPPF_1GB_FD);
	ck_assert_int_eq(ofp_port_mod_encode(&pm, 7, &b), 0);
	ck_assert_uint_eq(b.size, sizeof port_mod_vec);
	ck_assert_mem_eq(b.data, port_mod_vec, sizeof port_mod_vec);
	buf_clear(&b);
	ofp_port_mod_format(&pm, &b);
	ck_assert_str_eq(buf_cstr(&b), "port: LOCAL: addr:aa:bb:cc:dd:ee:ff\n"
				       "     config: NO_RECV NO_PACKET_IN\n"
				       "     mask:   PORT_DOWN NO_RECV NO_FWD NO_PACKET_IN\n"
				       "     advertise: 100MB-FD 1GB-FD\n");
	pm.port_no = 1;
	pm.config = pm.mask = OFPPC_PORT_DOWN;
	pm.advertise = 0;
	buf_clear(&b);
	ofp_port_mod_format(&pm, &b);
	ck_assert_str_eq(buf_cstr(&b), "port: 1: addr:aa:bb:cc:dd:ee:ff\n"
				       "     config: PORT_DOWN\n"
				       "     mask:   PORT_DOWN\n"
				       "     advertise: UNCHANGED\n");
	buf_uninit(&b);
}
END_TEST

START_TEST(test_port_mod_errors)
{
	static const struct {
		uint32_t port_no, config, mask, advertise;
		uint16_t type, code; /* type 0: accepted */
	} cases[] = {
		{ 1, 0, 0, 0, 0, 0 },
		{ OFPP_MAX, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN, 0xffff, 0, 0 },
		{ OFPP_LOCAL, 0, 0, 0, 0, 0 },
		{ 0, 0, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT },
		{ OFPP_MAX + 1, 0, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT },
		{ OFPP_IN_PORT, 0, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT },
		{ OFPP_CONTROLLER, 0, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT },
		{ OFPP_ANY, 0, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT },
		{ 1, 1 << 1, 0, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG }, /* OF1.0 NO_STP */
		{ 1, 0, 1 << 4, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG }, /* OF1.0 NO_FLOOD */
		{ 1, 0, 0x80000000u, 0, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG },
		{ 1, 0, 0, 1 << 16, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_ADVERTISE },
		{ 1, 0, 0, 0x80000000u, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_ADVERTISE },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t msg[sizeof port_mod_vec];
		struct ofp_err err = { 0, 0 };
		struct ofp_port_mod pm;
		int rc;

		memcpy(msg, port_mod_vec, sizeof msg);
		put_be32(msg + 8, cases[i].port_no);
		put_be32(msg + 24, cases[i].config);
		put_be32(msg + 28, cases[i].mask);
		put_be32(msg + 32, cases[i].advertise);
		rc = ofp_port_mod_decode(msg, sizeof msg, NULL, &pm, &err);
		if (!cases[i].type) {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(pm.port_no, cases[i].port_no);
			continue;
		}
		ck_assert_int_eq(rc, -EPROTO);
		expect_err(err, cases[i].type, cases[i].code);
	}
	check_truncations(port_mod_vec, sizeof port_mod_vec, decode_port_mod);
}
END_TEST

START_TEST(test_port_mod_words)
{
	static const struct {
		const char *word;
		uint32_t config, mask;
	} words[] = {
		{ "up", 0, OFPPC_PORT_DOWN },
		{ "down", OFPPC_PORT_DOWN, OFPPC_PORT_DOWN },
		{ "receive", 0, OFPPC_NO_RECV },
		{ "no-receive", OFPPC_NO_RECV, OFPPC_NO_RECV },
		{ "forward", 0, OFPPC_NO_FWD },
		{ "no-forward", OFPPC_NO_FWD, OFPPC_NO_FWD },
		{ "packet-in", 0, OFPPC_NO_PACKET_IN },
		{ "no-packet-in", OFPPC_NO_PACKET_IN, OFPPC_NO_PACKET_IN },
		{ "DOWN", OFPPC_PORT_DOWN, OFPPC_PORT_DOWN },
	};
	static const char *const of10[] = { "stp",   "no-stp",	"receive-stp", "no-receive-stp",
					    "flood", "no-flood" };
	uint32_t config, mask;

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		config = mask = 0;
		ck_assert_int_eq(ofp_port_mod_parse_action(words[i].word, &config, &mask), 0);
		ck_assert_uint_eq(config, words[i].config);
		ck_assert_uint_eq(mask, words[i].mask);
	}
	/* Words accumulate; a later word undoes an earlier one's value, keeps the mask. */
	config = mask = 0;
	ck_assert_int_eq(ofp_port_mod_parse_action("down", &config, &mask), 0);
	ck_assert_int_eq(ofp_port_mod_parse_action("no-forward", &config, &mask), 0);
	ck_assert_int_eq(ofp_port_mod_parse_action("up", &config, &mask), 0);
	ck_assert_uint_eq(config, OFPPC_NO_FWD);
	ck_assert_uint_eq(mask, OFPPC_PORT_DOWN | OFPPC_NO_FWD);
	for (size_t i = 0; i < sizeof of10 / sizeof of10[0]; i++)
		ck_assert_int_eq(ofp_port_mod_parse_action(of10[i], &config, &mask), -EOPNOTSUPP);
	ck_assert_int_eq(ofp_port_mod_parse_action("sideways", &config, &mask), -EINVAL);
	ck_assert_int_eq(ofp_port_mod_parse_action("", &config, &mask), -EINVAL);
	ck_assert_uint_eq(config, OFPPC_NO_FWD);
	ck_assert_uint_eq(mask, OFPPC_PORT_DOWN | OFPPC_NO_FWD);
}
END_TEST

START_TEST(test_port_stats_request)
{
	static const uint8_t vec[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	static const struct {
		uint32_t port_no;
		bool ok;
	} cases[] = {
		{ 1, true },
		{ OFPP_MAX, true },
		{ OFPP_LOCAL, true },
		{ OFPP_ANY, true },
		{ 0, false },
		{ OFPP_MAX + 1, false },
		{ OFPP_IN_PORT, false },
		{ OFPP_CONTROLLER, false },
	};
	struct buf_cursor c = buf_cursor(vec, sizeof vec);
	struct ofp_port_stats_request r;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_port_stats_request_decode(&c, NULL, &r, &err), 0);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(r.port_no, OFPP_ANY);
	ofp_port_stats_request_encode(&r, &b);
	ck_assert_uint_eq(b.size, sizeof vec);
	ck_assert_mem_eq(b.data, vec, sizeof vec);
	buf_clear(&b);
	ofp_port_stats_request_format(&r, &b);
	r.port_no = 1;
	ofp_port_stats_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), " port_no=ANY port_no=1");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t v[8] = { 0 };

		put_be32(v, cases[i].port_no);
		c = buf_cursor(v, sizeof v);
		if (cases[i].ok) {
			ck_assert_int_eq(ofp_port_stats_request_decode(&c, NULL, &r, &err), 0);
			ck_assert_uint_eq(r.port_no, cases[i].port_no);
			continue;
		}
		ck_assert_int_eq(ofp_port_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	}
	for (size_t n = 0; n < sizeof vec; n++) {
		c = buf_cursor(vec, n);
		ck_assert_int_eq(ofp_port_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	buf_uninit(&b);
}
END_TEST

START_TEST(test_port_stats_entry)
{
	struct buf_cursor c = buf_cursor(port_stats_vec, sizeof port_stats_vec);
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;
	struct ofp_port_stats ps, back;

	ck_assert_uint_eq(sizeof port_stats_vec, OFP_PORT_STATS_LEN);
	ck_assert_int_eq(ofp_port_stats_decode(&c, NULL, &ps, &err), 0);
	ck_assert_uint_eq(ps.port_no, 1);
	ck_assert_uint_eq(ps.rx_packets, 1);
	ck_assert_uint_eq(ps.tx_packets, 8);
	ck_assert_uint_eq(ps.rx_bytes, 2);
	ck_assert_uint_eq(ps.tx_bytes, 9);
	ck_assert_uint_eq(ps.rx_dropped, 3);
	ck_assert_uint_eq(ps.tx_dropped, 10);
	ck_assert_uint_eq(ps.rx_errors, 4);
	ck_assert_uint_eq(ps.tx_errors, 11);
	ck_assert_uint_eq(ps.rx_frame_err, 5);
	ck_assert_uint_eq(ps.rx_over_err, 6);
	ck_assert_uint_eq(ps.rx_crc_err, 7);
	ck_assert_uint_eq(ps.collisions, 12);
	ck_assert_uint_eq(ps.duration_sec, 3);
	ck_assert_uint_eq(ps.duration_nsec, 500000000);
	ofp_port_stats_encode(&ps, &b);
	ck_assert_uint_eq(b.size, sizeof port_stats_vec);
	ck_assert_mem_eq(b.data, port_stats_vec, sizeof port_stats_vec);
	buf_clear(&b);
	ofp_port_stats_format(&ps, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "  port  1: rx pkts=1, bytes=2, drop=3, errs=4, frame=5, over=6, crc=7\n"
			 "           tx pkts=8, bytes=9, drop=10, errs=11, coll=12\n"
			 "           duration=3.500s\n");

	/* Unavailable counters print "?", an unavailable duration is left out. */
	memset(&ps, 0xff, sizeof ps);
	ps.port_no = OFPP_LOCAL;
	buf_clear(&b);
	ofp_port_stats_format(&ps, &b);
	ck_assert_str_eq(
		buf_cstr(&b),
		"  port LOCAL: rx pkts=?, bytes=?, drop=?, errs=?, frame=?, over=?, crc=?\n"
		"           tx pkts=?, bytes=?, drop=?, errs=?, coll=?\n");
	buf_clear(&b);
	ofp_port_stats_encode(&ps, &b);
	c = buf_cursor(b.data, b.size);
	memset(&back, 0, sizeof back);
	ck_assert_int_eq(ofp_port_stats_decode(&c, NULL, &back, &err), 0);
	ck_assert_uint_eq(back.collisions, UINT64_MAX);
	ck_assert_uint_eq(back.duration_nsec, UINT32_MAX);

	/* Durations as ovs-ofctl prints them. */
	ps = back;
	ps.duration_sec = 3;
	ps.duration_nsec = 123456789;
	buf_clear(&b);
	ofp_port_stats_format(&ps, &b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "duration=3.123456789s\n"));
	ps.duration_nsec = 0;
	buf_clear(&b);
	ofp_port_stats_format(&ps, &b);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&b), "duration=3s\n"));

	for (size_t n = 0; n < sizeof port_stats_vec; n++) {
		c = buf_cursor(port_stats_vec, n);
		ck_assert_int_eq(ofp_port_stats_decode(&c, NULL, &back, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	buf_uninit(&b);
}
END_TEST

START_TEST(test_queue_stats)
{
	static const uint8_t req_vec[] = { 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff };
	struct buf_cursor c = buf_cursor(req_vec, sizeof req_vec);
	struct ofp_queue_stats_request r;
	struct ofp_queue_stats qs;
	struct ofp_err err = { 0, 0 };
	struct buf b = BUF_INITIALIZER;

	ck_assert_int_eq(ofp_queue_stats_request_decode(&c, NULL, &r, &err), 0);
	ck_assert_uint_eq(r.port_no, 1);
	ck_assert_uint_eq(r.queue_id, OFPQ_ALL);
	ofp_queue_stats_request_encode(&r, &b);
	ck_assert_mem_eq(b.data, req_vec, sizeof req_vec);
	buf_clear(&b);
	ofp_queue_stats_request_format(&r, &b);
	r.port_no = OFPP_ANY;
	r.queue_id = 3;
	ofp_queue_stats_request_format(&r, &b);
	ck_assert_str_eq(buf_cstr(&b), " port=1 queue=ALL port=ANY queue=3");
	for (size_t n = 0; n < sizeof req_vec; n++) {
		c = buf_cursor(req_vec, n);
		ck_assert_int_eq(ofp_queue_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	{
		uint8_t v[8] = { 0, 0, 0, 0, 0, 0, 0, 1 }; /* port 0 */

		c = buf_cursor(v, sizeof v);
		ck_assert_int_eq(ofp_queue_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		expect_err(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
		put_be32(v, OFPP_FLOOD);
		c = buf_cursor(v, sizeof v);
		ck_assert_int_eq(ofp_queue_stats_request_decode(&c, NULL, &r, &err), -EPROTO);
		put_be32(v, OFPP_LOCAL);
		c = buf_cursor(v, sizeof v);
		ck_assert_int_eq(ofp_queue_stats_request_decode(&c, NULL, &r, &err), 0);
	}

	c = buf_cursor(queue_stats_vec, sizeof queue_stats_vec);
	ck_assert_uint_eq(sizeof queue_stats_vec, OFP_QUEUE_STATS_LEN);
	ck_assert_int_eq(ofp_queue_stats_decode(&c, NULL, &qs, &err), 0);
	ck_assert_uint_eq(qs.port_no, 1);
	ck_assert_uint_eq(qs.queue_id, 0);
	ck_assert_uint_eq(qs.tx_bytes, 1);
	ck_assert_uint_eq(qs.tx_packets, 2);
	ck_assert_uint_eq(qs.tx_errors, 3);
	ck_assert_uint_eq(qs.duration_sec, 4);
	ck_assert_uint_eq(qs.duration_nsec, 5000000);
	buf_clear(&b);
	ofp_queue_stats_encode(&qs, &b);
	ck_assert_uint_eq(b.size, sizeof queue_stats_vec);
	ck_assert_mem_eq(b.data, queue_stats_vec, sizeof queue_stats_vec);
	buf_clear(&b);
	ofp_queue_stats_format(&qs, &b);
	memset(&qs, 0xff, sizeof qs);
	qs.port_no = 2;
	qs.queue_id = 5;
	ofp_queue_stats_format(&qs, &b);
	ck_assert_str_eq(buf_cstr(&b),
			 "  port 1 queue 0: bytes=1, pkts=2, errors=3, duration=4.005s\n"
			 "  port 2 queue 5: bytes=?, pkts=?, errors=?, duration=?\n");
	for (size_t n = 0; n < sizeof queue_stats_vec; n++) {
		c = buf_cursor(queue_stats_vec, n);
		ck_assert_int_eq(ofp_queue_stats_decode(&c, NULL, &qs, &err), -EPROTO);
		expect_err(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	}
	buf_uninit(&b);
}
END_TEST

/* The decoders allocate nothing; encoders report a failed buffer as -ENOMEM. */
START_TEST(test_alloc_failure)
{
	struct ofp_port_status ps;
	struct ofp_port_mod pm;
	struct buf b = BUF_INITIALIZER;

	pfs_alloc_fail_after(0);
	ck_assert_int_eq(
		ofp_port_status_decode(port_status_vec, sizeof port_status_vec, NULL, &ps, NULL),
		0);
	ck_assert_int_eq(ofp_port_mod_decode(port_mod_vec, sizeof port_mod_vec, NULL, &pm, NULL),
			 0);
	ck_assert_int_eq(ofp_port_status_encode(&ps, 1, &b), -ENOMEM);
	ck_assert_int_eq(ofp_port_mod_encode(&pm, 1, &b), -ENOMEM);
	pfs_alloc_fail_after(-1);
	buf_uninit(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("port");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_port_desc_vector);
	tcase_add_test(tc, test_port_desc_fields);
	tcase_add_test(tc, test_port_desc_names);
	tcase_add_test(tc, test_port_desc_short);
	tcase_add_test(tc, test_port_status_vector);
	tcase_add_test(tc, test_port_status_truncated);
	tcase_add_test(tc, test_port_mod_vector);
	tcase_add_test(tc, test_port_mod_errors);
	tcase_add_test(tc, test_port_mod_words);
	tcase_add_test(tc, test_port_stats_request);
	tcase_add_test(tc, test_port_stats_entry);
	tcase_add_test(tc, test_queue_stats);
	tcase_add_test(tc, test_alloc_failure);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
