/* MAC learning table (dp_normal.h): 4-way buckets of {address<<16 | slot+1, last seen}.
 * Hash: CRC32 of the address. Replacement: the same address, else an empty or expired
 * way, else the least recently seen. The last-seen time is rewritten at most every
 * 1/16 of the aging time, so a busy flow does not keep its line bouncing between
 * workers. */
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dp_normal.h"

#define WAYS 4

struct slotent {
	uint64_t mac_slot; /* mac << 16 | (slot + 1); 0 = empty */
	uint64_t seen;
};

struct dp_normal {
	uint32_t mask;
	uint64_t aging;
	struct slotent *e; /* [(mask + 1) * WAYS] */
};

struct dp_normal *
dp_normal_create(unsigned n_entries, uint64_t aging_tsc)
{
	unsigned nb = 1;
	struct dp_normal *t = rte_zmalloc("dp_normal", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (!t)
		return NULL;
	while (nb * WAYS < n_entries)
		nb <<= 1;
	t->mask = nb - 1;
	t->aging = aging_tsc ? aging_tsc : 1;
	t->e = rte_zmalloc("dp_normal_e", sizeof(struct slotent) * nb * WAYS, RTE_CACHE_LINE_SIZE);
	if (!t->e) {
		rte_free(t);
		return NULL;
	}
	return t;
}

void
dp_normal_destroy(struct dp_normal *t)
{
	if (!t)
		return;
	rte_free(t->e);
	rte_free(t);
}

static inline uint64_t
mac48(const uint8_t *m)
{
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 |
	       (uint64_t)m[3] << 16 | (uint64_t)m[4] << 8 | m[5];
}

static inline struct slotent *
bucket(const struct dp_normal *t, uint64_t mac)
{
	return &t->e[(rte_hash_crc_8byte(mac, 0) & t->mask) * WAYS];
}

void
dp_normal_learn(struct dp_normal *t, const uint8_t *mac, uint16_t slot, uint64_t now)
{
	uint64_t m = mac48(mac);
	uint64_t want = m << 16 | (uint64_t)(slot + 1);
	struct slotent *b = bucket(t, m);
	unsigned victim = 0;
	uint64_t oldest = UINT64_MAX;

	for (unsigned i = 0; i < WAYS; i++) {
		uint64_t ms = __atomic_load_n(&b[i].mac_slot, __ATOMIC_RELAXED);
		uint64_t seen = __atomic_load_n(&b[i].seen, __ATOMIC_RELAXED);

		if (ms >> 16 == m && ms != 0) {
			if (ms != want)
				__atomic_store_n(&b[i].mac_slot, want, __ATOMIC_RELAXED);
			if (ms != want || now - seen > t->aging / 16)
				__atomic_store_n(&b[i].seen, now, __ATOMIC_RELAXED);
			return;
		}
		uint64_t age_key = (ms == 0 || now - seen >= t->aging) ? 0 : seen;

		if (age_key < oldest) {
			oldest = age_key;
			victim = i;
		}
	}
	__atomic_store_n(&b[victim].seen, now, __ATOMIC_RELAXED);
	__atomic_store_n(&b[victim].mac_slot, want, __ATOMIC_RELAXED);
}

int
dp_normal_lookup(const struct dp_normal *t, const uint8_t *mac, uint64_t now)
{
	uint64_t m = mac48(mac);
	const struct slotent *b = bucket(t, m);

	for (unsigned i = 0; i < WAYS; i++) {
		uint64_t ms = __atomic_load_n(&b[i].mac_slot, __ATOMIC_RELAXED);

		if (ms == 0 || ms >> 16 != m)
			continue;
		uint64_t seen = __atomic_load_n(&b[i].seen, __ATOMIC_RELAXED);

		if (now - seen >= t->aging && now > seen)
			return -1;
		return (int)(ms & 0xffff) - 1;
	}
	return -1;
}

void
dp_normal_flush_slot(struct dp_normal *t, uint16_t slot)
{
	size_t n = (size_t)(t->mask + 1) * WAYS;

	for (size_t i = 0; i < n; i++) {
		uint64_t ms = __atomic_load_n(&t->e[i].mac_slot, __ATOMIC_RELAXED);

		if (ms && (ms & 0xffff) == (uint64_t)slot + 1)
			__atomic_store_n(&t->e[i].mac_slot, 0, __ATOMIC_RELAXED);
	}
}

unsigned
dp_normal_count(const struct dp_normal *t, uint64_t now)
{
	size_t n = (size_t)(t->mask + 1) * WAYS;
	unsigned live = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t ms = __atomic_load_n(&t->e[i].mac_slot, __ATOMIC_RELAXED);
		uint64_t seen = __atomic_load_n(&t->e[i].seen, __ATOMIC_RELAXED);

		if (ms && !(now - seen >= t->aging && now > seen))
			live++;
	}
	return live;
}
