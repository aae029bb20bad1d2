/* The flow entity of OpenFlow 1.3: OFPT_FLOW_MOD, OFPT_FLOW_REMOVED and the flow
 * multipart bodies (OFPMP_FLOW / OFPMP_AGGREGATE requests, flow stats reply entries and
 * the aggregate reply), each with its wire decode/encode, its human text in
 * ovs-ofctl's style, and the ovs-ofctl flow syntax parser ("table=1,priority=10,tcp,
 * tp_dst=80,actions=output:2") used by add-flow/mod-flows/del-flows and dump-flows.
 *
 * Matches go through lib/oxm.h, instructions and actions through lib/ofp_instruction.h
 * and lib/ofp_action.h. The multipart header around the bodies is lib/ofp_multipart.h's. */
#ifndef PFS_OFP_FLOW_H
#define PFS_OFP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "ofp_instruction.h"
#include "openflow.h"
#include "oxm.h"

struct arena;
struct buf;
struct buf_cursor;
struct ofp_err;

/* Priority a flow gets when none is given (as in ovs-ofctl). */
#define OFP_DEFAULT_PRIORITY 0x8000
/* Every flag bit defined for flow_mod / flow_stats in OpenFlow 1.3. */
#define OFPFF_ALL                                                                                  \
	(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP | OFPFF_RESET_COUNTS | OFPFF_NO_PKT_COUNTS |    \
	 OFPFF_NO_BYT_COUNTS)

/* OFPT_FLOW_MOD. */
struct ofp_flow_mod {
	uint64_t cookie;
	uint64_t cookie_mask;
	uint8_t table_id;
	uint8_t command; /* OFPFC_* */
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t priority;
	uint32_t buffer_id;
	uint32_t out_port;
	uint32_t out_group;
	uint16_t flags; /* OFPFF_* */
	struct ofp_match match;
	struct ofp_instruction_list insts;
};

/* Fills fm with ovs-ofctl's defaults for the given command: table 0, priority 32768,
 * no buffer, out_port/out_group ANY, empty match, no instructions, zero otherwise. */
void ofp_flow_mod_init(struct ofp_flow_mod *fm, uint8_t command);
/* Decodes a whole FLOW_MOD (msg includes the header, accepted by ofp_header_check).
 * Errors (*err): BAD_REQUEST/BAD_LEN if the fixed part or match does not fit;
 * FLOW_MOD_FAILED/BAD_COMMAND for a command > DELETE_STRICT; FLOW_MOD_FAILED/BAD_FLAGS
 * for undefined flag bits; FLOW_MOD_FAILED/BAD_TABLE_ID for table OFPTT_ALL with
 * ADD/MODIFY/MODIFY_STRICT; oxm_decode()'s BAD_MATCH errors; ofp_instructions_decode()'s
 * errors for the instructions that fill the rest of the message; for ADD and MODIFY*
 * also ofp_actions_check()'s errors for every action list against the match.
 * Nested lists come from a. 0, -EPROTO with *err, or -ENOMEM. */
int ofp_flow_mod_decode(const void *msg, size_t len, struct arena *a, struct ofp_flow_mod *out,
			struct ofp_err *err);
/* Appends one FLOW_MOD. 0, -ENOMEM, or -EMSGSIZE. */
int ofp_flow_mod_encode(const struct ofp_flow_mod *in, uint32_t xid, struct buf *b);
/* Appends the body as ovs-ofctl ofp-print shows it, e.g. "ADD table:3
 * priority=100,in_port=1 cookie:0x5 idle:10 send_flow_rem actions=output:2"
 * (defaults omitted; "out_group:N" is printed too, which ovs-ofctl leaves out). */
void ofp_flow_mod_format(const struct ofp_flow_mod *in, struct buf *b);
/* Parses one ovs-ofctl flow line for add-flow (command OFPFC_ADD), mod-flows
 * (OFPFC_MODIFY[_STRICT]) or del-flows (OFPFC_DELETE[_STRICT]) into *out, which is
 * initialised here with ofp_flow_mod_init(). Keys: cookie=V (add, mod) or cookie=V/M
 * (mod, del), table=N (default: 0 for add/mod, all tables for del; 255 means 0 for add/mod, as
 * ovs-ofctl encodes it), priority=N, idle_timeout=N, hard_timeout=N, buffer_id=N, out_port=P and
 * out_group=G (mod, del), the flag words send_flow_rem, check_overlap, reset_counts,
 * no_packet_counts, no_byte_counts, match tokens (oxm_parse_token, prerequisites checked at the
 * end) and "actions=..." (the rest of the line, ofp_instructions_parse; required for add/mod,
 * refused for del). dump-flows' duration=, n_packets=, n_bytes=, idle_age= and
 * hard_age= are ignored so its output can be fed back. Fields are separated by commas
 * and/or white space. Instruction lists come from a. 0, -EINVAL with errbuf naming the
 * bad token, or -ENOMEM. */
int ofp_flow_mod_parse(const char *text, uint8_t command, struct arena *a, struct ofp_flow_mod *out,
		       char *errbuf, size_t errlen);
/* Appends the flag words ("send_flow_rem check_overlap ") as ovs-ofctl prints them,
 * each followed by a space; nothing for 0. Unknown bits print as "0x..". */
void ofp_flow_flags_format(uint16_t flags, struct buf *b);
/* ovs-ofctl's names: "ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"; NULL if unknown. */
const char *ofp_flow_mod_command_name(uint8_t command);

/* OFPT_FLOW_REMOVED. */
struct ofp_flow_removed {
	uint64_t cookie;
	uint16_t priority;
	uint8_t reason; /* OFPRR_* */
	uint8_t table_id;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint64_t packet_count;
	uint64_t byte_count;
	struct ofp_match match;
};

/* Decodes a whole FLOW_REMOVED: BAD_REQUEST/BAD_LEN if the match overruns the message
 * or bytes follow it; oxm_decode()'s errors. a is unused (no nested lists). 0 or
 * -EPROTO with *err. */
int ofp_flow_removed_decode(const void *msg, size_t len, struct arena *a,
			    struct ofp_flow_removed *out, struct ofp_err *err);
/* Appends one FLOW_REMOVED. 0, -ENOMEM, or -EMSGSIZE. */
int ofp_flow_removed_encode(const struct ofp_flow_removed *in, uint32_t xid, struct buf *b);
/* Appends the body as ovs-ofctl ofp-print shows it, e.g. "priority=100,in_port=1
 * reason=idle table_id=0 duration1.500s idle5 pkts3 bytes180" (cookie:0x.. after the
 * table when not 0, hard7 after idle when not 0; no leading space for an empty match). */
void ofp_flow_removed_format(const struct ofp_flow_removed *in, struct buf *b);
/* "idle", "hard", "delete", "group_delete", "meter_delete"; NULL if unknown. */
const char *ofp_flow_removed_reason_name(uint8_t reason);

/* The request body of OFPMP_FLOW and OFPMP_AGGREGATE (same layout). */
struct ofp_flow_stats_request {
	uint8_t table_id; /* OFPTT_ALL for every table */
	uint32_t out_port;
	uint32_t out_group;
	uint64_t cookie;
	uint64_t cookie_mask;
	struct ofp_match match;
};

/* Fills r with the dump-flows defaults: all tables, out_port/out_group ANY, cookie mask
 * 0, empty match. */
void ofp_flow_stats_request_init(struct ofp_flow_stats_request *r);
/* Pulls the request body from c: BAD_REQUEST/BAD_LEN if it does not fit; oxm_decode()'s
 * errors. 0 or -EPROTO with *err. */
int ofp_flow_stats_request_decode(struct buf_cursor *c, struct arena *a,
				  struct ofp_flow_stats_request *out, struct ofp_err *err);
void ofp_flow_stats_request_encode(const struct ofp_flow_stats_request *in, struct buf *b);
/* e.g. "table=1 out_port=2 cookie=0x1/0xff in_port=1" (ovs-ofctl ofp-print style plus
 * out_group and cookie, which it leaves out): defaults omitted, the match last; "" for
 * an all-default request. */
void ofp_flow_stats_request_format(const struct ofp_flow_stats_request *in, struct buf *b);
/* Parses dump-flows / dump-aggregate text ("table=1,out_port=2,cookie=1/-1,tcp"):
 * table=N, out_port=P, out_group=G, cookie=V/M and match tokens. *out is initialised
 * here. 0, -EINVAL with errbuf naming the bad token, or -ENOMEM. */
int ofp_flow_stats_request_parse(const char *text, struct ofp_flow_stats_request *out, char *errbuf,
				 size_t errlen);

/* One OFPMP_FLOW reply entry. */
struct ofp_flow_stats {
	uint16_t length; /* as decoded; the encoder computes its own */
	uint8_t table_id;
	uint32_t duration_sec;
	uint32_t duration_nsec;
	uint16_t priority;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t flags; /* OFPFF_* */
	uint64_t cookie;
	uint64_t packet_count;
	uint64_t byte_count;
	struct ofp_match match;
	struct ofp_instruction_list insts;
};

/* Pulls one entry from c: BAD_REQUEST/BAD_LEN if its length field is short, not a
 * multiple of 8, past the end of c, or too small for its match; oxm_decode()'s and
 * ofp_instructions_decode()'s errors. Instructions come from a. 0, -EPROTO with *err,
 * or -ENOMEM. */
int ofp_flow_stats_decode(struct buf_cursor *c, struct arena *a, struct ofp_flow_stats *out,
			  struct ofp_err *err);
/* Appends one entry (length computed). */
void ofp_flow_stats_encode(const struct ofp_flow_stats *in, struct buf *b);

/* ofp_flow_stats_format_ex() flags. */
enum {
	OFP_FLOW_FMT_NO_STATS = 1 << 0, /* ovs-ofctl --no-stats: no duration/n_packets/
					   n_bytes; cookie and table only if not zero */
};

/* Appends one dump-flows line as ovs-ofctl prints it for OpenFlow 1.3, leading space
 * included, no newline:
 * " cookie=0x0, duration=1.234s, table=0, n_packets=0, n_bytes=0, idle_timeout=10,
 * priority=100,in_port=1 actions=output:2". Zero timeouts, zero flags and the default
 * priority are omitted, as ovs-ofctl does. */
void ofp_flow_stats_format(const struct ofp_flow_stats *in, struct buf *b);
/* The same with OFP_FLOW_FMT_* flags. */
void ofp_flow_stats_format_ex(const struct ofp_flow_stats *in, unsigned flags, struct buf *b);

/* The OFPMP_AGGREGATE reply body. */
struct ofp_aggregate_stats_reply {
	uint64_t packet_count;
	uint64_t byte_count;
	uint32_t flow_count;
};

/* Pulls the 24-byte body from c: BAD_REQUEST/BAD_LEN if short. 0 or -EPROTO. */
int ofp_aggregate_stats_reply_decode(struct buf_cursor *c, struct arena *a,
				     struct ofp_aggregate_stats_reply *out, struct ofp_err *err);
void ofp_aggregate_stats_reply_encode(const struct ofp_aggregate_stats_reply *in, struct buf *b);
/* "packet_count=1 byte_count=60 flow_count=2" (ovs-ofctl ofp-print style). */
void ofp_aggregate_stats_reply_format(const struct ofp_aggregate_stats_reply *in, struct buf *b);

/* Prints a duration as ovs-ofctl does: "5s", "1.500s", "1.000000001s". */
void ofp_duration_format(uint32_t sec, uint32_t nsec, struct buf *b);

#endif /* PFS_OFP_FLOW_H */
