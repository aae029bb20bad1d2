/* OFPT_PACKET_IN (switch to controller: a packet with its pipeline match) and
 * OFPT_PACKET_OUT (controller to switch: a packet or buffer id with an action list), with
 * the spec's validation, wire decode/encode and ovs-ofctl ofp-print text.
 *
 * Matches go through lib/oxm.h, actions through lib/ofp_action.h; framing is
 * lib/ofp_msg.h's. Decoded action lists and frame bytes are allocated from a struct
 * arena and never point into the input. */
#ifndef PFS_OFP_PACKET_H
#define PFS_OFP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"
#include "openflow.h"
#include "oxm.h"

struct arena;
struct buf;
struct ofp_err;

struct ofp_packet_in {
	uint32_t buffer_id; /* OFP_NO_BUFFER if the whole frame is in data */
	uint16_t total_len; /* length of the frame on the wire */
	uint8_t reason;	    /* OFPR_* */
	uint8_t table_id;
	uint64_t cookie;
	struct ofp_match match; /* pipeline fields: in_port, in_phy_port, metadata, tunnel_id */
	struct {
		const uint8_t *data;
		size_t len;
	} data; /* the frame, or its first bytes when buffered */
};

/* Decodes a PACKET_IN. The match is checked like oxm_decode() except for prerequisites
 * (a packet-in match carries pipeline fields, not a flow's prerequisites): BAD_MATCH
 * errors from oxm_decode_tlvs(), BAD_MATCH/BAD_TYPE for a non-OXM match,
 * BAD_MATCH/BAD_LEN for a match length < 4 or past the end; BAD_REQUEST/BAD_LEN if the
 * 2 pad bytes after the match are missing. The rest is the frame. 0, -EPROTO with *err,
 * or -ENOMEM. */
int ofp_packet_in_decode(const void *msg, size_t len, struct arena *a, struct ofp_packet_in *out,
			 struct ofp_err *err);
/* 0, -ENOMEM, or -EMSGSIZE. */
int ofp_packet_in_encode(const struct ofp_packet_in *in, uint32_t xid, struct buf *b);
/* As ovs-ofctl: "table_id=1 cookie=0x5 total_len=60 in_port=1 (via no_match)
 * data_len=60 (unbuffered)" or "... buffer=0x00000100" (table_id and cookie omitted
 * when 0 and all-ones). */
void ofp_packet_in_format(const struct ofp_packet_in *in, struct buf *b);
/* "no_match", "action", "invalid_ttl"; NULL if unknown. */
const char *ofp_packet_in_reason_name(uint8_t reason);

struct ofp_packet_out {
	uint32_t buffer_id; /* OFP_NO_BUFFER if the frame is in data */
	uint32_t in_port;
	struct ofp_action_list actions;
	struct {
		const uint8_t *data;
		size_t len;
	} data;
};

/* Decodes a PACKET_OUT: BAD_REQUEST/BAD_LEN if actions_len runs past the end;
 * BAD_REQUEST/BAD_PORT for an in_port that is neither a standard port (1..OFPP_MAX or
 * OFPP_LOCAL) nor OFPP_CONTROLLER nor OFPP_ANY (accepted as "no ingress port", as Open
 * vSwitch does); ofp_actions_decode()'s errors. A buffer_id with data present is
 * allowed. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_packet_out_decode(const void *msg, size_t len, struct arena *a, struct ofp_packet_out *out,
			  struct ofp_err *err);
/* 0, -ENOMEM, or -EMSGSIZE. */
int ofp_packet_out_encode(const struct ofp_packet_out *in, uint32_t xid, struct buf *b);
/* As ovs-ofctl: "in_port=1 actions=output:2 data_len=60", or "... buffer=0x00000100"
 * for a buffered packet (with data_len too if data is present). */
void ofp_packet_out_format(const struct ofp_packet_out *in, struct buf *b);

#endif /* PFS_OFP_PACKET_H */
