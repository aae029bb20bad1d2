/* The datapath through its public API (datapath.h) with a real EAL and worker lcore:
 * net_ring ports whose rings the test feeds and drains, flows installed with dp_flow_add,
 * forwarding, the multi-table pipeline (goto, metadata, apply/write/clear, action set),
 * reserved outputs (FLOOD, ALL, IN_PORT, CONTROLLER, NORMAL, LOCAL), counters, port
 * config, packet-out (ordered, OFPP_TABLE), jumbo multi-segment frames, mbufs returning
 * to the pool, and the consistency test: a hot flow's output flipped thousands of times
 * under traffic, no packet lost, none with a mix of old and new actions.
 *
 * Built twice: with DP_TEST_WORKERS 1 (test datapath) and 2 (test datapath_2w), where
 * the four single-queue ports go round-robin to the two workers, so the same tests run
 * with a flow's packets entering on two workers at once (the consistency test feeds
 * ports 1 and 4, one per worker), and test_workers_exact checks that both workers
 * forward and that every counter (flow, table, port, group bucket, meter) and a meter's
 * shared token bucket stay exact across them.
 *
 * EAL: --no-huge --no-shconf, lcore 0 (control) and one lcore per worker; with 2 workers
 * the 3 lcores float over cores 0-1 (oversubscribed on a 2-core machine: the tests make
 * no timing assumption). CK_FORK=no. */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "arena.h"
#include "datapath.h"
#include "dp_testlib.h"
#include "ofp_group.h"
#include "ofp_instruction.h"
#include "oxm.h"
#include "util.h"

#ifndef DP_TEST_WORKERS
#define DP_TEST_WORKERS 1
#endif
#define N_PORTS 4
#define RING_SIZE 4096
#define DP_SHAPE_TEST_IPS 5   /* one more than a shape's extra rules */
#define DP_SHAPE_TEST_BIG 300 /* rules: above DP_SHAPE_SMALL */

static struct dp_bridge *br;
static struct dp_test_port ports[N_PORTS + 1]; /* 1-based */
static struct rte_mempool *pool;

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- Helpers -------------------------------------------------------------------------- */

/* A net_ring port of fresh rings on b as ofport. */
static int
make_port(struct dp_bridge *b, struct dp_test_port *tp, const char *name, uint32_t ofport)
{
	return dp_test_ring_port(b, tp, "t", name, ofport, RING_SIZE, RING_SIZE);
}

/* A 60-byte IPv4/UDP frame whose payload carries seq. */
static struct rte_mbuf *
frame(const uint8_t *dst, const uint8_t *src, uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t p[60] = { 0 };
	char *d;

	ck_assert_ptr_nonnull(m);
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	p[12] = 0x08;
	p[14] = 0x45;		  /* IPv4, IHL 5 */
	p[17] = 46;		  /* total length */
	p[22] = 64;		  /* TTL */
	p[23] = 17;		  /* UDP */
	p[26] = 10, p[29] = 1;	  /* 10.0.0.1 */
	p[30] = 10, p[33] = 2;	  /* 10.0.0.2 */
	p[35] = 100, p[37] = 200; /* ports */
	p[39] = 26;		  /* UDP length */
	memcpy(p + 42, &seq, 4);
	d = rte_pktmbuf_append(m, sizeof(p));
	ck_assert_ptr_nonnull(d);
	memcpy(d, p, sizeof(p));
	return m;
}

static uint32_t
seq_of(struct rte_mbuf *m)
{
	uint32_t s;

	memcpy(&s, rte_pktmbuf_mtod_offset(m, uint8_t *, 42), 4);
	return s;
}

static uint32_t
seq_of_at(struct rte_mbuf *m, unsigned off)
{
	uint32_t s;

	memcpy(&s, rte_pktmbuf_mtod_offset(m, uint8_t *, off), 4);
	return s;
}

static void
send_on(unsigned port, struct rte_mbuf *m)
{
	ck_assert_int_eq(rte_ring_enqueue(ports[port].rx, m), 0);
}

static void
send_n(unsigned port, const uint8_t *dst, const uint8_t *src, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		send_on(port, frame(dst, src, i));
}

/* Waits until every rx ring is empty and the worker went round twice more. */
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

/* Receives up to max packets from port's tx ring, waiting up to 2 s for want of them. */
static unsigned
recv_on(unsigned port, struct rte_mbuf **out, unsigned max, unsigned want)
{
	unsigned got = 0;
	uint64_t t0 = dp_test_now_ms();

	while (got < max) {
		unsigned n =
			rte_ring_dequeue_burst(ports[port].tx, (void **)out + got, max - got, NULL);
		got += n;
		if (got >= want && n == 0)
			break;
		if (!n) {
			if (dp_test_now_ms() - t0 > 2000)
				break;
			usleep(50);
		}
	}
	return got;
}

static void
free_all(struct rte_mbuf **m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

/* Drains every port and returns how many packets each had (counts[1..N_PORTS]). */
static void
drain_counts(unsigned counts[N_PORTS + 1])
{
	struct rte_mbuf *m[256];

	settle();
	for (unsigned i = 1; i <= N_PORTS; i++) {
		unsigned n;

		counts[i] = 0;
		while ((n = rte_ring_dequeue_burst(ports[i].tx, (void **)m, 256, NULL)) > 0) {
			counts[i] += n;
			free_all(m, n);
		}
	}
}

static struct dp_flow *
add_flow_x(struct dp_bridge *b, uint8_t table, uint16_t prio, const char *match,
	   const char *actions, uint16_t flags, uint64_t cookie, int expect)
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
		.table_id = table,
		.priority = prio,
		.cookie = cookie,
		.flags = flags,
		.match = &m,
		.insts = &il,
	};
	int ret = dp_flow_add(b, &spec, &f, &err);

	ck_assert_msg(ret == expect, "add %s -> %s: %d (err %u/%u)", match, actions, ret, err.type,
		      err.code);
	arena_free(&a);
	return ret == 0 ? f : NULL;
}

static struct dp_flow *
add_flow(uint8_t table, uint16_t prio, const char *match, const char *actions)
{
	return add_flow_x(br, table, prio, match, actions, 0, 0x1234, 0);
}

static void
modify_flow(struct dp_flow *f, const char *actions)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list il;
	struct ofp_err err;
	char eb[256];

	ck_assert(ofp_instructions_parse(actions, &a, &il, eb, sizeof(eb)) == 0);
	ck_assert_int_eq(dp_flow_modify(br, f, &il, &err), 0);
	arena_free(&a);
}

/* Flows added by a test; removed by teardown. */
static struct dp_flow *flows[64];
static unsigned n_flows;

static struct dp_flow *
track(struct dp_flow *f)
{
	ck_assert_uint_lt(n_flows, 64);
	flows[n_flows++] = f;
	return f;
}

/* Removes a tracked flow now (teardown skips it). */
static void
untrack(struct dp_flow *f)
{
	for (unsigned i = 0; i < n_flows; i++)
		if (flows[i] == f)
			flows[i] = NULL;
	dp_flow_remove(br, f);
}

static void
teardown(void)
{
	for (unsigned i = 0; i < n_flows; i++)
		dp_flow_remove(br, flows[i]); /* NULL-safe */
	n_flows = 0;
	dp_bridge_set_normal_mode(br, false);
	ck_assert_int_eq(dp_commit(br), 0);
	for (unsigned i = 1; i <= N_PORTS; i++)
		ck_assert_int_eq(dp_port_set_config(ports[i].dp, 0,
						    OFPPC_PORT_DOWN | OFPPC_NO_RECV | OFPPC_NO_FWD |
							    OFPPC_NO_PACKET_IN),
				 0);
	unsigned c[N_PORTS + 1];

	drain_counts(c);
	struct dp_upcall *ups = malloc(sizeof(*ups) * 8);

	while (dp_upcall_recv(ups, 8) > 0)
		;
	free(ups);
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

/* ---- Tests ---------------------------------------------------------------------------- */

START_TEST(test_forward)
{
	struct rte_mbuf *m[64];
	struct dp_port_stats ps1, ps2, qs1, qs2;
	uint64_t pk, by, used, lk0, mt0, lk, mt;

	dp_port_get_stats(ports[1].dp, &ps1);
	dp_port_get_stats(ports[2].dp, &ps2);
	dp_table_get_stats(br, 0, &lk0, &mt0);
	struct dp_flow *f = track(add_flow(0, 10, "in_port=1", "output:2"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	for (unsigned i = 0; i < 40; i++)
		send_on(1, frame(MAC_B, MAC_A, i));
	unsigned n = recv_on(2, m, 64, 40);

	ck_assert_uint_eq(n, 40);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(seq_of(m[i]), i); /* in order */
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[i]), 60);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], uint8_t *), MAC_B, 6);
	}
	free_all(m, n);
	unsigned c[N_PORTS + 1];

	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[3] + c[4], 0);
	dp_flow_get_stats(f, &pk, &by, &used);
	ck_assert_uint_eq(pk, 40);
	ck_assert_uint_eq(by, 40 * 60);
	ck_assert_uint_gt(used, 0);
	dp_table_get_stats(br, 0, &lk, &mt);
	ck_assert_uint_eq(lk - lk0, 40);
	ck_assert_uint_eq(mt - mt0, 40);
	dp_port_get_stats(ports[1].dp, &qs1);
	dp_port_get_stats(ports[2].dp, &qs2);
	ck_assert_uint_eq(qs1.rx_packets - ps1.rx_packets, 40);
	ck_assert_uint_eq(qs1.rx_bytes - ps1.rx_bytes, 40 * 60);
	ck_assert_uint_eq(qs2.tx_packets - ps2.tx_packets, 40);
	ck_assert_uint_eq(qs2.tx_bytes - ps2.tx_bytes, 40 * 60);

	/* The reverse direction has no rule: table miss, dropped and counted. */
	uint64_t miss0 = drop_count("table_miss");

	send_n(2, MAC_A, MAC_B, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
	ck_assert_uint_eq(drop_count("table_miss") - miss0, 5);
}
END_TEST

START_TEST(test_update_visible_at_commit)
{
	struct rte_mbuf *m[8];
	struct dp_flow *f = track(add_flow(0, 10, "in_port=1", "output:2"));

	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 3);
	ck_assert_uint_eq(recv_on(2, m, 8, 3), 3);
	free_all(m, 3);
	/* Staged, not committed: still port 2 (and the cache must not matter). */
	modify_flow(f, "output:3");
	send_n(1, MAC_B, MAC_A, 3);
	ck_assert_uint_eq(recv_on(2, m, 8, 3), 3);
	free_all(m, 3);
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	send_n(1, MAC_B, MAC_A, 3);
	ck_assert_uint_eq(recv_on(3, m, 8, 3), 3);
	free_all(m, 3);
	/* A higher-priority rule added later wins from the commit on. */
	track(add_flow(0, 20, "in_port=1,eth_dst=02:00:00:00:00:0b", "output:4"));
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	send_n(1, MAC_B, MAC_A, 3);
	ck_assert_uint_eq(recv_on(4, m, 8, 3), 3);
	free_all(m, 3);
	unsigned c[N_PORTS + 1];

	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
}
END_TEST

START_TEST(test_pipeline)
{
	struct rte_mbuf *m[8];
	unsigned c[N_PORTS + 1];

	/* table 0: metadata and a header edit, then table 1 */
	track(add_flow(
		0, 10, "in_port=1",
		"set_field:02:00:00:00:00:0c->eth_dst,write_metadata:0x5/0xff,goto_table:1"));
	/* table 1: matches on the metadata; output 3 into the action set */
	track(add_flow(1, 10, "metadata=0x5/0xff", "write_actions(output:3),goto_table:2"));
	/* table 2: the table-miss rule: apply output 2 now; the set outputs 3 at the end */
	track(add_flow(2, 0, "", "output:2"));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 4);
	ck_assert_uint_eq(recv_on(2, m, 8, 4), 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], uint8_t *), MAC_C, 6);
	free_all(m, 4);
	ck_assert_uint_eq(recv_on(3, m, 8, 4), 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], uint8_t *), MAC_C, 6);
	free_all(m, 4);

	uint64_t l1, m1, l2, m2;

	dp_table_get_stats(br, 1, &l1, &m1);
	dp_table_get_stats(br, 2, &l2, &m2);
	ck_assert_uint_eq(l1, 4);
	ck_assert_uint_eq(m1, 4);
	ck_assert_uint_eq(m2, 4);

	/* A metadata mismatch in table 1: table miss there, nothing leaves. */
	teardown();
	track(add_flow(0, 10, "in_port=1", "write_metadata:0x6/0xff,goto_table:1"));
	track(add_flow(1, 10, "metadata=0x5/0xff", "output:2"));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[2] + c[3] + c[4], 0);

	/* clear_actions in the last table empties the set: only the apply output. */
	teardown();
	track(add_flow(0, 10, "in_port=1", "write_actions(output:3),goto_table:5"));
	track(add_flow(5, 10, "", "clear_actions,output:4"));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[3], 0);
	ck_assert_uint_eq(c[4], 3);

	/* write_actions replaces per type: the later output wins (set semantics). */
	teardown();
	track(add_flow(0, 10, "in_port=1", "write_actions(output:3),goto_table:1"));
	track(add_flow(1, 10, "", "write_actions(output:4)"));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[3], 0);
	ck_assert_uint_eq(c[4], 3);

	/* A goto backwards is refused; an unknown goto table is not the datapath's to judge
	 * but a backwards one would loop. */
	add_flow_x(br, 3, 10, "", "goto_table:2", 0, 0, -EOPNOTSUPP);
}
END_TEST

/* Cache hits replay the same edits: a header pushed in table 0, then a plain output:N
 * (the pipeline's direct path) in table 1; a key-free path beside a key-using one (a
 * field rewrite) in the same cache; each packet leaves exactly as the first one did. */
START_TEST(test_cached_paths_exact)
{
	struct rte_mbuf *m[16];
	unsigned c[N_PORTS + 1];

	track(add_flow(0, 20, "in_port=1",
		       "push_vlan:0x8100,set_field:4102->vlan_vid,goto_table:1"));
	track(add_flow(0, 10, "in_port=2", "set_field:10.9.9.9->ip_src,output:4"));
	track(add_flow(1, 10, "", "output:3"));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 5);
	send_n(2, MAC_B, MAC_A, 5);
	ck_assert_uint_eq(recv_on(3, m, 16, 5), 5);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);

		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[i]), 64);
		ck_assert_uint_eq(rte_pktmbuf_data_len(m[i]), 64);
		ck_assert_uint_eq(d[12], 0x81);
		ck_assert_uint_eq(d[13], 0x00);
		ck_assert_uint_eq((d[14] << 8 | d[15]) & 0xfff, 6);
		ck_assert_uint_eq(d[16], 0x08);
		ck_assert_uint_eq(seq_of_at(m[i], 46), i);
	}
	free_all(m, 5);
	ck_assert_uint_eq(recv_on(4, m, 16, 5), 5);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);

		ck_assert_uint_eq(d[26], 10);
		ck_assert_uint_eq(d[27], 9);
		ck_assert_uint_eq(d[29], 9);
		ck_assert_uint_eq(seq_of(m[i]), i);
	}
	free_all(m, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
}
END_TEST

/* ---- Composed cache entries: every counter exact ------------------------------------ */

/* A frame of frame() with source address 10.0.<hi>.<lo> (a flow of its own). */
static struct rte_mbuf *
frame_from(const uint8_t *dst, const uint8_t *src, uint32_t seq, uint16_t flow)
{
	struct rte_mbuf *m = frame(dst, src, seq);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	p[28] = (uint8_t)(flow >> 8);
	p[29] = (uint8_t)flow;
	return m;
}

/* Sends n frames on port over n_flows flows (round robin), as bursts mix them. */
static void
send_flows(unsigned port, unsigned n, unsigned n_keys)
{
	for (unsigned i = 0; i < n; i++)
		send_on(port, frame_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % n_keys)));
}

/* Adds a group from ovs-ofctl text; 0 or dp_group_add()'s error. */
static int
add_group(const char *text)
{
	return dp_test_group(br, text, false);
}

struct counts {
	uint64_t tl[4], tm[4];			    /* tables 0-3: lookups, matched */
	uint64_t tx[N_PORTS + 1], txb[N_PORTS + 1]; /* ports: tx packets, bytes */
	uint64_t gp[4], gb[4][2];		    /* groups 1-3: packets, bucket packets */
	uint64_t miss;
};

static void
read_counts(struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned t = 0; t < 4; t++)
		dp_table_get_stats(br, (uint8_t)t, &c->tl[t], &c->tm[t]);
	for (unsigned i = 1; i <= N_PORTS; i++) {
		struct dp_port_stats ps;

		dp_port_get_stats(ports[i].dp, &ps);
		c->tx[i] = ps.tx_packets;
		c->txb[i] = ps.tx_bytes;
	}
	for (unsigned g = 1; g <= 3; g++) {
		struct dp_group_stats gs;

		ck_assert_int_eq(dp_group_get_stats(br, g, &gs), 0);
		c->gp[g] = gs.packets;
		for (unsigned b = 0; b < gs.n_buckets && b < 2; b++)
			c->gb[g][b] = gs.bucket_packets[b];
	}
	c->miss = drop_count("table_miss");
}

static void
check_flow(struct dp_flow *f, uint64_t packets, uint64_t *used)
{
	uint64_t pk, by, u;

	dp_flow_get_stats(f, &pk, &by, &u);
	ck_assert_uint_eq(pk, packets);
	ck_assert_uint_eq(by, packets * 60);
	if (used)
		*used = u;
}

/* An ARP request, 60 bytes: a shape dp_key_fast() does not take. */
static struct rte_mbuf *
arp_frame(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t p[60] = { 0 };

	ck_assert_ptr_nonnull(m);
	memcpy(p, MAC_BCAST, 6);
	memcpy(p + 6, MAC_A, 6);
	p[12] = 0x08, p[13] = 0x06;
	p[15] = 1, p[16] = 0x08, p[18] = 6, p[19] = 4, p[21] = 1; /* Ethernet/IPv4, request */
	memcpy(p + 22, MAC_A, 6);
	memcpy(rte_pktmbuf_append(m, sizeof(p)), p, sizeof(p));
	return m;
}

/* Table 0 an array by in_port of output:N rules (and then one match-all output:N rule):
 * bursts go straight to the port without a key or the cache (port_rule()). Every rule,
 * table and port counter is exact; ARP runs the pipeline in order with the rest; a frame
 * whose IP header lies about its length is dropped as the pipeline drops it. */
START_TEST(test_port_rule_exact)
{
	uint64_t l0, m0, l1, m1;
	struct dp_port_stats p20, p21, p40, p41;
	unsigned c[N_PORTS + 1];
	const unsigned N = 1000, NA = 40, NT = 7;
	uint64_t trunc = drop_count("ipv4_truncated");
	struct dp_flow *f1 = track(add_flow(0, 10, "in_port=1", "output:2"));
	struct dp_flow *f3 = track(add_flow(0, 10, "in_port=3", "output:4"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	ck_assert_str_eq(dp_table_shape(br, 0), "in_port");
	dp_table_get_stats(br, 0, &l0, &m0);
	dp_port_get_stats(ports[2].dp, &p20);
	dp_port_get_stats(ports[4].dp, &p40);
	for (unsigned i = 0; i < N; i++) {
		send_on(1, frame(MAC_B, MAC_A, i));
		if (i % 25 == 0)
			send_on(1, arp_frame());
		if (i % 150 == 0) {
			struct rte_mbuf *m = frame(MAC_B, MAC_A, i);

			rte_pktmbuf_mtod(m, uint8_t *)[17] = 200; /* total length > frame */
			send_on(1, m);
		}
	}
	send_n(3, MAC_A, MAC_B, N / 2);
	drain_counts(c);
	dp_table_get_stats(br, 0, &l1, &m1);
	dp_port_get_stats(ports[2].dp, &p21);
	dp_port_get_stats(ports[4].dp, &p41);
	ck_assert_uint_eq(c[2], N + NA);
	ck_assert_uint_eq(c[4], N / 2);
	ck_assert_uint_eq(drop_count("ipv4_truncated") - trunc, NT);
	check_flow(f1, N + NA, NULL);
	check_flow(f3, N / 2, NULL);
	ck_assert_uint_eq(l1 - l0, N + NA + N / 2);
	ck_assert_uint_eq(m1 - m0, N + NA + N / 2);
	ck_assert_uint_eq(p21.tx_packets - p20.tx_packets, N + NA);
	ck_assert_uint_eq(p21.tx_bytes - p20.tx_bytes, (N + NA) * 60);
	ck_assert_uint_eq(p41.tx_packets - p40.tx_packets, N / 2);

	/* One match-all rule instead: every port's packets go to 2 (but port 2's own). */
	untrack(f1);
	untrack(f3);
	struct dp_flow *fa = track(add_flow(0, 0, "", "output:2"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	ck_assert_str_eq(dp_table_shape(br, 0), "skip");
	send_n(1, MAC_B, MAC_A, N);
	send_n(3, MAC_B, MAC_A, N);
	send_n(2, MAC_B, MAC_A, 10); /* output to the ingress port: dropped */
	drain_counts(c);
	ck_assert_uint_eq(c[2], 2 * N);
	check_flow(fa, 2 * N + 10, NULL);
}
END_TEST

/* A path of address edits and dec_ttl before output:N: a cache hit applies the edits as
 * one patch (dp_cprog.edit), and sends the same bytes as the miss that ran them op by
 * op; a hit whose TTL would expire is dropped as invalid_ttl, not patched; a partial
 * edit (eth_dst alone) leaves the other address. */
START_TEST(test_compose_edit_patch)
{
	static const uint8_t NEW_SRC[6] = { 0x02, 0, 0, 0, 0, 0x5a };
	static const uint8_t NEW_DST[6] = { 0x02, 0, 0, 0, 0, 0x5b };
	struct rte_mbuf *m[8];
	uint8_t first[60];

	track(add_flow(0, 10, "in_port=1,ip", "set_field:02:00:00:00:00:5a->eth_src,goto_table:1"));
	track(add_flow(1, 10, "ip", "dec_ttl,set_field:02:00:00:00:00:5b->eth_dst,output:2"));
	track(add_flow(0, 10, "in_port=3,ip", "set_field:02:00:00:00:00:5b->eth_dst,output:4"));
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);

	/* The miss (op by op), then hits in one burst. */
	send_on(1, frame(MAC_B, MAC_A, 0));
	settle();
	ck_assert_uint_eq(recv_on(2, m, 8, 1), 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[0]), 60);
	memcpy(first, rte_pktmbuf_mtod(m[0], uint8_t *), 60);
	free_all(m, 1);
	ck_assert_mem_eq(first, NEW_DST, 6);
	ck_assert_mem_eq(first + 6, NEW_SRC, 6);
	ck_assert_uint_eq(first[22], 63);
	for (uint32_t i = 1; i <= 3; i++)
		send_on(1, frame(MAC_B, MAC_A, 0));
	settle();
	ck_assert_uint_eq(recv_on(2, m, 8, 3), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[i], uint8_t *), first, 60);
	free_all(m, 3);

	/* TTL 1 on a hit (TTL is not in the key): dropped, the frame not sent. */
	uint64_t bad0 = drop_count("invalid_ttl");
	struct rte_mbuf *t1 = frame(MAC_B, MAC_A, 0);

	rte_pktmbuf_mtod(t1, uint8_t *)[22] = 1;
	send_on(1, t1);
	settle();
	ck_assert_uint_eq(recv_on(2, m, 8, 0), 0);
	ck_assert_uint_eq(drop_count("invalid_ttl"), bad0 + 1);

	/* eth_dst alone: miss, then a hit; the source address stays. */
	for (unsigned round = 0; round < 2; round++) {
		send_on(3, frame(MAC_B, MAC_A, round));
		settle();
		ck_assert_uint_eq(recv_on(4, m, 8, 1), 1);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *), NEW_DST, 6);
		ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *) + 6, MAC_A, 6);
		ck_assert_uint_eq(rte_pktmbuf_mtod(m[0], uint8_t *)[22], 64);
		free_all(m, 1);
	}
}
END_TEST

/* Paths of several tables and groups, run from composed cache entries (many flows, in
 * bursts), with the counters read between rounds (attribution by flush) and after a
 * flow change (stale entries attributed): every rule, table, group, bucket and port
 * counter, the last-used time and a removed flow's counters are exact. */
START_TEST(test_compose_counters_exact)
{
	struct counts c0, c1;
	const unsigned NA = 300, NB = 200, NC = 256, ND = 100;
	uint64_t used0, used1;

	ck_assert_int_eq(add_group("group_id=1,type=all,bucket=output:2,bucket=output:3"), 0);
	ck_assert_int_eq(
		add_group(
			"group_id=2,type=select,bucket=weight:1,output:1,bucket=weight:1,output:4"),
		0);
	ck_assert_int_eq(add_group("group_id=3,type=indirect,"
				   "bucket=set_field:02:00:00:00:00:0c->eth_dst,output:4"),
			 0);
	/* A: write_metadata, goto, write group (action set), edit, dec_ttl: ALL to 2 and 3. */
	struct dp_flow *f0 =
		track(add_flow(0, 10, "in_port=1", "write_metadata:0x5/0xff,goto_table:1"));
	struct dp_flow *f1 = track(add_flow(1, 10, "metadata=0x5/0xff",
					    "write_actions(group:1,output:4),goto_table:2"));
	struct dp_flow *f2 =
		track(add_flow(2, 10, "ip", "set_field:10.9.9.9->ip_dst,goto_table:3"));
	struct dp_flow *f3 = track(add_flow(3, 10, "", "dec_ttl"));
	/* B: an indirect group in apply-actions (port 4), then tables 2 and 3. */
	struct dp_flow *f4 = track(add_flow(0, 10, "in_port=2", "group:3,goto_table:2"));
	/* C: a select group (ports 1 and 4, per flow). */
	struct dp_flow *f5 = track(add_flow(0, 10, "in_port=3", "group:2"));
	/* D: goto, then a miss in table 1 (metadata 0). */
	struct dp_flow *f6 = track(add_flow(0, 10, "in_port=4", "goto_table:1"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	read_counts(&c0);
	for (unsigned round = 0; round < 2; round++) {
		unsigned c[N_PORTS + 1];

		send_flows(1, NA / 2, 7);
		send_flows(2, NB / 2, 5);
		send_flows(3, NC / 2, 16);
		send_flows(4, ND / 2, 3);
		drain_counts(c);
		if (round == 0) {
			/* Read (flushed) between the rounds: later counts add up. */
			check_flow(f0, NA / 2, &used0);
			ck_assert_uint_gt(used0, 0);
			usleep(20000);
		}
	}
	read_counts(&c1);
	check_flow(f0, NA, &used1);
	ck_assert_uint_gt(used1, used0); /* idle timeouts see the second round */
	check_flow(f1, NA, NULL);
	check_flow(f2, NA + NB, NULL);
	check_flow(f3, NA + NB, NULL);
	check_flow(f4, NB, NULL);
	check_flow(f5, NC, NULL);
	check_flow(f6, ND, NULL);
	ck_assert_uint_eq(c1.tl[0] - c0.tl[0], NA + NB + NC + ND);
	ck_assert_uint_eq(c1.tm[0] - c0.tm[0], NA + NB + NC + ND);
	ck_assert_uint_eq(c1.tl[1] - c0.tl[1], NA + ND);
	ck_assert_uint_eq(c1.tm[1] - c0.tm[1], NA);
	ck_assert_uint_eq(c1.tl[2] - c0.tl[2], NA + NB);
	ck_assert_uint_eq(c1.tm[2] - c0.tm[2], NA + NB);
	ck_assert_uint_eq(c1.tl[3] - c0.tl[3], NA + NB);
	ck_assert_uint_eq(c1.tm[3] - c0.tm[3], NA + NB);
	ck_assert_uint_eq(c1.miss - c0.miss, ND);
	ck_assert_uint_eq(c1.gp[1] - c0.gp[1], NA);
	ck_assert_uint_eq(c1.gb[1][0] - c0.gb[1][0], NA);
	ck_assert_uint_eq(c1.gb[1][1] - c0.gb[1][1], NA);
	ck_assert_uint_eq(c1.gp[2] - c0.gp[2], NC);
	ck_assert_uint_eq(c1.gb[2][0] + c1.gb[2][1] - c0.gb[2][0] - c0.gb[2][1], NC);
	ck_assert_uint_gt(c1.gb[2][0] - c0.gb[2][0], 0); /* 16 flows spread */
	ck_assert_uint_gt(c1.gb[2][1] - c0.gb[2][1], 0);
	ck_assert_uint_eq(c1.gp[3] - c0.gp[3], NB);
	ck_assert_uint_eq(c1.gb[3][0] - c0.gb[3][0], NB);
	ck_assert_uint_eq(c1.tx[1] - c0.tx[1], c1.gb[2][0] - c0.gb[2][0]);
	ck_assert_uint_eq(c1.tx[2] - c0.tx[2], NA);
	ck_assert_uint_eq(c1.tx[3] - c0.tx[3], NA);
	ck_assert_uint_eq(c1.tx[4] - c0.tx[4], NB + c1.gb[2][1] - c0.gb[2][1]);
	ck_assert_uint_eq(c1.txb[2] - c0.txb[2], NA * 60);

	/* A flow change makes the entries stale: what they counted stays, new packets
	 * count on (the flow keeps its counters across the modify). */
	modify_flow(f3, "dec_ttl,set_field:10.8.8.8->ip_src");
	ck_assert_int_eq(dp_commit(br), 0);
	send_flows(1, 50, 7);
	unsigned c[N_PORTS + 1];

	drain_counts(c);
	ck_assert_uint_eq(c[2], 50);
	ck_assert_uint_eq(c[3], 50);
	check_flow(f3, NA + NB + 50, NULL);
	check_flow(f0, NA + 50, NULL);
	/* FLOW_REMOVED reads a removed flow's counters before the commit frees it. */
	send_flows(4, 10, 3);
	drain_counts(c);
	for (unsigned i = 0; i < n_flows; i++)
		if (flows[i] == f6)
			flows[i] = flows[--n_flows];
	dp_flow_remove(br, f6);
	check_flow(f6, ND + 10, NULL);
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_group_delete(br, OFPG_ALL), 0);
}
END_TEST

/* A 50-byte IPv4/UDP frame (a runt: no Ethernet padding) of flow `flow`. */
static struct rte_mbuf *
runt_from(const uint8_t *dst, const uint8_t *src, uint32_t seq, uint16_t flow)
{
	struct rte_mbuf *m = frame_from(dst, src, seq, flow);
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	p[17] = 36; /* IPv4 total length: 20 + UDP 8 + 8 */
	p[39] = 16; /* UDP length */
	ck_assert_int_eq(rte_pktmbuf_trim(m, 10), 0);
	return m;
}

/* m with an 802.1Q tag of VLAN vid after the addresses. */
static struct rte_mbuf *
tagged(struct rte_mbuf *m, uint16_t vid)
{
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, 4);

	ck_assert_ptr_nonnull(p);
	memmove(p, p + 4, 12);
	p[12] = 0x81;
	p[13] = 0;
	p[14] = (uint8_t)(vid >> 8);
	p[15] = (uint8_t)vid;
	return m;
}

static void
port_tx(unsigned port, uint64_t *packets, uint64_t *bytes)
{
	struct dp_port_stats ps;

	dp_port_get_stats(ports[port].dp, &ps);
	*packets = ps.tx_packets;
	*bytes = ps.tx_bytes;
}

static void
check_flow_bytes(struct dp_flow *f, uint64_t packets, uint64_t bytes)
{
	uint64_t pk, by, u;

	dp_flow_get_stats(f, &pk, &by, &u);
	ck_assert_uint_eq(pk, packets);
	ck_assert_uint_eq(by, bytes);
}

/* The Faucet shape (tests/bench S10): untagged ingress tagged in table 0, untagged again
 * by the eth_dst rule of table 2 before output. The cache entry's program elides the
 * pair (a plain output:2): frames leave byte for byte as they came, over many flows and
 * bursts of hits; runts leave re-padded to 60 bytes as the pop pads them (they replay
 * the rules); a trunk egress (push, set vlan_vid, output, nothing elided) leaves tagged;
 * tagged ingress popped leaves untagged (runts re-padded). Every rule, table and port
 * counter is exact. */
START_TEST(test_compose_vlan_exact)
{
	const unsigned N = 400, NR = 40, NT = 100, FLOWS = 9;
	uint64_t l0[3], m0[3], l1[3], m1[3], tx0[N_PORTS + 1], txb0[N_PORTS + 1];
	uint64_t tx1[N_PORTS + 1], txb1[N_PORTS + 1];
	struct rte_mbuf *m[64];

	struct dp_flow *f0 =
		track(add_flow(0, 20, "in_port=1,vlan_vid=0",
			       "push_vlan:0x8100,set_field:4196->vlan_vid,goto_table:1"));
	struct dp_flow *f1 = track(add_flow(1, 0, "", "goto_table:2"));
	struct dp_flow *f2 = track(
		add_flow(2, 10, "vlan_vid=4196,eth_dst=02:00:00:00:00:0b", "pop_vlan,output:2"));
	struct dp_flow *f3 = track(add_flow(0, 20, "in_port=4,vlan_vid=0",
					    "push_vlan:0x8100,set_field:4296->vlan_vid,output:3"));
	/* Access egress of tagged ingress: pop (a runt's pop re-pads and re-parses). */
	struct dp_flow *f4 = track(add_flow(0, 20, "in_port=3,vlan_vid=4196", "pop_vlan,output:4"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	for (unsigned t = 0; t < 3; t++)
		dp_table_get_stats(br, (uint8_t)t, &l0[t], &m0[t]);
	for (unsigned i = 1; i <= N_PORTS; i++)
		port_tx(i, &tx0[i], &txb0[i]);

	/* Full-size frames: the first of each flow misses, the rest hit in bursts. */
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < N / 2; i++)
			send_on(1, frame_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % FLOWS)));
		unsigned got = 0;

		while (got < N / 2) {
			unsigned k = recv_on(2, m, 64, 1);

			ck_assert_uint_gt(k, 0);
			for (unsigned j = 0; j < k; j++, got++) {
				uint32_t seq = seq_of(m[j]);
				struct rte_mbuf *want =
					frame_from(MAC_B, MAC_A, seq, (uint16_t)(1 + seq % FLOWS));

				ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[j]), 60);
				ck_assert_uint_eq(rte_pktmbuf_data_len(m[j]), 60);
				ck_assert_mem_eq(rte_pktmbuf_mtod(m[j], uint8_t *),
						 rte_pktmbuf_mtod(want, uint8_t *), 60);
				rte_pktmbuf_free(want);
			}
			free_all(m, k);
		}
		ck_assert_uint_eq(got, N / 2);
	}
	/* Runts, twice per flow (a miss, then hits): re-padded with zeros to 60. */
	for (unsigned i = 0; i < NR; i++)
		send_on(1, runt_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % 4)));
	ck_assert_uint_eq(recv_on(2, m, 64, NR), NR);
	for (unsigned j = 0; j < NR; j++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[j], const uint8_t *);
		static const uint8_t zero[10];
		uint32_t seq = seq_of(m[j]);
		struct rte_mbuf *want = runt_from(MAC_B, MAC_A, seq, (uint16_t)(1 + seq % 4));

		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[j]), 60);
		ck_assert_mem_eq(d, rte_pktmbuf_mtod(want, uint8_t *), 50);
		ck_assert_mem_eq(d + 50, zero, 10);
		rte_pktmbuf_free(want);
	}
	free_all(m, NR);
	/* Trunk egress: tagged with VLAN 200 (the frame's bytes after the tag). */
	for (unsigned i = 0; i < NT; i++)
		send_on(4, frame_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % FLOWS)));
	ck_assert_uint_eq(recv_on(3, m, 64, 64), 64);
	unsigned got_t = 64;

	for (unsigned pass = 0; pass < 2; pass++) {
		unsigned k = pass ? recv_on(3, m, 64, NT - 64) : 64;

		if (pass)
			got_t += k;
		for (unsigned j = 0; j < k; j++) {
			const uint8_t *d = rte_pktmbuf_mtod(m[j], const uint8_t *);
			uint32_t seq = seq_of_at(m[j], 46);
			struct rte_mbuf *want =
				frame_from(MAC_B, MAC_A, seq, (uint16_t)(1 + seq % FLOWS));
			const uint8_t *w = rte_pktmbuf_mtod(want, const uint8_t *);

			ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[j]), 64);
			ck_assert_mem_eq(d, w, 12);
			ck_assert_uint_eq(d[12] << 8 | d[13], 0x8100);
			ck_assert_uint_eq(d[14] << 8 | d[15], 200);
			ck_assert_mem_eq(d + 16, w + 12, 48);
			rte_pktmbuf_free(want);
		}
		free_all(m, k);
	}
	ck_assert_uint_eq(got_t, NT);
	/* Tagged ingress popped: full frames and runts (54 bytes tagged, 60 popped). */
	for (unsigned i = 0; i < NR; i++)
		send_on(3, tagged(i & 1 ? runt_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % 4))
					: frame_from(MAC_B, MAC_A, i, (uint16_t)(1 + i % 4)),
				  100));
	ck_assert_uint_eq(recv_on(4, m, 64, NR), NR);
	for (unsigned j = 0; j < NR; j++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[j], const uint8_t *);
		static const uint8_t zero[10];
		uint32_t seq = seq_of(m[j]);
		struct rte_mbuf *want =
			seq & 1 ? runt_from(MAC_B, MAC_A, seq, (uint16_t)(1 + seq % 4))
				: frame_from(MAC_B, MAC_A, seq, (uint16_t)(1 + seq % 4));

		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[j]), 60);
		ck_assert_mem_eq(d, rte_pktmbuf_mtod(want, uint8_t *), rte_pktmbuf_pkt_len(want));
		if (seq & 1)
			ck_assert_mem_eq(d + 50, zero, 10);
		rte_pktmbuf_free(want);
	}
	free_all(m, NR);

	unsigned c[N_PORTS + 1];

	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
	check_flow_bytes(f0, N + NR, N * 60 + NR * 50);
	check_flow_bytes(f1, N + NR, N * 60 + NR * 50);
	check_flow_bytes(f2, N + NR, N * 60 + NR * 50);
	check_flow_bytes(f3, NT, NT * 60);
	check_flow_bytes(f4, NR, NR / 2 * 64 + NR / 2 * 54);
	for (unsigned t = 0; t < 3; t++)
		dp_table_get_stats(br, (uint8_t)t, &l1[t], &m1[t]);
	ck_assert_uint_eq(l1[0] - l0[0], N + NR + NT + NR);
	ck_assert_uint_eq(m1[0] - m0[0], N + NR + NT + NR);
	for (unsigned t = 1; t < 3; t++) {
		ck_assert_uint_eq(l1[t] - l0[t], N + NR);
		ck_assert_uint_eq(m1[t] - m0[t], N + NR);
	}
	for (unsigned i = 1; i <= N_PORTS; i++)
		port_tx(i, &tx1[i], &txb1[i]);
	ck_assert_uint_eq(tx1[2] - tx0[2], N + NR);
	ck_assert_uint_eq(txb1[2] - txb0[2], (N + NR) * 60);
	ck_assert_uint_eq(tx1[3] - tx0[3], NT);
	ck_assert_uint_eq(txb1[3] - txb0[3], NT * 64);
	ck_assert_uint_eq(tx1[4] - tx0[4], NR);
	ck_assert_uint_eq(txb1[4] - txb0[4], NR * 60);
	ck_assert_uint_eq(tx1[1] - tx0[1], 0);
}
END_TEST

/* A meter on a composed path polices every packet (1 pps, burst 20), and a packet it
 * drops is counted on the rules and tables it reached, not on the later ones. */
START_TEST(test_compose_meter_exact)
{
	struct dp_meter_band_spec b = { OFPMBT_DROP, 1, 20, 0 };
	struct dp_meter_spec ms = { 7, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1, &b };
	struct ofp_err err;
	const unsigned N = 200;
	uint64_t tl0[2], tm0[2], tl1[2], tm1[2], m0 = drop_count("meter");
	unsigned c[N_PORTS + 1];

	ck_assert_int_eq(dp_meter_add(br, &ms, &err), 0);
	struct dp_flow *f0 = track(add_flow(0, 10, "in_port=1", "goto_table:1"));
	struct dp_flow *f1 = track(add_flow(1, 10, "",
					    "meter:7,set_field:10.7.7.7->ip_dst,"
					    "goto_table:2"));
	struct dp_flow *f2 = track(add_flow(2, 10, "", "output:2"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	for (unsigned t = 0; t < 2; t++)
		dp_table_get_stats(br, (uint8_t)(t + 1), &tl0[t], &tm0[t]);
	send_flows(1, N, 4);
	drain_counts(c);
	ck_assert_uint_ge(c[2], 20); /* the burst */
	ck_assert_uint_lt(c[2], 40);
	check_flow(f0, N, NULL);
	check_flow(f1, N, NULL);
	check_flow(f2, c[2], NULL);
	for (unsigned t = 0; t < 2; t++)
		dp_table_get_stats(br, (uint8_t)(t + 1), &tl1[t], &tm1[t]);
	ck_assert_uint_eq(tl1[0] - tl0[0], N);
	ck_assert_uint_eq(tm1[0] - tm0[0], N);
	ck_assert_uint_eq(tl1[1] - tl0[1], c[2]);
	ck_assert_uint_eq(tm1[1] - tm0[1], c[2]);
	ck_assert_uint_eq(drop_count("meter") - m0, N - c[2]);
	ck_assert_int_eq(dp_meter_delete(br, 7), 0);
}
END_TEST

START_TEST(test_reserved_ports)
{
	unsigned c[N_PORTS + 1];
	struct dp_flow *f = track(add_flow(0, 10, "in_port=1", "FLOOD"));

	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[1], 0);
	ck_assert_uint_eq(c[2], 3);
	ck_assert_uint_eq(c[3], 3);
	ck_assert_uint_eq(c[4], 3);

	/* NO_FWD ports are skipped by FLOOD and ALL and refuse direct output. */
	ck_assert_int_eq(dp_port_set_config(ports[3].dp, OFPPC_NO_FWD, OFPPC_NO_FWD), 0);
	send_n(1, MAC_B, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[3], 0);
	ck_assert_uint_eq(c[2] + c[4], 6);
	modify_flow(f, "ALL");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[3], 0);
	ck_assert_uint_eq(c[2] + c[4], 6);
	uint64_t nofwd = drop_count("tx_no_fwd");

	modify_flow(f, "output:3");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[3], 0);
	ck_assert_uint_eq(drop_count("tx_no_fwd") - nofwd, 2);
	ck_assert_int_eq(dp_port_set_config(ports[3].dp, 0, OFPPC_NO_FWD), 0);

	/* IN_PORT sends back; output:<ingress> is dropped (use IN_PORT). */
	modify_flow(f, "IN_PORT");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[1], 2);
	ck_assert_uint_eq(c[2] + c[3] + c[4], 0);
	uint64_t toin = drop_count("tx_to_in_port");

	modify_flow(f, "output:1");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[1], 0);
	ck_assert_uint_eq(drop_count("tx_to_in_port") - toin, 2);

	/* LOCAL: there is none; counted and dropped. Output to a missing port: the same. */
	uint64_t loc = drop_count("tx_local"), nop = drop_count("tx_no_port");

	modify_flow(f, "LOCAL,output:9");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
	ck_assert_uint_eq(drop_count("tx_local") - loc, 2);
	ck_assert_uint_eq(drop_count("tx_no_port") - nop, 2);

	/* Several outputs with an edit between them: each copy as it was at its output. */
	modify_flow(f, "output:2,set_field:02:00:00:00:00:0c->eth_dst,output:3");
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 1);
	struct rte_mbuf *m[4];

	ck_assert_uint_eq(recv_on(2, m, 4, 1), 1);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *), MAC_B, 6);
	rte_pktmbuf_free(m[0]);
	ck_assert_uint_eq(recv_on(3, m, 4, 1), 1);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *), MAC_C, 6);
	rte_pktmbuf_free(m[0]);
}
END_TEST

START_TEST(test_controller)
{
	struct dp_upcall *ups = malloc(sizeof(*ups) * 8);
	unsigned n = 0;
	uint64_t t0;

	ck_assert_ptr_nonnull(ups);
	track(add_flow_x(br, 0, 10, "in_port=1", "CONTROLLER:24", 0, 0xabc, 0));
	track(add_flow_x(br, 0, 0, "", "CONTROLLER:65535", 0, 0xdef, 0)); /* table-miss rule */
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 1);
	send_n(2, MAC_A, MAC_B, 1);
	t0 = dp_test_now_ms();
	while (n < 2 && dp_test_now_ms() - t0 < 2000) {
		n += dp_upcall_recv(ups + n, 8 - n);
		usleep(100);
	}
	ck_assert_uint_eq(n, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct dp_upcall *u = &ups[i];

		ck_assert_ptr_eq(u->br, br);
		ck_assert_uint_eq(u->total_len, 60);
		ck_assert_uint_eq(u->table_id, 0);
		if (u->in_port == 1) {
			ck_assert_uint_eq(u->reason, DP_UPCALL_ACTION);
			ck_assert_uint_eq(u->len, 24);
			ck_assert_uint_eq(u->max_len, 24);
			ck_assert_uint_eq(u->cookie, 0xabc);
			ck_assert_mem_eq(u->data, MAC_B, 6);
		} else {
			ck_assert_uint_eq(u->in_port, 2);
			ck_assert_uint_eq(u->reason, DP_UPCALL_NO_MATCH);
			ck_assert_uint_eq(u->len, 60);
			ck_assert_uint_eq(u->cookie, 0xdef);
			ck_assert_mem_eq(u->data, MAC_A, 6);
		}
	}
	/* NO_PACKET_IN on the ingress port: nothing goes up, counted. */
	uint64_t npi = drop_count("no_packet_in");

	ck_assert_int_eq(dp_port_set_config(ports[1].dp, OFPPC_NO_PACKET_IN, OFPPC_NO_PACKET_IN),
			 0);
	send_n(1, MAC_B, MAC_A, 3);
	settle();
	ck_assert_uint_eq(dp_upcall_recv(ups, 8), 0);
	ck_assert_uint_eq(drop_count("no_packet_in") - npi, 3);
	free(ups);
}
END_TEST

/* With two bridges, one may hold at most half of a worker's miss ring: the other's
 * upcalls still find room while the first one's wait. */
START_TEST(test_upcall_share)
{
	struct dp_upcall *ups = malloc(sizeof(*ups) * 64);
	struct dp_bridge *other;
	uint64_t share0 = drop_count("upcall_share"), full0 = drop_count("upcall_ring_full");
	unsigned n = 0, got;

	ck_assert_ptr_nonnull(ups);
	ck_assert_int_eq(dp_bridge_create("other", &other), 0);
	track(add_flow_x(br, 0, 0, "", "CONTROLLER:65535", 0, 0xdef, 0));
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 800); /* nobody drains meanwhile */
	settle();
	ck_assert_uint_eq(drop_count("upcall_share") - share0, 800 - 511); /* 1023 / 2 */
	ck_assert_uint_eq(drop_count("upcall_ring_full") - full0, 0);
	dp_bridge_destroy(other); /* the whole ring again */
	while ((got = dp_upcall_recv(ups, 64)) > 0)
		n += got;
	ck_assert_uint_eq(n, 511);
	/* Every slot was given back. */
	send_n(1, MAC_B, MAC_A, 1000);
	settle();
	n = 0;
	while ((got = dp_upcall_recv(ups, 64)) > 0)
		n += got;
	ck_assert_uint_eq(n, 1000);
	ck_assert_uint_eq(drop_count("upcall_share") - share0, 800 - 511);
	free(ups);
}
END_TEST

START_TEST(test_normal)
{
	struct rte_mbuf *m[8];
	unsigned c[N_PORTS + 1];

	track(add_flow(0, 0, "", "NORMAL"));
	ck_assert_int_eq(dp_commit(br), 0);
	/* A -> B from 1: B unknown, flooded; A learned on 1. */
	send_n(1, MAC_B, MAC_A, 1);
	drain_counts(c);
	ck_assert_uint_eq(c[1], 0);
	ck_assert_uint_eq(c[2] + c[3] + c[4], 3);
	/* B -> A from 2: A known on 1, only there; B learned on 2. */
	send_n(2, MAC_A, MAC_B, 1);
	ck_assert_uint_eq(recv_on(1, m, 8, 1), 1);
	free_all(m, 1);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
	/* A -> B: only to 2 now. */
	send_n(1, MAC_B, MAC_A, 1);
	ck_assert_uint_eq(recv_on(2, m, 8, 1), 1);
	free_all(m, 1);
	/* Broadcast floods. */
	send_n(1, MAC_BCAST, MAC_A, 1);
	drain_counts(c);
	ck_assert_uint_eq(c[1], 0);
	ck_assert_uint_eq(c[2] + c[3] + c[4], 3);

	/* Standalone mode: NORMAL with the tables bypassed (the table has no rule here). */
	teardown();
	dp_bridge_set_normal_mode(br, true);
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(2, MAC_A, MAC_B, 1);
	ck_assert_uint_eq(recv_on(1, m, 8, 1), 1);
	free_all(m, 1);
	dp_bridge_set_normal_mode(br, false);
	ck_assert_int_eq(dp_commit(br), 0);
	send_n(2, MAC_A, MAC_B, 1);
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
}
END_TEST

START_TEST(test_port_config)
{
	unsigned c[N_PORTS + 1];
	struct dp_port_info info;
	struct dp_port_stats s0, s1;

	track(add_flow(0, 10, "in_port=1", "output:2"));
	ck_assert_int_eq(dp_commit(br), 0);
	dp_port_get_stats(ports[1].dp, &s0);
	ck_assert_int_eq(dp_port_set_config(ports[1].dp, OFPPC_NO_RECV, OFPPC_NO_RECV), 0);
	dp_port_get_info(ports[1].dp, &info);
	ck_assert_uint_eq(info.config, OFPPC_NO_RECV);
	send_n(1, MAC_B, MAC_A, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 0);
	dp_port_get_stats(ports[1].dp, &s1);
	ck_assert_uint_eq(s1.rx_dropped - s0.rx_dropped, 5);
	ck_assert_int_eq(dp_port_set_config(ports[1].dp, 0, OFPPC_NO_RECV), 0);

	ck_assert_int_eq(dp_port_set_config(ports[2].dp, OFPPC_PORT_DOWN, OFPPC_PORT_DOWN), 0);
	dp_port_get_info(ports[2].dp, &info);
	ck_assert(!(info.state & OFPPS_LIVE));
	send_n(1, MAC_B, MAC_A, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_int_eq(dp_port_set_config(ports[2].dp, 0, OFPPC_PORT_DOWN), 0);
	send_n(1, MAC_B, MAC_A, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 5);
	ck_assert_int_eq(dp_port_set_config(ports[2].dp, 0x8000, 0x8000), -EINVAL);

	/* Info: names, numbers, link. */
	dp_port_get_info(ports[3].dp, &info);
	ck_assert_str_eq(info.name, "p3");
	ck_assert_uint_eq(info.ofport, 3);
	ck_assert(info.state & OFPPS_LIVE);
	ck_assert_ptr_eq(dp_port_find(br, 3), ports[3].dp);
	ck_assert_ptr_null(dp_port_find(br, 9));
	dp_port_poll_changes(br);

	/* Duplicates refused. */
	ck_assert_int_eq(dp_port_add(br, "p1", "net_ring_nosuch", 7, NULL), -EEXIST);
	ck_assert_int_eq(dp_port_add(br, "px", "net_ring_nosuch", 1, NULL), -EEXIST);
	ck_assert_int_eq(dp_port_add(br, "px", "net_nosuchdriver0", 7, NULL), -ENODEV);
}
END_TEST

START_TEST(test_counter_flags)
{
	uint64_t pk, by, used;
	struct dp_flow *f = track(add_flow_x(br, 0, 10, "in_port=1", "output:2",
					     OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS, 1, 0));
	unsigned c[N_PORTS + 1];

	ck_assert_int_eq(dp_commit(br), 0);
	send_n(1, MAC_B, MAC_A, 5);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 5);
	dp_flow_get_stats(f, &pk, &by, &used);
	ck_assert_uint_eq(pk, 0);
	ck_assert_uint_eq(by, 0);
	ck_assert_uint_gt(used, 0); /* idle timeouts still work */
}
END_TEST

static int
packet_out(uint32_t in_port, const char *actions, struct rte_mbuf *m)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_action_list al;
	struct ofp_err err;
	char eb[128];
	uint8_t buf[9216];
	uint32_t len = rte_pktmbuf_pkt_len(m);

	ck_assert(ofp_actions_parse(actions, &a, &al, eb, sizeof(eb)) == 0);
	const void *d = rte_pktmbuf_read(m, 0, len, buf);
	int ret = dp_packet_out(br, in_port, &al, d, len, &err);

	arena_free(&a);
	rte_pktmbuf_free(m);
	return ret;
}

START_TEST(test_packet_out)
{
	struct rte_mbuf *m[128];
	unsigned c[N_PORTS + 1];

	for (unsigned i = 0; i < 100; i++)
		ck_assert_int_eq(packet_out(OFPP_CONTROLLER, "output:2", frame(MAC_B, MAC_A, i)),
				 0);
	ck_assert_uint_eq(recv_on(2, m, 128, 100), 100);
	for (unsigned i = 0; i < 100; i++)
		ck_assert_uint_eq(seq_of(m[i]), i);
	free_all(m, 100);

	/* TABLE: through the pipeline as if received on in_port. */
	track(add_flow(0, 10, "in_port=1", "output:3"));
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(packet_out(1, "TABLE", frame(MAC_B, MAC_A, 7)), 0);
	ck_assert_uint_eq(recv_on(3, m, 8, 1), 1);
	ck_assert_uint_eq(seq_of(m[0]), 7);
	free_all(m, 1);
	/* IN_PORT and an output after an edit. */
	ck_assert_int_eq(packet_out(4, "IN_PORT,set_field:02:00:00:00:00:0c->eth_dst,output:2",
				    frame(MAC_B, MAC_A, 8)),
			 0);
	ck_assert_uint_eq(recv_on(4, m, 8, 1), 1);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *), MAC_B, 6);
	free_all(m, 1);
	ck_assert_uint_eq(recv_on(2, m, 8, 1), 1);
	ck_assert_mem_eq(rte_pktmbuf_mtod(m[0], uint8_t *), MAC_C, 6);
	free_all(m, 1);

	/* Refusals. */
	ck_assert_int_eq(packet_out(9, "output:2", frame(MAC_B, MAC_A, 0)), -EINVAL);
	uint8_t big[9300] = { 0 };
	struct ofp_action_list none = { NULL, 0 };
	struct ofp_err err;

	ck_assert_int_eq(dp_packet_out(br, OFPP_CONTROLLER, &none, big, sizeof(big), &err),
			 -EMSGSIZE);
	drain_counts(c);
}
END_TEST

START_TEST(test_jumbo)
{
	struct rte_mbuf *m[4];
	uint8_t ref[9000], got[9000];

	for (unsigned i = 0; i < sizeof(ref); i++)
		ref[i] = (uint8_t)(i * 7);
	memcpy(ref, MAC_B, 6);
	memcpy(ref + 6, MAC_A, 6);
	ref[12] = 0x88, ref[13] = 0xb5; /* local experimental ethertype */
	track(add_flow(0, 10, "in_port=1", "output:2"));
	ck_assert_int_eq(dp_commit(br), 0);

	/* A 9000-byte frame as a chain of mbufs, as a scatter-rx NIC delivers it. */
	struct rte_mbuf *head = NULL;

	for (unsigned off = 0; off < sizeof(ref);) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(pool);
		unsigned n = PFS_MIN(sizeof(ref) - off, 2000);

		memcpy(rte_pktmbuf_append(s, (uint16_t)n), ref + off, n);
		off += n;
		if (!head)
			head = s;
		else
			ck_assert_int_eq(rte_pktmbuf_chain(head, s), 0);
	}
	ck_assert_uint_eq(head->nb_segs, 5);
	send_on(1, head);
	ck_assert_uint_eq(recv_on(2, m, 4, 1), 1);
	ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[0]), 9000);
	ck_assert_mem_eq(rte_pktmbuf_read(m[0], 0, 9000, got), ref, 9000);
	free_all(m, 1);

	/* A jumbo packet-out (copied into a chain by the datapath) and a flood of it. */
	struct arena a = ARENA_INITIALIZER;
	struct ofp_action_list al;
	struct ofp_err err;
	char eb[64];

	ck_assert(ofp_actions_parse("FLOOD", &a, &al, eb, sizeof(eb)) == 0);
	ck_assert_int_eq(dp_packet_out(br, 1, &al, ref, sizeof(ref), &err), 0);
	arena_free(&a);
	for (unsigned p = 2; p <= 4; p++) {
		ck_assert_uint_eq(recv_on(p, m, 4, 1), 1);
		ck_assert_uint_eq(rte_pktmbuf_pkt_len(m[0]), 9000);
		ck_assert_mem_eq(rte_pktmbuf_read(m[0], 0, 9000, got), ref, 9000);
		free_all(m, 1);
	}
}
END_TEST

START_TEST(test_bad_frames)
{
	unsigned c[N_PORTS + 1];
	uint64_t tr = drop_count("eth_truncated");

	track(add_flow(0, 0, "", "output:2"));
	ck_assert_int_eq(dp_commit(br), 0);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	memset(rte_pktmbuf_append(m, 10), 0xee, 10);
	send_on(1, m);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 0);
	ck_assert_uint_eq(drop_count("eth_truncated") - tr, 1);
	ck_assert_uint_gt(dp_drop_stats(NULL, 0), 20);
}
END_TEST

START_TEST(test_mbufs_return)
{
	unsigned base, c[N_PORTS + 1];
	struct dp_upcall *ups = malloc(sizeof(*ups) * 16);

	settle();
	base = dp_mbuf_in_use();
	/* Every path that allocates: copies for floods, upcalls, packet-outs, drops. */
	track(add_flow(0, 10, "in_port=1", "output:2,FLOOD,CONTROLLER:32"));
	track(add_flow(0, 10, "in_port=2", "output:3"));
	track(add_flow(0, 10, "in_port=3", "write_actions(output:4)"));
	ck_assert_int_eq(dp_commit(br), 0);
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned p = 1; p <= 4; p++)
			send_n(p, MAC_B, MAC_A, 10);
		ck_assert_int_eq(packet_out(OFPP_CONTROLLER, "output:1,output:2",
					    frame(MAC_B, MAC_A, round)),
				 0);
		drain_counts(c);
		while (dp_upcall_recv(ups, 16) > 0)
			;
	}
	teardown();
	ck_assert_int_eq(dp_sync(), 0);
	ck_assert_uint_eq(dp_mbuf_in_use(), base);
	free(ups);
}
END_TEST

/* ---- Consistency under updates -------------------------------------------------------- */

struct traffic {
	volatile bool stop;
	volatile bool stop_sending; /* send no more, drain what is under way */
	unsigned long sent, recv2, recv3, bad, dup;
	uint8_t *seen; /* per sequence number */
	unsigned long n;
	unsigned spread; /* > 0: UDP destination port 1 + seq % spread */
};

static void *
traffic_thread(void *arg)
{
	struct traffic *t = arg;
	struct rte_mbuf *m[64];

	while ((t->sent < t->n && !t->stop_sending) || t->recv2 + t->recv3 < t->sent) {
		/* Bursts alternate between ports 1 and 4 (two workers when there are two). */
		unsigned in = (t->sent / 32) % 2 ? 4 : 1;

		/* At most half a ring in flight, so the output rings never fill. */
		if (t->sent < t->n && !t->stop_sending &&
		    t->sent - t->recv2 - t->recv3 < RING_SIZE / 2) {
			unsigned k = 0;

			while (k < 32 && t->sent + k < t->n) {
				m[k] = rte_pktmbuf_alloc(pool);
				if (!m[k])
					break;
				uint8_t p[60] = { 0 };
				uint32_t seq = (uint32_t)(t->sent + k);

				memcpy(p, MAC_B, 6);
				memcpy(p + 6, MAC_C, 6);
				p[12] = 0x08;
				p[14] = 0x45, p[17] = 46, p[22] = 64, p[23] = 17;
				memcpy(p + 42, &seq, 4);
				if (t->spread) {
					uint16_t port = (uint16_t)(1 + seq % t->spread);

					p[36] = (uint8_t)(port >> 8), p[37] = (uint8_t)port;
				}
				memcpy(rte_pktmbuf_append(m[k], 60), p, 60);
				k++;
			}
			unsigned e = rte_ring_enqueue_burst(ports[in].rx, (void **)m, k, NULL);

			for (unsigned i = e; i < k; i++)
				rte_pktmbuf_free(m[i]);
			t->sent += e;
		}
		for (unsigned port = 2; port <= 3; port++) {
			unsigned n = rte_ring_dequeue_burst(ports[port].tx, (void **)m, 64, NULL);

			for (unsigned i = 0; i < n; i++) {
				const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);
				const uint8_t *want = port == 2 ? MAC_A : MAC_B;
				uint32_t seq;

				memcpy(&seq, p + 42, 4);
				if (memcmp(p + 6, want, 6) != 0 || seq >= t->n)
					t->bad++;
				else if (t->seen[seq]++)
					t->dup++;
				rte_pktmbuf_free(m[i]);
			}
			if (port == 2)
				t->recv2 += n;
			else
				t->recv3 += n;
		}
		if (t->stop)
			break;
	}
	return NULL;
}

START_TEST(test_consistency_flip)
{
	struct traffic t = { 0 };
	pthread_t th;
	const char *old_a = "set_field:02:00:00:00:00:0a->eth_src,output:2";
	const char *new_b = "set_field:02:00:00:00:00:0b->eth_src,output:3";
	uint64_t drops0 = 0, drops1 = 0;
	struct dp_drop_stat st[128];
	unsigned nd = dp_drop_stats(st, 128);

	for (unsigned i = 0; i < nd; i++)
		drops0 += st[i].count;
	t.n = 300000;
	t.seen = calloc(t.n, 1);
	ck_assert_ptr_nonnull(t.seen);
	/* Frames come from MAC_C on ports 1 and 4. */
	struct dp_flow *f = track(add_flow(0, 10, "eth_src=02:00:00:00:00:0c", old_a));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, traffic_thread, &t), 0);
	unsigned flips = 0;
	uint64_t t0 = dp_test_now_ms();

	while (__atomic_load_n(&t.sent, __ATOMIC_RELAXED) < t.n && dp_test_now_ms() - t0 < 60000) {
		modify_flow(f, flips & 1 ? old_a : new_b);
		ck_assert_int_eq(dp_commit(br), 0);
		flips++;
		if (flips % 64 == 0)
			ck_assert_int_eq(dp_sync(), 0);
	}
	/* Let the tail drain, then stop the thread. */
	t0 = dp_test_now_ms();
	while (t.recv2 + t.recv3 < t.sent && dp_test_now_ms() - t0 < 10000)
		usleep(1000);
	t.stop = true;
	pthread_join(th, NULL);
	struct dp_drop_stat st1[128];

	nd = dp_drop_stats(st1, 128);
	for (unsigned i = 0; i < nd; i++) {
		drops1 += st1[i].count;
		if (st1[i].count != st[i].count)
			fprintf(stderr, "consistency: drop %s: %lu\n", st1[i].name,
				(unsigned long)(st1[i].count - st[i].count));
	}
	fprintf(stderr,
		"consistency: %u flips, %lu sent, %lu on port 2 (old), %lu on port 3 (new), %lu "
		"bad, %lu duplicates, %lu drops\n",
		flips, t.sent, t.recv2, t.recv3, t.bad, t.dup, (unsigned long)(drops1 - drops0));
	ck_assert_uint_eq(t.sent, t.n);
	ck_assert_uint_ge(flips, 1000);
	ck_assert_uint_eq(t.bad, 0);
	ck_assert_uint_eq(t.dup, 0);
	ck_assert_uint_eq(t.recv2 + t.recv3, t.sent);
	ck_assert_uint_gt(t.recv2, 0);
	ck_assert_uint_gt(t.recv3, 0);
	ck_assert_uint_eq(drops1 - drops0, 0);
	free(t.seen);
}
END_TEST

/* What a bundle commit does (ofproto/bundle.c): many rules of two tables rewritten,
 * staged, and published by one dp_commit. Table 0 marks a packet (eth_src A old, B new)
 * and table 1 outputs it (port 2 old, port 3 new), for N destination ports, while
 * traffic spreads over all of them: a packet that met one new and one old rule would
 * leave with the wrong mark for its port ("bad") or be dropped. */
START_TEST(test_consistency_bundle)
{
	enum { N = 10000 };
	struct traffic t = { 0 };
	pthread_t th;
	struct arena a = ARENA_INITIALIZER;
	struct ofp_instruction_list mark[2], out[2];
	struct dp_flow **f0 = calloc(N, sizeof(*f0)), **f1 = calloc(N, sizeof(*f1));
	uint64_t drops0 = 0, drops1 = 0, t0, us = 0;
	struct dp_drop_stat st[128];
	unsigned nd = dp_drop_stats(st, 128), flips = 0;
	char eb[256], m[64];

	ck_assert(f0 && f1);
	ck_assert(ofp_instructions_parse("set_field:02:00:00:00:00:0a->eth_src,goto_table:1", &a,
					 &mark[0], eb, sizeof(eb)) == 0);
	ck_assert(ofp_instructions_parse("set_field:02:00:00:00:00:0b->eth_src,goto_table:1", &a,
					 &mark[1], eb, sizeof(eb)) == 0);
	ck_assert(ofp_instructions_parse("output:2", &a, &out[0], eb, sizeof(eb)) == 0);
	ck_assert(ofp_instructions_parse("output:3", &a, &out[1], eb, sizeof(eb)) == 0);
	for (unsigned i = 0; i < nd; i++)
		drops0 += st[i].count;
	for (unsigned i = 0; i < N; i++) {
		snprintf(m, sizeof(m), "udp,udp_dst=%u", i + 1);
		f0[i] = add_flow(0, 10, m, "set_field:02:00:00:00:00:0a->eth_src,goto_table:1");
		snprintf(m, sizeof(m), "udp,udp_dst=%u", i + 1);
		f1[i] = add_flow(1, 10, m, "output:2");
	}
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	t.n = 4000000;
	t.spread = N;
	t.seen = calloc(t.n, 1);
	ck_assert_ptr_nonnull(t.seen);
	ck_assert_int_eq(pthread_create(&th, NULL, traffic_thread, &t), 0);
	t0 = dp_test_now_ms();
	while (__atomic_load_n(&t.recv2, __ATOMIC_RELAXED) < 1000 && dp_test_now_ms() - t0 < 10000)
		usleep(1000);
	/* Four bundles of 2 * N rewrites each, old -> new -> old -> new -> old. */
	while (flips < 4 && __atomic_load_n(&t.sent, __ATOMIC_RELAXED) < t.n) {
		unsigned v = !(flips & 1);
		struct ofp_err err;
		uint64_t s0 = dp_test_now_us();

		/* Table 0 first, then table 1: published half way, packets would see a new
		 * mark and an old output. */
		for (unsigned i = 0; i < N; i++)
			ck_assert_int_eq(dp_flow_modify(br, f0[i], &mark[v], &err), 0);
		for (unsigned i = 0; i < N; i++)
			ck_assert_int_eq(dp_flow_modify(br, f1[i], &out[v], &err), 0);
		ck_assert_int_eq(dp_commit(br), 0);
		us += dp_test_now_us() - s0;
		flips++;
		t0 = dp_test_now_ms();
		while (dp_test_now_ms() - t0 < 100) /* traffic on this version */
			usleep(1000);
	}
	t.stop_sending = true;
	t0 = dp_test_now_ms();
	while (t.recv2 + t.recv3 < t.sent && dp_test_now_ms() - t0 < 10000)
		usleep(1000);
	t.stop = true;
	pthread_join(th, NULL);
	nd = dp_drop_stats(st, 128);
	for (unsigned i = 0; i < nd; i++)
		drops1 += st[i].count;
	fprintf(stderr,
		"bundle consistency: %u commits of %u rewrites (%.1f ms each to stage and "
		"commit), %lu sent, %lu on port 2 (old), %lu on port 3 (new), %lu bad, %lu "
		"duplicates, %lu drops\n",
		flips, 2 * N, flips ? us / 1000.0 / flips : 0.0, t.sent, t.recv2, t.recv3, t.bad,
		t.dup, (unsigned long)(drops1 - drops0));
	ck_assert_uint_eq(flips, 4);
	ck_assert_uint_eq(t.bad, 0);
	ck_assert_uint_eq(t.dup, 0);
	ck_assert_uint_eq(t.recv2 + t.recv3, t.sent);
	ck_assert_uint_gt(t.recv2, 0);
	ck_assert_uint_gt(t.recv3, 0);
	ck_assert_uint_eq(drops1 - drops0, 0);
	for (unsigned i = 0; i < N; i++) {
		dp_flow_remove(br, f0[i]);
		dp_flow_remove(br, f1[i]);
	}
	ck_assert_int_eq(dp_commit(br), 0);
	arena_free(&a);
	free(t.seen);
	free(f0);
	free(f1);
}
END_TEST

START_TEST(test_bridge_lifecycle)
{
	struct dp_bridge *b2;
	struct dp_test_port tp[2];
	unsigned base;

	settle();
	base = dp_mbuf_in_use();
	ck_assert_int_eq(dp_bridge_create("br0", &b2), -EEXIST);
	ck_assert_int_eq(dp_bridge_create("br1", &b2), 0);
	/* ofport 1 again: bridges are independent */
	ck_assert_int_eq(make_port(b2, &tp[0], "q1", 1), 0);
	ck_assert_int_eq(make_port(b2, &tp[1], "q2", 2), 0);
	add_flow_x(b2, 0, 10, "in_port=1", "output:2", 0, 0, 0);
	add_flow_x(b2, 0, 10, "in_port=2", "output:1", 0, 0, 0);
	ck_assert_int_eq(dp_commit(b2), 0);
	for (unsigned i = 0; i < 10; i++)
		ck_assert_int_eq(rte_ring_enqueue(tp[0].rx, frame(MAC_B, MAC_A, i)), 0);
	struct rte_mbuf *m[16];
	unsigned got = 0;
	uint64_t t0 = dp_test_now_ms();

	while (got < 10 && dp_test_now_ms() - t0 < 2000)
		got += rte_ring_dequeue_burst(tp[1].tx, (void **)m + got, 16 - got, NULL);
	ck_assert_uint_eq(got, 10);
	free_all(m, got);
	/* Port deletion under a live bridge, then the whole bridge. */
	dp_port_del(tp[1].dp);
	ck_assert_ptr_null(dp_port_find(b2, 2));
	for (unsigned i = 0; i < 10; i++)
		ck_assert_int_eq(rte_ring_enqueue(tp[0].rx, frame(MAC_B, MAC_A, i)), 0);
	usleep(5000);
	dp_bridge_destroy(b2);
	ck_assert_int_eq(dp_sync(), 0);
	/* Frames left in the rx ring of a deleted port are the test's. */
	while (rte_ring_dequeue(tp[0].rx, (void **)&m[0]) == 0)
		rte_pktmbuf_free(m[0]);
	ck_assert_uint_eq(dp_mbuf_in_use(), base);
	rte_ring_free(tp[0].rx);
	rte_ring_free(tp[0].tx);
	rte_ring_free(tp[1].rx);
	rte_ring_free(tp[1].tx);
}
END_TEST

/* ---- Several workers ------------------------------------------------------------------ */

/* Packets received by each worker so far (rx[0..workers-1]). */
static void
worker_rx(uint64_t rx[DP_TEST_WORKERS])
{
	struct dp_worker_stats ws;

	ck_assert_uint_eq(dp_worker_count(), DP_TEST_WORKERS);
	for (unsigned w = 0; w < DP_TEST_WORKERS; w++) {
		ck_assert_int_eq(dp_worker_get_stats(w, &ws), 0);
		rx[w] = ws.rx_packets;
	}
}

/* Sends n frames on port with UDP source ports cycling over 64 values (so a select
 * group spreads them), seq 0..n-1. */
static void
send_spread(unsigned port, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = frame(MAC_B, MAC_A, i);
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

		p[34] = (uint8_t)(1 + i % 64);
		while (rte_ring_enqueue(ports[port].rx, m) != 0)
			usleep(100); /* the ring is full: let the workers catch up */
	}
}

/* Traffic entering on ports 1 and 4 (one per worker with two workers) through a cached
 * two-table path that meters and sends to a select group: every packet forwarded, each
 * worker took its port's packets, and every counter is exact whichever worker counted. */
START_TEST(test_workers_exact)
{
	const unsigned n1 = 3000, n4 = 2000, total = n1 + n4;
	struct dp_meter_band_spec band = { OFPMBT_DROP, 100000000, 100000000, 0 };
	struct dp_meter_spec ms = { 9, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1, &band };
	struct dp_port_stats before[N_PORTS + 1], after[N_PORTS + 1];
	uint64_t rx0[DP_TEST_WORKERS], rx1[DP_TEST_WORKERS];
	uint64_t lk0[2], mt0[2], lk[2], mt[2], pk, by, used;
	struct dp_group_stats gs;
	struct dp_meter_stats mst;
	struct ofp_err err;
	unsigned c[N_PORTS + 1];

	settle();
	for (unsigned i = 1; i <= N_PORTS; i++)
		dp_port_get_stats(ports[i].dp, &before[i]);
	for (unsigned t = 0; t < 2; t++)
		dp_table_get_stats(br, (uint8_t)t, &lk0[t], &mt0[t]);
	worker_rx(rx0);
	ck_assert_int_eq(dp_meter_add(br, &ms, &err), 0);
	ck_assert_int_eq(add_group("group_id=5,type=select,bucket=output:2,bucket=output:3"), 0);
	struct dp_flow *fa = track(add_flow(0, 10, "in_port=1", "meter:9,goto_table:1"));
	struct dp_flow *fb = track(add_flow(0, 10, "in_port=4", "meter:9,goto_table:1"));
	struct dp_flow *fc = track(add_flow(1, 10, "eth_type=0x800", "group:5"));

	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	/* Interleaved, so both workers run the shared rules, group and meter at once. */
	for (unsigned i = 0; i < 10; i++) {
		send_spread(1, n1 / 10);
		send_spread(4, n4 / 10);
	}
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[4], 0);
	ck_assert_uint_eq(c[2] + c[3], total);
	ck_assert_uint_gt(c[2], 0);
	ck_assert_uint_gt(c[3], 0);

	worker_rx(rx1);
	uint64_t sum = 0;

	for (unsigned w = 0; w < DP_TEST_WORKERS; w++) {
		sum += rx1[w] - rx0[w];
		if (DP_TEST_WORKERS > 1) /* ports 1 and 4 have different home workers */
			ck_assert_msg(rx1[w] - rx0[w] > 0, "worker %u received nothing", w);
	}
	ck_assert_uint_eq(sum, total);

	dp_flow_get_stats(fa, &pk, &by, &used);
	ck_assert_uint_eq(pk, n1);
	ck_assert_uint_eq(by, (uint64_t)n1 * 60);
	dp_flow_get_stats(fb, &pk, &by, &used);
	ck_assert_uint_eq(pk, n4);
	dp_flow_get_stats(fc, &pk, &by, &used);
	ck_assert_uint_eq(pk, total);
	ck_assert_uint_eq(by, (uint64_t)total * 60);
	for (unsigned t = 0; t < 2; t++) {
		dp_table_get_stats(br, (uint8_t)t, &lk[t], &mt[t]);
		ck_assert_uint_eq(lk[t] - lk0[t], total);
		ck_assert_uint_eq(mt[t] - mt0[t], total);
	}
	for (unsigned i = 1; i <= N_PORTS; i++)
		dp_port_get_stats(ports[i].dp, &after[i]);
	ck_assert_uint_eq(after[1].rx_packets - before[1].rx_packets, n1);
	ck_assert_uint_eq(after[4].rx_packets - before[4].rx_packets, n4);
	ck_assert_uint_eq(after[4].rx_bytes - before[4].rx_bytes, (uint64_t)n4 * 60);
	ck_assert_uint_eq(after[2].tx_packets - before[2].tx_packets, c[2]);
	ck_assert_uint_eq(after[3].tx_packets - before[3].tx_packets, c[3]);
	ck_assert_uint_eq(after[3].tx_bytes - before[3].tx_bytes, (uint64_t)c[3] * 60);
	ck_assert_int_eq(dp_group_get_stats(br, 5, &gs), 0);
	ck_assert_uint_eq(gs.packets, total);
	ck_assert_uint_eq(gs.bytes, (uint64_t)total * 60);
	ck_assert_uint_eq(gs.bucket_packets[0], c[2]);
	ck_assert_uint_eq(gs.bucket_packets[1], c[3]);
	ck_assert_uint_eq(gs.bucket_bytes[1], (uint64_t)c[3] * 60);
	ck_assert_int_eq(dp_meter_get_stats(br, 9, &mst), 0);
	ck_assert_uint_eq(mst.packets, total);
	ck_assert_uint_eq(mst.bytes, (uint64_t)total * 60);
	ck_assert_uint_eq(mst.band_packets[0], 0);

	for (unsigned i = 0; i < n_flows; i++)
		dp_flow_remove(br, flows[i]);
	n_flows = 0;
	ck_assert_int_eq(dp_group_delete(br, 5), 0);
	ck_assert_int_eq(dp_meter_delete(br, 9), 0);
	ck_assert_int_eq(dp_commit(br), 0);
}
END_TEST

/* One meter of 1 packet/s with a 200-packet burst, fed on two workers at once: its token
 * bucket is shared, so about 200 packets pass in all (a bucket per worker would pass
 * about 200 per worker). The bound allows the rate's refill over the test's time. */
START_TEST(test_workers_meter_shared)
{
	const unsigned burst = 200, each = 1500;
	struct dp_meter_band_spec band = { OFPMBT_DROP, 1, burst, 0 };
	struct dp_meter_spec ms = { 11, OFPMF_PKTPS | OFPMF_BURST | OFPMF_STATS, 1, &band };
	struct dp_meter_stats mst;
	struct ofp_err err;
	unsigned c[N_PORTS + 1];

	ck_assert_int_eq(dp_meter_add(br, &ms, &err), 0);
	track(add_flow(0, 10, "in_port=1", "meter:11,output:2"));
	track(add_flow(0, 10, "in_port=4", "meter:11,output:3"));
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_int_eq(dp_sync(), 0);
	uint64_t t0 = dp_test_now_ms();

	for (unsigned i = 0; i < 10; i++) {
		send_spread(1, each / 10);
		send_spread(4, each / 10);
	}
	drain_counts(c);
	uint64_t secs = (dp_test_now_ms() - t0) / 1000 + 1;

	ck_assert_int_eq(dp_meter_get_stats(br, 11, &mst), 0);
	ck_assert_uint_eq(mst.packets, 2 * each);
	ck_assert_uint_eq(mst.packets - mst.band_packets[0], c[2] + c[3]);
	ck_assert_uint_ge(c[2] + c[3], burst);
	ck_assert_msg(c[2] + c[3] <= burst + secs + 1, "%u passed a %u-packet burst in %lu s",
		      c[2] + c[3], burst, (unsigned long)secs);

	for (unsigned i = 0; i < n_flows; i++)
		dp_flow_remove(br, flows[i]);
	n_flows = 0;
	ck_assert_int_eq(dp_meter_delete(br, 11), 0);
	ck_assert_int_eq(dp_commit(br), 0);
}
END_TEST

/* Tables compiled to their shape (dp_shape.h): each table's shape follows its rules from
 * commit to commit, packets go where the generic classifier would send them, and the
 * table and rule counters stay exact through shaped tables. */
START_TEST(test_table_shapes)
{
	unsigned c[N_PORTS + 1];
	uint64_t l0, m0, l1, m1, l2, m2, pk;
	struct dp_flow *ip[DP_SHAPE_TEST_IPS];

	ck_assert_str_eq(dp_table_shape(br, 9), "empty");
	/* table 0 by in_port, table 1 only a "goto next" default, table 2 by eth_dst with a
	 * table-miss rule. */
	struct dp_flow *p1 = track(add_flow(0, 10, "in_port=1", "goto_table:1"));

	track(add_flow(0, 10, "in_port=2", "output:1"));
	track(add_flow(1, 0, "", "goto_table:2"));
	struct dp_flow *to3 = track(add_flow(2, 10, "eth_dst=02:00:00:00:00:0c", "output:3"));

	struct dp_flow *to4 = track(add_flow(2, 10, "eth_dst=02:00:00:00:00:0b", "output:4"));
	struct dp_flow *miss2 = track(add_flow(2, 0, "", "output:2"));

	ck_assert_str_eq(dp_table_shape(br, 0), "empty"); /* not committed yet */
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 0), "in_port");
	ck_assert_str_eq(dp_table_shape(br, 1), "skip");
	ck_assert_str_eq(dp_table_shape(br, 2), "exact");
	dp_table_get_stats(br, 0, &l0, &m0);
	dp_table_get_stats(br, 1, &l1, &m1);
	dp_table_get_stats(br, 2, &l2, &m2);
	send_n(1, MAC_C, MAC_A, 7);
	send_n(1, MAC_B, MAC_A, 5);
	send_n(1, MAC_A, MAC_B, 3); /* table 2's table-miss rule: back out of port 2 */
	send_n(3, MAC_B, MAC_A, 2); /* no in_port rule: table 0 misses */
	drain_counts(c);
	ck_assert_uint_eq(c[3], 7);
	ck_assert_uint_eq(c[4], 5);
	ck_assert_uint_eq(c[2], 3);
	ck_assert_uint_eq(c[1], 0);

	uint64_t l, m;

	dp_table_get_stats(br, 0, &l, &m);
	ck_assert_uint_eq(l - l0, 17);
	ck_assert_uint_eq(m - m0, 15);
	dp_table_get_stats(br, 1, &l, &m);
	ck_assert_uint_eq(l - l1, 15);
	ck_assert_uint_eq(m - m1, 15);
	dp_table_get_stats(br, 2, &l, &m);
	ck_assert_uint_eq(l - l2, 15);
	ck_assert_uint_eq(m - m2, 15);
	dp_flow_get_stats(p1, &pk, NULL, NULL);
	ck_assert_uint_eq(pk, 15);
	dp_flow_get_stats(to3, &pk, NULL, NULL);
	ck_assert_uint_eq(pk, 7);
	dp_flow_get_stats(miss2, &pk, NULL, NULL);
	ck_assert_uint_eq(pk, 3);

	/* table 0 gains rules on IP addresses: a few ride along as extras, a sixth mask
	 * makes it generic; removing them brings the array back. */
	static const char *const ipm[DP_SHAPE_TEST_IPS] = {
		"eth_type=0x0800,ipv4_dst=10.0.0.2",	"eth_type=0x0800,ipv4_src=10.0.0.1",
		"eth_type=0x0800,ipv4_dst=10.0.0.0/24", "eth_type=0x0800,ipv4_src=10.0.0.0/24",
		"eth_type=0x0800,ipv4_dst=10.0.0.0/16",
	};
	for (unsigned i = 0; i < DP_SHAPE_TEST_IPS; i++) {
		ip[i] = add_flow(0, (uint16_t)(100 + i), ipm[i], "output:4");
		ck_assert_int_eq(dp_commit(br), 0);
		ck_assert_str_eq(dp_table_shape(br, 0),
				 i + 1 < DP_SHAPE_TEST_IPS ? "in_port" : "generic");
	}
	send_n(1, MAC_C, MAC_A, 4); /* 10.0.0.1 -> 10.0.0.2: the IP rules win */
	drain_counts(c);
	ck_assert_uint_eq(c[4], 4);
	ck_assert_uint_eq(c[3], 0);
	for (unsigned i = 0; i < DP_SHAPE_TEST_IPS; i++)
		dp_flow_remove(br, ip[i]);
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 0), "in_port");
	send_n(1, MAC_C, MAC_A, 4);
	drain_counts(c);
	ck_assert_uint_eq(c[3], 4);

	/* A modified rule is seen through the rebuilt shape; the emptied table is empty. */
	modify_flow(to3, "output:4");
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 2), "exact");
	send_n(1, MAC_C, MAC_A, 2);
	drain_counts(c);
	ck_assert_uint_eq(c[4], 2);
	untrack(to4);
	untrack(miss2);
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 2), "exact"); /* one rule, one mask */
	untrack(to3);
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 2), "empty");
	send_n(1, MAC_C, MAC_A, 2); /* table 2 misses now */
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);

	/* A big table changed again right after a build may be left generic (rebuilds are
	 * paced); dp_bridge_run() compiles it once the changes stop. */
	struct dp_flow *big[DP_SHAPE_TEST_BIG];

	untrack(p1);
	track(add_flow(0, 10, "in_port=1", "goto_table:6"));
	for (unsigned i = 0; i < DP_SHAPE_TEST_BIG; i++) {
		char mt[64];

		snprintf(mt, sizeof(mt), "eth_dst=02:00:00:01:%02x:%02x", i >> 8, i & 0xff);
		big[i] = add_flow(6, 10, mt, "output:4");
	}
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 6), "exact");
	struct dp_flow *to2 = add_flow(6, 10, "eth_dst=02:00:00:00:00:0c", "output:2");

	ck_assert_int_eq(dp_commit(br), 0);
	const char *k = dp_table_shape(br, 6); /* "generic" unless 100 ms went by */

	ck_assert(!strcmp(k, "generic") || !strcmp(k, "exact"));
	printf("shapes: table 6 right after a change to a big table: %s\n", k);
	usleep(150000);
	dp_bridge_run(br);
	ck_assert_str_eq(dp_table_shape(br, 6), "exact");
	send_n(1, MAC_C, MAC_A, 3);
	drain_counts(c);
	ck_assert_uint_eq(c[2], 3);
	dp_flow_remove(br, to2);
	for (unsigned i = 0; i < DP_SHAPE_TEST_BIG; i++)
		dp_flow_remove(br, big[i]);
}
END_TEST

/* frame() behind an 802.1Q tag of tci. */
static struct rte_mbuf *
frame_tagged(const uint8_t *dst, const uint8_t *src, uint32_t seq, uint16_t tci)
{
	return tagged(frame(dst, src, seq), tci);
}

/* A VLAN table (Faucet's first table) compiles to the in_port+VLAN array: untagged,
 * priority-tagged and tagged frames, on ports with and without rules, through the real
 * key extraction and the array, each go where the rules say. */
START_TEST(test_table_shape_port_vlan)
{
	static const uint8_t lldp[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	unsigned c[N_PORTS + 1];

	track(add_flow(0, 9001, "eth_dst=01:80:c2:00:00:00/ff:ff:ff:ff:ff:f0", ""));
	track(add_flow(0, 0, "", ""));
	track(add_flow(0, 9000, "in_port=1,vlan_vid=0",
		       "push_vlan:0x8100,set_field:4196->vlan_vid,goto_table:1"));
	track(add_flow(0, 9000, "in_port=2,vlan_vid=4196", "goto_table:1")); /* VLAN 100 */
	track(add_flow(0, 9000, "in_port=2,vlan_vid=4096", "output:4"));     /* priority-tagged */
	track(add_flow(1, 0, "", "output:3"));
	ck_assert_int_eq(dp_commit(br), 0);
	ck_assert_str_eq(dp_table_shape(br, 0), "in_port_vlan");
	send_n(1, MAC_B, MAC_A, 3);			   /* untagged on 1: into VLAN 100 */
	send_on(2, frame_tagged(MAC_B, MAC_A, 0, 100));	   /* VLAN 100 on 2 */
	send_on(2, frame_tagged(MAC_B, MAC_A, 1, 0x2064)); /* VLAN 100, PCP 1 */
	drain_counts(c);
	ck_assert_uint_eq(c[3], 5);
	ck_assert_uint_eq(c[4], 0);
	send_on(2, frame_tagged(MAC_B, MAC_A, 0, 0)); /* priority-tagged on 2 */
	send_on(2, frame_tagged(MAC_B, MAC_A, 1, 0xe000));
	drain_counts(c);
	ck_assert_uint_eq(c[4], 2);
	ck_assert_uint_eq(c[3], 0);
	send_n(2, MAC_B, MAC_A, 2);			/* untagged on 2: no rule */
	send_on(1, frame_tagged(MAC_B, MAC_A, 0, 100)); /* tagged on 1: no rule */
	send_on(2, frame_tagged(MAC_B, MAC_A, 0, 101)); /* a VLAN 2 does not carry */
	send_on(3, frame_tagged(MAC_B, MAC_A, 0, 100)); /* a port without rules */
	send_n(1, lldp, MAC_A, 2);			/* reserved: dropped above */
	drain_counts(c);
	ck_assert_uint_eq(c[1] + c[2] + c[3] + c[4], 0);
}
END_TEST

/* S2's shape: a big exact table 0 of output:N rules on the UDP 5-tuple, under a stream of
 * flows the cache cannot keep. The thrash guard turns on, and most packets leave
 * straight from the lookup: port and counters from the shape's slot (dp_rule_set_aux()),
 * no cache entry, no read of the rule. Every rule, table and port counter is exact, and
 * rules that count no packets or no bytes count none. */
START_TEST(test_thrash_direct_exact)
{
	enum { N = 3000, ROUNDS = 3, CHUNK = 500 };
	struct dp_flow **f = calloc(N, sizeof(*f));
	unsigned c[N_PORTS + 1], out[N_PORTS + 1] = { 0 };
	uint64_t l0, m0, l, m, pk, by, used;
	char match[128];

	ck_assert_ptr_nonnull(f);
	for (unsigned i = 0; i < N; i++) {
		uint16_t flags = i % 7 == 3   ? OFPFF_NO_PKT_COUNTS
				 : i % 7 == 5 ? OFPFF_NO_BYT_COUNTS
					      : 0;

		snprintf(match, sizeof(match),
			 "udp,nw_src=10.0.%u.%u,nw_dst=10.0.0.2,tp_src=100,tp_dst=200",
			 (1 + i) >> 8, (1 + i) & 0xff);
		f[i] = add_flow_x(br, 0, 10, match, i % 2 ? "output:3" : "output:4", flags, 1, 0);
	}
	ck_assert_int_eq(dp_commit(br), 0);
	/* A table this big gets its shape once the rebuild pacing lets it (the agent's
	 * periodic dp_bridge_run()). */
	for (uint64_t t0 = dp_test_now_ms();
	     strcmp(dp_table_shape(br, 0), "exact") != 0 && dp_test_now_ms() - t0 < 5000;)
		dp_bridge_run(br), usleep(1000);
	ck_assert_str_eq(dp_table_shape(br, 0), "exact");
	dp_table_get_stats(br, 0, &l0, &m0);
	for (unsigned r = 0; r < ROUNDS; r++)
		for (unsigned i = 0; i < N; i += CHUNK) {
			for (unsigned j = i; j < i + CHUNK && j < N; j++)
				send_on(1, frame_from(MAC_B, MAC_A, j, (uint16_t)(1 + j)));
			drain_counts(c);
			for (unsigned p = 1; p <= N_PORTS; p++)
				out[p] += c[p];
		}
	ck_assert_uint_eq(out[3], N / 2 * ROUNDS);
	ck_assert_uint_eq(out[4], N / 2 * ROUNDS);
	ck_assert_uint_eq(out[1] + out[2], 0);
	dp_table_get_stats(br, 0, &l, &m);
	ck_assert_uint_eq(l - l0, N * ROUNDS);
	ck_assert_uint_eq(m - m0, N * ROUNDS);
	for (unsigned i = 0; i < N; i++) {
		dp_flow_get_stats(f[i], &pk, &by, &used);
		ck_assert_msg(pk == (i % 7 == 3 ? 0 : ROUNDS), "flow %u: %" PRIu64 " packets", i,
			      pk);
		ck_assert_msg(by == (i % 7 == 5 ? 0 : ROUNDS * 60), "flow %u: %" PRIu64 " bytes", i,
			      by);
		ck_assert_uint_gt(used, 0);
	}
	for (unsigned i = 0; i < N; i++)
		dp_flow_remove(br, f[i]);
	ck_assert_int_eq(dp_commit(br), 0);
	free(f);
}
END_TEST

static Suite *
datapath_suite(void)
{
	Suite *s = suite_create("datapath");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_forward);
	tcase_add_test(tc, test_update_visible_at_commit);
	tcase_add_test(tc, test_pipeline);
	tcase_add_test(tc, test_cached_paths_exact);
	tcase_add_test(tc, test_table_shapes);
	tcase_add_test(tc, test_table_shape_port_vlan);
	tcase_add_test(tc, test_compose_counters_exact);
	tcase_add_test(tc, test_port_rule_exact);
	tcase_add_test(tc, test_compose_edit_patch);
	tcase_add_test(tc, test_compose_meter_exact);
	tcase_add_test(tc, test_compose_vlan_exact);
	tcase_add_test(tc, test_reserved_ports);
	tcase_add_test(tc, test_controller);
	tcase_add_test(tc, test_upcall_share);
	tcase_add_test(tc, test_normal);
	tcase_add_test(tc, test_port_config);
	tcase_add_test(tc, test_counter_flags);
	tcase_add_test(tc, test_packet_out);
	tcase_add_test(tc, test_jumbo);
	tcase_add_test(tc, test_bad_frames);
	tcase_add_test(tc, test_mbufs_return);
	tcase_add_test(tc, test_consistency_flip);
	tcase_add_test(tc, test_consistency_bundle);
	tcase_add_test(tc, test_bridge_lifecycle);
	tcase_add_test(tc, test_workers_exact);
	tcase_add_test(tc, test_workers_meter_shared);
	/* Last: it leaves the caches' thrash guard on. */
	tcase_add_test(tc, test_thrash_direct_exact);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	char *eal[] = {
		"test_datapath",
		"--no-pci",
		"--no-huge",
		"--no-shconf",
#if DP_TEST_WORKERS == 1
		"-l",
		"0-1",
#else
		"--lcores",
		"(0-" RTE_STR(DP_TEST_WORKERS) ")@(0-1)",
#endif
		"-m",
		"512",
		"--log-level=lib.eal:error",
		NULL
	};
	struct dp_params p;
	int nfail;

	dp_params_default(&p);
	p.n_workers = DP_TEST_WORKERS;
	p.n_mbufs = 8191;
	p.idle_polls_before_sleep = 100;
	p.idle_sleep_us = 100;
	if (dp_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal, &p) < 0) {
		fprintf(stderr, "dp_init failed\n");
		return 1;
	}
	pool = rte_mempool_lookup("dp_mbufs");
	if (!pool || dp_bridge_create("br0", &br) < 0)
		return 1;
	for (unsigned i = 1; i <= N_PORTS; i++) {
		char name[8];

		snprintf(name, sizeof(name), "p%u", i);
		if (make_port(br, &ports[i], name, i) < 0)
			return 1;
		/* An ethdev that is not the switch's between ports 1 and 2: queue homes go
		 * round-robin over the switch's queues, not over ethdev ids. */
		if (i == 1) {
			struct rte_ring *r = rte_ring_create("spare", 64, 0, 0);

			if (!r || rte_eth_from_rings("spare", &r, 1, &r, 1, 0) < 0)
				return 1;
		}
	}
	if (dp_start() < 0)
		return 1;

	SRunner *sr = srunner_create(datapath_suite());

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	dp_stop();
	dp_fini();
	return nfail == 0 ? 0 : 1;
}
