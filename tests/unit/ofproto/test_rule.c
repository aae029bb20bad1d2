/* Unit tests of the rule set (ofproto/rule.c): strict lookups, loose selection,
 * overlap, cookie masks, out_port/out_group filters, table limits, instruction checks,
 * and a brute-force cross-check of the match relations on random matches. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ofp_flow.h"
#include "rule.h"

static struct arena A;

static struct ofp_flow_mod
fm_parse(const char *text, uint8_t cmd)
{
	struct ofp_flow_mod fm;
	char err[256];
	int r = ofp_flow_mod_parse(text, cmd, &A, &fm, err, sizeof(err));

	ck_assert_msg(r == 0, "%s: %s", text, err);
	return fm;
}

static struct ofp_match
match_parse(const char *text)
{
	struct ofp_match m;
	char err[256];

	ck_assert_msg(oxm_parse(text, &m, err, sizeof(err)) == 0, "%s: %s", text, err);
	return m;
}

static struct rule *
add(struct rule_set *rs, const char *text)
{
	struct ofp_flow_mod fm = fm_parse(text, OFPFC_ADD);
	struct rule *r = rule_create(&fm, 1);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(rule_set_find(rs, fm.table_id, fm.priority, &fm.match));
	ck_assert_int_eq(rule_set_insert(rs, r), 0);
	return r;
}

static long
select_n(struct rule_set *rs, const char *text, uint8_t cmd)
{
	struct ofp_flow_mod fm = fm_parse(text, cmd);
	struct rule_filter f = {
		.table_id = fm.table_id,
		.strict = cmd == OFPFC_MODIFY_STRICT || cmd == OFPFC_DELETE_STRICT,
		.priority = fm.priority,
		.match = &fm.match,
		.cookie = fm.cookie,
		.cookie_mask = fm.cookie_mask,
		.out_port = fm.out_port,
		.out_group = fm.out_group,
	};
	struct rule **v;
	long n = rule_set_collect(rs, &f, &v);

	free(v);
	return n;
}

static void
setup(void)
{
	arena_free(&A);
}

START_TEST(test_strict_find_and_remove)
{
	struct rule_set rs;
	struct rule *r1, *r2, *r3;
	struct ofp_match m;

	ck_assert_int_eq(rule_set_init(&rs, 255, 100), 0);
	r1 = add(&rs, "priority=10,ip,nw_src=10.0.0.0/8,actions=output:1");
	r2 = add(&rs, "priority=20,ip,nw_src=10.0.0.0/8,actions=output:2");
	r3 = add(&rs, "table=3,priority=10,ip,nw_src=10.0.0.0/8,actions=output:3");
	m = match_parse("ip,nw_src=10.0.0.0/8");
	ck_assert_ptr_eq(rule_set_find(&rs, 0, 10, &m), r1);
	ck_assert_ptr_eq(rule_set_find(&rs, 0, 20, &m), r2);
	ck_assert_ptr_eq(rule_set_find(&rs, 3, 10, &m), r3);
	ck_assert_ptr_null(rule_set_find(&rs, 1, 10, &m));
	/* Field order on the wire does not matter; the mask does. */
	m = match_parse("nw_src=10.0.0.0/8,ip");
	ck_assert_ptr_eq(rule_set_find(&rs, 0, 10, &m), r1);
	m = match_parse("ip,nw_src=10.0.0.0/16");
	ck_assert_ptr_null(rule_set_find(&rs, 0, 10, &m));
	ck_assert_uint_eq(rule_set_count(&rs, 0), 2);
	ck_assert_uint_eq(rule_set_count(&rs, 3), 1);
	rule_set_remove(&rs, r2);
	rule_free(r2);
	m = match_parse("ip,nw_src=10.0.0.0/8");
	ck_assert_ptr_null(rule_set_find(&rs, 0, 20, &m));
	ck_assert_uint_eq(rs.n_rules, 2);
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

START_TEST(test_cursor_survives_removal)
{
	struct rule_set rs;
	struct rule_cursor cur, all;
	struct rule *r1, *r2, *r3, *r4;

	ck_assert_int_eq(rule_set_init(&rs, 255, 100), 0);
	r1 = add(&rs, "priority=1,actions=output:1");
	r2 = add(&rs, "priority=2,actions=output:1");
	r3 = add(&rs, "priority=3,actions=output:1");
	r4 = add(&rs, "table=5,priority=4,actions=output:1");
	rule_cursor_start(&cur, &rs, 0);
	rule_cursor_start(&all, &rs, OFPTT_ALL);
	ck_assert_ptr_eq(rule_cursor_next(&cur), r1);
	ck_assert_ptr_eq(rule_cursor_next(&all), r1);
	/* The rule a walk would visit next goes away: both walks skip it. */
	rule_set_remove(&rs, r2);
	rule_free(r2);
	ck_assert_ptr_eq(rule_cursor_next(&cur), r3);
	ck_assert(rule_cursor_done(&cur));
	ck_assert_ptr_null(rule_cursor_next(&cur));
	rule_set_remove(&rs, r3);
	rule_free(r3);
	ck_assert(!rule_cursor_done(&all));
	ck_assert_ptr_eq(rule_cursor_next(&all), r4);
	ck_assert_ptr_null(rule_cursor_next(&all));
	rule_cursor_stop(&cur);
	rule_cursor_stop(&all);
	rule_cursor_stop(&all);
	ck_assert_ptr_null(rs.cursors);
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

START_TEST(test_loose_selection)
{
	struct rule_set rs;

	ck_assert_int_eq(rule_set_init(&rs, 255, 100), 0);
	add(&rs, "priority=1,actions=drop");
	add(&rs, "priority=10,ip,actions=output:1");
	add(&rs, "priority=10,ip,nw_src=10.1.0.0/16,actions=output:2");
	add(&rs, "priority=10,tcp,nw_src=10.1.2.3,tp_dst=80,actions=output:3");
	add(&rs, "table=1,priority=10,ip,nw_src=10.1.2.3,actions=output:1");
	/* Loose: rules at least as specific as the filter, any priority. */
	ck_assert_int_eq(select_n(&rs, "table=255", OFPFC_DELETE), 5);
	ck_assert_int_eq(select_n(&rs, "table=0", OFPFC_DELETE), 4);
	ck_assert_int_eq(select_n(&rs, "table=0,ip", OFPFC_DELETE), 3);
	ck_assert_int_eq(select_n(&rs, "table=0,ip,nw_src=10.0.0.0/8", OFPFC_DELETE), 2);
	ck_assert_int_eq(select_n(&rs, "table=0,ip,nw_src=10.1.2.0/24", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "table=255,ip,nw_src=10.1.2.3", OFPFC_DELETE), 2);
	ck_assert_int_eq(select_n(&rs, "tcp", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "udp", OFPFC_DELETE), 0);
	/* Strict: identical match and priority only. */
	ck_assert_int_eq(select_n(&rs, "table=0,priority=10,ip", OFPFC_DELETE_STRICT), 1);
	ck_assert_int_eq(select_n(&rs, "table=0,priority=11,ip", OFPFC_DELETE_STRICT), 0);
	ck_assert_int_eq(select_n(&rs, "priority=10,ip,nw_src=10.1.0.0/16", OFPFC_DELETE_STRICT),
			 1);
	ck_assert_int_eq(
		select_n(&rs, "table=1,priority=10,ip,nw_src=10.1.2.3", OFPFC_DELETE_STRICT), 1);
	/* Strict with table=ALL looks in every table. */
	ck_assert_int_eq(select_n(&rs, "table=255,priority=1", OFPFC_DELETE_STRICT), 1);
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

START_TEST(test_cookie_and_out_port)
{
	struct rule_set rs;

	ck_assert_int_eq(rule_set_init(&rs, 255, 100), 0);
	add(&rs, "cookie=0x10,priority=1,in_port=1,actions=output:2");
	add(&rs, "cookie=0x11,priority=1,in_port=2,actions=output:1,output:3");
	add(&rs, "cookie=0x20,priority=1,in_port=3,actions=write_actions(output:2)");
	add(&rs, "cookie=0x21,priority=1,in_port=4,actions=group:7");
	ck_assert_int_eq(select_n(&rs, "cookie=0x10/0xff", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "cookie=0x10/0xf0", OFPFC_DELETE), 2);
	ck_assert_int_eq(select_n(&rs, "cookie=0x1/0x1", OFPFC_DELETE), 2);
	ck_assert_int_eq(select_n(&rs, "cookie=0x0/0x0", OFPFC_DELETE), 4);
	ck_assert_int_eq(select_n(&rs, "out_port=2", OFPFC_DELETE), 2); /* apply + write */
	ck_assert_int_eq(select_n(&rs, "out_port=3", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "out_port=9", OFPFC_DELETE), 0);
	ck_assert_int_eq(select_n(&rs, "out_group=7", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "out_port=2,cookie=0x20/0xff", OFPFC_DELETE), 1);
	ck_assert_int_eq(select_n(&rs, "priority=1,in_port=2,out_port=3", OFPFC_DELETE_STRICT), 1);
	ck_assert_int_eq(select_n(&rs, "priority=1,in_port=2,out_port=2", OFPFC_DELETE_STRICT), 0);
	ck_assert_int_eq(
		select_n(&rs, "priority=1,in_port=2,cookie=0x10/0xff", OFPFC_DELETE_STRICT), 0);
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

START_TEST(test_overlap)
{
	struct rule_set rs;
	struct ofp_match m;

	ck_assert_int_eq(rule_set_init(&rs, 255, 100), 0);
	add(&rs, "priority=5,ip,nw_src=10.0.0.0/8,actions=drop");
	m = match_parse("ip,nw_src=10.1.0.0/16");
	ck_assert(rule_set_overlaps(&rs, 0, 5, &m));
	ck_assert(!rule_set_overlaps(&rs, 0, 6, &m)); /* other priority */
	ck_assert(!rule_set_overlaps(&rs, 1, 5, &m)); /* other table */
	m = match_parse("ip,nw_src=11.0.0.0/8");
	ck_assert(!rule_set_overlaps(&rs, 0, 5, &m));
	m = match_parse("tcp,tp_dst=80");
	ck_assert(rule_set_overlaps(&rs, 0, 5, &m)); /* a TCP packet from 10/8 hits both */
	m = match_parse("arp");
	ck_assert(!rule_set_overlaps(&rs, 0, 5, &m));
	m = match_parse("");
	ck_assert(rule_set_overlaps(&rs, 0, 5, &m));
	m = match_parse("ip,nw_src=10.0.0.0/8");
	ck_assert(rule_set_overlaps(&rs, 0, 5, &m)); /* identical overlaps too */
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

START_TEST(test_table_limit_and_expiry_list)
{
	struct rule_set rs;
	struct ofp_flow_mod fm;
	struct rule *r;

	ck_assert_int_eq(rule_set_init(&rs, 4, 2), 0);
	add(&rs, "priority=1,actions=drop");
	r = add(&rs, "priority=2,idle_timeout=5,actions=drop");
	fm = fm_parse("priority=3,actions=drop", OFPFC_ADD);
	{
		struct rule *x = rule_create(&fm, 0);

		ck_assert_int_eq(rule_set_insert(&rs, x), -ENOSPC);
		x->table_id = 9;
		ck_assert_int_eq(rule_set_insert(&rs, x), -EINVAL);
		x->table_id = 1;
		ck_assert_int_eq(rule_set_insert(&rs, x), 0); /* limit is per table */
	}
	ck_assert_uint_eq(rs.n_exp, 1);
	ck_assert_ptr_eq(rs.exp_head, r);
	r->idle_timeout = 0;
	rule_set_update_expiry(&rs, r);
	ck_assert_uint_eq(rs.n_exp, 0);
	r->hard_timeout = 9;
	rule_set_update_expiry(&rs, r);
	ck_assert_uint_eq(rs.n_exp, 1);
	rule_set_remove(&rs, r);
	ck_assert_uint_eq(rs.n_exp, 0);
	ck_assert_uint_eq(r->hard_timeout, 9);
	rule_free(r);
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

static bool
group_7(uint32_t id, void *aux)
{
	(void)aux;
	return id == 7;
}

START_TEST(test_check_insts)
{
	struct ofp_flow_mod fm;
	struct ofp_err err;

	fm = fm_parse("table=2,actions=goto_table:3", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 2, 255, NULL, NULL, NULL, &err), 0);
	fm = fm_parse("table=2,actions=goto_table:2", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 2, 255, NULL, NULL, NULL, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_INSTRUCTION);
	ck_assert_uint_eq(err.code, OFPBIC_BAD_TABLE_ID);
	fm = fm_parse("table=2,actions=goto_table:1", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 2, 255, NULL, NULL, NULL, &err), -EPROTO);
	fm = fm_parse("table=2,actions=goto_table:254", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 2, 10, NULL, NULL, NULL, &err), -EPROTO);
	ck_assert_uint_eq(err.code, OFPBIC_BAD_TABLE_ID);
	fm = fm_parse("actions=meter:1,output:1", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 0, 255, NULL, NULL, NULL, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_METER_MOD_FAILED);
	ck_assert_uint_eq(err.code, OFPMMFC_UNKNOWN_METER);
	fm = fm_parse("actions=group:7", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 0, 255, NULL, NULL, NULL, &err), -EPROTO);
	ck_assert_uint_eq(err.type, OFPET_BAD_ACTION);
	ck_assert_uint_eq(err.code, OFPBAC_BAD_OUT_GROUP);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 0, 255, group_7, NULL, NULL, &err), 0);
	fm = fm_parse("actions=write_actions(group:8)", OFPFC_ADD);
	ck_assert_int_eq(rule_check_insts(&fm.insts, 0, 255, group_7, NULL, NULL, &err), -EPROTO);
}
END_TEST

START_TEST(test_insts_copy)
{
	struct ofp_flow_mod fm =
		fm_parse("ip,actions=output:1,set_field:10.0.0.1->ip_dst,write_actions(output:2),"
			 "write_metadata:0x5/0xff,goto_table:3",
			 OFPFC_ADD);
	struct ofp_flow_mod fm2;
	struct rule *r;

	r = rule_create(&fm, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert(ofp_instructions_equal(&r->insts, &fm.insts));
	/* The copy does not point into the arena. */
	for (size_t i = 0; i < r->insts.n; i++)
		ck_assert_ptr_ne(&r->insts.insts[i], &fm.insts.insts[i]);
	fm2 = fm_parse("actions=drop", OFPFC_ADD);
	ck_assert_int_eq(rule_set_insts(r, &fm2.insts), 0);
	ck_assert_uint_eq(r->insts.n, fm2.insts.n);
	ck_assert(ofp_instructions_equal(&r->insts, &fm2.insts));
	rule_free(r);
}
END_TEST

/* Brute force: random matches over a few small fields; covers/overlap must agree with
 * enumeration of every packet of the small field space. */
static unsigned
rnd(void)
{
	static uint64_t s = 88172645463325252ull;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (unsigned)s;
}

struct tiny {
	int vlan_pcp; /* -1 absent */
	int dscp;     /* -1 absent */
	uint8_t src_last, src_mask;
	bool has_src;
};

static struct ofp_match
tiny_match(const struct tiny *t)
{
	struct ofp_match m;
	uint8_t v[4] = { 10, 0, 0, t->src_last }, k[4] = { 255, 255, 255, t->src_mask };
	uint8_t et[2] = { 0x08, 0x00 }, vid[2] = { 0x10, 0x00 }, vidm[2] = { 0x10, 0x00 };

	oxm_match_init(&m);
	oxm_match_set(&m, OFPXMT_OFB_ETH_TYPE, et, NULL);
	if (t->vlan_pcp >= 0) {
		uint8_t p = (uint8_t)t->vlan_pcp;

		oxm_match_set(&m, OFPXMT_OFB_VLAN_VID, vid, vidm);
		oxm_match_set(&m, OFPXMT_OFB_VLAN_PCP, &p, NULL);
	}
	if (t->dscp >= 0) {
		uint8_t d = (uint8_t)t->dscp;

		oxm_match_set(&m, OFPXMT_OFB_IP_DSCP, &d, NULL);
	}
	if (t->has_src) {
		v[3] &= t->src_mask;
		oxm_match_set(&m, OFPXMT_OFB_IPV4_SRC, v, t->src_mask == 255 ? NULL : k);
	}
	return m;
}

static bool
tiny_hits(const struct tiny *t, int pcp, int dscp, int src)
{
	if (t->vlan_pcp >= 0 && t->vlan_pcp != pcp)
		return false;
	if (t->dscp >= 0 && t->dscp != dscp)
		return false;
	if (t->has_src && ((src ^ t->src_last) & t->src_mask))
		return false;
	return true;
}

static struct tiny
tiny_random(void)
{
	static const uint8_t masks[] = { 255, 254, 252, 0xf0, 0 };
	struct tiny t;

	t.vlan_pcp = rnd() % 3 ? -1 : (int)(rnd() % 2);
	t.dscp = rnd() % 2 ? -1 : (int)(rnd() % 2);
	t.has_src = rnd() % 4;
	t.src_mask = masks[rnd() % (sizeof(masks) / sizeof(masks[0]))];
	t.src_last = (uint8_t)(rnd() % 8) & t.src_mask;
	return t;
}

START_TEST(test_relations_brute_force)
{
	for (int iter = 0; iter < 4000; iter++) {
		struct tiny a = tiny_random(), b = tiny_random();
		struct ofp_match ma = tiny_match(&a), mb = tiny_match(&b);
		bool any_both = false, a_within_b = true;

		for (int pcp = 0; pcp < 2; pcp++)
			for (int dscp = 0; dscp < 2; dscp++)
				for (int src = 0; src < 256; src++) {
					bool ha = tiny_hits(&a, pcp, dscp, src);
					bool hb = tiny_hits(&b, pcp, dscp, src);

					any_both |= ha && hb;
					if (ha && !hb)
						a_within_b = false;
				}
		/* Packets without a VLAN tag are not enumerated: a rule with vlan_pcp
		 * set is narrower than one without, which the enumeration shows only
		 * through pcp values; covers() is syntactic and may say false where a
		 * semantic subset exists, never true where it does not. */
		ck_assert_msg(rule_match_overlap(&ma, &mb) == any_both, "iter %d overlap", iter);
		if (rule_match_covers(&mb, &ma))
			ck_assert_msg(a_within_b, "iter %d covers", iter);
	}
}
END_TEST

START_TEST(test_scale)
{
	struct rule_set rs;
	const unsigned n = 200000;
	struct ofp_flow_mod fm = fm_parse("priority=100,ip,actions=output:1", OFPFC_ADD);

	ck_assert_int_eq(rule_set_init(&rs, 255, 1000000), 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		struct ofp_match m = match_parse("ip");
		struct rule *r;

		oxm_match_set(&m, OFPXMT_OFB_IPV4_DST, a, NULL);
		fm.match = m;
		ck_assert_ptr_null(rule_set_find(&rs, 0, 100, &m));
		r = rule_create(&fm, 0);
		ck_assert_int_eq(rule_set_insert(&rs, r), 0);
	}
	ck_assert_uint_eq(rule_set_count(&rs, 0), n);
	ck_assert_uint_ge(rs.n_buckets, n);
	for (unsigned i = 0; i < n; i += 997) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		struct ofp_match m = match_parse("ip");

		oxm_match_set(&m, OFPXMT_OFB_IPV4_DST, a, NULL);
		ck_assert_ptr_nonnull(rule_set_find(&rs, 0, 100, &m));
	}
	rule_set_destroy(&rs, NULL, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rule");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, setup);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_strict_find_and_remove);
	tcase_add_test(tc, test_loose_selection);
	tcase_add_test(tc, test_cursor_survives_removal);
	tcase_add_test(tc, test_cookie_and_out_port);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_table_limit_and_expiry_list);
	tcase_add_test(tc, test_check_insts);
	tcase_add_test(tc, test_insts_copy);
	tcase_add_test(tc, test_relations_brute_force);
	tcase_add_test(tc, test_scale);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	arena_free(&A);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
