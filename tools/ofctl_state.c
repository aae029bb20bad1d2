/* pfs-ofctl save and restore: a switch's tables in the pfswitch state format
 * (lib/state_fmt.h), through OpenFlow 1.3 only, so both work with any OpenFlow 1.3
 * switch. save reads PORT_DESC and PORT stats, GROUP_DESC and GROUP stats, METER_CONFIG and METER
 * stats, and FLOW stats (durations, counters); restore sends the GROUP_MODs (in
 * dependency order), METER_MODs and FLOW_MODs, with a barrier after each kind, and
 * names the entry a switch refuses. What OpenFlow cannot set (counters, elapsed time of
 * timeouts, ports, roles) is in the file for pfswitchd's own restore and skipped here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ofctl.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofp_multipart.h"
#include "ofp_port.h"
#include "ofp_switch.h"
#include "openflow.h"
#include "state_fmt.h"
#include "util.h"

#define NS_PER_S 1000000000ull
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static void
encode_ok(int err, const char *what)
{
	if (err)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "cannot encode %s: %s", what, strerror(-err));
}

static uint64_t
datapath_id(struct ofctl *c)
{
	struct buf req = BUF_INITIALIZER, rep = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_switch_features f;
	struct ofp_err perr;
	struct vconn *vc = ofctl_connect(c);
	uint64_t id = 0;
	int err;

	encode_ok(ofp_empty_encode(OFPT_FEATURES_REQUEST, vconn_next_xid(vc), &req),
		  "features request");
	err = vconn_transact(vc, &req, &rep);
	if (err)
		ofctl_fatal_vconn(c, err, "features request");
	if (!ofp_features_reply_decode(rep.data, rep.size, &a, &f, &perr))
		id = f.datapath_id;
	buf_uninit(&req);
	buf_uninit(&rep);
	arena_free(&a);
	return id;
}

static void
save_groups(struct ofctl *c, struct arena *a, struct buf *b)
{
	struct ofp_multipart_request r = { .type = OFPMP_GROUP_DESC };
	struct ofp_multipart_reply desc, st;
	struct ofp_group_mod *gms;
	size_t n;

	ofctl_dump(c, &r, a, &desc);
	r.type = OFPMP_GROUP;
	r.group.group_id = OFPG_ALL;
	ofctl_dump(c, &r, a, &st);
	n = desc.group_desc.n;
	gms = arena_alloc(a, (n ? n : 1) * sizeof(*gms));
	if (!gms)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	for (size_t i = 0; i < n; i++) {
		memset(&gms[i], 0, sizeof(gms[i]));
		gms[i].command = OFPGC_ADD;
		gms[i].type = desc.group_desc.items[i].type;
		gms[i].group_id = desc.group_desc.items[i].group_id;
		gms[i].buckets = desc.group_desc.items[i].buckets;
	}
	if (state_order_groups(gms, n))
		fprintf(stderr, "pfs-ofctl: %s: the groups refer to each other in a cycle\n",
			c->target);
	for (size_t i = 0; i < n; i++) {
		struct buf m = BUF_INITIALIZER;
		struct state_counters sc;

		encode_ok(ofp_group_mod_encode(&gms[i], 0, &m), "a group_mod");
		state_write_msg(b, m.data, m.size);
		buf_uninit(&m);
		for (size_t k = 0; k < st.group.n; k++) {
			const struct ofp_group_stats *g = &st.group.items[k];

			if (g->group_id != gms[i].group_id)
				continue;
			memset(&sc, 0, sizeof(sc));
			sc.id = g->group_id;
			sc.packets = g->packet_count;
			sc.bytes = g->byte_count;
			sc.duration_ns = g->duration_sec * NS_PER_S + g->duration_nsec;
			sc.n = (uint32_t)MIN(g->bucket_stats.n, (size_t)STATE_MAX_COUNTERS);
			for (uint32_t j = 0; j < sc.n; j++) {
				sc.sub_packets[j] = g->bucket_stats.items[j].packet_count;
				sc.sub_bytes[j] = g->bucket_stats.items[j].byte_count;
			}
			state_write_group(b, &sc);
		}
	}
}

static void
save_meters(struct ofctl *c, struct arena *a, struct buf *b)
{
	struct ofp_multipart_request r = { .type = OFPMP_METER_CONFIG };
	struct ofp_multipart_reply cfg, st;

	r.meter.meter_id = OFPM_ALL;
	ofctl_dump(c, &r, a, &cfg);
	r.type = OFPMP_METER;
	ofctl_dump(c, &r, a, &st);
	for (size_t i = 0; i < cfg.meter_config.n; i++) {
		const struct ofp_meter_config *mc = &cfg.meter_config.items[i];
		struct ofp_meter_mod mm = { OFPMC_ADD, mc->flags, mc->meter_id, mc->bands };
		struct buf m = BUF_INITIALIZER;

		encode_ok(ofp_meter_mod_encode(&mm, 0, &m), "a meter_mod");
		state_write_msg(b, m.data, m.size);
		buf_uninit(&m);
		for (size_t k = 0; k < st.meter.n; k++) {
			const struct ofp_meter_stats *s = &st.meter.items[k];
			struct state_counters sc;

			if (s->meter_id != mc->meter_id)
				continue;
			memset(&sc, 0, sizeof(sc));
			sc.id = s->meter_id;
			sc.packets = s->packet_in_count;
			sc.bytes = s->byte_in_count;
			sc.duration_ns = s->duration_sec * NS_PER_S + s->duration_nsec;
			sc.n = (uint32_t)MIN(s->band_stats.n, (size_t)STATE_MAX_COUNTERS);
			for (uint32_t j = 0; j < sc.n; j++) {
				sc.sub_packets[j] = s->band_stats.items[j].packet_band_count;
				sc.sub_bytes[j] = s->band_stats.items[j].byte_band_count;
			}
			state_write_meter(b, &sc);
		}
	}
}

static void
save_flows(struct ofctl *c, struct arena *a, struct buf *b)
{
	struct ofp_multipart_request r = { .type = OFPMP_FLOW };
	struct ofp_multipart_reply rep;

	ofp_flow_stats_request_init(&r.flow);
	ofctl_dump(c, &r, a, &rep);
	for (size_t i = 0; i < rep.flow.n; i++) {
		const struct ofp_flow_stats *fs = &rep.flow.items[i];
		struct ofp_flow_mod fm;
		struct state_flow sf;
		struct buf m = BUF_INITIALIZER;
		uint64_t d = fs->duration_sec * NS_PER_S + fs->duration_nsec;

		ofp_flow_mod_init(&fm, OFPFC_ADD);
		fm.cookie = fs->cookie;
		fm.table_id = fs->table_id;
		fm.idle_timeout = fs->idle_timeout;
		fm.hard_timeout = fs->hard_timeout;
		fm.priority = fs->priority;
		fm.flags = fs->flags & (uint16_t) ~(OFPFF_CHECK_OVERLAP | OFPFF_RESET_COUNTS);
		fm.match = fs->match;
		fm.insts = fs->insts;
		encode_ok(ofp_flow_mod_encode(&fm, 0, &m), "a flow_mod");
		state_write_msg(b, m.data, m.size);
		buf_uninit(&m);
		memset(&sf, 0, sizeof(sf));
		sf.packets = fs->packet_count;
		sf.bytes = fs->byte_count;
		sf.duration_ns = d;
		/* OpenFlow tells no idle time: the restored flow gets its whole idle timeout. */
		sf.idle_remaining_ms = fs->idle_timeout ? STATE_REMAINING_FULL : 0;
		sf.hard_remaining_ms = 0;
		if (fs->hard_timeout) {
			uint64_t t = (uint64_t)fs->hard_timeout * NS_PER_S;

			sf.hard_remaining_ms = d < t ? (uint32_t)((t - d) / 1000000u) + 1 : 1;
		}
		state_write_flow(b, &sf);
	}
}

static void
port_counters(const struct ofp_port_stats *st, struct state_port *sp)
{
	uint64_t *v = sp->counters;

	sp->has_counters = true;
	v[STATE_PORT_RX_PACKETS] = st->rx_packets;
	v[STATE_PORT_TX_PACKETS] = st->tx_packets;
	v[STATE_PORT_RX_BYTES] = st->rx_bytes;
	v[STATE_PORT_TX_BYTES] = st->tx_bytes;
	v[STATE_PORT_RX_DROPPED] = st->rx_dropped;
	v[STATE_PORT_TX_DROPPED] = st->tx_dropped;
	v[STATE_PORT_RX_ERRORS] = st->rx_errors;
	v[STATE_PORT_TX_ERRORS] = st->tx_errors;
	v[STATE_PORT_RX_FRAME_ERR] = st->rx_frame_err;
	v[STATE_PORT_RX_OVER_ERR] = st->rx_over_err;
	v[STATE_PORT_RX_CRC_ERR] = st->rx_crc_err;
	v[STATE_PORT_COLLISIONS] = st->collisions;
	v[STATE_PORT_DURATION_NS] = st->duration_sec * NS_PER_S + st->duration_nsec;
}

void
ofctl_cmd_save(struct ofctl *c, int argc, char *argv[])
{
	struct buf b = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct state_bridge sb;
	struct timespec ts;
	struct ofp_multipart_request pr = { .type = OFPMP_PORT_STATS };
	struct ofp_multipart_reply ps;
	const char *path = argv[1];
	int err;

	(void)argc;
	memset(&sb, 0, sizeof(sb));
	clock_gettime(CLOCK_REALTIME, &ts);
	sb.saved_unix_ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	sb.datapath_id = datapath_id(c);
	snprintf(sb.name, sizeof(sb.name), "%s", c->target);
	state_write_header(&b);
	state_write_bridge(&b, &sb);
	ofctl_load_ports(c);
	pr.port_stats.port_no = OFPP_ANY;
	ofctl_dump(c, &pr, &a, &ps);
	for (size_t i = 0; i < c->n_ports; i++) {
		struct state_port sp;

		memset(&sp, 0, sizeof(sp));
		sp.ofport = c->ports[i].port_no;
		snprintf(sp.name, sizeof(sp.name), "%s", c->ports[i].name);
		for (size_t k = 0; k < ps.port_stats.n; k++)
			if (ps.port_stats.items[k].port_no == sp.ofport)
				port_counters(&ps.port_stats.items[k], &sp);
		state_write_port(&b, &sp);
	}
	save_groups(c, &a, &b);
	save_meters(c, &a, &b);
	save_flows(c, &a, &b);
	err = state_write_end(&b);
	if (err)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	err = state_file_write(path, b.data, b.size);
	if (err)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", path, strerror(-err));
	buf_uninit(&b);
	arena_free(&a);
}

/* ---- restore ------------------------------------------------------------------------- */

struct restore_ctx {
	const char *path;
	uint32_t first_xid;
	size_t n;
	char **what; /* [xid - first_xid]: the entry as text */
	struct buf msg;
	int n_errors;
};

static void
on_restore_error(void *aux, uint32_t xid, const struct ofp_err *err, const char *text)
{
	struct restore_ctx *rc = aux;

	(void)err;
	if (rc->n_errors++)
		return;
	if (xid - rc->first_xid < rc->n)
		buf_printf(&rc->msg, "%s: switch refused %s: %s", rc->path,
			   rc->what[xid - rc->first_xid], text);
	else
		buf_printf(&rc->msg, "%s: switch refused a message: %s", rc->path, text);
}

/* Sends one kind of entry (msgs, n of them, xids from first_xid) and waits for a barrier;
 * exits naming the first refused entry. */
static void
send_kind(struct ofctl *c, struct restore_ctx *rc, const struct buf *msgs)
{
	struct vconn *vc = ofctl_connect(c);
	size_t ofs = 0;
	int err;

	while (ofs < msgs->size) {
		size_t len = get_be16(msgs->data + ofs + 2);

		err = vconn_send(vc, msgs->data + ofs, len);
		if (err)
			ofctl_fatal_vconn(c, err, "restore");
		ofs += len;
	}
	err = vconn_barrier(vc, on_restore_error, rc);
	if (err == -EPROTO && rc->n_errors) {
		if (rc->n_errors > 1)
			buf_printf(&rc->msg, " (and %d more errors)", rc->n_errors - 1);
		ofctl_fatal(OFCTL_EXIT_REFUSED, "%s", buf_cstr(&rc->msg));
	}
	if (err)
		ofctl_fatal_vconn(c, err, "restore");
}

/* True if the BRIDGE record names the section to restore: the one named like the
 * SWITCH argument, or the first when none is. */
static bool
section_wanted(const uint8_t *data, size_t len, const char *target, const char *name,
	       unsigned index)
{
	struct state_reader rd;
	struct state_rec rec;
	char err[64];
	bool any = false;

	if (!strcmp(name, target))
		return true;
	state_read_begin(&rd, data, len, err, sizeof(err));
	while (state_read_next(&rd, &rec) > 0)
		if (rec.type == STATE_REC_BRIDGE && !strcmp(rec.u.bridge.name, target))
			any = true;
	return !any && index == 0;
}

void
ofctl_cmd_restore(struct ofctl *c, int argc, char *argv[])
{
	static const enum state_rec_type order[] = { STATE_REC_GROUP_MOD, STATE_REC_METER_MOD,
						     STATE_REC_FLOW_MOD };
	const char *path = argv[1];
	struct state_reader rd;
	struct state_rec rec;
	uint8_t *data;
	size_t len;
	char why[256];
	int err = state_file_read(path, &data, &len);
	struct vconn *vc;

	(void)argc;
	if (err)
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", path, strerror(-err));
	if (state_read_begin(&rd, data, len, why, sizeof(why)))
		ofctl_fatal(OFCTL_EXIT_USAGE, "%s: %s", path, why);
	vc = ofctl_connect(c);
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		struct restore_ctx rc = { path, 0, 0, NULL, BUF_INITIALIZER, 0 };
		struct buf msgs = BUF_INITIALIZER;
		unsigned section = 0;
		bool mine = false;

		state_read_begin(&rd, data, len, why, sizeof(why));
		while (state_read_next(&rd, &rec) > 0) {
			struct arena a = ARENA_INITIALIZER;
			struct buf t = BUF_INITIALIZER;
			struct ofp_err perr;
			uint32_t xid;
			size_t start;

			if (rec.type == STATE_REC_BRIDGE) {
				mine = section_wanted(data, len, c->target, rec.u.bridge.name,
						      section++);
				continue;
			}
			if (!mine || rec.type != order[k])
				continue;
			xid = vconn_next_xid(vc);
			if (!rc.n)
				rc.first_xid = xid;
			start = msgs.size;
			buf_put(&msgs, rec.msg, rec.len);
			buf_set_be32(&msgs, start + 4, xid);
			if (rec.type == STATE_REC_FLOW_MOD) {
				struct ofp_flow_mod fm;

				buf_printf(&t, "flow ");
				if (!ofp_flow_mod_decode(rec.msg, rec.len, &a, &fm, &perr))
					ofp_flow_mod_format(&fm, &t);
			} else if (rec.type == STATE_REC_GROUP_MOD) {
				buf_printf(&t, "group %" PRIu32, get_be32(rec.msg + 12));
			} else {
				buf_printf(&t, "meter %" PRIu32, get_be32(rec.msg + 12));
			}
			rc.what = pfs_realloc(rc.what, (rc.n + 1) * sizeof(*rc.what));
			if (!rc.what || !(rc.what[rc.n] = strdup(buf_cstr(&t))))
				ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
			rc.n++;
			buf_uninit(&t);
			arena_free(&a);
		}
		if (rc.n)
			send_kind(c, &rc, &msgs);
		for (size_t i = 0; i < rc.n; i++)
			free(rc.what[i]);
		free(rc.what);
		buf_uninit(&rc.msg);
		buf_uninit(&msgs);
	}
	free(data);
}
