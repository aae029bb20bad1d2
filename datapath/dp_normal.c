/* MAC learning table (dp_normal.h): 4-way buckets of {address<<16 | slot+1, last seen}.
 * Hash: CRC32 of the address with a per-table random seed (getrandom() at creation, on
 * the control thread). Placement: the same address, else an empty or expired way; a
 * live way is never replaced by another address. The last-seen time is rewritten at
 * most every 1/16 of the aging time, so a busy flow does not keep its line bouncing
 * between workers. Per-slot entry counts (for max_per_port) change only when an address
 * is placed, moves or is removed, never per packet; races between workers can skew
 * them slightly, and the control thread's sweep recounts them every round: the count
 * it saw plus what changed meanwhile (an entry placed during the round where the sweep
 * had yet to pass is counted twice until the next round: the limit errs on the strict
 * side). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include <rte_branch_prediction.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dp_normal.h"

#define WAYS 4

struct slotent {
	uint64_t mac_slot; /* mac << 16 | (slot + 1); 0 = empty */
	uint64_t seen;
};

struct dp_normal {
	uint32_t mask;
	uint32_t seed;
	uint64_t aging;
	uint32_t max_per_port; /* 0 = no limit */
	struct slotent *e;     /* [(mask + 1) * WAYS] */
	uint32_t *n_slot;      /* [DP_NORMAL_MAX_SLOTS]: entries per slot (workers) */
	/* Control thread only: the sweep's position, its counts of the current round and
	 * n_slot as it was when the round began. */
	size_t sweep_pos;
	uint32_t *sweep_count; /* [2 * DP_NORMAL_MAX_SLOTS]: counts, then snapshot */
};

static uint32_t
random_seed(void)
{
	uint32_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	return (uint32_t)rte_rand();
}

struct dp_normal *
dp_normal_create(unsigned n_entries, uint64_t aging_tsc, unsigned max_per_port)
{
	unsigned nb = 1;
	struct dp_normal *t = rte_zmalloc("dp_normal", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (!t)
		return NULL;
	while (nb * WAYS < n_entries)
		nb <<= 1;
	t->mask = nb - 1;
	t->seed = random_seed();
	t->aging = aging_tsc ? aging_tsc : 1;
	t->max_per_port = max_per_port;
	t->e = rte_zmalloc("dp_normal_e", sizeof(struct slotent) * nb * WAYS, RTE_CACHE_LINE_SIZE);
	t->n_slot = rte_zmalloc("dp_normal_n", sizeof(uint32_t) * DP_NORMAL_MAX_SLOTS,
				RTE_CACHE_LINE_SIZE);
	t->sweep_count = rte_zmalloc("dp_normal_sc", sizeof(uint32_t) * 2 * DP_NORMAL_MAX_SLOTS, 0);
	if (!t->e || !t->n_slot || !t->sweep_count) {
		dp_normal_destroy(t);
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
	rte_free(t->n_slot);
	rte_free(t->sweep_count);
	rte_free(t);
}

uint32_t
dp_normal_seed(const struct dp_normal *t)
{
	return t->seed;
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
	return &t->e[(rte_hash_crc_8byte(mac, t->seed) & t->mask) * WAYS];
}

static inline bool
expired(const struct dp_normal *t, uint64_t seen, uint64_t now)
{
	return now - seen >= t->aging && now > seen;
}

static inline void
slot_inc(struct dp_normal *t, uint64_t ms)
{
	__atomic_fetch_add(&t->n_slot[(ms & 0xffff) - 1], 1, __ATOMIC_RELAXED);
}

static inline void
slot_dec(struct dp_normal *t, uint64_t ms)
{
	uint32_t *n = &t->n_slot[(ms & 0xffff) - 1];

	if (__atomic_load_n(n, __ATOMIC_RELAXED))
		__atomic_fetch_sub(n, 1, __ATOMIC_RELAXED);
}

static inline bool
slot_full(const struct dp_normal *t, uint16_t slot)
{
	return t->max_per_port &&
	       __atomic_load_n(&t->n_slot[slot], __ATOMIC_RELAXED) >= t->max_per_port;
}

int
dp_normal_learn(struct dp_normal *t, const uint8_t *mac, uint16_t slot, uint64_t now)
{
	uint64_t m = mac48(mac);
	uint64_t want = m << 16 | (uint64_t)(slot + 1);
	struct slotent *b = bucket(t, m);
	int free_way = -1;
	uint64_t old;

	for (unsigned i = 0; i < WAYS; i++) {
		uint64_t ms = __atomic_load_n(&b[i].mac_slot, __ATOMIC_RELAXED);
		uint64_t seen = __atomic_load_n(&b[i].seen, __ATOMIC_RELAXED);

		if (ms >> 16 == m && ms != 0) {
			if (likely(ms == want)) {
				if (now - seen > t->aging / 16)
					__atomic_store_n(&b[i].seen, now, __ATOMIC_RELAXED);
				return 0;
			}
			/* The address moved to another port. */
			if (slot_full(t, slot)) {
				if (__atomic_compare_exchange_n(&b[i].mac_slot, &ms, 0, false,
								__ATOMIC_RELAXED, __ATOMIC_RELAXED))
					slot_dec(t, ms);
				return -ENOSPC;
			}
			__atomic_store_n(&b[i].seen, now, __ATOMIC_RELAXED);
			__atomic_store_n(&b[i].mac_slot, want, __ATOMIC_RELAXED);
			slot_dec(t, ms);
			slot_inc(t, want);
			return 0;
		}
		if (free_way < 0 && (ms == 0 || expired(t, seen, now)))
			free_way = (int)i;
	}
	if (slot_full(t, slot))
		return -ENOSPC;
	if (free_way < 0)
		return -EBUSY;
	old = __atomic_load_n(&b[free_way].mac_slot, __ATOMIC_RELAXED);
	__atomic_store_n(&b[free_way].seen, now, __ATOMIC_RELAXED);
	__atomic_store_n(&b[free_way].mac_slot, want, __ATOMIC_RELAXED);
	if (old)
		slot_dec(t, old);
	slot_inc(t, want);
	return 0;
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

		if (expired(t, seen, now))
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
	__atomic_store_n(&t->n_slot[slot], 0, __ATOMIC_RELAXED);
	t->sweep_count[slot] = 0;
	t->sweep_count[DP_NORMAL_MAX_SLOTS + slot] = 0;
}

void
dp_normal_sweep(struct dp_normal *t, uint64_t now, unsigned max_entries)
{
	size_t n = (size_t)(t->mask + 1) * WAYS;
	uint32_t *start = t->sweep_count + DP_NORMAL_MAX_SLOTS;

	for (unsigned k = 0; k < max_entries; k++) {
		struct slotent *e = &t->e[t->sweep_pos];

		if (t->sweep_pos == 0)
			for (unsigned s = 0; s < DP_NORMAL_MAX_SLOTS; s++)
				start[s] = __atomic_load_n(&t->n_slot[s], __ATOMIC_RELAXED);
		uint64_t ms = __atomic_load_n(&e->mac_slot, __ATOMIC_RELAXED);
		uint64_t seen = __atomic_load_n(&e->seen, __ATOMIC_RELAXED);

		/* A worker refreshing or replacing the entry meanwhile wins the exchange. */
		if (ms && expired(t, seen, now) &&
		    __atomic_compare_exchange_n(&e->mac_slot, &ms, 0, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			ms = 0;
		if (ms)
			t->sweep_count[(ms & 0xffff) - 1]++;
		if (++t->sweep_pos < n)
			continue;
		/* End of a round: what it counted, plus the changes made meanwhile. */
		t->sweep_pos = 0;
		for (unsigned s = 0; s < DP_NORMAL_MAX_SLOTS; s++) {
			int64_t v = (int64_t)t->sweep_count[s] +
				    __atomic_load_n(&t->n_slot[s], __ATOMIC_RELAXED) - start[s];

			__atomic_store_n(&t->n_slot[s], v > 0 ? (uint32_t)v : 0, __ATOMIC_RELAXED);
			t->sweep_count[s] = 0;
		}
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

		if (ms && !expired(t, seen, now))
			live++;
	}
	return live;
}

unsigned
dp_normal_slot_count(const struct dp_normal *t, uint16_t slot)
{
	return __atomic_load_n(&t->n_slot[slot], __ATOMIC_RELAXED);
}

void
dp_normal_walk(const struct dp_normal *t, uint64_t now,
	       void (*cb)(const uint8_t *mac, uint16_t slot, uint64_t age, void *aux), void *aux)
{
	size_t n = (size_t)(t->mask + 1) * WAYS;

	for (size_t i = 0; i < n; i++) {
		uint64_t ms = __atomic_load_n(&t->e[i].mac_slot, __ATOMIC_RELAXED);
		uint64_t seen = __atomic_load_n(&t->e[i].seen, __ATOMIC_RELAXED);
		uint8_t mac[6];

		if (!ms || expired(t, seen, now))
			continue;
		for (int k = 0; k < 6; k++)
			mac[k] = (uint8_t)(ms >> (56 - 8 * k));
		cb(mac, (uint16_t)((ms & 0xffff) - 1), now > seen ? now - seen : 0, aux);
	}
}
