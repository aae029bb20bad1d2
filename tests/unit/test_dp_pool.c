/* Unit tests for datapath/dp_pool.c: sizes and alignment, reuse of freed objects, zeroing,
 * objects from many chunks staying distinct, allocation failure, fini. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp_pool.h"
#include "util.h"

START_TEST(test_alloc_free)
{
	struct dp_pool p;
	unsigned char *a, *b;

	dp_pool_init(&p, 40, 64);
	ck_assert_uint_eq(p.size, 64);
	a = dp_pool_alloc(&p);
	b = dp_pool_alloc(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq((uintptr_t)a % 64, 0);
	ck_assert_uint_eq((uintptr_t)b % 64, 0);
	ck_assert_uint_eq(p.n_live, 2);
	memset(a, 0xab, 40);
	dp_pool_free(&p, a);
	dp_pool_free(&p, NULL);
	ck_assert_uint_eq(p.n_live, 1);
	/* The last freed object comes back first, zeroed by zalloc. */
	a = dp_pool_zalloc(&p);
	for (unsigned i = 0; i < 64; i++)
		ck_assert_uint_eq(a[i], 0);
	dp_pool_free(&p, a);
	dp_pool_free(&p, b);
	ck_assert_uint_eq(p.n_live, 0);
	dp_pool_fini(&p);
	dp_pool_fini(&p); /* twice is harmless */
}
END_TEST

/* Many objects over several chunks: distinct, aligned, each keeps what was written. */
START_TEST(test_many)
{
	enum { N = 100000 };
	struct dp_pool p;
	uint64_t **v = calloc(N, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	dp_pool_init(&p, 24, 0);
	ck_assert_uint_eq(p.size, 32);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < N; i++) {
			v[i] = dp_pool_alloc(&p);
			ck_assert_ptr_nonnull(v[i]);
			ck_assert_uint_eq((uintptr_t)v[i] % 16, 0);
			v[i][0] = i;
			v[i][1] = ~(uint64_t)i;
			v[i][2] = i * 3;
		}
		for (unsigned i = 0; i < N; i++) {
			ck_assert_uint_eq(v[i][0], i);
			ck_assert_uint_eq(v[i][1], ~(uint64_t)i);
			ck_assert_uint_eq(v[i][2], i * 3);
		}
		/* Free every other one, then all: the second round reuses them. */
		for (unsigned i = 0; i < N; i += 2)
			dp_pool_free(&p, v[i]);
		for (unsigned i = 1; i < N; i += 2)
			dp_pool_free(&p, v[i]);
		ck_assert_uint_eq(p.n_live, 0);
	}
	dp_pool_fini(&p);
	free(v);
}
END_TEST

START_TEST(test_alloc_failure)
{
	struct dp_pool p;
	void *a;

	dp_pool_init(&p, 100, 8);
	pfs_alloc_fail_after(0);
	ck_assert_ptr_null(dp_pool_alloc(&p));
	ck_assert_ptr_null(dp_pool_zalloc(&p));
	pfs_alloc_fail_after(-1);
	ck_assert_uint_eq(p.n_live, 0);
	a = dp_pool_alloc(&p);
	ck_assert_ptr_nonnull(a);
	/* Objects from the current chunk and freed ones need no allocation. */
	dp_pool_free(&p, a);
	pfs_alloc_fail_after(0);
	ck_assert_ptr_eq(dp_pool_alloc(&p), a);
	ck_assert_ptr_nonnull(dp_pool_alloc(&p));
	pfs_alloc_fail_after(-1);
	dp_pool_fini(&p);
}
END_TEST

/* An object larger than the first chunk still fits in one. */
START_TEST(test_big_object)
{
	struct dp_pool p;
	char *a, *b;

	dp_pool_init(&p, 10000, 64);
	a = dp_pool_zalloc(&p);
	b = dp_pool_zalloc(&p);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	memset(a, 1, 10000);
	memset(b, 2, 10000);
	ck_assert_int_eq(a[9999], 1);
	ck_assert_int_eq(b[0], 2);
	dp_pool_fini(&p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dp_pool");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_alloc_free);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_alloc_failure);
	tcase_add_test(tc, test_big_object);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
