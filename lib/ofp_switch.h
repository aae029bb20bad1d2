/* The control messages of OpenFlow 1.3.5 between a switch and its controller: HELLO
 * (with version negotiation), ECHO_REQUEST/REPLY, EXPERIMENTER, FEATURES_REPLY,
 * GET_CONFIG_REPLY/SET_CONFIG, ROLE_REQUEST/REPLY, GET_ASYNC_REPLY/SET_ASYNC,
 * QUEUE_GET_CONFIG_REQUEST/REPLY, the empty-bodied requests (FEATURES_REQUEST,
 * GET_CONFIG_REQUEST, BARRIER_REQUEST/REPLY, GET_ASYNC_REQUEST), and the OFPMP_DESC
 * multipart reply body. Each has its wire decode/encode and its human text in
 * ovs-ofctl's style (the body only, without the "OFPT_X (OF1.3) (xid=..):" prefix).
 *
 * Naming: every message type N has ofp_N_decode/encode/format. Where two types share a
 * body (echo, switch_config, role, async_config) the work is done by ofp_BODY_* (decode
 * and format accept either type; encode takes the type and returns -EINVAL for any
 * other), and the per-type names are inline wrappers below. Messages without a body use
 * ofp_empty_decode/encode and have no struct. OFPT_ERROR is in ofp_error.h, PACKET_IN
 * and PACKET_OUT in ofp_packet.h. Framing comes from ofp_msg.h; nested lists and byte
 * strings of decoded messages are allocated from a struct arena. */
#ifndef PFS_OFP_SWITCH_H
#define PFS_OFP_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openflow.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

/* ---- Empty-bodied messages ---------------------------------------------------------- */

/* True for FEATURES_REQUEST, GET_CONFIG_REQUEST, BARRIER_REQUEST, BARRIER_REPLY and
 * GET_ASYNC_REQUEST: the types whose message is the bare header. */
bool ofp_empty_type(uint8_t type);
/* Checks that a message of one of those types has no body: 0, or -EPROTO with
 * BAD_REQUEST/BAD_LEN if len != 8, BAD_REQUEST/BAD_TYPE if msg's type is not an empty
 * type. */
int ofp_empty_decode(const void *msg, size_t len, struct ofp_err *err);
/* Appends the bare header of an empty type. 0, -ENOMEM, or -EINVAL for another type. */
int ofp_empty_encode(uint8_t type, uint32_t xid, struct buf *b);

/* ---- HELLO --------------------------------------------------------------------------- */

/* One hello element. Elements of unknown types are kept (type + body) so that they
 * can be skipped by the negotiation and echoed by the encoder. */
struct ofp_hello_elem {
	uint16_t type; /* OFPHET_* */
	/* OFPHET_VERSIONBITMAP: bitmap words; bit v of words[v / 32] = version v. */
	struct {
		uint32_t *words;
		size_t n;
	} bitmap;
	/* Other types: the element's body after its 4-byte header, padding excluded. */
	struct {
		const uint8_t *data;
		size_t len;
	} body;
};

struct ofp_hello {
	struct ofp_hello_elem *elems;
	size_t n;
};

/* Decodes a HELLO of any version. For header versions below 0x04 the body is ignored
 * (earlier versions define none) and n = 0. Otherwise the body is a list of elements,
 * each padded to 8 bytes (the padding of the last element may be missing). Errors:
 * BAD_REQUEST/BAD_LEN for an element length < 4 or past the end, or a VERSIONBITMAP
 * length that is not 4 + 4*n. Elements of unknown type are kept, not refused (spec
 * 7.5.1). 0, -EPROTO with *err, or -ENOMEM. */
int ofp_hello_decode(const void *msg, size_t len, struct arena *a, struct ofp_hello *out,
		     struct ofp_err *err);
/* Appends a HELLO (header version 0x04) with the given elements. 0, -ENOMEM,
 * -EMSGSIZE, or -EINVAL for an element whose length does not fit 16 bits. */
int ofp_hello_encode(const struct ofp_hello *in, uint32_t xid, struct buf *b);
/* Appends the HELLO pfswitch sends: version 0x04 and a VERSIONBITMAP with only bit 4
 * (OpenFlow 1.3). 0 or -ENOMEM. */
int ofp_hello_encode_default(uint32_t xid, struct buf *b);
/* "version bitmap: 0x04" (and "unknown element type=N len=M" for others). */
void ofp_hello_format(const struct ofp_hello *in, struct buf *b);
/* Applies spec 6.3.1 against our own HELLO (version 0x04, bitmap {0x04}): if the peer's
 * hello has a VERSIONBITMAP (the first one counts), the negotiated version is the
 * highest set in both bitmaps (0 if none); otherwise it is min(0x04,
 * peer_header_version). *version receives it. Returns 0 if it is 0x04 (OpenFlow 1.3),
 * else -EPROTO: the caller then sends HELLO_FAILED/INCOMPATIBLE and closes. */
int ofp_hello_negotiate(const struct ofp_hello *peer, uint8_t peer_header_version,
			uint8_t *version);

/* ---- ECHO_REQUEST / ECHO_REPLY --------------------------------------------------------- */

struct ofp_echo {
	struct {
		const uint8_t *data;
		size_t len;
	} data; /* arbitrary payload, copied into the arena */
};

/* Decodes either echo type. 0 or -ENOMEM (any payload is valid). */
int ofp_echo_decode(const void *msg, size_t len, struct arena *a, struct ofp_echo *out,
		    struct ofp_err *err);
/* type is OFPT_ECHO_REQUEST or OFPT_ECHO_REPLY. 0, -ENOMEM, -EMSGSIZE, or -EINVAL. */
int ofp_echo_encode(const struct ofp_echo *in, uint8_t type, uint32_t xid, struct buf *b);
/* "N bytes of payload" followed by a hex dump of up to 64 bytes. */
void ofp_echo_format(const struct ofp_echo *in, struct buf *b);

/* ---- EXPERIMENTER ------------------------------------------------------------------- */

struct ofp_experimenter {
	uint32_t experimenter;
	uint32_t exp_type;
	struct {
		const uint8_t *data;
		size_t len;
	} data;
};

/* BAD_REQUEST/BAD_LEN below 16 bytes (ofp_header_check already refuses those).
 * 0, -EPROTO with *err, or -ENOMEM. */
int ofp_experimenter_decode(const void *msg, size_t len, struct arena *a,
			    struct ofp_experimenter *out, struct ofp_err *err);
/* 0, -ENOMEM, or -EMSGSIZE. */
int ofp_experimenter_encode(const struct ofp_experimenter *in, uint32_t xid, struct buf *b);
/* "experimenter=0x00002320 exp_type=0 data_len=4". */
void ofp_experimenter_format(const struct ofp_experimenter *in, struct buf *b);

/* ---- FEATURES_REPLY ------------------------------------------------------------------- */

struct ofp_switch_features {
	uint64_t datapath_id;
	uint32_t n_buffers;
	uint8_t n_tables;
	uint8_t auxiliary_id;
	uint32_t capabilities; /* OFPC_* */
	uint32_t reserved;
};

/* BAD_REQUEST/BAD_LEN if len != 32. 0 or -EPROTO with *err. */
int ofp_features_reply_decode(const void *msg, size_t len, struct arena *a,
			      struct ofp_switch_features *out, struct ofp_err *err);
/* 0 or -ENOMEM. */
int ofp_features_reply_encode(const struct ofp_switch_features *in, uint32_t xid, struct buf *b);
/* "dpid:0000000000000001\nn_tables:254, n_buffers:0\ncapabilities: FLOW_STATS ..." */
void ofp_features_reply_format(const struct ofp_switch_features *in, struct buf *b);

/* ---- GET_CONFIG_REPLY / SET_CONFIG ----------------------------------------------------- */

struct ofp_switch_config {
	uint16_t flags; /* OFPC_FRAG_* */
	uint16_t miss_send_len;
};

/* Decodes either type: BAD_REQUEST/BAD_LEN if len != 12; for SET_CONFIG,
 * SWITCH_CONFIG_FAILED/BAD_FLAGS for flag bits outside OFPC_FRAG_MASK (a reply's flags
 * are taken as they come). 0 or -EPROTO with *err. */
int ofp_switch_config_decode(const void *msg, size_t len, struct arena *a,
			     struct ofp_switch_config *out, struct ofp_err *err);
/* type is OFPT_GET_CONFIG_REPLY or OFPT_SET_CONFIG. 0, -ENOMEM, or -EINVAL. */
int ofp_switch_config_encode(const struct ofp_switch_config *in, uint8_t type, uint32_t xid,
			     struct buf *b);
/* "frags=normal miss_send_len=128" (miss_send_len=NO_BUFFER for 0xffff). */
void ofp_switch_config_format(const struct ofp_switch_config *in, struct buf *b);

/* ---- ROLE_REQUEST / ROLE_REPLY --------------------------------------------------------- */

struct ofp_role {
	uint32_t role; /* OFPCR_ROLE_* */
	uint64_t generation_id;
};

/* Decodes either type: BAD_REQUEST/BAD_LEN if len != 24, ROLE_REQUEST_FAILED/BAD_ROLE
 * for a role > OFPCR_ROLE_SLAVE. 0 or -EPROTO with *err. */
int ofp_role_decode(const void *msg, size_t len, struct arena *a, struct ofp_role *out,
		    struct ofp_err *err);
/* type is OFPT_ROLE_REQUEST or OFPT_ROLE_REPLY. 0, -ENOMEM, or -EINVAL (also for a
 * role > SLAVE). */
int ofp_role_encode(const struct ofp_role *in, uint8_t type, uint32_t xid, struct buf *b);
/* "role=master generation_id=7". */
void ofp_role_format(const struct ofp_role *in, struct buf *b);
/* "nochange", "equal", "master", "slave"; NULL if unknown. */
const char *ofp_role_name(uint32_t role);

/* ---- GET_ASYNC_REPLY / SET_ASYNC ----------------------------------------------------- */

/* Index 0 applies in the master/equal role, index 1 in the slave role. Bit r of a mask
 * enables reason r (OFPR_*, OFPPR_*, OFPRR_*). */
struct ofp_async_config {
	uint32_t packet_in_mask[2];
	uint32_t port_status_mask[2];
	uint32_t flow_removed_mask[2];
};

/* Decodes either type: BAD_REQUEST/BAD_LEN if len != 32. 0 or -EPROTO with *err. */
int ofp_async_config_decode(const void *msg, size_t len, struct arena *a,
			    struct ofp_async_config *out, struct ofp_err *err);
/* type is OFPT_GET_ASYNC_REPLY or OFPT_SET_ASYNC. 0, -ENOMEM, or -EINVAL. */
int ofp_async_config_encode(const struct ofp_async_config *in, uint8_t type, uint32_t xid,
			    struct buf *b);
/* Two blocks " master:\n       PACKET_IN: no_match action\n ..." as ovs-ofctl prints. */
void ofp_async_config_format(const struct ofp_async_config *in, struct buf *b);

/* ---- QUEUE_GET_CONFIG_REQUEST / REPLY ----------------------------------------------------- */

struct ofp_queue_get_config_request {
	uint32_t port; /* <= OFPP_MAX, or OFPP_ANY for all */
};

/* BAD_REQUEST/BAD_LEN if len != 16; QUEUE_OP_FAILED/BAD_PORT for port 0 or a port
 * > OFPP_MAX other than OFPP_ANY. 0 or -EPROTO with *err. */
int ofp_queue_get_config_request_decode(const void *msg, size_t len, struct arena *a,
					struct ofp_queue_get_config_request *out,
					struct ofp_err *err);
/* 0 or -ENOMEM. */
int ofp_queue_get_config_request_encode(const struct ofp_queue_get_config_request *in, uint32_t xid,
					struct buf *b);
/* "port=1" / "port=ANY". */
void ofp_queue_get_config_request_format(const struct ofp_queue_get_config_request *in,
					 struct buf *b);

/* One queue property. MIN_RATE and MAX_RATE carry rate (1/10 of a percent, > 1000 =
 * disabled, 0xffff = not configured); EXPERIMENTER carries experimenter and data (the
 * bytes after its 16-byte fixed part); a property of unknown type keeps the bytes after
 * its 8-byte header in data. */
struct ofp_queue_prop {
	uint16_t type; /* OFPQT_* */
	uint16_t rate;
	uint32_t experimenter;
	struct {
		const uint8_t *data;
		size_t len;
	} data;
};

struct ofp_packet_queue {
	uint32_t queue_id;
	uint32_t port;
	struct {
		struct ofp_queue_prop *items;
		size_t n;
	} props;
};

struct ofp_queue_get_config_reply {
	uint32_t port;
	struct {
		struct ofp_packet_queue *items;
		size_t n;
	} queues;
};

/* BAD_REQUEST/BAD_LEN for a queue length < 16 or past the end, a property length < 8,
 * past its queue, or not the fixed size of its type (MIN_RATE/MAX_RATE 16,
 * EXPERIMENTER >= 16), or properties that do not fill their queue exactly.
 * 0, -EPROTO with *err, or -ENOMEM. */
int ofp_queue_get_config_reply_decode(const void *msg, size_t len, struct arena *a,
				      struct ofp_queue_get_config_reply *out, struct ofp_err *err);
/* 0, -ENOMEM, -EMSGSIZE, or -EINVAL for a queue or property too long for its
 * 16-bit length. Properties of unknown type are written as header + data. */
int ofp_queue_get_config_reply_encode(const struct ofp_queue_get_config_reply *in, uint32_t xid,
				      struct buf *b);
/* "port=1\nqueue 1: min_rate:50.0% max_rate:uncfg\n..." */
void ofp_queue_get_config_reply_format(const struct ofp_queue_get_config_reply *in, struct buf *b);

/* ---- OFPMP_DESC reply body -------------------------------------------------------------- */

struct ofp_desc {
	char mfr_desc[DESC_STR_LEN + 1];
	char hw_desc[DESC_STR_LEN + 1];
	char sw_desc[DESC_STR_LEN + 1];
	char serial_num[SERIAL_NUM_LEN + 1];
	char dp_desc[DESC_STR_LEN + 1];
};

/* Pulls the 1056-byte body from c; every string is NUL-terminated: a peer that filled
 * its field loses the last byte, so decode agrees with what encode writes. BAD_REQUEST/BAD_LEN if c
 * is short. a is unused. 0 or -EPROTO. */
int ofp_desc_decode(struct buf_cursor *c, struct arena *a, struct ofp_desc *out,
		    struct ofp_err *err);
/* Appends the 1056-byte body, each string NUL-padded to its field; a string is cut to
 * the field size minus one so that a NUL always follows it on the wire. */
void ofp_desc_encode(const struct ofp_desc *in, struct buf *b);
/* "Manufacturer: ...\nHardware: ...\nSoftware: ...\nSerial Num: ...\nDP Description: ..." */
void ofp_desc_format(const struct ofp_desc *in, struct buf *b);

/* ---- Per-type names for the shared bodies ------------------------------------------------ */

#define OFP_SWITCH_WRAP(NAME, BODY, TYPE)                                                          \
	static inline int ofp_##NAME##_decode(const void *msg, size_t len, struct arena *a,        \
					      struct ofp_##BODY *out, struct ofp_err *err)         \
	{                                                                                          \
		return ofp_##BODY##_decode(msg, len, a, out, err);                                 \
	}                                                                                          \
	static inline int ofp_##NAME##_encode(const struct ofp_##BODY *in, uint32_t xid,           \
					      struct buf *b)                                       \
	{                                                                                          \
		return ofp_##BODY##_encode(in, TYPE, xid, b);                                      \
	}                                                                                          \
	static inline void ofp_##NAME##_format(const struct ofp_##BODY *in, struct buf *b)         \
	{                                                                                          \
		ofp_##BODY##_format(in, b);                                                        \
	}

OFP_SWITCH_WRAP(echo_request, echo, OFPT_ECHO_REQUEST)
OFP_SWITCH_WRAP(echo_reply, echo, OFPT_ECHO_REPLY)
OFP_SWITCH_WRAP(get_config_reply, switch_config, OFPT_GET_CONFIG_REPLY)
OFP_SWITCH_WRAP(set_config, switch_config, OFPT_SET_CONFIG)
OFP_SWITCH_WRAP(role_request, role, OFPT_ROLE_REQUEST)
OFP_SWITCH_WRAP(role_reply, role, OFPT_ROLE_REPLY)
OFP_SWITCH_WRAP(get_async_reply, async_config, OFPT_GET_ASYNC_REPLY)
OFP_SWITCH_WRAP(set_async, async_config, OFPT_SET_ASYNC)
#undef OFP_SWITCH_WRAP

#endif /* PFS_OFP_SWITCH_H */
