/* The agent's metrics endpoint: HTTP server and collection (see metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "connmgr.h"
#include "datapath.h"
#include "group.h"
#include "meter.h"
#include "ofp_msg.h"
#include "ofproto.h"
#include "pinsched.h"
#include "pipeline.h"
#include "prom.h"
#include "state_fmt.h"
#include "stream.h"
#include "util.h"
#include "vlog.h"

#define MOD "metrics"
#define container_of(p, T, m) ((T *)(void *)((char *)(p)-offsetof(T, m)))

static struct vlog_rl rl = VLOG_RL_INIT(5);

struct mconn {
	struct metrics *m;
	struct ofproto_fd pfd; /* fd -1: free slot */
	char req[METRICS_REQUEST_MAX];
	size_t req_len;
	struct buf out;
	size_t out_ofs;
	bool responding;
	uint64_t since_ms;
};

struct metrics {
	struct ofproto *ofp;
	struct ofproto_fd lpfd;
	struct stream_addr addr;
	struct mconn conns[METRICS_MAX_CONNS];
	uint64_t n_requests, n_refused;
};

/* ---- Collection -------------------------------------------------------------------- */

#define L(n, v) ((struct prom_label){ (n), (v) })

static void
ports_family(struct prom *p, struct ofproto *ofp, const char *name, const char *help, size_t field)
{
	prom_family(p, name, PROM_COUNTER, help);
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);

		for (size_t j = 0; j < br->n_ports; j++) {
			const struct bridge_port *bp = &br->ports[j];
			struct prom_label l[] = { L("bridge", br->name), L("port", bp->name) };
			struct dp_port_stats st;

			bridge_port_stats(bp, &st);
			prom_sample(p, l, 2, *(const uint64_t *)((const char *)&st + field));
		}
	}
}

static void
render_ports(struct prom *p, struct ofproto *ofp)
{
	static const struct {
		const char *name, *help;
		size_t field;
	} fields[] = {
		{ "pfswitch_port_rx_packets", "Packets received on the port",
		  offsetof(struct dp_port_stats, rx_packets) },
		{ "pfswitch_port_tx_packets", "Packets sent on the port",
		  offsetof(struct dp_port_stats, tx_packets) },
		{ "pfswitch_port_rx_bytes", "Bytes received on the port",
		  offsetof(struct dp_port_stats, rx_bytes) },
		{ "pfswitch_port_tx_bytes", "Bytes sent on the port",
		  offsetof(struct dp_port_stats, tx_bytes) },
		{ "pfswitch_port_rx_dropped", "Received packets dropped (no buffer, missed)",
		  offsetof(struct dp_port_stats, rx_dropped) },
		{ "pfswitch_port_tx_dropped", "Packets dropped on transmit (queue full)",
		  offsetof(struct dp_port_stats, tx_dropped) },
		{ "pfswitch_port_rx_errors", "Receive errors reported by the PMD",
		  offsetof(struct dp_port_stats, rx_errors) },
		{ "pfswitch_port_tx_errors", "Transmit errors reported by the PMD",
		  offsetof(struct dp_port_stats, tx_errors) },
	};
	struct dp_port_xstat *xs = NULL;

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
		ports_family(p, ofp, fields[f].name, fields[f].help, fields[f].field);

	prom_family(p, "pfswitch_port_up", PROM_GAUGE,
		    "1 if the port's link is up and the port is not administratively down");
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);

		for (size_t j = 0; j < br->n_ports; j++) {
			struct prom_label l[] = { L("bridge", br->name),
						  L("port", br->ports[j].name) };
			struct dp_port_info info;

			dp_port_get_info(br->ports[j].dp, &info);
			prom_sample(p, l, 2,
				    !(info.state & OFPPS_LINK_DOWN) &&
					    !(info.config & OFPPC_PORT_DOWN));
		}
	}

	prom_family(p, "pfswitch_port_xstats", PROM_COUNTER,
		    "The PMD's extended statistics (rte_eth_xstats), by the driver's name");
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);

		for (size_t j = 0; j < br->n_ports; j++) {
			int n = dp_port_get_xstats(br->ports[j].dp, NULL, 0);
			struct dp_port_xstat *nx;

			if (n <= 0)
				continue;
			nx = realloc(xs, (size_t)n * sizeof(*xs));
			if (!nx)
				break;
			xs = nx;
			n = dp_port_get_xstats(br->ports[j].dp, xs, (unsigned)n);
			for (int k = 0; k < n; k++) {
				struct prom_label l[] = { L("bridge", br->name),
							  L("port", br->ports[j].name),
							  L("xstat", xs[k].name) };

				prom_sample(p, l, 3, xs[k].value);
			}
		}
	}
	free(xs);
}

static void
render_tables(struct prom *p, struct ofproto *ofp)
{
	static const char *const names[] = { "pfswitch_table_lookups", "pfswitch_table_matches",
					     "pfswitch_table_active_flows" };
	static const char *const helps[] = {
		"Packets looked up in the table",
		"Packets that matched a flow of the table",
		"Flows in the table",
	};

	for (unsigned f = 0; f < 3; f++) {
		prom_family(p, names[f], f < 2 ? PROM_COUNTER : PROM_GAUGE, helps[f]);
		for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
			struct bridge *br = ofproto_bridge(ofp, i);

			for (unsigned t = 0; t < br->n_tables; t++) {
				uint64_t lookups, matched,
					n = rule_set_count(&br->rules, (uint8_t)t);
				char tid[12];

				dp_table_get_stats(br->dp, (uint8_t)t, &lookups, &matched);
				/* Only tables in use: 255 idle tables per bridge are noise. */
				if (!n && !lookups && t != 0)
					continue;
				snprintf(tid, sizeof(tid), "%u", t);
				struct prom_label l[] = { L("bridge", br->name), L("table", tid) };
				prom_sample(p, l, 2, f == 0 ? lookups : f == 1 ? matched : n);
			}
		}
	}
}

static void
render_bridges(struct prom *p, struct ofproto *ofp)
{
	prom_family(p, "pfswitch_flow_mods", PROM_COUNTER,
		    "FLOW_MOD messages applied (rate() gives flow-mods per second)");
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };

		prom_sample(p, l, 1, br->n_flow_mods);
	}
	prom_family(p, "pfswitch_flows_expired", PROM_COUNTER,
		    "Flows removed by an idle or hard timeout");
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };

		prom_sample(p, l, 1, br->n_expired);
	}
	prom_family(p, "pfswitch_quota_refused", PROM_COUNTER,
		    "Flow, group or meter adds refused by a bridge quota");
	for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };

		prom_sample(p, l, 1, br->n_quota_refused);
	}
}

#define MAX_IDS 65536

static void
render_groups_meters(struct prom *p, struct ofproto *ofp)
{
	uint32_t *ids = malloc(MAX_IDS * sizeof(*ids));
	char id[16], idx[12];

	if (!ids)
		return;
	/* Families: packets, bytes, per-bucket packets; per-band packets. */
	for (unsigned f = 0; f < 6; f++) {
		static const char *const names[] = {
			"pfswitch_group_packets",	 "pfswitch_group_bytes",
			"pfswitch_group_bucket_packets", "pfswitch_meter_packets",
			"pfswitch_meter_bytes",		 "pfswitch_meter_band_packets",
		};
		static const char *const helps[] = {
			"Packets processed by the group",
			"Bytes processed by the group",
			"Packets sent through each bucket of the group",
			"Packets that entered the meter",
			"Bytes that entered the meter",
			"Packets that exceeded each band of the meter (band hits)",
		};
		bool group = f < 3;

		prom_family(p, names[f], PROM_COUNTER, helps[f]);
		for (size_t i = 0; i < ofproto_n_bridges(ofp); i++) {
			struct bridge *br = ofproto_bridge(ofp, i);
			size_t n =
				group ? group_ids(br, ids, MAX_IDS) : meter_ids(br, ids, MAX_IDS);

			for (size_t k = 0; k < n && k < MAX_IDS; k++) {
				struct prom_label l[] = { L("bridge", br->name),
							  L(group ? "group" : "meter", id),
							  L(group ? "bucket" : "band", idx) };
				/* As OpenFlow reports them: restored counters included. */
				struct state_counters sc;
				const uint8_t *raw;
				size_t len;

				snprintf(id, sizeof(id), "%" PRIu32, ids[k]);
				if (group ? group_state_get(br, ids[k], &raw, &len, &sc)
					  : meter_state_get(br, ids[k], &raw, &len, &sc))
					continue;
				if (f % 3 == 0) {
					prom_sample(p, l, 2, sc.packets);
					continue;
				}
				if (f % 3 == 1) {
					prom_sample(p, l, 2, sc.bytes);
					continue;
				}
				for (unsigned b = 0; b < sc.n; b++) {
					snprintf(idx, sizeof(idx), "%u", b);
					prom_sample(p, l, 3, sc.sub_packets[b]);
				}
			}
		}
	}
	free(ids);
}

static void
render_drops(struct prom *p)
{
	unsigned n = dp_drop_stats(NULL, 0);
	struct dp_drop_stat *d = calloc(n ? n : 1, sizeof(*d));

	prom_family(p, "pfswitch_drops", PROM_COUNTER,
		    "Packets dropped by the datapath, by named reason (summed over workers)");
	if (!d)
		return;
	n = dp_drop_stats(d, n);
	for (unsigned i = 0; i < n; i++) {
		struct prom_label l[] = { L("reason", d[i].name) };

		prom_sample(p, l, 1, d[i].count);
	}
	free(d);
	prom_family(p, "pfswitch_upcalls_dropped", PROM_COUNTER,
		    "Table misses and packets to the controller dropped: miss ring full");
	prom_sample(p, NULL, 0, dp_upcall_dropped());
}

static void
render_workers(struct prom *p)
{
	static const struct {
		const char *name, *help;
		size_t field;
	} fields[] = {
		{ "pfswitch_worker_busy_cycles", "TSC cycles in loops that moved packets",
		  offsetof(struct dp_worker_stats, busy_cycles) },
		{ "pfswitch_worker_idle_cycles", "TSC cycles in empty polls and rest",
		  offsetof(struct dp_worker_stats, idle_cycles) },
		{ "pfswitch_worker_rest_cycles", "TSC cycles asleep or blocked (part of idle)",
		  offsetof(struct dp_worker_stats, rest_cycles) },
		{ "pfswitch_worker_polls", "Poll loops", offsetof(struct dp_worker_stats, polls) },
		{ "pfswitch_worker_busy_polls", "Poll loops that received packets",
		  offsetof(struct dp_worker_stats, busy_polls) },
		{ "pfswitch_worker_cache_hits", "Microflow cache hits",
		  offsetof(struct dp_worker_stats, cache_hits) },
		{ "pfswitch_worker_cache_misses", "Microflow cache misses (table lookups)",
		  offsetof(struct dp_worker_stats, cache_misses) },
		{ "pfswitch_worker_cache_inserts", "Microflow cache inserts",
		  offsetof(struct dp_worker_stats, cache_inserts) },
		{ "pfswitch_worker_cache_refused",
		  "Microflow cache inserts refused: a new flow's first miss would have evicted a "
		  "live entry",
		  offsetof(struct dp_worker_stats, cache_refused) },
	};
	/* Bucket i holds bursts of 2^i .. 2^(i+1)-1 packets: upper bounds 1, 3, ..., 31. */
	static const double bounds[DP_BURST_HIST_N - 1] = { 1, 3, 7, 15, 31 };
	unsigned nw = dp_worker_count();
	struct dp_worker_stats st;
	char w[12];

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
		prom_family(p, fields[f].name, PROM_COUNTER, fields[f].help);
		for (unsigned i = 0; i < nw; i++) {
			struct prom_label l[] = { L("worker", w) };

			if (dp_worker_get_stats(i, &st))
				continue;
			snprintf(w, sizeof(w), "%u", i);
			prom_sample(p, l, 1,
				    *(const uint64_t *)((const char *)&st + fields[f].field));
		}
	}
	prom_family(p, "pfswitch_worker_tsc_hz", PROM_GAUGE, "TSC cycles per second");
	for (unsigned i = 0; i < nw; i++) {
		struct prom_label l[] = { L("worker", w) };

		if (dp_worker_get_stats(i, &st))
			continue;
		snprintf(w, sizeof(w), "%u", i);
		prom_sample(p, l, 1, st.tsc_hz);
	}
	prom_family(p, "pfswitch_worker_rx_burst_size", PROM_HISTOGRAM,
		    "Packets per non-empty rx burst");
	for (unsigned i = 0; i < nw; i++) {
		struct prom_label l[] = { L("worker", w) };

		if (dp_worker_get_stats(i, &st))
			continue;
		snprintf(w, sizeof(w), "%u", i);
		prom_histogram(p, l, 1, bounds, st.burst_hist, DP_BURST_HIST_N - 1,
			       (double)st.rx_packets);
	}
	prom_family(p, "pfswitch_mbufs_in_use", PROM_GAUGE, "mbufs of the datapath's pool in use");
	prom_sample(p, NULL, 0, dp_mbuf_in_use());
}

static const char *
conn_type_name(enum ofconn_type t)
{
	return t == OFCONN_CONTROLLER ? "controller" : t == OFCONN_SERVICE ? "mgmt" : "snoop";
}

static const char *
conn_state_name(enum ofconn_state s)
{
	return s == OFCONN_HELLO ? "hello" : s == OFCONN_ACTIVE ? "active" : "closing";
}

static const char *
role_name(uint32_t r)
{
	return r == OFPCR_ROLE_MASTER ? "master" : r == OFPCR_ROLE_SLAVE ? "slave" : "equal";
}

static void
render_agent(struct prom *p, struct ofproto *ofp)
{
	size_t nb = ofproto_n_bridges(ofp);

	prom_family(p, "pfswitch_connections", PROM_GAUGE,
		    "OpenFlow connections now, by type, state and role");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		/* type x state x role */
		unsigned count[3][3][3] = { { { 0 } } };

		for (const struct ofconn *c = connmgr_conns(br->cm); c; c = c->next) {
			unsigned r = c->role == OFPCR_ROLE_MASTER  ? 1
				     : c->role == OFPCR_ROLE_SLAVE ? 2
								   : 0;
			if (c->type <= OFCONN_SNOOP && c->state <= OFCONN_CLOSING)
				count[c->type][c->state][r]++;
		}
		for (unsigned t = 0; t < 3; t++)
			for (unsigned s = 0; s < 3; s++)
				for (unsigned r = 0; r < 3; r++) {
					static const uint32_t roles[] = { OFPCR_ROLE_EQUAL,
									  OFPCR_ROLE_MASTER,
									  OFPCR_ROLE_SLAVE };
					struct prom_label l[] = {
						L("bridge", br->name),
						L("type", conn_type_name(t)),
						L("state", conn_state_name(s)),
						L("role", role_name(roles[r])),
					};

					/* Always the active ones, so a dashboard sees 0. */
					if (count[t][s][r] || (s == OFCONN_ACTIVE && r == 0))
						prom_sample(p, l, 4, count[t][s][r]);
				}
	}
	prom_family(p, "pfswitch_controller_connected", PROM_GAUGE,
		    "1 while a configured controller has an OpenFlow session in use");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };

		prom_sample(p, l, 1, connmgr_has_controller(br->cm));
	}
	prom_family(p, "pfswitch_connections_opened", PROM_COUNTER,
		    "OpenFlow connections accepted or established");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };
		struct connmgr_stats cs;

		connmgr_get_stats(br->cm, &cs);
		prom_sample(p, l, 1, cs.n_connected);
	}
	prom_family(p, "pfswitch_messages_received", PROM_COUNTER,
		    "OpenFlow messages handled after HELLO, by type");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);

		for (unsigned t = 0; t <= OFPT_N_TYPES; t++) {
			const char *name = t < OFPT_N_TYPES ? ofp_msg_type_name((uint8_t)t) : NULL;
			struct prom_label l[] = { L("bridge", br->name),
						  L("type", name ? name : "unknown") };

			if (br->agent.msg_rx[t])
				prom_sample(p, l, 2, br->agent.msg_rx[t]);
		}
	}
	prom_family(p, "pfswitch_packet_ins_sent", PROM_COUNTER,
		    "PACKET_IN messages queued to connections");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };
		struct connmgr_stats cs;

		connmgr_get_stats(br->cm, &cs);
		prom_sample(p, l, 1, cs.pin_sent);
	}
	prom_family(p, "pfswitch_packet_ins_dropped", PROM_COUNTER,
		    "Packet-ins dropped in the agent, by reason");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct connmgr_stats cs;
		struct pinsched_stats ps;

		connmgr_get_stats(br->cm, &cs);
		pinsched_get_stats(ofproto_pinsched(ofp, i), &ps);
		const struct {
			const char *reason;
			uint64_t v;
		} r[] = {
			{ "rate_limit", cs.pin_rate_dropped },
			{ "conn_queue_full", cs.pin_queue_dropped },
			{ "port_queue_full", ps.drop_port_full },
			{ "total_queue_full", ps.drop_total_full },
			{ "nomem", ps.drop_nomem },
		};
		for (size_t k = 0; k < ARRAY_SIZE(r); k++) {
			struct prom_label l[] = { L("bridge", br->name), L("reason", r[k].reason) };

			prom_sample(p, l, 2, r[k].v);
		}
	}
	prom_family(p, "pfswitch_packet_ins_queued", PROM_GAUGE,
		    "Packet-ins waiting in the bridge's fair queues");
	for (size_t i = 0; i < nb; i++) {
		struct prom_label l[] = { L("bridge", ofproto_bridge(ofp, i)->name) };
		struct pinsched_stats ps;

		pinsched_get_stats(ofproto_pinsched(ofp, i), &ps);
		prom_sample(p, l, 1, ps.n_queued);
	}
	prom_family(p, "pfswitch_async_dropped", PROM_COUNTER,
		    "Asynchronous messages (any kind) dropped: connection output queue full");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };
		struct connmgr_stats cs;

		connmgr_get_stats(br->cm, &cs);
		prom_sample(p, l, 1, cs.async_dropped);
	}
	prom_family(p, "pfswitch_barrier_latency_seconds", PROM_HISTOGRAM,
		    "BARRIER_REQUEST to BARRIER_REPLY in the agent (includes the datapath sync)");
	for (size_t i = 0; i < nb; i++) {
		struct bridge *br = ofproto_bridge(ofp, i);
		struct prom_label l[] = { L("bridge", br->name) };

		prom_histogram(p, l, 1, bridge_barrier_bounds, br->agent.barrier,
			       BRIDGE_BARRIER_BUCKETS, (double)br->agent.barrier_sum_ns / 1e9);
	}
}

void
metrics_render(struct ofproto *ofp, struct buf *b, bool openmetrics)
{
	struct prom p;

	prom_init(&p, b, openmetrics);
	dp_stats_batch(true); /* one attribution of the workers' cache counts per scrape */
	render_ports(&p, ofp);
	render_tables(&p, ofp);
	render_bridges(&p, ofp);
	render_groups_meters(&p, ofp);
	render_drops(&p);
	render_workers(&p);
	render_agent(&p, ofp);
	dp_stats_batch(false);
	prom_finish(&p);
}

/* ---- HTTP server ------------------------------------------------------------------- */

static void
mconn_close(struct mconn *c)
{
	if (c->pfd.fd < 0)
		return;
	ofproto_fd_del(c->m->ofp, &c->pfd);
	close(c->pfd.fd);
	c->pfd.fd = -1;
	buf_uninit(&c->out);
	c->out_ofs = 0;
	c->req_len = 0;
	c->responding = false;
}

/* Writes what the socket takes; closes when all is sent or on error. */
static void
mconn_flush(struct mconn *c)
{
	while (c->out_ofs < c->out.size) {
		ssize_t n = send(c->pfd.fd, (const char *)c->out.data + c->out_ofs,
				 c->out.size - c->out_ofs, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!(c->pfd.events & EPOLLOUT))
				ofproto_fd_mod(c->m->ofp, &c->pfd, EPOLLOUT);
			return;
		}
		if (n <= 0) {
			mconn_close(c);
			return;
		}
		c->out_ofs += (size_t)n;
	}
	mconn_close(c);
}

static void
respond(struct mconn *c, int code, const char *reason, const char *ctype, const char *extra,
	const struct buf *body, bool head)
{
	size_t len = body ? body->size : 0;

	buf_clear(&c->out);
	buf_printf(&c->out,
		   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		   "Connection: close\r\n\r\n",
		   code, reason, ctype, len, extra ? extra : "");
	if (body && !head)
		buf_put(&c->out, body->data, body->size);
	c->responding = true;
	if (buf_error(&c->out)) {
		mconn_close(c);
		return;
	}
	mconn_flush(c);
}

static void
respond_text(struct mconn *c, int code, const char *reason, const char *extra, bool head)
{
	struct buf body = BUF_INITIALIZER;

	buf_printf(&body, "%d %s\n", code, reason);
	respond(c, code, reason, "text/plain; charset=utf-8", extra, &body, head);
	buf_uninit(&body);
}

/* The value of header name (case-insensitive) in the request head, copied to out. */
static bool
header_value(const char *head, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);

	for (const char *s = strstr(head, "\r\n"); s; s = strstr(s + 2, "\r\n")) {
		const char *line = s + 2;
		const char *end = strstr(line, "\r\n");
		size_t n;

		if (!end || end == line)
			return false;
		if (strncasecmp(line, name, nl) || line[nl] != ':')
			continue;
		line += nl + 1;
		while (*line == ' ' || *line == '\t')
			line++;
		n = PFS_MIN((size_t)(end - line), outlen - 1);
		memcpy(out, line, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

static void
handle_request(struct mconn *c)
{
	char method[16], target[256], version[16], accept[512];
	bool head, om;
	struct buf body = BUF_INITIALIZER;

	c->m->n_requests++;
	if (sscanf(c->req, "%15s %255s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7)) {
		respond_text(c, 400, "Bad Request", NULL, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond_text(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", false);
		return;
	}
	if (strcmp(target, "/metrics") && strncmp(target, "/metrics?", 9)) {
		respond_text(c, 404, "Not Found", NULL, head);
		return;
	}
	om = header_value(c->req, "Accept", accept, sizeof(accept)) &&
	     prom_accepts_openmetrics(accept);
	metrics_render(c->m->ofp, &body, om);
	if (buf_error(&body))
		respond_text(c, 500, "Internal Server Error", NULL, head);
	else
		respond(c, 200, "OK", om ? PROM_CONTENT_TYPE_OM : PROM_CONTENT_TYPE, NULL, &body,
			head);
	buf_uninit(&body);
}

static void
conn_ready(struct ofproto_fd *pfd, uint32_t events)
{
	struct mconn *c = container_of(pfd, struct mconn, pfd);

	if (c->responding) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			mconn_flush(c);
		return;
	}
	for (;;) {
		size_t room = sizeof(c->req) - 1 - c->req_len;
		ssize_t n;

		if (room == 0) {
			respond_text(c, 431, "Request Header Fields Too Large", NULL, false);
			return;
		}
		n = recv(c->pfd.fd, c->req + c->req_len, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			mconn_close(c);
			return;
		}
		c->req_len += (size_t)n;
		c->req[c->req_len] = '\0';
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
			handle_request(c);
			return;
		}
	}
}

static void
listener_ready(struct ofproto_fd *pfd, uint32_t events)
{
	struct metrics *m = container_of(pfd, struct metrics, lpfd);
	int fd;

	(void)events;
	while ((fd = stream_accept(m->lpfd.fd)) >= 0) {
		struct mconn *c = NULL;

		for (size_t i = 0; i < METRICS_MAX_CONNS && !c; i++)
			if (m->conns[i].pfd.fd < 0)
				c = &m->conns[i];
		if (!c) {
			m->n_refused++;
			vlog_rl(&rl, VLOG_WARN, MOD, "%u connections open: refusing another",
				METRICS_MAX_CONNS);
			close(fd);
			continue;
		}
		c->req_len = 0;
		c->out_ofs = 0;
		c->responding = false;
		c->since_ms = ofproto_now_ms();
		c->pfd.cb = conn_ready;
		if (ofproto_fd_add(m->ofp, &c->pfd, fd, EPOLLIN)) {
			close(fd);
			c->pfd.fd = -1;
		}
	}
}

int
metrics_create(struct ofproto *ofp, const char *addr, struct metrics **out, char *errbuf,
	       size_t errlen)
{
	struct metrics *m = pfs_calloc(1, sizeof(*m));
	char why[160];
	int r, fd;

	if (!m) {
		snprintf(errbuf, errlen, "metrics: out of memory");
		return -ENOMEM;
	}
	m->ofp = ofp;
	m->lpfd.fd = -1;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++) {
		m->conns[i].m = m;
		m->conns[i].pfd.fd = -1;
	}
	r = stream_addr_parse(addr, 0, &m->addr, why, sizeof(why));
	if (!r && m->addr.kind != STREAM_TCP && m->addr.kind != STREAM_UNIX)
		r = -EINVAL, snprintf(why, sizeof(why), "not tcp:IP:PORT or unix:PATH");
	if (r) {
		snprintf(errbuf, errlen, "metrics %s: %s", addr, why);
		free(m);
		return r;
	}
	/* The same address, listened on. */
	m->addr.kind = m->addr.kind == STREAM_TCP ? STREAM_PTCP : STREAM_PUNIX;
	if (!stream_addr_is_local(&m->addr))
		vlog(VLOG_WARN, MOD,
		     "metrics endpoint %s is not a loopback address: anyone who can reach it "
		     "reads the switch's counters",
		     addr);
	fd = stream_listen(&m->addr);
	if (fd < 0) {
		snprintf(errbuf, errlen, "metrics %s: %s", addr, strerror(-fd));
		free(m);
		return fd;
	}
	m->lpfd.cb = listener_ready;
	r = ofproto_fd_add(ofp, &m->lpfd, fd, EPOLLIN);
	if (r) {
		snprintf(errbuf, errlen, "metrics %s: %s", addr, strerror(-r));
		close(fd);
		m->lpfd.fd = -1;
		metrics_destroy(m);
		return r;
	}
	vlog(VLOG_INFO, MOD, "serving metrics on %s (GET /metrics)", addr);
	*out = m;
	return 0;
}

void
metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++)
		mconn_close(&m->conns[i]);
	if (m->lpfd.fd >= 0) {
		ofproto_fd_del(m->ofp, &m->lpfd);
		close(m->lpfd.fd);
		if (m->addr.kind == STREAM_PUNIX)
			stream_unlink_listener(m->addr.path);
	}
	free(m);
}

void
metrics_run(struct metrics *m, uint64_t now_ms)
{
	if (!m)
		return;
	for (size_t i = 0; i < METRICS_MAX_CONNS; i++) {
		struct mconn *c = &m->conns[i];

		if (c->pfd.fd >= 0 && now_ms - c->since_ms > METRICS_IDLE_MS)
			mconn_close(c);
	}
}
