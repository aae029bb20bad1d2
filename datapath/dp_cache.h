/* Per-worker microflow cache: an exact-match cache from a packet's full flow key (as
 * extracted at ingress: in_port, metadata 0, every header field) to the pipeline's path
 * for that key: the rules hit table after table, or the table where it missed. The path
 * is a pure function of the key and the bridge's rule-set version, so an entry is stamped
 * with (bridge uid, version) and a hit requires both equal: after a dp_commit() every
 * older entry is stale and is recomputed by the worker on its next packet. Nothing is ever
 * flushed, locked or served stale. Rules an entry points to stay allocated while the
 * version it was computed at is current (they are retired only by a later commit and
 * freed after two grace periods the worker's quiescent states end: the worker attributes
 * the counts its entries hold for them in between, see below).
 *
 * Thrash guard: when the hit rate over a window of lookups falls below 1/4 (more distinct
 * flows than entries), only one packet in 32 probes the cache and one in four of its
 * misses is inserted: a flood of new flows neither evicts the working set nor pays a
 * probe that misses in far memory (or an insert that evicts) for every packet, and the
 * sampled hit rate shows when the cache helps again (above 3/4: the guard turns off).
 *
 * Packets of the common shape (dp_key_fast(), dp_key.h) are cached under their 40-byte
 * fast key in a table of their own whose entries are five cache lines (stamp, key and
 * packet count in the first; the program's header and first ops in the next two; the
 * path's rules, read only to attribute counts, last); the others under the full key. An
 * entry records whether running it needs the full key, so a hit on a path of outputs
 * and plain header edits never builds it.
 *
 * Admission: a key whose buckets are full of live entries takes one only on its second
 * miss (a bit per hash remembers the first), so a flood of one-packet flows (random
 * headers) cannot evict the working set. Free or stale ways are taken at once.
 *
 * Composed entries (dp_prog_compose()): an entry holds one program for the whole path
 * and counts its own packets and bytes; a hit runs the program and bumps the entry's
 * counters, nothing else. The rules' and tables' counters get the entry's counts off
 * the per-packet path (dp_cache_flush(): on a statistics request, after a commit, before
 * the worker rests, periodically; and when an entry with counts is overwritten). Entries
 * with counts are on a dirty list so a flush touches only them.
 *
 * One cache per worker; no sharing, no atomics. Used by dp_pipeline.c. */
#ifndef PFS_DP_CACHE_H
#define PFS_DP_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_key.h"
#include "dp_prog.h"

#define DP_CACHE_MAX_RULES 8 /* longer paths are not cached */
#define DP_CACHE_DEFAULT_ENTRIES 4096

struct dp_rule;

/* A path as the pipeline records it while it looks a packet up. */
struct dp_cache_path {
	uint8_t n_rules;    /* rules hit, in table order */
	bool miss;	    /* after them, a table had no matching rule */
	uint8_t miss_table; /* that table */
	bool needs_key;	    /* a rule's actions read the full key (fast-key entries) */
	const struct dp_rule *rules[DP_CACHE_MAX_RULES];
};

/* What a cache entry holds beside its key: the path, its composed program (dp_prog.h)
 * and the packets it forwarded since its counts were last attributed to the rules and
 * tables of the path. The worker that owns the cache writes it; attribution
 * (dp_cache_flush(), and eviction) runs on that worker too. */
struct dp_cache_entry {
	uint64_t packets, bytes, used_tsc; /* not attributed yet (packets 0: none) */
	uint8_t n_rules;
	bool miss;
	uint8_t miss_table;
	bool needs_key; /* replay (not composed) reads the full key */
	bool composed;	/* prog holds the path: a hit runs it, counted in the entry; else a
			 * hit replays the rules (counted as it goes) */
	uint8_t pad_[3];
	struct dp_cprog prog;
	const struct dp_rule *rules[DP_CACHE_MAX_RULES];
};

/* Attributes e's counts (packets, bytes, used_tsc) to its path and zeroes them: called
 * by dp_cache_flush() and before an entry with counts is overwritten. The entry's rules
 * are valid whenever it has counts. */
typedef void dp_cache_attr_fn(void *aux, struct dp_cache_entry *e);

struct dp_cache;

/* A cache of n_entries (rounded up to a power of two, at least 4) on NUMA socket socket.
 * NULL on allocation failure. */
struct dp_cache *dp_cache_create(unsigned n_entries, int socket);
void dp_cache_destroy(struct dp_cache *c);
/* Sets the attribution function (none: counts are dropped). */
void dp_cache_set_attr(struct dp_cache *c, dp_cache_attr_fn *fn, void *aux);

/* The hash the cache uses for key. */
uint32_t dp_cache_hash(const struct dp_key *key);
/* The last step of both hashes. */
static inline uint32_t
dp_cache_hash_finish_(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ^ (uint32_t)(h >> 32);
}

/* The hash the cache uses for a fast key (inline: one per packet, in the parse loop). */
static inline uint32_t
dp_cache_fhash(const struct dp_fkey *fk)
{
	const uint64_t P = 0x9e3779b97f4a7c15ull;
	uint64_t a = (1 ^ fk->w[0]) * P, b = (2 ^ fk->w[1]) * P, c = (3 ^ fk->w[2]) * P;

	a = (a ^ fk->w[3]) * P;
	b = (b ^ fk->w[4]) * P;
	return dp_cache_hash_finish_(a ^ (b << 21 | b >> 43) ^ (c << 42 | c >> 22));
}

/* The entry cached for key under (br_uid, version), or NULL. On NULL, *fill says whether
 * the caller should dp_cache_insert() the path it computes (false when the thrash guard
 * spared the probe). */
struct dp_cache_entry *dp_cache_lookup(struct dp_cache *c, uint64_t br_uid, uint64_t version,
				       const struct dp_key *key, uint32_t hash, bool *fill);
/* Caches path for key: the new entry (composed false, no counts), for the caller to
 * compose. */
struct dp_cache_entry *dp_cache_insert(struct dp_cache *c, uint64_t br_uid, uint64_t version,
				       const struct dp_key *key, uint32_t hash,
				       const struct dp_cache_path *path);
/* The same for fast keys (dp_key_fast()); a fast and a full key never match each other. */
struct dp_cache_entry *dp_cache_lookup_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
					    const struct dp_fkey *fk, uint32_t hash, bool *fill);
/* Whether the thrash guard is on (only a sample of packets probes). */
bool dp_cache_guarded(const struct dp_cache *c);
/* Prefetches the bucket dp_cache_lookup_fast_burst() of hash reads first, a while before
 * it: for packets that probe (dp_cache_sample_fast()). */
void dp_cache_prefetch_bucket(const struct dp_cache *c, uint32_t hash);
/* Of the packets of a burst whose bit is set in mask, those that probe the cache: all
 * of them, or under the thrash guard its random sample (the others count as skipped,
 * and need no hash). *fill: those whose miss may be inserted. */
uint32_t dp_cache_sample_fast(struct dp_cache *c, uint32_t mask, uint32_t *fill);
/* Prefetches what a hit on e reads past the entry's first two lines: its program's ops,
 * or (not composed) its rules. */
static inline void
dp_cache_prefetch_ops(const struct dp_cache_entry *e)
{
	const char *l = e->composed ? (const char *)e->prog.ops : (const char *)e->rules;
	const char *end = e->composed ? (const char *)(e->prog.ops + e->prog.n_ops)
				      : (const char *)(e->rules + e->n_rules);

	for (l = (const char *)((uintptr_t)l & ~(uintptr_t)63); l < end; l += 64)
		__builtin_prefetch(l);
}
/* dp_cache_lookup_fast() for the packets of a burst whose bit is set in mask, sampled by
 * dp_cache_sample_fast() (fk[i], hash[i]; their buckets prefetched a while before),
 * into out[i]: first the first two lines of every matching entry are prefetched
 * (dp_cache_prefetch_ops() the rest), then each is probed. Returns the mask of the
 * misses (to insert where the sample's fill allows). */
uint32_t dp_cache_lookup_fast_burst(struct dp_cache *c, uint64_t br_uid, uint64_t version,
				    const struct dp_fkey *fk, const uint32_t *hash, uint32_t mask,
				    struct dp_cache_entry **out);
struct dp_cache_entry *dp_cache_insert_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
					    const struct dp_fkey *fk, uint32_t hash,
					    const struct dp_cache_path *path);

/* Puts e (an entry of c getting its first count) on c's dirty list (dp_cache_count). */
void dp_cache_dirty_(struct dp_cache *c, struct dp_cache_entry *e);
/* Counts n packets of bytes bytes, the last at tsc, on e (an entry of c). */
static inline void
dp_cache_count(struct dp_cache *c, struct dp_cache_entry *e, uint64_t n, uint64_t bytes,
	       uint64_t tsc)
{
	if (__builtin_expect(e->packets == 0, 0))
		dp_cache_dirty_(c, e);
	e->packets += n;
	e->bytes += bytes;
	e->used_tsc = tsc;
}

/* Attributes every entry's counts (the attribution function). Returns the entries that
 * had counts. */
unsigned dp_cache_flush(struct dp_cache *c);

struct dp_cache_stats {
	uint64_t hits, misses, inserts;
	uint64_t skipped; /* lookups the thrash guard spared */
	uint64_t refused; /* inserts that would have evicted a live entry on a first miss */
};
void dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *st);

#endif /* PFS_DP_CACHE_H */
