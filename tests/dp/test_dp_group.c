/* Groups and meters in the datapath (dp_group.h, datapath.h): select spread and flow
 * stickiness over weighted buckets, fast-failover liveness, group chaining and its depth
 * bound, per-group/bucket counters, meter token-bucket accuracy on a fake clock (kbps,
 * pktps, DSCP remark of the excess only, several workers sharing one bucket), the meter
 * instruction end to end, the OFPM_CONTROLLER meter on packet-ins, and dp_trace() of a
 * multi-table pipeline with a meter and a group. Ports are net_ring
 * ethdevs fed and drained by the test. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "arena.h"
#include "datapath.h"
#include "dp_testlib.h"
#include "dp_group.h"
#include "ofp_group.h"
#include "ofp_instruction.h"
#include "oxm.h"

#define N_PORTS 4
#define RING_SIZE 4096

static struct dp_bridge *br;
static struct dp_test_port ports[N_PORTS + 1];
static struct rte_mempool *pool;

static int
make_port(unsigned i)
{
	char name[8];

	snprintf(name, sizeof(name), "p%u", i);
	return dp_test_ring_port(br, &ports[i], "g", name, i, RING_SIZE, RING_SIZE);
}

/* A 60-byte IPv4/UDP frame from 10.0.0.1:sport to 10.0.0.2:200, dscp in the TOS. */
static struct rte_mbuf *
frame(uint16_t sport, uint8_t dscp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t p[60] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00 };
	char *d;

	ck_assert_ptr_nonnull(m);
	p[14] = 0x45;
	p[15] = (uint8_t)(dscp << 2);
	p[17] = 46;
	p[22] = 64;
	p[23] = 17;
	p[26] = 10, p[29] = 1;
	p[30] = 10, p[33] = 2;
	p[34] = (uint8_t)(sport >> 8), p[35] = (uint8_t)sport;
	p[37] = 200;
	p[39] = 26;
	d = rte_pktmbuf_append(m, sizeof(p));
	ck_assert_ptr_nonnull(d);
	memcpy(d, p, sizeof(p));
	return m;
}

static void
settle(void)
{
	uint64_t t0 = dp_test_now_ms();

	for (;;) {
		bool empty = true;

		for (unsigned i = 1; i <= N_PORTS; i++)
			empty &= rte_ring_count(ports[i].rx) == 0;
		if (empty || dp_test_now_ms() - t0 > 5000)
			break;
		usleep(100);
	}
	usleep(3000);
	ck_assert_int_eq(dp_sync(), 0);
	ck_assert_int_eq(dp_sync(), 0);
	usleep(1000);
}

/* Sends n frames (sports sport0..) on port 1 in chunks the rings take. */
static void
send_flows(uint16_t sport0, unsigned n, unsigned per_flow)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < per_flow; k++) {
			while (rte_ring_count(ports[1].rx) > RING_SIZE / 2)
				usleep(100);
			ck_assert_int_eq(
				rte_ring_enqueue(ports[1].rx, frame((uint16_t)(sport0 + i), 0)), 0);
		}
}

/* Drains port's tx ring; counts packets, and the sports seen into sp (if not NULL). */
static unsigned
drain(unsigned port, uint8_t *sp_seen, uint8_t mark)
{
	struct rte_mbuf *m[256];
	unsigned n, total = 0;

	while ((n = rte_ring_dequeue_burst(ports[port].tx, (void **)m, 256, NULL)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);

			if (sp_seen)
				sp_seen[(uint16_t)(p[34] << 8 | p[35])] |= mark;
			rte_pktmbuf_free(m[i]);
		}
		total += n;
	}
	return total;
}

static void
drain_all(unsigned c[N_PORTS + 1])
{
	settle();
	for (unsigned i = 1; i <= N_PORTS; i++)
		c[i] = drain(i, NULL, 0);
}

static struct dp_flow *
add_flow(const char *match, const char *actions)
{
	struct ofp_match m;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err = { 0, 0 };
	struct dp_flow *f = NULL;
	char eb[256];

	oxm_match_init(&m);
	if (*match)
		ck_assert_msg(oxm_parse(match, &m, eb, sizeof(eb)) == 0, "%s: %s", match, eb);
	ck_assert_msg(ofp_instructions_parse(actions, &a, &il, eb, sizeof(eb)) == 0, "%s: %s",
		      actions, eb);
	struct dp_flow_spec spec = { .priority = 10, .match = &m, .insts = &il };

	ck_assert_int_eq(dp_flow_add(br, &spec, &f, &err), 0);
	arena_free(&a);
	return f;
}

/* Adds (or modifies) a group from ovs-ofctl text. */
static int
group_text(const char *text, bool modify)
{
	return dp_test_group(br, text, modify);
}

static uint64_t
drop_count(const char *name)
{
	struct dp_drop_stat st[128];
	unsigned n = dp_drop_stats(st, 128);

	for (unsigned i = 0; i < n && i < 128; i++)
		if (strcmp(st[i].name, name) == 0)
			return st[i].count;
	ck_abort_msg("no drop reason %s", name);
	return 0;
}

static struct dp_flow *cur_flow;

static void
teardown(void)
{
	if (cur_flow)
		dp_flow_remove(br, cur_flow);
	cur_flow = NULL;
	dp_group_delete(br, OFPG_ALL);
	dp_meter_delete(br, OFPM_ALL);
	ck_assert_int_eq(dp_commit(br), 0);
	for (unsigned i = 1; i <= N_PORTS; i++)
		dp_port_set_config(ports[i].dp, 0, OFPPC_PORT_DOWN);
	unsigned c[N_PORTS + 1];

	drain_all(c);
}

/* ---- Select: pure ------------------------------------------------------------------------ */

START_TEST(test_select_spread)
{
	struct ofp_action_list empty = { 0 };
	struct dp_bucket_spec bs[3] = { { 1, OFPP_ANY, OFPG_ANY, &empty },
					{ 2, OFPP_ANY, OFPG_ANY, &empty },
					{ 3, OFPP_ANY, OFPG_ANY, &empty } };
	struct dp_group_spec spec = { 7, OFPGT_SELECT, 3, bs };
	struct dp_group *g;
	struct ofp_err err;
	unsigned cnt[3] = { 0 };
	const unsigned N = 30000;

	ck_assert_int_eq(dp_group_compile(&spec, 1, &g, &err), 0);
	srand(42);
	for (unsigned i = 0; i < N; i++) {
		struct dp_key k;

		memset(&k, 0, sizeof(k));
		k.f.eth_type[0] = 0x08;
		k.f.ip_proto[0] = (uint8_t)(i & 1 ? 6 : 17);
		uint32_t s = (uint32_t)rand(), d = (uint32_t)rand();

		memcpy(k.f.ipv4_src, &s, 4);
		memcpy(k.f.ipv4_dst, &d, 4);
		k.f.udp_src[0] = (uint8_t)rand(), k.f.udp_src[1] = (uint8_t)rand();
		k.f.tcp_dst[1] = (uint8_t)rand();
		int b = dp_group_select(g, dp_group_hash(&k));

		ck_assert_int_ge(b, 0);
		/* Sticky: the same flow with other per-packet fields picks the same bucket. */
		k.f.ip_dscp[0] = 12, k.f.metadata[7] = 9, k.f.in_port[3] = 3;
		ck_assert_int_eq(dp_group_select(g, dp_group_hash(&k)), b);
		cnt[b]++;
	}
	for (unsigned b = 0; b < 3; b++) {
		double want = N * (b + 1) / 6.0, dev = (cnt[b] - want) / want;

		printf("select spread: bucket %u weight %u: %u flows (%.2f%% off)\n", b, b + 1,
		       cnt[b], dev * 100);
		ck_assert_msg(dev < 0.05 && dev > -0.05, "bucket %u: %u vs %.0f", b, cnt[b], want);
	}
	dp_group_free(g);
}
END_TEST

/* ---- Meters: pure, fake clock ---------------------------------------------------------------- */

#define HZ 1000000000ull /* fake clock: 1 cycle = 1 ns */

static struct dp_meter *
meter(uint16_t flags, uint16_t type, uint32_t rate, uint32_t burst, unsigned workers)
{
	struct dp_meter_band_spec b = { type, rate, burst, 1 };
	struct dp_meter_spec spec = { 1, flags, 1, &b };
	struct dp_meter *m;
	struct ofp_err err;

	ck_assert_int_eq(dp_meter_compile(&spec, HZ, workers, &m, &err), 0);
	m->st = calloc(1, sizeof(*m->st));
	m->st->ws = aligned_alloc(64, 64 * workers);
	memset(m->st->ws, 0, 64 * workers);
	return m;
}

static void
meter_free(struct dp_meter *m)
{
	free(m->st->ws);
	free(m->st);
	dp_meter_free(m);
}

/* Offers twice the rate for 10 s of fake time from 4 workers in turn; returns the share
 * that passed, as a rate in the meter's unit. */
static double
offer(struct dp_meter *m, bool pktps, uint32_t rate, uint32_t len, uint64_t *hits)
{
	/* offered per second: 2 * rate units */
	double pps = pktps ? 2.0 * rate : 2.0 * rate * 1000 / 8 / len;
	uint64_t gap = (uint64_t)(HZ / pps), t = 1000000, end = t + 10 * HZ;
	uint64_t passed = 0, n = 0;

	*hits = 0;
	for (; t < end; t += gap, n++) {
		/* workers see slightly different clocks (burst start times) */
		uint64_t now = t - (n % 4) * (gap / 3);

		if (dp_meter_apply(m, (unsigned)(n % 4), now, len) < 0)
			passed++;
		else
			(*hits)++;
	}
	return pktps ? passed / 10.0 : passed * len * 8 / 1000 / 10.0;
}

START_TEST(test_meter_accuracy)
{
	static const uint32_t kbps[] = { 64, 1000, 10000, 100000, 1000000 };
	static const uint32_t pps[] = { 10, 1000, 100000, 1000000 };
	uint64_t hits;

	for (unsigned i = 0; i < sizeof(kbps) / sizeof(kbps[0]); i++) {
		struct dp_meter *m = meter(OFPMF_KBPS | OFPMF_BURST, OFPMBT_DROP, kbps[i], 10, 4);
		uint32_t len = kbps[i] < 1000 ? 100 : 1000;
		double got = offer(m, false, kbps[i], len, &hits), dev = (got - kbps[i]) / kbps[i];

		printf("meter kbps %u: passed %.1f kbps (%.2f%%)\n", kbps[i], got, dev * 100);
		ck_assert_msg(dev < 0.05 && dev > -0.05, "kbps %u: %.1f", kbps[i], got);
		meter_free(m);
	}
	for (unsigned i = 0; i < sizeof(pps) / sizeof(pps[0]); i++) {
		struct dp_meter *m = meter(OFPMF_PKTPS | OFPMF_BURST, OFPMBT_DROP, pps[i], 1, 4);
		double got = offer(m, true, pps[i], 64, &hits), dev = (got - pps[i]) / pps[i];

		printf("meter pktps %u: passed %.1f pps (%.2f%%)\n", pps[i], got, dev * 100);
		ck_assert_msg(dev < 0.05 && dev > -0.05, "pktps %u: %.1f", pps[i], got);
		meter_free(m);
	}
	/* Burst: idle meter with burst 100 packets lets ~100 back-to-back packets through. */
	struct dp_meter *m = meter(OFPMF_PKTPS | OFPMF_BURST, OFPMBT_DROP, 1000, 100, 1);
	unsigned ok = 0;

	for (unsigned i = 0; i < 1000; i++)
		ok += dp_meter_apply(m, 0, 5000000000ull, 64) < 0;
	printf("meter burst 100 pkts: %u back-to-back passed\n", ok);
	ck_assert_uint_ge(ok, 100);
	ck_assert_uint_le(ok, 102);
	meter_free(m);
}
END_TEST

START_TEST(test_meter_remark_excess)
{
	/* DSCP remark band at 10 Mb/s, 20 Mb/s offered: half is excess. */
	struct dp_meter *m = meter(OFPMF_KBPS, OFPMBT_DSCP_REMARK, 10000, 0, 4);
	uint64_t hits;
	double got = offer(m, false, 10000, 1000, &hits);
	uint64_t total = (uint64_t)(2.0 * 10000 * 1000 / 8 / 1000 * 10);
	double share = (double)hits / (double)total;

	printf("dscp remark: %.1f kbps unmarked, %.1f%% of packets marked (want 50%%)\n", got,
	       share * 100);
	ck_assert(got > 9500 && got < 10500);
	ck_assert(share > 0.475 && share < 0.525);
	/* Below the rate nothing is marked. */
	struct dp_meter *m2 = meter(OFPMF_KBPS, OFPMBT_DSCP_REMARK, 10000, 0, 1);
	unsigned marked = 0;

	for (uint64_t t = 0; t < 1000; t++) /* 1000 B every 1 ms = 8 Mb/s */
		marked += dp_meter_apply(m2, 0, 1000000000ull + t * 1000000, 1000) >= 0;
	ck_assert_uint_eq(marked, 0);
	meter_free(m);
	meter_free(m2);
}
END_TEST

/* ---- End to end -------------------------------------------------------------------------- */

START_TEST(test_all_indirect_chain)
{
	unsigned c[N_PORTS + 1];
	struct dp_group_stats st;

	ck_assert_int_eq(group_text("group_id=1,type=all,bucket=output:2,bucket=output:3", false),
			 0);
	ck_assert_int_eq(group_text("group_id=1,type=all,bucket=output:2", false), -EEXIST);
	ck_assert_int_eq(group_text("group_id=2,type=indirect,bucket=output:4", false), 0);
	ck_assert_int_eq(group_text("group_id=3,type=all,bucket=group:1,bucket=group:2", false), 0);
	cur_flow = add_flow("in_port=1", "apply_actions(group:3)");
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1000, 10, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 10);
	ck_assert_uint_eq(c[3], 10);
	ck_assert_uint_eq(c[4], 10);
	ck_assert_int_eq(dp_group_get_stats(br, 3, &st), 0);
	ck_assert_uint_eq(st.packets, 10);
	ck_assert_uint_eq(st.bytes, 600);
	ck_assert_uint_eq(st.n_buckets, 2);
	ck_assert_uint_eq(st.bucket_packets[0], 10);
	ck_assert_uint_eq(st.bucket_packets[1], 10);
	ck_assert_int_eq(dp_group_get_stats(br, 1, &st), 0);
	ck_assert_uint_eq(st.bucket_packets[1], 10);
	/* Modify keeps the group counters; a cycle 1 -> 3 -> 1 is cut at the depth bound. */
	ck_assert_int_eq(group_text("group_id=1,type=all,bucket=group:3", true), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t d0 = drop_count("group_depth");

	send_flows(1000, 1, 1);
	drain_all(c);
	ck_assert_uint_gt(drop_count("group_depth"), d0);
	ck_assert_int_eq(dp_group_get_stats(br, 3, &st), 0);
	ck_assert_uint_ge(st.packets, 11);
	ck_assert_int_eq(
		dp_group_modify(br, &(struct dp_group_spec){ 99, OFPGT_ALL, 0, NULL }, NULL),
		-ENOENT);
	ck_assert_int_eq(dp_group_delete(br, 99), -ENOENT);
}
END_TEST

START_TEST(test_select_e2e)
{
	unsigned c[N_PORTS + 1];
	static uint8_t seen[65536];
	const unsigned nflows = 600;

	memset(seen, 0, sizeof(seen));
	ck_assert_int_eq(group_text("group_id=5,type=select,bucket=weight:1,output:2,"
				    "bucket=weight:2,output:3,bucket=weight:3,output:4",
				    false),
			 0);
	cur_flow = add_flow("in_port=1", "write_actions(group:5)");
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1000, nflows, 3);
	settle();
	for (unsigned p = 2; p <= 4; p++)
		c[p] = drain(p, seen, (uint8_t)(1u << p));
	printf("select e2e: %u flows x3 packets: %u / %u / %u\n", nflows, c[2], c[3], c[4]);
	ck_assert_uint_eq(c[2] + c[3] + c[4], nflows * 3);
	for (unsigned i = 0; i < nflows; i++) {
		uint8_t s = seen[1000 + i];

		ck_assert_msg(s && !(s & (s - 1)), "flow %u went to several buckets (%x)", i, s);
	}
	ck_assert(c[2] > 0 && c[2] < c[3] && c[3] < c[4]);
}
END_TEST

START_TEST(test_ff_liveness)
{
	unsigned c[N_PORTS + 1];
	struct dp_group_stats st;

	ck_assert_int_eq(group_text("group_id=8,type=indirect,bucket=output:4", false), 0);
	ck_assert_int_eq(group_text("group_id=9,type=ff,bucket=watch_port:2,output:2,"
				    "bucket=watch_port:3,output:3,bucket=watch_group:8,group:8",
				    false),
			 0);
	cur_flow = add_flow("in_port=1", "apply_actions(group:9)");
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1, 5, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 5);
	ck_assert_uint_eq(c[3], 0);
	/* Port 2 goes down: the very next packets take bucket 1, no commit needed. */
	ck_assert_int_eq(dp_port_set_config(ports[2].dp, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	send_flows(1, 5, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_uint_eq(c[3], 5);
	ck_assert_int_eq(dp_port_set_config(ports[3].dp, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	send_flows(1, 5, 1);
	drain_all(c);
	ck_assert_uint_eq(c[4], 5); /* through the live watch group 8 */
	/* Back up: the first bucket again. */
	ck_assert_int_eq(dp_port_set_config(ports[2].dp, 0, OFPPC_PORT_DOWN), 0);
	send_flows(1, 5, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 5);
	ck_assert_int_eq(dp_group_get_stats(br, 9, &st), 0);
	ck_assert_uint_eq(st.packets, 20);
	ck_assert_uint_eq(st.bucket_packets[0], 10);
	ck_assert_uint_eq(st.bucket_packets[1], 5);
	ck_assert_uint_eq(st.bucket_packets[2], 5);
	/* No live bucket at all: counted. */
	ck_assert_int_eq(dp_group_delete(br, 8), 0);
	ck_assert_int_eq(dp_port_set_config(ports[2].dp, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t d0 = drop_count("group_no_live_bucket");

	send_flows(1, 3, 1);
	drain_all(c);
	ck_assert_uint_eq(drop_count("group_no_live_bucket") - d0, 3);
	printf("ff: primary, then backup at once after PORT_DOWN, then watch group, then "
	       "primary again; no live bucket drops\n");
}
END_TEST

/* ALL group text: n buckets each doing action. */
static const char *
all_text(uint32_t id, const char *type, unsigned n, const char *bucket)
{
	static char text[8192];
	int k = snprintf(text, sizeof(text), "group_id=%u,type=%s", id, type);

	for (unsigned i = 0; i < n; i++)
		k += snprintf(text + k, sizeof(text) - (size_t)k, ",bucket=%s", bucket);
	return text;
}

/* Issue #12 finding 1: liveness is decided on the control thread, once per change. A
 * group whose 64 buckets watch itself and an 8-level fan of 64-bucket groups each
 * watching the next used to cost 64^8 liveness calls per packet (the worker hung);
 * now a packet reads one word: the self-watching group is dead (its cycle decides
 * nothing), the fan is live through its leaf and follows the leaf's port. */
START_TEST(test_ff_watch_bombs)
{
	unsigned c[N_PORTS + 1];
	char b[64];

	ck_assert_int_eq(group_text(all_text(20, "ff", 64, "watch_group:20,output:2"), false), 0);
	cur_flow = add_flow("in_port=1", "apply_actions(group:20)");
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t d0 = drop_count("group_no_live_bucket");

	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_uint_eq(drop_count("group_no_live_bucket") - d0, 50);

	ck_assert_int_eq(group_text("group_id=30,type=ff,bucket=watch_port:3,output:3", false), 0);
	for (uint32_t id = 31; id <= 38; id++) {
		snprintf(b, sizeof(b), "watch_group:%u,output:2", id - 1);
		ck_assert_int_eq(group_text(all_text(id, "ff", 64, b), false), 0);
	}
	dp_flow_remove(br, cur_flow);
	cur_flow = add_flow("in_port=1", "apply_actions(group:38)");
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 50);
	/* The leaf's port goes down: the whole fan dies at once, no commit. */
	ck_assert_int_eq(dp_port_set_config(ports[3].dp, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_int_eq(dp_port_set_config(ports[3].dp, 0, OFPPC_PORT_DOWN), 0);
	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 50);
	/* A MODIFY of the leaf republishes the fan's liveness with it. */
	ck_assert_int_eq(group_text("group_id=30,type=ff,bucket=watch_port:9,output:3", true), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 0);
}
END_TEST

/* Issue #12 finding 2: a packet runs at most the budget of group buckets (copies), even
 * through several group actions each within GROUP_MOD's fan-out limit; the rest is
 * dropped under group_budget. */
START_TEST(test_group_budget)
{
	unsigned c[N_PORTS + 1];
	const unsigned budget = DP_GROUP_DEFAULT_BUDGET;

	ck_assert_int_eq(group_text(all_text(40, "all", 64, "output:2"), false), 0);
	cur_flow = add_flow("in_port=1", "apply_actions(group:40,group:40,group:40,group:40,"
					 "group:40)");
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t d0 = drop_count("group_budget");

	send_flows(1, 3, 1);
	drain_all(c);
	ck_assert_uint_eq(c[2], 3 * budget);
	ck_assert_uint_eq(drop_count("group_budget") - d0, 3 * (5 * 64 - budget));
}
END_TEST

START_TEST(test_meter_e2e)
{
	unsigned c[N_PORTS + 1];
	struct dp_meter_band_spec b = { OFPMBT_DROP, 1, 20, 0 };
	struct dp_meter_spec spec = { 3, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1, &b };
	struct dp_meter_stats st;
	struct ofp_err err;

	ck_assert_int_eq(dp_meter_add(br, &spec, &err), 0);
	ck_assert_int_eq(dp_meter_add(br, &spec, &err), -EEXIST);
	ck_assert_uint_eq(err.code, OFPMMFC_METER_EXISTS);
	cur_flow = add_flow("in_port=1", "meter:3,apply_actions(output:2)");
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t d0 = drop_count("meter");

	send_flows(1, 200, 1);
	drain_all(c);
	printf("meter e2e: 1 pps burst 20, 200 packets at once: %u passed\n", c[2]);
	ck_assert_uint_ge(c[2], 20);
	ck_assert_uint_le(c[2], 23);
	ck_assert_uint_eq(drop_count("meter") - d0, 200 - c[2]);
	ck_assert_int_eq(dp_meter_get_stats(br, 3, &st), 0);
	ck_assert_uint_eq(st.packets, 200);
	ck_assert_uint_eq(st.bytes, 200 * 60);
	ck_assert_uint_eq(st.band_packets[0], 200 - c[2]);
	/* Remark: packets over the rate leave with a higher drop precedence. */
	b.type = OFPMBT_DSCP_REMARK;
	b.prec_level = 1;
	ck_assert_int_eq(dp_meter_modify(br, &spec, &err), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	settle();
	for (unsigned i = 0; i < 100; i++)
		ck_assert_int_eq(rte_ring_enqueue(ports[1].rx, frame(1, 10 /* AF11 */)), 0);
	settle();
	struct rte_mbuf *m[128];
	unsigned n = rte_ring_dequeue_burst(ports[2].tx, (void **)m, 128, NULL), marked = 0;

	ck_assert_uint_eq(n, 100);
	for (unsigned i = 0; i < n; i++) {
		uint8_t tos = rte_pktmbuf_mtod(m[i], uint8_t *)[15];

		ck_assert(tos >> 2 == 10 || tos >> 2 == 12); /* AF11 or AF12 */
		marked += tos >> 2 == 12;
		rte_pktmbuf_free(m[i]);
	}
	printf("meter e2e remark: %u of 100 marked AF12\n", marked);
	ck_assert_uint_ge(marked, 75);
	ck_assert_uint_le(marked, 80);
	ck_assert_int_eq(dp_meter_delete(br, 3), 0);
	ck_assert_int_eq(dp_meter_delete(br, 3), -ENOENT);
}
END_TEST

/* Takes every waiting upcall; returns how many there were. */
static unsigned
upcalls_drain(void)
{
	static struct dp_upcall ups[16];
	unsigned n, total = 0;

	while ((n = dp_upcall_recv(ups, 16)) > 0)
		total += n;
	return total;
}

/* OFPM_CONTROLLER meters every packet for the controller: over its rate, packet-ins are
 * dropped (drop reason controller_meter, band counters); without it, all go up. */
START_TEST(test_controller_meter)
{
	unsigned c[N_PORTS + 1], up;
	struct dp_meter_band_spec b = { OFPMBT_DROP, 1, 20, 0 };
	struct dp_meter_spec spec = { OFPM_CONTROLLER, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1,
				      &b };
	struct dp_meter_stats st;
	struct ofp_err err;

	cur_flow = add_flow("in_port=1", "apply_actions(output:CONTROLLER)");
	ck_assert_int_eq(dp_commit(br), 0);
	settle();
	upcalls_drain();
	uint64_t d0 = drop_count("controller_meter");

	send_flows(1, 200, 1); /* no meter yet: every packet goes up */
	drain_all(c);
	ck_assert_uint_eq(upcalls_drain(), 200);
	ck_assert_uint_eq(drop_count("controller_meter"), d0);

	ck_assert_int_eq(dp_meter_add(br, &spec, &err), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	settle();
	send_flows(1, 200, 1);
	drain_all(c);
	up = upcalls_drain();
	printf("controller meter: 1 pps burst 20, 200 packet-ins at once: %u went up\n", up);
	ck_assert_uint_ge(up, 20);
	ck_assert_uint_le(up, 23);
	ck_assert_uint_eq(drop_count("controller_meter") - d0, 200 - up);
	ck_assert_int_eq(dp_meter_get_stats(br, OFPM_CONTROLLER, &st), 0);
	ck_assert_uint_eq(st.packets, 200);
	ck_assert_uint_eq(st.bytes, 200 * 60);
	ck_assert_uint_eq(st.band_packets[0], 200 - up);
	/* A remark band counts but lets every packet-in up. */
	b.type = OFPMBT_DSCP_REMARK;
	b.prec_level = 1;
	ck_assert_int_eq(dp_meter_modify(br, &spec, &err), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	settle();
	send_flows(1, 100, 1);
	drain_all(c);
	ck_assert_uint_eq(upcalls_drain(), 100);
	ck_assert_int_eq(dp_meter_delete(br, OFPM_CONTROLLER), 0);
	ck_assert_int_eq(dp_commit(br), 0);
	settle();
	send_flows(1, 50, 1);
	drain_all(c);
	ck_assert_uint_eq(upcalls_drain(), 50);
	ck_assert_uint_eq(drop_count("controller_meter") - d0, 200 - up);
}
END_TEST

/* ---- Trace (dp_trace): the pipeline's own code, recording instead of sending --------- */

static struct dp_flow *
add_flow_at(uint8_t table, uint16_t prio, uint64_t cookie, const char *match, const char *actions)
{
	struct ofp_match m;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err = { 0, 0 };
	struct dp_flow *f = NULL;
	char eb[256];

	oxm_match_init(&m);
	if (*match)
		ck_assert_msg(oxm_parse(match, &m, eb, sizeof(eb)) == 0, "%s: %s", match, eb);
	ck_assert_msg(ofp_instructions_parse(actions, &a, &il, eb, sizeof(eb)) == 0, "%s: %s",
		      actions, eb);
	struct dp_flow_spec spec = {
		.table_id = table, .priority = prio, .cookie = cookie, .match = &m, .insts = &il
	};

	ck_assert_int_eq(dp_flow_add(br, &spec, &f, &err), 0);
	arena_free(&a);
	return f;
}

START_TEST(test_trace_multi_table)
{
	struct dp_meter_band_spec b = { OFPMBT_DROP, 1000, 100, 0 };
	struct dp_meter_spec ms = { 5, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1, &b };
	struct ofp_err err;
	struct dp_trace *t = calloc(1, sizeof *t);
	struct rte_mbuf *m = frame(1000, 0);
	uint8_t bytes[60];
	uint64_t pk, by, used;
	struct dp_meter_stats mst;
	struct dp_group_stats gst;

	ck_assert_ptr_nonnull(t);
	memcpy(bytes, rte_pktmbuf_mtod(m, void *), sizeof(bytes));
	rte_pktmbuf_free(m);
	ck_assert_int_eq(dp_meter_add(br, &ms, &err), 0);
	ck_assert_int_eq(group_text("group_id=7,type=all,bucket=output:3,bucket=output:4", false),
			 0);
	struct dp_flow *f0 = add_flow_at(0, 100, 0x1, "in_port=1", "meter:5,goto_table:1");
	struct dp_flow *f1 = add_flow_at(1, 10, 0x2, "eth_type=0x800,ip_proto=17",
					 "write_actions(output:2),goto_table:2");
	struct dp_flow *f2 = add_flow_at(2, 5, 0x3, "", "write_actions(group:7)");
	ck_assert_int_eq(dp_commit(br), 0);
	uint64_t lookups0, lookups, matched;

	dp_table_get_stats(br, 0, &lookups0, &matched);
	ck_assert_int_eq(dp_trace(br, 1, bytes, sizeof(bytes), t), 0);
	ck_assert(!t->truncated);
	const struct dp_trace_event *e = t->events;
	unsigned k = 0;

	ck_assert_uint_ge(t->n_events, 11);
	ck_assert_uint_eq(e[k].kind, DP_TRACE_TABLE);
	ck_assert_uint_eq(e[k].table_id, 0);
	ck_assert_ptr_eq(e[k].flow, f0);
	ck_assert_uint_eq(e[k].priority, 100);
	ck_assert_uint_eq(e[k++].cookie, 0x1);
	ck_assert_uint_eq(e[k].kind, DP_TRACE_METER);
	ck_assert_uint_eq(e[k].id, 5);
	ck_assert_int_eq(e[k++].arg, -1);
	ck_assert_uint_eq(e[k].kind, DP_TRACE_TABLE);
	ck_assert_ptr_eq(e[k++].flow, f1);
	ck_assert_uint_eq(e[k].kind, DP_TRACE_TABLE);
	ck_assert_uint_eq(e[k].table_id, 2);
	ck_assert_ptr_eq(e[k++].flow, f2);
	/* The set holds output:2 and group:7; the group wins (5.10). */
	ck_assert_uint_eq(e[k].kind, DP_TRACE_ACTION_SET);
	ck_assert_uint_eq(e[k].n_actions, 1);
	ck_assert_uint_eq(e[k].actions[0].type, OFPAT_GROUP);
	ck_assert_uint_eq(e[k++].actions[0].group_id, 7);
	for (unsigned bk = 0; bk < 2; bk++) {
		ck_assert_uint_eq(e[k].kind, DP_TRACE_GROUP);
		ck_assert_uint_eq(e[k].id, 7);
		ck_assert_uint_eq(e[k].group_type, OFPGT_ALL);
		ck_assert_int_eq(e[k++].arg, (int)bk);
		ck_assert_uint_eq(e[k].kind, DP_TRACE_ACTION_SET);
		ck_assert_uint_eq(e[k++].depth, 1);
		ck_assert_uint_eq(e[k].kind, DP_TRACE_OUTPUT);
		ck_assert_uint_eq(e[k].depth, 1);
		ck_assert_uint_eq(e[k++].id, 3 + bk);
	}
	ck_assert_uint_eq(t->n_events, k);

	/* Nothing sent, nothing counted. */
	settle();
	ck_assert_uint_eq(rte_ring_count(ports[3].tx) + rte_ring_count(ports[4].tx), 0);
	dp_flow_get_stats(f0, &pk, &by, &used);
	ck_assert_uint_eq(pk, 0);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(dp_meter_get_stats(br, 5, &mst), 0);
	ck_assert_uint_eq(mst.packets, 0);
	ck_assert_int_eq(dp_group_get_stats(br, 7, &gst), 0);
	ck_assert_uint_eq(gst.packets, 0);
	ck_assert_uint_eq(gst.bucket_packets[0], 0);
	dp_table_get_stats(br, 0, &lookups, &matched);
	ck_assert_uint_eq(lookups, lookups0);

	/* A table miss: in_port 2 matches nothing in table 0. */
	ck_assert_int_eq(dp_trace(br, 2, bytes, sizeof(bytes), t), 0);
	ck_assert_uint_eq(t->n_events, 2);
	ck_assert_uint_eq(t->events[0].kind, DP_TRACE_MISS);
	ck_assert_uint_eq(t->events[0].table_id, 0);
	ck_assert_uint_eq(t->events[1].kind, DP_TRACE_DROP);
	ck_assert_str_eq(t->events[1].reason, "table_miss");
	/* A truncated frame: the parser's drop reason. */
	ck_assert_int_eq(dp_trace(br, 1, bytes, 20, t), 0);
	ck_assert_uint_eq(t->events[t->n_events - 1].kind, DP_TRACE_DROP);
	ck_assert_int_eq(dp_trace(br, 1, bytes, 0, t), -EINVAL);

	dp_flow_remove(br, f0);
	dp_flow_remove(br, f1);
	dp_flow_remove(br, f2);
	free(t);
}
END_TEST

static Suite *
group_suite(void)
{
	Suite *s = suite_create("dp_group");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_select_spread);
	tcase_add_test(tc, test_meter_accuracy);
	tcase_add_test(tc, test_meter_remark_excess);
	tcase_add_test(tc, test_all_indirect_chain);
	tcase_add_test(tc, test_select_e2e);
	tcase_add_test(tc, test_ff_liveness);
	tcase_add_test(tc, test_ff_watch_bombs);
	tcase_add_test(tc, test_group_budget);
	tcase_add_test(tc, test_meter_e2e);
	tcase_add_test(tc, test_controller_meter);
	tcase_add_test(tc, test_trace_multi_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char *eal[] = { "test_dp_group",
			"--no-pci",
			"--no-huge",
			"--no-shconf",
			"-l",
			"0-1",
			"-m",
			"512",
			"--log-level=lib.eal:error",
			NULL };
	struct dp_params p;
	int nfail;

	dp_params_default(&p);
	p.n_mbufs = 8191;
	p.idle_polls_before_sleep = 100;
	p.idle_sleep_us = 100;
	if (dp_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal, &p) < 0)
		return 1;
	pool = rte_mempool_lookup("dp_mbufs");
	if (!pool || dp_bridge_create("br0", &br) < 0)
		return 1;
	for (unsigned i = 1; i <= N_PORTS; i++)
		if (make_port(i) < 0)
			return 1;
	if (dp_start() < 0)
		return 1;
	SRunner *sr = srunner_create(group_suite());

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	dp_stop();
	dp_fini();
	return nfail == 0 ? 0 : 1;
}
