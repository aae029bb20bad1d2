/* A bridge in the agent (see bridge.h): rule set <-> datapath flows, expiry, ports. */
#include "bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connmgr.h"
#include "group.h"
#include "handover.h"
#include "idtable.h"
#include "meter.h"
#include "ofproto.h"
#include "pipeline.h"
#include "util.h"
#include "vlog.h"

#define MOD "bridge"

static struct vlog_rl rl_flow = VLOG_RL_INIT(10);
static struct vlog_rl rl_quota = VLOG_RL_INIT(5);
static struct vlog_rl rl_undo = VLOG_RL_INIT(5);

_Static_assert(CONFIG_MAX_GROUPS == DP_GROUP_MAX_GROUPS, "max_groups range is the datapath's");
_Static_assert(CONFIG_MAX_METERS == DP_METER_MAX_METERS, "max_meters range is the datapath's");

const double bridge_barrier_bounds[BRIDGE_BARRIER_BUCKETS] = {
	0.00001, 0.0001, 0.001, 0.01, 0.1, 1, 10,
};

void
bridge_note_barrier(struct bridge *br, uint64_t ns)
{
	size_t i = 0;

	while (i < BRIDGE_BARRIER_BUCKETS && (double)ns > bridge_barrier_bounds[i] * 1e9)
		i++;
	br->agent.barrier[i]++;
	br->agent.barrier_sum_ns += ns;
}

int
bridge_create(struct ofproto *ofp, const struct config_bridge *cfg, struct bridge **out)
{
	struct bridge *br = pfs_calloc(1, sizeof(*br));
	int r;

	if (!br)
		return -ENOMEM;
	snprintf(br->name, sizeof(br->name), "%s", cfg->name);
	snprintf(br->description, sizeof(br->description), "%s",
		 cfg->description ? cfg->description : cfg->name);
	br->ofp = ofp;
	br->datapath_id = cfg->datapath_id;
	br->fail_mode = cfg->fail_mode;
	br->n_tables = DP_N_TABLES;
	br->max_flows = cfg->max_flows;
	br->max_total_flows = cfg->max_total_flows;
	br->max_groups = cfg->max_groups;
	br->max_meters = cfg->max_meters;
	br->pipeline = pipeline_create_default(br->n_tables, bridge_table_max_entries(br));
	if (!br->pipeline) {
		free(br);
		return -ENOMEM;
	}
	r = rule_set_init(&br->rules, br->n_tables, cfg->max_flows);
	if (r) {
		pipeline_destroy(br->pipeline);
		free(br);
		return r;
	}
	r = dp_bridge_create(cfg->name, &br->dp);
	if (r) {
		rule_set_destroy(&br->rules, NULL, NULL);
		pipeline_destroy(br->pipeline);
		free(br);
		return r;
	}
	dp_bridge_set_identity(br->dp, br->datapath_id,
			       br->fail_mode == CONFIG_FAIL_SECURE ? "secure" : "standalone");
	br->pin_rate = cfg->bridge_packet_in_rate;
	br->pin_burst = cfg->bridge_packet_in_burst;
	br->pin_tokens_milli = (uint64_t)br->pin_burst * 1000;
	/* Standalone starts as a learning switch; it leaves NORMAL when a controller
	 * connects (bridge_run). */
	if (br->fail_mode == CONFIG_FAIL_STANDALONE) {
		dp_bridge_set_normal_mode(br->dp, true);
		br->normal_mode = true;
	}
	dp_commit(br->dp);
	*out = br;
	return 0;
}

static int
port_cmp(const void *a, const void *b)
{
	const struct bridge_port *x = a, *y = b;

	return x->ofport < y->ofport ? -1 : x->ofport > y->ofport;
}

void
bridge_port_desc(const struct bridge_port *p, struct ofp_port_desc *d)
{
	struct dp_port_info info;

	memset(d, 0, sizeof(*d));
	dp_port_get_info(p->dp, &info);
	d->port_no = p->ofport;
	memcpy(d->hw_addr, info.hw_addr, 6);
	snprintf(d->name, sizeof(d->name), "%s", p->name);
	d->config = info.config;
	d->state = info.state;
	d->curr = info.curr;
	d->advertised = info.advertised;
	d->supported = info.supported;
	d->peer = info.peer;
	d->curr_speed = info.curr_speed;
	d->max_speed = info.max_speed;
}

int
bridge_add_port(struct bridge *br, const struct config_port *cfg)
{
	struct bridge_port *ports, *p;
	struct dp_port *dpp;
	int r;

	ports = pfs_realloc(br->ports, (br->n_ports + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	br->ports = ports;
	r = dp_port_add(br->dp, cfg->name, cfg->devargs, cfg->ofport, &dpp);
	if (r)
		return r;
	p = &br->ports[br->n_ports++];
	memset(p, 0, sizeof(*p));
	p->ofport = cfg->ofport;
	snprintf(p->name, sizeof(p->name), "%s", cfg->name);
	p->dp = dpp;
	p->exclusive = cfg->ofport != OFPP_LOCAL && !handover_port_shared(cfg->devargs);
	bridge_port_desc(p, &p->desc);
	qsort(br->ports, br->n_ports, sizeof(*br->ports), port_cmp);
	return 0;
}

int
bridge_add_local_port(struct bridge *br, const struct config_bridge *cfg)
{
	struct config_port cp;
	char devargs[96];

	if (!cfg->local_port)
		return 0;
	memset(&cp, 0, sizeof(cp));
	snprintf(cp.name, sizeof(cp.name), "%s", cfg->local_port_name);
	snprintf(cp.bridge, sizeof(cp.bridge), "%s", cfg->name);
	cp.ofport = OFPP_LOCAL;
	/* The vdev name only needs to be unique in the process: local port names are. */
	snprintf(devargs, sizeof(devargs), "net_tap_pfs_%s,iface=%s", cfg->local_port_name,
		 cfg->local_port_name);
	cp.devargs = devargs;
	return bridge_add_port(br, &cp);
}

void
bridge_release_port(struct bridge *br, struct bridge_port *p)
{
	size_t i = (size_t)(p - br->ports);

	dp_port_del(p->dp);
	memmove(&br->ports[i], &br->ports[i + 1], (br->n_ports - i - 1) * sizeof(*p));
	br->n_ports--;
}

void
bridge_port_stats(const struct bridge_port *p, struct dp_port_stats *st)
{
	const uint64_t *b = (const uint64_t *)&p->base;
	uint64_t *v = (uint64_t *)st;

	_Static_assert(sizeof(*st) % sizeof(uint64_t) == 0, "dp_port_stats is all u64");
	memset(st, 0, sizeof(*st));
	dp_port_get_stats(p->dp, st);
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] += b[i];
}

struct bridge_port *
bridge_port_find(struct bridge *br, uint32_t ofport)
{
	struct bridge_port key = { .ofport = ofport };

	if (!br->n_ports)
		return NULL;
	return bsearch(&key, br->ports, br->n_ports, sizeof(*br->ports), port_cmp);
}

void
bridge_destroy(struct bridge *br)
{
	if (!br)
		return;
	connmgr_destroy(br->cm);
	group_bridge_destroy(br);
	meter_bridge_destroy(br);
	/* The datapath bridge takes its flows and ports with it. */
	rule_set_destroy(&br->rules, NULL, NULL);
	pipeline_destroy(br->pipeline);
	dp_bridge_destroy(br->dp);
	free(br->ports);
	free(br);
}

/* ---- Undo journal ---------------------------------------------------------------------- */

enum jkind {
	J_ADDED,	/* r entered the set: undo removes it */
	J_REMOVED,	/* r left the set (kept, without a datapath flow): undo puts it back */
	J_REPLACED,	/* r took old's place: undo puts old back */
	J_MODIFIED,	/* r's instructions were insts: undo restores them */
	J_FLOW_REMOVED, /* a FLOW_REMOVED held until the end */
	J_CUSTOM,	/* another module's step */
};

struct jentry {
	enum jkind kind;
	struct rule *r, *old;
	bool dp_moved; /* J_REPLACED: old's datapath flow serves r now */
	struct ofp_instruction_list insts;
	uint64_t pkt_ofs, byte_ofs;
	struct ofp_flow_removed *fr;
	void (*undo)(struct bridge *, void *);
	void (*release)(void *);
	void *arg;
};

struct bridge_journal {
	struct jentry *v;
	size_t n, cap;
	bool failed; /* an entry could not be recorded: the rollback is incomplete */
};

static struct jentry *
jpush(struct bridge *br, enum jkind kind)
{
	struct bridge_journal *j = br->journal;

	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 256;
		struct jentry *v = realloc(j->v, cap * sizeof(*v));

		if (!v) {
			j->failed = true;
			return NULL;
		}
		j->v = v;
		j->cap = cap;
	}
	memset(&j->v[j->n], 0, sizeof(j->v[0]));
	j->v[j->n].kind = kind;
	return &j->v[j->n++];
}

/* r's datapath flow goes away but r is kept for a rollback: its counters so far become
 * its offsets, as for a fresh datapath flow. */
static void
detach_dp(struct bridge *br, struct rule *r)
{
	if (!r->dp)
		return;
	bridge_rule_stats(r, &r->pkt_ofs, &r->byte_ofs);
	dp_flow_remove(br->dp, r->dp);
	r->dp = NULL;
	br->dirty = true;
}

int
bridge_journal_begin(struct bridge *br)
{
	if (br->journal)
		return -EBUSY;
	br->journal = calloc(1, sizeof(*br->journal));
	return br->journal ? 0 : -ENOMEM;
}

int
bridge_journal_push(struct bridge *br, void (*undo)(struct bridge *, void *),
		    void (*release)(void *), void *arg)
{
	struct jentry *e;

	if (!br->journal)
		return -EINVAL;
	e = jpush(br, J_CUSTOM);
	if (!e)
		return -ENOMEM;
	e->undo = undo;
	e->release = release;
	e->arg = arg;
	return 0;
}

/* ---- Journal snapshots of an id-keyed registry ---------------------------------------- */

struct snap_item {
	uint32_t id;
	uint8_t *raw;
	size_t len;
};

struct bridge_snap {
	const struct bridge_snap_ops *ops;
	uint32_t id; /* the object the message named (ops->all: every one) */
	size_t n;    /* 0 with a single id: it did not exist (undo deletes it) */
	struct snap_item *v;
};

void
bridge_snap_free(struct bridge_snap *sn)
{
	for (size_t i = 0; sn && i < sn->n; i++)
		free(sn->v[i].raw);
	if (sn)
		free(sn->v);
	free(sn);
}

static void
snap_release(void *arg)
{
	bridge_snap_free(arg);
}

struct bridge_snap *
bridge_snap_take(const struct bridge_snap_ops *ops, const struct idtable *t, uint32_t id)
{
	struct bridge_snap *sn = calloc(1, sizeof(*sn));
	size_t n = t ? t->n : 0;

	if (!sn)
		return NULL;
	sn->ops = ops;
	sn->id = id;
	sn->v = calloc(n ? n : 1, sizeof(*sn->v));
	if (!sn->v) {
		free(sn);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *raw;
		size_t len;

		if (id != ops->all && idtable_id(t->v[i]) != id)
			continue;
		ops->raw_of(t->v[i], &raw, &len);
		sn->v[sn->n].id = idtable_id(t->v[i]);
		sn->v[sn->n].raw = malloc(len);
		if (!sn->v[sn->n].raw) {
			bridge_snap_free(sn);
			return NULL;
		}
		memcpy(sn->v[sn->n].raw, raw, len);
		sn->v[sn->n++].len = len;
	}
	return sn;
}

/* Puts the objects of sn back (the journal is closed meanwhile, so these are plain
 * changes). */
static void
snap_undo(struct bridge *br, void *arg)
{
	struct bridge_snap *sn = arg;
	const struct bridge_snap_ops *ops = sn->ops;
	bool *done = calloc(sn->n ? sn->n : 1, sizeof(*done));
	bool progress = true;

	if (sn->id != ops->all && !sn->n)
		ops->remove(br, sn->id);
	while (done && progress) {
		progress = false;
		for (size_t i = 0; i < sn->n; i++)
			if (!done[i] && !ops->restore(br, sn->v[i].id, sn->v[i].raw, sn->v[i].len))
				done[i] = progress = true;
	}
	for (size_t i = 0; i < sn->n; i++)
		if (!done || !done[i])
			vlog_rl(&rl_undo, VLOG_ERR, MOD, "%s: rollback cannot restore %s %u",
				br->name, ops->what, sn->v[i].id);
	free(done);
}

int
bridge_snap_push(struct bridge *br, struct bridge_snap *sn)
{
	if (!bridge_journal_push(br, snap_undo, snap_release, sn))
		return 0;
	snap_undo(br, sn);
	bridge_snap_free(sn);
	return -ENOMEM;
}

static int dp_add(struct bridge *br, struct rule *r, struct ofp_err *err);
static void count_refs(struct bridge *br, const struct rule *r, int delta);

/* Puts a kept rule back into the set, with a new datapath flow unless it has one. A
 * datapath refusal (out of memory) is logged and the rule goes back without its flow,
 * so that the set stays as it was for the entries still to undo. false only if the set
 * refuses it (it checks no capacity: cannot happen); the journal frees it then. */
static bool
reinsert(struct bridge *br, struct rule *r)
{
	struct ofp_err err;

	if (!r->dp && dp_add(br, r, &err))
		vlog_rl(&rl_flow, VLOG_ERR, MOD,
			"%s: rollback cannot restore a flow in the datapath", br->name);
	if (rule_set_insert(&br->rules, r)) {
		vlog_rl(&rl_flow, VLOG_ERR, MOD, "%s: rollback cannot restore a flow", br->name);
		if (r->dp)
			dp_flow_remove(br->dp, r->dp);
		r->dp = NULL;
		br->dirty = true;
		return false;
	}
	count_refs(br, r, +1);
	br->dirty = true;
	return true;
}

static void
drop_rule(struct bridge *br, struct rule *r)
{
	if (r->dp) {
		dp_flow_remove(br->dp, r->dp);
		br->dirty = true;
	}
	count_refs(br, r, -1);
	rule_set_remove(&br->rules, r);
	rule_free(r);
}

static void
undo_entry(struct bridge *br, struct jentry *e)
{
	struct ofp_err err;

	switch (e->kind) {
	case J_ADDED:
		drop_rule(br, e->r);
		break;
	case J_REMOVED:
		if (reinsert(br, e->r))
			e->r = NULL;
		break;
	case J_REPLACED:
		if (e->dp_moved && e->r->dp &&
		    !dp_flow_modify(br->dp, e->r->dp, &e->old->insts, &err)) {
			e->old->dp = e->r->dp; /* old kept its own offsets */
			e->r->dp = NULL;
		}
		drop_rule(br, e->r);
		if (reinsert(br, e->old))
			e->old = NULL;
		break;
	case J_MODIFIED:
		count_refs(br, e->r, -1);
		if (e->r->dp)
			dp_flow_modify(br->dp, e->r->dp, &e->insts, &err);
		free(e->r->insts.insts);
		e->r->insts = e->insts;
		e->insts.insts = NULL;
		e->r->pkt_ofs = e->pkt_ofs;
		e->r->byte_ofs = e->byte_ofs;
		count_refs(br, e->r, +1);
		br->dirty = true;
		break;
	case J_FLOW_REMOVED:
		break;
	case J_CUSTOM:
		e->undo(br, e->arg);
		break;
	}
}

static void
release_entry(struct bridge *br, struct jentry *e, bool keep)
{
	switch (e->kind) {
	case J_REMOVED:
		rule_free(e->r);
		break;
	case J_REPLACED:
		rule_free(e->old);
		break;
	case J_MODIFIED:
		free(e->insts.insts);
		break;
	case J_FLOW_REMOVED:
		if (keep)
			connmgr_send_flow_removed(br->cm, e->fr);
		free(e->fr);
		break;
	case J_CUSTOM:
		if (e->release)
			e->release(e->arg);
		break;
	default:
		break;
	}
}

void
bridge_journal_end(struct bridge *br, bool keep)
{
	struct bridge_journal *j = br->journal;

	if (!j)
		return;
	br->journal = NULL; /* the undo steps are plain changes, not recorded */
	if (!keep) {
		if (j->failed)
			vlog_rl(&rl_flow, VLOG_ERR, MOD,
				"%s: out of memory recording a bundle: rollback incomplete",
				br->name);
		for (size_t i = j->n; i-- > 0;)
			undo_entry(br, &j->v[i]);
	}
	for (size_t i = 0; i < j->n; i++)
		release_entry(br, &j->v[i], keep);
	free(j->v);
	free(j);
}

/* ---- Rules <-> datapath ------------------------------------------------------------ */

void
bridge_rule_stats(const struct rule *r, uint64_t *packets, uint64_t *bytes)
{
	uint64_t p = 0, b = 0, used = 0;

	if (r->dp)
		dp_flow_get_stats(r->dp, &p, &b, &used);
	*packets = p + r->pkt_ofs;
	*bytes = b + r->byte_ofs;
}

static void
reset_counts(struct rule *r)
{
	uint64_t p = 0, b = 0, used = 0;

	if (r->dp)
		dp_flow_get_stats(r->dp, &p, &b, &used);
	r->pkt_ofs = -p;
	r->byte_ofs = -b;
}

static int
dp_add(struct bridge *br, struct rule *r, struct ofp_err *err)
{
	struct ofp_match m;
	struct dp_flow_spec spec = {
		.table_id = r->table_id,
		.priority = r->priority,
		.cookie = r->cookie,
		.flags = r->flags,
		.match = &m,
		.insts = &r->insts,
	};
	struct dp_flow *f = NULL;
	int ret;

	rule_match(r, &m);
	err->type = OFPET_FLOW_MOD_FAILED;
	err->code = OFPFMFC_UNKNOWN;
	ret = dp_flow_add(br->dp, &spec, &f, err);
	if (ret) {
		if (ret != -EPROTO && ret != -ENOSPC && ret != -EOPNOTSUPP)
			ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_UNKNOWN);
		return -EPROTO;
	}
	r->dp = f;
	br->dirty = true;
	return 0;
}

static void
fill_flow_removed(const struct rule *r, uint8_t reason, uint64_t now_ns,
		  struct ofp_flow_removed *fr)
{
	uint64_t d = now_ns - r->created_ns;

	memset(fr, 0, sizeof(*fr));
	fr->cookie = r->cookie;
	fr->priority = r->priority;
	fr->reason = reason;
	fr->table_id = r->table_id;
	fr->duration_sec = (uint32_t)(d / 1000000000u);
	fr->duration_nsec = (uint32_t)(d % 1000000000u);
	fr->idle_timeout = r->idle_timeout;
	fr->hard_timeout = r->hard_timeout;
	bridge_rule_stats(r, &fr->packet_count, &fr->byte_count);
	rule_match(r, &fr->match);
}

static bool
is_action_inst(const struct ofp_instruction *ins)
{
	return ins->type == OFPIT_APPLY_ACTIONS || ins->type == OFPIT_WRITE_ACTIONS;
}

/* True if an action before actions[j] of instruction k of r already sends to id. */
static bool
group_seen(const struct rule *r, size_t k, size_t j, uint32_t id)
{
	for (size_t i = 0; i <= k; i++) {
		const struct ofp_instruction *ins = &r->insts.insts[i];

		for (size_t a = 0; is_action_inst(ins) && a < ins->actions.n && (i < k || a < j);
		     a++)
			if (ins->actions.actions[a].type == OFPAT_GROUP &&
			    ins->actions.actions[a].group_id == id)
				return true;
	}
	return false;
}

/* Counts r (delta +1) in, or removes it (-1) from, the reference counts of the groups its
 * actions send to (once per group) and of its meter, as it enters or leaves the set. */
static void
count_refs(struct bridge *br, const struct rule *r, int delta)
{
	for (size_t k = 0; k < r->insts.n; k++) {
		const struct ofp_instruction *ins = &r->insts.insts[k];

		if (ins->type == OFPIT_METER)
			meter_count_flow(br, ins->meter_id, delta);
		for (size_t j = 0; is_action_inst(ins) && j < ins->actions.n; j++) {
			const struct ofp_action *a = &ins->actions.actions[j];

			if (a->type == OFPAT_GROUP && !group_seen(r, k, j, a->group_id))
				group_count_flow(br, a->group_id, delta);
		}
	}
}

/* Removes r from the set and the datapath, sending FLOW_REMOVED if it asked for one. */
static void
remove_rule(struct bridge *br, struct rule *r, uint8_t reason, uint64_t now_ns)
{
	if (r->flags & OFPFF_SEND_FLOW_REM) {
		struct ofp_flow_removed fr;
		struct jentry *e;

		fill_flow_removed(r, reason, now_ns, &fr);
		if (!br->journal)
			connmgr_send_flow_removed(br->cm, &fr);
		else if ((e = jpush(br, J_FLOW_REMOVED)) && (e->fr = malloc(sizeof(fr))))
			*e->fr = fr;
	}
	if (br->journal) {
		struct jentry *e = jpush(br, J_REMOVED);

		if (e) {
			detach_dp(br, r);
			count_refs(br, r, -1);
			rule_set_remove(&br->rules, r);
			e->r = r;
			return;
		}
	}
	if (r->dp) {
		dp_flow_remove(br->dp, r->dp);
		br->dirty = true;
	}
	count_refs(br, r, -1);
	rule_set_remove(&br->rules, r);
	rule_free(r);
}

static int
flow_add(struct bridge *br, const struct ofp_flow_mod *fm, uint64_t now, struct ofp_err *err)
{
	struct rule *old, *r;
	bool moved = false, kept = false;
	int ret;

	if (fm->flags & OFPFF_CHECK_OVERLAP &&
	    rule_set_overlaps(&br->rules, fm->table_id, fm->priority, &fm->match))
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_OVERLAP);
	old = rule_set_find(&br->rules, fm->table_id, fm->priority, &fm->match);
	if (!old &&
	    rule_set_count(&br->rules, fm->table_id) >=
		    PFS_MIN(br->max_flows, pipeline_max_entries(br->pipeline, fm->table_id)))
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
	if (!old && bridge_quota_flow(br, br->rules.n_rules, err))
		return -EPROTO;
	r = rule_create(fm, now);
	if (!r)
		return -ENOMEM;
	if (old && old->dp && old->cookie == r->cookie &&
	    !((old->flags ^ r->flags) & (OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS))) {
		/* Same datapath identity: swap the instructions in place (counters kept). */
		err->type = OFPET_FLOW_MOD_FAILED;
		err->code = OFPFMFC_UNKNOWN;
		ret = dp_flow_modify(br->dp, old->dp, &r->insts, err);
		if (ret) {
			rule_free(r);
			return ret == -ENOMEM ? ret : -EPROTO;
		}
		br->dirty = true;
		r->dp = old->dp;
		r->pkt_ofs = old->pkt_ofs;
		r->byte_ofs = old->byte_ofs;
		old->dp = NULL;
		moved = true;
		if (fm->flags & OFPFF_RESET_COUNTS)
			reset_counts(r);
	} else {
		ret = dp_add(br, r, err);
		if (ret) {
			rule_free(r);
			return ret;
		}
		if (old && !(fm->flags & OFPFF_RESET_COUNTS))
			bridge_rule_stats(old, &r->pkt_ofs, &r->byte_ofs);
	}
	if (old && br->journal) {
		struct jentry *e = jpush(br, J_REPLACED);

		if (e) {
			e->r = r;
			e->old = old;
			e->dp_moved = moved;
			detach_dp(br, old);
			count_refs(br, old, -1);
			rule_set_remove(&br->rules, old);
			old = NULL;
			kept = true;
		}
	}
	if (old) {
		/* Replaced, not removed: no FLOW_REMOVED (as Open vSwitch). */
		if (old->dp) {
			dp_flow_remove(br->dp, old->dp);
			br->dirty = true;
		}
		count_refs(br, old, -1);
		rule_set_remove(&br->rules, old);
		rule_free(old);
	}
	ret = rule_set_insert(&br->rules, r);
	if (ret) { /* cannot happen: capacity was checked, insert does not allocate */
		if (r->dp)
			dp_flow_remove(br->dp, r->dp);
		rule_free(r);
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_TABLE_FULL);
	}
	count_refs(br, r, +1);
	if (!kept && br->journal) {
		struct jentry *e = jpush(br, J_ADDED);

		if (e)
			e->r = r;
	}
	return 0;
}

static void
filter_from_flow_mod(const struct ofp_flow_mod *fm, struct rule_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->table_id = fm->table_id;
	f->strict = fm->command == OFPFC_MODIFY_STRICT || fm->command == OFPFC_DELETE_STRICT;
	f->priority = fm->priority;
	f->match = &fm->match;
	f->cookie = fm->cookie;
	f->cookie_mask = fm->cookie_mask;
	if (fm->command == OFPFC_DELETE || fm->command == OFPFC_DELETE_STRICT) {
		f->out_port = fm->out_port;
		f->out_group = fm->out_group;
	} else {
		/* out_port/out_group are ignored by MODIFY (spec 6.4). */
		f->out_port = OFPP_ANY;
		f->out_group = OFPG_ANY;
	}
}

static int
flow_modify(struct bridge *br, const struct ofp_flow_mod *fm, struct ofp_err *err)
{
	struct rule_filter f;
	struct rule **v;
	long n;
	int ret = 0;

	filter_from_flow_mod(fm, &f);
	n = rule_set_collect(&br->rules, &f, &v);
	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		struct rule *r = v[i];
		struct ofp_instruction_list old_insts = r->insts;
		struct jentry *e;

		/* rule_set_insts() frees what r holds: detach the old list first so that a
		 * datapath refusal can put it back. */
		count_refs(br, r, -1);
		r->insts.insts = NULL;
		r->insts.n = 0;
		if (rule_set_insts(r, &fm->insts)) {
			r->insts = old_insts;
			count_refs(br, r, +1);
			ret = -ENOMEM;
			break;
		}
		if (r->dp) {
			int dr;

			err->type = OFPET_FLOW_MOD_FAILED;
			err->code = OFPFMFC_UNKNOWN;
			dr = dp_flow_modify(br->dp, r->dp, &r->insts, err);
			if (dr) {
				/* The datapath refuses the same instructions for every rule:
				 * report the first refusal. */
				free(r->insts.insts);
				r->insts = old_insts;
				count_refs(br, r, +1);
				ret = dr == -ENOMEM ? dr : -EPROTO;
				break;
			}
			br->dirty = true;
		}
		count_refs(br, r, +1);
		if (br->journal && (e = jpush(br, J_MODIFIED))) {
			e->r = r;
			e->insts = old_insts;
			e->pkt_ofs = r->pkt_ofs;
			e->byte_ofs = r->byte_ofs;
		} else {
			free(old_insts.insts);
		}
		if (fm->flags & OFPFF_RESET_COUNTS)
			reset_counts(r);
	}
	free(v);
	/* OpenFlow 1.3: a modify that selects nothing is not an error and adds nothing. */
	return ret;
}

static int
flow_delete(struct bridge *br, const struct ofp_flow_mod *fm, uint64_t now)
{
	struct rule_filter f;
	struct rule **v;
	long n;

	filter_from_flow_mod(fm, &f);
	n = rule_set_collect(&br->rules, &f, &v);
	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++)
		remove_rule(br, v[i], OFPRR_DELETE, now);
	free(v);
	return 0;
}

/* True if r's actions send to group_id (OFPG_ALL: any group, OFPG_ANY: none) or its
 * meter instruction names meter_id (OFPM_ALL: any meter, 0: none). */
static bool
uses(const struct rule *r, uint32_t group_id, uint32_t meter_id)
{
	for (size_t k = 0; k < r->insts.n; k++) {
		const struct ofp_instruction *ins = &r->insts.insts[k];

		if (ins->type == OFPIT_METER && meter_id &&
		    (meter_id == OFPM_ALL || ins->meter_id == meter_id))
			return true;
		for (size_t j = 0;
		     group_id != OFPG_ANY && is_action_inst(ins) && j < ins->actions.n; j++)
			if (ins->actions.actions[j].type == OFPAT_GROUP &&
			    (group_id == OFPG_ALL || ins->actions.actions[j].group_id == group_id))
				return true;
	}
	return false;
}

void
bridge_remove_flows_using(struct bridge *br, uint32_t group_id, uint32_t meter_id, uint8_t reason)
{
	struct ofp_match any;
	struct rule_filter f = {
		.table_id = OFPTT_ALL, .match = &any, .out_port = OFPP_ANY, .out_group = OFPG_ANY
	};
	uint64_t now = ofproto_now_ns();
	struct rule **v = NULL;
	long n;

	if (group_id != OFPG_ALL && group_id != OFPG_ANY)
		f.out_group = group_id;
	oxm_match_init(&any);
	n = rule_set_collect(&br->rules, &f, &v);
	for (long i = 0; i < n; i++)
		if (uses(v[i], group_id, meter_id))
			remove_rule(br, v[i], reason, now);
	free(v);
}

int
bridge_set_table_features(struct bridge *br, const struct ofp_table_features *tf, size_t n,
			  struct ofp_err *err)
{
	struct ofp_match any;
	struct rule_filter f = {
		.table_id = OFPTT_ALL, .match = &any, .out_port = OFPP_ANY, .out_group = OFPG_ANY
	};
	struct pipeline *pl;
	uint64_t now = ofproto_now_ns();
	struct rule **v = NULL;
	bool changed[256];
	long k;
	int r;

	r = pipeline_create(tf, n, br->n_tables, bridge_table_max_entries(br), &pl, err);
	if (r)
		return r;
	/* The flows of a table that leaves the pipeline or changes were made for features
	 * that no longer hold: removed as a controller's delete would remove them. Collected
	 * first, so that running out of memory changes nothing. */
	oxm_match_init(&any);
	k = rule_set_collect(&br->rules, &f, &v);
	if (k < 0) {
		pipeline_destroy(pl);
		return -ENOMEM;
	}
	for (unsigned t = 0; t < br->n_tables; t++)
		changed[t] = rule_set_count(&br->rules, (uint8_t)t) &&
			     !pipeline_table_same(br->pipeline, pl, (uint8_t)t);
	for (long i = 0; i < k; i++)
		if (changed[v[i]->table_id])
			remove_rule(br, v[i], OFPRR_DELETE, now);
	free(v);
	pipeline_destroy(br->pipeline);
	br->pipeline = pl;
	return 0;
}

int
bridge_flow_mod(struct bridge *br, const struct ofp_flow_mod *fm, struct ofp_err *err)
{
	uint64_t now = ofproto_now_ns();
	int r;

	br->n_flow_mods++;
	switch (fm->command) {
	case OFPFC_ADD:
	case OFPFC_MODIFY:
	case OFPFC_MODIFY_STRICT:
		if (fm->table_id >= br->n_tables)
			return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
		r = rule_check_insts(&fm->insts, fm->table_id, br->n_tables, group_exists,
				     meter_exists, br, err);
		if (!r)
			r = pipeline_check_flow_mod(br->pipeline, fm, err);
		if (r)
			return r;
		r = fm->command == OFPFC_ADD ? flow_add(br, fm, now, err)
					     : flow_modify(br, fm, err);
		break;
	case OFPFC_DELETE:
	case OFPFC_DELETE_STRICT:
		if (fm->table_id != OFPTT_ALL && fm->table_id >= br->n_tables)
			return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
		r = flow_delete(br, fm, now);
		break;
	default:
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
	}
	if (r == -ENOMEM) {
		vlog_rl(&rl_flow, VLOG_WARN, MOD, "%s: out of memory applying a flow_mod",
			br->name);
		return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_UNKNOWN);
	}
	if (!r && fm->buffer_id != OFP_NO_BUFFER)
		/* Applied; there is no packet buffer to release (n_buffers = 0). */
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	return r;
}

void
bridge_commit(struct bridge *br)
{
	if (!br->dirty)
		return;
	if (dp_commit(br->dp)) {
		vlog_rl(&rl_flow, VLOG_ERR, MOD, "%s: dp_commit failed (out of memory)", br->name);
		return;
	}
	br->dirty = false;
	ofproto_note_commit(br->ofp);
}

/* ---- Periodic work ------------------------------------------------------------------- */

static void
expire_flows(struct bridge *br)
{
	uint64_t now = ofproto_now_ns();
	struct rule *r, *next;

	/* One attribution of the workers' cache counts for the whole scan, not one per rule. */
	dp_stats_batch(true);
	for (r = br->rules.exp_head; r; r = next) {
		uint64_t p, b, used = 0;

		next = r->enext;
		if (r->hard_timeout &&
		    now - r->created_ns >= (uint64_t)r->hard_timeout * 1000000000u) {
			remove_rule(br, r, OFPRR_HARD_TIMEOUT, now);
			br->n_expired++;
			continue;
		}
		if (!r->idle_timeout)
			continue;
		if (r->dp) {
			dp_flow_get_stats(r->dp, &p, &b, &used);
			if (used > r->used_ns)
				r->used_ns = used;
		}
		if (now - r->used_ns >= (uint64_t)r->idle_timeout * 1000000000u) {
			remove_rule(br, r, OFPRR_IDLE_TIMEOUT, now);
			br->n_expired++;
		}
	}
	dp_stats_batch(false);
}

static bool
desc_changed(const struct ofp_port_desc *a, const struct ofp_port_desc *b)
{
	return a->config != b->config || a->state != b->state || a->curr != b->curr ||
	       a->advertised != b->advertised || a->supported != b->supported ||
	       a->peer != b->peer || a->curr_speed != b->curr_speed ||
	       a->max_speed != b->max_speed || memcmp(a->hw_addr, b->hw_addr, 6);
}

static void
report_port_changes(struct bridge *br)
{
	for (size_t i = 0; i < br->n_ports; i++) {
		struct bridge_port *p = &br->ports[i];
		struct ofp_port_status ps;

		memset(&ps, 0, sizeof(ps));
		bridge_port_desc(p, &ps.desc);
		if (!desc_changed(&ps.desc, &p->desc))
			continue;
		vlog(VLOG_INFO, MOD, "%s: port %s (%u) %s", br->name, p->name, p->ofport,
		     ps.desc.state & OFPPS_LINK_DOWN ? "link down" : "link up");
		p->desc = ps.desc;
		ps.reason = OFPPR_MODIFY;
		connmgr_send_port_status(br->cm, &ps);
	}
}

int
bridge_port_mod_check(struct bridge *br, const struct ofp_port_mod *pm, struct ofp_err *err)
{
	struct bridge_port *p = bridge_port_find(br, pm->port_no);

	if (!p)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
	if (memcmp(pm->hw_addr, p->desc.hw_addr, 6))
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_HW_ADDR);
	/* advertise: the datapath cannot change what a DPDK port advertises; 0 (unchanged)
	 * or the current value are accepted, anything else refused. */
	if (pm->advertise && pm->advertise != p->desc.advertised)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_ADVERTISE);
	return 0;
}

int
bridge_port_mod(struct bridge *br, const struct ofp_port_mod *pm, struct ofp_err *err)
{
	struct bridge_port *p = bridge_port_find(br, pm->port_no);
	int r = bridge_port_mod_check(br, pm, err);

	if (r)
		return r;
	if (pm->mask) {
		r = dp_port_set_config(p->dp, pm->config, pm->mask);
		if (r)
			return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_CONFIG);
	}
	report_port_changes(br);
	return 0;
}

void
bridge_run(struct bridge *br, uint64_t now_ms)
{
	if (br->fail_mode == CONFIG_FAIL_STANDALONE) {
		bool want = !connmgr_has_controller(br->cm);

		if (want != br->normal_mode) {
			vlog(VLOG_INFO, MOD, "%s: %s standalone (NORMAL) forwarding", br->name,
			     want ? "no controller connected: entering"
				  : "controller connected: leaving");
			dp_bridge_set_normal_mode(br->dp, want);
			br->normal_mode = want;
			br->dirty = true;
		}
	}
	if (now_ms >= br->next_expiry_ms) {
		br->next_expiry_ms = now_ms + 1000;
		if (br->rules.n_exp)
			expire_flows(br);
		dp_bridge_run(br->dp);
	}
	if (now_ms >= br->next_port_poll_ms) {
		br->next_port_poll_ms = now_ms + 200;
		if (dp_port_poll_changes(br->dp))
			report_port_changes(br);
	}
}

static int
quota_refuse(struct bridge *br, const char *what, uint32_t max, struct ofp_err *err, uint16_t type,
	     uint16_t code)
{
	br->n_quota_refused++;
	vlog_rl(&rl_quota, VLOG_INFO, MOD, "%s: %s quota (%" PRIu32 ") reached: add refused",
		br->name, what, max);
	return ofp_err_set(err, type, code);
}

int
bridge_quota_flow(struct bridge *br, size_t n, struct ofp_err *err)
{
	if (n < br->max_total_flows)
		return 0;
	return quota_refuse(br, "max_total_flows", br->max_total_flows, err, OFPET_FLOW_MOD_FAILED,
			    OFPFMFC_TABLE_FULL);
}

int
bridge_quota_group(struct bridge *br, size_t n, struct ofp_err *err)
{
	if (n < br->max_groups)
		return 0;
	return quota_refuse(br, "max_groups", br->max_groups, err, OFPET_GROUP_MOD_FAILED,
			    OFPGMFC_OUT_OF_GROUPS);
}

int
bridge_quota_meter(struct bridge *br, size_t n, struct ofp_err *err)
{
	if (n < br->max_meters)
		return 0;
	return quota_refuse(br, "max_meters", br->max_meters, err, OFPET_METER_MOD_FAILED,
			    OFPMMFC_OUT_OF_METERS);
}

bool
bridge_pin_allowed(struct bridge *br, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)br->pin_burst * 1000;

	if (!br->pin_rate)
		return true;
	if (now_ms > br->pin_last_ms) {
		br->pin_tokens_milli += (now_ms - br->pin_last_ms) * br->pin_rate;
		if (br->pin_tokens_milli > cap)
			br->pin_tokens_milli = cap;
		br->pin_last_ms = now_ms;
	}
	if (br->pin_tokens_milli >= 1000)
		return true;
	br->n_pin_waits++;
	return false;
}

void
bridge_pin_spend(struct bridge *br)
{
	if (br->pin_rate && br->pin_tokens_milli >= 1000)
		br->pin_tokens_milli -= 1000;
}

uint32_t
bridge_table_max_entries(const struct bridge *br)
{
	return PFS_MIN(br->max_flows, br->max_total_flows);
}
