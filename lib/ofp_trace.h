/* pfswitch's trace experimenter messages (pfs-ofctl trace): a request carries an
 * ingress port and a frame; the reply carries what the switch's pipeline did with it,
 * step by step (tables and rules, meters, groups and buckets, the action set, outputs,
 * drops). Both are OFPT_EXPERIMENTER messages with experimenter PFS_EXPERIMENTER_ID; a
 * switch that does not know it answers BAD_REQUEST/BAD_EXPERIMENTER.
 *
 * Wire (after the experimenter header; big endian):
 *   request (exp_type 1): in_port u32, pad u32, the frame (1..65511 bytes).
 *   reply (exp_type 2): in_port u32, flags u8 (1: truncated), pad[3], then events, each
 *     len u16 (multiple of 8), kind u8, depth u8, table_id u8, group_type u8, flags u8
 *     (1: the meter drops), pad u8, priority u16, max_len u16, id u32, arg i32,
 *     cookie u64, text_len u16, text2_len u16, text, text2, zero padding to 8.
 * Texts are UTF-8 without NULs: the rule's "priority=P,MATCH" and its instructions for
 * a table step, the actions for an action set or a bucket, the reason for a drop.
 *
 * Uses buf.h (cursor for the untrusted bytes), arena.h, ofp_switch.h's experimenter
 * framing, ofp_action.h to format ports. */
#ifndef PFS_OFP_TRACE_H
#define PFS_OFP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_switch.h"

struct arena;
struct buf;

#define PFS_EXPERIMENTER_ID 0x00504653u /* "\0PFS": not an IEEE OUI, pfswitch's own */
#define PFS_EXP_TRACE_REQUEST 1u
#define PFS_EXP_TRACE_REPLY 2u

enum ofp_trace_kind {
	OFP_TRACE_TABLE,      /* table_id, priority, cookie; text: rule; text2: instructions */
	OFP_TRACE_MISS,	      /* table_id: no rule matched */
	OFP_TRACE_METER,      /* id: meter; arg: band that applies or -1; drop */
	OFP_TRACE_ACTION_SET, /* text: the action set, as it starts to run */
	OFP_TRACE_GROUP,      /* id, group_type; arg: bucket run or -1 (none); text: its actions */
	OFP_TRACE_OUTPUT,     /* id: port; max_len */
	OFP_TRACE_DROP,	      /* text: the drop reason */
	OFP_TRACE_N_KINDS
};

struct ofp_trace_event {
	uint8_t kind;  /* enum ofp_trace_kind */
	uint8_t depth; /* group buckets entered */
	uint8_t table_id;
	uint8_t group_type;
	bool drop;
	uint16_t priority;
	uint16_t max_len;
	uint32_t id;
	int32_t arg;
	uint64_t cookie;
	const char *text;  /* NULL or NUL-terminated */
	const char *text2; /* NULL or NUL-terminated */
};

struct ofp_trace_request {
	uint32_t in_port;
	const uint8_t *packet;
	size_t len;
};

struct ofp_trace_reply {
	uint32_t in_port;
	bool truncated;
	size_t n_events;
	const struct ofp_trace_event *events;
};

/* Appends a whole OFPT_EXPERIMENTER trace request. 0, -EINVAL (empty or oversized
 * frame), -ENOMEM, -EMSGSIZE. */
int ofp_trace_request_encode(const struct ofp_trace_request *in, uint32_t xid, struct buf *b);
/* Decodes the body of an experimenter message (e->experimenter and e->exp_type already
 * checked by the caller): packet points into e's data. 0 or -EPROTO with
 * BAD_REQUEST/BAD_LEN (short body or no frame). */
int ofp_trace_request_decode(const struct ofp_experimenter *e, struct ofp_trace_request *out,
			     struct ofp_err *err);

/* Appends a whole OFPT_EXPERIMENTER trace reply. Events that would take the message
 * past 65535 bytes are left out and the reply marked truncated. 0, -EINVAL (a text over
 * 65535 bytes), -ENOMEM. */
int ofp_trace_reply_encode(const struct ofp_trace_reply *in, uint32_t xid, struct buf *b);
/* Decodes a trace reply's experimenter body; events and texts come from a. 0, -EPROTO
 * with BAD_REQUEST/BAD_LEN (lengths that do not add up, a NUL in a text) or
 * BAD_REQUEST/BAD_EXP_TYPE (an unknown event kind), or -ENOMEM. */
int ofp_trace_reply_decode(const struct ofp_experimenter *e, struct arena *a,
			   struct ofp_trace_reply *out, struct ofp_err *err);
/* Appends the trace as text, one line per step, indented two spaces per group level:
 * "table 0: priority=100,in_port=1 cookie=0x1 -> goto_table:1", "  meter 1: pass",
 * "action set: output:2", "group 7 (all): bucket 0: output:3", "output: port 2",
 * "drop: table_miss". */
void ofp_trace_reply_format(const struct ofp_trace_reply *in, struct buf *b);
/* "table", "miss", "meter", "action_set", "group", "output", "drop"; "?" if unknown. */
const char *ofp_trace_kind_name(uint8_t kind);
/* "all", "select", "indirect", "ff"; "?" if unknown. */
const char *ofp_trace_group_type_name(uint8_t type);

#endif /* PFS_OFP_TRACE_H */
