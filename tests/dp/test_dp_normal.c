/* Tests of the MAC learning table (datapath/dp_normal.c): random seed per table, the
 * per-port limit, no eviction of live entries by a flood of new addresses, aging, the
 * sweep that frees expired entries and recounts ports, and flush on port removal.
 * Needs the EAL for rte_malloc (suite dp). Times are plain numbers standing for TSC. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "dp_normal.h"
#include "util.h"

static void
mac_of(uint32_t n, uint8_t m[6])
{
	m[0] = 0x02; /* locally administered unicast */
	m[1] = 0x00;
	m[2] = n >> 24;
	m[3] = n >> 16;
	m[4] = n >> 8;
	m[5] = n;
}

static const uint8_t victim[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

START_TEST(test_seed_random)
{
	struct dp_normal *a = dp_normal_create(64, 1000, 0);
	struct dp_normal *b = dp_normal_create(64, 1000, 0);
	struct dp_normal *c = dp_normal_create(64, 1000, 0);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	/* Three equal 32-bit random seeds: probability 2^-64. */
	ck_assert(dp_normal_seed(a) != dp_normal_seed(b) || dp_normal_seed(b) != dp_normal_seed(c));
	ck_assert_int_eq(dp_normal_learn(a, victim, 3, 10), 0);
	ck_assert_int_eq(dp_normal_lookup(a, victim, 20), 3);
	ck_assert_int_eq(dp_normal_lookup(b, victim, 20), -1);
	dp_normal_destroy(a);
	dp_normal_destroy(b);
	dp_normal_destroy(c);
	dp_normal_destroy(NULL);
}
END_TEST

/* A host forging 100000 source addresses (no per-port limit at all) fills every free
 * way of a small table but never pushes the victim's live binding out. */
START_TEST(test_no_eviction_of_live_entries)
{
	struct dp_normal *t = dp_normal_create(64, 1000000, 0);
	unsigned busy = 0;
	uint8_t m[6];

	ck_assert_int_eq(dp_normal_learn(t, victim, 1, 1), 0);
	for (uint32_t i = 0; i < 100000; i++) {
		int r;

		mac_of(i, m);
		r = dp_normal_learn(t, m, 2, 2 + i);
		ck_assert(r == 0 || r == -EBUSY);
		busy += r == -EBUSY;
		ck_assert_int_eq(dp_normal_lookup(t, victim, 2 + i), 1);
	}
	ck_assert_uint_gt(busy, 99000);
	ck_assert_uint_eq(dp_normal_count(t, 200000), 64);
	ck_assert_uint_eq(dp_normal_slot_count(t, 2), 63);
	/* The victim refreshes its entry; the attacker's addresses age out and new ones
	 * take their ways. */
	ck_assert_int_eq(dp_normal_learn(t, victim, 1, 900000), 0);
	mac_of(1000000, m);
	ck_assert_int_eq(dp_normal_learn(t, m, 3, 1200000), 0);
	ck_assert_int_eq(dp_normal_lookup(t, m, 1200001), 3);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 1200001), 1);
	dp_normal_destroy(t);
}
END_TEST

START_TEST(test_per_port_limit)
{
	struct dp_normal *t = dp_normal_create(8192, 1000000, 10);
	unsigned learned = 0, limited = 0;
	uint8_t m[6];

	for (uint32_t i = 0; i < 100; i++) {
		int r;

		mac_of(i, m);
		r = dp_normal_learn(t, m, 2, 1);
		learned += r == 0;
		limited += r == -ENOSPC;
	}
	ck_assert_uint_eq(learned, 10);
	ck_assert_uint_eq(limited, 90);
	ck_assert_uint_eq(dp_normal_slot_count(t, 2), 10);
	/* Refreshing a known address is not limited; other ports still learn. */
	mac_of(0, m);
	ck_assert_int_eq(dp_normal_learn(t, m, 2, 5), 0);
	ck_assert_int_eq(dp_normal_learn(t, victim, 1, 5), 0);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 6), 1);
	/* The victim's address forged on the full port 2: forgotten (flooded), not moved. */
	ck_assert_int_eq(dp_normal_learn(t, victim, 2, 7), -ENOSPC);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 8), -1);
	ck_assert_uint_eq(dp_normal_slot_count(t, 1), 0);
	ck_assert_int_eq(dp_normal_learn(t, victim, 1, 9), 0);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 10), 1);
	/* A move to a port under its limit moves the count along. */
	ck_assert_int_eq(dp_normal_learn(t, victim, 4, 11), 0);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 12), 4);
	ck_assert_uint_eq(dp_normal_slot_count(t, 1), 0);
	ck_assert_uint_eq(dp_normal_slot_count(t, 4), 1);
	/* Port removal resets the port's count. */
	dp_normal_flush_slot(t, 2);
	ck_assert_uint_eq(dp_normal_slot_count(t, 2), 0);
	mac_of(500, m);
	ck_assert_int_eq(dp_normal_learn(t, m, 2, 13), 0);
	dp_normal_destroy(t);
}
END_TEST

START_TEST(test_aging_and_sweep)
{
	struct dp_normal *t = dp_normal_create(1024, 1000, 5);
	uint8_t m[6];

	for (uint32_t i = 0; i < 5; i++) {
		mac_of(i, m);
		ck_assert_int_eq(dp_normal_learn(t, m, 2, 100), 0);
	}
	mac_of(0, m);
	ck_assert_int_eq(dp_normal_lookup(t, m, 1099), 2);
	ck_assert_int_eq(dp_normal_lookup(t, m, 1100), -1);
	/* Expired but not swept: still counted against the port. */
	mac_of(99, m);
	ck_assert_int_eq(dp_normal_learn(t, m, 2, 2000), -ENOSPC);
	/* One sweep round frees the ways and recounts: the port learns again. */
	dp_normal_sweep(t, 2000, 600);
	dp_normal_sweep(t, 2000, 600);
	ck_assert_uint_eq(dp_normal_slot_count(t, 2), 0);
	ck_assert_uint_eq(dp_normal_count(t, 2000), 0);
	ck_assert_int_eq(dp_normal_learn(t, m, 2, 2000), 0);
	/* A live entry survives the sweep and stays counted (possibly twice in the round
	 * it was learned in: the limit errs on the strict side; exact after a full one). */
	dp_normal_sweep(t, 2500, 1024);
	ck_assert_int_eq(dp_normal_lookup(t, m, 2500), 2);
	ck_assert_uint_ge(dp_normal_slot_count(t, 2), 1);
	dp_normal_sweep(t, 2500, 1024);
	ck_assert_uint_eq(dp_normal_slot_count(t, 2), 1);
	/* Refreshes keep an entry alive past its first aging period. */
	for (uint64_t now = 2000; now < 10000; now += 100)
		ck_assert_int_eq(dp_normal_learn(t, m, 2, now), 0);
	ck_assert_int_eq(dp_normal_lookup(t, m, 10000), 2);
	dp_normal_destroy(t);
}
END_TEST

struct walked {
	unsigned n;
	uint16_t slot;
	uint64_t age;
	uint8_t mac[6];
};

static void
on_entry(const uint8_t *mac, uint16_t slot, uint64_t age, void *aux)
{
	struct walked *w = aux;

	w->n++;
	w->slot = slot;
	w->age = age;
	for (int i = 0; i < 6; i++)
		w->mac[i] = mac[i];
}

/* The walk that saves the table lists live entries with their slot and age, not the
 * expired ones; an entry learned with a past time (a restore) keeps its age. */
START_TEST(test_walk)
{
	struct dp_normal *t = dp_normal_create(64, 1000, 0);
	struct walked w = { 0 };
	uint8_t m[6];

	ck_assert_int_eq(dp_normal_learn(t, victim, 5, 100), 0);
	mac_of(7, m);
	ck_assert_int_eq(dp_normal_learn(t, m, 2, 2000), 0);
	dp_normal_walk(t, 2500, on_entry, &w); /* victim expired at 1100 */
	ck_assert_uint_eq(w.n, 1);
	ck_assert_uint_eq(w.slot, 2);
	ck_assert_uint_eq(w.age, 500);
	ck_assert_int_eq(w.mac[5], 7);
	ck_assert_int_eq(w.mac[0], 0x02);
	ck_assert_int_eq(dp_normal_learn(t, victim, 4, 2500 - 300), 0);
	memset(&w, 0, sizeof(w));
	dp_normal_walk(t, 2500, on_entry, &w);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 2500), 4);
	ck_assert_int_eq(dp_normal_lookup(t, victim, 2500 + 700), -1); /* 1000 after 2200 */
	dp_normal_destroy(t);
}
END_TEST

int
main(void)
{
	char *eal_argv[] = { "test_dp_normal",
			     "--no-pci",
			     "--no-huge",
			     "--no-shconf",
			     "-l",
			     "0",
			     "--log-level=lib.eal:error",
			     NULL };
	Suite *s = suite_create("dp_normal");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (rte_eal_init((int)ARRAY_SIZE(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	tcase_add_test(tc, test_seed_random);
	tcase_add_test(tc, test_no_eviction_of_live_entries);
	tcase_add_test(tc, test_per_port_limit);
	tcase_add_test(tc, test_aging_and_sweep);
	tcase_add_test(tc, test_walk);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rte_eal_cleanup();
	return failed ? 1 : 0;
}
