/* Any OpenFlow 1.3 message in decoded form: a tagged union over every message type,
 * with one table-driven decode, encode and format that dispatch to the entity codecs
 * (ofp_switch.c, ofp_flow.c, ofp_multipart.c, ...). Used where a message of any type
 * arrives: the control connection's reader, pfs-ofctl's monitor and snoop, the fuzzer's
 * round-trip oracle and the interop tests. Handlers that know the type they expect call
 * the entity codec directly. */
#ifndef PFS_OFP_MESSAGE_H
#define PFS_OFP_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofp_msg.h"
#include "ofp_multipart.h"
#include "ofp_packet.h"
#include "ofp_port.h"
#include "ofp_switch.h"
#include "ofp_table.h"

struct buf;

struct ofp_message {
	struct ofp_header_info h; /* h.type selects the member; h.length is as decoded */
	union {
		struct ofp_hello hello;
		struct ofp_error_msg error;
		struct ofp_echo echo; /* ECHO_REQUEST, ECHO_REPLY */
		struct ofp_experimenter experimenter;
		struct ofp_switch_features features; /* FEATURES_REPLY */
		struct ofp_switch_config config;     /* GET_CONFIG_REPLY, SET_CONFIG */
		struct ofp_packet_in packet_in;
		struct ofp_flow_removed flow_removed;
		struct ofp_port_status port_status;
		struct ofp_packet_out packet_out;
		struct ofp_flow_mod flow_mod;
		struct ofp_group_mod group_mod;
		struct ofp_port_mod port_mod;
		struct ofp_table_mod table_mod;
		struct ofp_multipart_request mp_request;
		struct ofp_multipart_reply mp_reply;
		struct ofp_queue_get_config_request queue_get_config_request;
		struct ofp_queue_get_config_reply queue_get_config_reply;
		struct ofp_role role;	       /* ROLE_REQUEST, ROLE_REPLY */
		struct ofp_async_config async; /* GET_ASYNC_REPLY, SET_ASYNC */
		struct ofp_meter_mod meter_mod;
		/* FEATURES_REQUEST, GET_CONFIG_REQUEST, BARRIER_*, GET_ASYNC_REQUEST: no body */
	};
};

/* Decodes one complete message of len bytes: ofp_header_check() then the type's
 * decoder. Everything variable is allocated from a (free it with arena_free()).
 * 0, -EPROTO with *err (the OFPT_ERROR to send back), or -ENOMEM. */
int ofp_message_decode(const void *msg, size_t len, struct arena *a, struct ofp_message *out,
		       struct ofp_err *err);
/* Appends the wire form of m (type m->h.type, xid m->h.xid). A multipart reply may
 * become several messages. 0, -ENOMEM, -EMSGSIZE, or -EINVAL (unknown type or a value
 * the encoder refuses). */
int ofp_message_encode(const struct ofp_message *m, struct buf *b);
/* Appends "OFPT_FLOW_MOD (OF1.3) (xid=0x5): " then the body's text, as ovs-ofctl's
 * ofp-print does. */
void ofp_message_format(const struct ofp_message *m, struct buf *b);
/* Convenience for tools and tests: decodes and formats msg, or formats the decode
 * error with a hex dump of the bytes. Never fails (b's own error aside). */
void ofp_message_print(const void *msg, size_t len, struct buf *b);

#endif /* PFS_OFP_MESSAGE_H */
