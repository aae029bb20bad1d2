/* Per-worker microflow cache (dp_cache.h): two 8-way set-associative tables, one keyed
 * by the 40-byte fast key, one by the full key. A bucket's hashes are kept apart from the
 * entries so a probe touches one line of hashes and then only entries whose hash
 * matches; a hit needs the key, bridge uid and version equal. A fast entry is stamp,
 * key, counters (one cache line), then the composed program and the path's rules.
 *
 * Hash: independent multiply-xor lanes over the key words (not CRC32: a serial chain of
 * CRC instructions over the 25 words of a full key costs more than the rest of a hit).
 *
 * Buckets of 8 ways: with 4, a working set at 60% of the entries left a tenth of the
 * buckets over-full, and cycling traffic missed on every flow in them.
 *
 * Two choices: a key may sit in either of two buckets (bucket_of(), alt_of()): the first
 * while it has two free ways, else the emptier. With one, 10k flows in 16k entries left ~5% of
 * them in over-full buckets, where cycling traffic missed every time (each miss a table
 * lookup, an insert and an eviction); with two, none. A probe reads the first bucket's
 * hashes, and the second's only when the first holds no match: most keys sit in their
 * first bucket, so a hit on a working set out of L2 costs one line of hashes and the
 * entry, not two and the entry (S1 10k flows; every line counts when a burst's misses
 * queue for the core's few fill buffers). Only entries whose hash matches are read.
 *
 * Replacement: an empty way of the chosen bucket, else round robin within it; a live
 * entry only for a key that missed before (admit()). */
#include <stddef.h>
#include <string.h>

#include <emmintrin.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dp_cache.h"

#define WAYS 8	    /* a bucket's hashes fill half a cache line */
#define WINDOW 1024 /* lookups per thrash-guard window */
#define REFUSED 4   /* a bucket's memory of keys refused a way (admit()) */

/* Every entry starts with this; the key words follow, then the struct dp_cache_entry
 * (for a fast key, its counters share the first line with the stamp and key). */
struct entry {
	uint64_t version;
	uint64_t br_uid;
	uint64_t key[];
};

#define STRIDE(key_bytes)                                                                          \
	RTE_ALIGN_CEIL(sizeof(struct entry) + (key_bytes) + sizeof(struct dp_cache_entry),         \
		       RTE_CACHE_LINE_SIZE)
#define FAST_STRIDE STRIDE(sizeof(struct dp_fkey))
#define FULL_STRIDE STRIDE(sizeof(struct dp_key))
#define FULL_BIT 0x80000000u /* a dirty-list index in the full table */
_Static_assert(FAST_STRIDE == 5 * RTE_CACHE_LINE_SIZE, "a fast entry is five cache lines");
_Static_assert(offsetof(struct dp_cache_entry, bytes) + sizeof(struct entry) +
			       sizeof(struct dp_fkey) ==
		       RTE_CACHE_LINE_SIZE,
	       "a fast entry's stamp, key and packet count share its first line");

struct bucket {
	uint32_t hash[WAYS];
	uint32_t refused[REFUSED]; /* hashes of the keys last refused a way here */
	uint8_t next;		   /* round-robin victim */
	uint8_t used;		   /* bit per way holding an entry */
	uint8_t refused_next;	   /* the oldest of refused[] */
} __rte_cache_aligned;

struct table {
	uint32_t mask;	 /* buckets - 1 */
	uint32_t stride; /* bytes per entry */
	bool guard;	 /* thrash guard on: probe for 1 packet in 32, fill for 1 in 128 */
	uint32_t win_lookups, win_hits;
	uint32_t rng; /* xorshift32 state: which packets probe under the guard */
	struct bucket *buckets;
	uint8_t *entries; /* [buckets * WAYS] of stride bytes */
};

struct dp_cache {
	struct table fast, full;
	struct dp_cache_stats st;
	dp_cache_attr_fn *attr;
	void *attr_aux;
	uint32_t n_dirty, max_dirty;
	uint32_t *dirty; /* entries that may have counts: index, | FULL_BIT for full ones */
};

static inline struct dp_cache_entry *
body(struct entry *e, unsigned n_words)
{
	return (struct dp_cache_entry *)(e->key + n_words);
}

static int
table_init(struct table *t, unsigned n_entries, size_t stride, int socket)
{
	unsigned nb = 1;

	while (nb * WAYS < n_entries)
		nb <<= 1;
	t->mask = nb - 1;
	t->rng = 0x9e3779b9u;
	t->stride = (uint32_t)stride;
	t->buckets = rte_zmalloc_socket("dp_cache_b", sizeof(struct bucket) * nb,
					RTE_CACHE_LINE_SIZE, socket);
	t->entries =
		rte_zmalloc_socket("dp_cache_e", stride * nb * WAYS, RTE_CACHE_LINE_SIZE, socket);
	return t->buckets && t->entries ? 0 : -ENOMEM;
}

struct dp_cache *
dp_cache_create(unsigned n_entries, int socket)
{
	struct dp_cache *c =
		rte_zmalloc_socket("dp_cache", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);

	if (!c)
		return NULL;
	/* Fast entries are small and take nearly all traffic: four times as many (2 MiB
	 * for the default), so a working set of 10k flows fits and rarely overflows a
	 * bucket. */
	if (table_init(&c->fast, 4 * n_entries, FAST_STRIDE, socket) < 0 ||
	    table_init(&c->full, n_entries, FULL_STRIDE, socket) < 0) {
		dp_cache_destroy(c);
		return NULL;
	}
	c->max_dirty = (c->fast.mask + 1 + c->full.mask + 1) * WAYS;
	c->dirty = rte_malloc_socket("dp_cache_d", sizeof(uint32_t) * c->max_dirty, 0, socket);
	if (!c->dirty) {
		dp_cache_destroy(c);
		return NULL;
	}
	return c;
}

void
dp_cache_destroy(struct dp_cache *c)
{
	if (!c)
		return;
	rte_free(c->fast.buckets);
	rte_free(c->fast.entries);
	rte_free(c->full.buckets);
	rte_free(c->full.entries);
	rte_free(c->dirty);
	rte_free(c);
}

uint32_t
dp_cache_hash(const struct dp_key *key)
{
	/* Four independent lanes: the multiply latency overlaps. */
	const uint64_t P = 0x9e3779b97f4a7c15ull;
	uint64_t a = 1, b = 2, c = 3, d = 4;
	size_t i = 0;

	for (; i + 4 <= DP_KEY_WORDS; i += 4) {
		a = (a ^ key->w[i]) * P;
		b = (b ^ key->w[i + 1]) * P;
		c = (c ^ key->w[i + 2]) * P;
		d = (d ^ key->w[i + 3]) * P;
	}
	for (; i < DP_KEY_WORDS; i++)
		a = (a ^ key->w[i]) * P;
	return dp_cache_hash_finish_(a ^ (b << 13 | b >> 51) ^ (c << 29 | c >> 35) ^
				     (d << 43 | d >> 21));
}

void
dp_cache_set_attr(struct dp_cache *c, dp_cache_attr_fn *fn, void *aux)
{
	c->attr = fn;
	c->attr_aux = aux;
}

/* The two buckets a key of hash hash may sit in (the same with one bucket). */
static inline uint32_t
bucket_of(const struct table *t, uint32_t hash)
{
	return hash & t->mask;
}

static inline uint32_t
alt_of(const struct table *t, uint32_t hash)
{
	return (hash ^ ((hash >> 16 | hash << 16) | 1u)) & t->mask;
}

static inline struct entry *
slot(const struct table *t, uint32_t i)
{
	return (struct entry *)(t->entries + (size_t)i * t->stride);
}

/* The ways of bk whose hash is hash, compared at once: a loop that stops at a random way
 * mispredicts a branch on most hits. */
static inline unsigned
match_ways(const struct bucket *bk, uint32_t hash)
{
	__m128i h = _mm_set1_epi32((int)hash);
	__m128i eq0 = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->hash), h);
	__m128i eq1 = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->hash + 1), h);

	return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq0)) |
	       (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq1)) << 4;
}

/* Counts n lookups, hits of them hits, in t's window; at the window's end, decides the
 * guard. A burst counts once (its lookups in locals: counters in memory would chain
 * every probe to the one before through a store and a load). */
static inline void
window(struct table *t, uint32_t n, uint32_t hits)
{
	t->win_lookups += n;
	t->win_hits += hits;
	if (t->win_lookups >= WINDOW) {
		/* Hysteresis: under the guard, entries churn slowly and the sampled hit rate
		 * overstates what full probing would get (100k flows cycling through 16k
		 * entries: 41% sampled, ~0% probing all), so only a clear majority of hits
		 * turns it off. */
		if (t->guard)
			t->guard = t->win_hits * 4 < t->win_lookups * 3;
		else
			t->guard = t->win_hits * 4 < t->win_lookups;
		t->win_lookups = t->win_hits = 0;
	}
}

/* Under the thrash guard, whether a packet probes, and (*fill) whether its miss fills. */
static inline bool
sample(struct dp_cache *c, struct table *t, bool *fill)
{
	/* Thrashing (more flows than entries): a probe would miss, most likely in memory
	 * far away, so only a sample of packets probes, to notice when hits come back.
	 * Which packets probe is random: a fixed stride aliases with cyclic traffic (every
	 * 32nd of 100k flows is always the same flow, so it always hits). */
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 17;
	t->rng ^= t->rng << 5;
	if ((t->rng & 31) != 0) {
		c->st.skipped++;
		*fill = false;
		return false;
	}
	/* And one miss in four of those fills: an insert evicts an entry whose counts go to
	 * rules far out of the caches, ~600 cycles (S2 100k), and under thrash the entries
	 * it makes rarely hit. A working set that fits comes back in full after 128 packets
	 * per entry, a few ms at line rate. */
	*fill = (t->rng & (3u << 5)) == 0;
	return true;
}

/* The entry of key in t under (br_uid, version), or NULL; counts nothing. Inlined per
 * key size so the compare loop is unrolled for it. */
static inline __attribute__((always_inline)) struct entry *
probe(const struct table *t, uint64_t br_uid, uint64_t version, const uint64_t *key,
      unsigned n_words, uint32_t hash)
{
	uint32_t b = bucket_of(t, hash), a = alt_of(t, hash);

	/* The first bucket, then (only there when the first overflowed) the second. */
	for (unsigned k = 0; k < 2; k++) {
		uint32_t bb = k ? a : b;
		unsigned ways = match_ways(&t->buckets[bb], hash);

		while (ways) {
			struct entry *e = slot(t, bb * WAYS + (unsigned)__builtin_ctz(ways));

			ways &= ways - 1;
			if (likely(e->version == version && e->br_uid == br_uid &&
				   dp_words_eq(e->key, key, n_words)))
				return e;
		}
		if (a == b)
			break;
	}
	return NULL;
}

/* One lookup, counted, under the thrash guard's sample. */
static inline __attribute__((always_inline)) struct dp_cache_entry *
lookup(struct dp_cache *c, struct table *t, uint64_t br_uid, uint64_t version, const uint64_t *key,
       unsigned n_words, uint32_t hash, bool *fill)
{
	*fill = true;
	if (t->guard && !sample(c, t, fill))
		return NULL;
	struct entry *e = probe(t, br_uid, version, key, n_words, hash);

	if (e) {
		c->st.hits++;
		window(t, 1, 1);
		return body(e, n_words);
	}
	c->st.misses++;
	window(t, 1, 0);
	return NULL;
}

static void
attribute(struct dp_cache *c, struct dp_cache_entry *e)
{
	if (c->attr)
		c->attr(c->attr_aux, e);
	e->packets = e->bytes = 0;
}

/* Whether a missing key of hash hash may take a live entry's way in bk (its other
 * bucket: other): only on its second miss, while bk remembers the first among its last
 * REFUSED refusals. Attack traffic of random headers (S9: 1% of packets, each a new
 * flow) would otherwise evict a cached flow with each packet, and each eviction costs the
 * evicted flow a table lookup and its own insert, which evicts again; flows that come
 * back (the working set) get in on their second packet. The memory is in the bucket's
 * line, which the insert reads anyway. */
static inline bool
admit(struct bucket *bk, const struct bucket *other, uint32_t hash)
{
	for (unsigned i = 0; i < REFUSED; i++)
		if (bk->refused[i] == hash || other->refused[i] == hash)
			return true;
	bk->refused[bk->refused_next] = hash;
	bk->refused_next = (uint8_t)((bk->refused_next + 1) % REFUSED);
	return false;
}

static inline __attribute__((always_inline)) struct dp_cache_entry *
insert(struct dp_cache *c, struct table *t, uint64_t br_uid, uint64_t version, const uint64_t *key,
       unsigned n_words, uint32_t hash, const struct dp_cache_path *path)
{
	uint32_t b = bucket_of(t, hash), a = alt_of(t, hash);
	struct bucket *bk = &t->buckets[b];
	unsigned victim;

	/* Already there (two packets of a new flow in one burst both missed)? Only ways
	 * whose hash matches are read: an insert touches the buckets and one entry. */
	for (unsigned k = 0; k < 2; k++) {
		uint32_t bb = k ? a : b;
		const struct bucket *x = &t->buckets[bb];

		for (unsigned i = 0; i < WAYS; i++) {
			struct entry *e = slot(t, bb * WAYS + i);

			if (x->hash[i] == hash && (x->used & (1u << i)) && e->version == version &&
			    e->br_uid == br_uid && dp_words_eq(e->key, key, n_words))
				return NULL;
		}
	}
	if (__builtin_popcount(bk->used) >= WAYS - 2 &&
	    __builtin_popcount(t->buckets[a].used) < __builtin_popcount(bk->used)) {
		b = a; /* the first bucket is nearly full and the other emptier */
		bk = &t->buckets[b];
	}
	if (bk->used != (1u << WAYS) - 1) {
		victim = (unsigned)__builtin_ctz(~(unsigned)bk->used);
		bk->used = (uint8_t)(bk->used | 1u << victim);
	} else {
		/* Full: round robin (stale entries, from an older version, go in turn). A
		 * live victim goes only for a key seen missing before. */
		victim = bk->next;
		const struct entry *v = slot(t, b * WAYS + victim);
		uint32_t other = b == a ? bucket_of(t, hash) : a;

		if (v->version == version && v->br_uid == br_uid &&
		    !admit(bk, &t->buckets[other], hash)) {
			c->st.refused++;
			return NULL;
		}
		bk->next = (uint8_t)((bk->next + 1) % WAYS);
	}
	struct entry *e = slot(t, b * WAYS + victim);
	struct dp_cache_entry *d = body(e, n_words);

	if (d->packets)
		attribute(c, d); /* its counts go to its path before it is overwritten */
	e->br_uid = br_uid;
	e->version = version;
	d->packets = d->bytes = d->used_tsc = 0;
	d->n_rules = path->n_rules;
	d->miss = path->miss;
	d->miss_table = path->miss_table;
	d->needs_key = path->needs_key;
	d->composed = false;
	memcpy(d->rules, path->rules, sizeof(path->rules[0]) * path->n_rules);
	memcpy(e->key, key, n_words * sizeof(uint64_t));
	bk->hash[victim] = hash;
	c->st.inserts++;
	return d;
}

/* Puts the entry whose body is d on the dirty list, as its index in its table. */
void
dp_cache_dirty_(struct dp_cache *c, struct dp_cache_entry *d)
{
	const uint8_t *p = (const uint8_t *)d;
	uint32_t idx;

	if ((uintptr_t)p - (uintptr_t)c->fast.entries <
	    (uintptr_t)(c->fast.mask + 1) * WAYS * c->fast.stride)
		idx = (uint32_t)(((uintptr_t)p - (uintptr_t)c->fast.entries) / FAST_STRIDE);
	else
		idx = (uint32_t)(((uintptr_t)p - (uintptr_t)c->full.entries) / FULL_STRIDE) |
		      FULL_BIT;
	if (unlikely(c->n_dirty == c->max_dirty))
		dp_cache_flush(c); /* duplicates of evicted entries filled it */
	c->dirty[c->n_dirty++] = idx;
}

unsigned
dp_cache_flush(struct dp_cache *c)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < c->n_dirty; i++) {
		uint32_t idx = c->dirty[i];
		struct dp_cache_entry *d =
			idx & FULL_BIT ? body(slot(&c->full, idx & ~FULL_BIT), DP_KEY_WORDS)
				       : body(slot(&c->fast, idx), DP_FKEY_WORDS);

		if (d->packets) {
			attribute(c, d);
			n++;
		}
	}
	c->n_dirty = 0;
	return n;
}

struct dp_cache_entry *
dp_cache_lookup(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash, bool *fill)
{
	return lookup(c, &c->full, br_uid, version, key->w, DP_KEY_WORDS, hash, fill);
}

struct dp_cache_entry *
dp_cache_insert(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash, const struct dp_cache_path *path)
{
	return insert(c, &c->full, br_uid, version, key->w, DP_KEY_WORDS, hash, path);
}

struct dp_cache_entry *
dp_cache_lookup_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
		     const struct dp_fkey *fk, uint32_t hash, bool *fill)
{
	return lookup(c, &c->fast, br_uid, version, fk->w, DP_FKEY_WORDS, hash, fill);
}

/* Prefetches what a probe of hash reads past its bucket (read here: prefetched a while
 * before): the first two lines of the entries whose hash matches, or the second bucket. */
static void
prefetch_entries(const struct dp_cache *c, uint32_t hash)
{
	const struct table *t = &c->fast;
	uint32_t b = bucket_of(t, hash);
	unsigned ways = match_ways(&t->buckets[b], hash);

	if (!ways) {
		/* Not in the first bucket: the second, for the probe. */
		rte_prefetch0(&t->buckets[alt_of(t, hash)]);
		return;
	}
	while (ways) {
		const uint8_t *e =
			(const uint8_t *)slot(t, b * WAYS + (unsigned)__builtin_ctz(ways));

		ways &= ways - 1;
		rte_prefetch0(e);
		rte_prefetch0(e + RTE_CACHE_LINE_SIZE);
	}
}

bool
dp_cache_guarded(const struct dp_cache *c)
{
	return c->fast.guard;
}

void
dp_cache_prefetch_bucket(const struct dp_cache *c, uint32_t hash)
{
	rte_prefetch0(&c->fast.buckets[bucket_of(&c->fast, hash)]);
}

uint32_t
dp_cache_sample_fast(struct dp_cache *c, uint32_t mask, uint32_t *fill)
{
	struct table *t = &c->fast;
	uint32_t probe = 0;

	*fill = mask;
	if (!t->guard)
		return mask;
	*fill = 0;
	for (uint32_t f = mask; f; f &= f - 1) {
		unsigned i = (unsigned)__builtin_ctz(f);
		bool fl;

		if (sample(c, t, &fl)) {
			probe |= 1u << i;
			*fill |= (uint32_t)fl << i;
		}
	}
	return probe;
}

uint32_t
dp_cache_lookup_fast_burst(struct dp_cache *c, uint64_t br_uid, uint64_t version,
			   const struct dp_fkey *fk, const uint32_t *hash, uint32_t mask,
			   struct dp_cache_entry **out)
{
	struct table *t = &c->fast;
	uint32_t fills = 0;

	for (uint32_t f = mask, last = 0, have = 0; f; f &= f - 1) {
		unsigned i = (unsigned)__builtin_ctz(f);

		if (have && hash[i] == last)
			continue; /* prefetched for the packet before */
		last = hash[i];
		have = 1;
		prefetch_entries(c, hash[i]);
	}
	int prev = -1;
	uint32_t hits = 0;

	for (uint32_t f = mask; f; f &= f - 1) {
		unsigned i = (unsigned)__builtin_ctz(f);

		/* Packets of one flow often come in a row: the entry found for the one before. */
		if (prev >= 0 && hash[i] == hash[prev] && out[prev] &&
		    dp_words_eq(fk[i].w, fk[prev].w, DP_FKEY_WORDS)) {
			out[i] = out[prev];
			hits++;
			continue;
		}
		struct entry *e = probe(t, br_uid, version, fk[i].w, DP_FKEY_WORDS, hash[i]);

		out[i] = e ? body(e, DP_FKEY_WORDS) : NULL;
		hits += e != NULL;
		fills |= (uint32_t)(e == NULL) << i;
		prev = (int)i;
	}
	uint32_t n = (uint32_t)__builtin_popcount(mask);

	c->st.hits += hits;
	c->st.misses += n - hits;
	window(t, n, hits);
	return fills;
}

struct dp_cache_entry *
dp_cache_insert_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
		     const struct dp_fkey *fk, uint32_t hash, const struct dp_cache_path *path)
{
	return insert(c, &c->fast, br_uid, version, fk->w, DP_FKEY_WORDS, hash, path);
}

void
dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *st)
{
	*st = c->st;
}
