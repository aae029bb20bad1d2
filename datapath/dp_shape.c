/* Compiling a table's rules to a shape (dp_shape.h). Control thread only. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "dp_shape.h"
#include "util.h"

static const char *const kind_names[DP_SHAPE_N] = {
	[DP_SHAPE_GENERIC] = "generic", [DP_SHAPE_EMPTY] = "empty",
	[DP_SHAPE_SKIP] = "skip",	[DP_SHAPE_PORT] = "in_port",
	[DP_SHAPE_EXACT] = "exact",	[DP_SHAPE_PORT_VLAN] = "in_port_vlan",
};

const char *
dp_shape_kind_name(unsigned kind)
{
	return kind < DP_SHAPE_N ? kind_names[kind] : "unknown";
}

void
dp_shape_free(struct dp_shape *s)
{
	if (!s)
		return;
	rte_free(s->slots);
	rte_free(s->ports);
	rte_free(s->pv);
	rte_free(s->vids);
	rte_free(s->pv_rules);
	rte_free(s);
}

static bool
mask_eq(const struct dp_key *a, const struct dp_key *b)
{
	return memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

static bool
mask_zero(const struct dp_key *m)
{
	for (unsigned i = 0; i < DP_KEY_WORDS; i++)
		if (m->w[i])
			return false;
	return true;
}

/* True if m is exactly in_port, all bits. */
static bool
mask_in_port(const struct dp_key *m)
{
	struct dp_key p;

	memset(&p, 0, sizeof(p));
	memset(p.f.in_port, 0xff, sizeof(p.f.in_port));
	return mask_eq(m, &p);
}

/* True if m is exactly in_port, all bits, and some bits of vlan_vid (*vid_mask, network
 * byte order). */
static bool
mask_in_port_vlan(const struct dp_key *m, uint16_t *vid_mask)
{
	struct dp_key p;

	memset(&p, 0, sizeof(p));
	memset(p.f.in_port, 0xff, sizeof(p.f.in_port));
	memcpy(p.f.vlan_vid, m->f.vlan_vid, sizeof(p.f.vlan_vid));
	memcpy(vid_mask, m->f.vlan_vid, sizeof(*vid_mask));
	return *vid_mask && mask_eq(m, &p);
}

/* Rules of rules[0..n) whose mask is not *m, up to limit + 1. */
static unsigned
count_others(const struct dp_cls_rule *const *rules, unsigned n, const struct dp_key *m,
	     unsigned limit)
{
	unsigned others = 0;

	for (unsigned i = 0; i < n && others <= limit; i++)
		if (!mask_eq(&rules[i]->mask, m))
			others++;
	return others;
}

/* True if a table of mask m's rules is an array (PORT or PORT_VLAN). */
static bool
mask_array(const struct dp_key *m)
{
	uint16_t vid_mask;

	return mask_in_port(m) || mask_in_port_vlan(m, &vid_mask);
}

/* The main mask of rules[0..n): the one most rules have, an array's on a tie (Faucet's
 * VLAN table: two in_port+VLAN rules, one reserved-address drop, one table-miss), as long
 * as it leaves at most DP_SHAPE_MAX_EXTRA others; else NULL. With at most that many other
 * rules, it is the mask of one of the first DP_SHAPE_MAX_EXTRA + 1 rules. */
static const struct dp_key *
main_mask(const struct dp_cls_rule *const *rules, unsigned n)
{
	const struct dp_key *best = NULL;
	unsigned best_others = DP_SHAPE_MAX_EXTRA;

	for (unsigned i = 0; i < n && i <= DP_SHAPE_MAX_EXTRA; i++) {
		const struct dp_key *m = &rules[i]->mask;
		unsigned j = 0, others;

		while (j < i && !mask_eq(&rules[j]->mask, m))
			j++;
		if (j < i)
			continue; /* counted already */
		others = count_others(rules, n, m, best_others);
		if (others > best_others ||
		    (best && others == best_others && (mask_array(best) || !mask_array(m))))
			continue;
		best = m;
		best_others = others;
	}
	return best;
}

/* Could a packet match both a and b? Only if their values agree where both masks care. */
static bool
may_overlap(const struct dp_cls_rule *a, const struct dp_cls_rule *b)
{
	for (unsigned i = 0; i < DP_KEY_WORDS; i++) {
		uint64_t both = a->mask.w[i] & b->mask.w[i];

		if ((a->value.w[i] & both) != (b->value.w[i] & both))
			return false;
	}
	return true;
}

static int
cmp_extra(const void *a, const void *b)
{
	const struct dp_shape_extra *x = a, *y = b;

	return (int)y->rule->priority - (int)x->rule->priority;
}

/* A PORT_VLAN rule while the array is built: its port and masked VLAN value. */
struct pv_rule {
	uint32_t port;
	uint16_t vid; /* network byte order */
	const struct dp_cls_rule *rule;
};

/* By port, then VLAN value, then decreasing priority. */
static int
cmp_pv(const void *a, const void *b)
{
	const struct pv_rule *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->vid != y->vid)
		return x->vid < y->vid ? -1 : 1;
	return (int)y->rule->priority - (int)x->rule->priority;
}

/* Fills s's PORT_VLAN array from the n rules (those with is_main[i] set). 0; -E2BIG when
 * a port is beyond the array or has more than DP_SHAPE_VIDS VLAN values (the hash takes
 * them); -EEXIST on a tie (two rules of one port and VLAN value, both the highest
 * priority); -ENOMEM. */
static int
port_vlan_build(struct dp_shape *s, const struct dp_cls_rule *const *rules, unsigned n,
		const uint8_t *is_main)
{
	struct pv_rule *pr = malloc(sizeof(*pr) * (n ? n : 1));
	unsigned m = 0, k = 0;
	uint32_t n_slots = 0;
	int err = 0;

	if (!pr)
		return -ENOMEM;
	s->pv = rte_zmalloc("dp_shape_pv", sizeof(*s->pv) * DP_SHAPE_PORTS, RTE_CACHE_LINE_SIZE);
	if (!s->pv) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct dp_cls_rule *r = rules[i];
		uint32_t port;
		uint16_t vid;

		if (!is_main[i])
			continue;
		memcpy(&port, r->value.f.in_port, sizeof(port));
		port = rte_be_to_cpu_32(port);
		if (port >= DP_SHAPE_PORTS) {
			err = -E2BIG; /* LOCAL or a high number */
			goto out;
		}
		memcpy(&vid, r->value.f.vlan_vid, sizeof(vid));
		vid &= s->vid_mask;
		if (rte_be_to_cpu_16(vid) & ~0x1fff)
			continue; /* no packet's vlan_vid has these bits: the rule never matches */
		pr[m++] = (struct pv_rule){ port, vid, r };
	}
	qsort(pr, m, sizeof(*pr), cmp_pv);
	/* The first of each (port, VLAN value) run wins and is kept, in pr[0..k); a second
	 * one at its priority is a tie the classifier breaks by insertion order, which the
	 * array does not know. */
	for (unsigned i = 0; i < m; i++) {
		const struct pv_rule *p = &pr[i];

		if (k && pr[k - 1].port == p->port && pr[k - 1].vid == p->vid) {
			if (pr[k - 1].rule->priority == p->rule->priority) {
				err = -EEXIST;
				goto out;
			}
			continue; /* a lower priority: never wins */
		}
		if (++s->pv[p->port].n > DP_SHAPE_VIDS) {
			err = -E2BIG;
			goto out;
		}
		pr[k++] = *p;
	}
	/* Each port's slots: a power of two, at most half full. */
	for (unsigned port = 0; port < DP_SHAPE_PORTS; port++) {
		struct dp_shape_pv *pv = &s->pv[port];
		uint32_t slots = 2;

		if (!pv->n)
			continue;
		while (slots < 2u * pv->n)
			slots *= 2;
		pv->first = n_slots;
		pv->mask = (uint16_t)(slots - 1);
		n_slots += slots;
	}
	s->vids = rte_malloc("dp_shape_vids", sizeof(*s->vids) * PFS_MAX(n_slots, 1u),
			     RTE_CACHE_LINE_SIZE);
	s->pv_rules = rte_zmalloc("dp_shape_pv_rules", sizeof(*s->pv_rules) * PFS_MAX(n_slots, 1u),
				  RTE_CACHE_LINE_SIZE);
	if (!s->vids || !s->pv_rules) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n_slots; i++)
		s->vids[i] = DP_SHAPE_VID_NONE;
	for (unsigned i = 0; i < k; i++) {
		const struct dp_shape_pv *pv = &s->pv[pr[i].port];
		uint32_t j = dp_shape_vid_hash(pr[i].vid) & pv->mask;

		while (s->vids[pv->first + j] != DP_SHAPE_VID_NONE)
			j = (j + 1) & pv->mask;
		s->vids[pv->first + j] = pr[i].vid;
		s->pv_rules[pv->first + j] = pr[i].rule;
	}
out:
	free(pr);
	return err;
}

/* Places rule (masked key words k) in s's hash; false on a tie (equal priority, same
 * masked value) that the shape cannot order. */
static bool
exact_put(struct dp_shape *s, const struct dp_cls_rule *rule, const uint64_t *k)
{
	unsigned n = s->n_words;
	uint32_t h = dp_shape_hash(k, n);

	for (uint32_t i = h & s->slot_mask;; i = (i + 1) & s->slot_mask) {
		struct dp_shape_slot *sl = dp_shape_slot(s, i);

		if (!sl->rule || (sl->hash == h && !memcmp(sl->key, k, n * 8))) {
			if (sl->rule && sl->rule->priority == rule->priority)
				return false;
			if (sl->rule && rule->priority < sl->rule->priority)
				return true;
			sl->rule = rule;
			sl->hash = h;
			memcpy(sl->key, k, n * 8);
			if (s->slot_aux) {
				sl->tag = rule->tag;
				sl->key[n] = rule->aux;
			}
			return true;
		}
	}
}

int
dp_shape_build(const struct dp_cls_rule *const *rules, unsigned n, uint64_t version,
	       struct dp_shape **out)
{
	const struct dp_key *main = NULL;
	struct dp_shape *s;
	uint8_t *is_main = NULL; /* is_main[i]: rules[i] has the main mask */

	*out = NULL;
	main = main_mask(rules, n);
	if (n && !main)
		return 0; /* generic */
	s = rte_zmalloc("dp_shape", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (!s)
		return -ENOMEM;
	/* One pass over the rules' masks (cold memory in a big table) for all that follows. */
	is_main = malloc(n ? n : 1);
	if (!is_main)
		goto nomem;
	for (unsigned i = 0; i < n; i++)
		is_main[i] = mask_eq(&rules[i]->mask, main);
	s->version = version;
	s->n_rules = n;
	if (n == 0) {
		s->kind = DP_SHAPE_EMPTY;
		goto done;
	}
	if (n == 1 && mask_zero(main)) {
		s->kind = DP_SHAPE_SKIP;
		s->only = rules[0];
		goto done;
	}
	/* The extras, and ties among rules that may match the same packet. */
	for (unsigned i = 0; i < n; i++) {
		const struct dp_cls_rule *r = rules[i];

		if (is_main[i])
			continue;
		struct dp_shape_extra *x = &s->extra[s->n_extra++];

		x->rule = r;
		for (unsigned w = 0; w < DP_KEY_WORDS; w++)
			if (r->mask.w[w]) {
				x->word[x->n_words] = (uint8_t)w;
				x->mask[x->n_words] = r->mask.w[w];
				x->value[x->n_words++] = r->value.w[w] & r->mask.w[w];
			}
		for (unsigned j = 0; j < n; j++)
			if (j != i && rules[j]->priority == r->priority && may_overlap(r, rules[j]))
				goto generic;
	}
	qsort(s->extra, s->n_extra, sizeof(s->extra[0]), cmp_extra);
	if (mask_in_port(main)) {
		s->kind = DP_SHAPE_PORT;
		s->ports = rte_zmalloc("dp_shape_ports", sizeof(*s->ports) * DP_SHAPE_PORTS,
				       RTE_CACHE_LINE_SIZE);
		if (!s->ports)
			goto nomem;
		for (unsigned i = 0; i < n; i++) {
			const struct dp_cls_rule *r = rules[i];
			uint32_t port;

			if (!is_main[i])
				continue;
			memcpy(&port, r->value.f.in_port, sizeof(port));
			port = rte_be_to_cpu_32(port);
			if (port >= DP_SHAPE_PORTS)
				goto exact; /* LOCAL or a high number: hash it */
			const struct dp_cls_rule **p = &s->ports[port];

			if (*p && (*p)->priority == r->priority)
				goto generic;
			if (!*p || r->priority > (*p)->priority)
				*p = r;
		}
		goto done;
	}
	if (mask_in_port_vlan(main, &s->vid_mask)) {
		int err;

		s->kind = DP_SHAPE_PORT_VLAN;
		err = port_vlan_build(s, rules, n, is_main);
		if (err == 0)
			goto done;
		if (err == -EEXIST)
			goto generic;
		if (err == -ENOMEM)
			goto nomem;
		goto exact; /* -E2BIG */
	}
exact:
	rte_free(s->ports);
	rte_free(s->pv);
	rte_free(s->vids);
	rte_free(s->pv_rules);
	s->ports = NULL;
	s->pv = NULL;
	s->vids = NULL;
	s->pv_rules = NULL;
	s->kind = DP_SHAPE_EXACT;
	for (unsigned w = 0; w < DP_KEY_WORDS; w++)
		if (main->w[w]) {
			s->word[s->n_words] = (uint8_t)w;
			s->mask[s->n_words++] = main->w[w];
		}
	uint32_t n_slots = 8;

	while (n_slots < 2 * n) /* load <= 1/2 */
		n_slots *= 2;
	s->slot_mask = n_slots - 1;
	s->slot_shift = 5; /* 32 bytes: up to 2 words */
	while ((1u << s->slot_shift) < sizeof(struct dp_shape_slot) + s->n_words * 8u)
		s->slot_shift++;
	/* The rules' tag and aux where they fit the slot as it is: a 64-byte slot of up to
	 * five words (S2's 5-tuple), not a bigger one for them. */
	s->slot_aux = sizeof(struct dp_shape_slot) + (s->n_words + 1) * 8u <= 1u << s->slot_shift;
	s->slots = rte_zmalloc("dp_shape_slots", (size_t)n_slots << s->slot_shift,
			       RTE_CACHE_LINE_SIZE);
	if (!s->slots)
		goto nomem;
	for (unsigned i = 0; i < n; i++) {
		const struct dp_cls_rule *r = rules[i];
		uint64_t k[DP_KEY_WORDS];

		if (!is_main[i])
			continue;
		for (unsigned j = 0; j < s->n_words; j++)
			k[j] = r->value.w[s->word[j]] & s->mask[j];
		if (!exact_put(s, r, k))
			goto generic;
	}
done:
	free(is_main);
	*out = s;
	return 0;

generic:
	free(is_main);
	dp_shape_free(s);
	return 0;
nomem:
	free(is_main);
	dp_shape_free(s);
	return -ENOMEM;
}
