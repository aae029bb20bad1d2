/* Unit tests of the packet-in scheduler (ofproto/pinsched.c): round-robin fairness
 * across ports, the per-port and total bounds, push-out of the longest queue, drop
 * counters, and a random cross-check against a simple model. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinsched.h"

static void
put(struct pinsched *ps, uint32_t port, uint32_t seq, int want)
{
	uint32_t v[2] = { port, seq };

	ck_assert_int_eq(pinsched_enqueue(ps, port, v, sizeof(v)), want);
}

/* Pops the next packet and checks it is (port, seq). */
static void
take(struct pinsched *ps, uint32_t port, uint32_t seq)
{
	size_t len;
	uint32_t p;
	const uint32_t *v = pinsched_peek(ps, &len, &p);

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(p, port);
	ck_assert_uint_eq(v[0], port);
	ck_assert_uint_eq(v[1], seq);
	pinsched_pop(ps);
}

START_TEST(test_round_robin)
{
	struct pinsched *ps = pinsched_create(100, 1000);
	struct pinsched_stats st;

	ck_assert_ptr_null(pinsched_peek(ps, NULL, NULL));
	for (uint32_t i = 0; i < 50; i++)
		put(ps, 1, i, 0);
	put(ps, 3, 0, 0);
	put(ps, 3, 1, 0);
	put(ps, 0xfffffffd, 0, 0); /* OFPP_CONTROLLER (packet-out to TABLE) */
	/* The flood on port 1 has queued 50 first, yet port 3 and CONTROLLER wait one turn. */
	take(ps, 1, 0);
	take(ps, 3, 0);
	take(ps, 0xfffffffd, 0);
	take(ps, 1, 1);
	take(ps, 3, 1);
	take(ps, 1, 2);
	take(ps, 1, 3);
	pinsched_get_stats(ps, &st);
	ck_assert_uint_eq(st.n_ports, 1);
	ck_assert_uint_eq(st.n_queued, 46);
	ck_assert_uint_eq(st.queued, 53);
	ck_assert_uint_eq(st.sent, 7);
	/* A port that comes back joins at the end of the round. */
	put(ps, 3, 2, 0);
	take(ps, 1, 4);
	take(ps, 3, 2);
	take(ps, 1, 5);
	pinsched_pop(ps);
	pinsched_destroy(ps);
	pinsched_destroy(NULL);
}
END_TEST

START_TEST(test_per_port_bound)
{
	struct pinsched *ps = pinsched_create(4, 1000);
	struct pinsched_stats st;

	for (uint32_t i = 0; i < 10; i++)
		put(ps, 1, i, i < 4 ? 0 : -ENOBUFS);
	put(ps, 2, 0, 0);
	pinsched_get_stats(ps, &st);
	ck_assert_uint_eq(st.drop_port_full, 6);
	ck_assert_uint_eq(st.drop_total_full, 0);
	ck_assert_uint_eq(st.n_queued, 5);
	/* The oldest are kept (tail drop on a port's own queue). */
	take(ps, 1, 0);
	take(ps, 2, 0);
	take(ps, 1, 1);
	put(ps, 1, 100, 0);
	take(ps, 1, 2);
	take(ps, 1, 3);
	take(ps, 1, 100);
	ck_assert_ptr_null(pinsched_peek(ps, NULL, NULL));
	pinsched_get_stats(ps, &st);
	ck_assert_uint_eq(st.n_ports, 0);
	pinsched_destroy(ps);
}
END_TEST

START_TEST(test_total_bound_pushes_out_longest)
{
	struct pinsched *ps = pinsched_create(8, 10);
	struct pinsched_stats st;

	for (uint32_t i = 0; i < 8; i++)
		put(ps, 1, i, 0);
	put(ps, 2, 0, 0);
	put(ps, 2, 1, 0);
	/* Full (10): a packet from port 3 pushes out port 1's oldest, not its own. */
	put(ps, 3, 0, 0);
	pinsched_get_stats(ps, &st);
	ck_assert_uint_eq(st.n_queued, 10);
	ck_assert_uint_eq(st.drop_total_full, 1);
	take(ps, 1, 1);
	take(ps, 2, 0);
	take(ps, 3, 0);
	/* Port 1 keeps flooding: it only ever pushes out its own packets. */
	for (uint32_t i = 8; i < 100; i++)
		pinsched_enqueue(ps, 1, (uint32_t[2]){ 1, i }, 8);
	pinsched_get_stats(ps, &st);
	ck_assert_uint_le(st.n_queued, 10);
	take(ps, 1, 2);
	take(ps, 2, 1);
	pinsched_destroy(ps);
}
END_TEST

START_TEST(test_defaults_and_clamp)
{
	struct pinsched *ps = pinsched_create(0, 0);
	struct pinsched_stats st;
	unsigned ok = 0;

	for (uint32_t i = 0; i < 10000; i++)
		ok += pinsched_enqueue(ps, 7, &i, sizeof(i)) == 0;
	ck_assert_uint_eq(ok, PINSCHED_DEFAULT_PER_PORT);
	pinsched_destroy(ps);
	/* per-port above total is clamped to total; zero-length packets are fine. */
	ps = pinsched_create(50, 5);
	for (uint32_t i = 0; i < 10; i++)
		pinsched_enqueue(ps, 1, NULL, 0);
	pinsched_get_stats(ps, &st);
	ck_assert_uint_eq(st.n_queued, 5);
	ck_assert_uint_eq(st.drop_port_full, 5);
	pinsched_destroy(ps); /* frees what is still queued (ASan checks) */
}
END_TEST

/* Random enqueues/pops against a model: per port FIFO order is kept, bounds hold,
 * counters add up, and every port with packets is served within one round. */
START_TEST(test_random_model)
{
	enum { PORTS = 20, PER = 6, TOTAL = 40 };
	struct pinsched *ps = pinsched_create(PER, TOTAL);
	uint32_t next_in[PORTS] = { 0 }, next_out[PORTS] = { 0 };
	unsigned since_served[PORTS] = { 0 };
	uint64_t accepted = 0, popped = 0;
	struct pinsched_stats st;

	srandom(12345);
	for (int step = 0; step < 200000; step++) {
		if (random() % 3) {
			/* port 0 floods: 2/3 of arrivals */
			uint32_t port = random() % 3 ? 0 : 1 + random() % (PORTS - 1);
			uint32_t v[2] = { port, next_in[port] };
			int r = pinsched_enqueue(ps, port, v, sizeof(v));

			ck_assert(r == 0 || r == -ENOBUFS);
			next_in[port]++;
			accepted += r == 0;
		} else {
			size_t len;
			uint32_t port;
			const uint32_t *v = pinsched_peek(ps, &len, &port);

			if (!v)
				continue;
			ck_assert_uint_eq(v[0], port);
			/* FIFO per port, with gaps for dropped packets. */
			ck_assert_uint_ge(v[1], next_out[port]);
			next_out[port] = v[1] + 1;
			pinsched_pop(ps);
			popped++;
			for (unsigned p = 0; p < PORTS; p++)
				since_served[p]++;
			since_served[port] = 0;
		}
		pinsched_get_stats(ps, &st);
		ck_assert_uint_le(st.n_queued, TOTAL);
		ck_assert_uint_eq(st.queued, accepted);
		ck_assert_uint_eq(st.sent, popped);
		ck_assert_uint_eq(st.queued, st.sent + st.drop_total_full + st.n_queued);
		ck_assert_uint_le(st.n_ports, PORTS);
	}
	/* Draining serves every waiting port within a round of n_ports pops. */
	pinsched_get_stats(ps, &st);
	{
		unsigned n = st.n_ports, seen = 0;
		char hit[PORTS] = { 0 };

		for (unsigned i = 0; i < n; i++) {
			uint32_t port;

			ck_assert_ptr_nonnull(pinsched_peek(ps, NULL, &port));
			ck_assert(!hit[port]);
			hit[port] = 1;
			seen++;
			pinsched_pop(ps);
		}
		ck_assert_uint_eq(seen, n);
	}
	pinsched_destroy(ps);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pinsched");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_robin);
	tcase_add_test(tc, test_per_port_bound);
	tcase_add_test(tc, test_total_bound_pushes_out_longest);
	tcase_add_test(tc, test_defaults_and_clamp);
	tcase_add_test(tc, test_random_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
