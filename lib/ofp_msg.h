/* OpenFlow 1.3 message framing: header decode and validation against the per-type
 * minimum length table, message start/finish for encoders (length back-patched), and
 * type names. The decoded form of whole messages (struct ofp_msg, a tagged union over
 * every message and multipart body) and its generic decode/encode/format are declared
 * at the end of this header; per-message codecs live in the entity files
 * (ofp_flow.c, ofp_group.c, ...). */
#ifndef PFS_OFP_MSG_H
#define PFS_OFP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct buf;
struct ofp_err;

struct ofp_header_info {
	uint8_t version;
	uint8_t type;
	uint16_t length;
	uint32_t xid;
};

/* Reads the 8-byte header at p without validating it. false if n < 8. */
bool ofp_header_peek(const void *p, size_t n, struct ofp_header_info *h);
/* Validates a complete message of n bytes: version OF1.3 (BAD_REQUEST/BAD_VERSION,
 * except HELLO, which any version may send), length field equal to n and at least the
 * type's minimum (BAD_REQUEST/BAD_LEN), known type (BAD_REQUEST/BAD_TYPE). Fills *h.
 * 0 or -EPROTO with *err. */
int ofp_header_check(const void *p, size_t n, struct ofp_header_info *h, struct ofp_err *err);
/* Minimum length of a message of the given type (header included); 0 if unknown. */
size_t ofp_msg_min_len(uint8_t type);
/* "FLOW_MOD" for OFPT_FLOW_MOD; NULL if unknown. */
const char *ofp_msg_type_name(uint8_t type);
/* OFPT_* for a name such as "FLOW_MOD" or "OFPT_FLOW_MOD" (any case); -1 if unknown. */
int ofp_msg_type_from_name(const char *name);

/* Starts a message: appends a header (length patched by ofp_msg_finish) and returns its
 * offset in b. */
size_t ofp_msg_start(struct buf *b, uint8_t type, uint32_t xid);
/* Patches the length of the message begun at start. 0, -EMSGSIZE if it exceeds 65535
 * bytes (b is truncated back to start), or -ENOMEM if b failed. */
int ofp_msg_finish(struct buf *b, size_t start);

#endif /* PFS_OFP_MSG_H */
