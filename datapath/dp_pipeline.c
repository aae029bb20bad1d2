/* The OpenFlow 1.3 pipeline as a worker runs it on one packet: key extraction
 * (dp_key.h), the per-worker microflow cache (dp_cache.h), table lookups at the version
 * loaded once per burst (dp_cls.h), each rule's instructions (dp_prog.h: meter, apply,
 * clear, write, write_metadata, goto), the action set at the end, and every output:
 * standard ports, IN_PORT, FLOOD, ALL, NORMAL (dp_normal.h), CONTROLLER (the worker's
 * miss ring), LOCAL (none: dropped), TABLE (packet-out only). Per-worker counters for
 * rules, tables and ports; every drop counted under a named reason.
 *
 * mbufs: a packet is one mbuf chain viewed through a struct dp_pkt (its first segment).
 * An output sends a copy, except the last thing that happens to the packet (the final
 * output of the apply list of the last table with an empty action set to come, or the
 * action set's output), which sends the original: the common single-output rule copies
 * nothing.
 *
 * Microflow cache: the path (rules hit per table, or the table that missed) is a function
 * of the ingress key and the version, unless an action makes later lookups depend on
 * bytes the ingress key lacks (pop, eth_type/ip_proto rewrite) before a goto: such paths
 * are not cached. An entry holds the path composed into one program (dp_prog_compose():
 * apply-actions in order, write_metadata and goto resolved, the action set at the end;
 * meters and groups by reference) and counts its own packets: a hit runs the program,
 * or hands an output:N path's packet straight to the port, and bumps the entry. The
 * rules' and tables' counters get those counts when the worker attributes its cache
 * (dp_pipeline_attribute(), dp_cache_flush()), exactly as lookups would have counted
 * them. A path too long to compose is replayed rule by rule, counted as it goes.
 *
 * Tracing (dp_trace, pfs-ofctl trace): the same code runs one packet on the control
 * thread with run.trace set and a private struct dp_worker (whose drop counters become
 * the trace's drop steps). Where a traced run would send (every output, upcalls), count
 * (rule, table, group, bucket counters) or charge a meter, it records a step instead;
 * group buckets still run on copies. Off, each of those sites costs one test of
 * run.trace, which sits in the run's first cache line. */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "dp_cache.h"
#include "dp_core.h"
#include "dp_group.h"
#include "dp_normal.h"
#include "util.h"

/* PH_COMP: a composed program (dp_cache.h): outputs and groups count as exits and the
 * one numbered final_at may take the original. */
enum phase { PH_APPLY, PH_SET, PH_PKTOUT, PH_COMP };

struct run {
	struct dp_exec_ctx ctx; /* first: callbacks cast ctx back to the run */
	struct dp_worker *w;
	struct dp_trace *trace; /* NULL but for dp_trace(): record, send and count nothing */
	struct dp_bridge *br;
	uint64_t version;
	struct rte_mbuf *m;
	struct dp_port *in;	    /* ingress port, NULL for a packet-out from the controller */
	const struct dp_rule *rule; /* the rule executing (or the last one) */
	uint32_t in_port;
	uint32_t bytes; /* frame size at ingress (rule byte counters) */
	uint8_t phase;
	bool consumed;	    /* the original mbuf left (final output) */
	uint16_t outs;	    /* outputs in the current list so far */
	uint16_t final_at;  /* the output number that may take the original; 0: none */
	uint16_t n_outputs; /* output callbacks for this packet (NO_OUTPUT drop count) */
	uint8_t depth;	    /* groups entered to get here (chaining bound) */
	bool key_partial;   /* composed hit without the full key: only metadata and
			     * tunnel_id hold (rebuilt where a step needs it) */
	uint8_t ce_rule;    /* key_partial: the path index of the rule executing in ce */
	const struct dp_cache_entry *ce; /* key_partial: the entry (rule set lazily) */
	uint32_t *budget;     /* group bucket runs this packet may still cause (shared) */
	uint32_t budget_left; /* the top-level run's: what budget points to */
	struct dp_pkt pkt;
	struct dp_key key;
	struct dp_action_set set;
};

static void cb_output(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key,
		      uint32_t port, uint16_t max_len);
static void cb_group(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key,
		     uint32_t group_id);
static void cb_invalid_ttl(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key);
static bool cb_meter(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, uint32_t meter_id);

static const struct dp_exec_ops exec_ops = {
	.output = cb_output,
	.group = cb_group,
	.invalid_ttl = cb_invalid_ttl,
	.meter = cb_meter,
};

/* ---- Tracing (dp_trace) ----------------------------------------------------------------- */

/* A new event of the traced run r, or NULL when the trace is full. */
static struct dp_trace_event *
trace_add(struct run *r, uint8_t kind)
{
	struct dp_trace *t = r->trace;
	struct dp_trace_event *e;

	if (t->n_events >= DP_TRACE_MAX_EVENTS) {
		t->truncated = true;
		return NULL;
	}
	e = &t->events[t->n_events++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->depth = r->depth;
	return e;
}

static void
trace_output(struct run *r, uint32_t port, uint16_t max_len)
{
	struct dp_trace_event *e = trace_add(r, DP_TRACE_OUTPUT);

	if (e) {
		e->id = port;
		e->max_len = max_len;
	}
}

static void
trace_set(struct run *r)
{
	struct dp_trace_event *e = trace_add(r, DP_TRACE_ACTION_SET);

	if (e) {
		unsigned n = dp_action_set_actions(&r->set, e->actions, DP_TRACE_MAX_SET);

		e->n_actions = (uint8_t)PFS_MIN(n, DP_TRACE_MAX_SET);
		if (n > DP_TRACE_MAX_SET)
			r->trace->truncated = true;
	}
}

/* ---- mbuf <-> dp_pkt ------------------------------------------------------------------ */

static inline void
pkt_view(struct dp_pkt *p, struct rte_mbuf *m)
{
	dp_pkt_init(p, rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m),
		    rte_pktmbuf_headroom(m), rte_pktmbuf_tailroom(m));
	p->frame_len = rte_pktmbuf_pkt_len(m);
}

/* pkt_view() without clearing the parsed offsets: for a packet dp_key_fast() is about
 * to parse, which sets every one of them (a packet it refuses is viewed again). */
static inline void
pkt_view_unparsed(struct dp_pkt *p, struct rte_mbuf *m)
{
	p->data = rte_pktmbuf_mtod(m, uint8_t *);
	p->len = rte_pktmbuf_data_len(m);
	p->frame_len = rte_pktmbuf_pkt_len(m);
	p->headroom = rte_pktmbuf_headroom(m);
	p->tailroom = rte_pktmbuf_tailroom(m);
}

/* Brings the mbuf's offsets and lengths in line with the view after header edits. */
static inline void
mbuf_sync(struct rte_mbuf *m, const struct dp_pkt *p)
{
	m->data_off = (uint16_t)(p->data - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)p->len;
	m->pkt_len = p->frame_len;
}

/* The mbuf to send: the original if final (the run gives it up), else a copy. */
static inline struct rte_mbuf *
take_or_copy(struct run *r, bool final, uint32_t max_len)
{
	if (final && !r->consumed) {
		r->consumed = true;
		return r->m;
	}
	struct rte_mbuf *c = rte_pktmbuf_copy(r->m, dp_g.pool, 0, max_len);

	if (unlikely(!c))
		r->w->drops_core[DP_DROP_CORE_NO_MBUF]++;
	return c;
}

static inline uint64_t
be64_field(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return rte_be_to_cpu_64(v);
}

/* ---- Outputs -------------------------------------------------------------------------- */

static void
out_port(struct run *r, struct dp_port *p, bool final)
{
	struct dp_worker *w = r->w;
	uint32_t cfg = __atomic_load_n(&p->config, __ATOMIC_RELAXED);

	if (unlikely(cfg & (OFPPC_PORT_DOWN | OFPPC_NO_FWD))) {
		p->ws[w->id].tx_dropped++;
		w->drops_core[cfg & OFPPC_PORT_DOWN ? DP_DROP_CORE_TX_PORT_DOWN
						    : DP_DROP_CORE_TX_NO_FWD]++;
		return;
	}
	struct rte_mbuf *m = take_or_copy(r, final, UINT32_MAX);

	if (likely(m != NULL))
		dp_worker_tx(w, p, m);
}

static void
flood(struct run *r, bool is_flood, bool final)
{
	const struct dp_portmap *pm = __atomic_load_n(&r->br->pmap, __ATOMIC_ACQUIRE);
	struct dp_port *prev = NULL;

	for (unsigned i = 0; pm && i < pm->n; i++) {
		struct dp_port *p = pm->ports[i];
		uint32_t cfg = __atomic_load_n(&p->config, __ATOMIC_RELAXED);
		uint32_t st = __atomic_load_n(&p->state, __ATOMIC_RELAXED);

		if (p == r->in || (cfg & (OFPPC_PORT_DOWN | OFPPC_NO_FWD)))
			continue;
		if (is_flood && (st & (OFPPS_LINK_DOWN | OFPPS_BLOCKED)))
			continue;
		if (prev)
			out_port(r, prev, false);
		prev = p;
	}
	if (prev)
		out_port(r, prev, final);
}

static void
normal(struct run *r, const struct dp_key *key, bool final)
{
	struct dp_bridge *br = r->br;
	const uint8_t *src = key->f.eth_src, *dst = key->f.eth_dst;

	if (r->in && !(src[0] & 1)) {
		int e = dp_normal_learn(br->mac, src, r->in->slot, r->w->burst_tsc);

		if (unlikely(e != 0)) {
			if (e == -ENOSPC)
				r->w->mac_learn_port_limit++;
			else
				r->w->mac_learn_bucket_full++;
		}
	}
	if (!(dst[0] & 1)) {
		int slot = dp_normal_lookup(br->mac, dst, r->w->burst_tsc);
		struct dp_port *p =
			slot >= 0 ? __atomic_load_n(&br->slots[slot], __ATOMIC_ACQUIRE) : NULL;

		if (p) {
			if (unlikely(p == r->in)) {
				r->w->drops_core[DP_DROP_CORE_NORMAL_SAME_PORT]++;
				return;
			}
			out_port(r, p, final);
			return;
		}
	}
	flood(r, true, final);
}

/* OF1.3.5 meter OFPM_CONTROLLER: when the bridge has one, every packet for the
 * controller (output:CONTROLLER, table-miss, invalid TTL) is measured against it, before
 * any copy is made. True if the packet may go up. A DROP band drops it; a DSCP_REMARK
 * band counts it and lets it up unchanged (the packet-in reports the frame as it was). */
static inline bool
controller_meter_pass(struct run *r, uint32_t len)
{
	struct dp_meter *mt = dp_meter_lookup(r->br, OFPM_CONTROLLER);
	int band;

	if (likely(mt == NULL))
		return true;
	band = dp_meter_apply(mt, r->w->id, r->w->burst_tsc, len);
	return band < 0 || mt->band[band].type != OFPMBT_DROP;
}

static void
upcall(struct run *r, const struct dp_key *key, uint8_t reason, uint16_t max_len, bool final)
{
	struct dp_worker *w = r->w;

	if (r->in && (__atomic_load_n(&r->in->config, __ATOMIC_RELAXED) & OFPPC_NO_PACKET_IN)) {
		w->drops_core[DP_DROP_CORE_NO_PACKET_IN]++;
		return;
	}
	uint32_t total = rte_pktmbuf_pkt_len(r->m);

	if (unlikely(!controller_meter_pass(r, total))) {
		w->drops_core[DP_DROP_CORE_CONTROLLER_METER]++;
		return;
	}
	/* No bridge may fill the ring that all bridges' upcalls share. */
	struct dp_upcall_acct *acct = &r->br->upcall_acct[w->id];

	if (unlikely(acct->enq - __atomic_load_n(&acct->deq, __ATOMIC_RELAXED) >=
		     __atomic_load_n(&dp_g.upcall_share, __ATOMIC_RELAXED))) {
		w->drops_core[DP_DROP_CORE_UPCALL_SHARE]++;
		return;
	}
	struct rte_mbuf *m =
		take_or_copy(r, final, max_len == OFPCML_NO_BUFFER ? UINT32_MAX : max_len);

	if (unlikely(!m))
		return;
	struct dp_mbuf_meta *meta = dp_mbuf_meta(m);
	const struct dp_rule *rule = r->rule;

	meta->br = r->br;
	meta->br_uid = r->br->uid;
	meta->in_port = r->in_port;
	meta->reason = reason;
	meta->table_id = rule ? rule->table_id : 0;
	meta->cookie = rule ? rule->cookie : UINT64_MAX;
	meta->metadata = be64_field(key->f.metadata);
	meta->tunnel_id = be64_field(key->f.tunnel_id);
	meta->max_len = max_len;
	meta->total_len = total;
	if (unlikely(rte_ring_sp_enqueue(w->miss, m) != 0)) {
		dp_worker_drop(w, DP_DROP_CORE_UPCALL_RING_FULL, m);
		return;
	}
	__atomic_store_n(&acct->enq, acct->enq + 1, __ATOMIC_RELAXED);
	w->upcall_queued = true; /* the worker loop wakes the control thread */
}

static void run_tables_from(struct run *r, struct dp_cache_path *rec, bool have_first,
			    const struct dp_cls_rule *first);

/* Table t's compiled shape if it is valid at version (dp_shape.h), else NULL: the
 * classifier answers. */
static inline const struct dp_shape *
table_shape(const struct dp_bridge *br, unsigned t, uint64_t version)
{
	const struct dp_shape *s = __atomic_load_n(&br->shapes[t], __ATOMIC_ACQUIRE);

	return s && s->version <= version ? s : NULL;
}

/* Looked up one key at a time, an EXACT shape past this many rules loses to the
 * classifier: its open-addressed slots and keys outgrow the caches, where the
 * classifier's subtable hash stays compact (pipeline.sh, cache off: 10k exact rules 255
 * against 205 cycles/packet; 70 to 1000 rules per table, S5 and S10, 25% and 12% faster
 * with the shape). A burst's table-0 lookups (rx_cached) prefetch in passes and use
 * the shape at any size (S2 100k, cache on: 160 -> 140 cycles over the bare loop). */
#define EXACT_SHAPE_MAX_RULES 2048

/* The shape table t's lookups should use at version, or NULL for the classifier. */
static inline const struct dp_shape *
lookup_shape(const struct dp_bridge *br, unsigned t, uint64_t version)
{
	const struct dp_shape *s = table_shape(br, t, version);

	if (s && s->kind == DP_SHAPE_EXACT && s->n_rules > EXACT_SHAPE_MAX_RULES)
		return NULL;
	return s;
}

/* The winning rule of table t for key at version, or NULL. */
static inline const struct dp_cls_rule *
table_lookup(const struct dp_bridge *br, unsigned t, const struct dp_key *key, uint64_t version)
{
	const struct dp_shape *s = lookup_shape(br, t, version);

	if (likely(s != NULL))
		return dp_shape_lookup(s, key);
	return dp_cls_lookup(&br->tables[t], key, version);
}

static inline void
run_tables(struct run *r, struct dp_cache_path *rec)
{
	run_tables_from(r, rec, false, NULL);
}
static void finish(struct run *r);

/* OFPP_TABLE from a packet-out: the packet as it is now goes through the tables. */
static void
to_table(struct run *r, const struct dp_key *key, bool final)
{
	struct rte_mbuf *m = take_or_copy(r, final, UINT32_MAX);

	if (unlikely(!m))
		return;
	struct run t = { 0 };

	t.ctx.ops = &exec_ops;
	t.ctx.aux = NULL;
	t.ctx.queue_id = 0;
	t.w = r->w;
	t.br = r->br;
	t.version = r->version;
	t.m = m;
	t.in = r->in;
	t.rule = NULL;
	t.in_port = r->in_port;
	t.bytes = rte_pktmbuf_pkt_len(m);
	t.consumed = false;
	t.n_outputs = 0;
	t.depth = r->depth;
	t.budget = r->budget;
	t.trace = r->trace;
	pkt_view(&t.pkt, m);
	if (dp_key_extract(&t.pkt, r->in_port, &t.key) != 0)
		t.key = *key; /* malformed: the executor's key is the best we have */
	memset(t.key.f.metadata, 0, sizeof(t.key.f.metadata));
	memcpy(t.key.f.tunnel_id, key->f.tunnel_id, sizeof(t.key.f.tunnel_id));
	dp_action_set_init(&t.set);
	run_tables(&t, NULL);
	finish(&t);
}

/* Output to standard port number `port`. */
static inline void
out_std(struct run *r, uint32_t port, bool final)
{
	struct dp_port *p = dp_bridge_port(r->br, port);

	if (unlikely(!p)) {
		r->w->drops_core[DP_DROP_CORE_TX_NO_PORT]++;
		return;
	}
	if (unlikely(p == r->in)) {
		r->w->drops_core[DP_DROP_CORE_TX_IN_PORT]++;
		return;
	}
	out_port(r, p, final);
}

static void
cb_output(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key, uint32_t port,
	  uint16_t max_len)
{
	struct run *r = (struct run *)ctx;
	struct dp_worker *w = r->w;
	bool final;

	r->outs++;
	r->n_outputs++;
	if (unlikely(r->trace != NULL)) {
		trace_output(r, port, max_len);
		return;
	}
	final = r->phase == PH_SET || (r->final_at && r->outs == r->final_at);
	mbuf_sync(r->m, pkt);
	if (likely(port <= OFPP_MAX)) {
		out_std(r, port, final);
		return;
	}
	switch (port) {
	case OFPP_IN_PORT:
		if (unlikely(!r->in)) {
			w->drops_core[DP_DROP_CORE_TX_BAD_PORT]++;
			return;
		}
		out_port(r, r->in, final);
		return;
	case OFPP_FLOOD:
	case OFPP_ALL:
		flood(r, port == OFPP_FLOOD, final);
		return;
	case OFPP_NORMAL:
		normal(r, key, final);
		return;
	case OFPP_CONTROLLER: {
		uint8_t reason = r->phase != PH_PKTOUT && r->rule && r->rule->table_miss
					 ? DP_UPCALL_NO_MATCH
					 : DP_UPCALL_ACTION;

		upcall(r, key, reason, max_len, final);
		return;
	}
	case OFPP_LOCAL:
		/* The bridge's LOCAL port where it has one (local_port = true). */
		if (unlikely(!__atomic_load_n(&r->br->local, __ATOMIC_RELAXED))) {
			w->drops_core[DP_DROP_CORE_TX_LOCAL]++;
			return;
		}
		out_std(r, port, final);
		return;
	case OFPP_TABLE:
		if (r->phase == PH_PKTOUT) {
			to_table(r, key, final);
			return;
		}
		w->drops_core[DP_DROP_CORE_TX_TABLE]++;
		return;
	default:
		w->drops_core[DP_DROP_CORE_TX_BAD_PORT]++;
		return;
	}
}

static inline void count_drop(struct run *r, int reason);

/* Runs bucket i of g on the packet as it is now: on the original if final (nothing else
 * will happen to it), else on a copy. The bucket's actions are an action set. */
static void
run_bucket(struct run *r, const struct dp_group *g, unsigned i, const struct dp_pkt *pkt,
	   const struct dp_key *key, bool final)
{
	struct dp_worker *w = r->w;

	/* Every bucket run is a copy of the packet: a packet that would make more than the
	 * budget (several group actions, each within GROUP_MOD's limit) loses the rest. */
	if (unlikely(*r->budget == 0)) {
		w->drops_core[DP_DROP_CORE_GROUP_BUDGET]++;
		return;
	}
	--*r->budget;
	struct rte_mbuf *m = take_or_copy(r, final, UINT32_MAX);

	if (unlikely(!m))
		return;
	struct dp_gcount *bc = &g->bws[(size_t)w->id * g->n_buckets + i];
	struct run b;

	if (likely(!r->trace)) {
		bc->packets++;
		bc->bytes += rte_pktmbuf_pkt_len(m);
	}
	b.ctx.ops = &exec_ops;
	b.ctx.aux = NULL;
	b.ctx.queue_id = r->ctx.queue_id;
	b.w = w;
	b.br = r->br;
	b.version = r->version;
	b.m = m;
	b.in = r->in;
	b.rule = r->rule;
	b.in_port = r->in_port;
	b.bytes = rte_pktmbuf_pkt_len(m);
	b.phase = PH_SET; /* the set's one output may take b.m */
	b.consumed = false;
	b.outs = 0;
	b.final_at = 0;
	b.n_outputs = 0;
	b.depth = (uint8_t)(r->depth + 1);
	b.budget = r->budget; /* the top-level run's counter */
	b.budget_left = 0;
	b.trace = r->trace;
	/* Same bytes at the same offsets: the parsed view carries over. */
	b.pkt = *pkt;
	b.pkt.data = rte_pktmbuf_mtod(m, uint8_t *);
	b.pkt.len = rte_pktmbuf_data_len(m);
	b.pkt.frame_len = rte_pktmbuf_pkt_len(m);
	b.pkt.headroom = rte_pktmbuf_headroom(m);
	b.pkt.tailroom = rte_pktmbuf_tailroom(m);
	b.key = *key;
	dp_action_set_init(&b.set);
	dp_action_set_write(&b.set, g->b[i].prog);
	if (unlikely(b.trace != NULL))
		trace_set(&b);
	int rc = dp_action_set_execute(&b.set, &b.pkt, &b.key, &b.ctx);

	if (unlikely(rc)) {
		count_drop(&b, rc);
		b.n_outputs++;
	}
	finish(&b);
}

static void
trace_group(struct run *r, const struct dp_group *g, uint32_t group_id, int bucket)
{
	struct dp_trace_event *e = trace_add(r, DP_TRACE_GROUP);

	if (e) {
		e->id = group_id;
		e->group_type = g->type;
		e->arg = bucket;
	}
}

static void
cb_group(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key, uint32_t group_id)
{
	struct run *r = (struct run *)ctx;
	struct dp_worker *w = r->w;
	/* From the action set the group is the last thing done to the packet. */
	bool final = r->phase == PH_SET;
	const struct dp_group *g;
	int i;

	if (r->phase == PH_COMP)
		final = ++r->outs == r->final_at;
	r->n_outputs++;
	if (unlikely(r->depth >= DP_GROUP_MAX_DEPTH)) {
		w->drops_core[DP_DROP_CORE_GROUP_DEPTH]++;
		return;
	}
	g = dp_group_lookup(r->br, group_id);
	if (unlikely(!g)) {
		w->drops_core[DP_DROP_CORE_GROUP]++;
		return;
	}
	struct dp_gcount *gc = &g->st->ws[(size_t)w->id * DP_GCOUNT_STRIDE];

	if (likely(!r->trace)) {
		gc->packets++;
		gc->bytes += pkt->frame_len;
	}
	mbuf_sync(r->m, pkt);
	switch (g->type) {
	case OFPGT_ALL:
		for (unsigned k = 0; k < g->n_buckets; k++) {
			if (unlikely(r->trace != NULL))
				trace_group(r, g, group_id, (int)k);
			run_bucket(r, g, k, pkt, key, final && k + 1 == g->n_buckets);
		}
		return;
	case OFPGT_SELECT:
		i = dp_group_select(g, dp_group_hash(key));
		break;
	case OFPGT_INDIRECT:
		i = g->n_buckets ? 0 : -1;
		break;
	default: /* OFPGT_FF */
		i = dp_group_ff_live(g);
		break;
	}
	if (unlikely(r->trace != NULL))
		trace_group(r, g, group_id, i);
	if (unlikely(i < 0)) {
		w->drops_core[DP_DROP_CORE_GROUP_NO_LIVE]++;
		return;
	}
	run_bucket(r, g, (unsigned)i, pkt, key, final);
}

/* The meter instruction: the band that applies drops the packet or remarks its DSCP. */
static bool
cb_meter(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, uint32_t meter_id)
{
	struct run *r = (struct run *)ctx;
	struct dp_meter *mt = dp_meter_lookup(r->br, meter_id);
	int band;

	if (unlikely(!mt))
		return true; /* removed with its flows in the same commit */
	if (unlikely(r->trace != NULL)) {
		struct dp_trace_event *e = trace_add(r, DP_TRACE_METER);

		band = dp_meter_peek(mt, r->w->burst_tsc, pkt->frame_len);
		if (e) {
			e->id = meter_id;
			e->arg = band;
			e->drop = band >= 0 && mt->band[band].type == OFPMBT_DROP;
		}
		/* A remark band is reported, not applied: the trace leaves the frame as is. */
		return band < 0 || mt->band[band].type != OFPMBT_DROP;
	}
	band = dp_meter_apply(mt, r->w->id, r->w->burst_tsc, pkt->frame_len);
	if (likely(band < 0))
		return true;
	const struct dp_mband *b = &mt->band[band];

	if (b->type == OFPMBT_DROP)
		return false;
	if (pkt->l3_type == DP_L3_IPV4 || pkt->l3_type == DP_L3_IPV6) {
		/* DSCP_REMARK: raise the drop precedence (the AF "dd" bits) by prec_level. */
		uint8_t dscp = r->key.f.ip_dscp[0];
		unsigned prec = ((dscp >> 1) & 3u) + b->prec_level;
		uint8_t v = (uint8_t)((dscp & ~6u) | ((prec > 3 ? 3u : prec) << 1));

		if (v != dscp && dp_pkt_set_field(pkt, OFPXMT_OFB_IP_DSCP, &v) == 0)
			r->key.f.ip_dscp[0] = v;
	}
	return true;
}

static void
cb_invalid_ttl(struct dp_exec_ctx *ctx, struct dp_pkt *pkt, const struct dp_key *key)
{
	struct run *r = (struct run *)ctx;

	if (!r->br->ttl_to_controller)
		return;
	if (unlikely(r->trace != NULL)) {
		trace_output(r, OFPP_CONTROLLER, OFPCML_NO_BUFFER);
		return;
	}
	if (r->key_partial && key == &r->key) {
		/* The packet-in's match: the key of the packet as it is now. */
		uint8_t md[8], tun[8];

		memcpy(md, r->key.f.metadata, 8);
		memcpy(tun, r->key.f.tunnel_id, 8);
		(void)dp_key_extract(pkt, r->in_port, &r->key);
		memcpy(r->key.f.metadata, md, 8);
		memcpy(r->key.f.tunnel_id, tun, 8);
		r->key_partial = false;
		r->rule = r->ce->rules[r->ce_rule];
	}
	mbuf_sync(r->m, pkt);
	upcall(r, key, DP_UPCALL_INVALID_TTL, OFPCML_NO_BUFFER, false);
}

/* ---- Tables --------------------------------------------------------------------------- */

static inline void
count_drop(struct run *r, int reason)
{
	r->w->drops_key[(unsigned)reason < DP_KEY_DROP_SLOTS ? reason : 0]++;
}

static void
trace_rule(struct run *r, const struct dp_rule *rule)
{
	struct dp_trace_event *e = trace_add(r, DP_TRACE_TABLE);

	if (e) {
		e->table_id = rule->table_id;
		e->flow = rule->flow;
		e->priority = rule->flow->priority;
		e->cookie = rule->cookie;
	}
}

/* Runs one rule's instructions. 0 with *next, or a drop reason. */
static inline int
exec_rule(struct run *r, const struct dp_rule *rule, unsigned *next)
{
	struct dp_flow_wstats *fs = &rule->ws[r->w->id];
	const struct dp_prog *prog = rule->prog;

	if (unlikely(r->trace != NULL)) {
		trace_rule(r, rule);
	} else {
		if (likely(rule->count_packets))
			fs->packets++;
		if (likely(rule->count_bytes))
			fs->bytes += r->bytes;
		fs->used_tsc = r->w->burst_tsc;
	}
	r->rule = rule;
	if (rule->sum.direct_port && !r->set.present) {
		/* The common rule, output:N and nothing else: the packet itself leaves. */
		*next = DP_PROG_NO_GOTO;
		r->n_outputs++;
		if (unlikely(r->trace != NULL)) {
			trace_output(r, rule->sum.direct_port, 0);
			return 0;
		}
		mbuf_sync(r->m, &r->pkt); /* earlier tables may have edited the headers */
		out_std(r, rule->sum.direct_port, true);
		return 0;
	}
	r->phase = PH_APPLY;
	r->outs = 0;
	r->final_at = 0;
	if (rule->sum.last_is_output && !(prog->flags & DP_PROG_F_GOTO) && prog->write_slots == 0 &&
	    ((prog->flags & DP_PROG_F_CLEAR) || r->set.present == 0))
		r->final_at = rule->sum.n_out;
	return dp_prog_run(prog, &r->pkt, &r->key, &r->set, &r->ctx, next);
}

/* Looks the packet up table after table from table 0, recording the path in rec (if
 * not NULL; rec->n_rules is set to 0xff when the path must not be cached). */
static void
run_tables_from(struct run *r, struct dp_cache_path *rec, bool have_first,
		const struct dp_cls_rule *first)
{
	struct dp_bridge *br = r->br;
	unsigned table = 0, next;

	for (;;) {
		struct dp_table_wstats scratch, *ts = dp_bridge_tstats(br, r->w->id, table);
		const struct dp_cls_rule *cr;

		if (unlikely(r->trace != NULL))
			ts = &scratch; /* a trace counts nothing */
		ts->lookups++;
		if (table == 0 && have_first)
			cr = first; /* looked up with the burst (dp_cls_lookup_bulk) */
		else
			cr = table_lookup(br, table, &r->key, r->version);
		if (!cr) {
			if (unlikely(r->trace != NULL)) {
				struct dp_trace_event *e = trace_add(r, DP_TRACE_MISS);

				if (e)
					e->table_id = (uint8_t)table;
			}
			if (rec) {
				rec->miss = true;
				rec->miss_table = (uint8_t)table;
			}
			r->w->drops_core[DP_DROP_CORE_TABLE_MISS]++;
			r->n_outputs++; /* counted: not a NO_OUTPUT drop too */
			return;
		}
		ts->matched++;
		const struct dp_rule *rule = container_of(cr, const struct dp_rule, cls);

		if (rec && rec->n_rules != 0xff) {
			if (rec->n_rules < DP_CACHE_MAX_RULES)
				rec->rules[rec->n_rules++] = rule;
			else
				rec->n_rules = 0xff;
			rec->needs_key |= !rule->sum.key_free;
		}
		int rc = exec_rule(r, rule, &next);

		if (unlikely(rc)) {
			count_drop(r, rc);
			r->n_outputs++;
			if (rec)
				rec->n_rules = 0xff; /* meter or TTL: not a function of the key */
			return;
		}
		if (next == DP_PROG_NO_GOTO)
			break;
		if (unlikely(next <= table || next >= DP_N_TABLES)) {
			r->w->drops_core[DP_DROP_CORE_EXEC]++;
			r->n_outputs++;
			if (rec)
				rec->n_rules = 0xff;
			return;
		}
		if (rec && rule->sum.reparses)
			rec->n_rules = 0xff;
		table = next;
	}
	if (r->set.present) {
		r->phase = PH_SET;
		if (unlikely(r->trace != NULL))
			trace_set(r);
		int rc = dp_action_set_execute(&r->set, &r->pkt, &r->key, &r->ctx);

		if (unlikely(rc)) {
			count_drop(r, rc);
			r->n_outputs++;
		}
	}
}

/* Replays a cached path that could not be composed: the same instructions and
 * counters, no lookups. */
static void
replay(struct run *r, const struct dp_cache_entry *path)
{
	struct dp_bridge *br = r->br;
	unsigned next;

	for (unsigned i = 0; i < path->n_rules; i++) {
		const struct dp_rule *rule = path->rules[i];
		struct dp_table_wstats *ts = dp_bridge_tstats(br, r->w->id, rule->table_id);

		ts->lookups++;
		ts->matched++;
		int rc = exec_rule(r, rule, &next);

		if (unlikely(rc)) {
			count_drop(r, rc);
			r->n_outputs++;
			return;
		}
	}
	if (path->miss) {
		dp_bridge_tstats(br, r->w->id, path->miss_table)->lookups++;
		r->w->drops_core[DP_DROP_CORE_TABLE_MISS]++;
		r->n_outputs++;
		return;
	}
	if (r->set.present) {
		r->phase = PH_SET;
		int rc = dp_action_set_execute(&r->set, &r->pkt, &r->key, &r->ctx);

		if (unlikely(rc)) {
			count_drop(r, rc);
			r->n_outputs++;
		}
	}
}

/* Counts one packet on the rules of e's path up to index last and on their tables, as
 * lookups would have (a composed run that a step stopped there). */
static void
count_rules(struct run *r, const struct dp_cache_entry *e, unsigned last)
{
	for (unsigned i = 0; i <= last && i < e->n_rules; i++) {
		const struct dp_rule *rule = e->rules[i];
		struct dp_flow_wstats *fs = &rule->ws[r->w->id];
		struct dp_table_wstats *ts = dp_bridge_tstats(r->br, r->w->id, rule->table_id);

		if (rule->count_packets)
			fs->packets++;
		if (rule->count_bytes)
			fs->bytes += r->bytes;
		fs->used_tsc = r->w->burst_tsc;
		ts->lookups++;
		ts->matched++;
	}
}

/* Runs a composed entry's program. True when the whole path ran (the entry counts the
 * packet); false when a step (meter, TTL, headroom) dropped it, the rules it reached
 * then counted here. */
static bool
run_composed(struct run *r, const struct dp_cache_entry *e)
{
	const struct dp_cprog *p = &e->prog;

	r->phase = PH_COMP;
	r->outs = 0;
	r->final_at = p->final_at;
	for (unsigned k = 0; k < p->n_seg; k++) {
		const struct dp_cprog_seg *sg = &p->seg[k];
		int rc = 0;

		/* Only upcalls and groups read the rule; without the key (no such step but
		 * an invalid-TTL upcall) it is looked up when needed. */
		if (r->key_partial)
			r->ce_rule = sg->rule;
		else
			r->rule = e->rules[sg->rule];
		if (unlikely(sg->meter) && !cb_meter(&r->ctx, &r->pkt, sg->meter_id))
			rc = DP_DROP_METER;
		else if (sg->n)
			rc = dp_actions_run(p->ops + sg->off, sg->n, &r->pkt, &r->key, &r->ctx);
		if (unlikely(rc)) {
			count_drop(r, rc);
			r->n_outputs++;
			count_rules(r, e, sg->rule);
			return false;
		}
	}
	if (unlikely(e->miss)) {
		dp_bridge_tstats(r->br, r->w->id, e->miss_table)->lookups++;
		r->w->drops_core[DP_DROP_CORE_TABLE_MISS]++;
		r->n_outputs++;
	}
	return true;
}

/* A hit on entry e of cache c. */
static inline void
hit(struct run *r, struct dp_cache *c, struct dp_cache_entry *e)
{
	if (likely(e->composed)) {
		if (likely(dp_cprog_fits(&e->prog, &r->pkt))) {
			if (likely(run_composed(r, e)))
				dp_cache_count(c, e, 1, r->bytes, r->w->burst_tsc);
			return;
		}
		/* A push/pop pair the program elided would not undo itself on this frame
		 * (a runt the pop re-pads...): the rules, with the full key. */
		if (r->key_partial) {
			(void)dp_key_extract(&r->pkt, r->in_port, &r->key);
			r->key_partial = false;
		}
	}
	replay(r, e);
}

/* The key a hit on e needs, for a packet with fast key fk: expanded, or (a composed
 * program that reads no more) only metadata and tunnel_id, zero at ingress. */
static inline void
hit_key(struct run *r, const struct dp_cache_entry *e, const struct dp_fkey *fk)
{
	if (e->composed ? e->prog.reads_key : e->needs_key) {
		dp_fkey_expand(fk, &r->key);
		return;
	}
	memset(r->key.f.metadata, 0, sizeof(r->key.f.metadata));
	memset(r->key.f.tunnel_id, 0, sizeof(r->key.f.tunnel_id));
	r->key_partial = true;
	r->ce = e;
}

/* Composes a fresh entry's program from its rules (replayed where it does not fit). */
static void
compose(struct dp_cache_entry *e)
{
	const struct dp_prog *progs[DP_CACHE_MAX_RULES];

	if (!e)
		return; /* already cached */
	for (unsigned i = 0; i < e->n_rules; i++)
		progs[i] = e->rules[i]->prog;
	e->composed =
		dp_prog_compose(progs, e->n_rules, e->miss ? DP_CPROG_NO_SET : 0u, &e->prog) == 0;
}

void
dp_pipeline_attribute(void *aux, struct dp_cache_entry *e)
{
	const struct dp_worker *w = aux;
	uint64_t n = e->packets, bytes = e->bytes;

	for (unsigned i = 0; i < e->n_rules; i++) {
		const struct dp_rule *rule = e->rules[i];
		struct dp_flow_wstats *fs = &rule->ws[w->id];
		struct dp_table_wstats *ts =
			dp_bridge_tstats(rule->flow->br, w->id, rule->table_id);

		if (rule->count_packets)
			fs->packets += n;
		if (rule->count_bytes)
			fs->bytes += bytes;
		if (e->used_tsc > fs->used_tsc)
			fs->used_tsc = e->used_tsc;
		ts->lookups += n;
		ts->matched += n;
	}
}

static void
finish(struct run *r)
{
	if (r->consumed)
		return;
	if (!r->n_outputs)
		r->w->drops_key[DP_DROP_NO_OUTPUT]++;
	rte_pktmbuf_free(r->m);
}

/* view: m already viewed (and parsed) as a dp_pkt, or NULL. */
static inline void
run_init(struct run *r, struct dp_worker *w, struct dp_bridge *br, uint64_t version,
	 struct dp_port *in, uint32_t in_port, struct rte_mbuf *m, const struct dp_pkt *view)
{
	r->ctx.ops = &exec_ops;
	r->ctx.aux = NULL;
	r->ctx.queue_id = 0;
	r->w = w;
	r->br = br;
	r->version = version;
	r->m = m;
	r->in = in;
	r->rule = NULL;
	r->in_port = in_port;
	r->bytes = rte_pktmbuf_pkt_len(m);
	r->consumed = false;
	r->n_outputs = 0;
	r->depth = 0;
	r->key_partial = false;
	r->budget_left =
		dp_g.params.group_budget ? dp_g.params.group_budget : DP_GROUP_DEFAULT_BUDGET;
	r->budget = &r->budget_left;
	r->trace = NULL;
	r->outs = 0;
	r->final_at = 0;
	dp_action_set_init(&r->set);
	if (view)
		r->pkt = *view;
	else
		pkt_view(&r->pkt, m);
}

/* Looks up (or fills) the cache for a packet dp_key_fast() accepted; r->key is built
 * from fk only when the tables or the cached path's actions need it. */
static inline void
process_fast(struct run *r, struct dp_cache *c, const struct dp_fkey *fk, uint32_t hash)
{
	bool fill;
	struct dp_cache_entry *e = dp_cache_lookup_fast(c, r->br->uid, r->version, fk, hash, &fill);

	if (likely(e != NULL)) {
		hit_key(r, e, fk);
		hit(r, c, e);
		return;
	}
	struct dp_cache_path rec;

	dp_fkey_expand(fk, &r->key);
	rec.n_rules = 0;
	rec.miss = false;
	rec.miss_table = 0;
	rec.needs_key = false;
	run_tables(r, &rec);
	if (fill && rec.n_rules != 0xff)
		compose(dp_cache_insert_fast(c, r->br->uid, r->version, fk, hash, &rec));
}

static inline void
process(struct dp_worker *w, struct dp_bridge *br, uint64_t version, bool normal_mode,
	struct dp_port *in, struct rte_mbuf *m)
{
	struct dp_cache *c = w->cache;
	struct dp_fkey fk;
	struct run r;
	int rc;

	run_init(&r, w, br, version, in, in->ofport, m, NULL);
	if (likely(dp_key_fast(&r.pkt, in->ofport, &fk))) {
		if (likely(c != NULL && !normal_mode)) {
			process_fast(&r, c, &fk, dp_cache_fhash(&fk));
			finish(&r);
			return;
		}
		dp_fkey_expand(&fk, &r.key);
	} else {
		rc = dp_key_extract(&r.pkt, in->ofport, &r.key);
		if (unlikely(rc)) {
			count_drop(&r, rc);
			rte_pktmbuf_free(m);
			return;
		}
	}
	if (unlikely(normal_mode)) {
		r.phase = PH_SET; /* the one output takes the original */
		r.n_outputs++;
		normal(&r, &r.key, true);
		finish(&r);
		return;
	}
	if (likely(c != NULL)) {
		uint32_t hash = dp_cache_hash(&r.key);
		bool fill;
		struct dp_cache_entry *e =
			dp_cache_lookup(c, br->uid, version, &r.key, hash, &fill);

		if (e) {
			hit(&r, c, e);
		} else {
			struct dp_key key0 = r.key;
			struct dp_cache_path rec;

			rec.n_rules = 0;
			rec.miss = false;
			rec.miss_table = 0;
			rec.needs_key = false;
			run_tables(&r, &rec);
			if (fill && rec.n_rules != 0xff)
				compose(dp_cache_insert(c, br->uid, version, &key0, hash, &rec));
		}
	} else {
		run_tables(&r, NULL);
	}
	finish(&r);
}

/* Applies a direct program's edits (struct dp_cprog) to a packet dp_key_fast() accepted.
 * False, the packet untouched, when its TTL would expire (the program runs op by op) or
 * it does not fit the program (dp_cprog_fits(): the rules run). */
static inline bool
edit(struct dp_pkt *pkt, const struct dp_cprog *p)
{
	if ((p->edit & DP_CPROG_EDIT_FITS) && unlikely(!dp_cprog_fits(p, pkt)))
		return false;
	if ((p->edit & DP_CPROG_EDIT_DEC_TTL) && unlikely(dp_pkt_dec_ttl4(pkt) != 0))
		return false;
	if (p->edit & DP_CPROG_EDIT_ETH) {
		if (likely(p->edit_mask == 0xfff)) {
			memcpy(pkt->data, p->edit_eth, 12);
		} else {
			for (unsigned b = 0; b < 12; b++)
				if (p->edit_mask & (1u << b))
					pkt->data[b] = p->edit_eth[b];
		}
	}
	return true;
}

/* Port number ofport of br for a packet from in that a direct program (a rule's
 * dp_prog_summary.direct_port, a cache entry's dp_cprog.direct_port) sends there, when
 * the port takes it (on the bridge, not in, not down or no-fwd); else NULL, and the
 * packet runs the pipeline, which counts why it drops. */
static inline struct dp_port *
direct_out(const struct dp_bridge *br, uint32_t ofport, const struct dp_port *in)
{
	struct dp_port *p = dp_bridge_port(br, ofport);

	if (likely(p != NULL && p != in &&
		   !(__atomic_load_n(&p->config, __ATOMIC_RELAXED) &
		     (OFPPC_PORT_DOWN | OFPPC_NO_FWD))))
		return p;
	return NULL;
}

/* Counts n packets of bytes bytes on a table-0 rule (its counters ws, what it counts)
 * and on table 0, as lookups that matched it would have. */
static inline void
count_direct_ws(struct dp_worker *w, struct dp_bridge *br, struct dp_flow_wstats *ws,
		bool count_packets, bool count_bytes, uint64_t n, uint64_t bytes)
{
	struct dp_flow_wstats *fs = &ws[w->id];
	struct dp_table_wstats *ts = dp_bridge_tstats(br, w->id, 0);

	if (count_packets)
		fs->packets += n;
	if (count_bytes)
		fs->bytes += bytes;
	fs->used_tsc = w->burst_tsc;
	ts->lookups += n;
	ts->matched += n;
}

/* The same for rule. */
static inline void
count_direct(struct dp_worker *w, struct dp_bridge *br, const struct dp_rule *rule, uint64_t n,
	     uint64_t bytes)
{
	count_direct_ws(w, br, rule->ws, rule->count_packets, rule->count_bytes, n, bytes);
}

/* The first pass of rx_cached(): views and fast keys of the n packets, their frame
 * bytes added to *rx_bytes; with probe_all, also every fast key's hash, its cache bucket
 * prefetched. Returns the mask of the packets with a fast key. */
static inline __attribute__((always_inline)) uint32_t
parse_burst(struct dp_cache *c, const struct dp_port *in, struct rte_mbuf **pkts, unsigned n,
	    struct dp_pkt *view, struct dp_fkey *fk, uint32_t *hash, bool probe_all,
	    uint64_t *rx_bytes)
{
	uint32_t fast = 0, prev_hash = 0;

	for (unsigned i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		pkt_view_unparsed(&view[i], pkts[i]);
		*rx_bytes += view[i].frame_len;
		if (likely(dp_key_fast(&view[i], in->ofport, &fk[i]))) {
			if (probe_all) {
				hash[i] = dp_cache_fhash(&fk[i]);
				if (!fast || hash[i] != prev_hash)
					dp_cache_prefetch_bucket(c, hash[i]);
				prev_hash = hash[i];
			}
			fast |= 1u << i;
		}
	}
	return fast;
}

/* A burst of at most DP_BURST through the microflow cache in passes, so that what each
 * lookup reads is on its way before it is needed (10k flows do not fit in L2): parse
 * and hash every packet, prefetching its bucket; prefetch the entries the buckets point
 * to; probe the cache for every packet, then look the misses up in table 0 together;
 * then run the packets in order. */
static void
rx_cached(struct dp_worker *w, struct dp_bridge *br, uint64_t version, struct dp_port *in,
	  struct rte_mbuf **pkts, unsigned n)
{
	struct dp_cache *c = w->cache;
	struct dp_pkt view[DP_BURST];
	struct dp_fkey fk[DP_BURST];
	uint32_t hash[DP_BURST];
	struct dp_cache_entry *path[DP_BURST];
	struct dp_key keys[DP_BURST];
	const struct dp_key *miss_keys[DP_BURST];
	const struct dp_cls_rule *first[DP_BURST];
	uint32_t tag[DP_BURST];	  /* first's port where its shape slot gave it (dp_rule_set_aux) */
	uint64_t aux[DP_BURST];	  /* and its counters */
	uint32_t slot_direct = 0; /* bit m: miss m fills no entry and has tag[m], aux[m] */
	struct dp_cache_path rec[DP_BURST];
	uint8_t miss_at[DP_BURST];
	bool miss_fill[DP_BURST];
	uint32_t fast = 0; /* bit i: packet i has a fast key */
	unsigned n_miss = 0;

	uint64_t rx_bytes = 0, agg_n = 0, agg_bytes = 0;
	struct dp_cache_entry *agg = NULL; /* output:N hits counted per run of one entry */
	struct dp_port *agg_port = NULL;   /* its port, checked for the run's first packet */

	/* Without the thrash guard every packet probes: its hash and bucket prefetch go
	 * with its parse, so the bucket has the rest of the burst's parsing to arrive. The
	 * loop is compiled for each case: under the guard (S4, S2 100k) it stays as tight
	 * as a parse alone. */
	const bool probe_all = !dp_cache_guarded(c);

	_Static_assert(DP_BURST <= 32, "one bit per packet of a burst");
	if (probe_all)
		fast = parse_burst(c, in, pkts, n, view, fk, hash, true, &rx_bytes);
	else
		fast = parse_burst(c, in, pkts, n, view, fk, hash, false, &rx_bytes);
	for (unsigned i = 0; i < n; i++)
		path[i] = NULL;
	in->ws[w->id].rx_bytes += rx_bytes;
	/* Under the thrash guard most packets do not probe: they need no hash either. */
	uint32_t fill_ok, probe = dp_cache_sample_fast(c, fast, &fill_ok);

	for (uint32_t f = probe_all ? 0 : probe, prev = 0, have = 0; f; f &= f - 1) {
		unsigned i = (unsigned)__builtin_ctz(f);

		hash[i] = dp_cache_fhash(&fk[i]);
		if (!have || hash[i] != prev)
			dp_cache_prefetch_bucket(c, hash[i]);
		prev = hash[i];
		have = 1;
	}
	/* Probe for every packet first: the misses' table-0 lookups then go in one
	 * dp_cls_lookup_bulk, which overlaps their memory accesses (1M rules over 20 masks:
	 * ~1500 cycles a lookup in bulk, ~7000 one by one). Inserts wait until the burst is
	 * done, so no entry read here is overwritten before it is run. */
	uint32_t fills =
		dp_cache_lookup_fast_burst(c, br->uid, version, fk, hash, probe, path) & fill_ok;

	for (uint32_t f = fast; f; f &= f - 1) {
		unsigned i = (unsigned)__builtin_ctz(f);

		if (likely(path[i] != NULL)) {
			/* The probe fetched the entry's first two lines (stamp, key, counters,
			 * a direct program); the ops of others are on their way before the
			 * packet runs. */
			if (!path[i]->prog.direct_port)
				dp_cache_prefetch_ops(path[i]);
		} else {
			dp_fkey_expand(&fk[i], &keys[i]);
			miss_keys[n_miss] = &keys[i];
			miss_fill[n_miss] = (fills >> i) & 1;
			miss_at[n_miss++] = (uint8_t)i;
		}
	}
	if (n_miss) {
		const struct dp_shape *s0 = table_shape(br, 0, version);

		if (s0 && s0->slot_aux) {
			dp_shape_lookup_bulk(s0, miss_keys, n_miss, first, tag, aux);
			for (unsigned m = 0; m < n_miss; m++)
				slot_direct |= (uint32_t)(tag[m] && !miss_fill[m]) << m;
		} else if (s0) {
			dp_shape_lookup_bulk(s0, miss_keys, n_miss, first, NULL, NULL);
		} else {
			dp_cls_lookup_bulk(&br->tables[0], miss_keys, n_miss, version, first);
		}
		/* What running the rules reads, for the whole burst at once: a big table's
		 * rules and their counters are out of the caches (S2 100k), and one by one
		 * each would cost two misses in a row. A miss that fills no entry, on a
		 * direct rule whose slot gave its port and counters, reads only those. */
		for (unsigned m = 0; m < n_miss; m++) {
			if (!first[m])
				continue;
			if (slot_direct & (1u << m))
				rte_prefetch0(&dp_rule_aux_ws(aux[m])[w->id]);
			else
				rte_prefetch0(container_of(first[m], const struct dp_rule, cls));
		}
		for (unsigned m = 0; m < n_miss; m++)
			if (first[m] && !(slot_direct & (1u << m)))
				rte_prefetch0(&container_of(first[m], const struct dp_rule, cls)
						       ->ws[w->id]);
	}
	for (unsigned i = 0, m = 0; i < n; i++) {
		if (!(fast & (1u << i))) {
			process(w, br, version, false, in, pkts[i]);
			continue;
		}
		struct dp_cache_entry *e = path[i];

		if (e == agg && agg_port && !e->prog.edit) {
			/* The entry of the packet before, checked then: its port takes it. */
			agg_n++;
			agg_bytes += view[i].frame_len;
			dp_worker_tx(w, agg_port, pkts[i]);
			continue;
		}
		if (e && e->prog.direct_port && e->composed && !e->miss) {
			/* Edits of the addresses and TTL, then output:N: the edits as one
			 * patch, straight to the port's tx buffer. */
			struct dp_port *p = direct_out(br, e->prog.direct_port, in);

			if (likely(p != NULL && (!e->prog.edit || edit(&view[i], &e->prog)))) {
				if (e != agg) {
					if (agg)
						dp_cache_count(c, agg, agg_n, agg_bytes,
							       w->burst_tsc);
					agg = e;
					agg_n = agg_bytes = 0;
				}
				agg_port = p;
				agg_n++;
				agg_bytes += view[i].frame_len;
				dp_worker_tx(w, p, pkts[i]);
				continue;
			}
		}
		if (!e && first[m] && !miss_fill[m]) {
			/* A miss on an output:N rule of table 0 that fills no entry (the cache
			 * thrashes: S2 100k): the packet leaves, counted, without a run. */
			const struct dp_rule *rule =
				container_of(first[m], const struct dp_rule, cls);
			bool sd = slot_direct & (1u << m);
			uint32_t port = sd ? tag[m] : rule->sum.direct_port;
			struct dp_port *p = port ? direct_out(br, port, in) : NULL;

			if (p) {
				if (sd)
					count_direct_ws(w, br, dp_rule_aux_ws(aux[m]),
							aux[m] & DP_RULE_AUX_PACKETS,
							aux[m] & DP_RULE_AUX_BYTES, 1,
							view[i].frame_len);
				else
					count_direct(w, br, rule, 1, view[i].frame_len);
				dp_worker_tx(w, p, pkts[i]);
				m++;
				continue;
			}
		}
		struct run r;

		run_init(&r, w, br, version, in, in->ofport, pkts[i], &view[i]);
		if (e) {
			hit_key(&r, e, &fk[i]);
			hit(&r, c, e);
		} else {
			struct dp_cache_path *rc = &rec[m];

			r.key = keys[i];
			rc->n_rules = 0;
			rc->miss = false;
			rc->miss_table = 0;
			rc->needs_key = false;
			run_tables_from(&r, rc, true, first[m]);
			m++;
		}
		finish(&r);
	}
	if (agg) /* before inserts, which may overwrite the entry */
		dp_cache_count(c, agg, agg_n, agg_bytes, w->burst_tsc);
	for (unsigned m = 0; m < n_miss; m++)
		if (miss_fill[m] && rec[m].n_rules != 0xff)
			compose(dp_cache_insert_fast(c, br->uid, version, &fk[miss_at[m]],
						     hash[miss_at[m]], &rec[m]));
}

/* Table 0 as an array by in_port with no rule of another mask, or as one match-all rule
 * (dp_shape.h PORT, SKIP), gives every packet of a port the same rule, whatever its
 * headers. When that rule is output:N and nothing else (the simple pipelines of a
 * patch panel, a VM's uplink, Open vSwitch's "simple match"), the rule of port in;
 * else NULL. */
static inline const struct dp_rule *
port_rule(const struct dp_bridge *br, uint64_t version, const struct dp_port *in)
{
	const struct dp_shape *s = lookup_shape(br, 0, version);
	const struct dp_cls_rule *cr;

	if (!s || s->n_extra)
		return NULL;
	if (s->kind == DP_SHAPE_SKIP)
		cr = s->only;
	else if (s->kind == DP_SHAPE_PORT && in->ofport < DP_SHAPE_PORTS)
		cr = s->ports[in->ofport];
	else
		return NULL;
	if (!cr)
		return NULL;
	const struct dp_rule *rule = container_of(cr, const struct dp_rule, cls);

	return rule->sum.direct_port ? rule : NULL;
}

/* A burst on a port whose rule (port_rule()) sends it to out, checked usable: no flow
 * key, hash or microflow cache. A packet is still parsed as far as dp_key_fast() checks
 * it, so that what the pipeline drops as malformed (a truncated IP header...) is dropped
 * here too: those and the shapes it does not take (ARP, IPv6...) run the pipeline, in
 * order. The rule and table 0 count the rest per burst, as lookups would have. */
static void
rx_port_rule(struct dp_worker *w, struct dp_bridge *br, uint64_t version, struct dp_port *in,
	     const struct dp_rule *rule, struct dp_port *out, struct rte_mbuf **pkts, unsigned n)
{
	uint64_t rx_bytes = 0, fwd = 0, fwd_bytes = 0;

	for (unsigned i = 0; i < n; i++) {
		struct dp_pkt view;
		struct dp_fkey fk;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		pkt_view_unparsed(&view, pkts[i]);
		rx_bytes += view.frame_len;
		if (likely(dp_key_fast(&view, in->ofport, &fk))) {
			fwd++;
			fwd_bytes += view.frame_len;
			dp_worker_tx(w, out, pkts[i]);
		} else {
			process(w, br, version, false, in, pkts[i]);
		}
	}
	in->ws[w->id].rx_bytes += rx_bytes;
	if (fwd)
		count_direct(w, br, rule, fwd, fwd_bytes);
}

void
dp_pipeline_rx(struct dp_worker *w, struct dp_port *port, struct rte_mbuf **pkts, unsigned n)
{
	struct dp_port_wstats *ps = &port->ws[w->id];
	uint32_t cfg = __atomic_load_n(&port->config, __ATOMIC_RELAXED);
	uint64_t bytes = 0;

	ps->rx_packets += n;
	if (unlikely(cfg & (OFPPC_PORT_DOWN | OFPPC_NO_RECV))) {
		for (unsigned i = 0; i < n; i++)
			bytes += rte_pktmbuf_pkt_len(pkts[i]);
		ps->rx_bytes += bytes;
		for (unsigned i = 0; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
		ps->rx_dropped += n;
		w->drops_core[cfg & OFPPC_PORT_DOWN ? DP_DROP_CORE_RX_PORT_DOWN
						    : DP_DROP_CORE_RX_NO_RECV] += n;
		return;
	}
	struct dp_bridge *br = port->br;
	uint64_t version = __atomic_load_n(&br->version, __ATOMIC_ACQUIRE);
	bool normal_mode = __atomic_load_n(&br->normal_mode, __ATOMIC_RELAXED);
	const struct dp_rule *pr = normal_mode ? NULL : port_rule(br, version, port);

	if (pr) {
		struct dp_port *out = direct_out(br, pr->sum.direct_port, port);

		if (likely(out != NULL)) {
			rx_port_rule(w, br, version, port, pr, out, pkts, n);
			return;
		}
	}
	if (likely(w->cache != NULL && !normal_mode)) {
		/* rx_bytes there, with the frames' first reads */
		for (unsigned i = 0; i < n; i += DP_BURST)
			rx_cached(w, br, version, port, pkts + i,
				  RTE_MIN(n - i, (unsigned)DP_BURST));
		return;
	}
	for (unsigned i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	ps->rx_bytes += bytes;
	for (unsigned i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		process(w, br, version, normal_mode, port, pkts[i]);
	}
}

void
dp_pipeline_inject(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp_mbuf_meta *meta = dp_mbuf_meta(m);
	struct dp_bridge *br = meta->br;
	struct dp_prog *prog = meta->prog;
	uint64_t version = __atomic_load_n(&br->version, __ATOMIC_ACQUIRE);
	struct dp_port *in =
		dp_ofport_valid(meta->in_port) ? dp_bridge_port(br, meta->in_port) : NULL;
	struct run r;
	int rc;

	run_init(&r, w, br, version, in, meta->in_port, m, NULL);
	r.phase = PH_PKTOUT;
	r.final_at = meta->sum.last_is_output ? meta->sum.n_out : 0;
	/* A malformed frame still goes where the controller sends it: keep the partial key. */
	(void)dp_key_extract(&r.pkt, meta->in_port, &r.key);
	rc = dp_actions_run(prog->ops, prog->n_apply, &r.pkt, &r.key, &r.ctx);
	if (unlikely(rc)) {
		count_drop(&r, rc);
		r.n_outputs++;
	}
	finish(&r);
	if (unlikely(rte_ring_sp_enqueue(w->done, prog) != 0))
		w->drops_core[DP_DROP_CORE_EXEC]++; /* cannot happen: done ring > inject ring */
}

void
dp_pipeline_summarise(const struct dp_prog *prog, struct dp_prog_summary *sum)
{
	uint8_t last = DP_OP_N;

	sum->n_out = 0;
	sum->reparses = false;
	/* The action set, write_metadata and meters (DSCP remark) use the key; so do groups
	 * (select hash), NORMAL, CONTROLLER (the packet-in's match), TTL expiry (to the
	 * controller) and edits. */
	sum->key_free =
		prog->n_write == 0 && !(prog->flags & (DP_PROG_F_WRITE_METADATA | DP_PROG_F_METER));
	for (unsigned i = 0; i < prog->n_apply;) {
		const struct dp_op *op = &prog->ops[i];

		last = op->code;
		if (op->code != DP_OP_SET_QUEUE &&
		    !(op->code == DP_OP_OUTPUT && (op->a32 <= OFPP_MAX || op->a32 == OFPP_IN_PORT ||
						   op->a32 == OFPP_FLOOD || op->a32 == OFPP_ALL)))
			sum->key_free = false;
		switch (op->code) {
		case DP_OP_OUTPUT:
			sum->n_out++;
			break;
		case DP_OP_POP_VLAN:
		case DP_OP_POP_MPLS:
		case DP_OP_POP_PBB:
			sum->reparses = true;
			break;
		case DP_OP_SET_FIELD:
			if (op->a8 == OFPXMT_OFB_ETH_TYPE || op->a8 == OFPXMT_OFB_IP_PROTO ||
			    op->a8 == OFPXMT_OFB_ICMPV6_TYPE)
				sum->reparses = true;
			break;
		default:
			break;
		}
		i += op->code == DP_OP_SET_FIELD ? DP_OP_SET_FIELD_SLOTS : 1;
	}
	sum->last_is_output = last == DP_OP_OUTPUT;
	sum->direct_port = 0;
	if (prog->n_apply == 1 && prog->ops[0].code == DP_OP_OUTPUT &&
	    prog->ops[0].a32 <= OFPP_MAX && prog->flags == 0 && prog->n_write == 0 &&
	    !prog->has_write)
		sum->direct_port = prog->ops[0].a32;
}

/* ---- dp_trace ------------------------------------------------------------------------- */

static void
trace_drops(struct run *r, const struct dp_worker *w)
{
	for (unsigned i = 0; i < DP_DROP_CORE_N; i++) {
		struct dp_trace_event *e;

		if (w->drops_core[i] && (e = trace_add(r, DP_TRACE_DROP)) != NULL)
			e->reason = dp_core_drop_name(i);
	}
	for (unsigned i = 1; i < DP_DROP_N; i++) {
		struct dp_trace_event *e;

		/* An action set with neither output nor group reports itself. */
		if (w->drops_key[i] && (e = trace_add(r, DP_TRACE_DROP)) != NULL)
			e->reason = dp_drop_reason_name(i);
	}
}

int
dp_trace(struct dp_bridge *br, uint32_t in_port, const void *data, size_t len, struct dp_trace *t)
{
	/* A worker of its own: its counters (drops) are the trace's, summed by nobody. */
	struct dp_worker *w;
	struct rte_mbuf *m;
	struct dp_port *in;
	struct run r;
	int rc;

	t->n_events = 0;
	t->truncated = false;
	if (len == 0 || len > DP_MAX_FRAME_LEN)
		return -EINVAL;
	w = rte_zmalloc("dp_trace", sizeof *w, RTE_CACHE_LINE_SIZE);
	if (!w)
		return -ENOMEM;
	m = dp_mbuf_from(data, len);
	if (!m) {
		rte_free(w);
		return -ENOBUFS;
	}
	w->burst_tsc = rte_rdtsc();
	in = dp_ofport_valid(in_port) ? dp_bridge_port(br, in_port) : NULL;
	run_init(&r, w, br, __atomic_load_n(&br->version, __ATOMIC_ACQUIRE), in, in_port, m, NULL);
	r.trace = t;
	rc = dp_key_extract(&r.pkt, in_port, &r.key);
	if (rc) {
		count_drop(&r, rc);
		rte_pktmbuf_free(m);
	} else if (__atomic_load_n(&br->normal_mode, __ATOMIC_RELAXED)) {
		trace_output(&r, OFPP_NORMAL, 0);
		rte_pktmbuf_free(m);
	} else {
		run_tables(&r, NULL);
		finish(&r);
	}
	trace_drops(&r, w);
	rte_free(w);
	return 0;
}
