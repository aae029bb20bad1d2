/* A bridge's table pipeline as TABLE_FEATURES set it (see pipeline.h): the request is
 * compiled into one 256-bit id set per property type and table, so a FLOW_MOD check is a
 * few bit tests per field, instruction and action. */
#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_table.h"
#include "oxm.h"
#include "util.h"

#define N_PROP_TYPES 16 /* OFPTFPT_INSTRUCTIONS .. OFPTFPT_APPLY_SETFIELD_MISS */

struct pl_table {
	bool present;
	bool custom; /* set by a request; else the default features */
	uint32_t max_entries;
	uint64_t metadata_match, metadata_write;
	uint16_t limited;	       /* bit per property type whose list constrains */
	uint64_t ids[N_PROP_TYPES][4]; /* per property type: ids listed (256-bit set) */
	uint64_t match_masked;	       /* MATCH fields listed with hasmask */
	uint8_t *wire;		       /* custom: the features as the reply encodes them */
	size_t wire_len;
};

struct pipeline {
	unsigned n_tables;
	struct pl_table t[256];
};

static bool
id_has(const uint64_t set[4], unsigned id)
{
	return id < 256 && (set[id / 64] >> (id % 64)) & 1;
}

static void
id_add(uint64_t set[4], unsigned id)
{
	set[id / 64] |= 1ull << (id % 64);
}

static bool
limited(const struct pl_table *t, unsigned type)
{
	return (t->limited >> type) & 1;
}

struct pipeline *
pipeline_create_default(unsigned n_tables, uint32_t max_entries)
{
	struct pipeline *pl = pfs_calloc(1, sizeof(*pl));

	if (!pl)
		return NULL;
	pl->n_tables = n_tables;
	for (unsigned t = 0; t < n_tables && t < 256; t++) {
		pl->t[t].present = true;
		pl->t[t].max_entries = max_entries;
		pl->t[t].metadata_match = UINT64_MAX;
		pl->t[t].metadata_write = UINT64_MAX;
	}
	return pl;
}

void
pipeline_destroy(struct pipeline *pl)
{
	if (!pl)
		return;
	for (unsigned t = 0; t < 256; t++)
		free(pl->t[t].wire);
	free(pl);
}

static int
tf_fail(struct ofp_err *err, uint16_t code)
{
	return ofp_err_set(err, OFPET_TABLE_FEATURES_FAILED, code);
}

static bool
action_type_known(uint16_t type)
{
	return type == OFPAT_OUTPUT || type == OFPAT_COPY_TTL_OUT || type == OFPAT_COPY_TTL_IN ||
	       (type >= OFPAT_SET_MPLS_TTL && type <= OFPAT_POP_PBB);
}

static bool
is_setfield_type(uint16_t type)
{
	return type == OFPTFPT_WRITE_SETFIELD || type == OFPTFPT_WRITE_SETFIELD_MISS ||
	       type == OFPTFPT_APPLY_SETFIELD || type == OFPTFPT_APPLY_SETFIELD_MISS;
}

/* Compiles one property into t; table_id is the table it belongs to. */
static int
compile_prop(const struct pipeline *pl, uint8_t table_id, const struct ofp_table_feature_prop *p,
	     struct pl_table *t, struct ofp_err *err)
{
	uint64_t *set;
	size_t n = 0;

	if (p->type >= N_PROP_TYPES)
		return tf_fail(err, OFPTFFC_BAD_TYPE); /* no experimenter property is known */
	set = t->ids[p->type];
	switch (p->type) {
	case OFPTFPT_INSTRUCTIONS:
	case OFPTFPT_INSTRUCTIONS_MISS:
		for (size_t i = 0; i < p->ids.n; i++) {
			uint16_t type = p->ids.items[i].type;

			if (type < OFPIT_GOTO_TABLE || type > OFPIT_METER)
				return tf_fail(err, OFPTFFC_BAD_ARGUMENT);
			id_add(set, type);
		}
		n = p->ids.n;
		break;
	case OFPTFPT_WRITE_ACTIONS:
	case OFPTFPT_WRITE_ACTIONS_MISS:
	case OFPTFPT_APPLY_ACTIONS:
	case OFPTFPT_APPLY_ACTIONS_MISS:
		for (size_t i = 0; i < p->ids.n; i++) {
			uint16_t type = p->ids.items[i].type;

			if (!action_type_known(type))
				return tf_fail(err, OFPTFFC_BAD_ARGUMENT);
			id_add(set, type);
		}
		n = p->ids.n;
		break;
	case OFPTFPT_NEXT_TABLES:
	case OFPTFPT_NEXT_TABLES_MISS:
		for (size_t i = 0; i < p->tables.n; i++) {
			uint8_t next = p->tables.items[i];

			/* goto_table only goes forward, to a table of the new pipeline. */
			if (next <= table_id || !pl->t[next].present)
				return tf_fail(err, OFPTFFC_BAD_ARGUMENT);
			id_add(set, next);
		}
		n = p->tables.n;
		break;
	default: /* MATCH, WILDCARDS, *_SETFIELD(_MISS) */
		for (size_t i = 0; i < p->oxms.n; i++) {
			uint32_t h = p->oxms.items[i].header;
			const struct oxm_field_info *fi = OXM_CLASS(h) == OFPXMC_OPENFLOW_BASIC
								  ? oxm_field_info(OXM_FIELD(h))
								  : NULL;

			if (!fi || (OXM_HASMASK(h) && !fi->maskable) ||
			    (is_setfield_type(p->type) && !fi->settable))
				return tf_fail(err, OFPTFFC_BAD_ARGUMENT);
			id_add(set, fi->field);
			if (p->type == OFPTFPT_MATCH && OXM_HASMASK(h))
				t->match_masked |= 1ull << fi->field;
		}
		n = p->oxms.n;
		break;
	}
	if (n)
		t->limited |= (uint16_t)(1u << p->type);
	return 0;
}

static int
compile_table(const struct pipeline *pl, const struct ofp_table_features *tf, uint32_t cap,
	      struct pl_table *t, struct ofp_err *err)
{
	static const uint8_t miss_types[] = {
		OFPTFPT_INSTRUCTIONS_MISS,   OFPTFPT_NEXT_TABLES_MISS,
		OFPTFPT_WRITE_ACTIONS_MISS,  OFPTFPT_APPLY_ACTIONS_MISS,
		OFPTFPT_WRITE_SETFIELD_MISS, OFPTFPT_APPLY_SETFIELD_MISS,
	};
	struct ofp_table_features copy = *tf;
	uint32_t given = 0;
	struct buf b = BUF_INITIALIZER;
	int r;

	if (tf->config & ~(uint32_t)OFPTC_DEPRECATED_MASK)
		return tf_fail(err, OFPTFFC_BAD_ARGUMENT);
	for (size_t i = 0; i < tf->props.n; i++) {
		const struct ofp_table_feature_prop *p = &tf->props.items[i];

		if (p->type < N_PROP_TYPES && (given >> p->type) & 1)
			return tf_fail(err, OFPTFFC_BAD_ARGUMENT); /* a property given twice */
		r = compile_prop(pl, tf->table_id, p, t, err);
		if (r)
			return r;
		if (p->type < N_PROP_TYPES)
			given |= 1u << p->type;
	}
	/* A _MISS property left out is the same as its regular one. */
	for (size_t i = 0; i < ARRAY_SIZE(miss_types); i++) {
		unsigned m = miss_types[i];

		if ((given >> m) & 1)
			continue;
		memcpy(t->ids[m], t->ids[m - 1], sizeof(t->ids[m]));
		if (limited(t, m - 1))
			t->limited |= (uint16_t)(1u << m);
	}
	if (limited(t, OFPTFPT_MATCH) && id_has(t->ids[OFPTFPT_MATCH], OFPXMT_OFB_METADATA) &&
	    !tf->metadata_match)
		return tf_fail(err, OFPTFFC_BAD_METADATA);
	if (((limited(t, OFPTFPT_INSTRUCTIONS) &&
	      id_has(t->ids[OFPTFPT_INSTRUCTIONS], OFPIT_WRITE_METADATA)) ||
	     (limited(t, OFPTFPT_INSTRUCTIONS_MISS) &&
	      id_has(t->ids[OFPTFPT_INSTRUCTIONS_MISS], OFPIT_WRITE_METADATA))) &&
	    !tf->metadata_write)
		return tf_fail(err, OFPTFFC_BAD_METADATA);
	t->metadata_match = tf->metadata_match;
	t->metadata_write = tf->metadata_write;
	t->max_entries = PFS_MIN(tf->max_entries, cap);
	copy.max_entries = t->max_entries;
	ofp_table_features_encode(&copy, &b);
	if (buf_error(&b)) {
		buf_uninit(&b);
		return -ENOMEM;
	}
	t->wire = b.data; /* handed over: freed by pipeline_destroy() */
	t->wire_len = b.size;
	return 0;
}

int
pipeline_create(const struct ofp_table_features *tf, size_t n, unsigned n_tables, uint32_t cap,
		struct pipeline **out, struct ofp_err *err)
{
	struct pipeline *pl = pfs_calloc(1, sizeof(*pl));
	int r = 0;

	if (!pl)
		return -ENOMEM;
	pl->n_tables = n_tables;
	/* First which tables exist, so that next_tables can be checked against them. */
	for (size_t i = 0; i < n && !r; i++) {
		struct pl_table *t = &pl->t[tf[i].table_id];

		if (tf[i].table_id >= n_tables)
			r = tf_fail(err, OFPTFFC_BAD_TABLE);
		else if (t->present)
			r = tf_fail(err, OFPTFFC_BAD_ARGUMENT); /* listed twice */
		t->present = t->custom = true;
	}
	for (size_t i = 0; i < n && !r; i++)
		r = compile_table(pl, &tf[i], cap, &pl->t[tf[i].table_id], err);
	if (r) {
		pipeline_destroy(pl);
		return r;
	}
	*out = pl;
	return 0;
}

bool
pipeline_has_table(const struct pipeline *pl, uint8_t t)
{
	return pl->t[t].present;
}

bool
pipeline_table_same(const struct pipeline *a, const struct pipeline *b, uint8_t t)
{
	struct buf x = BUF_INITIALIZER, y = BUF_INITIALIZER;
	bool same;

	if (!a->t[t].present || !b->t[t].present)
		return false;
	/* By what a controller sees: a request that restates the defaults changes nothing. */
	same = !pipeline_table_encode(a, t, &x) && !pipeline_table_encode(b, t, &y) &&
	       !buf_error(&x) && !buf_error(&y) && x.size == y.size &&
	       !memcmp(x.data, y.data, x.size);
	buf_uninit(&x);
	buf_uninit(&y);
	return same;
}

uint32_t
pipeline_max_entries(const struct pipeline *pl, uint8_t t)
{
	return pl->t[t].present ? pl->t[t].max_entries : 0;
}

int
pipeline_table_encode(const struct pipeline *pl, uint8_t t, struct buf *b)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_table_features tf;
	int r;

	if (!pl->t[t].present)
		return -ENOENT;
	if (pl->t[t].custom) {
		buf_put(b, pl->t[t].wire, pl->t[t].wire_len);
		return 0;
	}
	r = ofp_table_features_default(t, (uint8_t)pl->n_tables, pl->t[t].max_entries, &a, &tf);
	if (!r)
		ofp_table_features_encode(&tf, b);
	arena_free(&a);
	return r;
}

static int
check_match(const struct pl_table *t, const struct ofp_match *m, struct ofp_err *err)
{
	uint64_t fields = t->ids[OFPTFPT_MATCH][0];

	if (limited(t, OFPTFPT_MATCH)) {
		if (m->present & ~fields)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_FIELD);
		if (m->masked & ~t->match_masked)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
		if (limited(t, OFPTFPT_WILDCARDS) &&
		    fields & ~t->ids[OFPTFPT_WILDCARDS][0] & ~m->present)
			return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_WILDCARDS);
	}
	if (oxm_match_has(m, OFPXMT_OFB_METADATA) &&
	    get_be64(m->mask.metadata) & ~t->metadata_match)
		return ofp_err_set(err, OFPET_BAD_MATCH, OFPBMC_BAD_MASK);
	return 0;
}

static int
check_actions(const struct pl_table *t, const struct ofp_action_list *l, unsigned act_type,
	      unsigned sf_type, struct ofp_err *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->actions[i];

		if (limited(t, act_type) && !id_has(t->ids[act_type], a->type))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_TYPE);
		if (a->type == OFPAT_SET_FIELD && limited(t, sf_type) &&
		    !id_has(t->ids[sf_type], a->set_field.field))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_SET_TYPE);
	}
	return 0;
}

int
pipeline_check_flow_mod(const struct pipeline *pl, const struct ofp_flow_mod *fm,
			struct ofp_err *err)
{
	const struct pl_table *t = &pl->t[fm->table_id];
	unsigned miss;
	int r;

	if (!t->present)
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
	if (!t->custom)
		return 0;
	/* The table-miss flow (priority 0, empty match) is always allowed its empty match:
	 * every table has one (OpenFlow 1.3.5 section 5.4). */
	miss = fm->priority == 0 && !fm->match.present;
	r = miss ? 0 : check_match(t, &fm->match, err);
	if (r)
		return r;
	for (size_t k = 0; k < fm->insts.n; k++) {
		const struct ofp_instruction *ins = &fm->insts.insts[k];

		if (limited(t, OFPTFPT_INSTRUCTIONS + miss) &&
		    !id_has(t->ids[OFPTFPT_INSTRUCTIONS + miss], ins->type))
			return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_UNSUP_INST);
		switch (ins->type) {
		case OFPIT_GOTO_TABLE:
			if (!pl->t[ins->table_id].present ||
			    (limited(t, OFPTFPT_NEXT_TABLES + miss) &&
			     !id_has(t->ids[OFPTFPT_NEXT_TABLES + miss], ins->table_id)))
				return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
			break;
		case OFPIT_WRITE_METADATA:
			if (ins->write_metadata.mask & ~t->metadata_write)
				return ofp_err_set(err, OFPET_BAD_INSTRUCTION,
						   OFPBIC_UNSUP_METADATA_MASK);
			break;
		case OFPIT_WRITE_ACTIONS:
			r = check_actions(t, &ins->actions, OFPTFPT_WRITE_ACTIONS + miss,
					  OFPTFPT_WRITE_SETFIELD + miss, err);
			break;
		case OFPIT_APPLY_ACTIONS:
			r = check_actions(t, &ins->actions, OFPTFPT_APPLY_ACTIONS + miss,
					  OFPTFPT_APPLY_SETFIELD + miss, err);
			break;
		default:
			break;
		}
		if (r)
			return r;
	}
	return 0;
}
