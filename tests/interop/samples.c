/* Sample messages built from pfswitch's decoded structs; see samples.h. One builder per
 * sample, each with the values a peer must read back. Allocation failure exits: this is
 * test tooling, and every list is a few dozen bytes. */
#include "samples.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ofp_bundle.h"
#include "oxm.h"

static void *
dup_or_die(struct arena *a, const void *p, size_t n)
{
	void *q = arena_memdup(a, p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "samples: out of memory\n");
		exit(1);
	}
	return q;
}

#define COUNT(T, ...) (sizeof((const T[]){ __VA_ARGS__ }) / sizeof(T))
#define DUP_LIST(A, T, ...)                                                                        \
	dup_or_die(A, (const T[]){ __VA_ARGS__ }, sizeof((const T[]){ __VA_ARGS__ }))

/* ---- Actions, instructions, buckets, bands ---------------------------------------------- */

#define OUTPUT(P, MAXLEN)                                                                          \
	{                                                                                          \
		.type = OFPAT_OUTPUT, .output = {(P), (MAXLEN) }                                   \
	}
#define GROUP(G)                                                                                   \
	{                                                                                          \
		.type = OFPAT_GROUP, .group_id = (G)                                               \
	}
#define SET_QUEUE(Q)                                                                               \
	{                                                                                          \
		.type = OFPAT_SET_QUEUE, .queue_id = (Q)                                           \
	}
#define TTL(T, V)                                                                                  \
	{                                                                                          \
		.type = (T), .ttl = (V)                                                            \
	}
#define ETHERTYPE(T, E)                                                                            \
	{                                                                                          \
		.type = (T), .ethertype = (E)                                                      \
	}
#define PLAIN(T)                                                                                   \
	{                                                                                          \
		.type = (T)                                                                        \
	}
#define SET_FIELD(F, LEN, ...)                                                                     \
	{                                                                                          \
		.type = OFPAT_SET_FIELD, .set_field = {(F), (LEN), { __VA_ARGS__ } }               \
	}

#define ACTIONS(A, ...)                                                                            \
	((struct ofp_action_list){ DUP_LIST(A, struct ofp_action, __VA_ARGS__),                    \
				   COUNT(struct ofp_action, __VA_ARGS__) })
#define NO_ACTIONS ((struct ofp_action_list){ NULL, 0 })

#define INST_ACTIONS(T, LIST)                                                                      \
	{                                                                                          \
		.type = (T), .actions = LIST                                                       \
	}
#define GOTO(T)                                                                                    \
	{                                                                                          \
		.type = OFPIT_GOTO_TABLE, .table_id = (T)                                          \
	}
#define WRITE_METADATA(V, M)                                                                       \
	{                                                                                          \
		.type = OFPIT_WRITE_METADATA, .write_metadata = {(V), (M) }                        \
	}
#define METER(ID)                                                                                  \
	{                                                                                          \
		.type = OFPIT_METER, .meter_id = (ID)                                              \
	}
#define INSTS(A, ...)                                                                              \
	((struct ofp_instruction_list){ DUP_LIST(A, struct ofp_instruction, __VA_ARGS__),          \
					COUNT(struct ofp_instruction, __VA_ARGS__) })

#define BUCKET(W, WP, WG, LIST)                                                                    \
	{                                                                                          \
		.weight = (W), .watch_port = (WP), .watch_group = (WG), .actions = LIST            \
	}
#define BUCKETS(A, ...)                                                                            \
	((struct ofp_bucket_list){ DUP_LIST(A, struct ofp_bucket, __VA_ARGS__),                    \
				   COUNT(struct ofp_bucket, __VA_ARGS__) })
#define BANDS(A, ...)                                                                              \
	((struct ofp_meter_band_list){ DUP_LIST(A, struct ofp_meter_band, __VA_ARGS__),            \
				       COUNT(struct ofp_meter_band, __VA_ARGS__) })

/* ---- Matches ------------------------------------------------------------------------------ */

static void
put_be(uint8_t *out, size_t len, uint64_t v)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
}

static void
set_or_die(struct ofp_match *m, uint8_t field, const void *value, const void *mask)
{
	if (oxm_match_set(m, field, value, mask)) {
		fprintf(stderr, "samples: cannot set field %u\n", field);
		exit(1);
	}
}

/* Adds an exact field given as a number (MACs as 0x001122334455). */
static void
mset(struct ofp_match *m, uint8_t field, uint64_t value)
{
	uint8_t v[16];

	put_be(v, oxm_field_info(field)->len, value);
	set_or_die(m, field, v, NULL);
}

/* Adds a masked field given as numbers. */
static void
msetm(struct ofp_match *m, uint8_t field, uint64_t value, uint64_t mask)
{
	uint8_t v[16], k[16];
	size_t len = oxm_field_info(field)->len;

	put_be(v, len, value);
	put_be(k, len, mask);
	set_or_die(m, field, v, k);
}

/* Adds an IPv6 address field, masked if mask is not NULL. */
static void
mset6(struct ofp_match *m, uint8_t field, const char *addr, const char *mask)
{
	uint8_t v[16], k[16];

	if (inet_pton(AF_INET6, addr, v) != 1 || (mask && inet_pton(AF_INET6, mask, k) != 1))
		exit(1);
	set_or_die(m, field, v, mask ? k : NULL);
}

/* A 60-byte TCP/IPv4 frame for packet_in / packet_out. */
static const uint8_t frame[60] = {
	0x0a, 0,    0,	  0,	0,    0x02, 0x0a, 0,	0,    0,    0,	  0x01, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x2e, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x66, 0xc5, 10,	0,    0,    1,
	10,   0,    0,	  2,	0x30, 0x39, 0x00, 0x50, 0,    0,    0,	  1,	0,    0,    0,
	0,    0x50, 0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 'p',  'f',  's',	'!',  '!',  '!',
};

#define BYTES(P, N)                                                                                \
	{                                                                                          \
		.data = (const uint8_t *)(P), .len = (N)                                           \
	}

/* ---- Symmetric and configuration messages ----------------------------------------------- */

static int
hello(struct arena *a, struct ofp_message *m)
{
	static uint32_t words[] = { (1u << 4) | (1u << 1) };
	struct ofp_hello_elem *e = arena_calloc(a, 1, sizeof *e);

	if (!e)
		return -ENOMEM;
	m->h.type = OFPT_HELLO;
	e->type = OFPHET_VERSIONBITMAP;
	e->bitmap.words = words;
	e->bitmap.n = 1;
	m->hello.elems = e;
	m->hello.n = 1;
	return 0;
}

static int
error_bad_type(struct arena *a, struct ofp_message *m)
{
	static const uint8_t offending[] = { 0x04, 0x63, 0x00, 0x08, 0x00, 0x00, 0x00, 0x2a };

	(void)a;
	m->h.type = OFPT_ERROR;
	m->error = (struct ofp_error_msg){ .type = OFPET_BAD_REQUEST,
					   .code = OFPBRC_BAD_TYPE,
					   .data = BYTES(offending, sizeof offending) };
	return 0;
}

static int
error_experimenter(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ERROR;
	m->error = (struct ofp_error_msg){ .type = OFPET_EXPERIMENTER,
					   .code = 0x17,
					   .experimenter = 0x00abcdef,
					   .data = BYTES("oops", 4) };
	return 0;
}

static int
echo_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ECHO_REQUEST;
	m->echo.data.data = (const uint8_t *)"pfswitch-echo";
	m->echo.data.len = 13;
	return 0;
}

static int
echo_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ECHO_REPLY;
	return 0;
}

static int
experimenter(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_EXPERIMENTER;
	m->experimenter = (struct ofp_experimenter){ .experimenter = 0x00abcdef,
						     .exp_type = 42,
						     .data = BYTES("\x01\x02\x03", 3) };
	return 0;
}

uint32_t
interop_sample_xid(const char *name)
{
	uint32_t h = 0x811c9dc5u;

	for (const char *c = "pfs-"; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x01000193u;
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 0x01000193u;
	return h;
}

/* An ONF ext 230 bundle message: the experimenter body of what enc wrote to b. */
static int
bundle_body(struct arena *a, struct buf *b, int rc, struct ofp_message *m)
{
	uint8_t *body;

	if (rc || buf_error(b) || b->size < 16) {
		buf_uninit(b);
		return -ENOMEM;
	}
	body = arena_memdup(a, (uint8_t *)b->data + 16, b->size - 16);
	m->h.type = OFPT_EXPERIMENTER;
	m->experimenter = (struct ofp_experimenter){ .experimenter = ONF_EXPERIMENTER_ID,
						     .exp_type = get_be32((uint8_t *)b->data + 12),
						     .data = { body, b->size - 16 } };
	buf_uninit(b);
	return body ? 0 : -ENOMEM;
}

static int
bundle_ctrl(struct arena *a, struct ofp_message *m)
{
	struct ofp_bundle_ctrl bc = { .bundle_id = 0x10,
				      .type = OFPBCT_COMMIT_REQUEST,
				      .flags = OFPBF_ATOMIC | OFPBF_ORDERED };
	struct buf b = BUF_INITIALIZER;

	return bundle_body(a, &b, ofp_bundle_ctrl_encode(&bc, 1, &b), m);
}

static int
bundle_ctrl_reply(struct arena *a, struct ofp_message *m)
{
	struct ofp_bundle_ctrl bc = { .bundle_id = 0x7fffffff, .type = OFPBCT_OPEN_REPLY };
	struct buf b = BUF_INITIALIZER;

	return bundle_body(a, &b, ofp_bundle_ctrl_encode(&bc, 1, &b), m);
}

/* A flow mod in a bundle: the embedded message has the add's xid. */
static int
bundle_add(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod fm;
	struct buf inner = BUF_INITIALIZER, b = BUF_INITIALIZER;
	struct ofp_bundle_add ba = { .bundle_id = 5, .flags = OFPBF_ATOMIC };
	char err[128];
	int rc;

	if (ofp_flow_mod_parse("priority=123,ip,nw_dst=10.1.0.0/16,actions=output:3", OFPFC_ADD, a,
			       &fm, err, sizeof(err)))
		return -ENOMEM;
	rc = ofp_flow_mod_encode(&fm, interop_sample_xid("bundle_add"), &inner);
	ba.msg = inner.data;
	ba.msg_len = inner.size;
	if (!rc)
		rc = ofp_bundle_add_encode(&ba, &b);
	rc = bundle_body(a, &b, rc, m);
	buf_uninit(&inner);
	return rc;
}

static int
error_bundle(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ERROR;
	m->error = (struct ofp_error_msg){ .type = OFPET_EXPERIMENTER,
					   .code = ONF_BUNDLE_ERR_BASE + OFPBFC_MSG_FAILED,
					   .experimenter = ONF_EXPERIMENTER_ID,
					   .data = BYTES("\x04\x04\x00\x18\x00\x00\x00\x01", 8) };
	return 0;
}

static int
empty(uint8_t type, struct ofp_message *m)
{
	m->h.type = type;
	return 0;
}

static int
features_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return empty(OFPT_FEATURES_REQUEST, m);
}

static int
features_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_FEATURES_REPLY;
	m->features = (struct ofp_switch_features){
		.datapath_id = 0x0000020000000001ull,
		.n_buffers = 0,
		.n_tables = 254,
		.auxiliary_id = 0,
		.capabilities = OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS |
				OFPC_GROUP_STATS | OFPC_QUEUE_STATS,
	};
	return 0;
}

static int
get_config_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return empty(OFPT_GET_CONFIG_REQUEST, m);
}

static int
get_config_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_GET_CONFIG_REPLY;
	m->config = (struct ofp_switch_config){ OFPC_FRAG_NORMAL, 128 };
	return 0;
}

static int
set_config(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_SET_CONFIG;
	m->config = (struct ofp_switch_config){ OFPC_FRAG_DROP, 0xffff };
	return 0;
}

/* ---- Asynchronous messages ---------------------------------------------------------------- */

static int
packet_in(struct arena *a, struct ofp_message *m)
{
	struct ofp_packet_in *pi = &m->packet_in;

	(void)a;
	m->h.type = OFPT_PACKET_IN;
	pi->buffer_id = OFP_NO_BUFFER;
	pi->total_len = sizeof frame;
	pi->reason = OFPR_NO_MATCH;
	pi->table_id = 3;
	pi->cookie = 0xfeed;
	oxm_match_init(&pi->match);
	mset(&pi->match, OFPXMT_OFB_IN_PORT, 4);
	mset(&pi->match, OFPXMT_OFB_METADATA, 0xabcdef);
	pi->data.data = frame;
	pi->data.len = sizeof frame;
	return 0;
}

static int
flow_removed(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_removed *fr = &m->flow_removed;

	(void)a;
	m->h.type = OFPT_FLOW_REMOVED;
	*fr = (struct ofp_flow_removed){ .cookie = 0xc0ffee,
					 .priority = 1000,
					 .reason = OFPRR_IDLE_TIMEOUT,
					 .table_id = 4,
					 .duration_sec = 60,
					 .duration_nsec = 1000,
					 .idle_timeout = 60,
					 .hard_timeout = 0,
					 .packet_count = 5,
					 .byte_count = 300 };
	oxm_match_init(&fr->match);
	mset(&fr->match, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	mset6(&fr->match, OFPXMT_OFB_IPV6_DST, "fe80::1", "ffff::");
	return 0;
}

static void
port_desc(struct ofp_port_desc *p, uint32_t no, const char *name, uint32_t config, uint32_t state,
	  uint32_t curr)
{
	memset(p, 0, sizeof *p);
	p->port_no = no;
	p->hw_addr[0] = 0x02;
	p->hw_addr[5] = (uint8_t)no;
	snprintf(p->name, sizeof p->name, "%s", name);
	p->config = config;
	p->state = state;
	p->curr = curr;
	p->advertised = curr;
	p->supported = curr | OFPPF_1GB_FD;
	p->curr_speed = 10000000;
	p->max_speed = 10000000;
}

static int
port_status(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_PORT_STATUS;
	m->port_status.reason = OFPPR_ADD;
	port_desc(&m->port_status.desc, 12, "ens12", 0, OFPPS_LIVE, OFPPF_10GB_FD | OFPPF_FIBER);
	return 0;
}

/* ---- Controller to switch ----------------------------------------------------------------- */

static int
packet_out(struct arena *a, struct ofp_message *m)
{
	struct ofp_packet_out *po = &m->packet_out;

	m->h.type = OFPT_PACKET_OUT;
	po->buffer_id = OFP_NO_BUFFER;
	po->in_port = OFPP_CONTROLLER;
	po->actions = ACTIONS(a, PLAIN(OFPAT_DEC_NW_TTL), OUTPUT(OFPP_TABLE, 0));
	po->data.data = frame;
	po->data.len = sizeof frame;
	return 0;
}

/* L2, VLAN, IPv4, TCP and pipeline fields; every action that fits an IPv4 flow; apply,
 * write actions, write metadata and goto. */
static int
flow_mod_01(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->table_id = 1;
	fm->priority = 100;
	fm->cookie = 0x1234;
	fm->idle_timeout = 10;
	fm->hard_timeout = 300;
	fm->flags = OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP;
	mset(mt, OFPXMT_OFB_IN_PORT, 1);
	mset(mt, OFPXMT_OFB_IN_PHY_PORT, 1);
	msetm(mt, OFPXMT_OFB_METADATA, 0x1200, 0xff00);
	mset(mt, OFPXMT_OFB_ETH_DST, 0x001122334455ull);
	msetm(mt, OFPXMT_OFB_ETH_SRC, 0x00aa00000000ull, 0xffff00000000ull);
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0800);
	msetm(mt, OFPXMT_OFB_VLAN_VID, OFPVID_PRESENT | 100, 0x1fff);
	mset(mt, OFPXMT_OFB_VLAN_PCP, 3);
	mset(mt, OFPXMT_OFB_IP_DSCP, 10);
	mset(mt, OFPXMT_OFB_IP_ECN, 1);
	mset(mt, OFPXMT_OFB_IP_PROTO, 6);
	msetm(mt, OFPXMT_OFB_IPV4_SRC, 0x0a000000, 0xff000000);
	mset(mt, OFPXMT_OFB_IPV4_DST, 0xc0a80101);
	mset(mt, OFPXMT_OFB_TCP_SRC, 1234);
	mset(mt, OFPXMT_OFB_TCP_DST, 80);
	msetm(mt, OFPXMT_OFB_TUNNEL_ID, 0x10, 0xf0);
	fm->insts =
		INSTS(a,
		      INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				   ACTIONS(a, SET_FIELD(OFPXMT_OFB_IPV4_DST, 4, 10, 9, 9, 9),
					   SET_FIELD(OFPXMT_OFB_TCP_DST, 2, 0x1f, 0x90),
					   TTL(OFPAT_SET_NW_TTL, 9), PLAIN(OFPAT_DEC_NW_TTL),
					   SET_QUEUE(3), ETHERTYPE(OFPAT_PUSH_VLAN, 0x8100),
					   SET_FIELD(OFPXMT_OFB_VLAN_VID, 2, 0x10, 0xc8),
					   SET_FIELD(OFPXMT_OFB_VLAN_PCP, 1, 5),
					   PLAIN(OFPAT_POP_VLAN), OUTPUT(OFPP_CONTROLLER, 128))),
		      INST_ACTIONS(OFPIT_WRITE_ACTIONS, ACTIONS(a, GROUP(5), OUTPUT(2, 0))),
		      WRITE_METADATA(0x10, 0xff), GOTO(2));
	return 0;
}

/* UDP; meter and clear_actions. */
static int
flow_mod_02(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_MODIFY_STRICT);
	fm->table_id = 2;
	fm->priority = 200;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0800);
	mset(mt, OFPXMT_OFB_IP_PROTO, 17);
	msetm(mt, OFPXMT_OFB_IPV4_DST, 0xac100000, 0xfff00000);
	mset(mt, OFPXMT_OFB_UDP_SRC, 5000);
	mset(mt, OFPXMT_OFB_UDP_DST, 53);
	fm->insts = INSTS(a, METER(4), INST_ACTIONS(OFPIT_CLEAR_ACTIONS, NO_ACTIONS),
			  INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				       ACTIONS(a, SET_FIELD(OFPXMT_OFB_UDP_DST, 2, 0x14, 0xe9),
					       SET_FIELD(OFPXMT_OFB_IP_DSCP, 1, 46),
					       SET_FIELD(OFPXMT_OFB_IP_ECN, 1, 2), OUTPUT(3, 0))));
	return 0;
}

/* SCTP. */
static int
flow_mod_03(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 300;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0800);
	mset(mt, OFPXMT_OFB_IP_PROTO, 132);
	mset(mt, OFPXMT_OFB_SCTP_SRC, 3868);
	mset(mt, OFPXMT_OFB_SCTP_DST, 2905);
	fm->insts = INSTS(
		a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				ACTIONS(a, SET_FIELD(OFPXMT_OFB_SCTP_DST, 2, 0, 9), OUTPUT(4, 0))));
	return 0;
}

/* ICMPv4. */
static int
flow_mod_04(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 400;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0800);
	mset(mt, OFPXMT_OFB_IP_PROTO, 1);
	mset(mt, OFPXMT_OFB_ICMPV4_TYPE, 8);
	mset(mt, OFPXMT_OFB_ICMPV4_CODE, 0);
	fm->insts = INSTS(a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
					  ACTIONS(a, SET_FIELD(OFPXMT_OFB_ICMPV4_CODE, 1, 1),
						  OUTPUT(OFPP_IN_PORT, 0))));
	return 0;
}

/* ARP. */
static int
flow_mod_05(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 500;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0806);
	mset(mt, OFPXMT_OFB_ARP_OP, 1);
	msetm(mt, OFPXMT_OFB_ARP_SPA, 0x0a000000, 0xffffff00);
	mset(mt, OFPXMT_OFB_ARP_TPA, 0x0a000001);
	msetm(mt, OFPXMT_OFB_ARP_SHA, 0x020000000000ull, 0xffffff000000ull);
	mset(mt, OFPXMT_OFB_ARP_THA, 0x020000000002ull);
	fm->insts =
		INSTS(a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				      ACTIONS(a, SET_FIELD(OFPXMT_OFB_ARP_OP, 2, 0, 2),
					      SET_FIELD(OFPXMT_OFB_ARP_SPA, 4, 10, 0, 0, 1),
					      SET_FIELD(OFPXMT_OFB_ARP_SHA, 6, 2, 0, 0, 0, 0, 1),
					      OUTPUT(OFPP_FLOOD, 0))));
	return 0;
}

/* IPv6 neighbour solicitation: IPv6 fields (flabel and exthdr masked), nd_sll. */
static int
flow_mod_06(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 600;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	mset(mt, OFPXMT_OFB_IP_PROTO, 58);
	mset6(mt, OFPXMT_OFB_IPV6_SRC, "2001:db8::", "ffff:ffff::");
	mset6(mt, OFPXMT_OFB_IPV6_DST, "2001:db8::1", NULL);
	msetm(mt, OFPXMT_OFB_IPV6_FLABEL, 0x12345, 0xfffff);
	msetm(mt, OFPXMT_OFB_IPV6_EXTHDR, 0x0004, 0x00ff);
	mset(mt, OFPXMT_OFB_ICMPV6_TYPE, 135);
	mset(mt, OFPXMT_OFB_ICMPV6_CODE, 0);
	mset6(mt, OFPXMT_OFB_IPV6_ND_TARGET, "2001:db8::2", NULL);
	mset(mt, OFPXMT_OFB_IPV6_ND_SLL, 0x020000000005ull);
	fm->insts = INSTS(
		a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				ACTIONS(a,
					SET_FIELD(OFPXMT_OFB_IPV6_DST, 16, 0x20, 0x01, 0x0d, 0xb8,
						  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99),
					SET_FIELD(OFPXMT_OFB_IPV6_FLABEL, 4, 0, 0, 0, 7),
					TTL(OFPAT_SET_NW_TTL, 255), OUTPUT(5, 0))));
	return 0;
}

/* IPv6 neighbour advertisement: exact flabel and exthdr, nd_tll. */
static int
flow_mod_07(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 601;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x86dd);
	mset(mt, OFPXMT_OFB_IP_PROTO, 58);
	mset(mt, OFPXMT_OFB_IPV6_FLABEL, 7);
	mset(mt, OFPXMT_OFB_IPV6_EXTHDR, 1);
	mset(mt, OFPXMT_OFB_ICMPV6_TYPE, 136);
	mset(mt, OFPXMT_OFB_IPV6_ND_TLL, 0x020000000006ull);
	fm->insts = INSTS(
		a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				ACTIONS(a, SET_FIELD(OFPXMT_OFB_IPV6_ND_TLL, 6, 2, 0, 0, 0, 0, 7),
					OUTPUT(6, 0))));
	return 0;
}

/* MPLS fields and every MPLS action. */
static int
flow_mod_08(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 700;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x8847);
	mset(mt, OFPXMT_OFB_MPLS_LABEL, 0x12345);
	mset(mt, OFPXMT_OFB_MPLS_TC, 5);
	mset(mt, OFPXMT_OFB_MPLS_BOS, 1);
	fm->insts = INSTS(
		a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				ACTIONS(a, TTL(OFPAT_SET_MPLS_TTL, 64), PLAIN(OFPAT_DEC_MPLS_TTL),
					PLAIN(OFPAT_COPY_TTL_OUT), PLAIN(OFPAT_COPY_TTL_IN),
					SET_FIELD(OFPXMT_OFB_MPLS_TC, 1, 2),
					ETHERTYPE(OFPAT_POP_MPLS, 0x0800), OUTPUT(7, 0))));
	return 0;
}

/* PBB: pbb_isid masked, pop_pbb. */
static int
flow_mod_09(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 800;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x88e7);
	msetm(mt, OFPXMT_OFB_PBB_ISID, 0x123400, 0xffff00);
	fm->insts = INSTS(a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
					  ACTIONS(a, PLAIN(OFPAT_POP_PBB), OUTPUT(8, 0))));
	return 0;
}

/* push_mpls, push_pbb, exact pbb_isid and tunnel_id, a VLAN-present wildcard. */
static int
flow_mod_10(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 801;
	fm->buffer_id = 0x42;
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0800);
	msetm(mt, OFPXMT_OFB_VLAN_VID, OFPVID_PRESENT, OFPVID_PRESENT);
	mset(mt, OFPXMT_OFB_TUNNEL_ID, 0x77);
	fm->insts = INSTS(
		a, INST_ACTIONS(OFPIT_APPLY_ACTIONS,
				ACTIONS(a, ETHERTYPE(OFPAT_PUSH_MPLS, 0x8847),
					SET_FIELD(OFPXMT_OFB_MPLS_LABEL, 4, 0, 0, 0, 77),
					SET_FIELD(OFPXMT_OFB_MPLS_BOS, 1, 1),
					ETHERTYPE(OFPAT_PUSH_PBB, 0x88e7),
					SET_FIELD(OFPXMT_OFB_PBB_ISID, 3, 0, 0, 0x10),
					SET_FIELD(OFPXMT_OFB_ETH_SRC, 6, 2, 0, 0, 0, 0, 0xaa),
					SET_FIELD(OFPXMT_OFB_TUNNEL_ID, 8, 0, 0, 0, 0, 0, 0, 0, 9),
					OUTPUT(OFPP_LOCAL, 0))));
	return 0;
}

/* The maskable fields not masked elsewhere: eth_dst, arp_tpa, arp_tha (ipv6_dst is
 * masked in flow_removed). */
static int
flow_mod_12(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;
	struct ofp_match *mt = &fm->match;

	(void)a;
	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_ADD);
	fm->priority = 1000;
	msetm(mt, OFPXMT_OFB_ETH_DST, 0x010000000000ull, 0x010000000000ull);
	mset(mt, OFPXMT_OFB_ETH_TYPE, 0x0806);
	msetm(mt, OFPXMT_OFB_ARP_TPA, 0xc0a80000, 0xffff0000);
	msetm(mt, OFPXMT_OFB_ARP_THA, 0x00005e000000ull, 0xffffff000000ull);
	return 0;
}

/* A strict delete with out_port, out_group and a cookie mask. */
static int
flow_mod_11(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_mod *fm = &m->flow_mod;

	(void)a;
	m->h.type = OFPT_FLOW_MOD;
	ofp_flow_mod_init(fm, OFPFC_DELETE_STRICT);
	fm->table_id = OFPTT_ALL;
	fm->priority = 900;
	fm->cookie = 0xf0;
	fm->cookie_mask = 0xff;
	fm->out_port = 3;
	fm->out_group = 4;
	mset(&fm->match, OFPXMT_OFB_IN_PORT, 9);
	mset(&fm->match, OFPXMT_OFB_VLAN_VID, OFPVID_NONE);
	return 0;
}

/* Every group type, and a delete. */
static int
group_mod_all(struct arena *a, struct ofp_message *m)
{
	m->h.type = OFPT_GROUP_MOD;
	m->group_mod = (struct ofp_group_mod){
		.command = OFPGC_ADD,
		.type = OFPGT_ALL,
		.group_id = 1,
		.buckets = BUCKETS(
			a, BUCKET(0, OFPP_ANY, OFPG_ANY, ACTIONS(a, OUTPUT(1, 0))),
			BUCKET(0, OFPP_ANY, OFPG_ANY,
			       ACTIONS(a, SET_FIELD(OFPXMT_OFB_ETH_DST, 6, 2, 0, 0, 0, 0, 9),
				       OUTPUT(2, 0)))),
	};
	return 0;
}

static int
group_mod_select(struct arena *a, struct ofp_message *m)
{
	m->h.type = OFPT_GROUP_MOD;
	m->group_mod = (struct ofp_group_mod){
		.command = OFPGC_MODIFY,
		.type = OFPGT_SELECT,
		.group_id = 2,
		.buckets = BUCKETS(a, BUCKET(10, OFPP_ANY, OFPG_ANY, ACTIONS(a, OUTPUT(1, 0))),
				   BUCKET(20, OFPP_ANY, OFPG_ANY, ACTIONS(a, OUTPUT(2, 0)))),
	};
	return 0;
}

static int
group_mod_indirect(struct arena *a, struct ofp_message *m)
{
	m->h.type = OFPT_GROUP_MOD;
	m->group_mod = (struct ofp_group_mod){
		.command = OFPGC_ADD,
		.type = OFPGT_INDIRECT,
		.group_id = 3,
		.buckets = BUCKETS(
			a, BUCKET(0, OFPP_ANY, OFPG_ANY, ACTIONS(a, SET_QUEUE(1), GROUP(1)))),
	};
	return 0;
}

static int
group_mod_ff(struct arena *a, struct ofp_message *m)
{
	m->h.type = OFPT_GROUP_MOD;
	m->group_mod = (struct ofp_group_mod){
		.command = OFPGC_ADD,
		.type = OFPGT_FF,
		.group_id = 4,
		.buckets = BUCKETS(a, BUCKET(0, 1, OFPG_ANY, ACTIONS(a, OUTPUT(1, 0))),
				   BUCKET(0, OFPP_ANY, 2, ACTIONS(a, OUTPUT(2, 0)))),
	};
	return 0;
}

static int
group_mod_delete(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_GROUP_MOD;
	m->group_mod =
		(struct ofp_group_mod){ .command = OFPGC_DELETE, .type = OFPGT_ALL, .group_id = 7 };
	return 0;
}

static int
port_mod(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_PORT_MOD;
	m->port_mod = (struct ofp_port_mod){
		.port_no = 3,
		.hw_addr = { 0x02, 0, 0, 0, 0, 0x03 },
		.config = OFPPC_NO_RECV,
		.mask = OFPPC_NO_RECV | OFPPC_NO_FWD,
		.advertise = OFPPF_1GB_FD | OFPPF_COPPER,
	};
	return 0;
}

static int
table_mod(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_TABLE_MOD;
	m->table_mod = (struct ofp_table_mod){ .table_id = OFPTT_ALL, .config = 0 };
	return 0;
}

/* ---- Multipart ------------------------------------------------------------------------------ */

static int
mp_request(struct ofp_message *m, uint16_t type)
{
	m->h.type = OFPT_MULTIPART_REQUEST;
	m->mp_request.type = type;
	return 0;
}

static int
mp_reply(struct ofp_message *m, uint16_t type)
{
	m->h.type = OFPT_MULTIPART_REPLY;
	m->mp_reply.type = type;
	return 0;
}

static int
req_desc(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_DESC);
}

static int
req_flow(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_stats_request *r = &m->mp_request.flow;

	(void)a;
	ofp_flow_stats_request_init(r);
	r->table_id = 0;
	r->out_port = 2;
	r->cookie = 0x10;
	r->cookie_mask = 0xff;
	mset(&r->match, OFPXMT_OFB_ETH_TYPE, 0x0800);
	mset(&r->match, OFPXMT_OFB_IPV4_SRC, 0x0a000001);
	return mp_request(m, OFPMP_FLOW);
}

static int
req_aggregate(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_stats_request *r = &m->mp_request.flow;

	(void)a;
	ofp_flow_stats_request_init(r);
	r->out_group = 7;
	mset(&r->match, OFPXMT_OFB_IN_PORT, 2);
	return mp_request(m, OFPMP_AGGREGATE);
}

static int
req_table(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_TABLE);
}

static int
req_port_stats(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.port_stats.port_no = OFPP_ANY;
	return mp_request(m, OFPMP_PORT_STATS);
}

static int
req_queue(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.queue = (struct ofp_queue_stats_request){ 1, OFPQ_ALL };
	return mp_request(m, OFPMP_QUEUE);
}

static int
req_group(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.group.group_id = OFPG_ALL;
	return mp_request(m, OFPMP_GROUP);
}

static int
req_group_desc(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_GROUP_DESC);
}

static int
req_group_features(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_GROUP_FEATURES);
}

static int
req_meter(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.meter.meter_id = 5;
	return mp_request(m, OFPMP_METER);
}

static int
req_meter_config(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.meter.meter_id = OFPM_ALL;
	return mp_request(m, OFPMP_METER_CONFIG);
}

static int
req_meter_features(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_METER_FEATURES);
}

/* pfswitch's own table 0 of 4 (every property but the experimenter ones) plus an
 * EXPERIMENTER and an EXPERIMENTER_MISS property. */
static int
table_features(struct arena *a, uint8_t table_id, struct ofp_table_features *tf)
{
	static const uint8_t exp_data[8] = { 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22 };
	struct ofp_table_feature_prop *props;
	size_t n;
	int rc = ofp_table_features_default(table_id, 4, 1000, a, tf);

	if (rc)
		return rc;
	n = tf->props.n;
	props = arena_calloc(a, n + 2, sizeof *props);
	if (!props)
		return -ENOMEM;
	memcpy(props, tf->props.items, n * sizeof *props);
	props[n].type = OFPTFPT_EXPERIMENTER;
	props[n].experimenter.experimenter = 0x00abcdef;
	props[n].experimenter.exp_type = 1;
	props[n].experimenter.data = exp_data;
	props[n].experimenter.len = sizeof exp_data;
	props[n + 1].type = OFPTFPT_EXPERIMENTER_MISS;
	props[n + 1].experimenter.experimenter = 0x00abcdef;
	props[n + 1].experimenter.exp_type = 2;
	tf->props.items = props;
	tf->props.n = n + 2;
	return 0;
}

static int
req_table_features(struct arena *a, struct ofp_message *m)
{
	struct ofp_table_features *tf = arena_calloc(a, 1, sizeof *tf);
	int rc;

	if (!tf)
		return -ENOMEM;
	rc = table_features(a, 0, tf);
	m->mp_request.table_features.items = tf;
	m->mp_request.table_features.n = 1;
	mp_request(m, OFPMP_TABLE_FEATURES);
	return rc;
}

static int
req_port_desc(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return mp_request(m, OFPMP_PORT_DESC);
}

static int
req_experimenter(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_request.experimenter = (struct ofp_experimenter_multipart){
		.experimenter = 0x00abcdef, .exp_type = 5, .data = BYTES("\x0a\x0b\x0c\x0d", 4)
	};
	return mp_request(m, OFPMP_EXPERIMENTER);
}

static int
rep_desc(struct arena *a, struct ofp_message *m)
{
	struct ofp_desc *d = &m->mp_reply.desc;

	(void)a;
	snprintf(d->mfr_desc, sizeof d->mfr_desc, "pfswitch-project");
	snprintf(d->hw_desc, sizeof d->hw_desc, "DPDK-software-switch");
	snprintf(d->sw_desc, sizeof d->sw_desc, "pfswitch-0.1");
	snprintf(d->serial_num, sizeof d->serial_num, "None");
	snprintf(d->dp_desc, sizeof d->dp_desc, "interop-test");
	return mp_reply(m, OFPMP_DESC);
}

static int
rep_flow(struct arena *a, struct ofp_message *m)
{
	struct ofp_flow_stats *fs = arena_calloc(a, 2, sizeof *fs);

	if (!fs)
		return -ENOMEM;
	fs[0] = (struct ofp_flow_stats){ .table_id = 0,
					 .duration_sec = 7,
					 .duration_nsec = 500000000,
					 .priority = 100,
					 .idle_timeout = 30,
					 .hard_timeout = 60,
					 .flags = OFPFF_SEND_FLOW_REM,
					 .cookie = 0xabc,
					 .packet_count = 11,
					 .byte_count = 1100 };
	oxm_match_init(&fs[0].match);
	mset(&fs[0].match, OFPXMT_OFB_IN_PORT, 1);
	mset(&fs[0].match, OFPXMT_OFB_ETH_TYPE, 0x0800);
	mset(&fs[0].match, OFPXMT_OFB_IP_PROTO, 6);
	mset(&fs[0].match, OFPXMT_OFB_TCP_DST, 22);
	fs[0].insts =
		INSTS(a, INST_ACTIONS(OFPIT_APPLY_ACTIONS, ACTIONS(a, OUTPUT(2, 0))), GOTO(3));
	fs[1] = (struct ofp_flow_stats){ .table_id = 3, .priority = 0 };
	oxm_match_init(&fs[1].match);
	fs[1].insts = INSTS(
		a, INST_ACTIONS(OFPIT_WRITE_ACTIONS, ACTIONS(a, OUTPUT(OFPP_CONTROLLER, 0xffff))));
	m->mp_reply.flow.items = fs;
	m->mp_reply.flow.n = 2;
	return mp_reply(m, OFPMP_FLOW);
}

static int
rep_aggregate(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_reply.aggregate = (struct ofp_aggregate_stats_reply){ 77, 7700, 3 };
	return mp_reply(m, OFPMP_AGGREGATE);
}

static int
rep_table(struct arena *a, struct ofp_message *m)
{
	struct ofp_table_stats *ts = arena_calloc(a, 2, sizeof *ts);

	if (!ts)
		return -ENOMEM;
	ts[0] = (struct ofp_table_stats){ 0, 4, 1000, 900 };
	ts[1] = (struct ofp_table_stats){ 1, 0, 100, 0 };
	m->mp_reply.table.items = ts;
	m->mp_reply.table.n = 2;
	return mp_reply(m, OFPMP_TABLE);
}

static int
rep_port_stats(struct arena *a, struct ofp_message *m)
{
	struct ofp_port_stats *ps = arena_calloc(a, 1, sizeof *ps);

	if (!ps)
		return -ENOMEM;
	*ps = (struct ofp_port_stats){ 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
	m->mp_reply.port_stats.items = ps;
	m->mp_reply.port_stats.n = 1;
	return mp_reply(m, OFPMP_PORT_STATS);
}

static int
rep_queue(struct arena *a, struct ofp_message *m)
{
	struct ofp_queue_stats *qs = arena_calloc(a, 1, sizeof *qs);

	if (!qs)
		return -ENOMEM;
	*qs = (struct ofp_queue_stats){ 5, 1, 1000, 10, 1, 2, 0 };
	m->mp_reply.queue.items = qs;
	m->mp_reply.queue.n = 1;
	return mp_reply(m, OFPMP_QUEUE);
}

static int
rep_group(struct arena *a, struct ofp_message *m)
{
	struct ofp_group_stats *gs = arena_calloc(a, 1, sizeof *gs);

	if (!gs)
		return -ENOMEM;
	*gs = (struct ofp_group_stats){ .group_id = 6,
					.ref_count = 2,
					.packet_count = 99,
					.byte_count = 9900,
					.duration_sec = 4 };
	gs->bucket_stats.items = DUP_LIST(a, struct ofp_bucket_counter, { 50, 5000 }, { 49, 4900 });
	gs->bucket_stats.n = 2;
	m->mp_reply.group.items = gs;
	m->mp_reply.group.n = 1;
	return mp_reply(m, OFPMP_GROUP);
}

static int
rep_group_desc(struct arena *a, struct ofp_message *m)
{
	struct ofp_group_desc *gd = arena_calloc(a, 1, sizeof *gd);

	if (!gd)
		return -ENOMEM;
	gd->type = OFPGT_SELECT;
	gd->group_id = 9;
	gd->buckets = BUCKETS(
		a, BUCKET(3, OFPP_ANY, OFPG_ANY, ACTIONS(a, OUTPUT(1, 0))),
		BUCKET(4, OFPP_ANY, OFPG_ANY,
		       ACTIONS(a, SET_FIELD(OFPXMT_OFB_IPV4_SRC, 4, 1, 2, 3, 4), OUTPUT(2, 0))));
	m->mp_reply.group_desc.items = gd;
	m->mp_reply.group_desc.n = 1;
	return mp_reply(m, OFPMP_GROUP_DESC);
}

static int
rep_group_features(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_reply.group_features = (struct ofp_group_features){
		.types = 0xf,
		.capabilities = OFPGFC_SELECT_WEIGHT | OFPGFC_CHAINING,
		.max_groups = { 100, 200, 300, 400 },
		.actions = { 1u << OFPAT_OUTPUT, 1u << OFPAT_GROUP, 1, 1 },
	};
	return mp_reply(m, OFPMP_GROUP_FEATURES);
}

static int
rep_meter(struct arena *a, struct ofp_message *m)
{
	struct ofp_meter_stats *ms = arena_calloc(a, 1, sizeof *ms);

	if (!ms)
		return -ENOMEM;
	*ms = (struct ofp_meter_stats){ .meter_id = 8,
					.flow_count = 2,
					.packet_in_count = 300,
					.byte_in_count = 30000,
					.duration_sec = 7 };
	ms->band_stats.items = DUP_LIST(a, struct ofp_meter_band_stats, { 12, 1200 });
	ms->band_stats.n = 1;
	m->mp_reply.meter.items = ms;
	m->mp_reply.meter.n = 1;
	return mp_reply(m, OFPMP_METER);
}

static int
rep_meter_config(struct arena *a, struct ofp_meter_config *mc)
{
	mc->flags = OFPMF_KBPS | OFPMF_BURST | OFPMF_STATS;
	mc->meter_id = 8;
	mc->bands = BANDS(
		a, { .type = OFPMBT_DROP, .rate = 1000, .burst_size = 100 },
		{ .type = OFPMBT_DSCP_REMARK, .rate = 500, .burst_size = 50, .prec_level = 1 });
	return 0;
}

static int
rep_meter_config_msg(struct arena *a, struct ofp_message *m)
{
	struct ofp_meter_config *mc = arena_calloc(a, 1, sizeof *mc);

	if (!mc)
		return -ENOMEM;
	rep_meter_config(a, mc);
	m->mp_reply.meter_config.items = mc;
	m->mp_reply.meter_config.n = 1;
	return mp_reply(m, OFPMP_METER_CONFIG);
}

static int
rep_meter_features(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_reply.meter_features = (struct ofp_meter_features){
		.max_meter = 1024,
		.band_types = (1u << OFPMBT_DROP) | (1u << OFPMBT_DSCP_REMARK),
		.capabilities = OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS,
		.max_bands = 2,
		.max_color = 0,
	};
	return mp_reply(m, OFPMP_METER_FEATURES);
}

static int
rep_table_features(struct arena *a, struct ofp_message *m)
{
	struct ofp_table_features *tf = arena_calloc(a, 2, sizeof *tf);
	int rc;

	if (!tf)
		return -ENOMEM;
	rc = table_features(a, 0, &tf[0]);
	if (!rc)
		rc = table_features(a, 3, &tf[1]);
	m->mp_reply.table_features.items = tf;
	m->mp_reply.table_features.n = 2;
	mp_reply(m, OFPMP_TABLE_FEATURES);
	return rc;
}

static int
rep_port_desc(struct arena *a, struct ofp_message *m)
{
	struct ofp_port_desc *pd = arena_calloc(a, 2, sizeof *pd);

	if (!pd)
		return -ENOMEM;
	port_desc(&pd[0], 1, "ens1", 0, 0, OFPPF_10GB_FD | OFPPF_COPPER);
	port_desc(&pd[1], OFPP_LOCAL, "br0", OFPPC_PORT_DOWN, OFPPS_LINK_DOWN, 0);
	m->mp_reply.port_desc.items = pd;
	m->mp_reply.port_desc.n = 2;
	return mp_reply(m, OFPMP_PORT_DESC);
}

static int
rep_experimenter(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->mp_reply.experimenter = (struct ofp_experimenter_multipart){
		.experimenter = 0x00abcdef, .exp_type = 6, .data = BYTES("\x01\x02\x03\x04", 4)
	};
	return mp_reply(m, OFPMP_EXPERIMENTER);
}

/* ---- Barrier, queue config, role, async, meter --------------------------------------------- */

static int
barrier_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return empty(OFPT_BARRIER_REQUEST, m);
}

static int
barrier_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return empty(OFPT_BARRIER_REPLY, m);
}

static int
queue_get_config_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_QUEUE_GET_CONFIG_REQUEST;
	m->queue_get_config_request.port = OFPP_ANY;
	return 0;
}

static int
queue_get_config_reply(struct arena *a, struct ofp_message *m)
{
	struct ofp_packet_queue *q = arena_calloc(a, 2, sizeof *q);
	struct ofp_queue_prop *props = arena_calloc(a, 3, sizeof *props);

	if (!q || !props)
		return -ENOMEM;
	m->h.type = OFPT_QUEUE_GET_CONFIG_REPLY;
	props[0] = (struct ofp_queue_prop){ .type = OFPQT_MIN_RATE, .rate = 200 };
	props[1] = (struct ofp_queue_prop){ .type = OFPQT_MAX_RATE, .rate = 800 };
	props[2] = (struct ofp_queue_prop){ .type = OFPQT_MIN_RATE, .rate = 0xffff };
	q[0] = (struct ofp_packet_queue){ 1, 2, { props, 2 } };
	q[1] = (struct ofp_packet_queue){ 2, 2, { props + 2, 1 } };
	m->queue_get_config_reply.port = 2;
	m->queue_get_config_reply.queues.items = q;
	m->queue_get_config_reply.queues.n = 2;
	return 0;
}

static int
role_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ROLE_REQUEST;
	m->role = (struct ofp_role){ OFPCR_ROLE_EQUAL, 0 };
	return 0;
}

static int
role_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_ROLE_REPLY;
	m->role = (struct ofp_role){ OFPCR_ROLE_MASTER, 0x1122334455667788ull };
	return 0;
}

static int
get_async_request(struct arena *a, struct ofp_message *m)
{
	(void)a;
	return empty(OFPT_GET_ASYNC_REQUEST, m);
}

static int
get_async_reply(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_GET_ASYNC_REPLY;
	m->async = (struct ofp_async_config){ { 0x3, 0x0 }, { 0x7, 0x7 }, { 0xf, 0x0 } };
	return 0;
}

static int
set_async(struct arena *a, struct ofp_message *m)
{
	(void)a;
	m->h.type = OFPT_SET_ASYNC;
	m->async = (struct ofp_async_config){ { 0x1, 0x2 }, { 0x4, 0x1 }, { 0x3, 0x8 } };
	return 0;
}

static int
meter_mod(struct arena *a, struct ofp_message *m)
{
	m->h.type = OFPT_METER_MOD;
	m->meter_mod = (struct ofp_meter_mod){
		.command = OFPMC_ADD,
		.flags = OFPMF_PKTPS | OFPMF_BURST,
		.meter_id = 6,
		.bands = BANDS(a, { .type = OFPMBT_DROP, .rate = 2000, .burst_size = 200 },
			       { .type = OFPMBT_DSCP_REMARK,
				 .rate = 1000,
				 .burst_size = 10,
				 .prec_level = 3 }),
	};
	return 0;
}

/* ---- The table ------------------------------------------------------------------------------ */

#define IA0 "instructions[0].actions"
#define FS0 "body[0]."

const struct interop_sample interop_samples[] = {
	{ "hello", hello, "elements[0].versions=1,4" },
	{ "error", error_bad_type, "type=1 code=1" },
	{ "error-experimenter", error_experimenter,
	  "type=65535 exp_type=23 experimenter=11259375" },
	{ "echo_request", echo_request, "data=pfswitch-echo" },
	{ "echo_reply", echo_reply, "data=" },
	{ "experimenter", experimenter, "experimenter=0xabcdef exp_type=42" },
	{ "bundle_ctrl", bundle_ctrl,
	  "@cls=ONFBundleCtrlMsg experimenter=0x4f4e4600 exp_type=2300 bundle_id=16 type=4 "
	  "flags=3" },
	{ "bundle_ctrl-reply", bundle_ctrl_reply,
	  "@cls=ONFBundleCtrlMsg bundle_id=0x7fffffff type=1 flags=0" },
	{ "bundle_add", bundle_add,
	  "@cls=ONFBundleAddMsg exp_type=2301 bundle_id=5 flags=1 message.priority=123 "
	  "message.match.ipv4_dst=10.1.0.0/255.255.0.0 "
	  "message.instructions[0].actions[0].port=3" },
	{ "error-bundle", error_bundle, "type=65535 exp_type=2313 experimenter=0x4f4e4600" },
	{ "features_request", features_request, "" },
	{ "features_reply", features_reply,
	  "datapath_id=0x20000000001 n_buffers=0 n_tables=254 auxiliary_id=0 "
	  "capabilities=0x4f" },
	{ "get_config_request", get_config_request, "" },
	{ "get_config_reply", get_config_reply, "flags=0 miss_send_len=128" },
	{ "set_config", set_config, "flags=1 miss_send_len=0xffff" },
	{ "packet_in", packet_in,
	  "buffer_id=0xffffffff total_len=60 reason=0 table_id=3 cookie=0xfeed "
	  "match.in_port=4 match.metadata=0xabcdef data.len=60" },
	{ "flow_removed", flow_removed,
	  "cookie=0xc0ffee priority=1000 reason=0 table_id=4 duration_sec=60 "
	  "duration_nsec=1000 idle_timeout=60 hard_timeout=0 packet_count=5 byte_count=300 "
	  "match.eth_type=0x86dd match.ipv6_dst=fe80::/ffff::" },
	{ "port_status", port_status,
	  "reason=0 desc.port_no=12 desc.name=ens12 desc.hw_addr=02:00:00:00:00:0c "
	  "desc.state=4 desc.curr=0x1040 desc.curr_speed=10000000" },
	{ "packet_out", packet_out,
	  "buffer_id=0xffffffff in_port=0xfffffffd actions[0].@cls=OFPActionDecNwTtl "
	  "actions[1].port=0xfffffff9 data.len=60" },
	{ "flow_mod-01", flow_mod_01,
	  "command=0 table_id=1 priority=100 cookie=0x1234 idle_timeout=10 hard_timeout=300 "
	  "flags=3 buffer_id=0xffffffff out_port=0xffffffff out_group=0xffffffff "
	  "match.in_port=1 match.in_phy_port=1 match.metadata=0x1200/0xff00 "
	  "match.eth_dst=00:11:22:33:44:55 match.eth_src=00:aa:00:00:00:00/ff:ff:00:00:00:00 "
	  "match.eth_type=0x800 match.vlan_vid=0x1064/0x1fff match.vlan_pcp=3 match.ip_dscp=10 "
	  "match.ip_ecn=1 match.ip_proto=6 match.ipv4_src=10.0.0.0/255.0.0.0 "
	  "match.ipv4_dst=192.168.1.1 match.tcp_src=1234 match.tcp_dst=80 "
	  "match.tunnel_id=0x10/0xf0 instructions[0].type=4 " IA0 "[0].key=ipv4_dst " IA0
	  "[0].value=10.9.9.9 " IA0 "[1].key=tcp_dst " IA0 "[1].value=8080 " IA0 "[2].nw_ttl=9 " IA0
	  "[3].@cls=OFPActionDecNwTtl " IA0 "[4].queue_id=3 " IA0 "[5].ethertype=0x8100 " IA0
	  "[6].key=vlan_vid " IA0 "[6].value=0x10c8 " IA0 "[7].key=vlan_pcp " IA0 "[7].value=5 " IA0
	  "[8].@cls=OFPActionPopVlan " IA0 "[9].port=0xfffffffd " IA0
	  "[9].max_len=128 instructions[1].type=3 "
	  "instructions[1].actions[0].group_id=5 instructions[1].actions[1].port=2 "
	  "instructions[2].metadata=0x10 instructions[2].metadata_mask=0xff "
	  "instructions[3].table_id=2" },
	{ "flow_mod-02", flow_mod_02,
	  "command=2 table_id=2 priority=200 match.eth_type=0x800 match.ip_proto=17 "
	  "match.ipv4_dst=172.16.0.0/255.240.0.0 match.udp_src=5000 match.udp_dst=53 "
	  "instructions[0].meter_id=4 instructions[1].type=5 instructions[2].type=4 "
	  "instructions[2].actions[0].key=udp_dst instructions[2].actions[0].value=5353 "
	  "instructions[2].actions[1].key=ip_dscp instructions[2].actions[1].value=46 "
	  "instructions[2].actions[2].key=ip_ecn instructions[2].actions[2].value=2 "
	  "instructions[2].actions[3].port=3" },
	{ "flow_mod-03", flow_mod_03,
	  "priority=300 match.ip_proto=132 match.sctp_src=3868 match.sctp_dst=2905 " IA0
	  "[0].key=sctp_dst " IA0 "[0].value=9" },
	{ "flow_mod-04", flow_mod_04,
	  "priority=400 match.ip_proto=1 match.icmpv4_type=8 match.icmpv4_code=0 " IA0
	  "[0].key=icmpv4_code " IA0 "[0].value=1 " IA0 "[1].port=0xfffffff8" },
	{ "flow_mod-05", flow_mod_05,
	  "priority=500 match.eth_type=0x806 match.arp_op=1 "
	  "match.arp_spa=10.0.0.0/255.255.255.0 match.arp_tpa=10.0.0.1 "
	  "match.arp_sha=02:00:00:00:00:00/ff:ff:ff:00:00:00 match.arp_tha=02:00:00:00:00:02 " IA0
	  "[0].key=arp_op " IA0 "[0].value=2 " IA0 "[1].key=arp_spa " IA0 "[1].value=10.0.0.1 " IA0
	  "[2].key=arp_sha " IA0 "[2].value=02:00:00:00:00:01 " IA0 "[3].port=0xfffffffb" },
	{ "flow_mod-06", flow_mod_06,
	  "priority=600 match.eth_type=0x86dd match.ip_proto=58 "
	  "match.ipv6_src=2001:db8::/ffff:ffff:: match.ipv6_dst=2001:db8::1 "
	  "match.ipv6_flabel=0x12345/0xfffff match.ipv6_exthdr=4/0xff match.icmpv6_type=135 "
	  "match.icmpv6_code=0 match.ipv6_nd_target=2001:db8::2 "
	  "match.ipv6_nd_sll=02:00:00:00:00:05 " IA0 "[0].key=ipv6_dst " IA0
	  "[0].value=2001:db8::99 " IA0 "[1].key=ipv6_flabel " IA0 "[1].value=7 " IA0
	  "[2].nw_ttl=255" },
	{ "flow_mod-07", flow_mod_07,
	  "priority=601 match.ipv6_flabel=7 match.ipv6_exthdr=1 match.icmpv6_type=136 "
	  "match.ipv6_nd_tll=02:00:00:00:00:06 " IA0 "[0].key=ipv6_nd_tll " IA0
	  "[0].value=02:00:00:00:00:07" },
	{ "flow_mod-08", flow_mod_08,
	  "priority=700 match.eth_type=0x8847 match.mpls_label=0x12345 match.mpls_tc=5 "
	  "match.mpls_bos=1 " IA0 "[0].mpls_ttl=64 " IA0 "[1].@cls=OFPActionDecMplsTtl " IA0
	  "[2].@cls=OFPActionCopyTtlOut " IA0 "[3].@cls=OFPActionCopyTtlIn " IA0
	  "[4].key=mpls_tc " IA0 "[4].value=2 " IA0 "[5].ethertype=0x800 " IA0 "[6].port=7" },
	{ "flow_mod-09", flow_mod_09,
	  "priority=800 match.eth_type=0x88e7 match.pbb_isid=0x123400/0xffff00 " IA0
	  "[0].@cls=OFPActionPopPbb " IA0 "[1].port=8" },
	{ "flow_mod-10", flow_mod_10,
	  "priority=801 buffer_id=0x42 match.vlan_vid=0x1000/0x1000 match.tunnel_id=0x77 " IA0
	  "[0].ethertype=0x8847 " IA0 "[1].key=mpls_label " IA0 "[1].value=77 " IA0
	  "[2].key=mpls_bos " IA0 "[2].value=1 " IA0 "[3].ethertype=0x88e7 " IA0
	  "[4].key=pbb_isid " IA0 "[4].value=16 " IA0 "[5].key=eth_src " IA0
	  "[5].value=02:00:00:00:00:aa " IA0 "[6].key=tunnel_id " IA0 "[6].value=9 " IA0
	  "[7].port=0xfffffffe" },
	{ "flow_mod-11", flow_mod_11,
	  "command=4 table_id=255 priority=900 cookie=0xf0 cookie_mask=0xff out_port=3 "
	  "out_group=4 match.in_port=9 match.vlan_vid=0" },
	{ "flow_mod-12", flow_mod_12,
	  "priority=1000 match.eth_dst=01:00:00:00:00:00/01:00:00:00:00:00 "
	  "match.arp_tpa=192.168.0.0/255.255.0.0 "
	  "match.arp_tha=00:00:5e:00:00:00/ff:ff:ff:00:00:00 instructions=" },
	{ "group_mod-all", group_mod_all,
	  "command=0 type=0 group_id=1 buckets[0].actions[0].port=1 "
	  "buckets[1].actions[0].key=eth_dst buckets[1].actions[0].value=02:00:00:00:00:09" },
	{ "group_mod-select", group_mod_select,
	  "command=1 type=1 group_id=2 buckets[0].weight=10 buckets[1].weight=20 "
	  "buckets[1].actions[0].port=2" },
	{ "group_mod-indirect", group_mod_indirect,
	  "command=0 type=2 group_id=3 buckets[0].actions[0].queue_id=1 "
	  "buckets[0].actions[1].group_id=1" },
	{ "group_mod-ff", group_mod_ff,
	  "command=0 type=3 group_id=4 buckets[0].watch_port=1 buckets[0].watch_group=0xffffffff "
	  "buckets[1].watch_port=0xffffffff buckets[1].watch_group=2" },
	{ "group_mod-delete", group_mod_delete, "command=2 group_id=7" },
	{ "port_mod", port_mod,
	  "port_no=3 hw_addr=02:00:00:00:00:03 config=4 mask=0x24 advertise=0x820" },
	{ "table_mod", table_mod, "table_id=255 config=0" },
	{ "mp_request-desc", req_desc, "type=0 flags=0" },
	{ "mp_request-flow", req_flow,
	  "type=1 table_id=0 out_port=2 out_group=0xffffffff cookie=0x10 cookie_mask=0xff "
	  "match.eth_type=0x800 match.ipv4_src=10.0.0.1" },
	{ "mp_request-aggregate", req_aggregate,
	  "type=2 table_id=255 out_port=0xffffffff out_group=7 match.in_port=2" },
	{ "mp_request-table", req_table, "type=3" },
	{ "mp_request-port_stats", req_port_stats, "type=4 port_no=0xffffffff" },
	{ "mp_request-queue", req_queue, "type=5 port_no=1 queue_id=0xffffffff" },
	{ "mp_request-group", req_group, "type=6 group_id=0xfffffffc" },
	{ "mp_request-group_desc", req_group_desc, "type=7" },
	{ "mp_request-group_features", req_group_features, "type=8" },
	{ "mp_request-meter", req_meter, "type=9 meter_id=5" },
	{ "mp_request-meter_config", req_meter_config, "type=10 meter_id=0xffffffff" },
	{ "mp_request-meter_features", req_meter_features, "type=11" },
	{ "mp_request-table_features", req_table_features,
	  "type=12 body[0].table_id=0 body[0].name=table0 body[0].max_entries=1000 "
	  "body[0].metadata_match=0xffffffffffffffff body[0].properties[0].type=0" },
	{ "mp_request-port_desc", req_port_desc, "type=13" },
	{ "mp_request-experimenter", req_experimenter,
	  "type=0xffff experimenter=0xabcdef exp_type=5 data=\\x0a\\x0b\\x0c\\x0d" },
	{ "mp_reply-desc", rep_desc,
	  "body.mfr_desc=pfswitch-project body.hw_desc=DPDK-software-switch "
	  "body.sw_desc=pfswitch-0.1 body.serial_num=None body.dp_desc=interop-test" },
	{ "mp_reply-flow", rep_flow,
	  FS0 "table_id=0 " FS0 "duration_sec=7 " FS0 "duration_nsec=500000000 " FS0
	      "priority=100 " FS0 "idle_timeout=30 " FS0 "hard_timeout=60 " FS0 "flags=1 " FS0
	      "cookie=0xabc " FS0 "packet_count=11 " FS0 "byte_count=1100 " FS0
	      "match.in_port=1 " FS0 "match.tcp_dst=22 " FS0
	      "instructions[0].actions[0].port=2 " FS0
	      "instructions[1].table_id=3 body[1].table_id=3 body[1].priority=0 "
	      "body[1].instructions[0].type=3 body[1].instructions[0].actions[0].max_len=0xffff" },
	{ "mp_reply-aggregate", rep_aggregate,
	  "body.packet_count=77 body.byte_count=7700 body.flow_count=3" },
	{ "mp_reply-table", rep_table,
	  "body[0].table_id=0 body[0].active_count=4 body[0].lookup_count=1000 "
	  "body[0].matched_count=900 body[1].table_id=1 body[1].lookup_count=100" },
	{ "mp_reply-port_stats", rep_port_stats,
	  "body[0].port_no=5 body[0].rx_packets=1 body[0].tx_packets=2 body[0].rx_bytes=3 "
	  "body[0].tx_bytes=4 body[0].rx_dropped=5 body[0].tx_dropped=6 body[0].rx_errors=7 "
	  "body[0].tx_errors=8 body[0].rx_frame_err=9 body[0].rx_over_err=10 "
	  "body[0].rx_crc_err=11 body[0].collisions=12 body[0].duration_sec=13 "
	  "body[0].duration_nsec=14" },
	{ "mp_reply-queue", rep_queue,
	  "body[0].port_no=5 body[0].queue_id=1 body[0].tx_bytes=1000 body[0].tx_packets=10 "
	  "body[0].tx_errors=1 body[0].duration_sec=2" },
	{ "mp_reply-group", rep_group,
	  "body[0].group_id=6 body[0].ref_count=2 body[0].packet_count=99 "
	  "body[0].byte_count=9900 body[0].duration_sec=4 body[0].bucket_stats[0].packet_count=50 "
	  "body[0].bucket_stats[1].byte_count=4900" },
	{ "mp_reply-group_desc", rep_group_desc,
	  "body[0].type=1 body[0].group_id=9 body[0].buckets[0].weight=3 "
	  "body[0].buckets[1].weight=4 body[0].buckets[1].actions[0].key=ipv4_src "
	  "body[0].buckets[1].actions[0].value=1.2.3.4 body[0].buckets[1].actions[1].port=2" },
	{ "mp_reply-group_features", rep_group_features,
	  "body.types=15 body.capabilities=5 body.max_groups=100,200,300,400 "
	  "body.actions=1,4194304,1,1" },
	{ "mp_reply-meter", rep_meter,
	  "body[0].meter_id=8 body[0].flow_count=2 body[0].packet_in_count=300 "
	  "body[0].byte_in_count=30000 body[0].duration_sec=7 "
	  "body[0].band_stats[0].packet_band_count=12 body[0].band_stats[0].byte_band_count=1200" },
	{ "mp_reply-meter_config", rep_meter_config_msg,
	  "body[0].flags=13 body[0].meter_id=8 body[0].bands[0].type=1 body[0].bands[0].rate=1000 "
	  "body[0].bands[0].burst_size=100 body[0].bands[1].type=2 body[0].bands[1].rate=500 "
	  "body[0].bands[1].prec_level=1" },
	{ "mp_reply-meter_features", rep_meter_features,
	  "body[0].max_meter=1024 body[0].band_types=6 body[0].capabilities=15 "
	  "body[0].max_bands=2 body[0].max_color=0" },
	{ "mp_reply-table_features", rep_table_features,
	  "body[0].table_id=0 body[0].name=table0 body[0].max_entries=1000 body[1].table_id=3 "
	  "body[1].name=table3" },
	{ "mp_reply-port_desc", rep_port_desc,
	  "body[0].port_no=1 body[0].name=ens1 body[0].hw_addr=02:00:00:00:00:01 "
	  "body[0].curr=0x840 body[1].port_no=0xfffffffe body[1].name=br0 body[1].config=1 "
	  "body[1].state=1" },
	{ "mp_reply-experimenter", rep_experimenter,
	  "body.experimenter=0xabcdef body.exp_type=6 body.data=\\x01\\x02\\x03\\x04" },
	{ "barrier_request", barrier_request, "" },
	{ "barrier_reply", barrier_reply, "" },
	{ "queue_get_config_request", queue_get_config_request, "port=0xffffffff" },
	{ "queue_get_config_reply", queue_get_config_reply,
	  "port=2 queues[0].queue_id=1 queues[0].port=2 queues[0].properties[0].rate=200 "
	  "queues[0].properties[1].rate=800 queues[1].queue_id=2 "
	  "queues[1].properties[0].rate=0xffff" },
	{ "role_request", role_request, "role=1 generation_id=0" },
	{ "role_reply", role_reply, "role=2 generation_id=0x1122334455667788" },
	{ "get_async_request", get_async_request, "" },
	{ "get_async_reply", get_async_reply,
	  "packet_in_mask=3,0 port_status_mask=7,7 flow_removed_mask=15,0" },
	{ "set_async", set_async, "packet_in_mask=1,2 port_status_mask=4,1 flow_removed_mask=3,8" },
	{ "meter_mod", meter_mod,
	  "command=0 flags=6 meter_id=6 bands[0].type=1 bands[0].rate=2000 "
	  "bands[0].burst_size=200 bands[1].type=2 bands[1].rate=1000 bands[1].burst_size=10 "
	  "bands[1].prec_level=3" },
};

const size_t interop_n_samples = sizeof interop_samples / sizeof interop_samples[0];
