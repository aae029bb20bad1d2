/* Meter table of a bridge in the agent (see meter.h). */
#include "meter.h"

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
#include "vlog.h"

#define MOD "meter"

struct ometer {
	uint32_t id;
	uint32_t n_flows; /* flows whose meter instruction names it (meter_count_flow()) */
	uint8_t *raw;	  /* the METER_MOD it came from */
	size_t len;
	struct state_counters *base; /* restored counters it continues from, or NULL */
};

_Static_assert(DP_METER_MAX_BANDS <= STATE_MAX_COUNTERS, "a state keeps every band's counters");

/* One struct idtable of struct ometer per bridge. */
static struct idtable *tables;

bool
meter_exists(uint32_t id, void *aux)
{
	return idtable_lookup(idtable_of(&tables, aux, false), id) != NULL;
}

static void
om_free(void *obj)
{
	struct ometer *m = obj;

	if (m) {
		free(m->raw);
		free(m->base);
		free(m);
	}
}

static void
del_one(struct bridge *br, struct idtable *t, size_t at)
{
	struct ometer *m = t->v[at];

	if (m->n_flows)
		bridge_remove_flows_using(br, OFPG_ANY, m->id, OFPRR_DELETE);
	dp_meter_delete(br->dp, m->id);
	idtable_remove(t, at);
	om_free(m);
	br->dirty = true;
}

/* OFPM_ALL: one pass over the flows, whatever the number of meters. */
static void
del_all(struct bridge *br, struct idtable *t)
{
	struct idtable gone = *t;
	bool flows = false;

	for (size_t i = 0; i < gone.n && !flows; i++)
		flows = ((struct ometer *)gone.v[i])->n_flows != 0;
	/* Detached first: the flows leaving need not count themselves out of them. */
	t->v = NULL;
	idtable_clear(t);
	if (flows)
		bridge_remove_flows_using(br, OFPG_ANY, OFPM_ALL, OFPRR_DELETE);
	dp_meter_delete(br->dp, OFPM_ALL);
	for (size_t i = 0; i < gone.n; i++)
		om_free(gone.v[i]);
	free(gone.v);
	br->dirty = true;
}

static int
apply_mod(struct bridge *br, const struct ofp_meter_mod *mm, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	struct idtable *t = idtable_of(&tables, br, true);
	struct dp_meter_band_spec bs[DP_METER_MAX_BANDS];
	struct ometer *m;
	bool found;
	size_t at;
	int rc;

	if (!t)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	if (mm->command == OFPMC_DELETE) {
		if (mm->meter_id == OFPM_ALL) {
			del_all(br, t);
			return 0;
		}
		at = idtable_find(t, mm->meter_id, &found);
		if (found)
			del_one(br, t, at);
		return 0;
	}
	if (mm->command != OFPMC_ADD && mm->command != OFPMC_MODIFY)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_COMMAND);
	if (mm->meter_id == 0 || (mm->meter_id > OFPM_MAX && mm->meter_id != OFPM_SLOWPATH &&
				  mm->meter_id != OFPM_CONTROLLER))
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_INVALID_METER);
	at = idtable_find(t, mm->meter_id, &found);
	if (mm->command == OFPMC_ADD && found)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_METER_EXISTS);
	if (mm->command == OFPMC_MODIFY && !found)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_UNKNOWN_METER);
	if (!found && bridge_quota_meter(br, t->n, err))
		return -EPROTO;
	if (mm->bands.n > DP_METER_MAX_BANDS)
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_BANDS);
	if ((mm->flags & OFPMF_BURST) == 0) {
		/* burst_size is meaningful only with OFPMF_BURST: kept as sent, ignored */
	}
	for (size_t i = 0; i < mm->bands.n; i++) {
		const struct ofp_meter_band *b = &mm->bands.items[i];

		if (b->type != OFPMBT_DROP && b->type != OFPMBT_DSCP_REMARK)
			return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_BAD_BAND);
		bs[i].type = b->type;
		bs[i].rate = b->rate;
		bs[i].burst_size = b->burst_size;
		bs[i].prec_level = b->prec_level;
	}
	m = calloc(1, sizeof(*m));
	if (m)
		m->raw = malloc(len);
	if (!m || !m->raw) {
		om_free(m);
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	}
	m->id = mm->meter_id;
	memcpy(m->raw, raw, len);
	m->len = len;
	struct dp_meter_spec spec = { mm->meter_id, mm->flags, (unsigned)mm->bands.n, bs };

	if (idtable_reserve(t) < 0) {
		om_free(m);
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	}
	rc = found ? dp_meter_modify(br->dp, &spec, err) : dp_meter_add(br->dp, &spec, err);
	if (rc < 0) {
		om_free(m);
		if (rc == -ENOMEM)
			return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
		return -EPROTO;
	}
	br->dirty = true;
	if (found) {
		struct ometer *old = t->v[at];

		m->n_flows = old->n_flows;
		m->base = old->base; /* counters continue across a MODIFY */
		old->base = NULL;
	}
	om_free(idtable_put(t, at, found, m));
	return 0;
}

/* ---- Bundle commits: the meters a METER_MOD changes, as they were (bridge_snap) ---- */

static void
snap_raw_of(const void *obj, const uint8_t **raw, size_t *len)
{
	const struct ometer *o = obj;

	*raw = o->raw;
	*len = o->len;
}

static int
snap_restore(struct bridge *br, uint32_t id, const uint8_t *raw, size_t len)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_meter_mod m;
	struct ofp_err err;
	int rc = ofp_meter_mod_decode(raw, len, &a, &m, &err);

	if (!rc) {
		m.command = meter_exists(id, br) ? OFPMC_MODIFY : OFPMC_ADD;
		rc = apply_mod(br, &m, raw, len, &err);
	}
	arena_free(&a);
	return rc;
}

static void
snap_remove(struct bridge *br, uint32_t id)
{
	struct ofp_meter_mod del = { .command = OFPMC_DELETE, .meter_id = id };
	struct ofp_err err;

	apply_mod(br, &del, NULL, 0, &err);
}

static const struct bridge_snap_ops snap_ops = {
	.what = "meter",
	.all = OFPM_ALL,
	.raw_of = snap_raw_of,
	.restore = snap_restore,
	.remove = snap_remove,
};

int
meter_mod(struct bridge *br, const struct ofp_meter_mod *mm, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	struct bridge_snap *sn = NULL;
	int rc;

	if (br->journal &&
	    !(sn = bridge_snap_take(&snap_ops, idtable_of(&tables, br, false), mm->meter_id)))
		return ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	rc = apply_mod(br, mm, raw, len, err);
	if (sn && rc)
		bridge_snap_free(sn);
	else if (sn && bridge_snap_push(br, sn))
		rc = ofp_err_set(err, OFPET_METER_MOD_FAILED, OFPMMFC_OUT_OF_METERS);
	return rc;
}

/* The meter's counters as reported: the datapath's plus the restored base. */
static void
om_stats(struct bridge *br, const struct ometer *m, struct dp_meter_stats *st)
{
	const struct state_counters *b = m->base;

	memset(st, 0, sizeof(*st));
	dp_meter_get_stats(br->dp, m->id, st);
	if (!b)
		return;
	st->packets += b->packets;
	st->bytes += b->bytes;
	st->duration_ns += b->duration_ns;
	for (unsigned k = 0; k < DP_METER_MAX_BANDS && k < b->n; k++) {
		st->band_packets[k] += b->sub_packets[k];
		st->band_bytes[k] += b->sub_bytes[k];
	}
}

int
meter_mp(struct bridge *br, uint32_t meter_id, bool config, struct ofp_mp_writer *w, struct buf *b)
{
	const struct idtable *t = idtable_of(&tables, br, false);

	size_t i0 = 0, i1 = t ? t->n : 0;
	bool found;

	if (t && meter_id != OFPM_ALL) {
		i0 = idtable_find(t, meter_id, &found);
		i1 = found ? i0 + 1 : i0;
	}
	for (size_t i = i0; i < i1; i++) {
		const struct ometer *m = t->v[i];
		struct arena a = ARENA_INITIALIZER;
		struct ofp_meter_mod mm;
		struct ofp_err err;
		size_t ofs;

		if (ofp_meter_mod_decode(m->raw, m->len, &a, &mm, &err) != 0) {
			arena_free(&a);
			continue;
		}
		ofs = ofp_mp_writer_entry_begin(w);
		if (config) {
			struct ofp_meter_config mc = { mm.flags, mm.meter_id, mm.bands };

			ofp_meter_config_encode(&mc, b);
		} else {
			struct dp_meter_stats st;
			struct ofp_meter_band_stats bst[DP_METER_MAX_BANDS];
			struct ofp_meter_stats ms;

			om_stats(br, m, &st);
			memset(&ms, 0, sizeof(ms));
			ms.meter_id = m->id;
			ms.flow_count = m->n_flows;
			ms.packet_in_count = st.packets;
			ms.byte_in_count = st.bytes;
			ms.duration_sec = (uint32_t)(st.duration_ns / 1000000000u);
			ms.duration_nsec = (uint32_t)(st.duration_ns % 1000000000u);
			for (unsigned k = 0; k < mm.bands.n && k < DP_METER_MAX_BANDS; k++) {
				bst[k].packet_band_count = st.band_packets[k];
				bst[k].byte_band_count = st.band_bytes[k];
			}
			ms.band_stats.items = bst;
			ms.band_stats.n = mm.bands.n;
			ofp_meter_stats_encode(&ms, b);
		}
		ofp_mp_writer_entry_end(w, ofs);
		arena_free(&a);
	}
	return 0;
}

void
meter_features(struct ofp_meter_features *f)
{
	memset(f, 0, sizeof(*f));
	f->max_meter = DP_METER_MAX_METERS;
	f->band_types = 1u << OFPMBT_DROP | 1u << OFPMBT_DSCP_REMARK;
	f->capabilities = OFPMF_KBPS | OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS;
	f->max_bands = DP_METER_MAX_BANDS;
	f->max_color = 0;
}

void
meter_count_flow(struct bridge *br, uint32_t id, int delta)
{
	struct ometer *m = idtable_lookup(idtable_of(&tables, br, false), id);

	if (m)
		m->n_flows += (uint32_t)delta;
}

void
meter_bridge_destroy(struct bridge *br)
{
	idtable_forget(&tables, br, om_free);
}

size_t
meter_ids(struct bridge *br, uint32_t *ids, size_t n)
{
	const struct idtable *t = idtable_of(&tables, br, false);

	if (!t)
		return 0;
	for (size_t i = 0; i < t->n && i < n; i++)
		ids[i] = idtable_id(t->v[i]);
	return t->n;
}

int
meter_state_get(struct bridge *br, uint32_t id, const uint8_t **raw, size_t *len,
		struct state_counters *c)
{
	const struct ometer *m = idtable_lookup(idtable_of(&tables, br, false), id);
	struct dp_meter_stats st;

	if (!m)
		return -ENOENT;
	*raw = m->raw;
	*len = m->len;
	om_stats(br, m, &st);
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->n = st.n_bands < STATE_MAX_COUNTERS ? st.n_bands : STATE_MAX_COUNTERS;
	c->packets = st.packets;
	c->bytes = st.bytes;
	c->duration_ns = st.duration_ns;
	for (unsigned k = 0; k < c->n && k < DP_METER_MAX_BANDS; k++) {
		c->sub_packets[k] = st.band_packets[k];
		c->sub_bytes[k] = st.band_bytes[k];
	}
	return 0;
}

int
meter_state_set_base(struct bridge *br, uint32_t id, const struct state_counters *c)
{
	struct ometer *m = idtable_lookup(idtable_of(&tables, br, false), id);

	if (!m)
		return -ENOENT;
	if (!m->base) {
		m->base = malloc(sizeof(*m->base));
		if (!m->base)
			return -ENOMEM;
	}
	*m->base = *c;
	return 0;
}
