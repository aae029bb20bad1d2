/* A table compiled to its shape (the idea of ESwitch, SIGCOMM'16): a lookup structure
 * that fits the rules a table holds, built by the control thread at dp_commit() from the
 * rules visible at the version being published, and immutable once built.
 *
 * Shapes, tried in this order:
 * - EMPTY: no rules; every lookup misses.
 * - SKIP: one rule, matching everything (a table-miss rule, a "goto next" default): the
 *   lookup is that rule, without reading the key.
 * - PORT: the rules that are not "extra" (below) all match in_port alone, on ports
 *   below DP_SHAPE_PORTS: an array indexed by in_port.
 * - PORT_VLAN: the rules that are not extra all match in_port and vlan_vid alone (one
 *   vlan_vid mask, usually exact: a VID with OFPVID_PRESENT, or 0 for untagged), on ports
 *   below DP_SHAPE_PORTS with at most DP_SHAPE_VIDS distinct VLAN values per port (the
 *   VLAN and egress tables of a VLAN switch such as Faucet): an array indexed by in_port
 *   whose entry is that port's small open-addressing hash of VLAN values. A lookup reads
 *   only the key's in_port and vlan_vid (and the extras' fields).
 * - EXACT: the rules that are not extra all share one mask: one open-addressing hash
 *   over the words that mask covers (L2 tables, 5-tuple tables, and the in_port+VLAN
 *   tables the array does not take).
 * Every other table stays with the generic classifier (dp_cls.h, tuple-space search):
 * dp_shape_build() gives no shape for it.
 *
 * Extra rules: besides the one mask's rules, PORT, PORT_VLAN and EXACT take up to
 * DP_SHAPE_MAX_EXTRA rules of any other mask (the table-miss rule, a drop of a few
 * reserved addresses), compared one by one in priority order, but only those that can
 * beat what the array or hash found. The one mask is the mask most rules have, an
 * array's (in_port, in_port+VLAN) where masks have as many rules. Ties are not compiled: a table
 * where two rules that may match the same packet share a priority (OpenFlow leaves the winner
 * undefined, dp_cls takes the one inserted first) stays generic.
 *
 * Results are the classifier's (dp_cls_lookup) at any version >= the shape's version
 * until the table next changes: the caller publishes a new shape (or none) with every
 * version that changes the table, before that version, and a reader whose version is
 * below a shape's version uses the classifier instead.
 *
 * Threads: built and freed by the control thread (freed through dp_defer after a grace
 * period); looked up lock-free by any number of readers.
 *
 * Neighbours: dp_cls.h (rules and the generic lookup), dp_key.h, dp_pipeline.c (uses
 * it per table), datapath.c (builds and publishes it at commit). */
#ifndef PFS_DP_SHAPE_H
#define PFS_DP_SHAPE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "dp_cls.h"
#include "dp_key.h"

#define DP_SHAPE_MAX_EXTRA 4	 /* rules of other masks an array or EXACT shape takes */
#define DP_SHAPE_PORTS 1024	 /* a PORT or PORT_VLAN shape's array: in_port 0..1023 */
#define DP_SHAPE_VIDS 64	 /* a PORT_VLAN shape's VLAN values per port, at most */
#define DP_SHAPE_VID_NONE 0xffff /* an empty slot: no packet's vlan_vid (13 bits) is this */

enum dp_shape_kind {
	DP_SHAPE_GENERIC, /* no shape: the classifier (never built, only reported) */
	DP_SHAPE_EMPTY,
	DP_SHAPE_SKIP,
	DP_SHAPE_PORT,
	DP_SHAPE_EXACT,
	DP_SHAPE_PORT_VLAN,
	DP_SHAPE_N
};

/* An extra rule: its masked value over the words its mask covers. */
struct dp_shape_extra {
	const struct dp_cls_rule *rule;
	uint8_t n_words;
	uint8_t word[DP_KEY_WORDS];
	uint64_t mask[DP_KEY_WORDS];
	uint64_t value[DP_KEY_WORDS]; /* value & mask */
};

/* An EXACT shape's slot: the rule and its masked key words together, so that a probe
 * of a big table (S2: 100k rules, out of the caches) waits on one line, not on a slot
 * and then its key. Slots are 1 << s->slot_shift bytes, a power of two: a slot of up to 6
 * words is one aligned cache line. Where the slot has room after the key (s->slot_aux:
 * up to 5 words in a line), it also holds the rule's tag and aux words (dp_cls_rule),
 * so that a lookup that needs only those reads no line of the rule. */
struct dp_shape_slot {
	const struct dp_cls_rule *rule; /* NULL: empty */
	uint32_t hash;
	uint32_t tag;	/* with slot_aux: rule->tag; else 0 */
	uint64_t key[]; /* the shape's n_words masked key words, then rule->aux (slot_aux) */
};

/* A PORT_VLAN shape's entry for one port: its VLAN values hashed into the slots
 * vids[first..first + mask] (a power of two, at most half full); none when n is 0. */
struct dp_shape_pv {
	uint32_t first;
	uint16_t mask;
	uint16_t n;
};

struct dp_shape {
	uint8_t kind;	 /* enum dp_shape_kind */
	uint8_t n_extra; /* extra[], by decreasing priority */
	uint8_t n_words; /* EXACT: key words the mask covers: word[], mask[] */
	uint32_t n_rules;
	uint64_t version;		/* valid for lookups at versions >= version */
	const struct dp_cls_rule *only; /* SKIP */
	/* EXACT: slot_mask + 1 slots of 1 << slot_shift bytes (dp_shape_slot()). PORT:
	 * ports[DP_SHAPE_PORTS]. PORT_VLAN: pv[DP_SHAPE_PORTS],
	 * and each port's (vlan_vid & vid_mask) values in its slots of vids[] (network
	 * byte order, as the key holds them; DP_SHAPE_VID_NONE: empty), the rule of
	 * vids[i] at pv_rules[i]. */
	uint32_t slot_mask;
	uint8_t slot_shift;
	bool slot_aux; /* slots hold their rule's tag and aux */
	uint8_t *slots;
	const struct dp_cls_rule **ports;
	struct dp_shape_pv *pv;
	uint16_t *vids;
	const struct dp_cls_rule **pv_rules;
	uint16_t vid_mask; /* network byte order */
	uint8_t word[DP_KEY_WORDS];
	uint64_t mask[DP_KEY_WORDS];
	struct dp_shape_extra extra[DP_SHAPE_MAX_EXTRA];
};

/* Compiles the n rules (the table's rules at version, in any order) into a shape valid
 * from version on. 0 with *out set, 0 with *out NULL when the rules fit no shape
 * (generic), or -ENOMEM. */
int dp_shape_build(const struct dp_cls_rule *const *rules, unsigned n, uint64_t version,
		   struct dp_shape **out);

/* Frees a shape (NULL-safe). Only once no reader can hold it. */
void dp_shape_free(struct dp_shape *s);

/* "generic", "empty", "skip", "in_port", "exact", "in_port_vlan". */
const char *dp_shape_kind_name(unsigned kind);

static inline uint32_t
dp_shape_hash(const uint64_t *w, unsigned n)
{
	uint32_t h = 0x5bd1e995;

	for (unsigned i = 0; i < n; i++)
		h = dp_crc8(w[i], h);
	return h;
}

/* A PORT_VLAN slot for a masked vlan_vid (network byte order). */
static inline uint32_t
dp_shape_vid_hash(uint16_t vid)
{
	return ((uint32_t)vid * 0x9e3779b1u) >> 16;
}

static inline const struct dp_cls_rule *
dp_shape_extras(const struct dp_shape *s, const struct dp_key *key, const struct dp_cls_rule *found)
{
	for (unsigned i = 0; i < s->n_extra; i++) {
		const struct dp_shape_extra *x = &s->extra[i];
		unsigned j;

		if (found && x->rule->priority < found->priority)
			break; /* by decreasing priority: none of the rest can win either */
		for (j = 0; j < x->n_words; j++)
			if ((key->w[x->word[j]] & x->mask[j]) != x->value[j])
				break;
		if (j == x->n_words)
			return x->rule; /* no ties: a higher priority than found */
	}
	return found;
}

/* EXACT shape s's slot i. */
static inline struct dp_shape_slot *
dp_shape_slot(const struct dp_shape *s, uint32_t i)
{
	return (struct dp_shape_slot *)(void *)(s->slots + ((size_t)i << s->slot_shift));
}

/* EXACT: the slot holding the masked key words k (hash h), or NULL. */
static inline const struct dp_shape_slot *
dp_shape_exact_slot(const struct dp_shape *s, const uint64_t *k, uint32_t h)
{
	const unsigned n = s->n_words;

	for (uint32_t i = h & s->slot_mask;; i = (i + 1) & s->slot_mask) {
		const struct dp_shape_slot *sl = dp_shape_slot(s, i);

		if (!sl->rule)
			return NULL;
		if (sl->hash == h && dp_words_eq(sl->key, k, n))
			return sl;
	}
}

/* EXACT: the rule in the slot holding the masked key words k (hash h), or NULL. */
static inline const struct dp_cls_rule *
dp_shape_exact_find(const struct dp_shape *s, const uint64_t *k, uint32_t h)
{
	const struct dp_shape_slot *sl = dp_shape_exact_slot(s, k, h);

	return sl ? sl->rule : NULL;
}

/* The rule that wins for key (the classifier's winner at any version the shape is
 * valid for), or NULL. Reader-safe, lock-free. */
static inline const struct dp_cls_rule *
dp_shape_lookup(const struct dp_shape *s, const struct dp_key *key)
{
	const struct dp_cls_rule *found = NULL;

	switch (s->kind) {
	case DP_SHAPE_SKIP:
		return s->only;
	case DP_SHAPE_PORT: {
		uint32_t port;

		memcpy(&port, key->f.in_port, sizeof(port));
		port = rte_be_to_cpu_32(port);
		if (port < DP_SHAPE_PORTS)
			found = s->ports[port];
		break;
	}
	case DP_SHAPE_PORT_VLAN: {
		uint32_t port;
		uint16_t vid;

		memcpy(&port, key->f.in_port, sizeof(port));
		port = rte_be_to_cpu_32(port);
		if (port >= DP_SHAPE_PORTS)
			break;
		const struct dp_shape_pv pv = s->pv[port];

		if (!pv.n)
			break;
		memcpy(&vid, key->f.vlan_vid, sizeof(vid));
		vid &= s->vid_mask;
		for (uint32_t i = dp_shape_vid_hash(vid) & pv.mask;; i = (i + 1) & pv.mask) {
			uint16_t v = s->vids[pv.first + i];

			if (v == vid) {
				found = s->pv_rules[pv.first + i];
				break;
			}
			if (v == DP_SHAPE_VID_NONE)
				break;
		}
		break;
	}
	case DP_SHAPE_EXACT: {
		uint64_t k[DP_KEY_WORDS];
		unsigned n = s->n_words;

		for (unsigned i = 0; i < n; i++)
			k[i] = key->w[s->word[i]] & s->mask[i];
		found = dp_shape_exact_find(s, k, dp_shape_hash(k, n));
		break;
	}
	default:
		return NULL; /* EMPTY */
	}
	return s->n_extra ? dp_shape_extras(s, key, found) : found;
}

/* dp_shape_lookup() for the n keys of a burst (n <= 64), out[i] for *keys[i]. An EXACT
 * shape hashes every key and prefetches its slot before any is probed: a big table (S2,
 * 100k exact rules) is out of the caches, and one key at a time every lookup would wait
 * on its miss. With tag and aux, also the winner's tag and aux where its slot holds
 * them (dp_shape_slot), else tag[i] 0: the caller need not read the rule for them. */
static inline void
dp_shape_lookup_bulk(const struct dp_shape *s, const struct dp_key *const *keys, unsigned n,
		     const struct dp_cls_rule **out, uint32_t *tag, uint64_t *aux)
{
	if (s->kind != DP_SHAPE_EXACT || n > 64) {
		for (unsigned j = 0; j < n; j++) {
			out[j] = dp_shape_lookup(s, keys[j]);
			if (tag)
				tag[j] = 0;
		}
		return;
	}
	const unsigned nw = s->n_words;
	uint64_t k[64][DP_KEY_WORDS];
	uint32_t h[64];

	for (unsigned j = 0; j < n; j++) {
		for (unsigned i = 0; i < nw; i++)
			k[j][i] = keys[j]->w[s->word[i]] & s->mask[i];
		h[j] = dp_shape_hash(k[j], nw);
		__builtin_prefetch(dp_shape_slot(s, h[j] & s->slot_mask));
	}
	for (unsigned j = 0; j < n; j++) {
		const struct dp_shape_slot *sl = dp_shape_exact_slot(s, k[j], h[j]);
		const struct dp_cls_rule *found = sl ? sl->rule : NULL;

		out[j] = s->n_extra ? dp_shape_extras(s, keys[j], found) : found;
		if (tag) {
			/* An extra rule that wins has no slot (and slot tags are 0 without
			 * slot_aux). */
			tag[j] = sl && out[j] == found ? sl->tag : 0;
			aux[j] = tag[j] ? sl->key[nw] : 0;
		}
	}
}

#endif /* PFS_DP_SHAPE_H */
