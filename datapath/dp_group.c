/* Groups and meters: compilation, the per-bridge staged tables and their publication,
 * bucket choice (select hash, fast-failover liveness) and the meters' shared token
 * buckets (GCRA on one 64-bit word per band, compare-and-swap). See dp_group.h.
 * Bucket execution lives in dp_pipeline.c. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "dp_group.h"
#include "idtable.h"
#include "util.h"

/* ---- Counters ------------------------------------------------------------------------ */

static struct dp_gcount *
counters_alloc(size_t n)
{
	size_t sz = (n ? n : 1) * sizeof(struct dp_gcount);
	void *p;

	sz = (sz + 63) & ~(size_t)63;
	p = aligned_alloc(64, sz);
	if (p)
		memset(p, 0, sz);
	return p;
}

static inline struct dp_gcount *
wslot(struct dp_gcount *ws, unsigned worker)
{
	return &ws[(size_t)worker * DP_GCOUNT_STRIDE];
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- Groups --------------------------------------------------------------------------- */

static inline uint32_t
fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The key fields a select group spreads on: addresses, VLAN, protocol and ports at
 * L2/L3/L4 (and ARP's addresses, so ARP spreads too). */
#define HASH_FIELD(F)                                                                              \
	{                                                                                          \
		offsetof(struct ofp_match_values, F), sizeof(((struct ofp_match_values *)0)->F)    \
	}
static const struct {
	uint16_t ofs, len;
} hash_fields[] = {
	HASH_FIELD(eth_dst),  HASH_FIELD(eth_src),  HASH_FIELD(eth_type), HASH_FIELD(vlan_vid),
	HASH_FIELD(ip_proto), HASH_FIELD(ipv4_src), HASH_FIELD(ipv4_dst), HASH_FIELD(tcp_src),
	HASH_FIELD(tcp_dst),  HASH_FIELD(udp_src),  HASH_FIELD(udp_dst),  HASH_FIELD(sctp_src),
	HASH_FIELD(sctp_dst), HASH_FIELD(ipv6_src), HASH_FIELD(ipv6_dst), HASH_FIELD(arp_spa),
	HASH_FIELD(arp_tpa),
};
#undef HASH_FIELD

uint32_t
dp_group_hash(const struct dp_key *key)
{
	const uint8_t *f = (const uint8_t *)&key->f;
	uint64_t w[11]; /* aligned copy: the fields sit at odd offsets in the key */
	uint8_t *p = (uint8_t *)w;
	size_t n = 0;

	memset(w, 0, sizeof(w));
	for (size_t i = 0; i < ARRAY_SIZE(hash_fields); i++) {
		memcpy(p + n, f + hash_fields[i].ofs, hash_fields[i].len);
		n += hash_fields[i].len;
	}
	return fmix32(rte_hash_crc(w, (uint32_t)((n + 7) & ~(size_t)7), 0x5bd1e995u));
}

static int
gerr(struct ofp_err *err, int rc, uint16_t code)
{
	ofp_err_set(err, OFPET_GROUP_MOD_FAILED, code);
	return rc;
}

/* Weighted slot table: bucket i gets weight_i / sum of DP_GROUP_SLOTS slots (largest
 * remainder), interleaved so neighbouring hashes spread. */
static uint16_t *
build_slots(const struct dp_group *g)
{
	uint64_t total = 0;
	unsigned cnt[DP_GROUP_MAX_BUCKETS], left = DP_GROUP_SLOTS;
	uint64_t rem[DP_GROUP_MAX_BUCKETS];
	uint16_t *slots;

	for (unsigned i = 0; i < g->n_buckets; i++)
		total += g->b[i].weight;
	if (!total)
		return NULL;
	slots = malloc(DP_GROUP_SLOTS * sizeof(*slots));
	if (!slots)
		return NULL;
	for (unsigned i = 0; i < g->n_buckets; i++) {
		uint64_t x = (uint64_t)g->b[i].weight * DP_GROUP_SLOTS;

		cnt[i] = (unsigned)(x / total);
		rem[i] = x % total;
		left -= cnt[i];
	}
	while (left) { /* largest remainders first */
		unsigned best = 0;

		for (unsigned i = 1; i < g->n_buckets; i++)
			if (rem[i] > rem[best])
				best = i;
		cnt[best]++;
		rem[best] = 0;
		left--;
	}
	/* Deal the slots out round-robin over the buckets that still have some. */
	unsigned k = 0;

	while (k < DP_GROUP_SLOTS)
		for (unsigned i = 0; i < g->n_buckets && k < DP_GROUP_SLOTS; i++)
			if (cnt[i]) {
				cnt[i]--;
				slots[k++] = (uint16_t)i;
			}
	return slots;
}

void
dp_group_free(struct dp_group *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < g->n_buckets; i++)
		dp_prog_free(g->b[i].prog);
	free(g->bws);
	free(g->slots);
	free(g);
}

int
dp_group_compile(const struct dp_group_spec *spec, unsigned n_workers, struct dp_group **out,
		 struct ofp_err *err)
{
	struct dp_group *g;
	int rc;

	*out = NULL;
	if (spec->type > OFPGT_FF)
		return gerr(err, -EINVAL, OFPGMFC_BAD_TYPE);
	if (spec->group_id > OFPG_MAX)
		return gerr(err, -EINVAL, OFPGMFC_INVALID_GROUP);
	if (spec->n_buckets > DP_GROUP_MAX_BUCKETS)
		return gerr(err, -ENOSPC, OFPGMFC_OUT_OF_BUCKETS);
	if (spec->type == OFPGT_INDIRECT && spec->n_buckets != 1)
		return gerr(err, -EINVAL, OFPGMFC_INVALID_GROUP);
	g = calloc(1, sizeof(*g) + spec->n_buckets * sizeof(g->b[0]));
	if (!g)
		return -ENOMEM;
	g->id = spec->group_id;
	g->type = spec->type;
	g->n_buckets = (uint16_t)spec->n_buckets;
	g->live = -1; /* until dp_gm_liveness() */
	g->bws = counters_alloc((size_t)n_workers * (spec->n_buckets ? spec->n_buckets : 1));
	if (!g->bws)
		goto nomem;
	for (unsigned i = 0; i < spec->n_buckets; i++) {
		const struct dp_bucket_spec *bs = &spec->buckets[i];
		static const struct ofp_action_list empty;

		rc = dp_prog_compile_actions(bs->actions ? bs->actions : &empty, DP_PROG_AS_SET,
					     &g->b[i].prog, err);
		if (rc < 0) {
			dp_group_free(g);
			return rc;
		}
		g->b[i].watch_port = bs->watch_port;
		g->b[i].watch_group = bs->watch_group;
		g->b[i].weight = spec->type == OFPGT_SELECT ? bs->weight : 0;
	}
	if (g->type == OFPGT_SELECT && g->n_buckets) {
		g->slots = build_slots(g);
		bool any = false;

		for (unsigned i = 0; i < g->n_buckets; i++)
			any |= g->b[i].weight != 0;
		if (any && !g->slots)
			goto nomem;
	}
	*out = g;
	return 0;

nomem:
	dp_group_free(g);
	return -ENOMEM;
}

/* ---- Meters --------------------------------------------------------------------------- */

static int
merr(struct ofp_err *err, int rc, uint16_t code)
{
	ofp_err_set(err, OFPET_METER_MOD_FAILED, code);
	return rc;
}

static uint64_t
clamp62(unsigned __int128 x)
{
	return x > ((unsigned __int128)1 << 62) ? (uint64_t)1 << 62 : (uint64_t)x;
}

void
dp_meter_free(struct dp_meter *m)
{
	if (!m)
		return;
	free(m->bws);
	free(m);
}

static int
band_cmp(const void *a, const void *b)
{
	const struct dp_mband *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return (int)x->index - (int)y->index;
}

int
dp_meter_compile(const struct dp_meter_spec *spec, uint64_t hz, unsigned n_workers,
		 struct dp_meter **out, struct ofp_err *err)
{
	struct dp_meter *m;
	uint64_t hz_t = hz << DP_METER_TICK_SHIFT;

	*out = NULL;
	if (spec->meter_id == 0 || (spec->meter_id > OFPM_MAX && spec->meter_id != OFPM_SLOWPATH &&
				    spec->meter_id != OFPM_CONTROLLER))
		return merr(err, -EINVAL, OFPMMFC_INVALID_METER);
	if ((spec->flags & ~(OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS)) ||
	    ((spec->flags & OFPMF_KBPS) && (spec->flags & OFPMF_PKTPS)))
		return merr(err, -EINVAL, OFPMMFC_BAD_FLAGS);
	if (spec->n_bands > DP_METER_MAX_BANDS)
		return merr(err, -ENOSPC, OFPMMFC_OUT_OF_BANDS);
	for (unsigned i = 0; i < spec->n_bands; i++) {
		const struct dp_meter_band_spec *bs = &spec->bands[i];

		if (bs->type != OFPMBT_DROP && bs->type != OFPMBT_DSCP_REMARK)
			return merr(err, -EINVAL, OFPMMFC_BAD_BAND);
		if (bs->rate == 0)
			return merr(err, -EINVAL, OFPMMFC_BAD_RATE);
		if (bs->type == OFPMBT_DSCP_REMARK && bs->prec_level > 63)
			return merr(err, -EINVAL, OFPMMFC_BAD_BAND_VALUE);
	}
	m = aligned_alloc(64, (sizeof(*m) + spec->n_bands * sizeof(m->band[0]) + 63) & ~(size_t)63);
	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m) + spec->n_bands * sizeof(m->band[0]));
	m->id = spec->meter_id;
	m->flags = spec->flags;
	m->n_bands = (uint8_t)spec->n_bands;
	m->pktps = (spec->flags & OFPMF_PKTPS) != 0;
	m->bws = counters_alloc((size_t)n_workers * (spec->n_bands ? spec->n_bands : 1));
	if (!m->bws) {
		free(m);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < spec->n_bands; i++) {
		const struct dp_meter_band_spec *bs = &spec->bands[i];
		struct dp_mband *b = &m->band[i];
		unsigned __int128 inc;

		b->type = bs->type;
		b->prec_level = bs->prec_level;
		b->index = (uint8_t)i;
		b->rate = bs->rate;
		if (m->pktps) /* ticks per packet */
			inc = (unsigned __int128)hz_t / bs->rate;
		else /* ticks per byte: 8 bits at rate * 1000 b/s */
			inc = (unsigned __int128)hz_t * 8 / ((uint64_t)bs->rate * 1000);
		b->inc = inc ? clamp62(inc) : 1;
		if ((spec->flags & OFPMF_BURST) && bs->burst_size)
			b->tau = clamp62((unsigned __int128)b->inc * bs->burst_size *
					 (m->pktps ? 1 : 125));
		else
			b->tau = hz_t / 10; /* 100 ms of the rate */
	}
	qsort(m->band, m->n_bands, sizeof(m->band[0]), band_cmp);
	*out = m;
	return 0;
}

int
dp_meter_apply(struct dp_meter *m, unsigned worker, uint64_t now_tsc, uint32_t len)
{
	uint64_t now = now_tsc << DP_METER_TICK_SHIFT;
	struct dp_gcount *c = wslot(m->st->ws, worker);
	uint64_t units = m->pktps ? 1 : len;
	int hit = -1;

	c->packets++;
	c->bytes += len;
	for (unsigned i = 0; i < m->n_bands; i++) {
		struct dp_mband *b = &m->band[i];
		uint64_t cost = units * b->inc;
		uint64_t tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);

		for (;;) {
			uint64_t base = (int64_t)(tat - now) > 0 ? tat : now;

			if ((int64_t)(base - now) > (int64_t)b->tau) {
				if (hit < 0)
					hit = (int)i;
				break;
			}
			if (__atomic_compare_exchange_n(&b->tat, &tat, base + cost, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		}
	}
	if (hit >= 0) {
		struct dp_gcount *bc = &m->bws[(size_t)worker * m->n_bands + m->band[hit].index];

		bc->packets++;
		bc->bytes += len;
	}
	return hit;
}

int
dp_meter_peek(const struct dp_meter *m, uint64_t now_tsc, uint32_t len)
{
	uint64_t now = now_tsc << DP_METER_TICK_SHIFT;

	for (unsigned i = 0; i < m->n_bands; i++) {
		const struct dp_mband *b = &m->band[i];
		uint64_t tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
		uint64_t base = (int64_t)(tat - now) > 0 ? tat : now;

		if ((int64_t)(base - now) > (int64_t)b->tau)
			return (int)i;
	}
	(void)len;
	return -1;
}

/* ---- Per-bridge tables ---------------------------------------------------------------- */

/* What differs between the staged groups and the staged meters. */
struct kind {
	size_t st_ofs;			/* offsetof the object's struct dp_gstat * */
	void (*obj_free)(void *);	/* dp_group_free() or dp_meter_free() */
	uint32_t max;			/* objects per bridge */
	uint8_t err_type;		/* OFPET_GROUP_MOD_FAILED or OFPET_METER_MOD_FAILED */
	uint16_t exists, unknown, full; /* its codes for stage_check() */
	/* dp_group_compile() or dp_meter_compile() with this bridge's settings */
	int (*compile)(const void *spec, void **out, struct ofp_err *err);
};

static unsigned n_workers(void);

static int
group_compile_any(const void *spec, void **out, struct ofp_err *err)
{
	return dp_group_compile(spec, n_workers(), (struct dp_group **)out, err);
}

static int
meter_compile_any(const void *spec, void **out, struct ofp_err *err)
{
	return dp_meter_compile(spec, dp_g.tsc_hz ? dp_g.tsc_hz : 1000000000ull, n_workers(),
				(struct dp_meter **)out, err);
}

static void
group_free_any(void *g)
{
	dp_group_free(g);
}

static void
meter_free_any(void *m)
{
	dp_meter_free(m);
}

static const struct kind group_kind = {
	offsetof(struct dp_group, st), group_free_any,	     DP_GROUP_MAX_GROUPS,
	OFPET_GROUP_MOD_FAILED,	       OFPGMFC_GROUP_EXISTS, OFPGMFC_UNKNOWN_GROUP,
	OFPGMFC_OUT_OF_GROUPS,	       group_compile_any,
};
static const struct kind meter_kind = {
	offsetof(struct dp_meter, st), meter_free_any,	     DP_METER_MAX_METERS,
	OFPET_METER_MOD_FAILED,	       OFPMMFC_METER_EXISTS, OFPMMFC_UNKNOWN_METER,
	OFPMMFC_OUT_OF_METERS,	       meter_compile_any,
};

/* One kind's staged view: the objects by id (dirty: not yet published) and the
 * replaced or deleted objects the workers may still see until the next publication.
 * A deleted object is retired with its stats: its pointer is tagged in bit 0. */
struct stage {
	const struct kind *k;
	struct idtable t;
	void **old;
	size_t n_old, cap_old;
};

struct dp_gm {
	struct stage groups, meters;
};

static struct dp_gstat **
st_of(const struct kind *k, void *obj)
{
	return (struct dp_gstat **)((char *)obj + k->st_ofs);
}

static void
gstat_free(struct dp_gstat *st)
{
	if (st) {
		free(st->ws);
		free(st);
	}
}

static void
old_free(const struct kind *k, void *tagged)
{
	uintptr_t p = (uintptr_t)tagged;
	void *obj = (void *)(p & ~(uintptr_t)1);

	if (p & 1)
		gstat_free(*st_of(k, obj));
	k->obj_free(obj);
}

static int
push_old(struct stage *s, void *tagged)
{
	if (s->n_old == s->cap_old) {
		size_t c = s->cap_old ? s->cap_old * 2 : 16;
		void **v = realloc(s->old, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->old = v;
		s->cap_old = c;
	}
	s->old[s->n_old++] = tagged;
	return 0;
}

static struct dp_gm *
gm_get(struct dp_bridge *br)
{
	if (!br->gm) {
		br->gm = calloc(1, sizeof(*br->gm));
		if (br->gm) {
			br->gm->groups.k = &group_kind;
			br->gm->meters.k = &meter_kind;
		}
	}
	return br->gm;
}

static unsigned
n_workers(void)
{
	return dp_g.n_workers ? dp_g.n_workers : 1;
}

/* Checks that id may be added (modify false) or modified in s: 0 with *at and *found,
 * or -EEXIST/-ENOENT/-ENOSPC with the kind's code in *err. */
static int
stage_check(const struct stage *s, uint32_t id, bool modify, size_t *at, bool *found,
	    struct ofp_err *err)
{
	const struct kind *k = s->k;

	int rc = 0;
	uint16_t code = 0;

	*at = idtable_find(&s->t, id, found);
	if (*found && !modify)
		rc = -EEXIST, code = k->exists;
	else if (!*found && modify)
		rc = -ENOENT, code = k->unknown;
	else if (!*found && s->t.n >= k->max)
		rc = -ENOSPC, code = k->full;
	if (rc)
		ofp_err_set(err, k->err_type, code);
	return rc;
}

/* Stages obj (compiled, no stats yet) at index at: it replaces the object there (found;
 * the stats carry over) or is inserted with new stats. 0, or -ENOMEM (obj freed). */
static int
stage_put(struct stage *s, size_t at, bool found, void *obj)
{
	const struct kind *k = s->k;
	struct dp_gstat **st = st_of(k, obj);

	if (found) {
		void *old = s->t.v[at];

		if (push_old(s, old) < 0)
			goto nomem;
		*st = *st_of(k, old);
		s->t.v[at] = obj;
		s->t.dirty = true;
		return 0;
	}
	*st = calloc(1, sizeof(**st));
	if (*st)
		(*st)->ws = counters_alloc((size_t)n_workers() * DP_GCOUNT_STRIDE);
	if (!*st || !(*st)->ws || idtable_insert(&s->t, at, obj) < 0) {
		gstat_free(*st);
		goto nomem;
	}
	(*st)->created_ns = now_ns();
	return 0;

nomem:
	k->obj_free(obj);
	return -ENOMEM;
}

/* Adds (modify false) or modifies object id from spec in br's stage s (NULL: no memory).
 * 0, -ENOMEM, or stage_check()'s and the compiler's errors with *err. */
static int
stage_add(struct dp_bridge *br, struct stage *s, uint32_t id, const void *spec, bool modify,
	  struct ofp_err *err)
{
	void *obj;
	bool found;
	size_t at;
	int rc;

	if (!s)
		return -ENOMEM;
	rc = stage_check(s, id, modify, &at, &found, err);
	if (rc < 0)
		return rc;
	rc = s->k->compile(spec, &obj, err);
	if (rc < 0)
		return rc;
	rc = stage_put(s, at, found, obj);
	if (rc < 0)
		return rc;
	br->staged = true;
	return 0;
}

static int
stage_del_at(struct stage *s, size_t at)
{
	if (push_old(s, (void *)((uintptr_t)s->t.v[at] | 1)) < 0)
		return -ENOMEM;
	idtable_remove(&s->t, at);
	return 0;
}

/* Stages the deletion of id (all: every object). 0, -ENOENT or -ENOMEM. */
static int
stage_del(struct dp_bridge *br, struct stage *s, uint32_t id, bool all)
{
	bool found;
	size_t at;

	if (all) {
		while (s->t.n)
			if (stage_del_at(s, s->t.n - 1) < 0)
				return -ENOMEM;
		br->staged = true;
		return 0;
	}
	at = idtable_find(&s->t, id, &found);
	if (!found)
		return -ENOENT;
	if (stage_del_at(s, at) < 0)
		return -ENOMEM;
	br->staged = true;
	return 0;
}

static void
stage_destroy(struct stage *s)
{
	for (size_t i = 0; i < s->n_old; i++)
		old_free(s->k, s->old[i]);
	for (size_t i = 0; i < s->t.n; i++)
		old_free(s->k, (void *)((uintptr_t)s->t.v[i] | 1));
	free(s->old);
	idtable_clear(&s->t);
}

/* Sums the per-worker counters of the object's stats (packets, bytes, age). */
static void
stat_sum(const struct dp_gstat *gs, uint64_t *packets, uint64_t *bytes, uint64_t *age_ns)
{
	*packets = *bytes = 0;
	*age_ns = now_ns() - gs->created_ns;
	for (unsigned w = 0; w < n_workers(); w++) {
		const struct dp_gcount *c = wslot(gs->ws, w);

		*packets += __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
		*bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
	}
}

/* Sums n per-worker rows of counters [n_workers][n] into packets[n], bytes[n]. */
static void
rows_sum(const struct dp_gcount *rows, unsigned n, uint64_t *packets, uint64_t *bytes)
{
	for (unsigned w = 0; w < n_workers(); w++)
		for (unsigned i = 0; i < n; i++) {
			const struct dp_gcount *b = &rows[(size_t)w * n + i];

			packets[i] += __atomic_load_n(&b->packets, __ATOMIC_RELAXED);
			bytes[i] += __atomic_load_n(&b->bytes, __ATOMIC_RELAXED);
		}
}

int
dp_group_add(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err)
{
	if (!br || !spec)
		return -EINVAL;
	return stage_add(br, gm_get(br) ? &br->gm->groups : NULL, spec->group_id, spec, false, err);
}

int
dp_group_modify(struct dp_bridge *br, const struct dp_group_spec *spec, struct ofp_err *err)
{
	if (!br || !spec)
		return -EINVAL;
	return stage_add(br, gm_get(br) ? &br->gm->groups : NULL, spec->group_id, spec, true, err);
}

int
dp_group_delete(struct dp_bridge *br, uint32_t group_id)
{
	if (!br || !br->gm)
		return -ENOENT;
	return stage_del(br, &br->gm->groups, group_id, group_id == OFPG_ALL);
}

int
dp_group_get_stats(const struct dp_bridge *br, uint32_t group_id, struct dp_group_stats *st)
{
	const struct dp_group *g =
		br && br->gm ? idtable_lookup(&br->gm->groups.t, group_id) : NULL;

	if (!g)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->n_buckets = g->n_buckets;
	stat_sum(g->st, &st->packets, &st->bytes, &st->duration_ns);
	rows_sum(g->bws, g->n_buckets, st->bucket_packets, st->bucket_bytes);
	return 0;
}

int
dp_meter_add(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err)
{
	if (!br || !spec)
		return -EINVAL;
	return stage_add(br, gm_get(br) ? &br->gm->meters : NULL, spec->meter_id, spec, false, err);
}

int
dp_meter_modify(struct dp_bridge *br, const struct dp_meter_spec *spec, struct ofp_err *err)
{
	if (!br || !spec)
		return -EINVAL;
	return stage_add(br, gm_get(br) ? &br->gm->meters : NULL, spec->meter_id, spec, true, err);
}

int
dp_meter_delete(struct dp_bridge *br, uint32_t meter_id)
{
	if (!br || !br->gm)
		return -ENOENT;
	return stage_del(br, &br->gm->meters, meter_id, meter_id == OFPM_ALL);
}

int
dp_meter_get_stats(const struct dp_bridge *br, uint32_t meter_id, struct dp_meter_stats *st)
{
	const struct dp_meter *m =
		br && br->gm ? idtable_lookup(&br->gm->meters.t, meter_id) : NULL;

	if (!m)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->n_bands = m->n_bands;
	stat_sum(m->st, &st->packets, &st->bytes, &st->duration_ns);
	rows_sum(m->bws, m->n_bands, st->band_packets, st->band_bytes);
	return 0;
}

/* ---- Fast-failover liveness ------------------------------------------------------------
 * Computed on the control thread whenever a port's or a group's liveness may change and
 * stored in each group (live): the workers read one word per packet. A bucket is live
 * when its watch port (if any) is on the bridge, link up and not PORT_DOWN, and its
 * watch group (if any) is live; a group is live through its first live bucket. The
 * watch graph is walked depth-first with an explicit stack, each group once, so the
 * order is the dependency order and a long watch chain costs no recursion; a group met
 * again while its own liveness is being decided (a cycle, which the agent refuses) is
 * dead. */

static bool
port_live(const struct dp_bridge *br, uint32_t ofport)
{
	const struct dp_port *p;

	if (ofport == OFPP_ANY)
		return true;
	p = dp_ofport_valid(ofport) ? dp_bridge_port(br, ofport) : NULL;
	return p && !(__atomic_load_n(&p->config, __ATOMIC_RELAXED) & OFPPC_PORT_DOWN) &&
	       !(__atomic_load_n(&p->state, __ATOMIC_RELAXED) & OFPPS_LINK_DOWN);
}

enum { LV_NEW, LV_BUSY, LV_DONE };

struct lv_frame {
	struct dp_group *g;
	unsigned b; /* next bucket to try */
};

/* Decides g and every group its liveness depends on; st: room for every group. */
static void
live_walk(const struct dp_bridge *br, const struct idtable *t, struct dp_group *root,
	  struct lv_frame *st)
{
	size_t n = 0;

	root->lv_state = LV_BUSY;
	st[n++] = (struct lv_frame){ root, 0 };
	while (n) {
		struct lv_frame *f = &st[n - 1];
		struct dp_group *g = f->g;
		const struct dp_gbucket *b = &g->b[f->b];
		struct dp_group *w;

		if (f->b == g->n_buckets) {
			g->lv_new = -1;
		} else if (!port_live(br, b->watch_port)) {
			f->b++;
			continue;
		} else if (b->watch_group != OFPG_ANY) {
			w = idtable_lookup(t, b->watch_group);
			if (w && w->lv_state == LV_NEW) {
				w->lv_state = LV_BUSY;
				st[n++] = (struct lv_frame){ w, 0 };
				continue;
			}
			if (!w || w->lv_state == LV_BUSY || w->lv_new < 0) {
				f->b++;
				continue;
			}
			g->lv_new = (int16_t)f->b;
		} else {
			g->lv_new = (int16_t)f->b;
		}
		g->lv_state = LV_DONE;
		n--;
	}
}

int
dp_gm_liveness(struct dp_bridge *br)
{
	const struct idtable *t = br && br->gm ? &br->gm->groups.t : NULL;
	struct lv_frame *st;

	if (!t || !t->n)
		return 0;
	st = malloc(t->n * sizeof(*st));
	if (!st) {
		DP_LOG(ERR, "group liveness: out of memory, fast-failover choices not updated\n");
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++)
		((struct dp_group *)t->v[i])->lv_state = LV_NEW;
	for (size_t i = 0; i < t->n; i++) {
		struct dp_group *g = t->v[i];

		if (g->lv_state == LV_NEW)
			live_walk(br, t, g, st);
		if (g->live != g->lv_new)
			__atomic_store_n(&g->live, g->lv_new, __ATOMIC_RELAXED);
	}
	free(st);
	return 0;
}

/* ---- Publication ------------------------------------------------------------------------ */

static struct dp_idmap *
idmap_build(const struct idtable *t)
{
	uint32_t cap = 16;
	struct dp_idmap *m;

	while (cap < t->n * 2)
		cap <<= 1;
	m = calloc(1, sizeof(*m) + cap * sizeof(m->e[0]));
	if (!m)
		return NULL;
	m->mask = cap - 1;
	m->n = (uint32_t)t->n;
	for (size_t k = 0; k < t->n; k++) {
		uint32_t id = idtable_id(t->v[k]);
		uint32_t i = (id * 2654435761u) & m->mask;

		while (m->e[i].obj)
			i = (i + 1) & m->mask;
		m->e[i].id = id;
		m->e[i].obj = t->v[k];
	}
	return m;
}

/* What one kind's publication retires: the previous map and the replaced objects. */
struct retired_kind {
	const struct kind *k;
	struct dp_idmap *map;
	void **old;
	size_t n_old;
};

struct retired {
	struct retired_kind groups, meters;
};

static void
retired_kind_free(struct retired_kind *rk)
{
	free(rk->map);
	for (size_t i = 0; i < rk->n_old; i++)
		old_free(rk->k, rk->old[i]);
	free(rk->old);
}

static void
retired_free(void *arg)
{
	struct retired *r = arg;

	retired_kind_free(&r->groups);
	retired_kind_free(&r->meters);
	free(r);
}

/* Publishes s's new map (built: map, or NULL when s is clean) into *pub and hands what it
 * replaces to rk. */
static void
stage_publish(struct stage *s, struct dp_idmap *map, struct dp_idmap **pub, struct retired_kind *rk)
{
	rk->k = s->k;
	if (map) {
		rk->map = *pub;
		__atomic_store_n(pub, map, __ATOMIC_RELEASE);
		s->t.dirty = false;
	}
	rk->old = s->old;
	rk->n_old = s->n_old;
	s->old = NULL;
	s->n_old = s->cap_old = 0;
}

int
dp_gm_publish(struct dp_bridge *br)
{
	struct dp_gm *gm = br->gm;
	struct dp_idmap *gmap = NULL, *mmap = NULL;
	struct retired *r;

	if (!gm ||
	    (!gm->groups.t.dirty && !gm->meters.t.dirty && !gm->groups.n_old && !gm->meters.n_old))
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (gm->groups.t.dirty && !(gmap = idmap_build(&gm->groups.t)))
		goto nomem;
	/* New groups are published with their liveness, and groups watching a changed one
	 * see it change with the map. */
	if (gmap && dp_gm_liveness(br) < 0)
		goto nomem;
	if (gm->meters.t.dirty && !(mmap = idmap_build(&gm->meters.t)))
		goto nomem;
	stage_publish(&gm->groups, gmap, &br->groups_pub, &r->groups);
	stage_publish(&gm->meters, mmap, &br->meters_pub, &r->meters);
	dp_defer_call(dp_defer_get(), retired_free, r);
	return 0;

nomem:
	free(gmap);
	free(mmap);
	free(r);
	return -ENOMEM;
}

void
dp_gm_destroy(struct dp_bridge *br)
{
	struct dp_gm *gm = br->gm;

	free(br->groups_pub);
	free(br->meters_pub);
	br->groups_pub = br->meters_pub = NULL;
	if (!gm)
		return;
	stage_destroy(&gm->groups);
	stage_destroy(&gm->meters);
	free(gm);
	br->gm = NULL;
}
