/* Message framing and the per-type length table; see ofp_msg.h. */
#include "ofp_msg.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "ofp_error.h"
#include "util.h"

struct msg_type_info {
	const char *name;
	uint16_t min_len;
};

/* Minimum lengths are the fixed parts the spec's OFP_ASSERTs give, so a length check
 * is a table lookup. Variable parts are checked by each type's decoder. */
static const struct msg_type_info msg_types[OFPT_N_TYPES] = {
	[OFPT_HELLO] = { "HELLO", OFP_HEADER_LEN },
	[OFPT_ERROR] = { "ERROR", OFP_ERROR_MSG_LEN },
	[OFPT_ECHO_REQUEST] = { "ECHO_REQUEST", OFP_HEADER_LEN },
	[OFPT_ECHO_REPLY] = { "ECHO_REPLY", OFP_HEADER_LEN },
	[OFPT_EXPERIMENTER] = { "EXPERIMENTER", OFP_EXPERIMENTER_HEADER_LEN },
	[OFPT_FEATURES_REQUEST] = { "FEATURES_REQUEST", OFP_HEADER_LEN },
	[OFPT_FEATURES_REPLY] = { "FEATURES_REPLY", OFP_SWITCH_FEATURES_LEN },
	[OFPT_GET_CONFIG_REQUEST] = { "GET_CONFIG_REQUEST", OFP_HEADER_LEN },
	[OFPT_GET_CONFIG_REPLY] = { "GET_CONFIG_REPLY", OFP_SWITCH_CONFIG_LEN },
	[OFPT_SET_CONFIG] = { "SET_CONFIG", OFP_SWITCH_CONFIG_LEN },
	[OFPT_PACKET_IN] = { "PACKET_IN", OFP_PACKET_IN_LEN },
	[OFPT_FLOW_REMOVED] = { "FLOW_REMOVED", OFP_FLOW_REMOVED_LEN },
	[OFPT_PORT_STATUS] = { "PORT_STATUS", OFP_PORT_STATUS_LEN },
	[OFPT_PACKET_OUT] = { "PACKET_OUT", OFP_PACKET_OUT_LEN },
	[OFPT_FLOW_MOD] = { "FLOW_MOD", OFP_FLOW_MOD_LEN },
	[OFPT_GROUP_MOD] = { "GROUP_MOD", OFP_GROUP_MOD_LEN },
	[OFPT_PORT_MOD] = { "PORT_MOD", OFP_PORT_MOD_LEN },
	[OFPT_TABLE_MOD] = { "TABLE_MOD", OFP_TABLE_MOD_LEN },
	[OFPT_MULTIPART_REQUEST] = { "MULTIPART_REQUEST", OFP_MULTIPART_REQUEST_LEN },
	[OFPT_MULTIPART_REPLY] = { "MULTIPART_REPLY", OFP_MULTIPART_REPLY_LEN },
	[OFPT_BARRIER_REQUEST] = { "BARRIER_REQUEST", OFP_HEADER_LEN },
	[OFPT_BARRIER_REPLY] = { "BARRIER_REPLY", OFP_HEADER_LEN },
	[OFPT_QUEUE_GET_CONFIG_REQUEST] = { "QUEUE_GET_CONFIG_REQUEST",
					    OFP_QUEUE_GET_CONFIG_REQUEST_LEN },
	[OFPT_QUEUE_GET_CONFIG_REPLY] = { "QUEUE_GET_CONFIG_REPLY",
					  OFP_QUEUE_GET_CONFIG_REPLY_LEN },
	[OFPT_ROLE_REQUEST] = { "ROLE_REQUEST", OFP_ROLE_REQUEST_LEN },
	[OFPT_ROLE_REPLY] = { "ROLE_REPLY", OFP_ROLE_REQUEST_LEN },
	[OFPT_GET_ASYNC_REQUEST] = { "GET_ASYNC_REQUEST", OFP_HEADER_LEN },
	[OFPT_GET_ASYNC_REPLY] = { "GET_ASYNC_REPLY", OFP_ASYNC_CONFIG_LEN },
	[OFPT_SET_ASYNC] = { "SET_ASYNC", OFP_ASYNC_CONFIG_LEN },
	[OFPT_METER_MOD] = { "METER_MOD", OFP_METER_MOD_LEN },
};

bool
ofp_header_peek(const void *p, size_t n, struct ofp_header_info *h)
{
	const uint8_t *b = p;

	if (n < OFP_HEADER_LEN)
		return false;
	h->version = b[0];
	h->type = b[1];
	h->length = get_be16(b + 2);
	h->xid = get_be32(b + 4);
	return true;
}

int
ofp_header_check(const void *p, size_t n, struct ofp_header_info *h, struct ofp_err *err)
{
	if (!ofp_header_peek(p, n, h) || h->length != n || h->length < OFP_HEADER_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	if (h->version != OFP13_VERSION && h->type != OFPT_HELLO)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_VERSION);
	if (h->type >= OFPT_N_TYPES)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	if (h->length < msg_types[h->type].min_len)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_LEN);
	return 0;
}

size_t
ofp_msg_min_len(uint8_t type)
{
	return type < OFPT_N_TYPES ? msg_types[type].min_len : 0;
}

const char *
ofp_msg_type_name(uint8_t type)
{
	return type < OFPT_N_TYPES ? msg_types[type].name : NULL;
}

int
ofp_msg_type_from_name(const char *name)
{
	if (!strncasecmp(name, "OFPT_", 5))
		name += 5;
	for (int t = 0; t < OFPT_N_TYPES; t++)
		if (!strcasecmp(msg_types[t].name, name))
			return t;
	return -1;
}

size_t
ofp_msg_start(struct buf *b, uint8_t type, uint32_t xid)
{
	size_t start = b->size;

	buf_put_u8(b, OFP13_VERSION);
	buf_put_u8(b, type);
	buf_put_be16(b, 0);
	buf_put_be32(b, xid);
	return start;
}

int
ofp_msg_finish(struct buf *b, size_t start)
{
	size_t len;

	if (buf_error(b))
		return buf_error(b);
	len = b->size - start;
	if (len > OFP_MAX_MSG_LEN) {
		buf_truncate(b, start);
		return -EMSGSIZE;
	}
	buf_set_be16(b, start + 2, (uint16_t)len);
	return 0;
}
