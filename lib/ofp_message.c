/* Generic message dispatch over the entity codecs; see ofp_message.h. One row per
 * message type: the table is the whole of the dispatch logic. */
#include "ofp_message.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "util.h"

typedef int msg_decode_fn(const void *msg, size_t len, struct arena *a, void *out,
			  struct ofp_err *err);
typedef int msg_encode_fn(const void *in, uint8_t type, uint32_t xid, struct buf *b);
typedef void msg_format_fn(const void *in, struct buf *b);

struct msg_codec {
	msg_decode_fn *decode; /* NULL: empty-bodied type */
	msg_encode_fn *encode;
	msg_format_fn *format;
};

/* Adapters from the entity codecs' typed signatures to the table's. Types whose encoder
 * serves one message type get the type argument dropped. */
#define ADAPT_DECODE(NAME, BODY)                                                                   \
	static int NAME##_dec(const void *msg, size_t len, struct arena *a, void *out,             \
			      struct ofp_err *err)                                                 \
	{                                                                                          \
		return ofp_##NAME##_decode(msg, len, a, (struct ofp_##BODY *)out, err);            \
	}                                                                                          \
	static void NAME##_fmt(const void *in, struct buf *b)                                      \
	{                                                                                          \
		ofp_##NAME##_format((const struct ofp_##BODY *)in, b);                             \
	}
#define ADAPT_ONE_TYPE(NAME, BODY)                                                                 \
	ADAPT_DECODE(NAME, BODY)                                                                   \
	static int NAME##_enc(const void *in, uint8_t type, uint32_t xid, struct buf *b)           \
	{                                                                                          \
		(void)type;                                                                        \
		return ofp_##NAME##_encode((const struct ofp_##BODY *)in, xid, b);                 \
	}
#define ADAPT_TYPED(NAME, BODY)                                                                    \
	ADAPT_DECODE(NAME, BODY)                                                                   \
	static int NAME##_enc(const void *in, uint8_t type, uint32_t xid, struct buf *b)           \
	{                                                                                          \
		return ofp_##NAME##_encode((const struct ofp_##BODY *)in, type, xid, b);           \
	}

ADAPT_ONE_TYPE(hello, hello)
ADAPT_ONE_TYPE(error_msg, error_msg)
ADAPT_TYPED(echo, echo)
ADAPT_ONE_TYPE(experimenter, experimenter)
ADAPT_ONE_TYPE(features_reply, switch_features)
ADAPT_TYPED(switch_config, switch_config)
ADAPT_ONE_TYPE(packet_in, packet_in)
ADAPT_ONE_TYPE(flow_removed, flow_removed)
ADAPT_ONE_TYPE(port_status, port_status)
ADAPT_ONE_TYPE(packet_out, packet_out)
ADAPT_ONE_TYPE(flow_mod, flow_mod)
ADAPT_ONE_TYPE(group_mod, group_mod)
ADAPT_ONE_TYPE(port_mod, port_mod)
ADAPT_ONE_TYPE(table_mod, table_mod)
ADAPT_ONE_TYPE(multipart_request, multipart_request)
ADAPT_ONE_TYPE(multipart_reply, multipart_reply)
ADAPT_ONE_TYPE(queue_get_config_request, queue_get_config_request)
ADAPT_ONE_TYPE(queue_get_config_reply, queue_get_config_reply)
ADAPT_TYPED(role, role)
ADAPT_TYPED(async_config, async_config)
ADAPT_ONE_TYPE(meter_mod, meter_mod)

#define CODEC(NAME)                                                                                \
	{                                                                                          \
		NAME##_dec, NAME##_enc, NAME##_fmt                                                 \
	}
#define EMPTY                                                                                      \
	{                                                                                          \
		NULL, NULL, NULL                                                                   \
	}

static const struct msg_codec codecs[OFPT_N_TYPES] = {
	[OFPT_HELLO] = CODEC(hello),
	[OFPT_ERROR] = CODEC(error_msg),
	[OFPT_ECHO_REQUEST] = CODEC(echo),
	[OFPT_ECHO_REPLY] = CODEC(echo),
	[OFPT_EXPERIMENTER] = CODEC(experimenter),
	[OFPT_FEATURES_REQUEST] = EMPTY,
	[OFPT_FEATURES_REPLY] = CODEC(features_reply),
	[OFPT_GET_CONFIG_REQUEST] = EMPTY,
	[OFPT_GET_CONFIG_REPLY] = CODEC(switch_config),
	[OFPT_SET_CONFIG] = CODEC(switch_config),
	[OFPT_PACKET_IN] = CODEC(packet_in),
	[OFPT_FLOW_REMOVED] = CODEC(flow_removed),
	[OFPT_PORT_STATUS] = CODEC(port_status),
	[OFPT_PACKET_OUT] = CODEC(packet_out),
	[OFPT_FLOW_MOD] = CODEC(flow_mod),
	[OFPT_GROUP_MOD] = CODEC(group_mod),
	[OFPT_PORT_MOD] = CODEC(port_mod),
	[OFPT_TABLE_MOD] = CODEC(table_mod),
	[OFPT_MULTIPART_REQUEST] = CODEC(multipart_request),
	[OFPT_MULTIPART_REPLY] = CODEC(multipart_reply),
	[OFPT_BARRIER_REQUEST] = EMPTY,
	[OFPT_BARRIER_REPLY] = EMPTY,
	[OFPT_QUEUE_GET_CONFIG_REQUEST] = CODEC(queue_get_config_request),
	[OFPT_QUEUE_GET_CONFIG_REPLY] = CODEC(queue_get_config_reply),
	[OFPT_ROLE_REQUEST] = CODEC(role),
	[OFPT_ROLE_REPLY] = CODEC(role),
	[OFPT_GET_ASYNC_REQUEST] = EMPTY,
	[OFPT_GET_ASYNC_REPLY] = CODEC(async_config),
	[OFPT_SET_ASYNC] = CODEC(async_config),
	[OFPT_METER_MOD] = CODEC(meter_mod),
};

int
ofp_message_decode(const void *msg, size_t len, struct arena *a, struct ofp_message *out,
		   struct ofp_err *err)
{
	const struct msg_codec *c;
	int rc;

	memset(out, 0, sizeof *out);
	rc = ofp_header_check(msg, len, &out->h, err);
	if (rc)
		return rc;
	c = &codecs[out->h.type];
	if (!c->decode)
		return ofp_empty_decode(msg, len, err);
	/* The union's members all start at the same address. */
	return c->decode(msg, len, a, &out->hello, err);
}

int
ofp_message_encode(const struct ofp_message *m, struct buf *b)
{
	const struct msg_codec *c;

	if (m->h.type >= OFPT_N_TYPES)
		return -EINVAL;
	c = &codecs[m->h.type];
	if (!c->encode)
		return ofp_empty_encode(m->h.type, m->h.xid, b);
	return c->encode(&m->hello, m->h.type, m->h.xid, b);
}

void
ofp_message_format(const struct ofp_message *m, struct buf *b)
{
	const char *name = ofp_msg_type_name(m->h.type);
	const struct msg_codec *c;

	if (name)
		buf_printf(b, "OFPT_%s", name);
	else
		buf_printf(b, "OFPT_UNKNOWN(%u)", m->h.type);
	buf_printf(b, " (OF1.3) (xid=0x%x):", m->h.xid);
	if (m->h.type >= OFPT_N_TYPES)
		return;
	c = &codecs[m->h.type];
	if (c->format) {
		size_t mark = b->size;

		buf_printf(b, " ");
		c->format(&m->hello, b);
		if (b->size == mark + 1)
			buf_truncate(b, mark); /* the body printed nothing */
	}
}

void
ofp_message_print(const void *msg, size_t len, struct buf *b)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_message m;
	struct ofp_err err;
	int rc = ofp_message_decode(msg, len, &a, &m, &err);

	if (!rc) {
		ofp_message_format(&m, b);
	} else {
		buf_printf(b, "***decode error: ");
		if (rc == -EPROTO)
			ofp_error_format(&err, b);
		else
			buf_printf(b, "%s", strerror(-rc));
		buf_printf(b, "***\n");
		for (size_t i = 0; i < len; i++)
			buf_printf(b, "%02x%s", ((const uint8_t *)msg)[i],
				   i + 1 == len ? "" : (i % 16 == 15 ? "\n" : " "));
	}
	arena_free(&a);
}
