/* The meter table of a bridge in the agent: METER_MOD (add, modify, delete, OFPM_ALL)
 * with the checks lib/ cannot make (METER_EXISTS, UNKNOWN_METER, OUT_OF_METERS...), its
 * translation into dp_meter_add/modify/delete, removal of the flows that use a deleted
 * meter, and the METER, METER_CONFIG and METER_FEATURES multipart entries. A meter keeps
 * the METER_MOD it came from, so METER_CONFIG echoes flags and bands as received.
 *
 * Uses bridge.h, datapath.h, lib's ofp_meter codec. */
#ifndef PFS_METER_H
#define PFS_METER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofp_error.h"
#include "ofp_meter.h"
#include "ofp_multipart.h"

struct bridge;
struct buf;
struct state_counters;

/* Counts a flow (delta +1) or forgets it (-1) in meter id's flow count; called by the
 * bridge as rules with a meter instruction come and go, so METER stats and OFPM_ALL
 * delete never scan the flows per meter. */
void meter_count_flow(struct bridge *br, uint32_t id, int delta);
/* Applies a decoded METER_MOD (raw/len: the whole message). 0 or -EPROTO with *err. */
int meter_mod(struct bridge *br, const struct ofp_meter_mod *mm, const uint8_t *raw, size_t len,
	      struct ofp_err *err);
/* rule_check_insts() callback: aux is the struct bridge. */
bool meter_exists(uint32_t id, void *aux);
/* Appends OFPMP_METER (config false) or OFPMP_METER_CONFIG (config true) entries for
 * meter_id (OFPM_ALL: all). 0. */
int meter_mp(struct bridge *br, uint32_t meter_id, bool config, struct ofp_mp_writer *w,
	     struct buf *b);
/* Fills the OFPMP_METER_FEATURES reply. */
void meter_features(struct ofp_meter_features *f);
/* The ids of br's meters in ascending order: fills up to n and returns how many there
 * are. */
size_t meter_ids(struct bridge *br, uint32_t *ids, size_t n);
/* Forgets br's meters (bridge teardown). */
void meter_bridge_destroy(struct bridge *br);

/* For saving state (state.h): the METER_MOD meter id came from (*raw, *len: owned by
 * the table, valid until the next change) and its counters as reported in *c. 0 or
 * -ENOENT. */
int meter_state_get(struct bridge *br, uint32_t id, const uint8_t **raw, size_t *len,
		    struct state_counters *c);
/* For restoring state: the counters meter id continues from (reported = c + the
 * datapath's; kept across a MODIFY). 0, -ENOENT or -ENOMEM. */
int meter_state_set_base(struct bridge *br, uint32_t id, const struct state_counters *c);

#endif /* PFS_METER_H */
