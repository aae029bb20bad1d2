/* dp_shape: tables compiled to their shape (dp_shape.h) against the generic classifier
 * (dp_cls_lookup) on random rule sets of each shape and random packets, the shape each
 * rule set gets (empty, skip, in_port, exact, none), ties left generic, and the version
 * a shape is valid from. Needs the EAL (rte_malloc, rte_hash). The random rules and
 * packets are those of test_dp_cls.c. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dp_cls.h"
#include "dp_shape.h"
#include "dp_cls_testgen.h"
#include "util.h"

/* ---- Shapes against the classifier ------------------------------------------------ */

#define N_PACKETS 4000

static unsigned tagged; /* burst lookups that got a tag from a slot */

struct table {
	struct tdefer d;
	struct dp_cls cls;
	struct rec *recs;
	struct trule **tr;
	unsigned n, cap;
};

static void
table_init(struct table *t, unsigned cap)
{
	tdefer_init(&t->d);
	ck_assert_int_eq(dp_cls_init(&t->cls, "shape", 1024, &t->d.hook), 0);
	t->recs = calloc(cap, sizeof(*t->recs));
	t->tr = calloc(cap, sizeof(*t->tr));
	ck_assert(t->recs && t->tr);
	t->n = 0;
	t->cap = cap;
}

/* Adds r, visible from version on. */
static void
table_add_at(struct table *t, const struct rec *r, uint64_t version)
{
	ck_assert_uint_lt(t->n, t->cap);
	t->recs[t->n] = *r;
	t->recs[t->n].add_v = version;
	t->tr[t->n] = trule_new(r, t->n);
	/* Owner's words that name the rule, for the slots to hand back. */
	t->tr[t->n]->r.tag = t->n + 1;
	t->tr[t->n]->r.aux = 0xa0000000ull + t->n;
	ck_assert_int_eq(dp_cls_insert(&t->cls, &t->tr[t->n]->r, version), 0);
	t->n++;
}

static void
table_add(struct table *t, const struct rec *r)
{
	table_add_at(t, r, 1);
}

/* Removes rule i from version on. */
static void
table_remove(struct table *t, unsigned i, uint64_t version)
{
	dp_cls_remove(&t->cls, &t->tr[i]->r, version);
	t->recs[i].rem_v = version;
}

/* The shape of the table's rules visible at version (NULL: generic), passed in a
 * shuffled order. */
static struct dp_shape *
table_shape(struct table *t, uint64_t *s, uint64_t version)
{
	const struct dp_cls_rule **rules = malloc(sizeof(*rules) * (t->n + 1));
	struct dp_shape *sh = NULL;
	unsigned n = 0;

	ck_assert_ptr_nonnull(rules);
	for (unsigned i = 0; i < t->n; i++)
		if (t->recs[i].add_v <= version && version < t->recs[i].rem_v)
			rules[n++] = &t->tr[i]->r;
	for (unsigned i = n; i > 1; i--) {
		unsigned j = rnd_n(s, i);
		const struct dp_cls_rule *x = rules[i - 1];

		rules[i - 1] = rules[j];
		rules[j] = x;
	}
	ck_assert_int_eq(dp_shape_build(rules, n, version, &sh), 0);
	free(rules);
	return sh;
}

static void
table_fini(struct table *t)
{
	dp_cls_destroy(&t->cls);
	tdefer_fini(&t->d);
	for (unsigned i = 0; i < t->n; i++)
		free(t->tr[i]);
	free(t->recs);
	free(t->tr);
}

/* In a packet, now and then, another in_port (one beyond a shape's array too) and
 * another VLAN: none, priority-tagged (VID 0), a VID rules use, one they do not. Its
 * vlan_vid keeps to the 13 bits a packet's has (a key drawn from a rule that matches
 * more gets them). */
static void
rnd_port_vlan(uint64_t *s, struct dp_key *k)
{
	static const uint16_t vids[] = { 0, 0x1000, 0x1001, 0x1002, 0x1003, 0x1007, 0x1fff };

	if (rnd_n(s, 4) == 0)
		put32(k->f.in_port, rnd_n(s, 8) ? rnd_n(s, 8) : DP_SHAPE_PORTS + rnd_n(s, 4));
	if (rnd_n(s, 3) == 0) {
		put16(k->f.vlan_vid, vids[rnd_n(s, ARRAY_SIZE(vids))]);
		k->f.vlan_pcp[0] = k->f.vlan_vid[0] ? (uint8_t)rnd_n(s, 8) : 0;
	}
	k->f.vlan_vid[0] &= 0x1f;
}

/* Every packet gets the classifier's answer at version from the shape, its fields drawn
 * to match the table's rules (and, with port_vlan, rnd_port_vlan()); returns the hits. */
static unsigned
compare_at(struct table *t, const struct dp_shape *sh, uint64_t *s, uint64_t version,
	   bool port_vlan)
{
	unsigned hits = 0;
	/* The last BULK packets again through dp_shape_lookup_bulk(), as a burst. */
	enum { BULK = 32 };
	struct dp_key burst[BULK];
	const struct dp_key *bk[BULK];
	const struct dp_cls_rule *bwant[BULK], *bgot[BULK];
	uint32_t btag[BULK];
	uint64_t baux[BULK];

	_Static_assert(N_PACKETS >= BULK, "a burst of the packets compared");
	for (unsigned p = 0; p < N_PACKETS; p++) {
		struct dp_key k;

		rnd_key_for(s, t->recs, t->n, &k);
		if (port_vlan)
			rnd_port_vlan(s, &k);
		const struct dp_cls_rule *want = dp_cls_lookup(&t->cls, &k, version);
		const struct dp_cls_rule *got = dp_shape_lookup(sh, &k);

		ck_assert_msg(got == want, "packet %u: shape %s got %d want %d (ref %d)", p,
			      dp_shape_kind_name(sh->kind), result_id(got), result_id(want),
			      ref_lookup(t->recs, t->n, &k, version));
		hits += want != NULL;
		if (p >= N_PACKETS - BULK) {
			burst[p - (N_PACKETS - BULK)] = k;
			bwant[p - (N_PACKETS - BULK)] = want;
		}
	}
	for (unsigned j = 0; j < BULK; j++)
		bk[j] = &burst[j];
	dp_shape_lookup_bulk(sh, bk, BULK, bgot, btag, baux);
	for (unsigned j = 0; j < BULK; j++) {
		ck_assert_msg(bgot[j] == bwant[j], "burst packet %u: shape %s got %d want %d", j,
			      dp_shape_kind_name(sh->kind), result_id(bgot[j]),
			      result_id(bwant[j]));
		/* The winner's tag and aux come with it exactly when its slot holds them:
		 * an exact shape's rule of the main mask (not an extra), slots with room. */
		bool extra = false;

		for (unsigned x = 0; x < sh->n_extra; x++)
			extra |= sh->extra[x].rule == bgot[j];
		bool want_tag = sh->kind == DP_SHAPE_EXACT && sh->slot_aux && bgot[j] && !extra;

		ck_assert_uint_eq(btag[j], want_tag ? bgot[j]->tag : 0);
		if (want_tag) {
			ck_assert_uint_eq(baux[j], bgot[j]->aux);
			tagged++;
		}
	}
	return hits;
}

static unsigned
compare(struct table *t, const struct dp_shape *sh, uint64_t *s)
{
	return compare_at(t, sh, s, 1, false);
}

/* Random tables of one main mask and 0..DP_SHAPE_MAX_EXTRA rules of other masks
 * (values and priorities drawn so that overlaps and equal priorities happen): where a
 * shape is built it answers as the classifier; ties are left generic. */
START_TEST(test_random_shapes)
{
	uint64_t s = 77 + (uint64_t)_i * 104729;
	unsigned built = 0, generic = 0, kinds[DP_SHAPE_N] = { 0 }, hits = 0;

	tagged = 0;
	for (unsigned round = 0; round < 60; round++) {
		struct table t;
		struct rec main, r;
		unsigned n_main = 1 + rnd_n(&s, rnd_n(&s, 2) ? 2000 : 20);
		unsigned n_extra = rnd_n(&s, DP_SHAPE_MAX_EXTRA + 1);
		bool port_only = rnd_n(&s, 4) == 0;
		bool tie_prone = rnd_n(&s, 8) == 0;

		table_init(&t, n_main + n_extra);
		rnd_rec(&s, &main);
		if (port_only) {
			struct dp_key m;

			memset(&m, 0, sizeof(m));
			memset(m.f.in_port, 0xff, 4);
			rec_fill(&main, &main.value, &m, main.priority);
		}
		for (unsigned i = 0; i < n_main; i++) {
			struct dp_key v;

			rnd_packet_fields(&s, &v);
			if (port_only) /* ports 1..4 mostly; some beyond the array */
				put32(v.f.in_port,
				      rnd_n(&s, 8) ? 1 + rnd_n(&s, 4) : 1000 + rnd_n(&s, 100));
			/* Ties (same value and priority) now and then: left generic. */
			rec_fill(&r, &v, &main.mask,
				 tie_prone ? rnd_prio(&s) : (uint16_t)(1000 + rnd_n(&s, 60000)));
			table_add(&t, &r);
		}
		for (unsigned i = 0; i < n_extra; i++) {
			rnd_rec(&s, &r);
			if (!tie_prone && r.priority)
				r.priority = (uint16_t)(1000 + rnd_n(&s, 60000));
			table_add(&t, &r);
		}
		struct dp_shape *sh = table_shape(&t, &s, 5);

		if (sh) {
			built++;
			kinds[sh->kind]++;
			ck_assert_uint_eq(sh->version, 5);
			ck_assert_uint_eq(sh->n_rules, t.n);
			hits += compare(&t, sh, &s);
			dp_shape_free(sh);
		} else {
			generic++;
		}
		table_fini(&t);
	}
	/* Most sets compile; both the array and the hash are exercised. */
	ck_assert_uint_gt(built, generic);
	ck_assert_uint_gt(hits, built * N_PACKETS / 2); /* packets mostly match some rule */
	printf("random shapes: %u built (%u exact, %u in_port, %u skip), %u generic, %u hits, "
	       "%u tagged\n",
	       built, kinds[DP_SHAPE_EXACT], kinds[DP_SHAPE_PORT], kinds[DP_SHAPE_SKIP], generic,
	       hits, tagged);
	ck_assert_uint_gt(kinds[DP_SHAPE_EXACT], 0);
	ck_assert_uint_gt(tagged, 0); /* slots handed tags over */
	ck_assert_uint_gt(kinds[DP_SHAPE_PORT] + kinds[DP_SHAPE_SKIP], 0);
}
END_TEST

/* An in_port+vlan_vid rule under vid_mask: a port 1..6 (or, with far_port, one beyond a
 * shape's array), no VLAN (0), priority-tagged (0x1000) or a VID 1..n_vids; priorities
 * from few values when tie_prone. */
static void
rnd_pv_rec(uint64_t *s, struct rec *r, uint16_t vid_mask, unsigned n_vids, bool far_port,
	   bool tie_prone)
{
	struct dp_key v, m;
	unsigned vid = rnd_n(s, n_vids + 2);

	rnd_packet_fields(s, &v);
	memset(&m, 0, sizeof(m));
	set_exact(m.f.in_port, 4);
	put16(m.f.vlan_vid, vid_mask);
	put32(v.f.in_port, far_port ? DP_SHAPE_PORTS + rnd_n(s, 4) : 1 + rnd_n(s, 6));
	put16(v.f.vlan_vid, vid == 0 ? 0 : (uint16_t)(0x1000 | (vid - 1)));
	if (rnd_n(s, 50) == 0) /* a value no packet has (the slots' empty mark among them) */
		put16(v.f.vlan_vid, rnd_n(s, 2) ? 0xffff : (uint16_t)(0x2000 | vid));
	rec_fill(r, &v, &m, tie_prone ? rnd_prio(s) : (uint16_t)(1000 + rnd_n(s, 60000)));
}

/* A rule of another mask, as VLAN tables have them: any realistic mask, a drop of the
 * IEEE reserved multicast destinations, a table-miss, in_port alone, any tagged frame,
 * the broadcast of one port and VLAN. */
static void
rnd_pv_extra(uint64_t *s, struct rec *r, bool tie_prone)
{
	static const uint8_t reserved[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
	struct dp_key v, m;
	uint16_t prio = tie_prone ? rnd_prio(s) : (uint16_t)(1000 + rnd_n(s, 60000));

	rnd_packet_fields(s, &v);
	memset(&m, 0, sizeof(m));
	switch (rnd_n(s, 6)) {
	case 0:
		rnd_rec(s, r);
		if (!tie_prone && r->priority)
			r->priority = prio;
		return;
	case 1:
		memcpy(v.f.eth_dst, reserved, 6);
		set_exact(m.f.eth_dst, 5);
		m.f.eth_dst[5] = 0xf0;
		break;
	case 2:
		if (rnd_n(s, 2))
			prio = 0;
		break;
	case 3:
		set_exact(m.f.in_port, 4);
		break;
	case 4:
		put16(v.f.vlan_vid, 0x1000);
		put16(m.f.vlan_vid, 0x1000);
		break;
	default:
		set_exact(m.f.in_port, 4);
		put16(m.f.vlan_vid, 0x1fff);
		set_exact(v.f.eth_dst, 6);
		set_exact(m.f.eth_dst, 6);
		break;
	}
	rec_fill(r, &v, &m, prio);
}

/* Random in_port+vlan_vid tables (exact VIDs, untagged and priority-tagged; a VID mask
 * of the present bit or of the VID alone now and then) with up to DP_SHAPE_MAX_EXTRA
 * rules of other masks, changed over versions (rules removed and added, the shape
 * rebuilt each time): every shape answers as the classifier at its version, for
 * tagged, untagged and priority-tagged packets on ports inside and beyond the array. A
 * port beyond the array or with more than DP_SHAPE_VIDS VLAN values makes the table
 * exact, a tie generic, and removing the cause brings the array back. */
START_TEST(test_random_port_vlan)
{
	static const uint16_t vid_masks[] = { 0xffff, 0xffff, 0x1fff, 0x1000, 0x0fff };
	uint64_t s = 991 + (uint64_t)_i * 7919;
	unsigned kinds[DP_SHAPE_N] = { 0 }, hits = 0, back = 0;

	for (unsigned round = 0; round < 30; round++) {
		uint16_t vid_mask = vid_masks[rnd_n(&s, ARRAY_SIZE(vid_masks))];
		unsigned n_main = 1 + rnd_n(&s, rnd_n(&s, 2) ? 300 : 12);
		/* VIDs drawn from 4, or from more than DP_SHAPE_VIDS */
		unsigned n_vids = rnd_n(&s, 5) ? 4 : DP_SHAPE_VIDS + 24;
		bool far = rnd_n(&s, 6) == 0, tie_prone = rnd_n(&s, 8) == 0;
		unsigned prev_kind = DP_SHAPE_N;
		struct table t;
		struct rec r;

		table_init(&t, 2 * n_main + 4 * (DP_SHAPE_MAX_EXTRA + 4));
		for (uint64_t v = 1; v <= 4; v++) {
			unsigned add = v == 1 ? n_main : n_main / 4 + 1, visible = 0;
			unsigned extras =
				v == 1 ? rnd_n(&s, DP_SHAPE_MAX_EXTRA + 1) : rnd_n(&s, 3) == 0;

			for (unsigned i = 0; i < t.n && v > 1; i++)
				if (t.recs[i].rem_v > v && rnd_n(&s, 4) == 0)
					table_remove(&t, i, v);
			for (unsigned i = 0; i < add; i++) {
				rnd_pv_rec(&s, &r, vid_mask, n_vids, far && v == 1 && i == 0,
					   tie_prone);
				table_add_at(&t, &r, v);
			}
			for (unsigned i = 0; i < extras; i++) {
				rnd_pv_extra(&s, &r, tie_prone);
				table_add_at(&t, &r, v);
			}
			for (unsigned i = 0; i < t.n; i++)
				visible += t.recs[i].add_v <= v && v < t.recs[i].rem_v;

			struct dp_shape *sh = table_shape(&t, &s, v);
			unsigned kind = sh ? sh->kind : DP_SHAPE_GENERIC;

			kinds[kind]++;
			back += kind == DP_SHAPE_PORT_VLAN && prev_kind != DP_SHAPE_N &&
				prev_kind != DP_SHAPE_PORT_VLAN;
			prev_kind = kind;
			if (sh) {
				ck_assert_uint_eq(sh->version, v);
				ck_assert_uint_eq(sh->n_rules, visible);
				hits += compare_at(&t, sh, &s, v, true);
				dp_shape_free(sh);
			}
		}
		table_fini(&t);
	}
	printf("random in_port+vlan shapes: %u in_port_vlan, %u exact, %u in_port, %u generic, "
	       "%u back to the array, %u hits\n",
	       kinds[DP_SHAPE_PORT_VLAN], kinds[DP_SHAPE_EXACT], kinds[DP_SHAPE_PORT],
	       kinds[DP_SHAPE_GENERIC], back, hits);
	ck_assert_uint_gt(kinds[DP_SHAPE_PORT_VLAN], kinds[DP_SHAPE_EXACT]);
	ck_assert_uint_gt(kinds[DP_SHAPE_EXACT], 0);
	ck_assert_uint_gt(hits, 0);
}
END_TEST

static struct rec
mk_rec(const char *what, uint32_t v, uint16_t prio)
{
	struct dp_key k, m;
	struct rec r;

	memset(&k, 0, sizeof(k));
	memset(&m, 0, sizeof(m));
	if (!strcmp(what, "in_port")) {
		put32(k.f.in_port, v);
		memset(m.f.in_port, 0xff, 4);
	} else if (!strcmp(what, "in_port_vlan")) { /* v: port << 16 | vlan_vid */
		put32(k.f.in_port, v >> 16);
		put16(k.f.vlan_vid, (uint16_t)v);
		memset(m.f.in_port, 0xff, 4);
		put16(m.f.vlan_vid, 0xffff);	/* as oxm_parse() gives an exact vlan_vid */
	} else if (!strcmp(what, "reserved")) { /* the IEEE 802.1D/LLDP destinations */
		static const uint8_t d[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
		memcpy(k.f.eth_dst, d, 6);
		memset(m.f.eth_dst, 0xff, 5);
		m.f.eth_dst[5] = 0xf0;
	} else if (!strcmp(what, "ip_dst")) {
		put16(k.f.eth_type, 0x0800);
		put32(k.f.ipv4_dst, v);
		memset(m.f.eth_type, 0xff, 2);
		memset(m.f.ipv4_dst, 0xff, 4);
	} else if (!strcmp(what, "ip_src")) {
		put16(k.f.eth_type, 0x0800);
		put32(k.f.ipv4_src, v);
		memset(m.f.eth_type, 0xff, 2);
		memset(m.f.ipv4_src, 0xff, 4);
	} else if (!strcmp(what, "vlan_mac")) {
		put16(k.f.vlan_vid, 0x1000 | 7);
		memcpy(k.f.eth_dst, macs[3], 6);
		k.f.eth_dst[4] = (uint8_t)(v >> 8);
		k.f.eth_dst[5] = (uint8_t)v;
		memset(m.f.vlan_vid, 0xff, 2);
		memset(m.f.eth_dst, 0xff, 6);
	} /* else "any": match-all */
	rec_fill(&r, &k, &m, prio);
	return r;
}

static unsigned
kind_of(struct table *t, uint64_t *s)
{
	struct dp_shape *sh = table_shape(t, s, 1);
	unsigned k = sh ? sh->kind : DP_SHAPE_GENERIC;

	if (sh)
		compare(t, sh, s);
	dp_shape_free(sh);
	return k;
}

/* The shape each kind of rule set gets, and a table changing shape as rules come. */
START_TEST(test_kinds)
{
	uint64_t s = 3;
	struct table t;
	struct rec r;

	table_init(&t, 64);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_EMPTY);
	r = mk_rec("any", 0, 0);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_SKIP);
	for (unsigned p = 1; p <= 8; p++) {
		r = mk_rec("in_port", p, 10);
		table_add(&t, &r);
	}
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT); /* the match-all is an extra */
	r = mk_rec("in_port", 3, 20);
	table_add(&t, &r); /* a higher priority for port 3 */
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT);
	r = mk_rec("in_port", 3, 20);
	table_add(&t, &r); /* a tie (dp_cls: the first inserted): not compiled */
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_GENERIC);
	table_fini(&t);

	/* An in_port table gains IP rules: extras up to DP_SHAPE_MAX_EXTRA, then generic. */
	table_init(&t, 64);
	for (unsigned p = 1; p <= 8; p++) {
		r = mk_rec("in_port", p, 10);
		table_add(&t, &r);
	}
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT);
	for (unsigned i = 0; i < DP_SHAPE_MAX_EXTRA; i++) {
		r = mk_rec(i % 2 ? "ip_src" : "ip_dst", 0x0a000000u | i, (uint16_t)(100 + i));
		table_add(&t, &r);
		ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT);
	}
	r = mk_rec("ip_dst", 0x0a0000ffu, 90);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_GENERIC);
	table_fini(&t);

	/* A VLAN+MAC table with a table-miss and an in_port rule: exact. */
	table_init(&t, 64);
	for (unsigned i = 0; i < 40; i++) {
		r = mk_rec("vlan_mac", i, 100);
		table_add(&t, &r);
	}
	r = mk_rec("any", 0, 0);
	table_add(&t, &r);
	r = mk_rec("in_port", 2, 200);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_EXACT);
	/* An extra at a priority a main rule has, overlapping it: generic. */
	r = mk_rec("any", 0, 100);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_GENERIC);
	table_fini(&t);

	/* Faucet's VLAN table: untagged ports 1, 2 pushed to VLAN 100, a tagged port 3, the
	 * reserved addresses dropped above them, a table-miss drop: the array. */
	table_init(&t, DP_SHAPE_VIDS + 16);
	r = mk_rec("reserved", 0, 9001);
	table_add(&t, &r);
	r = mk_rec("any", 0, 0);
	table_add(&t, &r);
	for (unsigned p = 1; p <= 2; p++) {
		r = mk_rec("in_port_vlan", p << 16 | 0, 9000);
		table_add(&t, &r);
	}
	r = mk_rec("in_port_vlan", 3 << 16 | 0x1000 | 100, 9000);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT_VLAN);
	/* Port 3 carries DP_SHAPE_VIDS VLANs, then one more: the hash takes the table. */
	for (unsigned v = 101; v < 100 + DP_SHAPE_VIDS; v++) {
		r = mk_rec("in_port_vlan", 3 << 16 | 0x1000 | v, 9000);
		table_add(&t, &r);
	}
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT_VLAN);
	r = mk_rec("in_port_vlan", 3 << 16 | 0x1000 | 200, 9000);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_EXACT);
	table_fini(&t);

	/* A port beyond the array (LOCAL): the hash. A tie on one port and VLAN: generic; a
	 * lower priority rule under the winner is fine. */
	table_init(&t, 64);
	r = mk_rec("in_port_vlan", 1 << 16 | 0x1005, 10);
	table_add(&t, &r);
	r = mk_rec("in_port_vlan", 1 << 16 | 0x1005, 5);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT_VLAN);
	r = mk_rec("in_port_vlan", 1 << 16 | 0x1005, 5);
	table_add(&t, &r); /* ties the loser: never matters */
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_PORT_VLAN);
	r = mk_rec("in_port_vlan", 1 << 16 | 0x1005, 10);
	table_add(&t, &r); /* ties the winner */
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_GENERIC);
	table_fini(&t);
	table_init(&t, 64);
	r = mk_rec("in_port_vlan", 1 << 16 | 0x1005, 10);
	table_add(&t, &r);
	r = mk_rec("in_port_vlan", (uint32_t)DP_SHAPE_PORTS << 16 | 0x1005, 10);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_EXACT);
	table_fini(&t);

	/* Two match-all rules: one hash of no words, the higher priority wins. */
	table_init(&t, 4);
	r = mk_rec("any", 0, 5);
	table_add(&t, &r);
	r = mk_rec("any", 0, 7);
	table_add(&t, &r);
	ck_assert_uint_eq(kind_of(&t, &s), DP_SHAPE_EXACT);
	table_fini(&t);
}
END_TEST

static Suite *
shape_suite(void)
{
	Suite *s = suite_create("dp_shape");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, test_random_shapes, 0, 4);
	tcase_add_loop_test(tc, test_random_port_vlan, 0, 4);
	tcase_add_test(tc, test_kinds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testgen_main("test_dp_shape", shape_suite);
}
