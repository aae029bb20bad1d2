/* ofproto/state.c with the datapath test double: a bridge's flows, groups and meters
 * gathered, the agent destroyed and created again, the state applied: the same entries
 * (byte for byte when gathered again), counters continued (saved + new traffic),
 * timeouts continued from their remaining time, learned MACs learned again with their
 * age, port counters continued; a state
 * whose entry the bridge refuses names it; a section for another bridge is ignored. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "bridge.h"
#include "buf.h"
#include "config.h"
#include "connmgr.h"
#include "dp_fake.h"
#include "group.h"
#include "meter.h"
#include "ofp_flow.h"
#include "ofp_group.h"
#include "ofp_meter.h"
#include "ofproto.h"
#include "rule.h"
#include "state.h"
#include "state_fmt.h"
#include "vlog.h"

static char dir[64];
static struct config cfg;

static struct ofproto *
agent(void)
{
	struct ofproto *ofp;
	char text[512], err[256];

	snprintf(text, sizeof(text),
		 "[switch]\nrundir = %s\n[bridge br0]\nfail_mode = secure\n"
		 "inactivity_probe = 0\n[port p1]\nbridge = br0\nofport = 1\ndevargs = fake1\n",
		 dir);
	config_free(&cfg);
	ck_assert_msg(config_parse_string(text, "test.ini", &cfg, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_msg(ofproto_create(&cfg, &ofp, err, sizeof(err)) == 0, "%s", err);
	return ofp;
}

static void
flow(struct bridge *br, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_flow_mod fm;
	struct ofp_err err;
	char why[128];

	ck_assert_msg(ofp_flow_mod_parse(text, OFPFC_ADD, &a, &fm, why, sizeof(why)) == 0, "%s",
		      why);
	ck_assert_int_eq(bridge_flow_mod(br, &fm, &err), 0);
	arena_free(&a);
}

static void
group(struct bridge *br, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod gm;
	struct ofp_err err;
	struct buf m = BUF_INITIALIZER;
	char why[128];

	ck_assert_msg(ofp_group_mod_parse(text, OFPGC_ADD, &a, &gm, why, sizeof(why)) == 0, "%s",
		      why);
	ck_assert_int_eq(ofp_group_mod_encode(&gm, 0, &m), 0);
	ck_assert_int_eq(group_mod(br, &gm, m.data, m.size, &err), 0);
	buf_uninit(&m);
	arena_free(&a);
}

static void
meter(struct bridge *br, const char *text)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_meter_mod mm;
	struct ofp_err err;
	struct buf m = BUF_INITIALIZER;
	char why[128];

	ck_assert_msg(ofp_meter_mod_parse(text, OFPMC_ADD, &a, &mm, why, sizeof(why)) == 0, "%s",
		      why);
	ck_assert_int_eq(ofp_meter_mod_encode(&mm, 0, &m), 0);
	ck_assert_int_eq(meter_mod(br, &mm, m.data, m.size, &err), 0);
	buf_uninit(&m);
	arena_free(&a);
}

static struct rule *
rule_at(struct bridge *br, uint16_t priority)
{
	for (unsigned t = 0; t < br->rules.n_tables; t++)
		for (struct rule *r = br->rules.tables[t].head; r; r = r->tnext)
			if (r->priority == priority)
				return r;
	return NULL;
}

/* The mods of a state (records GROUP_MOD, METER_MOD, FLOW_MOD) concatenated. */
static void
mods_of(const struct buf *state, struct buf *out)
{
	struct state_reader rd;
	struct state_rec rec;
	char err[128];

	ck_assert_msg(state_read_begin(&rd, state->data, state->size, err, sizeof(err)) == 0, "%s",
		      err);
	while (state_read_next(&rd, &rec) > 0)
		if (rec.type <= STATE_REC_FLOW_MOD)
			buf_put(out, rec.msg, rec.len);
}

static void
setup(void)
{
	vlog_set_level(VLOG_ERR);
	snprintf(dir, sizeof(dir), "/tmp/pfs-ofstate-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	config_free(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	rmdir(dir);
}

START_TEST(test_save_restore)
{
	struct ofproto *ofp = agent();
	struct bridge *br = ofproto_bridge(ofp, 0);
	struct buf st = BUF_INITIALIZER, st2 = BUF_INITIALIZER, m1 = BUF_INITIALIZER,
		   m2 = BUF_INITIALIZER;
	struct state_counters c;
	const uint8_t *raw;
	size_t len;
	uint64_t now = ofproto_now_ns(), p, b;
	unsigned nf, ng, nm;
	char err[256];
	struct rule *r;
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct dp_mac_entry me;
	struct dp_port_stats ps;

	/* group 2 sends to group 1: gathered in dependency order whatever the ids. */
	group(br, "group_id=1,type=all,bucket=output:1");
	group(br, "group_id=2,type=indirect,bucket=group:1");
	meter(br, "meter=3,kbps,bands=type=drop,rate=1000");
	flow(br, "priority=10,in_port=1,cookie=0x77,send_flow_rem,idle_timeout=100,"
		 "hard_timeout=200,actions=meter:3,group:2");
	flow(br, "table=1,priority=20,actions=output:1");
	bridge_commit(br);
	dp_fake_set_flow_stats("br0", 10, 5, 500, now);
	r = rule_at(br, 10);
	ck_assert_ptr_nonnull(r);
	/* 30 s old, idle for 40 s: 60 s idle and 170 s hard time left. */
	r->created_ns = now - 30000000000ull;
	r->used_ns = now - 40000000000ull;
	dp_fake_set_flow_stats("br0", 10, 5, 500, r->used_ns);
	c = (struct state_counters){ .id = 1, .packets = 9, .bytes = 900 };
	ck_assert_int_eq(group_state_set_base(br, 1, &c), 0);
	dp_fake_clear_macs();
	ck_assert_int_eq(dp_mac_learn(br->dp, mac, 1, 7), 0);
	br->ports[0].base.rx_packets = 11; /* as if restored once already */
	br->ports[0].base.tx_bytes = 22;
	ck_assert_int_eq(state_gather(ofp, &st), 0);
	ofproto_destroy(ofp);
	dp_fake_clear_macs();

	ofp = agent();
	br = ofproto_bridge(ofp, 0);
	ck_assert_msg(state_apply_bridge(br, st.data, st.size, &nf, &ng, &nm, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert_uint_eq(nf, 2);
	ck_assert_uint_eq(ng, 2);
	ck_assert_uint_eq(nm, 1);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 2);
	ck_assert_uint_eq(dp_mac_dump(br->dp, NULL, 0), 0);
	bridge_port_stats(&br->ports[0], &ps);
	ck_assert_uint_eq(ps.rx_packets, 0);
	state_apply_bridge_finish(br, st.data, st.size);
	bridge_port_stats(&br->ports[0], &ps);
	ck_assert_uint_eq(ps.rx_packets, 11);
	ck_assert_uint_eq(ps.tx_bytes, 22);
	ck_assert_uint_eq(dp_mac_dump(br->dp, &me, 1), 1);
	ck_assert_int_eq(memcmp(me.mac, mac, 6), 0);
	ck_assert_uint_eq(me.ofport, 1);
	ck_assert_uint_eq(me.age_s, 7);
	dp_fake_clear_macs();
	r = rule_at(br, 10);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->cookie, 0x77);
	bridge_rule_stats(r, &p, &b);
	ck_assert_uint_eq(p, 5);
	ck_assert_uint_eq(b, 500);
	dp_fake_set_flow_stats("br0", 10, 2, 200, 0); /* new traffic */
	bridge_rule_stats(r, &p, &b);
	ck_assert_uint_eq(p, 7);
	ck_assert_uint_eq(b, 700);
	now = ofproto_now_ns();
	/* idle: 60 s left, hard: 170 s left (within the test's run time) */
	ck_assert_uint_ge(now - r->used_ns, 39000000000ull);
	ck_assert_uint_le(now - r->used_ns, 41000000000ull);
	ck_assert_uint_ge(now - r->created_ns, 29000000000ull);
	ck_assert_uint_le(now - r->created_ns, 31000000000ull);
	ck_assert_int_eq(group_state_get(br, 1, &raw, &len, &c), 0);
	ck_assert_uint_eq(c.packets, 9);
	ck_assert_uint_eq(c.bytes, 900);
	/* Gathered again: the same mods, byte for byte. */
	ck_assert_int_eq(state_gather(ofp, &st2), 0);
	mods_of(&st, &m1);
	mods_of(&st2, &m2);
	ck_assert_uint_eq(m1.size, m2.size);
	ck_assert_int_eq(memcmp(m1.data, m2.data, m1.size), 0);
	ofproto_destroy(ofp);
	buf_uninit(&st);
	buf_uninit(&st2);
	buf_uninit(&m1);
	buf_uninit(&m2);
}
END_TEST

START_TEST(test_refused_and_other_bridge)
{
	struct ofproto *ofp = agent();
	struct bridge *br = ofproto_bridge(ofp, 0);
	struct buf st = BUF_INITIALIZER, m = BUF_INITIALIZER;
	struct arena a = ARENA_INITIALIZER;
	struct state_bridge sb = { 1, 0, "br0" }, other = { 2, 0, "br9" };
	struct ofp_flow_mod fm;
	unsigned nf = 9;
	char err[256];

	/* A section for another bridge: nothing applied. */
	state_write_header(&st);
	state_write_bridge(&st, &other);
	ck_assert_int_eq(
		ofp_flow_mod_parse("priority=1,actions=drop", OFPFC_ADD, &a, &fm, err, sizeof(err)),
		0);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, 0, &m), 0);
	ck_assert_int_eq(state_write_msg(&st, m.data, m.size), 0);
	ck_assert_int_eq(state_write_end(&st), 0);
	ck_assert_int_eq(
		state_apply_bridge(br, st.data, st.size, &nf, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(nf, 0);
	ck_assert_uint_eq(dp_fake_n_flows("br0"), 0);
	/* A flow that sends to a group the state lacks: refused, named. */
	buf_clear(&st);
	buf_clear(&m);
	state_write_header(&st);
	state_write_bridge(&st, &sb);
	ck_assert_int_eq(ofp_flow_mod_parse("priority=7,in_port=1,actions=group:5", OFPFC_ADD, &a,
					    &fm, err, sizeof(err)),
			 0);
	ck_assert_int_eq(ofp_flow_mod_encode(&fm, 0, &m), 0);
	ck_assert_int_eq(state_write_msg(&st, m.data, m.size), 0);
	ck_assert_int_eq(state_write_end(&st), 0);
	ck_assert_int_eq(
		state_apply_bridge(br, st.data, st.size, &nf, NULL, NULL, err, sizeof(err)),
		-EPROTO);
	ck_assert_msg(strstr(err, "record 2: flow") && strstr(err, "priority=7"), "%s", err);
	ck_assert_msg(strstr(err, "BAD_OUT_GROUP"), "%s", err);
	/* A damaged state: refused before anything. */
	st.data[st.size - 1] ^= 1;
	ck_assert_int_eq(
		state_apply_bridge(br, st.data, st.size, &nf, NULL, NULL, err, sizeof(err)),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "checksum"));
	ofproto_destroy(ofp);
	buf_uninit(&st);
	buf_uninit(&m);
	arena_free(&a);
}
END_TEST

START_TEST(test_state_file)
{
	struct ofproto *ofp = agent();
	char path[128], err[256];
	uint8_t *data;
	size_t len;

	flow(ofproto_bridge(ofp, 0), "priority=3,actions=drop");
	snprintf(path, sizeof(path), "%s/state", dir);
	ck_assert_int_eq(state_load_file(path, &data, &len, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(state_save_file(ofp, path, err, sizeof(err)), 0);
	ofproto_destroy(ofp);
	ck_assert_int_eq(state_load_file(path, &data, &len, err, sizeof(err)), 0);
	free(data);
	/* Truncated: refused with the file's name and the reason. */
	ck_assert_int_eq(truncate(path, 40), 0);
	ck_assert_int_eq(state_load_file(path, &data, &len, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, path) && strstr(err, "truncated"), "%s", err);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ofstate");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_save_restore);
	tcase_add_test(tc, test_refused_and_other_bridge);
	tcase_add_test(tc, test_state_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
