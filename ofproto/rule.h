/* The authoritative OpenFlow rule set of one bridge: every flow with its full OpenFlow
 * identity (table, priority, match, cookie, timeouts, flags, instructions), its times,
 * its counter baseline and an opaque handle to the datapath's copy. Pure logic, no
 * datapath and no DPDK: bridge.c translates changes into datapath.h calls, and
 * tests/unit/test_rule.c checks the semantics.
 *
 * Lookups: strict (table, priority, match) through a hash table, O(1); loose
 * (MODIFY/DELETE non-strict, stats requests) by scanning the table(s) concerned;
 * overlap checks (CHECK_OVERLAP) by scanning the rules of the table. Adding a rule
 * without CHECK_OVERLAP is O(1). Rules with a timeout are also on an expiry list.
 * A rule keeps its match in wire form (decoded on demand), so that a million rules
 * with a short action list take about 200 MB. */
#ifndef PFS_RULE_H
#define PFS_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_instruction.h"
#include "oxm.h"

struct rule {
	/* OpenFlow identity */
	uint8_t table_id;
	uint16_t priority;
	uint16_t idle_timeout;
	uint16_t hard_timeout;
	uint16_t flags; /* OFPFF_* as sent (SEND_FLOW_REM, NO_*_COUNTS, ...) */
	uint64_t cookie;
	struct ofp_instruction_list insts; /* owned deep copy (one allocation) */
	/* CLOCK_MONOTONIC ns */
	uint64_t created_ns; /* added or replaced: duration and hard timeout count from it */
	uint64_t used_ns;    /* last use known to ofproto, for the idle timeout */
	/* Reported counters = datapath counters + ofs (mod 2^64): RESET_COUNTS and replaced
	 * datapath flows are expressed through these. */
	uint64_t pkt_ofs, byte_ofs;
	void *dp; /* the datapath's handle (struct dp_flow *); opaque here */
	/* private to rule.c */
	struct rule *hnext;
	uint32_t hash;
	struct rule *tprev, *tnext;
	struct rule *eprev, *enext;
	bool on_exp;
	/* The match in its wire form (struct ofp_match: header, OXM TLVs in the order and
	 * with the masks received, padding): tens of bytes where the decoded form takes
	 * 392. rule_match() decodes it. */
	uint64_t match_present; /* ofp_match.present, for quick rejects */
	uint16_t match_len;
	uint8_t match_wire[];
};

/* Decodes r's match into *m. */
void rule_match(const struct rule *r, struct ofp_match *m);

struct rule_table {
	struct rule *head, *tail;
	uint32_t n_rules;
	uint32_t max_rules;
};

struct rule_cursor;

struct rule_set {
	struct rule_cursor *cursors; /* walks in progress, moved past rules being removed */
	struct rule **buckets;
	size_t n_buckets; /* power of two */
	size_t n_rules;
	unsigned n_tables;
	struct rule_table *tables;
	struct rule *exp_head; /* rules with an idle or hard timeout */
	size_t n_exp;
};

/* A selection of rules, as FLOW_MOD (modify/delete) and flow stats requests express
 * it. table_id OFPTT_ALL selects every table. Strict: same priority and identical
 * match; loose: every rule whose match is at least as specific as match (priority
 * ignored). cookie_mask 0 selects any cookie. out_port / out_group ANY select any. */
struct rule_filter {
	uint8_t table_id;
	bool strict;
	uint16_t priority;
	const struct ofp_match *match;
	uint64_t cookie, cookie_mask;
	uint32_t out_port;
	uint32_t out_group;
};

/* Initialises an empty set of n_tables (<= 255) tables, each limited to max_rules
 * rules. 0 or -ENOMEM. */
int rule_set_init(struct rule_set *rs, unsigned n_tables, uint32_t max_rules);
/* Calls cb (if not NULL) on every rule, then frees the rules and the set. NULL-safe. */
void rule_set_destroy(struct rule_set *rs, void (*cb)(struct rule *, void *), void *aux);

/* A new rule with fm's identity and a copy of its instructions, times set to now_ns, not
 * in any set. NULL on allocation failure. */
struct rule *rule_create(const struct ofp_flow_mod *fm, uint64_t now_ns);
/* Frees a rule that is not in a set. NULL-safe. */
void rule_free(struct rule *r);
/* Replaces r's instructions with a copy of insts. 0 or -ENOMEM (r unchanged). */
int rule_set_insts(struct rule *r, const struct ofp_instruction_list *insts);

/* The rule with exactly this table, priority and match, or NULL. */
struct rule *rule_set_find(const struct rule_set *rs, uint8_t table_id, uint16_t priority,
			   const struct ofp_match *match);
/* Adds r (which must not be in the set, nor an identical rule). 0, -ENOSPC if its
 * table is full, -EINVAL if its table does not exist, -ENOMEM. */
int rule_set_insert(struct rule_set *rs, struct rule *r);
/* Takes r out of the set (not freed). */
void rule_set_remove(struct rule_set *rs, struct rule *r);
/* Puts r on or off the expiry list after its timeouts changed. */
void rule_set_update_expiry(struct rule_set *rs, struct rule *r);
/* True if table table_id holds a rule of this priority that a packet could match
 * together with match (CHECK_OVERLAP). */
bool rule_set_overlaps(const struct rule_set *rs, uint8_t table_id, uint16_t priority,
		       const struct ofp_match *match);
/* Collects the rules f selects into a new array *out (free() it; NULL when none) in
 * table order, then insertion order. Returns the count or -ENOMEM. */
long rule_set_collect(const struct rule_set *rs, const struct rule_filter *f, struct rule ***out);
/* A walk over the rules of tables [table, end) in table then insertion order that
 * survives changes to the set between steps (a flow dump sent as the connection
 * drains): a rule removed from the set is skipped, a rule added to a table not yet
 * finished is visited. The fields are private to rule.c. */
struct rule_cursor {
	struct rule_set *rs;
	struct rule_cursor *next_cursor;
	unsigned table, end;
	struct rule *next; /* next rule to visit in table; NULL: table's head not taken yet
			    * (started false) or table finished (started true) */
	bool started;
};

/* Starts a walk over table_id (OFPTT_ALL: every table) and registers it with rs.
 * rule_cursor_stop() must be called before rs is destroyed. */
void rule_cursor_start(struct rule_cursor *cur, struct rule_set *rs, uint8_t table_id);
/* The next rule, or NULL at the end. */
struct rule *rule_cursor_next(struct rule_cursor *cur);
/* True if rule_cursor_next() would return NULL. */
bool rule_cursor_done(struct rule_cursor *cur);
/* Unregisters the walk. Idempotent. */
void rule_cursor_stop(struct rule_cursor *cur);

/* Number of rules in a table (0 for a table that does not exist). */
uint32_t rule_set_count(const struct rule_set *rs, uint8_t table_id);

/* True if r is selected by f (table, strict/loose match, cookie, out_port, out_group). */
bool rule_selected(const struct rule *r, const struct rule_filter *f);
/* True if every packet matching m also matches filter (filter's fields all in m with
 * masks at least as wide and equal values under filter's mask). */
bool rule_match_covers(const struct ofp_match *filter, const struct ofp_match *m);
/* True if some packet could match both a and b. */
bool rule_match_overlap(const struct ofp_match *a, const struct ofp_match *b);
/* True if r's apply or write actions output to port / use group. */
bool rule_outputs_to(const struct rule *r, uint32_t port);
bool rule_uses_group(const struct rule *r, uint32_t group);

/* Checks the instructions of an ADD/MODIFY against switch state that lib/ cannot know:
 * goto_table must name an existing table after table_id (BAD_INSTRUCTION/BAD_TABLE_ID);
 * a meter instruction must name an existing meter (METER_MOD_FAILED/UNKNOWN_METER); a
 * group action must name an existing group (BAD_ACTION/BAD_OUT_GROUP). group_exists and
 * meter_exists may be NULL (no groups / meters). 0 or -EPROTO with *err. */
/* Checks an action list against switch state: a group action must name an existing group
 * (BAD_ACTION/BAD_OUT_GROUP); also used for PACKET_OUT. 0 or -EPROTO with *err. */
int rule_check_actions(const struct ofp_action_list *l,
		       bool (*group_exists)(uint32_t id, void *aux), void *aux,
		       struct ofp_err *err);
int rule_check_insts(const struct ofp_instruction_list *insts, uint8_t table_id, unsigned n_tables,
		     bool (*group_exists)(uint32_t id, void *aux),
		     bool (*meter_exists)(uint32_t id, void *aux), void *aux, struct ofp_err *err);

#endif /* PFS_RULE_H */
