/* OpenFlow 1.3 multipart framing: OFPT_MULTIPART_REQUEST and OFPT_MULTIPART_REPLY
 * (type, flags, pad, body) with one table that maps each OFPMP_* type to its request
 * body and reply entry codecs (which live in the entity files: ofp_switch.c, ofp_flow.c,
 * ofp_table.c, ofp_port.c, ofp_group.c, ofp_meter.c); a streaming writer that splits a
 * long reply (or request) into several messages of at most 65535 bytes with the MORE
 * flag on all but the last; and an assembler that collects the parts of a multi-message
 * request or reply by xid, bounded in bytes and in pending xids. */
#ifndef PFS_OFP_MULTIPART_H
#define PFS_OFP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofp_port.h"
#include "ofp_switch.h"
#include "ofp_table.h"
#include "openflow.h"

struct arena;
struct buf;
struct ofp_err;

/* OFPMP_EXPERIMENTER request or reply body. */
struct ofp_experimenter_multipart {
	uint32_t experimenter;
	uint32_t exp_type;
	struct {
		const uint8_t *data;
		size_t len;
	} data;
};

/* Pulls the whole rest of c (8-byte header + data). OFPBRC_BAD_LEN if short.
 * 0, -EPROTO or -ENOMEM. */
int ofp_experimenter_multipart_decode(struct buf_cursor *c, struct arena *a,
				      struct ofp_experimenter_multipart *out, struct ofp_err *err);
void ofp_experimenter_multipart_encode(const struct ofp_experimenter_multipart *in, struct buf *b);
void ofp_experimenter_multipart_format(const struct ofp_experimenter_multipart *in, struct buf *b);

/* Decoded OFPT_MULTIPART_REQUEST. Which member is valid depends on type: none for
 * DESC, TABLE, GROUP_DESC, GROUP_FEATURES, METER_FEATURES, PORT_DESC. */
struct ofp_multipart_request {
	uint16_t type;	/* OFPMP_* */
	uint16_t flags; /* OFPMPF_REQ_MORE */
	union {
		struct ofp_flow_stats_request flow; /* FLOW and AGGREGATE */
		struct ofp_port_stats_request port_stats;
		struct ofp_queue_stats_request queue;
		struct ofp_group_stats_request group;
		struct ofp_meter_multipart_request meter; /* METER and METER_CONFIG */
		struct {
			struct ofp_table_features *items;
			size_t n;
		} table_features; /* may be empty: a plain query */
		struct ofp_experimenter_multipart experimenter;
	};
};

/* Decoded OFPT_MULTIPART_REPLY. List members hold the entries of this one message (or
 * of a whole reassembled sequence). */
struct ofp_multipart_reply {
	uint16_t type;	/* OFPMP_* */
	uint16_t flags; /* OFPMPF_REPLY_MORE */
	union {
		struct ofp_desc desc;
		struct {
			struct ofp_flow_stats *items;
			size_t n;
		} flow;
		struct ofp_aggregate_stats_reply aggregate;
		struct {
			struct ofp_table_stats *items;
			size_t n;
		} table;
		struct {
			struct ofp_port_stats *items;
			size_t n;
		} port_stats;
		struct {
			struct ofp_queue_stats *items;
			size_t n;
		} queue;
		struct {
			struct ofp_group_stats *items;
			size_t n;
		} group;
		struct {
			struct ofp_group_desc *items;
			size_t n;
		} group_desc;
		struct ofp_group_features group_features;
		struct {
			struct ofp_meter_stats *items;
			size_t n;
		} meter;
		struct {
			struct ofp_meter_config *items;
			size_t n;
		} meter_config;
		struct ofp_meter_features meter_features;
		struct {
			struct ofp_table_features *items;
			size_t n;
		} table_features;
		struct {
			struct ofp_port_desc *items;
			size_t n;
		} port_desc;
		struct ofp_experimenter_multipart experimenter;
	};
};

/* Decodes a whole MULTIPART_REQUEST (header included, accepted by ofp_header_check).
 * Errors: OFPBRC_BAD_MULTIPART for an unknown type; OFPBRC_BAD_LEN for a body that is
 * not exactly the type's (empty for DESC, TABLE, ...; trailing bytes after the body);
 * the body decoder's errors. flags is kept as sent. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_multipart_request_decode(const void *msg, size_t len, struct arena *a,
				 struct ofp_multipart_request *out, struct ofp_err *err);
/* The same on a bare body (e.g. a reassembled one, which may exceed 65535 bytes). */
int ofp_multipart_request_body_decode(uint16_t type, uint16_t flags, const void *body, size_t len,
				      struct arena *a, struct ofp_multipart_request *out,
				      struct ofp_err *err);
/* Appends one MULTIPART_REQUEST. A TABLE_FEATURES request too long for one message is
 * split over several (REQ_MORE on all but the last). 0, -ENOMEM, -EMSGSIZE (one entry
 * alone exceeds a message) or -EINVAL (unknown type). */
int ofp_multipart_request_encode(const struct ofp_multipart_request *in, uint32_t xid,
				 struct buf *b);
/* "type=FLOW flags=0x1 <body text>" style summary, ovs-ofctl-like body text. */
void ofp_multipart_request_format(const struct ofp_multipart_request *in, struct buf *b);

/* Decodes a whole MULTIPART_REPLY: OFPBRC_BAD_MULTIPART for an unknown type,
 * OFPBRC_BAD_LEN for a body that is not a whole number of entries (or not exactly the
 * fixed body), the entry decoders' errors. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_multipart_reply_decode(const void *msg, size_t len, struct arena *a,
			       struct ofp_multipart_reply *out, struct ofp_err *err);
/* The same on a bare body (e.g. a reassembled reply sequence). */
int ofp_multipart_reply_body_decode(uint16_t type, uint16_t flags, const void *body, size_t len,
				    struct arena *a, struct ofp_multipart_reply *out,
				    struct ofp_err *err);
/* Appends the reply as one or more MULTIPART_REPLY messages (same xid, REPLY_MORE on
 * all but the last; in->flags is kept on every message, MORE included on the last), each entry
 * whole in one message, through struct ofp_mp_writer. 0, -ENOMEM, -EMSGSIZE (one entry alone too
 * long) or -EINVAL (unknown type). On error b is truncated back to where it was. */
int ofp_multipart_reply_encode(const struct ofp_multipart_reply *in, uint32_t xid, struct buf *b);
/* One entry per line, ovs-ofctl dump-* style, after a "type=..." summary line. */
void ofp_multipart_reply_format(const struct ofp_multipart_reply *in, struct buf *b);

/* "FLOW", "PORT_DESC", ...; NULL if unknown. */
const char *ofp_multipart_type_name(uint16_t type);
/* OFPMP_* for "FLOW"/"OFPMP_FLOW" (any case); -1 if unknown. */
int ofp_multipart_type_from_name(const char *name);
/* Number of entries in a reply's list member, 1 for a fixed body, 0 for unknown. */
size_t ofp_multipart_reply_count(const struct ofp_multipart_reply *r);

/* Streaming writer: entries are appended straight into b; when an entry would make the
 * current message exceed max_len it is moved to a fresh message (same xid), and the
 * previous one gets the MORE flag. Usage:
 *     ofp_mp_writer_start(&w, b, OFPMP_FLOW, xid);
 *     for each entry: ofs = ofp_mp_writer_entry_begin(&w); <encode entry into b>;
 *                     if ((err = ofp_mp_writer_entry_end(&w, ofs))) ...;
 *     err = ofp_mp_writer_finish(&w);
 * -ENOMEM is sticky (later calls and finish return it); -EMSGSIZE drops only the
 * entry that was too long, and the writer goes on. */
struct ofp_mp_writer {
	struct buf *b;
	size_t start;	  /* offset in b where the writer began (rolled back on error) */
	size_t msg_start; /* offset of the current message's header */
	size_t max_len;	  /* per message; OFP_MAX_MSG_LEN unless a test lowers it */
	uint32_t xid;
	uint16_t type;	  /* OFPMP_* */
	uint8_t msg_type; /* OFPT_MULTIPART_REPLY or OFPT_MULTIPART_REQUEST */
	unsigned n_msgs;  /* messages begun so far */
	int error;	  /* sticky */
	uint16_t flags;	  /* bits other than MORE, written on every message */
};

/* Begins a MULTIPART_REPLY sequence of the given OFPMP_* type. */
void ofp_mp_writer_start(struct ofp_mp_writer *w, struct buf *b, uint16_t type, uint32_t xid);
/* Begins a MULTIPART_REQUEST sequence (REQ_MORE on all but the last). */
void ofp_mp_writer_start_request(struct ofp_mp_writer *w, struct buf *b, uint16_t type,
				 uint32_t xid);
/* Sets flag bits on every message of the sequence, so a decoded message's flags
 * survive re-encoding. The writer sets MORE on all but the last message itself; MORE
 * given here also marks the last one (the sequence is one part of a longer one). */
void ofp_mp_writer_set_flags(struct ofp_mp_writer *w, uint16_t flags);
/* Returns the offset where the next entry starts (pass it to entry_end). */
size_t ofp_mp_writer_entry_begin(struct ofp_mp_writer *w);
/* Closes the entry begun at ofs; moves it to a new message if the current one would
 * exceed max_len. 0, -ENOMEM, or -EMSGSIZE if the entry alone does not fit one
 * message (the entry is dropped, b is as before entry_begin). */
int ofp_mp_writer_entry_end(struct ofp_mp_writer *w, size_t ofs);
/* Closes the last message (no MORE flag). 0 or the first error; on error b is
 * truncated back to where the writer started. */
int ofp_mp_writer_finish(struct ofp_mp_writer *w);

/* Reassembly of multi-message requests (REQ_MORE) or replies (REPLY_MORE). Parts are
 * kept per xid until the part without the MORE flag arrives; the body bytes of all
 * parts are concatenated. */
#define OFP_MP_ASSEMBLER_MAX_BYTES_DEFAULT (1u << 20)
#define OFP_MP_ASSEMBLER_MAX_PENDING_DEFAULT 16

struct ofp_mp_partial;

struct ofp_multipart_assembler {
	struct ofp_mp_partial *pending; /* list of in-progress xids */
	size_t n_pending;
	size_t max_bytes;	     /* bound on the body bytes buffered for one xid */
	size_t max_pending;	     /* bound on in-progress xids */
	struct ofp_mp_partial *done; /* last completed sequence, freed on the next call */
};

/* A completed sequence. body points into the message passed last (a sequence of one
 * message) or into the assembler, valid until the next ofp_mp_assembler_add() or
 * ofp_mp_assembler_uninit(). */
struct ofp_mp_assembled {
	uint8_t msg_type; /* OFPT_MULTIPART_REQUEST or _REPLY */
	uint16_t type;	  /* OFPMP_* */
	uint32_t xid;
	unsigned n_parts;
	const uint8_t *body;
	size_t len;
};

/* Initialises an empty assembler; 0 for either bound means its default. */
void ofp_mp_assembler_init(struct ofp_multipart_assembler *as, size_t max_bytes,
			   size_t max_pending);
/* Frees everything pending. NULL-safe. */
void ofp_mp_assembler_uninit(struct ofp_multipart_assembler *as);
/* Feeds one MULTIPART_REQUEST or MULTIPART_REPLY message (accepted by
 * ofp_header_check). Returns 1 with *out filled when msg completes a sequence (a
 * single message without the MORE flag completes at once), 0 if more parts are
 * awaited, -EPROTO with *err: OFPBRC_BAD_LEN if msg is not a multipart message,
 * OFPBRC_BAD_MULTIPART if a part's type differs from the first part's (the xid is
 * dropped), OFPBRC_MULTIPART_BUFFER_OVERFLOW if the xid's bytes (bodies plus 16 per
 * part, so empty parts count too) would exceed max_bytes or a new xid would exceed
 * max_pending (the xid is dropped); or -ENOMEM (the xid is dropped). Sequences are
 * keyed by (xid, request or reply). */
int ofp_mp_assembler_add(struct ofp_multipart_assembler *as, const void *msg, size_t len,
			 struct ofp_mp_assembled *out, struct ofp_err *err);
/* Drops the pending parts of xid, if any. */
void ofp_mp_assembler_drop(struct ofp_multipart_assembler *as, uint32_t xid);

#endif /* PFS_OFP_MULTIPART_H */
