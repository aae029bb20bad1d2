/* pfs-ofctl top: the busiest flows and ports of a switch by packet and byte rate. Each
 * frame takes a flow-stats and a port-stats sample, pairs every flow and port with the
 * sample before (flows by their text without statistics: table, cookie, priority,
 * match and instructions) and prints the rates of the count busiest, sorted by packet
 * or byte rate. On a terminal each frame replaces the last (ANSI clear); otherwise, and
 * with --json (one object per line), frames follow each other. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ofctl.h"
#include "util.h"

/* One flow or port of a sample, with its counters and (after pairing) its rates. */
struct top_item {
	char *key; /* flows: the flow's text; ports: NULL */
	uint32_t port_no;
	uint8_t table_id;
	uint16_t priority;
	uint64_t packets, bytes; /* flows: counters; ports: rx + tx */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	double packet_rate, byte_rate; /* ports: rx + tx */
	double rx_pps, tx_pps, rx_bps, tx_bps;
};

struct top_sample {
	struct arena arena;
	struct top_item *flows, *ports;
	size_t n_flows, n_ports;
	double t; /* seconds, monotonic */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
top_alloc(size_t n, size_t size)
{
	void *p = pfs_calloc(n ? n : 1, size);

	if (!p)
		ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
	return p;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct top_item *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
port_no_cmp(const void *a, const void *b)
{
	const struct top_item *x = a, *y = b;

	return x->port_no < y->port_no ? -1 : x->port_no > y->port_no;
}

static void
take_sample(struct ofctl *c, struct top_sample *s)
{
	struct ofp_multipart_request r = { .type = OFPMP_FLOW };
	struct ofp_multipart_reply rep;
	struct buf t = BUF_INITIALIZER;

	memset(s, 0, sizeof *s);
	s->arena = (struct arena)ARENA_INITIALIZER;
	s->t = now_s();
	ofp_flow_stats_request_init(&r.flow);
	ofctl_dump(c, &r, &s->arena, &rep);
	s->flows = top_alloc(rep.flow.n, sizeof *s->flows);
	for (size_t i = 0; i < rep.flow.n; i++) {
		const struct ofp_flow_stats *f = &rep.flow.items[i];
		struct top_item *it = &s->flows[s->n_flows++];

		buf_clear(&t);
		ofp_flow_stats_format_ex(f, OFP_FLOW_FMT_NO_STATS, &t);
		if (c->names)
			ofctl_numbers_to_names(c, &t, 0);
		it->key = pfs_strdup(buf_cstr(&t)[0] == ' ' ? buf_cstr(&t) + 1 : buf_cstr(&t));
		if (!it->key || buf_error(&t))
			ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
		it->table_id = f->table_id;
		it->priority = f->priority;
		it->packets = f->packet_count;
		it->bytes = f->byte_count;
	}
	qsort(s->flows, s->n_flows, sizeof *s->flows, key_cmp);
	buf_uninit(&t);

	memset(&r, 0, sizeof r);
	r.type = OFPMP_PORT_STATS;
	r.port_stats.port_no = OFPP_ANY;
	ofctl_dump(c, &r, &s->arena, &rep);
	s->ports = top_alloc(rep.port_stats.n, sizeof *s->ports);
	for (size_t i = 0; i < rep.port_stats.n; i++) {
		const struct ofp_port_stats *p = &rep.port_stats.items[i];
		struct top_item *it = &s->ports[s->n_ports++];

		it->port_no = p->port_no;
		it->rx_packets = p->rx_packets;
		it->tx_packets = p->tx_packets;
		it->rx_bytes = p->rx_bytes;
		it->tx_bytes = p->tx_bytes;
	}
	qsort(s->ports, s->n_ports, sizeof *s->ports, port_no_cmp);
}

static void
free_sample(struct top_sample *s)
{
	for (size_t i = 0; i < s->n_flows; i++)
		free(s->flows[i].key);
	free(s->flows);
	free(s->ports);
	arena_free(&s->arena);
}

/* The rate of a counter from old to new over dt; a counter that went back (the flow or
 * port was replaced, the switch restarted) counts from zero. */
static double
rate(uint64_t old, uint64_t new, double dt)
{
	return (double)(new >= old ? new - old : new) / dt;
}

static void
pair_samples(const struct top_sample *old, struct top_sample *cur)
{
	double dt = cur->t - old->t;

	if (dt <= 0)
		dt = 1e-9;
	for (size_t i = 0; i < cur->n_flows; i++) {
		struct top_item *it = &cur->flows[i];
		const struct top_item *o =
			bsearch(it, old->flows, old->n_flows, sizeof *it, key_cmp);

		it->packet_rate = rate(o ? o->packets : 0, it->packets, dt);
		it->byte_rate = rate(o ? o->bytes : 0, it->bytes, dt);
	}
	for (size_t i = 0; i < cur->n_ports; i++) {
		struct top_item *it = &cur->ports[i];
		const struct top_item *o =
			bsearch(it, old->ports, old->n_ports, sizeof *it, port_no_cmp);
		struct top_item zero = { .port_no = it->port_no };

		if (!o)
			o = &zero;
		it->rx_pps = rate(o->rx_packets, it->rx_packets, dt);
		it->tx_pps = rate(o->tx_packets, it->tx_packets, dt);
		it->rx_bps = rate(o->rx_bytes, it->rx_bytes, dt);
		it->tx_bps = rate(o->tx_bytes, it->tx_bytes, dt);
		it->packet_rate = it->rx_pps + it->tx_pps;
		it->byte_rate = it->rx_bps + it->tx_bps;
	}
}

static bool by_bytes;

/* Busiest first; ties by flow text or port number, so frames are stable. */
static int
busiest_cmp(const void *a, const void *b)
{
	const struct top_item *x = a, *y = b;
	double u = by_bytes ? x->byte_rate : x->packet_rate;
	double v = by_bytes ? y->byte_rate : y->packet_rate;

	if (u != v)
		return u > v ? -1 : 1;
	if (x->key && y->key)
		return strcmp(x->key, y->key);
	return port_no_cmp(a, b);
}

static void
port_label(struct ofctl *c, uint32_t port_no, char *out, size_t len)
{
	const char *name = ofctl_port_name(c, port_no);
	struct buf b = BUF_INITIALIZER;

	if (name) {
		snprintf(out, len, "%s", name);
		return;
	}
	ofp_port_format(port_no, &b);
	snprintf(out, len, "%s", buf_cstr(&b));
	buf_uninit(&b);
}

static void
frame_json(struct ofctl *c, const struct top_sample *s, double dt, size_t nf, size_t np,
	   struct buf *out)
{
	struct json j;
	char name[64];

	json_init(&j, out);
	json_obj_begin(&j, NULL);
	json_str(&j, "switch", c->target);
	json_i64(&j, "interval_ms", (int64_t)(dt * 1000 + 0.5));
	json_str(&j, "sort", by_bytes ? "bytes" : "packets");
	json_u64(&j, "n_flows", s->n_flows);
	json_arr_begin(&j, "flows");
	for (size_t i = 0; i < nf; i++) {
		const struct top_item *f = &s->flows[i];
		json_obj_begin(&j, NULL);
		json_u64(&j, "table_id", f->table_id);
		json_u64(&j, "priority", f->priority);
		json_str(&j, "flow", f->key);
		json_u64(&j, "n_packets", f->packets);
		json_u64(&j, "n_bytes", f->bytes);
		json_u64(&j, "packet_rate", (uint64_t)(f->packet_rate + 0.5));
		json_u64(&j, "byte_rate", (uint64_t)(f->byte_rate + 0.5));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "ports");
	for (size_t i = 0; i < np; i++) {
		const struct top_item *p = &s->ports[i];
		json_obj_begin(&j, NULL);
		json_u64(&j, "port_no", p->port_no);
		port_label(c, p->port_no, name, sizeof name);
		json_str(&j, "name", name);
		json_u64(&j, "rx_packet_rate", (uint64_t)(p->rx_pps + 0.5));
		json_u64(&j, "tx_packet_rate", (uint64_t)(p->tx_pps + 0.5));
		json_u64(&j, "rx_byte_rate", (uint64_t)(p->rx_bps + 0.5));
		json_u64(&j, "tx_byte_rate", (uint64_t)(p->tx_bps + 0.5));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_printf(out, "\n");
}

static void
frame_text(struct ofctl *c, const struct top_sample *s, double dt, size_t nf, size_t np,
	   struct buf *out)
{
	char name[64];

	buf_printf(out, "pfs-ofctl top %s: %zu flows, %zu ports, interval %.1fs, by %s rate\n\n",
		   c->target, s->n_flows, s->n_ports, dt, by_bytes ? "byte" : "packet");
	buf_printf(out, "%12s %14s %5s %5s  %s\n", "PKT/S", "BYTE/S", "TABLE", "PRIO", "FLOW");
	for (size_t i = 0; i < nf; i++) {
		const struct top_item *f = &s->flows[i];
		buf_printf(out, "%12.0f %14.0f %5u %5u  %s\n", f->packet_rate, f->byte_rate,
			   f->table_id, f->priority, f->key);
	}
	buf_printf(out, "\n%-16s %12s %12s %14s %14s\n", "PORT", "RX PKT/S", "TX PKT/S",
		   "RX BYTE/S", "TX BYTE/S");
	for (size_t i = 0; i < np; i++) {
		const struct top_item *p = &s->ports[i];
		port_label(c, p->port_no, name, sizeof name);
		buf_printf(out, "%-16s %12.0f %12.0f %14.0f %14.0f\n", name, p->rx_pps, p->tx_pps,
			   p->rx_bps, p->tx_bps);
	}
}

static void
sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void
ofctl_top(struct ofctl *c, int argc, char *argv[])
{
	struct top_sample old, cur;
	bool tty = !c->json && isatty(STDOUT_FILENO);
	struct buf out = BUF_INITIALIZER;

	(void)argc;
	(void)argv;
	by_bytes = c->n_sorts && !strcmp(c->sorts[0].field, "n_bytes");
	ofctl_load_ports(c);
	take_sample(c, &old);
	for (long frame = 0; c->iterations < 0 || frame < c->iterations; frame++) {
		size_t nf, np;
		double dt;

		sleep_s(c->interval_s - (now_s() - old.t));
		take_sample(c, &cur);
		pair_samples(&old, &cur);
		dt = cur.t - old.t;
		qsort(cur.flows, cur.n_flows, sizeof *cur.flows, busiest_cmp);
		qsort(cur.ports, cur.n_ports, sizeof *cur.ports, busiest_cmp);
		nf = c->count < (long)cur.n_flows ? (size_t)c->count : cur.n_flows;
		np = c->count < (long)cur.n_ports ? (size_t)c->count : cur.n_ports;
		if (tty)
			buf_printf(&out, "\033[H\033[2J");
		else if (frame && !c->json)
			buf_printf(&out, "\n");
		if (c->json)
			frame_json(c, &cur, dt, nf, np, &out);
		else
			frame_text(c, &cur, dt, nf, np, &out);
		if (buf_error(&out))
			ofctl_fatal(OFCTL_EXIT_REFUSED, "out of memory");
		fputs(buf_cstr(&out), stdout);
		fflush(stdout);
		buf_clear(&out);
		/* The next frame pairs with this sample, so re-sort it by key. */
		qsort(cur.flows, cur.n_flows, sizeof *cur.flows, key_cmp);
		qsort(cur.ports, cur.n_ports, sizeof *cur.ports, port_no_cmp);
		free_sample(&old);
		old = cur;
	}
	free_sample(&old);
	buf_uninit(&out);
}
