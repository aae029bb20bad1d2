/* The OpenFlow rule set (see rule.h): a chained hash table keyed by (table, priority,
 * match) for strict lookups, a list per table for loose scans, an expiry list. */
#include "rule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define MIN_BUCKETS 1024

int
rule_set_init(struct rule_set *rs, unsigned n_tables, uint32_t max_rules)
{
	memset(rs, 0, sizeof(*rs));
	if (!n_tables || n_tables > 255)
		return -EINVAL;
	rs->tables = pfs_calloc(n_tables, sizeof(*rs->tables));
	rs->buckets = pfs_calloc(MIN_BUCKETS, sizeof(*rs->buckets));
	if (!rs->tables || !rs->buckets) {
		free(rs->tables);
		free(rs->buckets);
		memset(rs, 0, sizeof(*rs));
		return -ENOMEM;
	}
	rs->n_buckets = MIN_BUCKETS;
	rs->n_tables = n_tables;
	for (unsigned i = 0; i < n_tables; i++)
		rs->tables[i].max_rules = max_rules;
	return 0;
}

void
rule_set_destroy(struct rule_set *rs, void (*cb)(struct rule *, void *), void *aux)
{
	if (!rs || !rs->tables)
		return;
	for (unsigned t = 0; t < rs->n_tables; t++) {
		struct rule *r = rs->tables[t].head, *next;

		for (; r; r = next) {
			next = r->tnext;
			if (cb)
				cb(r, aux);
			rule_free(r);
		}
	}
	free(rs->tables);
	free(rs->buckets);
	memset(rs, 0, sizeof(*rs));
}

/* ---- Instruction copies ----------------------------------------------------------- */

static bool
is_action_inst(uint16_t type)
{
	return type == OFPIT_APPLY_ACTIONS || type == OFPIT_WRITE_ACTIONS;
}

/* Copies insts into one allocation: instruction array, action arrays, byte strings. */
static int
insts_copy(const struct ofp_instruction_list *in, struct ofp_instruction_list *out)
{
	size_t size = in->n * sizeof(struct ofp_instruction);
	uint8_t *blk, *p;

	for (size_t i = 0; i < in->n; i++) {
		const struct ofp_instruction *ins = &in->insts[i];

		if (is_action_inst(ins->type)) {
			size += ins->actions.n * sizeof(struct ofp_action);
			for (size_t j = 0; j < ins->actions.n; j++)
				if (ins->actions.actions[j].type == OFPAT_EXPERIMENTER)
					size += PFS_ROUND_UP(
						ins->actions.actions[j].experimenter.len, 8);
		} else if (ins->type == OFPIT_EXPERIMENTER) {
			size += PFS_ROUND_UP(ins->experimenter.len, 8);
		}
	}
	out->insts = NULL;
	out->n = 0;
	if (!size)
		return 0;
	blk = pfs_malloc(size);
	if (!blk)
		return -ENOMEM;
	out->insts = (struct ofp_instruction *)blk;
	out->n = in->n;
	memcpy(blk, in->insts, in->n * sizeof(struct ofp_instruction));
	p = blk + in->n * sizeof(struct ofp_instruction);
	for (size_t i = 0; i < in->n; i++) {
		struct ofp_instruction *ins = &out->insts[i];

		if (is_action_inst(ins->type)) {
			struct ofp_action *acts = (struct ofp_action *)p;

			if (ins->actions.n)
				memcpy(acts, ins->actions.actions,
				       ins->actions.n * sizeof(struct ofp_action));
			p += ins->actions.n * sizeof(struct ofp_action);
			ins->actions.actions = ins->actions.n ? acts : NULL;
			for (size_t j = 0; j < ins->actions.n; j++) {
				struct ofp_action *a = &acts[j];

				if (a->type != OFPAT_EXPERIMENTER || !a->experimenter.len)
					continue;
				memcpy(p, a->experimenter.data, a->experimenter.len);
				a->experimenter.data = p;
				p += PFS_ROUND_UP(a->experimenter.len, 8);
			}
		} else if (ins->type == OFPIT_EXPERIMENTER && ins->experimenter.len) {
			memcpy(p, ins->experimenter.data, ins->experimenter.len);
			ins->experimenter.data = p;
			p += PFS_ROUND_UP(ins->experimenter.len, 8);
		}
	}
	return 0;
}

static uint32_t hash_key(uint8_t table_id, uint16_t priority, const struct ofp_match *m);

void
rule_match(const struct rule *r, struct ofp_match *m)
{
	struct buf_cursor c = buf_cursor(r->match_wire, r->match_len);

	/* It was encoded from a valid match: decoding cannot fail. */
	if (oxm_decode(&c, m, NULL))
		oxm_match_init(m);
}

struct rule *
rule_create(const struct ofp_flow_mod *fm, uint64_t now_ns)
{
	struct buf b = BUF_INITIALIZER;
	struct rule *r;

	oxm_encode(&fm->match, &b);
	if (buf_error(&b) || b.size > UINT16_MAX) {
		buf_uninit(&b);
		return NULL;
	}
	r = pfs_calloc(1, sizeof(*r) + b.size);
	if (!r) {
		buf_uninit(&b);
		return NULL;
	}
	memcpy(r->match_wire, b.data, b.size);
	r->match_len = (uint16_t)b.size;
	r->match_present = fm->match.present;
	buf_uninit(&b);
	r->hash = hash_key(fm->table_id, fm->priority, &fm->match);
	if (insts_copy(&fm->insts, &r->insts)) {
		free(r);
		return NULL;
	}
	r->table_id = fm->table_id;
	r->priority = fm->priority;
	r->idle_timeout = fm->idle_timeout;
	r->hard_timeout = fm->hard_timeout;
	r->flags = fm->flags;
	r->cookie = fm->cookie;
	r->created_ns = now_ns;
	r->used_ns = now_ns;
	return r;
}

void
rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->insts.insts);
	free(r);
}

int
rule_set_insts(struct rule *r, const struct ofp_instruction_list *insts)
{
	struct ofp_instruction_list copy;

	if (insts_copy(insts, &copy))
		return -ENOMEM;
	free(r->insts.insts);
	r->insts = copy;
	return 0;
}

/* ---- Hashing ---------------------------------------------------------------------- */

static uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ull;
	h ^= h >> 29;
	return h;
}

static uint32_t
hash_key(uint8_t table_id, uint16_t priority, const struct ofp_match *m)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const uint8_t *v = (const uint8_t *)&m->value, *k = (const uint8_t *)&m->mask;
	size_t n = sizeof(m->value), i = 0;

	h = mix(h, ((uint64_t)table_id << 16) | priority);
	h = mix(h, m->present);
	for (; i + 8 <= n; i += 8) {
		uint64_t a, b;

		memcpy(&a, v + i, 8);
		memcpy(&b, k + i, 8);
		if (a | b)
			h = mix(mix(h, a), b);
	}
	for (; i < n; i++)
		h = mix(h, ((uint64_t)v[i] << 8) | k[i]);
	return (uint32_t)(h ^ (h >> 32));
}

static bool
same_match(const struct rule *r, const struct ofp_match *m)
{
	struct ofp_match rm;

	if (r->match_present != m->present)
		return false;
	rule_match(r, &rm);
	return oxm_match_equal(&rm, m);
}

static bool
same_key(const struct rule *r, uint8_t table_id, uint16_t priority, const struct ofp_match *m)
{
	return r->table_id == table_id && r->priority == priority && same_match(r, m);
}

struct rule *
rule_set_find(const struct rule_set *rs, uint8_t table_id, uint16_t priority,
	      const struct ofp_match *match)
{
	uint32_t h = hash_key(table_id, priority, match);
	struct rule *r = rs->buckets[h & (rs->n_buckets - 1)];

	for (; r; r = r->hnext)
		if (r->hash == h && same_key(r, table_id, priority, match))
			return r;
	return NULL;
}

static void
grow(struct rule_set *rs)
{
	size_t n = rs->n_buckets * 2;
	struct rule **b = pfs_calloc(n, sizeof(*b));

	if (!b)
		return; /* keep the longer chains; still correct */
	for (size_t i = 0; i < rs->n_buckets; i++) {
		struct rule *r = rs->buckets[i], *next;

		for (; r; r = next) {
			next = r->hnext;
			r->hnext = b[r->hash & (n - 1)];
			b[r->hash & (n - 1)] = r;
		}
	}
	free(rs->buckets);
	rs->buckets = b;
	rs->n_buckets = n;
}

void
rule_set_update_expiry(struct rule_set *rs, struct rule *r)
{
	bool want = r->idle_timeout || r->hard_timeout;

	if (want == r->on_exp)
		return;
	if (want) {
		r->eprev = NULL;
		r->enext = rs->exp_head;
		if (rs->exp_head)
			rs->exp_head->eprev = r;
		rs->exp_head = r;
		rs->n_exp++;
	} else {
		if (r->eprev)
			r->eprev->enext = r->enext;
		else
			rs->exp_head = r->enext;
		if (r->enext)
			r->enext->eprev = r->eprev;
		r->eprev = r->enext = NULL;
		rs->n_exp--;
	}
	r->on_exp = want;
}

int
rule_set_insert(struct rule_set *rs, struct rule *r)
{
	struct rule_table *t;
	size_t b;

	if (r->table_id >= rs->n_tables)
		return -EINVAL;
	t = &rs->tables[r->table_id];
	if (t->n_rules >= t->max_rules)
		return -ENOSPC;
	if (rs->n_rules >= rs->n_buckets)
		grow(rs);
	b = r->hash & (rs->n_buckets - 1);
	r->hnext = rs->buckets[b];
	rs->buckets[b] = r;
	r->tnext = NULL;
	r->tprev = t->tail;
	if (t->tail)
		t->tail->tnext = r;
	else
		t->head = r;
	t->tail = r;
	t->n_rules++;
	rs->n_rules++;
	r->on_exp = false;
	rule_set_update_expiry(rs, r);
	return 0;
}

void
rule_set_remove(struct rule_set *rs, struct rule *r)
{
	struct rule_table *t = &rs->tables[r->table_id];
	struct rule **pp = &rs->buckets[r->hash & (rs->n_buckets - 1)];

	for (struct rule_cursor *cur = rs->cursors; cur; cur = cur->next_cursor)
		if (cur->next == r)
			cur->next = r->tnext;

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == r) {
			*pp = r->hnext;
			break;
		}
	}
	if (r->tprev)
		r->tprev->tnext = r->tnext;
	else
		t->head = r->tnext;
	if (r->tnext)
		r->tnext->tprev = r->tprev;
	else
		t->tail = r->tprev;
	r->tprev = r->tnext = r->hnext = NULL;
	t->n_rules--;
	rs->n_rules--;
	if (r->on_exp) {
		uint16_t idle = r->idle_timeout, hard = r->hard_timeout;

		r->idle_timeout = r->hard_timeout = 0;
		rule_set_update_expiry(rs, r);
		r->idle_timeout = idle;
		r->hard_timeout = hard;
	}
}

uint32_t
rule_set_count(const struct rule_set *rs, uint8_t table_id)
{
	return table_id < rs->n_tables ? rs->tables[table_id].n_rules : 0;
}

/* ---- Match relations -------------------------------------------------------------- */

bool
rule_match_covers(const struct ofp_match *filter, const struct ofp_match *m)
{
	const uint8_t *fv = (const uint8_t *)&filter->value, *fm = (const uint8_t *)&filter->mask;
	const uint8_t *v = (const uint8_t *)&m->value, *k = (const uint8_t *)&m->mask;

	if (filter->present & ~m->present)
		return false;
	for (size_t i = 0; i < sizeof(filter->value); i++)
		if ((fm[i] & ~k[i]) || ((fv[i] ^ v[i]) & fm[i]))
			return false;
	return true;
}

bool
rule_match_overlap(const struct ofp_match *a, const struct ofp_match *b)
{
	const uint8_t *av = (const uint8_t *)&a->value, *am = (const uint8_t *)&a->mask;
	const uint8_t *bv = (const uint8_t *)&b->value, *bm = (const uint8_t *)&b->mask;

	for (size_t i = 0; i < sizeof(a->value); i++)
		if ((av[i] ^ bv[i]) & am[i] & bm[i])
			return false;
	return true;
}

bool
rule_set_overlaps(const struct rule_set *rs, uint8_t table_id, uint16_t priority,
		  const struct ofp_match *match)
{
	if (table_id >= rs->n_tables)
		return false;
	for (const struct rule *r = rs->tables[table_id].head; r; r = r->tnext) {
		struct ofp_match rm;

		if (r->priority != priority)
			continue;
		rule_match(r, &rm);
		if (rule_match_overlap(&rm, match))
			return true;
	}
	return false;
}

static bool
actions_output_to(const struct ofp_action_list *l, uint32_t port)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->actions[i].type == OFPAT_OUTPUT && l->actions[i].output.port == port)
			return true;
	return false;
}

static bool
actions_use_group(const struct ofp_action_list *l, uint32_t group)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->actions[i].type == OFPAT_GROUP && l->actions[i].group_id == group)
			return true;
	return false;
}

bool
rule_outputs_to(const struct rule *r, uint32_t port)
{
	for (size_t i = 0; i < r->insts.n; i++)
		if (is_action_inst(r->insts.insts[i].type) &&
		    actions_output_to(&r->insts.insts[i].actions, port))
			return true;
	return false;
}

bool
rule_uses_group(const struct rule *r, uint32_t group)
{
	for (size_t i = 0; i < r->insts.n; i++)
		if (is_action_inst(r->insts.insts[i].type) &&
		    actions_use_group(&r->insts.insts[i].actions, group))
			return true;
	return false;
}

static bool
selected_rest(const struct rule *r, const struct rule_filter *f)
{
	if ((r->cookie ^ f->cookie) & f->cookie_mask)
		return false;
	if (f->out_port != OFPP_ANY && !rule_outputs_to(r, f->out_port))
		return false;
	if (f->out_group != OFPG_ANY && !rule_uses_group(r, f->out_group))
		return false;
	return true;
}

bool
rule_selected(const struct rule *r, const struct rule_filter *f)
{
	if (f->table_id != OFPTT_ALL && r->table_id != f->table_id)
		return false;
	if (f->strict) {
		if (r->priority != f->priority || !same_match(r, f->match))
			return false;
	} else if (f->match->present) {
		struct ofp_match rm;

		if (f->match->present & ~r->match_present)
			return false;
		rule_match(r, &rm);
		if (!rule_match_covers(f->match, &rm))
			return false;
	}
	return selected_rest(r, f);
}

struct collector {
	struct rule **v;
	size_t n, alloc;
};

static int
collect_add(struct collector *c, struct rule *r)
{
	if (c->n == c->alloc) {
		size_t na = c->alloc ? c->alloc * 2 : 16;
		struct rule **v = pfs_realloc(c->v, na * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->alloc = na;
	}
	c->v[c->n++] = r;
	return 0;
}

long
rule_set_collect(const struct rule_set *rs, const struct rule_filter *f, struct rule ***out)
{
	struct collector c = { NULL, 0, 0 };
	unsigned t0 = 0, t1 = rs->n_tables;

	*out = NULL;
	if (f->table_id != OFPTT_ALL) {
		if (f->table_id >= rs->n_tables)
			return 0;
		t0 = f->table_id;
		t1 = t0 + 1U;
	}
	if (f->strict) {
		for (unsigned t = t0; t < t1; t++) {
			struct rule *r = rule_set_find(rs, (uint8_t)t, f->priority, f->match);

			if (r && selected_rest(r, f) && collect_add(&c, r))
				goto nomem;
		}
	} else {
		for (unsigned t = t0; t < t1; t++)
			for (struct rule *r = rs->tables[t].head; r; r = r->tnext)
				if (rule_selected(r, f) && collect_add(&c, r))
					goto nomem;
	}
	*out = c.v;
	return (long)c.n;
nomem:
	free(c.v);
	return -ENOMEM;
}

/* ---- Cursors ------------------------------------------------------------------------ */

void
rule_cursor_start(struct rule_cursor *cur, struct rule_set *rs, uint8_t table_id)
{
	memset(cur, 0, sizeof(*cur));
	cur->rs = rs;
	cur->table = table_id == OFPTT_ALL ? 0 : table_id;
	cur->end = table_id == OFPTT_ALL ? rs->n_tables : PFS_MIN(table_id + 1U, rs->n_tables);
	cur->next_cursor = rs->cursors;
	rs->cursors = cur;
}

/* Settles cur on the next rule to visit (cur->next), moving to later tables. */
static void
cursor_settle(struct rule_cursor *cur)
{
	while (cur->table < cur->end) {
		if (!cur->started) {
			cur->next = cur->rs->tables[cur->table].head;
			cur->started = true;
		}
		if (cur->next)
			return;
		cur->table++;
		cur->started = false;
	}
	cur->next = NULL;
}

struct rule *
rule_cursor_next(struct rule_cursor *cur)
{
	struct rule *r;

	cursor_settle(cur);
	r = cur->next;
	if (r)
		cur->next = r->tnext;
	return r;
}

bool
rule_cursor_done(struct rule_cursor *cur)
{
	cursor_settle(cur);
	return !cur->next;
}

void
rule_cursor_stop(struct rule_cursor *cur)
{
	if (!cur->rs)
		return;
	for (struct rule_cursor **pp = &cur->rs->cursors; *pp; pp = &(*pp)->next_cursor) {
		if (*pp == cur) {
			*pp = cur->next_cursor;
			break;
		}
	}
	cur->rs = NULL;
}

/* ---- Instruction checks against switch state ---------------------------------------- */

int
rule_check_actions(const struct ofp_action_list *l, bool (*group_exists)(uint32_t, void *),
		   void *aux, struct ofp_err *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ofp_action *a = &l->actions[i];

		if (a->type == OFPAT_GROUP && (!group_exists || !group_exists(a->group_id, aux)))
			return ofp_err_set(err, OFPET_BAD_ACTION, OFPBAC_BAD_OUT_GROUP);
	}
	return 0;
}

int
rule_check_insts(const struct ofp_instruction_list *insts, uint8_t table_id, unsigned n_tables,
		 bool (*group_exists)(uint32_t id, void *aux),
		 bool (*meter_exists)(uint32_t id, void *aux), void *aux, struct ofp_err *err)
{
	for (size_t i = 0; i < insts->n; i++) {
		const struct ofp_instruction *ins = &insts->insts[i];
		int r;

		switch (ins->type) {
		case OFPIT_GOTO_TABLE:
			if (ins->table_id <= table_id || ins->table_id >= n_tables)
				return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_TABLE_ID);
			break;
		case OFPIT_METER:
			if (!meter_exists || !meter_exists(ins->meter_id, aux))
				return ofp_err_set(err, OFPET_METER_MOD_FAILED,
						   OFPMMFC_UNKNOWN_METER);
			break;
		case OFPIT_APPLY_ACTIONS:
		case OFPIT_WRITE_ACTIONS:
			r = rule_check_actions(&ins->actions, group_exists, aux, err);
			if (r)
				return r;
			break;
		case OFPIT_EXPERIMENTER:
			return ofp_err_set(err, OFPET_BAD_INSTRUCTION, OFPBIC_BAD_EXPERIMENTER);
		default:
			break;
		}
	}
	return 0;
}
