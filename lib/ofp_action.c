/* OpenFlow 1.3 actions (spec 7.2.5): wire decode with validation, encode, the check
 * against a flow's match, and ovs-ofctl text; see ofp_action.h. One table describes
 * every action type (wire size, argument layout, text keyword); one table every
 * set_field's text name, value style, value range and prerequisites. The OXM field
 * table itself (lengths, settable) is lib/oxm.c's. */
#include "ofp_action.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "oxm.h"
#include "util.h"

/* How an action's argument sits on the wire after type and length. */
enum arg_kind {
	ARG_NONE,	  /* pad[4] */
	ARG_PORT,	  /* port(4) max_len(2) pad[6] */
	ARG_TTL,	  /* ttl(1) pad[3] */
	ARG_ETHERTYPE,	  /* ethertype(2) pad[2] */
	ARG_QUEUE,	  /* queue_id(4) */
	ARG_GROUP,	  /* group_id(4) */
	ARG_FIELD,	  /* one OXM TLV, padded to 8 */
	ARG_EXPERIMENTER, /* experimenter(4) data, padded to 8 */
};

struct action_type {
	const char *name; /* spec name, for logs */
	const char *text; /* ovs-ofctl keyword as printed */
	uint16_t len;	  /* fixed wire length; 0 for variable */
	uint8_t arg;	  /* enum arg_kind */
	uint8_t set_rank; /* position in the action set's execution order (spec 5.10) */
};

static const struct action_type action_types[OFPAT_POP_PBB + 1] = {
	[OFPAT_OUTPUT] = { "OUTPUT", "output", OFP_ACTION_OUTPUT_LEN, ARG_PORT, 10 },
	[OFPAT_COPY_TTL_OUT] = { "COPY_TTL_OUT", "copy_ttl_out", OFP_ACTION_HEADER_LEN, ARG_NONE,
				 5 },
	[OFPAT_COPY_TTL_IN] = { "COPY_TTL_IN", "copy_ttl_in", OFP_ACTION_HEADER_LEN, ARG_NONE, 0 },
	[OFPAT_SET_MPLS_TTL] = { "SET_MPLS_TTL", "set_mpls_ttl", OFP_ACTION_MPLS_TTL_LEN, ARG_TTL,
				 7 },
	[OFPAT_DEC_MPLS_TTL] = { "DEC_MPLS_TTL", "dec_mpls_ttl", OFP_ACTION_HEADER_LEN, ARG_NONE,
				 6 },
	[OFPAT_PUSH_VLAN] = { "PUSH_VLAN", "push_vlan", OFP_ACTION_PUSH_LEN, ARG_ETHERTYPE, 4 },
	[OFPAT_POP_VLAN] = { "POP_VLAN", "pop_vlan", OFP_ACTION_HEADER_LEN, ARG_NONE, 1 },
	[OFPAT_PUSH_MPLS] = { "PUSH_MPLS", "push_mpls", OFP_ACTION_PUSH_LEN, ARG_ETHERTYPE, 2 },
	[OFPAT_POP_MPLS] = { "POP_MPLS", "pop_mpls", OFP_ACTION_POP_MPLS_LEN, ARG_ETHERTYPE, 1 },
	[OFPAT_SET_QUEUE] = { "SET_QUEUE", "set_queue", OFP_ACTION_SET_QUEUE_LEN, ARG_QUEUE, 8 },
	[OFPAT_GROUP] = { "GROUP", "group", OFP_ACTION_GROUP_LEN, ARG_GROUP, 9 },
	[OFPAT_SET_NW_TTL] = { "SET_NW_TTL", "mod_nw_ttl", OFP_ACTION_NW_TTL_LEN, ARG_TTL, 7 },
	[OFPAT_DEC_NW_TTL] = { "DEC_NW_TTL", "dec_ttl", OFP_ACTION_HEADER_LEN, ARG_NONE, 6 },
	[OFPAT_SET_FIELD] = { "SET_FIELD", "set_field", 0, ARG_FIELD, 7 },
	[OFPAT_PUSH_PBB] = { "PUSH_PBB", "push_pbb", OFP_ACTION_PUSH_LEN, ARG_ETHERTYPE, 3 },
	[OFPAT_POP_PBB] = { "POP_PBB", "pop_pbb", OFP_ACTION_HEADER_LEN, ARG_NONE, 1 },
};

static const struct action_type experimenter_type = { "EXPERIMENTER", "experimenter", 0,
						      ARG_EXPERIMENTER, 10 };

#define N_SET_RANKS 11

static const struct action_type *
type_info(uint16_t type)
{
	if (type == OFPAT_EXPERIMENTER)
		return &experimenter_type;
	if (type < ARRAY_SIZE(action_types) && action_types[type].name)
		return &action_types[type];
	return NULL;
}

const char *
ofp_action_type_name(uint16_t type)
{
	const struct action_type *t = type_info(type);

	return t ? t->name : NULL;
}

/* How ovs-ofctl writes a set_field value. */
enum value_style {
	V_DEC,
	V_HEX,
	V_ETHERTYPE, /* 0x0800 */
	V_MAC,
	V_IPV4,
	V_IPV6,
};

/* Prerequisites (spec table 12) as the header state they need: an ethertype (one of
 * two), an IP protocol, an ICMPv6 type (one of two), a VLAN tag. Zero means none. */
struct prereq {
	uint16_t eth[2];
	uint8_t proto;
	uint8_t icmp6[2];
	bool vlan;
};

struct set_field_info {
	const char *name; /* the name ovs-ofctl prints after "->" */
	uint8_t style;	  /* enum value_style */
	uint32_t max;	  /* largest valid value for fields of up to 4 bytes; 0: any */
	struct prereq pre;
};

#define ETH_IP4 0x0800
#define ETH_ARP 0x0806
#define ETH_IP6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PBB 0x88e7
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8

#define PRE_IP                                                                                     \
	{                                                                                          \
		ETH_IP4, ETH_IP6                                                                   \
	}
#define PRE_IP4                                                                                    \
	{                                                                                          \
		ETH_IP4, ETH_IP4                                                                   \
	}
#define PRE_IP6                                                                                    \
	{                                                                                          \
		ETH_IP6, ETH_IP6                                                                   \
	}

static const struct set_field_info set_fields[OFPXMT_OFB_N_FIELDS] = {
	[OFPXMT_OFB_IN_PORT] = { "in_port", V_DEC, 0, { { 0 } } },
	[OFPXMT_OFB_IN_PHY_PORT] = { "in_phy_port", V_DEC, 0, { { 0 } } },
	[OFPXMT_OFB_METADATA] = { "metadata", V_HEX, 0, { { 0 } } },
	[OFPXMT_OFB_ETH_DST] = { "eth_dst", V_MAC, 0, { { 0 } } },
	[OFPXMT_OFB_ETH_SRC] = { "eth_src", V_MAC, 0, { { 0 } } },
	[OFPXMT_OFB_ETH_TYPE] = { "eth_type", V_ETHERTYPE, 0, { { 0 } } },
	[OFPXMT_OFB_VLAN_VID] = { "vlan_vid", V_DEC, OFPVID_PRESENT | 0xfff, { { 0 } } },
	[OFPXMT_OFB_VLAN_PCP] = { "vlan_pcp", V_DEC, 7, { .vlan = true } },
	[OFPXMT_OFB_IP_DSCP] = { "ip_dscp", V_DEC, 63, { PRE_IP } },
	[OFPXMT_OFB_IP_ECN] = { "nw_ecn", V_DEC, 3, { PRE_IP } },
	[OFPXMT_OFB_IP_PROTO] = { "nw_proto", V_DEC, 0, { PRE_IP } },
	[OFPXMT_OFB_IPV4_SRC] = { "ip_src", V_IPV4, 0, { PRE_IP4 } },
	[OFPXMT_OFB_IPV4_DST] = { "ip_dst", V_IPV4, 0, { PRE_IP4 } },
	[OFPXMT_OFB_TCP_SRC] = { "tcp_src", V_DEC, 0, { PRE_IP, 6 } },
	[OFPXMT_OFB_TCP_DST] = { "tcp_dst", V_DEC, 0, { PRE_IP, 6 } },
	[OFPXMT_OFB_UDP_SRC] = { "udp_src", V_DEC, 0, { PRE_IP, 17 } },
	[OFPXMT_OFB_UDP_DST] = { "udp_dst", V_DEC, 0, { PRE_IP, 17 } },
	[OFPXMT_OFB_SCTP_SRC] = { "sctp_src", V_DEC, 0, { PRE_IP, 132 } },
	[OFPXMT_OFB_SCTP_DST] = { "sctp_dst", V_DEC, 0, { PRE_IP, 132 } },
	[OFPXMT_OFB_ICMPV4_TYPE] = { "icmp_type", V_DEC, 0, { PRE_IP4, 1 } },
	[OFPXMT_OFB_ICMPV4_CODE] = { "icmp_code", V_DEC, 0, { PRE_IP4, 1 } },
	[OFPXMT_OFB_ARP_OP] = { "arp_op", V_DEC, 0, { { ETH_ARP, ETH_ARP } } },
	[OFPXMT_OFB_ARP_SPA] = { "arp_spa", V_IPV4, 0, { { ETH_ARP, ETH_ARP } } },
	[OFPXMT_OFB_ARP_TPA] = { "arp_tpa", V_IPV4, 0, { { ETH_ARP, ETH_ARP } } },
	[OFPXMT_OFB_ARP_SHA] = { "arp_sha", V_MAC, 0, { { ETH_ARP, ETH_ARP } } },
	[OFPXMT_OFB_ARP_THA] = { "arp_tha", V_MAC, 0, { { ETH_ARP, ETH_ARP } } },
	[OFPXMT_OFB_IPV6_SRC] = { "ipv6_src", V_IPV6, 0, { PRE_IP6 } },
	[OFPXMT_OFB_IPV6_DST] = { "ipv6_dst", V_IPV6, 0, { PRE_IP6 } },
	[OFPXMT_OFB_IPV6_FLABEL] = { "ipv6_label", V_HEX, 0xfffff, { PRE_IP6 } },
	[OFPXMT_OFB_ICMPV6_TYPE] = { "icmpv6_type", V_DEC, 0, { PRE_IP6, 58 } },
	[OFPXMT_OFB_ICMPV6_CODE] = { "icmpv6_code", V_DEC, 0, { PRE_IP6, 58 } },
	[OFPXMT_OFB_IPV6_ND_TARGET] = { "nd_target", V_IPV6, 0, { PRE_IP6, 58, { 135, 136 } } },
	[OFPXMT_OFB_IPV6_ND_SLL] = { "nd_sll", V_MAC, 0, { PRE_IP6, 58, { 135, 135 } } },
	[OFPXMT_OFB_IPV6_ND_TLL] = { "nd_tll", V_MAC, 0, { PRE_IP6, 58, { 136, 136 } } },
	[OFPXMT_OFB_MPLS_LABEL] = { "mpls_label", V_DEC, 0xfffff, { { ETH_MPLS, ETH_MPLS_MC } } },
	[OFPXMT_OFB_MPLS_TC] = { "mpls_tc", V_DEC, 7, { { ETH_MPLS, ETH_MPLS_MC } } },
	[OFPXMT_OFB_MPLS_BOS] = { "mpls_bos", V_DEC, 1, { { ETH_MPLS, ETH_MPLS_MC } } },
	[OFPXMT_OFB_PBB_ISID] = { "pbb_isid", V_DEC, 0, { { ETH_PBB, ETH_PBB } } },
	[OFPXMT_OFB_TUNNEL_ID] = { "tun_id", V_HEX, 0, { { 0 } } },
	[OFPXMT_OFB_IPV6_EXTHDR] = { "ipv6_exthdr", V_HEX, 0x1ff, { PRE_IP6 } },
};

static uint64_t
get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
put_be(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

/* Checks a set_field's field and value (OFPBAC_BAD_SET_*). */
static int
set_field_validate(const struct ofp_action *act, struct ofp_err *err)
{
	const struct oxm_field_info *fi = oxm_field_info(act->set_field.field);
	const struct set_field_info *sf;
	uint64_t v;

	if (!fi || !fi->settable)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	if (act->set_field.len != fi->len)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	sf = &set_fields[fi->field];
	if (!sf->max)
		return 0;
	v = get_be(act->set_field.value, fi->len);
	if (v > sf->max)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	/* As ovs-vswitchd: setting a VID needs OFPVID_PRESENT; there is no "set no tag". */
	if (fi->field == OFPXMT_OFB_VLAN_VID && !(v & OFPVID_PRESENT))
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	return 0;
}

static bool
port_valid_for_output(uint32_t port)
{
	return (port != 0 && port <= OFPP_MAX) || (port >= OFPP_IN_PORT && port != OFPP_ANY);
}

/* Checks one action's arguments: everything the wire decoder and the text parser
 * both must refuse. */
static int
action_validate(const struct ofp_action *act, unsigned opts, struct ofp_err *err)
{
	switch (act->type) {
	case OFPAT_OUTPUT:
		if (!port_valid_for_output(act->output.port))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_PORT);
		return 0;
	case OFPAT_GROUP:
		if (act->group_id > OFPG_MAX)
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
		return 0;
	case OFPAT_PUSH_VLAN:
		if (act->ethertype != ETH_VLAN && act->ethertype != ETH_QINQ)
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 0;
	case OFPAT_PUSH_MPLS:
		if (act->ethertype != ETH_MPLS && act->ethertype != ETH_MPLS_MC)
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 0;
	case OFPAT_PUSH_PBB:
		if (act->ethertype != ETH_PBB)
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_ARGUMENT);
		return 0;
	case OFPAT_SET_FIELD:
		return set_field_validate(act, err);
	case OFPAT_EXPERIMENTER:
		if (!(opts & OFP_ACTIONS_KEEP_EXPERIMENTER))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_EXPERIMENTER);
		return 0;
	default:
		return type_info(act->type) ? 0
					    : ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	}
}

/* Decodes the set_field TLV in an action of len bytes at p (len >= 8, multiple of 8). */
static int
set_field_decode(const uint8_t *p, size_t len, struct ofp_action *act, struct ofp_err *err)
{
	uint32_t h = get_be32(p + 4);
	const struct oxm_field_info *fi;

	if (OXM_CLASS(h) != OFPXMC_OPENFLOW_BASIC)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	fi = oxm_field_info(OXM_FIELD(h));
	if (!fi || !fi->settable)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	if (OXM_HASMASK(h))
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_ARGUMENT);
	if (OXM_LENGTH(h) != fi->len || 8u + fi->len > len)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_LEN);
	if (len != PFS_ROUND_UP(8u + fi->len, 8))
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	act->set_field.field = fi->field;
	act->set_field.len = fi->len;
	memcpy(act->set_field.value, p + 8, fi->len);
	return 0;
}

/* Decodes one action of len bytes at p (its header already checked for length). */
static int
action_decode(const uint8_t *p, size_t len, unsigned opts, struct arena *a, struct ofp_action *act,
	      struct ofp_err *err)
{
	const struct action_type *t = type_info(get_be16(p));
	int r = 0;

	if (!t)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
	if (t->len && len != t->len)
		return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
	act->type = get_be16(p);
	switch (t->arg) {
	case ARG_PORT:
		act->output.port = get_be32(p + 4);
		act->output.max_len = get_be16(p + 8);
		break;
	case ARG_TTL:
		act->ttl = p[4];
		break;
	case ARG_ETHERTYPE:
		act->ethertype = get_be16(p + 4);
		break;
	case ARG_QUEUE:
		act->queue_id = get_be32(p + 4);
		break;
	case ARG_GROUP:
		act->group_id = get_be32(p + 4);
		break;
	case ARG_FIELD:
		r = set_field_decode(p, len, act, err);
		break;
	case ARG_EXPERIMENTER:
		act->experimenter.experimenter = get_be32(p + 4);
		if (!(opts & OFP_ACTIONS_KEEP_EXPERIMENTER))
			break; /* refused below, nothing to copy */
		act->experimenter.len = (uint16_t)(len - 8);
		if (len > 8) {
			act->experimenter.data = arena_memdup(a, p + 8, len - 8);
			if (!act->experimenter.data)
				return -ENOMEM;
		}
		break;
	default:
		break;
	}
	return r ? r : action_validate(act, opts, err);
}

/* Walks the action headers: each at least 8 bytes, a multiple of 8 and inside len.
 * Counts them into *n. 0 or -EPROTO (BAD_LEN). */
static int
count_actions(const uint8_t *p, size_t len, size_t *n, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);

	*n = 0;
	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, OFP_ACTION_HEADER_LEN);
		uint16_t alen = h ? get_be16(h + 2) : 0;

		if (!h || alen < OFP_ACTION_HEADER_LEN || alen % 8 || !buf_pull(&c, alen))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_LEN);
		(*n)++;
	}
	return 0;
}

int
ofp_actions_decode_opts(const void *p, size_t len, unsigned opts, struct arena *a,
			struct ofp_action_list *out, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(p, len);
	size_t n;
	int r;

	out->actions = NULL;
	out->n = 0;
	r = count_actions(p, len, &n, err);
	if (r || !n)
		return r;
	out->actions = arena_calloc(a, n, sizeof *out->actions);
	if (!out->actions)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *h = buf_at(&c, 0, OFP_ACTION_HEADER_LEN);
		uint16_t alen = get_be16(h + 2);

		r = action_decode(buf_pull(&c, alen), alen, opts, a, &out->actions[i], err);
		if (r)
			return r;
	}
	out->n = n;
	return 0;
}

int
ofp_actions_decode(const void *p, size_t len, struct arena *a, struct ofp_action_list *out,
		   struct ofp_err *err)
{
	return ofp_actions_decode_opts(p, len, 0, a, out, err);
}

static size_t
action_wire_len(const struct ofp_action *act)
{
	const struct action_type *t = type_info(act->type);

	if (!t)
		return OFP_ACTION_HEADER_LEN;
	if (t->arg == ARG_FIELD)
		return PFS_ROUND_UP(8u + act->set_field.len, 8);
	if (t->arg == ARG_EXPERIMENTER)
		return PFS_ROUND_UP(8u + act->experimenter.len, 8);
	return t->len;
}

size_t
ofp_actions_wire_len(const struct ofp_action_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += action_wire_len(&l->actions[i]);
	return n;
}

static void
action_encode(const struct ofp_action *act, struct buf *b)
{
	const struct action_type *t = type_info(act->type);
	size_t start = b->size;

	buf_put_be16(b, act->type);
	buf_put_be16(b, (uint16_t)action_wire_len(act));
	switch (t ? t->arg : ARG_NONE) {
	case ARG_NONE:
		buf_put_zeros(b, 4);
		break;
	case ARG_PORT:
		buf_put_be32(b, act->output.port);
		buf_put_be16(b, act->output.max_len);
		buf_put_zeros(b, 6);
		break;
	case ARG_TTL:
		buf_put_u8(b, act->ttl);
		buf_put_zeros(b, 3);
		break;
	case ARG_ETHERTYPE:
		buf_put_be16(b, act->ethertype);
		buf_put_zeros(b, 2);
		break;
	case ARG_QUEUE:
		buf_put_be32(b, act->queue_id);
		break;
	case ARG_GROUP:
		buf_put_be32(b, act->group_id);
		break;
	case ARG_FIELD:
		buf_put_be32(b, OXM_HEADER(OFPXMC_OPENFLOW_BASIC, act->set_field.field, 0,
					   act->set_field.len));
		buf_put(b, act->set_field.value, PFS_MIN(act->set_field.len, 16));
		buf_pad_to(b, start, 8);
		break;
	case ARG_EXPERIMENTER:
		buf_put_be32(b, act->experimenter.experimenter);
		if (act->experimenter.len)
			buf_put(b, act->experimenter.data, act->experimenter.len);
		buf_pad_to(b, start, 8);
		break;
	}
}

void
ofp_actions_encode(const struct ofp_action_list *l, struct buf *b)
{
	for (size_t i = 0; i < l->n; i++)
		action_encode(&l->actions[i], b);
}

static bool
action_equal(const struct ofp_action *x, const struct ofp_action *y)
{
	const struct action_type *t = type_info(x->type);

	if (x->type != y->type)
		return false;
	switch (t ? t->arg : ARG_NONE) {
	case ARG_PORT:
		return x->output.port == y->output.port && x->output.max_len == y->output.max_len;
	case ARG_TTL:
		return x->ttl == y->ttl;
	case ARG_ETHERTYPE:
		return x->ethertype == y->ethertype;
	case ARG_QUEUE:
		return x->queue_id == y->queue_id;
	case ARG_GROUP:
		return x->group_id == y->group_id;
	case ARG_FIELD:
		return x->set_field.field == y->set_field.field &&
		       x->set_field.len == y->set_field.len &&
		       !memcmp(x->set_field.value, y->set_field.value,
			       PFS_MIN(x->set_field.len, 16));
	case ARG_EXPERIMENTER:
		return x->experimenter.experimenter == y->experimenter.experimenter &&
		       x->experimenter.len == y->experimenter.len &&
		       (!x->experimenter.len ||
			!memcmp(x->experimenter.data, y->experimenter.data, x->experimenter.len));
	default:
		return true;
	}
}

bool
ofp_actions_equal(const struct ofp_action_list *a, const struct ofp_action_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!action_equal(&a->actions[i], &b->actions[i]))
			return false;
	return true;
}

/* ---- Check against the match. ---- */

void
ofp_action_hdrs_init(struct ofp_action_hdrs *h, const struct ofp_match *m)
{
	h->eth_type = -1;
	h->ip_proto = -1;
	h->icmpv6_type = -1;
	h->vlan = -1;
	if (oxm_match_has(m, OFPXMT_OFB_ETH_TYPE) &&
	    get_be16(oxm_match_mask(m, OFPXMT_OFB_ETH_TYPE)) == 0xffff)
		h->eth_type = get_be16(oxm_match_value(m, OFPXMT_OFB_ETH_TYPE));
	if (oxm_match_has(m, OFPXMT_OFB_IP_PROTO) &&
	    *oxm_match_mask(m, OFPXMT_OFB_IP_PROTO) == 0xff)
		h->ip_proto = *oxm_match_value(m, OFPXMT_OFB_IP_PROTO);
	if (oxm_match_has(m, OFPXMT_OFB_ICMPV6_TYPE) &&
	    *oxm_match_mask(m, OFPXMT_OFB_ICMPV6_TYPE) == 0xff)
		h->icmpv6_type = *oxm_match_value(m, OFPXMT_OFB_ICMPV6_TYPE);
	if (oxm_match_has(m, OFPXMT_OFB_VLAN_VID) &&
	    (get_be16(oxm_match_mask(m, OFPXMT_OFB_VLAN_VID)) & OFPVID_PRESENT))
		h->vlan = (get_be16(oxm_match_value(m, OFPXMT_OFB_VLAN_VID)) & OFPVID_PRESENT) != 0;
}

static bool
eth_is(const struct ofp_action_hdrs *h, uint16_t a, uint16_t b)
{
	return h->eth_type == a || h->eth_type == b;
}

/* True if the state guarantees the prerequisites of set_field f. */
static bool
prereq_met(const struct ofp_action_hdrs *h, uint8_t f)
{
	const struct prereq *p = &set_fields[f].pre;

	if (p->vlan && h->vlan != 1)
		return false;
	if (p->eth[0] && !eth_is(h, p->eth[0], p->eth[1]))
		return false;
	if (p->proto && h->ip_proto != p->proto)
		return false;
	if (p->icmp6[0] && h->icmpv6_type != p->icmp6[0] && h->icmpv6_type != p->icmp6[1])
		return false;
	return true;
}

/* Applies one action to the header state; false if the state makes it impossible. */
static bool
hdrs_apply(struct ofp_action_hdrs *h, const struct ofp_action *act)
{
	bool known = h->eth_type >= 0;
	bool mpls = eth_is(h, ETH_MPLS, ETH_MPLS_MC), ip = eth_is(h, ETH_IP4, ETH_IP6);
	uint64_t v;

	switch (act->type) {
	case OFPAT_PUSH_VLAN:
		h->vlan = 1;
		return true;
	case OFPAT_POP_VLAN:
		if (h->vlan == 0)
			return false;
		h->vlan = -1;
		return true;
	case OFPAT_PUSH_MPLS:
	case OFPAT_POP_MPLS:
		if (act->type == OFPAT_POP_MPLS && known && !mpls)
			return false;
		h->eth_type = act->ethertype;
		h->ip_proto = h->icmpv6_type = -1;
		return true;
	case OFPAT_SET_MPLS_TTL:
	case OFPAT_DEC_MPLS_TTL:
		return !known || mpls;
	case OFPAT_COPY_TTL_IN:
	case OFPAT_COPY_TTL_OUT:
		return !known || mpls || ip;
	case OFPAT_SET_NW_TTL:
	case OFPAT_DEC_NW_TTL:
		return !known || ip;
	case OFPAT_PUSH_PBB:
		h->eth_type = ETH_PBB;
		h->vlan = -1;
		h->ip_proto = h->icmpv6_type = -1;
		return true;
	case OFPAT_POP_PBB:
		if (known && h->eth_type != ETH_PBB)
			return false;
		h->eth_type = h->vlan = -1;
		h->ip_proto = h->icmpv6_type = -1;
		return true;
	case OFPAT_SET_FIELD:
		if (act->set_field.field >= OFPXMT_OFB_N_FIELDS ||
		    !prereq_met(h, act->set_field.field))
			return false;
		v = get_be(act->set_field.value, PFS_MIN(act->set_field.len, 8));
		if (act->set_field.field == OFPXMT_OFB_ETH_TYPE) {
			h->eth_type = (int32_t)v;
			h->ip_proto = h->icmpv6_type = -1;
		} else if (act->set_field.field == OFPXMT_OFB_IP_PROTO) {
			h->ip_proto = (int16_t)v;
			h->icmpv6_type = -1;
		} else if (act->set_field.field == OFPXMT_OFB_ICMPV6_TYPE) {
			h->icmpv6_type = (int16_t)v;
		}
		return true;
	default:
		return true;
	}
}

int
ofp_actions_check_hdrs(const struct ofp_action_list *l, bool action_set, struct ofp_action_hdrs *h,
		       struct ofp_err *err)
{
	/* An action set runs in the spec's fixed order whatever the list order. */
	for (unsigned rank = 0; rank < (action_set ? N_SET_RANKS : 1); rank++) {
		for (size_t i = 0; i < l->n; i++) {
			const struct ofp_action *act = &l->actions[i];
			const struct action_type *t = type_info(act->type);

			if (action_set && (!t || t->set_rank != rank))
				continue;
			if (!hdrs_apply(h, act))
				return ofp_err_set(err, OFPET_BAD_ACTION,
						   OFPBAC_MATCH_INCONSISTENT);
		}
	}
	return 0;
}

int
ofp_actions_check(const struct ofp_action_list *l, const struct ofp_match *m, struct ofp_err *err)
{
	struct ofp_action_hdrs h;

	ofp_action_hdrs_init(&h, m);
	return ofp_actions_check_hdrs(l, false, &h, err);
}

/* ---- Text. ---- */

struct port_name {
	uint32_t port;
	const char *name;
};

static const struct port_name port_names[] = {
	{ OFPP_IN_PORT, "IN_PORT" }, { OFPP_TABLE, "TABLE" }, { OFPP_NORMAL, "NORMAL" },
	{ OFPP_FLOOD, "FLOOD" },     { OFPP_ALL, "ALL" },     { OFPP_CONTROLLER, "CONTROLLER" },
	{ OFPP_LOCAL, "LOCAL" },     { OFPP_ANY, "ANY" },
};

static const char *
reserved_port_name(uint32_t port)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_names); i++)
		if (port_names[i].port == port)
			return port_names[i].name;
	return NULL;
}

void
ofp_port_format(uint32_t port, struct buf *b)
{
	const char *name = reserved_port_name(port);

	if (name)
		buf_printf(b, "%s", name);
	else
		buf_printf(b, "%" PRIu32, port);
}

/* Parses an unsigned number (decimal or 0x hex) no larger than max. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
}

int
ofp_port_parse(const char *text, uint32_t *port)
{
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(port_names); i++) {
		if (!strcasecmp(text, port_names[i].name)) {
			*port = port_names[i].port;
			return 0;
		}
	}
	if (parse_uint(text, UINT32_MAX, &v))
		return -EINVAL;
	*port = (uint32_t)v;
	return 0;
}

static void
format_value(uint8_t field, const uint8_t *v, size_t len, struct buf *b)
{
	char ip6[INET6_ADDRSTRLEN];

	switch (field < OFPXMT_OFB_N_FIELDS ? set_fields[field].style : V_HEX) {
	case V_DEC:
		buf_printf(b, "%" PRIu64, get_be(v, PFS_MIN(len, 8)));
		break;
	case V_HEX:
		buf_printf(b, "%#" PRIx64, get_be(v, PFS_MIN(len, 8)));
		break;
	case V_ETHERTYPE:
		buf_printf(b, "0x%04" PRIx64, get_be(v, PFS_MIN(len, 8)));
		break;
	case V_MAC:
		buf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
		break;
	case V_IPV4:
		buf_printf(b, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
		break;
	case V_IPV6:
		buf_printf(b, "%s", inet_ntop(AF_INET6, v, ip6, sizeof ip6));
		break;
	}
}

static void
action_format(const struct ofp_action *act, struct buf *b)
{
	const struct action_type *t = type_info(act->type);
	const char *name;

	if (!t) {
		buf_printf(b, "unknown_action(%#x)", act->type);
		return;
	}
	switch (t->arg) {
	case ARG_NONE:
		buf_printf(b, "%s", t->text);
		break;
	case ARG_PORT:
		name = reserved_port_name(act->output.port);
		if (act->output.port == OFPP_CONTROLLER)
			buf_printf(b, "CONTROLLER:%u", act->output.max_len);
		else if (name)
			buf_printf(b, "%s", name);
		else
			buf_printf(b, "output:%" PRIu32, act->output.port);
		break;
	case ARG_TTL:
		/* ovs-ofctl: "set_mpls_ttl(10)" but "mod_nw_ttl:9". */
		buf_printf(b, act->type == OFPAT_SET_MPLS_TTL ? "%s(%u)" : "%s:%u", t->text,
			   act->ttl);
		break;
	case ARG_ETHERTYPE:
		buf_printf(b, "%s:0x%04x", t->text, act->ethertype);
		break;
	case ARG_QUEUE:
		buf_printf(b, "%s:%" PRIu32, t->text, act->queue_id);
		break;
	case ARG_GROUP:
		buf_printf(b, "%s:%" PRIu32, t->text, act->group_id);
		break;
	case ARG_FIELD:
		buf_printf(b, "set_field:");
		format_value(act->set_field.field, act->set_field.value, act->set_field.len, b);
		if (act->set_field.field < OFPXMT_OFB_N_FIELDS)
			buf_printf(b, "->%s", set_fields[act->set_field.field].name);
		else
			buf_printf(b, "->field%u", act->set_field.field);
		break;
	case ARG_EXPERIMENTER:
		buf_printf(b, "experimenter(%#" PRIx32 ",", act->experimenter.experimenter);
		for (size_t i = 0; i < act->experimenter.len; i++)
			buf_printf(b, "%02x", act->experimenter.data[i]);
		buf_printf(b, ")");
		break;
	}
}

void
ofp_actions_format(const struct ofp_action_list *l, struct buf *b)
{
	if (!l->n) {
		buf_printf(b, "drop");
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_printf(b, ",");
		action_format(&l->actions[i], b);
	}
}

/* Parsing. Errors go to errbuf as "TOKEN: reason". */

static int
fail(char *errbuf, size_t errlen, const char *token, const char *reason)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", token, reason);
	return -EINVAL;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned x[6];
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &n) !=
		    6 ||
	    s[n] || n != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)x[i];
	return 0;
}

/* Parses a set_field value for field f (oxm length len) into v. */
static int
parse_value(uint8_t f, size_t len, const char *s, uint8_t *v)
{
	uint64_t n;

	switch (set_fields[f].style) {
	case V_MAC:
		return parse_mac(s, v);
	case V_IPV4:
		return inet_pton(AF_INET, s, v) == 1 ? 0 : -EINVAL;
	case V_IPV6:
		return inet_pton(AF_INET6, s, v) == 1 ? 0 : -EINVAL;
	default:
		if (parse_uint(s, len >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * len)) - 1, &n))
			return -EINVAL;
		put_be(v, len, n);
		return 0;
	}
}

/* Looks a set_field destination up by ovs-ofctl's name, then by lib/oxm.c's names. */
static const struct oxm_field_info *
field_by_name(const char *name)
{
	for (uint8_t f = 0; f < OFPXMT_OFB_N_FIELDS; f++)
		if (!strcmp(set_fields[f].name, name))
			return oxm_field_info(f);
	return oxm_field_by_name(name);
}

/* Fills a set_field of field f from text value s. */
static int
make_set_field(struct ofp_action *act, uint8_t f, const char *s)
{
	const struct oxm_field_info *fi = oxm_field_info(f);

	if (!fi || strchr(s, '/'))
		return -EINVAL;
	act->type = OFPAT_SET_FIELD;
	act->set_field.field = f;
	act->set_field.len = fi->len;
	return parse_value(f, fi->len, s, act->set_field.value);
}

static int
parse_set_field(char *arg, struct ofp_action *act, const char *tok, char *errbuf, size_t errlen)
{
	char *arrow = strstr(arg, "->");
	const struct oxm_field_info *fi;

	if (!arrow)
		return fail(errbuf, errlen, tok, "expected set_field:VALUE->FIELD");
	*arrow = '\0';
	fi = field_by_name(arrow + 2);
	if (!fi)
		return fail(errbuf, errlen, tok, "unknown field");
	if (strchr(arg, '/'))
		return fail(errbuf, errlen, tok, "OpenFlow 1.3 set_field takes no mask");
	if (make_set_field(act, fi->field, arg))
		return fail(errbuf, errlen, tok, "bad value for the field");
	return 0;
}

/* ovs-ofctl's mod_* words: set_field of one field, the value possibly transformed. */
enum mod_xform { X_NONE, X_TOS, X_VID };

struct mod_word {
	const char *word;
	uint8_t field;
	uint8_t xform;
};

static const struct mod_word mod_words[] = {
	{ "mod_dl_src", OFPXMT_OFB_ETH_SRC, X_NONE },
	{ "mod_dl_dst", OFPXMT_OFB_ETH_DST, X_NONE },
	{ "mod_nw_src", OFPXMT_OFB_IPV4_SRC, X_NONE },
	{ "mod_nw_dst", OFPXMT_OFB_IPV4_DST, X_NONE },
	{ "mod_nw_tos", OFPXMT_OFB_IP_DSCP, X_TOS },
	{ "mod_nw_ecn", OFPXMT_OFB_IP_ECN, X_NONE },
	{ "mod_vlan_vid", OFPXMT_OFB_VLAN_VID, X_VID },
	{ "mod_vlan_pcp", OFPXMT_OFB_VLAN_PCP, X_NONE },
};

static int
parse_mod(const struct mod_word *w, const char *arg, struct ofp_action *act, const char *tok,
	  char *errbuf, size_t errlen)
{
	uint64_t v;

	if (w->xform == X_NONE) {
		if (!arg || make_set_field(act, w->field, arg))
			return fail(errbuf, errlen, tok, "bad value");
		return 0;
	}
	if (!arg || parse_uint(arg, w->xform == X_TOS ? 255 : 4095, &v) ||
	    (w->xform == X_TOS && (v & 3)))
		return fail(errbuf, errlen, tok, "bad value");
	v = w->xform == X_TOS ? v >> 2 : v | OFPVID_PRESENT;
	act->type = OFPAT_SET_FIELD;
	act->set_field.field = w->field;
	act->set_field.len = oxm_field_info(w->field)->len;
	put_be(act->set_field.value, act->set_field.len, v);
	return 0;
}

/* Keywords without special syntax: the word, its action and its argument kind. */
struct action_word {
	const char *word;
	uint16_t type;
};

static const struct action_word action_words[] = {
	{ "copy_ttl_out", OFPAT_COPY_TTL_OUT },
	{ "copy_ttl_in", OFPAT_COPY_TTL_IN },
	{ "set_mpls_ttl", OFPAT_SET_MPLS_TTL },
	{ "dec_mpls_ttl", OFPAT_DEC_MPLS_TTL },
	{ "push_vlan", OFPAT_PUSH_VLAN },
	{ "pop_vlan", OFPAT_POP_VLAN },
	{ "strip_vlan", OFPAT_POP_VLAN },
	{ "push_mpls", OFPAT_PUSH_MPLS },
	{ "pop_mpls", OFPAT_POP_MPLS },
	{ "set_queue", OFPAT_SET_QUEUE },
	{ "group", OFPAT_GROUP },
	{ "mod_nw_ttl", OFPAT_SET_NW_TTL },
	{ "set_nw_ttl", OFPAT_SET_NW_TTL },
	{ "dec_ttl", OFPAT_DEC_NW_TTL },
	{ "dec_nw_ttl", OFPAT_DEC_NW_TTL },
	{ "push_pbb", OFPAT_PUSH_PBB },
	{ "pop_pbb", OFPAT_POP_PBB },
};

static int
parse_word(const struct action_word *w, const char *arg, struct ofp_action *act, const char *tok,
	   char *errbuf, size_t errlen)
{
	static const uint64_t arg_max[] = {
		[ARG_TTL] = UINT8_MAX,
		[ARG_ETHERTYPE] = UINT16_MAX,
		[ARG_QUEUE] = UINT32_MAX,
		[ARG_GROUP] = UINT32_MAX,
	};
	const struct action_type *t = type_info(w->type);
	uint64_t v = 0;

	act->type = w->type;
	if (t->arg == ARG_NONE)
		return arg ? fail(errbuf, errlen, tok, "takes no argument") : 0;
	if (!arg || parse_uint(arg, arg_max[t->arg], &v))
		return fail(errbuf, errlen, tok, "bad or missing number");
	if (t->arg == ARG_TTL)
		act->ttl = (uint8_t)v;
	else if (t->arg == ARG_ETHERTYPE)
		act->ethertype = (uint16_t)v;
	else if (t->arg == ARG_QUEUE)
		act->queue_id = (uint32_t)v;
	else
		act->group_id = (uint32_t)v;
	return 0;
}

/* "output:PORT", "output:CONTROLLER:N", "output(port=P,max_len=N)". */
static int
parse_output(char *arg, bool paren, struct ofp_action *act, const char *tok, char *errbuf,
	     size_t errlen)
{
	uint64_t v;
	char *colon;

	act->type = OFPAT_OUTPUT;
	if (!arg)
		return fail(errbuf, errlen, tok, "missing port");
	if (paren) {
		char *save = NULL;
		bool have_port = false;

		for (char *kv = strtok_r(arg, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
			if (!strncmp(kv, "port=", 5) && !ofp_port_parse(kv + 5, &act->output.port))
				have_port = true;
			else if (!strncmp(kv, "max_len=", 8) && !parse_uint(kv + 8, UINT16_MAX, &v))
				act->output.max_len = (uint16_t)v;
			else
				return fail(errbuf, errlen, tok, "expected port=P,max_len=N");
		}
		return have_port ? 0 : fail(errbuf, errlen, tok, "missing port");
	}
	colon = strchr(arg, ':');
	if (colon)
		*colon = '\0';
	if (ofp_port_parse(arg, &act->output.port))
		return fail(errbuf, errlen, tok, "bad port");
	if (act->output.port == OFPP_CONTROLLER)
		act->output.max_len = OFPCML_NO_BUFFER;
	if (colon && (act->output.port != OFPP_CONTROLLER || parse_uint(colon + 1, UINT16_MAX, &v)))
		return fail(errbuf, errlen, tok, "bad max_len");
	if (colon)
		act->output.max_len = (uint16_t)v;
	return 0;
}

/* "controller", "controller:N", "controller(max_len=N)". */
static int
parse_controller(const char *arg, bool paren, struct ofp_action *act, const char *tok, char *errbuf,
		 size_t errlen)
{
	uint64_t v = OFPCML_NO_BUFFER;

	act->type = OFPAT_OUTPUT;
	act->output.port = OFPP_CONTROLLER;
	if (arg && paren && strncmp(arg, "max_len=", 8))
		return fail(errbuf, errlen, tok, "expected controller(max_len=N)");
	if (arg && parse_uint(paren ? arg + 8 : arg, UINT16_MAX, &v))
		return fail(errbuf, errlen, tok, "bad max_len");
	act->output.max_len = (uint16_t)v;
	return 0;
}

/* "experimenter(ID,HEXDATA)". */
static int
parse_experimenter(char *arg, struct arena *a, struct ofp_action *act, const char *tok,
		   char *errbuf, size_t errlen)
{
	char *comma = arg ? strchr(arg, ',') : NULL;
	const char *hex = comma ? comma + 1 : "";
	size_t n = strlen(hex);
	uint8_t *data = NULL;
	uint64_t v;

	if (comma)
		*comma = '\0';
	if (!arg || parse_uint(arg, UINT32_MAX, &v) || n % 2 || n / 2 > UINT16_MAX - 16)
		return fail(errbuf, errlen, tok, "expected experimenter(ID,HEXDATA)");
	if (n) {
		data = arena_alloc(a, n / 2);
		if (!data)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n / 2; i++) {
		unsigned x;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) || sscanf(hex + 2 * i, "%2x", &x) != 1)
			return fail(errbuf, errlen, tok, "bad data");
		data[i] = (uint8_t)x;
	}
	act->type = OFPAT_EXPERIMENTER;
	act->experimenter.experimenter = (uint32_t)v;
	act->experimenter.len = (uint16_t)(n / 2);
	act->experimenter.data = data;
	return 0;
}

/* Copies token t into out (size n >= 1), cut to fit, for error messages. */
static void
copy_token(char *out, size_t n, const char *t)
{
	size_t len = PFS_MIN(strlen(t), n - 1);

	memcpy(out, t, len);
	out[len] = '\0';
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Splits tok into a keyword and its argument: "word:arg", "word(arg)" or "word". */
static int
split_token(char *tok, char **word, char **arg, bool *paren)
{
	size_t n = strcspn(tok, ":(");

	*word = tok;
	*arg = NULL;
	*paren = tok[n] == '(';
	if (!tok[n])
		return 0;
	if (*paren) {
		size_t len = strlen(tok);

		if (tok[len - 1] != ')')
			return -EINVAL;
		tok[len - 1] = '\0';
	}
	tok[n] = '\0';
	*arg = tok + n + 1;
	return 0;
}

static int
parse_action(char *tok, struct arena *a, struct ofp_action *act, char *errbuf, size_t errlen)
{
	char copy[80]; /* the token as written, for messages (long ones cut) */
	char *word, *arg;
	bool paren;
	uint32_t port;
	int r;

	copy_token(copy, sizeof copy, tok);
	if (split_token(tok, &word, &arg, &paren))
		return fail(errbuf, errlen, copy, "unbalanced parentheses");
	if (!strcasecmp(word, "output"))
		r = parse_output(arg, paren, act, copy, errbuf, errlen);
	else if (!strcasecmp(word, "controller"))
		r = parse_controller(arg, paren, act, copy, errbuf, errlen);
	else if (!strcmp(word, "set_field"))
		r = arg && !paren ? parse_set_field(arg, act, copy, errbuf, errlen)
				  : fail(errbuf, errlen, copy, "expected set_field:VALUE->FIELD");
	else if (!strcmp(word, "experimenter"))
		r = parse_experimenter(arg, a, act, copy, errbuf, errlen);
	else if (!arg && !ofp_port_parse(word, &port)) {
		act->type = OFPAT_OUTPUT;
		act->output.port = port;
		act->output.max_len = port == OFPP_CONTROLLER ? OFPCML_NO_BUFFER : 0;
		r = 0;
	} else {
		r = 1;
		for (size_t i = 0; r == 1 && i < ARRAY_SIZE(action_words); i++)
			if (!strcmp(word, action_words[i].word))
				r = parse_word(&action_words[i], arg, act, copy, errbuf, errlen);
		for (size_t i = 0; r == 1 && i < ARRAY_SIZE(mod_words); i++)
			if (!strcmp(word, mod_words[i].word))
				r = parse_mod(&mod_words[i], arg, act, copy, errbuf, errlen);
		if (r == 1 && (!strcmp(word, "mod_tp_src") || !strcmp(word, "mod_tp_dst")))
			return fail(errbuf, errlen, copy,
				    "needs the match; use set_field:N->tcp_src (udp_, sctp_)");
		if (r == 1)
			return fail(errbuf, errlen, copy, "unknown action");
	}
	if (r)
		return r;
	if (action_validate(act, OFP_ACTIONS_KEEP_EXPERIMENTER, NULL))
		return fail(errbuf, errlen, copy, "invalid argument for this action");
	return 0;
}

/* Splits s at top-level commas in place; returns the number of pieces (>= 1) or -1 for
 * unbalanced parentheses. Pieces are separated by NULs. */
static int
split_commas(char *s)
{
	int depth = 0, n = 1;

	for (; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return -1;
		else if (*s == ',' && !depth) {
			*s = '\0';
			n++;
		}
	}
	return depth ? -1 : n;
}

int
ofp_actions_parse(const char *text, struct arena *a, struct ofp_action_list *out, char *errbuf,
		  size_t errlen)
{
	size_t len = strlen(text);
	char *s = pfs_malloc(len + 1), *p;
	int n, r = 0;

	out->actions = NULL;
	out->n = 0;
	if (!s)
		return -ENOMEM;
	memcpy(s, text, len + 1);
	p = trim(s);
	if (!*p || !strcasecmp(p, "drop"))
		goto out;
	n = split_commas(p);
	if (n < 0) {
		r = fail(errbuf, errlen, text, "unbalanced parentheses");
		goto out;
	}
	out->actions = arena_calloc(a, (size_t)n, sizeof *out->actions);
	if (!out->actions) {
		r = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char *next = p + strlen(p) + 1; /* before p is cut up in place */
		char *tok = trim(p);

		p = next;
		if (!*tok) {
			r = fail(errbuf, errlen, text, "empty action");
			goto out;
		}
		if (!strcasecmp(tok, "drop")) {
			r = fail(errbuf, errlen, tok,
				 "drop must not be combined with other actions");
			goto out;
		}
		r = parse_action(tok, a, &out->actions[i], errbuf, errlen);
		if (r)
			goto out;
	}
	out->n = (size_t)n;
out:
	free(s);
	if (r)
		out->n = 0;
	return r;
}
