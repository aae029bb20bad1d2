/* Bundles for OpenFlow 1.3: the ONF extension 230 (the OpenFlow 1.4 bundle messages
 * backported as experimenter messages, as Open vSwitch implements them). A controller
 * opens a bundle, adds messages to it, and commits it so that they apply all or nothing.
 *
 * Wire (after the 16-byte experimenter header, experimenter ONF_EXPERIMENTER_ID; big
 * endian):
 *   BUNDLE_CONTROL (exp_type 2300): bundle_id u32, type u16, flags u16, properties.
 *   BUNDLE_ADD_MESSAGE (exp_type 2301): bundle_id u32, pad u16, flags u16, the embedded
 *     OpenFlow message (its own header and length), then, only when properties follow,
 *     zero padding to 8 bytes and the properties.
 * A property is type u16, length u16 (header included), body, padding to 8 bytes; the
 * codec checks their framing and keeps them as bytes (ext 230 defines only experimenter
 * properties).
 *
 * Errors: OpenFlow 1.4's OFPET_BUNDLE_FAILED codes travel in 1.3 as OFPET_EXPERIMENTER
 * errors with experimenter ONF_EXPERIMENTER_ID and exp_type 2300 + code (what Open
 * vSwitch sends); ofp_bundle_err() fills such a struct ofp_err.
 *
 * Uses buf.h (cursor for the untrusted bytes), ofp_switch.h's experimenter framing,
 * ofp_msg.h for the embedded message's header. */
#ifndef PFS_OFP_BUNDLE_H
#define PFS_OFP_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_switch.h"

struct buf;

#define ONF_EXPERIMENTER_ID 0x4f4e4600u /* "ONF\0" */
#define ONF_ET_BUNDLE_CONTROL 2300u
#define ONF_ET_BUNDLE_ADD_MESSAGE 2301u

enum ofp_bundle_ctrl_type {
	OFPBCT_OPEN_REQUEST = 0,
	OFPBCT_OPEN_REPLY = 1,
	OFPBCT_CLOSE_REQUEST = 2,
	OFPBCT_CLOSE_REPLY = 3,
	OFPBCT_COMMIT_REQUEST = 4,
	OFPBCT_COMMIT_REPLY = 5,
	OFPBCT_DISCARD_REQUEST = 6,
	OFPBCT_DISCARD_REPLY = 7,
};

enum ofp_bundle_flags {
	OFPBF_ATOMIC = 1 << 0,	/* all or nothing */
	OFPBF_ORDERED = 1 << 1, /* in the order added */
};

/* OpenFlow 1.4 OFPET_BUNDLE_FAILED codes; in 1.3 exp_type = ONF_BUNDLE_ERR_BASE + code. */
#define ONF_BUNDLE_ERR_BASE 2300u
enum ofp_bundle_failed_code {
	OFPBFC_UNKNOWN = 0,
	OFPBFC_EPERM = 1,
	OFPBFC_BAD_ID = 2,
	OFPBFC_BUNDLE_EXIST = 3,
	OFPBFC_BUNDLE_CLOSED = 4,
	OFPBFC_OUT_OF_BUNDLES = 5,
	OFPBFC_BAD_TYPE = 6,
	OFPBFC_BAD_FLAGS = 7,
	OFPBFC_MSG_BAD_LEN = 8,
	OFPBFC_MSG_BAD_XID = 9,
	OFPBFC_MSG_UNSUP = 10,
	OFPBFC_MSG_CONFLICT = 11,
	OFPBFC_MSG_TOO_MANY = 12,
	OFPBFC_MSG_FAILED = 13,
	OFPBFC_TIMEOUT = 14,
	OFPBFC_BUNDLE_IN_PROGRESS = 15,
	OFPBFC_N_CODES
};

/* Fills *err with the 1.3 (ONF experimenter) form of a bundle error; returns -EPROTO. */
int ofp_bundle_err(struct ofp_err *err, enum ofp_bundle_failed_code code);
/* "MSG_FAILED" for an exp_type of an ONF bundle error (2300 + code); NULL otherwise. */
const char *ofp_bundle_err_name(uint16_t exp_type);
/* True if e is an ONF ext 230 bundle message (BUNDLE_CONTROL or BUNDLE_ADD_MESSAGE). */
bool ofp_bundle_is_bundle(const struct ofp_experimenter *e);

struct ofp_bundle_ctrl {
	uint32_t bundle_id;
	uint16_t type;	/* enum ofp_bundle_ctrl_type */
	uint16_t flags; /* enum ofp_bundle_flags */
	struct {
		const uint8_t *data; /* properties, framing checked; points into the message */
		size_t len;
	} props;
};

struct ofp_bundle_add {
	uint32_t bundle_id;
	uint16_t flags;
	const uint8_t *msg; /* the embedded message, its header's length checked */
	size_t msg_len;
	struct {
		const uint8_t *data;
		size_t len;
	} props;
};

/* Decodes the body of a BUNDLE_CONTROL (e: its experimenter framing). BAD_REQUEST/BAD_LEN
 * if short or a property's framing is wrong; the type is not checked here (the switch
 * answers BAD_TYPE). 0 or -EPROTO with *err. Pointers point into e's data. */
int ofp_bundle_ctrl_decode(const struct ofp_experimenter *e, struct ofp_bundle_ctrl *out,
			   struct ofp_err *err);
/* Appends a BUNDLE_CONTROL. 0, -ENOMEM, -EMSGSIZE, or -EINVAL (properties not a whole
 * number of 8-byte units). */
int ofp_bundle_ctrl_encode(const struct ofp_bundle_ctrl *in, uint32_t xid, struct buf *b);
/* "bundle_id=0x1 type=OPEN_REQUEST flags=atomic ordered" (ovs-ofctl's shape). */
void ofp_bundle_ctrl_format(const struct ofp_bundle_ctrl *in, struct buf *b);
/* "OPEN_REQUEST" for OFPBCT_OPEN_REQUEST; NULL if unknown. */
const char *ofp_bundle_ctrl_type_name(uint16_t type);

/* Decodes the body of a BUNDLE_ADD_MESSAGE: the embedded message must have a whole
 * header whose length fits (ONF bundle error MSG_BAD_LEN otherwise); BAD_REQUEST/BAD_LEN
 * if the body is short or the properties' framing is wrong. The embedded message
 * itself is not decoded. 0 or -EPROTO with *err. */
int ofp_bundle_add_decode(const struct ofp_experimenter *e, struct ofp_bundle_add *out,
			  struct ofp_err *err);
/* Appends a BUNDLE_ADD_MESSAGE carrying in->msg; the xid is the embedded message's, as
 * the specification asks. 0, -ENOMEM, -EMSGSIZE, or -EINVAL (msg shorter than a
 * header, properties not whole 8-byte units). */
int ofp_bundle_add_encode(const struct ofp_bundle_add *in, struct buf *b);
/* "bundle_id=0x1 flags=ordered" then the embedded message as ofp_message_print() gives
 * it, on a new line. */
void ofp_bundle_add_format(const struct ofp_bundle_add *in, struct buf *b);

/* Formats an ONF bundle experimenter message's body (ofp_experimenter_format() calls
 * this for them); a body that does not decode is shown as such. */
void ofp_bundle_format(const struct ofp_experimenter *e, struct buf *b);

#endif /* PFS_OFP_BUNDLE_H */
