/* Groups and meters inside the datapath: the compiled objects the workers read and the
 * per-bridge tables the control thread stages (implements the group and meter part of
 * datapath.h; dp_group.c and dp_meter.c).
 *
 * Publication: the control thread keeps each table as a sorted array of compiled objects
 * (its staged view). dp_commit() calls dp_gm_publish(), which, if anything changed,
 * builds an immutable open-addressing map id -> object, publishes it with a release store
 * before the bridge's version and retires the previous map and every replaced object
 * through the RCU deferred free. Compiled objects are immutable except their counters
 * (per worker) and, for meters, the bands' shared token state (atomic).
 *
 * Workers: dp_group_lookup()/dp_meter_lookup() (one acquire load and a short probe),
 * dp_group_select()/dp_group_ff_live() to pick a bucket (fast-failover liveness is
 * computed on the control thread, dp_gm_liveness(), never per packet), dp_meter_apply() to measure
 * a packet. Execution of buckets (copies, action sets, outputs) is dp_pipeline.c's.
 *
 * Neighbours: dp_core.h (bridges, ports, workers), dp_prog.h (bucket programs). */
#ifndef PFS_DP_GROUP_H
#define PFS_DP_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_core.h"
#include "dp_key.h"
#include "dp_prog.h"

/* Immutable id -> object map read by the workers. */
struct dp_idmap {
	uint32_t mask; /* capacity - 1 (capacity a power of two, at least twice the count) */
	uint32_t n;
	struct dp_idmap_ent {
		uint32_t id;
		void *obj; /* NULL: empty slot */
	} e[];
};

static inline void *
dp_idmap_find(const struct dp_idmap *m, uint32_t id)
{
	if (!m)
		return NULL;
	for (uint32_t i = (id * 2654435761u) & m->mask;; i = (i + 1) & m->mask) {
		const struct dp_idmap_ent *e = &m->e[i];

		if (!e->obj)
			return NULL;
		if (e->id == id)
			return e->obj;
	}
}

/* ---- Groups ---------------------------------------------------------------------------- */

#define DP_GROUP_SLOTS 4096 /* select: weighted slot table size (power of two) */

struct dp_gcount {
	uint64_t packets, bytes;
};

/* Counters that outlive a modify: one per group or meter id, per worker. */
struct dp_gstat {
	uint64_t created_ns;
	struct dp_gcount *ws; /* [n_workers], cache-line padded slots */
};

struct dp_gbucket {
	struct dp_prog *prog; /* the bucket's actions compiled as an action set */
	uint32_t watch_port, watch_group;
	uint16_t weight;
};

struct dp_group {
	uint32_t id;
	uint8_t type;
	uint16_t n_buckets;
	struct dp_gstat *st;
	struct dp_gcount *bws; /* [n_workers * n_buckets] */
	uint16_t *slots;       /* SELECT: [DP_GROUP_SLOTS] bucket index, NULL if no weight */
	int16_t live;	       /* first live bucket or -1 (dp_gm_liveness(); workers read) */
	int16_t lv_new;	       /* control thread: liveness walk scratch */
	uint8_t lv_state;
	struct dp_gbucket b[];
};

/* Per-worker group counters: slot stride in struct dp_gcount units (one cache line). */
#define DP_GCOUNT_STRIDE 4

/* The group with this id in the map the workers see, or NULL. */
static inline const struct dp_group *
dp_group_lookup(const struct dp_bridge *br, uint32_t id)
{
	return dp_idmap_find(__atomic_load_n(&br->groups_pub, __ATOMIC_ACQUIRE), id);
}

/* The hash SELECT groups use: L2 addresses, VLAN, ethertype, IP protocol and addresses,
 * L4 ports, ARP sender/target IPs. Equal for every packet of a flow. */
uint32_t dp_group_hash(const struct dp_key *key);
/* SELECT: the bucket for hash, or -1 when no bucket has a weight. */
static inline int
dp_group_select(const struct dp_group *g, uint32_t hash)
{
	return g->slots ? g->slots[hash & (DP_GROUP_SLOTS - 1)] : -1;
}
/* FF: the first live bucket, or -1: one load of what dp_gm_liveness() computed. */
static inline int
dp_group_ff_live(const struct dp_group *g)
{
	return __atomic_load_n(&g->live, __ATOMIC_RELAXED);
}

/* Compiles a group (control thread; no bridge needed, no counters attached): exposed for
 * tests. 0 with *out (free with dp_group_free()), or dp_group_add()'s errors. */
int dp_group_compile(const struct dp_group_spec *spec, unsigned n_workers, struct dp_group **out,
		     struct ofp_err *err);
void dp_group_free(struct dp_group *g);

/* ---- Meters ---------------------------------------------------------------------------- */

struct dp_mband {
	uint64_t tat;  /* GCRA theoretical arrival time (ticks), shared: CAS-updated */
	uint64_t inc;  /* ticks per unit (byte for kbps, packet for pktps) */
	uint64_t tau;  /* burst tolerance, ticks */
	uint16_t type; /* OFPMBT_* */
	uint8_t prec_level;
	uint8_t index; /* position in the meter as configured (counters) */
	uint32_t rate;
} __attribute__((aligned(64)));

struct dp_meter {
	uint32_t id;
	uint16_t flags;
	uint8_t n_bands;
	bool pktps;
	struct dp_gstat *st;	/* outlives a modify, as a group's */
	struct dp_gcount *bws;	/* [n_workers * n_bands]: per configured band */
	struct dp_mband band[]; /* sorted by rate, highest first */
};

/* A meter time: TSC cycles << DP_METER_TICK_SHIFT. */
#define DP_METER_TICK_SHIFT 8

/* Compiles a meter for a clock of hz cycles per second (control thread; exposed
 * for tests). 0 with *out (free with dp_meter_free()), or dp_meter_add()'s errors. */
int dp_meter_compile(const struct dp_meter_spec *spec, uint64_t hz, unsigned n_workers,
		     struct dp_meter **out, struct ofp_err *err);
void dp_meter_free(struct dp_meter *m);
/* Measures one packet of len bytes at time now_tsc (cycles of the hz given at compile)
 * for worker: counts it, and returns the band that applies (an index into m->band[]) or
 * -1 when the packet is within every band. Lock-free, any worker. */
int dp_meter_apply(struct dp_meter *m, unsigned worker, uint64_t now_tsc, uint32_t len);
/* The band dp_meter_apply() would return for len bytes now, without taking tokens or
 * counting (for a trace): -1 when the packet fits every band. */
int dp_meter_peek(const struct dp_meter *m, uint64_t now_tsc, uint32_t len);

/* The meter with this id in the map the workers see, or NULL. */
static inline struct dp_meter *
dp_meter_lookup(const struct dp_bridge *br, uint32_t id)
{
	return dp_idmap_find(__atomic_load_n(&br->meters_pub, __ATOMIC_ACQUIRE), id);
}

/* ---- Per-bridge tables (control thread) ------------------------------------------------ */

struct dp_gm;

/* Publishes staged group/meter changes (called by dp_commit() before the version store);
 * 0 or -ENOMEM (nothing published). */
int dp_gm_publish(struct dp_bridge *br);
/* Recomputes every group's first live bucket (dp_group_ff_live()) from the ports' state
 * and the watched groups', in dependency order; called by the datapath itself when a
 * port comes, goes or changes link or PORT_DOWN, and when groups are published. Control
 * thread. 0 or -ENOMEM (logged; the previous choices stay). */
int dp_gm_liveness(struct dp_bridge *br);
/* Frees every group and meter of a bridge (workers stopped or the bridge unreachable). */
void dp_gm_destroy(struct dp_bridge *br);

#endif /* PFS_DP_GROUP_H */
