/* Saving and restoring a bridge's state (see state.h). */
#include "state.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "bridge.h"
#include "buf.h"
#include "connmgr.h"
#include "group.h"
#include "meter.h"
#include "ofp_error.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofproto.h"
#include "openflow.h"
#include "rule.h"
#include "state_fmt.h"
#include "vlog.h"

#define MOD "state"
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* Where each STATE_PORT_* counter lives in struct dp_port_stats. */
static const size_t port_counter_ofs[STATE_PORT_N_COUNTERS] = {
	[STATE_PORT_RX_PACKETS] = offsetof(struct dp_port_stats, rx_packets),
	[STATE_PORT_TX_PACKETS] = offsetof(struct dp_port_stats, tx_packets),
	[STATE_PORT_RX_BYTES] = offsetof(struct dp_port_stats, rx_bytes),
	[STATE_PORT_TX_BYTES] = offsetof(struct dp_port_stats, tx_bytes),
	[STATE_PORT_RX_DROPPED] = offsetof(struct dp_port_stats, rx_dropped),
	[STATE_PORT_TX_DROPPED] = offsetof(struct dp_port_stats, tx_dropped),
	[STATE_PORT_RX_ERRORS] = offsetof(struct dp_port_stats, rx_errors),
	[STATE_PORT_TX_ERRORS] = offsetof(struct dp_port_stats, tx_errors),
	[STATE_PORT_RX_FRAME_ERR] = offsetof(struct dp_port_stats, rx_frame_err),
	[STATE_PORT_RX_OVER_ERR] = offsetof(struct dp_port_stats, rx_over_err),
	[STATE_PORT_RX_CRC_ERR] = offsetof(struct dp_port_stats, rx_crc_err),
	[STATE_PORT_COLLISIONS] = offsetof(struct dp_port_stats, collisions),
	[STATE_PORT_DURATION_NS] = offsetof(struct dp_port_stats, duration_ns),
};

/* Appends a kept GROUP_MOD / METER_MOD as an ADD (the kept one may be a MODIFY). */
static void
put_mod_as_add(struct buf *b, const uint8_t *raw, size_t len, uint16_t add)
{
	size_t start = b->size;

	state_write_msg(b, raw, len);
	if (len >= 10)
		buf_set_be16(b, start + 8, add);
}

static int
gather_groups(struct bridge *br, struct buf *b)
{
	size_t n = group_ids(br, NULL, 0);
	uint32_t *ids = calloc(n ? n : 1, sizeof(*ids));
	struct ofp_group_mod *gms = calloc(n ? n : 1, sizeof(*gms));
	struct arena a = ARENA_INITIALIZER;
	size_t k = 0;
	int r = 0;

	if (!ids || !gms) {
		r = -ENOMEM;
		goto out;
	}
	group_ids(br, ids, n);
	for (size_t i = 0; i < n; i++) {
		struct state_counters c;
		const uint8_t *raw;
		struct ofp_err err;
		size_t len;

		if (group_state_get(br, ids[i], &raw, &len, &c) ||
		    ofp_group_mod_decode(raw, len, &a, &gms[k], &err))
			continue; /* kept as decoded once: cannot fail */
		gms[k++].group_id = ids[i];
	}
	if (state_order_groups(gms, k))
		vlog(VLOG_WARN, MOD, "%s: groups refer to each other in a cycle", br->name);
	for (size_t i = 0; i < k; i++) {
		struct state_counters c;
		const uint8_t *raw;
		size_t len;

		if (group_state_get(br, gms[i].group_id, &raw, &len, &c))
			continue;
		put_mod_as_add(b, raw, len, OFPGC_ADD);
		state_write_group(b, &c);
	}
out:
	arena_free(&a);
	free(gms);
	free(ids);
	return r;
}

static int
gather_meters(struct bridge *br, struct buf *b)
{
	size_t n = meter_ids(br, NULL, 0);
	uint32_t *ids = calloc(n ? n : 1, sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	meter_ids(br, ids, n);
	for (size_t i = 0; i < n; i++) {
		struct state_counters c;
		const uint8_t *raw;
		size_t len;

		if (meter_state_get(br, ids[i], &raw, &len, &c))
			continue;
		put_mod_as_add(b, raw, len, OFPMC_ADD);
		state_write_meter(b, &c);
	}
	free(ids);
	return 0;
}

/* Remaining ms of a timeout of t seconds counted from since_ns, at now_ns (0 when the
 * flow has no such timeout). */
static uint32_t
remaining_ms(uint16_t t, uint64_t since_ns, uint64_t now_ns)
{
	uint64_t total = (uint64_t)t * NS_PER_S, spent = now_ns - since_ns;

	if (!t)
		return 0;
	if (spent >= total)
		return 1; /* due: expires at the first expiry run after the restore */
	return (uint32_t)((total - spent + NS_PER_MS - 1) / NS_PER_MS);
}

/* 0, or the encoder's -EMSGSIZE (a flow a FLOW_MOD cannot carry; not saved). */
static int
gather_flow(struct bridge *br, struct rule *r, uint64_t now, struct buf *b)
{
	struct ofp_flow_mod fm;
	struct state_flow sf;
	uint64_t p = 0, by = 0, used = 0;

	(void)br;
	ofp_flow_mod_init(&fm, OFPFC_ADD);
	fm.cookie = r->cookie;
	fm.table_id = r->table_id;
	fm.idle_timeout = r->idle_timeout;
	fm.hard_timeout = r->hard_timeout;
	fm.priority = r->priority;
	/* CHECK_OVERLAP and RESET_COUNTS acted when the flow was added; replayed they
	 * could refuse a flow the switch holds or zero its restored counters. */
	fm.flags = r->flags & (uint16_t) ~(OFPFF_CHECK_OVERLAP | OFPFF_RESET_COUNTS);
	rule_match(r, &fm.match);
	fm.insts = r->insts;
	if (ofp_flow_mod_encode(&fm, 0, b))
		return buf_error(b) ? 0 : -EMSGSIZE;
	if (r->dp)
		dp_flow_get_stats(r->dp, &p, &by, &used);
	if (used > r->used_ns)
		r->used_ns = used;
	memset(&sf, 0, sizeof(sf));
	sf.packets = p + r->pkt_ofs;
	sf.bytes = by + r->byte_ofs;
	sf.duration_ns = now - r->created_ns;
	sf.idle_remaining_ms = remaining_ms(r->idle_timeout, r->used_ns, now);
	sf.hard_remaining_ms = remaining_ms(r->hard_timeout, r->created_ns, now);
	sf.flags = STATE_FLOW_IDLE_KNOWN;
	state_write_flow(b, &sf);
	return 0;
}

static int
gather_macs(struct bridge *br, struct buf *b)
{
	unsigned n = dp_mac_dump(br->dp, NULL, 0), got;
	struct dp_mac_entry *e;

	if (!n)
		return 0;
	e = calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	got = dp_mac_dump(br->dp, e, n);
	for (unsigned i = 0; i < got && i < n; i++) {
		struct state_mac m;

		memset(&m, 0, sizeof(m));
		memcpy(m.mac, e[i].mac, 6);
		m.ofport = e[i].ofport;
		m.age_s = e[i].age_s;
		state_write_mac(b, &m);
	}
	free(e);
	return 0;
}

static void
gather_controllers(struct bridge *br, struct buf *b)
{
	struct state_controller *cs = NULL;
	size_t n = 0, k = 0;

	if (!br->cm)
		return;
	for (const struct ofconn *c = connmgr_conns(br->cm); c; c = c->next)
		n += c->type == OFCONN_CONTROLLER && c->state == OFCONN_ACTIVE;
	if (n)
		cs = calloc(n, sizeof(*cs));
	for (const struct ofconn *c = connmgr_conns(br->cm); cs && c; c = c->next) {
		if (c->type != OFCONN_CONTROLLER || c->state != OFCONN_ACTIVE || k == n)
			continue;
		cs[k].role = c->role;
		snprintf(cs[k].target, sizeof(cs[k].target), "%s", c->name);
		k++;
	}
	state_write_controllers(b, connmgr_generation_id(br->cm),
				connmgr_generation_defined(br->cm), cs, k);
	free(cs);
}

int
state_gather_bridge(struct bridge *br, struct buf *b)
{
	struct state_bridge sb;
	struct timespec ts;
	uint64_t now = ofproto_now_ns();
	unsigned n_lost = 0;
	int r;

	memset(&sb, 0, sizeof(sb));
	clock_gettime(CLOCK_REALTIME, &ts);
	sb.datapath_id = br->datapath_id;
	sb.saved_unix_ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	snprintf(sb.name, sizeof(sb.name), "%s", br->name);
	state_write_bridge(b, &sb);
	for (size_t i = 0; i < br->n_ports; i++) {
		struct state_port sp;
		struct dp_port_stats st;

		memset(&sp, 0, sizeof(sp));
		sp.ofport = br->ports[i].ofport;
		snprintf(sp.name, sizeof(sp.name), "%s", br->ports[i].name);
		bridge_port_stats(&br->ports[i], &st);
		sp.has_counters = true;
		for (unsigned k = 0; k < STATE_PORT_N_COUNTERS; k++)
			sp.counters[k] =
				*(const uint64_t *)((const char *)&st + port_counter_ofs[k]);
		state_write_port(b, &sp);
	}
	r = gather_groups(br, b);
	if (!r)
		r = gather_meters(br, b);
	for (unsigned t = 0; !r && t < br->rules.n_tables; t++)
		for (struct rule *ru = br->rules.tables[t].head; ru; ru = ru->tnext)
			n_lost += gather_flow(br, ru, now, b) != 0;
	if (n_lost)
		vlog(VLOG_WARN, MOD, "%s: %u flow(s) too large for one FLOW_MOD not saved",
		     br->name, n_lost);
	if (!r)
		r = gather_macs(br, b);
	gather_controllers(br, b);
	return r ? r : buf_error(b);
}

int
state_gather(struct ofproto *ofp, struct buf *b)
{
	int r = 0;

	buf_clear(b);
	state_write_header(b);
	for (size_t i = 0; !r && i < ofproto_n_bridges(ofp); i++)
		r = state_gather_bridge(ofproto_bridge(ofp, i), b);
	return r ? r : state_write_end(b);
}

/* ---- Applying ------------------------------------------------------------------------ */

/* Sets the restored rule's counters and times. */
static void
apply_flow(struct rule *r, const struct state_flow *f, uint64_t now)
{
	r->pkt_ofs += f->packets;
	r->byte_ofs += f->bytes;
	r->created_ns = now - f->duration_ns;
	if (r->hard_timeout && f->hard_remaining_ms != STATE_REMAINING_FULL) {
		uint64_t total = (uint64_t)r->hard_timeout * NS_PER_S,
			 rem = (uint64_t)f->hard_remaining_ms * NS_PER_MS;

		r->created_ns = now - (rem < total ? total - rem : 0);
	}
	r->used_ns = now;
	if (r->idle_timeout && f->idle_remaining_ms != STATE_REMAINING_FULL) {
		uint64_t total = (uint64_t)r->idle_timeout * NS_PER_S,
			 rem = (uint64_t)f->idle_remaining_ms * NS_PER_MS;

		r->used_ns = now - (rem < total ? total - rem : 0);
	}
}

static void
err_text(const struct ofp_err *err, char *out, size_t n)
{
	struct buf t = BUF_INITIALIZER;

	ofp_error_format(err, &t);
	snprintf(out, n, "%s", buf_cstr(&t));
	buf_uninit(&t);
}

int
state_apply_bridge(struct bridge *br, const void *data, size_t len, unsigned *n_flows,
		   unsigned *n_groups, unsigned *n_meters, char *errbuf, size_t errlen)
{
	struct state_reader rd;
	struct state_rec rec;
	struct rule *last = NULL;
	unsigned nf = 0, ng = 0, nm = 0, idx = 0;
	uint64_t now = ofproto_now_ns();
	bool mine = false;
	int r;

	r = state_read_begin(&rd, data, len, errbuf, errlen);
	if (r)
		return r;
	while (state_read_next(&rd, &rec) > 0) {
		struct arena a = ARENA_INITIALIZER;
		struct ofp_err err = { 0, 0 };
		char why[160];

		idx++;
		if (rec.type == STATE_REC_BRIDGE) {
			mine = !strcmp(rec.u.bridge.name, br->name);
			continue;
		}
		if (!mine)
			continue;
		switch (rec.type) {
		case STATE_REC_GROUP_MOD: {
			struct ofp_group_mod gm;

			r = ofp_group_mod_decode(rec.msg, rec.len, &a, &gm, &err);
			if (!r)
				r = group_mod(br, &gm, rec.msg, rec.len, &err);
			if (r) {
				err_text(&err, why, sizeof(why));
				snprintf(errbuf, errlen, "record %u: group %" PRIu32 ": %s", idx,
					 get_be32(rec.msg + 12), why);
			}
			ng += !r;
			break;
		}
		case STATE_REC_METER_MOD: {
			struct ofp_meter_mod mm;

			r = ofp_meter_mod_decode(rec.msg, rec.len, &a, &mm, &err);
			if (!r)
				r = meter_mod(br, &mm, rec.msg, rec.len, &err);
			if (r) {
				err_text(&err, why, sizeof(why));
				snprintf(errbuf, errlen, "record %u: meter %" PRIu32 ": %s", idx,
					 get_be32(rec.msg + 12), why);
			}
			nm += !r;
			break;
		}
		case STATE_REC_FLOW_MOD: {
			struct ofp_flow_mod fm;

			bool decoded;

			last = NULL;
			r = ofp_flow_mod_decode(rec.msg, rec.len, &a, &fm, &err);
			decoded = !r;
			if (!r)
				r = bridge_flow_mod(br, &fm, &err);
			if (r) {
				struct buf t = BUF_INITIALIZER;

				err_text(&err, why, sizeof(why));
				if (decoded)
					ofp_flow_mod_format(&fm, &t);
				snprintf(errbuf, errlen, "record %u: flow %s: %s", idx,
					 buf_cstr(&t), why);
				buf_uninit(&t);
				break;
			}
			last = rule_set_find(&br->rules, fm.table_id, fm.priority, &fm.match);
			nf++;
			break;
		}
		case STATE_REC_FLOW:
			if (last) {
				apply_flow(last, &rec.u.flow, now);
				rule_set_update_expiry(&br->rules, last);
			}
			last = NULL;
			break;
		case STATE_REC_GROUP:
			group_state_set_base(br, rec.u.counters.id, &rec.u.counters);
			break;
		case STATE_REC_METER:
			meter_state_set_base(br, rec.u.counters.id, &rec.u.counters);
			break;
		default: /* PORT, MAC, CONTROLLERS: state_apply_bridge_finish() */
			break;
		}
		arena_free(&a);
		if (r) {
			if (r == -ENOMEM)
				snprintf(errbuf, errlen, "record %u: out of memory", idx);
			break;
		}
	}
	bridge_commit(br);
	if (n_flows)
		*n_flows = nf;
	if (n_groups)
		*n_groups = ng;
	if (n_meters)
		*n_meters = nm;
	return r;
}

int
state_apply_counters(struct bridge *br, const void *data, size_t len, char *errbuf, size_t errlen)
{
	struct state_reader rd;
	struct state_rec rec;
	struct rule *last = NULL;
	bool mine = false;
	int r;

	r = state_read_begin(&rd, data, len, errbuf, errlen);
	if (r)
		return r;
	while (state_read_next(&rd, &rec) > 0) {
		if (rec.type == STATE_REC_BRIDGE)
			mine = !strcmp(rec.u.bridge.name, br->name);
		if (!mine)
			continue;
		if (rec.type == STATE_REC_FLOW_MOD) {
			struct arena a = ARENA_INITIALIZER;
			struct ofp_flow_mod fm;
			struct ofp_err err;

			last = NULL;
			if (!ofp_flow_mod_decode(rec.msg, rec.len, &a, &fm, &err))
				last = rule_set_find(&br->rules, fm.table_id, fm.priority,
						     &fm.match);
			arena_free(&a);
		} else if (rec.type == STATE_REC_FLOW) {
			if (last) {
				last->pkt_ofs = rec.u.flow.packets;
				last->byte_ofs = rec.u.flow.bytes;
			}
			last = NULL;
		} else if (rec.type == STATE_REC_GROUP) {
			group_state_set_base(br, rec.u.counters.id, &rec.u.counters);
		} else if (rec.type == STATE_REC_METER) {
			meter_state_set_base(br, rec.u.counters.id, &rec.u.counters);
		} else if (rec.type == STATE_REC_PORT && rec.u.port.has_counters) {
			struct bridge_port *p = bridge_port_find(br, rec.u.port.ofport);

			if (p && !strcmp(p->name, rec.u.port.name))
				for (unsigned c = 0; c < STATE_PORT_N_COUNTERS; c++)
					*(uint64_t *)((char *)&p->base + port_counter_ofs[c]) =
						rec.u.port.counters[c];
		}
	}
	return 0;
}

void
state_apply_bridge_finish(struct bridge *br, const void *data, size_t len)
{
	struct state_reader rd;
	struct state_rec rec;
	char err[160];
	bool mine = false;
	unsigned n_macs = 0, n_learned = 0;

	if (state_read_begin(&rd, data, len, err, sizeof(err)))
		return;
	while (state_read_next(&rd, &rec) > 0) {
		if (mine && rec.type == STATE_REC_MAC) {
			n_macs++;
			n_learned += dp_mac_learn(br->dp, rec.u.mac.mac, rec.u.mac.ofport,
						  rec.u.mac.age_s) == 0;
			continue;
		}
		if (rec.type == STATE_REC_BRIDGE)
			mine = !strcmp(rec.u.bridge.name, br->name);
		if (!mine)
			continue;
		if (rec.type == STATE_REC_PORT) {
			struct bridge_port *p = bridge_port_find(br, rec.u.port.ofport);

			if (!p)
				vlog(VLOG_WARN, MOD,
				     "%s: saved port %s (OpenFlow port %" PRIu32
				     ") is not configured now",
				     br->name, rec.u.port.name, rec.u.port.ofport);
			else if (strcmp(p->name, rec.u.port.name))
				vlog(VLOG_WARN, MOD,
				     "%s: OpenFlow port %" PRIu32
				     " was %s when saved, is %s now: restored flows that name "
				     "it act on %s; its counters start from zero",
				     br->name, rec.u.port.ofport, rec.u.port.name, p->name,
				     p->name);
			else if (rec.u.port.has_counters)
				for (unsigned k = 0; k < STATE_PORT_N_COUNTERS; k++)
					*(uint64_t *)((char *)&p->base + port_counter_ofs[k]) =
						rec.u.port.counters[k];
		} else if (rec.type == STATE_REC_CONTROLLERS && br->cm &&
			   rec.u.controllers.generation_defined) {
			connmgr_restore_generation_id(br->cm, rec.u.controllers.generation_id);
		}
	}
	if (n_macs)
		vlog(n_learned == n_macs ? VLOG_INFO : VLOG_WARN, MOD,
		     "%s: restored %u of %u learned MAC address(es)%s", br->name, n_learned, n_macs,
		     n_learned == n_macs ? "" : " (the others' ports are gone or full)");
}

/* ---- pfswitchd's state_file ----------------------------------------------------------- */

int
state_save_file(struct ofproto *ofp, const char *path, char *errbuf, size_t errlen)
{
	struct buf b = BUF_INITIALIZER;
	int r = state_gather(ofp, &b);

	if (r) {
		snprintf(errbuf, errlen, "state file %s: cannot gather the state: %s", path,
			 strerror(-r));
		goto out;
	}
	r = state_file_write(path, b.data, b.size);
	if (r)
		snprintf(errbuf, errlen, "state file %s: cannot write it: %s", path, strerror(-r));
out:
	buf_uninit(&b);
	return r;
}

int
state_load_file(const char *path, uint8_t **data, size_t *len, char *errbuf, size_t errlen)
{
	struct state_reader rd;
	char why[200];
	int r = state_file_read(path, data, len);

	if (r) {
		snprintf(errbuf, errlen, "state file %s: %s", path, strerror(-r));
		return r;
	}
	r = state_read_begin(&rd, *data, *len, why, sizeof(why));
	if (r) {
		snprintf(errbuf, errlen, "state file %s: %s", path, why);
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return r;
}
