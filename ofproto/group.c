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

struct ogroup {
	uint32_t id;
	uint8_t type;
	uint32_t *refs; /* groups its buckets send to */
	size_t n_refs;
	uint8_t *raw; /* the GROUP_MOD it came from */
	size_t len;
};

/* One struct idtable of struct ogroup per bridge. */
static struct idtable *tables;

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
		free(g->raw);
		free(g);
	}
}

/* True if following group references from `from` reaches `target`. */
static bool
reaches(const struct idtable *t, uint32_t from, uint32_t target, unsigned depth)
{
	const struct ogroup *g;

	if (from == target)
		return true;
	if (depth > 64 || !(g = idtable_lookup(t, from)))
		return false;
	for (size_t i = 0; i < g->n_refs; i++)
		if (reaches(t, g->refs[i], target, depth + 1))
			return true;
	return false;
}

static struct ogroup *
og_new(const struct ofp_group_mod *gm, const uint8_t *raw, size_t len)
{
	struct ogroup *g = calloc(1, sizeof(*g));
	size_t n = 0;

	if (!g)
		return NULL;
	for (size_t i = 0; i < gm->buckets.n; i++)
		n += gm->buckets.items[i].actions.n;
	g->id = gm->group_id;
	g->type = gm->type;
	g->refs = calloc(n ? n : 1, sizeof(*g->refs));
	g->raw = malloc(len);
	if (!g->refs || !g->raw) {
		og_free(g);
		return NULL;
	}
	memcpy(g->raw, raw, len);
	g->len = len;
	for (size_t i = 0; i < gm->buckets.n; i++) {
		const struct ofp_action_list *l = &gm->buckets.items[i].actions;

		for (size_t k = 0; k < l->n; k++)
			if (l->actions[k].type == OFPAT_GROUP)
				g->refs[g->n_refs++] = l->actions[k].group_id;
	}
	return g;
}

/* True if a group other than id itself sends to id. */
static bool
chained(const struct idtable *t, uint32_t id)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct ogroup *g = t->v[i];

		for (size_t k = 0; g->id != id && k < g->n_refs; k++)
			if (g->refs[k] == id)
				return true;
	}
	return false;
}

/* Liveness is evaluated for fast-failover buckets only (select buckets are chosen by
 * the hash alone), and only real ports have a link to watch. lib/ has already refused
 * malformed watches (BAD_WATCH). */
static int
watch_check(const struct ofp_group_mod *gm, struct ofp_err *err)
{
	for (size_t i = 0; i < gm->buckets.n; i++) {
		const struct ofp_bucket *b = &gm->buckets.items[i];
		bool watches = b->watch_port != OFPP_ANY || b->watch_group != OFPG_ANY;

		if ((watches && gm->type != OFPGT_FF) ||
		    (b->watch_port > OFPP_MAX && b->watch_port != OFPP_ANY))
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_WATCH_UNSUPPORTED);
	}
	return 0;
}

static void
remove_flows(struct bridge *br, uint32_t id)
{
	bridge_remove_flows_using(br, id, OFPM_ALL, OFPRR_GROUP_DELETE);
}

static int
del_one(struct bridge *br, struct idtable *t, size_t at)
{
	struct ogroup *g = t->v[at];

	remove_flows(br, g->id);
	dp_group_delete(br->dp, g->id);
	idtable_remove(t, at);
	og_free(g);
	br->dirty = true;
	return 0;
}

int
group_mod(struct bridge *br, const struct ofp_group_mod *gm, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	struct idtable *t = idtable_of(&tables, br, true);
	struct dp_bucket_spec bs[DP_GROUP_MAX_BUCKETS];
	struct ogroup *g;
	bool found;
	size_t at;
	int rc;

	if (!t)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	if (gm->command == OFPGC_DELETE) {
		if (gm->group_id == OFPG_ALL) {
			while (t->n)
				del_one(br, t, t->n - 1);
			return 0;
		}
		at = idtable_find(t, gm->group_id, &found);
		if (!found)
			return 0; /* deleting a missing group is no error (6.5) */
		/* Refused rather than leaving another group's bucket sending to nothing:
		 * CHAINED_GROUP exists for this, and OFPGFC_CHAINING_CHECKS says we check. */
		if (chained(t, gm->group_id))
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
	if (!found && t->n >= DP_GROUP_MAX_GROUPS)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	if (gm->buckets.n > DP_GROUP_MAX_BUCKETS)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_BUCKETS);
	if (watch_check(gm, err) < 0)
		return -EPROTO;
	g = og_new(gm, raw, len);
	if (!g)
		return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_OUT_OF_GROUPS);
	for (size_t i = 0; i < g->n_refs; i++) {
		if (g->refs[i] == g->id || reaches(t, g->refs[i], g->id, 0)) {
			og_free(g);
			return ofp_err_set(err, OFPET_GROUP_MOD_FAILED, OFPGMFC_LOOP);
		}
		if (!idtable_lookup(t, g->refs[i])) {
			og_free(g);
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
		}
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
	og_free(idtable_put(t, at, found, g));
	return 0;
}

/* Flows whose actions send to group id. */
static uint32_t
ref_count(struct bridge *br, uint32_t id)
{
	struct ofp_match any;
	struct rule_filter f = {
		.table_id = OFPTT_ALL, .match = &any, .out_port = OFPP_ANY, .out_group = id
	};
	struct rule **v = NULL;
	long n;

	oxm_match_init(&any);
	n = rule_set_collect(&br->rules, &f, &v);
	free(v);
	return n > 0 ? (uint32_t)n : 0;
}

int
group_mp_stats(struct bridge *br, uint32_t group_id, struct ofp_mp_writer *w, struct buf *b)
{
	const struct idtable *t = idtable_of(&tables, br, false);
	struct ofp_bucket_counter bc[DP_GROUP_MAX_BUCKETS];

	for (size_t i = 0; t && i < t->n; i++) {
		const struct ogroup *g = t->v[i];
		struct dp_group_stats st;
		struct ofp_group_stats gs;
		size_t ofs;

		if (group_id != OFPG_ALL && g->id != group_id)
			continue;
		memset(&st, 0, sizeof(st));
		dp_group_get_stats(br->dp, g->id, &st);
		memset(&gs, 0, sizeof(gs));
		gs.group_id = g->id;
		gs.ref_count = ref_count(br, g->id);
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
group_bridge_destroy(struct bridge *br)
{
	idtable_forget(&tables, br, og_free);
}
