/* Per-worker microflow cache (dp_cache.h): two 8-way set-associative tables, one keyed
 * by the 40-byte fast key, one by the full key. A bucket's hashes are kept apart from the
 * entries so a probe touches one line of hashes and then only entries whose hash
 * matches; a hit needs the key, bridge uid and version equal. A fast entry (stamp, path,
 * key) is exactly two cache lines.
 *
 * Hash: independent multiply-xor lanes over the key words (not CRC32: a serial chain of
 * CRC instructions over the 25 words of a full key costs more than the rest of a hit).
 *
 * Buckets of 8 ways: with 4, a working set at 60% of the entries left a tenth of the
 * buckets over-full, and cycling traffic missed on every flow in them.
 *
 * Replacement: an empty way first, else round robin within the bucket. */
#include <string.h>

#include <emmintrin.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dp_cache.h"

#define WAYS 8	    /* a bucket's hashes fill half a cache line */
#define WINDOW 1024 /* lookups per thrash-guard window */

/* Every entry starts with this; the key words follow. */
struct entry {
	uint64_t br_uid;
	uint64_t version;
	struct dp_cache_path path;
	uint64_t key[];
};

#define FAST_STRIDE (sizeof(struct entry) + sizeof(struct dp_fkey))
#define FULL_STRIDE (sizeof(struct entry) + sizeof(struct dp_key))
_Static_assert(FAST_STRIDE == 2 * RTE_CACHE_LINE_SIZE, "a fast entry is two cache lines");

struct bucket {
	uint32_t hash[WAYS];
	uint8_t next; /* round-robin victim */
	uint8_t used; /* bit per way holding an entry */
} __rte_cache_aligned;

struct table {
	uint32_t mask;	 /* buckets - 1 */
	uint32_t stride; /* bytes per entry */
	bool guard;	 /* thrash guard on: probe (and fill) for 1 packet in 32 */
	uint32_t win_lookups, win_hits;
	uint32_t rng; /* xorshift32 state: which packets probe under the guard */
	struct bucket *buckets;
	uint8_t *entries; /* [buckets * WAYS] of stride bytes */
};

struct dp_cache {
	struct table fast, full;
	struct dp_cache_stats st;
};

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
	rte_free(c);
}

static inline uint32_t
finish_hash(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ^ (uint32_t)(h >> 32);
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
	return finish_hash(a ^ (b << 13 | b >> 51) ^ (c << 29 | c >> 35) ^ (d << 43 | d >> 21));
}

uint32_t
dp_cache_fhash(const struct dp_fkey *fk)
{
	const uint64_t P = 0x9e3779b97f4a7c15ull;
	uint64_t a = (1 ^ fk->w[0]) * P, b = (2 ^ fk->w[1]) * P, c = (3 ^ fk->w[2]) * P;

	a = (a ^ fk->w[3]) * P;
	b = (b ^ fk->w[4]) * P;
	return finish_hash(a ^ (b << 21 | b >> 43) ^ (c << 42 | c >> 22));
}

static inline struct entry *
slot(const struct table *t, uint32_t i)
{
	return (struct entry *)(t->entries + (size_t)i * t->stride);
}

static inline __attribute__((always_inline)) bool
key_equal(const uint64_t *a, const uint64_t *b, unsigned n_words)
{
	uint64_t diff = 0;

#pragma GCC unroll 32
	for (unsigned i = 0; i < n_words; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static inline void
window(struct table *t, bool hit)
{
	t->win_lookups++;
	t->win_hits += hit;
	if (t->win_lookups == WINDOW) {
		/* Hysteresis: under the guard, entries churn slowly and the sampled hit rate
		 * overstates what full probing would get (100k flows cycling through 16k
		 * entries: 41% sampled, ~0% probing all), so only a clear majority of hits
		 * turns it off. */
		if (t->guard)
			t->guard = t->win_hits < WINDOW * 3 / 4;
		else
			t->guard = t->win_hits < WINDOW / 4;
		t->win_lookups = t->win_hits = 0;
	}
}

/* Inlined per key size so the compare loop is unrolled for it. */
static inline __attribute__((always_inline)) const struct dp_cache_path *
lookup(struct dp_cache *c, struct table *t, uint64_t br_uid, uint64_t version, const uint64_t *key,
       unsigned n_words, uint32_t hash, bool *fill)
{
	/* Thrashing (more flows than entries): a probe would miss, most likely in memory
	 * far away, so only a sample of packets probes, to notice when hits come back. */
	if (t->guard) {
		/* Which packets probe is random: a fixed stride aliases with cyclic traffic
		 * (every 32nd of 100k flows is always the same flow, so it always hits). */
		t->rng ^= t->rng << 13;
		t->rng ^= t->rng >> 17;
		t->rng ^= t->rng << 5;
		if ((t->rng & 31) != 0) {
			c->st.skipped++;
			*fill = false;
			return NULL;
		}
	}
	*fill = true;
	uint32_t b = hash & t->mask;
	const struct bucket *bk = &t->buckets[b];
	/* The ways whose hash matches, compared at once: a loop that stops at a random way
	 * mispredicts a branch on most hits. */
	__m128i h = _mm_set1_epi32((int)hash);
	__m128i eq0 = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->hash), h);
	__m128i eq1 = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)bk->hash + 1), h);
	unsigned ways = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq0)) |
			(unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq1)) << 4;

	while (ways) {
		unsigned i = (unsigned)__builtin_ctz(ways);
		const struct entry *e = slot(t, b * WAYS + i);

		ways &= ways - 1;
		if (likely(e->version == version && e->br_uid == br_uid &&
			   key_equal(e->key, key, n_words))) {
			c->st.hits++;
			window(t, true);
			return &e->path;
		}
	}
	c->st.misses++;
	window(t, false);
	return NULL;
}

static inline __attribute__((always_inline)) void
insert(struct dp_cache *c, struct table *t, uint64_t br_uid, uint64_t version, const uint64_t *key,
       unsigned n_words, uint32_t hash, const struct dp_cache_path *path)
{
	uint32_t b = hash & t->mask;
	struct bucket *bk = &t->buckets[b];
	unsigned victim;

	/* Already there (two packets of a new flow in one burst both missed)? Only ways
	 * whose hash matches are read: an insert touches the bucket and one entry. */
	for (unsigned i = 0; i < WAYS; i++) {
		const struct entry *e = slot(t, b * WAYS + i);

		if (bk->hash[i] == hash && (bk->used & (1u << i)) && e->version == version &&
		    e->br_uid == br_uid && key_equal(e->key, key, n_words))
			return;
	}
	if (bk->used != (1u << WAYS) - 1) {
		victim = (unsigned)__builtin_ctz(~(unsigned)bk->used);
		bk->used = (uint8_t)(bk->used | 1u << victim);
	} else {
		/* Full: round robin (stale entries, from an older version, go in turn). */
		victim = bk->next;
		bk->next = (uint8_t)((bk->next + 1) % WAYS);
	}
	struct entry *e = slot(t, b * WAYS + victim);

	e->br_uid = br_uid;
	e->version = version;
	e->path.n_rules = path->n_rules;
	e->path.miss = path->miss;
	e->path.miss_table = path->miss_table;
	e->path.needs_key = path->needs_key;
	memcpy(e->path.rules, path->rules, sizeof(path->rules[0]) * path->n_rules);
	memcpy(e->key, key, n_words * sizeof(uint64_t));
	bk->hash[victim] = hash;
	c->st.inserts++;
}

const struct dp_cache_path *
dp_cache_lookup(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash, bool *fill)
{
	return lookup(c, &c->full, br_uid, version, key->w, DP_KEY_WORDS, hash, fill);
}

void
dp_cache_insert(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash, const struct dp_cache_path *path)
{
	insert(c, &c->full, br_uid, version, key->w, DP_KEY_WORDS, hash, path);
}

const struct dp_cache_path *
dp_cache_lookup_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
		     const struct dp_fkey *fk, uint32_t hash, bool *fill)
{
	return lookup(c, &c->fast, br_uid, version, fk->w, DP_FKEY_WORDS, hash, fill);
}

void
dp_cache_prefetch_fast(const struct dp_cache *c, uint32_t hash, bool entries)
{
	const struct table *t = &c->fast;
	uint32_t b = hash & t->mask;

	if (t->guard)
		return;
	if (!entries) {
		rte_prefetch0(&t->buckets[b]);
		return;
	}
	for (unsigned i = 0; i < WAYS; i++)
		if (t->buckets[b].hash[i] == hash) {
			const uint8_t *e = (const uint8_t *)slot(t, b * WAYS + i);

			rte_prefetch0(e);
			rte_prefetch0(e + RTE_CACHE_LINE_SIZE);
		}
}

void
dp_cache_insert_fast(struct dp_cache *c, uint64_t br_uid, uint64_t version,
		     const struct dp_fkey *fk, uint32_t hash, const struct dp_cache_path *path)
{
	insert(c, &c->fast, br_uid, version, fk->w, DP_FKEY_WORDS, hash, path);
}

void
dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *st)
{
	*st = c->st;
}
