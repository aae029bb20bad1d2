/* MAC learning for the NORMAL output and for standalone mode: one table per bridge from
 * Ethernet address to the port (the port's slot on its bridge) it was last seen on, with
 * aging. Workers learn and look up concurrently without locks: an entry is one 64-bit
 * word (address and slot) plus a last-seen time, written with single stores, so a reader
 * sees an old or a new binding, never a torn one. Two workers learning different
 * addresses into the same bucket at once may lose one binding; the next packet relearns
 * it (the unknown destination is flooded meanwhile). Learning ignores VLANs (one
 * address space per bridge).
 *
 * Hardening against hosts that forge source addresses: the bucket hash is seeded with a
 * random value drawn when the table is created (the bucket of an address cannot be
 * computed from outside); a live entry is never evicted to make room for a new address
 * (a new address takes an empty or expired way, or is not learned); and each port may
 * hold at most max_per_port entries. A flood of forged addresses therefore cannot push
 * another host's binding out, and cannot fill more than its port's share of the table.
 *
 * Used by dp_pipeline.c (learn/lookup) and datapath.c (create, sweep, flush on port
 * removal). */
#ifndef PFS_DP_NORMAL_H
#define PFS_DP_NORMAL_H

#include <stdint.h>

#define DP_NORMAL_DEFAULT_ENTRIES 8192
#define DP_NORMAL_DEFAULT_AGING_S 300
#define DP_NORMAL_DEFAULT_MAX_PER_PORT 1024
#define DP_NORMAL_MAX_SLOTS 1024 /* slots 0..1023 (DP_BRIDGE_MAX_PORTS) */

struct dp_normal;

/* A table of n_entries (rounded up to a power of two, at least 4) whose entries expire
 * aging_tsc TSC cycles after they were last seen, with at most max_per_port entries per
 * slot (0: no limit) and a random hash seed. NULL on allocation failure. */
struct dp_normal *dp_normal_create(unsigned n_entries, uint64_t aging_tsc, unsigned max_per_port);
void dp_normal_destroy(struct dp_normal *t);
/* Records that mac (6 bytes, unicast) was seen on slot (< DP_NORMAL_MAX_SLOTS) at time
 * now (TSC). 0 if learned or refreshed; -ENOSPC if slot holds max_per_port entries
 * already (not learned; an address moving to that slot is forgotten, so it floods);
 * -EBUSY if the address's bucket holds only live entries (not learned). */
int dp_normal_learn(struct dp_normal *t, const uint8_t *mac, uint16_t slot, uint64_t now);
/* The slot mac was last seen on, or -1 if unknown or expired. */
int dp_normal_lookup(const struct dp_normal *t, const uint8_t *mac, uint64_t now);
/* Forgets every address learned on slot (control thread, port removal). */
void dp_normal_flush_slot(struct dp_normal *t, uint16_t slot);
/* Control thread, periodically: empties up to max_entries expired entries' ways, going
 * round the table, and at the end of each round recounts the entries each slot holds
 * (so the per-port limit follows aging even for ports that learn nothing new). */
void dp_normal_sweep(struct dp_normal *t, uint64_t now, unsigned max_entries);
/* Live (unexpired) entries, for tests and telemetry. */
unsigned dp_normal_count(const struct dp_normal *t, uint64_t now);
/* Entries slot holds as counted for its limit (live, or expired and not yet swept). */
unsigned dp_normal_slot_count(const struct dp_normal *t, uint16_t slot);
/* Calls cb for every live entry with its address, slot and the TSC cycles since it was
 * last seen (control thread; workers may change entries meanwhile: each is read whole). */
void dp_normal_walk(const struct dp_normal *t, uint64_t now,
		    void (*cb)(const uint8_t *mac, uint16_t slot, uint64_t age, void *aux),
		    void *aux);
/* The table's hash seed (tests). */
uint32_t dp_normal_seed(const struct dp_normal *t);

#endif /* PFS_DP_NORMAL_H */
