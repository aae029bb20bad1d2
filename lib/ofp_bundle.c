/* ONF extension 230 bundle messages: encode, decode and text (see ofp_bundle.h). Every
 * untrusted byte goes through buf.h's cursor. */
#include "ofp_bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "ofp_message.h"
#include "ofp_msg.h"
#include "util.h"

#define CTRL_BODY 8 /* bundle_id, type, flags */
#define ADD_BODY 8  /* bundle_id, pad, flags */

static const char *const err_names[OFPBFC_N_CODES] = {
	[OFPBFC_UNKNOWN] = "UNKNOWN",
	[OFPBFC_EPERM] = "EPERM",
	[OFPBFC_BAD_ID] = "BAD_ID",
	[OFPBFC_BUNDLE_EXIST] = "BUNDLE_EXIST",
	[OFPBFC_BUNDLE_CLOSED] = "BUNDLE_CLOSED",
	[OFPBFC_OUT_OF_BUNDLES] = "OUT_OF_BUNDLES",
	[OFPBFC_BAD_TYPE] = "BAD_TYPE",
	[OFPBFC_BAD_FLAGS] = "BAD_FLAGS",
	[OFPBFC_MSG_BAD_LEN] = "MSG_BAD_LEN",
	[OFPBFC_MSG_BAD_XID] = "MSG_BAD_XID",
	[OFPBFC_MSG_UNSUP] = "MSG_UNSUP",
	[OFPBFC_MSG_CONFLICT] = "MSG_CONFLICT",
	[OFPBFC_MSG_TOO_MANY] = "MSG_TOO_MANY",
	[OFPBFC_MSG_FAILED] = "MSG_FAILED",
	[OFPBFC_TIMEOUT] = "TIMEOUT",
	[OFPBFC_BUNDLE_IN_PROGRESS] = "BUNDLE_IN_PROGRESS",
};

static const char *const ctrl_names[] = {
	[OFPBCT_OPEN_REQUEST] = "OPEN_REQUEST",	      [OFPBCT_OPEN_REPLY] = "OPEN_REPLY",
	[OFPBCT_CLOSE_REQUEST] = "CLOSE_REQUEST",     [OFPBCT_CLOSE_REPLY] = "CLOSE_REPLY",
	[OFPBCT_COMMIT_REQUEST] = "COMMIT_REQUEST",   [OFPBCT_COMMIT_REPLY] = "COMMIT_REPLY",
	[OFPBCT_DISCARD_REQUEST] = "DISCARD_REQUEST", [OFPBCT_DISCARD_REPLY] = "DISCARD_REPLY",
};

int
ofp_bundle_err(struct ofp_err *err, enum ofp_bundle_failed_code code)
{
	return ofp_err_set(err, OFPET_EXPERIMENTER, (uint16_t)(ONF_BUNDLE_ERR_BASE + code));
}

const char *
ofp_bundle_err_name(uint16_t exp_type)
{
	if (exp_type < ONF_BUNDLE_ERR_BASE || exp_type >= ONF_BUNDLE_ERR_BASE + OFPBFC_N_CODES)
		return NULL;
	return err_names[exp_type - ONF_BUNDLE_ERR_BASE];
}

bool
ofp_bundle_is_bundle(const struct ofp_experimenter *e)
{
	return e->experimenter == ONF_EXPERIMENTER_ID &&
	       (e->exp_type == ONF_ET_BUNDLE_CONTROL || e->exp_type == ONF_ET_BUNDLE_ADD_MESSAGE);
}

const char *
ofp_bundle_ctrl_type_name(uint16_t type)
{
	return type < ARRAY_SIZE(ctrl_names) ? ctrl_names[type] : NULL;
}

static int
bad_len(struct ofp_err *err)
{
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

/* Checks that p..p+n is a sequence of whole properties (type, length >= 4, padded to 8). */
static bool
props_ok(const uint8_t *p, size_t n)
{
	struct buf_cursor c = buf_cursor(p, n);

	while (c.left) {
		const uint8_t *h = buf_at(&c, 0, 4);
		size_t len = h ? get_be16(h + 2) : 0;

		if (len < 4 || !buf_pull(&c, (len + 7) & ~(size_t)7))
			return false;
	}
	return true;
}

int
ofp_bundle_ctrl_decode(const struct ofp_experimenter *e, struct ofp_bundle_ctrl *out,
		       struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(e->data.data, e->data.len);
	uint32_t id;
	uint16_t type, flags;

	memset(out, 0, sizeof(*out));
	if (!buf_pull_be32(&c, &id) || !buf_pull_be16(&c, &type) || !buf_pull_be16(&c, &flags))
		return bad_len(err);
	if (c.left % 8 || !props_ok(c.p, c.left))
		return bad_len(err);
	out->bundle_id = id;
	out->type = type;
	out->flags = flags;
	out->props.data = c.left ? c.p : NULL;
	out->props.len = c.left;
	return 0;
}

int
ofp_bundle_ctrl_encode(const struct ofp_bundle_ctrl *in, uint32_t xid, struct buf *b)
{
	size_t start;

	if (in->props.len % 8)
		return -EINVAL;
	start = ofp_msg_start(b, OFPT_EXPERIMENTER, xid);
	buf_put_be32(b, ONF_EXPERIMENTER_ID);
	buf_put_be32(b, ONF_ET_BUNDLE_CONTROL);
	buf_put_be32(b, in->bundle_id);
	buf_put_be16(b, in->type);
	buf_put_be16(b, in->flags);
	buf_put(b, in->props.data, in->props.len);
	return ofp_msg_finish(b, start);
}

static void
flags_format(uint16_t flags, struct buf *b)
{
	buf_printf(b, " flags=");
	if (!flags)
		buf_printf(b, "0");
	if (flags & OFPBF_ATOMIC)
		buf_printf(b, "atomic");
	if (flags & OFPBF_ORDERED)
		buf_printf(b, "%sordered", flags & OFPBF_ATOMIC ? " " : "");
	if (flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED))
		buf_printf(b, "%s0x%x", flags & (OFPBF_ATOMIC | OFPBF_ORDERED) ? " " : "",
			   flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED));
}

void
ofp_bundle_ctrl_format(const struct ofp_bundle_ctrl *in, struct buf *b)
{
	const char *t = ofp_bundle_ctrl_type_name(in->type);

	buf_printf(b, "bundle_id=%#" PRIx32 " type=", in->bundle_id);
	if (t)
		buf_printf(b, "%s", t);
	else
		buf_printf(b, "%u", in->type);
	flags_format(in->flags, b);
	if (in->props.len)
		buf_printf(b, " properties=%zu bytes", in->props.len);
}

int
ofp_bundle_add_decode(const struct ofp_experimenter *e, struct ofp_bundle_add *out,
		      struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(e->data.data, e->data.len);
	struct ofp_header_info h;
	uint32_t id;
	uint16_t pad, flags;
	size_t padded;

	memset(out, 0, sizeof(*out));
	if (!buf_pull_be32(&c, &id) || !buf_pull_be16(&c, &pad) || !buf_pull_be16(&c, &flags))
		return bad_len(err);
	if (!ofp_header_peek(c.p, c.left, &h) || h.length < OFP_HEADER_LEN || h.length > c.left)
		return ofp_bundle_err(err, OFPBFC_MSG_BAD_LEN);
	out->bundle_id = id;
	out->flags = flags;
	out->msg = c.p;
	out->msg_len = h.length;
	buf_pull(&c, h.length);
	if (!c.left)
		return 0;
	/* Properties follow the message padded to 8 bytes; padding without properties
	 * is not a message the encoder would write. */
	padded = (8 - h.length % 8) % 8;
	if (c.left <= padded || !buf_pull(&c, padded) || c.left % 8 || !props_ok(c.p, c.left))
		return bad_len(err);
	out->props.data = c.left ? c.p : NULL;
	out->props.len = c.left;
	return 0;
}

int
ofp_bundle_add_encode(const struct ofp_bundle_add *in, struct buf *b)
{
	struct ofp_header_info h;
	size_t start;

	if (!ofp_header_peek(in->msg, in->msg_len, &h) || in->props.len % 8)
		return -EINVAL;
	start = ofp_msg_start(b, OFPT_EXPERIMENTER, h.xid);
	buf_put_be32(b, ONF_EXPERIMENTER_ID);
	buf_put_be32(b, ONF_ET_BUNDLE_ADD_MESSAGE);
	buf_put_be32(b, in->bundle_id);
	buf_put_be16(b, 0);
	buf_put_be16(b, in->flags);
	buf_put(b, in->msg, in->msg_len);
	if (in->props.len) {
		static const uint8_t zeros[8];

		buf_put(b, zeros, (8 - in->msg_len % 8) % 8);
		buf_put(b, in->props.data, in->props.len);
	}
	return ofp_msg_finish(b, start);
}

void
ofp_bundle_add_format(const struct ofp_bundle_add *in, struct buf *b)
{
	buf_printf(b, "bundle_id=%#" PRIx32, in->bundle_id);
	flags_format(in->flags, b);
	if (in->props.len)
		buf_printf(b, " properties=%zu bytes", in->props.len);
	buf_printf(b, "\n");
	ofp_message_print(in->msg, in->msg_len, b);
}

void
ofp_bundle_format(const struct ofp_experimenter *e, struct buf *b)
{
	struct ofp_err err;

	if (e->exp_type == ONF_ET_BUNDLE_CONTROL) {
		struct ofp_bundle_ctrl bc;

		buf_printf(b, "ONFT_BUNDLE_CONTROL ");
		if (ofp_bundle_ctrl_decode(e, &bc, &err))
			buf_printf(b, "***bad body (%zu bytes)***", e->data.len);
		else
			ofp_bundle_ctrl_format(&bc, b);
	} else {
		struct ofp_bundle_add ba;

		buf_printf(b, "ONFT_BUNDLE_ADD_MESSAGE ");
		if (ofp_bundle_add_decode(e, &ba, &err))
			buf_printf(b, "***bad body (%zu bytes)***", e->data.len);
		else
			ofp_bundle_add_format(&ba, b);
	}
}
