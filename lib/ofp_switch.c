/* Switch control messages (hello, echo, experimenter, features, config, role, async,
 * queue config, the empty requests) and the OFPMP_DESC body; see ofp_switch.h. Uses
 * buf.h's cursor for every untrusted byte, arena.h for decoded lists and byte strings,
 * and ofp_msg.h for framing. */
#include "ofp_switch.h"

#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_bundle.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

/* Bitmap word 0 of the versions we speak: OpenFlow 1.3 only. */
#define OUR_VERSION_BITMAP (1u << OFP13_VERSION)

static int
bad_len(struct ofp_err *err)
{
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

/* Copies n bytes into the arena (NULL for n == 0). 0 or -ENOMEM. */
static int
dup_bytes(struct arena *a, const void *p, size_t n, const uint8_t **out)
{
	*out = NULL;
	if (!n)
		return 0;
	*out = arena_memdup(a, p, n);
	return *out ? 0 : -ENOMEM;
}

/* The message body after the 8-byte header as a cursor. */
static struct buf_cursor
body_cursor(const void *msg, size_t len)
{
	return buf_cursor((const uint8_t *)msg + OFP_HEADER_LEN, len - OFP_HEADER_LEN);
}

static uint8_t
msg_type(const void *msg)
{
	return ((const uint8_t *)msg)[1];
}

static void
hex_dump(const uint8_t *p, size_t n, size_t max, struct buf *b)
{
	size_t shown = PFS_MIN(n, max);

	for (size_t i = 0; i < shown; i++)
		buf_printf(b, "%s%02x", i % 16 ? " " : (i ? "\n" : ""), p[i]);
	if (shown < n)
		buf_printf(b, " ...");
}

/* Writes a set of flag bits with one name per bit (NULL = print the bit number). */
static void
bits_format(uint32_t bits, const char *const *names, size_t n_names, struct buf *b)
{
	const char *sep = "";

	for (unsigned i = 0; i < 32; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (i < n_names && names[i])
			buf_printf(b, "%s%s", sep, names[i]);
		else
			buf_printf(b, "%s0x%x", sep, 1u << i);
		sep = " ";
	}
}

static const char *const reserved_port_names[] = {
	[OFPP_IN_PORT - OFPP_IN_PORT] = "IN_PORT", [OFPP_TABLE - OFPP_IN_PORT] = "TABLE",
	[OFPP_NORMAL - OFPP_IN_PORT] = "NORMAL",   [OFPP_FLOOD - OFPP_IN_PORT] = "FLOOD",
	[OFPP_ALL - OFPP_IN_PORT] = "ALL",	   [OFPP_CONTROLLER - OFPP_IN_PORT] = "CONTROLLER",
	[OFPP_LOCAL - OFPP_IN_PORT] = "LOCAL",	   [OFPP_ANY - OFPP_IN_PORT] = "ANY",
};

/* Port text as ovs-ofctl writes it (kept local so this file does not depend on the
 * action codec). */
static void
port_format(uint32_t port, struct buf *b)
{
	if (port >= OFPP_IN_PORT)
		buf_printf(b, "%s", reserved_port_names[port - OFPP_IN_PORT]);
	else
		buf_printf(b, "%" PRIu32, port);
}

/* ---- Empty-bodied messages ---------------------------------------------------------- */

static const bool empty_types[OFPT_N_TYPES] = {
	[OFPT_FEATURES_REQUEST] = true,	 [OFPT_GET_CONFIG_REQUEST] = true,
	[OFPT_BARRIER_REQUEST] = true,	 [OFPT_BARRIER_REPLY] = true,
	[OFPT_GET_ASYNC_REQUEST] = true,
};

bool
ofp_empty_type(uint8_t type)
{
	return type < OFPT_N_TYPES && empty_types[type];
}

int
ofp_empty_decode(const void *msg, size_t len, struct ofp_err *err)
{
	if (!ofp_empty_type(msg_type(msg)))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	if (len != OFP_HEADER_LEN)
		return bad_len(err);
	return 0;
}

int
ofp_empty_encode(uint8_t type, uint32_t xid, struct buf *b)
{
	if (!ofp_empty_type(type))
		return -EINVAL;
	return ofp_msg_finish(b, ofp_msg_start(b, type, xid));
}

/* ---- HELLO --------------------------------------------------------------------------- */

/* Pulls one hello element and its padding: its type and its body as a sub-cursor.
 * 0 or -EPROTO (BAD_LEN). */
static int
hello_elem_pull(struct buf_cursor *c, uint16_t *type, struct buf_cursor *body, struct ofp_err *err)
{
	uint16_t elen;
	size_t pad;

	if (!buf_pull_be16(c, type) || !buf_pull_be16(c, &elen))
		return bad_len(err);
	if (elen < OFP_HELLO_ELEM_HEADER_LEN ||
	    !buf_pull_sub(c, elen - OFP_HELLO_ELEM_HEADER_LEN, body))
		return bad_len(err);
	if (*type == OFPHET_VERSIONBITMAP && body->left % 4)
		return bad_len(err);
	/* Elements are padded to 8; tolerate a last element sent without its padding. */
	pad = PFS_ROUND_UP(elen, 8) - elen;
	buf_pull(c, PFS_MIN(pad, c->left));
	return 0;
}

static int
hello_elem_fill(struct buf_cursor *body, uint16_t type, struct arena *a, struct ofp_hello_elem *e)
{
	e->type = type;
	if (type != OFPHET_VERSIONBITMAP) {
		e->body.len = body->left;
		return dup_bytes(a, body->p, body->left, &e->body.data);
	}
	e->bitmap.n = body->left / 4;
	if (!e->bitmap.n)
		return 0;
	e->bitmap.words = arena_calloc(a, e->bitmap.n, sizeof *e->bitmap.words);
	if (!e->bitmap.words)
		return -ENOMEM;
	for (size_t i = 0; i < e->bitmap.n; i++)
		buf_pull_be32(body, &e->bitmap.words[i]);
	return 0;
}

int
ofp_hello_decode(const void *msg, size_t len, struct arena *a, struct ofp_hello *out,
		 struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len), body;
	uint16_t type;
	size_t n = 0;
	int r;

	memset(out, 0, sizeof *out);
	if (((const uint8_t *)msg)[0] < OFP13_VERSION)
		return 0;
	/* First pass validates and counts, second fills. */
	for (struct buf_cursor v = c; v.left; n++) {
		r = hello_elem_pull(&v, &type, &body, err);
		if (r)
			return r;
	}
	if (!n)
		return 0;
	out->elems = arena_calloc(a, n, sizeof *out->elems);
	if (!out->elems)
		return -ENOMEM;
	for (out->n = 0; out->n < n; out->n++) {
		hello_elem_pull(&c, &type, &body, err);
		r = hello_elem_fill(&body, type, a, &out->elems[out->n]);
		if (r)
			return r;
	}
	return 0;
}

static size_t
hello_elem_len(const struct ofp_hello_elem *e)
{
	if (e->type == OFPHET_VERSIONBITMAP)
		return OFP_HELLO_ELEM_HEADER_LEN + 4 * e->bitmap.n;
	return OFP_HELLO_ELEM_HEADER_LEN + e->body.len;
}

int
ofp_hello_encode(const struct ofp_hello *in, uint32_t xid, struct buf *b)
{
	size_t start;

	for (size_t i = 0; i < in->n; i++)
		if (in->elems[i].bitmap.n > UINT16_MAX || in->elems[i].body.len > UINT16_MAX ||
		    hello_elem_len(&in->elems[i]) > UINT16_MAX)
			return -EINVAL;
	start = ofp_msg_start(b, OFPT_HELLO, xid);
	for (size_t i = 0; i < in->n; i++) {
		const struct ofp_hello_elem *e = &in->elems[i];
		size_t elem = b->size;

		buf_put_be16(b, e->type);
		buf_put_be16(b, (uint16_t)hello_elem_len(e));
		if (e->type == OFPHET_VERSIONBITMAP)
			for (size_t w = 0; w < e->bitmap.n; w++)
				buf_put_be32(b, e->bitmap.words[w]);
		else
			buf_put(b, e->body.data, e->body.len);
		buf_pad_to(b, elem, 8);
	}
	return ofp_msg_finish(b, start);
}

int
ofp_hello_encode_default(uint32_t xid, struct buf *b)
{
	uint32_t word = OUR_VERSION_BITMAP;
	struct ofp_hello_elem e = { .type = OFPHET_VERSIONBITMAP, .bitmap = { &word, 1 } };
	struct ofp_hello h = { &e, 1 };

	return ofp_hello_encode(&h, xid, b);
}

void
ofp_hello_format(const struct ofp_hello *in, struct buf *b)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct ofp_hello_elem *e = &in->elems[i];
		const char *sep = " ";

		if (i)
			buf_printf(b, "\n");
		if (e->type != OFPHET_VERSIONBITMAP) {
			buf_printf(b, "unknown element type=%u len=%zu", e->type, e->body.len);
			continue;
		}
		buf_printf(b, "version bitmap:");
		for (size_t v = 0; v < 32 * e->bitmap.n; v++) {
			if (e->bitmap.words[v / 32] & (1u << (v % 32))) {
				buf_printf(b, "%s0x%02zx", sep, v);
				sep = ", ";
			}
		}
	}
}

int
ofp_hello_negotiate(const struct ofp_hello *peer, uint8_t peer_header_version, uint8_t *version)
{
	*version = PFS_MIN(OFP13_VERSION, peer_header_version);
	for (size_t i = 0; i < peer->n; i++) {
		const struct ofp_hello_elem *e = &peer->elems[i];
		uint32_t common;

		if (e->type != OFPHET_VERSIONBITMAP)
			continue;
		/* Our bitmap has a single word, so only the peer's word 0 can intersect. */
		common = e->bitmap.n ? e->bitmap.words[0] & OUR_VERSION_BITMAP : 0;
		*version = common ? (uint8_t)(31 - __builtin_clz(common)) : 0;
		break;
	}
	return *version == OFP13_VERSION ? 0 : -EPROTO;
}

/* ---- ECHO ---------------------------------------------------------------------------- */

int
ofp_echo_decode(const void *msg, size_t len, struct arena *a, struct ofp_echo *out,
		struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)err;
	out->data.len = c.left;
	return dup_bytes(a, c.p, c.left, &out->data.data);
}

int
ofp_echo_encode(const struct ofp_echo *in, uint8_t type, uint32_t xid, struct buf *b)
{
	size_t start;

	if (type != OFPT_ECHO_REQUEST && type != OFPT_ECHO_REPLY)
		return -EINVAL;
	start = ofp_msg_start(b, type, xid);
	buf_put(b, in->data.data, in->data.len);
	return ofp_msg_finish(b, start);
}

void
ofp_echo_format(const struct ofp_echo *in, struct buf *b)
{
	buf_printf(b, "%zu bytes of payload", in->data.len);
	if (in->data.len) {
		buf_printf(b, "\n");
		hex_dump(in->data.data, in->data.len, 64, b);
	}
}

/* ---- EXPERIMENTER ------------------------------------------------------------------- */

int
ofp_experimenter_decode(const void *msg, size_t len, struct arena *a, struct ofp_experimenter *out,
			struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	if (!buf_pull_be32(&c, &out->experimenter) || !buf_pull_be32(&c, &out->exp_type))
		return bad_len(err);
	out->data.len = c.left;
	return dup_bytes(a, c.p, c.left, &out->data.data);
}

int
ofp_experimenter_encode(const struct ofp_experimenter *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_EXPERIMENTER, xid);

	buf_put_be32(b, in->experimenter);
	buf_put_be32(b, in->exp_type);
	buf_put(b, in->data.data, in->data.len);
	return ofp_msg_finish(b, start);
}

void
ofp_experimenter_format(const struct ofp_experimenter *in, struct buf *b)
{
	if (ofp_bundle_is_bundle(in)) {
		ofp_bundle_format(in, b);
		return;
	}
	buf_printf(b, "experimenter=0x%08" PRIx32 " exp_type=%" PRIu32 " data_len=%zu",
		   in->experimenter, in->exp_type, in->data.len);
}

/* ---- FEATURES_REPLY ------------------------------------------------------------------- */

int
ofp_features_reply_decode(const void *msg, size_t len, struct arena *a,
			  struct ofp_switch_features *out, struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)a;
	if (len != OFP_SWITCH_FEATURES_LEN)
		return bad_len(err);
	buf_pull_be64(&c, &out->datapath_id);
	buf_pull_be32(&c, &out->n_buffers);
	buf_pull_u8(&c, &out->n_tables);
	buf_pull_u8(&c, &out->auxiliary_id);
	buf_pull(&c, 2);
	buf_pull_be32(&c, &out->capabilities);
	buf_pull_be32(&c, &out->reserved);
	return 0;
}

int
ofp_features_reply_encode(const struct ofp_switch_features *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_FEATURES_REPLY, xid);

	buf_put_be64(b, in->datapath_id);
	buf_put_be32(b, in->n_buffers);
	buf_put_u8(b, in->n_tables);
	buf_put_u8(b, in->auxiliary_id);
	buf_put_zeros(b, 2);
	buf_put_be32(b, in->capabilities);
	buf_put_be32(b, in->reserved);
	return ofp_msg_finish(b, start);
}

static const char *const capability_names[] = {
	[0] = "FLOW_STATS", [1] = "TABLE_STATS", [2] = "PORT_STATS",   [3] = "GROUP_STATS",
	[5] = "IP_REASM",   [6] = "QUEUE_STATS", [8] = "PORT_BLOCKED",
};

void
ofp_features_reply_format(const struct ofp_switch_features *in, struct buf *b)
{
	buf_printf(b, "dpid:%016" PRIx64 "\nn_tables:%u, n_buffers:%" PRIu32, in->datapath_id,
		   in->n_tables, in->n_buffers);
	if (in->auxiliary_id)
		buf_printf(b, ", auxiliary_id:%u", in->auxiliary_id);
	buf_printf(b, "\ncapabilities: ");
	bits_format(in->capabilities, capability_names, ARRAY_SIZE(capability_names), b);
}

/* ---- GET_CONFIG_REPLY / SET_CONFIG ----------------------------------------------------- */

int
ofp_switch_config_decode(const void *msg, size_t len, struct arena *a,
			 struct ofp_switch_config *out, struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)a;
	if (len != OFP_SWITCH_CONFIG_LEN)
		return bad_len(err);
	buf_pull_be16(&c, &out->flags);
	buf_pull_be16(&c, &out->miss_send_len);
	if (msg_type(msg) == OFPT_SET_CONFIG && (out->flags & ~OFPC_FRAG_MASK))
		return ofp_err_set(err, OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
	return 0;
}

int
ofp_switch_config_encode(const struct ofp_switch_config *in, uint8_t type, uint32_t xid,
			 struct buf *b)
{
	size_t start;

	if (type != OFPT_GET_CONFIG_REPLY && type != OFPT_SET_CONFIG)
		return -EINVAL;
	start = ofp_msg_start(b, type, xid);
	buf_put_be16(b, in->flags);
	buf_put_be16(b, in->miss_send_len);
	return ofp_msg_finish(b, start);
}

static const char *const frag_names[] = {
	[OFPC_FRAG_NORMAL] = "normal",
	[OFPC_FRAG_DROP] = "drop",
	[OFPC_FRAG_REASM] = "reassemble",
	[OFPC_FRAG_MASK] = "drop,reassemble",
};

void
ofp_switch_config_format(const struct ofp_switch_config *in, struct buf *b)
{
	buf_printf(b, "frags=%s", frag_names[in->flags & OFPC_FRAG_MASK]);
	if (in->flags & ~OFPC_FRAG_MASK)
		buf_printf(b, " flags=0x%x", in->flags);
	if (in->miss_send_len == OFPCML_NO_BUFFER)
		buf_printf(b, " miss_send_len=NO_BUFFER");
	else
		buf_printf(b, " miss_send_len=%u", in->miss_send_len);
}

/* ---- ROLE_REQUEST / ROLE_REPLY --------------------------------------------------------- */

static const char *const role_names[] = {
	[OFPCR_ROLE_NOCHANGE] = "nochange",
	[OFPCR_ROLE_EQUAL] = "equal",
	[OFPCR_ROLE_MASTER] = "master",
	[OFPCR_ROLE_SLAVE] = "slave",
};

const char *
ofp_role_name(uint32_t role)
{
	return role < ARRAY_SIZE(role_names) ? role_names[role] : NULL;
}

int
ofp_role_decode(const void *msg, size_t len, struct arena *a, struct ofp_role *out,
		struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)a;
	if (len != OFP_ROLE_REQUEST_LEN)
		return bad_len(err);
	buf_pull_be32(&c, &out->role);
	buf_pull(&c, 4);
	buf_pull_be64(&c, &out->generation_id);
	if (out->role > OFPCR_ROLE_SLAVE)
		return ofp_err_set(err, OFPET_ROLE_REQUEST_FAILED, OFPRRFC_BAD_ROLE);
	return 0;
}

int
ofp_role_encode(const struct ofp_role *in, uint8_t type, uint32_t xid, struct buf *b)
{
	size_t start;

	if ((type != OFPT_ROLE_REQUEST && type != OFPT_ROLE_REPLY) || in->role > OFPCR_ROLE_SLAVE)
		return -EINVAL;
	start = ofp_msg_start(b, type, xid);
	buf_put_be32(b, in->role);
	buf_put_zeros(b, 4);
	buf_put_be64(b, in->generation_id);
	return ofp_msg_finish(b, start);
}

void
ofp_role_format(const struct ofp_role *in, struct buf *b)
{
	const char *name = ofp_role_name(in->role);

	if (name)
		buf_printf(b, "role=%s", name);
	else
		buf_printf(b, "role=%" PRIu32, in->role);
	buf_printf(b, " generation_id=%" PRIu64, in->generation_id);
}

/* ---- GET_ASYNC_REPLY / SET_ASYNC ----------------------------------------------------- */

int
ofp_async_config_decode(const void *msg, size_t len, struct arena *a, struct ofp_async_config *out,
			struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)a;
	if (len != OFP_ASYNC_CONFIG_LEN)
		return bad_len(err);
	for (int i = 0; i < 2; i++)
		buf_pull_be32(&c, &out->packet_in_mask[i]);
	for (int i = 0; i < 2; i++)
		buf_pull_be32(&c, &out->port_status_mask[i]);
	for (int i = 0; i < 2; i++)
		buf_pull_be32(&c, &out->flow_removed_mask[i]);
	return 0;
}

int
ofp_async_config_encode(const struct ofp_async_config *in, uint8_t type, uint32_t xid,
			struct buf *b)
{
	size_t start;

	if (type != OFPT_GET_ASYNC_REPLY && type != OFPT_SET_ASYNC)
		return -EINVAL;
	start = ofp_msg_start(b, type, xid);
	for (int i = 0; i < 2; i++)
		buf_put_be32(b, in->packet_in_mask[i]);
	for (int i = 0; i < 2; i++)
		buf_put_be32(b, in->port_status_mask[i]);
	for (int i = 0; i < 2; i++)
		buf_put_be32(b, in->flow_removed_mask[i]);
	return ofp_msg_finish(b, start);
}

static const char *const packet_in_reason_names[] = { "no_match", "action", "invalid_ttl" };
static const char *const port_reason_names[] = { "add", "delete", "modify" };
static const char *const flow_removed_reason_names[] = { "idle", "hard", "delete", "group_delete",
							 "meter_delete" };

static void
async_mask_format(const char *label, uint32_t mask, const char *const *names, size_t n,
		  struct buf *b)
{
	buf_printf(b, "%16s: ", label);
	if (!mask)
		buf_printf(b, "(off)");
	bits_format(mask, names, n, b);
	buf_printf(b, "\n");
}

void
ofp_async_config_format(const struct ofp_async_config *in, struct buf *b)
{
	static const char *const role[2] = { "master", "slave" };

	for (int i = 0; i < 2; i++) {
		buf_printf(b, "\n %s:\n", role[i]);
		async_mask_format("PACKET_IN", in->packet_in_mask[i], packet_in_reason_names,
				  ARRAY_SIZE(packet_in_reason_names), b);
		async_mask_format("PORT_STATUS", in->port_status_mask[i], port_reason_names,
				  ARRAY_SIZE(port_reason_names), b);
		async_mask_format("FLOW_REMOVED", in->flow_removed_mask[i],
				  flow_removed_reason_names, ARRAY_SIZE(flow_removed_reason_names),
				  b);
	}
}

/* ---- QUEUE_GET_CONFIG_REQUEST / REPLY ----------------------------------------------------- */

int
ofp_queue_get_config_request_decode(const void *msg, size_t len, struct arena *a,
				    struct ofp_queue_get_config_request *out, struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len);

	(void)a;
	if (len != OFP_QUEUE_GET_CONFIG_REQUEST_LEN)
		return bad_len(err);
	buf_pull_be32(&c, &out->port);
	if (out->port == 0 || (out->port > OFPP_MAX && out->port != OFPP_ANY))
		return ofp_err_set(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	return 0;
}

int
ofp_queue_get_config_request_encode(const struct ofp_queue_get_config_request *in, uint32_t xid,
				    struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_QUEUE_GET_CONFIG_REQUEST, xid);

	buf_put_be32(b, in->port);
	buf_put_zeros(b, 4);
	return ofp_msg_finish(b, start);
}

void
ofp_queue_get_config_request_format(const struct ofp_queue_get_config_request *in, struct buf *b)
{
	buf_printf(b, "port=");
	port_format(in->port, b);
}

/* Pulls one queue property; fills *p unless p is NULL (validation pass). 0, -EPROTO
 * (BAD_LEN) or -ENOMEM. */
static int
queue_prop_pull(struct buf_cursor *c, struct arena *a, struct ofp_queue_prop *p,
		struct ofp_err *err)
{
	struct ofp_queue_prop tmp = { 0 };
	struct buf_cursor body;
	uint16_t plen;

	if (!buf_pull_be16(c, &tmp.type) || !buf_pull_be16(c, &plen) ||
	    plen < OFP_QUEUE_PROP_HEADER_LEN || !buf_pull_sub(c, plen - 4, &body))
		return bad_len(err);
	buf_pull(&body, 4);
	switch (tmp.type) {
	case OFPQT_MIN_RATE:
	case OFPQT_MAX_RATE:
		if (plen != OFP_QUEUE_PROP_MIN_RATE_LEN)
			return bad_len(err);
		buf_pull_be16(&body, &tmp.rate);
		body.left = 0;
		break;
	case OFPQT_EXPERIMENTER:
		if (plen < OFP_QUEUE_PROP_EXPERIMENTER_LEN)
			return bad_len(err);
		buf_pull_be32(&body, &tmp.experimenter);
		buf_pull(&body, 4);
		break;
	default:
		break;
	}
	if (!p)
		return 0;
	*p = tmp;
	p->data.len = body.left;
	return dup_bytes(a, body.p, body.left, &p->data.data);
}

/* Pulls one struct ofp_packet_queue; fills *q unless q is NULL (validation pass). */
static int
queue_pull(struct buf_cursor *c, struct arena *a, struct ofp_packet_queue *q, struct ofp_err *err)
{
	struct ofp_packet_queue tmp = { 0 };
	struct buf_cursor props, v;
	uint16_t qlen;
	size_t n = 0;
	int r;

	if (!buf_pull_be32(c, &tmp.queue_id) || !buf_pull_be32(c, &tmp.port) ||
	    !buf_pull_be16(c, &qlen) || qlen < OFP_PACKET_QUEUE_LEN || !buf_pull(c, 6) ||
	    !buf_pull_sub(c, qlen - OFP_PACKET_QUEUE_LEN, &props))
		return bad_len(err);
	for (v = props; v.left; n++) {
		r = queue_prop_pull(&v, NULL, NULL, err);
		if (r)
			return r;
	}
	if (!q)
		return 0;
	*q = tmp;
	if (!n)
		return 0;
	q->props.items = arena_calloc(a, n, sizeof *q->props.items);
	if (!q->props.items)
		return -ENOMEM;
	for (q->props.n = 0; q->props.n < n; q->props.n++) {
		r = queue_prop_pull(&props, a, &q->props.items[q->props.n], err);
		if (r)
			return r;
	}
	return 0;
}

int
ofp_queue_get_config_reply_decode(const void *msg, size_t len, struct arena *a,
				  struct ofp_queue_get_config_reply *out, struct ofp_err *err)
{
	struct buf_cursor c = body_cursor(msg, len), v;
	size_t n = 0;
	int r;

	memset(out, 0, sizeof *out);
	if (!buf_pull_be32(&c, &out->port) || !buf_pull(&c, 4))
		return bad_len(err);
	for (v = c; v.left; n++) {
		r = queue_pull(&v, NULL, NULL, err);
		if (r)
			return r;
	}
	if (!n)
		return 0;
	out->queues.items = arena_calloc(a, n, sizeof *out->queues.items);
	if (!out->queues.items)
		return -ENOMEM;
	for (out->queues.n = 0; out->queues.n < n; out->queues.n++) {
		r = queue_pull(&c, a, &out->queues.items[out->queues.n], err);
		if (r)
			return r;
	}
	return 0;
}

static size_t
queue_prop_len(const struct ofp_queue_prop *p)
{
	switch (p->type) {
	case OFPQT_MIN_RATE:
	case OFPQT_MAX_RATE:
		return OFP_QUEUE_PROP_MIN_RATE_LEN;
	case OFPQT_EXPERIMENTER:
		return OFP_QUEUE_PROP_EXPERIMENTER_LEN + p->data.len;
	default:
		return OFP_QUEUE_PROP_HEADER_LEN + p->data.len;
	}
}

/* The wire length of queue q, or 0 if it or one of its properties exceeds 16 bits. */
static size_t
queue_len(const struct ofp_packet_queue *q)
{
	size_t len = OFP_PACKET_QUEUE_LEN;

	for (size_t i = 0; i < q->props.n; i++) {
		if (q->props.items[i].data.len > UINT16_MAX ||
		    queue_prop_len(&q->props.items[i]) > UINT16_MAX)
			return 0;
		len += queue_prop_len(&q->props.items[i]);
		if (len > UINT16_MAX)
			return 0;
	}
	return len;
}

static void
queue_prop_encode(const struct ofp_queue_prop *p, struct buf *b)
{
	buf_put_be16(b, p->type);
	buf_put_be16(b, (uint16_t)queue_prop_len(p));
	buf_put_zeros(b, 4);
	switch (p->type) {
	case OFPQT_MIN_RATE:
	case OFPQT_MAX_RATE:
		buf_put_be16(b, p->rate);
		buf_put_zeros(b, 6);
		return;
	case OFPQT_EXPERIMENTER:
		buf_put_be32(b, p->experimenter);
		buf_put_zeros(b, 4);
		break;
	default:
		break;
	}
	buf_put(b, p->data.data, p->data.len);
}

int
ofp_queue_get_config_reply_encode(const struct ofp_queue_get_config_reply *in, uint32_t xid,
				  struct buf *b)
{
	size_t start;

	for (size_t i = 0; i < in->queues.n; i++)
		if (!queue_len(&in->queues.items[i]))
			return -EINVAL;
	start = ofp_msg_start(b, OFPT_QUEUE_GET_CONFIG_REPLY, xid);
	buf_put_be32(b, in->port);
	buf_put_zeros(b, 4);
	for (size_t i = 0; i < in->queues.n; i++) {
		const struct ofp_packet_queue *q = &in->queues.items[i];

		buf_put_be32(b, q->queue_id);
		buf_put_be32(b, q->port);
		buf_put_be16(b, (uint16_t)queue_len(q));
		buf_put_zeros(b, 6);
		for (size_t j = 0; j < q->props.n; j++)
			queue_prop_encode(&q->props.items[j], b);
	}
	return ofp_msg_finish(b, start);
}

static void
queue_rate_format(const char *name, uint16_t rate, struct buf *b)
{
	if (rate <= 1000)
		buf_printf(b, " %s:%u.%u%%", name, rate / 10, rate % 10);
	else if (rate == OFPQ_MIN_RATE_UNCFG)
		buf_printf(b, " %s:uncfg", name);
	else
		buf_printf(b, " %s:disabled", name);
}

void
ofp_queue_get_config_reply_format(const struct ofp_queue_get_config_reply *in, struct buf *b)
{
	buf_printf(b, "port=");
	port_format(in->port, b);
	for (size_t i = 0; i < in->queues.n; i++) {
		const struct ofp_packet_queue *q = &in->queues.items[i];

		buf_printf(b, "\nqueue %" PRIu32 ":", q->queue_id);
		if (q->port != in->port) {
			buf_printf(b, " port=");
			port_format(q->port, b);
		}
		for (size_t j = 0; j < q->props.n; j++) {
			const struct ofp_queue_prop *p = &q->props.items[j];

			if (p->type == OFPQT_MIN_RATE)
				queue_rate_format("min_rate", p->rate, b);
			else if (p->type == OFPQT_MAX_RATE)
				queue_rate_format("max_rate", p->rate, b);
			else if (p->type == OFPQT_EXPERIMENTER)
				buf_printf(b, " experimenter=0x%08" PRIx32 " data_len=%zu",
					   p->experimenter, p->data.len);
			else
				buf_printf(b, " property=%u data_len=%zu", p->type, p->data.len);
		}
	}
}

/* ---- OFPMP_DESC ---------------------------------------------------------------------- */

/* The five strings in wire order with their field sizes. */
#define DESC_FIELDS(X)                                                                             \
	X(mfr_desc, DESC_STR_LEN, "Manufacturer")                                                  \
	X(hw_desc, DESC_STR_LEN, "Hardware")                                                       \
	X(sw_desc, DESC_STR_LEN, "Software")                                                       \
	X(serial_num, SERIAL_NUM_LEN, "Serial Num")                                                \
	X(dp_desc, DESC_STR_LEN, "DP Description")

int
ofp_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_desc *out, struct ofp_err *err)
{
	const uint8_t *p = buf_pull(c, OFP_DESC_LEN);

	(void)a;
	if (!p)
		return bad_len(err);
#define DESC_DECODE(FIELD, LEN, LABEL)                                                             \
	memcpy(out->FIELD, p, LEN);                                                                \
	out->FIELD[LEN - 1] = '\0'; /* NUL-terminated on the wire, as the encoder writes */        \
	p += LEN;
	DESC_FIELDS(DESC_DECODE)
#undef DESC_DECODE
	return 0;
}

void
ofp_desc_encode(const struct ofp_desc *in, struct buf *b)
{
#define DESC_ENCODE(FIELD, LEN, LABEL)                                                             \
	{                                                                                          \
		size_t n = strnlen(in->FIELD, LEN - 1);                                            \
		buf_put(b, in->FIELD, n);                                                          \
		buf_put_zeros(b, LEN - n);                                                         \
	}
	DESC_FIELDS(DESC_ENCODE)
#undef DESC_ENCODE
}

void
ofp_desc_format(const struct ofp_desc *in, struct buf *b)
{
	const char *nl = "";

#define DESC_FORMAT(FIELD, LEN, LABEL)                                                             \
	buf_printf(b, "%s%s: %.*s", nl, LABEL, (int)(LEN), in->FIELD);                             \
	nl = "\n";
	DESC_FIELDS(DESC_FORMAT)
#undef DESC_FORMAT
}
