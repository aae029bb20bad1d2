/* OpenFlow 1.3 instructions: decoded form, wire codec and ovs-ofctl text
 * ("meter:1,output:2,clear_actions,write_actions(group:1),write_metadata:0x1/0xff,
 * goto_table:2"). Plain actions outside any instruction in text form mean
 * apply_actions, as in ovs-ofctl. Actions inside are lib/ofp_action.c's.
 *
 * Text is printed in ovs-ofctl's fixed order: meter, apply actions (bare), clear_actions,
 * write_actions(...), write_metadata, goto_table, experimenter; an empty apply_actions
 * prints nothing unless it is all there is ("drop"); an empty write_actions prints
 * "write_actions(drop)"; write_metadata omits an all-ones mask. Parsing accepts the
 * instructions in any order (ovs-ofctl insists on the order above), each at most once,
 * also "apply_actions(...)", and builds them in that order, which is also the wire
 * order ovs-ofctl sends. Wire order is otherwise kept as received.
 *
 * Validation here is what needs no switch state: a goto_table to OFPTT_ALL is
 * OFPBIC_BAD_TABLE_ID, but a goto to a table that does not exist or is not greater
 * than the flow's own table is for ofproto to refuse (also BAD_TABLE_ID), as are
 * unsupported metadata bits (UNSUP_METADATA/_MASK) and unknown meters. */
#ifndef PFS_OFP_INSTRUCTION_H
#define PFS_OFP_INSTRUCTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_action.h"

struct ofp_instruction {
	uint16_t type; /* OFPIT_* */
	union {
		uint8_t table_id; /* GOTO_TABLE */
		struct {
			uint64_t metadata;
			uint64_t mask;
		} write_metadata;
		struct ofp_action_list actions; /* WRITE_ACTIONS, APPLY_ACTIONS */
		uint32_t meter_id;		/* METER */
		struct {
			uint32_t experimenter;
			uint16_t len;
			const uint8_t *data;
		} experimenter;
	};
};

struct ofp_instruction_list {
	struct ofp_instruction *insts; /* wire order */
	size_t n;
};

/* Decodes len bytes of instructions: type (BAD_INSTRUCTION/UNKNOWN_INST), length
 * (BAD_LEN: short, past the end, not a multiple of 8, not the type's size, clear_actions
 * other than 8), a type twice (DUP_INST), experimenters (BAD_EXPERIMENTER), goto_table
 * OFPTT_ALL (BAD_TABLE_ID), and the actions inside (ofp_actions_decode errors, type
 * BAD_ACTION). 0, -EPROTO with *err, or -ENOMEM. */
int ofp_instructions_decode(const void *p, size_t len, struct arena *a,
			    struct ofp_instruction_list *out, struct ofp_err *err);
/* Options for ofp_instructions_decode_opts(): OFP_ACTIONS_KEEP_EXPERIMENTER keeps
 * experimenter instructions and actions instead of refusing them. */
int ofp_instructions_decode_opts(const void *p, size_t len, unsigned opts, struct arena *a,
				 struct ofp_instruction_list *out, struct ofp_err *err);
/* Appends every instruction in list order. Errors are the buffer's sticky -ENOMEM. */
void ofp_instructions_encode(const struct ofp_instruction_list *l, struct buf *b);
/* True if a and b hold the same instructions in the same order. */
bool ofp_instructions_equal(const struct ofp_instruction_list *a,
			    const struct ofp_instruction_list *b);
/* Checks the action lists against the flow's match as ofp_actions_check() does, in the
 * order they run: apply_actions in list order, then write_actions in the action set's
 * order on the headers apply_actions left (OFPBAC_MATCH_INCONSISTENT). 0 or -EPROTO. */
int ofp_instructions_check(const struct ofp_instruction_list *l, const struct ofp_match *m,
			   struct ofp_err *err);
/* The instruction of type t in l, or NULL. */
const struct ofp_instruction *ofp_instructions_find(const struct ofp_instruction_list *l,
						    uint16_t type);
/* Appends ovs-ofctl text: "actions=" is not printed; e.g. "output:1" for a lone
 * apply_actions, otherwise "meter:1,write_actions(...),goto_table:2"; empty: "drop". */
void ofp_instructions_format(const struct ofp_instruction_list *l, struct buf *b);
/* Parses the text after "actions=" (as above). 0, -EINVAL with errbuf, or -ENOMEM. */
int ofp_instructions_parse(const char *text, struct arena *a, struct ofp_instruction_list *out,
			   char *errbuf, size_t errlen);

#endif /* PFS_OFP_INSTRUCTION_H */
