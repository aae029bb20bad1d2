/* OpenFlow 1.3.5 error types and codes (one X-macro table gives the enums and the names),
 * the struct ofp_err value that validators fill, and the OFPT_ERROR message codec.
 *
 * Error spaces never mix: functions return 0 or a negative errno; a function that found
 * bad OpenFlow input returns -EPROTO and fills its struct ofp_err *err argument with the
 * {type, code} the specification names, which the caller sends back as OFPT_ERROR. */
#ifndef PFS_OFP_ERROR_H
#define PFS_OFP_ERROR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct arena;

/* X(TYPE_NAME, TYPE_VALUE, CODE_PREFIX) */
#define OFP_ERROR_TYPES(X)                                                                         \
	X(HELLO_FAILED, 0, OFPHFC)                                                                 \
	X(BAD_REQUEST, 1, OFPBRC)                                                                  \
	X(BAD_ACTION, 2, OFPBAC)                                                                   \
	X(BAD_INSTRUCTION, 3, OFPBIC)                                                              \
	X(BAD_MATCH, 4, OFPBMC)                                                                    \
	X(FLOW_MOD_FAILED, 5, OFPFMFC)                                                             \
	X(GROUP_MOD_FAILED, 6, OFPGMFC)                                                            \
	X(PORT_MOD_FAILED, 7, OFPPMFC)                                                             \
	X(TABLE_MOD_FAILED, 8, OFPTMFC)                                                            \
	X(QUEUE_OP_FAILED, 9, OFPQOFC)                                                             \
	X(SWITCH_CONFIG_FAILED, 10, OFPSCFC)                                                       \
	X(ROLE_REQUEST_FAILED, 11, OFPRRFC)                                                        \
	X(METER_MOD_FAILED, 12, OFPMMFC)                                                           \
	X(TABLE_FEATURES_FAILED, 13, OFPTFFC)                                                      \
	X(EXPERIMENTER, 0xffff, OFPET_EXPERIMENTER_CODE)

/* X(TYPE_NAME, CODE_PREFIX, CODE_NAME, CODE_VALUE) */
#define OFP_ERROR_CODES(X)                                                                         \
	X(HELLO_FAILED, OFPHFC, INCOMPATIBLE, 0)                                                   \
	X(HELLO_FAILED, OFPHFC, EPERM, 1)                                                          \
	X(BAD_REQUEST, OFPBRC, BAD_VERSION, 0)                                                     \
	X(BAD_REQUEST, OFPBRC, BAD_TYPE, 1)                                                        \
	X(BAD_REQUEST, OFPBRC, BAD_MULTIPART, 2)                                                   \
	X(BAD_REQUEST, OFPBRC, BAD_EXPERIMENTER, 3)                                                \
	X(BAD_REQUEST, OFPBRC, BAD_EXP_TYPE, 4)                                                    \
	X(BAD_REQUEST, OFPBRC, EPERM, 5)                                                           \
	X(BAD_REQUEST, OFPBRC, BAD_LEN, 6)                                                         \
	X(BAD_REQUEST, OFPBRC, BUFFER_EMPTY, 7)                                                    \
	X(BAD_REQUEST, OFPBRC, BUFFER_UNKNOWN, 8)                                                  \
	X(BAD_REQUEST, OFPBRC, BAD_TABLE_ID, 9)                                                    \
	X(BAD_REQUEST, OFPBRC, IS_SLAVE, 10)                                                       \
	X(BAD_REQUEST, OFPBRC, BAD_PORT, 11)                                                       \
	X(BAD_REQUEST, OFPBRC, BAD_PACKET, 12)                                                     \
	X(BAD_REQUEST, OFPBRC, MULTIPART_BUFFER_OVERFLOW, 13)                                      \
	X(BAD_ACTION, OFPBAC, BAD_TYPE, 0)                                                         \
	X(BAD_ACTION, OFPBAC, BAD_LEN, 1)                                                          \
	X(BAD_ACTION, OFPBAC, BAD_EXPERIMENTER, 2)                                                 \
	X(BAD_ACTION, OFPBAC, BAD_EXP_TYPE, 3)                                                     \
	X(BAD_ACTION, OFPBAC, BAD_OUT_PORT, 4)                                                     \
	X(BAD_ACTION, OFPBAC, BAD_ARGUMENT, 5)                                                     \
	X(BAD_ACTION, OFPBAC, EPERM, 6)                                                            \
	X(BAD_ACTION, OFPBAC, TOO_MANY, 7)                                                         \
	X(BAD_ACTION, OFPBAC, BAD_QUEUE, 8)                                                        \
	X(BAD_ACTION, OFPBAC, BAD_OUT_GROUP, 9)                                                    \
	X(BAD_ACTION, OFPBAC, MATCH_INCONSISTENT, 10)                                              \
	X(BAD_ACTION, OFPBAC, UNSUPPORTED_ORDER, 11)                                               \
	X(BAD_ACTION, OFPBAC, BAD_TAG, 12)                                                         \
	X(BAD_ACTION, OFPBAC, BAD_SET_TYPE, 13)                                                    \
	X(BAD_ACTION, OFPBAC, BAD_SET_LEN, 14)                                                     \
	X(BAD_ACTION, OFPBAC, BAD_SET_ARGUMENT, 15)                                                \
	X(BAD_INSTRUCTION, OFPBIC, UNKNOWN_INST, 0)                                                \
	X(BAD_INSTRUCTION, OFPBIC, UNSUP_INST, 1)                                                  \
	X(BAD_INSTRUCTION, OFPBIC, BAD_TABLE_ID, 2)                                                \
	X(BAD_INSTRUCTION, OFPBIC, UNSUP_METADATA, 3)                                              \
	X(BAD_INSTRUCTION, OFPBIC, UNSUP_METADATA_MASK, 4)                                         \
	X(BAD_INSTRUCTION, OFPBIC, BAD_EXPERIMENTER, 5)                                            \
	X(BAD_INSTRUCTION, OFPBIC, BAD_EXP_TYPE, 6)                                                \
	X(BAD_INSTRUCTION, OFPBIC, BAD_LEN, 7)                                                     \
	X(BAD_INSTRUCTION, OFPBIC, EPERM, 8)                                                       \
	X(BAD_INSTRUCTION, OFPBIC, DUP_INST, 9)                                                    \
	X(BAD_MATCH, OFPBMC, BAD_TYPE, 0)                                                          \
	X(BAD_MATCH, OFPBMC, BAD_LEN, 1)                                                           \
	X(BAD_MATCH, OFPBMC, BAD_TAG, 2)                                                           \
	X(BAD_MATCH, OFPBMC, BAD_DL_ADDR_MASK, 3)                                                  \
	X(BAD_MATCH, OFPBMC, BAD_NW_ADDR_MASK, 4)                                                  \
	X(BAD_MATCH, OFPBMC, BAD_WILDCARDS, 5)                                                     \
	X(BAD_MATCH, OFPBMC, BAD_FIELD, 6)                                                         \
	X(BAD_MATCH, OFPBMC, BAD_VALUE, 7)                                                         \
	X(BAD_MATCH, OFPBMC, BAD_MASK, 8)                                                          \
	X(BAD_MATCH, OFPBMC, BAD_PREREQ, 9)                                                        \
	X(BAD_MATCH, OFPBMC, DUP_FIELD, 10)                                                        \
	X(BAD_MATCH, OFPBMC, EPERM, 11)                                                            \
	X(FLOW_MOD_FAILED, OFPFMFC, UNKNOWN, 0)                                                    \
	X(FLOW_MOD_FAILED, OFPFMFC, TABLE_FULL, 1)                                                 \
	X(FLOW_MOD_FAILED, OFPFMFC, BAD_TABLE_ID, 2)                                               \
	X(FLOW_MOD_FAILED, OFPFMFC, OVERLAP, 3)                                                    \
	X(FLOW_MOD_FAILED, OFPFMFC, EPERM, 4)                                                      \
	X(FLOW_MOD_FAILED, OFPFMFC, BAD_TIMEOUT, 5)                                                \
	X(FLOW_MOD_FAILED, OFPFMFC, BAD_COMMAND, 6)                                                \
	X(FLOW_MOD_FAILED, OFPFMFC, BAD_FLAGS, 7)                                                  \
	X(GROUP_MOD_FAILED, OFPGMFC, GROUP_EXISTS, 0)                                              \
	X(GROUP_MOD_FAILED, OFPGMFC, INVALID_GROUP, 1)                                             \
	X(GROUP_MOD_FAILED, OFPGMFC, WEIGHT_UNSUPPORTED, 2)                                        \
	X(GROUP_MOD_FAILED, OFPGMFC, OUT_OF_GROUPS, 3)                                             \
	X(GROUP_MOD_FAILED, OFPGMFC, OUT_OF_BUCKETS, 4)                                            \
	X(GROUP_MOD_FAILED, OFPGMFC, CHAINING_UNSUPPORTED, 5)                                      \
	X(GROUP_MOD_FAILED, OFPGMFC, WATCH_UNSUPPORTED, 6)                                         \
	X(GROUP_MOD_FAILED, OFPGMFC, LOOP, 7)                                                      \
	X(GROUP_MOD_FAILED, OFPGMFC, UNKNOWN_GROUP, 8)                                             \
	X(GROUP_MOD_FAILED, OFPGMFC, CHAINED_GROUP, 9)                                             \
	X(GROUP_MOD_FAILED, OFPGMFC, BAD_TYPE, 10)                                                 \
	X(GROUP_MOD_FAILED, OFPGMFC, BAD_COMMAND, 11)                                              \
	X(GROUP_MOD_FAILED, OFPGMFC, BAD_BUCKET, 12)                                               \
	X(GROUP_MOD_FAILED, OFPGMFC, BAD_WATCH, 13)                                                \
	X(GROUP_MOD_FAILED, OFPGMFC, EPERM, 14)                                                    \
	X(PORT_MOD_FAILED, OFPPMFC, BAD_PORT, 0)                                                   \
	X(PORT_MOD_FAILED, OFPPMFC, BAD_HW_ADDR, 1)                                                \
	X(PORT_MOD_FAILED, OFPPMFC, BAD_CONFIG, 2)                                                 \
	X(PORT_MOD_FAILED, OFPPMFC, BAD_ADVERTISE, 3)                                              \
	X(PORT_MOD_FAILED, OFPPMFC, EPERM, 4)                                                      \
	X(TABLE_MOD_FAILED, OFPTMFC, BAD_TABLE, 0)                                                 \
	X(TABLE_MOD_FAILED, OFPTMFC, BAD_CONFIG, 1)                                                \
	X(TABLE_MOD_FAILED, OFPTMFC, EPERM, 2)                                                     \
	X(QUEUE_OP_FAILED, OFPQOFC, BAD_PORT, 0)                                                   \
	X(QUEUE_OP_FAILED, OFPQOFC, BAD_QUEUE, 1)                                                  \
	X(QUEUE_OP_FAILED, OFPQOFC, EPERM, 2)                                                      \
	X(SWITCH_CONFIG_FAILED, OFPSCFC, BAD_FLAGS, 0)                                             \
	X(SWITCH_CONFIG_FAILED, OFPSCFC, BAD_LEN, 1)                                               \
	X(SWITCH_CONFIG_FAILED, OFPSCFC, EPERM, 2)                                                 \
	X(ROLE_REQUEST_FAILED, OFPRRFC, STALE, 0)                                                  \
	X(ROLE_REQUEST_FAILED, OFPRRFC, UNSUP, 1)                                                  \
	X(ROLE_REQUEST_FAILED, OFPRRFC, BAD_ROLE, 2)                                               \
	X(METER_MOD_FAILED, OFPMMFC, UNKNOWN, 0)                                                   \
	X(METER_MOD_FAILED, OFPMMFC, METER_EXISTS, 1)                                              \
	X(METER_MOD_FAILED, OFPMMFC, INVALID_METER, 2)                                             \
	X(METER_MOD_FAILED, OFPMMFC, UNKNOWN_METER, 3)                                             \
	X(METER_MOD_FAILED, OFPMMFC, BAD_COMMAND, 4)                                               \
	X(METER_MOD_FAILED, OFPMMFC, BAD_FLAGS, 5)                                                 \
	X(METER_MOD_FAILED, OFPMMFC, BAD_RATE, 6)                                                  \
	X(METER_MOD_FAILED, OFPMMFC, BAD_BURST, 7)                                                 \
	X(METER_MOD_FAILED, OFPMMFC, BAD_BAND, 8)                                                  \
	X(METER_MOD_FAILED, OFPMMFC, BAD_BAND_VALUE, 9)                                            \
	X(METER_MOD_FAILED, OFPMMFC, OUT_OF_METERS, 10)                                            \
	X(METER_MOD_FAILED, OFPMMFC, OUT_OF_BANDS, 11)                                             \
	X(TABLE_FEATURES_FAILED, OFPTFFC, BAD_TABLE, 0)                                            \
	X(TABLE_FEATURES_FAILED, OFPTFFC, BAD_METADATA, 1)                                         \
	X(TABLE_FEATURES_FAILED, OFPTFFC, BAD_TYPE, 2)                                             \
	X(TABLE_FEATURES_FAILED, OFPTFFC, BAD_LEN, 3)                                              \
	X(TABLE_FEATURES_FAILED, OFPTFFC, BAD_ARGUMENT, 4)                                         \
	X(TABLE_FEATURES_FAILED, OFPTFFC, EPERM, 5)

enum ofp_error_type {
#define OFP_ERROR_TYPE_ENUM(NAME, VALUE, PREFIX) OFPET_##NAME = VALUE,
	OFP_ERROR_TYPES(OFP_ERROR_TYPE_ENUM)
#undef OFP_ERROR_TYPE_ENUM
};

enum {
#define OFP_ERROR_CODE_ENUM(TYPE, PREFIX, NAME, VALUE) PREFIX##_##NAME = VALUE,
	OFP_ERROR_CODES(OFP_ERROR_CODE_ENUM)
#undef OFP_ERROR_CODE_ENUM
};

/* An OpenFlow error as sent in OFPT_ERROR. */
struct ofp_err {
	uint16_t type;
	uint16_t code;
};

/* Fills *err (if err is not NULL) and returns -EPROTO, for one-line error returns:
 *     return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ); */
static inline int
ofp_err_set(struct ofp_err *err, uint16_t type, uint16_t code)
{
	if (err) {
		err->type = type;
		err->code = code;
	}
	return -EPROTO;
}

/* "BAD_MATCH" for OFPET_BAD_MATCH; NULL for an unknown type. */
const char *ofp_error_type_name(uint16_t type);
/* "BAD_PREREQ" for (OFPET_BAD_MATCH, OFPBMC_BAD_PREREQ); NULL if unknown. */
const char *ofp_error_code_name(uint16_t type, uint16_t code);
/* Writes "OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ" (or numbers where unknown) into b; an
 * experimenter error with an ONF bundle exp_type (ofp_bundle.h) as
 * "OFPET_EXPERIMENTER/OFPBFC_MSG_FAILED". */
void ofp_error_format(const struct ofp_err *err, struct buf *b);
/* Looks up a "TYPE" or "OFPET_TYPE" and "CODE" name pair (as printed by
 * ofp_error_format). 0, or -ENOENT if either name is unknown. */
int ofp_error_from_names(const char *type, const char *code, struct ofp_err *err);

/* OFPT_ERROR. For OFPET_EXPERIMENTER the wire carries exp_type in place of code and an
 * experimenter id; code holds exp_type then. data is the offending request's first
 * bytes, or an ASCII explanation for HELLO_FAILED. */
struct ofp_error_msg {
	uint16_t type;
	uint16_t code; /* exp_type for OFPET_EXPERIMENTER */
	uint32_t experimenter;
	struct {
		const uint8_t *data;
		size_t len;
	} data;
};

/* Decodes an OFPT_ERROR: BAD_REQUEST/BAD_LEN if an OFPET_EXPERIMENTER error is
 * shorter than 16 bytes. data is copied into a. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_error_msg_decode(const void *msg, size_t len, struct arena *a, struct ofp_error_msg *out,
			 struct ofp_err *err);
/* Appends one OFPT_ERROR. 0, -ENOMEM, or -EMSGSIZE. */
int ofp_error_msg_encode(const struct ofp_error_msg *in, uint32_t xid, struct buf *b);
/* As ovs-ofctl: the code name ("OFPBMC_BAD_PREREQ", or "OFPET_BAD_MATCH/code(99)"),
 * then on a new line the offending message's header ("OFPT_FLOW_MOD (OF1.3)
 * (xid=0x5): 64 bytes") or, for HELLO_FAILED, the explanation text. */
void ofp_error_msg_format(const struct ofp_error_msg *in, struct buf *b);
/* Builds the OFPT_ERROR that answers the offending message (len bytes, possibly
 * truncated or malformed): its xid (0 if len < 8) and its first min(len, 64) bytes;
 * for OFPET_HELLO_FAILED an ASCII explanation that names the peer's version instead.
 * 0, -ENOMEM, or -EINVAL if len > 0 and offending_msg is NULL. */
int ofp_error_reply(const struct ofp_err *err, const void *offending_msg, size_t len,
		    struct buf *b);
/* How many bytes of the offending message ofp_error_reply() echoes at most. */
#define OFP_ERROR_REPLY_DATA_MAX 64

#endif /* PFS_OFP_ERROR_H */
