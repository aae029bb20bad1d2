/* The table pipeline of one bridge as a controller configured it with a TABLE_FEATURES
 * request carrying a body (OpenFlow 1.3.5 section 7.3.5.18): which tables exist, their
 * names, max_entries, config, metadata masks, and the match/wildcard/instruction/action/
 * set-field/next-table lists that constrain later FLOW_MODs. Pure logic (no datapath):
 * bridge.c swaps pipelines and removes the flows of changed tables, handlers.c encodes
 * the reply. Uses ofp_table.h and oxm.h.
 *
 * Until a controller sets one, a bridge has the default pipeline: every table with
 * ofp_table_features_default()'s features and no constraint beyond the spec's.
 *
 * An empty id list in a request places no constraint (Faucet and other controllers pad
 * the properties a switch may require with empty lists); a property left out also
 * constrains nothing, and a missing _MISS property takes its regular one's list. */
#ifndef PFS_PIPELINE_H
#define PFS_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct ofp_err;
struct ofp_flow_mod;
struct ofp_table_features;

struct pipeline;

/* The default pipeline of n_tables tables, each capped at max_entries flows.
 * NULL on allocation failure. */
struct pipeline *pipeline_create_default(unsigned n_tables, uint32_t max_entries);
/* Validates a whole TABLE_FEATURES request body (tf[0..n-1], n >= 1) and builds the
 * pipeline it describes. max_entries above cap are lowered to cap (the reply says so).
 * Errors, all OFPET_TABLE_FEATURES_FAILED: a table_id >= n_tables (BAD_TABLE); a table
 * listed twice, a property given twice, config bits outside OFPTC_DEPRECATED_MASK, an
 * OXM id that is not a basic field or carries a mask the field does not allow, a
 * set-field id of a field that cannot be set, an unknown instruction or action id, a
 * next table that is not after the table or not in the request (BAD_ARGUMENT); metadata
 * listed in MATCH while metadata_match is 0, or WRITE_METADATA listed while
 * metadata_write is 0 (BAD_METADATA); an experimenter property (BAD_TYPE).
 * 0 with *out, -EPROTO with *err, or -ENOMEM. */
int pipeline_create(const struct ofp_table_features *tf, size_t n, unsigned n_tables, uint32_t cap,
		    struct pipeline **out, struct ofp_err *err);
/* NULL-safe. */
void pipeline_destroy(struct pipeline *pl);

/* True if table t is part of the pipeline. */
bool pipeline_has_table(const struct pipeline *pl, uint8_t t);
/* True if table t exists in both pipelines with identical features. */
bool pipeline_table_same(const struct pipeline *a, const struct pipeline *b, uint8_t t);
/* The flow limit of table t (0 for a table not in the pipeline). */
uint32_t pipeline_max_entries(const struct pipeline *pl, uint8_t t);
/* Appends table t's features (struct ofp_table_features with its properties) to b, as
 * the TABLE_FEATURES reply gives them. 0, -ENOENT for a table not in the pipeline, or
 * -ENOMEM. */
int pipeline_table_encode(const struct pipeline *pl, uint8_t t, struct buf *b);

/* Checks an ADD or MODIFY against the features of its table (the _MISS lists for the
 * table-miss flow: priority 0, empty match, which is always allowed its empty match): the
 * table is in the pipeline (FLOW_MOD_FAILED/BAD_TABLE_ID); each match field is in MATCH
 * (BAD_MATCH/BAD_FIELD), masked only where MATCH says hasmask and metadata only within
 * metadata_match (BAD_MATCH/BAD_MASK); each field in MATCH but not in WILDCARDS is
 * present (BAD_MATCH/BAD_WILDCARDS); each instruction is listed
 * (BAD_INSTRUCTION/UNSUP_INST); goto_table names a listed next table in the pipeline
 * (BAD_INSTRUCTION/BAD_TABLE_ID); write_metadata stays within metadata_write
 * (BAD_INSTRUCTION/UNSUP_METADATA_MASK); each action is listed for its instruction
 * (BAD_ACTION/BAD_TYPE) and each set-field field likewise (BAD_ACTION/BAD_SET_TYPE).
 * 0 or -EPROTO with *err. */
int pipeline_check_flow_mod(const struct pipeline *pl, const struct ofp_flow_mod *fm,
			    struct ofp_err *err);

#endif /* PFS_PIPELINE_H */
