/* Check tests of the microflow cache (datapath/dp_cache.c) on its own: placement of
 * entries (a working set well under the capacity stays whole), staleness across
 * versions. The pipeline's use of it is tested in test_datapath.c. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "dp_cache.h"
#include "dp_pkt.h"
#include "util.h"

/* Fast key number i: distinct for distinct i, spread over every word. */
static void
fkey_of(unsigned i, struct dp_fkey *fk)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull;

	memset(fk, 0, sizeof(*fk));
	fk->w[0] = 1;
	fk->w[1] = x ^ (x >> 29);
	fk->w[3] = i;
	fk->w[4] = (uint64_t)(i & 0xffff) << 16;
}

static const struct dp_cache_path miss_path = { .n_rules = 0, .miss = true, .miss_table = 0 };

/* Inserts fast keys first..first + n - 1 at version 1 (bridge 7); each must go in. */
static void
insert_keys(struct dp_cache *c, unsigned first, unsigned n)
{
	struct dp_fkey fk;

	for (unsigned i = first; i < first + n; i++) {
		fkey_of(i, &fk);
		ck_assert_ptr_nonnull(
			dp_cache_insert_fast(c, 7, 1, &fk, dp_cache_fhash(&fk), &miss_path));
	}
}

/* How many of fast keys 0..n - 1 hit at version 1. */
static unsigned
count_hits(struct dp_cache *c, unsigned n)
{
	struct dp_fkey fk;
	unsigned hits = 0;
	bool fill;

	for (unsigned i = 0; i < n; i++) {
		fkey_of(i, &fk);
		hits += dp_cache_lookup_fast(c, 7, 1, &fk, dp_cache_fhash(&fk), &fill) != NULL;
	}
	return hits;
}

/* 10k flows in the default cache (16k fast entries): every one stays cached, cycling
 * (with one bucket choice, the ~5% that hashed to over-full buckets missed every time),
 * and a newer version sees none of them. */
START_TEST(test_working_set_stays)
{
	const unsigned N = 10000;
	struct dp_cache *c = dp_cache_create(DP_CACHE_DEFAULT_ENTRIES, SOCKET_ID_ANY);
	struct dp_cache_stats st;
	struct dp_fkey fk;
	bool fill;

	ck_assert_ptr_nonnull(c);
	/* Inserted first, not looked up: a window of misses would turn the thrash guard on. */
	insert_keys(c, 0, N);
	count_hits(c, N); /* a first round, then the flows cycle: every one hits */
	ck_assert_uint_eq(count_hits(c, N), N);
	dp_cache_get_stats(c, &st);
	ck_assert_uint_eq(st.inserts, N);
	for (unsigned i = 0; i < N; i++) {
		fkey_of(i, &fk);
		ck_assert_ptr_null(dp_cache_lookup_fast(c, 7, 2, &fk, dp_cache_fhash(&fk), &fill));
	}
	dp_cache_destroy(c);
}
END_TEST

/* Admission: 10k cached flows, then 100k one-packet flows (random headers, an attack):
 * once the buckets are full, a first miss takes no live entry's way, so every cached
 * flow still hits; a key that misses a second time gets in; after a commit the stale
 * entries are taken at once. */
START_TEST(test_admission)
{
	const unsigned N = 10000, FLOOD = 100000;
	struct dp_cache *c = dp_cache_create(DP_CACHE_DEFAULT_ENTRIES, SOCKET_ID_ANY);
	const struct dp_cache_path *path = &miss_path;
	struct dp_cache_stats st;
	struct dp_fkey fk;

	ck_assert_ptr_nonnull(c);
	insert_keys(c, 0, N);
	for (unsigned i = 0; i < FLOOD; i++) {
		fkey_of(N + i, &fk);
		dp_cache_insert_fast(c, 7, 1, &fk, dp_cache_fhash(&fk), path);
	}
	dp_cache_get_stats(c, &st);
	ck_assert_uint_gt(st.refused, FLOOD / 2);
	ck_assert_uint_eq(count_hits(c, N), N);

	/* A flood key refused once is admitted on its second miss. */
	unsigned again = 0;

	for (unsigned i = 0; i < 1000; i++) {
		fkey_of(N + FLOOD + i, &fk);
		if (dp_cache_insert_fast(c, 7, 1, &fk, dp_cache_fhash(&fk), path) == NULL) {
			ck_assert_ptr_nonnull(
				dp_cache_insert_fast(c, 7, 1, &fk, dp_cache_fhash(&fk), path));
			again++;
		}
	}
	ck_assert_uint_gt(again, 900);

	/* Version 2: every entry is stale, so a first miss takes a way. */
	for (unsigned i = 0; i < 1000; i++) {
		fkey_of(N + FLOOD + 1000 + i, &fk);
		ck_assert_ptr_nonnull(
			dp_cache_insert_fast(c, 7, 2, &fk, dp_cache_fhash(&fk), path));
	}
	dp_cache_destroy(c);
}
END_TEST

/* The hit patch's dec_ttl (dp_pkt_dec_ttl4()) writes what dp_pkt_set_nw_ttl(ttl - 1)
 * does, for every TTL and a spread of header checksums (all of them for TTLs 0-3); TTL 0
 * and 1 are refused untouched. */
START_TEST(test_dec_ttl4_exact)
{
	uint8_t a[34] = { 0 }, b[34] = { 0 };
	struct dp_pkt pa, pb;

	memset(&pa, 0, sizeof(pa));
	pa.l3 = 14;
	pa.l3_type = DP_L3_IPV4;
	pa.len = pa.frame_len = sizeof(a);
	pb = pa;
	pa.data = a;
	pb.data = b;
	for (unsigned ttl = 0; ttl < 256; ttl++)
		for (unsigned c = 0; c < 65536; c += ttl < 4 ? 1 : 13) {
			a[22] = b[22] = (uint8_t)ttl;
			a[23] = b[23] = 17;
			a[24] = b[24] = (uint8_t)(c >> 8);
			a[25] = b[25] = (uint8_t)c;
			if (ttl <= 1) {
				ck_assert_int_eq(dp_pkt_dec_ttl4(&pa), -ERANGE);
				ck_assert_uint_eq(a[22], ttl);
				ck_assert_uint_eq(a[24] << 8 | a[25], c);
				continue;
			}
			ck_assert_int_eq(dp_pkt_dec_ttl4(&pa), 0);
			ck_assert_int_eq(dp_pkt_set_nw_ttl(&pb, (uint8_t)(ttl - 1)), 0);
			if (memcmp(a, b, sizeof(a)) != 0)
				ck_abort_msg("ttl %u checksum %04x: %02x%02x, not %02x%02x", ttl, c,
					     a[24], a[25], b[24], b[25]);
		}
}
END_TEST

static Suite *
cache_suite(void)
{
	Suite *s = suite_create("dp_cache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_working_set_stays);
	tcase_add_test(tc, test_admission);
	tcase_add_test(tc, test_dec_ttl4_exact);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char *eal_argv[] = { "test_dp_cache",
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
	sr = srunner_create(cache_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
