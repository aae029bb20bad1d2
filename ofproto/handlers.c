/* OpenFlow 1.3 message handlers (see handlers.h): a table indexed by message type. */
#include "handlers.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bridge.h"
#include "bundle.h"
#include "connmgr.h"
#include "datapath.h"
#include "group.h"
#include "meter.h"
#include "ofp_bundle.h"
#include "ofp_message.h"
#include "ofp_trace.h"
#include "ofproto.h"
#include "pipeline.h"
#include "pfs_config.h"
#include "util.h"
#include "vlog.h"

#define MOD "handlers"

static struct vlog_rl rl_err = VLOG_RL_INIT(20);

typedef int handler_fn(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw,
		       size_t len, struct ofp_err *err);

/* ---- Small helpers -------------------------------------------------------------------- */

static void
send_encoded(struct ofconn *c, struct buf *b, int r)
{
	if (!r && !buf_error(b))
		ofconn_send_buf(c, b);
	else
		vlog_rl(&rl_err, VLOG_WARN, MOD, "%s: cannot encode a reply: %s",
			ofconn_bridge(c)->name, strerror(r ? -r : -buf_error(b)));
	buf_uninit(b);
}

static int
reply_empty(struct ofconn *c, uint8_t type, uint32_t xid)
{
	struct buf b = BUF_INITIALIZER;

	send_encoded(c, &b, ofp_empty_encode(type, xid, &b));
	return 0;
}

/* ---- Symmetric and switch-wide messages -------------------------------------------- */

static int
h_ignore(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	 struct ofp_err *err)
{
	(void)c, (void)m, (void)raw, (void)len, (void)err;
	return 0;
}

static int
h_error(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	struct ofp_err *err)
{
	struct ofp_err e = { m->error.type, m->error.code };
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len, (void)err;
	ofp_error_format(&e, &b);
	vlog_rl(&rl_err, VLOG_INFO, MOD, "%s: peer sent error %s (xid=0x%" PRIx32 ")", c->name,
		buf_cstr(&b), m->h.xid);
	buf_uninit(&b);
	return 0;
}

static int
h_echo_request(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	       struct ofp_err *err)
{
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len, (void)err;
	send_encoded(c, &b, ofp_echo_reply_encode(&m->echo, m->h.xid, &b));
	return 0;
}

#define SAME_KIND(K) ((int)DP_TRACE_##K == (int)OFP_TRACE_##K)
_Static_assert(SAME_KIND(TABLE) && SAME_KIND(MISS) && SAME_KIND(METER) && SAME_KIND(ACTION_SET) &&
		       SAME_KIND(GROUP) && SAME_KIND(OUTPUT) && SAME_KIND(DROP),
	       "datapath and wire trace kinds agree");
#undef SAME_KIND

/* The rule of br whose datapath handle is flow, or NULL (removed since). */
static const struct rule *
rule_of_flow(struct bridge *br, uint8_t table_id, const void *flow)
{
	struct rule_filter f = { .table_id = table_id,
				 .out_port = OFPP_ANY,
				 .out_group = OFPG_ANY };
	struct ofp_match any;
	struct rule **rules = NULL;
	const struct rule *found = NULL;
	long n;

	oxm_match_init(&any);
	f.match = &any;
	n = rule_set_collect(&br->rules, &f, &rules);
	for (long i = 0; i < n && !found; i++)
		if (rules[i]->dp == flow)
			found = rules[i];
	free(rules);
	return found;
}

/* A copy of b's text in a (NULL when empty or out of memory: the step prints without). */
static const char *
arena_text(struct arena *a, struct buf *b)
{
	const char *s = buf_cstr(b);

	return *s ? arena_memdup(a, s, strlen(s) + 1) : NULL;
}

/* pfs-ofctl trace: runs the frame through the datapath's pipeline (dp_trace) and
 * answers with the steps, each rule mapped back to its OpenFlow text. */
static int
trace_request(struct ofconn *c, const struct ofp_message *m, struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	struct ofp_trace_request rq;
	struct dp_trace *t = NULL;
	struct ofp_trace_event *evs = NULL;
	struct arena a = ARENA_INITIALIZER;
	struct buf b = BUF_INITIALIZER, txt = BUF_INITIALIZER;
	int r;

	r = ofp_trace_request_decode(&m->experimenter, &rq, err);
	if (r)
		return r;
	if (rq.len > DP_MAX_FRAME_LEN)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PACKET);
	if (rq.in_port == 0 || (rq.in_port > OFPP_MAX && rq.in_port != OFPP_LOCAL &&
				rq.in_port != OFPP_CONTROLLER && rq.in_port != OFPP_ANY))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	bridge_commit(br); /* earlier flow mods apply to the traced packet */
	t = malloc(sizeof *t);
	evs = t ? calloc(DP_TRACE_MAX_EVENTS, sizeof *evs) : NULL;
	r = evs ? dp_trace(br->dp, rq.in_port, rq.packet, rq.len, t) : -ENOMEM;
	if (r) {
		vlog_rl(&rl_err, VLOG_WARN, MOD, "%s: trace: %s", br->name, strerror(-r));
		r = ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_EPERM);
		goto out;
	}
	for (unsigned i = 0; i < t->n_events; i++) {
		const struct dp_trace_event *d = &t->events[i];
		struct ofp_trace_event *e = &evs[i];
		const struct rule *rule;

		e->kind = d->kind; /* enum dp_trace_kind and enum ofp_trace_kind agree */
		e->depth = d->depth;
		e->table_id = d->table_id;
		e->group_type = d->group_type;
		e->drop = d->drop;
		e->priority = d->priority;
		e->max_len = d->max_len;
		e->id = d->id;
		e->arg = d->arg;
		e->cookie = d->cookie;
		buf_clear(&txt);
		switch (d->kind) {
		case DP_TRACE_TABLE:
			rule = rule_of_flow(br, d->table_id, d->flow);
			if (!rule)
				break;
			struct ofp_match match;

			rule_match(rule, &match);
			buf_printf(&txt, "priority=%u", rule->priority);
			if (match.n_fields)
				buf_printf(&txt, ",");
			oxm_format(&match, &txt);
			e->text = arena_text(&a, &txt);
			buf_clear(&txt);
			ofp_instructions_format(&rule->insts, &txt);
			e->text2 = arena_text(&a, &txt);
			break;
		case DP_TRACE_ACTION_SET: {
			struct ofp_action_list l = { (struct ofp_action *)d->actions,
						     d->n_actions };

			ofp_actions_format(&l, &txt);
			e->text = arena_text(&a, &txt);
			break;
		}
		case DP_TRACE_DROP:
			e->text = d->reason;
			break;
		default:
			break;
		}
	}
	struct ofp_trace_reply rp = { rq.in_port, t->truncated, t->n_events, evs };

	send_encoded(c, &b, ofp_trace_reply_encode(&rp, m->h.xid, &b));
out:
	buf_uninit(&txt);
	arena_free(&a);
	free(evs);
	free(t);
	return r;
}

/* ONF bundles (bundle.h) are for everyone; pfswitch's own experimenter messages are for
 * the mgmt socket (pfs-ofctl): a controller gets BAD_EXPERIMENTER as from any other
 * switch. */
static int
h_experimenter(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	       struct ofp_err *err)
{
	if (ofp_bundle_is_bundle(&m->experimenter)) {
		/* Bundles change switch state: not from a slave (as Open vSwitch). */
		if (c->role == OFPCR_ROLE_SLAVE)
			return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
		return bundle_handle(c, &m->experimenter, raw, len, err);
	}
	if (m->experimenter.experimenter != PFS_EXPERIMENTER_ID || c->type != OFCONN_SERVICE)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
	if (m->experimenter.exp_type != PFS_EXP_TRACE_REQUEST)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_EXP_TYPE);
	return trace_request(c, m, err);
}

static int
h_bad_type(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	   struct ofp_err *err)
{
	(void)c, (void)m, (void)raw, (void)len;
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
}

static int
h_features(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	   struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	struct ofp_switch_features f = {
		.datapath_id = br->datapath_id,
		.n_buffers = 0,
		.n_tables = (uint8_t)br->n_tables,
		.auxiliary_id = 0,
		.capabilities =
			OFPC_FLOW_STATS | OFPC_TABLE_STATS | OFPC_PORT_STATS | OFPC_GROUP_STATS,
	};
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len, (void)err;
	send_encoded(c, &b, ofp_features_reply_encode(&f, m->h.xid, &b));
	return 0;
}

static int
h_get_config(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	     struct ofp_err *err)
{
	struct ofp_switch_config sc = { ofconn_bridge(c)->frag_flags, c->miss_send_len };
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len, (void)err;
	send_encoded(c, &b, ofp_get_config_reply_encode(&sc, m->h.xid, &b));
	return 0;
}

static int
h_set_config(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	     struct ofp_err *err)
{
	(void)raw, (void)len;
	/* Fragments are forwarded as they are (OFPC_FRAG_NORMAL); the datapath neither
	 * drops nor reassembles them, so those modes are refused. */
	if ((m->config.flags & OFPC_FRAG_MASK) != OFPC_FRAG_NORMAL)
		return ofp_err_set(err, OFPET_SWITCH_CONFIG_FAILED, OFPSCFC_BAD_FLAGS);
	c->miss_send_len = m->config.miss_send_len;
	return 0;
}

static int
h_barrier(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	  struct ofp_err *err)
{
	uint64_t t0 = ofproto_now_ns();
	int r;

	(void)raw, (void)len, (void)err;
	r = ofproto_sync(ofconn_bridge(c)->ofp);
	if (r)
		vlog_rl(&rl_err, VLOG_WARN, MOD, "%s: dp_sync: %s", c->name, strerror(-r));
	r = reply_empty(c, OFPT_BARRIER_REPLY, m->h.xid);
	bridge_note_barrier(ofconn_bridge(c), ofproto_now_ns() - t0);
	return r;
}

static int
h_role(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
       struct ofp_err *err)
{
	struct ofp_role reply;
	struct buf b = BUF_INITIALIZER;
	int r;

	(void)raw, (void)len;
	r = connmgr_set_role(c, m->role.role, m->role.generation_id, err);
	if (r)
		return r;
	reply.role = c->role;
	reply.generation_id = connmgr_generation_id(c->cm);
	send_encoded(c, &b, ofp_role_reply_encode(&reply, m->h.xid, &b));
	return 0;
}

static int
h_get_async(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	    struct ofp_err *err)
{
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len, (void)err;
	send_encoded(c, &b, ofp_get_async_reply_encode(&c->async, m->h.xid, &b));
	return 0;
}

static int
h_set_async(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	    struct ofp_err *err)
{
	(void)raw, (void)len, (void)err;
	c->async = m->async;
	return 0;
}

static int
h_queue_get_config(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
		   struct ofp_err *err)
{
	struct ofp_queue_get_config_reply rep;
	uint32_t port = m->queue_get_config_request.port;
	struct buf b = BUF_INITIALIZER;

	(void)raw, (void)len;
	if (port != OFPP_ANY && !bridge_port_find(ofconn_bridge(c), port))
		return ofp_err_set(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	memset(&rep, 0, sizeof(rep));
	rep.port = port; /* no queues are configured on any port */
	send_encoded(c, &b, ofp_queue_get_config_reply_encode(&rep, m->h.xid, &b));
	return 0;
}

/* ---- State-changing messages (refused to slaves by the dispatcher) ------------------- */

static int
h_flow_mod(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	   struct ofp_err *err)
{
	(void)raw, (void)len;
	return bridge_flow_mod(ofconn_bridge(c), &m->flow_mod, err);
}

static int
h_group_mod(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	    struct ofp_err *err)
{
	return group_mod(ofconn_bridge(c), &m->group_mod, raw, len, err);
}

static int
h_meter_mod(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	    struct ofp_err *err)
{
	return meter_mod(ofconn_bridge(c), &m->meter_mod, raw, len, err);
}

static int
h_port_mod(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	   struct ofp_err *err)
{
	(void)raw, (void)len;
	return bridge_port_mod(ofconn_bridge(c), &m->port_mod, err);
}

static int
h_table_mod(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	    struct ofp_err *err)
{
	uint8_t t = m->table_mod.table_id;

	(void)raw, (void)len;
	if (t != OFPTT_ALL &&
	    (t >= ofconn_bridge(c)->n_tables || !pipeline_has_table(ofconn_bridge(c)->pipeline, t)))
		return ofp_err_set(err, OFPET_TABLE_MOD_FAILED, OFPTMFC_BAD_TABLE);
	/* OpenFlow 1.3 defines no table config bit but the deprecated ones: accepted. */
	return 0;
}

int
handlers_packet_out_check(struct ofconn *c, const struct ofp_packet_out *po, struct ofp_err *err)
{
	if (po->buffer_id != OFP_NO_BUFFER)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
	/* A group the datapath would not find: refused, not silently dropped. */
	return rule_check_actions(&po->actions, group_exists, ofconn_bridge(c), err);
}

int
handlers_packet_out(struct ofconn *c, const struct ofp_packet_out *po, struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	int r;

	r = handlers_packet_out_check(c, po, err);
	if (r)
		return r;
	/* Earlier flow mods apply to a packet sent to OFPP_TABLE. */
	bridge_commit(br);
	err->type = OFPET_BAD_REQUEST;
	err->code = OFPBRC_BAD_PACKET;
	r = dp_packet_out(br->dp, po->in_port, &po->actions, po->data.data, po->data.len, err);
	switch (r) {
	case 0:
		return 0;
	case -EINVAL:
	case -EPROTO:
	case -EOPNOTSUPP:
		return -EPROTO;
	case -EMSGSIZE:
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PACKET);
	default:
		/* -ENOBUFS: no mbuf or the inject ring is full; OpenFlow has no error for a
		 * busy switch, so the packet is dropped as a port would drop it. */
		vlog_rl(&rl_err, VLOG_WARN, MOD, "%s: packet-out dropped: %s", br->name,
			strerror(-r));
		return 0;
	}
}

static int
h_packet_out(struct ofconn *c, const struct ofp_message *m, const uint8_t *raw, size_t len,
	     struct ofp_err *err)
{
	(void)raw, (void)len;
	return handlers_packet_out(c, &m->packet_out, err);
}

/* ---- Multipart ------------------------------------------------------------------------ */

struct mp_ctx {
	struct ofconn *c;
	struct bridge *br;
	uint32_t xid;
	struct arena *a;
};

static void
mp_finish(struct mp_ctx *x, struct ofp_mp_writer *w, struct buf *b)
{
	send_encoded(x->c, b, ofp_mp_writer_finish(w));
}

static void
mp_fixed(struct mp_ctx *x, struct ofp_multipart_reply *rep)
{
	struct buf b = BUF_INITIALIZER;

	send_encoded(x->c, &b, ofp_multipart_reply_encode(rep, x->xid, &b));
}

static int
mp_desc(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_multipart_reply rep;

	(void)err;
	memset(&rep, 0, sizeof(rep));
	rep.type = rq->type;
	snprintf(rep.desc.mfr_desc, sizeof(rep.desc.mfr_desc), "pfswitch");
	snprintf(rep.desc.hw_desc, sizeof(rep.desc.hw_desc), "DPDK userspace datapath");
	snprintf(rep.desc.sw_desc, sizeof(rep.desc.sw_desc), "pfswitch %s", PFS_VERSION);
	snprintf(rep.desc.serial_num, sizeof(rep.desc.serial_num), "None");
	snprintf(rep.desc.dp_desc, sizeof(rep.desc.dp_desc), "%s", x->br->description);
	mp_fixed(x, &rep);
	return 0;
}

static void
filter_from_stats_request(const struct ofp_flow_stats_request *fr, struct rule_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->table_id = fr->table_id;
	f->match = &fr->match;
	f->cookie = fr->cookie;
	f->cookie_mask = fr->cookie_mask;
	f->out_port = fr->out_port;
	f->out_group = fr->out_group;
}

static int
check_stats_table(const struct mp_ctx *x, uint8_t table_id, struct ofp_err *err)
{
	if (table_id != OFPTT_ALL && table_id >= x->br->n_tables)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_TABLE_ID);
	return 0;
}

static void
rule_counts(const struct rule *r, uint64_t *p, uint64_t *b)
{
	bridge_rule_stats(r, p, b);
	if (r->flags & OFPFF_NO_PKT_COUNTS)
		*p = UINT64_MAX;
	if (r->flags & OFPFF_NO_BYT_COUNTS)
		*b = UINT64_MAX;
}

/* A flow stats reply is produced as the connection drains (ofconn_start_dump): a
 * million flows never sit encoded in memory at once, and the loop serves other
 * connections between chunks. The rule cursor survives flow-mods in between. */
struct flow_dump {
	struct ofp_flow_stats_request rq; /* the request (its match is the filter's) */
	struct rule_filter f;
	struct rule_cursor cur;
	uint32_t xid;
};

static void
flow_dump_free(void *state)
{
	struct flow_dump *d = state;

	rule_cursor_stop(&d->cur);
	free(d);
}

static int
flow_dump_fill(struct ofconn *c, void *state, struct buf *b, size_t budget)
{
	struct flow_dump *d = state;
	struct ofp_mp_writer w;
	uint64_t now = ofproto_now_ns();
	bool done;
	int r = 0;

	(void)c;
	ofp_mp_writer_start(&w, b, OFPMP_FLOW, d->xid);
	while (b->size < budget && !r) {
		const struct rule *ru = rule_cursor_next(&d->cur);
		struct ofp_flow_stats fs;
		uint64_t age;
		size_t ofs;

		if (!ru)
			break;
		if (!rule_selected(ru, &d->f))
			continue;
		age = now - ru->created_ns;
		memset(&fs, 0, sizeof(fs));
		fs.table_id = ru->table_id;
		fs.duration_sec = (uint32_t)(age / 1000000000u);
		fs.duration_nsec = (uint32_t)(age % 1000000000u);
		fs.priority = ru->priority;
		fs.idle_timeout = ru->idle_timeout;
		fs.hard_timeout = ru->hard_timeout;
		fs.flags = ru->flags &
			   (OFPFF_SEND_FLOW_REM | OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS);
		fs.cookie = ru->cookie;
		rule_counts(ru, &fs.packet_count, &fs.byte_count);
		rule_match(ru, &fs.match);
		fs.insts = ru->insts;
		ofs = ofp_mp_writer_entry_begin(&w);
		ofp_flow_stats_encode(&fs, b);
		r = ofp_mp_writer_entry_end(&w, ofs);
		if (r == -EMSGSIZE)
			r = 0; /* one entry too long for a message: left out */
	}
	done = rule_cursor_done(&d->cur);
	if (!done)
		ofp_mp_writer_set_flags(&w, OFPMPF_REPLY_MORE); /* the sequence goes on */
	if (!r)
		r = ofp_mp_writer_finish(&w);
	return r ? r : done;
}

static const struct ofconn_dump_ops flow_dump_ops = { flow_dump_fill, flow_dump_free };

static int
mp_flow(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct flow_dump *d;
	int r = check_stats_table(x, rq->flow.table_id, err);

	if (r)
		return r;
	d = pfs_calloc(1, sizeof(*d));
	if (!d)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	d->rq = rq->flow;
	filter_from_stats_request(&d->rq, &d->f);
	d->xid = x->xid;
	rule_cursor_start(&d->cur, &x->br->rules, d->rq.table_id);
	ofconn_start_dump(x->c, &flow_dump_ops, d);
	return 0;
}

static int
mp_aggregate(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_multipart_reply rep;
	struct rule_filter f;
	struct rule **v;
	long n;
	int r = check_stats_table(x, rq->flow.table_id, err);

	if (r)
		return r;
	filter_from_stats_request(&rq->flow, &f);
	n = rule_set_collect(&x->br->rules, &f, &v);
	if (n < 0)
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
	memset(&rep, 0, sizeof(rep));
	rep.type = OFPMP_AGGREGATE;
	for (long i = 0; i < n; i++) {
		uint64_t p, bytes;

		rule_counts(v[i], &p, &bytes);
		if (p != UINT64_MAX)
			rep.aggregate.packet_count += p;
		if (bytes != UINT64_MAX)
			rep.aggregate.byte_count += bytes;
	}
	rep.aggregate.flow_count = (uint32_t)n;
	free(v);
	mp_fixed(x, &rep);
	return 0;
}

static int
mp_table(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;

	(void)rq, (void)err;
	ofp_mp_writer_start(&w, &b, OFPMP_TABLE, x->xid);
	for (unsigned t = 0; t < x->br->n_tables; t++) {
		struct ofp_table_stats ts = { .table_id = (uint8_t)t };
		size_t ofs;

		if (!pipeline_has_table(x->br->pipeline, (uint8_t)t))
			continue; /* left out by a table-features request */
		ts.active_count = rule_set_count(&x->br->rules, (uint8_t)t);
		dp_table_get_stats(x->br->dp, (uint8_t)t, &ts.lookup_count, &ts.matched_count);
		ofs = ofp_mp_writer_entry_begin(&w);
		ofp_table_stats_encode(&ts, &b);
		ofp_mp_writer_entry_end(&w, ofs);
	}
	mp_finish(x, &w, &b);
	return 0;
}

static void
port_stats_entry(struct ofp_mp_writer *w, struct buf *b, const struct bridge_port *p)
{
	struct dp_port_stats st;
	struct ofp_port_stats ps;
	size_t ofs;

	bridge_port_stats(p, &st);
	memset(&ps, 0, sizeof(ps));
	ps.port_no = p->ofport;
	ps.rx_packets = st.rx_packets;
	ps.tx_packets = st.tx_packets;
	ps.rx_bytes = st.rx_bytes;
	ps.tx_bytes = st.tx_bytes;
	ps.rx_dropped = st.rx_dropped;
	ps.tx_dropped = st.tx_dropped;
	ps.rx_errors = st.rx_errors;
	ps.tx_errors = st.tx_errors;
	ps.rx_frame_err = st.rx_frame_err;
	ps.rx_over_err = st.rx_over_err;
	ps.rx_crc_err = st.rx_crc_err;
	ps.collisions = st.collisions;
	ps.duration_sec = (uint32_t)(st.duration_ns / 1000000000u);
	ps.duration_nsec = (uint32_t)(st.duration_ns % 1000000000u);
	ofs = ofp_mp_writer_entry_begin(w);
	ofp_port_stats_encode(&ps, b);
	ofp_mp_writer_entry_end(w, ofs);
}

static int
mp_port_stats(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	uint32_t port = rq->port_stats.port_no;
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;

	if (port != OFPP_ANY && !bridge_port_find(x->br, port))
		return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_PORT);
	ofp_mp_writer_start(&w, &b, OFPMP_PORT_STATS, x->xid);
	for (size_t i = 0; i < x->br->n_ports; i++)
		if (port == OFPP_ANY || x->br->ports[i].ofport == port)
			port_stats_entry(&w, &b, &x->br->ports[i]);
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_port_desc(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;

	(void)rq, (void)err;
	ofp_mp_writer_start(&w, &b, OFPMP_PORT_DESC, x->xid);
	for (size_t i = 0; i < x->br->n_ports; i++) {
		struct ofp_port_desc d;
		size_t ofs;

		bridge_port_desc(&x->br->ports[i], &d);
		ofs = ofp_mp_writer_entry_begin(&w);
		ofp_port_desc_encode(&d, &b);
		ofp_mp_writer_entry_end(&w, ofs);
	}
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_queue(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;
	uint32_t port = rq->queue.port_no;

	if (port != OFPP_ANY && !bridge_port_find(x->br, port))
		return ofp_err_set(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_PORT);
	if (rq->queue.queue_id != OFPQ_ALL) /* no queues are configured */
		return ofp_err_set(err, OFPET_QUEUE_OP_FAILED, OFPQOFC_BAD_QUEUE);
	ofp_mp_writer_start(&w, &b, OFPMP_QUEUE, x->xid);
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_group(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;

	(void)err;
	ofp_mp_writer_start(&w, &b, rq->type, x->xid);
	if (rq->type == OFPMP_GROUP)
		group_mp_stats(x->br, rq->group.group_id, &w, &b);
	else
		group_mp_desc(x->br, &w, &b);
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_meter(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;

	(void)err;
	ofp_mp_writer_start(&w, &b, rq->type, x->xid);
	meter_mp(x->br, rq->meter.meter_id, rq->type == OFPMP_METER_CONFIG, &w, &b);
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_group_features(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_multipart_reply rep;

	(void)err;
	memset(&rep, 0, sizeof(rep));
	rep.type = rq->type;
	group_features(&rep.group_features);
	for (unsigned i = 0; i < 4; i++) /* the bridge's quota, over all group types */
		rep.group_features.max_groups[i] = x->br->max_groups;
	mp_fixed(x, &rep);
	return 0;
}

static int
mp_meter_features(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_multipart_reply rep;

	(void)err;
	memset(&rep, 0, sizeof(rep));
	rep.type = rq->type;
	meter_features(&rep.meter_features);
	rep.meter_features.max_meter = x->br->max_meters;
	mp_fixed(x, &rep);
	return 0;
}

static int
mp_table_features(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	struct ofp_mp_writer w;
	struct buf b = BUF_INITIALIZER;
	int r;

	/* A body sets the pipeline (the dispatcher refused it to a slave); the reply gives
	 * the features in force afterwards either way. */
	if (rq->table_features.n) {
		r = bridge_set_table_features(x->br, rq->table_features.items, rq->table_features.n,
					      err);
		if (r == -ENOMEM)
			return ofp_err_set(err, OFPET_TABLE_FEATURES_FAILED, OFPTFFC_EPERM);
		if (r)
			return r;
	}
	ofp_mp_writer_start(&w, &b, OFPMP_TABLE_FEATURES, x->xid);
	for (unsigned t = 0; t < x->br->n_tables; t++) {
		size_t ofs;

		if (!pipeline_has_table(x->br->pipeline, (uint8_t)t))
			continue;
		ofs = ofp_mp_writer_entry_begin(&w);
		if (pipeline_table_encode(x->br->pipeline, (uint8_t)t, &b)) {
			buf_uninit(&b);
			return ofp_err_set(err, OFPET_BAD_REQUEST,
					   OFPBRC_MULTIPART_BUFFER_OVERFLOW);
		}
		ofp_mp_writer_entry_end(&w, ofs);
	}
	mp_finish(x, &w, &b);
	return 0;
}

static int
mp_experimenter(struct mp_ctx *x, const struct ofp_multipart_request *rq, struct ofp_err *err)
{
	(void)x, (void)rq;
	return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BAD_EXPERIMENTER);
}

static int (*const mp_handlers[])(struct mp_ctx *, const struct ofp_multipart_request *,
				  struct ofp_err *) = {
	[OFPMP_DESC] = mp_desc,
	[OFPMP_FLOW] = mp_flow,
	[OFPMP_AGGREGATE] = mp_aggregate,
	[OFPMP_TABLE] = mp_table,
	[OFPMP_PORT_STATS] = mp_port_stats,
	[OFPMP_QUEUE] = mp_queue,
	[OFPMP_GROUP] = mp_group,
	[OFPMP_GROUP_DESC] = mp_group,
	[OFPMP_GROUP_FEATURES] = mp_group_features,
	[OFPMP_METER] = mp_meter,
	[OFPMP_METER_CONFIG] = mp_meter,
	[OFPMP_METER_FEATURES] = mp_meter_features,
	[OFPMP_TABLE_FEATURES] = mp_table_features,
	[OFPMP_PORT_DESC] = mp_port_desc,
};

static void
multipart_request(struct ofconn *c, const uint8_t *msg, size_t len)
{
	struct ofp_header_info h;
	struct ofp_err err = { OFPET_BAD_REQUEST, OFPBRC_BAD_LEN };
	struct ofp_mp_assembled as;
	struct ofp_multipart_request rq;
	struct arena a = ARENA_INITIALIZER;
	struct mp_ctx x = { c, ofconn_bridge(c), 0, &a };
	int r;

	r = ofp_header_check(msg, len, &h, &err);
	if (r)
		goto error;
	x.xid = h.xid;
	r = ofp_mp_assembler_add(&c->as, msg, len, &as, &err);
	if (r <= 0) {
		if (r == -ENOMEM)
			ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
		if (r)
			goto error;
		return; /* more parts to come */
	}
	r = ofp_multipart_request_body_decode(as.type, 0, as.body, as.len, &a, &rq, &err);
	if (r) {
		if (r == -ENOMEM)
			ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_MULTIPART_BUFFER_OVERFLOW);
		goto error;
	}
	if (rq.type == OFPMP_TABLE_FEATURES && rq.table_features.n && c->role == OFPCR_ROLE_SLAVE) {
		r = ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
		goto error;
	}
	if (rq.type == OFPMP_EXPERIMENTER)
		r = mp_experimenter(&x, &rq, &err);
	else if (rq.type < ARRAY_SIZE(mp_handlers) && mp_handlers[rq.type])
		r = mp_handlers[rq.type](&x, &rq, &err);
	else
		r = ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_BAD_MULTIPART);
	if (r)
		goto error;
	arena_free(&a);
	return;
error:
	arena_free(&a);
	ofconn_send_error(c, &err, msg, len);
}

/* ---- Dispatch --------------------------------------------------------------------------- */

enum {
	H_MASTER = 1, /* changes switch state: refused to a SLAVE with IS_SLAVE */
};

static const struct {
	handler_fn *fn;
	unsigned flags;
} handlers[OFPT_N_TYPES] = {
	[OFPT_HELLO] = { h_ignore, 0 },
	[OFPT_ERROR] = { h_error, 0 },
	[OFPT_ECHO_REQUEST] = { h_echo_request, 0 },
	[OFPT_ECHO_REPLY] = { h_ignore, 0 },
	[OFPT_EXPERIMENTER] = { h_experimenter, 0 },
	[OFPT_FEATURES_REQUEST] = { h_features, 0 },
	[OFPT_FEATURES_REPLY] = { h_bad_type, 0 },
	[OFPT_GET_CONFIG_REQUEST] = { h_get_config, 0 },
	[OFPT_GET_CONFIG_REPLY] = { h_bad_type, 0 },
	[OFPT_SET_CONFIG] = { h_set_config, 0 },
	[OFPT_PACKET_IN] = { h_bad_type, 0 },
	[OFPT_FLOW_REMOVED] = { h_bad_type, 0 },
	[OFPT_PORT_STATUS] = { h_bad_type, 0 },
	[OFPT_PACKET_OUT] = { h_packet_out, H_MASTER },
	[OFPT_FLOW_MOD] = { h_flow_mod, H_MASTER },
	[OFPT_GROUP_MOD] = { h_group_mod, H_MASTER },
	[OFPT_PORT_MOD] = { h_port_mod, H_MASTER },
	[OFPT_TABLE_MOD] = { h_table_mod, H_MASTER },
	[OFPT_MULTIPART_REQUEST] = { NULL, 0 }, /* multipart_request() */
	[OFPT_MULTIPART_REPLY] = { h_bad_type, 0 },
	[OFPT_BARRIER_REQUEST] = { h_barrier, 0 },
	[OFPT_BARRIER_REPLY] = { h_bad_type, 0 },
	[OFPT_QUEUE_GET_CONFIG_REQUEST] = { h_queue_get_config, 0 },
	[OFPT_QUEUE_GET_CONFIG_REPLY] = { h_bad_type, 0 },
	[OFPT_ROLE_REQUEST] = { h_role, 0 },
	[OFPT_ROLE_REPLY] = { h_bad_type, 0 },
	[OFPT_GET_ASYNC_REQUEST] = { h_get_async, 0 },
	[OFPT_GET_ASYNC_REPLY] = { h_bad_type, 0 },
	[OFPT_SET_ASYNC] = { h_set_async, 0 },
	[OFPT_METER_MOD] = { h_meter_mod, H_MASTER },
};

static void dispatch(struct ofconn *c, const uint8_t *msg, size_t len);

void
handlers_dispatch(struct ofconn *c, const uint8_t *msg, size_t len)
{
	/* Counters a message reads (flow, aggregate, table stats; FLOW_REMOVED of the flows
	 * it deletes) include every packet before it: one attribution of the workers'
	 * cache counts for the message, not one per flow (dp_stats_flush()). */
	dp_stats_batch(true);
	dispatch(c, msg, len);
	dp_stats_batch(false);
}

static void
dispatch(struct ofconn *c, const uint8_t *msg, size_t len)
{
	struct ofp_header_info h;
	struct ofp_err err = { OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE };
	struct arena a = ARENA_INITIALIZER;
	struct ofp_message m;
	int r;

	if (!ofp_header_peek(msg, len, &h))
		return;
	ofconn_bridge(c)->agent.msg_rx[h.type < OFPT_N_TYPES ? h.type : OFPT_N_TYPES]++;
	/* A slave is refused before the message is decoded (as Open vSwitch does). */
	if (h.type < OFPT_N_TYPES && handlers[h.type].flags & H_MASTER &&
	    c->role == OFPCR_ROLE_SLAVE && h.version == OFP13_VERSION) {
		ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_IS_SLAVE);
		ofconn_send_error(c, &err, msg, len);
		return;
	}
	if (h.type == OFPT_MULTIPART_REQUEST && h.version == OFP13_VERSION) {
		multipart_request(c, msg, len);
		return;
	}
	r = ofp_message_decode(msg, len, &a, &m, &err);
	if (r == -ENOMEM)
		ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_EPERM);
	if (!r) {
		if (m.h.type < OFPT_N_TYPES && handlers[m.h.type].fn)
			r = handlers[m.h.type].fn(c, &m, msg, len, &err);
		else
			r = ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_BAD_TYPE);
	}
	if (r) {
		if (r != -EPROTO)
			ofp_err_set(&err, OFPET_BAD_REQUEST, OFPBRC_EPERM);
		if (vlog_enabled(VLOG_DBG)) {
			struct buf t = BUF_INITIALIZER;

			ofp_error_format(&err, &t);
			vlog_rl(&rl_err, VLOG_DBG, MOD, "%s: %s refused: %s", c->name,
				ofp_msg_type_name(h.type) ? ofp_msg_type_name(h.type) : "message",
				buf_cstr(&t));
			buf_uninit(&t);
		}
		ofconn_send_error(c, &err, msg, len);
	}
	arena_free(&a);
}
