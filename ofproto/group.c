/* Group table of a bridge in the agent (see group.h). */
#include "group.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bridge.h"
#include "buf.h"
#include "datapath.h"
#include "idtable.h"
#include "rule.h"
#include "state_fmt.h"
#include "util.h"
#include "vlog.h"

#define MOD "group"

struct ogroup {
	uint32_t id;
	uint8_t type;
	uint8_t depth;	   /* groups a packet entering it passes through, at most */
	uint32_t cost;	   /* bucket executions a packet entering it causes, at most */
	uint32_t n_flows;  /* flows whose actions send to it (group_count_flow()) */
	uint32_t n_users;  /* references to it from other groups' actions and watches */
	uint32_t *refs;	   /* groups its buckets send to, bucket after bucket */
	uint32_t *bend;	   /* [n_buckets]: bucket b's refs end at refs[bend[b]] */
	uint32_t *watches; /* groups its buckets watch */
	size_t n_refs, n_buckets, n_watches;
	uint64_t mark;	   /* graph walk stamp */
	uint8_t new_depth; /* evaluation under way: depth and cost */
	uint32_t new_cost;
	uint8_t *raw; /* the GROUP_MOD it came from */
	size_t len;
	struct state_counters *base; /* restored counters it continues from, or NULL */
};

_Static_assert(DP_GROUP_MAX_BUCKETS <= STATE_MAX_COUNTERS, "a state keeps every bucket's counters");

/* One struct idtable of struct ogroup per bridge. */
static struct idtable *tables;
static uint64_t walk_stamp;
static unsigned budget = GROUP_DEFAULT_BUDGET;

void
group_set_budget(unsigned n)
{
	budget = n ? n : GROUP_DEFAULT_BUDGET;
}

bool
group_exists(uint32_t id, void *aux)
{
	return idtable_lookup(idtable_of(&tables, aux, false), id) != NULL;
}

static void
og_free(void *obj)
{
	struct ogroup *g = obj;

	if (g) {
		free(g->refs);
		free(g->bend);
		free(g->watches);
		free(g->raw);
		free(g->base);
		free(g);
	}
}

static struct ogroup *
og_new(const struct ofp_group_mod *gm, const uint8_t *raw, size_t len)
{
	struct ogroup *g = calloc(1, sizeof(*g));
	size_t n = 0, nb = gm->buckets.n;

	if (!g)
		return NULL;
	for (size_t i = 0; i < nb; i++)
		n += gm->buckets.items[i].actions.n;
	g->id = gm->group_id;
	g->type = gm->type;
	g->refs = calloc(n ? n : 1, sizeof(*g->refs));
	g->bend = calloc(nb ? nb : 1, sizeof(*g->bend));
	g->watches = calloc(nb ? nb : 1, sizeof(*g->watches));
	g->raw = malloc(len);
	if (!g->refs || !g->bend || !g->watches || !g->raw) {
		og_free(g);
		return NULL;
	}
	memcpy(g->raw, raw, len);
	g->len = len;
	g->n_buckets = nb;
	for (size_t i = 0; i < nb; i++) {
		const struct ofp_bucket *b = &gm->buckets.items[i];
		const struct ofp_action_list *l = &b->actions;

		for (size_t k = 0; k < l->n; k++)
			if (l->actions[k].type == OFPAT_GROUP)
				g->refs[g->n_refs++] = l->actions[k].group_id;
		g->bend[i] = (uint32_t)g->n_refs;
		if (b->watch_group != OFPG_ANY)
			g->watches[g->n_watches++] = b->watch_group;
	}
	return g;
}

/* ---- The group graph ------------------------------------------------------------------
 * Nodes are groups; edges are group actions (refs) and watched groups (watches). A
 * GROUP_MOD that adds or replaces g is checked against the graph as it would be: every
 * edge names an existing group (BAD_OUT_GROUP, BAD_WATCH), no cycle through either kind
 * of edge (LOOP), no chain of group actions deeper than the datapath executes
 * (CHAINING_UNSUPPORTED) and no group whose worst-case bucket executions per packet
 * exceed the budget (OUT_OF_BUCKETS: a packet entering it would run more buckets than a
 * group may have, counting the buckets of the groups it chains to). Each walk visits a
 * group once (a stamp in the group): linear in groups plus references. */

/* The group with this id in the graph where repl stands for its id. */
static struct ogroup *
node(const struct idtable *t, const struct ogroup *repl, uint32_t id)
{
	return id == repl->id ? (struct ogroup *)repl : idtable_lookup(t, id);
}

struct idstack {
	uint32_t *v;
	size_t n, cap;
};

static int
push_ids(struct idstack *st, const uint32_t *ids, size_t n)
{
	if (st->n + n > st->cap) {
		size_t cap = PFS_MAX(st->cap * 2, st->n + n + 16);
		uint32_t *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	if (n) /* ids may be NULL for a group without references */
		memcpy(&st->v[st->n], ids, n * sizeof(*ids));
	st->n += n;
	return 0;
}

/* 1 if following refs and watches from g's edges comes back to g, 0 if not, -ENOMEM.
 * Depth-first with an explicit stack: a 64k-group watch chain is no recursion. */
static int
cycles_back(const struct idtable *t, const struct ogroup *g)
{
	struct idstack st = { NULL, 0, 0 };
	uint64_t stamp = ++walk_stamp;
	int rc = 0;

	if (push_ids(&st, g->refs, g->n_refs) < 0 || push_ids(&st, g->watches, g->n_watches) < 0)
		rc = -ENOMEM;
	while (rc == 0 && st.n) {
		uint32_t id = st.v[--st.n];
		struct ogroup *x;

		if (id == g->id) {
			rc = 1;
			break;
		}
		x = idtable_lookup(t, id);
		if (!x || x->mark == stamp)
			continue;
		x->mark = stamp;
		if (push_ids(&st, x->refs, x->n_refs) < 0 ||
		    push_ids(&st, x->watches, x->n_watches) < 0)
			rc = -ENOMEM;
	}
	free(st.v);
	return rc;
}

/* Sets x->new_depth and x->new_cost from its children's values: with deep, recursing
 * into those not yet evaluated in this walk (stamp), else reading their committed
 * values. The action graph is acyclic and at most DP_GROUP_MAX_DEPTH deep on either side
 * of repl, so the recursion is short. */
static void
eval(const struct idtable *t, struct ogroup *x, const struct ogroup *repl, uint64_t stamp,
     bool deep)
{
	uint64_t cost = 0;
	unsigned depth = 0;

	x->mark = stamp;
	for (size_t b = 0; b < x->n_buckets; b++) {
		uint64_t bc = 1; /* the bucket itself: one copy of the packet */

		for (size_t k = b ? x->bend[b - 1] : 0; k < x->bend[b]; k++) {
			struct ogroup *c = node(t, repl, x->refs[k]);

			if (!c)
				continue;
			if (deep && c->mark != stamp)
				eval(t, c, repl, stamp, deep);
			depth = PFS_MAX(depth, deep ? c->new_depth : c->depth);
			bc += deep ? c->new_cost : c->cost;
		}
		cost = x->type == OFPGT_ALL ? cost + bc : PFS_MAX(cost, bc);
	}
	x->new_depth = (uint8_t)PFS_MIN(depth + 1, 255u);
	x->new_cost = (uint32_t)PFS_MIN(cost, (uint64_t)budget + 1);
}

static int
limits_check(const struct ogroup *x, struct ofp_err *err)
{
	if (x->new_depth > DP_GROUP_MAX_DEPTH)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_CHAINING_UNSUPPORTED);
	if (x->new_cost > budget)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
	return 0;
}

/* Counts g's references in the groups they name (delta +1 or -1). */
static void
count_users(const struct idtable *t, const struct ogroup *g, int delta)
{
	for (size_t i = 0; i < g->n_refs + g->n_watches; i++) {
		uint32_t id = i < g->n_refs ? g->refs[i] : g->watches[i - g->n_refs];
		struct ogroup *x = id == g->id ? NULL : idtable_lookup(t, id);

		if (x)
			x->n_users += (uint32_t)delta;
	}
}

/* Checks g (new, or replacing old, the group with its id in t) against the graph and,
 * when it passes, computes its depth and cost, and those of every group when a
 * replacement changes its users' (*all), for graph_commit(). 0, or -EPROTO with *err, or
 * -ENOMEM. */
static int
graph_check(struct idtable *t, struct ogroup *g, const struct ogroup *old, bool *all,
	    struct ofp_err *err)
{
	int rc;

	for (size_t i = 0; i < g->n_refs; i++) {
		if (g->refs[i] == g->id)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
		if (!idtable_lookup(t, g->refs[i]))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	}
	for (size_t i = 0; i < g->n_watches; i++) {
		if (g->watches[i] == g->id)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
		if (!idtable_lookup(t, g->watches[i]))
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_WATCH);
	}
	/* A new group has no user yet: only a replacement can close a cycle. */
	if (old) {
		rc = cycles_back(t, g);
		if (rc < 0)
			return rc;
		if (rc > 0)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
	}
	eval(t, g, g, ++walk_stamp, false);
	if (limits_check(g, err) < 0)
		return -EPROTO;
	*all = old && old->n_users && (g->new_depth != old->depth || g->new_cost != old->cost);
	if (*all) {
		/* Its users' values change too: evaluate the whole graph with g in. */
		uint64_t stamp = ++walk_stamp;

		for (size_t i = 0; i < t->n; i++) {
			struct ogroup *x = node(t, g, idtable_id(t->v[i]));

			if (x->mark != stamp)
				eval(t, x, g, stamp, true);
			if (limits_check(x, err) < 0)
				return -EPROTO;
		}
	}
	return 0;
}

/* Makes the values graph_check() computed for g (and every group: all) current, and
 * moves the references counted in the groups from old (NULL: none) to g. */
static void
graph_commit(struct idtable *t, struct ogroup *g, struct ogroup *old, bool all)
{
	for (size_t i = 0; all && i < t->n; i++) {
		struct ogroup *x = t->v[i];

		x->depth = x->new_depth;
		x->cost = x->new_cost;
	}
	g->depth = g->new_depth;
	g->cost = g->new_cost;
	if (old) {
		g->n_flows = old->n_flows;
		g->n_users = old->n_users;
		count_users(t, old, -1);
	}
	count_users(t, g, +1);
}

/* Liveness is evaluated for fast-failover buckets only (select buckets are chosen by
 * the hash alone), and only real ports (standard ones and LOCAL) have a link to watch. lib/ has
 * already refused malformed watches (BAD_WATCH). */
static int
watch_check(const struct ofp_group_mod *gm, struct ofp_err *err)
{
	for (size_t i = 0; i < gm->buckets.n; i++) {
		const struct ofp_bucket *b = &gm->buckets.items[i];
		bool watches = b->watch_port != OFPP_ANY || b->watch_group != OFPG_ANY;

		if ((watches && gm->type != OFPGT_FF) ||
		    (b->watch_port > OFPP_MAX && b->watch_port != OFPP_ANY &&
		     b->watch_port != OFPP_LOCAL))
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_WATCH_UNSUPPORTED);
	}
	return 0;
}

static void
del_one(struct bridge *br, struct idtable *t, size_t at)
{
	struct ogroup *g = t->v[at];

	if (g->n_flows)
		bridge_remove_flows_using(br, g->id, 0, OFPRR_GROUP_DELETE);
	dp_group_delete(br->dp, g->id);
	count_users(t, g, -1);
	idtable_remove(t, at);
	og_free(g);
	br->dirty = true;
}

/* OFPG_ALL: one pass over the flows, whatever the number of groups. */
static void
del_all(struct bridge *br, struct idtable *t)
{
	struct idtable gone = *t;
	bool flows = false;

	for (size_t i = 0; i < gone.n && !flows; i++)
		flows = ((struct ogroup *)gone.v[i])->n_flows != 0;
	/* Detached first: the flows leaving need not count themselves out of them. */
	t->v = NULL;
	idtable_clear(t);
	if (flows)
		bridge_remove_flows_using(br, OFPG_ALL, 0, OFPRR_GROUP_DELETE);
	dp_group_delete(br->dp, OFPG_ALL);
	for (size_t i = 0; i < gone.n; i++)
		og_free(gone.v[i]);
	free(gone.v);
	br->dirty = true;
}

static int
apply_mod(struct bridge *br, const struct ofp_group_mod *gm, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	struct idtable *t = idtable_of(&tables, br, true);
	struct dp_bucket_spec bs[DP_GROUP_MAX_BUCKETS];
	struct ogroup *g, *old;
	bool found, all;
	size_t at;
	int rc;

	if (!t)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	if (gm->command == OFPGC_DELETE) {
		if (gm->group_id == OFPG_ALL) {
			del_all(br, t);
			return 0;
		}
		at = idtable_find(t, gm->group_id, &found);
		if (!found)
			return 0; /* deleting a missing group is no error (6.5) */
		/* Refused rather than leaving another group's bucket sending to (or watching)
		 * nothing: CHAINED_GROUP exists for this, and OFPGFC_CHAINING_CHECKS says we
		 * check. */
		if (((struct ogroup *)t->v[at])->n_users)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_CHAINED_GROUP);
		del_one(br, t, at);
		return 0;
	}
	if (gm->command != OFPGC_ADD && gm->command != OFPGC_MODIFY)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_BAD_COMMAND);
	if (gm->group_id > OFPG_MAX)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_INVALID_GROUP);
	at = idtable_find(t, gm->group_id, &found);
	if (gm->command == OFPGC_ADD && found)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_GROUP_EXISTS);
	if (gm->command == OFPGC_MODIFY && !found)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_UNKNOWN_GROUP);
	if (!found && bridge_quota_group(br, t->n, err))
		return -EPROTO;
	if (gm->buckets.n > DP_GROUP_MAX_BUCKETS)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
	if (watch_check(gm, err) < 0)
		return -EPROTO;
	g = og_new(gm, raw, len);
	if (!g)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	old = found ? t->v[at] : NULL;
	rc = graph_check(t, g, old, &all, err);
	if (rc < 0) {
		og_free(g);
		if (rc == -ENOMEM)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
		return rc;
	}
	for (size_t i = 0; i < gm->buckets.n; i++) {
		const struct ofp_bucket *b = &gm->buckets.items[i];

		bs[i].weight = b->weight;
		bs[i].watch_port = b->watch_port;
		bs[i].watch_group = b->watch_group;
		bs[i].actions = &b->actions;
	}
	struct dp_group_spec spec = { gm->group_id, gm->type, (unsigned)gm->buckets.n, bs };

	if (idtable_reserve(t) < 0) {
		og_free(g);
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	}
	rc = found ? dp_group_modify(br->dp, &spec, err) : dp_group_add(br->dp, &spec, err);
	if (rc < 0) {
		og_free(g);
		if (rc == -ENOMEM)
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
		return -EPROTO;
	}
	br->dirty = true;
	graph_commit(t, g, old, all);
	if (old) {
		g->base = old->base; /* counters continue across a MODIFY */
		old->base = NULL;
	}
	og_free(idtable_put(t, at, found, g));
	return 0;
}

/* ---- Bundle commits: the groups a GROUP_MOD changes, as they were (bridge_snap) ---- */

static void
snap_raw_of(const void *obj, const uint8_t **raw, size_t *len)
{
	const struct ogroup *o = obj;

	*raw = o->raw;
	*len = o->len;
}

static int
snap_restore(struct bridge *br, uint32_t id, const uint8_t *raw, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod m;
	struct ofp_err err;
	int rc = ofp_group_mod_decode(raw, len, &a, &m, &err);

	if (!rc) {
		m.command = group_exists(id, br) ? OFPGC_MODIFY : OFPGC_ADD;
		rc = apply_mod(br, &m, raw, len, &err);
	}
	arena_free(&a);
	return rc;
}

static void
snap_remove(struct bridge *br, uint32_t id)
{
	struct ofp_group_mod del = { .command = OFPGC_DELETE, .group_id = id };
	struct ofp_err err;

	apply_mod(br, &del, NULL, 0, &err);
}

static const struct bridge_snap_ops snap_ops = {
	.what = "group",
	.all = OFPG_ALL,
	.raw_of = snap_raw_of,
	.restore = snap_restore,
	.remove = snap_remove,
};

int
group_mod(struct bridge *br, const struct ofp_group_mod *gm, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	struct bridge_snap *sn = NULL;
	int rc;

	if (br->journal &&
	    !(sn = bridge_snap_take(&snap_ops, idtable_of(&tables, br, false), gm->group_id)))
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	rc = apply_mod(br, gm, raw, len, err);
	if (sn && rc)
		bridge_snap_free(sn);
	else if (sn && bridge_snap_push(br, sn))
		rc = ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	return rc;
}

/* The group's counters as reported: the datapath's plus the restored base. */
static void
og_stats(struct bridge *br, const struct ogroup *g, struct dp_group_stats *st)
{
	const struct state_counters *b = g->base;

	memset(st, 0, sizeof(*st));
	dp_group_get_stats(br->dp, g->id, st);
	if (!b)
		return;
	st->packets += b->packets;
	st->bytes += b->bytes;
	st->duration_ns += b->duration_ns;
	for (unsigned k = 0; k < st->n_buckets && k < b->n; k++) {
		st->bucket_packets[k] += b->sub_packets[k];
		st->bucket_bytes[k] += b->sub_bytes[k];
	}
}

int
group_mp_stats(struct bridge *br, uint32_t group_id, struct ofp_mp_writer *w, struct buf *b)
{
	const struct idtable *t = idtable_of(&tables, br, false);
	struct ofp_bucket_counter bc[DP_GROUP_MAX_BUCKETS];

	size_t i0 = 0, i1 = t ? t->n : 0;
	bool found;

	if (t && group_id != OFPG_ALL) {
		i0 = idtable_find(t, group_id, &found);
		i1 = found ? i0 + 1 : i0;
	}
	for (size_t i = i0; i < i1; i++) {
		const struct ogroup *g = t->v[i];
		struct dp_group_stats st;
		struct ofp_group_stats gs;
		size_t ofs;

		og_stats(br, g, &st);
		memset(&gs, 0, sizeof(gs));
		gs.group_id = g->id;
		gs.ref_count = g->n_flows;
		gs.packet_count = st.packets;
		gs.byte_count = st.bytes;
		gs.duration_sec = (uint32_t)(st.duration_ns / 1000000000u);
		gs.duration_nsec = (uint32_t)(st.duration_ns % 1000000000u);
		for (unsigned k = 0; k < st.n_buckets; k++) {
			bc[k].packet_count = st.bucket_packets[k];
			bc[k].byte_count = st.bucket_bytes[k];
		}
		gs.bucket_stats.items = bc;
		gs.bucket_stats.n = st.n_buckets;
		ofs = ofp_mp_writer_entry_begin(w);
		ofp_group_stats_encode(&gs, b);
		ofp_mp_writer_entry_end(w, ofs);
	}
	return 0;
}

int
group_mp_desc(struct bridge *br, struct ofp_mp_writer *w, struct buf *b)
{
	const struct idtable *t = idtable_of(&tables, br, false);

	for (size_t i = 0; t && i < t->n; i++) {
		const struct ogroup *g = t->v[i];
		struct arena a = ARENA_INITIALIZER;
		struct ofp_group_mod gm;
		struct ofp_err err;
		size_t ofs;

		if (ofp_group_mod_decode(g->raw, g->len, &a, &gm, &err) == 0) {
			struct ofp_group_desc d = { gm.type, gm.group_id, gm.buckets };

			ofs = ofp_mp_writer_entry_begin(w);
			ofp_group_desc_encode(&d, b);
			ofp_mp_writer_entry_end(w, ofs);
		}
		arena_free(&a);
	}
	return 0;
}

void
group_features(struct ofp_group_features *f)
{
	uint32_t acts = 1u << OFPAT_OUTPUT | 1u << OFPAT_COPY_TTL_OUT | 1u << OFPAT_COPY_TTL_IN |
			1u << OFPAT_SET_MPLS_TTL | 1u << OFPAT_DEC_MPLS_TTL |
			1u << OFPAT_PUSH_VLAN | 1u << OFPAT_POP_VLAN | 1u << OFPAT_PUSH_MPLS |
			1u << OFPAT_POP_MPLS | 1u << OFPAT_SET_QUEUE | 1u << OFPAT_GROUP |
			1u << OFPAT_SET_NW_TTL | 1u << OFPAT_DEC_NW_TTL | 1u << OFPAT_SET_FIELD |
			1u << OFPAT_PUSH_PBB | 1u << OFPAT_POP_PBB;

	memset(f, 0, sizeof(*f));
	f->types = 1u << OFPGT_ALL | 1u << OFPGT_SELECT | 1u << OFPGT_INDIRECT | 1u << OFPGT_FF;
	f->capabilities = OFPGFC_SELECT_WEIGHT | OFPGFC_CHAINING | OFPGFC_CHAINING_CHECKS;
	for (unsigned i = 0; i < 4; i++) {
		f->max_groups[i] = DP_GROUP_MAX_GROUPS;
		f->actions[i] = acts;
	}
}

void
group_count_flow(struct bridge *br, uint32_t id, int delta)
{
	struct ogroup *g = idtable_lookup(idtable_of(&tables, br, false), id);

	if (g)
		g->n_flows += (uint32_t)delta;
}

void
group_bridge_destroy(struct bridge *br)
{
	idtable_forget(&tables, br, og_free);
}

size_t
group_ids(struct bridge *br, uint32_t *ids, size_t n)
{
	const struct idtable *t = idtable_of(&tables, br, false);

	if (!t)
		return 0;
	for (size_t i = 0; i < t->n && i < n; i++)
		ids[i] = idtable_id(t->v[i]);
	return t->n;
}

int
group_state_get(struct bridge *br, uint32_t id, const uint8_t **raw, size_t *len,
		struct state_counters *c)
{
	const struct ogroup *g = idtable_lookup(idtable_of(&tables, br, false), id);
	struct dp_group_stats st;

	if (!g)
		return -ENOENT;
	*raw = g->raw;
	*len = g->len;
	og_stats(br, g, &st);
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->n = st.n_buckets < STATE_MAX_COUNTERS ? st.n_buckets : STATE_MAX_COUNTERS;
	c->packets = st.packets;
	c->bytes = st.bytes;
	c->duration_ns = st.duration_ns;
	for (unsigned k = 0; k < c->n; k++) {
		c->sub_packets[k] = st.bucket_packets[k];
		c->sub_bytes[k] = st.bucket_bytes[k];
	}
	return 0;
}

int
group_state_set_base(struct bridge *br, uint32_t id, const struct state_counters *c)
{
	struct ogroup *g = idtable_lookup(idtable_of(&tables, br, false), id);

	if (!g)
		return -ENOENT;
	if (!g->base) {
		g->base = malloc(sizeof(*g->base));
		if (!g->base)
			return -ENOMEM;
	}
	*g->base = *c;
	return 0;
}
