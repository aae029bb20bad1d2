/* The group table of a bridge in the agent: GROUP_MOD (add, modify, delete, OFPG_ALL)
 * with the checks lib/ cannot make (GROUP_EXISTS, UNKNOWN_GROUP, LOOP for chaining
 * cycles, CHAINED_GROUP when deleting a group another group sends to (OFPG_ALL deletes
 * them all), WATCH_UNSUPPORTED for a watch on a non-fast-failover group or on a reserved
 * port, BAD_OUT_GROUP for a bucket naming a missing group, OUT_OF_GROUPS). A watch port
 * not on the bridge (yet) is accepted: its bucket is dead until the port exists. Its
 * The group graph (actions and watches) is checked as a whole at each GROUP_MOD: LOOP for a
 * cycle through either (a self-watch included), BAD_WATCH for a watch of a missing group,
 * CHAINING_UNSUPPORTED for chains deeper than DP_GROUP_MAX_DEPTH, OUT_OF_BUCKETS for a
 * group whose worst-case bucket executions per packet (copies, counting the groups it
 * chains to) exceed the budget; deleting a group another one sends to or watches is
 * CHAINED_GROUP. Each group counts the flows that send to it (group_count_flow()), so
 * GROUP stats and OFPG_ALL delete never scan the flows per group. Its
 * translation into dp_group_add/modify/delete, removal of the flows that use a deleted
 * group (FLOW_REMOVED reason GROUP_DELETE), and the GROUP, GROUP_DESC and GROUP_FEATURES
 * multipart entries. A group keeps the GROUP_MOD it came
 * from, so GROUP_DESC echoes it as received.
 *
 * Uses bridge.h, datapath.h, lib's ofp_group codec. */
#ifndef PFS_GROUP_H
#define PFS_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_group.h"
#include "ofp_multipart.h"

struct bridge;
struct buf;
struct state_counters;

/* Bucket executions one packet may cause through a group, by default: the datapath's
 * per-packet budget (dp_params.group_budget) and the GROUP_MOD fan-out limit. */
#define GROUP_DEFAULT_BUDGET DP_GROUP_DEFAULT_BUDGET

/* Sets the fan-out limit GROUP_MOD enforces (0: GROUP_DEFAULT_BUDGET); the datapath gets
 * the same value as its per-packet budget. */
void group_set_budget(unsigned n);
/* Counts a flow (delta +1) or forgets it (-1) in group id's reference count; called
 * by the bridge for every group a rule's instructions send to, as rules come and go. */
void group_count_flow(struct bridge *br, uint32_t id, int delta);
/* Applies a decoded GROUP_MOD (raw/len: the whole message, kept for GROUP_DESC). 0 or
 * -EPROTO with *err (or -ENOMEM). */
int group_mod(struct bridge *br, const struct ofp_group_mod *gm, const uint8_t *raw, size_t len,
	      struct ofp_err *err);
/* rule_check_insts() callback: aux is the struct bridge. */
bool group_exists(uint32_t id, void *aux);
/* Appends the OFPMP_GROUP entries for group_id (OFPG_ALL: all) through w. 0, or -EPROTO
 * with BAD_REQUEST/... never: an unknown id gives an empty reply. */
int group_mp_stats(struct bridge *br, uint32_t group_id, struct ofp_mp_writer *w, struct buf *b);
/* Appends every OFPMP_GROUP_DESC entry. */
int group_mp_desc(struct bridge *br, struct ofp_mp_writer *w, struct buf *b);
/* Fills the OFPMP_GROUP_FEATURES reply. */
void group_features(struct ofp_group_features *f);
/* The ids of br's groups in ascending order: fills up to n and returns how many there
 * are. */
size_t group_ids(struct bridge *br, uint32_t *ids, size_t n);
/* Forgets br's groups (bridge teardown). */
void group_bridge_destroy(struct bridge *br);

/* For saving state (state.h): the GROUP_MOD group id came from (*raw, *len: owned by
 * the table, valid until the next change) and its counters as reported in *c. 0 or
 * -ENOENT. */
int group_state_get(struct bridge *br, uint32_t id, const uint8_t **raw, size_t *len,
		    struct state_counters *c);
/* For restoring state: the counters group id continues from (reported = c + the
 * datapath's; kept across a MODIFY). 0, -ENOENT or -ENOMEM. */
int group_state_set_base(struct bridge *br, uint32_t id, const struct state_counters *c);

#endif /* PFS_GROUP_H */
