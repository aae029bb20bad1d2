/* One OpenFlow table's classifier: versioned rules, tuple-space search, lock-free readers.
 *
 * Rules are (mask, masked value, priority) over struct dp_key (dp_key.h). Rules with the
 * same mask share a subtable: one lock-free hash table keyed by the masked key (only the
 * key words the mask covers, CRC32-hashed; plain heap memory, no DPDK memzone, so the
 * number of masks per process is bounded by memory only), whose entries hold the rules
 * with that masked value in a list sorted by priority. A lookup probes the subtables in
 * order of their highest priority and stops as soon as no later subtable can hold a
 * better rule, so a table of rules that are all exact on the same fields costs one hash
 * lookup; a subtable whose rules match on IP addresses is skipped without a probe when
 * its address filter says none of its rules has the packet's prefixes. The number of
 * subtables (distinct masks) is capped so crafted rules cannot blow lookups up (Tuple
 * Space Explosion).
 *
 * Versions: every rule is visible to lookups at version v iff
 * add_version <= v < remove_version. The writer stages changes at a version readers do
 * not use yet, then publishes that version (a release store the caller owns), so a batch
 * becomes visible atomically: a rule replaced at v (removed at v, new one inserted at v)
 * is seen as the old one below v and the new one from v on, never neither or both.
 *
 * Winner: the visible matching rule with the highest priority; among visible matching
 * rules of equal priority (which OpenFlow leaves undefined) the one inserted first.
 *
 * Threads: one writer (every function but the lookups), any number of lock-free readers
 * (dp_cls_lookup, dp_cls_lookup_bulk). A reader must load the version it passes (acquire)
 * before the lookup and must not pass a quiescent state (rte_rcu_qsbr) while it holds a
 * result. Memory the writer retires (hash nodes, rule entries, subtable arrays, whole
 * hash tables) is freed through the struct dp_defer (dp_defer.h) after a grace period.
 *
 * Life of a removed rule: dp_cls_remove() only stamps its remove_version; the rule stays
 * linked, because readers still on an older version must keep finding it. Once no reader
 * can use a version older than the removal (the version was published and a grace period
 * passed), the writer calls dp_cls_purge(), which unlinks it and drops empty hash nodes
 * and empty subtables. The caller's struct dp_cls_rule memory is never read by readers at
 * versions where the rule is invisible, nor by dp_cls_purge(): the caller may free or
 * reuse it as soon as no reader can use a version older than its removal, purged or not.
 *
 * Neighbours: dp_key.h (key layout), dp_defer.h (deferred free), DPDK rte_hash_crc.h. */
#ifndef PFS_DP_CLS_H
#define PFS_DP_CLS_H

#include <stdint.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif
#include <rte_hash_crc.h>

#include "dp_defer.h"
#include "dp_key.h"

/* One CRC32C step over a key word, the hash of classifier and shape lookups: the
 * instruction itself where the build targets it (rte_hash_crc_8byte() tests at run time
 * which to use: a load and a branch per word, in the loops over subtables). */
static inline uint32_t
dp_crc8(uint64_t word, uint32_t h)
{
#ifdef __SSE4_2__
	return (uint32_t)_mm_crc32_u64(h, word);
#else
	return rte_hash_crc_8byte(word, h);
#endif
}

/* The same over 4 bytes. */
static inline uint32_t
dp_crc4(uint32_t word, uint32_t h)
{
#ifdef __SSE4_2__
	return _mm_crc32_u32(h, word);
#else
	return rte_hash_crc_4byte(word, h);
#endif
}

#define DP_CLS_VERSION_MAX UINT64_MAX /* remove_version of a rule not removed */
#define DP_CLS_DEFAULT_MAX_MASKS 512
#define DP_CLS_NAME_LEN 32

struct cls_entry;
struct cls_array;
struct cls_subtable;
struct cls_xf;

/* Embedded by the caller in its own rule (container_of). The caller fills value, mask
 * and priority before dp_cls_insert() and leaves them unchanged while the rule is in the
 * classifier; value bits outside mask are ignored. */
struct dp_cls_rule {
	struct dp_key value;
	struct dp_key mask;
	uint16_t priority;
	/* The owner's words, copied into the slots of an exact shape (dp_shape.h) so that a
	 * lookup hands them over without a read of the rule (the pipeline: a direct rule's
	 * port and counters). Set before the rule is inserted, then unchanged; the
	 * classifier ignores them. tag 0: none. */
	uint32_t tag;
	uint64_t aux;
	/* Set by the classifier, informational for the writer (readers never read them). */
	uint64_t add_version;
	uint64_t remove_version;
	struct cls_entry *entry; /* private: NULL when not in a classifier */
};

/* A table's classifier. Fields are private; embed it and use the functions below. */
struct dp_cls {
	struct cls_array *array; /* published subtable order; readers load it (acquire) */
	struct dp_defer *defer;
	unsigned max_masks;
	unsigned max_rules;		 /* 0: no cap */
	unsigned n_rules;		 /* inserted and not removed */
	unsigned n_masks;		 /* subtables, including ones holding only removed rules */
	unsigned n_linked;		 /* entries linked: not removed + removed, not yet purged */
	uint64_t seq;			 /* insertion counter (tie rule) */
	struct cls_subtable **subtables; /* writer's view, n_masks of them */
	unsigned subtables_cap;
	struct cls_entry *dead;	   /* removed, not yet purged */
	struct cls_subtable *last; /* subtable of the last insert: rules come in runs */
	struct cls_mem *mem;	   /* entry and node pools */
	struct cls_xf *xf;	   /* host filter across subtables; readers load it (acquire) */
	uint64_t xf_used;	   /* host filter indexes given to subtables */
	unsigned xf_n_used;
	unsigned xf_adds; /* nodes whose bits went into xf since it was built */
	uint32_t id;	  /* names the rte_hash tables */
	char name[DP_CLS_NAME_LEN];
};

/* Initialises an empty classifier named name (for logs; truncated) that holds at most
 * max_masks distinct masks (0: DP_CLS_DEFAULT_MAX_MASKS) and frees retired memory
 * through defer (which must outlive cls and every call it queued). 0 or -EINVAL (NULL
 * argument). Allocates nothing until the first insert. */
int dp_cls_init(struct dp_cls *cls, const char *name, unsigned max_masks, struct dp_defer *defer);

/* Frees everything cls holds, at once (not deferred for cls's own memory; memory still
 * queued on defer is freed by defer later). Rules still inserted are dropped, not
 * touched. Call only when no reader can reach cls any more (after a grace period).
 * NULL-safe; cls may be re-initialised afterwards. */
void dp_cls_destroy(struct dp_cls *cls);

/* Caps the number of rules (inserted and not removed); 0 removes the cap (default). */
void dp_cls_set_max_rules(struct dp_cls *cls, unsigned max_rules);

/* Inserts rule (zero-initialised, then value/mask/priority filled in), visible to lookups at
 * versions >= version (until removed). version must not be DP_CLS_VERSION_MAX; it is normally one
 * readers do not use yet. 0; -EINVAL (rule already in a classifier, or a bad version); -ENOSPC (its
 * mask would exceed the mask cap, or the rule cap is reached: OpenFlow TABLE_FULL); -ENOMEM. On
 * error nothing changed. */
int dp_cls_insert(struct dp_cls *cls, struct dp_cls_rule *rule, uint64_t version);

/* Makes rule invisible to lookups at versions >= version (a version below the rule's
 * add_version hides it everywhere). The rule stays linked until dp_cls_purge(); it no
 * longer counts against the rule cap. A rule not inserted (entry NULL), or already
 * removed, is ignored; an inserted rule must be removed from the cls it is in. Afterwards
 * rule->entry is NULL again: the struct may be freed, or reused for another insert, once no reader
 * can use a version older than version. */
void dp_cls_remove(struct dp_cls *cls, struct dp_cls_rule *rule, uint64_t version);

/* Unlinks every removed rule whose remove_version <= oldest_version, where
 * oldest_version is a version below which no reader may still be looking up (the last
 * published version, once a grace period has passed since its publication). Drops hash
 * nodes and subtables left empty (the mask stops counting against the cap) and queues
 * their memory on defer. Never fails: if an allocation needed to republish the subtable
 * order fails, the old order stays (still correct, only less early exit). */
void dp_cls_purge(struct dp_cls *cls, uint64_t oldest_version);

/* The rule that wins for key at version (see the top of this file), or NULL. Reader-safe,
 * lock-free, no allocation. */
const struct dp_cls_rule *dp_cls_lookup(const struct dp_cls *cls, const struct dp_key *key,
					uint64_t version);

/* dp_cls_lookup() for n keys at once (a burst), probing each subtable with one bulk hash
 * lookup for all the keys that still need it: results[i] is the winner for *keys[i] or
 * NULL. Any n; bursts of up to 64 are done in one pass. */
void dp_cls_lookup_bulk(const struct dp_cls *cls, const struct dp_key *const keys[], unsigned n,
			uint64_t version, const struct dp_cls_rule *results[]);

/* Rules inserted and not removed. */
unsigned dp_cls_n_rules(const struct dp_cls *cls);
/* Distinct masks (subtables) held, including those of removed but unpurged rules. Each
 * holds one hash table (heap memory), which grows (doubling) with its rules and shrinks
 * only by being dropped when its last rule is purged. */
unsigned dp_cls_n_masks(const struct dp_cls *cls);
/* Rules linked in cls: not removed, plus removed and not yet purged. */
unsigned dp_cls_n_linked(const struct dp_cls *cls);

#endif /* PFS_DP_CLS_H */
