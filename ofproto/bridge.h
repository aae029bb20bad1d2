/* One OpenFlow logical switch in the agent: its datapath bridge, ports, the authoritative
 * rule set (rule.h) and its translation into datapath flows (dp_flow_add/modify/remove,
 * committed once per loop iteration), flow expiry (idle/hard timeouts from
 * dp_flow_get_stats' last-used time), port status changes, fail mode, and the state the
 * message handlers read (datapath id, tables, switch config).
 *
 * Uses datapath.h, rule.h, connmgr.h (to send FLOW_REMOVED and PORT_STATUS). */
#ifndef PFS_BRIDGE_H
#define PFS_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "datapath.h"
#include "ofp_flow.h"
#include "ofp_port.h"
#include "rule.h"

struct ofproto;
struct connmgr;
struct ofp_table_features;
struct pipeline;

struct bridge_port {
	uint32_t ofport;
	char name[OFP_MAX_PORT_NAME_LEN + 1];
	struct dp_port *dp;
	struct ofp_port_desc desc; /* last reported to controllers */
	bool exclusive;		   /* one process at a time: see handover_port_shared() */
	struct dp_port_stats base; /* restored counters it continues from (state.h) */
};

/* Barrier latency buckets (upper bounds in seconds) of struct bridge_agent_stats. */
#define BRIDGE_BARRIER_BUCKETS 7
extern const double bridge_barrier_bounds[BRIDGE_BARRIER_BUCKETS];

/* What the agent did for the bridge's connections (for the metrics endpoint). */
struct bridge_agent_stats {
	uint64_t msg_rx[OFPT_N_TYPES + 1];	      /* messages handled by type (last: unknown) */
	uint64_t barrier[BRIDGE_BARRIER_BUCKETS + 1]; /* BARRIER request->reply latency */
	uint64_t barrier_sum_ns;
};

struct bridge {
	char name[CONFIG_NAME_MAX + 1];
	uint64_t datapath_id;
	enum config_fail_mode fail_mode;
	char description[256];
	struct ofproto *ofp;
	struct dp_bridge *dp;
	struct connmgr *cm;
	struct rule_set rules;
	unsigned n_tables;
	struct pipeline *pipeline; /* tables in use and their features (pipeline.h) */
	uint32_t max_flows;	   /* per table */
	/* Quotas of the whole bridge (config.h): what one tenant may take of the agent's and
	 * the datapath's shared memory and time. */
	uint32_t max_total_flows, max_groups, max_meters;
	uint64_t n_quota_refused; /* adds refused by a quota */
	/* Packet-ins of the bridge as a whole (bridge_packet_in_rate/burst): a token bucket
	 * in thousandths of a packet, drawn on as the fair queues (pinsched.h) are served. */
	unsigned pin_rate, pin_burst;
	uint64_t pin_tokens_milli, pin_last_ms;
	uint64_t n_pin_waits;	   /* times a packet-in waited for the bridge's rate */
	struct bridge_port *ports; /* sorted by ofport */
	size_t n_ports;
	uint16_t frag_flags; /* OFPC_FRAG_* (only NORMAL is supported) */
	bool dirty;	     /* datapath changes staged, not yet committed */
	bool normal_mode;    /* standalone fail mode engaged */
	uint64_t next_expiry_ms;
	uint64_t next_port_poll_ms;
	uint64_t n_flow_mods, n_expired;
	struct bridge_agent_stats agent;
	struct bridge_journal *journal; /* a bundle commit under way (bridge_journal_begin) */
};

/* Counts one BARRIER answered ns after its request was taken up. */
void bridge_note_barrier(struct bridge *br, uint64_t ns);

/* Creates the bridge and its datapath bridge (no ports, no connections yet).
 * 0, -EEXIST, -ENOMEM. */
int bridge_create(struct ofproto *ofp, const struct config_bridge *cfg, struct bridge **out);
/* Adds a configured port through dp_port_add(). 0 or its negative errno. */
int bridge_add_port(struct bridge *br, const struct config_port *cfg);
/* Closes port p (from bridge_port_find()) and forgets it: a process handing over to
 * another frees the devices only one process can hold (handover.h). */
void bridge_release_port(struct bridge *br, struct bridge_port *p);
/* Adds the bridge's LOCAL port (OFPP_LOCAL) if cfg->local_port: a net_tap device whose
 * kernel interface, named cfg->local_port_name, is the host's way into the bridge (as
 * Open vSwitch's bridge-internal port). The tap has a random locally administered MAC,
 * the same on both sides; it goes away with the process. 0 (also when not configured)
 * or dp_port_add()'s negative errno. */
int bridge_add_local_port(struct bridge *br, const struct config_bridge *cfg);
/* Destroys the connection manager, the rules and the datapath bridge. NULL-safe. */
void bridge_destroy(struct bridge *br);

/* Applies one decoded FLOW_MOD (OpenFlow 1.3 section 6.4) to the rule set and stages
 * the datapath changes. 0 or -EPROTO with *err (TABLE_FULL, OVERLAP, BAD_TABLE_ID, the
 * datapath's BAD_ACTION/BAD_INSTRUCTION, ...), -ENOMEM. */
int bridge_flow_mod(struct bridge *br, const struct ofp_flow_mod *fm, struct ofp_err *err);
/* Reported counters of a rule (datapath counters + baseline). */
void bridge_rule_stats(const struct rule *r, uint64_t *packets, uint64_t *bytes);
/* Publishes staged changes (dp_commit) if any. */
void bridge_commit(struct bridge *br);
/* Periodic work: flow expiry (once a second), port status polling, fail mode. */
void bridge_run(struct bridge *br, uint64_t now_ms);
/* Port by OpenFlow number, or NULL. */
struct bridge_port *bridge_port_find(struct bridge *br, uint32_t ofport);
/* The port's counters as reported: the datapath's plus the restored base. */
void bridge_port_stats(const struct bridge_port *p, struct dp_port_stats *st);
/* Fills d from the datapath's current view of the port. */
void bridge_port_desc(const struct bridge_port *p, struct ofp_port_desc *d);
/* Applies a PORT_MOD: BAD_PORT for an unknown port, BAD_HW_ADDR for a mismatching
 * address; sends PORT_STATUS(MODIFY) when the config changed. 0 or -EPROTO. */
int bridge_port_mod(struct bridge *br, const struct ofp_port_mod *pm, struct ofp_err *err);
/* bridge_port_mod()'s checks without the change. 0 or -EPROTO with *err. */
int bridge_port_mod_check(struct bridge *br, const struct ofp_port_mod *pm, struct ofp_err *err);

/* Per-bridge quotas. Each returns 0 when one more object fits, or -EPROTO with *err set
 * to the spec's error and counts the refusal (rate-limited log). Callers ask only for an
 * add, never for a modify of an existing object. */
/* Flows over all tables (n: the count now): FLOW_MOD_FAILED/TABLE_FULL. */
int bridge_quota_flow(struct bridge *br, size_t n, struct ofp_err *err);
/* Groups (n: the bridge's count now): GROUP_MOD_FAILED/OUT_OF_GROUPS. */
int bridge_quota_group(struct bridge *br, size_t n, struct ofp_err *err);
/* Meters (n: the bridge's count now): METER_MOD_FAILED/OUT_OF_METERS. */
int bridge_quota_meter(struct bridge *br, size_t n, struct ofp_err *err);
/* The bridge's packet-in rate (bridge_packet_in_rate): true if one more packet-in may go
 * at now_ms; then bridge_pin_spend() once it has been queued to a connection. Applied
 * behind the fair per-in-port queues, so a port flooding table misses uses up only its
 * share of the bridge's rate. */
bool bridge_pin_allowed(struct bridge *br, uint64_t now_ms);
void bridge_pin_spend(struct bridge *br);
/* The most flows one table may get, as advertised in TABLE_FEATURES max_entries: the
 * per-table cap or the bridge's total, whichever is lower. */
uint32_t bridge_table_max_entries(const struct bridge *br);

/* Applies a TABLE_FEATURES request body (n >= 1 entries) as one change: validates all of
 * it (pipeline_create()'s errors; nothing changes on error), then removes every flow of
 * each table that leaves the pipeline or whose features change (FLOW_REMOVED with reason
 * DELETE where the flow asked for one) and swaps the pipeline in. 0, -EPROTO with *err,
 * or -ENOMEM. */
int bridge_set_table_features(struct bridge *br, const struct ofp_table_features *tf, size_t n,
			      struct ofp_err *err);

/* Removes every rule whose actions send to group_id (OFPG_ALL: any group, OFPG_ANY:
 * none) or whose meter instruction names meter_id (OFPM_ALL: any meter, 0: none), with
 * FLOW_REMOVED(reason) where asked: groups or meters were deleted (group.c, meter.c).
 * One pass over the rules. */
void bridge_remove_flows_using(struct bridge *br, uint32_t group_id, uint32_t meter_id,
			       uint8_t reason);

/* ---- Undo journal (bundle commits) ----------------------------------------------------
 * Between bridge_journal_begin() and bridge_journal_end(), every change to the rule set
 * is recorded so that bridge_journal_end(br, false) can put the rules back as they were:
 * rules removed or replaced are kept (not freed), FLOW_REMOVED messages are held back,
 * and other modules push their own undo steps (bridge_journal_push). Nothing is published
 * to the datapath in between (no bridge_commit()), so the workers see the old version
 * throughout and, after the caller's one bridge_commit(), either all of it or none. */

/* Starts journaling. 0, -EBUSY if a journal is open, or -ENOMEM. */
int bridge_journal_begin(struct bridge *br);
/* Records an undo step run (in reverse order of recording) by a rollback: undo(br, arg);
 * release(arg) runs afterwards in both outcomes (NULL: nothing to release). 0 or -ENOMEM
 * (then the caller undoes its change itself). */
int bridge_journal_push(struct bridge *br, void (*undo)(struct bridge *, void *),
			void (*release)(void *), void *arg);
/* Ends journaling: keep true sends the held FLOW_REMOVED messages and frees what was
 * kept; keep false undoes every recorded change, newest first, and drops the held
 * messages. NULL-safe on a bridge without a journal. */
void bridge_journal_end(struct bridge *br, bool keep);

/* ---- Journal snapshots of an id-keyed registry (groups, meters) -----------------------
 * A mod message may change one object (by id) or every one (the ALL id). Before it is
 * applied, bridge_snap_take() copies the raw message each object it may change came from;
 * bridge_snap_push() then records the undo step, which puts those objects back (in
 * several passes, so that objects referring to one another come back in an order the
 * checks accept) and deletes the named one if it did not exist before. */
struct idtable;
struct bridge_snap;

struct bridge_snap_ops {
	const char *what; /* "group", "meter": for the log */
	uint32_t all;	  /* the id that names every object */
	/* The raw mod message obj (an object of the table) came from. */
	void (*raw_of)(const void *obj, const uint8_t **raw, size_t *len);
	/* Puts object id back as raw describes it (ADD or MODIFY as it exists now). 0 or
	 * nonzero if refused (retried while other objects come back). */
	int (*restore)(struct bridge *br, uint32_t id, const uint8_t *raw, size_t len);
	/* Deletes object id. */
	void (*remove)(struct bridge *br, uint32_t id);
};

/* The objects of t (may be NULL) that a mod naming id may change. NULL if out of
 * memory. */
struct bridge_snap *bridge_snap_take(const struct bridge_snap_ops *ops, const struct idtable *t,
				     uint32_t id);
/* Records sn's undo step in br's journal, which owns sn then. -ENOMEM: the step could
 * not be recorded, so sn was undone at once and freed. */
int bridge_snap_push(struct bridge *br, struct bridge_snap *sn);
/* Frees sn (NULL-safe): the change it was taken for did not happen. */
void bridge_snap_free(struct bridge_snap *sn);

#endif /* PFS_BRIDGE_H */
