/* Compiled instructions and action execution.
 *
 * dp_prog_compile() turns one rule's OpenFlow 1.3 instructions (lib/ofp_instruction.h)
 * into a struct dp_prog: one contiguous allocation holding the meter id, the
 * write_metadata value/mask, the goto table, the clear_actions flag and two op lists,
 * apply_actions then write_actions. Ops are 8 bytes (struct dp_op); a set-field op is
 * followed by two 8-byte words holding its OXM value, so a program is self-contained and
 * runs with no allocation, lookup or pointer chase.
 *
 * Execution (worker side, any thread; the program is read-only):
 * - dp_prog_run() runs one table's instructions in the spec's order (5.9): meter,
 *   apply_actions, clear_actions, write_actions, write_metadata, goto_table.
 * - dp_actions_run() runs an op list in order (apply_actions, packet-out actions, a
 *   group bucket used as a list).
 * - struct dp_action_set accumulates write_actions across tables (one action per type,
 *   the later write replaces: set_field per field) and dp_action_set_execute() runs it in
 *   the spec's order: copy_ttl_in, pop (vlan, pbb, mpls), push_mpls, push_pbb,
 *   push_vlan, copy_ttl_out, dec_ttl (mpls, nw), set (set_field, set_mpls_ttl,
 *   set_nw_ttl), qos (set_queue), then group if present, else output.
 * Header edits go through dp_pkt.h; the struct dp_key is kept equal to what
 * dp_key_extract() would give for the edited packet (metadata, tunnel_id, in_port and
 * in_phy_port kept): set-field writes the key field (only if the packet has the header),
 * a VLAN push or pop writes the VLAN fields (dp_pkt.c keeps the offsets right), and
 * anything else that changes the header structure (MPLS and PBB push and pop, set_field
 * of eth_type, ip_proto or icmpv6_type, a pop that re-pads) re-extracts the key. A re-extraction
 * that finds a malformed header keeps the shorter key and the packet goes on (dp_key.h). Everything
 * that leaves the program goes through struct dp_exec_ops callbacks: output (any port number,
 * reserved ports passed through as numbers: IN_PORT, TABLE, NORMAL, FLOOD, ALL, CONTROLLER with
 * max_len, LOCAL), group, meter, and invalid TTL. */
#ifndef PFS_DP_PROG_H
#define PFS_DP_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_key.h"
#include "dp_pkt.h"
#include "ofp_action.h"
#include "ofp_error.h"
#include "ofp_instruction.h"

enum dp_op_code {
	DP_OP_OUTPUT,	    /* a32 port, a16 max_len */
	DP_OP_GROUP,	    /* a32 group id */
	DP_OP_SET_QUEUE,    /* a32 queue id */
	DP_OP_PUSH_VLAN,    /* a16 ethertype */
	DP_OP_POP_VLAN,	    /* */
	DP_OP_PUSH_MPLS,    /* a16 ethertype */
	DP_OP_POP_MPLS,	    /* a16 ethertype */
	DP_OP_PUSH_PBB,	    /* a16 ethertype */
	DP_OP_POP_PBB,	    /* */
	DP_OP_COPY_TTL_OUT, /* */
	DP_OP_COPY_TTL_IN,  /* */
	DP_OP_SET_MPLS_TTL, /* a8 ttl */
	DP_OP_DEC_MPLS_TTL, /* */
	DP_OP_SET_NW_TTL,   /* a8 ttl */
	DP_OP_DEC_NW_TTL,   /* */
	DP_OP_SET_FIELD,    /* a8 OXM field, a16 its length; value in the next 2 ops */
	DP_OP_SET_META,	    /* composed programs only: key metadata = (md & ~mask) | value,
			     * value and mask (host order) in the next 2 ops */
	DP_OP_N
};

struct dp_op {
	uint8_t code; /* enum dp_op_code */
	uint8_t a8;
	uint16_t a16;
	uint32_t a32;
};

/* Ops a set-field (or a composed program's set-metadata) takes: itself and 16 bytes. */
#define DP_OP_SET_FIELD_SLOTS 3
/* Most ops (set-field counting as DP_OP_SET_FIELD_SLOTS) in one program. */
#define DP_PROG_MAX_OPS 4096
/* dp_prog_run()'s *next_table when the program has no goto_table. */
#define DP_PROG_NO_GOTO 0x100u

#define DP_PROG_F_CLEAR 0x1	     /* clear_actions */
#define DP_PROG_F_WRITE_METADATA 0x2 /* write_metadata */
#define DP_PROG_F_GOTO 0x4	     /* goto_table */
#define DP_PROG_F_METER 0x8	     /* meter */

struct dp_prog {
	uint64_t metadata, metadata_mask; /* write_metadata */
	uint64_t write_slots;		  /* action-set slots the write_actions fill */
	uint32_t meter_id;
	uint16_t n_apply; /* ops[0, n_apply): apply_actions */
	uint16_t n_write; /* ops[n_apply, n_apply + n_write): write_actions */
	uint8_t flags;	  /* DP_PROG_F_* */
	uint8_t goto_table;
	uint8_t has_write; /* a write_actions instruction is present (possibly empty) */
	uint8_t pad_[5];
	struct dp_op ops[];
};

/* Compiles a rule's instructions. Refuses (-EOPNOTSUPP with *err) what cannot run:
 * experimenter instructions (BAD_INSTRUCTION/BAD_EXPERIMENTER) and actions (BAD_ACTION/
 * BAD_EXPERIMENTER), unknown instruction types (BAD_INSTRUCTION/UNKNOWN_INST) and action
 * types (BAD_ACTION/BAD_TYPE), a repeated instruction (BAD_INSTRUCTION/DUP_INST),
 * goto_table OFPTT_ALL (BAD_INSTRUCTION/BAD_TABLE_ID), output to port 0, OFPP_ANY,
 * OFPP_TABLE (packet-out only) or a number above OFPP_MAX that is no reserved port
 * (BAD_OUT_PORT), a group above OFPG_MAX (BAD_OUT_GROUP), push/pop ethertypes that do
 * not fit the action (BAD_ARGUMENT), set_field of an unknown or unsettable field
 * (BAD_SET_TYPE) or with the wrong length (BAD_SET_LEN), more than DP_PROG_MAX_OPS ops
 * (BAD_ACTION/TOO_MANY). set_queue is accepted (the queue id reaches the output
 * callback). 0 with *out (free with dp_prog_free()), -EOPNOTSUPP, or -ENOMEM. */
int dp_prog_compile(const struct ofp_instruction_list *insts, struct dp_prog **out,
		    struct ofp_err *err);
/* dp_prog_compile() into buf (room bytes, aligned for struct dp_prog) when the program
 * fits there, else into a fresh allocation: *out == buf says which (never pass buf to
 * dp_prog_free()). Lets a rule carry its program inline. Same errors. */
int dp_prog_compile_in(const struct ofp_instruction_list *insts, void *buf, size_t room,
		       struct dp_prog **out, struct ofp_err *err);

/* Options for dp_prog_compile_actions(). */
#define DP_PROG_PACKET_OUT 0x1 /* allow output to OFPP_TABLE */
#define DP_PROG_AS_SET 0x2     /* compile as write_actions (a group bucket run as a set) */
/* Compiles a bare action list (packet-out, group bucket) as apply_actions, or with
 * DP_PROG_AS_SET as write_actions. Same errors as dp_prog_compile(). */
int dp_prog_compile_actions(const struct ofp_action_list *actions, unsigned opts,
			    struct dp_prog **out, struct ofp_err *err);
/* NULL-safe. */
void dp_prog_free(struct dp_prog *prog);

/* ---- Execution ------------------------------------------------------------------------ */

struct dp_exec_ctx;

struct dp_exec_ops {
	/* The packet, as it is now, leaves through port (a port number or OFPP_IN_PORT,
	 * TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL) with ctx->queue_id; max_len is the
	 * action's (meaningful for CONTROLLER). The packet stays the caller's: copy it if it
	 * must outlive the call (later actions go on editing it). */
	void (*output)(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key,
		       uint32_t port, uint16_t max_len);
	/* The packet goes through group group_id (which may not exist: the callee drops). */
	void (*group)(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key,
		      uint32_t group_id);
	/* A dec_*_ttl found TTL 0 or 1: the packet is dropped (DP_DROP_INVALID_TTL); the
	 * callee sends it to the controller with reason INVALID_TTL if the switch config
	 * (OFPC_INVALID_TTL_TO_CONTROLLER) asks. May be NULL. */
	void (*invalid_ttl)(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key);
	/* The meter instruction: true lets the packet on, false drops it (DP_DROP_METER).
	 * NULL lets every packet on. */
	bool (*meter)(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, uint32_t meter_id);
};

struct dp_exec_ctx {
	const struct dp_exec_ops *ops;
	void *aux;	   /* the caller's (worker, bridge, rule...) */
	uint32_t queue_id; /* set by set_queue; the caller initialises it (0: default) */
};

/* Action-set slots, in execution order. */
enum {
	DP_ASET_COPY_TTL_IN,
	DP_ASET_POP_VLAN,
	DP_ASET_POP_PBB,
	DP_ASET_POP_MPLS,
	DP_ASET_PUSH_MPLS,
	DP_ASET_PUSH_PBB,
	DP_ASET_PUSH_VLAN,
	DP_ASET_COPY_TTL_OUT,
	DP_ASET_DEC_MPLS_TTL,
	DP_ASET_DEC_NW_TTL,
	DP_ASET_SET_FIELD, /* + OXM field number (40 of them) */
	DP_ASET_SET_MPLS_TTL = DP_ASET_SET_FIELD + 40,
	DP_ASET_SET_NW_TTL,
	DP_ASET_SET_QUEUE,
	DP_ASET_GROUP,
	DP_ASET_OUTPUT,
	DP_ASET_N
};

/* The action set of one packet: which slots hold an action, and each slot's op (which
 * points into the program that wrote it: programs outlive the packets they process). */
struct dp_action_set {
	uint64_t present;
	const struct dp_op *slot[DP_ASET_N];
};

static inline void
dp_action_set_init(struct dp_action_set *set)
{
	set->present = 0;
}

/* Adds prog's write_actions to set (replacing actions of the same type). */
void dp_action_set_write(struct dp_action_set *set, const struct dp_prog *prog);

/* The actions in set, in the order dp_action_set_execute() runs them, as OpenFlow
 * actions (for a trace): fills at most max and returns how many the set holds. */
unsigned dp_action_set_actions(const struct dp_action_set *set, struct ofp_action *out,
			       unsigned max);

/* Runs the set in the spec's order (above). Returns 0 or a positive enum dp_drop_reason
 * (INVALID_TTL, NO_HEADROOM), after which the packet must be dropped. An empty set, or
 * one with neither group nor output, returns 0 (the caller counts the drop, e.g. as
 * DP_DROP_NO_OUTPUT, unless apply_actions sent the packet somewhere). */
int dp_action_set_execute(const struct dp_action_set *set, struct dp_pkt *pkt, struct dp_key *key,
			  struct dp_exec_ctx *ctx);

/* Runs n ops (n counts 8-byte ops: a set-field counts DP_OP_SET_FIELD_SLOTS) in order.
 * 0 or a positive enum dp_drop_reason (INVALID_TTL, NO_HEADROOM): then execution stopped
 * and the packet must be dropped. */
int dp_actions_run(const struct dp_op *ops, unsigned n, struct dp_pkt *pkt, struct dp_key *key,
		   struct dp_exec_ctx *ctx);

/* Runs one table's instructions on the packet: meter, apply_actions, clear_actions and
 * write_actions on *set, write_metadata into key->f.metadata. Returns 0 with *next_table
 * set to the goto_table target or DP_PROG_NO_GOTO (the pipeline ends: run the set), or a
 * positive enum dp_drop_reason (METER, INVALID_TTL, NO_HEADROOM). */
int dp_prog_run(const struct dp_prog *prog, struct dp_pkt *pkt, struct dp_key *key,
		struct dp_action_set *set, struct dp_exec_ctx *ctx, unsigned *next_table);

/* ---- Composed programs ------------------------------------------------------------------ */

/* A whole path through the tables as one program (the microflow cache's, dp_cache.h):
 * the instructions of the rules hit, table after table, with goto and write_metadata
 * resolved (a DP_OP_SET_META op) and the action set as it stands at the end of the
 * pipeline resolved into ops in the spec's order, run after the last rule's. The
 * program is cut into segments, one per rule that does something: the pipeline runs a
 * segment's meter (a reference: the meter polices every packet), then its ops, as that
 * rule (packet-ins report its cookie and table). Group ops stay references (buckets
 * are chosen per packet). "Exits" are the outputs and groups, counted in order.
 *
 * A push_vlan that a later pop_vlan of the program undoes is removed with that pop and
 * the set-fields of the pushed tag, when nothing between them lets the packet out
 * (output, group, a dec_ttl's invalid-TTL packet-in), is metered, or restructures the
 * packet, and no other structural edit comes before: the Faucet shape (tag on ingress,
 * untag on egress) becomes a plain output. Push then pop is the identity on the frame,
 * the key and every counter for a packet that dp_cprog_fits(); any other packet must run
 * the path's rules one by one (the program keeps reads_key of the whole path). */
#define DP_CPROG_MAX_SEGS 4
#define DP_CPROG_MAX_OPS 14 /* with the header and edit below: 168 bytes */

/* Edits a direct program (dp_cprog.direct_port) makes before its output. */
#define DP_CPROG_EDIT_ETH 0x1	  /* write the bytes of edit_eth that edit_mask selects */
#define DP_CPROG_EDIT_DEC_TTL 0x2 /* dec_nw_ttl (IPv4, checksum updated) */
#define DP_CPROG_EDIT_FITS 0x4	  /* first check dp_cprog_fits() (elided pairs) */

struct dp_cprog_seg {
	uint8_t rule;	   /* index of the rule on the path */
	uint8_t meter;	   /* meter_id is to be applied before the ops */
	uint8_t off, n;	   /* ops[off, off + n) */
	uint32_t meter_id; /* the rule's meter instruction */
};

struct dp_cprog {
	uint8_t n_seg;
	uint8_t final_at; /* the exit (1-based) that is the last thing done to the packet
			   * (it may take the original mbuf); 0: none */
	bool reads_key;	  /* some step reads the flow key beyond metadata and tunnel_id
			   * (groups, meters, NORMAL, CONTROLLER, MPLS/PBB push/pop, a
			   * set_field that re-parses): a fast-key packet needs its full key */
	uint8_t n_ops;
	uint32_t direct_port; /* the program is output:N to a standard port, after at most
			       * the edits below, and nothing else (no meter): N; else 0 */
	/* A direct program's edits, a pure function of the path (an exact-key hit applies
	 * them as one patch instead of running the ops): set-fields of eth_dst and eth_src,
	 * as they leave the 12 bytes, and dec_ttl. The ops hold the same program. */
	uint8_t edit;	      /* DP_CPROG_EDIT_* */
	uint8_t elided;	      /* push_vlan/pop_vlan pairs removed (dp_cprog_fits()) */
	uint16_t edit_mask;   /* bit i: byte i of the frame becomes edit_eth[i] */
	uint8_t edit_eth[12]; /* eth_dst, eth_src */
	struct dp_cprog_seg seg[DP_CPROG_MAX_SEGS];
	struct dp_op ops[DP_CPROG_MAX_OPS];
};

/* Whether pkt (as at ingress, parsed) may run p: always, unless p has elided push/pop
 * pairs; then only a frame whose push would succeed (an Ethernet type parsed, 4 bytes
 * of headroom) and whose pop would not re-pad it (at least DP_PKT_MIN_FRAME bytes). */
static inline bool
dp_cprog_fits(const struct dp_cprog *p, const struct dp_pkt *pkt)
{
	return !p->elided || (pkt->eth_type != DP_PKT_NONE && pkt->headroom >= 4 &&
			      pkt->frame_len >= DP_PKT_MIN_FRAME);
}

/* dp_prog_compose() option: the path ends in a table miss, the action set is not run. */
#define DP_CPROG_NO_SET 0x1
/* Composes the programs of the n rules of a path (progs[i] ran at the i-th table hit,
 * each but the last with a goto to the next). 0, or -E2BIG when the result would not
 * fit struct dp_cprog (the caller replays the rules one by one instead). */
int dp_prog_compose(const struct dp_prog *const *progs, unsigned n, unsigned opts,
		    struct dp_cprog *out);

#endif /* PFS_DP_PROG_H */
