/* Unit tests for lib/idtable: order kept against a brute-force reference on random
 * inserts and removes, per-owner tables, allocation failure. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "idtable.h"
#include "util.h"

struct obj {
	uint32_t id;
	int payload;
};

START_TEST(test_random_against_reference)
{
	static struct obj objs[2000];
	static bool present[2000];
	struct idtable t = { 0 };

	srand(7);
	for (uint32_t i = 0; i < 2000; i++)
		objs[i].id = i * 3 + 1;
	for (int step = 0; step < 20000; step++) {
		uint32_t k = (uint32_t)rand() % 2000;
		bool found;
		size_t at = idtable_find(&t, objs[k].id, &found);

		ck_assert_int_eq(found, present[k]);
		if (found) {
			ck_assert_ptr_eq(idtable_remove(&t, at), &objs[k]);
			present[k] = false;
		} else {
			ck_assert_int_eq(idtable_insert(&t, at, &objs[k]), 0);
			present[k] = true;
		}
	}
	size_t n = 0;

	for (uint32_t k = 0; k < 2000; k++) {
		ck_assert_ptr_eq(idtable_lookup(&t, objs[k].id), present[k] ? &objs[k] : NULL);
		ck_assert_ptr_null(idtable_lookup(&t, objs[k].id + 1)); /* between ids */
		n += present[k];
	}
	ck_assert_uint_eq(t.n, n);
	for (size_t i = 1; i < t.n; i++)
		ck_assert_uint_lt(idtable_id(t.v[i - 1]), idtable_id(t.v[i]));
	ck_assert(t.dirty);
	idtable_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(idtable_lookup(&t, 1));
	ck_assert_ptr_null(idtable_lookup(NULL, 1));
}
END_TEST

START_TEST(test_put_replaces_or_inserts)
{
	struct idtable t = { 0 };
	struct obj a = { 4, 1 }, b = { 4, 2 }, c = { 2, 3 };
	bool found;
	size_t at;

	at = idtable_find(&t, 4, &found);
	ck_assert_int_eq(idtable_reserve(&t), 0);
	ck_assert_ptr_null(idtable_put(&t, at, found, &a));
	at = idtable_find(&t, 4, &found);
	ck_assert(found);
	ck_assert_ptr_eq(idtable_put(&t, at, found, &b), &a);
	ck_assert_ptr_eq(idtable_lookup(&t, 4), &b);
	at = idtable_find(&t, 2, &found);
	ck_assert_int_eq(idtable_reserve(&t), 0);
	ck_assert_ptr_null(idtable_put(&t, at, found, &c));
	ck_assert_uint_eq(t.n, 2);
	ck_assert_ptr_eq(t.v[0], &c);
	idtable_clear(&t);
}
END_TEST

static int freed;

static void
count_free(void *o)
{
	(void)o;
	freed++;
}

START_TEST(test_owners)
{
	struct idtable *list = NULL;
	int a = 0, b = 0;
	struct obj o1 = { 5, 0 }, o2 = { 9, 0 };
	struct idtable *ta = idtable_of(&list, &a, true);
	struct idtable *tb = idtable_of(&list, &b, true);
	bool found;

	ck_assert_ptr_nonnull(ta);
	ck_assert_ptr_nonnull(tb);
	ck_assert_ptr_ne(ta, tb);
	ck_assert_ptr_eq(idtable_of(&list, &a, false), ta);
	ck_assert_ptr_null(idtable_of(&list, &o1, false));
	ck_assert_int_eq(idtable_insert(ta, idtable_find(ta, 5, &found), &o1), 0);
	ck_assert_int_eq(idtable_insert(ta, idtable_find(ta, 9, &found), &o2), 0);
	freed = 0;
	idtable_forget(&list, &a, count_free);
	ck_assert_int_eq(freed, 2);
	ck_assert_ptr_null(idtable_of(&list, &a, false));
	ck_assert_ptr_eq(idtable_of(&list, &b, false), tb);
	idtable_forget(&list, &a, count_free); /* no table: no-op */
	idtable_forget(&list, &b, NULL);
	ck_assert_ptr_null(list);
}
END_TEST

START_TEST(test_alloc_failure)
{
	struct idtable *list = NULL;
	struct idtable t = { 0 };
	struct obj o = { 1, 0 };
	int owner = 0;

	pfs_alloc_fail_after(0);
	ck_assert_int_eq(idtable_insert(&t, 0, &o), -ENOMEM);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(idtable_of(&list, &owner, true));
	pfs_alloc_fail_after(-1);
	ck_assert_int_eq(idtable_insert(&t, 0, &o), 0);
	ck_assert_ptr_eq(idtable_lookup(&t, 1), &o);
	idtable_clear(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("idtable");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_random_against_reference);
	tcase_add_test(tc, test_put_replaces_or_inserts);
	tcase_add_test(tc, test_owners);
	tcase_add_test(tc, test_alloc_failure);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
