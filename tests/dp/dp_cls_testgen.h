/* The classifier tests' common ground (test_dp_cls.c, test_dp_shape.c): deterministic
 * random numbers, a test dp_defer, random realistic rules and packets (or, with
 * prefix_family set, the prefix family), a reference copy of each rule and the
 * brute-force lookup the classifier is checked against. Static functions: include it in
 * one test file of an executable. Needs check.h and the EAL (rte_rcu_qsbr). */
#ifndef PFS_DP_CLS_TESTGEN_H
#define PFS_DP_CLS_TESTGEN_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>

#include "dp_cls.h"
#include "util.h"

/* ---- Deterministic random numbers ---------------------------------------------------- */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned
rnd_n(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

/* ---- A test dp_defer: queued calls run at a simulated grace point, or after a real
 * rte_rcu_qsbr grace period when qs is set, or at once when immediate. ------------------ */

struct tdefer_call {
	void (*fn)(void *);
	void *arg;
	uint64_t token;
};

struct tdefer {
	struct dp_defer hook;
	struct tdefer_call *q;
	size_t head, n, cap;
	struct rte_rcu_qsbr *qs;
	bool immediate;
	unsigned long queued, ran;
};

static void
tdefer_call(struct dp_defer *d, void (*fn)(void *), void *arg)
{
	struct tdefer *t = (struct tdefer *)d;

	t->queued++;
	if (t->immediate) {
		t->ran++;
		fn(arg);
		return;
	}
	if (t->head + t->n == t->cap) {
		if (t->head > 0) {
			memmove(t->q, t->q + t->head, t->n * sizeof(*t->q));
			t->head = 0;
		} else {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->q = realloc(t->q, t->cap * sizeof(*t->q));
			ck_assert_ptr_nonnull(t->q);
		}
	}
	t->q[t->head + t->n++] =
		(struct tdefer_call){ fn, arg, t->qs ? rte_rcu_qsbr_start(t->qs) : 0 };
}

static void
tdefer_init(struct tdefer *t)
{
	memset(t, 0, sizeof(*t));
	t->hook.call = tdefer_call;
}

/* Runs the calls whose grace period is over (all of them without qs: the caller says no
 * reader is active). Calls queued meanwhile wait for the next grace point. */
static void
tdefer_grace(struct tdefer *t)
{
	size_t n = t->n;

	while (n > 0 && t->n > 0) {
		struct tdefer_call c = t->q[t->head];

		if (t->qs && rte_rcu_qsbr_check(t->qs, c.token, false) != 1)
			break;
		t->head++;
		t->n--;
		n--;
		t->ran++;
		c.fn(c.arg);
	}
	if (t->n == 0)
		t->head = 0;
}

static void
tdefer_fini(struct tdefer *t)
{
	while (t->n > 0)
		tdefer_grace(t);
	free(t->q);
	t->q = NULL;
}

/* ---- Rules and packets ---------------------------------------------------------------- */

struct trule {
	struct dp_cls_rule r;
	unsigned id;
};

/* Reference copy of a rule: never freed while a test runs. */
struct rec {
	struct dp_key value, mask; /* value masked */
	uint16_t priority;
	uint64_t add_v;
	uint64_t rem_v; /* atomic in the concurrency test */
	uint8_t n_words;
	uint8_t words[DP_KEY_WORDS];
	struct trule *tr; /* NULL once freed */
};

static const uint8_t macs[8][6] = {
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x01 }, { 0x00, 0x11, 0x22, 0x33, 0x44, 0x02 },
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x03 }, { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 }, { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
};
static const uint16_t l4ports[] = { 22, 53, 80, 443, 8080, 1234 };

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

static uint32_t
rnd_ip(uint64_t *s)
{
	return 0x0a000000u | rnd_n(s, 4) << 16 | rnd_n(s, 4) << 8 | rnd_n(s, 16);
}

/* Draw rules from the prefix family (rnd_mask_prefix) instead of the realistic one. */
static bool prefix_family;

/* A packet key with every field drawn from small domains, so rules overlap. */
static void
rnd_packet_fields(uint64_t *s, struct dp_key *k)
{
	struct ofp_match_values *f = &k->f;

	memset(k, 0, sizeof(*k));
	put32(f->in_port, 1 + rnd_n(s, 4));
	memcpy(f->in_phy_port, f->in_port, 4);
	f->metadata[7] = (uint8_t)rnd_n(s, 4);
	memcpy(f->eth_dst, macs[rnd_n(s, 8)], 6);
	memcpy(f->eth_src, macs[rnd_n(s, 8)], 6);
	put16(f->eth_type, rnd_n(s, 8) ? 0x0800 : (rnd_n(s, 2) ? 0x86dd : 0x0806));
	if (rnd_n(s, 2)) {
		put16(f->vlan_vid, 0x1000 | (1 + rnd_n(s, 4)));
		f->vlan_pcp[0] = (uint8_t)rnd_n(s, 8);
	}
	f->ip_proto[0] = rnd_n(s, 3) ? 6 : 17;
	put32(f->ipv4_src, rnd_ip(s));
	put32(f->ipv4_dst, rnd_ip(s));
	put16(f->tcp_src, l4ports[rnd_n(s, 6)]);
	put16(f->tcp_dst, l4ports[rnd_n(s, 6)]);
	put16(f->udp_dst, l4ports[rnd_n(s, 6)]);
	f->ipv6_dst[0] = 0x20;
	f->ipv6_dst[1] = 0x01;
	f->ipv6_dst[7] = (uint8_t)rnd_n(s, 4);
	f->ipv6_dst[15] = (uint8_t)rnd_n(s, 4);
	if (prefix_family) { /* addresses that differ at many prefix lengths */
		f->ipv6_src[0] = 0x20;
		f->ipv6_src[1] = 0x01;
		for (unsigned i = 2; i < 16; i++)
			f->ipv6_dst[i] = (uint8_t)(rnd_n(s, 4) << (i % 7));
		f->ipv6_src[8] = (uint8_t)rnd_n(s, 4);
		put16(f->udp_src, l4ports[rnd_n(s, 6)]);
	}
}

static void
set_exact(uint8_t *m, size_t len)
{
	memset(m, 0xff, len);
}

static void
set_prefix32(uint8_t *m, unsigned len)
{
	put32(m, len ? ~0u << (32 - len) : 0);
}

/* Sets the first len bits of the n-byte field m. */
static void
set_prefix(uint8_t *m, size_t n, unsigned len)
{
	memset(m, 0, n);
	memset(m, 0xff, len / 8);
	if (len % 8)
		m[len / 8] = (uint8_t)(0xff << (8 - len % 8));
}

/* The prefix family: IPv4 source prefixes (/0 to /32, step 4) and destination prefixes
 * (/8 to /32) with L4 port masks (exact, a port prefix, none), and IPv6 destination
 * prefixes of any length from /48 (with or without a /64 source) with a masked UDP
 * port: the shapes prefix tracking and staged lookup act on; at most 837 masks. */
static void
rnd_mask_prefix(uint64_t *s, struct dp_key *m)
{
	struct ofp_match_values *f = &m->f;
	static const uint16_t port_masks[] = { 0, 0xffff, 0xff00 };

	memset(m, 0, sizeof(*m));
	set_exact(f->eth_type, 2);
	if (rnd_n(s, 4) != 0) {
		set_prefix32(f->ipv4_src, rnd_n(s, 9) * 4);
		set_prefix32(f->ipv4_dst, 8 + rnd_n(s, 25));
		put16(f->tcp_dst, port_masks[rnd_n(s, 3)]);
		if (f->tcp_dst[0] != 0)
			set_exact(f->ip_proto, 1);
	} else {
		set_prefix(f->ipv6_dst, 16, 48 + rnd_n(s, 81));
		if (rnd_n(s, 2))
			set_prefix(f->ipv6_src, 16, 64);
		set_exact(f->ip_proto, 1);
		put16(f->udp_src, 0xfff0);
	}
}

/* Realistic mask shapes: exact ports, eth addresses, VLAN, IPv4 prefixes, 5-tuples,
 * metadata, IPv6 prefixes, a table-miss. */
static void
rnd_mask(uint64_t *s, struct dp_key *m)
{
	struct ofp_match_values *f = &m->f;
	static const unsigned plen[] = { 8, 16, 24, 32 };

	if (prefix_family) {
		rnd_mask_prefix(s, m);
		return;
	}
	memset(m, 0, sizeof(*m));
	switch (rnd_n(s, 14)) {
	case 0: /* table-miss */
		break;
	case 1:
		set_exact(f->in_port, 4);
		break;
	case 2:
		set_exact(f->eth_dst, 6);
		if (rnd_n(s, 2))
			set_exact(f->in_port, 4);
		break;
	case 3:
		set_exact(f->eth_type, 2);
		set_prefix32(f->ipv4_dst, 8 + rnd_n(s, 25));
		break;
	case 4:
		set_exact(f->eth_type, 2);
		set_prefix32(f->ipv4_src, plen[1 + rnd_n(s, 3)]);
		set_prefix32(f->ipv4_dst, plen[1 + rnd_n(s, 3)]);
		break;
	case 5:
		set_exact(f->eth_type, 2);
		set_exact(f->ip_proto, 1);
		set_exact(f->tcp_dst, 2);
		break;
	case 6: /* 5-tuple */
		set_exact(f->eth_type, 2);
		set_exact(f->ip_proto, 1);
		set_exact(f->ipv4_src, 4);
		set_exact(f->ipv4_dst, 4);
		set_exact(f->tcp_src, 2);
		set_exact(f->tcp_dst, 2);
		break;
	case 7:
		set_exact(f->vlan_vid, 2);
		set_exact(f->eth_dst, 6);
		break;
	case 8: /* any VLAN tag */
		put16(f->vlan_vid, 0x1000);
		if (rnd_n(s, 2))
			set_exact(f->vlan_pcp, 1);
		break;
	case 9:
		set_exact(f->in_port, 4);
		f->metadata[7] = rnd_n(s, 2) ? 0xff : 0x01;
		break;
	case 10:
		set_exact(f->eth_type, 2);
		memset(f->ipv6_dst, 0xff, rnd_n(s, 2) ? 8 : 16);
		break;
	case 11: /* OUI */
		memset(f->eth_src, 0xff, 3);
		break;
	case 12:
		set_exact(f->eth_type, 2);
		set_exact(f->ip_proto, 1);
		set_exact(f->udp_dst, 2);
		set_prefix32(f->ipv4_dst, 24);
		break;
	default: /* mixed */
		set_exact(f->in_port, 4);
		set_exact(f->eth_type, 2);
		set_prefix32(f->ipv4_src, plen[rnd_n(s, 4)]);
		set_exact(f->tcp_dst, 2);
		break;
	}
}

static uint16_t
rnd_prio(uint64_t *s)
{
	static const uint16_t common[] = { 1, 10, 100, 1000, 32768 };

	return rnd_n(s, 10) < 7 ? common[rnd_n(s, 5)] : (uint16_t)rnd(s);
}

static void
rec_fill(struct rec *r, const struct dp_key *value, const struct dp_key *mask, uint16_t prio)
{
	memset(r, 0, sizeof(*r));
	r->priority = prio;
	r->mask = *mask;
	for (unsigned i = 0; i < DP_KEY_WORDS; i++) {
		r->value.w[i] = value->w[i] & mask->w[i];
		if (mask->w[i])
			r->words[r->n_words++] = (uint8_t)i;
	}
	r->rem_v = DP_CLS_VERSION_MAX;
}

static void
rnd_rec(uint64_t *s, struct rec *r)
{
	struct dp_key v, m;

	rnd_packet_fields(s, &v);
	rnd_mask(s, &m);
	rec_fill(r, &v, &m, rnd_prio(s));
	if (r->n_words == 0 && rnd_n(s, 2))
		r->priority = 0;
}

static struct trule *
trule_new(const struct rec *r, unsigned id)
{
	struct trule *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	t->r.value = r->value;
	/* Garbage outside the mask must be ignored. */
	for (unsigned i = 0; i < DP_KEY_WORDS; i++)
		t->r.value.w[i] |= ~r->mask.w[i] & 0x5a5a5a5a5a5a5a5aull;
	t->r.mask = r->mask;
	t->r.priority = r->priority;
	t->id = id;
	return t;
}

static bool
rec_matches(const struct rec *r, const struct dp_key *k)
{
	for (unsigned j = 0; j < r->n_words; j++) {
		unsigned i = r->words[j];

		if ((k->w[i] & r->mask.w[i]) != r->value.w[i])
			return false;
	}
	return true;
}

/* Brute force: highest priority visible match, first inserted (lowest index) on ties. */
static int
ref_lookup(const struct rec *recs, unsigned n, const struct dp_key *k, uint64_t v)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		const struct rec *r = &recs[i];
		uint64_t rem = __atomic_load_n(&r->rem_v, __ATOMIC_RELAXED);

		if (r->add_v > v || v >= rem)
			continue;
		if (best >= 0 && r->priority <= recs[best].priority)
			continue;
		if (rec_matches(r, k))
			best = (int)i;
	}
	return best;
}

/* A packet that matches rule r (its unmasked bits random), or an unrelated one. */
static void
rnd_key_for(uint64_t *s, const struct rec *recs, unsigned n, struct dp_key *k)
{
	rnd_packet_fields(s, k);
	if (n == 0 || rnd_n(s, 10) < 3)
		return;
	const struct rec *r = &recs[rnd_n(s, n)];

	for (unsigned i = 0; i < DP_KEY_WORDS; i++)
		k->w[i] = r->value.w[i] | (k->w[i] & ~r->mask.w[i]);
}

static int
result_id(const struct dp_cls_rule *r)
{
	return r ? (int)((const struct trule *)r)->id : -1;
}

/* ---- main() -------------------------------------------------------------------------- */

/* Runs the suite suite() makes under an EAL without PCI, hugepages or shared config (prog:
 * its program name): main()'s exit status, 0 if every test passed. */
static int
testgen_main(char *prog, Suite *(*suite)(void))
{
	char *eal_argv[] = { prog,
			     "--no-pci",
			     "--no-huge",
			     "--no-shconf",
			     "-l",
			     "0",
			     "--log-level=lib.eal:error",
			     NULL };
	SRunner *sr;
	int failed;

	if (rte_eal_init((int)ARRAY_SIZE(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}

#endif /* PFS_DP_CLS_TESTGEN_H */
