/* bench_flow_updates: flow-table update rate through the datapath's public API while a
 * worker forwards (issue #3: >= 1M flow adds/s into one table). Not a test: nothing is
 * asserted; built always, run by hand.
 *
 *   bench_flow_updates [--sizes N,N..] [--batches B,B..] [--runs R] [--json]
 *                      [-- EAL args]
 *
 * One worker busy-polls net_null port 1 (64-byte frames as fast as it polls) and forwards
 * them by "in_port=1 -> output:2" (priority 10) to net_null port 2; the control thread
 * (this one) meanwhile programs table 0 with N exact udp 5-tuple rules (priority 100,
 * all one mask: the s2 set of gen_rules.py) and times, per run:
 *   adds      N dp_flow_add with one dp_commit per batch of B (B = 1, 100, 10000 and
 *             "all" by default); commit time is also reported on its own;
 *   modify    N dp_flow_modify (the actions change), a commit per 10000;
 *   churn     N/10 steps of remove + add (a new 5-tuple) + modify at random, a commit
 *             per 100 flow-mods, at a steady N rules;
 *   removes   N dp_flow_remove, a commit per 10000.
 * Each phase ends with dp_commit() and dp_sync() inside the timed span, so it counts
 * until the last change is visible to the worker and what it retired is freed. The
 * worker's forwarding rate (tx packets on port 2 per second) is measured during each
 * phase and, for comparison, over 0.3 s with no updates: with the table empty and with
 * the N rules in place. On a shared machine elapsed time counts other processes' turns
 * too, so each rate is also given per second of CPU time of the thread doing the work
 * (the control thread for updates, the worker for Mpps). Packets are all-zero frames: they miss the
 * 5-tuple subtable and match the in_port rule, so every packet probes the big table (a commit also
 * turns the worker's microflow cache entries stale, so it re-runs the tables). Medians of --runs
 * runs (default 5), min and max shown. Default EAL arguments:
 *   -l 0-1 --no-pci --no-huge --no-shconf -m 1024
 * (hugepages are faster: pass "-- -l 0-1 --no-pci --in-memory" where the machine has
 * them). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>

#include "datapath.h"
#include "ofp_instruction.h"
#include "openflow.h"
#include "oxm.h"

#define MAX_RUNS 50
#define MAX_LIST 8
#define OP_BATCH 10000	 /* modify and remove: flow-mods per commit */
#define CHURN_BATCH 100	 /* churn: flow-mods per commit */
#define IDLE_MS 300	 /* forwarding rate without updates */
#define S2_SRC_IPS 1000u /* as gen_rules.py: source addresses per source port */

enum metric {
	M_ADD,	     /* per batch size: adds/s */
	M_ADD_CPU,   /* adds per second of the control thread's CPU time */
	M_ADD_MPPS,  /* per batch size: forwarding during the adds */
	M_ADD_WMPPS, /* the same per second of the worker's CPU time */
	M_COMMIT_US, /* per batch size: mean dp_commit() time */
	M_COMMIT_PC, /* per batch size: share of the phase spent in dp_commit() */
	M_N_PER_B
};

enum single {
	S_IDLE_EMPTY, /* Mpps, empty table */
	S_IDLE_FULL,  /* Mpps, N rules, no updates */
	S_IDLE_EMPTY_W,
	S_IDLE_FULL_W,
	S_MOD,
	S_MOD_CPU,
	S_MOD_MPPS,
	S_CHURN,
	S_CHURN_CPU,
	S_CHURN_MPPS,
	S_DEL,
	S_DEL_CPU,
	S_DEL_MPPS,
	S_N
};

static const char *const single_names[S_N] = {
	"fwd_idle_empty_mpps",
	"fwd_idle_full_mpps",
	"fwd_idle_empty_worker_cpu_mpps",
	"fwd_idle_full_worker_cpu_mpps",
	"modifies_per_s",
	"modifies_per_cpu_s",
	"modify_fwd_mpps",
	"churn_ops_per_s",
	"churn_ops_per_cpu_s",
	"churn_fwd_mpps",
	"removes_per_s",
	"removes_per_cpu_s",
	"remove_fwd_mpps",
};

struct sample {
	double v[MAX_RUNS];
	unsigned n;
};

static struct dp_bridge *br;
static struct dp_port *tx_port;
static struct ofp_match match;
static struct ofp_action act_out[2];
static struct ofp_instruction ins_a, ins_b;
static struct ofp_instruction_list insts_a = { &ins_a, 1 }, insts_b = { &ins_b, 1 };
static uint64_t rnd_state = 88172645463325252ull;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* On a shared machine elapsed time also counts other processes' turns: CPU time of the
 * control thread and of the worker thread says what the work itself cost. */
static clockid_t worker_clock;

static double
ctl_cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static double
worker_cpu(void)
{
	return worker_clock ? clock_s(worker_clock) : 0;
}

/* The CPU-time clock of the worker thread (named "rte-worker-N" by the EAL): Linux
 * encodes another thread's clock as ((~tid) << 3) | CPUCLOCK_SCHED | PERTHREAD. */
static void
find_worker_clock(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char path[300], buf[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && strncmp(buf, "rte-worker-", 11) == 0)
			worker_clock = (clockid_t)((~(unsigned)atoi(e->d_name) << 3) | 6);
		fclose(f);
	}
	if (d)
		closedir(d);
}

static uint64_t
tx_packets(void)
{
	struct dp_port_stats st;

	dp_port_get_stats(tx_port, &st);
	return st.tx_packets;
}

static void
die(const char *what, int ret)
{
	fprintf(stderr, "bench_flow_updates: %s: %s\n", what, strerror(ret < 0 ? -ret : ret));
	exit(1);
}

/* Rule i of the s2 set: source address fastest, then source port. */
static void
set_tuple(uint64_t i)
{
	uint32_t src = htonl((uint32_t)(0x0a000000u + i % S2_SRC_IPS));
	uint16_t sport = htons((uint16_t)(1024 + i / S2_SRC_IPS));

	memcpy(match.value.ipv4_src, &src, 4);
	memcpy(match.value.udp_src, &sport, 2);
}

static void
setup_specs(void)
{
	uint16_t et = htons(0x0800), dport = htons(80);
	uint8_t proto = 17;
	uint32_t dst = htonl(0x0a010001u), any = 0;
	uint16_t any16 = 0;

	oxm_match_init(&match);
	if (oxm_match_set(&match, OFPXMT_OFB_ETH_TYPE, &et, NULL) < 0 ||
	    oxm_match_set(&match, OFPXMT_OFB_IP_PROTO, &proto, NULL) < 0 ||
	    oxm_match_set(&match, OFPXMT_OFB_IPV4_SRC, &any, NULL) < 0 ||
	    oxm_match_set(&match, OFPXMT_OFB_IPV4_DST, &dst, NULL) < 0 ||
	    oxm_match_set(&match, OFPXMT_OFB_UDP_SRC, &any16, NULL) < 0 ||
	    oxm_match_set(&match, OFPXMT_OFB_UDP_DST, &dport, NULL) < 0)
		die("match", -EINVAL);
	act_out[0] = (struct ofp_action){ .type = OFPAT_OUTPUT, .output = { .port = 2 } };
	act_out[1] = (struct ofp_action){ .type = OFPAT_SET_QUEUE, .queue_id = 1 };
	ins_a = (struct ofp_instruction){ .type = OFPIT_APPLY_ACTIONS,
					  .actions = { &act_out[0], 1 } };
	/* modify: set_queue:1,output:2 */
	static struct ofp_action b[2];

	b[0] = act_out[1];
	b[1] = act_out[0];
	ins_b = (struct ofp_instruction){ .type = OFPIT_APPLY_ACTIONS, .actions = { b, 2 } };
}

static struct dp_flow *
add_one(uint64_t i)
{
	struct dp_flow_spec spec = {
		.table_id = 0, .priority = 100, .match = &match, .insts = &insts_a
	};
	struct ofp_err err;
	struct dp_flow *f;
	int ret;

	set_tuple(i);
	ret = dp_flow_add(br, &spec, &f, &err);
	if (ret < 0)
		die("dp_flow_add", ret);
	return f;
}

static uint64_t commit_cycles, n_commits;

static void
commit(void)
{
	uint64_t c0 = rte_rdtsc();
	int ret = dp_commit(br);

	commit_cycles += rte_rdtsc() - c0;
	n_commits++;
	if (ret < 0)
		die("dp_commit", ret);
}

static void
finish(void)
{
	commit();
	if (dp_sync() < 0)
		die("dp_sync", -ETIMEDOUT);
}

struct phase {
	double t0, c0, w0;
	uint64_t p0;
	/* Results. */
	double rate, cpu_rate, mpps, wmpps, secs;
};

static void
phase_start(struct phase *ph)
{
	commit_cycles = n_commits = 0;
	ph->p0 = tx_packets();
	ph->t0 = now();
	ph->c0 = ctl_cpu();
	ph->w0 = worker_cpu();
}

/* ops/s elapsed and per control CPU second; forwarding Mpps elapsed and per worker CPU
 * second. */
static void
phase_end(struct phase *ph, uint64_t ops)
{
	double dt = now() - ph->t0, dc = ctl_cpu() - ph->c0, dw = worker_cpu() - ph->w0;
	double pk = (double)(tx_packets() - ph->p0);

	ph->secs = dt;
	ph->rate = (double)ops / dt;
	ph->cpu_rate = (double)ops / dc;
	ph->mpps = pk / dt / 1e6;
	ph->wmpps = dw > 0 ? pk / dw / 1e6 : 0;
}

static void
idle_mpps(double *mpps, double *wmpps)
{
	struct phase ph;

	phase_start(&ph);
	usleep(IDLE_MS * 1000);
	phase_end(&ph, 0);
	*mpps = ph.mpps;
	*wmpps = ph.wmpps;
}

static void
put(struct sample *s, double v)
{
	if (s->n < MAX_RUNS)
		s->v[s->n++] = v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
stats(struct sample *s, double *med, double *lo, double *hi)
{
	qsort(s->v, s->n, sizeof(s->v[0]), cmp_double);
	*med = s->n ? (s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2) : 0;
	*lo = s->n ? s->v[0] : 0;
	*hi = s->n ? s->v[s->n - 1] : 0;
}

struct result {
	unsigned n_rules;
	unsigned n_batches;
	unsigned batches[MAX_LIST];
	struct sample per_b[MAX_LIST][M_N_PER_B];
	struct sample single[S_N];
};

static void
run_once(unsigned n, struct result *res, struct dp_flow **h)
{
	unsigned full_bi = res->n_batches - 1;
	struct phase ph;
	double a, b;

	for (unsigned bi = 0; bi < res->n_batches; bi++)
		if (res->batches[bi] == OP_BATCH)
			full_bi = bi;
	idle_mpps(&a, &b);
	put(&res->single[S_IDLE_EMPTY], a);
	put(&res->single[S_IDLE_EMPTY_W], b);
	for (unsigned bi = 0; bi < res->n_batches; bi++) {
		unsigned batch = res->batches[bi] ? res->batches[bi] : n;
		unsigned in_batch = 0;
		struct sample *pb = res->per_b[bi];

		phase_start(&ph);
		for (unsigned i = 0; i < n; i++) {
			h[i] = add_one(i);
			if (++in_batch == batch) {
				commit();
				in_batch = 0;
			}
		}
		finish();
		phase_end(&ph, n);
		put(&pb[M_ADD], ph.rate);
		put(&pb[M_ADD_CPU], ph.cpu_rate);
		put(&pb[M_ADD_MPPS], ph.mpps);
		put(&pb[M_ADD_WMPPS], ph.wmpps);
		put(&pb[M_COMMIT_US],
		    (double)commit_cycles / (double)n_commits / (double)rte_get_tsc_hz() * 1e6);
		put(&pb[M_COMMIT_PC],
		    100.0 * (double)commit_cycles / (double)rte_get_tsc_hz() / ph.secs);

		/* Modify, churn and the removal figures come from the B = 10000 pass (or the
		 * last one); the other passes just clear the table. */
		bool full = bi == full_bi;

		if (full) {
			idle_mpps(&a, &b);
			put(&res->single[S_IDLE_FULL], a);
			put(&res->single[S_IDLE_FULL_W], b);

			phase_start(&ph);
			for (unsigned i = 0; i < n; i++) {
				struct ofp_err err;
				int ret = dp_flow_modify(br, h[i], (i & 1) ? &insts_a : &insts_b,
							 &err);

				if (ret < 0)
					die("dp_flow_modify", ret);
				if ((i + 1) % OP_BATCH == 0)
					commit();
			}
			finish();
			phase_end(&ph, n);
			put(&res->single[S_MOD], ph.rate);
			put(&res->single[S_MOD_CPU], ph.cpu_rate);
			put(&res->single[S_MOD_MPPS], ph.mpps);

			/* Churn: remove + add + modify per step at a steady n rules. */
			unsigned steps = n / 10 ? n / 10 : 1, ops = 0;
			uint64_t next = n;

			phase_start(&ph);
			for (unsigned s = 0; s < steps; s++) {
				unsigned k = (unsigned)(rnd() % n), m = (k + n / 2) % n;
				struct ofp_err err;
				int ret;

				dp_flow_remove(br, h[k]);
				h[k] = add_one(next++);
				ret = dp_flow_modify(br, h[m], (s & 1) ? &insts_a : &insts_b, &err);
				if (ret < 0)
					die("dp_flow_modify", ret);
				ops += 3;
				if (ops % (CHURN_BATCH - CHURN_BATCH % 3) == 0)
					commit();
			}
			finish();
			phase_end(&ph, ops);
			put(&res->single[S_CHURN], ph.rate);
			put(&res->single[S_CHURN_CPU], ph.cpu_rate);
			put(&res->single[S_CHURN_MPPS], ph.mpps);
		}

		phase_start(&ph);
		for (unsigned i = 0; i < n; i++) {
			dp_flow_remove(br, h[i]);
			if ((i + 1) % OP_BATCH == 0)
				commit();
		}
		finish();
		phase_end(&ph, n);
		if (full) {
			put(&res->single[S_DEL], ph.rate);
			put(&res->single[S_DEL_CPU], ph.cpu_rate);
			put(&res->single[S_DEL_MPPS], ph.mpps);
		}
	}
}

static void
print_row(const char *label, struct sample *s, double scale, int decimals)
{
	const char *unit = scale < 1 ? "k" : "";
	double med, lo, hi;
	char a[32], b[32], c[32];

	stats(s, &med, &lo, &hi);
	snprintf(a, sizeof(a), "%.*f%s", decimals, med * scale, unit);
	snprintf(b, sizeof(b), "%.*f%s", decimals, lo * scale, unit);
	snprintf(c, sizeof(c), "%.*f%s", decimals, hi * scale, unit);
	printf("  %-38s %10s %10s %10s\n", label, a, b, c);
}

static void
print_text(struct result *r, unsigned runs)
{
	char label[64];

	printf("\nN = %u rules (table 0, one mask), %u runs: median, min, max\n", r->n_rules, runs);
	printf("  %-38s %10s %10s %10s\n", "", "median", "min", "max");
	for (unsigned bi = 0; bi < r->n_batches; bi++) {
		struct sample *pb = r->per_b[bi];
		char bs[16];

		if (r->batches[bi])
			snprintf(bs, sizeof(bs), "%u", r->batches[bi]);
		else
			snprintf(bs, sizeof(bs), "all");
		snprintf(label, sizeof(label), "adds/s, commit per %s", bs);
		print_row(label, &pb[M_ADD], 1e-3, 0);
		print_row("  adds per control-thread CPU s", &pb[M_ADD_CPU], 1e-3, 0);
		print_row("  dp_commit us each", &pb[M_COMMIT_US], 1, 2);
		print_row("  time in dp_commit %", &pb[M_COMMIT_PC], 1, 1);
		print_row("  forwarding Mpps during", &pb[M_ADD_MPPS], 1, 2);
		print_row("  Mpps per worker CPU s during", &pb[M_ADD_WMPPS], 1, 2);
	}
	print_row("modifies/s (commit per 10000)", &r->single[S_MOD], 1e-3, 0);
	print_row("  per control-thread CPU s", &r->single[S_MOD_CPU], 1e-3, 0);
	print_row("  forwarding Mpps during", &r->single[S_MOD_MPPS], 1, 2);
	print_row("churn ops/s (commit per 99)", &r->single[S_CHURN], 1e-3, 0);
	print_row("  per control-thread CPU s", &r->single[S_CHURN_CPU], 1e-3, 0);
	print_row("  forwarding Mpps during", &r->single[S_CHURN_MPPS], 1, 2);
	print_row("removes/s (commit per 10000)", &r->single[S_DEL], 1e-3, 0);
	print_row("  per control-thread CPU s", &r->single[S_DEL_CPU], 1e-3, 0);
	print_row("  forwarding Mpps during", &r->single[S_DEL_MPPS], 1, 2);
	print_row("forwarding Mpps, no updates, empty", &r->single[S_IDLE_EMPTY], 1, 2);
	print_row("  Mpps per worker CPU s", &r->single[S_IDLE_EMPTY_W], 1, 2);
	print_row("forwarding Mpps, no updates, N rules", &r->single[S_IDLE_FULL], 1, 2);
	print_row("  Mpps per worker CPU s", &r->single[S_IDLE_FULL_W], 1, 2);
	fflush(stdout);
}

static void
print_json_sample(const char *name, struct sample *s, bool comma)
{
	double med, lo, hi;

	stats(s, &med, &lo, &hi);
	printf("    \"%s\": {\"median\": %.4f, \"min\": %.4f, \"max\": %.4f}%s\n", name, med, lo,
	       hi, comma ? "," : "");
}

static void
print_json(struct result *res, unsigned n_res, unsigned runs)
{
	static const char *const per_b_names[M_N_PER_B] = {
		"adds_per_s", "adds_per_cpu_s", "add_fwd_mpps", "add_fwd_worker_cpu_mpps",
		"commit_us",  "commit_pct",
	};

	printf("{\"runs\": %u, \"sizes\": [\n", runs);
	for (unsigned k = 0; k < n_res; k++) {
		struct result *r = &res[k];

		printf("  {\"n_rules\": %u,\n", r->n_rules);
		for (unsigned bi = 0; bi < r->n_batches; bi++)
			for (unsigned m = 0; m < M_N_PER_B; m++) {
				char name[64];

				if (r->batches[bi])
					snprintf(name, sizeof(name), "b%u_%s", r->batches[bi],
						 per_b_names[m]);
				else
					snprintf(name, sizeof(name), "ball_%s", per_b_names[m]);
				print_json_sample(name, &r->per_b[bi][m], true);
			}
		for (unsigned s = 0; s < S_N; s++)
			print_json_sample(single_names[s], &r->single[s], s + 1 < S_N);
		printf("  }%s\n", k + 1 < n_res ? "," : "");
	}
	printf("]}\n");
}

/* "a,b,c" into v (0 for "all"); returns the count. */
static unsigned
parse_list(const char *s, unsigned *v)
{
	unsigned n = 0;

	while (*s && n < MAX_LIST) {
		char *end;

		if (strncmp(s, "all", 3) == 0) {
			v[n++] = 0;
			end = (char *)s + 3;
		} else {
			v[n++] = (unsigned)strtoul(s, &end, 10);
			if (end == s)
				break;
		}
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_flow_updates [--sizes N,..] [--batches B|all,..] "
			"[--runs R] [--json] [-- EAL args]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char *defeal[] = { argv[0],    "-l",	    "0-1",
			   "--no-pci", "--no-huge", "--no-shconf",
			   "-m",       "1024",	    "--log-level=lib.eal:error",
			   NULL };
	char **eal = defeal;
	int neal = (int)(sizeof(defeal) / sizeof(defeal[0])) - 1;
	unsigned sizes[MAX_LIST] = { 100000, 1000000 }, n_sizes = 2;
	unsigned batches[MAX_LIST] = { 1, 100, 10000, 0 }, n_batches = 4;
	unsigned runs = 5, max_n = 0;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = argv[0];
			eal = argv + i;
			neal = argc - i;
			break;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
			n_sizes = parse_list(argv[++i], sizes);
		} else if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc) {
			n_batches = parse_list(argv[++i], batches);
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = (unsigned)atoi(argv[++i]);
		} else {
			usage();
		}
	}
	if (!n_sizes || !n_batches || runs < 1 || runs > MAX_RUNS)
		usage();
	for (unsigned k = 0; k < n_sizes; k++) {
		if (!sizes[k])
			usage();
		max_n = sizes[k] > max_n ? sizes[k] : max_n;
	}

	struct dp_params p;
	struct dp_port *rx_port;
	struct dp_flow *fwd;
	int ret;

	dp_params_default(&p);
	p.idle_polls_before_sleep = 0; /* busy polling: the worker's rate is the figure */
	ret = dp_init(neal, eal, &p);
	if (ret < 0)
		die("dp_init", ret);
	if ((ret = dp_bridge_create("br0", &br)) < 0 ||
	    (ret = dp_port_add(br, "n1", "net_null0,size=64", 1, &rx_port)) < 0 ||
	    (ret = dp_port_add(br, "n2", "net_null1,size=64", 2, &tx_port)) < 0)
		die("bridge and ports", ret);
	setup_specs();

	/* The forwarding rule: in_port=1 -> output:2, below the 5-tuple rules. */
	struct ofp_match fm;
	uint32_t in1 = htonl(1);
	struct ofp_err err;

	oxm_match_init(&fm);
	oxm_match_set(&fm, OFPXMT_OFB_IN_PORT, &in1, NULL);
	ret = dp_flow_add(br,
			  &(struct dp_flow_spec){ .priority = 10, .match = &fm, .insts = &insts_a },
			  &fwd, &err);
	if (ret < 0 || (ret = dp_commit(br)) < 0 || (ret = dp_start()) < 0)
		die("forwarding rule", ret);
	sleep(1); /* warm up */
	find_worker_clock();

	struct dp_flow **h = calloc(max_n, sizeof(*h));
	struct result *res = calloc(n_sizes, sizeof(*res));

	if (!h || !res)
		die("calloc", -ENOMEM);
	if (!json)
		printf("bench_flow_updates: TSC %.2f GHz, 1 worker busy polling, %u runs\n",
		       (double)rte_get_tsc_hz() / 1e9, runs);
	for (unsigned k = 0; k < n_sizes; k++) {
		struct result *r = &res[k];

		r->n_rules = sizes[k];
		r->n_batches = n_batches;
		memcpy(r->batches, batches, sizeof(batches));
		for (unsigned run = 0; run < runs; run++) {
			run_once(sizes[k], r, h);
			if (!json) {
				fprintf(stderr, ".");
				fflush(stderr);
			}
		}
		if (!json)
			print_text(r, runs);
	}
	if (json)
		print_json(res, n_sizes, runs);
	free(h);
	free(res);
	dp_stop();
	dp_fini();
	return 0;
}
