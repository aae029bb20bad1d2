/* pfswitch's trace experimenter messages: encode, decode and text (see ofp_trace.h).
 * Every untrusted byte goes through buf.h's cursor. */
#include "ofp_trace.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_action.h"
#include "ofp_msg.h"
#include "util.h"

#define REQ_HDR 8			  /* in_port, pad */
#define REPLY_HDR 8			  /* in_port, flags, pad */
#define EVENT_HDR 32			  /* an event without its texts */
#define MAX_FRAME (65535u - 16 - REQ_HDR) /* the frame within one message */
#define MAX_MSG 65535u

static int
bad_len(struct ofp_err *err)
{
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
}

int
ofp_trace_request_encode(const struct ofp_trace_request *in, uint32_t xid, struct buf *b)
{
	if (in->len == 0 || in->len > MAX_FRAME)
		return -EINVAL;
	size_t start = ofp_msg_start(b, OFPT_EXPERIMENTER, xid);

	buf_put_be32(b, PFS_EXPERIMENTER_ID);
	buf_put_be32(b, PFS_EXP_TRACE_REQUEST);
	buf_put_be32(b, in->in_port);
	buf_put_be32(b, 0);
	buf_put(b, in->packet, in->len);
	return ofp_msg_finish(b, start);
}

int
ofp_trace_request_decode(const struct ofp_experimenter *e, struct ofp_trace_request *out,
			 struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(e->data.data, e->data.len);
	uint32_t pad;

	if (!buf_pull_be32(&c, &out->in_port) || !buf_pull_be32(&c, &pad) || c.left == 0)
		return bad_len(err);
	out->packet = c.p;
	out->len = c.left;
	return 0;
}

static size_t
text_len(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t
event_len(const struct ofp_trace_event *ev)
{
	return (EVENT_HDR + text_len(ev->text) + text_len(ev->text2) + 7) & ~(size_t)7;
}

int
ofp_trace_reply_encode(const struct ofp_trace_reply *in, uint32_t xid, struct buf *b)
{
	size_t start = ofp_msg_start(b, OFPT_EXPERIMENTER, xid);
	size_t total = 16 + REPLY_HDR, flags_at;
	bool truncated = in->truncated;

	buf_put_be32(b, PFS_EXPERIMENTER_ID);
	buf_put_be32(b, PFS_EXP_TRACE_REPLY);
	buf_put_be32(b, in->in_port);
	flags_at = b->size;
	buf_put_u8(b, 0);
	buf_put_zeros(b, 3);
	for (size_t i = 0; i < in->n_events; i++) {
		const struct ofp_trace_event *ev = &in->events[i];
		size_t t1 = text_len(ev->text), t2 = text_len(ev->text2), len = event_len(ev);

		if (t1 > UINT16_MAX || t2 > UINT16_MAX)
			return -EINVAL;
		if (total + len > MAX_MSG) {
			truncated = true;
			break;
		}
		total += len;
		buf_put_be16(b, (uint16_t)len);
		buf_put_u8(b, ev->kind);
		buf_put_u8(b, ev->depth);
		buf_put_u8(b, ev->table_id);
		buf_put_u8(b, ev->group_type);
		buf_put_u8(b, ev->drop ? 1 : 0);
		buf_put_u8(b, 0);
		buf_put_be16(b, ev->priority);
		buf_put_be16(b, ev->max_len);
		buf_put_be32(b, ev->id);
		buf_put_be32(b, (uint32_t)ev->arg);
		buf_put_be64(b, ev->cookie);
		buf_put_be16(b, (uint16_t)t1);
		buf_put_be16(b, (uint16_t)t2);
		buf_put(b, ev->text, t1);
		buf_put(b, ev->text2, t2);
		buf_put_zeros(b, len - EVENT_HDR - t1 - t2);
	}
	if (!buf_error(b))
		buf_set_u8(b, flags_at, truncated ? 1 : 0);
	return ofp_msg_finish(b, start);
}

/* A NUL-terminated copy of n bytes at p in a (NULL when n is 0). 0, -EPROTO (a NUL
 * inside), -ENOMEM. */
static int
text_dup(struct arena *a, const uint8_t *p, size_t n, const char **out, struct ofp_err *err)
{
	char *s;

	*out = NULL;
	if (!n)
		return 0;
	if (memchr(p, 0, n))
		return bad_len(err);
	s = arena_alloc(a, n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, p, n);
	*out = s;
	return 0;
}

int
ofp_trace_reply_decode(const struct ofp_experimenter *e, struct arena *a,
		       struct ofp_trace_reply *out, struct ofp_err *err)
{
	struct buf_cursor c = buf_cursor(e->data.data, e->data.len);
	struct ofp_trace_event *evs;
	const uint8_t *hdr;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof *out);
	hdr = buf_pull(&c, REPLY_HDR);
	if (!hdr)
		return bad_len(err);
	out->in_port = get_be32(hdr);
	out->truncated = hdr[4] & 1;
	/* Each event takes at least EVENT_HDR bytes: that bounds the array. */
	evs = arena_calloc(a, c.left / EVENT_HDR + 1, sizeof *evs);
	if (!evs)
		return -ENOMEM;
	while (c.left) {
		struct ofp_trace_event *ev = &evs[n];
		struct buf_cursor ec;
		const uint8_t *p;
		uint16_t len, t1, t2;

		p = buf_at(&c, 0, EVENT_HDR);
		if (!p)
			return bad_len(err);
		len = get_be16(p);
		if (len < EVENT_HDR || len % 8 || !buf_pull_sub(&c, len, &ec))
			return bad_len(err);
		p = buf_pull(&ec, EVENT_HDR);
		ev->kind = p[2];
		if (ev->kind >= OFP_TRACE_N_KINDS)
			return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_EXP_TYPE);
		ev->depth = p[3];
		ev->table_id = p[4];
		ev->group_type = p[5];
		ev->drop = p[6] & 1;
		ev->priority = get_be16(p + 8);
		ev->max_len = get_be16(p + 10);
		ev->id = get_be32(p + 12);
		ev->arg = (int32_t)get_be32(p + 16);
		ev->cookie = get_be64(p + 20);
		t1 = get_be16(p + 28);
		t2 = get_be16(p + 30);
		if ((size_t)t1 + t2 > ec.left)
			return bad_len(err);
		rc = text_dup(a, ec.p, t1, &ev->text, err);
		if (!rc)
			rc = text_dup(a, ec.p + t1, t2, &ev->text2, err);
		if (rc)
			return rc;
		n++;
	}
	out->n_events = n;
	out->events = evs;
	return 0;
}

const char *
ofp_trace_kind_name(uint8_t kind)
{
	static const char *const names[OFP_TRACE_N_KINDS] = {
		[OFP_TRACE_TABLE] = "table", [OFP_TRACE_MISS] = "miss",
		[OFP_TRACE_METER] = "meter", [OFP_TRACE_ACTION_SET] = "action_set",
		[OFP_TRACE_GROUP] = "group", [OFP_TRACE_OUTPUT] = "output",
		[OFP_TRACE_DROP] = "drop",
	};

	return kind < OFP_TRACE_N_KINDS ? names[kind] : "?";
}

const char *
ofp_trace_group_type_name(uint8_t type)
{
	static const char *const names[] = {
		[OFPGT_ALL] = "all",
		[OFPGT_SELECT] = "select",
		[OFPGT_INDIRECT] = "indirect",
		[OFPGT_FF] = "ff",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void
format_event(const struct ofp_trace_event *ev, struct buf *b)
{
	for (unsigned d = 0; d < ev->depth; d++)
		buf_printf(b, "  ");
	switch (ev->kind) {
	case OFP_TRACE_TABLE:
		buf_printf(b, "table %u: %s cookie=0x%" PRIx64 " -> %s", ev->table_id,
			   ev->text ? ev->text : "(rule not found)", ev->cookie,
			   ev->text2 ? ev->text2 : "drop");
		if (!ev->text)
			buf_printf(b, " priority=%u", ev->priority);
		break;
	case OFP_TRACE_MISS:
		buf_printf(b, "table %u: no match", ev->table_id);
		break;
	case OFP_TRACE_METER:
		buf_printf(b, "  meter %" PRIu32 ": ", ev->id);
		if (ev->arg < 0)
			buf_printf(b, "pass");
		else
			buf_printf(b, "band %" PRId32 " (%s)", ev->arg,
				   ev->drop ? "drop" : "dscp_remark");
		break;
	case OFP_TRACE_ACTION_SET:
		buf_printf(b, "action set: %s", ev->text ? ev->text : "(empty)");
		break;
	case OFP_TRACE_GROUP:
		buf_printf(b, "group %" PRIu32 " (%s): ", ev->id,
			   ofp_trace_group_type_name(ev->group_type));
		if (ev->arg < 0)
			buf_printf(b, "no live bucket");
		else
			buf_printf(b, "bucket %" PRId32 "%s%s", ev->arg, ev->text ? ": " : "",
				   ev->text ? ev->text : "");
		break;
	case OFP_TRACE_OUTPUT:
		buf_printf(b, "output: ");
		if (ev->id <= OFPP_MAX)
			buf_printf(b, "port ");
		ofp_port_format(ev->id, b);
		if (ev->id == OFPP_CONTROLLER)
			buf_printf(b, " max_len=%u", ev->max_len);
		break;
	case OFP_TRACE_DROP:
		buf_printf(b, "drop: %s", ev->text ? ev->text : "?");
		break;
	default:
		buf_printf(b, "? kind %u", ev->kind);
		break;
	}
	buf_printf(b, "\n");
}

void
ofp_trace_reply_format(const struct ofp_trace_reply *in, struct buf *b)
{
	bool out = false;

	for (size_t i = 0; i < in->n_events; i++) {
		format_event(&in->events[i], b);
		out |= in->events[i].kind == OFP_TRACE_OUTPUT;
	}
	if (!out)
		buf_printf(b, "final: dropped (no output)\n");
	if (in->truncated)
		buf_printf(b, "(trace truncated)\n");
}
