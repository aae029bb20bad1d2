/* OpenFlow 1.3 instructions: decoded form, wire codec and ovs-ofctl text
 * ("meter:1,apply_actions(output:2),write_metadata:0x1/0xff,goto_table:2"). Plain actions
 * outside any instruction in text form mean apply_actions, as in ovs-ofctl. */
#ifndef PFS_OFP_INSTRUCTION_H
#define PFS_OFP_INSTRUCTION_H

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
 * (BAD_LEN), a type twice (DUP_INST), experimenters (BAD_EXPERIMENTER), and the actions
 * inside (ofp_actions_decode errors). 0, -EPROTO with *err, or -ENOMEM. */
int ofp_instructions_decode(const void *p, size_t len, struct arena *a,
			    struct ofp_instruction_list *out, struct ofp_err *err);
void ofp_instructions_encode(const struct ofp_instruction_list *l, struct buf *b);
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
