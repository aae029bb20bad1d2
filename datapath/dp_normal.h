/* MAC learning for the NORMAL output and for standalone mode: one table per bridge from
 * Ethernet address to the port (the port's slot on its bridge) it was last seen on, with
 * aging. Workers learn and look up concurrently without locks: an entry is one 64-bit
 * word (address and slot) plus a last-seen time, written with single stores, so a reader
 * sees an old or a new binding, never a torn one. Two workers learning different
 * addresses into the same bucket at once may lose one binding; the next packet relearns
 * it (the unknown destination is flooded meanwhile). Learning ignores VLANs (one
 * address space per bridge).
 *
 * Used by dp_pipeline.c (learn/lookup) and datapath.c (create, flush on port removal). */
#ifndef PFS_DP_NORMAL_H
#define PFS_DP_NORMAL_H

#include <stdint.h>

#define DP_NORMAL_DEFAULT_ENTRIES 8192
#define DP_NORMAL_DEFAULT_AGING_S 300

struct dp_normal;

/* A table of n_entries (rounded up to a power of two, at least 4) whose entries expire
 * aging_tsc TSC cycles after they were last seen. NULL on allocation failure. */
struct dp_normal *dp_normal_create(unsigned n_entries, uint64_t aging_tsc);
void dp_normal_destroy(struct dp_normal *t);
/* Records that mac (6 bytes, unicast) was seen on slot at time now (TSC). */
void dp_normal_learn(struct dp_normal *t, const uint8_t *mac, uint16_t slot, uint64_t now);
/* The slot mac was last seen on, or -1 if unknown or expired. */
int dp_normal_lookup(const struct dp_normal *t, const uint8_t *mac, uint64_t now);
/* Forgets every address learned on slot (control thread, port removal). */
void dp_normal_flush_slot(struct dp_normal *t, uint16_t slot);
/* Live (unexpired) entries, for tests and telemetry. */
unsigned dp_normal_count(const struct dp_normal *t, uint64_t now);

#endif /* PFS_DP_NORMAL_H */
