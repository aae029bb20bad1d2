/* Per-worker microflow cache (dp_cache.h): 4-way set-associative, a bucket's hashes kept
 * apart from the entries so a probe touches one line of hashes and then only entries whose
 * hash matches; a hit needs the full key, bridge uid and version equal.
 *
 * Hash: four-lane multiply-xor over the key words (not CRC32: a serial chain of 25 CRC
 * instructions costs more than the rest of a hit).
 *
 * Replacement: an empty or stale way first, else round robin within the bucket. */
#include <string.h>

#include <rte_malloc.h>

#include "dp_cache.h"

#define WAYS 4
#define WINDOW 1024 /* lookups per thrash-guard window */

struct entry {
	uint64_t br_uid;
	uint64_t version;
	struct dp_cache_path path;
	struct dp_key key;
};

struct bucket {
	uint32_t hash[WAYS];
	uint8_t next; /* round-robin victim */
};

struct dp_cache {
	uint32_t mask; /* buckets - 1 */
	bool guard;    /* thrash guard on: insert 1 miss in 16 */
	uint32_t win_lookups, win_hits, skip_ctr;
	struct dp_cache_stats st;
	struct bucket *buckets;
	struct entry *entries; /* [buckets * WAYS] */
};

struct dp_cache *
dp_cache_create(unsigned n_entries, int socket)
{
	unsigned nb = 1;
	struct dp_cache *c;

	while (nb * WAYS < n_entries)
		nb <<= 1;
	c = rte_zmalloc_socket("dp_cache", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);
	if (!c)
		return NULL;
	c->mask = nb - 1;
	c->buckets = rte_zmalloc_socket("dp_cache_b", sizeof(struct bucket) * nb,
					RTE_CACHE_LINE_SIZE, socket);
	c->entries = rte_zmalloc_socket("dp_cache_e", sizeof(struct entry) * nb * WAYS,
					RTE_CACHE_LINE_SIZE, socket);
	if (!c->buckets || !c->entries) {
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
	rte_free(c->buckets);
	rte_free(c->entries);
	rte_free(c);
}

uint32_t
dp_cache_hash(const struct dp_key *key)
{
	/* Four independent multiply-xor lanes (the CRC32 instruction chain over 25 words
	 * is latency-bound), folded at the end with a 64-bit finaliser. */
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
	uint64_t h = a ^ (b << 13 | b >> 51) ^ (c << 29 | c >> 35) ^ (d << 43 | d >> 21);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h ^ (uint32_t)(h >> 32);
}

static inline bool
key_equal(const struct dp_key *a, const struct dp_key *b)
{
	uint64_t diff = 0;

	for (size_t i = 0; i < DP_KEY_WORDS; i++)
		diff |= a->w[i] ^ b->w[i];
	return diff == 0;
}

static void
window(struct dp_cache *c, bool hit)
{
	c->win_lookups++;
	c->win_hits += hit;
	if (c->win_lookups == WINDOW) {
		c->guard = c->win_hits < WINDOW / 4;
		c->win_lookups = c->win_hits = 0;
	}
}

const struct dp_cache_path *
dp_cache_lookup(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash)
{
	uint32_t b = hash & c->mask;
	const struct bucket *bk = &c->buckets[b];

	for (unsigned i = 0; i < WAYS; i++) {
		if (bk->hash[i] != hash)
			continue;
		const struct entry *e = &c->entries[b * WAYS + i];

		if (e->version == version && e->br_uid == br_uid && key_equal(&e->key, key)) {
			c->st.hits++;
			window(c, true);
			return &e->path;
		}
	}
	c->st.misses++;
	window(c, false);
	return NULL;
}

bool
dp_cache_insert(struct dp_cache *c, uint64_t br_uid, uint64_t version, const struct dp_key *key,
		uint32_t hash, const struct dp_cache_path *path)
{
	if (c->guard && (++c->skip_ctr & 15) != 0) {
		c->st.skipped++;
		return false;
	}
	uint32_t b = hash & c->mask;
	struct bucket *bk = &c->buckets[b];
	unsigned victim = WAYS;

	for (unsigned i = 0; i < WAYS; i++) {
		const struct entry *e = &c->entries[b * WAYS + i];

		if (e->version == 0 || e->version != version || e->br_uid != br_uid) {
			victim = i; /* empty, or stale for this bridge, or another bridge's */
			if (e->version == 0 || e->br_uid == br_uid)
				break;
		}
	}
	if (victim == WAYS) {
		victim = bk->next;
		bk->next = (uint8_t)((bk->next + 1) % WAYS);
	}
	struct entry *e = &c->entries[b * WAYS + victim];

	e->br_uid = br_uid;
	e->version = version;
	e->path.n_rules = path->n_rules;
	e->path.miss = path->miss;
	e->path.miss_table = path->miss_table;
	memcpy(e->path.rules, path->rules, sizeof(path->rules[0]) * path->n_rules);
	e->key = *key;
	bk->hash[victim] = hash;
	c->st.inserts++;
	return true;
}

void
dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *st)
{
	*st = c->st;
}
