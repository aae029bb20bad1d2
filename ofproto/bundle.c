/* Bundles per connection: open, add (checked), close, discard, commit all or nothing;
 * see bundle.h. */
#include "bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bridge.h"
#include "buf.h"
#include "connmgr.h"
#include "group.h"
#include "handlers.h"
#include "meter.h"
#include "ofp_bundle.h"
#include "ofp_message.h"
#include "ofproto.h"
#include "util.h"
#include "vlog.h"

#define MOD "bundle"

static struct vlog_rl rl_bundle = VLOG_RL_INIT(10);
static struct vlog_rl rl_expire = VLOG_RL_INIT(10);

struct bundle_msg {
	uint8_t *raw; /* the embedded message as received */
	size_t len;
};

struct bundle {
	struct bundle *next;
	uint32_t id;
	uint16_t flags;
	bool closed;
	uint64_t last_ms; /* opened or last added to / closed */
	struct bundle_msg *msgs;
	size_t n, cap;
	size_t bytes;
};

static struct bundle *
find(struct ofconn *c, uint32_t id)
{
	for (struct bundle *b = c->bundles; b; b = b->next)
		if (b->id == id)
			return b;
	return NULL;
}

static void
bundle_free(struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->msgs[i].raw);
	free(b->msgs);
	free(b);
}

static void
unlink_free(struct ofconn *c, struct bundle *b)
{
	for (struct bundle **pp = &c->bundles; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			c->n_bundles--;
			break;
		}
	}
	bundle_free(b);
}

static int
open_bundle(struct ofconn *c, uint32_t id, uint16_t flags, struct bundle **out, struct ofp_err *err)
{
	struct bundle *b;

	if (c->n_bundles >= connmgr_limits()->bundle_max_open)
		return ofp_bundle_err(err, OFPBFC_OUT_OF_BUNDLES);
	b = calloc(1, sizeof(*b));
	if (!b)
		return ofp_bundle_err(err, OFPBFC_OUT_OF_BUNDLES);
	b->id = id;
	b->flags = flags;
	b->last_ms = ofproto_now_ms();
	b->next = c->bundles;
	c->bundles = b;
	c->n_bundles++;
	*out = b;
	return 0;
}

static void
reply_ctrl(struct ofconn *c, uint32_t xid, uint32_t id, uint16_t type, uint16_t flags)
{
	struct ofp_bundle_ctrl rep = { .bundle_id = id, .type = type, .flags = flags };
	struct buf b = BUF_INITIALIZER;

	if (!ofp_bundle_ctrl_encode(&rep, xid, &b) && !buf_error(&b))
		ofconn_send_buf(c, &b);
	buf_uninit(&b);
}

/* ---- Adding: what can be checked before the commit ------------------------------------ */

/* Checks that do not depend on the state a commit will find (that one is checked as
 * the message applies). */
static int
check_message(struct ofconn *c, const struct ofp_message *m, struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	const struct ofp_flow_mod *fm = &m->flow_mod;

	switch (m->h.type) {
	case OFPT_FLOW_MOD:
		if (fm->command > OFPFC_DELETE_STRICT)
			return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_COMMAND);
		if (fm->table_id >= br->n_tables &&
		    !(fm->table_id == OFPTT_ALL &&
		      (fm->command == OFPFC_DELETE || fm->command == OFPFC_DELETE_STRICT)))
			return ofp_err_set(err, OFPET_FLOW_MOD_FAILED, OFPFMFC_BAD_TABLE_ID);
		if (fm->buffer_id != OFP_NO_BUFFER) /* no packet buffers (n_buffers = 0) */
			return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
		return 0;
	case OFPT_PACKET_OUT:
		if (m->packet_out.buffer_id != OFP_NO_BUFFER)
			return ofp_err_set(err, OFPET_BAD_REQUEST, OFPBRC_BUFFER_UNKNOWN);
		return 0;
	case OFPT_PORT_MOD:
		return bridge_port_mod_check(br, &m->port_mod, err);
	case OFPT_GROUP_MOD:
	case OFPT_METER_MOD:
		return 0;
	default:
		return ofp_bundle_err(err, OFPBFC_MSG_UNSUP);
	}
}

static int
add_message(struct ofconn *c, const struct ofp_experimenter *e, uint32_t xid, struct ofp_err *err)
{
	const struct config_conn_limits *lim = connmgr_limits();
	struct arena a = ARENA_INITIALIZER;
	struct ofp_bundle_add ba;
	struct ofp_header_info h;
	struct ofp_message m;
	struct bundle *b;
	uint8_t *copy;
	int r;

	r = ofp_bundle_add_decode(e, &ba, err);
	if (r)
		return r;
	if (ba.flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED))
		return ofp_bundle_err(err, OFPBFC_BAD_FLAGS);
	ofp_header_peek(ba.msg, ba.msg_len, &h);
	if (h.xid != xid)
		return ofp_bundle_err(err, OFPBFC_MSG_BAD_XID);
	b = find(c, ba.bundle_id);
	if (b && b->closed)
		return ofp_bundle_err(err, OFPBFC_BUNDLE_CLOSED);
	if (b && b->flags != ba.flags)
		return ofp_bundle_err(err, OFPBFC_BAD_FLAGS);
	if (b && (b->n >= lim->bundle_max_msgs || b->bytes + ba.msg_len > lim->bundle_max_bytes))
		return ofp_bundle_err(err, OFPBFC_MSG_TOO_MANY);
	/* The message itself: decoded (as it would be alone) and its stateless checks. */
	r = ofp_message_decode(ba.msg, ba.msg_len, &a, &m, err);
	if (r == -ENOMEM)
		r = ofp_bundle_err(err, OFPBFC_MSG_TOO_MANY);
	if (!r)
		r = check_message(c, &m, err);
	arena_free(&a);
	if (r)
		return r;
	/* An add to a bundle that does not exist opens it (OpenFlow 1.4, 7.3.9.6). */
	if (!b) {
		r = open_bundle(c, ba.bundle_id, ba.flags, &b, err);
		if (r)
			return r;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct bundle_msg *v = realloc(b->msgs, cap * sizeof(*v));

		if (!v)
			return ofp_bundle_err(err, OFPBFC_MSG_TOO_MANY);
		b->msgs = v;
		b->cap = cap;
	}
	copy = malloc(ba.msg_len);
	if (!copy)
		return ofp_bundle_err(err, OFPBFC_MSG_TOO_MANY);
	memcpy(copy, ba.msg, ba.msg_len);
	b->msgs[b->n].raw = copy;
	b->msgs[b->n++].len = ba.msg_len;
	b->bytes += ba.msg_len;
	b->last_ms = ofproto_now_ms();
	return 0;
}

/* ---- Commit ------------------------------------------------------------------------------ */

/* A port mod's undo: the port's config bits as they were. */
struct port_undo {
	struct ofp_port_mod pm;
};

static void
port_undo(struct bridge *br, void *arg)
{
	struct port_undo *u = arg;
	struct ofp_err err;

	if (bridge_port_mod(br, &u->pm, &err))
		vlog_rl(&rl_bundle, VLOG_ERR, MOD, "%s: rollback cannot restore port %" PRIu32,
			br->name, u->pm.port_no);
}

static int
apply_port_mod(struct bridge *br, const struct ofp_port_mod *pm, struct ofp_err *err)
{
	struct bridge_port *p = bridge_port_find(br, pm->port_no);
	struct port_undo *u;
	struct ofp_port_desc d;
	int r;

	if (!p)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_BAD_PORT);
	u = calloc(1, sizeof(*u));
	if (!u)
		return ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_EPERM);
	bridge_port_desc(p, &d);
	u->pm = *pm;
	u->pm.advertise = 0;
	u->pm.config = d.config & pm->mask;
	r = bridge_port_mod(br, pm, err);
	if (!r && bridge_journal_push(br, port_undo, free, u)) {
		port_undo(br, u);
		r = ofp_err_set(err, OFPET_PORT_MOD_FAILED, OFPPMFC_EPERM);
	}
	if (r)
		free(u);
	return r;
}

/* Applies message i of b (phase 0: all but port mods and packet-outs, which are only
 * checked; phase 1: port mods). 0 or -EPROTO with *err. */
static int
apply(struct ofconn *c, const struct bundle_msg *bm, int phase, struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	struct arena a = ARENA_INITIALIZER;
	struct ofp_message m;
	int r;

	r = ofp_message_decode(bm->raw, bm->len, &a, &m, err);
	if (r) {
		arena_free(&a);
		return r == -ENOMEM ? ofp_bundle_err(err, OFPBFC_MSG_TOO_MANY) : r;
	}
	switch (phase * 256 + m.h.type) {
	case OFPT_FLOW_MOD:
		r = bridge_flow_mod(br, &m.flow_mod, err);
		break;
	case OFPT_GROUP_MOD:
		r = group_mod(br, &m.group_mod, bm->raw, bm->len, err);
		break;
	case OFPT_METER_MOD:
		r = meter_mod(br, &m.meter_mod, bm->raw, bm->len, err);
		break;
	case OFPT_PORT_MOD:
		r = bridge_port_mod_check(br, &m.port_mod, err);
		break;
	case OFPT_PACKET_OUT:
		r = handlers_packet_out_check(c, &m.packet_out, err);
		break;
	case 256 + OFPT_PORT_MOD:
		r = apply_port_mod(br, &m.port_mod, err);
		break;
	default:
		r = 0;
		break;
	}
	arena_free(&a);
	if (r && r != -EPROTO)
		r = ofp_bundle_err(err, OFPBFC_MSG_FAILED);
	return r;
}

/* Runs the packet-outs of b once the rest is visible. A failure is reported against the
 * packet-out (the commit stands: what it changed is published already). */
static void
run_packet_outs(struct ofconn *c, const struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct bundle_msg *bm = &b->msgs[i];
		struct arena a = ARENA_INITIALIZER;
		struct ofp_message m;
		struct ofp_err err;

		if (bm->raw[1] != OFPT_PACKET_OUT)
			continue;
		if (ofp_message_decode(bm->raw, bm->len, &a, &m, &err) ||
		    handlers_packet_out(c, &m.packet_out, &err))
			ofconn_send_error(c, &err, bm->raw, bm->len);
		arena_free(&a);
	}
}

static int
commit(struct ofconn *c, struct bundle *b, struct ofp_err *err)
{
	struct bridge *br = ofconn_bridge(c);
	struct ofp_err merr;
	size_t failed = SIZE_MAX;
	int r;

	r = bridge_journal_begin(br);
	if (r)
		return ofp_bundle_err(err, OFPBFC_BUNDLE_IN_PROGRESS);
	for (int phase = 0; phase < 2 && failed == SIZE_MAX; phase++)
		for (size_t i = 0; i < b->n && failed == SIZE_MAX; i++)
			if (apply(c, &b->msgs[i], phase, &merr))
				failed = i;
	if (failed != SIZE_MAX) {
		bridge_journal_end(br, false);
		bridge_commit(br); /* whatever the rollback staged: the same rules as before */
		/* The failing message's own error first (its xid, its bytes), then the commit's. */
		ofconn_send_error(c, &merr, b->msgs[failed].raw, b->msgs[failed].len);
		vlog_rl(&rl_bundle, VLOG_INFO, MOD,
			"%s: bundle %#" PRIx32 " not committed: message %zu of %zu failed", c->name,
			b->id, failed + 1, b->n);
		return ofp_bundle_err(err, OFPBFC_MSG_FAILED);
	}
	bridge_journal_end(br, true);
	bridge_commit(br); /* the whole bundle: one datapath version */
	vlog_rl(&rl_bundle, VLOG_DBG, MOD, "%s: bundle %#" PRIx32 " committed: %zu messages",
		c->name, b->id, b->n);
	run_packet_outs(c, b);
	return 0;
}

/* ---- Control ------------------------------------------------------------------------------ */

static int
control(struct ofconn *c, const struct ofp_experimenter *e, uint32_t xid, struct ofp_err *err)
{
	struct ofp_bundle_ctrl bc;
	struct bundle *b;
	int r;

	r = ofp_bundle_ctrl_decode(e, &bc, err);
	if (r)
		return r;
	if (bc.type > OFPBCT_DISCARD_REPLY || bc.type % 2)
		return ofp_bundle_err(err, OFPBFC_BAD_TYPE);
	if (bc.flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED))
		return ofp_bundle_err(err, OFPBFC_BAD_FLAGS);
	b = find(c, bc.bundle_id);
	if (bc.type == OFPBCT_OPEN_REQUEST) {
		if (b)
			return ofp_bundle_err(err, OFPBFC_BUNDLE_EXIST);
		r = open_bundle(c, bc.bundle_id, bc.flags, &b, err);
		if (r)
			return r;
		reply_ctrl(c, xid, bc.bundle_id, OFPBCT_OPEN_REPLY, bc.flags);
		return 0;
	}
	if (!b)
		return ofp_bundle_err(err, OFPBFC_BAD_ID);
	switch (bc.type) {
	case OFPBCT_CLOSE_REQUEST:
		if (b->closed)
			return ofp_bundle_err(err, OFPBFC_BUNDLE_CLOSED);
		if (b->flags != bc.flags)
			return ofp_bundle_err(err, OFPBFC_BAD_FLAGS);
		b->closed = true;
		b->last_ms = ofproto_now_ms();
		reply_ctrl(c, xid, bc.bundle_id, OFPBCT_CLOSE_REPLY, bc.flags);
		return 0;
	case OFPBCT_COMMIT_REQUEST:
		if (b->flags != bc.flags) {
			unlink_free(c, b); /* a failed commit discards the bundle (1.4, 7.3.9.5) */
			return ofp_bundle_err(err, OFPBFC_BAD_FLAGS);
		}
		r = commit(c, b, err);
		unlink_free(c, b);
		if (r)
			return r;
		reply_ctrl(c, xid, bc.bundle_id, OFPBCT_COMMIT_REPLY, bc.flags);
		return 0;
	default: /* OFPBCT_DISCARD_REQUEST */
		unlink_free(c, b);
		reply_ctrl(c, xid, bc.bundle_id, OFPBCT_DISCARD_REPLY, bc.flags);
		return 0;
	}
}

int
bundle_handle(struct ofconn *c, const struct ofp_experimenter *e, const uint8_t *raw, size_t len,
	      struct ofp_err *err)
{
	struct ofp_header_info h;

	ofp_header_peek(raw, len, &h);
	if (e->exp_type == ONF_ET_BUNDLE_CONTROL)
		return control(c, e, h.xid, err);
	return add_message(c, e, h.xid, err);
}

void
bundle_expire(struct ofconn *c, uint64_t now_ms)
{
	uint64_t idle = (uint64_t)connmgr_limits()->bundle_idle_timeout_s * 1000;
	struct bundle *b, *next;

	for (b = c->bundles; b; b = next) {
		next = b->next;
		/* last_ms may be later than now_ms: messages handled since the loop took it. */
		if (b->last_ms >= now_ms || now_ms - b->last_ms < idle)
			continue;
		vlog_rl(&rl_expire, VLOG_INFO, MOD,
			"%s: bundle %#" PRIx32 " (%zu messages) idle for %u s, discarded", c->name,
			b->id, b->n, connmgr_limits()->bundle_idle_timeout_s);
		unlink_free(c, b);
	}
}

void
bundle_discard_all(struct ofconn *c)
{
	while (c->bundles)
		unlink_free(c, c->bundles);
}
