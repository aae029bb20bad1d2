/* bench_cls: dp_cls lookup microbenchmark (built, not run by the test suite).
 *
 *   build/tests/bench/bench_cls [EAL args]
 *
 * For each scenario (1 rule; 10k exact 5-tuple rules; 1k wildcard rules over 20 masks;
 * 100k and 1M rules over the same 20 masks; a routing table; a staged case) it inserts
 * the rules, draws 4096 packet keys that each match some rule (unmasked bits random),
 * and times single lookups
 * (dp_cls_lookup) and burst lookups (dp_cls_lookup_bulk, 32 keys) on one core: lookups/s
 * and cycles per lookup (the thread's CPU time at the TSC rate, so that time spent
 * descheduled on a shared machine does not count), the median of 5 runs. Priorities are random, so
 * a wildcard lookup usually probes every subtable (the worst case for tuple-space search). Default
 * EAL arguments: --no-pci --no-huge --no-shconf -l 0 -m 4096 (hugepages are faster:
 * pass --in-memory instead of --no-huge --no-shconf where the machine has them).
 * Routing table: 10k IPv4 destination prefixes, lengths /8 to /32 (25 masks, eth_type
 * and ipv4_dst), priority = length; traffic goes to addresses of /8 to /12 prefixes, so a
 * lookup passes the subtables of every longer length first (prefix tracking helps).
 * Staged: 10k rules over 20 masks that all match eth_type, ip_proto and both IPv4
 * addresses exactly (50 host pairs) and differ in their L4 masks; 90% of the traffic
 * has addresses no rule has (a stage that cannot match ends the subtable early).
 * BENCH_CLS_ONLY=TEXT runs only the scenarios whose name contains TEXT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "dp_cls.h"

#define N_KEYS 4096
#define RUNS 5
#define BURST 32

struct brule {
	struct dp_cls_rule r;
};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* A TCP/IPv4 packet key with random addresses and ports. */
static void
rnd_key(uint64_t *s, struct dp_key *k)
{
	uint64_t r = rnd(s);

	memset(k, 0, sizeof(*k));
	put32(k->f.in_port, 1 + (uint32_t)(r & 7));
	memcpy(k->f.in_phy_port, k->f.in_port, 4);
	for (int i = 0; i < 6; i++) {
		k->f.eth_dst[i] = (uint8_t)(r >> (8 + i * 8));
		k->f.eth_src[i] = (uint8_t)(rnd(s) >> 3);
	}
	k->f.eth_dst[0] &= 0xfe;
	put16(k->f.eth_type, 0x0800);
	put16(k->f.vlan_vid, (uint16_t)(0x1000 | (rnd(s) & 0xff)));
	k->f.ip_proto[0] = 6;
	put32(k->f.ipv4_src, (uint32_t)rnd(s));
	put32(k->f.ipv4_dst, (uint32_t)rnd(s));
	put16(k->f.tcp_src, (uint16_t)rnd(s));
	put16(k->f.tcp_dst, (uint16_t)rnd(s));
}

static void
exact(uint8_t *m, size_t n)
{
	memset(m, 0xff, n);
}

static void
prefix32(uint8_t *m, unsigned len)
{
	put32(m, len ? ~0u << (32 - len) : 0);
}

/* Mask 0..19 of the wildcard family; -1: exact 5-tuple. */
static void
mask_of(int i, struct dp_key *m)
{
	memset(m, 0, sizeof(*m));
	exact(m->f.eth_type, 2);
	if (i < 0) {
		exact(m->f.ip_proto, 1);
		exact(m->f.ipv4_src, 4);
		exact(m->f.ipv4_dst, 4);
		exact(m->f.tcp_src, 2);
		exact(m->f.tcp_dst, 2);
	} else if (i < 8) {
		prefix32(m->f.ipv4_dst, 16 + (unsigned)i * 2);
	} else if (i < 12) {
		exact(m->f.ip_proto, 1);
		exact(m->f.tcp_dst, 2);
		prefix32(m->f.ipv4_dst, 24 + (unsigned)(i - 8) * 2);
	} else if (i < 16) {
		exact(m->f.in_port, 4);
		exact(m->f.eth_dst, 6);
		if (i & 1)
			exact(m->f.vlan_vid, 2);
		prefix32(m->f.ipv4_src, 8 * (unsigned)(i - 11));
	} else {
		exact(m->f.ip_proto, 1);
		prefix32(m->f.ipv4_src, 13 + (unsigned)i);
		exact(m->f.ipv4_dst, 4);
		exact(m->f.tcp_src, 2);
		exact(m->f.tcp_dst, 2);
	}
}

enum kind { WILD, ROUTE, STAGED };

#define ROUTE_MASKS 25 /* /8 .. /32 */
#define STAGED_PAIRS 50

/* Rule i of a routing table: eth_type and ipv4_dst/(8 + i % 25), priority = length. */
static void
route_rule(unsigned i, struct dp_cls_rule *r)
{
	unsigned len = 8 + i % ROUTE_MASKS;

	memset(&r->mask, 0, sizeof(r->mask));
	exact(r->mask.f.eth_type, 2);
	prefix32(r->mask.f.ipv4_dst, len);
	r->priority = (uint16_t)len;
}

/* Rule i of the staged case: one of STAGED_PAIRS host pairs, L4 mask i % 20. */
static void
staged_rule(uint64_t *s, unsigned i, struct dp_cls_rule *r)
{
	unsigned m = i % 20, pair = (unsigned)(rnd(s) % STAGED_PAIRS);

	memset(&r->mask, 0, sizeof(r->mask));
	exact(r->mask.f.eth_type, 2);
	exact(r->mask.f.ip_proto, 1);
	exact(r->mask.f.ipv4_src, 4);
	exact(r->mask.f.ipv4_dst, 4);
	if (m < 16) {
		put16(r->mask.f.tcp_dst, (uint16_t)(0xffff << (15 - m)));
	} else {
		exact(r->mask.f.tcp_dst, 2);
		put16(r->mask.f.tcp_src, (uint16_t)(0xffff << (4 * (19 - m))));
	}
	put32(r->value.f.ipv4_src, 0x0a000000 + pair);
	put32(r->value.f.ipv4_dst, 0x0b000000 + pair * 7);
}

static void
defer_now(struct dp_defer *d, void (*fn)(void *), void *arg)
{
	(void)d;
	fn(arg); /* no concurrent reader in this benchmark */
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This thread's CPU time in seconds: on a shared machine, time spent descheduled does
 * not count (cycles per lookup are CPU time x TSC rate). */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile uintptr_t sink;

static void
scenario(const char *name, unsigned n_rules, int n_masks, enum kind kind)
{
	const char *only = getenv("BENCH_CLS_ONLY");
	static struct dp_defer defer = { .call = defer_now };
	struct dp_cls cls;
	struct brule *rules = calloc(n_rules, sizeof(*rules));
	struct dp_key *keys = aligned_alloc(64, N_KEYS * sizeof(*keys));
	const struct dp_key *kp[N_KEYS];
	const struct dp_cls_rule *res[BURST];
	double lps[2][RUNS], cpl[2][RUNS], tsc_hz = (double)rte_get_tsc_hz();
	uint64_t s = 12345, hits = 0;
	unsigned iters;
	double t;

	if (only != NULL && strstr(name, only) == NULL) {
		free(rules);
		free(keys);
		return;
	}
	if (!rules || !keys || dp_cls_init(&cls, name, 1024, &defer) < 0) {
		fprintf(stderr, "%s: out of memory\n", name);
		exit(1);
	}
	t = now();
	for (unsigned i = 0; i < n_rules; i++) {
		struct dp_cls_rule *r = &rules[i].r;
		int ret;

		rnd_key(&s, &r->value);
		mask_of(n_masks ? (int)(i % (unsigned)n_masks) : -1, &r->mask);
		r->priority = (uint16_t)(1 + rnd(&s) % 1000);
		if (kind == ROUTE)
			route_rule(i, r);
		else if (kind == STAGED)
			staged_rule(&s, i, r);
		ret = dp_cls_insert(&cls, r, 1);
		if (ret < 0) {
			fprintf(stderr, "%s: insert %u: %s\n", name, i, strerror(-ret));
			exit(1);
		}
	}
	t = now() - t;
	for (unsigned i = 0; i < N_KEYS; i++) {
		const struct dp_cls_rule *r = &rules[rnd(&s) % n_rules].r;

		if (kind == ROUTE) /* a /8 to /12 prefix */
			r = &rules[(rnd(&s) % (n_rules / ROUTE_MASKS)) * ROUTE_MASKS + rnd(&s) % 5]
				     .r;
		rnd_key(&s, &keys[i]);
		for (unsigned w = 0; w < DP_KEY_WORDS; w++)
			keys[i].w[w] =
				(r->value.w[w] & r->mask.w[w]) | (keys[i].w[w] & ~r->mask.w[w]);
		if (kind == STAGED && i % 10 != 0) /* addresses no rule has */
			put32(keys[i].f.ipv4_src, 0x0c000000 + (uint32_t)(rnd(&s) & 0xffffff));
		kp[i] = &keys[i];
		hits += dp_cls_lookup(&cls, &keys[i], 1) != NULL;
	}
	/* About 0.2 s per run on a fast core for the cheapest case. */
	iters = n_masks > 1 ? 200 : 2000;

	for (int run = 0; run < RUNS; run++) {
		double c0, c1;
		double t0, t1;

		t0 = now();
		c0 = cpu_now();
		for (unsigned it = 0; it < iters; it++)
			for (unsigned i = 0; i < N_KEYS; i++)
				sink += (uintptr_t)dp_cls_lookup(&cls, kp[i], 1);
		c1 = cpu_now();
		t1 = now();
		lps[0][run] = (double)iters * N_KEYS / (t1 - t0);
		cpl[0][run] = (c1 - c0) * tsc_hz / ((double)iters * N_KEYS);

		t0 = now();
		c0 = cpu_now();
		for (unsigned it = 0; it < iters; it++)
			for (unsigned i = 0; i < N_KEYS; i += BURST) {
				dp_cls_lookup_bulk(&cls, &kp[i], BURST, 1, res);
				sink += (uintptr_t)res[0];
			}
		c1 = cpu_now();
		t1 = now();
		lps[1][run] = (double)iters * N_KEYS / (t1 - t0);
		cpl[1][run] = (c1 - c0) * tsc_hz / ((double)iters * N_KEYS);
	}
	for (int m = 0; m < 2; m++) {
		qsort(lps[m], RUNS, sizeof(double), cmp_double);
		qsort(cpl[m], RUNS, sizeof(double), cmp_double);
	}
	printf("%-26s %8u %5u %8.2f %8.1f %8.2f %8.1f %8.0f %6.1f%%\n", name, n_rules,
	       dp_cls_n_masks(&cls), lps[0][RUNS / 2] / 1e6, cpl[0][RUNS / 2],
	       lps[1][RUNS / 2] / 1e6, cpl[1][RUNS / 2], n_rules / t / 1e3,
	       100.0 * (double)hits / N_KEYS);
	fflush(stdout);
	dp_cls_destroy(&cls);
	free(rules);
	free(keys);
}

int
main(int argc, char **argv)
{
	char *def[] = { argv[0],       "--no-pci", "--no-huge",
			"--no-shconf", "-l",	   "0",
			"-m",	       "4096",	   "--log-level=lib.eal:error",
			NULL };
	int ret;

	if (argc > 1)
		ret = rte_eal_init(argc, argv);
	else
		ret = rte_eal_init((int)(sizeof(def) / sizeof(def[0])) - 1, def);
	if (ret < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	printf("TSC %.2f GHz; median of %d runs; %d keys; bulk = bursts of %d\n",
	       rte_get_tsc_hz() / 1e9, RUNS, N_KEYS, BURST);
	printf("%-26s %8s %5s %8s %8s %8s %8s %8s %7s\n", "scenario", "rules", "masks", "Mlk/s",
	       "cyc/lk", "bulkMl/s", "cyc/lk", "kins/s", "hit");
	scenario("1 rule (exact 5-tuple)", 1, 0, WILD);
	scenario("10k exact 5-tuple", 10000, 0, WILD);
	scenario("1k wildcard / 20 masks", 1000, 20, WILD);
	scenario("100k / 20 masks", 100000, 20, WILD);
	scenario("1M / 20 masks", 1000000, 20, WILD);
	scenario("1M exact 5-tuple", 1000000, 0, WILD);
	scenario("route 10k /8-/32", 10000, ROUTE_MASKS, ROUTE);
	scenario("staged 10k L4 / 20 masks", 10000, 20, STAGED);
	rte_eal_cleanup();
	return 0;
}
