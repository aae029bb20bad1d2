/* One OpenFlow table's classifier: tuple-space search over lock-free hash tables,
 * versioned rules, RCU-style publication (contract in dp_cls.h).
 *
 * Layout. A subtable per distinct mask holds the mask's non-zero key words (the only
 * words it hashes and compares) and a hash table (struct cls_table) keyed by the masked
 * words, CRC32 hashed: open addressing with linear probing over slots of (hash, node),
 * in plain heap memory, so a subtable costs no DPDK memzone (rte_hash took two per table
 * and the EAL has 2560, which capped a process at about 1200 masks). Each slot points to
 * a struct cls_node, the head
 * of a singly linked list of struct cls_entry (one per rule: version stamps, priority,
 * insertion sequence, the caller's rule) sorted by (priority desc, seq asc). Readers see
 * the subtables through an immutable struct cls_array sorted by (max priority desc,
 * min seq asc), each slot carrying a copy of the subtable's bounds and its hash, so a
 * lookup can stop at the first slot that cannot beat the best rule found so far.
 *
 * Writer rules (readers never lock):
 * - an entry is fully written before a release store links it (node head or a next);
 *   unlinking is one release store of the successor; an unlinked entry keeps its next, so
 *   a reader standing on it walks on; its memory goes to dp_defer;
 * - a new node is published by a release store of its pointer into a free slot (its hash
 *   written before); a deleted node's slot becomes a tombstone (readers probe past it,
 *   inserts reuse it) and its memory goes to dp_defer;
 * - any change of subtable set, order, bounds or hash table publishes a new array with a
 *   release store; the old array goes to dp_defer;
 * - bounds only ever over-approximate what readers may see: max priority rises at insert
 *   time, falls only at purge (when no reader can see the removed rules); min seq is a
 *   lower bound of the seqs of the subtable's rules at max priority.
 * A hash table whose live slots plus tombstones pass 3/4 is replaced by a fresh one (twice
 * as large when the live nodes pass half) holding the same nodes, published with a new
 * array; the old one goes to dp_defer. Readers therefore always find a free slot that
 * ends a probe, and a published table is only ever changed by slot stores. */
#include "dp_cls.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_memory.h>
#include <rte_prefetch.h>

#include "dp_pool.h"
#include "util.h"

#define INITIAL_SLOTS 64 /* a power of two */
#define BULK_MAX 64

struct cls_node;

/* The tombstone of a deleted node: probes go past it, inserts may reuse it. */
#define TOMB ((struct cls_node *)(uintptr_t)1)

struct cls_hslot {
	uint32_t sig;	       /* hash of the node's key; written before node */
	struct cls_node *node; /* NULL (free: ends a probe), TOMB or a node; atomic */
};

/* One subtable's hash table. Readers only read slots and filter; the writer counts.
 *
 * Address filter (a one-stage staged lookup): a subtable whose mask covers IPv4 or IPv6
 * source or destination bits keeps a bitmap, 4 bits per slot, of the hashes of its
 * nodes' masked addresses. A lookup tests the packet's bit first and skips the subtable
 * when it is clear: no rule there has the packet's prefixes, and the full-key hash and
 * probe (a cache miss in a large table) are saved. Bits are set before the node they
 * stand for is published and cleared only by a rebuild, so a clear bit is never wrong;
 * a set one may be (a collision, or a deleted node): the probe decides.
 *
 * Host filter (struct cls_xf, one per classifier): the same test turned around, for the
 * subtables whose masks cover address fields whole (an ACL's hosts: S3's 20 masks share
 * an exact IPv4 destination). Each such subtable gets an index below 64; a word per hash
 * of the values of the fields it covers whole (its field set) holds the indexes of the
 * subtables that have a node with those values. A lookup hashes the packet's fields once
 * per field set in use (most tables: one) and loads a word for each: a subtable whose bit
 * is clear is skipped with no hash of its own, where testing each subtable's filter cost
 * two CRC steps and a load per subtable. Hashing all the whole fields, not one, keeps
 * what the subtables' own filters had: the host pairs of a table whose masks share
 * both addresses (bench_cls "staged"). Bits are set before
 * the node is published and cleared only when the filter is rebuilt (grown, at most a
 * quarter full, from the nodes then present) and republished; an index freed by a
 * dropped subtable may be given again at once, its old bits only costing probes. The
 * filter is built once four subtables have an index: with fewer, hashing the packet's
 * fields costs about what the subtables' own filters do (S4's three host rules). */
enum { AF_IPV4_SRC, AF_IPV4_DST, AF_IPV6_SRC, AF_IPV6_DST, AF_N };

#define XF_NONE 0xff	   /* no host filter index */
#define XF_MIN_SUBTABLES 4 /* indexed subtables before a filter is built */
#define XF_MIN_WORDS 64

struct cls_xf {
	uint32_t sets;	  /* atomic: bit v, some word is hashed by the field set v (AF_* bits) */
	uint32_t mask;	  /* words - 1 */
	uint64_t words[]; /* atomic: bit i, a node of the subtable of index i may hash here */
};

struct cls_table {
	uint32_t mask;	/* slots - 1 */
	uint32_t fmask; /* filter bits - 1 */
	uint32_t n_used;
	uint32_t n_tombs;
	uint64_t *filter; /* atomic words; after the slots */
	struct cls_hslot slots[];
};

struct cls_entry {
	struct cls_entry *next; /* node list; atomic */
	uint64_t add_version;
	uint64_t remove_version; /* atomic */
	uint64_t seq;
	const struct dp_cls_rule *rule;
	uint16_t priority;
	/* Writer only. */
	struct cls_node *node;
	struct cls_entry *dead_next;
};

struct cls_node {
	struct cls_entry *head; /* atomic */
	/* Writer only. */
	struct cls_subtable *st;
	struct cls_node *prev, *next; /* the subtable's nodes; once deleted, the garbage list */
	uint32_t sig;		      /* hash of key, computed once */
	uint8_t n_words;	      /* of key: its pool (the subtable may be gone first) */
	uint64_t key[];		      /* masked key words, st->n_words of them */
};

/* Entry and node memory of one classifier: pools, because a million-rule table turns
 * malloc into a large share of an insert. Retired objects return to it after a grace
 * period, possibly after the classifier is destroyed, so the classifier and each queued
 * garbage batch hold a reference. Deferred calls run on the writer's thread. */
struct cls_mem {
	unsigned refs;
	struct dp_pool entries;
	struct dp_pool nodes[DP_KEY_WORDS + 1]; /* by key words */
};

/* What one purge unlinked: freed together after one grace period. */
struct cls_garbage {
	struct cls_mem *mem;
	struct cls_entry *entries; /* through dead_next */
	struct cls_node *nodes;	   /* through next */
};

struct cls_subtable {
	/* Read by readers (immutable once published). */
	uint32_t n_words;
	uint8_t words[DP_KEY_WORDS];
	uint64_t mwords[DP_KEY_WORDS];
	uint8_t xf_ix;			 /* host filter index, or XF_NONE */
	uint8_t xf_set;			 /* the fields it hashes (AF_* bits), or 0 */
	uint32_t f_n_words;		 /* address filter words; 0: no filter */
	uint8_t f_pos[DP_KEY_WORDS];	 /* their positions in words[] */
	uint64_t f_mwords[DP_KEY_WORDS]; /* the mask's address bits in them */
	/* Writer only. */
	struct cls_table *table;
	struct dp_key mask;
	uint32_t mask_hash;
	uint32_t id;
	uint32_t n_nodes;
	uint32_t n_entries;
	uint32_t max_count; /* entries at max_prio */
	uint16_t max_prio;
	uint64_t min_seq;
	bool dirty;
	struct cls_node *nodes;
	struct cls_subtable *gone_next; /* purge: dropped subtables */
};

struct cls_slot {
	const struct cls_table *t;
	const struct cls_subtable *st;
	uint64_t min_seq;
	uint32_t max_prio;
};

struct cls_array {
	uint32_t n;
	struct cls_slot slots[];
};

static uint32_t cls_ids;
static uint32_t subtable_ids; /* tie-break of the array order */

/* ---- Deferred frees ------------------------------------------------------------------ */

static void
free_cb(void *p)
{
	free(p);
}

static struct cls_mem *
mem_create(void)
{
	struct cls_mem *m = pfs_malloc(sizeof(*m));

	if (m == NULL)
		return NULL;
	m->refs = 1;
	dp_pool_init(&m->entries, sizeof(struct cls_entry), 0);
	for (unsigned i = 0; i <= DP_KEY_WORDS; i++)
		dp_pool_init(&m->nodes[i], sizeof(struct cls_node) + i * sizeof(uint64_t), 0);
	return m;
}

static void
mem_unref(struct cls_mem *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	dp_pool_fini(&m->entries);
	for (unsigned i = 0; i <= DP_KEY_WORDS; i++)
		dp_pool_fini(&m->nodes[i]);
	free(m);
}

static void
node_put(struct cls_mem *m, struct cls_node *node)
{
	dp_pool_free(&m->nodes[node->n_words], node);
}

static void
garbage_free_cb(void *p)
{
	struct cls_garbage *g = p;

	for (struct cls_entry *e = g->entries, *n; e != NULL; e = n) {
		n = e->dead_next;
		dp_pool_free(&g->mem->entries, e);
	}
	for (struct cls_node *node = g->nodes, *n; node != NULL; node = n) {
		n = node->next;
		node_put(g->mem, node);
	}
	mem_unref(g->mem);
	free(g);
}

static void
subtable_free_cb(void *p)
{
	struct cls_subtable *st = p;

	free(st->table);
	free(st);
}

/* ---- Hash tables --------------------------------------------------------------------- */

/* The hash of n masked key words: CRC32C, one 8-byte step per word. */
static inline uint32_t
key_sig(const uint64_t *mk, uint32_t n)
{
	uint32_t sig = 0;

	for (uint32_t j = 0; j < n; j++)
		sig = dp_crc8(mk[j], sig);
	return sig;
}

#define FILTER_SEED 0x9e3779b9u
#define FILTER_BITS_PER_SLOT 16

/* The filter hash of the address bits of masked key words mk (st's words). */
static inline uint32_t
filter_sig_mk(const struct cls_subtable *st, const uint64_t *mk)
{
	uint32_t h = FILTER_SEED;

	for (uint32_t j = 0; j < st->f_n_words; j++)
		h = dp_crc8(mk[st->f_pos[j]] & st->f_mwords[j], h);
	return h;
}

/* The same for a packet key. */
static inline uint32_t
filter_sig_key(const struct cls_subtable *st, const struct dp_key *key)
{
	uint32_t h = FILTER_SEED;

	for (uint32_t j = 0; j < st->f_n_words; j++)
		h = dp_crc8(key->w[st->words[st->f_pos[j]]] & st->f_mwords[j], h);
	return h;
}

/* False if no node of t can have the addresses of filter hash fsig. Reader-safe. */
static inline bool
filter_may_hold(const struct cls_table *t, uint32_t fsig)
{
	uint32_t b = fsig & t->fmask;

	return (__atomic_load_n(&t->filter[b / 64], __ATOMIC_RELAXED) >> (b % 64)) & 1;
}

/* The hash of the address fields in set (AF_* bits) of key, whole, one after the other:
 * one CRC chain, so that the pairs of two fields do not collide by their XOR. */
static inline uint32_t
fields_sig(const struct dp_key *key, unsigned set)
{
	uint32_t h = FILTER_SEED + set * 0x85ebca6bu, v4;
	uint64_t w;

	if (set & (1u << AF_IPV4_SRC)) {
		memcpy(&v4, key->f.ipv4_src, 4);
		h = dp_crc4(v4, h);
	}
	if (set & (1u << AF_IPV4_DST)) {
		memcpy(&v4, key->f.ipv4_dst, 4);
		h = dp_crc4(v4, h);
	}
	for (unsigned i = 0; i < 16 && (set & (1u << AF_IPV6_SRC)); i += 8) {
		memcpy(&w, key->f.ipv6_src + i, 8);
		h = dp_crc8(w, h);
	}
	for (unsigned i = 0; i < 16 && (set & (1u << AF_IPV6_DST)); i += 8) {
		memcpy(&w, key->f.ipv6_dst + i, 8);
		h = dp_crc8(w, h);
	}
	return h;
}

/* The host filter indexes of the subtables that may hold key's addresses, for the field
 * sets in sets (bit per set; the filter's, loaded once per lookup). Reader-safe. */
static inline uint64_t
xf_hosts(const struct cls_xf *xf, uint32_t sets, const struct dp_key *key)
{
	uint64_t hosts = 0;

	for (uint32_t v = sets; v != 0; v &= v - 1) {
		uint32_t w = fields_sig(key, (unsigned)__builtin_ctz(v)) & xf->mask;

		hosts |= __atomic_load_n(&xf->words[w], __ATOMIC_RELAXED);
	}
	return hosts;
}

/* Whether st is screened by the host filter of a lookup that hashed the sets sets. */
static inline bool
xf_screens(const struct cls_subtable *st, uint32_t sets)
{
	return st->xf_ix != XF_NONE && (sets >> st->xf_set) & 1;
}

/* An empty table of n_slots slots (a power of two, at least 16), or NULL. */
static struct cls_table *
table_create(uint32_t n_slots)
{
	size_t fbits = (size_t)n_slots * FILTER_BITS_PER_SLOT;
	size_t slots = (size_t)n_slots * sizeof(struct cls_hslot);
	struct cls_table *t = pfs_calloc(1, sizeof(*t) + slots + fbits / 8);

	if (t == NULL)
		return NULL;
	t->mask = n_slots - 1;
	t->fmask = (uint32_t)(fbits - 1);
	t->filter = (uint64_t *)((char *)t->slots + slots);
	return t;
}

/* The node of t keyed mk (n words, hash sig), or NULL. Reader-safe. */
static inline struct cls_node *
table_find(const struct cls_table *t, uint32_t sig, const uint64_t *mk, uint32_t n)
{
	for (uint32_t i = sig & t->mask;; i = (i + 1) & t->mask) {
		const struct cls_hslot *s = &t->slots[i];
		struct cls_node *node = __atomic_load_n(&s->node, __ATOMIC_ACQUIRE);

		if (node == NULL)
			return NULL;
		if (node != TOMB && __atomic_load_n(&s->sig, __ATOMIC_RELAXED) == sig &&
		    dp_words_eq(node->key, mk, n))
			return node;
	}
}

/* Publishes node (not in t) in t's first free or tombstone slot of its probe sequence.
 * The caller made sure t has room (table_needs_rebuild). */
static void
table_add(struct cls_table *t, struct cls_node *node)
{
	if (node->st->f_n_words != 0) { /* the filter bit first: readers test it first */
		uint32_t b = filter_sig_mk(node->st, node->key) & t->fmask;

		__atomic_fetch_or(&t->filter[b / 64], UINT64_C(1) << (b % 64), __ATOMIC_RELAXED);
	}
	for (uint32_t i = node->sig & t->mask;; i = (i + 1) & t->mask) {
		struct cls_hslot *s = &t->slots[i];

		if (s->node == NULL || s->node == TOMB) {
			if (s->node == TOMB)
				t->n_tombs--;
			__atomic_store_n(&s->sig, node->sig, __ATOMIC_RELAXED);
			__atomic_store_n(&s->node, node, __ATOMIC_RELEASE);
			t->n_used++;
			return;
		}
	}
}

/* Turns node's slot in t into a tombstone. */
static void
table_del(struct cls_table *t, const struct cls_node *node)
{
	for (uint32_t i = node->sig & t->mask;; i = (i + 1) & t->mask) {
		struct cls_hslot *s = &t->slots[i];

		if (s->node == node) {
			__atomic_store_n(&s->node, TOMB, __ATOMIC_RELEASE);
			t->n_used--;
			t->n_tombs++;
			return;
		}
		if (s->node == NULL) /* cannot happen: node is in t */
			return;
	}
}

/* True if adding one node to t would fill more than 3/4 of its slots (tombstones
 * count: they lengthen probes and a probe needs a free slot to end). */
static bool
table_needs_rebuild(const struct cls_table *t)
{
	return (uint64_t)(t->n_used + t->n_tombs + 1) * 4 > (uint64_t)(t->mask + 1) * 3;
}

/* A fresh table holding every node of st with room for one more, at most half full,
 * unpublished; or NULL. */
static struct cls_table *
table_rebuild(const struct cls_subtable *st)
{
	uint32_t n_slots = st->table->mask + 1;
	struct cls_table *t;

	while ((uint64_t)(st->n_nodes + 1) * 2 > n_slots)
		n_slots *= 2;
	t = table_create(n_slots);
	if (t == NULL)
		return NULL;
	for (struct cls_node *node = st->nodes; node != NULL; node = node->next) {
		if (node->next != NULL)
			rte_prefetch0(node->next);
		table_add(t, node);
	}
	return t;
}

/* ---- Subtables and the published array ---------------------------------------------- */

static uint32_t
mask_hash(const struct dp_key *mask)
{
	return rte_hash_crc(mask->w, sizeof(mask->w), 0);
}

static struct cls_subtable *
subtable_find(const struct dp_cls *cls, const struct dp_key *mask, uint32_t hash)
{
	for (unsigned i = 0; i < cls->n_masks; i++) {
		struct cls_subtable *st = cls->subtables[i];

		if (st->mask_hash == hash && !memcmp(st->mask.w, mask->w, sizeof(mask->w)))
			return st;
	}
	return NULL;
}

/* Sets *m to the key mask of the IPv4 and IPv6 source and destination addresses. */
static void
address_mask(struct dp_key *m)
{
	memset(m, 0, sizeof(*m));
	memset(m->f.ipv4_src, 0xff, sizeof(m->f.ipv4_src));
	memset(m->f.ipv4_dst, 0xff, sizeof(m->f.ipv4_dst));
	memset(m->f.ipv6_src, 0xff, sizeof(m->f.ipv6_src));
	memset(m->f.ipv6_dst, 0xff, sizeof(m->f.ipv6_dst));
}

/* The address fields mask covers whole (AF_* bits), which a host filter hashes. */
static uint8_t
whole_fields(const struct dp_key *mask)
{
	return (uint8_t)(pfs_all_ones(mask->f.ipv4_src, 4) << AF_IPV4_SRC |
			 pfs_all_ones(mask->f.ipv4_dst, 4) << AF_IPV4_DST |
			 pfs_all_ones(mask->f.ipv6_src, 16) << AF_IPV6_SRC |
			 pfs_all_ones(mask->f.ipv6_dst, 16) << AF_IPV6_DST);
}

static struct cls_subtable *
subtable_create(const struct dp_key *mask, uint32_t hash)
{
	struct dp_key am;
	struct cls_subtable *st;

	st = pfs_calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->mask = *mask;
	st->mask_hash = hash;
	st->xf_ix = XF_NONE;
	st->xf_set = whole_fields(mask);
	for (unsigned i = 0; i < DP_KEY_WORDS; i++) {
		if (mask->w[i] != 0) {
			st->words[st->n_words] = (uint8_t)i;
			st->mwords[st->n_words] = mask->w[i];
			st->n_words++;
		}
	}
	if (st->n_words == 0) { /* match-all: one zero word, so the hash has a key */
		st->words[0] = 0;
		st->mwords[0] = 0;
		st->n_words = 1;
	}
	address_mask(&am);
	for (uint32_t j = 0; j < st->n_words; j++) {
		uint64_t m = st->mwords[j] & am.w[st->words[j]];

		if (m != 0) {
			st->f_pos[st->f_n_words] = (uint8_t)j;
			st->f_mwords[st->f_n_words] = m;
			st->f_n_words++;
		}
	}
	st->table = table_create(INITIAL_SLOTS);
	if (st->table == NULL) {
		free(st);
		return NULL;
	}
	st->id = __atomic_add_fetch(&subtable_ids, 1, __ATOMIC_RELAXED);
	return st;
}

/* Destroys a subtable no reader has seen. */
static void
subtable_discard(struct cls_subtable *st)
{
	free(st->table);
	free(st);
}

static int
slot_cmp(const void *a_, const void *b_)
{
	const struct cls_slot *a = a_, *b = b_;

	if (a->max_prio != b->max_prio)
		return a->max_prio > b->max_prio ? -1 : 1;
	if (a->min_seq != b->min_seq)
		return a->min_seq < b->min_seq ? -1 : 1;
	return a->st->id < b->st->id ? -1 : a->st->id > b->st->id;
}

static struct cls_array *
array_alloc(unsigned n)
{
	return pfs_malloc(sizeof(struct cls_array) + (size_t)n * sizeof(struct cls_slot));
}

/* Fills a (allocated for at least cls->n_masks slots) from the writer's subtables, sorts
 * it, publishes it and retires the previous one. */
static void
array_publish(struct dp_cls *cls, struct cls_array *a)
{
	struct cls_array *old = cls->array;

	a->n = cls->n_masks;
	for (unsigned i = 0; i < cls->n_masks; i++) {
		const struct cls_subtable *st = cls->subtables[i];

		a->slots[i].t = st->table;
		a->slots[i].st = st;
		a->slots[i].max_prio = st->max_prio;
		a->slots[i].min_seq = st->min_seq;
	}
	qsort(a->slots, a->n, sizeof(a->slots[0]), slot_cmp);
	__atomic_store_n(&cls->array, a, __ATOMIC_RELEASE);
	if (old != NULL)
		dp_defer_call(cls->defer, free_cb, old);
}

/* Recomputes st's bounds from its entries (writer). */
static void
subtable_rescan(struct cls_subtable *st)
{
	st->max_prio = 0;
	st->max_count = 0;
	st->min_seq = UINT64_MAX;
	for (const struct cls_node *node = st->nodes; node != NULL; node = node->next) {
		for (const struct cls_entry *e = node->head; e != NULL; e = e->next) {
			if (st->max_count == 0 || e->priority > st->max_prio) {
				st->max_prio = e->priority;
				st->max_count = 1;
				st->min_seq = e->seq;
			} else if (e->priority == st->max_prio) {
				st->max_count++;
				if (e->seq < st->min_seq)
					st->min_seq = e->seq;
			}
		}
	}
}

/* ---- Lifecycle ------------------------------------------------------------------------ */

int
dp_cls_init(struct dp_cls *cls, const char *name, unsigned max_masks, struct dp_defer *defer)
{
	if (cls == NULL || defer == NULL)
		return -EINVAL;
	memset(cls, 0, sizeof(*cls));
	snprintf(cls->name, sizeof(cls->name), "%s", name ? name : "");
	cls->max_masks = max_masks ? max_masks : DP_CLS_DEFAULT_MAX_MASKS;
	cls->defer = defer;
	cls->id = __atomic_add_fetch(&cls_ids, 1, __ATOMIC_RELAXED);
	return 0;
}

void
dp_cls_destroy(struct dp_cls *cls)
{
	if (cls == NULL)
		return;
	for (unsigned i = 0; i < cls->n_masks; i++) {
		struct cls_subtable *st = cls->subtables[i];
		struct cls_node *node, *next_node;

		for (node = st->nodes; node != NULL; node = next_node) {
			struct cls_entry *e, *next_e;

			next_node = node->next;
			for (e = node->head; e != NULL; e = next_e) {
				next_e = e->next;
				/* Clear the handle of a rule still inserted (a removed
				 * rule's memory may be gone). */
				if (e->remove_version == DP_CLS_VERSION_MAX)
					((struct dp_cls_rule *)e->rule)->entry = NULL;
				dp_pool_free(&cls->mem->entries, e);
			}
			node_put(cls->mem, node);
		}
		subtable_discard(st);
	}
	free(cls->subtables);
	free(cls->array);
	free(cls->xf);
	cls->xf = NULL;
	cls->xf_used = 0;
	cls->xf_n_used = cls->xf_adds = 0;
	mem_unref(cls->mem); /* queued garbage batches keep it until they ran */
	cls->mem = NULL;
	cls->last = NULL;
	cls->subtables = NULL;
	cls->array = NULL;
	cls->dead = NULL;
	cls->n_masks = cls->n_rules = cls->n_linked = 0;
}

void
dp_cls_set_max_rules(struct dp_cls *cls, unsigned max_rules)
{
	cls->max_rules = max_rules;
}

/* ---- Host filter (writer) ------------------------------------------------------------- */

/* The host filter word of node's value (its subtable has an index). */
static uint32_t
xf_node_sig(const struct cls_node *node)
{
	const struct cls_subtable *st = node->st;
	struct dp_key k;

	dp_key_zero(&k);
	for (uint32_t j = 0; j < st->n_words; j++)
		k.w[st->words[j]] = node->key[j];
	return fields_sig(&k, st->xf_set);
}

/* Sets node's bit (its subtable's) in the word of xf its fields hash to. */
static void
xf_mark(struct cls_xf *xf, const struct cls_node *node)
{
	uint32_t w = xf_node_sig(node) & xf->mask;

	__atomic_fetch_or(&xf->words[w], UINT64_C(1) << node->st->xf_ix, __ATOMIC_RELAXED);
}

/* Publishes a host filter built from the nodes of cls's indexed subtables, with room
 * for extra more, and retires the old one. On allocation failure the old one stays
 * (fuller: more probes, never a wrong skip). */
static void
xf_build(struct dp_cls *cls, unsigned extra)
{
	struct cls_xf *xf, *old = cls->xf;
	size_t n = extra, words = XF_MIN_WORDS;
	uint32_t sets = 0;

	for (unsigned i = 0; i < cls->n_masks; i++) {
		const struct cls_subtable *st = cls->subtables[i];

		if (st->xf_ix != XF_NONE) {
			n += st->n_nodes;
			sets |= 1u << st->xf_set;
		}
	}
	while (words < 4 * n)
		words *= 2;
	xf = pfs_calloc(1, sizeof(*xf) + words * sizeof(xf->words[0]));
	if (xf == NULL)
		return;
	xf->mask = (uint32_t)(words - 1);
	xf->sets = sets;
	for (unsigned i = 0; i < cls->n_masks; i++) {
		const struct cls_subtable *st = cls->subtables[i];

		if (st->xf_ix != XF_NONE)
			for (const struct cls_node *node = st->nodes; node; node = node->next)
				xf_mark(xf, node);
	}
	__atomic_store_n(&cls->xf, xf, __ATOMIC_RELEASE);
	cls->xf_adds = (unsigned)(n - extra);
	if (old != NULL)
		dp_defer_call(cls->defer, free_cb, old);
}

/* Gives new subtable st a host filter index, when it covers an address field whole and
 * one is free. */
static void
xf_assign(struct dp_cls *cls, struct cls_subtable *st)
{
	if (st->xf_set == 0 || cls->xf_used == UINT64_MAX)
		return;
	st->xf_ix = (uint8_t)__builtin_ctzll(~cls->xf_used);
	cls->xf_used |= UINT64_C(1) << st->xf_ix;
	cls->xf_n_used++;
}

/* Sets the bit of node (new, of an indexed subtable, not published yet) in the host
 * filter, building or growing the filter first when due. */
static void
xf_add(struct dp_cls *cls, const struct cls_node *node)
{
	struct cls_xf *xf = cls->xf;
	uint32_t set = 1u << node->st->xf_set;

	if (xf == NULL) {
		if (cls->xf_n_used < XF_MIN_SUBTABLES)
			return; /* the next build sets it */
		xf_build(cls, 1);
	} else if ((size_t)(cls->xf_adds + 1) * 2 > (size_t)xf->mask + 1) {
		xf_build(cls, 1); /* half full, stale bits included: grow and clean it */
	}
	xf = cls->xf;
	if (xf == NULL)
		return;
	xf_mark(xf, node);
	cls->xf_adds++;
	/* A reader that sees the set hashes the packet's fields, and finds the bit. */
	if (!(xf->sets & set))
		__atomic_fetch_or(&xf->sets, set, __ATOMIC_RELEASE);
}

/* ---- Insert ---------------------------------------------------------------------------- */

static void
masked_key(const struct cls_subtable *st, const struct dp_key *key, uint64_t *mk)
{
	for (uint32_t j = 0; j < st->n_words; j++)
		mk[j] = key->w[st->words[j]] & st->mwords[j];
}

int
dp_cls_insert(struct dp_cls *cls, struct dp_cls_rule *rule, uint64_t version)
{
	struct cls_subtable *st, *new_st = NULL;
	struct cls_table *grown = NULL, *old_table = NULL;
	struct cls_array *a = NULL;
	struct cls_entry *e;
	struct cls_node *node = NULL;
	uint64_t mk[DP_KEY_WORDS];
	uint32_t h = 0, sig;
	int ret;

	if (rule == NULL || rule->entry != NULL || version == DP_CLS_VERSION_MAX)
		return -EINVAL;
	if (cls->max_rules != 0 && cls->n_rules >= cls->max_rules)
		return -ENOSPC;
	if (cls->mem == NULL && (cls->mem = mem_create()) == NULL)
		return -ENOMEM;

	/* Rules come in runs of one mask: try the last one before hashing the mask. */
	st = cls->last;
	if (st == NULL || memcmp(st->mask.w, rule->mask.w, sizeof(rule->mask.w)) != 0) {
		h = mask_hash(&rule->mask);
		st = subtable_find(cls, &rule->mask, h);
	}
	if (st == NULL) {
		if (cls->n_masks >= cls->max_masks)
			return -ENOSPC;
		if (cls->n_masks >= cls->subtables_cap) {
			unsigned cap = cls->subtables_cap ? cls->subtables_cap * 2 : 8;
			struct cls_subtable **v = pfs_realloc(cls->subtables, cap * sizeof(*v));

			if (v == NULL)
				return -ENOMEM;
			cls->subtables = v;
			cls->subtables_cap = cap;
		}
		st = new_st = subtable_create(&rule->mask, h);
		if (st == NULL)
			return -ENOMEM;
	}

	ret = -ENOMEM;
	e = dp_pool_zalloc(&cls->mem->entries);
	if (e == NULL)
		goto fail;
	e->add_version = version;
	e->remove_version = DP_CLS_VERSION_MAX;
	e->seq = ++cls->seq;
	e->rule = rule;
	e->priority = rule->priority;

	masked_key(st, &rule->value, mk);
	sig = key_sig(mk, st->n_words);
	node = table_find(st->table, sig, mk, st->n_words);
	if (node == NULL) {
		node = dp_pool_zalloc(&cls->mem->nodes[st->n_words]);
		if (node == NULL)
			goto fail;
		node->st = st;
		node->sig = sig;
		node->n_words = (uint8_t)st->n_words;
		memcpy(node->key, mk, st->n_words * sizeof(uint64_t));
		node->head = e;
		if (table_needs_rebuild(st->table)) {
			grown = table_rebuild(st);
			if (grown == NULL)
				goto fail;
		}
	}
	e->node = node;

	if (new_st != NULL || grown != NULL || rule->priority > st->max_prio) {
		a = array_alloc(cls->n_masks + (new_st != NULL));
		if (a == NULL)
			goto fail;
	}

	if (node->head == e) { /* new node: publish it in the table readers will use */
		if (new_st != NULL)
			xf_assign(cls, new_st);
		if (st->xf_ix != XF_NONE)
			xf_add(cls, node);
		table_add(grown ? grown : st->table, node);
		node->next = st->nodes;
		if (st->nodes != NULL)
			st->nodes->prev = node;
		st->nodes = node;
		st->n_nodes++;
	} else { /* after every entry of higher or equal priority (they are older) */
		struct cls_entry **pp = &node->head;

		while (*pp != NULL && (*pp)->priority >= e->priority)
			pp = &(*pp)->next;
		e->next = *pp;
		__atomic_store_n(pp, e, __ATOMIC_RELEASE);
	}

	/* Committed: nothing below fails. */
	if (grown != NULL) {
		old_table = st->table;
		st->table = grown;
	}
	st->n_entries++;
	if (st->n_entries == 1 || rule->priority > st->max_prio) {
		st->max_prio = rule->priority;
		st->max_count = 1;
		st->min_seq = e->seq;
	} else if (rule->priority == st->max_prio) {
		st->max_count++;
	}
	if (new_st != NULL)
		cls->subtables[cls->n_masks++] = new_st;
	if (a != NULL)
		array_publish(cls, a);
	/* Retired only now: a reader may hold the old table until it sees the new array. */
	if (old_table != NULL)
		dp_defer_call(cls->defer, free_cb, old_table);
	rule->entry = e;
	rule->add_version = version;
	rule->remove_version = DP_CLS_VERSION_MAX;
	cls->n_rules++;
	cls->n_linked++;
	cls->last = st;
	return 0;

fail:
	free(a);
	free(grown);
	if (node != NULL && node->head == e)
		node_put(cls->mem, node);
	dp_pool_free(&cls->mem->entries, e);
	if (new_st != NULL)
		subtable_discard(new_st);
	return ret;
}

/* ---- Remove and purge ------------------------------------------------------------------ */

void
dp_cls_remove(struct dp_cls *cls, struct dp_cls_rule *rule, uint64_t version)
{
	struct cls_entry *e = rule ? rule->entry : NULL;

	if (e == NULL)
		return;
	__atomic_store_n(&e->remove_version, version, __ATOMIC_RELEASE);
	e->dead_next = cls->dead;
	cls->dead = e;
	rule->remove_version = version;
	rule->entry = NULL;
	cls->n_rules--;
}

/* Unlinks e from its node (and the node from its table if it empties), adding both to
 * g, which the caller retires once everything is unlinked. */
static void
entry_unlink(struct dp_cls *cls, struct cls_entry *e, struct cls_garbage *g)
{
	struct cls_node *node = e->node;
	struct cls_subtable *st = node->st;
	struct cls_entry **pp = &node->head;

	while (*pp != e)
		pp = &(*pp)->next;
	__atomic_store_n(pp, e->next, __ATOMIC_RELEASE);
	cls->n_linked--;
	st->n_entries--;
	if (e->priority == st->max_prio)
		st->max_count--;
	st->dirty = true;
	e->dead_next = g->entries;
	g->entries = e;

	if (node->head != NULL)
		return;
	table_del(st->table, node);
	if (node->prev != NULL)
		node->prev->next = node->next;
	else
		st->nodes = node->next;
	if (node->next != NULL)
		node->next->prev = node->prev;
	st->n_nodes--;
	node->next = g->nodes;
	g->nodes = node;
}

void
dp_cls_purge(struct dp_cls *cls, uint64_t oldest_version)
{
	struct cls_subtable *gone = NULL;
	struct cls_entry **pp, *e;
	struct cls_garbage *g;
	struct cls_array *a;
	bool changed = false;
	unsigned i, j;

	if (cls->dead == NULL)
		return;
	/* Allocated first, so that dropping a subtable can always be published. */
	a = array_alloc(cls->n_masks);
	g = pfs_calloc(1, sizeof(*g));
	if (a == NULL || g == NULL) {
		free(a);
		free(g);
		return;
	}

	for (pp = &cls->dead; (e = *pp) != NULL;) {
		if (e->remove_version > oldest_version) {
			pp = &e->dead_next;
			continue;
		}
		*pp = e->dead_next;
		entry_unlink(cls, e, g);
	}
	/* One deferred call for all of it; queued after every unlink (the defer hook may
	 * run it at once when there are no readers). */
	if (g->entries != NULL) {
		g->mem = cls->mem;
		cls->mem->refs++;
		dp_defer_call(cls->defer, garbage_free_cb, g);
	} else {
		free(g);
	}

	for (i = j = 0; i < cls->n_masks; i++) {
		struct cls_subtable *st = cls->subtables[i];

		if (st->dirty) {
			st->dirty = false;
			if (st->n_entries == 0) { /* dropped once unpublished */
				if (cls->last == st)
					cls->last = NULL;
				if (st->xf_ix != XF_NONE) { /* its stale bits cost probes only */
					cls->xf_used &= ~(UINT64_C(1) << st->xf_ix);
					cls->xf_n_used--;
				}
				st->gone_next = gone;
				gone = st;
				changed = true;
				continue;
			}
			if (st->max_count == 0) {
				uint16_t prio = st->max_prio;
				uint64_t seq = st->min_seq;

				subtable_rescan(st);
				changed |= prio != st->max_prio || seq != st->min_seq;
			}
		}
		cls->subtables[j++] = st;
	}
	cls->n_masks = j;
	if (!changed) {
		free(a);
		return;
	}
	array_publish(cls, a);
	while (gone != NULL) {
		struct cls_subtable *st = gone;

		gone = st->gone_next;
		dp_defer_call(cls->defer, subtable_free_cb, st);
	}
}

/* ---- Lookup ---------------------------------------------------------------------------- */

static inline bool
visible(const struct cls_entry *e, uint64_t version)
{
	return e->add_version <= version &&
	       version < __atomic_load_n(&e->remove_version, __ATOMIC_RELAXED);
}

/* True if e wins over best (NULL: anything wins). */
static inline bool
better(const struct cls_entry *e, const struct cls_entry *best)
{
	return best == NULL || e->priority > best->priority ||
	       (e->priority == best->priority && e->seq < best->seq);
}

/* True if slot may hold a rule that wins over best. */
static inline bool
slot_can_beat(const struct cls_slot *s, const struct cls_entry *best)
{
	return best == NULL || s->max_prio > best->priority ||
	       (s->max_prio == best->priority && s->min_seq < best->seq);
}

/* The first entry of node visible at version that wins over best, or NULL. */
static inline const struct cls_entry *
node_best(const struct cls_node *node, uint64_t version, const struct cls_entry *best)
{
	const struct cls_entry *e;

	for (e = __atomic_load_n(&node->head, __ATOMIC_ACQUIRE); e != NULL;
	     e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE)) {
		if (!better(e, best))
			return NULL;
		if (visible(e, version))
			return e;
	}
	return NULL;
}

/* Subtables hashed ahead of their probes in a single lookup: their home slots are
 * prefetched together, so the cache misses of a large table overlap instead of adding
 * up; a window ends early at the first subtable that cannot beat the best rule. */
#define LOOKAHEAD 8

const struct dp_cls_rule *
dp_cls_lookup(const struct dp_cls *cls, const struct dp_key *key, uint64_t version)
{
	const struct cls_array *a = __atomic_load_n(&cls->array, __ATOMIC_ACQUIRE);
	const struct cls_xf *xf = __atomic_load_n(&cls->xf, __ATOMIC_ACQUIRE);
	const struct cls_entry *best = NULL;
	uint64_t mk[LOOKAHEAD][DP_KEY_WORDS];
	uint32_t sig[LOOKAHEAD], xsets = 0;
	uint64_t hosts = 0;

	if (a == NULL)
		return NULL;
	if (xf != NULL) {
		xsets = __atomic_load_n(&xf->sets, __ATOMIC_ACQUIRE);
		hosts = xf_hosts(xf, xsets, key);
	}
	for (uint32_t i = 0; i < a->n; i += LOOKAHEAD) {
		uint32_t m = a->n - i < LOOKAHEAD ? a->n - i : LOOKAHEAD, c, skip = 0;

		for (c = 0; c < m; c++) {
			const struct cls_slot *s = &a->slots[i + c];
			const struct cls_subtable *st = s->st;
			uint32_t h = 0;

			if (!slot_can_beat(s, best))
				break;
			if (xf_screens(st, xsets)
				    ? !((hosts >> st->xf_ix) & 1)
				    : st->f_n_words != 0 &&
					      !filter_may_hold(s->t, filter_sig_key(st, key))) {
				skip |= 1u << c;
				continue;
			}
			for (uint32_t j = 0; j < st->n_words; j++) {
				mk[c][j] = key->w[st->words[j]] & st->mwords[j];
				h = dp_crc8(mk[c][j], h);
			}
			rte_prefetch0(&s->t->slots[h & s->t->mask]);
			sig[c] = h;
		}
		for (uint32_t p = 0; p < c; p++) {
			const struct cls_slot *s = &a->slots[i + p];
			const struct cls_node *node;
			const struct cls_entry *e;

			/* Slots are sorted: once one cannot beat best, no later one can. */
			if (!slot_can_beat(s, best))
				return best->rule;
			if (skip & (1u << p))
				continue;
			node = table_find(s->t, sig[p], mk[p], s->st->n_words);
			if (node == NULL)
				continue;
			e = node_best(node, version, best);
			if (e != NULL)
				best = e;
		}
		if (c < m)
			break;
	}
	return best ? best->rule : NULL;
}

/* Of the keys (bits) in keys, those slot s may hold a better rule for than their best;
 * those no later slot can help either leave *active. */
static inline uint64_t
cand_by_bounds(const struct cls_slot *s, const struct cls_entry *const best[], uint64_t keys,
	       uint64_t *active)
{
	uint64_t cand = 0;

	for (; keys != 0; keys &= keys - 1) {
		unsigned k = (unsigned)__builtin_ctzll(keys);

		if (slot_can_beat(s, best[k]))
			cand |= UINT64_C(1) << k;
		else /* slots are sorted: no later one can beat it either */
			*active &= ~(UINT64_C(1) << k);
	}
	return cand;
}

/* The same for the keys in *active, also by the subtable's own address filter. A loop
 * that stores nothing per key, so what it reads of the subtable stays in registers. */
static inline uint64_t
cand_by_filter(const struct cls_slot *s, const struct dp_key *const keys[],
	       const struct cls_entry *const best[], uint64_t *active)
{
	const struct cls_subtable *st = s->st;
	const uint32_t fn = st->f_n_words;
	/* The filter's first two words (IPv4 source and destination; IPv6 takes more). */
	const unsigned w0 = fn ? st->words[st->f_pos[0]] : 0;
	const unsigned w1 = fn > 1 ? st->words[st->f_pos[1]] : 0;
	const uint64_t m0 = fn ? st->f_mwords[0] : 0, m1 = fn > 1 ? st->f_mwords[1] : 0;
	uint64_t cand = 0;

	if (fn == 0)
		return cand_by_bounds(s, best, *active, active);
	for (uint64_t rest = *active; rest != 0; rest &= rest - 1) {
		unsigned k = (unsigned)__builtin_ctzll(rest);
		uint32_t h;

		if (!slot_can_beat(s, best[k])) {
			*active &= ~(UINT64_C(1) << k);
			continue;
		}
		/* filter_sig_key(), its first two steps unrolled */
		h = dp_crc8(keys[k]->w[w0] & m0, FILTER_SEED);
		if (fn > 1)
			h = dp_crc8(keys[k]->w[w1] & m1, h);
		for (uint32_t j = 2; j < fn; j++)
			h = dp_crc8(keys[k]->w[st->words[st->f_pos[j]]] & st->f_mwords[j], h);
		if (filter_may_hold(s->t, h))
			cand |= UINT64_C(1) << k;
	}
	return cand;
}

/* One pass over the subtables for up to BULK_MAX keys: per subtable, the masked keys and
 * hashes of every key still needing it (prefetching their home slots), then the probes. */
static void
lookup_chunk(const struct cls_array *a, const struct cls_xf *xf, const struct dp_key *const keys[],
	     unsigned n, uint64_t version, const struct dp_cls_rule *results[])
{
	const struct cls_entry *best[BULK_MAX];
	uint64_t mk[BULK_MAX][DP_KEY_WORDS];
	uint32_t sig[BULK_MAX], xsets = 0;
	uint8_t idx[BULK_MAX];
	uint64_t active = n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
	/* by_host[i]: the keys whose addresses the subtable of host filter index i may
	 * hold (valid where bit i of by_host_set is) */
	uint64_t by_host[64], by_host_set = 0;

	_Static_assert(BULK_MAX <= 64, "a key per bit");
	for (unsigned k = 0; k < n; k++)
		best[k] = NULL;
	if (xf != NULL) {
		xsets = __atomic_load_n(&xf->sets, __ATOMIC_ACQUIRE);
		for (unsigned k = 0; k < n && xsets != 0; k++) {
			uint64_t hosts = xf_hosts(xf, xsets, keys[k]);

			for (; hosts != 0; hosts &= hosts - 1) {
				unsigned i = (unsigned)__builtin_ctzll(hosts);

				if (!(by_host_set & (UINT64_C(1) << i))) {
					by_host_set |= UINT64_C(1) << i;
					by_host[i] = 0;
				}
				by_host[i] |= UINT64_C(1) << k;
			}
		}
	}
	for (uint32_t i = 0; i < a->n && active != 0; i++) {
		const struct cls_slot *s = &a->slots[i];
		const struct cls_subtable *st = s->st;
		const struct cls_table *t = s->t;
		unsigned cnt = 0;
		uint64_t cand;

		if (xf_screens(st, xsets)) /* only keys whose hosts may be there */
			cand = cand_by_bounds(
				s, best,
				(by_host_set >> st->xf_ix) & 1 ? by_host[st->xf_ix] & active : 0,
				&active);
		else
			cand = cand_by_filter(s, keys, best, &active);
		for (; cand != 0; cand &= cand - 1) {
			unsigned k = (unsigned)__builtin_ctzll(cand);
			uint32_t h = 0;

			for (uint32_t j = 0; j < st->n_words; j++) {
				mk[cnt][j] = keys[k]->w[st->words[j]] & st->mwords[j];
				h = dp_crc8(mk[cnt][j], h);
			}
			rte_prefetch0(&t->slots[h & t->mask]);
			sig[cnt] = h;
			idx[cnt] = (uint8_t)k;
			cnt++;
		}
		if (cnt == 0) /* every key done, or filtered out here */
			continue;
		for (unsigned c = 0; c < cnt; c++) {
			const struct cls_node *node = table_find(t, sig[c], mk[c], st->n_words);
			const struct cls_entry *e;

			if (node == NULL)
				continue;
			e = node_best(node, version, best[idx[c]]);
			if (e != NULL)
				best[idx[c]] = e;
		}
	}
	for (unsigned k = 0; k < n; k++)
		results[k] = best[k] ? best[k]->rule : NULL;
}

void
dp_cls_lookup_bulk(const struct dp_cls *cls, const struct dp_key *const keys[], unsigned n,
		   uint64_t version, const struct dp_cls_rule *results[])
{
	const struct cls_array *a = __atomic_load_n(&cls->array, __ATOMIC_ACQUIRE);
	const struct cls_xf *xf = __atomic_load_n(&cls->xf, __ATOMIC_ACQUIRE);

	if (a == NULL) {
		for (unsigned k = 0; k < n; k++)
			results[k] = NULL;
		return;
	}
	while (n > 0) {
		unsigned m = n > BULK_MAX ? BULK_MAX : n;

		lookup_chunk(a, xf, keys, m, version, results);
		keys += m;
		results += m;
		n -= m;
	}
}

/* ---- Stats ----------------------------------------------------------------------------- */

unsigned
dp_cls_n_rules(const struct dp_cls *cls)
{
	return cls->n_rules;
}

unsigned
dp_cls_n_masks(const struct dp_cls *cls)
{
	return cls->n_masks;
}

unsigned
dp_cls_n_linked(const struct dp_cls *cls)
{
	return cls->n_linked;
}
