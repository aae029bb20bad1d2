/* dp_cls: the classifier against a brute-force reference (random realistic rules and
 * packets, several seeds), version semantics, the mask and rule caps, memory given back
 * when everything is deleted, allocation failures, and lock-free readers racing a writer
 * that churns rules (rte_rcu_qsbr grace periods). Needs the EAL (rte_hash). */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_rcu_qsbr.h>

#include "dp_cls.h"
#include "dp_cls_testgen.h"
#include "util.h"

/* ---- Heap accounting: every byte rte_hash took is given back -------------------------- */

static size_t
heap_used(void)
{
	size_t total = 0;

	for (unsigned i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			total += st.heap_allocsz_bytes;
	}
	return total;
}

static void
count_mz(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned *)arg)++;
}

static unsigned
memzones(void)
{
	unsigned n = 0;

	rte_memzone_walk(count_mz, &n);
	return n;
}

/* ---- Reference tests ------------------------------------------------------------------- */

#define REF_RULES 10000
#define REF_PACKETS 10000

static void
check_against_reference(uint64_t seed)
{
	struct tdefer d;
	struct dp_cls cls;
	struct rec *recs = calloc(REF_RULES, sizeof(*recs));
	struct trule **tr = calloc(REF_RULES, sizeof(*tr));
	struct dp_key *keys = malloc(REF_PACKETS * sizeof(*keys));
	uint64_t s = seed;
	unsigned hits = 0;

	ck_assert(recs && tr && keys);
	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "ref", 1024, &d.hook), 0);
	for (unsigned i = 0; i < REF_RULES; i++) {
		rnd_rec(&s, &recs[i]);
		recs[i].add_v = 1;
		tr[i] = trule_new(&recs[i], i);
		ck_assert_int_eq(dp_cls_insert(&cls, &tr[i]->r, 1), 0);
	}
	ck_assert_uint_eq(dp_cls_n_rules(&cls), REF_RULES);
	ck_assert_uint_gt(dp_cls_n_masks(&cls), 20);

	for (unsigned p = 0; p < REF_PACKETS; p++) {
		int want;

		rnd_key_for(&s, recs, REF_RULES, &keys[p]);
		want = ref_lookup(recs, REF_RULES, &keys[p], 1);
		ck_assert_msg(result_id(dp_cls_lookup(&cls, &keys[p], 1)) == want,
			      "seed %llu packet %u: got %d want %d", (unsigned long long)seed, p,
			      result_id(dp_cls_lookup(&cls, &keys[p], 1)), want);
		ck_assert_ptr_null(dp_cls_lookup(&cls, &keys[p], 0));
		hits += want >= 0;
	}
	ck_assert_uint_gt(hits, REF_PACKETS / 2);

	/* Bulk, in bursts of several sizes (32, 64, a chunked 100, odd ones). */
	static const unsigned bursts[] = { 32, 1, 64, 100, 7, 33 };
	for (unsigned p = 0, b = 0; p < REF_PACKETS; b++) {
		const struct dp_key *kp[128];
		const struct dp_cls_rule *res[128];
		unsigned n = bursts[b % ARRAY_SIZE(bursts)];

		if (n > REF_PACKETS - p)
			n = REF_PACKETS - p;
		for (unsigned i = 0; i < n; i++)
			kp[i] = &keys[p + i];
		dp_cls_lookup_bulk(&cls, kp, n, 1, res);
		for (unsigned i = 0; i < n; i++)
			ck_assert_ptr_eq(res[i], dp_cls_lookup(&cls, kp[i], 1));
		p += n;
	}

	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < REF_RULES; i++)
		free(tr[i]);
	free(recs);
	free(tr);
	free(keys);
}

START_TEST(test_reference)
{
	check_against_reference(1 + (uint64_t)_i * 7919);
}
END_TEST

/* The same with prefix and L4-mask rules only (many masks that differ in prefix lengths
 * and port masks), so that every lookup crosses prefix boundaries. */
START_TEST(test_reference_prefixes)
{
	prefix_family = true;
	check_against_reference(3 + (uint64_t)_i * 104729);
	prefix_family = false;
}
END_TEST

/* Equal priorities: the first inserted wins, across subtables and within one node. */
START_TEST(test_tie_rule)
{
	struct tdefer d;
	struct dp_cls cls;
	struct rec r[3];
	struct trule *t[3];
	struct dp_key k, m;
	uint64_t s = 5;

	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "tie", 0, &d.hook), 0);
	rnd_packet_fields(&s, &k);
	memset(&m, 0, sizeof(m));
	set_exact(m.f.in_port, 4);
	rec_fill(&r[0], &k, &m, 100);
	set_exact(m.f.eth_dst, 6);
	rec_fill(&r[1], &k, &m, 100); /* other subtable, same priority, overlaps */
	rec_fill(&r[2], &k, &m, 100); /* same subtable and node as r[1] */
	for (unsigned i = 0; i < 3; i++) {
		t[i] = trule_new(&r[i], i);
		ck_assert_int_eq(dp_cls_insert(&cls, &t[i]->r, 1), 0);
	}
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 1)), 0);
	dp_cls_remove(&cls, &t[0]->r, 2);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 1)), 0);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 2)), 1);
	dp_cls_purge(&cls, 2);
	tdefer_grace(&d);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 2)), 1);
	dp_cls_remove(&cls, &t[1]->r, 3);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 3)), 2);
	/* A later insert of a higher priority in the first subtable takes over. */
	m = r[0].mask;
	rec_fill(&r[0], &k, &m, 101);
	free(t[0]);
	t[0] = trule_new(&r[0], 7);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[0]->r, 4), 0);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 3)), 2);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 4)), 7);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < 3; i++)
		free(t[i]);
}
END_TEST

/* Replacement at one version: old below it, new from it on, never neither nor both. */
START_TEST(test_replace)
{
	struct tdefer d;
	struct dp_cls cls;
	struct rec r;
	struct trule *old, *new, *low;
	struct dp_key k, m;
	uint64_t s = 9;

	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "replace", 0, &d.hook), 0);
	rnd_packet_fields(&s, &k);
	memset(&m, 0, sizeof(m));
	rec_fill(&r, &k, &m, 0);
	low = trule_new(&r, 99); /* table-miss under it */
	ck_assert_int_eq(dp_cls_insert(&cls, &low->r, 1), 0);
	set_exact(m.f.ipv4_dst, 4);
	rec_fill(&r, &k, &m, 500);
	old = trule_new(&r, 1);
	new = trule_new(&r, 2);
	ck_assert_int_eq(dp_cls_insert(&cls, &old->r, 1), 0);
	dp_cls_remove(&cls, &old->r, 5);
	ck_assert_int_eq(dp_cls_insert(&cls, &new->r, 5), 0);
	ck_assert_ptr_null(old->r.entry);
	for (uint64_t v = 1; v < 5; v++)
		ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, v)), 1);
	for (uint64_t v = 5; v < 9; v++)
		ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, v)), 2);
	ck_assert_uint_eq(dp_cls_n_rules(&cls), 2);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), 3);
	/* Not purgeable while a reader may still be at 4. */
	dp_cls_purge(&cls, 4);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), 3);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 4)), 1);
	dp_cls_purge(&cls, 5);
	tdefer_grace(&d);
	free(old);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), 2);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 5)), 2);
	/* Removed and inserted at the same version: never visible. */
	dp_cls_remove(&cls, &new->r, 6);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 6)), 99);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 5)), 2);
	/* Errors. */
	ck_assert_int_eq(dp_cls_insert(&cls, &low->r, 7), -EINVAL);
	dp_cls_remove(&cls, &new->r, 8); /* already removed: ignored */
	ck_assert_uint_eq(new->r.remove_version, 6);
	ck_assert_int_eq(dp_cls_insert(&cls, &new->r, DP_CLS_VERSION_MAX), -EINVAL);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	free(new);
	free(low);
}
END_TEST

/* Interleaved inserts and removes at many versions; lookups at every version readers may
 * still use see exactly that version's rules; purges keep that true. */
START_TEST(test_versions)
{
	enum { N_OPS = 12000, N_KEYS = 300 };
	struct tdefer d;
	struct dp_cls cls;
	struct rec *recs = calloc(N_OPS, sizeof(*recs));
	unsigned *live = calloc(N_OPS, sizeof(*live));
	struct dp_key *keys = malloc(N_KEYS * sizeof(*keys));
	unsigned n = 0, n_live = 0;
	uint64_t s = 77 + (uint64_t)_i, v = 1, oldest = 1;

	ck_assert(recs && live && keys);
	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "versions", 1024, &d.hook), 0);
	for (unsigned op = 0; op < N_OPS; op++) {
		if (n_live > 0 && rnd_n(&s, 10) < 4) {
			unsigned j = rnd_n(&s, n_live);
			struct rec *r = &recs[live[j]];

			dp_cls_remove(&cls, &r->tr->r, v);
			r->rem_v = v;
			live[j] = live[--n_live];
		} else {
			struct rec *r = &recs[n];

			rnd_rec(&s, r);
			r->add_v = v;
			r->tr = trule_new(r, n);
			ck_assert_int_eq(dp_cls_insert(&cls, &r->tr->r, v), 0);
			live[n_live++] = n++;
		}
		if (rnd_n(&s, 40) == 0)
			v++; /* publish */
		if (rnd_n(&s, 400) == 0 || op == N_OPS - 1) {
			/* Check every version a reader may still use, then let readers move
			 * on to v - 1 and purge. */
			for (unsigned q = 0; q < N_KEYS; q++) {
				uint64_t qv = oldest + rnd_n(&s, (unsigned)(v - oldest + 1));

				rnd_key_for(&s, recs, n, &keys[q]);
				ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &keys[q], qv)),
						 ref_lookup(recs, n, &keys[q], qv));
			}
			oldest = v > 1 ? v - 1 : 1;
			dp_cls_purge(&cls, oldest);
			tdefer_grace(&d);
			for (unsigned i = 0; i < n; i++) {
				if (recs[i].tr && recs[i].rem_v <= oldest) {
					free(recs[i].tr);
					recs[i].tr = NULL;
				}
			}
		}
	}
	ck_assert_uint_eq(dp_cls_n_rules(&cls), n_live);
	for (unsigned i = 0; i < n; i++)
		if (recs[i].tr && recs[i].rem_v == DP_CLS_VERSION_MAX)
			dp_cls_remove(&cls, &recs[i].tr->r, v);
	dp_cls_purge(&cls, v);
	tdefer_grace(&d);
	ck_assert_uint_eq(dp_cls_n_masks(&cls), 0);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), 0);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < n; i++)
		free(recs[i].tr);
	free(recs);
	free(live);
	free(keys);
}
END_TEST

/* ---- Caps ------------------------------------------------------------------------------ */

START_TEST(test_mask_cap)
{
	struct tdefer d;
	struct dp_cls cls;
	struct trule *t[8];
	struct rec r;
	struct dp_key k, m;
	uint64_t s = 3;

	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "cap", 4, &d.hook), 0);
	rnd_packet_fields(&s, &k);
	for (unsigned i = 0; i < 6; i++) {
		memset(&m, 0, sizeof(m));
		set_exact(m.f.eth_type, 2);
		set_prefix32(m.f.ipv4_dst, 8 + i); /* a distinct mask each */
		rec_fill(&r, &k, &m, (uint16_t)(10 + i));
		t[i] = trule_new(&r, i);
		ck_assert_int_eq(dp_cls_insert(&cls, &t[i]->r, 1), i < 4 ? 0 : -ENOSPC);
	}
	ck_assert_ptr_null(t[4]->r.entry);
	ck_assert_uint_eq(dp_cls_n_masks(&cls), 4);
	ck_assert_uint_eq(dp_cls_n_rules(&cls), 4);
	ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 1)), 3);
	/* An existing mask is still accepted. */
	memset(&m, 0, sizeof(m));
	set_exact(m.f.eth_type, 2);
	set_prefix32(m.f.ipv4_dst, 8);
	k.f.ipv4_dst[3] ^= 1;
	rec_fill(&r, &k, &m, 1);
	t[6] = trule_new(&r, 6);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[6]->r, 1), 0);
	/* A removed mask counts until purged, then frees its place. */
	dp_cls_remove(&cls, &t[3]->r, 2);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[4]->r, 2), -ENOSPC);
	dp_cls_purge(&cls, 2);
	ck_assert_uint_eq(dp_cls_n_masks(&cls), 3);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[4]->r, 2), 0);
	ck_assert_uint_eq(dp_cls_n_masks(&cls), 4);
	/* Rule cap. */
	dp_cls_set_max_rules(&cls, 5);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[5]->r, 2), -ENOSPC);
	memset(&m, 0, sizeof(m));
	set_exact(m.f.eth_type, 2);
	set_prefix32(m.f.ipv4_dst, 9);
	k.f.ipv4_dst[3] ^= 2;
	rec_fill(&r, &k, &m, 1);
	t[7] = trule_new(&r, 7);
	ck_assert_uint_eq(dp_cls_n_rules(&cls), 5);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[7]->r, 2), -ENOSPC);
	dp_cls_set_max_rules(&cls, 0);
	ck_assert_int_eq(dp_cls_insert(&cls, &t[7]->r, 2), 0);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < 8; i++)
		free(t[i]);
}
END_TEST

/* ---- Memory ---------------------------------------------------------------------------- */

/* Deleting everything leaves no subtable and gives every byte back once the deferred
 * calls ran (LeakSanitizer checks that at exit); the classifier never takes rte_malloc
 * memory or a memzone, full or empty. Grows tables far past their initial size on the
 * way. */
static void
delete_all(bool immediate)
{
	enum { N = 6000 };
	struct tdefer d;
	struct dp_cls cls;
	struct rec r;
	struct trule **t = calloc(N, sizeof(*t));
	size_t heap0 = heap_used();
	unsigned mz0 = memzones();
	uint64_t s = 11;

	ck_assert_ptr_nonnull(t);
	tdefer_init(&d);
	d.immediate = immediate;
	ck_assert_int_eq(dp_cls_init(&cls, "delete", 0, &d.hook), 0);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < N; i++) {
			rnd_rec(&s, &r);
			t[i] = trule_new(&r, i);
			ck_assert_int_eq(dp_cls_insert(&cls, &t[i]->r, 1 + round * 2), 0);
		}
		ck_assert_uint_gt(dp_cls_n_masks(&cls), 20);
		ck_assert_uint_eq(memzones(), mz0);
		ck_assert_uint_eq(heap_used(), heap0);
		/* Remove in two versions, purging in between. */
		for (unsigned i = 0; i < N; i += 2)
			dp_cls_remove(&cls, &t[i]->r, 2 + round * 2);
		dp_cls_purge(&cls, 2 + round * 2);
		tdefer_grace(&d);
		for (unsigned i = 1; i < N; i += 2)
			dp_cls_remove(&cls, &t[i]->r, 3 + round * 2);
		ck_assert_uint_eq(dp_cls_n_rules(&cls), 0);
		dp_cls_purge(&cls, 3 + round * 2);
		ck_assert_uint_eq(dp_cls_n_masks(&cls), 0);
		ck_assert_uint_eq(dp_cls_n_linked(&cls), 0);
		tdefer_grace(&d);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_uint_eq(d.queued, d.ran);
		ck_assert_uint_eq(memzones(), mz0);
		ck_assert_uint_eq(heap_used(), heap0);
		for (unsigned i = 0; i < N; i++)
			free(t[i]);
	}
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	free(t);
}

/* Many masks in one process: 3 classifiers of 1500 masks each (4500 subtables, more than
 * the EAL's 2560 memzones would have allowed with one rte_hash per subtable), every
 * lookup checked against the brute-force reference, single and bulk. */
START_TEST(test_many_masks)
{
	enum { N_CLS = 3, N_MASKS = 1500, N_PKTS = 3000 };
	struct tdefer d;
	struct dp_cls cls[N_CLS];
	struct rec *recs = calloc(N_MASKS, sizeof(*recs));
	struct trule **tr = calloc(N_CLS * N_MASKS, sizeof(*tr));
	unsigned mz0 = memzones();
	uint64_t s = 77;
	unsigned hits = 0;

	ck_assert(recs && tr);
	for (unsigned i = 0; i < N_MASKS; i++) {
		struct dp_key v, m;

		/* Mask i: source prefix i % 33, destination prefix (i / 33) % 33, TCP
		 * destination port exact or not: all distinct below 2178. */
		rnd_packet_fields(&s, &v);
		memset(&m, 0, sizeof(m));
		set_exact(m.f.eth_type, 2);
		set_prefix32(m.f.ipv4_src, i % 33);
		set_prefix32(m.f.ipv4_dst, (i / 33) % 33);
		if (i >= 33 * 33)
			set_exact(m.f.tcp_dst, 2);
		rec_fill(&recs[i], &v, &m, rnd_prio(&s));
		recs[i].add_v = 1;
	}
	tdefer_init(&d);
	for (unsigned c = 0; c < N_CLS; c++) {
		ck_assert_int_eq(dp_cls_init(&cls[c], "many", 2 * N_MASKS, &d.hook), 0);
		for (unsigned i = 0; i < N_MASKS; i++) {
			tr[c * N_MASKS + i] = trule_new(&recs[i], i);
			ck_assert_int_eq(dp_cls_insert(&cls[c], &tr[c * N_MASKS + i]->r, 1), 0);
		}
		ck_assert_uint_eq(dp_cls_n_masks(&cls[c]), N_MASKS);
	}
	ck_assert_uint_eq(memzones(), mz0);
	/* The classifiers hold the same rules: check them all. */
	for (unsigned p = 0; p < N_PKTS; p++) {
		const struct dp_key *kp[1];
		const struct dp_cls_rule *res[1];
		struct dp_key k;
		int want;

		rnd_key_for(&s, recs, N_MASKS, &k);
		want = ref_lookup(recs, N_MASKS, &k, 1);
		kp[0] = &k;
		for (unsigned c = 0; c < N_CLS; c++) {
			ck_assert_int_eq(result_id(dp_cls_lookup(&cls[c], &k, 1)), want);
			dp_cls_lookup_bulk(&cls[c], kp, 1, 1, res);
			ck_assert_int_eq(result_id(res[0]), want);
		}
		hits += want >= 0;
	}
	ck_assert_uint_gt(hits, N_PKTS / 2);
	for (unsigned c = 0; c < N_CLS; c++)
		dp_cls_destroy(&cls[c]);
	tdefer_fini(&d);
	for (unsigned i = 0; i < N_CLS * N_MASKS; i++)
		free(tr[i]);
	free(recs);
	free(tr);
}
END_TEST

/* The host filter across subtables (masks that cover an IPv4 address whole: an ACL's
 * hosts) through churn: rounds that insert on new and old masks, remove every rule of
 * some masks (whose filter indexes are then given to new masks) and some at random,
 * purge, and grow the filter past thousands of hosts; more than 64 such masks in all,
 * so some have no index. Every round's lookups, single and bulk, against the brute-force
 * reference. */
START_TEST(test_host_filter_churn)
{
	enum { N = 6000, ROUNDS = 6, PKTS = 3000 };
	struct tdefer d;
	struct dp_cls cls;
	struct rec *recs = calloc(N, sizeof(*recs));
	struct trule **tr = calloc(N, sizeof(*tr));
	uint8_t *plen = calloc(N, 1);
	uint64_t s = 4242, v = 1;
	unsigned n = 0, hits = 0, masks_max = 0;

	ck_assert(recs && tr && plen);
	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "hosts", 1024, &d.hook), 0);
	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned i = 0; i < N / ROUNDS; i++, n++) {
			struct dp_key val, m;

			/* One address exact (the destination, or the source one time in four),
			 * the other a prefix; masks shift with the rounds. */
			rnd_packet_fields(&s, &val);
			memset(&m, 0, sizeof(m));
			set_exact(m.f.eth_type, 2);
			plen[n] = (uint8_t)((round * 5 + rnd_n(&s, 16)) % 33);
			if (rnd_n(&s, 4)) {
				set_exact(m.f.ipv4_dst, 4);
				set_prefix32(m.f.ipv4_src, plen[n]);
			} else {
				set_exact(m.f.ipv4_src, 4);
				set_prefix32(m.f.ipv4_dst, plen[n]);
			}
			if (rnd_n(&s, 3) == 0)
				set_exact(m.f.tcp_dst, 2);
			rec_fill(&recs[n], &val, &m, rnd_prio(&s));
			recs[n].add_v = v + 1;
			tr[n] = trule_new(&recs[n], n);
			ck_assert_int_eq(dp_cls_insert(&cls, &tr[n]->r, v + 1), 0);
		}
		v++;
		if (dp_cls_n_masks(&cls) > masks_max)
			masks_max = dp_cls_n_masks(&cls);
		/* Every rule of the prefix lengths of this round's residue (whole masks go),
		 * and one in ten of the rest. */
		for (unsigned i = 0; i < n; i++) {
			if (recs[i].rem_v != DP_CLS_VERSION_MAX)
				continue;
			if (plen[i] % 4 == round % 4 || rnd_n(&s, 10) == 0) {
				dp_cls_remove(&cls, &tr[i]->r, v + 1);
				recs[i].rem_v = v + 1;
			}
		}
		v++;
		dp_cls_purge(&cls, v);
		tdefer_grace(&d);

		for (unsigned p = 0; p < PKTS; p += 32) {
			const struct dp_key *kp[32];
			const struct dp_cls_rule *res[32];
			struct dp_key k[32];

			for (unsigned i = 0; i < 32; i++) {
				int want;

				rnd_key_for(&s, recs, n, &k[i]);
				kp[i] = &k[i];
				want = ref_lookup(recs, n, &k[i], v);
				ck_assert_msg(result_id(dp_cls_lookup(&cls, &k[i], v)) == want,
					      "round %u packet %u: got %d want %d", round, p + i,
					      result_id(dp_cls_lookup(&cls, &k[i], v)), want);
				hits += want >= 0;
			}
			dp_cls_lookup_bulk(&cls, kp, 32, v, res);
			for (unsigned i = 0; i < 32; i++)
				ck_assert_int_eq(result_id(res[i]), ref_lookup(recs, n, &k[i], v));
		}
	}
	ck_assert_uint_gt(hits, ROUNDS * PKTS / 3);
	ck_assert_uint_gt(masks_max, 64); /* some masks had no filter index */
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < n; i++)
		free(tr[i]);
	free(recs);
	free(tr);
	free(plen);
}
END_TEST

START_TEST(test_delete_all_frees)
{
	delete_all(false);
	delete_all(true);
}
END_TEST

/* dp_cls_destroy() with rules still inside gives everything back too. */
START_TEST(test_destroy_nonempty)
{
	enum { N = 3000 };
	struct tdefer d;
	struct dp_cls cls;
	struct rec r;
	struct trule **t = calloc(N, sizeof(*t));
	size_t heap0 = heap_used();
	uint64_t s = 12;

	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "destroy", 0, &d.hook), 0);
	for (unsigned i = 0; i < N; i++) {
		rnd_rec(&s, &r);
		t[i] = trule_new(&r, i);
		ck_assert_int_eq(dp_cls_insert(&cls, &t[i]->r, 1), 0);
	}
	for (unsigned i = 0; i < N; i += 3)
		dp_cls_remove(&cls, &t[i]->r, 2);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	ck_assert_uint_eq(heap_used(), heap0);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_ptr_null(t[i]->r.entry);
		free(t[i]);
	}
	free(t);
	dp_cls_destroy(NULL);
}
END_TEST

/* Every allocation of an insert failing in turn (new mask, grown table, pool chunk,
 * array): -ENOMEM, nothing changed. */
START_TEST(test_alloc_failure)
{
	enum { N = 400 };
	struct tdefer d;
	struct dp_cls cls;
	struct rec *recs = calloc(N, sizeof(*recs));
	struct trule **t = calloc(N, sizeof(*t));
	uint64_t s = 21;
	unsigned failures = 0;

	tdefer_init(&d);
	ck_assert_int_eq(dp_cls_init(&cls, "nomem", 0, &d.hook), 0);
	for (unsigned i = 0; i < N; i++) {
		rnd_rec(&s, &recs[i]);
		recs[i].add_v = 1;
		t[i] = trule_new(&recs[i], i);
		for (long fail = 0;; fail++) {
			unsigned masks = dp_cls_n_masks(&cls);
			int ret;

			pfs_alloc_fail_after(fail);
			ret = dp_cls_insert(&cls, &t[i]->r, 1);
			pfs_alloc_fail_after(-1);
			if (ret == 0)
				break;
			ck_assert_int_eq(ret, -ENOMEM);
			ck_assert_ptr_null(t[i]->r.entry);
			ck_assert_uint_eq(dp_cls_n_rules(&cls), i);
			ck_assert_uint_eq(dp_cls_n_masks(&cls), masks);
			failures++;
		}
	}
	/* Entries and nodes come from pools, so most inserts allocate nothing; each new
	 * mask allocates at least once (subtable, hash table, array). */
	ck_assert_uint_ge(failures, dp_cls_n_masks(&cls));
	for (unsigned p = 0; p < 2000; p++) {
		struct dp_key k;

		rnd_key_for(&s, recs, N, &k);
		ck_assert_int_eq(result_id(dp_cls_lookup(&cls, &k, 1)), ref_lookup(recs, N, &k, 1));
	}
	/* A purge that cannot allocate does nothing; the next one does the work. */
	for (unsigned i = 0; i < N; i++)
		dp_cls_remove(&cls, &t[i]->r, 2);
	pfs_alloc_fail_after(0);
	dp_cls_purge(&cls, 2);
	pfs_alloc_fail_after(-1);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), N);
	dp_cls_purge(&cls, 2);
	ck_assert_uint_eq(dp_cls_n_linked(&cls), 0);
	ck_assert_uint_eq(dp_cls_n_masks(&cls), 0);
	dp_cls_destroy(&cls);
	tdefer_fini(&d);
	for (unsigned i = 0; i < N; i++)
		free(t[i]);
	free(recs);
	free(t);
}
END_TEST

/* ---- Concurrency ------------------------------------------------------------------------ */

enum { CC_INITIAL = 2000, CC_MAX_RECS = 60000, CC_BATCH = 6, CC_BURST = 64, CC_HOT = 256 };

/* A short-lived rule with one of 64 masks (a metadata prefix), so the
 * writer keeps creating and dropping subtables under the reader. */
static void
rnd_rare_rec(uint64_t *s, struct rec *r)
{
	struct dp_key v, m;
	unsigned len = 1 + rnd_n(s, 64);
	uint64_t md = rnd(s), mm = len == 64 ? UINT64_MAX : ~(UINT64_MAX >> len);

	rnd_packet_fields(s, &v);
	memset(&m, 0, sizeof(m));
	set_exact(m.f.in_port, 4);
	for (unsigned i = 0; i < 8; i++) {
		v.f.metadata[i] = (uint8_t)(md >> (56 - 8 * i));
		m.f.metadata[i] = (uint8_t)(mm >> (56 - 8 * i));
	}
	rec_fill(r, &v, &m, rnd_prio(s));
}

/* Mostly keys for recent rules (the ones the writer churns). */
static void
rnd_hot_key(uint64_t *s, const struct rec *recs, unsigned n, struct dp_key *k)
{
	if (n > CC_HOT && rnd_n(s, 10) < 7)
		rnd_key_for(s, recs + n - CC_HOT, CC_HOT, k);
	else
		rnd_key_for(s, recs, n, k);
}

struct cc {
	struct dp_cls cls;
	struct tdefer d;
	struct rte_rcu_qsbr *qs;
	struct rec *recs;
	unsigned n_recs;  /* atomic: records published (release) */
	uint64_t version; /* atomic: published version */
	bool stop;	  /* atomic */
	unsigned long checks, full_checks, errors, hits;
};

static void *
cc_reader(void *arg)
{
	struct cc *c = arg;
	uint64_t s = 4242;
	cpu_set_t all;

	/* The EAL pinned the main thread (and so this one) to lcore 0: run beside it. */
	CPU_ZERO(&all);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);

	rte_rcu_qsbr_thread_register(c->qs, 0);
	rte_rcu_qsbr_thread_online(c->qs, 0);
	for (unsigned long iter = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); iter++) {
		uint64_t v = __atomic_load_n(&c->version, __ATOMIC_ACQUIRE);
		unsigned n = __atomic_load_n(&c->n_recs, __ATOMIC_ACQUIRE);
		struct dp_key keys[CC_BURST];
		const struct dp_key *kp[CC_BURST];
		const struct dp_cls_rule *res[CC_BURST];

		for (unsigned i = 0; i < CC_BURST; i++) {
			rnd_hot_key(&s, c->recs, n, &keys[i]);
			kp[i] = &keys[i];
		}
		dp_cls_lookup_bulk(&c->cls, kp, CC_BURST, v, res);
		for (unsigned i = 0; i < CC_BURST; i++) {
			/* Reads the caller's rule: ASan sees a freed one. */
			int got = result_id(res[i]);
			const struct rec *r = got >= 0 ? &c->recs[got] : NULL;

			__atomic_fetch_add(&c->checks, 1, __ATOMIC_RELAXED);
			c->hits += r != NULL && r->priority > 0;
			/* Every result: a rule visible at v that matches. */
			if (r != NULL &&
			    (r->add_v > v || v >= __atomic_load_n(&r->rem_v, __ATOMIC_RELAXED) ||
			     !rec_matches(r, kp[i])))
				c->errors++;
			/* Some: exactly the winner (single and bulk agree with brute force). */
			if (i == 0 && iter % 16 == 0) {
				int single = result_id(dp_cls_lookup(&c->cls, kp[i], v));
				int want = ref_lookup(c->recs, n, kp[i], v);

				c->full_checks++;
				if (got != want || single != want)
					c->errors++;
			}
		}
		rte_rcu_qsbr_quiescent(c->qs, 0);
	}
	rte_rcu_qsbr_thread_offline(c->qs, 0);
	rte_rcu_qsbr_thread_unregister(c->qs, 0);
	return NULL;
}

static void
free_cb(void *p)
{
	free(p);
}

struct pending_purge {
	uint64_t version, token;
};

START_TEST(test_concurrent_readers)
{
	struct cc *c = calloc(1, sizeof(*c));
	size_t qsz = rte_rcu_qsbr_get_memsize(1);
	struct pending_purge pp[64];
	unsigned n_pp = 0, iters = 0, mask_changes = 0, masks = 0, rare[64], n_rare = 0;
	uint64_t s = 99, v;
	struct timespec t0, t1;
	pthread_t th;

	ck_assert_ptr_nonnull(c);
	c->qs = calloc(1, qsz);
	c->recs = calloc(CC_MAX_RECS, sizeof(*c->recs));
	ck_assert(c->qs && c->recs);
	ck_assert_int_eq(rte_rcu_qsbr_init(c->qs, 1), 0);
	tdefer_init(&c->d);
	c->d.qs = c->qs;
	ck_assert_int_eq(dp_cls_init(&c->cls, "cc", 1024, &c->d.hook), 0);
	v = 1;
	for (unsigned i = 0; i < CC_INITIAL; i++) {
		struct rec *r = &c->recs[i];

		rnd_rec(&s, r);
		r->add_v = v;
		r->tr = trule_new(r, i);
		ck_assert_int_eq(dp_cls_insert(&c->cls, &r->tr->r, v), 0);
	}
	c->n_recs = CC_INITIAL;
	c->version = v;
	ck_assert_int_eq(pthread_create(&th, NULL, cc_reader, c), 0);

	/* Churn only once the reader runs (bounded wait: a loaded machine may be slow). */
	for (int i = 0; i < 5000 && __atomic_load_n(&c->checks, __ATOMIC_RELAXED) == 0; i++)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		unsigned n = c->n_recs;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (n + CC_BATCH > CC_MAX_RECS ||
		    (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec > 3000000000L)
			break;
		/* Stage a batch at v + 1: remove some rules (random, some just added), add
		 * new ones, sometimes replace a rule by an equal one. */
		struct trule *removed[2 * CC_BATCH + 8];
		unsigned n_removed = 0;

		/* Rare-mask rules live two versions. */
		while (n_rare > 0 && c->recs[rare[0]].add_v + 2 <= v + 1) {
			struct rec *r = &c->recs[rare[0]];

			if (r->tr != NULL && r->rem_v == DP_CLS_VERSION_MAX) {
				dp_cls_remove(&c->cls, &r->tr->r, v + 1);
				__atomic_store_n(&r->rem_v, v + 1, __ATOMIC_RELAXED);
				removed[n_removed++] = r->tr;
				r->tr = NULL;
			}
			memmove(rare, rare + 1, --n_rare * sizeof(rare[0]));
			if (n_removed >= CC_BATCH + 8)
				break;
		}

		for (unsigned b = 0; b < CC_BATCH; b++) {
			struct rec *r =
				&c->recs[rnd_n(&s, 2) ? n - 1 - rnd_n(&s, CC_HOT) : rnd_n(&s, n)];

			if (r->tr != NULL && r->rem_v == DP_CLS_VERSION_MAX) {
				dp_cls_remove(&c->cls, &r->tr->r, v + 1);
				__atomic_store_n(&r->rem_v, v + 1, __ATOMIC_RELAXED);
				removed[n_removed++] = r->tr;
				r->tr = NULL; /* freed below, after a grace period */
			}
			r = &c->recs[n];
			if (rnd_n(&s, 3) == 0 && n_rare < ARRAY_SIZE(rare)) {
				rnd_rare_rec(&s, r);
				rare[n_rare++] = n;
			} else
				rnd_rec(&s, r);
			r->add_v = v + 1;
			r->tr = trule_new(r, n);
			ck_assert_int_eq(dp_cls_insert(&c->cls, &r->tr->r, v + 1), 0);
			n++;
		}
		__atomic_store_n(&c->n_recs, n, __ATOMIC_RELEASE);
		__atomic_store_n(&c->version, ++v, __ATOMIC_RELEASE);
		/* Rules removed at v are freed once no reader can be below v, and purged
		 * then too. */
		for (unsigned i = 0; i < n_removed; i++)
			tdefer_call(&c->d.hook, free_cb, removed[i]);
		if (n_pp < ARRAY_SIZE(pp))
			pp[n_pp++] = (struct pending_purge){ v, rte_rcu_qsbr_start(c->qs) };
		while (n_pp > 0 && rte_rcu_qsbr_check(c->qs, pp[0].token, false) == 1) {
			dp_cls_purge(&c->cls, pp[0].version);
			memmove(pp, pp + 1, --n_pp * sizeof(pp[0]));
		}
		tdefer_grace(&c->d);
		mask_changes += dp_cls_n_masks(&c->cls) != masks;
		masks = dp_cls_n_masks(&c->cls);
		iters++;
	}
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	fprintf(stderr,
		"concurrent: %u writer batches (versions), %u changed the mask count, %lu lookups "
		"checked (%lu against the reference), %lu hits, %lu errors, %lu deferred calls\n",
		iters, mask_changes, c->checks, c->full_checks, c->hits, c->errors, c->d.ran);
	ck_assert_uint_eq(c->errors, 0);
	ck_assert_uint_gt(c->full_checks, 20);
	ck_assert_uint_gt(c->hits, c->checks / 4);
	ck_assert_uint_gt(iters, 100);
	/* Masks come and go only as purges follow grace periods, which wait for the reader
	 * thread, so how many batches change them depends on how the two threads are
	 * scheduled (a third of them on an idle 2-core machine, a twentieth under heavy
	 * load): the test only needs enough of them to have raced the reader. */
	ck_assert_uint_gt(mask_changes, 50);

	dp_cls_purge(&c->cls, v);
	tdefer_fini(&c->d);
	dp_cls_destroy(&c->cls);
	for (unsigned i = 0; i < c->n_recs; i++)
		free(c->recs[i].tr);
	free(c->recs);
	free(c->qs);
	free(c);
}
END_TEST

/* ---- Main ------------------------------------------------------------------------------- */

static Suite *
cls_suite(void)
{
	Suite *s = suite_create("dp_cls");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, test_reference, 0, 4);
	tcase_add_loop_test(tc, test_reference_prefixes, 0, 3);
	tcase_add_test(tc, test_tie_rule);
	tcase_add_test(tc, test_replace);
	tcase_add_loop_test(tc, test_versions, 0, 2);
	tcase_add_test(tc, test_mask_cap);
	tcase_add_test(tc, test_delete_all_frees);
	tcase_add_test(tc, test_many_masks);
	tcase_add_test(tc, test_host_filter_churn);
	tcase_add_test(tc, test_destroy_nonempty);
	tcase_add_test(tc, test_alloc_failure);
	tcase_add_test(tc, test_concurrent_readers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testgen_main("test_dp_cls", cls_suite);
}
