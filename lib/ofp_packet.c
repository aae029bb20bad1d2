/* PACKET_IN and PACKET_OUT; see ofp_packet.h. Matches go through oxm.h (the TLV part
 * only, so a packet-in is not held to a flow's prerequisites), actions through
 * ofp_action.h, framing through ofp_msg.h. */
#include "ofp_packet.h"

#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_msg.h"
#include "util.h"

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

/* ---- PACKET_IN ----------------------------------------------------------------------- */

static const char *const packet_in_reasons[] = {
	[OFPR_NO_MATCH] = "no_match",
	[OFPR_ACTION] = "action",
	[OFPR_INVALID_TTL] = "invalid_ttl",
};

const char *
ofp_packet_in_reason_name(uint8_t reason)
{
	return reason < ARRAY_SIZE(packet_in_reasons) ? packet_in_reasons[reason] : NULL;
}

/* Pulls a struct ofp_match (header, TLVs, padding to 8) like oxm_decode() but without
 * the prerequisite check. 0 or -EPROTO (BAD_MATCH/...). */
static int
match_pull(struct buf_cursor *c, struct ofp_match *m, struct ofp_err *err)
{
	const uint8_t *hdr = buf_at(c, 0, OFP_MATCH_HEADER_LEN);
	uint16_t mlen;
	int r;

	oxm_match_init(m);
	if (!hdr)
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	if (get_be16(hdr) != OFPMT_OXM)
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_TYPE);
	mlen = get_be16(hdr + 2);
	if (mlen < OFP_MATCH_HEADER_LEN || c->left < PFS_ROUND_UP((size_t)mlen, 8))
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_LEN);
	r = oxm_decode_tlvs(hdr + OFP_MATCH_HEADER_LEN, mlen - OFP_MATCH_HEADER_LEN, m, err);
	if (r)
		return r;
	buf_pull(c, PFS_ROUND_UP((size_t)mlen, 8));
	return 0;
}

int
ofp_packet_in_decode(const void *msg, size_t len, struct arena *a, struct ofp_packet_in *out,
		     struct ofp_err *err)
{
	struct buf_cursor c =
		buf_cursor((const uint8_t *)msg + OFP_HEADER_LEN, len - OFP_HEADER_LEN);
	int r;

	memset(out, 0, sizeof *out);
	if (!buf_pull_be32(&c, &out->buffer_id) || !buf_pull_be16(&c, &out->total_len) ||
	    !buf_pull_u8(&c, &out->reason) || !buf_pull_u8(&c, &out->table_id) ||
	    !buf_pull_be64(&c, &out->cookie))
		return bad_len(err);
	r = match_pull(&c, &out->match, err);
	if (r)
		return r;
	if (!buf_pull(&c, 2))
		return bad_len(err);
	out->data.len = c.left;
	return dup_bytes(a, c.p, c.left, &out->data.data);
}

int
ofp_packet_in_encode(const struct ofp_packet_in *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_PACKET_IN, xid);

	buf_put_be32(b, in->buffer_id);
	buf_put_be16(b, in->total_len);
	buf_put_u8(b, in->reason);
	buf_put_u8(b, in->table_id);
	buf_put_be64(b, in->cookie);
	oxm_encode(&in->match, b);
	buf_put_zeros(b, 2);
	buf_put(b, in->data.data, in->data.len);
	return ofp_msg_finish(b, start);
}

void
ofp_packet_in_format(const struct ofp_packet_in *in, struct buf *b)
{
	const char *reason = ofp_packet_in_reason_name(in->reason);
	const char *sep = "";

	if (in->table_id) {
		buf_printf(b, "table_id=%u", in->table_id);
		sep = " ";
	}
	if (in->cookie != UINT64_MAX) {
		buf_printf(b, "%scookie=0x%" PRIx64, sep, in->cookie);
		sep = " ";
	}
	buf_printf(b, "%stotal_len=%u", sep, in->total_len);
	if (in->match.n_fields) {
		buf_printf(b, " ");
		oxm_format(&in->match, b);
	}
	if (reason)
		buf_printf(b, " (via %s)", reason);
	else
		buf_printf(b, " (via %u)", in->reason);
	buf_printf(b, " data_len=%zu", in->data.len);
	if (in->buffer_id == OFP_NO_BUFFER)
		buf_printf(b, " (unbuffered)");
	else
		buf_printf(b, " buffer=0x%08" PRIx32, in->buffer_id);
}

/* ---- PACKET_OUT ---------------------------------------------------------------------- */

/* Spec 7.3.7: the ingress port must be a standard port (physical/logical, or LOCAL) or
 * CONTROLLER; ANY is also taken, as "no ingress port", as Open vSwitch does. */
static bool
packet_out_in_port_ok(uint32_t port)
{
	return (port >= 1 && port <= OFPP_MAX) || port == OFPP_LOCAL || port == OFPP_CONTROLLER ||
	       port == OFPP_ANY;
}

int
ofp_packet_out_decode(const void *msg, size_t len, struct arena *a, struct ofp_packet_out *out,
		      struct ofp_err *err)
{
	struct buf_cursor c =
		buf_cursor((const uint8_t *)msg + OFP_HEADER_LEN, len - OFP_HEADER_LEN);
	const uint8_t *actions;
	uint16_t actions_len;
	int r;

	memset(out, 0, sizeof *out);
	if (!buf_pull_be32(&c, &out->buffer_id) || !buf_pull_be32(&c, &out->in_port) ||
	    !buf_pull_be16(&c, &actions_len) || !buf_pull(&c, 6))
		return bad_len(err);
	actions = buf_pull(&c, actions_len);
	if (!actions)
		return bad_len(err);
	if (!packet_out_in_port_ok(out->in_port))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	r = ofp_actions_decode(actions, actions_len, a, &out->actions, err);
	if (r)
		return r;
	out->data.len = c.left;
	return dup_bytes(a, c.p, c.left, &out->data.data);
}

int
ofp_packet_out_encode(const struct ofp_packet_out *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_PACKET_OUT, xid);
	size_t actions;

	buf_put_be32(b, in->buffer_id);
	buf_put_be32(b, in->in_port);
	buf_put_be16(b, 0); /* actions_len, patched below */
	buf_put_zeros(b, 6);
	actions = b->size;
	ofp_actions_encode(&in->actions, b);
	if (!buf_error(b) && b->size - actions > UINT16_MAX) {
		buf_truncate(b, start);
		return -EMSGSIZE;
	}
	buf_set_be16(b, start + 16, (uint16_t)(b->size - actions));
	buf_put(b, in->data.data, in->data.len);
	return ofp_msg_finish(b, start);
}

void
ofp_packet_out_format(const struct ofp_packet_out *in, struct buf *b)
{
	buf_printf(b, "in_port=");
	ofp_port_format(in->in_port, b);
	buf_printf(b, " actions=");
	ofp_actions_format(&in->actions, b);
	if (in->buffer_id == OFP_NO_BUFFER) {
		buf_printf(b, " data_len=%zu", in->data.len);
		return;
	}
	buf_printf(b, " buffer=0x%08" PRIx32, in->buffer_id);
	if (in->data.len)
		buf_printf(b, " data_len=%zu", in->data.len);
}
