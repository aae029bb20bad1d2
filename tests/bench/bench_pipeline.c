/* bench_pipeline: the single-core, single-process figure of the datapath (issue: the
 * number to watch for regressions). One lcore feeds frames from a pcap file (made by
 * pfs-pktgen --count into a net_pcap port, so it is exactly the benchmark's traffic)
 * through the real worker pipeline (dp_pipeline_rx: key extraction, microflow cache,
 * tables, instructions, actions, per-port tx buffers) into net_ring ports, and measures
 * TSC cycles per packet. Nothing crosses cores, so the host's vCPU moves that make the
 * memif benchmark run in phases do not show here.
 *
 * Modes (each the median, min and max of --runs runs of --packets packets):
 *   bare      copy the frame into an mbuf and send it to the output port: the same
 *             rx/tx work as the pipeline without the pipeline (the S0 ceiling)
 *   keys      full flow key extraction alone (dp_key_extract), over the frames in place
 *   fast-keys the fast key (dp_key_fast, Ethernet/IPv4/TCP-UDP) and its cache hash;
 *             frames of other shapes count as taken by the full extraction
 *   cache-on  the whole pipeline with the worker's microflow cache
 *   cache-off the whole pipeline, every packet looked up table by table
 *
 * burst50 is the median burst of a run (cycles per packet; the median over runs): other
 * tenants of a busy host and preemption stretch a few bursts, so it moves far less than
 * the run's mean when the host is loaded.
 *
 * "rx" is a copy of the frame into a recycled mbuf (what a NIC's DMA would have done)
 * and "tx" an rte_eth_tx_burst to a net_ring port whose ring this program drains and
 * recycles, so the harness costs little and costs the same in every mode.
 *
 * Usage: bench_pipeline --rules FILE --pcap FILE [--runs N] [--packets N]
 *                       [--modes bare,keys,fast-keys,cache-on,cache-off] [--label S]
 *                       [--json FILE]
 *                       [-- EAL args]
 * Rules are ovs-ofctl flow lines (tests/bench/gen_rules.py rules SCENARIO), loaded
 * through the datapath's public API; frames enter on OpenFlow port 1; ports 2 and 3
 * exist. Exit status 1 on a setup error or when no packet was forwarded. */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_memcpy.h>
#include <rte_ring.h>

#include "arena.h"
#include "dp_cache.h"
#include "dp_core.h"
#include "ofp_flow.h"

#define N_PORTS 3
#define SINK_RING 4096
#define STACK_MAX 8192
#define MAX_RUNS 64

enum mode { M_BARE, M_KEYS, M_FKEYS, M_CACHE_ON, M_CACHE_OFF, M_N };
static const char *const mode_names[M_N] = { "bare", "keys", "fast-keys", "cache-on", "cache-off" };

struct frames {
	uint8_t *data; /* n slots of stride bytes */
	uint16_t *len;
	size_t n, stride;
};

static struct {
	struct frames fr;
	struct dp_bridge *br;
	struct dp_port *ports[N_PORTS];
	struct rte_ring *sink[N_PORTS]; /* tx rings of the ports */
	struct dp_worker *w;
	struct rte_mbuf *stack[STACK_MAX]; /* recycled mbufs */
	unsigned top;
	size_t next; /* next frame */
	uint64_t out_pkts;
} B;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_pipeline: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
load_pcap(const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, eb);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;
	int rc;

	if (!p)
		die("%s: %s", path, eb);
	B.fr.stride = 128;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		if (h->caplen > B.fr.stride || h->caplen < 14)
			die("%s: frame %zu is %u bytes (14..%zu handled)", path, B.fr.n + 1,
			    h->caplen, B.fr.stride);
		if (B.fr.n == cap) {
			cap = cap ? cap * 2 : 4096;
			B.fr.data = realloc(B.fr.data, cap * B.fr.stride);
			B.fr.len = realloc(B.fr.len, cap * sizeof(B.fr.len[0]));
			if (!B.fr.data || !B.fr.len)
				die("out of memory for %zu frames", cap);
		}
		memcpy(B.fr.data + B.fr.n * B.fr.stride, d, h->caplen);
		B.fr.len[B.fr.n++] = (uint16_t)h->caplen;
	}
	if (rc != PCAP_ERROR_BREAK)
		die("%s: %s", path, pcap_geterr(p));
	pcap_close(p);
	if (!B.fr.n)
		die("%s: no frames", path);
}

static size_t
load_rules(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], eb[256];
	size_t n = 0, lineno = 0;
	struct arena a = ARENA_INITIALIZER;

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		struct ofp_flow_mod fm;
		struct ofp_err err;
		struct dp_flow *flow;
		char *s = line + strspn(line, " \t");

		lineno++;
		s[strcspn(s, "\r\n")] = '\0';
		if (!*s || *s == '#')
			continue;
		if (ofp_flow_mod_parse(s, OFPFC_ADD, &a, &fm, eb, sizeof(eb)) < 0)
			die("%s:%zu: %s", path, lineno, eb);
		const struct dp_flow_spec spec = { .table_id = fm.table_id,
						   .priority = fm.priority,
						   .cookie = fm.cookie,
						   .flags = fm.flags,
						   .match = &fm.match,
						   .insts = &fm.insts };
		int rc = dp_flow_add(B.br, &spec, &flow, &err);

		if (rc < 0)
			die("%s:%zu: dp_flow_add: %s (%s/%s)", path, lineno, strerror(-rc),
			    ofp_error_type_name(err.type), ofp_error_code_name(err.type, err.code));
		arena_free(&a);
		n++;
	}
	fclose(f);
	if (dp_commit(B.br) < 0)
		die("dp_commit failed");
	/* As pfswitchd's housekeeping does within a second: compile the tables whose shape
	 * the rebuild pacing left generic while the rules were loaded. */
	dp_bridge_run(B.br);
	return n;
}

static void
make_port(unsigned i)
{
	char rn[32], dn[32];
	struct rte_ring *rx;

	snprintf(rn, sizeof(rn), "bp_rx%u", i);
	rx = rte_ring_create(rn, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rn, sizeof(rn), "bp_tx%u", i);
	B.sink[i] = rte_ring_create(rn, SINK_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!rx || !B.sink[i])
		die("rte_ring_create failed");
	snprintf(dn, sizeof(dn), "bp%u", i);
	if (rte_eth_from_rings(dn, &rx, 1, &B.sink[i], 1, 0) < 0)
		die("rte_eth_from_rings failed");
	snprintf(dn, sizeof(dn), "net_ring_bp%u", i);
	snprintf(rn, sizeof(rn), "p%u", i + 1);
	if (dp_port_add(B.br, rn, dn, i + 1, &B.ports[i]) < 0)
		die("dp_port_add %s failed", dn);
}

/* Takes back everything the ports sent: the mbufs of the next "rx". */
static inline void
drain_sinks(void)
{
	for (unsigned i = 0; i < N_PORTS; i++) {
		unsigned room = STACK_MAX - B.top, n;

		n = rte_ring_sc_dequeue_burst(B.sink[i], (void **)&B.stack[B.top], room, NULL);
		B.top += n;
		B.out_pkts += n;
		if (unlikely(!room)) {
			struct rte_mbuf *tmp[64];

			while ((n = rte_ring_sc_dequeue_burst(B.sink[i], (void **)tmp, 64, NULL)))
				rte_pktmbuf_free_bulk(tmp, n);
		}
	}
}

/* "Receives" a burst: recycled mbufs (fresh ones when the pipeline kept or freed some)
 * holding the next frames. */
static inline void
rx_burst(struct rte_mbuf **pkts, unsigned n)
{
	if (unlikely(B.top < n)) {
		if (rte_pktmbuf_alloc_bulk(dp_g.pool, &B.stack[B.top], n - B.top) < 0)
			die("mbuf pool empty");
		B.top = n;
	}
	B.top -= n;
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = B.stack[B.top + i];
		size_t f = B.next;
		uint16_t len = B.fr.len[f];

		B.next = f + 1 == B.fr.n ? 0 : f + 1;
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = len;
		m->pkt_len = len;
		rte_memcpy(rte_pktmbuf_mtod(m, void *), B.fr.data + f * B.fr.stride, len);
		pkts[i] = m;
	}
}

/* Each burst's TSC cycles in the current run (bursts of DP_BURST packets). */
static uint32_t *burst_cyc;
static size_t n_bursts, max_bursts;

static inline void
burst_mark(uint64_t *prev)
{
	uint64_t t = rte_rdtsc();

	if (n_bursts < max_bursts)
		burst_cyc[n_bursts++] = (uint32_t)RTE_MIN(t - *prev, (uint64_t)UINT32_MAX);
	*prev = t;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The median burst of the last run, in cycles per packet: a figure that preemption and
 * other tenants of a busy host barely move (they stretch a few bursts, not the median). */
static double
burst_median(void)
{
	if (!n_bursts)
		return 0;
	qsort(burst_cyc, n_bursts, sizeof(burst_cyc[0]), cmp_u32);
	return (double)burst_cyc[n_bursts / 2] / DP_BURST;
}

/* One run of npkts packets; cycles per packet. */
static double
run(enum mode mode, size_t npkts)
{
	struct dp_port *in = B.ports[0];
	uint16_t out_id = B.ports[1]->port_id;
	uint64_t t0, sink = 0;

	if (mode == M_KEYS || mode == M_FKEYS) {
		struct dp_pkt pkt;
		struct dp_key key;
		struct dp_fkey fk;

		uint64_t tb;

		n_bursts = 0;
		t0 = tb = rte_rdtsc();
		for (size_t i = 0; i < npkts; i++) {
			size_t f = B.next;

			if (i % DP_BURST == DP_BURST - 1)
				burst_mark(&tb);

			B.next = f + 1 == B.fr.n ? 0 : f + 1;
			dp_pkt_init(&pkt, B.fr.data + f * B.fr.stride, B.fr.len[f], 0, 0);
			pkt.frame_len = B.fr.len[f];
			if (mode == M_FKEYS && dp_key_fast(&pkt, 1, &fk))
				sink += dp_cache_fhash(&fk);
			else if (dp_key_extract(&pkt, 1, &key) == 0)
				sink += key.w[1];
		}
		uint64_t c = rte_rdtsc() - t0;

		B.out_pkts += sink == 1; /* keeps the loop; never true in practice */
		return (double)c / (double)npkts;
	}
	/* Frames are copied a burst ahead, as a NIC would have written them: a frame read
	 * right after its copy would wait on store forwarding, which no real rx path does. */
	struct rte_mbuf *bufs[2][DP_BURST];
	unsigned cur = 0;

	uint64_t tb;

	rx_burst(bufs[cur], DP_BURST);
	n_bursts = 0;
	t0 = tb = rte_rdtsc();
	for (size_t done = 0; done < npkts; done += DP_BURST) {
		struct rte_mbuf **pkts = bufs[cur];

		cur ^= 1;
		rx_burst(bufs[cur], DP_BURST);
		if (mode == M_BARE) {
			uint16_t sent = rte_eth_tx_burst(out_id, 0, pkts, DP_BURST);

			if (unlikely(sent < DP_BURST))
				rte_pktmbuf_free_bulk(pkts + sent, DP_BURST - sent);
		} else {
			B.w->burst_tsc = rte_rdtsc();
			dp_pipeline_rx(B.w, in, pkts, DP_BURST);
			dp_worker_flush(B.w);
		}
		drain_sinks();
		burst_mark(&tb);
	}
	uint64_t c = rte_rdtsc() - t0;

	/* The burst copied ahead goes back unused. */
	for (unsigned i = 0; i < DP_BURST; i++) {
		if (B.top < STACK_MAX)
			B.stack[B.top++] = bufs[cur][i];
		else
			rte_pktmbuf_free(bufs[cur][i]);
	}
	return (double)c / (double)(npkts - npkts % DP_BURST + DP_BURST);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	bool done;
	double med, min, max;
	double burst_med; /* median over runs of each run's median burst (cycles/packet) */
	double out_ratio; /* packets sent out per packet in */
	uint64_t hits, misses;
};

static void
measure(enum mode mode, unsigned runs, size_t npkts, struct result *r)
{
	double c[MAX_RUNS], bm[MAX_RUNS];
	struct dp_cache *cache = B.w->cache;
	struct dp_cache_stats s0 = { 0 }, s1 = { 0 };
	uint64_t out0;

	if (mode == M_CACHE_OFF)
		B.w->cache = NULL;
	run(mode, npkts); /* warm-up: caches, branch predictors, the microflow cache */
	if (B.w->cache)
		dp_cache_get_stats(B.w->cache, &s0);
	out0 = B.out_pkts;
	for (unsigned i = 0; i < runs; i++) {
		c[i] = run(mode, npkts);
		bm[i] = burst_median();
	}
	if (B.w->cache)
		dp_cache_get_stats(B.w->cache, &s1);
	B.w->cache = cache;
	qsort(c, runs, sizeof(c[0]), cmp_double);
	qsort(bm, runs, sizeof(bm[0]), cmp_double);
	r->burst_med = runs % 2 ? bm[runs / 2] : (bm[runs / 2 - 1] + bm[runs / 2]) / 2;
	r->done = true;
	r->med = runs % 2 ? c[runs / 2] : (c[runs / 2 - 1] + c[runs / 2]) / 2;
	r->min = c[0];
	r->max = c[runs - 1];
	if (mode == M_KEYS || mode == M_FKEYS)
		r->out_ratio = 1;
	else
		r->out_ratio = (double)(B.out_pkts - out0) /
			       (double)(runs * (npkts - npkts % DP_BURST + DP_BURST));
	r->hits = s1.hits - s0.hits;
	r->misses = s1.misses - s0.misses;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: bench_pipeline --rules FILE --pcap FILE [--runs N] [--packets N]\n"
		   "         [--modes bare,keys,fast-keys,cache-on,cache-off] [--label S]\n"
		   "         [--json FILE]\n"
		   "         [-- EAL args]\n"
		   "Single-core cycles/packet of the datapath pipeline (see the source's header).\n"
		   "Defaults: 7 runs of max(2000000, frames) packets, all modes; EAL -l 0-1\n"
		   "--no-pci --no-huge --no-shconf -m 1024.\n");
}

int
main(int argc, char **argv)
{
	char *defeal[] = { argv[0],    "-l",	    "0-1",
			   "--no-pci", "--no-huge", "--no-shconf",
			   "-m",       "1024",	    "--log-level=lib.eal:error",
			   NULL };
	char **eal = defeal;
	int neal = 9;
	const char *rules = NULL, *pcap = NULL, *label = "", *json = NULL, *modes = NULL;
	unsigned runs = 7;
	size_t npkts = 0;
	bool want[M_N] = { true, true, true, true, true };
	struct result res[M_N] = { 0 };

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = argv[0];
			eal = argv + i;
			neal = argc - i;
			argc = i;
			break;
		}
	static const struct option lo[] = { { "rules", required_argument, NULL, 'r' },
					    { "pcap", required_argument, NULL, 'p' },
					    { "runs", required_argument, NULL, 'n' },
					    { "packets", required_argument, NULL, 'k' },
					    { "modes", required_argument, NULL, 'm' },
					    { "label", required_argument, NULL, 'l' },
					    { "json", required_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int o;

	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'r':
			rules = optarg;
			break;
		case 'p':
			pcap = optarg;
			break;
		case 'n':
			runs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			npkts = strtoull(optarg, NULL, 10);
			break;
		case 'm':
			modes = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'j':
			json = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!rules || !pcap || runs < 1 || runs > MAX_RUNS || optind != argc) {
		usage(stderr);
		return 1;
	}
	if (modes) {
		char *copy = strdup(modes), *save = NULL;

		memset(want, 0, sizeof(want));
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			unsigned m = 0;

			while (m < M_N && strcmp(t, mode_names[m]) != 0)
				m++;
			if (m == M_N)
				die("unknown mode '%s' (bare, keys, fast-keys, cache-on, "
				    "cache-off)",
				    t);
			want[m] = true;
		}
		free(copy);
	}
	load_pcap(pcap);
	if (!npkts)
		npkts = B.fr.n > 2000000 ? B.fr.n : 2000000;

	struct dp_params p;

	dp_params_default(&p);
	p.microflow_cache = true;
	p.idle_polls_before_sleep = 0;
	if (dp_init(neal, eal, &p) < 0)
		die("dp_init failed (EAL arguments?)");
	if (dp_bridge_create("br0", &B.br) < 0)
		die("dp_bridge_create failed");
	for (unsigned i = 0; i < N_PORTS; i++)
		make_port(i);
	/* The worker is never launched: this lcore runs its pipeline. */
	B.w = dp_g.workers[0];

	uint64_t t0 = rte_rdtsc();
	size_t n_rules = load_rules(rules);
	double load_s = (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
	double hz = (double)rte_get_tsc_hz();

	printf("bench_pipeline %s: %zu rules (loaded in %.2f s), %zu frames of %u bytes, %u runs "
	       "x %zu packets, TSC %.2f GHz\n",
	       label, n_rules, load_s, B.fr.n, B.fr.len[0], runs, npkts, hz / 1e9);
	max_bursts = npkts / DP_BURST + 2;
	burst_cyc = malloc(sizeof(*burst_cyc) * max_bursts);
	if (!burst_cyc)
		die("out of memory");
	printf("  %-10s %10s %8s %8s %9s %8s %7s %8s %s\n", "mode", "cycles/pkt", "min", "max",
	       "Mpps", "vs bare", "out/in", "burst50", "microflow cache");
	for (unsigned m = 0; m < M_N; m++) {
		if (!want[m])
			continue;
		measure(m, runs, npkts, &res[m]);
		printf("  %-10s %10.1f %8.1f %8.1f %9.2f", mode_names[m], res[m].med, res[m].min,
		       res[m].max, hz / res[m].med / 1e6);
		if (res[M_BARE].done && m != M_KEYS && m != M_FKEYS)
			printf(" %7.0f%%", 100 * res[M_BARE].med / res[m].med);
		else
			printf(" %8s", "-");
		printf(" %7.3f %8.1f", res[m].out_ratio, res[m].burst_med);
		if (m == M_CACHE_ON)
			printf(" hits %.1f%%",
			       100.0 * (double)res[m].hits /
				       (double)(res[m].hits + res[m].misses + !res[m].hits));
		printf("\n");
		fflush(stdout);
	}
	bool forwarded = false;

	for (unsigned m = M_CACHE_ON; m <= M_CACHE_OFF; m++)
		forwarded |= res[m].done && res[m].out_ratio > 0;
	if (json) {
		FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;

		if (!f)
			die("%s: %s", json, strerror(errno));
		fprintf(f,
			"{\"label\": \"%s\", \"rules\": %zu, \"frames\": %zu, \"runs\": %u, "
			"\"packets\": %zu, \"tsc_hz\": %.0f, \"modes\": {",
			label, n_rules, B.fr.n, runs, npkts, hz);
		bool first = true;

		for (unsigned m = 0; m < M_N; m++) {
			if (!res[m].done)
				continue;
			fprintf(f,
				"%s\"%s\": {\"cycles\": %.2f, \"min\": %.2f, \"max\": %.2f, "
				"\"mpps\": %.3f, \"out_per_in\": %.4f, \"burst_median\": %.2f}",
				first ? "" : ", ", mode_names[m], res[m].med, res[m].min,
				res[m].max, hz / res[m].med / 1e6, res[m].out_ratio,
				res[m].burst_med);
			first = false;
		}
		fprintf(f, "}}\n");
		if (f != stdout)
			fclose(f);
	}
	dp_fini();
	free(burst_cyc);
	if ((want[M_CACHE_ON] || want[M_CACHE_OFF]) && !forwarded) {
		fprintf(stderr, "bench_pipeline: no packet came out: rules and traffic disagree\n");
		return 1;
	}
	return 0;
}
