/* Helpers shared by the dp suite's tests: a monotonic clock and switch ports made of two
 * rte_rings (net_ring), which a test feeds and drains directly. Header-only, included by
 * each test_*.c of tests/dp. */
#ifndef PFS_DP_TESTLIB_H
#define PFS_DP_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <check.h>
#include <rte_eth_ring.h>
#include <rte_ring.h>

#include "arena.h"
#include "datapath.h"
#include "ofp_group.h"

static inline uint64_t
dp_test_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline uint64_t
dp_test_now_ms(void)
{
	return dp_test_now_us() / 1000;
}

/* A port of the switch backed by two rings: the test enqueues frames on rx and dequeues
 * what the switch sent from tx. */
struct dp_test_port {
	struct rte_ring *rx; /* test -> switch */
	struct rte_ring *tx; /* switch -> test */
	struct dp_port *dp;
	uint32_t ofport;
};

/* Creates rings of rx_size and tx_size slots and a net_ring ethdev over them, named after
 * tag and a counter private to this process, and adds it to b as port `name` with
 * OpenFlow number ofport. 0 or a negative errno (reported on stderr). */
static inline int
dp_test_ring_port(struct dp_bridge *b, struct dp_test_port *tp, const char *tag, const char *name,
		  uint32_t ofport, unsigned rx_size, unsigned tx_size)
{
	static unsigned seq;
	char rn[RTE_RING_NAMESIZE], dn[64];
	int ret;

	snprintf(rn, sizeof(rn), "%srx%u", tag, seq);
	tp->rx = rte_ring_create(rn, rx_size, 0, 0);
	snprintf(rn, sizeof(rn), "%stx%u", tag, seq);
	tp->tx = rte_ring_create(rn, tx_size, 0, 0);
	if (!tp->rx || !tp->tx)
		return -ENOMEM;
	snprintf(dn, sizeof(dn), "%s%u", tag, seq);
	ret = rte_eth_from_rings(dn, &tp->rx, 1, &tp->tx, 1, 0);
	snprintf(dn, sizeof(dn), "net_ring_%s%u", tag, seq++); /* the ethdev's name */
	if (ret < 0) {
		fprintf(stderr, "rte_eth_from_rings(%s): %d\n", dn, ret);
		return ret;
	}
	ret = dp_port_add(b, name, dn, ofport, &tp->dp);
	if (ret < 0) {
		fprintf(stderr, "dp_port_add(%s): %d\n", dn, ret);
		return ret;
	}
	tp->ofport = ofport;
	return 0;
}

/* Adds (or, with modify, modifies) a group of b from its ovs-ofctl text (the text must
 * parse). 0 or dp_group_add()'s / dp_group_modify()'s error. */
static inline int
dp_test_group(struct dp_bridge *b, const char *text, bool modify)
{
	struct arena a = ARENA_INITIALIZER;
	struct ofp_group_mod gm;
	struct dp_bucket_spec bs[DP_GROUP_MAX_BUCKETS];
	struct ofp_err err = { 0, 0 };
	char eb[256];
	int rc;

	ck_assert_msg(ofp_group_mod_parse(text, OFPGC_ADD, &a, &gm, eb, sizeof(eb)) == 0, "%s: %s",
		      text, eb);
	for (size_t i = 0; i < gm.buckets.n; i++) {
		bs[i].weight = gm.buckets.items[i].weight;
		bs[i].watch_port = gm.buckets.items[i].watch_port;
		bs[i].watch_group = gm.buckets.items[i].watch_group;
		bs[i].actions = &gm.buckets.items[i].actions;
	}
	struct dp_group_spec spec = { gm.group_id, gm.type, (unsigned)gm.buckets.n, bs };

	rc = modify ? dp_group_modify(b, &spec, &err) : dp_group_add(b, &spec, &err);
	arena_free(&a);
	return rc;
}

#endif /* PFS_DP_TESTLIB_H */
